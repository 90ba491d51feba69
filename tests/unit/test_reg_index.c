/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The register index behind gpu_audit_reg_lookup(): for every dword offset
 * and every engine it gives exactly what a linear scan of the spec's
 * register list gives, on the shipped generations and on made-up specs
 * with registers at the edges of the index (offset 0, block boundaries,
 * the last dword, every block used, the most registers it can number).
 * Table init fails cleanly when an allocation fails or a spec has more
 * registers than the index can number.
 */
#include "harness.h"

static const unsigned int gens[] = { 8, 9 };

/* Every offset below this is compared on the shipped specs. */
#define FULL_SCAN_END 0x40000u

/*
 * The reference: for each engine, the first entry of the spec's list with
 * this offset that the engine may use, by a plain scan.
 */
static void scan(const struct gpu_gen_spec *s, uint32_t offset,
                 const struct gpu_reg_desc *out[XEN_GPU_ENGINE_NR])
{
    unsigned int i, e;

    for ( e = 0; e < XEN_GPU_ENGINE_NR; e++ )
        out[e] = NULL;
    for ( i = 0; i < s->nr_regs; i++ )
    {
        if ( s->regs[i].offset != offset )
            continue;
        for ( e = 0; e < XEN_GPU_ENGINE_NR; e++ )
            if ( !out[e] && (s->regs[i].engines & (1u << e)) )
                out[e] = &s->regs[i];
    }
}

/* What the auditor decides with the index, engine by engine. */
static const struct gpu_reg_desc *indexed(const struct gpu_audit_table *t,
                                          uint32_t offset, unsigned int engine)
{
    const struct gpu_reg_desc *r = gpu_audit_reg_lookup(t, offset);

    return r && (r->engines & (1u << engine)) ? r : NULL;
}

/* Compares one offset on every engine; returns how many engines may use it. */
static unsigned int check_offset(const struct gpu_audit_table *t,
                                 uint32_t offset)
{
    const struct gpu_reg_desc *want[XEN_GPU_ENGINE_NR];
    unsigned int e, found = 0;

    scan(t->spec, offset, want);
    for ( e = 0; e < XEN_GPU_ENGINE_NR; e++ )
    {
        const struct gpu_reg_desc *got = indexed(t, offset, e);

        if ( got != want[e] )
            fail_msg("%s: 0x%x on %s: index gives %s, scan %s", t->spec->name,
                     offset, gpu_audit_engine_name(e), got ? got->name : "none",
                     want[e] ? want[e]->name : "none");
        found += !!got;
    }

    return found;
}

/* Offsets no register can have: unaligned, or beyond the register space. */
static void check_outside(const struct gpu_audit_table *t, uint32_t offset)
{
    static const uint32_t junk[] = { 1, 2, 3, 0x800000, 0x1000000, 0x80000000 };
    unsigned int i;

    for ( i = 0; i < ARRAY_SIZE(junk); i++ )
        assert_null(gpu_audit_reg_lookup(t, offset | junk[i]));
}

/* How many (register, engine) pairs the spec lists with offset in [lo, hi). */
static unsigned int pairs_in(const struct gpu_gen_spec *s, uint32_t lo,
                             uint32_t hi)
{
    unsigned int i, n = 0;

    for ( i = 0; i < s->nr_regs; i++ )
        if ( s->regs[i].offset >= lo && s->regs[i].offset < hi )
            n += __builtin_popcount(s->regs[i].engines);

    return n;
}

/*
 * Every offset below end; above it, the first and last dword of every
 * 4 KiB block and each register's offset and neighbours.
 */
static void check_table(const struct gpu_audit_table *t, uint32_t end)
{
    const struct gpu_gen_spec *s = t->spec;
    uint32_t off, block;
    unsigned int i, found = 0;

    for ( off = 0; off < end; off += 4 )
        found += check_offset(t, off);
    assert_int_equal(found, pairs_in(s, 0, end));

    for ( block = end; block <= GPU_REG_OFFSET_MASK; block += 0x1000 )
    {
        check_offset(t, block);
        check_offset(t, block + 0xffc);
    }
    for ( i = 0; i < s->nr_regs; i++ )
    {
        off = s->regs[i].offset;
        assert_ptr_equal(gpu_audit_reg_lookup(t, off), &s->regs[i]);
        check_offset(t, off);
        if ( off )
            check_offset(t, off - 4);
        if ( off < GPU_REG_OFFSET_MASK )
            check_offset(t, off + 4);
        check_outside(t, off);
    }
    assert_null(gpu_audit_reg_lookup(t, 0xffffffffu));
    assert_null(gpu_audit_reg_lookup(t, 0xfffffffcu));
}

