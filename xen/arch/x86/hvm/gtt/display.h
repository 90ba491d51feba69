/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's display planes as Xen records them (display.c).
 *
 * The display emulator in dom0 emulates the display registers; Xen only
 * watches the guest's writes to the plane registers on their way to it, so
 * that what the emulator may map (xen/include/public/gpu.h) is decided from
 * what the guest programmed, never from what the emulator says.
 *
 * Register layout (i915's names).  Gen9 universal planes 1..3 and Gen8's
 * primary and sprite planes share one layout per pipe:
 *   pipe base 0x70000 + pipe * 0x1000
 *   plane n (0-based) at base + 0x180 + n * 0x100:
 *     +0x00 CTL (enable 31, format, tiling 12:10)   Gen8 DSPCNTR / SPRCTL
 *     +0x08 STRIDE                                  DSPSTRIDE / SPRSTRIDE
 *     +0x0c POS
 *     +0x10 SIZE ((height - 1) << 16 | (width - 1)) Gen8 SPRSIZE only
 *     +0x1c SURF (GGTT address; writing it arms the plane)
 *     +0x24 OFFSET (y << 16 | x)                    DSPTILEOFF / SPROFFSET
 *   cursor at base + 0x80: +0x00 CUR_CTL (mode 5:0), +0x04 CUR_BASE (arms),
 *     +0x08 CUR_POS
 * Gen8's primary plane takes its size from the pipe, PIPESRC at
 * 0x6001c + pipe * 0x1000 ((width - 1) << 16 | (height - 1)).
 *
 * Plane registers are double buffered: what the guest writes takes effect
 * when it writes the surface address.  Xen keeps both the values written
 * and the values armed by the last surface write, and answers from the
 * armed ones, as the hardware would scan out.
 */
#ifndef GTT_DISPLAY_H
#define GTT_DISPLAY_H

#define DISPLAY_PIPES          XEN_GPU_EMUL_MAX_PIPES
#define DISPLAY_PLANES         XEN_GPU_EMUL_MAX_PLANES   /* cursor last */
#define DISPLAY_CURSOR         XEN_GPU_EMUL_PLANE_CURSOR

#define DISPLAY_PIPE_BASE      0x70000u
#define DISPLAY_PIPE_STRIDE    0x1000u
#define DISPLAY_PLANE_FIRST    0x180u
#define DISPLAY_PLANE_STRIDE   0x100u
#define DISPLAY_CURSOR_FIRST   0x080u
#define DISPLAY_PIPESRC        0x6001cu

/* Recorded registers of a plane (the cursor uses CTL, POS and SURF). */
enum display_reg {
    DISPLAY_REG_CTL,
    DISPLAY_REG_STRIDE,
    DISPLAY_REG_POS,
    DISPLAY_REG_SIZE,
    DISPLAY_REG_SURF,
    DISPLAY_REG_OFFSET,
    DISPLAY_NR_REGS
};

struct gtt_display_plane {
    uint32_t written[DISPLAY_NR_REGS];  /* as the guest last wrote them */
    uint32_t armed[DISPLAY_NR_REGS];    /* latched by the last SURF write */
    uint32_t flips;                     /* SURF writes */
};

struct gtt_display {
    struct gtt_display_plane plane[DISPLAY_PIPES][DISPLAY_PLANES];
    uint32_t pipesrc[DISPLAY_PIPES];    /* not double buffered here */
};

/* A plane decoded from its armed registers. */
struct gtt_plane_state {
    bool enabled;
    uint32_t format;                    /* raw field, see gpu.h */
    uint32_t tiling;                    /* XEN_GPU_EMUL_TILING_* */
    uint32_t stride;                    /* bytes per row (of tiles) */
    uint32_t width, height;             /* pixels */
    uint32_t x, y;                      /* first visible pixel */
    uint32_t flips;
    uint64_t surface;                   /* GGTT address, page aligned */
    uint64_t nr_pages;                  /* 0: geometry unknown */
};

struct gtt_vgpu;

/* Bit p set: plane p exists on the pipe, for the vGPU's generation. */
uint32_t gtt_display_plane_mask(const struct gtt_vgpu *v, unsigned int pipe);

/*
 * With v->lock held: the plane's state.  false when the plane does not
 * exist (pipe or plane out of range for the generation).
 */
bool gtt_display_plane_get(const struct gtt_vgpu *v, unsigned int pipe,
                           unsigned int plane, struct gtt_plane_state *st);

#endif /* GTT_DISPLAY_H */
