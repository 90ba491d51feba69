/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit-test harness for the GPU command auditor: a model of guest graphics
 * memory, batch builders for the commands the tests need, and helpers that
 * run one submission to completion and check that nothing leaks.
 */
#ifndef GPU_AUDIT_TEST_HARNESS_H
#define GPU_AUDIT_TEST_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "audit.h"

/* ------------------------------------------------------------------------
 * Guest graphics memory: regions of dwords in the GGTT or the PPGTT.
 * ------------------------------------------------------------------------ */
#define MEM_MAX_REGIONS 16

struct mem_region {
    unsigned int space;       /* GPU_SPACE_* */
    uint64_t addr;
    uint32_t size;            /* bytes, multiple of 4 */
    uint32_t *dw;             /* contents (tests may change them any time) */
    uint8_t *reads;           /* per byte: times the auditor read it */
    bool fault;               /* reads return -EIO */
};

struct mem {
    struct mem_region r[MEM_MAX_REGIONS];
    unsigned int nr;
    unsigned long read_calls;
};

void mem_init(struct mem *m);
void mem_free(struct mem *m);
/* A zero-filled region of size bytes at addr. */
struct mem_region *mem_add(struct mem *m, unsigned int space, uint64_t addr,
                           uint32_t size);
struct mem_region *mem_find(struct mem *m, unsigned int space, uint64_t addr);
/* Write one dword of guest memory (after an audit too). */
void mem_poke(struct mem *m, unsigned int space, uint64_t addr, uint32_t val);
uint32_t mem_peek(struct mem *m, unsigned int space, uint64_t addr);
/* Largest number of times any byte was read; forget the counts. */
unsigned int mem_max_reads(const struct mem *m);
void mem_reset_reads(struct mem *m);

extern const struct gpu_audit_mem_ops mem_ops;

/* ------------------------------------------------------------------------
 * Fixture: what every auditor test starts from.
 * ------------------------------------------------------------------------ */
/* Live allocations and pages at one point: all must go back. */
struct alloc_mark {
    long xmalloc, pages;
};

void alloc_mark_take(struct alloc_mark *a);
void assert_allocs_back(const struct alloc_mark *a);

/* The running test's guest memory: empty at set-up, freed at teardown. */
extern struct mem fx_mem;

/* cmocka set-up: builds both generations' tables (kept for the whole
 * program), empties fx_mem and records the live allocations and pages. */
int fixture_setup(void **state);
/* cmocka teardown: ends allocation-failure injection, frees fx_mem and
 * asserts that every allocation and page went back. */
int fixture_teardown(void **state);
/* A test run between the two. */
#define FIXTURE_TEST(f) cmocka_unit_test_setup_teardown(f, fixture_setup,   \
                                                        fixture_teardown)

/* ------------------------------------------------------------------------
 * Batch builder: appends dwords to a region.
 * ------------------------------------------------------------------------ */
struct bb {
    struct mem_region *r;
    uint32_t pos;             /* next dword index */
};

void bb_init(struct bb *b, struct mem_region *r);
/* A zero-filled region of size bytes at addr, and a builder at its start. */
void bb_add(struct bb *b, struct mem *m, unsigned int space, uint64_t addr,
            uint32_t size);
/* Dword index of the dword emitted. */
uint32_t bb_emit(struct bb *b, uint32_t dw);
void bb_emit_n(struct bb *b, const uint32_t *dws, unsigned int n);
uint32_t bb_off(const struct bb *b);     /* byte offset of the next dword */
uint64_t bb_gaddr(const struct bb *b);   /* graphics address of it */
/* Byte offset of a dword index. */
#define DW(i) ((uint32_t)(i) * 4)

