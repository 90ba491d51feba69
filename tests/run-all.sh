#!/usr/bin/env bash
# Runs every test suite of `make test` and sums them into one closing line:
#   N passed, M failed
# Suites: cmocka unit tests (normal and ASan+UBSan builds), the gpu-audit
# CLI contract, the demo samples, the fuzz smoke run, and xen-check (our
# hypervisor sources compiled inside Debian's Xen 4.17 tree).
set -u
BUILD=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2

passed=0
failed=0
log=$BUILD/test-logs
mkdir -p "$log"

# add SUITE PASSED FAILED
add() {
    printf '%-28s %5d passed, %d failed\n' "$1" "$2" "$3"
    passed=$((passed + $2))
    failed=$((failed + $3))
}

run_cmocka() {
    local bin=$1 name out p f rc
    name=$(basename "$(dirname "$bin")")/$(basename "$bin")
    out=$log/$(echo "$name" | tr / _).log
    "$bin" >"$out" 2>&1
    rc=$?
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
    p=${p:-0}
    f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1   # crashed, or a sanitizer stopped it
    fi
    if [ "$f" -ne 0 ]; then
        echo "--- $name failed (log: $out):"
        grep -E '^\[  (FAILED|ERROR) |ERROR|error|Assert|Sanitizer|runtime error' "$out" | head -20
    fi
    add "$name" "$p" "$f"
}

for bin in "$BUILD"/tests/test_* "$BUILD"/asan/test_*; do
    [ -x "$bin" ] && run_cmocka "$bin"
done

# Script suites print their own "name: N passed, M failed" last line.
run_script() {
    local name=$1 out line p f
    shift
    out=$log/$name.log
    "$@" >"$out" 2>&1
    local rc=$?
    line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
    if [ -n "$line" ]; then
        p=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
        f=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
    elif grep -qE '[0-9]+ files compiled, [0-9]+ failed' "$out"; then
        # xen-check: "N files compiled, M failed"
        line=$(grep -E '[0-9]+ files compiled, [0-9]+ failed' "$out" | tail -1)
        n=$(echo "$line" | grep -oE '[0-9]+ files' | grep -oE '[0-9]+')
        f=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
        p=$(( ${n:-0} - ${f:-0} ))
    else
        # A suite that is one check (the fuzz smoke run): its exit code.
        p=$(( rc == 0 ? 1 : 0 ))
        f=$(( rc == 0 ? 0 : 1 ))
        tail -1 "$out"
    fi
    p=${p:-0}
    f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
    fi
    if [ "$f" -ne 0 ]; then
        echo "--- $name failed (log: $out):"
        tail -20 "$out"
    fi
    add "$name" "$p" "$f"
}

run_script cli tests/cli/test-cli.sh "$BUILD"
run_script gtt-replay tests/cli/test-gtt-replay.sh "$BUILD"
[ -x tests/demo.sh ] && run_script demo tests/demo.sh "$BUILD"
run_script crosscheck tests/crosscheck/run.sh "$BUILD"
if [ -x tests/isolation/run.sh ]; then
    run_script isolation tests/isolation/run.sh "$BUILD"
    grep -E '^isolation: [0-9]+ operations, [0-9]+ violations' \
        "$log/isolation.log" | tail -1
fi
[ -x tests/isolation/mutants.sh ] && run_script mutants tests/isolation/mutants.sh "$BUILD"
[ -x tests/fuzz/run-smoke.sh ] && run_script fuzz tests/fuzz/run-smoke.sh "$BUILD" "${FUZZ_SECONDS:-20}"
run_script xen-check env BUILD="$top/$BUILD" mk/xen-check.sh

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
