/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The isolation property (check.h), memory and page-table side: whose
 * frame an access reaches, whether it is RAM of the submitting guest with
 * a reference held (writable RAM for a write: not a page Xen made
 * read-only, pages out or shares), and whether GGTT addresses stay in the
 * vGPU's slices.
 * Registers: check_regs.c.
 */
#include <stdarg.h>

#include "check.h"

static const char *const violation_names[GPU_V_NR] = {
    [GPU_V_FOREIGN_FRAME] = "foreign-frame",
    [GPU_V_NO_REFERENCE]  = "no-reference",
    [GPU_V_GGTT_SLICE]    = "ggtt-slice",
    [GPU_V_PT_FRAME]      = "pt-frame",
    [GPU_V_REG]           = "register",
    [GPU_V_UNAUDITED]     = "unaudited",
    [GPU_V_STALE_REACH]   = "stale-reach",
    [GPU_V_LEAK]          = "leak",
    [GPU_V_AUDIT_BUDGET]  = "audit-budget",
};

const char *gpu_violation_name(unsigned int kind)
{
    return kind < GPU_V_NR && violation_names[kind] ? violation_names[kind]
                                                    : "unknown";
}

void gpu_check_init(struct gpu_check *chk, const struct gpu_gen_spec *ref)
{
    memset(chk, 0, sizeof(*chk));
    chk->ref = ref;
}

void gpu_check_subject(struct gpu_check *chk,
                       const struct gpu_check_subject *who)
{
    chk->who = *who;
}

void gpu_check_fail(struct gpu_check *chk, unsigned int kind,
                    const char *fmt, ...)
{
    struct gpu_violation *v;
    va_list ap;
    int n;

    if ( kind >= GPU_V_NR )
        kind = 0;
    chk->violations++;
    chk->by_kind[kind]++;
    if ( chk->nr_log >= GPU_CHECK_MAX_LOG )
        return;
    v = &chk->log[chk->nr_log++];
    v->kind = kind;
    va_start(ap, fmt);
    n = vsnprintf(v->detail, sizeof(v->detail), fmt, ap);
    va_end(ap);
    if ( chk->at_known && n >= 0 && n < (int)sizeof(v->detail) )
        snprintf(v->detail + n, sizeof(v->detail) - n,
                 " [buf %u +0x%x hdr 0x%08x]", chk->at_buf, chk->at_off,
                 chk->at_header);
}

static FILE *trace_file;

void gpu_check_set_trace(FILE *f)
{
    trace_file = f;
}

void gpu_check_trace(const struct gpu_check *chk, const char *fmt, ...)
{
    va_list ap;

    if ( !trace_file )
        return;
    va_start(ap, fmt);
    vfprintf(trace_file, fmt, ap);
    va_end(ap);
    if ( chk->at_known )
        fprintf(trace_file, " [buf %u +0x%x hdr 0x%08x]", chk->at_buf,
                chk->at_off, chk->at_header);
    fputc('\n', trace_file);
}

/* Xen's own page: from the domain heap, owned by no guest. */
static bool frame_is_xen(const struct page_info *pg)
{
    return pg && pg->allocated && (!pg->owner || pg->owner == dom_xen);
}

static int owner_id(const struct page_info *pg)
{
    if ( !pg )
        return -2;

    return pg->owner ? (int)pg->owner->domain_id : -1;
}

static const char *space_name(unsigned int space)
{
    return space == GPU_SPACE_GGTT ? "ggtt" : "ppgtt";
}

static bool in_slices(const struct gpu_check_subject *who, uint64_t gaddr)
{
    unsigned int i;

    for ( i = 0; i < who->nr_slices; i++ )
        if ( gaddr >= who->slices[i].base &&
             gaddr - who->slices[i].base < who->slices[i].size )
            return true;

    return false;
}

