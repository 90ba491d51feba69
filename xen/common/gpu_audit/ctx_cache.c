/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Context images: lifecycle, and the per-vGPU cache of audited images.
 *
 * A cached image keeps its shadow and the audited copies of its indirect
 * context and per-context batch.  The ring-context page is read and
 * checked again on every submission (the guest rewrites RING_TAIL there
 * each time); the register state (pages 2..) and the two parts are
 * reused until an invalidation names a page they came from.  An audit that
 * overlaps an invalidation is never cached (the generation counter).
 */
#include "ctx_state.h"

/* Index the header registers of each layout (false: one is misplaced). */
static bool index_layouts(struct gpu_audit_ctx_cache *c,
                          const struct gpu_gen_spec *s)
{
    unsigned int cls, i;

    for ( cls = 0; cls < GPU_CTX_CLASS_NR; cls++ )
        for ( i = 0; i < s->ctx[cls].nr_items; i++ )
        {
            const struct gpu_ctx_item *it = &s->ctx[cls].items[i];
            uint32_t *map = it->value == GPU_CTXV_GUEST ? c->hdr_guest[cls]
                                                        : c->hdr_fixed[cls];

            if ( it->kind != GPU_CTX_REG )
                continue;
            if ( it->reg >= GPU_CTX_REL_MAX || (it->reg & 3) )
                return false;
            map[it->reg / 128] |= 1u << (it->reg / 4 % 32);
        }

    return true;
}

struct gpu_audit_ctx_cache *gpu_audit_ctx_cache_create(
    struct gpu_audit_vgpu *v, unsigned int max_entries)
{
    struct gpu_audit_ctx_cache *c;
    const struct gpu_gen_spec *s = v->table ? v->table->spec : NULL;
    unsigned int i;

    if ( !s )
        return NULL;
    c = xzalloc(struct gpu_audit_ctx_cache);
    if ( !c )
        return NULL;
    for ( i = 0; i < s->nr_cmds && !c->lri; i++ )
        if ( gpu_audit_ctx_desc_is_lri(&s->cmds[i]) )
            c->lri = &s->cmds[i];
    if ( max_entries )
        c->slot = xzalloc_array(struct gpu_audit_ctx *, max_entries);
    if ( !c->lri || !index_layouts(c, s) || (max_entries && !c->slot) )
    {
        xfree(c->slot);
        xfree(c);
        return NULL;
    }
    spin_lock_init(&c->lock);
    c->v = v;
    c->max = max_entries;

    return c;
}

static void ctx_free(struct gpu_audit_ctx *x)
{
    unsigned int i;

    gpu_audit_ctx_parts_drop(x);
    if ( x->pages )
        for ( i = 0; i < x->nr_pages; i++ )
            free_xenheap_page(x->pages[i]);
    xfree(x->pages);
    xfree(x);
}

/* Drop one reference (cache lock held); true if it was the last. */
static bool ctx_unref(struct gpu_audit_ctx *x)
{
    ASSERT(x->refs);
    return --x->refs == 0;
}

void gpu_audit_ctx_cache_destroy(struct gpu_audit_ctx_cache *c)
{
    unsigned int i;

    if ( !c )
        return;
    for ( i = 0; i < c->max; i++ )
    {
        struct gpu_audit_ctx *x = c->slot[i];

        if ( !x )
            continue;
        x->cached = false;
        /* No holder may be left: the cache's reference is the last. */
        if ( ctx_unref(x) )
            ctx_free(x);
        else
            BUG();
    }
    xfree(c->slot);
    xfree(c);
}

void gpu_audit_ctx_cache_stats(struct gpu_audit_ctx_cache *c,
                               struct gpu_audit_ctx_stats *out)
{
    spin_lock(&c->lock);
    *out = c->stats;
    spin_unlock(&c->lock);
}

/* Take x out of its slot (lock held); the caller drops the reference. */
static void slot_clear(struct gpu_audit_ctx_cache *c, struct gpu_audit_ctx *x)
{
    unsigned int i;

    for ( i = 0; i < c->max; i++ )
        if ( c->slot[i] == x )
            c->slot[i] = NULL;
    x->cached = false;
}

void gpu_audit_ctx_detach(struct gpu_audit_ctx *x)
{
    struct gpu_audit_ctx_cache *c = x->cache;
    bool last = false;

    spin_lock(&c->lock);
    if ( x->cached )
    {
        slot_clear(c, x);
        last = ctx_unref(x);
    }
    spin_unlock(&c->lock);
    /* The caller holds a reference. */
    ASSERT(!last);
}

void gpu_audit_ctx_count_scan(struct gpu_audit_ctx *x, bool reused)
{
    spin_lock(&x->cache->lock);
    if ( reused )
        x->cache->stats.hits++;
    else
        x->cache->stats.scans++;
    spin_unlock(&x->cache->lock);
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return alen && blen && a < b + blen && b < a + alen;
}