/* Command headers. */
#define MI_INSTR(op, flags)     (((uint32_t)(op) << 23) | (flags))
#define MI_NOOP                 0u
#define MI_USER_INTERRUPT       MI_INSTR(0x02, 0)
#define MI_WAIT_FOR_EVENT       MI_INSTR(0x03, 0)
#define MI_FLUSH                MI_INSTR(0x04, 0)
#define MI_ARB_CHECK            MI_INSTR(0x05, 0)
#define MI_REPORT_HEAD          MI_INSTR(0x07, 0)
#define MI_ARB_ON_OFF           MI_INSTR(0x08, 0)
#define MI_BATCH_BUFFER_END     MI_INSTR(0x0a, 0)
#define MI_SUSPEND_FLUSH        MI_INSTR(0x0b, 0)
#define MI_LOAD_SCAN_LINES_INCL MI_INSTR(0x12, 0)
#define MI_LOAD_SCAN_LINES_EXCL MI_INSTR(0x13, 0)
#define MI_DISPLAY_FLIP         MI_INSTR(0x14, 0)
#define MI_SET_CONTEXT          MI_INSTR(0x18, 0)
#define MI_SEMAPHORE_SIGNAL     MI_INSTR(0x1b, 0)
#define MI_SEMAPHORE_WAIT       MI_INSTR(0x1c, 2)
#define MI_STORE_DATA_IMM       MI_INSTR(0x20, 0)
#define MI_LOAD_REGISTER_IMM    MI_INSTR(0x22, 0)
#define MI_UPDATE_GTT           MI_INSTR(0x23, 0)
#define MI_STORE_REGISTER_MEM   MI_INSTR(0x24, 2)
#define MI_FLUSH_DW             MI_INSTR(0x26, 0)
#define MI_REPORT_PERF_COUNT    MI_INSTR(0x28, 2)
#define MI_LOAD_REGISTER_MEM    MI_INSTR(0x29, 2)
#define MI_LOAD_REGISTER_REG    MI_INSTR(0x2a, 1)
#define MI_COPY_MEM_MEM         MI_INSTR(0x2e, 3)
#define MI_ATOMIC               MI_INSTR(0x2f, 1)
#define MI_BATCH_BUFFER_START   MI_INSTR(0x31, 1)
#define MI_COND_BATCH_BUFFER_END MI_INSTR(0x36, 2)
#define MI_USE_GGTT             (1u << 22)   /* memory type bit of many MI_* */
#define BB_PPGTT                (1u << 8)
#define BB_SECOND_LEVEL         (1u << 22)
#define SDI_QWORD               (1u << 21)
#define GFX_OP_PIPE_CONTROL     0x7a000004u
#define PC_QW_WRITE             (1u << 14)
#define PC_LRI_POST_OP          (1u << 23)
#define PC_GGTT                 (1u << 24)
#define XY_SRC_COPY_BLT         0x54f00008u  /* 10 dwords */
#define BLT_DWS                 10
#define MI_CLIENT7              0xe0000000u

/* Encoders: each returns the dword index of the command's header. */
uint32_t emit_noops(struct bb *b, unsigned int n);
uint32_t emit_bbe(struct bb *b);
uint32_t emit_bb_start(struct bb *b, uint64_t addr, bool ppgtt, bool second);
uint32_t emit_lri(struct bb *b, uint32_t reg, uint32_t val);
/* pairs: reg, val, reg, val... (n pairs) */
uint32_t emit_lri_n(struct bb *b, const uint32_t *pairs, unsigned int n);
uint32_t emit_srm(struct bb *b, uint32_t reg, uint64_t addr, bool ggtt);
uint32_t emit_lrm(struct bb *b, uint32_t reg, uint64_t addr, bool ggtt);
uint32_t emit_lrr(struct bb *b, uint32_t src, uint32_t dst);
/* qword: 5 dwords (Store Qword set, val then val_hi) else 4 */
uint32_t emit_sdi(struct bb *b, uint64_t addr, uint32_t val, bool ggtt,
                  bool qword);
/* Raw SDI: any header flags and payload of n dwords. */
uint32_t emit_sdi_raw(struct bb *b, uint32_t flags, uint64_t addr,
                      const uint32_t *data, unsigned int n);
uint32_t emit_pipe_control(struct bb *b, uint32_t flags, uint64_t addr,
                           bool ggtt);
uint32_t emit_flush_dw(struct bb *b, uint64_t addr, bool ggtt, bool post);
uint32_t emit_cond_bbe(struct bb *b, uint64_t addr, bool ggtt);
uint32_t emit_atomic(struct bb *b, uint64_t addr, bool ggtt);
uint32_t emit_blt(struct bb *b);
uint32_t emit_set_context(struct bb *b);
uint32_t emit_arb_on_off(struct bb *b, bool on);
uint32_t emit_display_flip(struct bb *b);
/* A header followed by len - 1 zero dwords. */
uint32_t emit_cmd(struct bb *b, uint32_t header, unsigned int len);

/* ------------------------------------------------------------------------
 * Audits.
 * ------------------------------------------------------------------------ */
