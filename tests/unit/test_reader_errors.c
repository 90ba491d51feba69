/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A guest-memory reader may fail with any -errno (its contract).  Whatever
 * the value and wherever it happens (the ring, a first-level batch, a
 * second-level batch, a context image; at every read and at every page
 * offset a buffer can start at), every gpu_audit_run() call stays within
 * its chunk budget, the failing read is the last one, and the verdict is
 * exactly XEN_GPU_AUDIT_READ_FAULT at the command that could not be read.
 *
 * A watchdog bounds the reader calls of one gpu_audit_run() call: past it
 * the reader reports the memory unmapped (which ends any audit) and the
 * test fails instead of hanging.
 */
#include "harness.h"
#include "ctx_image.h"

#define GEN        9
#define RCS        XEN_GPU_ENGINE_RCS
#define PAGE       4096u
#define RING       0x10000ull          /* GGTT, RING_PAGES pages */
#define RING_PAGES 2u
#define B1         0x100000ull         /* PPGTT, first level */
#define B2         0x200000ull         /* PPGTT, second level */
#define BATCH_SIZE (3 * PAGE)
#define LRCA       0x400000ull
#define LRCA_PAGES 32u
#define ERRNO_MAX  4095
#define CHUNK      PAGE
/*
 * Reads of one call: the pages of the bytes it scans, one more for the
 * command it stops in, and the first page of each buffer it enters.
 */
#define CALL_READS (CHUNK / PAGE + 1 + 3)
#define WATCHDOG   64

/* Ring: noops, a jump to B1, noops; the segment is RING_DWS long. */
#define RING_DWS   1280u
#define RING_JUMP  600u
/* B1: noops, a second-level jump to B2, noops, the end. */
#define B1_JUMP    1100u
#define B1_DWS     1304u
#define B2_DWS     1301u
#define BBS_DWS    3u                  /* MI_BATCH_BUFFER_START, Gen8+ */

struct failing_reader {
    struct mem *m;
    unsigned long fail_at;    /* index of the first failing read */
    int err;                  /* what it and every later read return */
    unsigned long calls;      /* reads so far */
    unsigned long call_reads; /* reads in the current gpu_audit_run() */
    unsigned long failed;     /* failing reads */
    uint64_t fail_addr;
    unsigned int fail_space;
    bool tripped;             /* the watchdog fired */
};

static int failing_read(void *priv, unsigned int space, uint64_t addr,
                        void *dst, unsigned int len)
{
    struct failing_reader *fr = priv;

    if ( ++fr->call_reads > WATCHDOG )
    {
        fr->tripped = true;
        return 0;
    }
    if ( fr->calls++ >= fr->fail_at )
    {
        if ( !fr->failed++ )
        {
            fr->fail_addr = addr;
            fr->fail_space = space;
        }
        return -fr->err;
    }

    return mem_ops.read(fr->m, space, addr, dst, len);
}

static const struct gpu_audit_mem_ops failing_ops = { .read = failing_read };

static struct mem m;

static int setup(void **state)
{
    (void)state;
    mem_init(&m);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    mem_free(&m);
    return 0;
}

/* Command starts: every dword but a jump's operands. */
static uint32_t cmd_start(uint32_t off, uint32_t jump_dw)
{
    uint32_t dw = off / 4;

    if ( dw > jump_dw && dw < jump_dw + BBS_DWS )
        dw = jump_dw;
    return dw * 4;
}

static void put_jump(unsigned int space, uint64_t at, uint64_t target,
                     bool second)
{
    mem_poke(&m, space, at, MI_BATCH_BUFFER_START | BB_PPGTT |
                            (second ? BB_SECOND_LEVEL : 0) | (BBS_DWS - 2));
    mem_poke(&m, space, at + 4, (uint32_t)target);
    mem_poke(&m, space, at + 8, (uint32_t)(target >> 32));
}

/* Buffers starting shift bytes into their first page. */
static void build(uint32_t shift, struct gpu_audit_ring *ring)
{
    uint32_t i;

    mem_free(&m);
    mem_init(&m);
    mem_add(&m, GPU_SPACE_GGTT, RING, RING_PAGES * PAGE);
    mem_add(&m, GPU_SPACE_PPGTT, B1, BATCH_SIZE);
    mem_add(&m, GPU_SPACE_PPGTT, B2, BATCH_SIZE);

    ring->start = RING;
    ring->size = RING_PAGES * PAGE;
    ring->head = shift;
    ring->tail = (shift + 4 * RING_DWS) % ring->size;
    /* The ring's jump is written dword by dword: it may wrap. */
    for ( i = 0; i < BBS_DWS; i++ )
    {
        uint32_t dw[BBS_DWS] = {
            MI_BATCH_BUFFER_START | BB_PPGTT | (BBS_DWS - 2),
            (uint32_t)(B1 + shift), (uint32_t)((B1 + shift) >> 32),
        };

        mem_poke(&m, GPU_SPACE_GGTT,
                 RING + (shift + 4 * (RING_JUMP + i)) % ring->size, dw[i]);
    }

    put_jump(GPU_SPACE_PPGTT, B1 + shift + 4 * B1_JUMP, B2 + shift, true);
    mem_poke(&m, GPU_SPACE_PPGTT, B1 + shift + 4 * (B1_DWS - 1),
             MI_BATCH_BUFFER_END);
    mem_poke(&m, GPU_SPACE_PPGTT, B2 + shift + 4 * (B2_DWS - 1),
             MI_BATCH_BUFFER_END);
}

