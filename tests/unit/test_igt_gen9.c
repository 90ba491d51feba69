/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IGT gen9_exec_parse, row by row, as guest submissions on the Gen9 blitter
 * (PPGTT batches), with the verdicts of our auditor.
 *
 * Where we differ from i915:
 *  - bb-chained: i915 lets the jump leave the parsed batch unparsed and the
 *    test checks that the second object's store does NOT happen (the jump
 *    is refused at execution).  We follow chains: the second buffer is
 *    copied and audited like the first, so the chain is accepted when the
 *    second buffer is clean and refused when it is not.
 *  - bb-start-out: i915 refuses a jump outside the batch object; we refuse
 *    it because the target is not mapped (JUMP_UNMAPPED).  A jump to other
 *    mapped guest memory would be followed and audited instead.
 *  - basic-rejected MI_SET_CONTEXT|32: in a 4 KiB object the 34 dwords are
 *    all present, so we refuse the command itself (PRIVILEGED_CMD) rather
 *    than its length.
 *  - bb-large / bb-oversize: we bound a submission by vgpu.limits.max_bytes
 *    (default 64 MiB) rather than by the object size.
 */
#include "harness.h"

#define GEN        9
#define BCS        XEN_GPU_ENGINE_BCS
#define BATCH      0x100000ull
#define SCRATCH    0x800000ull
#define BATCH2     0x400000ull

#define BCS_SWCTRL 0x22200u
#define BCS_GPR(n) (0x22600u + 8 * (n))

static struct bb b;

static int setup(void **state)
{
    fixture_setup(state);
    bb_add(&b, &fx_mem, GPU_SPACE_PPGTT, BATCH, 4096);
    mem_add(&fx_mem, GPU_SPACE_PPGTT, SCRATCH, 4096);
    return 0;
}

static uint32_t run(struct audit_res *res)
{
    return audit(&fx_mem, GEN, BCS, GPU_SPACE_PPGTT, BATCH, res);
}

static void expect(uint32_t reason, uint32_t buffer, uint32_t offset)
{
    struct audit_res res;

    run(&res);
    assert_verdict(&res, reason, buffer, offset);
}

/* allowed-all / allowed-single ------------------------------------------- */

static void emit_allowed(struct bb *bb, unsigned int i)
{
    static const uint32_t one[] = {
        MI_NOOP, MI_USER_INTERRUPT, MI_WAIT_FOR_EVENT, MI_ARB_CHECK,
        MI_REPORT_HEAD, MI_FLUSH, MI_ARB_ON_OFF, MI_SUSPEND_FLUSH,
    };

    if ( i < ARRAY_SIZE(one) )
        bb_emit(bb, one[i]);
    else if ( i == ARRAY_SIZE(one) )
        emit_flush_dw(bb, SCRATCH, false, false);
    else if ( i == ARRAY_SIZE(one) + 1 )
        emit_cmd(bb, MI_LOAD_SCAN_LINES_INCL, 2);
    else
        emit_cmd(bb, MI_LOAD_SCAN_LINES_EXCL, 2);
}

#define NR_ALLOWED 11

static void test_allowed_all(void **state)
{
    unsigned int i;

    (void)state;
    for ( i = 0; i < NR_ALLOWED; i++ )
        emit_allowed(&b, i);
    emit_bbe(&b);
    expect(XEN_GPU_AUDIT_OK, 0, 0);
}

static void test_allowed_single(void **state)
{
    unsigned int i;

    for ( i = 0; i < NR_ALLOWED; i++ )
    {
        fixture_teardown(state);
        setup(state);
        emit_allowed(&b, i);
        emit_bbe(&b);
        expect(XEN_GPU_AUDIT_OK, 0, 0);
    }
}

/* bb-start-* -------------------------------------------------------------- */

/* IGT's loop: 4 NOOPs, SDI, SDI, COND_BBE, ARB_CHECK, BB_START(target). */
static uint32_t emit_bb_start_test(struct bb *bb, uint64_t target)
{
    emit_noops(bb, 4);
    emit_sdi(bb, SCRATCH, 1, false, false);
    emit_sdi(bb, SCRATCH + 4, 2, false, false);
    emit_cond_bbe(bb, SCRATCH, false);
    bb_emit(bb, MI_ARB_CHECK);
    return emit_bb_start(bb, target, true, false);
}

