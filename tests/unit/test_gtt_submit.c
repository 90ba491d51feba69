/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Submission glue (declared in <asm/hvm/gtt.h>): rings whose PDP loads the auditor accepted
 * run on the shadow roots of the GTT engine, pinned while held; roots that
 * cannot be shadowed refuse the submission with nothing left behind; the
 * roots of a context image pin and unpin in balance.
 */
#include "ppgtt_fixture.h"
#include "harness.h"
#include <asm/hvm/gtt.h>

#define GEN       9
#define RCS       XEN_GPU_ENGINE_RCS
#define RING      0x200000ull       /* GGTT ring, one page */
#define PDP_LDW(n) (0x2270u + 8 * (n))
#define PDP_UDW(n) (0x2274u + 8 * (n))

/* Guest tables (gfns of d1): a 4-level space and a 3-level one. */
#define PML4      0x10
#define L4_PDP    0x11
#define L4_PD     0x12
#define L4_PT     0x13
#define L3_PD0    0x20              /* PD0..PD3: 0x20..0x23 */
#define L3_PT     0x24
#define L4B       0x40              /* a second 4-level space: 0x40..0x43 */
#define DATA      0x100

#define GPA(gfn)  ((uint64_t)(gfn) << GTT_PAGE_SHIFT)
#define GB(n)     ((uint64_t)(n) << 30)

struct env {
    struct fx f;
    struct mem m;
    struct bb ring;
    struct audit_run r;
    struct gtt_submit_pins pins;
};

static void build_l4(struct fx *f, unsigned long g, unsigned long data)
{
    fx_poke(f, g, 0, FX_PTE(g + 1));
    fx_poke(f, g + 1, 0, FX_PTE(g + 2));
    fx_poke(f, g + 2, 0, FX_PTE(g + 3));
    fx_poke(f, g + 3, 0, FX_PTE(data));
}

static void build_l3(struct fx *f)
{
    fx_poke(f, L3_PD0 + 2, 0, FX_PTE(L3_PT));   /* 2 GiB -> PT */
    fx_poke(f, L3_PT, 0, FX_PTE(DATA + 1));
}

static const uint64_t l3_pdps[4] = {
    GPA(L3_PD0), GPA(L3_PD0 + 1), GPA(L3_PD0 + 2), GPA(L3_PD0 + 3),
};

static void env_init(struct env *e, unsigned int quota)
{
    memset(&e->pins, 0xa5, sizeof(e->pins));
    table_for(GEN);                   /* kept for the run: not counted */
    fx_init_cfg(&e->f, 0x1000, quota, true);
    build_l4(&e->f, PML4, DATA);
    build_l4(&e->f, L4B, DATA + 2);
    build_l3(&e->f);
    mem_init(&e->m);
    bb_init(&e->ring, mem_add(&e->m, GPU_SPACE_GGTT, RING, 4096));
}

/* Audit the ring built so far; it must be accepted. */
static void env_audit(struct env *e)
{
    struct gpu_audit_ring ring = { .start = RING, .size = 4096, .head = 0 };

    if ( e->ring.pos & 1 )
        emit_noops(&e->ring, 1);
    ring.tail = bb_off(&e->ring);
    run_keep(&e->r, &e->m, GEN, RCS, NULL, 0, 0, &ring);
    assert_int_equal(e->r.res.reason, XEN_GPU_AUDIT_OK);
}

/* The submission and its audit vGPU (counted by fx_assert_idle()). */
static void env_sub_done(struct env *e)
{
    gpu_audit_sub_destroy(e->r.sub);
    e->r.sub = NULL;
    gpu_audit_vgpu_destroy(&e->r.vgpu);
}

/* The address spaces are gone, then the submission, then the vGPU. */
static void env_fini(struct env *e, const uint64_t *roots, unsigned int nr)
{
    unsigned int i;

    for ( i = 0; i < nr; i++ )
        assert_int_equal(gtt_ppgtt_destroy(e->f.v, roots[i]), GTT_OK);
    env_sub_done(e);
    mem_free(&e->m);
    fx_assert_idle(&e->f);
    fx_fini(&e->f);
}

/* i915's emit_pdps: one LRI, PDP3 down to PDP0, high dword first. */
static uint32_t emit_pdps(struct bb *b, const uint64_t pdps[4])
{
    uint32_t pairs[16];
    unsigned int i;

    for ( i = 0; i < 4; i++ )
    {
        pairs[4 * i] = PDP_UDW(3 - i);
        pairs[4 * i + 1] = pdps[3 - i] >> 32;
        pairs[4 * i + 2] = PDP_LDW(3 - i);
        pairs[4 * i + 3] = (uint32_t)pdps[3 - i];
    }

    return emit_lri_n(b, pairs, 8);
}

