// Invariances of the 2G potential on structures made from the n2p2 reference examples: equivalent
// cells, rigid motions, finite differences at perturbed geometries, clusters in vacuum against the
// same cluster in a large periodic box, periodic images, small cells against supercells.
// Agreement: energies to 1e-10 relative, forces to 1e-8 absolute, virials and stresses to 1e-10
// relative to their largest component. Finite differences as in derivatives_test.cpp: 4-point central
// stencil, step 1e-3 length units, energy difference summed atom by atom, agreement to 1e-7 relative
// (max(1, |derivative|)). The reference structures are evaluated once per run and cached.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>


#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/potential/potential.hpp"
#include "hdnnp/io/input_data.hpp"
#include "support/reference.hpp"
#include "support/serial_openmp.hpp"

using namespace hdnnp;

namespace {

constexpr double kEnergyTolerance = 1e-10;  // relative
constexpr double kForceTolerance = 1e-8;    // absolute [energy/length]
constexpr double kVirialTolerance = 1e-10;  // relative to the largest virial component

/// A reference example: its potential, its structure and the result there (computed once per run).
struct Example {
    Potential<> pot;
    Structure s;
    Result r;
};

const Example& example(const std::string& name) {
    static std::map<std::string, std::unique_ptr<Example>> cache;
    auto it = cache.find(name);
    if (it == cache.end()) {
        const std::string dir = test::predict_dir(name);
        auto e = std::make_unique<Example>();
        e->pot = Potential<>::load(dir);
        const auto structures = io::read_input_data(dir + "/input.data");
        REQUIRE(structures.size() == 1);
        e->s = structures[0];
        e->r = e->pot.compute(e->s);
        it = cache.emplace(name, std::move(e)).first;
    }
    return *it->second;
}

const std::vector<std::string>& periodic_examples() {
    static const std::vector<std::string> e = {"H2O_RPBE-D3", "Cu2S_PBE", "Anisole_SCAN", "Ethylbenzene_SCAN"};
    return e;
}

Mat3 multiply(const Mat3& a, const Mat3& b) {
    Mat3 c{};
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            for (int k = 0; k < 3; ++k) c[i][j] += a[i][k] * b[k][j];
    return c;
}
Mat3 transpose(const Mat3& a) {
    Mat3 t{};
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) t[i][j] = a[j][i];
    return t;
}
Vec3 mat_vec(const Mat3& m, const Vec3& v) { return {dot(m[0], v), dot(m[1], v), dot(m[2], v)}; }

/// Rotation by `angle` about `axis` (Rodrigues).
Mat3 rotation(Vec3 axis, double angle) {
    axis = (1.0 / norm(axis)) * axis;
    const double c = std::cos(angle), s = std::sin(angle), t = 1.0 - c;
    const double x = axis[0], y = axis[1], z = axis[2];
    return {Vec3{t * x * x + c, t * x * y - s * z, t * x * z + s * y}, Vec3{t * x * y + s * z, t * y * y + c, t * y * z - s * x},
            Vec3{t * x * z - s * y, t * y * z + s * x, t * z * z + c}};
}

/// Checks b against a: energies scaled by `energy_factor`, force of atom i of b against
/// force_map(a.forces[source(i)]), virial of b against virial_factor * virial_map(a.virial).
struct Expectation {
    double energy_factor = 1.0;
    std::function<std::size_t(std::size_t)> source = [](std::size_t i) { return i; };
    std::function<Vec3(const Vec3&)> force_map = [](const Vec3& f) { return f; };
    std::function<Mat3(const Mat3&)> virial_map = [](const Mat3& w) { return w; };
    double virial_factor = 1.0;
    bool compare_stress = true;  ///< stress (periodic both) is virial / volume: compared as stress_map too
};