void gpu_check_mem(struct gpu_check *chk, unsigned int space, uint64_t gaddr,
                   unsigned long mfn, bool write)
{
    const struct gpu_check_subject *who = &chk->who;
    const char *rw = write ? "write" : "read";
    const struct page_info *pg;
    unsigned long gfn;
    p2m_type_t t;

    chk->accesses++;
    gpu_check_trace(chk, "mem %s %s 0x%llx mfn 0x%lx owner %d", rw,
                    space_name(space), (unsigned long long)gaddr, mfn,
                    mfn == INVALID_MFN ? -2 : owner_id(fake_frame(mfn)));
    if ( space == GPU_SPACE_GGTT && !in_slices(who, gaddr) )
        gpu_check_fail(chk, GPU_V_GGTT_SLICE,
                       "%s ggtt 0x%llx outside the slices (mfn 0x%lx)", rw,
                       (unsigned long long)gaddr, mfn);
    if ( mfn == INVALID_MFN || mfn == who->scratch_mfn )
        return;

    pg = fake_frame(mfn);
    if ( mfn == who->ppgtt_scratch_mfn && frame_is_xen(pg) )
        return;
    if ( !pg || !who->d || pg->owner != who->d )
    {
        gpu_check_fail(chk, GPU_V_FOREIGN_FRAME,
                       "%s %s 0x%llx -> mfn 0x%lx owned by %d, not d%d", rw,
                       space_name(space), (unsigned long long)gaddr, mfn,
                       owner_id(pg), who->d ? who->d->domain_id : -1);
        return;
    }

    gfn = get_gpfn_from_mfn(mfn);
    if ( gfn == INVALID_M2P_ENTRY )
    {
        /*
         * Out of the guest's physmap (ballooned out) but still its own and
         * referenced: Xen frees it, and could give it to another domain,
         * only once the engine lets go, and charges the guest until then.
         */
        if ( pg->count <= 0 )
            gpu_check_fail(chk, GPU_V_NO_REFERENCE,
                           "%s %s 0x%llx -> mfn 0x%lx (d%d, out of its "
                           "physmap) with no reference held", rw,
                           space_name(space), (unsigned long long)gaddr, mfn,
                           who->d->domain_id);
        return;
    }
    t = fake_p2m_type(who->d, gfn);
    if ( !p2m_is_ram(t) )
    {
        gpu_check_fail(chk, GPU_V_FOREIGN_FRAME,
                       "%s %s 0x%llx -> mfn 0x%lx of d%d not mapped as RAM "
                       "(gfn 0x%lx)", rw, space_name(space),
                       (unsigned long long)gaddr, mfn, who->d->domain_id,
                       gfn);
        return;
    }

    /* Xen made it read-only (or is paging or sharing it): no GPU writes. */
    if ( write && t != p2m_ram_rw && t != p2m_ram_logdirty &&
         t != p2m_ioreq_server )
    {
        gpu_check_fail(chk, GPU_V_FOREIGN_FRAME,
                       "write %s 0x%llx -> mfn 0x%lx (d%d gfn 0x%lx) of "
                       "read-only type %u", space_name(space),
                       (unsigned long long)gaddr, mfn, who->d->domain_id,
                       gfn, t);
        return;
    }

    if ( pg->count <= 0 )
        gpu_check_fail(chk, GPU_V_NO_REFERENCE,
                       "%s %s 0x%llx -> mfn 0x%lx (d%d gfn 0x%lx) with no "
                       "reference held", rw, space_name(space),
                       (unsigned long long)gaddr, mfn, who->d->domain_id,
                       gfn);
}

void gpu_check_pt(struct gpu_check *chk, unsigned long mfn, uint64_t gaddr)
{
    const struct page_info *pg = fake_frame(mfn);

    chk->accesses++;
    gpu_check_trace(chk, "pt 0x%lx for 0x%llx owner %d", mfn,
                    (unsigned long long)gaddr, owner_id(pg));
    if ( !frame_is_xen(pg) )
        gpu_check_fail(chk, GPU_V_PT_FRAME,
                       "walk for 0x%llx reads table mfn 0x%lx owned by %d%s",
                       (unsigned long long)gaddr, mfn, owner_id(pg),
                       pg && pg->allocated ? "" : " (not Xen's heap)");
}

/* BUILD/gen/ref_gen8.c, ref_gen9.c: gen-gpu-cmds.py --symbol */
extern const struct gpu_gen_spec gpu_ref_spec_gen8, gpu_ref_spec_gen9;

const struct gpu_gen_spec *gpu_check_ref_spec(unsigned int gen)
{
    switch ( gen )
    {
    case 8:
        return &gpu_ref_spec_gen8;
    case 9:
        return &gpu_ref_spec_gen9;
    }

    return NULL;
}
