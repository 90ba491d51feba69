/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-vGPU counters and the details of a verdict, over several submissions
 * on one vGPU: what an operator reads to see what a guest submits and why
 * something was refused.
 */
#include "harness.h"

#define BATCH      0x100000ull
#define GPR0       0x2600u
#define RING_START 0x2038u
#define BIG        0x600000ull

static struct bb b, big;
static struct gpu_audit_vgpu vgpu;

static int setup(void **state)
{
    fixture_setup(state);
    bb_add(&b, &fx_mem, GPU_SPACE_PPGTT, BATCH, 4096);
    vgpu_setup(&vgpu, 9, NULL);
    return 0;
}

static int teardown(void **state)
{
    gpu_audit_vgpu_destroy(&vgpu);
    return fixture_teardown(state);
}

/* Audit the batch at addr on RCS; returns the verdict (copied). */
static struct gpu_audit_verdict submit_at(uint64_t addr)
{
    struct gpu_audit_sub *s = sub_batch(&vgpu, &fx_mem, XEN_GPU_ENGINE_RCS,
                                        GPU_SPACE_PPGTT, addr);
    struct gpu_audit_verdict v = *gpu_audit_get_verdict(s);

    gpu_audit_sub_destroy(s);
    return v;
}

static struct gpu_audit_verdict submit(void)
{
    return submit_at(BATCH);
}

static void test_counts_accepts_rejects_by_reason(void **state)
{
    struct gpu_audit_verdict v;

    (void)state;
    /* Accepted: LRI, ARB_ON_OFF (neutralised in a PPGTT batch), BBE. */
    emit_lri(&b, GPR0, 1);
    emit_arb_on_off(&b, false);
    emit_bbe(&b);
    v = submit();
    assert_int_equal(v.reason, XEN_GPU_AUDIT_OK);

    /* Rejected twice for the same reason, once for another. */
    b.pos = 0;
    emit_noops(&b, 2);
    emit_lri(&b, RING_START, 0);
    emit_bbe(&b);
    v = submit();
    assert_int_equal(v.reason, XEN_GPU_AUDIT_REG_DENIED);
    v = submit();
    assert_int_equal(v.reason, XEN_GPU_AUDIT_REG_DENIED);
    b.pos = 0;
    emit_set_context(&b);
    v = submit();
    assert_int_equal(v.reason, XEN_GPU_AUDIT_PRIVILEGED_CMD);

    assert_int_equal(vgpu.counters.submissions, 4);
    assert_int_equal(vgpu.counters.accepted, 1);
    assert_int_equal(vgpu.counters.rejected, 3);
    assert_int_equal(vgpu.counters.by_reason[XEN_GPU_AUDIT_OK], 1);
    assert_int_equal(vgpu.counters.by_reason[XEN_GPU_AUDIT_REG_DENIED], 2);
    assert_int_equal(vgpu.counters.by_reason[XEN_GPU_AUDIT_PRIVILEGED_CMD], 1);
    assert_int_equal(vgpu.counters.neutralised, 1);
    /* 3 + 3 + 3 + 1 commands decoded; every byte copied counted. */
    assert_int_equal(vgpu.counters.commands, 10);
    assert_true(vgpu.counters.bytes >= 4 * 4096);
}

static void test_verdict_names_buffer_offset_and_command(void **state)
{
    struct gpu_audit_verdict v;

    (void)state;
    emit_noops(&b, 3);
    emit_lri(&b, RING_START, 0);
    emit_bbe(&b);
    v = submit();
    assert_int_equal(v.reason, XEN_GPU_AUDIT_REG_DENIED);
    assert_int_equal(v.buffer, 0);
    assert_int_equal(v.offset, 12);
    assert_int_equal(v.gaddr, BATCH + 12);
    assert_int_equal(v.header, MI_LOAD_REGISTER_IMM | 1);
    assert_string_equal(v.cmd, "MI_LOAD_REGISTER_IMM");
    assert_string_equal(gpu_audit_reason_name(v.reason), "register-denied");
}

/* Copy pages come back to the vGPU's pool and are reused; destroy frees them. */
static void test_copy_pages_pooled(void **state)
{
    unsigned long total;
    unsigned int i;

    (void)state;
    bb_add(&big, &fx_mem, GPU_SPACE_PPGTT, BIG, 8192);
    emit_noops(&big, 2000);              /* two pages of copy */
    emit_bbe(&big);
    assert_int_equal(submit_at(BIG).reason, XEN_GPU_AUDIT_OK);
    total = host_alloc_stats.pages_total;
    assert_int_equal(vgpu.pool.nr, 2);
    for ( i = 0; i < 3; i++ )
        assert_int_equal(submit_at(BIG).reason, XEN_GPU_AUDIT_OK);
    assert_int_equal(host_alloc_stats.pages_total, total);
    assert_int_equal(vgpu.pool.nr, 2);
    assert_int_equal(host_alloc_stats.pages_live, 2);
    gpu_audit_vgpu_destroy(&vgpu);
    assert_int_equal(host_alloc_stats.pages_live, 0);
    assert_int_equal(vgpu.pool.nr, 0);
}

/* A pool of one page keeps one; the others go back to Xen's heap. */
static void test_copy_pool_bounded(void **state)
{
    (void)state;
    vgpu.limits.pool_pages = 1;
    bb_add(&big, &fx_mem, GPU_SPACE_PPGTT, BIG, 8192);
    emit_noops(&big, 1500);
    emit_bbe(&big);
    assert_int_equal(submit_at(BIG).reason, XEN_GPU_AUDIT_OK);
    assert_int_equal(vgpu.pool.nr, 1);
    assert_int_equal(host_alloc_stats.pages_live, 1);
}

static void test_reason_names_cover_every_code(void **state)
{
    unsigned int r;

    (void)state;
    for ( r = 0; r < XEN_GPU_AUDIT_NR; r++ )
        assert_string_not_equal(gpu_audit_reason_name(r), "invalid");
    assert_string_equal(gpu_audit_reason_name(XEN_GPU_AUDIT_NR), "invalid");
    assert_string_equal(gpu_audit_engine_name(XEN_GPU_ENGINE_VECS), "vecs");
    assert_string_equal(gpu_audit_engine_name(XEN_GPU_ENGINE_NR), "invalid");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_counts_accepts_rejects_by_reason,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_verdict_names_buffer_offset_and_command,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy_pages_pooled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy_pool_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reason_names_cover_every_code,
                                        setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
