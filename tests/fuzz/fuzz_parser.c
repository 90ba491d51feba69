/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer target: the auditor over arbitrary submissions.
 *
 * The generation and engine audited are fixed by the environment variable
 * FUZZ_VARIANT=genG-ENGINE (gen8-rcs ... gen9-vecs: one run per pair, each
 * with its own seeds/parser/genG-ENGINE/ and parser-genG-ENGINE.dict, see
 * run-smoke.sh).  Without it, byte 0 picks them.
 *
 * Input layout:
 *   byte 0   bit 0     generation: 0 = Gen8, 1 = Gen9 (no FUZZ_VARIANT)
 *            bits 3:1  engine, mod 5: rcs bcs vcs vcs2 vecs (no FUZZ_VARIANT)
 *            bit 4     space of the first batch: 0 = PPGTT, 1 = GGTT
 *            bit 5     tiny scan budget (16 bytes per gpu_audit_run()),
 *                      to exercise -ERESTART resumption
 *            bit 6     allocation failure after byte 3 % 32 allocations
 *            bit 7     ring mode: buffer 0 is a GGTT ring of (1 + byte 3 % 4)
 *                      pages at 0x100000, audited from head (byte 1 * 8)
 *                      to tail (byte 2 * 8), both modulo the ring size
 *   byte 1   dwords in buffer 0 (0: everything left goes to buffer 0)
 *   byte 2   dwords in buffer 1 (buffer 2 gets the rest)
 *   byte 3   (allocation failure point, see above)
 *   rest     buffer 0, then 1, then 2: little-endian dwords, mapped at
 *            0x100000, 0x200000, 0x300000 in both the GGTT and the PPGTT,
 *            so jumps between them (and into them) are reachable.
 *   trailer  when the rest is 2 or 3 bytes longer than whole dwords, its
 *            last two bytes (little-endian) make the reader fail: from
 *            read number bits 15:12 on, every read returns -errno with
 *            errno 1 + (bits 11:0 % 4095).
 * The vGPU owns GGTT slices [0, 16 MiB) and [1 GiB, 1 GiB + 64 KiB).
 *
 * After every audit it checks:
 *   - a verdict exists and names a known reason;
 *   - accepted: every buffer copy is sealed (done, len == scanned, and
 *     every byte of its pages after `scanned` is zero), and every
 *     relocation targets a command start in a sealed buffer;
 *   - after gpu_audit_sub_destroy(): nothing leaked (host_alloc_stats);
 *   - no gpu_audit_run() call exceeds its budget: reads of guest memory and
 *     copy pages taken stay within read_budget(), failing reader or not;
 *   - a failing reader: its first failure is its last read, and an audit
 *     it failed is refused with READ_FAULT.
 *
 * Build and run: tests/fuzz/run-smoke.sh BUILD SECONDS parser (all ten
 * variants); by hand:
 *   FUZZ_VARIANT=gen9-bcs BUILD/fuzz/fuzz_parser \
 *       -dict=tests/fuzz/parser-gen9-bcs.dict tests/fuzz/seeds/parser/gen9-bcs
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"

#define NR_BUFS   3
#define BUF_BASE  0x100000ULL
#define BUF_STEP  0x100000ULL

struct fuzz_mem {
    const uint8_t *data[NR_BUFS];
    uint32_t size[NR_BUFS];
    unsigned long reads;      /* reads so far */
    unsigned long call_reads, budget;  /* in this gpu_audit_run() call */
    unsigned long fail_at;    /* first failing read (~0: none) */
    int err;
    unsigned long failed;
};

static struct gpu_audit_table tables[2];
static long base_xmalloc, base_pages;
/* Longest command of either generation, in bytes. */
static unsigned long max_cmd_bytes;
/* From FUZZ_VARIANT: generation (0: Gen8, 1: Gen9), engine; -1: byte 0. */
static int fixed_gen = -1, fixed_engine = -1;
static const char *const engine_names[XEN_GPU_ENGINE_NR] = {
    "rcs", "bcs", "vcs", "vcs2", "vecs",
};

