/* SPDX-License-Identifier: GPL-2.0-only */
/* Isolation checker: the simulated host (machine.h). */
#include <stdlib.h>

#include "machine.h"
#include "model.h"
#include "platform.h"
#include <asm/hvm/gtt.h>
#include "vgpu.h"

#define ISO_BYSTANDER_ID   100
#define ISO_BYSTANDER_GFNS 16
#define ISO_MAX_EXEC_CMDS  4096        /* a looping batch stops there */

struct iso_vgpu;

/* A submission between its audit and its execution. */
struct iso_slot {
    struct iso_vgpu *vg;
    struct gpu_audit_sub *sub;
    bool ctx_pinned;                   /* context roots pinned */
    bool ok;                           /* accepted, PDP loads applied */
    unsigned int engine;
    unsigned int level;
    uint64_t root[4];                  /* the context's guest roots */
    uint64_t shadow[4];                /* and their shadows */
    struct gtt_submit_pins pins;
    /* The audit's reader: reads made, failing from fail_at on (fail_err). */
    unsigned long reads, fail_at, failed;
    int fail_err;
    /* Reads of the current gpu_audit_run() call; past budget, none. */
    unsigned long call_reads, budget;
    bool over;
};

struct iso_vgpu {
    struct iso_machine *m;
    unsigned int idx;
    struct domain *d;
    unsigned long base;                /* host frame of gfn 0 */
    unsigned long mfn[ISO_RAM_GFNS];   /* frame behind each RAM gfn, 0: none */
    struct gtt_vgpu *gv;
    struct gpu_audit_vgpu av;
    bool av_live;
    /* The checker's record of the slices (not read from the engine). */
    struct gpu_audit_slice slices[2];
    struct iso_slot slot[ISO_SLOTS];
};

struct iso_machine {
    unsigned int gen, nr;
    const struct gpu_audit_table *table;
    struct gpu_check *chk;
    struct fake_gpu *gpu;
    struct gtt_hw hw;
    struct gtt_device dev;
    bool dev_live;
    struct domain *bystander;
    unsigned long by_base;
    struct iso_vgpu vg[ISO_MAX_VGPUS];
    long xm0, pages0;
    unsigned long put_violations;      /* fake_put_violations() seen */
    uint64_t execs;
};

const struct gpu_audit_table *iso_table(unsigned int gen)
{
    static struct gpu_audit_table tables[2];
    static bool made[2];
    unsigned int i = gen == 8 ? 0 : 1;

    if ( !made[i] )
    {
        if ( gpu_audit_table_init(&tables[i], gpu_audit_spec_for_gen(gen)) )
        {
            fprintf(stderr, "isolation: no tables for gen %u\n", gen);
            exit(2);
        }
        made[i] = true;
    }
    return &tables[i];
}

/* Guest memory as the GPU's translations show it to the auditor. */
static int iso_read(void *priv, unsigned int space, uint64_t addr, void *dst,
                    unsigned int len)
{
    struct iso_slot *s = priv;
    struct gtt_vgpu *gv = s->vg->gv;
    unsigned int done = 0;

    /* Past the call's budget the memory ends: any audit ends, no hang. */
    if ( ++s->call_reads > s->budget )
    {
        s->over = true;
        return 0;
    }
    if ( s->reads++ >= s->fail_at )
    {
        s->failed++;
        return -s->fail_err;
    }

    while ( done < len )
    {
        struct gtt_xlate x;
        uint64_t a = addr + done;
        unsigned int off = a & (PAGE_SIZE - 1);
        unsigned int n = PAGE_SIZE - off;
        const uint8_t *p;
        int rc;

        rc = space == GPU_SPACE_GGTT ? gtt_translate_ggtt(gv, a, &x)
                                     : gtt_translate_ppgtt(gv, s->root[0], a,
                                                           &x);
        if ( rc != GTT_OK || x.scratch )
            break;
        if ( n > len - done )
            n = len - done;
        p = map_domain_page(_mfn(x.mfn));
        memcpy((uint8_t *)dst + done, p + off, n);
        unmap_domain_page(p);
        done += n;
    }
    return done;
}

static const struct gpu_audit_mem_ops iso_mem_ops = { .read = iso_read };

