/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Property test of the GTT engine: seeded random sequences of guest
 * operations (page-table writes of 4 and 8 bytes naming RAM, MMIO, grants,
 * foreign and other-domain frames, frames past memory, 2M, 64K and (in a
 * 2 GiB guest) 1G entries; GGTT writes; p2m changes; create, destroy,
 * pin, unpin of roots; syncs), with out-of-sync tables on and off.
 *
 * Checked after every sync (and walks at random points too):
 *  1. every translation through the shadow, of random addresses of every
 *     root, ends in scratch or in a frame owned by the guest;
 *  2. for every host frame, the references held (fake p2m count) equal
 *       the PPGTT shadow entries naming it (a 2M entry names 512 frames)
 *     + the guest page tables shadowed from it (one per shadow kind)
 *     + the physical GGTT entries of the vGPU naming it
 *     + the drops queued behind the next TLB flush (none right after a
 *       sync, which flushes);
 *     and the total equals the vGPU's refs_held and the p2m's total;
 *  3. shadow pages stay within the quota; a frame is claimed by the
 *     write-protect handler exactly when the p2m has it protected.
 * At the end, destroying every root leaves no shadow page and no PPGTT
 * reference, and destroying the vGPU leaves nothing at all.
 */
#include "ppgtt_fixture.h"

/* Guest layout: table pools by level, data, special frames. */
#define POOL_PML4   0x10
#define POOL_PDP    0x18
#define POOL_PD     0x20
#define POOL_PT     0x30
#define POOL_END    0x50
#define DATA_LO     0x100
#define DATA_HI     0x700      /* p2m changes happen in [DATA_LO, DATA_HI) */
#define SPECIAL     0x700      /* 4 each: grant, foreign, other owner, MMIO */
#define GUEST_GFNS  0x800
#define BIG_GFNS    0x80000    /* 2 GiB: 1G entries, one run contiguous */
#define NR_SPARE    16
#define MAX_ROOTS   12
#define OPS         3000

struct root {
    uint64_t gpa[4];
    unsigned int level, users, pins;
};

struct prop {
    struct fx f;
    uint64_t seed, rng;
    unsigned int op;
    struct root roots[MAX_ROOTS];
    unsigned int nr_roots;
    unsigned long gfns;                 /* guest memory */
    unsigned long spare;                /* NR_SPARE frames of d1 */
    uint32_t *expect;                   /* references per host frame */
    unsigned long nr_frames;
};

#define PCHECK(p, c) do {                                                   \
        if ( !(c) )                                                         \
        {                                                                   \
            print_error("seed %lu op %u: %s (line %d)\n",                   \
                        (unsigned long)(p)->seed, (p)->op, #c, __LINE__);   \
            fail();                                                         \
        }                                                                   \
    } while ( 0 )

static unsigned int rnd(struct prop *p, unsigned int n)
{
    /* xorshift64* */
    p->rng ^= p->rng >> 12;
    p->rng ^= p->rng << 25;
    p->rng ^= p->rng >> 27;

    return (unsigned int)(((p->rng * 0x2545f4914f6cdd1dULL) >> 32) % n);
}

static unsigned long pool_gfn(struct prop *p, unsigned long lo,
                              unsigned long hi)
{
    return lo + rnd(p, hi - lo);
}

/* A target frame for a leaf: mostly RAM, sometimes anything else. */
static unsigned long leaf_gfn(struct prop *p)
{
    switch ( rnd(p, 10) )
    {
    case 0:
        return SPECIAL + rnd(p, 16);
    case 1:
        return p->gfns + rnd(p, 64);                /* past memory */
    case 2:
        return POOL_PML4 + rnd(p, POOL_END - POOL_PML4);   /* a table */
    default:
        return DATA_LO + rnd(p, DATA_HI - DATA_LO);
    }
}

static uint64_t flags(struct prop *p)
{
    static const uint64_t f[] = { PPGTT_RW, PPGTT_PWT, PPGTT_PCD };
    uint64_t v = PPGTT_PRESENT;
    unsigned int i;

    for ( i = 0; i < ARRAY_SIZE(f); i++ )
        if ( rnd(p, 2) )
            v |= f[i];
    if ( !rnd(p, 8) )
        v |= 1ULL << 63 | 1ULL << 52;               /* ignored high bits */

    return v;
}

