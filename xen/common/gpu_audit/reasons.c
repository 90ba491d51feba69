/* SPDX-License-Identifier: GPL-2.0-only */
/* Names of audit reasons and engines, for logs and tools. */
#include "audit.h"

static const char *const reason_names[XEN_GPU_AUDIT_NR] = {
    [XEN_GPU_AUDIT_OK]               = "ok",
    [XEN_GPU_AUDIT_UNKNOWN_CMD]      = "unknown-command",
    [XEN_GPU_AUDIT_BAD_LENGTH]       = "bad-length",
    [XEN_GPU_AUDIT_CMD_OVERRUN]      = "command-overrun",
    [XEN_GPU_AUDIT_NO_END]           = "no-batch-end",
    [XEN_GPU_AUDIT_PRIVILEGED_CMD]   = "privileged-command",
    [XEN_GPU_AUDIT_GGTT_FORM]        = "ggtt-form-refused",
    [XEN_GPU_AUDIT_REG_DENIED]       = "register-denied",
    [XEN_GPU_AUDIT_REG_MASK]         = "register-mask-denied",
    [XEN_GPU_AUDIT_REG_LRI_PAIRS]    = "lri-not-pairs",
    [XEN_GPU_AUDIT_GGTT_RANGE]       = "ggtt-out-of-slice",
    [XEN_GPU_AUDIT_JUMP_UNMAPPED]    = "jump-unmapped",
    [XEN_GPU_AUDIT_JUMP_MID_CMD]     = "jump-into-command",
    [XEN_GPU_AUDIT_JUMP_UNALIGNED]   = "jump-unaligned",
    [XEN_GPU_AUDIT_JUMP_SPACE]       = "jump-to-ggtt-from-ppgtt",
    [XEN_GPU_AUDIT_JUMP_LEVEL]       = "jump-level",
    [XEN_GPU_AUDIT_RING_BOUNDS]      = "ring-bounds",
    [XEN_GPU_AUDIT_LIMIT_BYTES]      = "limit-bytes",
    [XEN_GPU_AUDIT_LIMIT_CMDS]       = "limit-commands",
    [XEN_GPU_AUDIT_LIMIT_BUFFERS]    = "limit-buffers",
    [XEN_GPU_AUDIT_NO_MEMORY]        = "no-memory",
    [XEN_GPU_AUDIT_READ_FAULT]       = "read-fault",
    [XEN_GPU_AUDIT_BAD_TABLE]        = "bad-table",
    [XEN_GPU_AUDIT_JUMP_INDIRECT]    = "jump-indirect",
    [XEN_GPU_AUDIT_PREDICATION]      = "predication",
    [XEN_GPU_AUDIT_CTX_LAYOUT]       = "context-layout",
    [XEN_GPU_AUDIT_CTX_CMD]          = "context-command",
    [XEN_GPU_AUDIT_REG_POLL]         = "register-poll-refused",
    [XEN_GPU_AUDIT_STATUS_INDEX]     = "status-index-out-of-page",
    [XEN_GPU_AUDIT_OPERAND_SIZE]     = "operand-size-mismatch",
};

const char *gpu_audit_reason_name(unsigned int reason)
{
    if ( reason >= XEN_GPU_AUDIT_NR || !reason_names[reason] )
        return "invalid";
    return reason_names[reason];
}

static const char *const engine_names[XEN_GPU_ENGINE_NR] = {
    [XEN_GPU_ENGINE_RCS]  = "rcs",
    [XEN_GPU_ENGINE_BCS]  = "bcs",
    [XEN_GPU_ENGINE_VCS]  = "vcs",
    [XEN_GPU_ENGINE_VCS2] = "vcs2",
    [XEN_GPU_ENGINE_VECS] = "vecs",
};

const char *gpu_audit_engine_name(unsigned int engine)
{
    return engine < XEN_GPU_ENGINE_NR ? engine_names[engine] : "invalid";
}
