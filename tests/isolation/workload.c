/* SPDX-License-Identifier: GPL-2.0-only */
/* Isolation checker: workload generators (workload.h). */
#include <stdlib.h>

#include "workload.h"
#include "machine.h"
#include "audit.h"
#include <asm/hvm/gtt.h>
#include "pvinfo.h"

/*
 * What every guest does with its RAM (gfns), the same in every guest:
 *   0..7      rings, at aperture entries 0..7 of its slice
 *   8..39     GGTT batches, at aperture entries 8..39
 *   64..95    page tables of address space s at 64 + 8 s
 *   128..255  PPGTT pages of space s: PTE j maps 128 + 32 s + j
 *   256..287  GGTT data, at hidden entries 0..31
 */
#define WL_RING_PAGES    8
#define WL_GBATCH_FIRST  8
#define WL_GBATCH_PAGES  32
#define WL_TABLES_GFN    64
#define WL_SPACES        4              /* 0..2: 4-level; 3: 3-level */
#define WL_PPGTT_GFN     128
#define WL_PTES          32
#define WL_GDATA_GFN     256
#define WL_GDATA_PAGES   32
#define WL_L3_SPACE      3

#define WL_PTE_PRESENT   0x1ull
#define WL_PTE_RW        0x2ull
#define WL_PTE_PS        0x80ull
#define WL_PTE_IPS       0x800ull        /* PDE: 64K entries below */
#define WL_PTE(gfn)      (((uint64_t)(gfn) << 12) | WL_PTE_PRESENT | WL_PTE_RW)
#define WL_GPA(gfn)      ((uint64_t)(gfn) << 12)

#define MI_NOOP_DW       0x00000000u
#define MI_BBE_DW        0x05000000u
#define MI_BBS_DW        0x18800001u    /* MI_BATCH_BUFFER_START, 3 dwords */
#define MI_BBS_PPGTT     (1u << 8)
#define MI_BBS_SECOND    (1u << 22)
#define MI_LRI_DW        0x11000000u
#define PDP_REG          0x270u         /* from the engine's MMIO base */

#define WL_BUF_DWS       1024
#define WL_MAX_CMD_DWS   64

struct wl_buf {
    uint32_t dw[WL_BUF_DWS];
    uint16_t len[WL_BUF_DWS];
    unsigned int nr_dw, nr_cmds, max_dw;
};

struct wl_vgpu {
    bool pending[ISO_SLOTS];
};

/* Where a batch being generated lives, and what it may do. */
struct wl_batch {
    unsigned int v, engine, cls;
    unsigned int space;             /* GPU_SPACE_* of the batch */
    unsigned int sp;                /* address space of the context */
    unsigned int level;             /* 0 ring, 1 first, 2 second */
    uint64_t gaddr;                 /* graphics address of dword 0 */
};

struct iso_workload {
    struct iso_rng r;
    unsigned int gen, nr;
    const struct gpu_gen_spec *spec;
    struct wl_vgpu vg[ISO_MAX_VGPUS];
    /* Commands per engine and class (policy not reject), MI ones apart. */
    uint16_t *mi[XEN_GPU_ENGINE_NR][GPU_CLASS_NR];
    uint16_t *other[XEN_GPU_ENGINE_NR][GPU_CLASS_NR];
    unsigned int nr_mi[XEN_GPU_ENGINE_NR][GPU_CLASS_NR];
    unsigned int nr_other[XEN_GPU_ENGINE_NR][GPU_CLASS_NR];
    /* Registers per engine (indices into spec->regs). */
    uint16_t *regs[XEN_GPU_ENGINE_NR];
    unsigned int nr_regs[XEN_GPU_ENGINE_NR];
    unsigned int hostile_pct;       /* of the submission being made */
    bool balloon;                   /* physmap changes too */
    uint64_t used_pages;            /* pages taken by this submission */
    unsigned int depth_budget;
};

