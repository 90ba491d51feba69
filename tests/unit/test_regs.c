/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Register whitelists, per generation and engine, and the virtualised
 * registers whose values the vGPU's replace.
 *
 * The expected outcomes come from the lists in this file, written from the
 * sources each names (i915's workaround and MOCS code, i915's and GVT-g's
 * parsers, Mesa, the media driver), not from the spec: every register the
 * generated table whitelists must be in them, and every register in them
 * must behave as they say, in user (PPGTT) batches and in the ring.
 */
#include "harness.h"

#define RING     0x10000ull     /* GGTT */
#define GBATCH   0x20000ull     /* GGTT */
#define GSCRATCH 0x30000ull     /* GGTT */
#define BATCH    0x100000ull    /* PPGTT */
#define SCRATCH  0x800000ull    /* PPGTT */

#define RCS  XEN_GPU_ENGINE_RCS
#define BCS  XEN_GPU_ENGINE_BCS
#define VCS  XEN_GPU_ENGINE_VCS
#define VCS2 XEN_GPU_ENGINE_VCS2
#define VECS XEN_GPU_ENGINE_VECS

#define E_RCS  (1u << RCS)
#define E_BCS  (1u << BCS)
#define E_VCS  (1u << VCS)
#define E_VCS2 (1u << VCS2)
#define E_VECS (1u << VECS)
#define E_VID  (E_VCS | E_VCS2)
#define E_ALL  0x1fu

#define G8  1u
#define G9  2u
#define G89 3u

/* Engine MMIO bases (i915: RENDER_RING_BASE, BLT_RING_BASE,
 * GEN6_BSD_RING_BASE, GEN8_BSD2_RING_BASE, VEBOX_RING_BASE). */
static const uint32_t engine_base[XEN_GPU_ENGINE_NR] = {
    0x2000, 0x22000, 0x12000, 0x1c000, 0x1a000,
};

/* ------------------------------------------------------------------------
 * What a guest may do to each register.
 * ------------------------------------------------------------------------ */
enum who {
    USER,   /* any buffer */
    PRIV,   /* ring and GGTT batches only */
    VIRT,   /* ring and GGTT batches, value replaced by the vGPU's */
    ROOT,   /* ring and GGTT batches, LRI only: a page-table root */
};

#define R   1
#define W   2
#define RW  3

struct expect {
    uint32_t off;        /* absolute, or from the engine's base when rel */
    uint8_t rel;
    uint8_t count;       /* consecutive dwords */
    uint8_t engines;
    uint8_t gens;
    uint8_t acc;
    uint8_t who;
    uint16_t bits;       /* masked: bits any buffer may change */
    uint16_t pbits;      /* masked: bits only ring/GGTT may change */
};

