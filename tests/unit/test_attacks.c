/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Attacks on the auditor: out-of-slice GGTT accesses, forbidden registers,
 * jump tricks, ring bounds, length overflows, privileged commands in each
 * kind of buffer, masked registers, and the anv self-patched return jump.
 *
 * GGTT operands are checked in every kind of buffer: ring segments, GGTT
 * batches and PPGTT batches alike.
 */
#include "harness.h"

#define GEN        9
#define RCS        XEN_GPU_ENGINE_RCS
#define BCS        XEN_GPU_ENGINE_BCS
#define VCS        XEN_GPU_ENGINE_VCS
#define VECS       XEN_GPU_ENGINE_VECS
#define BATCH      0x100000ull       /* PPGTT first-level batch */
#define BATCH2     0x400000ull       /* PPGTT second buffer */
#define BATCH3     0x500000ull
#define GBATCH     0x100000ull       /* GGTT batch (in the slice) */
#define RING       0x200000ull       /* GGTT ring, one page */
#define SCRATCH    0x800000ull
#define SLICE_END  0x10000000ull

#define GPR(n)     (0x2600u + 8 * (n))
#define CS_CHICKEN1 0x2580u
#define PDP0_LDW   0x2270u

/* Buffer classes, as the tests name them. */
enum cls { C_RING, C_GGTT, C_PPGTT, C_NR };

static struct bb bbs[C_NR];

static int setup(void **state)
{
    fixture_setup(state);
    bb_add(&bbs[C_PPGTT], &fx_mem, GPU_SPACE_PPGTT, BATCH, 4096);
    bb_add(&bbs[C_GGTT], &fx_mem, GPU_SPACE_GGTT, GBATCH, 4096);
    bb_add(&bbs[C_RING], &fx_mem, GPU_SPACE_GGTT, RING, 4096);
    mem_add(&fx_mem, GPU_SPACE_PPGTT, SCRATCH, 4096);
    return 0;
}

static void reset(void)
{
    fixture_teardown(NULL);
    setup(NULL);
}

/* End a buffer: batches with MI_BATCH_BUFFER_END, rings at a qword tail. */
static void finish(enum cls c)
{
    if ( c != C_RING )
        emit_bbe(&bbs[c]);
    else if ( bbs[c].pos & 1 )
        emit_noops(&bbs[c], 1);
}

static struct gpu_audit_ring ring_of(uint32_t head, uint32_t tail)
{
    struct gpu_audit_ring r = {
        .start = RING, .size = 4096, .head = head, .tail = tail,
    };

    return r;
}

/* Start a kept submission of the buffer of class c. */
static void keep_in(struct audit_run *r, enum cls c, unsigned int engine,
                    const struct audit_opts *o)
{
    struct gpu_audit_ring ring = ring_of(0, bb_off(&bbs[C_RING]));

    if ( c == C_RING )
        run_keep(r, &fx_mem, GEN, engine, o, 0, 0, &ring);
    else
        run_keep(r, &fx_mem, GEN, engine, o,
                 c == C_GGTT ? GPU_SPACE_GGTT : GPU_SPACE_PPGTT,
                 c == C_GGTT ? GBATCH : BATCH, NULL);
}

static void expect_in(enum cls c, unsigned int engine,
                      const struct audit_opts *o, uint32_t reason,
                      uint32_t buffer, uint32_t offset)
{
    struct audit_run r;

    keep_in(&r, c, engine, o);
    run_done(&r);
    assert_verdict(&r.res, reason, buffer, offset);
}

/* One command (built by fn) after a NOOP, in class c. */
typedef uint32_t build_fn(struct bb *b, const void *arg);

static void check_one(enum cls c, unsigned int engine, build_fn *fn,
                      const void *arg, uint32_t reason)
{
    uint32_t at;

    reset();
    emit_noops(&bbs[c], 1);
    at = fn(&bbs[c], arg);
    finish(c);
    expect_in(c, engine, NULL, reason, 0, reason ? DW(at) : 0);
}

static void check_all(unsigned int engine, build_fn *fn, const void *arg,
                      const uint32_t reason[C_NR])
{
    unsigned int c;

    for ( c = 0; c < C_NR; c++ )
        check_one(c, engine, fn, arg, reason[c]);
}

/* GGTT ranges ------------------------------------------------------------- */

struct addr_arg {
    uint64_t addr;
    uint32_t flags;
};

static uint32_t build_pc_ggtt(struct bb *b, const void *arg)
{
    const struct addr_arg *a = arg;

    return emit_pipe_control(b, PC_QW_WRITE | a->flags, a->addr, true);
}

static uint32_t build_sdi_ggtt(struct bb *b, const void *arg)
{
    const struct addr_arg *a = arg;

    return emit_sdi(b, a->addr, 0x55, true, a->flags);
}

static uint32_t build_atomic_ggtt(struct bb *b, const void *arg)
{
    const struct addr_arg *a = arg;

    return emit_atomic(b, a->addr, true);
}

static void check_ggtt_all(build_fn *fn, uint64_t addr, uint32_t flags,
                           uint32_t reason)
{
    const struct addr_arg a = { .addr = addr, .flags = flags };
    const uint32_t r[C_NR] = { reason, reason, reason };

    check_all(RCS, fn, &a, r);
}

