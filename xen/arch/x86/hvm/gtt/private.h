/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Platform boundary of the GTT shadowing engine.
 *
 * Every file of the engine includes this header (through platform.h) and
 * nothing else from the platform but what the engine's public header,
 * <asm/hvm/gtt.h>, includes (<xen/types.h>, <xen/spinlock.h>).  In the
 * hypervisor it maps to Xen's internal API; host builds (unit tests,
 * gtt-replay, benchmarks) get the same names from tests/shim over a
 * simulated p2m and GPU (and those two headers from tests/shim/xen/).  This is the only file of the
 * engine that tests __XEN__ (the pattern of xen/lib/x86/private.h).
 */
#ifndef GTT_PRIVATE_H
#define GTT_PRIVATE_H

#ifdef __XEN__

#include <xen/domain_page.h>
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/mm.h>
#include <xen/sched.h>
#include <xen/spinlock.h>
#include <xen/string.h>
#include <xen/types.h>
#include <xen/xmalloc.h>
#include <asm/io.h>
#include <asm/p2m.h>

#else /* !__XEN__ */

#include "xen-host.h"
#include "fake-p2m.h"

#endif /* __XEN__ */

#endif /* GTT_PRIVATE_H */
