/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Context images: the ring-context header sanitised into a shadow (Xen's
 * ring, Xen's roots, the guest's head/tail/control only where safe), the
 * register state held to the context whitelist, the indirect context and
 * the per-context batch audited as privileged buffers, and the cache.
 *
 * The images are built here the way i915 lays them out, from a second,
 * separately typed copy of i915's register-offset tables (not from the
 * spec the auditor reads), so a layout error on either side shows.
 */
#include "harness.h"
#include "ctx_image.h"

#define LRCA       0x200000ull
#define LRCA2      0x280000ull
#define LRCA3      0x2c0000ull
#define INDCTX     0x300000ull
#define PERCTX     0x302000ull
#define SLICE      0x1000000ull
#define PAGE       4096u
#define RING_DW    (PAGE / 4)       /* the ring context: page 1 */

#define XEN_START  0x00abc000u
#define XEN_CTL    ((1u << 12) | 1) /* two pages, valid */
#define ROOT(n)    (0x0000000712340000ull + ((uint64_t)(n) << 12))
#define GUEST_PDP  0x41414141u      /* never in a shadow */

#define MI_LRI(n)  (MI_LOAD_REGISTER_IMM | (2 * (n) - 1))
#define POSTED     (1u << 12)

/* i915's tables, typed again: N() padding, L() an LRI, then registers. */
#define N(x)       (0x80000000u | (x))
#define L(n, f)    (0x40000000u | (f) | (n))
#define T_END      0u

/* The vGPU of these tests: one 16 MiB slice from 0. */
static const struct audit_opts ctx_slice = {
    .nr_slices = 1,
    .slices = { { .base = 0, .size = SLICE } },
};

static const uint32_t t_gen8_rcs[] = {
    N(1), L(14, POSTED), 0x244, 0x034, 0x030, 0x038, 0x03c, 0x168, 0x140,
    0x110, 0x11c, 0x114, 0x118, 0x1c0, 0x1c4, 0x1c8,
    N(3), L(9, POSTED), 0x3a8, 0x28c, 0x288, 0x284, 0x280, 0x27c, 0x278,
    0x274, 0x270,
    N(13), L(1, 0), 0x0c8, T_END
};

static const uint32_t t_gen8_xcs[] = {
    N(1), L(11, 0), 0x244, 0x034, 0x030, 0x038, 0x03c, 0x168, 0x140, 0x110,
    0x11c, 0x114, 0x118,
    N(9), L(9, 0), 0x3a8, 0x28c, 0x288, 0x284, 0x280, 0x27c, 0x278, 0x274,
    0x270,
    N(13), L(2, 0), 0x200, 0x028, T_END
};

#define GEN9_CS_BLOCK                                                        \
    N(13), L(44, POSTED), 0x028, 0x09c, 0x0c0, 0x178, 0x17c, 0x358, 0x170,   \
    0x150, 0x154, 0x158, 0x41c,                                              \
    0x600, 0x604, 0x608, 0x60c, 0x610, 0x614, 0x618, 0x61c, 0x620, 0x624,    \
    0x628, 0x62c, 0x630, 0x634, 0x638, 0x63c, 0x640, 0x644, 0x648, 0x64c,    \
    0x650, 0x654, 0x658, 0x65c, 0x660, 0x664, 0x668, 0x66c, 0x670, 0x674,    \
    0x678, 0x67c, 0x068

static const uint32_t t_gen9_rcs[] = {
    N(1), L(14, POSTED), 0x244, 0x034, 0x030, 0x038, 0x03c, 0x168, 0x140,
    0x110, 0x11c, 0x114, 0x118, 0x1c0, 0x1c4, 0x1c8,
    N(3), L(9, POSTED), 0x3a8, 0x28c, 0x288, 0x284, 0x280, 0x27c, 0x278,
    0x274, 0x270,
    N(13), L(1, 0), 0x0c8,
    GEN9_CS_BLOCK, T_END
};

static const uint32_t t_gen9_xcs[] = {
    N(1), L(14, POSTED), 0x244, 0x034, 0x030, 0x038, 0x03c, 0x168, 0x140,
    0x110, 0x11c, 0x114, 0x118, 0x1c0, 0x1c4, 0x1c8,
    N(3), L(9, POSTED), 0x3a8, 0x28c, 0x288, 0x284, 0x280, 0x27c, 0x278,
    0x274, 0x270,
    N(13), L(1, POSTED), 0x200,
    GEN9_CS_BLOCK, T_END
};

/* Image sizes in pages (i915: GEN8/GEN9 render, other engines). */
static unsigned int image_pages(unsigned int gen, unsigned int engine)
{
    return engine != XEN_GPU_ENGINE_RCS ? 2 : gen == 8 ? 20 : 22;
}

static const uint32_t *table(unsigned int gen, unsigned int engine)
{
    if ( engine == XEN_GPU_ENGINE_RCS )
        return gen == 8 ? t_gen8_rcs : t_gen9_rcs;
    return gen == 8 ? t_gen8_xcs : t_gen9_xcs;
}

static uint32_t mmio_base(unsigned int engine)
{
    static const uint32_t base[XEN_GPU_ENGINE_NR] = {
        0x2000, 0x22000, 0x12000, 0x1c000, 0x1a000,
    };

    return base[engine];
}

/* The guest's values, as i915 writes them (and a few hostile ones). */
#define G_CTL      0x000f0008u      /* enable syn-switch inhibit; others off */
#define G_HEAD     0x00603248u      /* wrap count + offset past Xen's ring */
#define G_TAIL     0x000053c8u
#define G_INDCTX   ((uint32_t)INDCTX | 2)   /* two cachelines */
#define G_INDOFF   (0x26u << 6)
#define G_PERCTX   ((uint32_t)PERCTX | 1)
#define G_MI_MODE  0x01000100u      /* STOP_RING set */

static uint32_t guest_value(uint32_t rel)
{
    switch ( rel )
    {
    case 0x244: return G_CTL;
    case 0x034: return G_HEAD;
    case 0x030: return G_TAIL;
    case 0x1c0: return G_PERCTX;
    case 0x1c4: return G_INDCTX;
    case 0x1c8: return G_INDOFF;
    case 0x09c: return G_MI_MODE;
    case 0x0c0: return 0x00400040u;
    case 0x200: return 0x00030001u;
    }
    if ( rel >= 0x270 && rel <= 0x28c )
        return GUEST_PDP;
    return 0x5a000000u | rel;       /* recognisable junk */
}