static const struct expect expect[] = {
    /* Every engine: GPRs, own timestamps; page-table roots (PDP0-3). */
    { 0x600, 1, 32, E_ALL, G89, RW, USER, 0, 0 },
    { 0x358, 1, 2, E_BCS | E_VCS2 | E_VECS, G89, R, USER, 0, 0 },
    { 0x3a8, 1, 1, E_ALL, G89, R, USER, 0, 0 },
    { 0x270, 1, 8, E_ALL, G89, W, ROOT, 0, 0 },
    /* Render and first video engine timestamps, from every engine (i915
     * gen9_blt_regs reads them from the blitter). */
    { 0x2358, 0, 2, E_ALL, G89, R, USER, 0, 0 },
    { 0x12358, 0, 2, E_ALL, G89, R, USER, 0, 0 },

    /* Render, Mesa (iris, anv, hasvk) and i915's render whitelist:
     * pipeline statistics, occlusion and SO counters. */
    { 0x2290, 0, 2, E_RCS, G89, R, USER, 0, 0 },
    { 0x2300, 0, 22, E_RCS, G89, R, USER, 0, 0 },
    { 0x5200, 0, 8, E_RCS, G89, RW, USER, 0, 0 },
    { 0x5240, 0, 8, E_RCS, G89, RW, USER, 0, 0 },
    { 0x5280, 0, 4, E_RCS, G89, RW, USER, 0, 0 },
    /* MI_PREDICATE operands and result, indirect draw and dispatch.
     * SRC0 and the result (with RESULT_1) are read back too (anv
     * predicated resolves; iris indirect draw count under conditional
     * rendering). */
    { 0x2400, 0, 2, E_RCS, G89, RW, USER, 0, 0 },
    { 0x2408, 0, 2, E_RCS, G89, W, USER, 0, 0 },
    { 0x2418, 0, 2, E_RCS, G89, RW, USER, 0, 0 },
    { 0x2420, 0, 1, E_RCS, G89, W, USER, 0, 0 },
    { 0x2430, 0, 5, E_RCS, G89, W, USER, 0, 0 },
    { 0x2500, 0, 3, E_RCS, G89, W, USER, 0, 0 },
    /* L3 partitioning. */
    { 0x7034, 0, 1, E_RCS, G89, W, USER, 0, 0 },
    /* INSTPM: constant buffer offset disable (bit 6), null-hardware
     * 3D/media instruction disable (bits 3:2, hasvk); i915 force ordering
     * (bit 7).  Gen8 only. */
    { 0x20c0, 0, 1, E_RCS, G8, W, USER, 0x4c, 0x80 },
    /* CACHE_MODE_1: Gen8 PMA fix bits 11, 13; Gen9 bits 1, 4, 9; i915
     * 4x4 STC optimisation disable (bit 6) and partial resolve (bit 1). */
    { 0x7004, 0, 1, E_RCS, G8, W, USER, 0x2800, 0x40 },
    { 0x7004, 0, 1, E_RCS, G9, W, USER, 0x212, 0x40 },
    /* Gen9: CS_DEBUG_MODE2 bit 4 and null-hardware bits 1:0 (anv),
     * GT_MODE slice and subslice hashing 12:11, 9:8 (i915: IZ hashing
     * 5:0), CS_CHICKEN1 replay mode bit 0 (i915: GPGPU preemption level
     * 2:1), blitter BCS_SWCTRL tile-Y bits 1:0. */
    { 0x20d8, 0, 1, E_RCS, G9, W, USER, 0x13, 0 },
    { 0x7008, 0, 1, E_RCS, G9, W, USER, 0x1b00, 0x3f },
    { 0x2580, 0, 1, E_RCS, G9, W, USER, 0x1, 0x6 },
    { 0x22200, 0, 1, E_BCS, G9, RW, USER, 0x3, 0 },
    /* Gen9: CACHE_MODE_0 STC PMA optimisation (anv), GLK barrier
     * mode in SLICE_COMMON_ECO_CHICKEN1 (iris, anv). */
    { 0x7000, 0, 1, E_RCS, G9, W, USER, 0x20, 0 },
    { 0x731c, 0, 1, E_RCS, G9, W, USER, 0x80, 0 },

    /* i915 Gen8 context workarounds (gen8/bdw/chv_ctx_workarounds_init). */
    { 0x209c, 0, 1, E_RCS, G8, W, PRIV, 0, 0x4000 },   /* MI_MODE */
    { 0xe4f0, 0, 1, E_RCS, G8, W, PRIV, 0, 0x0120 },   /* ROW_CHICKEN */
    { 0xe4f4, 0, 1, E_RCS, G8, W, PRIV, 0, 0x0001 },   /* ROW_CHICKEN2 */
    { 0x7300, 0, 1, E_RCS, G8, W, PRIV, 0, 0x4830 },   /* HDC_CHICKEN0 */
    { 0x7000, 0, 1, E_RCS, G8, W, PRIV, 0, 0x0004 },   /* CACHE_MODE_0 */
    { 0x7008, 0, 1, E_RCS, G8, W, PRIV, 0, 0x0280 },   /* GT_MODE */
    { 0xe184, 0, 1, E_RCS, G8, W, PRIV, 0, 0x0002 },   /* HSC3 */
    { 0x7018, 0, 1, E_RCS, G8, W, PRIV, 0, 0x8000 },   /* HIZ_CHICKEN */
    /* i915 Gen9 context workarounds (gen9/skl/bxt/kbl/glk/cfl) and the
     * indirect-context batch (gen9_init_indirectctx_bb). */
    { 0xe4f0, 0, 1, E_RCS, G9, W, PRIV, 0, 0x8120 },   /* ROW_CHICKEN */
    { 0x7300, 0, 1, E_RCS, G9, W, PRIV, 0, 0x8030 },   /* HDC_CHICKEN0 */
    { 0xe100, 0, 1, E_RCS, G9, W, PRIV, 0, 0x0010 },   /* HSC1 */
    { 0xe180, 0, 1, E_RCS, G9, W, PRIV, 0, 0x2000 },   /* HSC2 */
    { 0xe184, 0, 1, E_RCS, G9, W, PRIV, 0, 0x0022 },   /* HSC3 */
    { 0xe188, 0, 1, E_RCS, G9, W, PRIV, 0, 0x0008 },   /* HSC5 */
    { 0xe194, 0, 1, E_RCS, G9, W, PRIV, 0, 0x0114 },   /* HSC7 */
    { 0x7014, 0, 1, E_RCS, G9, W, PRIV, 0, 0x3001 },   /* CSC2 */
    { 0x5588, 0, 1, E_RCS, G9, W, PRIV, 0, 0x0200 },   /* WM_CHICKEN3 */
    { 0x2088, 0, 1, E_RCS, G9, W, PRIV, 0, 0x0002 },   /* FF_SLICE_CHICKEN */
    { 0x2090, 0, 1, E_RCS, G9, W, PRIV, 0, 0x1000 },   /* 3D_CHICKEN3 */
    /* GEN8_L3SQCREG4: saved, set and restored by the indirect context. */
    { 0xb118, 0, 1, E_RCS, G89, RW, PRIV, 0, 0 },
    /* Gen9 MOCS tables loaded from the render ring (intel_mocs_emit). */
    { 0xc800, 0, 62, E_RCS, G9, W, VIRT, 0, 0 },
    { 0xb020, 0, 32, E_RCS, G9, W, VIRT, 0, 0 },

    /* Video: media driver status registers (mhw_mmio_g8.h, g9.h). */
    { 0x800, 1, 1, E_VID, G89, R, USER, 0, 0 },
    { 0x850, 1, 1, E_VID, G89, R, USER, 0, 0 },
    { 0x868, 1, 1, E_VID, G89, R, USER, 0, 0 },
    { 0x8a0, 1, 2, E_VID, G89, R, USER, 0, 0 },
    { 0x8b4, 1, 3, E_VID, G89, R, USER, 0, 0 },
    { 0x8d0, 1, 1, E_VID, G89, R, USER, 0, 0 },
    { 0x900, 1, 3, E_VID, G89, R, USER, 0, 0 },
    { 0x910, 1, 7, E_VID, G89, R, USER, 0, 0 },
    { 0x954, 1, 1, E_VID, G9, R, USER, 0, 0 },
    { 0x1e900, 0, 2, E_VID, G9, R, USER, 0, 0 },
    { 0x1e9a0, 0, 3, E_VID, G9, R, USER, 0, 0 },
    { 0x1e9b8, 0, 3, E_VID, G9, R, USER, 0, 0 },
    { 0x1e9e0, 0, 2, E_VID, G9, R, USER, 0, 0 },
    { 0x1e9f0, 0, 2, E_VID, G9, R, USER, 0, 0 },
    { 0xd000, 0, 1, E_VID, G9, R, USER, 0, 0 },
    { 0xd014, 0, 1, E_VID, G9, R, USER, 0, 0 },
    { 0xd3b0, 0, 1, E_VID, G9, R, USER, 0, 0 },
};

static unsigned int gen_bit(unsigned int gen)
{
    return gen == 8 ? G8 : G9;
}

static uint32_t row_reg(const struct expect *x, unsigned int engine,
                        unsigned int n)
{
    return (x->rel ? engine_base[engine] : 0) + x->off + 4 * n;
}

/* The row that says what engine may do to reg on gen, or NULL. */
static const struct expect *expect_for(unsigned int gen, unsigned int engine,
                                       uint32_t reg)
{
    unsigned int i, n;

    for ( i = 0; i < ARRAY_SIZE(expect); i++ )
    {
        const struct expect *x = &expect[i];

        if ( !(x->gens & gen_bit(gen)) || !(x->engines & (1u << engine)) )
            continue;
        for ( n = 0; n < x->count; n++ )
            if ( row_reg(x, engine, n) == reg )
                return x;
    }

    return NULL;
}