#define ENT(gfn, fl) (((uint64_t)(gfn) << GTT_PAGE_SHIFT) | (fl))

/* A guest entry for slot i of table gfn (by the pool it belongs to). */
static uint64_t entry_for(struct prop *p, unsigned long gfn)
{
    if ( !rnd(p, 8) )
        return rnd(p, 2) ? 0 : ENT(leaf_gfn(p), 0);  /* not present */
    if ( gfn < POOL_PDP )
        return ENT(pool_gfn(p, POOL_PDP, POOL_PD), flags(p));
    if ( gfn < POOL_PD )
    {
        /* 1G: over the first GiB (split: p2m changes, special frames) or
         * the second (contiguous, untouched: one large entry). */
        if ( p->gfns >= BIG_GFNS && !rnd(p, 40) )
            return ENT(rnd(p, 2) ? 0 : 0x40000 + rnd(p, 2),
                       flags(p) | PPGTT_PS);
        return ENT(pool_gfn(p, POOL_PD, POOL_PT), flags(p));
    }
    if ( gfn < POOL_PT )
    {
        switch ( rnd(p, 10) )
        {
        case 0:     /* 2M: contiguous, or over changed frames */
            return ENT(DATA_LO + 0x100 + 0x200 * rnd(p, 3) + rnd(p, 2),
                       flags(p) | PPGTT_PS);
        case 1:     /* 64K pages */
            return ENT(pool_gfn(p, POOL_PT, POOL_END), flags(p) | PPGTT_IPS);
        case 2:     /* a PD used as a PT too */
            return ENT(pool_gfn(p, POOL_PD, POOL_PT), flags(p));
        default:
            return ENT(pool_gfn(p, POOL_PT, POOL_END), flags(p));
        }
    }

    return ENT(leaf_gfn(p), flags(p) | (rnd(p, 4) ? 0 : PPGTT_PAT));
}

/* Slots where the walks below look: low ones, and 64K slots. */
static unsigned int slot_for(struct prop *p)
{
    return rnd(p, 2) ? rnd(p, 4) : PPGTT_64K_STRIDE * rnd(p, 3);
}

static void op_table_write(struct prop *p)
{
    unsigned long gfn = pool_gfn(p, POOL_PML4, POOL_END);
    unsigned int i = slot_for(p);
    uint64_t e = entry_for(p, gfn);
    uint64_t gpa = ((uint64_t)gfn << GTT_PAGE_SHIFT) + i * 8;
    int rc;

    switch ( rnd(p, 8) )
    {
    case 0:     /* one half, or both one after the other */
        rc = fx_store(&p->f, gpa + 4 * rnd(p, 2), 4,
                      rnd(p, 2) ? (uint32_t)e : (uint32_t)(e >> 32));
        break;
    case 1:
        rc = fx_store(&p->f, gpa, 4, (uint32_t)e);
        if ( rc == GTT_OK )
            rc = fx_store(&p->f, gpa + 4, 4, (uint32_t)(e >> 32));
        break;
    case 2:     /* bad size or alignment */
        if ( fx_protected(&p->f, gfn) )
        {
            rc = gtt_wp_write(p->f.v, gpa + 2, rnd(p, 2) ? 2 : 4, e);
            PCHECK(p, rc == GTT_ERR_BAD_ACCESS);
        }
        return;
    default:
        rc = fx_store(&p->f, gpa, 8, e);
        break;
    }
    PCHECK(p, rc == GTT_OK || rc == GTT_ERR_QUOTA);
}

