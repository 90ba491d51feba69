/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Audit of one execlists context image into a hypervisor-owned shadow.
 *
 * The GPU restores a context by executing its image: the ring-context
 * header (a fixed sequence of MI_LOAD_REGISTER_IMM commands whose layout
 * the generation's spec describes) and then the register state (more
 * LRIs).  The shadow gets the header's layout from the spec, each header
 * value from where the spec says (the guest, the guest's masked to what is
 * safe, or Xen), and the register state only if every command of it is an
 * LRI of a register the context whitelist allows.  The indirect context
 * and the per-context batch the header points at are audited as privileged
 * GGTT buffers by the submission machinery.
 */
#include "ctx_state.h"

#define INDCTX_SIZE_MASK  0x3fu        /* INDIRECT_CTX: size in cachelines */
#define INDCTX_ADDR_MASK  0xffffffc0u
#define PERCTX_VALID      1u           /* BB_PER_CTX_PTR */
#define PERCTX_ADDR_MASK  0xfffff000u
#define RING_CTL_PAGES(c) ((((c) >> 12) & 0x1ffu) + 1)
#define CACHELINE         64
/* CTX_CONTROL Engine Context Restore Inhibit, with its write enable. */
#define CTX_RESTORE_INHIBIT 0x00010001u

static inline uint32_t *shadow_dw(const struct gpu_audit_ctx *x, uint32_t dw)
{
    return &x->pages[dw / GPU_CTX_PAGE_DWS][dw % GPU_CTX_PAGE_DWS];
}

static const struct gpu_gen_spec *ctx_spec(const struct gpu_audit_ctx *x)
{
    return x->cache->v->table->spec;
}

static int ctx_reject(struct gpu_audit_ctx *x, unsigned int reason,
                      unsigned int part, uint32_t buffer, uint32_t offset,
                      uint32_t reg)
{
    x->verdict.reason = reason;
    x->verdict.part = part;
    x->verdict.buffer = buffer;
    x->verdict.offset = offset;
    x->verdict.reg = reg;

    return reason;
}

static void zero_from(struct gpu_audit_ctx *x, uint32_t dw)
{
    uint32_t end = x->nr_pages * GPU_CTX_PAGE_DWS;

    while ( dw < end )
    {
        uint32_t n = GPU_CTX_PAGE_DWS - dw % GPU_CTX_PAGE_DWS;

        memset(shadow_dw(x, dw), 0, n * 4);
        dw += n;
    }
}

/* Copy pages [0, nr) of the guest's image; the image is wholly mapped. */
static int read_pages(struct gpu_audit_ctx *x, unsigned int nr)
{
    unsigned int i;

    for ( i = 0; i < nr; i++ )
    {
        uint32_t done = 0;

        while ( done < PAGE_SIZE )
        {
            int got = x->mem->read(x->priv, GPU_SPACE_GGTT,
                                   x->lrca + i * PAGE_SIZE + done,
                                   (uint8_t *)x->pages[i] + done,
                                   PAGE_SIZE - done);

            if ( got <= 0 || (uint32_t)got > PAGE_SIZE - done )
                return ctx_reject(x, XEN_GPU_AUDIT_READ_FAULT,
                                  GPU_CTX_PART_IMAGE, 0, i * PAGE_SIZE + done,
                                  0);
            done += got;
        }
    }

    return 0;
}

/*
 * The context whitelist: a register the header carries with the guest's
 * own value, or one the spec marks 'ctx' for this engine.  A masked
 * register may clear any bit and set only its whitelisted bits, those of
 * privileged buffers included (the image holds what i915's ring wrote): a
 * restore writes every bit it saved.  A virtualised register gets the
 * vGPU's value in the shadow (*val), as in a batch.
 */
