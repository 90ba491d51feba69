/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Command tables: both generations validate; every descriptor decodes back
 * to itself; lengths decode as field + bias; corrupted specs are refused.
 */
#include "harness.h"

static const unsigned int gens[] = { 8, 9 };

/* A header of descriptor d with 'low' in the bits below its opcode. */
static uint32_t make_header(const struct gpu_cmd_desc *d, uint32_t low)
{
    switch ( d->type )
    {
    case GPU_CMD_TYPE_MI:
        return ((uint32_t)d->opcode << 23) | (low & 0x7fffff);
    case GPU_CMD_TYPE_2D:
        return (2u << 29) | ((uint32_t)d->opcode << 22) | (low & 0x3fffff);
    default:
        return (3u << 29) | ((uint32_t)d->opcode << 16) | (low & 0xffff);
    }
}

static uint32_t len_field(const struct gpu_cmd_desc *d, uint64_t *seed)
{
    uint32_t bits = d->len_bits ? d->len_bits : 8;

    return prng_next(seed) & ((1u << bits) - 1);
}

static void test_tables_init(void **state)
{
    unsigned int i;

    (void)state;
    assert_null(gpu_audit_spec_for_gen(7));
    assert_null(gpu_audit_spec_for_gen(10));
    for ( i = 0; i < ARRAY_SIZE(gens); i++ )
    {
        struct gpu_audit_table t;
        long xm = host_alloc_stats.xmalloc_live;

        assert_int_equal(gpu_audit_table_init(&t, gpu_audit_spec_for_gen(gens[i])), 0);
        assert_ptr_equal(t.spec, gpu_audit_spec_for_gen(gens[i]));
        assert_int_equal(t.spec->gen, gens[i]);
        gpu_audit_table_destroy(&t);
        assert_int_equal(host_alloc_stats.xmalloc_live, xm);
    }
}

/*
 * The public constructor: a validated table for gen 8 and 9, NULL for any
 * other generation, and NULL with nothing left allocated when memory runs
 * out at any of its allocations.
 */
static void test_table_create(void **state)
{
    unsigned int i, gen;
    long fail, xm = host_alloc_stats.xmalloc_live;

    (void)state;
    for ( gen = 0; gen < 12; gen++ )
    {
        struct gpu_audit_table *t = gpu_audit_table_create(gen);

        if ( gen != 8 && gen != 9 )
        {
            assert_null(t);
            continue;
        }
        assert_non_null(t);
        assert_ptr_equal(t->spec, gpu_audit_spec_for_gen(gen));
        assert_non_null(gpu_audit_lookup(t, XEN_GPU_ENGINE_RCS,
                                         0x05000000)); /* MI_BATCH_BUFFER_END */
        gpu_audit_table_free(t);
        assert_int_equal(host_alloc_stats.xmalloc_live, xm);
    }
    gpu_audit_table_free(NULL);
    for ( i = 0; i < ARRAY_SIZE(gens); i++ )
    {
        for ( fail = 0; ; fail++ )
        {
            struct gpu_audit_table *t;

            host_alloc_stats.fail_after = fail;
            t = gpu_audit_table_create(gens[i]);
            host_alloc_stats.fail_after = -1;
            if ( t )
            {
                gpu_audit_table_free(t);
                break;
            }
            assert_int_equal(host_alloc_stats.xmalloc_live, xm);
        }
        assert_true(fail > 1);
        assert_int_equal(host_alloc_stats.xmalloc_live, xm);
    }
}

static void test_decode_self(void **state)
{
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    unsigned int g, i, e, n, checked = 0;

    (void)state;
    for ( g = 0; g < ARRAY_SIZE(gens); g++ )
    {
        const struct gpu_audit_table *t = table_for(gens[g]);
        const struct gpu_gen_spec *s = t->spec;

        for ( i = 0; i < s->nr_cmds; i++ )
        {
            const struct gpu_cmd_desc *d = &s->cmds[i];

            for ( n = 0; n < 16; n++ )
            {
                uint32_t hdr = make_header(d, len_field(d, &seed));

                for ( e = 0; e < XEN_GPU_ENGINE_NR; e++ )
                {
                    const struct gpu_cmd_desc *x = gpu_audit_lookup(t, e, hdr);

                    if ( d->engines & (1u << e) )
                        assert_ptr_equal(x, d);
                    else
                        assert_ptr_not_equal(x, d);
                    checked++;
                }
            }
            assert_true(d->gens & (1u << gens[g]));
        }
    }
    assert_true(checked > 1000);
}