static void op_p2m_change(struct prop *p)
{
    unsigned long gfn = DATA_LO + rnd(p, DATA_HI - DATA_LO);
    struct domain *d1 = p->f.h.d1;

    switch ( rnd(p, 4) )
    {
    case 0:
        fake_p2m_set(d1, gfn, 0, p2m_mmio_direct, NULL);
        break;
    case 1:
        fake_p2m_set(d1, gfn, 0, p2m_invalid, NULL);
        break;
    case 2:
        fake_p2m_set(d1, gfn, p->spare + rnd(p, NR_SPARE), p2m_ram_rw, NULL);
        break;
    default:
        fake_p2m_set(d1, gfn, p->f.h.ram_mfn + gfn, p2m_ram_rw, NULL);
        break;
    }
}

static void op_ggtt_write(struct prop *p)
{
    uint64_t index = rnd(p, 64);
    uint64_t e = ENT(leaf_gfn(p), PPGTT_PRESENT);
    int rc;

    if ( !rnd(p, 6) )
        e = 0;
    rc = gtt_ggtt_write(p->f.v, index, 0, 8, e);
    PCHECK(p, rc == GTT_OK ||
              (rc >= GTT_ERR_NOT_RAM && rc <= GTT_ERR_OTHER_OWNER));
}

static struct root *root_find(struct prop *p, uint64_t gpa0)
{
    unsigned int i;

    for ( i = 0; i < p->nr_roots; i++ )
        if ( p->roots[i].gpa[0] == gpa0 )
            return &p->roots[i];

    return NULL;
}

static void op_create(struct prop *p)
{
    struct root r = { .users = 1 };
    struct root *known;
    unsigned int i;
    int rc;

    if ( rnd(p, 3) )
    {
        r.level = GTT_ROOT_L4;
        r.gpa[0] = (uint64_t)pool_gfn(p, POOL_PML4, POOL_PDP) << 12;
    }
    else
    {
        r.level = GTT_ROOT_L3;
        for ( i = 0; i < 4; i++ )
            if ( !i || rnd(p, 2) )
                r.gpa[i] = (uint64_t)pool_gfn(p, POOL_PD, POOL_PT) << 12;
    }
    known = root_find(p, r.gpa[0]);
    if ( !known && p->nr_roots == MAX_ROOTS )
        return;
    rc = gtt_ppgtt_create(p->f.v, r.level, r.gpa);
    if ( known )
    {
        bool same = known->level == r.level &&
                    !memcmp(known->gpa, r.gpa, sizeof(r.gpa));

        PCHECK(p, rc == (same ? GTT_OK : GTT_ERR_BAD_ROOT));
        if ( same )
            known->users++;
        return;
    }
    PCHECK(p, rc == GTT_OK || rc == GTT_ERR_QUOTA);
    if ( rc == GTT_OK )
        p->roots[p->nr_roots++] = r;
}

static void op_destroy(struct prop *p)
{
    struct root *r;
    int rc;

    if ( !p->nr_roots )
        return;
    r = &p->roots[rnd(p, p->nr_roots)];
    rc = gtt_ppgtt_destroy(p->f.v, r->gpa[0]);
    PCHECK(p, rc == (r->pins ? GTT_ERR_IN_USE : GTT_OK));
    if ( rc == GTT_OK && --r->users == 0 )
        *r = p->roots[--p->nr_roots];
}

static void op_pin(struct prop *p)
{
    struct root *r;
    uint64_t sh[4];
    int rc;

    if ( !p->nr_roots )
        return;
    r = &p->roots[rnd(p, p->nr_roots)];
    if ( r->pins && rnd(p, 2) )
    {
        PCHECK(p, gtt_ppgtt_unpin(p->f.v, r->gpa[0]) == GTT_OK);
        r->pins--;
        return;
    }
    if ( r->pins >= 2 )
        return;
    rc = gtt_ppgtt_pin(p->f.v, r->gpa[0], sh);
    PCHECK(p, rc == GTT_OK || rc == GTT_ERR_QUOTA);
    if ( rc == GTT_OK )
    {
        PCHECK(p, sh[0] >> GTT_PAGE_SHIFT >= FAKE_XEN_MFN_BASE);
        r->pins++;
    }
}

