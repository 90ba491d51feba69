/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gtt-replay: replay a text trace of guest operations (GGTT writes, PPGTT
 * table writes, address-space lifecycle, resyncs) against the GTT engine
 * on a simulated p2m and GPU, and print what the GPU would reach.
 *
 *   gtt-replay [TRACE]        (no TRACE, or "-": standard input)
 *
 * Format and output: docs/gtt-trace.md.  Exit codes: 0 the trace ran (an
 * operation the engine refused is an output line, not a failure); 2 usage,
 * I/O error or malformed trace (nothing runs); 3 the engine broke an
 * invariant the simulation checks: the GPU reaches a frame that is not the
 * guest's referenced RAM or not what the engine reports, a reference was
 * dropped while the GPU could still reach the frame, or something leaked.
 */
#include <inttypes.h>

#include <asm/hvm/gtt.h>
#include "sim.h"
#include "trace.h"

#define MAX_VGPUS     64
#define GGTT_ENTRIES  (1ULL << 20)      /* a 4 GiB global GTT */

struct replay_vgpu {
    unsigned int id;
    struct sim_domain *sd;
    struct gtt_vgpu *v;
};

struct replay {
    struct sim sim;
    struct fake_gpu *gpu;
    struct gtt_hw hw;
    struct gtt_device dev;
    bool dev_up;
    struct replay_vgpu vgpu[MAX_VGPUS];
    unsigned int nr_vgpus;
    long base_pages;                    /* domheap pages of the device */
    bool broken;                        /* an invariant check failed */
    /* Physical-map size of each domain the trace declares (pre-pass). */
    struct {
        domid_t id;
        unsigned long max_gfn;
    } size[SIM_MAX_DOMAINS];
    unsigned int nr_sizes;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: gtt-replay [TRACE]\n"
            "Replays a GTT trace (docs/gtt-trace.md) against the GTT engine\n"
            "on a simulated p2m and GPU; reads standard input without TRACE\n"
            "or with -.  Exit: 0 ran, 2 usage/I-O/malformed trace, 3 engine\n"
            "invariant broken.\n");
}

/* Engine return codes: a reason (gtt.h) or a negative errno. */
static const char *reason(int rc)
{
    static char buf[32];

    if ( rc > 0 && rc < GTT_ERR_NR )
        return gtt_reason_name(rc);
    switch ( rc )
    {
    case -EINVAL: return "invalid";
    case -EEXIST: return "exists";
    case -ENOENT: return "not-found";
    case -ENOMEM: return "no-memory";
    case -EBUSY:  return "busy";
    case -ENOSPC: return "no-space";
    }
    snprintf(buf, sizeof(buf), "error%d", rc);
    return buf;
}

/* An error line; entries > 1: that many entries were refused so. */
static void print_refusal(const struct trace_op *op, const char *who,
                          uint64_t id, const char *why, uint64_t entries)
{
    printf("{\"op\":\"%s\",\"line\":%lu,\"%s\":%" PRIu64 ",\"error\":\"%s\"",
           trace_op_name(op->kind), op->line, who, id, why);
    if ( entries > 1 )
        printf(",\"entries\":%" PRIu64, entries);
    printf("}\n");
}

static void print_error(const struct trace_op *op, const char *who,
                        uint64_t id, const char *why)
{
    print_refusal(op, who, id, why, 0);
}

/*
 * Entries the engine refused while handling one call, by reason, from its
 * stats (a trapped PTE write or a resync that maps an entry to scratch
 * returns GTT_OK; so does a population that refused some entries), except
 * reason 'skip', which the call returned and its caller prints.
 */
static void print_refused_entries(const struct trace_op *op, unsigned int id,
                                  int skip, const struct gtt_stats *before,
                                  const struct gtt_stats *after)
{
    unsigned int k;

    for ( k = 1; k < GTT_ERR_NR; k++ )
        if ( (int)k != skip && after->refused[k] != before->refused[k] )
            print_refusal(op, "vgpu", id, gtt_reason_name(k),
                          after->refused[k] - before->refused[k]);
}

