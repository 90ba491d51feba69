/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * GTT engine, global GTT side: what the GPU can reach after guest GGTT
 * writes (the simulated physical GGTT), with which references, refused for
 * which reason; vGPU create/reset/destroy and allocation failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "vgpu.h"
#include "fake-host.h"

#define GGTT_ENTRIES  4096u                 /* a 16 MiB GGTT */
#define AP_BASE       0x100000u             /* entries 256..319 */
#define AP_SIZE       0x40000u
#define HID_BASE      0x800000u             /* entries 2048..2175 */
#define HID_SIZE      0x80000u
#define AP_FIRST      (AP_BASE >> 12)
#define AP_NR         (AP_SIZE >> 12)
#define HID_FIRST     (HID_BASE >> 12)
#define HID_NR        (HID_SIZE >> 12)
#define RAM_MFN       1000u                 /* gfn g of d1 is mfn 1000 + g */
#define NR_RAM        64u

/* Non-RAM frames of d1. */
enum {
    GFN_MMIO = 64, GFN_GRANT, GFN_FOREIGN, GFN_PAGED, GFN_SHARED,
    GFN_XEN, GFN_OTHER_DOMAIN, GFN_RO, GFN_LOGDIRTY,
    GFN_HOLE = 100, GFN_PAST_END = 1000,
};

static struct fake_host host;
static struct gtt_vgpu *v;

static uint64_t pte(unsigned long gfn)
{
    return ((uint64_t)gfn << 12) | GGTT_PTE_PRESENT;
}

/* The vGPU's scratch page; the device's once the vGPU is gone. */
static uint64_t scratch(void)
{
    unsigned long mfn = v ? gtt_vgpu_scratch_mfn(v) : host.dev.scratch_mfn;

    return ((uint64_t)mfn << 12) | GGTT_PTE_PRESENT;
}

static struct gtt_vgpu_config config(uint64_t ap_base, uint64_t ap_size,
                                     uint64_t hid_base, uint64_t hid_size)
{
    struct gtt_vgpu_config c = {
        .d = host.d1, .id = 1,
        .aperture_base = ap_base, .aperture_size = ap_size,
        .hidden_base = hid_base, .hidden_size = hid_size,
    };

    return c;
}

static int setup(void **state)
{
    /* d1: RAM, then every kind of frame a guest must not hand the GPU. */
    static const struct fake_frame hostile[] = {
        { GFN_MMIO, FAKE_FRAME_MMIO, 0xfe000 },
        { GFN_GRANT, FAKE_FRAME_GRANT, 0 },           /* d2's gfn 0 */
        { GFN_FOREIGN, FAKE_FRAME_FOREIGN, 1 },       /* d2's gfn 1 */
        { GFN_PAGED, FAKE_FRAME_PAGED, 0 },
        { GFN_SHARED, FAKE_FRAME_SHARED, 3000 },
        { GFN_XEN, FAKE_FRAME_XEN, 3001 },
        { GFN_OTHER_DOMAIN, FAKE_FRAME_OTHER_OWNER, 2 },  /* d2's gfn 2 */
        { GFN_RO, FAKE_FRAME_RO, 3002 },
        { GFN_LOGDIRTY, FAKE_FRAME_LOGDIRTY, 3003 },
    };
    static const struct fake_host_layout layout = {
        .ggtt_entries = GGTT_ENTRIES,
        .max_gfn = 256, .ram = NR_RAM, .ram_mfn = RAM_MFN,
        .d2_max_gfn = 16, .d2_ram = 3, .d2_ram_mfn = 2000,
        .frames = hostile, .nr_frames = ARRAY_SIZE(hostile),
    };
    struct gtt_vgpu_config c;

    (void)state;
    assert_int_equal(fake_host_create(&host, &layout), 0);
    c = config(AP_BASE, AP_SIZE, HID_BASE, HID_SIZE);
    assert_int_equal(gtt_vgpu_create(&host.dev, &c, &v), 0);

    return 0;
}

static void assert_clean(void)
{
    assert_int_equal(fake_refs_total(), 0);
    assert_int_equal(fake_put_violations(), 0);
    assert_int_equal(fake_maps_live(), 0);
}