static int ctx_reg_check(const struct gpu_audit_ctx *x, uint32_t reg,
                         uint32_t *val)
{
    const struct gpu_audit_ctx_cache *c = x->cache;
    uint32_t rel = reg - ctx_spec(x)->engines[x->engine].mmio_base;
    unsigned int cls = x->lay - ctx_spec(x)->ctx;
    const struct gpu_reg_desc *r;

    if ( rel < GPU_CTX_REL_MAX )
    {
        if ( c->hdr_fixed[cls][rel / 128] & (1u << (rel / 4 % 32)) )
            return XEN_GPU_AUDIT_REG_DENIED;
        if ( c->hdr_guest[cls][rel / 128] & (1u << (rel / 4 % 32)) )
            return 0;
    }

    r = gpu_audit_reg_lookup(x->cache->v->table, reg);
    if ( !r || !(r->flags & GPU_RF_CTX) || (r->flags & GPU_RF_PDP) ||
         !(r->engines & (1u << x->engine)) )
        return XEN_GPU_AUDIT_REG_DENIED;
    if ( r->flags & GPU_RF_VIRT )
        return gpu_audit_vgpu_get_vreg(x->cache->v, reg, val)
               ? 0 : XEN_GPU_AUDIT_REG_DENIED;
    if ( (r->flags & GPU_RF_MASKED) &&
         ((*val >> 16) & *val & 0xffffu &
          ~(uint32_t)(r->masked_bits | r->priv_masked_bits)) )
        return XEN_GPU_AUDIT_REG_MASK;

    return 0;
}

/* Is this MI_LOAD_REGISTER_IMM (offset/value pairs to the end)? */
bool gpu_audit_ctx_desc_is_lri(const struct gpu_cmd_desc *d)
{
    unsigned int i;

    for ( i = 0; i < d->nr_operands; i++ )
        if ( d->operands[i].kind == GPU_OPND_LRI )
            return d->type == GPU_CMD_TYPE_MI;

    return false;
}

/* Shadow value of one header register, or a reason. */
static int header_value(struct gpu_audit_ctx *x, const struct gpu_ctx_item *it,
                        uint32_t g, uint32_t *out, uint32_t *ptrs)
{
    const struct gpu_audit_ctx_xen *xen = &x->xen;
    const uint32_t xen_vals[GPU_CTX_XEN_NR] = {
        [GPU_CTX_XEN_ZERO]      = 0,
        [GPU_CTX_XEN_START]     = xen->ring_start,
        [GPU_CTX_XEN_CTL]       = xen->ring_ctl,
        [GPU_CTX_XEN_BB_HI]     = xen->bb_addr >> 32,
        [GPU_CTX_XEN_BB_LO]     = (uint32_t)xen->bb_addr,
        [GPU_CTX_XEN_BB_STATE]  = xen->bb_state,
        [GPU_CTX_XEN_SBB_HI]    = xen->sbb_addr >> 32,
        [GPU_CTX_XEN_SBB_LO]    = (uint32_t)xen->sbb_addr,
        [GPU_CTX_XEN_SBB_STATE] = xen->sbb_state,
    };
    uint32_t ring_mask = (RING_CTL_PAGES(xen->ring_ctl) << PAGE_SHIFT) - 1;
    unsigned int root = it->arg / 2;
    uint64_t rv;

    switch ( it->value )
    {
    case GPU_CTXV_GUEST:
        *out = g;
        return 0;
    case GPU_CTXV_HEAD:
        *out = g & ring_mask & ~3u;
        return 0;
    case GPU_CTXV_TAIL:
        *out = g & ring_mask & ~7u;
        return 0;
    case GPU_CTXV_XEN:
        if ( it->arg >= GPU_CTX_XEN_NR )
            return XEN_GPU_AUDIT_BAD_TABLE;
        *out = xen_vals[it->arg];
        return 0;
    case GPU_CTXV_PDP:
        /* With four levels only PDP0 holds a root (the PML4). */
        rv = root < 4 && (xen->levels == 3 || root == 0) ? xen->roots[root] : 0;
        *out = it->arg & 1 ? rv >> 32 : (uint32_t)rv;
        return 0;
    case GPU_CTXV_SET:
    case GPU_CTXV_CONTROL:
        if ( (g >> 16) & g & 0xffffu & ~it->arg )
            return XEN_GPU_AUDIT_REG_MASK;
        *out = g;
        return 0;
    case GPU_CTXV_FORCE:
        *out = (g & ~it->arg) | it->force;
        return 0;
    case GPU_CTXV_INDCTX:
        ptrs[GPU_CTX_PART_INDIRECT] = g & INDCTX_SIZE_MASK ? g : 0;
        *out = 0;                   /* until the copy is placed */
        return 0;
    case GPU_CTXV_PERCTX:
        ptrs[GPU_CTX_PART_PER_CTX] = g & PERCTX_VALID ? g : 0;
        *out = 0;
        return 0;
    }

    return XEN_GPU_AUDIT_BAD_TABLE;
}

