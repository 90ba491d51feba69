/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Huge guest entries against the end of the guest's memory (the highest
 * gfn its p2m has mapped, read at every validation): a run wholly past it
 * maps scratch with no frame looked up and no table allocated; a run
 * across it looks up exactly the frames below it; once the guest's memory
 * grows, a rewrite of the entry reaches the new frames.  Frames past the
 * end still count one by one as validated and refused (not-ram), as when
 * each was looked up.  Costs are the p2m queries the shim counted, never
 * time.
 */
#include "ppgtt_fixture.h"

#define PML4  0x10
#define PDP   0x11
#define PD    0x12
#define ROOT  ((uint64_t)PML4 << GTT_PAGE_SHIFT)
#define GB(n) ((uint64_t)(n) << 30)
#define MB(n) ((uint64_t)(n) << 20)
#define G1    0x40000UL     /* frames of a 1G entry */
#define M2    0x200UL       /* frames of a 2M entry */
#define RAM   0x1100UL      /* d1's RAM: gfns 0..0x10ff, the end inside the
                               ninth 2M run */
#define ROOM  0x2000UL      /* d1's p2m: room to grow */

static unsigned long lookups(void)
{
    return fake_p2m_queries().lookups;
}

static unsigned long max_gfn_reads(void)
{
    return fake_p2m_queries().max_gfn_reads;
}

/* PML4[0] -> PDP, PDP[0] -> PD (empty), shadowed. */
static void start(struct fx *f, unsigned int quota)
{
    uint64_t root = ROOT;

    fx_init_ram(f, ROOM, RAM, quota, true);
    fx_poke(f, PML4, 0, FX_PTE(PDP));
    fx_poke(f, PDP, 0, FX_PTE(PD));
    assert_int_equal(gtt_ppgtt_create(f->v, GTT_ROOT_L4, &root), GTT_OK);
    assert_int_equal(domain_get_maximum_gpfn(f->h.d1), RAM - 1);
}

static void finish(struct fx *f)
{
    assert_int_equal(gtt_ppgtt_destroy(f->v, ROOT), GTT_OK);
    fx_assert_idle(f);
    fx_fini(f);
}

/* Counters that must not move, and the ones that move by frames. */
static void assert_only_refused(const struct gtt_stats *a,
                                const struct gtt_stats *b,
                                unsigned long frames)
{
    assert_int_equal(b->shadow_pages, a->shadow_pages);
    assert_int_equal(b->splits, a->splits);
    assert_int_equal(b->refs_held, a->refs_held);
    assert_int_equal(b->entries_validated - a->entries_validated, frames);
    assert_int_equal(b->refused[GTT_ERR_NOT_RAM] -
                     a->refused[GTT_ERR_NOT_RAM], frames);
}

/* A 1G or 2M entry wholly past the end: scratch, no lookup, no table. */
static void test_past_end(void **state)
{
    struct fx f;
    struct gtt_stats a, b;
    unsigned long n, r;

    (void)state;
    start(&f, 0);
    a = fx_stats(&f);
    n = lookups();
    r = max_gfn_reads();
    assert_int_equal(fx_write(&f, PDP, 1, FX_PTE(G1) | PPGTT_PS), GTT_OK);
    assert_int_equal(lookups(), n);
    assert_true(max_gfn_reads() - r <= 1);
    b = fx_stats(&f);
    assert_only_refused(&a, &b, G1);
    fx_assert_scratch(&f, ROOT, GB(1));
    fx_assert_scratch(&f, ROOT, GB(1) + MB(300));
    fx_assert_scratch(&f, ROOT, GB(2) - PAGE_SIZE);

    /* The same with the 1G entry at the top of the address space. */
    n = lookups();
    assert_int_equal(fx_write(&f, PDP, 511,
                              FX_PTE(0xfffffc0000UL) | PPGTT_PS), GTT_OK);
    assert_int_equal(lookups(), n);
    a = b;
    b = fx_stats(&f);
    assert_only_refused(&a, &b, G1);

    /* 2M: the PDE points at the scratch PT, no split table. */
    n = lookups();
    assert_int_equal(fx_write(&f, PD, 9, FX_PTE(0x1200) | PPGTT_PS), GTT_OK);
    assert_int_equal(lookups(), n);
    a = b;
    b = fx_stats(&f);
    assert_only_refused(&a, &b, M2);
    fx_assert_scratch(&f, ROOT, MB(18));
    fx_assert_scratch(&f, ROOT, MB(20) - PAGE_SIZE);

    finish(&f);
}

/*
 * A 1G entry across the end: exactly the frames below it looked up; the
 * 2M run the end cuts is split, the runs past it point at the scratch PT.
 */
static void test_1g_across_end(void **state)
{
    struct fx f;
    struct gtt_stats a, b;
    unsigned long n;

    (void)state;
    start(&f, 0);
    a = fx_stats(&f);
    n = lookups();
    assert_int_equal(fx_write(&f, PDP, 1, FX_PTE(0) | PPGTT_PS), GTT_OK);
    assert_int_equal(lookups() - n, RAM);
    b = fx_stats(&f);
    /* The PD and the split PT of the ninth run (0x1000..0x11ff). */
    assert_int_equal(b.shadow_pages - a.shadow_pages, 2);
    assert_int_equal(b.splits - a.splits, 2);
    assert_int_equal(b.refs_held - a.refs_held, RAM);
    assert_int_equal(b.entries_validated - a.entries_validated, G1);
    assert_int_equal(b.refused[GTT_ERR_NOT_RAM] - a.refused[GTT_ERR_NOT_RAM],
                     G1 - RAM);
    fx_assert_maps(&f, ROOT, GB(1), 0);
    fx_assert_maps(&f, ROOT, GB(1) + MB(2) * 7 + 0x1ff * PAGE_SIZE, 0xfff);
    fx_assert_maps(&f, ROOT, GB(1) + (RAM - 1) * PAGE_SIZE, RAM - 1);
    fx_assert_scratch(&f, ROOT, GB(1) + RAM * PAGE_SIZE);
    fx_assert_scratch(&f, ROOT, GB(1) + MB(18));
    fx_assert_scratch(&f, ROOT, GB(2) - PAGE_SIZE);

    finish(&f);
}

