#!/usr/bin/env bash
# gtt-replay: every shipped trace of tests/data/gtt/ against its exact
# expected output, the malformed traces (exit 2, line number on stderr),
# standard input, usage errors, and seeded hostile traces (no crash, no
# leak), each with the normal build and, when built, the ASan+UBSan one.
# Ends with "gtt-replay: N passed, M failed".
set -u
BUILD=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
TOOL=$BUILD/gtt-replay
case "$TOOL" in /*) ;; *) TOOL="$top/$TOOL" ;; esac
DATA=$top/tests/data/gtt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() {
    pass=$((pass + 1))
}

bad() {
    echo "FAIL $*"
    fail=$((fail + 1))
}

if [ ! -x "$TOOL" ]; then
    bad "$TOOL not built"
    echo "gtt-replay: $pass passed, $fail failed"
    exit 1
fi

# Shipped traces.  malformed-*.trace: exit 2, nothing on stdout, stderr as
# expected; every other trace: exit 0, stdout as expected.
# shipped TOOL LABEL
shipped() {
    local tool=$1 label=$2 trace name expected rc
    for trace in "$DATA"/*.trace; do
        name=$(basename "$trace" .trace)
        expected=$DATA/$name.expected
        if [ ! -f "$expected" ]; then
            bad "$label$name: no $name.expected"
            continue
        fi
        (cd "$DATA" && "$tool" "$name.trace") >"$tmp/out" 2>"$tmp/err"
        rc=$?
        case "$name" in
        malformed-*)
            if [ "$rc" -ne 2 ] || [ -s "$tmp/out" ]; then
                bad "$label$name: exit $rc (wanted 2), stdout: $(head -3 "$tmp/out")"
            elif ! diff -u "$expected" "$tmp/err" >"$tmp/diff"; then
                bad "$label$name: stderr differs"
                cat "$tmp/diff"
            else
                ok
            fi
            ;;
        *)
            if [ "$rc" -ne 0 ]; then
                bad "$label$name: exit $rc: $(head -20 "$tmp/err")"
            elif ! diff -u "$expected" "$tmp/out" >"$tmp/diff"; then
                bad "$label$name: output differs"
                head -40 "$tmp/diff"
            else
                ok
            fi
            ;;
        esac
    done
}

# The sanitizer build (make test builds it) runs the same traces.
SAN_TOOL=$(dirname "$TOOL")/asan/gtt-replay
shipped "$TOOL" ""
[ -x "$SAN_TOOL" ] && shipped "$SAN_TOOL" "asan: "

# The same trace from standard input, with and without "-".
first=$(ls "$DATA"/*.trace | grep -v /malformed- | head -1)
if [ -n "$first" ]; then
    want=${first%.trace}.expected
    "$TOOL" <"$first" >"$tmp/out" 2>&1 && cmp -s "$want" "$tmp/out" && ok ||
        bad "stdin: output differs"
    "$TOOL" - <"$first" >"$tmp/out" 2>&1 && cmp -s "$want" "$tmp/out" && ok ||
        bad "stdin (-): output differs"
fi

# check NAME EXPECTED_EXIT STDERR_REGEX -- ARGS... (stdin from /dev/null)
check() {
    local name=$1 want=$2 re=$3 rc
    shift 4
    "$TOOL" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne "$want" ]; then
        bad "$name: exit $rc, wanted $want: $(cat "$tmp/err")"
    elif [ -n "$re" ] && ! grep -qE "$re" "$tmp/err"; then
        bad "$name: stderr '$(cat "$tmp/err")' does not match '$re'"
    else
        ok
    fi
}

check usage-two-files 2 '^usage: gtt-replay' -- a b
check usage-option 2 '^usage: gtt-replay' -- --frobnicate
check help 0 '' -- --help
check missing-file 2 'gtt-replay: /nonexistent.trace: ' -- /nonexistent.trace
check empty-trace 0 '' -- /dev/null

# line N of a trace: the error names it
printf 'domain 1 ram 0 16\n\n# comment\nggtt 1 0x10 0x1 extra\n' >"$tmp/l4.trace"
check malformed-line-number 2 ':4: unexpected extra$' -- "$tmp/l4.trace"
printf 'ggtt 1 0x10000000000000000 1\n' >"$tmp/ovf.trace"
check number-overflow 2 ':1: bad number for index$' -- "$tmp/ovf.trace"

# Hostile traces: seeded random operations over every keyword, with
# extreme numbers.  Each must exit 0 (or 2 when a line is malformed):
# never crash, never leak (exit 3), never hang.
cat >"$tmp/gen.py" <<'PY'
import random, sys
rnd = random.Random(int(sys.argv[1]))
nums = [0, 1, 2, 3, 4, 7, 8, 16, 511, 512, 0x1000, 0x8000, 0x40000,
        0x3fffff, 0x400000, 0xffffffff, 0x100000000, 0x7fffffffffffffff,
        0xffffffffffffffff, 0x80000001, 0x200003, 0x200083, 0x10000883]
def n():
    if rnd.random() < 0.5:
        return hex(rnd.choice(nums))
    return hex(rnd.randrange(0, 1 << rnd.choice([4, 12, 20, 24, 32, 48, 64])))
def often(p, good, bad=n):
    return good() if rnd.random() < p else bad()
def small():
    return str(rnd.randrange(0, 4))
def vid():
    return "1" if rnd.random() < 0.8 else small()
def table():                  # guest tables live in gfns 0..15
    return hex(rnd.randrange(16) << 12)
def entry():                  # a table, a 4K/2M/64K leaf, or anything
    k = rnd.random()
    if k < 0.4:
        return hex(rnd.randrange(16) << 12 | rnd.choice([3, 3, 0x803]))
    if k < 0.8:
        return hex((0x20 + rnd.randrange(0x3e0)) << 12 | rnd.choice([3, 3, 0x83, 0]))
    return n()
def ppgtt_addr():             # small indexes at every level
    return hex(rnd.randrange(4) << 39 | rnd.randrange(4) << 30 |
               rnd.randrange(4) << 21 | rnd.randrange(4) << 12)
lines = ["domain 1 ram 0 0x400", "domain 2 ram 0 0x100",
         "vgpu 1 domain 1 aperture 0x8000000 0x400000 hidden 0x40000000 0x400000"]
for _ in range(int(sys.argv[2])):
    k = rnd.randrange(16)
    if k == 0:
        kind = rnd.choice(["ram", "mmio", "grant", "foreign", "paged",
                           "shared", "xen", "free"])
        lines.append("domain %s %s %s %s" % (small(), kind,
                     often(0.6, lambda: hex(rnd.randrange(0x400))),
                     hex(rnd.randrange(0, 8))) +
                     (" at %s" % n() if kind == "ram" and rnd.random() < 0.3 else ""))
    elif k == 1 and rnd.random() < 0.5:
        v = rnd.randrange(0, 4)     # vGPU 1 at the slices of the first lines
        lines.append("vgpu %d domain %s aperture %s 0x400000 hidden %s 0x400000%s" % (
            v, rnd.choice(["1", "2"]), hex(0x8000000 + (v + 3) % 4 * 0x400000),
            hex(0x40000000 + (v + 3) % 4 * 0x400000),
            rnd.choice(["", " oos off", " quota 8", " oos-threshold 1"])))
    elif k == 1:
        lines.append("vgpu %s domain %s aperture %s %s hidden %s %s" % (
            small(), small(), n(), n(), n(), n()))
    elif k == 2:
        lines.append("ggtt %s %s %s" % (vid(),
                     often(0.8, lambda: hex(0x8000 + rnd.randrange(32))),
                     often(0.7, lambda: hex(rnd.randrange(0x400) << 12 | 1))))
    elif k == 3:
        lines.append("ggtt32 %s %s %s %s" % (vid(),
                     often(0.8, lambda: hex(0x8000 + rnd.randrange(32))),
                     rnd.choice(["lo", "hi"]),
                     hex(rnd.choice([rnd.randrange(0x400) << 12 | 1, 0,
                                     rnd.randrange(1 << 32)]))))
    elif k in (4, 5, 6):
        size = rnd.choice([8, 8, 8, 4, 2, 3])
        val = int(entry(), 16)
        if size < 8:
            val &= (1 << (8 * size)) - 1
        slot = rnd.randrange(4) if rnd.random() < 0.8 else rnd.randrange(512)
        lines.append("write %s %s %d %s" % (rnd.choice(["1", "1", "1", "2"]),
            hex(rnd.randrange(16) * 0x1000 + slot * 8 + rnd.choice([0] * 9 + [4])),
            size, hex(val)))
    elif k == 7:
        if rnd.random() < 0.6:
            lines.append("ppgtt-create %s l4 %s" % (vid(), table()))
        else:
            lines.append("ppgtt-create %s l3 %s %s %s %s" % (
                vid(), table(), table(), rnd.choice(["0", table()]), table()))
    elif k == 8:
        lines.append("ppgtt-destroy %s %s" % (vid(), table()))
    elif k == 9:
        lines.append("sync %s" % vid())
    elif k == 10:
        lines.append("translate %s ggtt %s" % (vid(),
                     often(0.8, lambda: hex(0x8000000 + (rnd.randrange(32) << 12)))))
    elif k == 11 and rnd.random() < 0.3:  # the GPU writing where it reaches
        lines.append("gpu-write %s ppgtt %s %s %s" % (vid(), table(),
                     often(0.8, ppgtt_addr), entry()))
    elif k == 11:
        lines.append("translate %s ppgtt %s %s" % (vid(), table(),
                     often(0.8, ppgtt_addr)))
    elif k == 12:
        lines.append(rnd.choice(["stats"] * 16 + ["reset"] * 3 + ["destroy"]) +
                     " " + vid())
    elif k == 13:
        lines.append("%s %s %s" % (rnd.choice(["pin", "unpin"]), vid(), table()))
    elif k == 14:
        if rnd.random() < 0.5:
            lines.append("pvinfo %s %s %s" % (vid(), n(), rnd.choice(["1", "4", "8", "16"])))
        else:
            lines.append("pvinfo-write %s %s 4 %s" % (vid(), rnd.choice(
                ["0x818", "0x838", "0x83c", "0x0", "0x804", "0x808", n()]),
                hex(rnd.choice([2, 3, 4, 5, 6, 9, rnd.randrange(16) << 12]))))
    elif rnd.random() < 0.3:
        lines.append("ggtt-read %s %s" % (vid(), n()))
    else:                     # a whole 4-level chain down to a leaf
        t = [rnd.randrange(16) for _ in range(4)]
        for lvl in range(4):
            val = (t[lvl + 1] << 12 | 3 if lvl < 3 else
                   (0x20 + rnd.randrange(0x3e0)) << 12 | rnd.choice([3, 0x83]))
            lines.append("write 1 %s 8 %s" % (hex(t[lvl] << 12 | rnd.randrange(4) * 8),
                                              hex(val)))
print("\n".join(lines))
PY
for seed in 1 2 3 4 5 6 7 8; do
    python3 "$tmp/gen.py" "$seed" 400 >"$tmp/hostile.trace"
    for tool in "$TOOL" "$SAN_TOOL"; do
        [ -x "$tool" ] || continue
        timeout 120 "$tool" "$tmp/hostile.trace" >"$tmp/out" 2>"$tmp/err"
        rc=$?
        if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; then
            bad "hostile seed $seed ($tool): exit $rc: $(tail -3 "$tmp/err")"
            cp "$tmp/hostile.trace" "$BUILD/gtt-replay-hostile-$seed.trace" 2>/dev/null
        elif ! python3 -c '
import json, sys
for line in open(sys.argv[1]):
    json.loads(line)' "$tmp/out" 2>"$tmp/perr"; then
            bad "hostile seed $seed: output is not JSON lines: $(tail -1 "$tmp/perr")"
        else
            ok
        fi
    done
done

echo "gtt-replay: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
