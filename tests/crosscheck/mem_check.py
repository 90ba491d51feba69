#!/usr/bin/env python3
"""Cross-check the address-bearing dwords (mem=) of our command tables.

    mem_check.py BUILD [--verbose]

Our side is what the tables really contain: the "mem" arrays of
`BUILD/gpu-audit --dump-table --gen N --json` (items {dw, dws, stride}),
never the spec files.  The other side is recomputed here:

3D / GPGPU / media / video commands (type 3): from Mesa 22.3's PRM-derived
BUILD/mesa-src/src/intel/genxml/genN.xml.  For every <instruction> (matched
to ours by command type, 16-bit opcode and engine class, as in
genxml_check.py) every field with type="address" is an address:

  * a field directly in the instruction, or inside a struct that a field of
    the instruction (or of a struct, recursively) names as its type, at the
    field's bit position plus the enclosing positions;
  * inside a <group count="K"> (K > 0): unrolled, K addresses at the
    group's start + i * size;
  * inside a <group count="0"> (repeated to the end of the command): one
    repeated item, rep:S:T:O, S the group's first dword, T its size in
    dwords, O the address's dword within the group;
  * the dword index is start / 32 (address fields often start at bit 2, 6
    or 12 of their dword: flags and attributes sit below); a field spanning
    more than 32 bits is a 64-bit address (two dwords), otherwise a 32-bit
    one;
  * a 32-bit low part ending on bit 31 of dword N followed by an address
    field named "... High" starting at bit 0 of dword N+1 is one 64-bit
    address at N (Mesa splits 3DSTATE_RS_CONSTANT_POINTER's Global Constant
    Buffer Address so);
  * a field Mesa types as an integer but names "... Address", wider than
    32 bits, is an address too (mistyped_address());
  * Mesa's type="offset" fields (pointers relative to a base address) are
    not addresses; type="address" is taken as Mesa gives it (including
    fields the PRM defines relative to a base, such as Scratch Space Base
    Pointer: reported in the lead's review, not filtered here);
  * dwords an operand rule of ours already checks (addr/jump operands, e.g.
    PIPE_CONTROL's post-sync address) are not expected in "mem".

Commands Mesa 22.3 does not describe (documented exceptions, not compared
with genxml):

  * 2D (BLT) commands: compared with blt_table.py's BLT_ADDRS (Gen8+
    layouts, every address 48-bit in two dwords, from Gen8 emitters or
    GVT-g's Gen7 annotations widened; see there).  A command whose layout
    is not established there is expected without mem (UNKNOWN).
  * VEBOX commands (VECS only; Mesa 22.3 has none, GVT-g annotates no
    address): compared with VEBOX_FACTS below, the dword layouts of the
    Intel media driver's generated command definitions
    (media_driver/agnostic/gen8|gen9/hw/mhw_vebox_hwcmd_g8_X.h, _g9_X.h):
    every 48-bit graphics address in a dword pair, low part in bits 31:12.
    The opcode and the driver's dword count (a length we must accept) are
    checked against the same facts: Mesa cannot check VECS commands.
  * MI commands: their addresses are operands; expected without mem.
  * XML_NO_MEM below: genxml commands whose address field sits in a union
    that mem= cannot express (present only under a condition): expected
    without mem.  HCP_PAK_INSERT_OBJECT: its repeated 4-dword groups from
    DW2 are an indirect payload (Indirect Payload Base Address in the
    group's DW1-2) only when Indirect Payload Enable (DW1 bit 31) is set,
    inline header data otherwise; a rep: item would call inline data an
    address.

One comparison per command and generation: the two sides are expanded to
the concrete (dword, width) set for every legal length of the command (up
to 256 dwords) and must agree.  Last line: `mem: N passed, M failed`.
"""

import os
import sys
import xml.etree.ElementTree as ET

from blt_table import blt_mem_facts
from ourtables import CheckError, dump_rows

GENS = (8, 9)
ENGINE_CLASS = {"rcs": "render", "bcs": "blitter", "vcs": "video", "vcs2": "video"}
CLASSES = ("render", "blitter", "video")

