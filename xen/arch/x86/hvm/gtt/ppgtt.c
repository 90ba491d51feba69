/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PPGTT address spaces of a vGPU: created from PVINFO notifications,
 * context PDPs or flagged PDP loads, shadowed on creation and again on pin
 * after a reclaim; translation by walking the shadow as the GPU would.
 */
#include "ppgtt_private.h"

/* Address spaces a guest may keep (each costs Xen a small allocation). */
#define PPGTT_MAX_MMS 1024

static struct gtt_mm *mm_find(struct gtt_ppgtt *p, uint64_t root_gpa)
{
    struct gtt_mm *mm;

    for ( mm = p->lru_head; mm; mm = mm->next )
        if ( mm->root_gpa[0] == root_gpa )
            return mm;

    return NULL;
}

void ppgtt_mm_unshadow(struct gtt_vgpu *v, struct gtt_mm *mm)
{
    unsigned int i;

    for ( i = 0; i < 4; i++ )
        if ( mm->root[i] )
        {
            ppgtt_spt_put(v, mm->root[i]);
            mm->root[i] = NULL;
        }
    mm->shadowed = false;
}

/* Build the shadow of every root (kept from reclaim while building). */
static int mm_shadow(struct gtt_vgpu *v, struct gtt_mm *mm)
{
    unsigned int i, nr = mm->level == GTT_ROOT_L4 ? 1 : 4;
    enum ppgtt_kind k = mm->level == GTT_ROOT_L4 ? PPGTT_PML4 : PPGTT_PD;
    int rc = GTT_OK;

    mm->busy = true;
    for ( i = 0; i < nr && rc == GTT_OK; i++ )
        if ( mm->root_gpa[i] )
            rc = ppgtt_spt_get(v, mm->root_gpa[i] >> GTT_PAGE_SHIFT, k,
                               &mm->root[i]);
    mm->busy = false;
    mm->shadowed = true;
    if ( rc != GTT_OK )
        ppgtt_mm_unshadow(v, mm);

    return rc;
}

int gtt_ppgtt_create_locked(struct gtt_vgpu *v, unsigned int level,
                            const uint64_t *root_gpas)
{
    struct gtt_ppgtt *p = &v->ppgtt;
    unsigned int i, nr = level == GTT_ROOT_L4 ? 1 : 4;
    struct gtt_mm *mm;
    int rc;

    if ( (level != GTT_ROOT_L3 && level != GTT_ROOT_L4) || !root_gpas[0] )
        return GTT_ERR_BAD_ROOT;
    /* After a vGPU reset (gtt_ppgtt_teardown()), set up again on demand. */
    if ( !p->wp && (rc = gtt_ppgtt_init(v)) != GTT_OK )
        return rc;
    for ( i = 0; i < nr; i++ )
        if ( root_gpas[i] & ~PPGTT_ADDR_MASK )
            return GTT_ERR_BAD_ROOT;

    mm = mm_find(p, root_gpas[0]);
    if ( mm )
    {
        if ( mm->level != level )
            return GTT_ERR_BAD_ROOT;
        for ( i = 0; i < nr; i++ )
            if ( mm->root_gpa[i] != root_gpas[i] )
                return GTT_ERR_BAD_ROOT;
        mm->users++;
        return GTT_OK;
    }
    if ( v->stats.address_spaces >= PPGTT_MAX_MMS )
        return GTT_ERR_QUOTA;

    mm = xzalloc(struct gtt_mm);
    if ( !mm )
        return GTT_ERR_NO_MEMORY;
    mm->level = level;
    for ( i = 0; i < nr; i++ )
        mm->root_gpa[i] = root_gpas[i];
    mm->users = 1;
    ppgtt_lru_add(p, mm);
    rc = mm_shadow(v, mm);
    if ( rc != GTT_OK )
    {
        ppgtt_lru_del(p, mm);
        xfree(mm);
        return rc;
    }
    v->stats.address_spaces++;

    return GTT_OK;
}

