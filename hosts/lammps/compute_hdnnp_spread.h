// compute ID group hdnnp/spread: the disagreement of a pair_style hdnnp committee (keyword `committee`).
//
//   per-atom vector   force spread of each atom, sqrt(1/M sum_m |F_m - F_mean|^2) over the M members
//                     [LAMMPS force units]; 0 for atoms outside the group
//   global scalar     energy spread of the whole system, sqrt(1/M sum_m (E_m - E_mean)^2) [LAMMPS energy units]
//
// Both are population standard deviations over the members, as `hdnnp predict --committee` writes them
// (committee.out), from the pair style's last force evaluation (which must be of the current step, as it is
// for thermo, dump and fix output during a run). Works with pair_style hybrid (the hdnnp sub-style).
//
// Like LAMMPS's compute_*.h files, this header declares the style for LAMMPS's own build; lmp_hdnnp registers
// it at run time.

#ifdef COMPUTE_CLASS
// clang-format off
ComputeStyle(hdnnp/spread,ComputeHDNNPSpread);
// clang-format on
#else

#ifndef LMP_COMPUTE_HDNNP_SPREAD_H
#define LMP_COMPUTE_HDNNP_SPREAD_H

#include "compute.h"

namespace LAMMPS_NS {

class ComputeHDNNPSpread : public Compute {
 public:
  ComputeHDNNPSpread(class LAMMPS *lmp, int narg, char **arg);
  ~ComputeHDNNPSpread() override;
  void init() override;
  double compute_scalar() override;
  void compute_peratom() override;
  double memory_usage() override;

 private:
  class PairHDNNP *current_pair();
  int nmax = 0;
  double *values = nullptr;
};

}    // namespace LAMMPS_NS

#endif
#endif
