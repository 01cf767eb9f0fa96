#!/usr/bin/env bash
# Builds the libFuzzer harnesses of the file readers (tests/fuzz) with clang, ASan and UBSan in their own
# build directory and runs each in turn, then prints executions, speed, coverage and findings per harness.
#
#   scripts/fuzz.sh [SECONDS_PER_HARNESS] [HARNESS...]
#
#   SECONDS_PER_HARNESS  time limit of each harness (default 3600). FUZZ_RUNS=N also stops each harness
#                        after N executions (whichever comes first; default: no limit).
#   HARNESS              any of: input_nn scaling_data weights hardness input_data extxyz predict (default: all)
#   FUZZ_BUILD_DIR       build directory (default build-fuzz); the corpus grows in $FUZZ_BUILD_DIR/corpus/NAME
#                        across runs, crashes land in $FUZZ_BUILD_DIR/findings/NAME/
#   HDNNP_REFERENCE_DIR  n2p2 reference data (default ../shared/reference/n2p2): its input.nn, scaling.data,
#                        weights, hardness and input.data files are seeds, copied into the build tree only.
#
# Exit status 1 if any harness reported a crash, leak, timeout, out-of-memory or sanitizer error.
# Run long campaigns at low priority: `nice -n 19 scripts/fuzz.sh 3600`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${1:-3600}
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -eq 0 ] && harnesses=(input_nn scaling_data weights hardness input_data extxyz predict)
runs=${FUZZ_RUNS:--1}
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
ref=${HDNNP_REFERENCE_DIR:-$root/../shared/reference/n2p2}

# clang with libFuzzer and the OpenMP runtime (Debian 12 packages).
sh "$root/scripts/install-clang.sh"

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DHDNNP_FUZZ=ON -DHDNNP_BUILD_TESTS=OFF -DHDNNP_BUILD_TOOLS=OFF -DHDNNP_BUILD_EXAMPLES=OFF \
  -DHDNNP_BUILD_BENCHMARKS=OFF -DHDNNP_BUILD_LAMMPS=OFF -DHDNNP_BUILD_PYTHON=OFF >/dev/null
targets=()
for h in "${harnesses[@]}"; do targets+=("fuzz_$h"); done
cmake --build "$build" -j2 --target "${targets[@]}"

