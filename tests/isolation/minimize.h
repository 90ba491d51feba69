/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Replaying an episode on a fresh machine, and shrinking a failing one:
 * delta debugging over its operations, then over the commands of every
 * command-store operation, keeping a violation of the same kind.
 */
#ifndef ISO_MINIMIZE_H
#define ISO_MINIMIZE_H

#include "machine.h"

/*
 * ops[0..nr) on a fresh machine of e's generation and size, torn down at
 * the end; chk gets the violations, st (if not NULL) the figures.
 * Returns the number of violations.
 */
uint64_t iso_replay(const struct iso_episode *e, const struct iso_op *ops,
                    unsigned int nr, struct gpu_check *chk,
                    struct iso_stats *st);

/*
 * Shrinks e in place while it still shows a violation of 'kind'; at most
 * max_tests replays.  Returns the replays made.
 */
unsigned int iso_minimize(struct iso_episode *e, unsigned int kind,
                          unsigned int max_tests);

#endif /* ISO_MINIMIZE_H */
