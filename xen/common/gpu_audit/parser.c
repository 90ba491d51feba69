/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The parser loop: decode each command of the copy exactly as the hardware
 * does and apply the rules its descriptor carries.  There is no per-command
 * code here: everything a command needs is in its descriptor.
 */
#include "parser.h"
#include "regs.h"

#define PAGE_MASK_BYTES (~(uint32_t)(PAGE_SIZE - 1))

static inline void page_mark_start(struct gpu_audit_page *pg, uint32_t off)
{
    pg->starts[(off % PAGE_SIZE) / 4] = 1;
}

static inline uint32_t cmd_dw(const struct gpu_audit_buf *b, uint32_t off,
                              unsigned int i)
{
    return gpu_audit_buf_dw(b, off / 4 + i);
}

/*
 * The command being checked: its dwords on its first page are read
 * directly, the rest (a command across a page boundary) through the page
 * array.
 */
struct cmd_ref {
    const struct gpu_audit_buf *b;
    uint32_t off;
    const uint32_t *dw;       /* the command's first dword in the copy */
    unsigned int in_page;     /* how many of its dwords that page holds */
};

static void cmd_ref_init(struct cmd_ref *r, const struct gpu_audit_buf *b,
                         uint32_t off)
{
    r->b = b;
    r->off = off;
    r->dw = &b->pages[off / PAGE_SIZE].dw[(off % PAGE_SIZE) / 4];
    r->in_page = GPU_COPY_PAGE_DWS - (off % PAGE_SIZE) / 4;
}

static inline uint32_t ref_dw(const struct cmd_ref *r, unsigned int i)
{
    return likely(i < r->in_page) ? r->dw[i] : cmd_dw(r->b, r->off, i);
}

/*
 * Has command r, with rules (GPU_CF_CHECKED), anything for check_cmd() in
 * class cls?  Not if its policy allows it and every rule needs a bit of one
 * dword that is clear.  d is the descriptor of dispatch entry ent.
 */
static inline bool rules_apply(const struct gpu_audit_table *t, uint32_t ent,
                               const struct gpu_cmd_desc *d,
                               const struct cmd_ref *r, unsigned int cls)
{
    const struct gpu_audit_idle *idle = &t->idle[(ent & GPU_DISP_IDX_MASK) - 1];

    return d->policy[cls] != GPU_ACT_ALLOW || !idle->mask ||
           (ref_dw(r, idle->dw) & idle->mask);
}

static inline bool cond_holds(const struct cmd_ref *r,
                              const struct gpu_cmd_cond *c)
{
    bool eq = (ref_dw(r, c->dw) & c->mask) == c->val;

    return c->ne ? !eq : eq;
}

static uint64_t operand_addr(const struct cmd_ref *r,
                             const struct gpu_cmd_operand *o)
{
    uint64_t addr = ref_dw(r, o->dw) & o->addr_lo_mask;

    if ( o->addr_dws > 1 )
        addr |= (uint64_t)(ref_dw(r, o->dw + 1) & o->addr_hi_mask) << 32;

    return addr;
}

static uint64_t operand_size(const struct cmd_ref *r,
                             const struct gpu_cmd_operand *o, unsigned int len)
{
    switch ( o->size_kind )
    {
    case GPU_SIZE_TAIL:
        return (uint64_t)(len - o->dw - o->addr_dws) * 4;
    case GPU_SIZE_SHIFT:
        return (uint64_t)o->size <<
               ((ref_dw(r, o->size_dw) >> o->size_shift) & 3);
    case GPU_SIZE_SCALED:
        return o->size +
               ((uint64_t)(len - o->dw - o->addr_dws) << o->size_shift);
    default:
        return o->size;
    }
}

/*
 * An address operand.  When its .dup condition holds (a store's core mode)
 * the hardware may write the data at the address or one size further: the
 * range audited and the stores remembered cover both.
 */
