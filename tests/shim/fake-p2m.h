/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host stand-in for the parts of Xen's p2m, page-reference and domheap API
 * that the GTT shadowing engine uses, under Xen's names and signatures:
 * get_page_from_gfn(), put_page(), page_get_owner(), the p2m_is_*() type
 * tests, p2m_change_type_one(), alloc_domheap_page(), map_domain_page().
 *
 * Host frames: a sparse frame table of FAKE_MAX_MFN frames, allocated in
 * chunks as frames are named.  Frames below FAKE_XEN_MFN_BASE are for
 * guests (tests place them with fake_p2m_set()); frames from there up are
 * what alloc_domheap_page() hands out.  Backing memory (4 KiB) exists only
 * for frames that have been mapped.
 *
 * Every guest frame has an owner and a type; every reference taken is
 * counted per host frame, so tests can assert that the references held
 * equal the shadow entries that point at a frame, and that teardown leaves
 * none.  Each frame also counts the physical GGTT entries of the simulated
 * GPU (fake-gpu.h) that point at it, so put_page() can tell a reference
 * dropped while the GPU may still reach the frame.
 */
#ifndef FAKE_P2M_H
#define FAKE_P2M_H

#include "xen-host.h"

typedef uint16_t domid_t;

/* Xen's types (p2m_invalid first here so that a zeroed p2m is all holes). */
typedef enum {
    p2m_invalid = 0,
    p2m_ram_rw,
    p2m_ram_logdirty,
    p2m_ram_ro,
    p2m_mmio_dm,
    p2m_mmio_direct,
    p2m_populate_on_demand,
    p2m_grant_map_rw,
    p2m_grant_map_ro,
    p2m_ram_paging_out,
    p2m_ram_paged,
    p2m_ram_paging_in,
    p2m_ram_shared,
    p2m_ram_broken,
    p2m_map_foreign,
    p2m_ioreq_server,
} p2m_type_t;

typedef unsigned int p2m_query_t;
#define P2M_ALLOC    (1u << 0)
#define P2M_UNSHARE  (1u << 1)

/* The same type classes as Xen's asm/p2m.h. */
#define p2m_to_mask(t)      (1UL << (t))
#define P2M_RAM_TYPES       (p2m_to_mask(p2m_ram_rw) |                       \
                             p2m_to_mask(p2m_ram_logdirty) |                 \
                             p2m_to_mask(p2m_ram_ro) |                       \
                             p2m_to_mask(p2m_ram_paging_out) |               \
                             p2m_to_mask(p2m_ram_paged) |                    \
                             p2m_to_mask(p2m_ram_paging_in) |                \
                             p2m_to_mask(p2m_ram_shared) |                   \
                             p2m_to_mask(p2m_ioreq_server))
#define P2M_MMIO_TYPES      (p2m_to_mask(p2m_mmio_dm) |                      \
                             p2m_to_mask(p2m_mmio_direct))
#define P2M_GRANT_TYPES     (p2m_to_mask(p2m_grant_map_rw) |                 \
                             p2m_to_mask(p2m_grant_map_ro))
#define P2M_PAGING_TYPES    (p2m_to_mask(p2m_ram_paging_out) |               \
                             p2m_to_mask(p2m_ram_paged) |                    \
                             p2m_to_mask(p2m_ram_paging_in))
#define P2M_SPECIAL_TYPES   (P2M_GRANT_TYPES | p2m_to_mask(p2m_map_foreign) | \
                             p2m_to_mask(p2m_mmio_direct))

#define p2m_is_ram(t)     (p2m_to_mask(t) & P2M_RAM_TYPES)
#define p2m_is_mmio(t)    (p2m_to_mask(t) & P2M_MMIO_TYPES)
#define p2m_is_grant(t)   (p2m_to_mask(t) & P2M_GRANT_TYPES)
#define p2m_is_foreign(t) (p2m_to_mask(t) & p2m_to_mask(p2m_map_foreign))
#define p2m_is_paging(t)  (p2m_to_mask(t) & P2M_PAGING_TYPES)
#define p2m_is_shared(t)  (p2m_to_mask(t) & p2m_to_mask(p2m_ram_shared))
#define p2m_is_pod(t)     (p2m_to_mask(t) & p2m_to_mask(p2m_populate_on_demand))
#define p2m_is_broken(t)  (p2m_to_mask(t) & p2m_to_mask(p2m_ram_broken))
#define p2m_is_special(t) (p2m_to_mask(t) & P2M_SPECIAL_TYPES)

struct fake_p2m_entry;

struct domain {
    domid_t domain_id;
    struct fake_p2m_entry *p2m;     /* indexed by gfn */
    unsigned long max_gfn;          /* size of p2m[] */
    unsigned long max_mapped_gfn;   /* highest gfn ever given a type other
                                       than p2m_invalid (0: none) */
};

/* Xen's special owners: dom_xen owns Xen's pages, dom_cow shared ones. */
extern struct domain *dom_xen, *dom_io, *dom_cow;

