#!/bin/sh
# Whole-process `hdnnp predict` against n2p2's `nnp-predict` on the same model and structure, side by side in
# one run (issue 13): the SCAN models with compact symmetry functions (Anisole_SCAN 256 atoms, DMABN_SCAN 21
# atoms, types 20-25) and 2G water (H2O_RPBE-D3, 1080 atoms), each one structure, energy + forces:
#
#   N2P2_PREDICT=/path/to/nnp-predict sh benchmarks/predict_vs_n2p2.sh [BUILD_DIR] [REPS] [--json FILE]
#
# (defaults: build, 5). BUILD_DIR must hold tools/hdnnp (cmake --build BUILD_DIR --target hdnnp_cli);
# N2P2_PREDICT is n2p2's nnp-predict built outside this repository (how: docs/performance.md, section
# "Whole process"; default: the nnp-predict on PATH). SYSTEMS="Anisole_SCAN ..." picks other
# examples of HDNNP_REFERENCE_DIR/predict (default ../shared/reference/n2p2 beside the repository). Per system:
# one untimed run of each program (warm caches), then REPS rounds that run nnp-predict and `hdnnp predict`
# alternately, OMP_NUM_THREADS=1, each in a scratch directory. The time is the wall clock of the whole process
# (model loading, reading, neighbour lists, energy + forces, writing; nnp-predict also writes output.data and
# its log). Prints per program the minimum and median wall time, us per atom (median wall / atoms) and the
# ratios n2p2 / hdnnp of the medians and of the minima. nnp-predict evaluates only the first structure of
# input.data, so the comparison is of one structure; for a small one (DMABN, 21 atoms) both times are mostly
# model loading. Refuses (exit 1) when the two energies differ by more than 1e-8 relative (the work compared
# must be the same); also prints the largest force difference and n2p2's energy against expected/energy.out
# (the oracle's own check). Where `perf stat` works (PERF=none turns it off) the wall time is perf's elapsed
# time of the process and the CPU time (task-clock) is printed beside it: on a loaded machine the CPU times
# and their ratio are the steadier figures. With --json FILE also writes the rows as JSON. Run on an otherwise
# idle machine: the load average is printed before and after.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=build reps=5 json= npos=0
while [ $# -gt 0 ]; do
  case $1 in
    --json) [ $# -ge 2 ] || { echo "predict_vs_n2p2: --json needs a file name" >&2; exit 2; }; json=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "predict_vs_n2p2: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) npos=$((npos + 1)); if [ $npos -eq 1 ]; then build=$1; elif [ $npos -eq 2 ]; then reps=$1; else
         echo "predict_vs_n2p2: too many arguments (see --help)" >&2; exit 2; fi; shift ;;
  esac
done
case $reps in ''|*[!0-9]*|0) echo "predict_vs_n2p2: REPS must be a positive integer, not '$reps'" >&2; exit 2 ;; esac
[ -d "$build" ] || { echo "predict_vs_n2p2: build directory $build not found" >&2; exit 1; }
build=$(cd "$build" && pwd)
hdnnp=$build/tools/hdnnp
[ -x "$hdnnp" ] || { echo "predict_vs_n2p2: $hdnnp not found (cmake --build $build --target hdnnp_cli)" >&2; exit 1; }
n2p2=${N2P2_PREDICT:-$(command -v nnp-predict || true)}
[ -n "$n2p2" ] && [ -x "$n2p2" ] || {
  echo "predict_vs_n2p2: n2p2's nnp-predict not found: set N2P2_PREDICT=/path/to/nnp-predict (build it outside" \
       "the repository as docs/performance.md says)" >&2; exit 1; }
