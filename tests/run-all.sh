#!/usr/bin/env bash
# Runs every test suite of `make test` and sums them into one closing line:
#   N passed, M failed
# Suites: cmocka unit tests (normal and ASan+UBSan builds), the gpu-audit
# and gtt-replay CLI contracts, this script's own check, the demo samples,
# the crosscheck against Mesa, the isolation checker and its mutants, the
# fuzz smoke run, and xen-check (our hypervisor sources compiled inside
# Debian's Xen 4.17 tree).  A suite whose script is missing or not
# executable, or a unit-test program that was not built, counts as failed.
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

# Every tests/unit/test_*.c gives one program in each build: one that was
# not built is a failure, not a silent skip.
for src in tests/unit/test_*.c; do
    [ -e "$src" ] || continue
    t=$(basename "$src" .c)
    for dir in tests asan; do
        bin=$BUILD/$dir/$t
        if [ -x "$bin" ] && [ -f "$bin" ]; then
            run_cmocka "$bin"
        else
            echo "--- $dir/$t failed: $bin not built (from $src)"
            add "$dir/$t" 0 1
        fi
    done
done

# Script suites print their own "name: N passed, M failed" last line.
# run_script NAME SCRIPT ARGS...: a script that is missing or not
# executable is a failed suite.
run_script() {
    local name=$1 out line p f
    shift
    out=$log/$name.log
    if [ ! -f "$1" ]; then
        echo "--- $name failed: $1 missing"
        add "$name" 0 1
        return
    fi
    if [ ! -x "$1" ]; then
        echo "--- $name failed: $1 not executable"
        add "$name" 0 1
        return
    fi
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
run_script run-all tests/test-run-all.sh
run_script demo tests/demo.sh "$BUILD"
run_script crosscheck tests/crosscheck/run.sh "$BUILD"
run_script isolation tests/isolation/run.sh "$BUILD"
grep -sE '^isolation: [0-9]+ operations, [0-9]+ violations' \
    "$log/isolation.log" | tail -1
run_script mutants tests/isolation/mutants.sh "$BUILD"
run_script fuzz tests/fuzz/run-smoke.sh "$BUILD" "${FUZZ_SECONDS:-20}"
# xen-check takes BUILD from its environment.
BUILD=$BUILD run_script xen-check mk/xen-check.sh

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
