/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The GPU model and the isolation checker (tests/gpumodel/): a small whole
 * system (simulated GPU and p2m, a guest d1 and another domain d2, a GTT
 * vGPU with an aperture and a hidden slice, a 4-level PPGTT shadowed by
 * the engine, the auditor reading guest memory through the engine's
 * translation) runs audited submissions on the model.  Accepted work runs
 * with no violation and does what the commands say in the guest's
 * memory; each way of breaking isolation behind the auditor's or the
 * engine's back is caught with its exact kind.
 */
#include "ppgtt_fixture.h"
#include "harness.h"
#include <asm/hvm/gtt.h>
#include "model.h"
#include "check.h"

#define GEN        9
#define RCS        XEN_GPU_ENGINE_RCS
#define BCS        XEN_GPU_ENGINE_BCS

/* Guest PPGTT (gfns of d1): PML4 -> PDP -> PD -> PT, 2 MiB at 0. */
#define PML4       0x10
#define PP_DATA    0x200            /* gfn of PPGTT page 0 */
#define PPGTT_PAGES 512
/* GGTT: the aperture slice is 0-4 MiB, the hidden one 8-12 MiB. */
#define AP_SIZE    (4u << 20)
#define HID_BASE   (8u << 20)
#define GG_FIRST   0x200            /* GGTT pages 0x200.. -> gfns 0x800.. */
#define GG_DATA    0x800
#define GG_PAGES   16
#define RING       0x200000ull      /* GGTT ring, page 0x200 */
#define GG_BATCH   0x201000ull
#define GG_BUF     0x208000ull      /* GGTT data page */
#define OUTSIDE    0x500000ull      /* between the two slices */

#define GPR0       0x2600u
#define TIMESTAMP  0x2358u
#define RING_TAIL  0x2030u
#define CACHE_MODE_1 0x7004u
#define PDP0_LDW   0x2270u
#define PDP0_UDW   0x2274u

#define GPA(gfn)   ((uint64_t)(gfn) << GTT_PAGE_SHIFT)

struct sys {
    struct fx f;
    struct mem m;
    const struct gpu_audit_table *table;
    struct gpu_audit_vgpu av;
    struct gpu_audit_sub *sub;
    unsigned int engine;
    uint64_t sh[4];                 /* shadow root of the PPGTT */
    uint64_t max_cmds;              /* for the model (0: its default) */
    struct gpu_audit_slice slices[2];
    struct gpu_check chk;
    struct gpu_model_ctx ctx;
    struct gpu_model_result res;
    struct gtt_submit_pins pins;
};

/* The guest frame behind a graphics address of the layout above. */
static unsigned long layout_gfn(unsigned int space, uint64_t gaddr)
{
    if ( space == GPU_SPACE_PPGTT )
    {
        assert_true(gaddr < GPA(PPGTT_PAGES));
        return PP_DATA + (gaddr >> GTT_PAGE_SHIFT);
    }
    assert_true(gaddr >= GPA(GG_FIRST) && gaddr < GPA(GG_FIRST + GG_PAGES));

    return GG_DATA + (gaddr >> GTT_PAGE_SHIFT) - GG_FIRST;
}

/* The auditor reads guest memory through the engine's translation. */
static int sys_read(void *priv, unsigned int space, uint64_t addr, void *dst,
                    unsigned int len)
{
    struct sys *s = priv;
    struct gtt_xlate x;
    unsigned int n = PAGE_SIZE - (addr & (PAGE_SIZE - 1));
    const uint8_t *p;
    int rc;

    rc = space == GPU_SPACE_GGTT ? gtt_translate_ggtt(s->f.v, addr, &x)
                                 : gtt_translate_ppgtt(s->f.v, GPA(PML4),
                                                       addr, &x);
    if ( rc != GTT_OK || x.scratch )
        return 0;
    if ( n > len )
        n = len;
    p = map_domain_page(_mfn(x.mfn));
    memcpy(dst, p + (addr & (PAGE_SIZE - 1)), n);
    unmap_domain_page(p);

    return n;
}

static const struct gpu_audit_mem_ops sys_ops = { .read = sys_read };

static void sys_init(struct sys *s, unsigned int engine)
{
    unsigned int i;
    uint64_t root[4] = { GPA(PML4) };

    memset(s, 0, sizeof(*s));
    s->table = table_for(GEN);
    fx_init(&s->f, 0x1000);
    s->engine = engine;

    fx_poke(&s->f, PML4, 0, FX_PTE(PML4 + 1));
    fx_poke(&s->f, PML4 + 1, 0, FX_PTE(PML4 + 2));
    fx_poke(&s->f, PML4 + 2, 0, FX_PTE(PML4 + 3));
    for ( i = 0; i < PPGTT_PAGES; i++ )
        fx_poke(&s->f, PML4 + 3, i, FX_PTE(PP_DATA + i));
    assert_int_equal(gtt_ppgtt_create(s->f.v, GTT_ROOT_L4, root), GTT_OK);
    assert_int_equal(gtt_ppgtt_pin(s->f.v, GPA(PML4), s->sh), GTT_OK);
    for ( i = 0; i < GG_PAGES; i++ )
        assert_int_equal(gtt_ggtt_write(s->f.v, GG_FIRST + i, 0, 8,
                                        GPA(GG_DATA + i) | 1), GTT_OK);

    mem_init(&s->m);
    gpu_audit_vgpu_init(&s->av, s->table);
    s->slices[0].base = 0;
    s->slices[0].size = AP_SIZE;
    s->slices[1].base = HID_BASE;
    s->slices[1].size = AP_SIZE;
    for ( i = 0; i < 2; i++ )
        assert_int_equal(gpu_audit_vgpu_add_slice(&s->av, s->slices[i].base,
                                                  s->slices[i].size), 0);
}

static void sys_sub_done(struct sys *s)
{
    if ( s->pins.nr )
        gtt_submit_release(s->f.v, &s->pins);
    if ( s->sub )
        gpu_audit_sub_destroy(s->sub);
    s->sub = NULL;
}

static void sys_fini(struct sys *s)
{
    sys_sub_done(s);
    gpu_audit_vgpu_destroy(&s->av);
    mem_free(&s->m);
    assert_int_equal(gtt_ppgtt_unpin(s->f.v, GPA(PML4)), GTT_OK);
    assert_int_equal(gtt_ppgtt_destroy(s->f.v, GPA(PML4)), GTT_OK);
    fx_fini(&s->f);
}

/* A page of guest graphics memory to build commands in. */
static void sys_buf(struct sys *s, struct bb *b, unsigned int space,
                    uint64_t gaddr)
{
    bb_init(b, mem_add(&s->m, space, gaddr, PAGE_SIZE));
}

/* Guest memory, by graphics address of the layout. */
static void guest_poke(struct sys *s, unsigned int space, uint64_t gaddr,
                       uint32_t val)
{
    uint32_t *p = map_domain_page(_mfn(s->f.h.ram_mfn +
                                       layout_gfn(space, gaddr)));

    p[(gaddr & (PAGE_SIZE - 1)) / 4] = val;
    unmap_domain_page(p);
}

static uint32_t guest_peek(struct sys *s, unsigned int space, uint64_t gaddr)
{
    const uint32_t *p = map_domain_page(_mfn(s->f.h.ram_mfn +
                                             layout_gfn(space, gaddr)));
    uint32_t v = p[(gaddr & (PAGE_SIZE - 1)) / 4];

    unmap_domain_page(p);

    return v;
}

