/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The isolation property, checked access by access:
 *   - every memory access lands in RAM of the submitting guest (a frame
 *     it owns, mapped as RAM in its p2m, on which a reference is held), in
 *     the scratch page, or - for GGTT accesses - at an address inside the
 *     vGPU's own GGTT slices;
 *   - page-table frames the GPU walks are Xen's (never a guest frame);
 *   - every register access is in the whitelist of its engine, with the
 *     access kind, privilege and masked bits the whitelist allows;
 *   - nothing executes that was not audited: every command the GPU runs
 *     starts where the auditor decoded a command, in a copy, and jumps only
 *     through the relocations the auditor recorded;
 *   - no frame stays reachable by the GPU after its reference was dropped.
 *
 * The checker's knowledge is its own: the slices and the domain it is
 * given here, and a reference copy of the register whitelist built from
 * the unmodified spec (so a weakened auditor table is caught).
 */
#ifndef GPU_CHECK_H
#define GPU_CHECK_H

#include <stdio.h>

#include "audit.h"
#include "fake-p2m.h"

enum gpu_violation_kind {
    GPU_V_FOREIGN_FRAME = 1,  /* frame not RAM of the submitting guest */
    GPU_V_NO_REFERENCE,       /* guest frame reached with no reference held */
    GPU_V_GGTT_SLICE,         /* GGTT access outside the vGPU's slices */
    GPU_V_PT_FRAME,           /* page-table walk through a non-Xen frame */
    GPU_V_REG,                /* register access outside the whitelist */
    GPU_V_UNAUDITED,          /* executed something the auditor did not see */
    GPU_V_STALE_REACH,        /* reference dropped while the GPU could reach */
    GPU_V_LEAK,               /* reference, mapping or page left at teardown */
    GPU_V_AUDIT_BUDGET,       /* a gpu_audit_run() call read past its budget,
                                 or a reader error was retried or misreported */
    GPU_V_NR
};

const char *gpu_violation_name(unsigned int kind);

#define GPU_CHECK_MAX_LOG  16
#define GPU_CHECK_DETAIL   160

struct gpu_violation {
    unsigned int kind;
    char detail[GPU_CHECK_DETAIL];     /* what, where: addresses, frames */
};

/* Who is submitting, as the checker knows it (not from the engine). */
struct gpu_check_subject {
    const struct domain *d;            /* the guest */
    unsigned int engine;
    unsigned long scratch_mfn;         /* the vGPU's GGTT scratch page */
    /*
     * The vGPU's PPGTT scratch page (gtt_ppgtt.scratch_page_mfn), where
     * shadow leaves the guest left empty point; 0: none.  Accepted only
     * while it is a Xen page (allocated, no owner).
     */
    unsigned long ppgtt_scratch_mfn;
    const struct gpu_audit_slice *slices;
    unsigned int nr_slices;
};

struct gpu_check {
    const struct gpu_gen_spec *ref;    /* reference whitelist (pristine) */
    struct gpu_check_subject who;
    uint64_t accesses;                 /* checked, all kinds */
    uint64_t violations;               /* total, by kind below */
    uint64_t by_kind[GPU_V_NR];
    struct gpu_violation log[GPU_CHECK_MAX_LOG];  /* the first ones */
    unsigned int nr_log;
    /*
     * Where the GPU is, set by the model while it runs a command: each
     * detail logged then ends with " [buf N +0xOFF hdr 0xHEADER]".
     */
    bool at_known;
    unsigned int at_buf;
    uint32_t at_off;
    uint32_t at_header;
};

void gpu_check_init(struct gpu_check *chk, const struct gpu_gen_spec *ref);
/*
 * Record every access checked from now on, one line each, to f (NULL:
 * stop): "mem read|write ggtt|ppgtt GADDR mfn MFN owner D", "pt MFN for
 * GADDR owner D", "reg read|write OFFSET value V class C", each followed
 * by where the GPU was.
 */
void gpu_check_set_trace(FILE *f);
/* One trace line, when tracing (for check.c and check_regs.c). */
void gpu_check_trace(const struct gpu_check *chk, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void gpu_check_subject(struct gpu_check *chk,
                       const struct gpu_check_subject *who);
/* Record a violation (printf-style detail). */
void gpu_check_fail(struct gpu_check *chk, unsigned int kind,
                    const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * One page of memory the GPU accessed: gaddr in space (GPU_SPACE_*), which
 * translated to mfn (INVALID_MFN: not present, the access faulted).  A
 * GGTT access outside the slices is a violation even when it faulted.
 */
void gpu_check_mem(struct gpu_check *chk, unsigned int space, uint64_t gaddr,
                   unsigned long mfn, bool write);
/* A page-table frame read during a PPGTT walk. */
void gpu_check_pt(struct gpu_check *chk, unsigned long mfn, uint64_t gaddr);
/*
 * A register access from a buffer of class cls (GPU_CLASS_*): write with
 * value (masked registers: the enable bits must cover allowed bits only).
 * Page-table roots (RING_PDP*) are whitelisted for their engine: the model
 * reports the root a completed load names with gpu_check_pt(), so a root
 * that is not one of Xen's tables is a GPU_V_PT_FRAME violation.
 */
void gpu_check_reg(struct gpu_check *chk, unsigned int cls, uint32_t offset,
                   bool write, uint32_t value);
/* The reference copy of the spec tables (linked under other names). */
const struct gpu_gen_spec *gpu_check_ref_spec(unsigned int gen);
/* Its whitelist entry of a register offset, or NULL. */
const struct gpu_reg_desc *gpu_check_ref_reg(const struct gpu_gen_spec *ref,
                                             uint32_t offset);
/*
 * The checker's own deny list (ring and execlist control of every engine,
 * fences, GGTT flush, forcewake, reset, PAT, GuC, interrupts, display,
 * PVINFO): the register's name there, or NULL.
 */
const char *gpu_check_hard_denied(uint32_t offset);

#endif /* GPU_CHECK_H */
