/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every real driver submission of the corpus (TEST_DATA/corpus/manifest.txt)
 * is audited as a PPGTT batch on its engine and generation, and must be
 * accepted.
 */
#include <inttypes.h>

#include "harness.h"

#define MAX_SHOWN 20

static void test_corpus(void **state)
{
    FILE *f = corpus_open();
    struct corpus_entry e = { 0 };
    unsigned int accepted = 0, rejected = 0;

    (void)state;
    while ( corpus_next(f, &e) )
    {
        struct mem m;
        struct audit_run r;

        mem_init(&m);
        corpus_map(&e, &m);
        run_keep(&r, &m, e.gen, e.engine, NULL, GPU_SPACE_PPGTT, e.addr[0],
                 NULL);
        if ( !r.res.reason )
            accepted++;
        else if ( rejected++ < MAX_SHOWN )
        {
            const struct gpu_audit_verdict *v = gpu_audit_get_verdict(r.sub);

            print_message("corpus: line %u %s: %s in buffer %u at 0x%x "
                          "(gaddr 0x%" PRIx64 ", %s 0x%08x)\n", e.line,
                          e.file[0], gpu_audit_reason_name(v->reason),
                          v->buffer, v->offset, v->gaddr,
                          v->cmd ? v->cmd : "?", v->header);
        }
        /* Guest memory is read at most once unless a jump lands in a page
         * an earlier buffer already copied. */
        if ( gpu_audit_nr_bufs(r.sub) == 1 )
            assert_int_equal(mem_max_reads(&m), 1);
        run_done(&r);
        mem_free(&m);
    }
    fclose(f);

    print_message("corpus: %u submissions accepted, %u rejected\n", accepted,
                  rejected);
    assert_true(accepted > 3000);
    assert_int_equal(rejected, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus),
    };

    return cmocka_run_group_tests_name("corpus", tests, NULL, NULL);
}
