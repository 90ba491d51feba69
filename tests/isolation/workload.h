/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Workload generators of the isolation checker, driven by the command spec
 * tables: guests that set up their GGTT slices and PPGTT address spaces the
 * way i915 does and submit rings and batches the auditor accepts, mixed
 * with hostile ones (near-valid lengths, hostile operands, stray jumps,
 * GTT and page-table writes of every hostile kind, between an audit and
 * its execution too).  Deterministic: the operations depend on the seed
 * only, never on what the machine did with earlier ones.
 */
#ifndef ISO_WORKLOAD_H
#define ISO_WORKLOAD_H

#include "ops.h"

/* xorshift64*: small, fast, and the same everywhere. */
struct iso_rng {
    uint64_t s;
};

static inline void iso_rng_seed(struct iso_rng *r, uint64_t seed)
{
    r->s = seed * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;
    if ( !r->s )
        r->s = 1;
}

static inline uint64_t iso_rand(struct iso_rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545f4914f6cdd1dull;
}

/* Uniform in [0, n) (n > 0). */
static inline uint32_t iso_below(struct iso_rng *r, uint32_t n)
{
    return (uint32_t)(((iso_rand(r) >> 32) * n) >> 32);
}

static inline bool iso_pct(struct iso_rng *r, unsigned int percent)
{
    return iso_below(r, 100) < percent;
}

struct iso_workload;

/* The generator for one episode on a machine of nr_vgpus vGPUs. */
struct iso_workload *iso_workload_create(unsigned int gen,
                                         unsigned int nr_vgpus,
                                         uint64_t seed);
void iso_workload_destroy(struct iso_workload *w);
/* Also change the guests' physmaps (balloon out, back, new frames). */
void iso_workload_set_balloon(struct iso_workload *w, bool on);
/* The first operations: every guest sets up its GGTT and PPGTT. */
void iso_workload_boot(struct iso_workload *w, struct iso_episode *e);
/* Appends the next few operations to e; returns how many. */
unsigned int iso_workload_step(struct iso_workload *w, struct iso_episode *e);
/* Closes the episode: every pending submission executed. */
void iso_workload_finish(struct iso_workload *w, struct iso_episode *e);

#endif /* ISO_WORKLOAD_H */
