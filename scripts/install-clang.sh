#!/bin/sh
# Installs clang with libFuzzer and the sanitizer runtimes, and LLVM's OpenMP runtime (Debian 12), for the
# fuzzing harnesses (scripts/fuzz.sh) and the sanitizer build (docs/testing.md). Idempotent.
set -e
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
missing=""
for p in clang libclang-rt-14-dev libomp-14-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
