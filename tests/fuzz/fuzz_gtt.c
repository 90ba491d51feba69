/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer target: the GTT shadowing engine under sequences of guest and
 * host operations on a simulated machine.
 *
 * The machine (built once, put back as built after every input): a
 * simulated GPU of FZ_GGTT entries with the engine's device; a guest d1
 * with FZ_RAM frames of RAM (host-contiguous from a 2M-aligned frame, so
 * 2M entries can be honoured) followed by hostile frames (MMIO, grant and
 * foreign maps of d2's pages, paged out, shared, holes, d2's and Xen's
 * pages mapped as RAM); another domain d2.  Per input: a vGPU of d1 with a
 * 512 KiB aperture and a 512 KiB hidden slice.
 *
 * Input: byte 0 configures the vGPU (bits 4:0: shadow quota, 0 = default,
 * else 2 + value; bit 5: out-of-sync leaves; bits 7:6: OOS threshold - 1).
 * Then operations, one opcode byte (modulo OP_NR) and its argument bytes
 * each (zeros past the end), at most FZ_MAX_OPS:
 *   GGTT write (8 bytes or a 4-byte half, any index), PVINFO write (the
 *   PDP registers, g2v notifications creating and destroying L3/L4 roots,
 *   anything else), a guest CPU store to its memory (through
 *   gtt_wp_write() when the engine protects the frame), PPGTT create,
 *   destroy, pin, unpin, lookup, gtt_sync(), GGTT and PPGTT translation
 *   (the latter after a sync when its flag byte says so),
 *   vGPU reset, allocation failure injection, a p2m change of an
 *   unprotected data frame, any BAR0 write, reads.
 * A "frame selector" byte names a gfn: 0x00-0xbf: RAM 0x000-0x0bf (page
 * tables and data), 0xc0-0xdf: RAM 0x200-0x21f (second 2M), 0xe0-0xef:
 * the hostile frames, 0xf0-0xf7: past the guest's memory, 0xf8-0xff:
 * absurd frame numbers.
 *
 * After every operation: no reference was dropped while the GPU could
 * reach the frame (fake_put_violations()); the references on host frames
 * total the vGPU's refs_held and its stats; shadow pages within the
 * quota; and what the operation can break locally: a GGTT write leaves its
 * physical entry scratch or a d1 frame, every translation ends in scratch
 * or in a frame d1 owns.  After a successful gtt_sync(): nothing pending,
 * no stale GPU TLB entry, no deferred drop; a PPGTT translation asked for
 * after a sync agrees with the guest's own walk of its tables (not
 * present: scratch; else the frame the p2m maps at the gfn the walk ends
 * at, reported under the gfn the M2P gives that frame, or that gfn), where
 * that walk is plain 4K.
 *
 * The full sweep, after syncs, resets, destroys (the operations that
 * change much at once), every FZ_DEEP_EVERY operations and at the end of
 * every input: every physical GGTT entry in the vGPU's slices is scratch
 * or a d1 frame, the ones outside are untouched; every PPGTT shadow
 * reference is a frame of d1; the references on each host frame equal the
 * shadow entries, GGTT entries and deferred drops naming it; a frame is
 * claimed by the write-protect handler exactly when the p2m has it
 * protected; every shadowed guest table is protected or out of sync.
 *
 * At the end of an input, with every root unpinned and destroyed: no
 * shadow page, no address space; after destroying the vGPU: no reference,
 * no map, no stale GGTT entry, the whole physical GGTT as before the vGPU,
 * no domheap page, no xmalloc left; d1's p2m types as built once the
 * input's p2m changes are undone.  Then guest memory and the engine's
 * pages are forgotten (fake_p2m_rewind()): the next input sees the machine
 * as the first one did, so a finding replays alone.
 *
 * Build: tests/fuzz/run-smoke.sh BUILD SECONDS gtt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ppgtt_private.h"

/*
 * Small slices: every vGPU creation, reset and destruction writes each of
 * their entries (and the GPU model tracks each write), so their size is
 * most of what a short input costs.
 */
#define FZ_GGTT       1024          /* 4 MiB of GGTT */
#define FZ_AP_SIZE    (512u << 10)  /* the vGPU's slices: aperture at 0, */
#define FZ_HID_BASE   (2u << 20)    /* hidden at 2 MiB */
#define FZ_HID_SIZE   (512u << 10)
#define FZ_RAM        0x400         /* 4 MiB of guest RAM */
#define FZ_HOSTILE    0x400         /* 16 hostile frames from here */
#define FZ_NR_HOSTILE 16
#define FZ_GFNS       (FZ_HOSTILE + FZ_NR_HOSTILE + 8)   /* then holes */
#define FZ_D2_GFNS    16
#define FZ_SPARE      8             /* d1 frames a p2m change may map */
#define FZ_MAX_OPS    256
#define FZ_MAX_ROOTS  64            /* root GPAs operations may name again */
#define FZ_DEEP_EVERY 16

/* The harness's own loops are not what the fuzzer should steer by. */
#define NO_COV __attribute__((no_sanitize("coverage")))

#define CHECK(c) do { if ( !(c) ) { fprintf(stderr, "fuzz_gtt: op %u: check " \
                      "failed: %s (line %d)\n", fz.op, #c, __LINE__); \
                      abort(); } } while ( 0 )

enum {
    OP_GGTT_WRITE,
    OP_PVINFO_WRITE,
    OP_STORE,
    OP_CREATE,
    OP_DESTROY,
    OP_PIN,
    OP_UNPIN,
    OP_LOOKUP,
    OP_SYNC,
    OP_XLATE_GGTT,
    OP_XLATE_PPGTT,
    OP_RESET,
    OP_FAIL,
    OP_P2M,
    OP_BAR0_WRITE,
    OP_READ,
    OP_NR
};

