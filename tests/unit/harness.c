/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit-test harness for the GPU command auditor (see harness.h). */
#include "harness.h"

/* Fixture ----------------------------------------------------------------- */

struct mem fx_mem;
static struct alloc_mark fx_mark;

void alloc_mark_take(struct alloc_mark *a)
{
    a->xmalloc = host_alloc_stats.xmalloc_live;
    a->pages = host_alloc_stats.pages_live;
}

void assert_allocs_back(const struct alloc_mark *a)
{
    assert_int_equal(host_alloc_stats.xmalloc_live, a->xmalloc);
    assert_int_equal(host_alloc_stats.pages_live, a->pages);
}

int fixture_setup(void **state)
{
    (void)state;
    table_for(8);         /* tables live for the whole run: not counted */
    table_for(9);
    alloc_mark_take(&fx_mark);
    mem_init(&fx_mem);
    return 0;
}

int fixture_teardown(void **state)
{
    (void)state;
    host_alloc_stats.fail_after = -1;
    mem_free(&fx_mem);
    assert_allocs_back(&fx_mark);
    return 0;
}

/* Guest memory ------------------------------------------------------------ */

void mem_init(struct mem *m)
{
    memset(m, 0, sizeof(*m));
}

void mem_free(struct mem *m)
{
    unsigned int i;

    for ( i = 0; i < m->nr; i++ )
    {
        free(m->r[i].dw);
        free(m->r[i].reads);
    }
    m->nr = 0;
}

struct mem_region *mem_add(struct mem *m, unsigned int space, uint64_t addr,
                           uint32_t size)
{
    struct mem_region *r;

    assert_true(m->nr < MEM_MAX_REGIONS);
    assert_int_equal(size & 3, 0);
    assert_int_equal(addr & 3, 0);
    r = &m->r[m->nr++];
    memset(r, 0, sizeof(*r));
    r->space = space;
    r->addr = addr;
    r->size = size;
    r->dw = calloc(1, size ? size : 4);
    r->reads = calloc(1, size ? size : 1);
    assert_non_null(r->dw);
    assert_non_null(r->reads);

    return r;
}

struct mem_region *mem_find(struct mem *m, unsigned int space, uint64_t addr)
{
    unsigned int i;

    for ( i = 0; i < m->nr; i++ )
    {
        struct mem_region *r = &m->r[i];

        if ( r->space == space && addr >= r->addr && addr - r->addr < r->size )
            return r;
    }

    return NULL;
}

void mem_poke(struct mem *m, unsigned int space, uint64_t addr, uint32_t val)
{
    struct mem_region *r = mem_find(m, space, addr);

    assert_non_null(r);
    r->dw[(addr - r->addr) / 4] = val;
}

uint32_t mem_peek(struct mem *m, unsigned int space, uint64_t addr)
{
    struct mem_region *r = mem_find(m, space, addr);

    assert_non_null(r);
    return r->dw[(addr - r->addr) / 4];
}

unsigned int mem_max_reads(const struct mem *m)
{
    unsigned int i, max = 0;
    uint32_t j;

    for ( i = 0; i < m->nr; i++ )
        for ( j = 0; j < m->r[i].size; j++ )
            if ( m->r[i].reads[j] > max )
                max = m->r[i].reads[j];

    return max;
}

void mem_reset_reads(struct mem *m)
{
    unsigned int i;

    for ( i = 0; i < m->nr; i++ )
        memset(m->r[i].reads, 0, m->r[i].size);
    m->read_calls = 0;
}

static int mem_read(void *priv, unsigned int space, uint64_t addr, void *dst,
                    unsigned int len)
{
    struct mem *m = priv;
    struct mem_region *r = mem_find(m, space, addr);
    uint64_t n, i;

    m->read_calls++;
    if ( !r )
        return 0;
    if ( r->fault )
        return -EIO;
    n = r->size - (addr - r->addr);
    if ( n > len )
        n = len;
    memcpy(dst, (uint8_t *)r->dw + (addr - r->addr), n);
    for ( i = 0; i < n; i++ )
        if ( r->reads[addr - r->addr + i] < UINT8_MAX )
            r->reads[addr - r->addr + i]++;

    return n;
}

const struct gpu_audit_mem_ops mem_ops = { .read = mem_read };

/* Batch builder ----------------------------------------------------------- */

void bb_init(struct bb *b, struct mem_region *r)
{
    b->r = r;
    b->pos = 0;
}


void bb_add(struct bb *b, struct mem *m, unsigned int space, uint64_t addr,
            uint32_t size)
{
    bb_init(b, mem_add(m, space, addr, size));
}

