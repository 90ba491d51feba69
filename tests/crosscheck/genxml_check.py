#!/usr/bin/env python3
"""Cross-check our generated command tables against Mesa's genxml.

    genxml_check.py BUILD [--exceptions FILE] [--verbose]

Our side is what the tables really contain: `BUILD/gpu-audit --dump-table
--gen N --json` (one descriptor per line), never the spec files.  The other
side is Mesa 22.3's PRM-derived command descriptions
BUILD/mesa-src/src/intel/genxml/gen8.xml and gen9.xml (fetched by
fetch-genxml.sh).

Commands are keyed by generation, command type, opcode and engine class:

  MI        opcode = "MI Command Opcode" (header bits 28:23)
  3D family opcode = the header's bits 31:16 as one 16-bit value, built from
            Command Type and the fields Mesa names "Command SubType" /
            "Pipeline" (28:27), "3D Command Opcode" / "Media Command Opcode"
            (26:24 or 26:23), "3D Command Sub Opcode" / "SubOpcode" /
            "SubOpcode A" + "SubOpcode B" (23:16)
  engine    Mesa's `engine` attribute: render -> rcs, blitter -> bcs,
            video -> vcs and vcs2; no attribute = every engine class.
            Mesa 22.3 has no class for the video enhancement engine (VECS):
            its decoder maps only render/video/blitter and the default mask
            is those three.  VECS membership is therefore not checked.

Checks, per command:
  presence   a command in the XML and not in our table (missing-ours) or
             the reverse (missing-xml); when a missing command has the
             same name on the other side under another opcode, that is an
             opcode disagreement instead
  opcode     see above
  length     field width (ours field_bits vs XML DWord Length end-start+1;
             0 for a command without a length field), bias (when both have
             a field), fixed length vs XML `length`, and for our variable
             commands the XML `length` within [min, max] and our legal set
  engines    per engine class: engines+CLASS (ours has it, XML has not),
             engines-CLASS (XML has it, ours has not)

Every disagreement fails unless a line of the exceptions file
(tests/crosscheck/exceptions.txt) accepts it:

    GEN KIND NAME REASON...

GEN is 8, 9 or *; KIND is one of missing-ours, missing-xml, opcode,
length-width, length-bias, length-fixed, length-range, engines+CLASS,
engines-CLASS (shell-style globs allowed; blt-* kinds belong to
blt_table.py and are skipped here); NAME is our command name or the
XML's (globs allowed); REASON is free text and required.  An exception that
accepts nothing is stale and fails.

Output: one line per check group, details of every failure (and, with
--verbose, of every accepted disagreement and name difference), and last
`crosscheck: N passed, M failed` where N and M count command comparisons
(plus one failure per stale or malformed exception).  Exit 1 on failure.
"""

import fnmatch
import os
import sys
import xml.etree.ElementTree as ET

import ourtables
from ourtables import CheckError, dump_rows

GENS = (8, 9)
CLASSES = ("render", "blitter", "video")
ENGINE_CLASS = {"rcs": "render", "bcs": "blitter", "vcs": "video", "vcs2": "video"}
UNCHECKED_ENGINES = ("vecs",)
TYPE_NAMES = {0: "mi", 2: "2d", 3: "3d"}

# Fields of a type-3 header that make up its 16-bit opcode (bits 31:16).
OPCODE_FIELDS = {
    "Command SubType", "Command Subtype", "Pipeline", "Media Command Pipeline",
    "3D Command Opcode", "Media Command Opcode", "Media Command OpCode",
    "3D Command Sub Opcode", "SubOpcode", "SubOpcode A", "SubOpcode B",
    "Media Command Sub-Opcode", "Media Instruction Command",
}
KINDS = ("missing-ours", "missing-xml", "opcode", "length-width", "length-bias",
         "length-fixed", "length-range")




# --------------------------------------------------------------------------
# Our tables
# --------------------------------------------------------------------------
def load_ours(build, gen):
    cmds = []
    for d in dump_rows(build, gen):
        try:
            t = {"mi": 0, "2d": 2, "3d": 3}[d["type"]]
            op = int(d["opcode"], 16)
            ln = d["length"]
            if "fixed" in ln:
                length = {"fixed": ln["fixed"], "bits": 0, "bias": None,
                          "min": ln["fixed"], "max": ln["fixed"], "only": None}
            else:
                length = {"fixed": None, "bits": ln["field_bits"], "bias": ln["bias"],
                          "min": ln["min"], "max": ln["max"], "only": ln.get("only")}
            cmds.append({"name": d["name"], "type": t, "opcode": op,
                         "engines": list(d["engines"]), "len": length})
        except (ValueError, KeyError, TypeError) as e:
            raise CheckError("gen%d --dump-table: %s: %r" % (gen, e, d))
    return cmds


