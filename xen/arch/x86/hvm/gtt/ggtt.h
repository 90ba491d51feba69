/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vGPU's slices of the global GTT (ggtt.c).
 *
 * A vGPU owns two ranges of physical GGTT entries: its aperture slice (CPU
 * visible through BAR2) and its hidden slice.  Guest GGTT addresses are
 * host GGTT addresses (the guest balloons itself around the rest, see
 * pvinfo.c), so no address is ever rewritten: an entry index is checked to
 * fall inside one of the two slices and used as is.
 *
 * Per slice entry the engine keeps the guest value in force (the one the
 * physical entry was derived from) and the frame it holds a reference on
 * (NULL: the physical entry points at the scratch page).  A 4-byte write
 * opens a pending entry that collects the other half; only a whole entry
 * reaches the GPU.  Guests write whole entries (i915 uses writeq), so a few
 * pending entries suffice: when they are all taken the oldest is dropped
 * (counted as a bad access) and its entry keeps its value in force.
 */
#ifndef GTT_GGTT_H
#define GTT_GGTT_H

/* Gen8/9 GGTT entry: present bit, address bits 38:12, nothing else. */
#define GGTT_PTE_PRESENT    0x1ULL
#define GGTT_PTE_ADDR_MASK  0x0000007ffffff000ULL

#define GGTT_PENDING_MAX    8

/* An entry of which one 4-byte half has been written. */
struct gtt_ggtt_pending {
    uint64_t index;                /* physical entry index */
    uint64_t val;                  /* value being assembled */
    unsigned int halves;           /* bit 0: low half written, bit 1: high */
};

struct gtt_ggtt {
    uint64_t ap_first, ap_nr;      /* aperture slice: entry index, count */
    uint64_t hid_first, hid_nr;    /* hidden slice */
    uint64_t nr;                   /* ap_nr + hid_nr */
    uint64_t *guest;               /* [nr]: guest values in force */
    struct page_info **frame;      /* [nr]: referenced frame or NULL */
    struct gtt_ggtt_pending pending[GGTT_PENDING_MAX];
    unsigned int nr_pending;       /* oldest first */
    /*
     * The vGPU's own scratch page: every invalid entry of its slices points
     * here, never at the device's, so that what one guest's GPU work writes
     * through an invalid entry no other guest's can read.
     */
    struct page_info *scratch;
    unsigned long scratch_mfn;
};

struct gtt_vgpu;

/*
 * vgpu.c: allocation; every slice entry back to the vGPU's scratch page
 * (reset), or to the device's before the vGPU goes (release); freeing,
 * once the flush after either is done.
 */
int gtt_ggtt_init(struct gtt_vgpu *v);
void gtt_ggtt_reset(struct gtt_vgpu *v);
void gtt_ggtt_release(struct gtt_vgpu *v);
void gtt_ggtt_free(struct gtt_vgpu *v);

/* Slot of a physical entry index in v's slices, or -1 when outside. */
long gtt_ggtt_slot(const struct gtt_vgpu *v, uint64_t index);

/* gtt_translate_ggtt() with v->lock held. */
int gtt_ggtt_translate_locked(const struct gtt_vgpu *v, uint64_t gaddr,
                              struct gtt_xlate *x);

#endif /* GTT_GGTT_H */
