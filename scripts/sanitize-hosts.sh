#!/usr/bin/env bash
# The LAMMPS and Python hosts under AddressSanitizer + UndefinedBehaviorSanitizer (docs/testing.md):
#   scripts/sanitize-hosts.sh [BUILD_DIR]          (default BUILD_DIR: build-asan-hosts)
# builds lmp_hdnnp, the Python module _hdnnp and the `hdnnp` program (the LAMMPS and Python tests compare with
# `hdnnp predict`) with clang -O1 and HDNNP_SANITIZE=address,undefined, then runs every ctest test of the two
# hosts (labels lammps and python) in that build. The sanitizer settings are the tests' ENVIRONMENT properties
# (hosts/lammps/CMakeLists.txt, python/CMakeLists.txt), so `ctest --test-dir BUILD_DIR -L 'lammps|python'`
# by hand runs the same way. Prints what ran and how long the build and the tests took; exits 1 if any test
# fails (a sanitizer report fails the test that printed it).
#
# What is sanitized: our code (the pair style, the compute, the potentials, pybind11's bindings, `hdnnp`).
# Debian's liblammps, Open MPI and CPython are not instrumented: their memory errors go unseen, and their
# leaks at exit are suppressed by tests/sanitizers/lsan-hosts.supp (each entry says why).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-asan-hosts}
jobs=${JOBS:-2}

sh scripts/install-clang.sh
sh scripts/lammps-deps.sh "$build" >/dev/null

t0=$(date +%s)
mkdir -p "$build"
CXX=clang++ cmake -S . -B "$build" -DHDNNP_SANITIZE=address,undefined -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" \
  -DHDNNP_BUILD_LAMMPS=ON -DHDNNP_BUILD_PYTHON=ON -DHDNNP_BUILD_EXAMPLES=OFF -DHDNNP_BUILD_BENCHMARKS=OFF >"$build/configure.log"
grep -E 'hdnnp LAMMPS host|hdnnp: Python' "$build/configure.log" || true
targets="lmp_hdnnp _hdnnp hdnnp_cli"
echo "+ cmake --build $build -j$jobs --target $targets"
cmake --build "$build" -j"$jobs" --target $targets
t1=$(date +%s)

# Both hosts must be there: a host that CMake skipped (missing LAMMPS headers, pybind11, ...) is an error here.
for label in lammps python; do
  n=$(ctest --test-dir "$build" -N -L "^$label\$" | sed -n 's/^Total Tests: //p')
  if [ "${n:-0}" -eq 0 ]; then
    echo "sanitize-hosts: no $label tests in $build (see $build/configure.log)" >&2
    exit 1
  fi
  echo "sanitize-hosts: $n $label tests"
done
status=0
echo "+ ctest --test-dir $build -L 'lammps|python' -j$jobs --output-on-failure"
ctest --test-dir "$build" -L 'lammps|python' -j"$jobs" --output-on-failure || status=1
t2=$(date +%s)
echo "sanitize-hosts: build $(( (t1 - t0) / 60 )) min $(( (t1 - t0) % 60 )) s, tests $(( (t2 - t1) / 60 )) min $(( (t2 - t1) % 60 )) s ($build)"
exit $status