/* Write the built buffers into the guest's memory, then audit. */
static uint32_t sys_audit(struct sys *s, unsigned int space, uint64_t addr,
                          const struct gpu_audit_ring *ring)
{
    unsigned int i, j;
    int rc;

    for ( i = 0; i < s->m.nr; i++ )
        for ( j = 0; j < s->m.r[i].size / 4; j++ )
            guest_poke(s, s->m.r[i].space, s->m.r[i].addr + DW(j),
                       s->m.r[i].dw[j]);
    sys_sub_done(s);
    s->sub = gpu_audit_sub_create(&s->av, s->engine, &sys_ops, s);
    assert_non_null(s->sub);
    rc = ring ? gpu_audit_sub_start_ring(s->sub, ring)
              : gpu_audit_sub_start_batch(s->sub, space, addr);
    assert_int_equal(rc, 0);
    while ( (rc = gpu_audit_run(s->sub)) == -ERESTART )
        continue;
    assert_int_equal(rc, 0);

    return gpu_audit_get_verdict(s->sub)->reason;
}

static void sys_audit_ok(struct sys *s, unsigned int space, uint64_t addr)
{
    assert_int_equal(sys_audit(s, space, addr, NULL), XEN_GPU_AUDIT_OK);
}

/* The ring segment built in b, from its start. */
static void sys_audit_ring_ok(struct sys *s, struct bb *b)
{
    struct gpu_audit_ring ring = { .start = RING, .size = PAGE_SIZE };

    if ( b->pos & 1 )
        emit_noops(b, 1);
    ring.tail = bb_off(b);
    assert_int_equal(sys_audit(s, GPU_SPACE_GGTT, 0, &ring),
                     XEN_GPU_AUDIT_OK);
}

/* Run the audited submission on the model; its violations. */
static unsigned int sys_run_table(struct sys *s,
                                  const struct gpu_audit_table *t)
{
    struct gpu_check_subject who = {
        .d = s->f.h.d1,
        .engine = s->engine,
        .scratch_mfn = gtt_vgpu_scratch_mfn(s->f.v),
        .ppgtt_scratch_mfn = s->f.v->ppgtt.scratch_page_mfn,
        .slices = s->slices,
        .nr_slices = 2,
    };

    gpu_check_init(&s->chk, gpu_check_ref_spec(GEN));
    gpu_check_subject(&s->chk, &who);
    memset(&s->ctx, 0, sizeof(s->ctx));
    s->ctx.table = t;
    s->ctx.engine = s->engine;
    s->ctx.level = GTT_ROOT_L4;
    memcpy(s->ctx.pdp, s->sh, sizeof(s->ctx.pdp));
    s->ctx.ggtt_entries = FX_GGTT_ENTRIES;
    s->ctx.max_cmds = s->max_cmds;

    return gpu_model_execute(&s->ctx, s->sub, &s->chk, &s->res);
}

static unsigned int sys_run(struct sys *s)
{
    return sys_run_table(s, s->table);
}

/* Exactly n violations, all of one kind (the first logged is it). */
static void assert_only(const struct sys *s, unsigned int kind,
                        unsigned int n)
{
    unsigned int k;

    for ( k = 1; k < GPU_V_NR; k++ )
        if ( k != kind && s->chk.by_kind[k] )
            fail_msg("unexpected %s: %s", gpu_violation_name(k),
                     s->chk.nr_log ? s->chk.log[0].detail : "");
    assert_int_equal(s->chk.by_kind[kind], n);
    assert_int_equal(s->chk.violations, n);
    if ( n )
    {
        assert_int_equal(s->chk.log[0].kind, kind);
        assert_true(strlen(s->chk.log[0].detail) > 0);
    }
}

static void assert_clean(const struct sys *s)
{
    if ( s->chk.violations )
        fail_msg("%s: %s", gpu_violation_name(s->chk.log[0].kind),
                 s->chk.log[0].detail);
    assert_true(s->res.ended);
}

/* Dword dw of copy buf, changed behind the auditor's back. */
static void copy_poke(struct sys *s, unsigned int buf, uint32_t dw,
                      uint32_t val)
{
    const struct gpu_audit_buf *b = gpu_audit_get_buf(s->sub, buf);

    assert_non_null(b);
    assert_true(dw < b->len / 4);
    b->pages[dw / GPU_COPY_PAGE_DWS].dw[dw % GPU_COPY_PAGE_DWS] = val;
}

/* The copy of the buffer audited at gaddr. */
static unsigned int buf_at(const struct sys *s, unsigned int space,
                           uint64_t gaddr)
{
    unsigned int i;

    for ( i = 0; i < gpu_audit_nr_bufs(s->sub); i++ )
        if ( gpu_audit_get_buf(s->sub, i)->space == space &&
             gpu_audit_get_buf(s->sub, i)->gaddr == gaddr )
            return i;
    fail_msg("no buffer at 0x%llx", (unsigned long long)gaddr);

    return 0;
}

/* ---- Accepted work runs clean ----------------------------------------- */

/*
 * A PPGTT batch with every memory command, chained to a second batch that
 * calls a second-level one; the guest's memory holds what they wrote.
 */
