/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The isolation property, register side: every register a command touches
 * must be in the reference whitelist (the pristine spec, not the auditor's
 * table) for the engine, with the access kind, privilege and masked bits
 * it allows; and never one of the registers the checker itself knows to be
 * fatal for isolation, whatever any spec says.
 *
 * The hard-deny list: public facts, i915_reg.h names.
 */
#include "check.h"
#include "hw.h"

struct deny_range {
    uint32_t first, last;     /* inclusive, byte offsets */
    const char *name;
};

/* Offsets from every engine's MMIO base. */
static const struct deny_range deny_ring[] = {
    { 0x030, 0x033, "RING_TAIL" },
    { 0x034, 0x037, "RING_HEAD" },
    { 0x038, 0x03b, "RING_START" },
    { 0x03c, 0x03f, "RING_CTL" },
    { 0x080, 0x083, "RING_HWS_PGA" },
    { 0x098, 0x09b, "RING_HWSTAM" },
    { 0x0a8, 0x0ab, "RING_IMR" },
    { 0x0d0, 0x0d3, "RING_RESET_CTL" },
    { 0x230, 0x233, "RING_ELSP" },
    { 0x234, 0x23b, "RING_EXECLIST_STATUS" },
    { 0x244, 0x247, "RING_CONTEXT_CONTROL" },
    { 0x29c, 0x29f, "RING_MODE_GEN7" },
    { 0x370, 0x3a3, "RING_CONTEXT_STATUS_BUF/PTR" },
    { 0x4d0, 0x4ff, "RING_FORCE_TO_NONPRIV" },
};

/* Whole-GPU registers. */
static const struct deny_range deny_global[] = {
    { 0x000fdc, 0x000fdf, "GEN8_MCR_SELECTOR" },
    { 0x000d84, 0x000d8b, "FORCEWAKE_ACK_GEN9" },
    { 0x004090, 0x004097, "GAM_ECOCHK/RING_FAULT_REG" },
    { 0x0040e0, 0x0040e7, "GEN8_PRIVATE_PAT" },
    { 0x00941c, 0x00941f, "GEN6_GDRST" },
    { 0x00a008, 0x00a00b, "GEN6_RPNSWREQ" },
    { 0x00a024, 0x00a027, "GEN6_RP_CONTROL" },
    { 0x00a090, 0x00a093, "GEN6_RC_CONTROL" },
    { 0x00a180, 0x00a18f, "ECOBUS/FORCEWAKE_MT" },
    { 0x00a270, 0x00a27f, "FORCEWAKE_MEDIA/RENDER_GEN9" },
    { 0x00c000, 0x00c3ff, "GuC (status, DMA, WOPCM)" },
    { 0x044000, 0x04ffff, "interrupts and display power" },
    { 0x060000, 0x07ffff, "display (PVINFO at 0x78000)" },
    { 0x100000, 0x100fff, "FENCE_REG_GEN6" },
    { 0x101008, 0x10100b, "GFX_FLSH_CNTL_GEN6" },
    { 0x130040, 0x13009f, "FORCEWAKE_ACK_HSW/MT_ACK" },
};

/* The name of a hard-denied register, or NULL. */
const char *gpu_check_hard_denied(uint32_t offset)
{
    unsigned int e, i;

    offset &= GPU_HW_REG_MASK;
    for ( i = 0; i < ARRAY_SIZE(deny_global); i++ )
        if ( offset >= deny_global[i].first && offset <= deny_global[i].last )
            return deny_global[i].name;
    for ( e = 0; e < XEN_GPU_ENGINE_NR; e++ )
    {
        uint32_t base = gpu_hw_engine_base(e);

        if ( offset < base )
            continue;
        for ( i = 0; i < ARRAY_SIZE(deny_ring); i++ )
            if ( offset - base >= deny_ring[i].first &&
                 offset - base <= deny_ring[i].last )
                return deny_ring[i].name;
    }

    return NULL;
}

/* The reference whitelist entry of an offset (regs are sorted). */
const struct gpu_reg_desc *gpu_check_ref_reg(const struct gpu_gen_spec *ref,
                                             uint32_t offset)
{
    unsigned int lo = 0, hi;

    if ( !ref )
        return NULL;
    hi = ref->nr_regs;
    while ( lo < hi )
    {
        unsigned int mid = lo + (hi - lo) / 2;

        if ( ref->regs[mid].offset == offset )
            return &ref->regs[mid];
        if ( ref->regs[mid].offset < offset )
            lo = mid + 1;
        else
            hi = mid;
    }

    return NULL;
}

void gpu_check_reg(struct gpu_check *chk, unsigned int cls, uint32_t offset,
                   bool write, uint32_t value)
{
    const struct gpu_reg_desc *r;
    const char *rw = write ? "write" : "read";
    const char *deny;
    bool priv = cls == GPU_CLASS_RING || cls == GPU_CLASS_GGTT;
    unsigned int engine = chk->who.engine;

    chk->accesses++;
    gpu_check_trace(chk, "reg %s 0x%x value 0x%x class %s", rw, offset,
                    write ? value : 0,
                    cls == GPU_CLASS_RING ? "ring" :
                    cls == GPU_CLASS_GGTT ? "ggtt" : "ppgtt");
    offset &= GPU_HW_REG_MASK;
    deny = gpu_check_hard_denied(offset);
    if ( deny )
    {
        gpu_check_fail(chk, GPU_V_REG, "%s of 0x%x (%s): never allowed",
                       rw, offset, deny);
        return;
    }

    r = gpu_check_ref_reg(chk->ref, offset);
    if ( !r || engine >= XEN_GPU_ENGINE_NR ||
         !(r->engines & (1u << engine)) )
    {
        gpu_check_fail(chk, GPU_V_REG, "%s of 0x%x: not whitelisted for %s",
                       rw, offset, gpu_audit_engine_name(engine));
        return;
    }
    if ( !(r->access & (write ? GPU_ACC_WRITE : GPU_ACC_READ)) )
    {
        gpu_check_fail(chk, GPU_V_REG, "%s of %s (0x%x): access not allowed",
                       rw, r->name, offset);
        return;
    }
    if ( ((r->flags & GPU_RF_PRIV) || (r->flags & GPU_RF_PDP)) && !priv )
    {
        gpu_check_fail(chk, GPU_V_REG, "%s of %s (0x%x) from class %u: "
                       "privileged register", rw, r->name, offset, cls);
        return;
    }
    if ( write && (r->flags & GPU_RF_MASKED) )
    {
        uint32_t allowed = r->masked_bits | (priv ? r->priv_masked_bits : 0);
        uint32_t enable = value >> 16;

        if ( enable & ~allowed )
            gpu_check_fail(chk, GPU_V_REG, "write of %s (0x%x) = 0x%08x: "
                           "enables bits 0x%x outside 0x%x", r->name, offset,
                           value, enable & ~allowed, allowed);
    }
}
