/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shadow PPGTT tables: one per (guest table frame, kind), reference
 * counted, built from write-protected guest tables; entry installation
 * (new before old) and teardown.
 */
#include "ppgtt_private.h"

#define PPGTT_TABLE_FLAGS (PPGTT_PRESENT | PPGTT_RW)

static unsigned int spt_hash(unsigned long gfn, enum ppgtt_kind k)
{
    return (gfn * PPGTT_NR_KINDS + k) & (PPGTT_HASH_BUCKETS - 1);
}

static unsigned int spt_mhash(unsigned long mfn)
{
    return mfn & (PPGTT_HASH_BUCKETS - 1);
}

/* Shadow entry of a table of kind k that leads only to scratch. */
uint64_t ppgtt_scratch_entry(const struct gtt_vgpu *v, enum ppgtt_kind k)
{
    if ( ppgtt_kind_leafy(k) )
        return ((uint64_t)v->ppgtt.scratch_page_mfn << GTT_PAGE_SHIFT) |
               PPGTT_PRESENT;

    return ((uint64_t)v->ppgtt.scratch_mfn[ppgtt_kind_below(k)]
            << GTT_PAGE_SHIFT) | PPGTT_TABLE_FLAGS;
}

/* Access and caching bits of a guest leaf, in the 4K layout. */
uint64_t ppgtt_guest_flags(uint64_t guest, bool large)
{
    uint64_t f = guest & (PPGTT_RW | PPGTT_PWT | PPGTT_PCD);

    if ( large ? (guest & PPGTT_PAT_LARGE) : (guest & PPGTT_PAT) )
        f |= PPGTT_PAT;

    return f;
}

/* Shadow leaf for host frame mfn, flags as ppgtt_guest_flags() gives. */
uint64_t ppgtt_leaf_entry(unsigned long mfn, uint64_t flags, bool large)
{
    uint64_t e = ((uint64_t)mfn << GTT_PAGE_SHIFT) | PPGTT_PRESENT |
                 (flags & (PPGTT_RW | PPGTT_PWT | PPGTT_PCD));

    if ( !large )
        return e | (flags & PPGTT_PAT);

    return e | PPGTT_PS | ((flags & PPGTT_PAT) ? PPGTT_PAT_LARGE : 0);
}

uint64_t ppgtt_read_shadow(const struct gtt_spt *s, unsigned int i)
{
    const uint64_t *t = gtt_map(s->mfn);
    uint64_t val = t[i];

    gtt_unmap((void *)t);

    return val;
}

void ppgtt_write_shadow(struct gtt_spt *s, unsigned int i, uint64_t val)
{
    uint64_t *t = gtt_map(s->mfn);

    /* One aligned store: the GPU sees the old entry or the new one. */
    *(volatile uint64_t *)&t[i] = val;
    gtt_unmap(t);
}

/* The guest's entry as the engine last validated it (OOS: the snapshot). */
uint64_t ppgtt_read_guest(const struct gtt_ppgtt *p, const struct gtt_spt *s,
                          unsigned int i)
{
    const uint64_t *t;
    uint64_t val;

    if ( s->oos )
        return ppgtt_oos_snapshot(p, s)[i];
    t = gtt_map(s->gmfn);
    val = t[i];
    gtt_unmap((void *)t);

    return val;
}

/* Release references taken on frames that no shadow entry ever held. */
void ppgtt_unget_frame(struct gtt_vgpu *v, struct gtt_frame *f)
{
    gtt_refs_defer_put(&v->refs, f);
}

/* Queue the drop of one frame behind the next TLB flush. */
void ppgtt_put_frame(struct gtt_vgpu *v, unsigned long mfn)
{
    struct gtt_frame f = { .pg = gtt_mfn_to_page(mfn), .mfn = mfn };

    gtt_refs_mark_engines_dirty(&v->refs);  /* engines may have it cached */
    gtt_refs_defer_put(&v->refs, &f);
}

/* The same for nr host-contiguous frames (a 2M or 1G entry). */
void ppgtt_put_frames(struct gtt_vgpu *v, unsigned long mfn, unsigned long nr)
{
    unsigned long j;

    for ( j = 0; j < nr; j++ )
        ppgtt_put_frame(v, mfn + j);
}

unsigned long ppgtt_large_frames(enum ppgtt_kind k)
{
    return k == PPGTT_PDP ? PPGTT_ENTRIES * PPGTT_ENTRIES : PPGTT_ENTRIES;
}

/*
 * The table an entry of a kind-k table leads to, NULL for a leaf, a huge
 * entry or the scratch tree.
 */
