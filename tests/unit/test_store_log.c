/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Immediate stores into jump operands: a store that changes the address
 * operand of an audited MI_BATCH_BUFFER_START marks exactly the copy
 * holding that jump stale, and a later jump to it audits a fresh copy that
 * jumps where the store said.  Both with a few relocations (compared one
 * by one) and with many (looked up in the submission's index), and the
 * work per store stays bounded whatever the number of relocations.
 */
#include "harness.h"

#define GEN        9
#define RCS        XEN_GPU_ENGINE_RCS
#define BATCH      0x100000ull        /* P: chains to S */
#define BATCH2     0x400000ull        /* S: calls T, stores, loops to S */
#define BATCH3     0x600000ull        /* T: second level, returns */
#define TARGET     0x900000ull        /* U: where a patched call goes */
#define HIGH       (1ull << 32)       /* high address dword 1 */
#define SCRATCH    0xc00000ull
#define GPR(n)     (0x2600u + 8 * (n))

/* A callee: one LRI and the end. */
static void add_callee(uint64_t addr)
{
    struct bb b;

    bb_add(&b, &fx_mem, GPU_SPACE_PPGTT, addr, 4096);
    emit_lri(&b, GPR(1), (uint32_t)addr);
    emit_bbe(&b);
}

/* What a store case writes: space, address, dwords. */
struct store {
    bool ggtt;
    uint64_t addr;
    uint32_t data[2];
    unsigned int n;
};

/* Where the operands are, once built. */
struct layout {
    uint64_t p_op;            /* P's chained jump operand */
    uint64_t call_op;         /* S's patched call's operand */
};

/*
 * P: LRI, chained jump to S.  S: nr_calls second-level calls of T (the
 * patched one in the middle), the store, a chained jump back to S.  The
 * loop ends at once unless the store made S stale: then a fresh copy of S
 * is audited, with the stored operand.
 */
static void build(unsigned int nr_calls, struct layout *l,
                  void (*store)(struct bb *, const struct layout *))
{
    struct bb p, s;
    unsigned int i;

    bb_add(&p, &fx_mem, GPU_SPACE_PPGTT, BATCH, 4096);
    bb_add(&s, &fx_mem, GPU_SPACE_PPGTT, BATCH2, 65536);
    add_callee(BATCH3);
    add_callee(TARGET);
    add_callee(BATCH3 | HIGH);
    add_callee(TARGET | HIGH);
    emit_lri(&p, GPR(0), 0);
    l->p_op = BATCH + DW(emit_bb_start(&p, BATCH2, true, false) + 1);
    for ( i = 0; i < nr_calls; i++ )
    {
        uint32_t at = emit_bb_start(&s, BATCH3, true, true);

        if ( i == nr_calls / 2 )
            l->call_op = BATCH2 + DW(at + 1);
    }
    store(&s, l);
    emit_bb_start(&s, BATCH2, true, false);
}

static void store_low(struct bb *s, const struct layout *l)
{
    emit_sdi(s, l->call_op, (uint32_t)TARGET, false, false);
}

static void store_high(struct bb *s, const struct layout *l)
{
    emit_sdi(s, l->call_op + 4, 1, false, false);
}

static void store_both(struct bb *s, const struct layout *l)
{
    uint32_t data[2] = { (uint32_t)TARGET, 1 };

    emit_sdi_raw(s, SDI_QWORD, l->call_op, data, 2);
}

static void store_into_p(struct bb *s, const struct layout *l)
{
    emit_sdi(s, l->p_op, (uint32_t)TARGET, false, false);
}

static void store_other_space(struct bb *s, const struct layout *l)
{
    emit_sdi(s, l->call_op, (uint32_t)TARGET, true, false);
}

static void store_miss(struct bb *s, const struct layout *l)
{
    emit_sdi(s, l->call_op - 4, (uint32_t)TARGET, false, false);
    emit_sdi(s, l->call_op + 8, (uint32_t)TARGET, false, false);
}

static void store_same(struct bb *s, const struct layout *l)
{
    uint32_t data[2] = { (uint32_t)BATCH3, 0 };

    emit_sdi_raw(s, SDI_QWORD, l->call_op, data, 2);
}

/* Calls small enough to be compared one by one, and many. */
static const unsigned int call_counts[] = { 2, 300 };

/*
 * Run one case: the buffers that end up stale (bit per buffer index) and,
 * when S was audited again, the patched call's target.
 */
static void check(void (*store)(struct bb *, const struct layout *),
                  unsigned int stale_mask, uint64_t patched, void **state)
{
    unsigned int c, i;

    for ( c = 0; c < ARRAY_SIZE(call_counts); c++ )
    {
        unsigned int n = call_counts[c];
        struct audit_run r;
        struct layout l;

        fixture_teardown(state);
        fixture_setup(state);
        build(n, &l, store);
        run_keep(&r, &fx_mem, GEN, RCS, NULL, GPU_SPACE_PPGTT, BATCH, NULL);
        assert_int_equal(r.res.reason, XEN_GPU_AUDIT_OK);
        /* P, S, T; then S again and U when S went stale. */
        assert_int_equal(gpu_audit_nr_bufs(r.sub), patched ? 5 : 3);
        for ( i = 0; i < gpu_audit_nr_bufs(r.sub); i++ )
            assert_int_equal(gpu_audit_get_buf(r.sub, i)->stale,
                             !!(stale_mask & (1u << i)));
        if ( patched )
        {
            const struct gpu_audit_buf *again = gpu_audit_get_buf(r.sub, 3);
            const struct gpu_audit_buf *u = gpu_audit_get_buf(r.sub, 4);
            uint32_t dw = (uint32_t)(l.call_op - BATCH2) / 4;

            assert_int_equal(again->gaddr, BATCH2);
            assert_int_equal(run_dw(&r, 3, dw), (uint32_t)patched);
            assert_int_equal(run_dw(&r, 3, dw + 1), (uint32_t)(patched >> 32));
            assert_int_equal(u->gaddr, patched);
            assert_int_equal(u->level, 2);
            /* Every call of both copies, P's jump, both loop jumps. */
            assert_int_equal(gpu_audit_nr_relocs(r.sub), 2 * n + 3);
        }
        else
            assert_int_equal(gpu_audit_nr_relocs(r.sub), n + 2);
        run_done(&r);
    }
}

static void test_store_low(void **state)
{
    check(store_low, 1u << 1, TARGET, state);
}

static void test_store_high(void **state)
{
    check(store_high, 1u << 1, BATCH3 | HIGH, state);
}

static void test_store_both(void **state)
{
    check(store_both, 1u << 1, TARGET | HIGH, state);
}

static void test_store_other_buffer(void **state)
{
    /* P is stale, but nothing jumps to it again. */
    check(store_into_p, 1u << 0, 0, state);
}

static void test_store_other_space(void **state)
{
    check(store_other_space, 0, 0, state);
}

static void test_store_misses(void **state)
{
    check(store_miss, 0, 0, state);
}

static void test_store_same_value(void **state)
{
    check(store_same, 0, 0, state);
}

/*
 * The bench's worst case, smaller: 4000 calls (4000 relocations), then
 * qword stores, half of them into call operands with the value they hold,
 * half elsewhere.  The relocation entries the stores look at stay a small
 * constant per store.
 */
#define MANY_CALLS  4000
#define MANY_STORES 2000

static void test_store_work_bounded(void **state)
{
    struct bb p;
    struct audit_run r;
    unsigned int i, stores = 0;
    uint32_t ops[MANY_CALLS];

    (void)state;
    bb_add(&p, &fx_mem, GPU_SPACE_PPGTT, BATCH, 131072);
    add_callee(BATCH3);
    for ( i = 0; i < MANY_CALLS; i++ )
        ops[i] = DW(emit_bb_start(&p, BATCH3, true, true) + 1);
    for ( i = 0; i < MANY_STORES; i++ )
    {
        uint32_t data[2] = { (uint32_t)BATCH3, 0 };
        uint64_t addr = i & 1 ? SCRATCH + DW(2 * i) :
                        BATCH + ops[(i * 7) % MANY_CALLS];

        emit_sdi_raw(&p, SDI_QWORD, addr, data, 2);
        stores += 2;
    }
    emit_bbe(&p);
    run_keep(&r, &fx_mem, GEN, RCS, NULL, GPU_SPACE_PPGTT, BATCH, NULL);
    assert_int_equal(r.res.reason, XEN_GPU_AUDIT_OK);
    assert_int_equal(gpu_audit_nr_relocs(r.sub), MANY_CALLS);
    assert_false(gpu_audit_get_buf(r.sub, 0)->stale);
    print_message("store log: %llu steps for %u stores\n",
                  (unsigned long long)gpu_audit_sub_store_steps(r.sub), stores);
    assert_true(gpu_audit_sub_store_steps(r.sub) <= 4ull * stores);
    run_done(&r);
}

/*
 * Out of memory while the index is built or grown: the submission is
 * refused for it, and everything goes back (run_done() checks).
 */
static void test_store_index_no_memory(void **state)
{
    struct layout l;
    struct audit_run r;
    long k, allocs, refused = 0;

    (void)state;
    build(300, &l, store_low);
    /* The last allocations of a run: the index's growth among them. */
    host_alloc_stats.fail_after = 1L << 30;
    run_keep(&r, &fx_mem, GEN, RCS, NULL, GPU_SPACE_PPGTT, BATCH, NULL);
    allocs = (1L << 30) - host_alloc_stats.fail_after;
    host_alloc_stats.fail_after = -1;
    run_done(&r);
    for ( k = allocs - 1; k >= allocs - 16 && k >= 0; k-- )
    {
        host_alloc_stats.fail_after = k;
        run_keep(&r, &fx_mem, GEN, RCS, NULL, GPU_SPACE_PPGTT, BATCH, NULL);
        host_alloc_stats.fail_after = -1;
        assert_int_equal(r.res.reason, XEN_GPU_AUDIT_NO_MEMORY);
        refused++;
        run_done(&r);
    }
    assert_true(refused > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) FIXTURE_TEST(f)
        T(test_store_low),
        T(test_store_high),
        T(test_store_both),
        T(test_store_other_buffer),
        T(test_store_other_space),
        T(test_store_misses),
        T(test_store_same_value),
        T(test_store_work_bounded),
        T(test_store_index_no_memory),
#undef T
    };

    return cmocka_run_group_tests_name("store_log", tests, NULL, NULL);
}
