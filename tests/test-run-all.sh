#!/usr/bin/env bash
# tests/test-run-all.sh: tests/run-all.sh counts what it could not run as
# failures.  Runs the real run-all.sh in a scratch tree whose suites are
# stubs (each prints "name: 1 passed, 0 failed") and whose unit-test
# programs are stubs printing cmocka's summary, then removes one piece at
# a time: a unit-test program, a suite script, a script's execute bit.
# Last line: "run-all: N passed, M failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }

# The suite scripts run-all.sh calls: "run_script NAME SCRIPT ...".
scripts=$(sed -n 's/^\(BUILD=[^ ]* \)\{0,1\}run_script [a-z-]* \([^ ]*\).*/\2/p' \
          "$top/tests/run-all.sh")
nr=$(echo "$scripts" | grep -c .)
[ "$nr" -ge 8 ] && ok || bad "found $nr suite scripts in run-all.sh"

tree=$tmp/tree
mkdir -p "$tree/tests/unit" "$tree/build/tests" "$tree/build/asan"
cp "$top/tests/run-all.sh" "$tree/tests/"
for s in $scripts; do
    mkdir -p "$tree/$(dirname "$s")"
    printf '#!/bin/sh\necho "stub: 1 passed, 0 failed"\n' >"$tree/$s"
    chmod +x "$tree/$s"
done
for t in test_one test_two; do
    : >"$tree/tests/unit/$t.c"
    for d in tests asan; do
        printf '#!/bin/sh\necho "[  PASSED  ] 3 test(s)."\n' >"$tree/build/$d/$t"
        chmod +x "$tree/build/$d/$t"
    done
done

# run_all WANT_RC PATTERN: run it, check the exit code and a line.
run_all() {
    local out rc
    out=$(cd "$tree" && tests/run-all.sh build 2>&1)
    rc=$?
    if [ "$1" = 0 ] && [ "$rc" -ne 0 ]; then
        bad "run-all failed on a complete tree: $(echo "$out" | tail -3)"
    elif [ "$1" != 0 ] && [ "$rc" -eq 0 ]; then
        bad "run-all passed although $2 should fail it"
    elif ! echo "$out" | grep -qE -- "$2"; then
        bad "no line matching '$2' in: $(echo "$out" | tail -5)"
    else
        ok
    fi
}

want_sum="^$((12 + nr)) passed, 0 failed$"
run_all 0 "$want_sum"

rm "$tree/build/asan/test_two"
run_all 1 '^--- asan/test_two failed: build/asan/test_two not built \(from tests/unit/test_two.c\)$'
run_all 1 "^$((9 + nr)) passed, 1 failed$"
cp "$tree/build/tests/test_two" "$tree/build/asan/test_two"

first=$(echo "$scripts" | head -1)
chmod -x "$tree/$first"
run_all 1 "^--- [a-z-]+ failed: $first not executable$"
chmod +x "$tree/$first"

last=$(echo "$scripts" | tail -1)
mv "$tree/$last" "$tmp/saved"
run_all 1 "^--- [a-z-]+ failed: $last missing$"
mv "$tmp/saved" "$tree/$last"

run_all 0 "$want_sum"

echo "run-all: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