static struct gtt_spt *entry_child(const struct gtt_vgpu *v,
                                   enum ppgtt_kind k, uint64_t val)
{
    unsigned long mfn = ppgtt_shadow_mfn(val, k);

    if ( ppgtt_kind_leafy(k) || (k != PPGTT_PML4 && (val & PPGTT_PS)) ||
         mfn == v->ppgtt.scratch_mfn[ppgtt_kind_below(k)] )
        return NULL;

    return ppgtt_spt_by_mfn(&v->ppgtt, mfn);
}

/*
 * Release what an old shadow entry held (after it was replaced): its
 * value says what that is.
 */
static void release_entry(struct gtt_vgpu *v, enum ppgtt_kind k,
                          uint64_t val)
{
    unsigned long mfn = ppgtt_shadow_mfn(val, k);
    struct gtt_spt *child;

    if ( ppgtt_kind_leafy(k) )
    {
        if ( ppgtt_leaf_held(v->ppgtt.scratch_page_mfn, val) )
            ppgtt_put_frame(v, mfn);
        return;
    }
    if ( k != PPGTT_PML4 && (val & PPGTT_PS) )
    {
        ppgtt_put_frames(v, mfn, ppgtt_large_frames(k));
        return;
    }
    child = entry_child(v, k, val);
    ASSERT(child || mfn == v->ppgtt.scratch_mfn[ppgtt_kind_below(k)]);
    if ( child )
        ppgtt_spt_put(v, child);
}

/* Install val at i, then release what was there. */
void ppgtt_replace(struct gtt_vgpu *v, struct gtt_spt *s, unsigned int i,
                   uint64_t val)
{
    uint64_t *t = gtt_map(s->mfn), old = t[i];

    /* One aligned store: the GPU sees the old entry or the new one. */
    *(volatile uint64_t *)&t[i] = val;
    gtt_unmap(t);
    gtt_refs_mark_dirty(&v->refs);
    release_entry(v, s->kind, old);
}

void ppgtt_clear_entry(struct gtt_vgpu *v, struct gtt_spt *s, unsigned int i)
{
    ppgtt_replace(v, s, i, ppgtt_scratch_entry(v, s->kind));
}

/*
 * A validated 4K leaf for gfn: the frame, or scratch when the guest may
 * not hand it to the GPU (refusal counted by the lookup).
 */
uint64_t ppgtt_leaf_4k(struct gtt_vgpu *v, unsigned long gfn, uint64_t flags)
{
    struct gtt_frame f;

    if ( gtt_refs_frame_get(&v->refs, gfn, &f) != GTT_OK )
        return ppgtt_scratch_entry(v, PPGTT_PT);

    return ppgtt_leaf_entry(f.mfn, flags, false);
}

static bool resource_error(int rc)
{
    return rc == GTT_ERR_NO_MEMORY || rc == GTT_ERR_QUOTA;
}

/* Kind of table a present non-leaf guest entry of a kind-k table names. */
static enum ppgtt_kind child_kind(enum ppgtt_kind k, uint64_t e)
{
    if ( k == PPGTT_PD )
        return (e & PPGTT_IPS) ? PPGTT_PT64 : PPGTT_PT;

    return k - 1;
}

/*
 * Shadow the guest entry e at slot i of s: validate, install, release the
 * old entry.  Refused targets become scratch (not an error); only resource
 * failures are returned, with the entry left at scratch.
 */
int ppgtt_set_entry(struct gtt_vgpu *v, struct gtt_spt *s, unsigned int i,
                    uint64_t e)
{
    unsigned long gfn = (e & PPGTT_ADDR_MASK) >> GTT_PAGE_SHIFT;
    uint64_t val;
    struct gtt_spt *child;
    int rc;

    if ( s->kind == PPGTT_PT64 )
        return ppgtt_set_64k(v, s, i, e);
    if ( !(e & PPGTT_PRESENT) )
    {
        ppgtt_clear_entry(v, s, i);
        return GTT_OK;
    }
    if ( s->kind == PPGTT_PT )
    {
        ppgtt_replace(v, s, i, ppgtt_leaf_4k(v, gfn,
                                             ppgtt_guest_flags(e, false)));
        return GTT_OK;
    }
    if ( (s->kind == PPGTT_PD || s->kind == PPGTT_PDP) && (e & PPGTT_PS) )
        return ppgtt_set_huge(v, s, i, e);

    rc = ppgtt_spt_get(v, gfn, child_kind(s->kind, e), &child);
    if ( rc != GTT_OK )
    {
        ppgtt_clear_entry(v, s, i);
        return resource_error(rc) ? rc : GTT_OK;
    }
    val = ((uint64_t)child->mfn << GTT_PAGE_SHIFT) |
          (e & (PPGTT_PRESENT | PPGTT_RW | PPGTT_PWT | PPGTT_PCD));
    ppgtt_replace(v, s, i, val);

    return GTT_OK;
}

