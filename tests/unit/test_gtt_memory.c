/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a shadow PPGTT costs beside its pages, and where the state of its
 * entries lives: table records in 4 KiB chunks given back with the last
 * table, pending entries marked in the software bits of the shadow entry
 * (clean again after the sync), and the M2P that translation reads.
 */
#include "ppgtt_fixture.h"

#define PML4    0x10
#define PDP     0x11
#define PD      0x12
#define PT0     0x20            /* PT k at PT0 + k */
#define DATA    0x400           /* PT k maps DATA + k at its entry 0 */

static const uint64_t root = (uint64_t)PML4 << GTT_PAGE_SHIFT;

/* PML4 -> PDP -> PD -> n PTs (n <= 512). */
static void build(struct fx *f, unsigned int n)
{
    unsigned int k;

    fx_init(f, 0x1000);
    fx_poke(f, PML4, 0, FX_PTE(PDP));
    fx_poke(f, PDP, 0, FX_PTE(PD));
    for ( k = 0; k < n; k++ )
    {
        fx_poke(f, PD, k, FX_PTE(PT0 + k));
        fx_poke(f, PT0 + k, 0, FX_PTE(DATA + k));
    }
}

static void finish(struct fx *f)
{
    assert_int_equal(gtt_ppgtt_destroy(f->v, root), GTT_OK);
    fx_assert_idle(f);
    fx_fini(f);
}

/* Entry i of the shadow table at host address 'table'. */
static uint64_t shadow_entry(uint64_t table, unsigned int i)
{
    const uint64_t *t = map_domain_page(_mfn(table >> GTT_PAGE_SHIFT));
    uint64_t e = t[i];

    unmap_domain_page(t);

    return e;
}

/* Host address of the shadow PT that gaddr 0 goes through. */
static uint64_t shadow_pt0(struct fx *f)
{
    uint64_t roots[4], e;

    assert_int_equal(gtt_ppgtt_pin(f->v, root, roots), GTT_OK);
    assert_int_equal(gtt_ppgtt_unpin(f->v, root), GTT_OK);
    e = shadow_entry(roots[0], 0);
    e = shadow_entry(e & PPGTT_ADDR_MASK, 0);
    e = shadow_entry(e & PPGTT_ADDR_MASK, 0);

    return e & PPGTT_ADDR_MASK;
}

/*
 * 203 tables take two 4 KiB chunks of records and nothing per entry; the
 * chunks go back with the tables.
 */
static void test_records_in_chunks(void **state)
{
    struct fx f;
    long heap0;

    (void)state;
    build(&f, 200);
    /* Once first, so that the vGPU's queue of deferred drops has grown. */
    assert_int_equal(gtt_ppgtt_create(f.v, GTT_ROOT_L4, &root), GTT_OK);
    assert_int_equal(gtt_ppgtt_destroy(f.v, root), GTT_OK);
    assert_int_equal(gtt_sync(f.v), GTT_OK);
    heap0 = host_alloc_stats.xmalloc_bytes;
    assert_int_equal(gtt_ppgtt_create(f.v, GTT_ROOT_L4, &root), GTT_OK);
    assert_int_equal(fx_stats(&f).shadow_pages, 203);
    assert_int_equal(host_alloc_stats.xmalloc_bytes - heap0,
                     2 * PAGE_SIZE + sizeof(struct gtt_mm));
    fx_assert_maps(&f, root, 199ULL << 21, DATA + 199);

    /* A chunk stays while a table uses it, and goes with the last one. */
    assert_int_equal(fx_write(&f, PD, 199, 0), GTT_OK);
    assert_int_equal(gtt_sync(f.v), GTT_OK);
    assert_int_equal(fx_stats(&f).shadow_pages, 202);
    fx_assert_scratch(&f, root, 199ULL << 21);
    assert_int_equal(host_alloc_stats.xmalloc_bytes - heap0,
                     2 * PAGE_SIZE + sizeof(struct gtt_mm));
    assert_int_equal(gtt_ppgtt_destroy(f.v, root), GTT_OK);
    assert_int_equal(gtt_sync(f.v), GTT_OK);
    assert_int_equal(host_alloc_stats.xmalloc_bytes, heap0);

    assert_int_equal(gtt_ppgtt_create(f.v, GTT_ROOT_L4, &root), GTT_OK);
    finish(&f);
}