/* The machine: built once, put back as it was after every input. */
struct machine {
    bool built;
    struct fake_gpu *gpu;
    struct gtt_hw hw;
    struct gtt_device dev;
    struct domain *d1, *d2;
    unsigned long base, d2_base, spare, mfn_lo, mfn_hi;
    unsigned long mfn0[FZ_GFNS];    /* d1's frame per gfn as built */
    p2m_type_t type0[FZ_GFNS];      /* d1's p2m types as built */
    uint64_t ggtt0[FZ_GGTT];        /* physical GGTT before any vGPU */
    uint32_t *expect;               /* references per host frame - mfn_lo */
    unsigned long *counted;         /* the frames expect counts, */
    unsigned long nr_counted;       /* (each once) */
    long xm0, pages0, domheap0;
};

/* One input's run. */
struct fz {
    const uint8_t *data;
    size_t size, pos;
    unsigned int op;
    struct gtt_vgpu *v;
    unsigned int quota;
    unsigned long mfn[FZ_GFNS];     /* d1's frame per gfn (0: none) */
    bool remapped[FZ_GFNS];         /* p2m changed since the input began */
    uint64_t roots[FZ_MAX_ROOTS];
    unsigned int nr_roots;
    bool trace;                     /* FUZZ_GTT_TRACE set: ops on stderr */
};

static struct machine m;
static struct fz fz;

/* ---- Input ------------------------------------------------------------ */

static uint8_t get8(void)
{
    return fz.pos < fz.size ? fz.data[fz.pos++] : 0;
}

static uint16_t get16(void)
{
    uint16_t v = get8();

    return v | (uint16_t)get8() << 8;
}

static uint64_t get64(void)
{
    uint64_t v = 0;
    unsigned int i;

    for ( i = 0; i < 8; i++ )
        v |= (uint64_t)get8() << (8 * i);

    return v;
}

static uint64_t gfn_of(uint8_t sel)
{
    static const uint64_t absurd[8] = {
        0xfffffffffULL, 0x7ffffffULL, 1ULL << 35, 0x3ffffffffULL,
        FAKE_XEN_MFN_BASE, FAKE_MAX_MFN, 0xffffffffULL, 0x1ffffffffULL,
    };

    if ( sel < 0xc0 )
        return sel;
    if ( sel < 0xe0 )
        return 0x200 + (sel - 0xc0);
    if ( sel < 0xf0 )
        return FZ_HOSTILE + (sel - 0xe0);
    if ( sel < 0xf8 )
        return FZ_GFNS + (sel - 0xf0) * 0x101;

    return absurd[sel - 0xf8];
}

/* A PPGTT entry naming the selected frame, flags from a byte. */
static uint64_t ppgtt_entry(uint8_t sel, uint8_t fl)
{
    uint64_t e = gfn_of(sel) << GTT_PAGE_SHIFT;

    e |= fl & 1 ? PPGTT_PRESENT : 0;
    e |= fl & 2 ? PPGTT_RW : 0;
    e |= fl & 4 ? PPGTT_PS : 0;
    e |= fl & 8 ? PPGTT_IPS : 0;
    e |= fl & 0x10 ? PPGTT_PWT | PPGTT_PCD : 0;
    e |= fl & 0x20 ? PPGTT_PAT_LARGE : 0;
    e |= fl & 0x40 ? (1ULL << 63) | (1ULL << 52) : 0;
    if ( fl & 0x80 )
        e ^= (uint64_t)(fl & 0x70) << 5;      /* bits 11:9 (9, 10 ignored) */

    return e;
}

static void remember_root(uint64_t gpa)
{
    unsigned int i;

    for ( i = 0; i < fz.nr_roots; i++ )
        if ( fz.roots[i] == gpa )
            return;
    if ( fz.nr_roots < FZ_MAX_ROOTS )
        fz.roots[fz.nr_roots++] = gpa;
}

/* ---- Machine ---------------------------------------------------------- */

static NO_COV void map_d1(unsigned long gfn, unsigned long mfn,
                          p2m_type_t t, struct domain *owner)
{
    CHECK(!fake_p2m_set(m.d1, gfn, mfn, t, owner));
    fz.mfn[gfn] = p2m_is_mmio(t) || p2m_is_paging(t) || t == p2m_invalid
                  ? 0 : mfn;
}

/* Per input: a vGPU of d1 configured by the input's first byte. */
static NO_COV void vgpu_create(uint8_t cfgb)
{
    struct gtt_vgpu_config cfg;

    host_alloc_stats.fail_after = -1;
    memcpy(fz.mfn, m.mfn0, sizeof(fz.mfn));
    memset(&cfg, 0, sizeof(cfg));
    cfg.d = m.d1;
    cfg.id = 1;
    cfg.aperture_base = 0;
    cfg.aperture_size = FZ_AP_SIZE;
    cfg.hidden_base = FZ_HID_BASE;
    cfg.hidden_size = FZ_HID_SIZE;
    cfg.shadow_quota = cfgb & 31 ? 2 + (cfgb & 31) : 0;
    cfg.oos = cfgb & 0x20;
    cfg.oos_threshold = 1 + (cfgb >> 6);
    CHECK(!gtt_vgpu_create(&m.dev, &cfg, &fz.v));
    fz.quota = fz.v->ppgtt.quota;
    fz.nr_roots = 0;
}

/*
 * Once: the domains, their p2m and the GPU with the device.  Every input
 * leaves them as built (teardown() checks, machine_rewind() puts back).
 */
