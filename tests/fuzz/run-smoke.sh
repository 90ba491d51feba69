#!/usr/bin/env bash
# tests/fuzz/run-smoke.sh BUILD [SECONDS [TARGET...]]
#
# Builds every libFuzzer target tests/fuzz/fuzz_NAME.c (clang, ASan + UBSan)
# into BUILD/fuzz/ and runs each for SECONDS (default 20).
#
# Every target links the same objects: the auditor
# (xen/common/gpu_audit/*.c but the checked-in cmd_gen*.c), the GTT engine
# (xen/arch/x86/hvm/gtt/*.c), the host shim (tests/shim/*.c) and the
# command tables generated from the specs.  They are compiled once into
# BUILD/fuzz/obj/ (again only when a source or header changed), in
# parallel; the shim without coverage feedback (its loops over simulated
# frames are not what the fuzzers should steer by).
#
# A target NAME runs from its seeds (seeds/NAME/) with its dictionary
# (NAME.dict) when present.  If seeds/NAME/ holds directories, each is a
# variant of the target: it runs with FUZZ_VARIANT=<directory name>, from
# those seeds, with the dictionary NAME-<variant>.dict (else NAME.dict),
# and the variants share the target's SECONDS (at least 2 s each).  Seeds
# and dictionaries generated from the spec and from fuzz_gtt.c are written
# into BUILD/fuzz/inputs/ before every run; hand-written ones are under
# tests/fuzz/ (see inputs.sh).  Runs go $(nproc) at a time.
#
# Prints one line per run:
#   fuzz NAME[/VARIANT]: ok, N execs, X exec/s, cov C of E edges (ft F), corpus K
# and last "fuzz: N passed, M failed" (one check per run, plus one per
# target that failed to build).  A failed run leaves its log and reproducer
# in BUILD/fuzz/NAME[-VARIANT]/ (replay: BUILD/fuzz/fuzz_NAME FILE, with
# FUZZ_VARIANT set as for the run).
#
# TARGET... restricts the run to those names (parser, gtt, ...).
set -uo pipefail