# Seeds: the committed ones plus the reference files (copied into the build tree, never into the repository).
seed_root="$build/seeds"
rm -rf "$seed_root"
bundle() {  # the files of a model directory as one fuzz_input_nn input ("@@ NAME" before each file)
  local f
  for f in "$1"/input.nn "$1"/scaling.data "$1"/weights.*.data "$1"/weightse.*.data "$1"/hardness.*.data; do
    [ -f "$f" ] || continue
    echo "@@ $(basename "$f")"
    cat "$f"
  done
}
prefixed() {  # a file behind a one-byte selector (scaling_data, weights harnesses)
  printf "\\$(printf '%03o' "$1")"
  head -c 65536 "$2"
}
predict_seed() {  # a model directory and the first structures of a data file as one fuzz_predict input
  bundle "$1"
  echo "@@ input.data"
  awk '/^begin/{n++} n<=2' "$2" | head -c 16384 || true  # head may close the pipe early (SIGPIPE)
}
for h in "${harnesses[@]}"; do
  mkdir -p "$seed_root/$h" "$build/corpus/$h" "$build/findings/$h"
  [ -d "$root/tests/fuzz/seeds/$h" ] && cp "$root/tests/fuzz/seeds/$h"/* "$seed_root/$h/"
  if [ "$h" = predict ]; then  # the models the project ships (committed) with their structures
    predict_seed "$root/examples/argon-lj" "$root/examples/argon-lj/input.data" >"$seed_root/$h/argon-lj.bundle"
    for g in 2g 4g; do
      predict_seed "$root/examples/charge-transfer/$g" "$root/examples/charge-transfer/input.data" \
        >"$seed_root/$h/charge-transfer-$g.bundle"
    done
  fi
done
if [ -d "$ref" ]; then
  k=0
  for d in "$ref"/*/*/; do
    k=$((k + 1))
    name=$(basename "$(dirname "$d")")_$(basename "$d")
    for h in "${harnesses[@]}"; do
      case $h in
        input_nn)
          [ -f "$d/input.nn" ] && cp "$d/input.nn" "$seed_root/$h/$name.input.nn"
          if compgen -G "$d/weights.*.data" >/dev/null; then
            bundle "$d" >"$seed_root/$h/$name.bundle"
            truncate -s '<262144' "$seed_root/$h/$name.bundle"
          fi ;;
        scaling_data) [ -f "$d/scaling.data" ] && prefixed $((k % 10)) "$d/scaling.data" >"$seed_root/$h/$name.scaling" ;;
        weights) for f in "$d"/weights*.data; do [ -f "$f" ] && prefixed $((k % 16)) "$f" >"$seed_root/$h/$name.$(basename "$f")"; done ;;
        hardness) for f in "$d"/hardness.*.data; do [ -f "$f" ] && cp "$f" "$seed_root/$h/$name.$(basename "$f")"; done ;;
        input_data) [ -f "$d/input.data" ] && head -c 65536 "$d/input.data" >"$seed_root/$h/$name.data" ;;
        predict)
          if [ -f "$d/input.data" ] && compgen -G "$d/weights.*.data" >/dev/null; then
            predict_seed "$d" "$d/input.data" >"$seed_root/$h/$name.bundle"
            truncate -s '<131072' "$seed_root/$h/$name.bundle"
          fi ;;
      esac
    done
  done
else
  echo "fuzz.sh: no reference data at $ref (set HDNNP_REFERENCE_DIR); using the committed seeds only" >&2
fi

# Run each harness, one at a time.
status=0
summary=""
for h in "${harnesses[@]}"; do
  dict=()
  max_len=8192  # keeps inputs (and the truncated reference seeds) small enough for thousands of runs a second
  [ "$h" = input_nn ] && max_len=16384
  [ "$h" = predict ] && max_len=131072  # whole model directories (the shipped 4G demonstration is 126 kB)
  case $h in
    input_nn|predict) dict=(-dict="$root/tests/fuzz/input_nn.dict") ;;
    input_data) dict=(-dict="$root/tests/fuzz/input_data.dict") ;;
    extxyz) dict=(-dict="$root/tests/fuzz/extxyz.dict") ;;
  esac
  log="$build/findings/$h/last-run.log"
  echo "== fuzz_$h: up to $seconds s${FUZZ_RUNS:+ or $runs runs}"
  set +e
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
    "$build/tests/fuzz/fuzz_$h" "$build/corpus/$h" "$seed_root/$h" "${dict[@]}" \
    -max_total_time="$seconds" -runs="$runs" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
    -print_final_stats=1 -artifact_prefix="$build/findings/$h/" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -1)
  if [ $rc -ne 0 ] || grep -qE '^==[0-9]+==ERROR|runtime error:|hdnnp fuzz finding' "$log"; then
    status=1
    verdict="FINDING (exit $rc): $(grep -m1 -E 'ERROR|runtime error:|finding|Test unit written' "$log" || true); log $log"
    grep -E 'ERROR|runtime error:|finding|Test unit written|#[0-9]+ 0x' "$log" | head -20
  else
    verdict="no findings"
  fi
  line=$(printf '%-14s %12s execs %8s exec/s  %-40s %s' "$h" "${execs:-?}" "${speed:-?}" "${cov:-?}" "$verdict")
  echo "$line"
  summary+="$line"$'\n'
done
echo "== fuzzing summary (${seconds} s per harness; corpus in $build/corpus)"
printf '%s' "$summary"
exit $status