/* What one engine call refused: its return code, then entries. */
static void print_refusals(const struct trace_op *op, unsigned int id, int rc,
                           const struct gtt_stats *before,
                           const struct gtt_stats *after)
{
    if ( rc )
        print_refusal(op, "vgpu", id, reason(rc),
                      rc > 0 && rc < GTT_ERR_NR
                      ? after->refused[rc] - before->refused[rc] : 0);
    print_refused_entries(op, id, rc, before, after);
}

static struct replay_vgpu *find_vgpu(struct replay *r, uint64_t id)
{
    unsigned int i;

    for ( i = 0; i < r->nr_vgpus; i++ )
        if ( r->vgpu[i].id == id )
            return &r->vgpu[i];
    return NULL;
}

/* Pre-pass: each domain's physical map ends at its highest declared frame. */
static void size_domains(struct replay *r, const struct trace *t)
{
    size_t i;
    unsigned int j;

    for ( i = 0; i < t->nr; i++ )
    {
        const struct trace_op *op = &t->ops[i];
        uint64_t end = op->a[1] + op->a[2];

        if ( op->kind != OP_DOMAIN || !op->a[2] || end < op->a[1] ||
             end > SIM_MAX_GFNS )
            continue;
        for ( j = 0; j < r->nr_sizes; j++ )
            if ( r->size[j].id == op->a[0] )
                break;
        if ( j == r->nr_sizes )
        {
            if ( j == SIM_MAX_DOMAINS )
                continue;
            r->size[j].id = op->a[0];
            r->size[j].max_gfn = 0;
            r->nr_sizes++;
        }
        if ( end > r->size[j].max_gfn )
            r->size[j].max_gfn = end;
    }
}

static void do_domain(struct replay *r, const struct trace_op *op)
{
    struct sim_domain *sd = sim_domain_find(&r->sim, op->a[0]);
    const char *why;
    unsigned int j;

    if ( !sd )
    {
        unsigned long max_gfn = 1;

        for ( j = 0; j < r->nr_sizes; j++ )
            if ( r->size[j].id == op->a[0] )
                max_gfn = r->size[j].max_gfn;
        sd = sim_domain_add(&r->sim, op->a[0], max_gfn);
        if ( !sd )
        {
            print_error(op, "domain", op->a[0], "too-many-domains");
            return;
        }
    }
    why = sim_map(&r->sim, sd, op->sub, op->a[1], op->a[2],
                  op->a[4] ? &op->a[3] : NULL);
    if ( why )
        print_error(op, "domain", op->a[0], why);
}

static void do_vgpu(struct replay *r, const struct trace_op *op)
{
    struct gtt_vgpu_config cfg;
    struct replay_vgpu *rv;
    struct sim_domain *sd;
    int rc;

    if ( find_vgpu(r, op->a[0]) )
    {
        print_error(op, "vgpu", op->a[0], "vgpu-exists");
        return;
    }
    sd = sim_domain_find(&r->sim, op->a[1]);
    if ( !sd )
    {
        print_error(op, "vgpu", op->a[0], "unknown-domain");
        return;
    }
    if ( r->nr_vgpus == MAX_VGPUS )
    {
        print_error(op, "vgpu", op->a[0], "too-many-vgpus");
        return;
    }
    memset(&cfg, 0, sizeof(cfg));
    cfg.d = sd->d;
    cfg.id = op->a[0];
    cfg.aperture_base = op->a[2];
    cfg.aperture_size = op->a[3];
    cfg.hidden_base = op->a[4];
    cfg.hidden_size = op->a[5];
    cfg.shadow_quota = op->a[6];
    cfg.oos = op->sub;
    cfg.oos_threshold = op->a[7] ? op->a[7] : GTT_DEFAULT_OOS_THRESHOLD;
    rv = &r->vgpu[r->nr_vgpus];
    rc = gtt_vgpu_create(&r->dev, &cfg, &rv->v);
    if ( rc )
    {
        print_error(op, "vgpu", op->a[0], reason(rc));
        return;
    }
    rv->id = op->a[0];
    rv->sd = sd;
    r->nr_vgpus++;
}

