// hdnnp: the fourth-generation HDNNP (4G-HDNNP, Ko et al., Nat. Commun. 12, 398 (2021)) as n2p2 defines it.
//
//   auto pot = hdnnp::Potential4G<>::load("path/to/n2p2/4G/model");
//   hdnnp::Result4G r = pot.compute(structure);        // energy, forces, charges, (stress for cells)
//
// Energy (units of the model's data; k_e = 1/four_pi_epsilon; chi, J, sigma: see core/model.hpp):
//   1. chi_i = NN^chi_{e(i)}(x_i) conv_charge / conv_energy,  x_i = scaled symmetry functions of atom i
//   2. charge equilibration:  minimise chi^T Q + 1/2 Q^T A Q  subject to sum_i Q_i = Q_tot
//      (structure.total_charge), A = C + diag(J), C the Gaussian-charge Coulomb matrix (non-periodic:
//      erf kernel; periodic: Ewald sum, by default with n2p2's parameter choice), see electrostatics/coulomb.hpp:
//          [A 1; 1^T 0] [Q; lambda] = [-chi; Q_tot]
//   3. E = sum_i NN^short_{e(i)}(x_i, Q_i conv_charge) / conv_energy + E_elec + N mean_energy + sum_i atom_energy
//      E_elec = 1/2 Q^T C Q - k_e sum_i Q_i^2/(2 sigma_i sqrt(pi)) + E_screen   (n2p2's convention)
// Forces by the adjoint method (no dQ/dR is ever formed): with g = dE/dQ at fixed positions, one more
// solve with the same factorised operator gives y:  [A 1; 1^T 0] [y; mu] = [-g; 0], and
//   F_i = -dE/dR_i|_Q - sum_j y_j [(dA/dR_i Q)_j + dchi_j/dR_i].
// The chi term and the short-range term share one backpropagation per atom (weights
// dE_i^short/dx_i + y_i dchi_i/dx_i through ElementDescriptors::gradient); y^T (dA/dR) Q and
// dE_elec/dR|_Q are pair loops (real space) and structure-factor sums (reciprocal space).
// Stress (periodic cells): -W/V with the virial of all of these terms at fixed Ewald parameters
// (n2p2 recomputes eta and the cutoffs whenever the volume changes; n2p2 itself has no 4G stress).
//
// Solvers (ComputeOptions4G::solver), one interface:
//   dense      null-space Cholesky, factorised once and reused for the adjoint: O(N^2) memory, O(N^3) time;
//              exact to round-off. For a few hundred atoms (CG is faster from ~400 water atoms on).
//   cg         matrix-free projected CG with a Jacobi preconditioner (electrostatics/qeq_solver.hpp) on
//              C u = real space (cell list, cached sparse rows) + Ewald structure factors; warm starts
//              from initial_charges / initial_adjoint (the previous MD step). Combine it with
//              ewald_balance = EwaldBalance::matrix_free (electrostatics/ewald.hpp) for O(N^1.5) per
//              product; n2p2's Ewald parameters (the default) make every product O(N^2).
//   automatic  dense up to dense_max_atoms atoms, cg beyond.
// Periodic structures must be neutral (|Q_tot| <= 1e-10), as n2p2 requires.
//
// CG tolerance and force error. Both solves stop at |r| <= tol |b| (residuals and right-hand sides
// projected onto sum = 0). The charge error is then dQ = A^-1 r with |dQ| <= tol |b| / lambda_min(A)
// (lambda_min on the neutral subspace, >= min J), likewise dy for the adjoint. The energy is not
// stationary in Q (E_short depends on Q, E_elec is not the Qeq energy), so its error is first order:
// dE = (dE/dQ) . dQ = -y . r_Q. The force formula assumes exact Q and y; every term of it is smooth in
// (Q, y), so the force error is first order as well: max|dF| <= c tol, with c set by the model and the
// structure, not by N. Measured (tests/electrostatics/cg_tolerance_test.cpp, H2O_RPBE-D3_4G, 384 atoms,
// Ha/bohr, CG from zero charges): max|F_cg - F_dense| / tol = 0.022, 0.005, 0.010, 0.001 for
// tol = 1e-4, 1e-6, 1e-8, 1e-10 (1-7 iterations per solve; the test asserts <= 0.1 tol and a monotone
// decrease); the 1e-12 default is at the round-off level of the dense solver (~1e-14). Such an error
// also breaks energy conservation in MD in proportion: pick tol so that c tol is well below the force
// accuracy wanted (tol = 1e-8 gives ~1e-10 Ha/bohr here, far below the Ewald error of eps_F = 1e-5).
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "hdnnp/core/atom_pass.hpp"
#include "hdnnp/core/error.hpp"
#include "hdnnp/core/model.hpp"
#include "hdnnp/core/result.hpp"
#include "hdnnp/core/structure.hpp"
#include "hdnnp/descriptors/families.hpp"
#include "hdnnp/descriptors/neighborhood.hpp"
#include "hdnnp/electrostatics/coulomb.hpp"
#include "hdnnp/electrostatics/ewald.hpp"
#include "hdnnp/electrostatics/qeq_solver.hpp"
#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/neighbors/neighbor_list.hpp"
#include "hdnnp/networks/network.hpp"

