// 4G scaling benchmark: charges + energy + forces of H2O_RPBE-D3_4G water supercells (384 .. 12288 atoms,
// every atom displaced by up to --jitter bohr, default 0.05, so that the replicas are not exactly periodic),
// one thread, dense solver vs matrix-free projected CG, with the Ewald width balanced for matrix-free
// products (EwaldBalance::matrix_free) in both, so that their forces can be compared. Also CG with
// n2p2's Ewald parameters (up to 3072 atoms) and a warm-started CG call on a slightly displaced structure.
// CG runs with the default long-wave preconditioner and, side by side in the same run, with Jacobi
// (ComputeOptions::cg_preconditioner); 2G water (n2p2's H2O_RPBE-D3, 1080-atom cell replicated, atoms displaced
// alike) at similar sizes gives the per-atom time ratio 4G / 2G.
//
//   bench_4g_scaling [--json FILE] [--reps N] [--min-atoms N] [--max-atoms N] [--dense-max N] [--n2p2-max N] [--tol T]
//                    [--jitter D] [--long-wave-ratio R] [--no-jacobi] [--no-2g] [--cost-ratio] [--scan-ratio]
//
// Prints a table (atoms, n_k, r_c, eta, CG iterations, seconds) and the growth exponent of the CG time,
// fitted between the smallest and the largest size (and by least squares over all sizes).
// --cost-ratio measures T_r / T_k of ewald.hpp's kMatrixFreeCostRatio: the electrostatic work of one
// evaluation (operator setup, 16 products C u, gradient) with the real-space part only, per stored entry,
// over that with the reciprocal part only, per (atom, k). --scan-ratio times whole CG evaluations with
// the matrix-free balance at cost ratios 0.5 .. 32 (the fastest should be near kMatrixFreeCostRatio).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/potential/potential.hpp"
#include "hdnnp/io/input_data.hpp"

#ifndef HDNNP_REFERENCE_DIR
#define HDNNP_REFERENCE_DIR "../shared/reference/n2p2"
#endif

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double max_force_diff(const hdnnp::Result4G& a, const hdnnp::Result4G& b) {
    double d = 0.0;
    for (std::size_t i = 0; i < a.forces.size(); ++i)
        for (int k = 0; k < 3; ++k) d = std::max(d, std::abs(a.forces[i][k] - b.forces[i][k]));
    return d;
}

double max_charge_diff(const hdnnp::Result4G& a, const hdnnp::Result4G& b) {
    double d = 0.0;
    for (std::size_t i = 0; i < a.charges.size(); ++i) d = std::max(d, std::abs(a.charges[i] - b.charges[i]));
    return d;
}

/// Best wall time of reps calls; the last result is kept.
template <class F> double best_of(int reps, F&& f) {
    double best = 1e300;
    for (int r = 0; r < reps; ++r) {
        const auto t0 = Clock::now();
        f();
        best = std::min(best, seconds_since(t0));
    }
    return best;
}

struct Row {
    std::size_t atoms = 0, nk = 0, nk_n2p2 = 0, cg_iter = 0, adj_iter = 0, warm_iter = 0, warm_adj_iter = 0;
    std::size_t waves = 0, jac_iter = 0, jac_adj_iter = 0, jac_warm_iter = 0, jac_warm_adj_iter = 0;
    double t_jac = -1, t_jac_warm = -1, t_jac_setup = 0, t_jac_solve = 0, dq_jac = -1, df_jac = -1;
    double eta = 0, rc = 0, kc = 0, eta_n2p2 = 0, rc_n2p2 = 0;
    double t_dense = -1, t_cg = -1, t_cg_n2p2 = -1, t_warm = -1;
    double t_desc = 0, t_setup = 0, t_solve = 0, t_forces = 0;
    double df = -1, dq = -1, de = -1;
    std::string dense_note;
};

