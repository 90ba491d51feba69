/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Mode bits that change what an audited operand means (docs/audit-rules.md,
 * "Mode bits"; every field's disposition: tests/crosscheck/
 * field-dispositions.txt):
 *
 *   MI_SEMAPHORE_WAIT Register Poll Mode (Gen9 DW0 bit 16): refused;
 *   MI_STORE_DATA_IMM Core Mode Enable (DW1 bit 0): the GGTT range audited
 *     is the one the hardware may write, the data's size twice;
 *   PIPE_CONTROL / MI_FLUSH_DW Store Data Index: the index must lie inside
 *     the one-page status page;
 *   MI_ATOMIC: the length follows the Inline Data bit (3 or 11 dwords),
 *     and the opcode's operand size agrees with Data Size;
 *   MI_LOAD_REGISTER_IMM Byte Write Disables: refused;
 *   MI_CLFLUSH: the GGTT range audited covers every half cache line flushed.
 *
 * Each case is run on both generations where the command exists, in a
 * PPGTT batch and, for GGTT forms, a GGTT batch; verdicts are exact
 * (reason, buffer, offset).
 */
#include "harness.h"

#define RCS        XEN_GPU_ENGINE_RCS
#define BCS        XEN_GPU_ENGINE_BCS
#define VCS        XEN_GPU_ENGINE_VCS
#define BATCH      0x100000ull       /* PPGTT batch */
#define GBATCH     0x100000ull       /* GGTT batch, inside the slice */
#define SCRATCH    0x800000ull
#define SLICE_END  0x10000000ull     /* audit_defaults: one slice 0:256M */

#define SEM_REG_POLL      (1u << 16)
#define SDI_CORE_MODE     1u          /* DW1 bit 0 */
#define STORE_INDEX       (1u << 21)  /* PIPE_CONTROL DW1, MI_FLUSH_DW DW0 */
#define ATOMIC_INLINE     (1u << 18)
#define ATOMIC_LEN(n)     (MI_INSTR(0x2f, 0) | ((n) - 2))

static const unsigned int gens[] = { 8, 9 };

static struct mem m;
static struct bb bb;

/* A fresh batch of the given space: NOOP, then the command under test. */
static void start(unsigned int space)
{
    mem_free(&m);
    mem_init(&m);
    bb_init(&bb, mem_add(&m, space, space == GPU_SPACE_GGTT ? GBATCH : BATCH,
                         4096));
    mem_add(&m, GPU_SPACE_PPGTT, SCRATCH, 4096);
    emit_noops(&bb, 1);
}

/* End the batch, audit it, and check the verdict on the command at 'at'. */
static void expect(unsigned int gen, unsigned int engine, unsigned int space,
                   uint32_t at, uint32_t reason)
{
    struct audit_res res;

    emit_bbe(&bb);
    audit(&m, gen, engine, space,
          space == GPU_SPACE_GGTT ? GBATCH : BATCH, &res);
    assert_verdict(&res, reason, 0, reason ? DW(at) : 0);
}

static int teardown(void **state)
{
    (void)state;
    mem_free(&m);
    return 0;
}

/* ---- MI_SEMAPHORE_WAIT: Register Poll Mode ---------------------------- */

static uint32_t emit_sem_wait(uint32_t flags, uint64_t addr)
{
    uint32_t at = emit_cmd(&bb, MI_SEMAPHORE_WAIT | flags, 4);

    bb.r->dw[at + 2] = (uint32_t)addr;
    bb.r->dw[at + 3] = (uint32_t)(addr >> 32);
    return at;
}

static void test_sem_register_poll_gen9(void **state)
{
    static const unsigned int spaces[] = { GPU_SPACE_PPGTT, GPU_SPACE_GGTT };
    unsigned int i;
    uint32_t at;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(spaces); i++ )
    {
        /* DW2 would be a register offset (RING_HEAD of the render ring). */
        start(spaces[i]);
        at = emit_sem_wait(SEM_REG_POLL, 0x2034);
        expect(9, RCS, spaces[i], at, XEN_GPU_AUDIT_REG_POLL);
        start(spaces[i]);
        at = emit_sem_wait(SEM_REG_POLL, 0x2034);
        expect(9, BCS, spaces[i], at, XEN_GPU_AUDIT_REG_POLL);
    }
}

