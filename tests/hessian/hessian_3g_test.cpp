// Exact 3G Hessians (potential/hessian.hpp: local short-range and charge-network terms weighted by dE/dq,
// Coulomb/Ewald/screening pair Hessians, the charge response dQ/dR = P dq/dR of the total-charge scheme)
// against central differences of the analytic forces, on synthetic 3G water models (tests/support/model_3g.hpp):
// Gaussian and point charges, uniform and no total-charge scheme, screening, a charged cluster and a periodic
// (sheared) cell; symmetry and translation invariance. Finite differences: 4-point stencil, h = 1e-3 bohr;
// all rows of small structures (6 and 12 atoms).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/potential/hessian.hpp"
#include "hdnnp/potential/potential.hpp"
#include "support/model_3g.hpp"

using namespace hdnnp;

namespace {

void check(const Potential<>& pot, const Structure& s, const std::string& label) {
    INFO(label << ", " << s.size() << " atoms");
    const Hessian h = hessian(pot, s);
    REQUIRE(h.blocks.size() == s.size() * s.size());
    double scale = 0.0, asym = 0.0, rowsum = 0.0, worst = 0.0;
    for (const auto& b : h.blocks)
        for (int p = 0; p < 3; ++p)
            for (int q = 0; q < 3; ++q) scale = std::max(scale, std::abs(b.h[p][q]));
    REQUIRE(scale > 0.0);
    for (const auto& b : h.blocks) {
        const Mat3 t = h.block(b.b, b.a);
        for (int p = 0; p < 3; ++p)
            for (int q = 0; q < 3; ++q) asym = std::max(asym, std::abs(b.h[p][q] - t[q][p]));
    }
    for (std::size_t a = 0; a < s.size(); ++a) {
        Mat3 sum{};
        for (const auto& b : h.blocks)
            if (b.a == a) sum += b.h;
        for (int p = 0; p < 3; ++p)
            for (int q = 0; q < 3; ++q) rowsum = std::max(rowsum, std::abs(sum[p][q]));
    }
    const double step = 1e-3;
    std::string where;
    for (std::size_t a = 0; a < s.size(); ++a)
        for (int p = 0; p < 3; ++p) {
            auto forces = [&](double dx) {
                Structure d = s;
                d.positions[a][static_cast<std::size_t>(p)] += dx;
                return pot.compute(d).forces;
            };
            const auto p1 = forces(step), m1 = forces(-step), p2 = forces(2 * step), m2 = forces(-2 * step);
            for (std::size_t b = 0; b < s.size(); ++b) {
                const Mat3 blk = h.block(a, b);
                for (std::size_t q = 0; q < 3; ++q) {
                    const double fd = -(8.0 * (p1[b][q] - m1[b][q]) - (p2[b][q] - m2[b][q])) / (12.0 * step);
                    const double dev = std::abs(blk[static_cast<std::size_t>(p)][q] - fd) / scale;
                    if (dev > worst) {
                        worst = dev;
                        std::ostringstream o;
                        o.precision(15);
                        o << "block (" << a << "," << b << ")[" << p << "][" << q << "] analytic " << blk[static_cast<std::size_t>(p)][q]
                          << " finite difference " << fd;
                        where = o.str();
                    }
                }
            }
        }
    INFO("worst deviation / max|H| = " << worst << " at " << where);
    std::printf("%-40s max|H| %.3e  |H - FD|/max|H| %.1e  asymmetry %.1e  row sums %.1e\n", label.c_str(), scale, worst,
                asym / scale, rowsum / scale);
    CHECK(asym / scale < 1e-12);
    CHECK(rowsum / scale < 1e-12);
    CHECK(worst < 1e-7);
}

}  // namespace

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
        check(pot, cl, "3G " + c.name + " cluster");
        if (c.spec.scheme != "none") check(pot, test::water_box(1, 5, 0.1), "3G " + c.name + " periodic");
    }
}
