/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The GTT engine's platform interface: everything it needs from Xen and
 * from the GPU, and nothing else.  platform.c implements it with Xen's
 * internal API (get_page_from_gfn, p2m_change_type_one, alloc_domheap_page,
 * map_domain_page, writeq to the GSM); host builds compile the same
 * platform.c against tests/shim, which provides those names over a
 * simulated p2m and a simulated GPU.
 */
#ifndef GTT_PLATFORM_H
#define GTT_PLATFORM_H

#include "private.h"
#include <asm/hvm/gtt.h>

/* A guest frame the GPU may reach: referenced until gtt_frame_put(). */
struct gtt_frame {
    struct page_info *pg;
    unsigned long mfn;
};

/*
 * The highest gfn d's p2m has ever mapped (Xen: domain_get_maximum_gpfn(),
 * for an HVM guest its host p2m's max_mapped_pfn).  No frame above it is
 * RAM: Xen's own p2m lookups answer "nothing mapped" there without a walk.
 * It grows as the guest's memory is populated, so read it at each
 * validation, never keep it.  It is read without the p2m lock (as the
 * DMOPs' range checks read it): a populate racing with the read either
 * came first or looks not yet done, as it would to a racing lookup.
 */
unsigned long gtt_frame_max_gfn(struct domain *d);

/*
 * Look up gfn of d for GPU use.  Only ordinary RAM owned by d qualifies
 * (our own write-protected type included); anything else returns the
 * reason (GTT_ERR_NOT_RAM, _MMIO, _GRANT, _FOREIGN, _PAGED, _SHARED,
 * _OTHER_OWNER) and holds no reference.  On GTT_OK one reference is held.
 * A gfn above gtt_frame_max_gfn() is GTT_ERR_NOT_RAM without a lookup
 * (Xen's p2m would call it p2m_mmio_dm).
 */
int gtt_frame_get(struct domain *d, unsigned long gfn, struct gtt_frame *f);
void gtt_frame_put(struct gtt_frame *f);

/*
 * Write protection of a guest frame (ordinary RAM -> trapped type and back).
 * When protect returns, no vCPU can still write the frame untrapped.
 */
int gtt_frame_protect(struct domain *d, unsigned long gfn);
int gtt_frame_unprotect(struct domain *d, unsigned long gfn);

/* Xen-owned zeroed page for shadow tables (NULL on failure). */
struct page_info *gtt_page_alloc(void);
void gtt_page_free(struct page_info *pg);
unsigned long gtt_page_mfn(const struct page_info *pg);
struct page_info *gtt_mfn_to_page(unsigned long mfn);

/*
 * The guest frame a host frame backs (Xen's M2P), GTT_INVALID_GFN when
 * none.  Diagnostic: the engine's decisions never depend on it.
 */
unsigned long gtt_frame_gfn(unsigned long mfn);
#define GTT_INVALID_GFN INVALID_M2P_ENTRY

/* Short-lived mapping of any frame (guest or Xen's). */
void *gtt_map(unsigned long mfn);
void gtt_unmap(void *va);

/* Gen8+ GGTT TLB invalidation: write GFX_FLSH_CNTL_EN to GFX_FLSH_CNTL_GEN6. */
#define GTT_HW_FLSH_CNTL     0x101008u
#define GTT_HW_FLSH_CNTL_EN  0x1u

/*
 * Gen8/9 per-engine TLB invalidation, which the PPGTT translations need
 * (GFX_FLSH_CNTL reaches the GGTT TLB only): write 1 to the engine's
 * register, the GPU clears it when done (i915's GEN8_RTCR, GEN8_M1TCR,
 * GEN8_M2TCR, GEN8_BTCR, GEN8_VTCR).  Polled at most GTT_HW_TCR_POLLS
 * reads (uncached, about a microsecond each: i915 waits up to 4 ms).
 */
#define GTT_HW_RTCR          0x4260u    /* render */
#define GTT_HW_M1TCR         0x4264u    /* video, first VDBox */
#define GTT_HW_M2TCR         0x4268u    /* video, second VDBox */
#define GTT_HW_BTCR          0x426cu    /* blitter */
#define GTT_HW_VTCR          0x4270u    /* video enhancement */
#define GTT_HW_TCR_INVAL     0x1u
#define GTT_HW_TCR_POLLS     4000u

/* The GPU. */
void gtt_hw_ggtt_write(struct gtt_device *dev, uint64_t index, uint64_t pte);
/*
 * Invalidate the GGTT TLB and, with engines, every engine's TLB too (only
 * needed once a PPGTT translation went: each costs uncached register
 * accesses).  false if an engine did not confirm in time (a hung engine,
 * or one the wiring let power down: see docs/architecture.md); the
 * caller counts it.
 */
bool gtt_hw_tlb_invalidate(struct gtt_device *dev, bool engines);

#endif /* GTT_PLATFORM_H */
