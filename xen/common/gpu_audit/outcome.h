/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the auditor's internal steps return.
 *
 * 0 goes on, a reason (XEN_GPU_AUDIT_*, 1 .. XEN_GPU_AUDIT_NR - 1) rejects,
 * and the outcomes below say something else.  They lie below the -errno
 * range (-4095 .. -1), so no error can ever be taken for one; and no
 * error of a guest-memory reader reaches a step at all:
 * gpu_audit_copy_ensure() turns every one into XEN_GPU_AUDIT_READ_FAULT
 * where the read is made.
 */
#ifndef GPU_AUDIT_OUTCOME_H
#define GPU_AUDIT_OUTCOME_H

#define GPU_ERRNO_MAX       4095
#define GPU_OUTCOME(n)      (-GPU_ERRNO_MAX - 1 - (n))

/* parser.c, the submission services: one command's outcome. */
#define GPU_STEP_NEXT       0               /* continue after the command */
#define GPU_STEP_FRAME      GPU_OUTCOME(1)  /* the frame stack changed */
#define GPU_STEP_RESTART    GPU_OUTCOME(2)  /* the call's budget is spent */
/* copy.c: the buffer's mapping or limit ends before the bytes asked for. */
#define GPU_COPY_END        GPU_OUTCOME(3)
/* regs.c: an allowed write of a page-table root / of a virtualised register. */
#define GPU_REG_ROOT        GPU_OUTCOME(4)
#define GPU_REG_VIRT        GPU_OUTCOME(5)
/* ctx_image.c: the cached register state does not fit, audit it again. */
#define GPU_CTX_RESCAN      GPU_OUTCOME(6)

#endif /* GPU_AUDIT_OUTCOME_H */
