/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Command and register descriptors.
 *
 * The tables of these are generated from the declarative per-generation
 * specs in spec/ by xen/tools/gen-gpu-cmds.py; the parser (parser.c) is
 * the only code that interprets them.
 */
#ifndef GPU_AUDIT_CMD_DESC_H
#define GPU_AUDIT_CMD_DESC_H

#include "private.h"

/* Hardware command type, bits 31:29 of the header. */
#define GPU_CMD_TYPE_MI     0
#define GPU_CMD_TYPE_2D     2
#define GPU_CMD_TYPE_3D     3   /* 3D, GPGPU, media, MFX and VEBOX */
#define GPU_CMD_TYPE_NR     8

/* Engine bits (index = XEN_GPU_ENGINE_*). */
#define GPU_ENG_RCS   (1u << XEN_GPU_ENGINE_RCS)
#define GPU_ENG_BCS   (1u << XEN_GPU_ENGINE_BCS)
#define GPU_ENG_VCS   (1u << XEN_GPU_ENGINE_VCS)
#define GPU_ENG_VCS2  (1u << XEN_GPU_ENGINE_VCS2)
#define GPU_ENG_VECS  (1u << XEN_GPU_ENGINE_VECS)
#define GPU_ENG_ALL   ((1u << XEN_GPU_ENGINE_NR) - 1)

/* Buffer classes a command's policy distinguishes. */
#define GPU_CLASS_RING   0   /* ring segment: privileged */
#define GPU_CLASS_GGTT   1   /* GGTT batch (first or second level): privileged */
#define GPU_CLASS_PPGTT  2   /* PPGTT batch (first or second level) */
#define GPU_CLASS_NR     3

/* What to do with a command in a buffer class. */
#define GPU_ACT_ALLOW    0
#define GPU_ACT_REJECT   1   /* refuse the submission */
#define GPU_ACT_NOOP     2   /* neutralise: MI_NOOP over the whole command in the copy */
#define GPU_ACT_EVENT    3   /* record a display event for the emulator, then neutralise */

/* Command flags. */
#define GPU_CF_END        (1u << 0)   /* MI_BATCH_BUFFER_END */
#define GPU_CF_JUMP       (1u << 1)   /* MI_BATCH_BUFFER_START */
#define GPU_CF_STORE      (1u << 2)   /* immediate store: feeds the jump-operand log */
#define GPU_CF_CHECKED    (1u << 3)   /* has operands, deny rules or non-allow policy */

/* Operand kinds. */
#define GPU_OPND_ADDR     1   /* graphics address */
#define GPU_OPND_REG      2   /* one register offset */
#define GPU_OPND_LRI      3   /* offset/value pairs from .dw to the end */
#define GPU_OPND_JUMP     4   /* batch start address */
#define GPU_OPND_INDEX    5   /* byte offset into the context's status page */

/* The per-process hardware status page a store index writes into. */
#define GPU_STATUS_PAGE_BYTES 4096

/* Register access. */
#define GPU_ACC_READ      1
#define GPU_ACC_WRITE     2

/* Size of an address operand's access. */
#define GPU_SIZE_FIXED    0   /* .size bytes */
#define GPU_SIZE_TAIL     1   /* the rest of the command after the address */
#define GPU_SIZE_SHIFT    2   /* .size << field(.size_dw, .size_shift, 2 bits) */
#define GPU_SIZE_SCALED   3   /* .size + (dwords after the address) << .size_shift */

/* Condition on a command dword: (dw[.dw] & .mask) == .val, or != when .ne. */
struct gpu_cmd_cond {
    uint32_t mask;
    uint32_t val;
    uint8_t dw;
    uint8_t ne;
};

#define GPU_MAX_CONDS     3

