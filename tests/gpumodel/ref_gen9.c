/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The isolation checker's reference copy of the Gen9 tables: the generated
 * file compiled a second time under another name, so a build whose
 * auditor uses a patched spec still checks against the pristine one.
 */
#define gpu_spec_gen9 gpu_ref_spec_gen9
#include "cmd_gen9.c"