static void test_cmd_len(void **state)
{
    uint64_t seed = 42;
    unsigned int g, i, n;

    (void)state;
    for ( g = 0; g < ARRAY_SIZE(gens); g++ )
    {
        const struct gpu_gen_spec *s = table_for(gens[g])->spec;

        for ( i = 0; i < s->nr_cmds; i++ )
        {
            const struct gpu_cmd_desc *d = &s->cmds[i];

            for ( n = 0; n < 1000; n++ )
            {
                uint32_t f = len_field(d, &seed);
                uint32_t hdr = make_header(d, f);

                if ( d->len_bits )
                    assert_int_equal(gpu_audit_cmd_len(d, hdr), f + d->len_bias);
                else
                    assert_int_equal(gpu_audit_cmd_len(d, hdr), d->len_min);
            }
            /* The extremes of the field. */
            if ( d->len_bits )
            {
                assert_int_equal(gpu_audit_cmd_len(d, make_header(d, 0)),
                                 d->len_bias);
                assert_int_equal(gpu_audit_cmd_len(d, make_header(d, ~0u)),
                                 (1u << d->len_bits) - 1 + d->len_bias);
            }
        }
    }
}

static void test_noop_and_types(void **state)
{
    unsigned int g, e, type;

    (void)state;
    for ( g = 0; g < ARRAY_SIZE(gens); g++ )
    {
        const struct gpu_audit_table *t = table_for(gens[g]);

        for ( e = 0; e < XEN_GPU_ENGINE_NR; e++ )
        {
            const struct gpu_cmd_desc *d = gpu_audit_lookup(t, e, 0);
            unsigned int legal = t->spec->engines[e].types;

            assert_non_null(d);
            assert_string_equal(d->name, "MI_NOOP");
            assert_int_equal(d->len_min, 1);
            assert_int_equal(d->len_bits, 0);
            assert_int_equal(d->flags & GPU_CF_CHECKED, 0);
            /* No descriptor at all for a type the engine does not run. */
            for ( type = 0; type < GPU_CMD_TYPE_NR; type++ )
            {
                uint32_t op;

                if ( legal & (1u << type) )
                    continue;
                for ( op = 0; op < 0x2000; op++ )
                    assert_null(gpu_audit_lookup(t, e, (type << 29) | (op << 16) |
                                                 (op & 0xffff)));
            }
        }
        /* 2D on the render engine, 3D (XY_SRC_COPY_BLT's bits) elsewhere. */
        assert_null(gpu_audit_lookup(t, XEN_GPU_ENGINE_RCS, XY_SRC_COPY_BLT));
        assert_null(gpu_audit_lookup(t, XEN_GPU_ENGINE_BCS, GFX_OP_PIPE_CONTROL));
        assert_null(gpu_audit_lookup(t, XEN_GPU_ENGINE_BCS, 0x680b0000));
        assert_non_null(gpu_audit_lookup(t, XEN_GPU_ENGINE_BCS, XY_SRC_COPY_BLT));
        assert_non_null(gpu_audit_lookup(t, XEN_GPU_ENGINE_RCS, GFX_OP_PIPE_CONTROL));
    }
}