/* Longest command of a generation, in bytes. */
static unsigned long max_cmd_bytes(const struct gpu_audit_table *t)
{
    unsigned long max = 0;
    unsigned int i;

    for ( i = 0; i < t->spec->nr_cmds; i++ )
        if ( 4ul * t->spec->cmds[i].len_max > max )
            max = 4ul * t->spec->cmds[i].len_max;
    return max;
}

/*
 * Reads one gpu_audit_run() call may make.  It scans at most the chunk and
 * the command it stops in.  A frame change spends at least a dword of the
 * chunk and a new frame a jump of the submission's max_chain, so it visits
 * at most 2 * min(chunk / 4, max_chain) + 2 frames, each adding at most a
 * partial page at either end of what it scans there.
 */
static unsigned long call_read_budget(const struct gpu_audit_vgpu *av)
{
    unsigned long chunk = av->limits.chunk_bytes;
    unsigned long jumps = chunk / 4 < av->limits.max_chain
                          ? chunk / 4 : av->limits.max_chain;

    return (chunk + max_cmd_bytes(av->table)) / PAGE_SIZE + 4 * (jumps + 2);
}

/*
 * Run an audit to its verdict, every call within its read budget, and a
 * failing reader's first failure its last read and the verdict's reason.
 */
static int run_audit(struct iso_vgpu *vg, struct iso_slot *s)
{
    const struct gpu_audit_verdict *v;
    int rc;

    s->budget = call_read_budget(&vg->av);
    s->over = false;
    do {
        s->call_reads = 0;
        rc = gpu_audit_run(s->sub);
    } while ( rc == -ERESTART );
    if ( s->over )
        gpu_check_fail(vg->m->chk, GPU_V_AUDIT_BUDGET,
                       "a gpu_audit_run() call read more than its budget of "
                       "%lu (vGPU %u)", s->budget, vg->idx);
    v = gpu_audit_get_verdict(s->sub);
    if ( s->failed && (s->failed > 1 || !v ||
                       v->reason != XEN_GPU_AUDIT_READ_FAULT) )
        gpu_check_fail(vg->m->chk, GPU_V_AUDIT_BUDGET,
                       "the reader failed %lu time(s) with -%d: verdict %s "
                       "(vGPU %u)", s->failed, s->fail_err,
                       v ? gpu_audit_reason_name(v->reason) : "none",
                       vg->idx);
    return rc;
}

/* A guest CPU store: trapped where the engine write-protects the frame. */
static int guest_store(struct iso_vgpu *vg, uint64_t gpa, unsigned int size,
                       uint64_t val)
{
    unsigned long gfn = gpa >> PAGE_SHIFT;
    unsigned int off = gpa & (PAGE_SIZE - 1);
    uint8_t *p;
    p2m_type_t t;

    if ( (size != 1 && size != 2 && size != 4 && size != 8) ||
         (off & (size - 1)) || gfn >= vg->d->max_gfn )
        return GTT_ERR_BAD_ACCESS;
    t = fake_p2m_type(vg->d, gfn);
    if ( t == p2m_ioreq_server )
        return gtt_wp_claims(vg->gv, gfn) ? gtt_wp_write(vg->gv, gpa, size, val)
                                          : GTT_ERR_NOT_TRACKED;
    if ( t != p2m_ram_rw || gfn >= ISO_RAM_GFNS || !vg->mfn[gfn] )
        return GTT_ERR_NOT_RAM;       /* the store faults or goes elsewhere */
    p = map_domain_page(_mfn(vg->mfn[gfn]));
    memcpy(p + off, &val, size);
    unmap_domain_page(p);
    return GTT_OK;
}

/* Commands stored dword by dword; plain RAM a page at a time. */
static void guest_store_cmds(struct iso_vgpu *vg, const struct iso_op *op,
                             struct iso_stats *st)
{
    uint64_t gpa = op->addr & ~3ull;
    uint32_t i = 0;

