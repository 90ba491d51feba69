#!/usr/bin/env bash
# mk/xen-check.sh [--prepare-only]
#
# Compile our hypervisor sources inside a real Xen 4.17 tree, with Xen's own
# build rules and flags (which include -Werror).
#
#  1. fetch Debian's xen source package into $BUILD/xen-src (mk/fetch-src.sh,
#     cached)
#  2. prepare it once: `make defconfig` + the hypervisor prepare steps
#     (mk/xen-helper.mk); a stamp file makes reruns skip this
#  3. overlay our files into the same paths of the Xen tree:
#       xen/common/gpu_audit/          (whole dir)
#       xen/arch/x86/hvm/gtt/          (whole dir, if it has .c files)
#       xen/include/public/gpu.h       (if present)
#       xen/include/xen/gpu_audit.h    (if present: the auditor's public
#                                      header)
#       xen/arch/x86/include/asm/hvm/gtt.h (if present: the GTT engine's
#                                      public header)
#       xen/tools/gen-gpu-cmds.py      (if present)
#     Files overlaid by a previous run are removed first, so the tree is
#     pristine Xen + exactly our current files. Our dirs are not wired into
#     Xen's common/Makefile: single-object builds do not need that.
#  4. for each object in the dir's Kbuild Makefile obj-y (or every *.c if the
#     dir has no Makefile) run `make -C <xen>/xen <dir>/<name>.o`
#     Sources with no file in the tree (the command tables cmd_genN.c) are
#     made by the dir's Kbuild rules; for those, check that the rule
#     regenerates only on change (if_changed): run it again and the file
#     must stay as it is, make the generator newer and it must be remade
#  5. check gpu.h the way Xen's include/Makefile checks public headers
#     (ANSI C and C++98, -Wall -Werror)
#
# Output: one line per file (and one per generated file's Kbuild rule),
# "xen-check: OK <path>" or "xen-check: FAIL <path>" followed by the
# compiler output; then "xen-check: N files compiled, M failed" (N counts
# those lines). Exit 1 if anything failed.
#
# Env: BUILD (default <repo>/build), XEN_CHECK_SRC (tree to take our sources
# from; default the repo), XEN_VERSION, V=1 (show Xen's full command lines).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$root/build}
case "$BUILD" in /*) ;; *) BUILD=$root/$BUILD ;; esac
src=${XEN_CHECK_SRC:-$root}
XEN_VERSION=${XEN_VERSION:-4.17.5+72-g01140da4e8-1}
xtree=$BUILD/xen-src
helper=$root/mk/xen-helper.mk

prepare_only=0
case "${1:-}" in
    --prepare-only) prepare_only=1 ;;
    "") ;;
    *) echo "usage: $0 [--prepare-only]" >&2; exit 2 ;;
esac

msg() { echo "xen-check: $*"; }
die() { echo "xen-check: error: $*" >&2; exit 1; }

# Debian's python3, not whatever shim is first in PATH: Xen runs python
# once per generated header, and a pyenv shim costs ~80 ms per call.
if [ -x /usr/bin/python3 ]; then py=/usr/bin/python3; else py=$(command -v python3) ||
    die "python3 not found (mk/deps.sh xen)"; fi
for t in make gcc flex bison flock; do
    command -v "$t" >/dev/null 2>&1 || die "'$t' not found (try: mk/deps.sh xen)"
done
jobs=$(nproc 2>/dev/null || echo 2)

mkdir -p "$BUILD"
exec 8>"$BUILD/xen-check.lock"
flock 8

# 1. fetch (instant when already extracted)
"$root/mk/fetch-src.sh" xen "$XEN_VERSION" "$xtree"

xmake() {
    make -C "$xtree/xen" --no-print-directory PYTHON="$py" ${V:+V=$V} "$@"
}

# build_obj OBJ OK_TEXT FAIL_TEXT MAKE_ARGS...: make OBJ in the tree, count
# and report the outcome (the make output only on failure, or with V=1).
build_obj() {
    local o=$1 oktext=$2 failtext=$3
    shift 3
    rm -f "$xtree/xen/$o"
    if xmake "$@" >"$out" 2>&1 && [ -f "$xtree/xen/$o" ]; then
        [ -n "${V:-}" ] && cat "$out"
        msg "OK $oktext"
        ok=$((ok + 1))
    else
        cat "$out"
        msg "FAIL $failtext"
        failed=$((failed + 1))
    fi
}

# 2. prepare once
stamp=$xtree/.gpu-audit-prepared
want="xen $XEN_VERSION $(sha256sum "$helper" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    msg "preparing Xen tree (defconfig + prepare steps, ~10-25 s)"
    rm -f "$stamp"
    log=$BUILD/xen-prepare.log
    t0=$(date +%s)
    if ! { xmake defconfig &&
           xmake -j"$jobs" -f Makefile -f "$helper" gpu-audit-prepare; } >"$log" 2>&1; then
        tail -40 "$log" >&2
        die "preparing the Xen tree failed (full log: $log)"
    fi
    echo "$want" >"$stamp"
    msg "Xen tree prepared in $(( $(date +%s) - t0 )) s"
fi
[ "$prepare_only" = 1 ] && exit 0

# 3. overlay
manifest=$xtree/.gpu-audit-overlay
if [ -f "$manifest" ]; then
    while IFS= read -r p; do
        [ -n "$p" ] && rm -rf "${xtree:?}/$p"
    done <"$manifest"
fi
: >"$manifest"

has_c() { compgen -G "$1/*.c" >/dev/null; }

dirs=()
for d in xen/common/gpu_audit xen/arch/x86/hvm/gtt; do
    [ -d "$src/$d" ] || continue
    if [ "$d" = xen/common/gpu_audit ] || has_c "$src/$d"; then
        [ -e "$xtree/$d" ] && die "$d already exists in the Xen tree; refusing to overwrite Xen's files"
        cp -RLp "$src/$d" "$xtree/$d"
        echo "$d" >>"$manifest"
        dirs+=("${d#xen/}")
    fi
done
for f in xen/include/public/gpu.h xen/include/xen/gpu_audit.h \
         xen/arch/x86/include/asm/hvm/gtt.h \
         xen/tools/gen-gpu-cmds.py; do
    [ -f "$src/$f" ] || continue
    if [ -e "$xtree/$f" ]; then
        die "$f already exists in the Xen tree; refusing to overwrite Xen's files"
    fi
    cp -RLp "$src/$f" "$xtree/$f"
    echo "$f" >>"$manifest"
done
[ "${#dirs[@]}" -gt 0 ] || die "no xen/common/gpu_audit in $src"

# 4. compile
ok=0
failed=0
generated=()
out=$(mktemp)
trap 'rm -f "$out"' EXIT

for d in "${dirs[@]}"; do
    if [ ! -f "$xtree/xen/$d/Makefile" ]; then
        # Xen's Rules.mk needs a Makefile in the dir; list every .c.
        msg "note: no $d/Makefile, compiling every $d/*.c"
        {
            echo "# generated by mk/xen-check.sh (no Makefile in the project)"
            for c in "$xtree/xen/$d"/*.c; do
                [ -e "$c" ] && echo "obj-y += $(basename "${c%.c}").o"
            done
        } >"$xtree/xen/$d/Makefile"
    fi
    if ! xmake -s -f Makefile -f "$helper" gpu-audit-objs DIR="$d" >"$out" 2>&1; then
        cat "$out"
        msg "FAIL $d/Makefile (cannot evaluate obj-y)"
        failed=$((failed + 1))
        continue
    fi
    objs=$(sed -n 's/^gpu-audit-objs: //p' "$out")
    listed=" "
    for o in $objs; do
        case "$o" in
            */built_in.o) msg "note: subdirectory ${o%/built_in.o}/ in obj-y not checked"; continue ;;
            *.o) ;;
            *) continue ;;
        esac
        base=${o%.o}
        base=${base%.init}
        srcfile=$base.c
        listed="$listed$srcfile "
        # xen/Makefile's `%.o: %.c` rule needs an existing foo.c; for
        # foo.init.o and for generated sources (cmd_gen8.c, made by a rule
        # in our Makefile) go through the same sub-make via the helper.
        if [ "${o%.init.o}" = "$o" ] && [ -f "$xtree/xen/$srcfile" ]; then
            target=("$o")
        else
            target=(-f Makefile -f "$helper" gpu-audit-obj OBJ="$o")
        fi
        [ -f "$xtree/xen/$srcfile" ] || generated+=("$srcfile")
        build_obj "$o" "$srcfile" "$srcfile" "${target[@]}"
    done
    for c in "$xtree/xen/$d"/*.c; do
        [ -e "$c" ] || continue
        rel=${c#"$xtree/xen/"}
        case "$listed" in
            *" $rel "*) ;;
            *) msg "note: $rel is not in obj-y, not compiled" ;;
        esac
    done
done

# 4b. generated sources: remade by their Kbuild rule only when it must be
if [ "${#generated[@]}" -gt 0 ]; then
    # remake F: run F's Kbuild rule (in its dir's Rules.mk, as the full build
    # does); prints F's inode and mtime afterwards (the generator replaces
    # the file: a new inode when it ran)
    remake() {
        xmake -f Makefile -f "$helper" gpu-audit-obj OBJ="$1" >"$out" 2>&1 &&
            stat -c '%i %y' "$xtree/xen/$1"
    }
    declare -A first=() kept=()
    for g in "${generated[@]}"; do
        first[$g]=$(stat -c '%i %y' "$xtree/xen/$g" 2>/dev/null) || first[$g]=missing
        kept[$g]=$(remake "$g") || kept[$g]=failed
    done
    touch "$xtree/xen/tools/gen-gpu-cmds.py"
    for g in "${generated[@]}"; do
        if [ "${first[$g]}" = missing ] || [ "${kept[$g]}" = failed ]; then
            cat "$out"
            msg "FAIL $g (Kbuild rule: no file, or the rule failed)"
            failed=$((failed + 1))
        elif [ "${kept[$g]}" != "${first[$g]}" ]; then
            msg "FAIL $g (Kbuild rule: regenerated although nothing changed)"
            failed=$((failed + 1))
        elif ! remade=$(remake "$g") || [ "$remade" = "${first[$g]}" ]; then
            cat "$out"
            msg "FAIL $g (Kbuild rule: not regenerated after the generator changed)"
            failed=$((failed + 1))
        else
            msg "OK $g (Kbuild rule: kept when nothing changed, remade when the generator did)"
            ok=$((ok + 1))
        fi
    done
fi

# 5. public header, checked like Xen's include/Makefile headers*.chk
hdr=include/public/gpu.h
if [ -f "$xtree/xen/$hdr" ]; then
    if (cd "$xtree/xen" &&
        gcc -x c -ansi -Wall -Werror -include stdint.h -S -o /dev/null "$hdr" &&
        echo "#include \"$hdr\"" | gcc -x c -std=c99 -Wall -Werror \
            -include stdint.h -S -o /dev/null - &&
        { ! command -v g++ >/dev/null 2>&1 ||
          echo "#include \"$hdr\"" | g++ -x c++ -std=gnu++98 -Wall -Werror \
            -D__XEN_TOOLS__ -include stdint.h -include include/public/xen.h \
            -S -o /dev/null -; }) >"$out" 2>&1; then
        msg "OK $hdr (public header: ANSI C, C99, C++98)"
        ok=$((ok + 1))
    else
        cat "$out"
        msg "FAIL $hdr (public header: ANSI C, C99, C++98)"
        failed=$((failed + 1))
    fi
fi

# 6. interface headers: each compiles on its own, with Xen's flags, in a
#    translation unit that includes nothing else (a header that leans on
#    what its includers happened to include first breaks the first new user)
for h in xen/gpu_audit.h asm/hvm/gtt.h; do
    case "$h" in
        xen/*) hpath=include/$h ;;
        asm/*) hpath=arch/x86/include/$h ;;
    esac
    [ -f "$xtree/xen/$hpath" ] || continue
    name=hdrchk_$(echo "$h" | tr '/.' '__')
    unit=common/gpu_audit/$name
    printf '#include <%s>\n' "$h" >"$xtree/xen/$unit.c"
    build_obj "$unit.o" "$hpath (self-contained)" \
        "$hpath (does not compile on its own)" "$unit.o"
    rm -f "$xtree/xen/$unit.c" "$xtree/xen/$unit.o" "$xtree/xen/common/gpu_audit/.$name.o.d" \
          "$xtree/xen/common/gpu_audit/.$name.o.cmd"
done

msg "$((ok + failed)) files compiled, $failed failed"
[ "$failed" -eq 0 ]