static void test_bb_start_param(void **state)
{
    uint32_t at;

    (void)state;
    /* dw 5: the address operand of the first SDI */
    at = emit_bb_start_test(&b, BATCH + DW(5));
    expect(XEN_GPU_AUDIT_JUMP_MID_CMD, 0, DW(at));
}

static void test_bb_start_out(void **state)
{
    struct audit_res res;

    (void)state;
    emit_bb_start_test(&b, BATCH + 0xf00d0000ull);
    run(&res);
    /* The verdict names the (empty) target buffer at its first byte. */
    assert_verdict(&res, XEN_GPU_AUDIT_JUMP_UNMAPPED, 1, 0);
    assert_int_equal(res.gaddr, BATCH + 0xf00d0000ull);
}

static void check_loop_accepted(uint32_t at)
{
    struct audit_run r;
    const struct gpu_audit_reloc *rel;

    run_keep(&r, &fx_mem, GEN, BCS, NULL, GPU_SPACE_PPGTT, BATCH, NULL);
    assert_int_equal(r.res.reason, XEN_GPU_AUDIT_OK);
    assert_int_equal(gpu_audit_nr_bufs(r.sub), 1);
    assert_int_equal(gpu_audit_nr_relocs(r.sub), 1);
    rel = gpu_audit_get_reloc(r.sub, 0);
    assert_int_equal(rel->buf, 0);
    assert_int_equal(rel->offset, DW(at + 1));
    assert_int_equal(rel->target_buf, 0);
    assert_int_equal(rel->target_offset, DW(8));
    run_done(&r);
}

static void test_bb_start_cmd(void **state)
{
    (void)state;
    check_loop_accepted(emit_bb_start_test(&b, BATCH + DW(8)));
}

static void test_bb_start_far(void **state)
{
    (void)state;
    emit_bb_start_test(&b, 0);
    /* Rebuild with the jump in the last three dwords of the 4 KiB batch. */
    b.pos -= 3;
    emit_noops(&b, 1024 - 3 - b.pos);
    check_loop_accepted(emit_bb_start(&b, BATCH + DW(8), true, false));
    assert_int_equal(b.pos, 1024);
}

static void test_bb_secure(void **state)
{
    uint32_t at;

    (void)state;
    at = emit_bb_start_test(&b, BATCH + DW(8));
    b.r->dw[at] &= ~BB_PPGTT;
    expect(XEN_GPU_AUDIT_JUMP_SPACE, 0, DW(at));
}

/* bb-chained: we follow the chain and audit the second buffer. */
static void build_chain(uint32_t second_cmd_reg)
{
    struct bb b2;

    bb_add(&b2, &fx_mem, GPU_SPACE_PPGTT, BATCH2, 4096);
    emit_bb_start(&b, BATCH2, true, false);
    if ( second_cmd_reg )
        emit_lri(&b2, second_cmd_reg, 1);
    emit_sdi(&b2, SCRATCH, 0xbaadf00d, false, false);
    emit_bbe(&b2);
}

static void test_bb_chained(void **state)
{
    struct audit_run r;

    (void)state;
    build_chain(0);
    run_keep(&r, &fx_mem, GEN, BCS, NULL, GPU_SPACE_PPGTT, BATCH, NULL);
    assert_int_equal(r.res.reason, XEN_GPU_AUDIT_OK);
    assert_int_equal(gpu_audit_nr_bufs(r.sub), 2);
    assert_int_equal(gpu_audit_get_buf(r.sub, 1)->gaddr, BATCH2);
    assert_int_equal(gpu_audit_get_buf(r.sub, 1)->scanned, DW(5));
    assert_int_equal(run_dw(&r, 1, 3), 0xbaadf00d);
    assert_int_equal(gpu_audit_get_reloc(r.sub, 0)->target_buf, 1);
    run_done(&r);
}

static void test_bb_chained_scanned(void **state)
{
    (void)state;
    build_chain(0x2038);            /* RING_START: forbidden */
    expect(XEN_GPU_AUDIT_REG_DENIED, 1, 0);
}

/* cmd-crossing-page, batch-without-end, batch-zero-length ----------------- */