struct gtt_spt *ppgtt_spt_find(struct gtt_ppgtt *p, unsigned long gfn,
                               enum ppgtt_kind k)
{
    struct gtt_spt *s;

    for ( s = ppgtt_spt_at(p, p->hash[spt_hash(gfn, k)]); s;
          s = ppgtt_spt_at(p, s->hnext) )
        if ( s->gfn == gfn && s->kind == k )
            return s;

    return NULL;
}

struct gtt_spt *ppgtt_spt_by_mfn(const struct gtt_ppgtt *p,
                                 unsigned long mfn)
{
    struct gtt_spt *s;

    for ( s = ppgtt_spt_at(p, p->mhash[spt_mhash(mfn)]); s;
          s = ppgtt_spt_at(p, s->mnext) )
        if ( s->mfn == mfn )
            return s;

    return NULL;
}

static void spt_hash_del(struct gtt_ppgtt *p, struct gtt_spt *s)
{
    uint32_t *pp = &p->hash[spt_hash(s->gfn, s->kind)];

    for ( ; *pp; pp = &ppgtt_spt_at(p, *pp)->hnext )
        if ( *pp == s->id )
        {
            *pp = s->hnext;
            return;
        }
}

static void spt_mhash_del(struct gtt_ppgtt *p, struct gtt_spt *s)
{
    uint32_t *pp = &p->mhash[spt_mhash(s->mfn)];

    for ( ; *pp; pp = &ppgtt_spt_at(p, *pp)->mnext )
        if ( *pp == s->id )
        {
            *pp = s->mnext;
            return;
        }
}

/* A table of kind k whose entries all lead to scratch; one reference. */
int ppgtt_spt_new(struct gtt_vgpu *v, enum ppgtt_kind k,
                  struct gtt_spt **out)
{
    struct gtt_spt *s = ppgtt_spt_alloc(&v->ppgtt);
    struct page_info *pg;
    uint64_t *t, scratch = ppgtt_scratch_entry(v, k);
    unsigned int i;
    int rc;

    if ( !s )
        return GTT_ERR_NO_MEMORY;
    rc = ppgtt_pool_alloc(v, &pg);
    if ( rc != GTT_OK )
    {
        ppgtt_spt_release(&v->ppgtt, s);
        return rc;
    }
    s->mfn = gtt_page_mfn(pg);
    s->kind = k;
    s->refs = 1;
    s->mnext = v->ppgtt.mhash[spt_mhash(s->mfn)];
    v->ppgtt.mhash[spt_mhash(s->mfn)] = s->id;
    t = gtt_map(s->mfn);
    for ( i = 0; i < PPGTT_ENTRIES; i++ )
        t[i] = scratch;
    gtt_unmap(t);
    v->stats.shadow_pages++;
    *out = s;

    return GTT_OK;
}

/* Free an unreferenced table: its entries first, then its guest frame. */
static void spt_free(struct gtt_vgpu *v, struct gtt_spt *s)
{
    const uint64_t *t;
    unsigned int i;

    ppgtt_spt_unlist(v, s);
    t = gtt_map(s->mfn);
    for ( i = 0; i < PPGTT_ENTRIES; i++ )
        release_entry(v, s->kind, t[i]);
    gtt_unmap((void *)t);
    if ( s->tracked )
    {
        spt_hash_del(&v->ppgtt, s);
        ppgtt_wp_untrack(v, s->gfn, s->kind);
        ppgtt_put_frame(v, s->gmfn);
    }
    spt_mhash_del(&v->ppgtt, s);
    ppgtt_pool_free(v, gtt_mfn_to_page(s->mfn));
    v->stats.shadow_pages--;
    ppgtt_spt_release(&v->ppgtt, s);
}

void ppgtt_spt_put(struct gtt_vgpu *v, struct gtt_spt *s)
{
    ASSERT(s->refs > 0);
    if ( --s->refs == 0 )
        spt_free(v, s);
}

/*
 * A new PT (not linked anywhere yet): its leaves go straight into the
 * shadow page, nothing to release.
 */