/* Could a write to [addr, addr + size) change what x reused? */
static bool ctx_depends_on(const struct gpu_audit_ctx *x, uint64_t addr,
                           uint64_t size)
{
    unsigned int p, i;

    if ( overlaps(addr, size, x->lrca + GPU_CTX_STATE_PAGE * PAGE_SIZE,
                  (uint64_t)(x->nr_pages - GPU_CTX_STATE_PAGE) * PAGE_SIZE) )
        return true;
    for ( p = 0; p < GPU_CTX_PART_NR; p++ )
        for ( i = 0; x->part[p] && i < gpu_audit_nr_bufs(x->part[p]); i++ )
        {
            const struct gpu_audit_buf *b = gpu_audit_get_buf(x->part[p], i);

            if ( overlaps(addr, size, b->gaddr, b->len) )
                return true;
        }

    return false;
}

/*
 * Drop the cache's reference of every image that depends on the range (or
 * of all), one slot at a time so that no image is freed under the lock.
 * Audits under way see the new generation and are not cached.
 */
static void invalidate(struct gpu_audit_ctx_cache *c, bool all, uint64_t addr,
                       uint64_t size)
{
    unsigned int i;

    spin_lock(&c->lock);
    c->gen++;
    spin_unlock(&c->lock);

    for ( i = 0; i < c->max; i++ )
    {
        struct gpu_audit_ctx *x;
        bool last = false;

        spin_lock(&c->lock);
        x = c->slot[i];
        if ( x && (all || ctx_depends_on(x, addr, size)) )
        {
            slot_clear(c, x);
            last = ctx_unref(x);
        }
        spin_unlock(&c->lock);
        if ( last )
            ctx_free(x);
    }
}

void gpu_audit_ctx_invalidate(struct gpu_audit_ctx_cache *c,
                              uint64_t ggtt_addr, uint64_t size)
{
    invalidate(c, false, ggtt_addr, size);
}

void gpu_audit_ctx_invalidate_all(struct gpu_audit_ctx_cache *c)
{
    invalidate(c, true, 0, 0);
}

/* A cached image free for this audit: held by the cache alone. */
static struct gpu_audit_ctx *cache_take(struct gpu_audit_ctx_cache *c,
                                        unsigned int engine, uint64_t lrca)
{
    struct gpu_audit_ctx *x = NULL;
    unsigned int i;

    spin_lock(&c->lock);
    c->stats.lookups++;
    for ( i = 0; i < c->max; i++ )
        if ( c->slot[i] && c->slot[i]->engine == engine &&
             c->slot[i]->lrca == lrca && c->slot[i]->refs == 1 )
        {
            x = c->slot[i];
            x->refs++;
            x->gen = c->gen;
            x->last_use = ++c->tick;
            break;
        }
    spin_unlock(&c->lock);

    return x;
}

static struct gpu_audit_ctx *ctx_alloc(struct gpu_audit_ctx_cache *c,
                                       unsigned int engine, uint64_t lrca)
{
    const struct gpu_gen_spec *s = c->v->table->spec;
    const struct gpu_ctx_layout *lay =
        &s->ctx[engine == XEN_GPU_ENGINE_RCS ? GPU_CTX_CLASS_RCS
                                             : GPU_CTX_CLASS_XCS];
    struct gpu_audit_ctx *x;
    unsigned int i;

    if ( lay->pages < GPU_CTX_STATE_PAGE || !lay->items )
        return NULL;
    x = xzalloc(struct gpu_audit_ctx);
    if ( !x )
        return NULL;
    x->cache = c;
    x->lay = lay;
    x->engine = engine;
    x->lrca = lrca;
    x->refs = 1;
    for ( i = 0; i < GPU_CTX_PART_NR; i++ )
        x->placed[i] = ~0ull;
    x->pages = xzalloc_array(uint32_t *, lay->pages);
    if ( !x->pages )
    {
        xfree(x);
        return NULL;
    }
    for ( x->nr_pages = 0; x->nr_pages < lay->pages; x->nr_pages++ )
    {
        x->pages[x->nr_pages] = alloc_xenheap_page();
        if ( !x->pages[x->nr_pages] )
        {
            ctx_free(x);
            return NULL;
        }
    }
    spin_lock(&c->lock);
    x->gen = c->gen;
    x->last_use = ++c->tick;
    spin_unlock(&c->lock);

    return x;
}

struct gpu_audit_ctx *gpu_audit_ctx_scan(struct gpu_audit_ctx_cache *c,
                                         unsigned int engine, uint64_t lrca,
                                         const struct gpu_audit_mem_ops *mem,
                                         void *priv,
                                         const struct gpu_audit_ctx_xen *xen)
{
    struct gpu_audit_ctx *x;

    if ( !c || engine >= XEN_GPU_ENGINE_NR || !mem || !xen ||
         (xen->levels != 3 && xen->levels != 4) )
        return NULL;
    x = cache_take(c, engine, lrca) ?: ctx_alloc(c, engine, lrca);
    if ( !x )
        return NULL;
    x->mem = mem;
    x->priv = priv;
    x->xen = *xen;
    x->phase = GPU_CTX_PHASE_IMAGE;
    memset(&x->verdict, 0, sizeof(x->verdict));

    return x;
}

