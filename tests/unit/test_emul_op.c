/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The display emulator's operations (emul_op.c, display.c): every refusal
 * with its reason and the exact offset of the offending field, accepted
 * operations with their exact results, and security level 3: whatever the
 * emulator asks, the only frames it gets are those of a plane's current
 * surface that the guest maps to its own RAM.
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
#define HID_BASE      0x800000u             /* entries 2048..2111 */
#define HID_SIZE      0x40000u
#define AP_FIRST      (AP_BASE >> 12)
#define HID_FIRST     (HID_BASE >> 12)
#define V2_BASE       0x200000u             /* the other vGPU's slice */
#define V2_SIZE       0x10000u
#define RAM_MFN       1000u                 /* gfn g of d1 is mfn 1000 + g */
#define NR_RAM        128u
#define GFN_MMIO      200u
#define GFN_OTHER     201u                  /* d2's frame in d1's p2m */

/* The guest's layout: a ring, page tables, and its scanout surface. */
#define RING_SLOT     0u                    /* GGTT pages 0..3: gfns 20.. */
#define RING_GFN      20u
#define PT_SLOT       8u                    /* pages 8..9: gfns 30.. */
#define PT_GFN        30u
#define FB_SLOT       16u                   /* pages 16..19: gfns 10..13 */
#define FB_GFN        10u
#define FB2_SLOT      32u                   /* pages 32..35: gfns 40..43 */
#define FB2_GFN       40u
#define FB_PAGES      4u
/* 256x16 pixels, 32 bpp, linear: 16 rows of 1 KiB, 4 pages. */
#define FB_WIDTH      256u
#define FB_HEIGHT     16u
#define FB_STRIDE     1024u

/* Plane registers (offset in the plane's block), i915 names. */
#define REG_CTL       0x00u
#define REG_STRIDE    0x08u
#define REG_SIZE      0x10u
#define REG_SURF      0x1cu
#define REG_OFFSET    0x24u
#define CTL_ENABLE    (1u << 31)
#define CTL_X_TILED   (1u << 10)
#define CTL_Y_TILED   (4u << 10)
#define CTL_YF_TILED  (5u << 10)
#define HDR           16u

static struct fake_host host;
static struct gtt_vgpu *v, *v2;
static uint64_t frames[XEN_GPU_EMUL_MAP_MAX];

static uint64_t pte(unsigned long gfn)
{
    return ((uint64_t)gfn << 12) | GGTT_PTE_PRESENT;
}

static void ggtt_map(unsigned int slot, unsigned long gfn, unsigned int nr)
{
    unsigned int i;

    for ( i = 0; i < nr; i++ )
        assert_int_equal(gtt_ggtt_write(v, AP_FIRST + slot + i, 0, 8,
                                        pte(gfn + i)), GTT_OK);
}

static int setup_gen(unsigned int gen)
{
    static const struct fake_frame frames[] = {
        { GFN_MMIO, FAKE_FRAME_MMIO, 0xfe000 },
        { GFN_OTHER, FAKE_FRAME_OTHER_OWNER, 3 },     /* d2's gfn 3 */
    };
    static const struct fake_host_layout layout = {
        .ggtt_entries = GGTT_ENTRIES,
        .max_gfn = 256, .ram = NR_RAM, .ram_mfn = RAM_MFN,
        .d2_max_gfn = 16, .d2_ram = 4, .d2_ram_mfn = 2000,
        .frames = frames, .nr_frames = ARRAY_SIZE(frames),
    };

    assert_int_equal(fake_host_create(&host, &layout), 0);
    v = fake_host_vgpu(&host, host.d1, gen, AP_BASE, AP_SIZE, HID_BASE,
                       HID_SIZE);
    v2 = fake_host_vgpu(&host, host.d2, gen, V2_BASE, V2_SIZE, 0, 0);
    assert_non_null(v);
    assert_non_null(v2);
    /* d2's own surface page in its slice. */
    assert_int_equal(gtt_ggtt_write(v2, V2_BASE >> 12, 0, 8, pte(0)), GTT_OK);

    ggtt_map(RING_SLOT, RING_GFN, 4);
    ggtt_map(PT_SLOT, PT_GFN, 2);
    ggtt_map(FB_SLOT, FB_GFN, FB_PAGES);
    ggtt_map(FB2_SLOT, FB2_GFN, FB_PAGES);

    return 0;
}

static int setup(void **state)
{
    (void)state;
    return setup_gen(9);
}

static int setup_gen8(void **state)
{
    (void)state;
    return setup_gen(8);
}

static int teardown(void **state)
{
    (void)state;
    gtt_vgpu_destroy(v);
    gtt_vgpu_destroy(v2);
    v = v2 = NULL;
    assert_int_equal(fake_refs_total(), 0);
    assert_int_equal(fake_put_violations(), 0);
    assert_int_equal(fake_maps_live(), 0);
    fake_host_destroy(&host);
    assert_int_equal(fake_domheap_live(), 0);
    assert_int_equal(host_alloc_stats.xmalloc_live, host.xmalloc0);
    return 0;
}

/* ------------------------------------------------------------------------
 * The guest's display writes.
 * ------------------------------------------------------------------------ */

static uint64_t plane_reg(unsigned int pipe, unsigned int plane,
                          unsigned int reg)
{
    if ( plane == XEN_GPU_EMUL_PLANE_CURSOR )
        return 0x70080 + pipe * 0x1000 + reg;
    return 0x70180 + pipe * 0x1000 + plane * 0x100 + reg;
}

