/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fixture of the shadow PPGTT tests: a simulated host (fake-host.h: GPU,
 * a guest d1 whose RAM is host-contiguous from an aligned frame, another
 * domain d2), one vGPU, and the guest's view of its own memory: plain stores,
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
#include "fake-host.h"

#define FX_GGTT_ENTRIES 4096        /* 16 MiB of GGTT */
#define FX_PTE(gfn)     (((uint64_t)(gfn) << GTT_PAGE_SHIFT) | \
                         PPGTT_PRESENT | PPGTT_RW)
#define FX_D2_GFNS      64

struct fx {
    struct fake_host h;             /* GPU, device, d1 (RAM host-contiguous
                                       from h.ram_mfn), d2 */
    struct gtt_vgpu *v;
    unsigned long gfns;
    long vxm, vpages;               /* with the vGPU created, no roots */
};

/*
 * d1's p2m has room for gfns frames; the first ram of them are its RAM
 * (the rest holes, that tests may fill to grow its memory).
 */
static inline void fx_init_ram(struct fx *f, unsigned long gfns,
                               unsigned long ram, unsigned int quota,
                               bool oos)
{
    const struct fake_host_layout layout = {
        .ggtt_entries = FX_GGTT_ENTRIES,
        .max_gfn = gfns, .ram = ram,
        .ram_align = ram >= 0x40000 ? 0x40000 : 0x200,
        .d2_max_gfn = FX_D2_GFNS, .d2_ram = FX_D2_GFNS,
    };
    struct gtt_vgpu_config cfg = {
        .id = 1,
        .aperture_base = 0, .aperture_size = 4u << 20,
        .hidden_base = 8u << 20, .hidden_size = 4u << 20,
        .shadow_quota = quota, .oos = oos,
        .oos_threshold = GTT_DEFAULT_OOS_THRESHOLD,
    };

    memset(f, 0, sizeof(*f));
    assert_int_equal(fake_host_create(&f->h, &layout), 0);
    f->gfns = gfns;
    cfg.d = f->h.d1;
    assert_int_equal(gtt_vgpu_create(&f->h.dev, &cfg, &f->v), 0);
    f->vxm = host_alloc_stats.xmalloc_live;
    f->vpages = host_alloc_stats.pages_live;
}

static inline void fx_init_cfg(struct fx *f, unsigned long gfns,
                               unsigned int quota, bool oos)
{
    fx_init_ram(f, gfns, gfns, quota, oos);
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
    fake_host_destroy(&f->h);
    assert_int_equal(fake_maps_live(), 0);
    assert_int_equal(host_alloc_stats.xmalloc_live, f->h.xmalloc0);
    assert_int_equal(host_alloc_stats.pages_live, f->h.pages0);
}

/* The guest's memory, as the guest sees it (gfn of d1). */
static inline uint64_t fx_peek(struct fx *f, unsigned long gfn,
                               unsigned int i)
{
    const uint64_t *t = map_domain_page(_mfn(f->h.ram_mfn + gfn));
    uint64_t val = t[i];

    unmap_domain_page(t);

    return val;
}

/* A store the engine does not see (untrapped, or GPU DMA). */
static inline void fx_poke(struct fx *f, unsigned long gfn, unsigned int i,
                           uint64_t val)
{
    uint64_t *t = map_domain_page(_mfn(f->h.ram_mfn + gfn));

    t[i] = val;
    unmap_domain_page(t);
}

static inline bool fx_protected(struct fx *f, unsigned long gfn)
{
    return fake_p2m_type(f->h.d1, gfn) == p2m_ioreq_server;
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
    t = map_domain_page(_mfn(f->h.ram_mfn + gfn));
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
    fx_assert_maps_mfn(f, root, gaddr, gfn, f->h.ram_mfn + gfn);
}

static inline void fx_assert_scratch(struct fx *f, uint64_t root,
                                     uint64_t gaddr)
{
    struct gtt_xlate x = fx_xlate(f, root, gaddr);

    assert_true(x.scratch);
}

#endif /* PPGTT_FIXTURE_H */
