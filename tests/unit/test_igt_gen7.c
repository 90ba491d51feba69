/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The rows of IGT gen7_exec_parse that apply to Gen8/Gen9, on the render
 * engine of both generations (PPGTT batches).
 *
 * Where we differ from i915:
 *  - test-lri-OASTATUS2 (0x2368), test-lri-OACONTROL (0x2360): i915 v>=8
 *    lets the batch run and the hardware turns the non-privileged write
 *    into a no-op; we refuse the submission (REG_DENIED).  We do not rely
 *    on the hardware's non-privileged batch protection.
 *  - bitmasks: i915 v>=8 runs it with the MMIO write dropped; we refuse
 *    a PIPE_CONTROL LRI post-op to a register outside the whitelist.
 *  - load-register-reg from a forbidden register: i915 v>=8 runs it (the
 *    hardware drops the access); we refuse it.
 */
#include "harness.h"

#define RCS        XEN_GPU_ENGINE_RCS
#define BATCH      0x100000ull
#define BATCH2     0x400000ull
#define SCRATCH    0x800000ull

#define GPR(n)     (0x2600u + 8 * (n))

static struct bb b;
static const unsigned int gens[] = { 8, 9 };

static void fresh(uint32_t batch_bytes)
{
    mem_free(&fx_mem);
    mem_init(&fx_mem);
    bb_add(&b, &fx_mem, GPU_SPACE_PPGTT, BATCH, batch_bytes);
    mem_add(&fx_mem, GPU_SPACE_PPGTT, SCRATCH, 4096);
}

static int setup(void **state)
{
    fixture_setup(state);
    fresh(4096);
    return 0;
}

/* The batch as built, on one engine, on both generations. */
static void expect_on(unsigned int engine, uint32_t reason, uint32_t buffer,
                      uint32_t offset)
{
    unsigned int i;
    struct audit_res res;

    for ( i = 0; i < ARRAY_SIZE(gens); i++ )
    {
        audit(&fx_mem, gens[i], engine, GPU_SPACE_PPGTT, BATCH, &res);
        assert_verdict(&res, reason, buffer, offset);
    }
}

static void expect(uint32_t reason, uint32_t buffer, uint32_t offset)
{
    expect_on(RCS, reason, buffer, offset);
}

static void test_basic_allowed(void **state)
{
    (void)state;
    emit_pipe_control(&b, PC_QW_WRITE, SCRATCH, false);
    emit_bbe(&b);
    expect(XEN_GPU_AUDIT_OK, 0, 0);
}

static void test_basic_offset(void **state)
{
    unsigned int start;

    (void)state;
    for ( start = 0; start < 4; start++ )
    {
        fresh(4096);
        emit_noops(&b, start * 4);
        emit_pipe_control(&b, PC_QW_WRITE, SCRATCH, false);
        emit_bbe(&b);
        expect(XEN_GPU_AUDIT_OK, 0, 0);
    }
}

static void test_basic_rejected(void **state)
{
    static const unsigned int engines[] = {
        XEN_GPU_ENGINE_RCS, XEN_GPU_ENGINE_BCS, XEN_GPU_ENGINE_VCS,
        XEN_GPU_ENGINE_VCS2, XEN_GPU_ENGINE_VECS,
    };
    unsigned int i;

    (void)state;
    bb_emit(&b, MI_CLIENT7);
    emit_bbe(&b);
    for ( i = 0; i < ARRAY_SIZE(engines); i++ )
        expect_on(engines[i], XEN_GPU_AUDIT_UNKNOWN_CMD, 0, 0);

    b.pos = 0;
    bb_emit(&b, MI_SET_CONTEXT | 32);
    emit_bbe(&b);
    expect(XEN_GPU_AUDIT_PRIVILEGED_CMD, 0, 0);
}

static void check_lri(uint32_t reg, uint32_t reason)
{
    uint32_t at;

    fresh(4096);
    emit_noops(&b, 2);
    at = emit_lri(&b, reg, 0xdeadbeef);
    emit_bbe(&b);
    expect(reason, 0, reason ? DW(at) : 0);
}

static void test_lri_oastatus2(void **state)
{
    (void)state;
    /* Hardware would drop the write; we refuse the batch. */
    check_lri(0x2368, XEN_GPU_AUDIT_REG_DENIED);
}

static void test_lri_so_write_offset_0(void **state)
{
    (void)state;
    /* Whitelisted, as in i915: the register is written. */
    assert_non_null(gpu_audit_reg_lookup(table_for(9), 0x5280));
    assert_non_null(gpu_audit_reg_lookup(table_for(8), 0x5280));
    check_lri(0x5280, XEN_GPU_AUDIT_OK);
}