/*
 * The ring-context header: every LRI header and register offset as the
 * layout has them (the shadow gets the layout's own), every value from
 * where the layout says, MI_NOOP in the padding.
 */
static int check_header(struct gpu_audit_ctx *x, uint32_t *ptrs,
                        uint32_t *ptr_dws, bool *inhibit)
{
    const struct gpu_cmd_desc *lri = x->cache->lri;
    uint32_t base = ctx_spec(x)->engines[x->engine].mmio_base;
    uint32_t dw = GPU_CTX_RING_DW;
    unsigned int i;

    *inhibit = false;
    for ( i = 0; i < x->lay->nr_items; i++ )
    {
        const struct gpu_ctx_item *it = &x->lay->items[i];
        uint32_t *p = shadow_dw(x, dw), want, val;
        int rc;

        switch ( it->kind )
        {
        case GPU_CTX_NOP:
            memset(p, 0, it->count * 4);
            dw += it->count;
            break;

        case GPU_CTX_LRI:
            want = ((uint32_t)lri->opcode << 23) | it->arg |
                   (2 * it->count + 1 - lri->len_bias);
            if ( (*p & ~GPU_CTX_LRI_POSTED) != (want & ~GPU_CTX_LRI_POSTED) )
                return ctx_reject(x, XEN_GPU_AUDIT_CTX_LAYOUT,
                                  GPU_CTX_PART_IMAGE, 0, dw * 4, 0);
            *p = want;
            dw++;
            break;

        case GPU_CTX_REG:
            if ( *p != base + it->reg )
                return ctx_reject(x, XEN_GPU_AUDIT_CTX_LAYOUT,
                                  GPU_CTX_PART_IMAGE, 0, dw * 4,
                                  base + it->reg);
            rc = header_value(x, it, p[1], &val, ptrs);
            if ( rc )
                return ctx_reject(x, rc, GPU_CTX_PART_IMAGE, 0, dw * 4,
                                  base + it->reg);
            if ( it->value == GPU_CTXV_INDCTX )
                ptr_dws[GPU_CTX_PART_INDIRECT] = dw + 1;
            else if ( it->value == GPU_CTXV_PERCTX )
                ptr_dws[GPU_CTX_PART_PER_CTX] = dw + 1;
            /* Restore inhibit: masked bit 0 of the context control. */
            if ( it->value == GPU_CTXV_CONTROL &&
                 (val & CTX_RESTORE_INHIBIT) == CTX_RESTORE_INHIBIT )
                *inhibit = true;
            p[1] = val;
            dw += 2;
            break;

        default:
            return ctx_reject(x, XEN_GPU_AUDIT_BAD_TABLE, GPU_CTX_PART_IMAGE,
                              0, dw * 4, 0);
        }
    }

    return 0;
}

/*
 * The register state: MI_NOOPs and LRIs of whitelisted registers, up to an
 * MI_BATCH_BUFFER_END (the shadow is zero after it) or the image's end.
 * With 'reuse', pages 2.. were audited by an earlier scan that entered
 * page 2 at x->state_entry: the scan stops there if it enters there too,
 * and asks for a full rescan (GPU_CTX_RESCAN) if it does not.
 */
