// The long-wave CG preconditioner (electrostatics/qeq_preconditioner.hpp): its k-vector phases are cos/sin(k.R),
// it inverts M = D + W diag(a) W^T exactly (checked with an explicit product M x), it is symmetric, positive
// definite on the neutral subspace and returns neutral vectors (random vectors), without k-vectors it is the
// Jacobi preconditioner, CG with it gives the dense solver's and Jacobi's charges, energy and forces within the
// tolerance's bounds, independently of the thread count, and its iteration count at 3072 atoms is no more than
// Jacobi's at 384 (Jacobi's grows).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "hdnnp/electrostatics/qeq_preconditioner.hpp"
#include "hdnnp/io/input_data.hpp"
#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/potential/potential.hpp"
#include "support/reference.hpp"
#include "support/serial_openmp.hpp"

using namespace hdnnp;

namespace {

/// 4G water (n2p2's H2O_RPBE-D3_4G cell, replicated na x nb x nc), every atom moved by up to 0.05 bohr.
Structure water(int na, int nb, int nc) {
    const std::string dir = test::predict_dir("H2O_RPBE-D3_4G");
    Structure s = supercell(io::read_input_data(dir + "/input.data").at(0), na, nb, nc);
    std::mt19937 rng(1234);
    std::uniform_real_distribution<double> u(-0.05, 0.05);
    for (Vec3& p : s.positions) p = p + Vec3{u(rng), u(rng), u(rng)};
    return s;
}

/// The charge-equilibration operator A = C + diag(J) of a structure with the matrix-free Ewald balance.
struct QeqOperator {
    GaussianCoulomb op;
    std::vector<double> J, diag;
    QeqOperator(const Potential4G<>& pot, const Structure& s) {
        const std::vector<int> el = pot.element_indices(s);
        const EwaldParameters p = pot.ewald_parameters_for(s, EwaldBalance::matrix_free);
        op = pot.coulomb(s, el, &p);
        op.cache_real_space();
        for (int e : el) J.push_back(pot.model().elements[static_cast<std::size_t>(e)].hardness);
        diag = op.diagonal();
        for (std::size_t i = 0; i < J.size(); ++i) diag[i] += J[i];
    }
    std::vector<double> apply(const std::vector<double>& u) const {
        std::vector<double> out(u.size());
        op.apply(u.data(), out.data());
        for (std::size_t i = 0; i < u.size(); ++i) out[i] += J[i] * u[i];
        return out;
    }
};

double dot(const std::vector<double>& a, const std::vector<double>& b) {
    double s = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
    return s;
}

std::vector<double> random_neutral(std::size_t n, std::mt19937& rng) {
    std::normal_distribution<double> g(0.0, 1.0);
    std::vector<double> r(n);
    double s = 0.0;
    for (double& x : r) s += (x = g(rng));
    for (double& x : r) x -= s / static_cast<double>(n);
    return r;
}

double max_diff(const std::vector<double>& a, const std::vector<double>& b) {
    double d = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(a[i] - b[i]));
    return d;
}

double max_force_diff(const Result4G& a, const Result4G& b) {
    double d = 0.0;
    for (std::size_t i = 0; i < a.forces.size(); ++i)
        for (int k = 0; k < 3; ++k) d = std::max(d, std::abs(a.forces[i][k] - b.forces[i][k]));
    return d;
}

}  // namespace


