/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench-audit: audit throughput against a plain memcpy of the same bytes.
 *
 *   bench-audit [--corpus DIR] [--time SECONDS] [--runs N] [--json FILE]
 *               [--workload NAME] [--seed N]
 *   bench-audit --callgrind REPS [--workload NAME]   (for tests/bench.sh)
 *   bench-audit --check-paths [--workload NAME]
 *
 * Workloads: "corpus" (every submission of DIR/manifest.txt, audited as a
 * PPGTT batch on its generation's render engine), "synth-SIZE" (Gen9
 * render batches of SIZE bytes generated from a seeded PRNG with the
 * command mix and lengths real drivers emit; 1 MiB of batches per size),
 * and the streams of bench-streams.c (blitter, tiny submissions, worst
 * cases).
 *
 * Built twice (mk/bench.mk): bench-audit links the host build of the
 * auditor, bench-audit-xen the auditor compiled with Xen's code generation
 * flags, whose guest reads and copy-only baseline then use Xen's memcpy.
 *
 * Per workload, each of --runs measurements (median reported) times, for
 * the same number of passes over the workload:
 *   audit    the whole audit as Xen does it: create the submission, start
 *            the batch, run to completion (reading guest memory into
 *            hypervisor pages and scanning), destroy;
 *   memcpy   memcpy of exactly the bytes the audit read, read for read, into
 *            a warm destination;
 *   copy     the audit's copy alone: the same reads into freshly allocated
 *            Xen heap pages, freed afterwards.  audit - copy estimates the
 *            scan;
 *   cold     memcpy of the same lengths from an arena larger than the
 *            last-level cache (--cold-mib, default 256), walked in order, so
 *            the source comes from DRAM: a second baseline, for scale only;
 *   floor    the shortest possible serial decoder over the same command
 *            streams: one load and one add per command (i += next[i], with
 *            next[] the lengths the audit found, recorded by its trace).  No
 *            decoder that finds each command from the previous one's length
 *            can beat this chain.
 * The pass count is chosen so one audit measurement takes --time seconds.
 * A last pass times each gpu_audit_run() call: the longest ("max run") is
 * the longest stretch the hypervisor would spend without a preemption
 * check.
 *
 * Write-protecting the guest's batch pages for the life of the submission
 * instead of copying them is modelled, not measured (it needs Xen's p2m):
 *   wp = (audit - copy) + submissions * 2 * flush + pages * 2 * page
 * audit - copy overstates how fast an in-place scan is (the copy pass
 * allocates pages and the in-place scan would take the cache misses the
 * copy took), flush (--wp-flush-ns, default 1500) is one synchronous EPT
 * flush IPI round trip to protect and one to unprotect, batched per
 * submission, and page (--wp-page-ns, default 0) the p2m type change per
 * page each way, left at 0 unless given.  Every choice favours write
 * protection; "wp break-even" is the per-page cost at which it would tie
 * with copying (negative: it cannot).  Sources for the flush: Xen's
 * ept_sync_domain() IPIs every CPU the domain ran on and waits
 * (reference/xen-internals.md, 2.6), each target taking a VM exit of about
 * 1.5k cycles (reference/literature.md, 7); an IPI round trip is commonly
 * put at 1-3 us on current x86 servers.  Left out, all against write
 * protection: the IOMMU mapping other devices would need made read-only
 * too (an IOTLB flush), EPT faults on guest writes to protected pages, and
 * the private copy still needed wherever the audit patches a command
 * (jump relocations, neutralised commands, rewritten LRI values).
 *
 * --callgrind REPS audits the workload(s) REPS times without timing, for
 * valgrind --tool=callgrind --toggle-collect=gpu_audit_run, and prints
 * "callgrind WORKLOAD commands N bytes B submissions S".
 *
 * --check-paths audits every submission twice, by the fast path and, with
 * a trace set, by the careful path alone, and compares everything the
 * audit produces (paths_differ()): a guard for work on the fast path.
 */
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "bench-streams.h"
#include "region.h"

#define MAX_REGIONS   BENCH_MAX_REGIONS

/*
 * bench-audit-xen (mk/bench.mk) links the auditor built with Xen's code
 * generation flags; its guest reads and copy-only baseline copy with Xen's
 * memcpy.  The memcpy baselines keep libc's in both builds.
 */
#ifdef BENCH_XEN_FLAGS
#include "xen-string.h"
#define BUILD_NAME  "xen"
#define guest_copy  bench_xen_memcpy
#else
#define BUILD_NAME  "host"
#define guest_copy  memcpy
#endif
#define SYNTH_TOTAL   (1u << 20)
#define SYNTH_BASE    0x100000000ULL


/* One read the auditor made, for the memcpy and copy-only replays. */
struct rd {
    const uint8_t *src;
    uint32_t len;
    uint32_t page_off;        /* offset in the destination page; 0: new page */
};

struct submission {
    unsigned int gen;
    unsigned int engine;
    unsigned int nr;
    struct region r[MAX_REGIONS];
    struct rd *reads;
    unsigned int nr_reads, max_reads;
    uint64_t bytes;           /* bytes the audit copied */
    uint64_t cmds;            /* commands the audit decoded */
    uint32_t pages;           /* copy pages the audit filled */
    /* Per buffer: length in dwords of the command at each dword, 0 else. */
    struct stream {
        uint32_t *next;
        uint32_t n, max;
    } *streams;
    unsigned int nr_streams;
};

struct workload {
    char name[32];
    struct submission *subs;
    unsigned int nr, max;
    uint64_t bytes, cmds;     /* per pass */
    uint64_t src_bytes;       /* bytes of the regions (files) */
    uint64_t max_sub_bytes;
    uint64_t pages;           /* copy pages per pass */
    unsigned int rejected;
    /* results */
    unsigned long reps;
    double t_audit, t_memcpy, t_copy;   /* medians, seconds per measurement */
    double t_cold, t_floor;
    double max_run;           /* longest gpu_audit_run() call, seconds */
};

static struct gpu_audit_table tables[10];
static struct gpu_audit_vgpu vgpus[10];
static bool recording;
static bool timing_runs;              /* audit_one(): time each run call */
static double max_run;                /* the longest, in seconds */
static volatile uint64_t sink;
static uint8_t *cold;                 /* the cold memcpy's source arena */
static size_t cold_size, cold_pos;
static double wp_flush_ns = 1500, wp_page_ns;

static void die(const char *msg)
{
    fprintf(stderr, "bench-audit: %s\n", msg);
    exit(2);
}

static void *xalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);

    if ( !p )
        die("out of memory");
    return p;
}