/* ------------------------------------------------------------------------
 * Registers no buffer may touch (hand-written; i915 register names).
 * ------------------------------------------------------------------------ */
struct denied {
    uint32_t off;
    uint8_t rel;
    uint8_t engines;
    uint8_t gens;
};

static const struct denied denied[] = {
    /* Per engine: RING_TAIL, HEAD, START, CTL, ACTHD, HWS_PGA, HWSTAM,
     * IMR, RESET_CTL, BBADDR, ELSP, EXECLIST_STATUS, CONTEXT_CONTROL,
     * RING_MODE (GFX_MODE), FORCE_TO_NONPRIV 0 and 11, PSMI_CTL. */
    { 0x30, 1, E_ALL, G89 }, { 0x34, 1, E_ALL, G89 },
    { 0x38, 1, E_ALL, G89 }, { 0x3c, 1, E_ALL, G89 },
    { 0x74, 1, E_ALL, G89 }, { 0x80, 1, E_ALL, G89 },
    { 0x98, 1, E_ALL, G89 }, { 0xa8, 1, E_ALL, G89 },
    { 0xd0, 1, E_ALL, G89 }, { 0x140, 1, E_ALL, G89 },
    { 0x230, 1, E_ALL, G89 }, { 0x234, 1, E_ALL, G89 },
    { 0x244, 1, E_ALL, G89 }, { 0x29c, 1, E_ALL, G89 },
    { 0x4d0, 1, E_ALL, G89 }, { 0x4fc, 1, E_ALL, G89 },
    { 0x50, 1, E_ALL, G89 },
    /* MI_MODE of the other engines; of the render engine on Gen9. */
    { 0x9c, 1, E_BCS | E_VID | E_VECS, G89 }, { 0x209c, 0, E_ALL, G9 },
    /* Fence registers (first, last), GGTT flush, private PAT. */
    { 0x100000, 0, E_ALL, G89 }, { 0x1001fc, 0, E_ALL, G89 },
    { 0x101008, 0, E_ALL, G89 }, { 0x40e0, 0, E_ALL, G89 },
    { 0x40e4, 0, E_ALL, G89 },
    /* GAM_ECOCHK, fault register, interrupt masters and masks, DERRMR. */
    { 0x4090, 0, E_ALL, G89 }, { 0x4094, 0, E_ALL, G89 },
    { 0x44200, 0, E_ALL, G89 }, { 0x44304, 0, E_ALL, G89 },
    { 0x44050, 0, E_ALL, G89 },
    /* Forcewake, RPS request, RC6 control, reset, MCR steering. */
    { 0xa188, 0, E_ALL, G89 }, { 0xa278, 0, E_ALL, G89 },
    { 0xa270, 0, E_ALL, G9 }, { 0xa008, 0, E_ALL, G89 },
    { 0xa090, 0, E_ALL, G89 }, { 0x941c, 0, E_ALL, G89 },
    { 0xfdc, 0, E_ALL, G89 },
    /* Global L3 and arbitration, GuC status and DMA. */
    { 0xb100, 0, E_ALL, G89 }, { 0xb004, 0, E_ALL, G89 },
    { 0xb008, 0, E_ALL, G9 }, { 0xc000, 0, E_ALL, G9 },
    { 0xc314, 0, E_ALL, G9 },
    /* OA counters (first, tick, last), PERF_CNT_1/2, RPSTAT: GPU-global
     * performance monitoring (Mesa's OA queries). */
    { 0x2800, 0, E_ALL, G89 }, { 0x2910, 0, E_ALL, G89 },
    { 0x297c, 0, E_ALL, G89 }, { 0x91b8, 0, E_ALL, G89 },
    { 0x91c4, 0, E_ALL, G89 }, { 0xa01c, 0, E_ALL, G89 },
    /* Display (PIPECONF_A, PLANE_SURF_1_A), PVINFO. */
    { 0x70008, 0, E_ALL, G89 }, { 0x7019c, 0, E_ALL, G89 },
    { 0x78000, 0, E_ALL, G89 },
    /* Other engines' MOCS tables, and the MOCS tables on Gen8. */
    { 0xc900, 0, E_ALL, G9 }, { 0xcc00, 0, E_ALL, G9 },
    { 0xc800, 0, E_ALL, G8 }, { 0xb020, 0, E_ALL, G8 },
    /* Gen9's workaround registers on Gen8 and the reverse. */
    { 0xe194, 0, E_ALL, G8 }, { 0x7014, 0, E_ALL, G8 },
    { 0xe4f4, 0, E_ALL, G9 }, { 0x7018, 0, E_ALL, G9 },
    { 0x20c0, 0, E_ALL, G9 },
};

/* ------------------------------------------------------------------------
 * Guest memory and submissions.
 * ------------------------------------------------------------------------ */
static struct bb ring, gbatch, batch;

static int setup(void **state)
{
    fixture_setup(state);
    bb_add(&ring, &fx_mem, GPU_SPACE_GGTT, RING, 4096);
    bb_add(&gbatch, &fx_mem, GPU_SPACE_GGTT, GBATCH, 4096);
    mem_add(&fx_mem, GPU_SPACE_GGTT, GSCRATCH, 4096);
    bb_add(&batch, &fx_mem, GPU_SPACE_PPGTT, BATCH, 4096);
    mem_add(&fx_mem, GPU_SPACE_PPGTT, SCRATCH, 4096);
    return 0;
}

/* Every submission and vGPU gave back what it took. */
/* Buffer classes. */
enum cls { C_RING, C_GGTT, C_PPGTT };

static struct bb *start(enum cls c)
{
    struct bb *b = c == C_RING ? &ring : c == C_GGTT ? &gbatch : &batch;

    b->pos = 0;
    return b;
}

/* A vGPU with one slice; with the values of every virtualised register
 * when vregs (each vGPU value: ~offset). */
static void vgpu_make(struct gpu_audit_vgpu *v, unsigned int gen, bool vregs)
{
    const struct gpu_gen_spec *spec = table_for(gen)->spec;
    unsigned int i;

    vgpu_setup(v, gen, NULL);
    for ( i = 0; vregs && i < spec->nr_regs; i++ )
        if ( spec->regs[i].flags & GPU_RF_VIRT )
            assert_int_equal(gpu_audit_vgpu_set_vreg(v, spec->regs[i].offset,
                                                     ~spec->regs[i].offset), 0);
}

