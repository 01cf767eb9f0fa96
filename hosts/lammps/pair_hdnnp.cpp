// pair_style hdnnp: see pair_hdnnp.h and hosts/lammps/README.md.
//
// Two evaluation paths, chosen by the model's generation:
//
// - 2G (short range): every rank evaluates its own atoms with LAMMPS's full neighbour list through the
//   library's host entry point, Potential::compute(HostAtoms, FullNeighborList, HostOutput): positions of local
//   and ghost atoms and the element index of each atom go in as views of LAMMPS's arrays, forces come back on
//   local AND ghost atoms (atom->f; LAMMPS's reverse communication adds the ghosts' forces to their owners,
//   hence newton pair on), the energy and virial of this rank's centres, per-atom energies of the local atoms
//   and per-atom virials of local and ghost atoms (folded back by compute stress/atom's reverse
//   communication). Sums over the ranks are the totals. With cflength = cfenergy = 1, atom->x and atom->f
//   are handed to the library as they are, without copies.
// - 3G/4G (charges are global): every rank gathers the whole system (positions by atom tag, elements, the
//   periodic box) into a hdnnp::Structure, evaluates it with per-atom energies and virials, and keeps the
//   forces, per-atom energies and per-atom virials of its own atoms; the global energy and virial are the
//   sums of those per-atom values, so again the sums over the ranks are the totals. Correct, not parallel:
//   every rank computes the whole system.
//
// Units: the library works in the model's units. Positions x cflength, energies / cfenergy,
// forces x cflength / cfenergy, virials / cfenergy (ML-HDNNP's convention: the factors convert LAMMPS units
// to model units).
//
// Committees (`committee D2,D3`): the mean of the members goes to LAMMPS; for 2G each member's force
// deviation from the mean is folded back like the forces (a reverse communication of 3 M values per ghost
// atom), since the spread, sqrt(1/M sum_m |F_m - F_mean|^2), is not additive over ranks.

#include "pair_hdnnp.h"

#include "atom.h"
#include "comm.h"
#include "domain.h"
#include "error.h"
#include "force.h"
#include "memory.h"
#include "neigh_list.h"
#include "neigh_request.h"
#include "neighbor.h"
#include "update.h"

#include <hdnnp/core/electrostatics_choice.hpp>
#include <hdnnp/hdnnp.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <numeric>

using namespace LAMMPS_NS;

namespace {

// Lines (extrapolation warnings, committee spreads) gathered to rank 0 per step: at most this many per rank,
// and printed: at most this many in all; the rest are counted.
constexpr int kMaxLinesPerStep = 10;

bool parse_yes_no(const char *s, bool &value)
{
  const std::string v(s);
  if (v == "yes" || v == "on" || v == "true") return value = true, true;
  if (v == "no" || v == "off" || v == "false") return value = false, true;
  return false;
}

std::vector<std::string> split_commas(const std::string &s)
{
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = s.find(',', start);
    out.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

std::string with_slash(const std::string &dir)
{
  return dir.empty() || dir.back() == '/' ? dir : dir + "/";
}

// n2p2's extrapolation-warning line, with LAMMPS's meaning of the fields (as ML-HDNNP): STRUCTURE is the MPI
// rank that owns the atom, ATOM its tag; for committees the member whose scaling.data range was left.
std::string ew_line(int rank, tagint tag, const hdnnp::ExtrapolationWarning &w, bool committee)
{
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "### NNP EXTRAPOLATION WARNING ### STRUCTURE: %6d ATOM: %9lld ELEMENT: %2s SYMFUNC: %4zu TYPE: %2d "
                "VALUE: %10.3E MIN: %10.3E MAX: %10.3E",
                rank, static_cast<long long>(tag), w.element.c_str(), w.function, w.type, w.value, w.min, w.max);
  std::string line(buf);
  if (committee) line += " MODEL: " + std::to_string(w.member + 1);
  return line + "\n";
}

}    // namespace

// The loaded model(s) and the per-step buffers.
struct PairHDNNP::Impl {
  using Potential = hdnnp::Potential<>;
  using Committee = hdnnp::Committee<Potential>;

  std::unique_ptr<Committee> models;      // member 0 is `dir`; one member without `committee`
  // 3G/4G: pair_style keywords ewald and qeq_solver, and the last choice written to the log
  hdnnp::EwaldBalance ewald_balance = hdnnp::EwaldBalance::automatic;
  hdnnp::QeqSolverKind qeq_solver = hdnnp::QeqSolverKind::automatic;
  std::string electrostatics_used;
  std::vector<std::string> loaded_dirs;   // what `models` was loaded from
  const Potential &potential() const { return models->member(0); }
  bool charged() const { return potential().generation() != hdnnp::Generation::second; }