/*
 * CPU time of this thread: on a shared machine, time the benchmark spends
 * descheduled would otherwise count against whichever pass it fell in.
 */
static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Guest memory: the submission's regions (PPGTT). */
static int bench_read(void *priv, unsigned int space, uint64_t addr,
                      void *dst, unsigned int len)
{
    struct submission *sub = priv;
    const uint8_t *src = NULL;
    unsigned int n = 0, i;

    if ( space != GPU_SPACE_PPGTT )
        return 0;
    for ( i = 0; i < sub->nr; i++ )
        if ( addr >= sub->r[i].addr && addr - sub->r[i].addr < sub->r[i].size )
        {
            src = sub->r[i].data + (addr - sub->r[i].addr);
            n = sub->r[i].size - (addr - sub->r[i].addr);
            if ( n > len )
                n = len;
            guest_copy(dst, src, n);
            break;
        }
    if ( n && unlikely(recording) )
    {
        struct rd *d;

        if ( sub->nr_reads == sub->max_reads )
        {
            sub->max_reads = sub->max_reads ? 2 * sub->max_reads : 8;
            sub->reads = realloc(sub->reads,
                                 sub->max_reads * sizeof(*sub->reads));
            if ( !sub->reads )
                die("out of memory");
        }
        d = &sub->reads[sub->nr_reads++];
        d->src = src;
        d->len = n;
        d->page_off = (uintptr_t)dst & (PAGE_SIZE - 1);
    }

    return n;
}

static const struct gpu_audit_mem_ops bench_ops = { .read = bench_read };

/* While recording: where each command starts and how long it is. */
static void bench_trace(void *priv, const struct gpu_audit_sub *s,
                        unsigned int buf, uint32_t offset,
                        const struct gpu_cmd_desc *desc, unsigned int len_dw,
                        unsigned int action)
{
    struct submission *sub = priv;
    struct stream *st;
    uint32_t dw = offset / 4;

    if ( buf >= sub->nr_streams )
    {
        sub->streams = realloc(sub->streams, (buf + 1) * sizeof(*st));
        if ( !sub->streams )
            die("out of memory");
        memset(sub->streams + sub->nr_streams, 0,
               (buf + 1 - sub->nr_streams) * sizeof(*st));
        sub->nr_streams = buf + 1;
    }
    st = &sub->streams[buf];
    if ( dw >= st->max )
    {
        uint32_t max = st->max ? st->max : 256;

        while ( max <= dw )
            max *= 2;
        st->next = realloc(st->next, max * sizeof(*st->next));
        if ( !st->next )
            die("out of memory");
        memset(st->next + st->max, 0, (max - st->max) * sizeof(*st->next));
        st->max = max;
    }
    st->next[dw] = len_dw;
    if ( dw + len_dw > st->n )
        st->n = dw + len_dw;
}

/* A submission of sub's batch, started, with trace (NULL: none). */
static struct gpu_audit_sub *sub_begin(struct submission *sub,
                                       gpu_audit_trace_fn *trace)
{
    struct gpu_audit_sub *s;

    s = gpu_audit_sub_create(&vgpus[sub->gen], sub->engine, &bench_ops, sub);
    if ( !s )
        die("gpu_audit_sub_create failed");
    if ( trace )
        gpu_audit_sub_set_trace(s, trace);
    if ( gpu_audit_sub_start_batch(s, GPU_SPACE_PPGTT, sub->r[0].addr) )
        die("gpu_audit_sub_start_batch failed");

    return s;
}

/* One complete audit; returns the verdict's reason. */
static unsigned int audit_one(struct submission *sub, uint64_t *bytes,
                              uint64_t *cmds)
{
    struct gpu_audit_sub *s = sub_begin(sub, recording ? bench_trace : NULL);
    const struct gpu_audit_verdict *v;
    unsigned int reason;
    int rc;

    if ( unlikely(timing_runs) )
    {
        /* The longest stretch Xen would run without a preemption check. */
        do {
            double t0 = now(), t;

            rc = gpu_audit_run(s);
            t = now() - t0;
            if ( t > max_run )
                max_run = t;
        } while ( rc == -ERESTART );
    }
    else
        while ( (rc = gpu_audit_run(s)) == -ERESTART )
            continue;
    v = gpu_audit_get_verdict(s);
    reason = v->reason;
    if ( bytes )
        *bytes = gpu_audit_sub_bytes(s);
    if ( cmds )
        *cmds = gpu_audit_sub_commands(s);
    gpu_audit_sub_destroy(s);

    return reason;
}

/* With a trace set, every command takes the careful path. */
static void trace_none(void *priv, const struct gpu_audit_sub *s,
                       unsigned int buf, uint32_t offset,
                       const struct gpu_cmd_desc *desc, unsigned int len_dw,
                       unsigned int action)
{
}

static struct gpu_audit_sub *audit_kept(struct submission *sub, bool careful)
{
    struct gpu_audit_sub *s = sub_begin(sub, careful ? trace_none : NULL);

    while ( gpu_audit_run(s) == -ERESTART )
        continue;

    return s;
}

/* One buffer of both audits: what the GPU would run and the jump targets. */
static const char *bufs_differ(const struct gpu_audit_buf *a,
                               const struct gpu_audit_buf *c)
{
    uint32_t off;

    if ( a->gaddr != c->gaddr || a->kind != c->kind || a->level != c->level ||
         a->len != c->len || a->scanned != c->scanned || a->stale != c->stale )
        return "buffer (address, kind, level, length, scanned or stale)";
    for ( off = 0; off < a->scanned; off += 4 )
    {
        if ( gpu_audit_buf_dw(a, off / 4) != gpu_audit_buf_dw(c, off / 4) )
            return "copied dword";
        if ( gpu_audit_buf_is_start(a, off) != gpu_audit_buf_is_start(c, off) )
            return "command start";
    }
    return NULL;
}

