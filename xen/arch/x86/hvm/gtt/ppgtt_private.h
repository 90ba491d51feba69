/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internals of the shadow PPGTT (ppgtt*.c only; the rest of the engine
 * sees ppgtt.h): the entry format, the shadow table records, address
 * spaces, the write-protection table, and the functions the ppgtt files
 * share.  The pattern of xen/arch/x86/mm/shadow/private.h.
 */
#ifndef GTT_PPGTT_PRIVATE_H
#define GTT_PPGTT_PRIVATE_H

#include "vgpu.h"

/* Gen8+ PPGTT entry (64-bit). */
#define PPGTT_PRESENT      (1ULL << 0)
#define PPGTT_RW           (1ULL << 1)
#define PPGTT_PWT          (1ULL << 3)
#define PPGTT_PCD          (1ULL << 4)
#define PPGTT_PAT          (1ULL << 7)   /* 4K entry */
#define PPGTT_PS           (1ULL << 7)   /* PDE: 2M page, PDPE: 1G page */
#define PPGTT_IPS          (1ULL << 11)  /* PDE: its PT holds 64K entries */
#define PPGTT_PAT_LARGE    (1ULL << 12)  /* 2M/1G entry */
#define PPGTT_ADDR_MASK    0x0000fffffffff000ULL  /* bits 47:12 */
#define PPGTT_ENTRIES      512
#define PPGTT_64K_STRIDE   16            /* 64K entries: every 16th slot */

/*
 * Software bits of a shadow entry: 62:52 are ignored by the GPU (GVT-g
 * keeps a flag at 52 too).  The engine's per-entry state lives there, so
 * a shadow table costs its page and a small struct gtt_spt, nothing per
 * entry.  The values compared and the addresses taken mask them out.
 */
#define PPGTT_SW_PENDING   (1ULL << 52)  /* re-read from the guest at sync */
#define PPGTT_SW_MASK      0x7ff0000000000000ULL

/*
 * A shadow table.  What each entry holds is found from its value: a leaf
 * names its frame (the reference to drop: the frame's page; the guest
 * frame for translation: the M2P), a table entry names the next shadow
 * page (the table: ppgtt_spt_by_mfn()), the scratch tree holds nothing.
 *
 * 32 bytes, in page-sized chunks of the vGPU (ppgtt_pool.c), named by
 * 32-bit ids (index + 1; 0: none) in hash chains.
 */
struct gtt_spt {
    uint32_t hnext;                /* chain by (guest frame, kind): tracked;
                                      free records: the free list */
    uint32_t mnext;                /* chain by shadow page */
    unsigned long gfn:36;          /* guest table (tracked tables only) */
    unsigned long kind:3;          /* enum ppgtt_kind */
    unsigned long tracked:1;       /* guest-backed (else split from a huge
                                      entry): frame referenced, protected */
    unsigned long oos:1;           /* write protection dropped */
    unsigned long on_plist:1;      /* in ppgtt.pend[] */
    unsigned long writes:22;       /* trapped writes since protected */
    unsigned long mfn:40;          /* the shadow page (52-bit host
                                      addresses: 40-bit frames) */
    unsigned long refs:24;         /* upper entries, roots, callers */
    unsigned long gmfn:40;         /* guest table's frame (referenced) */
    unsigned long id:24;           /* this record's id */
};

#define PPGTT_SPT_PER_CHUNK (4096 / 32)
/* Largest quota honoured: every table's id fits in 24 bits. */
#define PPGTT_MAX_QUOTA     (1U << 20)

/* Records of up to PPGTT_SPT_PER_CHUNK tables: allocated while one is used. */
struct ppgtt_chunk {
    struct gtt_spt *spt;           /* NULL: not allocated */
    uint32_t free;                 /* its free records, by id */
    unsigned int used;
};

/*
 * Most references a table takes from entries and roots (more is refused as
 * over quota), leaving room for the holds of a trapped write or a sync.
 */
#define PPGTT_SPT_MAX_REFS ((1UL << 24) - 16)
/* Trapped writes counted (a larger cfg.oos_threshold is never reached). */
#define PPGTT_SPT_MAX_WRITES ((1UL << 22) - 1)