static void mm_free(struct gtt_vgpu *v, struct gtt_mm *mm)
{
    ppgtt_mm_unshadow(v, mm);
    ppgtt_lru_del(&v->ppgtt, mm);
    xfree(mm);
    v->stats.address_spaces--;
}

int gtt_ppgtt_destroy_locked(struct gtt_vgpu *v, uint64_t root_gpa)
{
    struct gtt_mm *mm = mm_find(&v->ppgtt, root_gpa);

    if ( !mm )
        return GTT_ERR_BAD_ROOT;
    if ( mm->pins )
        return GTT_ERR_IN_USE;
    if ( --mm->users == 0 )
        mm_free(v, mm);

    return GTT_OK;
}

int gtt_ppgtt_create(struct gtt_vgpu *v, unsigned int level,
                     const uint64_t *root_gpas)
{
    int rc;

    spin_lock(&v->lock);
    rc = gtt_ppgtt_create_locked(v, level, root_gpas);
    spin_unlock(&v->lock);

    return rc;
}

int gtt_ppgtt_destroy(struct gtt_vgpu *v, uint64_t root_gpa)
{
    int rc;

    spin_lock(&v->lock);
    rc = gtt_ppgtt_destroy_locked(v, root_gpa);
    spin_unlock(&v->lock);

    return rc;
}

int gtt_ppgtt_lookup_locked(struct gtt_vgpu *v, uint64_t root_gpa,
                            unsigned int *level, uint64_t pdps[4])
{
    const struct gtt_mm *mm = mm_find(&v->ppgtt, root_gpa);

    if ( !mm )
        return GTT_ERR_BAD_ROOT;
    *level = mm->level;
    memcpy(pdps, mm->root_gpa, sizeof(mm->root_gpa));

    return GTT_OK;
}

int gtt_ppgtt_lookup(struct gtt_vgpu *v, uint64_t root_gpa,
                     unsigned int *level, uint64_t pdps[4])
{
    int rc;

    spin_lock(&v->lock);
    rc = gtt_ppgtt_lookup_locked(v, root_gpa, level, pdps);
    spin_unlock(&v->lock);

    return rc;
}

static uint64_t root_addr(const struct gtt_vgpu *v, const struct gtt_mm *mm,
                          unsigned int i)
{
    if ( mm->root[i] )
        return (uint64_t)mm->root[i]->mfn << GTT_PAGE_SHIFT;

    return (uint64_t)v->ppgtt.scratch_mfn[PPGTT_PD] << GTT_PAGE_SHIFT;
}

int gtt_ppgtt_pin(struct gtt_vgpu *v, uint64_t root_gpa,
                  uint64_t shadow_roots[4])
{
    struct gtt_mm *mm;
    unsigned int i;
    int rc = GTT_OK;

    spin_lock(&v->lock);
    mm = mm_find(&v->ppgtt, root_gpa);
    if ( !mm )
        rc = GTT_ERR_BAD_ROOT;
    else if ( !mm->shadowed )
        rc = mm_shadow(v, mm);
    if ( rc == GTT_OK )
    {
        mm->pins++;
        ppgtt_lru_touch(&v->ppgtt, mm);
        for ( i = 0; i < 4; i++ )
            shadow_roots[i] = mm->level == GTT_ROOT_L4 && i ? 0
                              : root_addr(v, mm, i);
    }
    spin_unlock(&v->lock);

    return rc;
}

int gtt_ppgtt_unpin(struct gtt_vgpu *v, uint64_t root_gpa)
{
    struct gtt_mm *mm;
    int rc = GTT_OK;

    spin_lock(&v->lock);
    mm = mm_find(&v->ppgtt, root_gpa);
    if ( !mm || !mm->pins )
        rc = GTT_ERR_BAD_ROOT;
    else
        mm->pins--;
    spin_unlock(&v->lock);

    return rc;
}