/* Audit the buffer of class c on v; the submission is kept in *out. */
static uint32_t submit(struct gpu_audit_vgpu *v, unsigned int engine, enum cls c,
                       struct gpu_audit_sub **out, uint32_t *offset)
{
    struct gpu_audit_sub *s = sub_new(v, &fx_mem, engine);
    const struct gpu_audit_verdict *vd;
    uint32_t reason;
    int rc;

    if ( c == C_RING )
    {
        struct gpu_audit_ring r = {
            .start = RING, .size = 4096, .head = 0, .tail = DW(ring.pos),
        };

        if ( ring.pos & 1 )
            r.tail = DW(emit_noops(&ring, 1) + 1);
        rc = gpu_audit_sub_start_ring(s, &r);
    }
    else
    {
        emit_bbe(c == C_GGTT ? &gbatch : &batch);
        rc = gpu_audit_sub_start_batch(s, c == C_GGTT ? GPU_SPACE_GGTT
                                                     : GPU_SPACE_PPGTT,
                                       c == C_GGTT ? GBATCH : BATCH);
    }
    assert_int_equal(rc, 0);
    vd = sub_finish(s, NULL);
    reason = vd->reason;
    if ( offset )
        *offset = vd->offset;
    if ( out )
        *out = s;
    else
        gpu_audit_sub_destroy(s);

    return reason;
}

static uint32_t run(struct gpu_audit_vgpu *v, unsigned int engine, enum cls c)
{
    return submit(v, engine, c, NULL, NULL);
}

static uint32_t lri(struct gpu_audit_vgpu *v, unsigned int engine, enum cls c,
                    uint32_t reg, uint32_t val)
{
    emit_lri(start(c), reg, val);
    return run(v, engine, c);
}

static uint32_t srm(struct gpu_audit_vgpu *v, unsigned int engine, uint32_t reg)
{
    emit_srm(start(C_PPGTT), reg, SCRATCH, false);
    return run(v, engine, C_PPGTT);
}

static void fail_at(const char *what, unsigned int gen, unsigned int engine,
                    uint32_t reg, uint32_t val, uint32_t got, uint32_t want)
{
    if ( got == want )
        return;
    fail_msg("gen%u %s %s 0x%x value 0x%08x: %s, expected %s", gen,
             gpu_audit_engine_name(engine), what, reg, val,
             gpu_audit_reason_name(got), gpu_audit_reason_name(want));
}

/* ------------------------------------------------------------------------
 * Every whitelisted register has an expectation, with the same access.
 * ------------------------------------------------------------------------ */
static void check_table_covered(unsigned int gen)
{
    const struct gpu_gen_spec *spec = table_for(gen)->spec;
    unsigned int i, e;

    for ( i = 0; i < spec->nr_regs; i++ )
    {
        const struct gpu_reg_desc *r = &spec->regs[i];

        /* Context-image registers are the context scanner's to test. */
        if ( r->flags & GPU_RF_CTX )
            continue;
        for ( e = 0; e < XEN_GPU_ENGINE_NR; e++ )
        {
            const struct expect *x;

            if ( !(r->engines & (1u << e)) )
                continue;
            x = expect_for(gen, e, r->offset);
            if ( !x )
                fail_msg("gen%u: %s (0x%x) whitelisted on %s with no "
                         "expectation", gen, r->name, r->offset,
                         gpu_audit_engine_name(e));
            if ( x->acc != r->access )
                fail_msg("gen%u: %s access %u, expected %u", gen, r->name,
                         r->access, x->acc);
        }
    }
}

static void test_table_covered_gen8(void **state)
{
    (void)state;
    check_table_covered(8);
}

static void test_table_covered_gen9(void **state)
{
    (void)state;
    check_table_covered(9);
}

/* ------------------------------------------------------------------------
 * Every expected register, on every engine, in both buffer classes.
 * ------------------------------------------------------------------------ */

/* Lowest bit of 15:0 outside ok, or 0 if none. */
static uint32_t bit_outside(uint32_t ok)
{
    uint32_t b;

    for ( b = 1; b <= 0x8000; b <<= 1 )
        if ( !(ok & b) )
            return b;
    return 0;
}

#define MASKED(bits) (((uint32_t)(bits) << 16) | (bits))

static void check_write(struct gpu_audit_vgpu *v, unsigned int gen,
                        unsigned int engine, uint32_t reg,
                        const struct expect *x)
{
    bool writable = x && (x->acc & W);
    bool masked = x && (x->bits | x->pbits);
    uint32_t user, priv, bad = 0, want;

    user = masked ? MASKED(x->bits) : 0x1;
    priv = masked ? MASKED(x->bits | x->pbits) : 0x1;
    if ( masked )
        bad = MASKED(bit_outside(x->bits | x->pbits));

    /* A user batch. */
    want = writable && x->who == USER ? 0 : XEN_GPU_AUDIT_REG_DENIED;
    fail_at("ppgtt LRI", gen, engine, reg, user,
            lri(v, engine, C_PPGTT, reg, user), want);
    if ( masked && x->pbits && x->who == USER )
        fail_at("ppgtt LRI", gen, engine, reg, MASKED(x->pbits),
                lri(v, engine, C_PPGTT, reg, MASKED(x->pbits)),
                XEN_GPU_AUDIT_REG_MASK);

    /* The ring. */
    want = writable ? 0 : XEN_GPU_AUDIT_REG_DENIED;
    fail_at("ring LRI", gen, engine, reg, priv,
            lri(v, engine, C_RING, reg, priv), want);
    if ( masked && bad )
        fail_at("ring LRI", gen, engine, reg, bad,
                lri(v, engine, C_RING, reg, bad), XEN_GPU_AUDIT_REG_MASK);
}

static void check_read(struct gpu_audit_vgpu *v, unsigned int gen,
                       unsigned int engine, uint32_t reg,
                       const struct expect *x)
{
    uint32_t want = x && (x->acc & R) && x->who == USER
                    ? 0 : XEN_GPU_AUDIT_REG_DENIED;

    fail_at("ppgtt SRM", gen, engine, reg, 0, srm(v, engine, reg), want);
}