# Same opcode fields as genxml_check.py (header bits 28:16).
OPCODE_FIELDS = {
    "Command SubType", "Command Subtype", "Pipeline", "Media Command Pipeline",
    "3D Command Opcode", "Media Command Opcode", "Media Command OpCode",
    "3D Command Sub Opcode", "SubOpcode", "SubOpcode A", "SubOpcode B",
    "Media Command Sub-Opcode", "Media Instruction Command",
}

# VEBOX facts (see the docstring): (gen, name) -> first dwords of the
# 64-bit addresses.  Gen8: VEBOX_STATE 12 dwords (DN/DI, IECP, gamut,
# vertex table, capture pipe state pointers), VEB_DI_IECP 20 dwords
# (current/previous input, STMM in/out, denoised current, current/previous
# output, statistics, and the last pair), VEBOX_SURFACE_STATE 7 dwords
# without an address.  Gen9 adds the LACE LUT and gamma pointers to
# VEBOX_STATE (16 dwords), the alpha/vignette, LACE/ACE/RGB histogram and
# skin score surfaces to VEB_DI_IECP (24 dwords), and VEBOX_TILING_CONVERT
# (5 dwords: input, output).
# Each row: (header bits 31:16 = type 3, pipeline 2, opcode 4, SubOpcode A
# 0 and B; the driver's dword count, which must be a legal length for us;
# the address dwords).
VEBOX_FACTS = {
    (8, "VEBOX_SURFACE_STATE"): (0x7400, 7, ()),
    (8, "VEBOX_STATE"): (0x7402, 12, (2, 4, 6, 8, 10)),
    (8, "VEB_DI_IECP"): (0x7403, 20, (2, 4, 6, 8, 10, 12, 14, 16, 18)),
    (9, "VEBOX_SURFACE_STATE"): (0x7400, 9, ()),
    (9, "VEBOX_STATE"): (0x7402, 16, (2, 4, 6, 8, 10, 12, 14)),
    (9, "VEB_DI_IECP"): (0x7403, 24, (2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22)),
    (9, "VEBOX_TILING_CONVERT"): (0x7401, 5, (1, 3)),
}
MAX_EXPAND = 256
# genxml instructions whose address fields are conditional (see above).
XML_NO_MEM = {"HCP_PAK_INSERT_OBJECT"}

# Fields Mesa types as "address" that are not graphics addresses: offsets
# from a base address set by another command (scratch space from General
# State Base; indirect data from Indirect Object Base; BSD and HuC stream
# data from their indirect-object base commands) and the HuC's internal
# DMEM destination.  A model that touched them as addresses would touch
# the wrong memory.
XML_NOT_ADDRESS = {
    "Scratch Space Base Pointer",
    "Indirect Data Start Address",
    "Indirect BSD Data Start Address",
    "Indirect Stream-In - Address",
    "Indirect Stream-Out - Address",
    "HUC Data Destination - Address",
}




def load_ours(build, gen):
    cmds = []
    for d in dump_rows(build, gen):
        try:
            ln = d["length"]
            if "fixed" in ln:
                lens = [ln["fixed"]]
            else:
                lens = [l for l in range(ln["min"], min(ln["max"], MAX_EXPAND) + 1)
                        if not ln.get("only") or l in ln["only"]]
            ops = {o["dw"] for o in d["rules"]["operands"] if o.get("kind") in ("addr", "jump")}
            cmds.append({"name": d["name"], "type": d["type"], "opcode": int(d["opcode"], 16),
                         "engines": d["engines"], "lens": lens, "operand_dws": ops,
                         "mem": [(m["dw"], m["dws"], m["stride"]) for m in d["rules"]["mem"]]})
        except (ValueError, KeyError, TypeError) as e:
            raise CheckError("gen%d --dump-table: %s: %r" % (gen, e, d))
    return cmds


# --------------------------------------------------------------------------
# genxml
# --------------------------------------------------------------------------
def xml_opcode(path, ins):
    op, seen = 3 << 13, 0
    for f in ins.findall("field"):
        s, e = int(f.get("start")), int(f.get("end"))
        if s < 16 or e > 31 or f.get("name") not in OPCODE_FIELDS:
            continue
        op |= int(f.get("default"), 0) << (s - 16)
        seen |= ((1 << (e - s + 1)) - 1) << (s - 16)
    if seen != 0x1fff:
        raise CheckError("%s: %s: opcode fields cover 0x%x" % (path, ins.get("name"), seen))
    return op


