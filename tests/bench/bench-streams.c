/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Generated streams for bench-audit, every submission well formed (the
 * bench fails if one is rejected):
 *
 *   blit-64K      blitter batches (Gen9 BCS, 16 x 64 KiB): the copy and
 *                 fill blits a 2D driver emits, BCS_SWCTRL tiling switches
 *                 (LRI), MI_FLUSH_DW with post-sync writes
 *   tiny          4096 submissions of one PIPE_CONTROL and the batch end in
 *                 a one-page batch: per-submission set-up and the page copy
 *   worst-lri     maximal LRIs (128 register pairs each) of whitelisted
 *                 render registers, masked ones included
 *   worst-straddle checked commands only (3-pair LRIs and PIPE_CONTROLs
 *                 with post-sync writes) whose sizes make page boundaries
 *                 fall inside commands
 *   worst-jump    a batch calling 1022 second-level batches, one a page,
 *                 4095 calls in all (the limits: 1024 buffers, 4096 jumps
 *                 counting the first batch): a page copied and a buffer
 *                 search per call
 *   worst-store   4095 calls of one second-level batch (4095 jump
 *                 relocations), then 12288 MI_STORE_DATA_IMM of a qword:
 *                 each of the two stored dwords is compared with every
 *                 relocation (gpu_audit_sub_log_store())
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "bench-streams.h"

#define STREAM_BASE   0x200000000ULL
#define MI(op, len)   (((uint32_t)(op) << 23) | ((len) - 2))
#define BLT(op, len)  ((2u << 29) | ((uint32_t)(op) << 22) | ((len) - 2))
#define MI_BBE        0x05000000u
#define MI_BBS_PPGTT  (MI(0x31, 3) | 0x100)
#define MI_BBS_L2     0x400000u
#define MI_SDI_QWORD  (MI(0x20, 5) | 0x200000)
#define MI_LRI(pairs) MI(0x22, 1 + 2 * (pairs))
#define MI_FLUSH_DW   MI(0x26, 4)
#define PIPE_CONTROL  0x7a000004u
#define BCS_SWCTRL    0x22200u

const char *const bench_stream_names[] = {
    "blit-64K", "tiny", "worst-lri", "worst-straddle", "worst-jump",
    "worst-store", NULL,
};

static uint64_t state;

uint32_t bench_rnd(uint64_t *st)
{
    /* xorshift64* */
    *st ^= *st >> 12;
    *st ^= *st << 25;
    *st ^= *st >> 27;
    return (*st * 0x2545f4914f6cdd1dULL) >> 32;
}

static uint32_t rnd(void)
{
    return bench_rnd(&state);
}

static void *zalloc(size_t n)
{
    void *p = calloc(1, n);

    if ( !p )
    {
        fprintf(stderr, "bench-streams: out of memory\n");
        exit(2);
    }
    return p;
}

/* A PPGTT address for a post-sync write or store: qword aligned. */
static uint64_t rnd_addr(void)
{
    return ((uint64_t)rnd() << 12 | (rnd() & 0xff8)) & 0xfffffffff8ULL;
}

static struct bench_stream_sub *subs_alloc(unsigned int nr, unsigned int engine)
{
    struct bench_stream_sub *subs = zalloc(nr * sizeof(*subs));
    unsigned int i;

    for ( i = 0; i < nr; i++ )
    {
        subs[i].gen = 9;
        subs[i].engine = engine;
    }
    return subs;
}

static void region_set(struct region *r, uint64_t addr, uint32_t *data,
                       uint32_t bytes)
{
    r->addr = addr;
    r->size = bytes;
    r->data = (const uint8_t *)data;
}

/* MI_NOOP up to the last dword, the batch end there. */
static void batch_close(uint32_t *p, uint32_t *end)
{
    while ( p < end )
        *p++ = 0;
    *p = MI_BBE;
}

