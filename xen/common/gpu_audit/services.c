/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the parser calls on while it scans a submission (services.h): the
 * buffers and the frame stack, jumps and their relocations, the log of
 * immediate stores, notes, and the verdict.  Nothing here scans: the data
 * of a submission flows from the driver (submission.c) down through the
 * parser (parser.c) to these, never back up.
 */
#include "reloc_index.h"
#include "services.h"

#define GPU_AUDIT_MAX_NOTES 4096

unsigned int gpu_audit_sub_class(const struct gpu_audit_buf *b)
{
    if ( b->kind == XEN_GPU_BUF_RING )
        return GPU_CLASS_RING;
    return b->space == GPU_SPACE_GGTT ? GPU_CLASS_GGTT : GPU_CLASS_PPGTT;
}

/* Grow a dynamic array by doubling; elements are zeroed. */
static int grow(void **arr, unsigned int nr, unsigned int *max, size_t elem,
                unsigned int cap)
{
    unsigned int n;
    void *na;

    if ( nr < *max )
        return 0;
    if ( *max >= cap )
        return -E2BIG;
    n = *max ? *max * 2 : 8;
    if ( n > cap )
        n = cap;
    na = xzalloc_bytes(n * elem);
    if ( !na )
        return -ENOMEM;
    if ( nr )
        memcpy(na, *arr, nr * elem);
    xfree(*arr);
    *arr = na;
    *max = n;

    return 0;
}

/* A grow() failure as a reason. */
static int grow_reason(int rc)
{
    return rc == -E2BIG ? XEN_GPU_AUDIT_LIMIT_CMDS : XEN_GPU_AUDIT_NO_MEMORY;
}

int gpu_audit_sub_note(struct gpu_audit_sub *s, unsigned int kind, uint32_t buf,
                       uint32_t off, uint32_t header)
{
    struct gpu_audit_note *n;
    int rc = grow((void **)&s->notes, s->nr_notes, &s->max_notes,
                  sizeof(*n), GPU_AUDIT_MAX_NOTES);

    if ( rc )
        return grow_reason(rc);
    n = &s->notes[s->nr_notes++];
    n->kind = kind;
    n->buf = buf;
    n->offset = off;
    n->header = header;

    return 0;
}

int gpu_audit_sub_pdp_write(struct gpu_audit_sub *s, uint32_t buf,
                            uint32_t cmd_off, unsigned int index,
                            uint32_t val_off, uint32_t value)
{
    struct gpu_audit_pdp_load *ld = s->nr_pdp_loads
                                    ? &s->pdp_loads[s->nr_pdp_loads - 1] : NULL;
    struct gpu_audit_pdp_write *w;
    int rc = grow((void **)&s->pdp_writes, s->nr_pdp_writes,
                  &s->max_pdp_writes, sizeof(*w), GPU_AUDIT_MAX_NOTES);

    if ( rc )
        return grow_reason(rc);
    if ( !ld || ld->buf != buf || ld->offset != cmd_off )
    {
        /* The first PDP write of this LRI. */
        rc = grow((void **)&s->pdp_loads, s->nr_pdp_loads, &s->max_pdp_loads,
                  sizeof(*ld), GPU_AUDIT_MAX_NOTES);
        if ( rc )
            return grow_reason(rc);
        ld = &s->pdp_loads[s->nr_pdp_loads++];
        ld->buf = buf;
        ld->offset = cmd_off;
        ld->first = s->nr_pdp_writes;
        ld->nr = 0;
    }
    w = &s->pdp_writes[s->nr_pdp_writes++];
    w->index = index;
    w->offset = val_off;
    w->value = value;
    ld->nr++;

    return 0;
}

int gpu_audit_sub_reject(struct gpu_audit_sub *s, unsigned int reason,
                         uint32_t buf, uint32_t off)
{
    struct gpu_audit_verdict *v = &s->verdict;

    v->reason = reason;
    v->buffer = buf;
    v->offset = off;
    v->header = 0;
    v->cmd = NULL;
    v->gaddr = 0;
    if ( buf < s->nr_bufs )
    {
        const struct gpu_audit_buf *b = &s->bufs[buf];

        v->gaddr = b->gaddr + off;
        if ( off + 4 <= b->len )
        {
            const struct gpu_cmd_desc *d;

            v->header = gpu_audit_buf_dw(b, off / 4);
            d = gpu_audit_lookup(s->t, s->engine, v->header);
            v->cmd = d ? d->name : NULL;
        }
    }

    return reason;
}

/* Copy more of a buffer, with the submission's byte limit. */
int gpu_audit_sub_ensure(struct gpu_audit_sub *s, struct gpu_audit_buf *b,
                         uint32_t end)
{
    uint32_t before = b->len, limit = b->limit;
    int rc = gpu_audit_copy_ensure(b, s->v, s->mem, s->priv, end);

    s->bytes += b->len - before;
    if ( s->bytes > s->v->limits.max_bytes )
        return XEN_GPU_AUDIT_LIMIT_BYTES;
    /* A ring segment is fully mapped: a short read is a fault. */
    if ( rc == GPU_COPY_END && b->wrap_size && b->limit < limit )
        return XEN_GPU_AUDIT_READ_FAULT;

    return rc;
}

