/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The driver of one submission: its creation, its start (a ring segment or
 * a first batch), the runs of the parser until a verdict, its accounting,
 * and what the rest of Xen reads of it afterwards.
 *
 * Buffers are scanned in execution order with an explicit frame stack
 * (ring, first-level batch, second-level batch), so the scan never recurses
 * and can stop after any command and resume later (GPU_STEP_RESTART).
 */
#include "parser.h"
#include "regs.h"
#include "reloc_index.h"
#include "vgpu_state.h"

struct gpu_audit_sub *gpu_audit_sub_create(struct gpu_audit_vgpu *v,
                                           unsigned int engine,
                                           const struct gpu_audit_mem_ops *mem,
                                           void *priv)
{
    struct gpu_audit_sub *s;

    if ( engine >= XEN_GPU_ENGINE_NR || !v->table || !v->table->spec )
        return NULL;
    s = xzalloc(struct gpu_audit_sub);
    if ( !s )
        return NULL;
    s->v = v;
    s->t = v->table;
    s->engine = engine;
    s->mem = mem;
    s->priv = priv;

    return s;
}

void gpu_audit_sub_set_trace(struct gpu_audit_sub *s, gpu_audit_trace_fn *fn)
{
    s->trace = fn;
}

static int sub_finish(struct gpu_audit_sub *s, unsigned int reason)
{
    unsigned int i;

    /* Accepted: the copy gets the vGPU's values of virtualised registers. */
    if ( !reason )
        reason = gpu_audit_reg_rewrite(s);

    s->finished = true;
    if ( !reason )
    {
        /* Accepted: whatever is still open was fully scanned. */
        memset(&s->verdict, 0, sizeof(s->verdict));
        while ( s->depth )
            gpu_audit_sub_pop(s);
        for ( i = 0; i < s->nr_bufs; i++ )
            if ( !s->bufs[i].done )
                gpu_audit_copy_seal(&s->bufs[i]);
    }
    else
        s->verdict.reason = reason;

    gpu_audit_vgpu_count(s->v, reason, s->cmds, s->bytes, s->neutralised,
                         s->restarts);

    return 0;
}

int gpu_audit_sub_start_ring(struct gpu_audit_sub *s,
                             const struct gpu_audit_ring *ring)
{
    uint32_t seg;
    int idx;

    if ( s->started )
        return -EBUSY;
    s->started = true;

    if ( !ring->size || (ring->size & (PAGE_SIZE - 1)) ||
         ring->head >= ring->size || ring->tail >= ring->size ||
         ((ring->head | ring->tail) & 7) ||
         !gpu_audit_ggtt_range_ok(s->v, ring->start, ring->size) )
    {
        gpu_audit_sub_reject(s, XEN_GPU_AUDIT_RING_BOUNDS, ~0u, 0);
        return sub_finish(s, XEN_GPU_AUDIT_RING_BOUNDS);
    }

    seg = ring->tail >= ring->head ? ring->tail - ring->head
                                   : ring->size - ring->head + ring->tail;

    idx = gpu_audit_sub_new_buf(s, GPU_SPACE_GGTT, ring->start + ring->head, 0,
                                XEN_GPU_BUF_RING, seg);
    if ( idx < 0 )
    {
        gpu_audit_sub_reject(s, -idx, ~0u, 0);
        return sub_finish(s, -idx);
    }
    s->bufs[idx].wrap_base = ring->start;
    s->bufs[idx].wrap_size = ring->size;
    s->frames[0].buf = idx;
    s->frames[0].off = 0;
    s->depth = 1;

    return 0;
}

int gpu_audit_sub_start_batch(struct gpu_audit_sub *s, unsigned int space,
                              uint64_t addr)
{
    int rc;

    if ( s->started )
        return -EBUSY;
    s->started = true;

    rc = gpu_audit_sub_enter_batch(s, -1, 0, space, addr, 1);
    if ( rc > 0 )
    {
        gpu_audit_sub_reject(s, rc, ~0u, 0);
        s->verdict.gaddr = addr;
        return sub_finish(s, rc);
    }

    return 0;
}

