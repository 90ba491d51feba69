/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * GTT engine, PVINFO page: what an unmodified i915 guest reads to detect
 * the vGPU and balloon itself into its slices, its PPGTT notifications,
 * and the BAR0 routing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "vgpu.h"
#include "fake-host.h"

#define GGTT_ENTRIES   4096u               /* 16 MiB of GGTT */
#define MAPPABLE_END   0x400000u           /* the host's aperture: 4 MiB */
#define AP_BASE        0x100000u
#define AP_SIZE        0x80000u
#define HID_BASE       0x900000u
#define HID_SIZE       0x100000u
#define FENCES         4u
#define VGT_ID         7u
#define PV(off)        (GTT_PVINFO_OFFSET + (off))

static struct fake_host host;
static struct gtt_vgpu *v;

static int setup(void **state)
{
    static const struct fake_frame mmio = { 40, FAKE_FRAME_MMIO, 0xfe000 };
    static const struct fake_host_layout layout = {
        .ggtt_entries = GGTT_ENTRIES,
        .max_gfn = 64, .ram = 32, .ram_mfn = 500,
        .frames = &mmio, .nr_frames = 1,
    };
    struct gtt_vgpu_config c = {
        .id = VGT_ID, .fences = FENCES,
        .aperture_base = AP_BASE, .aperture_size = AP_SIZE,
        .hidden_base = HID_BASE, .hidden_size = HID_SIZE,
    };

    (void)state;
    assert_int_equal(fake_host_create(&host, &layout), 0);
    c.d = host.d1;
    assert_int_equal(gtt_vgpu_create(&host.dev, &c, &v), 0);

    return 0;
}

static int teardown(void **state)
{
    (void)state;
    gtt_vgpu_destroy(v);
    fake_host_destroy(&host);
    assert_int_equal(fake_refs_total(), 0);
    assert_int_equal(fake_put_violations(), 0);
    assert_int_equal(fake_domheap_live(), 0);
    assert_int_equal(fake_maps_live(), 0);
    assert_int_equal(host_alloc_stats.xmalloc_live, host.xmalloc0);
    return 0;
}

static uint64_t rd(unsigned int off, unsigned int size)
{
    uint64_t val = ~0ULL;

    assert_int_equal(gtt_bar0_read(v, PV(off), size, &val), GTT_OK);
    return val;
}

static void wr(unsigned int off, unsigned int size, uint64_t val, int rc)
{
    assert_int_equal(gtt_bar0_write(v, PV(off), size, val), rc);
}

static struct gtt_stats stats(void)
{
    struct gtt_stats st;

    gtt_vgpu_stats(v, &st);
    return st;
}

/* What i915's intel_vgpu_detect() reads. */
static void test_detection_fields(void **state)
{
    (void)state;
    assert_int_equal(rd(PVINFO_MAGIC, 8), 0x4776544776544776ULL);
    assert_memory_equal(&(uint64_t){ rd(PVINFO_MAGIC, 8) }, "vGTvGTvG", 8);
    assert_int_equal(rd(PVINFO_MAGIC + 4, 4), 0x47765447);
    assert_int_equal(rd(PVINFO_VERSION, 2), 1);
    assert_int_equal(rd(PVINFO_VERSION + 2, 2), 0);
    assert_int_equal(rd(PVINFO_VGT_ID, 4), VGT_ID);
    assert_int_equal(rd(PVINFO_VGT_CAPS, 4), (1u << 2) | (1u << 4));
    assert_int_equal(rd(PVINFO_VGT_CAPS, 1), (1u << 2) | (1u << 4));
    assert_int_equal(rd(0x14, 4), 0);                   /* rsv1 */
}

/*
 * i915's intel_vgt_balloon(): the slice read back exactly, and the
 * ballooned ranges (everything else) are exactly what the engine drops.
 */
