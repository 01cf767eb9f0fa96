// pair_style hdnnp/check: see pair_hdnnp_check.h. Plumbing check only; to be deleted once `pair_style hdnnp`
// exists and is tested end to end.
//
// The potential is Morse, phi(r) = D0 [exp(-2 alpha (r - r0)) - 2 exp(-alpha (r - r0))] - phi(Rc)*shift,
// split into atomic energies E_i = 1/2 sum_j phi(r_ij). With a FULL neighbour list every pair appears once
// from each side; the visit (i, j) adds the gradient of E_i's share, -1/2 phi'(r) (x_i - x_j)/r, to atom i
// and its negative to atom j, even when j is a ghost atom: LAMMPS's reverse communication (newton pair on)
// then adds the ghost forces to their owners. That is the force pattern of a many-body potential such as an
// HDNNP (dE_i/dx_j lands on neighbour j), which is what this style exists to exercise.

#include "pair_hdnnp_check.h"

#include "atom.h"
#include "error.h"
#include "force.h"
#include "memory.h"
#include "neigh_list.h"
#include "neigh_request.h"
#include "neighbor.h"

#include <cmath>

using namespace LAMMPS_NS;

PairHDNNPCheck::PairHDNNPCheck(LAMMPS *lmp) : Pair(lmp)
{
  single_enable = 0;    // no single(): a many-body style has no pair energy to offer
  restartinfo = 0;      // coefficients are not written to restart files
  manybody_flag = 1;    // like the real hdnnp style
}

PairHDNNPCheck::~PairHDNNPCheck()
{
  if (allocated) {
    memory->destroy(setflag);
    memory->destroy(cutsq);
    memory->destroy(cut);
    memory->destroy(d0);
    memory->destroy(alpha);
    memory->destroy(r0);
    memory->destroy(offset_ij);
  }
}

void PairHDNNPCheck::compute(int eflag, int vflag)
{
  ev_init(eflag, vflag);

  double **x = atom->x;
  double **f = atom->f;
  const int *type = atom->type;
  const int nlocal = atom->nlocal;

  const int inum = list->inum;
  const int *ilist = list->ilist;
  const int *numneigh = list->numneigh;
  int **firstneigh = list->firstneigh;

  for (int ii = 0; ii < inum; ++ii) {
    const int i = ilist[ii];
    const int itype = type[i];
    const int *jlist = firstneigh[i];
    double e_i = 0.0;

    for (int jj = 0; jj < numneigh[i]; ++jj) {
      // Special-bond bits are ignored (as in the hdnnp style): every neighbour counts fully.
      const int j = jlist[jj] & NEIGHMASK;
      const int jtype = type[j];
      const double delx = x[i][0] - x[j][0];
      const double dely = x[i][1] - x[j][1];
      const double delz = x[i][2] - x[j][2];
      const double rsq = delx * delx + dely * dely + delz * delz;
      if (rsq >= cutsq[itype][jtype]) continue;

      const double r = std::sqrt(rsq);
      const double dexp = std::exp(-alpha[itype][jtype] * (r - r0[itype][jtype]));
      // Half of the pair: -1/2 dphi/dr / r = D0 alpha (dexp^2 - dexp) / r.
      const double fhalf = d0[itype][jtype] * alpha[itype][jtype] * (dexp * dexp - dexp) / r;

      f[i][0] += delx * fhalf;
      f[i][1] += dely * fhalf;
      f[i][2] += delz * fhalf;
      f[j][0] -= delx * fhalf;    // j may be a ghost atom: reverse communication sums it back
      f[j][1] -= dely * fhalf;
      f[j][2] -= delz * fhalf;

      if (eflag_either)
        e_i += 0.5 * (d0[itype][jtype] * (dexp * dexp - 2.0 * dexp) - offset_ij[itype][jtype]);

      // Virial only (the energy is tallied per atom below): global part r_ij (x) F when no f.r sum is
      // used, per-atom part split half to i and half to j, as LAMMPS's pair styles do.
      if (vflag_either) ev_tally(i, j, nlocal, 1, 0.0, 0.0, fhalf, delx, dely, delz);
    }

    if (eflag_global) eng_vdwl += e_i;
    if (eflag_atom) eatom[i] += e_i;
  }

  if (vflag_fdotr) virial_fdotr_compute();
}

