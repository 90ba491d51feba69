/* SPDX-License-Identifier: GPL-2.0-only */
/* Hypervisor-owned copies of command buffers (copy.c). */
#ifndef GPU_AUDIT_COPY_H
#define GPU_AUDIT_COPY_H

#include "audit.h"
#include "outcome.h"

int gpu_audit_copy_ensure(struct gpu_audit_buf *b, struct gpu_audit_vgpu *v,
                          const struct gpu_audit_mem_ops *mem, void *priv,
                          uint32_t end);
void gpu_audit_copy_set_dw(struct gpu_audit_buf *b, uint32_t dw, uint32_t val);
void gpu_audit_copy_seal(struct gpu_audit_buf *b);
void gpu_audit_copy_free(struct gpu_audit_buf *b, struct gpu_audit_vgpu *v);
void gpu_audit_copy_pool_drain(struct gpu_audit_vgpu *v);

#endif /* GPU_AUDIT_COPY_H */