TEST_CASE("the long-wave preconditioner's phases are cos(k.R) and sin(k.R) and it inverts D + W diag(a) W^T",
          "[electrostatics][cg][preconditioner]") {
    const auto pot = Potential4G<>::load(test::predict_dir("H2O_RPBE-D3_4G"));
    const Structure s = water(2, 2, 1);
    const QeqOperator A(pot, s);
    const LongWaveQeqPreconditioner pc(A.op, A.diag, ComputeOptions4G{}.cg_long_wave_ratio);
    const std::size_t n = s.size(), nk = pc.kvectors().size();
    REQUIRE(nk >= 3);
    const KVectors& kv = A.op.kvectors();
    std::vector<std::vector<double>> c(nk, std::vector<double>(n)), sn(nk, std::vector<double>(n));
    double worst_phase = 0.0;
    for (std::size_t t = 0; t < nk; ++t) {
        const std::size_t k = pc.kvectors()[t];
        A.op.kvector_phases(k, c[t].data(), sn[t].data());
        for (std::size_t i = 0; i < n; ++i) {
            const double ph = dot(kv.k[k], A.op.positions()[i]);
            worst_phase = std::max({worst_phase, std::abs(c[t][i] - std::cos(ph)), std::abs(sn[t][i] - std::sin(ph))});
        }
        // selected: a_k N / 2 >= ratio x harmonic mean of diag(A)
        double sdinv = 0.0;
        for (double d : A.diag) sdinv += 1.0 / d;
        CHECK(kv.a[k] * 0.5 * double(n) >= ComputeOptions4G{}.cg_long_wave_ratio * double(n) / sdinv);
    }
    CHECK(worst_phase <= 1e-12);
    // M x = D x + sum_k a_k (c_k c_k^T + s_k s_k^T) x; the preconditioner's z for r = M x - mean is x - mean-ish:
    // z = M^-1 r - M^-1 1 (1^T M^-1 r)/(1^T M^-1 1) with r = M x gives z = x - M^-1 1 (1^T x)/(1^T M^-1 1),
    // which is x for a neutral x.
    std::mt19937 rng(11);
    const std::vector<double> x = random_neutral(n, rng);
    std::vector<double> Mx(n);
    for (std::size_t i = 0; i < n; ++i) Mx[i] = A.diag[i] * x[i];
    for (std::size_t t = 0; t < nk; ++t) {
        const double a = kv.a[pc.kvectors()[t]], cx = dot(c[t], x), sx = dot(sn[t], x);
        for (std::size_t i = 0; i < n; ++i) Mx[i] += a * (c[t][i] * cx + sn[t][i] * sx);
    }
    std::vector<double> z(n);
    pc.apply(Mx.data(), z.data());
    double xmax = 0.0;
    for (double v : x) xmax = std::max(xmax, std::abs(v));
    std::printf("long-wave preconditioner, %zu atoms: %zu k-vectors kept; max |phase - cos/sin(k.R)| %.2e, max |M^-1 M x - x| / max|x| "
                "%.2e\n", n, nk, worst_phase, max_diff(z, x) / xmax);
    CHECK(max_diff(z, x) <= 1e-12 * xmax);
}

TEST_CASE("the long-wave preconditioner is symmetric, positive definite on the neutral subspace and returns neutral vectors",
          "[electrostatics][cg][preconditioner]") {
    const auto pot = Potential4G<>::load(test::predict_dir("H2O_RPBE-D3_4G"));
    const Structure s = water(2, 2, 1);
    const QeqOperator A(pot, s);
    const LongWaveQeqPreconditioner pc(A.op, A.diag, ComputeOptions4G{}.cg_long_wave_ratio);
    const std::size_t n = s.size();
    REQUIRE(!pc.kvectors().empty());
    auto M = [&](const std::vector<double>& r) {
        std::vector<double> z(n);
        pc.apply(r.data(), z.data());
        return z;
    };
    std::mt19937 rng(7);
    double worst_sym = 0.0, min_ratio = 1e300, worst_sum = 0.0;
    auto check = [&](const std::vector<double>& a) {
        const std::vector<double> Ma = M(a);
        min_ratio = std::min(min_ratio, dot(a, Ma) / dot(a, a));
        double sum = 0.0, mag = 0.0;
        for (double v : Ma) {
            sum += v;
            mag += std::abs(v);
        }
        worst_sum = std::max(worst_sum, std::abs(sum) / mag);
    };
    for (int t = 0; t < 20; ++t) {
        const std::vector<double> a = random_neutral(n, rng), b = random_neutral(n, rng);
        const std::vector<double> Ma = M(a), Mb = M(b);
        worst_sym = std::max(worst_sym, std::abs(dot(a, Mb) - dot(b, Ma)) / std::sqrt(dot(a, Ma) * dot(b, Mb)));
        check(a);
    }
    // The directions the low-rank term acts on: the kept waves themselves, made neutral.
    const KVectors& kv = A.op.kvectors();
    double wave_ratio = 1e300;
    for (std::size_t k : pc.kvectors()) {
        std::vector<double> c(n), sn(n);
        A.op.kvector_phases(k, c.data(), sn.data());
        for (std::vector<double>* v : {&c, &sn}) {
            double mean = 0.0;
            for (double x : *v) mean += x / double(n);
            for (double& x : *v) x -= mean;
            check(*v);
            wave_ratio = std::min(wave_ratio, dot(*v, M(*v)) / dot(*v, *v));
        }
        (void)kv;
    }
    std::printf("long-wave preconditioner, %zu atoms: max |a.Mb - b.Ma| / sqrt(a.Ma b.Mb) %.2e, min x.Mx / x.x %.3e (kept waves: "
                "%.3e) [e^2/Ha], max |sum z| / sum |z| %.2e\n", n, worst_sym, min_ratio, wave_ratio, worst_sum);
    CHECK(worst_sym <= 1e-13);
    CHECK(min_ratio > 0.0);
    CHECK(wave_ratio > 0.0);
    CHECK(worst_sum <= 1e-13);
}

