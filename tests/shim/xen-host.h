/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host side of the platform boundaries of both hypervisor subsystems: the
 * auditor's (xen/common/gpu_audit/private.h includes this header alone)
 * and the GTT engine's (xen/arch/x86/hvm/gtt/private.h adds fake-p2m.h for
 * the p2m, page references and domheap, and fake-gpu.h for the GPU's
 * MMIO).  Here: the part of Xen's internal API both use (errno values,
 * xmalloc family, xenheap pages, spinlocks, printk, ASSERT/BUG, likely),
 * built on libc, with an allocator that counts what it hands out so tests
 * can assert that nothing leaks.  tests/shim/xen/ maps the Xen header
 * names the engine's public header includes (<xen/types.h>,
 * <xen/spinlock.h>) onto this file.
 *
 * Names Xen has keep Xen's signatures: the hypervisor build (make
 * xen-check) compiles the same sources against the real headers and
 * catches any drift.  Everything else is host-only and carries the host_
 * prefix (allocation accounting and failure injection, the printk sink,
 * host tools' array helper); hypervisor sources never use those.
 */
#ifndef XEN_HOST_H
#define XEN_HOST_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef ERESTART
#define ERESTART 85
#endif

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1UL << PAGE_SHIFT)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BUILD_BUG_ON(cond) ({ _Static_assert(!(cond), "!(" #cond ")"); })
#define __maybe_unused __attribute__((__unused__))
#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define ASSERT(p) do { if ( !(p) ) { fprintf(stderr, "ASSERT %s at %s:%d\n", \
                       #p, __FILE__, __LINE__); abort(); } } while ( 0 )
#define BUG() abort()
#define BUG_ON(p) do { if ( p ) BUG(); } while ( 0 )

/* Ordering of device writes (x86: sfence) and MMIO pointer annotation. */
#define wmb() __asm__ __volatile__ ( "" ::: "memory" )
#define __iomem

#define XENLOG_ERR     "<0>"
#define XENLOG_WARNING "<1>"
#define XENLOG_INFO    "<2>"
#define XENLOG_G_WARNING XENLOG_WARNING
#define XENLOG_G_INFO  XENLOG_INFO
#define printk(...) host_printk(__VA_ARGS__)

/* xmalloc family: every allocation is counted. */
void *host_xmalloc(size_t size, bool zero);
void host_xfree(void *p);
#define xmalloc(t)              ((t *)host_xmalloc(sizeof(t), false))
#define xzalloc(t)              ((t *)host_xmalloc(sizeof(t), true))
#define xmalloc_array(t, n)     ((t *)host_xmalloc_array(sizeof(t), (n), false))
#define xzalloc_array(t, n)     ((t *)host_xmalloc_array(sizeof(t), (n), true))
#define xmalloc_bytes(n)        host_xmalloc((n), false)
#define xzalloc_bytes(n)        host_xmalloc((n), true)
#define xfree(p)                host_xfree(p)
void *host_xmalloc_array(size_t size, size_t n, bool zero);
/* vmap.h: large, virtually contiguous allocations (counted as xmalloc). */
#define vzalloc(n)              host_xmalloc((n), true)
#define vfree(p)                host_xfree(p)

/* Xen heap pages: page aligned, counted. */
void *alloc_xenheap_pages(unsigned int order, unsigned int memflags);
void free_xenheap_pages(void *v, unsigned int order);
#define alloc_xenheap_page() alloc_xenheap_pages(0, 0)
#define free_xenheap_page(v) free_xenheap_pages(v, 0)

/*
 * Spinlocks: the host build is single-threaded; the shim checks the
 * discipline (no recursion, no unlock of a free lock).
 */
typedef struct {
    int held;
} spinlock_t;
#define spin_lock_init(l) ((l)->held = 0)
#define spin_lock(l)   do { ASSERT(!(l)->held); (l)->held = 1; } while ( 0 )
#define spin_unlock(l) do { ASSERT((l)->held); (l)->held = 0; } while ( 0 )

/* xen/random.h: a stand-in (xorshift64*, fixed seed: tests reproduce). */
unsigned int get_random(void);

/* Accounting, for tests. */
struct host_alloc_stats {
    long xmalloc_live;
    long xmalloc_bytes;         /* bytes those hold, as requested */
    long pages_live;
    unsigned long pages_total;
    long fail_after;            /* >= 0: that many more allocations succeed */
};
extern struct host_alloc_stats host_alloc_stats;

/* Append to a growing array of frame numbers (host tools' bookkeeping). */
void host_ulong_push(unsigned long **arr, unsigned long *nr,
                     unsigned long *max, unsigned long val);

/* Consumes one allocation of the fail_after budget: true if it must fail. */
bool host_alloc_fail_now(void);

void host_printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int host_printk_quiet;

#endif /* XEN_HOST_H */
