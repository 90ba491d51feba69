/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * GPU command auditor: its interface to the rest of Xen (the vGPU and its
 * submission path) and to host tools.
 *
 * A submission is audited by reading every command buffer it reaches once,
 * into hypervisor-owned copies, and scanning the copies; the copies are what
 * the GPU executes.  The dispatch layout, the register index and the parser's
 * hot inlines are private to xen/common/gpu_audit/ (audit.h there).  See
 * docs/architecture.md.
 */
#ifndef __XEN_GPU_AUDIT_H__
#define __XEN_GPU_AUDIT_H__

#include <xen/page-size.h>
#include <xen/spinlock.h>
#include <xen/types.h>
#include <public/gpu.h>

struct gpu_audit_table;
struct gpu_gen_spec;
struct gpu_cmd_desc;

/* Graphics address spaces. */
#define GPU_SPACE_GGTT    0
#define GPU_SPACE_PPGTT   1

#define GPU_AUDIT_MAX_SLICES 4

struct gpu_audit_slice {
    uint64_t base;
    uint64_t size;
};

struct gpu_audit_limits {
    uint32_t max_bytes;       /* command bytes copied per submission */
    uint32_t max_cmds;        /* commands decoded per submission */
    uint32_t max_buffers;     /* buffers (ring, batches) per submission */
    uint32_t max_chain;       /* jumps followed per submission */
    uint32_t chunk_bytes;     /* bytes scanned per gpu_audit_run() call */
    uint32_t pool_pages;      /* copy pages kept for reuse (0: none) */
};

#define GPU_AUDIT_DEFAULT_MAX_BYTES   (64u << 20)
#define GPU_AUDIT_DEFAULT_MAX_CMDS    (4u << 20)
#define GPU_AUDIT_DEFAULT_MAX_BUFFERS 1024
#define GPU_AUDIT_DEFAULT_MAX_CHAIN   4096
#define GPU_AUDIT_DEFAULT_CHUNK       (256u << 10)
#define GPU_AUDIT_DEFAULT_POOL_PAGES  256

struct gpu_audit_counters {
    uint64_t submissions;
    uint64_t accepted;
    uint64_t rejected;
    uint64_t commands;
    uint64_t bytes;
    uint64_t restarts;
    uint64_t neutralised;
    uint64_t by_reason[XEN_GPU_AUDIT_NR];
};

/*
 * The vGPU's own value of a virtualised register (GPU_RF_VIRT): what the
 * copy carries wherever the guest loads that register with an LRI.
 */
#define GPU_AUDIT_MAX_VREGS 128

struct gpu_audit_vreg {
    uint32_t offset;
    uint32_t value;
};

/*
 * Per-vGPU audit state.  Submissions on different engines may run at once:
 * they only read the table, slices and limits, and add their counts under
 * 'lock' when they finish.
 */
struct gpu_audit_vgpu {
    const struct gpu_audit_table *table;
    spinlock_t lock;
    struct gpu_audit_slice slices[GPU_AUDIT_MAX_SLICES];
    unsigned int nr_slices;
    struct gpu_audit_limits limits;
    struct gpu_audit_counters counters;
    /* Copy pages of finished submissions, reused without allocating. */
    struct {
        void **pages;
        unsigned int nr, max;
    } pool;
    /* Sorted by offset; set before submissions, entries never removed. */
    struct gpu_audit_vreg vregs[GPU_AUDIT_MAX_VREGS];
    unsigned int nr_vregs;
};

/* Reads guest graphics memory; returns bytes read (short at the end of a
 * mapping, 0 if addr is not mapped) or -errno. */
struct gpu_audit_mem_ops {
    int (*read)(void *priv, unsigned int space, uint64_t addr, void *dst,
                unsigned int len);
};

/* A ring segment to audit: commands from head to tail (with wrap). */
struct gpu_audit_ring {
    uint64_t start;           /* GGTT address of the ring */
    uint32_t size;            /* bytes, page multiple */
    uint32_t head;
    uint32_t tail;
};