/* Keep an accepted image, unless an invalidation overlapped its audit. */
static void cache_insert(struct gpu_audit_ctx_cache *c, struct gpu_audit_ctx *x)
{
    struct gpu_audit_ctx *victim = NULL;
    unsigned int i, p, free_slot = c->max;
    bool last = false;

    /* Only GGTT memory is covered by invalidations. */
    for ( p = 0; p < GPU_CTX_PART_NR; p++ )
        for ( i = 0; x->part[p] && i < gpu_audit_nr_bufs(x->part[p]); i++ )
            if ( gpu_audit_get_buf(x->part[p], i)->space != GPU_SPACE_GGTT )
                return;

    spin_lock(&c->lock);
    if ( x->cached || x->gen != c->gen )
        goto out;
    for ( i = 0; i < c->max; i++ )
    {
        struct gpu_audit_ctx *y = c->slot[i];

        if ( !y )
        {
            if ( free_slot == c->max )
                free_slot = i;
        }
        else if ( y->engine == x->engine && y->lrca == x->lrca )
        {
            /* An older audit of the same image, in use: replace it. */
            free_slot = i;
            victim = y;
            break;
        }
    }
    if ( free_slot == c->max )
        /* Evict the least recently used image nobody holds. */
        for ( i = 0; i < c->max; i++ )
            if ( c->slot[i]->refs == 1 &&
                 (!victim || c->slot[i]->last_use < victim->last_use) )
            {
                victim = c->slot[i];
                free_slot = i;
            }
    if ( free_slot == c->max )
        goto out;
    if ( victim )
    {
        victim->cached = false;
        c->slot[free_slot] = NULL;
        last = ctx_unref(victim);
        c->stats.evictions++;
    }
    c->slot[free_slot] = x;
    x->cached = true;
    x->refs++;
 out:
    spin_unlock(&c->lock);
    if ( last )
        ctx_free(victim);
}

int gpu_audit_ctx_run(struct gpu_audit_ctx *x)
{
    int rc = 0;

    if ( x->phase == GPU_CTX_PHASE_IMAGE )
    {
        rc = gpu_audit_ctx_image_audit(x);
        x->phase = GPU_CTX_PHASE_PARTS;
    }
    if ( !rc && x->phase == GPU_CTX_PHASE_PARTS )
    {
        rc = gpu_audit_ctx_parts_run(x);
        if ( rc == -ERESTART )
            return rc;
    }
    if ( x->phase != GPU_CTX_PHASE_DONE )
    {
        x->phase = GPU_CTX_PHASE_DONE;
        if ( !rc )
            cache_insert(x->cache, x);
    }

    return 0;
}

const struct gpu_audit_ctx_verdict *gpu_audit_ctx_get_verdict(
    const struct gpu_audit_ctx *x)
{
    return x->phase == GPU_CTX_PHASE_DONE ? &x->verdict : NULL;
}

void gpu_audit_ctx_put(struct gpu_audit_ctx *x)
{
    bool last;

    if ( !x )
        return;
    spin_lock(&x->cache->lock);
    last = ctx_unref(x);
    spin_unlock(&x->cache->lock);
    if ( last )
        ctx_free(x);
}

unsigned int gpu_audit_ctx_nr_pages(const struct gpu_audit_ctx *x)
{
    return x->nr_pages;
}

const uint32_t *gpu_audit_ctx_page(const struct gpu_audit_ctx *x,
                                   unsigned int i)
{
    if ( x->phase != GPU_CTX_PHASE_DONE || x->verdict.reason ||
         i >= x->nr_pages )
        return NULL;
    return x->pages[i];
}

struct gpu_audit_sub *gpu_audit_ctx_part(const struct gpu_audit_ctx *x,
                                         unsigned int part)
{
    if ( x->phase != GPU_CTX_PHASE_DONE || x->verdict.reason ||
         part == GPU_CTX_PART_IMAGE || part >= GPU_CTX_PART_NR )
        return NULL;
    return x->part[part];
}

int gpu_audit_ctx_place(struct gpu_audit_ctx *x, unsigned int part,
                        uint64_t ggtt_addr)
{
    uint64_t align = part == GPU_CTX_PART_INDIRECT ? 64 : PAGE_SIZE;

    if ( !gpu_audit_ctx_part(x, part) || (ggtt_addr & (align - 1)) ||
         ggtt_addr > UINT32_MAX )
        return -EINVAL;
    x->placed[part] = ggtt_addr;
    gpu_audit_ctx_apply_placement(x, part);

    return 0;
}