void check_same(const Result& a, const Result& b, std::size_t n_b, const Expectation& x, const std::string& what) {
    INFO(what);
    const double e_ref = x.energy_factor * a.energy;
    INFO("E = " << b.energy << ", expected " << e_ref << ", relative deviation " << std::abs(b.energy - e_ref) / std::abs(e_ref));
    CHECK(std::abs(b.energy - e_ref) <= kEnergyTolerance * std::abs(e_ref));

    REQUIRE(b.forces.size() == n_b);
    double max_df = 0.0;
    for (std::size_t i = 0; i < n_b; ++i) {
        const Vec3 f = x.force_map(a.forces[x.source(i)]);
        for (int k = 0; k < 3; ++k) max_df = std::max(max_df, std::abs(b.forces[i][k] - f[k]));
    }
    INFO("max force deviation " << max_df);
    CHECK(max_df <= kForceTolerance);

    const Mat3 w = x.virial_map(a.virial);
    double wmax = 0.0, max_dw = 0.0;
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) {
            wmax = std::max(wmax, std::abs(x.virial_factor * w[i][j]));
            max_dw = std::max(max_dw, std::abs(b.virial[i][j] - x.virial_factor * w[i][j]));
        }
    INFO("max virial deviation " << max_dw << " (largest component " << wmax << ")");
    CHECK(max_dw <= kVirialTolerance * wmax);
    if (x.compare_stress && a.has_stress && b.has_stress) {
        const Mat3 sa = x.virial_map(a.stress);
        double smax = 0.0, max_ds = 0.0;
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j) {
                smax = std::max(smax, std::abs(sa[i][j]));
                max_ds = std::max(max_ds, std::abs(b.stress[i][j] - sa[i][j]));
            }
        INFO("max stress deviation " << max_ds << " (largest component " << smax << ")");
        CHECK(max_ds <= kVirialTolerance * smax);
    }
}

/// d/dt sum_i E_i(R + t u) at t = 0 (4-point stencil, difference summed atom by atom).
double directional_derivative(const Potential<>& pot, const Structure& s, const std::vector<Vec3>& u, double h) {
    const test::SerialOpenMP serial;
    ComputeOptions opt;
    opt.forces = false;
    auto energies = [&](double t) {
        Structure d = s;
        for (std::size_t i = 0; i < s.size(); ++i) d.positions[i] += t * u[i];
        return pot.compute(d, opt).atomic_energies;
    };
    const auto m2 = energies(-2.0 * h), m1 = energies(-h), p1 = energies(h), p2 = energies(2.0 * h);
    double d8 = 0.0, d1 = 0.0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        d8 += p1[i] - m1[i];
        d1 += p2[i] - m2[i];
    }
    return (8.0 * d8 - d1) / (12.0 * h);
}

/// Minimum-image difference b - a in a periodic structure (reduced fractional coordinates).
Vec3 minimum_image(const Structure& s, const Vec3& a, const Vec3& b) {
    const Mat3 inv = reciprocal_rows(s.lattice);
    Vec3 d = b - a;
    for (int k = 0; k < 3; ++k) d -= std::round(dot(inv[k], d)) * s.lattice[k];
    return d;
}

/// Every atom moved by a random lattice vector n.L with |n_k| <= nmax.
Structure shuffle_images(const Structure& s, std::mt19937& gen, int nmax) {
    std::uniform_int_distribution<int> u(-nmax, nmax);
    Structure t = s;
    for (Vec3& r : t.positions) {
        const int a = u(gen), b = u(gen), c = u(gen);
        r += double(a) * s.lattice[0] + double(b) * s.lattice[1] + double(c) * s.lattice[2];
    }
    return t;
}

}  // namespace

