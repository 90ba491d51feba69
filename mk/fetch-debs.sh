#!/usr/bin/env bash
# mk/fetch-debs.sh STAGEDIR PACKAGE=VERSION...
#
# Download pinned Debian binary packages with a project-local apt
# configuration (the system's apt state is not touched) and unpack them
# with `dpkg -x` into STAGEDIR.  Nothing is installed on the host.
#
#   - apt config/state lives in $BUILD/apt-bin/ (binary indexes; the source
#     indexes of mk/fetch-src.sh stay in $BUILD/apt/)
#   - downloaded .debs are cached in $BUILD/deb-cache/; apt-get download
#     checks each against the SHA256 of the signed archive index
#   - STAGEDIR/.fetch-debs-stamp records the package list; a rerun with the
#     same list exits at once.  Unpacking goes to a temporary directory
#     next to STAGEDIR, then mv (atomic)
#
# Versions are always pinned: the toolstack must match the hypervisor
# source (mk/fetch-src.sh xen), and the guest kernel must not drift.
#
# Env: BUILD (default: <repo>/build)
set -eu

if [ $# -lt 2 ]; then
    echo "usage: $0 STAGEDIR PACKAGE=VERSION..." >&2
    exit 2
fi
stage=$1
shift

root=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$root/build}
case "$BUILD" in /*) ;; *) BUILD=$root/$BUILD ;; esac
case "$stage" in /*) ;; *) stage=$PWD/$stage ;; esac

msg() { echo "fetch-debs: $*" >&2; }
die() { msg "error: $*"; exit 1; }

for p in "$@"; do
    case "$p" in *=*) ;; *) die "'$p' is not PACKAGE=VERSION (versions are pinned)" ;; esac
done

stampline="$*"
if [ -f "$stage/.fetch-debs-stamp" ] &&
   [ "$(cat "$stage/.fetch-debs-stamp")" = "$stampline" ]; then
    exit 0
fi

for t in apt-get dpkg-deb flock; do
    command -v "$t" >/dev/null 2>&1 || die "'$t' not found (try: mk/deps.sh xen)"
done

aptdir=$BUILD/apt-bin
cache=$BUILD/deb-cache
mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial" "$cache"
exec 9>"$aptdir/fetch.lock"
flock 9

keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || die "$keyring missing (apt-get install debian-archive-keyring)"
cat >"$aptdir/sources.list.tmp" <<EOF
deb [arch=amd64 signed-by=$keyring] http://deb.debian.org/debian bookworm main
deb [arch=amd64 signed-by=$keyring] http://deb.debian.org/debian bookworm-updates main
deb [arch=amd64 signed-by=$keyring] http://deb.debian.org/debian-security bookworm-security main
EOF
if cmp -s "$aptdir/sources.list.tmp" "$aptdir/sources.list"; then
    rm -f "$aptdir/sources.list.tmp"
else
    mv "$aptdir/sources.list.tmp" "$aptdir/sources.list"
    rm -f "$aptdir/lists/"*_Packages* "$aptdir/lists/"*Release* 2>/dev/null || true
fi

apt_opts=(
    -o "Dir::Etc::SourceList=$aptdir/sources.list"
    -o "Dir::Etc::SourceParts=/nonexistent"
    -o "Dir::State::Lists=$aptdir/lists"
    -o "Dir::Cache=$aptdir/cache"
    -o "Dir::State::status=/var/lib/dpkg/status"
    -o "APT::Architecture=amd64"
    -o "APT::Sandbox::User=root"
    -q
)

# The cached .deb of PACKAGE=VERSION (file names carry no epoch; ':' of an
# epoch is %3a in apt's names).
deb_of() {
    local name=${1%%=*} ver=${1#*=}
    ver=${ver#*:}
    compgen -G "$cache/${name}_${ver}_*.deb" | head -1
}

updated=0
for p in "$@"; do
    [ -n "$(deb_of "$p")" ] && continue
    if [ "$updated" = 0 ] && ! ls "$aptdir/lists/"*_Packages* >/dev/null 2>&1; then
        apt-get "${apt_opts[@]}" update >&2 || die "apt-get update failed"
        updated=1
    fi
    msg "downloading $p"
    if ! (cd "$cache" && apt-get "${apt_opts[@]}" download "$p") >&2; then
        [ "$updated" = 0 ] || die "cannot download $p"
        apt-get "${apt_opts[@]}" update >&2 || die "apt-get update failed"
        updated=1
        (cd "$cache" && apt-get "${apt_opts[@]}" download "$p") >&2 ||
            die "cannot download $p"
    fi
    [ -n "$(deb_of "$p")" ] || die "downloaded $p but found no .deb for it"
done

parent=$(dirname "$stage")
mkdir -p "$parent"
tmp=$(mktemp -d "$parent/.fetch-debs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/stage"
for p in "$@"; do
    dpkg-deb -x "$(deb_of "$p")" "$tmp/stage" || die "dpkg-deb -x failed for $p"
done
echo "$stampline" >"$tmp/stage/.fetch-debs-stamp"
if [ -e "$stage" ]; then
    mv "$stage" "$tmp/old"
fi
mv "$tmp/stage" "$stage"
msg "ok: $# packages -> $stage"