/*
 * The fast path (no trace) and the careful path (a trace: every command
 * one at a time) must reach the same audit: verdict, counts, buffers, the
 * copies byte for byte, command starts, relocations and notes.
 */
static const char *paths_differ(struct submission *sub)
{
    struct gpu_audit_sub *a = audit_kept(sub, false), *c = audit_kept(sub, true);
    const struct gpu_audit_verdict *va = gpu_audit_get_verdict(a);
    const struct gpu_audit_verdict *vc = gpu_audit_get_verdict(c);
    const char *why = NULL;
    unsigned int i;

    if ( va->reason != vc->reason || va->buffer != vc->buffer ||
         va->offset != vc->offset )
        why = "verdict";
    else if ( gpu_audit_sub_commands(a) != gpu_audit_sub_commands(c) )
        why = "command count";
    else if ( gpu_audit_sub_bytes(a) != gpu_audit_sub_bytes(c) )
        why = "bytes copied";
    else if ( gpu_audit_nr_bufs(a) != gpu_audit_nr_bufs(c) ||
              gpu_audit_nr_relocs(a) != gpu_audit_nr_relocs(c) ||
              gpu_audit_nr_notes(a) != gpu_audit_nr_notes(c) )
        why = "number of buffers, relocations or notes";
    for ( i = 0; !why && i < gpu_audit_nr_bufs(a); i++ )
        why = bufs_differ(gpu_audit_get_buf(a, i), gpu_audit_get_buf(c, i));
    for ( i = 0; !why && i < gpu_audit_nr_relocs(a); i++ )
        if ( memcmp(gpu_audit_get_reloc(a, i), gpu_audit_get_reloc(c, i),
                    sizeof(struct gpu_audit_reloc)) )
            why = "relocation";
    for ( i = 0; !why && i < gpu_audit_nr_notes(a); i++ )
    {
        const struct gpu_audit_note *na = gpu_audit_get_note(a, i);
        const struct gpu_audit_note *nc = gpu_audit_get_note(c, i);

        if ( na->kind != nc->kind || na->buf != nc->buf ||
             na->offset != nc->offset || na->header != nc->header )
            why = "note";
    }
    gpu_audit_sub_destroy(a);
    gpu_audit_sub_destroy(c);

    return why;
}

/* --check-paths: every submission of the workload; returns the mismatches. */
static unsigned int check_paths(struct workload *w)
{
    unsigned int i, bad = 0;

    for ( i = 0; i < w->nr; i++ )
    {
        const char *why = paths_differ(&w->subs[i]);

        if ( why && bad++ < 5 )
            fprintf(stderr, "bench-audit: %s #%u: fast and careful paths "
                    "differ: %s\n", w->name, i, why);
    }
    printf("paths %s: %u submissions, %u differ\n", w->name, w->nr, bad);

    return bad;
}

static void pass_audit(struct workload *w)
{
    uint64_t acc = 0;
    unsigned int i;

    for ( i = 0; i < w->nr; i++ )
        acc += audit_one(&w->subs[i], NULL, NULL);
    sink += acc;
}

static void pass_memcpy(struct workload *w, uint8_t *dst)
{
    uint64_t acc = 0;
    unsigned int i, j;

    for ( i = 0; i < w->nr; i++ )
    {
        const struct submission *sub = &w->subs[i];
        uint32_t pos = 0;

        for ( j = 0; j < sub->nr_reads; j++ )
        {
            memcpy(dst + pos, sub->reads[j].src, sub->reads[j].len);
            pos += sub->reads[j].len;
        }
        /* Consume the copy so that the compiler must perform it. */
        __asm__ volatile ( "" : : "r" (dst) : "memory" );
        if ( pos )
            acc += dst[pos - 1] + dst[pos / 2];
    }
    sink += acc;
}

/* The same lengths from a source far larger than the last-level cache. */
static void pass_memcpy_cold(struct workload *w, uint8_t *dst)
{
    uint64_t acc = 0;
    unsigned int i, j;

    for ( i = 0; i < w->nr; i++ )
    {
        const struct submission *sub = &w->subs[i];
        uint32_t pos = 0;

        for ( j = 0; j < sub->nr_reads; j++ )
        {
            uint32_t len = sub->reads[j].len;

            if ( cold_pos + len > cold_size )
                cold_pos = 0;
            memcpy(dst + pos, cold + cold_pos, len);
            cold_pos += len;
            pos += len;
        }
        __asm__ volatile ( "" : : "r" (dst) : "memory" );
        if ( pos )
            acc += dst[pos - 1] + dst[pos / 2];
    }
    sink += acc;
}

/* The shortest serial decoder: one load and one add per command. */
static void pass_floor(struct workload *w)
{
    uint64_t acc = 0;
    unsigned int i, j;

    for ( i = 0; i < w->nr; i++ )
    {
        const struct submission *sub = &w->subs[i];

        for ( j = 0; j < sub->nr_streams; j++ )
        {
            const uint32_t *next = sub->streams[j].next;
            uint32_t n = sub->streams[j].n, k = 0, len;

            while ( k < n && (len = next[k]) )
                k += len;
            acc += k;
        }
    }
    sink += acc;
}

/* The audit's copy alone: same reads, into fresh Xen heap pages. */
static void pass_copy(struct workload *w)
{
    static uint8_t *pages[(GPU_AUDIT_DEFAULT_MAX_BYTES / PAGE_SIZE) + 1];
    uint64_t acc = 0;
    unsigned int i, j, n;

    for ( i = 0; i < w->nr; i++ )
    {
        const struct submission *sub = &w->subs[i];

        n = 0;
        for ( j = 0; j < sub->nr_reads; j++ )
        {
            const struct rd *d = &sub->reads[j];

            if ( !d->page_off || !n )
            {
                pages[n] = alloc_xenheap_page();
                if ( !pages[n] )
                    die("out of memory");
                n++;
            }
            guest_copy(pages[n - 1] + d->page_off, d->src, d->len);
        }
        __asm__ volatile ( "" : : "r" (pages) : "memory" );
        for ( j = 0; j < n; j++ )
        {
            acc += pages[j][0];
            free_xenheap_page(pages[j]);
        }
    }
    sink += acc;
}

