/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The GTT engine's platform interface (platform.h) over Xen's internal API.
 * Host builds compile this file unchanged against tests/shim.
 */
#include "platform.h"

/*
 * Which p2m types the GPU may reach.  Only ordinary RAM qualifies, and our
 * own write-protected type (page-table pages of the guest are also data
 * pages it may map).  Everything else names the reason: the order matters
 * because Xen's p2m_is_ram() also covers paged and shared frames.
 * Read-only and log-dirty RAM are refused as well: the GPU would write
 * them behind Xen's back (and no migration is possible while the engine
 * holds p2m_ioreq_server entries anyway).
 */
static unsigned int frame_type_reason(p2m_type_t t)
{
    if ( p2m_is_mmio(t) )
        return GTT_ERR_MMIO;
    if ( p2m_is_grant(t) )
        return GTT_ERR_GRANT;
    if ( p2m_is_foreign(t) )
        return GTT_ERR_FOREIGN;
    if ( p2m_is_paging(t) )
        return GTT_ERR_PAGED;
    if ( p2m_is_shared(t) )
        return GTT_ERR_SHARED;
    if ( t == p2m_ram_rw || t == p2m_ioreq_server )
        return GTT_OK;

    return GTT_ERR_NOT_RAM;
}

unsigned long gtt_frame_max_gfn(struct domain *d)
{
    return domain_get_maximum_gpfn(d);
}

int gtt_frame_get(struct domain *d, unsigned long gfn, struct gtt_frame *f)
{
    p2m_type_t t;
    struct page_info *pg;
    unsigned int reason;

    f->pg = NULL;
    f->mfn = 0;
    /*
     * Past the end of the guest's memory: not RAM, whichever path asks (a
     * 4K entry here, a run of a huge entry in ppgtt_huge.c without a call
     * per frame).
     */
    if ( gfn > gtt_frame_max_gfn(d) )
        return GTT_ERR_NOT_RAM;
    /* ALLOC: populate PoD / start paging in; UNSHARE: break CoW sharing. */
    pg = get_page_from_gfn(d, gfn, &t, P2M_ALLOC | P2M_UNSHARE);
    reason = frame_type_reason(t);
    /*
     * RAM without a page: Xen's get_page() refused it, i.e. the frame is
     * not (or no longer) owned by d.  A page owned by anyone but d (Xen,
     * dom_cow, another domain) is refused as well.
     */
    if ( reason == GTT_OK && (!pg || page_get_owner(pg) != d) )
        reason = GTT_ERR_OTHER_OWNER;
    if ( reason != GTT_OK )
    {
        if ( pg )
            put_page(pg);
        return reason;
    }
    f->pg = pg;
    f->mfn = mfn_x(page_to_mfn(pg));

    return GTT_OK;
}

void gtt_frame_put(struct gtt_frame *f)
{
    if ( !f->pg )
        return;
    put_page(f->pg);
    f->pg = NULL;
    f->mfn = 0;
}

/*
 * Write protection through p2m_ioreq_server.  p2m_change_type_one() is a
 * compare-exchange (-EBUSY when the frame is not ordinary RAM, e.g. already
 * protected or ballooned out) and, under EPT, returns only after every vCPU
 * of d has dropped the old translation, so no untrapped write can follow.
 *
 * Xen 4.17 wiring requirement: p2m_recalc_type_range() keeps
 * p2m_ioreq_server only while p2m->ioreq.server is set.  Without a claimant
 * a lazy recalculation (p2m_change_entry_type_global(), e.g. for VRAM
 * dirty tracking) silently turns protected frames back into ram_rw, and
 * writes are not trapped at all unless the claimant's flags include
 * XEN_DMOP_IOREQ_MEM_ACCESS_WRITE.  The wiring must therefore hold that
 * claim (a Xen-internal ioreq server, or a patched recalc that keeps the
 * type for frames the engine tracks) for the whole life of the vGPU, and
 * claim the frames in the MMIO intercept's check() so that writes reach
 * gtt_wp_write() before any external ioreq server.
 */
int gtt_frame_protect(struct domain *d, unsigned long gfn)
{
    return p2m_change_type_one(d, gfn, p2m_ram_rw, p2m_ioreq_server);
}

int gtt_frame_unprotect(struct domain *d, unsigned long gfn)
{
    return p2m_change_type_one(d, gfn, p2m_ioreq_server, p2m_ram_rw);
}

/* Owned by nobody: not charged to a domain, never mapped by a guest. */
struct page_info *gtt_page_alloc(void)
{
    struct page_info *pg = alloc_domheap_page(NULL, MEMF_no_owner);

    if ( pg )
        clear_domain_page(page_to_mfn(pg));

    return pg;
}

void gtt_page_free(struct page_info *pg)
{
    if ( pg )
        free_domheap_page(pg);
}

unsigned long gtt_page_mfn(const struct page_info *pg)
{
    return mfn_x(page_to_mfn(pg));
}

struct page_info *gtt_mfn_to_page(unsigned long mfn)
{
    return mfn_to_page(_mfn(mfn));
}

/* The M2P: HVM guests' RAM frames have their entry set by the p2m code. */
unsigned long gtt_frame_gfn(unsigned long mfn)
{
    return get_gpfn_from_mfn(mfn);
}

void *gtt_map(unsigned long mfn)
{
    return map_domain_page(_mfn(mfn));
}

void gtt_unmap(void *va)
{
    unmap_domain_page(va);
}

static struct gtt_hw *hw_of(const struct gtt_device *dev)
{
    return dev->hw;
}

void gtt_hw_ggtt_write(struct gtt_device *dev, uint64_t index, uint64_t pte)
{
    uint64_t __iomem *gsm = hw_of(dev)->gsm;

    ASSERT(index < dev->ggtt_entries);
    writeq(pte, gsm + index);
}

static const unsigned int engine_tcr[] = {
    GTT_HW_RTCR, GTT_HW_M1TCR, GTT_HW_M2TCR, GTT_HW_BTCR, GTT_HW_VTCR,
};

/*
 * Invalidate the GPU's TLBs.  The GSM is mapped write-combining: the
 * barrier drains the entry writes before the uncached register write, and
 * the posting read makes sure the GGTT invalidation reached the GPU.  The
 * engines' TLBs (PPGTT translations), when asked, are invalidated all at
 * once, then each is polled until the GPU says it is done.
 */
bool gtt_hw_tlb_invalidate(struct gtt_device *dev, bool engines)
{
    uint8_t __iomem *mmio = hw_of(dev)->mmio;
    unsigned int i, polls = 0;

    wmb();
    writel(GTT_HW_FLSH_CNTL_EN, mmio + GTT_HW_FLSH_CNTL);
    (void)readl(mmio + GTT_HW_FLSH_CNTL);
    if ( !engines )
        return true;
    for ( i = 0; i < ARRAY_SIZE(engine_tcr); i++ )
        writel(GTT_HW_TCR_INVAL, mmio + engine_tcr[i]);
    for ( i = 0; i < ARRAY_SIZE(engine_tcr); i++ )
        while ( readl(mmio + engine_tcr[i]) & GTT_HW_TCR_INVAL )
            if ( ++polls >= GTT_HW_TCR_POLLS )
                return false;

    return true;
}
