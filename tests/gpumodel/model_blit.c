/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The blitter's memory footprint: XY_SRC_COPY_BLT, XY_COLOR_BLT and (Gen9)
 * XY_FAST_COPY_BLT, from the PRM's layout of their Gen8+ forms (48-bit
 * addresses): BR13 holds the destination pitch (bytes, signed 16 bits;
 * dwords for a tiled surface) and the colour depth; then the destination
 * rectangle (x1, y1) - (x2, y2) exclusive, its address, and for copies the
 * source origin, pitch and address.
 *
 * Every page of every row of the destination (write) and source (read)
 * rectangles is touched: through the PPGTT in PPGTT batches, through the
 * GGTT in privileged buffers (where the auditor refuses blits).  A tiled
 * surface is taken as whole rows of its pitch from the tile row holding y1
 * to the one holding y2 - 1 (32 rows, a Y tile's height, covers X tiles
 * too).  Then, for linear surfaces, the pixels move: rows copied, or
 * filled with the colour; not into or out of pages the checker objected
 * to.  Tiled surfaces are touched only.
 */
#include "model_priv.h"

#define BLT_MAX_ROWS  (1u << 16)
#define BLT_TILE_ROWS 32
#define BLT_MAX_ROW_BYTES (64u << 10)   /* rows moved: longer, touched only */
#define BLT_MAX_BAD   16

/* Pages the checker objected to while touched (page numbers). */
struct blit_bad {
    uint64_t pages[BLT_MAX_BAD];
    unsigned int nr;
    bool overflow;            /* more, or a surface not wholly touched */
};

struct blit_surf {
    uint64_t base;
    int64_t pitch;            /* bytes */
    int32_t x1, y1;
    uint32_t w, h;            /* pixels, rows */
    unsigned int cpp;
    bool tiled;
};

static void touch_surface(struct gpu_model_run *r, const struct blit_surf *s,
                          bool write, struct blit_bad *bad)
{
    unsigned int space = r->cls == GPU_CLASS_PPGTT ? GPU_SPACE_PPGTT
                                                   : GPU_SPACE_GGTT;
    int64_t y, y_first = s->y1 < 0 ? 0 : s->y1, y_end = (int64_t)s->y1 + s->h;
    uint64_t x_off = (uint64_t)(s->x1 < 0 ? 0 : s->x1) * s->cpp;
    uint64_t width = (uint64_t)s->w * s->cpp;
    uint64_t prev_lo = 0, prev_hi = 0, p;
    unsigned int pages = 0;
    bool have_prev = false;

    if ( s->tiled )
    {
        y_first -= y_first % BLT_TILE_ROWS;
        y_end += (BLT_TILE_ROWS - y_end % BLT_TILE_ROWS) % BLT_TILE_ROWS;
        x_off = 0;
        width = s->pitch < 0 ? -s->pitch : s->pitch;
    }
    if ( !width || y_end <= y_first )
        return;
    if ( y_end - y_first > BLT_MAX_ROWS )
    {
        y_end = y_first + BLT_MAX_ROWS;
        bad->overflow = true;
    }

    for ( y = y_first; y < y_end; y++ )
    {
        uint64_t start = (s->base + y * s->pitch + x_off) & GPU_HW_GADDR_MASK;
        uint64_t lo = start >> PAGE_SHIFT;
        uint64_t hi = ((start + width - 1) & GPU_HW_GADDR_MASK) >> PAGE_SHIFT;

        if ( hi < lo )
            hi = lo;                /* wrapped at 2^48: the first page */
        for ( p = lo; p <= hi; p++ )
        {
            uint64_t before = r->chk->violations;

            if ( have_prev && p >= prev_lo && p <= prev_hi )
                continue;
            model_touch(r, space, p << PAGE_SHIFT, write);
            if ( r->chk->violations != before )
            {
                if ( bad->nr < BLT_MAX_BAD )
                    bad->pages[bad->nr++] = p;
                else
                    bad->overflow = true;
            }
            if ( ++pages >= GPU_MODEL_MAX_PAGES )
            {
                bad->overflow = true;
                return;
            }
        }
        prev_lo = lo;
        prev_hi = hi;
        have_prev = true;
    }
}

/* A surface whose rows the model moves: linear, all touched. */
static bool surf_movable(const struct blit_surf *s)
{
    return !s->tiled && s->x1 >= 0 && s->y1 >= 0 && s->w && s->h &&
           (uint64_t)s->w * s->cpp <= BLT_MAX_ROW_BYTES;
}

static uint64_t row_addr(const struct blit_surf *s, uint32_t y)
{
    return (s->base + ((int64_t)s->y1 + y) * s->pitch +
            (uint64_t)s->x1 * s->cpp) & GPU_HW_GADDR_MASK;
}