static int teardown(void **state)
{
    (void)state;
    gtt_vgpu_destroy(v);
    v = NULL;
    assert_clean();
    fake_host_destroy(&host);
    assert_int_equal(fake_domheap_live(), 0);
    assert_int_equal(host_alloc_stats.xmalloc_live, host.xmalloc0);
    return 0;
}

static uint64_t stat_refused(unsigned int reason)
{
    struct gtt_stats st;

    gtt_vgpu_stats(v, &st);
    return st.refused[reason];
}

static void assert_slices_scratch(void)
{
    unsigned int i;

    for ( i = 0; i < AP_NR; i++ )
        assert_int_equal(fake_gpu_ggtt(AP_FIRST + i), scratch());
    for ( i = 0; i < HID_NR; i++ )
        assert_int_equal(fake_gpu_ggtt(HID_FIRST + i), scratch());
}

static void test_create_points_slices_at_scratch(void **state)
{
    (void)state;
    assert_slices_scratch();
    assert_int_equal(fake_gpu_ggtt(AP_FIRST - 1), 0);   /* not ours */
    assert_int_equal(fake_gpu_ggtt(HID_FIRST + HID_NR), 0);
    assert_true(fake_gpu_tlb_invalidations() >= 1);
    assert_non_null(host.dev.scratch);
    assert_null(page_get_owner(host.dev.scratch));      /* Xen's, no owner */
    assert_true(host.dev.scratch_mfn >= FAKE_XEN_MFN_BASE);
    /* The vGPU's own scratch page: Xen's too, not the device's. */
    assert_int_not_equal(gtt_vgpu_scratch_mfn(v), host.dev.scratch_mfn);
    assert_true(gtt_vgpu_scratch_mfn(v) >= FAKE_XEN_MFN_BASE);
    assert_null(page_get_owner(mfn_to_page(gtt_vgpu_scratch_mfn(v))));
}

/*
 * Two vGPUs never share a scratch page: what one guest's GPU work writes
 * through an invalid entry, the other's cannot read (found by the
 * isolation checker, when every vGPU used the device's).
 */
static void test_scratch_not_shared(void **state)
{
    struct gtt_vgpu_config c = config(0x400000, 0x10000, 0x500000, 0x10000);
    struct gtt_vgpu *w;

    (void)state;
    c.d = host.d2;
    c.id = 2;
    assert_int_equal(gtt_vgpu_create(&host.dev, &c, &w), 0);
    assert_int_not_equal(gtt_vgpu_scratch_mfn(w), gtt_vgpu_scratch_mfn(v));
    assert_int_not_equal(gtt_vgpu_scratch_mfn(w), host.dev.scratch_mfn);
    /* A refused entry of each goes to its own page. */
    assert_int_equal(gtt_ggtt_write(v, AP_FIRST, 0, 8, pte(GFN_HOLE)),
                     GTT_ERR_NOT_RAM);
    assert_int_equal(gtt_ggtt_write(w, 0x400, 0, 8, pte(GFN_HOLE)),
                     GTT_ERR_NOT_RAM);
    assert_int_equal(fake_gpu_ggtt(AP_FIRST), scratch());
    assert_int_equal(fake_gpu_ggtt(0x400),
                     ((uint64_t)gtt_vgpu_scratch_mfn(w) << 12) |
                     GGTT_PTE_PRESENT);
    gtt_vgpu_destroy(w);
    /* Gone: its entries are the device's scratch, its page freed. */
    assert_int_equal(fake_gpu_ggtt(0x400),
                     ((uint64_t)host.dev.scratch_mfn << 12) |
                     GGTT_PTE_PRESENT);
}