static int scan_state(struct gpu_audit_ctx *x, bool reuse)
{
    const struct gpu_audit_table *t = x->cache->v->table;
    const uint32_t page2 = GPU_CTX_STATE_PAGE * GPU_CTX_PAGE_DWS;
    uint32_t end = x->nr_pages * GPU_CTX_PAGE_DWS;
    uint32_t dw = GPU_CTX_RING_DW + x->lay->state_dw;
    uint32_t entry = GPU_CTX_ENTRY_ENDED;

    while ( dw < end )
    {
        const struct gpu_cmd_desc *d;
        uint32_t hdr, len, i;

        if ( dw >= page2 && entry == GPU_CTX_ENTRY_ENDED )
        {
            entry = dw;
            if ( reuse )
                return entry == x->state_entry ? 0 : GPU_CTX_RESCAN;
        }

        hdr = *shadow_dw(x, dw);
        if ( !hdr )
        {
            dw++;
            continue;
        }

        d = gpu_audit_lookup(t, x->engine, hdr);
        if ( d && (d->flags & GPU_CF_END) )
        {
            zero_from(x, dw + 1);
            break;
        }
        /* MI_NOOP may carry an identification number (bits 21:0). */
        if ( d && d->type == GPU_CMD_TYPE_MI && !d->opcode )
        {
            dw++;
            continue;
        }
        if ( !d || !gpu_audit_ctx_desc_is_lri(d) )
            return ctx_reject(x, XEN_GPU_AUDIT_CTX_CMD, GPU_CTX_PART_IMAGE, 0,
                              dw * 4, 0);

        len = gpu_audit_cmd_len(d, hdr);
        if ( len < d->len_min || len > d->len_max ||
             (d->len_set && !(d->len_set & (1u << len))) )
            return ctx_reject(x, XEN_GPU_AUDIT_BAD_LENGTH, GPU_CTX_PART_IMAGE,
                              0, dw * 4, 0);
        if ( len > end - dw )
            return ctx_reject(x, XEN_GPU_AUDIT_CMD_OVERRUN, GPU_CTX_PART_IMAGE,
                              0, dw * 4, 0);
        if ( !(len & 1) )
            return ctx_reject(x, XEN_GPU_AUDIT_REG_LRI_PAIRS,
                              GPU_CTX_PART_IMAGE, 0, dw * 4, 0);

        for ( i = 1; i < len; i += 2 )
        {
            uint32_t reg = *shadow_dw(x, dw + i) & 0x7ffffcu;
            int rc = ctx_reg_check(x, reg, shadow_dw(x, dw + i + 1));

            if ( rc )
                return ctx_reject(x, rc, GPU_CTX_PART_IMAGE, 0, dw * 4, reg);
        }
        dw += len;
    }

    /* Ended before page 2: pages 2.. are zero now, whatever they held. */
    x->state_entry = entry;

    return 0;
}

void gpu_audit_ctx_parts_drop(struct gpu_audit_ctx *x)
{
    unsigned int p;

    for ( p = 0; p < GPU_CTX_PART_NR; p++ )
    {
        gpu_audit_sub_destroy(x->part[p]);
        x->part[p] = NULL;
        x->ptr_val[p] = 0;
        x->ptr_dw[p] = 0;
        x->placed[p] = ~0ull;
    }
}

void gpu_audit_ctx_apply_placement(struct gpu_audit_ctx *x, unsigned int part)
{
    uint32_t val;

    if ( !x->ptr_dw[part] || x->placed[part] == ~0ull )
        return;
    if ( part == GPU_CTX_PART_INDIRECT )
        val = ((uint32_t)x->placed[part] & INDCTX_ADDR_MASK) |
              (x->ptr_val[part] & INDCTX_SIZE_MASK);
    else
        val = ((uint32_t)x->placed[part] & PERCTX_ADDR_MASK) | PERCTX_VALID;
    *shadow_dw(x, x->ptr_dw[part]) = val;
}