namespace hdnnp {

enum class QeqSolverKind { dense, cg, automatic };

/// What to compute, and how (adds the 4G choices to ComputeOptions).
struct ComputeOptions4G : ComputeOptions {
    QeqSolverKind solver = QeqSolverKind::dense;
    std::size_t dense_max_atoms = 512;      ///< automatic: the dense solver up to this many atoms, CG beyond
    /// Periodic, without `ewald`: what the model's Ewald width balances. n2p2 (default) reproduces n2p2;
    /// matrix_free gives O(N^1.5) CG products (same accuracy target, other eta, r_c, k_c).
    EwaldBalance ewald_balance = EwaldBalance::n2p2;
    double cg_tolerance = 1e-12;            ///< CG: relative residual on the neutral subspace
    std::size_t cg_max_iterations = 10000;  ///< CG: iteration limit (an Error when reached)
    const std::vector<double>* initial_charges = nullptr;  ///< CG warm start, shape (N) [e] (e.g. the previous step)
    const std::vector<double>* initial_adjoint = nullptr;  ///< CG warm start of the adjoint y, shape (N)
    const EwaldParameters* ewald = nullptr;  ///< periodic: use these instead of the model's parameter choice
    /// Weight of an atom's pair with each of its own periodic images in E_screen: 1 as in n2p2 (both n and
    /// -n count fully), 0.5 for the pair-counting value. Matters only if a lattice vector is shorter than r_out.
    double screening_self_image_weight = 1.0;
};

/// Result of a 4G evaluation: the 2G fields plus the electrostatics.
struct Result4G : Result {
    std::vector<double> charges;             ///< shape (N): Q [e]
    std::vector<double> electronegativities; ///< shape (N): chi [energy/e]
    std::vector<double> adjoint;             ///< shape (N): y of the force calculation (empty without forces)
    double short_energy = 0.0;               ///< sum_i NN^short_i / conv_energy [energy]
    double electrostatic_energy = 0.0;       ///< E_elec [energy]
    double lambda = 0.0;                     ///< Lagrange multiplier of the charge constraint [energy/e]
    EwaldParameters ewald;                   ///< parameters used (periodic)
    std::size_t n_kvectors = 0;              ///< half-sphere k-vectors used (periodic)
    CGStats qeq_stats, adjoint_stats;        ///< CG solver statistics
    QeqSolverKind solver_used = QeqSolverKind::dense;  ///< dense or cg (what `automatic` picked)
    /// Wall-clock seconds: descriptors and chi; Coulomb matrix (dense) or setup (CG); factorisation and
    /// charge solve; short networks, adjoint solve and forces.
    double time_descriptors = 0.0, time_matrix = 0.0, time_solve = 0.0, time_forces = 0.0;
};

template <class CutoffPolicy = AnyCutoff, class Fam = AllFamilies> class Potential4G {
public:
    Potential4G() = default;
    explicit Potential4G(Model model) : model_(std::move(model)) {
        if (model_.generation != Generation::fourth)
            throw Error("model " + model_.directory + " is not a 4G-HDNNP (use hdnnp::Potential for 2G models)");
        if constexpr (!std::is_same_v<CutoffPolicy, AnyCutoff>) {
            if (model_.cutoff_type != CutoffPolicy::id)
                throw Error("model " + model_.directory + " uses cutoff_type " + std::to_string(model_.cutoff_type) +
                            " but this potential was compiled for cutoff_type " + std::to_string(CutoffPolicy::id));
        }
        for (const auto& e : model_.elements) {
            if (!e.descriptors.template uses_only<Fam>())
                throw Error("model " + model_.directory + ": element " + e.symbol +
                            " uses a symmetry-function family this potential was not compiled for");
            if (e.network.n_inputs() != e.descriptors.size() + 1 || e.electronegativity.n_inputs() != e.descriptors.size())
                throw Error("model " + model_.directory + ": element " + e.symbol + " has networks of the wrong input width for 4G");
        }
        for (const auto& e : model_.elements) {
            z_.push_back(static_cast<double>(e.atomic_number));
            sigma_.push_back(e.gauss_width);
            hardness_.push_back(e.hardness);
        }
    }
    /// Loads an n2p2 4G model directory (see io::load_n2p2_model).
    static Potential4G load(const std::string& dir) { return Potential4G(io::load_n2p2_model(dir)); }

    const Model& model() const { return model_; }
    /// The neighbour-list cutoff of the symmetry functions [length].
    double cutoff() const { return model_.cutoff_radius(); }

    /// Element index of every atom (shape (N)); throws StructureError for elements the model lacks.
    std::vector<int> element_indices(const Structure& s) const { return model_.element_indices(s); }

    /// The Ewald parameters of the model's settings for a periodic structure: those n2p2 would use, or
    /// (EwaldBalance::matrix_free) those balanced for matrix-free products, with the same accuracy target.
    EwaldParameters ewald_parameters_for(const Structure& s, EwaldBalance balance = EwaldBalance::n2p2) const {
        EwaldSettings es = model_.electrostatics.ewald;
        es.balance = balance;
        return ewald_parameters(es, s.volume(), s.size(), model_.electrostatics.four_pi_epsilon, model_.max_gauss_width());
    }

    /// The Coulomb operator C of a structure with this model's widths and Ewald choice.
    GaussianCoulomb coulomb(const Structure& s, const std::vector<int>& el, const EwaldParameters* ewald = nullptr,
                            EwaldBalance balance = EwaldBalance::n2p2) const {
        const double ke = 1.0 / model_.electrostatics.four_pi_epsilon;
        if (!s.periodic) return GaussianCoulomb(s.positions, el, sigma_, ke);
        const EwaldParameters p = ewald ? *ewald : ewald_parameters_for(s, balance);
        return GaussianCoulomb(s.positions, el, sigma_, ke, s.lattice, p);
    }

    /// Energy, charges (and forces, virial, stress) of a structure.
    Result4G compute(const Structure& s, const ComputeOptions4G& opt = {}) const {
        validate(s);
        const std::vector<int> el = element_indices(s);
        if (s.periodic && std::abs(s.total_charge) > 1e-10)
            throw StructureError("periodic structure has total charge " + std::to_string(s.total_charge) +
                                 "; 4G-HDNNP periodic structures must be neutral (as in n2p2)");
        const NeighborList nl = build_neighbor_list(s, cutoff());
        return detail::with_cutoff<CutoffPolicy>(model_, [&](auto c) { return dispatch<decltype(c)>(s, el, nl, opt); });
    }

private:
    struct Workspace {
        Neighborhood nb;
        NeighborGradient grad;
        DescriptorScratch scratch;
        NetworkWorkspace net;
        std::vector<double> G, xin, dx, w;
    };

    static int threads() {
#ifdef _OPENMP
        return omp_get_max_threads();
#else
        return 1;
#endif
    }
    static int thread_id() {
#ifdef _OPENMP
        return omp_get_thread_num();
#else
        return 0;
#endif
    }
    static double now() {
        return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    }

    template <class Cutoff>
    Result4G dispatch(const Structure& s, const std::vector<int>& el, const NeighborList& nl, const ComputeOptions4G& opt) const {
        return opt.simd ? run<Cutoff, simd::Batch>(s, el, nl, opt) : run<Cutoff, double>(s, el, nl, opt);
    }

    template <class Cutoff, class V>
    Result4G run(const Structure& s, const std::vector<int>& el, const NeighborList& nl, const ComputeOptions4G& opt) const {
        const std::size_t n = s.size();
        Result4G res;
        double t0 = now();
        res.atomic_energies.assign(n, 0.0);
        res.charges.assign(n, 0.0);
        res.electronegativities.assign(n, 0.0);
        if (opt.keep_descriptors) {
            res.descriptors_raw.resize(n);
            res.descriptors_scaled.resize(n);
        }
        const double rc = cutoff();
        const double ce = model_.conv_energy, cq = model_.conv_charge;
        const double chi_unit = cq / ce;  // chi = NN output * chi_unit
        // per-atom storage: scaled functions and dchi/dx, offsets by element size
        std::vector<std::size_t> off(n + 1, 0);
        for (std::size_t i = 0; i < n; ++i) off[i + 1] = off[i] + model_.elements[static_cast<std::size_t>(el[i])].descriptors.size();
        std::vector<double> X(off[n]), dchi(opt.forces ? off[n] : 0), dEs(opt.forces ? off[n] : 0);
        const int nt = threads();
        const std::int64_t nn = static_cast<std::int64_t>(n);

        // Pass 1: symmetry functions, scaling, electronegativities (and dchi/dx).
        detail::descriptor_pass<Cutoff, Fam, V>(
            model_, el, z_, nl, rc, off, X.data(), opt, res,
            [&](std::size_t i, const ElementModel& em, const double* x, NetworkWorkspace& net) {
                res.electronegativities[i] = em.electronegativity.forward(x, net) * chi_unit;
                if (opt.forces) {
                    const std::size_t ns = em.descriptors.size();
                    em.electronegativity.backward(net, &dchi[off[i]]);
                    for (std::size_t k = 0; k < ns; ++k) dchi[off[i] + k] *= chi_unit;
                }
            });
        double t1 = now();
        res.time_descriptors = t1 - t0;

        // Charge equilibration.
        GaussianCoulomb op = coulomb(s, el, opt.ewald, opt.ewald_balance);
        const bool use_dense = opt.solver == QeqSolverKind::dense ||
                               (opt.solver == QeqSolverKind::automatic && n <= opt.dense_max_atoms);
        res.solver_used = use_dense ? QeqSolverKind::dense : QeqSolverKind::cg;
        res.ewald = op.ewald();
        res.n_kvectors = op.kvectors().size();
        std::vector<double> J(n);
        for (std::size_t i = 0; i < n; ++i) J[i] = hardness_[static_cast<std::size_t>(el[i])];
        std::vector<double> b(n), CQ(n);
        for (std::size_t i = 0; i < n; ++i) b[i] = -res.electronegativities[i];
        DenseQeqSolver dense;
        ProjectedCGSolver cg;
        if (use_dense) {
            std::vector<double> A(n * n);
            op.dense(A.data());
            for (std::size_t i = 0; i < n; ++i) A[i * n + i] += J[i];
            t0 = now();
            res.time_matrix = t0 - t1;
            dense.factorize(std::move(A), n);
            dense.solve(b.data(), s.total_charge, res.charges.data(), res.lambda);
            // C Q = A Q - J Q = -chi - lambda - J Q at the solution
            for (std::size_t i = 0; i < n; ++i) CQ[i] = b[i] - res.lambda - J[i] * res.charges[i];
        } else {
            if (op.periodic()) op.cache_real_space();
            std::vector<double> diag = op.diagonal();
            for (std::size_t i = 0; i < n; ++i) diag[i] += J[i];
            cg = ProjectedCGSolver(
                [&op, &J](const double* u, double* out) {
                    op.apply(u, out);
                    for (std::size_t i = 0; i < J.size(); ++i) out[i] += J[i] * u[i];
                },
                std::move(diag), opt.cg_tolerance, opt.cg_max_iterations);
            t0 = now();
            res.time_matrix = t0 - t1;
            if (opt.initial_charges && opt.initial_charges->size() == n) res.charges = *opt.initial_charges;
            res.qeq_stats = cg.solve(b.data(), s.total_charge, res.charges.data(), res.lambda);
            op.apply(res.charges.data(), CQ.data());
        }
        t1 = now();
        res.time_solve = t1 - t0;

        // Electrostatic energy and its charge derivative at fixed positions.
        const double wself = opt.screening_self_image_weight;
        std::vector<double> dEdQ(n, 0.0);
        double e_elec = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            e_elec += 0.5 * res.charges[i] * CQ[i];
            dEdQ[i] = CQ[i];
        }
        e_elec += op.screening(model_.electrostatics.screening, wself, res.charges.data(), dEdQ.data(), nullptr, nullptr);
        res.electrostatic_energy = e_elec;

        // Pass 2: short-range networks with the charge as last input.
        std::vector<double> dEsdq(n, 0.0);
#pragma omp parallel num_threads(nt) if (nn >= 32)
        {
            Workspace ws;
#pragma omp for schedule(dynamic, 8)
            for (std::int64_t ii = 0; ii < nn; ++ii) {
                const std::size_t i = static_cast<std::size_t>(ii);
                const ElementModel& em = model_.elements[static_cast<std::size_t>(el[i])];
                const std::size_t ns = em.descriptors.size();
                ws.xin.assign(X.begin() + static_cast<std::ptrdiff_t>(off[i]), X.begin() + static_cast<std::ptrdiff_t>(off[i + 1]));
                ws.xin.push_back(res.charges[i] * cq);
                res.atomic_energies[i] = em.network.forward(ws.xin.data(), ws.net) / ce;
                if (!opt.forces) continue;
                ws.dx.resize(ns + 1);
                em.network.backward(ws.net, ws.dx.data());
                for (std::size_t k = 0; k < ns; ++k) dEs[off[i] + k] = ws.dx[k] / ce;
                dEsdq[i] = ws.dx[ns] * cq / ce;
            }
        }
        double e_short = 0.0, e_off = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            e_short += res.atomic_energies[i];
            e_off += model_.mean_energy + model_.elements[static_cast<std::size_t>(el[i])].atom_energy;
        }
        res.short_energy = e_short;
        res.energy = e_short + e_elec + e_off;
        if (!opt.forces) {
            res.time_forces = now() - t1;
            return res;
        }