/* A PML4 load: PDP0 only. */
static uint32_t emit_pml4(struct bb *b, uint64_t pml4)
{
    const uint32_t pairs[4] = {
        PDP_UDW(0), pml4 >> 32, PDP_LDW(0), (uint32_t)pml4,
    };

    return emit_lri_n(b, pairs, 2);
}

/* Value dword of pair i of the LRI at dword at: copy and guest memory. */
static uint32_t copy_val(const struct env *e, uint32_t at, unsigned int i)
{
    return run_dw(&e->r, 0, at + 2 + 2 * i);
}

static uint32_t guest_val(struct env *e, uint32_t at, unsigned int i)
{
    return mem_peek(&e->m, GPU_SPACE_GGTT, RING + DW(at + 2 + 2 * i));
}

/* The copy of an emit_pdps() LRI carries sh, the guest's still pdps. */
static void assert_pdps_redirected(struct env *e, uint32_t at,
                                   const uint64_t sh[4],
                                   const uint64_t pdps[4])
{
    unsigned int i;

    for ( i = 0; i < 4; i++ )
    {
        assert_int_equal(copy_val(e, at, 2 * i), sh[3 - i] >> 32);
        assert_int_equal(copy_val(e, at, 2 * i + 1), (uint32_t)sh[3 - i]);
        assert_int_equal(guest_val(e, at, 2 * i), pdps[3 - i] >> 32);
        assert_int_equal(guest_val(e, at, 2 * i + 1), (uint32_t)pdps[3 - i]);
    }
}

static unsigned int pins_of(struct env *e, uint64_t root)
{
    unsigned int n = 0;

    while ( gtt_ppgtt_unpin(e->f.v, root) == GTT_OK )
        n++;

    return n;
}

/*
 * (a) Loads of the context's level are redirected: a 3-level context
 * loading the same four PDPs twice, a 4-level one loading two PML4s.
 */
static void test_ring_loads_redirected(void **state)
{
    struct env e;
    uint64_t sh3[4], sh4[4], shb[4];
    uint64_t roots3[1] = { GPA(L3_PD0) }, roots4[2] = { GPA(PML4), GPA(L4B) };
    uint32_t a3, a3b, a4, a4b;

    (void)state;
    env_init(&e, 0);
    emit_noops(&e.ring, 1);
    a3 = emit_pdps(&e.ring, l3_pdps);
    emit_noops(&e.ring, 3);
    a3b = emit_pdps(&e.ring, l3_pdps);
    env_audit(&e);
    assert_int_equal(gpu_audit_nr_notes(e.r.sub), 8 + 8);

    assert_int_equal(gtt_submit_apply_pdp_loads(e.f.v, e.r.sub, GTT_ROOT_L3,
                                                &e.pins), GTT_OK);
    assert_int_equal(e.pins.nr, 1);
    assert_int_equal(fx_stats(&e.f).address_spaces, 1);
    /* The engine's shadow roots, as a second pin reports them. */
    assert_int_equal(gtt_ppgtt_pin(e.f.v, GPA(L3_PD0), sh3), GTT_OK);
    assert_int_equal(gtt_ppgtt_unpin(e.f.v, GPA(L3_PD0)), GTT_OK);
    assert_int_not_equal(sh3[0], sh3[2]);
    assert_pdps_redirected(&e, a3, sh3, l3_pdps);
    assert_pdps_redirected(&e, a3b, sh3, l3_pdps);
    fx_assert_maps(&e.f, GPA(L3_PD0), GB(2), DATA + 1);
    assert_int_equal(gtt_ppgtt_destroy(e.f.v, GPA(L3_PD0)), GTT_ERR_IN_USE);
    gtt_submit_release(e.f.v, &e.pins);
    assert_int_equal(e.pins.nr, 0);
    assert_int_equal(pins_of(&e, GPA(L3_PD0)), 0);
    env_fini(&e, roots3, 1);

    env_init(&e, 0);
    a4 = emit_pml4(&e.ring, GPA(PML4));
    emit_noops(&e.ring, 3);
    a4b = emit_pml4(&e.ring, GPA(L4B));
    env_audit(&e);
    assert_int_equal(gtt_submit_apply_pdp_loads(e.f.v, e.r.sub, GTT_ROOT_L4,
                                                &e.pins), GTT_OK);
    assert_int_equal(e.pins.nr, 2);
    assert_int_equal(gtt_ppgtt_pin(e.f.v, GPA(PML4), sh4), GTT_OK);
    assert_int_equal(gtt_ppgtt_pin(e.f.v, GPA(L4B), shb), GTT_OK);
    assert_int_equal(gtt_ppgtt_unpin(e.f.v, GPA(PML4)), GTT_OK);
    assert_int_equal(gtt_ppgtt_unpin(e.f.v, GPA(L4B)), GTT_OK);
    assert_true(sh4[0] >> GTT_PAGE_SHIFT >= FAKE_XEN_MFN_BASE);
    assert_int_equal(copy_val(&e, a4, 0), sh4[0] >> 32);
    assert_int_equal(copy_val(&e, a4, 1), (uint32_t)sh4[0]);
    assert_int_equal(copy_val(&e, a4b, 1), (uint32_t)shb[0]);
    assert_int_equal(guest_val(&e, a4, 0), 0);
    assert_int_equal(guest_val(&e, a4, 1), (uint32_t)GPA(PML4));
    /* Only the value dwords changed: the registers are the guest's. */
    assert_int_equal(run_dw(&e.r, 0, a4 + 1), PDP_UDW(0));
    assert_int_equal(run_dw(&e.r, 0, a4 + 3), PDP_LDW(0));
    /* What the GPU reaches through them: the guest's data. */
    fx_assert_maps(&e.f, GPA(PML4), 0, DATA);
    fx_assert_maps(&e.f, GPA(L4B), 0, DATA + 2);

    /* Held: not destroyed; released: one pin each, gone. */
    assert_int_equal(gtt_ppgtt_destroy(e.f.v, GPA(PML4)), GTT_ERR_IN_USE);
    gtt_submit_release(e.f.v, &e.pins);
    assert_int_equal(pins_of(&e, GPA(PML4)), 0);
    assert_int_equal(pins_of(&e, GPA(L4B)), 0);
    env_fini(&e, roots4, 2);
}

