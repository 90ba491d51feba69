#!/usr/bin/env python3
"""Check our 2D (BLT) command tables against independently written facts.

    blt_table.py BUILD [--exceptions=FILE] [--verbose]

Mesa's gen8.xml/gen9.xml describe no BLT commands, so the facts below are
written from the Linux i915 driver and the GVT-g command parser (Intel's
PRM-derived tables), not from our spec files:

  * every 2D command: Command Type 2 (bits 31:29), opcode bits 28:22,
    DWord Length bits 7:0 (GVT-g gives every XY_* command length width 8;
    i915's Gen9 blitter parser: "All the Gen9 blitter instructions are
    standard 0xFF length mask"), length = field + 2, blitter engine only
    (GVT-g R_BCS)
  * opcodes: GVT-g cmd_parser.c OP_XY_* / i915 intel_gpu_commands.h
    (XY_SRC_COPY_BLT_CMD 2<<29|0x53<<22, XY_COLOR_BLT_CMD 0x50,
    GEN9_XY_FAST_COPY_BLT_CMD 0x42, ...)
  * fixed lengths i915 emits on Gen8+: XY_SRC_COPY_BLT 10 dwords
    (| (10 - 2)), XY_COLOR_BLT 7 (| (7 - 2)), XY_FAST_COPY_BLT 10 (Gen9+)
  * COLOR_BLT (0x40) and SRC_COPY_BLT (0x43) are pre-Broadwell commands:
    XenGT's parser marks them D_PRE_BDW (with a 6-bit length), upstream
    GVT-g (Broadwell and later only) no longer lists them, and i915 has them
    only in its Gen7 blitter table (length mask 0x3F)

Checks, per command and generation: present in our table (blt-missing),
no 2D command of ours outside these facts (blt-extra), opcode
(blt-opcode), engines exactly bcs (blt-engines), field width 8
(blt-width), bias 2 (blt-bias), and the fixed length where one is known
is legal for us (blt-length).  The address-bearing dwords (BLT_ADDRS
below) are compared with our "mem" items by mem_check.py.  Exceptions: lines of exceptions.txt whose
KIND starts with blt- (same format as genxml_check.py); stale ones fail.
Last line: `blt: N passed, M failed` (N, M: command comparisons).
"""

import fnmatch
import subprocess
import sys

import ourtables
from ourtables import dump_rows

GENS = (8, 9)