/* --- workloads ------------------------------------------------------------ */

static struct submission *wl_add(struct workload *w)
{
    if ( w->nr == w->max )
    {
        w->max = w->max ? 2 * w->max : 64;
        w->subs = realloc(w->subs, w->max * sizeof(*w->subs));
        if ( !w->subs )
            die("out of memory");
    }
    memset(&w->subs[w->nr], 0, sizeof(w->subs[0]));
    return &w->subs[w->nr++];
}

static uint8_t *load_file(const char *path, uint32_t *size)
{
    FILE *f = fopen(path, "rb");
    long sz;
    uint8_t *p;

    if ( !f || fseek(f, 0, SEEK_END) || (sz = ftell(f)) < 0 ||
         fseek(f, 0, SEEK_SET) )
    {
        fprintf(stderr, "bench-audit: cannot read %s\n", path);
        exit(2);
    }
    p = xalloc(sz);
    if ( fread(p, 1, sz, f) != (size_t)sz )
        die("short read");
    fclose(f);
    *size = sz;

    return p;
}

static bool load_corpus(struct workload *w, const char *dir)
{
    char path[4096], line[8192];
    FILE *f;

    snprintf(w->name, sizeof(w->name), "corpus");
    snprintf(path, sizeof(path), "%s/manifest.txt", dir);
    f = fopen(path, "r");
    if ( !f )
    {
        fprintf(stderr, "bench-audit: %s not found: no corpus workload\n", path);
        return false;
    }
    while ( fgets(line, sizeof(line), f) )
    {
        struct submission *sub;
        char *tok, *save = NULL, eng[16];
        unsigned int gen, nr, i;
        int used;

        if ( line[0] == '#' || line[0] == '\n' )
            continue;
        if ( sscanf(line, "%u %15s %u %n", &gen, eng, &nr, &used) != 3 ||
             (gen != 8 && gen != 9) || !nr || nr > MAX_REGIONS ||
             strcmp(eng, "rcs") )
            die("bad manifest line");
        sub = wl_add(w);
        sub->gen = gen;
        sub->engine = XEN_GPU_ENGINE_RCS;
        sub->nr = nr;
        tok = strtok_r(line + used, " \t\n", &save);
        for ( i = 0; i < nr; i++ )
        {
            char *addr = strtok_r(NULL, " \t\n", &save);

            if ( !tok || !addr )
                die("bad manifest line");
            snprintf(path, sizeof(path), "%s/%s", dir, tok);
            sub->r[i].data = load_file(path, &sub->r[i].size);
            sub->r[i].addr = strtoull(addr, NULL, 0);
            w->src_bytes += sub->r[i].size;
            tok = strtok_r(NULL, " \t\n", &save);
        }
    }
    fclose(f);
    if ( !w->nr )
        die("empty manifest");

    return true;
}

static uint64_t rng_state;

static uint32_t rnd(void)
{
    return bench_rnd(&rng_state);
}

static unsigned int rnd_below(unsigned int n)
{
    return rnd() % n;
}

/*
 * 3D state commands with the lengths Mesa emits them at on Gen9 (as in the
 * corpus; the spec allows any length for these), and how often a draw
 * re-emits each (per mille): the first group changes nearly every draw.
 */
static const struct synth_cmd {
    uint16_t op;              /* header bits 31:16 */
    uint8_t len;
    uint16_t permille;
} synth_state[] = {
    { 0x7826,  2, 900 }, /* 3DSTATE_BINDING_TABLE_POINTERS_VS */
    { 0x782a,  2, 900 }, /* 3DSTATE_BINDING_TABLE_POINTERS_PS */
    { 0x782f,  2, 700 }, /* 3DSTATE_SAMPLER_STATE_POINTERS_PS */
    { 0x7815, 11, 900 }, /* 3DSTATE_CONSTANT_VS */
    { 0x7817, 11, 600 }, /* 3DSTATE_CONSTANT_PS */
    { 0x7849,  3, 900 }, /* 3DSTATE_VF_INSTANCING */
    { 0x7849,  3, 600 }, /* 3DSTATE_VF_INSTANCING */
    { 0x784b,  2, 500 }, /* 3DSTATE_VF_TOPOLOGY */
    { 0x7808,  5, 450 }, /* 3DSTATE_VERTEX_BUFFERS (one buffer) */
    { 0x7808,  9, 450 }, /* 3DSTATE_VERTEX_BUFFERS (two) */
    { 0x7809,  7, 400 }, /* 3DSTATE_VERTEX_ELEMENTS */
    { 0x7823,  2, 500 }, /* 3DSTATE_VIEWPORT_STATE_POINTERS_CC */
    { 0x780e,  2, 500 }, /* 3DSTATE_CC_STATE_POINTERS */
    { 0x7824,  2, 500 }, /* 3DSTATE_BLEND_STATE_POINTERS */
    { 0x7812,  4, 500 }, /* 3DSTATE_CLIP */
    { 0x7813,  4, 500 }, /* 3DSTATE_SF */
    { 0x7850,  5, 500 }, /* 3DSTATE_RASTER */
    { 0x781e,  5, 500 }, /* 3DSTATE_STREAMOUT */
    { 0x7814,  2, 500 }, /* 3DSTATE_WM */
    { 0x781f,  6, 500 }, /* 3DSTATE_SBE */
    { 0x7851, 11, 100 }, /* 3DSTATE_SBE_SWIZ */
    { 0x7810,  9, 500 }, /* 3DSTATE_VS */
    { 0x7820, 12, 500 }, /* 3DSTATE_PS */
    { 0x784f,  2, 500 }, /* 3DSTATE_PS_EXTRA */
    { 0x784d,  2, 500 }, /* 3DSTATE_PS_BLEND */
    { 0x784e,  4, 500 }, /* 3DSTATE_WM_DEPTH_STENCIL */
    { 0x784a,  2, 500 }, /* 3DSTATE_VF_SGVS */
    { 0x7811, 10, 400 }, /* 3DSTATE_GS */
    { 0x781b,  9, 400 }, /* 3DSTATE_HS */
    { 0x781c,  4, 400 }, /* 3DSTATE_TE */
    { 0x781d, 11, 400 }, /* 3DSTATE_DS */
    { 0x7816, 11, 400 }, /* 3DSTATE_CONSTANT_GS */
    { 0x7819, 11, 400 }, /* 3DSTATE_CONSTANT_HS */
    { 0x781a, 11, 400 }, /* 3DSTATE_CONSTANT_DS */
    { 0x7830,  2, 450 }, /* 3DSTATE_URB_VS */
    { 0x7831,  2, 450 }, /* 3DSTATE_URB_HS */
    { 0x7832,  2, 450 }, /* 3DSTATE_URB_DS */
    { 0x7833,  2, 450 }, /* 3DSTATE_URB_GS */
    { 0x780d,  2, 450 }, /* 3DSTATE_MULTISAMPLE */
    { 0x7818,  2, 450 }, /* 3DSTATE_SAMPLE_MASK */
    { 0x7805,  8, 450 }, /* 3DSTATE_DEPTH_BUFFER */
    { 0x7806,  5, 450 }, /* 3DSTATE_STENCIL_BUFFER */
    { 0x7807,  5, 450 }, /* 3DSTATE_HIER_DEPTH_BUFFER */
    { 0x7804,  3, 450 }, /* 3DSTATE_CLEAR_PARAMS */
    { 0x680b,  1, 450 }, /* 3DSTATE_VF_STATISTICS */
    { 0x6101, 19,  20 }, /* STATE_BASE_ADDRESS */
};

