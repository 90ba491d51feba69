/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's display planes (display.h): its trapped writes to the plane
 * registers recorded, and a plane's armed registers decoded into what the
 * hardware would scan out.
 */
#include "vgpu.h"

/*
 * Gen8: primary, sprite, cursor.  Gen9: three universal planes and the
 * cursor on pipes A and B, two on pipe C.
 */
#define MASK_PLANES(n)   ((1u << (n)) - 1)
#define MASK_CURSOR      (1u << DISPLAY_CURSOR)

static bool is_gen8(const struct gtt_vgpu *v)
{
    return v->cfg.gen == 8;
}

uint32_t gtt_display_plane_mask(const struct gtt_vgpu *v, unsigned int pipe)
{
    if ( pipe >= DISPLAY_PIPES )
        return 0;
    if ( is_gen8(v) || pipe == 2 )
        return MASK_PLANES(2) | MASK_CURSOR;

    return MASK_PLANES(3) | MASK_CURSOR;
}

/* Register of a plane at a dword offset in its block, or -1. */
static int plane_reg_index(unsigned int in_plane)
{
    switch ( in_plane )
    {
    case 0x00: return DISPLAY_REG_CTL;
    case 0x08: return DISPLAY_REG_STRIDE;
    case 0x0c: return DISPLAY_REG_POS;
    case 0x10: return DISPLAY_REG_SIZE;
    case 0x1c: return DISPLAY_REG_SURF;
    case 0x24: return DISPLAY_REG_OFFSET;
    }

    return -1;
}

static int cursor_reg_index(unsigned int in_cursor)
{
    switch ( in_cursor )
    {
    case 0x0: return DISPLAY_REG_CTL;
    case 0x4: return DISPLAY_REG_SURF;          /* CUR_BASE */
    case 0x8: return DISPLAY_REG_POS;
    }

    return -1;
}

/*
 * The plane register at a dword-aligned BAR0 offset: false when the offset
 * is not one Xen records for this vGPU's generation.
 */
static bool plane_reg(const struct gtt_vgpu *v, uint64_t offset,
                      unsigned int *pipe, unsigned int *plane, int *reg)
{
    unsigned int in;

    if ( offset < DISPLAY_PIPE_BASE ||
         offset - DISPLAY_PIPE_BASE >= DISPLAY_PIPES * DISPLAY_PIPE_STRIDE )
        return false;
    *pipe = (offset - DISPLAY_PIPE_BASE) / DISPLAY_PIPE_STRIDE;
    in = (offset - DISPLAY_PIPE_BASE) % DISPLAY_PIPE_STRIDE;
    if ( in >= DISPLAY_CURSOR_FIRST && in < DISPLAY_PLANE_FIRST )
    {
        *plane = DISPLAY_CURSOR;
        *reg = cursor_reg_index(in - DISPLAY_CURSOR_FIRST);
    }
    else if ( in >= DISPLAY_PLANE_FIRST &&
              in < DISPLAY_PLANE_FIRST + DISPLAY_CURSOR * DISPLAY_PLANE_STRIDE )
    {
        *plane = (in - DISPLAY_PLANE_FIRST) / DISPLAY_PLANE_STRIDE;
        *reg = plane_reg_index((in - DISPLAY_PLANE_FIRST) %
                               DISPLAY_PLANE_STRIDE);
    }
    else
        return false;

    return *reg >= 0 && (gtt_display_plane_mask(v, *pipe) & (1u << *plane));
}

/* PIPESRC of a pipe, or -1. */
static int pipesrc_pipe(uint64_t offset)
{
    if ( offset < DISPLAY_PIPESRC ||
         (offset - DISPLAY_PIPESRC) % DISPLAY_PIPE_STRIDE ||
         (offset - DISPLAY_PIPESRC) / DISPLAY_PIPE_STRIDE >= DISPLAY_PIPES )
        return -1;

    return (offset - DISPLAY_PIPESRC) / DISPLAY_PIPE_STRIDE;
}