static void test_ppgtt_batches_clean(void **state)
{
    struct sys s;
    struct bb b0, b1, b2;
    unsigned int sba_len, sba_mem, i;
    uint32_t sba;
    uint16_t fields[16];
    const struct gpu_cmd_desc *d;

    (void)state;
    sys_init(&s, RCS);
    guest_poke(&s, GPU_SPACE_PPGTT, 0x10100, 0x5a5a0001);
    guest_poke(&s, GPU_SPACE_PPGTT, 0x10010, 77);
    guest_poke(&s, GPU_SPACE_PPGTT, 0x10030, 10);

    sys_buf(&s, &b0, GPU_SPACE_PPGTT, 0x0000);
    emit_sdi(&b0, 0x10000, 0x11111111, false, false);
    emit_lri(&b0, GPR0, 0xcafe0001);
    emit_srm(&b0, GPR0, 0x10004, false);
    emit_lrm(&b0, GPR0 + 8, 0x10100, false);
    emit_srm(&b0, GPR0 + 8, 0x10008, false);
    emit_lrr(&b0, GPR0, GPR0 + 16);
    /* MI_COPY_MEM_MEM: destination, then source (PPGTT forms). */
    bb_emit(&b0, MI_COPY_MEM_MEM);
    bb_emit(&b0, 0x1000c);
    bb_emit(&b0, 0);
    bb_emit(&b0, 0x10100);
    bb_emit(&b0, 0);
    emit_atomic(&b0, 0x10010, false);
    /* MI_ATOMIC ADD, 4 bytes, inline operand: 11 dwords. */
    bb_emit(&b0, MI_INSTR(0x2f, 9) | (1u << 18) | (0x7u << 8));
    bb_emit(&b0, 0x10030);
    bb_emit(&b0, 0);
    bb_emit(&b0, 5);
    for ( i = 0; i < 7; i++ )
        bb_emit(&b0, 0);
    emit_pipe_control(&b0, PC_QW_WRITE, 0x10018, false);
    /* STATE_BASE_ADDRESS: General State Base at a data page. */
    d = gpu_audit_lookup(s.table, RCS, 0x61010000);
    assert_non_null(d);
    sba_len = 19;
    sba_mem = gpu_audit_cmd_mem(d, sba_len, fields, ARRAY_SIZE(fields));
    assert_true(sba_mem >= 5 && sba_mem <= ARRAY_SIZE(fields));
    sba = bb_emit(&b0, 0x61010000 | (sba_len - 2));
    bb_emit(&b0, 0x00030001);
    while ( b0.pos < sba + sba_len )
        bb_emit(&b0, 0);
    emit_bb_start(&b0, 0x1000, true, false);

    sys_buf(&s, &b1, GPU_SPACE_PPGTT, 0x1000);
    emit_bb_start(&b1, 0x2000, true, true);
    emit_sdi(&b1, 0x10020, 0x22222222, false, true);
    emit_bbe(&b1);

    sys_buf(&s, &b2, GPU_SPACE_PPGTT, 0x2000);
    emit_sdi(&b2, 0x10028, 0x33333333, false, false);
    emit_bbe(&b2);

    sys_audit_ok(&s, GPU_SPACE_PPGTT, 0);
    assert_int_equal(sys_run(&s), 0);
    assert_clean(&s);
    assert_int_equal(s.res.commands, 17);
    /* SDI, SRM, LRM, SRM, 2 COPY_MEM_MEM, 2 + 2 ATOMIC, PIPE_CONTROL, 2 SDI */
    assert_int_equal(s.res.mem_accesses, 13 + sba_mem);
    assert_int_equal(s.res.reg_accesses, 6);

    assert_int_equal(guest_peek(&s, GPU_SPACE_PPGTT, 0x10000), 0x11111111);
    assert_int_equal(guest_peek(&s, GPU_SPACE_PPGTT, 0x10004), 0xcafe0001);
    assert_int_equal(guest_peek(&s, GPU_SPACE_PPGTT, 0x10008), 0x5a5a0001);
    assert_int_equal(guest_peek(&s, GPU_SPACE_PPGTT, 0x1000c), 0x5a5a0001);
    assert_int_equal(guest_peek(&s, GPU_SPACE_PPGTT, 0x10010), 77);
    assert_int_equal(guest_peek(&s, GPU_SPACE_PPGTT, 0x10030), 15);
    assert_int_equal(guest_peek(&s, GPU_SPACE_PPGTT, 0x10018), 0x12000000);
    assert_int_equal(guest_peek(&s, GPU_SPACE_PPGTT, 0x10020), 0x22222222);
    assert_int_equal(guest_peek(&s, GPU_SPACE_PPGTT, 0x10028), 0x33333333);
    sys_fini(&s);
}

/* The ring calls a GGTT batch and a PPGTT batch; GGTT writes in the slice. */
static void test_ring_privileged_clean(void **state)
{
    struct sys s;
    struct bb ring, gb, pb;

    (void)state;
    sys_init(&s, RCS);
    sys_buf(&s, &ring, GPU_SPACE_GGTT, RING);
    emit_lri(&ring, GPR0 + 4, 0x600d0001);
    emit_sdi(&ring, GG_BUF, 0x44444444, true, false);
    emit_bb_start(&ring, GG_BATCH, false, false);
    emit_bb_start(&ring, 0x3000, true, false);
    emit_sdi(&ring, GG_BUF + 0x30, 0x55555555, true, false);

    sys_buf(&s, &gb, GPU_SPACE_GGTT, GG_BATCH);
    emit_srm(&gb, GPR0 + 4, GG_BUF + 0x10, true);
    emit_pipe_control(&gb, PC_QW_WRITE, GG_BUF + 0x20, true);
    emit_bbe(&gb);

    sys_buf(&s, &pb, GPU_SPACE_PPGTT, 0x3000);
    emit_sdi(&pb, 0x10040, 0x66666666, false, false);
    emit_bbe(&pb);

    sys_audit_ring_ok(&s, &ring);
    assert_int_equal(sys_run(&s), 0);
    assert_clean(&s);
    assert_int_equal(guest_peek(&s, GPU_SPACE_GGTT, GG_BUF), 0x44444444);
    assert_int_equal(guest_peek(&s, GPU_SPACE_GGTT, GG_BUF + 0x10),
                     0x600d0001);
    assert_int_equal(guest_peek(&s, GPU_SPACE_GGTT, GG_BUF + 0x20),
                     0x12000000);
    assert_int_equal(guest_peek(&s, GPU_SPACE_GGTT, GG_BUF + 0x30),
                     0x55555555);
    assert_int_equal(guest_peek(&s, GPU_SPACE_PPGTT, 0x10040), 0x66666666);
    sys_fini(&s);
}

/* Blits and MI_FLUSH_DW on the blitter: every page of the rectangles. */
static void test_blits_clean(void **state)
{
    struct sys s;
    struct bb b;

    (void)state;
    sys_init(&s, BCS);
    sys_buf(&s, &b, GPU_SPACE_PPGTT, 0);
    /* XY_COLOR_BLT: 64 x 4 pixels of 32 bits, pitch 4096 at 0x20000. */
    bb_emit(&b, 0x54000000 | 5);           /* 2D, opcode 0x50 */
    bb_emit(&b, (3u << 24) | (0xf0 << 16) | 4096);
    bb_emit(&b, 0);
    bb_emit(&b, (4u << 16) | 64);
    bb_emit(&b, 0x20000);
    bb_emit(&b, 0);
    bb_emit(&b, 0xffffffff);
    /* XY_SRC_COPY_BLT: 16 x 2 from 0x40000 to 0x30000. */
    bb_emit(&b, XY_SRC_COPY_BLT);
    bb_emit(&b, (3u << 24) | (0xcc << 16) | 4096);
    bb_emit(&b, 0);
    bb_emit(&b, (2u << 16) | 16);
    bb_emit(&b, 0x30000);
    bb_emit(&b, 0);
    bb_emit(&b, 0);
    bb_emit(&b, 4096);
    bb_emit(&b, 0x40000);
    bb_emit(&b, 0);
    emit_flush_dw(&b, 0x50000, false, true);
    emit_bbe(&b);

    sys_audit_ok(&s, GPU_SPACE_PPGTT, 0);
    guest_poke(&s, GPU_SPACE_PPGTT, 0x40000 + 60, 0xc0c0a);
    guest_poke(&s, GPU_SPACE_PPGTT, 0x41000, 0xd0d0b);
    guest_poke(&s, GPU_SPACE_PPGTT, 0x41000 + 64, 0xeeee);   /* not copied */
    assert_int_equal(sys_run(&s), 0);
    assert_clean(&s);
    assert_int_equal(s.res.commands, 4);
    /* 4 destination rows; 2 source and 2 destination rows; 1 post-sync. */
    assert_int_equal(s.res.mem_accesses, 4 + 4 + 1);
    /* The pixels moved: the fill, and the copied rectangle only. */
    assert_int_equal(guest_peek(&s, GPU_SPACE_PPGTT, 0x23000 + 252),
                     0xffffffff);
    assert_int_equal(guest_peek(&s, GPU_SPACE_PPGTT, 0x23000 + 256), 0);
    assert_int_equal(guest_peek(&s, GPU_SPACE_PPGTT, 0x30000 + 60), 0xc0c0a);
    assert_int_equal(guest_peek(&s, GPU_SPACE_PPGTT, 0x31000), 0xd0d0b);
    assert_int_equal(guest_peek(&s, GPU_SPACE_PPGTT, 0x31000 + 64), 0);
    sys_fini(&s);
}