static void guest_write(unsigned int pipe, unsigned int plane,
                        unsigned int reg, uint32_t val)
{
    assert_int_equal(gtt_display_mmio_write(v, plane_reg(pipe, plane, reg),
                                            4, val), GTT_OK);
}

/* A Gen9 plane: control bits, stride register, size, offset, then SURF. */
static void program(unsigned int pipe, unsigned int plane, uint32_t ctl,
                    uint32_t stride_reg, uint32_t width, uint32_t height,
                    uint32_t x, uint32_t y, uint64_t surf)
{
    guest_write(pipe, plane, REG_CTL, ctl);
    guest_write(pipe, plane, REG_STRIDE, stride_reg);
    guest_write(pipe, plane, REG_SIZE, (height - 1) << 16 | (width - 1));
    guest_write(pipe, plane, REG_OFFSET, y << 16 | x);
    guest_write(pipe, plane, REG_SURF, surf);
}

/* Pipe A's primary plane scanning out FB_SLOT (XRGB8888, linear). */
static void program_fb(uint64_t surf)
{
    program(0, 0, CTL_ENABLE | (4u << 24), FB_STRIDE / 64, FB_WIDTH,
            FB_HEIGHT, 0, 0, surf);
}

/* ------------------------------------------------------------------------
 * The emulator's buffers.
 * ------------------------------------------------------------------------ */

struct buf {
    uint8_t b[128];
    size_t len;
};

static void build(struct buf *b, uint32_t op, const void *body, uint32_t size)
{
    struct xen_gpu_emul_header h = {
        .version = XEN_GPU_INTERFACE_VERSION, .op = op, .size = size,
    };

    memset(b, 0, sizeof(*b));
    memcpy(b->b, &h, sizeof(h));
    memcpy(b->b + sizeof(h), body, size);
    b->len = sizeof(h) + size;
}

static void put32(struct buf *b, size_t off, uint32_t val)
{
    memcpy(b->b + off, &val, 4);
}

static unsigned int run(struct buf *b, struct gtt_emul_verdict *vd)
{
    memset(frames, 0xa5, sizeof(frames));
    return gtt_emul_op(v, b->b, b->len, frames, XEN_GPU_EMUL_MAP_MAX, vd);
}

static void assert_refused(struct buf *b, unsigned int reason,
                           uint32_t offset)
{
    struct gtt_emul_verdict vd;

    assert_int_equal(run(b, &vd), reason);
    assert_int_equal(vd.reason, reason);
    assert_int_equal(vd.offset, offset);
}

static void map_buf(struct buf *b, uint32_t pipe, uint32_t plane,
                    uint32_t first, uint32_t nr)
{
    struct xen_gpu_emul_map_surface m = {
        .pipe = pipe, .plane = plane, .first = first, .nr = nr,
    };

    build(b, XEN_GPU_EMUL_MAP_SURFACE, &m, sizeof(m));
}

/* MAP_SURFACE: its verdict; on refusal the frames are all zero. */
static unsigned int map(uint32_t pipe, uint32_t plane, uint32_t first,
                        uint32_t nr, struct gtt_emul_verdict *vd)
{
    struct buf b;
    unsigned int rc, i;

    map_buf(&b, pipe, plane, first, nr);
    rc = run(&b, vd);
    if ( rc != XEN_GPU_EMUL_OK )
        for ( i = 0; i < nr && i < XEN_GPU_EMUL_MAP_MAX; i++ )
            assert_int_equal(frames[i], 0);
    return rc;
}

static void assert_map_refused(uint32_t pipe, uint32_t plane, uint32_t first,
                               uint32_t nr, unsigned int reason,
                               uint32_t offset)
{
    struct gtt_emul_verdict vd;

    assert_int_equal(map(pipe, plane, first, nr, &vd), reason);
    assert_int_equal(vd.offset, offset);
}

static void assert_frames(uint32_t pipe, uint32_t plane, uint32_t first,
                          uint32_t nr, unsigned long gfn)
{
    struct gtt_emul_verdict vd;
    unsigned int i;

    assert_int_equal(map(pipe, plane, first, nr, &vd), XEN_GPU_EMUL_OK);
    for ( i = 0; i < nr; i++ )
        assert_int_equal(frames[i], gfn + i);
    assert_int_equal(frames[nr], 0xa5a5a5a5a5a5a5a5ULL);  /* nothing more */
}

static struct xen_gpu_emul_get_plane get_plane(uint32_t pipe, uint32_t plane)
{
    struct xen_gpu_emul_get_plane p = { .pipe = pipe, .plane = plane };
    struct gtt_emul_verdict vd;
    struct buf b;

    build(&b, XEN_GPU_EMUL_GET_PLANE, &p, sizeof(p));
    assert_int_equal(run(&b, &vd), XEN_GPU_EMUL_OK);
    memcpy(&p, b.b + HDR, sizeof(p));
    return p;
}

/* An enabled plane's decoded state. */
static void assert_plane(const struct xen_gpu_emul_get_plane *p,
                         uint32_t format, uint32_t tiling, uint32_t stride,
                         uint32_t width, uint32_t height, uint32_t nr_pages)
{
    assert_int_equal(p->flags, XEN_GPU_EMUL_PLANE_ENABLED);
    assert_int_equal(p->format, format);
    assert_int_equal(p->tiling, tiling);
    assert_int_equal(p->stride, stride);
    assert_int_equal(p->width, width);
    assert_int_equal(p->height, height);
    assert_int_equal(p->nr_pages, nr_pages);
}

