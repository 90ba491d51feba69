#!/usr/bin/env bash
# Contract of the gpu-audit CLI: exit codes, JSON fields, --disasm,
# --repeat, --dump-table, buffers and slices.  Ends with
# "cli: N passed, M failed".
set -u
BUILD=${1:-build}
CLI=$BUILD/gpu-audit
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

# dwords FILE DW...: write little-endian dwords
dwords() {
    local f=$1
    shift
    python3 -c 'import struct,sys; open(sys.argv[1],"wb").write(b"".join(struct.pack("<I",int(x,0)) for x in sys.argv[2:]))' "$f" "$@"
}

# check NAME EXPECTED_EXIT PYTHON_ASSERTION_ON_STDOUT -- ARGS...
check() {
    local name=$1 want=$2 expr=$3 out rc
    shift 4
    out=$("$CLI" "$@" 2>"$tmp/err")
    rc=$?
    if [ "$rc" -ne "$want" ]; then
        echo "FAIL $name: exit $rc, wanted $want: $out $(cat "$tmp/err")"
        fail=$((fail + 1))
        return
    fi
    if [ -n "$expr" ] && ! OUT="$out" python3 -c "
import json, os
out = os.environ['OUT']
$expr" 2>"$tmp/perr"; then
        echo "FAIL $name: $out"
        cat "$tmp/perr"
        fail=$((fail + 1))
        return
    fi
    pass=$((pass + 1))
}

# A PPGTT batch: LRI GPR0 (allowed), NOOP, BBE.
dwords "$tmp/ok.bin" 0x11000001 0x2600 0xdeadbeef 0 0x05000000
# LRI RING_START (forbidden) after two NOOPs.
dwords "$tmp/bad.bin" 0 0 0x11000001 0x2038 0x1000 0x05000000
# Chain to a second buffer at 0x200000, and one to nowhere.
dwords "$tmp/chain.bin" 0x18800101 0x200000 0
dwords "$tmp/next.bin" 0 0x05000000
dwords "$tmp/lost.bin" 0x18800101 0x900000 0
# PIPE_CONTROL QW write to GGTT 0x1ff8 (8 bytes), then BBE.
dwords "$tmp/pc.bin" 0x7a000004 0x01004000 0x1ff8 0 1 0 0x05000000 0
dwords "$tmp/odd.bin" 0
printf 'abc' >"$tmp/odd.bin"

check accept-json 0 '
j = json.loads(out)
assert j["verdict"] == "accept" and j["reason"] == "ok", j
assert j["commands"] == 3 and j["bytes"] == 20, j' -- \
    --gen 9 --engine rcs --json "$tmp/ok.bin"
check accept-text 0 'assert out.startswith("accept: 3 commands")' -- \
    --gen 8 --engine rcs "$tmp/ok.bin"
check gpr-other-engine 1 'assert out.startswith("reject: register-denied")' -- \
    --gen 9 --engine bcs "$tmp/ok.bin"
check reject-json 1 '
j = json.loads(out)
assert j["verdict"] == "reject" and j["reason"] == "register-denied", j
assert j["offset"] == 8 and j["command"] == "MI_LOAD_REGISTER_IMM", j
assert j["buffer"].endswith("bad.bin"), j' -- \
    --gen 9 --engine rcs --json "$tmp/bad.bin"
check reject-disasm 1 '
lines = out.splitlines()
assert any("MI_LOAD_REGISTER_IMM" in l and "REFUSED" in l for l in lines), out
assert sum("REFUSED" in l for l in lines) == 1, out' -- \
    --gen 9 --engine rcs --disasm "$tmp/bad.bin"
check chain 0 'assert json.loads(out)["buffers"] == 2' -- \
    --gen 9 --engine rcs --json "$tmp/chain.bin@0x100000" "$tmp/next.bin@0x200000"
check jump-unmapped 1 'assert json.loads(out)["reason"] == "jump-unmapped"' -- \
    --gen 9 --engine rcs --json "$tmp/lost.bin"
check ggtt-in-slice 0 '' -- \
    --gen 9 --engine rcs --ggtt --slice 0x0:0x2000 --json "$tmp/pc.bin@0x1000"
check ggtt-write-past-slice 1 '
j = json.loads(out)
assert j["reason"] == "ggtt-out-of-slice" and j["command"] == "PIPE_CONTROL", j' -- \
    --gen 9 --engine rcs --ggtt --slice 0x0:0x1000 --slice 0x2000:0x1000 --json "$tmp/pc.bin@0x0"
check ggtt-batch-outside-slice 1 'assert json.loads(out)["reason"] == "ggtt-out-of-slice"' -- \
    --gen 9 --engine rcs --ggtt --slice 0x0:0x1000 --json "$tmp/ok.bin@0x5000"
check repeat 0 '
j = json.loads(out)
assert j["repeat"] == 3 and j["audit_bytes_per_s"] > 0 and j["memcpy_bytes_per_s"] > 0, j' -- \
    --gen 9 --engine rcs --json --repeat 3 "$tmp/ok.bin"
check dump-table 0 '
rows = [json.loads(l) for l in out.splitlines()]
names = {r["name"] for r in rows}
assert {"MI_BATCH_BUFFER_START", "PIPE_CONTROL", "XY_SRC_COPY_BLT"} <= names, names
bb = [r for r in rows if r["name"] == "MI_BATCH_BUFFER_START"][0]
assert bb["rules"]["jump"] and bb["length"]["field_bits"] == 8, bb' -- \
    --dump-table --gen 9 --json
check usage-no-args 2 '' --
check usage-bad-engine 2 '' -- --gen 9 --engine gpu "$tmp/ok.bin"
check usage-bad-gen 2 '' -- --gen 7 --engine rcs "$tmp/ok.bin"
check io-missing-file 2 '' -- --gen 9 --engine rcs "$tmp/none.bin"
check io-not-dwords 2 '' -- --gen 9 --engine rcs "$tmp/odd.bin"
check bad-slice 2 '' -- --gen 9 --engine rcs --slice 0x10:0x1000 "$tmp/ok.bin"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