# --------------------------------------------------------------------------
# Mesa genxml
# --------------------------------------------------------------------------
def load_xml(path):
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        raise CheckError("cannot read %s: %s" % (path, e))
    cmds = []
    for ins in root.iter("instruction"):
        name = ins.get("name")
        fields = {}
        for f in ins.findall("field"):
            fields.setdefault(f.get("name"), f)

        def default(fname):
            f = fields.get(fname)
            if f is None or f.get("default") is None:
                return None
            return int(f.get("default"), 0)

        ct = default("Command Type")
        if ct not in TYPE_NAMES:
            raise CheckError("%s: %s: Command Type %r" % (path, name, ct))
        if ct == 0:
            op = default("MI Command Opcode")
            if op is None:
                raise CheckError("%s: %s: no MI Command Opcode" % (path, name))
        elif ct == 2:
            op = default("2D Command Opcode")
            if op is None:
                raise CheckError("%s: %s: no 2D Command Opcode" % (path, name))
        else:
            op = 3 << 13
            seen = 0
            for f in ins.findall("field"):
                s, e = int(f.get("start")), int(f.get("end"))
                if s < 16 or e > 31 or f.get("name") == "Command Type":
                    continue
                if f.get("name") in OPCODE_FIELDS:
                    if f.get("default") is None:
                        raise CheckError("%s: %s: opcode field %r has no default"
                                         % (path, name, f.get("name")))
                    v = int(f.get("default"), 0)
                    if v >> (e - s + 1):
                        raise CheckError("%s: %s: %r default too wide" % (path, name, f.get("name")))
                    op |= v << (s - 16)
                    seen |= ((1 << (e - s + 1)) - 1) << (s - 16)
            if seen != 0x1fff:
                raise CheckError("%s: %s: opcode fields cover 0x%x of header bits 28:16"
                                 % (path, name, seen))
        dl = fields.get("DWord Length")
        width = 0
        if dl is not None:
            if int(dl.get("start")) != 0:
                raise CheckError("%s: %s: DWord Length does not start at bit 0" % (path, name))
            width = int(dl.get("end")) - int(dl.get("start")) + 1
        eng = ins.get("engine")
        classes = set(CLASSES) if eng is None else set(eng.split("|"))
        bad = classes - set(CLASSES)
        if bad:
            raise CheckError("%s: %s: unknown engine class %s" % (path, name, sorted(bad)))
        cmds.append({"name": name, "type": ct, "opcode": op, "classes": classes,
                     "engine_attr": eng, "width": width,
                     "bias": int(ins.get("bias", "1")),
                     "length": int(ins.get("length")) if ins.get("length") else None})
    return cmds


# --------------------------------------------------------------------------
# Exceptions
# --------------------------------------------------------------------------
def load_exceptions(path):
    def kind_ok(k):
        return (any(fnmatch.fnmatchcase(x, k) for x in KINDS)
                or k.startswith("engines+") or k.startswith("engines-"))

    # blt-* lines are blt_table.py's
    return ourtables.load_exceptions(path, lambda k: not k.startswith("blt-"),
                                     kind_ok)


def find_exception(excs, gen, kind, names):
    for e in excs:
        if e["gen"] not in ("*", str(gen)):
            continue
        if not fnmatch.fnmatchcase(kind, e["kind"]):
            continue
        if any(n and fnmatch.fnmatchcase(n, e["name"]) for n in names):
            e["used"] += 1
            return e
    return None


# --------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------
def fmt_op(t, op):
    return "%s 0x%x" % (TYPE_NAMES[t], op)


def our_classes(d):
    return {ENGINE_CLASS[e] for e in d["engines"] if e in ENGINE_CLASS}


