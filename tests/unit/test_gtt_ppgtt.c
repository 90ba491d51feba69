/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shadow PPGTT: population of 4- and 3-level address spaces, each attack
 * on a guest page table mapped to scratch or refused (with its reason),
 * huge entries, trapped writes, sharing, quota and reclaim, out-of-sync
 * tables, and allocation failures at every step (no leak, no double put).
 */
#include "ppgtt_fixture.h"

/* Guest layout of the 4-level tests (gfns of d1). */
#define PML4  0x10
#define PDP   0x11
#define PD    0x12
#define PT    0x13
#define DATA  0x100

#define GB(n) ((uint64_t)(n) << 30)
#define MB(n) ((uint64_t)(n) << 20)
#define KB(n) ((uint64_t)(n) << 10)
#define ROOT  ((uint64_t)PML4 << GTT_PAGE_SHIFT)

/* PML4[0] -> PDP, PDP[0] -> PD, PD[0] -> PT, PT[i] -> DATA + i (i < n). */
static void build_l4(struct fx *f, unsigned int n)
{
    unsigned int i;

    fx_poke(f, PML4, 0, FX_PTE(PDP));
    fx_poke(f, PDP, 0, FX_PTE(PD));
    fx_poke(f, PD, 0, FX_PTE(PT));
    for ( i = 0; i < n; i++ )
        fx_poke(f, PT, i, FX_PTE(DATA + i));
}

static int create_l4(struct fx *f, uint64_t root)
{
    return gtt_ppgtt_create(f->v, GTT_ROOT_L4, &root);
}

/* A vGPU with the build_l4() tables shadowed. */
static void start_l4(struct fx *f, unsigned int n)
{
    fx_init(f, 0x1000);
    build_l4(f, n);
    assert_int_equal(create_l4(f, ROOT), GTT_OK);
}

/* Destroy ROOT: nothing may be left; then the vGPU. */
static void finish_l4(struct fx *f)
{
    assert_int_equal(gtt_ppgtt_destroy(f->v, ROOT), GTT_OK);
    fx_assert_idle(f);
    fx_fini(f);
}

static void test_l4_population(void **state)
{
    struct fx f;
    struct gtt_stats st;
    uint64_t roots[4];
    unsigned int i;

    (void)state;
    fx_init(&f, 0x1000);
    build_l4(&f, 8);
    fx_poke(&f, PD, 3, FX_PTE(PT));         /* same PT at 6M..8M */
    assert_int_equal(create_l4(&f, ROOT), GTT_OK);

    for ( i = 0; i < 8; i++ )
    {
        fx_assert_maps(&f, ROOT, i * PAGE_SIZE + 0x123, DATA + i);
        fx_assert_maps(&f, ROOT, MB(6) + i * PAGE_SIZE, DATA + i);
    }
    fx_assert_scratch(&f, ROOT, 8 * PAGE_SIZE);
    fx_assert_scratch(&f, ROOT, MB(2));
    fx_assert_scratch(&f, ROOT, GB(1));
    fx_assert_scratch(&f, ROOT, GB(512));
    fx_assert_scratch(&f, ROOT, (1ULL << 48) - PAGE_SIZE);

    /* Every table protected before it was read, and shadowed once. */
    for ( i = PML4; i <= PT; i++ )
    {
        assert_true(fx_protected(&f, i));
        assert_true(gtt_wp_claims(f.v, i));
    }
    assert_false(gtt_wp_claims(f.v, DATA));
    st = fx_stats(&f);
    assert_int_equal(st.shadow_pages, 4);
    assert_int_equal(st.address_spaces, 1);
    assert_int_equal(st.refs_held, 8 + 4);
    assert_int_equal(st.entries_validated, 8 + 4);
    for ( i = 0; i < 8; i++ )
        assert_int_equal(fake_page_refs(f.h.ram_mfn + DATA + i), 1);
    assert_int_equal(fake_page_refs(f.h.ram_mfn + PT), 1);

    /* The context gets the shadow PML4, not the guest's. */
    assert_int_equal(gtt_ppgtt_pin(f.v, ROOT, roots), GTT_OK);
    assert_int_not_equal(roots[0] >> GTT_PAGE_SHIFT, f.h.ram_mfn + PML4);
    assert_true(roots[0] >> GTT_PAGE_SHIFT >= FAKE_XEN_MFN_BASE);
    assert_int_equal(roots[1], 0);
    assert_int_equal(gtt_ppgtt_destroy(f.v, ROOT), GTT_ERR_IN_USE);
    assert_int_equal(gtt_ppgtt_unpin(f.v, ROOT), GTT_OK);
    assert_int_equal(gtt_ppgtt_unpin(f.v, ROOT), GTT_ERR_BAD_ROOT);

    assert_int_equal(gtt_ppgtt_destroy(f.v, ROOT), GTT_OK);
    assert_int_equal(gtt_ppgtt_destroy(f.v, ROOT), GTT_ERR_BAD_ROOT);
    for ( i = PML4; i <= PT; i++ )
        assert_false(fx_protected(&f, i));
    fx_assert_idle(&f);
    fx_fini(&f);
}

static void test_l3_population(void **state)
{
    struct fx f;
    uint64_t pdps[4] = { (uint64_t)0x20 << 12, 0, (uint64_t)0x21 << 12, 0 };
    uint64_t roots[4];
    unsigned int i;

    (void)state;
    fx_init(&f, 0x1000);
    /* PD0[1] -> PT 0x22, PD2[511] -> PT 0x23 */
    fx_poke(&f, 0x20, 1, FX_PTE(0x22));
    fx_poke(&f, 0x21, 511, FX_PTE(0x23));
    fx_poke(&f, 0x22, 5, FX_PTE(0x200));
    fx_poke(&f, 0x23, 511, FX_PTE(0x201));
    assert_int_equal(gtt_ppgtt_create(f.v, GTT_ROOT_L3, pdps), GTT_OK);

    fx_assert_maps(&f, pdps[0], MB(2) + 5 * PAGE_SIZE, 0x200);
    fx_assert_maps(&f, pdps[0], GB(3) - PAGE_SIZE, 0x201);
    fx_assert_scratch(&f, pdps[0], GB(1) + MB(2) + 5 * PAGE_SIZE);
    fx_assert_scratch(&f, pdps[0], GB(4) - PAGE_SIZE);
    fx_assert_scratch(&f, pdps[0], 0);
    assert_int_equal(fx_stats(&f).shadow_pages, 4);

    /* Four PDPs for the context: absent ones lead to the scratch tree. */
    assert_int_equal(gtt_ppgtt_pin(f.v, pdps[0], roots), GTT_OK);
    for ( i = 0; i < 4; i++ )
        assert_int_not_equal(roots[i], 0);
    assert_int_equal(roots[1], roots[3]);
    assert_int_not_equal(roots[0], roots[2]);
    assert_int_equal(gtt_ppgtt_unpin(f.v, pdps[0]), GTT_OK);

    /* Same PDP0 with other PDPs: not the same address space. */
    pdps[1] = (uint64_t)0x24 << 12;
    assert_int_equal(gtt_ppgtt_create(f.v, GTT_ROOT_L3, pdps),
                     GTT_ERR_BAD_ROOT);
    assert_int_equal(gtt_ppgtt_create(f.v, GTT_ROOT_L4, pdps),
                     GTT_ERR_BAD_ROOT);
    pdps[0] |= 0x800;
    assert_int_equal(gtt_ppgtt_create(f.v, GTT_ROOT_L3, pdps),
                     GTT_ERR_BAD_ROOT);
    assert_int_equal(gtt_ppgtt_create(f.v, 2, pdps), GTT_ERR_BAD_ROOT);

    assert_int_equal(gtt_ppgtt_destroy(f.v, (uint64_t)0x20 << 12), GTT_OK);
    fx_assert_idle(&f);
    fx_fini(&f);
}