/* The index's memory (docs/measurements.md quotes it): the directory and
 * every row, the shared empty one included. */
static void print_index_size(unsigned int gen, const struct gpu_audit_table *t)
{
    unsigned int i, rows = 0;
    size_t bytes;

    for ( i = 0; i < GPU_REG_DIR_SLOTS; i++ )
        if ( t->reg_dir[i] > rows )
            rows = t->reg_dir[i];
    rows++;
    bytes = (GPU_REG_DIR_SLOTS + (size_t)rows * GPU_REG_ROW_SLOTS) *
            sizeof(uint16_t);
    print_message("reg_index: gen%u: %u registers, %u rows, %.1f KiB\n", gen,
                  t->spec->nr_regs, rows, bytes / 1024.0);
}

static void test_shipped_specs(void **state)
{
    unsigned int g;

    (void)state;
    for ( g = 0; g < ARRAY_SIZE(gens); g++ )
    {
        const struct gpu_audit_table *t = table_for(gens[g]);

        assert_true(t->spec->nr_regs > 0);
        check_table(t, FULL_SCAN_END);
        print_index_size(gens[g], t);
    }
}

/* A spec of gen 9's commands with the registers given. */
static void spec_with_regs(struct gpu_gen_spec *s, const struct gpu_reg_desc *regs,
                           unsigned int nr)
{
    *s = *gpu_audit_spec_for_gen(9);
    s->regs = regs;
    s->nr_regs = nr;
}

#define REG(n, off, eng, acc, fl, mb, pmb)                                  \
    { .name = n, .offset = (off), .engines = (eng), .access = (acc),       \
      .flags = (fl), .masked_bits = (mb), .priv_masked_bits = (pmb) }

/* Registers at the edges of rows and of the directory, on varied engines. */
static const struct gpu_reg_desc edge_regs[] = {
    REG("FIRST", 0x0, GPU_ENG_ALL, GPU_ACC_READ, 0, 0, 0),
    REG("SECOND", 0x4, GPU_ENG_RCS, GPU_ACC_WRITE, GPU_RF_PRIV, 0, 0),
    REG("ROW0_END", 0xffc, GPU_ENG_BCS, GPU_ACC_READ | GPU_ACC_WRITE,
        GPU_RF_MASKED, 0x3, 0x4),
    REG("ROW1_START", 0x1000, 1u << XEN_GPU_ENGINE_VCS, GPU_ACC_WRITE,
        GPU_RF_VIRT, 0, 0),
    REG("RCS_ONLY", 0x2358, GPU_ENG_RCS, GPU_ACC_READ, GPU_RF_CTX, 0, 0),
    REG("MID", 0x12344, 1u << XEN_GPU_ENGINE_VECS, GPU_ACC_WRITE, GPU_RF_PDP, 0, 0),
    REG("DIR_HALF", 0x400000, GPU_ENG_ALL, GPU_ACC_READ, 0, 0, 0),
    REG("HIGH_A", 0x7ff000, GPU_ENG_RCS, GPU_ACC_READ, 0, 0, 0),
    REG("HIGH_B", 0x7ff004, GPU_ENG_BCS, GPU_ACC_WRITE, 0, 0, 0),
    REG("LAST", 0x7ffffc, GPU_ENG_ALL, GPU_ACC_READ | GPU_ACC_WRITE, 0, 0, 0),
};

static void test_edge_spec(void **state)
{
    struct gpu_gen_spec s;
    struct gpu_audit_table t;
    long xm = host_alloc_stats.xmalloc_live;

    (void)state;
    spec_with_regs(&s, edge_regs, ARRAY_SIZE(edge_regs));
    assert_int_equal(gpu_audit_table_init(&t, &s), 0);
    /* The whole register space, every dword. */
    check_table(&t, GPU_REG_OFFSET_MASK + 4);
    gpu_audit_table_destroy(&t);
    assert_int_equal(host_alloc_stats.xmalloc_live, xm);
}