static void test_cmd_crossing_page(void **state)
{
    uint32_t at;

    (void)state;
    /* The batch needs a second page. */
    mem_free(&fx_mem);
    bb_add(&b, &fx_mem, GPU_SPACE_PPGTT, BATCH, 8192);
    mem_add(&fx_mem, GPU_SPACE_PPGTT, SCRATCH, 4096);
    emit_noops(&b, 1023);
    at = emit_lri(&b, BCS_GPR(0), 0xbaadf00d);
    assert_int_equal(DW(at), 4092);
    emit_srm(&b, BCS_GPR(0), SCRATCH, false);
    emit_bbe(&b);
    expect(XEN_GPU_AUDIT_OK, 0, 0);
}

static void test_batch_without_end(void **state)
{
    (void)state;
    emit_noops(&b, 1024);
    expect(XEN_GPU_AUDIT_NO_END, 0, 4096);
}

static void test_batch_zero_length(void **state)
{
    (void)state;
    /* The object holds nothing at all: every dword is MI_NOOP. */
    expect(XEN_GPU_AUDIT_NO_END, 0, 4096);
}

/* basic-rejected ---------------------------------------------------------- */

static void test_basic_rejected(void **state)
{
    struct audit_res res;

    (void)state;
    bb_emit(&b, MI_CLIENT7);
    emit_bbe(&b);
    expect(XEN_GPU_AUDIT_UNKNOWN_CMD, 0, 0);

    /* MI_SET_CONTEXT | 32: 34 dwords, all inside the 4 KiB object. */
    b.pos = 0;
    bb_emit(&b, MI_SET_CONTEXT | 32);
    emit_bbe(&b);
    run(&res);
    assert_verdict(&res, XEN_GPU_AUDIT_PRIVILEGED_CMD, 0, 0);

    /* In an object that ends first, the length is what is wrong. */
    mem_free(&fx_mem);
    bb_add(&b, &fx_mem, GPU_SPACE_PPGTT, BATCH, 8);
    bb_emit(&b, MI_SET_CONTEXT | 32);
    emit_bbe(&b);
    expect(XEN_GPU_AUDIT_CMD_OVERRUN, 0, 0);
}

/* valid-registers, unaligned-access -------------------------------------- */

static void check_reg(uint32_t reg, uint32_t val, uint32_t reason, bool srm)
{
    uint32_t at;

    fixture_teardown(NULL);
    setup(NULL);
    at = srm ? emit_srm(&b, reg, SCRATCH, false) : emit_lri(&b, reg, val);
    emit_bbe(&b);
    expect(reason, 0, reason ? DW(at) : 0);
}

static void test_valid_registers(void **state)
{
    static const uint32_t denied[] = {
        0, 200000, 0x221ff, 0x221fe, 0x221fd, 0x221fc, 0x22204,
        0x225ff, 0x225fe, 0x225fd, 0x225fc, 0x22680,
    };
    unsigned int i, allowed = 0;

    (void)state;
    check_reg(BCS_SWCTRL, 0x00030003, XEN_GPU_AUDIT_OK, false);
    check_reg(BCS_SWCTRL, 0, XEN_GPU_AUDIT_OK, false);
    check_reg(BCS_SWCTRL, 0, XEN_GPU_AUDIT_OK, true);
    allowed++;
    for ( i = 0; i < 32; i++ )
    {
        uint32_t reg = 0x22600 + 4 * i;

        check_reg(reg, 0xffffffff, XEN_GPU_AUDIT_OK, false);
        check_reg(reg, 0, XEN_GPU_AUDIT_OK, false);
        check_reg(reg, 0, XEN_GPU_AUDIT_OK, true);
        allowed++;
    }
    assert_int_equal(allowed, 33);

    /* IGT's 11 rows list 0x225FF..0x225FC as one range: 12 offsets. */
    for ( i = 0; i < ARRAY_SIZE(denied); i++ )
    {
        check_reg(denied[i], 0, XEN_GPU_AUDIT_REG_DENIED, false);
        check_reg(denied[i], 0, XEN_GPU_AUDIT_REG_DENIED, true);
    }
}

static void test_valid_registers_mask(void **state)
{
    (void)state;
    /* BCS_SWCTRL enables only bits 0 and 1. */
    check_reg(BCS_SWCTRL, 0x00040004, XEN_GPU_AUDIT_REG_MASK, false);
    check_reg(BCS_SWCTRL, 0xffff0000, XEN_GPU_AUDIT_REG_MASK, false);
}

