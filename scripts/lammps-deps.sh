#!/bin/sh
# Installs what the LAMMPS host (hosts/lammps, the `lmp_hdnnp` program) needs on Debian 12 and fetches the
# headers of the SAME LAMMPS version as Debian's liblammps: Debian's liblammps-dev ships only some of them
# (no neigh_request.h, no fmt/), so the program compiles against the version's source package instead.
#
#   sh scripts/lammps-deps.sh [BUILD_DIR]      (default BUILD_DIR: build)
#
# Idempotent: packages are installed only when missing, deb-src entries are added once, and the source
# package is downloaded and unpacked only when BUILD_DIR/_deps/lammps-source/src is not there yet. Only the
# top-level src/*.h and src/fmt/ of the source tarball are unpacked (about 3 MB; the tarball itself is about
# 80 MB and is deleted afterwards). Debian's patches to this version touch no header (checked for
# 20220106.git7586adbb6a+ds1-2), so the unpacked headers are the ones liblammps was built from.
# The last line printed is the headers' directory (pass it as -DHDNNP_LAMMPS_SOURCE_DIR=... if BUILD_DIR is
# not the CMake build directory).
set -eu

build_dir=${1:-build}
dest="$build_dir/_deps/lammps-source"

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

have_headers() {
  [ -f "$dest/src/pair.h" ] && [ -f "$dest/src/neigh_request.h" ] && [ -f "$dest/src/fmt/format.h" ]
}
has_deb_src() {
  grep -qsE '^[[:space:]]*deb-src[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list && return 0
  grep -qsE '^[[:space:]]*Types:.*deb-src' /etc/apt/sources.list.d/*.sources && return 0
  return 1
}
need_update=""

# 1. deb-src entries (for the source package), derived from the machine's own `deb` entries of this Debian
#    release (same mirrors, suites, components and keys; third-party repositories are left out since they
#    rarely publish sources).
if ! have_headers && ! has_deb_src; then
  echo "lammps-deps: enabling deb-src entries" >&2
  # shellcheck disable=SC1091
  codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
  tmp=$(mktemp)
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # deb822: stanzas are separated by blank lines; copy each stanza whose Types has `deb` and whose Suites
    # are the release's (bookworm, bookworm-updates, bookworm-security, ...), with Types: deb-src.
    awk -v suite="$codename" 'BEGIN { RS = ""; ORS = "\n\n" }
         /(^|\n)Types:[^\n]*[[:space:]]deb([[:space:]]|$)/ && $0 ~ ("(^|\n)Suites:[^\n]*[[:space:]]" suite "(-[a-z]+)?([[:space:]]|$)") {
           sub(/(^|\n)Types:[^\n]*/, "\nTypes: deb-src"); sub(/^\n/, ""); print
         }' "$f" >>"$tmp"
  done
  if [ -s "$tmp" ]; then
    $SUDO cp "$tmp" /etc/apt/sources.list.d/hdnnp-deb-src.sources
  else
    # One-line format: "deb [options] URI SUITE COMPONENT..." in sources.list and *.list.
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk -v suite="$codename" '
      $1 == "deb" {
        i = 2
        if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) ++i; ++i }
        if ($(i + 1) ~ ("^" suite "(-[a-z]+)?$")) { $1 = "deb-src"; print }
      }' >"$tmp"
    if [ ! -s "$tmp" ]; then
      echo "lammps-deps: no deb entry for Debian '$codename' found to derive deb-src entries from" >&2
      exit 1
    fi
    $SUDO cp "$tmp" /etc/apt/sources.list.d/hdnnp-deb-src.list
  fi
  rm -f "$tmp"
  $SUDO chmod 644 /etc/apt/sources.list.d/hdnnp-deb-src.*
  need_update=1
fi

# 2. Debian's LAMMPS (library, the headers it has, CMake/pkg-config files), Open MPI, dpkg-dev for
#    `apt-get source`.
PKGS="lammps liblammps-dev mpi-default-dev mpi-default-bin dpkg-dev pkg-config xz-utils"
missing=""
for p in $PKGS; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] || need_update=1
if [ -n "$need_update" ]; then
  $SUDO apt-get update -qq
fi
if [ -n "$missing" ]; then
  echo "lammps-deps: installing$missing" >&2
  # shellcheck disable=SC2086  # $missing is a list of package names
  $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if have_headers; then
  echo "lammps-deps: headers already present" >&2
  cd "$dest/src" && pwd
  exit 0
fi

# 3. The source package of exactly the installed liblammps0 (source version, i.e. without a binNMU suffix).
src_version=$(dpkg-query -W -f='${source:Version}' liblammps0)
mkdir -p "$dest"
dl="$dest/download"
rm -rf "$dl"
mkdir -p "$dl"
echo "lammps-deps: downloading the source package lammps=$src_version" >&2
# Root downloads into a root-owned directory: run apt's fetcher as root there (no sandbox warning).
(cd "$dl" && apt-get source -qq --download-only -o APT::Sandbox::User=root "lammps=$src_version" >/dev/null)
for orig in "$dl"/lammps_*.orig.tar.*; do break; done
[ -f "$orig" ] || { echo "lammps-deps: no orig tarball was downloaded" >&2; exit 1; }
echo "lammps-deps: unpacking src/*.h and src/fmt/ from $(basename "$orig")" >&2
rm -rf "$dest/src" "$dest/unpack"
mkdir -p "$dest/unpack"
tar -xf "$orig" -C "$dest/unpack" --wildcards --no-wildcards-match-slash '*/src/*.h' '*/src/fmt/*'
mv "$dest"/unpack/*/src "$dest/src"
printf '%s\n' "$src_version" >"$dest/src/DEBIAN_SOURCE_VERSION"
rm -rf "$dest/unpack" "$dl"
cd "$dest/src" && pwd