static void check_expectations(unsigned int gen)
{
    struct gpu_audit_vgpu v;
    unsigned int i, e, n, checked = 0;

    vgpu_make(&v, gen, true);
    for ( i = 0; i < ARRAY_SIZE(expect); i++ )
    {
        const struct expect *row = &expect[i];

        /* Each row's registers on every engine, with or without it. */
        for ( e = 0; e < XEN_GPU_ENGINE_NR; e++ )
            for ( n = 0; n < row->count; n++ )
            {
                uint32_t reg = row_reg(row, e, n);
                const struct expect *x = expect_for(gen, e, reg);

                check_write(&v, gen, e, reg, x);
                check_read(&v, gen, e, reg, x);
                checked++;
            }
    }
    gpu_audit_vgpu_destroy(&v);
    assert_true(checked > 1000);
}

static void test_expectations_gen8(void **state)
{
    (void)state;
    check_expectations(8);
}

static void test_expectations_gen9(void **state)
{
    (void)state;
    check_expectations(9);
}

/* ------------------------------------------------------------------------
 * Registers no buffer may touch.
 * ------------------------------------------------------------------------ */
static void check_denied(unsigned int gen)
{
    struct gpu_audit_vgpu v;
    unsigned int i, e;

    vgpu_make(&v, gen, true);
    for ( i = 0; i < ARRAY_SIZE(denied); i++ )
    {
        const struct denied *d = &denied[i];

        if ( !(d->gens & gen_bit(gen)) )
            continue;
        for ( e = 0; e < XEN_GPU_ENGINE_NR; e++ )
        {
            uint32_t reg = (d->rel ? engine_base[e] : 0) + d->off;

            if ( !(d->engines & (1u << e)) )
                continue;
            assert_null(expect_for(gen, e, reg));
            fail_at("ring LRI", gen, e, reg, 0,
                    lri(&v, e, C_RING, reg, 0), XEN_GPU_AUDIT_REG_DENIED);
            fail_at("ggtt LRI", gen, e, reg, 0,
                    lri(&v, e, C_GGTT, reg, 0), XEN_GPU_AUDIT_REG_DENIED);
            fail_at("ppgtt LRI", gen, e, reg, 0,
                    lri(&v, e, C_PPGTT, reg, 0), XEN_GPU_AUDIT_REG_DENIED);
            fail_at("ppgtt SRM", gen, e, reg, 0, srm(&v, e, reg),
                    XEN_GPU_AUDIT_REG_DENIED);
        }
    }
    gpu_audit_vgpu_destroy(&v);
}

static void test_denied_gen8(void **state)
{
    (void)state;
    check_denied(8);
}

static void test_denied_gen9(void **state)
{
    (void)state;
    check_denied(9);
}

/* ------------------------------------------------------------------------
 * i915's context workaround prologue, as intel_engine_emit_ctx_wa()
 * emits it: a barrier flush, one LRI with every register of the
 * platform's list (sorted by offset, the bits of one register merged),
 * MI_NOOP, a barrier flush.  Values: _MASKED_BIT_ENABLE(b) = b << 16 | b,
 * _MASKED_BIT_DISABLE(b) = b << 16, _MASKED_FIELD(m, v) = m << 16 | v.
 * ------------------------------------------------------------------------ */
struct wa {
    uint32_t reg;
    uint32_t val;
};

/* BDW: INSTPM force ordering, MI_MODE async flip perf disable, CACHE_MODE_0
 * HiZ RAW stall optimisation (disable cleared), CACHE_MODE_1 4x4 STC,
 * GT_MODE WIZ hashing 16x4, HDC_CHICKEN0 (fetch-when-masked, non-coherent,
 * CSR non-coherent; fence-to-SLM on GT3), HALF_SLICE_CHICKEN3 sampler
 * power bypass, ROW_CHICKEN partial shootdown + stall DOP, ROW_CHICKEN2 DOP
 * clock gating. */
static const struct wa wa_bdw_gt3[] = {
    { 0x209c, 0x40004000 }, { 0x20c0, 0x00800080 }, { 0x7000, 0x00040000 },
    { 0x7004, 0x00400040 }, { 0x7008, 0x02800200 }, { 0x7300, 0x48304830 },
    { 0xe184, 0x00020002 }, { 0xe4f0, 0x01200120 }, { 0xe4f4, 0x00010001 },
};
static const struct wa wa_bdw_gt2[] = {
    { 0x209c, 0x40004000 }, { 0x20c0, 0x00800080 }, { 0x7000, 0x00040000 },
    { 0x7004, 0x00400040 }, { 0x7008, 0x02800200 }, { 0x7300, 0x08300830 },
    { 0xe184, 0x00020002 }, { 0xe4f0, 0x01200120 }, { 0xe4f4, 0x00010001 },
};
/* CHV: the Gen8 list, stall DOP gating, HIZ_CHICKEN 8x8 mode in 1x. */
static const struct wa wa_chv[] = {
    { 0x209c, 0x40004000 }, { 0x20c0, 0x00800080 }, { 0x7000, 0x00040000 },
    { 0x7004, 0x00400040 }, { 0x7008, 0x02800200 }, { 0x7018, 0x80008000 },
    { 0x7300, 0x08100810 }, { 0xe4f0, 0x01200120 },
};
/* SKL (Linux 6.x, a part with a 7-EU subslice: IZ hashing): the Gen9 list
 * with the LLC bits. */
