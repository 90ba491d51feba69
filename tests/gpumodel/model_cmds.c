/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the commands the model executes do, decoded from the PRM's field
 * layouts (not from the auditor's operand rules): the MI memory and
 * register commands, PIPE_CONTROL's post-sync operations, and for every
 * other command a read of each address its spec's mem= fields name.
 *
 * The GGTT bit of a command is honoured in every buffer class: an
 * address the hardware would take in the GGTT must have been refused or
 * range-checked by the auditor, whatever the class.
 */
#include "model_priv.h"

#define MEM_FIELDS_MAX 64

static uint64_t addr_at(const uint32_t *dw, unsigned int i, uint32_t lo_mask)
{
    return model_addr(dw[i], dw[i + 1], lo_mask);
}

/* Every address a command's mem= fields name: one read of its page. */
static void exec_mem_fields(struct gpu_model_run *r, const uint32_t *dw,
                            unsigned int len, const struct gpu_cmd_desc *d)
{
    uint16_t f[MEM_FIELDS_MAX];
    unsigned int i, n = gpu_audit_cmd_mem(d, len, f, MEM_FIELDS_MAX);
    unsigned int space;

    /* 3D, media and video state lives in the context's PPGTT. */
    if ( GPU_HW_TYPE(dw[0]) == GPU_CMD_TYPE_3D || r->cls == GPU_CLASS_PPGTT )
        space = GPU_SPACE_PPGTT;
    else
        space = GPU_SPACE_GGTT;
    if ( n > MEM_FIELDS_MAX )
        n = MEM_FIELDS_MAX;
    for ( i = 0; i < n; i++ )
    {
        unsigned int at = f[i] & ~GPU_MEM_DW32;
        uint64_t a;

        if ( f[i] & GPU_MEM_DW32 )
            a = dw[at];
        else if ( at + 1 < len )
            a = addr_at(dw, at, ~0u);
        else
            continue;
        model_touch(r, space, a & ~(uint64_t)(PAGE_SIZE - 1), false);
    }
}

/* MI_CONDITIONAL_BATCH_BUFFER_END: ends the batch unless memory > data. */
static void exec_cond_bbe(struct gpu_model_run *r, const uint32_t *dw)
{
    uint32_t v[2] = { 0, 0 };
    bool mask = dw[0] & MI_HW_CBBE_MASK_MODE;

    model_access(r, model_space(dw[0] & MI_HW_GGTT), addr_at(dw, 2, ~7u), v,
                 mask ? 8 : 4, false);
    if ( mask )
        v[0] &= v[1];
    if ( (dw[0] & MI_HW_CBBE_COMPARE) && v[0] <= dw[1] )
        model_bb_end(r);
}

/*
 * MI_STORE_DATA_IMM.  In core mode (DW1 bit 0) the hardware writes the
 * data one size past the address (the second core's slot, as GVT-g reads
 * it); the model writes both places, the union of what the hardware may do.
 */
static void exec_sdi(struct gpu_model_run *r, const uint32_t *dw,
                     unsigned int len)
{
    unsigned int space = model_space(dw[0] & MI_HW_GGTT);
    uint64_t a = addr_at(dw, 1, ~3u);

    model_access(r, space, a, (void *)&dw[3], (len - 3) * 4, true);
    if ( dw[1] & MI_HW_SDI_CORE_MODE )
        model_access(r, space, a + (len - 3) * 4, (void *)&dw[3],
                     (len - 3) * 4, true);
}

/*
 * A Store Data Index write: into the context's status page at a byte
 * offset.  The page is the first of the context image; past it lies the
 * register state Xen audited, which no command may write.
 */
static void exec_store_index(struct gpu_model_run *r, uint64_t off)
{
    if ( off > GPU_HW_STATUS_PAGE - 8 )
        gpu_check_fail(r->chk, GPU_V_UNAUDITED,
                       "store index 0x%llx writes the context image past "
                       "its status page", (unsigned long long)off);
}

/*
 * MI_CLFLUSH: from the Starting Cacheline Offset (DW1 11:6) of the page,
 * one half cache line (32 bytes) per dword after the address; every page
 * that range reaches is touched.
 */
static void exec_clflush(struct gpu_model_run *r, const uint32_t *dw,
                         unsigned int len)
{
    unsigned int space = model_space(dw[0] & MI_HW_GGTT);
    uint64_t a = addr_at(dw, 1, ~0x3fu), end = a + 32ull * (len - 3), p;

    model_touch(r, space, a & ~0xfffull, false);
    for ( p = (a & ~0xfffull) + 0x1000; p < end; p += 0x1000 )
        model_touch(r, space, p, false);
}

/* MI_SEMAPHORE_WAIT: polls memory, or on Gen9 a register (bit 16). */
static void exec_sem_wait(struct gpu_model_run *r, const uint32_t *dw)
{
    if ( (dw[0] & MI_HW_SEM_REG_POLL) && r->c->table->spec->gen >= 9 )
    {
        model_reg_read(r, dw[2]);
        return;
    }
    model_access(r, model_space(dw[0] & MI_HW_GGTT), addr_at(dw, 2, ~3u),
                 NULL, 4, false);
}

static void exec_lri(struct gpu_model_run *r, const uint32_t *dw,
                     unsigned int len)
{
    unsigned int i;

    for ( i = 1; i + 1 < len; i += 2 )
        model_reg_write(r, dw[i], dw[i + 1]);
}

static void exec_srm(struct gpu_model_run *r, const uint32_t *dw)
{
    uint32_t v = model_reg_read(r, dw[1]);

    model_access(r, model_space(dw[0] & MI_HW_GGTT), addr_at(dw, 2, ~3u), &v,
                 4, true);
}

static void exec_lrm(struct gpu_model_run *r, const uint32_t *dw)
{
    uint32_t v;

    model_access(r, model_space(dw[0] & MI_HW_GGTT), addr_at(dw, 2, ~3u), &v,
                 4, false);
    model_reg_write(r, dw[1], v);
}

static void exec_copy_mem_mem(struct gpu_model_run *r, const uint32_t *dw)
{
    uint32_t v;

    model_access(r, model_space(dw[0] & MI_HW_CMM_SRC_GGTT),
                 addr_at(dw, 3, ~3u), &v, 4, false);
    model_access(r, model_space(dw[0] & MI_HW_CMM_DST_GGTT),
                 addr_at(dw, 1, ~3u), &v, 4, true);
}

/*
 * The new value of a 4- or 8-byte MI_ATOMIC (AND to SUB, operand inline);
 * the old one for every other operation.
 */
static uint64_t atomic_op(const uint32_t *dw, unsigned int len,
                          unsigned int size, uint64_t old)
{
    unsigned int op = MI_HW_ATOMIC_OP(dw[0]);
    bool inl = (dw[0] & MI_HW_ATOMIC_INLINE) && len > 4;
    uint64_t src = inl ? dw[3] | ((uint64_t)dw[4] << 32) : 0;

    if ( (op >> 4) != (size == 8 ? 2 : size == 4 ? 0 : ~0u) )
        return old;
    switch ( op & 0xf )
    {
    case ATOMIC_INC:
        return old + 1;
    case ATOMIC_DEC:
        return old - 1;
    }
    if ( !inl )
        return old;
    switch ( op & 0xf )
    {
    case ATOMIC_AND:
        return old & src;
    case ATOMIC_OR:
        return old | src;
    case ATOMIC_XOR:
        return old ^ src;
    case ATOMIC_MOVE:
        return src;
    case ATOMIC_ADD:
        return old + src;
    case ATOMIC_SUB:
        return old - src;
    }

    return old;
}

/* MI_ATOMIC: read-modify-write of 4 << size bytes. */
static void exec_atomic(struct gpu_model_run *r, const uint32_t *dw,
                        unsigned int len)
{
    uint32_t v[4] = { 0, 0, 0, 0 };
    unsigned int size = 4u << MI_HW_ATOMIC_SIZE(dw[0]);
    unsigned int space = model_space(dw[0] & MI_HW_GGTT);
    uint64_t a = addr_at(dw, 1, ~3u), val;

    if ( size > sizeof(v) )
        size = sizeof(v);
    model_access(r, space, a, v, size, false);
    val = atomic_op(dw, len, size, v[0] | ((uint64_t)v[1] << 32));
    v[0] = val;
    if ( size == 8 )
        v[1] = val >> 32;
    model_access(r, space, a, v, size, true);
}

/* MI_FLUSH_DW post-sync write: 8 bytes, DW1 bit 2 selects the GGTT. */
static void exec_flush_dw(struct gpu_model_run *r, const uint32_t *dw,
                          unsigned int len)
{
    uint32_t v[2] = { dw[3], len > 4 ? dw[4] : 0 };

    if ( !MI_HW_POST_SYNC(dw[0]) )
        return;
    if ( dw[0] & MI_HW_STORE_INDEX )
    {
        exec_store_index(r, addr_at(dw, 1, ~7u));
        return;
    }
    model_access(r, model_space(dw[1] & MI_HW_FLUSH_DW_GGTT),
                 addr_at(dw, 1, ~7u), v, 8, true);
}

/* PIPE_CONTROL: LRI post-op, or a post-sync write of 8 bytes. */
static void exec_pipe_control(struct gpu_model_run *r, const uint32_t *dw,
                              unsigned int len)
{
    uint32_t v[2] = { 0, 0 };

    if ( len < 6 )
        return;
    if ( dw[1] & PC_HW_LRI_POST_OP )
    {
        model_reg_write(r, dw[2], dw[4]);
        return;
    }
    if ( !PC_HW_POST_SYNC(dw[1]) )
        return;
    if ( dw[1] & PC_HW_STORE_INDEX )
    {
        exec_store_index(r, addr_at(dw, 2, ~7u));
        return;
    }
    if ( PC_HW_POST_SYNC(dw[1]) == 1 )
    {
        v[0] = dw[4];
        v[1] = dw[5];
    }
    model_access(r, model_space(dw[1] & PC_HW_GGTT), addr_at(dw, 2, ~3u), v,
                 8, true);
}

static void exec_mi(struct gpu_model_run *r, const uint32_t *dw,
                    unsigned int len, const struct gpu_cmd_desc *d)
{
    switch ( GPU_HW_MI_OP(dw[0]) )
    {
    case MI_OP_BB_END:
        model_bb_end(r);
        return;
    case MI_OP_BB_START:
        if ( len >= 3 )
            model_bb_start(r, dw);
        return;
    case MI_OP_COND_BB_END:
        if ( len >= 4 )
            exec_cond_bbe(r, dw);
        return;
    case MI_OP_SDI:
        if ( len >= 4 )
            exec_sdi(r, dw, len);
        return;
    case MI_OP_LRI:
        exec_lri(r, dw, len);
        return;
    case MI_OP_SRM:
        if ( len >= 4 )
            exec_srm(r, dw);
        return;
    case MI_OP_LRM:
        if ( len >= 4 )
            exec_lrm(r, dw);
        return;
    case MI_OP_LRR:
        if ( len >= 3 )
            model_reg_write(r, dw[2], model_reg_read(r, dw[1]));
        return;
    case MI_OP_COPY_MEM_MEM:
        if ( len >= 5 )
            exec_copy_mem_mem(r, dw);
        return;
    case MI_OP_ATOMIC:
        if ( len >= 3 )
            exec_atomic(r, dw, len);
        return;
    case MI_OP_FLUSH_DW:
        if ( len >= 4 )
            exec_flush_dw(r, dw, len);
        return;
    case MI_OP_SEM_WAIT:
        if ( len >= 4 )
            exec_sem_wait(r, dw);
        return;
    case MI_OP_CLFLUSH:
        if ( len >= 3 )
            exec_clflush(r, dw, len);
        return;
    case MI_OP_REPORT_PERF:
        /* An OA report (GPU-wide counters) written to memory. */
        if ( len >= 3 )
            model_access(r, model_space(dw[1] & MI_HW_RPC_GGTT),
                         addr_at(dw, 1, ~0x3fu), NULL, MI_HW_RPC_BYTES, true);
        return;
    case MI_OP_DISPLAY_FLIP:
        /* Reprograms a plane of the physical display (PLANE_SURF). */
        gpu_check_fail(r->chk, GPU_V_REG,
                       "MI_DISPLAY_FLIP programs the physical display");
        return;
    case MI_OP_UPDATE_GTT:
        gpu_check_fail(r->chk, GPU_V_PT_FRAME,
                       "MI_UPDATE_GTT writes GTT entries");
        return;
    case MI_OP_SET_CONTEXT:
        gpu_check_fail(r->chk, GPU_V_UNAUDITED,
                       "MI_SET_CONTEXT loads an unaudited context image");
        return;
    }
    exec_mem_fields(r, dw, len, d);
}

void model_exec_cmd(struct gpu_model_run *r, const uint32_t *dw,
                    unsigned int len, const struct gpu_cmd_desc *d)
{
    switch ( GPU_HW_TYPE(dw[0]) )
    {
    case GPU_CMD_TYPE_MI:
        exec_mi(r, dw, len, d);
        return;
    case GPU_CMD_TYPE_2D:
        if ( model_exec_blit(r, dw, len) )
            return;
        break;
    case GPU_CMD_TYPE_3D:
        if ( GPU_HW_3D_OP(dw[0]) == GPU_HW_PIPE_CONTROL )
        {
            exec_pipe_control(r, dw, len);
            return;
        }
        break;
    }
    exec_mem_fields(r, dw, len, d);
}