static NO_COV void machine_build(void)
{
    unsigned long g, x;

    host_alloc_stats.fail_after = -1;
    fake_p2m_reset();
    m.d1 = fake_domain_create(1, FZ_GFNS);
    m.d2 = fake_domain_create(2, FZ_D2_GFNS);
    CHECK(m.d1 && m.d2);
    /* From a 2M-aligned frame (those below it stay unused). */
    m.base = (fake_guest_mfns(FZ_RAM + 0x1ff) + 0x1ff) & ~0x1ffUL;
    CHECK(m.base);
    m.mfn_lo = m.base;
    for ( g = 0; g < FZ_RAM; g++ )
        map_d1(g, m.base + g, p2m_ram_rw, NULL);
    m.d2_base = fake_guest_mfns(FZ_D2_GFNS);
    for ( g = 0; g < FZ_D2_GFNS; g++ )
        CHECK(!fake_p2m_set(m.d2, g, m.d2_base + g, p2m_ram_rw, NULL));
    m.spare = fake_guest_mfns(FZ_SPARE);
    for ( g = 0; g < FZ_SPARE; g++ )
    {
        /* d1's, mapped nowhere yet (as after a balloon-out). */
        CHECK(!fake_p2m_set(m.d1, FZ_GFNS - 1, m.spare + g, p2m_ram_rw,
                            NULL));
        CHECK(!fake_p2m_set(m.d1, FZ_GFNS - 1, 0, p2m_invalid, NULL));
    }
    x = fake_guest_mfns(3);
    g = FZ_HOSTILE;
    map_d1(g++, 0, p2m_mmio_direct, NULL);
    map_d1(g++, 0, p2m_mmio_dm, NULL);
    map_d1(g++, m.d2_base + 0, p2m_grant_map_rw, m.d2);
    map_d1(g++, m.d2_base + 1, p2m_grant_map_ro, m.d2);
    map_d1(g++, m.d2_base + 2, p2m_map_foreign, m.d2);
    map_d1(g++, 0, p2m_ram_paged, NULL);
    map_d1(g++, 0, p2m_ram_paging_out, NULL);
    map_d1(g++, m.d2_base + 3, p2m_ram_shared, dom_cow);
    map_d1(g++, 0, p2m_invalid, NULL);
    map_d1(g++, m.d2_base + 4, p2m_ram_rw, m.d2);    /* d2's page as RAM */
    map_d1(g++, x, p2m_ram_rw, dom_xen);               /* Xen's page */
    map_d1(g++, x + 1, p2m_ram_ro, NULL);
    map_d1(g++, m.base + 5, p2m_ram_rw, NULL);        /* an alias of gfn 5 */
    map_d1(g++, 0, p2m_populate_on_demand, NULL);
    map_d1(g++, m.d2_base + 5, p2m_ram_logdirty, NULL);  /* now d1's */
    map_d1(g++, x + 2, p2m_ram_broken, NULL);
    m.mfn_hi = fake_guest_mfns(1);
    memcpy(m.mfn0, fz.mfn, sizeof(m.mfn0));
    for ( g = 0; g < FZ_GFNS; g++ )
        m.type0[g] = fake_p2m_type(m.d1, g);

    m.gpu = fake_gpu_create(FZ_GGTT);
    CHECK(m.gpu);
    m.hw.gsm = m.gpu->gsm;
    m.hw.mmio = m.gpu->mmio;
    CHECK(!gtt_device_init(&m.dev, FZ_GGTT, &m.hw));
    /* As every input leaves it: slices released to the device's scratch. */
    vgpu_create(0);
    gtt_vgpu_destroy(fz.v);
    memcpy(m.ggtt0, m.gpu->gsm, sizeof(m.ggtt0));
    m.expect = calloc(m.mfn_hi - m.mfn_lo, sizeof(*m.expect));
    m.counted = calloc(m.mfn_hi - m.mfn_lo, sizeof(*m.counted));
    CHECK(m.expect && m.counted);
    fake_p2m_mark();
    m.xm0 = host_alloc_stats.xmalloc_live;
    m.pages0 = host_alloc_stats.pages_live;
    m.domheap0 = fake_domheap_live();
    m.built = true;
}

/* ---- Invariants ------------------------------------------------------- */

/* The vGPU's slices, as configured (not as the engine says). */
static NO_COV bool in_slices(uint64_t index)
{
    return index < FZ_AP_SIZE / PAGE_SIZE ||
           (index >= FZ_HID_BASE / PAGE_SIZE &&
            index < (FZ_HID_BASE + FZ_HID_SIZE) / PAGE_SIZE);
}

/* A frame the GPU may reach through the vGPU: d1's own. */
static NO_COV void check_d1_frame(unsigned long mfn)
{
    const struct page_info *pg = fake_frame(mfn);

    CHECK(pg);
    CHECK(page_get_owner(pg) == m.d1);
    CHECK(mfn >= m.mfn_lo && mfn < m.mfn_hi);
}

static void check_xlate(int rc, const struct gtt_xlate *x)
{
    CHECK(rc >= GTT_OK && rc < GTT_ERR_NR);
    if ( rc != GTT_OK || x->scratch )
        return;
    CHECK(x->domain == m.d1->domain_id);
    check_d1_frame(x->mfn);
    CHECK(x->gfn < FZ_GFNS);
}

static NO_COV void count_ref(void *arg, unsigned long mfn, bool table)
{
    (void)arg;
    (void)table;
    check_d1_frame(mfn);
    if ( !m.expect[mfn - m.mfn_lo]++ )
        m.counted[m.nr_counted++] = mfn;
}

static NO_COV void check_cheap(void)
{
    struct gtt_stats st;

    CHECK(fake_put_violations() == 0);
    gtt_vgpu_stats(fz.v, &st);
    CHECK(st.refs_held == fz.v->refs.held);
    CHECK((long)st.refs_held == fake_refs_total());
    CHECK(st.shadow_pages <= fz.quota);
}

