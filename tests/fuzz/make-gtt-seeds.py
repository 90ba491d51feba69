#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write the GTT fuzzer's seeds (OUT/seeds/gtt/) and dictionary
(OUT/gtt.dict), in fuzz_gtt.c's input layout: a configuration byte, then
operations (opcode byte, argument bytes).  The opcodes are read from
fuzz_gtt.c's enum; the argument layouts below mirror its op_*() readers.

    tests/fuzz/make-gtt-seeds.py OUT

run-smoke.sh writes them into BUILD/fuzz/inputs/ before every run; none is
committed.
"""
import os
import re
import shutil
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


_SRC = open(os.path.join(HERE, "fuzz_gtt.c")).read()


def fuzz_gtt_ops():
    """OP_* of fuzz_gtt.c's enum, in order (their values)."""
    body = re.search(r"enum\s*\{\s*(OP_GGTT_WRITE[^}]*)\}", _SRC).group(1)
    names = re.findall(r"\b(OP_[A-Z0-9_]+)\b", body)
    ops = dict((n[3:], i) for i, n in enumerate(names))
    assert names[-1] == "OP_NR", names
    return ops


def fuzz_gtt_define(name):
    """The value of fuzz_gtt.c's #define name (an integer expression)."""
    expr = re.search(r"#define\s+%s\s+(.*?)\s*(/\*|$)" % name, _SRC,
                     re.M).group(1)
    return eval(re.sub(r"(\d+)u\b", r"\1", expr), {})


_OPS = fuzz_gtt_ops()
(GGTT_WRITE, PVINFO_WRITE, STORE, CREATE, DESTROY, PIN, UNPIN, LOOKUP, SYNC,
 XLATE_GGTT, XLATE_PPGTT, RESET, FAIL, P2M, BAR0_WRITE, READ) = (
    _OPS[n] for n in ("GGTT_WRITE", "PVINFO_WRITE", "STORE", "CREATE",
                      "DESTROY", "PIN", "UNPIN", "LOOKUP", "SYNC",
                      "XLATE_GGTT", "XLATE_PPGTT", "RESET", "FAIL", "P2M",
                      "BAR0_WRITE", "READ"))

# GGTT indices: the aperture slice from 0, the hidden one, the gap between.
GGTT_ENTRIES = fuzz_gtt_define("FZ_GGTT")
AP_END = fuzz_gtt_define("FZ_AP_SIZE") >> 12
HID_FIRST = fuzz_gtt_define("FZ_HID_BASE") >> 12
HID_END = HID_FIRST + (fuzz_gtt_define("FZ_HID_SIZE") >> 12)
assert 16 + 8 <= AP_END < HID_FIRST < HID_END <= GGTT_ENTRIES

P, RW, PS, IPS = 1, 2, 4, 8
HOSTILE = list(range(0xe0, 0xf0))
PAST_MEMORY, ABSURD = 0xf0, 0xf8
# Page tables at gfns 0x80-0xbf (a root argument >= 0x80 names its gfn),
# data at 0x40-0x7f, a second 2M of RAM from selector 0xc0.
PML4, PDP, PD, PT, PT2, PD_L3 = 0x80, 0x81, 0x82, 0x83, 0x84, 0x90
PVINFO_NOTIFY, PVINFO_PDP0_LO, PVINFO_PDP0_HI = 0, 1, 2
G2V_L3_CREATE, G2V_L3_DESTROY, G2V_L4_CREATE, G2V_L4_DESTROY = 0, 1, 2, 3


def ggtt_write(index, sel, fl=P, how=0):
    return bytes([GGTT_WRITE]) + struct.pack("<H", index) + bytes([how, sel, fl])


def store(table, slot, sel, fl=P | RW, how=4):
    return bytes([STORE, table, how, sel, fl]) + struct.pack("<H", slot)


def create(root, l3_pdps=None):
    if l3_pdps is None:
        return bytes([CREATE, 0, root, 0, 0, 0])
    how = 1
    for i in range(1, 4):
        if l3_pdps[i]:
            how |= 1 << (1 + i)
    return bytes([CREATE, how] + [p or 0 for p in l3_pdps])


def root_op(op, root):
    return bytes([op, root])


def pvinfo(which, sel=0, how=0):
    return bytes([PVINFO_WRITE, which, sel, how])


def xlate_ppgtt(root, l4=0, l3=0, l2=0, l1=0, sync=True):
    """Translate (after a gtt_sync() compared with the guest's own walk)."""
    return bytes([XLATE_PPGTT, root, 1 if sync else 0, l4, l3, l2, l1])


