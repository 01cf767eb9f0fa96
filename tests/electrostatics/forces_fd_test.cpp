// 4G forces (adjoint method) and stress equal finite differences of the 4G energy.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/potential/potential.hpp"
#include "hdnnp/io/input_data.hpp"
#include "support/reference.hpp"
#include "support/finite_difference.hpp"

using namespace hdnnp;

namespace {

/// Energy without the constant offsets (less round-off in differences).
double energy(const Potential4G<>& pot, const Structure& s, const ComputeOptions4G& opt) {
    ComputeOptions4G o = opt;
    o.forces = false;
    const Result4G r = pot.compute(s, o);
    return r.short_energy + r.electrostatic_energy;
}

/// Fourth-order central difference of the energy along coordinate k of atom i.
double fd_force(const Potential4G<>& pot, Structure s, std::size_t i, int k, double h, const ComputeOptions4G& opt) {
    return test::fd_force([&](const Structure& t) { return energy(pot, t, opt); }, std::move(s), i, k, h);
}

/// Max |F_analytic - F_fd| over the given atoms (all three components), relative to max |F|.
double check_forces(const Potential4G<>& pot, const Structure& s, const std::vector<std::size_t>& atoms, double h,
                    const ComputeOptions4G& opt, const char* label) {
    const Result4G r = pot.compute(s, opt);
    double dmax = 0.0, fmax = 0.0;
    for (std::size_t i : atoms)
        for (int k = 0; k < 3; ++k) {
            const double f = fd_force(pot, s, i, k, h, opt);
            dmax = std::max(dmax, std::abs(f - r.forces[i][k]));
            fmax = std::max(fmax, std::abs(r.forces[i][k]));
        }
    std::printf("%-40s max|F - F_fd| = %.3e (max|F| %.3e)\n", label, dmax, fmax);
    return dmax;
}

Structure load_structure(const std::string& example) {
    auto v = io::read_input_data(test::predict_dir(example) + "/input.data");
    REQUIRE(v.size() == 1);
    return v[0];
}

/// Ewald parameters whose truncation errors are below double precision (erfc and exp(-eta^2 k^2/2)
/// at the cutoffs ~ 1e-16), so that no pair or k-vector crossing a cutoff disturbs the differences.
EwaldParameters tight_ewald(double eta, double max_gamma) {
    EwaldParameters p;
    p.eta = eta;
    p.real_cutoff = 6.0 * std::sqrt(2.0) * std::max(eta, max_gamma);
    p.kspace_cutoff = 6.0 * std::sqrt(2.0) / eta;
    return p;
}

}  // namespace

TEST_CASE("non-periodic 4G forces equal finite differences of the energy", "[electrostatics][fd]") {
    const auto pot = Potential4G<>::load(test::predict_dir("Carbon_chain_4G"));
    Structure s = load_structure("Carbon_chain_4G");
    std::vector<std::size_t> all(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) all[i] = i;
    SECTION("neutral chain") {
        CHECK(check_forces(pot, s, all, 1e-3, {}, "Carbon_chain_4G, Q = 0") <= 1e-9);
    }
    SECTION("charged chain (Q = +1)") {
        s.total_charge = 1.0;
        const Result4G r = pot.compute(s);
        double q = 0.0;
        for (double x : r.charges) q += x;
        CHECK(q == Approx(1.0).margin(1e-12));
        CHECK(check_forces(pot, s, all, 1e-3, {}, "Carbon_chain_4G, Q = +1") <= 1e-9);
    }
    SECTION("negatively charged chain (Q = -1)") {
        s.total_charge = -1.0;
        CHECK(check_forces(pot, s, {0, 5, 10}, 1e-3, {}, "Carbon_chain_4G, Q = -1") <= 1e-9);
    }
}

TEST_CASE("periodic 4G forces equal finite differences of the energy", "[electrostatics][fd]") {
    SECTION("AlAuMgO slab, tight Ewald sum") {
        const auto pot = Potential4G<>::load(test::predict_dir("AlAuMgO_4G"));
        const Structure s = load_structure("AlAuMgO_4G");
        const EwaldParameters p = tight_ewald(6.0, std::sqrt(2.0) * pot.model().max_gauss_width());
        ComputeOptions4G opt;
        opt.ewald = &p;
        CHECK(check_forces(pot, s, {0, 1, 8, 55, 109}, 1e-3, opt, "AlAuMgO_4G, tight Ewald") <= 1e-8);
    }
    SECTION("AlAuMgO slab, n2p2's Ewald parameters (atoms whose pairs cross no cutoff)") {
        const auto pot = Potential4G<>::load(test::predict_dir("AlAuMgO_4G"));
        const Structure s = load_structure("AlAuMgO_4G");
        CHECK(check_forces(pot, s, {3, 77}, 1e-4, {}, "AlAuMgO_4G, n2p2 Ewald") <= 1e-6);
    }
}

