/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Page references the GTT engine holds on guest frames (refs.c), and the
 * TLB invalidation that must come between an entry's removal and the drop
 * of its reference.  The tables (ggtt.c, ppgtt*.c) and vgpu.c call down
 * into it; it calls only the platform (platform.h).  Every function is
 * called with the vGPU's lock held.
 *
 *  - frame_get: validate and reference a guest frame (counts
 *    entries_validated, and refused[] on failure);
 *  - defer_put: drop a reference once the GPU can no longer use it.  Call
 *    it only after the entry that pointed at the frame has been replaced
 *    in what the GPU walks (the flush may happen inside);
 *  - flush: one GPU TLB invalidation, then every queued drop;
 *  - mark_dirty: a GPU-visible entry changed, so that the next flush
 *    invalidates even with nothing queued (engines_dirty: a PPGTT
 *    translation went, the engines' TLBs too);
 *  - refuse: count a refusal by reason;
 *  - refuse_frames: count frames validated and refused for one reason
 *    without looking each up (a run of a huge entry past the end of the
 *    guest's memory, gtt_refs_max_gfn()): the counters read as if each
 *    had gone through frame_get.
 */
#ifndef GTT_REFS_H
#define GTT_REFS_H

#include "platform.h"

/*
 * References the GPU may still use through its TLBs: dropped only after
 * the next gtt_refs_flush() has invalidated them.  The queue grows on
 * demand up to GTT_DEFERRED_MAX, then (or when growing fails) flushes.
 */
struct gtt_deferred_puts {
    struct gtt_frame *frames;
    unsigned int nr, max;
};

#define GTT_DEFERRED_INITIAL 64
#define GTT_DEFERRED_MAX     4096

struct gtt_refs {
    struct gtt_device *dev;         /* whose TLBs a flush invalidates */
    struct domain *d;               /* whose frames are referenced */
    struct gtt_stats *stats;        /* the vGPU's counters */
    unsigned long held;             /* gtt_frame_get() minus puts */
    struct gtt_deferred_puts deferred;
    bool hw_dirty;                  /* GPU entries changed, not invalidated */
    bool engines_dirty;             /* a PPGTT translation (leaf or table)
                                       went: the engines' TLBs too */
};

/* 0 or -ENOMEM (the first deferred queue). */
int gtt_refs_init(struct gtt_refs *r, struct gtt_device *dev,
                  struct domain *d, struct gtt_stats *stats);
/* Once every reference is gone (nothing queued). */
void gtt_refs_free(struct gtt_refs *r);

int gtt_refs_frame_get(struct gtt_refs *r, unsigned long gfn,
                       struct gtt_frame *f);
void gtt_refs_defer_put(struct gtt_refs *r, struct gtt_frame *f);
void gtt_refs_flush(struct gtt_refs *r);
void gtt_refs_refuse(struct gtt_refs *r, unsigned int reason);
void gtt_refs_refuse_frames(struct gtt_refs *r, unsigned long nr,
                            unsigned int reason);

/* Highest gfn of the guest's memory, now (gtt_frame_max_gfn()). */
static inline unsigned long gtt_refs_max_gfn(const struct gtt_refs *r)
{
    return gtt_frame_max_gfn(r->d);
}

static inline void gtt_refs_mark_dirty(struct gtt_refs *r)
{
    r->hw_dirty = true;
}

static inline void gtt_refs_mark_engines_dirty(struct gtt_refs *r)
{
    r->engines_dirty = true;
}

#endif /* GTT_REFS_H */
