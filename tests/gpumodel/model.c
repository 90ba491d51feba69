/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The command streamer of the GPU model: it runs a submission from the
 * hypervisor's copies, as the hardware would, starting at buffer 0 (the
 * ring segment, or the first batch).
 *
 * Fetch: every command must start where the auditor decoded one (the
 * copy's starts[]); a zero dword elsewhere is an MI_NOOP the auditor wrote
 * over a neutralised command, harmless to run.  Anything else, an unknown
 * header, or running off a copy is GPU_V_UNAUDITED and ends the run.
 * Lengths come from the auditor's table (the hardware's length fields).
 *
 * Jumps: MI_BATCH_BUFFER_START goes where the relocation of its address
 * operand says (the copy it was pointed at); none is GPU_V_UNAUDITED.
 * From the ring it calls a first-level batch; from a first-level batch,
 * bit 22 calls a second-level one, else it chains; MI_BATCH_BUFFER_END
 * returns to the caller, or ends the run at the top.  The batch must be
 * fetched from the space it was audited in (Address Space Indicator); a
 * jump whose target a register moves (Add Offset Enable), or a predicated
 * one that could fall through past the audited commands, is unaudited.
 */
#include "model_priv.h"

/* Commands of up to this many dwords are copied on the stack. */
#define MODEL_CMD_DWS 1024

static unsigned int buf_class(const struct gpu_audit_buf *b)
{
    if ( b->kind == XEN_GPU_BUF_RING )
        return GPU_CLASS_RING;

    return b->space == GPU_SPACE_GGTT ? GPU_CLASS_GGTT : GPU_CLASS_PPGTT;
}

static unsigned int buf_level(const struct gpu_audit_buf *b)
{
    switch ( b->kind )
    {
    case XEN_GPU_BUF_RING:
        return 0;
    case XEN_GPU_BUF_BATCH_L2:
        return 2;
    }

    return 1;
}

static void unaudited(struct gpu_model_run *r, const char *what,
                      uint32_t hdr)
{
    gpu_check_fail(r->chk, GPU_V_UNAUDITED, "%s (0x%08x)", what, hdr);
    r->stop = true;
}

static const struct gpu_audit_reloc *find_reloc(const struct gpu_audit_sub *s,
                                                unsigned int buf,
                                                uint32_t offset)
{
    unsigned int i, n = gpu_audit_nr_relocs(s);

    for ( i = 0; i < n; i++ )
    {
        const struct gpu_audit_reloc *rl = gpu_audit_get_reloc(s, i);

        if ( rl->buf == buf && rl->offset == offset )
            return rl;
    }

    return NULL;
}

void model_bb_start(struct gpu_model_run *r, const uint32_t *dw)
{
    const struct gpu_audit_reloc *rl;
    const struct gpu_audit_buf *tb;
    unsigned int hw_cls, space;
    bool call;

    /* Where the hardware may go instead of the audited target. */
    if ( dw[0] & MI_HW_BBS_ADD_OFFSET )
    {
        unaudited(r, "jump target moved by a register", dw[0]);
        return;
    }
    if ( (dw[0] & MI_HW_BBS_PREDICATED) &&
         !gpu_audit_buf_is_start(gpu_audit_get_buf(r->s, r->buf), r->off) )
    {
        unaudited(r, "predicated jump falls through past the audit", dw[0]);
        return;
    }

    rl = find_reloc(r->s, r->cmd_buf, r->cmd_off + 4);
    if ( !rl )
    {
        gpu_check_fail(r->chk, GPU_V_UNAUDITED,
                       "MI_BATCH_BUFFER_START to 0x%llx with no relocation",
                       (unsigned long long)model_addr(dw[1], dw[2], ~3u));
        r->stop = true;
        return;
    }
    tb = gpu_audit_get_buf(r->s, rl->target_buf);
    if ( !tb || !gpu_audit_buf_is_start(tb, rl->target_offset) )
    {
        unaudited(r, "jump to no audited command", dw[0]);
        return;
    }
    /*
     * The hardware fetches the batch from the space its Address Space
     * Indicator names, and runs it privileged when a privileged buffer
     * starts it in the GGTT: that must be how it was audited.
     */
    space = dw[0] & MI_HW_BBS_PPGTT ? GPU_SPACE_PPGTT : GPU_SPACE_GGTT;
    if ( space != tb->space )
    {
        gpu_check_fail(r->chk, GPU_V_UNAUDITED,
                       "batch fetched from the %s, audited in the %s",
                       space == GPU_SPACE_GGTT ? "GGTT" : "PPGTT",
                       tb->space == GPU_SPACE_GGTT ? "GGTT" : "PPGTT");
        r->stop = true;
        return;
    }
    hw_cls = r->cls != GPU_CLASS_PPGTT && space == GPU_SPACE_GGTT
             ? GPU_CLASS_GGTT : GPU_CLASS_PPGTT;

    call = r->lvl == 0 || (r->lvl == 1 && (dw[0] & MI_HW_BBS_2ND_LEVEL));
    if ( call )
    {
        if ( r->depth >= ARRAY_SIZE(r->ret) )
        {
            unaudited(r, "batch call nested too deep", dw[0]);
            return;
        }
        r->ret[r->depth].buf = r->buf;
        r->ret[r->depth].off = r->off;
        r->ret[r->depth].cls = r->cls;
        r->ret[r->depth].lvl = r->lvl;
        r->depth++;
        r->lvl++;
    }
    r->buf = rl->target_buf;
    r->off = rl->target_offset;
    r->cls = hw_cls;
}

