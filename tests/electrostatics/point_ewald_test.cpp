// Point charges in GaussianCoulomb (sigma = 0, the 3G point-charge mode): the Ewald energy 1/2 Q^T C Q of
// rock salt gives the NaCl Madelung constant, and that of a triclinic cell equals the direct lattice sum.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <vector>

#include "hdnnp/electrostatics/coulomb.hpp"

using namespace hdnnp;

namespace {

constexpr double kMadelungNaCl = 1.747564594633;  // per ion pair, in units of k_e q^2 / r_0

/// Ewald parameters with truncation errors below 1e-16.
EwaldParameters tight(double eta) {
    EwaldParameters p;
    p.eta = eta;
    p.real_cutoff = 6.0 * std::sqrt(2.0) * eta;
    p.kspace_cutoff = 6.0 * std::sqrt(2.0) / eta;
    return p;
}

double ewald_energy(const std::vector<Vec3>& R, const std::vector<int>& el, const std::vector<double>& Q, const Mat3& cell,
                    double eta) {
    const GaussianCoulomb c(R, el, {0.0, 0.0}, 1.0, cell, tight(eta));
    std::vector<double> CQ(R.size());
    c.apply(Q.data(), CQ.data());
    double e = 0.0;
    for (std::size_t i = 0; i < R.size(); ++i) e += 0.5 * Q[i] * CQ[i];
    return e;
}

}  // namespace

TEST_CASE("point-charge Ewald sum of rock salt gives the NaCl Madelung constant", "[electrostatics][3g][ewald]") {
    SECTION("conventional cubic cell, 8 ions, r_0 = 1") {
        std::vector<Vec3> R;
        std::vector<int> el;
        std::vector<double> Q;
        const Vec3 fcc[4] = {{0, 0, 0}, {0, 1, 1}, {1, 0, 1}, {1, 1, 0}};
        for (const Vec3& f : fcc) {
            R.push_back(f);
            el.push_back(0);
            Q.push_back(1.0);
            R.push_back(f + Vec3{1, 0, 0});
            el.push_back(1);
            Q.push_back(-1.0);
        }
        const Mat3 cell{Vec3{2, 0, 0}, Vec3{0, 2, 0}, Vec3{0, 0, 2}};
        for (double eta : {0.35, 0.6, 1.0}) {
            const double m = -ewald_energy(R, el, Q, cell, eta) / 4.0;
            std::printf("NaCl cubic cell, eta %.2f: Madelung constant %.15f (error %.2e)\n", eta, m, m - kMadelungNaCl);
            CHECK(std::abs(m - kMadelungNaCl) <= 1e-11);
        }
    }
    SECTION("primitive (sheared) cell, 2 ions, r_0 = 1.3") {
        const double a = 2.6;  // conventional lattice constant
        const Mat3 cell{Vec3{0, a / 2, a / 2}, Vec3{a / 2, 0, a / 2}, Vec3{a / 2, a / 2, 0}};
        const std::vector<Vec3> R = {{0.1, 0.2, 0.3}, Vec3{0.1, 0.2, 0.3} + Vec3{a / 2, a / 2, a / 2}};
        for (double eta : {0.5, 0.9}) {
            const double m = -ewald_energy(R, {0, 1}, {2.0, -2.0}, cell, eta) * (a / 2) / 4.0;
            std::printf("NaCl primitive cell, eta %.2f: Madelung constant %.15f (error %.2e)\n", eta, m, m - kMadelungNaCl);
            CHECK(std::abs(m - kMadelungNaCl) <= 1e-11);
        }
    }
}

TEST_CASE("point-charge Ewald sum of a triclinic cell equals the direct lattice sum", "[electrostatics][3g][ewald]") {
    // A neutral cell without dipole moment (charges in +-pairs about a centre): the direct sum over whole
    // cells in growing spheres converges to the Ewald value (no surface term). The remainder falls off
    // quickly with the radius; the two largest spheres bracket the Ewald energy.
    const Mat3 cell{Vec3{5.0, 0.0, 0.0}, Vec3{1.0, 4.5, 0.0}, Vec3{0.5, -0.7, 5.5}};
    const Vec3 c{2.0, 2.2, 2.4}, a{0.9, 0.3, -0.4}, b{-0.2, 1.1, 0.5}, d{1.3, -0.8, 0.2};
    const std::vector<Vec3> R = {c + a, c - a, c + b, c - b, c + d, c - d};
    const std::vector<double> Q = {0.7, 0.7, -1.1, -1.1, 0.4, 0.4};
    const std::vector<int> el = {0, 0, 1, 1, 0, 0};
    const double e1 = ewald_energy(R, el, Q, cell, 0.8), e2 = ewald_energy(R, el, Q, cell, 1.7);
    CHECK(std::abs(e1 - e2) <= 1e-13 * std::abs(e1));
    auto direct = [&](int nmax) {
        double e = 0.0;
        for (int i = -nmax; i <= nmax; ++i)
            for (int j = -nmax; j <= nmax; ++j)
                for (int k = -nmax; k <= nmax; ++k) {
                    if (i * i + j * j + k * k > nmax * nmax) continue;
                    const Vec3 n = static_cast<double>(i) * cell[0] + static_cast<double>(j) * cell[1] + static_cast<double>(k) * cell[2];
                    for (std::size_t p = 0; p < R.size(); ++p)
                        for (std::size_t q = 0; q < R.size(); ++q) {
                            if (p == q && i == 0 && j == 0 && k == 0) continue;
                            e += 0.5 * Q[p] * Q[q] / norm(R[q] - R[p] + n);
                        }
                }
        return e;
    };
    for (int nmax : {10, 20, 40, 60}) {
        const double e = direct(nmax);
        std::printf("direct lattice sum, |n| <= %d cells: %.15f (Ewald %.15f, difference %.2e)\n", nmax, e, e1, e - e1);
    }
    CHECK(std::abs(direct(60) - e1) <= 1e-6 * std::abs(e1));
}