/*
 * A load of the other level than the context's is refused, however valid
 * its roots (found by the isolation checker: a 3-level load in a 4-level
 * context made the GPU walk a shadow page directory as a PML4, and the
 * guest's own data frames as page tables).
 */
static void test_level_mismatch_refused(void **state)
{
    struct env e;
    uint32_t at, i;
    unsigned int ctx;

    (void)state;
    for ( ctx = GTT_ROOT_L3; ctx <= GTT_ROOT_L4; ctx++ )
    {
        env_init(&e, 0);
        at = ctx == GTT_ROOT_L4 ? emit_pdps(&e.ring, l3_pdps)
                                : emit_pml4(&e.ring, GPA(PML4));
        env_audit(&e);
        assert_int_equal(gtt_submit_apply_pdp_loads(e.f.v, e.r.sub, ctx,
                                                    &e.pins),
                         GTT_ERR_BAD_ROOT);
        assert_int_equal(e.pins.nr, 0);
        assert_int_equal(fx_stats(&e.f).address_spaces, 0);
        for ( i = 0; i < (ctx == GTT_ROOT_L4 ? 8u : 2u); i++ )
            assert_int_equal(copy_val(&e, at, i), guest_val(&e, at, i));
        /* No context, no PPGTT: any load is refused. */
        assert_int_equal(gtt_submit_apply_pdp_loads(e.f.v, e.r.sub, 0,
                                                    &e.pins),
                         GTT_ERR_BAD_ROOT);
        env_fini(&e, NULL, 0);
    }
}

/* A space the guest announced is used, not created again. */
static void test_known_space(void **state)
{
    struct env e;
    uint64_t pml4[4] = { GPA(PML4) }, roots[1] = { GPA(PML4) };
    uint64_t other[4];

    (void)state;
    env_init(&e, 0);
    assert_int_equal(gtt_ppgtt_create(e.f.v, GTT_ROOT_L4, pml4), GTT_OK);
    /* 3-level with PDP0 = that PML4: not the same space. */
    memcpy(other, l3_pdps, sizeof(other));
    other[0] = GPA(PML4);
    emit_pdps(&e.ring, other);
    env_audit(&e);
    assert_int_equal(gtt_submit_apply_pdp_loads(e.f.v, e.r.sub, GTT_ROOT_L3,
                                                &e.pins), GTT_ERR_BAD_ROOT);
    assert_int_equal(e.pins.nr, 0);
    env_sub_done(&e);

    e.ring.pos = 0;
    emit_pml4(&e.ring, GPA(PML4));
    env_audit(&e);
    assert_int_equal(gtt_submit_apply_pdp_loads(e.f.v, e.r.sub, GTT_ROOT_L4,
                                                &e.pins), GTT_OK);
    assert_int_equal(fx_stats(&e.f).address_spaces, 1);
    gtt_submit_release(e.f.v, &e.pins);
    /* Still the guest's: one create, one destroy. */
    env_fini(&e, roots, 1);
}