/* As many registers as the index can number, spread over every block. */
#define MANY_STRIDE 0x80u

static struct gpu_reg_desc *many_regs(unsigned int nr)
{
    struct gpu_reg_desc *r = calloc(nr, sizeof(*r));
    unsigned int i;

    assert_non_null(r);
    for ( i = 0; i < nr; i++ )
    {
        r[i].name = "MANY";
        r[i].offset = i * MANY_STRIDE;
        r[i].engines = 1u << (i % XEN_GPU_ENGINE_NR);
        r[i].access = GPU_ACC_READ;
    }

    return r;
}

static void test_most_registers(void **state)
{
    const unsigned int nr = 0xfffe;
    struct gpu_reg_desc *regs = many_regs(nr + 1);
    struct gpu_gen_spec s;
    struct gpu_audit_table t;
    long xm = host_alloc_stats.xmalloc_live;
    uint32_t off;

    (void)state;
    assert_true((nr - 1) * MANY_STRIDE <= GPU_REG_OFFSET_MASK);
    assert_true((nr - 1) * MANY_STRIDE >= GPU_REG_OFFSET_MASK - 0xfff);

    /* One more than an index entry can number: refused. */
    spec_with_regs(&s, regs, nr + 1);
    assert_int_equal(gpu_audit_table_init(&t, &s), -EINVAL);
    assert_null(t.spec);
    assert_int_equal(host_alloc_stats.xmalloc_live, xm);

    spec_with_regs(&s, regs, nr);
    assert_int_equal(gpu_audit_table_init(&t, &s), 0);
    /* Too many for a scan per offset: where each register is, by design. */
    for ( off = 0; off <= GPU_REG_OFFSET_MASK; off += 4 )
    {
        const struct gpu_reg_desc *want =
            off % MANY_STRIDE == 0 && off / MANY_STRIDE < nr
            ? &regs[off / MANY_STRIDE] : NULL;

        if ( gpu_audit_reg_lookup(&t, off) != want )
            fail_msg("0x%x: wrong entry", off);
    }
    assert_ptr_equal(gpu_audit_reg_lookup(&t, (nr - 1) * MANY_STRIDE),
                     &regs[nr - 1]);
    gpu_audit_table_destroy(&t);
    assert_int_equal(host_alloc_stats.xmalloc_live, xm);
    free(regs);
}

/* Every allocation of table init failing in turn: -ENOMEM, nothing kept. */
static void test_init_alloc_failures(void **state)
{
    unsigned int g;

    (void)state;
    for ( g = 0; g < ARRAY_SIZE(gens); g++ )
    {
        const struct gpu_gen_spec *spec = gpu_audit_spec_for_gen(gens[g]);
        struct gpu_audit_table t;
        long allocs, k, xm = host_alloc_stats.xmalloc_live;

        host_alloc_stats.fail_after = 1L << 30;
        assert_int_equal(gpu_audit_table_init(&t, spec), 0);
        allocs = (1L << 30) - host_alloc_stats.fail_after;
        host_alloc_stats.fail_after = -1;
        gpu_audit_table_destroy(&t);
        /* At least the two arrays of the register index. */
        assert_true(allocs > 2);

        for ( k = 0; k < allocs; k++ )
        {
            int rc;

            host_alloc_stats.fail_after = k;
            rc = gpu_audit_table_init(&t, spec);
            host_alloc_stats.fail_after = -1;
            assert_int_equal(rc, -ENOMEM);
            assert_null(t.spec);
            assert_null(t.reg_dir);
            assert_null(t.reg_rows);
            assert_int_equal(host_alloc_stats.xmalloc_live, xm);
        }

        host_alloc_stats.fail_after = allocs;
        assert_int_equal(gpu_audit_table_init(&t, spec), 0);
        host_alloc_stats.fail_after = -1;
        check_table(&t, 0x3000);
        gpu_audit_table_destroy(&t);
        assert_int_equal(host_alloc_stats.xmalloc_live, xm);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_specs),
        cmocka_unit_test(test_edge_spec),
        cmocka_unit_test(test_most_registers),
        cmocka_unit_test(test_init_alloc_failures),
    };

    return cmocka_run_group_tests_name("reg_index", tests, NULL, NULL);
}