/* Looking a root up tells its level and PDPs, and changes nothing. */
static void test_lookup(void **state)
{
    struct fx f;
    uint64_t pdps[4] = { (uint64_t)0x20 << 12, 0, (uint64_t)0x21 << 12, 0 };
    uint64_t got[4];
    unsigned int level;
    struct gtt_stats before, after;
    long refs;

    (void)state;
    fx_init(&f, 0x1000);
    level = 0;
    assert_int_equal(gtt_ppgtt_lookup(f.v, ROOT, &level, got),
                     GTT_ERR_BAD_ROOT);
    build_l4(&f, 4);
    fx_poke(&f, 0x20, 1, FX_PTE(0x22));
    fx_poke(&f, 0x22, 5, FX_PTE(0x200));
    assert_int_equal(create_l4(&f, ROOT), GTT_OK);
    assert_int_equal(gtt_ppgtt_create(f.v, GTT_ROOT_L3, pdps), GTT_OK);
    before = fx_stats(&f);
    refs = fake_refs_total();

    memset(got, 0xa5, sizeof(got));
    assert_int_equal(gtt_ppgtt_lookup(f.v, ROOT, &level, got), GTT_OK);
    assert_int_equal(level, GTT_ROOT_L4);
    assert_int_equal(got[0], ROOT);
    assert_int_equal(got[1], 0);
    assert_int_equal(got[2], 0);
    assert_int_equal(got[3], 0);

    memset(got, 0xa5, sizeof(got));
    assert_int_equal(gtt_ppgtt_lookup(f.v, pdps[0], &level, got), GTT_OK);
    assert_int_equal(level, GTT_ROOT_L3);
    assert_memory_equal(got, pdps, sizeof(pdps));

    /* A PDP other than PDP0, a table below a root, an unknown frame. */
    level = 0;
    assert_int_equal(gtt_ppgtt_lookup(f.v, pdps[2], &level, got),
                     GTT_ERR_BAD_ROOT);
    assert_int_equal(gtt_ppgtt_lookup(f.v, (uint64_t)PDP << 12, &level, got),
                     GTT_ERR_BAD_ROOT);
    assert_int_equal(gtt_ppgtt_lookup(f.v, (uint64_t)0x99 << 12, &level, got),
                     GTT_ERR_BAD_ROOT);
    assert_int_equal(level, 0);

    /* No stats, references, users or pins taken. */
    after = fx_stats(&f);
    assert_memory_equal(&before, &after, sizeof(before));
    assert_int_equal(fake_refs_total(), refs);
    assert_int_equal(gtt_ppgtt_destroy(f.v, ROOT), GTT_OK);
    assert_int_equal(gtt_ppgtt_lookup(f.v, ROOT, &level, got),
                     GTT_ERR_BAD_ROOT);
    assert_int_equal(gtt_ppgtt_lookup(f.v, pdps[0], &level, got), GTT_OK);
    assert_int_equal(gtt_ppgtt_destroy(f.v, pdps[0]), GTT_OK);
    assert_int_equal(gtt_ppgtt_lookup(f.v, pdps[0], &level, got),
                     GTT_ERR_BAD_ROOT);
    fx_assert_idle(&f);
    fx_fini(&f);
}

/* A root that is not the guest's RAM is refused with the p2m's reason. */
static void test_bad_roots(void **state)
{
    struct fx f;
    uint64_t root = (uint64_t)0x30 << 12;

    (void)state;
    fx_init(&f, 0x1000);
    fake_p2m_set(f.h.d1, 0x30, 0, p2m_mmio_direct, NULL);
    assert_int_equal(create_l4(&f, root), GTT_ERR_MMIO);
    root = (uint64_t)0x5000 << 12;
    assert_int_equal(create_l4(&f, root), GTT_ERR_NOT_RAM);
    root = 0;
    assert_int_equal(create_l4(&f, root), GTT_ERR_BAD_ROOT);
    assert_int_equal(gtt_ppgtt_pin(f.v, ROOT, (uint64_t[4]){ 0 }),
                     GTT_ERR_BAD_ROOT);
    fx_assert_idle(&f);
    fx_fini(&f);
}

/* Each PTE the guest may not hand to the GPU maps scratch, counted. */
static void test_leaf_attacks(void **state)
{
    static const struct {
        enum fake_frame_kind kind;
        unsigned int reason;
    } bad[] = {
        { FAKE_FRAME_MMIO, GTT_ERR_MMIO },
        { FAKE_FRAME_GRANT, GTT_ERR_GRANT },
        { FAKE_FRAME_FOREIGN, GTT_ERR_FOREIGN },
        { FAKE_FRAME_OTHER_OWNER, GTT_ERR_OTHER_OWNER },
        { FAKE_FRAME_PAGED, GTT_ERR_PAGED },
        { FAKE_FRAME_HOLE, GTT_ERR_NOT_RAM },
    };
    struct fx f;
    struct gtt_stats st;
    unsigned int i;

    (void)state;
    fx_init(&f, 0x1000);
    build_l4(&f, 0);
    for ( i = 0; i < ARRAY_SIZE(bad); i++ )
    {
        /* Frames of d2 are its gfn i. */
        struct fake_frame fr = { DATA + i, bad[i].kind, i };

        assert_int_equal(fake_host_frames(&f.h, &fr, 1), 0);
        fx_poke(&f, PT, i, FX_PTE(DATA + i));
    }
    /* Past the guest's memory, and a good one. */
    fx_poke(&f, PT, 10, FX_PTE(0x1000));
    fx_poke(&f, PT, 11, FX_PTE(1ULL << 35));
    fx_poke(&f, PT, 12, FX_PTE(DATA + 12));
    /* A PDE naming MMIO as a page table. */
    fake_p2m_set(f.h.d1, 0x40, 0, p2m_mmio_direct, NULL);
    fx_poke(&f, PD, 1, FX_PTE(0x40));
    assert_int_equal(create_l4(&f, ROOT), GTT_OK);

    for ( i = 0; i < ARRAY_SIZE(bad); i++ )
        fx_assert_scratch(&f, ROOT, i * PAGE_SIZE);
    fx_assert_scratch(&f, ROOT, 10 * PAGE_SIZE);
    fx_assert_scratch(&f, ROOT, 11 * PAGE_SIZE);
    fx_assert_maps(&f, ROOT, 12 * PAGE_SIZE, DATA + 12);
    fx_assert_scratch(&f, ROOT, MB(2));
    st = fx_stats(&f);
    for ( i = 0; i < ARRAY_SIZE(bad); i++ )
        assert_int_equal(st.refused[bad[i].reason],
                         1 + (bad[i].reason == GTT_ERR_NOT_RAM ? 2 : 0) +
                         (bad[i].reason == GTT_ERR_MMIO ? 1 : 0));
    for ( i = 0; i < ARRAY_SIZE(bad); i++ )       /* d2's frames: none */
        assert_int_equal(fake_page_refs(f.h.d2_ram_mfn + i), 0);
    assert_int_equal(st.refs_held, 4 + 1);

    /* The same through a trapped write: scratch, counted again. */
    assert_int_equal(fx_write(&f, PT, 12, FX_PTE(DATA)), GTT_OK);
    fx_assert_scratch(&f, ROOT, 12 * PAGE_SIZE);
    assert_int_equal(fx_stats(&f).refused[GTT_ERR_MMIO], 3);

    finish_l4(&f);
}

