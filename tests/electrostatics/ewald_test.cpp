// Ewald summation for Gaussian charges: parameter choice, reciprocal vectors, independence of the
// splitting width, and agreement with a brute-force real-space sum in a sheared triclinic cell.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/potential/potential.hpp"
#include "hdnnp/electrostatics/coulomb.hpp"
#include "hdnnp/electrostatics/ewald.hpp"
#include "hdnnp/io/input_data.hpp"
#include "support/reference.hpp"

using namespace hdnnp;

namespace {

const Mat3 kSheared{Vec3{5.0, 0.0, 0.0}, Vec3{1.5, 4.5, 0.0}, Vec3{-1.0, 1.2, 4.8}};

/// Truncation errors below double precision for widths up to max_gamma.
EwaldParameters tight(double eta, double max_gamma) {
    EwaldParameters p;
    p.eta = eta;
    p.real_cutoff = 6.0 * std::sqrt(2.0) * std::max(eta, max_gamma);
    p.kspace_cutoff = 6.0 * std::sqrt(2.0) / eta;
    return p;
}

std::vector<double> dense_matrix(const GaussianCoulomb& op) {
    std::vector<double> C(op.size() * op.size());
    op.dense(C.data());
    return C;
}

double quadratic_form(const std::vector<double>& C, const std::vector<double>& q) {
    const std::size_t n = q.size();
    double e = 0.0;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) e += 0.5 * q[i] * C[i * n + j] * q[j];
    return e;
}

}  // namespace

TEST_CASE("Ewald sum of Gaussian charges equals a brute-force image sum in a sheared triclinic cell",
          "[electrostatics][ewald]") {
    // Four Gaussian charges (two widths) with zero total charge and zero dipole moment, so that the
    // spherically ordered image sum converges (absolutely, shell by shell) to the tin-foil Ewald value.
    const Vec3 p1{1.1, 0.4, -0.7}, p2{-0.3, 1.6, 0.9};
    const std::vector<Vec3> R = {p1, -1.0 * p1, p2, -1.0 * p2};
    const std::vector<int> el = {0, 1, 1, 0};
    const std::vector<double> sigma = {0.6, 1.1};
    const std::vector<double> q = {0.7, 0.7, -0.7, -0.7};
    const double ke = 1.0;
    const GaussianCoulomb op(R, el, sigma, ke, kSheared, tight(1.3, std::sqrt(2.0) * 1.1));
    const double e_ewald = quadratic_form(dense_matrix(op), q);

    // Brute force: self-energies plus 1/2 sum over whole image cells n of
    // w(|n.L| / Rmax) Q_i Q_j erf(r / (sqrt2 gamma_ij)) / r (n = 0, i = j left out), with a smooth
    // spherical cell weight w (1 up to 1/2, cosine down to 0 at 1) that removes the shell discreteness.
    auto brute = [&](double rmax) {
        double e = 0.0;
        for (std::size_t i = 0; i < 4; ++i) e += ke * q[i] * q[i] / (2.0 * sigma[static_cast<std::size_t>(el[i])] * std::sqrt(M_PI));
        const int nmax = static_cast<int>(rmax / 3.0) + 2;
        for (int a = -nmax; a <= nmax; ++a)
            for (int b = -nmax; b <= nmax; ++b)
                for (int c = -nmax; c <= nmax; ++c) {
                    const Vec3 t = static_cast<double>(a) * kSheared[0] + static_cast<double>(b) * kSheared[1] +
                                   static_cast<double>(c) * kSheared[2];
                    const double x = norm(t) / rmax;
                    if (x >= 1.0) continue;
                    const double w = x < 0.5 ? 1.0 : 0.5 * (1.0 + std::cos(2.0 * M_PI * (x - 0.5)));
                    for (std::size_t i = 0; i < 4; ++i)
                        for (std::size_t j = 0; j < 4; ++j) {
                            if (i == j && a == 0 && b == 0 && c == 0) continue;
                            const double r = norm(R[j] + t - R[i]);
                            const double si = sigma[static_cast<std::size_t>(el[i])], sj = sigma[static_cast<std::size_t>(el[j])];
                            e += 0.5 * w * ke * q[i] * q[j] * std::erf(r / std::sqrt(2.0 * (si * si + sj * sj))) / r;
                        }
                }
        return e;
    };
    const double e_brute = brute(200.0);
    std::printf("sheared cell: Ewald %.15f, brute force (R = 100) %.15f, (R = 200) %.15f\n", e_ewald, brute(100.0), e_brute);
    CHECK(std::abs(e_brute - e_ewald) <= 1e-9 * std::abs(e_ewald));
}

