/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest writes to its GGTT slices (ggtt.h): validated, referenced, written
 * whole to the physical GGTT, the old reference dropped after the TLB
 * invalidation that removed it.
 */
#include "vgpu.h"

int gtt_ggtt_init(struct gtt_vgpu *v)
{
    struct gtt_ggtt *g = &v->ggtt;

    g->ap_first = v->cfg.aperture_base >> GTT_PAGE_SHIFT;
    g->ap_nr = v->cfg.aperture_size >> GTT_PAGE_SHIFT;
    g->hid_first = v->cfg.hidden_base >> GTT_PAGE_SHIFT;
    g->hid_nr = v->cfg.hidden_size >> GTT_PAGE_SHIFT;
    g->nr = g->ap_nr + g->hid_nr;
    g->nr_pending = 0;
    /* Up to 1M entries each: virtually contiguous, not physically. */
    g->guest = vzalloc(g->nr * sizeof(*g->guest));
    g->frame = vzalloc(g->nr * sizeof(*g->frame));
    g->scratch = gtt_page_alloc();
    if ( !g->guest || !g->frame || !g->scratch )
    {
        gtt_ggtt_free(v);
        return -ENOMEM;
    }
    g->scratch_mfn = gtt_page_mfn(g->scratch);

    return 0;
}

/* After gtt_ggtt_reset() and the flush: no reference is left. */
void gtt_ggtt_free(struct gtt_vgpu *v)
{
    struct gtt_ggtt *g = &v->ggtt;

    vfree(g->guest);
    vfree(g->frame);
    gtt_page_free(g->scratch);
    g->guest = NULL;
    g->frame = NULL;
    g->scratch = NULL;
    g->scratch_mfn = 0;
}

long gtt_ggtt_slot(const struct gtt_vgpu *v, uint64_t index)
{
    const struct gtt_ggtt *g = &v->ggtt;

    if ( index - g->ap_first < g->ap_nr )
        return index - g->ap_first;
    if ( index - g->hid_first < g->hid_nr )
        return g->ap_nr + (index - g->hid_first);

    return -1;
}

static uint64_t frame_pte(unsigned long mfn)
{
    return ((uint64_t)mfn << GTT_PAGE_SHIFT) | GGTT_PTE_PRESENT;
}

static uint64_t slot_index(const struct gtt_ggtt *g, uint64_t slot)
{
    return slot < g->ap_nr ? g->ap_first + slot
                           : g->hid_first + (slot - g->ap_nr);
}

/*
 * Point physical entry 'index' (slot 'slot') at frame f, or at the page
 * 'none' when f has none, and queue the drop of the reference it held
 * before.  The new reference is in place before the old one goes.
 */
static void slot_point(struct gtt_vgpu *v, uint64_t slot, uint64_t index,
                       struct gtt_frame *f, unsigned long none)
{
    struct gtt_ggtt *g = &v->ggtt;
    struct gtt_frame old = { .pg = g->frame[slot] };

    gtt_hw_ggtt_write(v->dev, index,
                      frame_pte(f && f->pg ? f->mfn : none));
    gtt_refs_mark_dirty(&v->refs);
    g->frame[slot] = f ? f->pg : NULL;
    if ( old.pg )
    {
        old.mfn = gtt_page_mfn(old.pg);
        gtt_refs_defer_put(&v->refs, &old);
    }
}

/* Point physical entry 'index' at frame f (NULL: the vGPU's scratch). */
static void slot_install(struct gtt_vgpu *v, uint64_t slot, uint64_t index,
                         struct gtt_frame *f)
{
    slot_point(v, slot, index, f, v->ggtt.scratch_mfn);
}

static void slice_clear(struct gtt_vgpu *v, unsigned long none)
{
    struct gtt_ggtt *g = &v->ggtt;
    uint64_t slot;

    for ( slot = 0; slot < g->nr; slot++ )
    {
        slot_point(v, slot, slot_index(g, slot), NULL, none);
        g->guest[slot] = 0;
    }
    g->nr_pending = 0;
}

void gtt_ggtt_reset(struct gtt_vgpu *v)
{
    slice_clear(v, v->ggtt.scratch_mfn);
}

void gtt_ggtt_release(struct gtt_vgpu *v)
{
    slice_clear(v, v->dev->scratch_mfn);
}

/*
 * Make guest value gpte the one in force for a slot.  A present entry must
 * name RAM of the guest (platform.c says why not otherwise); the physical
 * entry keeps only the present bit and the host address: Gen8/9 GGTT
 * entries have no other bit the guest may choose.
 */
static int entry_commit(struct gtt_vgpu *v, uint64_t slot, uint64_t index,
                        uint64_t gpte)
{
    struct gtt_frame f = { .pg = NULL };
    int rc = GTT_OK;

    v->ggtt.guest[slot] = gpte;
    if ( gpte & GGTT_PTE_PRESENT )
        rc = gtt_refs_frame_get(&v->refs,
                                (gpte & GGTT_PTE_ADDR_MASK) >> GTT_PAGE_SHIFT,
                                &f);
    slot_install(v, slot, index, rc == GTT_OK ? &f : NULL);

    return rc;
}