static const struct wa wa_skl[] = {
    { 0x2580, 0x00070004 }, { 0x7004, 0x00420042 }, { 0x7008, 0x003f0001 },
    { 0x7014, 0x20002000 }, { 0x7300, 0x80308030 }, { 0xe180, 0x20002000 },
    { 0xe184, 0x00020002 }, { 0xe188, 0x00080000 }, { 0xe194, 0x01140114 },
    { 0xe4f0, 0x81008100 },
};
/* SKL before Linux 5.3: also HALF_SLICE_CHICKEN3 OCL OOB suppress logic. */
static const struct wa wa_skl_old[] = {
    { 0x2580, 0x00070004 }, { 0x7004, 0x00420042 }, { 0x7014, 0x20002000 },
    { 0x7300, 0x80308030 }, { 0xe180, 0x20002000 }, { 0xe184, 0x00220022 },
    { 0xe188, 0x00080000 }, { 0xe194, 0x01140114 }, { 0xe4f0, 0x81008100 },
};
/* BXT: no LLC; stall DOP gating, replay buffer, WM_CHICKEN3 HiZ clear. */
static const struct wa wa_bxt[] = {
    { 0x2580, 0x00070004 }, { 0x5588, 0x02000200 }, { 0x7004, 0x00420042 },
    { 0x7014, 0x00010001 }, { 0x7300, 0x80308030 }, { 0xe180, 0x20002000 },
    { 0xe188, 0x00080000 }, { 0xe194, 0x00140014 }, { 0xe4f0, 0x81208120 },
};
/* KBL (C0+) and CFL: LLC bits, replay buffer, SBE cache port sharing. */
static const struct wa wa_kbl[] = {
    { 0x2580, 0x00070004 }, { 0x7004, 0x00420042 }, { 0x7014, 0x20012001 },
    { 0x7300, 0x80308030 }, { 0xe100, 0x00100010 }, { 0xe180, 0x20002000 },
    { 0xe184, 0x00020002 }, { 0xe188, 0x00080000 }, { 0xe194, 0x01140114 },
    { 0xe4f0, 0x81008100 },
};
/* GLK: no LLC; replay buffer, WM_CHICKEN3. */
static const struct wa wa_glk[] = {
    { 0x2580, 0x00070004 }, { 0x5588, 0x02000200 }, { 0x7004, 0x00420042 },
    { 0x7014, 0x00010001 }, { 0x7300, 0x80308030 }, { 0xe180, 0x20002000 },
    { 0xe188, 0x00080000 }, { 0xe194, 0x00140014 }, { 0xe4f0, 0x81008100 },
};

/* PIPE_CONTROL, CS stall, render target and DC flush: no post-sync write. */
#define PC_BARRIER ((1u << 20) | (1u << 12) | (1u << 5))

static uint32_t emit_wa(struct bb *b, const struct wa *wa, unsigned int n)
{
    uint32_t at;
    unsigned int i;

    emit_pipe_control(b, PC_BARRIER, 0, false);
    at = bb_emit(b, MI_LOAD_REGISTER_IMM | (2 * n - 1));
    for ( i = 0; i < n; i++ )
    {
        bb_emit(b, wa[i].reg);
        bb_emit(b, wa[i].val);
    }
    bb_emit(b, MI_NOOP);
    emit_pipe_control(b, PC_BARRIER, 0, false);

    return at;
}

/* user: the reason a user batch gets (its first register decides). */
static void check_wa(unsigned int gen, const struct wa *wa, unsigned int n,
                     uint32_t user)
{
    struct gpu_audit_vgpu v;
    uint32_t at, off;

    vgpu_make(&v, gen, false);
    emit_wa(start(C_RING), wa, n);
    assert_int_equal(run(&v, RCS, C_RING), 0);
    emit_wa(start(C_GGTT), wa, n);
    assert_int_equal(run(&v, RCS, C_GGTT), 0);

    /* Not from a user batch, not on another engine. */
    at = emit_wa(start(C_PPGTT), wa, n);
    assert_int_equal(submit(&v, RCS, C_PPGTT, NULL, &off), user);
    assert_int_equal(off, DW(at));
    emit_wa(start(C_RING), wa, n);
    assert_int_equal(run(&v, BCS, C_RING), XEN_GPU_AUDIT_UNKNOWN_CMD);
    at = bb_emit(start(C_RING), MI_LOAD_REGISTER_IMM | (2 * n - 1));
    for ( off = 0; off < n; off++ )
    {
        bb_emit(&ring, wa[off].reg);
        bb_emit(&ring, wa[off].val);
    }
    assert_int_equal(submit(&v, VCS, C_RING, NULL, &off),
                     XEN_GPU_AUDIT_REG_DENIED);
    assert_int_equal(off, DW(at));
    gpu_audit_vgpu_destroy(&v);
}

/* A user batch: Gen8's lists start with MI_MODE (privileged), Gen9's with
 * CS_CHICKEN1, whose preemption level bits only privileged buffers set. */
#define DENIED XEN_GPU_AUDIT_REG_DENIED
#define MASK   XEN_GPU_AUDIT_REG_MASK

static void test_i915_ctx_wa_bdw(void **state)
{
    (void)state;
    check_wa(8, wa_bdw_gt2, ARRAY_SIZE(wa_bdw_gt2), DENIED);
    check_wa(8, wa_bdw_gt3, ARRAY_SIZE(wa_bdw_gt3), DENIED);
}

static void test_i915_ctx_wa_chv(void **state)
{
    (void)state;
    check_wa(8, wa_chv, ARRAY_SIZE(wa_chv), DENIED);
}

static void test_i915_ctx_wa_skl(void **state)
{
    (void)state;
    check_wa(9, wa_skl, ARRAY_SIZE(wa_skl), MASK);
    check_wa(9, wa_skl_old, ARRAY_SIZE(wa_skl_old), MASK);
}

static void test_i915_ctx_wa_bxt_glk(void **state)
{
    (void)state;
    check_wa(9, wa_bxt, ARRAY_SIZE(wa_bxt), MASK);
    check_wa(9, wa_glk, ARRAY_SIZE(wa_glk), MASK);
}

static void test_i915_ctx_wa_kbl_cfl(void **state)
{
    (void)state;
    check_wa(9, wa_kbl, ARRAY_SIZE(wa_kbl), MASK);
}

/* A bit i915 never sets, in an otherwise i915-like prologue: refused. */
static void test_i915_ctx_wa_extra_bit(void **state)
{
    struct wa bad[ARRAY_SIZE(wa_skl)];
    struct gpu_audit_vgpu v;
    uint32_t at, off;

    (void)state;
    memcpy(bad, wa_skl, sizeof(bad));
    bad[4].val |= MASKED(1u << 14);     /* HDC_CHICKEN0 fence to SLM */
    vgpu_make(&v, 9, false);
    at = emit_wa(start(C_RING), bad, ARRAY_SIZE(bad));
    assert_int_equal(submit(&v, RCS, C_RING, NULL, &off),
                     XEN_GPU_AUDIT_REG_MASK);
    assert_int_equal(off, DW(at));

    /* Gen8 MI_MODE: Stop Ring (bit 8) never. */
    assert_int_equal(lri(&v, RCS, C_RING, 0x209c, MASKED(1u << 8)),
                     XEN_GPU_AUDIT_REG_DENIED);
    gpu_audit_vgpu_destroy(&v);
    vgpu_make(&v, 8, false);
    assert_int_equal(lri(&v, RCS, C_RING, 0x209c, MASKED(1u << 8)),
                     XEN_GPU_AUDIT_REG_MASK);
    assert_int_equal(lri(&v, RCS, C_RING, 0x209c, MASKED(1u << 14)), 0);
    /* A masked value the auditor cannot see. */
    emit_lrm(start(C_RING), 0x209c, GSCRATCH, true);
    assert_int_equal(run(&v, RCS, C_RING), XEN_GPU_AUDIT_REG_MASK);
    gpu_audit_vgpu_destroy(&v);
}