/* A 3-level space is named by PDP0: other PDPs under that name refused. */
static void test_l3_name_clash(void **state)
{
    struct env e;
    uint64_t other[4], sh[4], roots[1] = { GPA(L3_PD0) };
    unsigned int known;

    (void)state;
    memcpy(other, l3_pdps, sizeof(other));
    other[3] = GPA(L3_PD0 + 5);
    for ( known = 0; known < 2; known++ )
    {
        env_init(&e, 0);
        /* Known to the engine, or loaded earlier in the same ring. */
        if ( known )
            assert_int_equal(gtt_submit_ctx_roots(e.f.v, GTT_ROOT_L3,
                                                  l3_pdps, sh), GTT_OK);
        else
            emit_pdps(&e.ring, l3_pdps);
        emit_pdps(&e.ring, other);
        env_audit(&e);
        assert_int_equal(gtt_submit_apply_pdp_loads(e.f.v, e.r.sub,
                                                    GTT_ROOT_L3, &e.pins),
                         GTT_ERR_BAD_ROOT);
        assert_int_equal(e.pins.nr, 0);
        if ( known )
        {
            assert_int_equal(gtt_submit_ctx_release(e.f.v, GPA(L3_PD0)),
                             GTT_OK);
            env_fini(&e, roots, 1);
        }
        else
        {
            assert_int_equal(gtt_sync(e.f.v), GTT_OK);
            assert_int_equal(fx_stats(&e.f).address_spaces, 0);
            env_fini(&e, NULL, 0);
        }
    }
}

struct bad_root {
    unsigned long gfn;
    unsigned int reason;
};

/* (b) A root that cannot be shadowed refuses the whole submission. */
static void check_refused(const struct bad_root *b, bool l3)
{
    struct env e;
    uint64_t pdps[4], good_root;
    uint32_t at, good, i;
    struct gtt_stats st;

    env_init(&e, 0);
    if ( b->reason == GTT_ERR_MMIO )
        fake_p2m_set(e.f.h.d1, b->gfn, 0, p2m_mmio_direct, NULL);
    else if ( b->reason == GTT_ERR_OTHER_OWNER )
        fake_p2m_set(e.f.h.d1, b->gfn, e.f.h.d2_ram_mfn + 1, p2m_ram_rw, e.f.h.d2);
    /* A good load first (of the same level): pinned, then undone. */
    memcpy(pdps, l3_pdps, sizeof(pdps));
    good_root = l3 ? GPA(L3_PD0 + 1) : GPA(PML4);
    if ( l3 )
    {
        const uint64_t rot[4] = { pdps[1], pdps[2], pdps[3], pdps[0] };

        good = emit_pdps(&e.ring, rot);
    }
    else
        good = emit_pml4(&e.ring, good_root);
    pdps[2] = GPA(b->gfn);
    at = l3 ? emit_pdps(&e.ring, pdps) : emit_pml4(&e.ring, GPA(b->gfn));
    env_audit(&e);

    assert_int_equal(gtt_submit_apply_pdp_loads(e.f.v, e.r.sub,
                                                l3 ? GTT_ROOT_L3 : GTT_ROOT_L4,
                                                &e.pins), b->reason);
    assert_int_equal(e.pins.nr, 0);
    assert_int_equal(gtt_sync(e.f.v), GTT_OK);
    st = fx_stats(&e.f);
    assert_int_equal(st.address_spaces, 0);
    assert_int_equal(st.refs_held, 0);
    assert_int_equal(st.refused[b->reason], 1);
    assert_int_equal(gtt_ppgtt_unpin(e.f.v, good_root), GTT_ERR_BAD_ROOT);
    /* The copy is the guest's. */
    for ( i = 0; i < (l3 ? 8u : 2u); i++ )
        assert_int_equal(copy_val(&e, good, i), guest_val(&e, good, i));
    for ( i = 0; i < (l3 ? 8u : 2u); i++ )
        assert_int_equal(copy_val(&e, at, i), guest_val(&e, at, i));
    env_fini(&e, NULL, 0);
}

static void test_bad_roots_refused(void **state)
{
    static const struct bad_root bad[] = {
        { 0x30, GTT_ERR_MMIO },
        { 0x31, GTT_ERR_OTHER_OWNER },
        { 0x5000, GTT_ERR_NOT_RAM },
    };
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(bad); i++ )
    {
        check_refused(&bad[i], false);
        check_refused(&bad[i], true);
    }
}

