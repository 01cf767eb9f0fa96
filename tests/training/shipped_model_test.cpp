// The shipped example potential examples/argon-lj (made by examples/make_lj_model) reproduces the
// project's Lennard-Jones reference within the fit error documented in examples/argon-lj/README.md.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "../../examples/lennard_jones.hpp"
#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/potential/potential.hpp"
#include "hdnnp/io/input_data.hpp"

using namespace hdnnp;

namespace {

const std::string kDir = std::string(HDNNP_SOURCE_DIR) + "/examples/argon-lj";

struct Deviation {
    double energy_per_atom = 0.0;  // (E_model - E_LJ) / N [eV/atom]
    double force_rmse = 0.0;       // [eV/A]
    double force_max = 0.0;        // [eV/A]
    std::size_t extrapolations = 0;
};

Deviation deviation(const Potential<>& pot, const Structure& s, const lj::EnergyForces& ref) {
    const Result r = pot.compute(s);
    Deviation d;
    d.energy_per_atom = (r.energy - ref.energy) / static_cast<double>(s.size());
    double sq = 0.0;
    for (std::size_t i = 0; i < s.size(); ++i)
        for (int k = 0; k < 3; ++k) {
            const double e = r.forces[i][k] - ref.forces[i][k];
            sq += e * e;
            d.force_max = std::max(d.force_max, std::abs(e));
        }
    d.force_rmse = std::sqrt(sq / static_cast<double>(3 * s.size()));
    d.extrapolations = r.extrapolation_count;
    return d;
}

}  // namespace

TEST_CASE("shipped argon-lj model matches Lennard-Jones on its 256-atom liquid", "[training][shipped]") {
    const auto pot = Potential<>::load(kDir);
    REQUIRE(pot.model().elements.size() == 1);
    CHECK(pot.model().elements[0].symbol == "Ar");
    CHECK(pot.cutoff() == 8.5);

    const auto structures = io::read_input_data(kDir + "/input.data");
    REQUIRE(structures.size() == 1);
    const Structure& s = structures[0];
    REQUIRE(s.size() == 256);
    REQUIRE(s.periodic);

    // The reference stored in input.data is the project's LJ (recomputed here).
    const lj::EnergyForces ref = lj::compute(s);
    CHECK(s.energy == Approx(ref.energy).epsilon(1e-12));
    double stored = 0.0, scale = 0.0;
    for (std::size_t i = 0; i < s.size(); ++i)
        for (int k = 0; k < 3; ++k) {
            stored = std::max(stored, std::abs(s.forces[i][k] - ref.forces[i][k]));
            scale = std::max(scale, std::abs(ref.forces[i][k]));
        }
    CHECK(stored <= 1e-12 * scale);

    // Bounds from README.md (measured: 0.02 meV/atom, force RMSE 0.50 meV/A, max 2.6 meV/A).
    const Deviation d = deviation(pot, s, ref);
    INFO("energy error " << 1e3 * d.energy_per_atom << " meV/atom, force RMSE " << 1e3 * d.force_rmse
                         << " meV/A, max force error " << 1e3 * d.force_max << " meV/A");
    CHECK(std::abs(d.energy_per_atom) < 0.5e-3);
    CHECK(d.force_rmse < 2.0e-3);
    CHECK(d.force_max < 10.0e-3);
    CHECK(d.extrapolations == 0);
}

TEST_CASE("shipped argon-lj model matches Lennard-Jones on its test set", "[training][shipped]") {
    const auto pot = Potential<>::load(kDir);
    const auto data = io::read_input_data(kDir + "/training.data");
    REQUIRE(data.size() >= 60);
    std::size_t n_test = 0, n_atoms = 0;
    double se = 0.0, sf = 0.0;
    for (const Structure& s : data) {
        if (s.set != "test") continue;
        const lj::EnergyForces ref = lj::compute(s);
        REQUIRE(s.energy == Approx(ref.energy).epsilon(1e-12));
        const Deviation d = deviation(pot, s, ref);
        se += d.energy_per_atom * d.energy_per_atom;
        sf += d.force_rmse * d.force_rmse * static_cast<double>(3 * s.size());
        ++n_test;
        n_atoms += s.size();
        CHECK(d.extrapolations == 0);
    }
    REQUIRE(n_test >= 5);
    const double e_rmse = std::sqrt(se / static_cast<double>(n_test));
    const double f_rmse = std::sqrt(sf / static_cast<double>(3 * n_atoms));
    // Bounds from README.md (measured: energy RMSE 0.04 meV/atom, force RMSE 0.73 meV/A).
    INFO("test set: energy RMSE " << 1e3 * e_rmse << " meV/atom, force RMSE " << 1e3 * f_rmse << " meV/A");
    CHECK(e_rmse < 0.5e-3);
    CHECK(f_rmse < 2.0e-3);
}

TEST_CASE("the Lennard-Jones reference forces are minus the gradient of its energy", "[training][shipped]") {
    // A small triclinic cell (smaller than 2 rc, so several images of each atom interact).
    Structure s;
    s.periodic = true;
    s.lattice = {Vec3{9.0, 0.0, 0.0}, Vec3{1.5, 9.5, 0.0}, Vec3{-1.0, 0.7, 8.8}};
    const double f[][3] = {{0.1, 0.1, 0.1}, {0.45, 0.1, 0.2}, {0.1, 0.5, 0.15}, {0.12, 0.2, 0.55},
                           {0.5, 0.55, 0.6}, {0.8, 0.35, 0.4}, {0.3, 0.8, 0.85}, {0.75, 0.75, 0.1}};
    for (const auto& x : f)
        s.add_atom("Ar", x[0] * s.lattice[0] + x[1] * s.lattice[1] + x[2] * s.lattice[2]);
    const lj::EnergyForces ref = lj::compute(s);
    const double h = 1e-5;
    double err = 0.0, scale = 0.0;
    for (std::size_t i = 0; i < s.size(); ++i)
        for (int k = 0; k < 3; ++k) {
            Structure p = s, m = s;
            p.positions[i][k] += h;
            m.positions[i][k] -= h;
            const double fd = -(lj::compute(p).energy - lj::compute(m).energy) / (2.0 * h);
            err = std::max(err, std::abs(fd - ref.forces[i][k]));
            scale = std::max(scale, std::abs(ref.forces[i][k]));
        }
    INFO("max |F + dE/dR| " << err << " eV/A, max |F| " << scale << " eV/A");
    CHECK(err <= 1e-6 * scale);
    // Translating every atom changes nothing; the forces sum to zero.
    Vec3 total{0, 0, 0};
    for (const Vec3& x : ref.forces) total += x;
    CHECK(std::abs(total[0]) + std::abs(total[1]) + std::abs(total[2]) <= 1e-12 * scale * static_cast<double>(s.size()));
}
