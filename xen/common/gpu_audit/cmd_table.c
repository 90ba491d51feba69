/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Command tables: validation of a generated generation spec and the O(1)
 * indexes built from it (command dispatch, register whitelist).
 *
 * A spec that fails any check here is refused as a whole: the auditor never
 * runs on tables it cannot trust.
 */
#include "audit.h"

static const struct gpu_gen_spec *const gpu_specs[] = {
    &gpu_audit_spec_gen8,
    &gpu_audit_spec_gen9,
};

const struct gpu_gen_spec *gpu_audit_spec_for_gen(unsigned int gen)
{
    unsigned int i;

    for ( i = 0; i < ARRAY_SIZE(gpu_specs); i++ )
        if ( gpu_specs[i]->gen == gen )
            return gpu_specs[i];

    return NULL;
}

static bool cond_ok(const struct gpu_cmd_cond *c, unsigned int len_min)
{
    if ( !c->mask )
        return !c->val && !c->dw;
    return c->dw < len_min && !(c->val & ~c->mask);
}

static bool operand_ok(const struct gpu_cmd_desc *d,
                       const struct gpu_cmd_operand *o)
{
    unsigned int i, last = o->dw;

    if ( o->nr_conds > GPU_MAX_CONDS || !cond_ok(&o->ggtt, d->len_min) ||
         !cond_ok(&o->dup, d->len_min) )
        return false;
    /* Only an address may be written twice. */
    if ( o->dup.mask && o->kind != GPU_OPND_ADDR )
        return false;
    for ( i = 0; i < o->nr_conds; i++ )
        if ( !o->conds[i].mask || !cond_ok(&o->conds[i], d->len_min) )
            return false;

    switch ( o->kind )
    {
    case GPU_OPND_ADDR:
    case GPU_OPND_JUMP:
        if ( o->addr_dws < 1 || o->addr_dws > 2 )
            return false;
        last = o->dw + o->addr_dws - 1;
        if ( o->size_kind == GPU_SIZE_SHIFT &&
             (o->size_dw >= d->len_min || o->size_shift > 30 || !o->size) )
            return false;
        if ( o->size_kind == GPU_SIZE_SCALED && o->size_shift > 16 )
            return false;
        if ( o->size_kind > GPU_SIZE_SCALED )
            return false;
        if ( o->kind == GPU_OPND_JUMP && !(d->flags & GPU_CF_JUMP) )
            return false;
        break;

    case GPU_OPND_REG:
        if ( !o->access || o->access > (GPU_ACC_READ | GPU_ACC_WRITE) )
            return false;
        if ( o->value_dw && o->value_dw >= d->len_min )
            return false;
        break;

    case GPU_OPND_INDEX:
        /* A fixed access that fits the status page, no GGTT form of its own. */
        if ( o->addr_dws < 1 || o->addr_dws > 2 || o->ggtt.mask ||
             o->size_kind != GPU_SIZE_FIXED || !o->size ||
             o->size > GPU_STATUS_PAGE_BYTES )
            return false;
        last = o->dw + o->addr_dws - 1;
        break;

    case GPU_OPND_LRI:
        /* Pairs from .dw to the end: the length must leave room for one. */
        if ( o->dw != 1 || d->len_min < 3 )
            return false;
        break;

    default:
        return false;
    }

    /* Every dword an operand names must exist in the shortest form. */
    return last < d->len_min && o->dw > 0;
}

