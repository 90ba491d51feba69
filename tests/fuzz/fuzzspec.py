# SPDX-License-Identifier: GPL-2.0-only
"""The command spec as the fuzzers' seed and dictionary writers see it.

Loads xen/common/gpu_audit/spec/genN.spec through xen/tools/gen-gpu-cmds.py
(the same parser that generates the auditor's tables) and answers: which
commands and registers an engine has, a command's header dword at a legal
length, and its legal lengths.
"""
import importlib.util
import os

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                     "..", ".."))
_SPEC_DIR = os.path.join(ROOT, "xen", "common", "gpu_audit", "spec")
_mod = importlib.util.spec_from_file_location(
    "gen_gpu_cmds", os.path.join(ROOT, "xen", "tools", "gen-gpu-cmds.py"))
gen_gpu_cmds = importlib.util.module_from_spec(_mod)
_mod.loader.exec_module(gen_gpu_cmds)

ENGINES = gen_gpu_cmds.ENGINES              # index = XEN_GPU_ENGINE_*
GENS = (8, 9)
VARIANTS = ["gen%d-%s" % (g, e) for g in GENS for e in ENGINES]
# The loaded spec holds spec words (the generator writes their C names).
PPGTT = gen_gpu_cmds.CLASSES.index("ppgtt")  # index in a command's policy
REJECT = "reject"                           # a policy's action
REG_WRITE = {"write"}                       # in a register's access set
REG_PDP = {"pdp"}                           # in a register's flag set

MI_BATCH_BUFFER_END = 0x0a << 23
MI_LOAD_REGISTER_IMM = 0x22 << 23
MI_STORE_REGISTER_MEM = 0x24 << 23
# MI_BATCH_BUFFER_START, 3 dwords: PPGTT (bit 8), second level (bit 22).
BB_START_GGTT = (0x31 << 23) | 1
BB_START_PPGTT = BB_START_GGTT | (1 << 8)
BB_START_L2_PPGTT = BB_START_PPGTT | (1 << 22)

_cache = {}


def load(gen):
    if gen not in _cache:
        _cache[gen] = gen_gpu_cmds.load(os.path.join(_SPEC_DIR, "gen%d.spec" % gen))
    return _cache[gen]


def engine_index(name):
    return ENGINES.index(name)


def commands(gen, engine):
    """Commands of the engine, in spec order."""
    bit = 1 << engine_index(engine)
    return [c for c in load(gen)["cmds"] if c["engines"] & bit]


def registers(gen, engine):
    """Whitelisted registers of the engine (expanded: one per dword)."""
    bit = 1 << engine_index(engine)
    return [r for r in load(gen)["regs"] if r["engines"] & bit]


def engine_base(gen, engine):
    return load(gen)["engines"][engine]["base"]


def header(c, length):
    """The command's header dword at a length (dwords)."""
    op, t = c["opcode"], c["type"]
    if t == "mi":
        hdr = op << 23
    elif t == "2d":
        hdr = (2 << 29) | (op << 22)
    else:
        hdr = (3 << 29) | (op << 16)
    if c["len_bits"]:
        hdr |= (length - c["len_bias"]) & ((1 << c["len_bits"]) - 1)
    return hdr


def lengths(c):
    """Legal lengths worth naming: all of a short set, else min, min+1, max."""
    if c["len_set"]:
        return [n for n in range(32) if c["len_set"] >> n & 1
                and c["len_min"] <= n <= c["len_max"]]
    return sorted({c["len_min"], c["len_max"], min(c["len_min"] + 1, c["len_max"])})


def le32(v):
    return (v & 0xffffffff).to_bytes(4, "little")