/* Guest CPU write: to the engine for every vGPU protecting the frame. */
static void do_write(struct replay *r, const struct trace_op *op)
{
    struct sim_domain *sd = sim_domain_find(&r->sim, op->a[0]);
    unsigned long gfn = op->a[1] >> PAGE_SHIFT;
    struct gtt_stats before, after;
    bool trapped = false;
    const char *why;
    unsigned int i;
    int rc;

    if ( !sd )
    {
        print_error(op, "domain", op->a[0], "unknown-domain");
        return;
    }
    for ( i = 0; i < r->nr_vgpus; i++ )
    {
        struct replay_vgpu *rv = &r->vgpu[i];

        if ( rv->sd != sd || !gtt_wp_claims(rv->v, gfn) )
            continue;
        trapped = true;
        gtt_vgpu_stats(rv->v, &before);
        rc = op->a[2] > 8 ? GTT_ERR_BAD_ACCESS
                          : gtt_wp_write(rv->v, op->a[1], op->a[2], op->a[3]);
        gtt_vgpu_stats(rv->v, &after);
        print_refusals(op, rv->id, rc, &before, &after);
    }
    if ( trapped )
        return;
    why = op->a[2] > 8 ? gtt_reason_name(GTT_ERR_BAD_ACCESS)
                       : sim_cpu_write(sd, op->a[1], op->a[2], op->a[3]);
    if ( why )
        print_error(op, "domain", op->a[0], why);
}

static uint64_t frame_pte(unsigned long mfn)
{
    return ((uint64_t)mfn << PAGE_SHIFT) | FAKE_GPU_PTE_PRESENT;
}

/* A scratch page: the device's, or one of the live vGPUs' own. */
static bool is_scratch_pte(const struct replay *r, uint64_t pte)
{
    unsigned int i;

    if ( pte == frame_pte(r->dev.scratch_mfn) )
        return true;
    for ( i = 0; i < r->nr_vgpus; i++ )
        if ( r->vgpu[i].v &&
             pte == frame_pte(gtt_vgpu_scratch_mfn(r->vgpu[i].v)) )
            return true;

    return false;
}

/*
 * The engine's answer for a GGTT address must be what the physical entry
 * holds: the GPU walks that, not the engine's bookkeeping.
 */
static bool ggtt_agrees(const struct gtt_vgpu *v, uint64_t gaddr,
                        const struct gtt_xlate *x)
{
    uint64_t pte = fake_gpu_ggtt(gaddr >> PAGE_SHIFT);
    const struct page_info *pg = fake_frame(x->mfn);
    const struct domain *owner = pg ? page_get_owner(pg) : NULL;

    /* Invalid entries: the vGPU's own scratch page, no other. */
    if ( x->scratch )
        return pte == frame_pte(gtt_vgpu_scratch_mfn(v));
    return pte == frame_pte(x->mfn) &&
           owner && owner->domain_id == x->domain;
}

/*
 * Whatever the engine's bookkeeping says, a frame the GPU reaches must be
 * RAM of the vGPU's own domain (per the simulated frame table) with a
 * reference held on it.
 */
static bool frame_safe(const struct replay_vgpu *rv,
                       const struct gtt_xlate *x)
{
    const struct page_info *pg = fake_frame(x->mfn);

    if ( x->scratch )
        return true;
    return pg && x->mfn < FAKE_XEN_MFN_BASE &&
           page_get_owner(pg) == rv->sd->d && x->domain == rv->sd->id &&
           fake_page_refs(x->mfn) > 0;
}

static void print_xlate(const struct trace_op *op, int rc,
                        const struct gtt_xlate *x)
{
    if ( rc )
    {
        print_error(op, "vgpu", op->a[0], reason(rc));
        return;
    }
    printf("{\"op\":\"translate\",\"vgpu\":%" PRIu64 ",", op->a[0]);
    if ( op->sub == TRACE_SPACE_PPGTT )
        printf("\"root\":\"0x%" PRIx64 "\",", op->a[1]);
    printf("\"addr\":\"0x%" PRIx64 "\",\"result\":", op->a[2]);
    if ( x->scratch )
        printf("\"scratch\"}\n");
    else
        printf("{\"domain\":%u,\"gfn\":\"0x%lx\",\"mfn\":\"0x%lx\"}}\n",
               (unsigned int)x->domain, x->gfn, x->mfn);
}