/* ------------------------------------------------------------------------
 * The ABI's layout and the buffer's refusals.
 * ------------------------------------------------------------------------ */

static void test_layout(void **state)
{
    (void)state;
    assert_int_equal(sizeof(struct xen_gpu_emul_header), 16);
    assert_int_equal(sizeof(struct xen_gpu_emul_get_info), 64);
    assert_int_equal(sizeof(struct xen_gpu_emul_get_plane), 56);
    assert_int_equal(sizeof(struct xen_gpu_emul_map_surface), 32);
    assert_int_equal(offsetof(struct xen_gpu_emul_get_info, aperture_base), 32);
    assert_int_equal(offsetof(struct xen_gpu_emul_get_plane, surface), 48);
    assert_int_equal(offsetof(struct xen_gpu_emul_map_surface, surface), 24);
}

static void test_header_refused(void **state)
{
    struct xen_gpu_emul_get_info info = { 0 };
    struct buf b;
    uint32_t ops[] = { 0, 4, 0x80000003u, ~0u };
    unsigned int i;

    (void)state;
    build(&b, XEN_GPU_EMUL_GET_INFO, &info, sizeof(info));
    for ( i = 0; i < HDR; i++ )
    {
        b.len = i;                  /* no whole header */
        assert_refused(&b, XEN_GPU_EMUL_ERR_TRUNCATED, i);
    }
    b.len = HDR + sizeof(info);

    put32(&b, 0, XEN_GPU_INTERFACE_VERSION + 1);
    assert_refused(&b, XEN_GPU_EMUL_ERR_VERSION, 0);
    put32(&b, 0, 0);
    assert_refused(&b, XEN_GPU_EMUL_ERR_VERSION, 0);
    put32(&b, 0, XEN_GPU_INTERFACE_VERSION);

    for ( i = 0; i < ARRAY_SIZE(ops); i++ )
    {
        put32(&b, 4, ops[i]);
        assert_refused(&b, XEN_GPU_EMUL_ERR_UNKNOWN_OP, 4);
    }
    put32(&b, 4, XEN_GPU_EMUL_GET_INFO);

    put32(&b, 8, sizeof(info) - 8);
    assert_refused(&b, XEN_GPU_EMUL_ERR_SIZE, 8);
    put32(&b, 8, sizeof(struct xen_gpu_emul_map_surface));  /* another op's */
    assert_refused(&b, XEN_GPU_EMUL_ERR_SIZE, 8);
    put32(&b, 8, ~0u);
    assert_refused(&b, XEN_GPU_EMUL_ERR_SIZE, 8);
    put32(&b, 8, sizeof(info));

    put32(&b, 12, 1);
    assert_refused(&b, XEN_GPU_EMUL_ERR_PAD, 12);
    put32(&b, 12, 0);

    b.len = HDR + sizeof(info) - 1;     /* the op's struct cut short */
    assert_refused(&b, XEN_GPU_EMUL_ERR_TRUNCATED, HDR + sizeof(info) - 1);
    b.len = HDR;
    assert_refused(&b, XEN_GPU_EMUL_ERR_TRUNCATED, HDR);
    b.len = HDR + sizeof(info) + 1;     /* a byte too many */
    assert_refused(&b, XEN_GPU_EMUL_ERR_TRAILING, HDR + sizeof(info));
    b.len = HDR + sizeof(info);
    assert_refused(&b, XEN_GPU_EMUL_OK, 0);
}

/* Each field of each op, at its exact offset in the buffer. */
static void test_fields_refused(void **state)
{
    struct xen_gpu_emul_get_info info = { .pad = 1 };
    struct xen_gpu_emul_get_plane plane = { .pipe = 3 };
    struct buf b;

    (void)state;
    build(&b, XEN_GPU_EMUL_GET_INFO, &info, sizeof(info));
    assert_refused(&b, XEN_GPU_EMUL_ERR_PAD, HDR + 12);

    build(&b, XEN_GPU_EMUL_GET_PLANE, &plane, sizeof(plane));
    assert_refused(&b, XEN_GPU_EMUL_ERR_PIPE, HDR + 0);
    put32(&b, HDR, 0);
    put32(&b, HDR + 4, 4);
    assert_refused(&b, XEN_GPU_EMUL_ERR_PLANE, HDR + 4);

    map_buf(&b, ~0u, 0, 0, 1);
    assert_refused(&b, XEN_GPU_EMUL_ERR_PIPE, HDR + 0);
    map_buf(&b, 0, 7, 0, 1);
    assert_refused(&b, XEN_GPU_EMUL_ERR_PLANE, HDR + 4);
    map_buf(&b, 0, 0, 0, 0);
    assert_refused(&b, XEN_GPU_EMUL_ERR_COUNT, HDR + 12);
    map_buf(&b, 0, 0, 0, XEN_GPU_EMUL_MAP_MAX + 1);
    assert_refused(&b, XEN_GPU_EMUL_ERR_COUNT, HDR + 12);
    map_buf(&b, 0, 0, ~0u, 1);
    assert_refused(&b, XEN_GPU_EMUL_ERR_OVERFLOW, HDR + 8);
    map_buf(&b, 0, 0, ~0u - 511, 512);
    assert_refused(&b, XEN_GPU_EMUL_ERR_OVERFLOW, HDR + 8);
    map_buf(&b, 0, 0, 0, 1);
    put32(&b, HDR + 16, 0x100);
    assert_refused(&b, XEN_GPU_EMUL_ERR_PAD, HDR + 16);
}

