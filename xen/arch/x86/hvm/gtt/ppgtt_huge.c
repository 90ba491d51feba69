/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Huge guest entries.
 *
 * 64K (a PT under an IPS PDE, one entry every 16th slot): always 16 shadow
 * 4K entries, each frame validated on its own.
 * 2M (PDE) and 1G (PDPE): one large shadow entry when every backing frame
 * is the guest's RAM, host-contiguous and aligned; otherwise a split table
 * (no guest page behind it) whose entries are validated one by one.
 *
 * The end of the guest's memory bounds that work: the highest gfn its p2m
 * has mapped (gtt_refs_max_gfn()), read once per entry when it is
 * validated and never kept, since it grows as the guest is populated (a
 * rewrite, or the sync after one, reaches the new frames).  No frame past
 * it is looked up.  A 2M run wholly past it is the scratch PT (no split
 * table); a 1G entry wholly past it is the scratch PD; a 1G entry across
 * it is a split PD whose 2M runs past the end are the scratch PT, and the
 * run the end cuts is split with its frames past the end scratch.  The
 * frames past the end still count one by one as validated and refused
 * (not-ram), as a lookup of each would have: the counters say what the
 * guest asked for, not how the work was bounded.
 *
 * Every frame is referenced exactly once, in the order validated; on an
 * allocation failure the references taken so far are given back once and
 * nothing the GPU can see has changed (GVT-g's CVE-2022-3707 was a double
 * free on this path).
 *
 * Cost: a 2M entry is at most 512 frame lookups; a 1G entry as many as the
 * guest's memory holds of its GiB (none past the end), up to 262144 lookups
 * and references in one call (milliseconds) and as many deferred drops
 * when it goes.  A guest with a GiB of RAM can still cause that with one
 * PTE write: Xen's wiring has to bound how often (a continuation, or
 * treating 1G entries as pending until the sync) before this is exposed.
 */
#include "ppgtt_private.h"

/*
 * Frames of the run [gfn, gfn + nr) at or below max_gfn, the highest gfn
 * of the guest's memory: the run's first 'live' frames; the rest are
 * past the end.
 */
static unsigned long frames_live(unsigned long gfn, unsigned long nr,
                                 unsigned long max_gfn)
{
    if ( gfn > max_gfn )
        return 0;

    return max_gfn - gfn >= nr ? nr : max_gfn - gfn + 1;
}

/*
 * Validate a 2M run at gfn into val (a PDE): a large entry, or a split PT.
 * Only its first 'live' frames are looked up; the others are past the end
 * of the guest's memory and stay scratch (none live: the scratch PT, no
 * split).  The run is taken frame by frame while it stays contiguous; the
 * first frame that breaks it (refused, misplaced or misaligned) starts the
 * split, which keeps the references already taken.
 */
static int build_2m(struct gtt_vgpu *v, unsigned long gfn, unsigned int live,
                    uint64_t flags, uint64_t *val)
{
    struct gtt_frame first = { NULL, 0 }, f = { NULL, 0 };
    struct gtt_spt *pt;
    unsigned int taken, j;
    bool misplaced;
    int rc = GTT_OK, frc;

    if ( !live )
    {
        gtt_refs_refuse_frames(&v->refs, PPGTT_ENTRIES, GTT_ERR_NOT_RAM);
        *val = ppgtt_scratch_entry(v, PPGTT_PD);
        return GTT_OK;
    }
    for ( taken = 0; taken < live; taken++ )
    {
        rc = gtt_refs_frame_get(&v->refs, gfn + taken, &f);
        if ( rc != GTT_OK )
            break;
        if ( taken == 0 ? (f.mfn & (PPGTT_ENTRIES - 1)) != 0
                        : f.mfn != first.mfn + taken )
            break;
        if ( taken == 0 )
            first = f;
    }
    if ( taken == PPGTT_ENTRIES )
    {
        *val = ppgtt_leaf_entry(first.mfn, flags, true);
        return GTT_OK;
    }

    /*
     * Frames [0, taken) are first..; frame 'taken', when below live, is f
     * if it broke the run by its place, else refused.
     */
    misplaced = taken < live && rc == GTT_OK;
    frc = ppgtt_spt_new(v, PPGTT_PT, &pt);
    if ( frc != GTT_OK )
    {
        if ( misplaced )
            ppgtt_unget_frame(v, &f);
        ppgtt_put_frames(v, first.mfn, taken);
        return frc;
    }
    v->stats.splits++;
    for ( j = 0; j < live; j++ )
    {
        uint64_t e;

        if ( j < taken )
            e = ppgtt_leaf_entry(first.mfn + j, flags, false);
        else if ( j == taken && misplaced )
            e = ppgtt_leaf_entry(f.mfn, flags, false);
        else if ( j == taken )
            continue;           /* refused: stays scratch */
        else
            e = ppgtt_leaf_4k(v, gfn + j, flags);
        ppgtt_replace(v, pt, j, e);
    }
    gtt_refs_refuse_frames(&v->refs, PPGTT_ENTRIES - live, GTT_ERR_NOT_RAM);
    *val = ((uint64_t)pt->mfn << GTT_PAGE_SHIFT) | PPGTT_PRESENT | PPGTT_RW;

    return GTT_OK;
}

