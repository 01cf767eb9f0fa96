// The 4G potential reproduces n2p2's outputs (charges, energies, forces) for the three 4G references.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/potential/potential.hpp"
#include "hdnnp/io/input_data.hpp"
#include "support/reference.hpp"

using namespace hdnnp;

namespace {

struct Deviations {
    double charge = 0, energy_rel = 0, force = 0, atomic_energy = 0, elec_rel = 0, chi = 0;
};

Deviations compare_with_n2p2(const std::string& example, const ComputeOptions4G& opt = {}) {
    const std::string dir = test::predict_dir(example);
    const auto pot = Potential4G<>::load(dir);
    const auto structures = io::read_input_data(dir + "/input.data");
    REQUIRE(structures.size() == 1);
    const Structure& s = structures[0];
    const Result4G r = pot.compute(s, opt);
    Deviations d;
    const auto energy = test::read_out_table(dir + "/expected/energy.out");
    REQUIRE(energy.size() == 1);
    d.energy_rel = std::abs(r.energy - energy[0][3]) / std::abs(energy[0][3]);
    const auto forces = test::read_out_table(dir + "/expected/nnforces.out");
    REQUIRE(forces.size() == s.size());
    const auto atoms = test::read_out_table(dir + "/expected/nnatoms.out");
    REQUIRE(atoms.size() == s.size());
    const auto dump = test::read_sf_dump(dir + "/expected/sf_dump.txt.gz");
    REQUIRE(dump.atoms.size() == s.size());
    d.elec_rel = std::abs(r.electrostatic_energy - dump.elec_energy) / std::abs(dump.elec_energy);
    for (std::size_t i = 0; i < s.size(); ++i) {
        for (int k = 0; k < 3; ++k) d.force = std::max(d.force, std::abs(r.forces[i][k] - forces[i][5 + k]));
        d.charge = std::max(d.charge, std::abs(r.charges[i] - atoms[i][4]));
        d.atomic_energy = std::max(d.atomic_energy, std::abs(r.atomic_energies[i] - atoms[i][6]));
        d.chi = std::max(d.chi, std::abs(r.electronegativities[i] - dump.atoms[i].chi));
    }
    std::printf("%-16s N=%4zu  max|dQ| %.3e  |dE|/|E| %.3e  |dEelec|/|Eelec| %.3e  max|dF| %.3e  max|dE_i| %.3e  max|dchi| %.3e"
                "  (eta %.4f rc %.4f kc %.4f, %zu k)\n",
                example.c_str(), s.size(), d.charge, d.energy_rel, d.elec_rel, d.force, d.atomic_energy, d.chi, r.ewald.eta,
                r.ewald.real_cutoff, r.ewald.kspace_cutoff, r.n_kvectors);
    return d;
}

}  // namespace

TEST_CASE("4G potentials reproduce n2p2 charges, energies and forces", "[electrostatics][reference]") {
    for (const char* ex : {"Carbon_chain_4G", "AlAuMgO_4G", "H2O_RPBE-D3_4G"}) {
        DYNAMIC_SECTION(ex) {
            const Deviations d = compare_with_n2p2(ex);
            CHECK(d.chi <= 1e-10);
            CHECK(d.charge <= 1e-8);
            CHECK(d.elec_rel <= 1e-8);
            CHECK(d.energy_rel <= 1e-9);
            CHECK(d.atomic_energy <= 1e-9);
            CHECK(d.force <= 1e-7);
        }
    }
}

TEST_CASE("4G results do not depend on the SIMD path or the symmetry-function kernels chosen", "[electrostatics][reference]") {
    const std::string dir = test::predict_dir("AlAuMgO_4G");
    const auto pot = Potential4G<>::load(dir);
    const Structure s = io::read_input_data(dir + "/input.data").at(0);
    ComputeOptions4G scalar;
    scalar.simd = false;
    const Result4G a = pot.compute(s), b = pot.compute(s, scalar);
    double dq = 0.0, df = 0.0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        dq = std::max(dq, std::abs(a.charges[i] - b.charges[i]));
        for (int k = 0; k < 3; ++k) df = std::max(df, std::abs(a.forces[i][k] - b.forces[i][k]));
    }
    CHECK(dq <= 1e-12);
    CHECK(df <= 1e-12);
    CHECK(a.energy == Approx(b.energy).epsilon(1e-14));
}

TEST_CASE("4G potentials refuse charged periodic structures and 2G models", "[electrostatics][reference]") {
    const std::string dir = test::predict_dir("H2O_RPBE-D3_4G");
    const auto pot = Potential4G<>::load(dir);
    Structure s = io::read_input_data(dir + "/input.data").at(0);
    s.total_charge = 1.0;
    CHECK_THROWS_AS(pot.compute(s), StructureError);
    CHECK_THROWS_WITH(pot.compute(s), Catch::Contains("periodic structure has total charge 1.0") &&
                                          Catch::Contains("must be neutral"));
    CHECK_THROWS_WITH(Potential4G<>::load(test::predict_dir("H2O_RPBE-D3")), Catch::Contains("is a 2G-HDNNP (nnp_type 2) but this potential was compiled for 4G-HDNNP models only"));
}
