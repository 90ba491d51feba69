/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * isolation: runs generated workloads (workload.h) on simulated hosts of
 * 2 to 8 vGPUs (machine.h), every access of the GPU model judged by the
 * checker (check.h), and stops at the first violation with a minimized
 * reproducer.
 *
 *   isolation [--seed S] [--ops N] [--gen 8|9] [--soak SECONDS]
 *             [--episode-ops N] [--out DIR] [--no-minimize]
 *             [--keep-going] [--episode SEED] [--balloon]
 *   isolation --replay FILE [--shrink]
 *
 * --keep-going surveys instead of stopping: one line per violating
 * episode (counts by kind, the first violation of each kind); --episode
 * runs the one episode of that seed (as a survey line names it); --shrink
 * minimizes a reproducer again; --balloon makes the guests change their
 * physmaps too (not part of make test: see the report of issue 5).
 *
 * Operations are counted as generated guest actions plus generated
 * commands.  Output ends with "isolation: N operations, M violations".
 */
#include <inttypes.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "minimize.h"
#include "workload.h"

struct opts {
    uint64_t seed;
    uint64_t ops;
    unsigned int gen;
    double soak;
    uint64_t episode_ops;
    const char *out;
    const char *replay;
    bool minimize;
    bool keep_going;
    bool shrink;                     /* --replay: minimize it again */
    bool balloon;                    /* --balloon: physmap changes too */
    bool one_episode;                /* --episode: only that episode seed */
    uint64_t episode_seed;
};

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t splitmix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static void print_log(FILE *f, const struct gpu_check *chk, const char *pfx)
{
    unsigned int i;

    for ( i = 0; i < chk->nr_log; i++ )
        fprintf(f, "%s%s: %s\n", pfx, gpu_violation_name(chk->log[i].kind),
                chk->log[i].detail);
    if ( chk->violations > chk->nr_log )
        fprintf(f, "%s... %" PRIu64 " in all\n", pfx, chk->violations);
}

static void print_stats(const struct iso_stats *st, double secs,
                        uint64_t violations)
{
    uint64_t subs = st->audits ? st->audits : 1;
    unsigned int r, shown = 0;

    printf("episodes %" PRIu64 ", guest actions %" PRIu64
           ", commands generated %" PRIu64 "\n",
           st->episodes, st->actions, st->cmds_generated);
    printf("submissions %" PRIu64 ": accepted %" PRIu64 " (%.1f%%), "
           "refused by the auditor %" PRIu64 ", by the PDP glue %" PRIu64
           ", context roots refused %" PRIu64 "\n",
           st->audits, st->accepted, 100.0 * st->accepted / subs,
           st->refused, st->refused_glue, st->ctx_refused);
    printf("well-formed submissions %" PRIu64 ": accepted %" PRIu64
           " (%.1f%%)\n", st->audits_clean, st->accepted_clean,
           100.0 * st->accepted_clean /
           (st->audits_clean ? st->audits_clean : 1));
    printf("executed %" PRIu64 " (%.1f%% of submissions), commands executed %"
           PRIu64 ", memory pages accessed %" PRIu64 ", register accesses %"
           PRIu64 "\n",
           st->executed, 100.0 * st->executed / subs, st->cmds_executed,
           st->mem_accesses, st->reg_accesses);
    printf("GTT operations refused by the engine %" PRIu64
           "; entries validated %" PRIu64 ", refused %" PRIu64
           ", TLB invalidations %" PRIu64 ", resyncs %" PRIu64
           ", reclaims %" PRIu64 ", huge splits %" PRIu64 "\n",
           st->gtt_refused, st->gtt_validated, st->gtt_refused_entries,
           st->gtt_tlb, st->gtt_resyncs, st->gtt_reclaims, st->gtt_splits);
    printf("auditor refusals by reason:");
    for ( r = 0; r < 64; r++ )
        if ( st->by_reason[r] && shown++ < 32 )
            printf(" %s=%" PRIu64, gpu_audit_reason_name(r), st->by_reason[r]);
    printf("\n");
    printf("time %.2f s, %.0f operations/s\n", secs,
           secs > 0 ? st->ops / secs : 0.0);
    printf("isolation: %" PRIu64 " operations, %" PRIu64 " violations\n",
           st->ops, violations);
}