        // Adjoint: [A 1; 1^T 0][y; mu] = [-dE/dQ; 0].
        std::vector<double> g(n);
        for (std::size_t i = 0; i < n; ++i) g[i] = -(dEdQ[i] + dEsdq[i]);
        res.adjoint.assign(n, 0.0);
        double mu = 0.0;
        if (use_dense) {
            dense.solve(g.data(), 0.0, res.adjoint.data(), mu);
        } else {
            if (opt.initial_adjoint && opt.initial_adjoint->size() == n) res.adjoint = *opt.initial_adjoint;
            res.adjoint_stats = cg.solve(g.data(), 0.0, res.adjoint.data(), mu);
        }
        const std::vector<double>& y = res.adjoint;

        // Pass 3: one backpropagation per atom with weights dE_short/dx + y dchi/dx.
        res.forces.assign(n, Vec3{0, 0, 0});
        detail::gradient_pass<Cutoff, Fam, V>(model_, el, z_, nl, rc,
                                              [&](std::size_t i, const ElementModel& em, double* w) {
                                                  const std::size_t ns = em.descriptors.size();
                                                  for (std::size_t k = 0; k < ns; ++k)
                                                      w[k] = dEs[off[i] + k] + y[i] * dchi[off[i] + k];
                                              },
                                              res.forces, res.virial);
        // Electrostatics at fixed charges: d/dR [1/2 Q^T C Q + y^T C Q] and the screening term.
        op.subtract_gradient(res.charges.data(), y.data(), model_.electrostatics.screening, wself, res.forces, res.virial);
        detail::stress_from_virial(s, res);
        res.time_forces = now() - t1;
        return res;
    }

    Model model_;
    std::vector<double> z_;         // atomic number per element index
    std::vector<double> sigma_;     // Gaussian width per element index
    std::vector<double> hardness_;  // J per element index
};

}  // namespace hdnnp
