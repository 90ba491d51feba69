/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One submission: the buffers it reaches, the jumps between them, the
 * limits, and the verdict.
 *
 * Buffers are scanned in execution order with an explicit frame stack
 * (ring, first-level batch, second-level batch), so the scan never recurses
 * and can stop after any command and resume later (GPU_STEP_RESTART).
 */
#include "sub.h"

unsigned int sub_class(const struct gpu_audit_buf *b)
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

#define GPU_AUDIT_MAX_NOTES 4096

int sub_note(struct gpu_audit_sub *s, unsigned int kind, uint32_t buf,
             uint32_t off, uint32_t header)
{
    struct gpu_audit_note *n;
    int rc = grow((void **)&s->notes, s->nr_notes, &s->max_notes,
                  sizeof(*n), GPU_AUDIT_MAX_NOTES);

    if ( rc )
        return rc == -E2BIG ? XEN_GPU_AUDIT_LIMIT_CMDS : XEN_GPU_AUDIT_NO_MEMORY;
    n = &s->notes[s->nr_notes++];
    n->kind = kind;
    n->buf = buf;
    n->offset = off;
    n->header = header;

    return 0;
}

int sub_reject(struct gpu_audit_sub *s, unsigned int reason, uint32_t buf,
               uint32_t off)
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
int sub_ensure(struct gpu_audit_sub *s, struct gpu_audit_buf *b, uint32_t end)
{
    uint32_t before = b->len, limit = b->limit;
    int rc = copy_ensure(b, s->v, s->mem, s->priv, end);

    s->bytes += b->len - before;
    if ( s->bytes > s->v->limits.max_bytes )
        return XEN_GPU_AUDIT_LIMIT_BYTES;
    /* A ring segment is fully mapped: a short read is a fault. */
    if ( rc == GPU_COPY_END && b->wrap_size && b->limit < limit )
        return XEN_GPU_AUDIT_READ_FAULT;

    return rc;
}

static int new_buf(struct gpu_audit_sub *s, unsigned int space,
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
    /* The submission's byte limit applies in sub_ensure(), to all buffers. */
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

void sub_pop(struct gpu_audit_sub *s)
{
    struct gpu_audit_buf *b;

    ASSERT(s->depth);
    b = &s->bufs[s->frames[--s->depth].buf];
    copy_seal(b);
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

    return 0;
}

/*
 * Enter the batch at addr as a jump from buffer 'from' (or from the
 * implicit ring when from < 0).  Leaves the frame stack unchanged on error.
 */
static int enter_batch(struct gpu_audit_sub *s, int from, uint32_t op_off,
                       unsigned int space, uint64_t addr, unsigned int level)
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
    idx = new_buf(s, space, addr, level, kind, batch_limit(s, space, addr));
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
int sub_log_store(struct gpu_audit_sub *s, unsigned int space, uint64_t addr,
                  uint32_t val)
{
    struct gpu_audit_store *st = &s->log[s->log_next];
    unsigned int i;

    for ( i = 0; i < s->nr_relocs; i++ )
    {
        struct gpu_audit_buf *b = &s->bufs[s->relocs[i].buf];
        uint64_t op = b->gaddr + s->relocs[i].offset;

        if ( b->space == space && addr >= op && addr - op < 8 &&
             gpu_audit_buf_dw(b, (s->relocs[i].offset + (addr - op)) / 4) != val )
            b->stale = true;
    }

    st->space = space;
    st->addr = addr;
    st->val = val;
    s->log_next = (s->log_next + 1) % GPU_AUDIT_STORE_LOG;
    if ( s->log_count < GPU_AUDIT_STORE_LOG )
        s->log_count++;

    return 0;
}

/* MI_BATCH_BUFFER_START at off in the current frame's buffer. */
int sub_jump(struct gpu_audit_sub *s, const struct gpu_cmd_desc *d,
             const struct gpu_cmd_operand *o, uint32_t off, unsigned int len)
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
            copy_set_dw(b, op_off / 4 + i, val);
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
        rc = enter_batch(s, fbuf, op_off, space, addr, 1);
        if ( rc != 0 && rc != GPU_STEP_FRAME )
        {
            s->depth++;
            s->frames[s->depth - 1].off = saved;
            return rc;
        }
        /* enter_batch() may have moved the buffer array. */
        copy_seal(&s->bufs[fbuf]);
        return GPU_STEP_FRAME;
    }

    f->off = off + 4 * len;
    rc = enter_batch(s, fbuf, op_off, space, addr, new_level);
    if ( rc != 0 && rc != GPU_STEP_FRAME )
    {
        f->off = off;
        return rc;
    }
    return GPU_STEP_FRAME;
}

/* Public API */