TEST_CASE("C Q does not depend on the Ewald width for neutral Q, and C changes by a constant", "[electrostatics][ewald]") {
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<Vec3> R;
    std::vector<int> el;
    std::vector<double> q;
    for (int i = 0; i < 9; ++i) {
        const double f[3] = {u(rng), u(rng), u(rng)};
        R.push_back(f[0] * kSheared[0] + f[1] * kSheared[1] + f[2] * kSheared[2]);
        el.push_back(i % 2);
        q.push_back(u(rng) - 0.5);
    }
    double qsum = 0.0;
    for (double x : q) qsum += x;
    for (double& x : q) x -= qsum / 9.0;
    const std::vector<double> sigma = {0.7, 1.2};
    const double ke = 0.0694462;  // 1/k_e in eV and Angstrom
    const double V = std::abs(determinant(kSheared));
    const double g = std::sqrt(2.0) * 1.2;
    const GaussianCoulomb a(R, el, sigma, 1.0 / ke, kSheared, tight(1.0, g));
    const GaussianCoulomb b(R, el, sigma, 1.0 / ke, kSheared, tight(2.5, g));
    std::vector<double> ca(9), cb(9);
    a.apply(q.data(), ca.data());
    b.apply(q.data(), cb.data());
    double d = 0.0, m = 0.0;
    for (std::size_t i = 0; i < 9; ++i) {
        d = std::max(d, std::abs(ca[i] - cb[i]));
        m = std::max(m, std::abs(ca[i]));
    }
    std::printf("C(eta = 1) Q vs C(eta = 2.5) Q: max diff %.3e (max |CQ| %.3e)\n", d, m);
    CHECK(d <= 1e-11 * m);
    // C(eta) = C_0 + 2 pi k_e eta^2 / V 1 1^T: the difference is one constant.
    const std::vector<double> Ca = dense_matrix(a), Cb = dense_matrix(b);
    const double expected = 2.0 * M_PI / ke * (2.5 * 2.5 - 1.0) / V;
    double worst = 0.0;
    for (std::size_t k = 0; k < Ca.size(); ++k) worst = std::max(worst, std::abs(Cb[k] - Ca[k] - expected));
    CHECK(worst <= 1e-10 * expected);
    // The dense matrix and the matrix-free product agree.
    double dm = 0.0;
    for (std::size_t i = 0; i < 9; ++i) {
        double s = 0.0;
        for (std::size_t j = 0; j < 9; ++j) s += Ca[i * 9 + j] * q[j];
        dm = std::max(dm, std::abs(s - ca[i]));
    }
    CHECK(dm <= 1e-12 * m);
}