struct image {
    struct mem_region *r;
    uint64_t lrca;
    unsigned int gen, engine;
    uint32_t state;                 /* first dword after the header */
    uint32_t dw;                    /* register-state write position */
};

/* Lay out the ring context as i915 does; returns the header's end. */
static uint32_t lay_header(struct image *im)
{
    const uint32_t *t = table(im->gen, im->engine);
    uint32_t dw = RING_DW, base = mmio_base(im->engine);

    while ( *t != T_END )
    {
        uint32_t op = *t++;

        if ( op & 0x80000000u )
            dw += op & 0xffff;
        else
        {
            unsigned int n = op & 0x3f, i;

            im->r->dw[dw++] = MI_LRI(n) | (op & POSTED);
            for ( i = 0; i < n; i++ )
            {
                im->r->dw[dw++] = base + *t;
                im->r->dw[dw++] = guest_value(*t);
                t++;
            }
        }
    }

    return dw;
}

static void image_build(struct image *im, struct mem *m, unsigned int gen,
                        unsigned int engine, uint64_t lrca)
{
    im->gen = gen;
    im->engine = engine;
    im->lrca = lrca;
    im->r = mem_add(m, GPU_SPACE_GGTT, lrca, image_pages(gen, engine) * PAGE);
    im->state = im->dw = lay_header(im);
}

/* Register state: one LRI of n pairs at the write position. */
static uint32_t state_lri(struct image *im, const uint32_t *pairs,
                          unsigned int n)
{
    uint32_t at = im->dw;
    unsigned int i;

    im->r->dw[im->dw++] = MI_LRI(n);
    for ( i = 0; i < 2 * n; i++ )
        im->r->dw[im->dw++] = pairs[i];

    return at;
}

static uint32_t state_cmd(struct image *im, uint32_t hdr, unsigned int len)
{
    uint32_t at = im->dw;

    im->r->dw[im->dw] = hdr;
    im->dw += len;
    return at;
}

/* An indirect context (n cachelines) and a per-context batch. */
static void parts_build(struct mem *m, unsigned int engine, bool bad_indirect,
                        bool bad_per_ctx)
{
    uint32_t gpr = mmio_base(engine) + 0x600;
    struct bb ind, per;

    bb_add(&ind, m, GPU_SPACE_GGTT, INDCTX, PAGE);
    emit_lri(&ind, gpr, 1);                          /* GPR0 */
    if ( bad_indirect )
        emit_lri(&ind, 0x2020, 0);                   /* not whitelisted */
    bb_add(&per, m, GPU_SPACE_GGTT, PERCTX, PAGE);
    emit_lri(&per, gpr + 8, 2);
    if ( bad_per_ctx )
        emit_cmd(&per, MI_UPDATE_GTT | 1, 3);
    emit_bbe(&per);
}

/* ------------------------------------------------------------------------ */

static struct gpu_audit_vgpu vgpu;
static struct gpu_audit_ctx_cache *cache;

/* Contexts a test holds: a failed assertion leaves them to teardown. */
static struct gpu_audit_ctx *held[8];

static struct gpu_audit_ctx *hold(struct gpu_audit_ctx *x)
{
    unsigned int i;

    for ( i = 0; i < ARRAY_SIZE(held) && held[i]; i++ )
        continue;
    assert_true(i < ARRAY_SIZE(held));
    held[i] = x;
    return x;
}

static void put(struct gpu_audit_ctx *x)
{
    unsigned int i;

    for ( i = 0; i < ARRAY_SIZE(held); i++ )
        if ( held[i] == x )
            held[i] = NULL;
    gpu_audit_ctx_put(x);
}

static void vgpu_for(unsigned int gen)
{
    vgpu_setup(&vgpu, gen, &ctx_slice);
    cache = gpu_audit_ctx_cache_create(&vgpu, 4);
    assert_non_null(cache);
}

static int setup(void **state)
{
    fixture_setup(state);
    cache = NULL;
    return 0;
}

static int teardown(void **state)
{
    unsigned int i;

    host_alloc_stats.fail_after = -1;
    for ( i = 0; i < ARRAY_SIZE(held); i++ )
        if ( held[i] )
            put(held[i]);
    gpu_audit_ctx_cache_destroy(cache);
    cache = NULL;
    gpu_audit_vgpu_destroy(&vgpu);
    return fixture_teardown(state);
}

static struct gpu_audit_ctx_xen xen3 = {
    .ring_start = XEN_START, .ring_ctl = XEN_CTL,
    .bb_addr = 0, .bb_state = 0, .sbb_addr = 0, .sbb_state = 0,
    .roots = { ROOT(0), ROOT(1), ROOT(2), ROOT(3) }, .levels = 3,
};

static struct gpu_audit_ctx *scan_on(unsigned int engine, uint64_t lrca,
                                     const struct gpu_audit_ctx_xen *xen)
{
    struct gpu_audit_ctx *x = gpu_audit_ctx_scan(cache, engine, lrca,
                                                 &mem_ops, &fx_mem, xen);
    int rc;

    assert_non_null(x);
    hold(x);
    while ( (rc = gpu_audit_ctx_run(x)) == -ERESTART )
        continue;
    assert_int_equal(rc, 0);
    assert_non_null(gpu_audit_ctx_get_verdict(x));
    return x;
}

static const struct gpu_audit_ctx_verdict *verdict(struct gpu_audit_ctx *x)
{
    return gpu_audit_ctx_get_verdict(x);
}

#define assert_ctx_verdict(x, r, p, o, rg) do {                             \
        const struct gpu_audit_ctx_verdict *v_ = verdict(x);                \
        assert_int_equal(v_->reason, (r));                                  \
        assert_int_equal(v_->part, (p));                                    \
        assert_int_equal(v_->offset, (o));                                  \
        assert_int_equal(v_->reg, (rg));                                    \
    } while ( 0 )

static uint32_t shadow(const struct gpu_audit_ctx *x, uint32_t dw)
{
    const uint32_t *pg = gpu_audit_ctx_page(x, dw / RING_DW);

    assert_non_null(pg);
    return pg[dw % RING_DW];
}

/* The shadow's value of a header register (engine-relative offset). */
static uint32_t shadow_reg(const struct gpu_audit_ctx *x, unsigned int engine,
                           uint32_t rel, uint32_t end)
{
    uint32_t dw;

    for ( dw = RING_DW; dw + 1 < end; dw++ )
        if ( shadow(x, dw) == mmio_base(engine) + rel )
            return shadow(x, dw + 1);
    fail_msg("register 0x%x not in the shadow header", rel);
    return 0;
}

