/* SPDX-License-Identifier: MIT */
/*
 * gpu.h
 *
 * Interface shared by Xen's mediated Intel GPU support (GTT shadowing and
 * the command auditor) and its users: the toolstack, and the untrusted
 * per-client display emulator.
 *
 * It defines the command audit verdict (the reason codes a rejected
 * submission carries and the engine and buffer identifiers they refer to)
 * and the display emulator's operations.  Values are ABI: never renumber,
 * only append.
 */

#ifndef __XEN_PUBLIC_GPU_H__
#define __XEN_PUBLIC_GPU_H__

#define XEN_GPU_INTERFACE_VERSION 0x00000001

/* Engines of a Gen8/Gen9 GPU, as the auditor knows them. */
#define XEN_GPU_ENGINE_RCS   0  /* render (3D, GPGPU, media) */
#define XEN_GPU_ENGINE_BCS   1  /* blitter */
#define XEN_GPU_ENGINE_VCS   2  /* video 0 */
#define XEN_GPU_ENGINE_VCS2  3  /* video 1 */
#define XEN_GPU_ENGINE_VECS  4  /* video enhancement */
#define XEN_GPU_ENGINE_NR    5

/* Kinds of command buffer within one submission. */
#define XEN_GPU_BUF_RING       0 /* ring segment head..tail (privileged) */
#define XEN_GPU_BUF_BATCH_GGTT 1 /* first-level batch in the GGTT (privileged) */
#define XEN_GPU_BUF_BATCH      2 /* first-level batch in the PPGTT */
#define XEN_GPU_BUF_BATCH_L2   3 /* second-level batch */

/*
 * Audit reason codes.  XEN_GPU_AUDIT_OK means accepted; every other value
 * names the first rule the submission broke.  A verdict also carries the
 * buffer and the byte offset of the offending command within it.
 */
#define XEN_GPU_AUDIT_OK                   0
/* Decoding */
#define XEN_GPU_AUDIT_UNKNOWN_CMD          1  /* no descriptor, or type illegal on engine */
#define XEN_GPU_AUDIT_BAD_LENGTH           2  /* length outside the command's legal set */
#define XEN_GPU_AUDIT_CMD_OVERRUN          3  /* command runs past the end of its buffer */
#define XEN_GPU_AUDIT_NO_END               4  /* batch ends without BB_END or chained BB_START */
/* Privilege */
#define XEN_GPU_AUDIT_PRIVILEGED_CMD       5  /* command refused in this kind of buffer */
#define XEN_GPU_AUDIT_GGTT_FORM            6  /* global-GTT form of a command refused */
/* Registers */
#define XEN_GPU_AUDIT_REG_DENIED           7  /* register not in the engine's whitelist */
#define XEN_GPU_AUDIT_REG_MASK             8  /* masked register: forbidden bits */
#define XEN_GPU_AUDIT_REG_LRI_PAIRS        9  /* LRI payload is not whole offset/value pairs */
/* Addresses */
#define XEN_GPU_AUDIT_GGTT_RANGE          10  /* GGTT operand outside the vGPU's slices */
/* Jumps */
#define XEN_GPU_AUDIT_JUMP_UNMAPPED       11  /* target is not mapped guest memory */
#define XEN_GPU_AUDIT_JUMP_MID_CMD        12  /* target inside an audited command */
#define XEN_GPU_AUDIT_JUMP_UNALIGNED      13  /* target not dword aligned */
#define XEN_GPU_AUDIT_JUMP_SPACE          14  /* GGTT batch started from a PPGTT batch */
#define XEN_GPU_AUDIT_JUMP_LEVEL          15  /* illegal second-level start or nesting */
/* Ring */
#define XEN_GPU_AUDIT_RING_BOUNDS         16  /* head/tail/size outside the ring */
/* Limits */
#define XEN_GPU_AUDIT_LIMIT_BYTES         17
#define XEN_GPU_AUDIT_LIMIT_CMDS          18
#define XEN_GPU_AUDIT_LIMIT_BUFFERS       19
#define XEN_GPU_AUDIT_NO_MEMORY           20  /* Xen could not allocate the copy */
#define XEN_GPU_AUDIT_READ_FAULT          21  /* guest memory read failed mid-buffer */
#define XEN_GPU_AUDIT_BAD_TABLE           22  /* command table failed validation */
/* Control flow the auditor cannot follow */
#define XEN_GPU_AUDIT_JUMP_INDIRECT       23  /* target adjusted by GPU state */
#define XEN_GPU_AUDIT_PREDICATION         24  /* predication could skip audited flow */
/* Context images */
#define XEN_GPU_AUDIT_CTX_LAYOUT          25  /* ring-context header differs from the layout */
#define XEN_GPU_AUDIT_CTX_CMD             26  /* register state holds a command other than LRI */
/* Mode bits that change what an operand means (docs/audit-rules.md). */
#define XEN_GPU_AUDIT_REG_POLL            27  /* semaphore wait polling a register */
#define XEN_GPU_AUDIT_STATUS_INDEX        28  /* store index past the status page */
#define XEN_GPU_AUDIT_OPERAND_SIZE        29  /* two fields give an access different sizes */
#define XEN_GPU_AUDIT_NR                  30

