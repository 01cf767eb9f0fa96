#!/bin/sh
# Energy conservation of pair_style hdnnp in NVE (nve.in: 1080 water atoms, 0.5 fs, 1000 steps, 300 K):
#   sh check_nve.sh MPIEXEC NP LMP_HDNNP MODEL_DIR INPUT_DATA WORKDIR
# Fits a straight line to the total energy (thermo every 10 steps) and reports the drift per atom and
# picosecond and the RMS fluctuation around the line per atom. Limits (environment): MAX_DRIFT
# (2e-5 eV/atom/ps) and MAX_RMS (5e-5 eV/atom); the temperature must stay between 200 and 400 K.
set -eu
mpiexec=$1
np=$2
lmp=$3
model=$4
input=$5
work=$6
here=$(cd "$(dirname "$0")" && pwd)
MAX_DRIFT=${MAX_DRIFT:-2e-5}
MAX_RMS=${MAX_RMS:-5e-5}

rm -rf "$work"
mkdir -p "$work"
cd "$work"
angstrom_per_bohr=$(awk 'BEGIN { printf "%.17g", 1 / 1.8897261328 }')    # exactly ML-HDNNP's cflength back
awk -v types="H O" -v masses="1.008 15.999" -v scale="$angstrom_per_bohr" -f "$here/input_data_to_lammps.awk" "$input" >data.lmp
if ! sh "$here/lmp_mpirun.sh" "$mpiexec" "$np" "$lmp" -in "$here/nve.in" -log log.lammps -var data data.lmp \
       -var model "$model" >screen.txt 2>&1; then
  echo "FAIL: lmp_hdnnp exited with an error; last lines of $work/screen.txt:"
  tail -n 20 screen.txt
  exit 1
fi
grep -q "^Loop time of .* on $np procs for 1000 steps with 1080 atoms" log.lammps ||
  { echo "FAIL: no 1000-step run of 1080 atoms on $np procs"; grep "^Loop time" log.lammps; exit 1; }
grep "^Loop time" log.lammps
awk -v max_drift="$MAX_DRIFT" -v max_rms="$MAX_RMS" -v natoms=1080 '
  $1 == "Step" { on = 1; next }
  $1 == "Loop" { on = 0 }
  on && $1 ~ /^[0-9]+$/ && NF == 7 {
    n++; t[n] = $2; e[n] = $6; T[n] = $3
    st += $2; se += $6; stt += $2 * $2; ste += $2 * $6
  }
  END {
    if (n < 50) { printf "FAIL: only %d thermo lines\n", n; exit 1 }
    slope = (n * ste - st * se) / (n * stt - st * st)     # eV/ps
    icpt = (se - slope * st) / n
    for (k = 1; k <= n; ++k) { r = e[k] - icpt - slope * t[k]; ss += r * r; if (T[k] < tmin || k == 1) tmin = T[k]; if (T[k] > tmax) tmax = T[k] }
    rms = sqrt(ss / n) / natoms
    drift = slope / natoms
    printf "NVE %d atoms, %d steps of 0.5 fs: E_total %.6f -> %.6f eV, T %.1f..%.1f K\n", natoms, (n - 1) * 10, e[1], e[n], tmin, tmax
    printf "drift %.3e eV/atom/ps (limit %.0e), RMS fluctuation %.3e eV/atom (limit %.0e)\n", drift, max_drift, rms, max_rms
    bad = (drift < 0 ? -drift : drift) > max_drift || rms > max_rms || tmin < 200 || tmax > 400
    print bad ? "FAIL" : "all checks passed"
    exit bad
  }
' log.lammps
