/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Time of check, time of use: what executes is the copy the auditor made
 * and checked, never guest memory.  The guest rewriting its buffers after
 * the audit changes nothing in the copies; each guest byte is read once;
 * nothing past the last audited command survives in a copy; and scanning
 * in chunks (with -ERESTART in between) gives exactly the result of one
 * scan.
 */
#include "harness.h"

#define GEN        9
#define RCS        XEN_GPU_ENGINE_RCS
#define BATCH      0x100000ull
#define BATCH2     0x400000ull
#define SCRATCH    0x800000ull
#define RING       0x200000ull
#define GPR(n)     (0x2600u + 8 * (n))

static struct bb add_buf(unsigned int space, uint64_t addr, uint32_t size)
{
    struct bb b;

    bb_add(&b, &fx_mem, space, addr, size);
    return b;
}

/* Every byte of every page of the copy past its end is zero. */
static void assert_sealed(const struct gpu_audit_buf *b)
{
    uint32_t off;

    assert_true(b->done);
    assert_int_equal(b->len, b->scanned);
    for ( off = b->scanned; off < b->nr_pages * PAGE_SIZE; off += 4 )
        assert_int_equal(b->pages[off / PAGE_SIZE].dw[(off % PAGE_SIZE) / 4], 0);
}

/* A primary and a chained secondary, with stuff after their ends. */
static void build_pair(struct bb *p, struct bb *s)
{
    *p = add_buf(GPU_SPACE_PPGTT, BATCH, 8192);
    *s = add_buf(GPU_SPACE_PPGTT, BATCH2, 4096);
    emit_noops(p, 4);
    emit_lri(p, GPR(0), 0x11111111);
    emit_noops(p, 1020);                  /* into the second page */
    emit_bb_start(p, BATCH2, true, false);
    emit_lri(p, 0x2038, 0);               /* after the jump: never runs */
    emit_sdi(s, SCRATCH, 0x22222222, false, false);
    emit_noops(s, 3);
    emit_bbe(s);
    emit_lri(s, 0x2038, 0);               /* after the end: never runs */
}

static uint32_t *snapshot(const struct audit_run *r, unsigned int buf)
{
    const struct gpu_audit_buf *b = gpu_audit_get_buf(r->sub, buf);
    uint32_t *dw = malloc(b->len + 4), i;

    assert_non_null(dw);
    for ( i = 0; i < b->len / 4; i++ )
        dw[i] = gpu_audit_buf_dw(b, i);
    return dw;
}

static void assert_copy_is(const struct audit_run *r, unsigned int buf,
                           const uint32_t *dw, const struct mem_region *guest)
{
    const struct gpu_audit_buf *b = gpu_audit_get_buf(r->sub, buf);
    uint32_t i;

    for ( i = 0; i < b->len / 4; i++ )
        assert_int_equal(gpu_audit_buf_dw(b, i), dw[i]);
    assert_sealed(b);
    /* Nothing of what the guest has now that it did not have then. */
    for ( i = 0; i < b->len / 4; i++ )
        if ( guest->dw[i] != dw[i] )
            assert_int_not_equal(gpu_audit_buf_dw(b, i), guest->dw[i]);
}

static void test_rewrite_after_audit(void **state)
{
    struct bb p, s;
    struct audit_run r;
    uint32_t *c0, *c1, i;

    (void)state;
    build_pair(&p, &s);
    run_keep(&r, &fx_mem, GEN, RCS, NULL, GPU_SPACE_PPGTT, BATCH, NULL);
    assert_int_equal(r.res.reason, XEN_GPU_AUDIT_OK);
    assert_int_equal(gpu_audit_nr_bufs(r.sub), 2);
    assert_int_equal(mem_max_reads(&fx_mem), 1);

    /* The copies are what the guest had, up to the last command. */
    c0 = snapshot(&r, 0);
    c1 = snapshot(&r, 1);
    assert_int_equal(gpu_audit_get_buf(r.sub, 0)->len, DW(1030));
    assert_int_equal(gpu_audit_get_buf(r.sub, 1)->len, DW(8));
    for ( i = 0; i < 1030; i++ )
        assert_int_equal(c0[i], p.r->dw[i]);
    for ( i = 0; i < 8; i++ )
        assert_int_equal(c1[i], s.r->dw[i]);

    /* The guest rewrites: a NOOP becomes a forbidden LRI, the secondary's
     * end becomes a jump, the SDI target becomes a GGTT address. */
    p.r->dw[0] = MI_LOAD_REGISTER_IMM | 1;
    p.r->dw[1] = 0x2038;
    p.r->dw[2] = 0xdead0000;
    s.r->dw[7] = MI_BATCH_BUFFER_START;
    s.r->dw[0] |= MI_USE_GGTT;
    for ( i = 1030; i < 2048; i++ )
        p.r->dw[i] = 0xdeadbeef;

    assert_copy_is(&r, 0, c0, p.r);
    assert_copy_is(&r, 1, c1, s.r);
    assert_int_equal(mem_max_reads(&fx_mem), 1);
    run_done(&r);

    /* Audited again, the new bytes are refused. */
    {
        struct audit_res res;

        audit(&fx_mem, GEN, RCS, GPU_SPACE_PPGTT, BATCH, &res);
        assert_verdict(&res, XEN_GPU_AUDIT_REG_DENIED, 0, 0);
    }
    free(c0);
    free(c1);
}