/* MI_CONDITIONAL_BATCH_BUFFER_END ends the batch by the data in memory. */
static void test_cond_bbe_data(void **state)
{
    struct sys s;
    struct bb b;

    (void)state;
    sys_init(&s, RCS);
    sys_buf(&s, &b, GPU_SPACE_PPGTT, 0);
    bb_emit(&b, MI_COND_BATCH_BUFFER_END | (1u << 21));
    bb_emit(&b, 5);                         /* compare data */
    bb_emit(&b, 0x10200);
    bb_emit(&b, 0);
    emit_sdi(&b, 0x10204, 0xbeef, false, false);
    emit_bbe(&b);
    sys_audit_ok(&s, GPU_SPACE_PPGTT, 0);

    guest_poke(&s, GPU_SPACE_PPGTT, 0x10200, 3);      /* 3 <= 5: ends */
    assert_int_equal(sys_run(&s), 0);
    assert_clean(&s);
    assert_int_equal(s.res.commands, 1);
    assert_int_equal(guest_peek(&s, GPU_SPACE_PPGTT, 0x10204), 0);

    guest_poke(&s, GPU_SPACE_PPGTT, 0x10200, 9);      /* 9 > 5: goes on */
    assert_int_equal(sys_run(&s), 0);
    assert_clean(&s);
    assert_int_equal(s.res.commands, 3);
    assert_int_equal(guest_peek(&s, GPU_SPACE_PPGTT, 0x10204), 0xbeef);
    sys_fini(&s);
}

/* A batch chained to itself runs until max_cmds: no violation. */
static void test_loop_bounded(void **state)
{
    struct sys s;
    struct bb b;

    (void)state;
    sys_init(&s, RCS);
    sys_buf(&s, &b, GPU_SPACE_PPGTT, 0);
    emit_noops(&b, 1);
    emit_bb_start(&b, 0, true, false);
    emit_bbe(&b);
    sys_audit_ok(&s, GPU_SPACE_PPGTT, 0);
    s.max_cmds = 101;
    assert_int_equal(sys_run(&s), 0);
    assert_int_equal(s.res.commands, 101);
    assert_false(s.res.ended);
    assert_int_equal(s.chk.violations, 0);
    sys_fini(&s);
}

/* A PDP load the glue redirected runs on Xen's shadow: clean. */
static void test_pdp_load_shadowed(void **state)
{
    struct sys s;
    struct bb ring, pb;
    const uint32_t pairs[4] = { PDP0_UDW, 0, PDP0_LDW, GPA(PML4) };

    (void)state;
    sys_init(&s, RCS);
    sys_buf(&s, &ring, GPU_SPACE_GGTT, RING);
    emit_lri_n(&ring, pairs, 2);
    emit_bb_start(&ring, 0x3000, true, false);
    sys_buf(&s, &pb, GPU_SPACE_PPGTT, 0x3000);
    emit_sdi(&pb, 0x10040, 0x77777777, false, false);
    emit_bbe(&pb);
    sys_audit_ring_ok(&s, &ring);
    assert_int_equal(gtt_submit_apply_pdp_loads(s.f.v, s.sub, GTT_ROOT_L4,
                                                &s.pins),
                     GTT_OK);
    assert_int_equal(sys_run(&s), 0);
    assert_clean(&s);
    assert_int_equal(guest_peek(&s, GPU_SPACE_PPGTT, 0x10040), 0x77777777);
    sys_fini(&s);
}

/* ---- Violations, each with its kind ----------------------------------- */

/*
 * A display flip the auditor neutralised runs as MI_NOOPs (their dwords
 * after the first are no command starts); the flip itself, put back in
 * the copy, would program the physical display.
 */
static void test_neutralised_flip(void **state)
{
    struct sys s;
    struct bb ring;
    uint32_t at;

    (void)state;
    sys_init(&s, RCS);
    sys_buf(&s, &ring, GPU_SPACE_GGTT, RING);
    at = emit_display_flip(&ring);
    emit_sdi(&ring, GG_BUF, 0x12121212, true, false);
    sys_audit_ring_ok(&s, &ring);
    assert_int_equal(gpu_audit_buf_dw(gpu_audit_get_buf(s.sub, 0), at + 1),
                     MI_NOOP);
    assert_int_equal(sys_run(&s), 0);
    assert_clean(&s);
    assert_int_equal(guest_peek(&s, GPU_SPACE_GGTT, GG_BUF), 0x12121212);

    copy_poke(&s, 0, at, MI_DISPLAY_FLIP | 1);
    assert_int_equal(sys_run(&s), 1);
    assert_only(&s, GPU_V_REG, 1);
    assert_true(s.res.ended);
    sys_fini(&s);
}

/* Copies changed after the audit: new commands, a jump with no reloc. */
static void test_unaudited(void **state)
{
    struct sys s;
    struct bb b;
    uint32_t sdi, noop, bbe;
    char where[48];

    (void)state;
    assert_null(gpu_audit_lookup(table_for(GEN), RCS, 0x3fu << 23));
    sys_init(&s, RCS);
    sys_buf(&s, &b, GPU_SPACE_PPGTT, 0);
    sdi = emit_sdi(&b, 0x10000, 1, false, false);
    emit_lri(&b, GPR0, 2);
    noop = emit_noops(&b, 3);
    bbe = emit_bbe(&b);
    sys_audit_ok(&s, GPU_SPACE_PPGTT, 0);
    assert_int_equal(sys_run(&s), 0);
    assert_clean(&s);

    /* A jump where three MI_NOOPs were: no relocation. */
    copy_poke(&s, 0, noop, MI_BATCH_BUFFER_START | BB_PPGTT);
    copy_poke(&s, 0, noop + 1, 0x1000);
    assert_int_equal(sys_run(&s), 1);
    assert_only(&s, GPU_V_UNAUDITED, 1);
    assert_false(s.res.ended);
    snprintf(where, sizeof(where), "[buf 0 +0x%x hdr 0x%08x]", DW(noop),
             MI_BATCH_BUFFER_START | BB_PPGTT);
    assert_non_null(strstr(s.chk.log[0].detail, where));
    assert_false(s.chk.at_known);
    copy_poke(&s, 0, noop, MI_NOOP);
    copy_poke(&s, 0, noop + 1, MI_NOOP);

    /* A longer SDI: the next command starts inside the LRI. */
    copy_poke(&s, 0, sdi, MI_STORE_DATA_IMM | 3);
    assert_int_equal(sys_run(&s), 1);
    assert_only(&s, GPU_V_UNAUDITED, 1);
    copy_poke(&s, 0, sdi, MI_STORE_DATA_IMM | 2);

    /* A header no table knows. */
    copy_poke(&s, 0, bbe, 0x3fu << 23);
    assert_int_equal(sys_run(&s), 1);
    assert_only(&s, GPU_V_UNAUDITED, 1);
    sys_fini(&s);
}

/*
 * Commands no copy may hold, put in one behind the auditor's back: each
 * is caught when it runs; and a batch the hardware would run privileged
 * that was audited as a user batch.
 */
