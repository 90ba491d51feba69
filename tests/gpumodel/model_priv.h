/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internals of the GPU model: the state of one execution and the helpers
 * the command files share.
 *
 *   model.c        the command streamer: fetch, decode, jumps and returns
 *   model_cmds.c   MI commands, PIPE_CONTROL, and the mem= fallback
 *   model_blit.c   XY_* blit rectangles
 *   model_mem.c    memory accesses (through the translation) and registers
 *   model_walk.c   GGTT and PPGTT translation
 */
#ifndef GPU_MODEL_PRIV_H
#define GPU_MODEL_PRIV_H

#include "model.h"
#include "hw.h"

#define GPU_MODEL_LEVEL3 3
#define GPU_MODEL_LEVEL4 4

/* Registers the model keeps values of (open addressing; others read 0). */
#define GPU_MODEL_REGS 512

/* Pages one command may touch (blits): beyond this, nothing more. */
#define GPU_MODEL_MAX_PAGES (1u << 16)

struct gpu_model_reg {
    uint32_t offset;          /* + 1; 0: free */
    uint32_t value;
};

/* Where a call returns to. */
struct gpu_model_ret {
    unsigned int buf;
    uint32_t off;
    unsigned int cls;
    unsigned int lvl;
};

struct gpu_model_run {
    const struct gpu_model_ctx *c;
    const struct gpu_audit_sub *s;
    struct gpu_check *chk;
    struct gpu_model_result *res;
    unsigned int level;
    uint64_t pdp[GPU_HW_PDP_NR];
    unsigned int pdp_written;          /* bit n: PDPn, this command */
    /*
     * Execution position: buffer and byte offset of the next command, of
     * the one executing, its class, batch level (0 ring, 1 first, 2
     * second) and the calls to return from.
     */
    unsigned int buf;
    uint32_t off;
    unsigned int cmd_buf;
    uint32_t cmd_off;
    unsigned int cls;
    unsigned int lvl;
    unsigned int depth;
    struct gpu_model_ret ret[2];
    bool stop;                         /* end reached or run abandoned */
    bool ended;                        /* the normal end */
    struct gpu_model_reg regs[GPU_MODEL_REGS];
};

/* model_mem.c */
/*
 * Access len bytes at gaddr in space, page by page: each page translated,
 * reported to the checker, and transferred when it hit memory and the
 * checker had nothing to say (a violating access is recorded, not done).
 * data may be NULL (touch only); reads that fault give zeros.
 */
void model_access(struct gpu_model_run *r, unsigned int space,
                  uint64_t gaddr, void *data, unsigned int len, bool write);
/* Touch one page (no data). */
void model_touch(struct gpu_model_run *r, unsigned int space, uint64_t gaddr,
                 bool write);
/*
 * Move len bytes at gaddr without reporting them (pages an earlier touch
 * already reported), skipping the pages in skip[] (nr_skip of them, page
 * numbers): those the checker objected to.  Reads of skipped or absent
 * pages give zeros.
 */
void model_move(struct gpu_model_run *r, unsigned int space, uint64_t gaddr,
                void *data, unsigned int len, bool write,
                const uint64_t *skip, unsigned int nr_skip);
uint32_t model_reg_read(struct gpu_model_run *r, uint32_t offset);
void model_reg_write(struct gpu_model_run *r, uint32_t offset,
                     uint32_t value);
/* After a command that wrote PDP registers: the new roots, checked. */
void model_pdp_commit(struct gpu_model_run *r);

/* The address space of a command's GGTT bit. */
static inline unsigned int model_space(bool ggtt)
{
    return ggtt ? GPU_SPACE_GGTT : GPU_SPACE_PPGTT;
}

/* A 48-bit address from a low and a high dword (low bits masked). */
static inline uint64_t model_addr(uint32_t lo, uint32_t hi, uint32_t lo_mask)
{
    return (((uint64_t)hi << 32) | (lo & lo_mask)) & GPU_HW_GADDR_MASK;
}

/*
 * model_walk.c: gpu_model_translate() with the run's roots and level;
 * report: table frames go to the checker.
 */
unsigned long model_translate(struct gpu_model_run *r, unsigned int space,
                              uint64_t gaddr, bool report);

/* model_cmds.c: execute the command of len dwords at dw (copy dwords). */
void model_exec_cmd(struct gpu_model_run *r, const uint32_t *dw,
                    unsigned int len, const struct gpu_cmd_desc *d);
/* model_blit.c: an XY_* blit the model computes; false if not one. */
bool model_exec_blit(struct gpu_model_run *r, const uint32_t *dw,
                     unsigned int len);

/* model.c: jumps and ends, called by model_exec_cmd(). */
void model_bb_start(struct gpu_model_run *r, const uint32_t *dw);
void model_bb_end(struct gpu_model_run *r);

#endif /* GPU_MODEL_PRIV_H */
