/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A simulated GPU for host builds of the GTT engine: its physical GGTT (the
 * GSM, written with writeq() as Xen does through its ioremap of BAR0 +
 * 8 MiB) and its register BAR (a write of 1 to GFX_FLSH_CNTL_GEN6
 * invalidates the GGTT TLBs).
 *
 * The GPU keeps, per host frame, how many GGTT entries point at it and how
 * many entries that pointed at it were overwritten since the last TLB
 * invalidation (the GPU may still use those).  put_page() compares the
 * references left with these counts: fake_put_violations() counts every
 * reference dropped while the GPU could still reach the frame.
 */
#ifndef FAKE_GPU_H
#define FAKE_GPU_H

#include "xen-host.h"

#define FAKE_GPU_MMIO_SIZE        0x200000UL   /* registers of BAR0 */
#define FAKE_GPU_FLSH_CNTL        0x101008UL   /* GFX_FLSH_CNTL_GEN6 */
#define FAKE_GPU_PTE_PRESENT      0x1ULL
#define FAKE_GPU_PTE_ADDR         0x0000007ffffff000ULL  /* bits 38:12 */

/* What Xen's wiring maps for the engine (see gtt_hw in platform.h). */
struct fake_gpu {
    void *gsm;                    /* GGTT: entries * 8 bytes */
    void *mmio;                   /* register BAR, FAKE_GPU_MMIO_SIZE */
};

/*
 * One simulated GPU at a time.  Destroy it before fake_p2m_reset(): it keeps
 * counts in the frames its entries point at.
 */
struct fake_gpu *fake_gpu_create(uint64_t entries);
void fake_gpu_destroy(struct fake_gpu *gpu);
uint64_t fake_gpu_ggtt(uint64_t index);       /* physical entry, no side effect */
unsigned long fake_gpu_tlb_invalidations(void);
unsigned long fake_gpu_dirty_entries(void);   /* written since last invalidation */
unsigned long fake_gpu_entry_writes(void);    /* GGTT entry writes, total */
/*
 * Engine TLB invalidation registers (GEN8_RTCR 0x4260 .. GEN8_VTCR 0x4270,
 * five, a dword apart): a write of 1 invalidates that engine's TLB and the
 * bit reads back 0 at once, or stays 1 while the engines are stuck.
 * fake_gpu_engine_invalidations(i) counts the invalidations of engine i's
 * TLB (0: render, 1-2: video, 3: blitter, 4: video enhancement).
 */
#define FAKE_GPU_TCR_FIRST        0x4260UL
#define FAKE_GPU_TCR_NR           5
unsigned long fake_gpu_engine_invalidations(unsigned int engine);
void fake_gpu_engines_stuck(bool stuck);
/*
 * The engines' TLBs, for a GPU model that walks the shadow PPGTT: engine
 * (XEN_GPU_ENGINE_*) used host frame mfn as a table or as data, and keeps
 * it cached (FAKE_GPU_TLB_SLOTS per engine, oldest evicted) until that
 * engine's TLB is invalidated.  Dropping the last reference of, or
 * freeing, a frame an engine may still hold is a put violation
 * (fake_put_violations()), as for the GGTT.
 */
#define FAKE_GPU_TLB_SLOTS        512
void fake_gpu_tlb_fill(unsigned int engine, unsigned long mfn);

/* Xen's MMIO accessors (asm/io.h), routed through the simulated GPU. */
void writeq(uint64_t val, volatile void *addr);
void writel(uint32_t val, volatile void *addr);
uint32_t readl(const volatile void *addr);

#endif /* FAKE_GPU_H */
