#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write the sample batches that `make demo` runs (tests/data/samples/*.bin).

    tests/data/samples/make-samples.py [OUTDIR]

Every file is a sequence of little-endian dwords.  Headers are composed
from the opcodes in xen/common/gpu_audit/spec/gen8.spec (Gen9 inherits
them); samples.txt next to this script says how to audit each file and
what the verdict must be.  corpus-draw.bin is the one exception: it is a
byte-for-byte copy of a real Mesa batch from tests/data/corpus, and is
copied only when the corpus is present (a fresh clone keeps the committed
copy).
"""
import os
import shutil
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "corpus", "batches", "gen9",
                      "piglit.shaders_glsl-fs-texturecube_-0001.bin")


# --- command encoders ------------------------------------------------------

def mi(opcode, length=1, flags=0):
    """MI command: type 0, opcode in bits 28:23, length field = dwords - 2."""
    hdr = (opcode << 23) | flags
    if length > 1:
        hdr |= length - 2
    return hdr


def gfx3d(opcode16, length):
    """3D command: header bits 31:16 as in the spec, length field = dwords - 2."""
    return (opcode16 << 16) | (length - 2)


def blt(opcode, length, flags=0):
    """2D command: type 2, opcode in bits 28:22, length field = dwords - 2."""
    return (2 << 29) | (opcode << 22) | flags | (length - 2)


MI_NOOP = 0
MI_USER_INTERRUPT = mi(0x02)
MI_WAIT_FOR_EVENT = mi(0x03)
MI_ARB_CHECK = mi(0x05)
MI_ARB_ON_OFF = mi(0x08)
MI_BATCH_BUFFER_END = mi(0x0a)


def mi_set_context(ctx):
    return [mi(0x18, 2), ctx]


def lri(*pairs):
    dws = [mi(0x22, 1 + 2 * len(pairs))]
    for reg, val in pairs:
        dws += [reg, val]
    return dws


def bb_start(addr, ppgtt=True, second_level=False):
    """MI_BATCH_BUFFER_START, 3 dwords, 48-bit address."""
    hdr = mi(0x31, 3)
    if ppgtt:
        hdr |= 1 << 8          # Address Space Indicator: PPGTT
    if second_level:
        hdr |= 1 << 22         # Second Level Batch Buffer
    return [hdr, addr & 0xffffffff, addr >> 32]


def flush_dw():
    """MI_FLUSH_DW without a post-sync write."""
    return [mi(0x26, 4), 0, 0, 0]


def pipe_control_write(addr, value, ggtt):
    """PIPE_CONTROL with a Write Immediate Data post-sync operation."""
    dw1 = (1 << 14)                       # post-sync: write immediate
    dw1 |= 1 << 20                        # CS stall
    if ggtt:
        dw1 |= 1 << 24                    # destination address type: GGTT
    return [gfx3d(0x7a00, 6), dw1, addr & 0xffffffff, addr >> 32, value, 0]


def pipe_control_flush():
    return [gfx3d(0x7a00, 6), (1 << 20) | (1 << 12), 0, 0, 0, 0]


def xy_src_copy_blt(dst, src, w, h, pitch):
    """Gen8+ XY_SRC_COPY_BLT (10 dwords, 48-bit addresses), 32 bpp."""
    return [blt(0x53, 10, 3 << 20),           # write alpha + RGB
            (3 << 24) | (0xcc << 16) | pitch,  # 32 bpp, ROP copy, dst pitch
            0, (h << 16) | w,                 # dst x1,y1 / x2,y2
            dst & 0xffffffff, dst >> 32,
            0, pitch,                         # src x1,y1 / src pitch
            src & 0xffffffff, src >> 32]


def state_sequence():
    """A short run of 3D state and a draw, as iris emits it (real lengths)."""
    return ([gfx3d(0x7810, 9)] + [0] * 8 +         # 3DSTATE_VS
            [gfx3d(0x784b, 2), 4] +                # 3DSTATE_VF_TOPOLOGY
            [gfx3d(0x7b00, 7), 0, 3, 0, 1, 0, 0])  # 3DPRIMITIVE


# --- samples ---------------------------------------------------------------

BCS_SWCTRL = 0x22200
RING_START_RCS = 0x2038

SAMPLES = {}

# Accepted
SAMPLES["blit-copy.bin"] = (
    lri((BCS_SWCTRL, (0x3 << 16) | 0x3)) +      # enable + set tile-Y src/dst
    xy_src_copy_blt(0x400000, 0x500000, 64, 64, 256) +
    lri((BCS_SWCTRL, (0x3 << 16) | 0x0)) +      # back to linear
    flush_dw() + [MI_BATCH_BUFFER_END])

SAMPLES["chain-a.bin"] = (
    pipe_control_flush() + state_sequence() +
    bb_start(0x200000) + [0xdeadbeef])          # never reached: chained away
SAMPLES["chain-b.bin"] = (
    state_sequence() + pipe_control_flush() + [MI_BATCH_BUFFER_END, MI_NOOP])

SAMPLES["ggtt-pipe-control.bin"] = (
    pipe_control_write(0x1f0000, 0x1234, ggtt=True) +
    [MI_ARB_CHECK, MI_USER_INTERRUPT, MI_BATCH_BUFFER_END, MI_NOOP])

SAMPLES["arb-off-neutralised.bin"] = (
    [MI_ARB_ON_OFF] + state_sequence() + [MI_WAIT_FOR_EVENT] +
    [MI_ARB_ON_OFF | 1, MI_BATCH_BUFFER_END])

# Rejected
SAMPLES["unknown-command.bin"] = (
    pipe_control_flush() + [0xdeadbeef, MI_BATCH_BUFFER_END, MI_NOOP])

SAMPLES["set-context.bin"] = (
    mi_set_context(0x00801000 | 0x100) + [MI_BATCH_BUFFER_END, MI_NOOP])

SAMPLES["lri-ring-start.bin"] = (
    lri((RING_START_RCS, 0x00800000)) + [MI_BATCH_BUFFER_END])

SAMPLES["ggtt-out-of-slice.bin"] = (
    pipe_control_write(0x1f0000, 1, ggtt=True) +      # inside: fine
    pipe_control_write(0x800000, 2, ggtt=True) +      # outside the slice
    [MI_BATCH_BUFFER_END, MI_NOOP])

SAMPLES["jump-mid-command.bin"] = (
    pipe_control_flush() +                            # 0x00..0x17
    bb_start(0x100000 + 8) +                          # into its DW2
    [MI_BATCH_BUFFER_END])

SAMPLES["no-end.bin"] = (
    pipe_control_flush() + state_sequence() + [MI_NOOP] * 4)

SAMPLES["nest-l1.bin"] = (
    bb_start(0x200000, second_level=True) + [MI_BATCH_BUFFER_END])
SAMPLES["nest-l2.bin"] = (
    bb_start(0x300000, second_level=True) + [MI_BATCH_BUFFER_END])
SAMPLES["nest-l3.bin"] = (
    [MI_BATCH_BUFFER_END, MI_NOOP])

SAMPLES["ggtt-jump-from-ppgtt.bin"] = (
    pipe_control_flush() + bb_start(0x200000, ppgtt=False) +
    [MI_BATCH_BUFFER_END])

SAMPLES["bcs-swctrl-mask.bin"] = (
    lri((BCS_SWCTRL, (0xffff << 16) | 0x8003)) + [MI_BATCH_BUFFER_END])


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else HERE
    os.makedirs(out, exist_ok=True)
    for name, dws in sorted(SAMPLES.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(struct.pack("<%dI" % len(dws), *dws))
    if os.path.exists(CORPUS):
        shutil.copyfile(CORPUS, os.path.join(out, "corpus-draw.bin"))
    elif not os.path.exists(os.path.join(out, "corpus-draw.bin")):
        sys.stderr.write("make-samples: %s missing and no committed copy\n"
                         % CORPUS)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
