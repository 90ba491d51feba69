/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * asm/hvm/gtt.h: the GTT shadowing engine (xen/arch/x86/hvm/gtt/) as the
 * rest of Xen calls it: the device and vGPU lifecycle, the trapped BAR0
 * accesses (GGTT window, PVINFO page, display registers), the PPGTT
 * address spaces and trapped page-table writes, the display emulator's
 * operations, and the submission glue (submit.c).
 * Host tools (gtt-replay, the tests) use the same interface.  Everything
 * else of the engine is private to its directory.
 *
 * The guest's GGTT entries (written through the vGPU BAR) and its PPGTT
 * page tables (in its RAM, write-protected) are never seen by the GPU.  The
 * GPU walks shadow GTTs built by the engine, whose every entry is either a
 * scratch page or a frame of the guest's own RAM on which the engine holds
 * a page reference.  See docs/architecture.md.
 *
 * Locking: every entry point takes the vGPU's lock; none may be called with
 * it held.  Entry points never sleep and never hold a lock across a return.
 */
#ifndef __ASM_X86_HVM_GTT_H__
#define __ASM_X86_HVM_GTT_H__

/* Host builds get these names from tests/shim/xen/. */
#include <xen/types.h>
#include <xen/spinlock.h>
#include <public/gpu.h>

struct domain;
struct page_info;

struct gtt_vgpu;

/* Why an operation was refused, or an entry pointed at scratch. */
enum gtt_reason {
    GTT_OK = 0,
    GTT_ERR_OUTSIDE_SLICE,  /* GGTT entry outside the vGPU's slices: dropped */
    GTT_ERR_BAD_ACCESS,     /* size or alignment of a trapped access */
    GTT_ERR_NOT_RAM,        /* gfn is a hole, or past the guest's memory */
    GTT_ERR_MMIO,           /* gfn is MMIO */
    GTT_ERR_GRANT,          /* gfn is a grant mapping */
    GTT_ERR_FOREIGN,        /* gfn maps another domain's page */
    GTT_ERR_PAGED,          /* gfn is paged out (or being paged) */
    GTT_ERR_SHARED,         /* gfn is a shared (copy-on-write) page */
    GTT_ERR_OTHER_OWNER,    /* page owned by Xen or by another domain */
    GTT_ERR_QUOTA,          /* shadow page quota exhausted, nothing reclaimable */
    GTT_ERR_NO_MEMORY,      /* Xen allocation failed */
    GTT_ERR_BAD_ROOT,       /* unknown or invalid page-table root */
    GTT_ERR_NOT_TRACKED,    /* write to a frame the engine does not protect */
    GTT_ERR_IN_USE,         /* root pinned by a running context */
    GTT_ERR_BAD_HUGE,       /* huge entry that cannot be honoured (e.g. bad IPS) */
    GTT_ERR_NR
};

const char *gtt_reason_name(unsigned int reason);  /* "outside-slice", ... */

/* Physical GGTT: 8-byte entries. */
#define GTT_ENTRY_SIZE    8
#define GTT_PAGE_SHIFT    12

/*
 * The physical GPU: its GGTT, the scratch page of entries no vGPU owns
 * (each vGPU points its own invalid entries at a scratch page of its own),
 * and the vGPUs partitioning the GGTT (slices never overlap).
 */
struct gtt_device {
    uint64_t ggtt_entries;        /* entries of the physical GGTT */
    struct page_info *scratch;    /* zeroed, Xen-owned, never freed early */
    unsigned long scratch_mfn;
    void *hw;                     /* platform's handle on the GPU (gsm, mmio) */
    struct gtt_vgpu *vgpus;       /* list, for slice overlap checks */
    spinlock_t lock;
};

/*
 * The GPU, as Xen's wiring maps it and passes to gtt_device_init() (hw):
 * the GSM (BAR0 + 8 MiB: the physical GGTT, 8-byte entries, mapped
 * write-combining) and the register BAR (uncached).  A GGTT entry is always
 * written whole (writeq): the GPU never sees half an entry.
 */
struct gtt_hw {
    void __iomem *gsm;
    void __iomem *mmio;
};

int gtt_device_init(struct gtt_device *dev, uint64_t ggtt_entries, void *hw);
void gtt_device_destroy(struct gtt_device *dev);

