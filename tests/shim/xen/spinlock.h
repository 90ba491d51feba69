/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host stand-in for Xen's <xen/spinlock.h>: spinlock_t from the shim, and
 * domid_t, which Xen's header brings in through public/sysctl.h.
 */
#ifndef SHIM_XEN_SPINLOCK_H
#define SHIM_XEN_SPINLOCK_H

#include "../xen-host.h"
#include "../fake-p2m.h"

#endif /* SHIM_XEN_SPINLOCK_H */