/* RAM of the guest: host frame, one reference, guest value read back. */
static void test_ram_entry_maps_frame_with_reference(void **state)
{
    struct gtt_xlate x;
    uint64_t val;

    (void)state;
    assert_int_equal(gtt_ggtt_write(v, AP_FIRST, 0, 8, pte(5)), GTT_OK);
    assert_int_equal(fake_gpu_ggtt(AP_FIRST), pte(RAM_MFN + 5));
    assert_int_equal(fake_page_refs(RAM_MFN + 5), 1);
    assert_int_equal(gtt_ggtt_read(v, AP_FIRST, 0, 8, &val), GTT_OK);
    assert_int_equal(val, pte(5));
    assert_int_equal(gtt_translate_ggtt(v, AP_BASE + 0x123, &x), GTT_OK);
    assert_false(x.scratch);
    assert_int_equal(x.domain, 1);
    assert_int_equal(x.gfn, 5);
    assert_int_equal(x.mfn, RAM_MFN + 5);

    /* Hidden slice as well; not present -> scratch, no reference. */
    assert_int_equal(gtt_ggtt_write(v, HID_FIRST + 7, 0, 8, pte(6)), GTT_OK);
    assert_int_equal(fake_gpu_ggtt(HID_FIRST + 7), pte(RAM_MFN + 6));
    assert_int_equal(gtt_ggtt_write(v, HID_FIRST + 7, 0, 8, 6ULL << 12), GTT_OK);
    assert_int_equal(fake_gpu_ggtt(HID_FIRST + 7), scratch());
    assert_int_equal(fake_page_refs(RAM_MFN + 6), 0);
    assert_int_equal(gtt_translate_ggtt(v, HID_BASE + 7 * 4096, &x), GTT_OK);
    assert_true(x.scratch);
    assert_int_equal(fake_put_violations(), 0);
}

/* Only the present bit and the address reach the GPU. */
static void test_other_bits_sanitised(void **state)
{
    uint64_t dirty = pte(7) | 0xffeULL | (1ULL << 39) | (1ULL << 52) |
                     (1ULL << 63);
    uint64_t val;

    (void)state;
    assert_int_equal(gtt_ggtt_write(v, AP_FIRST + 1, 0, 8, dirty), GTT_OK);
    assert_int_equal(fake_gpu_ggtt(AP_FIRST + 1), pte(RAM_MFN + 7));
    assert_int_equal(gtt_ggtt_read(v, AP_FIRST + 1, 0, 8, &val), GTT_OK);
    assert_int_equal(val, dirty);                       /* the guest's own */
}

/* Our own write-protected type is still the guest's RAM. */
static void test_protected_frame_accepted(void **state)
{
    (void)state;
    assert_int_equal(gtt_frame_protect(host.d1, 8), 0);
    assert_int_equal(fake_p2m_type(host.d1, 8), p2m_ioreq_server);
    assert_int_equal(gtt_frame_protect(host.d1, 8), -EBUSY);
    assert_int_equal(gtt_frame_protect(host.d1, GFN_MMIO), -EBUSY);
    assert_int_equal(gtt_ggtt_write(v, AP_FIRST + 2, 0, 8, pte(8)), GTT_OK);
    assert_int_equal(fake_gpu_ggtt(AP_FIRST + 2), pte(RAM_MFN + 8));
    assert_int_equal(gtt_frame_unprotect(host.d1, 8), 0);
    assert_int_equal(fake_p2m_type(host.d1, 8), p2m_ram_rw);
    assert_int_equal(gtt_frame_unprotect(host.d1, 8), -EBUSY);
}

/*
 * Every frame that is not ordinary RAM of the guest: refused with its
 * reason, the entry (which mapped RAM before) points at scratch, and the
 * old reference is gone after the invalidation.
 */
static void test_refused_frames_map_scratch(void **state)
{
    static const struct {
        unsigned long gfn;
        unsigned int reason;
    } cases[] = {
        { GFN_MMIO, GTT_ERR_MMIO },
        { GFN_GRANT, GTT_ERR_GRANT },
        { GFN_FOREIGN, GTT_ERR_FOREIGN },
        { GFN_PAGED, GTT_ERR_PAGED },
        { GFN_SHARED, GTT_ERR_SHARED },
        { GFN_XEN, GTT_ERR_OTHER_OWNER },
        { GFN_OTHER_DOMAIN, GTT_ERR_OTHER_OWNER },
        { GFN_RO, GTT_ERR_NOT_RAM },
        { GFN_LOGDIRTY, GTT_ERR_NOT_RAM },
        { GFN_HOLE, GTT_ERR_NOT_RAM },
        { GFN_PAST_END, GTT_ERR_NOT_RAM },
        { 1UL << 26, GTT_ERR_NOT_RAM },              /* top address bit */
    };
    unsigned int i;
    uint64_t index = HID_FIRST + 3;
    unsigned long inval;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        uint64_t before = stat_refused(cases[i].reason);

        assert_int_equal(gtt_ggtt_write(v, index, 0, 8, pte(9)), GTT_OK);
        assert_int_equal(fake_page_refs(RAM_MFN + 9), 1);
        inval = fake_gpu_tlb_invalidations();
        assert_int_equal(gtt_ggtt_write(v, index, 0, 8, pte(cases[i].gfn)),
                         cases[i].reason);
        assert_int_equal(fake_gpu_ggtt(index), scratch());
        assert_int_equal(stat_refused(cases[i].reason), before + 1);
        assert_int_equal(fake_page_refs(RAM_MFN + 9), 0);
        assert_int_equal(fake_gpu_tlb_invalidations(), inval + 1);
        assert_int_equal(fake_refs_total(), 0);
    }
    assert_int_equal(fake_put_violations(), 0);
}

