/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PVINFO page (pvinfo.h) and the routing of trapped BAR0 accesses to
 * it and to the GGTT.  Offsets given to gtt_pvinfo_*() are relative to the
 * page.
 */
#include "vgpu.h"

/* The dword the guest reads at a 4-aligned offset. */
static uint32_t pvinfo_dword(const struct gtt_vgpu *v, unsigned int off)
{
    const struct gtt_pvinfo *pv = &v->pvinfo;
    const struct gtt_vgpu_config *c = &v->cfg;

    switch ( off )
    {
    case PVINFO_MAGIC:
        return (uint32_t)PVINFO_MAGIC_VALUE;
    case PVINFO_MAGIC + 4:
        return PVINFO_MAGIC_VALUE >> 32;
    case PVINFO_VERSION:
        return PVINFO_VERSION_MAJOR | (PVINFO_VERSION_MINOR << 16);
    case PVINFO_VGT_ID:
        return v->id;
    case PVINFO_VGT_CAPS:
        /* The shadow PPGTT takes 4-level tables and 64K/2M/1G entries. */
        return PVINFO_CAP_FULL_PPGTT | PVINFO_CAP_HUGE_GTT;
    /* Slices are below 4 GiB (gtt_vgpu_create() checks). */
    case PVINFO_AP_BASE:
        return c->aperture_base;
    case PVINFO_AP_SIZE:
        return c->aperture_size;
    case PVINFO_HIDDEN_BASE:
        return c->hidden_base;
    case PVINFO_HIDDEN_SIZE:
        return c->hidden_size;
    case PVINFO_FENCE_NUM:
        return c->fences;
    case PVINFO_DISPLAY_READY:
        return pv->display_ready;
    case PVINFO_G2V_NOTIFY:
        return pv->g2v_notify;
    case PVINFO_CURSOR_X_HOT:
    case PVINFO_CURSOR_Y_HOT:
        return pv->cursor_hot[(off - PVINFO_CURSOR_X_HOT) / 4];
    }
    if ( off >= PVINFO_PDP && off < PVINFO_PDP_END )
        return pv->pdp[(off - PVINFO_PDP) / 4];
    if ( off >= PVINFO_EXECLIST_DESC && off < PVINFO_EXECLIST_END )
        return pv->execlist_desc[(off - PVINFO_EXECLIST_DESC) / 4];

    return 0;
}

static uint64_t pdp_gpa(const struct gtt_pvinfo *pv, unsigned int i)
{
    return pv->pdp[2 * i] | ((uint64_t)pv->pdp[2 * i + 1] << 32);
}

/*
 * The guest announces a PPGTT root it has just written to pdp[]: an L3
 * space is its four PDPs, an L4 space its PML4 in pdp[0].  Execlist
 * context notifications need nothing: roots also come from the contexts
 * at submission.
 */
static int g2v_notify(struct gtt_vgpu *v, uint32_t what)
{
    struct gtt_pvinfo *pv = &v->pvinfo;
    uint64_t roots[4];
    unsigned int i;

    pv->g2v_notify = what;
    switch ( what )
    {
    case PVINFO_G2V_PPGTT_L3_CREATE:
        for ( i = 0; i < 4; i++ )
            roots[i] = pdp_gpa(pv, i);
        return gtt_ppgtt_create_locked(v, GTT_ROOT_L3, roots);
    case PVINFO_G2V_PPGTT_L4_CREATE:
        roots[0] = pdp_gpa(pv, 0);
        return gtt_ppgtt_create_locked(v, GTT_ROOT_L4, roots);
    case PVINFO_G2V_PPGTT_L3_DESTROY:
    case PVINFO_G2V_PPGTT_L4_DESTROY:
        return gtt_ppgtt_destroy_locked(v, pdp_gpa(pv, 0));
    case PVINFO_G2V_EXECLIST_CREATE:
    case PVINFO_G2V_EXECLIST_DESTROY:
        return GTT_OK;
    }
    pv->dropped++;

    return GTT_ERR_BAD_ACCESS;
}

