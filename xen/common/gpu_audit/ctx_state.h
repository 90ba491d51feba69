/* SPDX-License-Identifier: GPL-2.0-only */
/* State of one context image audit (ctx_image.c, ctx_cache.c). */
#ifndef GPU_AUDIT_CTX_STATE_H
#define GPU_AUDIT_CTX_STATE_H

#include "ctx_image.h"
#include "sub.h"

#define GPU_CTX_PAGE_DWS   (PAGE_SIZE / 4)
/* The ring-context page follows the PPHWSP page. */
#define GPU_CTX_RING_DW    GPU_CTX_PAGE_DWS
/* Pages 2.. hold register state only: the part the cache keeps. */
#define GPU_CTX_STATE_PAGE 2

/* Where the register-state scan entered page 2 (a dword index), or: */
#define GPU_CTX_ENTRY_ENDED   0xffffffffu  /* it ended before page 2 */
#define GPU_CTX_ENTRY_ZEROED  0xfffffffeu  /* restore inhibit: not scanned */

#define GPU_CTX_PHASE_IMAGE   0
#define GPU_CTX_PHASE_PARTS   1
#define GPU_CTX_PHASE_DONE    2

struct gpu_audit_ctx {
    struct gpu_audit_ctx_cache *cache;
    const struct gpu_ctx_layout *lay;
    unsigned int engine;
    uint64_t lrca;
    const struct gpu_audit_mem_ops *mem;
    void *priv;
    struct gpu_audit_ctx_xen xen;

    /* Under the cache's lock. */
    unsigned int refs;        /* holders, the cache included */
    bool cached;
    uint64_t gen;             /* cache generation when this audit began */
    uint64_t last_use;

    unsigned int nr_pages;
    uint32_t **pages;         /* the shadow image */

    /* Register state of pages 2.., valid from an earlier audit. */
    bool state_valid;
    uint32_t state_entry;     /* GPU_CTX_ENTRY_* or the entry dword */

    /* Indirect context and per-context batch. */
    uint32_t ptr_dw[GPU_CTX_PART_NR];    /* value dword in the image, 0: none */
    uint32_t ptr_val[GPU_CTX_PART_NR];   /* the guest's pointer audited */
    uint64_t placed[GPU_CTX_PART_NR];    /* GGTT address of the copy, ~0: none */
    struct gpu_audit_sub *part[GPU_CTX_PART_NR];

    unsigned int phase;
    struct gpu_audit_ctx_verdict verdict;
};

/* Header registers are below this offset from the engine's base. */
#define GPU_CTX_REL_MAX    0x1000u

struct gpu_audit_ctx_cache {
    struct gpu_audit_vgpu *v;
    const struct gpu_cmd_desc *lri;   /* MI_LOAD_REGISTER_IMM */
    /* Header registers by offset from the engine's base, one bit per
     * dword, per layout: with the guest's value, or with any other. */
    uint32_t hdr_guest[GPU_CTX_CLASS_NR][GPU_CTX_REL_MAX / 128];
    uint32_t hdr_fixed[GPU_CTX_CLASS_NR][GPU_CTX_REL_MAX / 128];
    spinlock_t lock;
    uint64_t gen;             /* bumped by every invalidation */
    uint64_t tick;
    unsigned int max;
    struct gpu_audit_ctx **slot;
    struct gpu_audit_ctx_stats stats;
};

/* ctx_image.c: 0 or a reason (x->verdict filled). */
bool gpu_audit_ctx_desc_is_lri(const struct gpu_cmd_desc *d);
int gpu_audit_ctx_image_audit(struct gpu_audit_ctx *x);
int gpu_audit_ctx_parts_run(struct gpu_audit_ctx *x);
void gpu_audit_ctx_parts_drop(struct gpu_audit_ctx *x);
void gpu_audit_ctx_apply_placement(struct gpu_audit_ctx *x, unsigned int part);

/* ctx_cache.c */
void gpu_audit_ctx_detach(struct gpu_audit_ctx *x);
void gpu_audit_ctx_count_scan(struct gpu_audit_ctx *x, bool reused);

#endif /* GPU_AUDIT_CTX_STATE_H */