static int check_addr(struct gpu_audit_sub *s, const struct cmd_ref *r,
                      const struct gpu_cmd_desc *d,
                      const struct gpu_cmd_operand *o, unsigned int len)
{
    bool ggtt = o->ggtt.mask && cond_holds(r, &o->ggtt);
    unsigned int copies = o->dup.mask && cond_holds(r, &o->dup) ? 2 : 1;
    uint64_t addr = operand_addr(r, o), size = operand_size(r, o, len);
    unsigned int i, c;

    if ( ggtt )
    {
        if ( o->ggtt_reject )
            return XEN_GPU_AUDIT_GGTT_FORM;
        if ( !gpu_audit_ggtt_range_ok(s->v, addr, size * copies) )
            return XEN_GPU_AUDIT_GGTT_RANGE;
    }

    /* Immediate stores are remembered: they may patch a jump operand. */
    if ( d->flags & GPU_CF_STORE )
        for ( c = 0; c < copies; c++ )
            for ( i = o->dw + o->addr_dws; i < len; i++ )
            {
                int rc = gpu_audit_sub_log_store(s,
                    ggtt ? GPU_SPACE_GGTT : GPU_SPACE_PPGTT,
                    addr + c * size + 4 * (i - o->dw - o->addr_dws),
                    ref_dw(r, i));

                if ( rc )
                    return rc;
            }

    return 0;
}

/*
 * A store index: a byte offset into the per-process status page (the
 * first page of the context image).  Past that page lies the context's
 * register state, which only Xen's audit of the image may write.
 */
static int check_index(const struct cmd_ref *r, const struct gpu_cmd_operand *o)
{
    uint64_t off = operand_addr(r, o);

    if ( off > GPU_STATUS_PAGE_BYTES - o->size )
        return XEN_GPU_AUDIT_STATUS_INDEX;

    return 0;
}

static int check_lri(struct gpu_audit_sub *s, const struct gpu_audit_buf *b,
                     uint32_t off, unsigned int len)
{
    unsigned int cls = gpu_audit_sub_class(b), i;
    int rc;

    if ( !(len & 1) )
        return XEN_GPU_AUDIT_REG_LRI_PAIRS;

    for ( i = 1; i < len; i += 2 )
    {
        uint32_t reg = cmd_dw(b, off, i) & 0x7ffffc;
        uint32_t val = cmd_dw(b, off, i + 1);
        bool root;

        rc = gpu_audit_reg_check(s, cls, reg, GPU_ACC_WRITE, true, val);
        if ( rc > 0 )
            return rc;
        if ( rc == 0 )
            continue;
        /* A root or a virtualised register: redirected or rewritten. */
        root = rc == GPU_REG_ROOT;
        rc = gpu_audit_sub_note(s,
                                root ? GPU_NOTE_PDP_LOAD : GPU_NOTE_REG_REWRITE,
                                b - s->bufs, off + 4 * (i + 1), reg);
        if ( !rc && root )
            rc = gpu_audit_sub_pdp_write(s, b - s->bufs, off,
                                         gpu_audit_reg_group_index(s->t, reg),
                                         off + 4 * (i + 1), val);
        if ( rc )
            return rc;
    }

    return 0;
}

/*
 * Apply a descriptor's rules to the command at off, in a buffer of class
 * cls: one that rules_apply() found something to check in.
 */