static void test_ggtt_slice_end(void **state)
{
    (void)state;
    check_ggtt_all(build_pc_ggtt, SLICE_END - 4, 0, XEN_GPU_AUDIT_GGTT_RANGE);
    check_ggtt_all(build_pc_ggtt, SLICE_END - 8, 0, XEN_GPU_AUDIT_OK);
    check_ggtt_all(build_pc_ggtt, SLICE_END, 0, XEN_GPU_AUDIT_GGTT_RANGE);
    check_ggtt_all(build_sdi_ggtt, SLICE_END - 4, true, XEN_GPU_AUDIT_GGTT_RANGE);
    check_ggtt_all(build_sdi_ggtt, SLICE_END - 8, true, XEN_GPU_AUDIT_OK);
    check_ggtt_all(build_sdi_ggtt, SLICE_END - 4, false, XEN_GPU_AUDIT_OK);
    check_ggtt_all(build_sdi_ggtt, SLICE_END, false, XEN_GPU_AUDIT_GGTT_RANGE);
}

/*
 * MI_STORE_DATA_IMM with Store Qword set but a one-dword payload (length
 * 4): the hardware stores 8 bytes.  Accepting it at slice_end - 4 would
 * let 4 bytes land outside the slice.
 */
static void test_sdi_qword_short(void **state)
{
    uint32_t at;
    struct audit_res res;
    uint32_t data = 0x55;

    (void)state;
    at = emit_sdi_raw(&bbs[C_PPGTT], MI_USE_GGTT | SDI_QWORD, SLICE_END - 4,
                      &data, 1);
    finish(C_PPGTT);
    audit(&fx_mem, GEN, RCS, GPU_SPACE_PPGTT, BATCH, &res);
    assert_int_not_equal(res.reason, XEN_GPU_AUDIT_OK);
    assert_int_equal(res.offset, DW(at));
}

static void test_atomic_size(void **state)
{
    uint32_t at;

    (void)state;
    check_ggtt_all(build_atomic_ggtt, SLICE_END - 4, 0, XEN_GPU_AUDIT_OK);
    /* Data Size 1 (bits 20:19): 8 bytes. */
    reset();
    at = emit_atomic(&bbs[C_PPGTT], SLICE_END - 4, true);
    bbs[C_PPGTT].r->dw[at] |= 1u << 19;
    finish(C_PPGTT);
    expect_in(C_PPGTT, RCS, NULL, XEN_GPU_AUDIT_GGTT_RANGE, 0, DW(at));
}

/* MI_FLUSH_DW post-sync writes, on the blitter. */
static void test_flush_dw_ggtt(void **state)
{
    uint32_t at;

    (void)state;
    at = emit_flush_dw(&bbs[C_PPGTT], SLICE_END, true, true);
    finish(C_PPGTT);
    expect_in(C_PPGTT, BCS, NULL, XEN_GPU_AUDIT_GGTT_RANGE, 0, DW(at));
    /* Bits 2:0 are not address: end - 4 is the qword at end - 8. */
    reset();
    emit_flush_dw(&bbs[C_PPGTT], SLICE_END - 4, true, true);
    finish(C_PPGTT);
    expect_in(C_PPGTT, BCS, NULL, XEN_GPU_AUDIT_OK, 0, 0);
    /* The render engine flushes with PIPE_CONTROL: MI_FLUSH_DW is unknown. */
    expect_in(C_PPGTT, RCS, NULL, XEN_GPU_AUDIT_UNKNOWN_CMD, 0, 0);
}

static void test_other_vgpu_slice(void **state)
{
    struct audit_opts a, b;
    uint32_t at;

    (void)state;
    audit_opts_default(&a);
    a.slices[0].size = 0x1000000;
    audit_opts_default(&b);
    b.slices[0].base = 0x1000000;
    b.slices[0].size = 0x1000000;

    at = emit_pipe_control(&bbs[C_PPGTT], PC_QW_WRITE, 0x1000000 + 0x40, true);
    finish(C_PPGTT);
    expect_in(C_PPGTT, RCS, &a, XEN_GPU_AUDIT_GGTT_RANGE, 0, DW(at));
    expect_in(C_PPGTT, RCS, &b, XEN_GPU_AUDIT_OK, 0, 0);
}

static void test_ggtt_near_top(void **state)
{
    struct audit_opts o;
    struct gpu_audit_vgpu v;
    const uint64_t top = 1ull << 48;
    uint32_t at;

    (void)state;
    audit_opts_default(&o);
    o.slices[0].base = top - 0x10000;
    o.slices[0].size = 0x10000;
    o.nr_slices = 1;
    at = emit_pipe_control(&bbs[C_PPGTT], PC_QW_WRITE, top - 4, true);
    finish(C_PPGTT);
    expect_in(C_PPGTT, RCS, &o, XEN_GPU_AUDIT_GGTT_RANGE, 0, DW(at));
    bbs[C_PPGTT].r->dw[at + 2] = (uint32_t)(top - 8);
    expect_in(C_PPGTT, RCS, &o, XEN_GPU_AUDIT_OK, 0, 0);

    /* Range checks must not wrap at 2^64. */
    gpu_audit_vgpu_init(&v, table_for(GEN));
    assert_int_equal(gpu_audit_vgpu_add_slice(&v, 0, 0x10000), 0);
    assert_int_not_equal(gpu_audit_vgpu_add_slice(&v, ~0xffffull, 0x10000), 0);
    assert_int_equal(gpu_audit_vgpu_add_slice(&v, ~0x1ffffull, 0x10000), 0);
    assert_false(gpu_audit_ggtt_range_ok(&v, ~0ull - 3, 8));
    assert_false(gpu_audit_ggtt_range_ok(&v, ~0x10003ull, 8));
    assert_true(gpu_audit_ggtt_range_ok(&v, ~0x10007ull, 8));
    assert_false(gpu_audit_ggtt_range_ok(&v, 8, ~0ull));
    assert_false(gpu_audit_ggtt_range_ok(&v, 0xfff8, 16));
    assert_true(gpu_audit_ggtt_range_ok(&v, 0, 0x10000));
    assert_false(gpu_audit_ggtt_range_ok(&v, 0x10000, 1));
}

