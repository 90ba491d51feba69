/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Included first in every auditor source of the Xen-flags build
 * (mk/bench.mk).  Xen compiles with -fno-builtin and gives the compiler
 * back its inline memcpy and memset through macros (xen/include/
 * xen/string.h); the same here, after libc's declarations, so that small
 * copies, clears and compares inline as they do in the hypervisor.  Calls that remain
 * are renamed to Xen's versions (tests/bench/xen-string.c) after
 * compilation.
 */
#ifndef BENCH_XEN_CFLAGS_H
#define BENCH_XEN_CFLAGS_H

#include <string.h>

#define memset(s, c, n) __builtin_memset(s, c, n)
#define memcpy(d, s, n) __builtin_memcpy(d, s, n)
#define memmove(d, s, n) __builtin_memmove(d, s, n)
#define memcmp(s1, s2, n) __builtin_memcmp(s1, s2, n)

#endif /* BENCH_XEN_CFLAGS_H */
