#!/usr/bin/env bash
# tests/bench.sh BUILD [SECONDS]
#
# Audit throughput against memcpy (BUILD/bench-audit, see
# tests/bench/bench-audit.c), then, when valgrind is installed, the
# instructions the audit executes per command (callgrind, a reduced run,
# collecting only inside gpu_audit_run()).  Writes BUILD/bench.json.
#
# SECONDS (default 1.5, or $BENCH_TIME): audit time per measurement; each
# figure is the median of $BENCH_RUNS (default 5) measurements.
# $BENCH_CALLGRIND_REPS (default 1): passes over each workload under
# callgrind.
set -euo pipefail

BUILD=${1:-build}
SECONDS_PER=${2:-${BENCH_TIME:-1.5}}
RUNS=${BENCH_RUNS:-5}
CG_REPS=${BENCH_CALLGRIND_REPS:-1}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
BIN="$BUILD/bench-audit"
CORPUS="$ROOT/tests/data/corpus"

if [ ! -x "$BIN" ]; then
    echo "bench: $BIN not built (make $BUILD/bench-audit)" >&2
    exit 1
fi

echo "== throughput (${RUNS} x ~${SECONDS_PER} s per workload; this takes a minute or two)"
"$BIN" --corpus "$CORPUS" --time "$SECONDS_PER" --runs "$RUNS" \
    --json "$BUILD/bench-timing.json"
status=$?

CG_JSON="$BUILD/bench-callgrind.json"
echo '[]' >"$CG_JSON"
if command -v valgrind >/dev/null 2>&1; then
    echo
    echo "== instructions per command (valgrind --tool=callgrind, ${CG_REPS} pass(es), inside gpu_audit_run only)"
    mkdir -p "$BUILD/callgrind"
    workloads=$("$BIN" --corpus "$CORPUS" --callgrind 1 2>/dev/null | awk '{print $2}')
    printf '%-12s %14s %10s %10s %9s %9s\n' workload "Ir total" commands "Ir/cmd" \
        "read Ir%" "scan Ir/cmd"
    rows=()
    for wl in $workloads; do
        out="$BUILD/callgrind/$wl.out"
        line=$(valgrind --tool=callgrind --toggle-collect=gpu_audit_run \
                   --callgrind-out-file="$out" \
                   "$BIN" --corpus "$CORPUS" --workload "$wl" --callgrind "$CG_REPS" \
                   2>/dev/null | grep '^callgrind ')
        cmds=$(awk '{print $4}' <<<"$line")
        bytes=$(awk '{print $6}' <<<"$line")
        total=$(sed -n 's/^\(summary\|totals\): *\([0-9]*\).*/\2/p' "$out" | head -1)
        # Inclusive cost of the guest-memory read callback (the copy's memcpy).
        readir=$(callgrind_annotate --inclusive=yes --threshold=100 "$out" 2>/dev/null |
                 awk '!found && /:bench_read( |$)/ { gsub(",", "", $1); print $1; found = 1 }')
        readir=${readir:-0}
        python3 - "$wl" "$total" "$cmds" "$bytes" "$readir" "$CG_JSON" <<'PY'
import json, sys
wl, total, cmds, nbytes, readir, path = sys.argv[1:]
total, cmds, nbytes, readir = int(total), int(cmds), int(nbytes), int(readir)
rows = json.load(open(path))
rows.append({"name": wl, "ir_total": total, "commands": cmds, "bytes": nbytes,
             "ir_per_command": total / cmds, "ir_per_byte": total / nbytes,
             "ir_read_callback": readir,
             "scan_ir_per_command": (total - readir) / cmds})
json.dump(rows, open(path, "w"))
print("%-12s %14d %10d %10.1f %8.1f%% %9.1f" % (wl, total, cmds, total / cmds,
      100.0 * readir / total, (total - readir) / cmds))
PY
    done
    echo "Ir = instructions executed inside gpu_audit_run() (copy + scan);" \
         "read = the guest-memory read callback (memcpy into the copy)"
else
    echo
    echo "bench: valgrind not installed: no instruction counts (mk/deps.sh bench)"
fi

python3 - "$BUILD/bench-timing.json" "$CG_JSON" "$BUILD/bench.json" <<'PY'
import json, platform, sys
timing = json.load(open(sys.argv[1]))
cg = {r["name"]: r for r in json.load(open(sys.argv[2]))}
for w in timing["workloads"]:
    if w["name"] in cg:
        w["callgrind"] = cg[w["name"]]
timing["host"] = {"machine": platform.machine(), "processor": platform.processor()}
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            timing["host"]["cpu"] = line.split(":", 1)[1].strip()
            break
except OSError:
    pass
timing["target_ratio"] = 0.5
timing["meets_target"] = all(w["ratio_audit_memcpy"] >= 0.5
                             for w in timing["workloads"])
json.dump(timing, open(sys.argv[3], "w"), indent=1)
print()
for w in timing["workloads"]:
    if "ratio_floor_memcpy" in w:
        print("bench: %-12s audit/memcpy %.3f; a serial decoder's floor (one load"
              " + one add per command) reaches %.3f" %
              (w["name"], w["ratio_audit_memcpy"], w["ratio_floor_memcpy"]))
print("bench: summary in %s (ratio target >= 0.5: %s)" %
      (sys.argv[3], "met" if timing["meets_target"] else "NOT met"))
PY
exit $status