    while ( i < op->nr_dw )
    {
        unsigned long gfn = gpa >> PAGE_SHIFT;
        unsigned int room = (PAGE_SIZE - (gpa & (PAGE_SIZE - 1))) / 4;
        unsigned int n = op->nr_dw - i < room ? op->nr_dw - i : room;
        unsigned int k;

        if ( gfn < ISO_RAM_GFNS && fake_p2m_type(vg->d, gfn) == p2m_ram_rw &&
             vg->mfn[gfn] )
        {
            uint8_t *p = map_domain_page(_mfn(vg->mfn[gfn]));

            memcpy(p + (gpa & (PAGE_SIZE - 1)), &op->dw[i], 4 * n);
            unmap_domain_page(p);
        }
        else
            for ( k = 0; k < n; k++ )
                if ( guest_store(vg, gpa + 4 * k, 4, op->dw[i + k]) )
                    st->gtt_refused++;
        i += n;
        gpa += 4 * n;
    }
}

/*
 * The guest changes its physmap (balloon driver): a RAM gfn leaves it, or
 * comes back with its frame or with a new one.  The frame that left stays
 * the guest's while anyone references it, as in Xen; nothing tells the
 * GTT engine.
 */
static void guest_physmap(struct iso_vgpu *vg, unsigned long gfn,
                          uint64_t kind)
{
    unsigned long mfn;

    if ( gfn >= ISO_RAM_GFNS )
        return;
    switch ( kind )
    {
    case ISO_P2M_OUT:
        mfn = 0;
        fake_p2m_set(vg->d, gfn, 0, p2m_invalid, NULL);
        break;
    case ISO_P2M_BACK:
        mfn = vg->base + gfn;
        break;
    default:
        mfn = fake_guest_mfns(1);
        break;
    }
    if ( mfn && !fake_p2m_set(vg->d, gfn, mfn, p2m_ram_rw, NULL) )
        vg->mfn[gfn] = mfn;
    else if ( !mfn )
        vg->mfn[gfn] = 0;
}

static void slot_drop(struct iso_slot *s)
{
    struct gtt_vgpu *gv = s->vg->gv;

    if ( s->ok )
        gtt_submit_release(gv, &s->pins);
    if ( s->ctx_pinned )
        gtt_submit_ctx_release(gv, s->root[0]);
    if ( s->sub )
        gpu_audit_sub_destroy(s->sub);
    s->sub = NULL;
    s->ok = false;
    s->ctx_pinned = false;
}

static void do_audit(struct iso_vgpu *vg, const struct iso_op *op,
                     struct iso_stats *st)
{
    struct iso_slot *s = &vg->slot[op->slot];
    const struct gpu_audit_verdict *v;
    int rc;

    slot_drop(s);
    st->audits++;
    st->audits_clean += !op->hostile;
    gtt_sync(vg->gv);
    s->engine = op->engine;
    s->level = op->level;
    memcpy(s->root, op->root, sizeof(s->root));
    if ( s->level != GTT_ROOT_L3 )
        s->root[1] = s->root[2] = s->root[3] = 0;
    if ( gtt_submit_ctx_roots(vg->gv, s->level, s->root, s->shadow) !=
         GTT_OK )
    {
        st->ctx_refused++;
        return;
    }
    s->ctx_pinned = true;

    s->reads = s->failed = 0;
    s->fail_at = op->fail_err ? op->fail_at : ~0ul;
    s->fail_err = op->fail_err;
    s->sub = gpu_audit_sub_create(&vg->av, op->engine, &iso_mem_ops, s);
    if ( !s->sub )
    {
        fprintf(stderr, "isolation: gpu_audit_sub_create failed\n");
        exit(2);
    }
    if ( op->form == ISO_FORM_RING )
    {
        struct gpu_audit_ring ring = {
            .start = op->addr, .size = op->ring_size,
            .head = op->head, .tail = op->tail,
        };

        rc = gpu_audit_sub_start_ring(s->sub, &ring);
    }
    else
        rc = gpu_audit_sub_start_batch(s->sub, op->space, op->addr);
    if ( !rc )
        rc = run_audit(vg, s);
    v = gpu_audit_get_verdict(s->sub);
    if ( rc || !v || v->reason != XEN_GPU_AUDIT_OK )
    {
        if ( getenv("ISO_DEBUG") && !op->hostile && v )
            fprintf(stderr, "refused: %s at buf %u off %#x hdr %#x %s\n",
                    gpu_audit_reason_name(v->reason), v->buffer, v->offset,
                    v->header, v->cmd ? v->cmd : "?");
        if ( getenv("ISO_DEBUG") && !op->hostile && v &&
             v->buffer < gpu_audit_nr_bufs(s->sub) )
        {
            const struct gpu_audit_buf *b = gpu_audit_get_buf(s->sub,
                                                              v->buffer);
            uint32_t k;

            for ( k = v->offset / 4; k < b->len / 4 && k < v->offset / 4 + 8;
                  k++ )
                fprintf(stderr, " %#x", gpu_audit_buf_dw(b, k));
            fprintf(stderr, "\n");
        }
        st->refused++;
        st->by_reason[v && v->reason < 64 ? v->reason : 63]++;
        slot_drop(s);
        return;
    }
    memset(&s->pins, 0, sizeof(s->pins));
    if ( gtt_submit_apply_pdp_loads(vg->gv, s->sub, s->level, &s->pins) !=
         GTT_OK )
    {
        st->refused_glue++;
        slot_drop(s);
        return;
    }
    s->ok = true;
    st->accepted++;
    st->accepted_clean += !op->hostile;
}

