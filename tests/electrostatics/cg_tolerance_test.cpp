// The iterative 4G path: the force error caused by the CG tolerance (first order, below the bound
// documented in potential/charges.hpp), warm starts from a previous MD-like step, the automatic solver
// choice, and the Ewald parameters balanced for matrix-free products (same accuracy, eta ~ N^(1/6)).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/potential/potential.hpp"
#include "hdnnp/io/input_data.hpp"
#include "support/reference.hpp"

using namespace hdnnp;

namespace {

double max_force_diff(const Result4G& a, const Result4G& b) {
    double d = 0.0;
    for (std::size_t i = 0; i < a.forces.size(); ++i)
        for (int k = 0; k < 3; ++k) d = std::max(d, std::abs(a.forces[i][k] - b.forces[i][k]));
    return d;
}

double max_charge_diff(const Result4G& a, const Result4G& b) {
    double d = 0.0;
    for (std::size_t i = 0; i < a.charges.size(); ++i) d = std::max(d, std::abs(a.charges[i] - b.charges[i]));
    return d;
}

/// Ewald parameters for H2O_RPBE-D3_4G with truncation errors below round-off (a converged reference).
EwaldParameters converged_ewald() {
    EwaldParameters p;
    p.eta = 3.0;
    p.real_cutoff = 6.0 * std::sqrt(2.0) * 3.0;
    p.kspace_cutoff = 6.0 * std::sqrt(2.0) / 3.0;
    return p;
}

/// The documented bound: max |F_cg(tol) - F_exact| <= kForceErrorPerTol tol (H2O_RPBE-D3_4G, Ha/bohr).
constexpr double kForceErrorPerTol = 0.1;

}  // namespace

TEST_CASE("the CG force error is first order in the tolerance and below the documented bound", "[electrostatics][cg]") {
    const std::string dir = test::predict_dir("H2O_RPBE-D3_4G");
    const auto pot = Potential4G<>::load(dir);
    const Structure s = io::read_input_data(dir + "/input.data").at(0);
    const Result4G dense = pot.compute(s);
    ComputeOptions4G opt;
    opt.solver = QeqSolverKind::cg;
    opt.ewald_balance = EwaldBalance::n2p2;  // the dense solver's parameters: only the tolerance differs
    double last = 1e300;
    for (double tol : {1e-4, 1e-6, 1e-8, 1e-10}) {
        opt.cg_tolerance = tol;
        const Result4G r = pot.compute(s, opt);
        const double df = max_force_diff(r, dense), dq = max_charge_diff(r, dense);
        const double de = std::abs(r.energy - dense.energy);
        std::printf("H2O 4G (384 atoms), CG tol %.0e: %3zu + %3zu iterations, max|dF| %.3e (%.3f tol), max|dQ| %.3e, |dE| %.3e\n",
                    tol, r.qeq_stats.iterations, r.adjoint_stats.iterations, df, df / tol, dq, de);
        CHECK(df <= kForceErrorPerTol * tol);
        CHECK(df < last);
        CHECK(r.qeq_stats.residual <= tol);
        CHECK(r.adjoint_stats.residual <= tol);
        last = df;
    }
}

TEST_CASE("a warm start from the previous, slightly displaced structure needs fewer CG iterations and gives the same result",
          "[electrostatics][cg]") {
    const std::string dir = test::predict_dir("H2O_RPBE-D3_4G");
    const auto pot = Potential4G<>::load(dir);
    const Structure s0 = io::read_input_data(dir + "/input.data").at(0);
    // Every atom displaced by up to 1e-3 bohr. (CG from zero converges here by about 1.5 decades per
    // iteration, so a warm start saves iterations in proportion to log10 of its initial residual: about
    // one at 1e-2 bohr, an MD step's worth, and two to three at 1e-3 bohr.)
    Structure s1 = s0;
    std::mt19937 rng(4);
    std::uniform_real_distribution<double> u(-1e-3, 1e-3);
    for (Vec3& p : s1.positions) p = p + Vec3{u(rng), u(rng), u(rng)};
    ComputeOptions4G opt;
    opt.solver = QeqSolverKind::cg;
    opt.cg_tolerance = 1e-10;
    opt.ewald_balance = EwaldBalance::matrix_free;
    const Result4G r0 = pot.compute(s0, opt);
    const Result4G cold = pot.compute(s1, opt);
    ComputeOptions4G warm_opt = opt;
    warm_opt.initial_charges = &r0.charges;
    warm_opt.initial_adjoint = &r0.adjoint;
    const Result4G warm = pot.compute(s1, warm_opt);
    ComputeOptions4G dense_opt = opt;
    dense_opt.solver = QeqSolverKind::dense;
    const Result4G dense = pot.compute(s1, dense_opt);
    std::printf("H2O 4G displaced by <= 1e-3 bohr: CG %zu + %zu iterations cold, %zu + %zu warm (initial residuals %.1e, %.1e);"
                " warm vs cold max|dF| %.3e, max|dQ| %.3e; warm vs dense max|dF| %.3e\n",
                cold.qeq_stats.iterations, cold.adjoint_stats.iterations, warm.qeq_stats.iterations,
                warm.adjoint_stats.iterations, warm.qeq_stats.initial_residual, warm.adjoint_stats.initial_residual,
                max_force_diff(warm, cold), max_charge_diff(warm, cold), max_force_diff(warm, dense));
    CHECK(warm.qeq_stats.iterations < cold.qeq_stats.iterations);
    CHECK(warm.adjoint_stats.iterations < cold.adjoint_stats.iterations);
    CHECK(max_force_diff(warm, cold) <= 2.0 * kForceErrorPerTol * opt.cg_tolerance);
    CHECK(max_force_diff(warm, dense) <= kForceErrorPerTol * opt.cg_tolerance);
    CHECK(max_charge_diff(warm, dense) <= 1e-9);
    CHECK(std::abs(warm.energy - dense.energy) <= 1e-9);
}

