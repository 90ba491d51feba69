/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The simulated host of the isolation checker: one physical GPU (fake-gpu.h)
 * whose GGTT is partitioned among 2 to 8 vGPUs, each the vGPU of its own
 * guest domain; a bystander domain that is nobody's client; the GTT engine
 * (<asm/hvm/gtt.h>) and the command auditor (audit.h) for every vGPU, with
 * the same slices; the GPU model (model.h) executing accepted submissions,
 * every access judged by the checker (check.h).
 *
 * Besides the checker's judgement of every access of an execution, the
 * machine checks after every operation that no reference was dropped while
 * the GPU could reach the frame (fake_put_violations()), after every GGTT
 * write that the physical entry points at scratch or at a referenced frame
 * of the guest whose slice holds it (every entry after a reset and at
 * teardown), and at teardown that nothing is left (GPU_V_LEAK).
 *
 * Layout (the workload generators know it too):
 *   guest v: domain v + 1; gfns [0, ISO_RAM_GFNS) its RAM (host frames
 *   contiguous), then one gfn of every hostile kind (ISO_GFN_*), then holes
 *   up to max_gfn;
 *   GGTT: v's aperture slice ISO_AP_SIZE at v * ISO_AP_SIZE, its hidden
 *   slice at ISO_HID_BASE + v * ISO_HID_SIZE: neighbours' slices touch.
 */
#ifndef ISO_MACHINE_H
#define ISO_MACHINE_H

#include "ops.h"
#include "check.h"

#define ISO_RAM_GFNS     512ul
#define ISO_GFN_MMIO     (ISO_RAM_GFNS + 0)   /* p2m_mmio_direct */
#define ISO_GFN_GRANT    (ISO_RAM_GFNS + 1)   /* next guest's frame, granted */
#define ISO_GFN_FOREIGN  (ISO_RAM_GFNS + 2)   /* bystander's frame, foreign map */
#define ISO_GFN_PAGED    (ISO_RAM_GFNS + 3)   /* paged out */
#define ISO_GFN_SHARED   (ISO_RAM_GFNS + 4)   /* shared, owned by dom_cow */
#define ISO_GFN_NEIGHBOUR (ISO_RAM_GFNS + 5)  /* next guest's frame, foreign map */
#define ISO_GFN_XEN      (ISO_RAM_GFNS + 6)   /* a Xen-owned frame as RAM */
#define ISO_GFN_HOLE     (ISO_RAM_GFNS + 7)   /* nothing */
#define ISO_GFN_STOLEN   (ISO_RAM_GFNS + 8)   /* next guest's frame as RAM */
#define ISO_GFN_MAX      (ISO_RAM_GFNS + 16)  /* max_gfn: beyond is no RAM */

#define ISO_AP_SIZE      (1ull << 20)
#define ISO_HID_BASE     ((uint64_t)ISO_MAX_VGPUS * ISO_AP_SIZE)
#define ISO_HID_SIZE     (1ull << 20)
#define ISO_GGTT_ENTRIES ((ISO_HID_BASE + ISO_MAX_VGPUS * ISO_HID_SIZE) >> 12)

static inline uint64_t iso_ap_base(unsigned int v)
{
    return v * ISO_AP_SIZE;
}

static inline uint64_t iso_hid_base(unsigned int v)
{
    return ISO_HID_BASE + v * ISO_HID_SIZE;
}

/* What happened, summed over episodes. */
struct iso_stats {
    uint64_t ops;               /* weighted: actions + commands */
    uint64_t actions;
    uint64_t cmds_generated;
    uint64_t audits;
    uint64_t accepted;          /* audit accepted and PDP loads applied */
    uint64_t audits_clean;      /* of submissions made well-formed */
    uint64_t accepted_clean;
    uint64_t refused;           /* by the auditor */
    uint64_t refused_glue;      /* accepted, then refused by the PDP glue */
    uint64_t ctx_refused;       /* context roots refused */
    uint64_t executed;          /* submissions run on the GPU model */
    uint64_t cmds_executed;
    uint64_t mem_accesses;
    uint64_t reg_accesses;
    uint64_t gtt_refused;       /* GGTT/PVINFO/store ops refused by the engine */
    uint64_t episodes;
    /* The GTT engines' own counts (gtt_stats), summed at teardown. */
    uint64_t gtt_validated, gtt_refused_entries, gtt_tlb, gtt_resyncs;
    uint64_t gtt_reclaims, gtt_splits;
    uint64_t by_reason[64];     /* auditor's refusals by reason */
};

struct iso_machine;

/*
 * A fresh machine: GPU, domains, vGPUs.  chk receives every violation,
 * the machine's own (stale reach, leaks) included.  NULL on failure.
 */
struct iso_machine *iso_machine_create(unsigned int gen, unsigned int nr_vgpus,
                                       struct gpu_check *chk);
void iso_machine_apply(struct iso_machine *m, const struct iso_op *op,
                       struct iso_stats *st);
/* Adds the GTT engines' counts to st. */
void iso_machine_engine_stats(struct iso_machine *m, struct iso_stats *st);
/* Every vGPU destroyed, then what must be back is checked (GPU_V_LEAK). */
void iso_machine_destroy(struct iso_machine *m);

/* The tables every machine of a generation shares (made once). */
const struct gpu_audit_table *iso_table(unsigned int gen);

#endif /* ISO_MACHINE_H */