static int pvinfo_dword_write(struct gtt_vgpu *v, unsigned int off,
                              uint32_t val)
{
    struct gtt_pvinfo *pv = &v->pvinfo;

    if ( off == PVINFO_G2V_NOTIFY )
        return g2v_notify(v, val);
    if ( off == PVINFO_DISPLAY_READY )
        pv->display_ready = val;
    else if ( off == PVINFO_CURSOR_X_HOT || off == PVINFO_CURSOR_Y_HOT )
        pv->cursor_hot[(off - PVINFO_CURSOR_X_HOT) / 4] = val;
    else if ( off >= PVINFO_PDP && off < PVINFO_PDP_END )
        pv->pdp[(off - PVINFO_PDP) / 4] = val;
    else if ( off >= PVINFO_EXECLIST_DESC && off < PVINFO_EXECLIST_END )
        pv->execlist_desc[(off - PVINFO_EXECLIST_DESC) / 4] = val;
    else if ( off >= PVINFO_RSV5 && off < PVINFO_RSV5_END )
        /* The guest could not fit in its resources: stop trusting it. */
        pv->failsafe = true;
    else
    {
        pv->dropped++;
        return GTT_ERR_BAD_ACCESS;
    }

    return GTT_OK;
}

/* Writes: whole dwords or qwords (low dword first), naturally aligned. */
int gtt_pvinfo_write(struct gtt_vgpu *v, unsigned int offset,
                     unsigned int size, uint64_t val)
{
    int rc;

    spin_lock(&v->lock);
    if ( (size != 4 && size != 8) || (offset & (size - 1)) ||
         offset >= GTT_PVINFO_SIZE )
        rc = GTT_ERR_BAD_ACCESS;
    else
    {
        rc = pvinfo_dword_write(v, offset, val);
        if ( rc == GTT_OK && size == 8 )
            rc = pvinfo_dword_write(v, offset + 4, val >> 32);
    }
    if ( rc == GTT_ERR_BAD_ACCESS )
        gtt_refs_refuse(&v->refs, rc);
    spin_unlock(&v->lock);

    return rc;
}

/* Reads: 1, 2, 4 or 8 bytes, naturally aligned; unknown offsets read 0. */
int gtt_pvinfo_read(struct gtt_vgpu *v, unsigned int offset,
                    unsigned int size, uint64_t *val)
{
    uint64_t q;
    unsigned int base = offset & ~7u;

    *val = 0;
    if ( (size != 1 && size != 2 && size != 4 && size != 8) ||
         (offset & (size - 1)) || offset >= GTT_PVINFO_SIZE )
        return GTT_ERR_BAD_ACCESS;
    spin_lock(&v->lock);
    q = pvinfo_dword(v, base) | ((uint64_t)pvinfo_dword(v, base + 4) << 32);
    spin_unlock(&v->lock);
    q >>= (offset - base) * 8;
    *val = size == 8 ? q : q & ((1ULL << (size * 8)) - 1);

    return GTT_OK;
}

static bool in_ggtt(const struct gtt_vgpu *v, uint64_t offset)
{
    return offset >= GTT_GGTT_OFFSET &&
           (offset - GTT_GGTT_OFFSET) / GTT_ENTRY_SIZE < v->dev->ggtt_entries;
}

static bool in_pvinfo(uint64_t offset)
{
    return offset - GTT_PVINFO_OFFSET < GTT_PVINFO_SIZE;
}

int gtt_bar0_write(struct gtt_vgpu *v, uint64_t offset, unsigned int size,
                   uint64_t val)
{
    if ( in_pvinfo(offset) )
        return gtt_pvinfo_write(v, offset - GTT_PVINFO_OFFSET, size, val);
    if ( in_ggtt(v, offset) )
        return gtt_ggtt_write(v, (offset - GTT_GGTT_OFFSET) / GTT_ENTRY_SIZE,
                              (offset - GTT_GGTT_OFFSET) % GTT_ENTRY_SIZE,
                              size, val);
    spin_lock(&v->lock);
    gtt_refs_refuse(&v->refs, GTT_ERR_BAD_ACCESS);
    spin_unlock(&v->lock);

    return GTT_ERR_BAD_ACCESS;
}

int gtt_bar0_read(struct gtt_vgpu *v, uint64_t offset, unsigned int size,
                  uint64_t *val)
{
    *val = 0;
    if ( in_pvinfo(offset) )
        return gtt_pvinfo_read(v, offset - GTT_PVINFO_OFFSET, size, val);
    if ( in_ggtt(v, offset) )
        return gtt_ggtt_read(v, (offset - GTT_GGTT_OFFSET) / GTT_ENTRY_SIZE,
                             (offset - GTT_GGTT_OFFSET) % GTT_ENTRY_SIZE,
                             size, val);

    return GTT_ERR_BAD_ACCESS;
}