struct gpu_cmd_operand {
    uint8_t kind;              /* GPU_OPND_* */
    uint8_t dw;                /* dword index of the operand */
    uint8_t access;            /* GPU_ACC_* */
    uint8_t addr_dws;          /* address: 1 or 2 dwords */
    uint32_t addr_lo_mask;     /* address: bits of the low dword that are address */
    uint32_t addr_hi_mask;     /* address: bits of the high dword that are address */
    uint8_t size_kind;         /* GPU_SIZE_* */
    uint8_t size_dw;           /* GPU_SIZE_SHIFT: dword holding the size field */
    uint8_t size_shift;        /* GPU_SIZE_SHIFT: bit position of the field */
    uint8_t value_dw;          /* REG write: dword holding the value, 0 = none */
    uint16_t size;             /* bytes (FIXED) or base (SHIFT) */
    uint8_t ggtt_reject;       /* the GGTT form is refused outright */
    uint8_t nr_conds;
    struct gpu_cmd_cond ggtt;  /* operand uses the GGTT when this holds (mask 0: never) */
    struct gpu_cmd_cond level2; /* jump: starts a second-level batch when this holds */
    struct gpu_cmd_cond dup;   /* address: when this holds the hardware may
                                  also write one size further (mask 0: never) */
    struct gpu_cmd_cond conds[GPU_MAX_CONDS]; /* operand present only if all hold */
};

/* A bit pattern that, when present, refuses the command. */
struct gpu_cmd_deny {
    struct gpu_cmd_cond cond;
    uint16_t reason;           /* XEN_GPU_AUDIT_* */
};

/*
 * An address-bearing field that no rule checks (surfaces, state buffers):
 * dwords [dw, dw + dws), repeated every 'stride' dwords to the end of the
 * command when stride is not 0.  Tools and the GPU model use these to see
 * every address a command touches.
 */
struct gpu_mem_field {
    uint16_t dw;
    uint8_t dws;
    uint8_t stride;
};

#define GPU_MAX_OPERANDS  3
#define GPU_MAX_DENY      5

struct gpu_cmd_desc {
    const char *name;
    uint16_t opcode;           /* MI: bits 28:23; 2D: 28:22; 3D: 28:16 */
    uint8_t type;              /* GPU_CMD_TYPE_* */
    uint8_t engines;           /* GPU_ENG_* */
    uint16_t gens;             /* bit n: generation n is described */
    uint8_t len_bits;          /* 0: fixed length, else width of the length field */
    uint8_t len_bias;
    uint8_t flags;             /* GPU_CF_* */
    uint32_t len_min;          /* dwords (== len_max for fixed) */
    uint32_t len_max;
    uint32_t len_set;          /* bit n: length n legal (n < 32); 0: any in range */
    uint8_t policy[GPU_CLASS_NR]; /* GPU_ACT_* */
    uint8_t nr_operands;
    uint8_t nr_deny;
    struct gpu_cmd_operand operands[GPU_MAX_OPERANDS];
    struct gpu_cmd_deny deny[GPU_MAX_DENY];
    const struct gpu_mem_field *mem;
    uint8_t nr_mem;
};

/* Register whitelist entry flags. */
#define GPU_RF_MASKED     (1u << 0)   /* bits 31:16 enable writes of bits 15:0 */
#define GPU_RF_PDP        (1u << 1)   /* page-table root: redirect to the shadow */
#define GPU_RF_PRIV       (1u << 2)   /* only from ring/GGTT buffers */
#define GPU_RF_CTX        (1u << 3)   /* may be loaded by a context image */
#define GPU_RF_VIRT       (1u << 4)   /* a write's value is replaced by the vGPU's */

struct gpu_reg_desc {
    const char *name;
    uint32_t offset;           /* absolute MMIO offset, dword aligned */
    uint8_t engines;           /* engines whose commands may touch it */
    uint8_t access;            /* GPU_ACC_* */
    uint8_t flags;             /* GPU_RF_* */
    uint16_t masked_bits;      /* GPU_RF_MASKED: bits 15:0 that may be changed */
    uint16_t priv_masked_bits; /* GPU_RF_MASKED: more bits ring/GGTT buffers may change */
};

struct gpu_engine_desc {
    const char *name;
    uint32_t mmio_base;
    uint8_t types;             /* bit n: command type n is legal */
};

/*
 * Ring-context header of an execlists context image (spec 'ctx' lines):
 * the items in order from the first dword of the page after the PPHWSP.
 */