/* OUT fields carry nothing in: whatever the caller put there is ignored. */
static void test_out_fields_ignored(void **state)
{
    struct xen_gpu_emul_map_surface m = {
        .pipe = 0, .plane = 0, .first = 0, .nr = 1,
        .nr_pages = 1000, .surface = AP_BASE,   /* the ring, say */
    };
    struct gtt_emul_verdict vd;
    struct buf b;

    (void)state;
    program_fb(AP_BASE + FB_SLOT * 4096);
    build(&b, XEN_GPU_EMUL_MAP_SURFACE, &m, sizeof(m));
    assert_int_equal(run(&b, &vd), XEN_GPU_EMUL_OK);
    assert_int_equal(frames[0], FB_GFN);
    memcpy(&m, b.b + HDR, sizeof(m));
    assert_int_equal(m.surface, AP_BASE + FB_SLOT * 4096);
    assert_int_equal(m.nr_pages, FB_PAGES);
}

/* The caller's second buffer bounds nr. */
static void test_frames_buffer_bounds_nr(void **state)
{
    struct gtt_emul_verdict vd;
    struct buf b;

    (void)state;
    program_fb(AP_BASE + FB_SLOT * 4096);
    map_buf(&b, 0, 0, 0, 3);
    assert_int_equal(gtt_emul_op(v, b.b, b.len, frames, 2, &vd),
                     XEN_GPU_EMUL_ERR_COUNT);
    assert_int_equal(vd.offset, HDR + 12);
    assert_int_equal(gtt_emul_op(v, b.b, b.len, frames, 3, &vd),
                     XEN_GPU_EMUL_OK);
}

/* ------------------------------------------------------------------------
 * Accepted operations.
 * ------------------------------------------------------------------------ */

static void test_get_info(void **state)
{
    struct xen_gpu_emul_get_info info = { .version = 77, .gen = 3 };
    struct gtt_emul_verdict vd;
    struct buf b;

    (void)state;
    build(&b, XEN_GPU_EMUL_GET_INFO, &info, sizeof(info));
    assert_int_equal(run(&b, &vd), XEN_GPU_EMUL_OK);
    memcpy(&info, b.b + HDR, sizeof(info));
    assert_int_equal(info.version, XEN_GPU_INTERFACE_VERSION);
    assert_int_equal(info.gen, 9);
    assert_int_equal(info.nr_pipes, 3);
    assert_int_equal(info.plane_mask[0], 0xf);
    assert_int_equal(info.plane_mask[1], 0xf);
    assert_int_equal(info.plane_mask[2], 0xb);      /* 2 planes + cursor */
    assert_int_equal(info.plane_mask[3], 0);
    assert_int_equal(info.aperture_base, AP_BASE);
    assert_int_equal(info.aperture_size, AP_SIZE);
    assert_int_equal(info.hidden_base, HID_BASE);
    assert_int_equal(info.hidden_size, HID_SIZE);
}

/* Registers take effect when the surface is written, as on the GPU. */
static void test_get_plane_armed_by_surface(void **state)
{
    struct xen_gpu_emul_get_plane p;

    (void)state;
    p = get_plane(0, 0);
    assert_int_equal(p.flags, 0);
    assert_int_equal(p.nr_pages, 0);

    guest_write(0, 0, REG_CTL, CTL_ENABLE | (4u << 24) | CTL_X_TILED);
    guest_write(0, 0, REG_STRIDE, 4);               /* 4 X tiles: 2 KiB */
    guest_write(0, 0, REG_SIZE, (600u - 1) << 16 | (512u - 1));
    guest_write(0, 0, REG_OFFSET, 3u << 16 | 5u);
    p = get_plane(0, 0);
    assert_int_equal(p.flags, 0);                   /* not armed yet */
    assert_int_equal(p.flips, 0);

    guest_write(0, 0, REG_SURF, HID_BASE | 0xabc);  /* low bits ignored */
    p = get_plane(0, 0);
    /* rows 0..602 -> 608 (X tiles are 8 rows) * 2 KiB = 304 pages */
    assert_plane(&p, 4, XEN_GPU_EMUL_TILING_X, 2048, 512, 600, 304);
    assert_int_equal(p.x, 5);
    assert_int_equal(p.y, 3);
    assert_int_equal(p.surface, HID_BASE);
    assert_int_equal(p.flips, 1);

    /* A new stride alone changes nothing until the next flip. */
    guest_write(0, 0, REG_STRIDE, 8);
    assert_int_equal(get_plane(0, 0).stride, 2048);
    guest_write(0, 0, REG_SURF, HID_BASE);
    assert_int_equal(get_plane(0, 0).stride, 4096);
    assert_int_equal(get_plane(0, 0).flips, 2);

    /* Y tiles: 128 bytes a unit, 32 rows. */
    program(1, 2, CTL_ENABLE | CTL_Y_TILED, 10, 100, 33, 0, 0, AP_BASE);
    p = get_plane(1, 2);
    assert_plane(&p, 0, XEN_GPU_EMUL_TILING_Y, 1280, 100, 33,
                 64 * 1280 / 4096);
}