uint32_t bb_emit(struct bb *b, uint32_t dw)
{
    assert_true(b->pos < b->r->size / 4);
    b->r->dw[b->pos] = dw;
    return b->pos++;
}

void bb_emit_n(struct bb *b, const uint32_t *dws, unsigned int n)
{
    unsigned int i;

    for ( i = 0; i < n; i++ )
        bb_emit(b, dws[i]);
}

uint32_t bb_off(const struct bb *b)
{
    return DW(b->pos);
}

uint64_t bb_gaddr(const struct bb *b)
{
    return b->r->addr + DW(b->pos);
}

/* A header, then the address as two dwords, then the rest. */
static uint32_t emit_addr_cmd(struct bb *b, uint32_t hdr, uint32_t pre,
                              bool has_pre, uint64_t addr,
                              const uint32_t *post, unsigned int nr_post)
{
    uint32_t at = bb_emit(b, hdr);

    if ( has_pre )
        bb_emit(b, pre);
    bb_emit(b, (uint32_t)addr);
    bb_emit(b, (uint32_t)(addr >> 32));
    bb_emit_n(b, post, nr_post);

    return at;
}

uint32_t emit_noops(struct bb *b, unsigned int n)
{
    uint32_t at = b->pos;

    while ( n-- )
        bb_emit(b, MI_NOOP);
    return at;
}

uint32_t emit_bbe(struct bb *b)
{
    return bb_emit(b, MI_BATCH_BUFFER_END);
}

uint32_t emit_bb_start(struct bb *b, uint64_t addr, bool ppgtt, bool second)
{
    return emit_addr_cmd(b, MI_BATCH_BUFFER_START | (ppgtt ? BB_PPGTT : 0) |
                         (second ? BB_SECOND_LEVEL : 0), 0, false, addr,
                         NULL, 0);
}

uint32_t emit_lri_n(struct bb *b, const uint32_t *pairs, unsigned int n)
{
    uint32_t at = bb_emit(b, MI_LOAD_REGISTER_IMM | (2 * n - 1));

    bb_emit_n(b, pairs, 2 * n);
    return at;
}

uint32_t emit_lri(struct bb *b, uint32_t reg, uint32_t val)
{
    uint32_t pair[2] = { reg, val };

    return emit_lri_n(b, pair, 1);
}

uint32_t emit_srm(struct bb *b, uint32_t reg, uint64_t addr, bool ggtt)
{
    return emit_addr_cmd(b, MI_STORE_REGISTER_MEM | (ggtt ? MI_USE_GGTT : 0),
                         reg, true, addr, NULL, 0);
}

uint32_t emit_lrm(struct bb *b, uint32_t reg, uint64_t addr, bool ggtt)
{
    return emit_addr_cmd(b, MI_LOAD_REGISTER_MEM | (ggtt ? MI_USE_GGTT : 0),
                         reg, true, addr, NULL, 0);
}

uint32_t emit_lrr(struct bb *b, uint32_t src, uint32_t dst)
{
    uint32_t at = bb_emit(b, MI_LOAD_REGISTER_REG);

    bb_emit(b, src);
    bb_emit(b, dst);
    return at;
}

uint32_t emit_sdi_raw(struct bb *b, uint32_t flags, uint64_t addr,
                      const uint32_t *data, unsigned int n)
{
    return emit_addr_cmd(b, MI_STORE_DATA_IMM | flags | (n + 1), 0, false,
                         addr, data, n);
}

uint32_t emit_sdi(struct bb *b, uint64_t addr, uint32_t val, bool ggtt,
                  bool qword)
{
    uint32_t data[2] = { val, 0 };

    return emit_sdi_raw(b, (ggtt ? MI_USE_GGTT : 0) | (qword ? SDI_QWORD : 0),
                        addr, data, qword ? 2 : 1);
}

uint32_t emit_pipe_control(struct bb *b, uint32_t flags, uint64_t addr,
                           bool ggtt)
{
    static const uint32_t data[2] = { 0x12000000, 0 };

    return emit_addr_cmd(b, GFX_OP_PIPE_CONTROL, flags | (ggtt ? PC_GGTT : 0),
                         true, addr, data, 2);
}

uint32_t emit_flush_dw(struct bb *b, uint64_t addr, bool ggtt, bool post)
{
    static const uint32_t data[2] = { 0, 0 };

    /* 5 dwords: header, address (bit 2: GGTT), high address, qword data. */
    return emit_addr_cmd(b, MI_FLUSH_DW | 3 | (post ? PC_QW_WRITE : 0), 0,
                         false, addr | (ggtt ? 4 : 0), data, 2);
}

