#!/usr/bin/env bash
# tests/demo.sh BUILD
#
# Runs the gpu-audit CLI over every sample listed in
# tests/data/samples/samples.txt and shows what the auditor decides and why.
# Each verdict (exit code and the reason from --json) is checked against
# the expectation written in samples.txt; any mismatch fails the demo.
set -u

BUILD=${1:-build}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
CLI="$BUILD/gpu-audit"
SAMPLES="$ROOT/tests/data/samples"
LIST="$SAMPLES/samples.txt"

if [ ! -x "$CLI" ]; then
    echo "demo: $CLI not built (run make)" >&2
    exit 1
fi

trim() { local s="$1"; s="${s#"${s%%[![:space:]]*}"}"; echo "${s%"${s##*[![:space:]]}"}"; }

cd "$SAMPLES" || exit 1
n=0
bad=0
while IFS='|' read -r file args verdict reason show text; do
    file=$(trim "$file")
    case "$file" in ''|'#'*) continue ;; esac
    args=$(trim "$args"); verdict=$(trim "$verdict"); reason=$(trim "$reason")
    show=$(trim "$show"); text=$(trim "$text")
    n=$((n + 1))

    printf '\n[%02d] %s\n' "$n" "$text"
    # shellcheck disable=SC2086  # args is a word list by design
    printf '     $ gpu-audit %s %s%s\n' "$file" "$args" \
        "$([ "$show" = disasm ] && echo ' --disasm')"

    extra=()
    [ "$show" = disasm ] && extra=(--disasm)
    # shellcheck disable=SC2086
    out=$("$CLI" "$file" $args "${extra[@]}" 2>&1)
    rc=$?
    sed 's/^/     | /' <<<"$out"

    # shellcheck disable=SC2086
    json=$("$CLI" "$file" $args --json 2>/dev/null)
    got_reason=$(sed -n 's/.*"reason":"\([^"]*\)".*/\1/p' <<<"$json")
    got_verdict=$(sed -n 's/.*"verdict":"\([^"]*\)".*/\1/p' <<<"$json")

    want_rc=1
    [ "$verdict" = accept ] && want_rc=0
    if [ "$rc" -eq "$want_rc" ] && [ "$got_verdict" = "$verdict" ] &&
       [ "$got_reason" = "$reason" ]; then
        printf '     expected %s (%s): OK\n' "$verdict" "$reason"
    else
        printf '     expected %s (%s), got %s (%s), exit %d: MISMATCH\n' \
            "$verdict" "$reason" "${got_verdict:-?}" "${got_reason:-?}" "$rc"
        bad=$((bad + 1))
    fi
done <"$LIST"

echo
if [ "$n" -eq 0 ]; then
    echo "demo: no samples found in $LIST" >&2
    exit 1
fi
if [ "$bad" -ne 0 ]; then
    echo "demo: $n samples, $bad verdict(s) NOT as expected"
    echo "demo: $((n - bad)) passed, $bad failed"
    exit 1
fi
echo "demo: $n samples, all verdicts as expected"
echo "demo: $n passed, 0 failed"