/* Registers ---------------------------------------------------------------- */

struct reg_arg {
    uint32_t reg;
    uint32_t val;
};

static uint32_t build_lri(struct bb *b, const void *arg)
{
    const struct reg_arg *a = arg;

    return emit_lri(b, a->reg, a->val);
}

static uint32_t build_lrm(struct bb *b, const void *arg)
{
    const struct reg_arg *a = arg;

    return emit_lrm(b, a->reg, SCRATCH, false);
}

static uint32_t build_lrr_into(struct bb *b, const void *arg)
{
    const struct reg_arg *a = arg;

    return emit_lrr(b, GPR(0), a->reg);
}

static uint32_t build_pc_lri(struct bb *b, const void *arg)
{
    const struct reg_arg *a = arg;
    uint32_t at = emit_pipe_control(b, PC_QW_WRITE | PC_LRI_POST_OP, a->reg,
                                    false);

    b->r->dw[at + 4] = a->val;
    return at;
}

static void check_reg_ppgtt(build_fn *fn, uint32_t reg, uint32_t val,
                            uint32_t reason)
{
    const struct reg_arg a = { .reg = reg, .val = val };

    check_one(C_PPGTT, RCS, fn, &a, reason);
}

static void test_ring_and_gtt_registers(void **state)
{
    static const uint32_t regs[] = { 0x2038, 0x203c, 0x101008, PDP0_LDW };
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(regs); i++ )
    {
        check_reg_ppgtt(build_lri, regs[i], 0, XEN_GPU_AUDIT_REG_DENIED);
        check_reg_ppgtt(build_lrm, regs[i], 0, XEN_GPU_AUDIT_REG_DENIED);
        check_reg_ppgtt(build_lrr_into, regs[i], 0, XEN_GPU_AUDIT_REG_DENIED);
        check_reg_ppgtt(build_pc_lri, regs[i], 0, XEN_GPU_AUDIT_REG_DENIED);
    }
}

static void check_pdp_note(enum cls c)
{
    struct audit_run r;
    const struct gpu_audit_note *n;
    uint32_t at;

    reset();
    emit_noops(&bbs[c], 2);
    at = emit_lri(&bbs[c], PDP0_LDW + 4, 0x123000);
    finish(c);
    keep_in(&r, c, RCS, NULL);
    assert_int_equal(r.res.reason, XEN_GPU_AUDIT_OK);
    n = run_find_note(&r, GPU_NOTE_PDP_LOAD);
    assert_non_null(n);
    assert_int_equal(n->buf, 0);
    assert_int_equal(n->offset, DW(at + 2));
    assert_int_equal(n->header, PDP0_LDW + 4);
    assert_int_equal(gpu_audit_nr_notes(r.sub), 1);
    run_done(&r);
}

static void test_pdp_privileged(void **state)
{
    const struct reg_arg a = { .reg = PDP0_LDW, .val = 0 };

    (void)state;
    check_pdp_note(C_RING);
    check_pdp_note(C_GGTT);
    /* Loaded from memory or another register: cannot be redirected. */
    check_one(C_RING, RCS, build_lrm, &a, XEN_GPU_AUDIT_REG_DENIED);
    check_one(C_RING, RCS, build_lrr_into, &a, XEN_GPU_AUDIT_REG_DENIED);
    /* The ring registers themselves stay forbidden in the ring. */
    check_one(C_RING, RCS, build_lri,
              &(const struct reg_arg){ .reg = 0x2038 }, XEN_GPU_AUDIT_REG_DENIED);
}

static void test_masked_registers(void **state)
{
    (void)state;
    check_reg_ppgtt(build_lri, CS_CHICKEN1, 0x00010001, XEN_GPU_AUDIT_OK);
    check_reg_ppgtt(build_lri, CS_CHICKEN1, 0x00010000, XEN_GPU_AUDIT_OK);
    check_reg_ppgtt(build_lri, CS_CHICKEN1, 0x00020002, XEN_GPU_AUDIT_REG_MASK);
    check_reg_ppgtt(build_lri, CS_CHICKEN1, 0x80000000, XEN_GPU_AUDIT_REG_MASK);
    /* Values the auditor cannot see could enable anything. */
    check_reg_ppgtt(build_lrm, CS_CHICKEN1, 0, XEN_GPU_AUDIT_REG_MASK);
    check_reg_ppgtt(build_lrr_into, CS_CHICKEN1, 0, XEN_GPU_AUDIT_REG_MASK);
    check_reg_ppgtt(build_pc_lri, CS_CHICKEN1, 0x00020002, XEN_GPU_AUDIT_REG_MASK);
    check_reg_ppgtt(build_pc_lri, CS_CHICKEN1, 0x00010001, XEN_GPU_AUDIT_OK);
}

static void test_lri_pairs(void **state)
{
    uint32_t at;

    (void)state;
    /* Length 4: offset, value, offset. */
    at = emit_cmd(&bbs[C_PPGTT], MI_LOAD_REGISTER_IMM | 2, 4);
    bbs[C_PPGTT].r->dw[at + 1] = GPR(0);
    bbs[C_PPGTT].r->dw[at + 3] = GPR(1);
    finish(C_PPGTT);
    expect_in(C_PPGTT, RCS, NULL, XEN_GPU_AUDIT_REG_LRI_PAIRS, 0, DW(at));

    /* A second pair with a forbidden register is found. */
    reset();
    {
        const uint32_t pairs[] = { GPR(0), 1, GPR(1), 2, 0x2038, 3 };

        at = emit_lri_n(&bbs[C_PPGTT], pairs, 3);
    }
    finish(C_PPGTT);
    expect_in(C_PPGTT, RCS, NULL, XEN_GPU_AUDIT_REG_DENIED, 0, DW(at));
}

