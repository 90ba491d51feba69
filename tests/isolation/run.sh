#!/usr/bin/env bash
# The isolation check of `make test`: ISOLATION_OPS (5 * 10^6) generated
# operations for each generation (10^7 in all; Gen8's with physmap changes,
# --balloon), the two run side by side,
# then a shorter run of the ASan+UBSan build, then the reproducers of past
# findings (tests/isolation/findings/) replayed.  Each must end with 0
# violations; a violation prints its minimized reproducer
# (BUILD/isolation/NAME/repro-SEED.txt).
# Last line: "isolation: N passed, M failed".
set -u
BUILD=${1:-build}
OPS=${ISOLATION_OPS:-5000000}
ASAN_OPS=${ISOLATION_ASAN_OPS:-300000}
SEED=${ISOLATION_SEED:-1}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2

out=$BUILD/isolation
mkdir -p "$out"
passed=0
failed=0

if ! make --no-print-directory BUILD="$BUILD" "$out/isolation" \
        "$BUILD/asan/isolation" >"$out/build.log" 2>&1; then
    tail -20 "$out/build.log"
    echo "isolation: 0 passed, 1 failed"
    exit 1
fi

# check NAME BINARY ARGS...: one run, its output kept in $out/NAME.log.
check() {
    local name=$1 rc
    shift
    "$@" --out "$out/$name" >"$out/$name.log" 2>&1
    rc=$?
    echo "$rc" >"$out/$name.rc"
}

report() {
    local name=$1 rc
    rc=$(cat "$out/$name.rc" 2>/dev/null || echo 2)
    echo "== $name"
    if [ "$rc" -eq 0 ]; then
        grep -E '^(submissions|well-formed|executed|time|isolation:)' "$out/$name.log"
        passed=$((passed + 1))
    else
        cat "$out/$name.log"
        failed=$((failed + 1))
    fi
}

check gen9 "$out/isolation" --gen 9 --seed "$SEED" --ops "$OPS" &
check gen8 "$out/isolation" --gen 8 --seed "$SEED" --ops "$OPS" --balloon &
wait
report gen9
report gen8
check asan-gen9 "$BUILD/asan/isolation" --gen 9 --seed "$SEED" --ops "$ASAN_OPS"
report asan-gen9

# Past findings, fixed: each reproducer must now run clean.
for f in tests/isolation/findings/*.txt; do
    [ -e "$f" ] || continue
    name=finding-$(basename "$f" .txt)
    if "$out/isolation" --replay "$f" >"$out/$name.log" 2>&1; then
        echo "== $name: $(tail -1 "$out/$name.log")"
        passed=$((passed + 1))
    else
        echo "== $name: violations again"
        cat "$out/$name.log"
        failed=$((failed + 1))
    fi
done

# The access record: a replay with --trace lists the frames and registers
# the GPU touched (the ballooning reproducer reads a PPGTT page after a
# four-level walk and loads a register).
f=tests/isolation/findings/balloon-out-still-mapped.txt
if "$out/isolation" --replay "$f" --trace "$out/trace.txt" >/dev/null 2>&1 &&
   [ "$(grep -c '^pt 0x' "$out/trace.txt")" -eq 4 ] &&
   grep -q '^mem read ppgtt 0xa9f0 mfn 0x[0-9a-f]* owner 2 ' "$out/trace.txt" &&
   grep -q '^reg write 0x1a668 ' "$out/trace.txt"; then
    echo "== trace: $(wc -l <"$out/trace.txt") accesses recorded"
    passed=$((passed + 1))
else
    echo "== trace: the replay's access record is not as expected:"
    cat "$out/trace.txt"
    failed=$((failed + 1))
fi

# The generated runs together: the line `make test` shows.
ops=0
viol=0
for name in gen9 gen8 asan-gen9; do
    line=$(grep -E '^isolation: [0-9]+ operations, [0-9]+ violations' \
               "$out/$name.log" | tail -1)
    n=$(echo "$line" | sed -n 's/^isolation: \([0-9]*\) operations.*/\1/p')
    v=$(echo "$line" | sed -n 's/.* \([0-9]*\) violations.*/\1/p')
    ops=$((ops + ${n:-0}))
    viol=$((viol + ${v:-1}))
done
echo "isolation: $ops operations, $viol violations"
[ "$viol" -eq 0 ] || failed=$((failed + 1))

echo "isolation: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
