/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Submission glue between the command auditor and the GTT engine: the
 * page-table roots a submission loads (LRIs of the PDP registers, flagged
 * by the auditor; the PDPs of a context image) are replaced by the shadow
 * roots of the engine, which stay pinned until the GPU is done with them.
 *
 * Naming of a load.  The auditor records each MI_LOAD_REGISTER_IMM that
 * writes the spec's PDP registers (gpu_audit_get_pdp_load()): for each
 * write, the register's place in the group (PDP0 low dword 0, PDP0 high 1,
 * .. PDP3 high 7), its value and where the value is.  One record is one
 * load; its level is decided by which PDPs it writes (both halves each):
 *   - PDP0 only:      4-level, PDP0 holds the guest's PML4 address;
 *   - PDP0 .. PDP3:   3-level, four page directories (0: not present);
 *   - anything else:  refused (GTT_ERR_BAD_ROOT).
 * A register written twice in one LRI counts with its last value (as on
 * the GPU); every write of it carries the shadow value.
 *
 * Address spaces.  A root the engine does not know is created
 * (gtt_ppgtt_create()), and then belongs to the vGPU as if the guest had
 * announced it through PVINFO: it lives until the guest's destroy
 * notification or a vGPU reset, its shadow reclaimable while unpinned.  A
 * known root must have been created with the same level and PDPs.
 *
 * Locking: as the engine's entry points (the vGPU's lock, never held on
 * entry).  The copy must be that of an accepted, finished submission.
 */
#ifndef GTT_SUBMIT_H
#define GTT_SUBMIT_H

#include <asm/hvm/gtt.h>
#include "../../../../common/gpu_audit/audit.h"

/* Distinct address spaces one submission may load. */
#define GTT_SUBMIT_MAX_SPACES 8

struct gtt_submit_space {
    unsigned int level;           /* GTT_ROOT_L3 or GTT_ROOT_L4 */
    bool created;                 /* by this submission (undone on refusal) */
    uint64_t guest[4];            /* PML4, or PDP0..3 */
    uint64_t shadow[4];           /* what gtt_ppgtt_pin() returned */
};

/* What a submission holds pinned; zero it before use. */
struct gtt_submit_pins {
    unsigned int nr;
    struct gtt_submit_space space[GTT_SUBMIT_MAX_SPACES];
};

/*
 * After an accepted audit of s, run by a context whose addressing mode is
 * ctx_level (GTT_ROOT_L3: legacy 32-bit, four PDPs; GTT_ROOT_L4: 48-bit,
 * PDP0 holds the PML4; Xen takes it from the context descriptor): pin the
 * space of every PDP load and write its shadow root into the copy.  Every
 * load must be of ctx_level: the GPU walks the PDP registers in the
 * context's mode whatever an LRI wrote, so a shadow PD loaded into a
 * 4-level context would be walked as a PML4, and its leaves as tables.
 * GTT_OK, or the reason the submission is refused (the doorbell must not be
 * rung); then nothing stays pinned, pins is empty, the spaces it created are
 * destroyed and the copy is as the guest wrote it.  GTT_ERR_BAD_ROOT also
 * for a submission not accepted.
 */
int gtt_submit_apply_pdp_loads(struct gtt_vgpu *gv, struct gpu_audit_sub *s,
                               unsigned int ctx_level,
                               struct gtt_submit_pins *pins);
/* Once the GPU is done with the submission: unpin what it held. */
void gtt_submit_release(struct gtt_vgpu *gv, struct gtt_submit_pins *pins);

/*
 * The roots of a context image (level 4: guest_pdps[0] is the PML4; 3:
 * four PDPs): pinned, creating the space if unknown; shadow_roots gets
 * what gpu_audit_ctx_scan() puts in the shadow image.  GTT_OK or a reason
 * (nothing pinned).  Each GTT_OK is paired with gtt_submit_ctx_release()
 * of guest_pdps[0] once the GPU has switched away from the context.
 */
int gtt_submit_ctx_roots(struct gtt_vgpu *gv, unsigned int level,
                         const uint64_t guest_pdps[4],
                         uint64_t shadow_roots[4]);
int gtt_submit_ctx_release(struct gtt_vgpu *gv, uint64_t root_gpa);

#endif /* GTT_SUBMIT_H */