/* Index of gaddr in a table of kind k. */
static unsigned int walk_index(enum ppgtt_kind k, uint64_t gaddr)
{
    return (gaddr >> (GTT_PAGE_SHIFT + 9 * (ppgtt_kind_level(k) - 1))) &
           (PPGTT_ENTRIES - 1);
}

/*
 * The guest frame reported for host frame mfn: the one it backs in the
 * M2P or, when the guest has taken it out of its p2m since (the engine's
 * reference keeps it alive), gfn: what the guest's tables name.
 */
static void xlate_frame(struct gtt_xlate *x, unsigned long mfn,
                        unsigned long gfn)
{
    const struct domain *owner = page_get_owner(gtt_mfn_to_page(mfn));
    unsigned long m2p = gtt_frame_gfn(mfn);

    x->scratch = false;
    x->domain = owner ? owner->domain_id : (domid_t)~0u;
    x->gfn = m2p != GTT_INVALID_GFN ? m2p : gfn;
    x->mfn = mfn;
}

/*
 * The guest frame that gaddr reaches through entry i of tracked table s,
 * as validated (the guest's entry: protected, or the snapshot while out
 * of sync), or gfn when the entry leads to another table.
 */
static unsigned long guest_gfn(const struct gtt_vgpu *v,
                               const struct gtt_spt *s, unsigned int i,
                               uint64_t gaddr, unsigned long gfn)
{
    unsigned long nr = 0;
    uint64_t g;

    if ( s->kind == PPGTT_PT64 )
        i &= ~(PPGTT_64K_STRIDE - 1);
    g = ppgtt_read_guest(&v->ppgtt, s, i);
    if ( s->kind == PPGTT_PT64 )
        nr = PPGTT_64K_STRIDE;
    else if ( s->kind == PPGTT_PT )
        nr = 1;
    else if ( s->kind != PPGTT_PML4 && (g & PPGTT_PS) )
        nr = ppgtt_large_frames(s->kind);
    if ( !nr )
        return gfn;

    return (((g & PPGTT_ADDR_MASK) >> GTT_PAGE_SHIFT) & ~(nr - 1)) +
           ((gaddr >> GTT_PAGE_SHIFT) & (nr - 1));
}

/*
 * Walk the shadow from s as the GPU would.  Every entry it passes must be
 * a frame, a table the engine knows, or the scratch tree (checked).
 */
static void walk(const struct gtt_vgpu *v, const struct gtt_spt *s,
                 uint64_t gaddr, struct gtt_xlate *x)
{
    unsigned long gfn = GTT_INVALID_GFN;

    x->scratch = true;
    for ( ; ; )
    {
        unsigned int i = walk_index(s->kind, gaddr);
        uint64_t val = ppgtt_read_shadow(s, i);
        unsigned long mfn = ppgtt_shadow_mfn(val, s->kind);
        const struct gtt_spt *child;

        if ( s->tracked )
            gfn = guest_gfn(v, s, i, gaddr, gfn);

        ASSERT(val & PPGTT_PRESENT);
        if ( ppgtt_kind_leafy(s->kind) )
        {
            if ( ppgtt_leaf_held(v->ppgtt.scratch_page_mfn, val) )
                xlate_frame(x, mfn, gfn);
            else
                ASSERT((val & ~PPGTT_SW_MASK) ==
                       ppgtt_scratch_entry(v, s->kind));
            return;
        }
        if ( s->kind != PPGTT_PML4 && (val & PPGTT_PS) )
        {
            unsigned long off = (gaddr >> GTT_PAGE_SHIFT) &
                                (ppgtt_large_frames(s->kind) - 1);

            xlate_frame(x, mfn + off, gfn);
            return;
        }
        child = ppgtt_spt_by_mfn(&v->ppgtt, mfn);
        if ( !child )
        {
            ASSERT((val & ~PPGTT_SW_MASK) == ppgtt_scratch_entry(v, s->kind));
            return;
        }
        s = child;
    }
}

