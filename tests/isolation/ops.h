/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Operations of the isolation checker, as data: what guests do to their
 * vGPUs (GGTT entry writes through BAR0, PVINFO notifications, CPU stores
 * to their RAM, command buffers written to their RAM) and what the host
 * does with submissions (audit into a slot, execute a slot on the GPU
 * model, reset a vGPU).  An episode is a machine description plus a list
 * of these; it can be printed, read back and replayed, and shrunk.
 *
 * Text form, one operation a line ('#' starts a comment):
 *   machine GEN VGPUS
 *   ggtt V INDEX OFFSET SIZE VALUE        BAR0 write to GGTT entry INDEX
 *   pvinfo V OFFSET SIZE VALUE            BAR0 write to the PVINFO page
 *   store V GPA SIZE VALUE                guest CPU store
 *   cmds V GPA : DW.. | DW.. | ...        commands stored from GPA on
 *   audit V SLOT ENGINE ring START SIZE HEAD TAIL LEVEL ROOT.. [FAIL]
 *   audit V SLOT ENGINE ggtt|ppgtt ADDR LEVEL ROOT.. [FAIL]
 *   exec V SLOT                           run the slot's submission
 *   reset V
 *   p2m V GFN KIND                        the guest's physmap changes:
 *                                         KIND out (ballooned out), back
 *                                         (its frame again), new (a new
 *                                         frame)
 * LEVEL is 3 (four ROOTs: PDP0..3) or 4 (one ROOT: the PML4).  FAIL is
 * "fail K ERRNO": the auditor's reads of guest memory, from the K-th
 * (from 0) on, return -ERRNO.
 */
#ifndef ISO_OPS_H
#define ISO_OPS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define ISO_MAX_VGPUS 8
#define ISO_SLOTS     3              /* submissions in flight per vGPU */

enum iso_op_kind {
    ISO_OP_GGTT,
    ISO_OP_PVINFO,
    ISO_OP_STORE,
    ISO_OP_CMDS,
    ISO_OP_AUDIT,
    ISO_OP_EXEC,
    ISO_OP_RESET,
    ISO_OP_P2M,
    ISO_OP_NR
};

/* ISO_OP_P2M: what happens to the gfn (addr). */
#define ISO_P2M_OUT   0              /* removed from the physmap */
#define ISO_P2M_BACK  1              /* its own frame mapped again */
#define ISO_P2M_NEW   2              /* a new frame */
#define ISO_P2M_NR    3

#define ISO_FORM_RING   0            /* AUDIT of a ring segment */
#define ISO_FORM_BATCH  1            /* AUDIT of a first batch */

struct iso_op {
    uint8_t kind;                    /* ISO_OP_* */
    uint8_t v;                       /* vGPU */
    uint8_t slot;                    /* AUDIT, EXEC */
    uint8_t engine;                  /* AUDIT: XEN_GPU_ENGINE_* */
    uint8_t form;                    /* AUDIT: ISO_FORM_* */
    uint8_t space;                   /* AUDIT batch: GPU_SPACE_* */
    uint8_t level;                   /* AUDIT: context's GTT_ROOT_L3/L4 */
    uint8_t size;                    /* GGTT, PVINFO, STORE: bytes */
    uint8_t hostile;                 /* AUDIT: made to be refused (not
                                        in the text form: figures only) */
    uint32_t off;                    /* GGTT: byte in the entry */
    uint32_t ring_size, head, tail;  /* AUDIT ring */
    uint64_t addr;                   /* entry index, offset, GPA, start */
    uint64_t val;
    uint64_t root[4];                /* AUDIT: context roots */
    uint16_t fail_err;               /* AUDIT: reads fail with -fail_err */
    uint16_t fail_at;                /* from this read on (fail_err != 0) */
    /* CMDS: nr_cmds commands of len[i] dwords, back to back in dw. */
    uint32_t *dw;
    uint16_t *len;
    uint32_t nr_dw, nr_cmds;
};

struct iso_episode {
    unsigned int gen;
    unsigned int nr_vgpus;
    struct iso_op *ops;
    unsigned int nr, max;
};

void iso_episode_init(struct iso_episode *e, unsigned int gen,
                      unsigned int nr_vgpus);
void iso_episode_free(struct iso_episode *e);
/* Appends a copy of op (its command arrays included); returns it. */
struct iso_op *iso_episode_add(struct iso_episode *e, const struct iso_op *op);
void iso_op_free(struct iso_op *op);
/* Deep copy. */
void iso_op_copy(struct iso_op *dst, const struct iso_op *src);

/* Operations as counted: one per guest action, one per command. */
uint64_t iso_op_weight(const struct iso_op *op);

void iso_op_print(FILE *f, const struct iso_op *op);
void iso_episode_print(FILE *f, const struct iso_episode *e);
/* Reads the text form; 0, or -1 with a message on stderr. */
int iso_episode_read(FILE *f, struct iso_episode *e);

const char *iso_engine_name(unsigned int engine);

#endif /* ISO_OPS_H */