/* 2M entries: large when contiguous and guest RAM, else split. */
static void test_huge_2m(void **state)
{
    struct fx f;
    struct gtt_stats st;
    unsigned long other;
    unsigned int i;

    (void)state;
    fx_init(&f, 0x2000);
    build_l4(&f, 0);
    fx_poke(&f, PD, 1, FX_PTE(0x400) | PPGTT_PS);      /* contiguous */
    fx_poke(&f, PD, 2, FX_PTE(0x600) | PPGTT_PS);      /* one frame moved */
    fx_poke(&f, PD, 3, FX_PTE(0x800) | PPGTT_PS);      /* one frame MMIO */
    fx_poke(&f, PD, 4, FX_PTE(0xa00 + 7) | PPGTT_PS);  /* low bits ignored */
    other = fake_guest_mfns(1);
    fake_p2m_set(f.h.d1, 0x605, other, p2m_ram_rw, NULL);
    fake_p2m_set(f.h.d1, 0x807, 0, p2m_mmio_direct, NULL);
    assert_int_equal(create_l4(&f, ROOT), GTT_OK);

    st = fx_stats(&f);
    assert_int_equal(st.splits, 2);
    assert_int_equal(st.shadow_pages, 4 + 2);
    assert_int_equal(st.refused[GTT_ERR_MMIO], 1);
    for ( i = 0; i < 512; i += 73 )
    {
        fx_assert_maps(&f, ROOT, MB(2) + i * PAGE_SIZE, 0x400 + i);
        fx_assert_maps(&f, ROOT, MB(8) + i * PAGE_SIZE, 0xa00 + i);
    }
    fx_assert_maps(&f, ROOT, MB(4) + 4 * PAGE_SIZE, 0x604);
    fx_assert_maps_mfn(&f, ROOT, MB(4) + 5 * PAGE_SIZE, 0x605, other);
    fx_assert_maps(&f, ROOT, MB(4) + 6 * PAGE_SIZE, 0x606);
    fx_assert_maps(&f, ROOT, MB(6) + 6 * PAGE_SIZE, 0x806);
    fx_assert_scratch(&f, ROOT, MB(6) + 7 * PAGE_SIZE);
    fx_assert_maps(&f, ROOT, MB(6) + 8 * PAGE_SIZE, 0x808);
    fx_assert_maps(&f, ROOT, MB(8) - PAGE_SIZE, 0x9ff);
    /* Every frame of every run referenced once, the refused one not. */
    assert_int_equal(fx_stats(&f).refs_held, 4 + 4 * 512 - 1);
    assert_int_equal(fake_page_refs(other), 1);
    assert_int_equal(fake_page_refs(f.h.ram_mfn + 0x605), 0);

    /* Replacing a large entry drops its 512 references after the flush. */
    assert_int_equal(fx_write(&f, PD, 1, 0), GTT_OK);
    fx_assert_scratch(&f, ROOT, MB(2));
    assert_int_equal(fake_page_refs(f.h.ram_mfn + 0x400), 1);
    assert_int_equal(gtt_sync(f.v), GTT_OK);
    assert_int_equal(fake_page_refs(f.h.ram_mfn + 0x400), 0);
    assert_int_equal(fx_stats(&f).refs_held, 4 + 3 * 512 - 1);

    finish_l4(&f);
}

/* 1G entries (GVT-g refuses them): large when contiguous, else split. */
static void test_huge_1g(void **state)
{
    struct fx f;
    struct gtt_stats st;
    unsigned long other;

    (void)state;
    fx_init(&f, 0xc0000);
    fx_poke(&f, PML4, 0, FX_PTE(PDP));
    fx_poke(&f, PDP, 1, FX_PTE(0x40000) | PPGTT_PS);
    fx_poke(&f, PDP, 2, FX_PTE(0x80000) | PPGTT_PS);
    other = fake_guest_mfns(1);
    fake_p2m_set(f.h.d1, 0x80000 + 0x1234, other, p2m_ram_rw, NULL);
    assert_int_equal(create_l4(&f, ROOT), GTT_OK);

    st = fx_stats(&f);
    /* PML4, PDP, the split PD of the second and one split PT in it. */
    assert_int_equal(st.shadow_pages, 4);
    assert_int_equal(st.splits, 2);
    assert_int_equal(st.refs_held, 2 + 2 * 0x40000);
    fx_assert_maps(&f, ROOT, GB(1), 0x40000);
    fx_assert_maps(&f, ROOT, GB(2) - PAGE_SIZE, 0x7ffff);
    fx_assert_maps(&f, ROOT, GB(1) + MB(300) + 0x10, 0x40000 + 0x12c00);
    fx_assert_maps(&f, ROOT, GB(2), 0x80000);
    fx_assert_maps_mfn(&f, ROOT, GB(2) + 0x1234 * PAGE_SIZE, 0x81234, other);
    fx_assert_maps(&f, ROOT, GB(2) + 0x1235 * PAGE_SIZE, 0x81235);
    fx_assert_maps(&f, ROOT, GB(3) - PAGE_SIZE, 0xbffff);
    fx_assert_scratch(&f, ROOT, 0);

    finish_l4(&f);
}

/* A 1G split all the way down needs 512 PTs + 1 PD: quota applies. */
static void test_huge_1g_split_quota(void **state)
{
    struct fx f;
    unsigned int c;
    unsigned long spare;

    (void)state;
    fx_init_cfg(&f, 0x80000, 64, true);
    fx_poke(&f, PML4, 0, FX_PTE(PDP));
    fx_poke(&f, PDP, 1, FX_PTE(0x40000) | PPGTT_PS);
    spare = fake_guest_mfns(512);
    for ( c = 0; c < 512; c++ )   /* one frame out of place in each 2M */
        fake_p2m_set(f.h.d1, 0x40000 + c * 512 + 3, spare + c, p2m_ram_rw,
                     NULL);
    assert_int_equal(create_l4(&f, ROOT), GTT_ERR_QUOTA);
    fx_assert_idle(&f);
    fx_fini(&f);

    fx_init_cfg(&f, 0x80000, 600, true);
    fx_poke(&f, PML4, 0, FX_PTE(PDP));
    fx_poke(&f, PDP, 1, FX_PTE(0x40000) | PPGTT_PS);
    spare = fake_guest_mfns(512);
    for ( c = 0; c < 512; c++ )
        fake_p2m_set(f.h.d1, 0x40000 + c * 512 + 3, spare + c, p2m_ram_rw,
                     NULL);
    assert_int_equal(create_l4(&f, ROOT), GTT_OK);
    assert_int_equal(fx_stats(&f).shadow_pages, 2 + 1 + 512);
    assert_int_equal(fx_stats(&f).splits, 1 + 512);
    fx_assert_maps_mfn(&f, ROOT, GB(1) + MB(2) * 100 + 3 * PAGE_SIZE,
                       0x40000 + 100 * 512 + 3, spare + 100);
    fx_assert_maps(&f, ROOT, GB(1) + MB(2) * 100 + 4 * PAGE_SIZE,
                   0x40000 + 100 * 512 + 4);
    finish_l4(&f);
}

