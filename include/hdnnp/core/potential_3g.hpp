// hdnnp: the third-generation HDNNP (3G-HDNNP; Artrith, Morawietz, Behler, PRB 83, 153101 (2011);
// Morawietz, Sharma, Behler, JCP 136, 064103 (2012)): atomic charges from charge networks and their
// long-range electrostatics, added to the short-range energy.
//
//   auto pot = hdnnp::Potential3G<>::load("path/to/3G/model");   // input.nn with nnp_type 3 (see io/n2p2_model.hpp)
//   hdnnp::Result3G r = pot.compute(structure);                  // energy, forces, charges (stress for cells)
//
// Energy (units of the model's data; k_e = 1/four_pi_epsilon):
//   1. x_i = scaled symmetry functions of atom i; raw charge q_i = NN^q_{e(i)}(x_i) / conv_charge [e]
//   2. charges Q that honour the total charge Q_tot = structure.total_charge (`total_charge_scheme`):
//        uniform (default)  Q_i = q_i - (sum_j q_j - Q_tot) / N     (as PhysNet and SpookyNet; linear in q,
//                           so sum_i Q_i = Q_tot exactly and the forces below stay the exact gradient)
//        none               Q_i = q_i                               (Q_tot is not used)
//   3. E = sum_i NN^short_{e(i)}(x_i) / conv_energy + E_elec(R, Q) + N mean_energy + sum_i atom_energy
//      E_elec = k_e sum_{pairs i<j and periodic images} Q_i Q_j phi_ij(r) f_s(r)
//        point charges (`electrostatic_charges point`):        phi_ij(r) = 1 / r
//        Gaussian charges (`electrostatic_charges gaussian`):  phi_ij(r) = erf(r / (sqrt2 gamma_ij)) / r,
//                                                             gamma_ij = sqrt(sigma_i^2 + sigma_j^2)
//      f_s: the screening function (`screen_electrostatics`; f_s = 1 without it). In terms of
//      electrostatics/coulomb.hpp (sigma = 0 for point charges): E_elec = 1/2 Q^T C Q - k_e sum_i Q_i^2 /
//      (2 sigma_i sqrt pi) + E_screen, i.e. 4G's E_elec; the self-energies of the charges are not part of it.
//      Periodic cells: the Ewald sum of C (real space erfc(r/(sqrt2 eta))/r for point charges, reciprocal
//      sum, self term -k_e Q_i^2 / (sqrt(2 pi) eta)), with the model's Ewald parameters (as for 4G) or
//      ComputeOptions3G::ewald; the energy does not depend on eta beyond the truncation error. A pair of an
//      atom with its own image counts once (the images n and -n together carry weight 1: screening
//      self-image weight 1/2), so that f_s multiplies the Coulomb energy of every pair exactly.
// Forces, the exact gradient (no linear solve, no dQ/dR stored): with g_j = dE_elec/dQ_j at fixed R,
//   dE/dq_j = g_j - mean_k g_k  (uniform)  or  g_j  (none),
// one backpropagation per atom with the weights dE_short,i/dx_i + (dE/dq_i) dq_i/dx_i through
// ElementDescriptors::gradient (detail::gradient_pass), plus the gradient of E_elec at fixed Q (pairs,
// reciprocal space, screening). Stress (periodic cells): -W/V at fixed Ewald parameters.
// Periodic structures must be neutral: uniform needs |Q_tot| <= 1e-10, none needs |sum_i q_i| <= 1e-10 N
// (otherwise a StructureError). A charged cell would need a neutralising background, -pi k_e eta^2
// Q_tot^2 / V, which is not applied (n2p2 refuses charged periodic 4G structures likewise).
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "hdnnp/core/atom_pass.hpp"
#include "hdnnp/core/error.hpp"
#include "hdnnp/core/model.hpp"
#include "hdnnp/core/result.hpp"
#include "hdnnp/core/structure.hpp"
#include "hdnnp/descriptors/families.hpp"
#include "hdnnp/electrostatics/coulomb.hpp"
#include "hdnnp/electrostatics/ewald.hpp"
#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/neighbors/neighbor_list.hpp"
#include "hdnnp/networks/network.hpp"

