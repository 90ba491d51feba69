/* SPDX-License-Identifier: GPL-2.0-only */
/* gtt-replay: the trace parser (format in docs/gtt-trace.md). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

#define MAX_TOKENS 16

/* Tokens of one line and the parser's position in them. */
struct cursor {
    char *tok[MAX_TOKENS];
    unsigned int nr, pos;
    char err[128];
};

static const char *const op_names[] = {
    [OP_DOMAIN]        = "domain",
    [OP_VGPU]          = "vgpu",
    [OP_GGTT]          = "ggtt",
    [OP_GGTT32]        = "ggtt32",
    [OP_GGTT_READ]     = "ggtt-read",
    [OP_PVINFO]        = "pvinfo",
    [OP_PVINFO_WRITE]  = "pvinfo-write",
    [OP_WRITE]         = "write",
    [OP_PPGTT_CREATE]  = "ppgtt-create",
    [OP_PPGTT_DESTROY] = "ppgtt-destroy",
    [OP_PIN]           = "pin",
    [OP_UNPIN]         = "unpin",
    [OP_SYNC]          = "sync",
    [OP_TRANSLATE]     = "translate",
    [OP_GPU_WRITE]     = "gpu-write",
    [OP_STATS]         = "stats",
    [OP_RESET]         = "reset",
    [OP_DESTROY]       = "destroy",
    [OP_GGTT_HW]       = "ggtt-hw",
};

static const char *const frame_names[] = {
    [FRAME_RAM]     = "ram",
    [FRAME_MMIO]    = "mmio",
    [FRAME_GRANT]   = "grant",
    [FRAME_FOREIGN] = "foreign",
    [FRAME_PAGED]   = "paged",
    [FRAME_SHARED]  = "shared",
    [FRAME_XEN]     = "xen",
    [FRAME_FREE]    = "free",
    NULL
};

const char *trace_op_name(unsigned int kind)
{
    return kind < sizeof(op_names) / sizeof(op_names[0]) ? op_names[kind]
                                                         : "?";
}

static bool failed(const struct cursor *c)
{
    return c->err[0] != '\0';
}

static void fail(struct cursor *c, const char *msg, const char *what)
{
    if ( !failed(c) )
        snprintf(c->err, sizeof(c->err), "%s%s%s", msg, what ? " " : "",
                 what ? what : "");
}

static bool more(const struct cursor *c)
{
    return c->pos < c->nr;
}

static const char *next(struct cursor *c, const char *what)
{
    if ( failed(c) )
        return NULL;
    if ( !more(c) )
    {
        fail(c, "missing", what);
        return NULL;
    }
    return c->tok[c->pos++];
}

/* Decimal or 0x hex, no sign, at most 64 bits. */
static bool parse_u64(const char *s, uint64_t *out)
{
    unsigned int base = 10, digit;
    uint64_t v = 0;

    if ( s[0] == '0' && (s[1] == 'x' || s[1] == 'X') )
    {
        base = 16;
        s += 2;
    }
    if ( !*s )
        return false;
    for ( ; *s; s++ )
    {
        if ( *s >= '0' && *s <= '9' )
            digit = *s - '0';
        else if ( base == 16 && *s >= 'a' && *s <= 'f' )
            digit = *s - 'a' + 10;
        else if ( base == 16 && *s >= 'A' && *s <= 'F' )
            digit = *s - 'A' + 10;
        else
            return false;
        if ( v > (UINT64_MAX - digit) / base )
            return false;
        v = v * base + digit;
    }
    *out = v;
    return true;
}

static uint64_t num_max(struct cursor *c, const char *what, uint64_t max)
{
    const char *s = next(c, what);
    uint64_t v = 0;

    if ( !s )
        return 0;
    if ( !parse_u64(s, &v) )
        fail(c, "bad number for", what);
    else if ( v > max )
        fail(c, "out of range:", what);
    return v;
}

static uint64_t num(struct cursor *c, const char *what)
{
    return num_max(c, what, UINT64_MAX);
}

/* Index of the next token in the NULL-terminated list words. */
static unsigned int word(struct cursor *c, const char *what,
                         const char *const *words)
{
    const char *s = next(c, what);
    unsigned int i;

    if ( !s )
        return 0;
    for ( i = 0; words[i]; i++ )
        if ( !strcmp(s, words[i]) )
            return i;
    fail(c, "unknown", what);
    return 0;
}

