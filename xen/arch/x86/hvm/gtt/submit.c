/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Submission glue (declared in <asm/hvm/gtt.h>): the guest's page-table roots, loaded by the
 * PDP LRIs the auditor recorded or named by a context image, become the
 * shadow roots of the engine, pinned while the GPU may use them.
 */
#include "vgpu.h"
#include <xen/gpu_audit.h>

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

/*
 * The PDP registers in the order of the spec's group: PDP0 low dword,
 * PDP0 high, .. PDP3 high.
 */
#define PDP_REGS      8

/*
 * Level and roots of the load record i (the rule in <asm/hvm/gtt.h>), or 0: a
 * register written twice counts with its last value, as on the GPU.
 */
static unsigned int load_roots(const struct gpu_audit_sub *s, unsigned int i,
                               uint64_t roots[4])
{
    const struct gpu_audit_pdp_load *ld = gpu_audit_get_pdp_load(s, i);
    uint32_t half[PDP_REGS] = { 0 };
    unsigned int j, written = 0;

    for ( j = 0; j < ld->nr; j++ )
    {
        const struct gpu_audit_pdp_write *w = gpu_audit_get_pdp_write(s, ld, j);

        if ( w->index >= PDP_REGS )
            return 0;
        half[w->index] = w->value;
        written |= 1u << w->index;
    }
    for ( j = 0; j < 4; j++ )
        roots[j] = ((uint64_t)half[2 * j + 1] << 32) | half[2 * j];
    if ( written == 0x03 )
    {
        roots[1] = roots[2] = roots[3] = 0;
        return GTT_ROOT_L4;
    }

    return written == 0xff ? GTT_ROOT_L3 : 0;
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

/*
 * Write into the copy, at every PDP write of load i, the half of sp's
 * shadow root it names, or (sp NULL) the guest's value again.
 */
static void redirect(struct gpu_audit_sub *s, unsigned int i,
                     const struct gtt_submit_space *sp)
{
    const struct gpu_audit_pdp_load *ld = gpu_audit_get_pdp_load(s, i);
    unsigned int j;

    for ( j = 0; j < ld->nr; j++ )
    {
        const struct gpu_audit_pdp_write *w = gpu_audit_get_pdp_write(s, ld, j);
        uint64_t root = sp ? sp->shadow[w->index / 2] : 0;
        int rc = gpu_audit_set_pdp_value(s, i, j, !sp ? w->value :
                                         w->index & 1 ? root >> 32 : root);

        /* An accepted submission, a record of it: cannot fail. */
        ASSERT(!rc);
        (void)rc;
    }
}

int gtt_submit_apply_pdp_loads(struct gtt_vgpu *gv, struct gpu_audit_sub *s,
                               unsigned int ctx_level,
                               struct gtt_submit_pins *pins)
{
    const struct gpu_audit_verdict *vd = gpu_audit_get_verdict(s);
    unsigned int i, nr = gpu_audit_nr_pdp_loads(s);
    int rc = GTT_OK;

    pins->nr = 0;
    if ( !vd || vd->reason != XEN_GPU_AUDIT_OK )
        return GTT_ERR_BAD_ROOT;

    /* Every load in turn: its space pinned, its shadow root written. */
    for ( i = 0; i < nr && rc == GTT_OK; i++ )
    {
        const struct gtt_submit_space *sp;
        uint64_t roots[4];
        unsigned int level = load_roots(s, i, roots);

        rc = level && level == ctx_level ? hold(gv, pins, level, roots, &sp)
                                         : GTT_ERR_BAD_ROOT;
        if ( rc == GTT_OK )
            redirect(s, i, sp);
    }
    if ( rc == GTT_OK )
        return rc;

    /* Refused: the copy as the guest wrote it, nothing pinned. */
    while ( i-- )
        redirect(s, i, NULL);
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
