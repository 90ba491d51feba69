/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The auditor's state of one vGPU (vgpu.h): its GGTT slices, the values of
 * its virtualised registers, its limits, its counters, and the lifecycle of
 * its pool of copy pages.  Its submissions only read it, but for the
 * counters they add under its lock when they finish.
 */
#include "vgpu_state.h"

void gpu_audit_vgpu_init(struct gpu_audit_vgpu *v,
                         const struct gpu_audit_table *t)
{
    memset(v, 0, sizeof(*v));
    spin_lock_init(&v->lock);
    v->table = t;
    v->limits.max_bytes = GPU_AUDIT_DEFAULT_MAX_BYTES;
    v->limits.max_cmds = GPU_AUDIT_DEFAULT_MAX_CMDS;
    v->limits.max_buffers = GPU_AUDIT_DEFAULT_MAX_BUFFERS;
    v->limits.max_chain = GPU_AUDIT_DEFAULT_MAX_CHAIN;
    v->limits.chunk_bytes = GPU_AUDIT_DEFAULT_CHUNK;
    v->limits.pool_pages = GPU_AUDIT_DEFAULT_POOL_PAGES;
}

/* Free what the vGPU holds; no submission of it may be alive. */
void gpu_audit_vgpu_destroy(struct gpu_audit_vgpu *v)
{
    gpu_audit_copy_pool_drain(v);
}

int gpu_audit_vgpu_add_slice(struct gpu_audit_vgpu *v, uint64_t base,
                             uint64_t size)
{
    unsigned int i;

    if ( v->nr_slices == GPU_AUDIT_MAX_SLICES || !size ||
         base + size < base || ((base | size) & (PAGE_SIZE - 1)) )
        return -EINVAL;
    for ( i = 0; i < v->nr_slices; i++ )
        if ( base < v->slices[i].base + v->slices[i].size &&
             v->slices[i].base < base + size )
            return -EEXIST;
    v->slices[v->nr_slices].base = base;
    v->slices[v->nr_slices].size = size;
    v->nr_slices++;

    return 0;
}

bool gpu_audit_ggtt_range_ok(const struct gpu_audit_vgpu *v, uint64_t addr,
                             uint64_t size)
{
    unsigned int i;

    for ( i = 0; i < v->nr_slices; i++ )
    {
        const struct gpu_audit_slice *sl = &v->slices[i];

        /* [addr, addr + size) wholly inside; no overflowing sums. */
        if ( addr >= sl->base && size <= sl->size &&
             addr - sl->base <= sl->size - size )
            return true;
    }

    return false;
}

/* Index of offset in v->vregs, or of where it would go. */
static unsigned int vreg_find(const struct gpu_audit_vgpu *v, uint32_t offset)
{
    unsigned int lo = 0, hi = v->nr_vregs;

    while ( lo < hi )
    {
        unsigned int mid = lo + (hi - lo) / 2;

        if ( v->vregs[mid].offset < offset )
            lo = mid + 1;
        else
            hi = mid;
    }

    return lo;
}

int gpu_audit_vgpu_set_vreg(struct gpu_audit_vgpu *v, uint32_t offset,
                            uint32_t value)
{
    const struct gpu_reg_desc *r = gpu_audit_reg_lookup(v->table, offset);
    unsigned int i;
    int rc = 0;

    if ( !r || !(r->flags & GPU_RF_VIRT) )
        return -EINVAL;

    spin_lock(&v->lock);
    i = vreg_find(v, offset);
    if ( i < v->nr_vregs && v->vregs[i].offset == offset )
        v->vregs[i].value = value;
    else if ( v->nr_vregs == GPU_AUDIT_MAX_VREGS )
        rc = -ENOSPC;
    else
    {
        memmove(&v->vregs[i + 1], &v->vregs[i],
                (v->nr_vregs - i) * sizeof(v->vregs[0]));
        v->vregs[i].offset = offset;
        v->vregs[i].value = value;
        v->nr_vregs++;
    }
    spin_unlock(&v->lock);

    return rc;
}

bool gpu_audit_vgpu_get_vreg(const struct gpu_audit_vgpu *v, uint32_t offset,
                             uint32_t *value)
{
    unsigned int i = vreg_find(v, offset);

    if ( i == v->nr_vregs || v->vregs[i].offset != offset )
        return false;
    *value = v->vregs[i].value;

    return true;
}

void gpu_audit_vgpu_count(struct gpu_audit_vgpu *v, unsigned int reason,
                          uint64_t cmds, uint64_t bytes, uint32_t neutralised,
                          uint32_t restarts)
{
    struct gpu_audit_counters *c = &v->counters;

    spin_lock(&v->lock);
    if ( !reason )
        c->accepted++;
    else
        c->rejected++;
    c->submissions++;
    c->by_reason[reason < XEN_GPU_AUDIT_NR ? reason : 0]++;
    c->commands += cmds;
    c->bytes += bytes;
    c->neutralised += neutralised;
    c->restarts += restarts;
    spin_unlock(&v->lock);
}
