// Charge-equilibration solvers: the dense null-space Cholesky solver against a direct solution of the
// bordered system, the matrix-free projected CG solver against the dense one (also inside the 4G
// potential), and warm starts.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/potential/potential.hpp"
#include "hdnnp/electrostatics/coulomb.hpp"
#include "hdnnp/electrostatics/qeq_solver.hpp"
#include "hdnnp/io/input_data.hpp"
#include "support/reference.hpp"

using namespace hdnnp;

namespace {

/// Solves the (N+1) x (N+1) bordered system by Gaussian elimination with partial pivoting.
std::vector<double> direct_bordered(const std::vector<double>& A, std::size_t n, const std::vector<double>& b, double c) {
    const std::size_t m = n + 1;
    std::vector<double> M(m * (m + 1), 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) M[i * (m + 1) + j] = A[i * n + j];
        M[i * (m + 1) + n] = 1.0;
        M[n * (m + 1) + i] = 1.0;
        M[i * (m + 1) + m] = b[i];
    }
    M[n * (m + 1) + m] = c;
    for (std::size_t k = 0; k < m; ++k) {
        std::size_t p = k;
        for (std::size_t i = k + 1; i < m; ++i)
            if (std::abs(M[i * (m + 1) + k]) > std::abs(M[p * (m + 1) + k])) p = i;
        for (std::size_t j = 0; j <= m; ++j) std::swap(M[k * (m + 1) + j], M[p * (m + 1) + j]);
        for (std::size_t i = k + 1; i < m; ++i) {
            const double f = M[i * (m + 1) + k] / M[k * (m + 1) + k];
            for (std::size_t j = k; j <= m; ++j) M[i * (m + 1) + j] -= f * M[k * (m + 1) + j];
        }
    }
    std::vector<double> x(m);
    for (std::size_t i = m; i-- > 0;) {
        double s = M[i * (m + 1) + m];
        for (std::size_t j = i + 1; j < m; ++j) s -= M[i * (m + 1) + j] * x[j];
        x[i] = s / M[i * (m + 1) + i];
    }
    return x;
}

/// A periodic Gaussian-charge operator of n random atoms in a sheared cell.
GaussianCoulomb random_cell(std::size_t n, double eta, unsigned seed) {
    const Mat3 L{Vec3{9.0, 0.0, 0.0}, Vec3{2.0, 8.5, 0.0}, Vec3{-1.5, 1.0, 9.2}};
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<Vec3> R;
    std::vector<int> el;
    for (std::size_t i = 0; i < n; ++i) {
        R.push_back(u(rng) * L[0] + u(rng) * L[1] + u(rng) * L[2]);
        el.push_back(static_cast<int>(i % 2));
    }
    EwaldParameters p;
    p.eta = eta;
    p.real_cutoff = 5.0 * std::sqrt(2.0) * std::max(eta, 1.6);
    p.kspace_cutoff = 5.0 * std::sqrt(2.0) / eta;
    return GaussianCoulomb(R, el, {0.8, 1.1}, 1.0, L, p);
}

}  // namespace

TEST_CASE("the dense Qeq solver solves the bordered system, also where A is indefinite", "[electrostatics][solver]") {
    for (double eta : {0.6, 2.0}) {  // eta = 0.6 < the charge widths: A has a negative eigenvalue
        DYNAMIC_SECTION("eta " << eta) {
            const std::size_t n = 40;
            const GaussianCoulomb op = random_cell(n, eta, 3);
            std::vector<double> A(n * n);
            op.dense(A.data());
            for (std::size_t i = 0; i < n; ++i) A[i * n + i] += 0.05 + 0.01 * static_cast<double>(i % 3);
            double ones = 0.0;  // 1^T A 1
            for (double v : A) ones += v;
            std::printf("eta %.1f: 1^T A 1 = %.4e\n", eta, ones);
            if (eta < 1.0) CHECK(ones < 0.0);  // A is indefinite in the full space
            std::mt19937 rng(11);
            std::normal_distribution<double> g(0.0, 1.0);
            std::vector<double> b(n);
            for (double& x : b) x = g(rng);
            const double c = 1.5;
            const std::vector<double> ref = direct_bordered(A, n, b, c);
            DenseQeqSolver solver;
            solver.factorize(A, n);
            std::vector<double> x(n);
            double lambda = 0.0;
            solver.solve(b.data(), c, x.data(), lambda);
            double dx = 0.0, xm = 0.0;
            for (std::size_t i = 0; i < n; ++i) {
                dx = std::max(dx, std::abs(x[i] - ref[i]));
                xm = std::max(xm, std::abs(ref[i]));
            }
            CHECK(dx <= 1e-11 * xm);
            CHECK(lambda == Approx(ref[n]).epsilon(1e-10));
            double sum = 0.0;
            for (double v : x) sum += v;
            CHECK(sum == Approx(c).epsilon(1e-13));
            // the same factorisation serves further right-hand sides (here the adjoint-like c = 0)
            for (double& v : b) v = g(rng);
            const std::vector<double> ref2 = direct_bordered(A, n, b, 0.0);
            solver.solve(b.data(), 0.0, x.data(), lambda);
            double dx2 = 0.0;
            for (std::size_t i = 0; i < n; ++i) dx2 = std::max(dx2, std::abs(x[i] - ref2[i]));
            CHECK(dx2 <= 1e-10);
        }
    }
}