static void test_forbidden_in_copy(void **state)
{
    struct sys s;
    struct bb ring, pb, gb;
    uint32_t noop, bbs, gbs;

    (void)state;
    sys_init(&s, RCS);
    sys_buf(&s, &ring, GPU_SPACE_GGTT, RING);
    noop = emit_noops(&ring, 4);
    bbs = emit_bb_start(&ring, 0x3000, true, false);
    gbs = emit_bb_start(&ring, GG_BATCH, false, false);
    sys_buf(&s, &pb, GPU_SPACE_PPGTT, 0x3000);
    emit_bb_start(&pb, 0x4000, true, false);
    sys_buf(&s, &pb, GPU_SPACE_PPGTT, 0x4000);
    emit_bbe(&pb);
    sys_buf(&s, &gb, GPU_SPACE_GGTT, GG_BATCH);
    emit_bbe(&gb);
    sys_audit_ring_ok(&s, &ring);
    assert_int_equal(sys_run(&s), 0);
    assert_clean(&s);

    copy_poke(&s, 0, noop, MI_UPDATE_GTT);                   /* 2 dwords */
    assert_int_equal(sys_run(&s), 1);
    assert_only(&s, GPU_V_PT_FRAME, 1);
    copy_poke(&s, 0, noop, MI_NOOP);
    copy_poke(&s, 0, noop + 2, MI_SET_CONTEXT);              /* 2 dwords */
    assert_int_equal(sys_run(&s), 1);
    assert_only(&s, GPU_V_UNAUDITED, 1);
    assert_true(s.res.ended);
    copy_poke(&s, 0, noop + 2, MI_NOOP);

    /*
     * Address Space Indicator cleared: the ring would start, privileged,
     * whatever the GGTT maps there; set on a GGTT batch's jump: whatever
     * the PPGTT maps.
     */
    copy_poke(&s, 0, bbs, MI_BATCH_BUFFER_START);
    assert_int_equal(sys_run(&s), 1);
    assert_only(&s, GPU_V_UNAUDITED, 1);
    assert_non_null(strstr(s.chk.log[0].detail, "from the GGTT, audited "
                                                "in the PPGTT"));
    copy_poke(&s, 0, bbs, MI_BATCH_BUFFER_START | BB_PPGTT);
    copy_poke(&s, 0, gbs, MI_BATCH_BUFFER_START | BB_PPGTT);
    assert_int_equal(sys_run(&s), 1);
    assert_only(&s, GPU_V_UNAUDITED, 1);
    assert_non_null(strstr(s.chk.log[0].detail, "from the PPGTT, audited "
                                                "in the GGTT"));
    copy_poke(&s, 0, gbs, MI_BATCH_BUFFER_START);

    /* Add Offset Enable: the target moves by a register. */
    copy_poke(&s, 0, bbs, MI_BATCH_BUFFER_START | BB_PPGTT | (1u << 16));
    assert_int_equal(sys_run(&s), 1);
    assert_only(&s, GPU_V_UNAUDITED, 1);
    /* Predicated: falling through is fine here (a command follows) ... */
    copy_poke(&s, 0, bbs, MI_BATCH_BUFFER_START | BB_PPGTT | (1u << 15));
    assert_int_equal(sys_run(&s), 0);
    /* ... not at a batch's end. */
    copy_poke(&s, 0, bbs, MI_BATCH_BUFFER_START | BB_PPGTT);
    copy_poke(&s, buf_at(&s, GPU_SPACE_PPGTT, 0x3000), 0,
              MI_BATCH_BUFFER_START | BB_PPGTT | (1u << 15));
    assert_int_equal(sys_run(&s), 1);
    assert_only(&s, GPU_V_UNAUDITED, 1);
    sys_fini(&s);
}

/* The physical GGTT of the slice points at d2's frame behind the engine. */
static void test_foreign_frame(void **state)
{
    struct sys s;
    struct bb ring;
    uint64_t idx = GG_BUF >> GTT_PAGE_SHIFT, old;
    volatile uint64_t *gsm;
    const uint32_t *p;

    (void)state;
    sys_init(&s, RCS);
    sys_buf(&s, &ring, GPU_SPACE_GGTT, RING);
    emit_sdi(&ring, GG_BUF, 0x88888888, true, false);
    sys_audit_ring_ok(&s, &ring);
    assert_int_equal(sys_run(&s), 0);
    assert_int_equal(s.chk.violations, 0);

    gsm = (volatile uint64_t *)s.f.h.gpu->gsm + idx;
    old = fake_gpu_ggtt(idx);
    writeq(((uint64_t)(s.f.h.d2_ram_mfn + 1) << GTT_PAGE_SHIFT) | 1, gsm);
    assert_int_equal(sys_run(&s), 1);
    assert_only(&s, GPU_V_FOREIGN_FRAME, 1);
    /* Recorded, not performed: d2's page is untouched. */
    p = map_domain_page(_mfn(s.f.h.d2_ram_mfn + 1));
    assert_int_equal(p[0], 0);
    unmap_domain_page(p);
    writeq(old, gsm);
    writel(1, (uint8_t *)s.f.h.gpu->mmio + FAKE_GPU_FLSH_CNTL);
    sys_fini(&s);
}

/* A GGTT store outside the slices, from a copy changed after the audit. */
static void test_ggtt_slice(void **state)
{
    struct sys s;
    struct bb ring;
    uint32_t at;

    (void)state;
    sys_init(&s, RCS);
    sys_buf(&s, &ring, GPU_SPACE_GGTT, RING);
    at = emit_sdi(&ring, GG_BUF, 0x99999999, true, false);
    sys_audit_ring_ok(&s, &ring);
    copy_poke(&s, 0, at + 1, (uint32_t)OUTSIDE);
    assert_int_equal(sys_run(&s), 1);
    assert_only(&s, GPU_V_GGTT_SLICE, 1);

    /* Just past the end of the hidden slice. */
    copy_poke(&s, 0, at + 1, HID_BASE + AP_SIZE);
    assert_int_equal(sys_run(&s), 1);
    assert_only(&s, GPU_V_GGTT_SLICE, 1);
    sys_fini(&s);
}

/* Register writes the reference whitelist does not allow. */
static void test_register(void **state)
{
    struct sys s;
    struct bb b;
    uint32_t at, cm;

    (void)state;
    sys_init(&s, RCS);
    sys_buf(&s, &b, GPU_SPACE_PPGTT, 0);
    at = emit_lri(&b, GPR0, 1);
    cm = emit_lri(&b, CACHE_MODE_1, 0x02000200);   /* bit 9: allowed */
    emit_bbe(&b);
    sys_audit_ok(&s, GPU_SPACE_PPGTT, 0);
    assert_int_equal(sys_run(&s), 0);
    assert_clean(&s);

    /* Hard-denied: the render ring's tail. */
    copy_poke(&s, 0, at + 1, RING_TAIL);
    assert_int_equal(sys_run(&s), 1);
    assert_only(&s, GPU_V_REG, 1);
    assert_non_null(strstr(s.chk.log[0].detail, "RING_TAIL"));
    /* Whitelisted read-only. */
    copy_poke(&s, 0, at + 1, TIMESTAMP);
    assert_int_equal(sys_run(&s), 1);
    assert_only(&s, GPU_V_REG, 1);
    copy_poke(&s, 0, at + 1, GPR0);
    /* A masked bit only i915's ring may enable (bit 6). */
    copy_poke(&s, 0, cm + 2, 0x00400040);
    assert_int_equal(sys_run(&s), 1);
    assert_only(&s, GPU_V_REG, 1);
    sys_fini(&s);
}