/* Gen9 render registers a user batch may write (spec whitelist). */
static const struct synth_reg {
    uint32_t offset;
    uint16_t masked;          /* 0: plain, else the bits that may change */
} synth_regs[] = {
    { 0x7004, 0x212 },        /* CACHE_MODE_1 */
    { 0x7008, 0x300 },        /* GT_MODE */
    { 0x2580, 0x1 },          /* CS_CHICKEN1 */
    { 0x20d8, 0x10 },         /* CS_DEBUG_MODE2 */
    { 0x7034, 0 },            /* L3CNTLREG */
    { 0x2400, 0 },            /* MI_PREDICATE_SRC0 */
    { 0x2434, 0 },            /* 3DPRIM_VERTEX_COUNT */
    { 0x2438, 0 },            /* 3DPRIM_INSTANCE_COUNT */
    { 0x2600, 0 },            /* GPR0 (render engine) */
    { 0x2608, 0 },            /* GPR1 */
};

/* Pipeline statistics counters (query results), read with SRM. */
static const uint32_t synth_counters[] = { 0x2348, 0x2320, 0x2310, 0x2290 };

static uint32_t *synth_emit(uint32_t *p, uint32_t hdr, unsigned int len)
{
    unsigned int i;

    *p++ = hdr;
    for ( i = 1; i < len; i++ )
        *p++ = rnd();
    return p;
}

/* One draw as a driver emits it: dirty state, maybe LRI/flush/query, draw. */
static uint32_t *synth_draw(uint32_t *p)
{
    unsigned int i, n;

    if ( !rnd_below(4) )
        for ( n = 1 + rnd_below(8); n; n-- )
            *p++ = 0;                              /* MI_NOOP padding */
    if ( !rnd_below(8) )
    {
        n = 1 + rnd_below(3);
        *p++ = (0x22u << 23) | (2 * n - 1);        /* MI_LOAD_REGISTER_IMM */
        for ( i = 0; i < n; i++ )
        {
            const struct synth_reg *r = &synth_regs[rnd_below(ARRAY_SIZE(synth_regs))];

            *p++ = r->offset;
            *p++ = r->masked ? ((uint32_t)r->masked << 16) | (rnd() & r->masked)
                             : rnd();
        }
    }
    for ( i = 0; i < ARRAY_SIZE(synth_state); i++ )
        if ( rnd_below(1000) < synth_state[i].permille )
            p = synth_emit(p, ((uint32_t)synth_state[i].op << 16) |
                              (synth_state[i].len > 1 ? synth_state[i].len - 2
                                                      : 1 /* enable */),
                           synth_state[i].len);
    if ( !rnd_below(3) )
    {
        /* PIPE_CONTROL: CS stall + flushes, sometimes a PPGTT post-sync write. */
        uint64_t a = ((uint64_t)rnd() << 16) & 0xfffffffff8ULL;

        *p++ = 0x7a000004;
        *p++ = 0x00101001 | (rnd_below(2) ? 0x4000 : 0);
        *p++ = a;
        *p++ = a >> 32;
        *p++ = rnd();
        *p++ = 0;
    }
    if ( !rnd_below(6) )
    {
        /* MI_STORE_REGISTER_MEM of a statistics counter (PPGTT). */
        uint64_t a = ((uint64_t)rnd() << 12) & 0xfffffffff8ULL;

        *p++ = (0x24u << 23) | 2;
        *p++ = synth_counters[rnd_below(ARRAY_SIZE(synth_counters))];
        *p++ = a;
        *p++ = a >> 32;
    }
    /* 3DPRIMITIVE */
    p = synth_emit(p, 0x7b000005, 7);

    return p;
}

#define SYNTH_DRAW_MAX 512   /* dwords: larger than any synth_draw() */