struct gtt_vgpu_config {
    struct domain *d;             /* the guest */
    unsigned int id;              /* vgt_id in PVINFO */
    uint64_t aperture_base;       /* GGTT bytes, page aligned */
    uint64_t aperture_size;
    uint64_t hidden_base;
    uint64_t hidden_size;
    unsigned int fences;          /* fence registers (PVINFO fence_num) */
    unsigned int shadow_quota;    /* shadow table pages (0: default) */
    bool oos;                     /* out-of-sync leaf tables */
    unsigned int oos_threshold;   /* trapped writes before a leaf goes OOS */
    unsigned int gen;             /* 8 or 9: display registers (0: 9) */
};

#define GTT_DEFAULT_SHADOW_QUOTA  4096
#define GTT_DEFAULT_OOS_THRESHOLD 2

struct gtt_stats {
    uint64_t writes_trapped;      /* GGTT MMIO + PPGTT table writes handled */
    uint64_t entries_validated;   /* leaf entries checked against the p2m */
    uint64_t refused[GTT_ERR_NR]; /* by reason (GTT_OK unused) */
    uint64_t tlb_invalidations;
    uint64_t tlb_timeouts;        /* an engine did not confirm its TLB
                                     invalidation in time */
    uint64_t resyncs;             /* entries re-validated at sync, or
                                     found stale going out of sync */
    uint64_t reclaims;            /* address spaces reclaimed under quota */
    uint64_t splits;              /* huge guest entries split */
    unsigned int shadow_pages;    /* shadow table pages in use */
    unsigned int oos_pages;       /* leaf tables currently out of sync */
    unsigned int address_spaces;  /* PPGTT roots known */
    unsigned long refs_held;      /* page references on guest frames */
};


/*
 * 0, or -EINVAL (slices not page aligned, empty aperture, outside the
 * physical GGTT or above 4 GiB, aperture and hidden overlapping), -EBUSY
 * (a slice overlaps another vGPU's), -ENOMEM.
 */
int gtt_vgpu_create(struct gtt_device *dev, const struct gtt_vgpu_config *cfg,
                    struct gtt_vgpu **out);
/* Every slice entry to scratch, every address space destroyed, refs dropped. */
void gtt_vgpu_reset(struct gtt_vgpu *v);
void gtt_vgpu_destroy(struct gtt_vgpu *v);
void gtt_vgpu_stats(struct gtt_vgpu *v, struct gtt_stats *st);
/*
 * The vGPU's GGTT scratch page (host frame): where its invalid GGTT entries
 * point.  Not shared with other vGPUs, so it carries nothing between them.
 */
unsigned long gtt_vgpu_scratch_mfn(const struct gtt_vgpu *v);

/*
 * Trapped guest accesses to the vGPU BAR0: the PVINFO page at
 * GTT_PVINFO_OFFSET and the GGTT at GTT_GGTT_OFFSET.  Returns GTT_OK or a
 * reason; a refused write changes nothing the GPU can see.
 */
#define GTT_PVINFO_OFFSET 0x78000u
#define GTT_PVINFO_SIZE   0x1000u
#define GTT_GGTT_OFFSET   0x800000u

int gtt_ggtt_write(struct gtt_vgpu *v, uint64_t index, unsigned int offset,
                   unsigned int size, uint64_t val);
int gtt_ggtt_read(struct gtt_vgpu *v, uint64_t index, unsigned int offset,
                  unsigned int size, uint64_t *val);
int gtt_pvinfo_write(struct gtt_vgpu *v, unsigned int offset,
                     unsigned int size, uint64_t val);
int gtt_pvinfo_read(struct gtt_vgpu *v, unsigned int offset,
                    unsigned int size, uint64_t *val);
/*
 * Any trapped BAR0 access: routed to the PVINFO page (offset relative to
 * the page) or to the GGTT (entry (offset - GTT_GGTT_OFFSET) / 8, byte
 * offset in the entry).  Other offsets are not the engine's:
 * GTT_ERR_BAD_ACCESS (writes counted).
 */
int gtt_bar0_write(struct gtt_vgpu *v, uint64_t offset, unsigned int size,
                   uint64_t val);
int gtt_bar0_read(struct gtt_vgpu *v, uint64_t offset, unsigned int size,
                  uint64_t *val);

/*
 * Trapped guest write to a display register of BAR0, recorded before the
 * access goes on to the display emulator (display.c).  GTT_OK: it wrote a
 * register Xen records (plane registers, PIPESRC); GTT_ERR_NOT_TRACKED:
 * none; GTT_ERR_BAD_ACCESS: it touched one other than as whole, aligned
 * dwords or qwords (nothing recorded).  The emulator gets the write in
 * every case.
 */