struct audit_opts {
    unsigned int nr_slices;
    struct gpu_audit_slice slices[GPU_AUDIT_MAX_SLICES];
    struct gpu_audit_limits limits;  /* zero fields keep the defaults */
    gpu_audit_trace_fn *trace;       /* set: every command takes the careful
                                        path and is reported to it */
};

/* The vGPU of a plain audit: one slice 0x0:0x10000000, default limits. */
extern struct audit_opts audit_defaults;
void audit_opts_default(struct audit_opts *o);

struct audit_res {
    uint32_t reason;
    uint32_t buffer;
    uint32_t offset;
    uint64_t gaddr;
    unsigned int restarts;
};

/* A submission kept for inspection. */
struct audit_run {
    struct gpu_audit_vgpu vgpu;
    struct gpu_audit_sub *sub;
    struct audit_res res;
    struct alloc_mark mark;      /* before the vGPU */
};

const struct gpu_audit_table *table_for(unsigned int gen);

/* A vGPU of gen with o's slices and limits (NULL: audit_defaults). */
void vgpu_setup(struct gpu_audit_vgpu *v, unsigned int gen,
                const struct audit_opts *o);

/* A submission on v reading m; asserts it was created without a verdict. */
struct gpu_audit_sub *sub_new(struct gpu_audit_vgpu *v, struct mem *m,
                              unsigned int engine);
/* Run a started submission to its verdict: every -ERESTART on the way is
 * counted into *restarts (when set) and must leave no verdict. */
const struct gpu_audit_verdict *sub_finish(struct gpu_audit_sub *s,
                                           unsigned int *restarts);
/* sub_new(), start the batch at space:addr, sub_finish(). */
struct gpu_audit_sub *sub_batch(struct gpu_audit_vgpu *v, struct mem *m,
                                unsigned int engine, unsigned int space,
                                uint64_t addr);

/* Batch (ring == NULL) or ring segment, kept until run_done(). */
void run_keep(struct audit_run *r, struct mem *m, unsigned int gen,
              unsigned int engine, const struct audit_opts *o,
              unsigned int space, uint64_t addr,
              const struct gpu_audit_ring *ring);
/* Destroy; asserts that every page and allocation went back. */
void run_done(struct audit_run *r);

/* One batch, start to finish; returns the reason. */
uint32_t audit(struct mem *m, unsigned int gen, unsigned int engine,
               unsigned int space, uint64_t addr, struct audit_res *out);
uint32_t audit_with(struct mem *m, unsigned int gen, unsigned int engine,
                    const struct audit_opts *o, unsigned int space,
                    uint64_t addr, struct audit_res *out);
uint32_t audit_ring(struct mem *m, unsigned int gen, unsigned int engine,
                    const struct gpu_audit_ring *ring, struct audit_res *out);

/* Assert a verdict: reason, buffer and offset. */
#define assert_verdict(res, r, b, o) do {                                   \
        assert_int_equal((res)->reason, (r));                               \
        assert_int_equal((res)->buffer, (b));                               \
        assert_int_equal((res)->offset, (o));                               \
    } while ( 0 )

/* Copy helpers: dword i of buffer n of a kept submission. */
uint32_t run_dw(const struct audit_run *r, unsigned int buf, uint32_t dw);
const struct gpu_audit_note *run_find_note(const struct audit_run *r,
                                           unsigned int kind);

/* Assert that two finished submissions are identical: verdict, buffers,
 * copies (contents and command starts), relocations and notes. */
void run_compare(const struct audit_run *a, const struct audit_run *b);

/* ------------------------------------------------------------------------
 * The corpus: TEST_DATA "/corpus/manifest.txt".
 * ------------------------------------------------------------------------ */
#define CORPUS_MAX_REGIONS 8

struct corpus_entry {
    unsigned int line;
    unsigned int gen;
    unsigned int engine;
    unsigned int nr;
    char file[CORPUS_MAX_REGIONS][256];
    uint64_t addr[CORPUS_MAX_REGIONS];
};

FILE *corpus_open(void);
/* Next submission: 1, or 0 at the end of the manifest. */
int corpus_next(FILE *f, struct corpus_entry *e);
/* Map every region of the entry into m as PPGTT memory. */
void corpus_map(const struct corpus_entry *e, struct mem *m);

/* Seeded PRNG (xorshift64*). */
uint64_t prng_next(uint64_t *state);

#endif /* GPU_AUDIT_TEST_HARNESS_H */
