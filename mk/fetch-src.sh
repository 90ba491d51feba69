#!/usr/bin/env bash
# mk/fetch-src.sh PACKAGE VERSION OUTDIR
#
# Fetch a Debian source package from the Debian archive (deb.debian.org)
# with a project-local apt configuration (system apt is not touched), and
# extract it into OUTDIR.
#
#   - apt config/state lives in $BUILD/apt/ (created here)
#   - downloaded files are cached in $BUILD/src-cache/
#   - every file listed in the .dsc is checked against its Checksums-Sha256
#     by this script (on download and on every cache hit)
#   - extraction goes to a temp dir next to OUTDIR, then mv (atomic)
#   - OUTDIR/.fetch-src-stamp records PACKAGE VERSION; a rerun with the
#     same stamp exits immediately
#
# Trust chain / signature choice: we extract with `dpkg-source --no-check`.
# The .dsc itself is authenticated by apt: its SHA256 comes from the Sources
# index, which is covered by the archive's InRelease signed with the key in
# debian-archive-keyring (signed-by= below). `--require-valid-signature`
# would instead check the uploader's signature on the .dsc, which needs the
# debian-keyring package (maintainer keys, ~60 MB) that is not installed;
# it adds nothing over the archive signature for our purpose. The orig/debian
# tarballs are then tied to the .dsc by our own sha256 check.
#
# Env: BUILD (default: <repo>/build)
set -eu

if [ $# -ne 3 ]; then
    echo "usage: $0 PACKAGE VERSION OUTDIR" >&2
    exit 2
fi
pkg=$1
ver=$2
outdir=$3

root=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$root/build}
case "$BUILD" in /*) ;; *) BUILD=$root/$BUILD ;; esac
case "$outdir" in /*) ;; *) outdir=$PWD/$outdir ;; esac

stampline="$pkg $ver"
if [ -f "$outdir/.fetch-src-stamp" ] &&
   [ "$(cat "$outdir/.fetch-src-stamp")" = "$stampline" ]; then
    exit 0
fi

msg() { echo "fetch-src: $*" >&2; }
die() { msg "error: $*"; exit 1; }

for t in apt-get dpkg-source sha256sum flock; do
    command -v "$t" >/dev/null 2>&1 ||
        die "'$t' not found (try: mk/deps.sh xen)"
done

aptdir=$BUILD/apt
cache=$BUILD/src-cache
mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial" "$cache"

# Serialise concurrent runs (shared apt state and cache).
exec 9>"$aptdir/fetch.lock"
flock 9

keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || die "$keyring missing (apt-get install debian-archive-keyring)"
cat >"$aptdir/sources.list.tmp" <<EOF
deb-src [signed-by=$keyring] http://deb.debian.org/debian bookworm main
deb-src [signed-by=$keyring] http://deb.debian.org/debian bookworm-updates main
deb-src [signed-by=$keyring] http://deb.debian.org/debian-security bookworm-security main
EOF
if cmp -s "$aptdir/sources.list.tmp" "$aptdir/sources.list"; then
    rm -f "$aptdir/sources.list.tmp"
else
    mv "$aptdir/sources.list.tmp" "$aptdir/sources.list"
    rm -f "$aptdir/lists/"*_Sources* "$aptdir/lists/"*Release* 2>/dev/null || true
fi

apt_opts=(
    -o "Dir::Etc::SourceList=$aptdir/sources.list"
    -o "Dir::Etc::SourceParts=/nonexistent"
    -o "Dir::State::Lists=$aptdir/lists"
    -o "Dir::Cache=$aptdir/cache"
    -o "Dir::State::status=/var/lib/dpkg/status"
    -o "APT::Sandbox::User=root"
    -q
)

# File names in the archive carry no epoch.
fver=${ver#*:}
dsc=$cache/${pkg}_${fver}.dsc

# Print "sha256 size name" for each file listed in the .dsc.
dsc_files() {
    awk '
        /^Checksums-Sha256:/ { on = 1; next }
        on && /^ / { print $1, $2, $3; next }
        on { exit }
    ' "$1"
}

# Verify all files of the .dsc in $cache; returns 1 if any missing/bad.
verify_cache() {
    [ -f "$dsc" ] || return 1
    local n=0 sum size name
    while read -r sum size name; do
        [ -n "$name" ] || continue
        n=$((n + 1))
        [ -f "$cache/$name" ] || { msg "missing $name"; return 1; }
        [ "$(stat -c %s "$cache/$name")" = "$size" ] ||
            { msg "size mismatch: $name"; return 1; }
        echo "$sum  $cache/$name" | sha256sum --quiet -c - >/dev/null 2>&1 ||
            { msg "sha256 mismatch: $name"; return 1; }
    done < <(dsc_files "$dsc")
    [ "$n" -gt 0 ] || { msg "no Checksums-Sha256 in $(basename "$dsc")"; return 1; }
}

if ! verify_cache; then
    msg "downloading $pkg=$ver from deb.debian.org"
    rm -f "$dsc"
    have_lists() { ls "$aptdir/lists/"*_Sources* >/dev/null 2>&1; }
    if ! have_lists; then
        apt-get "${apt_opts[@]}" update >&2 || die "apt-get update failed"
    fi
    if ! (cd "$cache" && apt-get "${apt_opts[@]}" source --download-only "$pkg=$ver") >&2; then
        msg "retrying after apt-get update"
        apt-get "${apt_opts[@]}" update >&2 || die "apt-get update failed"
        (cd "$cache" && apt-get "${apt_opts[@]}" source --download-only "$pkg=$ver") >&2 ||
            die "cannot download source $pkg=$ver"
    fi
    verify_cache || die "downloaded files for $pkg=$ver do not match $(basename "$dsc")"
fi

# Extract atomically.
parent=$(dirname "$outdir")
mkdir -p "$parent"
tmp=$(mktemp -d "$parent/.fetch-src.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
msg "extracting $(basename "$dsc") into $outdir"
dpkg-source --no-check -x "$dsc" "$tmp/src" >"$tmp/log" 2>&1 ||
    { cat "$tmp/log" >&2; die "dpkg-source -x failed"; }
echo "$stampline" >"$tmp/src/.fetch-src-stamp"
if [ -e "$outdir" ]; then
    mv "$outdir" "$tmp/old"
fi
mv "$tmp/src" "$outdir"
msg "ok: $pkg $ver -> $outdir"
