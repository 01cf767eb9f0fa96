#!/bin/sh
# pair_style hdnnp against `hdnnp predict` on one n2p2 structure, on NP MPI ranks, in two unit systems:
#   sh check_reference.sh MPIEXEC NP LMP_HDNNP HDNNP MODEL_DIR INPUT_DATA WORKDIR [COMMITTEE_DIRS]
# Environment: ELEMENTS (pair_coeff list, default "H O"), MASSES (default "1.008 15.999"), RC (the model's
# cutoff in model length units, default 12), FD_CHECK (1: check the virial by finite differences, the default;
# 0: only print them), PE_ATOM_CHECK (1, the default without a committee: check pe/atom per atom) and
# TOL_E / TOL_F / TOL_SUM / TOL_FD (see below).
#
# 1. `hdnnp predict MODEL_DIR INPUT_DATA` (with --committee COMMITTEE_DIRS if given) gives the reference.
# 2. The structure is converted to a LAMMPS data file twice and evaluated with reference.in (`run 0`):
#    - units electron (bohr, hartree: the model's own units), cflength = cfenergy = 1, cutoff RC;
#    - units metal (Angstrom, eV) with ML-HDNNP's factors cflength 1.8897261328, cfenergy 0.0367493254.
# 3. Checks, each in the model's units (LAMMPS values x cfenergy, forces x cfenergy / cflength):
#    - the run had NP ranks ("Loop time ... on NP procs");
#    - energy = hdnnp predict's, relative TOL_E (1e-10);
#    - forces = hdnnp predict's, absolute TOL_F (1e-8) per component;
#    - sum of compute pe/atom = pe, sum of compute stress/atom = -P_virial V (6 components) and sum of compute
#      centroid/stress/atom = -P_virial V (9 components, yx = xy ...), relative TOL_SUM (1e-10);
#    - per atom: the symmetric part of centroid/stress/atom = stress/atom (relative to the largest component,
#      1e-12); 2G single models (PE_ATOM_CHECK=1): pe/atom = hdnnp predict's atomic energy (nnatoms.out) +
#      mean_energy + atom_energy of input.nn (absolute TOL_F);
#    - the virial against the energy: W_aa = P_aa V / nktv2p = -dE/d(epsilon_aa) by central differences of the
#      box scaled by 1 +- 1e-4 along each axis, relative to max |W_aa|, TOL_FD (1e-5). Not for 3G/4G models
#      (FD_CHECK=0): n2p2's Ewald parameters, and with them the k-vector set, follow the box, so the energy is
#      not smooth in the strain at the 1e-5 level of the Ewald precision; the library tests its 3G/4G stress
#      against finite differences at fixed Ewald parameters;
#    - committee: compute hdnnp/spread per atom = committee.out's force spreads (absolute TOL_F), its scalar =
#      the energy spread (relative 1e-8).
set -eu
mpiexec=$1
np=$2
lmp=$3
hdnnp=$4
model=$5
input=$6
work=$7
committee=${8:-}
here=$(cd "$(dirname "$0")" && pwd)
ELEMENTS=${ELEMENTS:-"H O"}
MASSES=${MASSES:-"1.008 15.999"}
RC=${RC:-12}
TOL_E=${TOL_E:-1e-10}
TOL_F=${TOL_F:-1e-8}
TOL_SUM=${TOL_SUM:-1e-10}
TOL_FD=${TOL_FD:-1e-5}
FD_CHECK=${FD_CHECK:-1}
if [ -n "${8:-}" ]; then PE_ATOM_CHECK=0; fi
PE_ATOM_CHECK=${PE_ATOM_CHECK:-1}

rm -rf "$work"
mkdir -p "$work"
cd "$work"
mkdir predict

if [ -n "$committee" ]; then
  "$hdnnp" predict "$model" "$input" -o predict --committee "$committee" >predict.txt 2>&1 ||
    { echo "FAIL: hdnnp predict"; cat predict.txt; exit 1; }
  with_committee=1
else
  "$hdnnp" predict "$model" "$input" -o predict >predict.txt 2>&1 || { echo "FAIL: hdnnp predict"; cat predict.txt; exit 1; }
  with_committee=0
  committee=none
fi

