/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The display emulator's operations (<asm/hvm/gtt.h>): decoding of its
 * argument buffer, and the operations themselves.  The emulator is not trusted: it
 * learns the display state Xen recorded from the guest's own writes, and
 * the guest frames of a plane's current surface, nothing else.
 */
#include "vgpu.h"

#define HDR_SIZE          sizeof(struct xen_gpu_emul_header)
/* Offset in the buffer of a field of the header or of an op's struct. */
#define HDR_FIELD(f)      offsetof(struct xen_gpu_emul_header, f)
#define OP_FIELD(t, f)    (HDR_SIZE + offsetof(struct xen_gpu_emul_##t, f))

/* Size of each op's struct; 0: no such op. */
static const uint32_t op_size[] = {
    [XEN_GPU_EMUL_GET_INFO]    = sizeof(struct xen_gpu_emul_get_info),
    [XEN_GPU_EMUL_GET_PLANE]   = sizeof(struct xen_gpu_emul_get_plane),
    [XEN_GPU_EMUL_MAP_SURFACE] = sizeof(struct xen_gpu_emul_map_surface),
};

static unsigned int refuse(struct gtt_emul_verdict *vd, unsigned int reason,
                           size_t offset)
{
    vd->reason = reason;
    vd->offset = offset;
    vd->page = 0;

    return reason;
}

static unsigned int accept(struct gtt_emul_verdict *vd)
{
    return refuse(vd, XEN_GPU_EMUL_OK, 0);
}

/* ------------------------------------------------------------------------
 * Decoding.
 * ------------------------------------------------------------------------ */

static unsigned int check_get_info(const struct xen_gpu_emul_get_info *in,
                                   struct gtt_emul_verdict *vd)
{
    if ( in->pad )
        return refuse(vd, XEN_GPU_EMUL_ERR_PAD, OP_FIELD(get_info, pad));

    return accept(vd);
}

/*
 * A plane named by pipe and plane, the fields at pipe_at and pipe_at + 4
 * (both ops that name a plane start with them).  Whether the plane exists
 * on this vGPU's generation is for the operation to say.
 */
static unsigned int check_plane_id(uint32_t pipe, uint32_t plane,
                                   size_t pipe_at, struct gtt_emul_verdict *vd)
{
    if ( pipe >= XEN_GPU_EMUL_MAX_PIPES )
        return refuse(vd, XEN_GPU_EMUL_ERR_PIPE, pipe_at);
    if ( plane >= XEN_GPU_EMUL_MAX_PLANES )
        return refuse(vd, XEN_GPU_EMUL_ERR_PLANE, pipe_at + sizeof(pipe));

    return accept(vd);
}

static unsigned int check_get_plane(const struct xen_gpu_emul_get_plane *in,
                                    struct gtt_emul_verdict *vd)
{
    BUILD_BUG_ON(OP_FIELD(get_plane, plane) !=
                 OP_FIELD(get_plane, pipe) + sizeof(in->pipe));

    return check_plane_id(in->pipe, in->plane, OP_FIELD(get_plane, pipe), vd);
}

static unsigned int check_map(const struct xen_gpu_emul_map_surface *in,
                              struct gtt_emul_verdict *vd)
{
    BUILD_BUG_ON(OP_FIELD(map_surface, plane) !=
                 OP_FIELD(map_surface, pipe) + sizeof(in->pipe));
    if ( check_plane_id(in->pipe, in->plane, OP_FIELD(map_surface, pipe), vd) )
        return vd->reason;
    if ( !in->nr || in->nr > XEN_GPU_EMUL_MAP_MAX )
        return refuse(vd, XEN_GPU_EMUL_ERR_COUNT, OP_FIELD(map_surface, nr));
    if ( in->first > UINT32_MAX - in->nr )
        return refuse(vd, XEN_GPU_EMUL_ERR_OVERFLOW,
                      OP_FIELD(map_surface, first));
    if ( in->pad )
        return refuse(vd, XEN_GPU_EMUL_ERR_PAD, OP_FIELD(map_surface, pad));

    return accept(vd);
}

unsigned int gtt_emul_decode(const void *buf, size_t len,
                             struct gtt_emul_req *req,
                             struct gtt_emul_verdict *vd)
{
    struct xen_gpu_emul_header h;