/*
 * Display emulator operations.
 *
 * The per-client display emulator in dom0 is not trusted.  Xen records the
 * guest's display plane registers as it traps them (before the access goes
 * on to the emulator) and answers the emulator's questions from that record:
 * which planes are on, where their surfaces are, and, for the pages of a
 * plane's current surface only, which guest frames hold them.  No other
 * guest memory is reachable through this interface.
 *
 * Transport: one argument buffer, meant to ride a new XEN_DMOP sub-op of
 * public/hvm/dm_op.h as its first buffer (the dm_op wiring is a later
 * issue).  The buffer is a struct xen_gpu_emul_header immediately followed
 * by the struct of its op, and nothing else: the buffer is exactly
 * sizeof(header) + header.size bytes.  Xen writes the OUT fields back into
 * the same buffer.  XEN_GPU_EMUL_MAP_SURFACE also takes a second buffer
 * (dm_op buffer 1, as dm_op structs hold no guest handles) of nr uint64_t
 * into which Xen writes the frames.
 *
 * Layout: fixed-width fields only; every uint64_t sits at an 8-byte offset
 * and every struct is a multiple of 8 bytes, so 32-bit and 64-bit callers
 * share one layout.  Fields marked IN are read, OUT are written (their input
 * value is ignored); pad fields must be 0 on input.
 *
 * A refused buffer gets an XEN_GPU_EMUL_ERR_* reason and the byte offset,
 * in the buffer, of the field that made Xen refuse it (for a buffer that is
 * too short: its length, where the missing bytes start).
 */
struct xen_gpu_emul_header {
    uint32_t version;   /* IN: XEN_GPU_INTERFACE_VERSION */
    uint32_t op;        /* IN: XEN_GPU_EMUL_* */
    uint32_t size;      /* IN: sizeof the op's struct, which follows */
    uint32_t pad;       /* IN: 0 */
};
typedef struct xen_gpu_emul_header xen_gpu_emul_header_t;

#define XEN_GPU_EMUL_GET_INFO     1
#define XEN_GPU_EMUL_GET_PLANE    2
#define XEN_GPU_EMUL_MAP_SURFACE  3

/* Display topology limits, whatever the generation. */
#define XEN_GPU_EMUL_MAX_PIPES    3   /* pipes A, B, C */
#define XEN_GPU_EMUL_MAX_PLANES   4   /* planes per pipe, cursor included */
/*
 * Planes of a pipe: the universal planes (Gen9) or the primary and sprite
 * planes (Gen8) from 0, the cursor last.
 */
#define XEN_GPU_EMUL_PLANE_PRIMARY 0
#define XEN_GPU_EMUL_PLANE_CURSOR  3

