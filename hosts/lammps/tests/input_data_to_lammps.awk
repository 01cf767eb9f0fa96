# Converts the first structure of an n2p2 input.data file into a LAMMPS data file (atom_style atomic):
#
#   awk -v types="H O" -v masses="1.008 15.999" [-v scale=S] [-v extra=N] -f input_data_to_lammps.awk input.data
#
# types:  element symbols in LAMMPS type order (type 1 = first symbol, ...); an element's atoms get the first type
#         that lists it, an element of the structure that is not listed is an error. A symbol may be NULL or
#         repeated (types no atom of the structure gets).
# masses: one mass per type [LAMMPS mass units].
# scale:  LAMMPS length per input.data length (1 by default; 1/1.8897261328 turns bohr into Angstrom).
# extra:  number of additional atom types declared (atoms are not added), e.g. for pair_style hybrid tests.
#
# Atom IDs follow the order of input.data (ID k = atom k), so LAMMPS's dumps sorted by ID line up with
# hdnnp predict's nnforces.out. A periodic cell is rotated into LAMMPS's restricted triclinic form (a along x,
# b in the xy plane; orthogonal cells stay as they are) and the atoms with it (through fractional
# coordinates); a structure without a cell gets a box 20 lengths larger than its extent (use boundary f f f or
# s s s).
function abs(x) { return x < 0 ? -x : x }
BEGIN {
  if (scale == "") scale = 1.0
  if (extra == "") extra = 0
  ntypes = split(types, tname, " ")
  if (split(masses, tmass, " ") != ntypes) { print "input_data_to_lammps: one mass per type is needed" > "/dev/stderr"; exit 1 }
  for (t = ntypes; t >= 1; --t) type_of[tname[t]] = t
  n = 0; nl = 0; done = 0
}
done { next }
$1 == "lattice" { ++nl; for (k = 1; k <= 3; ++k) L[nl, k] = $(k + 1) * scale; next }
$1 == "atom" {
  ++n
  for (k = 1; k <= 3; ++k) X[n, k] = $(k + 1) * scale
  if (!($5 in type_of)) { printf "input_data_to_lammps: element %s is not in types \"%s\"\n", $5, types > "/dev/stderr"; failed = 1; exit 1 }
  T[n] = type_of[$5]
  next
}
$1 == "end" { done = 1 }
END {
  if (failed) exit 1
  if (n == 0) { print "input_data_to_lammps: no atoms" > "/dev/stderr"; exit 1 }
  printf "LAMMPS data file from n2p2 input.data (%d atoms)\n\n%d atoms\n%d atom types\n\n", n, n, ntypes + extra
  if (nl == 3) {
    # Restricted triclinic form: a' = (ax, 0, 0), b' = (bx, by, 0), c' = (cx, cy, cz).
    la = sqrt(L[1,1]^2 + L[1,2]^2 + L[1,3]^2)
    lb = sqrt(L[2,1]^2 + L[2,2]^2 + L[2,3]^2)
    lc = sqrt(L[3,1]^2 + L[3,2]^2 + L[3,3]^2)
    ab = L[1,1]*L[2,1] + L[1,2]*L[2,2] + L[1,3]*L[2,3]
    ac = L[1,1]*L[3,1] + L[1,2]*L[3,2] + L[1,3]*L[3,3]
    bc = L[2,1]*L[3,1] + L[2,2]*L[3,2] + L[2,3]*L[3,3]
    ax = la; bx = ab / la; by = sqrt(lb^2 - bx^2)
    cx = ac / la; cy = (bc - bx * cx) / by; cz = sqrt(lc^2 - cx^2 - cy^2)
    orth = abs(L[1,2]) + abs(L[1,3]) + abs(L[2,1]) + abs(L[2,3]) + abs(L[3,1]) + abs(L[3,2]) == 0 && L[1,1] > 0 && L[2,2] > 0 && L[3,3] > 0
    # Inverse of the input cell (rows a, b, c): fractional f = x . inv(L).
    det = L[1,1]*(L[2,2]*L[3,3]-L[2,3]*L[3,2]) - L[1,2]*(L[2,1]*L[3,3]-L[2,3]*L[3,1]) + L[1,3]*(L[2,1]*L[3,2]-L[2,2]*L[3,1])
    I[1,1] = (L[2,2]*L[3,3]-L[2,3]*L[3,2])/det; I[1,2] = (L[1,3]*L[3,2]-L[1,2]*L[3,3])/det; I[1,3] = (L[1,2]*L[2,3]-L[1,3]*L[2,2])/det
    I[2,1] = (L[2,3]*L[3,1]-L[2,1]*L[3,3])/det; I[2,2] = (L[1,1]*L[3,3]-L[1,3]*L[3,1])/det; I[2,3] = (L[1,3]*L[2,1]-L[1,1]*L[2,3])/det
    I[3,1] = (L[2,1]*L[3,2]-L[2,2]*L[3,1])/det; I[3,2] = (L[1,2]*L[3,1]-L[1,1]*L[3,2])/det; I[3,3] = (L[1,1]*L[2,2]-L[1,2]*L[2,1])/det
    printf "0 %.17g xlo xhi\n0 %.17g ylo yhi\n0 %.17g zlo zhi\n", ax, by, cz
    if (!orth) printf "%.17g %.17g %.17g xy xz yz\n", bx, cx, cy
  } else {
    for (k = 1; k <= 3; ++k) { lo[k] = X[1, k]; hi[k] = X[1, k] }
    for (i = 2; i <= n; ++i) for (k = 1; k <= 3; ++k) { if (X[i, k] < lo[k]) lo[k] = X[i, k]; if (X[i, k] > hi[k]) hi[k] = X[i, k] }
    printf "%.17g %.17g xlo xhi\n%.17g %.17g ylo yhi\n%.17g %.17g zlo zhi\n", lo[1] - 10, hi[1] + 10, lo[2] - 10, hi[2] + 10, lo[3] - 10, hi[3] + 10
  }
  printf "\nMasses\n\n"
  for (t = 1; t <= ntypes; ++t) printf "%d %s\n", t, tmass[t]
  for (t = ntypes + 1; t <= ntypes + extra; ++t) printf "%d 1.0\n", t
  printf "\nAtoms # atomic\n\n"
  for (i = 1; i <= n; ++i) {
    if (nl == 3 && !orth) {
      for (k = 1; k <= 3; ++k) f[k] = X[i,1]*I[1,k] + X[i,2]*I[2,k] + X[i,3]*I[3,k]
      x = f[1]*ax + f[2]*bx + f[3]*cx; y = f[2]*by + f[3]*cy; z = f[3]*cz
    } else { x = X[i, 1]; y = X[i, 2]; z = X[i, 3] }
    printf "%d %d %.17g %.17g %.17g\n", i, T[i], x, y, z
  }
}
