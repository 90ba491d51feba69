/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The display emulator's operations (emul_op.c), as defined in
 * xen/include/public/gpu.h: an argument buffer decoded into a request
 * (nothing in it trusted: sizes, pads, ranges all checked), then run
 * against the vGPU's recorded display state and its shadow GGTT.
 *
 * The dm_op glue (a later issue) copies the caller's buffer into Xen,
 * calls gtt_emul_op(), and copies the buffer back and the frames out only
 * when it returns XEN_GPU_EMUL_OK.
 */
#ifndef GTT_EMUL_OP_H
#define GTT_EMUL_OP_H

#include "vgpu.h"

/* Why a buffer was refused, and where. */
struct gtt_emul_verdict {
    unsigned int reason;          /* XEN_GPU_EMUL_* */
    uint32_t offset;              /* byte offset of the offending field in
                                     the buffer (its length if truncated) */
    uint32_t page;                /* per-page refusals of MAP_SURFACE: the
                                     page's index in the request */
};

/* A decoded request: the op's struct, validated, with OUT fields to fill. */
struct gtt_emul_req {
    uint32_t op;                  /* XEN_GPU_EMUL_GET_INFO, ... */
    union {
        struct xen_gpu_emul_get_info info;
        struct xen_gpu_emul_get_plane plane;
        struct xen_gpu_emul_map_surface map;
    } u;
};

/*
 * Decode len bytes at buf (already copied from the caller).  Reads nothing
 * at or past buf + len.  XEN_GPU_EMUL_OK with *req filled, or the reason
 * (also in *vd).
 */
unsigned int gtt_emul_decode(const void *buf, size_t len,
                             struct gtt_emul_req *req,
                             struct gtt_emul_verdict *vd);

/*
 * Run a decoded request: its OUT fields are filled in.  MAP_SURFACE writes
 * u.map.nr guest frame numbers to frames[] on success and zeroes them on
 * refusal.  Takes v->lock.
 */
unsigned int gtt_emul_execute(struct gtt_vgpu *v, struct gtt_emul_req *req,
                              uint64_t *frames, struct gtt_emul_verdict *vd);

/*
 * Decode, run, and write the op's struct (OUT fields filled) back into buf.
 * frames_max: room in frames[] (the caller's second buffer); a MAP_SURFACE
 * asking for more is refused with XEN_GPU_EMUL_ERR_COUNT.
 */
unsigned int gtt_emul_op(struct gtt_vgpu *v, void *buf, size_t len,
                         uint64_t *frames, unsigned int frames_max,
                         struct gtt_emul_verdict *vd);

#endif /* GTT_EMUL_OP_H */