# name, opcode (bits 28:22), gens, fixed length on Gen8+ (None: variable)
BLT_FACTS = [
    ("XY_SETUP_BLT",                           0x01, (8, 9), None),
    ("XY_SETUP_CLIP_BLT",                      0x03, (8, 9), None),
    ("XY_SETUP_MONO_PATTERN_SL_BLT",           0x11, (8, 9), None),
    ("XY_PIXEL_BLT",                           0x24, (8, 9), None),
    ("XY_SCANLINES_BLT",                       0x25, (8, 9), None),
    ("XY_TEXT_BLT",                            0x26, (8, 9), None),
    ("XY_TEXT_IMMEDIATE_BLT",                  0x31, (8, 9), None),
    ("XY_FAST_COPY_BLT",                       0x42, (9,),   10),
    ("XY_COLOR_BLT",                           0x50, (8, 9), 7),
    ("XY_PAT_BLT",                             0x51, (8, 9), None),
    ("XY_MONO_PAT_BLT",                        0x52, (8, 9), None),
    ("XY_SRC_COPY_BLT",                        0x53, (8, 9), 10),
    ("XY_MONO_SRC_COPY_BLT",                   0x54, (8, 9), None),
    ("XY_FULL_BLT",                            0x55, (8, 9), None),
    ("XY_FULL_MONO_SRC_BLT",                   0x56, (8, 9), None),
    ("XY_FULL_MONO_PATTERN_BLT",               0x57, (8, 9), None),
    ("XY_FULL_MONO_PATTERN_MONO_SRC_BLT",      0x58, (8, 9), None),
    ("XY_MONO_PAT_FIXED_BLT",                  0x59, (8, 9), None),
    ("XY_MONO_SRC_COPY_IMMEDIATE_BLT",         0x71, (8, 9), None),
    ("XY_PAT_BLT_IMMEDIATE",                   0x72, (8, 9), None),
    ("XY_SRC_COPY_CHROMA_BLT",                 0x73, (8, 9), None),
    ("XY_FULL_IMMEDIATE_PATTERN_BLT",          0x74, (8, 9), None),
    ("XY_FULL_MONO_SRC_IMMEDIATE_PATTERN_BLT", 0x75, (8, 9), None),
    ("XY_PAT_CHROMA_BLT",                      0x76, (8, 9), None),
    ("XY_PAT_CHROMA_BLT_IMMEDIATE",            0x77, (8, 9), None),
]
# Address-bearing dwords on Gen8+ (the "mem" items mem_check.py compares
# with ours).  Gen8 widened every 2D graphics address to 48 bits in two
# dwords; the command layouts are otherwise those of Gen7.  Sources:
#   GEN8  the Gen8+ dword positions, as i915/IGT (XY_SRC_COPY_BLT,
#         XY_COLOR_BLT, XY_FAST_COPY_BLT) and Mesa i965 intel_blit.c
#         (XY_SETUP_BLT's 10-dword form) emit them;
#   GVT   GVT-g's ADDR_FIX annotation (Gen7 dword positions of 32-bit
#         addresses); gen8_positions() widens them: every address before a
#         position moves it one dword on.  The widening reproduces each GEN8
#         row from its GVT annotation (XY_SETUP_BLT, XY_SRC_COPY_BLT 4,7 ->
#         4,8; XY_COLOR_BLT 4 -> 4), which the self-check in main() verifies.
#   None  not established: GVT-g annotates XY_FULL_BLT with no address,
#         yet the command names destination, source and pattern surfaces.
#         Expected without mem and reported; it must stay refused in
#         privileged buffers until its layout is known.
BLT_ADDRS = {
    "XY_SETUP_BLT":                           ("GEN8", (4, 8)),
    "XY_SETUP_CLIP_BLT":                      ("GVT", ()),
    "XY_SETUP_MONO_PATTERN_SL_BLT":           ("GVT", (4,)),
    "XY_PIXEL_BLT":                           ("GVT", ()),
    "XY_SCANLINES_BLT":                       ("GVT", ()),
    "XY_TEXT_BLT":                            ("GVT", (3,)),
    "XY_TEXT_IMMEDIATE_BLT":                  ("GVT", ()),
    "XY_FAST_COPY_BLT":                       ("GEN8", (4, 8)),
    "XY_COLOR_BLT":                           ("GEN8", (4,)),
    "XY_PAT_BLT":                             ("GVT", (4, 5)),
    "XY_MONO_PAT_BLT":                        ("GVT", (4,)),
    "XY_SRC_COPY_BLT":                        ("GEN8", (4, 8)),
    "XY_MONO_SRC_COPY_BLT":                   ("GVT", (4, 5)),
    "XY_FULL_BLT":                            None,
    "XY_FULL_MONO_SRC_BLT":                   ("GVT", (4, 5, 8)),
    "XY_FULL_MONO_PATTERN_BLT":               ("GVT", (4, 7)),
    "XY_FULL_MONO_PATTERN_MONO_SRC_BLT":      ("GVT", (4, 5)),
    "XY_MONO_PAT_FIXED_BLT":                  ("GVT", (4,)),
    "XY_MONO_SRC_COPY_IMMEDIATE_BLT":         ("GVT", (4,)),
    "XY_PAT_BLT_IMMEDIATE":                   ("GVT", (4,)),
    "XY_SRC_COPY_CHROMA_BLT":                 ("GVT", (4, 7)),
    "XY_FULL_IMMEDIATE_PATTERN_BLT":          ("GVT", (4, 7)),
    "XY_FULL_MONO_SRC_IMMEDIATE_PATTERN_BLT": ("GVT", (4, 5)),
    "XY_PAT_CHROMA_BLT":                      ("GVT", (4, 5)),
    "XY_PAT_CHROMA_BLT_IMMEDIATE":            ("GVT", (4,)),
}
# GVT-g's Gen7 annotations of the GEN8 rows, for the widening self-check.
GVT_OF_GEN8 = {"XY_SETUP_BLT": (4, 7), "XY_COLOR_BLT": (4,), "XY_SRC_COPY_BLT": (4, 7)}


def gen8_positions(gen7):
    """Gen7 dword positions of 32-bit addresses -> Gen8 positions of the
    same addresses, 64-bit each."""
    return tuple(dw + i for i, dw in enumerate(sorted(gen7)))


def blt_mem_facts(name):
    """(items, source) for mem_check.py: items a list of (dw, 2, 0), or
    None when the layout is not established (or name is no 2D fact)."""
    fact = BLT_ADDRS.get(name)
    if fact is None:
        return None, "UNKNOWN (no Gen8+ BLT layout established)"
    src, pos = fact
    if src == "GVT":
        pos = gen8_positions(pos)
    return [(dw, 2, 0) for dw in pos], "BLT facts (%s)" % ("GVT-g, widened" if src == "GVT" else "Gen8 emitters")


def widening_selfcheck():
    """Messages for GEN8 rows the widening rule does not reproduce."""
    bad = []
    for name, gen7 in GVT_OF_GEN8.items():
        if gen8_positions(gen7) != BLT_ADDRS[name][1]:
            bad.append("widening %s: GVT %s -> %s, Gen8 emitters %s"
                       % (name, gen7, gen8_positions(gen7), BLT_ADDRS[name][1]))
    return bad


# Known 2D commands that do not exist on Gen8+ (see above).
PRE_GEN8 = {"COLOR_BLT": 0x40, "SRC_COPY_BLT": 0x43}
FIELD_BITS = 8
BIAS = 2


def load_ours(build, gen):
    return dump_rows(build, gen)