/* An auditor whose whitelist was weakened: the reference copy catches it. */
static void test_weakened_whitelist(void **state)
{
    struct sys s;
    struct bb b;
    struct gpu_gen_spec spec = *gpu_audit_spec_for_gen(GEN);
    struct gpu_reg_desc *regs;
    struct gpu_audit_table weak;
    const struct gpu_audit_table *pristine;
    unsigned int i, found = 0;

    (void)state;
    sys_init(&s, RCS);
    regs = malloc(spec.nr_regs * sizeof(*regs));
    assert_non_null(regs);
    memcpy(regs, spec.regs, spec.nr_regs * sizeof(*regs));
    for ( i = 0; i < spec.nr_regs; i++ )
        if ( regs[i].offset == TIMESTAMP )
        {
            regs[i].access |= GPU_ACC_WRITE;
            found++;
        }
    assert_int_equal(found, 1);
    spec.regs = regs;
    assert_int_equal(gpu_audit_table_init(&weak, &spec), 0);

    sys_buf(&s, &b, GPU_SPACE_PPGTT, 0);
    emit_lri(&b, TIMESTAMP, 0);
    emit_bbe(&b);
    /* The real auditor refuses it ... */
    assert_int_equal(sys_audit(&s, GPU_SPACE_PPGTT, 0, NULL),
                     XEN_GPU_AUDIT_REG_DENIED);
    /* ... the weakened one accepts it, and the GPU runs it. */
    pristine = s.av.table;
    s.av.table = &weak;
    sys_audit_ok(&s, GPU_SPACE_PPGTT, 0);
    assert_int_equal(sys_run_table(&s, &weak), 1);
    assert_only(&s, GPU_V_REG, 1);
    sys_sub_done(&s);
    s.av.table = pristine;
    gpu_audit_table_destroy(&weak);
    free(regs);
    sys_fini(&s);
}

/* A page-table root loaded with a guest table: the GPU would walk it. */
static void test_pdp_guest_table(void **state)
{
    struct sys s;
    struct bb ring;
    const uint32_t pairs[4] = { PDP0_UDW, 0, PDP0_LDW, GPA(PML4) };
    uint32_t at;

    (void)state;
    sys_init(&s, RCS);
    sys_buf(&s, &ring, GPU_SPACE_GGTT, RING);
    at = emit_lri_n(&ring, pairs, 2);
    sys_audit_ring_ok(&s, &ring);
    /* No glue: the copy is the guest's, its PML4 by host address. */
    copy_poke(&s, 0, at + 4, (uint32_t)GPA(s.f.h.ram_mfn + PML4));
    copy_poke(&s, 0, at + 2, (uint32_t)(GPA(s.f.h.ram_mfn + PML4) >> 32));
    assert_int_equal(sys_run(&s), 1);
    assert_only(&s, GPU_V_PT_FRAME, 1);
    sys_fini(&s);
}

/* A frame the GPU reaches whose reference was dropped. */
static void test_no_reference(void **state)
{
    struct sys s;
    struct bb ring;
    struct page_info *pg;

    (void)state;
    sys_init(&s, RCS);
    sys_buf(&s, &ring, GPU_SPACE_GGTT, RING);
    emit_sdi(&ring, GG_BUF, 0xabababab, true, false);
    sys_audit_ring_ok(&s, &ring);
    pg = fake_frame(s.f.h.ram_mfn + layout_gfn(GPU_SPACE_GGTT, GG_BUF));
    assert_int_equal(pg->count, 1);
    pg->count--;
    assert_int_equal(sys_run(&s), 1);
    assert_only(&s, GPU_V_NO_REFERENCE, 1);
    pg->count++;
    assert_int_equal(sys_run(&s), 0);
    sys_fini(&s);
}

/*
 * Whatever a copy holds, the model runs it to an end without failing:
 * an accepted batch of MI_NOOPs (every dword a command start) refilled
 * with random dwords, many times over.  Violations are expected; a crash,
 * a leak or a run past max_cmds is not.
 */
/* A header of a command the engine knows (short), or any dword. */
static uint32_t random_dword(const struct gpu_audit_table *t,
                             unsigned int engine, uint64_t *seed)
{
    const struct gpu_gen_spec *spec = t->spec;
    const struct gpu_cmd_desc *d = NULL;
    uint32_t v = prng_next(seed);
    unsigned int len, shift, i;

    for ( i = 0; !d && i < 64 && (v & 15); i++ )
    {
        d = &spec->cmds[prng_next(seed) % spec->nr_cmds];
        if ( !(d->engines & (1u << engine)) || !(d->gens & (1u << GEN)) )
            d = NULL;
    }
    if ( !d )
        return v;
    len = d->len_min;
    if ( d->len_bits && d->len_max > len )
        len += prng_next(seed) % ((d->len_max < 12 ? d->len_max : 12) -
                                  len + 1);
    shift = d->type == GPU_CMD_TYPE_MI ? 23 :
            d->type == GPU_CMD_TYPE_2D ? 22 : 16;
    v = ((uint32_t)d->type << 29) | ((uint32_t)d->opcode << shift);
    if ( d->len_bits )
        v |= len - d->len_bias;
    /* Some flag bits: GGTT, second level, post-sync ... */
    return v | (prng_next(seed) & 0x00700000u & ~(~0u << shift));
}

static void test_random_copies(void **state)
{
    struct sys s;
    struct bb b;
    uint64_t seed = 0x5eed0f15011a7e5ull, runs = 0, cmds = 0;
    unsigned int i, n, eng;

    (void)state;
    for ( eng = 0; eng < 2; eng++ )
    {
        sys_init(&s, eng ? BCS : RCS);
        sys_buf(&s, &b, GPU_SPACE_PPGTT, 0);
        emit_noops(&b, 96);
        emit_bbe(&b);
        sys_audit_ok(&s, GPU_SPACE_PPGTT, 0);
        s.max_cmds = 500;
        for ( n = 0; n < 256; n++ )
        {
            for ( i = 0; i < 96; i++ )
                copy_poke(&s, 0, i, random_dword(s.table, s.engine, &seed));
            sys_run(&s);
            assert_true(s.res.commands <= s.max_cmds);
            assert_true(s.chk.nr_log <= GPU_CHECK_MAX_LOG);
            assert_int_equal(fake_maps_live(), 0);
            runs++;
            cmds += s.res.commands;
        }
        sys_fini(&s);
    }
    assert_int_equal(runs, 512);
    assert_true(cmds > 2 * runs);
}

/* ---- The checker on its own ------------------------------------------- */

