/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Submission glue (submit.h): the guest's page-table roots, loaded by the
 * PDP LRIs the auditor noted or named by a context image, become the
 * shadow roots of the engine, pinned while the GPU may use them.
 */
#include "vgpu.h"
#include "submit.h"

/* PDP registers: ring+0x270 (PDP0 low dword) .. ring+0x28c (PDP3 high). */
#define PDP_REG_FIRST 0x270u
#define PDP_REGS      8

/*
 * Under v->lock: create the space of roots unless the engine knows it;
 * a known root must have the same level and PDPs.
 */
static int space_find_or_create(struct gtt_vgpu *v, unsigned int level,
                                const uint64_t roots[4], bool *created)
{
    unsigned int nr = level == GTT_ROOT_L4 ? 1 : 4, known_level;
    uint64_t known[4];
    int rc;

    *created = false;
    if ( gtt_ppgtt_lookup_locked(v, roots[0], &known_level, known) == GTT_OK )
        return known_level == level &&
               !memcmp(known, roots, nr * sizeof(*roots))
               ? GTT_OK : GTT_ERR_BAD_ROOT;

    rc = gtt_ppgtt_create_locked(v, level, roots);
    *created = rc == GTT_OK;

    return rc;
}

/* Pin the space of roots, creating it if unknown. */
static int space_pin(struct gtt_vgpu *v, unsigned int level,
                     const uint64_t roots[4], uint64_t shadow[4],
                     bool *created)
{
    int rc;

    if ( level != GTT_ROOT_L3 && level != GTT_ROOT_L4 )
        return GTT_ERR_BAD_ROOT;

    spin_lock(&v->lock);
    rc = space_find_or_create(v, level, roots, created);
    spin_unlock(&v->lock);
    if ( rc != GTT_OK )
        return rc;

    /* A destroy notification in between: the root is gone, refused. */
    rc = gtt_ppgtt_pin(v, roots[0], shadow);
    if ( rc != GTT_OK && *created )
        gtt_ppgtt_destroy(v, roots[0]);

    return rc;
}

/* Undo a space_pin(): what this holder created goes too, if unused. */
static void space_unpin(struct gtt_vgpu *v, uint64_t root, bool destroy)
{
    gtt_ppgtt_unpin(v, root);
    if ( destroy )
        gtt_ppgtt_destroy(v, root);
}

int gtt_submit_ctx_roots(struct gtt_vgpu *gv, unsigned int level,
                         const uint64_t guest_pdps[4],
                         uint64_t shadow_roots[4])
{
    bool created;

    return space_pin(gv, level, guest_pdps, shadow_roots, &created);
}

int gtt_submit_ctx_release(struct gtt_vgpu *gv, uint64_t root_gpa)
{
    return gtt_ppgtt_unpin(gv, root_gpa);
}

/* The values one LRI writes to the PDP registers. */
struct pdp_load {
    uint32_t half[PDP_REGS];
    unsigned int written;         /* bit per register */
};

/* Register index 0..7 of a noted PDP register, or -1. */
static int pdp_index(uint32_t reg)
{
    uint32_t off = (reg & 0xfff) - PDP_REG_FIRST;

    return off < 4 * PDP_REGS && !(off & 3) ? off / 4 : -1;
}

/* Whether no command starts in (a, z] of b: offsets of one command. */
static bool same_cmd(const struct gpu_audit_buf *b, uint32_t a, uint32_t z)
{
    uint32_t o;

    if ( z <= a )
        return false;
    for ( o = a + 4; o <= z; o += 4 )
        if ( gpu_audit_buf_is_start(b, o) )
            return false;

    return true;
}

/*
 * The notes of the PDP load starting at note first: every PDP note of the
 * same command.  Returns the index after its last note, or -1 if a
 * register is not a PDP.
 */
static int gather(const struct gpu_audit_sub *s, unsigned int first,
                  struct pdp_load *ld)
{
    const struct gpu_audit_note *n0 = gpu_audit_get_note(s, first);
    const struct gpu_audit_buf *b = gpu_audit_get_buf(s, n0->buf);
    unsigned int i, nr = gpu_audit_nr_notes(s), end = first + 1;
    uint32_t last = n0->offset;

    ld->written = 0;
    for ( i = first; i < nr; i++ )
    {
        const struct gpu_audit_note *n = gpu_audit_get_note(s, i);
        int r;

        if ( n->kind != GPU_NOTE_PDP_LOAD )
            continue;
        if ( i != first &&
             (n->buf != n0->buf || !same_cmd(b, last, n->offset)) )
            break;
        r = pdp_index(n->header);
        if ( r < 0 )
            return -1;
        ld->half[r] = gpu_audit_buf_dw(b, n->offset / 4);
        ld->written |= 1u << r;
        last = n->offset;
        end = i + 1;
    }