/* Gen8 has no register-poll mode: bit 16 is reserved and changes nothing. */
static void test_sem_bit16_gen8_reserved(void **state)
{
    uint32_t at;

    (void)state;
    start(GPU_SPACE_PPGTT);
    at = emit_sem_wait(SEM_REG_POLL, SCRATCH);
    expect(8, RCS, GPU_SPACE_PPGTT, at, XEN_GPU_AUDIT_OK);
}

static void test_sem_memory_poll_accepted(void **state)
{
    unsigned int g;
    uint32_t at;

    (void)state;
    for ( g = 0; g < ARRAY_SIZE(gens); g++ )
    {
        start(GPU_SPACE_PPGTT);
        at = emit_sem_wait(0, SCRATCH);
        expect(gens[g], RCS, GPU_SPACE_PPGTT, at, XEN_GPU_AUDIT_OK);
    }
}

/* ---- MI_STORE_DATA_IMM: Core Mode Enable ------------------------------ */

static uint32_t emit_sdi_core(uint64_t addr, bool core, bool qword)
{
    static const uint32_t data[2] = { 0x5a5a5a5a, 0xa5a5a5a5 };

    return emit_sdi_raw(&bb, MI_USE_GGTT | (qword ? SDI_QWORD : 0),
                        addr | (core ? SDI_CORE_MODE : 0), data,
                        qword ? 2 : 1);
}

struct sdi_case {
    uint64_t addr;
    bool core, qword;
    uint32_t reason;
};

static void test_sdi_core_mode_range(void **state)
{
    static const struct sdi_case cases[] = {
        /* The last dword of the slice: fine alone ... */
        { SLICE_END - 4, false, false, XEN_GPU_AUDIT_OK },
        /* ... but in core mode the hardware may write the next one. */
        { SLICE_END - 4, true, false, XEN_GPU_AUDIT_GGTT_RANGE },
        { SLICE_END - 8, true, false, XEN_GPU_AUDIT_OK },
        /* A qword store: 16 bytes in core mode. */
        { SLICE_END - 8, false, true, XEN_GPU_AUDIT_OK },
        { SLICE_END - 8, true, true, XEN_GPU_AUDIT_GGTT_RANGE },
        { SLICE_END - 12, true, true, XEN_GPU_AUDIT_GGTT_RANGE },
        { SLICE_END - 16, true, true, XEN_GPU_AUDIT_OK },
    };
    static const unsigned int spaces[] = { GPU_SPACE_PPGTT, GPU_SPACE_GGTT };
    unsigned int g, i, s;
    uint32_t at;

    (void)state;
    for ( g = 0; g < ARRAY_SIZE(gens); g++ )
        for ( s = 0; s < ARRAY_SIZE(spaces); s++ )
            for ( i = 0; i < ARRAY_SIZE(cases); i++ )
            {
                start(spaces[s]);
                at = emit_sdi_core(cases[i].addr, cases[i].core,
                                   cases[i].qword);
                expect(gens[g], RCS, spaces[s], at, cases[i].reason);
            }
}

/* A PPGTT store in core mode stays in the vGPU's own address space. */
static void test_sdi_core_mode_ppgtt(void **state)
{
    static const uint32_t data[1] = { 1 };
    unsigned int g;
    uint32_t at;

    (void)state;
    for ( g = 0; g < ARRAY_SIZE(gens); g++ )
    {
        start(GPU_SPACE_PPGTT);
        at = emit_sdi_raw(&bb, 0, (SCRATCH + 4092) | SDI_CORE_MODE, data, 1);
        expect(gens[g], VCS, GPU_SPACE_PPGTT, at, XEN_GPU_AUDIT_OK);
    }
}

/* ---- Store Data Index: PIPE_CONTROL and MI_FLUSH_DW ------------------- */

struct index_case {
    uint64_t index;
    bool ggtt, post;
    uint32_t reason;
};

static const struct index_case index_cases[] = {
    { 0x0, true, true, XEN_GPU_AUDIT_OK },
    { 0xff8, true, true, XEN_GPU_AUDIT_OK },            /* last qword */
    { 0x1000, true, true, XEN_GPU_AUDIT_STATUS_INDEX },  /* next page */
    { 0x1ff8, false, true, XEN_GPU_AUDIT_STATUS_INDEX }, /* either type */
    { 0x100000000ull, true, true, XEN_GPU_AUDIT_STATUS_INDEX }, /* high dword */
    { 0x1000, true, false, XEN_GPU_AUDIT_OK },           /* no post-sync write */
};