static void make_synth(struct workload *w, uint32_t size, uint64_t seed)
{
    static uint32_t scratch[SYNTH_DRAW_MAX];
    unsigned int nr = SYNTH_TOTAL / size, i;

    snprintf(w->name, sizeof(w->name), "synth-%uK", size >> 10);
    rng_state = seed ^ (0x9e3779b97f4a7c15ULL * size);
    if ( !rng_state )
        rng_state = 1;
    for ( i = 0; i < nr; i++ )
    {
        struct submission *sub = wl_add(w);
        uint32_t *buf = xalloc(size), *p = buf, *end = buf + size / 4 - 1;

        for ( ; ; )
        {
            /* Draws until the next one does not fit; MI_NOOP up to the end. */
            uint32_t *q = synth_draw(scratch);

            if ( q - scratch > end - p )
                break;
            memcpy(p, scratch, (q - scratch) * 4);
            p += q - scratch;
        }
        while ( p < end )
            *p++ = 0;                              /* MI_NOOP */
        *p = 0x05000000;                           /* MI_BATCH_BUFFER_END */
        sub->gen = 9;
        sub->engine = XEN_GPU_ENGINE_RCS;
        sub->nr = 1;
        sub->r[0].addr = SYNTH_BASE + (uint64_t)i * (size + (1u << 20));
        sub->r[0].size = size;
        sub->r[0].data = (const uint8_t *)buf;
        w->src_bytes += size;
    }
}

/* A generated stream (bench-streams.c). */
static void load_stream(struct workload *w, const char *name, uint64_t seed)
{
    struct bench_stream_sub *subs;
    unsigned int nr = bench_stream_build(name, seed, &subs), i, j;

    if ( !nr )
        die("unknown stream");
    snprintf(w->name, sizeof(w->name), "%s", name);
    for ( i = 0; i < nr; i++ )
    {
        struct submission *sub = wl_add(w);

        sub->gen = subs[i].gen;
        sub->engine = subs[i].engine;
        sub->nr = subs[i].nr;
        for ( j = 0; j < subs[i].nr; j++ )
        {
            sub->r[j] = subs[i].r[j];
            w->src_bytes += subs[i].r[j].size;
        }
    }
    free(subs);
}

