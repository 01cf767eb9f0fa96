// hdnnp: the charge policies' evaluations: third generation (charge networks + Coulomb) and fourth
// generation (electronegativity networks + charge equilibration), after one shared pass that computes the
// raw symmetry functions of every atom. Units: those of the model's data; k_e = 1/four_pi_epsilon.
//
// 3G (Artrith, Morawietz, Behler, PRB 83, 153101 (2011); Morawietz, Sharma, Behler, JCP 136, 064103 (2012)):
//   1. x_i = scaled symmetry functions of atom i; raw charge q_i = NN^q_{e(i)}(x_i) / conv_charge [e]
//   2. charges Q that honour the total charge Q_tot (`total_charge_scheme`):
//        uniform (default)  Q_i = q_i - (sum_j q_j - Q_tot) / N     (as PhysNet and SpookyNet; linear in q,
//                           so sum_i Q_i = Q_tot exactly and the forces below stay the exact gradient)
//        none               Q_i = q_i                               (Q_tot is not used)
//   3. E = sum_i NN^short_{e(i)}(x_i) / conv_energy + E_elec(R, Q) + N mean_energy + sum_i atom_energy
//      E_elec = k_e sum_{pairs i<j and periodic images} Q_i Q_j phi_ij(r) f_s(r)
//        point charges (`electrostatic_charges point`):        phi_ij(r) = 1 / r
//        Gaussian charges (`electrostatic_charges gaussian`):  phi_ij(r) = erf(r / (sqrt2 gamma_ij)) / r
//      f_s: the screening function (`screen_electrostatics`; 1 without it). With electrostatics/coulomb.hpp
//      (sigma = 0 for point charges): E_elec = 1/2 Q^T C Q - k_e sum_i Q_i^2 / (2 sigma_i sqrt pi) + E_screen.
//      Periodic cells: the Ewald sum of C with the model's Ewald parameters (or ComputeOptions::ewald; width:
//      n2p2's up to dense_max_atoms atoms, balanced for matrix-free products beyond, ewald_balance). A pair
//      of an atom with its own image counts once (screening self-image weight 1/2).
//   Forces, the exact gradient without a linear solve: with g_j = dE_elec/dQ_j at fixed R,
//   dE/dq_j = g_j - mean_k g_k (uniform) or g_j (none); one backpropagation per atom with the weights
//   dE_short,i/dx_i + (dE/dq_i) dq_i/dx_i, plus the gradient of E_elec at fixed Q.
//
// 4G (Ko et al., Nat. Commun. 12, 398 (2021)) as n2p2 defines it:
//   1. chi_i = NN^chi_{e(i)}(x_i) conv_charge / conv_energy [energy/e]
//   2. charge equilibration: minimise chi^T Q + 1/2 Q^T A Q subject to sum_i Q_i = Q_tot, A = C + diag(J):
//          [A 1; 1^T 0] [Q; lambda] = [-chi; Q_tot]
//   3. E = sum_i NN^short_{e(i)}(x_i, Q_i conv_charge) / conv_energy + E_elec + N mean_energy + sum_i atom_energy
//      E_elec = 1/2 Q^T C Q - k_e sum_i Q_i^2/(2 sigma_i sqrt(pi)) + E_screen   (n2p2's convention)
//   Forces by the adjoint method (no dQ/dR is ever formed): with g = dE/dQ at fixed positions, one more solve
//   with the same operator gives y: [A 1; 1^T 0] [y; mu] = [-g; 0], and
//      F_i = -dE/dR_i|_Q - sum_j y_j [(dA/dR_i Q)_j + dchi_j/dR_i].
//   The chi term and the short-range term share one backpropagation per atom (weights dE_i^short/dx_i +
//   y_i dchi_i/dx_i); y^T (dA/dR) Q and dE_elec/dR|_Q are pair loops and structure-factor sums.
//   Solvers (ComputeOptions::solver): dense (null-space Cholesky, factorised once, reused for the adjoint;
//   O(N^3)), cg (matrix-free projected CG, electrostatics/qeq_solver.hpp; with ewald_balance = matrix_free
//   O(N^1.5) per product), automatic (default: dense up to dense_max_atoms). The CG tolerance gives a
//   first-order force error (docs/4g-large-systems.md; measured ~1e-10 Ha/bohr at tol 1e-8 for 4G water).
//   Ewald width (ComputeOptions::ewald_balance, default automatic): n2p2's with the dense solver, balanced
//   for matrix-free products with CG (n2p2's would make each product O(N^2)); ComputeOptions::reproduce_n2p2()
//   forces n2p2's procedure. Result::solver_used and ewald_balance_used say what ran.
// Both: stress -W/V at fixed Ewald parameters. Periodic structures must be neutral (|Q_tot| <= kNeutrality;
// 3G with scheme none: |sum q| <= kNeutrality N), as n2p2 requires for 4G: no neutralising background.
// Per-atom energies: the short-range atomic energy with offsets plus 1/2 Q_i (C Q)_i and the atom's share
// of the self-energy removal and screening; per-atom virials: see Result::per_atom_virials.
#pragma once

