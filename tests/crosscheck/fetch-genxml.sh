#!/usr/bin/env bash
# tests/crosscheck/fetch-genxml.sh BUILD
#
# Fetch Mesa's Debian source package (the PRM-derived genxml command
# descriptions live in src/intel/genxml/) into BUILD/mesa-src through
# mk/fetch-src.sh (project-local apt config, sha256-verified, cached: a
# second run with the same version returns at once), then print the genxml
# directory on stdout.  Progress goes to stderr.
set -eu

MESA_VERSION=22.3.6-1+deb12u2

if [ $# -ne 1 ]; then
    echo "usage: $0 BUILD" >&2
    exit 2
fi
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$1
case "$build" in /*) ;; *) build=$PWD/$build ;; esac
mkdir -p "$build"
build=$(cd "$build" && pwd)

BUILD=$build "$top/mk/fetch-src.sh" mesa "$MESA_VERSION" "$build/mesa-src" >&2

genxml=$build/mesa-src/src/intel/genxml
for g in gen8 gen9; do
    [ -f "$genxml/$g.xml" ] || { echo "fetch-genxml: $genxml/$g.xml missing" >&2; exit 1; }
done
echo "$genxml"
