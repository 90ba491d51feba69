/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * State of one vGPU inside the GTT engine, shared by its files:
 *   vgpu.c   lifecycle, stats, deferred reference drops
 *   ggtt.c   the GGTT slice (ggtt.h)
 *   pvinfo.c the PVINFO page (pvinfo.h) and the BAR0 dispatch
 *   display.c the guest's display planes (display.h)
 *   ppgtt*.c shadow PPGTT address spaces (ppgtt.h)
 */
#ifndef GTT_VGPU_H
#define GTT_VGPU_H

#include "platform.h"
#include "ggtt.h"
#include "pvinfo.h"
#include "ppgtt.h"
#include "display.h"

/*
 * References the GPU may still use through its TLBs: dropped only after
 * the next gtt_vgpu_flush() has invalidated them.  The queue grows on
 * demand up to GTT_DEFERRED_MAX, then (or when growing fails) flushes.
 */
struct gtt_deferred_puts {
    struct gtt_frame *frames;
    unsigned int nr, max;
};

#define GTT_DEFERRED_INITIAL 64
#define GTT_DEFERRED_MAX     4096

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
    bool hw_dirty;                  /* GPU entries changed, not invalidated */
    bool engines_dirty;             /* a PPGTT translation (leaf or table)
                                       went: the engines' TLBs too */
    struct gtt_ggtt ggtt;
    struct gtt_pvinfo pvinfo;
    struct gtt_ppgtt ppgtt;
    struct gtt_display display;
};

/*
 * Reference bookkeeping every file uses, with v->lock held:
 *  - frame_get: validate and reference a guest frame (counts
 *    entries_validated, refs_held, and refused[] on failure);
 *  - defer_put: drop a reference once the GPU can no longer use it.  Call
 *    it only after the entry that pointed at the frame has been replaced
 *    in what the GPU walks (the flush may happen inside);
 *  - flush: one GPU TLB invalidation, then every queued drop;
 *  - refuse: count a refusal by reason.
 * gtt_vgpu_mark_dirty() notes a changed GPU-visible entry, so that the next
 * flush invalidates even with nothing queued.
 */
int gtt_vgpu_frame_get(struct gtt_vgpu *v, unsigned long gfn,
                       struct gtt_frame *f);
void gtt_vgpu_defer_put(struct gtt_vgpu *v, struct gtt_frame *f);
void gtt_vgpu_flush(struct gtt_vgpu *v);
void gtt_vgpu_refuse(struct gtt_vgpu *v, unsigned int reason);
void gtt_vgpu_mark_dirty(struct gtt_vgpu *v);

#endif /* GTT_VGPU_H */
