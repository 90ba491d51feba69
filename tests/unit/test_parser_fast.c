/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The parser's fast path (parser.c, scan_fast()) against its careful path.
 *
 * A trace callback makes the parser take the careful path for every
 * command, one at a time, with no length guessed from a header.  Random
 * batches of 3D state, MI_NOOP runs, commands with rules (PIPE_CONTROL in
 * all its post-sync forms, LRI, SRM), unknown headers, illegal lengths,
 * commands across pages and past the mapping must give exactly the same
 * submission both ways, and in chunks: verdict, offsets, copies, command
 * starts, notes.  The command limit must stop at the same command on
 * either path.
 */
#include "harness.h"

#define RCS        XEN_GPU_ENGINE_RCS
#define BATCH      0x100000ull
#define SCRATCH    0x800000ull
#define GPR(n)     (0x2600u + 8 * (n))
#define CS_CHICKEN1 0x2580u
#define RING_BASE  0x2034u      /* ring registers: never from a batch */

static void trace_nothing(void *priv, const struct gpu_audit_sub *s,
                          unsigned int buf, uint32_t offset,
                          const struct gpu_cmd_desc *desc, unsigned int len_dw,
                          unsigned int action)
{
    (void)priv; (void)s; (void)buf; (void)offset; (void)desc; (void)len_dw;
    (void)action;
}

/* run_keep() with the careful path only (a trace callback set). */
static void run_careful(struct audit_run *r, unsigned int gen,
                        const struct audit_opts *o)
{
    struct audit_opts careful = *o;

    careful.trace = trace_nothing;
    run_keep(r, &fx_mem, gen, RCS, &careful, GPU_SPACE_PPGTT, BATCH, NULL);
}

/* The batch at BATCH, audited on both paths and in chunks: all the same. */
static uint32_t check_paths(unsigned int gen, uint64_t max_cmds)
{
    static const uint32_t chunks[] = { 0, 4, 60, 4096 };
    struct audit_run careful, fast;
    struct audit_opts o;
    unsigned int i;
    uint32_t reason;

    audit_opts_default(&o);
    o.limits.max_cmds = max_cmds;
    o.limits.chunk_bytes = ~0u;
    run_careful(&careful, gen, &o);
    for ( i = 0; i < ARRAY_SIZE(chunks); i++ )
    {
        o.limits.chunk_bytes = chunks[i] ?: ~0u;
        run_keep(&fast, &fx_mem, gen, RCS, &o, GPU_SPACE_PPGTT, BATCH, NULL);
        run_compare(&careful, &fast);
        run_done(&fast);
    }
    reason = careful.res.reason;
    run_done(&careful);

    return reason;
}

/* Gen8/9 render 3D state with a plain 8-bit length field: the fast form. */
static const uint32_t state_ops[] = {
    0x7849, 0x7815, 0x7817, 0x7808, 0x7809, 0x7826, 0x782a, 0x7b00,
};

static uint64_t rng;
static bool bad;          /* this batch may hold commands to refuse */

static unsigned int below(unsigned int n)
{
    return prng_next(&rng) % n;
}

/* One random command (or a run of them); false once the buffer is full. */
static bool emit_random(struct bb *b, uint32_t room)
{
    uint32_t pairs[4];
    unsigned int i, n;

    if ( room < 40 )
        return false;
    switch ( below(16) )
    {
    case 0:
        emit_noops(b, 1 + below(12));
        break;
    case 1:
        /* PIPE_CONTROL: no post-sync, a PPGTT write, a register write (a
         * GPR) or, in a bad batch, a GGTT write outside the slice. */
        if ( below(3) )
            emit_pipe_control(b, below(2) ? PC_QW_WRITE : 0,
                              bad && !below(8) ? 0x20000000ull : SCRATCH,
                              bad && !below(8));
        else
            emit_pipe_control(b, PC_LRI_POST_OP, GPR(below(8)), false);
        break;
    case 2:
        pairs[0] = !bad || below(8) ? GPR(below(8)) : RING_BASE;
        pairs[1] = prng_next(&rng);
        pairs[2] = GPR(1);
        pairs[3] = 7;
        emit_lri_n(b, pairs, 1 + below(2));
        break;
    case 3:
        emit_srm(b, GPR(2), SCRATCH + 8 * below(8), false);
        break;
    case 4:
        /* 3DSTATE_VF_STATISTICS: fixed length 1, no length field. */
        bb_emit(b, 0x680b0001);
        break;
    case 5:
        if ( bad && !below(6) )
            bb_emit(b, 0x7fff0000);                 /* unknown 3D opcode */
        else if ( bad && !below(6) )
            bb_emit(b, GFX_OP_PIPE_CONTROL + 1);    /* PIPE_CONTROL is 6 dwords */
        else
            emit_noops(b, 1);
        break;
    default:
        n = 2 + below(below(4) ? 12 : 40);
        emit_cmd(b, ((uint32_t)state_ops[below(ARRAY_SIZE(state_ops))] << 16) |
                    (n - 2), n);
        for ( i = 1; i < n; i++ )
            b->r->dw[b->pos - n + i] = prng_next(&rng);
        break;
    }

    return true;
}

