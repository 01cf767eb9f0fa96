// The project's Stillinger-Weber silicon reference (examples/stillinger_weber.hpp): forces and stress against
// finite differences, the diamond energy -2 eps, and the literature's bulk modulus and equilibrium lattice
// constant as independent checks.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "../../examples/stillinger_weber.hpp"
#include "../../examples/sw_sampling.hpp"
#include "hdnnp/core/error.hpp"

using namespace hdnnp;

namespace {

/// 8-atom diamond cell (edge below twice the cutoff), sheared and with every atom displaced, so that angles
/// and distances vary and three-body terms are non-zero.
Structure distorted_cell() {
    Mat3 strain{};
    strain[0] = {0.03, 0.04, -0.02};
    strain[1] = {0.04, -0.02, 0.05};
    strain[2] = {-0.02, 0.05, 0.01};
    Structure s = sw_sampling::diamond(1, 5.431, strain);
    const double shift[8][3] = {{0.10, -0.05, 0.08}, {-0.12, 0.07, 0.02}, {0.05, 0.11, -0.09}, {0.0, -0.1, 0.13},
                                {-0.07, 0.03, -0.04}, {0.15, -0.02, 0.06}, {-0.03, -0.14, 0.01}, {0.08, 0.09, -0.11}};
    for (std::size_t i = 0; i < s.size(); ++i)
        for (int k = 0; k < 3; ++k) s.positions[i][k] += shift[i][k];
    return s;
}

/// The 2-atom primitive cell, strained and displaced: its plane spacing (3.1 A) is below the cutoff, so each
/// atom interacts with images of itself.
Structure tiny_cell() {
    Mat3 strain{};
    strain[0] = {0.02, 0.01, 0.0};
    strain[1] = {0.01, -0.03, 0.02};
    strain[2] = {0.0, 0.02, 0.04};
    Structure s = sw_sampling::diamond(0, 5.431, strain);
    s.positions[1] = s.positions[1] + Vec3{0.11, -0.07, 0.05};
    return s;
}

void check_forces(const Structure& s) {
    const sw::Output ref = sw::compute(s);
    const double h = 1e-5;
    double err = 0.0, scale = 0.0;
    for (std::size_t i = 0; i < s.size(); ++i)
        for (int k = 0; k < 3; ++k) {
            Structure p = s, m = s;
            p.positions[i][k] += h;
            m.positions[i][k] -= h;
            const double fd = -(sw::compute(p).energy - sw::compute(m).energy) / (2.0 * h);
            err = std::max(err, std::abs(fd - ref.forces[i][k]));
            scale = std::max(scale, std::abs(ref.forces[i][k]));
        }
    INFO("max |F + dE/dR| " << err << " eV/A, max |F| " << scale << " eV/A");
    REQUIRE(scale > 0.5);
    CHECK(err <= 1e-7 * scale);
    Vec3 total{0, 0, 0};
    for (const Vec3& f : ref.forces) total += f;
    CHECK(std::abs(total[0]) + std::abs(total[1]) + std::abs(total[2]) <= 1e-12 * scale * static_cast<double>(s.size()));
}

void check_stress(const Structure& s) {
    const sw::Output ref = sw::compute(s);
    const double h = 1e-6, v = s.volume();
    double err = 0.0, scale = 0.0;
    for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) {
            // Symmetric strain e_ab = e_ba = h/2 (a != b) or e_aa = h, applied to cell and positions.
            auto strained = [&](double x) {
                Structure t = s;
                auto deform = [&](Vec3& r) {
                    const Vec3 r0 = r;
                    r[a] += (a == b ? x : 0.5 * x) * r0[b];
                    if (a != b) r[b] += 0.5 * x * r0[a];
                };
                for (Vec3& r : t.lattice) deform(r);
                for (Vec3& r : t.positions) deform(r);
                return t;
            };
            const double fd = (sw::compute(strained(h)).energy - sw::compute(strained(-h)).energy) / (2.0 * h) / v;
            const double st = a == b ? ref.stress[a][b] : 0.5 * (ref.stress[a][b] + ref.stress[b][a]);
            err = std::max(err, std::abs(fd - st));
            scale = std::max(scale, std::abs(ref.stress[a][b]));
        }
    INFO("max |stress - dE/de / V| " << err << " eV/A^3, max |stress| " << scale << " eV/A^3");
    REQUIRE(scale > 1e-3);
    CHECK(err <= 1e-7 * scale);
    // The virial of a pair potential plus central three-body terms is symmetric.
    for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) CHECK(std::abs(ref.virial[a][b] - ref.virial[b][a]) <= 1e-12 * scale * v);
}

double energy_per_atom(double a) {
    const Structure s = sw_sampling::diamond(1, a);
    return sw::compute(s).energy / static_cast<double>(s.size());
}

}  // namespace

TEST_CASE("Stillinger-Weber forces are minus the gradient of its energy, also in cells smaller than the cutoff", "[training][sw]") {
    check_forces(distorted_cell());
    check_forces(tiny_cell());
}