int gpu_audit_ctx_image_audit(struct gpu_audit_ctx *x)
{
    bool reuse = x->state_valid, inhibit;
    unsigned int p;
    int rc;

    if ( x->lrca & (PAGE_SIZE - 1) )
        return ctx_reject(x, XEN_GPU_AUDIT_CTX_LAYOUT, GPU_CTX_PART_IMAGE, 0,
                          0, 0);
    if ( !gpu_audit_ggtt_range_ok(x->cache->v, x->lrca,
                                  (uint64_t)x->nr_pages * PAGE_SIZE) )
        return ctx_reject(x, XEN_GPU_AUDIT_GGTT_RANGE, GPU_CTX_PART_IMAGE, 0,
                          0, 0);

    for ( ; ; )
    {
        uint32_t ptrs[GPU_CTX_PART_NR] = { 0 };
        uint32_t ptr_dws[GPU_CTX_PART_NR] = { 0 };

        /* The PPHWSP and the ring context are read every time. */
        rc = read_pages(x, reuse ? GPU_CTX_STATE_PAGE : x->nr_pages);
        if ( !rc )
            rc = check_header(x, ptrs, ptr_dws, &inhibit);
        if ( rc )
            return rc;

        if ( reuse && memcmp(ptrs, x->ptr_val, sizeof(ptrs)) )
            rc = GPU_CTX_RESCAN;
        else if ( inhibit )
        {
            /* Nothing after the header is restored: the shadow has none. */
            zero_from(x, GPU_CTX_RING_DW + x->lay->state_dw);
            x->state_entry = GPU_CTX_ENTRY_ZEROED;
        }
        else
        {
            if ( reuse && x->state_entry == GPU_CTX_ENTRY_ZEROED )
                rc = GPU_CTX_RESCAN;
            else
                rc = scan_state(x, reuse);
            if ( rc > 0 )
                return rc;
        }

        if ( rc != GPU_CTX_RESCAN )
        {
            if ( !reuse )
                for ( p = 0; p < GPU_CTX_PART_NR; p++ )
                {
                    x->ptr_val[p] = ptrs[p];
                    x->ptr_dw[p] = ptr_dws[p];
                }
            break;
        }

        /* The cached register state does not fit: audit it all again. */
        gpu_audit_ctx_detach(x);
        gpu_audit_ctx_parts_drop(x);
        x->state_valid = false;
        reuse = false;
    }

    x->state_valid = true;
    for ( p = 0; p < GPU_CTX_PART_NR; p++ )
        gpu_audit_ctx_apply_placement(x, p);
    gpu_audit_ctx_count_scan(x, reuse);

    return 0;
}

/* Audit one part as the GPU runs it: a privileged GGTT buffer. */
static int part_start(struct gpu_audit_ctx *x, unsigned int p)
{
    struct gpu_audit_sub *s = gpu_audit_sub_create(x->cache->v, x->engine,
                                                   x->mem, x->priv);
    uint32_t g = x->ptr_val[p];

    if ( !s )
        return ctx_reject(x, XEN_GPU_AUDIT_NO_MEMORY, p, 0, 0, 0);
    x->part[p] = s;

    if ( p == GPU_CTX_PART_INDIRECT )
    {
        /*
         * A buffer of known size that needs no MI_BATCH_BUFFER_END and may
         * start batches: what a ring segment is.  The ring is the pages
         * holding it; its segment, exactly the indirect context.
         */
        uint64_t addr = g & INDCTX_ADDR_MASK;
        uint32_t off = addr & (PAGE_SIZE - 1);
        uint32_t len = (g & INDCTX_SIZE_MASK) * CACHELINE;
        struct gpu_audit_ring ring = {
            .start = addr - off,
            .size = (off + len + PAGE_SIZE - 1) & ~(uint32_t)(PAGE_SIZE - 1),
            .head = off,
        };

        ring.tail = (off + len) % ring.size;
        gpu_audit_sub_start_ring(s, &ring);
    }
    else
        gpu_audit_sub_start_batch(s, GPU_SPACE_GGTT, g & PERCTX_ADDR_MASK);

    return 0;
}

int gpu_audit_ctx_parts_run(struct gpu_audit_ctx *x)
{
    unsigned int p;
    int rc;

    for ( p = GPU_CTX_PART_INDIRECT; p < GPU_CTX_PART_NR; p++ )
    {
        const struct gpu_audit_verdict *vd;

        if ( !x->ptr_val[p] )
            continue;
        if ( !x->part[p] )
        {
            rc = part_start(x, p);
            if ( rc )
                return rc;
        }
        rc = gpu_audit_run(x->part[p]);
        if ( rc )
            return rc;
        vd = gpu_audit_get_verdict(x->part[p]);
        if ( vd->reason )
            return ctx_reject(x, vd->reason, p, vd->buffer, vd->offset, 0);
    }

    return 0;
}