static void print_stats(const struct replay_vgpu *rv)
{
    struct gtt_stats st;
    unsigned int k;
    bool first = true;

    gtt_vgpu_stats(rv->v, &st);
    printf("{\"op\":\"stats\",\"vgpu\":%u,\"writes_trapped\":%" PRIu64
           ",\"entries_validated\":%" PRIu64 ",\"refused\":{",
           rv->id, st.writes_trapped, st.entries_validated);
    for ( k = 1; k < GTT_ERR_NR; k++ )
    {
        if ( !st.refused[k] )
            continue;
        printf("%s\"%s\":%" PRIu64, first ? "" : ",", gtt_reason_name(k),
               st.refused[k]);
        first = false;
    }
    printf("},\"shadow_pages\":%u,\"refs_held\":%lu,\"address_spaces\":%u,"
           "\"oos_pages\":%u,\"splits\":%" PRIu64 ",\"reclaims\":%" PRIu64
           "}\n", st.shadow_pages, st.refs_held, st.address_spaces,
           st.oos_pages, st.splits, st.reclaims);
}

/* References the shim counts on the frames sd maps. */
static long domain_refs(const struct sim_domain *sd)
{
    unsigned long gfn;
    long refs = 0;

    for ( gfn = 0; gfn < sd->d->max_gfn; gfn++ )
        if ( sd->mfn[gfn] )
            refs += fake_page_refs(sd->mfn[gfn] - 1);
    return refs;
}

static void do_destroy(struct replay *r, struct replay_vgpu *rv)
{
    unsigned int id = rv->id;
    struct sim_domain *sd = rv->sd;

    gtt_vgpu_destroy(rv->v);
    *rv = r->vgpu[--r->nr_vgpus];
    printf("{\"op\":\"destroy\",\"vgpu\":%u,\"refs_left\":%ld,"
           "\"engine_pages\":%ld}\n", id, domain_refs(sd),
           fake_domheap_live() - r->base_pages);
}

/*
 * An 8-byte store by the GPU through the shadow: it lands in the frame the
 * address translates to (in the scratch page: nowhere that matters), with
 * no trap, whatever the guest uses the frame for.
 */
static void gpu_store(const struct trace_op *op, const struct gtt_xlate *x)
{
    uint64_t *p;

    if ( op->a[2] & 7 )
    {
        print_error(op, "vgpu", op->a[0], "bad-access");
        return;
    }
    if ( x->scratch )
        return;
    p = map_domain_page(_mfn(x->mfn));
    p[(op->a[2] & (PAGE_SIZE - 1)) / 8] = op->a[3];
    unmap_domain_page(p);
}

static void do_translate(struct replay *r, const struct trace_op *op,
                         struct replay_vgpu *rv)
{
    struct gtt_stats before, after;
    struct gtt_xlate x;
    int rc;

    memset(&x, 0, sizeof(x));
    gtt_vgpu_stats(rv->v, &before);
    if ( op->sub == TRACE_SPACE_GGTT )
        rc = gtt_translate_ggtt(rv->v, op->a[2], &x);
    else
        rc = gtt_translate_ppgtt(rv->v, op->a[1], op->a[2], &x);
    gtt_vgpu_stats(rv->v, &after);
    /* A reclaimed address space is shadowed again on the way. */
    print_refused_entries(op, rv->id, rc, &before, &after);
    if ( !rc && op->sub == TRACE_SPACE_GGTT &&
         !ggtt_agrees(rv->v, op->a[2], &x) )
    {
        print_error(op, "vgpu", op->a[0], "gpu-disagrees");
        r->broken = true;
        return;
    }
    if ( !rc && !frame_safe(rv, &x) )
    {
        print_error(op, "vgpu", op->a[0], "unsafe-frame");
        r->broken = true;
        return;
    }
    if ( op->kind == OP_GPU_WRITE && !rc )
        gpu_store(op, &x);
    else
        print_xlate(op, rc, &x);
}