def compare_gen(gen, ours, xml, excs, report):
    """Returns the list of comparisons: (label, [disagreement])."""
    comps = []
    by_key_ours, by_key_xml = {}, {}
    info = report["info"]

    for d in ours:
        ev = set(d["engines"])
        if ("vcs" in ev) != ("vcs2" in ev):
            # The XML cannot tell the two video engines apart.
            d["_split_video"] = True
        for c in our_classes(d):
            by_key_ours.setdefault((d["type"], d["opcode"], c), []).append(d)
    for x in xml:
        for c in x["classes"]:
            by_key_xml.setdefault((x["type"], x["opcode"], c), []).append(x)
    for k, v in list(by_key_ours.items()) + list(by_key_xml.items()):
        if len(v) > 1:
            raise CheckError("gen%d: %s on %s described twice: %s"
                             % (gen, fmt_op(k[0], k[1]), k[2], ", ".join(i["name"] for i in v)))

    # Pair ours and XML commands that share a key.
    pairs = {}
    for k, (d,) in by_key_ours.items():
        xs = by_key_xml.get(k)
        if xs:
            pairs.setdefault((id(d), id(xs[0])), (d, xs[0]))
    paired_ours = {id(d) for d, _ in pairs.values()}
    paired_xml = {id(x) for _, x in pairs.values()}

    # Unpaired commands: look for the same name under another opcode.
    lone_ours = [d for d in ours if id(d) not in paired_ours and our_classes(d)]
    lone_xml = [x for x in xml if id(x) not in paired_xml]
    unchecked = [d for d in ours if not our_classes(d)]
    for d in unchecked:
        info.append("gen%d %s (%s): engines %s only; Mesa 22.3 has no VECS class: not checked"
                    % (gen, d["name"], fmt_op(d["type"], d["opcode"]), ",".join(d["engines"])))
    report["unchecked"] += len(unchecked)
    xml_by_name = {x["name"]: x for x in lone_xml}
    renamed = []
    for d in lone_ours:
        x = xml_by_name.get(d["name"])
        if x is not None and x["type"] == d["type"] and x["classes"] & our_classes(d):
            renamed.append((d, x))
    renamed_ids = {id(d) for d, _ in renamed} | {id(x) for _, x in renamed}

    def judge(label, names, disagreements):
        """disagreements: list of (group, kind, text)."""
        failed, accepted = [], []
        for group, kind, text in disagreements:
            e = find_exception(excs, gen, kind, names)
            if e:
                accepted.append((group, kind, text, e))
            else:
                failed.append((group, kind, text))
        for group, kind, text in failed:
            report["groups"][group]["failed"] += 1
            report["failures"].append("FAIL gen%d %s: %s [%s]" % (gen, label, text, kind))
        for group, kind, text, e in accepted:
            report["groups"][group]["accepted"] += 1
            report["accepted"].append("ok   gen%d %s: %s [%s, exceptions.txt:%d]"
                                      % (gen, label, text, kind, e["line"]))
        comps.append(not failed)

    # Opcode disagreements (same name, different opcode).
    for d, x in renamed:
        report["groups"]["opcode"]["checked"] += 1
        judge(d["name"], [d["name"]],
              [("opcode", "opcode", "ours %s, XML %s" % (fmt_op(d["type"], d["opcode"]),
                                                          fmt_op(x["type"], x["opcode"])))])

    # Presence.
    for d in lone_ours:
        if id(d) in renamed_ids:
            continue
        report["groups"]["presence"]["checked"] += 1
        judge(d["name"], [d["name"]],
              [("presence", "missing-xml", "ours %s on %s, absent from gen%d.xml"
                % (fmt_op(d["type"], d["opcode"]), ",".join(d["engines"]), gen))])
    for x in lone_xml:
        if id(x) in renamed_ids:
            continue
        report["groups"]["presence"]["checked"] += 1
        judge(x["name"], [x["name"]],
              [("presence", "missing-ours", "XML %s on %s, absent from our gen%d table"
                % (fmt_op(x["type"], x["opcode"]), x["engine_attr"] or "all engines", gen))])

    # Paired commands: opcode (by construction), length, engines.
    for d, x in sorted(pairs.values(), key=lambda p: (p[0]["type"], p[0]["opcode"], p[0]["name"])):
        names = [d["name"], x["name"]]
        label = d["name"] if d["name"] == x["name"] else "%s (XML %s)" % (d["name"], x["name"])
        if d["name"] != x["name"]:
            info.append("gen%d %s: named %s in gen%d.xml" % (gen, d["name"], x["name"], gen))
        dis = []
        report["groups"]["presence"]["checked"] += 1
        report["groups"]["opcode"]["checked"] += 1
        report["groups"]["length"]["checked"] += 1
        report["groups"]["engines"]["checked"] += 1
        ln = d["len"]
        if ln["bits"] != x["width"]:
            dis.append(("length", "length-width", "length field: ours %d bits, XML %d bits"
                        % (ln["bits"], x["width"])))
        elif ln["bits"] and ln["bias"] != x["bias"]:
            dis.append(("length", "length-bias", "length bias: ours %d, XML %d"
                        % (ln["bias"], x["bias"])))
        if ln["fixed"] is not None:
            if x["length"] != ln["fixed"]:
                dis.append(("length", "length-fixed", "fixed length: ours %d, XML %s"
                            % (ln["fixed"], x["length"])))
        elif x["length"] is not None:
            xl = x["length"]
            if not (ln["min"] <= xl <= ln["max"]) or (ln["only"] and xl not in ln["only"]):
                legal = ("{%s}" % ",".join(map(str, ln["only"])) if ln["only"]
                         else "%d..%d" % (ln["min"], ln["max"]))
                dis.append(("length", "length-range", "XML length %d outside our legal lengths %s"
                            % (xl, legal)))
        oc = set()
        for (t, op, c), (dd,) in by_key_ours.items():
            if dd is d:
                oc.add(c)
        xc = set(x["classes"])
        # Classes served by another XML command with the same opcode (or
        # another of ours) belong to that pair, not to this one.
        for c in sorted(oc - xc):
            if (d["type"], d["opcode"], c) not in by_key_xml:
                dis.append(("engines", "engines+" + c,
                            "engines: ours has %s, gen%d.xml engine=%s"
                            % (c, gen, x["engine_attr"] or "(all)")))
        for c in sorted(xc - oc):
            if (x["type"], x["opcode"], c) not in by_key_ours:
                dis.append(("engines", "engines-" + c,
                            "engines: gen%d.xml has %s (engine=%s), ours %s"
                            % (gen, c, x["engine_attr"] or "(all)", ",".join(d["engines"]))))
        if d.get("_split_video"):
            dis.append(("engines", "engines-video",
                        "engines: ours lists only one of vcs/vcs2 (%s)" % ",".join(d["engines"])))
        judge(label, names, dis)
    return comps