static void test_random_batches(void **state)
{
    unsigned int iter, accepted = 0, rejected = 0;

    rng = 0x5eedf00dULL;
    for ( iter = 0; iter < 400; iter++ )
    {
        uint32_t size = 4096 * (1 + below(3));
        unsigned int gen = below(2) ? 9 : 8, end = below(8);
        struct bb b;

        bad = below(2);
        fixture_teardown(state);
        fixture_setup(state);
        bb_add(&b, &fx_mem, GPU_SPACE_PPGTT, BATCH, size);
        mem_add(&fx_mem, GPU_SPACE_PPGTT, SCRATCH, 4096);
        while ( emit_random(&b, size / 4 - b.pos) )
            continue;
        if ( end == 0 )
            /* A last command running past the mapping. */
            emit_cmd(&b, 0x78490000 | 0xff, size / 4 - b.pos);
        else if ( end != 1 )
            emit_bbe(&b);
        /* end == 1: no end at all */

        if ( check_paths(gen, 0) )
            rejected++;
        else
            accepted++;
    }
    /* Both outcomes were exercised. */
    assert_true(accepted > 20);
    assert_true(rejected > 20);
}

/* The command limit stops at the same command on both paths. */
static void test_command_limit(void **state)
{
    static const uint64_t limits[] = { 1, 2, 5, 37, 38, 300, 1023, 1024, 1500,
                                       2000 };
    struct audit_res res;
    struct audit_opts o;
    uint32_t at[1200];
    unsigned int n = 0, i;
    struct bb b;

    (void)state;
    bb_add(&b, &fx_mem, GPU_SPACE_PPGTT, BATCH, 8 * 4096);
    mem_add(&fx_mem, GPU_SPACE_PPGTT, SCRATCH, 4096);
    rng = 42;
    while ( n < 1100 )
    {
        at[n++] = b.pos;
        switch ( below(4) )
        {
        case 0:
            emit_noops(&b, 1);
            break;
        case 1:
            emit_pipe_control(&b, PC_QW_WRITE, SCRATCH, false);
            break;
        default:
            emit_cmd(&b, 0x78490001, 3);            /* 3DSTATE_VF_INSTANCING */
            break;
        }
    }
    at[n++] = emit_bbe(&b);

    for ( i = 0; i < ARRAY_SIZE(limits); i++ )
    {
        audit_opts_default(&o);
        o.limits.max_cmds = limits[i];
        if ( limits[i] < n )
        {
            assert_int_equal(check_paths(9, limits[i]), XEN_GPU_AUDIT_LIMIT_CMDS);
            audit_with(&fx_mem, 9, RCS, &o, GPU_SPACE_PPGTT, BATCH, &res);
            assert_verdict(&res, XEN_GPU_AUDIT_LIMIT_CMDS, 0, DW(at[limits[i]]));
        }
        else
        {
            assert_int_equal(check_paths(9, limits[i]), 0);
            assert_int_equal(audit_with(&fx_mem, 9, RCS, &o, GPU_SPACE_PPGTT, BATCH,
                                        &res), 0);
        }
    }
}

/* A fast-path command running past the mapping is the overrun, at its own
 * offset, whether the budget ends before or after it. */
static void test_overrun_at_command(void **state)
{
    struct audit_res res;
    uint32_t at;
    struct bb b;

    (void)state;
    bb_add(&b, &fx_mem, GPU_SPACE_PPGTT, BATCH, 4096);
    emit_noops(&b, 1000);
    at = emit_cmd(&b, 0x78490000 | 60, 24);        /* 62 dwords, 24 mapped */
    assert_int_equal(check_paths(9, 0), XEN_GPU_AUDIT_CMD_OVERRUN);
    audit(&fx_mem, 9, RCS, GPU_SPACE_PPGTT, BATCH, &res);
    assert_verdict(&res, XEN_GPU_AUDIT_CMD_OVERRUN, 0, DW(at));

    /* Ending exactly at the mapping's end: the next header is missing. */
    fixture_teardown(state);
    fixture_setup(state);
    bb_add(&b, &fx_mem, GPU_SPACE_PPGTT, BATCH, 4096);
    emit_noops(&b, 1000);
    emit_cmd(&b, 0x78490000 | 22, 24);
    assert_int_equal(check_paths(9, 0), XEN_GPU_AUDIT_NO_END);
    audit(&fx_mem, 9, RCS, GPU_SPACE_PPGTT, BATCH, &res);
    assert_verdict(&res, XEN_GPU_AUDIT_NO_END, 0, 4096);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) FIXTURE_TEST(f)
        T(test_random_batches),
        T(test_command_limit),
        T(test_overrun_at_command),
#undef T
    };

    host_printk_quiet = 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