static void test_pipe_control_store_index(void **state)
{
    unsigned int g, i;
    uint32_t at;

    (void)state;
    for ( g = 0; g < ARRAY_SIZE(gens); g++ )
        for ( i = 0; i < ARRAY_SIZE(index_cases); i++ )
        {
            const struct index_case *c = &index_cases[i];

            start(GPU_SPACE_PPGTT);
            at = emit_pipe_control(&bb, STORE_INDEX | (c->post ? PC_QW_WRITE : 0),
                                   c->index, c->ggtt);
            expect(gens[g], RCS, GPU_SPACE_PPGTT, at, c->reason);
        }
}

static void test_flush_dw_store_index(void **state)
{
    static const unsigned int engines[] = { BCS, VCS };
    unsigned int g, e, i;
    uint32_t at;

    (void)state;
    for ( g = 0; g < ARRAY_SIZE(gens); g++ )
        for ( e = 0; e < ARRAY_SIZE(engines); e++ )
            for ( i = 0; i < ARRAY_SIZE(index_cases); i++ )
            {
                const struct index_case *c = &index_cases[i];

                start(GPU_SPACE_PPGTT);
                at = emit_flush_dw(&bb, c->index, c->ggtt, c->post);
                bb.r->dw[at] |= STORE_INDEX;
                expect(gens[g], engines[e], GPU_SPACE_PPGTT, at, c->reason);
            }
}

/* Without Store Data Index the same offsets are plain GGTT addresses. */
static void test_store_index_clear_is_address(void **state)
{
    unsigned int g;
    uint32_t at;

    (void)state;
    for ( g = 0; g < ARRAY_SIZE(gens); g++ )
    {
        start(GPU_SPACE_PPGTT);
        at = emit_pipe_control(&bb, PC_QW_WRITE, 0x1000, true);
        expect(gens[g], RCS, GPU_SPACE_PPGTT, at, XEN_GPU_AUDIT_OK);
        start(GPU_SPACE_PPGTT);
        at = emit_pipe_control(&bb, PC_QW_WRITE, SLICE_END, true);
        expect(gens[g], RCS, GPU_SPACE_PPGTT, at, XEN_GPU_AUDIT_GGTT_RANGE);
    }
}

/* ---- MI_ATOMIC: length follows Inline Data ---------------------------- */

struct atomic_case {
    bool inl;
    unsigned int len;
    uint32_t reason;
};

/* An MI_ATOMIC of this header and length on SCRATCH, on both generations. */
static void expect_atomic(uint32_t header, unsigned int len, uint32_t reason)
{
    unsigned int g;
    uint32_t at;

    for ( g = 0; g < ARRAY_SIZE(gens); g++ )
    {
        start(GPU_SPACE_PPGTT);
        at = emit_cmd(&bb, header, len);
        bb.r->dw[at + 1] = (uint32_t)SCRATCH;
        expect(gens[g], RCS, GPU_SPACE_PPGTT, at, reason);
    }
}

static void test_atomic_inline_length(void **state)
{
    static const struct atomic_case cases[] = {
        { false, 3, XEN_GPU_AUDIT_OK },
        { true, 11, XEN_GPU_AUDIT_OK },
        /* The hardware would take the next 8 dwords as operands. */
        { true, 3, XEN_GPU_AUDIT_BAD_LENGTH },
        /* The hardware would run the 8 dwords the auditor skipped. */
        { false, 11, XEN_GPU_AUDIT_BAD_LENGTH },
    };
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(cases); i++ )
        expect_atomic(ATOMIC_LEN(cases[i].len) |
                      (cases[i].inl ? ATOMIC_INLINE : 0), cases[i].len,
                      cases[i].reason);
}

/*
 * MI_ATOMIC: ATOMIC OPCODE bits 14:13 give the operand size too (0x0X
 * dword, 0x2X qword, 0x4X octword).  The size audited is Data Size's
 * (20:19): an opcode of a larger size is refused, a smaller one is
 * audited at the larger Data Size.
 */
struct atomic_size_case {
    uint32_t opcode, data_size;
    uint32_t reason;
};