static void stats(struct gpu_audit_ctx_stats *s)
{
    gpu_audit_ctx_cache_stats(cache, s);
}

/* Accepted images ---------------------------------------------------------- */

static void check_accepted(unsigned int gen, unsigned int engine)
{
    struct image im;
    struct gpu_audit_ctx *x;
    uint32_t gpr[4] = { 0x2600 + mmio_base(engine) - 0x2000, 7,
                        0x2604 + mmio_base(engine) - 0x2000, 8 };
    uint32_t junk, dw, end, i;
    bool rcs = engine == XEN_GPU_ENGINE_RCS;
    bool ptrs = rcs || gen == 9;

    vgpu_for(gen);
    image_build(&im, &fx_mem, gen, engine, LRCA);
    parts_build(&fx_mem, engine, false, false);
    if ( !ptrs )
        assert_int_equal(im.state, RING_DW + 70);
    /* Register state: GPRs (whitelisted for context images), then the
     * end; a privileged command after the end is never restored. */
    state_lri(&im, gpr, 2);
    state_cmd(&im, MI_BATCH_BUFFER_END, 1);
    junk = state_cmd(&im, MI_SET_CONTEXT | 0, 2);

    x = scan_on(engine, LRCA, &xen3);
    assert_ctx_verdict(x, XEN_GPU_AUDIT_OK, GPU_CTX_PART_IMAGE, 0, 0);
    assert_int_equal(gpu_audit_ctx_nr_pages(x), image_pages(gen, engine));

    end = im.state;
    /* The layout, with the spec's own LRI headers. */
    for ( dw = RING_DW; dw < end; dw++ )
        if ( (im.r->dw[dw] >> 23) == 0x22 )
            assert_int_equal(shadow(x, dw) & ~POSTED, im.r->dw[dw] & ~POSTED);
    /* The guest's where safe. */
    assert_int_equal(shadow_reg(x, engine, 0x244, end), G_CTL);
    assert_int_equal(shadow_reg(x, engine, 0x034, end), G_HEAD & 0x1ffc);
    assert_int_equal(shadow_reg(x, engine, 0x030, end), G_TAIL & 0x1ff8);
    assert_int_equal(shadow_reg(x, engine, 0x3a8, end), guest_value(0x3a8));
    /* Xen's ring and batch state. */
    assert_int_equal(shadow_reg(x, engine, 0x038, end), XEN_START);
    assert_int_equal(shadow_reg(x, engine, 0x03c, end), XEN_CTL);
    assert_int_equal(shadow_reg(x, engine, 0x140, end), 0);
    assert_int_equal(shadow_reg(x, engine, 0x168, end), 0);
    assert_int_equal(shadow_reg(x, engine, 0x114, end), 0);
    /* Xen's roots: PDPn low/high. */
    for ( i = 0; i < 4; i++ )
    {
        assert_int_equal(shadow_reg(x, engine, 0x270 + 8 * i, end),
                         (uint32_t)ROOT(i));
        assert_int_equal(shadow_reg(x, engine, 0x274 + 8 * i, end),
                         (uint32_t)(ROOT(i) >> 32));
    }
    if ( gen == 9 )
    {
        assert_int_equal(shadow_reg(x, engine, 0x09c, end), 0x01000000u);
        assert_int_equal(shadow_reg(x, engine, 0x600, end), guest_value(0x600));
        assert_int_equal(shadow_reg(x, engine, 0x150, end), 0);
    }
    /* No guest root value anywhere in the shadow. */
    for ( dw = 0; dw < image_pages(gen, engine) * RING_DW; dw++ )
        if ( shadow(x, dw) == GUEST_PDP )
            fail_msg("guest PDP value in the shadow at dword %u", dw);
    /* The register state as audited; nothing after its end. */
    assert_int_equal(shadow(x, im.state), MI_LRI(2));
    assert_int_equal(shadow(x, im.state + 1), gpr[0]);
    assert_int_equal(shadow(x, junk), 0);

    if ( ptrs )
    {
        struct gpu_audit_sub *ind = gpu_audit_ctx_part(x, GPU_CTX_PART_INDIRECT);
        struct gpu_audit_sub *per = gpu_audit_ctx_part(x, GPU_CTX_PART_PER_CTX);
        const struct gpu_audit_buf *b;

        assert_non_null(ind);
        assert_non_null(per);
        b = gpu_audit_get_buf(ind, 0);
        assert_int_equal(b->gaddr, INDCTX);
        assert_int_equal(b->len, 2 * 64);
        assert_int_equal(gpu_audit_get_buf(per, 0)->gaddr, PERCTX);
        /* No pointer until the copies are placed; then the copies'. */
        assert_int_equal(shadow_reg(x, engine, 0x1c4, end), 0);
        assert_int_equal(shadow_reg(x, engine, 0x1c0, end), 0);
        assert_int_equal(shadow_reg(x, engine, 0x1c8, end), G_INDOFF);
        assert_int_equal(gpu_audit_ctx_place(x, GPU_CTX_PART_INDIRECT,
                                             0xfee000), 0);
        assert_int_equal(gpu_audit_ctx_place(x, GPU_CTX_PART_PER_CTX,
                                             0xfef000), 0);
        assert_int_equal(gpu_audit_ctx_place(x, GPU_CTX_PART_PER_CTX,
                                             0xfef040), -EINVAL);
        assert_int_equal(shadow_reg(x, engine, 0x1c4, end), 0xfee000 | 2);
        assert_int_equal(shadow_reg(x, engine, 0x1c0, end), 0xfef000 | 1);
    }
    else
        assert_null(gpu_audit_ctx_part(x, GPU_CTX_PART_INDIRECT));
    put(x);
}

static void test_gen8_rcs(void **state) { (void)state; check_accepted(8, XEN_GPU_ENGINE_RCS); }
static void test_gen9_rcs(void **state) { (void)state; check_accepted(9, XEN_GPU_ENGINE_RCS); }
static void test_gen8_bcs(void **state) { (void)state; check_accepted(8, XEN_GPU_ENGINE_BCS); }
static void test_gen8_vcs(void **state) { (void)state; check_accepted(8, XEN_GPU_ENGINE_VCS); }
static void test_gen9_bcs(void **state) { (void)state; check_accepted(9, XEN_GPU_ENGINE_BCS); }
static void test_gen9_vecs(void **state) { (void)state; check_accepted(9, XEN_GPU_ENGINE_VECS); }

