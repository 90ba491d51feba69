#!/usr/bin/env bash
# tests/fuzz/coverage.sh BUILD [TARGET...]
#
# Source coverage of the hypervisor code reached by each fuzz target's
# corpus: builds BUILD/fuzz/cov/fuzz_NAME with clang's source-based
# coverage (no sanitizers), replays the seeds (those run-smoke.sh generated
# into BUILD/fuzz/inputs/ and the committed ones) and the corpus the runs
# of run-smoke.sh left in BUILD/fuzz/NAME[-VARIANT]/corpus (each variant
# with its FUZZ_VARIANT), and prints llvm-cov's per-file line coverage of
# xen/common/gpu_audit and xen/arch/x86/hvm/gtt, then a line per target:
#   coverage NAME: L% of lines, R% of regions (xen/ files it reaches)
# Run `make fuzz` (or run-smoke.sh) first: the corpus is what it found.
set -uo pipefail

BUILD=${1:-build}
shift $(( $# > 0 ? 1 : 0 ))
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
OUT="$BUILD/fuzz"
COV="$OUT/cov"
FUZZ="$ROOT/tests/fuzz"
CLANG=${SAN_CC:-clang}
AUDIT="$ROOT/xen/common/gpu_audit"
GTT="$ROOT/xen/arch/x86/hvm/gtt"
SHIM="$ROOT/tests/shim"
GEN_INPUTS="$OUT/inputs"
. "$FUZZ/inputs.sh"

if [ ! -f "$OUT/gen/cmd_gen9.c" ] || [ ! -d "$GEN_INPUTS" ]; then
    echo "coverage: run tests/fuzz/run-smoke.sh $BUILD first" >&2
    exit 1
fi
mkdir -p "$COV"

srcs=()
for f in "$AUDIT"/*.c "$GTT"/*.c "$SHIM"/*.c "$OUT"/gen/cmd_gen*.c; do
    case "$f" in "$AUDIT"/cmd_gen[0-9]*.c) continue ;; esac
    srcs+=("$f")
done

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for t in "$FUZZ"/fuzz_*.c; do
        t=$(basename "$t" .c)
        targets+=("${t#fuzz_}")
    done
fi

for name in "${targets[@]}"; do
    bin="$COV/fuzz_$name"
    if ! "$CLANG" -g -O1 -fsanitize=fuzzer -fprofile-instr-generate \
            -fcoverage-mapping -I"$ROOT/xen/include" \
            -I"$ROOT/xen/arch/x86/include" -I"$AUDIT" -I"$GTT" \
            -I"$SHIM" -I"$OUT/gen" "$FUZZ/fuzz_$name.c" "${srcs[@]}" \
            -o "$bin" 2>"$COV/build-$name.log"; then
        echo "coverage $name: build failed (log: $COV/build-$name.log)"
        continue
    fi
    rm -f "$COV/$name"-*.profraw
    # Replays: one per variant (- when none).
    mapfile -t runs < <(fuzz_variants "$name")
    [ ${#runs[@]} -gt 0 ] || runs=(-)
    for v in "${runs[@]}"; do
        corpus="$OUT/$name-$v/corpus"
        [ "$v" = - ] && corpus="$OUT/$name/corpus"
        mapfile -t dirs < <(fuzz_seed_dirs "$name" "$v")
        [ -d "$corpus" ] && dirs+=("$corpus")
        [ ${#dirs[@]} -gt 0 ] || continue
        FUZZ_VARIANT=$([ "$v" = - ] || echo "$v") \
            LLVM_PROFILE_FILE="$COV/$name-$v.profraw" \
            "$bin" -runs=0 "${dirs[@]}" >"$COV/replay-$name-$v.log" 2>&1
    done
    llvm-profdata merge -sparse "$COV/$name"-*.profraw \
        -o "$COV/$name.profdata" || continue
    echo "== $name (lines, regions covered; files it reaches)"
    llvm-cov report "$bin" -instr-profile="$COV/$name.profdata" \
        "$AUDIT" "$GTT" 2>/dev/null | awk -v name="$name" '
        # Filename Regions Missed Cover Functions Missed Executed
        # Lines Missed Cover ...
        $1 ~ /\.c$/ && $9 + 0 < $8 + 0 {
            printf "  %-32s %8s %8s\n", $1, $10, $4
            lines += $8; lmiss += $9; reg += $2; rmiss += $3
        }
        END {
            if ( lines )
                printf "coverage %s: %.1f%% of %d lines, %.1f%% of %d " \
                       "regions\n", name, 100 * (lines - lmiss) / lines,
                       lines, 100 * (reg - rmiss) / reg, reg
        }'
done