static void test_cursor(void **state)
{
    struct xen_gpu_emul_get_plane p;

    (void)state;
    ggtt_map(48, 60, 16);
    guest_write(1, XEN_GPU_EMUL_PLANE_CURSOR, 0x0, 0x27);   /* 64x64 ARGB */
    guest_write(1, XEN_GPU_EMUL_PLANE_CURSOR, 0x4, AP_BASE + 48 * 4096);
    p = get_plane(1, XEN_GPU_EMUL_PLANE_CURSOR);
    assert_plane(&p, 0x27, XEN_GPU_EMUL_TILING_LINEAR, 256, 64, 64, 4);
    assert_frames(1, XEN_GPU_EMUL_PLANE_CURSOR, 0, 4, 60);
    assert_map_refused(1, XEN_GPU_EMUL_PLANE_CURSOR, 4, 1,
                       XEN_GPU_EMUL_ERR_EXTENT, HDR + 8);

    guest_write(1, XEN_GPU_EMUL_PLANE_CURSOR, 0x0, 0x22);   /* 128x128 */
    guest_write(1, XEN_GPU_EMUL_PLANE_CURSOR, 0x4, AP_BASE + 48 * 4096);
    assert_int_equal(get_plane(1, XEN_GPU_EMUL_PLANE_CURSOR).nr_pages, 16);
    assert_frames(1, XEN_GPU_EMUL_PLANE_CURSOR, 0, 16, 60);

    /* A legacy 2-bpp mode: size unknown, nothing handed out. */
    guest_write(1, XEN_GPU_EMUL_PLANE_CURSOR, 0x0, 0x05);
    guest_write(1, XEN_GPU_EMUL_PLANE_CURSOR, 0x4, AP_BASE + 48 * 4096);
    assert_map_refused(1, XEN_GPU_EMUL_PLANE_CURSOR, 0, 1,
                       XEN_GPU_EMUL_ERR_GEOMETRY, HDR + 4);
    guest_write(1, XEN_GPU_EMUL_PLANE_CURSOR, 0x0, 0);
    guest_write(1, XEN_GPU_EMUL_PLANE_CURSOR, 0x4, 0);
    assert_map_refused(1, XEN_GPU_EMUL_PLANE_CURSOR, 0, 1,
                       XEN_GPU_EMUL_ERR_PLANE_OFF, HDR + 4);
}

static void test_map_surface(void **state)
{
    (void)state;
    program_fb(AP_BASE + FB_SLOT * 4096);
    assert_frames(0, 0, 0, FB_PAGES, FB_GFN);
    assert_frames(0, 0, 1, 2, FB_GFN + 1);
    assert_frames(0, 0, 3, 1, FB_GFN + 3);
}

/* ------------------------------------------------------------------------
 * Refusals against the vGPU's state.
 * ------------------------------------------------------------------------ */

static void test_plane_refused(void **state)
{
    struct xen_gpu_emul_get_plane p = { .pipe = 2, .plane = 2 };
    struct buf b;

    (void)state;
    /* Gen9 pipe C has no third universal plane. */
    build(&b, XEN_GPU_EMUL_GET_PLANE, &p, sizeof(p));
    assert_refused(&b, XEN_GPU_EMUL_ERR_PLANE, HDR + 4);
    assert_map_refused(2, 2, 0, 1, XEN_GPU_EMUL_ERR_PLANE, HDR + 4);
    /* Nor are its registers recorded. */
    assert_int_equal(gtt_display_mmio_write(v, plane_reg(2, 2, REG_SURF), 4,
                                            AP_BASE), GTT_ERR_NOT_TRACKED);

    /* Off: never enabled, or disabled by the guest. */
    assert_map_refused(1, 0, 0, 1, XEN_GPU_EMUL_ERR_PLANE_OFF, HDR + 4);
    program_fb(AP_BASE + FB_SLOT * 4096);
    guest_write(0, 0, REG_CTL, 0);
    guest_write(0, 0, REG_SURF, 0);
    assert_map_refused(0, 0, 0, 1, XEN_GPU_EMUL_ERR_PLANE_OFF, HDR + 4);
}

