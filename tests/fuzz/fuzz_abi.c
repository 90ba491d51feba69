/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer target: the display emulator's argument decoding and
 * operations (xen/arch/x86/hvm/gtt/emul_op.c) over arbitrary buffers.
 *
 * Input: the raw argument buffer, exactly as the emulator would pass it
 * (struct xen_gpu_emul_header, then the op's struct), copied into a heap
 * buffer of its exact length so that any read past it is caught.
 *
 * The machine (built once: the operations change nothing but the buffer):
 * a guest d1 whose GGTT slices (a 256 KiB aperture, a 128 KiB hidden
 * slice) map known frames, a few of them invalid (not present, MMIO, a
 * frame the guest has since taken out of its p2m), and a second vGPU of
 * another domain; d1's display planes programmed through the trapped
 * register writes: surfaces that are whole, partly invalid, crossing the
 * end of a slice, in the other vGPU's slice, past the GGTT, of unknown
 * geometry, disabled, and each kind of tiling and cursor.  FUZZ_VARIANT
 * "gen8" makes it a Gen8 vGPU (primary, sprite and cursor registers), any
 * other value Gen9.
 *
 * After every input it checks:
 *   - the verdict names a known reason, the one returned;
 *   - refused: the offset is inside the buffer at a field (4-aligned), or
 *     the buffer's length for a truncated buffer; no frame was written;
 *     a buffer refused while decoding is unchanged;
 *   - accepted: the buffer is exactly header + the op's struct; the header
 *     and the IN fields are unchanged; GET_PLANE reports the surface and
 *     the page count programmed; MAP_SURFACE returned exactly the frames
 *     the guest's GGTT entries name at those pages of the plane's current
 *     surface (a model kept here, not the engine's), within the extent
 *     computed here, and nothing past nr;
 *   - nothing leaked: allocations and page references as before.
 *
 * Build: tests/fuzz/run-smoke.sh BUILD SECONDS abi.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vgpu.h"
#include "fake-host.h"

#define FZ_GGTT        4096u            /* 16 MiB of GGTT */
#define FZ_AP_BASE     0x100000u
#define FZ_AP_PAGES    64u
#define FZ_HID_BASE    0x800000u
#define FZ_HID_PAGES   32u
#define FZ_V2_BASE     0x200000u        /* the other vGPU's slice */
#define FZ_RAM_MFN     1000u
#define FZ_RAM         200u
#define FZ_GFN_MMIO    250u
#define FZ_GFN_GONE    199u             /* taken out of the p2m later */
#define FZ_HDR         sizeof(struct xen_gpu_emul_header)
#define AP(page)       (FZ_AP_BASE + (page) * 4096u)
#define HID(page)      (FZ_HID_BASE + (page) * 4096u)

#define CHECK(c) do { if ( !(c) ) { fprintf(stderr, "fuzz_abi: check " \
                      "failed: %s (line %d)\n", #c, __LINE__); abort(); } \
                 } while ( 0 )

/*
 * What the guest's GGTT maps: the gfn at each page of its slices, or
 * FZ_NONE where the emulator must get nothing.
 */
#define FZ_NONE        (~0UL)

static unsigned long model_gfn(uint64_t page)
{
    uint64_t ap = page - (FZ_AP_BASE >> 12), hid = page - (FZ_HID_BASE >> 12);

    if ( ap < FZ_AP_PAGES )
    {
        if ( ap == 18 || ap == 42 )     /* not present; ballooned out */
            return FZ_NONE;
        return ap + 1;
    }
    if ( hid < FZ_HID_PAGES )
        return hid == 5 ? FZ_NONE : 100 + hid;  /* 5: MMIO, refused */

    return FZ_NONE;
}

/* A plane as programmed, and what the emulator may get from it. */
struct fz_plane {
    unsigned int pipe, plane;
    uint32_t ctl, stride, size, offset, surf;
    uint32_t pages;                     /* extent, computed by hand */
    bool mappable;                      /* enabled, geometry known */
};

#define CTL_EN   (1u << 31)
#define SIZE(w, h)  ((((h) - 1u) << 16) | ((w) - 1u))

/*
 * Gen9 universal planes (plane 3 is the cursor: ctl is its mode, surf its
 * base).  Pages: rows (y + height, rounded up to the tile's rows) times
 * the stride, in pages.
 */
static const struct fz_plane gen9_planes[] = {
    /* linear, 1 KiB x 16 rows: 4 pages, page 2 not present */
    { 0, 0, CTL_EN | 4u << 24, 16, SIZE(256, 16), 0, AP(16), 4, true },
    /* X tiles, 2 KiB x (2 + 20 -> 24) rows: 12 pages, page 5 MMIO */
    { 0, 1, CTL_EN | 1u << 10, 4, SIZE(512, 20), 2u << 16, HID(0), 12, true },
    /* Y tiles, 1280 B x 64 rows: 20 pages, from page 8 outside the slice */
    { 0, 2, CTL_EN | 4u << 10, 10, SIZE(100, 33), 0, AP(56), 20, true },
    /* 64x64 cursor: 4 pages, page 2 ballooned */
    { 0, 3, 0x27, 0, 0, 0, AP(40), 4, true },
    /* Yf tiles: geometry unknown */
    { 1, 0, CTL_EN | 5u << 10, 4, SIZE(64, 64), 0, AP(0), 0, false },
    /* no stride */
    { 1, 1, CTL_EN, 0, SIZE(64, 64), 0, AP(0), 0, false },
    /* programmed, then disabled below */
    { 1, 2, CTL_EN, 16, SIZE(256, 4), 0, AP(0), 1, false },
    /* 128x128 cursor: 16 pages */
    { 1, 3, 0x22, 0, 0, 0, AP(44), 16, true },
    /* past the end of the GGTT */
    { 2, 0, CTL_EN, 16, SIZE(256, 8), 0, 0xfff000, 2, false },
    /* in the other vGPU's slice: 1 page */
    { 2, 1, CTL_EN, 16, SIZE(256, 4), 0, FZ_V2_BASE, 1, true },
    /* legacy 2-bpp cursor: geometry unknown */
    { 2, 3, 0x05, 0, 0, 0, AP(0), 0, false },
};

/* Gen8: primary (size from PIPESRC), sprite, cursor; strides in bytes. */
static const uint32_t gen8_pipesrc[3] = {
    (1023u << 16) | 3u, (639u << 16) | 7u, (255u << 16) | 7u,
};

static const struct fz_plane gen8_planes[] = {
    /* 4 KiB x 4 rows: 4 pages, page 2 not present */
    { 0, 0, CTL_EN | 6u << 26, 4096, 0, 0, AP(16), 4, true },
    /* X tiles, 2 KiB x 24 rows: 12 pages, page 5 MMIO */
    { 0, 1, CTL_EN | 1u << 10, 2048, SIZE(512, 20), 2u << 16, HID(0), 12,
      true },
    { 0, 3, 0x27, 0, 0, 0, AP(40), 4, true },
    /* 2560 B x 8 rows: 5 pages */
    { 1, 0, CTL_EN, 2560, 0, 0, AP(56), 5, true },
    { 1, 1, 0, 1024, SIZE(64, 4), 0, AP(0), 1, false },
    /* past the end of the GGTT */
    { 2, 0, CTL_EN, 1024, 0, 0, 0xfff000, 2, false },
    { 2, 1, CTL_EN, 1024, SIZE(256, 4), 0, FZ_V2_BASE, 1, true },
};

static struct {
    struct fake_host h;
    struct gtt_vgpu *v, *v2;
    const struct fz_plane *planes;
    unsigned int nr_planes;
    long xmalloc_live, refs;
    uint64_t frames[XEN_GPU_EMUL_MAP_MAX];
} fz;

static void ggtt_set(uint64_t page, unsigned long gfn)
{
    uint64_t pte = ((uint64_t)gfn << 12) | GGTT_PTE_PRESENT;

    gtt_ggtt_write(fz.v, page, 0, 8, gfn == FZ_NONE ? 0 : pte);
}

static void reg_write(uint64_t offset, uint32_t val)
{
    CHECK(gtt_display_mmio_write(fz.v, offset, 4, val) == GTT_OK);
}

static void program(const struct fz_plane *p)
{
    uint64_t base = 0x70000 + p->pipe * 0x1000;

    if ( p->plane == XEN_GPU_EMUL_PLANE_CURSOR )
    {
        reg_write(base + 0x80, p->ctl);
        reg_write(base + 0x84, p->surf);
        return;
    }
    base += 0x180 + p->plane * 0x100;
    reg_write(base + 0x00, p->ctl);
    reg_write(base + 0x08, p->stride);
    reg_write(base + 0x10, p->size);
    reg_write(base + 0x24, p->offset);
    reg_write(base + 0x1c, p->surf);
}

static void machine_create(unsigned int gen)
{
    static const struct fake_frame mmio = {
        FZ_GFN_MMIO, FAKE_FRAME_MMIO, 0xfe000
    };
    static const struct fake_host_layout layout = {
        .ggtt_entries = FZ_GGTT,
        .max_gfn = 256, .ram = FZ_RAM, .ram_mfn = FZ_RAM_MFN,
        .d2_max_gfn = 16, .d2_ram = 1, .d2_ram_mfn = 3000,
        .frames = &mmio, .nr_frames = 1,
    };
    unsigned int i;

    CHECK(fake_host_create(&fz.h, &layout) == 0);
    fz.v = fake_host_vgpu(&fz.h, fz.h.d1, gen, FZ_AP_BASE, FZ_AP_PAGES * 4096,
                          FZ_HID_BASE, FZ_HID_PAGES * 4096);
    fz.v2 = fake_host_vgpu(&fz.h, fz.h.d2, gen, FZ_V2_BASE, 0x10000, 0, 0);
    CHECK(fz.v && fz.v2);
    CHECK(gtt_ggtt_write(fz.v2, FZ_V2_BASE >> 12, 0, 8,
                         GGTT_PTE_PRESENT) == GTT_OK);

    /* The model's frames, and behind its FZ_NONE pages what hides them. */
    for ( i = 0; i < FZ_AP_PAGES; i++ )
    {
        uint64_t page = (FZ_AP_BASE >> 12) + i;

        ggtt_set(page, i == 42 ? FZ_GFN_GONE : model_gfn(page));
    }
    for ( i = 0; i < FZ_HID_PAGES; i++ )
    {
        uint64_t page = (FZ_HID_BASE >> 12) + i;

        ggtt_set(page, i == 5 ? FZ_GFN_MMIO : model_gfn(page));
    }
    /* The guest balloons out a frame its cursor still shows. */
    fake_p2m_set(fz.h.d1, FZ_GFN_GONE, 0, p2m_invalid, NULL);

    if ( gen == 8 )
    {
        fz.planes = gen8_planes;
        fz.nr_planes = ARRAY_SIZE(gen8_planes);
        for ( i = 0; i < ARRAY_SIZE(gen8_pipesrc); i++ )
            reg_write(0x6001c + i * 0x1000, gen8_pipesrc[i]);
    }
    else
    {
        fz.planes = gen9_planes;
        fz.nr_planes = ARRAY_SIZE(gen9_planes);
    }
    for ( i = 0; i < fz.nr_planes; i++ )
        program(&fz.planes[i]);
    if ( gen != 8 )
    {
        /* Plane B2 on, then off again. */
        reg_write(0x71380, 0);
        reg_write(0x7139c, 0);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *variant = getenv("FUZZ_VARIANT");

    (void)argc;
    (void)argv;
    host_printk_quiet = 1;
    machine_create(variant && !strcmp(variant, "gen8") ? 8 : 9);
    fz.xmalloc_live = host_alloc_stats.xmalloc_live;
    fz.refs = fake_refs_total();

    return 0;
}

static const struct fz_plane *plane_of(uint32_t pipe, uint32_t plane)
{
    unsigned int i;

    for ( i = 0; i < fz.nr_planes; i++ )
        if ( fz.planes[i].pipe == pipe && fz.planes[i].plane == plane )
            return &fz.planes[i];

    return NULL;
}

static void check_map(const struct xen_gpu_emul_map_surface *m)
{
    const struct fz_plane *p = plane_of(m->pipe, m->plane);
    uint32_t i;

    CHECK(p && p->mappable);
    CHECK(m->nr >= 1 && m->nr <= XEN_GPU_EMUL_MAP_MAX);
    CHECK((uint64_t)m->first + m->nr <= p->pages);
    CHECK(m->surface == p->surf && m->nr_pages == p->pages);
    for ( i = 0; i < m->nr; i++ )
    {
        unsigned long gfn = model_gfn((p->surf >> 12) + m->first + i);

        CHECK(gfn != FZ_NONE);
        CHECK(fz.frames[i] == gfn);
    }
    for ( ; i < XEN_GPU_EMUL_MAP_MAX; i++ )
        CHECK(fz.frames[i] == 0);
}

static void check_accepted(const uint8_t *in, const uint8_t *out, size_t len)
{
    struct xen_gpu_emul_header h;
    union {
        struct xen_gpu_emul_get_plane plane;
        struct xen_gpu_emul_map_surface map;
    } before, after;
    const struct fz_plane *p;

    CHECK(len >= FZ_HDR);
    CHECK(!memcmp(in, out, FZ_HDR));
    memcpy(&h, in, FZ_HDR);
    CHECK(h.version == XEN_GPU_INTERFACE_VERSION && !h.pad);
    CHECK(len == FZ_HDR + h.size);
    switch ( h.op )
    {
    case XEN_GPU_EMUL_GET_INFO:
        CHECK(h.size == sizeof(struct xen_gpu_emul_get_info));
        CHECK(!memcmp(in + FZ_HDR + 12, out + FZ_HDR + 12, 4));  /* pad */
        break;
    case XEN_GPU_EMUL_GET_PLANE:
        CHECK(h.size == sizeof(before.plane));
        memcpy(&before.plane, in + FZ_HDR, h.size);
        memcpy(&after.plane, out + FZ_HDR, h.size);
        CHECK(after.plane.pipe == before.plane.pipe &&
              after.plane.plane == before.plane.plane);
        p = plane_of(after.plane.pipe, after.plane.plane);
        if ( p && p->mappable )
        {
            CHECK(after.plane.flags == XEN_GPU_EMUL_PLANE_ENABLED);
            CHECK(after.plane.surface == p->surf);
            CHECK(after.plane.nr_pages == p->pages);
        }
        break;
    case XEN_GPU_EMUL_MAP_SURFACE:
        CHECK(h.size == sizeof(before.map));
        memcpy(&before.map, in + FZ_HDR, h.size);
        memcpy(&after.map, out + FZ_HDR, h.size);
        CHECK(after.map.pipe == before.map.pipe &&
              after.map.plane == before.map.plane &&
              after.map.first == before.map.first &&
              after.map.nr == before.map.nr && !after.map.pad);
        check_map(&after.map);
        return;
    default:
        CHECK(0);
    }
    CHECK(fz.frames[0] == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gtt_emul_verdict vd;
    uint8_t *buf = malloc(size ? size : 1);
    unsigned int rc, i;

    CHECK(buf);
    memcpy(buf, data, size);
    memset(fz.frames, 0, sizeof(fz.frames));
    memset(&vd, 0xff, sizeof(vd));

    rc = gtt_emul_op(fz.v, buf, size, fz.frames, XEN_GPU_EMUL_MAP_MAX, &vd);

    CHECK(rc == vd.reason);
    CHECK(rc < XEN_GPU_EMUL_ERR_NR);
    if ( rc == XEN_GPU_EMUL_OK )
        check_accepted(data, buf, size);
    else
    {
        if ( rc == XEN_GPU_EMUL_ERR_TRUNCATED )
            CHECK(vd.offset == size);
        else
            CHECK(vd.offset < size && !(vd.offset & 3));
        for ( i = 0; i < XEN_GPU_EMUL_MAP_MAX; i++ )
            CHECK(fz.frames[i] == 0);
        if ( rc <= XEN_GPU_EMUL_ERR_OVERFLOW )       /* decoding refusals */
            CHECK(!memcmp(data, buf, size));
        else
            CHECK(size >= FZ_HDR && !memcmp(data, buf, FZ_HDR));
    }
    free(buf);

    CHECK(host_alloc_stats.xmalloc_live == fz.xmalloc_live);
    CHECK(fake_refs_total() == fz.refs);
    CHECK(fake_put_violations() == 0);

    return 0;
}