def load_exceptions(path):
    return ourtables.load_exceptions(path, lambda k: k.startswith("blt-"),
                                     lambda k: True)


def main(argv):
    cli = ourtables.exceptions_cli(argv, "blt_table.py")
    if cli is None:
        return 2
    build, exc_path, verbose = cli
    excs, bad = load_exceptions(exc_path)
    passed = failed = 0
    lines = []

    def judge(gen, name, dis):
        nonlocal passed, failed
        bad_here = []
        for kind, text in dis:
            e = next((e for e in excs if e["gen"] in ("*", str(gen))
                      and fnmatch.fnmatchcase(kind, e["kind"])
                      and fnmatch.fnmatchcase(name, e["name"])), None)
            if e:
                e["used"] += 1
                if verbose:
                    lines.append("ok   gen%d %s: %s [%s, exceptions.txt:%d]" % (gen, name, text, kind, e["line"]))
            else:
                bad_here.append("FAIL gen%d %s: %s [%s]" % (gen, name, text, kind))
        lines.extend(bad_here)
        if bad_here:
            failed += 1
        else:
            passed += 1

    for gen in GENS:
        try:
            ours = [d for d in load_ours(build, gen) if d["type"] == "2d"]
        except (OSError, subprocess.CalledProcessError, ValueError) as e:
            print("blt: error: cannot load gen%d table: %s" % (gen, e))
            print("blt: %d passed, %d failed" % (passed, failed + 1))
            return 1
        by_name = {d["name"]: d for d in ours}
        by_op = {int(d["opcode"], 16): d for d in ours}
        facts = [f for f in BLT_FACTS if gen in f[2]]
        fact_ops = {f[1] for f in facts}
        p0, f0 = passed, failed
        for name, op, _, fixed in facts:
            d = by_name.get(name) or by_op.get(op)
            if d is None:
                judge(gen, name, [("blt-missing", "2D opcode 0x%02x absent from our gen%d table" % (op, gen))])
                continue
            dis = []
            if d["name"] != name and verbose:
                lines.append("info gen%d %s: ours names it %s" % (gen, name, d["name"]))
            if int(d["opcode"], 16) != op:
                dis.append(("blt-opcode", "opcode: ours 0x%s, fact 0x%02x" % (d["opcode"][2:], op)))
            if d["engines"] != ["bcs"]:
                dis.append(("blt-engines", "engines: ours %s, fact bcs" % ",".join(d["engines"])))
            ln = d["length"]
            if "fixed" in ln:
                dis.append(("blt-width", "length: ours fixed %d, fact 8-bit field" % ln["fixed"]))
                if fixed is not None and ln["fixed"] != fixed:
                    dis.append(("blt-length", "fixed length: ours %d, fact %d" % (ln["fixed"], fixed)))
            else:
                if ln["field_bits"] != FIELD_BITS:
                    dis.append(("blt-width", "length field: ours %d bits, fact %d" % (ln["field_bits"], FIELD_BITS)))
                if ln["bias"] != BIAS:
                    dis.append(("blt-bias", "length bias: ours %d, fact %d" % (ln["bias"], BIAS)))
                if fixed is not None:
                    only = ln.get("only")
                    if not (ln["min"] <= fixed <= ln["max"]) or (only and fixed not in only):
                        dis.append(("blt-length", "length %d (i915 on Gen8+) not legal for us (%d..%d%s)"
                                    % (fixed, ln["min"], ln["max"], " only %s" % only if only else "")))
                    elif verbose and not only and ln["min"] != ln["max"]:
                        lines.append("info gen%d %s: i915 emits %d dwords; ours accepts %d..%d"
                                     % (gen, name, fixed, ln["min"], ln["max"]))
            judge(gen, name, dis)
        for d in ours:
            op = int(d["opcode"], 16)
            if d["name"] in {f[0] for f in facts} or op in fact_ops:
                continue
            why = ("a pre-Gen8 command (XenGT D_PRE_BDW; not in BDW+ GVT-g)"
                   if PRE_GEN8.get(d["name"]) == op else "not a known Gen%d 2D command" % gen)
            judge(gen, d["name"], [("blt-extra", "ours 2D opcode 0x%02x on %s: %s"
                                    % (op, ",".join(d["engines"]), why))])
        print("blt gen%d: %d facts, %d 2D commands in our table: %d passed, %d failed"
              % (gen, len(facts), len(ours), passed - p0, failed - f0))
    for b in bad:
        lines.append("FAIL " + b)
        failed += 1
    for b in widening_selfcheck():
        lines.append("FAIL " + b)
        failed += 1
    missing_addr = sorted({f[0] for f in BLT_FACTS} - set(BLT_ADDRS))
    if missing_addr:
        lines.append("FAIL no address fact (BLT_ADDRS) for %s" % ", ".join(missing_addr))
        failed += 1
    stale = ourtables.stale_exceptions(excs)
    lines += stale
    failed += len(stale)
    for l in lines:
        print(l)
    print("blt: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