/* Privileged commands per buffer class ----------------------------------- */

struct cmd_arg {
    uint32_t header;
    unsigned int len;
};

static uint32_t build_cmd(struct bb *b, const void *arg)
{
    const struct cmd_arg *a = arg;

    return emit_cmd(b, a->header, a->len);
}

static void test_privileged_everywhere(void **state)
{
    static const struct cmd_arg cmds[] = {
        { MI_UPDATE_GTT | 1, 3 },
        { MI_SET_CONTEXT, 2 },
        { MI_SEMAPHORE_SIGNAL, 2 },
        { MI_REPORT_PERF_COUNT, 4 },
        { MI_INSTR(0x06, 0), 1 },          /* MI_RS_CONTROL */
        { MI_INSTR(0x1d, 0), 2 },          /* MI_FORCE_WAKEUP (Gen9) */
        { MI_INSTR(0x0e, 0), 1 },          /* MI_SET_APPID */
        { MI_INSTR(0x2c, 2), 4 },          /* MI_LOAD_URB_MEM */
        { MI_INSTR(0x2d, 2), 4 },          /* MI_STORE_URB_MEM */
    };
    static const uint32_t priv[C_NR] = {
        XEN_GPU_AUDIT_PRIVILEGED_CMD, XEN_GPU_AUDIT_PRIVILEGED_CMD,
        XEN_GPU_AUDIT_PRIVILEGED_CMD,
    };
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(cmds); i++ )
        check_all(RCS, build_cmd, &cmds[i], priv);
}

static void test_3d_blt_privileged(void **state)
{
    static const struct cmd_arg vf_stats = { 0x680b0000, 1 };
    static const struct cmd_arg blt = { XY_SRC_COPY_BLT, BLT_DWS };
    static const uint32_t r[C_NR] = {
        XEN_GPU_AUDIT_PRIVILEGED_CMD, XEN_GPU_AUDIT_PRIVILEGED_CMD,
        XEN_GPU_AUDIT_OK,
    };

    (void)state;
    check_all(RCS, build_cmd, &vf_stats, r);
    check_all(BCS, build_cmd, &blt, r);
    /* Wrong engine: unknown. */
    check_one(C_PPGTT, BCS, build_cmd, &vf_stats, XEN_GPU_AUDIT_UNKNOWN_CMD);
    check_one(C_PPGTT, RCS, build_cmd, &blt, XEN_GPU_AUDIT_UNKNOWN_CMD);
}

/*
 * Gen9 video commands: allowed in PPGTT batches only (their surfaces would
 * be GGTT addresses in privileged buffers), on the engines that decode them.
 */
static void test_video_commands(void **state)
{
    static const struct cmd_arg vdenc = { 0x70800000 | (2 - 2), 2 };
    static const struct cmd_arg flush = { 0x77800000 | (2 - 2), 2 };
    static const struct cmd_arg sfc_lock = { 0x75000000 | (2 - 2), 2 };
    static const struct cmd_arg tile_coding = { 0x73950000 | (4 - 2), 4 };
    static const uint32_t r[C_NR] = {
        XEN_GPU_AUDIT_PRIVILEGED_CMD, XEN_GPU_AUDIT_PRIVILEGED_CMD,
        XEN_GPU_AUDIT_OK,
    };

    (void)state;
    check_all(VCS, build_cmd, &vdenc, r);
    check_all(VCS, build_cmd, &flush, r);
    check_all(VCS, build_cmd, &sfc_lock, r);
    check_all(VECS, build_cmd, &sfc_lock, r);
    /* VDEnc is a VDBox command: unknown on the VEBOX and on render. */
    check_one(C_PPGTT, VECS, build_cmd, &vdenc, XEN_GPU_AUDIT_UNKNOWN_CMD);
    check_one(C_PPGTT, RCS, build_cmd, &flush, XEN_GPU_AUDIT_UNKNOWN_CMD);
    /* No trustworthy Gen9 length: left unknown. */
    check_one(C_PPGTT, VCS, build_cmd, &tile_coding, XEN_GPU_AUDIT_UNKNOWN_CMD);
}

static uint32_t build_sem_wait(struct bb *b, const void *arg)
{
    uint32_t at = emit_cmd(b, MI_SEMAPHORE_WAIT | *(const uint32_t *)arg, 4);

    b->r->dw[at + 2] = 0x1000;
    return at;
}

static void test_semaphore_and_copy_forms(void **state)
{
    static const uint32_t ggtt = MI_USE_GGTT, ppgtt = 0;
    static const struct cmd_arg cmm[] = {
        { MI_COPY_MEM_MEM | (1u << 22), 5 },
        { MI_COPY_MEM_MEM | (1u << 21), 5 },
        { MI_COPY_MEM_MEM, 5 },
    };
    static const uint32_t form[C_NR] = {
        XEN_GPU_AUDIT_GGTT_FORM, XEN_GPU_AUDIT_GGTT_FORM,
        XEN_GPU_AUDIT_GGTT_FORM,
    };
    static const uint32_t ok[C_NR] = { 0, 0, 0 };

    (void)state;
    check_all(RCS, build_sem_wait, &ggtt, form);
    check_all(RCS, build_sem_wait, &ppgtt, ok);
    check_all(RCS, build_cmd, &cmm[0], form);
    check_all(RCS, build_cmd, &cmm[1], form);
    check_all(RCS, build_cmd, &cmm[2], ok);
}