#define CHECK(c) do { if ( !(c) ) { fprintf(stderr, "fuzz_parser: check " \
                      "failed: %s (line %d)\n", #c, __LINE__); abort(); } \
                 } while ( 0 )

static int fuzz_read(void *priv, unsigned int space, uint64_t addr,
                     void *dst, unsigned int len)
{
    struct fuzz_mem *m = priv;
    unsigned int i;

    (void)space;
    CHECK(++m->call_reads <= m->budget);
    if ( m->reads++ >= m->fail_at )
    {
        m->failed++;
        return -m->err;
    }
    for ( i = 0; i < NR_BUFS; i++ )
    {
        uint64_t base = BUF_BASE + i * BUF_STEP;
        uint64_t n;

        if ( addr < base || addr - base >= m->size[i] )
            continue;
        n = m->size[i] - (addr - base);
        if ( n > len )
            n = len;
        memcpy(dst, m->data[i] + (addr - base), n);
        return n;
    }

    return 0;
}

static const struct gpu_audit_mem_ops fuzz_ops = { .read = fuzz_read };

/* FUZZ_VARIANT=genG-ENGINE, or nothing. */
static void parse_variant(void)
{
    const char *var = getenv("FUZZ_VARIANT");
    unsigned int e;

    if ( !var || !*var )
        return;
    if ( strncmp(var, "gen8-", 5) && strncmp(var, "gen9-", 5) )
        goto bad;
    for ( e = 0; e < XEN_GPU_ENGINE_NR; e++ )
        if ( !strcmp(var + 5, engine_names[e]) )
        {
            fixed_gen = var[3] == '9';
            fixed_engine = e;
            return;
        }
 bad:
    fprintf(stderr, "fuzz_parser: FUZZ_VARIANT=%s is not genG-ENGINE\n", var);
    exit(2);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    unsigned int i, c;

    (void)argc;
    (void)argv;
    parse_variant();
    host_printk_quiet = 1;
    if ( gpu_audit_table_init(&tables[0], gpu_audit_spec_for_gen(8)) ||
         gpu_audit_table_init(&tables[1], gpu_audit_spec_for_gen(9)) )
        abort();
    for ( i = 0; i < 2; i++ )
        for ( c = 0; c < tables[i].spec->nr_cmds; c++ )
            if ( 4ul * tables[i].spec->cmds[c].len_max > max_cmd_bytes )
                max_cmd_bytes = 4ul * tables[i].spec->cmds[c].len_max;
    base_xmalloc = host_alloc_stats.xmalloc_live;
    base_pages = host_alloc_stats.pages_live;

    return 0;
}

/*
 * What one gpu_audit_run() call may read (and copy pages it may take).  It
 * scans at most the chunk and the command it stops in.  A frame change
 * spends at least a dword of the chunk and a new frame a jump of the
 * submission's max_chain, so it visits at most 2 * min(chunk / 4,
 * max_chain) + 2 frames, each adding at most a partial page at either end
 * of what it scans there.
 */
static unsigned long read_budget(const struct gpu_audit_limits *l)
{
    unsigned long jumps = l->chunk_bytes / 4 < l->max_chain
                          ? l->chunk_bytes / 4 : l->max_chain;

    return (l->chunk_bytes + max_cmd_bytes) / PAGE_SIZE + 4 * (jumps + 2);
}

