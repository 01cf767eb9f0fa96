// Where hdnnp deliberately differs from n2p2 (commit 61daa0df) because n2p2 is wrong there
// (docs/n2p2-differences.md). Each test shows that hdnnp follows the definition:
//
// 1. Forces in a cell smaller than the cutoff, where atoms see periodic images of themselves: n2p2 drops the
//    terms of the central atom's own images from its force (Mode::calculateForces skips the first entry of
//    neighborsUnique), so its force is not -dE/dr. hdnnp's forces equal fourth-order central finite
//    differences of its energy, and the test shows that the terms n2p2 drops are large in this cell.
// 2. Compact narrow angular functions (type 21) with equal rl and rc but different subtypes: n2p2's group
//    (SymGrpCompAngn::calculate) reuses the previous member's r_jk radial value, computed with that member's
//    subtype. hdnnp's value of each function equals its own definition, evaluated here independently by a
//    brute-force sum over triplets.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "hdnnp/potential/potential.hpp"
#include "hdnnp/io/n2p2_model.hpp"
#include "support/finite_difference.hpp"
#include "support/serial_openmp.hpp"

using namespace hdnnp;

namespace {

/// A 2G model from input.nn text with n functions per element (one element, Z = z), scaling min/max per
/// function (scale_symmetry_functions) and fixed-seed random weights of a n-6-5-1 tanh network.
Model make_model(const std::string& input_nn, int z, const std::vector<std::array<double, 2>>& ranges, unsigned seed) {
    std::ostringstream sc;
    sc.precision(17);
    for (std::size_t s = 0; s < ranges.size(); ++s)
        sc << "1 " << s + 1 << " " << ranges[s][0] << " " << ranges[s][1] << " " << 0.5 * (ranges[s][0] + ranges[s][1]) << " 1.0\n";
    std::mt19937 gen(seed);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    const std::vector<std::size_t> sizes{ranges.size(), 6, 5, 1};
    std::ostringstream w;
    w.precision(17);
    for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
        for (std::size_t k = 0; k < sizes[l] * sizes[l + 1]; ++k) w << u(gen) / std::sqrt(double(sizes[l])) << "\n";
        for (std::size_t k = 0; k < sizes[l + 1]; ++k) w << 0.2 * u(gen) << "\n";
    }
    std::istringstream nn(input_nn), scs(sc.str()), ws(w.str());
    return io::parse_n2p2_model(nn, "input.nn", scs, "scaling.data", [&](int zz, std::string& name) -> std::istream& {
        REQUIRE(zz == z);
        name = "weights.data";
        return ws;
    });
}

// ------------------------------------------------------------------------------------------------
// 1. Self-image force terms

const char* const small_cell_model =
    "number_of_elements 1\n"
    "elements Si\n"
    "cutoff_type 6\n"
    "scale_symmetry_functions\n"
    "global_hidden_layers_short 2\n"
    "global_nodes_short 6 5\n"
    "global_activation_short t t l\n"
    "symfunction_short Si 2 Si 0.3 0.0 5.0\n"
    "symfunction_short Si 2 Si 0.8 2.5 5.0\n"
    "symfunction_short Si 3 Si Si 0.05 1 1 5.0\n"
    "symfunction_short Si 3 Si Si 0.02 -1 2 5.0\n"
    "symfunction_short Si 9 Si Si 0.04 1 4 5.0\n";

/// Two atoms in a sheared cell whose three vectors (3.1-3.4) are all shorter than the 5.0 cutoff: every atom
/// sees several images of itself, and triplets (i, image of i, j) enter its angular functions.
Structure small_cell() {
    Structure s;
    s.periodic = true;
    s.lattice = {Vec3{3.2, 0.0, 0.0}, Vec3{0.7, 3.1, 0.0}, Vec3{-0.4, 0.5, 3.3}};
    s.add_atom("Si", {0.1, 0.2, 0.3});
    s.add_atom("Si", {1.9, 1.3, 1.4});
    return s;
}

/// Scaling ranges from the structure's own raw functions (each scaled input O(1)).
std::vector<std::array<double, 2>> ranges_for(const std::string& input_nn, int z, std::size_t n, const Structure& s) {
    const Potential<> probe(make_model(input_nn, z, std::vector<std::array<double, 2>>(n, {0.0, 1.0}), 7));
    ComputeOptions opt;
    opt.forces = false;
    opt.keep_descriptors = true;
    const Result r = probe.compute(s, opt);
    std::vector<std::array<double, 2>> ranges(n, {0.0, 1.0});
    for (std::size_t k = 0; k < n; ++k)
        for (const auto& g : r.descriptors_raw) ranges[k][1] = std::max(ranges[k][1], 1.25 * std::abs(g[k]));
    return ranges;
}

}  // namespace

