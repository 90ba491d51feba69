/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The GPU's address translation: the physical GGTT (one 8-byte entry per
 * 4 KiB page, in the GSM), and the PPGTT from the context's roots through
 * host frames, 4 levels (PDP0 holds the PML4) or 3 (PDP0-3 each hold a page
 * directory), with 1 GiB (PS in a PDPE), 2 MiB (PS in a PDE) and 64 KiB
 * (IPS in a PDE: its PT holds one entry every 16 slots) pages.  Every table
 * frame read is reported to the checker.
 */
#include "model_priv.h"

static uint64_t ggtt_limit(const struct gpu_model_ctx *c,
                           const struct gpu_check *chk)
{
    uint64_t end = 0;
    unsigned int i;

    if ( c->ggtt_entries )
        return c->ggtt_entries;
    for ( i = 0; chk && i < chk->who.nr_slices; i++ )
        if ( chk->who.slices[i].base + chk->who.slices[i].size > end )
            end = chk->who.slices[i].base + chk->who.slices[i].size;

    return end >> PAGE_SHIFT;
}

static unsigned long ggtt_translate(const struct gpu_model_ctx *c,
                                    uint64_t gaddr, struct gpu_check *chk)
{
    uint64_t index = gaddr >> PAGE_SHIFT, pte;

    if ( index >= ggtt_limit(c, chk) )
        return INVALID_MFN;
    pte = fake_gpu_ggtt(index);
    if ( !(pte & GPU_HW_PTE_PRESENT) )
        return INVALID_MFN;

    return (pte & GPU_HW_GGTT_ADDR) >> PAGE_SHIFT;
}

/*
 * Entry i of the table at host frame mfn, reported to the checker; the
 * engine's TLB (page-walk cache) keeps the table until invalidated.
 */
static uint64_t table_entry(const struct gpu_model_ctx *c, unsigned long mfn,
                            unsigned int i, uint64_t gaddr,
                            struct gpu_check *chk)
{
    const uint64_t *t;
    uint64_t e;

    if ( chk )
        gpu_check_pt(chk, mfn, gaddr);
    fake_gpu_tlb_fill(c->engine, mfn);
    if ( !fake_frame(mfn) )
        return 0;
    t = map_domain_page(_mfn(mfn));
    e = t[i];
    unmap_domain_page(t);

    return e;
}

static unsigned long pte_mfn(uint64_t e)
{
    return (e & GPU_HW_PTE_ADDR) >> PAGE_SHIFT;
}

/* From a page directory down: 2M, 64K or 4K pages. */
static unsigned long walk_pd(const struct gpu_model_ctx *c, unsigned long pd,
                             uint64_t gaddr, struct gpu_check *chk)
{
    uint64_t e = table_entry(c, pd, (gaddr >> 21) & 511, gaddr, chk);
    unsigned int i;

    if ( !(e & GPU_HW_PTE_PRESENT) )
        return INVALID_MFN;
    if ( e & GPU_HW_PTE_PS )
        return ((e & GPU_HW_PTE_ADDR & ~((1ULL << 21) - 1)) >> PAGE_SHIFT) +
               ((gaddr >> PAGE_SHIFT) & 511);
    if ( e & GPU_HW_PDE_IPS )
    {
        i = ((gaddr >> PAGE_SHIFT) & 511) & ~(GPU_HW_64K_STRIDE - 1);
        e = table_entry(c, pte_mfn(e), i, gaddr, chk);
        if ( !(e & GPU_HW_PTE_PRESENT) )
            return INVALID_MFN;
        return ((e & GPU_HW_PTE_ADDR & ~0xffffULL) >> PAGE_SHIFT) +
               ((gaddr >> PAGE_SHIFT) & (GPU_HW_64K_STRIDE - 1));
    }
    e = table_entry(c, pte_mfn(e), (gaddr >> PAGE_SHIFT) & 511, gaddr, chk);

    return e & GPU_HW_PTE_PRESENT ? pte_mfn(e) : INVALID_MFN;
}

static unsigned long ppgtt_translate(const struct gpu_model_ctx *c,
                                     unsigned int level, const uint64_t pdp[4],
                                     uint64_t gaddr, struct gpu_check *chk)
{
    uint64_t e;

    gaddr &= GPU_HW_GADDR_MASK;
    if ( level == GPU_MODEL_LEVEL3 )
    {
        if ( gaddr >> 32 )
            return INVALID_MFN;
        e = pdp[(gaddr >> 30) & 3];
        /* The register holds the directory's address: no present bit. */
        if ( !(e & GPU_HW_PTE_ADDR) )
            return INVALID_MFN;
        return walk_pd(c, pte_mfn(e), gaddr, chk);
    }
    if ( level != GPU_MODEL_LEVEL4 || !(pdp[0] & GPU_HW_PTE_ADDR) )
        return INVALID_MFN;

    e = table_entry(c, pte_mfn(pdp[0]), (gaddr >> 39) & 511, gaddr, chk);
    if ( !(e & GPU_HW_PTE_PRESENT) )
        return INVALID_MFN;
    e = table_entry(c, pte_mfn(e), (gaddr >> 30) & 511, gaddr, chk);
    if ( !(e & GPU_HW_PTE_PRESENT) )
        return INVALID_MFN;
    if ( e & GPU_HW_PTE_PS )
        return ((e & GPU_HW_PTE_ADDR & ~((1ULL << 30) - 1)) >> PAGE_SHIFT) +
               ((gaddr >> PAGE_SHIFT) & ((1u << 18) - 1));

    return walk_pd(c, pte_mfn(e), gaddr, chk);
}

unsigned long gpu_model_translate(const struct gpu_model_ctx *c,
                                  const uint64_t pdp[4], unsigned int space,
                                  uint64_t gaddr, struct gpu_check *chk)
{
    unsigned long mfn;

    if ( space == GPU_SPACE_GGTT )
        return ggtt_translate(c, gaddr, chk);

    mfn = ppgtt_translate(c, c->level, pdp, gaddr, chk);
    if ( mfn != INVALID_MFN )
        fake_gpu_tlb_fill(c->engine, mfn);

    return mfn;
}

unsigned long model_translate(struct gpu_model_run *r, unsigned int space,
                              uint64_t gaddr, bool report)
{
    if ( space == GPU_SPACE_GGTT )
        return ggtt_translate(r->c, gaddr, r->chk);

    return ppgtt_translate(r->c, r->level, r->pdp, gaddr,
                           report ? r->chk : NULL);
}
