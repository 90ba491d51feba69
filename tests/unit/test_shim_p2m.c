/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host shim's fake p2m behaves as Xen's does where the GTT engine
 * depends on it: which types give a page, who owns it, and references.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fake-p2m.h"

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

static void test_grant_and_foreign_belong_to_another_domain(void **state)
{
    p2m_type_t t;
    struct page_info *g = get_page_from_gfn(d1, 2, &t, P2M_ALLOC);
    struct page_info *f;

    (void)state;
    assert_non_null(g);
    assert_true(p2m_is_grant(t));
    assert_ptr_equal(page_get_owner(g), d2);
    f = get_page_from_gfn(d1, 3, &t, P2M_ALLOC);
    assert_non_null(f);
    assert_true(p2m_is_foreign(t));
    assert_ptr_equal(page_get_owner(f), d2);
    assert_int_equal(fake_refs_total(), 2);
    put_page(g);
    put_page(f);
    assert_int_equal(fake_refs_total(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ram_gives_owned_page_with_ref, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mmio_paged_and_holes_give_no_page, setup, teardown),
        cmocka_unit_test_setup_teardown(test_grant_and_foreign_belong_to_another_domain,
                                        setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
