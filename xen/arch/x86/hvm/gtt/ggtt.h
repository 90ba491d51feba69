/* SPDX-License-Identifier: GPL-2.0-only */
/* The vGPU's slices of the global GTT (ggtt.c). */
#ifndef GTT_GGTT_H
#define GTT_GGTT_H

struct gtt_ggtt {
    int placeholder;    /* owned by the GGTT work: replace */
};

#endif /* GTT_GGTT_H */