/* A graphics address likely to reach something: the slots written above. */
static uint64_t addr_for(struct prop *p, const struct root *r)
{
    uint64_t a = ((uint64_t)slot_for(p) << 21) | ((uint64_t)slot_for(p) << 12) |
                 (rnd(p, 4096) & ~7u);

    if ( r->level == GTT_ROOT_L4 )
        return a | ((uint64_t)slot_for(p) << 39) | ((uint64_t)rnd(p, 4) << 30);

    return a | ((uint64_t)rnd(p, 4) << 30);
}

/* Property 1: the GPU reaches scratch or the guest's own frames. */
static void check_walks(struct prop *p, unsigned int per_root)
{
    unsigned int i, n;

    for ( i = 0; i < p->nr_roots; i++ )
        for ( n = 0; n < per_root; n++ )
        {
            struct gtt_xlate x;
            int rc = gtt_translate_ppgtt(p->f.v, p->roots[i].gpa[0],
                                         addr_for(p, &p->roots[i]), &x);

            PCHECK(p, rc == GTT_OK || rc == GTT_ERR_QUOTA);
            if ( rc != GTT_OK || x.scratch )
                continue;
            PCHECK(p, x.domain == 1);
            PCHECK(p, page_get_owner(mfn_to_page(_mfn(x.mfn))) == p->f.h.d1);
            PCHECK(p, x.mfn < p->nr_frames);
            PCHECK(p, x.gfn < p->gfns);
        }
}

static void count_ref(void *arg, unsigned long mfn, bool table)
{
    struct prop *p = arg;

    (void)table;
    if ( mfn < p->nr_frames )
        p->expect[mfn]++;
    else
        p->expect[0]++;             /* no guest frame is 0: caught below */
}

/* Property 2: references equal what the GPU can reach, frame by frame. */
static void check_refs(struct prop *p)
{
    struct gtt_vgpu *v = p->f.v;
    unsigned long mfn, total = 0;
    uint64_t i;

    memset(p->expect, 0, p->nr_frames * sizeof(*p->expect));
    gtt_ppgtt_for_each_ref(v, count_ref, p);
    for ( i = 0; i < FX_GGTT_ENTRIES; i++ )
    {
        uint64_t pte = fake_gpu_ggtt(i);

        mfn = (pte & FAKE_GPU_PTE_ADDR) >> GTT_PAGE_SHIFT;
        if ( (pte & FAKE_GPU_PTE_PRESENT) && mfn != p->f.h.dev.scratch_mfn &&
             mfn != gtt_vgpu_scratch_mfn(v) )
            count_ref(p, mfn, false);
    }
    for ( i = 0; i < v->refs.deferred.nr; i++ )
        count_ref(p, v->refs.deferred.frames[i].mfn, false);

    PCHECK(p, p->expect[0] == 0);
    for ( mfn = 1; mfn < p->nr_frames; mfn++ )
    {
        if ( fake_page_refs(mfn) != (long)p->expect[mfn] )
            print_error("mfn %#lx: %ld references, %u expected\n", mfn,
                        fake_page_refs(mfn), p->expect[mfn]);
        PCHECK(p, fake_page_refs(mfn) == (long)p->expect[mfn]);
        total += p->expect[mfn];
    }
    PCHECK(p, fake_refs_total() == (long)total);
    PCHECK(p, v->refs.held == total);
}

/* Property 3: quota; claims agree with the p2m. */
static void check_tracking(struct prop *p)
{
    unsigned long gfn;

    PCHECK(p, p->f.v->stats.shadow_pages <= p->f.v->ppgtt.quota);
    for ( gfn = POOL_PML4; gfn < DATA_HI; gfn++ )
        PCHECK(p, gtt_wp_claims(p->f.v, gfn) ==
                  (fake_p2m_type(p->f.h.d1, gfn) == p2m_ioreq_server));
}

static void op_sync(struct prop *p)
{
    int rc = gtt_sync(p->f.v);

    PCHECK(p, rc == GTT_OK || rc == GTT_ERR_QUOTA);
    PCHECK(p, p->f.v->refs.deferred.nr == 0);
    check_walks(p, 24);
    check_refs(p);
    check_tracking(p);
}

