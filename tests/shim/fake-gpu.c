/* SPDX-License-Identifier: GPL-2.0-only */
/* A simulated GPU: physical GGTT, TLB invalidation (see fake-gpu.h). */
#include "fake-p2m.h"

static struct fake_gpu gpu_handle;
static uint64_t *gsm;
static uint64_t gsm_entries;
static uint8_t *mmio;
/* Per engine: invalidations of its TLB (the count is the simulation). */
static unsigned long engine_inval[FAKE_GPU_TCR_NR];
static bool engines_stuck;
/* Per engine (TCR order): the frames its TLB may hold, oldest first. */
static unsigned long tlb_slot[FAKE_GPU_TCR_NR][FAKE_GPU_TLB_SLOTS];
static unsigned int tlb_nr[FAKE_GPU_TCR_NR], tlb_next[FAKE_GPU_TCR_NR];
static unsigned long invalidations, entry_writes;

/* Entries written since the last invalidation, and the frames they left. */
static unsigned long dirty;
static unsigned long *stale_mfns;
static unsigned long stale_nr, stale_max;

static struct page_info *pte_frame(uint64_t pte)
{
    if ( !(pte & FAKE_GPU_PTE_PRESENT) )
        return NULL;
    return fake_frame((pte & FAKE_GPU_PTE_ADDR) >> PAGE_SHIFT);
}

struct fake_gpu *fake_gpu_create(uint64_t entries)
{
    ASSERT(!gsm && entries);
    gsm = calloc(entries, sizeof(*gsm));
    mmio = calloc(1, FAKE_GPU_MMIO_SIZE);
    ASSERT(gsm && mmio);
    gsm_entries = entries;
    invalidations = entry_writes = dirty = 0;
    stale_nr = 0;
    memset(engine_inval, 0, sizeof(engine_inval));
    memset(tlb_nr, 0, sizeof(tlb_nr));
    memset(tlb_next, 0, sizeof(tlb_next));
    engines_stuck = false;
    gpu_handle.gsm = gsm;
    gpu_handle.mmio = mmio;

    return &gpu_handle;
}

static void forget_stale(void)
{
    unsigned long i;
    struct page_info *pg;

    for ( i = 0; i < stale_nr; i++ )
    {
        pg = fake_frame(stale_mfns[i]);
        ASSERT(pg->gpu_stale);
        pg->gpu_stale--;
    }
    stale_nr = 0;
    dirty = 0;
}


/* XEN_GPU_ENGINE_* (rcs bcs vcs vcs2 vecs) to its TLB control register. */
static const unsigned int tcr_of_engine[FAKE_GPU_TCR_NR] = { 0, 3, 1, 2, 4 };

static void tlb_forget(unsigned int t, unsigned long mfn)
{
    struct page_info *pg = fake_frame(mfn);

    if ( pg )
        pg->tlb_engines &= ~(1u << t);
}

static void tlb_invalidate(unsigned int t)
{
    unsigned int i;

    for ( i = 0; i < tlb_nr[t]; i++ )
        tlb_forget(t, tlb_slot[t][i]);
    tlb_nr[t] = tlb_next[t] = 0;
}

void fake_gpu_tlb_fill(unsigned int engine, unsigned long mfn)
{
    struct page_info *pg = fake_frame(mfn);
    unsigned int t;

    if ( !pg || engine >= FAKE_GPU_TCR_NR )
        return;
    t = tcr_of_engine[engine];
    if ( pg->tlb_engines & (1u << t) )
        return;
    if ( tlb_nr[t] == FAKE_GPU_TLB_SLOTS )
        tlb_forget(t, tlb_slot[t][tlb_next[t]]);      /* evicted */
    else
        tlb_nr[t]++;
    tlb_slot[t][tlb_next[t]] = mfn;
    tlb_next[t] = (tlb_next[t] + 1) % FAKE_GPU_TLB_SLOTS;
    pg->tlb_engines |= 1u << t;
}

