#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write the fuzzer's seed inputs (tests/fuzz/seeds/parser/) from the demo
samples, in fuzz_parser.c's input layout (4-byte prefix, then buffers at
0x100000, 0x200000, 0x300000).

    tests/fuzz/make-seeds.py
"""
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SAMPLES = os.path.join(ROOT, "tests", "data", "samples")
OUT = os.path.join(ROOT, "tests", "fuzz", "seeds", "parser")
ENGINES = {"rcs": 0, "bcs": 1, "vcs": 2, "vcs2": 3, "vecs": 4}

# name: (gen, engine, ggtt, [files at 0x100000, 0x200000, 0x300000])
SEEDS = {
    "corpus-draw": (9, "rcs", False, ["corpus-draw.bin"]),
    "blit-copy": (9, "bcs", False, ["blit-copy.bin"]),
    "chain": (9, "rcs", False, ["chain-a.bin", "chain-b.bin"]),
    "ggtt-pipe-control": (9, "rcs", True, ["ggtt-pipe-control.bin"]),
    "arb-off": (8, "rcs", False, ["arb-off-neutralised.bin"]),
    "nest": (9, "rcs", False, ["nest-l1.bin", "nest-l2.bin", "nest-l3.bin"]),
    "jump-mid-command": (9, "rcs", False, ["jump-mid-command.bin"]),
    "ggtt-jump": (9, "rcs", False, ["ggtt-jump-from-ppgtt.bin"]),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, (gen, eng, ggtt, files) in sorted(SEEDS.items()):
        bufs = [open(os.path.join(SAMPLES, f), "rb").read() for f in files]
        b0 = (gen == 9) | (ENGINES[eng] << 1) | (0x10 if ggtt else 0)
        lens = [len(b) // 4 for b in bufs[:2]] + [0, 0]
        if len(bufs) == 1:
            lens[0] = 0                     # everything goes to buffer 0
        assert all(n < 256 for n in lens[:2]), name
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(bytes([b0, lens[0], lens[1], 0]) + b"".join(bufs))
    write_ring_seed()


def write_ring_seed():
    """A one-page ring (prefix bit 7) whose segment wraps: head at byte
    0xfe * 8 = 0x7f0, tail at 0x10; an LRI of RCS GPR0 at the ring's start."""
    dws = [0x11000001, 0x2600, 7, 0] + [0] * (1024 - 4)
    with open(os.path.join(OUT, "ring-wrap"), "wb") as f:
        f.write(bytes([0x81, 0xfe, 0x02, 0x00]) +
                b"".join(struct.pack("<I", d) for d in dws))


if __name__ == "__main__":
    main()
