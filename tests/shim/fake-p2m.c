/* SPDX-License-Identifier: GPL-2.0-only */
/* Host stand-in for Xen's p2m, page references and domheap (fake-p2m.h). */
#include "fake-p2m.h"

struct fake_p2m_entry {
    struct page_info *page;
    p2m_type_t type;
};

#define CHUNK_SHIFT 12
#define CHUNK_FRAMES (1UL << CHUNK_SHIFT)
#define NR_CHUNKS (FAKE_MAX_MFN >> CHUNK_SHIFT)

static struct page_info *chunks[NR_CHUNKS];
static long refs_total, maps_live, domheap_live;
static unsigned long put_violations;
static struct fake_p2m_queries queries;
static unsigned long next_guest_mfn = 1;      /* for fake_guest_mfns() */
static unsigned long next_xen_mfn = FAKE_XEN_MFN_BASE;
static unsigned long *xen_free;               /* freed domheap frames */
static unsigned long xen_free_nr, xen_free_max;

static struct domain xen_owner = { .domain_id = 0x7ff2 };  /* DOMID_XEN */
static struct domain io_owner = { .domain_id = 0x7ff1 };   /* DOMID_IO */
static struct domain cow_owner = { .domain_id = 0x7ff0 };  /* DOMID_COW */
struct domain *dom_xen = &xen_owner, *dom_io = &io_owner, *dom_cow = &cow_owner;

struct page_info *fake_frame(unsigned long mfn)
{
    struct page_info *c;
    unsigned long i;

    if ( mfn >= FAKE_MAX_MFN )
        return NULL;
    c = chunks[mfn >> CHUNK_SHIFT];
    if ( !c )
    {
        c = calloc(CHUNK_FRAMES, sizeof(*c));
        ASSERT(c);
        for ( i = 0; i < CHUNK_FRAMES; i++ )
            c[i].mfn = (mfn & ~(CHUNK_FRAMES - 1)) + i;
        chunks[mfn >> CHUNK_SHIFT] = c;
    }

    return &c[mfn & (CHUNK_FRAMES - 1)];
}

struct domain *fake_domain_create(domid_t id, unsigned long max_gfn)
{
    struct domain *d = calloc(1, sizeof(*d));

    if ( !d )
        return NULL;
    d->p2m = calloc(max_gfn ? max_gfn : 1, sizeof(*d->p2m));
    if ( !d->p2m )
    {
        free(d);
        return NULL;
    }
    d->domain_id = id;
    d->max_gfn = max_gfn;

    return d;
}

void fake_domain_destroy(struct domain *d)
{
    unsigned long c, i;

    if ( !d )
        return;
    for ( c = 0; c < NR_CHUNKS; c++ )
        if ( chunks[c] )
            for ( i = 0; i < CHUNK_FRAMES; i++ )
                if ( chunks[c][i].owner == d )
                {
                    chunks[c][i].owner = NULL;
                    chunks[c][i].m2p = 0;
                }
    free(d->p2m);
    free(d);
}

int fake_p2m_set(struct domain *d, unsigned long gfn, unsigned long mfn,
                 p2m_type_t t, struct domain *owner)
{
    struct page_info *pg;

    if ( gfn >= d->max_gfn )
        return -EINVAL;
    /* As Xen's p2m_set_entry(): any valid type raises max_mapped_pfn. */
    if ( t != p2m_invalid && gfn > d->max_mapped_gfn )
        d->max_mapped_gfn = gfn;
    /* The frame gfn named so far no longer backs it. */
    if ( d->p2m[gfn].page && d->p2m[gfn].page->m2p == gfn + 1 )
        d->p2m[gfn].page->m2p = 0;
    if ( t == p2m_invalid || p2m_is_mmio(t) || p2m_is_paging(t) ||
         p2m_is_pod(t) )
    {
        d->p2m[gfn].page = NULL;
        d->p2m[gfn].type = t;
        return 0;
    }
    pg = mfn < FAKE_XEN_MFN_BASE ? fake_frame(mfn) : NULL;
    if ( !pg )
        return -EINVAL;
    pg->owner = owner ? owner : d;
    /* Xen's physmap sets the M2P of the domain's own RAM, not of grants
     * or foreign maps (their entry stays the owner's). */
    if ( pg->owner == d && p2m_is_ram(t) )
        pg->m2p = gfn + 1;
    if ( mfn >= next_guest_mfn )
        next_guest_mfn = mfn + 1;
    d->p2m[gfn].page = pg;
    d->p2m[gfn].type = t;

    return 0;
}