static void test_unaligned_access(void **state)
{
    int d;

    (void)state;
    /* Hardware ignores bits 1:0 of the offset: so does the auditor. */
    for ( d = -4; d <= 4; d++ )
    {
        check_reg(BCS_GPR(4) + d, 0xbaadf00d, XEN_GPU_AUDIT_OK, false);
        check_reg(BCS_GPR(4) + d, 0, XEN_GPU_AUDIT_OK, true);
    }
    /* Just below GPR0 and just above GPR15 the masked offset is outside. */
    check_reg(0x22600 - 1, 0, XEN_GPU_AUDIT_REG_DENIED, false);
    check_reg(0x2267f + 1, 0, XEN_GPU_AUDIT_REG_DENIED, true);
    check_reg(0x2267f, 0, XEN_GPU_AUDIT_OK, true);
}

/* unaligned-jump ---------------------------------------------------------- */

static void test_unaligned_jump(void **state)
{
    uint32_t dw, at;
    unsigned int starts = 0, mids = 0;
    struct audit_res res;

    (void)state;
    while ( b.pos < 1000 )
        emit_blt(&b);
    at = emit_bb_start(&b, 0, true, false);
    assert_int_equal(at, 1000);
    emit_bbe(&b);

    for ( dw = 0; DW(dw) < 4000; dw++ )
    {
        b.r->dw[at + 1] = BATCH + DW(dw);
        run(&res);
        if ( dw % BLT_DWS == 0 )
        {
            assert_verdict(&res, XEN_GPU_AUDIT_OK, 0, 0);
            starts++;
        }
        else
        {
            assert_verdict(&res, XEN_GPU_AUDIT_JUMP_MID_CMD, 0, DW(at));
            mids++;
        }
    }
    assert_int_equal(starts, 100);
    assert_int_equal(mids, 900);
}

/* bb-large-ish, bb-oversize ---------------------------------------------- */

static void build_big(uint32_t bytes)
{
    struct bb big;

    mem_free(&fx_mem);
    bb_add(&big, &fx_mem, GPU_SPACE_PPGTT, BATCH, bytes);
    big.pos = bytes / 4 - 16;          /* BBE 64 bytes before the end */
    emit_bbe(&big);
}

static void test_bb_large(void **state)
{
    struct audit_run r;

    (void)state;
    build_big(4u << 20);
    run_keep(&r, &fx_mem, GEN, BCS, NULL, GPU_SPACE_PPGTT, BATCH, NULL);
    assert_int_equal(r.res.reason, XEN_GPU_AUDIT_OK);
    assert_int_equal(gpu_audit_get_buf(r.sub, 0)->scanned, (4u << 20) - 60);
    assert_int_equal(gpu_audit_sub_commands(r.sub), (1u << 20) - 15);
    assert_int_equal(mem_max_reads(&fx_mem), 1);
    run_done(&r);
}

static void test_bb_oversize(void **state)
{
    struct audit_opts o;
    struct audit_res res;

    (void)state;
    audit_opts_default(&o);
    o.limits.max_bytes = 64u << 10;
    build_big(256u << 10);
    audit_with(&fx_mem, GEN, BCS, &o, GPU_SPACE_PPGTT, BATCH, &res);
    assert_int_equal(res.reason, XEN_GPU_AUDIT_LIMIT_BYTES);
    assert_int_equal(res.buffer, 0);

    /* Within the limit, the same batch shape is fine. */
    build_big(64u << 10);
    audit_with(&fx_mem, GEN, BCS, &o, GPU_SPACE_PPGTT, BATCH, &res);
    assert_int_equal(res.reason, XEN_GPU_AUDIT_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, fixture_teardown)
        T(test_allowed_all),
        T(test_allowed_single),
        T(test_bb_start_param),
        T(test_bb_start_out),
        T(test_bb_start_cmd),
        T(test_bb_start_far),
        T(test_bb_secure),
        T(test_bb_chained),
        T(test_bb_chained_scanned),
        T(test_cmd_crossing_page),
        T(test_batch_without_end),
        T(test_batch_zero_length),
        T(test_basic_rejected),
        T(test_valid_registers),
        T(test_valid_registers_mask),
        T(test_unaligned_access),
        T(test_unaligned_jump),
        T(test_bb_large),
        T(test_bb_oversize),
#undef T
    };

    return cmocka_run_group_tests_name("igt_gen9", tests, NULL, NULL);
}
