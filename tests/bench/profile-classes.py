#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Charge a callgrind profile of the auditor to command classes.

    profile-classes.py ROOT JSON_OUT [BUILD WORKLOAD COMMANDS SUBS FILE]...

Each FILE is a callgrind output written with --dump-instr=yes
--compress-strings=no --compress-pos=no (tests/bench/profile.sh).  An
instruction of the auditor's sources is charged, by its source line, to the
C function around that line (inlined code keeps its own lines, so
scan_fast() stays scan_fast() inside scan_careful()), then to a class by
FUNC_CLASS below, or for the decode loops line by line by LINE_CLASS.  A
call from an auditor line to code outside the auditor (libc, the shim, the
bench's guest reader) is charged whole to that line's class, except the
callees CALLEE_CLASS names.  Prints Ir per command of each class.
"""
import json
import os
import re
import sys

CLASSES = ["dispatch", "length", "starts", "rules", "reg lookup", "jumps",
           "copy", "page/careful", "set-up"]

# C function (where the instruction's source line is) -> class.
FUNC_CLASS = {
    # dispatch: header -> descriptor / "no rules" decision
    "gpu_audit_dispatch": "dispatch", "gpu_audit_lookup": "dispatch",
    "gpu_cmd_opcode": "dispatch", "rules_apply": "dispatch",
    # length: the length rule
    "gpu_audit_fast_len": "length", "gpu_audit_cmd_len": "length",
    # rule check
    "fast_rules": "rules", "check_cmd": "rules", "cond_holds": "rules",
    "ref_dw": "rules", "cmd_ref_init": "rules", "cmd_dw": "rules",
    "operand_addr": "rules", "operand_size": "rules", "check_addr": "rules",
    "check_lri": "rules", "check_index": "rules",
    "gpu_audit_sub_log_store": "rules", "gpu_audit_sub_note": "rules",
    "gpu_audit_sub_pdp_write": "rules", "gpu_audit_reg_group_index": "rules",
    "gpu_audit_ggtt_range_ok": "rules", "gpu_audit_copy_set_dw": "rules",
    "gpu_audit_buf_dw": "rules", "gpu_audit_sub_class": "rules",
    # register lookup
    "gpu_audit_reg_check": "reg lookup", "gpu_audit_reg_lookup": "reg lookup",
    "gpu_audit_reg_slot": "reg lookup", "gpu_audit_vgpu_get_vreg": "reg lookup",
    "vreg_find": "reg lookup", "gpu_audit_reg_rewrite": "reg lookup",
    # jumps (batch calls and chains)
    "gpu_audit_sub_jump": "jumps", "gpu_audit_sub_enter_batch": "jumps",
    "find_target": "jumps",
    "add_reloc": "jumps", "log_find": "jumps", "gpu_audit_sub_new_buf": "jumps",
    "batch_limit": "jumps", "gpu_audit_buf_is_start": "jumps",
    # copy: guest reads into Xen pages, page pool, sealing
    "gpu_audit_copy_ensure": "copy", "gpu_audit_sub_ensure": "copy",
    "copy_add_page": "copy",
    "pool_get": "copy", "pool_put": "copy", "gpu_audit_copy_seal": "copy",
    "gpu_audit_copy_free": "copy", "gpu_audit_copy_pool_drain": "copy",
    # the per-page loop and the careful (one command at a time) path
    "gpu_audit_parser_scan": "page/careful", "scan_prologue": "page/careful",
    "scan_careful": "page/careful", "page_mark_start": "starts",
    "fast_set_frame": "page/careful",
    # per submission
    "gpu_audit_sub_create": "set-up", "gpu_audit_sub_start_batch": "set-up",
    "gpu_audit_sub_start_ring": "set-up", "gpu_audit_sub_destroy": "set-up",
    "gpu_audit_run": "set-up", "gpu_audit_get_verdict": "set-up",
    "sub_finish": "set-up", "gpu_audit_sub_pop": "set-up",
    "gpu_audit_sub_reject": "set-up", "gpu_audit_vgpu_count": "set-up",
    "grow": "set-up", "grow_reason": "set-up", "fast_init": "set-up",
}
DEFAULT_FUNC_CLASS = {"gpu_audit_ctx_": "set-up"}

# The decode loops, line by line: first matching pattern wins, else the
# function's class.
LINE_CLASS = {
    "scan_fast": [
        (r"starts\[", "starts"),
        (r"\bfast\[|hdr >> shift|dw\[i\]|hdr == 0|gpu_audit_dispatch|"
         r"ent & c->slow|!ent\b", "dispatch"),
        (r"lmask|\bib\b|len = |i \+= len|i < end|\bn\+\+", "length"),
        (r"fast_rules|\*rc", "rules"),
        (r".", "page/careful"),
    ],
    "fast_rules": [
        (r"gpu_audit_cmd_len|len_min|len_set|avail - off", "length"),
        (r"&c->t->spec->cmds|GPU_DISP_IDX_MASK", "dispatch"),
    ],
    "scan_careful": [
        (r"page_mark_start", "starts"),
        (r"gpu_audit_dispatch\(|ent\)|hdr = pg->dw|hdr == 0|ent & slow",
         "dispatch"),
        (r"gpu_audit_fast_len|gpu_audit_cmd_len|len_min|len_set|off \+= 4",
         "length"),
        (r"check_cmd|rules_apply|cmd_ref_init|GPU_CF_CHECKED|&t->spec->cmds",
         "rules"),
        (r"gpu_audit_sub_ensure", "copy"),
    ],
}

OURS = ("xen/common/gpu_audit/", "build/gen/")


class SourceMap:
    """Line -> enclosing top-level C function, per source file (Xen style:
    the definition's braces in column 0)."""

    def __init__(self, root):
        self.root = root
        self.cache = {}

    def lines(self, path):
        if path not in self.cache:
            full = path if os.path.isabs(path) else os.path.join(self.root, path)
            funcs = []
            text = []
            try:
                with open(full, errors="replace") as f:
                    text = f.read().split("\n")
            except OSError:
                pass
            name, start, cand = None, 0, None
            for i, line in enumerate(text, 1):
                m = re.match(r"^[A-Za-z_].*?\b([A-Za-z_]\w*)\s*\(", line)
                if m and not line.rstrip().endswith(";"):
                    cand = m.group(1)
                elif line.startswith("{") and cand:
                    name, start = cand, i
                elif line.startswith("}") and name:
                    funcs.append((start, i, name))
                    name, cand = None, None
            self.cache[path] = (funcs, text)
        return self.cache[path]

    def func(self, path, line):
        funcs, text = self.lines(path)
        for lo, hi, name in funcs:
            if lo <= line <= hi:
                src = text[line - 1] if 0 < line <= len(text) else ""
                return name, src
        return None, ""


def ours(path):
    return any(o in path for o in OURS)


def classify(smap, path, line):
    name, src = smap.func(path, line)
    if name is None:
        return "set-up"
    for pat, cls in LINE_CLASS.get(name, []):
        if re.search(pat, src):
            return cls
    if name in FUNC_CLASS:
        return FUNC_CLASS[name]
    for prefix, cls in DEFAULT_FUNC_CLASS.items():
        if name.startswith(prefix):
            return cls
    return "set-up"


def callee_class(name):
    if re.search(r"bench_read|mem(cpy|move)|bench_xen_memcpy|bench_xen_memmove", name):
        return "copy"
    return None


def profile(smap, path):
    cost = {c: 0 for c in CLASSES}
    unknown = 0
    fl = fi = fn = None
    cfn = cfl = callee_file = None
    pending_call = False
    with open(path) as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not line:
                continue
            c = line[0]
            if line.startswith("fl="):
                fl = fi = line[3:]
            elif line.startswith(("fi=", "fe=")):
                fi = line[3:]
            elif line.startswith("fn="):
                fn = line[3:]
                fi = fl
            elif line.startswith(("cfi=", "cfl=")):
                cfl = line[4:]
            elif line.startswith("cfn="):
                cfn = line[4:]
            elif line.startswith("calls="):
                # Without cfi=/cfl= the callee is in the caller's file.
                pending_call = True
                callee_file, cfl = cfl or fi, None
            elif c.isdigit() or c in "+-*" or line.startswith("0x"):
                parts = line.split()
                if len(parts) < 3:
                    continue
                try:
                    src_line = int(parts[1])
                    ir = int(parts[2])
                except ValueError:
                    continue
                here_ours = fi is not None and ours(fi)
                if pending_call:
                    pending_call = False
                    # A call: charge it only from our code into code that is
                    # not ours (the callee's own lines are charged there).
                    if not here_ours or ours(callee_file):
                        continue
                    cls = callee_class(cfn or "") or classify(smap, fi, src_line)
                    cost[cls] += ir
                elif here_ours:
                    cost[classify(smap, fi, src_line)] += ir
            else:
                pass
    return cost


def main():
    root, out = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    smap = SourceMap(root)
    rows = []
    for i in range(0, len(args), 5):
        build, wl, cmds, subs, path = args[i:i + 5]
        cmds, subs = int(cmds), int(subs)
        cost = profile(smap, path)
        total = sum(cost.values())
        with open(path) as f:
            whole = next((int(l.split()[1]) for l in f
                          if l.startswith("totals:")), total)
        if whole != total:
            print("profile: %s: %d Ir charged of %d" % (path, total, whole),
                  file=sys.stderr)
        rows.append({"build": build, "workload": wl, "commands": cmds,
                     "submissions": subs, "ir_total": total,
                     "ir_per_command": total / cmds,
                     "classes_ir": cost,
                     "classes_ir_per_command": {k: v / cmds for k, v in cost.items()}})
    json.dump(rows, open(out, "w"), indent=1)
    short = {"reg lookup": "reg", "page/careful": "page/crf"}
    hdr = "%-15s %-4s %8s" % ("workload", "build", "Ir/cmd") + "".join(
        " %8s" % short.get(c, c) for c in CLASSES)
    print(hdr)
    for r in rows:
        print("%-15s %-4s %8.1f" % (r["workload"], r["build"], r["ir_per_command"]) +
              "".join(" %8.1f" % r["classes_ir_per_command"][c] for c in CLASSES))
    print("Ir per command (callgrind, inside the auditor's API calls); classes:\n"
          "  dispatch  header -> descriptor, the no-rules bit, MI_NOOP\n"
          "  length    the length rule (fast form, descriptor lengths)\n"
          "  starts    marking command starts (jump targets)\n"
          "  rules     a descriptor's rules (conditions, addresses, stores, LRI walk)\n"
          "  reg       register lookup and checks (whitelist, masks, vregs)\n"
          "  jumps     batch calls and chains (buffer search, relocations)\n"
          "  copy      guest reads into Xen pages, page pool, clearing, sealing\n"
          "  page/crf  the per-page loop and the careful path's own lines\n"
          "  set-up    per submission: create, start, finish, destroy, allocations\n"
          "profile: %s" % out)


if __name__ == "__main__":
    main()