/// Least-squares slope of log t against log N.
double fit_exponent(const std::vector<double>& n, const std::vector<double>& t) {
    const double m = static_cast<double>(n.size());
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (std::size_t k = 0; k < n.size(); ++k) {
        const double x = std::log(n[k]), y = std::log(t[k]);
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
    }
    return (m * sxy - sx * sy) / (m * sxx - sx * sx);
}

/// T_r / T_k of one 4G evaluation's electrostatic work: per stored real-space entry, and per (atom,
/// half-sphere k), the time of building the operator (cache_real_space, phases), n_products products C u
/// and one add_gradient, from operators with only the real-space or only the reciprocal part. Also the
/// ratio of the products alone.
void cost_ratio(const hdnnp::Potential4G<>& pot, const std::vector<hdnnp::Structure>& cells, int n_products) {
    std::printf("\nCost ratio T_r/T_k (one thread; per evaluation: operator setup + %d products + gradient):\n"
                "%8s %10s %8s %14s %14s %10s %14s\n",
                n_products, "atoms", "entries", "n_k", "T_r [ns]", "T_k [ns]", "T_r/T_k", "products only");
    for (const auto& s : cells) {
        const std::vector<int> el = pot.element_indices(s);
        const hdnnp::EwaldParameters p = pot.ewald_parameters_for(s, hdnnp::EwaldBalance::matrix_free);
        hdnnp::EwaldParameters real_only = p, recip_only = p, none = p;
        real_only.kspace_cutoff = 1e-6;
        recip_only.real_cutoff = 1e-6;
        none.kspace_cutoff = 1e-6;
        none.real_cutoff = 1e-6;
        const std::size_t n = s.size();
        std::vector<double> u(n), y(n), out(n);
        for (std::size_t i = 0; i < n; ++i) {
            u[i] = std::sin(0.1 * double(i));
            y[i] = std::cos(0.3 * double(i));
        }
        struct Cost { double total, products; std::size_t entries, nk; };
        auto measure = [&](const hdnnp::EwaldParameters& q) {
            Cost c{1e300, 1e300, 0, 0};
            for (int r = 0; r < 3; ++r) {
                const auto t0 = Clock::now();
                hdnnp::GaussianCoulomb op = pot.coulomb(s, el, &q);
                op.cache_real_space();
                const std::vector<double> d = op.diagonal();
                const auto t1 = Clock::now();
                for (int k = 0; k < n_products; ++k) op.apply(u.data(), out.data());
                const double tp = seconds_since(t1);
                std::vector<hdnnp::Vec3> g(n, hdnnp::Vec3{0, 0, 0});
                hdnnp::Mat3 w{};
                op.add_gradient(u.data(), y.data(), g.data(), w);
                c.total = std::min(c.total, seconds_since(t0));
                c.products = std::min(c.products, tp);
                c.entries = op.real_space_entries();
                c.nk = op.kvectors().size();
                (void)d;
            }
            return c;
        };
        const Cost cr = measure(real_only), ck = measure(recip_only), c0 = measure(none);
        const double tr = (cr.total - c0.total) / double(cr.entries), tk = (ck.total - c0.total) / (double(n) * double(ck.nk));
        const double pr = (cr.products - c0.products) / double(cr.entries);
        const double pk = (ck.products - c0.products) / (double(n) * double(ck.nk));
        std::printf("%8zu %10zu %8zu %14.2f %14.2f %10.3f %14.3f\n", n, cr.entries, ck.nk, tr * 1e9, tk * 1e9, tr / tk, pr / pk);
    }
}