TEST_CASE("A sheared cell describing the same crystal gives the same energy, forces and stress", "[invariance]") {
    for (const std::string& ex : periodic_examples()) {
        DYNAMIC_SECTION(ex) {
            const Example& e = example(ex);
            // Rows a, b + a, c - 2b: an integer matrix of determinant 1, the same lattice.
            Structure t = e.s;
            t.lattice[1] = e.s.lattice[1] + e.s.lattice[0];
            t.lattice[2] = e.s.lattice[2] - 2.0 * e.s.lattice[1];
            REQUIRE(std::abs(t.volume() - e.s.volume()) <= 1e-12 * std::abs(e.s.volume()));
            check_same(e.r, e.pot.compute(t), t.size(), Expectation{}, ex + " with cell rows a, b + a, c - 2b");
        }
    }
}

TEST_CASE("A rotated structure has the same energy and rotated forces, virial and stress", "[invariance]") {
    const Mat3 q = rotation({1.0, -2.0, 0.7}, 0.83);
    for (const std::string& ex : test::examples_2g()) {
        DYNAMIC_SECTION(ex) {
            const Example& e = example(ex);
            Structure t = e.s;
            for (Vec3& r : t.positions) r = mat_vec(q, r);
            for (Vec3& row : t.lattice) row = mat_vec(q, row);
            Expectation x;
            x.force_map = [&](const Vec3& f) { return mat_vec(q, f); };
            x.virial_map = [&](const Mat3& w) { return multiply(multiply(q, w), transpose(q)); };
            check_same(e.r, e.pot.compute(t), t.size(), x, ex + " rotated by 0.83 rad about (1, -2, 0.7)");
        }
    }
}

TEST_CASE("A translated structure gives the same energy, forces, virial and stress", "[invariance]") {
    for (const std::string& ex : test::examples_2g()) {
        DYNAMIC_SECTION(ex) {
            const Example& e = example(ex);
            Structure t = e.s;
            for (Vec3& r : t.positions) r += Vec3{3.3, -7.1, 12.9};
            check_same(e.r, e.pot.compute(t), t.size(), Expectation{}, ex + " translated by (3.3, -7.1, 12.9)");
        }
    }
}

TEST_CASE("Forces at perturbed reference geometries equal finite differences of the energy", "[invariance]") {
    // Random displacements of up to 0.05 length units per component. Each example gets random
    // directions moving every atom at once (sum_i F_i . u_i) and, where evaluations are cheap, single
    // Cartesian components of atoms of each element. The expensive SCAN boxes get one direction only.
    struct Plan {
        std::string name;
        int directions;
        int atoms_per_element;
    };
    const std::vector<Plan> plans = {{"DMABN_SCAN", 3, 1}, {"Cu2S_PBE", 2, 1}, {"H2O_RPBE-D3", 1, 1},
                                     {"Anisole_SCAN", 1, 0}, {"Ethylbenzene_SCAN", 1, 0}};
    const double h = 1e-3, tolerance = 1e-7;
    for (const Plan& plan : plans) {
        DYNAMIC_SECTION(plan.name) {
            const Example& e = example(plan.name);
            std::mt19937 gen(2024);
            std::uniform_real_distribution<double> u(-0.05, 0.05);
            Structure s = e.s;
            for (Vec3& r : s.positions) r += Vec3{u(gen), u(gen), u(gen)};
            const Result r = e.pot.compute(s);
            INFO(plan.name << " perturbed: E = " << r.energy);

            std::vector<std::vector<Vec3>> fields;
            std::vector<std::string> labels;
            std::uniform_real_distribution<double> v(-1.0, 1.0);
            for (int d = 0; d < plan.directions; ++d) {
                std::vector<Vec3> f(s.size());
                for (Vec3& x : f) x = Vec3{v(gen), v(gen), v(gen)};
                fields.push_back(f);
                labels.push_back("random direction " + std::to_string(d));
            }
            std::map<std::string, int> taken;
            for (std::size_t i = 0; i < s.size(); ++i) {
                if (taken[s.symbols[i]] >= plan.atoms_per_element) continue;
                ++taken[s.symbols[i]];
                for (int k = 0; k < 3; ++k) {
                    std::vector<Vec3> f(s.size(), Vec3{0, 0, 0});
                    f[i][k] = 1.0;
                    fields.push_back(f);
                    labels.push_back("atom " + std::to_string(i) + " (" + s.symbols[i] + ") component " + std::to_string(k));
                }
            }
            double worst = 0.0;
            std::string where;
            for (std::size_t f = 0; f < fields.size(); ++f) {
                double analytic = 0.0;
                for (std::size_t i = 0; i < s.size(); ++i) analytic -= dot(r.forces[i], fields[f][i]);
                const double fd = directional_derivative(e.pot, s, fields[f], h);
                const double q = std::abs(analytic - fd) / std::max(1.0, std::abs(fd));
                if (q >= worst) {
                    worst = q;
                    std::ostringstream o;
                    o.precision(15);
                    o << labels[f] << ": -sum F.u = " << analytic << ", finite difference " << fd;
                    where = o.str();
                }
            }
            INFO(fields.size() << " derivatives; worst " << where << " (relative " << worst << ")");
            CHECK(worst <= tolerance);
        }
    }
}

