/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Write-protected guest page tables: which frames are trapped, and the
 * handler of a trapped guest write.
 *
 * The set of tracked frames is an open-addressed table, linear probing,
 * at most half full (it holds at most one slot per shadow page of the
 * quota).  Slots are never emptied: a frame no table is built from keeps
 * its slot (tables == 0) until another frame reuses it, and a frame is
 * always looked up along its whole probe chain before a slot is taken, so
 * a frame appears at most once.  Readers need no lock: a slot that says
 * "tracked and protected" is never moved, so gtt_wp_claims() cannot miss a
 * protected frame; a stale positive only sends the write to
 * gtt_wp_write(), which checks again under the lock.  Stores go through
 * volatile accesses in program order, which x86 (TSO) keeps for readers.
 */
#include "vgpu.h"

static unsigned int wp_hash(unsigned long gfn)
{
    /* Fibonacci hashing: neighbouring frames spread out. */
    return (unsigned int)((gfn * 0x9e3779b97f4a7c15ULL) >> 32);
}

int ppgtt_wp_init(struct gtt_vgpu *v)
{
    struct gtt_ppgtt *p = &v->ppgtt;
    unsigned int n = 16;

    while ( n < 2 * p->quota )
        n <<= 1;
    p->wp = xzalloc_array(struct ppgtt_wp_slot, n);
    if ( !p->wp )
        return GTT_ERR_NO_MEMORY;
    p->wp_mask = n - 1;

    return GTT_OK;
}

void ppgtt_wp_free(struct gtt_vgpu *v)
{
    xfree(v->ppgtt.wp);
    v->ppgtt.wp = NULL;
}

struct ppgtt_wp_slot *ppgtt_wp_find(const struct gtt_ppgtt *p,
                                    unsigned long gfn)
{
    unsigned int i, n;

    for ( i = wp_hash(gfn) & p->wp_mask, n = 0; n <= p->wp_mask;
          i = (i + 1) & p->wp_mask, n++ )
    {
        unsigned long key = *(volatile const unsigned long *)&p->wp[i].gfn;

        if ( !key )
            return NULL;
        if ( key == gfn + 1 )
            return &p->wp[i];
    }

    return NULL;
}

bool gtt_wp_claims(const struct gtt_vgpu *v, unsigned long gfn)
{
    const struct ppgtt_wp_slot *s;

    if ( !v->ppgtt.wp )
        return false;
    s = ppgtt_wp_find(&v->ppgtt, gfn);

    return s && *(volatile const bool *)&s->protect;
}

/*
 * Claimed before the p2m traps writes, unclaimed only after it stopped: a
 * trapped write always finds its claim.
 */
int ppgtt_wp_protect(struct gtt_vgpu *v, struct ppgtt_wp_slot *s,
                     unsigned long gfn)
{
    *(volatile bool *)&s->protect = true;
    if ( gtt_frame_protect(v->d, gfn) )
    {
        *(volatile bool *)&s->protect = false;
        return GTT_ERR_NOT_RAM;
    }

    return GTT_OK;
}

void ppgtt_wp_unprotect(struct gtt_vgpu *v, struct ppgtt_wp_slot *s,
                        unsigned long gfn)
{
    gtt_frame_unprotect(v->d, gfn);
    *(volatile bool *)&s->protect = false;
}

/* One more table built from gfn: protect it when it is the first. */
int ppgtt_wp_track(struct gtt_vgpu *v, unsigned long gfn, enum ppgtt_kind k)
{
    struct gtt_ppgtt *p = &v->ppgtt;
    struct ppgtt_wp_slot *s = ppgtt_wp_find(p, gfn);
    unsigned int i;
    int rc;

    if ( s && s->tables )
    {
        /* Out of sync: back in sync (and protected) before a second use. */
        if ( !s->protect && (rc = ppgtt_oos_resync_gfn(v, gfn)) != GTT_OK )
            return rc;
        s->tables++;
        s->kinds |= 1u << k;
        return GTT_OK;
    }
    if ( !s )
    {
        for ( i = wp_hash(gfn) & p->wp_mask; ;
              i = (i + 1) & p->wp_mask )
            if ( !p->wp[i].gfn || !p->wp[i].tables )
                break;
        s = &p->wp[i];
        s->protect = false;
        *(volatile unsigned long *)&s->gfn = gfn + 1;
    }
    rc = ppgtt_wp_protect(v, s, gfn);
    if ( rc != GTT_OK )
        return rc;
    s->tables = 1;
    s->kinds = 1u << k;

    return GTT_OK;
}