static void do_exec(struct iso_vgpu *vg, const struct iso_op *op,
                    struct iso_stats *st)
{
    struct iso_machine *m = vg->m;
    struct iso_slot *s = &vg->slot[op->slot];
    struct gpu_check_subject who;
    struct gpu_model_ctx ctx;
    struct gpu_model_result res;

    if ( !s->ok )
    {
        slot_drop(s);
        return;
    }
    memset(&who, 0, sizeof(who));
    who.d = vg->d;
    who.engine = s->engine;
    who.scratch_mfn = gtt_vgpu_scratch_mfn(vg->gv);
    who.ppgtt_scratch_mfn = vg->gv->ppgtt.scratch_page_mfn;
    who.slices = vg->slices;
    who.nr_slices = 2;
    gpu_check_subject(m->chk, &who);

    memset(&ctx, 0, sizeof(ctx));
    ctx.table = m->table;
    ctx.engine = s->engine;
    ctx.level = s->level;
    memcpy(ctx.pdp, s->shadow, sizeof(ctx.pdp));
    ctx.max_cmds = ISO_MAX_EXEC_CMDS;
    ctx.seed = m->execs++;
    memset(&res, 0, sizeof(res));
    gpu_model_execute(&ctx, s->sub, m->chk, &res);
    st->executed++;
    st->cmds_executed += res.commands;
    st->mem_accesses += res.mem_accesses;
    st->reg_accesses += res.reg_accesses;
    slot_drop(s);
}

static void drop_slots(struct iso_vgpu *vg)
{
    unsigned int i;

    for ( i = 0; i < ISO_SLOTS; i++ )
        slot_drop(&vg->slot[i]);
}

/*
 * One physical GGTT entry, judged by the layout alone: inside a vGPU's
 * slice it points at the scratch page or at a frame of that vGPU's guest
 * on which a reference is held; outside every slice, at scratch (or
 * nowhere).  What the GPU could reach there even if no command asked.
 */
static void check_ggtt_entry(struct iso_machine *m, uint64_t index)
{
    uint64_t pte, gaddr = index << PAGE_SHIFT;
    unsigned long mfn;
    const struct page_info *pg;
    const struct iso_vgpu *owner = NULL;
    unsigned int v;

    if ( index >= ISO_GGTT_ENTRIES )
        return;
    pte = fake_gpu_ggtt(index);
    mfn = (pte & FAKE_GPU_PTE_ADDR) >> PAGE_SHIFT;
    if ( !(pte & FAKE_GPU_PTE_PRESENT) )
        return;
    for ( v = 0; v < m->nr; v++ )
        if ( gaddr - m->vg[v].slices[0].base < m->vg[v].slices[0].size ||
             gaddr - m->vg[v].slices[1].base < m->vg[v].slices[1].size )
            owner = &m->vg[v];
    /* Scratch: the device's outside the slices, the owner's own inside. */
    if ( owner && owner->gv ? mfn == gtt_vgpu_scratch_mfn(owner->gv)
                            : mfn == m->dev.scratch_mfn )
        return;
    pg = fake_frame(mfn);
    if ( !owner )
        gpu_check_fail(m->chk, GPU_V_GGTT_SLICE, "GGTT entry 0x%llx outside "
                       "every slice points at mfn 0x%lx",
                       (unsigned long long)index, mfn);
    else if ( !pg || page_get_owner(pg) != owner->d )
        gpu_check_fail(m->chk, GPU_V_FOREIGN_FRAME, "GGTT entry 0x%llx of "
                       "d%u points at mfn 0x%lx owned by %d",
                       (unsigned long long)index, owner->d->domain_id, mfn,
                       pg && page_get_owner(pg)
                       ? page_get_owner(pg)->domain_id : -1);
    else if ( pg->count <= 0 )
        gpu_check_fail(m->chk, GPU_V_NO_REFERENCE, "GGTT entry 0x%llx points "
                       "at mfn 0x%lx with no reference held",
                       (unsigned long long)index, mfn);
}

