/* SPDX-License-Identifier: GPL-2.0-only */
/* Which audited jump operands an immediate store lands in (reloc_index.c). */
#ifndef GPU_AUDIT_RELOC_INDEX_H
#define GPU_AUDIT_RELOC_INDEX_H

#include "sub.h"

/* The relocation just added (the last one): 0 or a reason. */
int gpu_audit_reloc_index_add(struct gpu_audit_sub *s);
/* A store of val at space:addr: marks the copies it changes stale. */
void gpu_audit_reloc_index_store(struct gpu_audit_sub *s, unsigned int space,
                                 uint64_t addr, uint32_t val);
void gpu_audit_reloc_index_free(struct gpu_audit_sub *s);

#endif /* GPU_AUDIT_RELOC_INDEX_H */