static void test_neutralised_stays(void **state)
{
    struct bb p;
    struct audit_run r;

    (void)state;
    p = add_buf(GPU_SPACE_PPGTT, BATCH, 4096);
    emit_arb_on_off(&p, false);
    emit_bbe(&p);
    run_keep(&r, &fx_mem, GEN, RCS, NULL, GPU_SPACE_PPGTT, BATCH, NULL);
    assert_int_equal(r.res.reason, XEN_GPU_AUDIT_OK);
    p.r->dw[0] = MI_ARB_ON_OFF | 1;
    assert_int_equal(run_dw(&r, 0, 0), 0);
    assert_int_equal(run_dw(&r, 0, 1), MI_BATCH_BUFFER_END);
    assert_sealed(gpu_audit_get_buf(r.sub, 0));
    run_done(&r);
}

/* Chunked scans -------------------------------------------------------------- */

typedef void build_case_fn(void);

static void case_pair(void)
{
    struct bb p, s;

    build_pair(&p, &s);
}

static void case_second_level(void)
{
    struct bb p = add_buf(GPU_SPACE_PPGTT, BATCH, 4096);
    struct bb s = add_buf(GPU_SPACE_PPGTT, BATCH2, 4096);
    unsigned int i;

    for ( i = 0; i < 20; i++ )
    {
        emit_lri(&p, GPR(i % 16), i);
        emit_bb_start(&p, BATCH2, true, true);
        emit_arb_on_off(&p, true);
    }
    emit_bbe(&p);
    emit_display_flip(&s);
    emit_noops(&s, 7);
    emit_pipe_control(&s, PC_QW_WRITE, SCRATCH, false);
    emit_bbe(&s);
}

static void case_loop_back(void)
{
    struct bb p = add_buf(GPU_SPACE_PPGTT, BATCH, 4096);

    while ( p.pos < 300 )
        emit_lri(&p, GPR(1), p.pos);
    emit_bb_start(&p, BATCH + DW(30), true, false);
}

static void case_mid_cmd(void)
{
    struct bb p = add_buf(GPU_SPACE_PPGTT, BATCH, 4096);

    while ( p.pos < 300 )
        emit_lri(&p, GPR(1), p.pos);
    emit_bb_start(&p, BATCH + DW(31), true, false);
}

static void case_reject_late(void)
{
    struct bb p = add_buf(GPU_SPACE_PPGTT, BATCH, 16384);

    emit_noops(&p, 3000);
    emit_lri(&p, 0x2038, 0);
    emit_bbe(&p);
}

static void case_no_end(void)
{
    struct bb p = add_buf(GPU_SPACE_PPGTT, BATCH, 12288);

    while ( p.pos + 3 <= 3072 )
        emit_lri(&p, GPR(2), p.pos);
}

static void case_anv(void)
{
    struct bb p = add_buf(GPU_SPACE_PPGTT, BATCH, 4096);
    struct bb s = add_buf(GPU_SPACE_PPGTT, BATCH2, 4096);
    uint32_t data[2] = { (uint32_t)(BATCH + DW(8)), 0 };

    emit_lri(&s, GPR(0), 1);
    emit_bb_start(&s, 0, true, false);
    emit_sdi_raw(&p, 0, BATCH2 + DW(4), data, 2);
    emit_bb_start(&p, BATCH2, true, false);
    emit_lri(&p, GPR(1), 2);
    emit_bbe(&p);
}

