/* SPDX-License-Identifier: GPL-2.0-only */
/* Xen's string functions for bench-audit-xen (tests/bench/xen-string.c). */
#ifndef BENCH_XEN_STRING_H
#define BENCH_XEN_STRING_H

#include <stddef.h>

void *bench_xen_memcpy(void *dst, const void *src, size_t n);
void *bench_xen_memset(void *p, int v, size_t n);
void *bench_xen_memmove(void *dst, const void *src, size_t n);

#endif /* BENCH_XEN_STRING_H */
