#!/bin/sh
# What LAMMPS adds per MD step around pair_style hdnnp, against the library called directly, on n2p2's
# 1080-atom H2O_RPBE-D3 water box (metal units, ML-HDNNP's cflength/cfenergy, NVE, 0.5 fs, 300 K):
#
#   sh benchmarks/lammps_overhead.sh [BUILD_DIR] [STEPS]      (defaults: build, 200)
#
# BUILD_DIR must hold lammps/lmp_hdnnp and benchmarks/bench_structure (cmake --build BUILD_DIR --target
# lmp_hdnnp bench_structure). The reference data are read from HDNNP_REFERENCE_DIR (default: ../shared/reference/n2p2
# beside the repository). Prints the library's time per compute(structure) (neighbour list + energy + forces,
# one thread) and LAMMPS's time per step (`run STEPS`, from "Loop time", and its Pair share) on 1 rank, on 2
# ranks and on 1 rank with 2 OpenMP threads, with the ratio of each to the library's time on the same cores.
# Run it on an otherwise idle machine: the numbers are wall-clock times.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build}" && pwd)
steps=${2:-200}
ref=${HDNNP_REFERENCE_DIR:-$here/../../shared/reference/n2p2}
model=$(cd "$ref/predict/H2O_RPBE-D3" && pwd)
lmp=$build/lammps/lmp_hdnnp
bench=$build/benchmarks/bench_structure
for f in "$lmp" "$bench"; do
  [ -x "$f" ] || { echo "lammps_overhead: $f not found (cmake --build $build --target lmp_hdnnp bench_structure)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

awk -v types="H O" -v masses="1.008 15.999" -v scale="$(awk 'BEGIN { printf "%.17g", 1 / 1.8897261328 }')" \
    -f "$here/../hosts/lammps/tests/input_data_to_lammps.awk" "$model/input.data" >data.lmp
cat >in.bench <<EOT
units           metal
atom_style      atomic
boundary        p p p
read_data       data.lmp
pair_style      hdnnp 6.36 dir $model showew no showewsum 0 cflength 1.8897261328 cfenergy 0.0367493254
pair_coeff      * * H O
velocity        all create 300.0 4928459 mom yes rot yes dist gaussian
timestep        0.0005
fix             int all nve
thermo          $steps
run             $steps
EOT

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
lib1=$(OMP_NUM_THREADS=1 "$bench" "$model" "$model/input.data" --threads 1 | awk '$1 == "compute(structure)" { print $3 }')
lib2=$(OMP_NUM_THREADS=2 "$bench" "$model" "$model/input.data" --threads 2 | awk '$1 == "compute(structure)" { print $3 }')

lammps() {    # lammps NP THREADS -> "ms/step pair-ms/step neigh-ms/step comm-ms/step"
  # --bind-to none: Open MPI binds each rank to one core by default, which would put all threads of a rank on it.
  OMP_NUM_THREADS=$2 mpirun --bind-to none -np "$1" "$lmp" -in in.bench -log "log.$1.$2" -screen none >/dev/null 2>&1
  awk -v n="$steps" '
    /^Loop time of/ { loop = $4 }
    $1 == "Pair" { pair = $5 } $1 == "Neigh" { neigh = $5 } $1 == "Comm" { comm = $5 }
    END { printf "%.3f %.3f %.3f %.3f\n", 1e3 * loop / n, 1e3 * pair / n, 1e3 * neigh / n, 1e3 * comm / n }' "log.$1.$2"
}
set -- $(lammps 1 1); r11=$1; p11=$2; n11=$3; c11=$4
set -- $(lammps 2 1); r21=$1; p21=$2; n21=$3; c21=$4
set -- $(lammps 1 2); r12=$1; p12=$2; n12=$3; c12=$4

echo "water 1080 atoms (H2O_RPBE-D3), $steps NVE steps per LAMMPS run, times in ms (wall clock)"
printf "%-44s %10s %10s %10s %10s %10s\n" "" "per step" "Pair" "Neigh" "Comm" "/library"
printf "%-44s %10.3f %10s %10s %10s %10s\n" "library compute(structure), 1 thread" "$lib1" "" "" "" "1"
printf "%-44s %10.3f %10s %10s %10s %10s\n" "library compute(structure), 2 threads" "$lib2" "" "" "" "1"
awk -v r="$r11" -v p="$p11" -v n="$n11" -v c="$c11" -v l="$lib1" 'BEGIN { printf "%-44s %10.3f %10.3f %10.3f %10.3f %10.3f\n", "LAMMPS 1 rank x 1 thread", r, p, n, c, r / l }'
awk -v r="$r21" -v p="$p21" -v n="$n21" -v c="$c21" -v l="$lib2" -v r1="$r11" 'BEGIN { printf "%-44s %10.3f %10.3f %10.3f %10.3f %10.3f   (speed-up over 1 rank %.2f)\n", "LAMMPS 2 ranks x 1 thread", r, p, n, c, r / l, r1 / r }'
awk -v r="$r12" -v p="$p12" -v n="$n12" -v c="$c12" -v l="$lib2" -v r1="$r11" 'BEGIN { printf "%-44s %10.3f %10.3f %10.3f %10.3f %10.3f   (speed-up over 1 thread %.2f)\n", "LAMMPS 1 rank x 2 threads", r, p, n, c, r / l, r1 / r }'
