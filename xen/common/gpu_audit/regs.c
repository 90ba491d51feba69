/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Register access checks: every register a command reads or writes must be
 * in its generation's whitelist for the executing engine, with the access
 * asked for; masked registers may only enable writes of whitelisted bits.
 */
#include "sub.h"

int reg_check(const struct gpu_audit_sub *s, unsigned int cls, uint32_t reg,
              unsigned int access, bool has_value, uint32_t value)
{
    const struct gpu_reg_desc *r = gpu_audit_reg_lookup(s->t->spec, reg);

    if ( !r || !(r->engines & (1u << s->engine)) ||
         (r->access & access) != access )
        return XEN_GPU_AUDIT_REG_DENIED;

    if ( (r->flags & GPU_RF_PRIV) && cls == GPU_CLASS_PPGTT )
        return XEN_GPU_AUDIT_REG_DENIED;

    /*
     * Bits 31:16 enable the writes of bits 15:0.  A value the auditor cannot
     * see (loaded from memory or another register) could enable any bit.
     */
    if ( (r->flags & GPU_RF_MASKED) && (access & GPU_ACC_WRITE) &&
         (!has_value || ((value >> 16) & ~r->masked_bits)) )
        return XEN_GPU_AUDIT_REG_MASK;

    return (r->flags & GPU_RF_PDP) ? GPU_REG_ROOT : 0;
}
