/* SPDX-License-Identifier: GPL-2.0-only */
/* Shadow PPGTT address spaces of a vGPU (ppgtt*.c). */
#ifndef GTT_PPGTT_H
#define GTT_PPGTT_H

struct gtt_ppgtt {
    int placeholder;    /* owned by the PPGTT work: replace */
};

#endif /* GTT_PPGTT_H */