/*
 * Physical GGTT entry index of the vGPU's slices: scratch or a frame of d1
 * (counted in expect when counting).
 */
static NO_COV void check_ggtt_entry(uint64_t index, bool counting)
{
    uint64_t pte = ((const uint64_t *)m.gpu->gsm)[index];
    unsigned long mfn = (pte & FAKE_GPU_PTE_ADDR) >> GTT_PAGE_SHIFT;

    if ( !(pte & FAKE_GPU_PTE_PRESENT) || mfn == m.dev.scratch_mfn ||
         mfn == fz.v->ggtt.scratch_mfn )
        return;
    if ( counting )
        count_ref(NULL, mfn, false);
    else
        check_d1_frame(mfn);
}

/* Physical GGTT entries [first, end): as before any vGPU. */
static NO_COV void check_ggtt_untouched(uint64_t first, uint64_t end)
{
    const uint64_t *gsm = m.gpu->gsm;

    CHECK(!memcmp(gsm + first, m.ggtt0 + first, (end - first) * 8));
}

/*
 * A frame is claimed by the write-protect handler exactly when the p2m has
 * it protected: every protected gfn is claimed, every claiming slot of the
 * engine's table names a protected gfn.
 */
static NO_COV void check_wp(void)
{
    const struct ppgtt_wp_slot *slot = fz.v->ppgtt.wp;
    unsigned int i, nr = slot ? fz.v->ppgtt.wp_mask + 1 : 0;
    unsigned long g;

    for ( g = 0; g < FZ_GFNS; g++ )
        if ( fake_p2m_type(m.d1, g) == p2m_ioreq_server )
            CHECK(gtt_wp_claims(fz.v, g));
    for ( i = 0; i < nr; i++ )
    {
        uint64_t w = slot[i].w;

        if ( !(w & PPGTT_WP_PROTECT) )
            continue;
        CHECK(w & PPGTT_WP_KEY_MASK);
        g = (w & PPGTT_WP_KEY_MASK) - 1;
        CHECK(g < FZ_GFNS && fake_p2m_type(m.d1, g) == p2m_ioreq_server);
        CHECK(gtt_wp_claims(fz.v, g));
    }
}

/*
 * The references on each host frame equal the shadow entries, GGTT entries
 * and deferred drops naming it: on each frame counted, and in total (so,
 * counts being positive, none on any other frame).
 */
static NO_COV void check_deep(void)
{
    unsigned long mfn, total = 0;
    uint64_t i;

    check_cheap();
    for ( i = 0; i < m.nr_counted; i++ )
        m.expect[m.counted[i] - m.mfn_lo] = 0;
    m.nr_counted = 0;
    check_ggtt_untouched(FZ_AP_SIZE / PAGE_SIZE, FZ_HID_BASE / PAGE_SIZE);
    check_ggtt_untouched((FZ_HID_BASE + FZ_HID_SIZE) / PAGE_SIZE, FZ_GGTT);
    for ( i = 0; i < FZ_AP_SIZE / PAGE_SIZE; i++ )
        check_ggtt_entry(i, true);
    for ( i = FZ_HID_BASE / PAGE_SIZE;
          i < (FZ_HID_BASE + FZ_HID_SIZE) / PAGE_SIZE; i++ )
        check_ggtt_entry(i, true);
    gtt_ppgtt_for_each_ref(fz.v, count_ref, NULL);
    for ( i = 0; i < fz.v->refs.deferred.nr; i++ )
        count_ref(NULL, fz.v->refs.deferred.frames[i].mfn, false);
    for ( i = 0; i < m.nr_counted; i++ )
    {
        mfn = m.counted[i];
        if ( fake_page_refs(mfn) != (long)m.expect[mfn - m.mfn_lo] )
            fprintf(stderr, "fuzz_gtt: mfn %#lx: %ld references, %u "
                    "expected\n", mfn, fake_page_refs(mfn),
                    m.expect[mfn - m.mfn_lo]);
        CHECK(fake_page_refs(mfn) == (long)m.expect[mfn - m.mfn_lo]);
        total += m.expect[mfn - m.mfn_lo];
    }
    CHECK(fake_refs_total() == (long)total);
    check_wp();
    /* Every guest table shadowed is write-protected or out of sync. */
    for ( i = 0; i < PPGTT_HASH_BUCKETS; i++ )
    {
        const struct gtt_spt *s;

        for ( s = ppgtt_spt_at(&fz.v->ppgtt, fz.v->ppgtt.hash[i]); s;
              s = ppgtt_spt_at(&fz.v->ppgtt, s->hnext) )
            if ( s->tracked )
                CHECK(s->oos || (s->gfn < FZ_GFNS &&
                                 fake_p2m_type(m.d1, s->gfn) ==
                                 p2m_ioreq_server));
    }
}

/* ---- Operations ------------------------------------------------------- */

