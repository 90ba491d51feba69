/* SPDX-License-Identifier: GPL-2.0-only */
/* Host stand-in for Xen's p2m and page references (see fake-p2m.h). */
#include "fake-p2m.h"

struct fake_p2m_entry {
    struct page_info *page;
    p2m_type_t type;
};

static struct page_info frames[FAKE_MAX_MFN];
static long refs_total;

struct domain *fake_domain_create(domid_t id, unsigned long max_gfn)
{
    struct domain *d = calloc(1, sizeof(*d));

    if ( !d )
        return NULL;
    d->p2m = calloc(max_gfn, sizeof(*d->p2m));
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
    unsigned long i;

    if ( !d )
        return;
    for ( i = 0; i < FAKE_MAX_MFN; i++ )
        if ( frames[i].owner == d )
            frames[i].owner = NULL;
    free(d->p2m);
    free(d);
}

int fake_p2m_set(struct domain *d, unsigned long gfn, unsigned long mfn,
                 p2m_type_t t, struct domain *owner)
{
    if ( gfn >= d->max_gfn || mfn >= FAKE_MAX_MFN )
        return -EINVAL;
    frames[mfn].mfn = mfn;
    frames[mfn].owner = owner ? owner : d;
    d->p2m[gfn].page = &frames[mfn];
    d->p2m[gfn].type = t;

    return 0;
}

/*
 * As Xen's: a reference is taken on the page for any type that has one
 * (RAM, grants, foreign maps); MMIO and holes give no page.
 */
struct page_info *get_page_from_gfn(struct domain *d, unsigned long gfn,
                                    p2m_type_t *t, p2m_query_t q)
{
    struct fake_p2m_entry *e;

    (void)q;
    *t = p2m_invalid;
    if ( gfn >= d->max_gfn )
        return NULL;
    e = &d->p2m[gfn];
    *t = e->type;
    if ( !e->page || e->type == p2m_invalid || p2m_is_mmio(e->type) ||
         p2m_is_paging(e->type) )
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
}

struct domain *page_get_owner(const struct page_info *pg)
{
    return pg->owner;
}

mfn_t page_to_mfn(const struct page_info *pg)
{
    return _mfn(pg->mfn);
}

long fake_page_refs(unsigned long mfn)
{
    return mfn < FAKE_MAX_MFN ? frames[mfn].count : 0;
}

long fake_refs_total(void)
{
    return refs_total;
}

void fake_p2m_reset(void)
{
    memset(frames, 0, sizeof(frames));
    refs_total = 0;
}
