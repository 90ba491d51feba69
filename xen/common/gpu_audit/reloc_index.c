/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which audited jump operands an immediate store lands in.  Each relocation
 * has two operand dwords (entries 2 * reloc and 2 * reloc + 1).  Up to
 * GPU_AUDIT_RELOC_LINEAR relocations a store is compared with each; past
 * that the entries are indexed by dword address in a hash table (chained,
 * at most one key per bucket on average, doubled by rehash) whose hash is
 * multiply-shift with a random odd multiplier drawn per submission, so a
 * guest cannot choose addresses that collide.  The entries of one address
 * are kept in groups of equal copied value: a store keeps at most one group
 * (its value, the others merged into it in O(1)) and marks every entry of
 * the other groups stale, removing them.  So a store costs its bucket's
 * keys plus one group, and each entry is removed or merged at most once.
 */
#include "reloc_index.h"

#define GPU_AUDIT_RELOC_LINEAR 8
#define GPU_AUDIT_RELOC_BITS0  6

/* Per entry; indexes are entry + 1 (0: none). */
struct gpu_audit_reloc_link {
    uint32_t key_next;        /* key record: next key in the bucket */
    uint32_t groups;          /* key record: first group at its address */
    uint32_t group_next;      /* group: next group at the same address */
    uint32_t last;            /* group: its last entry */
    uint32_t next;            /* next entry of the same group */
};

static struct gpu_audit_buf *entry_buf(const struct gpu_audit_sub *s,
                                       unsigned int e)
{
    return &s->bufs[s->relocs[e / 2].buf];
}

static uint64_t entry_addr(const struct gpu_audit_sub *s, unsigned int e)
{
    return entry_buf(s, e)->gaddr + s->relocs[e / 2].offset + 4 * (e & 1);
}

static uint32_t entry_val(const struct gpu_audit_sub *s, unsigned int e)
{
    return gpu_audit_buf_dw(entry_buf(s, e), s->relocs[e / 2].offset / 4 +
                                             (e & 1));
}

static unsigned int bucket(const struct gpu_audit_sub *s, uint64_t addr)
{
    return (addr * s->reloc_hash_mul) >> (64 - s->reloc_bucket_bits);
}

/* The key record of space:addr (entry + 1), or 0; counts the probes. */
static uint32_t find_key(struct gpu_audit_sub *s, unsigned int space,
                         uint64_t addr, bool count)
{
    uint32_t k;

    for ( k = s->reloc_buckets[bucket(s, addr)]; k;
          k = s->reloc_links[k - 1].key_next )
    {
        s->store_steps += count;
        if ( entry_buf(s, k - 1)->space == space &&
             entry_addr(s, k - 1) == addr )
            break;
    }

    return k;
}

static int rehash(struct gpu_audit_sub *s, unsigned int bits)
{
    uint32_t *old = s->reloc_buckets, k, next;
    unsigned int i, old_nr = old ? 1u << s->reloc_bucket_bits : 0;

    s->reloc_buckets = xzalloc_array(uint32_t, 1u << bits);
    if ( !s->reloc_buckets )
    {
        s->reloc_buckets = old;
        return XEN_GPU_AUDIT_NO_MEMORY;
    }
    s->reloc_bucket_bits = bits;
    for ( i = 0; i < old_nr; i++ )
        for ( k = old[i]; k; k = next )
        {
            uint32_t *head = &s->reloc_buckets[bucket(s, entry_addr(s, k - 1))];

            next = s->reloc_links[k - 1].key_next;
            s->reloc_links[k - 1].key_next = *head;
            *head = k;
        }
    xfree(old);

    return 0;
}