static void check_ggtt(struct iso_machine *m)
{
    uint64_t i;

    for ( i = 0; i < ISO_GGTT_ENTRIES; i++ )
        check_ggtt_entry(m, i);
}

void iso_machine_apply(struct iso_machine *m, const struct iso_op *op,
                       struct iso_stats *st)
{
    struct iso_vgpu *vg;
    unsigned long pv;
    int rc = GTT_OK;

    st->ops += iso_op_weight(op);
    if ( op->kind == ISO_OP_CMDS )
        st->cmds_generated += op->nr_cmds;
    else
        st->actions++;
    if ( op->v >= m->nr || op->slot >= ISO_SLOTS )
        return;
    vg = &m->vg[op->v];

    switch ( op->kind )
    {
    case ISO_OP_GGTT:
        rc = gtt_bar0_write(vg->gv, GTT_GGTT_OFFSET + op->addr * 8 + op->off,
                            op->size, op->val);
        check_ggtt_entry(m, op->addr);
        break;
    case ISO_OP_PVINFO:
        rc = gtt_bar0_write(vg->gv, GTT_PVINFO_OFFSET + op->addr, op->size,
                            op->val);
        break;
    case ISO_OP_STORE:
        rc = guest_store(vg, op->addr, op->size, op->val);
        break;
    case ISO_OP_CMDS:
        guest_store_cmds(vg, op, st);
        break;
    case ISO_OP_AUDIT:
        do_audit(vg, op, st);
        break;
    case ISO_OP_EXEC:
        do_exec(vg, op, st);
        break;
    case ISO_OP_P2M:
        guest_physmap(vg, op->addr, op->val);
        break;
    case ISO_OP_RESET:
        drop_slots(vg);
        gtt_vgpu_reset(vg->gv);
        check_ggtt(m);
        break;
    }
    if ( rc != GTT_OK )
        st->gtt_refused++;

    pv = fake_put_violations();
    if ( pv != m->put_violations )
    {
        gpu_check_fail(m->chk, GPU_V_STALE_REACH,
                       "%lu reference(s) dropped while the GPU could reach "
                       "the frame (vGPU %u)", pv - m->put_violations, op->v);
        m->put_violations = pv;
    }
}

/* One gfn of every hostile kind after the RAM of vg. */
static int map_hostile(struct iso_machine *m, struct iso_vgpu *vg)
{
    struct iso_vgpu *next = &m->vg[(vg->idx + 1) % m->nr];
    unsigned long fresh = fake_guest_mfns(3);
    int rc = 0;

    if ( !fresh )
        return -ENOMEM;
    rc |= fake_p2m_set(vg->d, ISO_GFN_MMIO, fresh, p2m_mmio_direct, dom_io);
    rc |= fake_p2m_set(vg->d, ISO_GFN_GRANT, next->base + 7, p2m_grant_map_rw,
                       next->d);
    rc |= fake_p2m_set(vg->d, ISO_GFN_FOREIGN, m->by_base + vg->idx,
                       p2m_map_foreign, m->bystander);
    rc |= fake_p2m_set(vg->d, ISO_GFN_PAGED, 0, p2m_ram_paged, NULL);
    rc |= fake_p2m_set(vg->d, ISO_GFN_SHARED, fresh + 1, p2m_ram_shared,
                       dom_cow);
    rc |= fake_p2m_set(vg->d, ISO_GFN_NEIGHBOUR, next->base + 9,
                       p2m_map_foreign, next->d);
    rc |= fake_p2m_set(vg->d, ISO_GFN_XEN, fresh + 2, p2m_ram_rw, dom_xen);
    /* RAM in the p2m, but the page is no longer the guest's. */
    rc |= fake_p2m_set(vg->d, ISO_GFN_STOLEN, next->base + 11, p2m_ram_rw,
                       next->d);
    return rc;
}