TEST_CASE("A water cluster alone equals the same cluster in a periodic box with vacuum, whatever the images of its atoms",
          "[invariance]") {
    const Example& e = example("H2O_RPBE-D3");
    const Structure& box = e.s;
    const double rc = e.pot.cutoff();

    // Molecules: every H belongs to its nearest O (minimum image).
    std::vector<std::size_t> oxygens;
    for (std::size_t i = 0; i < box.size(); ++i)
        if (box.symbols[i] == "O") oxygens.push_back(i);
    REQUIRE(!oxygens.empty());
    std::map<std::size_t, std::vector<std::size_t>> hydrogens;
    for (std::size_t i = 0; i < box.size(); ++i) {
        if (box.symbols[i] != "H") continue;
        std::size_t best = oxygens[0];
        for (std::size_t o : oxygens)
            if (norm(minimum_image(box, box.positions[o], box.positions[i])) <
                norm(minimum_image(box, box.positions[best], box.positions[i])))
                best = o;
        hydrogens[best].push_back(i);
    }
    // Whole molecules whose O is within 9 length units of the first O, unwrapped around it.
    const std::size_t centre = oxygens[0];
    Structure cluster;
    for (std::size_t o : oxygens) {
        const Vec3 d = minimum_image(box, box.positions[centre], box.positions[o]);
        if (norm(d) > 9.0) continue;
        REQUIRE(hydrogens[o].size() == 2);
        const Vec3 ro = box.positions[centre] + d;
        cluster.add_atom("O", ro);
        for (std::size_t hh : hydrogens[o]) cluster.add_atom("H", ro + minimum_image(box, box.positions[o], box.positions[hh]));
    }
    REQUIRE(cluster.size() >= 30);
    const Result alone = e.pot.compute(cluster);
    INFO(cluster.size() << " atoms, E = " << alone.energy);

    // The same atoms in a cubic box whose vacuum gap exceeds twice the cutoff.
    Vec3 lo = cluster.positions[0], hi = lo;
    for (const Vec3& r : cluster.positions)
        for (int k = 0; k < 3; ++k) {
            lo[k] = std::min(lo[k], r[k]);
            hi[k] = std::max(hi[k], r[k]);
        }
    const double edge = std::max({hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]}) + 2.0 * rc + 1.0;
    Structure boxed = cluster;
    boxed.periodic = true;
    boxed.lattice = {Vec3{edge, 0, 0}, Vec3{0, edge, 0}, Vec3{0, 0, edge}};
    Expectation x;
    x.compare_stress = false;
    check_same(alone, e.pot.compute(boxed), boxed.size(), x, "cluster in a cubic box of edge " + std::to_string(edge));

    std::mt19937 gen(7);
    for (int trial = 0; trial < 2; ++trial) {
        const Structure shuffled = shuffle_images(boxed, gen, 3);
        check_same(alone, e.pot.compute(shuffled), shuffled.size(), x, "cluster atoms moved to random images (|n| <= 3)");
    }
}

