/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gtt-replay: the simulated machine a trace runs on: guest domains and
 * their physical maps over the shim's fake p2m (tests/shim/fake-p2m.h),
 * the host frames backing them, and the owners of frames a guest may name
 * but not hand to the GPU (grants and foreign maps: another domain; MMIO:
 * dom_io; shared pages: dom_cow; Xen's pages: dom_xen).
 */
#ifndef GTT_REPLAY_SIM_H
#define GTT_REPLAY_SIM_H

#include <asm/hvm/gtt.h>

/* Upper bound of a trace domain's physical map (16 GiB of guest frames). */
#define SIM_MAX_GFNS     (1UL << 22)
#define SIM_MAX_DOMAINS  64

/* Owner of the frames behind grant and foreign entries. */
#define SIM_DOMID_OTHER  0x7fefu

struct sim_domain {
    domid_t id;
    struct domain *d;
    uint32_t *mfn;              /* per gfn: host frame + 1, 0: none */
};

struct sim {
    struct sim_domain dom[SIM_MAX_DOMAINS];
    unsigned int nr_dom;
    struct domain *other;
    uint16_t *maps;             /* per guest host frame: gfns mapping it */
};

int sim_init(struct sim *s);
void sim_destroy(struct sim *s);

/* The domain with this id, or NULL. */
struct sim_domain *sim_domain_find(struct sim *s, domid_t id);
/* Created with a physical map of max_gfn frames (NULL: too many, no memory). */
struct sim_domain *sim_domain_add(struct sim *s, domid_t id,
                                  unsigned long max_gfn);

/*
 * `domain D KIND GFN COUNT [at MFN]` (KIND: enum trace_frame; at: NULL
 * without "at").  Returns NULL, or why nothing was changed, as printed in
 * the error line.
 */
const char *sim_map(struct sim *s, struct sim_domain *sd, unsigned int kind,
                    uint64_t gfn, uint64_t count, const uint64_t *at);

/*
 * `write D GPA SIZE VALUE` to a frame no vGPU protects: stored into the
 * frame if the guest's CPU can write it.  Returns NULL or the reason.
 */
const char *sim_cpu_write(struct sim_domain *sd, uint64_t gpa,
                          unsigned int size, uint64_t val);

#endif /* GTT_REPLAY_SIM_H */