static int check_cmd(struct gpu_audit_sub *s, struct gpu_audit_buf *b,
                     uint32_t off, const struct gpu_cmd_desc *d,
                     unsigned int len, uint32_t hdr, unsigned int cls)
{
    struct cmd_ref r;
    unsigned int i, j;
    int rc;

    switch ( d->policy[cls] )
    {
    case GPU_ACT_REJECT:
        return XEN_GPU_AUDIT_PRIVILEGED_CMD;
    case GPU_ACT_EVENT:
        rc = gpu_audit_sub_note(s, GPU_NOTE_DISPLAY_FLIP, b - s->bufs, off,
                                hdr);
        if ( rc )
            return rc;
        /* fall through */
    case GPU_ACT_NOOP:
        for ( i = 0; i < len; i++ )
            gpu_audit_copy_set_dw(b, off / 4 + i, 0);
        s->neutralised++;
        return gpu_audit_sub_note(s, GPU_NOTE_NEUTRALISED, b - s->bufs, off,
                                  hdr);
    }

    cmd_ref_init(&r, b, off);

    for ( i = 0; i < d->nr_deny; i++ )
        if ( cond_holds(&r, &d->deny[i].cond) )
            return d->deny[i].reason;

    for ( i = 0; i < d->nr_operands; i++ )
    {
        const struct gpu_cmd_operand *o = &d->operands[i];

        /* A graphics address that is not a GGTT one nor stored to: no rule. */
        if ( o->kind == GPU_OPND_ADDR && !(d->flags & GPU_CF_STORE) &&
             !(o->ggtt.mask && cond_holds(&r, &o->ggtt)) )
            continue;

        for ( j = 0; j < o->nr_conds; j++ )
            if ( !cond_holds(&r, &o->conds[j]) )
                break;
        if ( j < o->nr_conds )
            continue;

        switch ( o->kind )
        {
        case GPU_OPND_ADDR:
            rc = check_addr(s, &r, d, o, len);
            break;
        case GPU_OPND_REG:
            rc = gpu_audit_reg_check(s, cls, ref_dw(&r, o->dw) & 0x7ffffc,
                                     o->access, o->value_dw,
                                     o->value_dw ? ref_dw(&r, o->value_dw) : 0);
            /* A root loaded from memory or a register cannot be redirected. */
            if ( rc < 0 )
                rc = XEN_GPU_AUDIT_REG_DENIED;
            break;
        case GPU_OPND_LRI:
            rc = check_lri(s, b, off, len);
            break;
        case GPU_OPND_INDEX:
            rc = check_index(&r, o);
            break;
        case GPU_OPND_JUMP:
            return gpu_audit_sub_jump(s, d, o, off, len);
        default:
            rc = XEN_GPU_AUDIT_BAD_TABLE;
            break;
        }
        if ( rc )
            return rc;
    }

    if ( d->flags & GPU_CF_END )
    {
        b->scanned = off + 4 * len;
        gpu_audit_sub_pop(s);
        return GPU_STEP_FRAME;
    }

    return GPU_STEP_NEXT;
}

/* What the fast path needs, fixed for one frame (and base, avail per page). */
struct fast_ctx {
    const struct gpu_audit_table *t;
    unsigned int engine;
    const uint32_t *fast;     /* typed_fast bitmap of the frame's class */
    uint32_t shift;           /* its index: header >> shift */
    uint32_t lmask, bias;     /* the typed form: length (header & lmask) + bias */
    uint32_t slow;            /* GPU_DISP_SLOW() of the frame's class */
    uint64_t max_cmds;
    /* For commands with rules. */
    struct gpu_audit_sub *s;
    struct gpu_audit_frame *f;
    struct gpu_audit_buf *b;
    unsigned int cls;
    uint32_t base;            /* byte offset of the page in the buffer */
    uint32_t avail;           /* bytes copied */
};

static void fast_init(struct fast_ctx *c, struct gpu_audit_sub *s)
{
    const struct gpu_audit_dispatch *dp = &s->t->eng[s->engine];
    uint32_t form = dp->typed_form;

    c->t = s->t;
    c->engine = s->engine;
    c->shift = dp->typed_shift;
    c->lmask = (1u << ((form >> GPU_DISP_LBITS_SHIFT) & 0x1f)) - 1;
    c->bias = form >> GPU_DISP_ADD_SHIFT;
    c->max_cmds = s->v->limits.max_cmds;
    c->s = s;
}

static void fast_set_frame(struct fast_ctx *c, struct gpu_audit_frame *f,
                           struct gpu_audit_buf *b, unsigned int cls)
{
    const struct gpu_audit_dispatch *dp = &c->t->eng[c->engine];

    c->fast = dp->typed_fast + cls * (GPU_TYPED_FAST_BITS(dp) / 32);
    c->slow = GPU_DISP_SLOW(cls);
    c->f = f;
    c->b = b;
    c->cls = cls;
}

/*
 * A command with rules met by the fast path at dword i of the page, its
 * start already marked, cmds counting it: apply its rules if it is whole in
 * the copy and its length is legal, and return its length with the outcome
 * in *rc.  Returns 0 (nothing done) to leave it to the careful path.
 */