/* Four levels: PDP0 holds the PML4, the other PDPs nothing. */
static void test_pml4_root(void **state)
{
    struct gpu_audit_ctx_xen xen4 = xen3;
    struct image im;
    struct gpu_audit_ctx *x;

    (void)state;
    vgpu_for(9);
    image_build(&im, &fx_mem, 9, XEN_GPU_ENGINE_VCS, LRCA);
    parts_build(&fx_mem, XEN_GPU_ENGINE_VCS, false, false);
    xen4.levels = 4;
    x = scan_on(XEN_GPU_ENGINE_VCS, LRCA, &xen4);
    assert_int_equal(verdict(x)->reason, XEN_GPU_AUDIT_OK);
    assert_int_equal(shadow_reg(x, XEN_GPU_ENGINE_VCS, 0x270, im.state),
                     (uint32_t)ROOT(0));
    assert_int_equal(shadow_reg(x, XEN_GPU_ENGINE_VCS, 0x274, im.state),
                     (uint32_t)(ROOT(0) >> 32));
    assert_int_equal(shadow_reg(x, XEN_GPU_ENGINE_VCS, 0x278, im.state), 0);
    assert_int_equal(shadow_reg(x, XEN_GPU_ENGINE_VCS, 0x28c, im.state), 0);
    put(x);
}

/* A context whose restore is inhibited: the register state is not
 * restored, so not scanned, and the shadow carries none of it. */
static void test_restore_inhibit(void **state)
{
    struct image im;
    struct gpu_audit_ctx *x;
    uint32_t at;

    (void)state;
    vgpu_for(8);
    image_build(&im, &fx_mem, 8, XEN_GPU_ENGINE_RCS, LRCA);
    parts_build(&fx_mem, XEN_GPU_ENGINE_RCS, false, false);
    at = state_cmd(&im, MI_UPDATE_GTT | 1, 3);
    im.r->dw[RING_DW + 3] = G_CTL | 0x00010001u;
    x = scan_on(XEN_GPU_ENGINE_RCS, LRCA, &xen3);
    assert_int_equal(verdict(x)->reason, XEN_GPU_AUDIT_OK);
    assert_int_equal(shadow(x, at), 0);
    put(x);

    /* The same command without the inhibit: refused. */
    im.r->dw[RING_DW + 3] = G_CTL;
    gpu_audit_ctx_invalidate_all(cache);
    x = scan_on(XEN_GPU_ENGINE_RCS, LRCA, &xen3);
    assert_ctx_verdict(x, XEN_GPU_AUDIT_CTX_CMD, GPU_CTX_PART_IMAGE, DW(at), 0);
    put(x);
}

/* Refusals ----------------------------------------------------------------- */

static void refuse_setup(unsigned int gen, unsigned int engine,
                         struct image *im)
{
    vgpu_for(gen);
    image_build(im, &fx_mem, gen, engine, LRCA);
}
static void expect_refusal(unsigned int engine, unsigned int reason,
                           unsigned int part, uint32_t offset, uint32_t reg)
{
    struct gpu_audit_ctx *x = scan_on(engine, LRCA, &xen3);

    assert_ctx_verdict(x, reason, part, offset, reg);
    assert_null(gpu_audit_ctx_page(x, 1));
    put(x);
}

static void test_state_forbidden_registers(void **state)
{
    struct image im;
    /* Each alone after a harmless LRI: Xen's ring start, a guest PDP, a
     * register outside every whitelist, one not marked for contexts. */
    const uint32_t regs[] = { 0x2038, 0x2270, 0x2020, 0x2358 };
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(regs); i++ )
    {
        uint32_t ok[2] = { 0x2600, 1 }, bad[4] = { 0x2608, 1, regs[i], 0 };
        uint32_t at;

        refuse_setup(8, XEN_GPU_ENGINE_RCS, &im);
        state_lri(&im, ok, 1);
        at = state_lri(&im, bad, 2);
        expect_refusal(XEN_GPU_ENGINE_RCS,
                       XEN_GPU_AUDIT_REG_DENIED, GPU_CTX_PART_IMAGE, DW(at),
                       regs[i]);
        teardown(NULL);
        setup(NULL);
    }
}

static void test_state_other_command(void **state)
{
    struct image im;
    uint32_t at;

    (void)state;
    refuse_setup(9, XEN_GPU_ENGINE_RCS, &im);
    /* Deep in the image, past a page of padding. */
    im.dw = 5 * RING_DW + 16;
    at = state_cmd(&im, MI_STORE_DATA_IMM | 2, 4);
    expect_refusal(XEN_GPU_ENGINE_RCS, XEN_GPU_AUDIT_CTX_CMD,
                   GPU_CTX_PART_IMAGE, DW(at), 0);
}

static void test_state_lri_overrun(void **state)
{
    struct image im;

    (void)state;
    refuse_setup(9, XEN_GPU_ENGINE_VCS, &im);
    im.dw = 2 * RING_DW - 3;
    state_cmd(&im, MI_LRI(2), 1);
    expect_refusal(XEN_GPU_ENGINE_VCS, XEN_GPU_AUDIT_CMD_OVERRUN,
                   GPU_CTX_PART_IMAGE, DW(2 * RING_DW - 3), 0);
}

/*
 * Damage to page 1 (up to two dwords) or to the indirect context or the
 * per-context batch, and the refusal expected (the offset is bytes from
 * the LRCA, or into the part's buffer 0).
 */
struct damage_case {
    const char *what;
    unsigned int gen, engine;
    bool bad_indirect, bad_per_ctx;
    uint32_t dw[2], val[2];
    uint32_t reason, part, offset, reg;
};