static void literal(struct cursor *c, const char *lit)
{
    const char *s = next(c, lit);

    if ( s && strcmp(s, lit) )
        fail(c, "expected", lit);
}

/* vGPU ids and domain ids: what the output prints as numbers. */
#define MAX_ID      0xffffffffu
#define MAX_DOMID   0x7feeu

static void parse_domain(struct cursor *c, struct trace_op *op)
{
    op->a[0] = num_max(c, "domain id", MAX_DOMID);
    op->sub = word(c, "frame kind", frame_names);
    op->a[1] = num(c, "gfn");
    op->a[2] = num(c, "count");
    if ( op->sub == FRAME_RAM && more(c) )
    {
        literal(c, "at");
        op->a[3] = num(c, "mfn");
        op->a[4] = 1;
    }
}

/*
 * vgpu V domain D aperture B S hidden B S
 *      [quota N] [oos on|off] [oos-threshold N]
 */
static void parse_vgpu(struct cursor *c, struct trace_op *op)
{
    static const char *const opts[] = { "quota", "oos", "oos-threshold", NULL };
    static const char *const onoff[] = { "off", "on", NULL };

    op->a[0] = num_max(c, "vgpu id", MAX_ID);
    literal(c, "domain");
    op->a[1] = num_max(c, "domain id", MAX_DOMID);
    literal(c, "aperture");
    op->a[2] = num(c, "aperture base");
    op->a[3] = num(c, "aperture size");
    literal(c, "hidden");
    op->a[4] = num(c, "hidden base");
    op->a[5] = num(c, "hidden size");
    op->a[6] = 0;       /* default quota */
    op->a[7] = 0;       /* default threshold */
    op->sub = 1;        /* out-of-sync on by default */
    while ( !failed(c) && more(c) )
    {
        switch ( word(c, "vgpu option", opts) )
        {
        case 0:
            op->a[6] = num_max(c, "quota", MAX_ID);
            break;
        case 1:
            op->sub = word(c, "oos on|off", onoff);
            break;
        default:
            op->a[7] = num_max(c, "oos-threshold", MAX_ID);
            break;
        }
    }
}

static void parse_value_for_size(struct cursor *c, struct trace_op *op,
                                 unsigned int slot, uint64_t size)
{
    op->a[slot] = num(c, "value");
    if ( size < 8 && (op->a[slot] >> (size * 8)) )
        fail(c, "value wider than the access", NULL);
}

static void parse_ppgtt_create(struct cursor *c, struct trace_op *op)
{
    static const char *const levels[] = { "l3", "l4", NULL };
    unsigned int i;

    op->a[0] = num_max(c, "vgpu id", MAX_ID);
    op->sub = word(c, "level l3|l4", levels) ? 4 : 3;
    for ( i = 0; i < (op->sub == 4 ? 1u : 4u); i++ )
        op->a[1 + i] = num(c, op->sub == 4 ? "PML4 gpa" : "PDP gpa");
}

static void parse_translate(struct cursor *c, struct trace_op *op)
{
    static const char *const spaces[] = { "ggtt", "ppgtt", NULL };

    op->a[0] = num_max(c, "vgpu id", MAX_ID);
    op->sub = word(c, "address space ggtt|ppgtt", spaces);
    if ( op->sub == TRACE_SPACE_PPGTT )
        op->a[1] = num(c, "root gpa");
    op->a[2] = num(c, "graphics address");
}