int gtt_display_mmio_write(struct gtt_vgpu *v, uint64_t offset,
                           unsigned int size, uint64_t val);

/*
 * PPGTT address spaces.  A root is named by the GPA of its top table
 * (PML4 for 4-level, PDP0 for 3-level).  Pinned roots (in use by a context
 * the GPU may run) are never reclaimed.
 */
#define GTT_ROOT_L3 3
#define GTT_ROOT_L4 4

int gtt_ppgtt_create(struct gtt_vgpu *v, unsigned int level,
                     const uint64_t *root_gpas /* 1 (L4) or 4 (L3) */);
int gtt_ppgtt_destroy(struct gtt_vgpu *v, uint64_t root_gpa);
/*
 * Whether the engine knows root_gpa, and as what: its level and its roots
 * (L4: the PML4, then 0; L3: PDP0..3, 0 where absent).  GTT_OK or
 * GTT_ERR_BAD_ROOT; changes nothing (no user, no pin, no LRU touch).
 */
int gtt_ppgtt_lookup(struct gtt_vgpu *v, uint64_t root_gpa,
                     unsigned int *level, uint64_t pdps[4]);
/* Shadow roots to load into the context: 1 PML4 or 4 PDPs (host addresses). */
int gtt_ppgtt_pin(struct gtt_vgpu *v, uint64_t root_gpa,
                  uint64_t shadow_roots[4]);
int gtt_ppgtt_unpin(struct gtt_vgpu *v, uint64_t root_gpa);

/*
 * Guest CPU write to one of its frames that the engine protects.  claims()
 * is the O(1), lock-free test the MMIO intercept's check() uses.
 */
bool gtt_wp_claims(const struct gtt_vgpu *v, unsigned long gfn);
int gtt_wp_write(struct gtt_vgpu *v, uint64_t gpa, unsigned int size,
                 uint64_t val);

/* Before every submission: half-written entries and out-of-sync tables. */
int gtt_sync(struct gtt_vgpu *v);

/* What the GPU reaches at a graphics address, walking the shadow. */
struct gtt_xlate {
    bool scratch;
    domid_t domain;               /* owner of the frame */
    unsigned long gfn;            /* as validated */
    unsigned long mfn;
};

int gtt_translate_ggtt(struct gtt_vgpu *v, uint64_t gaddr,
                       struct gtt_xlate *x);
int gtt_translate_ppgtt(struct gtt_vgpu *v, uint64_t root_gpa, uint64_t gaddr,
                        struct gtt_xlate *x);

/* ------------------------------------------------------------------------
 * The display emulator's operations (emul_op.c), as defined in
 * xen/include/public/gpu.h: an argument buffer decoded into a request
 * (nothing in it trusted: sizes, pads, ranges all checked), then run
 * against the vGPU's recorded display state and its shadow GGTT.
 *
 * The dm_op glue (a later issue) copies the caller's buffer into Xen,
 * calls gtt_emul_op(), and copies the buffer back and the frames out only
 * when it returns XEN_GPU_EMUL_OK.
 * ------------------------------------------------------------------------ */

/* Why a buffer was refused, and where. */
struct gtt_emul_verdict {
    unsigned int reason;          /* XEN_GPU_EMUL_* */
    uint32_t offset;              /* byte offset of the offending field in
                                     the buffer (its length if truncated) */
    uint32_t page;                /* per-page refusals of MAP_SURFACE: the
                                     page's index in the request */
};

/* A decoded request: the op's struct, validated, with OUT fields to fill. */
struct gtt_emul_req {
    uint32_t op;                  /* XEN_GPU_EMUL_GET_INFO, ... */
    union {
        struct xen_gpu_emul_get_info info;
        struct xen_gpu_emul_get_plane plane;
        struct xen_gpu_emul_map_surface map;
    } u;
};

/*
 * Decode len bytes at buf (already copied from the caller).  Reads nothing
 * at or past buf + len.  XEN_GPU_EMUL_OK with *req filled, or the reason
 * (also in *vd).
 */
unsigned int gtt_emul_decode(const void *buf, size_t len,
                             struct gtt_emul_req *req,
                             struct gtt_emul_verdict *vd);

/*
 * Run a decoded request: its OUT fields are filled in.  MAP_SURFACE writes
 * u.map.nr guest frame numbers to frames[] on success and zeroes them on
 * refusal.  Takes v->lock.
 */
unsigned int gtt_emul_execute(struct gtt_vgpu *v, struct gtt_emul_req *req,
                              uint64_t *frames, struct gtt_emul_verdict *vd);