unsigned long get_gpfn_from_mfn(unsigned long mfn)
{
    const struct page_info *pg = mfn < FAKE_MAX_MFN ? fake_frame(mfn) : NULL;

    return pg && pg->m2p ? pg->m2p - 1 : INVALID_M2P_ENTRY;
}

unsigned long domain_get_maximum_gpfn(struct domain *d)
{
    queries.max_gfn_reads++;

    return d->max_mapped_gfn;
}

p2m_type_t fake_p2m_type(const struct domain *d, unsigned long gfn)
{
    return gfn < d->max_gfn ? d->p2m[gfn].type : p2m_invalid;
}

unsigned long fake_guest_mfns(unsigned long count)
{
    unsigned long first = next_guest_mfn;

    if ( count > FAKE_XEN_MFN_BASE - first )
        return 0;
    next_guest_mfn += count;

    return first;
}

/*
 * As Xen 4.17's p2m_get_page_from_gfn(): a reference is taken on RAM the
 * domain owns (shared pages: owned by dom_cow) and on foreign maps (owned
 * by the other domain).  Grant maps fail Xen's owner check, MMIO, holes and
 * paged-out frames have no page.  Neither paging-in nor unsharing is
 * simulated: a paged or shared entry stays so and gives no page, as when
 * Xen's populate or unshare has not completed.
 */
struct page_info *get_page_from_gfn(struct domain *d, unsigned long gfn,
                                    p2m_type_t *t, p2m_query_t q)
{
    struct fake_p2m_entry *e;
    struct domain *want;

    queries.lookups++;
    *t = p2m_invalid;
    if ( gfn >= d->max_gfn )
        return NULL;
    e = &d->p2m[gfn];
    *t = e->type;
    if ( !e->page || p2m_is_grant(e->type) || p2m_is_broken(e->type) )
        return NULL;
    if ( p2m_is_shared(e->type) && (q & P2M_UNSHARE) )
        return NULL;
    if ( p2m_is_foreign(e->type) )
        want = e->page->owner;
    else
        want = p2m_is_shared(e->type) ? dom_cow : d;
    if ( !want || e->page->owner != want )
        return NULL;
    e->page->count++;
    refs_total++;

    return e->page;
}

void put_page(struct page_info *pg)
{
    ASSERT(pg->count > 0);
    pg->count--;
    refs_total--;
    if ( (unsigned long)pg->count < pg->gpu_maps + pg->gpu_stale )
        put_violations++;
    if ( !pg->count && pg->tlb_engines )
        put_violations++;               /* an engine's TLB may hold it */
}

struct domain *page_get_owner(const struct page_info *pg)
{
    return pg->owner;
}

mfn_t page_to_mfn(const struct page_info *pg)
{
    return _mfn(pg->mfn);
}

struct page_info *mfn_to_page(mfn_t mfn)
{
    struct page_info *pg = fake_frame(mfn_x(mfn));

    ASSERT(pg);
    return pg;
}

/* As Xen's: compare-exchange of one entry's type; special types are a bug. */
int p2m_change_type_one(struct domain *d, unsigned long gfn,
                        p2m_type_t ot, p2m_type_t nt)
{
    ASSERT(!p2m_is_special(ot) && !p2m_is_special(nt));
    if ( gfn >= d->max_gfn || d->p2m[gfn].type != ot )
        return -EBUSY;
    d->p2m[gfn].type = nt;

    return 0;
}

static unsigned long xen_mfn_take(unsigned int order)
{
    unsigned long mfn;

    if ( !order && xen_free_nr )
        return xen_free[--xen_free_nr];
    if ( FAKE_MAX_MFN - next_xen_mfn < (1UL << order) )
        return 0;
    mfn = next_xen_mfn;
    next_xen_mfn += 1UL << order;

    return mfn;
}

struct page_info *alloc_domheap_pages(struct domain *d, unsigned int order,
                                      unsigned int memflags)
{
    struct page_info *pg;
    unsigned long mfn, i;

    if ( host_alloc_fail_now() )
        return NULL;
    mfn = xen_mfn_take(order);
    if ( !mfn )
        return NULL;
    for ( i = 0; i < (1UL << order); i++ )
    {
        pg = fake_frame(mfn + i);
        ASSERT(!pg->allocated && !pg->count);
        pg->allocated = 1;
        pg->owner = (memflags & MEMF_no_owner) ? NULL : d;
    }
    domheap_live += 1L << order;
    host_alloc_stats.pages_live += 1L << order;
    host_alloc_stats.pages_total += 1UL << order;

    return fake_frame(mfn);
}