TEST_CASE("A cell smaller than twice the cutoff equals its 2x2x2 and 3x3x3 supercells", "[invariance]") {
    const Example& e = example("H2O_RPBE-D3");
    const double rc = e.pot.cutoff();
    // Two water molecules (O-H 1.81, H-O-H 104.5 degrees) in a cubic and in a triclinic cell of edge
    // about 8 length units, far below 2 rc = 24: every atom sees many images of itself.
    const double oh = 1.81, half = 0.5 * 104.5 * M_PI / 180.0;
    const Vec3 h1{oh * std::sin(half), 0.0, oh * std::cos(half)}, h2{-oh * std::sin(half), 0.0, oh * std::cos(half)};
    const Mat3 qa = rotation({0.3, 1.0, -0.4}, 0.6), qb = rotation({-1.0, 0.2, 0.5}, 2.1);
    const std::vector<Mat3> cells = {Mat3{Vec3{8.0, 0, 0}, Vec3{0, 8.0, 0}, Vec3{0, 0, 8.0}},
                                     Mat3{Vec3{8.1, 0, 0}, Vec3{1.3, 7.9, 0}, Vec3{-0.9, 0.6, 8.3}}};
    for (std::size_t c = 0; c < cells.size(); ++c) {
        DYNAMIC_SECTION((c == 0 ? "cubic cell" : "triclinic cell")) {
            Structure s;
            s.periodic = true;
            s.lattice = cells[c];
            const Vec3 oa = 0.25 * (cells[c][0] + cells[c][1] + cells[c][2]);
            const Vec3 ob = 0.74 * cells[c][0] + 0.77 * cells[c][1] + 0.71 * cells[c][2];
            s.add_atom("O", oa);
            s.add_atom("H", oa + mat_vec(qa, h1));
            s.add_atom("H", oa + mat_vec(qa, h2));
            s.add_atom("O", ob);
            s.add_atom("H", ob + mat_vec(qb, h1));
            s.add_atom("H", ob + mat_vec(qb, h2));
            const NeighborList nl = build_neighbor_list(s, rc);
            double dmin = 1e300;
            for (double d : nl.r) dmin = std::min(dmin, d);
            REQUIRE(dmin > 1.7);
            INFO("smallest distance " << dmin << ", " << nl.r.size() / s.size() << " neighbours per atom within rc = " << rc);
            const Result r = e.pot.compute(s);

            std::mt19937 gen(11);
            const Structure shuffled = shuffle_images(s, gen, 2);
            check_same(r, e.pot.compute(shuffled), s.size(), Expectation{}, "atoms moved to random images (|n| <= 2)");

            for (int n : {2, 3}) {
                const Structure big = supercell(s, n, n, n);
                Expectation x;
                x.energy_factor = double(n * n * n);
                x.source = [&](std::size_t i) { return i % s.size(); };
                x.virial_factor = double(n * n * n);  // stress (virial / volume) is unchanged
                check_same(r, e.pot.compute(big), big.size(), x, std::to_string(n) + "x" + std::to_string(n) + "x" + std::to_string(n) + " supercell");
            }
        }
    }
}

TEST_CASE("A 2x1x1 Cu2S supercell has twice the energy, repeated forces and the same stress", "[invariance]") {
    const Example& e = example("Cu2S_PBE");
    const Structure big = supercell(e.s, 2, 1, 1);
    Expectation x;
    x.energy_factor = 2.0;
    x.source = [&](std::size_t i) { return i % e.s.size(); };
    x.virial_factor = 2.0;
    check_same(e.r, e.pot.compute(big), big.size(), x, "Cu2S_PBE 2x1x1 supercell");
}
