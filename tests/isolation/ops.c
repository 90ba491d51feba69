/* SPDX-License-Identifier: GPL-2.0-only */
/* Isolation checker: operations as data, their text form (ops.h). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"

static const char *const p2m_names[] = { "out", "back", "new" };

static const char *const engine_names[] = { "rcs", "bcs", "vcs", "vcs2",
                                            "vecs" };
#define NR_ENGINE_NAMES (sizeof(engine_names) / sizeof(engine_names[0]))

const char *iso_engine_name(unsigned int engine)
{
    return engine < NR_ENGINE_NAMES ? engine_names[engine] : "?";
}

void iso_episode_init(struct iso_episode *e, unsigned int gen,
                      unsigned int nr_vgpus)
{
    memset(e, 0, sizeof(*e));
    e->gen = gen;
    e->nr_vgpus = nr_vgpus;
}

void iso_op_free(struct iso_op *op)
{
    free(op->dw);
    free(op->len);
    op->dw = NULL;
    op->len = NULL;
    op->nr_dw = op->nr_cmds = 0;
}

void iso_episode_free(struct iso_episode *e)
{
    unsigned int i;

    for ( i = 0; i < e->nr; i++ )
        iso_op_free(&e->ops[i]);
    free(e->ops);
    e->ops = NULL;
    e->nr = e->max = 0;
}

static void *xmemdup(const void *p, size_t n)
{
    void *q = malloc(n ? n : 1);

    if ( !q )
        abort();
    if ( n )
        memcpy(q, p, n);
    return q;
}

void iso_op_copy(struct iso_op *dst, const struct iso_op *src)
{
    *dst = *src;
    if ( src->kind != ISO_OP_CMDS )
    {
        dst->dw = NULL;
        dst->len = NULL;
        return;
    }
    dst->dw = xmemdup(src->dw, src->nr_dw * sizeof(*src->dw));
    dst->len = xmemdup(src->len, src->nr_cmds * sizeof(*src->len));
}

struct iso_op *iso_episode_add(struct iso_episode *e, const struct iso_op *op)
{
    if ( e->nr == e->max )
    {
        e->max = e->max ? 2 * e->max : 256;
        e->ops = realloc(e->ops, e->max * sizeof(*e->ops));
        if ( !e->ops )
            abort();
    }
    iso_op_copy(&e->ops[e->nr], op);
    return &e->ops[e->nr++];
}

uint64_t iso_op_weight(const struct iso_op *op)
{
    return op->kind == ISO_OP_CMDS ? op->nr_cmds : 1;
}

static void print_roots(FILE *f, const struct iso_op *op)
{
    unsigned int i, n = op->level == 3 ? 4 : 1;

    fprintf(f, " %u", op->level);
    for ( i = 0; i < n; i++ )
        fprintf(f, " 0x%" PRIx64, op->root[i]);
}

void iso_op_print(FILE *f, const struct iso_op *op)
{
    uint32_t c, k, at = 0;

    switch ( op->kind )
    {
    case ISO_OP_GGTT:
        fprintf(f, "ggtt %u 0x%" PRIx64 " %u %u 0x%" PRIx64 "\n", op->v,
                op->addr, op->off, op->size, op->val);
        break;
    case ISO_OP_PVINFO:
        fprintf(f, "pvinfo %u 0x%" PRIx64 " %u 0x%" PRIx64 "\n", op->v,
                op->addr, op->size, op->val);
        break;
    case ISO_OP_STORE:
        fprintf(f, "store %u 0x%" PRIx64 " %u 0x%" PRIx64 "\n", op->v,
                op->addr, op->size, op->val);
        break;
    case ISO_OP_CMDS:
        fprintf(f, "cmds %u 0x%" PRIx64 " :", op->v, op->addr);
        for ( c = 0; c < op->nr_cmds; c++ )
        {
            if ( c )
                fputs(" |", f);
            for ( k = 0; k < op->len[c]; k++ )
                fprintf(f, " 0x%x", op->dw[at++]);
        }
        fputc('\n', f);
        break;
    case ISO_OP_AUDIT:
        fprintf(f, "audit %u %u %s ", op->v, op->slot,
                iso_engine_name(op->engine));
        if ( op->form == ISO_FORM_RING )
            fprintf(f, "ring 0x%" PRIx64 " %u %u %u", op->addr, op->ring_size,
                    op->head, op->tail);
        else
            fprintf(f, "%s 0x%" PRIx64, op->space ? "ppgtt" : "ggtt",
                    op->addr);
        print_roots(f, op);
        if ( op->fail_err )
            fprintf(f, " fail %u %u", op->fail_at, op->fail_err);
        fputc('\n', f);
        break;
    case ISO_OP_EXEC:
        fprintf(f, "exec %u %u\n", op->v, op->slot);
        break;
    case ISO_OP_RESET:
        fprintf(f, "reset %u\n", op->v);
        break;
    case ISO_OP_P2M:
        fprintf(f, "p2m %u 0x%" PRIx64 " %s\n", op->v, op->addr,
                op->val < ISO_P2M_NR ? p2m_names[op->val] : "?");
        break;
    }
}

void iso_episode_print(FILE *f, const struct iso_episode *e)
{
    unsigned int i;

    fprintf(f, "machine %u %u\n", e->gen, e->nr_vgpus);
    for ( i = 0; i < e->nr; i++ )
        iso_op_print(f, &e->ops[i]);
}

/* Tokenizer over one line. */
struct line {
    char *p;
    bool bad;
};

