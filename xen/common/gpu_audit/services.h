/* SPDX-License-Identifier: GPL-2.0-only */
/* What the parser calls on while it scans a submission (services.c). */
#ifndef GPU_AUDIT_SERVICES_H
#define GPU_AUDIT_SERVICES_H

#include "sub.h"

/* Class (GPU_CLASS_*) of a buffer: the rules that apply in it. */
unsigned int gpu_audit_sub_class(const struct gpu_audit_buf *b);

/* The verdict: reason at offset off of buffer buf (~0u: none); returns it. */
int gpu_audit_sub_reject(struct gpu_audit_sub *s, unsigned int reason,
                         uint32_t buf, uint32_t off);
/* Copy bytes [0, end) of b: 0, a reason, or GPU_COPY_END. */
int gpu_audit_sub_ensure(struct gpu_audit_sub *s, struct gpu_audit_buf *b,
                         uint32_t end);
/* A note for others to act on: 0 or a reason. */
int gpu_audit_sub_note(struct gpu_audit_sub *s, unsigned int kind, uint32_t buf,
                       uint32_t off, uint32_t header);

/*
 * A write of the PDP register index (in its group) by the LRI at cmd_off of
 * buf, its value dword at val_off: added to that LRI's load record.  0 or
 * a reason.
 */
int gpu_audit_sub_pdp_write(struct gpu_audit_sub *s, uint32_t buf,
                            uint32_t cmd_off, unsigned int index,
                            uint32_t val_off, uint32_t value);

/* A new buffer: its index, or -reason. */
int gpu_audit_sub_new_buf(struct gpu_audit_sub *s, unsigned int space,
                          uint64_t gaddr, unsigned int level, unsigned int kind,
                          uint32_t limit);
/*
 * Enter the batch at addr as a jump from buffer 'from' (or from the
 * implicit ring when from < 0): GPU_STEP_FRAME, 0 (audited already), or a
 * reason with the frame stack unchanged.
 */
int gpu_audit_sub_enter_batch(struct gpu_audit_sub *s, int from,
                              uint32_t op_off, unsigned int space,
                              uint64_t addr, unsigned int level);
/* MI_BATCH_BUFFER_START at off in the current frame's buffer. */
int gpu_audit_sub_jump(struct gpu_audit_sub *s, const struct gpu_cmd_desc *d,
                       const struct gpu_cmd_operand *o, uint32_t off,
                       unsigned int len);
/* The current frame's buffer ends: sealed, the frame popped. */
void gpu_audit_sub_pop(struct gpu_audit_sub *s);
/* Remember an immediate store: 0 or a reason. */
int gpu_audit_sub_log_store(struct gpu_audit_sub *s, unsigned int space,
                            uint64_t addr, uint32_t val);

#endif /* GPU_AUDIT_SERVICES_H */