static void test_reg_lookup(void **state)
{
    unsigned int g, i;

    (void)state;
    for ( g = 0; g < ARRAY_SIZE(gens); g++ )
    {
        const struct gpu_audit_table *t = table_for(gens[g]);
        const struct gpu_gen_spec *s = t->spec;

        assert_true(s->nr_regs > 0);
        for ( i = 0; i < s->nr_regs; i++ )
        {
            assert_ptr_equal(gpu_audit_reg_lookup(t, s->regs[i].offset),
                             &s->regs[i]);
            if ( i )
                assert_true(s->regs[i - 1].offset < s->regs[i].offset);
        }
        assert_null(gpu_audit_reg_lookup(t, 0));
        assert_null(gpu_audit_reg_lookup(t, 0x2038));
    }
}

/* Corrupted specs ------------------------------------------------------------- */

struct bad_spec {
    struct gpu_gen_spec spec;
    struct gpu_cmd_desc *cmds;
    struct gpu_reg_desc *regs;
};

/* A modifiable copy of gen 9 with one spare descriptor slot. */
static void bad_init(struct bad_spec *b)
{
    const struct gpu_gen_spec *s = gpu_audit_spec_for_gen(9);

    b->spec = *s;
    b->cmds = calloc(s->nr_cmds + 1, sizeof(*b->cmds));
    b->regs = calloc(s->nr_regs, sizeof(*b->regs));
    assert_non_null(b->cmds);
    assert_non_null(b->regs);
    memcpy(b->cmds, s->cmds, s->nr_cmds * sizeof(*b->cmds));
    memcpy(b->regs, s->regs, s->nr_regs * sizeof(*b->regs));
    b->spec.cmds = b->cmds;
    b->spec.regs = b->regs;
}

static int bad_try(struct bad_spec *b)
{
    struct gpu_audit_table t;
    long xm = host_alloc_stats.xmalloc_live;
    int rc = gpu_audit_table_init(&t, &b->spec);

    if ( !rc )
        gpu_audit_table_destroy(&t);
    else
        assert_null(t.spec);
    assert_int_equal(host_alloc_stats.xmalloc_live, xm);
    free(b->cmds);
    free(b->regs);

    return rc;
}

static int find_cmd(const struct bad_spec *b, const char *name)
{
    unsigned int i;

    for ( i = 0; i < b->spec.nr_cmds; i++ )
        if ( !strcmp(b->cmds[i].name, name) )
            return i;
    fail_msg("no %s", name);
    return -1;
}

typedef void corrupt_fn(struct bad_spec *b);

static void corrupt_none(struct bad_spec *b)
{
    (void)b;
}

static void corrupt_unsorted(struct bad_spec *b)
{
    int i = find_cmd(b, "MI_STORE_DATA_IMM");
    struct gpu_cmd_desc tmp = b->cmds[i];

    b->cmds[i] = b->cmds[i + 1];
    b->cmds[i + 1] = tmp;
}

static void corrupt_duplicate(struct bad_spec *b)
{
    int i = find_cmd(b, "MI_LOAD_REGISTER_IMM");

    memmove(&b->cmds[i + 1], &b->cmds[i],
            (b->spec.nr_cmds - i) * sizeof(*b->cmds));
    b->cmds[i + 1].engines = GPU_ENG_RCS;
    b->cmds[i + 1].name = "MI_LRI_TWIN";
    b->spec.nr_cmds++;
}

static void corrupt_operand_beyond(struct bad_spec *b)
{
    struct gpu_cmd_desc *d = &b->cmds[find_cmd(b, "MI_STORE_REGISTER_MEM")];

    d->operands[1].dw = d->len_min - 1;   /* two-dword address at the end */
}

static void corrupt_len_zero(struct bad_spec *b)
{
    struct gpu_cmd_desc *d = &b->cmds[find_cmd(b, "MI_USER_INTERRUPT")];

    d->len_min = d->len_max = 0;
}

static void corrupt_regs_order(struct bad_spec *b)
{
    struct gpu_reg_desc tmp = b->regs[3];

    b->regs[3] = b->regs[4];
    b->regs[4] = tmp;
}

static void corrupt_two_types(struct bad_spec *b)
{
    b->spec.engines[XEN_GPU_ENGINE_VECS].types |= 1u << GPU_CMD_TYPE_2D;
}

