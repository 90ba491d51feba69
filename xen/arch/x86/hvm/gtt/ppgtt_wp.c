/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Write-protected guest page tables: which frames are trapped, and the
 * handler of a trapped guest write.
 *
 * The set of tracked frames is an open-addressed table with linear
 * probing, at most half full: it holds one slot (8 bytes) per frame some
 * shadow table is built from, at most one per shadow page of the quota.
 * Writers hold the vGPU's lock and store a slot whole.  gtt_wp_claims()
 * reads without it: inserting or changing a slot moves nothing, and a
 * removal, which shifts later slots of the probe chain back into the hole,
 * runs inside a sequence count the reader retries on.  Stores and loads go
 * through volatile accesses in program order, which x86 (TSO) keeps between
 * CPUs.
 */
#include "ppgtt_private.h"

#define WP_READ(x)     (*(volatile const typeof(x) *)&(x))
#define WP_WRITE(x, v) (*(volatile typeof(x) *)&(x) = (v))

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
        uint64_t key = WP_READ(p->wp[i].w) & PPGTT_WP_KEY_MASK;

        if ( !key )
            return NULL;
        if ( key == gfn + 1 )
            return &p->wp[i];
    }

    return NULL;
}

bool gtt_wp_claims(const struct gtt_vgpu *v, unsigned long gfn)
{
    const struct gtt_ppgtt *p = &v->ppgtt;
    const struct ppgtt_wp_slot *s;
    unsigned int seq;
    bool claimed;

    if ( !WP_READ(p->wp) )
        return false;
    do {
        while ( (seq = WP_READ(p->wp_seq)) & 1 )
            continue;           /* a removal is moving slots */
        s = ppgtt_wp_find(p, gfn);
        claimed = s && (WP_READ(s->w) & PPGTT_WP_PROTECT);
    } while ( WP_READ(p->wp_seq) != seq );

    return claimed;
}

/* Empty slot s, shifting back the rest of its probe chain. */
static void wp_remove(struct gtt_ppgtt *p, struct ppgtt_wp_slot *s)
{
    unsigned int i = s - p->wp, j = i, mask = p->wp_mask;

    WP_WRITE(p->wp_seq, p->wp_seq + 1);
    for ( ; ; )
    {
        unsigned int home;

        uint64_t key;

        j = (j + 1) & mask;
        key = p->wp[j].w & PPGTT_WP_KEY_MASK;
        if ( !key )
            break;
        home = wp_hash(key - 1) & mask;
        if ( ((j - home) & mask) < ((j - i) & mask) )
            continue;           /* its home lies between the hole and it */
        WP_WRITE(p->wp[i].w, p->wp[j].w);
        i = j;
    }
    WP_WRITE(p->wp[i].w, 0);
    WP_WRITE(p->wp_seq, p->wp_seq + 1);
}

/*
 * Claimed before the p2m traps writes, unclaimed only after it stopped: a
 * trapped write always finds its claim.
 */
int ppgtt_wp_protect(struct gtt_vgpu *v, struct ppgtt_wp_slot *s,
                     unsigned long gfn)
{
    WP_WRITE(s->w, s->w | PPGTT_WP_PROTECT);
    if ( gtt_frame_protect(v->d, gfn) )
    {
        WP_WRITE(s->w, s->w & ~PPGTT_WP_PROTECT);
        return GTT_ERR_NOT_RAM;
    }

    return GTT_OK;
}

void ppgtt_wp_unprotect(struct gtt_vgpu *v, struct ppgtt_wp_slot *s,
                        unsigned long gfn)
{
    gtt_frame_unprotect(v->d, gfn);
    WP_WRITE(s->w, s->w & ~PPGTT_WP_PROTECT);
}

/* One more table built from gfn: protect it when it is the first. */
int ppgtt_wp_track(struct gtt_vgpu *v, unsigned long gfn, enum ppgtt_kind k)
{
    struct gtt_ppgtt *p = &v->ppgtt;
    struct ppgtt_wp_slot *s = ppgtt_wp_find(p, gfn);
    uint64_t one = (1ULL << PPGTT_WP_TABLES_SHIFT) |
                   (1ULL << (PPGTT_WP_KINDS_SHIFT + k));
    unsigned int i;
    int rc;

    BUILD_BUG_ON(PPGTT_NR_KINDS > 7 ||
                 PPGTT_WP_KINDS_SHIFT + PPGTT_NR_KINDS > 45);
    if ( s )
    {
        /* Out of sync: back in sync (and protected) before a second use. */
        if ( !(s->w & PPGTT_WP_PROTECT) )
        {
            rc = ppgtt_oos_resync_gfn(v, gfn);
            if ( rc != GTT_OK )
                return rc;
            s = ppgtt_wp_find(p, gfn);      /* a removal may have moved it */
        }
        ASSERT(!(ppgtt_wp_kinds(s) & (1u << k)));
        WP_WRITE(s->w, s->w + one);     /* one more table, a new kind */
        return GTT_OK;
    }

    for ( i = wp_hash(gfn) & p->wp_mask; p->wp[i].w;
          i = (i + 1) & p->wp_mask )
        continue;
    s = &p->wp[i];
    WP_WRITE(s->w, (gfn + 1) | one);
    rc = ppgtt_wp_protect(v, s, gfn);
    if ( rc != GTT_OK )
        wp_remove(p, s);

    return rc;
}

/* One table less built from gfn: unprotect and forget after the last. */
void ppgtt_wp_untrack(struct gtt_vgpu *v, unsigned long gfn,
                      enum ppgtt_kind k)
{
    struct ppgtt_wp_slot *s = ppgtt_wp_find(&v->ppgtt, gfn);

    ASSERT(s && ppgtt_wp_tables(s) && (ppgtt_wp_kinds(s) & (1u << k)));
    WP_WRITE(s->w, s->w - (1ULL << PPGTT_WP_TABLES_SHIFT) -
                   (1ULL << (PPGTT_WP_KINDS_SHIFT + k)));
    if ( ppgtt_wp_tables(s) )
        return;
    if ( s->w & PPGTT_WP_PROTECT )
        ppgtt_wp_unprotect(v, s, gfn);
    wp_remove(&v->ppgtt, s);
}

/* Apply the guest's store to its frame, as the trapped instruction would. */
static void guest_store(const struct gtt_spt *s, unsigned int off,
                        unsigned int size, uint64_t val)
{
    uint8_t *t = gtt_map(s->gmfn);

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
        gtt_refs_refuse(&v->refs, GTT_ERR_BAD_ACCESS);
        return GTT_ERR_BAD_ACCESS;
    }
    ws = p->wp ? ppgtt_wp_find(p, gfn) : NULL;     /* none after a reset */
    if ( !ws || !ppgtt_wp_tables(ws) )
        return GTT_ERR_NOT_TRACKED;
    v->stats.writes_trapped++;

    /* Hold every shadow of the page: a reclaim below must not free one. */
    for ( kinds = ppgtt_wp_kinds(ws); kinds; kinds &= kinds - 1 )
    {
        struct gtt_spt *s = ppgtt_spt_find(p, gfn, __builtin_ctz(kinds));

        ASSERT(s);
        s->refs++;
        spt[n++] = s;
    }
    ASSERT(n == ppgtt_wp_tables(ws));
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
            /* Installing the entry clears a pending mark. */
            src = ppgtt_set_entry(v, s, i, val);
            if ( src != GTT_OK )
            {
                ppgtt_mark_pending(v, s, i);
                rc = src;
            }
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