def tree_l4():
    """PML4 -> PDP -> PD -> PT -> data 0x40..0x43."""
    ops = [store(PML4, 0, PDP), store(PDP, 0, PD), store(PD, 0, PT)]
    ops += [store(PT, i, 0x40 + i) for i in range(4)]
    return ops


SEEDS = {
    "l4-build-pin-write": [0x20] + tree_l4() + [
        create(PML4), root_op(PIN, PML4), bytes([SYNC]),
        xlate_ppgtt(PML4), xlate_ppgtt(PML4, l1=1),
        store(PT, 1, 0x50), store(PT, 2, 0, fl=0), bytes([SYNC]),
        xlate_ppgtt(PML4, l1=1), root_op(UNPIN, PML4), root_op(DESTROY, PML4)],
    "l3-g2v-notify": [0x00] + [store(PD_L3, 0, PT2), store(PT2, 0, 0x44),
        pvinfo(PVINFO_PDP0_LO, PD_L3), pvinfo(PVINFO_PDP0_HI, 0),
        pvinfo(PVINFO_NOTIFY, 0, G2V_L3_CREATE), xlate_ppgtt(PD_L3),
        store(PT2, 0, 0x45), bytes([SYNC]), xlate_ppgtt(PD_L3),
        pvinfo(PVINFO_NOTIFY, 0, G2V_L3_DESTROY)],
    "l4-g2v-notify": [0x20] + tree_l4() + [
        pvinfo(PVINFO_PDP0_LO, PML4), pvinfo(PVINFO_NOTIFY, 0, G2V_L4_CREATE),
        bytes([SYNC]), xlate_ppgtt(PML4), pvinfo(PVINFO_NOTIFY, 0, G2V_L4_DESTROY)],
    "hostile-leaves": [0x00] + tree_l4()[:3] +
        [store(PT, i, sel) for i, sel in enumerate(HOSTILE + [PAST_MEMORY, ABSURD])] +
        [create(PML4), bytes([SYNC])] +
        [xlate_ppgtt(PML4, l1=i) for i in range(0, 18, 3)],
    "hostile-tables": [0x00] + [store(PML4, 0, HOSTILE[2]), store(PML4, 1, HOSTILE[9]),
        store(PML4, 2, PAST_MEMORY), store(PML4, 3, PDP), store(PDP, 0, HOSTILE[0]),
        create(PML4), create(HOSTILE[2]), bytes([SYNC]), xlate_ppgtt(PML4)],
    "ggtt": [0x00] + [ggtt_write(i, 0x40 + i) for i in range(4)] +
        [ggtt_write(AP_END + 4, 0x48), ggtt_write(HID_FIRST, 0x49),
         ggtt_write(HID_END - 1, 0x4a), ggtt_write(GGTT_ENTRIES + 4, 0x4b)] +
        [ggtt_write(8 + i, sel) for i, sel in enumerate(HOSTILE)] +
        [ggtt_write(5, 0x46, how=1), ggtt_write(5, 0, how=3),
         bytes([XLATE_GGTT, 0, 0, 0]), bytes([XLATE_GGTT, 9, 0, 0]),
         ggtt_write(0, 0, fl=0), bytes([SYNC])],
    "huge": [0x20] + [store(PML4, 0, PDP), store(PDP, 0, PD),
        store(PD, 0, 0x00, fl=P | RW | PS), store(PD, 1, 0xc0, fl=P | RW | PS),
        store(PD, 2, PT, fl=P | RW | IPS), store(PT, 0, 0x40), store(PT, 16, 0x50),
        store(PDP, 1, 0x00, fl=P | RW | PS), create(PML4), bytes([SYNC]),
        xlate_ppgtt(PML4, l2=0), xlate_ppgtt(PML4, l2=1, l1=3),
        xlate_ppgtt(PML4, l2=2, l1=0x21), xlate_ppgtt(PML4, l3=1),
        bytes([P2M, 0x05, 0]), bytes([SYNC]), xlate_ppgtt(PML4, l2=1, l1=5)],
    "small-quota-reclaim": [0x01] + tree_l4() + [store(0x88, 0, 0x89),
        store(0x89, 0, 0x8a), store(0x8a, 0, 0x8b), store(0x8b, 0, 0x60),
        create(PML4), create(0x88), root_op(PIN, 0x88), create(PML4),
        bytes([SYNC]), xlate_ppgtt(PML4), xlate_ppgtt(0x88), root_op(UNPIN, 0x88)],
    "alloc-failure": [0x20] + tree_l4() + [bytes([FAIL, 3]), create(PML4),
        bytes([FAIL, 0]), store(PT, 5, 0x46), ggtt_write(3, 0x47), bytes([SYNC]),
        bytes([FAIL, 0xff]), root_op(PIN, PML4), bytes([SYNC])],
    "oos-threshold-1": [0x20] + tree_l4() + [create(PML4), root_op(PIN, PML4)] +
        [store(PT, 8 + i, 0x60 + i) for i in range(6)] +
        [store(PT, 9, 0, how=0), store(PT, 9, 0x61, how=1), bytes([SYNC]),
         xlate_ppgtt(PML4, l1=8), store(PD, 1, PT), bytes([SYNC])],
    "reset-pinned": [0x20] + tree_l4() + [create(PML4), root_op(PIN, PML4),
        ggtt_write(7, 0x41), bytes([RESET]), xlate_ppgtt(PML4),
        create(PML4), bytes([SYNC])],
    "p2m-change": [0x00] + tree_l4() + [create(PML4), bytes([SYNC]),
        bytes([P2M, 0x00, 0]), bytes([P2M, 0x01, 1]), bytes([P2M, 0x02, 2]),
        store(PT, 0, 0x40), bytes([SYNC]), xlate_ppgtt(PML4),
        bytes([P2M, 0x00, 3]), store(PT, 0, 0x40), bytes([SYNC])],
    # Two gfns on one frame (the guest's p2m aliases 0x40 and 0x41): a
    # translation is reported under the gfn the M2P gives the frame.
    "p2m-alias": [0x20] + tree_l4() + [create(PML4), bytes([SYNC]),
        bytes([P2M, 0x00, 1]), bytes([P2M, 0x01, 1]), store(PT, 0, 0x40),
        store(PT, 1, 0x05), xlate_ppgtt(PML4), xlate_ppgtt(PML4, l1=1)],
    "bar0": [0x00] + [bytes([BAR0_WRITE, 0x18, 0x08, 0x07, 0x00]) + struct.pack("<Q", 2),
        bytes([BAR0_WRITE, 0x10, 0x00, 0x80, 0x80]) + struct.pack("<Q", 0x41001),
        bytes([BAR0_WRITE, 0x00, 0x00, 0x00, 0x01]) + struct.pack("<Q", 0),
        bytes([READ, 0, 0, 0]), bytes([READ, 0x18, 0x08, 1]), bytes([READ, 4, 0, 2])],
}