#define IMG GPU_CTX_PART_IMAGE
static const struct damage_case damage_cases[] = {
    { "LRI register count", 8, XEN_GPU_ENGINE_RCS, false, false,
      { RING_DW + 1 }, { MI_LRI(13) | POSTED },
      XEN_GPU_AUDIT_CTX_LAYOUT, IMG, DW(RING_DW + 1), 0 },
    { "RING_HEAD and RING_TAIL exchanged", 9, XEN_GPU_ENGINE_BCS, false, false,
      { RING_DW + 4, RING_DW + 6 }, { 0x22030, 0x22034 },
      XEN_GPU_AUDIT_CTX_LAYOUT, IMG, DW(RING_DW + 4), 0x22034 },
    { "Gen9 command-streamer LRI missing", 9, XEN_GPU_ENGINE_RCS, false, false,
      { RING_DW + 0x51 }, { 0 },
      XEN_GPU_AUDIT_CTX_LAYOUT, IMG, DW(RING_DW + 0x51), 0 },
    { "CTX_CONTROL sets resource-streamer enable", 8, XEN_GPU_ENGINE_RCS,
      false, false, { RING_DW + 3 }, { G_CTL | 0x00020002u },
      XEN_GPU_AUDIT_REG_MASK, IMG, DW(RING_DW + 2), 0x2244 },
    { "INSTPM (Gen9 block, pair 3) sets bit 1", 9, XEN_GPU_ENGINE_RCS,
      false, false, { RING_DW + 0x57 }, { 0x00020002u },
      XEN_GPU_AUDIT_REG_MASK, IMG, DW(RING_DW + 0x56), 0x20c0 },
    { "SWCTRL sets bit 2", 8, XEN_GPU_ENGINE_BCS, false, false,
      { RING_DW + 67 }, { 0x00040004u },
      XEN_GPU_AUDIT_REG_MASK, IMG, DW(RING_DW + 66), 0x22200 },
    /* The indirect context is four cachelines here. */
    { "indirect context: register outside the whitelist", 9,
      XEN_GPU_ENGINE_RCS, true, false,
      { RING_DW + 2 + 2 * 12 + 1 }, { (uint32_t)INDCTX | 4 },
      XEN_GPU_AUDIT_REG_DENIED, GPU_CTX_PART_INDIRECT, DW(3), 0 },
    { "per-context batch: MI_UPDATE_GTT", 8, XEN_GPU_ENGINE_RCS, false, true,
      { 0 }, { 0 },
      XEN_GPU_AUDIT_PRIVILEGED_CMD, GPU_CTX_PART_PER_CTX, DW(3), 0 },
    { "per-context batch outside the slice", 9, XEN_GPU_ENGINE_VCS,
      false, false, { RING_DW + 2 + 2 * 11 + 1 }, { (uint32_t)SLICE | 1 },
      XEN_GPU_AUDIT_GGTT_RANGE, GPU_CTX_PART_PER_CTX, 0, 0 },
};
#undef IMG

static void test_damage(void **state)
{
    unsigned int i, j;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(damage_cases); i++ )
    {
        const struct damage_case *dc = &damage_cases[i];
        struct image im;

        print_message("damage: %s\n", dc->what);
        refuse_setup(dc->gen, dc->engine, &im);
        parts_build(&fx_mem, dc->engine, dc->bad_indirect, dc->bad_per_ctx);
        for ( j = 0; j < 2 && dc->dw[j]; j++ )
            im.r->dw[dc->dw[j]] = dc->val[j];
        expect_refusal(dc->engine, dc->reason, dc->part, dc->offset, dc->reg);
        teardown(NULL);
        setup(NULL);
    }
}

static void test_past_slice(void **state)
{
    struct image im;

    (void)state;
    vgpu_for(8);
    /* 20 pages from two pages below the end of the slice. */
    image_build(&im, &fx_mem, 8, XEN_GPU_ENGINE_RCS, SLICE - 2 * PAGE);
    {
        struct gpu_audit_ctx *x = scan_on(XEN_GPU_ENGINE_RCS, SLICE - 2 * PAGE,
                                          &xen3);

        assert_ctx_verdict(x, XEN_GPU_AUDIT_GGTT_RANGE, GPU_CTX_PART_IMAGE,
                           0, 0);
        put(x);
    }
}

static void test_image_unmapped(void **state)
{
    struct gpu_audit_ctx *x;
    struct image im;

    (void)state;
    vgpu_for(9);
    /* Only the first two pages of a render image are mapped. */
    im.gen = 9;
    im.engine = XEN_GPU_ENGINE_RCS;
    im.r = mem_add(&fx_mem, GPU_SPACE_GGTT, LRCA, 2 * PAGE);
    lay_header(&im);
    x = scan_on(XEN_GPU_ENGINE_RCS, LRCA, &xen3);
    assert_ctx_verdict(x, XEN_GPU_AUDIT_READ_FAULT, GPU_CTX_PART_IMAGE,
                       2 * PAGE, 0);
    put(x);
}

/*
 * The static list ('ctx' reg lines) in the register state, in the form a
 * saved image has it (every write-enable bit set): masked registers may set
 * their whitelisted bits, privileged ones included, and nothing else; the
 * MOCS tables are virtualised: the shadow carries the vGPU's value, and a
 * vGPU without one refuses the image.
 */
static void test_static_list(void **state)
{
    const struct {
        uint32_t reg, val, reason;
    } cases[] = {
        { 0xe184, 0xffff0022u, XEN_GPU_AUDIT_OK },        /* HSC3 */
        { 0xe184, 0xffff0023u, XEN_GPU_AUDIT_REG_MASK },
        { 0x2580, 0x00060006u, XEN_GPU_AUDIT_OK },        /* CS_CHICKEN1 */
        { 0x7034, 0x60000060u, XEN_GPU_AUDIT_REG_DENIED },/* not 'ctx' */
        { 0x22200, 0x00010001u, XEN_GPU_AUDIT_REG_DENIED },/* other engine */
        { 0xc800, 0x1234, XEN_GPU_AUDIT_REG_DENIED },     /* no vGPU MOCS */
    };
    struct gpu_audit_ctx *x;
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        struct image im;
        uint32_t pair[2] = { cases[i].reg, cases[i].val }, at;

        vgpu_for(9);
        image_build(&im, &fx_mem, 9, XEN_GPU_ENGINE_RCS, LRCA);
        parts_build(&fx_mem, XEN_GPU_ENGINE_RCS, false, false);
        at = state_lri(&im, pair, 1);
        x = scan_on(XEN_GPU_ENGINE_RCS, LRCA, &xen3);
        assert_ctx_verdict(x, cases[i].reason, GPU_CTX_PART_IMAGE,
                           cases[i].reason ? DW(at) : 0,
                           cases[i].reason ? cases[i].reg : 0);
        put(x);
        if ( cases[i].reg == 0xc800 )
        {
            /* With the vGPU's MOCS: its value, not the guest's. */
            assert_int_equal(gpu_audit_vgpu_set_vreg(&vgpu, 0xc800, 0x77), 0);
            x = scan_on(XEN_GPU_ENGINE_RCS, LRCA, &xen3);
            assert_int_equal(verdict(x)->reason, XEN_GPU_AUDIT_OK);
            assert_int_equal(shadow(x, at + 2), 0x77);
            put(x);
        }
        teardown(NULL);
        setup(NULL);
    }
}

