// 3G-HDNNP (Potential3G): forces and stress are the exact gradient of the energy (4-point finite
// differences) for clusters (neutral and charged), periodic cells (cubic-ish and a sheared cell smaller
// than the cutoffs), point and Gaussian charges, with and without screening; the energy does not depend on
// the Ewald splitting; the charges sum to the total charge; the electrostatic energy equals direct pair
// sums; SIMD and scalar paths and 1 and 2 threads agree.
//
// Models: tests/support/model_3g.hpp (n2p2's H2O_RPBE-D3 short-range networks plus synthetic charge
// networks; bohr and hartree, k_e = 1). Finite differences: central 4-point stencil with h = 1e-3 bohr
// (strain 1e-4); the energy differences use short + electrostatic energy (the constant offsets left out).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/potential/potential.hpp"
#include "support/model_3g.hpp"
#include "support/serial_openmp.hpp"
#include "support/finite_difference.hpp"

using namespace hdnnp;
using Pot = Potential3G<>;

namespace {

double energy(const Pot& pot, const Structure& s, const ComputeOptions3G& opt) {
    ComputeOptions3G o = opt;
    o.forces = false;
    const Result3G r = pot.compute(s, o);
    return r.short_energy + r.electrostatic_energy;
}

double fd_force(const Pot& pot, Structure s, std::size_t i, int k, double h, const ComputeOptions3G& opt) {
    return test::fd_force([&](const Structure& t) { return energy(pot, t, opt); }, std::move(s), i, k, h);
}

/// Max |F - F_fd| over the atoms (every atom if `atoms` is empty), all three components.
double check_forces(const Pot& pot, const Structure& s, std::vector<std::size_t> atoms, const ComputeOptions3G& opt,
                    const std::string& label) {
    if (atoms.empty())
        for (std::size_t i = 0; i < s.size(); ++i) atoms.push_back(i);
    const Result3G r = pot.compute(s, opt);
    double dmax = 0.0, fmax = 0.0;
    for (std::size_t i : atoms)
        for (int k = 0; k < 3; ++k) {
            const double f = fd_force(pot, s, i, k, 1e-3, opt);
            dmax = std::max(dmax, std::abs(f - r.forces[i][k]));
            fmax = std::max(fmax, std::abs(r.forces[i][k]));
        }
    std::printf("%-52s max|F - F_fd| = %.3e (max|F| %.3e)\n", label.c_str(), dmax, fmax);
    return dmax;
}

/// Max |sigma - sigma_fd| over the six independent components (symmetric strains).
double check_stress(const Pot& pot, const Structure& s, const ComputeOptions3G& opt, const std::string& label) {
    const Result3G r = pot.compute(s, opt);
    REQUIRE(r.has_stress);
    const double V = std::abs(s.volume()), h = 1e-4;
    double dmax = 0.0, smax = 0.0;
    for (int a = 0; a < 3; ++a)
        for (int b = a; b < 3; ++b) {
            auto at = [&](double x) {
                Mat3 e{};
                e[a][b] += 0.5 * x;
                e[b][a] += 0.5 * x;
                Structure t = s;
                auto deform = [&](Vec3& v) {
                    const Vec3 v0 = v;
                    for (int c = 0; c < 3; ++c) v[c] = v0[c] + e[c][0] * v0[0] + e[c][1] * v0[1] + e[c][2] * v0[2];
                };
                for (auto& p : t.positions) deform(p);
                for (int k = 0; k < 3; ++k) deform(t.lattice[k]);
                return energy(pot, t, opt);
            };
            const double d = test::central_difference4(at, h);
            dmax = std::max(dmax, std::abs(d / V - r.stress[a][b]));
            smax = std::max(smax, std::abs(r.stress[a][b]));
        }
    std::printf("%-52s max|sigma - sigma_fd| = %.3e (max|sigma| %.3e)\n", label.c_str(), dmax, smax);
    CHECK(std::abs(r.stress[0][1] - r.stress[1][0]) <= 1e-12);
    return dmax;
}

/// Ewald parameters with truncation errors below double precision (erfc and exp(-eta^2 k^2 / 2) ~ 1e-16 at
/// the cutoffs): no pair or k-vector crossing a cutoff disturbs the differences.
EwaldParameters tight_ewald(double eta) {
    EwaldParameters p;
    p.eta = eta;
    p.real_cutoff = 6.0 * std::sqrt(2.0) * std::max(eta, std::sqrt(2.0) * 1.2491023848218);
    p.kspace_cutoff = 6.0 * std::sqrt(2.0) / eta;
    return p;
}

struct Variant {
    std::string name;
    test::Model3GSpec spec;
};

/// Point and Gaussian charges, without and with screening (r_in 4.8, r_out 12 bohr, as n2p2's H2O 4G model).
std::vector<Variant> variants() {
    std::vector<Variant> v(4);
    v[0].name = "point";
    v[0].spec.charges = "point";
    v[1].name = "point, screened";
    v[1].spec.charges = "point";
    v[1].spec.screen = "4.8 12.0";
    v[2].name = "gaussian";
    v[3].name = "gaussian, screened";
    v[3].spec.screen = "4.8 12.0";
    return v;
}

/// Distance (bohr) from the nearest pair distance (images included, up to 13 bohr) to the screening radii
/// 4.8 and 12: the cosine screening has a jump in its second derivative there, which a finite difference
/// straddling it would see as an O(h^2) error.
double screening_margin(const Structure& s) {
    double m = 1e300;
    for (std::size_t i = 0; i < s.size(); ++i)
        for (std::size_t j = i; j < s.size(); ++j)
            for (int a = -2; a <= 2; ++a)
                for (int b = -2; b <= 2; ++b)
                    for (int c = -2; c <= 2; ++c) {
                        const Vec3 d = s.positions[j] - s.positions[i] + static_cast<double>(a) * s.lattice[0] +
                                       static_cast<double>(b) * s.lattice[1] + static_cast<double>(c) * s.lattice[2];
                        const double r = norm(d);
                        m = std::min({m, std::abs(r - 4.8), std::abs(r - 12.0)});
                    }
    return m;
}

/// The 24-atom triclinic water cell of the periodic tests: the first seed from 5 on whose pair distances stay
/// 0.01 bohr away from the screening radii (the largest strain step moves a 12-bohr pair by 0.0024 bohr).
Structure water_cell() {
    for (std::uint64_t seed = 5;; ++seed) {
        Structure s = test::water_box(2, seed, 0.1);
        if (screening_margin(s) > 0.01) return s;
    }
}

/// Two water molecules in a sheared cell whose lattice vectors (7.9 to 8.6 bohr) are shorter than the
/// symmetry-function cutoff and r_out (12 bohr): every atom interacts with its own images.
Structure small_sheared_cell() {
    Structure s;
    s.periodic = true;
    s.lattice = Mat3{Vec3{8.6, 0.0, 0.0}, Vec3{1.9, 7.9, 0.0}, Vec3{-1.2, 0.9, 8.1}};
    test::add_waters(s, {Vec3{2.0, 2.0, 2.0}, Vec3{6.1, 5.6, 5.9}}, 11);
    return s;
}

double sum(const std::vector<double>& v) {
    double t = 0.0;
    for (double x : v) t += x;
    return t;
}

}  // namespace