def main(argv):
    cli = ourtables.exceptions_cli(argv, "genxml_check.py")
    if cli is None:
        return 2
    build, exc_path, verbose = cli
    genxml = os.path.join(build, "mesa-src", "src", "intel", "genxml")

    excs, bad_excs = load_exceptions(exc_path)
    report = {"groups": {g: {"checked": 0, "accepted": 0, "failed": 0}
                         for g in ("presence", "opcode", "length", "engines")},
              "failures": [], "accepted": [], "info": [], "unchecked": 0}
    passed = failed = 0
    try:
        for gen in GENS:
            ours = load_ours(build, gen)
            xml = load_xml(os.path.join(genxml, "gen%d.xml" % gen))
            comps = compare_gen(gen, ours, xml, excs, report)
            p = sum(comps)
            passed += p
            failed += len(comps) - p
            print("gen%d: %d commands in our table, %d in gen%d.xml, %d comparisons: %d passed, %d failed"
                  % (gen, len(ours), len(xml), gen, len(comps), p, len(comps) - p))
    except CheckError as e:
        print("crosscheck: error: %s" % e)
        print("crosscheck: %d passed, %d failed" % (passed, failed + 1))
        return 1

    for g, c in report["groups"].items():
        print("%-9s %4d checked, %3d accepted by exceptions, %3d failed"
              % (g + ":", c["checked"], c["accepted"], c["failed"]))
    if report["unchecked"]:
        print("vecs:     %4d VECS-only commands not checkable (Mesa 22.3 genxml has no VECS class)"
              % report["unchecked"])
    for b in bad_excs:
        print("FAIL " + b)
        failed += 1
    stale = ourtables.stale_exceptions(excs)
    for line in stale:
        print(line)
        failed += 1
    print("exceptions: %d used, %d stale, %d malformed" % (len(excs) - len(stale), len(stale), len(bad_excs)))
    for f in report["failures"]:
        print(f)
    if verbose:
        for a in report["accepted"]:
            print(a)
        for i in report["info"]:
            print("info " + i)
    else:
        names = [i for i in report["info"] if "named" in i]
        if names:
            print("info: %d name differences (XML vs ours), see --verbose" % len(names))
    print("crosscheck: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
