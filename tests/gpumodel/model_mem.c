/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Memory and register accesses of the model: translated page by page,
 * reported to the checker, then performed on the simulated frames, so
 * that what a command reads back is what an earlier one wrote.
 */
#include "model_priv.h"

static void page_access(struct gpu_model_run *r, unsigned int space,
                        uint64_t gaddr, uint8_t *data, unsigned int len,
                        bool write)
{
    unsigned long mfn = model_translate(r, space, gaddr, true);
    uint64_t before = r->chk->violations;
    uint8_t *p;

    gpu_check_mem(r->chk, space, gaddr, mfn, write);
    r->res->mem_accesses++;
    if ( !data )
        return;
    if ( mfn == INVALID_MFN || r->chk->violations != before ||
         !fake_frame(mfn) )
    {
        if ( !write )
            memset(data, 0, len);
        return;
    }

    p = map_domain_page(_mfn(mfn));
    if ( write )
        memcpy(p + (gaddr & (PAGE_SIZE - 1)), data, len);
    else
        memcpy(data, p + (gaddr & (PAGE_SIZE - 1)), len);
    unmap_domain_page(p);
}

void model_access(struct gpu_model_run *r, unsigned int space,
                  uint64_t gaddr, void *data, unsigned int len, bool write)
{
    uint8_t *d = data;

    gaddr &= GPU_HW_GADDR_MASK;
    while ( len )
    {
        unsigned int n = PAGE_SIZE - (gaddr & (PAGE_SIZE - 1));

        if ( n > len )
            n = len;
        page_access(r, space, gaddr, d, n, write);
        gaddr = (gaddr + n) & GPU_HW_GADDR_MASK;
        len -= n;
        if ( d )
            d += n;
    }
}

void model_touch(struct gpu_model_run *r, unsigned int space, uint64_t gaddr,
                 bool write)
{
    page_access(r, space, gaddr & GPU_HW_GADDR_MASK, NULL, 0, write);
}

void model_move(struct gpu_model_run *r, unsigned int space, uint64_t gaddr,
                void *data, unsigned int len, bool write,
                const uint64_t *skip, unsigned int nr_skip)
{
    uint8_t *d = data;

    gaddr &= GPU_HW_GADDR_MASK;
    while ( len )
    {
        unsigned int n = PAGE_SIZE - (gaddr & (PAGE_SIZE - 1)), i;
        unsigned long mfn;
        uint8_t *p;

        if ( n > len )
            n = len;
        for ( i = 0; i < nr_skip && skip[i] != gaddr >> PAGE_SHIFT; i++ )
            continue;
        mfn = i < nr_skip ? INVALID_MFN
                          : model_translate(r, space, gaddr, false);
        if ( mfn != INVALID_MFN && fake_frame(mfn) )
        {
            p = map_domain_page(_mfn(mfn));
            if ( write )
                memcpy(p + (gaddr & (PAGE_SIZE - 1)), d, n);
            else
                memcpy(d, p + (gaddr & (PAGE_SIZE - 1)), n);
            unmap_domain_page(p);
        }
        else if ( !write )
            memset(d, 0, n);
        gaddr = (gaddr + n) & GPU_HW_GADDR_MASK;
        len -= n;
        d += n;
    }
}

/* Slot of a register in the sparse file (NULL: full, not kept). */
static struct gpu_model_reg *reg_slot(struct gpu_model_run *r,
                                      uint32_t offset, bool add)
{
    unsigned int i, h = (offset >> 2) * 2654435761u;

    for ( i = 0; i < GPU_MODEL_REGS; i++ )
    {
        struct gpu_model_reg *g = &r->regs[(h + i) % GPU_MODEL_REGS];

        if ( g->offset == offset + 1 )
            return g;
        if ( !g->offset )
        {
            if ( !add )
                return NULL;
            g->offset = offset + 1;
            return g;
        }
    }

    return NULL;
}

/* PDP dword of the engine a register offset is (0-7), or -1. */
static int pdp_dword(const struct gpu_model_run *r, uint32_t offset)
{
    uint32_t first = gpu_hw_engine_base(r->c->engine) + GPU_HW_PDP_OFF;

    if ( offset < first || offset >= first + GPU_HW_PDP_NR * 8 )
        return -1;

    return (offset - first) / 4;
}

uint32_t model_reg_read(struct gpu_model_run *r, uint32_t offset)
{
    const struct gpu_model_reg *g;
    int pdw;

    offset &= GPU_HW_REG_MASK;
    gpu_check_reg(r->chk, r->cls, offset, false, 0);
    r->res->reg_accesses++;
    pdw = pdp_dword(r, offset);
    if ( pdw >= 0 )
        return r->pdp[pdw / 2] >> (pdw & 1 ? 32 : 0);
    g = reg_slot(r, offset, false);

    return g ? g->value : 0;
}

void model_reg_write(struct gpu_model_run *r, uint32_t offset,
                     uint32_t value)
{
    struct gpu_model_reg *g;
    int pdw;

    offset &= GPU_HW_REG_MASK;
    gpu_check_reg(r->chk, r->cls, offset, true, value);
    r->res->reg_accesses++;
    pdw = pdp_dword(r, offset);
    if ( pdw >= 0 )
    {
        uint64_t *p = &r->pdp[pdw / 2];

        if ( pdw & 1 )
            *p = (*p & 0xffffffffULL) | ((uint64_t)value << 32);
        else
            *p = (*p & ~0xffffffffULL) | value;
        r->pdp_written |= 1u << (pdw / 2);
        return;
    }
    g = reg_slot(r, offset, true);
    if ( g )
        g->value = value;
}

void model_pdp_commit(struct gpu_model_run *r)
{
    unsigned int n;

    if ( !r->pdp_written )
        return;
    if ( !r->c->level )
        r->level = r->pdp_written & ~1u ? GPU_MODEL_LEVEL3 : GPU_MODEL_LEVEL4;
    for ( n = 0; n < GPU_HW_PDP_NR; n++ )
        if ( (r->pdp_written & (1u << n)) && (r->pdp[n] & GPU_HW_PTE_ADDR) )
            gpu_check_pt(r->chk, (r->pdp[n] & GPU_HW_PTE_ADDR) >> PAGE_SHIFT,
                         0);
    r->pdp_written = 0;
}