static bool desc_ok(const struct gpu_gen_spec *s, const struct gpu_cmd_desc *d)
{
    unsigned int i;

    if ( !d->name || !d->engines || (d->engines & ~GPU_ENG_ALL) )
        return false;
    if ( d->opcode >= gpu_cmd_opcode_slots(d->type) )
        return false;
    if ( d->type != GPU_CMD_TYPE_MI && d->type != GPU_CMD_TYPE_2D &&
         d->type != GPU_CMD_TYPE_3D )
        return false;
    for ( i = 0; i < XEN_GPU_ENGINE_NR; i++ )
        if ( (d->engines & (1u << i)) && !(s->engines[i].types & (1u << d->type)) )
            return false;

    /* Length: a fixed length of 1..64 dwords, or a field of sane width. */
    if ( d->len_bits )
    {
        if ( d->len_bits > 16 || !d->len_bias || d->len_bias > 2 )
            return false;
        if ( d->len_min < d->len_bias ||
             d->len_max > (1u << d->len_bits) - 1 + d->len_bias )
            return false;
    }
    else if ( d->len_min != d->len_max || !d->len_min || d->len_min > 64 )
        return false;
    if ( d->len_min > d->len_max || !d->len_min )
        return false;
    if ( d->len_set && (d->len_max >= 32 ||
                        !(d->len_set & (1u << d->len_min)) ||
                        !(d->len_set & (1u << d->len_max))) )
        return false;

    for ( i = 0; i < GPU_CLASS_NR; i++ )
        if ( d->policy[i] > GPU_ACT_EVENT )
            return false;
    if ( d->nr_operands > GPU_MAX_OPERANDS || d->nr_deny > GPU_MAX_DENY )
        return false;
    for ( i = 0; i < d->nr_operands; i++ )
        if ( !operand_ok(d, &d->operands[i]) )
            return false;
    for ( i = 0; i < d->nr_deny; i++ )
        if ( !d->deny[i].cond.mask || !cond_ok(&d->deny[i].cond, d->len_min) ||
             !d->deny[i].reason || d->deny[i].reason >= XEN_GPU_AUDIT_NR )
            return false;

    for ( i = 0; i < d->nr_mem; i++ )
    {
        const struct gpu_mem_field *m = &d->mem[i];

        if ( !m->dw || m->dws < 1 || m->dws > 2 || m->dw + m->dws > d->len_max ||
             (m->stride && m->stride < m->dws) )
            return false;
    }

    /* The fast path skips commands without this flag: it must be exact. */
    if ( !(d->flags & GPU_CF_CHECKED) !=
         !(d->nr_operands || d->nr_deny || (d->flags & (GPU_CF_END | GPU_CF_JUMP)) ||
           d->policy[0] || d->policy[1] || d->policy[2]) )
        return false;

    return true;
}

static int cmd_order(const struct gpu_cmd_desc *a, const struct gpu_cmd_desc *b)
{
    if ( a->type != b->type )
        return a->type < b->type ? -1 : 1;
    if ( a->opcode != b->opcode )
        return a->opcode < b->opcode ? -1 : 1;
    return 0;
}

static int spec_validate(const struct gpu_gen_spec *s)
{
    unsigned int i;

    if ( !s->nr_cmds || s->nr_cmds >= 0xffff )
        return -EINVAL;

    for ( i = 0; i < XEN_GPU_ENGINE_NR; i++ )
    {
        uint8_t t = s->engines[i].types;

        /* MI plus exactly one other type. */
        if ( !(t & (1u << GPU_CMD_TYPE_MI)) )
            return -EINVAL;
        t &= ~(1u << GPU_CMD_TYPE_MI);
        if ( t != (1u << GPU_CMD_TYPE_2D) && t != (1u << GPU_CMD_TYPE_3D) )
            return -EINVAL;
    }

    for ( i = 0; i < s->nr_cmds; i++ )
    {
        if ( !desc_ok(s, &s->cmds[i]) )
        {
            printk(XENLOG_ERR "gpu_audit: %s: bad descriptor %u (%s)\n",
                   s->name, i, s->cmds[i].name ?: "?");
            return -EINVAL;
        }
        /* Sorted; equal opcodes only on disjoint engines. */
        if ( i && cmd_order(&s->cmds[i - 1], &s->cmds[i]) > 0 )
            return -EINVAL;
        if ( i && !cmd_order(&s->cmds[i - 1], &s->cmds[i]) &&
             (s->cmds[i - 1].engines & s->cmds[i].engines) )
            return -EINVAL;
    }

    /* reg_rows holds an index + 1 in 16 bits. */
    if ( s->nr_regs >= 0xffff )
        return -EINVAL;
    for ( i = 0; i < s->nr_regs; i++ )
    {
        const struct gpu_reg_desc *r = &s->regs[i];

        if ( (r->offset & ~GPU_REG_OFFSET_MASK) || !r->engines || !r->access ||
             (r->engines & ~GPU_ENG_ALL) ||
             (i && s->regs[i - 1].offset >= r->offset) )
            return -EINVAL;
        if ( !(r->flags & GPU_RF_MASKED) && r->masked_bits )
            return -EINVAL;
    }

    return 0;
}