static int make_vgpu(struct iso_machine *m, struct iso_vgpu *vg)
{
    struct gtt_vgpu_config cfg;
    const struct gpu_gen_spec *spec = m->table->spec;
    unsigned int v = vg->idx, i;

    vg->slices[0].base = iso_ap_base(v);
    vg->slices[0].size = ISO_AP_SIZE;
    vg->slices[1].base = iso_hid_base(v);
    vg->slices[1].size = ISO_HID_SIZE;

    memset(&cfg, 0, sizeof(cfg));
    cfg.d = vg->d;
    cfg.id = v + 1;
    cfg.aperture_base = vg->slices[0].base;
    cfg.aperture_size = vg->slices[0].size;
    cfg.hidden_base = vg->slices[1].base;
    cfg.hidden_size = vg->slices[1].size;
    cfg.fences = 4;
    cfg.oos = !(v & 1);               /* half of them with OOS leaf tables */
    cfg.shadow_quota = v % 3 == 2 ? 24 : 0;   /* a third of them reclaim */
    cfg.oos_threshold = GTT_DEFAULT_OOS_THRESHOLD;
    if ( gtt_vgpu_create(&m->dev, &cfg, &vg->gv) )
        return -1;

    gpu_audit_vgpu_init(&vg->av, m->table);
    vg->av_live = true;
    if ( gpu_audit_vgpu_add_slice(&vg->av, iso_ap_base(v), ISO_AP_SIZE) ||
         gpu_audit_vgpu_add_slice(&vg->av, iso_hid_base(v), ISO_HID_SIZE) )
        return -1;
    /*
     * Limits: a quarter of the vGPUs audit in small chunks (restarts
     * everywhere), a quarter with few buffers and jumps allowed.
     */
    if ( v % 4 == 1 )
        vg->av.limits.chunk_bytes = 64 << (v % 3);
    if ( v % 4 == 3 )
    {
        vg->av.limits.max_buffers = 3;
        vg->av.limits.max_chain = 4;
    }
    /* The vGPU's own values of the virtualised registers (MOCS). */
    for ( i = 0; i < spec->nr_regs; i++ )
        if ( (spec->regs[i].flags & GPU_RF_VIRT) &&
             gpu_audit_vgpu_set_vreg(&vg->av, spec->regs[i].offset,
                                     0x30 + (i & 0xf)) )
            return -1;
    return 0;
}

struct iso_machine *iso_machine_create(unsigned int gen, unsigned int nr_vgpus,
                                       struct gpu_check *chk)
{
    struct iso_machine *m;
    unsigned int v;
    unsigned long g;

    if ( nr_vgpus < 1 || nr_vgpus > ISO_MAX_VGPUS )
        return NULL;
    m = calloc(1, sizeof(*m));
    if ( !m )
        return NULL;
    m->gen = gen;
    m->nr = nr_vgpus;
    m->chk = chk;
    m->table = iso_table(gen);

    host_alloc_stats.fail_after = -1;
    fake_p2m_reset();
    m->xm0 = host_alloc_stats.xmalloc_live;
    m->pages0 = host_alloc_stats.pages_live;
    m->put_violations = fake_put_violations();

    m->bystander = fake_domain_create(ISO_BYSTANDER_ID, ISO_BYSTANDER_GFNS);
    m->by_base = fake_guest_mfns(ISO_BYSTANDER_GFNS);
    if ( !m->bystander || !m->by_base )
        goto fail;
    for ( g = 0; g < ISO_BYSTANDER_GFNS; g++ )
        if ( fake_p2m_set(m->bystander, g, m->by_base + g, p2m_ram_rw, NULL) )
            goto fail;