  // 2G
  std::vector<double> x;       // positions x cflength (only when cflength != 1) [model length]
  std::vector<int> element;    // element index per local + ghost atom (-1: NULL type)
  std::vector<double> f;       // forces [model units] (only when cflength or cfenergy != 1)
  std::vector<double> e;       // per-atom energies [model energy] (only when cfenergy != 1)
  std::vector<double> v;       // per-atom virials, (n_all, 3, 3) [model energy]
  std::vector<double> dev;     // committee force deviations, (M, n_all, 3) [model force]
  int dev_nall = 0;            // n_all of `dev` (for pack/unpack_reverse_comm)

  // 3G/4G: the gathered system
  std::vector<int> counts, displs;
  std::vector<tagint> tags_all;
  std::vector<int> element_all;
  std::vector<double> x_all;
  std::vector<int> order;      // structure index -> gathered index (sorted by tag)
  std::vector<int> rank_of;    // gathered index -> owning rank
};

/* ---------------------------------------------------------------------- */

PairHDNNP::PairHDNNP(LAMMPS *lmp) : Pair(lmp), impl(new Impl)
{
  single_enable = 0;               // many-body: no pair energy
  restartinfo = 0;                 // pair_style/pair_coeff are not written to restart files
  one_coeff = 1;                   // pair_coeff * * El1 El2 ...
  manybody_flag = 1;
  unit_convert_flag = 0;           // cflength/cfenergy instead
  reinitflag = 0;
  no_virial_fdotr_compute = 1;     // the virial comes from the library (a sum over neighbour vectors)
  centroidstressflag = CENTROID_AVAIL;
}

PairHDNNP::~PairHDNNP()
{
  if (allocated) {
    memory->destroy(setflag);
    memory->destroy(cutsq);
  }
}

int PairHDNNP::committee_size() const
{
  return impl->models ? static_cast<int>(impl->models->size()) : 1 + static_cast<int>(committee_dirs.size());
}

/* ----------------------------------------------------------------------
   pair_style hdnnp cutoff keyword value ...
------------------------------------------------------------------------- */

void PairHDNNP::settings(int narg, char **arg)
{
  if (narg < 1) error->all(FLERR, "Illegal pair_style hdnnp command: expected the cutoff first");
  cutoff = utils::numeric(FLERR, arg[0], false, lmp);
  if (!(cutoff > 0.0)) error->all(FLERR, "Illegal pair_style hdnnp command: the cutoff must be > 0");

  // ML-HDNNP's defaults (maxew: none, see pair_hdnnp.h)
  directory = "hdnnp/";
  showew = true;
  showewsum = 0;
  maxew = -1;
  resetew = false;
  cflength = 1.0;
  cfenergy = 1.0;
  total_charge = 0.0;
  committee_dirs.clear();
  spreadwarn = -1.0;
  maxspread = -1.0;
  impl->ewald_balance = hdnnp::EwaldBalance::automatic;
  impl->qeq_solver = hdnnp::QeqSolverKind::automatic;
  impl->electrostatics_used.clear();
  ew_total = ew_summary = 0;

  for (int iarg = 1; iarg < narg; iarg += 2) {
    const std::string key = arg[iarg];
    if (iarg + 1 >= narg) error->all(FLERR, "Illegal pair_style hdnnp command: keyword {} needs a value", key);
    const char *value = arg[iarg + 1];
    if (key == "dir") {
      directory = value;
    } else if (key == "showew") {
      if (!parse_yes_no(value, showew))
        error->all(FLERR, "Illegal pair_style hdnnp command: showew takes yes or no, not {}", value);
    } else if (key == "showewsum") {
      showewsum = utils::inumeric(FLERR, value, false, lmp);
      if (showewsum < 0) error->all(FLERR, "Illegal pair_style hdnnp command: showewsum must be >= 0");
    } else if (key == "maxew") {
      maxew = utils::inumeric(FLERR, value, false, lmp);
      if (maxew < 0) error->all(FLERR, "Illegal pair_style hdnnp command: maxew must be >= 0");
    } else if (key == "resetew") {
      if (!parse_yes_no(value, resetew))
        error->all(FLERR, "Illegal pair_style hdnnp command: resetew takes yes or no, not {}", value);
    } else if (key == "cflength") {
      cflength = utils::numeric(FLERR, value, false, lmp);
      if (!(cflength > 0.0)) error->all(FLERR, "Illegal pair_style hdnnp command: cflength must be > 0");
    } else if (key == "cfenergy") {
      cfenergy = utils::numeric(FLERR, value, false, lmp);
      if (!(cfenergy > 0.0)) error->all(FLERR, "Illegal pair_style hdnnp command: cfenergy must be > 0");
    } else if (key == "charge") {
      total_charge = utils::numeric(FLERR, value, false, lmp);
    } else if (key == "committee") {
      committee_dirs = split_commas(value);
      for (const std::string &d : committee_dirs)
        if (d.empty())
          error->all(FLERR, "Illegal pair_style hdnnp command: empty directory in committee {}", value);
    } else if (key == "spreadwarn") {
      spreadwarn = utils::numeric(FLERR, value, false, lmp);
      if (spreadwarn < 0.0) error->all(FLERR, "Illegal pair_style hdnnp command: spreadwarn must be >= 0");
    } else if (key == "maxspread") {
      maxspread = utils::numeric(FLERR, value, false, lmp);
      if (maxspread < 0.0) error->all(FLERR, "Illegal pair_style hdnnp command: maxspread must be >= 0");
    } else if (key == "ewald" || key == "qeq_solver") {
      try {
        if (key == "ewald") impl->ewald_balance = hdnnp::parse_ewald_balance(value, key);
        else impl->qeq_solver = hdnnp::parse_qeq_solver(value, key);
      } catch (const hdnnp::Error &e) {
        error->all(FLERR, "Illegal pair_style hdnnp command: {}", e.what());
      }
    } else {
      error->all(FLERR, "Illegal pair_style hdnnp command: unknown keyword {}", key);
    }
  }
  if ((spreadwarn >= 0.0 || maxspread >= 0.0) && committee_dirs.empty())
    error->all(FLERR, "Illegal pair_style hdnnp command: spreadwarn and maxspread need a committee");

  // 2G committees fold each member's force deviations back from the ghost atoms (3 values per member);
  // set here, before Comm::init sizes its buffers (and before pair_style hybrid takes the maximum).
  comm_reverse = committee_dirs.empty() ? 0 : 3 * static_cast<int>(1 + committee_dirs.size());
}