/*
 * Decode, run, and write the op's struct (OUT fields filled) back into buf.
 * frames_max: room in frames[] (the caller's second buffer); a MAP_SURFACE
 * asking for more is refused with XEN_GPU_EMUL_ERR_COUNT.
 */
unsigned int gtt_emul_op(struct gtt_vgpu *v, void *buf, size_t len,
                         uint64_t *frames, unsigned int frames_max,
                         struct gtt_emul_verdict *vd);

/*
 * Submission glue between the command auditor and the GTT engine: the
 * page-table roots a submission loads (LRIs of the PDP registers, flagged
 * by the auditor; the PDPs of a context image) are replaced by the shadow
 * roots of the engine, which stay pinned until the GPU is done with them.
 *
 * Naming of a load.  The auditor records each MI_LOAD_REGISTER_IMM that
 * writes the spec's PDP registers (gpu_audit_get_pdp_load()): for each
 * write, the register's place in the group (PDP0 low dword 0, PDP0 high 1,
 * .. PDP3 high 7), its value and where the value is.  One record is one
 * load; its level is decided by which PDPs it writes (both halves each):
 *   - PDP0 only:      4-level, PDP0 holds the guest's PML4 address;
 *   - PDP0 .. PDP3:   3-level, four page directories (0: not present);
 *   - anything else:  refused (GTT_ERR_BAD_ROOT).
 * A register written twice in one LRI counts with its last value (as on
 * the GPU); every write of it carries the shadow value.
 *
 * Address spaces.  A root the engine does not know is created
 * (gtt_ppgtt_create()), and then belongs to the vGPU as if the guest had
 * announced it through PVINFO: it lives until the guest's destroy
 * notification or a vGPU reset, its shadow reclaimable while unpinned.  A
 * known root must have been created with the same level and PDPs.
 *
 * Locking: as the engine's entry points (the vGPU's lock, never held on
 * entry).  The copy must be that of an accepted, finished submission.
 */

struct gpu_audit_sub;


/* Distinct address spaces one submission may load. */
#define GTT_SUBMIT_MAX_SPACES 8

struct gtt_submit_space {
    unsigned int level;           /* GTT_ROOT_L3 or GTT_ROOT_L4 */
    bool created;                 /* by this submission (undone on refusal) */
    uint64_t guest[4];            /* PML4, or PDP0..3 */
    uint64_t shadow[4];           /* what gtt_ppgtt_pin() returned */
};

/* What a submission holds pinned; zero it before use. */
struct gtt_submit_pins {
    unsigned int nr;
    struct gtt_submit_space space[GTT_SUBMIT_MAX_SPACES];
};

/*
 * After an accepted audit of s, run by a context whose addressing mode is
 * ctx_level (GTT_ROOT_L3: legacy 32-bit, four PDPs; GTT_ROOT_L4: 48-bit,
 * PDP0 holds the PML4; Xen takes it from the context descriptor): pin the
 * space of every PDP load and write its shadow root into the copy.  Every
 * load must be of ctx_level: the GPU walks the PDP registers in the
 * context's mode whatever an LRI wrote, so a shadow PD loaded into a
 * 4-level context would be walked as a PML4, and its leaves as tables.
 * GTT_OK, or the reason the submission is refused (the doorbell must not be
 * rung); then nothing stays pinned, pins is empty, the spaces it created are
 * destroyed and the copy is as the guest wrote it.  GTT_ERR_BAD_ROOT also
 * for a submission not accepted.
 */
int gtt_submit_apply_pdp_loads(struct gtt_vgpu *gv, struct gpu_audit_sub *s,
                               unsigned int ctx_level,
                               struct gtt_submit_pins *pins);
/* Once the GPU is done with the submission: unpin what it held. */
void gtt_submit_release(struct gtt_vgpu *gv, struct gtt_submit_pins *pins);

/*
 * The roots of a context image (level 4: guest_pdps[0] is the PML4; 3:
 * four PDPs): pinned, creating the space if unknown; shadow_roots gets
 * what gpu_audit_ctx_scan() puts in the shadow image.  GTT_OK or a reason
 * (nothing pinned).  Each GTT_OK is paired with gtt_submit_ctx_release()
 * of guest_pdps[0] once the GPU has switched away from the context.
 */
int gtt_submit_ctx_roots(struct gtt_vgpu *gv, unsigned int level,
                         const uint64_t guest_pdps[4],
                         uint64_t shadow_roots[4]);
