// Exact 3G and 4G Hessians (potential/hessian.hpp), one file so that the dense charged path is compiled once.
//
// 3G: exact Hessians (potential/hessian.hpp: local short-range and charge-network terms weighted by dE/dq,
// Coulomb/Ewald/screening pair Hessians, the charge response dQ/dR = P dq/dR of the total-charge scheme)
// against central differences of the analytic forces, on synthetic 3G water models (tests/support/model_3g.hpp):
// Gaussian and point charges, uniform and no total-charge scheme, screening, a charged cluster and a periodic
// (sheared) cell; symmetry and translation invariance. Finite differences: 4-point stencil, h = 1e-3 bohr;
// all rows of small structures (6 and 12 atoms).
//
// Exact 4G Hessians (potential/hessian.hpp: local terms, electrostatics and the charge response through the
// charge-equilibration system) against central differences of the analytic forces (dense Qeq solver, exact to
// round-off): n2p2's Carbon_chain_4G cluster, neutral and charged (+1, -1 e), and the periodic 4G water
// (H2O_RPBE-D3_4G, 384 atoms, Ewald) and AlAuMgO_4G (110 atoms) for three rows (atoms whose distances keep
// clear of the non-smooth radii, see smooth_atoms); symmetry (1e-12 relative),
// translation invariance (rows sum to zero), and non-locality: blocks beyond 2 rc do not vanish.
// Finite differences: 4-point stencil, h = 1e-3 (clusters) and 3e-4 (cells), model length unit.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "hdnnp/io/input_data.hpp"
#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/potential/hessian.hpp"
#include "hdnnp/potential/potential.hpp"
#include "support/hessian_check.hpp"
#include "support/model_3g.hpp"
#include "support/reference.hpp"

using namespace hdnnp;

namespace {

/// Symmetry (full Hessians), row sums and finite differences for the rows of h; the largest block norm beyond 2 rc.
double check(const Potential<>& pot, const Structure& s, const Hessian& h, const std::string& label, double fd_tol, double step = 1e-3) {
    INFO(label << ", " << s.size() << " atoms");
    const double scale = test::max_entry(h);
    REQUIRE(scale > 0.0);
    const test::HessianInvariants inv = test::hessian_invariants(h);
    const double asym = inv.asymmetry, rowsum = inv.row_sum;
    double far = 0.0;
    for (const auto& b : h.blocks)
        if (minimum_image_distance(s, b.a, b.b) > 2.0 * pot.cutoff()) {
            double n2 = 0.0;
            for (int p = 0; p < 3; ++p)
                for (int q = 0; q < 3; ++q) n2 += b.h[p][q] * b.h[p][q];
            far = std::max(far, std::sqrt(n2));
        }
    CHECK(asym / scale < 1e-12);
    CHECK(rowsum / scale < 1e-12);
    ComputeOptions opt;
    opt.solver = QeqSolverKind::dense;
    const test::FdDeviation fd = test::hessian_fd_deviation(h, s, [&](const Structure& d) { return pot.compute(d, opt).forces; }, step, scale);
    const double worst = fd.worst;
    const std::string& where = fd.where;
    INFO("worst deviation / max|H| = " << worst << " at " << where);
    std::printf("%-34s max|H| %.3e  |H - FD|/max|H| %.1e  asymmetry %.1e  row sums %.1e  largest |H_AB| beyond 2 rc %.2e\n",
                label.c_str(), scale, worst, asym / scale, rowsum / scale, far);
    CHECK(worst < fd_tol);
    return far;
}

/// The first n atoms none of whose pair distances (any image) lies within `margin` of a radius where the energy
/// is not three times differentiable: the symmetry-function cutoffs, the screening radii (the cosine core has a
/// jump in f_s'' there) and the Ewald real-space cutoff (a jump in the energy). A finite difference straddling
/// such a radius is wrong by O(1) in the Hessian.
std::vector<std::size_t> smooth_atoms(const Potential<>& pot, const Structure& s, std::size_t n, double margin) {
    const Model& m = pot.model();
    std::vector<double> radii;
    for (const auto& e : m.elements)
        for (const SymFnSpec& f : e.descriptors.specs()) radii.push_back(f.rc);
    if (m.electrostatics.screening.enabled()) {
        radii.push_back(m.electrostatics.screening.inner);
        radii.push_back(m.electrostatics.screening.outer);
    }
    if (s.periodic) radii.push_back(pot.ewald_parameters_for(s).real_cutoff);
    const NeighborList nl = build_neighbor_list(s, *std::max_element(radii.begin(), radii.end()) + 1.0);
    std::vector<std::size_t> out;
    for (std::size_t a = 0; a < s.size() && out.size() < n; ++a) {
        bool ok = true;
        for (std::size_t p = nl.offset[a]; p < nl.offset[a + 1] && ok; ++p)
            for (double c : radii) ok = ok && std::abs(nl.r[p] - c) >= margin;
        if (ok) out.push_back(a);
    }
    return out;
}

/// 3G: symmetry, row sums and finite differences of every row of the full Hessian.
void check_all_rows(const Potential<>& pot, const Structure& s, const std::string& label) {
    INFO(label << ", " << s.size() << " atoms");
    const Hessian h = hessian(pot, s);
    REQUIRE(h.blocks.size() == s.size() * s.size());
    const double scale = test::max_entry(h);
    REQUIRE(scale > 0.0);
    const test::HessianInvariants inv = test::hessian_invariants(h);
    const double asym = inv.asymmetry, rowsum = inv.row_sum;
    const test::FdDeviation fd = test::hessian_fd_deviation(h, s, [&](const Structure& d) { return pot.compute(d).forces; }, 1e-3, scale);
    const double worst = fd.worst;
    const std::string& where = fd.where;
    INFO("worst deviation / max|H| = " << worst << " at " << where);
    std::printf("%-40s max|H| %.3e  |H - FD|/max|H| %.1e  asymmetry %.1e  row sums %.1e\n", label.c_str(), scale, worst,
                asym / scale, rowsum / scale);
    CHECK(asym / scale < 1e-12);
    CHECK(rowsum / scale < 1e-12);
    CHECK(worst < 1e-7);
}

}  // namespace

