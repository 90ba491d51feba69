/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * State of one submission being audited: made by the driver (submission.c),
 * scanned by the parser (parser.c, regs.c), kept by the services
 * (services.c).
 */
#ifndef GPU_AUDIT_SUB_H
#define GPU_AUDIT_SUB_H

#include "copy.h"

/* Ring, first-level batch, second-level batch: at most one frame each. */
#define GPU_AUDIT_MAX_FRAMES  3
/* Dwords remembered from immediate stores, for jump operands. */
#define GPU_AUDIT_STORE_LOG   64

struct gpu_audit_frame {
    uint32_t buf;
    uint32_t off;             /* next command, bytes into the buffer */
};

struct gpu_audit_store {
    uint64_t addr;
    uint32_t val;
    uint8_t space;
};

struct gpu_audit_sub {
    struct gpu_audit_vgpu *v;
    const struct gpu_audit_table *t;
    unsigned int engine;
    const struct gpu_audit_mem_ops *mem;
    void *priv;
    gpu_audit_trace_fn *trace;

    bool started;
    bool finished;
    struct gpu_audit_verdict verdict;

    struct gpu_audit_buf *bufs;
    unsigned int nr_bufs, max_bufs;
    struct gpu_audit_frame frames[GPU_AUDIT_MAX_FRAMES];
    unsigned int depth;

    struct gpu_audit_reloc *relocs;
    unsigned int nr_relocs, max_relocs;
    /* Index of the relocations' operand dwords (reloc_index.c). */
    struct gpu_audit_reloc_link *reloc_links;
    unsigned int max_reloc_links;
    uint32_t *reloc_buckets;  /* NULL: few relocations, none indexed */
    unsigned int reloc_bucket_bits, nr_reloc_keys;
    uint64_t reloc_hash_mul;  /* random, odd */
    struct gpu_audit_note *notes;
    unsigned int nr_notes, max_notes;
    struct gpu_audit_pdp_load *pdp_loads;
    unsigned int nr_pdp_loads, max_pdp_loads;
    struct gpu_audit_pdp_write *pdp_writes;
    unsigned int nr_pdp_writes, max_pdp_writes;

    struct gpu_audit_store log[GPU_AUDIT_STORE_LOG];
    unsigned int log_next, log_count;

    uint64_t cmds;
    uint64_t bytes;           /* copied from the guest */
    uint32_t neutralised;
    uint32_t restarts;
    uint32_t jumps;
    uint64_t store_steps;     /* relocation entries stores looked at */
};

#endif /* GPU_AUDIT_SUB_H */