/* ----------------------------------------------------------------------
   pair_coeff * * El1 El2 ... (element symbol or NULL per atom type)
------------------------------------------------------------------------- */

void PairHDNNP::coeff(int narg, char **arg)
{
  const int n = atom->ntypes;
  if (narg != 2 + n)
    error->all(FLERR, "Incorrect args for pair coefficients: pair_style hdnnp takes pair_coeff * * and one element "
                      "symbol or NULL for each of the {} atom types", n);
  if (std::strcmp(arg[0], "*") != 0 || std::strcmp(arg[1], "*") != 0)
    error->all(FLERR, "Incorrect args for pair coefficients: pair_style hdnnp takes pair_coeff * * El1 El2 ...");
  if (!allocated) {
    allocated = 1;
    memory->create(setflag, n + 1, n + 1, "pair:setflag");
    memory->create(cutsq, n + 1, n + 1, "pair:cutsq");
  }
  type_symbols.assign(n + 1, "");
  for (int t = 1; t <= n; ++t) type_symbols[t] = arg[1 + t];

  // Pairs of mapped types are this style's (pair_style hybrid assigns them from setflag); NULL types are
  // neither centres nor neighbours.
  int count = 0;
  for (int i = 1; i <= n; ++i)
    for (int j = i; j <= n; ++j) {
      setflag[i][j] = type_symbols[i] != "NULL" && type_symbols[j] != "NULL";
      count += setflag[i][j];
    }
  if (count == 0) error->all(FLERR, "Incorrect args for pair coefficients: every type is NULL");
  type_element.clear();    // resolved against the model in init_style
}

/* ---------------------------------------------------------------------- */