static unsigned int fast_rules(const struct fast_ctx *c, const uint32_t *dw,
                               unsigned int i, uint32_t hdr, uint32_t ent,
                               uint64_t cmds, int *rc)
{
    const struct gpu_cmd_desc *d =
        &c->t->spec->cmds[(ent & GPU_DISP_IDX_MASK) - 1];
    unsigned int len = gpu_audit_cmd_len(d, hdr);
    uint32_t off = c->base + 4 * i;
    struct cmd_ref r = {
        .b = c->b, .off = off, .dw = dw + i, .in_page = GPU_COPY_PAGE_DWS - i,
    };

    if ( len < d->len_min || len > d->len_max ||
         (d->len_set && !(d->len_set & (1u << len))) ||
         c->avail - off < 4 * len )
        return 0;

    *rc = GPU_STEP_NEXT;
    if ( (d->flags & GPU_CF_CHECKED) && rules_apply(c->t, ent, d, &r, c->cls) )
    {
        c->f->off = c->b->scanned = off;
        c->s->cmds = cmds;
        *rc = check_cmd(c->s, c->b, off, d, len, hdr, c->cls);
    }

    return len;
}

/*
 * The fast path: consecutive commands in one page of the copy, from dword
 * i for as long as the next header lies below dword end.
 *
 * The parser is bound by the latency of header -> length -> next header.
 * A command of the engine's typed type with the typed length form (most
 * of them) gets its length from the header alone, so the next header is
 * loaded while a bitmap indexed by the header's type and opcode confirms,
 * off that chain, that the command has no rules here; anything else takes
 * the general dispatch, and a command with rules is checked in place.  A
 * command start costs one byte store.
 *
 * Stops before a command the careful path must see (unknown, an illegal
 * length, not whole in the copy) or after one whose rules ended the frame
 * or rejected it (*rc); takes nothing when the command limit is nearer than
 * the page's end.  Returns the dword reached and sets *last to the last
 * command it took (or, when it stops early, met).
 */
static unsigned int scan_fast(const struct fast_ctx *c,
                              struct gpu_audit_page *pg, unsigned int i,
                              unsigned int end, uint64_t *cmds,
                              unsigned int *last, int *rc)
{
    const uint32_t *dw = pg->dw, *fast = c->fast;
    const uint32_t shift = c->shift, lmask = c->lmask, bias = c->bias;
    uint8_t *starts = pg->starts;
    unsigned int at = i, n = 0;

    *rc = GPU_STEP_NEXT;
    *last = i;
    /* Each command is a dword at least: the limit cannot be met below. */
    if ( unlikely(*cmds > c->max_cmds || c->max_cmds - *cmds < end - i) )
        return i;

    do {
        /* i + bias first: the length then adds to it in one step. */
        uint32_t hdr = dw[i], idx = hdr >> shift, ib = i + bias, ent;
        unsigned int len;

        /* A header read at a command boundary is a command start. */
        starts[i] = 1;
        at = i;
        if ( likely(fast[idx / 32] & (1u << (idx % 32))) )
        {
            i = (hdr & lmask) + ib;
            n++;
            continue;
        }
        if ( hdr == 0 )
            len = 1;                                  /* MI_NOOP */
        else
        {
            ent = gpu_audit_dispatch(c->t, c->engine, hdr);
            if ( !ent )
                break;
            if ( !(ent & c->slow) )
                len = gpu_audit_fast_len(ent, hdr);
            else
            {
                len = fast_rules(c, dw, i, hdr, ent, *cmds + n + 1, rc);
                if ( !len )
                    break;
                if ( *rc != GPU_STEP_NEXT )
                {
                    n++;
                    break;
                }
            }
        }
        n++;
        i += len;
    } while ( i < end );

    *cmds += n;
    *last = at;

    return i;
}