/* The vGPU and its display. */
struct xen_gpu_emul_get_info {
    uint32_t version;       /* OUT: XEN_GPU_INTERFACE_VERSION of Xen */
    uint32_t gen;           /* OUT: GPU generation (8, 9): plane formats */
    uint32_t nr_pipes;      /* OUT */
    uint32_t pad;           /* IN: 0 */
    /* OUT: bit p set: plane p exists on pipe i (XEN_GPU_EMUL_PLANE_*). */
    uint32_t plane_mask[XEN_GPU_EMUL_MAX_PIPES + 1];
    uint64_t aperture_base; /* OUT: the vGPU's GGTT slices, bytes */
    uint64_t aperture_size;
    uint64_t hidden_base;
    uint64_t hidden_size;
};
typedef struct xen_gpu_emul_get_info xen_gpu_emul_get_info_t;

#define XEN_GPU_EMUL_TILING_LINEAR 0
#define XEN_GPU_EMUL_TILING_X      1
#define XEN_GPU_EMUL_TILING_Y      2
#define XEN_GPU_EMUL_TILING_YF     3

#define XEN_GPU_EMUL_PLANE_ENABLED (1u << 0)

/*
 * One plane as the guest last armed it: as on the GPU, the values written
 * to its registers take effect when the surface address is written.
 */
struct xen_gpu_emul_get_plane {
    uint32_t pipe;          /* IN */
    uint32_t plane;         /* IN: XEN_GPU_EMUL_PLANE_* */
    uint32_t flags;         /* OUT: XEN_GPU_EMUL_PLANE_ENABLED */
    uint32_t format;        /* OUT: the control register's pixel format
                               field (Gen9 PLANE_CTL 27:24, Gen8 DSPCNTR
                               29:26 / SPRCTL 27:25; cursor: mode 5:0) */
    uint32_t tiling;        /* OUT: XEN_GPU_EMUL_TILING_* */
    uint32_t stride;        /* OUT: bytes from one row (of tiles) to the next */
    uint32_t width;         /* OUT: pixels */
    uint32_t height;        /* OUT: pixels */
    uint32_t x;             /* OUT: first visible pixel in the surface */
    uint32_t y;
    uint32_t nr_pages;      /* OUT: pages of the surface (MAP_SURFACE limit) */
    uint32_t flips;         /* OUT: surface address writes seen (wraps) */
    uint64_t surface;       /* OUT: GGTT address of the surface */
};
typedef struct xen_gpu_emul_get_plane xen_gpu_emul_get_plane_t;

/* Most frames one XEN_GPU_EMUL_MAP_SURFACE returns (one 4 KiB buffer). */
#define XEN_GPU_EMUL_MAP_MAX      512

/*
 * Frames nr pages of a plane's current surface, from page 'first': Xen
 * writes nr guest frame numbers to buffer 1.  Refused unless the plane is
 * on and every page is inside the surface, inside the vGPU's GGTT slices,
 * and mapped by the guest to its own RAM.
 */
struct xen_gpu_emul_map_surface {
    uint32_t pipe;          /* IN */
    uint32_t plane;         /* IN */
    uint32_t first;         /* IN: first page, from the surface's start */
    uint32_t nr;            /* IN: 1 .. XEN_GPU_EMUL_MAP_MAX */
    uint32_t pad;           /* IN: 0 */
    uint32_t nr_pages;      /* OUT: pages of the surface */
    uint64_t surface;       /* OUT: GGTT address of the surface */
};
typedef struct xen_gpu_emul_map_surface xen_gpu_emul_map_surface_t;

/*
 * The device model's report of the PCI configuration space it emulates
 * (it serves config space; Xen serves BAR0).  Xen trusts neither: a BAR
 * is taken only in the guest's MMIO hole, never over its RAM, and only
 * with its natural alignment; an MSI address only inside the local APIC
 * window (0xfeexxxxx), so an MSI reaches only that guest's vCPUs.
 */