void PairHDNNP::init_style()
{
  // Forces land on ghost atoms and must be summed back to their owners.
  if (force->newton_pair == 0) error->all(FLERR, "Pair style hdnnp requires newton pair on");
  if (atom->tag_enable == 0) error->all(FLERR, "Pair style hdnnp requires atom IDs");

  // Full neighbour list of the owned atoms (neighbours include ghosts). Request API of LAMMPS up to
  // 29 Sep 2021; later versions: neighbor->add_request(this, NeighConst::REQ_FULL).
  const int irequest = neighbor->request(this, instance_me);
  neighbor->requests[irequest]->half = 0;
  neighbor->requests[irequest]->full = 1;

  // Load (or reload after a new pair_style command) the model(s). Every rank reads the files.
  std::vector<std::string> dirs{with_slash(directory)};
  for (const std::string &d : committee_dirs) dirs.push_back(with_slash(d));
  if (!impl->models || impl->loaded_dirs != dirs) {
    try {
      impl->models = std::make_unique<Impl::Committee>(Impl::Committee::load(dirs));
    } catch (const std::exception &e) {
      error->all(FLERR, "pair_style hdnnp: cannot load the model: {}", e.what());
    }
    impl->loaded_dirs = dirs;
    ew_total = ew_summary = 0;
  }
  const Impl::Potential &pot = impl->potential();
  const std::vector<std::string> symbols = pot.model().symbols();
  std::string elements;
  for (const std::string &s : symbols) elements += (elements.empty() ? "" : " ") + s;

  // Types -> elements (pair_coeff), checked against the model.
  if (type_symbols.size() != static_cast<std::size_t>(atom->ntypes + 1))
    error->all(FLERR, "pair_style hdnnp: pair_coeff * * El1 El2 ... has not been given for the {} atom types",
               atom->ntypes);
  type_element.assign(atom->ntypes + 1, -1);
  for (int t = 1; t <= atom->ntypes; ++t) {
    if (type_symbols[t] == "NULL") continue;
    const auto it = std::find(symbols.begin(), symbols.end(), type_symbols[t]);
    if (it == symbols.end())
      error->all(FLERR, "pair_coeff: element {} (atom type {}) is not in the model in {} (elements: {})",
                 type_symbols[t], t, dirs[0], elements);
    type_element[t] = static_cast<int>(it - symbols.begin());
  }

  // The cutoff (LAMMPS units) must cover the model's (model units / cflength).
  const double model_cutoff = pot.cutoff() / cflength;
  if (cutoff < model_cutoff)
    error->all(FLERR, "pair_style hdnnp: cutoff {} is smaller than the model's cutoff {:.10g} ({:.10g} in model "
                      "length units / cflength {:.10g})", cutoff, model_cutoff, pot.cutoff(), cflength);

  if (impl->charged()) {
    const int np = domain->xperiodic + domain->yperiodic + domain->zperiodic;
    if (np != 0 && np != 3)
      error->all(FLERR, "pair_style hdnnp: a {} model needs a box periodic in all three dimensions or in none "
                        "(boundary p p p or f f f / s s s)",
                 pot.generation() == hdnnp::Generation::third ? "3G-HDNNP" : "4G-HDNNP");
    try {
      pot.check_neutrality(np == 3, total_charge);
    } catch (const std::exception &e) {
      error->all(FLERR, "pair_style hdnnp: {} (keyword charge)", e.what());
    }
  }

  if (comm->me == 0) {
    std::string msg = fmt::format("pair_style hdnnp: {} model in {} (elements {}, cutoff {:.10g} in model units), "
                                  "cflength {:.10g}, cfenergy {:.10g}\n",
                                  pot.generation() == hdnnp::Generation::second  ? "2G-HDNNP"
                                      : pot.generation() == hdnnp::Generation::third ? "3G-HDNNP"
                                                                                     : "4G-HDNNP",
                                  dirs[0], elements, pot.cutoff(), cflength, cfenergy);
    if (impl->models->size() > 1) {
      msg += fmt::format("  committee of {} models:", impl->models->size());
      for (const std::string &d : dirs) msg += " " + d;
      msg += "\n";
    }
    msg += "  atom types -> elements:";
    for (int t = 1; t <= atom->ntypes; ++t) msg += fmt::format(" {}->{}", t, type_symbols[t]);
    msg += "\n";
    if (impl->charged())
      msg += fmt::format("  total charge {:.10g} e; every rank evaluates the whole system (gathered by atom ID)\n",
                         total_charge);
    msg += fmt::format("  extrapolation warnings: showew {}, showewsum {}, maxew {}, resetew {}\n",
                       showew ? "yes" : "no", showewsum, maxew < 0 ? std::string("none") : std::to_string(maxew),
                       resetew ? "yes" : "no");
    if (cutoff > 1.01 * model_cutoff)
      msg += fmt::format("  WARNING: the pair_style cutoff {} is more than 1% larger than the model's {:.10g} "
                         "(length units mismatch?)\n", cutoff, model_cutoff);
    for (const std::string &w : pot.model().warnings) msg += "  model: " + w + "\n";
    utils::logmesg(lmp, msg);
  }
}

/* ---------------------------------------------------------------------- */

double PairHDNNP::init_one(int, int)
{
  return cutoff;
}

/* ---------------------------------------------------------------------- */

void PairHDNNP::compute(int eflag, int vflag)
{
  ev_init(eflag, vflag);
  if (impl->charged())
    compute_gathered(eflag, vflag);
  else
    compute_local(eflag, vflag);
  if (committee_size() > 1 && (spreadwarn >= 0.0 || maxspread >= 0.0)) handle_spread();
}