    memset(req, 0, sizeof(*req));
    if ( len < HDR_SIZE )
        return refuse(vd, XEN_GPU_EMUL_ERR_TRUNCATED, len);
    memcpy(&h, buf, HDR_SIZE);
    if ( h.version != XEN_GPU_INTERFACE_VERSION )
        return refuse(vd, XEN_GPU_EMUL_ERR_VERSION, HDR_FIELD(version));
    if ( h.op >= ARRAY_SIZE(op_size) || !op_size[h.op] )
        return refuse(vd, XEN_GPU_EMUL_ERR_UNKNOWN_OP, HDR_FIELD(op));
    if ( h.size != op_size[h.op] )
        return refuse(vd, XEN_GPU_EMUL_ERR_SIZE, HDR_FIELD(size));
    if ( h.pad )
        return refuse(vd, XEN_GPU_EMUL_ERR_PAD, HDR_FIELD(pad));
    if ( len - HDR_SIZE < h.size )
        return refuse(vd, XEN_GPU_EMUL_ERR_TRUNCATED, len);
    if ( len - HDR_SIZE > h.size )
        return refuse(vd, XEN_GPU_EMUL_ERR_TRAILING, HDR_SIZE + h.size);

    BUILD_BUG_ON(sizeof(req->u) < sizeof(struct xen_gpu_emul_get_info) ||
                 sizeof(req->u) < sizeof(struct xen_gpu_emul_get_plane) ||
                 sizeof(req->u) < sizeof(struct xen_gpu_emul_map_surface));
    memcpy(&req->u, (const uint8_t *)buf + HDR_SIZE, h.size);
    req->op = h.op;
    switch ( h.op )
    {
    case XEN_GPU_EMUL_GET_INFO:
        return check_get_info(&req->u.info, vd);
    case XEN_GPU_EMUL_GET_PLANE:
        return check_get_plane(&req->u.plane, vd);
    default:
        return check_map(&req->u.map, vd);
    }
}

/* ------------------------------------------------------------------------
 * The operations.
 * ------------------------------------------------------------------------ */

static unsigned int do_get_info(struct gtt_vgpu *v,
                                struct xen_gpu_emul_get_info *op,
                                struct gtt_emul_verdict *vd)
{
    const struct gtt_vgpu_config *c = &v->cfg;
    unsigned int i;

    op->version = XEN_GPU_INTERFACE_VERSION;
    op->gen = c->gen == 8 ? 8 : 9;
    op->nr_pipes = DISPLAY_PIPES;
    for ( i = 0; i < ARRAY_SIZE(op->plane_mask); i++ )
        op->plane_mask[i] = gtt_display_plane_mask(v, i);
    op->aperture_base = c->aperture_base;
    op->aperture_size = c->aperture_size;
    op->hidden_base = c->hidden_base;
    op->hidden_size = c->hidden_size;

    return accept(vd);
}

static unsigned int do_get_plane(struct gtt_vgpu *v,
                                 struct xen_gpu_emul_get_plane *op,
                                 struct gtt_emul_verdict *vd)
{
    struct gtt_plane_state st;
    bool exists;

    spin_lock(&v->lock);
    exists = gtt_display_plane_get(v, op->pipe, op->plane, &st);
    spin_unlock(&v->lock);
    if ( !exists )
        return refuse(vd, XEN_GPU_EMUL_ERR_PLANE, OP_FIELD(get_plane, plane));

    op->flags = st.enabled ? XEN_GPU_EMUL_PLANE_ENABLED : 0;
    op->format = st.format;
    op->tiling = st.tiling;
    op->stride = st.stride;
    op->width = st.width;
    op->height = st.height;
    op->x = st.x;
    op->y = st.y;
    op->nr_pages = st.nr_pages <= UINT32_MAX ? st.nr_pages : 0;
    op->flips = st.flips;
    op->surface = st.surface;

    return accept(vd);
}

/*
 * With v->lock held: the guest frame behind one page of the surface, if
 * the guest maps it to its own RAM.
 */
static unsigned int surface_frame(const struct gtt_vgpu *v, uint64_t gaddr,
                                  uint64_t *gfn)
{
    struct gtt_xlate x;

    if ( gtt_ggtt_translate_locked(v, gaddr, &x) != GTT_OK )
        return XEN_GPU_EMUL_ERR_OUTSIDE_SLICE;
    if ( x.scratch )
        return XEN_GPU_EMUL_ERR_SCRATCH;
    /*
     * The engine referenced the frame as the guest's RAM when the entry
     * was written; the guest may have taken the gfn out of its p2m since
     * (the frame stays referenced for the GPU).  Only a frame that still
     * backs the gfn the guest named is handed out.
     */
    if ( x.domain != v->d->domain_id || gtt_frame_gfn(x.mfn) != x.gfn )
        return XEN_GPU_EMUL_ERR_NOT_GUEST;
    *gfn = x.gfn;

    return XEN_GPU_EMUL_OK;
}