/*
 * MI_CLFLUSH names a page by address (DW1-2): its Use Global GTT form is
 * bounded by the vGPU's slices like every other GGTT operand (found by the
 * isolation checker: it once flushed any page of the GGTT).
 */
static uint32_t build_clflush(struct bb *b, const void *arg)
{
    uint32_t at = emit_cmd(b, MI_INSTR(0x27, 1) | *(const uint32_t *)arg, 3);

    b->r->dw[at + 1] = 0x20000000;          /* past the 256 MiB slice */
    return at;
}

static void test_clflush_forms(void **state)
{
    static const uint32_t ggtt = MI_USE_GGTT, ppgtt = 0;
    static const uint32_t range[C_NR] = {
        XEN_GPU_AUDIT_PRIVILEGED_CMD, XEN_GPU_AUDIT_PRIVILEGED_CMD,
        XEN_GPU_AUDIT_GGTT_RANGE,
    };
    static const uint32_t ok[C_NR] = {
        XEN_GPU_AUDIT_PRIVILEGED_CMD, XEN_GPU_AUDIT_PRIVILEGED_CMD,
        XEN_GPU_AUDIT_OK,
    };

    (void)state;
    check_all(RCS, build_clflush, &ggtt, range);
    check_all(RCS, build_clflush, &ppgtt, ok);
}

/* Neutralised commands: zeros in the copy and a note. */
static void check_neutralised(enum cls c, uint32_t header, unsigned int len,
                              bool flip)
{
    struct audit_run r;
    const struct gpu_audit_note *n;
    unsigned int i;
    uint32_t at;

    reset();
    emit_noops(&bbs[c], 1);
    at = emit_cmd(&bbs[c], header, len);
    emit_lri(&bbs[c], GPR(0), 7);
    finish(c);
    keep_in(&r, c, RCS, NULL);
    assert_int_equal(r.res.reason, XEN_GPU_AUDIT_OK);
    for ( i = 0; i < len; i++ )
        assert_int_equal(run_dw(&r, 0, at + i), 0);
    assert_int_equal(run_dw(&r, 0, at + len + 2), 7);
    assert_int_equal(bbs[c].r->dw[at], header);   /* guest untouched */
    n = run_find_note(&r, GPU_NOTE_NEUTRALISED);
    assert_non_null(n);
    assert_int_equal(n->buf, 0);
    assert_int_equal(n->offset, DW(at));
    assert_int_equal(n->header, header);
    n = run_find_note(&r, GPU_NOTE_DISPLAY_FLIP);
    assert_int_equal(n != NULL, flip);
    if ( flip )
    {
        assert_int_equal(n->offset, DW(at));
        assert_int_equal(n->header, header);
        assert_int_equal(gpu_audit_get_note(r.sub, 0)->kind,
                         GPU_NOTE_DISPLAY_FLIP);
    }
    assert_int_equal(gpu_audit_nr_notes(r.sub), flip ? 2 : 1);
    run_done(&r);
}

static void test_arb_on_off(void **state)
{
    static const struct cmd_arg arb = { MI_ARB_ON_OFF | 1, 1 };

    (void)state;
    check_neutralised(C_RING, MI_ARB_ON_OFF | 1, 1, false);
    check_neutralised(C_PPGTT, MI_ARB_ON_OFF, 1, false);
    check_one(C_GGTT, RCS, build_cmd, &arb, XEN_GPU_AUDIT_PRIVILEGED_CMD);
}

/* MI_REPORT_HEAD writes Xen's status page: neutralised in every buffer. */
static void test_report_head(void **state)
{
    unsigned int c;

    (void)state;
    for ( c = 0; c < C_NR; c++ )
        check_neutralised(c, MI_REPORT_HEAD, 1, false);
}

static void test_display_flip(void **state)
{
    unsigned int c;

    (void)state;
    for ( c = 0; c < C_NR; c++ )
    {
        check_neutralised(c, MI_DISPLAY_FLIP | 1, 3, true);
        check_neutralised(c, MI_DISPLAY_FLIP | 2, 4, true);
    }
    /* Length 5 is not a flip. */
    check_one(C_PPGTT, RCS, build_cmd,
              &(const struct cmd_arg){ MI_DISPLAY_FLIP | 3, 5 },
              XEN_GPU_AUDIT_BAD_LENGTH);
}

/* Jumps and nesting -------------------------------------------------------- */

static struct bb add_buf(uint64_t addr)
{
    struct bb b;

    bb_add(&b, &fx_mem, GPU_SPACE_PPGTT, addr, 4096);
    return b;
}

static void test_second_level_nesting(void **state)
{
    struct bb l2 = add_buf(BATCH2), l3 = add_buf(BATCH3);
    struct bb *l1 = &bbs[C_PPGTT];
    struct audit_run r;
    uint32_t at;

    (void)state;
    emit_bb_start(l1, BATCH2, true, true);
    emit_lri(l1, GPR(0), 1);
    emit_bbe(l1);
    at = emit_lri(&l2, GPR(1), 2);
    emit_bbe(&l2);
    emit_bbe(&l3);

    /* L1 -> L2 -> back to L1. */
    keep_in(&r, C_PPGTT, RCS, NULL);
    assert_int_equal(r.res.reason, XEN_GPU_AUDIT_OK);
    assert_int_equal(gpu_audit_nr_bufs(r.sub), 2);
    assert_int_equal(gpu_audit_get_buf(r.sub, 1)->kind, XEN_GPU_BUF_BATCH_L2);
    assert_int_equal(gpu_audit_get_buf(r.sub, 1)->level, 2);
    assert_int_equal(gpu_audit_get_buf(r.sub, 0)->scanned, DW(7));
    run_done(&r);

    /* L2 may not jump anywhere, chained or nested. */
    l2.pos = at;
    at = emit_bb_start(&l2, BATCH3, true, false);
    expect_in(C_PPGTT, RCS, NULL, XEN_GPU_AUDIT_JUMP_LEVEL, 1, DW(at));
    l2.r->dw[at] |= BB_SECOND_LEVEL;
    expect_in(C_PPGTT, RCS, NULL, XEN_GPU_AUDIT_JUMP_LEVEL, 1, DW(at));

    /* The ring cannot start a second-level batch. */
    at = emit_bb_start(&bbs[C_RING], BATCH2, true, true);
    finish(C_RING);
    expect_in(C_RING, RCS, NULL, XEN_GPU_AUDIT_JUMP_LEVEL, 0, DW(at));
}

