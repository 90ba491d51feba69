#!/usr/bin/env bash
# tests/crosscheck/run.sh BUILD
#
# Cross-check our generated command tables (BUILD/gpu-audit --dump-table)
# against Mesa 22.3's PRM-derived genxml (genxml_check.py) and against
# i915/GVT-g facts for the 2D commands Mesa lacks (blt_table.py), and the
# address-bearing dwords (mem=) against genxml's address fields
# (mem_check.py), and the documentation against the tables
# (docs_check.py: the generated appendix docs/command-table.md is current,
# every rule-carrying command is named in docs/audit-rules.md), and every
# genxml field of a command with operands or deny rules against its
# reviewed disposition (field_check.py, field-dispositions.txt).  Fetches
# Mesa's Debian source first (cached in BUILD/mesa-src).  Accepted
# disagreements: tests/crosscheck/exceptions.txt.
#
# Last line: "crosscheck: N passed, M failed" (all checks summed; N, M
# count command comparisons).  Exit status non-zero on any failure.
set -u
if [ $# -ne 1 ]; then
    echo "usage: $0 BUILD" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
build=$1
case "$build" in /*) ;; *) build=$PWD/$build ;; esac

summary() {
    echo "crosscheck: $1 passed, $2 failed"
    [ "$2" -eq 0 ]
    exit $?
}

if [ ! -x "$build/gpu-audit" ]; then
    echo "crosscheck: $build/gpu-audit missing (make $build/gpu-audit)"
    summary 0 1
fi
if ! genxml=$("$here/fetch-genxml.sh" "$build"); then
    echo "crosscheck: fetching Mesa's genxml failed"
    summary 0 1
fi
echo "genxml: $genxml"

passed=0
failed=0
# run NAME CMD...: show its output, add up its "...: N passed, M failed" line
run() {
    local name=$1 out rc line p f
    shift
    out=$("$@" 2>&1)
    rc=$?
    printf '%s\n' "$out" | grep -vE '^[a-z]+: [0-9]+ passed, [0-9]+ failed$'
    line=$(printf '%s\n' "$out" | grep -E '^[a-z]+: [0-9]+ passed, [0-9]+ failed$' | tail -1)
    p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
    f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed$/\1/p')
    p=${p:-0}
    f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1   # crashed, or printed no summary
    fi
    echo "$name: $p passed, $f failed"
    passed=$((passed + p))
    failed=$((failed + f))
}

run genxml python3 "$here/genxml_check.py" "$build"
run blt python3 "$here/blt_table.py" "$build"
run mem python3 "$here/mem_check.py" "$build"
run docs python3 "$here/docs_check.py" "$build"
run fields python3 "$here/field_check.py" "$build"
summary "$passed" "$failed"
