#!/bin/sh
# Whole-process `hdnnp predict` on 4G water supercells with the automatic Ewald/solver choice against n2p2's
# procedure (its Ewald parameters with the dense solver, the default before the automatic choice, and with
# CG), and 2G water of similar size for the per-atom ratio 4G / 2G:
#
#   sh benchmarks/predict_4g_ewald.sh [BUILD_DIR] [MAX_ATOMS]     (defaults: build, 12288)
#
# BUILD_DIR must hold tools/hdnnp (cmake --build BUILD_DIR --target hdnnp_cli). Structures: n2p2's
# H2O_RPBE-D3_4G cell (384 atoms) replicated 1, 2x2x2 and 4x4x2 times (384, 3072, 12288 atoms) and the
# H2O_RPBE-D3 2G cell (1080 atoms) replicated 1, 2x1x1, 2x2x2 (1080, 2160, 8640 atoms), every atom moved by up
# to 0.05 bohr (awk's srand(1): the same structures on every run). One thread, wall-clock seconds of the whole
# process (model loading, reading, neighbour lists, evaluation, writing) and us per atom; n2p2's procedure
# with the dense solver is O(N^3) and runs only up to 3072 atoms. Run on an otherwise idle machine.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build}" && pwd)
max_atoms=${2:-12288}
ref=${HDNNP_REFERENCE_DIR:-$here/../../shared/reference/n2p2}
hdnnp=$build/tools/hdnnp
[ -x "$hdnnp" ] || { echo "predict_4g_ewald: $hdnnp not found (cmake --build $build --target hdnnp_cli)" >&2; exit 1; }
m4=$(cd "$ref/predict/H2O_RPBE-D3_4G" && pwd)
m2=$(cd "$ref/predict/H2O_RPBE-D3" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMP_NUM_THREADS=1

# replicate FILE NA NB NC OUT: the first structure of an input.data file as an NA x NB x NC supercell.
replicate() {
  awk -v na="$2" -v nb="$3" -v nc="$4" '
    BEGIN { srand(1) }
    /^begin/ { n = 0; l = 0; inside = 1; next }
    /^lattice/ { ++l; L[l, 1] = $2; L[l, 2] = $3; L[l, 3] = $4; next }
    /^atom/ { ++n; X[n] = $2; Y[n] = $3; Z[n] = $4; E[n] = $5; next }
    /^end/ {
      print "begin"; print "comment supercell " na "x" nb "x" nc
      f[1] = na; f[2] = nb; f[3] = nc
      for (a = 1; a <= 3; ++a) printf "lattice %.10f %.10f %.10f\n", f[a] * L[a, 1], f[a] * L[a, 2], f[a] * L[a, 3]
      for (i = 0; i < na; ++i) for (j = 0; j < nb; ++j) for (k = 0; k < nc; ++k) for (p = 1; p <= n; ++p) {
        x = X[p] + i * L[1, 1] + j * L[2, 1] + k * L[3, 1] + 0.1 * (rand() - 0.5)
        y = Y[p] + i * L[1, 2] + j * L[2, 2] + k * L[3, 2] + 0.1 * (rand() - 0.5)
        z = Z[p] + i * L[1, 3] + j * L[2, 3] + k * L[3, 3] + 0.1 * (rand() - 0.5)
        printf "atom %.10f %.10f %.10f %s 0 0 0 0 0\n", x, y, z, E[p]
      }
      print "energy 0"; print "charge 0"; print "end"
      exit
    }' "$1" >"$5"
}

# run LABEL MODEL DATA ATOMS OPTIONS...: one timed predict, prints a table row
run() {
  label=$1 model=$2 data=$3 atoms=$4
  shift 4
  mkdir -p "$work/out"
  t0=$(date +%s.%N)
  "$hdnnp" predict "$model" "$data" -o "$work/out" "$@" >"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
  t1=$(date +%s.%N)
  choice=$(grep -o 'on: [^(]*' "$work/log" | head -1 | sed 's/^on: //; s/ *$//')
  awk -v l="$label" -v n="$atoms" -v a="$t0" -v b="$t1" -v c="${choice:--}" \
    'BEGIN { printf "%-34s %7d %9.3f %9.1f   %s\n", l, n, b - a, 1e6 * (b - a) / n, c }'
}

printf "%-34s %7s %9s %9s   %s\n" "run" "atoms" "wall [s]" "us/atom" "what ran"
for rep in "1 1 1" "2 1 1" "2 2 2"; do
  set -- $rep
  n=$((1080 * $1 * $2 * $3))
  [ "$n" -le "$max_atoms" ] || continue
  replicate "$m2/input.data" "$1" "$2" "$3" "$work/w2.data"
  run "2G water" "$m2" "$work/w2.data" "$n"
done
for rep in "1 1 1" "2 2 2" "4 4 2"; do
  set -- $rep
  n=$((384 * $1 * $2 * $3))
  [ "$n" -le "$max_atoms" ] || continue
  replicate "$m4/input.data" "$1" "$2" "$3" "$work/w4.data"
  run "4G water, auto" "$m4" "$work/w4.data" "$n"
  run "4G water, n2p2's Ewald, CG" "$m4" "$work/w4.data" "$n" --ewald n2p2 --qeq-solver cg
  [ "$n" -le 3072 ] && run "4G water, n2p2's procedure (dense)" "$m4" "$work/w4.data" "$n" --ewald n2p2 --qeq-solver dense
done