/* 64K pages: entries at every 16th slot of an IPS table, 16 shadow PTEs. */
static void test_huge_64k(void **state)
{
    struct fx f;
    struct gtt_stats st;
    unsigned int j;

    (void)state;
    fx_init(&f, 0x1000);
    build_l4(&f, 0);
    fx_poke(&f, PD, 0, FX_PTE(PT) | PPGTT_IPS);
    fx_poke(&f, PT, 0, FX_PTE(0x200));
    fx_poke(&f, PT, 1, FX_PTE(0x300));          /* not a 64K slot: ignored */
    fx_poke(&f, PT, 16, FX_PTE(0x213));         /* low bits ignored */
    fake_p2m_set(f.h.d1, 0x213, 0, p2m_mmio_direct, NULL);
    assert_int_equal(create_l4(&f, ROOT), GTT_OK);

    for ( j = 0; j < 16; j++ )
    {
        fx_assert_maps(&f, ROOT, j * PAGE_SIZE, 0x200 + j);
        if ( j == 3 )
            fx_assert_scratch(&f, ROOT, KB(64) + j * PAGE_SIZE);
        else
            fx_assert_maps(&f, ROOT, KB(64) + j * PAGE_SIZE, 0x210 + j);
    }
    fx_assert_scratch(&f, ROOT, KB(128));
    st = fx_stats(&f);
    assert_int_equal(st.splits, 2);
    assert_int_equal(st.refused[GTT_ERR_MMIO], 1);
    assert_int_equal(st.refs_held, 4 + 31);
    assert_int_equal(fake_page_refs(f.h.ram_mfn + 0x300), 0);

    /* A trapped write to a non-64K slot changes nothing; to a 64K slot,
     * all 16. */
    assert_int_equal(fx_write(&f, PT, 17, FX_PTE(0x400)), GTT_OK);
    fx_assert_maps(&f, ROOT, KB(64) + PAGE_SIZE, 0x211);
    assert_int_equal(fx_write(&f, PT, 16, FX_PTE(0x400)), GTT_OK);
    fx_assert_maps(&f, ROOT, KB(64) + 3 * PAGE_SIZE, 0x403);

    /* The same guest PT without IPS is another shadow (4K entries). */
    fx_poke(&f, PD, 5, FX_PTE(PT));
    assert_int_equal(fx_write(&f, PD, 5, FX_PTE(PT)), GTT_OK);
    fx_assert_maps(&f, ROOT, MB(10) + PAGE_SIZE, 0x300);
    fx_assert_maps(&f, ROOT, MB(10) + 17 * PAGE_SIZE, 0x400);
    fx_assert_maps(&f, ROOT, KB(64) + 3 * PAGE_SIZE, 0x403);
    assert_int_equal(fx_stats(&f).shadow_pages, 5);

    finish_l4(&f);
}

/* Trapped writes: sizes, halves, replacement order. */
static void test_trapped_writes(void **state)
{
    struct fx f;
    uint64_t gpa = ((uint64_t)PT << GTT_PAGE_SHIFT) + 8 * 3;

    (void)state;
    start_l4(&f, 4);

    /* Bad sizes and alignments: refused, nothing changes. */
    assert_int_equal(gtt_wp_write(f.v, gpa, 2, 0), GTT_ERR_BAD_ACCESS);
    assert_int_equal(gtt_wp_write(f.v, gpa, 1, 0), GTT_ERR_BAD_ACCESS);
    assert_int_equal(gtt_wp_write(f.v, gpa, 16, 0), GTT_ERR_BAD_ACCESS);
    assert_int_equal(gtt_wp_write(f.v, gpa + 4, 8, 0), GTT_ERR_BAD_ACCESS);
    assert_int_equal(gtt_wp_write(f.v, gpa + 2, 4, 0), GTT_ERR_BAD_ACCESS);
    assert_int_equal(fx_stats(&f).refused[GTT_ERR_BAD_ACCESS], 5);
    assert_int_equal(fx_peek(&f, PT, 3), FX_PTE(DATA + 3));
    fx_assert_maps(&f, ROOT, 3 * PAGE_SIZE, DATA + 3);
    /* A frame the engine does not protect. */
    assert_int_equal(gtt_wp_write(f.v, (uint64_t)DATA << 12, 8, 0),
                     GTT_ERR_NOT_TRACKED);
    assert_int_equal(fx_stats(&f).writes_trapped, 0);

    /* Half an entry: scratch at once, even before the other half. */
    assert_int_equal(fx_store(&f, gpa, 4, (uint32_t)FX_PTE(DATA + 9)),
                     GTT_OK);
    fx_assert_scratch(&f, ROOT, 3 * PAGE_SIZE);
    assert_int_equal(fx_store(&f, gpa + 4, 4, 0), GTT_OK);
    fx_assert_scratch(&f, ROOT, 3 * PAGE_SIZE);
    assert_int_equal(fake_page_refs(f.h.ram_mfn + DATA + 3), 1);   /* deferred */
    assert_int_equal(gtt_sync(f.v), GTT_OK);
    fx_assert_maps(&f, ROOT, 3 * PAGE_SIZE, DATA + 9);
    assert_int_equal(fake_page_refs(f.h.ram_mfn + DATA + 3), 0);

    /* A half that completes into MMIO: scratch after the sync too. */
    fake_p2m_set(f.h.d1, 0x500, 0, p2m_mmio_direct, NULL);
    assert_int_equal(fx_store(&f, gpa, 4, (uint32_t)FX_PTE(0x500)), GTT_OK);
    assert_int_equal(gtt_sync(f.v), GTT_OK);
    fx_assert_scratch(&f, ROOT, 3 * PAGE_SIZE);
    assert_int_equal(fx_stats(&f).refused[GTT_ERR_MMIO], 1);

    /* 8 bytes: new entry in place; the old reference goes at the flush. */
    assert_int_equal(fx_write(&f, PT, 2, FX_PTE(DATA + 20)), GTT_OK);
    fx_assert_maps(&f, ROOT, 2 * PAGE_SIZE, DATA + 20);
    assert_int_equal(fake_page_refs(f.h.ram_mfn + DATA + 2), 1);
    assert_int_equal(gtt_sync(f.v), GTT_OK);
    assert_int_equal(fake_page_refs(f.h.ram_mfn + DATA + 2), 0);
    assert_int_equal(fake_page_refs(f.h.ram_mfn + DATA + 20), 1);
    assert_int_equal(fx_stats(&f).writes_trapped, 4);

    /* An upper-level entry: a new PT is protected, then read. */
    fx_poke(&f, 0x50, 7, FX_PTE(DATA + 30));
    assert_int_equal(fx_write(&f, PD, 1, FX_PTE(0x50)), GTT_OK);
    assert_true(fx_protected(&f, 0x50));
    fx_assert_maps(&f, ROOT, MB(2) + 7 * PAGE_SIZE, DATA + 30);
    /* ... and dropping it unprotects it. */
    assert_int_equal(fx_write(&f, PD, 1, 0), GTT_OK);
    assert_false(fx_protected(&f, 0x50));
    fx_assert_scratch(&f, ROOT, MB(2) + 7 * PAGE_SIZE);

    finish_l4(&f);
}

/*
 * The guest balloons out a page table (and a data page) still in use: the
 * shadow keeps its references, so the frames stay the guest's (Xen cannot
 * give them to another domain) and the GPU keeps the validated entries.
 */