/* The GPU keeps the old entry until both halves of the new one arrived. */
static void test_half_written_entry_never_reaches_gpu(void **state)
{
    uint64_t index = AP_FIRST + 10, val, new = pte(12) | (1ULL << 33);
    unsigned long writes;

    (void)state;
    assert_int_equal(gtt_ggtt_write(v, index, 0, 8, pte(11)), GTT_OK);
    writes = fake_gpu_entry_writes();

    /* Low half: the guest reads its value back, the GPU sees nothing. */
    assert_int_equal(gtt_ggtt_write(v, index, 0, 4, (uint32_t)pte(12)), GTT_OK);
    assert_int_equal(fake_gpu_ggtt(index), pte(RAM_MFN + 11));
    assert_int_equal(fake_gpu_entry_writes(), writes);
    assert_int_equal(gtt_ggtt_read(v, index, 0, 8, &val), GTT_OK);
    assert_int_equal(val, pte(12));
    assert_int_equal(fake_page_refs(RAM_MFN + 11), 1);
    assert_int_equal(fake_page_refs(RAM_MFN + 12), 0);

    /* High half: the entry is whole, and names a frame past memory. */
    assert_int_equal(gtt_ggtt_write(v, index, 4, 4, new >> 32),
                     GTT_ERR_NOT_RAM);
    assert_int_equal(fake_gpu_ggtt(index), scratch());
    assert_int_equal(gtt_ggtt_read(v, index, 4, 4, &val), GTT_OK);
    assert_int_equal(val, new >> 32);

    /* High half first, then low: valid RAM at last. */
    assert_int_equal(gtt_ggtt_write(v, index, 4, 4, 0), GTT_OK);
    assert_int_equal(fake_gpu_ggtt(index), scratch());
    assert_int_equal(gtt_ggtt_write(v, index, 0, 4, (uint32_t)pte(13)), GTT_OK);
    assert_int_equal(fake_gpu_ggtt(index), pte(RAM_MFN + 13));
    assert_int_equal(fake_page_refs(RAM_MFN + 11), 0);
    assert_int_equal(fake_page_refs(RAM_MFN + 13), 1);

    /* The same half twice is still half an entry. */
    assert_int_equal(gtt_ggtt_write(v, index, 0, 4, (uint32_t)pte(14)), GTT_OK);
    assert_int_equal(gtt_ggtt_write(v, index, 0, 4, (uint32_t)pte(15)), GTT_OK);
    assert_int_equal(fake_gpu_ggtt(index), pte(RAM_MFN + 13));
    /* A whole write supersedes the pending half. */
    assert_int_equal(gtt_ggtt_write(v, index, 0, 8, pte(16)), GTT_OK);
    assert_int_equal(fake_gpu_ggtt(index), pte(RAM_MFN + 16));
    assert_int_equal(gtt_ggtt_write(v, index, 4, 4, 0), GTT_OK);
    assert_int_equal(fake_gpu_ggtt(index), pte(RAM_MFN + 16));
    assert_int_equal(fake_put_violations(), 0);
}

