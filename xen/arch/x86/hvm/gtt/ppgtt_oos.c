/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entries and tables the shadow is allowed to lag behind, and the resync
 * before every submission (gtt_sync()).
 *
 * Pending entries: half-written (a 4-byte write) or left at scratch by an
 * allocation failure; their shadow is scratch until the resync reads them
 * whole from guest memory.
 *
 * Out-of-sync leaf tables: a PT written cfg.oos_threshold times gets its
 * write protection dropped and a snapshot of the entries validated so far
 * (entries an untrapped write changed are validated first).  The shadow
 * keeps those entries (every frame still referenced), so the GPU walks
 * stale but validated entries; the resync protects the page again, then
 * re-validates every entry that differs from the snapshot.
 */
#include "ppgtt_private.h"

/* List s among the tables with pending entries. */
static void pend_add(struct gtt_vgpu *v, struct gtt_spt *s)
{
    struct gtt_ppgtt *p = &v->ppgtt;

    if ( s->on_plist )
        return;
    if ( p->nr_pend == p->max_pend )
    {
        struct gtt_spt **pend = ppgtt_array_grow(p->pend, p->nr_pend,
                                                 &p->max_pend, sizeof(*pend));

        if ( !pend )
        {
            p->pend_lost = true;        /* the sync scans every table */
            return;
        }
        p->pend = pend;
    }
    s->on_plist = true;
    p->pend[p->nr_pend++] = s;
}

/* Mark entry i of s (left at scratch) to be re-read at the next sync. */
void ppgtt_mark_pending(struct gtt_vgpu *v, struct gtt_spt *s, unsigned int i)
{
    ppgtt_write_shadow(s, i, ppgtt_read_shadow(s, i) | PPGTT_SW_PENDING);
    pend_add(v, s);
}

static void pend_del(struct gtt_ppgtt *p, const struct gtt_spt *s)
{
    unsigned int i;

    for ( i = 0; i < p->nr_pend; i++ )
        if ( p->pend[i] == s )
        {
            p->pend[i] = p->pend[--p->nr_pend];
            return;
        }
}

/* Index of out-of-sync table s in p->oos[]. */
static unsigned int oos_index(const struct gtt_ppgtt *p,
                              const struct gtt_spt *s)
{
    unsigned int i;

    for ( i = 0; i < p->nr_oos && p->oos[i].spt != s; i++ )
        continue;
    ASSERT(i < p->nr_oos);

    return i;
}

const uint64_t *ppgtt_oos_snapshot(const struct gtt_ppgtt *p,
                                   const struct gtt_spt *s)
{
    return p->oos[oos_index(p, s)].snapshot;
}

/* Forget record o (its table back in sync or freed). */
static void oos_del(struct gtt_vgpu *v, struct ppgtt_oos *o)
{
    struct gtt_ppgtt *p = &v->ppgtt;

    o->spt->oos = false;
    *o = p->oos[--p->nr_oos];
    v->stats.oos_pages--;
}

/* Off both lists (table being freed). */
void ppgtt_spt_unlist(struct gtt_vgpu *v, struct gtt_spt *s)
{
    if ( s->on_plist )
    {
        pend_del(&v->ppgtt, s);
        s->on_plist = false;
    }
    if ( s->oos )
    {
        struct ppgtt_oos *o = &v->ppgtt.oos[oos_index(&v->ppgtt, s)];

        xfree(o->snapshot);
        oos_del(v, o);
    }
}

/*
 * The shadow 4K leaf that frame j of guest entry e (covering nr frames: 1,
 * or 16 for a 64K entry) would get, looked up now without counting or
 * keeping anything.
 */
static uint64_t expected_leaf(struct gtt_vgpu *v, uint64_t e, unsigned int nr,
                              unsigned int j)
{
    unsigned long gfn = (e & PPGTT_ADDR_MASK) >> GTT_PAGE_SHIFT;
    struct gtt_frame f;
    uint64_t val;

    if ( !(e & PPGTT_PRESENT) )
        return ppgtt_scratch_entry(v, PPGTT_PT);
    gfn = (gfn & ~(unsigned long)(nr - 1)) + j;
    if ( gtt_frame_get(v->d, gfn, &f) != GTT_OK )
        return ppgtt_scratch_entry(v, PPGTT_PT);
    val = ppgtt_leaf_entry(f.mfn, ppgtt_guest_flags(e, false), false);
    gtt_frame_put(&f);

    return val;
}

