// hdnnp: the second-generation (short-range) evaluation, E = sum_i E_i(G_i), as one fused pass per atom.
//
// Per centre atom i: neighbourhood -> raw symmetry functions G_i -> for each committee member m: scaling
// x_i = s_m(G_i), network forward and backward (dE_i/dx_i), weights w = dE_i/dG_i -> one pass over
// neighbours and triplets that turns w into g_n = dE_i/dd_n for each neighbour vector d_n (reusing the
// triplet geometry of the value pass), scattered into forces (F_i += g_n, F_j -= g_n), the virial
// (W -= d_n g_n^T) and, if asked, per-atom virials. No per-neighbour derivative array dG/dR is ever
// stored. Energies (units of the model's data):
//   E = sum_i [NN_e(i)(x_i) / conv_energy + mean_energy + atom_energy(e(i))]
// A single model is a committee of one.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "hdnnp/core/result.hpp"
#include "hdnnp/core/threads.hpp"
#include "hdnnp/potential/atom_pass.hpp"
#include "hdnnp/potential/model.hpp"

namespace hdnnp::detail {

/// Committee members whose force passes share one walk over the triplets (descriptors/descriptor_set.hpp).
inline constexpr std::size_t kFusedMembers = 4;

/// One committee member: its model (scaling, networks, offsets) and its Networks policy instance.
template <class Networks> struct Member {
    const Model* model = nullptr;
    const Networks* nets = nullptr;
};

/// The fused 2G pass for members [0, n_members) sharing member 0's symmetry functions; res[m] (shape
/// (n_members)) receives member m's energy, atomic energies, forces (shape (n_all)), virial, per-atom
/// energies and virials (if opt.per_atom) and extrapolation warnings. z: atomic number per element index.
template <class Cutoff, class Fam, class V, class Networks, class Source>
void run_gen2(const Member<Networks>* members, std::size_t n_members, const std::vector<double>& z, const Frame& f,
              const Source& src, const ComputeOptions& opt, Result* res) {
    using T = NeighborTraits<Source>;
    const Model& m0 = *members[0].model;
    const double rc = m0.cutoff_radius();
    const std::size_t nc = T::centres(src);
    const bool per_atom_virial = opt.per_atom && opt.forces;
    for (std::size_t m = 0; m < n_members; ++m) {
        Result& r = res[m];
        r.atomic_energies.assign(f.n_local, 0.0);
        if (opt.forces) r.forces.assign(f.n_all, Vec3{0, 0, 0});
        if (opt.per_atom) r.per_atom_energies.assign(f.n_local, 0.0);
        if (per_atom_virial) r.per_atom_virials.assign(f.n_all, Mat3{});
    }
    if (opt.keep_descriptors) {
        res[0].descriptors_raw.resize(f.n_local);
        for (std::size_t m = 0; m < n_members; ++m) res[m].descriptors_scaled.resize(f.n_local);
    }
    const int nt = threads::max_threads();
    // Per thread and member: forces, virial, per-atom virials; per thread: extrapolation log.
    std::vector<std::vector<ThreadForces>> tf(n_members, std::vector<ThreadForces>(static_cast<std::size_t>(nt)));
    std::vector<ExtrapolationLog> logs(static_cast<std::size_t>(nt) * n_members);

    struct State {
        int t = 0;
        Neighborhood nb;
        DescriptorScratch scratch;
        typename Networks::Workspace net;
        std::vector<double> G, x, dEdx;
        std::vector<std::vector<double>> w;   // per member: dE_i/dG_i
        std::vector<NeighborGradient> grad_m;  // per member: g_n
    };
    threads::for_each(
        nc, threads::kMinAtoms,
        [&](int t) {
            State s;
            s.t = t;
            s.scratch.cache_pairs = opt.forces;
            if (opt.forces)
                for (std::size_t m = 0; m < n_members; ++m) tf[m][static_cast<std::size_t>(t)].start(f.n_all, per_atom_virial);
            return s;
        },
        [&](State& st, std::size_t c) {
            const std::size_t i = T::centre(src, c);
            if (f.element[i] < 0) return;  // an atom type this potential does not handle
            const std::size_t e = static_cast<std::size_t>(f.element[i]);
            const std::size_t ns = m0.elements[e].descriptors.size();
            st.nb.gather(src, c, f.x, f.element, z, rc);
            st.G.resize(ns);
            st.x.resize(ns);
            m0.elements[e].descriptors.template values<Cutoff, Fam, V>(st.nb, st.G.data(), st.scratch);
            if (opt.keep_descriptors) res[0].descriptors_raw[i] = st.G;
            for (std::size_t m = 0; m < n_members; ++m) {
                const Model& mm = *members[m].model;
                const ElementModel& em = mm.elements[e];
                const double inv_conv = 1.0 / mm.conv_energy;
                logs[static_cast<std::size_t>(st.t) * n_members + m].check(em, i, st.G.data(), opt.max_extrapolation_records, m);
                em.scaling.apply(st.G.data(), st.x.data());
                if (opt.keep_descriptors) res[m].descriptors_scaled[i] = st.x;
                const double ei = members[m].nets->forward(mm, e, st.x.data(), st.net) * inv_conv;
                res[m].atomic_energies[i] = ei;
                if (opt.per_atom) res[m].per_atom_energies[i] = ei + mm.mean_energy + em.atom_energy;
                if (!opt.forces) continue;
                st.dEdx.resize(ns);
                members[m].nets->backward(mm, e, st.net, st.dEdx.data());
                st.w.resize(n_members);
                st.w[m].resize(ns);
                for (std::size_t k = 0; k < ns; ++k) st.w[m][k] = st.dEdx[k] * em.scaling.factor[k] * inv_conv;
            }
            if (!opt.forces) return;
            // The members' force passes, up to kFusedMembers at a time over the same triplets.
            st.grad_m.resize(n_members);
            for (std::size_t m = 0; m < n_members; m += kFusedMembers) {
                const std::size_t k = std::min(kFusedMembers, n_members - m);
                const double* wp[kFusedMembers];
                for (std::size_t c = 0; c < k; ++c) {
                    wp[c] = st.w[m + c].data();
                    st.grad_m[m + c].reset(st.nb.size());
                }
                const ElementDescriptors& d = m0.elements[e].descriptors;
                NeighborGradient* g = st.grad_m.data() + m;
                switch (k) {
                    case 1: d.template gradient<Cutoff, Fam, V, 1>(st.nb, wp, g, st.scratch); break;
                    case 2: d.template gradient<Cutoff, Fam, V, 2>(st.nb, wp, g, st.scratch); break;
                    case 3: d.template gradient<Cutoff, Fam, V, 3>(st.nb, wp, g, st.scratch); break;
                    default: d.template gradient<Cutoff, Fam, V, 4>(st.nb, wp, g, st.scratch); break;
                }
                for (std::size_t c = 0; c < k; ++c) {
                    ThreadForces& t = tf[m + c][static_cast<std::size_t>(st.t)];
                    if (per_atom_virial) scatter_gradient<true>(i, st.nb, g[c], t);
                    else scatter_gradient<false>(i, st.nb, g[c], t);
                }
            }
        });

    for (std::size_t m = 0; m < n_members; ++m) {
        const Model& mm = *members[m].model;
        Result& r = res[m];
        double e = 0.0, e_nn = 0.0;
        for (std::size_t c = 0; c < nc; ++c) {
            const std::size_t i = T::centre(src, c);
            if (f.element[i] < 0) continue;
            e_nn += r.atomic_energies[i];
            e += r.atomic_energies[i] + mm.mean_energy + mm.elements[static_cast<std::size_t>(f.element[i])].atom_energy;
        }
        r.energy = e;
        r.short_energy = e_nn;
        if (opt.forces) {
            reduce_thread_forces(tf[m], r);
            stress_from_virial(f, r);
        }
        std::vector<ExtrapolationLog> ml;
        for (int t = 0; t < nt; ++t) ml.push_back(std::move(logs[static_cast<std::size_t>(t) * n_members + m]));
        merge_extrapolations(ml, opt.max_extrapolation_records, r);
    }
}

}  // namespace hdnnp::detail