/* Loads that name no whole root, and submissions not accepted. */
static void test_partial_loads_refused(void **state)
{
    static const uint32_t loads[][5] = {
        /* pairs, then up to 2 (reg, value) */
        { 1, PDP_LDW(0), GPA(PML4) },
        { 2, PDP_LDW(0), GPA(PML4), PDP_UDW(1), 0 },
        { 2, PDP_LDW(1), GPA(PML4), PDP_UDW(1), 0 },
    };
    struct env e;
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(loads); i++ )
    {
        env_init(&e, 0);
        emit_lri_n(&e.ring, &loads[i][1], loads[i][0]);
        env_audit(&e);
        assert_int_equal(gtt_submit_apply_pdp_loads(e.f.v, e.r.sub,
                                                    GTT_ROOT_L4, &e.pins),
                         GTT_ERR_BAD_ROOT);
        assert_int_equal(e.pins.nr, 0);
        env_fini(&e, NULL, 0);
    }

    /* Two LRIs, each half a root: two loads, neither whole. */
    env_init(&e, 0);
    emit_lri(&e.ring, PDP_UDW(0), 0);
    emit_lri(&e.ring, PDP_LDW(0), GPA(PML4));
    env_audit(&e);
    assert_int_equal(gtt_submit_apply_pdp_loads(e.f.v, e.r.sub, GTT_ROOT_L4,
                                                &e.pins), GTT_ERR_BAD_ROOT);
    env_fini(&e, NULL, 0);

    /* Refused by the auditor: nothing to redirect, nothing pinned. */
    env_init(&e, 0);
    emit_pml4(&e.ring, GPA(PML4));
    emit_cmd(&e.ring, MI_CLIENT7, 1);
    if ( e.ring.pos & 1 )
        emit_noops(&e.ring, 1);
    run_keep(&e.r, &e.m, GEN, RCS, NULL, 0, 0,
             &(struct gpu_audit_ring){ .start = RING, .size = 4096,
                                       .tail = bb_off(&e.ring) });
    assert_int_not_equal(e.r.res.reason, XEN_GPU_AUDIT_OK);
    assert_int_equal(gtt_submit_apply_pdp_loads(e.f.v, e.r.sub, GTT_ROOT_L4,
                                                &e.pins), GTT_ERR_BAD_ROOT);
    assert_int_equal(fx_stats(&e.f).address_spaces, 0);
    env_fini(&e, NULL, 0);
}

#define GPR_LDW(n) (0x2600u + 8 * (n))

/* The engine's shadow roots of a space, as a second pin reports them. */
static void shadow_of(struct env *e, uint64_t root, uint64_t sh[4])
{
    assert_int_equal(gtt_ppgtt_pin(e->f.v, root, sh), GTT_OK);
    assert_int_equal(gtt_ppgtt_unpin(e->f.v, root), GTT_OK);
}

/* Write j of the auditor's PDP load record i: its index and value dword. */
static void assert_pdp_write(struct env *e, unsigned int i, unsigned int j,
                             unsigned int index, uint32_t val_dw)
{
    const struct gpu_audit_pdp_load *ld = gpu_audit_get_pdp_load(e->r.sub, i);
    const struct gpu_audit_pdp_write *w;

    assert_non_null(ld);
    w = gpu_audit_get_pdp_write(e->r.sub, ld, j);
    assert_non_null(w);
    assert_int_equal(w->index, index);
    assert_int_equal(w->offset, DW(val_dw));
    assert_int_equal(w->value, mem_peek(&e->m, GPU_SPACE_GGTT,
                                        RING + DW(val_dw)));
}

/*
 * One record per LRI that loads PDPs, whatever the order of its writes
 * and whatever else it loads, and exactly the named shadow halves written:
 * PDPs in a scrambled order; a PML4 load among GPRs with PDP0's low dword
 * written twice (every write carries the shadow, the last value counts).
 */
