// compute hdnnp/spread: see compute_hdnnp_spread.h.

#include "compute_hdnnp_spread.h"

#include "atom.h"
#include "error.h"
#include "force.h"
#include "memory.h"
#include "pair_hdnnp.h"
#include "update.h"

using namespace LAMMPS_NS;

ComputeHDNNPSpread::ComputeHDNNPSpread(LAMMPS *lmp, int narg, char **arg) : Compute(lmp, narg, arg)
{
  if (narg != 3) error->all(FLERR, "Illegal compute hdnnp/spread command: it takes no arguments");
  peratom_flag = 1;
  size_peratom_cols = 0;
  scalar_flag = 1;
  extscalar = 1;
}

ComputeHDNNPSpread::~ComputeHDNNPSpread()
{
  memory->destroy(values);
}

// The hdnnp pair style (or hybrid sub-style) with a committee; an error otherwise.
PairHDNNP *ComputeHDNNPSpread::current_pair()
{
  auto *pair = dynamic_cast<PairHDNNP *>(force->pair_match("hdnnp", 1));
  if (pair == nullptr) error->all(FLERR, "Compute hdnnp/spread requires pair_style hdnnp");
  if (pair->committee_size() < 2)
    error->all(FLERR, "Compute hdnnp/spread requires pair_style hdnnp with the committee keyword");
  return pair;
}

void ComputeHDNNPSpread::init()
{
  current_pair();
}

double ComputeHDNNPSpread::compute_scalar()
{
  invoked_scalar = update->ntimestep;
  PairHDNNP *pair = current_pair();
  if (pair->spread_step() != update->ntimestep)
    error->all(FLERR, "Compute hdnnp/spread: pair_style hdnnp last evaluated the forces at step {}, not at the "
                      "current step {}", pair->spread_step(), update->ntimestep);
  scalar = pair->energy_spread();
  return scalar;
}

void ComputeHDNNPSpread::compute_peratom()
{
  invoked_peratom = update->ntimestep;
  PairHDNNP *pair = current_pair();
  if (pair->spread_step() != update->ntimestep)
    error->all(FLERR, "Compute hdnnp/spread: pair_style hdnnp last evaluated the forces at step {}, not at the "
                      "current step {}", pair->spread_step(), update->ntimestep);
  if (atom->nmax > nmax) {
    memory->destroy(values);
    nmax = atom->nmax;
    memory->create(values, nmax, "hdnnp/spread:values");
    vector_atom = values;
  }
  const double *s = pair->force_spread();
  const int *mask = atom->mask;
  for (int i = 0; i < atom->nlocal; ++i) values[i] = (mask[i] & groupbit) ? s[i] : 0.0;
}

double ComputeHDNNPSpread::memory_usage()
{
  return static_cast<double>(nmax) * sizeof(double);
}
