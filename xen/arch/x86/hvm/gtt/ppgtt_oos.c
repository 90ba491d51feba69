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
 * write protection dropped and a snapshot of the entries validated so far.
 * The shadow keeps those entries (every frame still referenced), so the GPU
 * walks stale but validated entries; the resync protects the page again,
 * then re-validates every entry that differs from the snapshot.
 */
#include "vgpu.h"

/* Out-of-sync tables at once: bounds snapshots and the work of a sync. */
#define PPGTT_MAX_OOS 128

static void spt_list_del(struct gtt_spt **head, struct gtt_spt *s, bool oos)
{
    struct gtt_spt **pp;

    for ( pp = head; *pp; pp = oos ? &(*pp)->onext : &(*pp)->pnext )
        if ( *pp == s )
        {
            *pp = oos ? s->onext : s->pnext;
            return;
        }
}

void ppgtt_mark_pending(struct gtt_vgpu *v, struct gtt_spt *s, unsigned int i)
{
    s->pending[i / 64] |= 1ULL << (i % 64);
    if ( !s->on_plist )
    {
        s->on_plist = true;
        s->pnext = v->ppgtt.pending;
        v->ppgtt.pending = s;
    }
}

/* Off both lists (table being freed). */
void ppgtt_spt_unlist(struct gtt_vgpu *v, struct gtt_spt *s)
{
    if ( s->on_plist )
    {
        spt_list_del(&v->ppgtt.pending, s, false);
        s->on_plist = false;
    }
    if ( s->oos )
    {
        spt_list_del(&v->ppgtt.oos, s, true);
        s->oos = false;
        v->stats.oos_pages--;
    }
}

/* A trapped write to leaf table s: often enough, let the guest write it. */
void ppgtt_oos_note_write(struct gtt_vgpu *v, struct gtt_spt *s)
{
    struct ppgtt_wp_slot *ws;
    uint64_t *snap;
    const uint64_t *t;

    if ( !v->cfg.oos || !ppgtt_kind_leafy(s->kind) || s->oos )
        return;
    if ( ++s->writes < v->cfg.oos_threshold ||
         v->stats.oos_pages >= PPGTT_MAX_OOS )
        return;
    ws = ppgtt_wp_find(&v->ppgtt, s->gfn);
    if ( !ws || ws->tables != 1 )
        return;                 /* also a table of another kind: stay */
    snap = xmalloc_array(uint64_t, PPGTT_ENTRIES);
    if ( !snap )
        return;                 /* stays protected */
    t = gtt_map(s->gframe.mfn);
    memcpy(snap, t, PAGE_SIZE);
    gtt_unmap((void *)t);
    s->snapshot = snap;
    s->oos = true;
    s->onext = v->ppgtt.oos;
    v->ppgtt.oos = s;
    v->stats.oos_pages++;
    ppgtt_wp_unprotect(v, ws, s->gfn);
}

/*
 * Back in sync: protect first (from then on the guest cannot change what
 * is read), then re-validate every entry that differs from the snapshot.
 */
static int oos_resync(struct gtt_vgpu *v, struct gtt_spt *s)
{
    struct ppgtt_wp_slot *ws = ppgtt_wp_find(&v->ppgtt, s->gfn);
    uint64_t *snap = s->snapshot;
    const uint64_t *g;
    unsigned int i;
    int rc = GTT_OK;

    spt_list_del(&v->ppgtt.oos, s, true);
    s->oos = false;
    v->stats.oos_pages--;
    ppgtt_wp_protect(v, ws, s->gfn);   /* if the p2m changed: stays stale */
    s->snapshot = NULL;                 /* the guest's page is current again */
    s->writes = 0;
    g = gtt_map(s->gframe.mfn);
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
    struct gtt_spt *s;

    for ( s = v->ppgtt.oos; s; s = s->onext )
        if ( s->gfn == gfn )
            return oos_resync(v, s);

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

        if ( !(s->pending[i / 64] & (1ULL << (i % 64))) )
            continue;
        v->stats.resyncs++;
        src = ppgtt_set_entry(v, s, i, ppgtt_read_guest(s, i));
        if ( src == GTT_OK )
            s->pending[i / 64] &= ~(1ULL << (i % 64));
        else
            rc = src;
    }

    return rc;
}

static bool has_pending(const struct gtt_spt *s)
{
    unsigned int w;

    for ( w = 0; w < PPGTT_ENTRIES / 64; w++ )
        if ( s->pending[w] )
            return true;

    return false;
}

static int sync_locked(struct gtt_vgpu *v)
{
    struct gtt_ppgtt *p = &v->ppgtt;
    struct gtt_spt *s, *list, *kept = NULL;
    int rc = GTT_OK, src;

    /* Each table is held while worked on: a reclaim may free the others. */
    while ( (s = p->oos) != NULL )
    {
        s->refs++;
        src = oos_resync(v, s);
        if ( src != GTT_OK )
            rc = src;
        ppgtt_spt_put(v, s);
    }

    /*
     * Every pending table is held (a reclaim below may free the others)
     * and taken off the list; those with entries still failing go back.
     */
    for ( s = p->pending; s; s = s->pnext )
    {
        s->refs++;
        s->on_plist = false;
    }
    list = p->pending;
    p->pending = NULL;
    for ( s = list; s; s = s->pnext )
    {
        src = pending_resync(v, s);
        if ( src != GTT_OK )
            rc = src;
    }
    while ( (s = list) != NULL )
    {
        list = s->pnext;
        if ( has_pending(s) )
        {
            s->on_plist = true;
            s->pnext = kept;
            kept = s;
        }
        else
            ppgtt_spt_put(v, s);        /* others listed are still held */
    }
    while ( (s = kept) != NULL )
    {
        kept = s->pnext;
        s->pnext = p->pending;
        p->pending = s;
        ppgtt_spt_put(v, s);            /* if freed, it unlinks itself */
    }
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
