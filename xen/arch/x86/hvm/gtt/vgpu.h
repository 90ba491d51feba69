/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * State of one vGPU inside the GTT engine, shared by its files:
 *   vgpu.c   lifecycle, stats, deferred reference drops
 *   ggtt.c   the GGTT slice (ggtt.h)
 *   pvinfo.c the PVINFO page
 *   ppgtt*.c shadow PPGTT address spaces (ppgtt.h)
 */
#ifndef GTT_VGPU_H
#define GTT_VGPU_H

#include "platform.h"
#include "ggtt.h"
#include "ppgtt.h"

/*
 * References the GPU may still use through its TLBs: dropped only after
 * the next gtt_vgpu_flush() has invalidated them.
 */
struct gtt_deferred_puts {
    struct gtt_frame *frames;
    unsigned int nr, max;
};

struct gtt_vgpu {
    struct gtt_device *dev;
    struct gtt_vgpu *next;          /* dev->vgpus */
    struct domain *d;
    unsigned int id;
    spinlock_t lock;
    struct gtt_vgpu_config cfg;
    struct gtt_stats stats;
    unsigned long refs_held;        /* gtt_frame_get() minus puts */
    struct gtt_deferred_puts deferred;
    struct gtt_ggtt ggtt;
    struct gtt_ppgtt ppgtt;
};

/*
 * Reference bookkeeping every file uses: take a validated reference (counts
 * stats), queue a drop behind the next TLB invalidation, and flush (one
 * invalidation, then every queued drop).
 */
int gtt_vgpu_frame_get(struct gtt_vgpu *v, unsigned long gfn,
                       struct gtt_frame *f);
void gtt_vgpu_defer_put(struct gtt_vgpu *v, struct gtt_frame *f);
void gtt_vgpu_flush(struct gtt_vgpu *v);
void gtt_vgpu_refuse(struct gtt_vgpu *v, unsigned int reason);

#endif /* GTT_VGPU_H */
