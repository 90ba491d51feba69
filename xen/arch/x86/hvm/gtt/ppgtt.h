/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shadow PPGTT address spaces of a vGPU (ppgtt*.c).
 *
 *   ppgtt.c         address spaces: create/destroy, pin/unpin, translate
 *   ppgtt_shadow.c  shadow tables: lookup by (guest frame, kind), population,
 *                   entry installation, teardown
 *   ppgtt_huge.c    64K (IPS), 2M and 1G guest entries
 *   ppgtt_wp.c      write-protected guest tables: claims() and trapped writes
 *   ppgtt_oos.c     half-written entries, out-of-sync leaf tables, gtt_sync()
 *   ppgtt_pool.c    per-vGPU quota of shadow pages, deferred frees, LRU reclaim
 *
 * The GPU only ever walks shadow tables.  Every shadow entry is either the
 * scratch tree (scratch page, or scratch table of the next level) or a frame
 * of the guest's own RAM on which a reference is held; every guest table a
 * shadow was built from is write-protected (or out of sync with a snapshot
 * of what was validated) and referenced.
 */
#ifndef GTT_PPGTT_H
#define GTT_PPGTT_H

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

/* Kinds of table; a guest page is shadowed once per kind it is used as. */
enum ppgtt_kind {
    PPGTT_PT = 0,       /* 4K entries */
    PPGTT_PT64,         /* PT under an IPS PDE: 64K entries */
    PPGTT_PD,           /* 2M entries or PTs */
    PPGTT_PDP,          /* 1G entries or PDs */
    PPGTT_PML4,
    PPGTT_NR_KINDS
};

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

#define PPGTT_HASH_BUCKETS 1024

/* Out-of-sync tables at once: bounds snapshots and the work of a sync. */
#define PPGTT_MAX_OOS 128

/* An out-of-sync leaf table and the guest entries validated into it. */
struct ppgtt_oos {
    struct gtt_spt *spt;
    uint64_t *snapshot;            /* PPGTT_ENTRIES */
};

struct gtt_ppgtt {
    struct gtt_mm *lru_head, *lru_tail;
    uint32_t hash[PPGTT_HASH_BUCKETS];   /* ids, by (guest frame, kind) */
    uint32_t mhash[PPGTT_HASH_BUCKETS];  /* ids, by shadow page */
    /* Table records, lowest chunk first (ppgtt_pool.c). */
    struct ppgtt_chunk *chunks;    /* quota / PPGTT_SPT_PER_CHUNK + 1 */
    unsigned int max_chunks;
    unsigned int chunk_hint;       /* no free record in a chunk below */
    struct ppgtt_wp_slot *wp;
    unsigned int wp_mask;
    unsigned int wp_seq;           /* odd while a removal moves slots */
    /*
     * Tables with pending entries (PPGTT_SW_PENDING), grown on demand;
     * when it cannot grow, pend_lost makes the next sync scan every
     * tracked table instead.
     */
    struct gtt_spt **pend;
    unsigned int nr_pend, max_pend;
    bool pend_lost;
    struct ppgtt_oos oos[PPGTT_MAX_OOS];
    unsigned int nr_oos;
    /*
     * Scratch tree: scratch_pg[k] is a table of kind k whose entries all
     * lead to this vGPU's own scratch page (read-only in leaves; not the
     * device's, so a GPU ignoring RW cannot pass data between vGPUs).
     */
    struct page_info *scratch_pg[PPGTT_NR_KINDS];
    unsigned long scratch_mfn[PPGTT_NR_KINDS];
    struct page_info *scratch_page;
    unsigned long scratch_page_mfn;
    /* Shadow pages unlinked but maybe still cached by the GPU. */
    struct page_info **zombies;    /* grown as needed, freed at the flush */
    unsigned int nr_zombies, max_zombies;
    unsigned int quota, used;      /* shadow pages (zombies included) */
};

/*
 * Called by vgpu.c: init at create; teardown at reset and destroy (every
 * address space and shadow gone, every reference queued, all memory back).
 * After a reset the next gtt_ppgtt_create() sets things up again.  The
 * table gtt_wp_claims() reads without the lock is freed here too: the MMIO
 * intercept must not run for the vGPU during a reset (domain paused).
 */
int gtt_ppgtt_init(struct gtt_vgpu *v);
void gtt_ppgtt_teardown(struct gtt_vgpu *v);

/*
 * gtt_ppgtt_create()/destroy()/lookup() for callers already holding
 * v->lock (pvinfo.c's g2v_notify, submit.c).
 */
int gtt_ppgtt_create_locked(struct gtt_vgpu *v, unsigned int level,
                            const uint64_t *root_gpas);
int gtt_ppgtt_destroy_locked(struct gtt_vgpu *v, uint64_t root_gpa);
int gtt_ppgtt_lookup_locked(struct gtt_vgpu *v, uint64_t root_gpa,
                            unsigned int *level, uint64_t pdps[4]);

/*
 * Audit: every reference the PPGTT shadows hold, one call per reference
 * (a 2M entry reports 512 frames).  'table' is true for the reference on a
 * guest table page, false for a leaf entry.  For tests and debug keys.
 */
typedef void (*ppgtt_ref_fn)(void *arg, unsigned long mfn, bool table);
void gtt_ppgtt_for_each_ref(struct gtt_vgpu *v, ppgtt_ref_fn fn, void *arg);

/* ---- Internal to ppgtt*.c ---------------------------------------------- */

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

#endif /* GTT_PPGTT_H */