/*
 * Before leaf table s goes out of sync with snapshot snap: re-validate
 * every entry whose shadow is not what snap gives (an untrapped write, by
 * the GPU or a grant copy, changed the guest's table since it was
 * shadowed), so that the resync's diff starts from what the shadow holds.
 * Pending entries are re-read at the sync anyway.
 */
static void oos_catch_up(struct gtt_vgpu *v, struct gtt_spt *s,
                         const uint64_t *snap)
{
    unsigned int i, j, nr = s->kind == PPGTT_PT64 ? PPGTT_64K_STRIDE : 1;

    for ( i = 0; i < PPGTT_ENTRIES; i += nr )
    {
        if ( ppgtt_read_shadow(s, i) & PPGTT_SW_PENDING )
            continue;
        for ( j = 0; j < nr; j++ )
            if ( (ppgtt_read_shadow(s, i + j) & ~PPGTT_SW_MASK) !=
                 expected_leaf(v, snap[i], nr, j) )
                break;
        if ( j == nr )
            continue;
        v->stats.resyncs++;
        if ( ppgtt_set_entry(v, s, i, snap[i]) != GTT_OK )
            ppgtt_mark_pending(v, s, i);
    }
}

/* A trapped write to leaf table s: often enough, let the guest write it. */
void ppgtt_oos_note_write(struct gtt_vgpu *v, struct gtt_spt *s)
{
    struct gtt_ppgtt *p = &v->ppgtt;
    struct ppgtt_wp_slot *ws;
    uint64_t *snap;
    const uint64_t *t;

    if ( !v->cfg.oos || !ppgtt_kind_leafy(s->kind) || s->oos )
        return;
    if ( s->writes < v->cfg.oos_threshold && s->writes < PPGTT_SPT_MAX_WRITES )
        s->writes++;
    if ( s->writes < v->cfg.oos_threshold || p->nr_oos >= PPGTT_MAX_OOS )
        return;
    ws = ppgtt_wp_find(p, s->gfn);
    if ( !ws || ppgtt_wp_tables(ws) != 1 )
        return;                 /* also a table of another kind: stay */
    snap = xmalloc_array(uint64_t, PPGTT_ENTRIES);
    if ( !snap )
        return;                 /* stays protected */
    t = gtt_map(s->gmfn);
    memcpy(snap, t, PAGE_SIZE);
    gtt_unmap((void *)t);
    oos_catch_up(v, s, snap);
    p->oos[p->nr_oos].spt = s;
    p->oos[p->nr_oos].snapshot = snap;
    p->nr_oos++;
    s->oos = true;
    v->stats.oos_pages++;
    ppgtt_wp_unprotect(v, ws, s->gfn);
}

/*
 * Back in sync: protect first (from then on the guest cannot change what
 * is read), then re-validate every entry that differs from the snapshot.
 */
static int oos_resync(struct gtt_vgpu *v, struct ppgtt_oos *o)
{
    struct gtt_spt *s = o->spt;
    struct ppgtt_wp_slot *ws = ppgtt_wp_find(&v->ppgtt, s->gfn);
    uint64_t *snap = o->snapshot;
    const uint64_t *g;
    unsigned int i;
    int rc = GTT_OK;

    oos_del(v, o);                      /* the guest's page is current again */
    ppgtt_wp_protect(v, ws, s->gfn);   /* if the p2m changed: stays stale */
    s->writes = 0;
    g = gtt_map(s->gmfn);
    for ( i = 0; i < PPGTT_ENTRIES; i++ )
    {
        int src;

        if ( g[i] == snap[i] )
            continue;
        v->stats.resyncs++;
        src = ppgtt_set_entry(v, s, i, g[i]);
        if ( src != GTT_OK )
        {
            ppgtt_mark_pending(v, s, i);
            rc = src;
        }
    }
    gtt_unmap((void *)g);
    xfree(snap);

    return rc;
}