struct gpu_audit_verdict {
    uint32_t reason;          /* XEN_GPU_AUDIT_* */
    uint32_t buffer;          /* index of the buffer (gpu_audit_get_buf()) */
    uint32_t offset;          /* byte offset of the command in that buffer */
    uint32_t header;          /* its first dword */
    uint64_t gaddr;           /* its graphics address */
    const char *cmd;          /* its name, or NULL if unknown */
};

/* Shadow copy of one command buffer. */
#define GPU_COPY_PAGE_DWS (PAGE_SIZE / 4)

struct gpu_audit_page {
    uint32_t *dw;                              /* a Xen heap page */
    /* 1 where a command starts: a byte each, one store in the parser. */
    uint8_t starts[GPU_COPY_PAGE_DWS];
};

struct gpu_audit_buf {
    uint64_t gaddr;           /* graphics address of byte 0 */
    uint8_t space;            /* GPU_SPACE_* */
    uint8_t kind;             /* XEN_GPU_BUF_* */
    uint8_t level;            /* 0 ring, 1 first-level, 2 second-level */
    bool stale;               /* a later store changed a jump operand */
    bool done;                /* scan reached its end */
    uint32_t len;             /* bytes copied from the guest */
    uint32_t scanned;         /* bytes up to the end of the last command */
    uint32_t limit;           /* bytes it may grow to (mapping, slice, ring) */
    uint64_t wrap_base;       /* ring: GGTT address of the ring ... */
    uint32_t wrap_size;       /* ... and its size; 0 for batches */
    unsigned int nr_pages;
    unsigned int max_pages;
    struct gpu_audit_page *pages;
};

/* A jump in a copy that the submission layer must point at a copy. */
struct gpu_audit_reloc {
    uint32_t buf;             /* buffer holding the MI_BATCH_BUFFER_START */
    uint32_t offset;          /* byte offset of its address operand */
    uint32_t target_buf;
    uint32_t target_offset;
};

/* Something the auditor noticed for others to act on. */
#define GPU_NOTE_PDP_LOAD      1   /* LRI of a page-table root: redirect */
#define GPU_NOTE_DISPLAY_FLIP  2   /* display event for the emulator */
#define GPU_NOTE_NEUTRALISED   3   /* command replaced by MI_NOOP */
#define GPU_NOTE_REG_REWRITE   4   /* LRI value replaced by the vGPU's */

struct gpu_audit_note {
    uint8_t kind;
    uint32_t buf;
    uint32_t offset;          /* command (flip, noop) or value dword (PDP, REG) */
    uint32_t header;          /* command header, or register offset (PDP, REG) */
};

/*
 * An LRI that loads page-table root registers (the spec's 'pdp' group,
 * PDP0 low dword first): its writes of them, in command order, are
 * gpu_audit_get_pdp_write(s, load, 0 .. nr - 1).
 */
struct gpu_audit_pdp_load {
    uint32_t buf;
    uint32_t offset;          /* the LRI's header */
    uint32_t first, nr;       /* its writes */
};

struct gpu_audit_pdp_write {
    uint32_t index;           /* the register's place in its group, from 0 */
    uint32_t offset;          /* its value dword, in the LRI's buffer */
    uint32_t value;           /* the guest's value */
};

struct gpu_audit_sub;

typedef void gpu_audit_trace_fn(void *priv, const struct gpu_audit_sub *sub,
                                unsigned int buf, uint32_t offset,
                                const struct gpu_cmd_desc *desc,
                                unsigned int len_dw, unsigned int action);

/*
 * A generation's tables (gen 8 or 9), validated and indexed: NULL if the
 * generation is unknown, its tables do not validate or memory runs out.
 * One table serves every vGPU of that generation.
 */
struct gpu_audit_table *gpu_audit_table_create(unsigned int gen);
void gpu_audit_table_free(struct gpu_audit_table *t);