/* Where the scan of one frame is: what the prologue and the careful step share. */
struct scan_pos {
    struct gpu_audit_sub *s;
    struct gpu_audit_frame *f;
    struct gpu_audit_buf *b;
    unsigned int cls;
    uint32_t slow;            /* GPU_DISP_SLOW() of the class */
    uint32_t off;             /* next command */
    uint32_t last;            /* the last command the fast path took */
    uint32_t avail;           /* bytes copied */
    uint32_t stop;            /* the budget ends here */
    uint64_t cmds;
};

/*
 * At a command boundary, what the fast path may not see: the rest of a
 * command it took beyond the copy, the budget, the next header's presence
 * (or the end of a ring segment).  GPU_STEP_NEXT: the header at p->off is
 * in the copy and within the budget.
 */
static int scan_prologue(struct scan_pos *p)
{
    struct gpu_audit_buf *b = p->b;
    int rc;

    if ( unlikely(p->off > p->avail) )
    {
        /* The fast path's last command goes on past the copy. */
        rc = gpu_audit_sub_ensure(p->s, b, p->off);
        p->avail = b->len;
        if ( rc )
        {
            p->off = p->last;
            return rc == GPU_COPY_END ? XEN_GPU_AUDIT_CMD_OVERRUN : rc;
        }
    }

    if ( unlikely(p->off >= p->stop) )
    {
        p->f->off = b->scanned = p->off;
        return GPU_STEP_RESTART;
    }

    if ( unlikely(p->off + 4 > p->avail) )
    {
        /* A ring segment simply ends; a batch must end itself. */
        if ( b->wrap_size && p->off == b->limit )
        {
            b->scanned = p->off;
            gpu_audit_sub_pop(p->s);
            return GPU_STEP_FRAME;
        }
        rc = gpu_audit_sub_ensure(p->s, b, p->off + 4);
        p->avail = b->len;
        if ( rc == GPU_COPY_END )
            return p->avail ? XEN_GPU_AUDIT_NO_END : XEN_GPU_AUDIT_JUMP_UNMAPPED;
        if ( rc )
            return rc;
    }

    return GPU_STEP_NEXT;
}

/*
 * The careful path: the command at p->off, its header in the copy, with its
 * descriptor's rules; p->off goes past it (GPU_STEP_NEXT) or the outcome
 * is returned.
 */
static int scan_careful(struct scan_pos *p, struct gpu_audit_page *pg)
{
    struct gpu_audit_sub *s = p->s;
    const struct gpu_audit_table *t = s->t;
    const unsigned int engine = s->engine;
    struct gpu_audit_buf *b = p->b;
    const struct gpu_cmd_desc *d = NULL;
    uint32_t off = p->off, hdr, ent;
    unsigned int len;
    int rc;

    if ( unlikely(++p->cmds > s->v->limits.max_cmds) )
        return XEN_GPU_AUDIT_LIMIT_CMDS;

    hdr = pg->dw[(off % PAGE_SIZE) / 4];
    if ( hdr == 0 )
    {
        /* MI_NOOP */
        page_mark_start(pg, off);
        if ( unlikely(s->trace) )
            s->trace(s->priv, s, p->f->buf, off,
                     gpu_audit_lookup(t, engine, 0), 1, GPU_ACT_ALLOW);
        p->off = off + 4;
        return GPU_STEP_NEXT;
    }

    ent = gpu_audit_dispatch(t, engine, hdr);
    if ( unlikely(!ent) )
        return XEN_GPU_AUDIT_UNKNOWN_CMD;

    if ( likely(!(ent & p->slow)) )
        /* No rules, any length its field can express. */
        len = gpu_audit_fast_len(ent, hdr);
    else
    {
        d = &t->spec->cmds[(ent & GPU_DISP_IDX_MASK) - 1];
        len = gpu_audit_cmd_len(d, hdr);
        if ( len < d->len_min || len > d->len_max ||
             (d->len_set && !(d->len_set & (1u << len))) )
            return XEN_GPU_AUDIT_BAD_LENGTH;
    }

    if ( unlikely(off + 4 * len > p->avail) )
    {
        rc = gpu_audit_sub_ensure(s, b, off + 4 * len);
        p->avail = b->len;
        pg = &b->pages[off / PAGE_SIZE];   /* the array may have moved */
        if ( rc )
            return rc == GPU_COPY_END ? XEN_GPU_AUDIT_CMD_OVERRUN : rc;
    }

    page_mark_start(pg, off);
    if ( unlikely(s->trace) )
    {
        const struct gpu_cmd_desc *td = d ?: gpu_audit_lookup(t, engine, hdr);

        s->trace(s->priv, s, p->f->buf, off, td, len, td->policy[p->cls]);
    }

    if ( d && (d->flags & GPU_CF_CHECKED) )
    {
        struct cmd_ref r;

        cmd_ref_init(&r, b, off);
        p->f->off = b->scanned = off;
        s->cmds = p->cmds;
        if ( rules_apply(t, ent, d, &r, p->cls) )
        {
            rc = check_cmd(s, b, off, d, len, hdr, p->cls);
            if ( rc != GPU_STEP_NEXT )
                return rc;
        }
    }
    p->off = off + 4 * len;

    return GPU_STEP_NEXT;
}

