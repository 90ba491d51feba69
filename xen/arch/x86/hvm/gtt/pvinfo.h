/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PVINFO page (pvinfo.c): BAR0 + 0x78000, the layout of i915's struct
 * vgt_if, through which an unmodified i915 guest detects the vGPU,
 * balloons itself into its GGTT slices and announces its PPGTT roots.
 */
#ifndef GTT_PVINFO_H
#define GTT_PVINFO_H

/* Offsets in the page (struct vgt_if). */
#define PVINFO_MAGIC           0x000   /* u64 */
#define PVINFO_VERSION         0x008   /* u16 major, u16 minor */
#define PVINFO_VGT_ID          0x00c
#define PVINFO_VGT_CAPS        0x010
#define PVINFO_AP_BASE         0x040   /* avail_rs.mappable_gmadr */
#define PVINFO_AP_SIZE         0x044
#define PVINFO_HIDDEN_BASE     0x048   /* avail_rs.nonmappable_gmadr */
#define PVINFO_HIDDEN_SIZE     0x04c
#define PVINFO_FENCE_NUM       0x050
#define PVINFO_DISPLAY_READY   0x804
#define PVINFO_RSV5            0x808   /* 4 dwords: guest signals failure */
#define PVINFO_RSV5_END        0x818
#define PVINFO_G2V_NOTIFY      0x818
#define PVINFO_CURSOR_X_HOT    0x830
#define PVINFO_CURSOR_Y_HOT    0x834
#define PVINFO_PDP             0x838   /* pdp[4] {lo, hi} */
#define PVINFO_PDP_END         0x858
#define PVINFO_EXECLIST_DESC   0x858   /* lo, hi */
#define PVINFO_EXECLIST_END    0x860

#define PVINFO_MAGIC_VALUE     0x4776544776544776ULL   /* "vGTvGTvG" */
#define PVINFO_VERSION_MAJOR   1
#define PVINFO_VERSION_MINOR   0
#define PVINFO_CAP_FULL_PPGTT  (1u << 2)
#define PVINFO_CAP_HUGE_GTT    (1u << 4)

/* g2v_notify values. */
#define PVINFO_G2V_PPGTT_L3_CREATE    2
#define PVINFO_G2V_PPGTT_L3_DESTROY   3
#define PVINFO_G2V_PPGTT_L4_CREATE    4
#define PVINFO_G2V_PPGTT_L4_DESTROY   5
#define PVINFO_G2V_EXECLIST_CREATE    6
#define PVINFO_G2V_EXECLIST_DESTROY   7

/* What the guest wrote to the page. */
struct gtt_pvinfo {
    uint32_t display_ready;
    uint32_t g2v_notify;           /* last notification */
    uint32_t cursor_hot[2];
    uint32_t pdp[8];               /* pdp[i].lo, pdp[i].hi */
    uint32_t execlist_desc[2];
    bool failsafe;                 /* guest wrote rsv5: it could not run */
    unsigned long dropped;         /* writes to read-only or unknown dwords */
};

#endif /* GTT_PVINFO_H */
