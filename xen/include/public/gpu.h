/* SPDX-License-Identifier: MIT */
/*
 * gpu.h
 *
 * Interface shared by Xen's mediated Intel GPU support (GTT shadowing and
 * the command auditor) and its users: the toolstack, and the untrusted
 * per-client display emulator.
 *
 * This file currently defines the command audit verdict: the reason codes a
 * rejected submission carries and the engine and buffer identifiers they
 * refer to.  Values are ABI: never renumber, only append.
 */

#ifndef __XEN_PUBLIC_GPU_H__
#define __XEN_PUBLIC_GPU_H__

#define XEN_GPU_INTERFACE_VERSION 0x00000001

/* Engines of a Gen8/Gen9 GPU, as the auditor knows them. */
#define XEN_GPU_ENGINE_RCS   0  /* render (3D, GPGPU, media) */
#define XEN_GPU_ENGINE_BCS   1  /* blitter */
#define XEN_GPU_ENGINE_VCS   2  /* video 0 */
#define XEN_GPU_ENGINE_VCS2  3  /* video 1 */
#define XEN_GPU_ENGINE_VECS  4  /* video enhancement */
#define XEN_GPU_ENGINE_NR    5

/* Kinds of command buffer within one submission. */
#define XEN_GPU_BUF_RING       0 /* ring segment head..tail (privileged) */
#define XEN_GPU_BUF_BATCH_GGTT 1 /* first-level batch in the GGTT (privileged) */
#define XEN_GPU_BUF_BATCH      2 /* first-level batch in the PPGTT */
#define XEN_GPU_BUF_BATCH_L2   3 /* second-level batch */

/*
 * Audit reason codes.  XEN_GPU_AUDIT_OK means accepted; every other value
 * names the first rule the submission broke.  A verdict also carries the
 * buffer and the byte offset of the offending command within it.
 */
#define XEN_GPU_AUDIT_OK                   0
/* Decoding */
#define XEN_GPU_AUDIT_UNKNOWN_CMD          1  /* no descriptor, or type illegal on engine */
#define XEN_GPU_AUDIT_BAD_LENGTH           2  /* length outside the command's legal set */
#define XEN_GPU_AUDIT_CMD_OVERRUN          3  /* command runs past the end of its buffer */
#define XEN_GPU_AUDIT_NO_END               4  /* batch ends without BB_END or chained BB_START */
/* Privilege */
#define XEN_GPU_AUDIT_PRIVILEGED_CMD       5  /* command refused in this kind of buffer */
#define XEN_GPU_AUDIT_GGTT_FORM            6  /* global-GTT form of a command refused */
/* Registers */
#define XEN_GPU_AUDIT_REG_DENIED           7  /* register not in the engine's whitelist */
#define XEN_GPU_AUDIT_REG_MASK             8  /* masked register: forbidden bits */
#define XEN_GPU_AUDIT_REG_LRI_PAIRS        9  /* LRI payload is not whole offset/value pairs */
/* Addresses */
#define XEN_GPU_AUDIT_GGTT_RANGE          10  /* GGTT operand outside the vGPU's slices */
/* Jumps */
#define XEN_GPU_AUDIT_JUMP_UNMAPPED       11  /* target is not mapped guest memory */
#define XEN_GPU_AUDIT_JUMP_MID_CMD        12  /* target inside an audited command */
#define XEN_GPU_AUDIT_JUMP_UNALIGNED      13  /* target not dword aligned */
#define XEN_GPU_AUDIT_JUMP_SPACE          14  /* GGTT batch started from a PPGTT batch */
#define XEN_GPU_AUDIT_JUMP_LEVEL          15  /* illegal second-level start or nesting */
/* Ring */
#define XEN_GPU_AUDIT_RING_BOUNDS         16  /* head/tail/size outside the ring */
/* Limits */
#define XEN_GPU_AUDIT_LIMIT_BYTES         17
#define XEN_GPU_AUDIT_LIMIT_CMDS          18
#define XEN_GPU_AUDIT_LIMIT_BUFFERS       19
#define XEN_GPU_AUDIT_NO_MEMORY           20  /* Xen could not allocate the copy */
#define XEN_GPU_AUDIT_READ_FAULT          21  /* guest memory read failed mid-buffer */
#define XEN_GPU_AUDIT_BAD_TABLE           22  /* command table failed validation */
/* Control flow the auditor cannot follow */
#define XEN_GPU_AUDIT_JUMP_INDIRECT       23  /* target adjusted by GPU state */
#define XEN_GPU_AUDIT_PREDICATION         24  /* predication could skip audited flow */
/* Context images */
#define XEN_GPU_AUDIT_CTX_LAYOUT          25  /* ring-context header differs from the layout */
#define XEN_GPU_AUDIT_CTX_CMD             26  /* register state holds a command other than LRI */
#define XEN_GPU_AUDIT_NR                  27

#endif /* __XEN_PUBLIC_GPU_H__ */

/*
 * Local variables:
 * mode: C
 * c-file-style: "BSD"
 * c-basic-offset: 4
 * tab-width: 4
 * indent-tabs-mode: nil
 * End:
 */