/* More half-written entries than the engine buffers: the oldest goes. */
static void test_pending_halves_bounded(void **state)
{
    unsigned int i;

    (void)state;
    for ( i = 0; i <= GGTT_PENDING_MAX; i++ )
        assert_int_equal(gtt_ggtt_write(v, AP_FIRST + i, 0, 4,
                                        (uint32_t)pte(20 + i)), GTT_OK);
    assert_int_equal(stat_refused(GTT_ERR_BAD_ACCESS), 1);
    /*
     * The evicted entry's high half starts a new pending entry (evicting
     * the next oldest).
     */
    assert_int_equal(gtt_ggtt_write(v, AP_FIRST, 4, 4, 0), GTT_OK);
    assert_int_equal(fake_gpu_ggtt(AP_FIRST), scratch());
    assert_int_equal(stat_refused(GTT_ERR_BAD_ACCESS), 2);
    assert_int_equal(gtt_ggtt_write(v, AP_FIRST + 1, 4, 4, 0), GTT_OK);
    assert_int_equal(fake_gpu_ggtt(AP_FIRST + 1), scratch());
    /* The others complete. */
    assert_int_equal(gtt_ggtt_write(v, AP_FIRST + 3, 4, 4, 0), GTT_OK);
    assert_int_equal(fake_gpu_ggtt(AP_FIRST + 3), pte(RAM_MFN + 23));
    assert_int_equal(fake_refs_total(), 1);
}

/* Entries outside both slices are dropped and counted, BAR0 included. */
static void test_outside_slice_dropped(void **state)
{
    static const uint64_t outside[] = {
        0, AP_FIRST - 1, AP_FIRST + AP_NR, HID_FIRST - 1, HID_FIRST + HID_NR,
        GGTT_ENTRIES - 1, GGTT_ENTRIES, ~0ULL,
    };
    unsigned int i;
    uint64_t val;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(outside); i++ )
    {
        assert_int_equal(gtt_ggtt_write(v, outside[i], 0, 8, pte(1)),
                         GTT_ERR_OUTSIDE_SLICE);
        assert_int_equal(gtt_ggtt_write(v, outside[i], 4, 4, 0),
                         GTT_ERR_OUTSIDE_SLICE);
        if ( outside[i] < GGTT_ENTRIES )
            assert_int_equal(fake_gpu_ggtt(outside[i]), 0);
        assert_int_equal(gtt_ggtt_read(v, outside[i], 0, 8, &val),
                         GTT_ERR_OUTSIDE_SLICE);
        assert_int_equal(val, 0);
    }
    assert_int_equal(stat_refused(GTT_ERR_OUTSIDE_SLICE),
                     2 * ARRAY_SIZE(outside));
    assert_int_equal(gtt_bar0_write(v, GTT_GGTT_OFFSET + 8 * 100, 8, pte(1)),
                     GTT_ERR_OUTSIDE_SLICE);
    assert_int_equal(gtt_bar0_write(v, GTT_GGTT_OFFSET + 8 * AP_FIRST, 8,
                                    pte(1)), GTT_OK);
    assert_int_equal(fake_gpu_ggtt(AP_FIRST), pte(RAM_MFN + 1));
    assert_int_equal(gtt_bar0_read(v, GTT_GGTT_OFFSET + 8 * AP_FIRST + 4, 4,
                                   &val), GTT_OK);
    assert_int_equal(val, 0);
    assert_int_equal(fake_refs_total(), 1);
}

static void test_bad_sizes_refused(void **state)
{
    static const struct {
        unsigned int offset, size;
    } bad[] = { { 0, 1 }, { 0, 2 }, { 2, 2 }, { 0, 16 }, { 2, 4 }, { 4, 8 },
                { 1, 4 }, { 8, 4 }, { 0, 0 } };
    unsigned int i;
    uint64_t val;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(bad); i++ )
    {
        assert_int_equal(gtt_ggtt_write(v, AP_FIRST, bad[i].offset,
                                        bad[i].size, pte(1)),
                         GTT_ERR_BAD_ACCESS);
        assert_int_equal(gtt_ggtt_read(v, AP_FIRST, bad[i].offset,
                                       bad[i].size, &val),
                         GTT_ERR_BAD_ACCESS);
    }
    assert_int_equal(stat_refused(GTT_ERR_BAD_ACCESS), ARRAY_SIZE(bad));
    assert_int_equal(gtt_bar0_write(v, GTT_GGTT_OFFSET + 8 * AP_FIRST + 2, 2,
                                    pte(1)), GTT_ERR_BAD_ACCESS);
    assert_int_equal(gtt_bar0_write(v, 0x2000, 4, 0), GTT_ERR_BAD_ACCESS);
    assert_int_equal(fake_gpu_ggtt(AP_FIRST), scratch());
    assert_int_equal(fake_refs_total(), 0);
}