TEST_CASE("the dense solver factorises a matrix larger than one Cholesky block", "[electrostatics][solver]") {
    const std::size_t n = 300;  // several 64-column panels and 256-column update chunks
    const GaussianCoulomb op = random_cell(n, 2.0, 5);
    std::vector<double> A(n * n);
    op.dense(A.data());
    for (std::size_t i = 0; i < n; ++i) A[i * n + i] += 0.1;
    std::vector<double> b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = std::sin(0.37 * static_cast<double>(i));
    DenseQeqSolver solver;
    solver.factorize(A, n);
    std::vector<double> x(n);
    double lambda = 0.0;
    solver.solve(b.data(), 0.0, x.data(), lambda);
    double res = 0.0, bm = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        double s = lambda;
        for (std::size_t j = 0; j < n; ++j) s += A[i * n + j] * x[j];
        res = std::max(res, std::abs(s - b[i]));
        bm = std::max(bm, std::abs(b[i]));
    }
    CHECK(res <= 1e-11 * bm);
}

TEST_CASE("the projected CG solver agrees with the dense solver and profits from a warm start", "[electrostatics][solver]") {
    const std::size_t n = 60;
    GaussianCoulomb op = random_cell(n, 2.0, 9);
    std::vector<double> J(n);
    for (std::size_t i = 0; i < n; ++i) J[i] = 0.2 + 0.1 * static_cast<double>(i % 2);
    std::vector<double> A(n * n);
    op.dense(A.data());
    for (std::size_t i = 0; i < n; ++i) A[i * n + i] += J[i];
    DenseQeqSolver dense;
    dense.factorize(A, n);
    op.cache_real_space();
    std::vector<double> diag = op.diagonal();
    for (std::size_t i = 0; i < n; ++i) {
        CHECK(diag[i] + J[i] == Approx(A[i * n + i]).epsilon(1e-12));
        diag[i] += J[i];
    }
    const ProjectedCGSolver cg(
        [&](const double* u, double* out) {
            op.apply(u, out);
            for (std::size_t i = 0; i < n; ++i) out[i] += J[i] * u[i];
        },
        diag, 1e-13, 1000);
    std::vector<double> b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = std::cos(1.3 * static_cast<double>(i));
    std::vector<double> xd(n), xc(n, 0.0);
    double ld = 0.0, lc = 0.0;
    dense.solve(b.data(), -0.5, xd.data(), ld);
    const CGStats cold = cg.solve(b.data(), -0.5, xc.data(), lc);
    double dx = 0.0;
    for (std::size_t i = 0; i < n; ++i) dx = std::max(dx, std::abs(xc[i] - xd[i]));
    std::printf("projected CG, N = %zu: %zu iterations from zero, max |x_cg - x_dense| %.3e\n", n, cold.iterations, dx);
    CHECK(dx <= 1e-11);
    CHECK(lc == Approx(ld).epsilon(1e-10));
    // warm start from a slightly different problem
    for (std::size_t i = 0; i < n; ++i) b[i] += 1e-3 * std::sin(static_cast<double>(i));
    std::vector<double> xw = xc;
    const CGStats warm = cg.solve(b.data(), -0.5, xw.data(), lc);
    std::vector<double> xz(n, 0.0);
    const CGStats again = cg.solve(b.data(), -0.5, xz.data(), lc);
    std::printf("projected CG: %zu iterations warm, %zu cold\n", warm.iterations, again.iterations);
    CHECK(warm.iterations < again.iterations);
}

TEST_CASE("4G results with the CG solver equal those with the dense solver", "[electrostatics][solver]") {
    for (const char* ex : {"Carbon_chain_4G", "H2O_RPBE-D3_4G"}) {
        DYNAMIC_SECTION(ex) {
            const std::string dir = test::predict_dir(ex);
            const auto pot = Potential4G<>::load(dir);
            const Structure s = io::read_input_data(dir + "/input.data").at(0);
            const Result4G d = pot.compute(s);
            ComputeOptions4G opt;
            opt.solver = QeqSolverKind::cg;
            opt.ewald_balance = EwaldBalance::n2p2;  // the dense solver's Ewald parameters: only the solver differs
            opt.cg_tolerance = 1e-13;
            const Result4G c = pot.compute(s, opt);
            double dq = 0.0, df = 0.0;
            for (std::size_t i = 0; i < s.size(); ++i) {
                dq = std::max(dq, std::abs(c.charges[i] - d.charges[i]));
                for (int k = 0; k < 3; ++k) df = std::max(df, std::abs(c.forces[i][k] - d.forces[i][k]));
            }
            std::printf("%s CG (%zu + %zu iterations) vs dense: max |dQ| %.3e, |dE| %.3e, max |dF| %.3e\n", ex,
                        c.qeq_stats.iterations, c.adjoint_stats.iterations, dq, std::abs(c.energy - d.energy), df);
            CHECK(dq <= 1e-10);
            CHECK(std::abs(c.energy - d.energy) <= 1e-12 * std::abs(d.energy));
            CHECK(df <= 1e-10);
            // warm start with the converged charges and adjoint: (almost) no iterations
            opt.initial_charges = &c.charges;
            opt.initial_adjoint = &c.adjoint;
            const Result4G w = pot.compute(s, opt);
            CHECK(w.qeq_stats.iterations <= 2);
            CHECK(w.adjoint_stats.iterations <= 2);
        }
    }
}