/// Full CG evaluations with the matrix-free balance at several cost ratios (the optimum validates
/// kMatrixFreeCostRatio).
void scan_ratio(const hdnnp::Potential4G<>& pot, const std::vector<hdnnp::Structure>& cells, double tol, int reps) {
    const double ratios[] = {0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0};
    std::printf("\nCG charges + energy + forces [s] against the cost ratio of the matrix-free Ewald balance:\n%8s", "atoms");
    for (double r : ratios) std::printf(" %6.2f (setup+solve/forces/n_k)", r);
    std::printf("\n");
    for (const auto& s : cells) {
        std::printf("%8zu", s.size());
        for (double r : ratios) {
            hdnnp::EwaldSettings es = pot.model().electrostatics.ewald;
            es.balance = hdnnp::EwaldBalance::matrix_free;
            es.cost_ratio = r;
            const hdnnp::EwaldParameters p = hdnnp::ewald_parameters(es, s.volume(), s.size(),
                                                                     pot.model().electrostatics.four_pi_epsilon,
                                                                     pot.model().max_gauss_width());
            hdnnp::ComputeOptions4G cg;
            cg.solver = hdnnp::QeqSolverKind::cg;
            cg.cg_tolerance = tol;
            cg.ewald = &p;
            hdnnp::Result4G res;
            const double best = best_of(reps, [&] { res = pot.compute(s, cg); });
            std::printf(" %6.3f (%5.3f/%5.3f/%zu k)", best, res.time_matrix + res.time_solve, res.time_forces, res.n_kvectors);
            std::fflush(stdout);
        }
        std::printf("\n");
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::string json;
    int reps = 3;
    std::size_t min_atoms = 0, max_atoms = 12288, dense_max = 6144, n2p2_max = 3072;
    double tol = 1e-8, jitter = 0.05, long_wave_ratio = hdnnp::ComputeOptions4G{}.cg_long_wave_ratio;
    bool measure_ratio = false, scan = false, jacobi = true, gen2 = true;
    for (int k = 1; k < argc; ++k) {
        const std::string a = argv[k];
        if (a == "--json" && k + 1 < argc) json = argv[++k];
        else if (a == "--reps" && k + 1 < argc) reps = std::atoi(argv[++k]);
        else if (a == "--max-atoms" && k + 1 < argc) max_atoms = std::strtoul(argv[++k], nullptr, 10);
        else if (a == "--min-atoms" && k + 1 < argc) min_atoms = std::strtoul(argv[++k], nullptr, 10);
        else if (a == "--dense-max" && k + 1 < argc) dense_max = std::strtoul(argv[++k], nullptr, 10);
        else if (a == "--n2p2-max" && k + 1 < argc) n2p2_max = std::strtoul(argv[++k], nullptr, 10);
        else if (a == "--tol" && k + 1 < argc) tol = std::atof(argv[++k]);
        else if (a == "--jitter" && k + 1 < argc) jitter = std::atof(argv[++k]);
        else if (a == "--long-wave-ratio" && k + 1 < argc) long_wave_ratio = std::atof(argv[++k]);
        else if (a == "--no-jacobi") jacobi = false;
        else if (a == "--no-2g") gen2 = false;
        else if (a == "--cost-ratio") measure_ratio = true;
        else if (a == "--scan-ratio") scan = true;
        else {
            std::fprintf(stderr,
                         "usage: bench_4g_scaling [--json FILE] [--reps N] [--min-atoms N] [--max-atoms N] [--dense-max N] [--n2p2-max N] "
                         "[--tol T] [--jitter D] [--long-wave-ratio R] [--no-jacobi] [--no-2g] [--cost-ratio] [--scan-ratio]\n");
            return 2;
        }
    }
#ifdef _OPENMP
    omp_set_num_threads(1);
#endif
    const std::string dir = std::string(HDNNP_REFERENCE_DIR) + "/predict/H2O_RPBE-D3_4G";
    const auto pot = hdnnp::Potential4G<>::load(dir);
    const hdnnp::Structure base = hdnnp::io::read_input_data(dir + "/input.data").at(0);
    const int reps_of[6][3] = {{1, 1, 1}, {2, 1, 1}, {2, 2, 1}, {2, 2, 2}, {4, 2, 2}, {4, 4, 2}};
    std::vector<hdnnp::Structure> cells;
    for (const auto& m : reps_of) {
        if (base.size() * std::size_t(m[0] * m[1] * m[2]) > max_atoms) break;
        if (base.size() * std::size_t(m[0] * m[1] * m[2]) < min_atoms) continue;
        cells.push_back(hdnnp::supercell(base, m[0], m[1], m[2]));
        // Exact replicas make -chi periodic in the small cell, so CG from zero would converge as fast as
        // for 384 atoms; displacing every atom breaks that (as in a real MD snapshot).
        std::mt19937 rng(1234);
        std::uniform_real_distribution<double> u(-jitter, jitter);
        for (auto& p : cells.back().positions) p = p + hdnnp::Vec3{u(rng), u(rng), u(rng)};
    }
    std::printf("H2O_RPBE-D3_4G supercells of the %zu-atom cell, atoms displaced by up to %.3g bohr, one thread, charges +\n"
                "energy + forces; CG tolerance %.0e; Ewald: model settings (Kolafa-Perram, eps_F 1e-5 Ha/bohr) balanced for\n"
                "matrix-free products (dense and CG alike)\n",
                base.size(), jitter, tol);
    if (measure_ratio || scan) {
        if (measure_ratio) cost_ratio(pot, cells, 16);
        if (scan) scan_ratio(pot, cells, tol, reps);
        return 0;
    }

    std::vector<Row> rows;
    for (const auto& s : cells) {
        Row row;
        row.atoms = s.size();
        hdnnp::ComputeOptions4G cg;
        cg.solver = hdnnp::QeqSolverKind::cg;
        cg.cg_tolerance = tol;
        cg.ewald_balance = hdnnp::EwaldBalance::matrix_free;
        cg.cg_long_wave_ratio = long_wave_ratio;
        // MD-like second call: every atom displaced by up to 0.01 bohr, warm start from the first call.
        hdnnp::Structure moved = s;
        std::mt19937 rng(17);
        std::uniform_real_distribution<double> u(-0.01, 0.01);
        for (auto& p : moved.positions) p = p + hdnnp::Vec3{u(rng), u(rng), u(rng)};
        struct Calls { hdnnp::Result4G cold, warm; double t_cold, t_warm; };
        auto cold_and_warm = [&](const hdnnp::ComputeOptions4G& o) {
            Calls c;
            c.t_cold = best_of(reps, [&] { c.cold = pot.compute(s, o); });
            hdnnp::ComputeOptions4G w = o;
            w.initial_charges = &c.cold.charges;
            w.initial_adjoint = &c.cold.adjoint;
            c.t_warm = best_of(reps, [&] { c.warm = pot.compute(moved, w); });
            return c;
        };
        pot.compute(s, cg);  // warm-up (page faults, caches)
        const Calls lw = cold_and_warm(cg);
        const hdnnp::Result4G& rc = lw.cold;
        row.t_cg = lw.t_cold;
        row.nk = rc.n_kvectors;
        row.eta = rc.ewald.eta;
        row.rc = rc.ewald.real_cutoff;
        row.kc = rc.ewald.kspace_cutoff;
        row.cg_iter = rc.qeq_stats.iterations;
        row.adj_iter = rc.adjoint_stats.iterations;
        row.t_desc = rc.time_descriptors;
        row.t_setup = rc.time_matrix;
        row.t_solve = rc.time_solve;
        row.t_forces = rc.time_forces;
        row.waves = rc.cg_long_waves;

        row.t_warm = lw.t_warm;
        row.warm_iter = lw.warm.qeq_stats.iterations;
        row.warm_adj_iter = lw.warm.adjoint_stats.iterations;

        if (jacobi) {  // the same two calls with the Jacobi preconditioner
            hdnnp::ComputeOptions4G cj = cg;
            cj.cg_preconditioner = hdnnp::QeqPreconditioner::jacobi;
            const Calls jc = cold_and_warm(cj);
            const hdnnp::Result4G& rj = jc.cold;
            row.t_jac = jc.t_cold;
            row.jac_iter = rj.qeq_stats.iterations;
            row.jac_adj_iter = rj.adjoint_stats.iterations;
            row.t_jac_setup = rj.time_matrix;
            row.t_jac_solve = rj.time_solve;
            row.dq_jac = max_charge_diff(rc, rj);
            row.df_jac = max_force_diff(rc, rj);
            row.t_jac_warm = jc.t_warm;
            row.jac_warm_iter = jc.warm.qeq_stats.iterations;
            row.jac_warm_adj_iter = jc.warm.adjoint_stats.iterations;
        }

        if (s.size() <= dense_max) {
            hdnnp::ComputeOptions4G dense = cg;
            dense.solver = hdnnp::QeqSolverKind::dense;
            hdnnp::Result4G rd;
            row.t_dense = best_of(s.size() <= 3072 ? reps : 1, [&] { rd = pot.compute(s, dense); });
            row.df = max_force_diff(rc, rd);
            row.dq = max_charge_diff(rc, rd);
            row.de = std::abs(rc.energy - rd.energy);
        } else {
            row.dense_note = "skipped: O(N^2) memory (" + std::to_string(s.size() * s.size() * 8 / 1000000) +
                             " MB) and O(N^3) time, --dense-max " + std::to_string(dense_max);
        }
        if (s.size() <= n2p2_max) {
            hdnnp::ComputeOptions4G n2 = cg;
            n2.ewald_balance = hdnnp::EwaldBalance::n2p2;
            hdnnp::Result4G rn;
            row.t_cg_n2p2 = best_of(s.size() <= 1536 ? reps : 1, [&] { rn = pot.compute(s, n2); });
            row.nk_n2p2 = rn.n_kvectors;
            row.eta_n2p2 = rn.ewald.eta;
            row.rc_n2p2 = rn.ewald.real_cutoff;
        }
        rows.push_back(row);
        std::printf("  %zu atoms done (CG %.3f s)\n", row.atoms, row.t_cg);
        std::fflush(stdout);
    }

    std::printf("\n%6s %5s %6s %6s %7s %9s %9s %9s %9s %9s %10s %10s %10s\n", "atoms", "n_k", "r_c", "eta", "k_c", "CG it",
                "warm it", "dense s", "CG s", "warm s", "max|dF|", "max|dQ|", "n2p2-CG s");
    for (const auto& r : rows) {
        char its[32], wits[32], dense[32], df[32], dq[32], n2[32];
        std::snprintf(its, sizeof its, "%zu+%zu", r.cg_iter, r.adj_iter);
        std::snprintf(wits, sizeof wits, "%zu+%zu", r.warm_iter, r.warm_adj_iter);
        if (r.t_dense >= 0) std::snprintf(dense, sizeof dense, "%.3f", r.t_dense); else std::snprintf(dense, sizeof dense, "-");
        if (r.df >= 0) std::snprintf(df, sizeof df, "%.2e", r.df); else std::snprintf(df, sizeof df, "-");
        if (r.dq >= 0) std::snprintf(dq, sizeof dq, "%.2e", r.dq); else std::snprintf(dq, sizeof dq, "-");
        if (r.t_cg_n2p2 >= 0) std::snprintf(n2, sizeof n2, "%.3f", r.t_cg_n2p2); else std::snprintf(n2, sizeof n2, "-");
        std::printf("%6zu %5zu %6.2f %6.3f %7.4f %9s %9s %9s %9.3f %9.3f %10s %10s %10s\n", r.atoms, r.nk, r.rc, r.eta, r.kc, its,
                    wits, dense, r.t_cg, r.t_warm, df, dq, n2);
    }
    std::printf("\nPreconditioners (CG): long-wave (k-vectors kept) against Jacobi, iterations Q + y cold and warm, seconds;\n"
                "max|dQ|, max|dF| between the two [e, Ha/bohr]\n%6s %7s %9s %9s %9s %9s %9s %9s %9s %9s %10s %10s\n",
                "atoms", "waves", "LW it", "J it", "LW warm", "J warm", "LW s", "J s", "LW wrm s", "J wrm s", "max|dQ|",
                "max|dF|");
    for (const auto& r : rows) {
        if (r.t_jac < 0) continue;
        char a[32], b[32], c[32], d[32];
        std::snprintf(a, sizeof a, "%zu+%zu", r.cg_iter, r.adj_iter);
        std::snprintf(b, sizeof b, "%zu+%zu", r.jac_iter, r.jac_adj_iter);
        std::snprintf(c, sizeof c, "%zu+%zu", r.warm_iter, r.warm_adj_iter);
        std::snprintf(d, sizeof d, "%zu+%zu", r.jac_warm_iter, r.jac_warm_adj_iter);
        std::printf("%6zu %7zu %9s %9s %9s %9s %9.3f %9.3f %9.3f %9.3f %10.2e %10.2e\n", r.atoms, r.waves, a, b, c, d, r.t_cg,
                    r.t_jac, r.t_warm, r.t_jac_warm, r.dq_jac, r.df_jac);
    }
    std::printf("\nCG time split (s): descriptors+chi / operator setup / charge solve / networks+adjoint+forces"
                " (Jacobi: setup / solve)\n");
    for (const auto& r : rows)
        std::printf("%6zu  %.3f / %.3f / %.3f / %.3f   (%.3f / %.3f)\n", r.atoms, r.t_desc, r.t_setup, r.t_solve, r.t_forces,
                    r.t_jac_setup, r.t_jac_solve);
    for (const auto& r : rows)
        if (!r.dense_note.empty()) std::printf("dense %zu atoms %s\n", r.atoms, r.dense_note.c_str());
    for (const auto& r : rows)
        if (r.t_cg_n2p2 >= 0)
            std::printf("n2p2's Ewald parameters, %zu atoms: eta %.3f r_c %.2f n_k %zu\n", r.atoms, r.eta_n2p2, r.rc_n2p2, r.nk_n2p2);
    double exponent = 0.0, exponent_fit = 0.0;
    if (rows.size() >= 2) {
        std::vector<double> n, t;
        for (const auto& r : rows) {
            n.push_back(double(r.atoms));
            t.push_back(r.t_cg);
        }
        exponent = std::log(t.back() / t.front()) / std::log(n.back() / n.front());
        exponent_fit = fit_exponent(n, t);
        std::printf("\nCG time grows as N^%.3f between %zu and %zu atoms (least squares over all sizes: N^%.3f)\n", exponent,
                    rows.front().atoms, rows.back().atoms, exponent_fit);
    }
    // 2G water of similar sizes (same displacement), for the per-atom ratio 4G / 2G.
    struct Row2 { std::size_t atoms; double t; };
    std::vector<Row2> rows2;
    if (gen2) {
        const std::string dir2 = std::string(HDNNP_REFERENCE_DIR) + "/predict/H2O_RPBE-D3";
        const auto pot2 = hdnnp::Potential<>::load(dir2);
        const hdnnp::Structure base2 = hdnnp::io::read_input_data(dir2 + "/input.data").at(0);
        const int reps2[5][3] = {{1, 1, 1}, {2, 1, 1}, {2, 2, 1}, {2, 2, 2}, {3, 2, 2}};
        std::printf("\n2G water (H2O_RPBE-D3, %zu-atom cell replicated), energy + forces, per atom against 4G (long-wave CG) "
                    "at the nearest size:\n%8s %9s %10s %8s %10s %8s\n", base2.size(), "atoms", "2G s", "2G us/at", "4G at",
                    "4G us/at", "4G/2G");
        for (const auto& m : reps2) {
            const std::size_t na = base2.size() * std::size_t(m[0] * m[1] * m[2]);
            if (na > max_atoms + max_atoms / 2 || na < min_atoms / 2) continue;
            hdnnp::Structure s2 = hdnnp::supercell(base2, m[0], m[1], m[2]);
            std::mt19937 rng(1234);
            std::uniform_real_distribution<double> u(-jitter, jitter);
            for (auto& p : s2.positions) p = p + hdnnp::Vec3{u(rng), u(rng), u(rng)};
            pot2.compute(s2);
            const double t2 = best_of(reps, [&] { pot2.compute(s2); });
            rows2.push_back({na, t2});
            const Row* near = nullptr;
            for (const auto& r : rows)
                if (!near || std::abs(std::log(double(r.atoms) / double(na))) < std::abs(std::log(double(near->atoms) / double(na))))
                    near = &r;
            if (near)
                std::printf("%8zu %9.3f %10.1f %8zu %10.1f %8.2f\n", na, t2, 1e6 * t2 / double(na), near->atoms,
                            1e6 * near->t_cg / double(near->atoms), (near->t_cg / double(near->atoms)) / (t2 / double(na)));
            std::fflush(stdout);
        }
    }
    if (!json.empty()) {
        std::ofstream o(json);
        o << "{\n  \"benchmark\": \"bench_4g_scaling\",\n  \"model\": \"H2O_RPBE-D3_4G\",\n  \"threads\": 1,\n"
          << "  \"quantity\": \"charges+energy+forces wall time [s], best of " << reps << "\",\n"
          << "  \"cg_tolerance\": " << tol << ",\n  \"ewald_balance\": \"matrix_free\",\n"
          << "  \"cg_preconditioner\": \"long_wave (cg_*, warm_*); jacobi (jacobi_*)\",\n  \"long_wave_ratio\": " << long_wave_ratio
          << ",\n"
          << "  \"growth_exponent\": " << exponent << ",\n  \"growth_exponent_lsq\": " << exponent_fit << ",\n  \"results\": [\n";
        for (std::size_t k = 0; k < rows.size(); ++k) {
            const Row& r = rows[k];
            o << "    {\"atoms\": " << r.atoms << ", \"n_k\": " << r.nk << ", \"r_c\": " << r.rc << ", \"eta\": " << r.eta
              << ", \"k_c\": " << r.kc << ", \"cg_iterations\": " << r.cg_iter << ", \"adjoint_iterations\": " << r.adj_iter
              << ", \"warm_iterations\": " << r.warm_iter << ", \"warm_adjoint_iterations\": " << r.warm_adj_iter
              << ", \"cg_s\": " << r.t_cg << ", \"warm_cg_s\": " << r.t_warm << ", \"dense_s\": ";
            if (r.t_dense >= 0) o << r.t_dense; else o << "null";
            o << ", \"max_abs_dF\": ";
            if (r.df >= 0) o << r.df; else o << "null";
            o << ", \"max_abs_dQ\": ";
            if (r.dq >= 0) o << r.dq; else o << "null";
            o << ", \"cg_n2p2_ewald_s\": ";
            if (r.t_cg_n2p2 >= 0) o << r.t_cg_n2p2; else o << "null";
            o << ", \"long_wave_kvectors\": " << r.waves;
            if (r.t_jac >= 0)
                o << ", \"jacobi_iterations\": " << r.jac_iter << ", \"jacobi_adjoint_iterations\": " << r.jac_adj_iter
                  << ", \"jacobi_warm_iterations\": " << r.jac_warm_iter << ", \"jacobi_warm_adjoint_iterations\": "
                  << r.jac_warm_adj_iter << ", \"jacobi_cg_s\": " << r.t_jac << ", \"jacobi_warm_cg_s\": " << r.t_jac_warm
                  << ", \"max_abs_dQ_vs_jacobi\": " << r.dq_jac << ", \"max_abs_dF_vs_jacobi\": " << r.df_jac;
            o << ", \"setup_s\": " << r.t_setup << ", \"solve_s\": " << r.t_solve;
            o << "}" << (k + 1 < rows.size() ? "," : "") << "\n";
        }
        o << "  ],\n  \"water_2g\": [";
        for (std::size_t k = 0; k < rows2.size(); ++k)
            o << (k ? ", " : "") << "{\"atoms\": " << rows2[k].atoms << ", \"s\": " << rows2[k].t << "}";
        o << "]\n}\n";
    }
    return 0;
}
