/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host stand-in for the parts of Xen's p2m and page-reference API that the
 * GTT shadowing engine uses (get_page_from_gfn(), put_page(),
 * page_get_owner(), the p2m_is_*() type tests), under Xen's names.
 *
 * Every guest frame has an owner and a type; every reference taken is
 * counted per host frame, so tests can assert that the references held
 * equal the shadow entries that point at a frame, and that teardown leaves
 * none.
 */
#ifndef FAKE_P2M_H
#define FAKE_P2M_H

#include "xen-host.h"

typedef uint16_t domid_t;

typedef enum {
    p2m_invalid = 0,
    p2m_ram_rw,
    p2m_ram_ro,
    p2m_mmio_direct,
    p2m_grant_map_rw,
    p2m_grant_map_ro,
    p2m_map_foreign,
    p2m_ram_paged,
    p2m_ram_shared,
    p2m_ioreq_server,
} p2m_type_t;

typedef unsigned int p2m_query_t;
#define P2M_ALLOC    (1u << 0)
#define P2M_UNSHARE  (1u << 1)

#define p2m_is_ram(t)     ((t) == p2m_ram_rw || (t) == p2m_ram_ro || \
                           (t) == p2m_ioreq_server)
#define p2m_is_mmio(t)    ((t) == p2m_mmio_direct)
#define p2m_is_grant(t)   ((t) == p2m_grant_map_rw || (t) == p2m_grant_map_ro)
#define p2m_is_foreign(t) ((t) == p2m_map_foreign)
#define p2m_is_paging(t)  ((t) == p2m_ram_paged)
#define p2m_is_shared(t)  ((t) == p2m_ram_shared)

struct fake_p2m_entry;

struct domain {
    domid_t domain_id;
    struct fake_p2m_entry *p2m;     /* indexed by gfn */
    unsigned long max_gfn;
};

struct page_info {
    unsigned long mfn;
    struct domain *owner;
    long count;                      /* references taken and not put */
};

/* Xen's API. */
struct page_info *get_page_from_gfn(struct domain *d, unsigned long gfn,
                                    p2m_type_t *t, p2m_query_t q);
void put_page(struct page_info *pg);
struct domain *page_get_owner(const struct page_info *pg);

typedef unsigned long mfn_t;
#define mfn_x(m)  ((unsigned long)(m))
#define _mfn(m)   ((mfn_t)(m))
mfn_t page_to_mfn(const struct page_info *pg);

/* Test control. */
struct domain *fake_domain_create(domid_t id, unsigned long max_gfn);
void fake_domain_destroy(struct domain *d);
/* Map gfn of d to host frame mfn (owned by 'owner', or d) with type t. */
int fake_p2m_set(struct domain *d, unsigned long gfn, unsigned long mfn,
                 p2m_type_t t, struct domain *owner);
long fake_page_refs(unsigned long mfn);
long fake_refs_total(void);
void fake_p2m_reset(void);

#define FAKE_MAX_MFN 65536

#endif /* FAKE_P2M_H */