static void test_atomic_opcode_size(void **state)
{
    static const struct atomic_size_case cases[] = {
        { 0x07, 0, XEN_GPU_AUDIT_OK },                  /* ADD dword */
        { 0x27, 1, XEN_GPU_AUDIT_OK },                  /* ADD qword */
        { 0x4e, 2, XEN_GPU_AUDIT_OK },                  /* octword op */
        { 0x27, 0, XEN_GPU_AUDIT_OPERAND_SIZE },        /* 8 bytes, 4 audited */
        { 0x4e, 0, XEN_GPU_AUDIT_OPERAND_SIZE },        /* 16 bytes, 4 audited */
        { 0x4e, 1, XEN_GPU_AUDIT_OPERAND_SIZE },
        { 0x67, 2, XEN_GPU_AUDIT_OPERAND_SIZE },        /* 32 bytes, 16 audited */
        { 0x07, 1, XEN_GPU_AUDIT_OK },                  /* 8 audited, 4 used */
        { 0x67, 3, XEN_GPU_AUDIT_OK },                  /* 32 audited */
    };
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(cases); i++ )
        expect_atomic(ATOMIC_LEN(3) | (cases[i].opcode << 8) |
                      (cases[i].data_size << 19), 3, cases[i].reason);
}

/* ---- MI_CLFLUSH: the flushed range ------------------------------------- */

/*
 * From its Starting Cacheline Offset (DW1 11:6) the command flushes one
 * half cache line (32 bytes) per dword after the address: a long one
 * reaches past its page.  The GGTT form is audited for the page plus
 * 32 bytes a dword.
 */
struct clflush_case {
    uint64_t page;
    unsigned int len;
    uint32_t reason;
};

static void test_clflush_range(void **state)
{
    static const struct clflush_case cases[] = {
        { SLICE_END - 4096, 3, XEN_GPU_AUDIT_OK },
        { SLICE_END - 4096, 7, XEN_GPU_AUDIT_GGTT_RANGE },  /* 128 bytes past */
        { SLICE_END - 8192, 7, XEN_GPU_AUDIT_OK },
        { SLICE_END - 8192, 131, XEN_GPU_AUDIT_OK },        /* 4 KiB more */
        { SLICE_END - 8192, 132, XEN_GPU_AUDIT_GGTT_RANGE },
    };
    unsigned int g, i;
    uint32_t at;

    (void)state;
    for ( g = 0; g < ARRAY_SIZE(gens); g++ )
        for ( i = 0; i < ARRAY_SIZE(cases); i++ )
        {
            start(GPU_SPACE_PPGTT);
            at = emit_cmd(&bb, MI_INSTR(0x27, cases[i].len - 2) | MI_USE_GGTT,
                          cases[i].len);
            bb.r->dw[at + 1] = (uint32_t)cases[i].page | 0xfc0;
            expect(gens[g], RCS, GPU_SPACE_PPGTT, at, cases[i].reason);
        }
}

/* ---- MI_LOAD_REGISTER_IMM: Byte Write Disables ------------------------ */

static void test_lri_byte_write_disables(void **state)
{
    static const uint32_t disables[] = { 0x100, 0x200, 0x400, 0x800, 0xf00 };
    unsigned int g, i;
    uint32_t at;

    (void)state;
    for ( g = 0; g < ARRAY_SIZE(gens); g++ )
    {
        /* CS_GPR0, whitelisted on both generations: accepted whole. */
        start(GPU_SPACE_PPGTT);
        at = emit_lri(&bb, 0x2600, 0x12345678);
        expect(gens[g], RCS, GPU_SPACE_PPGTT, at, XEN_GPU_AUDIT_OK);
        for ( i = 0; i < ARRAY_SIZE(disables); i++ )
        {
            start(GPU_SPACE_PPGTT);
            at = emit_lri(&bb, 0x2600, 0x12345678);
            bb.r->dw[at] |= disables[i];
            expect(gens[g], RCS, GPU_SPACE_PPGTT, at, XEN_GPU_AUDIT_REG_MASK);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_sem_register_poll_gen9, teardown),
        cmocka_unit_test_teardown(test_sem_bit16_gen8_reserved, teardown),
        cmocka_unit_test_teardown(test_sem_memory_poll_accepted, teardown),
        cmocka_unit_test_teardown(test_sdi_core_mode_range, teardown),
        cmocka_unit_test_teardown(test_sdi_core_mode_ppgtt, teardown),
        cmocka_unit_test_teardown(test_pipe_control_store_index, teardown),
        cmocka_unit_test_teardown(test_flush_dw_store_index, teardown),
        cmocka_unit_test_teardown(test_store_index_clear_is_address, teardown),
        cmocka_unit_test_teardown(test_atomic_inline_length, teardown),
        cmocka_unit_test_teardown(test_atomic_opcode_size, teardown),
        cmocka_unit_test_teardown(test_lri_byte_write_disables, teardown),
        cmocka_unit_test_teardown(test_clflush_range, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