static void test_pdp_records(void **state)
{
    /* (PDP, high) in LRI order. */
    static const unsigned int order[8][2] = {
        { 2, 0 }, { 0, 1 }, { 3, 1 }, { 1, 0 },
        { 0, 0 }, { 3, 0 }, { 1, 1 }, { 2, 1 },
    };
    struct env e;
    uint64_t sh[4], roots3[1] = { GPA(L3_PD0) }, roots4[1] = { GPA(PML4) };
    uint32_t pairs[16], at, i;

    (void)state;
    env_init(&e, 0);
    for ( i = 0; i < 8; i++ )
    {
        unsigned int n = order[i][0];

        pairs[2 * i] = order[i][1] ? PDP_UDW(n) : PDP_LDW(n);
        pairs[2 * i + 1] = order[i][1] ? l3_pdps[n] >> 32 : (uint32_t)l3_pdps[n];
    }
    emit_noops(&e.ring, 2);
    at = emit_lri_n(&e.ring, pairs, 8);
    env_audit(&e);
    assert_int_equal(gpu_audit_nr_pdp_loads(e.r.sub), 1);
    assert_int_equal(gpu_audit_get_pdp_load(e.r.sub, 0)->buf, 0);
    assert_int_equal(gpu_audit_get_pdp_load(e.r.sub, 0)->offset, DW(at));
    assert_int_equal(gpu_audit_get_pdp_load(e.r.sub, 0)->nr, 8);
    for ( i = 0; i < 8; i++ )
        assert_pdp_write(&e, 0, i, 2 * order[i][0] + order[i][1],
                         at + 2 + 2 * i);
    assert_null(gpu_audit_get_pdp_write(e.r.sub,
                                        gpu_audit_get_pdp_load(e.r.sub, 0), 8));
    assert_int_equal(gtt_submit_apply_pdp_loads(e.f.v, e.r.sub, GTT_ROOT_L3,
                                                &e.pins), GTT_OK);
    shadow_of(&e, GPA(L3_PD0), sh);
    for ( i = 0; i < 8; i++ )
    {
        uint64_t root = sh[order[i][0]];

        assert_int_equal(copy_val(&e, at, i),
                         order[i][1] ? (uint32_t)(root >> 32) : (uint32_t)root);
        assert_int_equal(run_dw(&e.r, 0, at + 1 + 2 * i), pairs[2 * i]);
    }
    gtt_submit_release(e.f.v, &e.pins);
    env_fini(&e, roots3, 1);

    env_init(&e, 0);
    {
        const uint32_t mixed[12] = {
            GPR_LDW(0), 0x11111111, PDP_LDW(0), 0xdead000,
            GPR_LDW(1), 0x22222222, PDP_UDW(0), 0,
            PDP_LDW(0), GPA(PML4), GPR_LDW(2), 0x33333333,
        };

        at = emit_lri_n(&e.ring, mixed, 6);
        env_audit(&e);
        assert_int_equal(gpu_audit_nr_pdp_loads(e.r.sub), 1);
        assert_int_equal(gpu_audit_get_pdp_load(e.r.sub, 0)->nr, 3);
        assert_pdp_write(&e, 0, 0, 0, at + 4);
        assert_pdp_write(&e, 0, 1, 1, at + 8);
        assert_pdp_write(&e, 0, 2, 0, at + 10);
        assert_int_equal(gtt_submit_apply_pdp_loads(e.f.v, e.r.sub,
                                                    GTT_ROOT_L4, &e.pins),
                         GTT_OK);
        /* The space of the last value, not of the first. */
        assert_int_equal(e.pins.nr, 1);
        assert_int_equal(e.pins.space[0].guest[0], GPA(PML4));
        shadow_of(&e, GPA(PML4), sh);
        assert_int_equal(copy_val(&e, at, 1), (uint32_t)sh[0]);
        assert_int_equal(copy_val(&e, at, 3), sh[0] >> 32);
        assert_int_equal(copy_val(&e, at, 4), (uint32_t)sh[0]);
        /* The GPRs are the guest's. */
        assert_int_equal(copy_val(&e, at, 0), 0x11111111);
        assert_int_equal(copy_val(&e, at, 2), 0x22222222);
        assert_int_equal(copy_val(&e, at, 5), 0x33333333);
    }
    gtt_submit_release(e.f.v, &e.pins);
    env_fini(&e, roots4, 1);
}

/*
 * A load refused after others were redirected (a whole PML4 load, then an
 * LRI of PDP0's low dword only, then a root split over two LRIs): every
 * value dword is the guest's again, nothing stays pinned or created.
 */
static void test_pdp_refusal_undone(void **state)
{
    struct env e;
    uint32_t a, b, c, d;

    (void)state;
    env_init(&e, 0);
    a = emit_pml4(&e.ring, GPA(PML4));
    b = emit_lri(&e.ring, PDP_LDW(0), GPA(L4B));
    c = emit_lri(&e.ring, PDP_UDW(0), 0);
    d = emit_lri(&e.ring, PDP_LDW(0), GPA(L4B));
    env_audit(&e);
    assert_int_equal(gpu_audit_nr_pdp_loads(e.r.sub), 4);
    assert_int_equal(gpu_audit_get_pdp_load(e.r.sub, 1)->offset, DW(b));
    assert_int_equal(gpu_audit_get_pdp_load(e.r.sub, 2)->offset, DW(c));
    assert_int_equal(gpu_audit_get_pdp_load(e.r.sub, 3)->offset, DW(d));
    assert_int_equal(gtt_submit_apply_pdp_loads(e.f.v, e.r.sub, GTT_ROOT_L4,
                                                &e.pins), GTT_ERR_BAD_ROOT);
    assert_int_equal(e.pins.nr, 0);
    assert_int_equal(fx_stats(&e.f).address_spaces, 0);
    assert_int_equal(copy_val(&e, a, 0), guest_val(&e, a, 0));
    assert_int_equal(copy_val(&e, a, 1), (uint32_t)GPA(PML4));
    assert_int_equal(copy_val(&e, b, 0), (uint32_t)GPA(L4B));
    env_fini(&e, NULL, 0);
}