static int insert(struct gpu_audit_sub *s, unsigned int e)
{
    struct gpu_audit_reloc_link *l = s->reloc_links;
    unsigned int space = entry_buf(s, e)->space;
    uint64_t addr = entry_addr(s, e);
    uint32_t k = find_key(s, space, addr, false), g;

    if ( !k )
    {
        uint32_t *head = &s->reloc_buckets[bucket(s, addr)];

        l[e].key_next = *head;
        *head = k = e + 1;
        if ( ++s->nr_reloc_keys > (1u << s->reloc_bucket_bits) )
        {
            int rc = rehash(s, s->reloc_bucket_bits + 1);

            if ( rc )
                return rc;
        }
    }
    g = l[k - 1].groups;
    if ( g && entry_val(s, g - 1) == entry_val(s, e) )
    {
        l[l[g - 1].last - 1].next = e + 1;
        l[g - 1].last = e + 1;
    }
    else
    {
        l[e].group_next = g;
        l[e].last = e + 1;
        l[k - 1].groups = e + 1;
    }

    return 0;
}

int gpu_audit_reloc_index_add(struct gpu_audit_sub *s)
{
    unsigned int n = 2 * s->nr_relocs, e = s->reloc_buckets ? n - 2 : 0;
    int rc;

    if ( s->nr_relocs <= GPU_AUDIT_RELOC_LINEAR )
        return 0;
    if ( s->max_reloc_links < n )
    {
        /* Room for every entry the relocation array can hold. */
        unsigned int max = 2 * s->max_relocs;
        struct gpu_audit_reloc_link *nl =
            xzalloc_array(struct gpu_audit_reloc_link, max);

        if ( !nl )
            return XEN_GPU_AUDIT_NO_MEMORY;
        if ( s->reloc_links )
            memcpy(nl, s->reloc_links, s->max_reloc_links * sizeof(*nl));
        xfree(s->reloc_links);
        s->reloc_links = nl;
        s->max_reloc_links = max;
    }
    if ( !s->reloc_buckets )
    {
        s->reloc_hash_mul = ((uint64_t)get_random() << 32) | get_random() | 1;
        rc = rehash(s, GPU_AUDIT_RELOC_BITS0);
        if ( rc )
            return rc;
    }
    for ( ; e < n; e++ )
    {
        rc = insert(s, e);
        if ( rc )
            return rc;
    }

    return 0;
}

void gpu_audit_reloc_index_store(struct gpu_audit_sub *s, unsigned int space,
                                 uint64_t addr, uint32_t val)
{
    struct gpu_audit_reloc_link *l = s->reloc_links;
    uint32_t k, g, n, keep = 0, *prev;
    unsigned int i;

    if ( !s->reloc_buckets )
    {
        for ( i = 0; i < s->nr_relocs; i++ )
        {
            struct gpu_audit_buf *b = &s->bufs[s->relocs[i].buf];
            uint64_t op = b->gaddr + s->relocs[i].offset;

            s->store_steps++;
            if ( b->space == space && addr >= op && addr - op < 8 &&
                 gpu_audit_buf_dw(b, (s->relocs[i].offset + (addr - op)) / 4)
                 != val )
                b->stale = true;
        }
        return;
    }

    /* Operands are dword aligned: a store hits the dword it starts in. */
    k = find_key(s, space, addr & ~3ull, true);
    if ( !k )
        return;
    for ( prev = &l[k - 1].groups; (g = *prev) != 0; )
    {
        s->store_steps++;
        if ( entry_val(s, g - 1) != val )
        {
            for ( n = g; n; n = l[n - 1].next )
            {
                s->store_steps++;
                entry_buf(s, n - 1)->stale = true;
            }
            *prev = l[g - 1].group_next;
        }
        else if ( !keep )
        {
            keep = g;
            prev = &l[g - 1].group_next;
        }
        else
        {
            l[l[keep - 1].last - 1].next = g;
            l[keep - 1].last = l[g - 1].last;
            *prev = l[g - 1].group_next;
        }
    }
}

void gpu_audit_reloc_index_free(struct gpu_audit_sub *s)
{
    xfree(s->reloc_links);
    xfree(s->reloc_buckets);
}
