/* SPDX-License-Identifier: GPL-2.0-only */
/* A simulated host for the GTT engine's tests (fake-host.h). */
#include "fake-host.h"

/*
 * What the host being used holds, until fake_host_destroy() (the host
 * itself may have been on the stack of a test that longjmp'd away).
 */
static struct {
    struct fake_gpu *gpu;
    struct domain *d1, *d2;
} live;

static void release(struct fake_gpu *gpu, struct domain *d1,
                    struct domain *d2)
{
    if ( gpu )
        fake_gpu_destroy(gpu);
    fake_domain_destroy(d1);
    fake_domain_destroy(d2);
    memset(&live, 0, sizeof(live));
}

/* count frames never named before, the first aligned to align. */
static unsigned long fresh_mfns(unsigned long count, unsigned long align)
{
    unsigned long m = fake_guest_mfns(1);
    unsigned long skip;

    if ( !align )
        align = 1;
    skip = (align - ((m + 1) & (align - 1))) & (align - 1);
    if ( skip )
        fake_guest_mfns(skip);
    m = fake_guest_mfns(count);

    return m & (align - 1) ? 0 : m;
}

static int map_ram(struct domain *d, unsigned long nr, unsigned long mfn)
{
    unsigned long g;

    for ( g = 0; g < nr; g++ )
        if ( fake_p2m_set(d, g, mfn + g, p2m_ram_rw, NULL) )
            return -EINVAL;

    return 0;
}

int fake_host_frames(struct fake_host *h, const struct fake_frame *f,
                     unsigned int nr)
{
    static const p2m_type_t type[] = {
        [FAKE_FRAME_RAM]         = p2m_ram_rw,
        [FAKE_FRAME_MMIO]        = p2m_mmio_direct,
        [FAKE_FRAME_GRANT]       = p2m_grant_map_rw,
        [FAKE_FRAME_FOREIGN]     = p2m_map_foreign,
        [FAKE_FRAME_OTHER_OWNER] = p2m_ram_rw,
        [FAKE_FRAME_PAGED]       = p2m_ram_paged,
        [FAKE_FRAME_SHARED]      = p2m_ram_shared,
        [FAKE_FRAME_XEN]         = p2m_ram_rw,
        [FAKE_FRAME_RO]          = p2m_ram_ro,
        [FAKE_FRAME_LOGDIRTY]    = p2m_ram_logdirty,
        [FAKE_FRAME_HOLE]        = p2m_invalid,
    };
    unsigned int i;

    for ( i = 0; i < nr; i++ )
    {
        unsigned long mfn = f[i].frame;
        struct domain *owner = NULL;

        switch ( f[i].kind )
        {
        case FAKE_FRAME_GRANT:
        case FAKE_FRAME_FOREIGN:
        case FAKE_FRAME_OTHER_OWNER:
            if ( !h->d2 || mfn >= h->d2->max_gfn )
                return -EINVAL;
            mfn += h->d2_ram_mfn;
            owner = h->d2;
            break;
        case FAKE_FRAME_PAGED:
        case FAKE_FRAME_HOLE:
            mfn = 0;
            break;
        case FAKE_FRAME_SHARED:
            owner = dom_cow;
            break;
        case FAKE_FRAME_XEN:
            owner = dom_xen;
            break;
        default:
            break;
        }
        if ( (unsigned int)f[i].kind >= ARRAY_SIZE(type) ||
             fake_p2m_set(h->d1, f[i].gfn, mfn, type[f[i].kind], owner) )
            return -EINVAL;
    }

    return 0;
}

static int build(struct fake_host *h, const struct fake_host_layout *l)
{
    h->d1 = fake_domain_create(1, l->max_gfn);
    if ( !h->d1 )
        return -ENOMEM;
    if ( l->d2_max_gfn )
    {
        h->d2 = fake_domain_create(2, l->d2_max_gfn);
        if ( !h->d2 )
            return -ENOMEM;
    }
    h->ram_mfn = l->ram_mfn ? l->ram_mfn : fresh_mfns(l->ram, l->ram_align);
    if ( !h->ram_mfn || map_ram(h->d1, l->ram, h->ram_mfn) )
        return -EINVAL;
    if ( h->d2 )
    {
        h->d2_ram_mfn = l->d2_ram_mfn ? l->d2_ram_mfn
                                      : fresh_mfns(l->d2_ram, 1);
        if ( !h->d2_ram_mfn || map_ram(h->d2, l->d2_ram, h->d2_ram_mfn) )
            return -EINVAL;
    }
    if ( fake_host_frames(h, l->frames, l->nr_frames) )
        return -EINVAL;

    h->gpu = fake_gpu_create(l->ggtt_entries);
    h->hw.gsm = h->gpu->gsm;
    h->hw.mmio = h->gpu->mmio;

    return gtt_device_init(&h->dev, l->ggtt_entries, &h->hw);
}

int fake_host_create(struct fake_host *h, const struct fake_host_layout *l)
{
    int rc;

    release(live.gpu, live.d1, live.d2);
    memset(h, 0, sizeof(*h));
    host_alloc_stats.fail_after = -1;
    fake_p2m_reset();
    h->xmalloc0 = host_alloc_stats.xmalloc_live;
    h->pages0 = host_alloc_stats.pages_live;
    rc = build(h, l);
    if ( rc )
    {
        release(h->gpu, h->d1, h->d2);
        fake_p2m_reset();
        memset(h, 0, sizeof(*h));
        return rc;
    }
    live.gpu = h->gpu;
    live.d1 = h->d1;
    live.d2 = h->d2;

    return 0;
}

struct gtt_vgpu *fake_host_vgpu(struct fake_host *h, struct domain *d,
                                unsigned int gen, uint64_t ap_base,
                                uint64_t ap_size, uint64_t hid_base,
                                uint64_t hid_size)
{
    struct gtt_vgpu_config c = {
        .d = d, .id = d->domain_id, .gen = gen,
        .aperture_base = ap_base, .aperture_size = ap_size,
        .hidden_base = hid_base, .hidden_size = hid_size,
    };
    struct gtt_vgpu *v;

    return gtt_vgpu_create(&h->dev, &c, &v) ? NULL : v;
}

void fake_host_destroy(struct fake_host *h)
{
    gtt_device_destroy(&h->dev);
    release(h->gpu, h->d1, h->d2);
    h->gpu = NULL;
    h->d1 = h->d2 = NULL;
}