static void test_geometry_refused(void **state)
{
    (void)state;
    /* No stride. */
    program(0, 1, CTL_ENABLE, 0, 64, 64, 0, 0, AP_BASE + FB_SLOT * 4096);
    assert_map_refused(0, 1, 0, 1, XEN_GPU_EMUL_ERR_GEOMETRY, HDR + 4);
    /* Yf tiles: width depends on the pixel size, not decoded. */
    program(0, 1, CTL_ENABLE | CTL_YF_TILED, 4, 64, 64, 0, 0,
            AP_BASE + FB_SLOT * 4096);
    assert_map_refused(0, 1, 0, 1, XEN_GPU_EMUL_ERR_GEOMETRY, HDR + 4);
    /* Rotated by 90 or 270 degrees: a rotated GGTT view, not decoded. */
    program(0, 1, CTL_ENABLE | 1u, 16, 256, 4, 0, 0,
            AP_BASE + FB_SLOT * 4096);
    assert_map_refused(0, 1, 0, 1, XEN_GPU_EMUL_ERR_GEOMETRY, HDR + 4);
    program(0, 1, CTL_ENABLE | 3u, 16, 256, 4, 0, 0,
            AP_BASE + FB_SLOT * 4096);
    assert_map_refused(0, 1, 0, 1, XEN_GPU_EMUL_ERR_GEOMETRY, HDR + 4);
    /* 180 degrees scans the same rows. */
    program(0, 1, CTL_ENABLE | 2u, 16, 256, 4, 0, 0,
            AP_BASE + FB_SLOT * 4096);
    assert_frames(0, 1, 0, 1, FB_GFN);
    /* Reserved tiling value. */
    program(0, 1, CTL_ENABLE | (7u << 10), 4, 64, 64, 0, 0,
            AP_BASE + FB_SLOT * 4096);
    assert_map_refused(0, 1, 0, 1, XEN_GPU_EMUL_ERR_GEOMETRY, HDR + 4);
    /* Extends past the end of the GGTT (16 MiB). */
    program(0, 1, CTL_ENABLE, 16, 256, 8, 0, 0, 0xfff000);
    assert_map_refused(0, 1, 0, 1, XEN_GPU_EMUL_ERR_GEOMETRY, HDR + 4);
    /* Starts past it. */
    program(0, 1, CTL_ENABLE, 16, 256, 4, 0, 0, 0x7ffff000);
    assert_map_refused(0, 1, 0, 1, XEN_GPU_EMUL_ERR_GEOMETRY, HDR + 4);
}

static void test_extent_refused(void **state)
{
    (void)state;
    program_fb(AP_BASE + FB_SLOT * 4096);
    assert_map_refused(0, 0, FB_PAGES, 1, XEN_GPU_EMUL_ERR_EXTENT, HDR + 8);
    assert_map_refused(0, 0, 2, 3, XEN_GPU_EMUL_ERR_EXTENT, HDR + 12);
    assert_map_refused(0, 0, 0, FB_PAGES + 1, XEN_GPU_EMUL_ERR_EXTENT,
                       HDR + 12);
    assert_map_refused(0, 0, ~0u - 512, 512, XEN_GPU_EMUL_ERR_EXTENT,
                       HDR + 8);
    /* A y offset scans rows further down: they count. */
    program(0, 0, CTL_ENABLE, FB_STRIDE / 64, FB_WIDTH, FB_HEIGHT, 0, 4,
            AP_BASE + FB_SLOT * 4096);
    assert_map_refused(0, 0, 0, 6, XEN_GPU_EMUL_ERR_EXTENT, HDR + 12);
    ggtt_map(FB_SLOT + 4, FB_GFN + 4, 1);
    assert_frames(0, 0, 0, 5, FB_GFN);
}

/* Per page: the page's reason, the offset of 'first', the page's index. */
static void assert_page_refused(uint32_t first, uint32_t nr,
                                unsigned int reason, uint32_t page)
{
    struct gtt_emul_verdict vd;

    assert_int_equal(map(0, 0, first, nr, &vd), reason);
    assert_int_equal(vd.offset, HDR + 8);
    assert_int_equal(vd.page, page);
}

static void test_outside_slice_refused(void **state)
{
    (void)state;
    /* The last two pages of the aperture, then two outside it. */
    ggtt_map((AP_SIZE >> 12) - 2, 50, 2);
    program_fb(AP_BASE + AP_SIZE - 2 * 4096);
    assert_frames(0, 0, 0, 2, 50);
    assert_page_refused(0, 4, XEN_GPU_EMUL_ERR_OUTSIDE_SLICE, 2);
    assert_page_refused(3, 1, XEN_GPU_EMUL_ERR_OUTSIDE_SLICE, 0);
    /* In the other vGPU's slice, where d2's frame is. */
    program_fb(V2_BASE);
    assert_page_refused(0, 1, XEN_GPU_EMUL_ERR_OUTSIDE_SLICE, 0);
}

static void test_scratch_and_not_guest_refused(void **state)
{
    (void)state;
    program_fb(AP_BASE + FB_SLOT * 4096);

    /* Entry not present. */
    assert_int_equal(gtt_ggtt_write(v, AP_FIRST + FB_SLOT + 1, 0, 8,
                                    (uint64_t)(FB_GFN + 1) << 12), GTT_OK);
    assert_page_refused(0, 4, XEN_GPU_EMUL_ERR_SCRATCH, 1);
    /* Entries the engine refused: MMIO, another domain's frame. */
    assert_int_equal(gtt_ggtt_write(v, AP_FIRST + FB_SLOT + 1, 0, 8,
                                    pte(GFN_MMIO)), GTT_ERR_MMIO);
    assert_page_refused(1, 1, XEN_GPU_EMUL_ERR_SCRATCH, 0);
    assert_int_equal(gtt_ggtt_write(v, AP_FIRST + FB_SLOT + 1, 0, 8,
                                    pte(GFN_OTHER)), GTT_ERR_OTHER_OWNER);
    assert_page_refused(0, 2, XEN_GPU_EMUL_ERR_SCRATCH, 1);
    ggtt_map(FB_SLOT + 1, FB_GFN + 1, 1);
    assert_frames(0, 0, 0, 4, FB_GFN);

    /*
     * The guest takes a surface frame out of its p2m: the GPU still holds
     * it (referenced), but the gfn no longer names it.
     */
    fake_p2m_set(host.d1, FB_GFN + 2, 0, p2m_invalid, NULL);
    assert_page_refused(0, 4, XEN_GPU_EMUL_ERR_NOT_GUEST, 2);
    /* Or backs the gfn with another frame. */
    fake_p2m_set(host.d1, FB_GFN + 2, fake_guest_mfns(1), p2m_ram_rw, NULL);
    assert_page_refused(2, 1, XEN_GPU_EMUL_ERR_NOT_GUEST, 0);
    /* Rewriting the entry picks the new frame up. */
    ggtt_map(FB_SLOT + 2, FB_GFN + 2, 1);
    assert_frames(0, 0, 0, 4, FB_GFN);
}