/* The cache ---------------------------------------------------------------- */

static void build_cached(struct image *im, unsigned int gen)
{
    uint32_t gpr[2] = { 0x2610, 3 };

    vgpu_for(gen);
    image_build(im, &fx_mem, gen, XEN_GPU_ENGINE_RCS, LRCA);
    parts_build(&fx_mem, XEN_GPU_ENGINE_RCS, false, false);
    /* Register state in page 1 and further in page 3. */
    state_lri(im, gpr, 1);
    im->dw = 3 * RING_DW + 10;
    state_lri(im, gpr, 1);
    state_cmd(im, MI_BATCH_BUFFER_END, 1);
}

static void scan_expect(uint32_t reason, uint64_t scans, uint64_t hits)
{
    struct gpu_audit_ctx *x = scan_on(XEN_GPU_ENGINE_RCS, LRCA, &xen3);
    struct gpu_audit_ctx_stats st;

    assert_int_equal(verdict(x)->reason, reason);
    put(x);
    stats(&st);
    assert_int_equal(st.scans, scans);
    assert_int_equal(st.hits, hits);
}

static void test_cache_unchanged(void **state)
{
    struct image im;
    struct gpu_audit_ctx *x;

    (void)state;
    build_cached(&im, 9);
    scan_expect(XEN_GPU_AUDIT_OK, 1, 0);
    mem_reset_reads(&fx_mem);
    scan_expect(XEN_GPU_AUDIT_OK, 1, 1);
    /* The PPHWSP and ring context are read again, nothing else. */
    assert_int_equal(im.r->reads[PAGE + 8], 1);
    assert_int_equal(im.r->reads[3 * PAGE + 40], 0);
    assert_int_equal(mem_find(&fx_mem, GPU_SPACE_GGTT, INDCTX)->reads[0], 0);

    /* The guest's new tail (page 1) and Xen's new ring and roots are
     * taken without a rescan. */
    mem_poke(&fx_mem, GPU_SPACE_GGTT, LRCA + DW(RING_DW + 7), 0x40);
    {
        struct gpu_audit_ctx_xen xen = xen3;

        xen.ring_start = XEN_START + 0x10000;
        xen.roots[2] = ROOT(7);
        x = scan_on(XEN_GPU_ENGINE_RCS, LRCA, &xen);
    }
    assert_int_equal(shadow_reg(x, XEN_GPU_ENGINE_RCS, 0x030, im.state), 0x40);
    assert_int_equal(shadow_reg(x, XEN_GPU_ENGINE_RCS, 0x038, im.state),
                     XEN_START + 0x10000);
    assert_int_equal(shadow_reg(x, XEN_GPU_ENGINE_RCS, 0x280, im.state),
                     (uint32_t)ROOT(7));
    put(x);
    scan_expect(XEN_GPU_AUDIT_OK, 1, 3);

    /* Still the header checks on every hit. */
    mem_poke(&fx_mem, GPU_SPACE_GGTT, LRCA + DW(RING_DW + 1), MI_LRI(3));
    scan_expect(XEN_GPU_AUDIT_CTX_LAYOUT, 1, 3);
}

static void test_cache_invalidated_by_write(void **state)
{
    struct image im;
    uint32_t at = 3 * RING_DW + 10;

    (void)state;
    build_cached(&im, 9);
    scan_expect(XEN_GPU_AUDIT_OK, 1, 0);
    /* A forbidden register written into page 3 of the image. */
    mem_poke(&fx_mem, GPU_SPACE_GGTT, LRCA + DW(at + 1), 0x2038);
    /* Unrelated writes change nothing. */
    gpu_audit_ctx_invalidate(cache, LRCA + 22 * PAGE, PAGE);
    gpu_audit_ctx_invalidate(cache, LRCA - PAGE, PAGE);
    gpu_audit_ctx_invalidate(cache, LRCA + PAGE, PAGE);    /* re-read anyway */
    scan_expect(XEN_GPU_AUDIT_OK, 1, 1);
    gpu_audit_ctx_invalidate(cache, LRCA + DW(at + 1), 4);
    {
        struct gpu_audit_ctx *x = scan_on(XEN_GPU_ENGINE_RCS, LRCA, &xen3);

        assert_ctx_verdict(x, XEN_GPU_AUDIT_REG_DENIED, GPU_CTX_PART_IMAGE,
                           DW(at), 0x2038);
        put(x);
    }
}

/* Invalidations cover the GGTT only: a part that reached PPGTT memory
 * (a per-context batch chaining into a PPGTT batch) is never cached. */
static void test_cache_ppgtt_part(void **state)
{
    struct image im;
    struct bb per, pp;
    uint32_t gpr[2] = { 0x2610, 3 };

    (void)state;
    vgpu_for(9);
    image_build(&im, &fx_mem, 9, XEN_GPU_ENGINE_RCS, LRCA);
    state_lri(&im, gpr, 1);
    bb_add(&per, &fx_mem, GPU_SPACE_GGTT, PERCTX, PAGE);
    emit_lri(&per, 0x2608, 2);
    emit_bb_start(&per, 0x700000, true, false);
    bb_add(&pp, &fx_mem, GPU_SPACE_PPGTT, 0x700000, PAGE);
    emit_lri(&pp, 0x2608, 3);
    emit_bbe(&pp);
    mem_add(&fx_mem, GPU_SPACE_GGTT, INDCTX, PAGE);
    scan_expect(XEN_GPU_AUDIT_OK, 1, 0);
    scan_expect(XEN_GPU_AUDIT_OK, 2, 0);
}

/* An invalidation while an audit is under way: its result is not kept. */
static void test_cache_invalidated_during_audit(void **state)
{
    struct image im;
    struct gpu_audit_ctx *x;

    (void)state;
    build_cached(&im, 9);
    x = hold(gpu_audit_ctx_scan(cache, XEN_GPU_ENGINE_RCS, LRCA, &mem_ops, &fx_mem,
                                &xen3));
    assert_non_null(x);
    gpu_audit_ctx_invalidate(cache, LRCA + 5 * PAGE, 4);
    assert_int_equal(gpu_audit_ctx_run(x), 0);
    assert_int_equal(verdict(x)->reason, XEN_GPU_AUDIT_OK);
    put(x);
    scan_expect(XEN_GPU_AUDIT_OK, 2, 0);
    scan_expect(XEN_GPU_AUDIT_OK, 2, 1);
}

