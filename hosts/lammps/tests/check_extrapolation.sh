#!/bin/sh
# Extrapolation warnings of pair_style hdnnp against hdnnp predict, on NP MPI ranks:
#   sh check_extrapolation.sh MPIEXEC NP LMP_HDNNP HDNNP MODEL_DIR INPUT_DATA WORKDIR
# The structure (the 1080-atom water box) is compressed by 0.8 so that about a thousand symmetry functions
# leave the scaling.data ranges; then (extrapolation.in, units electron):
#   1. defaults (showew yes, no maxew) plus showewsum 1 and maxew N, run 0: the EW summary of step 0 counts
#      exactly hdnnp predict's N warnings; at most 10 warning lines are printed, each one of hdnnp predict's
#      (ATOM = LAMMPS atom ID = input.data index + 1, same element, function, type, value and range), followed by
#      "(N - shown more extrapolation warnings at step 0 not shown)"; the run completes (maxew N is not exceeded);
#   2. maxew N-1, run 0: LAMMPS stops with "too many extrapolation warnings at step 0: N in all, more than maxew N-1";
#   3. maxew 1.5 N, resetew yes, run 2: every step is counted on its own, the run completes;
#   4. maxew 1.5 N, resetew no, run 2: the counts accumulate, LAMMPS stops at step 1.
set -eu
mpiexec=$1
np=$2
lmp=$3
hdnnp=$4
model=$5
input=$6
work=$7
here=$(cd "$(dirname "$0")" && pwd)

rm -rf "$work"
mkdir -p "$work"
cd "$work"
awk -v s=0.8 '$1 == "lattice" { printf "lattice %.17g %.17g %.17g\n", $2 * s, $3 * s, $4 * s; next }
              $1 == "atom" { $2 = sprintf("%.17g", $2 * s); $3 = sprintf("%.17g", $3 * s); $4 = sprintf("%.17g", $4 * s) }
              { print }' "$input" >input.data
mkdir predict
"$hdnnp" predict "$model" input.data -o predict --summary --max-warnings 1000000 >predict/summary.txt 2>predict/warnings.txt ||
  { echo "FAIL: hdnnp predict"; cat predict/warnings.txt; exit 1; }
n=$(awk '$1 == "1" { print $6 }' predict/summary.txt)
[ "$n" -gt 100 ] || { echo "FAIL: hdnnp predict counts only '$n' warnings on the compressed box"; exit 1; }
awk -v types="H O" -v masses="1.008 15.999" -f "$here/input_data_to_lammps.awk" input.data >data.lmp

run() {    # run NAME OPTIONS STEPS: lmp_hdnnp on extrapolation.in; returns its exit status
  sh "$here/lmp_mpirun.sh" "$mpiexec" "$np" "$lmp" -in "$here/extrapolation.in" -log "$1.log" -var data data.lmp \
     -var model "$model" -var options "$2" -var steps "$3" >"$1.txt" 2>&1
}
failed=0
fail() { echo "FAIL: $*"; failed=1; }

# 1. counts and lines
if run count "maxew $n" 0; then
  grep -q "^Loop time of .* on $np procs" count.log || fail "count: no run on $np procs"
  got=$(awk '$1 == "###" && $3 == "EW" && $4 == "SUMMARY" && $7 == "0" { print $9 }' count.log)
  echo "EW summary at step 0: ${got:-none}, hdnnp predict: $n"
  [ "$got" = "$n" ] || fail "EW count $got, hdnnp predict $n"
  awk -v n="$n" '
    FNR == 1 { file++ }
    file == 1 && /EXTRAPOLATION WARNING/ { ref[$9 + 1, $11, $13, $15, $17, $19, $21] = 1; next }
    file == 2 && /EXTRAPOLATION WARNING/ {
      shown++
      if (!(($9, $11, $13, $15, $17, $19, $21) in ref)) { print "FAIL: not among hdnnp predict'"'"'s warnings: " $0; bad++ }
    }
    file == 2 && /more extrapolation warnings at step 0 not shown/ { more = substr($1, 2) }
    END {
      printf "%d warning lines shown, %s more announced\n", shown, more
      if (shown < 1 || shown > 10) { print "FAIL: expected 1..10 warning lines"; bad++ }
      if (more + shown != n) { printf "FAIL: shown + not shown = %d, expected %d\n", more + shown, n; bad++ }
      exit bad ? 1 : 0
    }' predict/warnings.txt count.log || failed=1
else
  fail "count: lmp_hdnnp stopped (maxew $n must not stop it):"; tail -n 5 count.txt
fi

# 2. maxew N-1 stops at step 0
m=$((n - 1))
if run maxew "maxew $m" 0; then fail "maxew $m did not stop the run"; fi
grep -q "ERROR: pair_style hdnnp: too many extrapolation warnings at step 0: $n in all, more than maxew $m" maxew.txt ||
  { fail "maxew: expected message missing:"; grep ERROR maxew.txt || tail -n 5 maxew.txt; }

# 3. resetew yes: per step
limit=$((n * 3 / 2))
run reset "maxew $limit resetew yes" 2 || { fail "resetew yes, maxew $limit stopped the run:"; grep ERROR reset.txt || tail -n 5 reset.txt; }

# 4. resetew no: accumulated, stops at step 1
if run accumulate "maxew $limit resetew no" 2; then fail "resetew no, maxew $limit did not stop the run"; fi
grep -q "ERROR: pair_style hdnnp: too many extrapolation warnings at step 1: .* in all, more than maxew $limit" accumulate.txt ||
  { fail "resetew no: expected message missing:"; grep ERROR accumulate.txt || tail -n 5 accumulate.txt; }

[ "$failed" = 0 ] || { echo "check(s) FAILED (files in $work)"; exit 1; }
echo "all checks passed"