static void test_table_freed_while_referenced(void **state)
{
    struct fx f;

    (void)state;
    start_l4(&f, 4);

    fake_p2m_set(f.h.d1, PT, 0, p2m_invalid, NULL);
    fake_p2m_set(f.h.d1, DATA + 1, 0, p2m_invalid, NULL);
    assert_int_equal(fake_page_refs(f.h.ram_mfn + PT), 1);
    assert_int_equal(fake_page_refs(f.h.ram_mfn + DATA + 1), 1);
    assert_ptr_equal(page_get_owner(mfn_to_page(_mfn(f.h.ram_mfn + PT))), f.h.d1);
    fx_assert_maps(&f, ROOT, PAGE_SIZE, DATA + 1);
    assert_int_equal(gtt_sync(f.v), GTT_OK);
    fx_assert_maps(&f, ROOT, PAGE_SIZE, DATA + 1);

    /*
     * A new PDE naming the gfn shares the shadow already built from the
     * frame still held (validated entries only; the engine does not follow
     * p2m changes).  A gfn without a shadow is refused.
     */
    assert_int_equal(fx_write(&f, PD, 2, FX_PTE(PT)), GTT_OK);
    fx_assert_maps_mfn(&f, ROOT, MB(4) + PAGE_SIZE, DATA + 1,
                       f.h.ram_mfn + DATA + 1);
    fake_p2m_set(f.h.d1, 0x51, 0, p2m_invalid, NULL);
    assert_int_equal(fx_write(&f, PD, 3, FX_PTE(0x51)), GTT_OK);
    fx_assert_scratch(&f, ROOT, MB(6));
    assert_int_equal(fx_stats(&f).refused[GTT_ERR_NOT_RAM], 1);
    assert_int_equal(fx_write(&f, PD, 2, 0), GTT_OK);

    /* Dropping the PDE drops the last references, after the flush. */
    assert_int_equal(fx_write(&f, PD, 0, 0), GTT_OK);
    assert_int_equal(fake_page_refs(f.h.ram_mfn + PT), 1);
    assert_int_equal(gtt_sync(f.v), GTT_OK);
    assert_int_equal(fake_page_refs(f.h.ram_mfn + PT), 0);
    assert_int_equal(fake_page_refs(f.h.ram_mfn + DATA + 1), 0);

    finish_l4(&f);
}

/* A page table that is also data (and written by the GPU) stays safe. */
static void test_table_also_data(void **state)
{
    struct fx f;

    (void)state;
    fx_init(&f, 0x1000);
    build_l4(&f, 2);
    fx_poke(&f, PT, 2, FX_PTE(PT));             /* the PT maps itself */
    assert_int_equal(create_l4(&f, ROOT), GTT_OK);
    fx_assert_maps(&f, ROOT, 2 * PAGE_SIZE, PT);
    assert_int_equal(fake_page_refs(f.h.ram_mfn + PT), 2);

    /* The GPU writes an MMIO frame into it through the data mapping. */
    fake_p2m_set(f.h.d1, 0x500, 0, p2m_mmio_direct, NULL);
    fx_poke(&f, PT, 0, FX_PTE(0x500));
    assert_int_equal(gtt_sync(f.v), GTT_OK);
    fx_assert_maps(&f, ROOT, 0, DATA);

    finish_l4(&f);
}

/* Tables shared between roots and levels are shadowed once. */
static void test_shared_tables(void **state)
{
    struct fx f;
    uint64_t root2 = (uint64_t)0x18 << 12;

    (void)state;
    fx_init(&f, 0x1000);
    build_l4(&f, 4);
    fx_poke(&f, PD, 1, FX_PTE(PT));
    fx_poke(&f, PDP, 1, FX_PTE(PD));
    fx_poke(&f, 0x18, 0, FX_PTE(PDP));
    fx_poke(&f, 0x18, 5, FX_PTE(PDP));
    assert_int_equal(create_l4(&f, ROOT), GTT_OK);
    assert_int_equal(create_l4(&f, root2), GTT_OK);
    assert_int_equal(fx_stats(&f).shadow_pages, 5);
    assert_int_equal(fx_stats(&f).address_spaces, 2);
    assert_int_equal(fake_page_refs(f.h.ram_mfn + DATA), 1);

    fx_assert_maps(&f, ROOT, GB(1) + MB(2), DATA);
    fx_assert_maps(&f, root2, (5ULL << 39) + GB(1) + MB(2) + PAGE_SIZE,
                   DATA + 1);

    /* A write to the shared PT shows through every path. */
    assert_int_equal(fx_write(&f, PT, 0, FX_PTE(DATA + 40)), GTT_OK);
    fx_assert_maps(&f, ROOT, 0, DATA + 40);
    fx_assert_maps(&f, root2, (5ULL << 39) + MB(2), DATA + 40);

    /* Second creation of a root: one more user, one destroy left. */
    assert_int_equal(create_l4(&f, ROOT), GTT_OK);
    assert_int_equal(gtt_ppgtt_destroy(f.v, ROOT), GTT_OK);
    assert_int_equal(fx_stats(&f).address_spaces, 2);
    assert_int_equal(gtt_ppgtt_destroy(f.v, ROOT), GTT_OK);
    assert_int_equal(fx_stats(&f).shadow_pages, 4);
    assert_true(fx_protected(&f, PT));
    assert_false(fx_protected(&f, PML4));
    fx_assert_maps(&f, root2, MB(2) + PAGE_SIZE, DATA + 1);

    assert_int_equal(gtt_ppgtt_destroy(f.v, root2), GTT_OK);
    fx_assert_idle(&f);
    fx_fini(&f);
}

/* Three 4-table roots with room for two: LRU reclaim, pinned kept. */
static void test_quota_and_reclaim(void **state)
{
    struct fx f;
    uint64_t roots[3], sh[4];
    unsigned int r;

    (void)state;
    fx_init_cfg(&f, 0x1000, 8, true);
    for ( r = 0; r < 3; r++ )
    {
        unsigned long g = 0x40 + r * 4;

        fx_poke(&f, g, 0, FX_PTE(g + 1));
        fx_poke(&f, g + 1, 0, FX_PTE(g + 2));
        fx_poke(&f, g + 2, 0, FX_PTE(g + 3));
        fx_poke(&f, g + 3, 0, FX_PTE(DATA + r));
        roots[r] = (uint64_t)g << 12;
    }
    assert_int_equal(create_l4(&f, roots[0]), GTT_OK);
    assert_int_equal(create_l4(&f, roots[1]), GTT_OK);
    assert_int_equal(gtt_ppgtt_pin(f.v, roots[1], sh), GTT_OK);

    /* Room for the third: the least recently used unpinned one goes. */
    assert_int_equal(create_l4(&f, roots[2]), GTT_OK);
    assert_int_equal(fx_stats(&f).reclaims, 1);
    assert_int_equal(fx_stats(&f).shadow_pages, 8);
    assert_int_equal(fx_stats(&f).address_spaces, 3);
    assert_false(fx_protected(&f, 0x40));
    /* Its pages were needed at once: invalidated, then freed. */
    assert_int_equal(fake_page_refs(f.h.ram_mfn + 0x40), 0);
    assert_int_equal(fake_page_refs(f.h.ram_mfn + DATA), 0);
    fx_assert_maps(&f, roots[1], 0, DATA + 1);

    /* Pinning the reclaimed one shadows it again, reclaiming the third. */
    assert_int_equal(gtt_ppgtt_pin(f.v, roots[0], sh), GTT_OK);
    assert_int_equal(fx_stats(&f).reclaims, 2);
    assert_true(fx_protected(&f, 0x40));
    fx_assert_maps(&f, roots[0], 0, DATA);
    fx_assert_maps(&f, roots[1], 0, DATA + 1);

    /* Both others pinned: nothing to reclaim. */
    assert_int_equal(gtt_ppgtt_pin(f.v, roots[2], sh), GTT_ERR_QUOTA);
    assert_int_equal(gtt_translate_ppgtt(f.v, roots[2], 0,
                                         &(struct gtt_xlate){ 0 }),
                     GTT_ERR_QUOTA);
    assert_int_equal(fx_stats(&f).shadow_pages, 8);
    fx_assert_maps(&f, roots[0], 0, DATA);
    fx_assert_maps(&f, roots[1], 0, DATA + 1);

    /* A trapped write needing a new table fails cleanly: scratch, kept
     * pending, and the sync reports it until there is room. */
    fx_poke(&f, 0x60, 0, FX_PTE(DATA + 9));
    assert_int_equal(fx_write(&f, 0x42, 1, FX_PTE(0x60)), GTT_ERR_QUOTA);
    fx_assert_scratch(&f, roots[0], MB(2));
    assert_int_equal(gtt_sync(f.v), GTT_ERR_QUOTA);
    assert_int_equal(gtt_ppgtt_unpin(f.v, roots[1]), GTT_OK);
    assert_int_equal(gtt_sync(f.v), GTT_OK);
    fx_assert_maps(&f, roots[0], MB(2), DATA + 9);
    assert_int_equal(fx_stats(&f).reclaims, 3);

    assert_int_equal(gtt_ppgtt_unpin(f.v, roots[0]), GTT_OK);
    for ( r = 0; r < 3; r++ )
        assert_int_equal(gtt_ppgtt_destroy(f.v, roots[r]), GTT_OK);
    fx_assert_idle(&f);
    fx_fini(&f);
}