/* Hidden entries i = 0..HID_NR-1 map gfn i % 7: how many map gfn g. */
static unsigned int hidden_uses(unsigned int g)
{
    return HID_NR / 7 + (g < HID_NR % 7);
}

/*
 * References held on a frame equal the entries pointing at it, and every
 * reference is dropped only after the invalidation that removed its entry
 * (the simulated GPU counts a violation otherwise).
 */
static void test_references_follow_entries(void **state)
{
    unsigned int i;
    struct gtt_stats st;

    (void)state;
    for ( i = 0; i < 10; i++ )
        assert_int_equal(gtt_ggtt_write(v, AP_FIRST + i, 0, 8, pte(3)), GTT_OK);
    for ( i = 0; i < HID_NR; i++ )
        assert_int_equal(gtt_ggtt_write(v, HID_FIRST + i, 0, 8, pte(i % 7)),
                         GTT_OK);
    assert_int_equal(fake_page_refs(RAM_MFN + 3), 10 + hidden_uses(3));
    for ( i = 0; i < 4; i++ )
        assert_int_equal(gtt_ggtt_write(v, AP_FIRST + i, 0, 8, pte(30)), GTT_OK);
    /* The same frame rewritten: a second reference, then the old one goes. */
    assert_int_equal(gtt_ggtt_write(v, AP_FIRST + 9, 0, 8, pte(3)), GTT_OK);
    assert_int_equal(fake_page_refs(RAM_MFN + 3), 6 + hidden_uses(3));
    assert_int_equal(fake_page_refs(RAM_MFN + 30), 4);
    for ( i = 0; i < 7; i++ )
        assert_int_equal(fake_page_refs(RAM_MFN + i),
                         (i == 3 ? 6 : 0) + hidden_uses(i));
    gtt_vgpu_stats(v, &st);
    assert_int_equal(st.refs_held, fake_refs_total());
    assert_int_equal(st.entries_validated, 10 + HID_NR + 5);
    assert_int_equal(fake_put_violations(), 0);
}

static void fill_slices(void)
{
    unsigned int i;

    for ( i = 0; i < AP_NR; i++ )
        assert_int_equal(gtt_ggtt_write(v, AP_FIRST + i, 0, 8, pte(i % NR_RAM)),
                         GTT_OK);
    for ( i = 0; i < HID_NR; i++ )
        assert_int_equal(gtt_ggtt_write(v, HID_FIRST + i, 0, 8, pte(i % NR_RAM)),
                         GTT_OK);
    assert_int_equal(fake_refs_total(), AP_NR + HID_NR);
}

static void test_reset_returns_everything(void **state)
{
    uint64_t val;

    (void)state;
    fill_slices();
    assert_int_equal(gtt_ggtt_write(v, AP_FIRST, 0, 4, 0x5000), GTT_OK);
    gtt_vgpu_reset(v);
    assert_slices_scratch();
    assert_clean();
    assert_int_equal(gtt_ggtt_read(v, HID_FIRST, 0, 8, &val), GTT_OK);
    assert_int_equal(val, 0);
    assert_int_equal(gtt_ggtt_read(v, AP_FIRST, 0, 8, &val), GTT_OK);
    assert_int_equal(val, 0);                   /* pending half forgotten */
    /* Usable again. */
    assert_int_equal(gtt_ggtt_write(v, AP_FIRST, 0, 8, pte(2)), GTT_OK);
    assert_int_equal(fake_gpu_ggtt(AP_FIRST), pte(RAM_MFN + 2));
}

static void test_destroy_returns_everything(void **state)
{
    (void)state;
    fill_slices();
    gtt_vgpu_destroy(v);
    v = NULL;
    assert_slices_scratch();
    assert_clean();
    assert_int_equal(host_alloc_stats.xmalloc_live, host.xmalloc0);
    assert_int_equal(fake_domheap_live(), 1);
}

/* Reset queues more drops than the queue holds, with growth failing. */
static void test_deferred_queue_allocation_failure(void **state)
{
    unsigned long inval;

    (void)state;
    fill_slices();
    inval = fake_gpu_tlb_invalidations();
    host_alloc_stats.fail_after = 0;
    gtt_vgpu_reset(v);
    host_alloc_stats.fail_after = -1;
    assert_true(fake_gpu_tlb_invalidations() > inval + 1);
    assert_slices_scratch();
    assert_clean();
}

