/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * State of one vGPU inside the GTT engine, shared by its files:
 *   vgpu.c   lifecycle, stats
 *   refs.c   references on guest frames, deferred drops, TLB flush (refs.h)
 *   ggtt.c   the GGTT slice (ggtt.h)
 *   pvinfo.c the PVINFO page (pvinfo.h) and the BAR0 dispatch
 *   display.c the guest's display planes (display.h)
 *   ppgtt*.c shadow PPGTT address spaces (ppgtt.h; ppgtt_private.h)
 *   emul_op.c the display emulator's operations
 *   submit.c the submission glue (declared in <asm/hvm/gtt.h>)
 * Calls go down: vgpu.c into the tables, everything into refs.c, refs.c
 * into the platform (platform.h); none comes back up into vgpu.c.
 */
#ifndef GTT_VGPU_H
#define GTT_VGPU_H

#include "platform.h"
#include "refs.h"
#include "ggtt.h"
#include "pvinfo.h"
#include "ppgtt.h"
#include "display.h"

struct gtt_vgpu {
    struct gtt_device *dev;
    struct gtt_vgpu *next;          /* dev->vgpus */
    struct domain *d;
    unsigned int id;
    spinlock_t lock;
    struct gtt_vgpu_config cfg;
    struct gtt_stats stats;
    struct gtt_refs refs;           /* references on guest frames */
    struct gtt_ggtt ggtt;
    struct gtt_pvinfo pvinfo;
    struct gtt_ppgtt ppgtt;
    struct gtt_display display;
};

#endif /* GTT_VGPU_H */