/* An address space (PPGTT root). */
struct gtt_mm {
    struct gtt_mm *prev, *next;    /* LRU order, least recently used first */
    unsigned int level;            /* GTT_ROOT_L3 or GTT_ROOT_L4 */
    uint64_t root_gpa[4];          /* PML4, or PDP0..3 (0: not present) */
    struct gtt_spt *root[4];       /* shadows while shadowed */
    bool shadowed;
    bool busy;                     /* being shadowed: not reclaimable */
    unsigned int users;            /* create() calls not destroyed */
    unsigned int pins;
};

/*
 * Tracked guest frames: open addressing, read without the lock.  A slot is
 * one word, always stored whole: gfn + 1 (0: empty), the shadow tables
 * built from the frame, their kinds (1 << kind) and whether the frame is
 * trapped (not while out of sync).
 */
struct ppgtt_wp_slot {
    uint64_t w;
};

#define PPGTT_WP_KEY_MASK     ((1ULL << 37) - 1)     /* gfn + 1 */
#define PPGTT_WP_TABLES_SHIFT 37                     /* 3 bits */
#define PPGTT_WP_KINDS_SHIFT  40                     /* PPGTT_NR_KINDS bits */
#define PPGTT_WP_PROTECT      (1ULL << 45)

static inline unsigned int ppgtt_wp_tables(const struct ppgtt_wp_slot *s)
{
    return (s->w >> PPGTT_WP_TABLES_SHIFT) & 7;
}

static inline unsigned int ppgtt_wp_kinds(const struct ppgtt_wp_slot *s)
{
    return (s->w >> PPGTT_WP_KINDS_SHIFT) & ((1u << PPGTT_NR_KINDS) - 1);
}

/* 1 for PTs, 2 PD, 3 PDP, 4 PML4: which address bits index the table. */
static inline unsigned int ppgtt_kind_level(enum ppgtt_kind k)
{
    return k <= PPGTT_PT64 ? 1 : (unsigned int)k;
}

/*
 * Host frame a shadow entry of a kind-k table names: for a 2M/1G entry the
 * first of its run (bit 12 there is PAT, not address).
 */
static inline unsigned long ppgtt_shadow_mfn(uint64_t val, enum ppgtt_kind k)
{
    uint64_t a = val & PPGTT_ADDR_MASK;

    if ( (k == PPGTT_PD || k == PPGTT_PDP) && (val & PPGTT_PS) )
        a &= ~((1ULL << (k == PPGTT_PD ? 21 : 30)) - 1);

    return a >> GTT_PAGE_SHIFT;
}

/* Kind of the (scratch) table below a non-leaf kind. */
static inline enum ppgtt_kind ppgtt_kind_below(enum ppgtt_kind k)
{
    return k == PPGTT_PD ? PPGTT_PT : k - 1;
}

/* A 4K shadow leaf other than the scratch page (it holds a reference). */
static inline bool ppgtt_leaf_held(unsigned long scratch_mfn, uint64_t val)
{
    return ((val & PPGTT_ADDR_MASK) >> GTT_PAGE_SHIFT) != scratch_mfn;
}

static inline bool ppgtt_kind_leafy(enum ppgtt_kind k)
{
    return k == PPGTT_PT || k == PPGTT_PT64;
}

/* The table record of id (0: NULL). */
static inline struct gtt_spt *ppgtt_spt_at(const struct gtt_ppgtt *p,
                                           uint32_t id)
{
    if ( !id )
        return NULL;

    return &p->chunks[(id - 1) / PPGTT_SPT_PER_CHUNK]
                .spt[(id - 1) % PPGTT_SPT_PER_CHUNK];
}

/* ppgtt_pool.c */
void *ppgtt_array_grow(void *old, unsigned int nr, unsigned int *max,
                       size_t size);
struct gtt_spt *ppgtt_spt_alloc(struct gtt_ppgtt *p);
void ppgtt_spt_release(struct gtt_ppgtt *p, struct gtt_spt *s);
int ppgtt_pool_init(struct gtt_vgpu *v);
void ppgtt_pool_destroy(struct gtt_vgpu *v);
int ppgtt_pool_alloc(struct gtt_vgpu *v, struct page_info **pg);
void ppgtt_pool_free(struct gtt_vgpu *v, struct page_info *pg);
void ppgtt_flush(struct gtt_vgpu *v);
void ppgtt_lru_add(struct gtt_ppgtt *p, struct gtt_mm *mm);
void ppgtt_lru_del(struct gtt_ppgtt *p, struct gtt_mm *mm);
void ppgtt_lru_touch(struct gtt_ppgtt *p, struct gtt_mm *mm);