TEST_CASE("the periodic 4G energy does not depend on the Ewald width beyond the requested accuracy", "[electrostatics][ewald]") {
    const std::string dir = test::predict_dir("H2O_RPBE-D3_4G");
    const auto pot = Potential4G<>::load(dir);
    const Structure s = io::read_input_data(dir + "/input.data").at(0);
    const double g = std::sqrt(2.0) * pot.model().max_gauss_width();
    ComputeOptions4G opt;
    // Converged sums (truncation below round-off) with three different widths agree to round-off.
    std::vector<Result4G> r;
    for (double eta : {3.0, 6.0}) {
        const EwaldParameters p = tight(eta, g);
        opt.ewald = &p;
        opt.forces = eta == 3.0;
        r.push_back(pot.compute(s, opt));
    }
    double dq = 0.0;
    for (std::size_t i = 0; i < s.size(); ++i) dq = std::max(dq, std::abs(r[1].charges[i] - r[0].charges[i]));
    const double de = std::abs(r[1].electrostatic_energy - r[0].electrostatic_energy);
    std::printf("H2O 4G, converged sums with eta 3 and 6: |dE_elec| %.3e, max |dQ| %.3e\n", de, dq);
    CHECK(de <= 1e-12);
    CHECK(dq <= 1e-12);
    // n2p2's parameter choice (Kolafa-Perram) for a requested RMS force error eps_F: the forces deviate
    // from the converged ones by less than eps_F (RMS); energy and charge errors shrink with eps_F.
    EwaldSettings es = pot.model().electrostatics.ewald;
    double last_de = 1e300;
    for (double eps : {1e-5, 1e-7, 1e-9}) {
        es.precision = eps;
        const EwaldParameters p = ewald_parameters(es, s.volume(), s.size(), 1.0, pot.model().max_gauss_width());
        opt.ewald = &p;
        opt.forces = true;
        const Result4G a = pot.compute(s, opt);
        double rms = 0.0, dqa = 0.0;
        for (std::size_t i = 0; i < s.size(); ++i) {
            for (int k = 0; k < 3; ++k) rms += std::pow(a.forces[i][k] - r[0].forces[i][k], 2);
            dqa = std::max(dqa, std::abs(a.charges[i] - r[0].charges[i]));
        }
        rms = std::sqrt(rms / (3.0 * static_cast<double>(s.size())));
        const double dea = std::abs(a.electrostatic_energy - r[0].electrostatic_energy);
        std::printf("H2O 4G, ewald_prec %.0e (eta %.3f r_c %.2f k_c %.3f, %zu k): RMS dF %.3e, |dE| %.3e, max |dQ| %.3e\n", eps,
                    p.eta, p.real_cutoff, p.kspace_cutoff, a.n_kvectors, rms, dea, dqa);
        CHECK(rms <= eps);
        CHECK(dea < last_de);
        last_de = dea;
    }
    CHECK(last_de <= 1e-7);
    // n2p2's agreement to round-off needs its exact parameter choice: a 1% different width with the
    // same cutoffs moves the energy by far more than the 1e-9 relative tolerance of the reference test.
    opt.ewald = nullptr;
    opt.forces = false;
    const Result4G ref = pot.compute(s, opt);
    EwaldParameters q = ref.ewald;
    q.eta *= 1.01;
    opt.ewald = &q;
    const double de_eta = std::abs(pot.compute(s, opt).energy - ref.energy);
    std::printf("H2O 4G: width 1%% off n2p2's: |dE| %.3e\n", de_eta);
    CHECK(de_eta > 1e-6);
}

TEST_CASE("Ewald parameters follow n2p2's truncation schemes", "[electrostatics][ewald]") {
    const double V = 27685.3, ke_inv = 1.0;
    const std::size_t N = 384;
    SECTION("method 0: Jackson-Catlow") {
        EwaldSettings s;
        s.precision = 1e-6;
        const EwaldParameters p = ewald_parameters(s, V, N, ke_inv, 1.0);
        CHECK(p.eta == Approx(std::cbrt(V) / std::sqrt(2.0 * M_PI)).epsilon(1e-14));
        CHECK(p.real_cutoff == Approx(std::sqrt(-2.0 * std::log(1e-6)) * p.eta).epsilon(1e-14));
        CHECK(p.kspace_cutoff == Approx(std::sqrt(-2.0 * std::log(1e-6)) / p.eta).epsilon(1e-14));
        s.precision = 1.0;
        CHECK_THROWS_WITH(ewald_parameters(s, V, N, ke_inv, 1.0), Catch::Contains("precision below 1"));
    }
    SECTION("method 1: Kolafa-Perram with optimal width") {
        EwaldSettings s;
        s.method = EwaldTruncation::kolafa_perram;
        s.precision = 1e-5;
        s.max_charge = 0.36;
        const EwaldParameters p = ewald_parameters(s, V, N, ke_inv, 1.0);
        const double C = std::pow(2.0, 0.75) * 0.36 * 0.36 * std::sqrt(N / V);
        const double sv = p.real_cutoff / (std::sqrt(2.0) * p.eta);
        CHECK(p.kspace_cutoff == Approx(std::sqrt(2.0) * sv / p.eta).epsilon(1e-12));
        CHECK(std::exp(-sv * sv) / std::sqrt(sv) == Approx(1e-5 / C * std::sqrt(p.eta / 2.0)).epsilon(1e-8));
        const double eta0 = std::pow(V * V / (3.676 * std::pow(2.0 * M_PI, 3.0)), 1.0 / 6.0);
        CHECK(p.eta == Approx(eta0 * std::pow(1.0 + 1.0 / (2.0 * sv * sv), 1.0 / 6.0)).epsilon(1e-8));
        // the width never falls below the widest Gaussian charge
        const EwaldParameters w = ewald_parameters(s, V, N, ke_inv, 50.0);
        CHECK(w.eta == 50.0);
    }
    SECTION("method 1: Kolafa-Perram with a fixed real-space cutoff") {
        EwaldSettings s;
        s.method = EwaldTruncation::kolafa_perram;
        s.precision = 1e-5;
        s.max_charge = 0.36;
        s.real_cutoff = 12.0;
        const EwaldParameters p = ewald_parameters(s, V, N, ke_inv, 1.0);
        const double C = 2.0 * 0.36 * 0.36 * std::sqrt(N / V);
        const double x = std::sqrt(12.0 / 2.0) * 1e-5 / C;
        CHECK(p.real_cutoff == 12.0);
        CHECK(p.eta == Approx(12.0 / std::sqrt(-2.0 * std::log(x))).epsilon(1e-14));
        const double k = p.kspace_cutoff;
        CHECK(std::exp(-p.eta * p.eta * k * k / 2.0) / std::sqrt(k) == Approx(p.eta * 1e-5 / (std::sqrt(2.0) * C)).epsilon(1e-8));
        s.precision = 1.0;
        CHECK_THROWS_WITH(ewald_parameters(s, V, N, ke_inv, 1.0), Catch::Contains("bad Ewald precision settings"));
    }
}

