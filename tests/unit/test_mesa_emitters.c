/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What Mesa 22.3's Intel drivers (iris, anv, hasvk, blorp, mi_builder,
 * intel_perf) can put into a render-engine PPGTT batch on Gen8 and Gen9
 * beyond what the captured corpus (tests/data/corpus) happens to contain.
 *
 * Each test rebuilds one emission pattern dword by dword from the Mesa
 * source it names (paths under Mesa's src/), as the driver would submit it
 * to the render engine, and states the verdict: accepted, or refused with
 * the reason docs/audit-rules.md gives.  The register offsets and command
 * encodings are those of Mesa's genxml (gen8.xml, gen9.xml) and
 * intel/perf/intel_perf_regs.h.
 *
 * Not here because Mesa 22.3 emits them only for later generations: MI_ATOMIC
 * (blorp clear colour, Gen11), MI_SET_PREDICATE and mi_builder's goto/loop
 * (Gen12.5), MI_FLUSH_DW (iris blitter batches, Gen12), MI_SET_APPID
 * (protected content, Gen12), 3DSTATE_BINDING_TABLE_POOL_ALLOC (Gen12.5),
 * the Gen7 MI_LOAD/STORE_REGISTER_MEM copies through 3DPRIM_BASE_VERTEX
 * (blorp_emit_memcpy before Gen8).  Nothing in 22.3 emits
 * MI_CONDITIONAL_BATCH_BUFFER_END, MI_USER_INTERRUPT, MI_ARB_ON_OFF or a
 * PIPE_CONTROL LRI post-sync operation.
 */
#include "harness.h"

#define RCS     XEN_GPU_ENGINE_RCS
#define BATCH   0x100000ull     /* PPGTT: the batch */
#define DATA    0x200000ull     /* PPGTT: query pools, events, images */

/* Registers (genxml / iris_defines.h / anv_private.h). */
#define REG_GPR(n)              (0x2600u + 8u * (n))
#define REG_PRED_SRC0           0x2400u
#define REG_PRED_SRC1           0x2408u
#define REG_PRED_RESULT         0x2418u
#define REG_PRED_RESULT_1       0x241cu
#define REG_3DPRIM_VERTEX_COUNT 0x2434u
#define REG_3DPRIM_START_INST   0x243cu
#define REG_DISPATCHDIM(n)      (0x2500u + 4u * (n))
#define REG_SO_WRITE_OFFSET(n)  (0x5280u + 4u * (n))
#define REG_TIMESTAMP           0x2358u
#define REG_PS_DEPTH_COUNT      0x2350u
#define REG_CL_INVOCATION       0x2338u
#define REG_INSTPM              0x20c0u
#define REG_CS_DEBUG_MODE2      0x20d8u
#define REG_GT_MODE             0x7008u
#define REG_SLICE_ECO_CHICKEN1  0x731cu
#define REG_PERF_CNT_1          0x91b8u
#define REG_PERF_CNT_2          0x91c0u
#define REG_RPSTAT              0xa01cu
#define REG_OA_PERF_B(n)        (0x2920u + 4u * (n))
/* anv_private.h: ANV_PREDICATE_RESULT_REG (GPR15), ANV_PERF_QUERY_OFFSET_REG
 * (GPR14); iris keeps the saved predicate in GPR15 too. */
#define ANV_PRED_RESULT_REG     REG_GPR(15)
#define ANV_PERF_OFFSET_REG     REG_GPR(14)

/* Masked register value: enable bits 31:16 and the value bits. */
#define MASKED(mask, val)       (((uint32_t)(mask) << 16) | (val))

/* MI commands the harness does not spell. */
#define MI_PREDICATE(load, comb, cmp) \
    MI_INSTR(0x0c, ((load) << 6) | ((comb) << 3) | (cmp))
#define PRED_LOAD_LOAD          2u
#define PRED_LOAD_LOADINV       3u
#define PRED_COMBINE_SET        0u
#define PRED_COMPARE_SRCS_EQUAL 2u
#define MI_MATH_HDR(nalu)       MI_INSTR(0x1a, (nalu) - 1)
#define ALU(op, a, b)           (((uint32_t)(op) << 20) | ((a) << 10) | (b))
#define ALU_LOAD                0x080u
#define ALU_LOADINV             0x480u
#define ALU_AND                 0x102u
#define ALU_ADD                 0x100u
#define ALU_STORE               0x180u
#define ALU_SRCA                0x20u
#define ALU_SRCB                0x21u
#define ALU_ACCU                0x31u
#define SRM_PREDICATE           (1u << 21)
#define SEM_POLL                (1u << 15)
#define SEM_SAD_EQUAL_SDD       (4u << 12)

/* PIPE_CONTROL DW1 bits (genxml). */
#define PC_DEPTH_STALL          (1u << 13)
#define PC_WRITE_IMM            (1u << 14)
#define PC_WRITE_DEPTH_COUNT    (2u << 14)
#define PC_WRITE_TIMESTAMP      (3u << 14)
#define PC_CS_STALL             (1u << 20)
#define PC_STALL_AT_SCOREBOARD  (1u << 1)

/* 3D commands. */
#define PIPELINE_SELECT_GEN9(p) (0x69040300u | (p))  /* mask bits 9:8 */
#define PRIM_3D                 0x7b000005u          /* 7 dwords */
#define PRIM_INDIRECT           (1u << 10)
#define PRIM_PREDICATE          (1u << 8)
#define GPGPU_WALKER_HDR        0x7105000du          /* 15 dwords */
#define GPGPU_INDIRECT          (1u << 10)
#define GPGPU_PREDICATE         (1u << 8)
#define VERTEX_ELEMENTS         0x78090000u
#define VERTEX_BUFFERS          0x78080000u
#define SO_DECL_LIST            0x79170000u

static struct bb b;

static int setup(void **state)
{
    fixture_setup(state);
    bb_add(&b, &fx_mem, GPU_SPACE_PPGTT, BATCH, 0x4000);
    mem_add(&fx_mem, GPU_SPACE_PPGTT, DATA, 0x1000);
    return 0;
}

/* End the batch, audit it as a PPGTT batch on the render engine of gen,
 * and check the verdict (offset: byte offset in the batch). */
static void expect(unsigned int gen, uint32_t reason, uint32_t offset)
{
    struct audit_res res;

    emit_bbe(&b);
    audit(&fx_mem, gen, RCS, GPU_SPACE_PPGTT, BATCH, &res);
    assert_verdict(&res, reason, 0, offset);
}

static void expect_ok(unsigned int gen)
{
    expect(gen, XEN_GPU_AUDIT_OK, 0);
}

/* Start again on an empty batch (for the second generation of a test). */
static void restart(void)
{
    mem_free(&fx_mem);
    setup(NULL);
}

/* mi_builder (intel/common/mi_builder.h, _mi_copy_no_unref): a 64-bit
 * register from a 32-bit memory value is an LRM of the low dword and an
 * LRI of 0 into the high one; a 64-bit register to register copy is two
 * MI_LOAD_REGISTER_REGs; a 64-bit immediate is one LRI of two pairs. */
static void mi_reg64_from_mem32(uint32_t reg, uint64_t addr)
{
    emit_lrm(&b, reg, addr, false);
    emit_lri(&b, reg + 4, 0);
}

static void mi_reg64_from_reg64(uint32_t dst, uint32_t src)
{
    emit_lrr(&b, src, dst);
    emit_lrr(&b, src + 4, dst + 4);
}

static void mi_reg64_from_imm(uint32_t reg, uint64_t val)
{
    const uint32_t pairs[4] = {
        reg, (uint32_t)val, reg + 4, (uint32_t)(val >> 32),
    };

    emit_lri_n(&b, pairs, 2);
}

static void mi_mem64_from_reg64(uint64_t addr, uint32_t reg)
{
    emit_srm(&b, reg, addr, false);
    emit_srm(&b, reg + 4, addr + 4, false);
}

/* mi_store_if(): MI_STORE_REGISTER_MEM with Predicate Enable. */
static void mi_mem64_from_reg64_if(uint64_t addr, uint32_t reg)
{
    unsigned int i;

    for ( i = 0; i < 2; i++ )
    {
        bb_emit(&b, MI_STORE_REGISTER_MEM | SRM_PREDICATE);
        bb_emit(&b, reg + 4 * i);
        bb_emit(&b, (uint32_t)(addr + 4 * i));
        bb_emit(&b, (uint32_t)((addr + 4 * i) >> 32));
    }
}

/* ------------------------------------------------------------------------
 * Predicate registers.
 * ------------------------------------------------------------------------ */

/*
 * iris indirect multi-draw with an indirect draw count under conditional
 * rendering (gallium/drivers/iris/iris_draw.c iris_indirect_draw_vbo):
 * MI_PREDICATE_RESULT is saved to GPR15 (load_register_reg64, so also
 * MI_PREDICATE_RESULT_1 at 0x241c), each draw ANDs its own comparison with
 * it (iris_state.c, "mi_iand(comparison, CS_GPR(15))"), and the result is
 * restored afterwards.  MI_PREDICATE_RESULT_1 only predicates
 * MI_BATCH_BUFFER_START, whose Predication Enable the auditor refuses.
 */
static void test_iris_indirect_count_saves_predicate(void **state)
{
    unsigned int gen;

    (void)state;
    for ( gen = 8; gen <= 9; gen++ )
    {
        restart();
        mi_reg64_from_reg64(REG_GPR(15), REG_PRED_RESULT);
        /* Per draw (iris_state.c iris_upload_render_state): comparison =
         * draw id < draw count (mi_ult: GPRs and MI_MATH), ANDed with
         * GPR15 into MI_PREDICATE_RESULT. */
        mi_reg64_from_imm(REG_GPR(0), 2);
        mi_reg64_from_mem32(REG_GPR(1), DATA);
        bb_emit(&b, MI_MATH_HDR(4));
        bb_emit(&b, ALU(ALU_LOAD, ALU_SRCA, 0));
        bb_emit(&b, ALU(ALU_LOAD, ALU_SRCB, 1));
        bb_emit(&b, ALU(0x101u, 0, 0));               /* SUB */
        bb_emit(&b, ALU(ALU_STORE, 2, 0x33u));        /* CF */
        bb_emit(&b, MI_MATH_HDR(4));
        bb_emit(&b, ALU(ALU_LOAD, ALU_SRCA, 2));
        bb_emit(&b, ALU(ALU_LOAD, ALU_SRCB, 15));
        bb_emit(&b, ALU(ALU_AND, 0, 0));
        bb_emit(&b, ALU(ALU_STORE, 3, ALU_ACCU));
        emit_lrr(&b, REG_GPR(3), REG_PRED_RESULT);
        emit_cmd(&b, PRIM_3D | PRIM_INDIRECT | PRIM_PREDICATE, 7);
        /* Restore. */
        mi_reg64_from_reg64(REG_PRED_RESULT, REG_GPR(15));
        expect_ok(gen);
    }
}

/*
 * iris compute dispatch under a predicate computed earlier
 * (iris_draw.c iris_launch_grid: load_register_mem64(MI_PREDICATE_RESULT,
 * compute_predicate)): two MI_LOAD_REGISTER_MEMs, 0x2418 and 0x241c.
 */
static void test_iris_compute_predicate_load(void **state)
{
    unsigned int gen;

    (void)state;
    for ( gen = 8; gen <= 9; gen++ )
    {
        restart();
        emit_lrm(&b, REG_PRED_RESULT, DATA, false);
        emit_lrm(&b, REG_PRED_RESULT_1, DATA + 4, false);
        emit_cmd(&b, GPGPU_WALKER_HDR | GPGPU_PREDICATE, 15);
        bb_emit(&b, 0x70040000u);           /* MEDIA_STATE_FLUSH */
        bb_emit(&b, 0);
        expect_ok(gen);
    }
}

/*
 * anv/hasvk predicated CCS/MCS full resolve of a first slice
 * (intel/vulkan/genX_cmd_buffer.c anv_cmd_compute_resolve_predicate;
 * intel/vulkan_hasvk/genX_cmd_buffer.c the same): MI_PREDICATE_SRC0 is
 * loaded from the compression state, then read back inverted into the ALU
 * ("mi_inot(mi_reg64(MI_PREDICATE_SRC0))": two MI_LOAD_REGISTER_REGs from
 * 0x2400/0x2404) to clear the fast-clear type.
 */
static void test_anv_predicated_resolve_reads_src0(void **state)
{
    unsigned int gen;

    (void)state;
    for ( gen = 8; gen <= 9; gen++ )
    {
        restart();
        mi_reg64_from_mem32(REG_PRED_SRC0, DATA + 0x10);
        emit_sdi(&b, DATA + 0x10, 0, false, false);
        mi_reg64_from_mem32(REG_GPR(0), DATA + 0x20);
        mi_reg64_from_reg64(REG_GPR(1), REG_PRED_SRC0);
        bb_emit(&b, MI_MATH_HDR(4));
        bb_emit(&b, ALU(ALU_LOAD, ALU_SRCA, 0));
        bb_emit(&b, ALU(ALU_LOADINV, ALU_SRCB, 1));
        bb_emit(&b, ALU(ALU_AND, 0, 0));
        bb_emit(&b, ALU(ALU_STORE, 2, ALU_ACCU));
        emit_srm(&b, REG_GPR(2), DATA + 0x20, false);
        mi_reg64_from_imm(REG_PRED_SRC1, 0);
        bb_emit(&b, MI_PREDICATE(PRED_LOAD_LOADINV, PRED_COMBINE_SET,
                                 PRED_COMPARE_SRCS_EQUAL));
        expect_ok(gen);
    }
}

/*
 * anv/hasvk conditional rendering and the indirect-count draw loop
 * (genX_cmd_buffer.c CmdBeginConditionalRenderingEXT,
 * emit_draw_count_predicate_with_conditional_render): the result lives in
 * GPR15 and goes to MI_PREDICATE_SRC0 and MI_PREDICATE_RESULT.
 */
static void test_anv_conditional_render_draw_count(void **state)
{
    unsigned int gen;

    (void)state;
    for ( gen = 8; gen <= 9; gen++ )
    {
        restart();
        mi_reg64_from_mem32(REG_GPR(0), DATA);
        bb_emit(&b, MI_MATH_HDR(4));
        bb_emit(&b, ALU(ALU_LOAD, ALU_SRCA, 0));
        bb_emit(&b, ALU(ALU_LOAD, ALU_SRCB, 0));
        bb_emit(&b, ALU(ALU_ADD, 0, 0));
        bb_emit(&b, ALU(ALU_STORE, 15, ALU_ACCU));
        emit_lrr(&b, ANV_PRED_RESULT_REG, REG_PRED_SRC0);
        emit_lri(&b, REG_PRED_SRC0 + 4, 0);
        mi_reg64_from_imm(REG_PRED_SRC1, 0);
        bb_emit(&b, MI_PREDICATE(PRED_LOAD_LOADINV, PRED_COMBINE_SET,
                                 PRED_COMPARE_SRCS_EQUAL));
        /* Draw-count loop: SRC1 high cleared once, low = draw index. */
        mi_reg64_from_mem32(REG_PRED_SRC0, DATA + 8);
        emit_lri(&b, REG_PRED_SRC1 + 4, 0);
        emit_lri(&b, REG_PRED_SRC1, 3);
        emit_lrr(&b, REG_GPR(2), REG_PRED_RESULT);
        emit_lrm(&b, REG_3DPRIM_VERTEX_COUNT, DATA + 0x40, false);
        emit_lrm(&b, REG_3DPRIM_START_INST, DATA + 0x4c, false);
        emit_cmd(&b, PRIM_3D | PRIM_INDIRECT | PRIM_PREDICATE, 7);
        expect_ok(gen);
    }
}

/*
 * hasvk/anv indirect compute dispatch (genX_cmd_buffer.c
 * CmdDispatchIndirect): the three dimensions loaded into
 * GPGPU_DISPATCHDIM*, and on Gen8 a predicate that skips empty
 * dispatches (hasvk: MI_PREDICATE_SRC0 = each size, SRC1 = 0).
 */
static void test_dispatch_indirect_predicated(void **state)
{
    unsigned int gen, i;

    (void)state;
    for ( gen = 8; gen <= 9; gen++ )
    {
        restart();
        for ( i = 0; i < 3; i++ )
            emit_lrm(&b, REG_DISPATCHDIM(i), DATA + 4 * i, false);
        mi_reg64_from_mem32(REG_PRED_SRC0, DATA);
        mi_reg64_from_imm(REG_PRED_SRC1, 0);
        bb_emit(&b, MI_PREDICATE(PRED_LOAD_LOADINV, PRED_COMBINE_SET,
                                 PRED_COMPARE_SRCS_EQUAL));
        emit_lrm(&b, REG_PRED_SRC0, DATA + 4, false);
        bb_emit(&b, MI_PREDICATE(PRED_LOAD_LOAD, 2u, PRED_COMPARE_SRCS_EQUAL));
        emit_lrr(&b, ANV_PRED_RESULT_REG, REG_PRED_SRC0);
        emit_cmd(&b, GPGPU_WALKER_HDR | GPGPU_INDIRECT | GPGPU_PREDICATE, 15);
        expect_ok(gen);
    }
}

/* ------------------------------------------------------------------------
 * Masked state registers.
 * ------------------------------------------------------------------------ */

/*
 * Gen9 pixel hashing for small render targets on parts with more than one
 * slice (SKL/KBL/CFL GT3, SKL GT4): iris_state.c genX(emit_hashing_mode)
 * and anv genX_cmd_buffer.c genX(cmd_buffer_emit_hashing_mode) set both the
 * slice (12:11) and the subslice (9:8) hashing with their masks; the
 * one-slice parts of the corpus only set the subslice field.
 */
static void test_gen9_gt_mode_slice_hashing(void **state)
{
    (void)state;
    emit_pipe_control(&b, PC_CS_STALL | PC_STALL_AT_SCOREBOARD, 0, false);
    /* Slice 32x32 (3), subslice 16x4 (1); then NORMAL (0), 8x4 (2). */
    emit_lri(&b, REG_GT_MODE, MASKED(0x1b00, (3u << 11) | (1u << 8)));
    emit_lri(&b, REG_GT_MODE, MASKED(0x1b00, (0u << 11) | (2u << 8)));
    expect_ok(9);
}

/* The slice hashing bits stay the only addition: the IZ hashing bits 5:0
 * are i915's (privileged buffers only). */
static void test_gen9_gt_mode_other_bits_refused(void **state)
{
    uint32_t at;

    (void)state;
    at = emit_lri(&b, REG_GT_MODE, MASKED(0x1b01, 0x1));
    expect(9, XEN_GPU_AUDIT_REG_MASK, DW(at));
}

/*
 * GLK barrier mode after each PIPELINE_SELECT (iris_state.c
 * init_glk_barrier_mode, anv genX_cmd_buffer.c genX(flush_pipeline_select)):
 * PIPELINE_SELECT with its mask bits, then SLICE_COMMON_ECO_CHICKEN1 bit 7.
 */
static void test_gen9_pipeline_select_glk_barrier(void **state)
{
    (void)state;
    emit_pipe_control(&b, PC_CS_STALL, 0, false);
    bb_emit(&b, PIPELINE_SELECT_GEN9(2));                 /* GPGPU */
    emit_lri(&b, REG_SLICE_ECO_CHICKEN1, MASKED(0x80, 0));
    bb_emit(&b, PIPELINE_SELECT_GEN9(0));                 /* 3D */
    emit_lri(&b, REG_SLICE_ECO_CHICKEN1, MASKED(0x80, 0x80));
    expect_ok(9);
}

/*
 * VK_INTEL_performance_query's null-hardware override
 * (vkCmdSetPerformanceOverrideINTEL, VK_PERFORMANCE_OVERRIDE_TYPE_NULL_-
 * HARDWARE_INTEL): anv writes CS_DEBUG_MODE2's 3D rendering and media
 * instruction disable bits 1:0 (genX_cmd_buffer.c), hasvk INSTPM's bits
 * 3:2 on Gen8.  They only stop this context's own draws and dispatches.
 */
static void test_null_hardware_override(void **state)
{
    (void)state;
    emit_lri(&b, REG_CS_DEBUG_MODE2, MASKED(0x3, 0x3));
    emit_lri(&b, REG_CS_DEBUG_MODE2, MASKED(0x3, 0x0));
    expect_ok(9);

    restart();
    emit_lri(&b, REG_INSTPM, MASKED(0xc, 0xc));
    emit_lri(&b, REG_INSTPM, MASKED(0xc, 0x0));
    expect_ok(8);
}

/* INSTPM's 3D State Instruction Disable (bit 1) is not something any Mesa
 * driver sets: still refused. */
static void test_instpm_state_disable_refused(void **state)
{
    uint32_t at;

    (void)state;
    at = emit_lri(&b, REG_INSTPM, MASKED(0x2, 0x2));
    expect(8, XEN_GPU_AUDIT_REG_MASK, DW(at));
}

/* ------------------------------------------------------------------------
 * Queries and events.
 * ------------------------------------------------------------------------ */

/*
 * Vulkan queries (genX_query.c): occlusion (PIPE_CONTROL Write PS Depth
 * Count with depth stall), primitives generated (CL_INVOCATION_COUNT),
 * top-of-pipe timestamp (SRM of TIMESTAMP), bottom-of-pipe timestamp
 * (PIPE_CONTROL Write Timestamp), availability (MI_STORE_DATA_IMM), and the
 * copy of results with VK_QUERY_RESULT_WITH_AVAILABILITY using
 * gpu_write_query_result_cond (MI_PREDICATE on the availability, then
 * predicated SRMs: mi_store_if).
 */
static void test_vk_queries(void **state)
{
    unsigned int gen;

    (void)state;
    for ( gen = 8; gen <= 9; gen++ )
    {
        restart();
        emit_pipe_control(&b, PC_DEPTH_STALL | PC_WRITE_DEPTH_COUNT,
                          DATA + 8, false);
        emit_pipe_control(&b, PC_CS_STALL | PC_STALL_AT_SCOREBOARD, 0, false);
        mi_mem64_from_reg64(DATA + 0x20, REG_CL_INVOCATION);
        mi_mem64_from_reg64(DATA + 0x30, REG_TIMESTAMP);
        emit_pipe_control(&b, PC_CS_STALL | PC_WRITE_TIMESTAMP, DATA + 0x38,
                          false);
        emit_sdi(&b, DATA, 1, false, true);
        mi_reg64_from_mem32(REG_GPR(0), DATA + 8);
        mi_reg64_from_mem32(REG_PRED_SRC0, DATA);
        mi_reg64_from_imm(REG_PRED_SRC1, 1);
        bb_emit(&b, MI_PREDICATE(PRED_LOAD_LOAD, PRED_COMBINE_SET,
                                 PRED_COMPARE_SRCS_EQUAL));
        mi_mem64_from_reg64_if(DATA + 0x100, REG_GPR(0));
        expect_ok(gen);
    }
}

/*
 * Vulkan events (genX_cmd_buffer.c CmdSetEvent2/CmdResetEvent2/
 * CmdWaitEvents2, Gen8+): a PIPE_CONTROL immediate write to the event
 * (PPGTT), and MI_SEMAPHORE_WAIT polling it for VK_EVENT_SET in the PPGTT.
 */
static void test_vk_events_semaphore_wait(void **state)
{
    unsigned int gen;

    (void)state;
    for ( gen = 8; gen <= 9; gen++ )
    {
        restart();
        emit_pipe_control(&b, PC_CS_STALL | PC_WRITE_IMM, DATA + 0x40, false);
        bb_emit(&b, MI_SEMAPHORE_WAIT | SEM_POLL | SEM_SAD_EQUAL_SDD);
        bb_emit(&b, 1);                                   /* VK_EVENT_SET */
        bb_emit(&b, (uint32_t)(DATA + 0x40));
        bb_emit(&b, 0);
        expect_ok(gen);
    }
}

/* The same wait on a GGTT address is the documented refusal. */
static void test_semaphore_wait_ggtt_refused(void **state)
{
    uint32_t at;

    (void)state;
    at = bb_emit(&b, MI_SEMAPHORE_WAIT | MI_USE_GGTT | SEM_POLL |
                 SEM_SAD_EQUAL_SDD);
    bb_emit(&b, 1);
    bb_emit(&b, 0x1000);
    bb_emit(&b, 0);
    expect(9, XEN_GPU_AUDIT_GGTT_FORM, DW(at));
}

/*
 * INTEL_performance_query / AMD_performance_monitor / VK_*_performance_query
 * "pipeline statistics" metric set, the one offered without i915 perf
 * (intel/perf/intel_perf_query.c snapshot_statistics_registers,
 * intel_perf.c load_pipeline_statistic_metrics): 64-bit SRMs of every
 * statistics counter, PS_DEPTH_COUNT and the SO counters.
 */
static void test_perf_pipeline_statistics(void **state)
{
    static const uint32_t regs[] = {
        0x2310, 0x2318, 0x2320, 0x2300, 0x2308, 0x2328, 0x2330, 0x2338,
        0x2340, 0x2348, 0x2290, REG_PS_DEPTH_COUNT,
        0x5200, 0x5208, 0x5210, 0x5218, 0x5240, 0x5248, 0x5250, 0x5258,
    };
    unsigned int gen, i;

    (void)state;
    for ( gen = 8; gen <= 9; gen++ )
    {
        restart();
        emit_pipe_control(&b, PC_CS_STALL | PC_STALL_AT_SCOREBOARD, 0, false);
        for ( i = 0; i < ARRAY_SIZE(regs); i++ )
            mi_mem64_from_reg64(DATA + 8 * i, regs[i]);
        expect_ok(gen);
    }
}

/*
 * OA metrics (intel_perf_query.c snapshot_query_layout, layout from
 * intel_perf.c intel_perf_init_query_fields on Gen8/9: MI_RPC, PERF_CNT_1,
 * PERF_CNT_2, RPSTAT): offered only when i915 perf is open to the process
 * (perf_stream_paranoid 0 or CAP_PERFMON).  MI_REPORT_PERF_COUNT snapshots
 * the GPU-global OA unit and the registers are GPU-global counters and the
 * frequency: refused (docs/audit-rules.md, "Privileged MI commands" and
 * "Registers").  The begin snapshot walks the layout backwards, so the
 * first command refused is the RPSTAT read.
 */
static void test_perf_oa_query_refused(void **state)
{
    uint32_t at;

    (void)state;
    emit_pipe_control(&b, PC_CS_STALL | PC_STALL_AT_SCOREBOARD, 0, false);
    at = emit_srm(&b, REG_RPSTAT, DATA + 0x120, false);
    mi_mem64_from_reg64(DATA + 0x110, REG_PERF_CNT_2);
    mi_mem64_from_reg64(DATA + 0x108, REG_PERF_CNT_1);
    bb_emit(&b, MI_REPORT_PERF_COUNT);
    bb_emit(&b, (uint32_t)DATA);
    bb_emit(&b, 0);
    bb_emit(&b, 0x1234);                                  /* report ID */
    expect(9, XEN_GPU_AUDIT_REG_DENIED, DW(at));
}

static void test_perf_oa_pieces_refused(void **state)
{
    static const uint32_t regs[] = {
        REG_PERF_CNT_1, REG_PERF_CNT_1 + 4, REG_PERF_CNT_2,
        REG_PERF_CNT_2 + 4, REG_RPSTAT,
        /* Not read on Gen8/9 (MI_RPC carries the B/C counters), refused
         * all the same. */
        REG_OA_PERF_B(0),
    };
    unsigned int gen, i;
    uint32_t at;

    (void)state;
    for ( gen = 8; gen <= 9; gen++ )
    {
        for ( i = 0; i < ARRAY_SIZE(regs); i++ )
        {
            restart();
            at = emit_srm(&b, regs[i], DATA, false);
            expect(gen, XEN_GPU_AUDIT_REG_DENIED, DW(at));
        }
        restart();
        at = bb_emit(&b, MI_REPORT_PERF_COUNT);
        bb_emit(&b, (uint32_t)DATA);
        bb_emit(&b, 0);
        bb_emit(&b, 0);
        expect(gen, XEN_GPU_AUDIT_PRIVILEGED_CMD, DW(at));
    }
}

/*
 * VK_KHR_performance_query's per-pass preamble (genX_query.c
 * CreateQueryPool): a batch of its own that sets ANV_PERF_QUERY_OFFSET_REG
 * (GPR14, one LRI of two pairs).  Accepted; the queries themselves use
 * MI_RPC (refused above).
 */
static void test_khr_perf_preamble(void **state)
{
    (void)state;
    mi_reg64_from_imm(ANV_PERF_OFFSET_REG, 0x1000);
    expect_ok(9);
}

/* ------------------------------------------------------------------------
 * mi_builder and blorp forms.
 * ------------------------------------------------------------------------ */

/*
 * mi_builder's MI_MATH at its largest: MI_BUILDER_MAX_MATH_DWORDS is 64 on
 * Gen8 (6-bit length: 65 dwords) and 256 on Gen9 (8-bit length).
 */
static void test_mi_math_largest(void **state)
{
    unsigned int i;

    (void)state;
    bb_emit(&b, MI_MATH_HDR(64));
    for ( i = 0; i < 64; i++ )
        bb_emit(&b, ALU(ALU_LOAD, ALU_SRCA, i % 16));
    expect_ok(8);

    restart();
    bb_emit(&b, MI_MATH_HDR(256));
    for ( i = 0; i < 256; i++ )
        bb_emit(&b, ALU(ALU_LOAD, ALU_SRCA, i % 16));
    expect_ok(9);
}

/*
 * mi_builder stores (mi_builder.h _mi_copy_no_unref): a 64-bit immediate
 * to memory is one MI_STORE_DATA_IMM with Store Qword (5 dwords); memory
 * to memory is MI_COPY_MEM_MEM (Gen8+), which blorp_emit_memcpy (clear
 * colour into surface state) and iris_copy_mem_mem use too.
 */
static void test_mi_builder_memory_forms(void **state)
{
    unsigned int gen;

    (void)state;
    for ( gen = 8; gen <= 9; gen++ )
    {
        restart();
        emit_sdi(&b, DATA + 0x80, 0xdeadbeef, false, true);
        bb_emit(&b, MI_COPY_MEM_MEM);
        bb_emit(&b, (uint32_t)(DATA + 0x90));
        bb_emit(&b, 0);
        bb_emit(&b, (uint32_t)(DATA + 0x80));
        bb_emit(&b, 0);
        expect_ok(gen);
    }
}

/*
 * Transform feedback (genX_cmd_buffer.c CmdBeginTransformFeedbackEXT /
 * CmdEndTransformFeedbackEXT; genX_gpu_memcpy.c emit_so_memcpy): the
 * SO write offsets loaded from counter buffers or zeroed, and saved.
 */
static void test_xfb_offsets(void **state)
{
    unsigned int gen, i;

    (void)state;
    for ( gen = 8; gen <= 9; gen++ )
    {
        restart();
        for ( i = 0; i < 4; i++ )
        {
            if ( i & 1 )
                emit_lri(&b, REG_SO_WRITE_OFFSET(i), 0);
            else
                emit_lrm(&b, REG_SO_WRITE_OFFSET(i), DATA + 4 * i, false);
        }
        for ( i = 0; i < 4; i++ )
            emit_srm(&b, REG_SO_WRITE_OFFSET(i), DATA + 0x10 + 4 * i, false);
        expect_ok(gen);
    }
}

/* ------------------------------------------------------------------------
 * Variable-length 3D state at the sizes the drivers can reach.
 * ------------------------------------------------------------------------ */

/*
 * 33 vertex elements (anv: MAX_VERTEX_ATTRIBS + draw parameters,
 * genX_pipeline.c emit_vertex_input), 33 vertex buffers (4 dwords each,
 * genX_cmd_buffer.c), an SO_DECL_LIST of 128 entries (genX_pipeline.c
 * emit_3dstate_streamout: 3 + 2 dwords an entry).
 */
static void test_long_3d_state(void **state)
{
    unsigned int gen;

    (void)state;
    for ( gen = 8; gen <= 9; gen++ )
    {
        restart();
        emit_cmd(&b, VERTEX_ELEMENTS | (1 + 2 * 33 - 2), 1 + 2 * 33);
        emit_cmd(&b, VERTEX_BUFFERS | (1 + 4 * 33 - 2), 1 + 4 * 33);
        emit_cmd(&b, SO_DECL_LIST | (3 + 2 * 128 - 2), 3 + 2 * 128);
        expect_ok(gen);
    }
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_iris_indirect_count_saves_predicate),
        T(test_iris_compute_predicate_load),
        T(test_anv_predicated_resolve_reads_src0),
        T(test_anv_conditional_render_draw_count),
        T(test_dispatch_indirect_predicated),
        T(test_gen9_gt_mode_slice_hashing),
        T(test_gen9_gt_mode_other_bits_refused),
        T(test_gen9_pipeline_select_glk_barrier),
        T(test_null_hardware_override),
        T(test_instpm_state_disable_refused),
        T(test_vk_queries),
        T(test_vk_events_semaphore_wait),
        T(test_semaphore_wait_ggtt_refused),
        T(test_perf_pipeline_statistics),
        T(test_perf_oa_query_refused),
        T(test_perf_oa_pieces_refused),
        T(test_khr_perf_preamble),
        T(test_mi_math_largest),
        T(test_mi_builder_memory_forms),
        T(test_xfb_offsets),
        T(test_long_3d_state),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