/* ppgtt_shadow.c */
uint64_t ppgtt_scratch_entry(const struct gtt_vgpu *v, enum ppgtt_kind k);
int ppgtt_spt_get(struct gtt_vgpu *v, unsigned long gfn, enum ppgtt_kind k,
                  struct gtt_spt **out);
int ppgtt_spt_new(struct gtt_vgpu *v, enum ppgtt_kind k,
                  struct gtt_spt **out);
void ppgtt_spt_put(struct gtt_vgpu *v, struct gtt_spt *s);
struct gtt_spt *ppgtt_spt_find(struct gtt_ppgtt *p, unsigned long gfn,
                               enum ppgtt_kind k);
/* Shadow guest entry e into slot i of s (old contents released after). */
int ppgtt_set_entry(struct gtt_vgpu *v, struct gtt_spt *s, unsigned int i,
                    uint64_t e);
void ppgtt_clear_entry(struct gtt_vgpu *v, struct gtt_spt *s, unsigned int i);
uint64_t ppgtt_read_shadow(const struct gtt_spt *s, unsigned int i);
void ppgtt_write_shadow(struct gtt_spt *s, unsigned int i, uint64_t val);
uint64_t ppgtt_read_guest(const struct gtt_ppgtt *p, const struct gtt_spt *s,
                          unsigned int i);
void ppgtt_put_frame(struct gtt_vgpu *v, unsigned long mfn);
void ppgtt_put_frames(struct gtt_vgpu *v, unsigned long mfn, unsigned long nr);
void ppgtt_unget_frame(struct gtt_vgpu *v, struct gtt_frame *f);
uint64_t ppgtt_leaf_entry(unsigned long mfn, uint64_t flags, bool large);
uint64_t ppgtt_guest_flags(uint64_t guest, bool large);
unsigned long ppgtt_large_frames(enum ppgtt_kind k);
void ppgtt_replace(struct gtt_vgpu *v, struct gtt_spt *s, unsigned int i,
                   uint64_t val);
uint64_t ppgtt_leaf_4k(struct gtt_vgpu *v, unsigned long gfn,
                       uint64_t flags);
struct gtt_spt *ppgtt_spt_by_mfn(const struct gtt_ppgtt *p,
                                 unsigned long mfn);

/* ppgtt_huge.c */
int ppgtt_set_huge(struct gtt_vgpu *v, struct gtt_spt *s, unsigned int i,
                   uint64_t e);
int ppgtt_set_64k(struct gtt_vgpu *v, struct gtt_spt *s, unsigned int i,
                  uint64_t e);

/* ppgtt_wp.c */
int ppgtt_wp_init(struct gtt_vgpu *v);
void ppgtt_wp_free(struct gtt_vgpu *v);
int ppgtt_wp_track(struct gtt_vgpu *v, unsigned long gfn, enum ppgtt_kind k);
void ppgtt_wp_untrack(struct gtt_vgpu *v, unsigned long gfn,
                      enum ppgtt_kind k);
struct ppgtt_wp_slot *ppgtt_wp_find(const struct gtt_ppgtt *p,
                                    unsigned long gfn);
int ppgtt_wp_protect(struct gtt_vgpu *v, struct ppgtt_wp_slot *s,
                     unsigned long gfn);
void ppgtt_wp_unprotect(struct gtt_vgpu *v, struct ppgtt_wp_slot *s,
                        unsigned long gfn);

/* ppgtt_oos.c */
void ppgtt_mark_pending(struct gtt_vgpu *v, struct gtt_spt *s, unsigned int i);
void ppgtt_oos_note_write(struct gtt_vgpu *v, struct gtt_spt *s);
const uint64_t *ppgtt_oos_snapshot(const struct gtt_ppgtt *p,
                                   const struct gtt_spt *s);
void ppgtt_spt_unlist(struct gtt_vgpu *v, struct gtt_spt *s);
int ppgtt_oos_resync_gfn(struct gtt_vgpu *v, unsigned long gfn);

/* ppgtt.c */
void ppgtt_mm_unshadow(struct gtt_vgpu *v, struct gtt_mm *mm);

#endif /* GTT_PPGTT_PRIVATE_H */
