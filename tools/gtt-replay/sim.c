/* SPDX-License-Identifier: GPL-2.0-only */
/* gtt-replay: domains and host frames of the simulated machine (sim.h). */
#include "sim.h"
#include "trace.h"

int sim_init(struct sim *s)
{
    memset(s, 0, sizeof(*s));
    s->maps = calloc(FAKE_XEN_MFN_BASE, sizeof(*s->maps));
    s->other = fake_domain_create(SIM_DOMID_OTHER, 1);
    if ( !s->maps || !s->other )
    {
        sim_destroy(s);
        return -ENOMEM;
    }
    return 0;
}

void sim_destroy(struct sim *s)
{
    unsigned int i;

    for ( i = 0; i < s->nr_dom; i++ )
    {
        fake_domain_destroy(s->dom[i].d);
        free(s->dom[i].mfn);
    }
    fake_domain_destroy(s->other);
    free(s->maps);
    memset(s, 0, sizeof(*s));
}

struct sim_domain *sim_domain_find(struct sim *s, domid_t id)
{
    unsigned int i;

    for ( i = 0; i < s->nr_dom; i++ )
        if ( s->dom[i].id == id )
            return &s->dom[i];
    return NULL;
}

struct sim_domain *sim_domain_add(struct sim *s, domid_t id,
                                  unsigned long max_gfn)
{
    struct sim_domain *sd;

    if ( s->nr_dom == SIM_MAX_DOMAINS )
        return NULL;
    sd = &s->dom[s->nr_dom];
    sd->id = id;
    sd->d = fake_domain_create(id, max_gfn);
    sd->mfn = calloc(max_gfn ? max_gfn : 1, sizeof(*sd->mfn));
    if ( !sd->d || !sd->mfn )
    {
        fake_domain_destroy(sd->d);
        free(sd->mfn);
        memset(sd, 0, sizeof(*sd));
        return NULL;
    }
    s->nr_dom++;
    return sd;
}

/* Drop gfn's current frame, if any, from sd's map. */
static void unmap_gfn(struct sim *s, struct sim_domain *sd, unsigned long gfn)
{
    if ( sd->mfn[gfn] )
        s->maps[sd->mfn[gfn] - 1]--;
    sd->mfn[gfn] = 0;
    fake_p2m_set(sd->d, gfn, 0, p2m_invalid, NULL);
}

static void map_gfn(struct sim *s, struct sim_domain *sd, unsigned long gfn,
                    unsigned long mfn, p2m_type_t t, struct domain *owner)
{
    int rc;

    unmap_gfn(s, sd, gfn);
    rc = fake_p2m_set(sd->d, gfn, mfn, t, owner);
    ASSERT(!rc);
    if ( p2m_is_mmio(t) || p2m_is_paging(t) )
        return;
    sd->mfn[gfn] = mfn + 1;
    s->maps[mfn]++;
}

/*
 * Frames pinned with `at`: each must be a guest frame that is either
 * mapped already (it is mapped once more and keeps its owner: another
 * domain's page in this domain's map) or free.  A frame no domain maps but
 * somebody still references has not been freed by Xen: it cannot be
 * handed out again.
 */
static const char *check_pinned(const struct sim *s, uint64_t mfn,
                                uint64_t count)
{
    uint64_t i;

    if ( mfn == 0 || mfn >= FAKE_XEN_MFN_BASE ||
         count > FAKE_XEN_MFN_BASE - mfn )
        return "mfn-range";
    for ( i = mfn; i < mfn + count; i++ )
    {
        if ( s->maps[i] == UINT16_MAX )
            return "frame-busy";
        if ( !s->maps[i] && fake_page_refs(i) )
            return "frame-busy";
    }
    return NULL;
}

const char *sim_map(struct sim *s, struct sim_domain *sd, unsigned int kind,
                    uint64_t gfn, uint64_t count, const uint64_t *at)
{
    static const p2m_type_t types[] = {
        [FRAME_RAM]     = p2m_ram_rw,
        [FRAME_MMIO]    = p2m_mmio_direct,
        [FRAME_GRANT]   = p2m_grant_map_rw,
        [FRAME_FOREIGN] = p2m_map_foreign,
        [FRAME_PAGED]   = p2m_ram_paged,
        [FRAME_SHARED]  = p2m_ram_shared,
        [FRAME_XEN]     = p2m_ram_rw,
        [FRAME_FREE]    = p2m_invalid,
    };
    struct domain *owner = NULL;
    const char *why;
    p2m_type_t t = types[kind];
    bool backed = !p2m_is_mmio(t) && !p2m_is_paging(t) && t != p2m_invalid;
    uint64_t i, mfn = at ? *at : 0;

    if ( !count || gfn >= sd->d->max_gfn || count > sd->d->max_gfn - gfn )
        return "range";
    if ( backed && !at )
    {
        mfn = count <= FAKE_XEN_MFN_BASE ? fake_guest_mfns(count) : 0;
        if ( !mfn )
            return "no-host-frames";
    }
    else if ( backed && (why = check_pinned(s, mfn, count)) != NULL )
        return why;

    switch ( kind )
    {
    case FRAME_GRANT:
    case FRAME_FOREIGN:
        owner = s->other;
        break;
    case FRAME_SHARED:
        owner = dom_cow;
        break;
    case FRAME_XEN:
        owner = dom_xen;
        break;
    }
    for ( i = 0; i < count; i++ )
    {
        if ( !backed )
        {
            if ( kind == FRAME_FREE )
                unmap_gfn(s, sd, gfn + i);
            else
                map_gfn(s, sd, gfn + i, 0, t, NULL);
            continue;
        }
        /* A frame mapped elsewhere keeps its owner. */
        map_gfn(s, sd, gfn + i, mfn + i, t,
                s->maps[mfn + i] ? page_get_owner(fake_frame(mfn + i))
                                 : owner);
    }
    return NULL;
}

const char *sim_cpu_write(struct sim_domain *sd, uint64_t gpa,
                          unsigned int size, uint64_t val)
{
    unsigned long gfn = gpa >> PAGE_SHIFT;
    unsigned int off = gpa & (PAGE_SIZE - 1);
    p2m_type_t t;
    uint8_t *p;

    if ( (size != 1 && size != 2 && size != 4 && size != 8) ||
         off + size > PAGE_SIZE )
        return gtt_reason_name(GTT_ERR_BAD_ACCESS);
    if ( gfn >= sd->d->max_gfn )
        return gtt_reason_name(GTT_ERR_NOT_RAM);
    t = fake_p2m_type(sd->d, gfn);
    if ( p2m_is_mmio(t) )
        return gtt_reason_name(GTT_ERR_MMIO);
    if ( p2m_is_paging(t) )
        return gtt_reason_name(GTT_ERR_PAGED);
    if ( !sd->mfn[gfn] )
        return gtt_reason_name(GTT_ERR_NOT_RAM);
    p = map_domain_page(_mfn(sd->mfn[gfn] - 1));
    memcpy(p + off, &val, size);    /* x86: little-endian */
    unmap_domain_page(p);
    return NULL;
}