TEST_CASE("the automatic solver choice is dense for small and CG for large structures", "[electrostatics][cg]") {
    const std::string dir = test::predict_dir("Carbon_chain_4G");
    const auto pot = Potential4G<>::load(dir);
    const Structure s = io::read_input_data(dir + "/input.data").at(0);
    ComputeOptions4G opt;
    opt.solver = QeqSolverKind::automatic;
    const Result4G small = pot.compute(s, opt);
    CHECK(small.solver_used == QeqSolverKind::dense);
    opt.dense_max_atoms = s.size() - 1;
    const Result4G large = pot.compute(s, opt);
    CHECK(large.solver_used == QeqSolverKind::cg);
    CHECK(large.qeq_stats.iterations > 0);
    CHECK(max_force_diff(small, large) <= kForceErrorPerTol * opt.cg_tolerance + 1e-14);
}

TEST_CASE("Ewald parameters balanced for matrix-free products meet the same accuracy target and grow as N^(1/6)",
          "[electrostatics][cg]") {
    const std::string dir = test::predict_dir("H2O_RPBE-D3_4G");
    const auto pot = Potential4G<>::load(dir);
    const Structure s = io::read_input_data(dir + "/input.data").at(0);
    const double sigma_max = pot.model().max_gauss_width();
    // Converged reference: truncation errors below round-off.
    const EwaldParameters tight = converged_ewald();
    ComputeOptions4G opt;
    opt.ewald = &tight;
    const Result4G ref = pot.compute(s, opt);
    opt.ewald = nullptr;
    opt.ewald_balance = EwaldBalance::matrix_free;
    const Result4G mf = pot.compute(s, opt);
    double rms = 0.0;
    for (std::size_t i = 0; i < s.size(); ++i)
        for (int k = 0; k < 3; ++k) rms += std::pow(mf.forces[i][k] - ref.forces[i][k], 2);
    rms = std::sqrt(rms / (3.0 * static_cast<double>(s.size())));
    const double eps = pot.model().electrostatics.ewald.precision;
    std::printf("H2O 4G, matrix-free Ewald balance: eta %.3f r_c %.2f k_c %.3f (%zu k); RMS dF vs converged %.3e (target %.0e)\n",
                mf.ewald.eta, mf.ewald.real_cutoff, mf.ewald.kspace_cutoff, mf.n_kvectors, rms, eps);
    CHECK(rms <= eps);
    CHECK(mf.ewald.eta >= std::sqrt(2.0) * sigma_max);
    // At fixed density: eta ~ (V^2/N)^(1/6) up to the slowly varying Kolafa-Perram factor, r_c k_c = 2 s^2.
    EwaldSettings es = pot.model().electrostatics.ewald;
    es.balance = EwaldBalance::matrix_free;
    const double V = s.volume();
    const EwaldParameters p1 = ewald_parameters(es, V, s.size(), 1.0, sigma_max);
    const EwaldParameters p32 = ewald_parameters(es, 32.0 * V, 32 * s.size(), 1.0, sigma_max);
    const double growth = std::log(p32.eta / p1.eta) / std::log(32.0);
    std::printf("matrix-free balance: eta %.3f -> %.3f from N to 32 N (exponent %.4f), r_c %.2f -> %.2f\n", p1.eta, p32.eta, growth,
                p1.real_cutoff, p32.real_cutoff);
    CHECK(growth == Approx(1.0 / 6.0).margin(0.01));
    es.balance = EwaldBalance::n2p2;
    const EwaldParameters n1 = ewald_parameters(es, V, s.size(), 1.0, sigma_max);
    const EwaldParameters n32 = ewald_parameters(es, 32.0 * V, 32 * s.size(), 1.0, sigma_max);
    CHECK(std::log(n32.eta / n1.eta) / std::log(32.0) == Approx(1.0 / 3.0).margin(0.01));
}