/* With v->lock held. */
static unsigned int map_surface_locked(struct gtt_vgpu *v,
                                       struct xen_gpu_emul_map_surface *op,
                                       uint64_t *frames,
                                       struct gtt_emul_verdict *vd)
{
    uint64_t ggtt_pages = v->dev->ggtt_entries;
    struct gtt_plane_state st;
    unsigned int i, rc;

    if ( !gtt_display_plane_get(v, op->pipe, op->plane, &st) )
        return refuse(vd, XEN_GPU_EMUL_ERR_PLANE,
                      OP_FIELD(map_surface, plane));
    if ( !st.enabled )
        return refuse(vd, XEN_GPU_EMUL_ERR_PLANE_OFF,
                      OP_FIELD(map_surface, plane));
    if ( !st.nr_pages || (st.surface >> GTT_PAGE_SHIFT) > ggtt_pages ||
         st.nr_pages > ggtt_pages - (st.surface >> GTT_PAGE_SHIFT) )
        return refuse(vd, XEN_GPU_EMUL_ERR_GEOMETRY,
                      OP_FIELD(map_surface, plane));
    op->surface = st.surface;
    op->nr_pages = st.nr_pages;
    if ( op->first >= st.nr_pages )
        return refuse(vd, XEN_GPU_EMUL_ERR_EXTENT,
                      OP_FIELD(map_surface, first));
    if ( op->first + op->nr > st.nr_pages )
        return refuse(vd, XEN_GPU_EMUL_ERR_EXTENT, OP_FIELD(map_surface, nr));

    for ( i = 0; i < op->nr; i++ )
    {
        uint64_t page = (uint64_t)op->first + i;

        rc = surface_frame(v, st.surface + (page << GTT_PAGE_SHIFT),
                           &frames[i]);
        if ( rc != XEN_GPU_EMUL_OK )
        {
            refuse(vd, rc, OP_FIELD(map_surface, first));
            vd->page = i;
            return rc;
        }
    }

    return accept(vd);
}

static unsigned int do_map_surface(struct gtt_vgpu *v,
                                   struct xen_gpu_emul_map_surface *op,
                                   uint64_t *frames,
                                   struct gtt_emul_verdict *vd)
{
    unsigned int rc;

    spin_lock(&v->lock);
    rc = map_surface_locked(v, op, frames, vd);
    spin_unlock(&v->lock);
    if ( rc != XEN_GPU_EMUL_OK )
        memset(frames, 0, op->nr * sizeof(*frames));

    return rc;
}

unsigned int gtt_emul_execute(struct gtt_vgpu *v, struct gtt_emul_req *req,
                              uint64_t *frames, struct gtt_emul_verdict *vd)
{
    switch ( req->op )
    {
    case XEN_GPU_EMUL_GET_INFO:
        return do_get_info(v, &req->u.info, vd);
    case XEN_GPU_EMUL_GET_PLANE:
        return do_get_plane(v, &req->u.plane, vd);
    case XEN_GPU_EMUL_MAP_SURFACE:
        return do_map_surface(v, &req->u.map, frames, vd);
    }

    return refuse(vd, XEN_GPU_EMUL_ERR_UNKNOWN_OP, HDR_FIELD(op));
}

unsigned int gtt_emul_op(struct gtt_vgpu *v, void *buf, size_t len,
                         uint64_t *frames, unsigned int frames_max,
                         struct gtt_emul_verdict *vd)
{
    struct gtt_emul_req req;
    unsigned int rc = gtt_emul_decode(buf, len, &req, vd);

    if ( rc != XEN_GPU_EMUL_OK )
        return rc;
    if ( req.op == XEN_GPU_EMUL_MAP_SURFACE && req.u.map.nr > frames_max )
        return refuse(vd, XEN_GPU_EMUL_ERR_COUNT, OP_FIELD(map_surface, nr));
    rc = gtt_emul_execute(v, &req, frames, vd);
    /* The OUT fields go back whatever the verdict: inputs are unchanged. */
    memcpy((uint8_t *)buf + HDR_SIZE, &req.u, op_size[req.op]);

    return rc;
}