static char *next_tok(struct line *l)
{
    char *t;

    while ( *l->p == ' ' || *l->p == '\t' )
        l->p++;
    if ( !*l->p )
        return NULL;
    t = l->p;
    while ( *l->p && *l->p != ' ' && *l->p != '\t' )
        l->p++;
    if ( *l->p )
        *l->p++ = '\0';
    return t;
}

static uint64_t num(struct line *l)
{
    char *t = next_tok(l), *end;
    uint64_t v;

    if ( !t )
    {
        l->bad = true;
        return 0;
    }
    v = strtoull(t, &end, 0);
    if ( *end )
        l->bad = true;
    return v;
}

static bool word_is(struct line *l, const char *w)
{
    char *t = next_tok(l);

    return t && !strcmp(t, w);
}

static unsigned int engine_num(struct line *l)
{
    char *t = next_tok(l);
    unsigned int i;

    for ( i = 0; t && i < NR_ENGINE_NAMES; i++ )
        if ( !strcmp(t, engine_names[i]) )
            return i;
    l->bad = true;
    return 0;
}

static void read_roots(struct line *l, struct iso_op *op)
{
    unsigned int i, n;

    op->level = num(l);
    if ( op->level != 3 && op->level != 4 )
        l->bad = true;
    n = op->level == 3 ? 4 : 1;
    for ( i = 0; i < n; i++ )
        op->root[i] = num(l);
}

static void read_cmds(struct line *l, struct iso_op *op)
{
    uint32_t max_dw = 16, max_cmds = 4, cur = 0;
    char *t;

    op->dw = malloc(max_dw * sizeof(*op->dw));
    op->len = malloc(max_cmds * sizeof(*op->len));
    if ( !op->dw || !op->len )
        abort();
    if ( !word_is(l, ":") )
        l->bad = true;
    while ( (t = next_tok(l)) != NULL )
    {
        if ( !strcmp(t, "|") )
        {
            if ( !cur )
                l->bad = true;
            cur = 0;
            continue;
        }
        if ( op->nr_dw == max_dw )
        {
            max_dw *= 2;
            op->dw = realloc(op->dw, max_dw * sizeof(*op->dw));
        }
        if ( !cur && op->nr_cmds == max_cmds )
        {
            max_cmds *= 2;
            op->len = realloc(op->len, max_cmds * sizeof(*op->len));
        }
        if ( !op->dw || !op->len )
            abort();
        op->dw[op->nr_dw++] = strtoul(t, NULL, 0);
        if ( !cur++ )
            op->len[op->nr_cmds++] = 0;
        op->len[op->nr_cmds - 1]++;
    }
}