/* Buffer and command offset the failing read at fr names. */
static void expected_fault(const struct failing_reader *fr, uint32_t shift,
                           uint32_t *buf, uint32_t *off)
{
    uint64_t a = fr->fail_addr;

    if ( fr->fail_space == GPU_SPACE_GGTT )
    {
        *buf = 0;
        *off = cmd_start((a - RING + RING_PAGES * PAGE - shift) %
                         (RING_PAGES * PAGE), RING_JUMP);
    }
    else if ( a >= B2 )
    {
        *buf = 2;
        *off = a - B2 - shift;
    }
    else
    {
        *buf = 1;
        *off = cmd_start(a - B1 - shift, B1_JUMP);
    }
}

struct outcome {
    uint32_t reason, buffer, offset;
    unsigned long reads;
};

/*
 * Audit the ring of build(shift) with reads from fail_at on returning -err:
 * every call within its budget, nothing leaked.
 */
static void run_failing(uint32_t shift, unsigned long fail_at, int err,
                        struct outcome *out)
{
    struct failing_reader fr = { .m = &m, .fail_at = fail_at, .err = err };
    struct gpu_audit_ring ring;
    struct gpu_audit_vgpu v;
    struct gpu_audit_sub *s;
    const struct gpu_audit_verdict *vd;
    long xmalloc0, pages0;
    unsigned int calls = 0;
    int rc;

    build(shift, &ring);
    table_for(GEN);           /* lives for the whole run: not counted */
    xmalloc0 = host_alloc_stats.xmalloc_live;
    pages0 = host_alloc_stats.pages_live;
    gpu_audit_vgpu_init(&v, table_for(GEN));
    assert_int_equal(gpu_audit_vgpu_add_slice(&v, 0, 0x10000000), 0);
    v.limits.chunk_bytes = CHUNK;
    s = gpu_audit_sub_create(&v, RCS, &failing_ops, &fr);
    assert_non_null(s);
    assert_int_equal(gpu_audit_sub_start_ring(s, &ring), 0);

    do {
        unsigned long pages = host_alloc_stats.pages_total;

        fr.call_reads = 0;
        rc = gpu_audit_run(s);
        if ( fr.tripped || fr.call_reads > CALL_READS ||
             host_alloc_stats.pages_total - pages > CALL_READS )
        {
            gpu_audit_sub_destroy(s);
            gpu_audit_vgpu_destroy(&v);
            fail_msg("shift %u, read %lu fails with -%d: one call made %lu "
                     "reads%s and took %lu pages (budget %u)", shift, fail_at,
                     err, fr.call_reads, fr.tripped ? " (watchdog)" : "",
                     host_alloc_stats.pages_total - pages, CALL_READS);
        }
        assert_true(++calls < 64);
    } while ( rc == -ERESTART );
    assert_int_equal(rc, 0);

    vd = gpu_audit_get_verdict(s);
    assert_non_null(vd);
    out->reason = vd->reason;
    out->buffer = vd->buffer;
    out->offset = vd->offset;
    out->reads = fr.calls;
    if ( fr.failed )
    {
        uint32_t buf, off;

        /* The failing read is the last one: nothing is retried. */
        assert_int_equal(fr.failed, 1);
        expected_fault(&fr, shift, &buf, &off);
        if ( vd->reason != XEN_GPU_AUDIT_READ_FAULT || vd->buffer != buf ||
             vd->offset != off )
        {
            gpu_audit_sub_destroy(s);
            gpu_audit_vgpu_destroy(&v);
            fail_msg("shift %u, read %lu fails with -%d: verdict %s buffer %u "
                     "offset %#x, expected read-fault buffer %u offset %#x",
                     shift, fail_at, err, gpu_audit_reason_name(out->reason),
                     out->buffer, out->offset, buf, off);
        }
    }
    gpu_audit_sub_destroy(s);
    gpu_audit_vgpu_destroy(&v);
    assert_int_equal(host_alloc_stats.xmalloc_live, xmalloc0);
    if ( host_alloc_stats.pages_live != pages0 )
        fail_msg("shift %u, read %lu fails with -%d: %ld pages leaked", shift,
                 fail_at, err, host_alloc_stats.pages_live - pages0);
}