/* ------------------------------------------------------------------------
 * Level 3: nothing but the current surface.
 * ------------------------------------------------------------------------ */

/* Every window of every plane: only gfns in [lo, lo + n) ever come out. */
static unsigned int sweep(unsigned long lo, unsigned int n)
{
    unsigned int pipe, plane, first, nr, i, accepted = 0;
    struct gtt_emul_verdict vd;

    for ( pipe = 0; pipe < XEN_GPU_EMUL_MAX_PIPES; pipe++ )
        for ( plane = 0; plane < XEN_GPU_EMUL_MAX_PLANES; plane++ )
            for ( first = 0; first < 40; first++ )
                for ( nr = 1; nr <= 40; nr++ )
                {
                    if ( map(pipe, plane, first, nr, &vd) != XEN_GPU_EMUL_OK )
                        continue;
                    accepted++;
                    for ( i = 0; i < nr; i++ )
                        assert_true(frames[i] - lo < n);
                }

    return accepted;
}

static void test_only_current_surface(void **state)
{
    (void)state;
    /* Nothing on: nothing at all. */
    assert_int_equal(sweep(0, 0), 0);

    program_fb(AP_BASE + FB_SLOT * 4096);
    assert_int_equal(sweep(FB_GFN, FB_PAGES), 10);  /* 4 + 3 + 2 + 1 */

    /* The guest flips to its second buffer: the first is out of reach. */
    program_fb(AP_BASE + FB2_SLOT * 4096);
    assert_int_equal(sweep(FB2_GFN, FB_PAGES), 10);
    assert_frames(0, 0, 0, FB_PAGES, FB2_GFN);

    /* It points the GGTT pages of the surface elsewhere (invalid). */
    assert_int_equal(gtt_ggtt_write(v, AP_FIRST + FB2_SLOT + 3, 0, 8,
                                    pte(GFN_MMIO)), GTT_ERR_MMIO);
    assert_int_equal(sweep(FB2_GFN, 3), 6);         /* 3 + 2 + 1 */
    assert_page_refused(0, 4, XEN_GPU_EMUL_ERR_SCRATCH, 3);

    /* The guest resets the vGPU: its display is off again. */
    gtt_vgpu_reset(v);
    assert_int_equal(sweep(0, 0), 0);
}

/* A surface the guest places over its ring: those are its pages to show. */
static void test_surface_is_what_guest_programs(void **state)
{
    (void)state;
    program(0, 0, CTL_ENABLE, 1, 16, 1, 0, 0, AP_BASE + PT_SLOT * 4096);
    assert_int_equal(get_plane(0, 0).nr_pages, 1);
    assert_frames(0, 0, 0, 1, PT_GFN);
    assert_map_refused(0, 0, 1, 1, XEN_GPU_EMUL_ERR_EXTENT, HDR + 8);
}

/*
 * Random plane programming over a GGTT with random entries: each accepted
 * frame is the one the guest's entry at that page of the surface names,
 * inside the slices and inside the extent computed here independently.
 */
static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return rnd_state >> 8;
}

static void test_random_planes(void **state)
{
    static const uint32_t tilings[] = { 0, CTL_X_TILED, CTL_Y_TILED };
    static const unsigned int units[] = { 64, 512, 128 }, rows_of[] = {
        1, 8, 32 };
    unsigned long gfn_of[AP_SIZE >> 12];
    unsigned int iter, checked = 0, refused = 0;

    (void)state;
    for ( iter = 0; iter < AP_SIZE >> 12; iter++ )
    {
        gfn_of[iter] = rnd() % NR_RAM;
        ggtt_map(iter, gfn_of[iter], 1);
    }
    for ( iter = 0; iter < 3000; iter++ )
    {
        unsigned int t = rnd() % 3, su = rnd() % 8, w = rnd() % 300 + 1,
                     h = rnd() % 40 + 1, y = rnd() % 8;
        uint64_t surf = AP_BASE + (uint64_t)(rnd() % 80) * 4096 - 8 * 4096;
        uint64_t rows = (y + h + rows_of[t] - 1) / rows_of[t] * rows_of[t];
        uint64_t pages = (rows * su * units[t] + 4095) / 4096;
        uint32_t first = rnd() % 20, nr = rnd() % 20 + 1, i;
        struct gtt_emul_verdict vd;

        program(0, 1, CTL_ENABLE | tilings[t], su, w, h, 0, y, surf);
        if ( map(0, 1, first, nr, &vd) != XEN_GPU_EMUL_OK )
        {
            refused++;
            continue;
        }
        assert_true(first + nr <= pages);
        for ( i = 0; i < nr; i++ )
        {
            uint64_t slot = (surf >> 12) + first + i - AP_FIRST;

            assert_true(slot < (AP_SIZE >> 12));
            assert_int_equal(frames[i], gfn_of[slot]);
        }
        checked++;
    }
    /* Both outcomes happen, so the property was exercised. */
    assert_true(checked > 100);
    assert_true(refused > 100);
}

