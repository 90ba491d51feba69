#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write the parser fuzzer's seeds, one directory per (generation, engine):
OUT/seeds/parser/genG-ENGINE/, in fuzz_parser.c's input layout (4-byte
prefix, then buffers at 0x100000, 0x200000, 0x300000).

    tests/fuzz/make-seeds.py OUT

run-smoke.sh writes them into BUILD/fuzz/inputs/ before every run, so
they always match the spec; none is committed.

Every engine gets, from the command spec: its commands (PPGTT-legal ones,
16 a seed, each at its minimum length, zero operands, then
MI_BATCH_BUFFER_END); LRIs of its whitelisted registers; an SRM; an LRI of
its PDP registers; a PPGTT chain to a second buffer; a wrapping ring.  The
render engine also gets the demo samples and a few small real batches of
its generation from tests/data/corpus; the blitter the blitter samples.
"""
import os
import shutil
import struct
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fuzzspec as fs  # noqa: E402

SAMPLES = os.path.join(fs.ROOT, "tests", "data", "samples")
CORPUS = os.path.join(fs.ROOT, "tests", "data", "corpus")
BB_END = fs.MI_BATCH_BUFFER_END
CMDS_PER_SEED = 16
REGS_PER_LRI = 16
CORPUS_SEEDS = 6            # per generation, RCS
CORPUS_MAX_BYTES = 2048

# name: (gen, engine, ggtt, [files at 0x100000, 0x200000, 0x300000])
SAMPLE_SEEDS = {
    "corpus-draw": (9, "rcs", False, ["corpus-draw.bin"]),
    "blit-copy": (9, "bcs", False, ["blit-copy.bin"]),
    "bcs-swctrl-mask": (9, "bcs", False, ["bcs-swctrl-mask.bin"]),
    "chain": (9, "rcs", False, ["chain-a.bin", "chain-b.bin"]),
    "ggtt-pipe-control": (9, "rcs", True, ["ggtt-pipe-control.bin"]),
    "arb-off": (8, "rcs", False, ["arb-off-neutralised.bin"]),
    "nest": (9, "rcs", False, ["nest-l1.bin", "nest-l2.bin", "nest-l3.bin"]),
    "jump-mid-command": (9, "rcs", False, ["jump-mid-command.bin"]),
    "ggtt-jump": (9, "rcs", False, ["ggtt-jump-from-ppgtt.bin"]),
}


def dws(values):
    return b"".join(struct.pack("<I", v & 0xffffffff) for v in values)


def prefix(gen, engine, ggtt=False, ring=False, b1=0, b2=0, b3=0):
    b0 = (gen == 9) | (fs.engine_index(engine) << 1)
    b0 |= 0x10 if ggtt else 0
    b0 |= 0x80 if ring else 0
    return bytes([b0, b1, b2, b3])


def seed(gen, engine, bufs, ggtt=False):
    """A submission of up to three buffers (bytes, dword multiples)."""
    lens = [len(b) // 4 for b in bufs[:2]] + [0, 0]
    if len(bufs) == 1:
        lens[0] = 0                     # everything goes to buffer 0
    assert all(n < 256 for n in lens[:2])
    return prefix(gen, engine, ggtt, b1=lens[0], b2=lens[1]) + b"".join(bufs)


def spec_seeds(gen, engine):
    out = {}
    cmds = [c for c in fs.commands(gen, engine) if c["policy"][fs.PPGTT] != fs.REJECT]
    for i in range(0, len(cmds), CMDS_PER_SEED):
        batch = []
        for c in cmds[i:i + CMDS_PER_SEED]:
            n = c["len_min"] if not c["len_set"] else fs.lengths(c)[0]
            batch += [fs.header(c, n)] + [0] * (n - 1)
        out["cmds-%02d" % (i // CMDS_PER_SEED)] = seed(gen, engine, [dws(batch + [BB_END])])
    regs = fs.registers(gen, engine)
    wregs = [r for r in regs if r["access"] & fs.REG_WRITE and not r["flags"] & fs.REG_PDP]
    for i in range(0, len(wregs), REGS_PER_LRI):
        group = wregs[i:i + REGS_PER_LRI]
        lri = [fs.MI_LOAD_REGISTER_IMM | (2 * len(group) - 1)]
        for r in group:
            lri += [r["offset"], 0]
        out["lri-%02d" % (i // REGS_PER_LRI)] = seed(gen, engine, [dws(lri + [BB_END])])
    if regs:
        srm = [fs.MI_STORE_REGISTER_MEM | 2, regs[0]["offset"], 0x300000, 0]
        out["srm"] = seed(gen, engine, [dws(srm + [BB_END])])
    base = fs.engine_base(gen, engine)
    pdp = [fs.MI_LOAD_REGISTER_IMM | 3, base + 0x274, 0, base + 0x270, 0x1000]
    out["lri-pdp"] = seed(gen, engine, [dws(pdp + [BB_END])])
    out["chain"] = seed(gen, engine, [dws([0, fs.BB_START_PPGTT, 0x200000, 0]),
                                      dws([0, BB_END])])
    out["chain-l2"] = seed(gen, engine, [dws([fs.BB_START_L2_PPGTT, 0x200000, 0, BB_END]),
                                         dws([0x05000000 | 0, BB_END])])
    # A one-page ring whose segment wraps: head at 0xfe * 8, tail at 0x10.
    first = wregs[0]["offset"] if wregs else 0
    ring = [fs.MI_LOAD_REGISTER_IMM | 1, first, 0, 0] + [0] * (1024 - 4)
    out["ring-wrap"] = prefix(gen, engine, ring=True, b1=0xfe, b2=0x02) + dws(ring)
    return out


def sample_seeds(gen, engine):
    out = {}
    for name, (g, eng, ggtt, files) in sorted(SAMPLE_SEEDS.items()):
        if (g, eng) != (gen, engine):
            continue
        bufs = [open(os.path.join(SAMPLES, f), "rb").read() for f in files]
        out["sample-" + name] = seed(gen, engine, bufs, ggtt)
    return out


def corpus_seeds(gen, engine):
    """A few small single-buffer batches, of distinct workloads."""
    out = {}
    if engine != "rcs":
        return out
    families = {}
    for line in open(os.path.join(CORPUS, "manifest.txt")):
        tok = line.split()
        if not tok or tok[0].startswith("#") or tok[:3] != [str(gen), engine, "1"]:
            continue
        path = os.path.join(CORPUS, tok[3])
        size = os.path.getsize(path)
        fam = os.path.basename(path).rsplit("-", 1)[0]
        if 16 <= size <= CORPUS_MAX_BYTES and size % 4 == 0 and \
                (fam not in families or size > families[fam][0]):
            families[fam] = (size, path)
    for fam in sorted(families)[:CORPUS_SEEDS]:
        data = open(families[fam][1], "rb").read()
        out["corpus-" + fam] = seed(gen, engine, [data])
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make-seeds.py OUT")
    out = os.path.join(sys.argv[1], "seeds", "parser")
    if os.path.isdir(out):
        shutil.rmtree(out)
    for variant in fs.VARIANTS:
        gen, engine = int(variant[3]), variant[5:]
        d = os.path.join(out, variant)
        os.makedirs(d)
        seeds = spec_seeds(gen, engine)
        seeds.update(sample_seeds(gen, engine))
        seeds.update(corpus_seeds(gen, engine))
        for name, data in sorted(seeds.items()):
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        print("%s: %d seeds, %d bytes" % (variant, len(seeds),
                                           sum(len(s) for s in seeds.values())))


if __name__ == "__main__":
    main()