// 2G: this rank's atoms, LAMMPS's full list.
void PairHDNNP::compute_local(int, int)
{
  Impl &m = *impl;
  const int nlocal = atom->nlocal;
  const int nall = nlocal + atom->nghost;
  const std::size_t n = static_cast<std::size_t>(nall);
  const int *type = atom->type;
  const bool scale_x = cflength != 1.0;
  const bool direct_f = cflength == 1.0 && cfenergy == 1.0;
  const bool direct_e = cfenergy == 1.0;
  const bool per_atom_virial = vflag_atom || cvflag_atom;
  const std::size_t members = m.models->size();

  m.element.resize(n);
  for (int i = 0; i < nall; ++i) m.element[i] = type_element[type[i]];
  static double dummy[3] = {0.0, 0.0, 0.0};
  const double *px = nall > 0 ? atom->x[0] : dummy;
  if (scale_x) {
    m.x.resize(3 * n);
    for (std::size_t k = 0; k < 3 * n; ++k) m.x[k] = px[k] * cflength;
    px = m.x.data();
  }
  double *pf = nall > 0 ? atom->f[0] : dummy;
  if (!direct_f) {
    m.f.assign(3 * n, 0.0);
    pf = m.f.data();
  }

  hdnnp::HostAtoms atoms{hdnnp::const_view(px, n, 3), hdnnp::const_view(m.element.data(), n),
                         static_cast<std::size_t>(nlocal)};
  hdnnp::HostOutput out{hdnnp::view(pf, n, 3)};
  if (eflag_atom) {
    if (!direct_e) m.e.assign(static_cast<std::size_t>(nlocal), 0.0);
    out.per_atom_energies = hdnnp::view(direct_e ? eatom : m.e.data(), static_cast<std::size_t>(nlocal));
  }
  if (per_atom_virial) {
    m.v.assign(9 * n, 0.0);
    out.per_atom_virials = hdnnp::view(m.v.data(), n, 3, 3);
  }
  const hdnnp::FullNeighborList nl{static_cast<std::size_t>(list->inum), list->ilist, list->numneigh,
                                    list->firstneigh};
  hdnnp::CommitteeHostOutput cout;
  try {
    if (members == 1) {
      m.potential().compute(atoms, nl, out);
    } else {
      m.dev.assign(members * 3 * n, 0.0);
      m.dev_nall = nall;
      cout.force_deviations = hdnnp::view(m.dev.data(), members, n, 3);
      m.models->compute(atoms, nl, out, cout);
    }
  } catch (const std::exception &e) {
    error->one(FLERR, "pair_style hdnnp on rank {}, step {}: {}", comm->me, update->ntimestep, e.what());
  }

  const double fscale = cflength / cfenergy;
  const double escale = 1.0 / cfenergy;
  if (!direct_f) {
    double *f = nall > 0 ? atom->f[0] : dummy;
    for (std::size_t k = 0; k < 3 * n; ++k) f[k] += m.f[k] * fscale;
  }
  if (eflag_global) eng_vdwl += out.energy * escale;
  if (eflag_atom && !direct_e)
    for (int i = 0; i < nlocal; ++i) eatom[i] += m.e[i] * escale;
  if (vflag_global) {
    const hdnnp::Mat3 &w = out.virial;
    virial[0] += w[0][0] * escale;
    virial[1] += w[1][1] * escale;
    virial[2] += w[2][2] * escale;
    virial[3] += 0.5 * (w[0][1] + w[1][0]) * escale;
    virial[4] += 0.5 * (w[0][2] + w[2][0]) * escale;
    virial[5] += 0.5 * (w[1][2] + w[2][1]) * escale;
  }
  if (per_atom_virial) {
    for (int i = 0; i < nall; ++i) {
      const double *w = &m.v[9 * static_cast<std::size_t>(i)];    // w[3a+b] = sum x_a F_b
      if (vflag_atom) {
        vatom[i][0] += w[0] * escale;
        vatom[i][1] += w[4] * escale;
        vatom[i][2] += w[8] * escale;
        vatom[i][3] += 0.5 * (w[1] + w[3]) * escale;
        vatom[i][4] += 0.5 * (w[2] + w[6]) * escale;
        vatom[i][5] += 0.5 * (w[5] + w[7]) * escale;
      }
      if (cvflag_atom) {    // xx yy zz xy xz yz yx zx zy
        cvatom[i][0] += w[0] * escale;
        cvatom[i][1] += w[4] * escale;
        cvatom[i][2] += w[8] * escale;
        cvatom[i][3] += w[1] * escale;
        cvatom[i][4] += w[2] * escale;
        cvatom[i][5] += w[5] * escale;
        cvatom[i][6] += w[3] * escale;
        cvatom[i][7] += w[6] * escale;
        cvatom[i][8] += w[7] * escale;
      }
    }
  }

  // Extrapolation warnings of this rank's centres.
  std::vector<std::string> lines;
  for (const hdnnp::ExtrapolationWarning &w : out.extrapolations) {
    if (static_cast<int>(lines.size()) >= kMaxLinesPerStep) break;
    lines.push_back(ew_line(comm->me, atom->tag[w.atom], w, members > 1));
  }
  handle_extrapolation(static_cast<long>(out.extrapolation_count), lines);

  // Committee: fold the members' force deviations back from the ghosts, then the spreads of the local atoms.
  if (members > 1) {
    comm->reverse_comm_pair(this);
    spread.assign(static_cast<std::size_t>(nlocal), 0.0);
    const auto d = hdnnp::const_view(m.dev.data(), members, n, 3);
    for (int i = 0; i < nlocal; ++i) spread[i] = hdnnp::committee_force_spread(d, static_cast<std::size_t>(i)) * fscale;
    std::vector<double> energies(members, 0.0);
    MPI_Allreduce(cout.member_energies.data(), energies.data(), static_cast<int>(members), MPI_DOUBLE, MPI_SUM, world);
    energy_spread_value = hdnnp::committee_energy_spread(energies) * escale;
    spread_timestep = update->ntimestep;
  }
}