static uint32_t *emit_pipe_control(uint32_t *p)
{
    uint64_t a = rnd_addr();

    *p++ = PIPE_CONTROL;
    *p++ = 0x00101001 | 0x4000;          /* CS stall, flushes, write imm */
    *p++ = a;
    *p++ = a >> 32;
    *p++ = rnd();
    *p++ = 0;
    return p;
}

/* Render registers a PPGTT batch may write, with their writable mask bits. */
static const struct { uint32_t reg, masked; } lri_regs[] = {
    { 0x7004, 0x212 }, { 0x7008, 0x300 }, { 0x2580, 0x1 }, { 0x20d8, 0x10 },
    { 0x7034, 0 }, { 0x2400, 0 }, { 0x2434, 0 }, { 0x2438, 0 },
    { 0x2600, 0 }, { 0x2608, 0 },
};

static uint32_t *emit_lri(uint32_t *p, unsigned int pairs)
{
    unsigned int i;

    *p++ = MI_LRI(pairs);
    for ( i = 0; i < pairs; i++ )
    {
        unsigned int k = rnd() % (sizeof(lri_regs) / sizeof(lri_regs[0]));

        *p++ = lri_regs[k].reg;
        *p++ = lri_regs[k].masked ? lri_regs[k].masked << 16 |
                                    (rnd() & lri_regs[k].masked) : rnd();
    }
    return p;
}

static uint32_t *emit_blit(uint32_t *p)
{
    uint64_t src = rnd_addr(), dst = rnd_addr();
    unsigned int i, kind = rnd() % 8;

    if ( !(rnd() % 4) )
    {
        /* Tiling of source/destination for what follows (masked bits 1:0). */
        *p++ = MI_LRI(1);
        *p++ = BCS_SWCTRL;
        *p++ = 0x3u << 16 | (rnd() & 3);
    }
    if ( kind < 4 )
    {
        *p++ = BLT(0x53, 10) | 0x300000;  /* XY_SRC_COPY_BLT, write RGBA */
        *p++ = 0x03cc0000 | (rnd() & 0xfffc);
        *p++ = rnd() & 0x0fff0fff;        /* destination x1, y1 */
        *p++ = rnd() | 0x00010001;        /* destination x2, y2 */
        *p++ = dst;
        *p++ = dst >> 32;
        *p++ = rnd() & 0x0fff0fff;        /* source x1, y1 */
        *p++ = rnd() & 0xfffc;            /* source pitch */
        *p++ = src;
        *p++ = src >> 32;
    }
    else if ( kind < 6 )
    {
        *p++ = BLT(0x42, 10);             /* XY_FAST_COPY_BLT */
        for ( i = 1; i < 10; i++ )
            *p++ = (i == 4 || i == 8) ? (uint32_t)(i == 4 ? dst : src)
                   : (i == 5 || i == 9) ? (uint32_t)((i == 5 ? dst : src) >> 32)
                   : rnd();
    }
    else
    {
        *p++ = BLT(0x50, 7) | 0x300000;   /* XY_COLOR_BLT */
        *p++ = 0x03f00000 | (rnd() & 0xfffc);
        *p++ = rnd() & 0x0fff0fff;
        *p++ = rnd() | 0x00010001;
        *p++ = dst;
        *p++ = dst >> 32;
        *p++ = rnd();                     /* colour */
    }
    if ( !(rnd() % 4) )
    {
        uint64_t a = rnd_addr();

        *p++ = MI_FLUSH_DW | 0x4000;      /* post-sync: write the data */
        *p++ = a;                         /* bit 2 clear: PPGTT */
        *p++ = a >> 32;
        *p++ = rnd();
    }
    return p;
}

/* Batches of size bytes filled by emit() until the next one may not fit. */
static unsigned int build_filled(struct bench_stream_sub **out, unsigned int nr,
                                 uint32_t size, unsigned int engine,
                                 unsigned int max_dws,
                                 uint32_t *(*emit)(uint32_t *))
{
    struct bench_stream_sub *subs = subs_alloc(nr, engine);
    unsigned int i;

    for ( i = 0; i < nr; i++ )
    {
        uint32_t *buf = zalloc(size), *p = buf, *end = buf + size / 4 - 1;

        while ( end - p > max_dws )
            p = emit(p);
        batch_close(p, end);
        subs[i].nr = 1;
        region_set(&subs[i].r[0], STREAM_BASE + (uint64_t)i * 2 * size, buf,
                   size);
    }
    *out = subs;
    return nr;
}