static void setup_guest(struct prop *p)
{
    static const enum fake_frame_kind kinds[] = {
        FAKE_FRAME_GRANT, FAKE_FRAME_FOREIGN, FAKE_FRAME_OTHER_OWNER,
        FAKE_FRAME_MMIO,
    };
    struct fx *f = &p->f;
    struct fake_frame fr;
    unsigned long g;

    /* SPECIAL + 4k + g: of kinds[k], on d2's gfn 4k + g (MMIO: none). */
    for ( g = 0; g < 4 * ARRAY_SIZE(kinds); g++ )
    {
        fr = (struct fake_frame){ SPECIAL + g, kinds[g / 4], g };
        assert_int_equal(fake_host_frames(&f->h, &fr, 1), 0);
    }
    p->spare = fake_guest_mfns(NR_SPARE);
    for ( g = 0; g < NR_SPARE; g++ )
    {
        fr = (struct fake_frame){ p->gfns - 1 - g, FAKE_FRAME_RAM,
                                  p->spare + g };
        assert_int_equal(fake_host_frames(&f->h, &fr, 1), 0);
    }
    p->nr_frames = p->spare + NR_SPARE;
    p->expect = calloc(p->nr_frames, sizeof(*p->expect));
    assert_non_null(p->expect);
}

static void run_seed(uint64_t seed, bool oos, unsigned int quota,
                     unsigned long gfns, unsigned int ops)
{
    struct prop *p = calloc(1, sizeof(*p));
    struct gtt_stats st;
    unsigned int i;

    assert_non_null(p);
    p->seed = seed;
    p->rng = seed * 0x9e3779b97f4a7c15ULL + 1;
    p->gfns = gfns;
    fx_init_cfg(&p->f, gfns, quota, oos);
    setup_guest(p);

    for ( p->op = 0; p->op < ops; p->op++ )
    {
        unsigned int w = rnd(p, 100);

        if ( w < 55 )
            op_table_write(p);
        else if ( w < 62 )
            op_p2m_change(p);
        else if ( w < 66 )
            op_ggtt_write(p);
        else if ( w < 74 )
            op_create(p);
        else if ( w < 78 )
            op_destroy(p);
        else if ( w < 86 )
            op_pin(p);
        else if ( w < 90 )
            check_walks(p, 2);
        else
            op_sync(p);
    }
    op_sync(p);
    st = fx_stats(&p->f);
    PCHECK(p, st.writes_trapped > ops / 10);
    PCHECK(p, st.entries_validated > ops / 10);

    /* Tear down: every root goes, and with it every PPGTT reference. */
    for ( i = 0; i < p->nr_roots; i++ )
    {
        while ( p->roots[i].pins-- )
            PCHECK(p, gtt_ppgtt_unpin(p->f.v, p->roots[i].gpa[0]) == GTT_OK);
        while ( p->roots[i].users-- )
            PCHECK(p, gtt_ppgtt_destroy(p->f.v, p->roots[i].gpa[0]) ==
                      GTT_OK);
    }
    p->nr_roots = 0;
    op_sync(p);
    st = fx_stats(&p->f);
    PCHECK(p, st.shadow_pages == 0);
    PCHECK(p, st.address_spaces == 0);
    PCHECK(p, st.oos_pages == 0);
    for ( i = POOL_PML4; i < DATA_HI; i++ )
        PCHECK(p, !fx_protected(&p->f, i));
    fx_fini(&p->f);
    free(p->expect);
    free(p);
}

/*
 * Four seeds with the default quota, one with a quota forcing reclaims,
 * one with 2 GiB of guest memory and 1G entries.
 */
static void run_seeds(uint64_t first, bool oos)
{
    uint64_t seed;

    for ( seed = first; seed < first + 4; seed++ )
        run_seed(seed, oos, 0, GUEST_GFNS, OPS);
    run_seed(seed++, oos, 24, GUEST_GFNS, OPS);
    run_seed(seed, oos, 0, BIG_GFNS, OPS / 5);
}

static void test_property_oos(void **state)
{
    (void)state;
    run_seeds(1, true);
}

static void test_property_no_oos(void **state)
{
    (void)state;
    run_seeds(101, false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_property_oos),
        cmocka_unit_test(test_property_no_oos),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