TEST_CASE("Ewald settings whose k-sphere or real-space images would explode are refused before allocating",
          "[electrostatics][ewald][errors]") {
    const double V = 27685.3, ke_inv = 1.0;
    const std::size_t N = 384;
    EwaldSettings s;
    s.method = EwaldTruncation::kolafa_perram;
    s.precision = 1e-5;
    s.max_charge = 0.36;
    SECTION("a tiny fixed real-space cutoff: eta -> 0, k-space cutoff -> huge") {
        s.real_cutoff = 0.05;
        const EwaldParameters p = ewald_parameters_unchecked(s, V, N, ke_inv, 1.0);
        INFO("k-space cutoff " << p.kspace_cutoff << ", expected k-vectors " << p.kspace_cutoff * p.kspace_cutoff *
                                                                                 p.kspace_cutoff * V / (12 * M_PI * M_PI));
        REQUIRE(p.kspace_cutoff * p.kspace_cutoff * p.kspace_cutoff * V / (12 * M_PI * M_PI) > kMaxKVectors);
        CHECK_THROWS_WITH(ewald_parameters(s, V, N, ke_inv, 1.0), Catch::Contains("k-vectors (limit"));
        const Mat3 cubic{Vec3{std::cbrt(V), 0, 0}, Vec3{0, std::cbrt(V), 0}, Vec3{0, 0, std::cbrt(V)}};
        CHECK_THROWS_WITH(make_kvectors(cubic, p.eta, p.kspace_cutoff, 1.0), Catch::Contains("k-space cutoff"));
    }
    SECTION("a real-space cutoff far beyond the cell: too many atom images per atom") {
        s.real_cutoff = 3000.0;
        CHECK_THROWS_WITH(ewald_parameters(s, V, N, ke_inv, 1.0), Catch::Contains("atom images per atom (limit"));
    }
    SECTION("the guards leave the shipped models' settings alone") {
        s.real_cutoff = 0.0;
        CHECK_NOTHROW(ewald_parameters(s, V, N, ke_inv, 1.0));
        EwaldSettings jc;  // n2p2's default scheme at 12288 atoms of water
        CHECK_NOTHROW(ewald_parameters(jc, 32.0 * V, 32 * N, ke_inv, 1.0));
    }
}

TEST_CASE("reciprocal vectors cover half of the k-sphere exactly once", "[electrostatics][ewald]") {
    const double kc = 3.1;
    const KVectors kv = make_kvectors(kSheared, 1.0, kc, 1.0);
    // brute force over a generous index range: every nonzero lattice vector inside the sphere
    const Mat3 rec = reciprocal_rows(kSheared);
    std::size_t full = 0;
    for (int a = -20; a <= 20; ++a)
        for (int b = -20; b <= 20; ++b)
            for (int c = -20; c <= 20; ++c) {
                if (a == 0 && b == 0 && c == 0) continue;
                const Vec3 k = (2.0 * M_PI) * (static_cast<double>(a) * rec[0] + static_cast<double>(b) * rec[1] +
                                               static_cast<double>(c) * rec[2]);
                if (dot(k, k) < kc * kc) ++full;
            }
    CHECK(2 * kv.size() == full);
    for (std::size_t i = 0; i < kv.size(); ++i)
        for (std::size_t j = 0; j < kv.size(); ++j) CHECK_FALSE(norm(kv.k[i] + kv.k[j]) < 1e-12);
}