/* ------------------------------------------------------------------------
 * The register snoop.
 * ------------------------------------------------------------------------ */

static void test_mmio_write_routing(void **state)
{
    (void)state;
    /* Not display plane registers. */
    assert_int_equal(gtt_display_mmio_write(v, 0x70004, 4, 1),
                     GTT_ERR_NOT_TRACKED);
    assert_int_equal(gtt_display_mmio_write(v, 0x70184, 4, 1),
                     GTT_ERR_NOT_TRACKED);      /* DSPLINOFF: not used */
    assert_int_equal(gtt_display_mmio_write(v, 0x73180, 4, 1),
                     GTT_ERR_NOT_TRACKED);      /* no pipe D */
    assert_int_equal(gtt_display_mmio_write(v, 0x2000, 4, 1),
                     GTT_ERR_NOT_TRACKED);
    /* Display registers written badly: nothing recorded. */
    assert_int_equal(gtt_display_mmio_write(v, 0x7019e, 2, 1),
                     GTT_ERR_BAD_ACCESS);
    assert_int_equal(gtt_display_mmio_write(v, 0x7019d, 4, AP_BASE),
                     GTT_ERR_BAD_ACCESS);
    assert_int_equal(gtt_display_mmio_write(v, 0x7019c, 8, AP_BASE),
                     GTT_ERR_BAD_ACCESS);       /* qword not aligned */
    assert_int_equal(get_plane(0, 0).flips, 0);
    assert_int_equal(gtt_display_mmio_write(v, 0x1001, 4, 1),
                     GTT_ERR_NOT_TRACKED);
    assert_int_equal(gtt_display_mmio_write(v, 0x70002, 2, 1),
                     GTT_ERR_NOT_TRACKED);      /* a display register */
    assert_int_equal(gtt_display_mmio_write(v, 0x7018e, 4, 1),
                     GTT_ERR_BAD_ACCESS);       /* ends in SIZE */
    assert_int_equal(gtt_display_mmio_write(v, 0x6001e, 2, 1),
                     GTT_ERR_BAD_ACCESS);       /* half of PIPESRC */
    /* A qword: two dwords, low first (SIZE at +0x10, +0x14 untracked). */
    assert_int_equal(gtt_display_mmio_write(v, 0x70190, 8,
                                            (uint64_t)7 << 32 | 0x00030004),
                     GTT_OK);
    guest_write(0, 0, REG_SURF, 0);
    assert_int_equal(get_plane(0, 0).width, 5);
    assert_int_equal(get_plane(0, 0).height, 4);
}

/* ------------------------------------------------------------------------
 * Gen8: primary (size from PIPESRC), sprite, cursor; no third plane.
 * ------------------------------------------------------------------------ */

static void test_gen8_planes(void **state)
{
    struct xen_gpu_emul_get_plane p;

    (void)state;
    assert_int_equal(gtt_display_plane_mask(v, 0), 0xb);
    /* PIPESRC of pipe B: 1024 x 8. */
    assert_int_equal(gtt_display_mmio_write(v, 0x6101c, 4,
                                            (1023u << 16) | 7u), GTT_OK);
    guest_write(1, 0, REG_CTL, CTL_ENABLE | (6u << 26) | CTL_X_TILED);
    guest_write(1, 0, REG_STRIDE, 4096 | 0x3f);     /* bytes; low bits 0 */
    guest_write(1, 0, REG_SURF, AP_BASE + FB_SLOT * 4096);
    p = get_plane(1, 0);
    assert_plane(&p, 6, XEN_GPU_EMUL_TILING_X, 4096, 1024, 8, 8);
    assert_map_refused(1, 0, 0, 8, XEN_GPU_EMUL_ERR_SCRATCH, HDR + 8);
    assert_frames(1, 0, 0, 4, FB_GFN);

    /* Sprite: size from its own register, format 27:25. */
    guest_write(1, 1, REG_CTL, CTL_ENABLE | (2u << 25));
    guest_write(1, 1, REG_STRIDE, 1024);
    guest_write(1, 1, REG_SIZE, (3u << 16) | 255u);
    guest_write(1, 1, REG_SURF, AP_BASE + FB2_SLOT * 4096);
    p = get_plane(1, 1);
    assert_plane(&p, 2, XEN_GPU_EMUL_TILING_LINEAR, 1024, 256, 4, 1);
    assert_frames(1, 1, 0, 1, FB2_GFN);

    assert_map_refused(1, 2, 0, 1, XEN_GPU_EMUL_ERR_PLANE, HDR + 4);
    assert_int_equal(gtt_display_mmio_write(v, plane_reg(0, 2, REG_CTL), 4,
                                            1), GTT_ERR_NOT_TRACKED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test_setup_teardown(test_header_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fields_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_fields_ignored, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_frames_buffer_bounds_nr, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_get_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_plane_armed_by_surface,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_cursor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_surface, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plane_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_geometry_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_extent_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outside_slice_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_scratch_and_not_guest_refused,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_only_current_surface, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_surface_is_what_guest_programs,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_planes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mmio_write_routing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_gen8_planes, setup_gen8,
                                        teardown),
    };

    host_printk_quiet = 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