/* Dispatch entry of descriptor i (see GPU_DISP_*). */
static uint32_t dispatch_entry(const struct gpu_cmd_desc *d, unsigned int i)
{
    uint32_t ent = i + 1;
    bool limited = d->len_bits &&
                   (d->len_set || d->len_min != d->len_bias ||
                    d->len_max != (1u << d->len_bits) - 1 + d->len_bias);
    bool rules = d->nr_operands || d->nr_deny ||
                 (d->flags & (GPU_CF_END | GPU_CF_JUMP));
    unsigned int cls;

    BUILD_BUG_ON(GPU_DISP_SLOW_SHIFT + GPU_CLASS_NR > GPU_DISP_LBITS_SHIFT);
    for ( cls = 0; cls < GPU_CLASS_NR; cls++ )
        if ( rules || limited || d->policy[cls] != GPU_ACT_ALLOW ||
             (!d->len_bits && d->len_min > 0xff) )
            ent |= GPU_DISP_SLOW(cls);

    /* Fixed length: a zero-width field plus the length itself. */
    return ent | ((uint32_t)d->len_bits << GPU_DISP_LBITS_SHIFT) |
           ((uint32_t)(d->len_bits ? d->len_bias : d->len_min)
            << GPU_DISP_ADD_SHIFT);
}

/*
 * The length form (field width and bias) most commands of an engine's
 * typed type share; 0 if none has a length field.
 */
static uint32_t typed_form(const struct gpu_audit_dispatch *dp)
{
    unsigned int count[17][3] = { { 0 } }, i, bits, bias, best_n = 0;
    uint32_t best = 0;

    for ( i = 0; i < dp->mi_base; i++ )
    {
        bits = (dp->slots[i] >> GPU_DISP_LBITS_SHIFT) & 0x1f;
        bias = dp->slots[i] >> GPU_DISP_ADD_SHIFT;
        /* desc_ok(): a field of at most 16 bits, a bias of 1 or 2. */
        if ( !dp->slots[i] || !bits || bits > 16 || bias > 2 )
            continue;
        if ( ++count[bits][bias] > best_n )
        {
            best_n = count[bits][bias];
            best = dp->slots[i] & GPU_DISP_FORM_MASK;
        }
    }

    return best;
}

/*
 * Bits of dword dw that a condition needs set to hold, or 0: (x & m) == v
 * with v != 0 needs a bit of v, (x & m) != 0 a bit of m.
 */
static uint32_t cond_needs(const struct gpu_cmd_cond *c, unsigned int dw)
{
    if ( !c->mask || c->dw != dw )
        return 0;
    if ( !c->ne )
        return c->val;
    return c->val ? 0 : c->mask;
}

/* Bits of dword dw one of which an operand needs set to apply, or 0. */
static uint32_t operand_needs(const struct gpu_cmd_desc *d,
                              const struct gpu_cmd_operand *o, unsigned int dw)
{
    uint32_t m = 0;
    unsigned int i;

    /* An address neither GGTT nor stored to has no rule (parser.c). */
    if ( o->kind == GPU_OPND_ADDR && !(d->flags & GPU_CF_STORE) )
        m = cond_needs(&o->ggtt, dw);
    for ( i = 0; !m && i < o->nr_conds; i++ )
        m = cond_needs(&o->conds[i], dw);

    return m;
}

/* struct gpu_audit_idle of a descriptor: some dword every rule needs. */
static struct gpu_audit_idle idle_of(const struct gpu_cmd_desc *d)
{
    struct gpu_audit_idle idle = { 0, 0 };
    unsigned int dw, i;