/*
 * The end is read at each validation: once the guest's memory grows past
 * the old end, rewriting the entry reaches the new frames.
 */
static void test_1g_after_growth(void **state)
{
    struct fx f;
    unsigned long n, g, more;

    (void)state;
    start(&f, 0);
    assert_int_equal(fx_write(&f, PDP, 1, FX_PTE(0) | PPGTT_PS), GTT_OK);
    fx_assert_scratch(&f, ROOT, GB(1) + RAM * PAGE_SIZE);

    more = fake_guest_mfns(0x200);
    for ( g = 0; g < 0x200; g++ )
        assert_int_equal(fake_p2m_set(f.h.d1, RAM + g, more + g, p2m_ram_rw,
                                      NULL), 0);
    assert_int_equal(domain_get_maximum_gpfn(f.h.d1), RAM + 0x1ff);
    n = lookups();
    assert_int_equal(fx_write(&f, PDP, 1, FX_PTE(0) | PPGTT_PS), GTT_OK);
    assert_int_equal(lookups() - n, RAM + 0x200);
    fx_assert_maps(&f, ROOT, GB(1) + (RAM - 1) * PAGE_SIZE, RAM - 1);
    fx_assert_maps_mfn(&f, ROOT, GB(1) + RAM * PAGE_SIZE, RAM, more);
    fx_assert_maps_mfn(&f, ROOT, GB(1) + (RAM + 0x1ff) * PAGE_SIZE,
                       RAM + 0x1ff, more + 0x1ff);
    fx_assert_scratch(&f, ROOT, GB(1) + (RAM + 0x200) * PAGE_SIZE);
    assert_int_equal(gtt_sync(f.v), GTT_OK);
    /* The old entry's references went at the flush, the new ones held. */
    assert_int_equal(fake_page_refs(more), 1);
    assert_int_equal(fake_page_refs(f.h.ram_mfn + 5), 1);

    /* Memory taken away again below the end: those frames are refused. */
    assert_int_equal(fake_p2m_set(f.h.d1, RAM + 0x1ff, 0, p2m_invalid, NULL),
                     0);
    assert_int_equal(domain_get_maximum_gpfn(f.h.d1), RAM + 0x1ff);
    assert_int_equal(fx_write(&f, PDP, 1, FX_PTE(0) | PPGTT_PS), GTT_OK);
    fx_assert_scratch(&f, ROOT, GB(1) + (RAM + 0x1ff) * PAGE_SIZE);
    fx_assert_maps_mfn(&f, ROOT, GB(1) + (RAM + 0x1fe) * PAGE_SIZE,
                       RAM + 0x1fe, more + 0x1fe);

    finish(&f);
}

/*
 * The 1G entry at PDP[1] failed: it is scratch (pending); emptied again,
 * the vGPU holds what it held before (a).
 */
static void assert_failed_entry_left_nothing(struct fx *f,
                                             const struct gtt_stats *a)
{
    fx_assert_scratch(f, ROOT, GB(1));
    assert_int_equal(fx_write(f, PDP, 1, 0), GTT_OK);
    assert_int_equal(gtt_sync(f->v), GTT_OK);
    assert_int_equal(fx_stats(f).shadow_pages, a->shadow_pages);
    assert_int_equal(fx_stats(f).refs_held, a->refs_held);
    assert_int_equal(fake_refs_total(), (long)a->refs_held);
}

/*
 * Allocation failure at every allocation of a 1G entry across the end (the
 * PD, the split PT): the entry is left scratch, nothing held or leaked.
 */
static void test_1g_across_end_alloc_failure(void **state)
{
    struct fx f;
    struct gtt_stats a;
    uint64_t shadow_roots[4];
    long n;
    int rc = -1;

    (void)state;
    start(&f, 0);
    a = fx_stats(&f);
    for ( n = 0; rc != GTT_OK; n++ )
    {
        host_alloc_stats.fail_after = n;
        rc = fx_write(&f, PDP, 1, FX_PTE(0) | PPGTT_PS);
        host_alloc_stats.fail_after = -1;
        if ( rc == GTT_OK )
            break;
        assert_int_equal(rc, GTT_ERR_NO_MEMORY);
        assert_failed_entry_left_nothing(&f, &a);
    }
    assert_true(n >= 2);
    fx_assert_maps(&f, ROOT, GB(1) + (RAM - 1) * PAGE_SIZE, RAM - 1);

    /*
     * Under a quota of one table more than the root's (pinned, so it is
     * not reclaimed to make room): the PD fits, the split PT does not.
     */
    finish(&f);
    start(&f, 4);
    assert_int_equal(gtt_ppgtt_pin(f.v, ROOT, shadow_roots), GTT_OK);
    a = fx_stats(&f);
    assert_int_equal(fx_write(&f, PDP, 1, FX_PTE(0) | PPGTT_PS),
                     GTT_ERR_QUOTA);
    assert_failed_entry_left_nothing(&f, &a);
    assert_int_equal(gtt_ppgtt_unpin(f.v, ROOT), GTT_OK);
    finish(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_past_end),
        cmocka_unit_test(test_1g_across_end),
        cmocka_unit_test(test_1g_after_growth),
        cmocka_unit_test(test_1g_across_end_alloc_failure),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
