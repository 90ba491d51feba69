#!/usr/bin/env bash
# gtt-replay: every shipped trace of tests/data/gtt/ against its exact
# expected output, the malformed traces (exit 2, line number on stderr),
# standard input, usage errors, and seeded hostile traces (no crash, no
# leak).  Ends with "gtt-replay: N passed, M failed".
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
for trace in "$DATA"/*.trace; do
    name=$(basename "$trace" .trace)
    expected=$DATA/$name.expected
    if [ ! -f "$expected" ]; then
        bad "$name: no $name.expected"
        continue
    fi
    (cd "$DATA" && "$TOOL" "$name.trace") >"$tmp/out" 2>"$tmp/err"
    rc=$?
    case "$name" in
    malformed-*)
        if [ "$rc" -ne 2 ] || [ -s "$tmp/out" ]; then
            bad "$name: exit $rc (wanted 2), stdout: $(head -3 "$tmp/out")"
        elif ! diff -u "$expected" "$tmp/err" >"$tmp/diff"; then
            bad "$name: stderr differs"
            cat "$tmp/diff"
        else
            ok
        fi
        ;;
    *)
        if [ "$rc" -ne 0 ]; then
            bad "$name: exit $rc: $(cat "$tmp/err")"
        elif ! diff -u "$expected" "$tmp/out" >"$tmp/diff"; then
            bad "$name: output differs"
            head -40 "$tmp/diff"
        else
            ok
        fi
        ;;
    esac
done

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
def small():
    return str(rnd.randrange(0, 4))
def vid():
    return "1" if rnd.random() < 0.8 else small()
lines = ["domain 1 ram 0 0x400", "domain 2 ram 0 0x100",
         "vgpu 1 domain 1 aperture 0x8000000 0x400000 hidden 0x40000000 0x400000"]
for _ in range(int(sys.argv[2])):
    k = rnd.randrange(16)
    if k == 0:
        kind = rnd.choice(["ram", "mmio", "grant", "foreign", "paged",
                           "shared", "xen", "free"])
        lines.append("domain %s %s %s %s" % (small(), kind, n(),
                                             hex(rnd.randrange(0, 0x40))) +
                     (" at %s" % n() if kind == "ram" and rnd.random() < 0.3 else ""))
    elif k == 1 and rnd.random() < 0.5:
        v = rnd.randrange(0, 4)
        lines.append("vgpu %d domain %s aperture %s 0x400000 hidden %s 0x400000%s" % (
            v, rnd.choice(["1", "2"]), hex(0x8000000 + v * 0x400000),
            hex(0x40000000 + v * 0x400000),
            rnd.choice(["", " oos off", " quota 8", " oos-threshold 1"])))
    elif k == 1:
        lines.append("vgpu %s domain %s aperture %s %s hidden %s %s" % (
            small(), small(), n(), n(), n(), n()))
    elif k == 2:
        lines.append("ggtt %s %s %s" % (vid(), hex(0x8000 + rnd.randrange(0x1000)),
                                        hex(rnd.randrange(0x400) << 12 | 1)
                                        if rnd.random() < 0.7 else n()))
    elif k == 3:
        lines.append("ggtt32 %s %s %s %s" % (vid(), n(), rnd.choice(["lo", "hi"]),
                                           hex(rnd.randrange(1 << 32))))
    elif k in (4, 5, 6):
        size = rnd.choice([8, 8, 8, 4, 2, 3])
        val = rnd.randrange(0, 0x400) << 12 | rnd.choice([0, 1, 3, 0x83, 0x803])
        if size < 8:
            val &= (1 << (8 * size)) - 1
        lines.append("write %s %s %d %s" % (rnd.choice(["1", "1", "2"]),
            hex(rnd.randrange(0, 0x20) * 0x1000 + rnd.randrange(0, 512) * 8),
            size, hex(val)))
    elif k == 7:
        if rnd.random() < 0.5:
            lines.append("ppgtt-create %s l4 %s" % (vid(), hex(rnd.randrange(0, 0x20) << 12)))
        else:
            lines.append("ppgtt-create %s l3 %s %s %s %s" % ((vid(),) + tuple(
                hex(rnd.randrange(0, 0x20) << 12) for _ in range(4))))
    elif k == 8:
        lines.append("ppgtt-destroy %s %s" % (vid(), hex(rnd.randrange(0, 0x20) << 12)))
    elif k == 9:
        lines.append("sync %s" % vid())
    elif k == 10:
        lines.append("translate %s ggtt %s" % (vid(), hex(0x8000000 +
                     (rnd.randrange(0x1000) << 12)) if rnd.random() < 0.7 else n()))
    elif k == 11:
        lines.append("translate %s ppgtt %s %s" % (vid(), hex(rnd.randrange(0, 0x20) << 12),
                     hex(rnd.randrange(0x400) << 12) if rnd.random() < 0.7 else n()))
    elif k == 12:
        lines.append(rnd.choice(["stats"] * 16 + ["reset"] * 3 + ["destroy"]) +
                     " " + vid())
    elif k == 13:
        lines.append("%s %s %s" % (rnd.choice(["pin", "unpin"]), vid(),
                                   hex(rnd.randrange(0, 0x20) << 12)))
    elif k == 14:
        if rnd.random() < 0.5:
            lines.append("pvinfo %s %s %s" % (vid(), n(), rnd.choice(["1", "4", "8", "16"])))
        else:
            lines.append("pvinfo-write %s %s 4 %s" % (vid(), rnd.choice(
                ["0x818", "0x838", "0x83c", "0x0", "0x804", "0x808", n()]),
                hex(rnd.choice([2, 3, 4, 5, 6, 9, rnd.randrange(0x20) << 12]))))
    else:
        lines.append("ggtt-read %s %s" % (vid(), n()))
print("\n".join(lines))
PY
for seed in 1 2 3 4 5 6 7 8; do
    python3 "$tmp/gen.py" "$seed" 400 >"$tmp/hostile.trace"
    timeout 60 "$TOOL" "$tmp/hostile.trace" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; then
        bad "hostile seed $seed: exit $rc: $(tail -3 "$tmp/err")"
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

echo "gtt-replay: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
