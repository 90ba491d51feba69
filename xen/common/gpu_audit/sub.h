/* SPDX-License-Identifier: GPL-2.0-only */
/* State of one submission being audited (submission.c, parser.c). */
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
    struct gpu_audit_note *notes;
    unsigned int nr_notes, max_notes;

    struct gpu_audit_store log[GPU_AUDIT_STORE_LOG];
    unsigned int log_next, log_count;

    uint64_t cmds;
    uint64_t bytes;           /* copied from the guest */
    uint32_t neutralised;
    uint32_t restarts;
    uint32_t jumps;
};

/* submission.c */
int sub_reject(struct gpu_audit_sub *s, unsigned int reason,
               uint32_t buf, uint32_t off);
int sub_ensure(struct gpu_audit_sub *s, struct gpu_audit_buf *b, uint32_t end);
int sub_note(struct gpu_audit_sub *s, unsigned int kind, uint32_t buf,
             uint32_t off, uint32_t header);
int sub_jump(struct gpu_audit_sub *s, const struct gpu_cmd_desc *d,
             const struct gpu_cmd_operand *o, uint32_t off, unsigned int len);
int sub_log_store(struct gpu_audit_sub *s, unsigned int space, uint64_t addr,
                  uint32_t val);
void sub_pop(struct gpu_audit_sub *s);
unsigned int sub_class(const struct gpu_audit_buf *b);

/* parser.c */
int parser_scan(struct gpu_audit_sub *s, uint32_t budget);

/*
 * regs.c: 0 allowed, > 0 a reason, GPU_REG_ROOT an allowed page-table root,
 * GPU_REG_VIRT an allowed write whose value the vGPU's replaces.
 */
int reg_check(const struct gpu_audit_sub *s, unsigned int cls,
                       uint32_t reg, unsigned int access, bool has_value,
                       uint32_t value);
/* Put the vGPU's values into the copy at every REG_REWRITE note. */
unsigned int reg_rewrite(struct gpu_audit_sub *s);

#endif /* GPU_AUDIT_SUB_H */
