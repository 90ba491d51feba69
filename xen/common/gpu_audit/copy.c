/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hypervisor-owned copies of command buffers.
 *
 * Guest memory is read exactly once, page by page as the scan needs it, into
 * Xen heap pages.  Every decision is taken on the copy and the copy is what
 * executes, so a guest that rewrites its buffer after the audit changes
 * nothing that runs.
 */
#include "copy.h"

void gpu_audit_copy_set_dw(struct gpu_audit_buf *b, uint32_t dw, uint32_t val)
{
    ASSERT(dw < b->len / 4);
    b->pages[dw / GPU_COPY_PAGE_DWS].dw[dw % GPU_COPY_PAGE_DWS] = val;
}

bool gpu_audit_buf_is_start(const struct gpu_audit_buf *b, uint32_t offset)
{
    uint32_t dw = offset / 4;
    const struct gpu_audit_page *p;

    if ( (offset & 3) || offset >= b->scanned )
        return false;
    p = &b->pages[dw / GPU_COPY_PAGE_DWS];

    return p->starts[dw % GPU_COPY_PAGE_DWS];
}

/* A page for a copy: from the vGPU's pool if it has one, else Xen's heap. */
static void *pool_get(struct gpu_audit_vgpu *v)
{
    void *pg = NULL;

    spin_lock(&v->lock);
    if ( v->pool.nr )
        pg = v->pool.pages[--v->pool.nr];
    spin_unlock(&v->lock);

    return pg ?: alloc_xenheap_page();
}

/* Keep a page for reuse, up to limits.pool_pages; free the rest. */
static void pool_put(struct gpu_audit_vgpu *v, void *pg)
{
    if ( !v->pool.pages && v->limits.pool_pages )
    {
        void **pages = xmalloc_array(void *, v->limits.pool_pages);

        spin_lock(&v->lock);
        if ( pages && !v->pool.pages )
        {
            v->pool.pages = pages;
            v->pool.max = v->limits.pool_pages;
            pages = NULL;
        }
        spin_unlock(&v->lock);
        xfree(pages);
    }

    spin_lock(&v->lock);
    if ( v->pool.nr < v->pool.max )
    {
        v->pool.pages[v->pool.nr++] = pg;
        pg = NULL;
    }
    spin_unlock(&v->lock);

    if ( pg )
        free_xenheap_page(pg);
}

void gpu_audit_copy_pool_drain(struct gpu_audit_vgpu *v)
{
    while ( v->pool.nr )
        free_xenheap_page(v->pool.pages[--v->pool.nr]);
    xfree(v->pool.pages);
    v->pool.pages = NULL;
    v->pool.max = 0;
}

static int copy_add_page(struct gpu_audit_buf *b, struct gpu_audit_vgpu *v)
{
    struct gpu_audit_page *pg;

    if ( b->nr_pages == b->max_pages )
    {
        unsigned int n = b->max_pages ? b->max_pages * 2 : 4;
        /* Entries are set up as pages are added: no need to zero them. */
        struct gpu_audit_page *np = xmalloc_array(struct gpu_audit_page, n);

        if ( !np )
            return XEN_GPU_AUDIT_NO_MEMORY;
        if ( b->nr_pages )
            memcpy(np, b->pages, b->nr_pages * sizeof(*np));
        xfree(b->pages);
        b->pages = np;
        b->max_pages = n;
    }

    pg = &b->pages[b->nr_pages];
    pg->dw = pool_get(v);
    if ( !pg->dw )
        return XEN_GPU_AUDIT_NO_MEMORY;
    memset(pg->starts, 0, sizeof(pg->starts));
    b->nr_pages++;

    return 0;
}

/*
 * Make bytes [0, end) of the buffer present in the copy.  Returns 0,
 * GPU_COPY_END if the buffer's mapping or limit ends first (b->limit is then
 * the real end), XEN_GPU_AUDIT_NO_MEMORY, or XEN_GPU_AUDIT_READ_FAULT for
 * any error of the reader: whatever its value, it means only that.
 */
int gpu_audit_copy_ensure(struct gpu_audit_buf *b, struct gpu_audit_vgpu *v,
                          const struct gpu_audit_mem_ops *mem, void *priv,
                          uint32_t end)
{
    while ( b->len < end )
    {
        uint32_t in_page = b->len % PAGE_SIZE;
        uint32_t want = PAGE_SIZE - in_page;
        uint64_t addr = b->gaddr + b->len;
        int got;

        if ( b->len >= b->limit )
            return GPU_COPY_END;
        if ( want > b->limit - b->len )
            want = b->limit - b->len;
        if ( b->wrap_size )
        {
            /* A ring segment wraps from the ring's end to its start. */
            uint32_t pos = (b->gaddr - b->wrap_base + b->len) % b->wrap_size;

            addr = b->wrap_base + pos;
            if ( want > b->wrap_size - pos )
                want = b->wrap_size - pos;
        }
        if ( !in_page )
        {
            int rc = copy_add_page(b, v);

            if ( rc )
                return rc;
        }

        got = mem->read(priv, b->space, addr,
                        (uint8_t *)b->pages[b->len / PAGE_SIZE].dw + in_page,
                        want);
        if ( got < 0 || (unsigned int)got > want )
            return XEN_GPU_AUDIT_READ_FAULT;
        /* Whole dwords only: a mapping cannot end mid-dword. */
        got &= ~3;
        b->len += got;
        if ( (uint32_t)got < want )
            b->limit = b->len;
    }

    return 0;
}

/* After the scan: nothing past the last audited command may execute. */
void gpu_audit_copy_seal(struct gpu_audit_buf *b)
{
    uint32_t off = b->scanned;
    uint32_t end = b->nr_pages * PAGE_SIZE;

    while ( off < end )
    {
        uint32_t in_page = off % PAGE_SIZE;

        memset((uint8_t *)b->pages[off / PAGE_SIZE].dw + in_page, 0,
               PAGE_SIZE - in_page);
        off += PAGE_SIZE - in_page;
    }
    b->len = b->scanned;
    b->done = true;
}

void gpu_audit_copy_free(struct gpu_audit_buf *b, struct gpu_audit_vgpu *v)
{
    unsigned int i;

    for ( i = 0; i < b->nr_pages; i++ )
        pool_put(v, b->pages[i].dw);
    xfree(b->pages);
    b->pages = NULL;
    b->nr_pages = b->max_pages = 0;
}