failed=0
for units in electron metal; do
  if [ "$units" = electron ]; then
    scale=1; cfl=1; cfe=1; nktv2p=2.94210108e13; cutoff=$RC
  else
    scale=$(awk 'BEGIN { printf "%.17g", 1 / 1.8897261328 }')
    cfl=1.8897261328; cfe=0.0367493254; nktv2p=1.6021765e6
    cutoff=$(awk -v rc="$RC" 'BEGIN { printf "%.6f", rc / 1.8897261328 + 5e-6 }')    # rounded up
  fi
  mkdir -p "$units"
  awk -v types="$ELEMENTS" -v masses="$MASSES" -v scale="$scale" -f "$here/input_data_to_lammps.awk" "$input" >"$units/data.lmp"
  if ! (cd "$units" && sh "$here/lmp_mpirun.sh" "$mpiexec" "$np" "$lmp" -in "$here/reference.in" -log log.lammps \
          -var units "$units" -var data data.lmp -var model "$model" -var cutoff "$cutoff" -var cfl "$cfl" \
          -var cfe "$cfe" -var h 1e-4 -var elements "$ELEMENTS" -var with_committee "$with_committee" \
          -var committee "$committee" >screen.txt 2>&1); then
    echo "FAIL ($units): lmp_hdnnp exited with an error; last lines of $work/$units/screen.txt:"
    tail -n 20 "$units/screen.txt"
    exit 1
  fi
  nloops=$(grep -c "^Loop time of .* on $np procs" "$units/log.lammps" || true)
  if [ "$nloops" -lt 1 ]; then
    echo "FAIL ($units): no run on $np procs in log.lammps"
    exit 1
  fi
  spread_dump=/dev/null
  [ "$with_committee" = 1 ] && spread_dump="$units/spread.dump"
  committee_out=/dev/null
  [ "$with_committee" = 1 ] && committee_out=predict/committee.out
  echo "== units $units (cflength $cfl, cfenergy $cfe), $np rank(s), cutoff $cutoff"
  awk -v cfl="$cfl" -v cfe="$cfe" -v nktv2p="$nktv2p" -v h=1e-4 -v tol_e="$TOL_E" -v tol_f="$TOL_F" \
      -v tol_sum="$TOL_SUM" -v tol_fd="$TOL_FD" -v fd_check="$FD_CHECK" -v pe_atom_check="$PE_ATOM_CHECK" \
      -v committee="$with_committee" '
    function abs(x) { return x < 0 ? -x : x }
    function max(a, b) { return a > b ? a : b }
    function report(name, value, limit, detail,    ok) {
      ok = value <= limit
      printf "  %-52s %.3e (limit %.0e)  %s  %s\n", name, value, limit, ok ? "ok" : "FAIL", detail
      if (!ok) failed++
    }
    FNR == 1 { file = FILENAME; atoms_section = 0 }
    file ~ /input\.nn$/ && $1 == "mean_energy" { mean_energy = $2; next }
    file ~ /input\.nn$/ && $1 == "atom_energy" { atom_energy[$2] = $3; next }
    file ~ /input\.nn$/ { next }
    file ~ /input\.data$/ && $1 == "atom" { symbol[++natom_in] = $5; next }
    file ~ /input\.data$/ && $1 == "end" { nextfile }
    file ~ /input\.data$/ { next }
    file ~ /nnatoms\.out$/ && $1 !~ /^#/ && NF == 7 { ea_ref[$2] = $7; next }
    file ~ /energy\.out$/ && $1 !~ /^#/ && NF >= 4 { e_ref = $4; next }
    file ~ /nnforces\.out$/ && $1 !~ /^#/ && NF == 8 { fr[$2, 1] = $6; fr[$2, 2] = $7; fr[$2, 3] = $8; nref++; next }
    file ~ /committee\.out$/ && $1 == "E" { es_ref = $5; next }
    file ~ /committee\.out$/ && $1 == "F" { sp_ref[$3] = $5; next }
    file ~ /\.dump$/ {
      if ($1 == "ITEM:") { atoms_section = ($2 == "ATOMS"); next }
      if (!atoms_section) next
      if (file ~ /spread\.dump$/) { sp[$1] = $2; nsp++; next }
      n++
      for (k = 1; k <= 3; ++k) f[$1, k] = $(2 + k)
      pa[$1] = $6
      # symmetric part of the centroid form (xx yy zz xy xz yz yx zx zy) against stress/atom (xx yy zz xy xz yz)
      for (k = 1; k <= 6; ++k) {
        c = k <= 3 ? $(12 + k) : 0.5 * ($(12 + k) + $(15 + k))
        dcs = max(dcs, abs(c - $(6 + k))); scs = max(scs, abs($(6 + k)))
      }
      next
    }
    file ~ /log\.lammps$/ && $1 == "REFERENCE" {
      natoms = $3; pe = $5; sum_pe = $7; vol = $9
      for (k = 1; k <= 6; ++k) { pv[k] = $(10 + k); ss[k] = $(17 + k) }
      for (k = 1; k <= 9; ++k) cs[k] = $(24 + k)
      next
    }
    file ~ /log\.lammps$/ && $1 == "ESPREAD" { es = $2; next }
    file ~ /log\.lammps$/ && $1 == "STRAIN" { a = ($2 == "x") ? 1 : ($2 == "y") ? 2 : 3; e_up[a] = $3; e_dn[a] = $4; nstrain++; next }
    END {
      failed = 0
      if (natoms == "" || n != natoms || nref != natoms) {
        printf "  FAIL: atoms: thermo %s, dump %d, hdnnp predict %d\n", natoms, n, nref; exit 1
      }
      report("energy vs hdnnp predict (relative)", abs(pe * cfe - e_ref) / abs(e_ref), tol_e,
             sprintf("[%.17g vs %.17g]", pe * cfe, e_ref))
      df = 0; fmax = 0
      for (key in fr) {
        split(key, p, SUBSEP)
        df = max(df, abs(f[p[1], p[2]] * cfe / cfl - fr[key])); fmax = max(fmax, abs(fr[key]))
      }
      if (fmax == 0) { print "  FAIL: reference forces are zero"; exit 1 }
      report("forces vs hdnnp predict (absolute, model units)", df, tol_f, sprintf("[max |F| %.3e]", fmax))
      report("sum pe/atom vs pe (relative)", abs(sum_pe - pe) / abs(pe), tol_sum, "")
      if (pe_atom_check) {
        dpa = 0
        for (id = 1; id <= natoms; ++id)
          dpa = max(dpa, abs(pa[id] * cfe - (ea_ref[id] + mean_energy + atom_energy[symbol[id]])))
        report("pe/atom vs nnatoms.out + offsets (absolute, per atom)", dpa, tol_f, "")
      }
      report("centroid/stress/atom, symmetric part, vs stress/atom (rel.)", dcs / scs, 1e-12, "")
      scale = 0; d = 0; dc = 0
      for (k = 1; k <= 6; ++k) { scale = max(scale, abs(pv[k] * vol)); d = max(d, abs(ss[k] + pv[k] * vol)) }
      # centroid: xx yy zz xy xz yz yx zx zy against the symmetric -P V
      split("1 2 3 4 5 6 4 5 6", sym, " ")
      for (k = 1; k <= 9; ++k) dc = max(dc, abs(cs[k] + pv[sym[k]] * vol))
      report("sum stress/atom vs -P_virial V (relative)", d / scale, tol_sum, "")
      report("sum centroid/stress/atom vs -P_virial V (relative)", dc / scale, tol_sum, "")
      if (nstrain != 3) { print "  FAIL: STRAIN lines missing"; exit 1 }
      dfd = 0; wmax = 0
      for (a = 1; a <= 3; ++a) {
        w = pv[a] * vol / nktv2p; wfd = -(e_up[a] - e_dn[a]) / (2 * h)
        dfd = max(dfd, abs(w - wfd)); wmax = max(wmax, abs(w))
        detail = detail sprintf(" W%d %.8g/%.8g", a, w * cfe, wfd * cfe)
      }
      if (fd_check) report("virial vs -dE/dstrain (relative to max |W_aa|)", dfd / wmax, tol_fd, "[" substr(detail, 2) "]")
      else printf "  %-52s %.3e (not checked: Ewald parameters follow the box)  [%s]\n", "virial vs -dE/dstrain", dfd / wmax, substr(detail, 2)
      if (committee) {
        if (nsp != natoms) { printf "  FAIL: spread.dump has %d atoms\n", nsp; exit 1 }
        ds = 0; smax = 0
        for (id in sp_ref) { ds = max(ds, abs(sp[id] * cfe / cfl - sp_ref[id])); smax = max(smax, abs(sp_ref[id])) }
        if (smax == 0) { print "  FAIL: reference spreads are zero"; exit 1 }
        report("hdnnp/spread per atom vs committee.out (absolute)", ds, tol_f, sprintf("[max spread %.3e]", smax))
        report("hdnnp/spread scalar vs committee.out E spread (relative)", abs(es * cfe - es_ref) / abs(es_ref), 1e-8,
               sprintf("[%.12g vs %.12g]", es * cfe, es_ref))
      }
      exit failed ? 1 : 0
    }
  ' "$model/input.nn" "$input" predict/nnatoms.out predict/energy.out predict/nnforces.out "$committee_out" "$units/ref.dump" "$spread_dump" "$units/log.lammps" || failed=1
done
if [ "$failed" != 0 ]; then
  echo "check(s) FAILED (files in $work)"
  exit 1
fi
echo "all checks passed"