static struct gtt_ggtt_pending *pending_find(struct gtt_ggtt *g,
                                             uint64_t index)
{
    unsigned int i;

    for ( i = 0; i < g->nr_pending; i++ )
        if ( g->pending[i].index == index )
            return &g->pending[i];

    return NULL;
}

static void pending_drop(struct gtt_ggtt *g, struct gtt_ggtt_pending *p)
{
    unsigned int i = p - g->pending;

    memmove(p, p + 1, (g->nr_pending - i - 1) * sizeof(*p));
    g->nr_pending--;
}

/*
 * Record one half; true when the entry is whole (its value in *whole).
 * The oldest pending entry makes room when all are taken.
 */
static bool pending_half(struct gtt_vgpu *v, uint64_t slot, uint64_t index,
                         unsigned int offset, uint32_t half, uint64_t *whole)
{
    struct gtt_ggtt *g = &v->ggtt;
    struct gtt_ggtt_pending *p = pending_find(g, index);
    unsigned int shift = offset * 8;

    if ( !p )
    {
        if ( g->nr_pending == GGTT_PENDING_MAX )
        {
            gtt_refs_refuse(&v->refs, GTT_ERR_BAD_ACCESS);
            pending_drop(g, &g->pending[0]);
        }
        p = &g->pending[g->nr_pending++];
        p->index = index;
        p->val = g->guest[slot];
        p->halves = 0;
    }
    p->val &= ~(0xffffffffULL << shift);
    p->val |= (uint64_t)half << shift;
    p->halves |= offset ? 2 : 1;
    if ( p->halves != 3 )
        return false;
    *whole = p->val;
    pending_drop(g, p);

    return true;
}

static bool ggtt_access_ok(unsigned int offset, unsigned int size)
{
    return (size == 8 && offset == 0) ||
           (size == 4 && (offset == 0 || offset == 4));
}

int gtt_ggtt_write(struct gtt_vgpu *v, uint64_t index, unsigned int offset,
                   unsigned int size, uint64_t val)
{
    struct gtt_ggtt *g = &v->ggtt;
    struct gtt_ggtt_pending *p;
    long slot;
    int rc;

    spin_lock(&v->lock);
    v->stats.writes_trapped++;
    if ( !ggtt_access_ok(offset, size) )
    {
        rc = GTT_ERR_BAD_ACCESS;
        goto refuse;
    }
    slot = gtt_ggtt_slot(v, index);
    if ( slot < 0 )
    {
        /* The ballooned guest may still write the whole GGTT: dropped. */
        rc = GTT_ERR_OUTSIDE_SLICE;
        goto refuse;
    }
    if ( size == 4 )
    {
        if ( !pending_half(v, slot, index, offset, (uint32_t)val, &val) )
        {
            spin_unlock(&v->lock);
            return GTT_OK;
        }
    }
    else if ( (p = pending_find(g, index)) != NULL )
        pending_drop(g, p);

    rc = entry_commit(v, slot, index, val);
    gtt_refs_flush(&v->refs);
    spin_unlock(&v->lock);

    return rc;

 refuse:
    gtt_refs_refuse(&v->refs, rc);
    spin_unlock(&v->lock);
    return rc;
}

/* The guest's own value, a pending half included; outside the slices: 0. */
int gtt_ggtt_read(struct gtt_vgpu *v, uint64_t index, unsigned int offset,
                  unsigned int size, uint64_t *val)
{
    const struct gtt_ggtt_pending *p;
    uint64_t e;
    long slot;

    *val = 0;
    if ( !ggtt_access_ok(offset, size) )
        return GTT_ERR_BAD_ACCESS;
    spin_lock(&v->lock);
    slot = gtt_ggtt_slot(v, index);
    if ( slot < 0 )
    {
        spin_unlock(&v->lock);
        return GTT_ERR_OUTSIDE_SLICE;
    }
    p = pending_find(&v->ggtt, index);
    e = p ? p->val : v->ggtt.guest[slot];
    spin_unlock(&v->lock);
    *val = size == 8 ? e : (uint32_t)(e >> (offset * 8));

    return GTT_OK;
}

int gtt_ggtt_translate_locked(const struct gtt_vgpu *v, uint64_t gaddr,
                              struct gtt_xlate *x)
{
    const struct gtt_ggtt *g = &v->ggtt;
    long slot;

    memset(x, 0, sizeof(*x));
    x->scratch = true;
    slot = gtt_ggtt_slot(v, gaddr >> GTT_PAGE_SHIFT);
    if ( slot < 0 )
        return GTT_ERR_OUTSIDE_SLICE;
    if ( g->frame[slot] )
    {
        x->scratch = false;
        x->domain = page_get_owner(g->frame[slot])->domain_id;
        x->gfn = (g->guest[slot] & GGTT_PTE_ADDR_MASK) >> GTT_PAGE_SHIFT;
        x->mfn = gtt_page_mfn(g->frame[slot]);
    }

    return GTT_OK;
}

int gtt_translate_ggtt(struct gtt_vgpu *v, uint64_t gaddr, struct gtt_xlate *x)
{
    int rc;

    spin_lock(&v->lock);
    rc = gtt_ggtt_translate_locked(v, gaddr, x);
    spin_unlock(&v->lock);

    return rc;
}