    if ( d->flags & (GPU_CF_END | GPU_CF_JUMP) )
        return idle;

    for ( dw = 1; dw < d->len_min; dw++ )
    {
        uint32_t mask = 0, m;

        for ( i = 0; i < d->nr_deny; i++ )
        {
            if ( !(m = cond_needs(&d->deny[i].cond, dw)) )
                break;
            mask |= m;
        }
        if ( i < d->nr_deny )
            continue;
        for ( i = 0; i < d->nr_operands; i++ )
        {
            if ( !(m = operand_needs(d, &d->operands[i], dw)) )
                break;
            mask |= m;
        }
        if ( i == d->nr_operands && mask )
        {
            idle.mask = mask;
            idle.dw = dw;
            break;
        }
    }

    return idle;
}

/* The parser's fast-path bitmaps (struct gpu_audit_dispatch). */
static int typed_fast_init(struct gpu_audit_dispatch *dp)
{
    unsigned int bits = GPU_TYPED_FAST_BITS(dp), words = bits / 32, cls, idx;
    unsigned int first = dp->typed_type << (29 - dp->typed_shift);

    dp->typed_form = typed_form(dp);
    dp->typed_fast = xzalloc_array(uint32_t, GPU_CLASS_NR * words);
    if ( !dp->typed_fast )
        return -ENOMEM;
    if ( !dp->typed_form )
        return 0;

    /*
     * Index: header >> typed_shift, the type in its top 3 bits.  The typed
     * type is never MI (spec_validate()), so no MI header has a bit here.
     */
    for ( cls = 0; cls < GPU_CLASS_NR; cls++ )
        for ( idx = first; idx <= first + dp->typed_mask; idx++ )
        {
            uint32_t ent = dp->slots[idx & dp->typed_mask];

            if ( ent && (ent & (GPU_DISP_SLOW(cls) | GPU_DISP_FORM_MASK)) ==
                        dp->typed_form )
                dp->typed_fast[cls * words + idx / 32] |= 1u << (idx % 32);
        }

    return 0;
}

/* The register index (struct gpu_audit_table, gpu_audit_reg_lookup()). */
static int reg_index_init(struct gpu_audit_table *t)
{
    const struct gpu_gen_spec *s = t->spec;
    unsigned int i, rows = 1, block;

    /* Row numbers in the order blocks are first met: none is 0. */
    t->reg_dir = xzalloc_array(uint16_t, GPU_REG_DIR_SLOTS);
    if ( !t->reg_dir )
        return -ENOMEM;
    for ( i = 0; i < s->nr_regs; i++ )
    {
        block = s->regs[i].offset >> GPU_REG_BLOCK_SHIFT;
        if ( !t->reg_dir[block] )
            t->reg_dir[block] = rows++;
    }

    /* spec_validate(): offsets within the mask, strictly increasing. */
    t->reg_rows = xzalloc_array(uint16_t, rows * GPU_REG_ROW_SLOTS);
    if ( !t->reg_rows )
        return -ENOMEM;
    for ( i = 0; i < s->nr_regs; i++ )
        t->reg_rows[gpu_audit_reg_slot(t, s->regs[i].offset)] = i + 1;

    return 0;
}

