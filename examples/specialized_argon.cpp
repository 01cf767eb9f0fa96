// specialized_argon: the shipped argon potential compiled as types.
//
//   hdnnp specialize examples/argon-lj -o argon_lj.hpp      (done by the build, see CMakeLists.txt)
//   specialized_argon [MODEL_DIR [STRUCTURES]]              (default: examples/argon-lj and its input.data)
//
// argon_lj.hpp defines hdnnp_models::argon_lj with the model's cutoff, network shapes and symmetry-function
// families as template arguments and its files embedded, so argon_lj::load() needs no files. This program
// evaluates the first structure of STRUCTURES with the specialised potential and with the model loaded at
// run time from MODEL_DIR, prints both energies and the largest force difference, and exits with 1 if they
// differ by more than 1e-12 (relative, energy) or 1e-10 (absolute, forces).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <string>

#include "argon_lj.hpp"
#include "hdnnp/hdnnp.hpp"

int main(int argc, char** argv) {
    using Argon = hdnnp_models::argon_lj;
    const std::string dir = argc > 1 ? argv[1] : HDNNP_ARGON_DIR;
    const std::string structures = argc > 2 ? argv[2] : dir + "/input.data";
    try {
        const Argon::Potential specialised = Argon::load();            // types and numbers from the header
        const auto runtime = hdnnp::Potential<>::load(dir);             // everything read at run time
        const hdnnp::Structure s = hdnnp::io::read_input_data(structures).at(0);

        const hdnnp::Result a = specialised.compute(s);
        const hdnnp::Result b = runtime.compute(s);
        double max_df = 0.0;
        for (std::size_t i = 0; i < s.size(); ++i)
            for (int k = 0; k < 3; ++k) max_df = std::max(max_df, std::abs(a.forces[i][k] - b.forces[i][k]));
        const double de = std::abs(a.energy - b.energy);
        const bool same = de <= 1e-12 * std::abs(b.energy) && max_df <= 1e-10;

        std::printf("model %s: %zu element(s), %zu symmetry functions, cutoff radius %g\n", Argon::elements[0], Argon::n_elements,
                    Argon::n_symmetry_functions[0], Argon::cutoff_radius);
        std::printf("structure: %zu atoms from %s\n", s.size(), structures.c_str());
        std::printf("energy (specialised)  %.15e\n", a.energy);
        std::printf("energy (runtime)      %.15e\n", b.energy);
        std::printf("|energy difference|   %.3e (relative %.3e)\n", de, de / std::abs(b.energy));
        std::printf("max |force difference| %.3e\n", max_df);
        std::printf("%s\n", same ? "specialised and runtime potentials agree" : "MISMATCH between specialised and runtime potentials");
        return same ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "specialized_argon: error: %s\n", e.what());
        return 2;
    }
}