TEST_CASE("3G forces of water clusters equal finite differences of the energy, neutral and charged", "[electrostatics][3g][fd]") {
    const test::SerialOpenMP serial;
    const Structure base = test::water_cluster(2, 2, 1, 3);  // 12 atoms
    for (const Variant& v : variants()) {
        const test::Model3GDir dir(v.spec);
        const Pot pot = Pot::load(dir.path);
        REQUIRE(pot.model().electrostatics.charges == (v.name.rfind("point", 0) == 0 ? ChargeShape::point : ChargeShape::gaussian));
        for (double qtot : {0.0, 1.0, -1.0}) {
            Structure s = base;
            s.total_charge = qtot;
            const Result3G r = pot.compute(s);
            CHECK(std::abs(sum(r.charges) - qtot) <= 1e-13);
            CHECK(std::abs(sum(r.raw_charges) - qtot) > 1e-3);  // the scheme had something to do
            CHECK(check_forces(pot, s, {}, {}, "cluster, " + v.name + ", Q = " + std::to_string(qtot)) <= 1e-10);
        }
    }
}

TEST_CASE("3G forces with total_charge_scheme none equal finite differences of the energy", "[electrostatics][3g][fd]") {
    const test::SerialOpenMP serial;
    test::Model3GSpec spec;
    spec.scheme = "none";
    spec.screen = "4.8 12.0";
    const test::Model3GDir dir(spec);
    const Pot pot = Pot::load(dir.path);
    Structure s = test::water_cluster(2, 2, 1, 3);
    s.total_charge = 1.0;  // not used by the scheme
    const Result3G r = pot.compute(s);
    for (std::size_t i = 0; i < s.size(); ++i) CHECK(r.charges[i] == r.raw_charges[i]);
    CHECK(check_forces(pot, s, {}, {}, "cluster, gaussian, screened, scheme none") <= 1e-10);
}