static void test_lri_oacontrol(void **state)
{
    (void)state;
    check_lri(0x2360, XEN_GPU_AUDIT_REG_DENIED);
}

static void test_lri_gpr(void **state)
{
    (void)state;
    check_lri(GPR(0), XEN_GPU_AUDIT_OK);
    check_lri(GPR(15) + 4, XEN_GPU_AUDIT_OK);
}

static void check_pipe_control_lri(uint32_t reg, uint32_t reason)
{
    uint32_t at;

    fresh(4096);
    /* Post-sync LRI: DW2 is the register, DW4 the value. */
    at = emit_pipe_control(&b, PC_QW_WRITE | PC_LRI_POST_OP, reg, false);
    emit_bbe(&b);
    expect(reason, 0, reason ? DW(at) : 0);
}

static void test_bitmasks(void **state)
{
    (void)state;
    check_pipe_control_lri(0x2368, XEN_GPU_AUDIT_REG_DENIED);
    check_pipe_control_lri(0x2038, XEN_GPU_AUDIT_REG_DENIED);
    check_pipe_control_lri(GPR(3), XEN_GPU_AUDIT_OK);
}

static void test_batch_without_end(void **state)
{
    (void)state;
    emit_noops(&b, 1024);
    expect(XEN_GPU_AUDIT_NO_END, 0, 4096);
}

static void check_crossing(uint32_t reg, uint32_t reason)
{
    uint32_t at;

    fresh(8192);
    emit_noops(&b, 1023);
    at = emit_lri(&b, reg, 0x1234);
    assert_int_equal(DW(at), 4092);
    emit_srm(&b, reg, SCRATCH, false);
    emit_bbe(&b);
    expect(reason, 0, reason ? 4092 : 0);
}

static void test_cmd_crossing_page(void **state)
{
    (void)state;
    check_crossing(GPR(0), XEN_GPU_AUDIT_OK);
    /* IGT's register, as in i915. */
    check_crossing(0x5280, XEN_GPU_AUDIT_OK);
}

static void test_chained_batch(void **state)
{
    struct bb b2;

    (void)state;
    bb_add(&b2, &fx_mem, GPU_SPACE_PPGTT, BATCH2, 4096);
    emit_bb_start(&b, BATCH2, true, false);
    emit_pipe_control(&b2, PC_QW_WRITE, SCRATCH, false);
    emit_bbe(&b2);
    expect(XEN_GPU_AUDIT_OK, 0, 0);

    /* The second batch is audited: a GGTT write outside the slice fails. */
    b2.pos = 0;
    emit_pipe_control(&b2, PC_QW_WRITE, 0x10000000, true);
    expect(XEN_GPU_AUDIT_GGTT_RANGE, 1, 0);
}

static void check_lrr(uint32_t src, uint32_t dst, uint32_t reason)
{
    uint32_t at;

    fresh(4096);
    emit_noops(&b, 1);
    at = emit_lrr(&b, src, dst);
    emit_bbe(&b);
    expect(reason, 0, reason ? DW(at) : 0);
}

static void test_load_register_reg(void **state)
{
    static const uint32_t bad_src[] = { 0, 0x2360, 0x44050, 0x2038 };
    unsigned int i;

    (void)state;
    check_lrr(GPR(1), GPR(0), XEN_GPU_AUDIT_OK);
    check_lrr(GPR(0) + 4, GPR(15), XEN_GPU_AUDIT_OK);
    /* IGT's allowed source: SO_WRITE_OFFSET_0 into a GPR. */
    check_lrr(0x5280, GPR(0), XEN_GPU_AUDIT_OK);
    for ( i = 0; i < ARRAY_SIZE(bad_src); i++ )
        check_lrr(bad_src[i], GPR(0), XEN_GPU_AUDIT_REG_DENIED);
    /* And the other direction: a GPR into a forbidden register. */
    check_lrr(GPR(0), 0x2038, XEN_GPU_AUDIT_REG_DENIED);
    /* Read-only counters cannot be written. */
    check_lrr(GPR(0), 0x2358, XEN_GPU_AUDIT_REG_DENIED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, fixture_teardown)
        T(test_basic_allowed),
        T(test_basic_offset),
        T(test_basic_rejected),
        T(test_lri_oastatus2),
        T(test_lri_so_write_offset_0),
        T(test_lri_oacontrol),
        T(test_lri_gpr),
        T(test_bitmasks),
        T(test_batch_without_end),
        T(test_cmd_crossing_page),
        T(test_chained_batch),
        T(test_load_register_reg),
#undef T
    };

    return cmocka_run_group_tests_name("igt_gen7", tests, NULL, NULL);
}
