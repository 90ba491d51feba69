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
 *
 * This header is what the rest of the engine sees of them: the state a
 * vGPU embeds and the calls vgpu.c, pvinfo.c and submit.c make.  Entry
 * formats, table records and the functions ppgtt*.c share are in
 * ppgtt_private.h, which only ppgtt*.c include.
 */
#ifndef GTT_PPGTT_H
#define GTT_PPGTT_H

/* Kinds of table; a guest page is shadowed once per kind it is used as. */
enum ppgtt_kind {
    PPGTT_PT = 0,       /* 4K entries */
    PPGTT_PT64,         /* PT under an IPS PDE: 64K entries */
    PPGTT_PD,           /* 2M entries or PTs */
    PPGTT_PDP,          /* 1G entries or PDs */
    PPGTT_PML4,
    PPGTT_NR_KINDS
};

struct gtt_spt;
struct gtt_mm;
struct ppgtt_chunk;
struct ppgtt_wp_slot;

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

#endif /* GTT_PPGTT_H */
