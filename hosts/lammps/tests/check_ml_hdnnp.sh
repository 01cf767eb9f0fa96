#!/bin/sh
# ML-HDNNP input scripts run unchanged with lmp_hdnnp, on NP MPI ranks:
#   sh check_ml_hdnnp.sh MPIEXEC NP LMP_HDNNP MODEL_DIR WORKDIR
# MODEL_DIR is n2p2's H2O_RPBE-D3 reference directory (model, input.data and n2p2's expected/ outputs), the
# model of ML-HDNNP's water example. In WORKDIR, as the example expects: data.H2O-360mol (input.data in metal
# units) and hdnnp-data (a link to MODEL_DIR).
#   ml_hdnnp.in          `clear` first, ML-HDNNP's pair_style line, 10 NVE steps: runs on NP ranks; step 0's
#                        energy x cfenergy = n2p2's energy (relative 1e-10); EW summaries at steps 5 and 10
#                        (showewsum 5) with no warnings.
#   ml_hdnnp_hybrid.in   pair_style hybrid lj/cut + hdnnp, pair_coeff * * hdnnp NULL H O H, 20 atoms of the NULL
#                        type inside the box: the hdnnp energy (compute pair hdnnp) and the total energy = n2p2's
#                        energy of the water box alone (relative 1e-10); the water atoms' forces = n2p2's
#                        (absolute 1e-8 in Ha/bohr); the NULL-type atoms feel no force.
set -eu
mpiexec=$1
np=$2
lmp=$3
model=$4
work=$5
here=$(cd "$(dirname "$0")" && pwd)

rm -rf "$work"
mkdir -p "$work"
cd "$work"
angstrom_per_bohr=$(awk 'BEGIN { printf "%.17g", 1 / 1.8897261328 }')    # exactly ML-HDNNP's cflength back
ln -s "$model" hdnnp-data
awk -v types="H O" -v masses="1.008 15.999" -v scale="$angstrom_per_bohr" -f "$here/input_data_to_lammps.awk" \
    "$model/input.data" >data.H2O-360mol
awk -v types="NULL H O H" -v masses="39.948 1.008 15.999 1.008" -v scale="$angstrom_per_bohr" \
    -f "$here/input_data_to_lammps.awk" "$model/input.data" >data.hybrid
failed=0
for run in ml_hdnnp ml_hdnnp_hybrid; do
  if ! sh "$here/lmp_mpirun.sh" "$mpiexec" "$np" "$lmp" -in "$here/$run.in" -log "$run.log" >"$run.txt" 2>&1; then
    echo "FAIL: $run.in: lmp_hdnnp exited with an error; last lines of $work/$run.txt:"
    tail -n 20 "$run.txt"
    exit 1
  fi
done
grep -q "^Loop time of .* on $np procs for 10 steps with 1080 atoms" ml_hdnnp.log ||
  { echo "FAIL: ml_hdnnp.in: no 10-step run of 1080 atoms on $np procs"; failed=1; }
grep -q "^Loop time of .* on $np procs for 0 steps with 1100 atoms" ml_hdnnp_hybrid.log ||
  { echo "FAIL: ml_hdnnp_hybrid.in: no run of 1100 atoms on $np procs"; failed=1; }

awk -v cfl=1.8897261328 -v cfe=0.0367493254 '
  function abs(x) { return x < 0 ? -x : x }
  function report(name, value, limit, detail,    ok) {
    ok = value <= limit
    printf "  %-58s %.3e (limit %.0e)  %s  %s\n", name, value, limit, ok ? "ok" : "FAIL", detail
    if (!ok) bad++
  }
  FNR == 1 { file = FILENAME; in_atoms = 0 }
  file ~ /energy\.out$/ && $1 !~ /^#/ && NF >= 4 { e_ref = $4; next }
  file ~ /nnforces\.out$/ && $1 !~ /^#/ && NF == 8 { fr[$2, 1] = $6; fr[$2, 2] = $7; fr[$2, 3] = $8; next }
  file ~ /ml_hdnnp\.log$/ && $1 == "Step" { thermo = 1; next }
  file ~ /ml_hdnnp\.log$/ && thermo && $1 == "0" && NF == 4 { pe0 = $2; thermo = 0; next }
  file ~ /ml_hdnnp\.log$/ && /^### NNP EW SUMMARY ###/ { ew[$7 + 0] = $9 }
  file ~ /hybrid\.dump$/ {
    if ($1 == "ITEM:") { in_atoms = ($2 == "ATOMS"); next }
    if (!in_atoms) next
    type[$1] = $2; f[$1, 1] = $3; f[$1, 2] = $4; f[$1, 3] = $5; n++
    next
  }
  file ~ /hybrid\.log$/ && $1 == "HYBRID" { natoms = $3; pe = $5; eh = $7; n1 = $9; n4 = $11 }
  END {
    bad = 0
    print "ml_hdnnp.in:"
    report("step 0 energy x cfenergy vs n2p2 (relative)", abs(pe0 * cfe - e_ref) / abs(e_ref), 1e-10,
           sprintf("[%.17g vs %.17g]", pe0 * cfe, e_ref))
    if (!(5 in ew) || !(10 in ew) || ew[5] != 0 || ew[10] != 0) {
      printf "  FAIL: expected EW summaries with 0 warnings at steps 5 and 10, got \"%s\" and \"%s\"\n", ew[5], ew[10]; bad++
    } else print "  EW summaries at steps 5 and 10: 0 warnings  ok"
    print "ml_hdnnp_hybrid.in:"
    if (natoms != 1100 || n != 1100 || n1 != 20 || n4 < 1) {
      printf "  FAIL: atoms %s (dump %d), NULL-type atoms %s, type-4 H atoms %s\n", natoms, n, n1, n4; exit 1
    }
    printf "  %d atoms: 1080 water (%d of the H atoms of type 4), 20 of the NULL type 1\n", natoms, n4
    report("hdnnp energy x cfenergy vs n2p2, water alone (relative)", abs(eh * cfe - e_ref) / abs(e_ref), 1e-10,
           sprintf("[%.17g]", eh * cfe))
    report("total energy x cfenergy vs n2p2 (relative)", abs(pe * cfe - e_ref) / abs(e_ref), 1e-10, "")
    df = 0; f1 = 0
    for (id = 1; id <= 1080; ++id)
      for (k = 1; k <= 3; ++k) { d = abs(f[id, k] * cfe / cfl - fr[id, k]); if (d > df) df = d }
    for (id = 1081; id <= 1100; ++id) {
      if (type[id] != 1) { printf "  FAIL: atom %d has type %s, expected 1\n", id, type[id]; bad++ }
      for (k = 1; k <= 3; ++k) if (abs(f[id, k]) > f1) f1 = abs(f[id, k])
    }
    report("water forces vs n2p2 (absolute, Ha/bohr)", df, 1e-8, "")
    report("largest force on a NULL-type atom (eV/A)", f1, 0, "")
    if (bad) { print "check(s) FAILED"; exit 1 }
    print "all checks passed"
  }
' "$model/expected/energy.out" "$model/expected/nnforces.out" ml_hdnnp.log hybrid.dump ml_hdnnp_hybrid.log || failed=1
[ "$failed" = 0 ] || { echo "(files in $work)"; exit 1; }