/* The first logged violation of every kind that occurred, on one line. */
static void print_first_by_kind(const struct gpu_check *chk)
{
    unsigned int kind, i;

    for ( kind = 1; kind < GPU_V_NR; kind++ )
        for ( i = 0; i < chk->nr_log; i++ )
            if ( chk->log[i].kind == kind )
            {
                printf(" | %s: %s", gpu_violation_name(kind),
                       chk->log[i].detail);
                break;
            }
    printf("\n");
}

/* One generated episode; returns its violations (chk has them). */
static uint64_t run_episode(const struct opts *o, uint64_t eseed,
                            struct iso_episode *ep, struct gpu_check *chk,
                            struct iso_stats *st)
{
    unsigned int nr = 2 + splitmix(eseed ^ 0x5a5a) % (ISO_MAX_VGPUS - 1);
    struct iso_workload *w;
    struct iso_machine *m;
    unsigned int applied = 0;
    uint64_t weight = 0;
    bool closing = false;

    iso_episode_init(ep, o->gen, nr);
    gpu_check_init(chk, gpu_check_ref_spec(o->gen));
    m = iso_machine_create(o->gen, nr, chk);
    w = iso_workload_create(o->gen, nr, eseed);
    if ( !m || !w )
        exit(2);
    iso_workload_set_balloon(w, o->balloon);
    iso_workload_boot(w, ep);
    for ( ; ; )
    {
        for ( ; applied < ep->nr; applied++ )
        {
            iso_machine_apply(m, &ep->ops[applied], st);
            weight += iso_op_weight(&ep->ops[applied]);
            if ( chk->violations )
                break;
        }
        if ( chk->violations || closing )
            break;
        if ( weight >= o->episode_ops )
        {
            iso_workload_finish(w, ep);
            closing = true;
            continue;
        }
        iso_workload_step(w, ep);
    }
    /* Operations after the violating one are not part of the episode. */
    while ( ep->nr > applied + (chk->violations ? 1 : 0) &&
            ep->nr > applied )
        iso_op_free(&ep->ops[--ep->nr]);
    iso_workload_destroy(w);
    iso_machine_engine_stats(m, st);
    iso_machine_destroy(m);
    st->episodes++;
    return chk->violations;
}

static int report(const struct opts *o, uint64_t episode, uint64_t eseed,
                  struct iso_episode *ep, const struct gpu_check *chk)
{
    unsigned int kind = chk->log[0].kind, tests = 0;
    char path[512];
    struct gpu_check again;
    FILE *f;

    printf("VIOLATION: seed %" PRIu64 ", episode %" PRIu64 " (episode seed %"
           PRIu64 "), gen %u, %u vGPUs, %u operations\n",
           o->seed, episode, eseed, ep->gen, ep->nr_vgpus, ep->nr);
    print_log(stdout, chk, "  ");
    if ( o->minimize )
    {
        tests = iso_minimize(ep, kind, 4000);
        printf("minimized to %u operations (%u replays)\n", ep->nr, tests);
    }
    iso_replay(ep, ep->ops, ep->nr, &again, NULL);
    mkdir(o->out, 0777);
    snprintf(path, sizeof(path), "%s/repro-%" PRIu64 ".txt", o->out, o->seed);
    f = fopen(path, "w");
    if ( f )
    {
        fprintf(f, "# isolation reproducer: seed %" PRIu64 ", episode %"
                PRIu64 "\n", o->seed, episode);
        print_log(f, &again, "# ");
        iso_episode_print(f, ep);
        fclose(f);
    }
    printf("reproducer (%s):\n", path);
    iso_episode_print(stdout, ep);
    printf("replay: isolation --replay %s\n", path);
    return again.by_kind[kind] ? 0 : -1;
}

