#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Every genxml field of every command with operands or deny rules has a
reviewed disposition (tests/crosscheck/field-dispositions.txt).

    field_check.py BUILD [--dispositions=FILE] [--verbose]

Scope: per generation, the commands of our generated table
(`gpu-audit --dump-table --json`) that carry an operand or a deny rule:
the ones where a mode bit could change what an audited operand means.
Their fields come from Mesa's gen8.xml / gen9.xml (fetched by
fetch-genxml.sh); a field inside a <group> is placed at the group's first
instance.

Table lines: GEN | COMMAND | FIELD | DISPOSITION | REASON
  GEN          8, 9 or * (both: the field must then exist in both)
  DISPOSITION  modelled  the auditor's rules read the field's bits
               refused   a deny rule (or a refused GGTT form) covers them
               none      no effect on isolation; no rule may read them
  REASON       required, free text

Fails on: a field in scope without a line; a line for a command out of
scope or a field genxml does not have (stale); a disposition the tables
contradict: "modelled" for a field no rule reads, "refused" for one no
deny rule covers, "none" for one a rule reads.  Last line:
`fields: N passed, M failed`, N counting fields with a consistent line.
"""

import os
import sys
import xml.etree.ElementTree as ET

import ourtables
from ourtables import CheckError, dump_rows

GENS = (8, 9)
KINDS = ("modelled", "refused", "none")
HERE = os.path.dirname(os.path.abspath(__file__))


def xml_fields(genxml, gen):
    """{command name: {field name: set of absolute bit numbers}}."""
    root = ET.parse(os.path.join(genxml, "gen%d.xml" % gen)).getroot()
    out = {}
    for ins in root.iter("instruction"):
        fields = {}

        def walk(elem, base):
            for child in elem:
                if child.tag == "field":
                    s, e = int(child.get("start")), int(child.get("end"))
                    bits = fields.setdefault(child.get("name"), set())
                    bits.update(range(base + s, base + e + 1))
                elif child.tag == "group":
                    walk(child, base + int(child.get("start")))

        walk(ins, 0)
        out[ins.get("name")] = fields
    return out


def cond_bits(c):
    mask = int(c["mask"], 16)
    return {32 * c["dw"] + b for b in range(32) if mask >> b & 1}


def dword_bits(first, last):
    return set(range(32 * first, 32 * (last + 1)))


def rule_bits(row, xml_len):
    """(bits any rule reads, bits a deny rule or refused GGTT form covers)."""
    r = row["rules"]
    read, refused = set(), set()
    for o in r["operands"]:
        dw = o["dw"]
        if o["kind"] == "lri":
            last = max(row["length"].get("max", 0), xml_len) - 1
            read |= dword_bits(dw, last)
        elif o["kind"] == "reg":
            read |= dword_bits(dw, dw)
            if "value_dw" in o:
                read |= dword_bits(o["value_dw"], o["value_dw"])
        else:
            read |= dword_bits(dw, dw + o.get("dws", 2) - 1)
        size = o.get("size", "")
        if size.startswith("tail") or size.startswith("scaled:"):
            last = max(row["length"].get("max", 0), xml_len) - 1
            read |= dword_bits(dw, last)
        elif size.startswith("shift:"):
            sdw, shift = (int(x) for x in size.split(":")[1:3])
            read |= {32 * sdw + shift, 32 * sdw + shift + 1}
        for k in ("ggtt_when", "l2_when", "dup_when", "if0", "if1", "if2"):
            if k in o:
                read |= cond_bits(o[k])
        if o.get("ggtt_form") == "reject":
            refused |= cond_bits(o["ggtt_when"])
    for d in r["deny"]:
        read |= cond_bits(d["when"])
        refused |= cond_bits(d["when"])
    return read, refused


def decoder_bits(row):
    """Header bits the dispatch and length decoding read."""
    bits = set(range(29, 32))                       # command type
    bits |= set(range(23, 29)) if row["type"] == "mi" else set()
    bits |= set(range(16, 29)) if row["type"] == "3d" else set()
    bits |= set(range(22, 29)) if row["type"] == "2d" else set()
    bits |= set(range(0, row["length"].get("field_bits", 0)))
    return bits


def load_table(path):
    lines, bad = [], []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            tok = [t.strip() for t in s.split("|")]
            if (len(tok) != 5 or tok[0] not in ("8", "9", "*") or
                    tok[3] not in KINDS or not tok[4]):
                bad.append("FAIL %s:%d: malformed (GEN | COMMAND | FIELD | "
                           "DISPOSITION | REASON): %s" % (os.path.basename(path), n, s))
                continue
            lines.append({"line": n, "gen": tok[0], "cmd": tok[1], "field": tok[2],
                          "kind": tok[3], "reason": tok[4], "used": set()})
    return lines, bad


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    path = os.path.join(HERE, "field-dispositions.txt")
    for a in argv[1:]:
        if a.startswith("--dispositions="):
            path = a.split("=", 1)[1]
    if len(args) != 1:
        print("usage: %s BUILD [--dispositions=FILE] [--verbose]" % argv[0], file=sys.stderr)
        return 2
    build = args[0]
    verbose = "--verbose" in argv
    genxml = os.path.join(build, "mesa-src", "src", "intel", "genxml")
    table, fails = load_table(path)
    passed = 0
    counts = {}
    try:
        for gen in GENS:
            xml = xml_fields(genxml, gen)
            for row in dump_rows(build, gen):
                r = row["rules"]
                if not r["operands"] and not r["deny"]:
                    continue
                if row["name"] not in xml:
                    fails.append("FAIL gen%d %s carries rules but genxml has no such command"
                                 % (gen, row["name"]))
                    continue
                fields = xml[row["name"]]
                xml_len = max((max(b) // 32 + 1 for b in fields.values()), default=1)
                read, refused = rule_bits(row, xml_len)
                read |= decoder_bits(row)
                for name, bits in sorted(fields.items(), key=lambda kv: min(kv[1])):
                    hits = [e for e in table if e["cmd"] == row["name"] and e["field"] == name
                            and e["gen"] in (str(gen), "*")]
                    where = "gen%d %s '%s'" % (gen, row["name"], name)
                    if not hits:
                        fails.append("FAIL %s: no disposition" % where)
                        continue
                    if len(hits) > 1:
                        fails.append("FAIL %s: %d dispositions (lines %s)"
                                     % (where, len(hits), ", ".join(str(e["line"]) for e in hits)))
                        continue
                    e = hits[0]
                    e["used"].add(gen)
                    bad = None
                    if e["kind"] == "modelled" and not bits & read:
                        bad = "'modelled' but no rule reads its bits"
                    elif e["kind"] == "refused" and not bits & refused:
                        bad = "'refused' but no deny rule covers its bits"
                    elif e["kind"] == "none" and bits & read:
                        bad = "'none' but a rule reads its bits"
                    if bad:
                        fails.append("FAIL %s (line %d): %s" % (where, e["line"], bad))
                        continue
                    passed += 1
                    counts[(gen, e["kind"])] = counts.get((gen, e["kind"]), 0) + 1
                    if verbose:
                        print("ok %s: %s" % (where, e["kind"]))
    except (CheckError, OSError, ET.ParseError) as ex:
        print("FAIL %s" % ex)
        print("fields: %d passed, %d failed" % (passed, len(fails) + 1))
        return 1
    for e in table:
        want = set(GENS) if e["gen"] == "*" else {int(e["gen"])}
        if e["used"] != want:
            fails.append("FAIL stale disposition line %d: %s %s '%s' (no such field in "
                         "scope for gen %s)" % (e["line"], e["gen"], e["cmd"], e["field"],
                                                ",".join(str(g) for g in sorted(want - e["used"]))))
    for f in fails:
        print(f)
    for gen in GENS:
        print("gen%d: %s" % (gen, ", ".join("%s %d" % (k, counts.get((gen, k), 0))
                                            for k in KINDS)))
    print("fields: %d passed, %d failed" % (passed, len(fails)))
    return 0 if not fails else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