static void test_ring_to_batches(void **state)
{
    struct bb *ring = &bbs[C_RING];
    struct audit_run r;

    (void)state;
    emit_bb_start(&bbs[C_PPGTT], BATCH2, true, false);  /* chain */
    {
        struct bb b2 = add_buf(BATCH2);

        emit_bbe(&b2);
    }
    emit_bbe(&bbs[C_GGTT]);
    emit_bb_start(ring, BATCH, true, false);
    emit_bb_start(ring, GBATCH, false, false);
    emit_lri(ring, GPR(0), 1);
    finish(C_RING);
    keep_in(&r, C_RING, RCS, NULL);
    assert_int_equal(r.res.reason, XEN_GPU_AUDIT_OK);
    assert_int_equal(gpu_audit_nr_bufs(r.sub), 4);
    assert_int_equal(gpu_audit_get_buf(r.sub, 0)->kind, XEN_GPU_BUF_RING);
    assert_int_equal(gpu_audit_get_buf(r.sub, 1)->kind, XEN_GPU_BUF_BATCH);
    assert_int_equal(gpu_audit_get_buf(r.sub, 2)->kind, XEN_GPU_BUF_BATCH);
    assert_int_equal(gpu_audit_get_buf(r.sub, 3)->kind, XEN_GPU_BUF_BATCH_GGTT);
    assert_int_equal(gpu_audit_get_buf(r.sub, 0)->scanned, DW(10));
    assert_int_equal(gpu_audit_nr_relocs(r.sub), 3);
    run_done(&r);

    /* A jump into the ring is never allowed. */
    reset();
    emit_noops(ring, 2);
    emit_bb_start(ring, GBATCH, false, false);
    finish(C_RING);
    emit_bb_start(&bbs[C_GGTT], RING, false, false);
    expect_in(C_RING, RCS, NULL, XEN_GPU_AUDIT_JUMP_LEVEL, 1, 0);
}

static void test_jump_unaligned_and_range(void **state)
{
    uint32_t at;

    (void)state;
    at = emit_bb_start(&bbs[C_PPGTT], BATCH2 + 2, true, false);
    expect_in(C_PPGTT, RCS, NULL, XEN_GPU_AUDIT_JUMP_UNALIGNED, 0, DW(at));
    /* A GGTT batch started outside the slice. */
    reset();
    at = emit_bb_start(&bbs[C_RING], SLICE_END, false, false);
    finish(C_RING);
    expect_in(C_RING, RCS, NULL, XEN_GPU_AUDIT_GGTT_RANGE, 0, DW(at));
}

/*
 * Control flow the auditor cannot follow: a predicated jump may fall
 * through into unaudited bytes, an add-offset jump lands where a register
 * says, and MI_SET_PREDICATE could predicate away the batch end.
 */
static void test_jump_predication_and_offset(void **state)
{
    static const struct {
        uint32_t bits;
        uint32_t reason;
    } forms[] = {
        { 1u << 15, XEN_GPU_AUDIT_PREDICATION },
        { 1u << 16, XEN_GPU_AUDIT_JUMP_INDIRECT },
        { 1u << 10, XEN_GPU_AUDIT_PRIVILEGED_CMD },
    };
    unsigned int i;
    uint32_t at;

    (void)state;
    mem_add(&fx_mem, GPU_SPACE_PPGTT, BATCH2, 4096);
    for ( i = 0; i < ARRAY_SIZE(forms); i++ )
    {
        bbs[C_PPGTT].pos = 0;
        emit_noops(&bbs[C_PPGTT], 1);
        at = emit_bb_start(&bbs[C_PPGTT], BATCH2, true, false);
        bbs[C_PPGTT].r->dw[at] |= forms[i].bits;
        expect_in(C_PPGTT, RCS, NULL, forms[i].reason, 0, DW(at));
    }
}

static void test_set_predicate(void **state)
{
    uint32_t at;

    (void)state;
    /* Predicate Enable 0: nothing is ever predicated away. */
    emit_cmd(&bbs[C_PPGTT], MI_INSTR(0x01, 0), 1);
    emit_bbe(&bbs[C_PPGTT]);
    expect_in(C_PPGTT, RCS, NULL, XEN_GPU_AUDIT_OK, 0, 0);
    /* NOOP Always (15) or on a result: refused. */
    bbs[C_PPGTT].pos = 0;
    at = emit_cmd(&bbs[C_PPGTT], MI_INSTR(0x01, 15), 1);
    emit_bbe(&bbs[C_PPGTT]);
    expect_in(C_PPGTT, RCS, NULL, XEN_GPU_AUDIT_PREDICATION, 0, DW(at));
    bbs[C_PPGTT].pos = 0;
    at = emit_cmd(&bbs[C_PPGTT], MI_INSTR(0x01, 3), 1);
    emit_bbe(&bbs[C_PPGTT]);
    expect_in(C_PPGTT, RCS, NULL, XEN_GPU_AUDIT_PREDICATION, 0, DW(at));
}