static build_case_fn *const cases[] = {
    case_pair, case_second_level, case_loop_back, case_mid_cmd,
    case_reject_late, case_no_end, case_anv,
};

static uint64_t scanned_bytes(const struct audit_run *r)
{
    uint64_t n = 0;
    unsigned int i;

    for ( i = 0; i < gpu_audit_nr_bufs(r->sub); i++ )
        n += gpu_audit_get_buf(r->sub, i)->scanned;
    return n;
}

static void check_chunked(unsigned int gen, unsigned int engine,
                          unsigned int space, uint64_t addr,
                          const struct gpu_audit_ring *ring)
{
    static const uint32_t chunks[] = { 1, 4, 64, 4096 };
    struct audit_run one, r;
    struct audit_opts o;
    unsigned int i;

    audit_opts_default(&o);
    o.limits.chunk_bytes = ~0u;
    run_keep(&one, &fx_mem, gen, engine, &o, space, addr, ring);
    assert_int_equal(one.res.restarts, 0);
    for ( i = 0; i < ARRAY_SIZE(chunks); i++ )
    {
        o.limits.chunk_bytes = chunks[i];
        run_keep(&r, &fx_mem, gen, engine, &o, space, addr, ring);
        run_compare(&one, &r);
        if ( scanned_bytes(&r) > 2 * chunks[i] )
            assert_true(r.res.restarts > 0);
        if ( chunks[i] == 4 )
            assert_true(r.res.restarts + 1 >= gpu_audit_sub_commands(r.sub) / 4);
        assert_int_equal(r.vgpu.counters.restarts, r.res.restarts);
        run_done(&r);
    }
    run_done(&one);
}

static void test_chunked_synthetic(void **state)
{
    unsigned int i;

    for ( i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        fixture_teardown(state);
        fixture_setup(state);
        cases[i]();
        check_chunked(GEN, RCS, GPU_SPACE_PPGTT, BATCH, NULL);
    }
}

static void test_chunked_ring(void **state)
{
    struct bb ring = add_buf(GPU_SPACE_GGTT, RING, 4096);
    struct bb p = add_buf(GPU_SPACE_PPGTT, BATCH, 4096);
    struct gpu_audit_ring rs = {
        .start = RING, .size = 4096, .head = 4096 - 64, .tail = 128,
    };

    (void)state;
    emit_lri(&p, GPR(0), 1);
    emit_bbe(&p);
    ring.pos = 1024 - 16;
    emit_noops(&ring, 14);
    bb_emit(&ring, MI_LOAD_REGISTER_IMM | 1);    /* wraps */
    bb_emit(&ring, GPR(3));
    ring.pos = 0;
    bb_emit(&ring, 3);
    emit_bb_start(&ring, BATCH, true, false);
    emit_arb_on_off(&ring, false);
    while ( ring.pos < 32 )
        emit_noops(&ring, 1);
    check_chunked(GEN, RCS, 0, 0, &rs);
}

static void test_chunked_corpus(void **state)
{
    FILE *f = corpus_open();
    struct corpus_entry e = { 0 };
    unsigned int n = 0, chains = 0;

    (void)state;
    /* Every 25th submission, and every one with several regions. */
    while ( corpus_next(f, &e) )
    {
        bool take = e.nr > 1 || (e.line % 25) == 0;

        if ( !take )
            continue;
        mem_init(&fx_mem);
        corpus_map(&e, &fx_mem);
        check_chunked(e.gen, e.engine, GPU_SPACE_PPGTT, e.addr[0], NULL);
        mem_free(&fx_mem);
        n++;
        chains += e.nr > 1;
    }
    fclose(f);
    print_message("toctou: %u corpus submissions (%u chained) scanned in "
                  "chunks\n", n, chains);
    assert_true(n >= 100);
    assert_true(chains >= 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) FIXTURE_TEST(f)
        T(test_rewrite_after_audit),
        T(test_neutralised_stays),
        T(test_chunked_synthetic),
        T(test_chunked_ring),
        T(test_chunked_corpus),
#undef T
    };

    return cmocka_run_group_tests_name("toctou", tests, NULL, NULL);
}
