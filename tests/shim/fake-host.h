/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A simulated host for the GTT engine's tests, built in one call: the
 * simulated GPU and the engine's device on it, a guest (d1, domain 1)
 * whose p2m follows a described layout (its RAM, then the frames a
 * hostile guest points its GTTs at: MMIO, grant and foreign maps, pages
 * of other owners, paged, shared, read-only...), and a second domain (d2,
 * domain 2) whose frames those maps borrow.  vGPUs are created on the
 * device with their slices.
 *
 * Unlike the rest of tests/shim this sits above the engine: it uses the
 * engine's public interface (<asm/hvm/gtt.h>: struct gtt_hw, the device,
 * gtt_vgpu_create()) and the engine never includes it.  Functions return
 * errors rather than assert, so that both cmocka tests and fuzzers use
 * them.
 */
#ifndef FAKE_HOST_H
#define FAKE_HOST_H

#include "fake-p2m.h"
#include <asm/hvm/gtt.h>

/* What a hostile gfn of d1 maps, and what 'frame' means for it. */
enum fake_frame_kind {
    FAKE_FRAME_RAM,           /* d1's own RAM at host frame 'frame' */
    FAKE_FRAME_MMIO,          /* p2m_mmio_direct ('frame': any) */
    FAKE_FRAME_GRANT,         /* grant map of d2's gfn 'frame' */
    FAKE_FRAME_FOREIGN,       /* foreign map of d2's gfn 'frame' */
    FAKE_FRAME_OTHER_OWNER,   /* ordinary RAM type, but d2's gfn 'frame' */
    FAKE_FRAME_PAGED,         /* paged out: no frame */
    FAKE_FRAME_SHARED,        /* shared page at 'frame', owned by dom_cow */
    FAKE_FRAME_XEN,           /* RAM type, Xen's page at 'frame' */
    FAKE_FRAME_RO,            /* p2m_ram_ro at 'frame' */
    FAKE_FRAME_LOGDIRTY,      /* p2m_ram_logdirty at 'frame' */
    FAKE_FRAME_HOLE,          /* nothing (p2m_invalid) */
};

struct fake_frame {
    unsigned long gfn;        /* of d1 */
    enum fake_frame_kind kind;
    unsigned long frame;
};

struct fake_host_layout {
    uint64_t ggtt_entries;    /* of the GPU (and the engine's device) */
    unsigned long max_gfn;    /* size of d1's p2m */
    unsigned long ram;        /* d1's gfns 0 .. ram - 1 are its RAM, */
    unsigned long ram_mfn;    /* host-contiguous from this frame (0: from
                                 frames never named before, ram_align
                                 aligned) */
    unsigned long ram_align;  /* power of two (0: 1) */
    unsigned long d2_max_gfn; /* size of d2's p2m (0: no d2) */
    unsigned long d2_ram;     /* d2's gfns 0 .. d2_ram - 1 are its RAM, */
    unsigned long d2_ram_mfn; /* from this frame (0: fresh ones) */
    const struct fake_frame *frames;  /* then these gfns of d1 */
    unsigned int nr_frames;
};

struct fake_host {
    struct fake_gpu *gpu;
    struct gtt_hw hw;
    struct gtt_device dev;
    struct domain *d1, *d2;
    unsigned long ram_mfn;    /* host frame of d1's gfn 0 */
    unsigned long d2_ram_mfn; /* of d2's gfn 0 */
    long xmalloc0, pages0;    /* host_alloc_stats before anything */
};

/*
 * Reset the simulated p2m and allocator failures, then build h from l.
 * 0, -ENOMEM or -EINVAL (an impossible layout; nothing is left).  A host
 * a failed test left behind (cmocka longjmps out of it) has its GPU and
 * domains destroyed first.
 */
int fake_host_create(struct fake_host *h, const struct fake_host_layout *l);
/* Map nr more described gfns of d1 (after create, at any time). */
int fake_host_frames(struct fake_host *h, const struct fake_frame *f,
                     unsigned int nr);
/*
 * A vGPU of d on h's device (id: d's domain id), slices in GGTT bytes,
 * gen 8 or 9 (0: 9).  NULL when gtt_vgpu_create() refuses it.
 */
struct gtt_vgpu *fake_host_vgpu(struct fake_host *h, struct domain *d,
                                unsigned int gen, uint64_t ap_base,
                                uint64_t ap_size, uint64_t hid_base,
                                uint64_t hid_size);
/*
 * Device, GPU and domains gone (every vGPU destroyed first).  The
 * simulated p2m's counters (references, maps, domheap pages) are left for
 * the caller to check; the next fake_host_create() resets them.
 */
void fake_host_destroy(struct fake_host *h);

#endif /* FAKE_HOST_H */