/* Whether Xen records the dword at a 4-aligned offset. */
static bool recorded(const struct gtt_vgpu *v, uint64_t offset)
{
    unsigned int pipe, plane;
    int reg;

    return pipesrc_pipe(offset) >= 0 ||
           plane_reg(v, offset, &pipe, &plane, &reg);
}

/* With v->lock held: true when the dword is one Xen records. */
static bool dword_write(struct gtt_vgpu *v, uint64_t offset, uint32_t val)
{
    struct gtt_display_plane *p;
    unsigned int pipe, plane;
    int reg, src_pipe = pipesrc_pipe(offset);

    if ( src_pipe >= 0 )
    {
        v->display.pipesrc[src_pipe] = val;
        return true;
    }
    if ( !plane_reg(v, offset, &pipe, &plane, &reg) )
        return false;
    p = &v->display.plane[pipe][plane];
    p->written[reg] = val;
    if ( reg == DISPLAY_REG_SURF )
    {
        memcpy(p->armed, p->written, sizeof(p->armed));
        p->flips++;
    }

    return true;
}

int gtt_display_mmio_write(struct gtt_vgpu *v, uint64_t offset,
                           unsigned int size, uint64_t val)
{
    bool low, high = false;

    if ( (size != 4 && size != 8) || (offset & (size - 1)) )
        /* Refused if it touches a recorded dword (the first or last). */
        return size && (recorded(v, offset & ~3ULL) ||
                        recorded(v, (offset + size - 1) & ~3ULL))
               ? GTT_ERR_BAD_ACCESS : GTT_ERR_NOT_TRACKED;
    spin_lock(&v->lock);
    low = dword_write(v, offset, val);
    if ( size == 8 )
        high = dword_write(v, offset + 4, val >> 32);
    spin_unlock(&v->lock);

    return low || high ? GTT_OK : GTT_ERR_NOT_TRACKED;
}

/* ------------------------------------------------------------------------
 * Decoding the armed registers.
 * ------------------------------------------------------------------------ */

#define CTL_ENABLE            (1u << 31)
#define CTL_TILING(c)         (((c) >> 10) & 7)
#define GEN9_CTL_ROTATE_90    (1u << 0)   /* 90 or 270: a rotated view */
#define GEN8_CTL_TILED        (1u << 10)
#define SURF_ADDR_MASK        0xfffff000u
#define CURSOR_MODE_MASK      0x27u
#define CURSOR_SIZE_MASK      0x07u

/* Rows a tile spans, and bytes per unit of the Gen9 stride register. */
struct tiling_desc {
    uint32_t tiling;
    unsigned int rows;
    unsigned int stride_unit;
};

/*
 * Gen9 PLANE_CTL 12:10.  Yf tiles' width depends on the pixel size: not
 * decoded (the geometry stays unknown), nor are the reserved values.
 */
static const struct tiling_desc gen9_tilings[8] = {
    [0] = { XEN_GPU_EMUL_TILING_LINEAR, 1, 64 },
    [1] = { XEN_GPU_EMUL_TILING_X, 8, 512 },
    [4] = { XEN_GPU_EMUL_TILING_Y, 32, 128 },
    [5] = { XEN_GPU_EMUL_TILING_YF, 0, 0 },
};

/* The two 13-bit fields of a size or position register: 12:0, 28:16. */
static void reg_fields(uint32_t reg, uint32_t *lo, uint32_t *hi)
{
    *lo = reg & 0x1fff;
    *hi = (reg >> 16) & 0x1fff;
}

/* Sizes are programmed minus one. */
static void reg_size(uint32_t reg, uint32_t *lo, uint32_t *hi)
{
    reg_fields(reg, lo, hi);
    ++*lo;
    ++*hi;
}

/*
 * Pages from the surface's start to the end of its last row: the rows
 * above and in the visible area, rounded up to whole tiles.  0 when the
 * geometry is unknown.
 */
