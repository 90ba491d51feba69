#!/usr/bin/env bash
# tests/fuzz/run-smoke.sh BUILD [SECONDS]
#
# Builds the libFuzzer target tests/fuzz/fuzz_parser.c (clang, ASan + UBSan)
# into BUILD/fuzz/, runs it for SECONDS (default 20) from the seeds in
# tests/fuzz/seeds/parser with tests/fuzz/parser.dict, and prints
#   fuzz: N execs, X exec/s, cov C
# Exits non-zero if the target crashes or a check fails (the reproducer is
# left in BUILD/fuzz/crash-*; replay: BUILD/fuzz/fuzz_parser FILE).
set -euo pipefail

BUILD=${1:-build}
SECS=${2:-20}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
OUT="$BUILD/fuzz"
CLANG=${SAN_CC:-clang}
AUDIT="$ROOT/xen/common/gpu_audit"

mkdir -p "$OUT/gen" "$OUT/corpus"
for g in 8 9; do
    python3 "$ROOT/xen/tools/gen-gpu-cmds.py" "$AUDIT/spec/gen$g.spec" \
        "$OUT/gen/cmd_gen$g.c"
done

srcs=()
for f in "$AUDIT"/*.c; do
    case "$f" in */cmd_gen[0-9]*.c) continue ;; esac
    srcs+=("$f")
done

echo "fuzz: building $OUT/fuzz_parser"
"$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -I"$ROOT/xen/include" -I"$AUDIT" -I"$ROOT/tests/shim" \
    "$ROOT/tests/fuzz/fuzz_parser.c" "${srcs[@]}" \
    "$OUT/gen/cmd_gen8.c" "$OUT/gen/cmd_gen9.c" "$ROOT/tests/shim/xen-host.c" \
    -o "$OUT/fuzz_parser"

echo "fuzz: running for ${SECS} s"
log="$OUT/smoke.log"
set +e
"$OUT/fuzz_parser" -max_total_time="$SECS" -print_final_stats=1 -timeout=10 \
    -dict="$ROOT/tests/fuzz/parser.dict" -artifact_prefix="$OUT/" \
    "$OUT/corpus" "$ROOT/tests/fuzz/seeds/parser" >"$log" 2>&1
rc=$?
set -e

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | awk '{print $2}')

if [ "$rc" -ne 0 ]; then
    echo "fuzz: FAILED (exit $rc); last lines of $log:"
    grep -E 'ERROR|SUMMARY|check failed|ASSERT|runtime error|Test unit written' "$log" | head -20
    tail -n 30 "$log"
    exit 1
fi
echo "fuzz: ${execs:-?} execs, ${rate:-?} exec/s, cov ${cov:-?} (ft ${ft:-?}), corpus $(ls "$OUT/corpus" | wc -l) inputs"