// 3G/4G: the whole system on every rank.
void PairHDNNP::compute_gathered(int, int)
{
  Impl &m = *impl;
  const int nlocal = atom->nlocal;
  const int nprocs = comm->nprocs;
  const int *type = atom->type;
  const std::size_t members = m.models->size();

  // This rank's mapped atoms, then everybody's.
  std::vector<int> mine;
  for (int i = 0; i < nlocal; ++i)
    if (type_element[type[i]] >= 0) mine.push_back(i);
  const int nmine = static_cast<int>(mine.size());
  std::vector<tagint> my_tags(mine.size());
  std::vector<int> my_elements(mine.size());
  std::vector<double> my_x(3 * mine.size());
  for (std::size_t k = 0; k < mine.size(); ++k) {
    const int i = mine[k];
    my_tags[k] = atom->tag[i];
    my_elements[k] = type_element[type[i]];
    for (int a = 0; a < 3; ++a) my_x[3 * k + a] = atom->x[i][a];
  }
  m.counts.assign(nprocs, 0);
  m.displs.assign(nprocs, 0);
  MPI_Allgather(&nmine, 1, MPI_INT, m.counts.data(), 1, MPI_INT, world);
  int ntotal = 0;
  for (int p = 0; p < nprocs; ++p) {
    m.displs[p] = ntotal;
    ntotal += m.counts[p];
  }
  m.tags_all.resize(ntotal);
  m.element_all.resize(ntotal);
  m.x_all.resize(3 * static_cast<std::size_t>(ntotal));
  MPI_Allgatherv(my_tags.data(), nmine, MPI_LMP_TAGINT, m.tags_all.data(), m.counts.data(), m.displs.data(),
                 MPI_LMP_TAGINT, world);
  MPI_Allgatherv(my_elements.data(), nmine, MPI_INT, m.element_all.data(), m.counts.data(), m.displs.data(), MPI_INT,
                 world);
  std::vector<int> counts3(nprocs), displs3(nprocs);
  for (int p = 0; p < nprocs; ++p) {
    counts3[p] = 3 * m.counts[p];
    displs3[p] = 3 * m.displs[p];
  }
  MPI_Allgatherv(my_x.data(), 3 * nmine, MPI_DOUBLE, m.x_all.data(), counts3.data(), displs3.data(), MPI_DOUBLE,
                 world);
  m.rank_of.resize(ntotal);
  for (int p = 0; p < nprocs; ++p)
    for (int k = 0; k < m.counts[p]; ++k) m.rank_of[m.displs[p] + k] = p;

  // The structure, in tag order (the same on every rank and for every decomposition), in model units.
  m.order.resize(ntotal);
  std::iota(m.order.begin(), m.order.end(), 0);
  std::sort(m.order.begin(), m.order.end(), [&](int a, int b) { return m.tags_all[a] < m.tags_all[b]; });
  std::vector<int> index_of(ntotal);    // gathered index -> structure index
  for (int k = 0; k < ntotal; ++k) index_of[m.order[k]] = k;
  const std::vector<std::string> symbols = m.potential().model().symbols();
  hdnnp::Structure s;
  s.periodic = domain->xperiodic && domain->yperiodic && domain->zperiodic;
  if (s.periodic) {
    // LAMMPS's box: a = (xprd, 0, 0), b = (xy, yprd, 0), c = (xz, yz, zprd).
    const double *h = domain->h;    // xprd yprd zprd yz xz xy
    s.lattice = {hdnnp::Vec3{h[0] * cflength, 0.0, 0.0}, hdnnp::Vec3{h[5] * cflength, h[1] * cflength, 0.0},
                 hdnnp::Vec3{h[4] * cflength, h[3] * cflength, h[2] * cflength}};
  }
  s.total_charge = total_charge;
  for (int k = 0; k < ntotal; ++k) {
    const int g = m.order[k];
    const double *xg = &m.x_all[3 * static_cast<std::size_t>(g)];
    s.add_atom(symbols[m.element_all[g]],
               hdnnp::Vec3{(xg[0] - domain->boxlo[0]) * cflength, (xg[1] - domain->boxlo[1]) * cflength,
                           (xg[2] - domain->boxlo[2]) * cflength});
  }

  hdnnp::ComputeOptions opt;
  opt.per_atom = true;
  opt.ewald_balance = m.ewald_balance;
  opt.solver = m.qeq_solver;
  hdnnp::CommitteeResult r;
  try {
    r = m.models->compute(s, opt);
  } catch (const std::exception &e) {
    error->one(FLERR, "pair_style hdnnp on rank {}, step {}: {}", comm->me, update->ntimestep, e.what());
  }
  // Say which Ewald width and 4G solver ran, whenever the choice changes (every rank made the same one).
  {
    const std::string used = hdnnp::electrostatics_choice(r, s.periodic);
    if (!used.empty() && used != m.electrostatics_used) {
      m.electrostatics_used = used;
      if (comm->me == 0) {
        std::string msg = fmt::format("pair_style hdnnp: step {}, {} atoms: {}", update->ntimestep, s.size(), used);
        if (s.periodic)
          msg += fmt::format(" (eta {:.6g}, r_c {:.6g}, k_c {:.6g} in model units, {} k-vectors)", r.ewald.eta,
                             r.ewald.real_cutoff, r.ewald.kspace_cutoff, r.n_kvectors);
        utils::logmesg(lmp, msg + "\n");
      }
    }
  }

  // This rank's atoms: forces, per-atom energies and virials; the global energy and virial are their sums.
  const double fscale = cflength / cfenergy;
  const double escale = 1.0 / cfenergy;
  double energy = 0.0;
  double w_sum[6] = {0, 0, 0, 0, 0, 0};
  if (members > 1) spread.assign(static_cast<std::size_t>(nlocal), 0.0);
  for (int k = 0; k < nmine; ++k) {
    const int i = mine[k];
    const int j = index_of[m.displs[comm->me] + k];
    for (int a = 0; a < 3; ++a) atom->f[i][a] += r.forces[j][a] * fscale;
    const double ej = r.per_atom_energies[j] * escale;
    energy += ej;
    if (eflag_atom) eatom[i] += ej;
    const hdnnp::Mat3 &w = r.per_atom_virials[j];
    const double sym[6] = {w[0][0], w[1][1], w[2][2], 0.5 * (w[0][1] + w[1][0]), 0.5 * (w[0][2] + w[2][0]),
                           0.5 * (w[1][2] + w[2][1])};
    for (int c = 0; c < 6; ++c) w_sum[c] += sym[c] * escale;
    if (vflag_atom)
      for (int c = 0; c < 6; ++c) vatom[i][c] += sym[c] * escale;
    if (cvflag_atom) {
      const double full[9] = {w[0][0], w[1][1], w[2][2], w[0][1], w[0][2], w[1][2], w[1][0], w[2][0], w[2][1]};
      for (int c = 0; c < 9; ++c) cvatom[i][c] += full[c] * escale;
    }
    if (members > 1) spread[i] = r.force_spread[j] * fscale;
  }
  if (eflag_global) eng_vdwl += energy;
  if (vflag_global)
    for (int c = 0; c < 6; ++c) virial[c] += w_sum[c];
  if (members > 1) {
    energy_spread_value = r.energy_spread * escale;
    spread_timestep = update->ntimestep;
  }

  // Extrapolation warnings: the same on every rank, reported once (rank 0's share).
  std::vector<std::string> lines;
  if (comm->me == 0)
    for (const hdnnp::ExtrapolationWarning &w : r.extrapolations) {
      if (static_cast<int>(lines.size()) >= kMaxLinesPerStep) break;
      const int g = m.order[w.atom];
      lines.push_back(ew_line(m.rank_of[g], m.tags_all[g], w, members > 1));
    }
  handle_extrapolation(comm->me == 0 ? static_cast<long>(r.extrapolation_count) : 0L, lines);
}