n2p2=$(cd "$(dirname "$n2p2")" && pwd)/$(basename "$n2p2")
ref=${HDNNP_REFERENCE_DIR:-$here/../../shared/reference/n2p2}
systems=${SYSTEMS:-Anisole_SCAN DMABN_SCAN H2O_RPBE-D3}
for sys in $systems; do
  [ -f "$ref/predict/$sys/input.nn" ] && [ -f "$ref/predict/$sys/input.data" ] ||
    { echo "predict_vs_n2p2: $ref/predict/$sys has no input.nn and input.data (HDNNP_REFERENCE_DIR?)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMP_NUM_THREADS=1

now() { date +%s.%N; }
# energy FILE: column 4 (the NNP energy) of the first data row of an energy.out
energy() { awk '!/^#/ && NF >= 4 { print $4; exit }' "$1"; }
# stats COLUMN FILE: "min median" of the numbers in column COLUMN of FILE ("- -" if they are not numbers)
stats() {
  awk -v c="$1" '{ print $c }' "$2" | sort -g | awk '{ v[NR] = $1 }
    END { if (v[1] == "-") print "- -"; else printf "%.6f %.6f\n", v[1], NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# CPU time (task-clock) from perf stat when it works here (PERF=none: wall clock only)
perf=${PERF:-perf}
if [ "$perf" = none ] || ! LC_ALL=C "$perf" stat -e task-clock -o "$work/perf" true >/dev/null 2>&1; then perf=; fi
# timed OUT COMMAND...: runs COMMAND, appends "wall_s cpu_s" to OUT (perf's elapsed time of the child and its
# task-clock; without perf the wall clock around it and "-")
timed() {
  out=$1
  shift
  if [ -n "$perf" ]; then
    LC_ALL=C "$perf" stat -e task-clock -o "$work/perf" "$@" || return 1
    awk '/msec task-clock/ { c = $1 / 1e3 } /seconds time elapsed/ { w = $1 } END { printf "%.6f %.6f\n", w, c }' \
      "$work/perf" >>"$out"
  else
    t0=$(now)
    "$@" || return 1
    awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.6f -\n", b - a }' >>"$out"
  fi
}

# run_n2p2 OUT, run_hdnnp OUT: one timed prediction of $model into $nd (n2p2, run inside it) or $hd; the log on
# failure
run_n2p2() { (cd "$nd" && timed "$1" "$n2p2" 0 >stdout 2>&1) || { cat "$nd/stdout" "$nd/nnp-predict.log" >&2; exit 1; }; }
run_hdnnp() {
  timed "$1" "$hdnnp" predict "$model" "$model/input.data" -o "$hd" >"$work/hdnnp.log" 2>&1 ||
    { cat "$work/hdnnp.log" >&2; exit 1; }
}

echo "predict_vs_n2p2: hdnnp $hdnnp"
echo "predict_vs_n2p2: n2p2  $n2p2"
load_before=$(uptime | sed 's/.*load average: //')
echo "predict_vs_n2p2: $reps rounds per system, OMP_NUM_THREADS=1; load before: $load_before"
echo "whole process, one structure, energy + forces; min and median of the rounds; us/atom from the wall medians;"
if [ -n "$perf" ]; then echo "CPU: the process's task-clock (perf stat)"; else echo "CPU: - (perf stat unavailable or PERF=none)"; fi
printf "%-14s %5s | %-35s | %-13s | %-25s | %s\n" "" "" "wall [s], min and median" "n2p2/hdnnp" "CPU [s], median" \
  "us/atom"
printf "%-14s %5s | %8s %8s %8s %8s | %6s %6s | %8s %8s %7s | %8s %7s\n" "system" "atoms" "n2p2" "n2p2" "hdnnp" "hdnnp" \
  "median" "min" "n2p2" "hdnnp" "ratio" "n2p2" "hdnnp"
rows=
for sys in $systems; do
  model=$(cd "$ref/predict/$sys" && pwd)
  atoms=$(awk '/^begin/ { ++b } b == 1 && /^atom/ { ++n } /^end/ && b == 1 { exit } END { print n + 0 }' "$model/input.data")
  # nnp-predict reads input.nn, scaling.data, weights*.data, hardness*.data and input.data from its directory
  nd=$work/$sys.n2p2 hd=$work/$sys.hdnnp
  mkdir -p "$nd" "$hd"
  for f in "$model"/input.nn "$model"/scaling.data "$model"/weights*.data "$model"/hardness*.data "$model"/input.data; do
    [ -e "$f" ] && ln -s "$f" "$nd/"
  done
  run_n2p2 "$work/warm"; run_hdnnp "$work/warm"    # warm-up, not counted
  : >"$work/tn"
  : >"$work/th"
  r=0
  while [ $r -lt "$reps" ]; do
    run_n2p2 "$work/tn"
    run_hdnnp "$work/th"
    r=$((r + 1))
  done
  en=$(energy "$nd/energy.out") eh=$(energy "$hd/energy.out")
  ex=$(if [ -f "$model/expected/energy.out" ]; then energy "$model/expected/energy.out"; else echo nan; fi)
  # largest |F_n2p2 - F_hdnnp| over atoms and components (nnforces.out columns 6-8, rows in the same order)
  df=$(awk '!/^#/ && NF >= 8 { if (FNR == NR) { f[FNR, 1] = $6; f[FNR, 2] = $7; f[FNR, 3] = $8; k[++n] = FNR; next }
             ++m; for (c = 1; c <= 3; ++c) { d = $(5 + c) - f[k[m], c]; if (d < 0) d = -d; if (d > x) x = d } }
           END { printf "%.3e\n", x + 0 }' "$nd/nnforces.out" "$hd/nnforces.out")
  set -- $(stats 1 "$work/tn") $(stats 1 "$work/th") $(stats 2 "$work/tn") $(stats 2 "$work/th")
  # one table row, one check line, and the JSON row (prefixed @); exit status 3 if the energies differ
  line=$(awk -v s="$sys" -v n="$atoms" -v nmin="$1" -v nmed="$2" -v hmin="$3" -v hmed="$4" -v ncpu="$6" -v hcpu="$8" \
             -v en="$en" -v eh="$eh" -v ex="$ex" -v df="$df" -v reps="$reps" '
    function rel(a, b) { d = a - b; if (d < 0) d = -d; b = b < 0 ? -b : b; return b > 0 ? d / b : d }
    BEGIN {
      de = rel(eh, en)
      cpu = ncpu != "-"
      printf "%-14s %5d | %8.4f %8.4f %8.4f %8.4f | %5.2fx %5.2fx | %8s %8s %7s | %8.1f %7.1f\n", s, n, nmin, nmed,
             hmin, hmed, nmed / hmed, nmin / hmin, cpu ? sprintf("%.4f", ncpu) : "-", cpu ? sprintf("%.4f", hcpu) : "-",
             cpu ? sprintf("%.2fx", ncpu / hcpu) : "-", 1e6 * nmed / n, 1e6 * hmed / n
      printf "  %s: energy n2p2 %.15g, hdnnp %.15g (relative difference %.1e), max |dF| %s; n2p2 against expected: %s\n",
             s, en, eh, de, df, ex == "nan" ? "no expected/energy.out" : sprintf("%.1e", rel(en, ex))
      split("system atoms reps n2p2_min_s n2p2_median_s hdnnp_min_s hdnnp_median_s n2p2_us_per_atom hdnnp_us_per_atom " \
            "ratio_median ratio_min n2p2_cpu_median_s hdnnp_cpu_median_s cpu_ratio_median energy_n2p2 energy_hdnnp " \
            "energy_rel_diff max_abs_dF", key, " ")
      split(sprintf("\"%s\"|%d|%d|%.6f|%.6f|%.6f|%.6f|%.2f|%.2f|%.4f|%.4f|%s|%s|%s|%.15g|%.15g|%.3e|%s", s, n, reps, nmin,
                    nmed, hmin, hmed, 1e6 * nmed / n, 1e6 * hmed / n, nmed / hmed, nmin / hmin,
                    cpu ? ncpu : "null", cpu ? hcpu : "null", cpu ? sprintf("%.4f", ncpu / hcpu) : "null", en, eh, de, df),
            val, "|")
      printf "@{"
      for (i = 1; i <= 18; ++i) printf "%s\"%s\": %s", (i > 1 ? ", " : ""), key[i], val[i]
      printf "}\n"
      exit de > 1e-8 ? 3 : 0 }') || {
    [ $? -eq 3 ] || exit 1
    echo "$line" | grep -v '^@' >&2
    echo "predict_vs_n2p2: $sys: the energies of nnp-predict ($en) and hdnnp predict ($eh) differ by more than" \
         "1e-8 relative: not the same work" >&2
    exit 1; }
  echo "$line" | grep -v '^@'
  rows="$rows${rows:+,
}    $(echo "$line" | sed -n 's/^@//p')"
done
load_after=$(uptime | sed 's/.*load average: //')
echo "predict_vs_n2p2: load after: $load_after"
if [ -n "$json" ]; then
  cat >"$json" <<EOT
{
  "benchmark": "predict_vs_n2p2",
  "quantity": "whole process, one energy+forces prediction, OMP_NUM_THREADS=1: wall and CPU (task-clock) seconds, us/atom from wall medians",
  "hdnnp": "$hdnnp",
  "n2p2": "$n2p2",
  "load_before": "$load_before",
  "load_after": "$load_after",
  "results": [
$rows
  ]
}
EOT
  echo "predict_vs_n2p2: wrote $json"
fi