static void test_balloon_matches_slices(void **state)
{
    uint64_t ap_base = rd(PVINFO_AP_BASE, 4), ap_size = rd(PVINFO_AP_SIZE, 4);
    uint64_t hid_base = rd(PVINFO_HIDDEN_BASE, 4);
    uint64_t hid_size = rd(PVINFO_HIDDEN_SIZE, 4);
    uint64_t balloon[4][2], gaddr, val;
    unsigned int i, b, accepted = 0;

    (void)state;
    assert_int_equal(ap_base, AP_BASE);
    assert_int_equal(ap_size, AP_SIZE);
    assert_int_equal(hid_base, HID_BASE);
    assert_int_equal(hid_size, HID_SIZE);
    assert_int_equal(rd(PVINFO_FENCE_NUM, 4), FENCES);
    assert_int_equal(rd(PVINFO_AP_BASE, 8), AP_BASE | ((uint64_t)AP_SIZE << 32));

    /* The four ranges the guest reserves around its slices. */
    balloon[0][0] = 0;                      balloon[0][1] = ap_base;
    balloon[1][0] = ap_base + ap_size;      balloon[1][1] = MAPPABLE_END;
    balloon[2][0] = MAPPABLE_END;           balloon[2][1] = hid_base;
    balloon[3][0] = hid_base + hid_size;    balloon[3][1] = GGTT_ENTRIES * 4096ULL;

    for ( i = 0; i < GGTT_ENTRIES; i++ )
    {
        bool ballooned = false;
        int rc;

        gaddr = (uint64_t)i << 12;
        for ( b = 0; b < 4; b++ )
            ballooned |= gaddr >= balloon[b][0] && gaddr < balloon[b][1];
        rc = gtt_bar0_write(v, GTT_GGTT_OFFSET + 8 * i, 8, (3ULL << 12) | 1);
        assert_int_equal(rc, ballooned ? GTT_ERR_OUTSIDE_SLICE : GTT_OK);
        assert_int_equal(gtt_bar0_read(v, GTT_GGTT_OFFSET + 8 * i, 8, &val),
                         ballooned ? GTT_ERR_OUTSIDE_SLICE : GTT_OK);
        accepted += !ballooned;
    }
    assert_int_equal(accepted, (AP_SIZE + HID_SIZE) >> 12);
    assert_int_equal(fake_page_refs(503), accepted);
    assert_int_equal(stats().refused[GTT_ERR_OUTSIDE_SLICE],
                     GGTT_ENTRIES - accepted);
}

/* The fields the guest writes read back; the header cannot be written. */
static void test_guest_fields(void **state)
{
    struct gtt_stats st;

    (void)state;
    wr(PVINFO_DISPLAY_READY, 4, 1, GTT_OK);
    wr(PVINFO_CURSOR_X_HOT, 4, 17, GTT_OK);
    wr(PVINFO_CURSOR_Y_HOT, 4, 19, GTT_OK);
    wr(PVINFO_EXECLIST_DESC, 8, 0x1122334455667788ULL, GTT_OK);
    assert_int_equal(rd(PVINFO_DISPLAY_READY, 4), 1);
    assert_int_equal(rd(PVINFO_CURSOR_X_HOT, 8), 17 | (19ULL << 32));
    assert_int_equal(rd(PVINFO_EXECLIST_DESC + 4, 4), 0x11223344);

    wr(PVINFO_MAGIC, 8, 0, GTT_ERR_BAD_ACCESS);
    wr(PVINFO_VGT_CAPS, 4, 0, GTT_ERR_BAD_ACCESS);
    wr(PVINFO_AP_SIZE, 4, 0x10000000, GTT_ERR_BAD_ACCESS);
    wr(0x900, 4, 5, GTT_ERR_BAD_ACCESS);
    wr(0xffc, 4, 5, GTT_ERR_BAD_ACCESS);
    assert_int_equal(rd(PVINFO_MAGIC, 8), 0x4776544776544776ULL);
    assert_int_equal(rd(PVINFO_AP_SIZE, 4), AP_SIZE);
    assert_int_equal(rd(0x900, 4), 0);
    assert_int_equal(v->pvinfo.dropped, 5);
    st = stats();
    assert_int_equal(st.refused[GTT_ERR_BAD_ACCESS], 5);
    assert_false(v->pvinfo.failsafe);
}

static void test_bad_accesses(void **state)
{
    uint64_t val;

    (void)state;
    assert_int_equal(gtt_pvinfo_read(v, 0x2, 4, &val), GTT_ERR_BAD_ACCESS);
    assert_int_equal(gtt_pvinfo_read(v, 0x0, 3, &val), GTT_ERR_BAD_ACCESS);
    assert_int_equal(gtt_pvinfo_read(v, 0x4, 8, &val), GTT_ERR_BAD_ACCESS);
    assert_int_equal(gtt_pvinfo_read(v, 0x1000, 4, &val), GTT_ERR_BAD_ACCESS);
    assert_int_equal(gtt_pvinfo_write(v, PVINFO_DISPLAY_READY, 2, 1),
                     GTT_ERR_BAD_ACCESS);
    assert_int_equal(gtt_pvinfo_write(v, PVINFO_DISPLAY_READY + 1, 4, 1),
                     GTT_ERR_BAD_ACCESS);
    assert_int_equal(gtt_pvinfo_write(v, 0x1000, 4, 1), GTT_ERR_BAD_ACCESS);
    assert_int_equal(rd(PVINFO_DISPLAY_READY, 4), 0);
    /* Not the engine's part of BAR0. */
    assert_int_equal(gtt_bar0_write(v, GTT_PVINFO_OFFSET + GTT_PVINFO_SIZE, 4, 1),
                     GTT_ERR_BAD_ACCESS);
    assert_int_equal(gtt_bar0_read(v, GTT_PVINFO_OFFSET - 4, 4, &val),
                     GTT_ERR_BAD_ACCESS);
    assert_int_equal(gtt_bar0_write(v, GTT_GGTT_OFFSET + 8 * GGTT_ENTRIES, 8, 1),
                     GTT_ERR_BAD_ACCESS);
    assert_int_equal(stats().refused[GTT_ERR_BAD_ACCESS], 5);
}