def mistyped_address(field):
    """A field Mesa types as a plain integer that is a graphics address:
    named "... Address" and wider than a dword (SFC_STATE's Output Frame,
    MFX_VP8_PIC_STATE's stream addresses, HCP_PIPE_BUF_ADDR_STATE's VP9
    Segment ID Buffer, Gen8 MFX_BSP_BUF_BASE_ADDR_STATE's Bitplane Read
    Buffer).  Dword-sized "... Address" integers are base-relative offsets
    (CURBE Data Start Address, Indirect Data Start Address) or not memory
    at all (URB Address, LCU X Address)."""
    if field.get("type") in ("address", "offset") or not field.get("name", "").endswith("Address"):
        return False
    return int(field.get("end")) - int(field.get("start")) + 1 > 32


def addresses(elem, base, structs, rep, path, out, depth=0):
    """Collect address fields of elem (instruction, struct or group body).

    base: absolute bit of elem's bit 0; rep: None or (S, T) of the enclosing
    count=0 group (base is then the group's first instance).  Appends
    (start_bit, end_bit, name, rep) to out."""
    if depth > 8:
        raise CheckError("%s: struct nesting too deep" % path)
    for child in elem:
        if child.tag == "field":
            s, e = base + int(child.get("start")), base + int(child.get("end"))
            t = child.get("type", "")
            if (t == "address" or mistyped_address(child)) and child.get("name") not in XML_NOT_ADDRESS:
                out.append((s, e, child.get("name"), rep))
            elif t in structs:
                addresses(structs[t], s, structs, rep, path, out, depth + 1)
        elif child.tag == "group":
            count, gs, size = int(child.get("count")), int(child.get("start")), int(child.get("size"))
            if count == 0:
                if rep is not None:
                    raise CheckError("%s: nested variable groups" % path)
                sub = []
                addresses(child, base + gs, structs, None, path, sub, depth + 1)
                if sub and ((base + gs) % 32 or size % 32):
                    raise CheckError("%s: variable group with addresses not dword aligned" % path)
                for (s, e, name, _) in sub:
                    out.append((s, e, name, ((base + gs) // 32, size // 32)))
            else:
                for i in range(count):
                    addresses(child, base + gs + i * size, structs, rep, path, out, depth + 1)


def to_items(fields, path, name):
    """(start, end, name, rep) -> sorted list of (dw, dws, stride)."""
    items = []
    fields = sorted(fields, key=lambda f: f[0])
    skip = set()
    for i, (s, e, fname, rep) in enumerate(fields):
        if i in skip:
            continue
        dw = s // 32
        dws = 2 if e - s + 1 > 32 else 1
        if dws == 1 and e % 32 == 31 and i + 1 < len(fields):
            s2, e2, n2, rep2 = fields[i + 1]
            if s2 == e + 1 and n2.endswith(" High") and rep2 == rep:
                dws = 2
                skip.add(i + 1)
        if dws == 2 and e // 32 > dw + 1:
            raise CheckError("%s: %s: address %r spans more than two dwords" % (path, name, fname))
        if rep is None:
            items.append((dw, dws, 0))
        else:
            S, T = rep
            if dw - S + dws > T:
                raise CheckError("%s: %s: %r outside its group" % (path, name, fname))
            items.append((dw, dws, T))
    return sorted(set(items))


def load_xml(path):
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        raise CheckError("cannot read %s: %s" % (path, e))
    structs = {s.get("name"): s for s in root.iter("struct")}
    out = {}
    for ins in root.iter("instruction"):
        ct = None
        for f in ins.findall("field"):
            if f.get("name") == "Command Type":
                ct = int(f.get("default"), 0)
        if ct != 3:
            continue
        name = ins.get("name")
        op = xml_opcode(path, ins)
        fields = []
        addresses(ins, 0, structs, None, path, fields)
        items = to_items(fields, path, name)
        eng = ins.get("engine")
        classes = set(CLASSES) if eng is None else set(eng.split("|"))
        for c in classes:
            out[(op, c)] = {"name": name, "items": items,
                            "fields": sorted(f[2] for f in fields)}
    return out


# --------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------
def expand(items, length, drop=()):
    got = set()
    for dw, dws, stride in items:
        d = dw
        while d + dws <= length:
            if d not in drop:
                got.add((d, dws))
            if not stride:
                break
            d += stride
    return got


def fmt(items):
    if not items:
        return "(none)"
    out = []
    for dw, dws, stride in items:
        s = "%d%s" % (dw, ":32" if dws == 1 else "")
        if stride:
            s = "every %d from %s" % (stride, s)
        out.append(s)
    return ", ".join(out)


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    verbose = "--verbose" in argv
    if len(args) != 1:
        print("usage: mem_check.py BUILD [--verbose]", file=sys.stderr)
        return 2
    build = args[0]
    genxml = os.path.join(build, "mesa-src", "src", "intel", "genxml")
    passed = failed = 0
    lines = []
    unknown = []
    try:
        for gen in GENS:
            ours = load_ours(build, gen)
            xml = load_xml(os.path.join(genxml, "gen%d.xml" % gen))
            p0, f0 = passed, failed
            nmem = 0
            for d in ours:
                if d["type"] == "mi":
                    expected, src = [], "MI: addresses are operands"
                elif d["type"] == "2d":
                    expected, src = blt_mem_facts(d["name"])
                    if expected is None:
                        expected = []
                        unknown.append("gen%d %s" % (gen, d["name"]))
                elif d["engines"] == ["vecs"] and (gen, d["name"]) in VEBOX_FACTS:
                    op, dws, addrs = VEBOX_FACTS[(gen, d["name"])]
                    expected = [(dw, 2, 0) for dw in addrs]
                    src = "VEBOX facts (media driver)"
                    if d["opcode"] != op or dws not in d["lens"]:
                        failed += 1
                        lines.append("FAIL gen%d %s: opcode 0x%04x, media driver 0x%04x; its %d dwords %s"
                                     % (gen, d["name"], d["opcode"], op, dws,
                                        "legal for us" if dws in d["lens"] else "not legal for us"))
                        continue
                else:
                    cls = sorted({ENGINE_CLASS[e] for e in d["engines"] if e in ENGINE_CLASS})
                    xs = [xml[(d["opcode"], c)] for c in cls if (d["opcode"], c) in xml]
                    if not xs:
                        expected, src = [], "UNKNOWN (not in gen%d.xml)" % gen
                        unknown.append("gen%d %s" % (gen, d["name"]))
                    else:
                        expected, src = xs[0]["items"], "gen%d.xml %s" % (gen, xs[0]["name"])
                        if xs[0]["name"] in XML_NO_MEM:
                            expected, src = [], src + " (conditional address: XML_NO_MEM)"
                        for x in xs[1:]:
                            if x["items"] != expected:
                                raise CheckError("gen%d %s: engine classes disagree in the XML"
                                                 % (gen, d["name"]))
                if d["mem"]:
                    nmem += 1
                bad = None
                for length in d["lens"]:
                    want = expand(expected, length, d["operand_dws"])
                    have = expand(d["mem"], length)
                    if want != have:
                        bad = (length, sorted(want - have), sorted(have - want))
                        break
                if bad:
                    failed += 1
                    lines.append("FAIL gen%d %s: ours %s, expected %s [%s]; at length %d missing %s, extra %s"
                                 % (gen, d["name"], fmt(d["mem"]), fmt(expected), src,
                                    bad[0], bad[1], bad[2]))
                else:
                    passed += 1
                    if verbose and (expected or d["mem"]):
                        lines.append("ok   gen%d %s: %s [%s]" % (gen, d["name"], fmt(d["mem"]), src))
            print("mem gen%d: %d commands, %d with mem: %d passed, %d failed"
                  % (gen, len(ours), nmem, passed - p0, failed - f0))
    except CheckError as e:
        print("mem: error: %s" % e)
        print("mem: %d passed, %d failed" % (passed, failed + 1))
        return 1
    if unknown:
        print("mem: %d commands without established address layout (expected without mem)%s"
              % (len(unknown), ": " + ", ".join(unknown) if verbose else "; see --verbose"))
    for l in lines:
        print(l)
    print("mem: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