/*
 * A half-written entry is scratch with PPGTT_SW_PENDING in the shadow page
 * until the sync; then the entry is whole and no software bit is left in
 * the table.
 */
static void test_pending_in_shadow_entry(void **state)
{
    struct fx f;
    uint64_t pt, e, scratch;
    unsigned int i;

    (void)state;
    build(&f, 1);
    assert_int_equal(gtt_ppgtt_create(f.v, GTT_ROOT_L4, &root), GTT_OK);
    pt = shadow_pt0(&f);
    e = shadow_entry(pt, 0);
    assert_int_equal(e & PPGTT_ADDR_MASK,
                     (uint64_t)(f.h.ram_mfn + DATA) << GTT_PAGE_SHIFT);
    assert_int_equal(e & PPGTT_SW_MASK, 0);
    scratch = shadow_entry(pt, 1);

    /* Low half of a new entry: scratch, marked; the rest untouched. */
    assert_int_equal(fx_store(&f, (uint64_t)PT0 << GTT_PAGE_SHIFT, 4,
                              (uint32_t)FX_PTE(DATA + 5)), GTT_OK);
    fx_assert_scratch(&f, root, 0);
    e = shadow_entry(pt, 0);
    assert_int_equal(e, scratch | PPGTT_SW_PENDING);
    assert_int_equal(shadow_entry(pt, 1), scratch);

    assert_int_equal(gtt_sync(f.v), GTT_OK);
    fx_assert_maps(&f, root, 0, DATA + 5);
    for ( i = 0; i < PPGTT_ENTRIES; i++ )
        assert_int_equal(shadow_entry(pt, i) & PPGTT_SW_MASK, 0);
    assert_int_equal(fake_page_refs(f.h.ram_mfn + DATA), 0);
    finish(&f);
}

/*
 * The shim's M2P follows the p2m as Xen's does: set for the domain's own
 * RAM, never for grants or Xen's pages, cleared when the gfn goes.
 * Translation reports it, or the gfn the guest's tables name once the
 * guest has taken the frame out of its p2m.
 */
static void test_m2p(void **state)
{
    struct fx f;
    struct page_info *pg;

    (void)state;
    build(&f, 1);
    assert_int_equal(get_gpfn_from_mfn(f.h.ram_mfn + 7), 7);
    assert_int_equal(get_gpfn_from_mfn(f.h.d2_ram_mfn + 3), 3);

    assert_int_equal(fake_p2m_set(f.h.d1, 7, 0, p2m_invalid, NULL), 0);
    assert_int_equal(get_gpfn_from_mfn(f.h.ram_mfn + 7), INVALID_M2P_ENTRY);
    assert_int_equal(fake_p2m_set(f.h.d1, 9, f.h.d2_ram_mfn + 3, p2m_grant_map_rw,
                                  f.h.d2), 0);
    assert_int_equal(get_gpfn_from_mfn(f.h.ram_mfn + 9), INVALID_M2P_ENTRY);
    assert_int_equal(get_gpfn_from_mfn(f.h.d2_ram_mfn + 3), 3);
    pg = alloc_domheap_page(NULL, MEMF_no_owner);
    assert_non_null(pg);
    assert_int_equal(get_gpfn_from_mfn(mfn_x(page_to_mfn(pg))),
                     INVALID_M2P_ENTRY);
    free_domheap_page(pg);

    /* A mapped frame the guest then takes out of its p2m. */
    assert_int_equal(gtt_ppgtt_create(f.v, GTT_ROOT_L4, &root), GTT_OK);
    fx_assert_maps_mfn(&f, root, 0, DATA, f.h.ram_mfn + DATA);
    assert_int_equal(fake_p2m_set(f.h.d1, DATA, 0, p2m_invalid, NULL), 0);
    assert_int_equal(get_gpfn_from_mfn(f.h.ram_mfn + DATA), INVALID_M2P_ENTRY);
    fx_assert_maps_mfn(&f, root, 0, DATA, f.h.ram_mfn + DATA);
    finish(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_in_chunks),
        cmocka_unit_test(test_pending_in_shadow_entry),
        cmocka_unit_test(test_m2p),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