void gpu_audit_vgpu_init(struct gpu_audit_vgpu *v,
                         const struct gpu_audit_table *t)
{
    memset(v, 0, sizeof(*v));
    spin_lock_init(&v->lock);
    v->table = t;
    v->limits.max_bytes = GPU_AUDIT_DEFAULT_MAX_BYTES;
    v->limits.max_cmds = GPU_AUDIT_DEFAULT_MAX_CMDS;
    v->limits.max_buffers = GPU_AUDIT_DEFAULT_MAX_BUFFERS;
    v->limits.max_chain = GPU_AUDIT_DEFAULT_MAX_CHAIN;
    v->limits.chunk_bytes = GPU_AUDIT_DEFAULT_CHUNK;
    v->limits.pool_pages = GPU_AUDIT_DEFAULT_POOL_PAGES;
}

/* Free what the vGPU holds; no submission of it may be alive. */
void gpu_audit_vgpu_destroy(struct gpu_audit_vgpu *v)
{
    copy_pool_drain(v);
}

int gpu_audit_vgpu_add_slice(struct gpu_audit_vgpu *v, uint64_t base,
                             uint64_t size)
{
    unsigned int i;

    if ( v->nr_slices == GPU_AUDIT_MAX_SLICES || !size ||
         base + size < base || ((base | size) & (PAGE_SIZE - 1)) )
        return -EINVAL;
    for ( i = 0; i < v->nr_slices; i++ )
        if ( base < v->slices[i].base + v->slices[i].size &&
             v->slices[i].base < base + size )
            return -EEXIST;
    v->slices[v->nr_slices].base = base;
    v->slices[v->nr_slices].size = size;
    v->nr_slices++;

    return 0;
}

bool gpu_audit_ggtt_range_ok(const struct gpu_audit_vgpu *v, uint64_t addr,
                             uint64_t size)
{
    unsigned int i;

    for ( i = 0; i < v->nr_slices; i++ )
    {
        const struct gpu_audit_slice *sl = &v->slices[i];

        /* [addr, addr + size) wholly inside; no overflowing sums. */
        if ( addr >= sl->base && size <= sl->size &&
             addr - sl->base <= sl->size - size )
            return true;
    }

    return false;
}

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
    struct gpu_audit_counters *c = &s->v->counters;
    unsigned int i;

    /* Accepted: the copy gets the vGPU's values of virtualised registers. */
    if ( !reason )
        reason = reg_rewrite(s);

    s->finished = true;
    if ( !reason )
    {
        /* Accepted: whatever is still open was fully scanned. */
        memset(&s->verdict, 0, sizeof(s->verdict));
        while ( s->depth )
            sub_pop(s);
        for ( i = 0; i < s->nr_bufs; i++ )
            if ( !s->bufs[i].done )
                copy_seal(&s->bufs[i]);
    }
    else
        s->verdict.reason = reason;

    spin_lock(&s->v->lock);
    if ( !reason )
        c->accepted++;
    else
        c->rejected++;
    c->submissions++;
    c->by_reason[reason < XEN_GPU_AUDIT_NR ? reason : 0]++;
    c->commands += s->cmds;
    c->bytes += s->bytes;
    c->neutralised += s->neutralised;
    c->restarts += s->restarts;
    spin_unlock(&s->v->lock);

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
        sub_reject(s, XEN_GPU_AUDIT_RING_BOUNDS, ~0u, 0);
        return sub_finish(s, XEN_GPU_AUDIT_RING_BOUNDS);
    }

    seg = ring->tail >= ring->head ? ring->tail - ring->head
                                   : ring->size - ring->head + ring->tail;

    idx = new_buf(s, GPU_SPACE_GGTT, ring->start + ring->head, 0,
                  XEN_GPU_BUF_RING, seg);
    if ( idx < 0 )
    {
        sub_reject(s, -idx, ~0u, 0);
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

    rc = enter_batch(s, -1, 0, space, addr, 1);
    if ( rc > 0 )
    {
        sub_reject(s, rc, ~0u, 0);
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

    rc = parser_scan(s, s->v->limits.chunk_bytes);
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
        copy_free(&s->bufs[i], s->v);
    xfree(s->bufs);
    xfree(s->relocs);
    xfree(s->notes);
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

unsigned int gpu_audit_nr_notes(const struct gpu_audit_sub *s)
{
    return s->nr_notes;
}

const struct gpu_audit_note *gpu_audit_get_note(const struct gpu_audit_sub *s,
                                                unsigned int i)
{
    return i < s->nr_notes ? &s->notes[i] : NULL;
}

int gpu_audit_set_pdp_value(struct gpu_audit_sub *s, unsigned int i,
                            uint32_t value)
{
    const struct gpu_audit_note *n = gpu_audit_get_note(s, i);

    if ( !s->finished || s->verdict.reason != XEN_GPU_AUDIT_OK || !n ||
         n->kind != GPU_NOTE_PDP_LOAD )
        return -EINVAL;
    copy_set_dw(&s->bufs[n->buf], n->offset / 4, value);

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
