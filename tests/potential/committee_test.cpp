// Committees: descriptors once, every member's networks; the mean equals the average of the separate
// evaluations, the spreads are population standard deviations, and members with other symmetry functions
// are refused with the first difference named.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "hdnnp/hdnnp.hpp"
#include "support/reference.hpp"

using namespace hdnnp;
namespace fs = std::filesystem;

namespace {
const std::string blyp_dir() { return test::reference_dir() + "/potentials/H2O_BLYP"; }
}  // namespace

TEST_CASE("A committee of H2O_RPBE-D3 and H2O_BLYP is the average of the separate evaluations", "[potential][committee]") {
    const std::string dir = test::predict_dir("H2O_RPBE-D3");
    const Structure s = io::read_input_data(dir + "/input.data").at(0);
    const auto a = Potential<>::load(dir), b = Potential<>::load(blyp_dir());
    const auto c = Committee<>::load({dir, blyp_dir()});
    REQUIRE(c.size() == 2);
    for (bool simd : {true, false}) {
        INFO("simd " << simd);
        ComputeOptions opt;
        opt.simd = simd;
        opt.per_atom = true;
        const Result ra = a.compute(s, opt), rb = b.compute(s, opt);
        const CommitteeResult rc = c.compute(s, opt);
        const double mean = 0.5 * (ra.energy + rb.energy);
        CHECK(std::abs(rc.energy - mean) <= 1e-12 * std::abs(mean));
        CHECK(std::abs(rc.energy_spread - 0.5 * std::abs(ra.energy - rb.energy)) <= 1e-9 * std::abs(ra.energy - rb.energy));
        CHECK(rc.member_energies.size() == 2);
        double df = 0.0, dspread = 0.0, fmax = 0.0;
        for (std::size_t i = 0; i < s.size(); ++i) {
            const Vec3 m = 0.5 * (ra.forces[i] + rb.forces[i]);
            for (int k = 0; k < 3; ++k) {
                df = std::max(df, std::abs(rc.forces[i][k] - m[k]));
                fmax = std::max(fmax, std::abs(m[k]));
            }
            // two members: spread = |F_a - F_b| / 2
            dspread = std::max(dspread, std::abs(rc.force_spread[i] - 0.5 * norm(ra.forces[i] - rb.forces[i])));
        }
        CHECK(df <= 1e-12 * fmax);
        CHECK(dspread <= 1e-12 * fmax);
        for (int x = 0; x < 3; ++x)
            for (int y = 0; y < 3; ++y) CHECK(std::abs(rc.stress[x][y] - 0.5 * (ra.stress[x][y] + rb.stress[x][y])) <= 1e-14);
        double de = 0.0;
        for (std::size_t i = 0; i < s.size(); ++i)
            de = std::max(de, std::abs(rc.per_atom_energies[i] - 0.5 * (ra.per_atom_energies[i] + rb.per_atom_energies[i])));
        CHECK(de <= 1e-12);
    }
}

TEST_CASE("A committee of one model equals the model, with zero spreads", "[potential][committee]") {
    const std::string dir = test::predict_dir("Cu2S_PBE");
    const Structure s = io::read_input_data(dir + "/input.data").at(0);
    const auto c = Committee<>::load({dir});
    const Result r = Potential<>::load(dir).compute(s);
    const CommitteeResult rc = c.compute(s);
    CHECK(rc.energy == r.energy);
    CHECK(rc.energy_spread == 0.0);
    for (std::size_t i = 0; i < s.size(); ++i) CHECK(rc.force_spread[i] == 0.0);
}

TEST_CASE("A 4G committee solves each member's charges", "[potential][committee][4g]") {
    const std::string dir = test::predict_dir("Carbon_chain_4G");
    Structure s = io::read_input_data(dir + "/input.data").at(0);
    s.total_charge = -1.0;
    const auto p = Potential<>::load(dir);
    const auto c = Committee<>::load({dir, dir});
    const Result r = p.compute(s);
    const CommitteeResult rc = c.compute(s);
    CHECK(std::abs(rc.energy - r.energy) <= 1e-13 * std::abs(r.energy));
    REQUIRE(rc.charges.size() == s.size());
    for (std::size_t i = 0; i < s.size(); ++i) CHECK(std::abs(rc.charges[i] - r.charges[i]) <= 1e-14);
    CHECK(rc.energy_spread == 0.0);
}

TEST_CASE("Committee members with other symmetry functions are refused, naming the first difference", "[potential][committee]") {
    const std::string dir = test::predict_dir("H2O_RPBE-D3");
    CHECK_THROWS_WITH(Committee<>::load({dir, test::predict_dir("Cu2S_PBE")}),
                      Catch::Contains("member 2") && Catch::Contains("the elements differ (H O vs S Cu)"));
    CHECK_THROWS_WITH(Committee<>::load({dir, test::predict_dir("H2O_RPBE-D3_4G")}), Catch::Contains("is a 4G-HDNNP"));
    // the water model with the eta of one radial function of O changed (still the first in n2p2's order)
    const fs::path d = fs::temp_directory_path() / ("hdnnp_committee_" + std::to_string(::getpid()));
    fs::create_directories(d);
    for (const char* f : {"scaling.data", "weights.001.data", "weights.008.data"})
        fs::copy_file(dir + "/" + f, d / f, fs::copy_options::overwrite_existing);
    std::ifstream in(dir + "/input.nn");
    std::stringstream out;
    std::string line;
    bool changed = false;
    while (std::getline(in, line)) {
        if (!changed && line.rfind("symfunction_short O 2 H 0.001 0.0 12.00", 0) == 0) {
            line = "symfunction_short O 2 H 0.0009 0.0 12.00";
            changed = true;
        }
        out << line << "\n";
    }
    REQUIRE(changed);
    std::ofstream(d / "input.nn") << out.str();
    CHECK_THROWS_WITH(Committee<>::load({dir, d.string()}),
                      Catch::Contains("does not share the symmetry functions") && Catch::Contains("element O, symmetry function 1: 'O 2 H eta=0.001 rs=0 rc=12' vs 'O 2 H eta=0.0009 rs=0 rc=12'"));
    fs::remove_all(d);
}