/*
 * Validate a 1G run into val (a PDPE): the 2M runs holding its first 'live'
 * frames into a PD built aside, the runs past the end of the guest's
 * memory left at the PD's scratch entries (none live: the scratch PD).  If
 * all 512 are large and together contiguous and 1G-aligned, they become
 * one 1G entry (the references move to it, the PD goes back unused).
 */
static int build_1g(struct gtt_vgpu *v, unsigned long gfn, unsigned long live,
                    uint64_t flags, uint64_t *val)
{
    struct gtt_spt *pd;
    unsigned long base = 0;
    bool large = live == ppgtt_large_frames(PPGTT_PDP);
    unsigned int c;
    int rc;

    if ( !live )
    {
        gtt_refs_refuse_frames(&v->refs, ppgtt_large_frames(PPGTT_PDP),
                               GTT_ERR_NOT_RAM);
        *val = ppgtt_scratch_entry(v, PPGTT_PDP);
        return GTT_OK;
    }
    rc = ppgtt_spt_new(v, PPGTT_PD, &pd);
    if ( rc != GTT_OK )
        return rc;
    for ( c = 0; c < PPGTT_ENTRIES; c++ )
    {
        unsigned long done = (unsigned long)c * PPGTT_ENTRIES;
        uint64_t e;

        rc = build_2m(v, gfn + done,
                      frames_live(done, PPGTT_ENTRIES, live - 1), flags, &e);
        if ( rc != GTT_OK )
        {
            ppgtt_spt_put(v, pd);
            return rc;
        }
        if ( done >= live )
            continue;           /* past the end: the PD's scratch entry */
        ppgtt_replace(v, pd, c, e);
        if ( c == 0 )
            base = ppgtt_shadow_mfn(e, PPGTT_PD);
        if ( large && (!(e & PPGTT_PS) ||
                       ppgtt_shadow_mfn(e, PPGTT_PD) !=
                       base + c * PPGTT_ENTRIES) )
            large = false;
    }
    if ( large && !(base & (ppgtt_large_frames(PPGTT_PDP) - 1)) )
    {
        *val = ppgtt_leaf_entry(base, flags, true);
        /* The 1G entry now owns the references: empty the PD quietly. */
        for ( c = 0; c < PPGTT_ENTRIES; c++ )
            ppgtt_write_shadow(pd, c, ppgtt_scratch_entry(v, PPGTT_PD));
        ppgtt_spt_put(v, pd);
        return GTT_OK;
    }
    v->stats.splits++;
    *val = ((uint64_t)pd->mfn << GTT_PAGE_SHIFT) | PPGTT_PRESENT | PPGTT_RW;

    return GTT_OK;
}

/*
 * Guest PDE with PS (2M) or PDPE with PS (1G) at slot i of s.  The end of
 * the guest's memory is read here, once per entry: it may have grown
 * since the entry was last validated.
 */
int ppgtt_set_huge(struct gtt_vgpu *v, struct gtt_spt *s, unsigned int i,
                   uint64_t e)
{
    unsigned long nr = ppgtt_large_frames(s->kind);
    unsigned long gfn = ((e & PPGTT_ADDR_MASK) >> GTT_PAGE_SHIFT) & ~(nr - 1);
    unsigned long live = frames_live(gfn, nr, gtt_refs_max_gfn(&v->refs));
    uint64_t flags = ppgtt_guest_flags(e, true), val;
    int rc;

    if ( s->kind == PPGTT_PD )
        rc = build_2m(v, gfn, live, flags, &val);
    else
        rc = build_1g(v, gfn, live, flags, &val);
    if ( rc != GTT_OK )
    {
        ppgtt_clear_entry(v, s, i);
        return rc;
    }
    ppgtt_replace(v, s, i, val);

    return GTT_OK;
}

/*
 * Guest entry at slot i of a 64K table.  Only every 16th slot is used by
 * the hardware; the others are ignored (their shadow belongs to the 64K
 * entry that covers them).
 */
int ppgtt_set_64k(struct gtt_vgpu *v, struct gtt_spt *s, unsigned int i,
                  uint64_t e)
{
    unsigned long gfn = ((e & PPGTT_ADDR_MASK) >> GTT_PAGE_SHIFT) &
                        ~(unsigned long)(PPGTT_64K_STRIDE - 1);
    uint64_t flags = ppgtt_guest_flags(e, false);
    unsigned int j;

    if ( i % PPGTT_64K_STRIDE )
        return GTT_OK;
    if ( e & PPGTT_PRESENT )
        v->stats.splits++;
    for ( j = 0; j < PPGTT_64K_STRIDE; j++ )
    {
        uint64_t val = ppgtt_scratch_entry(v, PPGTT_PT64);

        if ( e & PPGTT_PRESENT )
            val = ppgtt_leaf_4k(v, gfn + j, flags);
        ppgtt_replace(v, s, i + j, val);
    }

    return GTT_OK;
}
