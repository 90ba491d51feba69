/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vGPU lifecycle in the GTT engine: the device (scratch page, the list of
 * vGPUs partitioning its GGTT), vGPU create/reset/destroy, statistics, and
 * the deferred reference drops every part of the engine uses.
 */
#include "vgpu.h"

static const char *const reason_names[GTT_ERR_NR] = {
    [GTT_OK]                = "ok",
    [GTT_ERR_OUTSIDE_SLICE] = "outside-slice",
    [GTT_ERR_BAD_ACCESS]    = "bad-access",
    [GTT_ERR_NOT_RAM]       = "not-ram",
    [GTT_ERR_MMIO]          = "mmio",
    [GTT_ERR_GRANT]         = "grant",
    [GTT_ERR_FOREIGN]       = "foreign",
    [GTT_ERR_PAGED]         = "paged",
    [GTT_ERR_SHARED]        = "shared",
    [GTT_ERR_OTHER_OWNER]   = "other-owner",
    [GTT_ERR_QUOTA]         = "quota",
    [GTT_ERR_NO_MEMORY]     = "no-memory",
    [GTT_ERR_BAD_ROOT]      = "bad-root",
    [GTT_ERR_NOT_TRACKED]   = "not-tracked",
    [GTT_ERR_IN_USE]        = "in-use",
    [GTT_ERR_BAD_HUGE]      = "bad-huge",
};

const char *gtt_reason_name(unsigned int reason)
{
    if ( reason >= GTT_ERR_NR || !reason_names[reason] )
        return "unknown";
    return reason_names[reason];
}

int gtt_device_init(struct gtt_device *dev, uint64_t ggtt_entries, void *hw)
{
    if ( !ggtt_entries || !hw )
        return -EINVAL;
    memset(dev, 0, sizeof(*dev));
    dev->scratch = gtt_page_alloc();
    if ( !dev->scratch )
        return -ENOMEM;
    dev->scratch_mfn = gtt_page_mfn(dev->scratch);
    dev->ggtt_entries = ggtt_entries;
    dev->hw = hw;
    spin_lock_init(&dev->lock);

    return 0;
}

/* Every vGPU must be destroyed first: their entries point at scratch. */
void gtt_device_destroy(struct gtt_device *dev)
{
    ASSERT(!dev->vgpus);
    gtt_page_free(dev->scratch);
    dev->scratch = NULL;
    dev->scratch_mfn = 0;
}

/* ------------------------------------------------------------------------
 * References and their deferred drops.
 * ------------------------------------------------------------------------ */

void gtt_vgpu_refuse(struct gtt_vgpu *v, unsigned int reason)
{
    if ( reason > GTT_OK && reason < GTT_ERR_NR )
        v->stats.refused[reason]++;
}

int gtt_vgpu_frame_get(struct gtt_vgpu *v, unsigned long gfn,
                       struct gtt_frame *f)
{
    int rc = gtt_frame_get(v->d, gfn, f);

    v->stats.entries_validated++;
    if ( rc != GTT_OK )
    {
        gtt_vgpu_refuse(v, rc);
        return rc;
    }
    v->refs_held++;

    return GTT_OK;
}

static void frame_put_now(struct gtt_vgpu *v, struct gtt_frame *f)
{
    ASSERT(v->refs_held);
    gtt_frame_put(f);
    v->refs_held--;
}

void gtt_vgpu_mark_dirty(struct gtt_vgpu *v)
{
    v->hw_dirty = true;
}

void gtt_vgpu_flush(struct gtt_vgpu *v)
{
    unsigned int i;

    if ( !v->hw_dirty && !v->deferred.nr )
        return;
    if ( !gtt_hw_tlb_invalidate(v->dev, v->engines_dirty) )
        v->stats.tlb_timeouts++;
    v->stats.tlb_invalidations++;
    v->hw_dirty = false;
    v->engines_dirty = false;
    for ( i = 0; i < v->deferred.nr; i++ )
        frame_put_now(v, &v->deferred.frames[i]);
    v->deferred.nr = 0;
}

static bool deferred_grow(struct gtt_deferred_puts *q)
{
    unsigned int max = q->max ? q->max * 2 : GTT_DEFERRED_INITIAL;
    struct gtt_frame *frames;

    if ( q->max >= GTT_DEFERRED_MAX )
        return false;
    if ( max > GTT_DEFERRED_MAX )
        max = GTT_DEFERRED_MAX;
    frames = xmalloc_array(struct gtt_frame, max);
    if ( !frames )
        return false;
    if ( q->nr )
        memcpy(frames, q->frames, q->nr * sizeof(*frames));
    xfree(q->frames);
    q->frames = frames;
    q->max = max;

    return true;
}

void gtt_vgpu_defer_put(struct gtt_vgpu *v, struct gtt_frame *f)
{
    struct gtt_deferred_puts *q = &v->deferred;

    if ( !f->pg )
        return;
    v->hw_dirty = true;
    if ( q->nr == q->max && !deferred_grow(q) )
    {
        /*
         * No room: invalidate now (the caller already replaced the entry),
         * then the reference can go at once.
         */
        gtt_vgpu_flush(v);
        frame_put_now(v, f);
        return;
    }
    q->frames[q->nr++] = *f;
    f->pg = NULL;
    f->mfn = 0;
}

/* ------------------------------------------------------------------------
 * vGPUs.
 * ------------------------------------------------------------------------ */

static bool ranges_overlap(uint64_t a, uint64_t a_size, uint64_t b,
                           uint64_t b_size)
{
    return a_size && b_size && a < b + b_size && b < a + a_size;
}

/*
 * A slice is page aligned, inside the physical GGTT and below 4 GiB (PVINFO
 * publishes it in 32-bit fields).
 */
