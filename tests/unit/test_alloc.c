/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Allocation failures: with the k-th allocation failing, for every k a
 * representative submission reaches, the audit never crashes, ends with
 * XEN_GPU_AUDIT_NO_MEMORY or exactly the verdict it has with memory to
 * spare, and leaks nothing.
 */
#include "harness.h"

#define GEN        9
#define RCS        XEN_GPU_ENGINE_RCS
#define BATCH      0x100000ull
#define BATCH2     0x400000ull
#define BATCH3     0x500000ull
#define SCRATCH    0x800000ull
#define GPR(n)     (0x2600u + 8 * (n))

/* Free the submissions first, so the sanitizer reports the bug alone. */
#define fail_msg_destroying(s, base, ...) do {                               \
        gpu_audit_sub_destroy(s);                                           \
        gpu_audit_sub_destroy(base);                                        \
        fail_msg(__VA_ARGS__);                                              \
    } while ( 0 )

/*
 * A primary (three pages) that flips a display and neutralises commands
 * (notes), calls a second-level batch twice, and chains to a third buffer
 * that loops back to one of its own commands (relocations).
 */
static void build_calls(void)
{
    struct bb p, l2, c;
    unsigned int i;

    bb_add(&p, &fx_mem, GPU_SPACE_PPGTT, BATCH, 12288);
    bb_add(&l2, &fx_mem, GPU_SPACE_PPGTT, BATCH2, 4096);
    bb_add(&c, &fx_mem, GPU_SPACE_PPGTT, BATCH3, 8192);

    emit_display_flip(&p);
    for ( i = 0; i < 12; i++ )
        emit_arb_on_off(&p, true);       /* more notes than one array */
    emit_bb_start(&p, BATCH2, true, true);
    emit_noops(&p, 2000);
    emit_bb_start(&p, BATCH2, true, true);
    emit_lri(&p, GPR(0), 1);
    emit_bb_start(&p, BATCH3, true, false);

    emit_sdi(&l2, SCRATCH, 5, false, false);
    emit_bbe(&l2);

    emit_noops(&c, 1100);
    emit_lri(&c, GPR(1), 2);
    emit_bb_start(&c, BATCH3 + DW(1100), true, false);
}

/* A chain first: the relocation array is first needed by a chained jump. */
static void build_chain_first(void)
{
    struct bb p, c;

    bb_add(&p, &fx_mem, GPU_SPACE_PPGTT, BATCH, 4096);
    bb_add(&c, &fx_mem, GPU_SPACE_PPGTT, BATCH3, 4096);
    emit_lri(&p, GPR(0), 1);
    emit_bb_start(&p, BATCH3, true, false);
    emit_lri(&c, GPR(1), 2);
    emit_bbe(&c);
}

static void check_alloc_failures(void (*build)(void), unsigned int nr_bufs)
{
    struct audit_run base, r;
    unsigned long allocs;
    long k;
    unsigned int nomem = 0, same = 0;

    build();
    table_for(GEN);

    /* How many allocations a clean run makes. */
    host_alloc_stats.fail_after = 1L << 30;
    run_keep(&base, &fx_mem, GEN, RCS, NULL, GPU_SPACE_PPGTT, BATCH, NULL);
    allocs = (1L << 30) - host_alloc_stats.fail_after;
    host_alloc_stats.fail_after = -1;
    assert_int_equal(base.res.reason, XEN_GPU_AUDIT_OK);
    assert_int_equal(gpu_audit_nr_bufs(base.sub), nr_bufs);
    assert_true(allocs > 3);

    for ( k = 0; k <= (long)allocs; k++ )
    {
        struct gpu_audit_vgpu v;
        struct gpu_audit_sub *s;
        struct alloc_mark am;
        const struct gpu_audit_verdict *vd;

        alloc_mark_take(&am);
        vgpu_setup(&v, GEN, NULL);
        host_alloc_stats.fail_after = k;
        s = gpu_audit_sub_create(&v, RCS, &mem_ops, &fx_mem);
        if ( !s )
        {
            assert_int_equal(k, 0);
            host_alloc_stats.fail_after = -1;
            continue;
        }
        assert_int_equal(gpu_audit_sub_start_batch(s, GPU_SPACE_PPGTT, BATCH), 0);
        vd = sub_finish(s, NULL);
        host_alloc_stats.fail_after = -1;
        if ( vd->reason == XEN_GPU_AUDIT_NO_MEMORY )
            nomem++;
        else
        {
            /* Not short of memory after all: exactly the full result. */
            unsigned int nb = gpu_audit_nr_bufs(s);
            unsigned int nc = gpu_audit_sub_commands(s);
            unsigned int want = gpu_audit_sub_commands(base.sub);

            r.sub = s;
            r.res.reason = vd->reason;
            r.res.buffer = vd->buffer;
            r.res.offset = vd->offset;
            r.res.gaddr = vd->gaddr;
            if ( r.res.reason || nb != gpu_audit_nr_bufs(base.sub) || nc != want )
                fail_msg_destroying(s, base.sub, "fail_after %ld: reason %u, %u buffers, "
                                    "%u of %u commands (a buffer was never "
                                    "scanned)", k, r.res.reason, nb, nc, want);
            run_compare(&base, &r);
            same++;
        }
        gpu_audit_sub_destroy(s);
        gpu_audit_vgpu_destroy(&v);
        assert_allocs_back(&am);
    }
    print_message("alloc: %lu allocation points, %u no-memory, %u complete\n",
                  allocs, nomem, same);
    assert_true(nomem >= allocs - 1);
    assert_true(same >= 1);
    run_done(&base);
}

static void test_alloc_calls(void **state)
{
    (void)state;
    check_alloc_failures(build_calls, 3);
}

static void test_alloc_chain_first(void **state)
{
    (void)state;
    check_alloc_failures(build_chain_first, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_alloc_calls),
        FIXTURE_TEST(test_alloc_chain_first),
    };

    return cmocka_run_group_tests_name("alloc", tests, NULL, NULL);
}