static void op_ggtt_write(void)
{
    uint16_t idx = get16();
    uint8_t how = get8(), sel = get8(), fl = get8();
    uint64_t index, val, before = 0;
    int rc;

    index = idx < 0xff00 ? idx % (FZ_GGTT + 64) : ~0ULL - (idx & 0xff);
    val = (gfn_of(sel) << GTT_PAGE_SHIFT) | (fl & 1);
    if ( fl & 2 )
        val |= (uint64_t)fl << 56 | (fl & 0xf0) << 4;     /* stray bits */
    if ( index < FZ_GGTT )
        before = fake_gpu_ggtt(index);
    if ( how & 1 )
        rc = gtt_ggtt_write(fz.v, index, how & 2 ? 4 : 0, 4,
                            how & 2 ? val >> 32 : (uint32_t)val);
    else if ( how & 2 )
        rc = gtt_ggtt_write(fz.v, index, how & 4, (how >> 2) & 7, val);
    else
        rc = gtt_ggtt_write(fz.v, index, 0, 8, val);
    CHECK(rc >= GTT_OK && rc < GTT_ERR_NR);
    if ( !in_slices(index) )
    {
        CHECK(rc == GTT_ERR_OUTSIDE_SLICE || rc == GTT_ERR_BAD_ACCESS);
        if ( index < FZ_GGTT )
            CHECK(fake_gpu_ggtt(index) == before);
    }
    else
        check_ggtt_entry(index, false);
}

static void op_pvinfo_write(void)
{
    static const unsigned int offs[] = {
        PVINFO_G2V_NOTIFY, PVINFO_PDP, PVINFO_PDP + 4, PVINFO_PDP + 8,
        PVINFO_PDP + 16, PVINFO_PDP + 24, PVINFO_PDP + 12, PVINFO_PDP + 20,
        PVINFO_PDP + 28, PVINFO_DISPLAY_READY, PVINFO_RSV5,
        PVINFO_CURSOR_X_HOT, PVINFO_EXECLIST_DESC, PVINFO_MAGIC,
        PVINFO_VGT_ID, PVINFO_AP_BASE,
    };
    uint8_t which = get8(), sel = get8(), how = get8();
    unsigned int off, size = 4;
    uint64_t val;
    int rc;

    if ( which < 0xe0 )
        off = offs[which % ARRAY_SIZE(offs)];
    else
        off = (which & 0x1f) * 0x83;            /* anything, misaligned */
    if ( off == PVINFO_G2V_NOTIFY )
        val = how < 0xf0 ? 2 + how % 6 : how;
    else if ( off >= PVINFO_PDP && off < PVINFO_PDP_END && !(off & 4) )
    {
        val = gfn_of(sel) << GTT_PAGE_SHIFT;
        if ( how & 0x80 )
            val |= how & 0x7f;                  /* low bits set */
        if ( how & 0x40 )
            size = 8;                           /* lo and hi at once */
        else
            val = (uint32_t)val;
        remember_root(val);
    }
    else if ( off >= PVINFO_PDP && off < PVINFO_PDP_END )
        val = how & 0x80 ? how : 0;             /* hi half */
    else
        val = (uint64_t)how * 0x01010101u;
    if ( how == 0x3f )
        size = 2;
    rc = gtt_pvinfo_write(fz.v, off, size, val);
    CHECK(rc >= GTT_OK && rc < GTT_ERR_NR);
}

/* A guest CPU store: trapped when the engine protects the frame. */
static int guest_store(uint64_t gpa, unsigned int size, uint64_t val)
{
    unsigned long gfn = gpa >> GTT_PAGE_SHIFT;
    unsigned int off = gpa & (PAGE_SIZE - 1);
    uint8_t *p;
    p2m_type_t t;

    if ( gfn >= FZ_GFNS )
        return -1;
    t = fake_p2m_type(m.d1, gfn);
    if ( t == p2m_ioreq_server )
    {
        CHECK(gtt_wp_claims(fz.v, gfn));
        return gtt_wp_write(fz.v, gpa, size, val);
    }
    CHECK(!gtt_wp_claims(fz.v, gfn));
    if ( !fz.mfn[gfn] || off + size > PAGE_SIZE ||
         !(t == p2m_ram_rw || t == p2m_ram_logdirty) ||
         page_get_owner(fake_frame(fz.mfn[gfn])) != m.d1 )
        return -1;
    p = map_domain_page(_mfn(fz.mfn[gfn]));
    memcpy(p + off, &val, size);
    unmap_domain_page(p);

    return GTT_OK;
}

static void op_store(void)
{
    uint8_t tsel = get8(), how = get8(), sel = get8(), fl = get8();
    uint16_t slot = get16() % PPGTT_ENTRIES;
    uint64_t gpa = (gfn_of(tsel) << GTT_PAGE_SHIFT) + slot * 8;
    uint64_t e = ppgtt_entry(sel, fl);
    int rc;

    switch ( how & 7 )
    {
    case 0:     /* one half */
        rc = guest_store(gpa + (how & 8 ? 4 : 0), 4,
                         how & 8 ? e >> 32 : (uint32_t)e);
        break;
    case 1:     /* both halves, one after the other */
        rc = guest_store(gpa, 4, (uint32_t)e);
        if ( rc == GTT_OK )
            rc = guest_store(gpa + 4, 4, e >> 32);
        break;
    case 2:     /* odd size or alignment */
        rc = guest_store(gpa + (how >> 4), 1 + ((how >> 3) & 1), e);
        break;
    case 3:     /* a run of entries */
    {
        unsigned int i, n = 1 + (how >> 4);

        rc = GTT_OK;
        for ( i = 0; i < n && slot + i < PPGTT_ENTRIES && rc == GTT_OK; i++ )
            rc = guest_store(gpa + i * 8, 8,
                             e + ((uint64_t)i << GTT_PAGE_SHIFT));
        break;
    }
    default:
        rc = guest_store(gpa, 8, e);
        break;
    }
    CHECK(rc == -1 || (rc >= GTT_OK && rc < GTT_ERR_NR));
}