static bool slice_valid(const struct gtt_device *dev, uint64_t base,
                        uint64_t size)
{
    uint64_t limit = dev->ggtt_entries << GTT_PAGE_SHIFT;

    if ( (base | size) & ((1ULL << GTT_PAGE_SHIFT) - 1) )
        return false;
    if ( limit > (1ULL << 32) )
        limit = 1ULL << 32;

    return base <= limit && size <= limit - base;
}

static int config_check(const struct gtt_device *dev,
                        const struct gtt_vgpu_config *cfg)
{
    if ( !cfg->d || !cfg->aperture_size )
        return -EINVAL;
    if ( !slice_valid(dev, cfg->aperture_base, cfg->aperture_size) ||
         !slice_valid(dev, cfg->hidden_base, cfg->hidden_size) )
        return -EINVAL;
    if ( ranges_overlap(cfg->aperture_base, cfg->aperture_size,
                        cfg->hidden_base, cfg->hidden_size) )
        return -EINVAL;

    return 0;
}

/* Called with dev->lock held. */
static bool overlaps_other_vgpu(const struct gtt_device *dev,
                                const struct gtt_vgpu_config *cfg)
{
    const struct gtt_vgpu *o;

    for ( o = dev->vgpus; o; o = o->next )
    {
        const struct gtt_vgpu_config *c = &o->cfg;

        if ( ranges_overlap(cfg->aperture_base, cfg->aperture_size,
                            c->aperture_base, c->aperture_size) ||
             ranges_overlap(cfg->aperture_base, cfg->aperture_size,
                            c->hidden_base, c->hidden_size) ||
             ranges_overlap(cfg->hidden_base, cfg->hidden_size,
                            c->aperture_base, c->aperture_size) ||
             ranges_overlap(cfg->hidden_base, cfg->hidden_size,
                            c->hidden_base, c->hidden_size) )
            return true;
    }

    return false;
}

static void vgpu_free(struct gtt_vgpu *v)
{
    gtt_ggtt_free(v);
    xfree(v->deferred.frames);
    xfree(v);
}

int gtt_vgpu_create(struct gtt_device *dev, const struct gtt_vgpu_config *cfg,
                    struct gtt_vgpu **out)
{
    struct gtt_vgpu *v;
    int rc;

    *out = NULL;
    rc = config_check(dev, cfg);
    if ( rc )
        return rc;

    v = xzalloc(struct gtt_vgpu);
    if ( !v )
        return -ENOMEM;
    v->dev = dev;
    v->d = cfg->d;
    v->id = cfg->id;
    v->cfg = *cfg;
    if ( !v->cfg.shadow_quota )
        v->cfg.shadow_quota = GTT_DEFAULT_SHADOW_QUOTA;
    if ( !v->cfg.oos_threshold )
        v->cfg.oos_threshold = GTT_DEFAULT_OOS_THRESHOLD;
    spin_lock_init(&v->lock);

    if ( !deferred_grow(&v->deferred) || gtt_ggtt_init(v) )
    {
        vgpu_free(v);
        return -ENOMEM;
    }
    if ( gtt_ppgtt_init(v) != GTT_OK )
    {
        vgpu_free(v);
        return -ENOMEM;
    }

    spin_lock(&dev->lock);
    if ( overlaps_other_vgpu(dev, &v->cfg) )
    {
        spin_unlock(&dev->lock);
        gtt_ppgtt_teardown(v);
        vgpu_free(v);
        return -EBUSY;
    }
    v->next = dev->vgpus;
    dev->vgpus = v;
    spin_unlock(&dev->lock);

    /* Whatever the slice held before, the guest starts from scratch. */
    spin_lock(&v->lock);
    gtt_ggtt_reset(v);
    gtt_vgpu_flush(v);
    spin_unlock(&v->lock);
    *out = v;

    return 0;
}

/*
 * With v->lock held: nothing left the GPU can reach but scratch (the
 * vGPU's own, or the device's when the vGPU goes), and the PVINFO page as
 * the guest first found it.
 */
static void vgpu_clear(struct gtt_vgpu *v, bool going)
{
    if ( going )
        gtt_ggtt_release(v);
    else
        gtt_ggtt_reset(v);
    gtt_ppgtt_teardown(v);
    memset(&v->pvinfo, 0, sizeof(v->pvinfo));
    memset(&v->display, 0, sizeof(v->display));
    v->hw_dirty = true;
    gtt_vgpu_flush(v);
    ASSERT(!v->refs_held);
}

void gtt_vgpu_reset(struct gtt_vgpu *v)
{
    spin_lock(&v->lock);
    vgpu_clear(v, false);
    spin_unlock(&v->lock);
}

void gtt_vgpu_destroy(struct gtt_vgpu *v)
{
    struct gtt_device *dev;
    struct gtt_vgpu **pp;

    if ( !v )
        return;
    dev = v->dev;
    spin_lock(&dev->lock);
    for ( pp = &dev->vgpus; *pp; pp = &(*pp)->next )
        if ( *pp == v )
        {
            *pp = v->next;
            break;
        }
    spin_unlock(&dev->lock);

    spin_lock(&v->lock);
    vgpu_clear(v, true);
    spin_unlock(&v->lock);
    vgpu_free(v);
}

void gtt_vgpu_stats(struct gtt_vgpu *v, struct gtt_stats *st)
{
    spin_lock(&v->lock);
    *st = v->stats;
    st->refs_held = v->refs_held;
    spin_unlock(&v->lock);
}

unsigned long gtt_vgpu_scratch_mfn(const struct gtt_vgpu *v)
{
    return v->ggtt.scratch_mfn;
}
