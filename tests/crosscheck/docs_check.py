#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Keep the command documentation in step with the generated tables.

    docs_check.py BUILD                 check (the crosscheck suite runs this)
    docs_check.py BUILD --print-table   print docs/command-table.md

Our side is what the tables really contain (`BUILD/gpu-audit --dump-table
--json`), never the spec files.  Two checks:

  * docs/command-table.md, the appendix listing every command of both
    generations with its engines, length rule, per-class policy, rules and
    address-bearing dwords, is exactly what --print-table prints now (a
    stale appendix fails; regenerate it with the command in the failure);
  * every command that carries a rule of its own (a policy other than
    "allow everywhere" or, for 2D/3D/video commands, "PPGTT batches only";
    an operand,
    a deny condition, a batch end or an immediate store) is named in
    docs/audit-rules.md, which says what is checked and why.

Last line: `docs: N passed, M failed`.
"""

import os
import sys

from ourtables import CheckError, dump_rows

GENS = (8, 9)
ALL_ENGINES = ["rcs", "bcs", "vcs", "vcs2", "vecs"]
TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
TABLE_DOC = os.path.join(TOP, "docs", "command-table.md")
RULES_DOC = os.path.join(TOP, "docs", "audit-rules.md")
PLAIN_POLICIES = (("allow", "allow", "allow"), ("reject", "reject", "allow"))


def policies(d):
    r = d["rules"]
    return (r["ring"], r["ggtt"], r["ppgtt"])


def carries_rule(d):
    """The "PPGTT batches only" pattern is the general rule of 2D, 3D and
    video commands; on an MI command it is a rule of its own."""
    r = d["rules"]
    plain = PLAIN_POLICIES if d["type"] != "mi" else PLAIN_POLICIES[:1]
    return (policies(d) not in plain or r["operands"] or r["deny"]
            or r["end"] or r["jump"] or r["store"])


def fmt_length(ln):
    if "fixed" in ln:
        return "%d" % ln["fixed"]
    s = "%d-bit field + %d: %d..%d" % (ln["field_bits"], ln["bias"], ln["min"], ln["max"])
    if ln.get("only") and len(ln["only"]) != ln["max"] - ln["min"] + 1:
        s += " (only %s)" % ", ".join(str(l) for l in ln["only"])
    return s


def fmt_rules(d):
    r = d["rules"]
    out = []
    for o in r["operands"]:
        s = "%s@DW%d" % (o["kind"], o["dw"])
        if o.get("access"):
            s += " " + o["access"]
        if o.get("ggtt_form") == "reject":
            s += " (GGTT form refused)"
        if "dup_when" in o:
            s += " (size doubled when DW%d & %s)" % (o["dup_when"]["dw"], o["dup_when"]["mask"])
        out.append(s)
    for x in r["deny"]:
        out.append("deny %s" % x["reason"])
    for flag in ("end", "store"):
        if r[flag]:
            out.append(flag)
    return "; ".join(out)


def fmt_mem(items):
    out = []
    for m in items:
        s = "%d%s" % (m["dw"], ":32" if m["dws"] == 1 else "")
        if m["stride"]:
            s = "every %d from %s" % (m["stride"], s)
        out.append(s)
    return ", ".join(out)


def table(build):
    lines = [
        "# Command table (generated)",
        "",
        "Every command the auditor knows, per generation, as the generated",
        "tables hold it (`gpu-audit --dump-table`).  Do not edit: regenerate",
        "with `python3 tests/crosscheck/docs_check.py build --print-table >",
        "docs/command-table.md`; the crosscheck suite fails when this file is",
        "stale.  Why each rule exists: [audit-rules.md](audit-rules.md).",
        "",
        "Columns: opcode (MI bits 28:23, 2D bits 28:22, 3D-family header bits",
        "31:16); length in dwords (a fixed length, or the DWord Length field",
        "width plus its bias, with the legal range); policy in ring, GGTT-batch",
        "and PPGTT-batch buffers; rules (operands the auditor checks: `addr`",
        "graphics address, `reg` register, `lri` register/value pairs, `jump`",
        "batch start, `index` byte offset into the status page; `deny`",
        "conditions with their reason; `end` batch end;",
        "`store` immediate store); address-bearing dwords (`mem=`: a 64-bit",
        "address at DW n and n+1, `:32` a 32-bit one, `every T from n` one in",
        "every T-dword group to the end).  Any opcode not listed is refused",
        "as unknown on every engine.",
    ]
    for gen in GENS:
        rows = dump_rows(build, gen)
        lines += ["", "## Gen%d (%d commands)" % (gen, len(rows)), "",
                  "| command | type | opcode | engines | length | ring | ggtt | ppgtt | rules | mem |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for d in rows:
            eng = "all" if d["engines"] == ALL_ENGINES else ",".join(d["engines"])
            ring, ggtt, ppgtt = policies(d)
            lines.append("| `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s |"
                         % (d["name"], d["type"], d["opcode"], eng, fmt_length(d["length"]),
                            ring, ggtt, ppgtt, fmt_rules(d), fmt_mem(d["rules"]["mem"])))
    return "\n".join(lines) + "\n"


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        print("usage: docs_check.py BUILD [--print-table]", file=sys.stderr)
        return 2
    build = args[0]
    try:
        text = table(build)
        if "--print-table" in argv:
            sys.stdout.write(text)
            return 0
        rows = [d for g in GENS for d in dump_rows(build, g)]
    except CheckError as e:
        print("docs: error: %s" % e)
        print("docs: 0 passed, 1 failed")
        return 1
    passed = failed = 0
    try:
        with open(TABLE_DOC) as f:
            current = f.read()
    except OSError:
        current = None
    if current == text:
        passed += 1
    else:
        failed += 1
        print("FAIL docs/command-table.md is %s: run python3 tests/crosscheck/docs_check.py "
              "%s --print-table > docs/command-table.md" % ("missing" if current is None else "stale", build))
    with open(RULES_DOC) as f:
        rules_doc = f.read()
    named = set()
    for d in rows:
        if not carries_rule(d) or d["name"] in named:
            continue
        named.add(d["name"])
        if "`%s`" % d["name"] in rules_doc:
            passed += 1
        else:
            failed += 1
            print("FAIL gen%d %s carries a rule (%s; %s) but docs/audit-rules.md does not name it"
                  % (d["gen"], d["name"], "/".join(policies(d)), fmt_rules(d) or "no operands"))
    print("docs: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
