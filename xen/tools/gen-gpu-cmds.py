#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Turn a declarative GPU command spec into the C tables the auditor reads.

    gen-gpu-cmds.py [--symbol NAME] [--depfile FILE] SPEC OUT.c

The tables name every value by its C name from cmd_desc.h (GPU_CF_*,
GPU_OPND_*, GPU_ACT_* ...), and the file checks with BUILD_BUG_ON that
what it relies on holds there (enumerations of the expected sizes, counts
and values within their fields).  The struct gpu_gen_spec it defines is
gpu_audit_spec_<name of the gen line>, or NAME with --symbol (the isolation
checker's reference copy of the tables).  --depfile writes the spec files
OUT.c was made from (SPEC and its bases) as a make rule, for Kbuild's
if_changed_dep and the host Makefile.

One spec file describes one generation.  Lines (``#`` starts a comment):

  gen N NAME                     generation number and C name (gen9 ...)
  base FILE                      start from another generation's spec
  engine ENG BASE TYPES          engine MMIO base and legal command types
                                 (TYPES: comma list of mi, 2d, 3d)
  cmd NAME TYPE OPCODE ENGINES LEN [RULE ...]
  defaults [RULE ...]            rules prepended to every following cmd line
                                 (until the next defaults line)
  drop NAME                      forget an inherited command
  reg NAME OFFSET ENGINES ACCESS [masked=0xBITS] [pdp] [priv] [count=N] [stride=S]
      [ctx]                      ctx: may also be loaded by a context image
      [privmasked=0xBITS] [virt] (see reg fields)
  forbid NAME OFFSET ENGINES [count=N] [stride=S]
                                 a register no reg line may whitelist
  ctx CLASS ITEM ...             context image layout (see parse_ctx())
  unreg NAME                     forget an inherited register (all expansions)

cmd fields:
  TYPE     mi | 2d | 3d
  OPCODE   mi: bits 28:23 (0x00-0x3f); 2d: bits 28:22 (0x00-0x7f);
           3d: the header's bits 31:16 as one 16-bit value (0x7a00 ...)
  ENGINES  comma list of rcs, bcs, vcs (both video engines), vecs; or all
  LEN      N (fixed dwords) or vW[+B]: length = header bits W-1:0 + B (B=2)

cmd rules:
  lens=A,B,...     the only legal lengths          min=N max=N  range
  ring=ACT ggtt=ACT ppgtt=ACT   ACT: allow reject noop event   (default allow)
  priv             ring=reject ggtt=reject
  end | store      batch end / immediate store (feeds the jump-operand log)
  addr=SPEC | reg=SPEC | lri=DW | jump=SPEC    operands (at most 3)
  index=SPEC       a byte offset into the context's status page (one page):
                   offset + size must stay inside it (address options)
  deny=COND:REASON refuse the command when COND holds (REASON: gpu.h name
                   without XEN_GPU_AUDIT_; at most 3)
  mem=ITEM,...     address-bearing dwords not described as operands (the
                   surfaces and state a command points at): N = a 64-bit
                   address in dwords N, N+1; N:32 = a 32-bit address in
                   dword N; rep:S:T:O[:32] = one address at offset O of every
                   T-dword group from dword S to the end of the command
operand SPEC: DW followed by comma-separated options
  dws=1|2  lo=MASK  hi=MASK            address dwords and address bits
  size=N | size=tail | size=shift:DW:BIT:BASE
  size=scaled:SHIFT:BASE  BASE + (each dword after the address << SHIFT)
  ggtt=COND        operand is a GGTT address when COND holds
  ggtt_reject      ... and that form is refused
  l2=COND          jump: starts a second-level batch when COND holds
  dup=COND         addr: when COND holds the hardware may write the data
                   again one size further: the range audited is twice the size
  if=COND          operand present only when COND holds (at most 3)
  access=r|w|rw    value=DW (register write value, for masked registers)
COND: DW:MASK (nonzero), DW:MASK=VAL, DW:MASK!=VAL

reg fields:
  OFFSET   absolute (0x2358) or ring+0xNN: expanded for each engine in
           ENGINES at that engine's base, named ENG_NAME
  ACCESS   r | w | rw
  masked=B      masked register: bits 31:16 enable writes of bits 15:0, and
                a write may enable only the B bits
  privmasked=P  masked register: ring and GGTT buffers may also enable P
  virt          the value a write names is replaced by the vGPU's own
                (LRI only: a value from memory or a register is refused)
"""

import argparse
import os
import re
import sys

# Spec words and the C names they stand for (cmd_desc.h, public/gpu.h): the
# generator never restates a C value, it writes the name.
ENGINES = ["rcs", "bcs", "vcs", "vcs2", "vecs"]  # XEN_GPU_ENGINE_*, GPU_ENG_*
TYPES = ["mi", "2d", "3d"]                       # GPU_CMD_TYPE_*
ACTS = ["allow", "reject", "noop", "event"]      # GPU_ACT_*
CLASSES = ["ring", "ggtt", "ppgtt"]              # GPU_CLASS_*
SIZE_KINDS = ["fixed", "tail", "shift", "scaled"]  # GPU_SIZE_*
OPND = ["addr", "reg", "lri", "jump", "index"]   # GPU_OPND_*
ACCESS = {"r": {"read"}, "w": {"write"}, "rw": {"read", "write"}}  # GPU_ACC_*
# Flag sets, in the order their names are written.
ACC_FLAGS = ["read", "write"]                    # GPU_ACC_*
CMD_FLAGS = ["end", "jump", "store", "checked"]  # GPU_CF_*
REG_FLAGS = ["masked", "pdp", "priv", "ctx", "virt"]  # GPU_RF_*
MAX_OPERANDS = 3
MAX_DENY = 5
MAX_CONDS = 3


class SpecError(Exception):
    pass


def num(s):
    try:
        return int(s, 0)
    except ValueError:
        raise SpecError("not a number: %r" % s)


def engines_mask(s):
    if s == "all":
        return (1 << len(ENGINES)) - 1
    m = 0
    for e in s.split(","):
        if e == "vcs":
            m |= (1 << ENGINES.index("vcs")) | (1 << ENGINES.index("vcs2"))
        elif e in ENGINES:
            m |= 1 << ENGINES.index(e)
        else:
            raise SpecError("unknown engine %r" % e)
    return m


def cond(s):
    m = re.fullmatch(r"(\d+):(0x[0-9a-fA-F]+|\d+)(?:(=|!=)(0x[0-9a-fA-F]+|\d+))?", s)
    if not m:
        raise SpecError("bad condition %r" % s)
    dw, mask = int(m.group(1)), num(m.group(2))
    if m.group(3) is None:
        return {"dw": dw, "mask": mask, "val": 0, "ne": 1}
    val = num(m.group(4))
    if val & ~mask:
        raise SpecError("condition value outside its mask: %r" % s)
    return {"dw": dw, "mask": mask, "val": val, "ne": 1 if m.group(3) == "!=" else 0}


NO_COND = {"dw": 0, "mask": 0, "val": 0, "ne": 0}


def operand(kind, spec):
    parts = spec.split(",")
    o = {"kind": kind, "dw": num(parts[0]), "access": set(), "addr_dws": 0,
         "lo": 0, "hi": 0, "size_kind": "fixed", "size_dw": 0, "size_shift": 0,
         "value_dw": 0, "size": 0, "ggtt_reject": 0, "ggtt": dict(NO_COND),
         "level2": dict(NO_COND), "dup": dict(NO_COND),
         "conds": []}
    if kind in ("addr", "jump", "index"):
        o.update(addr_dws=2, lo=0xfffffffc, hi=0xffff, size=4)
    if kind == "lri":
        o["access"] = {"write"}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        if k == "dws":
            o["addr_dws"] = num(v)
        elif k == "lo":
            o["lo"] = num(v)
        elif k == "hi":
            o["hi"] = num(v)
        elif k == "size":
            if v == "tail":
                o["size_kind"] = "tail"
            elif v.startswith("scaled:"):
                _, b, base = v.split(":")
                o.update(size_kind="scaled", size_shift=num(b), size=num(base))
            elif v.startswith("shift:"):
                _, d, b, base = v.split(":")
                o.update(size_kind="shift", size_dw=num(d), size_shift=num(b), size=num(base))
            else:
                o.update(size_kind="fixed", size=num(v))
        elif k == "ggtt":
            o["ggtt"] = cond(v)
        elif k == "l2" and kind == "jump":
            o["level2"] = cond(v)
        elif k == "dup" and kind == "addr":
            o["dup"] = cond(v)
        elif k == "ggtt_reject":
            o["ggtt_reject"] = 1
        elif k == "if":
            o["conds"].append(cond(v))
        elif k == "access":
            o["access"] = ACCESS[v]
        elif k == "value":
            o["value_dw"] = num(v)
        else:
            raise SpecError("unknown operand option %r" % k)
    if len(o["conds"]) > MAX_CONDS:
        raise SpecError("too many if= conditions")
    if kind == "reg" and not o["access"]:
        raise SpecError("reg operand needs access=")
    return o


def mem_field(item):
    """One address-bearing field: (first dword, dwords, group stride)."""
    parts = item.split(":")
    if parts[0] == "rep":
        if len(parts) not in (4, 5) or (len(parts) == 5 and parts[4] != "32"):
            raise SpecError("bad mem item %r" % item)
        start, stride, off = num(parts[1]), num(parts[2]), num(parts[3])
        dws = 1 if len(parts) == 5 else 2
        if not stride or off + dws > stride:
            raise SpecError("mem group %r: address outside its group" % item)
        return {"dw": start + off, "dws": dws, "stride": stride}
    if len(parts) > 2 or (len(parts) == 2 and parts[1] != "32"):
        raise SpecError("bad mem item %r" % item)
    return {"dw": num(parts[0]), "dws": 1 if len(parts) == 2 else 2, "stride": 0}


def parse_cmd(tok, gen):
    if len(tok) < 6:
        raise SpecError("cmd needs NAME TYPE OPCODE ENGINES LEN")
    name, typ, opc, eng, ln = tok[1:6]
    if typ not in TYPES:
        raise SpecError("unknown type %r" % typ)
    op = num(opc)
    if typ == "mi":
        if op > 0x3f:
            raise SpecError("MI opcode out of range")
    elif typ == "2d":
        if op > 0x7f:
            raise SpecError("2D opcode out of range")
    else:
        if (op >> 13) != 3 or op > 0xffff:
            raise SpecError("3D opcode must be the 16-bit header value 0x6000-0x7fff")
        op &= 0x1fff
    c = {"name": name, "type": typ, "opcode": op, "engines": engines_mask(eng),
         "policy": ["allow"] * len(CLASSES), "flags": set(), "operands": [], "deny": [],
         "len_set": 0, "gens": 1 << gen, "mem": []}
    m = re.fullmatch(r"v(\d+)(?:\+(\d+))?", ln)
    if m:
        c["len_bits"] = int(m.group(1))
        c["len_bias"] = int(m.group(2) or 2)
        c["len_min"] = c["len_bias"]
        c["len_max"] = (1 << c["len_bits"]) - 1 + c["len_bias"]
    else:
        c["len_bits"] = 0
        c["len_bias"] = 0
        c["len_min"] = c["len_max"] = num(ln)
    for r in tok[6:]:
        k, _, v = r.partition("=")
        if k == "lens":
            for n in v.split(","):
                n = num(n)
                if n >= 32:
                    raise SpecError("lens= values must be < 32")
                c["len_set"] |= 1 << n
        elif k == "min":
            c["len_min"] = num(v)
        elif k == "max":
            c["len_max"] = num(v)
        elif k in CLASSES:
            if v not in ACTS:
                raise SpecError("unknown action %r" % v)
            c["policy"][CLASSES.index(k)] = v
        elif k == "priv":
            c["policy"][CLASSES.index("ring")] = "reject"
            c["policy"][CLASSES.index("ggtt")] = "reject"
        elif k in ("end", "store"):
            c["flags"].add(k)
        elif k in OPND:
            c["operands"].append(operand(k, v))
            if k == "jump":
                c["flags"].add("jump")
        elif k == "mem":
            for item in v.split(","):
                c["mem"].append(mem_field(item))
        elif k == "deny":
            cs, _, reason = v.rpartition(":")
            c["deny"].append({"cond": cond(cs), "reason": reason})
        else:
            raise SpecError("unknown rule %r" % k)
    if c["len_set"]:
        legal = [n for n in range(32) if c["len_set"] >> n & 1]
        c["len_min"] = max(c["len_min"], min(legal))
        c["len_max"] = min(c["len_max"], max(legal))
    if len(c["operands"]) > MAX_OPERANDS or len(c["deny"]) > MAX_DENY:
        raise SpecError("too many operands or deny rules")
    if (c["operands"] or c["deny"] or c["flags"] & {"end", "jump"} or
            any(p != "allow" for p in c["policy"])):
        c["flags"].add("checked")
    return c


def parse_reg(tok, engines):
    if len(tok) < 5:
        raise SpecError("reg needs NAME OFFSET ENGINES ACCESS")
    name, off, eng, acc = tok[1:5]
    flags, masked, privmasked, count, stride = set(), 0, 0, 1, 4
    for r in tok[5:]:
        k, _, v = r.partition("=")
        if k == "masked":
            flags.add("masked")
            masked = num(v)
        elif k in ("pdp", "priv", "ctx", "virt"):
            flags.add(k)
        elif k == "privmasked":
            flags.add("masked")
            privmasked = num(v)
        elif k == "count":
            count = num(v)
        elif k == "stride":
            stride = num(v)
        else:
            raise SpecError("unknown reg option %r" % k)
    access = ACCESS.get(acc)
    if access is None:
        raise SpecError("bad access %r" % acc)
    if (masked | privmasked) > 0xffff:
        raise SpecError("masked bits are bits 15:0")
    if "virt" in flags and ("write" not in access or "pdp" in flags):
        raise SpecError("virt needs a written register that is not a root")
    out = []
    for nm, offset, em in reg_offsets(name, off, eng, engines, count, stride):
        out.append({"name": nm, "base": name, "offset": offset, "engines": em,
                    "access": access, "flags": flags, "masked": masked,
                    "privmasked": privmasked})
    return out


def reg_offsets(name, off, eng, engines, count, stride):
    """(name, offset, engine mask) of each register a reg line names."""
    em = engines_mask(eng)
    out = []
    if off.startswith("ring+"):
        rel = num(off[5:])
        for i, e in enumerate(ENGINES):
            if not em >> i & 1:
                continue
            if e not in engines:
                raise SpecError("engine %s has no base" % e)
            for n in range(count):
                nm = "%s_%s%s" % (e.upper(), name, n if count > 1 else "")
                out.append((nm, engines[e]["base"] + rel + n * stride, 1 << i))
    else:
        for n in range(count):
            nm = "%s%s" % (name, n if count > 1 else "")
            out.append((nm, num(off) + n * stride, em))
    for _, offset, _ in out:
        if offset & 3 or offset > 0x7ffffc:
            raise SpecError("register offset 0x%x not a dword MMIO offset" % offset)
    return out


def parse_forbid(tok, engines):
    """Registers no reg line may whitelist (checked by check())."""
    if len(tok) < 4:
        raise SpecError("forbid needs NAME OFFSET ENGINES")
    count, stride = 1, 4
    for r in tok[4:]:
        k, _, v = r.partition("=")
        if k == "count":
            count = num(v)
        elif k == "stride":
            stride = num(v)
        else:
            raise SpecError("unknown forbid option %r" % k)
    return reg_offsets(tok[1], tok[2], tok[3], engines, count, stride)


def load(path, seen=()):
    if path in seen:
        raise SpecError("base loop at %s" % path)
    spec = {"gen": None, "name": None, "engines": {}, "cmds": [], "regs": [],
            "files": [path]}
    defaults = []
    with open(path) as f:
        lines = f.readlines()
    for lineno, line in enumerate(lines, 1):
        tok = line.split("#", 1)[0].split()
        if not tok:
            continue
        try:
            if tok[0] == "gen":
                spec["gen"], spec["name"] = num(tok[1]), tok[2]
            elif tok[0] == "base":
                base = load(os.path.join(os.path.dirname(path), tok[1]), seen + (path,))
                spec["engines"] = dict(base["engines"])
                spec["cmds"] = [dict(c) for c in base["cmds"]]
                spec["base_gen"] = base["gen"]
                spec["files"] += base["files"]
                spec["regs"] = list(base["regs"])
                spec["forbid"] = list(base.get("forbid", []))
                spec["ctx"] = dict(base.get("ctx", {}))
            elif tok[0] == "engine":
                types = set(tok[3].split(","))
                if not types <= set(TYPES):
                    raise SpecError("unknown command type in %r" % tok[3])
                spec["engines"][tok[1]] = {"base": num(tok[2]), "types": types}
            elif tok[0] == "defaults":
                defaults = tok[1:]
            elif tok[0] == "cmd":
                if spec["gen"] is None:
                    raise SpecError("gen must come first")
                c = parse_cmd(tok[:6] + defaults + tok[6:], spec["gen"])
                spec["cmds"] = [x for x in spec["cmds"] if x["name"] != c["name"]]
                spec["cmds"].append(c)
            elif tok[0] == "drop":
                before = len(spec["cmds"])
                spec["cmds"] = [x for x in spec["cmds"] if x["name"] != tok[1]]
                if len(spec["cmds"]) == before:
                    raise SpecError("drop of unknown command %s" % tok[1])
            elif tok[0] == "reg":
                regs = parse_reg(tok, spec["engines"])
                names = {r["name"] for r in regs}
                spec["regs"] = [r for r in spec["regs"] if r["name"] not in names] + regs
            elif tok[0] == "ctx":
                parse_ctx(tok, spec)
            elif tok[0] == "unreg":
                spec["regs"] = [r for r in spec["regs"] if r["base"] != tok[1]]
            elif tok[0] == "forbid":
                spec.setdefault("forbid", []).extend(parse_forbid(tok, spec["engines"]))
            else:
                raise SpecError("unknown directive %r" % tok[0])
        except (SpecError, KeyError, ValueError, IndexError) as e:
            raise SpecError("%s:%d: %s" % (path, lineno, e))
    return spec


def check(spec):
    if spec["gen"] is None:
        raise SpecError("no gen line")
    for e in ENGINES:
        if e not in spec["engines"]:
            raise SpecError("engine %s not described" % e)
    seen = {}
    for c in spec["cmds"]:
        c["gens"] |= 1 << spec["gen"]
        for i in range(len(ENGINES)):
            if c["engines"] >> i & 1:
                key = (c["type"], c["opcode"], i)
                if key in seen:
                    raise SpecError("%s and %s share opcode on %s" % (seen[key], c["name"], ENGINES[i]))
                seen[key] = c["name"]
    offs = {}
    for r in spec["regs"]:
        if r["offset"] in offs:
            # one register whitelisted for several engines: merge
            o = offs[r["offset"]]
            if ((o["access"], o["flags"], o["masked"], o["privmasked"]) !=
                    (r["access"], r["flags"], r["masked"], r["privmasked"])):
                raise SpecError("register 0x%x described twice differently" % r["offset"])
            o["engines"] |= r["engines"]
        else:
            offs[r["offset"]] = dict(r)
    spec["regs"] = sorted(offs.values(), key=lambda r: r["offset"])
    for name, offset, em in spec.get("forbid", []):
        r = offs.get(offset)
        if r and r["engines"] & em:
            raise SpecError("%s (0x%x) is forbidden, yet whitelisted as %s"
                            % (name, offset, r["name"]))
    spec["cmds"].sort(key=lambda c: (TYPES.index(c["type"]), c["opcode"], c["engines"]))


def c_name(prefix, word):
    """The C name of a spec word: c_name("GPU_ACT_", "noop") is GPU_ACT_NOOP."""
    return prefix + word.upper()


def c_flags(prefix, order, words):
    """A set of spec words as the C names of their bits, ORed (0: none)."""
    return " | ".join(c_name(prefix, f) for f in order if f in words) or "0"


def c_engines(mask):
    if mask == (1 << len(ENGINES)) - 1:
        return "GPU_ENG_ALL"
    return c_flags("GPU_ENG_", ENGINES, [e for i, e in enumerate(ENGINES) if mask >> i & 1])


def c_cond(c):
    return "{ .dw = %d, .mask = 0x%x, .val = 0x%x, .ne = %d }" % (c["dw"], c["mask"], c["val"], c["ne"])


def emit(spec, out, symbol):
    g = spec["name"]
    w = out.write
    w("/* Generated by xen/tools/gen-gpu-cmds.py from spec/%s.spec%s: do not edit. */\n"
      % (g, " as " + symbol if symbol else ""))
    w('#include "cmd_desc.h"\n\n')
    mem = []
    for c in spec["cmds"]:
        c["mem_first"] = len(mem)
        mem.extend(c["mem"])
    if mem:
        w("static const struct gpu_mem_field %s_mem[] = {\n" % g)
        for m in mem:
            w("    { .dw = %d, .dws = %d, .stride = %d },\n" % (m["dw"], m["dws"], m["stride"]))
        w("};\n\n")
    w("static const struct gpu_cmd_desc %s_cmds[] = {\n" % g)
    for c in spec["cmds"]:
        w("    {\n")
        w('        .name = "%s", .type = %s, .opcode = 0x%x, .engines = %s, .gens = 0x%x,\n'
          % (c["name"], c_name("GPU_CMD_TYPE_", c["type"]), c["opcode"], c_engines(c["engines"]), c["gens"]))
        w("        .len_bits = %d, .len_bias = %d, .len_min = %d, .len_max = %d, .len_set = 0x%x,\n"
          % (c["len_bits"], c["len_bias"], c["len_min"], c["len_max"], c["len_set"]))
        w("        .flags = %s,\n" % c_flags("GPU_CF_", CMD_FLAGS, c["flags"]))
        w("        .policy = { %s },\n" % ", ".join("[%s] = %s" % (c_name("GPU_CLASS_", k), c_name("GPU_ACT_", a))
                                                for k, a in zip(CLASSES, c["policy"])))
        w("        .nr_operands = %d, .nr_deny = %d,\n" % (len(c["operands"]), len(c["deny"])))
        if c["mem"]:
            w("        .mem = &%s_mem[%d], .nr_mem = %d,\n" % (g, c["mem_first"], len(c["mem"])))
        if c["operands"]:
            w("        .operands = {\n")
            for o in c["operands"]:
                w("            {\n")
                w("                .kind = %s, .dw = %d, .access = %s, .addr_dws = %d,\n"
                  % (c_name("GPU_OPND_", o["kind"]), o["dw"], c_flags("GPU_ACC_", ACC_FLAGS, o["access"]),
                     o["addr_dws"]))
                w("                .addr_lo_mask = 0x%x, .addr_hi_mask = 0x%x,\n" % (o["lo"], o["hi"]))
                w("                .size_kind = %s, .size_dw = %d, .size_shift = %d, .size = %d,\n"
                  % (c_name("GPU_SIZE_", o["size_kind"]), o["size_dw"], o["size_shift"], o["size"]))
                w("                .value_dw = %d, .ggtt_reject = %d, .nr_conds = %d,\n"
                  % (o["value_dw"], o["ggtt_reject"], len(o["conds"])))
                w("                .ggtt = %s,\n" % c_cond(o["ggtt"]))
                if o["level2"]["mask"]:
                    w("                .level2 = %s,\n" % c_cond(o["level2"]))
                if o["dup"]["mask"]:
                    w("                .dup = %s,\n" % c_cond(o["dup"]))
                if o["conds"]:
                    w("                .conds = { %s },\n" % ", ".join(c_cond(x) for x in o["conds"]))
                w("            },\n")
            w("        },\n")
        if c["deny"]:
            w("        .deny = {\n")
            for d in c["deny"]:
                w("            { .cond = %s, .reason = XEN_GPU_AUDIT_%s },\n" % (c_cond(d["cond"]), d["reason"]))
            w("        },\n")
        w("    },\n")
    w("};\n\n")
    w("static const struct gpu_reg_desc %s_regs[] = {\n" % g)
    for r in spec["regs"]:
        w('    { .name = "%s", .offset = 0x%x, .engines = %s, .access = %s, .flags = %s, .masked_bits = 0x%x, .priv_masked_bits = 0x%x },\n'
          % (r["name"], r["offset"], c_engines(r["engines"]), c_flags("GPU_ACC_", ACC_FLAGS, r["access"]),
             c_flags("GPU_RF_", REG_FLAGS, r["flags"]), r["masked"], r["privmasked"]))
    w("};\n\n")
    emit_ctx(spec, w)
    w("const struct gpu_gen_spec %s = {\n" % (symbol or "gpu_audit_spec_" + g))
    w('    .gen = %d, .name = "%s",\n' % (spec["gen"], g))
    w("    .cmds = %s_cmds, .nr_cmds = ARRAY_SIZE(%s_cmds),\n" % (g, g))
    w("    .regs = %s_regs, .nr_regs = ARRAY_SIZE(%s_regs),\n" % (g, g))
    w("    .engines = {\n")
    for e in ENGINES:
        d = spec["engines"][e]
        w('        [%s] = { .name = "%s", .mmio_base = 0x%x, .types = %s },\n'
          % (c_name("XEN_GPU_ENGINE_", e), e, d["base"], c_types(d["types"])))
    w("    },\n")
    emit_ctx_layouts(spec, w)
    w("};\n")
    emit_build_assertions(spec, mem, w)


def c_types(types):
    return " | ".join("(1u << %s)" % c_name("GPU_CMD_TYPE_", t) for t in TYPES if t in types) or "0"


def table_values(spec, mem):
    """(struct, field, value) of every number the tables hold: an int, or
    the C expression written for it."""
    for m in mem:
        for f in ("dw", "dws", "stride"):
            yield "gpu_mem_field", f, m[f]
    for c in spec["cmds"]:
        d = "gpu_cmd_desc"
        yield d, "type", c_name("GPU_CMD_TYPE_", c["type"])
        yield d, "opcode", c["opcode"]
        yield d, "engines", c_engines(c["engines"])
        yield d, "gens", c["gens"]
        for f in ("len_bits", "len_bias", "len_min", "len_max", "len_set"):
            yield d, f, c[f]
        yield d, "flags", c_flags("GPU_CF_", CMD_FLAGS, c["flags"])
        for a in c["policy"]:
            yield d, "policy[0]", c_name("GPU_ACT_", a)
        yield d, "nr_operands", len(c["operands"])
        yield d, "nr_deny", len(c["deny"])
        yield d, "nr_mem", len(c["mem"])
        conds = [x["cond"] for x in c["deny"]]
        for o in c["operands"]:
            d = "gpu_cmd_operand"
            yield d, "kind", c_name("GPU_OPND_", o["kind"])
            yield d, "access", c_flags("GPU_ACC_", ACC_FLAGS, o["access"])
            yield d, "size_kind", c_name("GPU_SIZE_", o["size_kind"])
            for f, k in (("dw", "dw"), ("addr_dws", "addr_dws"), ("addr_lo_mask", "lo"),
                         ("addr_hi_mask", "hi"), ("size_dw", "size_dw"),
                         ("size_shift", "size_shift"), ("size", "size"),
                         ("value_dw", "value_dw"), ("ggtt_reject", "ggtt_reject")):
                yield d, f, o[k]
            yield d, "nr_conds", len(o["conds"])
            conds += [o["ggtt"], o["level2"], o["dup"]] + o["conds"]
        for x in conds:
            for f in ("dw", "mask", "val", "ne"):
                yield "gpu_cmd_cond", f, x[f]
        for x in c["deny"]:
            yield "gpu_cmd_deny", "reason", "XEN_GPU_AUDIT_" + x["reason"]
    for r in spec["regs"]:
        d = "gpu_reg_desc"
        yield d, "offset", r["offset"]
        yield d, "engines", c_engines(r["engines"])
        yield d, "access", c_flags("GPU_ACC_", ACC_FLAGS, r["access"])
        yield d, "flags", c_flags("GPU_RF_", REG_FLAGS, r["flags"])
        yield d, "masked_bits", r["masked"]
        yield d, "priv_masked_bits", r["privmasked"]
    for e in ENGINES:
        yield "gpu_engine_desc", "mmio_base", spec["engines"][e]["base"]
        yield "gpu_engine_desc", "types", c_types(spec["engines"][e]["types"])
    for cls in CTX_CLASSES:
        lay = spec["ctx"][cls]
        yield "gpu_ctx_layout", "pages", lay["size"]
        yield "gpu_ctx_layout", "state_dw", lay["state_dw"]
        for it in lay["items"]:
            d = "gpu_ctx_item"
            yield d, "kind", c_name("GPU_CTX_", it["kind"])
            yield d, "value", c_name("GPU_CTXV_", it["value"])
            for f in ("count", "reg", "arg", "force"):
                yield d, f, it[f]


def emit_build_assertions(spec, mem, w):
    """BUILD_BUG_ONs of what the tables rely on in cmd_desc.h: arrays they
    fill by index name have exactly the indices named, counts fit their
    arrays, and every value fits its field (an OR of flag names fits iff
    each does: the fields are unsigned)."""
    ints, names = {}, {}
    for struct, field, v in table_values(spec, mem):
        key = (struct, field)
        ints.setdefault(key, 0)
        names.setdefault(key, [])
        if isinstance(v, int):
            ints[key] = max(ints[key], v)
        else:
            names[key] += [n for n in v.split(" | ") if n != "0" and n not in names[key]]
    cmds = spec["cmds"]
    w("\n/* The largest value field F of struct S holds (an unsigned integer). */\n")
    w("#define GPU_FIELD_MAX(s, f) ((typeof(((struct s *)0)->f))~0ULL)\n\n")
    w("static void __maybe_unused %s_build_assertions(void)\n{\n" % spec["name"])
    w("    /* Arrays filled by index name. */\n")
    w("    BUILD_BUG_ON(XEN_GPU_ENGINE_NR != %d);\n" % len(ENGINES))
    w("    BUILD_BUG_ON(GPU_CLASS_NR != %d);\n" % len(CLASSES))
    w("    BUILD_BUG_ON(GPU_CTX_CLASS_NR != %d);\n" % len(CTX_CLASSES))
    w("    /* Counts within their arrays. */\n")
    w("    BUILD_BUG_ON(%d > GPU_MAX_OPERANDS);\n" % max(len(c["operands"]) for c in cmds))
    w("    BUILD_BUG_ON(%d > GPU_MAX_DENY);\n" % max(len(c["deny"]) for c in cmds))
    w("    BUILD_BUG_ON(%d > GPU_MAX_CONDS);\n"
      % max([len(o["conds"]) for c in cmds for o in c["operands"]] + [0]))
    w("    /* Values within their fields. */\n")
    for struct, field in ints:
        limit = "GPU_FIELD_MAX(%s, %s)" % (struct, field)
        if names[struct, field]:
            w("    BUILD_BUG_ON((%s) > %s);\n" % (" | ".join(sorted(names[struct, field])), limit))
        if ints[struct, field]:
            w("    BUILD_BUG_ON(0x%x > %s);\n" % (ints[struct, field], limit))
    w("}\n")


# Context images ('ctx' lines): the ring-context header of an execlists
# context image, per engine class, as data (see ctx_image.c).
#
#   ctx CLASS inherit               keep the base spec's layout, append
#   ctx CLASS size PAGES            image size in pages, PPHWSP included
#   ctx CLASS nop N                 N MI_NOOP dwords
#   ctx CLASS lri N [posted]        LRI header for the next N registers
#   ctx CLASS ring+0xOFF NAME VALUE [count=N]
#                                   one register/value pair (N consecutive
#                                   dwords: NAME0..), VALUE says where
#                                   the shadow's value comes from:
#       guest          the guest's value
#       head | tail    the guest's, masked to Xen's ring size
#       xen=FIELD      Xen's (FIELD: CTX_XEN names below; zero: 0)
#       pdp            Xen's shadow page-table root (from the offset)
#       set=BITS       masked: the guest's, refused if it sets other bits
#       control=BITS   as set=; bit 0 (restore inhibit) skips the state
#       force=MASK:VAL the guest's with the MASK bits replaced by VAL
#       indctx|perctx  indirect context / per-context batch pointer
# CLASS: rcs, or xcs (every other engine).  The first ctx line for a class
# in a spec that has a base replaces the inherited layout of that class.
CTX_CLASSES = ["rcs", "xcs"]                     # GPU_CTX_CLASS_*
CTX_KIND = ["nop", "lri", "reg"]                 # GPU_CTX_*
CTX_VALUE = ["guest", "head", "tail", "xen", "pdp", "set", "force", "indctx",
             "perctx", "control"]                # GPU_CTXV_*
CTX_XEN = ["zero", "start", "ctl", "bb_hi", "bb_lo", "bb_state", "sbb_hi",
           "sbb_lo", "sbb_state"]                # GPU_CTX_XEN_*
CTX_PDP_FIRST, CTX_PDP_LAST = 0x270, 0x28c


def parse_ctx(tok, spec):
    if len(tok) < 3 or tok[1] not in CTX_CLASSES:
        raise SpecError("ctx needs CLASS (rcs or xcs) and an item")
    cls = tok[1]
    ctx = spec.setdefault("ctx", {})
    own = spec.setdefault("ctx_own", set())
    if cls not in own:
        own.add(cls)
        if tok[2] == "inherit":
            if cls not in ctx:
                raise SpecError("no %s layout to inherit" % cls)
            ctx[cls] = {"size": ctx[cls]["size"], "items": list(ctx[cls]["items"])}
            return
        ctx[cls] = {"size": 0, "items": []}
    lay = ctx[cls]
    item = {"kind": "nop", "count": 0, "reg": 0, "value": "guest", "arg": 0, "force": 0,
            "name": ""}
    if tok[2] == "size":
        lay["size"] = num(tok[3])
        return
    if tok[2] == "nop":
        item.update(kind="nop", count=num(tok[3]))
    elif tok[2] == "lri":
        item.update(kind="lri", count=num(tok[3]))
        if tok[4:] == ["posted"]:
            item["arg"] = "GPU_CTX_LRI_POSTED"
        elif tok[4:]:
            raise SpecError("lri takes only 'posted'")
        if not 1 <= item["count"] <= 63:
            raise SpecError("lri count must be 1..63")
    elif tok[2].startswith("ring+"):
        count = 1
        if len(tok) == 6 and tok[5].startswith("count="):
            count = num(tok[5][6:])
        elif len(tok) != 5:
            raise SpecError("ctx register needs ring+OFF NAME VALUE [count=N]")
        rel = num(tok[2][5:])
        k, _, v = tok[4].partition("=")
        if k not in CTX_VALUE:
            raise SpecError("unknown ctx value %r" % tok[4])
        item.update(kind="reg", reg=rel, name=tok[3], value=k)
        if k == "xen":
            if v not in CTX_XEN:
                raise SpecError("unknown xen field %r" % v)
            item["arg"] = c_name("GPU_CTX_XEN_", v)
        elif k == "pdp":
            if not CTX_PDP_FIRST <= rel <= CTX_PDP_LAST:
                raise SpecError("pdp outside the PDP registers")
            item["arg"] = (rel - CTX_PDP_FIRST) // 4
        elif k in ("set", "control"):
            item["arg"] = num(v)
            if item["arg"] > 0xffff:
                raise SpecError("set= names bits 15:0")
        elif k == "force":
            m, _, val = v.partition(":")
            item["arg"], item["force"] = num(m), num(val)
            if item["force"] & ~item["arg"]:
                raise SpecError("force value outside its mask")
        elif v:
            raise SpecError("ctx value %r takes no argument" % k)
        if rel & 3 or rel + 4 * (count - 1) > 0xffff:
            raise SpecError("ctx register offset 0x%x" % rel)
        for n in range(count):
            it = dict(item, reg=rel + 4 * n)
            if count > 1:
                it["name"] = "%s%d" % (item["name"], n)
            lay["items"].append(it)
        return
    else:
        raise SpecError("unknown ctx item %r" % tok[2])
    lay["items"].append(item)


def check_ctx(spec):
    """Every LRI header is followed by exactly its registers."""
    ctx = spec.get("ctx", {})
    for cls in CTX_CLASSES:
        if cls not in ctx:
            raise SpecError("no context layout for %s" % cls)
        lay, want, dws = ctx[cls], 0, 0
        if lay["size"] < 2:
            raise SpecError("ctx %s: size must be at least 2 pages" % cls)
        for it in lay["items"]:
            if it["kind"] == "reg":
                if not want:
                    raise SpecError("ctx %s: %s outside an LRI" % (cls, it["name"]))
                want -= 1
                dws += 2
            elif want:
                raise SpecError("ctx %s: LRI short of registers" % cls)
            elif it["kind"] == "lri":
                want = it["count"]
                dws += 1
            else:
                dws += it["count"]
        if want:
            raise SpecError("ctx %s: last LRI short of registers" % cls)
        lay["state_dw"] = dws
        if dws * 4 > 4096:
            raise SpecError("ctx %s: header larger than a page" % cls)


def c_arg(arg):
    return arg if isinstance(arg, str) else "0x%x" % arg


def emit_ctx(spec, w):
    g = spec["name"]
    for cls in CTX_CLASSES:
        w("static const struct gpu_ctx_item %s_ctx_%s[] = {\n" % (g, cls))
        for it in spec["ctx"][cls]["items"]:
            w('    { .kind = %s, .count = %d, .reg = 0x%x, .value = %s, .arg = %s, .force = 0x%x, .name = "%s" },\n'
              % (c_name("GPU_CTX_", it["kind"]), it["count"], it["reg"], c_name("GPU_CTXV_", it["value"]),
                 c_arg(it["arg"]), it["force"], it["name"]))
        w("};\n\n")


def emit_ctx_layouts(spec, w):
    g = spec["name"]
    w("    .ctx = {\n")
    for cls in CTX_CLASSES:
        lay = spec["ctx"][cls]
        w("        [%s] = { .items = %s_ctx_%s, .nr_items = ARRAY_SIZE(%s_ctx_%s), .pages = %d, .state_dw = %d },\n"
          % (c_name("GPU_CTX_CLASS_", cls), g, cls, g, cls, lay["size"], lay["state_dw"]))
    w("    },\n")


def main(argv):
    ap = argparse.ArgumentParser(prog="gen-gpu-cmds.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--symbol", metavar="NAME",
                    help="name of the struct gpu_gen_spec (default gpu_audit_spec_<gen name>)")
    ap.add_argument("--depfile", metavar="FILE",
                    help="write 'OUT.c: SPEC BASE...' (make syntax) to FILE")
    ap.add_argument("spec", metavar="SPEC")
    ap.add_argument("out", metavar="OUT.c")
    args = ap.parse_args(argv[1:])
    if args.symbol is not None and not re.fullmatch(r"[A-Za-z_]\w*", args.symbol):
        ap.error("--symbol: not a C identifier: %r" % args.symbol)
    try:
        spec = load(args.spec)
        check(spec)
        check_ctx(spec)
    except SpecError as e:
        sys.stderr.write("gen-gpu-cmds: %s\n" % e)
        return 1
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        emit(spec, f, args.symbol)
    os.replace(tmp, args.out)
    if args.depfile:
        with open(args.depfile, "w") as f:
            f.write("%s: %s\n" % (args.out, " ".join(spec["files"])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