/* First pass: verdicts, byte and command counts, and the reads to replay. */
static void record(struct workload *w)
{
    unsigned int i;

    recording = true;
    w->bytes = w->cmds = w->max_sub_bytes = w->pages = 0;
    w->rejected = 0;
    for ( i = 0; i < w->nr; i++ )
    {
        struct submission *sub = &w->subs[i];
        unsigned int reason, j;
        uint64_t copied = 0;

        sub->nr_reads = 0;
        for ( j = 0; j < sub->nr_streams; j++ )
            sub->streams[j].n = 0;
        reason = audit_one(sub, &sub->bytes, &sub->cmds);
        if ( reason )
        {
            if ( w->rejected++ < 5 )
                fprintf(stderr, "bench-audit: %s #%u rejected: %s\n", w->name, i,
                        gpu_audit_reason_name(reason));
        }
        sub->pages = 0;
        for ( j = 0; j < sub->nr_reads; j++ )
        {
            copied += sub->reads[j].len;
            sub->pages += !j || !sub->reads[j].page_off;
        }
        w->pages += sub->pages;
        if ( copied != sub->bytes )
            die("recorded reads do not add up to the audited bytes");
        w->bytes += sub->bytes;
        w->cmds += sub->cmds;
        if ( sub->bytes > w->max_sub_bytes )
            w->max_sub_bytes = sub->bytes;
    }
    recording = false;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double median(double *v, unsigned int n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define MAX_RUNS 15

static void measure(struct workload *w, double target, unsigned int runs)
{
    double ta[MAX_RUNS], tm[MAX_RUNS], tc[MAX_RUNS], tk[MAX_RUNS];
    double tf[MAX_RUNS], t0, t;
    uint8_t *dst = xalloc(w->max_sub_bytes);
    unsigned long r, probe = 0;
    unsigned int i;

    /* Warm up, then size the pass count from at least 0.2 s of audits. */
    pass_audit(w);
    pass_memcpy(w, dst);
    t0 = now();
    do {
        pass_audit(w);
        probe++;
        t = now() - t0;
    } while ( t < 0.2 );
    w->reps = (unsigned long)(target / (t / probe) + 0.5);
    if ( !w->reps )
        w->reps = 1;

    for ( i = 0; i < runs; i++ )
    {
        t0 = now();
        for ( r = 0; r < w->reps; r++ )
            pass_audit(w);
        ta[i] = now() - t0;

        t0 = now();
        for ( r = 0; r < w->reps; r++ )
            pass_memcpy(w, dst);
        tm[i] = now() - t0;

        t0 = now();
        for ( r = 0; r < w->reps; r++ )
            pass_copy(w);
        tc[i] = now() - t0;

        t0 = now();
        for ( r = 0; r < w->reps; r++ )
            pass_memcpy_cold(w, dst);
        tk[i] = now() - t0;

        t0 = now();
        for ( r = 0; r < w->reps; r++ )
            pass_floor(w);
        tf[i] = now() - t0;
    }
    w->t_audit = median(ta, runs);
    w->t_memcpy = median(tm, runs);
    w->t_copy = median(tc, runs);
    w->t_cold = median(tk, runs);
    w->t_floor = median(tf, runs);

    max_run = 0;
    timing_runs = true;
    pass_audit(w);
    timing_runs = false;
    w->max_run = max_run;
    free(dst);
}

/* The write-protect model (see the top of this file), seconds per measurement. */
static double wp_seconds(const struct workload *w)
{
    return w->t_audit - w->t_copy +
           w->reps * (w->nr * 2 * wp_flush_ns + w->pages * 2 * wp_page_ns) / 1e9;
}

static double wp_break_even_ns(const struct workload *w)
{
    return (w->t_copy / w->reps * 1e9 - w->nr * 2 * wp_flush_ns) /
           (2.0 * w->pages);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: bench-audit [--corpus DIR] [--time SECONDS] [--runs N]\n"
            "                   [--json FILE] [--workload NAME] [--seed N]\n"
            "                   [--cold-mib N] [--wp-flush-ns NS] [--wp-page-ns NS]\n"
            "       bench-audit --callgrind REPS [--workload NAME] [--corpus DIR]\n"
            "       bench-audit --check-paths [--workload NAME] [--corpus DIR]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    static const uint32_t sizes[] = { 4096, 16384, 65536, 262144, 1048576 };
    struct workload wl[1 + ARRAY_SIZE(sizes) + 8];
    const char *corpus = "tests/data/corpus", *json = NULL, *only = NULL;
    double target = 1.5;
    unsigned int runs = 5, nr_wl = 0, i, g;
    unsigned long callgrind = 0, cold_mib = 256;
    bool paths = false;
    uint64_t seed = 0x5eed;
    int fail = 0;
    FILE *jf = NULL;

    for ( i = 1; i < (unsigned int)argc; i++ )
    {
        if ( !strcmp(argv[i], "--corpus") && i + 1 < (unsigned int)argc )
            corpus = argv[++i];
        else if ( !strcmp(argv[i], "--time") && i + 1 < (unsigned int)argc )
            target = atof(argv[++i]);
        else if ( !strcmp(argv[i], "--runs") && i + 1 < (unsigned int)argc )
            runs = atoi(argv[++i]);
        else if ( !strcmp(argv[i], "--json") && i + 1 < (unsigned int)argc )
            json = argv[++i];
        else if ( !strcmp(argv[i], "--workload") && i + 1 < (unsigned int)argc )
            only = argv[++i];
        else if ( !strcmp(argv[i], "--seed") && i + 1 < (unsigned int)argc )
            seed = strtoull(argv[++i], NULL, 0);
        else if ( !strcmp(argv[i], "--callgrind") && i + 1 < (unsigned int)argc )
            callgrind = strtoul(argv[++i], NULL, 0);
        else if ( !strcmp(argv[i], "--check-paths") )
            paths = true;
        else if ( !strcmp(argv[i], "--cold-mib") && i + 1 < (unsigned int)argc )
            cold_mib = strtoul(argv[++i], NULL, 0);
        else if ( !strcmp(argv[i], "--wp-flush-ns") && i + 1 < (unsigned int)argc )
            wp_flush_ns = atof(argv[++i]);
        else if ( !strcmp(argv[i], "--wp-page-ns") && i + 1 < (unsigned int)argc )
            wp_page_ns = atof(argv[++i]);
        else
            usage();
    }
    if ( target <= 0 || !runs || runs > MAX_RUNS || !cold_mib ||
         wp_flush_ns < 0 || wp_page_ns < 0 )
        usage();

    host_printk_quiet = 1;
    /*
     * The shim's Xen heap pages come from posix_memalign().  Keep freed
     * memory mapped, as Xen's heap is, rather than letting glibc return it
     * to the kernel and fault it in again on the next submission.
     */
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    for ( g = 8; g <= 9; g++ )
    {
        if ( gpu_audit_table_init(&tables[g], gpu_audit_spec_for_gen(g)) )
            die("table validation failed");
        gpu_audit_vgpu_init(&vgpus[g], &tables[g]);
        if ( gpu_audit_vgpu_add_slice(&vgpus[g], 0, 0x10000000) )
            die("slice");
    }

    memset(wl, 0, sizeof(wl));
    if ( (!only || !strcmp(only, "corpus")) && load_corpus(&wl[nr_wl], corpus) )
        nr_wl++;
    for ( i = 0; i < ARRAY_SIZE(sizes); i++ )
    {
        char name[32];

        snprintf(name, sizeof(name), "synth-%uK", sizes[i] >> 10);
        if ( only && strcmp(only, name) )
            continue;
        make_synth(&wl[nr_wl++], sizes[i], seed);
    }
    for ( i = 0; bench_stream_names[i]; i++ )
        if ( !only || !strcmp(only, bench_stream_names[i]) )
            load_stream(&wl[nr_wl++], bench_stream_names[i], seed);
    if ( !nr_wl )
        usage();

    if ( paths )
    {
        for ( i = 0; i < nr_wl; i++ )
            if ( check_paths(&wl[i]) )
                fail = 1;
        return fail;
    }

    if ( callgrind )
    {
        /* Nothing but audits: every gpu_audit_run() call is one of these. */
        for ( i = 0; i < nr_wl; i++ )
        {
            uint64_t cmds = 0, bytes = 0, b, c;
            unsigned long r;
            unsigned int j;

            for ( r = 0; r < callgrind; r++ )
                for ( j = 0; j < wl[i].nr; j++ )
                {
                    if ( audit_one(&wl[i].subs[j], &b, &c) )
                        fail = 1;
                    bytes += b;
                    cmds += c;
                }
            printf("callgrind %s commands %" PRIu64 " bytes %" PRIu64
                   " submissions %lu\n", wl[i].name, cmds, bytes,
                   wl[i].nr * callgrind);
        }
        return fail;
    }

    for ( i = 0; i < nr_wl; i++ )
        record(&wl[i]);
    cold_size = cold_mib << 20;
    cold = malloc(cold_size);
    if ( !cold )
        die("out of memory (--cold-mib)");
    for ( i = 0; i < cold_size; i += 64 )
        cold[i] = i >> 6;

    printf("bench-audit: median of %u measurements, each ~%.1f s of audit; "
           "memcpy and copy-only repeat the same passes\n", runs, target);
    printf("%-12s %5s %9s %8s %5s | %8s %8s %6s | %6s %7s | %8s %7s\n",
           "workload", "subs", "KiB/pass", "cmds", "reps", "audit",
           "memcpy", "ratio", "ns/cmd", "Mcmd/s", "copy", "scan");
    printf("%-12s %5s %9s %8s %5s | %8s %8s %6s | %6s %7s | %8s %7s\n",
           "", "", "", "/pass", "", "MB/s", "MB/s", "a/m", "", "",
           "MB/s", "ns/cmd");
    for ( i = 0; i < nr_wl; i++ )
    {
        struct workload *w = &wl[i];
        double bytes, cmds;

        measure(w, target, runs);
        bytes = (double)w->bytes * w->reps;
        cmds = (double)w->cmds * w->reps;
        printf("%-12s %5u %9.0f %8" PRIu64 " %5lu | %8.0f %8.0f %6.3f | "
               "%6.1f %7.1f | %8.0f %7.1f\n",
               w->name, w->nr, w->bytes / 1024.0, w->cmds, w->reps,
               bytes / w->t_audit / 1e6, bytes / w->t_memcpy / 1e6,
               w->t_memcpy / w->t_audit, w->t_audit / cmds * 1e9,
               cmds / w->t_audit / 1e6, bytes / w->t_copy / 1e6,
               (w->t_audit - w->t_copy) / cmds * 1e9);
        fflush(stdout);
        if ( w->rejected )
            fail = 1;
    }
    printf("ratio a/m = audit throughput / memcpy throughput (target >= 0.5); "
           "scan = (audit - copy) time per command, an estimate\n");

    printf("\nsame runs: other baselines and the write-protect model "
           "(flush %.0f ns, page %.0f ns; see bench-audit.c)\n",
           wp_flush_ns, wp_page_ns);
    printf("%-12s | %8s %6s | %8s %6s %6s %6s | %8s %6s %9s\n",
           "workload", "cold", "audit/", "floor", "floor/", "ns/cmd", "audit/",
           "wp-model", "wp/", "wp break-");
    printf("%-12s | %8s %6s | %8s %6s %6s %6s | %8s %6s %9s\n",
           "", "MB/s", "cold", "MB/s", "memcpy", "", "floor", "MB/s", "memcpy",
           "even ns/pg");
    for ( i = 0; i < nr_wl; i++ )
    {
        struct workload *w = &wl[i];
        double bytes = (double)w->bytes * w->reps;
        double cmds = (double)w->cmds * w->reps;

        printf("%-12s | %8.0f %6.3f | %8.0f %6.3f %6.2f %6.1f | %8.0f %6.3f %9.0f\n",
               w->name, bytes / w->t_cold / 1e6, w->t_cold / w->t_audit,
               bytes / w->t_floor / 1e6, w->t_memcpy / w->t_floor,
               w->t_floor / cmds * 1e9, w->t_audit / w->t_floor,
               bytes / wp_seconds(w) / 1e6, w->t_memcpy / wp_seconds(w),
               wp_break_even_ns(w));
    }
    printf("cold = memcpy from a %lu MiB arena (DRAM); floor = one load + one "
           "add per command, the bound of any serial decoder;\n"
           "wp-model = write-protect instead of copy, modelled in favour of "
           "write protection; break-even = p2m cost per page at which it "
           "ties\n", cold_mib);
    for ( i = 0; i < nr_wl; i++ )
        if ( wl[i].rejected )
            printf("WARNING: %s: %u submission(s) rejected (they must all be "
                   "accepted)\n", wl[i].name, wl[i].rejected);

    if ( json && !(jf = fopen(json, "w")) )
        die("cannot write the JSON file");
    if ( jf )
    {
        fprintf(jf, "{\"runs\":%u,\"target_seconds\":%.2f,\"seed\":%" PRIu64
                ",\"cold_arena_mib\":%lu,\"wp_flush_ns\":%.1f,\"wp_page_ns\":%.1f"
                ",\"workloads\":[", runs, target, seed, cold_mib, wp_flush_ns,
                wp_page_ns);
        for ( i = 0; i < nr_wl; i++ )
        {
            const struct workload *w = &wl[i];
            double bytes = (double)w->bytes * w->reps;
            double cmds = (double)w->cmds * w->reps;

            fprintf(jf, "%s\n{\"name\":\"%s\",\"submissions\":%u,"
                    "\"bytes_per_pass\":%" PRIu64 ",\"commands_per_pass\":%" PRIu64
                    ",\"source_bytes\":%" PRIu64 ",\"rejected\":%u,\"reps\":%lu,"
                    "\"audit_seconds\":%.6f,\"memcpy_seconds\":%.6f,"
                    "\"copy_seconds\":%.6f,\"audit_bytes_per_s\":%.0f,"
                    "\"memcpy_bytes_per_s\":%.0f,\"copy_bytes_per_s\":%.0f,"
                    "\"ratio_audit_memcpy\":%.4f,\"ns_per_command\":%.3f,"
                    "\"commands_per_s\":%.0f,\"scan_ns_per_command_est\":%.3f,"
                    "\"pages_per_pass\":%" PRIu64 ",\"cold_memcpy_seconds\":%.6f,"
                    "\"cold_memcpy_bytes_per_s\":%.0f,\"ratio_audit_cold_memcpy\":%.4f,"
                    "\"floor_seconds\":%.6f,\"floor_bytes_per_s\":%.0f,"
                    "\"ratio_floor_memcpy\":%.4f,\"floor_ns_per_command\":%.3f,"
                    "\"wp_model_seconds\":%.6f,\"wp_model_bytes_per_s\":%.0f,"
                    "\"ratio_wp_model_memcpy\":%.4f,\"wp_break_even_ns_per_page\":%.1f,"
                    "\"max_run_us\":%.1f,\"build\":\"%s\"}",
                    i ? "," : "", w->name, w->nr, w->bytes, w->cmds,
                    w->src_bytes, w->rejected, w->reps, w->t_audit,
                    w->t_memcpy, w->t_copy, bytes / w->t_audit,
                    bytes / w->t_memcpy, bytes / w->t_copy,
                    w->t_memcpy / w->t_audit, w->t_audit / cmds * 1e9,
                    cmds / w->t_audit, (w->t_audit - w->t_copy) / cmds * 1e9,
                    w->pages, w->t_cold, bytes / w->t_cold, w->t_cold / w->t_audit,
                    w->t_floor, bytes / w->t_floor, w->t_memcpy / w->t_floor,
                    w->t_floor / cmds * 1e9, wp_seconds(w), bytes / wp_seconds(w),
                    w->t_memcpy / wp_seconds(w), wp_break_even_ns(w),
                    w->max_run * 1e6, BUILD_NAME);
        }
        fprintf(jf, "\n]}\n");
        fclose(jf);
    }
    (void)sink;
    free(cold);
    for ( g = 8; g <= 9; g++ )
    {
        gpu_audit_vgpu_destroy(&vgpus[g]);
        gpu_audit_table_destroy(&tables[g]);
    }

    return fail;
}