/* More distinct spaces than a submission may hold. */
static void test_too_many_spaces(void **state)
{
    struct env e;
    uint64_t roots[GTT_SUBMIT_MAX_SPACES + 1];
    unsigned int i;

    (void)state;
    env_init(&e, 0);
    for ( i = 0; i <= GTT_SUBMIT_MAX_SPACES; i++ )
    {
        build_l4(&e.f, 0x200 + 4 * i, DATA);
        roots[i] = GPA(0x200 + 4 * i);
        emit_pml4(&e.ring, roots[i]);
    }
    env_audit(&e);
    assert_int_equal(gtt_submit_apply_pdp_loads(e.f.v, e.r.sub, GTT_ROOT_L4,
                                                &e.pins), GTT_ERR_QUOTA);
    assert_int_equal(fx_stats(&e.f).address_spaces, 0);

    /* One fewer: accepted. */
    env_sub_done(&e);
    e.ring.pos = 0;
    for ( i = 0; i < GTT_SUBMIT_MAX_SPACES; i++ )
        emit_pml4(&e.ring, roots[i]);
    env_audit(&e);
    assert_int_equal(gtt_submit_apply_pdp_loads(e.f.v, e.r.sub, GTT_ROOT_L4,
                                                &e.pins), GTT_OK);
    assert_int_equal(e.pins.nr, GTT_SUBMIT_MAX_SPACES);
    gtt_submit_release(e.f.v, &e.pins);
    env_fini(&e, roots, GTT_SUBMIT_MAX_SPACES);
}

/* (c) Context roots: pins balance, shared by two contexts. */
static void test_ctx_roots(void **state)
{
    struct env e;
    uint64_t sh[4], sh2[4], pml4[4] = { GPA(PML4) };
    uint64_t roots[2] = { GPA(PML4), GPA(L3_PD0) };
    unsigned int i;

    (void)state;
    env_init(&e, 0);
    emit_noops(&e.ring, 2);
    env_audit(&e);
    assert_int_equal(gtt_submit_ctx_roots(e.f.v, GTT_ROOT_L4, pml4, sh),
                     GTT_OK);
    assert_int_equal(gtt_submit_ctx_roots(e.f.v, GTT_ROOT_L4, pml4, sh2),
                     GTT_OK);
    assert_memory_equal(sh, sh2, sizeof(sh));
    assert_int_equal(sh[1], 0);
    assert_int_equal(fx_stats(&e.f).address_spaces, 1);
    assert_int_equal(gtt_submit_ctx_roots(e.f.v, GTT_ROOT_L3, l3_pdps, sh),
                     GTT_OK);
    for ( i = 0; i < 4; i++ )
        assert_int_not_equal(sh[i], 0);
    /* Same PDP0, other level: refused, nothing pinned. */
    assert_int_equal(gtt_submit_ctx_roots(e.f.v, GTT_ROOT_L3,
                                          (uint64_t[4]){ GPA(PML4) }, sh2),
                     GTT_ERR_BAD_ROOT);
    assert_int_equal(gtt_submit_ctx_roots(e.f.v, 2, pml4, sh2),
                     GTT_ERR_BAD_ROOT);

    assert_int_equal(gtt_ppgtt_destroy(e.f.v, GPA(PML4)), GTT_ERR_IN_USE);
    assert_int_equal(gtt_submit_ctx_release(e.f.v, GPA(PML4)), GTT_OK);
    assert_int_equal(gtt_ppgtt_destroy(e.f.v, GPA(PML4)), GTT_ERR_IN_USE);
    assert_int_equal(gtt_submit_ctx_release(e.f.v, GPA(PML4)), GTT_OK);
    assert_int_equal(gtt_submit_ctx_release(e.f.v, GPA(PML4)),
                     GTT_ERR_BAD_ROOT);
    assert_int_equal(gtt_submit_ctx_release(e.f.v, GPA(L3_PD0)), GTT_OK);
    env_fini(&e, roots, 2);
}

/* (c) A held space survives quota pressure; the others give way. */
static void test_held_not_reclaimed(void **state)
{
    struct env e;
    uint64_t sh[4], b[4] = { GPA(L4B) }, c[4] = { GPA(0x60) };
    uint64_t roots[3] = { GPA(PML4), GPA(L4B), GPA(0x60) };

    (void)state;
    env_init(&e, 8);                  /* two 4-level spaces */
    build_l4(&e.f, 0x60, DATA + 3);
    emit_pml4(&e.ring, GPA(PML4));
    env_audit(&e);
    assert_int_equal(gtt_submit_apply_pdp_loads(e.f.v, e.r.sub, GTT_ROOT_L4,
                                                &e.pins), GTT_OK);
    /* B is the least recently used: the third space takes its pages. */
    assert_int_equal(gtt_ppgtt_create(e.f.v, GTT_ROOT_L4, b), GTT_OK);
    assert_int_equal(gtt_ppgtt_create(e.f.v, GTT_ROOT_L4, c), GTT_OK);
    assert_int_equal(fx_stats(&e.f).reclaims, 1);
    fx_assert_maps(&e.f, GPA(PML4), 0, DATA);
    /* A context holds C: B has no room for its shadow. */
    assert_int_equal(gtt_submit_ctx_roots(e.f.v, GTT_ROOT_L4, c, sh),
                     GTT_OK);
    assert_int_equal(gtt_submit_ctx_roots(e.f.v, GTT_ROOT_L4, b, sh),
                     GTT_ERR_QUOTA);
    fx_assert_maps(&e.f, GPA(PML4), 0, DATA);
    fx_assert_maps(&e.f, GPA(0x60), 0, DATA + 3);
    assert_int_equal(fx_stats(&e.f).reclaims, 1);

    /* Released, the ring's space is the one to go. */
    gtt_submit_release(e.f.v, &e.pins);
    assert_int_equal(gtt_submit_ctx_roots(e.f.v, GTT_ROOT_L4, b, sh),
                     GTT_OK);
    assert_int_equal(fx_stats(&e.f).reclaims, 2);
    fx_assert_maps(&e.f, GPA(L4B), 0, DATA + 2);
    assert_int_equal(gtt_submit_ctx_release(e.f.v, GPA(L4B)), GTT_OK);
    assert_int_equal(gtt_submit_ctx_release(e.f.v, GPA(0x60)), GTT_OK);
    env_fini(&e, roots, 3);
}