void fake_gpu_destroy(struct fake_gpu *g)
{
    uint64_t i;
    struct page_info *pg;

    ASSERT(g == &gpu_handle && gsm);
    for ( i = 0; i < FAKE_GPU_TCR_NR; i++ )
        tlb_invalidate(i);
    for ( i = 0; i < gsm_entries; i++ )
        if ( (pg = pte_frame(gsm[i])) != NULL )
            pg->gpu_maps--;
    forget_stale();
    free(stale_mfns);
    stale_mfns = NULL;
    stale_max = 0;
    free(gsm);
    free(mmio);
    gsm = NULL;
    mmio = NULL;
    gsm_entries = 0;
}

uint64_t fake_gpu_ggtt(uint64_t index)
{
    ASSERT(index < gsm_entries);
    return gsm[index];
}

unsigned long fake_gpu_tlb_invalidations(void)
{
    return invalidations;
}

unsigned long fake_gpu_dirty_entries(void)
{
    return dirty;
}

unsigned long fake_gpu_entry_writes(void)
{
    return entry_writes;
}

static void ggtt_store(uint64_t index, uint64_t val)
{
    struct page_info *old = pte_frame(gsm[index]);
    struct page_info *new = pte_frame(val);

    if ( new )
        new->gpu_maps++;
    if ( old )
    {
        old->gpu_maps--;
        old->gpu_stale++;
        host_ulong_push(&stale_mfns, &stale_nr, &stale_max, old->mfn);
    }
    gsm[index] = val;
    entry_writes++;
    dirty++;
}

static bool in_range(const volatile void *addr, const void *base,
                     unsigned long size, unsigned long *off)
{
    uintptr_t a = (uintptr_t)addr, b = (uintptr_t)base;

    if ( !base || a < b || a - b >= size )
        return false;
    *off = a - b;
    return true;
}

unsigned long fake_gpu_engine_invalidations(unsigned int engine)
{
    return engine < FAKE_GPU_TCR_NR ? engine_inval[engine] : 0;
}

void fake_gpu_engines_stuck(bool stuck)
{
    unsigned int i;

    engines_stuck = stuck;
    if ( !stuck && mmio )
        for ( i = 0; i < FAKE_GPU_TCR_NR; i++ )
            mmio[FAKE_GPU_TCR_FIRST + 4 * i] &= ~1;
}

static void reg_write(unsigned long off, uint64_t val, unsigned int bytes)
{
    ASSERT(off + bytes <= FAKE_GPU_MMIO_SIZE);
    memcpy(mmio + off, &val, bytes);
    if ( off == FAKE_GPU_FLSH_CNTL && (val & 1) )
    {
        invalidations++;
        forget_stale();
    }
    if ( off >= FAKE_GPU_TCR_FIRST &&
         off < FAKE_GPU_TCR_FIRST + 4 * FAKE_GPU_TCR_NR && !(off & 3) &&
         (val & 1) )
    {
        if ( engines_stuck )
            return;                     /* stays 1: never confirmed */
        engine_inval[(off - FAKE_GPU_TCR_FIRST) / 4]++;
        tlb_invalidate((off - FAKE_GPU_TCR_FIRST) / 4);
        mmio[off] &= ~1;                /* done at once */
    }
}

void writeq(uint64_t val, volatile void *addr)
{
    unsigned long off;

    if ( in_range(addr, gsm, gsm_entries * sizeof(*gsm), &off) )
    {
        ASSERT(!(off & 7));
        ggtt_store(off >> 3, val);
    }
    else if ( in_range(addr, mmio, FAKE_GPU_MMIO_SIZE, &off) )
        reg_write(off, val, 8);
    else
        *(volatile uint64_t *)addr = val;
}

void writel(uint32_t val, volatile void *addr)
{
    unsigned long off;

    /* Half a GGTT entry would be a torn write the GPU may walk. */
    ASSERT(!in_range(addr, gsm, gsm_entries * sizeof(*gsm), &off));
    if ( in_range(addr, mmio, FAKE_GPU_MMIO_SIZE, &off) )
        reg_write(off, val, 4);
    else
        *(volatile uint32_t *)addr = val;
}

uint32_t readl(const volatile void *addr)
{
    return *(const volatile uint32_t *)addr;
}