TEST_CASE("3G forces and stress of periodic water equal finite differences of the energy", "[electrostatics][3g][fd]") {
    const test::SerialOpenMP serial;
    const Structure box = water_cell();  // 24 atoms, triclinic, edges 11.7 bohr < cutoff 12
    const Structure small = small_sheared_cell();
    ComputeOptions3G opt;
    const EwaldParameters p = tight_ewald(2.5);
    opt.ewald = &p;
    for (const Variant& v : variants()) {
        const test::Model3GDir dir(v.spec);
        const Pot pot = Pot::load(dir.path);
        const Result3G r = pot.compute(box, opt);
        CHECK(std::abs(sum(r.charges)) <= 1e-13);
        CHECK(check_forces(pot, box, {0, 1, 2, 13, 23}, opt, "24-atom water cell, " + v.name) <= 1e-10);
        CHECK(check_forces(pot, small, {}, opt, "sheared 6-atom cell, " + v.name) <= 1e-10);
        CHECK(check_stress(pot, box, opt, "24-atom water cell stress, " + v.name) <= 1e-12);
        CHECK(check_stress(pot, small, opt, "sheared 6-atom cell stress, " + v.name) <= 1e-12);
    }
}

TEST_CASE("3G energy, forces and stress do not depend on the Ewald splitting parameter", "[electrostatics][3g]") {
    const Structure box = water_cell();
    for (const Variant& v : variants()) {
        const test::Model3GDir dir(v.spec);
        const Pot pot = Pot::load(dir.path);
        const EwaldParameters p1 = tight_ewald(2.0), p2 = tight_ewald(3.5);
        ComputeOptions3G o1, o2, o3;
        o1.ewald = &p1;
        o2.ewald = &p2;
        const Result3G r1 = pot.compute(box, o1), r2 = pot.compute(box, o2);
        const Result3G r3 = pot.compute(box, o3);  // the model's own parameters (Jackson-Catlow, eps 1e-6)
        ComputeOptions3G o4;  // beyond dense_max_atoms: the width balanced for matrix-free products
        o4.dense_max_atoms = box.size() - 1;
        const Result3G r4 = pot.compute(box, o4);
        CHECK(r3.ewald_balance_used == EwaldBalance::n2p2);
        CHECK(r4.ewald_balance_used == EwaldBalance::matrix_free);
        CHECK(r4.ewald.eta != r3.ewald.eta);
        const double balanced_err = std::abs(r4.electrostatic_energy - r1.electrostatic_energy);
        double df = 0.0, ds = 0.0;
        for (std::size_t i = 0; i < box.size(); ++i)
            for (int k = 0; k < 3; ++k) df = std::max(df, std::abs(r1.forces[i][k] - r2.forces[i][k]));
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) ds = std::max(ds, std::abs(r1.stress[a][b] - r2.stress[a][b]));
        const double rel = std::abs(r1.energy - r2.energy) / std::abs(r1.energy);
        const double rel_elec = std::abs(r1.electrostatic_energy - r2.electrostatic_energy) / std::abs(r1.electrostatic_energy);
        const double model_err = std::abs(r3.electrostatic_energy - r1.electrostatic_energy);
        std::printf("%-20s eta 2 vs 3.5: dE/E = %.2e, dE_elec/E_elec = %.2e, max dF = %.2e, max dsigma = %.2e; "
                    "model's eta %.3f: |dE_elec| = %.2e; balanced eta %.3f: |dE_elec| = %.2e\n",
                    v.name.c_str(), rel, rel_elec, df, ds, r3.ewald.eta, model_err, r4.ewald.eta, balanced_err);
        CHECK(rel <= 1e-12);
        CHECK(rel_elec <= 1e-10);
        CHECK(df <= 1e-10);
        CHECK(ds <= 1e-11);
        CHECK(model_err <= 1e-5 * std::abs(r1.electrostatic_energy));
        // Jackson-Catlow (method 0) bounds every truncated term by eps relative to its sum, whose scale is the
        // self term k_e sqrt(2/pi) sum Q^2 / eta: the balanced width meets that target as n2p2's does.
        double q2 = 0.0;
        for (double q : r1.charges) q2 += q * q;
        const double eps = pot.model().electrostatics.ewald.precision;
        auto self = [&](double eta) { return std::sqrt(2.0 / M_PI) * q2 / eta; };
        CHECK(model_err <= eps * self(r3.ewald.eta));
        CHECK(balanced_err <= eps * self(r4.ewald.eta));
    }
}

