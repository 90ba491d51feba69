/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A model of the GPU's command streamer for host tests: it executes what
 * the auditor accepted, from the hypervisor-owned copies, through the
 * physical GGTT (fake-gpu.h) and the shadow PPGTT tables the GTT engine
 * built, on simulated host frames (fake-p2m.h) that each have an owner.
 *
 * It knows the hardware, not the auditor: the memory semantics of the
 * commands it executes (MI_STORE_DATA_IMM, MI_LOAD/STORE_REGISTER_*,
 * MI_LOAD_REGISTER_IMM, MI_BATCH_BUFFER_START/END, MI_CONDITIONAL_BATCH_
 * BUFFER_END, PIPE_CONTROL and MI_FLUSH_DW post-sync writes, MI_ATOMIC,
 * MI_COPY_MEM_MEM, the XY_* blits) come from the PRM, coded here; for
 * every other command it touches each address field the command spec
 * names (the `mem=` fields).  Command lengths come from the table, as the
 * hardware's length fields do.
 *
 * Every memory access (graphics address, space, host frame, owner, read or
 * write) and every register access is reported to the checker (check.h),
 * which holds the property and records violations.  Accesses are done on
 * the frames (a store is read back by a later load or conditional end),
 * except those the checker objected to: recorded, not performed.
 *
 * The GGTT bit of a command is honoured in every buffer class (we do not
 * rely on the hardware ignoring it in user batches).  MI_UPDATE_GTT is a
 * page-table violation, MI_SET_CONTEXT an unaudited one, MI_DISPLAY_FLIP
 * a register one, whenever they run.
 *
 * Approximations: a tiled blit surface counts as whole rows of its pitch
 * over whole 32-row tile rows, and its pixels do not move; MI_ATOMIC
 * computes AND to SUB on 4 and 8 bytes with inline operands, and keeps
 * the value otherwise; post-sync writes of depth counts and timestamps
 * store zero; writes into the status page by index (MI_STORE_DATA_INDEX,
 * Store Data Index) and MI_REPORT_HEAD are not modelled (Xen's page);
 * MI_MATH and predication do not change what runs.  Translation walks
 * the tables as they are now; the frames it reaches (tables and pages)
 * go into the simulated engine's TLB (fake_gpu_tlb_fill()), so that a
 * reference dropped before that engine's TLB is invalidated is caught.
 * Code: model_priv.h.
 */
#ifndef GPU_MODEL_H
#define GPU_MODEL_H

#include "audit.h"
#include "fake-p2m.h"
#include "check.h"

/* What the GPU is running: the context and the submission's copies. */
struct gpu_model_ctx {
    const struct gpu_audit_table *table;   /* the auditor's (lengths, mem=) */
    unsigned int engine;                   /* XEN_GPU_ENGINE_* */
    /*
     * PPGTT of the context: the PDP registers as loaded from the context
     * image (shadow roots, host addresses).  level 0: no PPGTT (every
     * PPGTT access faults) until the copies load PDP registers: then PDP0
     * alone means 4 levels, PDP1-3 3 levels (as the submission glue
     * reads a load).  LRIs of the PDP registers executed from the copies
     * change them; a root loaded is reported to gpu_check_pt().
     */
    unsigned int level;                    /* 0, GTT_ROOT_L3, GTT_ROOT_L4 */
    uint64_t pdp[4];
    /*
     * Entries of the physical GGTT (fake_gpu_create()); 0: unknown, then
     * only addresses inside the checker's slices are translated (others
     * fault, and are GGTT_SLICE violations anyway).
     */
    uint64_t ggtt_entries;
    uint64_t max_cmds;                     /* stop after this many (loops);
                                              0: GPU_MODEL_DEFAULT_CMDS */
    uint64_t seed;                         /* data-independent choices
                                              (none made yet) */
};

#define GPU_MODEL_DEFAULT_CMDS (1u << 20)

struct gpu_model_result {
    uint64_t commands;                     /* executed */
    uint64_t mem_accesses;                 /* pages touched */
    uint64_t reg_accesses;
    bool ended;                            /* reached the end of the ring
                                              segment / first batch */
};

/*
 * Run an accepted, finished submission (after the submission glue wrote
 * its shadow roots) to its end, or max_cmds.  Every access goes to chk;
 * returns the number of violations chk recorded during the run.
 */
unsigned int gpu_model_execute(const struct gpu_model_ctx *c,
                               const struct gpu_audit_sub *s,
                               struct gpu_check *chk,
                               struct gpu_model_result *res);

/*
 * The hardware's translation of one graphics address, walking the physical
 * GGTT or the shadow PPGTT from the given roots (4 KiB, 64 KiB, 2 MiB and
 * 1 GiB entries).  Reports every page-table frame it reads to chk (they
 * must be Xen's shadow tables).  Returns the host frame, or INVALID_MFN
 * when an entry is not present (the GPU faults: nothing is accessed).
 */
unsigned long gpu_model_translate(const struct gpu_model_ctx *c,
                                  const uint64_t pdp[4], unsigned int space,
                                  uint64_t gaddr, struct gpu_check *chk);

#endif /* GPU_MODEL_H */
