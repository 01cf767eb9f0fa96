// pair_style hdnnp: high-dimensional neural network potentials (2G, 3G, 4G HDNNPs, n2p2 model directories)
// evaluated by the hdnnp library. The input syntax is that of LAMMPS's ML-HDNNP package (n2p2), so existing
// input scripts run unchanged, plus keywords for 3G/4G total charge and committees:
//
//   pair_style hdnnp cutoff [dir D] [showew yes|no] [showewsum N] [maxew N] [resetew yes|no]
//                           [cflength F] [cfenergy F] [charge Q] [committee D2,D3,...]
//                           [spreadwarn F] [maxspread F]
//   pair_coeff * * El1 El2 ...          (one element symbol or NULL per LAMMPS atom type)
//
// See hosts/lammps/README.md for every keyword, the units and what differs from ML-HDNNP. The per-atom force
// spread of a committee is the per-atom vector of `compute ID group hdnnp/spread` (compute_hdnnp_spread.h).
//
// Like the other pair_*.h files of LAMMPS, this header declares the style for LAMMPS's own build (PAIR_CLASS
// branch) when copied into a LAMMPS source tree; lmp_hdnnp registers it at run time instead. It includes no
// hdnnp header (the evaluation lives behind a pointer to PairHDNNP::Impl, in pair_hdnnp.cpp), so LAMMPS's
// force.cpp, which includes every pair style's header, needs neither C++17 nor hdnnp's include paths.

#ifdef PAIR_CLASS
// clang-format off
PairStyle(hdnnp,PairHDNNP);
// clang-format on
#else

#ifndef LMP_PAIR_HDNNP_H
#define LMP_PAIR_HDNNP_H

#include "pair.h"

#include <memory>
#include <string>
#include <vector>

namespace LAMMPS_NS {

class PairHDNNP : public Pair {
 public:
  explicit PairHDNNP(class LAMMPS *lmp);
  ~PairHDNNP() override;
  void compute(int eflag, int vflag) override;
  void settings(int narg, char **arg) override;
  void coeff(int narg, char **arg) override;
  void init_style() override;
  double init_one(int i, int j) override;
  int pack_reverse_comm(int n, int first, double *buf) override;
  void unpack_reverse_comm(int n, int *list, double *buf) override;
  double memory_usage() override;

  // For compute hdnnp/spread: the committee's size (1 without `committee`), the force spread of each local
  // atom [LAMMPS force units] and the energy spread [LAMMPS energy units] of the last evaluation, and its step.
  int committee_size() const;
  const double *force_spread() const { return spread.data(); }
  double energy_spread() const { return energy_spread_value; }
  bigint spread_step() const { return spread_timestep; }

  struct Impl;    // the loaded potential and the per-step buffers (pair_hdnnp.cpp)

 private:
  void compute_local(int eflag, int vflag);     // 2G: LAMMPS's full list, local + ghost atoms
  void compute_gathered(int eflag, int vflag);  // 3G/4G: the whole system gathered on every rank
  void handle_extrapolation(long count, const std::vector<std::string> &lines);
  void handle_spread();
  void gather_lines(const std::vector<std::string> &mine, long total, const char *what);

  // pair_style arguments (ML-HDNNP's names and defaults, except maxew: none by default)
  double cutoff = 0.0;              // [LAMMPS length]
  std::string directory = "hdnnp/";
  bool showew = true;
  int showewsum = 0;
  long maxew = -1;                  // < 0: no limit (ML-HDNNP's default 0 stops at the first warning)
  bool resetew = false;
  double cflength = 1.0;            // model length per LAMMPS length
  double cfenergy = 1.0;            // model energy per LAMMPS energy
  double total_charge = 0.0;        // 3G/4G [e]
  std::vector<std::string> committee_dirs;
  double spreadwarn = -1.0;         // [LAMMPS force]; < 0: off
  double maxspread = -1.0;          // [LAMMPS force]; < 0: off

  // pair_coeff: element index of each LAMMPS type (index 0 unused; -1: NULL)
  std::vector<std::string> type_symbols;
  std::vector<int> type_element;

  // extrapolation-warning counters (global sums over the ranks)
  long ew_total = 0;
  long ew_summary = 0;

  // committee spreads of the local atoms
  std::vector<double> spread;
  double energy_spread_value = 0.0;
  bigint spread_timestep = -1;

  std::unique_ptr<Impl> impl;
};

}    // namespace LAMMPS_NS

#endif
#endif
