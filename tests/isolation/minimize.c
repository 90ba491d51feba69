/* SPDX-License-Identifier: GPL-2.0-only */
/* Isolation checker: replay and delta debugging (minimize.h). */
#include <stdlib.h>

#include "minimize.h"

uint64_t iso_replay(const struct iso_episode *e, const struct iso_op *ops,
                    unsigned int nr, struct gpu_check *chk,
                    struct iso_stats *st)
{
    struct iso_stats scratch;
    struct iso_machine *m;
    unsigned int i;

    gpu_check_init(chk, gpu_check_ref_spec(e->gen));
    m = iso_machine_create(e->gen, e->nr_vgpus, chk);
    if ( !m )
        exit(2);
    if ( !st )
    {
        memset(&scratch, 0, sizeof(scratch));
        st = &scratch;
    }
    for ( i = 0; i < nr; i++ )
        iso_machine_apply(m, &ops[i], st);
    iso_machine_destroy(m);
    st->episodes++;
    return chk->violations;
}

struct shrink {
    const struct iso_episode *e;
    unsigned int kind;
    unsigned int tests, max_tests;
    struct iso_op *tmp;              /* candidate (shallow copies) */
};

static bool shows(struct shrink *s, const struct iso_op *ops, unsigned int nr)
{
    struct gpu_check chk;

    if ( s->tests >= s->max_tests )
        return false;
    s->tests++;
    iso_replay(s->e, ops, nr, &chk, NULL);
    return chk.by_kind[s->kind] != 0;
}

/*
 * ddmin over items [0, *nr) of size 'size' at base: a candidate is the
 * array without one chunk, kept when test() still sees the violation;
 * the chunks shrink until single items are tried.
 */
typedef bool shrink_test(struct shrink *s, const void *items,
                         unsigned int nr, void *arg);

static void ddmin(struct shrink *s, void *base, unsigned int *nr, size_t size,
                  shrink_test *test, void *arg)
{
    unsigned int n = 2;
    uint8_t *items = base;
    uint8_t *cand = malloc(size * (*nr ? *nr : 1));

    if ( !cand )
        abort();
    while ( *nr >= 2 && s->tests < s->max_tests )
    {
        unsigned int chunk = (*nr + n - 1) / n, i;
        bool reduced = false;

        for ( i = 0; i * chunk < *nr; i++ )
        {
            unsigned int lo = i * chunk;
            unsigned int hi = lo + chunk < *nr ? lo + chunk : *nr;
            unsigned int left = *nr - (hi - lo);

            memcpy(cand, items, size * lo);
            memcpy(cand + size * lo, items + size * hi, size * (*nr - hi));
            if ( test(s, cand, left, arg) )
            {
                memcpy(items, cand, size * left);
                *nr = left;
                n = n > 2 ? n - 1 : 2;
                reduced = true;
                break;
            }
        }
        if ( reduced )
            continue;
        if ( n >= *nr )
            break;
        n = 2 * n < *nr ? 2 * n : *nr;
    }
    free(cand);
}

static bool test_ops(struct shrink *s, const void *items, unsigned int nr,
                     void *arg)
{
    const unsigned int *idx = items;
    unsigned int i;

    (void)arg;
    for ( i = 0; i < nr; i++ )
        s->tmp[i] = s->e->ops[idx[i]];
    return shows(s, s->tmp, nr);
}

/* Commands of one CMDS operation: items are command numbers. */
struct cmds_arg {
    unsigned int op;                 /* index in s->tmp */
    unsigned int nr_ops;
    const struct iso_op *orig;
    uint32_t *dw;
    uint16_t *len;
    uint32_t *start;                 /* first dword of each command */
};

static void build_cmds(struct cmds_arg *a, const unsigned int *cmd,
                       unsigned int nr, struct iso_op *op)
{
    unsigned int i, k;

    *op = *a->orig;
    op->dw = a->dw;
    op->len = a->len;
    op->nr_dw = 0;
    op->nr_cmds = nr;
    for ( i = 0; i < nr; i++ )
    {
        a->len[i] = a->orig->len[cmd[i]];
        for ( k = 0; k < a->len[i]; k++ )
            a->dw[op->nr_dw++] = a->orig->dw[a->start[cmd[i]] + k];
    }
}

