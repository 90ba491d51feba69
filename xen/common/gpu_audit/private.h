/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Platform boundary of the GPU command auditor.
 *
 * Every file of the auditor includes this header and nothing else from the
 * platform.  In the hypervisor it maps to Xen's internal API; in host builds
 * (unit tests, fuzzers, the gpu-audit CLI) tests/shim/xen-host.h provides
 * the same names on top of libc.  This is the only place that tests
 * __XEN__ (the pattern of xen/lib/x86/private.h).
 */
#ifndef GPU_AUDIT_PRIVATE_H
#define GPU_AUDIT_PRIVATE_H

#ifdef __XEN__

#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/spinlock.h>
#include <xen/mm.h>
#include <xen/random.h>
#include <xen/string.h>
#include <xen/types.h>
#include <xen/xmalloc.h>

#else /* !__XEN__ */

#include "xen-host.h"

#endif /* __XEN__ */

#include <public/gpu.h>

#endif /* GPU_AUDIT_PRIVATE_H */