uint32_t emit_cond_bbe(struct bb *b, uint64_t addr, bool ggtt)
{
    return emit_addr_cmd(b, MI_COND_BATCH_BUFFER_END | (ggtt ? MI_USE_GGTT : 0),
                         0, true, addr, NULL, 0);
}

uint32_t emit_atomic(struct bb *b, uint64_t addr, bool ggtt)
{
    return emit_addr_cmd(b, MI_ATOMIC | (ggtt ? MI_USE_GGTT : 0), 0, false,
                         addr, NULL, 0);
}

uint32_t emit_cmd(struct bb *b, uint32_t header, unsigned int len)
{
    uint32_t at = bb_emit(b, header);

    while ( --len )
        bb_emit(b, 0);
    return at;
}

uint32_t emit_blt(struct bb *b)
{
    return emit_cmd(b, XY_SRC_COPY_BLT, BLT_DWS);
}

uint32_t emit_set_context(struct bb *b)
{
    /* MI_SET_CONTEXT, 2 dwords: header and the context address. */
    return emit_cmd(b, MI_SET_CONTEXT, 2);
}

uint32_t emit_arb_on_off(struct bb *b, bool on)
{
    return bb_emit(b, MI_ARB_ON_OFF | (on ? 1 : 0));
}

uint32_t emit_display_flip(struct bb *b)
{
    /* 3 dwords: header (plane), pitch/tiling, surface address. */
    uint32_t at = bb_emit(b, MI_DISPLAY_FLIP | 1);

    bb_emit(b, 0x1000);
    bb_emit(b, 0x200000);
    return at;
}

/* Audits ------------------------------------------------------------------ */

struct audit_opts audit_defaults = {
    .nr_slices = 1,
    .slices = { { .base = 0, .size = 0x10000000 } },
};

void audit_opts_default(struct audit_opts *o)
{
    *o = audit_defaults;
}

const struct gpu_audit_table *table_for(unsigned int gen)
{
    /* One table per generation for the whole program: never freed. */
    static struct gpu_audit_table tables[2];
    static bool ready[2];
    unsigned int i = gen == 8 ? 0 : 1;

    assert_true(gen == 8 || gen == 9);
    if ( !ready[i] )
    {
        assert_int_equal(gpu_audit_table_init(&tables[i],
                                              gpu_audit_spec_for_gen(gen)), 0);
        ready[i] = true;
    }

    return &tables[i];
}

void vgpu_setup(struct gpu_audit_vgpu *v, unsigned int gen,
                const struct audit_opts *o)
{
    const struct gpu_audit_limits *l;
    unsigned int i;

    if ( !o )
        o = &audit_defaults;
    l = &o->limits;
    gpu_audit_vgpu_init(v, table_for(gen));
    for ( i = 0; i < o->nr_slices; i++ )
        assert_int_equal(gpu_audit_vgpu_add_slice(v, o->slices[i].base,
                                                  o->slices[i].size), 0);
    if ( l->max_bytes )
        v->limits.max_bytes = l->max_bytes;
    if ( l->max_cmds )
        v->limits.max_cmds = l->max_cmds;
    if ( l->max_buffers )
        v->limits.max_buffers = l->max_buffers;
    if ( l->max_chain )
        v->limits.max_chain = l->max_chain;
    if ( l->chunk_bytes )
        v->limits.chunk_bytes = l->chunk_bytes;
}

struct gpu_audit_sub *sub_new(struct gpu_audit_vgpu *v, struct mem *m,
                              unsigned int engine)
{
    struct gpu_audit_sub *s = gpu_audit_sub_create(v, engine, &mem_ops, m);

    assert_non_null(s);
    assert_null(gpu_audit_get_verdict(s));
    return s;
}

const struct gpu_audit_verdict *sub_finish(struct gpu_audit_sub *s,
                                           unsigned int *restarts)
{
    const struct gpu_audit_verdict *v;
    unsigned int n = 0;
    int rc;

    while ( (rc = gpu_audit_run(s)) == -ERESTART )
    {
        assert_null(gpu_audit_get_verdict(s));
        n++;
        assert_true(n < 100000000u);
    }
    assert_int_equal(rc, 0);
    v = gpu_audit_get_verdict(s);
    assert_non_null(v);
    if ( restarts )
        *restarts += n;

    return v;
}

