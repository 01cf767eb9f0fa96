// The shipped silicon potential examples/sw-silicon (made by examples/make_sw_model): its reference data are the
// recipe's Stillinger-Weber sampling, regenerated here, and the model meets the targets of its README on the
// shipped test set and on the diamond E(a) curve.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "../../examples/stillinger_weber.hpp"
#include "../../examples/sw_sampling.hpp"
#include "hdnnp/io/input_data.hpp"
#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/potential/potential.hpp"
#include "support/shipped.hpp"

using namespace hdnnp;

namespace {

const std::string kDir = std::string(HDNNP_SOURCE_DIR) + "/examples/sw-silicon";

/// Largest |a - b| over positions [A], and over forces relative to the largest force, of two structures.
struct Difference {
    double positions = 0.0, lattice = 0.0, energy = 0.0, forces = 0.0;
};

Difference compare(const Structure& a, const Structure& b) {
    Difference d;
    REQUIRE(a.size() == b.size());
    double fscale = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i)
        for (int k = 0; k < 3; ++k) {
            d.positions = std::max(d.positions, std::abs(a.positions[i][k] - b.positions[i][k]));
            d.forces = std::max(d.forces, std::abs(a.forces[i][k] - b.forces[i][k]));
            fscale = std::max(fscale, std::abs(b.forces[i][k]));
        }
    for (int k = 0; k < 3; ++k)
        for (int l = 0; l < 3; ++l) d.lattice = std::max(d.lattice, std::abs(a.lattice[k][l] - b.lattice[k][l]));
    d.energy = std::abs(a.energy - b.energy) / std::abs(b.energy);
    if (fscale > 0.0) d.forces /= fscale;
    return d;
}

}  // namespace