static void test_slice_configs(void **state)
{
    static const struct {
        uint64_t ap_base, ap_size, hid_base, hid_size;
        int rc;
    } cases[] = {
        /* Another vGPU's slices: any overlap refused. */
        { AP_BASE, 0x1000, 0x400000, 0x1000, -EBUSY },
        { 0x200000, 0x1000, HID_BASE + HID_SIZE - 0x1000, 0x2000, -EBUSY },
        { AP_BASE - 0x1000, 0x2000, 0x400000, 0x1000, -EBUSY },
        { 0x200000, 0x1000, AP_BASE + AP_SIZE - 0x1000, 0x1000, -EBUSY },
        /* Bad shapes. */
        { 0x200800, 0x1000, 0x400000, 0x1000, -EINVAL },
        { 0x200000, 0x1800, 0x400000, 0x1000, -EINVAL },
        { 0x200000, 0, 0x400000, 0x1000, -EINVAL },
        { 0x200000, 0x1000, 0x200000, 0x1000, -EINVAL },
        { 0x200000, 0x1000, GGTT_ENTRIES * 4096ULL - 0x1000, 0x2000, -EINVAL },
        { 0x200000, 0x1000, ~0xfffULL, 0x1000, -EINVAL },
        /* Adjacent is fine. */
        { AP_BASE + AP_SIZE, 0x1000, HID_BASE + HID_SIZE, 0x1000, 0 },
    };
    struct gtt_vgpu_config c;
    struct gtt_vgpu *w;
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        c = config(cases[i].ap_base, cases[i].ap_size, cases[i].hid_base,
                   cases[i].hid_size);
        c.d = host.d2;
        assert_int_equal(gtt_vgpu_create(&host.dev, &c, &w), cases[i].rc);
        if ( cases[i].rc )
        {
            assert_null(w);
            continue;
        }
        assert_int_equal(gtt_ggtt_write(w, AP_FIRST + AP_NR, 0, 8, pte(0)),
                         GTT_OK);
        assert_int_equal(fake_gpu_ggtt(AP_FIRST + AP_NR), pte(2000));
        assert_int_equal(gtt_ggtt_write(v, AP_FIRST + AP_NR, 0, 8, pte(0)),
                         GTT_ERR_OUTSIDE_SLICE);
        gtt_vgpu_destroy(w);
    }
    c = config(AP_BASE, AP_SIZE, HID_BASE, HID_SIZE);
    c.d = NULL;
    assert_int_equal(gtt_vgpu_create(&host.dev, &c, &w), -EINVAL);
    assert_int_equal(fake_refs_total(), 0);
}

/* Every allocation of create failing in turn: nothing leaks. */
static void test_create_allocation_failure_sweep(void **state)
{
    struct gtt_vgpu_config c = config(0x200000, 0x10000, 0x400000, 0x10000);
    struct gtt_vgpu *w;
    long xm = host_alloc_stats.xmalloc_live, pages = fake_domheap_live();
    long fail;
    int rc = -ENOMEM;

    (void)state;
    c.d = host.d2;
    for ( fail = 0; rc == -ENOMEM && fail < 1000; fail++ )
    {
        host_alloc_stats.fail_after = fail;
        rc = gtt_vgpu_create(&host.dev, &c, &w);
        host_alloc_stats.fail_after = -1;
        if ( rc )
        {
            assert_int_equal(rc, -ENOMEM);
            assert_null(w);
            assert_int_equal(host_alloc_stats.xmalloc_live, xm);
            assert_int_equal(fake_domheap_live(), pages);
        }
    }
    assert_int_equal(rc, 0);
    assert_true(fail > 2);
    gtt_vgpu_destroy(w);
    assert_int_equal(host_alloc_stats.xmalloc_live, xm);
    assert_int_equal(fake_domheap_live(), pages);
}