/*
 * Scan until the frame stack is empty (returns 0), a rule is broken
 * (returns the reason), or budget bytes were scanned (returns
 * GPU_STEP_RESTART).
 *
 * Each pass of the loop takes the prologue at a command boundary; the fast
 * path then takes what it can of the page; a command it stops at gets the
 * careful path, one at a time.
 */
int gpu_audit_parser_scan(struct gpu_audit_sub *s, uint32_t budget)
{
    struct fast_ctx fc;
    uint32_t done = 0;

    /* Every call makes progress, whatever the budget. */
    if ( !budget )
        budget = 1;
    fast_init(&fc, s);

    while ( s->depth )
    {
        struct gpu_audit_frame *f = &s->frames[s->depth - 1];
        const uint32_t fbuf = f->buf, start = f->off;
        struct scan_pos p = {
            .s = s, .f = f, .b = &s->bufs[fbuf], .off = start, .last = start,
            .cmds = s->cmds,
        };
        int rc = GPU_STEP_NEXT;

        if ( done >= budget )
            return GPU_STEP_RESTART;
        p.cls = gpu_audit_sub_class(p.b);
        p.slow = GPU_DISP_SLOW(p.cls);
        p.avail = p.b->len;
        p.stop = budget - done > UINT32_MAX - start ? UINT32_MAX
                                                    : start + (budget - done);
        fast_set_frame(&fc, f, p.b, p.cls);

        while ( rc == GPU_STEP_NEXT )
        {
            uint32_t base;
            struct gpu_audit_page *pg;

            rc = scan_prologue(&p);
            if ( rc != GPU_STEP_NEXT )
                break;

            base = p.off & PAGE_MASK_BYTES;
            pg = &p.b->pages[p.off / PAGE_SIZE];
            if ( likely(!s->trace) )
            {
                uint32_t lim = base + PAGE_SIZE;
                unsigned int i, at, end;

                if ( lim > p.avail )
                    lim = p.avail;
                if ( lim > p.stop )
                    lim = p.stop;
                end = (lim - base + 3) / 4;
                fc.base = base;
                fc.avail = p.avail;
                i = scan_fast(&fc, pg, (p.off - base) / 4, end, &p.cmds, &at,
                              &rc);
                p.last = base + 4 * at;
                p.off = base + 4 * i;
                if ( rc != GPU_STEP_NEXT || i >= end )
                    continue;
            }

            rc = scan_careful(&p, pg);
        }

        s->cmds = p.cmds;
        if ( rc == GPU_STEP_FRAME )
        {
            /*
             * The command that changed the frames counts too, so a chain of
             * jumps spends the budget.  (bufs may have moved: no p.b here.)
             */
            done += s->bufs[fbuf].scanned - start;
            continue;
        }
        if ( rc == GPU_STEP_RESTART )
            return rc;
        /* Every other outcome is a reason: no step returns an errno. */
        ASSERT(rc > 0 && rc < XEN_GPU_AUDIT_NR);
        return gpu_audit_sub_reject(s, rc, f->buf, p.off);
    }

    return 0;
}