/*
 * Out of sync: after two trapped writes the PT is left writable; the guest
 * then writes an MMIO frame into it untrapped.  Until the sync the GPU
 * still sees the old, validated frame; after it, scratch.
 */
static void test_oos(void **state)
{
    struct fx f;
    struct gtt_stats st;

    (void)state;
    start_l4(&f, 4);
    assert_int_equal(fx_write(&f, PT, 0, FX_PTE(DATA + 10)), GTT_OK);
    assert_true(fx_protected(&f, PT));
    assert_int_equal(fx_write(&f, PT, 1, FX_PTE(DATA + 11)), GTT_OK);
    assert_false(fx_protected(&f, PT));
    assert_false(gtt_wp_claims(f.v, PT));
    assert_int_equal(fx_stats(&f).oos_pages, 1);

    fake_p2m_set(f.h.d1, 0x500, 0, p2m_mmio_direct, NULL);
    assert_int_equal(fx_write(&f, PT, 3, FX_PTE(0x500)), GTT_OK);
    assert_int_equal(fx_write(&f, PT, 4, FX_PTE(DATA + 14)), GTT_OK);
    fx_assert_maps(&f, ROOT, 3 * PAGE_SIZE, DATA + 3);
    fx_assert_scratch(&f, ROOT, 4 * PAGE_SIZE);
    assert_int_equal(fake_page_refs(f.h.ram_mfn + DATA + 3), 1);

    assert_int_equal(gtt_sync(f.v), GTT_OK);
    fx_assert_scratch(&f, ROOT, 3 * PAGE_SIZE);
    fx_assert_maps(&f, ROOT, 4 * PAGE_SIZE, DATA + 14);
    fx_assert_maps(&f, ROOT, 0, DATA + 10);
    st = fx_stats(&f);
    assert_int_equal(st.refused[GTT_ERR_MMIO], 1);
    assert_int_equal(st.resyncs, 2);
    assert_int_equal(st.oos_pages, 0);
    assert_true(fx_protected(&f, PT));
    assert_int_equal(fake_page_refs(f.h.ram_mfn + DATA + 3), 0);

    /* Back in sync, trapped again. */
    assert_int_equal(fx_write(&f, PT, 5, FX_PTE(DATA + 15)), GTT_OK);
    fx_assert_maps(&f, ROOT, 5 * PAGE_SIZE, DATA + 15);

    /* Destroyed while out of sync: nothing left behind. */
    assert_int_equal(fx_write(&f, PT, 6, FX_PTE(DATA + 16)), GTT_OK);
    assert_int_equal(fx_stats(&f).oos_pages, 1);
    assert_int_equal(gtt_ppgtt_destroy(f.v, ROOT), GTT_OK);
    assert_int_equal(fx_stats(&f).oos_pages, 0);
    assert_false(fx_protected(&f, PT));
    fx_assert_idle(&f);
    fx_fini(&f);
}

/*
 * The GPU (or a grant copy) changes protected tables untrapped; later
 * trapped writes push them out of sync.  The entries the shadow missed are
 * re-validated then, not left stale for good by the sync's diff.
 */
static void test_oos_after_untrapped_store(void **state)
{
    struct fx f;
    struct gtt_stats st;
    unsigned int i;

    (void)state;
    fx_init(&f, 0x1000);
    build_l4(&f, 4);
    fake_p2m_set(f.h.d1, 0x500, 0, p2m_mmio_direct, NULL);
    fx_poke(&f, PT, 5, FX_PTE(0x500));          /* refused, unchanged */
    fx_poke(&f, PD, 1, FX_PTE(0x30) | PPGTT_IPS);
    fx_poke(&f, 0x30, 0, FX_PTE(0x200));
    fx_poke(&f, 0x30, 16, FX_PTE(0x210));
    assert_int_equal(create_l4(&f, ROOT), GTT_OK);
    st = fx_stats(&f);
    assert_int_equal(st.refused[GTT_ERR_MMIO], 1);

    /* Untrapped: another RAM frame, not present, another 64K run. */
    fx_poke(&f, PT, 2, FX_PTE(DATA + 20));
    fx_poke(&f, PT, 3, 0);
    fx_poke(&f, 0x30, 16, FX_PTE(0x300));
    fx_assert_maps(&f, ROOT, 2 * PAGE_SIZE, DATA + 2);

    for ( i = 0; i < 2; i++ )
    {
        assert_int_equal(fx_write(&f, PT, 10 + i, FX_PTE(DATA + 10 + i)),
                         GTT_OK);
        assert_int_equal(fx_write(&f, 0x30, 32 + 16 * i,
                                  FX_PTE(0x220 + 16 * i)), GTT_OK);
    }
    assert_false(fx_protected(&f, PT));
    assert_false(fx_protected(&f, 0x30));
    assert_int_equal(fx_stats(&f).oos_pages, 2);

    assert_int_equal(gtt_sync(f.v), GTT_OK);
    fx_assert_maps(&f, ROOT, 2 * PAGE_SIZE, DATA + 20);
    fx_assert_scratch(&f, ROOT, 3 * PAGE_SIZE);
    fx_assert_scratch(&f, ROOT, 5 * PAGE_SIZE);
    fx_assert_maps(&f, ROOT, 10 * PAGE_SIZE, DATA + 10);
    for ( i = 0; i < 16; i += 5 )
    {
        fx_assert_maps(&f, ROOT, MB(2) + i * PAGE_SIZE, 0x200 + i);
        fx_assert_maps(&f, ROOT, MB(2) + KB(64) + i * PAGE_SIZE, 0x300 + i);
        fx_assert_maps(&f, ROOT, MB(2) + KB(192) + i * PAGE_SIZE, 0x230 + i);
    }
    st = fx_stats(&f);
    assert_int_equal(st.resyncs, 3);            /* 2, 3 and the 64K run */
    assert_int_equal(st.refused[GTT_ERR_MMIO], 1);
    assert_true(fx_protected(&f, PT));
    assert_int_equal(fake_page_refs(f.h.ram_mfn + DATA + 2), 0);
    assert_int_equal(fake_page_refs(f.h.ram_mfn + DATA + 3), 0);
    assert_int_equal(fake_page_refs(f.h.ram_mfn + DATA + 20), 1);
    assert_int_equal(fake_page_refs(f.h.ram_mfn + 0x215), 0);
    assert_int_equal(fake_page_refs(f.h.ram_mfn + 0x30f), 1);
    finish_l4(&f);
}