    for ( v = 0; v < nr_vgpus; v++ )
    {
        struct iso_vgpu *vg = &m->vg[v];
        unsigned int i;

        vg->m = m;
        vg->idx = v;
        for ( i = 0; i < ISO_SLOTS; i++ )
            vg->slot[i].vg = vg;
        vg->d = fake_domain_create(v + 1, ISO_GFN_MAX);
        vg->base = fake_guest_mfns(ISO_RAM_GFNS);
        if ( !vg->d || !vg->base )
            goto fail;
        for ( g = 0; g < ISO_RAM_GFNS; g++ )
        {
            vg->mfn[g] = vg->base + g;
            if ( fake_p2m_set(vg->d, g, vg->base + g, p2m_ram_rw, NULL) )
                goto fail;
        }
    }
    for ( v = 0; v < nr_vgpus; v++ )
        if ( map_hostile(m, &m->vg[v]) )
            goto fail;

    m->gpu = fake_gpu_create(ISO_GGTT_ENTRIES);
    if ( !m->gpu )
        goto fail;
    m->hw.gsm = m->gpu->gsm;
    m->hw.mmio = m->gpu->mmio;
    if ( gtt_device_init(&m->dev, ISO_GGTT_ENTRIES, &m->hw) )
        goto fail;
    m->dev_live = true;
    for ( v = 0; v < nr_vgpus; v++ )
        if ( make_vgpu(m, &m->vg[v]) )
            goto fail;
    return m;

 fail:
    fprintf(stderr, "isolation: cannot build a machine of %u vGPUs\n",
            nr_vgpus);
    iso_machine_destroy(m);
    return NULL;
}

void iso_machine_engine_stats(struct iso_machine *m, struct iso_stats *st)
{
    unsigned int v, r;

    for ( v = 0; v < m->nr; v++ )
    {
        struct gtt_stats gs;

        if ( !m->vg[v].gv )
            continue;
        gtt_vgpu_stats(m->vg[v].gv, &gs);
        st->gtt_validated += gs.entries_validated;
        for ( r = 0; r < GTT_ERR_NR; r++ )
            st->gtt_refused_entries += gs.refused[r];
        st->gtt_tlb += gs.tlb_invalidations;
        st->gtt_resyncs += gs.resyncs;
        st->gtt_reclaims += gs.reclaims;
        st->gtt_splits += gs.splits;
    }
}

static void check_zero(struct iso_machine *m, long val, const char *what)
{
    if ( val )
        gpu_check_fail(m->chk, GPU_V_LEAK, "%s: %ld left at teardown", what,
                       val);
}

void iso_machine_destroy(struct iso_machine *m)
{
    unsigned int v;
    unsigned long pv;

    if ( !m )
        return;
    if ( m->dev_live )
        check_ggtt(m);
    for ( v = 0; v < m->nr; v++ )
    {
        struct iso_vgpu *vg = &m->vg[v];

        if ( vg->gv )
        {
            drop_slots(vg);
            gtt_vgpu_destroy(vg->gv);
        }
        if ( vg->av_live )
            gpu_audit_vgpu_destroy(&vg->av);
        vg->gv = NULL;
        vg->av_live = false;
    }
    pv = fake_put_violations();
    if ( pv != m->put_violations )
        gpu_check_fail(m->chk, GPU_V_STALE_REACH,
                       "%lu reference(s) dropped at teardown while the GPU "
                       "could reach the frame", pv - m->put_violations);
    check_zero(m, fake_refs_total(), "page references");
    if ( m->dev_live )
        gtt_device_destroy(&m->dev);
    if ( m->gpu )
        fake_gpu_destroy(m->gpu);
    check_zero(m, fake_maps_live(), "page mappings");
    check_zero(m, fake_domheap_live(), "domheap pages");
    for ( v = 0; v < m->nr; v++ )
        if ( m->vg[v].d )
            fake_domain_destroy(m->vg[v].d);
    if ( m->bystander )
        fake_domain_destroy(m->bystander);
    fake_p2m_reset();
    check_zero(m, host_alloc_stats.xmalloc_live - m->xm0, "xmalloc blocks");
    check_zero(m, host_alloc_stats.pages_live - m->pages0, "Xen pages");
    free(m);
}