static uint64_t surface_pages(const struct gtt_plane_state *st,
                              unsigned int tile_rows)
{
    uint64_t rows;

    if ( !tile_rows || !st->stride || !st->height )
        return 0;
    rows = (uint64_t)st->y + st->height;
    rows = (rows + tile_rows - 1) / tile_rows * tile_rows;

    return (rows * st->stride + (1ULL << GTT_PAGE_SHIFT) - 1) >>
           GTT_PAGE_SHIFT;
}

static unsigned int decode_cursor(const uint32_t *r,
                                  struct gtt_plane_state *st)
{
    static const uint32_t sizes[8] = { [2] = 128, [3] = 256, [7] = 64 };
    uint32_t mode = r[DISPLAY_REG_CTL] & CURSOR_MODE_MASK;

    st->enabled = mode != 0;
    st->format = r[DISPLAY_REG_CTL] & 0x3f;
    st->tiling = XEN_GPU_EMUL_TILING_LINEAR;
    st->width = st->height = sizes[mode & CURSOR_SIZE_MASK];
    st->stride = st->width * 4;                 /* 32-bit pixels */

    return 1;
}

static unsigned int decode_gen9(const uint32_t *r, struct gtt_plane_state *st)
{
    uint32_t ctl = r[DISPLAY_REG_CTL];
    const struct tiling_desc *t = &gen9_tilings[CTL_TILING(ctl)];

    st->enabled = ctl & CTL_ENABLE;
    st->format = (ctl >> 24) & 0xf;
    st->tiling = t->tiling;
    st->stride = (r[DISPLAY_REG_STRIDE] & 0x3ff) * t->stride_unit;
    reg_size(r[DISPLAY_REG_SIZE], &st->width, &st->height);
    reg_fields(r[DISPLAY_REG_OFFSET], &st->x, &st->y);

    /*
     * Scanned through a rotated GGTT view, with a stride in other units:
     * not decoded.  180 degrees reads the same rows.
     */
    return ctl & GEN9_CTL_ROTATE_90 ? 0 : t->rows;
}

static unsigned int decode_gen8(const struct gtt_vgpu *v, unsigned int pipe,
                                unsigned int plane, const uint32_t *r,
                                struct gtt_plane_state *st)
{
    uint32_t ctl = r[DISPLAY_REG_CTL];

    st->enabled = ctl & CTL_ENABLE;
    st->tiling = ctl & GEN8_CTL_TILED ? XEN_GPU_EMUL_TILING_X
                                      : XEN_GPU_EMUL_TILING_LINEAR;
    st->stride = r[DISPLAY_REG_STRIDE] & 0xffc0;    /* bytes, 64 aligned */
    if ( plane == XEN_GPU_EMUL_PLANE_PRIMARY )
    {
        st->format = (ctl >> 26) & 0xf;
        reg_size(v->display.pipesrc[pipe], &st->height, &st->width);
    }
    else
    {
        st->format = (ctl >> 25) & 0x7;
        reg_size(r[DISPLAY_REG_SIZE], &st->width, &st->height);
    }
    reg_fields(r[DISPLAY_REG_OFFSET], &st->x, &st->y);

    return st->tiling == XEN_GPU_EMUL_TILING_X ? 8 : 1;
}

bool gtt_display_plane_get(const struct gtt_vgpu *v, unsigned int pipe,
                           unsigned int plane, struct gtt_plane_state *st)
{
    const struct gtt_display_plane *p;
    unsigned int tile_rows;

    memset(st, 0, sizeof(*st));
    if ( pipe >= DISPLAY_PIPES || plane >= DISPLAY_PLANES ||
         !(gtt_display_plane_mask(v, pipe) & (1u << plane)) )
        return false;
    p = &v->display.plane[pipe][plane];
    st->flips = p->flips;
    st->surface = p->armed[DISPLAY_REG_SURF] & SURF_ADDR_MASK;
    if ( plane == DISPLAY_CURSOR )
        tile_rows = decode_cursor(p->armed, st);
    else if ( is_gen8(v) )
        tile_rows = decode_gen8(v, pipe, plane, p->armed, st);
    else
        tile_rows = decode_gen9(p->armed, st);
    st->nr_pages = surface_pages(st, tile_rows);

    return true;
}