/* A PT also shadowed as a 64K table stays protected however often written. */
static void test_oos_needs_single_use(void **state)
{
    struct fx f;
    unsigned int i;

    (void)state;
    start_l4(&f, 4);
    fx_poke(&f, PD, 1, FX_PTE(PT) | PPGTT_IPS);
    assert_int_equal(fx_write(&f, PD, 1, FX_PTE(PT) | PPGTT_IPS), GTT_OK);
    assert_int_equal(fx_stats(&f).shadow_pages, 5);
    for ( i = 0; i < 6; i++ )
        assert_int_equal(fx_write(&f, PT, 16 * i, FX_PTE(0x200 + 16 * i)),
                         GTT_OK);
    assert_int_equal(fx_stats(&f).oos_pages, 0);
    assert_true(fx_protected(&f, PT));
    fx_assert_maps(&f, ROOT, 16 * PAGE_SIZE, 0x210);
    fx_assert_maps(&f, ROOT, MB(2) + 16 * PAGE_SIZE + 5 * PAGE_SIZE, 0x215);

    /* Half of a 64K entry: its 16 pages go to scratch until the sync. */
    assert_int_equal(fx_store(&f, ((uint64_t)PT << GTT_PAGE_SHIFT) + 8 * 32,
                              4, (uint32_t)FX_PTE(0x300)), GTT_OK);
    for ( i = 0; i < 16; i++ )
        fx_assert_scratch(&f, ROOT, MB(2) + KB(128) + i * PAGE_SIZE);
    fx_assert_scratch(&f, ROOT, 32 * PAGE_SIZE);       /* the 4K view too */
    assert_int_equal(gtt_sync(f.v), GTT_OK);
    fx_assert_maps(&f, ROOT, 32 * PAGE_SIZE, 0x300);
    for ( i = 0; i < 16; i += 5 )
        fx_assert_maps(&f, ROOT, MB(2) + KB(128) + i * PAGE_SIZE, 0x300 + i);
    finish_l4(&f);
}

/* A legacy root with one PDP naming MMIO: refused, nothing kept. */
static void test_l3_bad_pdp(void **state)
{
    struct fx f;
    uint64_t pdps[4] = { (uint64_t)0x20 << 12, (uint64_t)0x21 << 12,
                         (uint64_t)0x22 << 12, 0 };

    (void)state;
    fx_init(&f, 0x1000);
    fx_poke(&f, 0x20, 0, FX_PTE(0x23));
    fake_p2m_set(f.h.d1, 0x22, 0, p2m_mmio_direct, NULL);
    assert_int_equal(gtt_ppgtt_create(f.v, GTT_ROOT_L3, pdps), GTT_ERR_MMIO);
    assert_false(fx_protected(&f, 0x20));
    assert_false(fx_protected(&f, 0x23));
    assert_int_equal(gtt_translate_ppgtt(f.v, pdps[0], 0,
                                         &(struct gtt_xlate){ 0 }),
                     GTT_ERR_BAD_ROOT);
    fx_assert_idle(&f);
    fx_fini(&f);
}

static void test_oos_off(void **state)
{
    struct fx f;
    unsigned int i;

    (void)state;
    fx_init_cfg(&f, 0x1000, 0, false);
    build_l4(&f, 4);
    assert_int_equal(create_l4(&f, ROOT), GTT_OK);
    for ( i = 0; i < 8; i++ )
        assert_int_equal(fx_write(&f, PT, i, FX_PTE(DATA + 20 + i)), GTT_OK);
    assert_true(fx_protected(&f, PT));
    assert_int_equal(fx_stats(&f).oos_pages, 0);
    fx_assert_maps(&f, ROOT, 7 * PAGE_SIZE, DATA + 27);
    finish_l4(&f);
}

/* Reset: every address space gone; the vGPU works again afterwards. */
static void test_reset(void **state)
{
    struct fx f;
    uint64_t sh[4];

    (void)state;
    start_l4(&f, 4);
    assert_int_equal(gtt_ppgtt_pin(f.v, ROOT, sh), GTT_OK);
    gtt_vgpu_reset(f.v);
    assert_int_equal(fake_refs_total(), 0);
    assert_int_equal(fx_stats(&f).shadow_pages, 0);
    assert_false(fx_protected(&f, PT));
    assert_false(gtt_wp_claims(f.v, PT));
    assert_int_equal(gtt_wp_write(f.v, (uint64_t)PT << GTT_PAGE_SHIFT, 8, 0),
                     GTT_ERR_NOT_TRACKED);
    assert_int_equal(gtt_sync(f.v), GTT_OK);
    assert_int_equal(gtt_translate_ppgtt(f.v, ROOT, 0,
                                         &(struct gtt_xlate){ 0 }),
                     GTT_ERR_BAD_ROOT);
    assert_int_equal(create_l4(&f, ROOT), GTT_OK);
    fx_assert_maps(&f, ROOT, 0, DATA);
    fx_fini(&f);
}

/*
 * The claims table under churn: a 16-slot table (quota 8) tracking and
 * forgetting frames whose probe chains collide.  After every step each
 * frame is claimed exactly when the p2m traps it.
 */
static void test_claims_churn(void **state)
{
    struct fx f;
    uint32_t rng = 7;
    unsigned int step, g;

    (void)state;
    fx_init_cfg(&f, 0x1000, 8, false);
    for ( g = 0x40; g < 0x80; g += 2 )
        fx_poke(&f, g, 0, FX_PTE(g + 1));
    for ( step = 0; step < 400; step++ )
    {
        uint64_t root;
        int rc;

        rng = rng * 1103515245u + 12345u;
        root = (uint64_t)(0x40 + 2 * ((rng >> 16) % 32)) << GTT_PAGE_SHIFT;
        rc = create_l4(&f, root);
        if ( rc == GTT_OK && (rng >> 30) & 1 )
            assert_int_equal(gtt_ppgtt_destroy(f.v, root), GTT_OK);
        assert_true(rc == GTT_OK || rc == GTT_ERR_BAD_ROOT);
        for ( g = 0x30; g < 0x90; g++ )
            assert_int_equal(gtt_wp_claims(f.v, g), fx_protected(&f, g));
    }
    assert_true(fx_stats(&f).reclaims > 10);
    gtt_vgpu_reset(f.v);
    for ( g = 0x30; g < 0x90; g++ )
        assert_false(fx_protected(&f, g));
    fx_fini(&f);
}

/* Leaf of the shadow reached by following entry 0 down from a root. */
static uint64_t shadow_leaf0(uint64_t root, unsigned int levels)
{
    uint64_t e = root | PPGTT_PRESENT;

    while ( levels-- )
    {
        const uint64_t *t = map_domain_page(_mfn((e & PPGTT_ADDR_MASK) >>
                                                 GTT_PAGE_SHIFT));

        e = t[0];
        unmap_domain_page(t);
        assert_true(e & PPGTT_PRESENT);
    }

    return e;
}

