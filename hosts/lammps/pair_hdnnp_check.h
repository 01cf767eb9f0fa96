// pair_style hdnnp/check: a Morse pair potential evaluated the way the real `pair_style hdnnp` will evaluate
// a many-body potential (full neighbour list, energies owned by the central atom, forces written to ghost
// atoms and summed back by LAMMPS's reverse communication, newton pair on required). Its energies, forces,
// per-atom energies and per-atom virials equal those of LAMMPS's own `pair_style morse` for the same
// coefficients, which is what hosts/lammps/tests/plumbing.in checks on 1 and 2 MPI ranks.
//
// It exists only to prove the plumbing of the LAMMPS host (style registration, neighbour request, ghost
// atoms, reverse communication, ev_tally machinery) before the real style exists; delete it (and its test)
// once `pair_style hdnnp` is in place and tested the same way.
//
//   pair_style hdnnp/check Rc
//   pair_coeff I J D0 alpha r0 [Rc_IJ]        (as pair_style morse; every I,J pair must be set, no mixing)
//
// Like the other pair_*.h files of LAMMPS, this header declares the style for LAMMPS's own build (PAIR_CLASS
// branch) when copied into a LAMMPS source tree; lmp_hdnnp registers it at run time instead.

#ifdef PAIR_CLASS
// clang-format off
PairStyle(hdnnp/check,PairHDNNPCheck);
// clang-format on
#else

#ifndef LMP_PAIR_HDNNP_CHECK_H
#define LMP_PAIR_HDNNP_CHECK_H

#include "pair.h"

namespace LAMMPS_NS {

class PairHDNNPCheck : public Pair {
 public:
  explicit PairHDNNPCheck(class LAMMPS *lmp);
  ~PairHDNNPCheck() override;
  void compute(int eflag, int vflag) override;
  void settings(int narg, char **arg) override;
  void coeff(int narg, char **arg) override;
  void init_style() override;
  double init_one(int i, int j) override;

 private:
  void allocate();

  double cut_global = 0.0;
  double **cut = nullptr;
  double **d0 = nullptr;
  double **alpha = nullptr;
  double **r0 = nullptr;
  double **offset_ij = nullptr;    // energy shift at the cutoff (pair_modify shift yes), as pair_style morse
};

}    // namespace LAMMPS_NS

#endif
#endif