static int parse_op(struct line *l, const char *kw, struct iso_op *op)
{
    char *t;

    memset(op, 0, sizeof(*op));
    if ( !strcmp(kw, "ggtt") )
    {
        op->kind = ISO_OP_GGTT;
        op->v = num(l);
        op->addr = num(l);
        op->off = num(l);
        op->size = num(l);
        op->val = num(l);
    }
    else if ( !strcmp(kw, "pvinfo") || !strcmp(kw, "store") )
    {
        op->kind = kw[0] == 'p' ? ISO_OP_PVINFO : ISO_OP_STORE;
        op->v = num(l);
        op->addr = num(l);
        op->size = num(l);
        op->val = num(l);
    }
    else if ( !strcmp(kw, "cmds") )
    {
        op->kind = ISO_OP_CMDS;
        op->v = num(l);
        op->addr = num(l);
        read_cmds(l, op);
    }
    else if ( !strcmp(kw, "audit") )
    {
        op->kind = ISO_OP_AUDIT;
        op->v = num(l);
        op->slot = num(l);
        op->engine = engine_num(l);
        t = next_tok(l);
        if ( t && !strcmp(t, "ring") )
        {
            op->form = ISO_FORM_RING;
            op->addr = num(l);
            op->ring_size = num(l);
            op->head = num(l);
            op->tail = num(l);
        }
        else if ( t && (!strcmp(t, "ggtt") || !strcmp(t, "ppgtt")) )
        {
            op->form = ISO_FORM_BATCH;
            op->space = t[0] == 'p';
            op->addr = num(l);
        }
        else
            l->bad = true;
        read_roots(l, op);
        t = next_tok(l);
        if ( t && !strcmp(t, "fail") )
        {
            op->fail_at = num(l);
            op->fail_err = num(l);
            if ( !op->fail_err || op->fail_err > 4095 )
                l->bad = true;
        }
        else if ( t )
            l->bad = true;
    }
    else if ( !strcmp(kw, "exec") )
    {
        op->kind = ISO_OP_EXEC;
        op->v = num(l);
        op->slot = num(l);
    }
    else if ( !strcmp(kw, "reset") )
    {
        op->kind = ISO_OP_RESET;
        op->v = num(l);
    }
    else if ( !strcmp(kw, "p2m") )
    {
        op->kind = ISO_OP_P2M;
        op->v = num(l);
        op->addr = num(l);
        t = next_tok(l);
        for ( op->val = 0; op->val < ISO_P2M_NR; op->val++ )
            if ( t && !strcmp(t, p2m_names[op->val]) )
                break;
        if ( op->val == ISO_P2M_NR )
            l->bad = true;
    }
    else
        l->bad = true;

    if ( op->kind != ISO_OP_CMDS && next_tok(l) )
        l->bad = true;
    if ( op->slot >= ISO_SLOTS || op->v >= ISO_MAX_VGPUS )
        l->bad = true;
    return l->bad ? -1 : 0;
}

int iso_episode_read(FILE *f, struct iso_episode *e)
{
    char *buf = NULL;
    size_t cap = 0;
    unsigned int lineno = 0;
    bool have_machine = false;
    struct iso_op op;
    int rc = 0;

    memset(e, 0, sizeof(*e));
    while ( getline(&buf, &cap, f) > 0 )
    {
        struct line l = { .p = buf };
        char *hash = strchr(buf, '#'), *kw;

        lineno++;
        if ( hash )
            *hash = '\0';
        buf[strcspn(buf, "\r\n")] = '\0';
        kw = next_tok(&l);
        if ( !kw )
            continue;
        if ( !strcmp(kw, "machine") )
        {
            unsigned int gen = num(&l), nr = num(&l);

            iso_episode_free(e);
            iso_episode_init(e, gen, nr);
            have_machine = !l.bad && e->nr_vgpus >= 1 &&
                           e->nr_vgpus <= ISO_MAX_VGPUS;
            if ( !have_machine )
                l.bad = true;
        }
        else if ( !have_machine || parse_op(&l, kw, &op) )
            l.bad = true;
        else
        {
            if ( op.v >= e->nr_vgpus )
                l.bad = true;
            else
                iso_episode_add(e, &op);
            iso_op_free(&op);
        }
        if ( l.bad )
        {
            fprintf(stderr, "line %u: cannot read this operation\n", lineno);
            rc = -1;
            break;
        }
    }
    free(buf);
    if ( !rc && !have_machine )
    {
        fprintf(stderr, "no 'machine GEN VGPUS' line\n");
        rc = -1;
    }
    if ( rc )
        iso_episode_free(e);
    return rc;
}