void PairHDNNPCheck::settings(int narg, char **arg)
{
  if (narg != 1) error->all(FLERR, "Illegal pair_style hdnnp/check command: expected one cutoff");
  cut_global = utils::numeric(FLERR, arg[0], false, lmp);
  if (cut_global <= 0.0) error->all(FLERR, "Illegal pair_style hdnnp/check command: cutoff must be > 0");

  // A new global cutoff resets the explicitly set per-pair cutoffs, as in pair_style morse.
  if (allocated) {
    for (int i = 1; i <= atom->ntypes; ++i)
      for (int j = i; j <= atom->ntypes; ++j)
        if (setflag[i][j]) cut[i][j] = cut_global;
  }
}

void PairHDNNPCheck::allocate()
{
  allocated = 1;
  const int n = atom->ntypes;
  memory->create(setflag, n + 1, n + 1, "pair:setflag");
  for (int i = 1; i <= n; ++i)
    for (int j = i; j <= n; ++j) setflag[i][j] = 0;
  memory->create(cutsq, n + 1, n + 1, "pair:cutsq");
  memory->create(cut, n + 1, n + 1, "pair:cut");
  memory->create(d0, n + 1, n + 1, "pair:d0");
  memory->create(alpha, n + 1, n + 1, "pair:alpha");
  memory->create(r0, n + 1, n + 1, "pair:r0");
  memory->create(offset_ij, n + 1, n + 1, "pair:offset");
}

void PairHDNNPCheck::coeff(int narg, char **arg)
{
  if (narg < 5 || narg > 6) error->all(FLERR, "Incorrect args for pair coefficients");
  if (!allocated) allocate();

  int ilo, ihi, jlo, jhi;
  utils::bounds(FLERR, arg[0], 1, atom->ntypes, ilo, ihi, error);
  utils::bounds(FLERR, arg[1], 1, atom->ntypes, jlo, jhi, error);
  const double d0_one = utils::numeric(FLERR, arg[2], false, lmp);
  const double alpha_one = utils::numeric(FLERR, arg[3], false, lmp);
  const double r0_one = utils::numeric(FLERR, arg[4], false, lmp);
  const double cut_one = narg == 6 ? utils::numeric(FLERR, arg[5], false, lmp) : cut_global;

  int count = 0;
  for (int i = ilo; i <= ihi; ++i) {
    for (int j = (jlo > i ? jlo : i); j <= jhi; ++j) {
      d0[i][j] = d0_one;
      alpha[i][j] = alpha_one;
      r0[i][j] = r0_one;
      cut[i][j] = cut_one;
      setflag[i][j] = 1;
      ++count;
    }
  }
  if (count == 0) error->all(FLERR, "Incorrect args for pair coefficients");
}

void PairHDNNPCheck::init_style()
{
  // Forces land on ghost atoms and must be summed back to their owners.
  if (force->newton_pair == 0) error->all(FLERR, "Pair style hdnnp/check requires newton pair on");

  // Full neighbour list of the owned atoms (neighbours include ghost atoms). This is the request API of
  // LAMMPS up to 29 Sep 2021 (Debian 12's version); later versions replace these three lines by
  //   neighbor->add_request(this, NeighConst::REQ_FULL);
  const int irequest = neighbor->request(this, instance_me);
  neighbor->requests[irequest]->half = 0;
  neighbor->requests[irequest]->full = 1;
}

double PairHDNNPCheck::init_one(int i, int j)
{
  if (setflag[i][j] == 0) error->all(FLERR, "All pair coeffs are not set (pair style hdnnp/check does not mix)");

  if (offset_flag) {
    const double e1 = std::exp(-alpha[i][j] * (cut[i][j] - r0[i][j]));
    offset_ij[i][j] = d0[i][j] * (e1 * e1 - 2.0 * e1);
  } else {
    offset_ij[i][j] = 0.0;
  }
  d0[j][i] = d0[i][j];
  alpha[j][i] = alpha[i][j];
  r0[j][i] = r0[i][j];
  offset_ij[j][i] = offset_ij[i][j];
  return cut[i][j];
}