/* ----------------------------------------------------------------------
   extrapolation warnings: count (global), showew lines, showewsum summary, maxew limit
------------------------------------------------------------------------- */

void PairHDNNP::handle_extrapolation(long count, const std::vector<std::string> &lines)
{
  long global = 0;
  MPI_Allreduce(&count, &global, 1, MPI_LONG, MPI_SUM, world);
  ew_total = resetew ? global : ew_total + global;
  ew_summary += global;
  if (showew && global > 0) gather_lines(lines, global, "extrapolation warnings");
  if (showewsum > 0 && update->ntimestep % showewsum == 0) {
    if (comm->me == 0)
      utils::logmesg(lmp, fmt::format("### NNP EW SUMMARY ### TS: {:10d} EW {:10d} EWPERSTEP {:10.3e}\n",
                                      update->ntimestep, ew_summary, double(ew_summary) / showewsum));
    ew_summary = 0;
  }
  if (maxew >= 0 && ew_total > maxew)
    error->all(FLERR, "pair_style hdnnp: too many extrapolation warnings at step {}: {} {} maxew {}",
               update->ntimestep, ew_total, resetew ? "in this step, more than" : "in all, more than", maxew);
}

// Rank 0 prints up to kMaxLinesPerStep of the ranks' lines (in rank order) and how many it left out.
void PairHDNNP::gather_lines(const std::vector<std::string> &mine, long total, const char *what)
{
  std::string text;
  for (const std::string &l : mine) text += l;
  int len = static_cast<int>(text.size());
  const int nprocs = comm->nprocs;
  std::vector<int> lens(comm->me == 0 ? nprocs : 0), offs(comm->me == 0 ? nprocs : 0);
  MPI_Gather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, 0, world);
  std::string all;
  if (comm->me == 0) {
    int sum = 0;
    for (int p = 0; p < nprocs; ++p) {
      offs[p] = sum;
      sum += lens[p];
    }
    all.resize(static_cast<std::size_t>(sum));
  }
  MPI_Gatherv(text.data(), len, MPI_CHAR, comm->me == 0 ? &all[0] : nullptr, lens.data(), offs.data(), MPI_CHAR, 0,
              world);
  if (comm->me != 0) return;
  std::string out;
  long shown = 0;
  std::size_t pos = 0;
  while (shown < kMaxLinesPerStep && pos < all.size()) {
    const std::size_t end = all.find('\n', pos);
    out += all.substr(pos, end - pos + 1);
    pos = end + 1;
    ++shown;
  }
  if (total > shown) out += fmt::format("({} more {} at step {} not shown)\n", total - shown, what, update->ntimestep);
  utils::logmesg(lmp, out);
}