struct gpu_audit_sub *sub_batch(struct gpu_audit_vgpu *v, struct mem *m,
                                unsigned int engine, unsigned int space,
                                uint64_t addr)
{
    struct gpu_audit_sub *s = sub_new(v, m, engine);

    assert_int_equal(gpu_audit_sub_start_batch(s, space, addr), 0);
    sub_finish(s, NULL);
    return s;
}

void run_keep(struct audit_run *r, struct mem *m, unsigned int gen,
              unsigned int engine, const struct audit_opts *o,
              unsigned int space, uint64_t addr,
              const struct gpu_audit_ring *ring)
{
    const struct gpu_audit_verdict *v;
    int rc;

    memset(r, 0, sizeof(*r));
    table_for(gen);       /* tables live for the whole run: not counted */
    alloc_mark_take(&r->mark);
    vgpu_setup(&r->vgpu, gen, o);

    r->sub = sub_new(&r->vgpu, m, engine);
    if ( o && o->trace )
        gpu_audit_sub_set_trace(r->sub, o->trace);
    rc = ring ? gpu_audit_sub_start_ring(r->sub, ring)
              : gpu_audit_sub_start_batch(r->sub, space, addr);
    assert_int_equal(rc, 0);

    v = sub_finish(r->sub, &r->res.restarts);
    r->res.reason = v->reason;
    r->res.buffer = v->buffer;
    r->res.offset = v->offset;
    r->res.gaddr = v->gaddr;
    assert_string_not_equal(gpu_audit_reason_name(v->reason), "invalid");
}

void run_done(struct audit_run *r)
{
    gpu_audit_sub_destroy(r->sub);
    r->sub = NULL;
    gpu_audit_vgpu_destroy(&r->vgpu);
    assert_allocs_back(&r->mark);
}

static uint32_t audit_once(struct mem *m, unsigned int gen,
                           unsigned int engine, const struct audit_opts *o,
                           unsigned int space, uint64_t addr,
                           const struct gpu_audit_ring *ring,
                           struct audit_res *out)
{
    struct audit_run r;

    run_keep(&r, m, gen, engine, o, space, addr, ring);
    run_done(&r);
    if ( out )
        *out = r.res;

    return r.res.reason;
}

uint32_t audit_with(struct mem *m, unsigned int gen, unsigned int engine,
                    const struct audit_opts *o, unsigned int space,
                    uint64_t addr, struct audit_res *out)
{
    return audit_once(m, gen, engine, o, space, addr, NULL, out);
}

uint32_t audit(struct mem *m, unsigned int gen, unsigned int engine,
               unsigned int space, uint64_t addr, struct audit_res *out)
{
    return audit_once(m, gen, engine, NULL, space, addr, NULL, out);
}

uint32_t audit_ring(struct mem *m, unsigned int gen, unsigned int engine,
                    const struct gpu_audit_ring *ring, struct audit_res *out)
{
    return audit_once(m, gen, engine, NULL, 0, 0, ring, out);
}

uint32_t run_dw(const struct audit_run *r, unsigned int buf, uint32_t dw)
{
    const struct gpu_audit_buf *b = gpu_audit_get_buf(r->sub, buf);

    assert_non_null(b);
    assert_true(dw < b->len / 4);
    return gpu_audit_buf_dw(b, dw);
}

const struct gpu_audit_note *run_find_note(const struct audit_run *r,
                                           unsigned int kind)
{
    unsigned int i;

    for ( i = 0; i < gpu_audit_nr_notes(r->sub); i++ )
        if ( gpu_audit_get_note(r->sub, i)->kind == kind )
            return gpu_audit_get_note(r->sub, i);

    return NULL;
}

/*
 * 'scanned' of a buffer whose scan a rejection stopped is progress state
 * (the last checked command, or the last restart point): only compared
 * for accepted submissions.
 */
static void compare_bufs(const struct gpu_audit_buf *x,
                         const struct gpu_audit_buf *y, bool accepted)
{
    bool exact = accepted || x->done;
    uint32_t i;

    assert_int_equal(x->gaddr, y->gaddr);
    assert_int_equal(x->space, y->space);
    assert_int_equal(x->kind, y->kind);
    assert_int_equal(x->level, y->level);
    assert_int_equal(x->stale, y->stale);
    assert_int_equal(x->done, y->done);
    assert_int_equal(x->len, y->len);
    if ( exact )
        assert_int_equal(x->scanned, y->scanned);
    for ( i = 0; i < x->len / 4; i++ )
    {
        assert_int_equal(gpu_audit_buf_dw(x, i), gpu_audit_buf_dw(y, i));
        if ( exact )
            assert_int_equal(gpu_audit_buf_is_start(x, DW(i)),
                             gpu_audit_buf_is_start(y, DW(i)));
    }
}