TEST_CASE("without k-vectors the long-wave preconditioner is the Jacobi preconditioner", "[electrostatics][cg][preconditioner]") {
    const auto pot = Potential4G<>::load(test::predict_dir("H2O_RPBE-D3_4G"));
    const Structure s = water(1, 1, 1);
    const QeqOperator A(pot, s);
    const LongWaveQeqPreconditioner pc(A.op, A.diag, 1e30);
    REQUIRE(pc.kvectors().empty());
    const std::size_t n = s.size();
    std::mt19937 rng(3);
    const std::vector<double> r = random_neutral(n, rng);
    std::vector<double> z(n), zj(n);
    pc.apply(r.data(), z.data());
    // Jacobi on the neutral subspace: D^-1 r - (1^T D^-1 r / 1^T D^-1 1) D^-1 1
    double s1 = 0.0, s2 = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        s1 += r[i] / A.diag[i];
        s2 += 1.0 / A.diag[i];
    }
    double zmax = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        zj[i] = (r[i] - s1 / s2) / A.diag[i];
        zmax = std::max(zmax, std::abs(zj[i]));
    }
    CHECK(max_diff(z, zj) <= 1e-14 * zmax);
}

TEST_CASE("CG with the long-wave preconditioner gives the dense solver's and Jacobi's charges, energy and forces",
          "[electrostatics][cg][preconditioner]") {
    const auto pot = Potential4G<>::load(test::predict_dir("H2O_RPBE-D3_4G"));
    const Structure s = water(2, 2, 1);
    ComputeOptions4G opt;
    opt.solver = QeqSolverKind::cg;
    opt.ewald_balance = EwaldBalance::matrix_free;
    ComputeOptions4G dense_opt = opt;
    dense_opt.solver = QeqSolverKind::dense;
    const Result4G dense = pot.compute(s, dense_opt);
    for (double tol : {1e-6, 1e-8, 1e-10}) {
        opt.cg_tolerance = tol;
        opt.cg_preconditioner = QeqPreconditioner::long_wave;
        const Result4G lw = pot.compute(s, opt);
        opt.cg_preconditioner = QeqPreconditioner::jacobi;
        const Result4G jac = pot.compute(s, opt);
        REQUIRE(lw.cg_long_waves > 0);
        REQUIRE(jac.cg_long_waves == 0);
        const double df = max_force_diff(lw, dense), dq = max_diff(lw.charges, dense.charges);
        const double de = std::abs(lw.energy - dense.energy);
        std::printf("4G water %zu atoms, tol %.0e: long-wave %zu + %zu iterations (%zu k), Jacobi %zu + %zu; long-wave vs dense "
                    "max|dF| %.2e max|dQ| %.2e |dE| %.2e; vs Jacobi max|dF| %.2e max|dQ| %.2e\n",
                    s.size(), tol, lw.qeq_stats.iterations, lw.adjoint_stats.iterations, lw.cg_long_waves, jac.qeq_stats.iterations,
                    jac.adjoint_stats.iterations, df, dq, de, max_force_diff(lw, jac), max_diff(lw.charges, jac.charges));
        CHECK(lw.qeq_stats.residual <= tol);
        CHECK(lw.adjoint_stats.residual <= tol);
        // The force bound of cg_tolerance_test.cpp (max |dF| <= 0.1 tol); charges |dQ| <= tol |b| / lambda_min
        // (|b| / lambda_min < 10 here); the energy is first order in tol.
        CHECK(df <= 0.1 * tol);
        CHECK(dq <= 10.0 * tol);
        CHECK(de <= 10.0 * tol);
        CHECK(max_force_diff(lw, jac) <= 0.2 * tol);
        CHECK(max_diff(lw.charges, jac.charges) <= 20.0 * tol);
    }
}