/* Guest reads of its GGTT and PVINFO: the value, or the refusal. */
static int do_read(const struct trace_op *op, struct replay_vgpu *rv)
{
    uint64_t val = 0;
    int rc;

    if ( op->kind == OP_GGTT_READ )
        rc = gtt_ggtt_read(rv->v, op->a[1], 0, 8, &val);
    else
        rc = op->a[1] > UINT32_MAX || op->a[2] > 8
             ? GTT_ERR_BAD_ACCESS
             : gtt_pvinfo_read(rv->v, op->a[1], op->a[2], &val);
    if ( !rc )
        printf("{\"op\":\"%s\",\"vgpu\":%u,\"%s\":\"0x%" PRIx64
               "\",\"value\":\"0x%" PRIx64 "\"}\n",
               trace_op_name(op->kind), rv->id,
               op->kind == OP_GGTT_READ ? "index" : "offset", op->a[1], val);
    return rc;
}

static void run_vgpu_op(struct replay *r, const struct trace_op *op,
                        struct replay_vgpu *rv)
{
    struct gtt_stats before, after;
    uint64_t roots[4];
    int rc = GTT_OK;

    switch ( op->kind )
    {
    case OP_TRANSLATE:
    case OP_GPU_WRITE:
        do_translate(r, op, rv);
        return;
    case OP_STATS:
        print_stats(rv);
        return;
    case OP_DESTROY:
        do_destroy(r, rv);
        return;
    }

    gtt_vgpu_stats(rv->v, &before);
    switch ( op->kind )
    {
    case OP_GGTT:
        rc = gtt_ggtt_write(rv->v, op->a[1], 0, 8, op->a[2]);
        break;
    case OP_GGTT32:
        rc = gtt_ggtt_write(rv->v, op->a[1], op->sub * 4, 4, op->a[2]);
        break;
    case OP_GGTT_READ:
    case OP_PVINFO:
        rc = do_read(op, rv);
        break;
    case OP_PVINFO_WRITE:
        rc = op->a[1] > UINT32_MAX || op->a[2] > 8
             ? GTT_ERR_BAD_ACCESS
             : gtt_pvinfo_write(rv->v, op->a[1], op->a[2], op->a[3]);
        break;
    case OP_PPGTT_CREATE:
        rc = gtt_ppgtt_create(rv->v, op->sub, &op->a[1]);
        break;
    case OP_PPGTT_DESTROY:
        rc = gtt_ppgtt_destroy(rv->v, op->a[1]);
        break;
    case OP_PIN:
        rc = gtt_ppgtt_pin(rv->v, op->a[1], roots);
        break;
    case OP_UNPIN:
        rc = gtt_ppgtt_unpin(rv->v, op->a[1]);
        break;
    case OP_SYNC:
        rc = gtt_sync(rv->v);
        break;
    case OP_RESET:
        gtt_vgpu_reset(rv->v);
        break;
    }
    gtt_vgpu_stats(rv->v, &after);
    print_refusals(op, rv->id, rc, &before, &after);
}

/* The physical GGTT entry: what the GPU really uses. */
static void do_ggtt_hw(struct replay *r, const struct trace_op *op)
{
    uint64_t pte;

    if ( op->a[0] >= GGTT_ENTRIES )
    {
        printf("{\"op\":\"ggtt-hw\",\"line\":%lu,\"index\":\"0x%" PRIx64
               "\",\"error\":\"range\"}\n", op->line, op->a[0]);
        return;
    }
    pte = fake_gpu_ggtt(op->a[0]);
    printf("{\"op\":\"ggtt-hw\",\"index\":\"0x%" PRIx64 "\",\"pte\":",
           op->a[0]);
    if ( is_scratch_pte(r, pte) )
        printf("\"scratch\"}\n");
    else
        printf("\"0x%" PRIx64 "\"}\n", pte);
}

static void run_op(struct replay *r, const struct trace_op *op)
{
    struct replay_vgpu *rv;

    switch ( op->kind )
    {
    case OP_DOMAIN:
        do_domain(r, op);
        break;
    case OP_VGPU:
        do_vgpu(r, op);
        break;
    case OP_WRITE:
        do_write(r, op);
        break;
    case OP_GGTT_HW:
        do_ggtt_hw(r, op);
        break;
    default:
        rv = find_vgpu(r, op->a[0]);
        if ( rv )
            run_vgpu_op(r, op, rv);
        else
            print_error(op, "vgpu", op->a[0], "unknown-vgpu");
        break;
    }
}