TEST_CASE("shipped sw-silicon reference data regenerate from the recipe's Stillinger-Weber sampling", "[training][shipped]") {
    const auto data = io::read_input_data(kDir + "/training.data");
    const std::vector<sw_sampling::Job> jobs = sw_sampling::jobs();
    std::size_t expected = 0;
    for (const auto& j : jobs) expected += sw_sampling::snapshot_count(j);
    REQUIRE(data.size() == expected);
    // Every job, in order (about 10^5 SW steps of 8-216 atoms; MD is chaotic, so this also pins the
    // integrator, the seeds and the SW forces bit for bit up to the reported tolerance).
    // Jobs are independent (each seeded by its own number): run them in parallel, compare in order.
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::vector<Structure>> runs(jobs.size());
#pragma omp parallel for schedule(dynamic)
    for (long k = 0; k < static_cast<long>(jobs.size()); ++k) runs[static_cast<std::size_t>(k)] = sw_sampling::run(jobs[static_cast<std::size_t>(k)]);
    std::size_t offset = 0;
    Difference worst;
    for (std::size_t j = 0; j < jobs.size(); ++j) {
        const sw_sampling::Job& job = jobs[j];
        const std::vector<Structure>& again = runs[j];
        REQUIRE(again.size() == sw_sampling::snapshot_count(job));
        for (std::size_t k = 0; k < again.size(); ++k) {
            const Structure& stored = data[offset + k];
            INFO("job " << job.seed << " (" << job.name << "), snapshot " << k + 1);
            CHECK(stored.comment == again[k].comment);
            const Difference d = compare(again[k], stored);
            worst.positions = std::max(worst.positions, d.positions);
            worst.lattice = std::max(worst.lattice, d.lattice);
            worst.energy = std::max(worst.energy, d.energy);
            worst.forces = std::max(worst.forces, d.forces);
        }
        offset += again.size();
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    INFO("largest differences: positions " << worst.positions << " A, cell " << worst.lattice << " A, energy (relative) "
                                           << worst.energy << ", forces (relative to the largest) " << worst.forces << "; "
                                           << seconds << " s");
    CHECK(worst.lattice <= 1e-12);  // cells are drawn, not integrated: exact with any toolchain
    if (!test::toolchain_of_shipped_data()) {
        WARN(test::kShippedToolchainNote);
        return;
    }
    CHECK(worst.positions <= 1e-9);
    CHECK(worst.energy <= 1e-12);
    CHECK(worst.forces <= 1e-9);
}

TEST_CASE("shipped sw-silicon reference labels are the Stillinger-Weber energies and forces", "[training][shipped]") {
    auto data = io::read_input_data(kDir + "/training.data");
    const auto input = io::read_input_data(kDir + "/input.data");
    REQUIRE(input.size() == 1);
    REQUIRE(input[0].size() == 216);
    data.push_back(input[0]);
    double worst_e = 0.0, worst_f = 0.0;
    std::size_t n_test = 0;
    for (const Structure& s : data) {
        const sw::Output o = sw::compute(s);
        worst_e = std::max(worst_e, std::abs(o.energy - s.energy) / std::abs(o.energy));
        double fs = 0.0, df = 0.0;
        for (std::size_t i = 0; i < s.size(); ++i)
            for (int k = 0; k < 3; ++k) {
                fs = std::max(fs, std::abs(o.forces[i][k]));
                df = std::max(df, std::abs(o.forces[i][k] - s.forces[i][k]));
            }
        if (fs > 0.0) worst_f = std::max(worst_f, df / fs);
        n_test += s.set == "test" ? 1 : 0;
    }
    INFO("largest relative differences: energy " << worst_e << ", forces " << worst_f);
    CHECK(worst_e <= 1e-12);
    CHECK(worst_f <= 1e-12);
    CHECK(n_test >= 10);
}

TEST_CASE("shipped sw-silicon model meets its targets on the shipped test set and on diamond", "[training][shipped]") {
    const auto pot = Potential<>::load(kDir);
    REQUIRE(pot.model().elements.size() == 1);
    CHECK(pot.model().elements[0].symbol == "Si");
    const auto data = io::read_input_data(kDir + "/training.data");
    double se = 0.0, sf = 0.0;
    std::size_t n_test = 0, n_comp = 0, extrapolations = 0;
    for (const Structure& s : data) {
        if (s.set != "test") continue;
        const Result r = pot.compute(s);
        const double de = (r.energy - s.energy) / static_cast<double>(s.size());
        se += de * de;
        for (std::size_t i = 0; i < s.size(); ++i)
            for (int k = 0; k < 3; ++k) sf += (r.forces[i][k] - s.forces[i][k]) * (r.forces[i][k] - s.forces[i][k]);
        n_comp += 3 * s.size();
        extrapolations += r.extrapolation_count;
        ++n_test;
    }
    REQUIRE(n_test >= 10);
    const double e_rmse = std::sqrt(se / static_cast<double>(n_test)), f_rmse = std::sqrt(sf / static_cast<double>(n_comp));
    INFO("test set (" << n_test << " structures): energy RMSE " << 1e3 * e_rmse << " meV/atom, force RMSE " << 1e3 * f_rmse << " meV/A");
    // The targets are 1 meV/atom and 50 meV/A. The shipped fit (60 epochs of the Kalman filter with
    // the SW-matched angular functions, see examples/sw-silicon/README.md) reached 0.754 meV/atom and
    // 30.20 meV/A on this test set. The bounds hold the shipped files to their measured errors (+2 %), so
    // that a regenerated or damaged model that is worse fails; the targets are checked on their own too.
    CHECK(e_rmse < 1e-3);
    CHECK(f_rmse < 50e-3);
    CHECK(e_rmse < 0.754e-3 * 1.02);
    CHECK(f_rmse < 30.20e-3 * 1.02);
    CHECK(extrapolations == 0);

    // Diamond: -4.3366 eV/atom at a = 5.431 A within 1 meV/atom (measured -0.457 meV/atom); the E(a) curve
    // follows SW near the minimum (measured: within 0.567 meV/atom for a = 5.391 ... 5.471 A, within 1.622 meV/atom
    // for a = 5.331 ... 5.531 A, the largest at 5.531 A; bounds with the margins of the earlier fit's test,
    // 13 % and 9 %).
    const double e0 = pot.compute(sw_sampling::diamond(1, 5.431)).energy / 8.0;
    INFO("diamond at 5.431 A: " << e0 << " eV/atom");
    CHECK(std::abs(e0 - (-4.3366)) < 1e-3);
    double near = 0.0, wide = 0.0;
    for (int k = -5; k <= 5; ++k) {
        const Structure s = sw_sampling::diamond(1, 5.431 + 0.02 * k);
        const double d = std::abs(pot.compute(s).energy - sw::compute(s).energy) / 8.0;
        wide = std::max(wide, d);
        if (std::abs(k) <= 2) near = std::max(near, d);
    }
    INFO("largest E(a) error: a = 5.391 ... 5.471 A " << 1e3 * near << " meV/atom, a = 5.331 ... 5.531 A " << 1e3 * wide << " meV/atom");
    CHECK(near < 0.64e-3);
    CHECK(wide < 1.77e-3);

    // input.data (216-atom diamond at 1000 K, never fitted): measured +0.039 meV/atom, force RMSE 13.55 meV/A.
    const auto input = io::read_input_data(kDir + "/input.data");
    REQUIRE(input.size() == 1);
    const Result ri = pot.compute(input[0]);
    double fi = 0.0;
    for (std::size_t i = 0; i < input[0].size(); ++i)
        for (int k = 0; k < 3; ++k) fi += (ri.forces[i][k] - input[0].forces[i][k]) * (ri.forces[i][k] - input[0].forces[i][k]);
    const double de_input = (ri.energy - input[0].energy) / static_cast<double>(input[0].size());
    const double f_input = std::sqrt(fi / static_cast<double>(3 * input[0].size()));
    INFO("input.data: energy error " << 1e3 * de_input << " meV/atom, force RMSE " << 1e3 * f_input << " meV/A");
    CHECK(std::abs(de_input) < 1e-3);
    CHECK(f_input < 13.55e-3 * 1.02);
    CHECK(ri.extrapolation_count == 0);
}
