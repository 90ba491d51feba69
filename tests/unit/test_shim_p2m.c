/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host shim's fake p2m behaves as Xen's does where the GTT engine
 * depends on it: which types give a page, who owns it, and references;
 * type changes, Xen pages, mappings, and the simulated GPU; and the
 * hostile host the GTT tests build from a described layout (fake-host.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fake-p2m.h"
#include "fake-host.h"

static struct domain *d1, *d2;

static int setup(void **state)
{
    (void)state;
    fake_p2m_reset();
    d1 = fake_domain_create(1, 64);
    d2 = fake_domain_create(2, 64);
    fake_p2m_set(d1, 0, 100, p2m_ram_rw, NULL);
    fake_p2m_set(d1, 1, 101, p2m_mmio_direct, NULL);
    fake_p2m_set(d1, 2, 200, p2m_grant_map_rw, d2);
    fake_p2m_set(d1, 3, 201, p2m_map_foreign, d2);
    fake_p2m_set(d1, 4, 102, p2m_ram_paged, NULL);
    fake_p2m_set(d2, 0, 200, p2m_ram_rw, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fake_domain_destroy(d1);
    fake_domain_destroy(d2);
    return 0;
}

static void test_ram_gives_owned_page_with_ref(void **state)
{
    p2m_type_t t;
    struct page_info *pg = get_page_from_gfn(d1, 0, &t, P2M_ALLOC);

    (void)state;
    assert_non_null(pg);
    assert_int_equal(t, p2m_ram_rw);
    assert_true(p2m_is_ram(t));
    assert_ptr_equal(page_get_owner(pg), d1);
    assert_int_equal(mfn_x(page_to_mfn(pg)), 100);
    assert_int_equal(fake_page_refs(100), 1);
    put_page(pg);
    assert_int_equal(fake_page_refs(100), 0);
    assert_int_equal(fake_refs_total(), 0);
}

static void test_mmio_paged_and_holes_give_no_page(void **state)
{
    p2m_type_t t;

    (void)state;
    assert_null(get_page_from_gfn(d1, 1, &t, P2M_ALLOC));
    assert_true(p2m_is_mmio(t));
    assert_null(get_page_from_gfn(d1, 4, &t, P2M_ALLOC));
    assert_true(p2m_is_paging(t));
    assert_null(get_page_from_gfn(d1, 10, &t, P2M_ALLOC));
    assert_int_equal(t, p2m_invalid);
    assert_null(get_page_from_gfn(d1, 1000, &t, P2M_ALLOC));
    assert_int_equal(fake_refs_total(), 0);
}

/*
 * As Xen 4.17: a grant map fails the owner check (no page); a foreign map
 * gives the other domain's page with a reference.
 */
static void test_grant_and_foreign_belong_to_another_domain(void **state)
{
    p2m_type_t t;
    struct page_info *f;

    (void)state;
    assert_null(get_page_from_gfn(d1, 2, &t, P2M_ALLOC));
    assert_true(p2m_is_grant(t));
    f = get_page_from_gfn(d1, 3, &t, P2M_ALLOC);
    assert_non_null(f);
    assert_true(p2m_is_foreign(t));
    assert_ptr_equal(page_get_owner(f), d2);
    assert_int_equal(fake_refs_total(), 1);
    put_page(f);
    assert_int_equal(fake_refs_total(), 0);
}

/* RAM entries naming a page the domain does not own give no page. */
static void test_ram_of_another_owner_gives_no_page(void **state)
{
    p2m_type_t t;

    (void)state;
    assert_int_equal(fake_p2m_set(d1, 5, 300, p2m_ram_rw, dom_xen), 0);
    assert_int_equal(fake_p2m_set(d1, 6, 200, p2m_ram_rw, d2), 0);
    assert_null(get_page_from_gfn(d1, 5, &t, P2M_ALLOC));
    assert_int_equal(t, p2m_ram_rw);
    assert_null(get_page_from_gfn(d1, 6, &t, P2M_ALLOC));
    assert_int_equal(fake_refs_total(), 0);
}

/* Shared frames: owned by dom_cow; with UNSHARE (not simulated) no page. */
static void test_shared_frames(void **state)
{
    p2m_type_t t;
    struct page_info *pg;

    (void)state;
    assert_int_equal(fake_p2m_set(d1, 7, 400, p2m_ram_shared, dom_cow), 0);
    assert_null(get_page_from_gfn(d1, 7, &t, P2M_ALLOC | P2M_UNSHARE));
    assert_true(p2m_is_shared(t));
    assert_true(p2m_is_ram(t));
    pg = get_page_from_gfn(d1, 7, &t, P2M_ALLOC);
    assert_non_null(pg);
    assert_ptr_equal(page_get_owner(pg), dom_cow);
    put_page(pg);
    assert_int_equal(fake_refs_total(), 0);
}

/* p2m_change_type_one: compare-exchange of the type, -EBUSY on mismatch. */
static void test_change_type_one(void **state)
{
    p2m_type_t t;
    struct page_info *pg;

    (void)state;
    assert_int_equal(p2m_change_type_one(d1, 0, p2m_ram_rw, p2m_ioreq_server), 0);
    assert_int_equal(fake_p2m_type(d1, 0), p2m_ioreq_server);
    assert_int_equal(p2m_change_type_one(d1, 0, p2m_ram_rw, p2m_ioreq_server),
                     -EBUSY);
    assert_int_equal(p2m_change_type_one(d1, 4, p2m_ram_rw, p2m_ioreq_server),
                     -EBUSY);
    assert_int_equal(fake_p2m_type(d1, 4), p2m_ram_paged);
    assert_int_equal(p2m_change_type_one(d1, 1000, p2m_ram_rw, p2m_ioreq_server),
                     -EBUSY);
    /* Still the guest's RAM while protected. */
    pg = get_page_from_gfn(d1, 0, &t, P2M_ALLOC);
    assert_non_null(pg);
    assert_int_equal(t, p2m_ioreq_server);
    put_page(pg);
    assert_int_equal(p2m_change_type_one(d1, 0, p2m_ioreq_server, p2m_ram_rw), 0);
    assert_int_equal(fake_p2m_type(d1, 0), p2m_ram_rw);
}

/* Domheap pages: counted, recycled, failing on demand, ownerless. */
static void test_domheap_pages(void **state)
{
    struct page_info *a, *b, *c;
    long pages = host_alloc_stats.pages_live;
    unsigned long mfn_a;
    uint8_t *p;

    (void)state;
    a = alloc_domheap_page(NULL, MEMF_no_owner);
    b = alloc_domheap_page(NULL, MEMF_no_owner);
    assert_non_null(a);
    assert_non_null(b);
    assert_null(page_get_owner(a));
    mfn_a = mfn_x(page_to_mfn(a));
    assert_true(mfn_a >= FAKE_XEN_MFN_BASE);
    assert_true(mfn_x(page_to_mfn(b)) != mfn_a);
    assert_ptr_equal(mfn_to_page(_mfn(mfn_a)), a);
    assert_int_equal(fake_domheap_live(), 2);
    assert_int_equal(host_alloc_stats.pages_live, pages + 2);

    p = map_domain_page(page_to_mfn(a));
    p[5] = 0xaa;
    unmap_domain_page(p);
    clear_domain_page(page_to_mfn(a));
    p = map_domain_page(page_to_mfn(a));
    assert_int_equal(p[5], 0);
    assert_int_equal(fake_maps_live(), 1);
    unmap_domain_page(p);
    assert_int_equal(fake_maps_live(), 0);

    free_domheap_page(a);
    c = alloc_domheap_page(NULL, MEMF_no_owner);
    assert_ptr_equal(c, a);             /* recycled */
    host_alloc_stats.fail_after = 0;
    assert_null(alloc_domheap_page(NULL, MEMF_no_owner));
    host_alloc_stats.fail_after = -1;
    free_domheap_page(b);
    free_domheap_page(c);
    assert_int_equal(fake_domheap_live(), 0);
    assert_int_equal(host_alloc_stats.pages_live, pages);
}

/* Guest frames far up the frame space get memory only when mapped. */
static void test_large_frame_space(void **state)
{
    unsigned long mfn = FAKE_XEN_MFN_BASE - 1;
    struct domain *big = fake_domain_create(3, 1UL << 21);
    uint64_t *q;

    (void)state;
    assert_non_null(big);
    assert_int_equal(fake_guest_mfns(10), 202);     /* after setup's frames */
    assert_int_equal(fake_guest_mfns(10), 212);
    assert_int_equal(fake_p2m_set(big, (1UL << 21) - 1, mfn, p2m_ram_rw, NULL), 0);
    assert_int_equal(fake_p2m_set(big, 0, FAKE_XEN_MFN_BASE, p2m_ram_rw, NULL),
                     -EINVAL);
    q = map_domain_page(_mfn(mfn));
    q[511] = 42;
    unmap_domain_page(q);
    q = map_domain_page(_mfn(mfn));
    assert_int_equal(q[511], 42);
    unmap_domain_page(q);
    assert_int_equal(fake_guest_mfns(1), 0);        /* guest frames used up */
    fake_domain_destroy(big);
}

/*
 * The simulated GPU: entries, invalidations, and the check that a
 * reference is not dropped while the GPU may still reach its frame.
 */
static void test_fake_gpu_tracks_puts_against_invalidation(void **state)
{
    struct fake_gpu *gpu = fake_gpu_create(16);
    uint64_t *gsm = gpu->gsm;
    uint8_t *mmio = gpu->mmio;
    p2m_type_t t;
    struct page_info *pg = get_page_from_gfn(d1, 0, &t, P2M_ALLOC);

    (void)state;
    assert_non_null(pg);
    writeq((100ULL << 12) | 1, gsm + 3);
    assert_int_equal(fake_gpu_ggtt(3), (100ULL << 12) | 1);
    assert_int_equal(fake_gpu_dirty_entries(), 1);
    /* Entry replaced but not invalidated: dropping now is a violation. */
    writeq(0, gsm + 3);
    put_page(pg);
    assert_int_equal(fake_put_violations(), 1);

    pg = get_page_from_gfn(d1, 0, &t, P2M_ALLOC);
    writeq((100ULL << 12) | 1, gsm + 4);
    writel(1, mmio + FAKE_GPU_FLSH_CNTL);
    assert_int_equal(fake_gpu_tlb_invalidations(), 1);
    assert_int_equal(fake_gpu_dirty_entries(), 0);
    /* Still mapped: a violation too. */
    put_page(pg);
    assert_int_equal(fake_put_violations(), 2);

    pg = get_page_from_gfn(d1, 0, &t, P2M_ALLOC);
    get_page_from_gfn(d1, 0, &t, P2M_ALLOC);
    writeq(0, gsm + 4);
    writel(1, mmio + FAKE_GPU_FLSH_CNTL);
    put_page(pg);
    put_page(pg);
    assert_int_equal(fake_put_violations(), 2);   /* the right order */
    assert_int_equal(fake_gpu_tlb_invalidations(), 2);
    fake_gpu_destroy(gpu);
}

/* ---- fake-host.h ------------------------------------------------------ */

static void test_fake_host_builds_described_layout(void **state)
{
    static const struct fake_frame frames[] = {
        { 8, FAKE_FRAME_MMIO, 0xfe000 },
        { 9, FAKE_FRAME_GRANT, 1 },
        { 10, FAKE_FRAME_FOREIGN, 2 },
        { 11, FAKE_FRAME_OTHER_OWNER, 3 },
        { 12, FAKE_FRAME_PAGED, 0 },
        { 13, FAKE_FRAME_SHARED, 3000 },
        { 14, FAKE_FRAME_XEN, 3001 },
        { 15, FAKE_FRAME_RO, 3002 },
        { 16, FAKE_FRAME_LOGDIRTY, 3003 },
        { 3, FAKE_FRAME_HOLE, 0 },
    };
    static const p2m_type_t type[] = {
        p2m_mmio_direct, p2m_grant_map_rw, p2m_map_foreign, p2m_ram_rw,
        p2m_ram_paged, p2m_ram_shared, p2m_ram_rw, p2m_ram_ro,
        p2m_ram_logdirty, p2m_invalid,
    };
    const struct fake_host_layout layout = {
        .ggtt_entries = 64, .max_gfn = 32, .ram = 8, .ram_align = 0x200,
        .d2_max_gfn = 8, .d2_ram = 4,
        .frames = frames, .nr_frames = ARRAY_SIZE(frames),
    };
    struct fake_host h;
    struct page_info *pg;
    p2m_type_t t;
    unsigned int i;

    (void)state;
    assert_int_equal(fake_host_create(&h, &layout), 0);
    assert_int_equal(h.d1->domain_id, 1);
    assert_int_equal(h.d2->domain_id, 2);
    assert_int_equal(h.ram_mfn & 0x1ff, 0);
    pg = get_page_from_gfn(h.d1, 7, &t, P2M_ALLOC);
    assert_non_null(pg);
    assert_int_equal(mfn_x(page_to_mfn(pg)), h.ram_mfn + 7);
    assert_ptr_equal(page_get_owner(pg), h.d1);
    put_page(pg);
    for ( i = 0; i < ARRAY_SIZE(frames); i++ )
        assert_int_equal(fake_p2m_type(h.d1, frames[i].gfn), type[i]);
    /* Borrowed frames are d2's gfns; the others where described. */
    for ( i = 1; i <= 3; i++ )
        assert_ptr_equal(page_get_owner(mfn_to_page(_mfn(h.d2_ram_mfn + i))),
                         h.d2);
    assert_ptr_equal(page_get_owner(mfn_to_page(_mfn(3000))), dom_cow);
    assert_ptr_equal(page_get_owner(mfn_to_page(_mfn(3001))), dom_xen);
    assert_ptr_equal(page_get_owner(mfn_to_page(_mfn(3002))), h.d1);
    assert_non_null(h.gpu);
    assert_int_equal(h.dev.ggtt_entries, 64);
    assert_int_equal(fake_refs_total(), 0);
    fake_host_destroy(&h);
}

static void test_fake_host_vgpus_and_bad_layouts(void **state)
{
    static const struct fake_frame grant = { 1, FAKE_FRAME_GRANT, 0 };
    const struct fake_host_layout no_d2 = {
        .ggtt_entries = 64, .max_gfn = 8, .ram = 4,
        .frames = &grant, .nr_frames = 1,
    };
    const struct fake_host_layout ok = {
        .ggtt_entries = 64, .max_gfn = 8, .ram = 4, .d2_max_gfn = 4,
    };
    struct fake_host h, left;
    struct gtt_vgpu *v;

    (void)state;
    /* A grant map needs d2: refused, nothing left behind. */
    assert_int_equal(fake_host_create(&h, &no_d2), -EINVAL);
    assert_int_equal(fake_host_create(&h, &ok), 0);
    assert_int_equal(fake_host_frames(&h, &grant, 1), 0);
    assert_int_equal(fake_p2m_type(h.d1, 1), p2m_grant_map_rw);

    v = fake_host_vgpu(&h, h.d1, 8, 0, 0x10000, 0x20000, 0x10000);
    assert_non_null(v);
    /* Overlapping slices: gtt_vgpu_create() refuses, NULL. */
    assert_null(fake_host_vgpu(&h, h.d2, 8, 0x8000, 0x10000, 0, 0));
    gtt_vgpu_destroy(v);
    fake_host_destroy(&h);

    /* A host a failed test left behind does not stop the next one. */
    assert_int_equal(fake_host_create(&left, &ok), 0);
    assert_int_equal(fake_host_create(&h, &ok), 0);
    fake_host_destroy(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ram_gives_owned_page_with_ref, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mmio_paged_and_holes_give_no_page, setup, teardown),
        cmocka_unit_test_setup_teardown(test_grant_and_foreign_belong_to_another_domain,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_ram_of_another_owner_gives_no_page,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_frames, setup, teardown),
        cmocka_unit_test_setup_teardown(test_change_type_one, setup, teardown),
        cmocka_unit_test_setup_teardown(test_domheap_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_frame_space, setup, teardown),
        cmocka_unit_test(test_fake_host_builds_described_layout),
        cmocka_unit_test(test_fake_host_vgpus_and_bad_layouts),
        cmocka_unit_test_setup_teardown(test_fake_gpu_tracks_puts_against_invalidation,
                                        setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
