#!/bin/sh
# Installs what hdnnp needs to build and test on Debian 12 (bookworm). Idempotent.
set -e
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
PKGS="cmake g++ make libxtensor-dev libxsimd-dev xtl-dev catch2 zlib1g-dev libbenchmark-dev"
# The Python package (python/): Debian's interpreter /usr/bin/python3 with pybind11, numpy and ASE (matplotlib
# for ASE's plotting helpers).
PKGS="$PKGS python3-dev pybind11-dev python3-numpy python3-ase python3-matplotlib"
missing=""
for p in $PKGS; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