/* Forbidden registers, from the engine's MMIO base or absolute. */
static const uint32_t forbidden_ring[] = {
    0x30, 0x34, 0x38, 0x3c, 0x50, 0x80, 0x98, 0xa8, 0xd0, 0x110, 0x140,
    0x230, 0x234, 0x244, 0x29c, 0x4d0, 0x4d4, 0x9c,
};
static const uint32_t forbidden_abs[] = {
    0x100000, 0x100008, 0x101008, 0x40e0, 0x4090, 0x4094, 0x44200,
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static uint32_t rnd32(struct iso_workload *w)
{
    return (uint32_t)(iso_rand(&w->r) >> 32);
}

static unsigned int below(struct iso_workload *w, unsigned int n);

/* Two draws in one expression would be unsequenced: one call per draw. */
static uint64_t rnd64(struct iso_workload *w)
{
    uint64_t hi = rnd32(w);

    return (hi << 32) | rnd32(w);
}

/* page * 4096 + 8 * qword, drawn in that order. */
static uint64_t page_qword(struct iso_workload *w, unsigned int pages,
                           unsigned int qwords)
{
    uint64_t page = below(w, pages);

    return 4096 * page + 8 * below(w, qwords);
}

static unsigned int below(struct iso_workload *w, unsigned int n)
{
    return iso_below(&w->r, n);
}

static bool pct(struct iso_workload *w, unsigned int p)
{
    return iso_pct(&w->r, p);
}

/* Operations ------------------------------------------------------------ */

static void op_simple(struct iso_episode *e, unsigned int kind,
                      unsigned int v, uint64_t addr, unsigned int size,
                      uint64_t val)
{
    struct iso_op op;

    memset(&op, 0, sizeof(op));
    op.kind = kind;
    op.v = v;
    op.addr = addr;
    op.size = size;
    op.val = val;
    iso_episode_add(e, &op);
}

static void op_store(struct iso_episode *e, unsigned int v, uint64_t gpa,
                     unsigned int size, uint64_t val)
{
    op_simple(e, ISO_OP_STORE, v, gpa, size, val);
}

/* An 8-byte entry: whole, or as two halves in either order, or one. */
static void store_entry(struct iso_workload *w, struct iso_episode *e,
                        unsigned int v, uint64_t gpa, uint64_t val,
                        bool hostile)
{
    unsigned int r = below(w, 100);

    if ( r < 80 )
        op_store(e, v, gpa, 8, val);
    else if ( r < 90 || !hostile )
    {
        op_store(e, v, gpa, 4, (uint32_t)val);
        op_store(e, v, gpa + 4, 4, val >> 32);
    }
    else if ( r < 95 )
    {
        op_store(e, v, gpa + 4, 4, val >> 32);
        op_store(e, v, gpa, 4, (uint32_t)val);
    }
    else
        op_store(e, v, gpa + 4 * below(w, 2), 4, (uint32_t)val);
}

static void ggtt_write(struct iso_workload *w, struct iso_episode *e,
                       unsigned int v, uint64_t index, uint64_t val,
                       bool hostile)
{
    struct iso_op op;
    unsigned int r = below(w, 100);

    memset(&op, 0, sizeof(op));
    op.kind = ISO_OP_GGTT;
    op.v = v;
    op.addr = index;
    op.size = 8;
    op.val = val;
    if ( r < 85 )
    {
        iso_episode_add(e, &op);
        return;
    }
    op.size = 4;
    op.off = r < 93 ? 0 : 4;
    op.val = op.off ? val >> 32 : (uint32_t)val;
    iso_episode_add(e, &op);
    if ( hostile && pct(w, 30) )
        return;                      /* half an entry, left pending */
    op.off ^= 4;
    op.val = op.off ? val >> 32 : (uint32_t)val;
    iso_episode_add(e, &op);
}

static void op_cmds(struct iso_episode *e, unsigned int v, uint64_t gpa,
                    const struct wl_buf *b)
{
    struct iso_op op;

    if ( !b->nr_cmds )
        return;
    memset(&op, 0, sizeof(op));
    op.kind = ISO_OP_CMDS;
    op.v = v;
    op.addr = gpa;
    op.dw = (uint32_t *)b->dw;
    op.len = (uint16_t *)b->len;
    op.nr_dw = b->nr_dw;
    op.nr_cmds = b->nr_cmds;
    iso_episode_add(e, &op);       /* copies the arrays */
}

/* The guest's layout ---------------------------------------------------- */

static unsigned int space_level(unsigned int sp)
{
    return sp == WL_L3_SPACE ? GTT_ROOT_L3 : GTT_ROOT_L4;
}

static unsigned long table_gfn(unsigned int sp)
{
    return WL_TABLES_GFN + 8 * sp;
}

static unsigned long ppgtt_gfn(unsigned int sp, unsigned int j)
{
    return WL_PPGTT_GFN + WL_PTES * sp + j;
}

static void space_roots(unsigned int sp, uint64_t root[4])
{
    unsigned long t = table_gfn(sp);
    unsigned int i;

    memset(root, 0, 4 * sizeof(*root));
    if ( space_level(sp) == GTT_ROOT_L4 )
        root[0] = WL_GPA(t);
    else
        for ( i = 0; i < 4; i++ )
            root[i] = WL_GPA(t + i);
}

/* The leaf table of space sp, and the links down to it. */
static unsigned long leaf_gfn(unsigned int sp)
{
    return table_gfn(sp) + (space_level(sp) == GTT_ROOT_L4 ? 3 : 4);
}

/* The page directory of space sp under which its leaf table hangs. */
static unsigned long pd_gfn(unsigned int sp)
{
    return table_gfn(sp) + (space_level(sp) == GTT_ROOT_L4 ? 2 : 0);
}

static void space_links(struct iso_workload *w, struct iso_episode *e,
                        unsigned int v, unsigned int sp)
{
    unsigned long t = table_gfn(sp);

    if ( space_level(sp) == GTT_ROOT_L4 )
    {
        store_entry(w, e, v, WL_GPA(t), WL_PTE(t + 1), false);
        store_entry(w, e, v, WL_GPA(t + 1), WL_PTE(t + 2), false);
        store_entry(w, e, v, WL_GPA(t + 2), WL_PTE(t + 3), false);
    }
    else
    {
        store_entry(w, e, v, WL_GPA(t), WL_PTE(t + 4), false);
        store_entry(w, e, v, WL_GPA(t + 1), WL_PTE(t + 4), false);
    }
}

static void space_announce(struct iso_workload *w, struct iso_episode *e,
                           unsigned int v, unsigned int sp, bool create)
{
    uint64_t root[4];
    unsigned int i, n = space_level(sp) == GTT_ROOT_L4 ? 1 : 4;

    space_roots(sp, root);
    for ( i = 0; i < n; i++ )
    {
        op_simple(e, ISO_OP_PVINFO, v, PVINFO_PDP + 8 * i, 4,
                  (uint32_t)root[i]);
        op_simple(e, ISO_OP_PVINFO, v, PVINFO_PDP + 8 * i + 4, 4,
                  root[i] >> 32);
    }
    op_simple(e, ISO_OP_PVINFO, v, PVINFO_G2V_NOTIFY, 4,
              n == 1 ? (create ? PVINFO_G2V_PPGTT_L4_CREATE
                               : PVINFO_G2V_PPGTT_L4_DESTROY)
                     : (create ? PVINFO_G2V_PPGTT_L3_CREATE
                               : PVINFO_G2V_PPGTT_L3_DESTROY));
}

static uint64_t ap_index(unsigned int v, unsigned int i)
{
    return (iso_ap_base(v) >> 12) + i;
}

static uint64_t hid_index(unsigned int v, unsigned int i)
{
    return (iso_hid_base(v) >> 12) + i;
}

static uint64_t ggtt_pte(struct iso_workload *w, unsigned long gfn)
{
    return ((uint64_t)gfn << 12) | 1 | (pct(w, 20) ? 0x6 : 0);
}

/* What an i915 guest does at boot (and after a reset). */
static void setup_vgpu(struct iso_workload *w, struct iso_episode *e,
                       unsigned int v)
{
    unsigned int i, sp;

    for ( i = 0; i < WL_GBATCH_FIRST + WL_GBATCH_PAGES; i++ )
        ggtt_write(w, e, v, ap_index(v, i), ggtt_pte(w, i), false);
    for ( i = 0; i < WL_GDATA_PAGES; i++ )
        ggtt_write(w, e, v, hid_index(v, i), ggtt_pte(w, WL_GDATA_GFN + i),
                   false);
    for ( sp = 0; sp < WL_SPACES; sp++ )
    {
        space_links(w, e, v, sp);
        for ( i = 0; i < WL_PTES; i++ )
            store_entry(w, e, v, WL_GPA(leaf_gfn(sp)) + 8 * i,
                        WL_PTE(ppgtt_gfn(sp, i)), false);
        if ( pct(w, 50) )
            space_announce(w, e, v, sp, true);
    }
}

/* Hostile values -------------------------------------------------------- */

static unsigned long hostile_gfn(struct iso_workload *w)
{
    static const unsigned long kinds[] = {
        ISO_GFN_MMIO, ISO_GFN_GRANT, ISO_GFN_FOREIGN, ISO_GFN_PAGED,
        ISO_GFN_SHARED, ISO_GFN_NEIGHBOUR, ISO_GFN_XEN, ISO_GFN_HOLE,
        ISO_GFN_STOLEN,
    };
    unsigned int r = below(w, ARRAY_LEN(kinds) + 5);

    if ( r < ARRAY_LEN(kinds) )
        return kinds[r];
    switch ( r - ARRAY_LEN(kinds) )
    {
    case 0:
        return ISO_GFN_MAX + below(w, 64);           /* beyond the p2m */
    case 1:
        return 1ul << (20 + below(w, 8));            /* far beyond */
    case 2:
        return table_gfn(below(w, WL_SPACES)) + below(w, 6); /* own tables */
    case 3:
        return ISO_RAM_GFNS - 1;                  /* last RAM frame */
    default:
        return below(w, ISO_RAM_GFNS);               /* any own frame */
    }
}

/* A GGTT address for an operand: inside, at the edge, or outside. */
static uint64_t ggtt_addr_valid(struct iso_workload *w, unsigned int v)
{
    if ( pct(w, 30) )     /* its own rings and batches: legal targets too */
        return iso_ap_base(v) +
               page_qword(w, WL_GBATCH_FIRST + WL_GBATCH_PAGES, 480);
    return iso_hid_base(v) + page_qword(w, WL_GDATA_PAGES, 480);
}

static uint64_t ggtt_addr_hostile(struct iso_workload *w, unsigned int v)
{
    unsigned int n = (v + 1) % w->nr, p = (v + w->nr - 1) % w->nr;

    switch ( below(w, 11) )
    {
    case 0:
        return iso_hid_base(v) + ISO_HID_SIZE - 8;        /* last qword */
    case 1:
        return iso_hid_base(v) + ISO_HID_SIZE - 4;
    case 2:
        return iso_hid_base(v) + ISO_HID_SIZE;            /* just past */
    case 3:
        return iso_ap_base(v) + ISO_AP_SIZE - 4;
    case 4:
        return iso_ap_base(v) + ISO_AP_SIZE;
    case 5:
        return iso_ap_base(v) - 8;
    case 6:
        return iso_hid_base(n) + 4096 * below(w, WL_GDATA_PAGES);
    case 7:
        return iso_ap_base(p) + 4096 * below(w, WL_GBATCH_FIRST +
                                            WL_GBATCH_PAGES);
    case 8:
        return iso_hid_base(v) - 4;
    case 9:
        return rnd32(w) & ~3u;
    default:
        return rnd64(w) & ~7ull;
    }
}

static uint64_t ppgtt_addr(struct iso_workload *w, unsigned int sp)
{
    uint64_t a = page_qword(w, WL_PTES, 480);

    if ( pct(w, 8) )
        return rnd64(w) & 0xfffffffffff8ull;
    if ( pct(w, 4) )
        return WL_PTES * 4096ull + 8 * below(w, 1024);       /* unmapped */
    if ( space_level(sp) == GTT_ROOT_L3 && pct(w, 30) )
        a += 1ull << 30;                                  /* PD1 */
    return a;
}

/* Registers ------------------------------------------------------------- */

static const struct gpu_reg_desc *reg_at(struct iso_workload *w,
                                         unsigned int engine, unsigned int i)
{
    return &w->spec->regs[w->regs[engine][i]];
}

/*
 * A whitelisted register for an access from a buffer of class cls; plain
 * says the value is not the command's (a load from memory or a register),
 * so no masked, virtualised or root register.
 */
static const struct gpu_reg_desc *reg_pick(struct iso_workload *w,
                                           unsigned int engine,
                                           unsigned int access,
                                           unsigned int cls, bool plain)
{
    unsigned int tries;

    for ( tries = 0; tries < 32 && w->nr_regs[engine]; tries++ )
    {
        const struct gpu_reg_desc *r =
            reg_at(w, engine, below(w, w->nr_regs[engine]));

        if ( !(r->access & access) || (r->flags & GPU_RF_PDP) )
            continue;
        if ( cls == GPU_CLASS_PPGTT && (r->flags & GPU_RF_PRIV) )
            continue;
        if ( plain && (r->flags & (GPU_RF_MASKED | GPU_RF_VIRT)) )
            continue;
        return r;
    }
    return NULL;
}

static uint32_t lri_value(struct iso_workload *w, const struct gpu_reg_desc *r,
                          unsigned int cls)
{
    uint32_t allowed, en;

    if ( !(r->flags & GPU_RF_MASKED) )
        return pct(w, 50) ? 0 : rnd32(w);
    allowed = r->masked_bits;
    if ( cls != GPU_CLASS_PPGTT )
        allowed |= r->priv_masked_bits;
    en = rnd32(w) & allowed;
    return (en << 16) | (rnd32(w) & 0xffff);
}

static uint32_t reg_hostile(struct iso_workload *w, unsigned int engine)
{
    uint32_t base = w->spec->engines[engine].mmio_base;
    const struct gpu_reg_desc *r;
    unsigned int i;

    switch ( below(w, 8) )
    {
    case 7: /* whitelisted, but only for privileged buffers */
        for ( i = 0; i < 16 && w->nr_regs[engine]; i++ )
        {
            r = reg_at(w, engine, below(w, w->nr_regs[engine]));
            if ( r->flags & GPU_RF_PRIV )
                return r->offset;
        }
        return base + PDP_REG;
    case 0:
        return base + forbidden_ring[below(w, ARRAY_LEN(forbidden_ring))];
    case 1:
        return forbidden_abs[below(w, ARRAY_LEN(forbidden_abs))];
    case 2:
        return base + PDP_REG + 4 * below(w, 8);
    case 3:
        if ( w->nr_regs[engine] )
        {
            uint32_t step;

            r = reg_at(w, engine, below(w, w->nr_regs[engine]));
            step = pct(w, 50) ? 4 : -4u;
            return r->offset + step * (1 + below(w, 2));
        }
        return base + 0x600 - 4;
    case 4:
        /* Another engine's register. */
        engine = (engine + 1 + below(w, XEN_GPU_ENGINE_NR - 1)) %
                 XEN_GPU_ENGINE_NR;
        if ( w->nr_regs[engine] )
            return reg_at(w, engine, below(w, w->nr_regs[engine]))->offset;
        return base;
    case 5:
        return rnd32(w) & 0x7ffffc;
    default:
        return rnd32(w);
    }
}

/* Commands from the spec ------------------------------------------------ */

static bool cond_holds(const struct gpu_cmd_cond *c, const uint32_t *dw,
                       unsigned int len)
{
    if ( c->dw >= len )
        return false;
    return ((dw[c->dw] & c->mask) == c->val) != !!c->ne;
}

/* Make the condition hold (want) or fail; no-op without a mask. */
static void cond_force(const struct gpu_cmd_cond *c, uint32_t *dw,
                       unsigned int len, bool want)
{
    uint32_t x;

    if ( !c->mask || c->dw >= len )
        return;
    x = dw[c->dw] & ~c->mask;
    dw[c->dw] = want != !!c->ne ? x | (c->val & c->mask)
                                : x | (~c->val & c->mask);
}

static uint32_t cmd_header(const struct gpu_cmd_desc *d)
{
    switch ( d->type )
    {
    case GPU_CMD_TYPE_MI:
        return (uint32_t)d->opcode << 23;
    case GPU_CMD_TYPE_2D:
        return (2u << 29) | ((uint32_t)d->opcode << 22);
    default:
        return (3u << 29) | ((uint32_t)d->opcode << 16);
    }
}

/* Header bits between the length field and the opcode. */
static uint32_t flag_bits(const struct gpu_cmd_desc *d)
{
    unsigned int lo = d->len_bits, hi;

    switch ( d->type )
    {
    case GPU_CMD_TYPE_MI:
        hi = 23;
        break;
    case GPU_CMD_TYPE_2D:
        hi = 22;
        break;
    default:
        hi = 16;
        break;
    }
    return hi > lo ? ((1u << hi) - 1) & ~((1u << lo) - 1) : 0;
}

static unsigned int pick_len(struct iso_workload *w,
                             const struct gpu_cmd_desc *d)
{
    unsigned int lo = d->len_min, hi = d->len_max, tries, l;

    if ( !d->len_bits )
        return d->len_min;
    if ( hi > WL_MAX_CMD_DWS / 2 )
        hi = lo + 24 > WL_MAX_CMD_DWS / 2 ? lo + 8 : WL_MAX_CMD_DWS / 2;
    for ( tries = 0; tries < 16; tries++ )
    {
        l = lo + below(w, hi - lo + 1);
        if ( !d->len_set || (l < 32 && (d->len_set >> l) & 1) )
            return l;
    }
    return d->len_min;
}

static uint32_t len_field(const struct gpu_cmd_desc *d, unsigned int len)
{
    if ( !d->len_bits )
        return 0;
    return (len - d->len_bias) & ((1u << d->len_bits) - 1);
}

static void put_addr(const struct gpu_cmd_operand *o, uint32_t *dw,
                     unsigned int len, uint64_t addr)
{
    uint32_t lo = o->addr_lo_mask ? o->addr_lo_mask : 0xfffffffcu;

    if ( o->dw >= len )
        return;
    dw[o->dw] = (dw[o->dw] & ~lo) | ((uint32_t)addr & lo);
    if ( o->addr_dws == 2 && o->dw + 1u < len )
        dw[o->dw + 1] = (dw[o->dw + 1] & ~o->addr_hi_mask) |
                        ((uint32_t)(addr >> 32) & o->addr_hi_mask);
}

/* Address fields no rule checks: PPGTT addresses, mostly mapped. */
static void fill_mem_fields(struct iso_workload *w,
                            const struct gpu_cmd_desc *d, uint32_t *dw,
                            unsigned int len, unsigned int sp)
{
    unsigned int i, at, k;

    for ( i = 0; i < d->nr_mem; i++ )
    {
        const struct gpu_mem_field *f = &d->mem[i];

        for ( at = f->dw; at < len; at += f->stride ? f->stride : len )
        {
            uint64_t a = ppgtt_addr(w, sp);

            a |= pct(w, 50) ? 1 : 0;

            for ( k = 0; k < f->dws && at + k < len; k++ )
                dw[at + k] = k ? (uint32_t)(a >> 32) : (uint32_t)a;
        }
    }
}

/*
 * One command of descriptor d, well formed for batch b: legal length,
 * operands the auditor accepts.  Returns its length, 0 if it did not fit
 * or a deny pattern stayed.
 */
static unsigned int spec_cmd(struct iso_workload *w,
                             const struct wl_batch *b,
                             const struct gpu_cmd_desc *d, uint32_t *dw,
                             unsigned int room)
{
    unsigned int len = pick_len(w, d), i, k;
    uint64_t claimed = 0;

    /* An LRI's pairs fill the command. */
    for ( i = 0; i < d->nr_operands; i++ )
        if ( d->operands[i].kind == GPU_OPND_LRI &&
             ((len - d->operands[i].dw) & 1) )
            len += len > d->len_min ? -1 : 1;
    if ( len > room || len > WL_MAX_CMD_DWS )
        return 0;
    dw[0] = cmd_header(d) | len_field(d, len);
    if ( pct(w, 25) )
        dw[0] |= rnd32(w) & flag_bits(d);
    for ( i = 1; i < len; i++ )
        dw[i] = pct(w, 50) ? 0 : rnd32(w);
    fill_mem_fields(w, d, dw, len, b->sp);

    for ( i = 0; i < d->nr_operands; i++ )
    {
        const struct gpu_cmd_operand *o = &d->operands[i];
        const struct gpu_reg_desc *r;

        if ( o->dw >= len )
            continue;
        if ( claimed & (1ull << o->dw) )
        {
            /* A status-page index in place of that operand, at times past
               the page. */
            if ( o->kind == GPU_OPND_INDEX && pct(w, 20) )
            {
                for ( k = 0; k < o->nr_conds; k++ )
                    cond_force(&o->conds[k], dw, len, true);
                put_addr(o, dw, len, pct(w, 80) ? rnd32(w) % GPU_STATUS_PAGE_BYTES
                                                : rnd32(w));
                continue;
            }
            /* Another operand's dword: this one must be absent. */
            if ( !o->nr_conds )
                return 0;
            cond_force(&o->conds[0], dw, len, false);
            continue;
        }
        claimed |= 1ull << o->dw;
        switch ( o->kind )
        {
        case GPU_OPND_ADDR:
        {
            bool ggtt = o->ggtt.mask && b->cls != GPU_CLASS_PPGTT &&
                        !o->ggtt_reject && pct(w, 50);

            put_addr(o, dw, len, ggtt ? ggtt_addr_valid(w, b->v)
                                      : ppgtt_addr(w, b->sp));
            cond_force(&o->ggtt, dw, len, ggtt);
            break;
        }
        case GPU_OPND_REG:
            r = reg_pick(w, b->engine, o->access, b->cls, true);
            if ( !r )
                return 0;
            dw[o->dw] = r->offset;
            break;
        case GPU_OPND_LRI:
            for ( k = o->dw; k + 1 < len; k += 2 )
            {
                r = reg_pick(w, b->engine, GPU_ACC_WRITE, b->cls, false);
                if ( !r )
                    return 0;
                dw[k] = r->offset;
                dw[k + 1] = lri_value(w, r, b->cls);
            }
            break;
        default:
            return 0;
        }
    }
    for ( i = 0; i < d->nr_deny; i++ )
        if ( cond_holds(&d->deny[i].cond, dw, len) )
            return 0;
    return len;
}

static const struct gpu_cmd_desc *pick_desc(struct iso_workload *w,
                                            unsigned int engine,
                                            unsigned int cls)
{
    unsigned int nm = w->nr_mi[engine][cls], no = w->nr_other[engine][cls];

    if ( nm && (!no || pct(w, 55)) )
        return &w->spec->cmds[w->mi[engine][cls][below(w, nm)]];
    if ( no )
        return &w->spec->cmds[w->other[engine][cls][below(w, no)]];
    return NULL;
}

static unsigned int valid_cmd(struct iso_workload *w, const struct wl_batch *b,
                              uint32_t *dw, unsigned int room)
{
    unsigned int tries, len;

    for ( tries = 0; tries < 8; tries++ )
    {
        const struct gpu_cmd_desc *d = pick_desc(w, b->engine, b->cls);

        if ( !d )
            break;
        len = spec_cmd(w, b, d, dw, room);
        if ( len )
            return len;
    }
    if ( !room )
        return 0;
    dw[0] = MI_NOOP_DW;
    return 1;
}

static unsigned int emit_bbs(uint32_t *dw, uint64_t addr, bool ppgtt,
                             bool second)
{
    dw[0] = MI_BBS_DW | (ppgtt ? MI_BBS_PPGTT : 0) |
            (second ? MI_BBS_SECOND : 0);
    dw[1] = (uint32_t)addr;
    dw[2] = addr >> 32;
    return 3;
}

/* An LRI of the PDP registers: the context's space, as i915 emits it. */
static unsigned int emit_pdp_load(uint32_t *dw, uint32_t base,
                                  const uint64_t root[4], unsigned int level)
{
    unsigned int n = level == GTT_ROOT_L4 ? 1 : 4, i, at = 1;

    dw[0] = MI_LRI_DW | (4 * n - 1);
    for ( i = n; i-- > 0; )
    {
        dw[at++] = base + PDP_REG + 8 * i + 4;
        dw[at++] = root[i] >> 32;
        dw[at++] = base + PDP_REG + 8 * i;
        dw[at++] = (uint32_t)root[i];
    }
    return at;
}

/* A command that should not pass, of one hostile kind or another. */
static unsigned int hostile_cmd(struct iso_workload *w,
                                const struct wl_batch *b, uint32_t *dw,
                                unsigned int room)
{
    const struct gpu_cmd_desc *d;
    unsigned int len, i, sp, level, kind = below(w, 9);
    uint64_t root[4];

    if ( room < 20 )
        return valid_cmd(w, b, dw, room);
    switch ( kind )
    {
    case 0: /* near-valid length */
        d = pick_desc(w, b->engine, b->cls);
        if ( !d || !(len = spec_cmd(w, b, d, dw, room)) )
            break;
        if ( d->len_bits )
        {
            unsigned int bad[4] = { d->len_min - 1, d->len_max + 1,
                                    below(w, 300), len + 1 };
            unsigned int l = bad[below(w, 4)];

            dw[0] = (dw[0] & ~((1u << d->len_bits) - 1)) |
                    ((l - d->len_bias) & ((1u << d->len_bits) - 1));
        }
        else if ( len > 1 && pct(w, 50) )
            len--;                                   /* one dword short */
        return len;
    case 1: /* an address operand pointed at somebody else */
        for ( i = 0; i < 6; i++ )
        {
            unsigned int k;

            d = pick_desc(w, b->engine, b->cls);
            if ( !d || !(len = spec_cmd(w, b, d, dw, room)) )
                continue;
            for ( k = 0; k < d->nr_operands; k++ )
            {
                const struct gpu_cmd_operand *o = &d->operands[k];

                if ( o->kind != GPU_OPND_ADDR || o->dw >= len )
                    continue;
                put_addr(o, dw, len, ggtt_addr_hostile(w, b->v));
                cond_force(&o->ggtt, dw, len, true);
                /* A store's core mode: written one size further too. */
                cond_force(&o->dup, dw, len, pct(w, 50));
                return len;
            }
        }
        break;
    case 2: /* a register that is not whitelisted (or not for this class) */
    {
        uint32_t reg = reg_hostile(w, b->engine);

        switch ( below(w, 4) )
        {
        case 0: /* LRI */
            dw[0] = MI_LRI_DW | 1;
            dw[1] = reg;
            dw[2] = rnd32(w);
            return 3;
        case 1: /* SRM */
            dw[0] = (0x24u << 23) | 2;
            dw[1] = reg;
            dw[2] = (uint32_t)ppgtt_addr(w, b->sp);
            dw[3] = 0;
            return 4;
        case 2: /* LRM */
            dw[0] = (0x29u << 23) | 2;
            dw[1] = reg;
            dw[2] = (uint32_t)ppgtt_addr(w, b->sp);
            dw[3] = 0;
            return 4;
        default: /* LRR */
            dw[0] = (0x2au << 23) | 1;
            dw[1] = pct(w, 50) ? reg : w->spec->engines[b->engine].mmio_base +
                                       0x600;
            dw[2] = pct(w, 50) ? reg : w->spec->engines[b->engine].mmio_base +
                                       0x604;
            return 3;
        }
    }
    case 3: /* masked register with bits it may not change */
        for ( i = 0; i < 16 && w->nr_regs[b->engine]; i++ )
        {
            const struct gpu_reg_desc *r =
                reg_at(w, b->engine, below(w, w->nr_regs[b->engine]));

            if ( !(r->flags & GPU_RF_MASKED) )
                continue;
            dw[0] = MI_LRI_DW | 1;
            dw[1] = r->offset;
            dw[2] = rnd32(w);
            dw[2] |= pct(w, 50) ? 0xffff0000u : 0;
            return 3;
        }
        break;
    case 4: /* any command of the engine, whatever its policy here */
        d = &w->spec->cmds[below(w, w->spec->nr_cmds)];
        if ( d->flags & (GPU_CF_END | GPU_CF_JUMP) )
            break;
        len = spec_cmd(w, b, d, dw, room);
        return len ? len : valid_cmd(w, b, dw, room);
    case 5: /* random header */
        len = 1 + below(w, 4);
        for ( i = 0; i < len; i++ )
            dw[i] = rnd32(w);
        return len;
    case 6:
        /*
         * PDP load: another space (whose level may not be the context's),
         * a level its roots do not have, a hostile root, one register
         * only, or from a PPGTT batch.
         */
        sp = pct(w, 50) ? b->sp : below(w, WL_SPACES);
        space_roots(sp, root);
        if ( pct(w, 30) )
            root[0] = WL_GPA(hostile_gfn(w));
        level = space_level(sp);
        if ( pct(w, 30) )
            level = level == GTT_ROOT_L4 ? GTT_ROOT_L3 : GTT_ROOT_L4;
        len = emit_pdp_load(dw, w->spec->engines[b->engine].mmio_base, root,
                            level);
        if ( pct(w, 30) )
        {
            dw[0] = MI_LRI_DW | 1;       /* one register only */
            len = 3;
        }
        return len;
    case 7: /* a jump somewhere it should not go */
    {
        uint64_t t;
        bool ppgtt, second;

        switch ( below(w, 5) )
        {
        case 0:
            t = b->gaddr + 4 * (1 + 2 * below(w, 8));   /* mid-command? */
            break;
        case 1:
            t = b->gaddr;                            /* loop */
            break;
        case 2:
            t = ggtt_addr_hostile(w, b->v);
            break;
        case 3:
            t = ppgtt_addr(w, b->sp);
            break;
        default:
            t = iso_ap_base(b->v) + 4096 * below(w, WL_GBATCH_FIRST);
            break;                                   /* a ring page */
        }
        ppgtt = pct(w, 50) ? b->space == GPU_SPACE_PPGTT : pct(w, 50);
        second = pct(w, 30);
        len = emit_bbs(dw, t, ppgtt, second);
        if ( pct(w, 20) )       /* predication, indirect, privilege bits */
            dw[0] |= rnd32(w) & 0x3ffe00u;
        return len;
    }
    default: /* MI_BATCH_BUFFER_END inside a ring, or a stray end */
        dw[0] = MI_BBE_DW;
        return 1;
    }
    return valid_cmd(w, b, dw, room);
}

/* Batches --------------------------------------------------------------- */

static void buf_init(struct wl_buf *bf, unsigned int max_dw)
{
    bf->nr_dw = bf->nr_cmds = 0;
    bf->max_dw = max_dw < WL_BUF_DWS ? max_dw : WL_BUF_DWS;
}

static unsigned int buf_room(const struct wl_buf *bf)
{
    return bf->max_dw - bf->nr_dw;
}

static void buf_add(struct wl_buf *bf, unsigned int len)
{
    if ( !len )
        return;
    bf->len[bf->nr_cmds++] = len;
    bf->nr_dw += len;
}

/* A page for a batch not yet used by this submission: its graphics
 * address and guest frame. */
static bool take_page(struct iso_workload *w, const struct wl_batch *b,
                      uint64_t *gaddr, unsigned long *gfn)
{
    unsigned int tries, j;

    for ( tries = 0; tries < 8; tries++ )
    {
        j = below(w, WL_PTES);
        if ( w->used_pages & (1ull << j) )
            continue;
        w->used_pages |= 1ull << j;
        if ( b->space == GPU_SPACE_PPGTT )
        {
            *gaddr = 4096ull * j;
            if ( space_level(b->sp) == GTT_ROOT_L3 && pct(w, 30) )
                *gaddr += 1ull << 30;
            *gfn = ppgtt_gfn(b->sp, j);
        }
        else
        {
            *gaddr = iso_ap_base(b->v) + 4096ull * (WL_GBATCH_FIRST + j);
            *gfn = WL_GBATCH_FIRST + j;
        }
        return true;
    }
    return false;
}

static void gen_batch(struct iso_workload *w, struct iso_episode *e,
                      const struct wl_batch *b, unsigned long gfn);

/* A jump to a new batch of the same space; false if none was made. */
static bool jump_to_new(struct iso_workload *w, struct iso_episode *e,
                        const struct wl_batch *b, struct wl_buf *bf,
                        unsigned int level)
{
    struct wl_batch nb = *b;
    unsigned long gfn;

    if ( buf_room(bf) < 3 || !w->depth_budget ||
         !take_page(w, b, &nb.gaddr, &gfn) )
        return false;
    w->depth_budget--;
    if ( pct(w, 40) )
        nb.gaddr += 8 * below(w, 64);
    nb.level = level;
    nb.cls = b->space == GPU_SPACE_PPGTT ? GPU_CLASS_PPGTT : GPU_CLASS_GGTT;
    buf_add(bf, emit_bbs(&bf->dw[bf->nr_dw], nb.gaddr,
                         b->space == GPU_SPACE_PPGTT,
                         level == 2 && b->level == 1));
    gen_batch(w, e, &nb, gfn);
    return true;
}

static void gen_batch(struct iso_workload *w, struct iso_episode *e,
                      const struct wl_batch *b, unsigned long gfn)
{
    struct wl_buf bf;
    unsigned int off = b->gaddr & 0xfff, n = 1 + below(w, 40), i;
    bool hostile = w->hostile_pct != 0;

    buf_init(&bf, (4096 - off) / 4);
    for ( i = 0; i < n && buf_room(&bf) > 8; i++ )
    {
        uint32_t *dw = &bf.dw[bf.nr_dw];
        unsigned int room = buf_room(&bf) - 4;

        buf_add(&bf, hostile && pct(w, w->hostile_pct)
                     ? hostile_cmd(w, b, dw, room)
                     : valid_cmd(w, b, dw, room));
        if ( b->level == 1 && pct(w, 4) )
            jump_to_new(w, e, b, &bf, 2);    /* second level, returns */
    }
    if ( b->level == 1 && pct(w, 10) && jump_to_new(w, e, b, &bf, 1) )
        ;                                    /* chained: no end here */
    else if ( !(hostile && pct(w, 8)) && buf_room(&bf) )
    {
        bf.dw[bf.nr_dw] = MI_BBE_DW;
        buf_add(&bf, 1);
    }
    op_cmds(e, b->v, WL_GPA(gfn) + off, &bf);
}

/* Submissions ----------------------------------------------------------- */

static const unsigned int engines[] = {
    XEN_GPU_ENGINE_RCS, XEN_GPU_ENGINE_BCS, XEN_GPU_ENGINE_VCS,
    XEN_GPU_ENGINE_VCS2, XEN_GPU_ENGINE_VECS,
};

static void audit_op(struct iso_episode *e, unsigned int v, unsigned int slot,
                     unsigned int engine, unsigned int sp, struct iso_op *op)
{
    op->kind = ISO_OP_AUDIT;
    op->v = v;
    op->slot = slot;
    op->engine = engine;
    op->level = space_level(sp);
    space_roots(sp, op->root);
    iso_episode_add(e, op);
}

/* Ring bytes written at head, wrapping to the start of the ring page. */
static void write_ring(struct iso_episode *e, unsigned int v,
                       unsigned long gfn, unsigned int head,
                       const struct wl_buf *bf)
{
    unsigned int fit = (4096 - head) / 4;
    struct wl_buf part;

    if ( bf->nr_dw <= fit )
    {
        op_cmds(e, v, WL_GPA(gfn) + head, bf);
        return;
    }
    /* Split the dwords at the wrap: one "command" per piece. */
    memcpy(part.dw, bf->dw, 4 * fit);
    part.nr_dw = fit;
    part.nr_cmds = 1;
    part.len[0] = fit;
    op_cmds(e, v, WL_GPA(gfn) + head, &part);
    memcpy(part.dw, bf->dw + fit, 4 * (bf->nr_dw - fit));
    part.nr_dw = bf->nr_dw - fit;
    part.len[0] = part.nr_dw;
    op_cmds(e, v, WL_GPA(gfn), &part);
}

static void submit(struct iso_workload *w, struct iso_episode *e,
                   unsigned int v, unsigned int slot)
{
    unsigned int engine = engines[below(w, ARRAY_LEN(engines))];
    unsigned int sp = below(w, WL_SPACES), form = below(w, 100);
    struct wl_batch b;
    struct iso_op op;
    unsigned long gfn;

    w->hostile_pct = pct(w, 30) ? 4 + below(w, 12) : 0;
    w->used_pages = 0;
    w->depth_budget = 6;
    memset(&b, 0, sizeof(b));
    b.v = v;
    b.engine = engine;
    b.sp = sp;
    memset(&op, 0, sizeof(op));

    if ( form < 45 )
    {
        /* i915's ring: PDP load, then the batch of the context. */
        struct wl_buf bf;
        unsigned int r = below(w, WL_RING_PAGES), head, i, n, load;
        uint64_t root[4];
        uint32_t base = w->spec->engines[engine].mmio_base;

        head = pct(w, 15) ? 4096 - 8 * (1 + below(w, 8)) : 8 * below(w, 256);
        buf_init(&bf, 256);
        b.cls = GPU_CLASS_RING;
        b.space = GPU_SPACE_GGTT;
        b.level = 0;
        b.gaddr = iso_ap_base(v) + 4096ull * r + head;
        /* A hostile guest may load another space, of another level. */
        load = w->hostile_pct && pct(w, 20) ? below(w, WL_SPACES) : sp;
        space_roots(load, root);
        if ( pct(w, 75) )
            buf_add(&bf, emit_pdp_load(bf.dw, base, root,
                                       space_level(load)));
        for ( n = below(w, 4), i = 0; i < n; i++ )
            buf_add(&bf, w->hostile_pct && pct(w, w->hostile_pct)
                         ? hostile_cmd(w, &b, &bf.dw[bf.nr_dw],
                                       buf_room(&bf) - 8)
                         : valid_cmd(w, &b, &bf.dw[bf.nr_dw],
                                     buf_room(&bf) - 8));
        for ( n = 1 + (pct(w, 20) ? 1 : 0), i = 0; i < n; i++ )
        {
            struct wl_batch nb = b;

            nb.space = pct(w, 70) ? GPU_SPACE_PPGTT : GPU_SPACE_GGTT;
            nb.level = 1;
            if ( !take_page(w, &nb, &nb.gaddr, &gfn) )
                break;
            nb.cls = nb.space == GPU_SPACE_PPGTT ? GPU_CLASS_PPGTT
                                                 : GPU_CLASS_GGTT;
            buf_add(&bf, emit_bbs(&bf.dw[bf.nr_dw], nb.gaddr,
                                  nb.space == GPU_SPACE_PPGTT, false));
            gen_batch(w, e, &nb, gfn);
        }
        if ( pct(w, 30) )
            buf_add(&bf, valid_cmd(w, &b, &bf.dw[bf.nr_dw],
                                   buf_room(&bf) - 2));
        if ( bf.nr_dw & 1 )
        {
            bf.dw[bf.nr_dw] = MI_NOOP_DW;
            buf_add(&bf, 1);
        }
        write_ring(e, v, r, head, &bf);
        op.form = ISO_FORM_RING;
        op.addr = iso_ap_base(v) + 4096ull * r;
        op.ring_size = 4096;
        op.head = head;
        op.tail = (head + 4 * bf.nr_dw) % 4096;
        if ( w->hostile_pct && pct(w, 10) )
            op.tail = rnd32(w) % 4096;
        if ( w->hostile_pct && pct(w, 10) )
        {
            /* Ring registers a hostile guest would program. */
            switch ( below(w, 4) )
            {
            case 0:
                op.addr = ggtt_addr_hostile(w, v) & ~0xfffull;
                break;
            case 1:
                op.ring_size = 4096 * (1 + below(w, 4));  /* next rings */
                break;
            case 2:
                op.ring_size = 4096 + 8 * below(w, 512);  /* not pages */
                break;
            default:
                op.head = rnd32(w) % 8192;
                break;
            }
        }
    }
    else
    {
        b.space = form < 80 ? GPU_SPACE_PPGTT : GPU_SPACE_GGTT;
        b.cls = b.space == GPU_SPACE_PPGTT ? GPU_CLASS_PPGTT
                                           : GPU_CLASS_GGTT;
        b.level = 1;
        if ( !take_page(w, &b, &b.gaddr, &gfn) )
            return;
        if ( pct(w, 30) )
            b.gaddr += 8 * below(w, 64);
        gen_batch(w, e, &b, gfn);
        op.form = ISO_FORM_BATCH;
        op.space = b.space;
        op.addr = b.gaddr;
        if ( w->hostile_pct && pct(w, 10) )
            op.addr = b.space == GPU_SPACE_PPGTT ? ppgtt_addr(w, sp)
                                                 : ggtt_addr_hostile(w, v);
    }
    op.hostile = w->hostile_pct != 0;
    if ( w->hostile_pct && pct(w, 10) )
    {
        /*
         * The reader fails, at any read: with the smallest values (those a
         * careless outcome code collides with), any value errno.h defines,
         * or anything in the -errno range.
         */
        static const unsigned int ranges[] = { 4, 133, 133, 4095 };

        op.fail_at = below(w, 12);
        op.fail_err = 1 + below(w, ranges[below(w, 4)]);
    }
    audit_op(e, v, slot, engine, sp, &op);
    if ( w->hostile_pct && pct(w, 10) )
    {
        /* The same submission on a hostile context root. */
        struct iso_op *last = &e->ops[e->nr - 1];
        unsigned int i = below(w, last->level == GTT_ROOT_L3 ? 4 : 1);

        last->root[i] = WL_GPA(hostile_gfn(w));
        last->root[i] += pct(w, 20) ? 8 : 0;
    }
}

static void exec_op(struct iso_workload *w, struct iso_episode *e,
                    unsigned int v, unsigned int slot)
{
    struct iso_op op;

    memset(&op, 0, sizeof(op));
    op.kind = ISO_OP_EXEC;
    op.v = v;
    op.slot = slot;
    iso_episode_add(e, &op);
    w->vg[v].pending[slot] = false;
}

/* Guest actions between submissions --------------------------------------- */

static void hostile_ggtt(struct iso_workload *w, struct iso_episode *e,
                         unsigned int v)
{
    unsigned int n = (v + 1) % w->nr;
    uint64_t index, val;

    switch ( below(w, 8) )
    {
    case 0:
        index = ap_index(v, 0) - 1;
        break;
    case 1:
        index = ap_index(v, ISO_AP_SIZE >> 12);       /* next one's first */
        break;
    case 2:
        index = hid_index(v, ISO_HID_SIZE >> 12);
        break;
    case 3:
        index = hid_index(n, below(w, WL_GDATA_PAGES));
        break;
    case 4:
        index = below(w, ISO_GGTT_ENTRIES + 16);
        break;
    case 5:
        index = rnd32(w);
        break;
    default:
        index = pct(w, 50) ? ap_index(v, below(w, WL_GBATCH_FIRST +
                                               WL_GBATCH_PAGES))
                           : hid_index(v, below(w, WL_GDATA_PAGES));
        break;
    }
    switch ( below(w, 5) )
    {
    case 0:
        val = 0;                                      /* not present */
        break;
    case 1:
        val = rnd64(w);
        break;
    case 2:
        val = ggtt_pte(w, below(w, ISO_RAM_GFNS));       /* own, remapped */
        break;
    default:
        val = ggtt_pte(w, hostile_gfn(w));
        break;
    }
    ggtt_write(w, e, v, index, val, true);
}

static void repair_ggtt(struct iso_workload *w, struct iso_episode *e,
                        unsigned int v)
{
    unsigned int i;

    if ( pct(w, 50) )
    {
        i = below(w, WL_GBATCH_FIRST + WL_GBATCH_PAGES);
        ggtt_write(w, e, v, ap_index(v, i), ggtt_pte(w, i), false);
    }
    else
    {
        i = below(w, WL_GDATA_PAGES);
        ggtt_write(w, e, v, hid_index(v, i), ggtt_pte(w, WL_GDATA_GFN + i),
                   false);
    }
}

static void pte_write(struct iso_workload *w, struct iso_episode *e,
                      unsigned int v)
{
    unsigned int sp = below(w, WL_SPACES), j = below(w, WL_PTES);
    unsigned long t = table_gfn(sp) + below(w, 5);
    uint64_t val;

    if ( pct(w, 45) )
    {
        /* Put an entry back the way the guest means it. */
        if ( pct(w, 80) )
            store_entry(w, e, v, WL_GPA(leaf_gfn(sp)) + 8 * j,
                        WL_PTE(ppgtt_gfn(sp, j)), false);
        else
            space_links(w, e, v, sp);
        return;
    }
    if ( pct(w, 12) )
    {
        /* A burst on one leaf table: it may go out of sync. */
        unsigned int n = 3 + below(w, 8);

        while ( n-- )
        {
            j = below(w, WL_PTES);
            val = pct(w, 70) ? WL_PTE(ppgtt_gfn(sp, below(w, WL_PTES)))
                             : WL_PTE(hostile_gfn(w));
            store_entry(w, e, v, WL_GPA(leaf_gfn(sp)) + 8 * j, val, true);
        }
        return;
    }
    switch ( below(w, 10) )
    {
    case 0:
        val = 0;
        break;
    case 1:
        val = WL_PTE(hostile_gfn(w)) | WL_PTE_PS;     /* huge */
        if ( pct(w, 90) )
            t = pd_gfn(sp);        /* 2M: a 1G entry is rare (see 5) */
        break;
    case 2:
        val = rnd64(w);
        break;
    case 3:
        val = WL_PTE(0) | WL_PTE_PS;                  /* 2M of own RAM */
        t = pd_gfn(sp);
        break;
    case 4:
        /* A PD entry whose table holds 64K entries (IPS): a data page. */
        t = pd_gfn(sp);
        j = 1 + below(w, 3);
        val = WL_PTE(ppgtt_gfn(sp, below(w, WL_PTES))) | WL_PTE_IPS;
        break;
    case 5:
        /*
         * 1G of own RAM from a PDP entry (4-level spaces): rarer, every
         * one costs the engine 2^18 frame validations.
         */
        if ( !pct(w, 25) )
        {
            val = WL_PTE(hostile_gfn(w));
            break;
        }
        t = table_gfn(sp) + (space_level(sp) == GTT_ROOT_L4 ? 1 : 0);
        j = below(w, 4);
        val = WL_PTE(0) | WL_PTE_PS;
        break;
    case 6:
        /* Another space's leaf table shared into this one. */
        t = pd_gfn(sp);
        j = below(w, 4);
        val = WL_PTE(leaf_gfn(below(w, WL_SPACES)));
        break;
    default:
        val = WL_PTE(hostile_gfn(w));
        break;
    }
    if ( val && !(val & (WL_PTE_PS | WL_PTE_IPS)) && pct(w, 50) )
        t = leaf_gfn(sp);
    store_entry(w, e, v, WL_GPA(t) + 8 * (pct(w, 70) ? j : below(w, 512)), val,
                true);
}

static void rewrite_batch(struct iso_workload *w, struct iso_episode *e,
                          unsigned int v)
{
    struct wl_batch b;
    unsigned long gfn;

    memset(&b, 0, sizeof(b));
    b.v = v;
    b.engine = engines[below(w, ARRAY_LEN(engines))];
    b.sp = below(w, WL_SPACES);
    b.space = pct(w, 60) ? GPU_SPACE_PPGTT : GPU_SPACE_GGTT;
    b.cls = b.space == GPU_SPACE_PPGTT ? GPU_CLASS_PPGTT : GPU_CLASS_GGTT;
    b.level = 1;
    w->used_pages = 0;
    w->depth_budget = 0;
    w->hostile_pct = 40;
    if ( take_page(w, &b, &b.gaddr, &gfn) )
        gen_batch(w, e, &b, gfn);
}

static void pvinfo_op(struct iso_workload *w, struct iso_episode *e,
                      unsigned int v)
{
    static const uint32_t offs[] = {
        PVINFO_MAGIC, PVINFO_VERSION, PVINFO_VGT_CAPS, PVINFO_AP_BASE,
        PVINFO_DISPLAY_READY, PVINFO_RSV5, PVINFO_CURSOR_X_HOT,
        PVINFO_EXECLIST_DESC, PVINFO_G2V_NOTIFY, PVINFO_PDP + 4,
    };
    unsigned int r = below(w, 100);

    if ( r < 40 )
        space_announce(w, e, v, below(w, WL_SPACES), true);
    else if ( r < 65 )
        space_announce(w, e, v, below(w, WL_SPACES), false);
    else if ( r < 80 )
    {
        /* A root of a hostile kind announced. */
        op_simple(e, ISO_OP_PVINFO, v, PVINFO_PDP, 4,
                  (uint32_t)WL_GPA(hostile_gfn(w)));
        op_simple(e, ISO_OP_PVINFO, v, PVINFO_PDP + 4, 4, 0);
        op_simple(e, ISO_OP_PVINFO, v, PVINFO_G2V_NOTIFY, 4,
                  pct(w, 50) ? PVINFO_G2V_PPGTT_L4_CREATE
                             : PVINFO_G2V_PPGTT_L3_CREATE);
    }
    else
    {
        unsigned int off = pct(w, 70) ? offs[below(w, ARRAY_LEN(offs))]
                                      : 4 * below(w, 0x1000 / 4 + 4);
        unsigned int size = pct(w, 80) ? 4 : 8;

        op_simple(e, ISO_OP_PVINFO, v, off, size, rnd32(w) % 16);
    }
}

void iso_workload_set_balloon(struct iso_workload *w, bool on)
{
    w->balloon = on;
}

/* A gfn leaves the physmap or comes back: tables, batches, data alike. */
static void physmap_op(struct iso_workload *w, struct iso_episode *e,
                       unsigned int v)
{
    unsigned long gfn = below(w, ISO_RAM_GFNS);
    unsigned int kind = below(w, ISO_P2M_NR);

    if ( pct(w, 60) )
        gfn = WL_TABLES_GFN + below(w, WL_PPGTT_GFN + WL_PTES * WL_SPACES -
                                       WL_TABLES_GFN);
    op_simple(e, ISO_OP_P2M, v, gfn, 0, kind);
    if ( kind == ISO_P2M_OUT && pct(w, 70) )
        op_simple(e, ISO_OP_P2M, v, gfn, 0,
                  pct(w, 50) ? ISO_P2M_BACK : ISO_P2M_NEW);
}

unsigned int iso_workload_step(struct iso_workload *w, struct iso_episode *e)
{
    unsigned int v = below(w, w->nr), slot = below(w, ISO_SLOTS), r = below(w, 100);
    unsigned int nr0 = e->nr, i;

    if ( w->balloon && pct(w, 3) )
        physmap_op(w, e, v);
    else if ( r < 50 )
    {
        if ( w->vg[v].pending[slot] && pct(w, 90) )
            exec_op(w, e, v, slot);
        submit(w, e, v, slot);
        w->vg[v].pending[slot] = true;
        if ( pct(w, 70) )
            exec_op(w, e, v, slot);
    }
    else if ( r < 58 )
    {
        for ( i = 0; i < ISO_SLOTS; i++ )
            if ( w->vg[v].pending[i] )
                exec_op(w, e, v, i);
    }
    else if ( r < 68 )
        hostile_ggtt(w, e, v);
    else if ( r < 73 )
        repair_ggtt(w, e, v);
    else if ( r < 85 )
        pte_write(w, e, v);
    else if ( r < 91 )
        rewrite_batch(w, e, v);
    else if ( r < 94 )
    {
        uint64_t gpa = WL_GPA(WL_PPGTT_GFN) +
                       page_qword(w, ISO_RAM_GFNS - WL_PPGTT_GFN, 512);

        op_store(e, v, gpa, 8, rnd32(w));
    }
    else if ( r < 99 )
        pvinfo_op(w, e, v);
    else
    {
        struct iso_op op;

        memset(&op, 0, sizeof(op));
        op.kind = ISO_OP_RESET;
        op.v = v;
        iso_episode_add(e, &op);
        memset(w->vg[v].pending, 0, sizeof(w->vg[v].pending));
        setup_vgpu(w, e, v);
    }
    return e->nr - nr0;
}

void iso_workload_finish(struct iso_workload *w, struct iso_episode *e)
{
    unsigned int v, i;

    for ( v = 0; v < w->nr; v++ )
        for ( i = 0; i < ISO_SLOTS; i++ )
            if ( w->vg[v].pending[i] )
                exec_op(w, e, v, i);
}

/* Tables of what to draw from -------------------------------------------- */

static void index_spec(struct iso_workload *w)
{
    const struct gpu_gen_spec *s = w->spec;
    unsigned int e, c, i;

    for ( e = 0; e < XEN_GPU_ENGINE_NR; e++ )
    {
        w->regs[e] = calloc(s->nr_regs + 1, sizeof(uint16_t));
        for ( i = 0; i < s->nr_regs; i++ )
            if ( s->regs[i].engines & (1u << e) )
                w->regs[e][w->nr_regs[e]++] = i;
        for ( c = 0; c < GPU_CLASS_NR; c++ )
        {
            w->mi[e][c] = calloc(s->nr_cmds + 1, sizeof(uint16_t));
            w->other[e][c] = calloc(s->nr_cmds + 1, sizeof(uint16_t));
            for ( i = 0; i < s->nr_cmds; i++ )
            {
                const struct gpu_cmd_desc *d = &s->cmds[i];

                if ( !(d->engines & (1u << e)) ||
                     !(s->engines[e].types & (1u << d->type)) ||
                     d->policy[c] == GPU_ACT_REJECT ||
                     (d->flags & (GPU_CF_END | GPU_CF_JUMP)) )
                    continue;
                if ( d->type == GPU_CMD_TYPE_MI )
                    w->mi[e][c][w->nr_mi[e][c]++] = i;
                else
                    w->other[e][c][w->nr_other[e][c]++] = i;
            }
        }
    }
}

struct iso_workload *iso_workload_create(unsigned int gen,
                                         unsigned int nr_vgpus,
                                         uint64_t seed)
{
    struct iso_workload *w = calloc(1, sizeof(*w));

    if ( !w )
        return NULL;
    w->gen = gen;
    w->nr = nr_vgpus;
    w->spec = gpu_audit_spec_for_gen(gen);
    iso_rng_seed(&w->r, seed);
    index_spec(w);
    return w;
}

/* The boot of every guest: the first operations of an episode. */
void iso_workload_boot(struct iso_workload *w, struct iso_episode *e)
{
    unsigned int v;

    for ( v = 0; v < w->nr; v++ )
        setup_vgpu(w, e, v);
}

void iso_workload_destroy(struct iso_workload *w)
{
    unsigned int e, c;

    if ( !w )
        return;
    for ( e = 0; e < XEN_GPU_ENGINE_NR; e++ )
    {
        free(w->regs[e]);
        for ( c = 0; c < GPU_CLASS_NR; c++ )
        {
            free(w->mi[e][c]);
            free(w->other[e][c]);
        }
    }
    free(w);
}
