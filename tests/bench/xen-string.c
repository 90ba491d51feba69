/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Xen's out-of-line string functions (xen/arch/x86/string.c in 4.17: rep
 * movsq then rep movsb, rep stosb, a backwards rep movsb), under the names
 * the Xen-flags build of the auditor is linked against (mk/bench.mk renames
 * its memcpy, memset and memmove references), so that bench-audit-xen
 * copies as the hypervisor does while the rest of the program keeps libc's.
 */
#include <stddef.h>

#include "xen-string.h"

void *bench_xen_memcpy(void *dst, const void *src, size_t n)
{
    unsigned long c, d, s;

    __asm__ volatile ( "rep movsq; mov %k4, %k0; rep movsb"
                       : "=&c" (c), "=&D" (d), "=&S" (s)
                       : "0" (n / 8), "r" (n % 8), "1" (dst), "2" (src)
                       : "memory" );

    return dst;
}

void *bench_xen_memset(void *p, int v, size_t n)
{
    unsigned long c, d;

    __asm__ volatile ( "rep stosb"
                       : "=&c" (c), "=&D" (d)
                       : "a" (v), "0" (n), "1" (p)
                       : "memory" );

    return p;
}

void *bench_xen_memmove(void *dst, const void *src, size_t n)
{
    unsigned long c, d, s;

    if ( !n )
        return dst;
    if ( dst < src || (const char *)src + n <= (const char *)dst )
        return bench_xen_memcpy(dst, src, n);

    __asm__ volatile ( "std; rep movsb; cld"
                       : "=&c" (c), "=&S" (s), "=&D" (d)
                       : "0" (n), "1" ((const char *)src + n - 1),
                         "2" ((char *)dst + n - 1)
                       : "memory" );

    return dst;
}
