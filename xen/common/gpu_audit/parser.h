/* SPDX-License-Identifier: GPL-2.0-only */
/* The parser loop (parser.c): the driver's only way into a scan. */
#ifndef GPU_AUDIT_PARSER_H
#define GPU_AUDIT_PARSER_H

#include "services.h"

/*
 * Scan until the frame stack is empty (0), a rule is broken (the reason,
 * the verdict set) or about budget bytes were scanned (GPU_STEP_RESTART).
 */
int gpu_audit_parser_scan(struct gpu_audit_sub *s, uint32_t budget);

#endif /* GPU_AUDIT_PARSER_H */