TEST_CASE("Stillinger-Weber stress is the strain derivative of its energy per volume", "[training][sw]") {
    check_stress(distorted_cell());
    check_stress(tiny_cell());
}

TEST_CASE("Stillinger-Weber diamond has -2 eps = -4.3366 eV per atom at its minimum and at a = 5.431 A", "[training][sw]") {
    // The pair minimum -eps lies at r0 = 2^(1/6) sigma = 2.351657 A, i.e. a0 = 4 r0 / sqrt(3) = 5.4309498 A; ideal
    // tetrahedra leave the angular term exactly zero, so E/N = 2 phi2(r0) = -2 eps (to the 10 digits of A and B).
    // a = 5.431 A lies 5.0e-5 A above a0: the harmonic term (9/2) B Omega (da/a0)^2 with the published bulk
    // modulus B = 101.4 GPa = 0.6329 eV/A^3 and Omega = a^3/8 = 20.02 A^3 adds 4.88e-9 eV/atom, so there the
    // energy is -2 eps + 4.88e-9 eV/atom (anharmonic terms are ~1e-13); both to 1e-9 eV/atom.
    const double a0 = 4.0 * std::pow(2.0, 1.0 / 6.0) * 2.0951 / std::sqrt(3.0);
    const double bulk = 101.4 / 160.21766208;  // eV/A^3
    for (int n : {0, 1, 2, 3})
        for (double a : {a0, 5.431}) {
            const Structure s = sw_sampling::diamond(n, a);
            const sw::Output o = sw::compute(s);
            const double e = o.energy / static_cast<double>(s.size());
            const double da = (a - a0) / a0, harmonic = 4.5 * bulk * a * a * a / 8.0 * da * da;
            INFO(s.size() << " atoms, a = " << a << " A: " << e << " eV/atom, harmonic term " << harmonic << " eV/atom");
            CHECK(std::abs(e - (-4.3366 + harmonic)) < 1e-9);
            CHECK(std::abs(e - (-4.3366)) < (a == a0 ? 1e-9 : 6e-9));
            double f = 0.0;
            for (const Vec3& x : o.forces) f = std::max(f, norm(x));
            CHECK(f < 1e-12);
            double sum = 0.0;
            for (double x : o.atom_energies) sum += x;
            CHECK(std::abs(sum - o.energy) <= 1e-12 * std::abs(o.energy));
        }
}

TEST_CASE("Stillinger-Weber diamond: energy minimum at a = 5.431 A and bulk modulus 101.4 GPa as published", "[training][sw]") {
    // Literature (independent of this code): the SW silicon elastic constants C11 = 151.4 GPa, C12 = 76.4 GPa
    // (Cowley, Phys. Rev. B 38, 9806 (1988); Balamane, Halicioglu and Tiller, PRB 46, 2250 (1992)) give
    // B = (C11 + 2 C12) / 3 = 101.4 GPa; the equilibrium lattice constant is a0 = 4 * 2^(1/6) sigma / sqrt(3)
    // = 5.4309 A (the fitted experimental 5.431 A).
    // E(a) per atom: dE/da = 0 at a0; B = V d2E/dV2 = 8 / (9 a0) * d2(E/N)/da2 for 8 atoms in V = a^3.
    const double a0 = 4.0 * std::pow(2.0, 1.0 / 6.0) * 2.0951 / std::sqrt(3.0);
    // Slope by central differences with h = 3e-5 A (truncation h^2 E'''/6 ~ 4e-10 eV/A): zero at a0.
    const double hs = 3e-5;
    const double slope = (energy_per_atom(a0 + hs) - energy_per_atom(a0 - hs)) / (2.0 * hs);  // eV/A per atom
    INFO("dE/da at a0: " << slope << " eV/A per atom");
    CHECK(std::abs(slope) < 2e-9);
    const double h = 1e-3;
    const double ep = energy_per_atom(a0 + h), em = energy_per_atom(a0 - h), e0 = energy_per_atom(a0);
    CHECK(energy_per_atom(5.40) > e0);
    CHECK(energy_per_atom(5.46) > e0);
    CHECK(std::abs(a0 - 5.431) < 2e-4);
    const double curvature = (ep - 2.0 * e0 + em) / (h * h);  // eV/A^2 per atom
    const double bulk_gpa = 8.0 * curvature / (9.0 * a0) * 160.21766208;
    INFO("bulk modulus " << bulk_gpa << " GPa");
    CHECK(std::abs(bulk_gpa - 101.4) < 0.5);
    // The pressure from the analytic stress vanishes at a0 too.
    const sw::Output o = sw::compute(sw_sampling::diamond(1, a0));
    for (int k = 0; k < 3; ++k) CHECK(std::abs(o.stress[k][k]) < 1e-9);
}

TEST_CASE("Stillinger-Weber refuses elements other than silicon", "[training][sw]") {
    Structure s = sw_sampling::diamond(0, 5.431);
    s.symbols[1] = "Ge";
    CHECK_THROWS_WITH(sw::compute(s), Catch::Contains("atom 2") && Catch::Contains("expected Si"));
}