namespace {

/// Two water molecules of the H2O 4G reference in a small sheared cell: lattice vectors (7.9 to 8.6 bohr)
/// shorter than the symmetry-function cutoff and the outer screening radius (12 bohr), so that atoms
/// interact with their own periodic images everywhere (descriptors, Ewald sum, screening).
Structure small_water_cell() {
    const Structure ref = load_structure("H2O_RPBE-D3_4G");
    Structure s;
    s.periodic = true;
    s.lattice = Mat3{Vec3{8.6, 0.0, 0.0}, Vec3{1.9, 7.9, 0.0}, Vec3{-1.2, 0.9, 8.1}};
    const Vec3 shift{4.1, 3.6, 3.9};
    for (std::size_t i = 0; i < 3; ++i) {
        s.add_atom(ref.symbols[i], ref.positions[i]);
        s.add_atom(ref.symbols[i], ref.positions[i] + shift);
    }
    return s;
}

/// Energy of s deformed by the symmetric strain eps (cell and positions: r -> (1 + eps) r).
double strained_energy(const Potential4G<>& pot, const Structure& s0, const Mat3& eps, const ComputeOptions4G& opt) {
    Structure s = s0;
    auto deform = [&](Vec3& r) {
        const Vec3 r0 = r;
        for (int a = 0; a < 3; ++a) r[a] = r0[a] + eps[a][0] * r0[0] + eps[a][1] * r0[1] + eps[a][2] * r0[2];
    };
    for (auto& r : s.positions) deform(r);
    for (int k = 0; k < 3; ++k) deform(s.lattice[k]);
    return energy(pot, s, opt);
}

}  // namespace

TEST_CASE("4G forces in a small sheared cell with self-image interactions equal finite differences",
          "[electrostatics][fd]") {
    const auto pot = Potential4G<>::load(test::predict_dir("H2O_RPBE-D3_4G"));
    const Structure s = small_water_cell();
    const EwaldParameters p = tight_ewald(2.0, std::sqrt(2.0) * pot.model().max_gauss_width());
    ComputeOptions4G opt;
    opt.ewald = &p;
    const std::vector<std::size_t> all = {0, 1, 2, 3, 4, 5};
    SECTION("n2p2's self-image screening weight") {
        CHECK(check_forces(pot, s, all, 1e-3, opt, "small water cell, self-image weight 1") <= 1e-8);
    }
    SECTION("pair-counting self-image screening weight") {
        opt.screening_self_image_weight = 0.5;
        CHECK(check_forces(pot, s, all, 1e-3, opt, "small water cell, self-image weight 1/2") <= 1e-8);
    }
    SECTION("the self-image weight changes the energy only through pairs closer than r_out") {
        ComputeOptions4G half = opt;
        half.screening_self_image_weight = 0.5;
        CHECK(energy(pot, s, opt) != Approx(energy(pot, s, half)).epsilon(1e-12));
    }
}

TEST_CASE("4G stress equals the strain derivative of the energy at fixed Ewald parameters", "[electrostatics][fd]") {
    const auto pot = Potential4G<>::load(test::predict_dir("H2O_RPBE-D3_4G"));
    const Structure s = small_water_cell();
    const EwaldParameters p = tight_ewald(2.0, std::sqrt(2.0) * pot.model().max_gauss_width());
    ComputeOptions4G opt;
    opt.ewald = &p;
    const Result4G r = pot.compute(s, opt);
    REQUIRE(r.has_stress);
    const double V = std::abs(s.volume());
    const double h = 1e-4;
    double dmax = 0.0, smax = 0.0;
    for (int a = 0; a < 3; ++a)
        for (int b = a; b < 3; ++b) {
            Mat3 e{};
            auto at = [&](double x) {
                e = Mat3{};
                e[a][b] += 0.5 * x;
                e[b][a] += 0.5 * x;
                return strained_energy(pot, s, e, opt);
            };
            const double d = test::central_difference4(at, h);
            const double sigma_fd = d / V;
            dmax = std::max(dmax, std::abs(sigma_fd - r.stress[a][b]));
            smax = std::max(smax, std::abs(r.stress[a][b]));
        }
    std::printf("%-40s max|sigma - sigma_fd| = %.3e (max|sigma| %.3e)\n", "small water cell stress", dmax, smax);
    CHECK(dmax <= 1e-9);
    CHECK(std::abs(r.stress[0][1] - r.stress[1][0]) <= 1e-12);
}