#include <chrono>
#include <cmath>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "hdnnp/core/error.hpp"
#include "hdnnp/core/result.hpp"
#include "hdnnp/core/threads.hpp"
#include "hdnnp/electrostatics/coulomb.hpp"
#include "hdnnp/electrostatics/ewald.hpp"
#include "hdnnp/electrostatics/qeq_preconditioner.hpp"
#include "hdnnp/electrostatics/qeq_solver.hpp"
#include "hdnnp/potential/atom_pass.hpp"
#include "hdnnp/potential/model.hpp"
#include "hdnnp/potential/short_range.hpp"

namespace hdnnp {

/// A periodic 3G/4G structure counts as neutral when |total charge| is at most this [e].
inline constexpr double kNeutrality = 1e-10;

namespace detail {

inline double now_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/// Charge widths per element index (0: point charge) of a 3G/4G model.
inline std::vector<double> charge_widths(const Model& m) {
    std::vector<double> s;
    const bool point = m.generation == Generation::third && m.electrostatics.charges == ChargeShape::point;
    for (const auto& e : m.elements) s.push_back(point ? 0.0 : e.gauss_width);
    return s;
}

/// The balance an evaluation uses: opt.ewald_balance, with automatic resolved to n2p2 where the dense
/// matrix is built (`dense`) and to matrix_free where the charges come from matrix-free products.
inline EwaldBalance resolved_balance(EwaldBalance requested, bool dense) {
    if (requested != EwaldBalance::automatic) return requested;
    return dense ? EwaldBalance::n2p2 : EwaldBalance::matrix_free;
}

/// The Ewald parameters of a model's settings for a periodic frame (n2p2's choice, or balanced for
/// matrix-free products), with the same accuracy target.
inline EwaldParameters model_ewald_parameters(const Model& m, double volume, std::size_t n, EwaldBalance balance) {
    EwaldSettings es = m.electrostatics.ewald;
    es.balance = balance;
    return ewald_parameters(es, volume, n, m.electrostatics.four_pi_epsilon, m.max_gauss_width());
}

/// The Coulomb operator C of the frame's local atoms with the model's widths (point charges for 3G
/// `electrostatic_charges point`).
inline GaussianCoulomb coulomb_operator(const Model& m, const Frame& f, const EwaldParameters* ewald, EwaldBalance balance) {
    const double ke = 1.0 / m.electrostatics.four_pi_epsilon;
    std::vector<Vec3> R(f.local_positions, f.local_positions + f.n_local);
    std::vector<int> el(f.element, f.element + f.n_local);
    if (!f.periodic) return GaussianCoulomb(std::move(R), std::move(el), charge_widths(m), ke);
    const EwaldParameters p = ewald ? *ewald : model_ewald_parameters(m, f.volume(), f.n_local, balance);
    return GaussianCoulomb(std::move(R), std::move(el), charge_widths(m), ke, f.cell, p);
}

/// Checks that the neighbour source's centres are exactly the local atoms 0..n_local-1, each once (3G and 4G
/// compute charges and electrostatics of the whole structure).
template <class Source> void require_all_local_centres(const Frame& f, const Source& src) {
    using T = NeighborTraits<Source>;
    const std::size_t nc = T::centres(src);
    if (nc != f.n_local)
        throw Error("3G/4G evaluation needs every local atom as a centre exactly once: the neighbour list has " +
                    std::to_string(nc) + " centres for " + std::to_string(f.n_local) + " local atoms");
    std::vector<char> seen(f.n_local, 0);
    for (std::size_t c = 0; c < nc; ++c) {
        const std::size_t i = T::centre(src, c);
        if (i >= f.n_local || seen[i])
            throw Error("3G/4G evaluation needs every local atom as a centre exactly once: centre " + std::to_string(c) +
                        " is atom " + std::to_string(i) + (i >= f.n_local ? " (not a local atom)" : " (a second time)"));
        if (f.element[i] < 0)
            throw Error("3G/4G evaluation needs every local atom to be of an element of the model: atom " + std::to_string(i) +
                        " is not (its charge takes part in the electrostatics)");
        seen[i] = 1;
    }
}

/// Per-atom part of one member: scaling x_i = s(G_i) (stored in X), extrapolation check, and per atom
/// f(i, em, x_i, workspace) (the member's networks). Threads over the local atoms.
template <class Networks, class F>
void member_atom_pass(const Model& m, std::size_t member, const Frame& f, const std::vector<std::size_t>& off, const double* G,
                      double* X, const ComputeOptions& opt, Result& res, F&& fn) {
    const std::size_t n = f.n_local;
    if (opt.keep_descriptors) res.descriptors_scaled.resize(n);
    std::vector<ExtrapolationLog> logs(static_cast<std::size_t>(threads::max_threads()));
    struct State {
        int t;
        typename Networks::Workspace net;
    };
    threads::for_each(
        n, threads::kMinAtoms, [](int t) { return State{t, {}}; },
        [&](State& st, std::size_t i) {
            const ElementModel& em = m.elements[static_cast<std::size_t>(f.element[i])];
            const std::size_t ns = em.descriptors.size();
            logs[static_cast<std::size_t>(st.t)].check(em, i, G + off[i], opt.max_extrapolation_records, member);
            double* x = X + off[i];
            em.scaling.apply(G + off[i], x);
            if (opt.keep_descriptors) res.descriptors_scaled[i].assign(x, x + ns);
            fn(i, em, static_cast<const double*>(x), st.net);
        });
    merge_extrapolations(logs, opt.max_extrapolation_records, res);
}

/// Sizes the outputs of a 3G/4G member evaluation.
inline void start_charged_result(const Frame& f, const ComputeOptions& opt, Result& res) {
    const std::size_t n = f.n_local;
    res.atomic_energies.assign(n, 0.0);
    res.charges.assign(n, 0.0);
    if (opt.forces) res.forces.assign(f.n_all, Vec3{0, 0, 0});
    if (opt.per_atom) res.per_atom_energies.assign(n, 0.0);
    if (opt.per_atom && opt.forces) res.per_atom_virials.assign(f.n_all, Mat3{});
}

/// Totals of a 3G/4G member: short-range energy, offsets and energy; per-atom energies (which hold each atom's
/// electrostatic share) get the atom's short-range energy and offsets added.
inline void charged_totals(const Model& m, const Frame& f, const ComputeOptions& opt, double e_elec, Result& res) {
    double e_short = 0.0, e_off = 0.0;
    for (std::size_t i = 0; i < f.n_local; ++i) {
        const double off_i = m.mean_energy + m.elements[static_cast<std::size_t>(f.element[i])].atom_energy;
        e_short += res.atomic_energies[i];
        e_off += off_i;
        if (opt.per_atom) res.per_atom_energies[i] += res.atomic_energies[i] + off_i;
    }
    res.short_energy = e_short;
    res.electrostatic_energy = e_elec;
    res.energy = e_short + e_elec + e_off;
}

/// Offsets of every atom's functions in the stored per-atom arrays (shape (n_local + 1)).
inline std::vector<std::size_t> function_offsets(const Model& m, const Frame& f) {
    std::vector<std::size_t> off(f.n_local + 1, 0);
    for (std::size_t i = 0; i < f.n_local; ++i)
        off[i + 1] = off[i] + m.elements[static_cast<std::size_t>(f.element[i])].descriptors.size();
    return off;
}

/// One 3G member from the shared raw functions G.
template <class Cutoff, class Fam, class V, class Networks, class Source>
void member_gen3(const Member<Networks>& mem, std::size_t member, const std::vector<double>& z, const Frame& f, const Source& src,
                 const std::vector<std::size_t>& off, const double* G, const ComputeOptions& opt, Result& res) {
    const Model& m = *mem.model;
    const std::size_t n = f.n_local;
    start_charged_result(f, opt, res);
    res.raw_charges.assign(n, 0.0);
    const double inv_ce = 1.0 / m.conv_energy, inv_cq = 1.0 / m.conv_charge;
    std::vector<double> X(off[n]), dq(opt.forces ? off[n] : 0), dEs(opt.forces ? off[n] : 0);
    double t0 = now_seconds();

    // Charge and short-range networks (both take x only).
    member_atom_pass<Networks>(m, member, f, off, G, X.data(), opt, res,
                               [&](std::size_t i, const ElementModel& em, const double* x, typename Networks::Workspace& net) {
                                   const std::size_t e = static_cast<std::size_t>(f.element[i]), ns = em.descriptors.size();
                                   res.raw_charges[i] = mem.nets->electrostatic_forward(m, e, x, net) * inv_cq;
                                   if (opt.forces) {
                                       mem.nets->electrostatic_backward(m, e, net, &dq[off[i]]);
                                       for (std::size_t k = 0; k < ns; ++k) dq[off[i] + k] *= inv_cq;
                                   }
                                   res.atomic_energies[i] = mem.nets->forward(m, e, x, net) * inv_ce;
                                   if (opt.forces) {
                                       mem.nets->backward(m, e, net, &dEs[off[i]]);
                                       for (std::size_t k = 0; k < ns; ++k) dEs[off[i] + k] *= inv_ce;
                                   }
                               });
    double t1 = now_seconds();
    res.time_descriptors += t1 - t0;

    // Total charge.
    const bool uniform = m.electrostatics.total_charge == TotalChargeScheme::uniform;
    double qsum = 0.0;
    for (double q : res.raw_charges) qsum += q;
    if (f.periodic && !uniform && std::abs(qsum) > kNeutrality * static_cast<double>(n))
        throw StructureError("the charge networks give a periodic structure the total charge " + std::to_string(qsum) +
                             " with total_charge_scheme none; 3G-HDNNP periodic structures must be neutral "
                             "(use total_charge_scheme uniform)");
    const double shift = uniform && n > 0 ? (qsum - f.total_charge) / static_cast<double>(n) : 0.0;
    for (std::size_t i = 0; i < n; ++i) res.charges[i] = res.raw_charges[i] - shift;
    const double* Q = res.charges.data();

    // Electrostatic energy and g = dE_elec/dQ at fixed positions (one product C Q: matrix-free balance beyond
    // dense_max_atoms atoms unless the options say otherwise).
    const EwaldBalance balance = resolved_balance(opt.ewald_balance, n <= opt.dense_max_atoms);
    const GaussianCoulomb op = coulomb_operator(m, f, opt.ewald, balance);
    res.ewald_balance_used = balance;
    res.ewald = op.ewald();
    res.n_kvectors = op.kvectors().size();
    t0 = now_seconds();
    res.time_matrix += t0 - t1;
    constexpr double self_image_weight = 0.5;  // each pair of an atom with its own image counted once
    const ScreeningFunction& fs = m.electrostatics.screening;
    std::vector<double> g(n);
    op.apply(Q, g.data());
    double e_elec = 0.0;
    for (std::size_t i = 0; i < n; ++i) e_elec += 0.5 * Q[i] * g[i];
    if (opt.per_atom)
        for (std::size_t i = 0; i < n; ++i) res.per_atom_energies[i] = 0.5 * Q[i] * g[i];
    e_elec += op.screening(fs, self_image_weight, Q, g.data(), nullptr, nullptr, opt.per_atom ? res.per_atom_energies.data() : nullptr);
    charged_totals(m, f, opt, e_elec, res);
    t1 = now_seconds();
    res.time_solve += t1 - t0;
    if (!opt.forces) return;

    // dE/dq: the uniform shift subtracts the mean of g (dQ_j/dq_k = delta_jk - 1/N).
    if (uniform && n > 0) {
        double mean = 0.0;
        for (double x : g) mean += x;
        mean /= static_cast<double>(n);
        for (double& x : g) x -= mean;
    }
    // One backpropagation per atom with weights dE_short/dx + (dE/dq) dq/dx.
    gradient_pass<Cutoff, Fam, V>(m, z, f, src,
                                  [&](std::size_t i, const ElementModel& em, double* w) {
                                      const std::size_t ns = em.descriptors.size();
                                      for (std::size_t k = 0; k < ns; ++k) w[k] = dEs[off[i] + k] + g[i] * dq[off[i] + k];
                                  },
                                  res);
    // E_elec at fixed charges: pairs and reciprocal space (1/2 Q^T C Q), screening.
    op.subtract_gradient(Q, nullptr, fs, self_image_weight, res.forces.data(), res.virial,
                         res.per_atom_virials.empty() ? nullptr : res.per_atom_virials.data());
    stress_from_virial(f, res);
    res.time_forces += now_seconds() - t1;
}

/// One 4G member from the shared raw functions G.
template <class Cutoff, class Fam, class V, class Networks, class Source>
void member_gen4(const Member<Networks>& mem, std::size_t member, const std::vector<double>& z, const Frame& f, const Source& src,
                 const std::vector<std::size_t>& off, const double* G, const ComputeOptions& opt, Result& res) {
    const Model& m = *mem.model;
    const std::size_t n = f.n_local;
    start_charged_result(f, opt, res);
    res.electronegativities.assign(n, 0.0);
    const double ce = m.conv_energy, cq = m.conv_charge;
    const double chi_unit = cq / ce;  // chi = NN output * chi_unit
    std::vector<double> X(off[n]), dchi(opt.forces ? off[n] : 0), dEs(opt.forces ? off[n] : 0);
    double t0 = now_seconds();

    // Electronegativities (and dchi/dx).
    member_atom_pass<Networks>(m, member, f, off, G, X.data(), opt, res,
                               [&](std::size_t i, const ElementModel& em, const double* x, typename Networks::Workspace& net) {
                                   const std::size_t e = static_cast<std::size_t>(f.element[i]);
                                   res.electronegativities[i] = mem.nets->electrostatic_forward(m, e, x, net) * chi_unit;
                                   if (opt.forces) {
                                       mem.nets->electrostatic_backward(m, e, net, &dchi[off[i]]);
                                       for (std::size_t k = 0; k < em.descriptors.size(); ++k) dchi[off[i] + k] *= chi_unit;
                                   }
                               });
    double t1 = now_seconds();
    res.time_descriptors += t1 - t0;

    // Charge equilibration.
    const bool use_dense = opt.solver == QeqSolverKind::dense || (opt.solver == QeqSolverKind::automatic && n <= opt.dense_max_atoms);
    res.solver_used = use_dense ? QeqSolverKind::dense : QeqSolverKind::cg;
    res.ewald_balance_used = resolved_balance(opt.ewald_balance, use_dense);
    GaussianCoulomb op = coulomb_operator(m, f, opt.ewald, res.ewald_balance_used);
    res.ewald = op.ewald();
    res.n_kvectors = op.kvectors().size();
    std::vector<double> J(n);
    for (std::size_t i = 0; i < n; ++i) J[i] = m.elements[static_cast<std::size_t>(f.element[i])].hardness;
    std::vector<double> b(n), CQ(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = -res.electronegativities[i];
    DenseQeqSolver dense;
    ProjectedCGSolver cg;
    if (use_dense) {
        std::vector<double> A(n * n);
        op.dense(A.data());
        for (std::size_t i = 0; i < n; ++i) A[i * n + i] += J[i];
        t0 = now_seconds();
        res.time_matrix += t0 - t1;
        dense.factorize(std::move(A), n);
        dense.solve(b.data(), f.total_charge, res.charges.data(), res.lambda);
        // C Q = A Q - J Q = -chi - lambda - J Q at the solution
        for (std::size_t i = 0; i < n; ++i) CQ[i] = b[i] - res.lambda - J[i] * res.charges[i];
    } else {
        if (op.periodic()) op.cache_real_space();
        std::vector<double> diag = op.diagonal();
        for (std::size_t i = 0; i < n; ++i) diag[i] += J[i];
        auto apply_A = [&op, &J](const double* u, double* out) {
            op.apply(u, out);
            for (std::size_t i = 0; i < J.size(); ++i) out[i] += J[i] * u[i];
        };
        if (opt.cg_preconditioner == QeqPreconditioner::long_wave && op.periodic()) {
            auto pc = std::make_shared<const LongWaveQeqPreconditioner>(op, diag, opt.cg_long_wave_ratio);
            res.cg_long_waves = pc->kvectors().size();
            cg = ProjectedCGSolver(apply_A, [pc](const double* r, double* z) { pc->apply(r, z); }, n, opt.cg_tolerance,
                                   opt.cg_max_iterations);
        } else {
            cg = ProjectedCGSolver(apply_A, std::move(diag), opt.cg_tolerance, opt.cg_max_iterations);
        }
        t0 = now_seconds();
        res.time_matrix += t0 - t1;
        if (opt.initial_charges && opt.initial_charges->size() == n) res.charges = *opt.initial_charges;
        res.qeq_stats = cg.solve(b.data(), f.total_charge, res.charges.data(), res.lambda);
        op.apply(res.charges.data(), CQ.data());
    }
    t1 = now_seconds();
    res.time_solve += t1 - t0;

    // Electrostatic energy and its charge derivative at fixed positions.
    const double wself = opt.screening_self_image_weight;
    std::vector<double> dEdQ(n, 0.0);
    double e_elec = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        e_elec += 0.5 * res.charges[i] * CQ[i];
        dEdQ[i] = CQ[i];
        if (opt.per_atom) res.per_atom_energies[i] = 0.5 * res.charges[i] * CQ[i];
    }
    e_elec += op.screening(m.electrostatics.screening, wself, res.charges.data(), dEdQ.data(), nullptr, nullptr,
                           opt.per_atom ? res.per_atom_energies.data() : nullptr);

    // Short-range networks with the charge as last input.
    std::vector<double> dEsdq(n, 0.0);
    struct State {
        typename Networks::Workspace net;
        std::vector<double> xin, dx;
    };
    threads::for_each(
        n, threads::kMinAtoms, [](int) { return State{}; },
        [&](State& st, std::size_t i) {
            const std::size_t e = static_cast<std::size_t>(f.element[i]);
            const std::size_t ns = m.elements[e].descriptors.size();
            st.xin.assign(X.begin() + static_cast<std::ptrdiff_t>(off[i]), X.begin() + static_cast<std::ptrdiff_t>(off[i + 1]));
            st.xin.push_back(res.charges[i] * cq);
            res.atomic_energies[i] = mem.nets->forward(m, e, st.xin.data(), st.net) / ce;
            if (!opt.forces) return;
            st.dx.resize(ns + 1);
            mem.nets->backward(m, e, st.net, st.dx.data());
            for (std::size_t k = 0; k < ns; ++k) dEs[off[i] + k] = st.dx[k] / ce;
            dEsdq[i] = st.dx[ns] * cq / ce;
        });
    charged_totals(m, f, opt, e_elec, res);
    if (!opt.forces) {
        res.time_forces += now_seconds() - t1;
        return;
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

    // One backpropagation per atom with weights dE_short/dx + y dchi/dx.
    gradient_pass<Cutoff, Fam, V>(m, z, f, src,
                                  [&](std::size_t i, const ElementModel& em, double* w) {
                                      const std::size_t ns = em.descriptors.size();
                                      for (std::size_t k = 0; k < ns; ++k) w[k] = dEs[off[i] + k] + y[i] * dchi[off[i] + k];
                                  },
                                  res);
    // Electrostatics at fixed charges: d/dR [1/2 Q^T C Q + y^T C Q] and the screening term.
    op.subtract_gradient(res.charges.data(), y.data(), m.electrostatics.screening, wself, res.forces.data(), res.virial,
                         res.per_atom_virials.empty() ? nullptr : res.per_atom_virials.data());
    stress_from_virial(f, res);
    res.time_forces += now_seconds() - t1;
}

/// 3G or 4G evaluation of members [0, n_members) sharing member 0's symmetry functions: one pass for the raw
/// functions of every atom, then each member's charges, electrostatics and forces into res[m].
template <class Cutoff, class Fam, class V, class Networks, class Source>
void run_charged(const Member<Networks>* members, std::size_t n_members, const std::vector<double>& z, const Frame& f,
                 const Source& src, const ComputeOptions& opt, Result* res) {
    require_all_local_centres(f, src);
    const Model& m0 = *members[0].model;
    const std::vector<std::size_t> off = function_offsets(m0, f);
    std::vector<double> G(off[f.n_local]);
    const double t0 = now_seconds();
    raw_descriptor_pass<Cutoff, Fam, V>(m0, z, f, src, off, G.data());
    const double t_raw = now_seconds() - t0;
    if (opt.keep_descriptors) {
        res[0].descriptors_raw.resize(f.n_local);
        for (std::size_t i = 0; i < f.n_local; ++i) res[0].descriptors_raw[i].assign(G.begin() + static_cast<std::ptrdiff_t>(off[i]),
                                                                                    G.begin() + static_cast<std::ptrdiff_t>(off[i + 1]));
    }
    for (std::size_t k = 0; k < n_members; ++k) {
        res[k].time_descriptors = k == 0 ? t_raw : 0.0;
        if (members[k].model->generation == Generation::third)
            member_gen3<Cutoff, Fam, V>(members[k], k, z, f, src, off, G.data(), opt, res[k]);
        else
            member_gen4<Cutoff, Fam, V>(members[k], k, z, f, src, off, G.data(), opt, res[k]);
    }
}

}  // namespace detail
}  // namespace hdnnp