/*
 * Absent entries lead, through the scratch tree, to a read-only scratch
 * page of the vGPU's own: not the device's, not another vGPU's.
 */
static void test_scratch_per_vgpu(void **state)
{
    struct fx f;
    struct gtt_vgpu_config cfg = { 0 };
    struct gtt_vgpu *v2;
    uint64_t sh1[4], sh2[4], leaf1, leaf2, root2 = (uint64_t)0x3 << 12;

    (void)state;
    fx_init(&f, 0x1000);
    assert_int_equal(create_l4(&f, ROOT), GTT_OK);
    assert_int_equal(gtt_ppgtt_pin(f.v, ROOT, sh1), GTT_OK);
    leaf1 = shadow_leaf0(sh1[0], 4);
    assert_int_equal(leaf1 & (PPGTT_PRESENT | PPGTT_RW), PPGTT_PRESENT);
    assert_int_not_equal(leaf1 >> GTT_PAGE_SHIFT, f.h.dev.scratch_mfn);
    assert_null(page_get_owner(mfn_to_page(_mfn(leaf1 >> GTT_PAGE_SHIFT))));

    cfg.d = f.h.d2;
    cfg.id = 2;
    cfg.aperture_base = 12u << 20;
    cfg.aperture_size = 2u << 20;
    cfg.hidden_base = 14u << 20;
    cfg.hidden_size = 2u << 20;
    assert_int_equal(gtt_vgpu_create(&f.h.dev, &cfg, &v2), 0);
    assert_int_equal(gtt_ppgtt_create(v2, GTT_ROOT_L4, &root2), GTT_OK);
    assert_int_equal(gtt_ppgtt_pin(v2, root2, sh2), GTT_OK);
    leaf2 = shadow_leaf0(sh2[0], 4);
    assert_int_not_equal(leaf2 >> GTT_PAGE_SHIFT, leaf1 >> GTT_PAGE_SHIFT);
    gtt_vgpu_destroy(v2);

    assert_int_equal(gtt_ppgtt_unpin(f.v, ROOT), GTT_OK);
    finish_l4(&f);
}

/*
 * Allocation failure at every allocation of a population with 2M, 1G and
 * 64K splits, then of trapped writes that split: each attempt either
 * succeeds or fails with no-memory, and leaves nothing behind.
 */
static void populate_mixed(struct fx *f)
{
    unsigned long other = fake_guest_mfns(2);

    fx_poke(f, PML4, 0, FX_PTE(PDP));
    fx_poke(f, PDP, 0, FX_PTE(PD));
    fx_poke(f, PDP, 1, FX_PTE(0x40000) | PPGTT_PS);
    fx_poke(f, PD, 0, FX_PTE(PT));
    fx_poke(f, PD, 1, FX_PTE(PT) | PPGTT_IPS);
    fx_poke(f, PD, 2, FX_PTE(0x400) | PPGTT_PS);
    fx_poke(f, PT, 0, FX_PTE(0x200));
    fx_poke(f, PT, 16, FX_PTE(0x210));
    fake_p2m_set(f->h.d1, 0x40000 + 700, other, p2m_ram_rw, NULL);
    fake_p2m_set(f->h.d1, 0x400 + 9, other + 1, p2m_ram_rw, NULL);
}

static void test_alloc_failure_sweep(void **state)
{
    struct fx f;
    long n;
    int rc = -1;

    (void)state;
    fx_init(&f, 0x80000);
    populate_mixed(&f);
    for ( n = 0; rc != GTT_OK; n++ )
    {
        host_alloc_stats.fail_after = n;
        rc = create_l4(&f, ROOT);
        host_alloc_stats.fail_after = -1;
        if ( rc != GTT_OK )
        {
            assert_int_equal(rc, GTT_ERR_NO_MEMORY);
            fx_assert_idle(&f);
            assert_false(fx_protected(&f, PML4));
            assert_false(fx_protected(&f, PT));
            continue;
        }
        fx_assert_maps(&f, ROOT, GB(1) + 701 * PAGE_SIZE, 0x40000 + 701);
        fx_assert_maps(&f, ROOT, MB(2) + 16 * PAGE_SIZE, 0x210);
        fx_assert_maps(&f, ROOT, MB(4) + 10 * PAGE_SIZE, 0x40a);
        fx_assert_maps(&f, ROOT, 16 * PAGE_SIZE, 0x210);
    }
    assert_true(n > 5);
    assert_int_equal(gtt_ppgtt_destroy(f.v, ROOT), GTT_OK);
    fx_assert_idle(&f);

    /* Trapped writes that need a split, failing at each allocation. */
    fx_poke(&f, PD, 3, 0);
    fx_poke(&f, PDP, 2, 0);
    assert_int_equal(create_l4(&f, ROOT), GTT_OK);
    rc = -1;
    for ( n = 0; rc != GTT_OK; n++ )
    {
        int rc2 = -1;

        host_alloc_stats.fail_after = n;
        rc = fx_write(&f, PD, 3, FX_PTE(0x400) | PPGTT_PS);
        if ( rc == GTT_OK )
            rc = rc2 = fx_write(&f, PDP, 2, FX_PTE(0x40000) | PPGTT_PS);
        host_alloc_stats.fail_after = -1;
        if ( rc == GTT_OK )
            break;
        /* The failed entry is scratch (pending); empty both again. */
        assert_int_equal(rc, GTT_ERR_NO_MEMORY);
        if ( rc2 == -1 )
            fx_assert_scratch(&f, ROOT, MB(6));
        fx_assert_scratch(&f, ROOT, GB(2));
        assert_int_equal(fx_write(&f, PD, 3, 0), GTT_OK);
        assert_int_equal(fx_write(&f, PDP, 2, 0), GTT_OK);
        assert_int_equal(gtt_sync(f.v), GTT_OK);
        assert_int_equal(fx_stats(&f).shadow_pages, 8);
    }
    /* Each allocation the two writes make has failed once. */
    assert_true(n >= 3);
    fx_assert_maps(&f, ROOT, MB(6) + 10 * PAGE_SIZE, 0x40a);
    fx_assert_maps(&f, ROOT, GB(2) + 701 * PAGE_SIZE, 0x40000 + 701);
    finish_l4(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_l4_population),
        cmocka_unit_test(test_l3_population),
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_bad_roots),
        cmocka_unit_test(test_leaf_attacks),
        cmocka_unit_test(test_huge_2m),
        cmocka_unit_test(test_huge_1g),
        cmocka_unit_test(test_huge_1g_split_quota),
        cmocka_unit_test(test_huge_64k),
        cmocka_unit_test(test_trapped_writes),
        cmocka_unit_test(test_table_freed_while_referenced),
        cmocka_unit_test(test_table_also_data),
        cmocka_unit_test(test_shared_tables),
        cmocka_unit_test(test_quota_and_reclaim),
        cmocka_unit_test(test_oos),
        cmocka_unit_test(test_oos_off),
        cmocka_unit_test(test_oos_after_untrapped_store),
        cmocka_unit_test(test_oos_needs_single_use),
        cmocka_unit_test(test_l3_bad_pdp),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_scratch_per_vgpu),
        cmocka_unit_test(test_claims_churn),
        cmocka_unit_test(test_alloc_failure_sweep),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
