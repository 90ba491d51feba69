/* SPDX-License-Identifier: GPL-2.0-only */
/* Register access of a submission's commands (regs.c). */
#ifndef GPU_AUDIT_REGS_H
#define GPU_AUDIT_REGS_H

#include "services.h"

/*
 * 0 allowed, > 0 a reason, GPU_REG_ROOT an allowed page-table root,
 * GPU_REG_VIRT an allowed write whose value the vGPU's replaces.
 */
int gpu_audit_reg_check(const struct gpu_audit_sub *s, unsigned int cls,
                        uint32_t reg, unsigned int access, bool has_value,
                        uint32_t value);
/*
 * The place of a whitelisted register in its group (the registers one spec
 * line with count=N declares, in order): 0 for the first.
 */
unsigned int gpu_audit_reg_group_index(const struct gpu_audit_table *t,
                                       uint32_t reg);
/* Put the vGPU's values into the copy at every REG_REWRITE note. */
unsigned int gpu_audit_reg_rewrite(struct gpu_audit_sub *s);

#endif /* GPU_AUDIT_REGS_H */
