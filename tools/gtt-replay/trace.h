/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gtt-replay trace format (docs/gtt-trace.md): one operation per line,
 * parsed completely before anything runs, so a malformed trace is reported
 * with its line number and executes nothing.
 */
#ifndef GTT_REPLAY_TRACE_H
#define GTT_REPLAY_TRACE_H

#include <stdint.h>
#include <stdio.h>

enum trace_kind {
    OP_DOMAIN,          /* a[0]=D a[1]=gfn a[2]=count a[3]=mfn
                           a[4]=1 if pinned with "at"; sub=frame kind */
    OP_VGPU,            /* a[0]=V a[1]=D a[2..5]=slices a[6]=quota
                           a[7]=oos threshold; sub=oos on */
    OP_GGTT,            /* a[0]=V a[1]=index a[2]=value */
    OP_GGTT32,          /* a[0]=V a[1]=index a[2]=value; sub=half
                           (0 lo, 1 hi) */
    OP_GGTT_READ,       /* a[0]=V a[1]=index */
    OP_PVINFO,          /* a[0]=V a[1]=offset a[2]=size */
    OP_PVINFO_WRITE,    /* a[0]=V a[1]=offset a[2]=size a[3]=value */
    OP_WRITE,           /* a[0]=D a[1]=gpa a[2]=size a[3]=value */
    OP_PPGTT_CREATE,    /* a[0]=V a[1..4]=root gpas; sub=level (3 or 4) */
    OP_PPGTT_DESTROY,   /* a[0]=V a[1]=root */
    OP_PIN,             /* a[0]=V a[1]=root */
    OP_UNPIN,           /* a[0]=V a[1]=root */
    OP_SYNC,            /* a[0]=V */
    OP_TRANSLATE,       /* a[0]=V a[1]=root a[2]=gaddr; sub=space */
    OP_GPU_WRITE,       /* as OP_TRANSLATE, a[3]=value */
    OP_STATS,           /* a[0]=V */
    OP_RESET,           /* a[0]=V */
    OP_DESTROY,         /* a[0]=V */
    OP_GGTT_HW,         /* a[0]=index */
};

/* Frame kinds of `domain D KIND GFN COUNT`. */
enum trace_frame {
    FRAME_RAM,
    FRAME_MMIO,
    FRAME_GRANT,
    FRAME_FOREIGN,
    FRAME_PAGED,
    FRAME_SHARED,
    FRAME_XEN,
    FRAME_FREE,         /* the guest gives the frames back (balloon) */
};

#define TRACE_SPACE_GGTT  0
#define TRACE_SPACE_PPGTT 1

#define TRACE_ARGS 8

struct trace_op {
    unsigned int kind;
    unsigned int sub;
    unsigned long line;
    uint64_t a[TRACE_ARGS];
};

struct trace {
    struct trace_op *ops;
    size_t nr, max;
};

/*
 * Parse the whole of f into t.  Returns 0, or -1 after printing
 * "NAME:LINE: message" on stderr (malformed line, or out of memory).
 */
int trace_parse(FILE *f, const char *name, struct trace *t);
void trace_free(struct trace *t);

/* Name of a trace_kind as printed in "op" of the output. */
const char *trace_op_name(unsigned int kind);

#endif /* GTT_REPLAY_TRACE_H */