static void op_create(void)
{
    uint8_t how = get8();
    uint64_t gpas[4] = { 0 };
    unsigned int i;
    int rc;

    for ( i = 0; i < 4; i++ )
    {
        uint8_t sel = get8();

        if ( !i || (how >> (1 + i)) & 1 )
            gpas[i] = gfn_of(sel) << GTT_PAGE_SHIFT;
    }
    if ( how & 0x40 )
        gpas[0] |= 0x8;                         /* not page aligned */
    remember_root(gpas[0]);
    rc = gtt_ppgtt_create(fz.v, how & 1 ? GTT_ROOT_L3 : GTT_ROOT_L4, gpas);
    CHECK(rc >= GTT_OK && rc < GTT_ERR_NR);
}

static uint64_t root_arg(void)
{
    uint8_t sel = get8();

    /* Mostly a root seen before. */
    if ( fz.nr_roots && sel < 0x80 )
        return fz.roots[sel % fz.nr_roots];

    return gfn_of(sel) << GTT_PAGE_SHIFT;
}

static void op_root(unsigned int op)
{
    uint64_t root = root_arg(), sh[4], pdps[4];
    unsigned int level;
    struct gtt_stats before, after;
    int rc;

    switch ( op )
    {
    case OP_DESTROY:
        rc = gtt_ppgtt_destroy(fz.v, root);
        break;
    case OP_PIN:
        memset(sh, 0, sizeof(sh));
        rc = gtt_ppgtt_pin(fz.v, root, sh);
        if ( rc == GTT_OK )
        {
            CHECK(sh[0] >> GTT_PAGE_SHIFT >= FAKE_XEN_MFN_BASE);
            CHECK(gtt_ppgtt_lookup(fz.v, root, &level, pdps) == GTT_OK);
        }
        break;
    case OP_UNPIN:
        rc = gtt_ppgtt_unpin(fz.v, root);
        break;
    default:
        gtt_vgpu_stats(fz.v, &before);
        rc = gtt_ppgtt_lookup(fz.v, root, &level, pdps);
        gtt_vgpu_stats(fz.v, &after);
        CHECK(!memcmp(&before, &after, sizeof(before)));
        if ( rc == GTT_OK )
        {
            CHECK(level == GTT_ROOT_L3 || level == GTT_ROOT_L4);
            CHECK(pdps[0] == root);
            if ( level == GTT_ROOT_L4 )
                CHECK(!pdps[1] && !pdps[2] && !pdps[3]);
        }
        break;
    }
    CHECK(rc >= GTT_OK && rc < GTT_ERR_NR);
}

/*
 * gtt_sync(); when it succeeds, the GPU may run: nothing is left pending,
 * no dropped reference or changed GGTT entry awaits a TLB invalidation.
 */
static int do_sync(void)
{
    int rc = gtt_sync(fz.v);

    CHECK(rc >= GTT_OK && rc < GTT_ERR_NR);
    if ( rc == GTT_OK )
    {
        /* Lost pending tables fail the sync (test_fuzz_findings.c). */
        CHECK(fz.v->ppgtt.nr_pend == 0 && !fz.v->ppgtt.pend_lost);
        CHECK(fz.v->refs.deferred.nr == 0);
        CHECK(fake_gpu_dirty_entries() == 0);
    }

    return rc;
}

/*
 * The guest's own walk of its tables (4K pages only): 1 and the gfn gaddr
 * maps to, 0 when an entry on the way is not present, -1 when this walk
 * cannot tell (a huge or 64K entry, a table frame that is not plain RAM of
 * d1 or whose p2m entry changed, an address past the tables).
 */
static int guest_walk(uint64_t root, unsigned int level, const uint64_t *pdps,
                      uint64_t gaddr, uint64_t *gfn)
{
    unsigned int lvl = level == GTT_ROOT_L4 ? 4 : 2;
    uint64_t table = level == GTT_ROOT_L4 ? root : pdps[(gaddr >> 30) & 3];

    if ( level == GTT_ROOT_L3 && !table )
        return 0;
    for ( ; ; lvl-- )
    {
        uint64_t tgfn = table >> GTT_PAGE_SHIFT, e;
        const uint64_t *t;

        if ( (table & (PAGE_SIZE - 1)) || tgfn >= FZ_GFNS ||
             !fz.mfn[tgfn] || fz.remapped[tgfn] ||
             page_get_owner(fake_frame(fz.mfn[tgfn])) != m.d1 )
            return -1;
        t = map_domain_page(_mfn(fz.mfn[tgfn]));
        e = t[(gaddr >> (12 + 9 * (lvl - 1))) & (PPGTT_ENTRIES - 1)];
        unmap_domain_page(t);
        if ( !(e & PPGTT_PRESENT) )
            return 0;
        if ( lvl > 1 && (e & PPGTT_PS) && lvl < 4 )
            return -1;
        if ( lvl == 2 && (e & PPGTT_IPS) )
            return -1;
        if ( lvl == 1 )
        {
            *gfn = (e & PPGTT_ADDR_MASK) >> GTT_PAGE_SHIFT;
            return 1;
        }
        table = e & PPGTT_ADDR_MASK;
    }
}

/*
 * A translation that the guest's walk says ends at gfn: the frame the p2m
 * maps there (unless that p2m entry changed since the machine began),
 * reported under the gfn the M2P says the frame backs (the other gfn of an
 * alias), else under gfn.
 */
static void check_walk_frame(const struct gtt_xlate *x, uint64_t gfn)
{
    unsigned long m2p = get_gpfn_from_mfn(x->mfn);

    if ( gfn < FZ_GFNS && !fz.remapped[gfn] )
        CHECK(x->mfn == fz.mfn[gfn]);
    CHECK(x->gfn == (m2p != INVALID_M2P_ENTRY ? m2p : gfn));
}

static void op_xlate_ggtt(void)
{
    uint64_t gaddr = ((uint64_t)get16() << GTT_PAGE_SHIFT) | (get8() << 4);
    struct gtt_xlate x;

    memset(&x, 0xa5, sizeof(x));
    check_xlate(gtt_translate_ggtt(fz.v, gaddr, &x), &x);
}