/*
 * Broadwell's MI_MATH length field is bits 5:0.  Decoding bits 7:6 too
 * would skip the next command: an LRI the auditor never saw.
 */
static void test_math_length_by_generation(void **state)
{
    struct audit_res res;
    uint32_t lri;

    (void)state;
    emit_cmd(&bbs[C_PPGTT], MI_INSTR(0x1a, 0xc0), 2);
    lri = emit_lri(&bbs[C_PPGTT], 0x2038, 0);
    emit_bbe(&bbs[C_PPGTT]);
    audit(&fx_mem, 8, RCS, GPU_SPACE_PPGTT, BATCH, &res);
    assert_verdict(&res, XEN_GPU_AUDIT_REG_DENIED, 0, DW(lri));
    /* On Gen9 the same header is 194 dwords long and runs off the batch. */
    audit(&fx_mem, 9, RCS, GPU_SPACE_PPGTT, BATCH, &res);
    assert_int_equal(res.reason, XEN_GPU_AUDIT_NO_END);
}

/* Ring segments -------------------------------------------------------------- */

static void expect_ring(struct gpu_audit_ring ring, uint32_t reason,
                        uint32_t buffer, uint32_t offset)
{
    struct audit_res res;

    audit_ring(&fx_mem, GEN, RCS, &ring, &res);
    assert_verdict(&res, reason, buffer, offset);
}

static void test_ring_bounds(void **state)
{
    struct gpu_audit_ring r;

    (void)state;
    expect_ring(ring_of(4096, 0), XEN_GPU_AUDIT_RING_BOUNDS, ~0u, 0);
    expect_ring(ring_of(0, 4096), XEN_GPU_AUDIT_RING_BOUNDS, ~0u, 0);
    expect_ring(ring_of(4, 16), XEN_GPU_AUDIT_RING_BOUNDS, ~0u, 0);
    expect_ring(ring_of(0, 12), XEN_GPU_AUDIT_RING_BOUNDS, ~0u, 0);
    r = ring_of(0, 8);
    r.size = 0;
    expect_ring(r, XEN_GPU_AUDIT_RING_BOUNDS, ~0u, 0);
    r.size = 6000;
    expect_ring(r, XEN_GPU_AUDIT_RING_BOUNDS, ~0u, 0);
    r = ring_of(0, 8);
    r.start = SLICE_END;
    expect_ring(r, XEN_GPU_AUDIT_RING_BOUNDS, ~0u, 0);
    r.start = SLICE_END - 0x1000;
    r.size = 0x2000;
    expect_ring(r, XEN_GPU_AUDIT_RING_BOUNDS, ~0u, 0);
    /* Empty ring: nothing to do. */
    expect_ring(ring_of(0x100, 0x100), XEN_GPU_AUDIT_OK, 0, 0);
}

static void test_ring_wrap(void **state)
{
    struct audit_run r;
    struct gpu_audit_ring ring = ring_of(4088, 8);
    uint32_t *dw = bbs[C_RING].r->dw;

    (void)state;
    /* LRI header and offset in the last qword, value and NOOP at the start. */
    dw[1022] = MI_LOAD_REGISTER_IMM | 1;
    dw[1023] = GPR(2);
    dw[0] = 0xabcd;
    dw[1] = MI_NOOP;
    dw[2] = MI_CLIENT7;    /* past the tail: never looked at */
    run_keep(&r, &fx_mem, GEN, RCS, NULL, 0, 0, &ring);
    assert_int_equal(r.res.reason, XEN_GPU_AUDIT_OK);
    assert_int_equal(gpu_audit_get_buf(r.sub, 0)->len, 16);
    assert_int_equal(gpu_audit_get_buf(r.sub, 0)->gaddr, RING + 4088);
    assert_int_equal(run_dw(&r, 0, 0), MI_LOAD_REGISTER_IMM | 1);
    assert_int_equal(run_dw(&r, 0, 1), GPR(2));
    assert_int_equal(run_dw(&r, 0, 2), 0xabcd);
    assert_int_equal(run_dw(&r, 0, 3), MI_NOOP);
    assert_int_equal(mem_max_reads(&fx_mem), 1);
    run_done(&r);

    dw[1023] = 0x2038;
    expect_ring(ring, XEN_GPU_AUDIT_REG_DENIED, 0, 0);
}

static void test_ring_cmd_crosses_tail(void **state)
{
    uint32_t *dw = bbs[C_RING].r->dw;

    (void)state;
    /* A 3-dword LRI in a 2-dword segment. */
    dw[0] = MI_LOAD_REGISTER_IMM | 1;
    dw[1] = GPR(0);
    dw[2] = 1;
    expect_ring(ring_of(0, 8), XEN_GPU_AUDIT_CMD_OVERRUN, 0, 0);
}

static void test_ring_read_fault(void **state)
{
    (void)state;
    emit_noops(&bbs[C_RING], 4);
    bbs[C_RING].r->fault = true;
    expect_ring(ring_of(0, 16), XEN_GPU_AUDIT_READ_FAULT, 0, 0);
}

/* Lengths ---------------------------------------------------------------- */