#define GPU_CTX_CLASS_RCS 0
#define GPU_CTX_CLASS_XCS 1   /* every engine but the render engine */
#define GPU_CTX_CLASS_NR  2

#define GPU_CTX_NOP       0   /* .count MI_NOOP dwords */
#define GPU_CTX_LRI       1   /* LRI header for the next .count registers */
#define GPU_CTX_REG       2   /* one register/value pair */

#define GPU_CTX_LRI_POSTED (1u << 12) /* LRI .arg: MI_LRI Force Posted */

/* Where the shadow's value of a register comes from (ctx_image.c). */
#define GPU_CTXV_GUEST    0   /* the guest's */
#define GPU_CTXV_HEAD     1   /* the guest's, masked to Xen's ring */
#define GPU_CTXV_TAIL     2
#define GPU_CTXV_XEN      3   /* Xen's: .arg is a GPU_CTX_XEN_* field */
#define GPU_CTXV_PDP      4   /* shadow root dword .arg (2n: PDPn low) */
#define GPU_CTXV_SET      5   /* masked: may set only the .arg bits */
#define GPU_CTXV_FORCE    6   /* the guest's, .arg bits replaced by .force */
#define GPU_CTXV_INDCTX   7   /* indirect context pointer */
#define GPU_CTXV_PERCTX   8   /* per-context batch pointer */
#define GPU_CTXV_CONTROL  9   /* as SET; bit 0 inhibits the restore */

#define GPU_CTX_XEN_ZERO       0
#define GPU_CTX_XEN_START      1
#define GPU_CTX_XEN_CTL        2
#define GPU_CTX_XEN_BB_HI      3
#define GPU_CTX_XEN_BB_LO      4
#define GPU_CTX_XEN_BB_STATE   5
#define GPU_CTX_XEN_SBB_HI     6
#define GPU_CTX_XEN_SBB_LO     7
#define GPU_CTX_XEN_SBB_STATE  8
#define GPU_CTX_XEN_NR         9

struct gpu_ctx_item {
    uint8_t kind;              /* GPU_CTX_* */
    uint8_t value;             /* REG: GPU_CTXV_* */
    uint16_t count;            /* NOP: dwords; LRI: registers */
    uint32_t reg;              /* REG: offset from the engine's MMIO base */
    uint32_t arg;              /* LRI: header flags; REG: see GPU_CTXV_* */
    uint32_t force;
    const char *name;
};

struct gpu_ctx_layout {
    const struct gpu_ctx_item *items;
    unsigned int nr_items;
    unsigned int pages;        /* image size, PPHWSP page included */
    unsigned int state_dw;     /* first dword after the header */
};

/* One generation's complete command knowledge. */
struct gpu_gen_spec {
    unsigned int gen;
    const char *name;
    const struct gpu_cmd_desc *cmds;
    unsigned int nr_cmds;
    const struct gpu_reg_desc *regs;   /* sorted by offset */
    unsigned int nr_regs;
    struct gpu_engine_desc engines[XEN_GPU_ENGINE_NR];
    struct gpu_ctx_layout ctx[GPU_CTX_CLASS_NR];
};

extern const struct gpu_gen_spec gpu_audit_spec_gen8;
extern const struct gpu_gen_spec gpu_audit_spec_gen9;

/* Opcode field of a header for a given type, as the dispatch indexes it. */
static inline unsigned int gpu_cmd_opcode(uint32_t hdr, unsigned int type)
{
    switch ( type )
    {
    case GPU_CMD_TYPE_MI: return (hdr >> 23) & 0x3f;
    case GPU_CMD_TYPE_2D: return (hdr >> 22) & 0x7f;
    default:              return (hdr >> 16) & 0x1fff;
    }
}

static inline unsigned int gpu_cmd_opcode_slots(unsigned int type)
{
    switch ( type )
    {
    case GPU_CMD_TYPE_MI: return 0x40;
    case GPU_CMD_TYPE_2D: return 0x80;
    default:              return 0x2000;
    }
}

#endif /* GPU_AUDIT_CMD_DESC_H */