static void op_xlate_ppgtt(void)
{
    uint64_t root = root_arg();
    uint8_t a[4], how = get8();
    uint64_t gaddr, gfn, pdps[4];
    unsigned int level;
    struct gtt_xlate x;
    unsigned int i;
    int rc, want;

    for ( i = 0; i < 4; i++ )
        a[i] = get8();
    /* Slots 0..15 and 64K/2M/1G strides at each level, low bits. */
    gaddr = ((uint64_t)(a[0] & 0x1f) << 39) | ((uint64_t)(a[1] & 0x1f) << 30) |
            ((uint64_t)(a[2] & 0x1f) << 21) | ((uint64_t)(a[3] & 0x1f) << 12) |
            ((uint64_t)(a[3] >> 5) << 16) | ((uint64_t)(a[0] >> 5) << 5);
    if ( (how & 1) && do_sync() == GTT_OK &&
         gtt_ppgtt_lookup(fz.v, root, &level, pdps) == GTT_OK )
    {
        /* Synced: the shadow is what the guest's tables say now. */
        want = guest_walk(root, level, pdps, gaddr, &gfn);
        memset(&x, 0xa5, sizeof(x));
        rc = gtt_translate_ppgtt(fz.v, root, gaddr, &x);
        check_xlate(rc, &x);
        if ( rc == GTT_OK && want == 0 )
            CHECK(x.scratch);
        if ( rc == GTT_OK && want == 1 && !x.scratch )
            check_walk_frame(&x, gfn);
        return;
    }
    memset(&x, 0xa5, sizeof(x));
    check_xlate(gtt_translate_ppgtt(fz.v, root, gaddr, &x), &x);
}

static void op_p2m(void)
{
    uint8_t sel = get8(), how = get8();
    unsigned long gfn = 0x40 + sel % (FZ_RAM - 0x40);

    /* Only unprotected frames: a protected one's type is the engine's. */
    if ( fake_p2m_type(m.d1, gfn) == p2m_ioreq_server )
        return;
    fz.remapped[gfn] = true;
    switch ( how & 3 )
    {
    case 0:
        map_d1(gfn, 0, how & 4 ? p2m_mmio_direct : p2m_invalid, NULL);
        break;
    case 1:
        map_d1(gfn, m.spare + (how >> 2) % FZ_SPARE, p2m_ram_rw, NULL);
        break;
    case 2:
        map_d1(gfn, m.d2_base + 6 + (how >> 2) % 4, p2m_grant_map_rw, m.d2);
        break;
    default:
        map_d1(gfn, m.base + gfn, p2m_ram_rw, NULL);
        break;
    }
}

static void op_bar0_write(void)
{
    uint32_t off = get16() | (uint32_t)get8() << 16;
    uint8_t how = get8();
    uint64_t val = get64();
    static const unsigned int sizes[] = { 4, 8, 4, 8, 1, 2, 3, 0 };
    int rc;

    if ( how & 0x80 )
        off = GTT_GGTT_OFFSET + (off % ((FZ_GGTT + 16) * 8));
    else if ( how & 0x40 )
        off = GTT_PVINFO_OFFSET + (off % (GTT_PVINFO_SIZE + 16));
    rc = gtt_bar0_write(fz.v, off, sizes[how & 7], val);
    CHECK(rc >= GTT_OK && rc < GTT_ERR_NR);
    if ( off >= GTT_GGTT_OFFSET &&
         (off - GTT_GGTT_OFFSET) / GTT_ENTRY_SIZE < FZ_GGTT &&
         in_slices((off - GTT_GGTT_OFFSET) / GTT_ENTRY_SIZE) )
        check_ggtt_entry((off - GTT_GGTT_OFFSET) / GTT_ENTRY_SIZE, false);
}

static void op_read(void)
{
    uint16_t idx = get16();
    uint8_t how = get8();
    uint64_t val;
    int rc;

    switch ( how & 3 )
    {
    case 0:
        rc = gtt_ggtt_read(fz.v, idx % (FZ_GGTT + 64), how & 4, 4 << (how & 1),
                           &val);
        break;
    case 1:
        rc = gtt_pvinfo_read(fz.v, idx % (GTT_PVINFO_SIZE + 8), 4, &val);
        break;
    default:
        rc = gtt_bar0_read(fz.v, (uint64_t)idx << (how >> 4), 4 << (how & 1),
                           &val);
        break;
    }
    CHECK(rc >= GTT_OK && rc < GTT_ERR_NR);
}

static const char *const op_names[OP_NR] = {
    "ggtt-write", "pvinfo-write", "store", "create", "destroy", "pin",
    "unpin", "lookup", "sync", "xlate-ggtt", "xlate-ppgtt", "reset", "fail",
    "p2m", "bar0-write", "read",
};