int gpu_audit_sub_new_buf(struct gpu_audit_sub *s, unsigned int space,
                          uint64_t gaddr, unsigned int level, unsigned int kind,
                          uint32_t limit)
{
    struct gpu_audit_buf *b;
    int rc = grow((void **)&s->bufs, s->nr_bufs, &s->max_bufs, sizeof(*b),
                  s->v->limits.max_buffers);

    if ( rc )
        return rc == -E2BIG ? -XEN_GPU_AUDIT_LIMIT_BUFFERS
                            : -XEN_GPU_AUDIT_NO_MEMORY;
    b = &s->bufs[s->nr_bufs];
    memset(b, 0, sizeof(*b));
    b->gaddr = gaddr;
    b->space = space;
    b->level = level;
    b->kind = kind;
    b->limit = limit;

    return s->nr_bufs++;
}

static uint32_t batch_limit(const struct gpu_audit_sub *s, unsigned int space,
                            uint64_t addr)
{
    /*
     * The submission's byte limit applies in gpu_audit_sub_ensure(), to all
     * buffers.
     */
    uint64_t lim = UINT32_MAX;
    unsigned int i;

    /* A GGTT batch may not leave the slice it starts in. */
    if ( space == GPU_SPACE_GGTT )
        for ( i = 0; i < s->v->nr_slices; i++ )
        {
            const struct gpu_audit_slice *sl = &s->v->slices[i];

            if ( addr >= sl->base && addr - sl->base < sl->size &&
                 sl->size - (addr - sl->base) < lim )
                lim = sl->size - (addr - sl->base);
        }

    return lim & ~3u;
}

void gpu_audit_sub_pop(struct gpu_audit_sub *s)
{
    struct gpu_audit_buf *b;

    ASSERT(s->depth);
    b = &s->bufs[s->frames[--s->depth].buf];
    gpu_audit_copy_seal(b);
}

/* Find an audited command start at addr, or say why a jump there is bad. */
static int find_target(const struct gpu_audit_sub *s, unsigned int space,
                       uint64_t addr, unsigned int level, int *found)
{
    unsigned int i;

    *found = -1;
    for ( i = 0; i < s->nr_bufs; i++ )
    {
        const struct gpu_audit_buf *b = &s->bufs[i];

        if ( b->space != space || addr < b->gaddr ||
             addr - b->gaddr >= b->scanned )
            continue;
        if ( b->kind == XEN_GPU_BUF_RING )
            return XEN_GPU_AUDIT_JUMP_LEVEL;
        if ( !gpu_audit_buf_is_start(b, addr - b->gaddr) )
            return XEN_GPU_AUDIT_JUMP_MID_CMD;
        if ( *found < 0 && !b->stale && b->level == level )
            *found = i;
    }

    return 0;
}

static int add_reloc(struct gpu_audit_sub *s, uint32_t buf, uint32_t off,
                     uint32_t target_buf, uint32_t target_off)
{
    struct gpu_audit_reloc *r;
    int rc = grow((void **)&s->relocs, s->nr_relocs, &s->max_relocs,
                  sizeof(*r), s->v->limits.max_chain + 1);

    if ( rc )
        return rc == -E2BIG ? XEN_GPU_AUDIT_LIMIT_BUFFERS : XEN_GPU_AUDIT_NO_MEMORY;
    r = &s->relocs[s->nr_relocs++];
    r->buf = buf;
    r->offset = off;
    r->target_buf = target_buf;
    r->target_offset = target_off;

    return gpu_audit_reloc_index_add(s);
}

/*
 * Enter the batch at addr as a jump from buffer 'from' (or from the
 * implicit ring when from < 0).  Leaves the frame stack unchanged on error.
 */
int gpu_audit_sub_enter_batch(struct gpu_audit_sub *s, int from,
                              uint32_t op_off, unsigned int space,
                              uint64_t addr, unsigned int level)
{
    unsigned int kind;
    int found, idx, rc;

    if ( addr & 3 )
        return XEN_GPU_AUDIT_JUMP_UNALIGNED;
    if ( space == GPU_SPACE_GGTT && !gpu_audit_ggtt_range_ok(s->v, addr, 4) )
        return XEN_GPU_AUDIT_GGTT_RANGE;
    if ( ++s->jumps > s->v->limits.max_chain )
        return XEN_GPU_AUDIT_LIMIT_BUFFERS;

    rc = find_target(s, space, addr, level, &found);
    if ( rc )
        return rc;

    if ( found >= 0 )
    {
        /* Already audited from there on, with the same meaning. */
        if ( from >= 0 )
            return add_reloc(s, from, op_off, found,
                             addr - s->bufs[found].gaddr);
        return 0;
    }

    kind = level == 2 ? XEN_GPU_BUF_BATCH_L2 :
           space == GPU_SPACE_GGTT ? XEN_GPU_BUF_BATCH_GGTT : XEN_GPU_BUF_BATCH;
    idx = gpu_audit_sub_new_buf(s, space, addr, level, kind,
                                batch_limit(s, space, addr));
    if ( idx < 0 )
        return -idx;
    if ( from >= 0 )
    {
        rc = add_reloc(s, from, op_off, idx, 0);
        if ( rc )
            return rc;
    }

    ASSERT(s->depth < GPU_AUDIT_MAX_FRAMES);
    s->frames[s->depth].buf = idx;
    s->frames[s->depth].off = 0;
    s->depth++;

    return GPU_STEP_FRAME;
}