static bool test_cmds(struct shrink *s, const void *items, unsigned int nr,
                      void *arg)
{
    struct cmds_arg *a = arg;

    build_cmds(a, items, nr, &s->tmp[a->op]);
    return shows(s, s->tmp, a->nr_ops);
}

static void shrink_cmds(struct shrink *s, struct iso_episode *e,
                        unsigned int op)
{
    struct iso_op *o = &e->ops[op], built, own;
    struct cmds_arg a;
    unsigned int *cmd, nr = o->nr_cmds, i, at = 0;

    if ( nr < 2 )
        return;
    memset(&a, 0, sizeof(a));
    a.op = op;
    a.nr_ops = e->nr;
    a.orig = o;
    a.dw = malloc(4 * (o->nr_dw + 1));
    a.len = malloc(2 * (nr + 1));
    a.start = malloc(4 * (nr + 1));
    cmd = malloc(sizeof(*cmd) * nr);
    if ( !a.dw || !a.len || !a.start || !cmd )
        abort();
    for ( i = 0; i < nr; i++ )
    {
        cmd[i] = i;
        a.start[i] = at;
        at += o->len[i];
    }
    for ( i = 0; i < e->nr; i++ )
        s->tmp[i] = e->ops[i];
    ddmin(s, cmd, &nr, sizeof(*cmd), test_cmds, &a);
    if ( nr < o->nr_cmds )
    {
        build_cmds(&a, cmd, nr, &built);
        iso_op_copy(&own, &built);
        iso_op_free(o);
        *o = own;
    }
    free(a.dw);
    free(a.len);
    free(a.start);
    free(cmd);
}

/* Commands in all: what the command pass can take away. */
static uint64_t episode_cmds(const struct iso_episode *e)
{
    uint64_t n = 0;
    unsigned int i;

    for ( i = 0; i < e->nr; i++ )
        n += e->ops[i].nr_cmds;
    return n;
}

static void shrink_ops(struct shrink *s, struct iso_episode *e)
{
    unsigned int *idx, nr = e->nr, i, k;
    struct iso_op *kept;

    idx = malloc(sizeof(*idx) * (e->nr + 1));
    if ( !idx )
        abort();
    for ( i = 0; i < nr; i++ )
        idx[i] = i;
    ddmin(s, idx, &nr, sizeof(*idx), test_ops, NULL);

    /* Keep the operations that stayed, in order. */
    kept = malloc(sizeof(*kept) * (nr + 1));
    if ( !kept )
        abort();
    for ( i = 0, k = 0; i < e->nr; i++ )
    {
        if ( k < nr && idx[k] == i )
            kept[k++] = e->ops[i];
        else
            iso_op_free(&e->ops[i]);
    }
    free(e->ops);
    e->ops = kept;
    e->nr = e->max = nr;
    free(idx);
}

/*
 * Operations, then the commands of each command store, and again while
 * that helps: fewer commands can leave operations nothing needs (pages
 * only a removed jump reached).
 */
unsigned int iso_minimize(struct iso_episode *e, unsigned int kind,
                          unsigned int max_tests)
{
    struct shrink s = { .e = e, .kind = kind, .max_tests = max_tests };
    unsigned int round, i, nr;
    uint64_t cmds;

    s.tmp = malloc(sizeof(*s.tmp) * (e->nr + 1));
    if ( !s.tmp )
        abort();
    for ( round = 0; round < 4; round++ )
    {
        nr = e->nr;
        cmds = episode_cmds(e);
        shrink_ops(&s, e);
        for ( i = 0; i < e->nr; i++ )
            if ( e->ops[i].kind == ISO_OP_CMDS )
                shrink_cmds(&s, e, i);
        if ( e->nr == nr && episode_cmds(e) == cmds )
            break;
    }
    free(s.tmp);
    return s.tests;
}
