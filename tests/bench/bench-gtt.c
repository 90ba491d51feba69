/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench-gtt: cost of the GTT engine, each figure against a baseline
 * measured in the same run.
 *
 *   bench-gtt [--time SECONDS] [--runs N] [--json FILE]
 *   bench-gtt --callgrind WORKLOAD REPS     (for tests/bench-gtt.sh)
 *
 * 1. Handler cost per trapped write (the work done after the VM exit; the
 *    exit itself, ~1.5k cycles, is not counted):
 *      ppgtt-write  gtt_wp_write(): an 8-byte write replacing a present
 *                   PTE of a write-protected leaf table (out-of-sync mode
 *                   off, so every write traps);
 *      ggtt-write   gtt_ggtt_write(): an 8-byte GGTT entry write in the
 *                   slice;
 *      baseline     the least any emulation of the write does: look up the
 *                   new frame in the p2m (reference taken and dropped), map
 *                   the guest frame, store 8 bytes, unmap.
 *    Cycles are TSC cycles (ns times the TSC rate measured over the run).
 * 2. Population of a 4 GiB PPGTT (4-level, 4K pages: 1,048,576 PTEs in
 *    512 PTs): gtt_ppgtt_create() (which shadows every table) against a
 *    plain walk of the guest tables copying every table page.
 * 3. Memory per GiB mapped: shadow table pages plus the engine's heap
 *    (bytes the population allocates and holds, counted by the shim's
 *    xmalloc; the target's figure) against the guest's own table pages.
 *    The vGPU's fixed heap (taken at create, whatever is mapped) is
 *    reported beside it.
 *
 * Figures are medians of --runs measurements.  --callgrind runs a workload
 * REPS times without timing, for valgrind --tool=callgrind with collection
 * toggled on the engine entry point, and prints
 * "callgrind WORKLOAD ops N".
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "platform.h"

#define GGTT_ENTRIES   (1ULL << 20)
#define PTE_RW         0x3ULL           /* present, writable */
#define PAGE_ENTRIES   512
#define EXIT_FLOOR_CYCLES 1500.0        /* VM exit round trip, literature.md */

/* Guest layout: data frames from 0, tables above them. */
#define POP_GIB        4
#define POP_PTES       ((uint64_t)POP_GIB << 18)       /* 4K pages */
#define POP_PTS        (POP_PTES / PAGE_ENTRIES)
#define POP_PDS        POP_GIB
#define TABLE_GFN      0x100000UL       /* PML4, PDP, PDs, PTs */
#define GUEST_GFNS     (TABLE_GFN + 1 + 1 + POP_PDS + POP_PTS)
#define GUEST_MFN      0x1000UL         /* host frame of gfn 0 */

/* Handler workload: one PT mapping 2 MiB, data frames 0..1023. */
#define H_PML4         (TABLE_GFN + 0x10000)
#define H_PDP          (H_PML4 + 1)
#define H_PD           (H_PML4 + 2)
#define H_PT           (H_PML4 + 3)

struct bench {
    struct fake_gpu *gpu;
    struct gtt_hw hw;
    struct gtt_device dev;
    struct domain *d;
    struct gtt_vgpu *v;
    double tsc_hz;
    long vgpu_heap;                 /* heap bytes gtt_vgpu_create() took */
};

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t tsc(void)
{
#if defined(__x86_64__) || defined(__i386__)
    return __builtin_ia32_rdtsc();
#else
    return 0;
#endif
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double median(double *v, unsigned int n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "bench-gtt: %s failed (%d: %s)\n", what, rc,
            rc > 0 ? gtt_reason_name(rc) : "");
    exit(1);
}

static void guest_write(struct bench *b, unsigned long gfn, unsigned int i,
                        uint64_t val)
{
    uint64_t *t = map_domain_page(_mfn(GUEST_MFN + gfn));

    t[i] = val;
    unmap_domain_page(t);
}

static uint64_t pte(unsigned long gfn)
{
    return ((uint64_t)gfn << PAGE_SHIFT) | PTE_RW;
}

static void setup(struct bench *b)
{
    struct gtt_vgpu_config cfg;
    unsigned long gfn;
    int rc;

    memset(b, 0, sizeof(*b));
    b->gpu = fake_gpu_create(GGTT_ENTRIES);
    b->hw.gsm = b->gpu->gsm;
    b->hw.mmio = b->gpu->mmio;
    if ( (rc = gtt_device_init(&b->dev, GGTT_ENTRIES, &b->hw)) )
        die("gtt_device_init", rc);
    b->d = fake_domain_create(1, GUEST_GFNS + 0x20000);
    for ( gfn = 0; gfn < GUEST_GFNS + 0x20000; gfn++ )
        if ( fake_p2m_set(b->d, gfn, GUEST_MFN + gfn, p2m_ram_rw, NULL) )
            die("fake_p2m_set", -1);

    memset(&cfg, 0, sizeof(cfg));
    cfg.d = b->d;
    cfg.id = 1;
    cfg.aperture_base = 0x8000000;
    cfg.aperture_size = 0x4000000;
    cfg.hidden_base = 0x40000000;
    cfg.hidden_size = 0x8000000;
    cfg.oos = false;                /* every table write traps */
    b->vgpu_heap = host_alloc_stats.xmalloc_bytes;
    if ( (rc = gtt_vgpu_create(&b->dev, &cfg, &b->v)) )
        die("gtt_vgpu_create", rc);
    b->vgpu_heap = host_alloc_stats.xmalloc_bytes - b->vgpu_heap;
}

static void teardown(struct bench *b)
{
    gtt_vgpu_destroy(b->v);
    gtt_device_destroy(&b->dev);
    fake_gpu_destroy(b->gpu);
    if ( fake_refs_total() || fake_put_violations() )
        fprintf(stderr, "bench-gtt: %ld references left, %lu early drops\n",
                fake_refs_total(), fake_put_violations());
    fake_domain_destroy(b->d);
}

/* ---- 1. Handler cost ------------------------------------------------- */

/* A 2 MiB address space whose PT is write-protected. */
static void handler_setup(struct bench *b)
{
    uint64_t root = (uint64_t)H_PML4 << PAGE_SHIFT, roots[4];
    unsigned int i;
    int rc;

    guest_write(b, H_PML4, 0, pte(H_PDP));
    guest_write(b, H_PDP, 0, pte(H_PD));
    guest_write(b, H_PD, 0, pte(H_PT));
    for ( i = 0; i < PAGE_ENTRIES; i++ )
        guest_write(b, H_PT, i, pte(i));
    if ( (rc = gtt_ppgtt_create(b->v, GTT_ROOT_L4, &root)) )
        die("gtt_ppgtt_create", rc);
    if ( (rc = gtt_ppgtt_pin(b->v, root, roots)) )
        die("gtt_ppgtt_pin", rc);
    if ( !gtt_wp_claims(b->v, H_PT) )
        die("gtt_wp_claims (PT not protected)", -1);
}

/* n trapped writes, each replacing a present PTE with another frame. */
static void ppgtt_writes(struct bench *b, uint64_t n, uint64_t *seq)
{
    uint64_t gpa = (uint64_t)H_PT << PAGE_SHIFT, k;
    int rc;

    for ( k = 0; k < n; k++, (*seq)++ )
    {
        unsigned int i = *seq % PAGE_ENTRIES;
        unsigned long frame = i + ((*seq / PAGE_ENTRIES) & 1) * PAGE_ENTRIES;

        rc = gtt_wp_write(b->v, gpa + i * 8, 8, pte(frame));
        if ( unlikely(rc) )
            die("gtt_wp_write", rc);
    }
}

static void ggtt_writes(struct bench *b, uint64_t n, uint64_t *seq)
{
    uint64_t k, first = 0x8000000 >> PAGE_SHIFT;
    int rc;

    for ( k = 0; k < n; k++, (*seq)++ )
    {
        unsigned int i = *seq % 4096;
        unsigned long frame = i + ((*seq / 4096) & 1) * 4096;

        rc = gtt_ggtt_write(b->v, first + i, 0, 8,
                            ((uint64_t)frame << PAGE_SHIFT) | 1);
        if ( unlikely(rc) )
            die("gtt_ggtt_write", rc);
    }
}

/* The least an emulation does: p2m lookup of the new frame, store. */
/* Not static, never inlined or cloned: callgrind collects it by name. */
void baseline_write(struct domain *d, unsigned long table_mfn, unsigned int i,
                    uint64_t val);
void __attribute__((noinline, noclone))
baseline_write(struct domain *d, unsigned long table_mfn, unsigned int i,
               uint64_t val)
{
    struct page_info *pg;
    p2m_type_t t;
    uint64_t *p;

    pg = get_page_from_gfn(d, val >> PAGE_SHIFT, &t, P2M_ALLOC);
    if ( pg )
        put_page(pg);
    p = map_domain_page(_mfn(table_mfn));
    *(volatile uint64_t *)&p[i] = val;
    unmap_domain_page(p);
}

static void baseline_writes(struct bench *b, uint64_t n, uint64_t *seq)
{
    uint64_t k;

    for ( k = 0; k < n; k++, (*seq)++ )
    {
        unsigned int i = *seq % PAGE_ENTRIES;
        unsigned long frame = i + ((*seq / PAGE_ENTRIES) & 1) * PAGE_ENTRIES;

        baseline_write(b->d, GUEST_MFN + H_PT + 1, i, pte(frame));
    }
}

typedef void (*write_fn)(struct bench *b, uint64_t n, uint64_t *seq);

/* Seconds per operation: median of runs, each about 'secs' long. */
static double time_per_op(struct bench *b, write_fn fn, double secs,
                          unsigned int runs, double *tsc_hz)
{
    double per[64], t0, t;
    uint64_t n = 1024, seq = 0, c0;
    unsigned int r;

    /* Calibrate the batch size to about secs. */
    for ( ;; )
    {
        t0 = now();
        fn(b, n, &seq);
        t = now() - t0;
        if ( t > secs / 4 || n > (1ULL << 34) )
            break;
        n *= 2;
    }
    n = (uint64_t)(n * secs / (t > 0 ? t : 1e-9)) + 1;
    for ( r = 0; r < runs; r++ )
    {
        c0 = tsc();
        t0 = now();
        fn(b, n, &seq);
        t = now() - t0;
        per[r] = t / n;
        if ( tsc_hz && t > 0 )
            *tsc_hz = (tsc() - c0) / t;
    }
    return median(per, runs);
}

/* ---- 2. Population of a 4 GiB PPGTT ----------------------------------- */

static unsigned long pop_pd(unsigned int n)
{
    return TABLE_GFN + 2 + n;
}

static unsigned long pop_pt(uint64_t n)
{
    return TABLE_GFN + 2 + POP_PDS + n;
}

/* The guest's tables: PML4 -> PDP -> 4 PDs -> 2048 PTs -> 1M frames. */
static void pop_build(struct bench *b)
{
    uint64_t n;
    unsigned int i;

    guest_write(b, TABLE_GFN, 0, pte(TABLE_GFN + 1));
    for ( i = 0; i < POP_PDS; i++ )
        guest_write(b, TABLE_GFN + 1, i, pte(pop_pd(i)));
    for ( n = 0; n < POP_PTS; n++ )
    {
        uint64_t *t = map_domain_page(_mfn(GUEST_MFN + pop_pt(n)));

        guest_write(b, pop_pd(n / PAGE_ENTRIES), n % PAGE_ENTRIES,
                    pte(pop_pt(n)));
        for ( i = 0; i < PAGE_ENTRIES; i++ )
            t[i] = pte(n * PAGE_ENTRIES + i);
        unmap_domain_page(t);
    }
}

/* Baseline: walk the guest's tree as the engine must, copying each table. */
static uint64_t walk_copy(struct domain *d, unsigned long gfn,
                          unsigned int level, uint8_t **dst)
{
    const uint64_t *t;
    uint64_t leaves = 0;
    unsigned int i;

    (void)d;
    t = map_domain_page(_mfn(GUEST_MFN + gfn));
    memcpy(*dst, t, PAGE_SIZE);
    *dst += PAGE_SIZE;
    for ( i = 0; i < PAGE_ENTRIES; i++ )
    {
        uint64_t e = t[i];

        if ( !(e & 1) )
            continue;
        if ( level == 1 )
            leaves++;
        else
            leaves += walk_copy(d, (e & 0x0000fffffffff000ULL) >> PAGE_SHIFT,
                                level - 1, dst);
    }
    unmap_domain_page((void *)t);
    return leaves;
}

struct pop_result {
    double t_engine, t_walk;        /* seconds per population (median) */
    uint64_t entries;
    unsigned int shadow_pages, guest_pages;
    long heap_bytes;                /* engine heap one population holds */
    long vgpu_heap;                 /* the vGPU's fixed heap */
};

/* Bytes the engine holds from xmalloc (the shim counts them). */
static long heap_in_use(void)
{
    return host_alloc_stats.xmalloc_bytes;
}

static void pop_measure(struct bench *b, unsigned int runs,
                        struct pop_result *res)
{
    uint64_t root = (uint64_t)TABLE_GFN << PAGE_SHIFT;
    double te[64], tw[64], t0;
    struct gtt_stats st0, st;
    uint8_t *copy, *dst;
    long heap0;
    unsigned int r;
    int rc;

    copy = malloc((2 + POP_PDS + POP_PTS) * PAGE_SIZE);
    if ( !copy )
        die("malloc", -1);
    memset(copy, 0, (2 + POP_PDS + POP_PTS) * PAGE_SIZE);
    /* Warm-up population: frame tables and page backing exist afterwards. */
    if ( (rc = gtt_ppgtt_create(b->v, GTT_ROOT_L4, &root)) )
        die("gtt_ppgtt_create (4 GiB)", rc);
    gtt_ppgtt_destroy(b->v, root);
    gtt_sync(b->v);

    for ( r = 0; r < runs; r++ )
    {
        gtt_vgpu_stats(b->v, &st0);
        heap0 = heap_in_use();
        t0 = now();
        rc = gtt_ppgtt_create(b->v, GTT_ROOT_L4, &root);
        te[r] = now() - t0;
        if ( rc )
            die("gtt_ppgtt_create (4 GiB)", rc);
        gtt_vgpu_stats(b->v, &st);
        res->heap_bytes = heap_in_use() - heap0;
        res->shadow_pages = st.shadow_pages - st0.shadow_pages;
        gtt_ppgtt_destroy(b->v, root);
        gtt_sync(b->v);

        dst = copy;
        t0 = now();
        res->entries = walk_copy(b->d, TABLE_GFN, 4, &dst);
        tw[r] = now() - t0;
    }
    res->guest_pages = (dst - copy) / PAGE_SIZE;
    res->vgpu_heap = b->vgpu_heap;
    res->t_engine = median(te, runs);
    res->t_walk = median(tw, runs);
    free(copy);
}

/* ---- Driver ------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr, "usage: bench-gtt [--time SECONDS] [--runs N] "
                    "[--json FILE]\n"
                    "       bench-gtt --callgrind ppgtt-write|ggtt-write|"
                    "baseline|populate REPS\n");
    exit(2);
}

static int callgrind(const char *wl, uint64_t reps)
{
    struct bench b;
    uint64_t seq = 0, r, root = (uint64_t)TABLE_GFN << PAGE_SHIFT;

    setup(&b);
    if ( !strcmp(wl, "populate") )
    {
        pop_build(&b);
        for ( r = 0; r < reps; r++ )
        {
            if ( gtt_ppgtt_create(b.v, GTT_ROOT_L4, &root) )
                die("gtt_ppgtt_create", -1);
            gtt_ppgtt_destroy(b.v, root);
            gtt_sync(b.v);
        }
        printf("callgrind %s ops %" PRIu64 "\n", wl, reps * POP_PTES);
    }
    else
    {
        handler_setup(&b);
        if ( !strcmp(wl, "ppgtt-write") )
            ppgtt_writes(&b, reps, &seq);
        else if ( !strcmp(wl, "ggtt-write") )
            ggtt_writes(&b, reps, &seq);
        else if ( !strcmp(wl, "baseline") )
            baseline_writes(&b, reps, &seq);
        else
            usage();
        printf("callgrind %s ops %" PRIu64 "\n", wl, reps);
    }
    teardown(&b);
    return 0;
}

static void print_handler(const char *name, double t, double base,
                          double ghz)
{
    double cyc = t * 1e9 * ghz;

    printf("%-30s %8.1f %8.0f %10.2f %11.1f%%\n", name, t * 1e9, cyc,
           t / base, 100.0 * cyc / EXIT_FLOOR_CYCLES);
}

static void print_report(double t_pw, double t_gw, double t_base, double ghz,
                         const struct pop_result *pop)
{
    double book = pop->shadow_pages * 4096.0 + pop->heap_bytes;
    double guest = pop->guest_pages * 4096.0;

    printf("%-30s %8s %8s %10s %12s\n", "handler, per trapped write", "ns",
           "cycles", "x baseline", "of the exit");
    print_handler("ppgtt-write (gtt_wp_write)", t_pw, t_base, ghz);
    print_handler("ggtt-write (gtt_ggtt_write)", t_gw, t_base, ghz);
    print_handler("baseline: lookup + store", t_base, t_base, ghz);
    printf("cycles: TSC at %.2f GHz; the exit: a %.0f-cycle VM exit round "
           "trip\n(literature.md), not counted above, nor Xen's instruction "
           "emulation.\nTarget: a handler <= 10%% of the exit.\n\n",
           ghz, EXIT_FLOOR_CYCLES);

    printf("%-30s %8s %12s %10s\n", "population of a 4 GiB PPGTT", "ms",
           "entries/s", "x walk");
    printf("%-30s %8.1f %12.3e %10.3f\n", "gtt_ppgtt_create",
           pop->t_engine * 1e3, pop->entries / pop->t_engine,
           pop->t_walk / pop->t_engine);
    printf("%-30s %8.1f %12.3e %10.3f\n", "baseline: walk + copy tables",
           pop->t_walk * 1e3, pop->entries / pop->t_walk, 1.0);
    printf("%" PRIu64 " PTEs (4K pages) in %u guest table pages\n\n",
           pop->entries, pop->guest_pages);

    printf("%-30s %8s %12s %10s\n", "memory per GiB mapped", "pages", "KiB",
           "x guest");
    printf("%-30s %8s %12.1f %10.4f\n", "shadow pages + engine heap", "",
           book / 1024 / POP_GIB, book / guest);
    printf("%-30s %8.1f %12.1f %10.4f\n", "  shadow table pages",
           pop->shadow_pages / (double)POP_GIB,
           pop->shadow_pages * 4.0 / POP_GIB,
           pop->shadow_pages / (double)pop->guest_pages);
    printf("%-30s %8s %12.1f %10.4f\n", "  engine heap", "",
           pop->heap_bytes / 1024.0 / POP_GIB, pop->heap_bytes / guest);
    printf("%-30s %8.1f %12.1f %10.4f\n", "guest's own table pages",
           pop->guest_pages / (double)POP_GIB,
           pop->guest_pages * 4.0 / POP_GIB, 1.0);
    printf("engine heap: %.1f bytes per shadow table page; the vGPU's fixed "
           "heap\n(whatever is mapped, not counted above): %.1f KiB.\n",
           pop->heap_bytes / (double)pop->shadow_pages,
           pop->vgpu_heap / 1024.0);
    printf("Target: shadow pages + engine heap <= 1.01 x the guest's table "
           "pages.\n");
}

static int write_json(const char *path, double t_pw, double t_gw,
                      double t_base, double ghz, const struct pop_result *pop)
{
    double book = pop->shadow_pages * 4096.0 + pop->heap_bytes;
    FILE *f = fopen(path, "w");

    if ( !f )
    {
        perror(path);
        return 1;
    }
    fprintf(f, "{\n \"exit_floor_cycles\": %.0f,\n \"tsc_ghz\": %.3f,\n",
            EXIT_FLOOR_CYCLES, ghz);
    fprintf(f, " \"handler\": {\n"
            "  \"ppgtt_write_ns\": %.2f, \"ppgtt_write_cycles\": %.0f,\n"
            "  \"ggtt_write_ns\": %.2f, \"ggtt_write_cycles\": %.0f,\n"
            "  \"baseline_ns\": %.2f, \"baseline_cycles\": %.0f,\n"
            "  \"ppgtt_write_x_baseline\": %.3f,"
            " \"ggtt_write_x_baseline\": %.3f,\n"
            "  \"ppgtt_write_x_floor\": %.4f, \"ggtt_write_x_floor\": %.4f\n"
            " },\n",
            t_pw * 1e9, t_pw * 1e9 * ghz, t_gw * 1e9, t_gw * 1e9 * ghz,
            t_base * 1e9, t_base * 1e9 * ghz, t_pw / t_base, t_gw / t_base,
            t_pw * 1e9 * ghz / EXIT_FLOOR_CYCLES,
            t_gw * 1e9 * ghz / EXIT_FLOOR_CYCLES);
    fprintf(f, " \"population\": {\n  \"gib\": %d, \"entries\": %" PRIu64
            ",\n  \"engine_s\": %.6f, \"walk_copy_s\": %.6f,\n"
            "  \"engine_entries_per_s\": %.0f,"
            " \"walk_entries_per_s\": %.0f,\n"
            "  \"engine_x_walk\": %.4f\n },\n",
            POP_GIB, pop->entries, pop->t_engine, pop->t_walk,
            pop->entries / pop->t_engine, pop->entries / pop->t_walk,
            pop->t_walk / pop->t_engine);
    fprintf(f, " \"memory\": {\n  \"shadow_pages\": %u,"
            " \"guest_table_pages\": %u,\n"
            "  \"shadow_pages_per_gib\": %.2f, \"shadow_x_guest\": %.4f,\n"
            "  \"engine_heap_bytes\": %ld, \"total_x_guest\": %.4f,\n"
            "  \"heap_bytes_per_shadow_page\": %.2f,"
            " \"vgpu_fixed_heap_bytes\": %ld\n }\n}\n",
            pop->shadow_pages, pop->guest_pages,
            pop->shadow_pages / (double)POP_GIB,
            pop->shadow_pages / (double)pop->guest_pages, pop->heap_bytes,
            book / (pop->guest_pages * 4096.0),
            pop->heap_bytes / (double)pop->shadow_pages, pop->vgpu_heap);
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    const char *json = NULL;
    double secs = 0.5, t_pw, t_gw, t_base, tsc_hz = 0, ghz;
    unsigned int runs = 5;
    struct pop_result pop;
    struct bench b;
    int i;

    for ( i = 1; i < argc; i++ )
    {
        if ( !strcmp(argv[i], "--time") && i + 1 < argc )
            secs = atof(argv[++i]);
        else if ( !strcmp(argv[i], "--runs") && i + 1 < argc )
            runs = atoi(argv[++i]);
        else if ( !strcmp(argv[i], "--json") && i + 1 < argc )
            json = argv[++i];
        else if ( !strcmp(argv[i], "--callgrind") && i + 2 < argc )
            return callgrind(argv[i + 1], strtoull(argv[i + 2], NULL, 0));
        else
            usage();
    }
    if ( runs < 1 || runs > 64 || secs <= 0 )
        usage();

    setup(&b);
    handler_setup(&b);
    t_pw = time_per_op(&b, ppgtt_writes, secs, runs, &tsc_hz);
    t_gw = time_per_op(&b, ggtt_writes, secs, runs, NULL);
    t_base = time_per_op(&b, baseline_writes, secs, runs, NULL);
    ghz = tsc_hz > 0 ? tsc_hz / 1e9 : 0;

    pop_build(&b);
    pop_measure(&b, runs < 3 ? runs : 3, &pop);
    teardown(&b);

    print_report(t_pw, t_gw, t_base, ghz, &pop);
    return json ? write_json(json, t_pw, t_gw, t_base, ghz, &pop) : 0;
}
