/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * GPU command auditor, internals shared by the files of this directory (and
 * by white-box tests and host tools): the validated table's dispatch layout
 * and register index, the hot inlines of the parser loop.  The interface to
 * the rest of Xen is <xen/gpu_audit.h>.
 */
#ifndef GPU_AUDIT_AUDIT_H
#define GPU_AUDIT_AUDIT_H

#include <xen/gpu_audit.h>

#include "cmd_desc.h"

/*
 * Dispatch for one engine: header -> entry (0: unknown).  An entry carries
 * the descriptor index and, for commands with no rules and no length
 * constraint beyond their field, everything the parser's fast path needs.
 */
#define GPU_DISP_IDX_MASK    0xffffu        /* descriptor index + 1 */
#define GPU_DISP_SLOW_SHIFT  16             /* bit 16 + class: rules or */
#define GPU_DISP_SLOW(cls)   (1u << (GPU_DISP_SLOW_SHIFT + (cls))) /* limits */
#define GPU_DISP_LBITS_SHIFT 19             /* length field width, 5 bits */
#define GPU_DISP_ADD_SHIFT   24             /* bias, or the fixed length */
#define GPU_DISP_FORM_MASK   0xfff80000u    /* length field width and bias */

/*
 * One table per engine: the slots of its non-MI command type first, then
 * the 64 MI slots, then one empty slot for every other type.  The index is
 * computed without branches, which matters: the parser is bound by the
 * latency of header -> entry -> length -> next header.
 */
struct gpu_audit_dispatch {
    uint32_t *slots;
    uint32_t mi_base;         /* first MI slot */
    uint32_t typed_type;      /* the engine's one non-MI command type */
    uint32_t typed_shift;     /* its opcode: (header >> shift) & mask */
    uint32_t typed_mask;
    /*
     * The length form (GPU_DISP_LBITS and GPU_DISP_ADD bits of an entry)
     * most fast commands of the typed type share: the parser computes their
     * length from the header alone and checks the entry off the critical
     * path.  0: none.
     */
    uint32_t typed_form;
    /*
     * Per class, a bit per value of header >> typed_shift (command type and
     * opcode together): a typed command with no rules there and the typed
     * form.
     */
    uint32_t *typed_fast;     /* GPU_CLASS_NR bitmaps of GPU_TYPED_FAST_BITS() */
};

/*
 * For a command with rules: every rule (deny pattern, operand) needs one of
 * these bits of dword dw set to apply, so with none set there is nothing to
 * check (PIPE_CONTROL without a GGTT or register post-sync write).  mask 0:
 * no such dword.
 */
struct gpu_audit_idle {
    uint32_t mask;
    uint32_t dw;
};

#define GPU_TYPED_FAST_BITS(dp) (1u << (32 - (dp)->typed_shift))

/*
 * Register index: offset -> whitelist entry in two loads.  The register
 * space (dword offsets below 8 MiB) is cut into blocks of 4 KiB; reg_dir
 * has an entry per block, the number of its row in reg_rows, and a row has
 * an entry per dword, the register's index in spec->regs plus one (0: not
 * whitelisted).  Row 0 is empty and shared by every block with no register.
 */
#define GPU_REG_OFFSET_MASK  0x7ffffcu
#define GPU_REG_BLOCK_SHIFT  12
#define GPU_REG_ROW_SLOTS    (1u << (GPU_REG_BLOCK_SHIFT - 2))
#define GPU_REG_DIR_SLOTS    ((GPU_REG_OFFSET_MASK >> GPU_REG_BLOCK_SHIFT) + 1)

/* A generation's tables, validated and indexed once at init. */
struct gpu_audit_table {
    const struct gpu_gen_spec *spec;
    struct gpu_audit_dispatch eng[XEN_GPU_ENGINE_NR];
    struct gpu_audit_idle *idle;      /* per descriptor */
    uint16_t *reg_dir;                /* GPU_REG_DIR_SLOTS row numbers */
    uint16_t *reg_rows;               /* rows of GPU_REG_ROW_SLOTS */
};

/* Table lifecycle. */
int gpu_audit_table_init(struct gpu_audit_table *t,
                         const struct gpu_gen_spec *spec);
void gpu_audit_table_destroy(struct gpu_audit_table *t);
const struct gpu_gen_spec *gpu_audit_spec_for_gen(unsigned int gen);
#define GPU_MEM_DW32 0x8000u   /* gpu_audit_cmd_mem(): a 32-bit address */
unsigned int gpu_audit_cmd_mem(const struct gpu_cmd_desc *d, unsigned int len,
                               uint16_t *out, unsigned int max);

/*
 * For tests: relocation entries (and index buckets) the immediate stores of
 * a submission looked at so far.
 */
uint64_t gpu_audit_sub_store_steps(const struct gpu_audit_sub *s);

/* Hot paths of the parser loop, inline. */

/* Dispatch entry for a header on an engine (0: unknown): O(1), no search. */
static inline uint32_t gpu_audit_dispatch(const struct gpu_audit_table *t,
                                          unsigned int engine, uint32_t header)
{
    const struct gpu_audit_dispatch *dp = &t->eng[engine];
    unsigned int type = header >> 29;
    uint32_t typed = (header >> dp->typed_shift) & dp->typed_mask;
    uint32_t mi = dp->mi_base + ((header >> 23) & 0x3f);
    uint32_t none = dp->mi_base + 0x40;

    return dp->slots[type == dp->typed_type ? typed :
                     type == GPU_CMD_TYPE_MI ? mi : none];
}

/* Length of a fast-path command from its dispatch entry. */
static inline unsigned int gpu_audit_fast_len(uint32_t ent, uint32_t header)
{
    uint32_t field = (1u << ((ent >> GPU_DISP_LBITS_SHIFT) & 0x1f)) - 1;

    return (header & field) + (ent >> GPU_DISP_ADD_SHIFT);
}

/* Descriptor for a header on an engine, or NULL. */
static inline const struct gpu_cmd_desc *gpu_audit_lookup(
    const struct gpu_audit_table *t, unsigned int engine, uint32_t header)
{
    uint32_t ent = gpu_audit_dispatch(t, engine, header);

    return ent ? &t->spec->cmds[(ent & GPU_DISP_IDX_MASK) - 1] : NULL;
}

/* Where in reg_rows a register offset (within GPU_REG_OFFSET_MASK) is. */
static inline unsigned int gpu_audit_reg_slot(const struct gpu_audit_table *t,
                                              uint32_t offset)
{
    return t->reg_dir[offset >> GPU_REG_BLOCK_SHIFT] * GPU_REG_ROW_SLOTS +
           (offset & ((1u << GPU_REG_BLOCK_SHIFT) - 1)) / 4;
}

/* Whitelist entry of a register offset, or NULL: O(1), no search. */
static inline const struct gpu_reg_desc *gpu_audit_reg_lookup(
    const struct gpu_audit_table *t, uint32_t offset)
{
    unsigned int i;

    if ( offset & ~GPU_REG_OFFSET_MASK )
        return NULL;
    i = t->reg_rows[gpu_audit_reg_slot(t, offset)];

    return i ? &t->spec->regs[i - 1] : NULL;
}

/* Length in dwords, as the hardware computes it. */
static inline unsigned int gpu_audit_cmd_len(const struct gpu_cmd_desc *d,
                                             uint32_t header)
{
    if ( !d->len_bits )
        return d->len_min;
    return (header & ((1u << d->len_bits) - 1)) + d->len_bias;
}

#endif /* GPU_AUDIT_AUDIT_H */