/* vGPU lifecycle. */
void gpu_audit_vgpu_init(struct gpu_audit_vgpu *v,
                         const struct gpu_audit_table *t);
void gpu_audit_vgpu_destroy(struct gpu_audit_vgpu *v);
int gpu_audit_vgpu_add_slice(struct gpu_audit_vgpu *v, uint64_t base,
                             uint64_t size);
/* Virtualised registers: -EINVAL if offset is not one, -ENOSPC if full. */
int gpu_audit_vgpu_set_vreg(struct gpu_audit_vgpu *v, uint32_t offset,
                            uint32_t value);
bool gpu_audit_vgpu_get_vreg(const struct gpu_audit_vgpu *v, uint32_t offset,
                             uint32_t *value);
bool gpu_audit_ggtt_range_ok(const struct gpu_audit_vgpu *v, uint64_t addr,
                             uint64_t size);

/* Submission lifecycle. */
struct gpu_audit_sub *gpu_audit_sub_create(struct gpu_audit_vgpu *v,
                                           unsigned int engine,
                                           const struct gpu_audit_mem_ops *mem,
                                           void *priv);
int gpu_audit_sub_start_ring(struct gpu_audit_sub *s,
                             const struct gpu_audit_ring *ring);
int gpu_audit_sub_start_batch(struct gpu_audit_sub *s, unsigned int space,
                              uint64_t addr);
void gpu_audit_sub_set_trace(struct gpu_audit_sub *s, gpu_audit_trace_fn *fn);
int gpu_audit_run(struct gpu_audit_sub *s);
void gpu_audit_sub_destroy(struct gpu_audit_sub *s);

const struct gpu_audit_verdict *gpu_audit_get_verdict(
    const struct gpu_audit_sub *s);
unsigned int gpu_audit_nr_bufs(const struct gpu_audit_sub *s);
const struct gpu_audit_buf *gpu_audit_get_buf(const struct gpu_audit_sub *s,
                                              unsigned int i);
unsigned int gpu_audit_nr_relocs(const struct gpu_audit_sub *s);
const struct gpu_audit_reloc *gpu_audit_get_reloc(
    const struct gpu_audit_sub *s, unsigned int i);
unsigned int gpu_audit_nr_notes(const struct gpu_audit_sub *s);
const struct gpu_audit_note *gpu_audit_get_note(const struct gpu_audit_sub *s,
                                                unsigned int i);
unsigned int gpu_audit_nr_pdp_loads(const struct gpu_audit_sub *s);
const struct gpu_audit_pdp_load *gpu_audit_get_pdp_load(
    const struct gpu_audit_sub *s, unsigned int i);
const struct gpu_audit_pdp_write *gpu_audit_get_pdp_write(
    const struct gpu_audit_sub *s, const struct gpu_audit_pdp_load *ld,
    unsigned int j);
/*
 * Write the value dword of write j of PDP load i in the copy (the shadow
 * root half the GPU must load, or the guest's again): accepted submissions
 * only, else -EINVAL.
 */
int gpu_audit_set_pdp_value(struct gpu_audit_sub *s, unsigned int i,
                            unsigned int j, uint32_t value);
uint64_t gpu_audit_sub_commands(const struct gpu_audit_sub *s);
uint64_t gpu_audit_sub_bytes(const struct gpu_audit_sub *s);

/* Copies. */
bool gpu_audit_buf_is_start(const struct gpu_audit_buf *b, uint32_t offset);

/* Dword of a copy (dw < len / 4). */
static inline uint32_t gpu_audit_buf_dw(const struct gpu_audit_buf *b,
                                        uint32_t dw)
{
    return b->pages[dw / GPU_COPY_PAGE_DWS].dw[dw % GPU_COPY_PAGE_DWS];
}

/* Names. */
const char *gpu_audit_reason_name(unsigned int reason);
const char *gpu_audit_engine_name(unsigned int engine);

#endif /* __XEN_GPU_AUDIT_H__ */