static void populate_pt(struct gtt_vgpu *v, struct gtt_spt *s,
                        const uint64_t *g)
{
    uint64_t *t = gtt_map(s->mfn);
    unsigned int i;

    for ( i = 0; i < PPGTT_ENTRIES; i++ )
        if ( g[i] & PPGTT_PRESENT )
            t[i] = ppgtt_leaf_4k(v, (g[i] & PPGTT_ADDR_MASK) >> GTT_PAGE_SHIFT,
                                 ppgtt_guest_flags(g[i], false));
    gtt_unmap(t);
    gtt_refs_mark_dirty(&v->refs);
}

/*
 * The shadow of guest table gfn used as kind k, with one more reference:
 * shared if it exists, else protect the guest frame, then read it and
 * build.  Returns a refusal reason when gfn is not the guest's RAM.
 */
int ppgtt_spt_get(struct gtt_vgpu *v, unsigned long gfn, enum ppgtt_kind k,
                  struct gtt_spt **out)
{
    struct gtt_spt *s = ppgtt_spt_find(&v->ppgtt, gfn, k);
    struct gtt_frame f;
    const uint64_t *g;
    unsigned int i;
    int rc;

    if ( s )
    {
        if ( s->refs >= PPGTT_SPT_MAX_REFS )
            return GTT_ERR_QUOTA;
        s->refs++;
        *out = s;
        return GTT_OK;
    }
    /* The table's gfn field holds an entry's address bits (47:12). */
    BUILD_BUG_ON(PPGTT_ADDR_MASK >> GTT_PAGE_SHIFT >= 1ULL << 36);

    rc = ppgtt_spt_new(v, k, &s);
    if ( rc != GTT_OK )
        return rc;
    s->gfn = gfn;
    rc = gtt_refs_frame_get(&v->refs, gfn, &f);
    if ( rc != GTT_OK )
    {
        ppgtt_spt_put(v, s);
        return rc;
    }
    rc = ppgtt_wp_track(v, gfn, k);
    if ( rc != GTT_OK )
    {
        ppgtt_unget_frame(v, &f);
        ppgtt_spt_put(v, s);
        return rc;
    }
    s->gmfn = f.mfn;
    s->tracked = true;
    s->hnext = v->ppgtt.hash[spt_hash(gfn, k)];
    v->ppgtt.hash[spt_hash(gfn, k)] = s->id;

    /* Protected above: from here the guest cannot change what we read. */
    g = gtt_map(s->gmfn);
    if ( k == PPGTT_PT )
        populate_pt(v, s, g);
    else
        for ( i = 0; i < PPGTT_ENTRIES && rc == GTT_OK; i++ )
            if ( g[i] & PPGTT_PRESENT )
                rc = ppgtt_set_entry(v, s, i, g[i]);
    gtt_unmap((void *)g);
    if ( rc != GTT_OK )
    {
        ppgtt_spt_put(v, s);
        return rc;
    }
    *out = s;

    return GTT_OK;
}

/* Every reference a table (and the split tables under it) holds. */
static void spt_for_each_ref(const struct gtt_vgpu *v,
                             const struct gtt_spt *s, ppgtt_ref_fn fn,
                             void *arg)
{
    const uint64_t *t = gtt_map(s->mfn);
    unsigned int i;
    unsigned long j;

    if ( s->tracked )
        fn(arg, s->gmfn, true);
    for ( i = 0; i < PPGTT_ENTRIES; i++ )
    {
        uint64_t val = t[i];
        unsigned long mfn = ppgtt_shadow_mfn(val, s->kind);
        const struct gtt_spt *child;

        if ( ppgtt_kind_leafy(s->kind) )
        {
            if ( ppgtt_leaf_held(v->ppgtt.scratch_page_mfn, val) )
                fn(arg, mfn, false);
        }
        else if ( s->kind != PPGTT_PML4 && (val & PPGTT_PS) )
        {
            for ( j = 0; j < ppgtt_large_frames(s->kind); j++ )
                fn(arg, mfn + j, false);
        }
        else if ( (child = entry_child(v, s->kind, val)) && !child->tracked )
            spt_for_each_ref(v, child, fn, arg);
    }
    gtt_unmap((void *)t);
}

void gtt_ppgtt_for_each_ref(struct gtt_vgpu *v, ppgtt_ref_fn fn, void *arg)
{
    unsigned int b;
    const struct gtt_spt *s;

    for ( b = 0; b < PPGTT_HASH_BUCKETS; b++ )
        for ( s = ppgtt_spt_at(&v->ppgtt, v->ppgtt.hash[b]); s;
              s = ppgtt_spt_at(&v->ppgtt, s->hnext) )
            spt_for_each_ref(v, s, fn, arg);
}
