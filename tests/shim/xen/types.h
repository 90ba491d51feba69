/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host stand-in for Xen's <xen/types.h>, for the hypervisor headers that
 * include it by name (xen/arch/x86/include/asm/hvm/gtt.h): fixed-width
 * types, bool and size_t, from the shim.
 */
#ifndef SHIM_XEN_TYPES_H
#define SHIM_XEN_TYPES_H

#include "../xen-host.h"

#endif /* SHIM_XEN_TYPES_H */