/* The indirect-context batch's register part (gen8/gen9
 * _init_indirectctx_bb): save L3SQCREG4, set Flush Coherent Lines, flush,
 * restore; on Gen9 an LRI of three chicken registers.  GGTT batch. */
static void test_i915_indirect_ctx(void **state)
{
    static const uint32_t lri9[] = {
        0x7014, 0x10000000,     /* COMMON_SLICE_CHICKEN2: gather disable off */
        0x2088, 0x00020002,     /* FF_SLICE_CHICKEN: CL provoking vertex */
        0x2090, 0x10001000,     /* 3D_CHICKEN3: SF provoking vertex */
    };
    struct gpu_audit_vgpu v;
    unsigned int gen;
    struct bb *b;

    (void)state;
    for ( gen = 8; gen <= 9; gen++ )
    {
        vgpu_make(&v, gen, false);
        b = start(C_GGTT);
        emit_srm(b, 0xb118, GSCRATCH + 256, true);
        emit_lri(b, 0xb118, 0x40400000 | (1u << 21));
        emit_pipe_control(b, (1u << 20) | (1u << 5), 0, false);
        emit_lrm(b, 0xb118, GSCRATCH + 256, true);
        if ( gen == 9 )
            emit_lri_n(b, lri9, 3);
        assert_int_equal(run(&v, RCS, C_GGTT), 0);

        /* The same from a user batch: refused at the first command. */
        b = start(C_PPGTT);
        emit_srm(b, 0xb118, SCRATCH, false);
        assert_int_equal(run(&v, RCS, C_PPGTT), XEN_GPU_AUDIT_REG_DENIED);
        gpu_audit_vgpu_destroy(&v);
    }
}

/* i915's emit_pdps() (3-level PPGTT): MI_ARB_ON_OFF off, one posted LRI
 * of PDP3..0 (upper, then lower dword: GEN8_RING_PDP_UDW/LDW), MI_ARB_ON_OFF
 * on; on every engine.  Each value becomes a PDP-load note. */
#define MI_LRI_FORCE_POSTED (1u << 12)

static void test_i915_pdps(void **state)
{
    struct gpu_audit_vgpu v;
    struct gpu_audit_sub *s;
    unsigned int gen, e, i, notes;
    uint32_t at, val[8], off;
    struct bb *b;

    (void)state;
    for ( gen = 8; gen <= 9; gen++ )
    {
        vgpu_make(&v, gen, false);
        for ( e = 0; e < XEN_GPU_ENGINE_NR; e++ )
        {
            b = start(C_RING);
            emit_arb_on_off(b, false);
            at = bb_emit(b, MI_LOAD_REGISTER_IMM | MI_LRI_FORCE_POSTED | 15);
            for ( i = 0; i < 4; i++ )
            {
                bb_emit(b, engine_base[e] + 0x270 + 8 * (3 - i) + 4);
                val[2 * i] = bb_emit(b, 0);
                bb_emit(b, engine_base[e] + 0x270 + 8 * (3 - i));
                val[2 * i + 1] = bb_emit(b, 0x1234000 + i * 0x1000);
            }
            emit_arb_on_off(b, true);
            assert_int_equal(submit(&v, e, C_RING, &s, NULL), 0);
            for ( i = notes = 0; i < gpu_audit_nr_notes(s); i++ )
            {
                const struct gpu_audit_note *n = gpu_audit_get_note(s, i);

                if ( n->kind != GPU_NOTE_PDP_LOAD )
                    continue;
                assert_int_equal(n->offset, DW(val[notes]));
                assert_int_equal(n->header,
                                 gpu_audit_buf_dw(gpu_audit_get_buf(s, 0),
                                                  val[notes] - 1));
                notes++;
            }
            assert_int_equal(notes, 8);
            gpu_audit_sub_destroy(s);

            /* From a user batch: refused at the LRI. */
            b = start(C_PPGTT);
            bb_emit_n(b, &ring.r->dw[at], 17);
            assert_int_equal(submit(&v, e, C_PPGTT, NULL, &off),
                             XEN_GPU_AUDIT_REG_DENIED);
            assert_int_equal(off, 0);
        }
        gpu_audit_vgpu_destroy(&v);
    }
}

/* ------------------------------------------------------------------------
 * Virtualised registers: Linux 5.0-5.5's MOCS tables from the render ring
 * (intel_mocs_emit: GEN9_GFX_MOCS(0..61), then GEN9_LNCFCMOCS(0..30)).
 * ------------------------------------------------------------------------ */
#define GFX_MOCS(i)  (0xc800u + 4 * (i))
#define LNCFCMOCS(i) (0xb020u + 4 * (i))

/* The guest's values: what a Skylake table might hold, with the L3
 * skip-caching bits (ESC bit 0, SCC bits 3:1) that i915 refuses on Gen9. */
static uint32_t guest_mocs(unsigned int i)
{
    return 0x00000039u | (i << 8);
}

static uint32_t guest_l3cc(unsigned int i)
{
    return 0x003f003fu ^ (i << 8);
}

/* Emit both tables; the dword index of each value in *val. */
static void emit_mocs(struct bb *b, uint32_t *val)
{
    unsigned int i;

    bb_emit(b, MI_LOAD_REGISTER_IMM | (2 * 62 - 1));
    for ( i = 0; i < 62; i++ )
    {
        bb_emit(b, GFX_MOCS(i));
        val[i] = bb_emit(b, guest_mocs(i));
    }
    bb_emit(b, MI_NOOP);
    bb_emit(b, MI_LOAD_REGISTER_IMM | (2 * 31 - 1));
    for ( i = 0; i < 31; i++ )
    {
        bb_emit(b, LNCFCMOCS(i));
        val[62 + i] = bb_emit(b, guest_l3cc(i));
    }
    bb_emit(b, MI_NOOP);
}