/* The destination's rows get the source's, or the fill colour. */
static void move_rows(struct gpu_model_run *r, const struct blit_surf *dst,
                      const struct blit_surf *src, uint32_t colour,
                      const struct blit_bad *bad)
{
    unsigned int space = r->cls == GPU_CLASS_PPGTT ? GPU_SPACE_PPGTT
                                                   : GPU_SPACE_GGTT;
    unsigned int n, i;
    uint32_t y;
    uint8_t *row;

    if ( bad->overflow || !surf_movable(dst) || (src && !surf_movable(src)) )
        return;
    n = dst->w * dst->cpp;
    row = malloc(n);
    if ( !row )
        return;
    for ( i = 0; !src && i < n; i++ )
        row[i] = colour >> (8 * (i % dst->cpp));
    for ( y = 0; y < dst->h; y++ )
    {
        if ( src )
            model_move(r, space, row_addr(src, y), row, n, false, bad->pages,
                       bad->nr);
        model_move(r, space, row_addr(dst, y), row, n, true, bad->pages,
                   bad->nr);
    }
    free(row);
}

/* BR13 colour depth (bits 25:24) of XY_SRC_COPY / XY_COLOR. */
static unsigned int br13_cpp(uint32_t br13)
{
    static const unsigned int cpp[4] = { 1, 2, 2, 4 };

    return cpp[(br13 >> 24) & 3];
}

/* XY_FAST_COPY_BLT colour depth (bits 26:24): 8 to 128 bits. */
static unsigned int fast_cpp(uint32_t dw1)
{
    static const unsigned int cpp[8] = { 1, 2, 4, 4, 8, 16, 16, 16 };

    return cpp[(dw1 >> 24) & 7];
}

/* The destination of any of the three: DW1-5. */
static void dst_surface(const uint32_t *dw, unsigned int cpp, bool tiled,
                        struct blit_surf *s)
{
    int32_t x2 = (int16_t)(dw[3] & 0xffff), y2 = (int16_t)(dw[3] >> 16);

    s->x1 = (int16_t)(dw[2] & 0xffff);
    s->y1 = (int16_t)(dw[2] >> 16);
    s->w = x2 > s->x1 ? x2 - s->x1 : 0;
    s->h = y2 > s->y1 ? y2 - s->y1 : 0;
    s->cpp = cpp;
    s->tiled = tiled;
    s->pitch = (int16_t)(dw[1] & 0xffff) * (tiled ? 4 : 1);
    s->base = model_addr(dw[4], dw[5], ~0u);
}

/* The source of a copy: DW6-9, the destination's size. */
static void src_surface(const uint32_t *dw, const struct blit_surf *dst,
                        bool tiled, struct blit_surf *s)
{
    *s = *dst;
    s->x1 = (int16_t)(dw[6] & 0xffff);
    s->y1 = (int16_t)(dw[6] >> 16);
    s->tiled = tiled;
    s->pitch = (int16_t)(dw[7] & 0xffff) * (tiled ? 4 : 1);
    s->base = model_addr(dw[8], dw[9], ~0u);
}

bool model_exec_blit(struct gpu_model_run *r, const uint32_t *dw,
                     unsigned int len)
{
    struct blit_surf dst, src;
    struct blit_bad bad = { .nr = 0 };

    switch ( GPU_HW_2D_OP(dw[0]) )
    {
    case BLT_OP_COLOR:
        if ( len < 7 )
            return false;
        dst_surface(dw, br13_cpp(dw[1]), dw[0] & BLT_HW_DST_TILED, &dst);
        touch_surface(r, &dst, true, &bad);
        move_rows(r, &dst, NULL, dw[6], &bad);
        return true;
    case BLT_OP_SRC_COPY:
        if ( len < 10 )
            return false;
        dst_surface(dw, br13_cpp(dw[1]), dw[0] & BLT_HW_DST_TILED, &dst);
        src_surface(dw, &dst, dw[0] & BLT_HW_SRC_TILED, &src);
        break;
    case BLT_OP_FAST_COPY:
        if ( len < 10 )
            return false;
        dst_surface(dw, fast_cpp(dw[1]), BLT_HW_FAST_DST_TILE(dw[0]), &dst);
        src_surface(dw, &dst, BLT_HW_FAST_SRC_TILE(dw[0]), &src);
        break;
    default:
        return false;
    }
    touch_surface(r, &src, false, &bad);
    touch_surface(r, &dst, true, &bad);
    move_rows(r, &dst, &src, 0, &bad);

    return true;
}