BUILD=${1:-build}
SECS=${2:-20}
shift $(( $# > 2 ? 2 : $# ))
ONLY=("$@")
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
OUT="$BUILD/fuzz"
FUZZ="$ROOT/tests/fuzz"
CLANG=${SAN_CC:-clang}
JOBS=$(nproc 2>/dev/null || echo 2)
AUDIT="$ROOT/xen/common/gpu_audit"
GTT="$ROOT/xen/arch/x86/hvm/gtt"
SHIM="$ROOT/tests/shim"

GEN_INPUTS="$OUT/inputs"
. "$FUZZ/inputs.sh"

FLAGS=(-g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all
       -fno-omit-frame-pointer -I"$ROOT/xen/include" -I"$ROOT/xen/arch/x86/include"
       -I"$AUDIT" -I"$GTT"
       -I"$SHIM" -I"$OUT/gen")

passed=0
failed=0

mkdir -p "$OUT/gen" "$OUT/obj" || exit 1
if ! fuzz_inputs_generate; then
    echo "fuzz: 0 passed, 1 failed"
    exit 1
fi
for g in 8 9; do
    spec="$AUDIT/spec/gen$g.spec"
    dst="$OUT/gen/cmd_gen$g.c"
    if [ ! -f "$dst" ] || [ "$spec" -nt "$dst" ] ||
       [ "$AUDIT/spec/gen8.spec" -nt "$dst" ] ||
       [ "$ROOT/xen/tools/gen-gpu-cmds.py" -nt "$dst" ]; then
        python3 "$ROOT/xen/tools/gen-gpu-cmds.py" "$spec" "$dst" || exit 1
    fi
done

srcs=()
for f in "$AUDIT"/*.c "$GTT"/*.c "$SHIM"/*.c "$OUT"/gen/cmd_gen*.c; do
    case "$f" in "$AUDIT"/cmd_gen[0-9]*.c) continue ;; esac
    srcs+=("$f")
done

# The newest header: an object older than it is rebuilt.
newest_hdr=$(ls -t "$AUDIT"/*.h "$GTT"/*.h "$SHIM"/*.h \
             "$ROOT"/xen/include/public/*.h "$SHIM"/xen/*.h \
             "$ROOT"/xen/arch/x86/include/asm/hvm/*.h 2>/dev/null | head -1)

obj_of() {
    local rel=${1#"$ROOT"/}
    rel=${rel#"$BUILD"/}
    echo "$OUT/obj/$(echo "${rel%.c}" | tr / _).o"
}

stale=()
objs=()
for f in "${srcs[@]}"; do
    o=$(obj_of "$f")
    objs+=("$o")
    if [ ! -f "$o" ] || [ "$f" -nt "$o" ] || [ "$newest_hdr" -nt "$o" ]; then
        stale+=("$f")
    fi
done

start=$(date +%s)
if [ ${#stale[@]} -gt 0 ]; then
    echo "fuzz: compiling ${#stale[@]} sources"
    export CLANG OUT ROOT BUILD
    export FLAGS_STR="${FLAGS[*]}"
    if ! printf '%s\n' "${stale[@]}" | xargs -P "$JOBS" -I{} bash -c '
            f={}; rel=${f#"$ROOT"/}; rel=${rel#"$BUILD"/}
            o="$OUT/obj/$(echo "${rel%.c}" | tr / _).o"
            cov=-fsanitize=fuzzer-no-link
            case "$f" in "$ROOT"/tests/shim/*) cov= ;; esac
            $CLANG $FLAGS_STR $cov -c "$f" -o "$o.tmp" &&
                mv "$o.tmp" "$o"'; then
        echo "fuzz: library build failed"
        echo "fuzz: 0 passed, 1 failed"
        exit 1
    fi
fi

# Targets to run.
targets=()
for t in "$FUZZ"/fuzz_*.c; do
    [ -e "$t" ] || continue
    name=$(basename "$t" .c)
    name=${name#fuzz_}
    if [ ${#ONLY[@]} -gt 0 ] && ! printf '%s\n' "${ONLY[@]}" | grep -qx "$name"; then
        continue
    fi
    targets+=("$name")
done

built=()
for name in "${targets[@]}"; do
    bin="$OUT/fuzz_$name"
    src="$FUZZ/fuzz_$name.c"
    rebuild=0
    [ -f "$bin" ] && [ ! "$src" -nt "$bin" ] || rebuild=1
    for o in "${objs[@]}"; do
        [ "$o" -nt "$bin" ] && rebuild=1
    done
    if [ "$rebuild" -eq 1 ]; then
        if ! "$CLANG" "${FLAGS[@]}" -fsanitize=fuzzer "$src" "${objs[@]}" \
                -o "$bin.tmp" >"$OUT/build-$name.log" 2>&1 ||
           ! mv "$bin.tmp" "$bin"; then
            echo "fuzz $name: BUILD FAILED (log: $OUT/build-$name.log)"
            head -20 "$OUT/build-$name.log"
            failed=$((failed + 1))
            continue
        fi
    fi
    built+=("$name")
done
echo "fuzz: built ${#built[@]} targets in $(( $(date +%s) - start )) s"

# Runs: "name variant seconds" lines.
runs=()
for name in "${built[@]}"; do
    mapfile -t variants < <(fuzz_variants "$name")
    if [ ${#variants[@]} -eq 0 ]; then
        runs+=("$name - $SECS")
        continue
    fi
    per=$(( SECS / ${#variants[@]} ))
    [ "$per" -lt 2 ] && per=2
    for v in "${variants[@]}"; do
        runs+=("$name $v $per")
    done
done

# run_one NAME VARIANT SECONDS: writes the run's line(s) to its dir's
# result file and whether it passed to its status file.
run_one() {
    local name=$1 var=$2 secs=$3 tag dir dict log rc seeds
    local execs rate cov ft edges
    if [ "$var" = - ]; then
        tag=$name
        dir="$OUT/$name"
    else
        tag=$name/$var
        dir="$OUT/$name-$var"
    fi
    mapfile -t seeds < <(fuzz_seed_dirs "$name" "$var")
    dict=$(fuzz_dict "$name" "$var")
    mkdir -p "$dir/corpus"
    log="$dir/run.log"
    args=(-max_total_time="$secs" -print_final_stats=1 -timeout=10
          -rss_limit_mb=2048 -artifact_prefix="$dir/")
    [ -n "$dict" ] && args+=(-dict="$dict")
    FUZZ_VARIANT=$([ "$var" = - ] || echo "$var") \
        "$OUT/fuzz_$name" "${args[@]}" "$dir/corpus" "${seeds[@]}" \
        >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | awk '{print $2}')
    # Edges instrumented: everything linked (the shim excepted).
    edges=$(sed -n 's/^INFO: Loaded 1 modules *(\([0-9]*\) inline.*/\1/p' "$log" | head -1)
    if [ "$rc" -ne 0 ]; then
        {
            echo "fuzz $tag: FAILED (exit $rc, log $log)"
            grep -E 'ERROR|SUMMARY|check failed|runtime error|Test unit written' \
                "$log" | head -10
        } >"$dir/result"
        echo fail >"$dir/status"
        return
    fi
    echo "fuzz $tag: ok, ${execs:-?} execs, ${rate:-?} exec/s," \
         "cov ${cov:-?} of ${edges:-?} edges (ft ${ft:-?})," \
         "corpus $(ls "$dir/corpus" | wc -l)" \
         >"$dir/result"
    echo ok >"$dir/status"
}
export -f run_one fuzz_seed_dirs fuzz_dict
export OUT FUZZ GEN_INPUTS

echo "fuzz: ${#runs[@]} runs, $JOBS at a time"
for r in "${runs[@]}"; do
    set -- $r
    d="$OUT/$1"
    [ "$2" = - ] || d="$OUT/$1-$2"
    rm -f "$d/result" "$d/status"
done
printf '%s\n' "${runs[@]}" | xargs -P "$JOBS" -L1 bash -c 'run_one "$0" "$1" "$2"'
for r in "${runs[@]}"; do
    set -- $r
    d="$OUT/$1"
    [ "$2" = - ] || d="$OUT/$1-$2"
    if [ "$(cat "$d/status" 2>/dev/null)" = ok ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
    cat "$d/result" 2>/dev/null || echo "fuzz $1/$2: no result"
done
echo "fuzz: total $(( $(date +%s) - start )) s"
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
