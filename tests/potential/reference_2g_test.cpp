// The 2G potential reproduces n2p2's outputs for the shared reference examples.
#include <catch2/catch.hpp>

#include <cmath>

#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/potential/potential.hpp"
#include "hdnnp/io/input_data.hpp"
#include "support/reference.hpp"

using namespace hdnnp;

TEST_CASE("2G potentials reproduce n2p2 energies, forces and symmetry functions", "[potential][reference]") {
    for (const std::string& ex : test::examples_2g()) {
        DYNAMIC_SECTION(ex) {
            const std::string dir = test::predict_dir(ex);
            const auto pot = Potential<>::load(dir);
            const auto structures = io::read_input_data(dir + "/input.data");
            REQUIRE(structures.size() == 1);
            const Structure& s = structures[0];
            ComputeOptions opt;
            opt.keep_descriptors = true;
            const Result r = pot.compute(s, opt);

            const auto energy = test::read_out_table(dir + "/expected/energy.out");
            REQUIRE(energy.size() == 1);
            const double e_ref = energy[0][3];
            INFO("E = " << r.energy << ", n2p2 " << e_ref);
            CHECK(std::abs(r.energy - e_ref) <= 1e-10 * std::abs(e_ref));

            const auto forces = test::read_out_table(dir + "/expected/nnforces.out");
            REQUIRE(forces.size() == s.size());
            double max_df = 0.0;
            for (std::size_t i = 0; i < s.size(); ++i)
                for (int k = 0; k < 3; ++k) max_df = std::max(max_df, std::abs(r.forces[i][k] - forces[i][5 + k]));
            INFO("max force deviation " << max_df);
            CHECK(max_df <= 1e-8);

            const auto atoms = test::read_out_table(dir + "/expected/nnatoms.out");
            REQUIRE(atoms.size() == s.size());
            double max_de = 0.0;
            for (std::size_t i = 0; i < s.size(); ++i) max_de = std::max(max_de, std::abs(r.atomic_energies[i] - atoms[i][6]));
            INFO("max atomic energy deviation " << max_de);
            CHECK(max_de <= 1e-10);

            const auto dump = test::read_sf_dump(dir + "/expected/sf_dump.txt.gz");
            REQUIRE(dump.atoms.size() == s.size());
            double max_raw = 0.0, max_scaled = 0.0;
            for (std::size_t i = 0; i < s.size(); ++i) {
                REQUIRE(dump.atoms[i].element == s.symbols[i]);
                REQUIRE(dump.atoms[i].raw.size() == r.descriptors_raw[i].size());
                REQUIRE(dump.atoms[i].scaled.size() == r.descriptors_scaled[i].size());
                for (std::size_t k = 0; k < dump.atoms[i].raw.size(); ++k) {
                    max_raw = std::max(max_raw, std::abs(r.descriptors_raw[i][k] - dump.atoms[i].raw[k]));
                    max_scaled = std::max(max_scaled, std::abs(r.descriptors_scaled[i][k] - dump.atoms[i].scaled[k]));
                }
            }
            INFO("max raw SF deviation " << max_raw << ", scaled " << max_scaled);
            CHECK(max_raw <= 1e-10);
            CHECK(max_scaled <= 1e-10);
        }
    }
}