TEST_CASE("the automatic Ewald choice: n2p2's procedure with the dense solver, the balanced width with CG, both within the model's Ewald precision",
          "[electrostatics][cg]") {
    const std::string dir = test::predict_dir("H2O_RPBE-D3_4G");
    const auto pot = Potential4G<>::load(dir);
    const Structure s = io::read_input_data(dir + "/input.data").at(0);
    // Defaults at 384 atoms (<= dense_max_atoms): exactly n2p2's procedure.
    const Result4G def = pot.compute(s);
    ComputeOptions4G exact;
    exact.reproduce_n2p2();
    const Result4G n2 = pot.compute(s, exact);
    CHECK(def.solver_used == QeqSolverKind::dense);
    CHECK(def.ewald_balance_used == EwaldBalance::n2p2);
    CHECK(def.energy == n2.energy);
    CHECK(max_force_diff(def, n2) == 0.0);
    // Beyond dense_max_atoms: CG with the width balanced for matrix-free products.
    ComputeOptions4G large;
    large.dense_max_atoms = s.size() - 1;
    const Result4G bal = pot.compute(s, large);
    CHECK(bal.solver_used == QeqSolverKind::cg);
    CHECK(bal.ewald_balance_used == EwaldBalance::matrix_free);
    const EwaldParameters expected = pot.ewald_parameters_for(s, EwaldBalance::matrix_free);
    CHECK(bal.ewald.eta == expected.eta);
    CHECK(bal.ewald.real_cutoff == expected.real_cutoff);
    CHECK(pot.ewald_parameters_for(s, EwaldBalance::automatic, large.dense_max_atoms).eta == expected.eta);
    CHECK(bal.ewald.eta < 0.5 * n2.ewald.eta);  // a different width: n2p2's grows as N^(1/3), this one as N^(1/6)
    // reproduce_n2p2() keeps n2p2's procedure at that size too.
    ComputeOptions4G exact_large = large;
    exact_large.reproduce_n2p2();
    const Result4G n2_large = pot.compute(s, exact_large);
    CHECK(n2_large.solver_used == QeqSolverKind::dense);
    CHECK(n2_large.energy == n2.energy);
    // Both within the accuracy target (RMS force error eps_F) of a converged Ewald sum, so within 2 eps_F RMS
    // of each other; energies and charges agree at the level the force target implies.
    const EwaldParameters tight = converged_ewald();
    ComputeOptions4G conv;
    conv.ewald = &tight;
    const Result4G ref = pot.compute(s, conv);
    auto rms = [&](const Result4G& a, const Result4G& b) {
        double r = 0.0;
        for (std::size_t i = 0; i < s.size(); ++i)
            for (int k = 0; k < 3; ++k) r += std::pow(a.forces[i][k] - b.forces[i][k], 2);
        return std::sqrt(r / (3.0 * static_cast<double>(s.size())));
    };
    const double eps = pot.model().electrostatics.ewald.precision;
    const double natoms = static_cast<double>(s.size());
    std::printf("H2O 4G (384 atoms): n2p2 eta %.3f (%zu k), balanced eta %.3f (%zu k); RMS dF vs converged: n2p2 %.3e, balanced "
                "%.3e, between them %.3e (eps_F %.0e); |dE|/N %.3e, max|dQ| %.3e\n",
                n2.ewald.eta, n2.n_kvectors, bal.ewald.eta, bal.n_kvectors, rms(n2, ref), rms(bal, ref), rms(bal, n2), eps,
                std::abs(bal.energy - n2.energy) / natoms, max_charge_diff(bal, n2));
    CHECK(rms(n2, ref) <= eps);
    CHECK(rms(bal, ref) <= eps);
    CHECK(rms(bal, n2) <= 2.0 * eps);
    // ewald_parameters() itself refuses the unresolved choice.
    EwaldSettings es = pot.model().electrostatics.ewald;
    es.balance = EwaldBalance::automatic;
    CHECK_THROWS_AS(ewald_parameters(es, s.volume(), s.size(), 1.0, 1.0), Error);
}