static void run(struct replay *r, const struct trace *t)
{
    unsigned long early = 0;
    size_t i;

    for ( i = 0; i < t->nr; i++ )
    {
        run_op(r, &t->ops[i]);
        /* A reference dropped while the GPU could still reach the frame. */
        if ( fake_put_violations() != early )
        {
            early = fake_put_violations();
            print_error(&t->ops[i], t->ops[i].kind == OP_DOMAIN ||
                        t->ops[i].kind == OP_WRITE ? "domain" : "vgpu",
                        t->ops[i].a[0], "early-put");
            r->broken = true;
        }
    }
}

static int setup(struct replay *r)
{
    memset(r, 0, sizeof(*r));
    if ( sim_init(&r->sim) )
        return -ENOMEM;
    r->gpu = fake_gpu_create(GGTT_ENTRIES);
    if ( !r->gpu )
        return -ENOMEM;
    r->hw.gsm = r->gpu->gsm;
    r->hw.mmio = r->gpu->mmio;
    if ( gtt_device_init(&r->dev, GGTT_ENTRIES, &r->hw) )
        return -ENOMEM;
    r->dev_up = true;
    r->base_pages = fake_domheap_live();
    return 0;
}

/* Tear everything down; 0 if nothing leaked and no reference went early. */
static int teardown(struct replay *r)
{
    int bad = r->broken;

    while ( r->nr_vgpus )
    {
        gtt_vgpu_destroy(r->vgpu[r->nr_vgpus - 1].v);
        r->nr_vgpus--;
    }
    if ( fake_refs_total() )
    {
        fprintf(stderr, "gtt-replay: %ld page references left after destroy\n",
                fake_refs_total());
        bad = 1;
    }
    if ( fake_domheap_live() != r->base_pages )
    {
        fprintf(stderr, "gtt-replay: %ld engine pages left after destroy\n",
                fake_domheap_live() - r->base_pages);
        bad = 1;
    }
    if ( fake_put_violations() )
    {
        fprintf(stderr, "gtt-replay: %lu references dropped while the GPU "
                "could still reach the frame\n", fake_put_violations());
        bad = 1;
    }
    if ( r->dev_up )
        gtt_device_destroy(&r->dev);
    if ( r->gpu )
        fake_gpu_destroy(r->gpu);
    sim_destroy(&r->sim);
    if ( fake_maps_live() )
    {
        fprintf(stderr, "gtt-replay: %ld page mappings left\n",
                fake_maps_live());
        bad = 1;
    }
    if ( fake_domheap_live() || host_alloc_stats.xmalloc_live )
    {
        fprintf(stderr, "gtt-replay: leak: %ld pages, %ld allocations\n",
                fake_domheap_live(), host_alloc_stats.xmalloc_live);
        bad = 1;
    }
    fake_p2m_reset();
    return bad;
}

int main(int argc, char **argv)
{
    static struct replay r;
    const char *name = "<stdin>";
    struct trace t;
    FILE *f = stdin;
    int bad;

    if ( argc > 2 )
    {
        usage(stderr);
        return 2;
    }
    if ( argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) )
    {
        usage(stdout);
        return 0;
    }
    if ( argc == 2 && argv[1][0] == '-' && argv[1][1] )
    {
        usage(stderr);
        return 2;
    }
    if ( argc == 2 && strcmp(argv[1], "-") )
    {
        name = argv[1];
        f = fopen(name, "r");
        if ( !f )
        {
            fprintf(stderr, "gtt-replay: %s: %s\n", name, strerror(errno));
            return 2;
        }
    }
    bad = trace_parse(f, name, &t);
    if ( f != stdin )
        fclose(f);
    if ( bad )
        return 2;

    if ( setup(&r) )
    {
        fprintf(stderr, "gtt-replay: cannot set up the simulated machine\n");
        teardown(&r);
        trace_free(&t);
        return 2;
    }
    size_domains(&r, &t);
    run(&r, &t);
    trace_free(&t);
    fflush(stdout);
    return teardown(&r) ? 3 : 0;
}