static int run(const struct opts *o)
{
    struct iso_stats st;
    struct iso_episode ep;
    struct gpu_check chk;
    double t0 = now(), secs;
    uint64_t k, found = 0, by_kind[GPU_V_NR] = { 0 };
    unsigned int i;

    memset(&st, 0, sizeof(st));
    for ( k = 0; ; k++ )
    {
        uint64_t eseed = o->one_episode
                         ? o->episode_seed
                         : splitmix(o->seed * 0x100000001b3ull + k);

        if ( o->one_episode && k )
            break;
        if ( o->soak ? now() - t0 >= o->soak : st.ops >= o->ops )
            break;
        if ( run_episode(o, eseed, &ep, &chk, &st) && o->keep_going )
        {
            /*
             * Survey: each violating episode on one line (its number, the
             * operations so far, the counts by kind, the first violation),
             * then on.  Episodes are the same whatever the build does.
             */
            found += chk.violations;
            printf("episode %" PRIu64 " ops %" PRIu64 ":", k, st.ops);
            for ( i = 1; i < GPU_V_NR; i++ )
            {
                by_kind[i] += chk.by_kind[i];
                if ( chk.by_kind[i] )
                    printf(" %s=%" PRIu64, gpu_violation_name(i),
                           chk.by_kind[i]);
            }
            printf(" | seed %" PRIu64 ", %u vGPUs", eseed, ep.nr_vgpus);
            print_first_by_kind(&chk);
        }
        else if ( chk.violations )
        {
            secs = now() - t0;
            report(o, k, eseed, &ep, &chk);
            iso_episode_free(&ep);
            print_stats(&st, secs, chk.violations);
            return 1;
        }
        iso_episode_free(&ep);
    }
    secs = now() - t0;
    if ( o->keep_going )
    {
        printf("violations by kind:");
        for ( i = 1; i < GPU_V_NR; i++ )
            printf(" %s=%" PRIu64, gpu_violation_name(i), by_kind[i]);
        printf("\n");
    }
    print_stats(&st, secs, found);
    return found ? 1 : 0;
}

static int replay_file(const struct opts *o)
{
    struct iso_episode ep;
    struct iso_stats st;
    struct gpu_check chk;
    FILE *f = fopen(o->replay, "r");
    uint64_t v;

    if ( !f )
    {
        perror(o->replay);
        return 2;
    }
    if ( iso_episode_read(f, &ep) )
    {
        fclose(f);
        return 2;
    }
    fclose(f);
    memset(&st, 0, sizeof(st));
    v = iso_replay(&ep, ep.ops, ep.nr, &chk, &st);
    print_log(stdout, &chk, "  ");
    if ( v && o->shrink )
    {
        unsigned int tests = iso_minimize(&ep, chk.log[0].kind, 4000);

        printf("minimized to %u operations (%u replays):\n", ep.nr, tests);
        iso_episode_print(stdout, &ep);
    }
    print_stats(&st, 0, v);
    iso_episode_free(&ep);
    return v ? 1 : 0;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: isolation [--seed S] [--ops N] [--gen 8|9] "
            "[--soak SECONDS] [--episode-ops N] [--out DIR] "
            "[--no-minimize] [--keep-going] [--episode SEED] [--balloon]\n"
            "       isolation --replay FILE [--shrink]\n"
            "       --trace FILE (or -): every access the checker sees, one "
            "line each\n");
    exit(2);
}

int main(int argc, char **argv)
{
    struct opts o = {
        .seed = 1, .ops = 10000000, .gen = 9, .episode_ops = 6000,
        .out = "build/isolation", .minimize = true,
    };
    int i;

    for ( i = 1; i < argc; i++ )
    {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

        if ( !strcmp(a, "--no-minimize") )
        {
            o.minimize = false;
            continue;
        }
        if ( !strcmp(a, "--balloon") )
        {
            o.balloon = true;
            continue;
        }
        if ( !strcmp(a, "--shrink") )
        {
            o.shrink = true;
            continue;
        }
        if ( !strcmp(a, "--keep-going") )
        {
            o.keep_going = true;
            continue;
        }
        if ( !val )
            usage();
        i++;
        if ( !strcmp(a, "--seed") )
            o.seed = strtoull(val, NULL, 0);
        else if ( !strcmp(a, "--ops") )
            o.ops = strtod(val, NULL);
        else if ( !strcmp(a, "--gen") )
            o.gen = strtoul(val, NULL, 0);
        else if ( !strcmp(a, "--soak") )
            o.soak = strtod(val, NULL);
        else if ( !strcmp(a, "--episode-ops") )
            o.episode_ops = strtoull(val, NULL, 0);
        else if ( !strcmp(a, "--out") )
            o.out = val;
        else if ( !strcmp(a, "--episode") )
        {
            o.one_episode = true;
            o.episode_seed = strtoull(val, NULL, 0);
        }
        else if ( !strcmp(a, "--replay") )
            o.replay = val;
        else if ( !strcmp(a, "--trace") )
        {
            FILE *f = strcmp(val, "-") ? fopen(val, "w") : stdout;

            if ( !f )
            {
                perror(val);
                return 2;
            }
            gpu_check_set_trace(f);
        }
        else
            usage();
    }
    if ( o.gen != 8 && o.gen != 9 )
        usage();
    host_printk_quiet = 1;
    if ( o.replay )
        return replay_file(&o);
    return run(&o);
}