static void corrupt_noop(struct bad_spec *b)
{
    b->cmds[find_cmd(b, "MI_NOOP")].engines &= ~GPU_ENG_BCS;
}

static void corrupt_unchecked_jump(struct bad_spec *b)
{
    b->cmds[find_cmd(b, "MI_BATCH_BUFFER_START")].flags &= ~GPU_CF_CHECKED;
}

static void corrupt_reg_unaligned(struct bad_spec *b)
{
    b->regs[0].offset |= 2;
}

static void corrupt_wrong_type_engine(struct bad_spec *b)
{
    b->cmds[find_cmd(b, "XY_SRC_COPY_BLT")].engines |= GPU_ENG_RCS;
}

/* An address field that would lie past the longest form of its command. */
static const struct gpu_mem_field mem_beyond[] = { { .dw = 2, .dws = 2 } };

static void corrupt_mem_beyond(struct bad_spec *b)
{
    struct gpu_cmd_desc *d = &b->cmds[find_cmd(b, "MI_ARB_CHECK")];

    d->mem = mem_beyond;
    d->nr_mem = 1;
}

static void test_corrupted_specs(void **state)
{
    static corrupt_fn *const bad[] = {
        corrupt_unsorted, corrupt_duplicate, corrupt_operand_beyond,
        corrupt_len_zero, corrupt_regs_order, corrupt_two_types,
        corrupt_noop, corrupt_unchecked_jump, corrupt_reg_unaligned,
        corrupt_wrong_type_engine, corrupt_mem_beyond,
    };
    struct bad_spec b;
    unsigned int i;

    (void)state;
    bad_init(&b);
    corrupt_none(&b);
    assert_int_equal(bad_try(&b), 0);
    for ( i = 0; i < ARRAY_SIZE(bad); i++ )
    {
        bad_init(&b);
        bad[i](&b);
        if ( bad_try(&b) != -EINVAL )
            fail_msg("corruption %u accepted", i);
    }
}

/* Address-bearing dwords: single fields, 32-bit ones, repeated groups. */
static void test_cmd_mem(void **state)
{
    static const struct gpu_mem_field mem[] = {
        { .dw = 2, .dws = 2 },               /* 64-bit at dwords 2-3 */
        { .dw = 5, .dws = 1 },               /* 32-bit at dword 5 */
        { .dw = 7, .dws = 2, .stride = 4 },  /* groups of 4 from dword 6 */
    };
    struct gpu_cmd_desc d = {
        .name = "TEST", .len_bits = 8, .len_bias = 2, .len_min = 2,
        .len_max = 257, .mem = mem, .nr_mem = ARRAY_SIZE(mem),
    };
    uint16_t out[8];

    (void)state;
    /* 14 dwords: groups at 6 and 10 (addresses at 7-8 and 11-12). */
    assert_int_equal(gpu_audit_cmd_mem(&d, 14, out, ARRAY_SIZE(out)), 4);
    assert_int_equal(out[0], 2);
    assert_int_equal(out[1], 5 | GPU_MEM_DW32);
    assert_int_equal(out[2], 7);
    assert_int_equal(out[3], 11);
    /* A group cut short by the length has no address; nor a field past it. */
    assert_int_equal(gpu_audit_cmd_mem(&d, 12, out, ARRAY_SIZE(out)), 3);
    assert_int_equal(gpu_audit_cmd_mem(&d, 4, out, ARRAY_SIZE(out)), 1);
    /* The count is exact even when out is too small. */
    assert_int_equal(gpu_audit_cmd_mem(&d, 30, out, 1), 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables_init),
        cmocka_unit_test(test_table_create),
        cmocka_unit_test(test_decode_self),
        cmocka_unit_test(test_cmd_len),
        cmocka_unit_test(test_noop_and_types),
        cmocka_unit_test(test_reg_lookup),
        cmocka_unit_test(test_corrupted_specs),
        cmocka_unit_test(test_cmd_mem),
    };

    return cmocka_run_group_tests_name("tables", tests, NULL, NULL);
}