#define XEN_GPU_EMUL_SET_BAR      4
#define XEN_GPU_EMUL_SET_MSI      5

#define XEN_GPU_EMUL_BAR0          0   /* registers, PVINFO, GGTT: 16 MiB */
#define XEN_GPU_EMUL_BAR_DECODE    (1u << 0) /* memory decode enabled */

struct xen_gpu_emul_set_bar {
    uint32_t bar;           /* IN: XEN_GPU_EMUL_BAR0 */
    uint32_t flags;         /* IN: XEN_GPU_EMUL_BAR_DECODE */
    uint64_t gpa;           /* IN: guest-physical base */
};
typedef struct xen_gpu_emul_set_bar xen_gpu_emul_set_bar_t;

#define XEN_GPU_EMUL_MSI_ENABLED   (1u << 0)
#define XEN_GPU_EMUL_MSI_MASKED    (1u << 1)

struct xen_gpu_emul_set_msi {
    uint32_t flags;         /* IN: XEN_GPU_EMUL_MSI_* */
    uint32_t data;          /* IN: message data */
    uint64_t addr;          /* IN: message address */
};
typedef struct xen_gpu_emul_set_msi xen_gpu_emul_set_msi_t;

/* Why an emulator operation was refused. */
#define XEN_GPU_EMUL_OK                    0
/* The buffer */
#define XEN_GPU_EMUL_ERR_TRUNCATED         1  /* shorter than header + size */
#define XEN_GPU_EMUL_ERR_VERSION           2  /* version is not Xen's */
#define XEN_GPU_EMUL_ERR_UNKNOWN_OP        3
#define XEN_GPU_EMUL_ERR_SIZE              4  /* size is not the op's struct */
#define XEN_GPU_EMUL_ERR_PAD               5  /* pad field not 0 */
#define XEN_GPU_EMUL_ERR_TRAILING          6  /* bytes after the op's struct */
/* The op's fields */
#define XEN_GPU_EMUL_ERR_PIPE              7  /* no such pipe */
#define XEN_GPU_EMUL_ERR_PLANE             8  /* no such plane on the pipe */
#define XEN_GPU_EMUL_ERR_COUNT             9  /* nr is 0, above MAP_MAX or
                                                 above buffer 1's room */
#define XEN_GPU_EMUL_ERR_OVERFLOW         10  /* first + nr wraps */
/* The plane and its surface */
#define XEN_GPU_EMUL_ERR_PLANE_OFF        11  /* plane is disabled */
#define XEN_GPU_EMUL_ERR_GEOMETRY         12  /* surface size unknown or
                                                 beyond the GGTT */
#define XEN_GPU_EMUL_ERR_EXTENT           13  /* page past the surface */
#define XEN_GPU_EMUL_ERR_OUTSIDE_SLICE    14  /* page outside the vGPU's
                                                 GGTT slices */
#define XEN_GPU_EMUL_ERR_SCRATCH          15  /* page maps the scratch page */
#define XEN_GPU_EMUL_ERR_NOT_GUEST        16  /* page is not the guest's RAM */
#define XEN_GPU_EMUL_ERR_BAR_PLACEMENT    17  /* BAR not in the MMIO hole,
                                                 over RAM, or misaligned */
#define XEN_GPU_EMUL_ERR_MSI_ADDR         18  /* MSI address outside the
                                                 guest's local APIC window */
#define XEN_GPU_EMUL_ERR_BAR              19  /* no such BAR */
#define XEN_GPU_EMUL_ERR_FLAGS            20  /* unknown flag bits set */
#define XEN_GPU_EMUL_ERR_NR               21

/*
 * What the toolstack's XEN_DOMCTL_gpu_op (public/domctl.h) reports: a
 * vGPU's state and counters, and what the GPU reaches through entries of
 * the physical GGTT.
 */
