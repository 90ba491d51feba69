/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Findings of the fuzzers (tests/fuzz/), each reduced to the sequence of
 * engine calls that shows it.
 *
 * gtt_sync_lost_pending (fuzz_gtt): a half-written PPGTT entry is marked
 * pending while allocations fail, so the array of tables with pending
 * entries cannot grow (pend_lost).  gtt_sync(), still without memory,
 * rescans, cannot list the table either, and returned GTT_OK: the GPU
 * would run with the entry at scratch while the engine says the shadow is
 * current.  It must report the failure until the entry is resynced.
 */
#include "ppgtt_fixture.h"

#define PML4      0x10
#define PDP       0x11
#define PD        0x12
#define PT        0x13
#define DATA      0x40

#define GPA(gfn)  ((uint64_t)(gfn) << GTT_PAGE_SHIFT)

static void test_gtt_sync_lost_pending(void **state)
{
    struct fx f;
    uint64_t root = GPA(PML4);

    (void)state;
    fx_init(&f, 0x200);
    fx_poke(&f, PML4, 0, FX_PTE(PDP));
    fx_poke(&f, PDP, 0, FX_PTE(PD));
    fx_poke(&f, PD, 0, FX_PTE(PT));
    fx_poke(&f, PT, 0, FX_PTE(DATA));
    assert_int_equal(gtt_ppgtt_create(f.v, GTT_ROOT_L4, &root), GTT_OK);
    fx_assert_maps(&f, root, 0, DATA);

    /* Low half of a new entry, with no memory: pending, not listed. */
    host_alloc_stats.fail_after = 0;
    assert_int_equal(fx_store(&f, GPA(PT), 4, (uint32_t)FX_PTE(DATA + 1)),
                     GTT_OK);
    fx_assert_scratch(&f, root, 0);
    assert_true(f.v->ppgtt.pend_lost);

    /* Still no memory: the sync cannot resync the entry and says so. */
    assert_int_not_equal(gtt_sync(f.v), GTT_OK);

    /* With memory again the entry comes back whole. */
    host_alloc_stats.fail_after = -1;
    assert_int_equal(gtt_sync(f.v), GTT_OK);
    assert_false(f.v->ppgtt.pend_lost);
    fx_assert_maps(&f, root, 0, DATA + 1);

    assert_int_equal(gtt_ppgtt_destroy(f.v, root), GTT_OK);
    fx_assert_idle(&f);
    fx_fini(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gtt_sync_lost_pending),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