static bool run_op(void)
{
    size_t start = fz.pos + 1;
    unsigned int op = get8() % OP_NR;
    bool deep = false;
    uint8_t n;

    if ( fz.trace )
        fprintf(stderr, "fuzz_gtt: op %u: %s", fz.op, op_names[op]);

    switch ( op )
    {
    case OP_GGTT_WRITE:
        op_ggtt_write();
        break;
    case OP_PVINFO_WRITE:
        op_pvinfo_write();
        break;
    case OP_STORE:
        op_store();
        break;
    case OP_CREATE:
        op_create();
        break;
    case OP_DESTROY:
    case OP_PIN:
    case OP_UNPIN:
    case OP_LOOKUP:
        op_root(op);
        deep = op == OP_DESTROY;
        break;
    case OP_SYNC:
        do_sync();
        deep = true;
        break;
    case OP_XLATE_GGTT:
        op_xlate_ggtt();
        break;
    case OP_XLATE_PPGTT:
        op_xlate_ppgtt();
        break;
    case OP_RESET:
        gtt_vgpu_reset(fz.v);
        deep = true;
        break;
    case OP_FAIL:
        n = get8();
        host_alloc_stats.fail_after = n < 0xc0 ? n % 24 : -1;
        break;
    case OP_P2M:
        op_p2m();
        break;
    case OP_BAR0_WRITE:
        op_bar0_write();
        break;
    default:
        op_read();
        break;
    }
    if ( fz.trace )
    {
        fprintf(stderr, " [");
        for ( ; start < fz.pos; start++ )
            fprintf(stderr, " %02x", fz.data[start]);
        fprintf(stderr, " ]\n");
    }

    return deep;
}

/* ---- Teardown --------------------------------------------------------- */

/* FUZZ_GTT_TRACE=1: what an input built, before teardown. */
static NO_COV void trace_stats(void)
{
    struct gtt_stats st;
    unsigned int r;

    gtt_vgpu_stats(fz.v, &st);
    fprintf(stderr, "fuzz_gtt: %u ops: %u address spaces, %u shadow pages, "
            "%lu refs, %llu writes trapped, %llu validated, refused:",
            fz.op, st.address_spaces, st.shadow_pages, st.refs_held,
            (unsigned long long)st.writes_trapped,
            (unsigned long long)st.entries_validated);
    for ( r = 1; r < GTT_ERR_NR; r++ )
        if ( st.refused[r] )
            fprintf(stderr, " %s %llu", gtt_reason_name(r),
                    (unsigned long long)st.refused[r]);
    fprintf(stderr, "\n");
}

static NO_COV void teardown(void)
{
    struct gtt_stats st;
    unsigned int i, n;

    if ( fz.trace )
        trace_stats();
    host_alloc_stats.fail_after = -1;
    /* Every address space the engine knows, by the name it knows it by. */
    for ( i = 0; i < 4096 && fz.v->ppgtt.lru_head; i++ )
    {
        uint64_t root = fz.v->ppgtt.lru_head->root_gpa[0];

        for ( n = 0; n < 4096 && gtt_ppgtt_unpin(fz.v, root) == GTT_OK; n++ )
            continue;
        for ( n = 0; n < 4096 && gtt_ppgtt_destroy(fz.v, root) == GTT_OK; n++ )
            continue;
        CHECK(!fz.v->ppgtt.lru_head ||
              fz.v->ppgtt.lru_head->root_gpa[0] != root);
    }
    CHECK(gtt_sync(fz.v) == GTT_OK);
    check_deep();
    gtt_vgpu_stats(fz.v, &st);
    CHECK(st.address_spaces == 0);
    CHECK(st.shadow_pages == 0);
    CHECK(fz.v->ppgtt.nr_oos == 0);

    gtt_vgpu_destroy(fz.v);
    CHECK(fake_refs_total() == 0);
    CHECK(fake_put_violations() == 0);
    CHECK(fake_gpu_dirty_entries() == 0);
    check_ggtt_untouched(0, FZ_GGTT);
    CHECK(fake_maps_live() == 0);
    CHECK(fake_domheap_live() == m.domheap0);
    CHECK(host_alloc_stats.xmalloc_live == m.xm0);
    CHECK(host_alloc_stats.pages_live == m.pages0);
}

/*
 * The machine as built again: d1's p2m entries the input changed, then
 * (the engine gone, nothing protected) every type as built; guest memory
 * and the engine's pages forgotten (fake_p2m_rewind()).
 */
static NO_COV void machine_rewind(void)
{
    unsigned long g;

    for ( g = 0; g < FZ_GFNS; g++ )
        if ( fz.remapped[g] )
            map_d1(g, m.mfn0[g], p2m_ram_rw, NULL);
    for ( g = 0; g < FZ_GFNS; g++ )
        CHECK(fake_p2m_type(m.d1, g) == m.type0[g]);
    fake_p2m_rewind();
}

/*
 * An input that has the engine shadow a 1G entry costs 262144 frame
 * validations (ppgtt_huge.c) and as many references to sweep, a hundred
 * times a typical input, and the fuzzer keeps finding such inputs new.
 * Unless told otherwise, libFuzzer mutates inputs less the longer they
 * run (-entropic_scale_per_exec_time=1): they stay in the corpus and are
 * still mutated, less often.
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static char scale[] = "-entropic_scale_per_exec_time=1";
    char **args;
    int i;

    host_printk_quiet = 1;
    for ( i = 1; i < *argc; i++ )
        if ( !strncmp((*argv)[i], scale, sizeof(scale) - 2) )
            return 0;
    args = calloc(*argc + 2, sizeof(*args));
    if ( !args )
        return 0;
    memcpy(args, *argv, *argc * sizeof(*args));
    args[(*argc)++] = scale;
    *argv = args;

    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned int since_deep = 0;

    if ( size < 1 )
        return 0;
    if ( !m.built )
        machine_build();
    memset(&fz, 0, sizeof(fz));
    fz.data = data;
    fz.size = size;
    fz.pos = 1;
    fz.trace = getenv("FUZZ_GTT_TRACE");
    vgpu_create(data[0]);

    for ( fz.op = 0; fz.op < FZ_MAX_OPS && fz.pos < fz.size; fz.op++ )
    {
        if ( run_op() || ++since_deep == FZ_DEEP_EVERY )
        {
            check_deep();
            since_deep = 0;
        }
        else
            check_cheap();
    }
    teardown();
    machine_rewind();

    return 0;
}
