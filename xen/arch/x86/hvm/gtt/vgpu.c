/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vGPU lifecycle in the GTT engine: the device (scratch page, the list of
 * vGPUs partitioning its GGTT), vGPU create/reset/destroy, statistics.
 * The references the tables hold on guest frames are refs.c's.
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
    gtt_refs_free(&v->refs);
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

    if ( gtt_refs_init(&v->refs, dev, v->d, &v->stats) || gtt_ggtt_init(v) )
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
    gtt_refs_flush(&v->refs);
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
    gtt_refs_mark_dirty(&v->refs);
    gtt_refs_flush(&v->refs);
    ASSERT(!v->refs.held);
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
    st->refs_held = v->refs.held;
    spin_unlock(&v->lock);
}

unsigned long gtt_vgpu_scratch_mfn(const struct gtt_vgpu *v)
{
    return v->ggtt.scratch_mfn;
}