int gtt_submit_ctx_release(struct gtt_vgpu *gv, uint64_t root_gpa);

/* ------------------------------------------------------------------------
 * The vGPU device (vdev.c, vreg.c): what a guest reaches through its BAR0,
 * the 16 MiB register BAR of a Gen9 GT2 part.
 *
 *   0x000000 .. 0x1fffff  registers: the virtual register file (data in
 *                         vreg_gen9.c), in which sit the PVINFO page
 *                         (GTT_PVINFO_OFFSET, pvinfo.c) and the ELSP ports
 *   0x800000 .. 0xffffff  the GGTT window (ggtt.c)
 *
 * Xen's wiring owns one struct gtt_vdev per vGPU domain, routes every
 * trapped BAR0 access to gtt_vdev_mmio_read/write() and carries out what
 * the device asks of it through struct gtt_vdev_ops (MSIs).  The device
 * model in dom0 reports where the guest placed BAR0 and how it programmed
 * MSI (XEN_GPU_EMUL_SET_BAR/SET_MSI), validated here.
 *
 * Locking: each entry point takes the device's lock and the vGPU's (in
 * that order) and drops them before returning; ops callbacks run with no
 * lock held.  gtt_vdev_bar0() is lock-free (the MMIO intercept's check()).
 * ------------------------------------------------------------------------ */

#define GTT_BAR0_SIZE     0x1000000u   /* 16 MiB */
#define GTT_REGS_SIZE     0x200000u    /* registers: the first 2 MiB */

struct gtt_vdev;

struct gtt_vdev_ops {
    /* Deliver an MSI to the guest (hvm_inject_msi()); called unlocked. */
    void (*inject_msi)(void *priv, uint64_t addr, uint32_t data);
    /*
     * Whether [gpa, gpa + size) lies in the guest's MMIO hole and over
     * none of its RAM (the p2m), for a BAR placement.
     */
    bool (*gpa_range_is_hole)(void *priv, uint64_t gpa, uint64_t size);
    void *priv;
};

struct gtt_vdev_config {
    struct gtt_vgpu_config vgpu;  /* slices, fences, ... */
    uint32_t engines;             /* bit XEN_GPU_ENGINE_*; 0: all */
    uint64_t bar0_gpa;            /* 0: until the device model sets it */
};

/* 0, -EINVAL (bad config), -EBUSY (slices overlap), -ENOMEM. */
int gtt_vdev_create(struct gtt_device *dev, const struct gtt_vdev_config *cfg,
                    const struct gtt_vdev_ops *ops, struct gtt_vdev **out);
void gtt_vdev_destroy(struct gtt_vdev *vd);
struct gtt_vgpu *gtt_vdev_vgpu(struct gtt_vdev *vd);

/*
 * Where BAR0 is decoded now (0: nowhere); lock-free, for check().  A
 * guest access that raced with a move reaches gtt_vdev_mmio_*() with an
 * offset the caller computed from the value it saw: harmless, it is an
 * access to the device either way.
 */
uint64_t gtt_vdev_bar0(const struct gtt_vdev *vd);

/*
 * A trapped BAR0 access, offset relative to BAR0.  Reads of what the
 * device does not implement return 0 and writes are dropped, both counted
 * as refused (XEN_GPU_MMIO_REFUSED); GTT_OK or the reason.  Never fails
 * the guest's access itself: on hardware, too, a bad access completes.
 */
int gtt_vdev_mmio_read(struct gtt_vdev *vd, uint64_t offset,
                       unsigned int size, uint64_t *val);
int gtt_vdev_mmio_write(struct gtt_vdev *vd, uint64_t offset,
                        unsigned int size, uint64_t val);

/* XEN_GPU_EMUL_SET_BAR / SET_MSI, decoded: XEN_GPU_EMUL_OK or a reason. */
unsigned int gtt_vdev_set_bar(struct gtt_vdev *vd,
                              const struct xen_gpu_emul_set_bar *bar);
unsigned int gtt_vdev_set_msi(struct gtt_vdev *vd,
                              const struct xen_gpu_emul_set_msi *msi);

/* Set bits of a GT IIR bank as the GPU would (MSI if enabled and unmasked). */
int gtt_vdev_raise_irq(struct gtt_vdev *vd, unsigned int bank, uint32_t bits);

/* State and counters for XEN_DOMCTL_GPU_INFO. */
void gtt_vdev_info(struct gtt_vdev *vd, struct xen_gpu_info *info);

#endif /* __ASM_X86_HVM_GTT_H__ */
