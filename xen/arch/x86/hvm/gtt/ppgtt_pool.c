/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shadow pages of a vGPU: a fixed quota of Xen pages (a guest cannot make
 * Xen allocate more), pages freed only after the TLB flush that follows
 * their unlinking, and reclaim of the least recently used unpinned address
 * space when the quota is reached.
 */
#include "ppgtt_private.h"

void ppgtt_lru_add(struct gtt_ppgtt *p, struct gtt_mm *mm)
{
    mm->next = NULL;
    mm->prev = p->lru_tail;
    if ( p->lru_tail )
        p->lru_tail->next = mm;
    else
        p->lru_head = mm;
    p->lru_tail = mm;
}

void ppgtt_lru_del(struct gtt_ppgtt *p, struct gtt_mm *mm)
{
    if ( mm->prev )
        mm->prev->next = mm->next;
    else
        p->lru_head = mm->next;
    if ( mm->next )
        mm->next->prev = mm->prev;
    else
        p->lru_tail = mm->prev;
    mm->prev = mm->next = NULL;
}

void ppgtt_lru_touch(struct gtt_ppgtt *p, struct gtt_mm *mm)
{
    ppgtt_lru_del(p, mm);
    ppgtt_lru_add(p, mm);
}

/* One TLB invalidation, then every queued reference and shadow page. */
void ppgtt_flush(struct gtt_vgpu *v)
{
    struct gtt_ppgtt *p = &v->ppgtt;
    unsigned int i;

    gtt_refs_flush(&v->refs);
    for ( i = 0; i < p->nr_zombies; i++ )
        gtt_page_free(p->zombies[i]);
    p->used -= p->nr_zombies;
    p->nr_zombies = p->max_zombies = 0;
    xfree(p->zombies);
    p->zombies = NULL;
}

/* Unshadow the least recently used address space no context has pinned. */
static bool reclaim_one(struct gtt_vgpu *v)
{
    struct gtt_mm *mm;

    for ( mm = v->ppgtt.lru_head; mm; mm = mm->next )
        if ( mm->shadowed && !mm->pins && !mm->busy )
        {
            ppgtt_mm_unshadow(v, mm);
            v->stats.reclaims++;
            return true;
        }

    return false;
}

int ppgtt_pool_alloc(struct gtt_vgpu *v, struct page_info **pg)
{
    struct gtt_ppgtt *p = &v->ppgtt;

    while ( p->used >= p->quota )
    {
        if ( p->nr_zombies )
            ppgtt_flush(v);
        else if ( !reclaim_one(v) )
            return GTT_ERR_QUOTA;
    }
    *pg = gtt_page_alloc();
    if ( !*pg )
        return GTT_ERR_NO_MEMORY;
    p->used++;

    return GTT_OK;
}

/* Unlinked: the GPU may still hold it in its TLBs until the next flush. */
void ppgtt_pool_free(struct gtt_vgpu *v, struct page_info *pg)
{
    struct gtt_ppgtt *p = &v->ppgtt;

    ASSERT(p->nr_zombies < p->quota);
    gtt_refs_mark_engines_dirty(&v->refs);  /* walks may have it cached */
    if ( p->nr_zombies == p->max_zombies )
    {
        struct page_info **z = ppgtt_array_grow(p->zombies, p->nr_zombies,
                                                &p->max_zombies, sizeof(*z));

        if ( !z )
        {
            /* Invalidate now: then the GPU cannot hold it any more. */
            ppgtt_flush(v);
            gtt_page_free(pg);
            p->used--;
            return;
        }
        p->zombies = z;
    }
    p->zombies[p->nr_zombies++] = pg;
    gtt_refs_mark_dirty(&v->refs);
}

/*
 * Twice the room (16 elements at first) for an array of nr elements of
 * 'size' bytes: the new array, old freed and *max updated; or NULL, old
 * kept.
 */
void *ppgtt_array_grow(void *old, unsigned int nr, unsigned int *max,
                       size_t size)
{
    unsigned int n = *max ? 2 * *max : 16;
    void *a = xmalloc_bytes(n * size);

    if ( !a )
        return NULL;
    if ( nr )
        memcpy(a, old, nr * size);
    xfree(old);
    *max = n;

    return a;
}

/*
 * A zeroed table record.  Records are carved from 4 KiB chunks (no
 * allocator header per table), lowest chunk first so that chunks empty
 * and go back as tables are freed.  There is at most one record per
 * shadow page of the quota plus the one being built: max_chunks suffices.
 */
struct gtt_spt *ppgtt_spt_alloc(struct gtt_ppgtt *p)
{
    struct ppgtt_chunk *ch = NULL;
    struct gtt_spt *s;
    unsigned int c, j;
    uint32_t id;

    BUILD_BUG_ON(sizeof(*s) * PPGTT_SPT_PER_CHUNK != 4096);
    for ( c = p->chunk_hint; c < p->max_chunks; c++ )
    {
        ch = &p->chunks[c];
        if ( !ch->spt )
        {
            ch->spt = xzalloc_array(struct gtt_spt, PPGTT_SPT_PER_CHUNK);
            if ( !ch->spt )
                return NULL;
            for ( j = PPGTT_SPT_PER_CHUNK; j-- > 0; )
            {
                ch->spt[j].hnext = ch->free;
                ch->free = c * PPGTT_SPT_PER_CHUNK + j + 1;
            }
        }
        if ( ch->free )
            break;
    }
    if ( c == p->max_chunks )
        return NULL;
    p->chunk_hint = c;
    id = ch->free;
    s = ppgtt_spt_at(p, id);
    ch->free = s->hnext;
    ch->used++;
    s->hnext = 0;
    s->id = id;

    return s;
}

void ppgtt_spt_release(struct gtt_ppgtt *p, struct gtt_spt *s)
{
    uint32_t id = s->id;
    unsigned int c = (id - 1) / PPGTT_SPT_PER_CHUNK;
    struct ppgtt_chunk *ch = &p->chunks[c];

    ASSERT(ch->used);
    memset(s, 0, sizeof(*s));
    s->hnext = ch->free;
    ch->free = id;
    if ( !--ch->used )
    {
        xfree(ch->spt);
        ch->spt = NULL;
        ch->free = 0;
    }
    if ( c < p->chunk_hint )
        p->chunk_hint = c;
}

int ppgtt_pool_init(struct gtt_vgpu *v)
{
    struct gtt_ppgtt *p = &v->ppgtt;

    p->quota = v->cfg.shadow_quota ? v->cfg.shadow_quota
                                   : GTT_DEFAULT_SHADOW_QUOTA;
    if ( p->quota > PPGTT_MAX_QUOTA )
        p->quota = PPGTT_MAX_QUOTA;
    p->max_chunks = p->quota / PPGTT_SPT_PER_CHUNK + 1;
    p->chunks = xzalloc_array(struct ppgtt_chunk, p->max_chunks);

    return p->chunks ? GTT_OK : GTT_ERR_NO_MEMORY;
}

/* Every shadow page and table record back (all tables freed before). */
void ppgtt_pool_destroy(struct gtt_vgpu *v)
{
    struct gtt_ppgtt *p = &v->ppgtt;

    ppgtt_flush(v);
    ASSERT(!p->used);
    xfree(p->chunks);
    p->chunks = NULL;
}
