/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Execlists context images: audit of the image a guest submits (its
 * ring-context header, its register state, its indirect context and its
 * per-context batch) into a hypervisor-owned shadow image, and a per-vGPU
 * cache that spares the scan of an unchanged image.  See
 * docs/architecture.md, "Context images".
 */
#ifndef GPU_AUDIT_CTX_IMAGE_H
#define GPU_AUDIT_CTX_IMAGE_H

#include "audit.h"

/* What Xen puts in the shadow's header in place of the guest's values. */
struct gpu_audit_ctx_xen {
    uint32_t ring_start;      /* GGTT address of the ring the GPU runs */
    uint32_t ring_ctl;        /* RING_CTL: bits 20:12 pages - 1, bit 0 valid */
    uint64_t bb_addr;         /* batch state to resume, normally 0 */
    uint32_t bb_state;
    uint64_t sbb_addr;
    uint32_t sbb_state;
    uint64_t roots[4];        /* shadow page-table roots (gtt_ppgtt_pin()) */
    unsigned int levels;      /* 4: roots[0] is a PML4; 3: PDP0..PDP3 */
};

/* Parts of a context; a verdict names the one at fault. */
#define GPU_CTX_PART_IMAGE     0
#define GPU_CTX_PART_INDIRECT  1   /* indirect context (INDIRECT_CTX) */
#define GPU_CTX_PART_PER_CTX   2   /* per-context batch (BB_PER_CTX_PTR) */
#define GPU_CTX_PART_NR        3

struct gpu_audit_ctx_verdict {
    uint32_t reason;          /* XEN_GPU_AUDIT_* */
    uint32_t part;            /* GPU_CTX_PART_* */
    uint32_t buffer;          /* INDIRECT, PER_CTX: buffer of its submission */
    uint32_t offset;          /* bytes into the image (from the LRCA) or
                               * into that buffer */
    uint32_t reg;             /* IMAGE: register at fault, else 0 */
};

struct gpu_audit_ctx_stats {
    uint64_t lookups;         /* gpu_audit_ctx_scan() calls */
    uint64_t hits;            /* register state reused from the cache */
    uint64_t scans;           /* register state scanned */
    uint64_t evictions;
};

struct gpu_audit_ctx;
struct gpu_audit_ctx_cache;

/* Cache lifecycle: one per vGPU, at most max_entries images kept. */
struct gpu_audit_ctx_cache *gpu_audit_ctx_cache_create(
    struct gpu_audit_vgpu *v, unsigned int max_entries);
/* No context of the cache may still be held (gpu_audit_ctx_put()). */
void gpu_audit_ctx_cache_destroy(struct gpu_audit_ctx_cache *c);
void gpu_audit_ctx_cache_stats(struct gpu_audit_ctx_cache *c,
                               struct gpu_audit_ctx_stats *out);

/*
 * Forget every cached image that [ggtt_addr, ggtt_addr + size) may feed:
 * called by the GTT engine and the MMIO layer on any guest write to those
 * pages and on any change of the GGTT entries that map them.
 */
void gpu_audit_ctx_invalidate(struct gpu_audit_ctx_cache *c,
                              uint64_t ggtt_addr, uint64_t size);
void gpu_audit_ctx_invalidate_all(struct gpu_audit_ctx_cache *c);

/*
 * Audit the image at GGTT address lrca (4 KiB aligned, the PPHWSP page
 * first) for an engine; xen is copied.  NULL: no memory or bad arguments.
 * Then gpu_audit_ctx_run() until it returns 0 (-ERESTART: call again).
 */
struct gpu_audit_ctx *gpu_audit_ctx_scan(struct gpu_audit_ctx_cache *c,
                                         unsigned int engine, uint64_t lrca,
                                         const struct gpu_audit_mem_ops *mem,
                                         void *priv,
                                         const struct gpu_audit_ctx_xen *xen);
int gpu_audit_ctx_run(struct gpu_audit_ctx *x);
const struct gpu_audit_ctx_verdict *gpu_audit_ctx_get_verdict(
    const struct gpu_audit_ctx *x);
void gpu_audit_ctx_put(struct gpu_audit_ctx *x);

/* The shadow image, page by page (accepted contexts only). */
unsigned int gpu_audit_ctx_nr_pages(const struct gpu_audit_ctx *x);
const uint32_t *gpu_audit_ctx_page(const struct gpu_audit_ctx *x,
                                   unsigned int i);

/*
 * The audited copies of the indirect context and of the per-context batch
 * (NULL when the image has none): the caller places their buffers in the
 * GGTT as for any submission, then points the shadow image at buffer 0's
 * copy.  Until then the shadow carries no pointer at all.
 */
struct gpu_audit_sub *gpu_audit_ctx_part(const struct gpu_audit_ctx *x,
                                         unsigned int part);
int gpu_audit_ctx_place(struct gpu_audit_ctx *x, unsigned int part,
                        uint64_t ggtt_addr);

#endif /* GPU_AUDIT_CTX_IMAGE_H */