void model_bb_end(struct gpu_model_run *r)
{
    if ( r->lvl == 0 )
        return;                     /* in a ring: nothing to end */
    if ( !r->depth )
    {
        r->ended = true;
        r->stop = true;
        return;
    }
    r->depth--;
    r->buf = r->ret[r->depth].buf;
    r->off = r->ret[r->depth].off;
    r->cls = r->ret[r->depth].cls;
    r->lvl = r->ret[r->depth].lvl;
}

/* Fetch, decode and run the command at the current position. */
static void step(struct gpu_model_run *r)
{
    const struct gpu_audit_buf *b = gpu_audit_get_buf(r->s, r->buf);
    uint32_t local[MODEL_CMD_DWS], *dw = local, hdr;
    const struct gpu_cmd_desc *d;
    unsigned int len, i;

    r->cmd_buf = r->buf;
    r->cmd_off = r->off;
    r->chk->at_known = true;
    r->chk->at_buf = r->buf;
    r->chk->at_off = r->off;
    r->chk->at_header = 0;
    if ( !b )
    {
        unaudited(r, "no such buffer", 0);
        return;
    }
    if ( r->off >= b->len )
    {
        if ( r->lvl == 0 && r->off == b->len )
        {
            r->ended = true;        /* the tail of the ring segment */
            r->stop = true;
        }
        else
            unaudited(r, "runs off the end of the copy", 0);
        return;
    }

    hdr = gpu_audit_buf_dw(b, r->off / 4);
    r->chk->at_header = hdr;
    if ( !gpu_audit_buf_is_start(b, r->off) )
    {
        if ( hdr )
            unaudited(r, "command where the auditor decoded none", hdr);
        else
            r->off += 4;            /* a neutralised command's MI_NOOPs */
        r->res->commands++;
        return;
    }
    d = gpu_audit_lookup(r->c->table, r->c->engine, hdr);
    if ( !d )
    {
        unaudited(r, "unknown command", hdr);
        return;
    }
    len = gpu_audit_cmd_len(d, hdr);
    if ( !len || len > (b->len - r->off) / 4 )
    {
        unaudited(r, "command overruns the copy", hdr);
        return;
    }
    if ( len > MODEL_CMD_DWS )
    {
        dw = malloc(len * sizeof(*dw));
        if ( !dw )
        {
            r->stop = true;
            return;
        }
    }
    for ( i = 0; i < len; i++ )
        dw[i] = gpu_audit_buf_dw(b, r->off / 4 + i);

    r->off += len * 4;
    r->res->commands++;
    model_exec_cmd(r, dw, len, d);
    model_pdp_commit(r);
    if ( dw != local )
        free(dw);
}

unsigned int gpu_model_execute(const struct gpu_model_ctx *c,
                               const struct gpu_audit_sub *s,
                               struct gpu_check *chk,
                               struct gpu_model_result *res)
{
    struct gpu_model_result local;
    struct gpu_model_run *r;
    const struct gpu_audit_buf *b;
    uint64_t before = chk->violations;
    uint64_t max = c->max_cmds ? c->max_cmds : GPU_MODEL_DEFAULT_CMDS;

    if ( !res )
        res = &local;
    memset(res, 0, sizeof(*res));
    b = gpu_audit_get_buf(s, 0);
    if ( !b )
        return 0;
    r = calloc(1, sizeof(*r));
    if ( !r )
        return 0;

    r->c = c;
    r->s = s;
    r->chk = chk;
    r->res = res;
    r->level = c->level;
    memcpy(r->pdp, c->pdp, sizeof(r->pdp));
    r->cls = buf_class(b);
    r->lvl = buf_level(b);

    while ( !r->stop && res->commands < max )
        step(r);
    res->ended = r->ended;
    chk->at_known = false;
    free(r);

    return chk->violations - before;
}