/* One table less built from gfn: unprotect after the last. */
void ppgtt_wp_untrack(struct gtt_vgpu *v, unsigned long gfn,
                      enum ppgtt_kind k)
{
    struct ppgtt_wp_slot *s = ppgtt_wp_find(&v->ppgtt, gfn);

    ASSERT(s && s->tables && (s->kinds & (1u << k)));
    s->kinds &= ~(1u << k);
    if ( --s->tables )
        return;
    if ( s->protect )
        ppgtt_wp_unprotect(v, s, gfn);
}

/* Apply the guest's store to its frame, as the trapped instruction would. */
static void guest_store(const struct gtt_spt *s, unsigned int off,
                        unsigned int size, uint64_t val)
{
    uint8_t *t = gtt_map(s->gframe.mfn);

    if ( size == 8 )
        *(volatile uint64_t *)(t + off) = val;
    else
        *(volatile uint32_t *)(t + off) = (uint32_t)val;
    gtt_unmap(t);
}

/*
 * A trapped guest write to a protected table page.  The guest's memory is
 * updated, then every shadow of that page: an 8-byte write is validated
 * and installed (new before old); a 4-byte write leaves half an entry, so
 * the shadow entry goes to scratch until gtt_sync() reads it whole.
 */
static int wp_write(struct gtt_vgpu *v, uint64_t gpa, unsigned int size,
                    uint64_t val)
{
    struct gtt_ppgtt *p = &v->ppgtt;
    unsigned long gfn = gpa >> GTT_PAGE_SHIFT;
    unsigned int off = gpa & (PAGE_SIZE - 1), i = off / 8;
    struct gtt_spt *spt[PPGTT_NR_KINDS];
    struct ppgtt_wp_slot *ws;
    unsigned int k, kinds, n = 0;
    int rc = GTT_OK;

    if ( (size != 4 && size != 8) || (off & (size - 1)) )
    {
        gtt_vgpu_refuse(v, GTT_ERR_BAD_ACCESS);
        return GTT_ERR_BAD_ACCESS;
    }
    ws = p->wp ? ppgtt_wp_find(p, gfn) : NULL;     /* none after a reset */
    if ( !ws || !ws->tables )
        return GTT_ERR_NOT_TRACKED;
    v->stats.writes_trapped++;

    /* Hold every shadow of the page: a reclaim below must not free one. */
    for ( kinds = ws->kinds; kinds; kinds &= kinds - 1 )
    {
        struct gtt_spt *s = ppgtt_spt_find(p, gfn, __builtin_ctz(kinds));

        ASSERT(s);
        s->refs++;
        spt[n++] = s;
    }
    ASSERT(n == ws->tables);
    guest_store(spt[0], off, size, val);

    for ( k = 0; k < n; k++ )
    {
        struct gtt_spt *s = spt[k];
        int src;

        if ( s->oos )
            continue;           /* resynced from guest memory at sync */
        if ( size == 4 )
        {
            if ( s->kind != PPGTT_PT64 || !(i % PPGTT_64K_STRIDE) )
            {
                unsigned int j, nr = s->kind == PPGTT_PT64
                                     ? PPGTT_64K_STRIDE : 1;

                for ( j = 0; j < nr; j++ )
                    ppgtt_clear_entry(v, s, i + j);
                ppgtt_mark_pending(v, s, i);
            }
        }
        else
        {
            src = ppgtt_set_entry(v, s, i, val);
            if ( src != GTT_OK )
            {
                ppgtt_mark_pending(v, s, i);
                rc = src;
            }
            else if ( s->on_plist )
                s->pending[i / 64] &= ~(1ULL << (i % 64));
        }
        ppgtt_oos_note_write(v, s);
    }
    for ( k = 0; k < n; k++ )
        ppgtt_spt_put(v, spt[k]);

    return rc;
}

int gtt_wp_write(struct gtt_vgpu *v, uint64_t gpa, unsigned int size,
                 uint64_t val)
{
    int rc;

    spin_lock(&v->lock);
    rc = wp_write(v, gpa, size, val);
    spin_unlock(&v->lock);

    return rc;
}