def dict_entries():
    out = []
    for name, op in (("sync", SYNC), ("reset", RESET)):
        out.append(("OP_" + name.upper(), bytes([op])))
    out.append(("STORE_PTE", bytes([STORE, PT, 4])))
    out.append(("STORE_HALF", bytes([STORE, PT, 0])))
    out.append(("NOTIFY_L3_CREATE", pvinfo(PVINFO_NOTIFY, 0, G2V_L3_CREATE)))
    out.append(("NOTIFY_L4_CREATE", pvinfo(PVINFO_NOTIFY, 0, G2V_L4_CREATE)))
    out.append(("NOTIFY_L4_DESTROY", pvinfo(PVINFO_NOTIFY, 0, G2V_L4_DESTROY)))
    out.append(("PDP0_LO", pvinfo(PVINFO_PDP0_LO, PML4)))
    out.append(("CREATE_L4", create(PML4)))
    out.append(("CREATE_L3", create(PD_L3, [PD_L3, PD, 0, PT])))
    out.append(("PIN", root_op(PIN, PML4)))
    out.append(("UNPIN", root_op(UNPIN, PML4)))
    out.append(("DESTROY", root_op(DESTROY, PML4)))
    out.append(("FAIL_SOON", bytes([FAIL, 2])))
    out.append(("FAIL_OFF", bytes([FAIL, 0xff])))
    for i, sel in enumerate(HOSTILE):
        out.append(("HOSTILE_%d" % i, bytes([sel, P | RW])))
    out.append(("HUGE_2M", bytes([0x00, P | RW | PS])))
    out.append(("IPS_PT", bytes([PT, P | RW | IPS])))
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make-gtt-seeds.py OUT")
    out = os.path.join(sys.argv[1], "seeds", "gtt")
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    total = 0
    for name, parts in sorted(SEEDS.items()):
        data = bytes([parts[0]]) + b"".join(parts[1:])
        total += len(data)
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    with open(os.path.join(sys.argv[1], "gtt.dict"), "w") as f:
        f.write("# fuzz_gtt.c operations and arguments.\n"
                "# Generated by tests/fuzz/make-gtt-seeds.py.\n")
        for name, val in dict_entries():
            f.write('%s="%s"\n' % (name, "".join("\\x%02x" % b for b in val)))
    print("seeds/gtt: %d seeds, %d bytes" % (len(SEEDS), total))


if __name__ == "__main__":
    main()