static uint32_t *emit_max_lri(uint32_t *p)
{
    return emit_lri(p, 128);
}

static uint32_t *emit_checked(uint32_t *p)
{
    return rnd() % 2 ? emit_lri(p, 3) : emit_pipe_control(p);
}

static unsigned int build_tiny(struct bench_stream_sub **out)
{
    const unsigned int nr = 4096;
    struct bench_stream_sub *subs = subs_alloc(nr, XEN_GPU_ENGINE_RCS);
    unsigned int i;

    for ( i = 0; i < nr; i++ )
    {
        uint32_t *buf = zalloc(4096), *p = emit_pipe_control(buf);

        *p = MI_BBE;
        subs[i].nr = 1;
        region_set(&subs[i].r[0], STREAM_BASE + (uint64_t)i * 8192, buf, 4096);
    }
    *out = subs;
    return nr;
}

/*
 * One submission: a first-level batch of 'calls' second-level calls to
 * 'targets' one-page batches (each just the batch end), then 'stores'
 * MI_STORE_DATA_IMM, then the end.
 */
static unsigned int build_calls(struct bench_stream_sub **out,
                                unsigned int calls, unsigned int targets,
                                unsigned int stores)
{
    struct bench_stream_sub *subs = subs_alloc(1, XEN_GPU_ENGINE_RCS);
    uint32_t l1_bytes = ((calls * 3 + stores * 5 + 1) * 4 + 4095) & ~4095u;
    uint32_t *l1 = zalloc(l1_bytes), *l2 = zalloc(targets * 4096), *p = l1;
    uint64_t l2_base = STREAM_BASE + (1ULL << 32);
    unsigned int i;

    for ( i = 0; i < targets; i++ )
        l2[i * 1024] = MI_BBE;
    for ( i = 0; i < calls; i++ )
    {
        uint64_t a = l2_base + (uint64_t)(i % targets) * 4096;

        *p++ = MI_BBS_PPGTT | MI_BBS_L2;
        *p++ = a;
        *p++ = a >> 32;
    }
    for ( i = 0; i < stores; i++ )
    {
        uint64_t a = rnd_addr();

        *p++ = MI_SDI_QWORD;
        *p++ = a & ~7ULL;
        *p++ = a >> 32;
        *p++ = rnd();
        *p++ = rnd();
    }
    batch_close(p, l1 + l1_bytes / 4 - 1);
    subs[0].nr = 2;
    region_set(&subs[0].r[0], STREAM_BASE, l1, l1_bytes);
    region_set(&subs[0].r[1], l2_base, l2, targets * 4096);
    *out = subs;
    return 1;
}

unsigned int bench_stream_build(const char *name, uint64_t seed,
                                struct bench_stream_sub **subs)
{
    state = seed ^ 0x9e3779b97f4a7c15ULL;
    if ( !strcmp(name, "blit-64K") )
        return build_filled(subs, 16, 65536, XEN_GPU_ENGINE_BCS, 24, emit_blit);
    if ( !strcmp(name, "tiny") )
        return build_tiny(subs);
    if ( !strcmp(name, "worst-lri") )
        return build_filled(subs, 16, 65536, XEN_GPU_ENGINE_RCS, 257,
                            emit_max_lri);
    if ( !strcmp(name, "worst-straddle") )
        return build_filled(subs, 16, 65536, XEN_GPU_ENGINE_RCS, 8,
                            emit_checked);
    if ( !strcmp(name, "worst-jump") )
        return build_calls(subs, 4095, 1022, 0);
    if ( !strcmp(name, "worst-store") )
        return build_calls(subs, 4095, 1, 12288);
    return 0;
}