void free_domheap_pages(struct page_info *pg, unsigned int order)
{
    unsigned long i;

    for ( i = 0; i < (1UL << order); i++ )
    {
        struct page_info *p = fake_frame(pg->mfn + i);

        ASSERT(p->allocated && !p->count);
        if ( p->tlb_engines )
            put_violations++;           /* a table an engine may hold */
        p->allocated = 0;
        p->owner = NULL;
        host_ulong_push(&xen_free, &xen_free_nr, &xen_free_max, p->mfn);
    }
    domheap_live -= 1L << order;
    host_alloc_stats.pages_live -= 1L << order;
}

/* Guest and Xen frames alike get 4 KiB of zeroed memory on first map. */
void *map_domain_page(mfn_t mfn)
{
    struct page_info *pg = fake_frame(mfn_x(mfn));

    ASSERT(pg);
    if ( !pg->mem )
    {
        if ( posix_memalign(&pg->mem, PAGE_SIZE, PAGE_SIZE) )
            abort();
        memset(pg->mem, 0, PAGE_SIZE);
    }
    maps_live++;

    return pg->mem;
}

void unmap_domain_page(const void *va)
{
    ASSERT(va);
    ASSERT(maps_live > 0);
    maps_live--;
}

void clear_domain_page(mfn_t mfn)
{
    void *p = map_domain_page(mfn);

    memset(p, 0, PAGE_SIZE);
    unmap_domain_page(p);
}

long fake_page_refs(unsigned long mfn)
{
    struct page_info *c = mfn < FAKE_MAX_MFN ? chunks[mfn >> CHUNK_SHIFT] : NULL;

    return c ? c[mfn & (CHUNK_FRAMES - 1)].count : 0;
}

struct fake_p2m_queries fake_p2m_queries(void)
{
    return queries;
}

long fake_refs_total(void)
{
    return refs_total;
}

long fake_maps_live(void)
{
    return maps_live;
}

long fake_domheap_live(void)
{
    return domheap_live;
}

unsigned long fake_put_violations(void)
{
    return put_violations;
}

void fake_p2m_reset(void)
{
    unsigned long c, i;

    for ( c = 0; c < NR_CHUNKS; c++ )
    {
        if ( !chunks[c] )
            continue;
        for ( i = 0; i < CHUNK_FRAMES; i++ )
            free(chunks[c][i].mem);
        free(chunks[c]);
        chunks[c] = NULL;
    }
    free(xen_free);
    xen_free = NULL;
    xen_free_nr = xen_free_max = 0;
    next_xen_mfn = FAKE_XEN_MFN_BASE;
    next_guest_mfn = 1;
    refs_total = maps_live = 0;
    put_violations = 0;
    memset(&queries, 0, sizeof(queries));
    host_alloc_stats.pages_live -= domheap_live;
    domheap_live = 0;
}

static unsigned long mark_xen_mfn, *mark_free, mark_free_nr;

static void forget_memory(unsigned long mfn)
{
    struct page_info *pg = fake_frame(mfn);

    free(pg->mem);
    pg->mem = NULL;
}

void fake_p2m_mark(void)
{
    unsigned long i;

    free(mark_free);
    mark_free = calloc(xen_free_nr + 1, sizeof(*mark_free));
    ASSERT(mark_free);
    for ( i = 0; i < xen_free_nr; i++ )
    {
        mark_free[i] = xen_free[i];
        forget_memory(xen_free[i]);
    }
    mark_free_nr = xen_free_nr;
    mark_xen_mfn = next_xen_mfn;
}

void fake_p2m_rewind(void)
{
    unsigned long mfn, i;

    ASSERT(!maps_live);
    for ( mfn = mark_xen_mfn; mfn < next_xen_mfn; mfn++ )
    {
        ASSERT(!fake_frame(mfn)->allocated);
        forget_memory(mfn);
    }
    for ( i = 0; i < mark_free_nr; i++ )
    {
        ASSERT(!fake_frame(mark_free[i])->allocated);
        forget_memory(mark_free[i]);
    }
    xen_free_nr = 0;
    for ( i = 0; i < mark_free_nr; i++ )
        host_ulong_push(&xen_free, &xen_free_nr, &xen_free_max, mark_free[i]);
    next_xen_mfn = mark_xen_mfn;
    for ( mfn = 1; mfn < next_guest_mfn; mfn++ )
        forget_memory(mfn);
}
