/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TLB invalidation before a reference goes: the GGTT TLB (GFX_FLSH_CNTL)
 * does not hold PPGTT translations, so a frame a shadow PPGTT entry no
 * longer maps keeps its reference until every engine's TLB was
 * invalidated too (GEN8_RTCR .. GEN8_VTCR), and an engine that does not
 * confirm is counted.
 */
#include "ppgtt_fixture.h"

#define PML4      0x10
#define PDP       0x11
#define PD        0x12
#define PT        0x13
#define DATA      0x40

#define GPA(gfn)  ((uint64_t)(gfn) << GTT_PAGE_SHIFT)

static void build(struct fx *f, uint64_t *root)
{
    fx_init(f, 0x200);
    fx_poke(f, PML4, 0, FX_PTE(PDP));
    fx_poke(f, PDP, 0, FX_PTE(PD));
    fx_poke(f, PD, 0, FX_PTE(PT));
    fx_poke(f, PT, 0, FX_PTE(DATA));
    *root = GPA(PML4);
    assert_int_equal(gtt_ppgtt_create(f->v, GTT_ROOT_L4, root), GTT_OK);
    fx_assert_maps(f, *root, 0, DATA);
}

static void engines_snapshot(unsigned long n[FAKE_GPU_TCR_NR])
{
    unsigned int e;

    for ( e = 0; e < FAKE_GPU_TCR_NR; e++ )
        n[e] = fake_gpu_engine_invalidations(e);
}

/* A leaf replaced: every engine's TLB is invalidated before the put. */
static void test_ppgtt_put_after_engine_invalidation(void **state)
{
    struct fx f;
    uint64_t root, sh[4];
    unsigned long before[FAKE_GPU_TCR_NR], old = 0, puts0;
    unsigned int e;

    (void)state;
    build(&f, &root);
    assert_int_equal(gtt_ppgtt_pin(f.v, root, sh), GTT_OK);
    old = f.h.ram_mfn + DATA;
    assert_int_equal(fake_page_refs(old), 1);
    engines_snapshot(before);
    /* The render engine used the page: its TLB holds it. */
    fake_gpu_tlb_fill(XEN_GPU_ENGINE_RCS, old);
    puts0 = fake_put_violations();

    /* The guest points the entry elsewhere while a context holds it. */
    assert_int_equal(fx_store(&f, GPA(PT), 8, FX_PTE(DATA + 1)), GTT_OK);
    assert_int_equal(gtt_sync(f.v), GTT_OK);
    fx_assert_maps(&f, root, 0, DATA + 1);
    assert_int_equal(fake_page_refs(old), 0);
    /* Dropped only once no engine's TLB could hold it any more. */
    assert_int_equal(fake_put_violations(), puts0);
    for ( e = 0; e < FAKE_GPU_TCR_NR; e++ )
        assert_true(fake_gpu_engine_invalidations(e) > before[e]);
    assert_int_equal(fx_stats(&f).tlb_timeouts, 0);

    assert_int_equal(gtt_ppgtt_unpin(f.v, root), GTT_OK);
    assert_int_equal(gtt_ppgtt_destroy(f.v, root), GTT_OK);
    fx_assert_idle(&f);
    fx_fini(&f);
}

/* Engines that never confirm: the invalidation is counted as timed out. */
static void test_engine_timeout_counted(void **state)
{
    struct fx f;
    uint64_t root;
    unsigned long before[FAKE_GPU_TCR_NR];
    unsigned int e;

    (void)state;
    build(&f, &root);
    engines_snapshot(before);
    fake_gpu_engines_stuck(true);
    assert_int_equal(fx_store(&f, GPA(PT), 8, FX_PTE(DATA + 2)), GTT_OK);
    assert_int_equal(gtt_sync(f.v), GTT_OK);
    assert_int_equal(fx_stats(&f).tlb_timeouts, 1);
    for ( e = 0; e < FAKE_GPU_TCR_NR; e++ )
        assert_int_equal(fake_gpu_engine_invalidations(e), before[e]);

    /* Confirmed again: no more timeouts. */
    fake_gpu_engines_stuck(false);
    assert_int_equal(fx_store(&f, GPA(PT), 8, FX_PTE(DATA + 3)), GTT_OK);
    assert_int_equal(gtt_sync(f.v), GTT_OK);
    assert_int_equal(fx_stats(&f).tlb_timeouts, 1);
    for ( e = 0; e < FAKE_GPU_TCR_NR; e++ )
        assert_true(fake_gpu_engine_invalidations(e) > before[e]);
    fx_assert_maps(&f, root, 0, DATA + 3);

    assert_int_equal(gtt_ppgtt_destroy(f.v, root), GTT_OK);
    fx_assert_idle(&f);
    fx_fini(&f);
}

/* GGTT writes need the GGTT TLB only: the engines are left alone. */
static void test_ggtt_write_spares_engines(void **state)
{
    struct fx f;
    uint64_t root;
    unsigned long before[FAKE_GPU_TCR_NR], ggtt;
    unsigned int e;

    (void)state;
    build(&f, &root);
    assert_int_equal(gtt_sync(f.v), GTT_OK);
    engines_snapshot(before);
    ggtt = fake_gpu_tlb_invalidations();
    assert_int_equal(gtt_ggtt_write(f.v, 1, 0, 8, FX_PTE(DATA + 4)), GTT_OK);
    assert_int_equal(gtt_ggtt_write(f.v, 1, 0, 8, FX_PTE(DATA + 5)), GTT_OK);
    assert_true(fake_gpu_tlb_invalidations() >= ggtt + 2);
    for ( e = 0; e < FAKE_GPU_TCR_NR; e++ )
        assert_int_equal(fake_gpu_engine_invalidations(e), before[e]);

    assert_int_equal(gtt_ggtt_write(f.v, 1, 0, 8, 0), GTT_OK);
    assert_int_equal(gtt_ppgtt_destroy(f.v, root), GTT_OK);
    fx_assert_idle(&f);
    fx_fini(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ppgtt_put_after_engine_invalidation),
        cmocka_unit_test(test_engine_timeout_counted),
        cmocka_unit_test(test_ggtt_write_spares_engines),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