struct page_info {
    unsigned long mfn;
    struct domain *owner;
    void *mem;                       /* backing memory once mapped */
    int count;                       /* references taken and not put */
    uint32_t gpu_maps;               /* physical GGTT entries pointing here */
    uint32_t gpu_stale:31;           /* GGTT entries removed, not invalidated */
    uint32_t allocated:1;            /* handed out by alloc_domheap_pages */
    uint8_t tlb_engines;             /* engines whose TLB may hold it (bit
                                        per fake_gpu_tlb_fill() engine) */
    unsigned long m2p;               /* gfn + 1 of the M2P entry; 0: none */
};

typedef unsigned long mfn_t;
#define mfn_x(m)  ((unsigned long)(m))
#define _mfn(m)   ((mfn_t)(m))
#define INVALID_MFN _mfn(~0UL)

/* Xen's API. */
struct page_info *get_page_from_gfn(struct domain *d, unsigned long gfn,
                                    p2m_type_t *t, p2m_query_t q);
void put_page(struct page_info *pg);
struct domain *page_get_owner(const struct page_info *pg);
mfn_t page_to_mfn(const struct page_info *pg);
struct page_info *mfn_to_page(mfn_t mfn);
int p2m_change_type_one(struct domain *d, unsigned long gfn,
                        p2m_type_t ot, p2m_type_t nt);
/*
 * The M2P (x86 asm/mm.h): the gfn a frame backs in its owner's p2m, set
 * when fake_p2m_set() maps RAM of its owner, INVALID_M2P_ENTRY otherwise
 * (never mapped, unmapped, remapped elsewhere, or Xen's).
 */
#define INVALID_M2P_ENTRY (~0UL)
unsigned long get_gpfn_from_mfn(unsigned long mfn);
/*
 * As Xen's for an HVM guest (the host p2m's max_mapped_pfn): the highest
 * gfn fake_p2m_set() ever gave a type other than p2m_invalid, 0 when none.
 * It only grows (a gfn set back to p2m_invalid does not lower it).
 */
unsigned long domain_get_maximum_gpfn(struct domain *d);

#define _MEMF_no_owner  5
#define MEMF_no_owner   (1U << _MEMF_no_owner)
struct page_info *alloc_domheap_pages(struct domain *d, unsigned int order,
                                      unsigned int memflags);
void free_domheap_pages(struct page_info *pg, unsigned int order);
#define alloc_domheap_page(d, f) (alloc_domheap_pages(d, 0, f))
#define free_domheap_page(p)     (free_domheap_pages(p, 0))

void *map_domain_page(mfn_t mfn);
void unmap_domain_page(const void *va);
#define __map_domain_page(pg) map_domain_page(page_to_mfn(pg))
void clear_domain_page(mfn_t mfn);

/* Test control. */
#define FAKE_MAX_MFN      (1UL << 23)   /* 32 GiB of host frames */
#define FAKE_XEN_MFN_BASE (1UL << 22)   /* first frame alloc_domheap_pages uses */

struct domain *fake_domain_create(domid_t id, unsigned long max_gfn);
void fake_domain_destroy(struct domain *d);
/*
 * Map gfn of d to host frame mfn (owned by 'owner', or d) with type t.
 * MMIO and holes may use any mfn (it is not touched).
 */
int fake_p2m_set(struct domain *d, unsigned long gfn, unsigned long mfn,
                 p2m_type_t t, struct domain *owner);
p2m_type_t fake_p2m_type(const struct domain *d, unsigned long gfn);
/* First of count contiguous guest frames never named before (0 if none). */
unsigned long fake_guest_mfns(unsigned long count);
long fake_page_refs(unsigned long mfn);
/*
 * How often the engine asked the p2m, since the last fake_p2m_reset():
 * lookups (get_page_from_gfn()) and reads of the highest gfn
 * (domain_get_maximum_gpfn()).
 */
struct fake_p2m_queries {
    unsigned long lookups, max_gfn_reads;
};
struct fake_p2m_queries fake_p2m_queries(void);
long fake_refs_total(void);
long fake_maps_live(void);              /* map_domain_page() not unmapped */
long fake_domheap_live(void);           /* alloc_domheap_pages() not freed */
/* put_page() that left fewer references than GPU-visible uses of a frame. */
unsigned long fake_put_violations(void);
void fake_p2m_reset(void);
/*
 * One machine for many runs (fuzz_gtt.c): fake_p2m_mark() records the
 * domheap allocator; fake_p2m_rewind(), once every page allocated since is
 * free again and no map is live, hands out the same frames in the same
 * order as after the mark and forgets the contents of those, of the frames
 * free at the mark and of every guest frame (the next map_domain_page()
 * gives zeroed memory).  Guest p2m entries, owners and types are the
 * caller's to put back.
 */
void fake_p2m_mark(void);
void fake_p2m_rewind(void);

/* For the simulated GPU: the frame (or NULL when mfn is out of range). */
struct page_info *fake_frame(unsigned long mfn);

#include "fake-gpu.h"

#endif /* FAKE_P2M_H */