static void test_mocs_rewritten(void **state)
{
    struct gpu_audit_vgpu v;
    struct gpu_audit_sub *s;
    const struct gpu_audit_buf *cp;
    uint32_t val[93], reg, want;
    unsigned int i, notes = 0;

    (void)state;
    vgpu_make(&v, 9, true);
    emit_mocs(start(C_RING), val);
    assert_int_equal(submit(&v, RCS, C_RING, &s, NULL), 0);

    /* The copy has the vGPU's values (~offset), the guest its own. */
    cp = gpu_audit_get_buf(s, 0);
    for ( i = 0; i < 93; i++ )
    {
        reg = i < 62 ? GFX_MOCS(i) : LNCFCMOCS(i - 62);
        want = i < 62 ? guest_mocs(i) : guest_l3cc(i - 62);
        assert_int_equal(gpu_audit_buf_dw(cp, val[i]), ~reg);
        assert_int_equal(gpu_audit_buf_dw(cp, val[i] - 1), reg);
        assert_int_equal(mem_peek(&fx_mem, GPU_SPACE_GGTT, RING + DW(val[i])), want);
    }
    for ( i = 0; i < gpu_audit_nr_notes(s); i++ )
    {
        const struct gpu_audit_note *n = gpu_audit_get_note(s, i);

        if ( n->kind != GPU_NOTE_REG_REWRITE )
            continue;
        assert_int_equal(n->buf, 0);
        assert_int_equal(n->offset, DW(val[notes]));
        assert_int_equal(n->header, notes < 62 ? GFX_MOCS(notes)
                                               : LNCFCMOCS(notes - 62));
        notes++;
    }
    assert_int_equal(notes, 93);
    gpu_audit_sub_destroy(s);

    /* A later value replaces the first. */
    assert_int_equal(gpu_audit_vgpu_set_vreg(&v, LNCFCMOCS(3), 0x00300030), 0);
    emit_lri(start(C_RING), LNCFCMOCS(3), 0x003f003f);
    assert_int_equal(submit(&v, RCS, C_RING, &s, NULL), 0);
    assert_int_equal(gpu_audit_buf_dw(gpu_audit_get_buf(s, 0), 2), 0x00300030);
    gpu_audit_sub_destroy(s);
    gpu_audit_vgpu_destroy(&v);
}

static void test_mocs_refused(void **state)
{
    struct gpu_audit_vgpu v;
    uint32_t val[93], off;

    (void)state;
    /* A vGPU without values: the guest's cannot go through. */
    vgpu_make(&v, 9, false);
    emit_mocs(start(C_RING), val);
    assert_int_equal(submit(&v, RCS, C_RING, NULL, &off),
                     XEN_GPU_AUDIT_REG_DENIED);
    assert_int_equal(off, 0);
    gpu_audit_vgpu_destroy(&v);

    vgpu_make(&v, 9, true);
    /* Values Xen cannot rewrite: from memory, from a register, as a
     * PIPE_CONTROL post-sync register write. */
    emit_lrm(start(C_RING), LNCFCMOCS(0), GSCRATCH, true);
    assert_int_equal(run(&v, RCS, C_RING), XEN_GPU_AUDIT_REG_DENIED);
    emit_lrr(start(C_RING), 0x2600, LNCFCMOCS(0));
    assert_int_equal(run(&v, RCS, C_RING), XEN_GPU_AUDIT_REG_DENIED);
    emit_pipe_control(start(C_RING), PC_LRI_POST_OP, LNCFCMOCS(0), false);
    assert_int_equal(run(&v, RCS, C_RING), XEN_GPU_AUDIT_REG_DENIED);
    /* A user batch, another engine. */
    assert_int_equal(lri(&v, RCS, C_PPGTT, GFX_MOCS(0), 0),
                     XEN_GPU_AUDIT_REG_DENIED);
    assert_int_equal(lri(&v, VCS, C_RING, GFX_MOCS(0), 0),
                     XEN_GPU_AUDIT_REG_DENIED);

    /* Only virtualised registers take a vGPU value. */
    assert_int_equal(gpu_audit_vgpu_set_vreg(&v, 0x2600, 1), -EINVAL);
    assert_int_equal(gpu_audit_vgpu_set_vreg(&v, 0xc900, 1), -EINVAL);
    assert_int_equal(gpu_audit_vgpu_set_vreg(&v, 0x209c, 1), -EINVAL);
    gpu_audit_vgpu_destroy(&v);

    /* Gen8 has no MOCS tables. */
    vgpu_make(&v, 8, false);
    assert_int_equal(gpu_audit_vgpu_set_vreg(&v, GFX_MOCS(0), 1), -EINVAL);
    assert_int_equal(lri(&v, RCS, C_RING, GFX_MOCS(0), 0),
                     XEN_GPU_AUDIT_REG_DENIED);
    gpu_audit_vgpu_destroy(&v);
}

/* A rejected submission rewrites nothing. */
static void test_mocs_rejected_untouched(void **state)
{
    struct gpu_audit_vgpu v;
    struct gpu_audit_sub *s;
    struct bb *b;
    uint32_t at;

    (void)state;
    vgpu_make(&v, 9, true);
    b = start(C_RING);
    at = emit_lri(b, LNCFCMOCS(0), 0x003f003f);
    emit_lri(b, 0x2038, 0);                       /* RING_START: refused */
    assert_int_equal(submit(&v, RCS, C_RING, &s, NULL),
                     XEN_GPU_AUDIT_REG_DENIED);
    assert_int_equal(gpu_audit_buf_dw(gpu_audit_get_buf(s, 0), at + 2),
                     0x003f003f);
    gpu_audit_sub_destroy(s);
    gpu_audit_vgpu_destroy(&v);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_table_covered_gen8),
        T(test_table_covered_gen9),
        T(test_expectations_gen8),
        T(test_expectations_gen9),
        T(test_denied_gen8),
        T(test_denied_gen9),
        T(test_i915_ctx_wa_bdw),
        T(test_i915_ctx_wa_chv),
        T(test_i915_ctx_wa_skl),
        T(test_i915_ctx_wa_bxt_glk),
        T(test_i915_ctx_wa_kbl_cfl),
        T(test_i915_ctx_wa_extra_bit),
        T(test_i915_indirect_ctx),
        T(test_i915_pdps),
        T(test_mocs_rewritten),
        T(test_mocs_refused),
        T(test_mocs_rejected_untouched),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
