// lmp_hdnnp: LAMMPS's `lmp` program with hdnnp's pair styles added, for a LAMMPS that is only available as a
// shared library without plugin support (Debian 12's liblammps0, LAMMPS 29 Sep 2021 update 2).
//
//   mpirun -np 2 lmp_hdnnp -in in.script [-log file] [-var name value] [-echo screen] [-screen none] ...
//
// Every command-line argument goes to LAMMPS unchanged, so the program behaves like `lmp` (input from -in,
// else from standard input). The styles are registered the way LAMMPS registers its own: LAMMPS looks pair
// styles up by name in the map Force::pair_map (name -> creator function), which its constructor fills from
// the compiled-in style list; this program adds its creators to that map after the constructor has run.
//
// `clear` rebuilds LAMMPS's style maps from the compiled-in list, which would drop these styles again (as it
// drops LAMMPS's own plugin styles). Input scripts often start with `clear` (LAMMPS's ML-HDNNP examples do), so
// this program adds them again after every `clear`: it defines LAMMPS_NS::Input::clear itself, which the
// dynamic linker then uses instead of the library's (liblammps calls it through its PLT, and lmp_hdnnp exports
// its symbols), calls the library's original (found with dlsym(RTLD_NEXT, ...)) and registers the styles.
// The command
//   hdnnp_register_styles
// (added by this program; it survives `clear` because commands live in the Input object, which `clear` keeps)
// does the same by hand.

#include "compute_hdnnp_spread.h"
#include "pair_hdnnp.h"

#include "accelerator_kokkos.h"
#include "command.h"
#include "error.h"
#include "force.h"
#include "input.h"
#include "lammps.h"
#include "library.h"
#include "lmppython.h"
#include "modify.h"
#include "version.h"

#include <dlfcn.h>
#include <mpi.h>

#include <cstdio>
#include <string>

namespace hdnnp_lammps {

using LAMMPS_NS::LAMMPS;

// A creator for any Pair subclass, with the signature of Force::PairCreator.
template <class PairT> LAMMPS_NS::Pair *create_pair(LAMMPS *lmp)
{
  return new PairT(lmp);
}

// Makes `pair_style name ...` create a PairT (replacing a compiled-in style of the same name, if any).
template <class PairT> void register_pair_style(LAMMPS *lmp, const std::string &name)
{
  (*lmp->force->pair_map)[name] = &create_pair<PairT>;
}

// A creator for any Compute subclass, with the signature of Modify::ComputeCreator.
template <class ComputeT> LAMMPS_NS::Compute *create_compute(LAMMPS *lmp, int narg, char **arg)
{
  return new ComputeT(lmp, narg, arg);
}

// Makes `compute ID group name ...` create a ComputeT.
template <class ComputeT> void register_compute_style(LAMMPS *lmp, const std::string &name)
{
  (*lmp->modify->compute_map)[name] = &create_compute<ComputeT>;
}

// The styles this program adds.
void register_styles(LAMMPS *lmp)
{
  register_pair_style<LAMMPS_NS::PairHDNNP>(lmp, "hdnnp");
  register_compute_style<LAMMPS_NS::ComputeHDNNPSpread>(lmp, "hdnnp/spread");
}

// Input-script command `hdnnp_register_styles`: adds the styles again, e.g. after `clear`.
class RegisterStylesCommand : public LAMMPS_NS::Command {
 public:
  explicit RegisterStylesCommand(LAMMPS *lmp) : Command(lmp) {}
  void command(int narg, char ** /*arg*/) override
  {
    if (narg != 0) error->all(FLERR, "Illegal hdnnp_register_styles command: it takes no arguments");
    register_styles(lmp);
  }
};

LAMMPS_NS::Command *create_register_command(LAMMPS *lmp)
{
  return new RegisterStylesCommand(lmp);
}

// The headers this program was compiled with must describe the library it runs with: same version, same
// integer sizes, same exception setting (which changes class Error's layout). Checked through the C library
// interface, which does not depend on class layouts, before any LAMMPS class member is touched.
bool library_matches_headers(LAMMPS *lmp, std::string &why)
{
  const int header_version = LAMMPS_NS::utils::date2num(LAMMPS_VERSION);
  const int library_version = lammps_version(lmp);
  if (header_version != library_version) {
    why = "LAMMPS library version " + std::to_string(library_version) + " but headers of version " +
        std::to_string(header_version) + " (\"" LAMMPS_VERSION "\")";
    return false;
  }
  struct Size {
    const char *name;
    int header;
  };
  const Size sizes[] = {{"bigint", static_cast<int>(sizeof(LAMMPS_NS::bigint))},
                        {"tagint", static_cast<int>(sizeof(LAMMPS_NS::tagint))},
                        {"imageint", static_cast<int>(sizeof(LAMMPS_NS::imageint))}};
  for (const Size &s : sizes) {
    const int library = lammps_extract_setting(lmp, s.name);
    if (library != s.header) {
      why = std::string("sizeof(") + s.name + ") is " + std::to_string(library) + " in the library but " +
          std::to_string(s.header) + " in these headers (LAMMPS_SMALLBIG / LAMMPS_BIGBIG / LAMMPS_SMALLSMALL)";
      return false;
    }
  }
#ifdef LAMMPS_EXCEPTIONS
  const int header_exceptions = 1;
#else
  const int header_exceptions = 0;
#endif
  if (lammps_config_has_exceptions() != header_exceptions) {
    why = "the library and this program disagree on LAMMPS_EXCEPTIONS";
    return false;
  }
  return true;
}

}    // namespace hdnnp_lammps

// The `clear` command (see the top of this file): the library's Input::clear, then the styles again.
void LAMMPS_NS::Input::clear()
{
  using Clear = void (*)(LAMMPS_NS::Input *);
  static const Clear original = reinterpret_cast<Clear>(dlsym(RTLD_NEXT, "_ZN9LAMMPS_NS5Input5clearEv"));
  if (original == nullptr) {
    std::fprintf(stderr, "lmp_hdnnp: ERROR: LAMMPS's Input::clear not found in the library (%s)\n", dlerror());
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  original(this);
  hdnnp_lammps::register_styles(lmp);
}

int main(int argc, char **argv)
{
  MPI_Init(&argc, &argv);
  MPI_Comm world = MPI_COMM_WORLD;

  // As LAMMPS's own main(): without LAMMPS_EXCEPTIONS (Debian's build) errors end the process inside
  // LAMMPS (MPI_Abort / exit); fmt formatting errors are the one exception type that can reach here.
  try {
    auto *lmp = new LAMMPS_NS::LAMMPS(argc, argv, world);

    std::string why;
    if (!hdnnp_lammps::library_matches_headers(lmp, why)) {
      int me = 0;
      MPI_Comm_rank(world, &me);
      if (me == 0) std::fprintf(stderr, "lmp_hdnnp: ERROR: built against other LAMMPS headers: %s\n", why.c_str());
      MPI_Abort(world, 1);
    }

    hdnnp_lammps::register_styles(lmp);
    (*lmp->input->command_map)["hdnnp_register_styles"] = &hdnnp_lammps::create_register_command;

    lmp->input->file();
    delete lmp;
  } catch (fmt::format_error &fe) {
    std::fprintf(stderr, "fmt::format_error: %s\n", fe.what());
    MPI_Abort(MPI_COMM_WORLD, 1);
  }

  LAMMPS_NS::KokkosLMP::finalize();
  LAMMPS_NS::Python::finalize();
  MPI_Barrier(world);
  MPI_Finalize();
  return 0;
}