int gpu_audit_table_init(struct gpu_audit_table *t,
                         const struct gpu_gen_spec *spec)
{
    unsigned int e, i;
    int rc;

    memset(t, 0, sizeof(*t));
    rc = spec_validate(spec);
    if ( rc )
        return rc;

    t->spec = spec;
    t->idle = xmalloc_array(struct gpu_audit_idle, spec->nr_cmds);
    if ( !t->idle )
    {
        gpu_audit_table_destroy(t);
        return -ENOMEM;
    }
    for ( i = 0; i < spec->nr_cmds; i++ )
        t->idle[i] = idle_of(&spec->cmds[i]);

    rc = reg_index_init(t);
    if ( rc )
    {
        gpu_audit_table_destroy(t);
        return rc;
    }

    for ( e = 0; e < XEN_GPU_ENGINE_NR; e++ )
    {
        struct gpu_audit_dispatch *dp = &t->eng[e];
        unsigned int type = spec->engines[e].types & (1u << GPU_CMD_TYPE_2D)
                            ? GPU_CMD_TYPE_2D : GPU_CMD_TYPE_3D;

        dp->typed_type = type;
        dp->typed_shift = type == GPU_CMD_TYPE_2D ? 22 : 16;
        dp->typed_mask = gpu_cmd_opcode_slots(type) - 1;
        dp->mi_base = gpu_cmd_opcode_slots(type);
        /* typed slots, 64 MI slots, one empty slot */
        dp->slots = xzalloc_array(uint32_t, dp->mi_base + 0x40 + 1);
        if ( !dp->slots )
        {
            gpu_audit_table_destroy(t);
            return -ENOMEM;
        }

        for ( i = 0; i < spec->nr_cmds; i++ )
        {
            const struct gpu_cmd_desc *d = &spec->cmds[i];
            uint32_t *slot;

            if ( !(d->engines & (1u << e)) )
                continue;
            if ( d->type == GPU_CMD_TYPE_MI )
                slot = &dp->slots[dp->mi_base + d->opcode];
            else if ( d->type == type )
                slot = &dp->slots[d->opcode];
            else
                continue;
            if ( *slot )
            {
                gpu_audit_table_destroy(t);
                return -EINVAL;
            }
            *slot = dispatch_entry(d, i);
        }
        rc = typed_fast_init(dp);
        if ( rc )
        {
            gpu_audit_table_destroy(t);
            return rc;
        }
    }

    /* The MI_NOOP fast path relies on header 0 being MI_NOOP everywhere. */
    for ( e = 0; e < XEN_GPU_ENGINE_NR; e++ )
    {
        const struct gpu_cmd_desc *d = gpu_audit_lookup(t, e, 0);

        if ( !d || d->len_bits || d->len_min != 1 || (d->flags & GPU_CF_CHECKED) )
        {
            gpu_audit_table_destroy(t);
            return -EINVAL;
        }
    }

    return 0;
}

void gpu_audit_table_destroy(struct gpu_audit_table *t)
{
    unsigned int e;

    for ( e = 0; e < XEN_GPU_ENGINE_NR; e++ )
    {
        xfree(t->eng[e].slots);
        t->eng[e].slots = NULL;
        xfree(t->eng[e].typed_fast);
        t->eng[e].typed_fast = NULL;
    }
    xfree(t->idle);
    t->idle = NULL;
    xfree(t->reg_dir);
    t->reg_dir = NULL;
    xfree(t->reg_rows);
    t->reg_rows = NULL;
    t->spec = NULL;
}

struct gpu_audit_table *gpu_audit_table_create(unsigned int gen)
{
    const struct gpu_gen_spec *spec = gpu_audit_spec_for_gen(gen);
    struct gpu_audit_table *t;

    if ( !spec )
        return NULL;
    t = xzalloc(struct gpu_audit_table);
    if ( !t )
        return NULL;
    if ( gpu_audit_table_init(t, spec) )
    {
        xfree(t);
        return NULL;
    }

    return t;
}

void gpu_audit_table_free(struct gpu_audit_table *t)
{
    if ( !t )
        return;
    gpu_audit_table_destroy(t);
    xfree(t);
}

/*
 * The address-bearing dwords of a command of len dwords: writes the first
 * dword of each address (bit 15 set for a 32-bit address) into out, at most
 * max of them, and returns how many the command has.
 */
unsigned int gpu_audit_cmd_mem(const struct gpu_cmd_desc *d, unsigned int len,
                               uint16_t *out, unsigned int max)
{
    unsigned int i, n = 0, dw;

    for ( i = 0; i < d->nr_mem; i++ )
    {
        const struct gpu_mem_field *m = &d->mem[i];

        for ( dw = m->dw; dw + m->dws <= len; dw += m->stride )
        {
            if ( n < max )
                out[n] = dw | (m->dws == 1 ? GPU_MEM_DW32 : 0);
            n++;
            if ( !m->stride )
                break;
        }
    }

    return n;
}