/* Every kind of frame, straight to gpu_check_mem() and gpu_check_pt(). */
static void test_checker_frames(void **state)
{
    struct sys s;
    struct gpu_check_subject who;
    struct gpu_check chk;
    unsigned long own;

    (void)state;
    sys_init(&s, RCS);
    memset(&who, 0, sizeof(who));
    who.d = s.f.h.d1;
    who.scratch_mfn = gtt_vgpu_scratch_mfn(s.f.v);
    who.ppgtt_scratch_mfn = s.f.v->ppgtt.scratch_page_mfn;
    who.slices = s.slices;
    who.nr_slices = 2;
    gpu_check_init(&chk, gpu_check_ref_spec(GEN));
    gpu_check_subject(&chk, &who);
    own = s.f.h.ram_mfn + layout_gfn(GPU_SPACE_GGTT, GG_BUF);

    gpu_check_mem(&chk, GPU_SPACE_GGTT, GG_BUF, own, true);
    gpu_check_mem(&chk, GPU_SPACE_PPGTT, 0, INVALID_MFN, true);
    gpu_check_mem(&chk, GPU_SPACE_PPGTT, 0, who.scratch_mfn, true);
    gpu_check_mem(&chk, GPU_SPACE_PPGTT, 0, who.ppgtt_scratch_mfn, false);
    gpu_check_pt(&chk, s.sh[0] >> GTT_PAGE_SHIFT, 0);
    assert_int_equal(chk.violations, 0);
    assert_int_equal(chk.accesses, 5);

    /* Made read-only by Xen: read, never written. */
    fake_p2m_set(s.f.h.d1, 0x901, s.f.h.ram_mfn + 0x901, p2m_ram_ro, NULL);
    fake_frame(s.f.h.ram_mfn + 0x901)->count++;
    gpu_check_mem(&chk, GPU_SPACE_PPGTT, 0, s.f.h.ram_mfn + 0x901, false);
    assert_int_equal(chk.violations, 0);
    gpu_check_mem(&chk, GPU_SPACE_PPGTT, 0, s.f.h.ram_mfn + 0x901, true);
    assert_int_equal(chk.by_kind[GPU_V_FOREIGN_FRAME], 1);
    fake_frame(s.f.h.ram_mfn + 0x901)->count--;
    chk.by_kind[GPU_V_FOREIGN_FRAME] = 0;
    chk.violations = 0;
    chk.nr_log = 0;

    /*
     * Out of d1's p2m (its gfn now MMIO) yet still d1's: fine while
     * referenced (Xen frees it only after the last reference), a
     * violation once no reference holds it.
     */
    fake_p2m_set(s.f.h.d1, 0x900, s.f.h.ram_mfn + 0x900, p2m_mmio_direct, NULL);
    fake_frame(s.f.h.ram_mfn + 0x900)->count++;
    gpu_check_mem(&chk, GPU_SPACE_PPGTT, 0, s.f.h.ram_mfn + 0x900, true);
    assert_int_equal(chk.violations, 0);
    fake_frame(s.f.h.ram_mfn + 0x900)->count--;
    gpu_check_mem(&chk, GPU_SPACE_PPGTT, 0, s.f.h.ram_mfn + 0x900, false);
    assert_int_equal(chk.by_kind[GPU_V_NO_REFERENCE], 1);
    gpu_check_mem(&chk, GPU_SPACE_PPGTT, 0, s.f.h.d2_ram_mfn, false);
    assert_int_equal(chk.by_kind[GPU_V_FOREIGN_FRAME], 1);
    /* A Xen table frame as data; a guest frame as a table. */
    gpu_check_mem(&chk, GPU_SPACE_PPGTT, 0, s.sh[0] >> GTT_PAGE_SHIFT, false);
    assert_int_equal(chk.by_kind[GPU_V_FOREIGN_FRAME], 2);
    gpu_check_pt(&chk, own, 0);
    assert_int_equal(chk.by_kind[GPU_V_PT_FRAME], 1);
    /* Outside the slices, even when it faults. */
    gpu_check_mem(&chk, GPU_SPACE_GGTT, OUTSIDE, INVALID_MFN, false);
    assert_int_equal(chk.by_kind[GPU_V_GGTT_SLICE], 1);
    assert_int_equal(chk.violations, 5);
    assert_int_equal(chk.nr_log, 5);
    assert_string_equal(gpu_violation_name(chk.log[4].kind), "ggtt-slice");
    sys_fini(&s);
}

/* The hard-deny list and the pristine whitelists never overlap. */
static void test_hard_deny_list(void **state)
{
    static const uint32_t denied[] = {
        0x2030, 0x2034, 0x2038, 0x203c, 0x2230, 0x22030, 0x12230, 0x1a03c,
        0x1c234, 0x100000, 0x100ffc, 0x101008, 0x78000, 0x78ffc, 0xa188,
        0x44200, 0x70008, 0x40e0, 0x941c, 0x130044,
    };
    unsigned int g, i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(denied); i++ )
        assert_non_null(gpu_check_hard_denied(denied[i]));
    for ( g = 8; g <= 9; g++ )
    {
        const struct gpu_gen_spec *ref = gpu_check_ref_spec(g);

        assert_non_null(ref);
        assert_ptr_not_equal(ref, gpu_audit_spec_for_gen(g));
        assert_int_equal(ref->nr_regs, gpu_audit_spec_for_gen(g)->nr_regs);
        for ( i = 0; i < ref->nr_regs; i++ )
        {
            if ( gpu_check_hard_denied(ref->regs[i].offset) )
                fail_msg("gen%u %s 0x%x hard-denied", g, ref->regs[i].name,
                         ref->regs[i].offset);
            assert_ptr_equal(gpu_check_ref_reg(ref, ref->regs[i].offset),
                             &ref->regs[i]);
        }
    }
    assert_null(gpu_check_ref_spec(7));
}

/* ---- Translation ------------------------------------------------------- */

#define PTE_P     0x1ull
#define PTE_PS    0x80ull
#define PDE_IPS   0x800ull
#define PTE_SW    (1ull << 52)       /* software bit: no address bit */
#define PAT_LARGE 0x1000ull          /* bit 12 of a 2M/1G entry */

static uint64_t *table_map(struct page_info *pg)
{
    return map_domain_page(page_to_mfn(pg));
}

static uint64_t table_pa(struct page_info *pg)
{
    return (uint64_t)page_to_mfn(pg) << PAGE_SHIFT;
}

/*
 * Hand-built tables in Xen pages: 4K, 64K (IPS), 2M and 1G pages, absent
 * entries, both levels, the GGTT; every table frame read is reported and
 * a guest frame used as a table is a violation.
 */