static void test_device_checks(void **state)
{
    struct gtt_device d;

    (void)state;
    assert_int_equal(gtt_device_init(&d, 0, &host.hw), -EINVAL);
    assert_int_equal(gtt_device_init(&d, 16, NULL), -EINVAL);
    host_alloc_stats.fail_after = 0;
    assert_int_equal(gtt_device_init(&d, 16, &host.hw), -ENOMEM);
    host_alloc_stats.fail_after = -1;
    assert_string_equal(gtt_reason_name(GTT_ERR_OUTSIDE_SLICE), "outside-slice");
    assert_string_equal(gtt_reason_name(GTT_ERR_OTHER_OWNER), "other-owner");
    assert_string_equal(gtt_reason_name(GTT_ERR_NR), "unknown");
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/*
 * After every step of a long random sequence of guest writes: each slice
 * entry the GPU sees is scratch or RAM of the guest, the entries outside
 * the slices are untouched, and the references on each frame equal the
 * physical entries pointing at it.
 */
static void check_ggtt_invariants(void)
{
    static long uses[NR_RAM];
    unsigned int i, g;
    uint64_t e;

    memset(uses, 0, sizeof(uses));
    for ( i = 0; i < GGTT_ENTRIES; i++ )
    {
        e = fake_gpu_ggtt(i);
        if ( gtt_ggtt_slot(v, i) < 0 )
        {
            assert_int_equal(e, 0);
            continue;
        }
        if ( e == scratch() )
            continue;
        g = (e >> 12) - RAM_MFN;
        assert_int_equal(e, pte(RAM_MFN + g));
        assert_true(g < NR_RAM);
        uses[g]++;
    }
    for ( g = 0; g < NR_RAM; g++ )
        assert_int_equal(fake_page_refs(RAM_MFN + g), uses[g]);
    assert_int_equal(fake_put_violations(), 0);
}

static void test_random_writes_keep_invariants(void **state)
{
    static const unsigned long gfns[] = {
        GFN_MMIO, GFN_GRANT, GFN_FOREIGN, GFN_PAGED, GFN_SHARED, GFN_XEN,
        GFN_OTHER_DOMAIN, GFN_RO, GFN_HOLE, GFN_PAST_END,
    };
    unsigned int step, kind;
    uint64_t index, val;
    int rc;

    (void)state;
    for ( step = 0; step < 20000; step++ )
    {
        uint64_t r = rng();

        /* Mostly inside the slices, sometimes anywhere. */
        if ( r & 1 )
            index = AP_FIRST + (r >> 8) % (AP_NR + 2) - 1;
        else
            index = HID_FIRST + (r >> 8) % (HID_NR + 2) - 1;
        if ( (r & 0x1e) == 0x1e )
            index = (r >> 32) % (GGTT_ENTRIES + 8);
        kind = (r >> 40) % 8;
        if ( kind < 4 )
            val = pte((r >> 44) % NR_RAM) | ((r >> 20) & 0xffe);
        else if ( kind < 6 )
            val = pte(gfns[(r >> 44) % ARRAY_SIZE(gfns)]);
        else
            val = (r >> 44) << 12;                  /* not present */
        switch ( (r >> 56) % 4 )
        {
        case 0:
            rc = gtt_ggtt_write(v, index, 0, 4, (uint32_t)val);
            break;
        case 1:
            rc = gtt_ggtt_write(v, index, 4, 4, val >> 32);
            break;
        default:
            rc = gtt_ggtt_write(v, index, 0, 8, val);
            break;
        }
        if ( gtt_ggtt_slot(v, index) < 0 )
            assert_int_equal(rc, GTT_ERR_OUTSIDE_SLICE);
        if ( step % 500 == 0 )
            check_ggtt_invariants();
        if ( step == 10000 )
        {
            gtt_vgpu_reset(v);
            assert_slices_scratch();
            assert_clean();
        }
    }
    check_ggtt_invariants();
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_create_points_slices_at_scratch),
        T(test_scratch_not_shared),
        T(test_ram_entry_maps_frame_with_reference),
        T(test_other_bits_sanitised),
        T(test_protected_frame_accepted),
        T(test_refused_frames_map_scratch),
        T(test_half_written_entry_never_reaches_gpu),
        T(test_pending_halves_bounded),
        T(test_outside_slice_dropped),
        T(test_bad_sizes_refused),
        T(test_references_follow_entries),
        T(test_reset_returns_everything),
        T(test_destroy_returns_everything),
        T(test_deferred_queue_allocation_failure),
        T(test_slice_configs),
        T(test_create_allocation_failure_sweep),
        T(test_device_checks),
        T(test_random_writes_keep_invariants),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
