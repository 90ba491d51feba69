#!/usr/bin/env bash
# mk/deps.sh [--check|--install] GROUP...
#
# Makes sure the Debian packages a build step needs are installed.
#
#   --check    report missing packages and exit 1 if any (never installs)
#   --install  (default) install missing packages when running as root;
#              when not root, print the single apt-get line needed, exit 1
#
# Groups:
#   base   host build + unit tests (gcc, make, python3, cmocka, pkg-config)
#   xen    fetch + extract a Debian source package (apt, dpkg-source, xz,
#          bzip2, archive keyring) and build a Xen 4.17 hypervisor
#          (flex/bison for kconfig; libc6-dev for Xen's host tools
#          fixdep/symbols; binutils; python3 for Xen's generators).
#          awk: Xen builds fine with Debian's default mawk; gawk not needed.
#   fuzz   clang + libFuzzer/sanitizer runtimes
#   bench  valgrind
#
# Quiet when everything is already present.
set -eu

usage() {
    echo "usage: $0 [--check|--install] GROUP... (groups: base xen fuzz bench)" >&2
    exit 2
}

mode=install
groups=()
for arg in "$@"; do
    case "$arg" in
        --check) mode=check ;;
        --install) mode=install ;;
        -h|--help) usage ;;
        -*) echo "deps: unknown option $arg" >&2; usage ;;
        *) groups+=("$arg") ;;
    esac
done
[ "${#groups[@]}" -gt 0 ] || usage

pkgs=()
for g in "${groups[@]}"; do
    case "$g" in
        base)  pkgs+=(gcc make python3 libcmocka-dev pkg-config) ;;
        xen)   pkgs+=(gcc make binutils libc6-dev flex bison python3
                      apt gpgv debian-archive-keyring dpkg-dev
                      xz-utils bzip2) ;;
        fuzz)  pkgs+=(clang libclang-rt-14-dev) ;;
        bench) pkgs+=(valgrind) ;;
        *) echo "deps: unknown group '$g'" >&2; usage ;;
    esac
done

# Which are missing? ("ii" = wanted install, installed OK.)
missing=()
seen=" "
for p in "${pkgs[@]}"; do
    case "$seen" in *" $p "*) continue ;; esac
    seen="$seen$p "
    st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
    case "$st" in
        ii*) ;;
        *) missing+=("$p") ;;
    esac
done

[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$mode" = check ]; then
    echo "deps: missing packages: ${missing[*]}" >&2
    exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing packages: ${missing[*]}" >&2
    echo "deps: run as root:" >&2
    echo "apt-get install -y --no-install-recommends ${missing[*]}"
    exit 1
fi

echo "deps: installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