TEST_CASE("4G Hessian: Carbon_chain_4G cluster, neutral and charged", "[hessian]") {
    const std::string dir = test::predict_dir("Carbon_chain_4G");
    const Potential<> pot = Potential<>::load(dir);
    Structure s = io::read_input_data(dir + "/input.data").at(0);
    for (double q : {0.0, 1.0, -1.0}) {
        s.total_charge = q;
        const Hessian h = hessian(pot, s);
        REQUIRE(h.blocks.size() == s.size() * s.size());
        const double far = check(pot, s, h, "Carbon_chain_4G total charge " + std::to_string(q), 1e-7);
        CHECK(smooth_atoms(pot, s, s.size(), 3e-3).size() == s.size());  // no finite difference straddles a kink
        CHECK(far > 0.0);  // charges couple atoms beyond 2 rc
    }
}

TEST_CASE("4G Hessian: periodic water H2O_RPBE-D3_4G (384 atoms) and AlAuMgO_4G, rows", "[hessian]") {
    for (const char* name : {"H2O_RPBE-D3_4G", "AlAuMgO_4G"}) {
        const std::string dir = test::predict_dir(name);
        const Potential<> pot = Potential<>::load(dir);
        const Structure s = io::read_input_data(dir + "/input.data").at(0);
        const std::vector<std::size_t> rows = smooth_atoms(pot, s, 3, 2e-3);
        REQUIRE(rows.size() == 3);
        const Hessian h = hessian(pot, s, rows);
        REQUIRE(h.blocks.size() == 3 * s.size());
        const double far = check(pot, s, h, std::string(name) + " 3 rows", 1e-7, 3e-4);
        if (std::string(name) == "H2O_RPBE-D3_4G") CHECK(far > 0.0);
    }
}

TEST_CASE("3G Hessian: synthetic water models, clusters and a periodic cell", "[hessian]") {
    struct Case {
        std::string name;
        test::Model3GSpec spec;
    };
    std::vector<Case> cases(4);
    cases[0].name = "gaussian uniform";
    cases[1].name = "point charges";
    cases[1].spec.charges = "point";
    cases[1].spec.widths = false;
    cases[2].name = "scheme none, screening";
    cases[2].spec.scheme = "none";
    cases[2].spec.screen = "2.5 6.0 p2";
    cases[3].name = "gaussian, screening p3";
    cases[3].spec.screen = "2.0 5.5 p3";
    for (const Case& c : cases) {
        const test::Model3GDir dir(c.spec);
        const Potential<> pot = Potential<>::load(dir.path);
        REQUIRE(pot.generation() == Generation::third);
        Structure cl = test::water_cluster(2, 2, 1, 11);
        if (c.spec.scheme != "none") cl.total_charge = 0.5;
        check_all_rows(pot, cl, "3G " + c.name + " cluster");
        if (c.spec.scheme != "none") check_all_rows(pot, test::water_box(1, 5, 0.1), "3G " + c.name + " periodic");
    }
}
