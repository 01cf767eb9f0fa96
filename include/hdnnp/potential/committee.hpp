// hdnnp: committees: several models with identical symmetry functions evaluated as one.
//
//   auto c = hdnnp::Committee<>::load({"model_a", "model_b", "model_c"});
//   hdnnp::CommitteeResult r = c.compute(structure);   // the mean, plus r.energy_spread, r.force_spread
//   c.compute(host_atoms, source, host_output, committee_host_output);   // host entry point (LAMMPS):
//                                     // the mean into the host's arrays, member energies and force deviations
//
// The symmetry functions of every atom are computed once (member 0's definitions; every member must have
// the same elements, cutoff function and symmetry functions in the same order, else the constructor names
// the first difference); each member then applies its own scaling.data, networks and offsets. For 2G
// models each member's forces reuse the triplet geometry of the shared value pass; 3G/4G members each
// solve their own charges.
//
// Results (units of the models' data): the mean over the M members of energy, atomic and per-atom
// energies, forces, virial, stress, per-atom virials and charges; the spreads are population standard
// deviations over the members (Schran et al., J. Chem. Phys. 153, 104105 (2020)):
//   energy_spread   = sqrt(1/M sum_m (E_m - E_mean)^2)                                  [energy]
//   force_spread[i] = sqrt(1/M sum_m |F_m,i - F_mean,i|^2)   (shape (N))                [energy/length]
// Extrapolation warnings are those of every member (ExtrapolationWarning::member says whose range was left).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "hdnnp/core/error.hpp"
#include "hdnnp/core/result.hpp"
#include "hdnnp/core/structure.hpp"
#include "hdnnp/core/views.hpp"
#include "hdnnp/neighbors/neighbor_list.hpp"
#include "hdnnp/potential/potential.hpp"