TEST_CASE("3G electrostatic energy of a cluster is the direct screened pair sum", "[electrostatics][3g]") {
    const Structure s = test::water_cluster(2, 2, 1, 3);
    const ScreeningFunction* fs = nullptr;
    for (const Variant& v : variants()) {
        const test::Model3GDir dir(v.spec);
        const Pot pot = Pot::load(dir.path);
        fs = &pot.model().electrostatics.screening;
        const Result3G r = pot.compute(s);
        const bool gaussian = pot.model().electrostatics.charges == ChargeShape::gaussian;
        double e = 0.0, scale = 0.0;
        for (std::size_t i = 0; i < s.size(); ++i)
            for (std::size_t j = i + 1; j < s.size(); ++j) {
                const double d = norm(s.positions[j] - s.positions[i]);
                const double si = pot.model().elements[s.symbols[i] == "H" ? 0 : 1].gauss_width;
                const double sj = pot.model().elements[s.symbols[j] == "H" ? 0 : 1].gauss_width;
                const double phi = gaussian ? std::erf(d / std::sqrt(2.0 * (si * si + sj * sj))) / d : 1.0 / d;
                e += r.charges[i] * r.charges[j] * phi * (fs->enabled() ? fs->f(d) : 1.0);
                scale += std::abs(r.charges[i] * r.charges[j] * phi);
            }
        INFO(v.name);
        // Round-off scales with the unscreened pair terms: with screening, E_elec is a small difference of
        // them (the library forms 1/2 Q^T C Q and subtracts the screened-off part).
        CHECK(std::abs(r.electrostatic_energy - e) <= 1e-13 * scale);
    }
}

TEST_CASE("3G periodic Gaussian and point energies differ by the brute-force sum of the short-range difference",
          "[electrostatics][3g]") {
    // Same charge networks, so the same charges: E_gauss - E_point = 1/2 sum_{i,j,n}' Q_i Q_j f_s(r) (erf(r/(sqrt2
    // gamma_ij)) - 1) / r, a sum that converges absolutely (erfc), done here over all images within 60 bohr.
    const Structure box = water_cell();
    for (const std::string screen : {"", "4.8 12.0"}) {
        test::Model3GSpec sp, sg;
        sp.charges = "point";
        sp.screen = sg.screen = screen;
        const test::Model3GDir dp(sp), dg(sg);
        const Pot point = Pot::load(dp.path), gauss = Pot::load(dg.path);
        const EwaldParameters p = tight_ewald(2.5);
        ComputeOptions3G opt;
        opt.ewald = &p;
        opt.forces = false;
        const Result3G rp = point.compute(box, opt), rg = gauss.compute(box, opt);
        for (std::size_t i = 0; i < box.size(); ++i) REQUIRE(rp.charges[i] == rg.charges[i]);
        const ScreeningFunction& fs = gauss.model().electrostatics.screening;
        double e = 0.0;
        const int nmax = 7;  // 7 cells of >= 11 bohr plane spacing cover 60 bohr
        for (std::size_t i = 0; i < box.size(); ++i)
            for (std::size_t j = 0; j < box.size(); ++j) {
                const double si = gauss.model().elements[box.symbols[i] == "H" ? 0 : 1].gauss_width;
                const double sj = gauss.model().elements[box.symbols[j] == "H" ? 0 : 1].gauss_width;
                const double g = std::sqrt(2.0 * (si * si + sj * sj));
                for (int a = -nmax; a <= nmax; ++a)
                    for (int b = -nmax; b <= nmax; ++b)
                        for (int c = -nmax; c <= nmax; ++c) {
                            if (i == j && a == 0 && b == 0 && c == 0) continue;
                            const Vec3 d = box.positions[j] - box.positions[i] + static_cast<double>(a) * box.lattice[0] +
                                           static_cast<double>(b) * box.lattice[1] + static_cast<double>(c) * box.lattice[2];
                            const double r = norm(d);
                            if (r > 60.0) continue;
                            e -= 0.5 * rg.charges[i] * rg.charges[j] * std::erfc(r / g) / r * (fs.enabled() ? fs.f(r) : 1.0);
                        }
            }
        const double diff = rg.electrostatic_energy - rp.electrostatic_energy;
        std::printf("periodic E_gauss - E_point (screen '%s'): %.15e, brute force %.15e (E_point %.6e)\n", screen.c_str(), diff,
                    e, rp.electrostatic_energy);
        CHECK(std::abs(diff - e) <= 1e-13 * std::abs(rp.electrostatic_energy));
    }
}