/* A GGTT change under the indirect context: audited again. */
static void test_cache_invalidated_by_ggtt(void **state)
{
    struct image im;

    (void)state;
    build_cached(&im, 8);
    scan_expect(XEN_GPU_AUDIT_OK, 1, 0);
    scan_expect(XEN_GPU_AUDIT_OK, 1, 1);
    mem_poke(&fx_mem, GPU_SPACE_GGTT, INDCTX + 4, 0x2020);
    gpu_audit_ctx_invalidate(cache, INDCTX, PAGE);
    {
        struct gpu_audit_ctx *x = scan_on(XEN_GPU_ENGINE_RCS, LRCA, &xen3);

        assert_ctx_verdict(x, XEN_GPU_AUDIT_REG_DENIED, GPU_CTX_PART_INDIRECT,
                           0, 0);
        put(x);
    }
    gpu_audit_ctx_invalidate_all(cache);
    mem_poke(&fx_mem, GPU_SPACE_GGTT, INDCTX + 4, 0x2600);
    scan_expect(XEN_GPU_AUDIT_OK, 3, 1);
}

/* The cache key holds the engine. */
static void test_cache_engine(void **state)
{
    struct image im;
    struct gpu_audit_ctx *x;
    struct gpu_audit_ctx_stats st;

    (void)state;
    vgpu_for(9);
    image_build(&im, &fx_mem, 9, XEN_GPU_ENGINE_VCS, LRCA);
    parts_build(&fx_mem, XEN_GPU_ENGINE_VCS, false, false);
    x = scan_on(XEN_GPU_ENGINE_VCS, LRCA, &xen3);
    assert_int_equal(verdict(x)->reason, XEN_GPU_AUDIT_OK);
    put(x);
    /* VCS2: another engine base; i915's image for VCS is not its layout. */
    x = scan_on(XEN_GPU_ENGINE_VCS2, LRCA, &xen3);
    assert_ctx_verdict(x, XEN_GPU_AUDIT_CTX_LAYOUT, GPU_CTX_PART_IMAGE,
                       DW(RING_DW + 2), 0x1c244);
    put(x);
    x = scan_on(XEN_GPU_ENGINE_VCS, LRCA, &xen3);
    assert_int_equal(verdict(x)->reason, XEN_GPU_AUDIT_OK);
    put(x);
    stats(&st);
    assert_int_equal(st.lookups, 3);
    assert_int_equal(st.hits, 1);
}

/* Changes in page 1 that the cached state does not fit: full rescan. */
static void test_cache_rescan_on_page1(void **state)
{
    struct image im;
    uint32_t pairs[2 * 30], i, at;

    (void)state;
    build_cached(&im, 9);
    /* An LRI of page 1 that runs 8 dwords into page 2. */
    for ( i = 0; i < 30; i++ )
    {
        pairs[2 * i] = 0x2600 + 4 * i;
        pairs[2 * i + 1] = i;
    }
    im.dw = 2 * RING_DW - 53;
    at = state_lri(&im, pairs, 30);
    scan_expect(XEN_GPU_AUDIT_OK, 1, 0);
    scan_expect(XEN_GPU_AUDIT_OK, 1, 1);
    /* A new indirect-context pointer. */
    mem_poke(&fx_mem, GPU_SPACE_GGTT, LRCA + DW(RING_DW + 2 + 2 * 12 + 1),
             (uint32_t)INDCTX | 1);
    scan_expect(XEN_GPU_AUDIT_OK, 2, 1);
    scan_expect(XEN_GPU_AUDIT_OK, 2, 2);
    /* Its header gone (page 1 only): what follows decodes as MI_NOOPs,
     * and the scan now enters page 2 at its first dword. */
    mem_poke(&fx_mem, GPU_SPACE_GGTT, LRCA + DW(at), 0);
    scan_expect(XEN_GPU_AUDIT_OK, 3, 2);
    scan_expect(XEN_GPU_AUDIT_OK, 3, 3);
}

/* Bounded; an image in use is not shared. */
static void test_cache_bounded(void **state)
{
    struct image a, b, c;
    struct gpu_audit_ctx *x, *y;
    struct gpu_audit_ctx_stats st;

    (void)state;
    vgpu_for(9);
    gpu_audit_ctx_cache_destroy(cache);
    cache = gpu_audit_ctx_cache_create(&vgpu, 2);
    assert_non_null(cache);
    image_build(&a, &fx_mem, 9, XEN_GPU_ENGINE_BCS, LRCA);
    image_build(&b, &fx_mem, 9, XEN_GPU_ENGINE_BCS, LRCA2);
    image_build(&c, &fx_mem, 9, XEN_GPU_ENGINE_BCS, LRCA3);
    parts_build(&fx_mem, XEN_GPU_ENGINE_BCS, false, false);

    put(scan_on(XEN_GPU_ENGINE_BCS, LRCA, &xen3));
    put(scan_on(XEN_GPU_ENGINE_BCS, LRCA2, &xen3));
    put(scan_on(XEN_GPU_ENGINE_BCS, LRCA3, &xen3));
    stats(&st);
    assert_int_equal(st.evictions, 1);
    put(scan_on(XEN_GPU_ENGINE_BCS, LRCA3, &xen3));
    put(scan_on(XEN_GPU_ENGINE_BCS, LRCA, &xen3));   /* evicted */
    stats(&st);
    assert_int_equal(st.scans, 4);
    assert_int_equal(st.hits, 1);

    x = scan_on(XEN_GPU_ENGINE_BCS, LRCA, &xen3);
    y = scan_on(XEN_GPU_ENGINE_BCS, LRCA, &xen3);
    assert_ptr_not_equal(x, y);
    assert_int_equal(verdict(y)->reason, XEN_GPU_AUDIT_OK);
    put(y);
    put(x);
    stats(&st);
    assert_int_equal(st.hits, 2);
    assert_int_equal(st.scans, 5);

    /* No cache at all works too. */
    gpu_audit_ctx_cache_destroy(cache);
    cache = gpu_audit_ctx_cache_create(&vgpu, 0);
    assert_non_null(cache);
    put(scan_on(XEN_GPU_ENGINE_BCS, LRCA, &xen3));
    put(scan_on(XEN_GPU_ENGINE_BCS, LRCA, &xen3));
    stats(&st);
    assert_int_equal(st.scans, 2);
}

