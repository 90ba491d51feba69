/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Register access: every register a command reads or writes must be in its
 * generation's whitelist for the executing engine, with the access asked
 * for; masked registers may only enable writes of whitelisted bits; and a
 * write to a virtualised register carries the vGPU's value, not the
 * guest's, in the copy the GPU executes (the values: vgpu.c).
 */
#include "regs.h"

int gpu_audit_reg_check(const struct gpu_audit_sub *s, unsigned int cls,
                        uint32_t reg, unsigned int access, bool has_value,
                        uint32_t value)
{
    const struct gpu_reg_desc *r = gpu_audit_reg_lookup(s->t, reg);
    uint32_t bits, vgpu_value;

    if ( !r || !(r->engines & (1u << s->engine)) ||
         (r->access & access) != access )
        return XEN_GPU_AUDIT_REG_DENIED;

    if ( (r->flags & GPU_RF_PRIV) && cls == GPU_CLASS_PPGTT )
        return XEN_GPU_AUDIT_REG_DENIED;

    /*
     * Bits 31:16 enable the writes of bits 15:0.  A value the auditor cannot
     * see (loaded from memory or another register) could enable any bit.
     */
    if ( (r->flags & GPU_RF_MASKED) && (access & GPU_ACC_WRITE) )
    {
        bits = r->masked_bits;
        if ( cls != GPU_CLASS_PPGTT )
            bits |= r->priv_masked_bits;
        if ( !has_value || ((value >> 16) & ~bits) )
            return XEN_GPU_AUDIT_REG_MASK;
    }

    /*
     * The vGPU's value replaces the guest's: there must be one, and the
     * guest's must be in the command, where the copy can be rewritten.
     */
    if ( (r->flags & GPU_RF_VIRT) && (access & GPU_ACC_WRITE) )
        return has_value && gpu_audit_vgpu_get_vreg(s->v, reg, &vgpu_value)
               ? GPU_REG_VIRT : XEN_GPU_AUDIT_REG_DENIED;

    return (r->flags & GPU_RF_PDP) ? GPU_REG_ROOT : 0;
}

unsigned int gpu_audit_reg_group_index(const struct gpu_audit_table *t,
                                       uint32_t reg)
{
    const struct gpu_reg_desc *r = gpu_audit_reg_lookup(t, reg), *q = r;

    ASSERT(r);
    /* The generator emits a group's registers one after the other. */
    while ( q > t->spec->regs && q[-1].engines == r->engines &&
            q[-1].flags == r->flags && q[-1].offset + 4 == q->offset )
        q--;

    return r - q;
}

unsigned int gpu_audit_reg_rewrite(struct gpu_audit_sub *s)
{
    unsigned int i;

    for ( i = 0; i < s->nr_notes; i++ )
    {
        const struct gpu_audit_note *n = &s->notes[i];
        uint32_t value;

        if ( n->kind != GPU_NOTE_REG_REWRITE )
            continue;
        /* gpu_audit_reg_check() saw the value; entries are never removed. */
        if ( !gpu_audit_vgpu_get_vreg(s->v, n->header, &value) )
            return gpu_audit_sub_reject(s, XEN_GPU_AUDIT_REG_DENIED, n->buf,
                                        n->offset);
        gpu_audit_copy_set_dw(&s->bufs[n->buf], n->offset / 4, value);
    }

    return 0;
}