#define XEN_GPU_XLATE_SCRATCH     0  /* a vGPU's or the device's scratch page */
#define XEN_GPU_XLATE_GUEST       1  /* a frame owned by domain 'domid' */
#define XEN_GPU_XLATE_XEN         2  /* a frame of Xen's own, not scratch */
#define XEN_GPU_XLATE_UNOWNED     3  /* no owner, or not a RAM frame */

struct xen_gpu_xlate {
    uint64_t index;           /* physical GGTT entry */
    uint64_t pte;             /* as the GPU reads it */
    uint64_t gfn;             /* XEN_GPU_XLATE_GUEST: the owner's gfn */
    uint32_t kind;            /* XEN_GPU_XLATE_* */
    uint16_t domid;           /* owner (slice owner for scratch) */
    uint16_t slice_owner;     /* domain whose slice holds the entry, or
                                 DOMID_INVALID */
};

/* BAR0 accesses, by what they reached. */
#define XEN_GPU_MMIO_PVINFO       0
#define XEN_GPU_MMIO_GGTT         1
#define XEN_GPU_MMIO_REG          2  /* the virtual register file */
#define XEN_GPU_MMIO_ELSP         3
#define XEN_GPU_MMIO_REFUSED      4  /* bad size/alignment, or no register */
#define XEN_GPU_MMIO_NR           5

#define XEN_GPU_STATE_BAR0        (1u << 0) /* BAR0 placed and decoding */
#define XEN_GPU_STATE_MSI         (1u << 1) /* MSI enabled, not masked */

/* What was refused: a GGTT write or a submission. */
#define XEN_GPU_REFUSAL_GGTT      0  /* reason: GTT reason code */
#define XEN_GPU_REFUSAL_SUBMIT    1  /* reason: XEN_GPU_AUDIT_* */
#define XEN_GPU_REFUSAL_MMIO      2  /* reason: GTT reason code */

struct xen_gpu_refusal {
    uint64_t seq;             /* 1, 2, ...: order of refusals */
    uint64_t offset;          /* GGTT entry, BAR0 offset, or buffer offset */
    uint64_t value;           /* what was written (or the command) */
    uint32_t kind;            /* XEN_GPU_REFUSAL_* */
    uint32_t reason;
    uint32_t engine;          /* XEN_GPU_ENGINE_* (submissions) */
    uint32_t pad;
};

#define XEN_GPU_GTT_REASONS       32 /* slots in ggtt_refused[] */
#define XEN_GPU_INFO_REFUSALS     8  /* most recent refusals kept */

struct xen_gpu_info {
    uint32_t version;         /* XEN_GPU_INTERFACE_VERSION */
    uint32_t state;           /* XEN_GPU_STATE_* */
    uint32_t gen;
    uint32_t fences;
    uint32_t engines;
    uint32_t vgt_id;
    uint64_t aperture_base;
    uint64_t aperture_size;
    uint64_t hidden_base;
    uint64_t hidden_size;
    uint64_t bar0_gpa;
    uint64_t msi_addr;
    uint32_t msi_data;
    uint32_t nr_refusals;     /* valid entries of refusals[], newest first */
    uint64_t mmio_reads[XEN_GPU_MMIO_NR];
    uint64_t mmio_writes[XEN_GPU_MMIO_NR];
    uint64_t ggtt_writes_accepted;
    uint64_t ggtt_refused[XEN_GPU_GTT_REASONS]; /* by GTT reason code */
    uint64_t tlb_invalidations; /* the guest's TLB-invalidation writes */
    uint64_t elsp_submissions;  /* ELSP writes that complete a submission */
    uint64_t submissions_refused;
    uint64_t msis;              /* MSIs injected */
    uint64_t refs_held;         /* page references on the guest's frames */
    uint64_t shadow_pages;
    struct xen_gpu_refusal refusals[XEN_GPU_INFO_REFUSALS];
};
#endif /* __XEN_PUBLIC_GPU_H__ */

/*
 * Local variables:
 * mode: C
 * c-file-style: "BSD"
 * c-basic-offset: 4
 * tab-width: 4
 * indent-tabs-mode: nil
 * End:
 */