/*
 * Random damage to a Gen9 render image: whatever the verdict, an accepted
 * shadow carries Xen's ring and roots, the layout's offsets, and no guest
 * root; nothing leaks (teardown).
 */
static void test_mutations(void **state)
{
    struct image im;
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    unsigned int i, n, accepted = 0, refused = 0;
    uint32_t gpr[2] = { 0x2600, 1 };

    (void)state;
    vgpu_for(9);
    image_build(&im, &fx_mem, 9, XEN_GPU_ENGINE_RCS, LRCA);
    parts_build(&fx_mem, XEN_GPU_ENGINE_RCS, false, false);
    state_lri(&im, gpr, 1);
    for ( i = 0; i < 400; i++ )
    {
        struct image copy = im;
        uint32_t saved[4], where[4];
        struct gpu_audit_ctx *x;

        /* Up to four dwords of the header or just after it. */
        for ( n = 0; n < 4; n++ )
        {
            uint64_t r = prng_next(&seed);
            uint32_t val = (uint32_t)(r >> 32);

            where[n] = RING_DW + (uint32_t)(r % (im.state - RING_DW + 16));
            saved[n] = copy.r->dw[where[n]];
            if ( (r >> 8) & 1 )
                val = saved[n] ^ (1u << ((r >> 16) % 32));
            if ( val == GUEST_PDP )
                val = 0;
            copy.r->dw[where[n]] = val;
        }
        gpu_audit_ctx_invalidate_all(cache);
        x = scan_on(XEN_GPU_ENGINE_RCS, LRCA, &xen3);
        if ( verdict(x)->reason == XEN_GPU_AUDIT_OK )
        {
            uint32_t dw;

            accepted++;
            assert_int_equal(shadow_reg(x, 0, 0x038, im.state), XEN_START);
            assert_int_equal(shadow_reg(x, 0, 0x03c, im.state), XEN_CTL);
            assert_int_equal(shadow_reg(x, 0, 0x270, im.state),
                             (uint32_t)ROOT(0));
            assert_int_equal(shadow_reg(x, 0, 0x28c, im.state),
                             (uint32_t)(ROOT(3) >> 32));
            assert_int_equal(shadow_reg(x, 0, 0x09c, im.state) & 0x01000100u,
                             0x01000000u);
            for ( dw = 0; dw < 22 * RING_DW; dw++ )
                assert_int_not_equal(shadow(x, dw), GUEST_PDP);
        }
        else
            refused++;
        put(x);
        for ( n = 4; n-- > 0; )
            copy.r->dw[where[n]] = saved[n];
    }
    print_message("ctx mutations: %u accepted, %u refused\n", accepted,
                  refused);
    assert_true(accepted > 0 && refused > 0);
}

/* Allocation failures ------------------------------------------------------ */

static void test_alloc_failures(void **state)
{
    struct image im;
    struct gpu_audit_ctx *base, *x;
    unsigned long allocs;
    long k;
    unsigned int nomem = 0, same = 0, p;

    (void)state;
    build_cached(&im, 9);
    host_alloc_stats.fail_after = 1L << 30;
    base = scan_on(XEN_GPU_ENGINE_RCS, LRCA, &xen3);
    allocs = (1L << 30) - host_alloc_stats.fail_after;
    host_alloc_stats.fail_after = -1;
    assert_int_equal(verdict(base)->reason, XEN_GPU_AUDIT_OK);
    assert_true(allocs > 22);

    for ( k = 0; k <= (long)allocs + 2; k++ )
    {
        struct gpu_audit_ctx_cache *c;
        struct gpu_audit_vgpu v;
        struct alloc_mark am;
        int rc;

        /* A vGPU of its own: no pooled copy pages spare an allocation. */
        alloc_mark_take(&am);
        vgpu_setup(&v, 9, &ctx_slice);
        host_alloc_stats.fail_after = k;
        c = gpu_audit_ctx_cache_create(&v, 2);
        x = c ? gpu_audit_ctx_scan(c, XEN_GPU_ENGINE_RCS, LRCA, &mem_ops, &fx_mem,
                                   &xen3) : NULL;
        if ( x )
        {
            while ( (rc = gpu_audit_ctx_run(x)) == -ERESTART )
                continue;
            assert_int_equal(rc, 0);
        }
        host_alloc_stats.fail_after = -1;
        if ( !x || verdict(x)->reason == XEN_GPU_AUDIT_NO_MEMORY )
            nomem++;
        else
        {
            assert_int_equal(verdict(x)->reason, XEN_GPU_AUDIT_OK);
            for ( p = 0; p < gpu_audit_ctx_nr_pages(x); p++ )
                assert_memory_equal(gpu_audit_ctx_page(x, p),
                                    gpu_audit_ctx_page(base, p), PAGE);
            same++;
        }
        gpu_audit_ctx_put(x);
        gpu_audit_ctx_cache_destroy(c);
        gpu_audit_vgpu_destroy(&v);
        assert_allocs_back(&am);
    }
    print_message("ctx alloc: %lu allocation points, %u no-memory, %u complete\n",
                  allocs, nomem, same);
    assert_true(nomem >= allocs);
    assert_true(same >= 1);
    put(base);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_gen8_rcs), T(test_gen9_rcs), T(test_gen8_bcs), T(test_gen8_vcs),
        T(test_gen9_bcs), T(test_gen9_vecs), T(test_pml4_root),
        T(test_restore_inhibit),
        T(test_state_forbidden_registers), T(test_state_other_command),
        T(test_state_lri_overrun),
        T(test_damage), T(test_past_slice), T(test_image_unmapped),
        T(test_static_list),
        T(test_cache_unchanged), T(test_cache_invalidated_by_write),
        T(test_cache_invalidated_by_ggtt),
        T(test_cache_invalidated_during_audit), T(test_cache_ppgtt_part),
        T(test_cache_engine),
        T(test_cache_rescan_on_page1), T(test_cache_bounded),
        T(test_mutations), T(test_alloc_failures),
    };
#undef T

    return cmocka_run_group_tests_name("ctx_image", tests, NULL, NULL);
}
