#!/usr/bin/env bash
# tests/bench/profile.sh BUILD [WORKLOAD...]
#
# Where the audit's instructions go, per command class, for both builds
# (BUILD/bench-audit: host flags; BUILD/bench-audit-xen: Xen's code
# generation, mk/bench.mk).  Instruction counts (valgrind --tool=callgrind
# --dump-instr=yes, collecting only inside the auditor's API calls) do not
# depend on the machine's load: the table is reproducible.
#
# Each instruction is charged by the source line it comes from (inlined code
# keeps its own lines), through the C function around that line, to a class
# (tests/bench/profile-classes.py); a call out of the auditor (libc, the
# shim's allocator, the bench's guest reader) is charged whole to the class
# of the line that calls it.  Writes BUILD/bench-profile/profile.json and
# prints one table: Ir per command of each class.
#
# Default workloads: corpus, synth-64K, blit-64K, tiny and the worst cases.
set -euo pipefail

BUILD=${1:-build}
shift || true
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
CORPUS="$ROOT/tests/data/corpus"
OUT="$BUILD/bench-profile"
WORKLOADS=("$@")
[ ${#WORKLOADS[@]} -gt 0 ] || WORKLOADS=(corpus synth-64K blit-64K tiny worst-lri
                                         worst-straddle worst-jump worst-store)

command -v valgrind >/dev/null 2>&1 || { echo "profile: valgrind not installed (mk/deps.sh bench)" >&2; exit 1; }
mkdir -p "$OUT"
runs=()
for build in host xen; do
    bin="$BUILD/bench-audit"
    [ "$build" = xen ] && bin="$BUILD/bench-audit-xen"
    [ -x "$bin" ] || { echo "profile: $bin not built (make $bin)" >&2; exit 1; }
    for wl in "${WORKLOADS[@]}"; do
        out="$OUT/$build-$wl.cg"
        line=$(valgrind --tool=callgrind --dump-instr=yes --compress-strings=no \
                   --compress-pos=no --callgrind-out-file="$out" \
                   --toggle-collect=gpu_audit_sub_create \
                   --toggle-collect=gpu_audit_sub_start_batch \
                   --toggle-collect=gpu_audit_run \
                   --toggle-collect=gpu_audit_get_verdict \
                   --toggle-collect=gpu_audit_sub_destroy \
                   "$bin" --corpus "$CORPUS" --workload "$wl" --callgrind 1 \
                   2>/dev/null | grep '^callgrind ')
        runs+=("$build" "$wl" "$(awk '{print $4}' <<<"$line")"
               "$(awk '{print $8}' <<<"$line")" "$out")
    done
done
python3 "$ROOT/tests/bench/profile-classes.py" "$ROOT" "$OUT/profile.json" "${runs[@]}"
