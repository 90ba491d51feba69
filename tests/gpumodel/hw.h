/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hardware facts the GPU model and the checker know on their own, from the
 * public documentation (Broadwell/Skylake PRMs, i915's register and command
 * headers), not from the auditor's spec: engine MMIO bases, page-table
 * entry bits, command opcodes and the fields of the commands the model
 * executes.
 */
#ifndef GPU_MODEL_HW_H
#define GPU_MODEL_HW_H

#include "audit.h"

/* MMIO base of each engine's command streamer (RENDER_RING_BASE ...). */
static inline uint32_t gpu_hw_engine_base(unsigned int engine)
{
    static const uint32_t base[XEN_GPU_ENGINE_NR] = {
        [XEN_GPU_ENGINE_RCS]  = 0x02000,
        [XEN_GPU_ENGINE_BCS]  = 0x22000,
        [XEN_GPU_ENGINE_VCS]  = 0x12000,
        [XEN_GPU_ENGINE_VCS2] = 0x1c000,
        [XEN_GPU_ENGINE_VECS] = 0x1a000,
    };

    return engine < XEN_GPU_ENGINE_NR ? base[engine] : 0;
}

/* Register offsets: the command streamer ignores bits 1:0 and 31:23. */
#define GPU_HW_REG_MASK       0x7ffffcu
/* RING_PDP_LDW(n) = base + 0x270 + 8n, RING_PDP_UDW(n) = ... + 4. */
#define GPU_HW_PDP_OFF        0x270u
#define GPU_HW_PDP_NR         4

/* Gen8+ page-table entries (PPGTT) and the physical GGTT. */
#define GPU_HW_PTE_PRESENT    (1ULL << 0)
#define GPU_HW_PTE_PS         (1ULL << 7)    /* PDPE: 1G, PDE: 2M */
#define GPU_HW_PDE_IPS        (1ULL << 11)   /* PT of 64K entries */
#define GPU_HW_PTE_ADDR       0x0000fffffffff000ULL   /* bits 47:12 */
#define GPU_HW_GGTT_ADDR      0x0000007ffffff000ULL   /* bits 38:12 */
#define GPU_HW_PT_ENTRIES     512
#define GPU_HW_64K_STRIDE     16
/* Graphics addresses are 48 bits. */
#define GPU_HW_GADDR_MASK     0x0000ffffffffffffULL

/* Command types (bits 31:29) and MI opcodes (bits 28:23). */
#define GPU_HW_TYPE(h)        ((h) >> 29)
#define GPU_HW_MI_OP(h)       (((h) >> 23) & 0x3f)
#define GPU_HW_2D_OP(h)       (((h) >> 22) & 0x7f)
#define GPU_HW_3D_OP(h)       ((h) >> 16)           /* type, opcodes */

#define MI_OP_NOOP            0x00
#define MI_OP_REPORT_HEAD     0x07
#define MI_OP_DISPLAY_FLIP    0x14
#define MI_OP_BB_END          0x0a
#define MI_OP_SET_CONTEXT     0x18
#define MI_OP_SEM_WAIT        0x1c
#define MI_OP_SDI             0x20
#define MI_OP_STORE_DATA_IDX  0x21
#define MI_OP_LRI             0x22
#define MI_OP_UPDATE_GTT      0x23
#define MI_OP_SRM             0x24
#define MI_OP_FLUSH_DW        0x26
#define MI_OP_CLFLUSH         0x27
#define MI_OP_REPORT_PERF     0x28
#define MI_OP_LRM             0x29
#define MI_OP_LRR             0x2a
#define MI_OP_COPY_MEM_MEM    0x2e
#define MI_OP_ATOMIC          0x2f
#define MI_OP_BB_START        0x31
#define MI_OP_COND_BB_END     0x36

/* Header bits of MI commands. */
#define MI_HW_GGTT            (1u << 22)   /* Use Global GTT / memory type */
#define MI_HW_SDI_QWORD       (1u << 21)
#define MI_HW_CMM_SRC_GGTT    (1u << 22)   /* MI_COPY_MEM_MEM */
#define MI_HW_CMM_DST_GGTT    (1u << 21)
#define MI_HW_ATOMIC_SIZE(h)  (((h) >> 19) & 3)  /* 4 << n bytes */
#define MI_HW_ATOMIC_INLINE   (1u << 18)   /* operands in DW3.. */
#define MI_HW_ATOMIC_OP(h)    (((h) >> 8) & 0xff)
/* Atomic opcodes (low nibble; high nibble 0: 4 bytes, 2: 8 bytes). */
#define ATOMIC_AND            0x1
#define ATOMIC_OR             0x2
#define ATOMIC_XOR            0x3
#define ATOMIC_MOVE           0x4
#define ATOMIC_INC            0x5
#define ATOMIC_DEC            0x6
#define ATOMIC_ADD            0x7
#define ATOMIC_SUB            0x8
#define MI_HW_CBBE_MASK_MODE  (1u << 19)
#define MI_HW_CBBE_COMPARE    (1u << 21)   /* Compare Semaphore */
#define MI_HW_BBS_2ND_LEVEL   (1u << 22)
#define MI_HW_BBS_PPGTT       (1u << 8)    /* Address Space Indicator */
#define MI_HW_BBS_PREDICATED  (1u << 15)   /* jumps if MI_PREDICATE_RESULT */
#define MI_HW_BBS_ADD_OFFSET  (1u << 16)   /* target + BB_OFFSET register */
#define MI_HW_POST_SYNC(h)    (((h) >> 14) & 3)  /* MI_FLUSH_DW */
#define MI_HW_STORE_INDEX     (1u << 21)   /* MI_FLUSH_DW */
#define MI_HW_FLUSH_DW_GGTT   (1u << 2)    /* MI_FLUSH_DW DW1 */
#define MI_HW_RPC_GGTT        (1u << 0)    /* MI_REPORT_PERF_COUNT DW1 */
#define MI_HW_SDI_CORE_MODE   (1u << 0)    /* MI_STORE_DATA_IMM DW1 */
#define MI_HW_SEM_REG_POLL    (1u << 16)   /* MI_SEMAPHORE_WAIT, Gen9 on */
/* The per-process status page a Store Data Index writes into. */
#define GPU_HW_STATUS_PAGE    4096u
#define MI_HW_RPC_BYTES       256          /* largest OA report */

/* PIPE_CONTROL (3D 0x7a00), DW1. */
#define GPU_HW_PIPE_CONTROL   0x7a00u
#define PC_HW_POST_SYNC(d)    (((d) >> 14) & 3)
#define PC_HW_STORE_INDEX     (1u << 21)
#define PC_HW_LRI_POST_OP     (1u << 23)
#define PC_HW_GGTT            (1u << 24)   /* Destination Address Type */

/* 2D opcodes (bits 28:22) of the blits the model computes. */
#define BLT_OP_FAST_COPY      0x42   /* Gen9 */
#define BLT_OP_COLOR          0x50
#define BLT_OP_SRC_COPY       0x53
#define BLT_HW_DST_TILED      (1u << 11)   /* XY_SRC_COPY / XY_COLOR */
#define BLT_HW_SRC_TILED      (1u << 15)
#define BLT_HW_FAST_DST_TILE(h) (((h) >> 13) & 3)
#define BLT_HW_FAST_SRC_TILE(h) (((h) >> 20) & 3)

#endif /* GPU_MODEL_HW_H */