    return end;
}

/* Level and roots of a load (the rule in submit.h), or 0. */
static unsigned int load_roots(const struct pdp_load *ld, uint64_t roots[4])
{
    unsigned int i;

    for ( i = 0; i < 4; i++ )
        roots[i] = ((uint64_t)ld->half[2 * i + 1] << 32) | ld->half[2 * i];
    if ( ld->written == 0x03 )
    {
        roots[1] = roots[2] = roots[3] = 0;
        return GTT_ROOT_L4;
    }

    return ld->written == 0xff ? GTT_ROOT_L3 : 0;
}

/* The space of a load, pinned once per submission. */
static int hold(struct gtt_vgpu *v, struct gtt_submit_pins *pins,
                unsigned int level, const uint64_t roots[4],
                const struct gtt_submit_space **out)
{
    struct gtt_submit_space *sp;
    unsigned int i;
    int rc;

    for ( i = 0; i < pins->nr; i++ )
    {
        sp = &pins->space[i];
        if ( sp->guest[0] != roots[0] )
            continue;
        if ( sp->level != level ||
             memcmp(sp->guest, roots, sizeof(sp->guest)) )
            return GTT_ERR_BAD_ROOT;
        *out = sp;
        return GTT_OK;
    }
    if ( pins->nr == GTT_SUBMIT_MAX_SPACES )
        return GTT_ERR_QUOTA;

    sp = &pins->space[pins->nr];
    rc = space_pin(v, level, roots, sp->shadow, &sp->created);
    if ( rc != GTT_OK )
        return rc;
    sp->level = level;
    memcpy(sp->guest, roots, sizeof(sp->guest));
    pins->nr++;
    *out = sp;

    return GTT_OK;
}

/* Write the shadow halves into the copy at every PDP note of a load. */
static int redirect(struct gpu_audit_sub *s, unsigned int first,
                    unsigned int end, const struct gtt_submit_space *sp)
{
    unsigned int i;

    for ( i = first; i < end; i++ )
    {
        const struct gpu_audit_note *n = gpu_audit_get_note(s, i);
        int r;
        uint64_t root;

        if ( n->kind != GPU_NOTE_PDP_LOAD )
            continue;
        r = pdp_index(n->header);
        root = sp->shadow[r / 2];
        if ( gpu_audit_set_pdp_value(s, i, r & 1 ? root >> 32 : root) )
            return GTT_ERR_BAD_ROOT;
    }

    return GTT_OK;
}

/*
 * Every load of s in turn: pinned on the first pass, written into the copy
 * on the second, so that a refusal leaves the copy as the guest wrote it.
 */
static int for_each_load(struct gtt_vgpu *v, struct gpu_audit_sub *s,
                         unsigned int ctx_level, struct gtt_submit_pins *pins,
                         bool write)
{
    unsigned int i = 0, nr = gpu_audit_nr_notes(s);

    while ( i < nr )
    {
        const struct gtt_submit_space *sp;
        struct pdp_load ld;
        uint64_t roots[4];
        unsigned int level;
        int end, rc;

        if ( gpu_audit_get_note(s, i)->kind != GPU_NOTE_PDP_LOAD )
        {
            i++;
            continue;
        }
        end = gather(s, i, &ld);
        if ( end < 0 || !(level = load_roots(&ld, roots)) ||
             level != ctx_level )
            return GTT_ERR_BAD_ROOT;
        rc = hold(v, pins, level, roots, &sp);
        if ( rc == GTT_OK && write )
            rc = redirect(s, i, end, sp);
        if ( rc != GTT_OK )
            return rc;
        i = end;
    }

    return GTT_OK;
}

int gtt_submit_apply_pdp_loads(struct gtt_vgpu *gv, struct gpu_audit_sub *s,
                               unsigned int ctx_level,
                               struct gtt_submit_pins *pins)
{
    const struct gpu_audit_verdict *vd = gpu_audit_get_verdict(s);
    int rc;

    pins->nr = 0;
    if ( !vd || vd->reason != XEN_GPU_AUDIT_OK )
        return GTT_ERR_BAD_ROOT;

    rc = for_each_load(gv, s, ctx_level, pins, false);
    if ( rc == GTT_OK )
        rc = for_each_load(gv, s, ctx_level, pins, true);
    if ( rc != GTT_OK )
        while ( pins->nr )
        {
            const struct gtt_submit_space *sp = &pins->space[--pins->nr];

            space_unpin(gv, sp->guest[0], sp->created);
        }

    return rc;
}

void gtt_submit_release(struct gtt_vgpu *gv, struct gtt_submit_pins *pins)
{
    while ( pins->nr )
        space_unpin(gv, pins->space[--pins->nr].guest[0], false);
}
