/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Page references on guest frames and their deferred drops (refs.h).
 */
#include "refs.h"

void gtt_refs_refuse(struct gtt_refs *r, unsigned int reason)
{
    if ( reason > GTT_OK && reason < GTT_ERR_NR )
        r->stats->refused[reason]++;
}

void gtt_refs_refuse_frames(struct gtt_refs *r, unsigned long nr,
                            unsigned int reason)
{
    r->stats->entries_validated += nr;
    if ( reason > GTT_OK && reason < GTT_ERR_NR )
        r->stats->refused[reason] += nr;
}

int gtt_refs_frame_get(struct gtt_refs *r, unsigned long gfn,
                       struct gtt_frame *f)
{
    int rc = gtt_frame_get(r->d, gfn, f);

    r->stats->entries_validated++;
    if ( rc != GTT_OK )
    {
        gtt_refs_refuse(r, rc);
        return rc;
    }
    r->held++;

    return GTT_OK;
}

static void frame_put_now(struct gtt_refs *r, struct gtt_frame *f)
{
    ASSERT(r->held);
    gtt_frame_put(f);
    r->held--;
}

void gtt_refs_flush(struct gtt_refs *r)
{
    unsigned int i;

    if ( !r->hw_dirty && !r->deferred.nr )
        return;
    if ( !gtt_hw_tlb_invalidate(r->dev, r->engines_dirty) )
        r->stats->tlb_timeouts++;
    r->stats->tlb_invalidations++;
    r->hw_dirty = false;
    r->engines_dirty = false;
    for ( i = 0; i < r->deferred.nr; i++ )
        frame_put_now(r, &r->deferred.frames[i]);
    r->deferred.nr = 0;
}

static bool deferred_grow(struct gtt_deferred_puts *q)
{
    unsigned int max = q->max ? q->max * 2 : GTT_DEFERRED_INITIAL;
    struct gtt_frame *frames;

    if ( q->max >= GTT_DEFERRED_MAX )
        return false;
    if ( max > GTT_DEFERRED_MAX )
        max = GTT_DEFERRED_MAX;
    frames = xmalloc_array(struct gtt_frame, max);
    if ( !frames )
        return false;
    if ( q->nr )
        memcpy(frames, q->frames, q->nr * sizeof(*frames));
    xfree(q->frames);
    q->frames = frames;
    q->max = max;

    return true;
}

void gtt_refs_defer_put(struct gtt_refs *r, struct gtt_frame *f)
{
    struct gtt_deferred_puts *q = &r->deferred;

    if ( !f->pg )
        return;
    r->hw_dirty = true;
    if ( q->nr == q->max && !deferred_grow(q) )
    {
        /*
         * No room: invalidate now (the caller already replaced the entry),
         * then the reference can go at once.
         */
        gtt_refs_flush(r);
        frame_put_now(r, f);
        return;
    }
    q->frames[q->nr++] = *f;
    f->pg = NULL;
    f->mfn = 0;
}

int gtt_refs_init(struct gtt_refs *r, struct gtt_device *dev,
                  struct domain *d, struct gtt_stats *stats)
{
    memset(r, 0, sizeof(*r));
    r->dev = dev;
    r->d = d;
    r->stats = stats;

    return deferred_grow(&r->deferred) ? 0 : -ENOMEM;
}

void gtt_refs_free(struct gtt_refs *r)
{
    ASSERT(!r->held && !r->deferred.nr);
    xfree(r->deferred.frames);
    r->deferred.frames = NULL;
    r->deferred.max = 0;
}