/* Latest logged store covering one dword, if any. */
static bool log_find(const struct gpu_audit_sub *s, unsigned int space,
                     uint64_t addr, uint32_t *val)
{
    unsigned int i;

    for ( i = 0; i < s->log_count; i++ )
    {
        const struct gpu_audit_store *st =
            &s->log[(s->log_next + GPU_AUDIT_STORE_LOG - 1 - i) %
                    GPU_AUDIT_STORE_LOG];

        if ( st->space == space && st->addr == addr )
        {
            *val = st->val;
            return true;
        }
    }

    return false;
}

/*
 * Remember an immediate store.  A store into the address operand of a jump
 * already audited makes that buffer stale: later jumps to it audit a fresh
 * copy that sees the new operand, earlier ones keep the copy they had.
 */
int gpu_audit_sub_log_store(struct gpu_audit_sub *s, unsigned int space,
                            uint64_t addr, uint32_t val)
{
    struct gpu_audit_store *st = &s->log[s->log_next];

    gpu_audit_reloc_index_store(s, space, addr, val);
    st->space = space;
    st->addr = addr;
    st->val = val;
    s->log_next = (s->log_next + 1) % GPU_AUDIT_STORE_LOG;
    if ( s->log_count < GPU_AUDIT_STORE_LOG )
        s->log_count++;

    return 0;
}

/* MI_BATCH_BUFFER_START at off in the current frame's buffer. */
int gpu_audit_sub_jump(struct gpu_audit_sub *s, const struct gpu_cmd_desc *d,
                       const struct gpu_cmd_operand *o, uint32_t off,
                       unsigned int len)
{
    struct gpu_audit_frame *f = &s->frames[s->depth - 1];
    uint32_t fbuf = f->buf;
    struct gpu_audit_buf *b = &s->bufs[fbuf];
    uint32_t op_off = off + 4 * o->dw;
    unsigned int level = b->level, space, new_level, i;
    bool second;
    uint64_t addr;
    int rc;

    /* A jump operand a batch patched at run time: take the stored value. */
    for ( i = 0; i < o->addr_dws; i++ )
    {
        uint32_t val;

        if ( log_find(s, b->space, b->gaddr + op_off + 4 * i, &val) )
            gpu_audit_copy_set_dw(b, op_off / 4 + i, val);
    }

    addr = gpu_audit_buf_dw(b, op_off / 4) & o->addr_lo_mask;
    if ( o->addr_dws > 1 )
        addr |= (uint64_t)(gpu_audit_buf_dw(b, op_off / 4 + 1) &
                           o->addr_hi_mask) << 32;
    space = (o->ggtt.mask &&
             ((gpu_audit_buf_dw(b, off / 4 + o->ggtt.dw) & o->ggtt.mask) ==
              o->ggtt.val) != o->ggtt.ne) ? GPU_SPACE_GGTT : GPU_SPACE_PPGTT;
    second = o->level2.mask &&
             (((gpu_audit_buf_dw(b, off / 4 + o->level2.dw) & o->level2.mask) ==
               o->level2.val) != o->level2.ne);

    if ( level == 2 || (level == 0 && second) )
        return XEN_GPU_AUDIT_JUMP_LEVEL;
    if ( b->space == GPU_SPACE_PPGTT && level && space == GPU_SPACE_GGTT )
        return XEN_GPU_AUDIT_JUMP_SPACE;
    new_level = second ? 2 : 1;

    /* Where the current frame goes on (or ends) after this command. */
    b->scanned = off + 4 * len;
    if ( new_level == 1 && level == 1 )
    {
        /* Chained: this batch ends here. */
        uint32_t saved = f->off;

        s->depth--;
        rc = gpu_audit_sub_enter_batch(s, fbuf, op_off, space, addr, 1);
        if ( rc != 0 && rc != GPU_STEP_FRAME )
        {
            s->depth++;
            s->frames[s->depth - 1].off = saved;
            return rc;
        }
        /* enter_batch() may have moved the buffer array. */
        gpu_audit_copy_seal(&s->bufs[fbuf]);
        return GPU_STEP_FRAME;
    }

    f->off = off + 4 * len;
    rc = gpu_audit_sub_enter_batch(s, fbuf, op_off, space, addr, new_level);
    if ( rc != 0 && rc != GPU_STEP_FRAME )
    {
        f->off = off;
        return rc;
    }
    return GPU_STEP_FRAME;
}
