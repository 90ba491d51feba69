#!/usr/bin/env bash
# Self-test of the isolation checker: each patch in tests/isolation/mutants/
# weakens the product on purpose (a whitelist entry added, a slice bound off
# by one, a reference dropped too early or never, the owner check skipped,
# the PDP glue leaving the guest's root in the copy, a jump into the middle
# of an audited command, a privileged register from a PPGTT batch, the
# engines' TLBs never invalidated before a PPGTT reference goes).  The
# runner, linked against the patched files (only those are compiled; the
# checker keeps the pristine reference tables), must catch every one with a
# violation of the expected kind within the operation budget.
#
# The generated operations do not depend on what the build does with them,
# so a mutant's episodes are the pristine build's: a mutant is caught at the
# first episode where its expected kind exceeds the pristine run's count.
# Last line: "mutants: N passed, M failed".
set -u
BUILD=${1:-build}
OPS=${MUTANT_OPS:-1000000}
SEED=${MUTANT_SEED:-1}
GEN=${MUTANT_GEN:-9}
CC=${CC:-gcc}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2

# mutant -> the violation kind that shows it
declare -A expect=(
    [a-whitelist-ring-start]=register
    [b-audit-slice-page]=ggtt-slice
    [c-ggtt-slot-end]=stale-reach
    [d1-put-before-flush]=stale-reach
    [d2-missed-deferred-put]=leak
    [e-foreign-no-owner-check]=foreign-frame
    [f-pdp-not-rewritten]=pt-frame
    [g-jump-mid-command]=unaudited
    [h-priv-reg-from-ppgtt]=register
    [i-no-engine-tlb-flush]=stale-reach
    [j-reader-eperm-as-step]=audit-budget
)

base=$BUILD/mutants
mkdir -p "$base/iso"
passed=0
failed=0

if ! make --no-print-directory BUILD="$BUILD" "$BUILD/libgpuaudit.a" \
        >"$base/build.log" 2>&1; then
    tail -20 "$base/build.log"
    echo "mutants: 0 passed, 1 failed"
    exit 1
fi

WARN="-std=gnu99 -Wall -Werror -Wstrict-prototypes -Wvla -Wredundant-decls
      -Wno-unused-but-set-variable -Wno-unused-local-typedefs
      -fno-strict-aliasing -O2"
AUDIT=xen/common/gpu_audit
GTT=xen/arch/x86/hvm/gtt

# incs TREE: include flags of a source tree. The checker's reference tables
# (BUILD/gen/ref_gen*.c) come from the library: always the pristine ones.
incs() {
    echo "-I$1/xen/include -I$1/xen/arch/x86/include -I$1/$AUDIT -I$1/$GTT \
          -Itests/shim -Itests/gpumodel \
          -I$BUILD/gen -Itests/isolation"
}

# The runner's own objects, built once against the pristine tree.
iso_objs=()
for src in tests/isolation/*.c; do
    obj=$base/iso/$(basename "$src" .c).o
    if [ ! -e "$obj" ] || [ "$src" -nt "$obj" ] ||
       [ -n "$(find tests/isolation tests/gpumodel tests/shim xen -name '*.h' \
               -newer "$obj" | head -1)" ]; then
        # shellcheck disable=SC2046
        $CC $WARN $(incs .) -c "$src" -o "$obj" || { echo "mutants: 0 passed, 1 failed"; exit 1; }
    fi
    iso_objs+=("$obj")
done

# run NAME BINARY: the survey of the budget, kept in $base/NAME.log.
run() {
    "$2" --gen "$GEN" --seed "$SEED" --ops "$OPS" --keep-going \
        --out "$base/$1" >"$base/$1.log" 2>&1
}

# build NAME PATCH: the runner against the patched files, $base/NAME/isolation.
build() {
    local name=$1 patch=$2 dir=$base/$1 f objs=() g
    rm -rf "$dir"
    mkdir -p "$dir/src" "$dir/gen"
    cp -r xen "$dir/src/"
    if ! patch -s -p1 -d "$dir/src" <"$patch" >"$dir/patch.log" 2>&1; then
        echo "patch does not apply: $(head -3 "$dir/patch.log")"
        return 1
    fi
    for f in $(sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$patch"); do
        case $f in
        *.spec)
            for g in 8 9; do
                python3 "$dir/src/xen/tools/gen-gpu-cmds.py" \
                    "$dir/src/$AUDIT/spec/gen$g.spec" "$dir/gen/cmd_gen$g.c" ||
                    return 1
                # shellcheck disable=SC2046
                $CC $WARN $(incs "$dir/src") -c "$dir/gen/cmd_gen$g.c" \
                    -o "$dir/cmd_gen$g.o" || return 1
                objs+=("$dir/cmd_gen$g.o")
            done
            ;;
        *.c)
            # shellcheck disable=SC2046
            $CC $WARN $(incs "$dir/src") -c "$dir/src/$f" \
                -o "$dir/$(basename "$f" .c).o" || return 1
            objs+=("$dir/$(basename "$f" .c).o")
            ;;
        *)
            echo "cannot build a mutant of $f"
            return 1
            ;;
        esac
    done
    # The patched objects first: the library supplies only the rest.
    $CC "${iso_objs[@]}" "${objs[@]}" "$BUILD/libgpuaudit.a" -o "$dir/isolation"
}

# The pristine runner, the yardstick (the same operations).
$CC "${iso_objs[@]}" "$BUILD/libgpuaudit.a" -o "$base/pristine" || exit 1
run pristine "$base/pristine" &
pids=()
names=()
for patch in tests/isolation/mutants/*.patch; do
    name=$(basename "$patch" .patch)
    names+=("$name")
    if build "$name" "$patch" >"$base/$name.build.log" 2>&1; then
        run "$name" "$base/$name/isolation" &
        pids+=($!)
    else
        echo "build failed" >"$base/$name.log"
    fi
    # two at a time: this is a 2-core machine
    while [ "$(jobs -rp | wc -l)" -ge 2 ]; do
        wait -n
    done
done
wait

for name in "${names[@]}"; do
    kind=${expect[$name]:-}
    # The first episode whose count of $kind exceeds the pristine build's.
    caught=$(awk -v kind="$kind" '
        function count(line,   m) {
            if ( match(line, " " kind "=[0-9]+") )
                return substr(line, RSTART + length(kind) + 2,
                              RLENGTH - length(kind) - 2) + 0
            return 0
        }
        FNR == NR { if ( $1 == "episode" ) base[$2] = count($0); next }
        $1 == "episode" && $3 == "ops" && count($0) > base[$2] + 0 {
            print; exit
        }' "$base/pristine.log" "$base/$name.log")
    if [ -n "$caught" ]; then
        ops=$(echo "$caught" | sed -n 's/^episode [0-9]* ops \([0-9]*\):.*/\1/p')
        printf '%-24s caught: %s after %s operations\n' "$name" "$kind" "$ops"
        echo "    $(echo "$caught" | grep -oE "\| $kind: [^|]*" | head -1 | cut -c3-160)"
        passed=$((passed + 1))
    else
        printf '%-24s NOT CAUGHT (expected %s within %s operations)\n' \
            "$name" "${kind:-?}" "$OPS"
        tail -n 5 "$base/$name.build.log" "$base/$name.log"
        failed=$((failed + 1))
    fi
done

echo "pristine build, same operations: $(grep '^violations by kind' "$base/pristine.log")"
echo "mutants: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
