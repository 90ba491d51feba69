/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fixture of the shadow PPGTT tests: a simulated GPU and p2m, a guest (d1)
 * whose RAM is host-contiguous from a 1G-aligned frame, another domain
 * (d2), one vGPU, and the guest's view of its own memory: plain stores,
 * or trapped ones (gtt_wp_write()) when the p2m says the frame is
 * write-protected, as the CPU would do.
 */
#ifndef PPGTT_FIXTURE_H
#define PPGTT_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "ppgtt_private.h"

#define FX_GGTT_ENTRIES 4096        /* 16 MiB of GGTT */
#define FX_PTE(gfn)     (((uint64_t)(gfn) << GTT_PAGE_SHIFT) | \
                         PPGTT_PRESENT | PPGTT_RW)
#define FX_D2_GFNS      64

struct fx {
    struct fake_gpu *gpu;
    struct gtt_hw hw;
    struct gtt_device dev;
    struct domain *d1, *d2;
    struct gtt_vgpu *v;
    unsigned long base;             /* host frame of d1's gfn 0 */
    unsigned long d2_base;
    unsigned long gfns;
    long xm0, pages0;               /* before anything */
    long vxm, vpages;               /* with the vGPU created, no roots */
};

/* A test that failed half-way left its GPU behind (cmocka longjmps). */
static struct fake_gpu *fx_gpu_live;

/* count frames, first aligned to align (a power of two). */
static inline unsigned long fx_guest_mfns(unsigned long count,
                                          unsigned long align)
{
    unsigned long m = fake_guest_mfns(1);
    unsigned long skip = (align - ((m + 1) & (align - 1))) & (align - 1);

    if ( skip )
        fake_guest_mfns(skip);
    m = fake_guest_mfns(count);
    assert_int_equal(m & (align - 1), 0);

    return m;
}

static inline void fx_init_cfg(struct fx *f, unsigned long gfns,
                               unsigned int quota, bool oos)
{
    struct gtt_vgpu_config cfg;
    unsigned long g;

    memset(f, 0, sizeof(*f));
    if ( fx_gpu_live )
        fake_gpu_destroy(fx_gpu_live);
    fx_gpu_live = NULL;
    host_alloc_stats.fail_after = -1;
    fake_p2m_reset();
    f->xm0 = host_alloc_stats.xmalloc_live;
    f->pages0 = host_alloc_stats.pages_live;
    f->gfns = gfns;
    f->d1 = fake_domain_create(1, gfns);
    f->d2 = fake_domain_create(2, FX_D2_GFNS);
    assert_non_null(f->d1);
    assert_non_null(f->d2);
    f->base = fx_guest_mfns(gfns, gfns >= 0x40000 ? 0x40000 : 0x200);
    for ( g = 0; g < gfns; g++ )
        assert_int_equal(fake_p2m_set(f->d1, g, f->base + g, p2m_ram_rw,
                                      NULL), 0);
    f->d2_base = fx_guest_mfns(FX_D2_GFNS, 1);
    for ( g = 0; g < FX_D2_GFNS; g++ )
        assert_int_equal(fake_p2m_set(f->d2, g, f->d2_base + g, p2m_ram_rw,
                                      NULL), 0);

    f->gpu = fake_gpu_create(FX_GGTT_ENTRIES);
    assert_non_null(f->gpu);
    fx_gpu_live = f->gpu;
    f->hw.gsm = f->gpu->gsm;
    f->hw.mmio = f->gpu->mmio;
    assert_int_equal(gtt_device_init(&f->dev, FX_GGTT_ENTRIES, &f->hw), 0);

    memset(&cfg, 0, sizeof(cfg));
    cfg.d = f->d1;
    cfg.id = 1;
    cfg.aperture_base = 0;
    cfg.aperture_size = 4u << 20;
    cfg.hidden_base = 8u << 20;
    cfg.hidden_size = 4u << 20;
    cfg.shadow_quota = quota;
    cfg.oos = oos;
    cfg.oos_threshold = GTT_DEFAULT_OOS_THRESHOLD;
    assert_int_equal(gtt_vgpu_create(&f->dev, &cfg, &f->v), 0);
    f->vxm = host_alloc_stats.xmalloc_live;
    f->vpages = host_alloc_stats.pages_live;
}

static inline void fx_init(struct fx *f, unsigned long gfns)
{
    fx_init_cfg(f, gfns, 0, true);
}

static inline struct gtt_stats fx_stats(struct fx *f)
{
    struct gtt_stats st;

    gtt_vgpu_stats(f->v, &st);

    return st;
}