int gpu_audit_run(struct gpu_audit_sub *s)
{
    int rc;

    if ( !s->started )
        return -EINVAL;
    if ( s->finished )
        return 0;

    rc = gpu_audit_parser_scan(s, s->v->limits.chunk_bytes);
    if ( rc == GPU_STEP_RESTART )
    {
        s->restarts++;
        return -ERESTART;
    }

    return sub_finish(s, rc > 0 ? rc : 0);
}

void gpu_audit_sub_destroy(struct gpu_audit_sub *s)
{
    unsigned int i;

    if ( !s )
        return;
    for ( i = 0; i < s->nr_bufs; i++ )
        gpu_audit_copy_free(&s->bufs[i], s->v);
    xfree(s->bufs);
    xfree(s->relocs);
    gpu_audit_reloc_index_free(s);
    xfree(s->notes);
    xfree(s->pdp_loads);
    xfree(s->pdp_writes);
    xfree(s);
}

const struct gpu_audit_verdict *gpu_audit_get_verdict(
    const struct gpu_audit_sub *s)
{
    return s->finished ? &s->verdict : NULL;
}

unsigned int gpu_audit_nr_bufs(const struct gpu_audit_sub *s)
{
    return s->nr_bufs;
}

const struct gpu_audit_buf *gpu_audit_get_buf(const struct gpu_audit_sub *s,
                                              unsigned int i)
{
    return i < s->nr_bufs ? &s->bufs[i] : NULL;
}

unsigned int gpu_audit_nr_relocs(const struct gpu_audit_sub *s)
{
    return s->nr_relocs;
}

const struct gpu_audit_reloc *gpu_audit_get_reloc(
    const struct gpu_audit_sub *s, unsigned int i)
{
    return i < s->nr_relocs ? &s->relocs[i] : NULL;
}

uint64_t gpu_audit_sub_store_steps(const struct gpu_audit_sub *s)
{
    return s->store_steps;
}

unsigned int gpu_audit_nr_notes(const struct gpu_audit_sub *s)
{
    return s->nr_notes;
}

const struct gpu_audit_note *gpu_audit_get_note(const struct gpu_audit_sub *s,
                                                unsigned int i)
{
    return i < s->nr_notes ? &s->notes[i] : NULL;
}

unsigned int gpu_audit_nr_pdp_loads(const struct gpu_audit_sub *s)
{
    return s->nr_pdp_loads;
}

const struct gpu_audit_pdp_load *gpu_audit_get_pdp_load(
    const struct gpu_audit_sub *s, unsigned int i)
{
    return i < s->nr_pdp_loads ? &s->pdp_loads[i] : NULL;
}

const struct gpu_audit_pdp_write *gpu_audit_get_pdp_write(
    const struct gpu_audit_sub *s, const struct gpu_audit_pdp_load *ld,
    unsigned int j)
{
    return j < ld->nr ? &s->pdp_writes[ld->first + j] : NULL;
}

int gpu_audit_set_pdp_value(struct gpu_audit_sub *s, unsigned int i,
                            unsigned int j, uint32_t value)
{
    const struct gpu_audit_pdp_load *ld = gpu_audit_get_pdp_load(s, i);
    const struct gpu_audit_pdp_write *w = ld ? gpu_audit_get_pdp_write(s, ld, j)
                                             : NULL;

    if ( !s->finished || s->verdict.reason != XEN_GPU_AUDIT_OK || !w )
        return -EINVAL;
    gpu_audit_copy_set_dw(&s->bufs[ld->buf], w->offset / 4, value);

    return 0;
}

uint64_t gpu_audit_sub_commands(const struct gpu_audit_sub *s)
{
    return s->cmds;
}

uint64_t gpu_audit_sub_bytes(const struct gpu_audit_sub *s)
{
    return s->bytes;
}