/* The guest reports it could not fit in its resources. */
static void test_rsv5_write_enters_failsafe(void **state)
{
    (void)state;
    wr(PVINFO_RSV5 + 4, 4, 1, GTT_OK);
    assert_true(v->pvinfo.failsafe);
}

static void set_pdp(unsigned int i, uint64_t gpa)
{
    wr(PVINFO_PDP + 8 * i, 4, (uint32_t)gpa, GTT_OK);
    wr(PVINFO_PDP + 8 * i + 4, 4, gpa >> 32, GTT_OK);
}

/* i915's PPGTT notifications: pdp[] first, then g2v_notify. */
static void test_ppgtt_notifications(void **state)
{
    uint64_t l3[4] = { 0x4000, 0x5000, 0x6000, 0x7000 };
    unsigned int i;

    (void)state;
    set_pdp(0, 0x3000);
    wr(PVINFO_G2V_NOTIFY, 4, PVINFO_G2V_PPGTT_L4_CREATE, GTT_OK);
    assert_int_equal(stats().address_spaces, 1);
    assert_int_equal(rd(PVINFO_G2V_NOTIFY, 4), PVINFO_G2V_PPGTT_L4_CREATE);
    assert_int_equal(rd(PVINFO_PDP, 8), 0x3000);

    for ( i = 0; i < 4; i++ )
        set_pdp(i, l3[i]);
    wr(PVINFO_G2V_NOTIFY, 4, PVINFO_G2V_PPGTT_L3_CREATE, GTT_OK);
    assert_int_equal(stats().address_spaces, 2);

    /* Context notifications need nothing. */
    wr(PVINFO_G2V_NOTIFY, 4, PVINFO_G2V_EXECLIST_CREATE, GTT_OK);
    wr(PVINFO_G2V_NOTIFY, 4, PVINFO_G2V_EXECLIST_DESTROY, GTT_OK);

    wr(PVINFO_G2V_NOTIFY, 4, PVINFO_G2V_PPGTT_L3_DESTROY, GTT_OK);
    assert_int_equal(stats().address_spaces, 1);
    wr(PVINFO_PDP, 8, 0x3000, GTT_OK);
    wr(PVINFO_G2V_NOTIFY, 4, PVINFO_G2V_PPGTT_L4_DESTROY, GTT_OK);
    assert_int_equal(stats().address_spaces, 0);

    wr(PVINFO_G2V_NOTIFY, 4, 9, GTT_ERR_BAD_ACCESS);
    wr(PVINFO_G2V_NOTIFY, 4, 0, GTT_ERR_BAD_ACCESS);
    assert_int_equal(v->pvinfo.dropped, 2);
}

/* A notification is refused exactly as the direct call would be. */
static void test_bad_root_notification(void **state)
{
    uint64_t mmio_root = 40ULL << 12;
    int direct;

    (void)state;
    set_pdp(0, mmio_root);
    direct = gtt_ppgtt_create(v, GTT_ROOT_L4, &mmio_root);
    assert_int_not_equal(direct, GTT_OK);
    wr(PVINFO_G2V_NOTIFY, 4, PVINFO_G2V_PPGTT_L4_CREATE, direct);
    assert_int_equal(stats().address_spaces, 0);
    assert_int_equal(fake_refs_total(), 0);
}

/*
 * Reset keeps the published slice; the PPGTT spaces and what the guest
 * wrote are gone.
 */
static void test_reset(void **state)
{
    (void)state;
    wr(PVINFO_DISPLAY_READY, 4, 1, GTT_OK);
    wr(PVINFO_RSV5, 4, 1, GTT_OK);
    set_pdp(0, 0x3000);
    wr(PVINFO_G2V_NOTIFY, 4, PVINFO_G2V_PPGTT_L4_CREATE, GTT_OK);
    assert_true(fake_refs_total() > 0);
    gtt_vgpu_reset(v);
    assert_int_equal(stats().address_spaces, 0);
    assert_int_equal(fake_refs_total(), 0);
    assert_int_equal(rd(PVINFO_MAGIC, 8), 0x4776544776544776ULL);
    assert_int_equal(rd(PVINFO_HIDDEN_SIZE, 4), HID_SIZE);
    assert_int_equal(rd(PVINFO_DISPLAY_READY, 4), 0);
    assert_int_equal(rd(PVINFO_PDP, 8), 0);
    assert_false(v->pvinfo.failsafe);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_detection_fields),
        T(test_balloon_matches_slices),
        T(test_guest_fields),
        T(test_bad_accesses),
        T(test_rsv5_write_enters_failsafe),
        T(test_ppgtt_notifications),
        T(test_bad_root_notification),
        T(test_reset),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