/* ----------------------------------------------------------------------
   committee: report (spreadwarn) or stop (maxspread) on large force spreads
------------------------------------------------------------------------- */

void PairHDNNP::handle_spread()
{
  const double threshold = spreadwarn >= 0.0 ? spreadwarn : maxspread;
  std::vector<std::string> lines;
  long count = 0;
  struct {
    double value;
    int rank;
  } local_max{-1.0, comm->me}, global_max{-1.0, 0};
  tagint max_tag = 0;
  for (int i = 0; i < atom->nlocal; ++i) {
    if (spread[i] > local_max.value) {
      local_max.value = spread[i];
      max_tag = atom->tag[i];
    }
    if (spread[i] > threshold) {
      ++count;
      if (static_cast<int>(lines.size()) < kMaxLinesPerStep)
        lines.push_back(fmt::format("HDNNP COMMITTEE: step {} atom {} force spread {:.6e} > {:.6e}\n",
                                    update->ntimestep, atom->tag[i], spread[i], threshold));
    }
  }
  long total = 0;
  MPI_Allreduce(&count, &total, 1, MPI_LONG, MPI_SUM, world);
  MPI_Allreduce(&local_max, &global_max, 1, MPI_DOUBLE_INT, MPI_MAXLOC, world);
  MPI_Bcast(&max_tag, 1, MPI_LMP_TAGINT, global_max.rank, world);
  if (total > 0) gather_lines(lines, total, "committee force spreads");
  if (maxspread >= 0.0 && global_max.value > maxspread)
    error->all(FLERR, "pair_style hdnnp: committee force spread {:.6e} of atom {} at step {} exceeds maxspread {:.6e}",
               global_max.value, max_tag, update->ntimestep, maxspread);
}

/* ----------------------------------------------------------------------
   reverse communication of the committee's force deviations (2G)
------------------------------------------------------------------------- */

int PairHDNNP::pack_reverse_comm(int n, int first, double *buf)
{
  const std::size_t members = impl->models->size();
  const std::size_t nall = static_cast<std::size_t>(impl->dev_nall);
  const double *d = impl->dev.data();
  int k = 0;
  for (int i = first; i < first + n; ++i)
    for (std::size_t mb = 0; mb < members; ++mb)
      for (int a = 0; a < 3; ++a) buf[k++] = d[(mb * nall + static_cast<std::size_t>(i)) * 3 + a];
  return k;
}

void PairHDNNP::unpack_reverse_comm(int n, int *list, double *buf)
{
  const std::size_t members = impl->models->size();
  const std::size_t nall = static_cast<std::size_t>(impl->dev_nall);
  double *d = impl->dev.data();
  int k = 0;
  for (int ii = 0; ii < n; ++ii) {
    const std::size_t j = static_cast<std::size_t>(list[ii]);
    for (std::size_t mb = 0; mb < members; ++mb)
      for (int a = 0; a < 3; ++a) d[(mb * nall + j) * 3 + a] += buf[k++];
  }
}

/* ---------------------------------------------------------------------- */

double PairHDNNP::memory_usage()
{
  const Impl &m = *impl;
  double bytes = Pair::memory_usage();
  bytes += sizeof(double) * (m.x.capacity() + m.f.capacity() + m.e.capacity() + m.v.capacity() + m.dev.capacity() +
                             m.x_all.capacity() + spread.capacity());
  bytes += sizeof(int) * (m.element.capacity() + m.element_all.capacity() + m.order.capacity() + m.rank_of.capacity());
  bytes += sizeof(tagint) * m.tags_all.capacity();
  return bytes;
}
