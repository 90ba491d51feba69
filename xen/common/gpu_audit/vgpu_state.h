/* SPDX-License-Identifier: GPL-2.0-only */
/* The auditor's state of one vGPU (vgpu.c); its public half is audit.h. */
#ifndef GPU_AUDIT_VGPU_STATE_H
#define GPU_AUDIT_VGPU_STATE_H

#include "copy.h"

/* A finished submission's counts, added under the vGPU's lock. */
void gpu_audit_vgpu_count(struct gpu_audit_vgpu *v, unsigned int reason,
                          uint64_t cmds, uint64_t bytes, uint32_t neutralised,
                          uint32_t restarts);

#endif /* GPU_AUDIT_VGPU_STATE_H */