/* (d) Every allocation of the glue fails once: nothing left behind. */
static void test_alloc_failure_sweep(void **state)
{
    struct env e;
    uint64_t sh[4], roots[2] = { GPA(PML4), GPA(L3_PD0) };
    uint32_t a4, a4b;
    long n;
    int rc = -1;

    (void)state;
    env_init(&e, 0);
    a4 = emit_pml4(&e.ring, GPA(PML4));
    a4b = emit_pml4(&e.ring, GPA(L4B));
    env_audit(&e);
    for ( n = 0; rc != GTT_OK; n++ )
    {
        host_alloc_stats.fail_after = n;
        rc = gtt_submit_apply_pdp_loads(e.f.v, e.r.sub, GTT_ROOT_L4,
                                        &e.pins);
        host_alloc_stats.fail_after = -1;
        if ( rc == GTT_OK )
            break;
        assert_int_equal(rc, GTT_ERR_NO_MEMORY);
        assert_int_equal(e.pins.nr, 0);
        assert_int_equal(gtt_sync(e.f.v), GTT_OK);
        assert_int_equal(fx_stats(&e.f).address_spaces, 0);
        assert_int_equal(fx_stats(&e.f).shadow_pages, 0);
        assert_int_equal(fx_stats(&e.f).refs_held, 0);
        assert_int_equal(copy_val(&e, a4, 1), (uint32_t)GPA(PML4));
    }
    assert_true(n > 3);
    assert_int_equal(gtt_ppgtt_pin(e.f.v, GPA(PML4), sh), GTT_OK);
    assert_int_equal(copy_val(&e, a4, 1), (uint32_t)sh[0]);
    assert_int_equal(gtt_ppgtt_unpin(e.f.v, GPA(PML4)), GTT_OK);
    assert_int_equal(gtt_ppgtt_pin(e.f.v, GPA(L4B), sh), GTT_OK);
    assert_int_equal(copy_val(&e, a4b, 1), (uint32_t)sh[0]);
    assert_int_equal(gtt_ppgtt_unpin(e.f.v, GPA(L4B)), GTT_OK);
    gtt_submit_release(e.f.v, &e.pins);
    assert_int_equal(gtt_ppgtt_destroy(e.f.v, GPA(L4B)), GTT_OK);

    /* Context roots, likewise. */
    rc = -1;
    for ( n = 0; rc != GTT_OK; n++ )
    {
        host_alloc_stats.fail_after = n;
        rc = gtt_submit_ctx_roots(e.f.v, GTT_ROOT_L3, l3_pdps, sh);
        host_alloc_stats.fail_after = -1;
        if ( rc == GTT_OK )
            break;
        assert_int_equal(rc, GTT_ERR_NO_MEMORY);
        assert_int_equal(gtt_submit_ctx_release(e.f.v, GPA(L3_PD0)),
                         GTT_ERR_BAD_ROOT);
        assert_int_equal(fx_stats(&e.f).address_spaces, 1);
    }
    assert_true(n > 1);
    assert_int_equal(gtt_submit_ctx_release(e.f.v, GPA(L3_PD0)), GTT_OK);
    env_fini(&e, roots, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring_loads_redirected),
        cmocka_unit_test(test_level_mismatch_refused),
        cmocka_unit_test(test_known_space),
        cmocka_unit_test(test_l3_name_clash),
        cmocka_unit_test(test_bad_roots_refused),
        cmocka_unit_test(test_partial_loads_refused),
        cmocka_unit_test(test_pdp_records),
        cmocka_unit_test(test_pdp_refusal_undone),
        cmocka_unit_test(test_too_many_spaces),
        cmocka_unit_test(test_ctx_roots),
        cmocka_unit_test(test_held_not_reclaimed),
        cmocka_unit_test(test_alloc_failure_sweep),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