TEST_CASE("n2p2 difference 1: forces with self-images in a cell smaller than the cutoff are -dE/dr", "[potential][n2p2]") {
    const Structure s = small_cell();
    const Potential<> pot(make_model(small_cell_model, 14, ranges_for(small_cell_model, 14, 5, s), 11));
    REQUIRE(pot.model().cutoff_radius() == 5.0);
    for (const Vec3& a : s.lattice) REQUIRE(norm(a) < 5.0);

    const Result r = pot.compute(s);
    const auto energy = [&](const Structure& x) {
        test::SerialOpenMP serial;
        ComputeOptions opt;
        opt.forces = false;
        return pot.compute(x, opt).energy;
    };
    constexpr double h = 2e-4;
    double largest = 0.0;
    for (std::size_t i = 0; i < s.size(); ++i)
        for (int k = 0; k < 3; ++k) {
            const double fd = test::fd_force(energy, s, i, k, h);
            INFO("atom " << i + 1 << " component " << k << ": analytic " << r.forces[i][k] << ", finite difference " << fd);
            CHECK(std::abs(r.forces[i][k] - fd) <= 1e-7 * std::max(1.0, std::abs(fd)));
            largest = std::max(largest, std::abs(fd));
        }
    REQUIRE(largest > 1e-2);  // the forces are not trivially zero

    // The terms n2p2 drops: the derivative of atom i's own energy E_i through the images of i, which move with
    // i. In a 3x3x3 supercell the images of the central copy are other atoms, so moving only that copy gives
    // dE_i/dx with the images fixed (what n2p2 keeps); the difference to moving all copies is what it drops.
    const Structure big = supercell(s, 3, 3, 3);
    const std::size_t centre = 13 * s.size();  // image (1, 1, 1) of atom 0
    const auto atomic = [&](const Structure& x, std::size_t atom) {
        test::SerialOpenMP serial;
        ComputeOptions opt;
        opt.forces = false;
        return pot.compute(x, opt).atomic_energies[atom];
    };
    double dropped = 0.0;
    for (int k = 0; k < 3; ++k) {
        const double with_images = test::central_difference4(
            [&](double dx) {
                Structure x = s;
                x.positions[0][k] += dx;
                return atomic(x, 0);
            },
            h);
        const double images_fixed = test::central_difference4(
            [&](double dx) {
                Structure x = big;
                x.positions[centre][k] += dx;
                return atomic(x, centre);
            },
            h);
        dropped = std::max(dropped, std::abs(with_images - images_fixed));
    }
    INFO("largest self-image term n2p2 drops: " << dropped << " (largest force component " << largest << ")");
    CHECK(dropped > 1e-3 * largest);
}

// ------------------------------------------------------------------------------------------------
// 2. Compact narrow angular functions of different subtypes on the same radial window