namespace hdnnp {

/// The committee's mean in the Result fields, plus the spreads and each member's energy.
struct CommitteeResult : Result {
    double energy_spread = 0.0;          ///< population standard deviation of the member energies [energy]
    std::vector<double> force_spread;    ///< shape (N): per atom sqrt(1/M sum_m |F_m - F_mean|^2) [energy/length]
    std::vector<double> member_energies; ///< shape (M) [energy]
};

/// What the committee's host entry point writes besides the mean (which goes into HostOutput).
struct CommitteeHostOutput {
    /// Shape (M, n_all, 3), optional: each member's deviation from the mean force, F_m - F_mean, ADDED like
    /// forces [energy/length]. A host whose ghost atoms are images of atoms it or other domains own folds the
    /// ghost rows back onto their owners (as it does forces: the deviations are linear in the per-centre
    /// contributions, the spread is not), then committee_force_spread gives each atom's spread.
    std::optional<MutableView<double, 3>> force_deviations;
    std::vector<double> member_energies;  ///< shape (M): each member's energy of the host's centres (set) [energy]
};

/// Force spread of atom i from (folded) force deviations d of shape (M, n, 3):
/// sqrt(1/M sum_m |d_m,i|^2) [energy/length], as CommitteeResult::force_spread.
inline double committee_force_spread(const ConstView<double, 3>& d, std::size_t i) {
    const std::size_t m = d.shape()[0], n = d.shape()[1];
    const double* p = d.data();
    double s = 0.0;
    for (std::size_t k = 0; k < m; ++k)
        for (std::size_t a = 0; a < 3; ++a) {
            const double x = p[(k * n + i) * 3 + a];
            s += x * x;
        }
    return std::sqrt(s / static_cast<double>(m));
}

/// Population standard deviation of the member energies (CommitteeResult::energy_spread) [energy].
inline double committee_energy_spread(const std::vector<double>& member_energies) {
    if (member_energies.empty()) return 0.0;
    const double inv = 1.0 / static_cast<double>(member_energies.size());
    double mean = 0.0, var = 0.0;
    for (double e : member_energies) mean += e;
    mean *= inv;
    for (double e : member_energies) var += (e - mean) * (e - mean);
    return std::sqrt(var * inv);
}

namespace detail {

/// Empty if the two models have the same elements, cutoff function and symmetry functions (in order);
/// else a sentence naming the first difference.
inline std::string first_descriptor_difference(const Model& a, const Model& b) {
    if (a.symbols() != b.symbols()) {
        std::string sa, sb;
        for (const auto& s : a.symbols()) sa += " " + s;
        for (const auto& s : b.symbols()) sb += " " + s;
        return "the elements differ (" + sa.substr(1) + " vs " + sb.substr(1) + ")";
    }
    if (a.cutoff_type != b.cutoff_type || a.cutoff_alpha != b.cutoff_alpha)
        return "the cutoff functions differ (cutoff_type " + std::to_string(a.cutoff_type) + " alpha " + std::to_string(a.cutoff_alpha) +
               " vs cutoff_type " + std::to_string(b.cutoff_type) + " alpha " + std::to_string(b.cutoff_alpha) + ")";
    const std::vector<std::string> sym = a.symbols();
    for (std::size_t e = 0; e < a.elements.size(); ++e) {
        const auto& fa = a.elements[e].descriptors.specs();
        const auto& fb = b.elements[e].descriptors.specs();
        for (std::size_t k = 0; k < std::max(fa.size(), fb.size()); ++k) {
            if (k >= fa.size() || k >= fb.size())
                return "element " + sym[e] + " has " + std::to_string(fa.size()) + " symmetry functions in one model and " +
                       std::to_string(fb.size()) + " in the other";
            const SymFnSpec& x = fa[k];
            const SymFnSpec& y = fb[k];
            const bool same = x.type == y.type && x.e1 == y.e1 && x.e2 == y.e2 && x.eta == y.eta && x.rs == y.rs && x.rc == y.rc &&
                              x.lambda == y.lambda && x.zeta == y.zeta && x.rl == y.rl && x.left == y.left && x.right == y.right &&
                              x.subtype == y.subtype;
            if (!same)
                return "element " + sym[e] + ", symmetry function " + std::to_string(k + 1) + ": '" + x.describe(sym) + "' vs '" +
                       y.describe(sym) + "'";
        }
    }
    return {};
}

}  // namespace detail

template <class P = Potential<>> class Committee {
public:
    Committee() = default;
    /// Takes the members; throws Error if there are none, if their generations differ, or if any member's
    /// symmetry functions differ from member 0's (the message names the first difference).
    explicit Committee(std::vector<P> members) : members_(std::move(members)) {
        if (members_.empty()) throw Error("a committee needs at least one model");
        const Model& m0 = members_[0].model();
        for (std::size_t k = 1; k < members_.size(); ++k) {
            const Model& mk = members_[k].model();
            if (mk.generation != m0.generation)
                throw Error("committee member " + std::to_string(k + 1) + " (" + mk.directory + ") is a " +
                            detail::generation_name(mk.generation) + ", member 1 (" + m0.directory + ") a " +
                            detail::generation_name(m0.generation));
            const std::string d = detail::first_descriptor_difference(m0, mk);
            if (!d.empty())
                throw Error("committee member " + std::to_string(k + 1) + " (" + mk.directory + ") does not share the symmetry functions of member 1 (" +
                            m0.directory + "): " + d);
        }
    }
    /// Loads every directory (see Potential::load).
    template <class Loader = io::N2p2Loader> static Committee load(const std::vector<std::string>& dirs) {
        std::vector<P> m;
        for (const auto& d : dirs) m.push_back(P::template load<Loader>(d));
        return Committee(std::move(m));
    }

    std::size_t size() const { return members_.size(); }
    const P& member(std::size_t k) const { return members_.at(k); }
    double cutoff() const { return members_[0].cutoff(); }

    /// Mean, spreads and member energies of a structure.
    CommitteeResult compute(const Structure& s, const ComputeOptions& opt = {}) const;

    /// The same on a frame with a neighbour source (see Potential::evaluate); forces of shape (n_all).
    template <class Source> CommitteeResult compute(const detail::Frame& f, const Source& src, const ComputeOptions& opt) const {
        std::vector<Result> r = evaluate_members(f, src, opt);
        return combine(r, opt);
    }

    /// Host entry point (see Potential::compute(HostAtoms, source, HostOutput)): the members' mean forces,
    /// per-atom energies and per-atom virials are ADDED to out, the mean energy and virial set, extrapolation
    /// warnings of every member reported; each member's energy and, if asked, force deviations go to c.
    template <class Source>
    void compute(const HostAtoms& atoms, const Source& src, HostOutput& out, CommitteeHostOutput& c, ComputeOptions opt = {}) const {
        std::vector<Vec3> local;
        const detail::Frame f = members_[0].host_frame(atoms, src, out, local);
        const std::size_t m = members_.size(), n_all = f.n_all;
        if (c.force_deviations &&
            (c.force_deviations->shape()[0] != m || c.force_deviations->shape()[1] != n_all || c.force_deviations->shape()[2] != 3))
            throw Error("CommitteeHostOutput::force_deviations must have shape (members, n_all, 3)");
        opt.forces = true;
        opt.per_atom = out.per_atom_energies.has_value() || out.per_atom_virials.has_value();
        std::vector<Result> r = evaluate_members(f, src, opt);
        const CommitteeResult mean = combine(r, opt);
        P::add_to_host(mean, atoms, out);
        c.member_energies = mean.member_energies;
        if (c.force_deviations) {
            double* d = c.force_deviations->data();
            for (std::size_t k = 0; k < m; ++k)
                for (std::size_t i = 0; i < n_all; ++i)
                    for (std::size_t a = 0; a < 3; ++a) d[(k * n_all + i) * 3 + a] += r[k].forces[i][a] - mean.forces[i][a];
        }
    }

private:
    template <class Source> std::vector<Result> evaluate_members(const detail::Frame& f, const Source& src, const ComputeOptions& opt) const {
        const std::size_t m = members_.size();
        std::vector<const P*> ptrs(m);
        for (std::size_t k = 0; k < m; ++k) ptrs[k] = &members_[k];
        std::vector<Result> r(m);
        P::evaluate(ptrs.data(), m, f, src, opt, r.data());
        return r;
    }

    static void mean_into(std::vector<double>& out, const std::vector<Result>& r, std::vector<double> Result::*field) {
        const double inv = 1.0 / static_cast<double>(r.size());
        out.assign((r[0].*field).size(), 0.0);
        for (const Result& x : r)
            for (std::size_t i = 0; i < out.size(); ++i) out[i] += (x.*field)[i];
        for (double& v : out) v *= inv;
    }

    static CommitteeResult combine(std::vector<Result>& r, const ComputeOptions& opt) {
        const std::size_t m = r.size();
        const double inv = 1.0 / static_cast<double>(m);
        CommitteeResult c;
        static_cast<Result&>(c) = r[0];  // shapes, flags and member 0's diagnostics; the averaged fields below
        c.energy = 0.0;
        for (const Result& x : r) {
            c.energy += x.energy;
            c.member_energies.push_back(x.energy);
        }
        c.energy *= inv;
        double var = 0.0;
        for (const Result& x : r) var += (x.energy - c.energy) * (x.energy - c.energy);
        c.energy_spread = std::sqrt(var * inv);
        mean_into(c.atomic_energies, r, &Result::atomic_energies);
        mean_into(c.per_atom_energies, r, &Result::per_atom_energies);
        mean_into(c.charges, r, &Result::charges);
        c.short_energy = c.electrostatic_energy = 0.0;
        for (const Result& x : r) {
            c.short_energy += inv * x.short_energy;
            c.electrostatic_energy += inv * x.electrostatic_energy;
        }
        c.extrapolation_count = 0;
        c.extrapolations.clear();
        for (const Result& x : r) {
            c.extrapolation_count += x.extrapolation_count;
            c.extrapolations.insert(c.extrapolations.end(), x.extrapolations.begin(), x.extrapolations.end());
        }
        std::stable_sort(c.extrapolations.begin(), c.extrapolations.end(),
                         [](const ExtrapolationWarning& a, const ExtrapolationWarning& b) { return a.atom < b.atom; });
        if (c.extrapolations.size() > opt.max_extrapolation_records) c.extrapolations.resize(opt.max_extrapolation_records);
        if (!opt.forces) return c;
        const std::size_t n = r[0].forces.size();
        c.virial = Mat3{};
        c.stress = Mat3{};
        for (const Result& x : r) {
            c.virial += inv * x.virial;
            c.stress += inv * x.stress;
        }
        c.forces.assign(n, Vec3{0, 0, 0});
        for (const Result& x : r)
            for (std::size_t i = 0; i < n; ++i) c.forces[i] += inv * x.forces[i];
        c.force_spread.assign(n, 0.0);
        for (const Result& x : r)
            for (std::size_t i = 0; i < n; ++i) {
                const Vec3 d = x.forces[i] - c.forces[i];
                c.force_spread[i] += dot(d, d);
            }
        for (double& v : c.force_spread) v = std::sqrt(v * inv);
        if (!r[0].per_atom_virials.empty()) {
            c.per_atom_virials.assign(r[0].per_atom_virials.size(), Mat3{});
            for (const Result& x : r)
                for (std::size_t i = 0; i < c.per_atom_virials.size(); ++i) c.per_atom_virials[i] += inv * x.per_atom_virials[i];
        }
        return c;
    }

    std::vector<P> members_;
};

// Defined out of the class (not implicitly inline): see hdnnp/extern_templates.hpp.
template <class P> CommitteeResult Committee<P>::compute(const Structure& s, const ComputeOptions& opt) const {
    validate(s);
    const std::vector<int> el = members_[0].element_indices(s);
    members_[0].check_neutrality(s.periodic, s.total_charge);
    const NeighborList nl = build_neighbor_list(s, cutoff());
    return compute(P::frame(s, el), nl, opt);
}

}  // namespace hdnnp
