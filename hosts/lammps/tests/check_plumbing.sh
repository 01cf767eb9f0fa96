#!/bin/sh
# Runs plumbing.in with lmp_hdnnp on NP MPI ranks and checks pair_style hdnnp/check against pair_style morse:
#   sh check_plumbing.sh MPIEXEC NP LMP_HDNNP WORKDIR
# Checks (relative tolerance TOL = 1e-10, each difference divided by the largest magnitude of its quantity):
#   - the run used NP ranks in one LAMMPS instance ("Loop time ... on NP procs");
#   - per atom (dumps sorted by id): forces, compute pe/atom and compute stress/atom agree with morse;
#   - globally: energy and the virial pressure tensor agree with morse;
#   - for both styles: sum of pe/atom = pe, and sum of stress/atom = -P_virial * V (all six components);
#   - after `clear`, hdnnp_register_styles makes hdnnp/check usable again.
set -eu
mpiexec=$1
np=$2
lmp=$3
work=$4
here=$(cd "$(dirname "$0")" && pwd)
TOL=${HDNNP_PLUMBING_TOL:-1e-10}

rm -rf "$work"
mkdir -p "$work"
cd "$work"

if ! sh "$here/lmp_mpirun.sh" "$mpiexec" "$np" "$lmp" -in "$here/plumbing.in" -log log.lammps >screen.txt 2>&1; then
  echo "FAIL: lmp_hdnnp exited with an error; last lines of $work/screen.txt:"
  tail -n 20 screen.txt
  exit 1
fi

nloops=$(grep -c "^Loop time of .* on $np procs" log.lammps || true)
if [ "$nloops" -ne 3 ]; then
  echo "FAIL: expected 3 runs on $np procs, found $nloops:"
  grep "^Loop time" log.lammps || true
  exit 1
fi

awk -v tol="$TOL" -v np="$np" '
  function abs(x) { return x < 0 ? -x : x }
  function max(a, b) { return a > b ? a : b }
  # report(name, max |difference|, scale): relative difference against the tolerance.
  function report(name, diff, scale,    rel, ok) {
    rel = scale > 0 ? diff / scale : diff
    ok = rel <= tol
    printf "%-48s max|diff| %.3e  scale %.6e  rel %.3e  %s\n", name, diff, scale, rel, ok ? "ok" : "FAIL"
    if (!ok) failed++
  }
  FNR == 1 { file = FILENAME; in_atoms = 0 }
  # Dumps: "ITEM: ATOMS id type fx fy fz c_pe_atom c_s_atom[1..6]", sorted by id.
  file ~ /\.dump$/ {
    if ($1 == "ITEM:") { in_atoms = ($2 == "ATOMS"); next }
    if (!in_atoms) next
    which = (file ~ /morse/) ? "m" : "c"
    n[which]++
    id = $1
    seen[which, id] = 1
    for (k = 2; k <= 12; ++k) v[which, id, k] = $k
    next
  }
  # log.lammps: the PLUMBING lines printed by plumbing.in.
  $1 == "PLUMBING" {
    s = $2
    if (s == "after_clear") { after_clear = $4; next }
    natoms[s] = $4; pe[s] = $6; sumpe[s] = $8; vol[s] = $10
    for (k = 1; k <= 6; ++k) { pv[s, k] = $(11 + k); ss[s, k] = $(18 + k) }
  }
  END {
    failed = 0
    if (!("morse" in natoms) || !("check" in natoms)) { print "FAIL: PLUMBING lines missing in log.lammps"; exit 1 }
    N = natoms["morse"]
    printf "ranks %d, atoms %d, tolerance %s\n", np, N, tol
    if (n["m"] != N || n["c"] != N || natoms["check"] != N) {
      printf "FAIL: atom counts: morse dump %d, check dump %d, thermo %d / %d\n", n["m"], n["c"], N, natoms["check"]
      exit 1
    }
    df = sf = de = se = ds = sst = 0
    for (key in seen) {
      split(key, part, SUBSEP)
      if (part[1] != "m") continue
      id = part[2]
      if (!(("c", id) in seen)) { printf "FAIL: atom %s missing from check.dump\n", id; exit 1 }
      if (v["m", id, 2] != v["c", id, 2]) { printf "FAIL: atom %s has another type\n", id; exit 1 }
      for (k = 3; k <= 5; ++k) { df = max(df, abs(v["m", id, k] - v["c", id, k])); sf = max(sf, abs(v["m", id, k])) }
      de = max(de, abs(v["m", id, 6] - v["c", id, 6])); se = max(se, abs(v["m", id, 6]))
      for (k = 7; k <= 12; ++k) { ds = max(ds, abs(v["m", id, k] - v["c", id, k])); sst = max(sst, abs(v["m", id, k])) }
    }
    if (sf < 1e-3 || se == 0 || sst == 0) { print "FAIL: reference forces/energies/stresses are (near) zero: the test would prove nothing"; exit 1 }
    report("forces vs morse (per atom)", df, sf)
    report("pe/atom vs morse (per atom)", de, se)
    report("stress/atom vs morse (per atom)", ds, sst)
    report("energy vs morse", abs(pe["check"] - pe["morse"]), abs(pe["morse"]))
    dp = sp = 0
    for (k = 1; k <= 6; ++k) { dp = max(dp, abs(pv["check", k] - pv["morse", k])); sp = max(sp, abs(pv["morse", k])) }
    report("virial pressure tensor vs morse", dp, sp)
    split("morse check", styles, " ")
    for (t = 1; t <= 2; ++t) {
      s = styles[t]
      report(s ": sum pe/atom vs pe", abs(sumpe[s] - pe[s]), abs(pe[s]))
      d = sc = 0
      for (k = 1; k <= 6; ++k) { d = max(d, abs(ss[s, k] + pv[s, k] * vol[s])); sc = max(sc, abs(pv[s, k] * vol[s])) }
      report(s ": sum stress/atom vs -P_virial*V", d, sc)
    }
    printf "energy: morse %.17g  hdnnp/check %.17g (%d atoms)\n", pe["morse"], pe["check"], N
    if (after_clear == "") { print "FAIL: no run after clear + hdnnp_register_styles"; failed++ }
    else printf "after clear + hdnnp_register_styles: pe %s\n", after_clear
    if (failed) { printf "%d check(s) FAILED\n", failed; exit 1 }
    print "all checks passed"
  }
' morse.dump check.dump log.lammps
