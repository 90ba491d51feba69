/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest graphics memory for host tools (gpu-audit, bench-audit): buffers
 * placed at graphics addresses, read the way a gpu_audit_mem_ops reader
 * must answer (short at the end of a buffer, 0 where nothing is mapped).
 */
#ifndef GPU_AUDIT_TOOLS_REGION_H
#define GPU_AUDIT_TOOLS_REGION_H

#include <stdint.h>
#include <string.h>

struct region {
    const char *name;
    uint64_t addr;
    uint32_t size;
    const uint8_t *data;
};

/*
 * Copy up to len bytes at addr from the region holding it; returns the
 * bytes copied (0: unmapped) and, if src is not NULL, where they came from.
 */
static inline unsigned int region_read(const struct region *r, unsigned int nr,
                                       uint64_t addr, void *dst,
                                       unsigned int len, const uint8_t **src)
{
    unsigned int i;

    for ( i = 0; i < nr; i++, r++ )
    {
        uint64_t n;

        if ( addr < r->addr || addr - r->addr >= r->size )
            continue;
        n = r->size - (addr - r->addr);
        if ( n > len )
            n = len;
        memcpy(dst, r->data + (addr - r->addr), n);
        if ( src )
            *src = r->data + (addr - r->addr);
        return n;
    }

    return 0;
}

#endif /* GPU_AUDIT_TOOLS_REGION_H */