/* Reads of a clean audit of build(shift); it is accepted. */
static unsigned long clean_reads(uint32_t shift)
{
    struct outcome o;

    run_failing(shift, ~0ul, 0, &o);
    assert_int_equal(o.reason, XEN_GPU_AUDIT_OK);
    /* Ring (two pages), B1 (two), B2 (two), at least. */
    assert_true(o.reads >= 6);

    return o.reads;
}

/* Every errno value at every read. */
static void test_every_errno_every_read(void **state)
{
    unsigned long reads = clean_reads(0), k;
    int e;

    (void)state;
    for ( e = 1; e <= ERRNO_MAX; e++ )
        for ( k = 0; k < reads; k++ )
        {
            struct outcome o;

            run_failing(0, k, e, &o);
            assert_int_equal(o.reason, XEN_GPU_AUDIT_READ_FAULT);
            assert_int_equal(o.reads, k + 1);
        }
}

/*
 * Every dword-pair offset the ring head and the batches may start at (so
 * every page offset a failing read starts at, the ring's wrap and jumps
 * across a page boundary included), with the errno values that mean
 * something to the auditor or bound the range.
 */
static void test_every_offset(void **state)
{
    static const int errs[] = {
        1, EPERM, ENOENT, EIO, ENOMEM, EFAULT, EINVAL, ENODATA, E2BIG,
        ERESTART, ENOSPC, EEXIST, EBUSY, ERRNO_MAX - 1, ERRNO_MAX,
    };
    uint32_t shift;

    (void)state;
    for ( shift = 0; shift < PAGE; shift += 8 )
    {
        unsigned long reads = clean_reads(shift), k;
        unsigned int i;

        for ( i = 0; i < ARRAY_SIZE(errs); i++ )
            for ( k = 0; k < reads; k++ )
            {
                struct outcome o;

                run_failing(shift, k, errs[i], &o);
                assert_int_equal(o.reason, XEN_GPU_AUDIT_READ_FAULT);
            }
    }
}

/* A context image: every errno at every page; one call reads it whole. */
static void test_context_image(void **state)
{
    struct gpu_audit_ctx_xen xen = { .levels = 4 };
    struct gpu_audit_vgpu v;
    struct gpu_audit_ctx_cache *c;
    int e;

    (void)state;
    mem_free(&m);
    mem_init(&m);
    mem_add(&m, GPU_SPACE_GGTT, LRCA, LRCA_PAGES * PAGE);
    gpu_audit_vgpu_init(&v, table_for(GEN));
    assert_int_equal(gpu_audit_vgpu_add_slice(&v, 0, 0x10000000), 0);
    c = gpu_audit_ctx_cache_create(&v, 0);
    assert_non_null(c);

    for ( e = 1; e <= ERRNO_MAX; e++ )
    {
        unsigned long k;

        for ( k = 0; ; k++ )
        {
            struct failing_reader fr = { .m = &m, .fail_at = k, .err = e };
            struct gpu_audit_ctx *x = gpu_audit_ctx_scan(c, RCS, LRCA,
                                                         &failing_ops, &fr,
                                                         &xen);
            const struct gpu_audit_ctx_verdict *vd;
            unsigned int pages;

            assert_non_null(x);
            pages = gpu_audit_ctx_nr_pages(x);
            assert_true(pages <= LRCA_PAGES);
            assert_int_equal(gpu_audit_ctx_run(x), 0);
            assert_false(fr.tripped);
            vd = gpu_audit_ctx_get_verdict(x);
            assert_non_null(vd);
            if ( k >= pages )
            {
                /* Read whole: the zero image is refused for itself. */
                assert_int_equal(fr.failed, 0);
                assert_int_not_equal(vd->reason, XEN_GPU_AUDIT_READ_FAULT);
                gpu_audit_ctx_put(x);
                break;
            }
            assert_int_equal(fr.failed, 1);
            assert_int_equal(fr.calls, k + 1);
            assert_int_equal(vd->reason, XEN_GPU_AUDIT_READ_FAULT);
            assert_int_equal(vd->part, GPU_CTX_PART_IMAGE);
            assert_int_equal(vd->offset, k * PAGE);
            gpu_audit_ctx_put(x);
        }
    }
    gpu_audit_ctx_cache_destroy(c);
    gpu_audit_vgpu_destroy(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_errno_every_read, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_every_offset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_context_image, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