void run_compare(const struct audit_run *a, const struct audit_run *b)
{
    const struct gpu_audit_sub *x = a->sub, *y = b->sub;
    unsigned int i;

    assert_int_equal(a->res.reason, b->res.reason);
    assert_int_equal(a->res.buffer, b->res.buffer);
    assert_int_equal(a->res.offset, b->res.offset);
    assert_int_equal(a->res.gaddr, b->res.gaddr);
    assert_int_equal(gpu_audit_sub_commands(x), gpu_audit_sub_commands(y));
    assert_int_equal(gpu_audit_nr_bufs(x), gpu_audit_nr_bufs(y));
    for ( i = 0; i < gpu_audit_nr_bufs(x); i++ )
        compare_bufs(gpu_audit_get_buf(x, i), gpu_audit_get_buf(y, i),
                     !a->res.reason);
    assert_int_equal(gpu_audit_nr_relocs(x), gpu_audit_nr_relocs(y));
    for ( i = 0; i < gpu_audit_nr_relocs(x); i++ )
        assert_memory_equal(gpu_audit_get_reloc(x, i), gpu_audit_get_reloc(y, i),
                            sizeof(struct gpu_audit_reloc));
    assert_int_equal(gpu_audit_nr_notes(x), gpu_audit_nr_notes(y));
    for ( i = 0; i < gpu_audit_nr_notes(x); i++ )
    {
        const struct gpu_audit_note *p = gpu_audit_get_note(x, i);
        const struct gpu_audit_note *q = gpu_audit_get_note(y, i);

        assert_int_equal(p->kind, q->kind);
        assert_int_equal(p->buf, q->buf);
        assert_int_equal(p->offset, q->offset);
        assert_int_equal(p->header, q->header);
    }
}

/* Corpus ------------------------------------------------------------------ */

FILE *corpus_open(void)
{
    FILE *f = fopen(TEST_DATA "/corpus/manifest.txt", "r");

    if ( !f )
        fail_msg("cannot open %s", TEST_DATA "/corpus/manifest.txt");
    return f;
}

int corpus_next(FILE *f, struct corpus_entry *e)
{
    char line[4096];

    while ( fgets(line, sizeof(line), f) )
    {
        char *save = NULL, *tok = strtok_r(line, " \t\n", &save);
        unsigned int i;

        e->line++;
        if ( !tok || tok[0] == '#' )
            continue;
        e->gen = strtoul(tok, NULL, 0);
        tok = strtok_r(NULL, " \t\n", &save);
        assert_non_null(tok);
        for ( e->engine = 0; e->engine < XEN_GPU_ENGINE_NR; e->engine++ )
            if ( !strcmp(tok, gpu_audit_engine_name(e->engine)) )
                break;
        assert_true(e->engine < XEN_GPU_ENGINE_NR);
        tok = strtok_r(NULL, " \t\n", &save);
        assert_non_null(tok);
        e->nr = strtoul(tok, NULL, 0);
        assert_true(e->nr >= 1 && e->nr <= CORPUS_MAX_REGIONS);
        for ( i = 0; i < e->nr; i++ )
        {
            tok = strtok_r(NULL, " \t\n", &save);
            assert_non_null(tok);
            assert_true(strlen(tok) < sizeof(e->file[i]));
            strcpy(e->file[i], tok);
            tok = strtok_r(NULL, " \t\n", &save);
            assert_non_null(tok);
            e->addr[i] = strtoull(tok, NULL, 0);
        }
        return 1;
    }

    return 0;
}

void corpus_map(const struct corpus_entry *e, struct mem *m)
{
    unsigned int i;

    for ( i = 0; i < e->nr; i++ )
    {
        char path[512];
        struct mem_region *r;
        FILE *f;
        long sz;

        snprintf(path, sizeof(path), "%s/corpus/%s", TEST_DATA, e->file[i]);
        f = fopen(path, "rb");
        if ( !f )
            fail_msg("cannot open %s", path);
        assert_int_equal(fseek(f, 0, SEEK_END), 0);
        sz = ftell(f);
        assert_true(sz >= 0 && !(sz & 3));
        rewind(f);
        r = mem_add(m, GPU_SPACE_PPGTT, e->addr[i], sz);
        assert_int_equal(fread(r->dw, 1, sz, f), (size_t)sz);
        fclose(f);
    }
}

uint64_t prng_next(uint64_t *state)
{
    uint64_t x = *state;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;

    return x * 0x2545f4914f6cdd1dull;
}