static void parse_op(struct cursor *c, struct trace_op *op)
{
    static const char *const halves[] = { "lo", "hi", NULL };
    const char *name = next(c, "operation");
    unsigned int k;

    if ( !name )
        return;
    for ( k = 0; k < sizeof(op_names) / sizeof(op_names[0]); k++ )
        if ( !strcmp(name, op_names[k]) )
            break;
    op->kind = k;
    switch ( k )
    {
    case OP_DOMAIN:
        parse_domain(c, op);
        break;
    case OP_VGPU:
        parse_vgpu(c, op);
        break;
    case OP_GGTT:
        op->a[0] = num_max(c, "vgpu id", MAX_ID);
        op->a[1] = num(c, "index");
        op->a[2] = num(c, "value");
        break;
    case OP_GGTT32:
        op->a[0] = num_max(c, "vgpu id", MAX_ID);
        op->a[1] = num(c, "index");
        op->sub = word(c, "half lo|hi", halves);
        parse_value_for_size(c, op, 2, 4);
        break;
    case OP_GGTT_READ:
        op->a[0] = num_max(c, "vgpu id", MAX_ID);
        op->a[1] = num(c, "index");
        break;
    case OP_PVINFO:
        op->a[0] = num_max(c, "vgpu id", MAX_ID);
        op->a[1] = num(c, "offset");
        op->a[2] = num(c, "size");
        break;
    case OP_PVINFO_WRITE:
        op->a[0] = num_max(c, "vgpu id", MAX_ID);
        op->a[1] = num(c, "offset");
        op->a[2] = num(c, "size");
        parse_value_for_size(c, op, 3, op->a[2]);
        break;
    case OP_WRITE:
        op->a[0] = num_max(c, "domain id", MAX_DOMID);
        op->a[1] = num(c, "gpa");
        op->a[2] = num(c, "size");
        parse_value_for_size(c, op, 3, op->a[2]);
        break;
    case OP_PPGTT_CREATE:
        parse_ppgtt_create(c, op);
        break;
    case OP_PPGTT_DESTROY:
    case OP_PIN:
    case OP_UNPIN:
        op->a[0] = num_max(c, "vgpu id", MAX_ID);
        op->a[1] = num(c, "root gpa");
        break;
    case OP_TRANSLATE:
        parse_translate(c, op);
        break;
    case OP_GPU_WRITE:
        parse_translate(c, op);
        op->a[3] = num(c, "value");
        break;
    case OP_GGTT_HW:
        op->a[0] = num(c, "index");
        break;
    case OP_SYNC:
    case OP_STATS:
    case OP_RESET:
    case OP_DESTROY:
        op->a[0] = num_max(c, "vgpu id", MAX_ID);
        break;
    default:
        fail(c, "unknown operation", name);
        return;
    }
    if ( !failed(c) && more(c) )
        fail(c, "unexpected", c->tok[c->pos]);
}

/* Split line (modified in place) into tokens; '#' starts a comment. */
static bool tokenize(char *line, struct cursor *c)
{
    char *p = line;

    c->nr = c->pos = 0;
    c->err[0] = '\0';
    for ( ;; )
    {
        while ( *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' )
            p++;
        if ( !*p || *p == '#' )
            return true;
        if ( c->nr == MAX_TOKENS )
            return false;
        c->tok[c->nr++] = p;
        while ( *p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n' &&
                *p != '#' )
            p++;
        if ( *p == '#' )
        {
            *p = '\0';
            return true;
        }
        if ( *p )
            *p++ = '\0';
    }
}

static int push(struct trace *t, const struct trace_op *op)
{
    if ( t->nr == t->max )
    {
        size_t max = t->max ? t->max * 2 : 64;
        struct trace_op *ops = realloc(t->ops, max * sizeof(*ops));

        if ( !ops )
            return -1;
        t->ops = ops;
        t->max = max;
    }
    t->ops[t->nr++] = *op;
    return 0;
}

int trace_parse(FILE *f, const char *name, struct trace *t)
{
    struct cursor c;
    struct trace_op op;
    char *line = NULL;
    size_t cap = 0;
    unsigned long lineno = 0;
    int rc = 0;

    memset(t, 0, sizeof(*t));
    while ( getline(&line, &cap, f) >= 0 )
    {
        lineno++;
        if ( !tokenize(line, &c) )
        {
            fprintf(stderr, "gtt-replay: %s:%lu: too many fields\n", name,
                    lineno);
            rc = -1;
            break;
        }
        if ( !c.nr )
            continue;
        memset(&op, 0, sizeof(op));
        op.line = lineno;
        parse_op(&c, &op);
        if ( failed(&c) )
        {
            fprintf(stderr, "gtt-replay: %s:%lu: %s\n", name, lineno, c.err);
            rc = -1;
            break;
        }
        if ( push(t, &op) )
        {
            fprintf(stderr, "gtt-replay: %s:%lu: out of memory\n", name,
                    lineno);
            rc = -1;
            break;
        }
    }
    if ( !rc && ferror(f) )
    {
        fprintf(stderr, "gtt-replay: %s: read error\n", name);
        rc = -1;
    }
    free(line);
    if ( rc )
        trace_free(t);
    return rc;
}

void trace_free(struct trace *t)
{
    free(t->ops);
    t->ops = NULL;
    t->nr = t->max = 0;
}