static void test_length_overflow(void **state)
{
    struct bb *b = &bbs[C_PPGTT];
    uint32_t at;

    (void)state;
    /* MEDIA_OBJECT, 16-bit length field: 65537 dwords. */
    emit_noops(b, 1000);
    at = bb_emit(b, 0x7100ffff);
    emit_bbe(b);
    expect_in(C_PPGTT, RCS, NULL, XEN_GPU_AUDIT_CMD_OVERRUN, 0, DW(at));

    /* MI_STORE_DATA_IMM: lengths 4 and 5 only. */
    reset();
    at = emit_cmd(b, MI_STORE_DATA_IMM | 4, 6);
    emit_bbe(b);
    expect_in(C_PPGTT, RCS, NULL, XEN_GPU_AUDIT_BAD_LENGTH, 0, DW(at));
    b->r->dw[at] = MI_STORE_DATA_IMM | 0x3ff;
    expect_in(C_PPGTT, RCS, NULL, XEN_GPU_AUDIT_BAD_LENGTH, 0, DW(at));
    /* MI_LOAD_REGISTER_IMM needs at least one pair. */
    b->r->dw[at] = MI_LOAD_REGISTER_IMM;
    expect_in(C_PPGTT, RCS, NULL, XEN_GPU_AUDIT_BAD_LENGTH, 0, DW(at));
}

/* The anv self-patched return jump ------------------------------------------ */

/*
 * Primary: SDI (length 5, Store Qword clear, two data dwords) writes the
 * return address into the secondary's BB_START operand, then jumps to the
 * secondary; the secondary's final BB_START (0 in memory) returns to the
 * primary just after its jump.
 */
static void build_anv(uint64_t ret, uint32_t *sec_jump)
{
    struct bb *p = &bbs[C_PPGTT];
    struct bb s = add_buf(BATCH2);
    uint32_t data[2] = { (uint32_t)ret, (uint32_t)(ret >> 32) };

    emit_lri(&s, GPR(0), 1);
    *sec_jump = emit_bb_start(&s, 0, true, false);

    emit_sdi_raw(p, 0, BATCH2 + DW(*sec_jump + 1), data, 2);
    emit_bb_start(p, BATCH2, true, false);
    emit_lri(p, GPR(1), 2);
    emit_bbe(p);
}

static void test_anv_return_jump(void **state)
{
    struct audit_run r;
    const struct gpu_audit_reloc *rel;
    uint32_t sj;

    (void)state;
    build_anv(BATCH + DW(8), &sj);
    keep_in(&r, C_PPGTT, RCS, NULL);
    assert_int_equal(r.res.reason, XEN_GPU_AUDIT_OK);
    assert_int_equal(gpu_audit_nr_bufs(r.sub), 3);
    /* The secondary's copy holds the return address; its memory does not. */
    assert_int_equal(run_dw(&r, 1, sj + 1), (uint32_t)(BATCH + DW(8)));
    assert_int_equal(run_dw(&r, 1, sj + 2), 0);
    assert_int_equal(mem_peek(&fx_mem, GPU_SPACE_PPGTT, BATCH2 + DW(sj + 1)), 0);
    assert_int_equal(gpu_audit_get_buf(r.sub, 2)->gaddr, BATCH + DW(8));
    assert_int_equal(run_dw(&r, 2, 3), MI_BATCH_BUFFER_END);
    assert_int_equal(gpu_audit_nr_relocs(r.sub), 2);
    rel = gpu_audit_get_reloc(r.sub, 0);
    assert_int_equal(rel->buf, 0);
    assert_int_equal(rel->offset, DW(6));
    assert_int_equal(rel->target_buf, 1);
    assert_int_equal(rel->target_offset, 0);
    rel = gpu_audit_get_reloc(r.sub, 1);
    assert_int_equal(rel->buf, 1);
    assert_int_equal(rel->offset, DW(sj + 1));
    assert_int_equal(rel->target_buf, 2);
    assert_int_equal(rel->target_offset, 0);
    run_done(&r);
}

static void test_anv_return_mid_cmd(void **state)
{
    uint32_t sj;

    (void)state;
    /* Into the SDI's address operand. */
    build_anv(BATCH + DW(2), &sj);
    expect_in(C_PPGTT, RCS, NULL, XEN_GPU_AUDIT_JUMP_MID_CMD, 1, DW(sj));
}

static void test_anv_return_audited(void **state)
{
    struct bb evil = add_buf(BATCH3);
    uint32_t sj;

    (void)state;
    /* The stored target is audited like any jump target. */
    emit_lri(&evil, 0x2038, 0);
    emit_bbe(&evil);
    build_anv(BATCH3, &sj);
    expect_in(C_PPGTT, RCS, NULL, XEN_GPU_AUDIT_REG_DENIED, 2, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, fixture_teardown)
        T(test_ggtt_slice_end),
        T(test_sdi_qword_short),
        T(test_atomic_size),
        T(test_flush_dw_ggtt),
        T(test_other_vgpu_slice),
        T(test_ggtt_near_top),
        T(test_ring_and_gtt_registers),
        T(test_pdp_privileged),
        T(test_masked_registers),
        T(test_lri_pairs),
        T(test_privileged_everywhere),
        T(test_3d_blt_privileged),
        T(test_video_commands),
        T(test_semaphore_and_copy_forms),
    T(test_clflush_forms),
        T(test_arb_on_off),
        T(test_report_head),
        T(test_display_flip),
        T(test_second_level_nesting),
        T(test_ring_to_batches),
        T(test_jump_unaligned_and_range),
        T(test_jump_predication_and_offset),
        T(test_set_predicate),
        T(test_math_length_by_generation),
        T(test_ring_bounds),
        T(test_ring_wrap),
        T(test_ring_cmd_crosses_tail),
        T(test_ring_read_fault),
        T(test_length_overflow),
        T(test_anv_return_jump),
        T(test_anv_return_mid_cmd),
        T(test_anv_return_audited),
#undef T
    };

    return cmocka_run_group_tests_name("attacks", tests, NULL, NULL);
}
