#!/bin/sh
# Installs what hdnnp needs to build and test on Debian 12 (bookworm), including the LAMMPS host
# (hosts/lammps: Debian's LAMMPS, Open MPI and the same LAMMPS version's headers, see scripts/lammps-deps.sh).
# Idempotent.
#
#   sh scripts/install-deps.sh [BUILD_DIR]      (default BUILD_DIR: build, the CMake build directory that
#                                                receives the LAMMPS headers in BUILD_DIR/_deps/lammps-source)
# HDNNP_SKIP_LAMMPS=1 leaves the LAMMPS host out (CMake then builds and tests everything else).
set -e
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
PKGS="cmake g++ make libxtensor-dev libxsimd-dev xtl-dev catch2 zlib1g-dev libbenchmark-dev"
# The Python package (python/): Debian's interpreter /usr/bin/python3 with pybind11, numpy and ASE (matplotlib
# for ASE's plotting helpers).
PKGS="$PKGS python3-dev pybind11-dev python3-numpy python3-ase python3-matplotlib"
# The API reference (docs/Doxyfile; its test fails on any Doxygen warning).
PKGS="$PKGS doxygen"
missing=""
for p in $PKGS; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
if [ "${HDNNP_SKIP_LAMMPS:-0}" != "1" ]; then
  sh "$(dirname "$0")/lammps-deps.sh" "${1:-build}" >/dev/null
fi
