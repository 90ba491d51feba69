/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host stand-in for Xen's <xen/page-size.h>, for <xen/gpu_audit.h>:
 * PAGE_SHIFT and PAGE_SIZE, from the shim.
 */
#ifndef SHIM_XEN_PAGE_SIZE_H
#define SHIM_XEN_PAGE_SIZE_H

#include "../xen-host.h"

#endif /* SHIM_XEN_PAGE_SIZE_H */
