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
 * Every frame is referenced exactly once, in the order validated; on an
 * allocation failure the references taken so far are given back once and
 * nothing the GPU can see has changed (GVT-g's CVE-2022-3707 was a double
 * free on this path).
 *
 * Cost: a 1G entry is 262144 frame lookups and references in one call
 * (milliseconds), and as many deferred drops when it goes.  Xen's wiring
 * has to bound how often a guest may trigger that (a continuation, or
 * treating 1G entries as pending until the sync) before this is exposed.
 */
#include "ppgtt_private.h"

/*
 * Validate a 2M run at gfn into val: a large entry, or a split PT.
 * The run is taken frame by frame while it stays contiguous; the first
 * frame that breaks it (refused, misplaced or misaligned) starts the split,
 * which keeps the references already taken.
 */
static int build_2m(struct gtt_vgpu *v, unsigned long gfn, uint64_t flags,
                    uint64_t *val)
{
    struct gtt_frame first = { NULL, 0 }, f = { NULL, 0 };
    struct gtt_spt *pt;
    unsigned int taken, j;
    int rc = GTT_OK, frc;

    for ( taken = 0; taken < PPGTT_ENTRIES; taken++ )
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

    /* Frames [0, taken) are first.., frame 'taken' is f when rc is OK. */
    frc = ppgtt_spt_new(v, PPGTT_PT, &pt);
    if ( frc != GTT_OK )
    {
        if ( rc == GTT_OK )
            ppgtt_unget_frame(v, &f);
        ppgtt_put_frames(v, first.mfn, taken);
        return frc;
    }
    v->stats.splits++;
    for ( j = 0; j < PPGTT_ENTRIES; j++ )
    {
        uint64_t e;

        if ( j < taken )
            e = ppgtt_leaf_entry(first.mfn + j, flags, false);
        else if ( j == taken && rc == GTT_OK )
            e = ppgtt_leaf_entry(f.mfn, flags, false);
        else if ( j == taken )
            continue;           /* refused: stays scratch */
        else
            e = ppgtt_leaf_4k(v, gfn + j, flags);
        ppgtt_replace(v, pt, j, e);
    }
    *val = ((uint64_t)pt->mfn << GTT_PAGE_SHIFT) | PPGTT_PRESENT | PPGTT_RW;

    return GTT_OK;
}

/*
 * Validate a 1G run: 512 2M runs into a PD built aside; if all are large
 * and together contiguous and 1G-aligned, they become one 1G entry (the
 * references move to it, the PD goes back unused).
 */
static int build_1g(struct gtt_vgpu *v, unsigned long gfn, uint64_t flags,
                    uint64_t *val)
{
    struct gtt_spt *pd;
    unsigned long base = 0;
    bool large = true;
    unsigned int c;
    int rc = ppgtt_spt_new(v, PPGTT_PD, &pd);

    if ( rc != GTT_OK )
        return rc;
    for ( c = 0; c < PPGTT_ENTRIES; c++ )
    {
        uint64_t e;

        rc = build_2m(v, gfn + c * PPGTT_ENTRIES, flags, &e);
        if ( rc != GTT_OK )
        {
            ppgtt_spt_put(v, pd);
            return rc;
        }
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

/* Guest PDE with PS (2M) or PDPE with PS (1G) at slot i of s. */
int ppgtt_set_huge(struct gtt_vgpu *v, struct gtt_spt *s, unsigned int i,
                   uint64_t e)
{
    unsigned long nr = ppgtt_large_frames(s->kind);
    unsigned long gfn = ((e & PPGTT_ADDR_MASK) >> GTT_PAGE_SHIFT) & ~(nr - 1);
    uint64_t flags = ppgtt_guest_flags(e, true), val;
    int rc;

    if ( s->kind == PPGTT_PD )
        rc = build_2m(v, gfn, flags, &val);
    else
        rc = build_1g(v, gfn, flags, &val);
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