static void check_sealed(const struct gpu_audit_sub *s)
{
    unsigned int i, nr = gpu_audit_nr_bufs(s);

    for ( i = 0; i < nr; i++ )
    {
        const struct gpu_audit_buf *b = gpu_audit_get_buf(s, i);
        uint32_t off;

        CHECK(b->done);
        CHECK(b->len == b->scanned);
        CHECK(b->scanned <= b->nr_pages * PAGE_SIZE);
        for ( off = b->scanned; off < b->nr_pages * PAGE_SIZE; off++ )
            CHECK(((const uint8_t *)b->pages[off / PAGE_SIZE].dw)
                  [off % PAGE_SIZE] == 0);
    }

    for ( i = 0; i < gpu_audit_nr_relocs(s); i++ )
    {
        const struct gpu_audit_reloc *r = gpu_audit_get_reloc(s, i);

        CHECK(r->buf < nr && r->target_buf < nr);
        CHECK(gpu_audit_buf_is_start(gpu_audit_get_buf(s, r->target_buf),
                                     r->target_offset));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gpu_audit_vgpu vgpu;
    struct fuzz_mem mem;
    struct gpu_audit_sub *s;
    const struct gpu_audit_verdict *v;
    unsigned int gen, engine, space, i;
    size_t pos = 4, n;
    int rc;

    if ( size < 4 )
        return 0;
    gen = fixed_gen >= 0 ? fixed_gen : data[0] & 1;
    engine = fixed_engine >= 0 ? fixed_engine
                               : ((data[0] >> 1) & 7) % XEN_GPU_ENGINE_NR;
    space = data[0] & 0x10 ? GPU_SPACE_GGTT : GPU_SPACE_PPGTT;

    memset(&mem, 0, sizeof(mem));
    mem.fail_at = ~0ul;
    if ( (size - pos) % 4 >= 2 )
    {
        unsigned int t = data[size - 2] | (data[size - 1] << 8);

        mem.fail_at = t >> 12;
        mem.err = 1 + (t & 0xfff) % 4095;
    }
    for ( i = 0; i < NR_BUFS; i++ )
    {
        n = (size - pos) & ~(size_t)3;
        if ( i < 2 && data[1 + i] && (size_t)data[1 + i] * 4 < n )
            n = (size_t)data[1 + i] * 4;
        mem.data[i] = data + pos;
        mem.size[i] = n;
        pos += n;
    }

    gpu_audit_vgpu_init(&vgpu, &tables[gen]);
    CHECK(!gpu_audit_vgpu_add_slice(&vgpu, 0, 0x1000000));
    CHECK(!gpu_audit_vgpu_add_slice(&vgpu, 0x40000000, 0x10000));
    if ( data[0] & 0x20 )
        vgpu.limits.chunk_bytes = 16;

    if ( data[0] & 0x40 )
        host_alloc_stats.fail_after = data[3] % 32;
    s = gpu_audit_sub_create(&vgpu, engine, &fuzz_ops, &mem);
    if ( !s )
    {
        CHECK(data[0] & 0x40);
        goto out;
    }
    if ( data[0] & 0x80 )
    {
        struct gpu_audit_ring ring = {
            .start = BUF_BASE,
            .size = PAGE_SIZE * (1 + data[3] % 4),
        };

        ring.head = (data[1] * 8u) % ring.size;
        ring.tail = (data[2] * 8u) % ring.size;
        CHECK(!gpu_audit_sub_start_ring(s, &ring));
    }
    else
        CHECK(!gpu_audit_sub_start_batch(s, space, BUF_BASE));
    mem.budget = read_budget(&vgpu.limits);
    do {
        unsigned long pages = host_alloc_stats.pages_total;

        mem.call_reads = 0;
        rc = gpu_audit_run(s);
        CHECK(host_alloc_stats.pages_total - pages <= mem.budget);
    } while ( rc == -ERESTART );
    CHECK(rc == 0);
    v = gpu_audit_get_verdict(s);
    CHECK(v);
    if ( mem.failed )
    {
        CHECK(mem.failed == 1);
        CHECK(v->reason == XEN_GPU_AUDIT_READ_FAULT);
    }
    CHECK(v->reason < XEN_GPU_AUDIT_NR);
    CHECK(strcmp(gpu_audit_reason_name(v->reason), "invalid"));
    if ( !v->reason )
        check_sealed(s);
    gpu_audit_sub_destroy(s);

 out:
    host_alloc_stats.fail_after = -1;
    gpu_audit_vgpu_destroy(&vgpu);
    CHECK(host_alloc_stats.xmalloc_live == base_xmalloc);
    CHECK(host_alloc_stats.pages_live == base_pages);

    return 0;
}