int gtt_translate_ppgtt(struct gtt_vgpu *v, uint64_t root_gpa, uint64_t gaddr,
                        struct gtt_xlate *x)
{
    struct gtt_mm *mm;
    const struct gtt_spt *s;
    int rc = GTT_OK;

    spin_lock(&v->lock);
    x->scratch = true;
    mm = mm_find(&v->ppgtt, root_gpa);
    if ( !mm )
        rc = GTT_ERR_BAD_ROOT;
    else if ( !mm->shadowed )
        rc = mm_shadow(v, mm);      /* what the next pin would load */
    if ( rc == GTT_OK )
    {
        s = mm->root[mm->level == GTT_ROOT_L4 ? 0
                                              : (gaddr >> 30) & 3];
        if ( s )
            walk(v, s, gaddr, x);
    }
    spin_unlock(&v->lock);

    return rc;
}

/* Scratch tree: PT -> scratch page, PD -> scratch PT, PDP -> scratch PD. */
static int scratch_init(struct gtt_vgpu *v)
{
    struct gtt_ppgtt *p = &v->ppgtt;
    enum ppgtt_kind k;
    unsigned int i;

    p->scratch_page = gtt_page_alloc();
    if ( !p->scratch_page )
        return GTT_ERR_NO_MEMORY;
    p->scratch_page_mfn = gtt_page_mfn(p->scratch_page);

    for ( k = PPGTT_PT; k <= PPGTT_PDP; k++ )
    {
        uint64_t *t, e;

        if ( k == PPGTT_PT64 )
            continue;
        p->scratch_pg[k] = gtt_page_alloc();
        if ( !p->scratch_pg[k] )
            return GTT_ERR_NO_MEMORY;
        p->scratch_mfn[k] = gtt_page_mfn(p->scratch_pg[k]);
        e = ppgtt_scratch_entry(v, k);
        t = gtt_map(p->scratch_mfn[k]);
        for ( i = 0; i < PPGTT_ENTRIES; i++ )
            t[i] = e;
        gtt_unmap(t);
    }

    return GTT_OK;
}

static void scratch_free(struct gtt_vgpu *v)
{
    enum ppgtt_kind k;

    for ( k = PPGTT_PT; k < PPGTT_NR_KINDS; k++ )
        if ( v->ppgtt.scratch_pg[k] )
        {
            gtt_page_free(v->ppgtt.scratch_pg[k]);
            v->ppgtt.scratch_pg[k] = NULL;
        }
    if ( v->ppgtt.scratch_page )
    {
        gtt_page_free(v->ppgtt.scratch_page);
        v->ppgtt.scratch_page = NULL;
    }
}

int gtt_ppgtt_init(struct gtt_vgpu *v)
{
    int rc;

    memset(&v->ppgtt, 0, sizeof(v->ppgtt));
    rc = ppgtt_pool_init(v);
    if ( rc == GTT_OK )
        rc = ppgtt_wp_init(v);
    if ( rc == GTT_OK )
        rc = scratch_init(v);
    if ( rc != GTT_OK )
    {
        scratch_free(v);
        ppgtt_wp_free(v);
        xfree(v->ppgtt.chunks);         /* no record taken yet */
        v->ppgtt.chunks = NULL;
    }

    return rc;
}

void gtt_ppgtt_teardown(struct gtt_vgpu *v)
{
    struct gtt_ppgtt *p = &v->ppgtt;

    while ( p->lru_head )
        mm_free(v, p->lru_head);
    ASSERT(!v->stats.shadow_pages);
    if ( p->chunks )
        ppgtt_pool_destroy(v);
    scratch_free(v);
    ppgtt_wp_free(v);
    xfree(p->pend);
    memset(p, 0, sizeof(*p));
}