namespace hdnnp {

/// What to compute, and how (adds the 3G choices to ComputeOptions).
struct ComputeOptions3G : ComputeOptions {
    const EwaldParameters* ewald = nullptr;  ///< periodic: use these instead of the model's parameter choice
};

/// Result of a 3G evaluation: the 2G fields plus the electrostatics.
struct Result3G : Result {
    std::vector<double> charges;       ///< shape (N): Q, after the total-charge scheme [e]
    std::vector<double> raw_charges;   ///< shape (N): q, the charge networks' outputs [e]
    double short_energy = 0.0;         ///< sum_i NN^short_i / conv_energy [energy]
    double electrostatic_energy = 0.0; ///< E_elec [energy]
    EwaldParameters ewald;             ///< parameters used (periodic)
    std::size_t n_kvectors = 0;        ///< half-sphere k-vectors used (periodic)
};

template <class CutoffPolicy = AnyCutoff, class Fam = AllFamilies> class Potential3G {
public:
    Potential3G() = default;
    explicit Potential3G(Model model) : model_(std::move(model)) {
        const std::string where = "model " + model_.directory;
        if (model_.generation != Generation::third)
            throw Error(where + " is not a 3G-HDNNP (nnp_type " + std::to_string(static_cast<int>(model_.generation)) +
                        "): use Potential for 2G models and Potential4G for 4G models");
        if constexpr (!std::is_same_v<CutoffPolicy, AnyCutoff>) {
            if (model_.cutoff_type != CutoffPolicy::id)
                throw Error(where + " uses cutoff_type " + std::to_string(model_.cutoff_type) +
                            " but this potential was compiled for cutoff_type " + std::to_string(CutoffPolicy::id));
        }
        const bool gaussian = model_.electrostatics.charges == ChargeShape::gaussian;
        for (const auto& e : model_.elements) {
            const std::size_t ns = e.descriptors.size();
            if (!e.descriptors.template uses_only<Fam>())
                throw Error(where + ": element " + e.symbol + " uses a symmetry-function family this potential was not compiled for");
            if (e.network.n_inputs() != ns)
                throw Error(where + ": the short-range network of element " + e.symbol + " takes " +
                            std::to_string(e.network.n_inputs()) + " inputs, but a 3G short-range network takes exactly the " +
                            std::to_string(ns) + " symmetry functions (no charge input)");
            if (e.charge.n_inputs() != ns)
                throw Error(where + ": the charge network of element " + e.symbol + " takes " + std::to_string(e.charge.n_inputs()) +
                            " inputs, expected the " + std::to_string(ns) + " symmetry functions");
            if (gaussian && !(e.gauss_width > 0.0))
                throw Error(where + ": Gaussian charges need a positive width for element " + e.symbol);
            z_.push_back(static_cast<double>(e.atomic_number));
            sigma_.push_back(gaussian ? e.gauss_width : 0.0);
        }
    }
    /// Loads a 3G model directory (input.nn, scaling.data, weights.ZZZ.data, weightse.ZZZ.data).
    static Potential3G load(const std::string& dir) { return Potential3G(io::load_n2p2_model(dir)); }

    const Model& model() const { return model_; }
    /// The neighbour-list cutoff of the symmetry functions [length].
    double cutoff() const { return model_.cutoff_radius(); }

    /// Element index of every atom (shape (N)); throws StructureError for elements the model lacks.
    std::vector<int> element_indices(const Structure& s) const { return model_.element_indices(s); }

    /// The Ewald parameters the model's settings give for a periodic structure.
    EwaldParameters ewald_parameters_for(const Structure& s) const {
        return ewald_parameters(model_.electrostatics.ewald, s.volume(), s.size(), model_.electrostatics.four_pi_epsilon,
                                model_.max_gauss_width());
    }

    /// The Coulomb operator C of a structure with this model's charge shape (sigma = 0: point charges).
    GaussianCoulomb coulomb(const Structure& s, const std::vector<int>& el, const EwaldParameters* ewald = nullptr) const {
        const double ke = 1.0 / model_.electrostatics.four_pi_epsilon;
        if (!s.periodic) return GaussianCoulomb(s.positions, el, sigma_, ke);
        const EwaldParameters p = ewald ? *ewald : ewald_parameters_for(s);
        return GaussianCoulomb(s.positions, el, sigma_, ke, s.lattice, p);
    }

    /// Energy, charges (and forces, virial, stress) of a structure.
    Result3G compute(const Structure& s, const ComputeOptions3G& opt = {}) const {
        validate(s);
        const std::vector<int> el = element_indices(s);
        if (s.periodic && model_.electrostatics.total_charge == TotalChargeScheme::uniform && std::abs(s.total_charge) > 1e-10)
            throw StructureError("periodic structure has total charge " + std::to_string(s.total_charge) +
                                 "; 3G-HDNNP periodic structures must be neutral (no neutralising background is applied)");
        const NeighborList nl = build_neighbor_list(s, cutoff());
        return detail::with_cutoff<CutoffPolicy>(model_, [&](auto c) { return dispatch<decltype(c)>(s, el, nl, opt); });
    }

private:
    template <class Cutoff>
    Result3G dispatch(const Structure& s, const std::vector<int>& el, const NeighborList& nl, const ComputeOptions3G& opt) const {
        return opt.simd ? run<Cutoff, simd::Batch>(s, el, nl, opt) : run<Cutoff, double>(s, el, nl, opt);
    }

    template <class Cutoff, class V>
    Result3G run(const Structure& s, const std::vector<int>& el, const NeighborList& nl, const ComputeOptions3G& opt) const {
        const std::size_t n = s.size();
        Result3G res;
        res.atomic_energies.assign(n, 0.0);
        res.raw_charges.assign(n, 0.0);
        const double rc = cutoff();
        const double inv_ce = 1.0 / model_.conv_energy, inv_cq = 1.0 / model_.conv_charge;
        // Per atom: scaled functions x, dq/dx and dE_short/dx (offsets by element size).
        std::vector<std::size_t> off(n + 1, 0);
        for (std::size_t i = 0; i < n; ++i) off[i + 1] = off[i] + model_.elements[static_cast<std::size_t>(el[i])].descriptors.size();
        std::vector<double> X(off[n]), dq(opt.forces ? off[n] : 0), dEs(opt.forces ? off[n] : 0);

        // Pass 1: symmetry functions, charge and short-range networks (both take x only).
        detail::descriptor_pass<Cutoff, Fam, V>(
            model_, el, z_, nl, rc, off, X.data(), opt, res,
            [&](std::size_t i, const ElementModel& em, const double* x, NetworkWorkspace& net) {
                const std::size_t ns = em.descriptors.size();
                res.raw_charges[i] = em.charge.forward(x, net) * inv_cq;
                if (opt.forces) {
                    em.charge.backward(net, &dq[off[i]]);
                    for (std::size_t k = 0; k < ns; ++k) dq[off[i] + k] *= inv_cq;
                }
                res.atomic_energies[i] = em.network.forward(x, net) * inv_ce;
                if (opt.forces) {
                    em.network.backward(net, &dEs[off[i]]);
                    for (std::size_t k = 0; k < ns; ++k) dEs[off[i] + k] *= inv_ce;
                }
            });

        // Total charge.
        const bool uniform = model_.electrostatics.total_charge == TotalChargeScheme::uniform;
        double qsum = 0.0;
        for (double q : res.raw_charges) qsum += q;
        if (s.periodic && !uniform && std::abs(qsum) > 1e-10 * static_cast<double>(n))
            throw StructureError("the charge networks give a periodic structure the total charge " + std::to_string(qsum) +
                                 " with total_charge_scheme none; 3G-HDNNP periodic structures must be neutral "
                                 "(use total_charge_scheme uniform)");
        const double shift = uniform && n > 0 ? (qsum - s.total_charge) / static_cast<double>(n) : 0.0;
        res.charges.resize(n);
        for (std::size_t i = 0; i < n; ++i) res.charges[i] = res.raw_charges[i] - shift;
        const double* Q = res.charges.data();

        // Electrostatic energy and g = dE_elec/dQ at fixed positions.
        const GaussianCoulomb op = coulomb(s, el, opt.ewald);
        res.ewald = op.ewald();
        res.n_kvectors = op.kvectors().size();
        constexpr double self_image_weight = 0.5;  // each pair of an atom with its own image counted once
        const ScreeningFunction& fs = model_.electrostatics.screening;
        std::vector<double> g(n);
        op.apply(Q, g.data());
        double e_elec = 0.0;
        for (std::size_t i = 0; i < n; ++i) e_elec += 0.5 * Q[i] * g[i];
        e_elec += op.screening(fs, self_image_weight, Q, g.data(), nullptr, nullptr);
        res.electrostatic_energy = e_elec;

        double e_short = 0.0, e_off = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            e_short += res.atomic_energies[i];
            e_off += model_.mean_energy + model_.elements[static_cast<std::size_t>(el[i])].atom_energy;
        }
        res.short_energy = e_short;
        res.energy = e_short + e_elec + e_off;
        if (!opt.forces) return res;

        // dE/dq: the uniform shift subtracts the mean of g (dQ_j/dq_k = delta_jk - 1/N).
        if (uniform && n > 0) {
            double mean = 0.0;
            for (double x : g) mean += x;
            mean /= static_cast<double>(n);
            for (double& x : g) x -= mean;
        }
        // Pass 2: one backpropagation per atom with weights dE_short/dx + (dE/dq) dq/dx.
        res.forces.assign(n, Vec3{0, 0, 0});
        detail::gradient_pass<Cutoff, Fam, V>(model_, el, z_, nl, rc,
                                              [&](std::size_t i, const ElementModel& em, double* w) {
                                                  const std::size_t ns = em.descriptors.size();
                                                  for (std::size_t k = 0; k < ns; ++k)
                                                      w[k] = dEs[off[i] + k] + g[i] * dq[off[i] + k];
                                              },
                                              res.forces, res.virial);
        // E_elec at fixed charges: pairs and reciprocal space (1/2 Q^T C Q), screening.
        op.subtract_gradient(Q, nullptr, fs, self_image_weight, res.forces, res.virial);
        detail::stress_from_virial(s, res);
        return res;
    }

    Model model_;
    std::vector<double> z_;      // atomic number per element index
    std::vector<double> sigma_;  // charge width per element index (0: point charges)
};

}  // namespace hdnnp