static void test_translate(void **state)
{
    enum { PML4T, PDPT, PDT, PTT, PT64T, NR_T };
    struct page_info *pg[NR_T];
    uint64_t *t[NR_T];
    struct gpu_model_ctx c;
    struct gpu_check chk;
    struct gpu_check_subject who;
    struct fake_gpu *gpu;
    struct domain *d;
    unsigned long guest;
    unsigned int i;

    (void)state;
    fake_p2m_reset();
    d = fake_domain_create(7, 16);
    guest = fake_guest_mfns(1);
    assert_int_equal(fake_p2m_set(d, 0, guest, p2m_ram_rw, NULL), 0);
    for ( i = 0; i < NR_T; i++ )
    {
        pg[i] = alloc_domheap_page(NULL, MEMF_no_owner);
        assert_non_null(pg[i]);
        clear_domain_page(page_to_mfn(pg[i]));
        t[i] = table_map(pg[i]);
    }
    t[PML4T][0] = table_pa(pg[PDPT]) | PTE_P;
    t[PDPT][0] = table_pa(pg[PDT]) | PTE_P;
    t[PDPT][1] = (0x40000ull << PAGE_SHIFT) | PAT_LARGE | PTE_PS | PTE_P;
    t[PDT][0] = table_pa(pg[PTT]) | PTE_P;
    t[PDT][1] = (0x800ull << PAGE_SHIFT) | PAT_LARGE | PTE_PS | PTE_P;
    t[PDT][2] = table_pa(pg[PT64T]) | PDE_IPS | PTE_P;
    t[PDT][3] = ((uint64_t)guest << PAGE_SHIFT) | PTE_P;
    t[PTT][5] = (0x1234ull << PAGE_SHIFT) | PTE_SW | PTE_P;
    t[PTT][6] = 0x1235ull << PAGE_SHIFT;
    t[PT64T][0] = (0x2000ull << PAGE_SHIFT) | PTE_P;
    t[PT64T][16] = (0x3000ull << PAGE_SHIFT) | PTE_P;

    memset(&who, 0, sizeof(who));
    who.d = d;
    gpu_check_init(&chk, gpu_check_ref_spec(GEN));
    gpu_check_subject(&chk, &who);
    memset(&c, 0, sizeof(c));
    c.level = GTT_ROOT_L4;
    c.pdp[0] = table_pa(pg[PML4T]);

#define XL(a) gpu_model_translate(&c, c.pdp, GPU_SPACE_PPGTT, (a), &chk)
    assert_int_equal(XL(0x5123), 0x1234);
    assert_int_equal(chk.accesses, 4);
    assert_int_equal(XL(0x6000), INVALID_MFN);
    assert_int_equal(XL((1ull << 30) + 0x345000), 0x40000 + 0x345);
    assert_int_equal(XL((2ull << 20) + 0x7000), 0x807);
    assert_int_equal(XL((4ull << 20) + 0x3000), 0x2003);
    assert_int_equal(XL((4ull << 20) + 0x11000), 0x3001);
    assert_int_equal(XL((4ull << 20) + 0x21000), INVALID_MFN);
    assert_int_equal(XL(2ull << 30), INVALID_MFN);
    assert_int_equal(XL(1ull << 39), INVALID_MFN);
    assert_int_equal(chk.violations, 0);
    /* The PD's entry 3 names a guest frame as a page table. */
    XL((6ull << 20) + 0x1000);
    assert_int_equal(chk.by_kind[GPU_V_PT_FRAME], 1);
    assert_int_equal(chk.violations, 1);

    /* 3 levels: the PDP registers hold page directories. */
    c.level = GTT_ROOT_L3;
    c.pdp[0] = table_pa(pg[PDT]);
    c.pdp[1] = 0;
    chk.accesses = 0;
    assert_int_equal(XL(0x5123), 0x1234);
    assert_int_equal(chk.accesses, 2);
    assert_int_equal(XL(1ull << 30), INVALID_MFN);
    assert_int_equal(XL(4ull << 30), INVALID_MFN);
    c.level = 0;
    assert_int_equal(XL(0x5123), INVALID_MFN);
#undef XL

    /* The GGTT: present bit, address bits, entries past its end. */
    gpu = fake_gpu_create(64);
    assert_non_null(gpu);
    writeq((0x777ull << PAGE_SHIFT) | 1, (uint64_t *)gpu->gsm + 3);
    writeq(0x778ull << PAGE_SHIFT, (uint64_t *)gpu->gsm + 4);
    c.ggtt_entries = 64;
    assert_int_equal(gpu_model_translate(&c, c.pdp, GPU_SPACE_GGTT, 0x3abc,
                                         &chk), 0x777);
    assert_int_equal(gpu_model_translate(&c, c.pdp, GPU_SPACE_GGTT, 0x4000,
                                         &chk), INVALID_MFN);
    assert_int_equal(gpu_model_translate(&c, c.pdp, GPU_SPACE_GGTT,
                                         64 << PAGE_SHIFT, &chk),
                     INVALID_MFN);
    writeq(0, (uint64_t *)gpu->gsm + 3);
    fake_gpu_destroy(gpu);

    for ( i = 0; i < NR_T; i++ )
    {
        unmap_domain_page(t[i]);
        free_domheap_page(pg[i]);
    }
    fake_domain_destroy(d);
    fake_p2m_reset();
}

/* ---- Real driver batches ---------------------------------------------- */

/*
 * Every corpus submission the auditor accepts runs on the model with no
 * violation: it decodes as the auditor did, touches only whitelisted
 * registers, and reaches no GGTT address outside the slice.  No PPGTT
 * (every PPGTT access faults) and an empty GGTT: the run is about what
 * the commands are, not where memory is.
 */
static void test_corpus_clean(void **state)
{
    FILE *f = corpus_open();
    struct corpus_entry e = { 0 };
    struct fake_gpu *gpu;
    struct gpu_audit_slice slice = { .base = 0, .size = 0x10000000 };
    unsigned int runs = 0, bad = 0, open = 0;
    uint64_t cmds = 0, regs = 0;

    (void)state;
    fake_p2m_reset();
    gpu = fake_gpu_create(slice.size >> PAGE_SHIFT);
    assert_non_null(gpu);
    while ( corpus_next(f, &e) )
    {
        struct mem m;
        struct audit_run r;
        struct gpu_check chk;
        struct gpu_check_subject who = {
            .engine = e.engine, .scratch_mfn = INVALID_MFN,
            .slices = &slice, .nr_slices = 1,
        };
        struct gpu_model_ctx ctx = {
            .table = table_for(e.gen), .engine = e.engine,
            .ggtt_entries = slice.size >> PAGE_SHIFT, .max_cmds = 1u << 20,
        };
        struct gpu_model_result res;

        mem_init(&m);
        corpus_map(&e, &m);
        run_keep(&r, &m, e.gen, e.engine, NULL, GPU_SPACE_PPGTT, e.addr[0],
                 NULL);
        assert_int_equal(r.res.reason, XEN_GPU_AUDIT_OK);
        gpu_check_init(&chk, gpu_check_ref_spec(e.gen));
        gpu_check_subject(&chk, &who);
        if ( gpu_model_execute(&ctx, r.sub, &chk, &res) && bad++ < 10 )
            print_message("corpus line %u %s: %s: %s\n", e.line, e.file[0],
                          gpu_violation_name(chk.log[0].kind),
                          chk.log[0].detail);
        open += !res.ended;
        runs++;
        cmds += res.commands;
        regs += res.reg_accesses;
        run_done(&r);
        mem_free(&m);
    }
    fclose(f);
    fake_gpu_destroy(gpu);
    fake_p2m_reset();

    print_message("corpus: %u submissions run, %llu commands, %llu register "
                  "accesses, %u with a violation, %u not ended\n", runs,
                  (unsigned long long)cmds, (unsigned long long)regs, bad,
                  open);
    assert_true(runs > 3000);
    assert_true(regs > 0);
    assert_int_equal(bad, 0);
    assert_int_equal(open, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ppgtt_batches_clean),
        cmocka_unit_test(test_ring_privileged_clean),
        cmocka_unit_test(test_blits_clean),
        cmocka_unit_test(test_cond_bbe_data),
        cmocka_unit_test(test_loop_bounded),
        cmocka_unit_test(test_pdp_load_shadowed),
        cmocka_unit_test(test_neutralised_flip),
        cmocka_unit_test(test_unaudited),
        cmocka_unit_test(test_forbidden_in_copy),
        cmocka_unit_test(test_foreign_frame),
        cmocka_unit_test(test_ggtt_slice),
        cmocka_unit_test(test_register),
        cmocka_unit_test(test_weakened_whitelist),
        cmocka_unit_test(test_pdp_guest_table),
        cmocka_unit_test(test_no_reference),
        cmocka_unit_test(test_random_copies),
        cmocka_unit_test(test_checker_frames),
        cmocka_unit_test(test_hard_deny_list),
        cmocka_unit_test(test_translate),
        cmocka_unit_test(test_corpus_clean),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
