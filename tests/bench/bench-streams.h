/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Generated command streams for bench-audit beyond the corpus and the 3D
 * draws of bench-audit.c: blitter batches and the worst cases (see
 * bench-streams.c).
 */
#ifndef BENCH_STREAMS_H
#define BENCH_STREAMS_H

#include <stdint.h>

#include "region.h"

#define BENCH_MAX_REGIONS 16

/* One submission: a PPGTT batch at r[0].addr, with every region mapped. */
struct bench_stream_sub {
    unsigned int gen;
    unsigned int engine;
    unsigned int nr;
    struct region r[BENCH_MAX_REGIONS];
};

/* The benches' PRNG (xorshift64*): the next 32 bits from *state (not 0). */
uint32_t bench_rnd(uint64_t *state);

/* The streams bench_stream_build() knows, NULL-terminated. */
extern const char *const bench_stream_names[];

/*
 * Build stream name: returns how many submissions *subs (allocated) holds,
 * 0 for an unknown name.
 */
unsigned int bench_stream_build(const char *name, uint64_t seed,
                                struct bench_stream_sub **subs);

#endif /* BENCH_STREAMS_H */