/* Everything the vGPU took since creation is back (after a flush). */
static inline void fx_assert_idle(struct fx *f)
{
    struct gtt_stats st;

    assert_int_equal(gtt_sync(f->v), GTT_OK);
    st = fx_stats(f);
    assert_int_equal(st.shadow_pages, 0);
    assert_int_equal(st.address_spaces, 0);
    assert_int_equal(st.refs_held, 0);
    assert_int_equal(fake_refs_total(), 0);
    assert_int_equal(host_alloc_stats.pages_live, f->vpages);
    assert_int_equal(host_alloc_stats.xmalloc_live, f->vxm);
}

static inline void fx_fini(struct fx *f)
{
    gtt_vgpu_destroy(f->v);
    assert_int_equal(fake_refs_total(), 0);
    assert_int_equal(fake_put_violations(), 0);
    gtt_device_destroy(&f->dev);
    fake_gpu_destroy(f->gpu);
    fx_gpu_live = NULL;
    assert_int_equal(fake_maps_live(), 0);
    fake_domain_destroy(f->d1);
    fake_domain_destroy(f->d2);
    fake_p2m_reset();
    assert_int_equal(host_alloc_stats.xmalloc_live, f->xm0);
    assert_int_equal(host_alloc_stats.pages_live, f->pages0);
}

/* The guest's memory, as the guest sees it (gfn of d1). */
static inline uint64_t fx_peek(struct fx *f, unsigned long gfn,
                               unsigned int i)
{
    const uint64_t *t = map_domain_page(_mfn(f->base + gfn));
    uint64_t val = t[i];

    unmap_domain_page(t);

    return val;
}

/* A store the engine does not see (untrapped, or GPU DMA). */
static inline void fx_poke(struct fx *f, unsigned long gfn, unsigned int i,
                           uint64_t val)
{
    uint64_t *t = map_domain_page(_mfn(f->base + gfn));

    t[i] = val;
    unmap_domain_page(t);
}

static inline bool fx_protected(struct fx *f, unsigned long gfn)
{
    return fake_p2m_type(f->d1, gfn) == p2m_ioreq_server;
}

/* A CPU store of the guest: trapped when the frame is protected. */
static inline int fx_store(struct fx *f, uint64_t gpa, unsigned int size,
                           uint64_t val)
{
    unsigned long gfn = gpa >> GTT_PAGE_SHIFT;
    uint8_t *t;

    if ( fx_protected(f, gfn) )
    {
        assert_true(gtt_wp_claims(f->v, gfn));
        return gtt_wp_write(f->v, gpa, size, val);
    }
    assert_false(gtt_wp_claims(f->v, gfn));
    t = map_domain_page(_mfn(f->base + gfn));
    memcpy(t + (gpa & (PAGE_SIZE - 1)), &val, size);
    unmap_domain_page(t);

    return GTT_OK;
}

static inline int fx_write(struct fx *f, unsigned long gfn, unsigned int i,
                           uint64_t val)
{
    return fx_store(f, ((uint64_t)gfn << GTT_PAGE_SHIFT) + i * 8, 8, val);
}

static inline struct gtt_xlate fx_xlate(struct fx *f, uint64_t root,
                                        uint64_t gaddr)
{
    struct gtt_xlate x;

    memset(&x, 0xa5, sizeof(x));
    assert_int_equal(gtt_translate_ppgtt(f->v, root, gaddr, &x), GTT_OK);

    return x;
}

/* gaddr reaches d1's gfn (at its host frame mfn, default base + gfn). */
static inline void fx_assert_maps_mfn(struct fx *f, uint64_t root,
                                      uint64_t gaddr, unsigned long gfn,
                                      unsigned long mfn)
{
    struct gtt_xlate x = fx_xlate(f, root, gaddr);

    assert_false(x.scratch);
    assert_int_equal(x.domain, 1);
    assert_int_equal(x.gfn, gfn);
    assert_int_equal(x.mfn, mfn);
}

static inline void fx_assert_maps(struct fx *f, uint64_t root, uint64_t gaddr,
                                  unsigned long gfn)
{
    fx_assert_maps_mfn(f, root, gaddr, gfn, f->base + gfn);
}

static inline void fx_assert_scratch(struct fx *f, uint64_t root,
                                     uint64_t gaddr)
{
    struct gtt_xlate x = fx_xlate(f, root, gaddr);

    assert_true(x.scratch);
}

#endif /* PPGTT_FIXTURE_H */