namespace {

/// The compact core P(u) of docs/file-formats.md (p1..p4: the POLY1..POLY4 cutoff polynomials in u).
double core(const std::string& sub, double u) {
    switch (sub[1]) {
        case '1': return (2.0 * u - 3.0) * u * u + 1.0;
        case '2': return ((15.0 - 6.0 * u) * u - 10.0) * u * u * u + 1.0;
        case '3': return (u * (u * (20.0 * u - 70.0) + 84.0) - 35.0) * std::pow(u, 4) + 1.0;
        default: return (u * (u * ((315.0 - 70.0 * u) * u - 540.0) + 420.0) - 126.0) * std::pow(u, 5) + 1.0;
    }
}

/// The window C(x; a, b) = P(|x - m| / w), 0 outside a < x < b; `asym`: u -> u (2 - u) (radial windows of
/// the `a` subtypes).
double window(const std::string& sub, bool asym, double x, double a, double b) {
    if (!(a < x && x < b)) return 0.0;
    double u = std::abs(x - 0.5 * (a + b)) / (0.5 * (b - a));
    if (asym) u = u * (2.0 - u);
    return core(sub, u);
}

/// Type 21 by its definition: sum over unordered neighbour pairs j < k of R(r_ij) R(r_ik) R(r_jk) A(theta_ijk),
/// every factor with the function's own subtype; `rjk_sub`/`rjk_asym` replace the subtype of R(r_jk) only (to
/// evaluate what n2p2's group computes).
double type21(const std::vector<Vec3>& r, std::size_t i, double rl, double rc, double left, double right, const std::string& sub,
              bool asym, const std::string& rjk_sub, bool rjk_asym) {
    constexpr double deg = M_PI / 180.0;
    double g = 0.0;
    for (std::size_t j = 0; j < r.size(); ++j)
        for (std::size_t k = j + 1; k < r.size(); ++k) {
            if (j == i || k == i) continue;
            const Vec3 dij = r[j] - r[i], dik = r[k] - r[i];
            const double rij = norm(dij), rik = norm(dik), rjk = norm(r[k] - r[j]);
            const double c = dot(dij, dik) / (rij * rik);
            if (std::abs(c) >= 1.0) continue;
            g += window(sub, asym, rij, rl, rc) * window(sub, asym, rik, rl, rc) * window(rjk_sub, rjk_asym, rjk, rl, rc) *
                 window(sub, false, std::acos(c), left * deg, right * deg);
        }
    return g;
}

}  // namespace

TEST_CASE("n2p2 difference 2: type-21 functions p1 and p2a on the same window each follow their own definition",
          "[potential][n2p2]") {
    // n2p2 sorts the group's members by subtype (p1 < p2a); both have rl = -4.5, rc = 4.5, so n2p2 gives the
    // p2a member the p1 value of R(r_jk).
    const std::string input_nn =
        "number_of_elements 1\n"
        "elements C\n"
        "cutoff_type 6\n"
        "global_hidden_layers_short 2\n"
        "global_nodes_short 6 5\n"
        "global_activation_short t t l\n"
        "symfunction_short C 21 C C -4.5 4.5 0 180 p2a\n"
        "symfunction_short C 21 C C -4.5 4.5 0 180 p1\n";
    const Model model = make_model(input_nn, 6, {{0.0, 1.0}, {0.0, 1.0}}, 3);
    const auto& specs = model.elements[0].descriptors.specs();
    REQUIRE(specs.size() == 2);
    REQUIRE(specs[0].subtype == "p1");  // n2p2 order: subtypes compared as strings
    REQUIRE(specs[1].subtype == "p2a");
    const Potential<> pot(model);

    // A cluster of six carbon atoms, all within the 4.5 window of each other.
    Structure s;
    std::mt19937 gen(5);
    std::uniform_real_distribution<double> u(-1.3, 1.3);
    while (s.size() < 6) {
        const Vec3 x{u(gen), u(gen), u(gen)};
        bool ok = true;
        for (const Vec3& y : s.positions) ok = ok && norm(x - y) > 0.9;
        if (ok) s.add_atom("C", x);
    }
    ComputeOptions opt;
    opt.forces = false;
    opt.keep_descriptors = true;
    const Result r = pot.compute(s, opt);

    double largest_gap = 0.0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const double p1 = type21(s.positions, i, -4.5, 4.5, 0.0, 180.0, "p1", false, "p1", false);
        const double p2a = type21(s.positions, i, -4.5, 4.5, 0.0, 180.0, "p2", true, "p2", true);
        // What n2p2's group gives the p2a member: R(r_jk) of the previous member (p1).
        const double p2a_n2p2 = type21(s.positions, i, -4.5, 4.5, 0.0, 180.0, "p2", true, "p1", false);
        INFO("atom " << i + 1 << ": hdnnp p1 " << r.descriptors_raw[i][0] << " definition " << p1 << "; hdnnp p2a "
                     << r.descriptors_raw[i][1] << " definition " << p2a << " (n2p2's group: " << p2a_n2p2 << ")");
        REQUIRE(p1 > 1e-3);
        CHECK(r.descriptors_raw[i][0] == Approx(p1).epsilon(1e-12));
        CHECK(r.descriptors_raw[i][1] == Approx(p2a).epsilon(1e-12));
        largest_gap = std::max(largest_gap, std::abs(p2a_n2p2 - p2a) / p2a);
    }
    // The configuration tells the two apart: n2p2's value differs from the definition by far more than 1e-12.
    CHECK(largest_gap > 1e-3);
}