TEST_CASE("the long-wave preconditioner keeps the CG iteration count of 3072 atoms at that of Jacobi for 384, where Jacobi's grows",
          "[electrostatics][cg][preconditioner]") {
    // Design target: the waves kept are those with k below a fixed k*, so CG sees the spectrum of a cell of fixed
    // size; at 384 atoms Jacobi has (almost) no long waves to struggle with.
    const auto pot = Potential4G<>::load(test::predict_dir("H2O_RPBE-D3_4G"));
    ComputeOptions4G opt;
    opt.solver = QeqSolverKind::cg;
    opt.cg_tolerance = 1e-8;
    opt.ewald_balance = EwaldBalance::matrix_free;
    ComputeOptions4G jopt = opt;
    jopt.cg_preconditioner = QeqPreconditioner::jacobi;
    const Structure small = water(1, 1, 1), large = water(2, 2, 2);
    const Result4G ls = pot.compute(small, opt), ll = pot.compute(large, opt);
    const Result4G js = pot.compute(small, jopt), jl = pot.compute(large, jopt);
    auto its = [](const Result4G& r) { return r.qeq_stats.iterations + r.adjoint_stats.iterations; };
    std::printf("CG iterations (charges + adjoint), tol 1e-8: long-wave %zu + %zu at %zu atoms (%zu k), %zu + %zu at %zu atoms (%zu k); "
                "Jacobi %zu + %zu and %zu + %zu\n", ls.qeq_stats.iterations, ls.adjoint_stats.iterations, small.size(),
                ls.cg_long_waves, ll.qeq_stats.iterations, ll.adjoint_stats.iterations, large.size(), ll.cg_long_waves,
                js.qeq_stats.iterations, js.adjoint_stats.iterations, jl.qeq_stats.iterations, jl.adjoint_stats.iterations);
    CHECK(its(ls) <= its(js));
    CHECK(its(ll) <= its(js));
    CHECK(its(ll) < its(jl));
    CHECK(its(js) < its(jl));  // the growth the preconditioner removes
    CHECK(max_diff(ll.charges, jl.charges) <= 10.0 * opt.cg_tolerance);
}

TEST_CASE("CG with the long-wave preconditioner gives the same result on one and two threads",
          "[electrostatics][cg][preconditioner][threads]") {
    const auto pot = Potential4G<>::load(test::predict_dir("H2O_RPBE-D3_4G"));
    const Structure s = water(2, 2, 1);
    ComputeOptions4G opt;
    opt.solver = QeqSolverKind::cg;
    opt.cg_tolerance = 1e-10;
    Result4G one, two;
    {
        test::OpenMPThreads t(1);
        one = pot.compute(s, opt);
    }
    {
        test::OpenMPThreads t(2);
        two = pot.compute(s, opt);
    }
    REQUIRE(one.cg_long_waves > 0);
    CHECK(one.qeq_stats.iterations == two.qeq_stats.iterations);
    CHECK(one.adjoint_stats.iterations == two.adjoint_stats.iterations);
    CHECK(std::abs(one.energy - two.energy) <= 1e-12 * std::abs(one.energy));
    CHECK(max_diff(one.charges, two.charges) <= 1e-12);
    CHECK(max_force_diff(one, two) <= 1e-12);
}