int ppgtt_oos_resync_gfn(struct gtt_vgpu *v, unsigned long gfn)
{
    struct gtt_ppgtt *p = &v->ppgtt;
    unsigned int i;

    for ( i = 0; i < p->nr_oos; i++ )
        if ( p->oos[i].spt->gfn == gfn )
            return oos_resync(v, &p->oos[i]);

    return GTT_OK;
}

/* Re-read every pending entry of s from guest memory. */
static int pending_resync(struct gtt_vgpu *v, struct gtt_spt *s)
{
    unsigned int i;
    int rc = GTT_OK;

    for ( i = 0; i < PPGTT_ENTRIES; i++ )
    {
        int src;

        if ( !(ppgtt_read_shadow(s, i) & PPGTT_SW_PENDING) )
            continue;
        v->stats.resyncs++;
        /* Installing the entry clears the mark; a failure leaves scratch. */
        src = ppgtt_set_entry(v, s, i, ppgtt_read_guest(&v->ppgtt, s, i));
        if ( src != GTT_OK )
        {
            ppgtt_mark_pending(v, s, i);
            rc = src;
        }
    }

    return rc;
}

static bool has_pending(const struct gtt_spt *s)
{
    const uint64_t *t = gtt_map(s->mfn);
    unsigned int i;
    bool pending = false;

    for ( i = 0; i < PPGTT_ENTRIES && !pending; i++ )
        pending = t[i] & PPGTT_SW_PENDING;
    gtt_unmap((void *)t);

    return pending;
}

/*
 * After the pending array could not grow: list again every tracked table
 * with a pending entry (those the array lost included).
 */
static void pend_rescan(struct gtt_vgpu *v)
{
    struct gtt_ppgtt *p = &v->ppgtt;
    struct gtt_spt *s;
    unsigned int b;

    p->pend_lost = false;
    for ( b = 0; b < PPGTT_HASH_BUCKETS; b++ )
        for ( s = ppgtt_spt_at(p, p->hash[b]); s;
              s = ppgtt_spt_at(p, s->hnext) )
            if ( !s->on_plist && has_pending(s) )
                pend_add(v, s);     /* pend_lost again if it cannot grow */
}

static int sync_locked(struct gtt_vgpu *v)
{
    struct gtt_ppgtt *p = &v->ppgtt;
    struct gtt_spt *s, **list;
    unsigned int i, nr;
    int rc = GTT_OK, src;

    /* Each table is held while worked on: a reclaim may free the others. */
    while ( p->nr_oos )
    {
        s = p->oos[0].spt;
        s->refs++;
        src = oos_resync(v, &p->oos[0]);
        if ( src != GTT_OK )
            rc = src;
        ppgtt_spt_put(v, s);
    }

    /*
     * Every pending table is held (a reclaim below may free the others)
     * and taken off the list; entries still failing list theirs again.
     */
    if ( p->pend_lost )
        pend_rescan(v);
    /* A table the array still could not list stays pending: not in sync. */
    if ( p->pend_lost )
        rc = GTT_ERR_NO_MEMORY;
    list = p->pend;
    nr = p->nr_pend;
    p->pend = NULL;
    p->nr_pend = p->max_pend = 0;
    for ( i = 0; i < nr; i++ )
    {
        list[i]->refs++;
        list[i]->on_plist = false;
    }
    for ( i = 0; i < nr; i++ )
    {
        src = pending_resync(v, list[i]);
        if ( src != GTT_OK )
            rc = src;
    }
    for ( i = 0; i < nr; i++ )
        ppgtt_spt_put(v, list[i]);      /* if freed, it unlists itself */
    xfree(list);
    ppgtt_flush(v);

    return rc;
}

int gtt_sync(struct gtt_vgpu *v)
{
    int rc;

    spin_lock(&v->lock);
    rc = sync_locked(v);
    spin_unlock(&v->lock);

    return rc;
}