TEST_CASE("3G SIMD and scalar paths and 1 and 2 threads give the same results", "[electrostatics][3g]") {
    const Structure box = test::water_box(3, 9, 0.05);  // 81 atoms: the atom passes and pair loops run in parallel
    test::Model3GSpec spec;
    spec.screen = "4.8 12.0";
    const test::Model3GDir dir(spec);
    const Pot pot = Pot::load(dir.path);
    const EwaldParameters p = tight_ewald(3.0);
    auto run = [&](bool simd, int threads) {
        ComputeOptions3G o;
        o.simd = simd;
        o.ewald = &p;
#ifdef _OPENMP
        const int saved = omp_get_max_threads();
        omp_set_num_threads(threads);
#else
        (void)threads;
#endif
        Result3G r = pot.compute(box, o);
#ifdef _OPENMP
        omp_set_num_threads(saved);
#endif
        return r;
    };
    const Result3G ref = run(false, 1);
    for (const auto& [simd, threads] : {std::pair<bool, int>{true, 1}, {false, 2}, {true, 2}}) {
        const Result3G r = run(simd, threads);
        INFO("simd " << simd << ", threads " << threads);
        CHECK(std::abs(r.energy - ref.energy) <= 1e-12 * std::abs(ref.energy));
        double df = 0.0, dq = 0.0, ds = 0.0;
        for (std::size_t i = 0; i < box.size(); ++i) {
            dq = std::max(dq, std::abs(r.charges[i] - ref.charges[i]));
            for (int k = 0; k < 3; ++k) df = std::max(df, std::abs(r.forces[i][k] - ref.forces[i][k]));
        }
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) ds = std::max(ds, std::abs(r.stress[a][b] - ref.stress[a][b]));
        CHECK(df <= 1e-10);
        CHECK(dq <= 1e-13);
        CHECK(ds <= 1e-12);
    }
}

TEST_CASE("3G charges are the charge network outputs divided by conv_charge", "[electrostatics][3g]") {
    const test::SerialOpenMP serial;
    test::Model3GSpec a, b;
    b.conv_charge = 2.0;
    const test::Model3GDir da(a), db(b);
    const Pot pa = Pot::load(da.path), pb = Pot::load(db.path);
    const Structure s = test::water_cluster(2, 1, 1, 4);
    const Result3G ra = pa.compute(s), rb = pb.compute(s);
    for (std::size_t i = 0; i < s.size(); ++i) CHECK(rb.raw_charges[i] == Approx(0.5 * ra.raw_charges[i]).epsilon(1e-15));
    CHECK(check_forces(pb, s, {}, {}, "cluster, conv_charge 2") <= 1e-10);
}

TEST_CASE("3G refuses charged periodic structures", "[electrostatics][3g]") {
    Structure box = water_cell();
    {
        const test::Model3GDir dir(test::Model3GSpec{});
        const Pot pot = Pot::load(dir.path);
        box.total_charge = 1.0;
        CHECK_THROWS_WITH(pot.compute(box), Catch::Contains("3G-HDNNP periodic structures must be neutral"));
    }
    {
        test::Model3GSpec spec;
        spec.scheme = "none";
        const test::Model3GDir dir(spec);
        const Pot pot = Pot::load(dir.path);
        box.total_charge = 0.0;
        CHECK_THROWS_WITH(pot.compute(box), Catch::Contains("with total_charge_scheme none; 3G-HDNNP periodic structures must be neutral"));
    }
}
