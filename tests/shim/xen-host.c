/* SPDX-License-Identifier: GPL-2.0-only */
/* Host implementation of the platform boundary (see xen-host.h). */
#include <stdarg.h>

#include "xen-host.h"

struct host_alloc_stats host_alloc_stats = { .fail_after = -1 };
int host_printk_quiet = 1;

bool host_alloc_fail_now(void)
{
    if ( host_alloc_stats.fail_after < 0 )
        return false;
    if ( host_alloc_stats.fail_after == 0 )
        return true;
    host_alloc_stats.fail_after--;
    return false;
}

/*
 * Each block starts with a header holding its size, so that xfree() can
 * count the bytes back; 16 bytes keep malloc's alignment.
 */
#define XMALLOC_HDR 16

void *host_xmalloc(size_t size, bool zero)
{
    unsigned char *p;

    if ( host_alloc_fail_now() || size > SIZE_MAX - XMALLOC_HDR )
        return NULL;
    p = zero ? calloc(1, XMALLOC_HDR + size) : malloc(XMALLOC_HDR + size);
    if ( !p )
        return NULL;
    memcpy(p, &size, sizeof(size));
    host_alloc_stats.xmalloc_live++;
    host_alloc_stats.xmalloc_bytes += size;

    return p + XMALLOC_HDR;
}

void *host_xmalloc_array(size_t size, size_t n, bool zero)
{
    if ( n && size > SIZE_MAX / n )
        return NULL;
    return host_xmalloc(size * n, zero);
}

void host_xfree(void *p)
{
    unsigned char *b = p;
    size_t size;

    if ( !p )
        return;
    b -= XMALLOC_HDR;
    memcpy(&size, b, sizeof(size));
    host_alloc_stats.xmalloc_live--;
    host_alloc_stats.xmalloc_bytes -= size;
    free(b);
}

void *alloc_xenheap_pages(unsigned int order, unsigned int memflags)
{
    void *p;

    (void)memflags;
    if ( host_alloc_fail_now() )
        return NULL;
    if ( posix_memalign(&p, PAGE_SIZE, PAGE_SIZE << order) )
        p = NULL;
    if ( p )
    {
        host_alloc_stats.pages_live += 1L << order;
        host_alloc_stats.pages_total += 1UL << order;
    }
    return p;
}

void free_xenheap_pages(void *v, unsigned int order)
{
    if ( !v )
        return;
    host_alloc_stats.pages_live -= 1L << order;
    free(v);
}

void host_ulong_push(unsigned long **arr, unsigned long *nr,
                     unsigned long *max, unsigned long val)
{
    unsigned long *grown;

    if ( *nr == *max )
    {
        *max = *max ? 2 * *max : 1024;
        grown = realloc(*arr, *max * sizeof(**arr));
        ASSERT(grown);
        *arr = grown;
    }
    (*arr)[(*nr)++] = val;
}

unsigned int get_random(void)
{
    static uint64_t state = 0x9e3779b97f4a7c15ull;

    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return (state * 0x2545f4914f6cdd1dull) >> 32;
}

void host_printk(const char *fmt, ...)
{
    va_list ap;

    if ( host_printk_quiet )
        return;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}
