// hdnnp: the second-generation HDNNP potential: E = sum_i E_i(G_i), with analytic forces and stress.
//
//   auto pot = hdnnp::Potential<>::load("path/to/n2p2/model");      // everything read at run time
//   Result r = pot.compute(structure);                               // energy, forces, virial, stress
//
// Policies (template arguments), each fixed at compile time or left to the loaded model:
//   CutoffPolicy   AnyCutoff (runtime, visited once per call) or CutoffTanhU, CutoffPoly2, ...
//   Networks       RuntimeNetworks or CompiledNetworks<StaticNetwork<...>...> (one per element)
//   Fam            AllFamilies or a Families<...> list (e.g. ACSF): kernels instantiated
// A fully compile-time water potential:
//   using Net = hdnnp::Dense<25, hdnnp::Tanh>;
//   using Water = hdnnp::Potential<hdnnp::CutoffTanhU,
//       hdnnp::CompiledNetworks<hdnnp::StaticNetwork<27, Net, Net, hdnnp::Dense<1, hdnnp::Linear>>,    // H
//                               hdnnp::StaticNetwork<30, Net, Net, hdnnp::Dense<1, hdnnp::Linear>>>,   // O
//       hdnnp::ACSF>;
//   Water water = Water::load(dir);   // refuses a model whose structure differs
// Runtime and compiled potentials share every kernel.
//
// Per atom, the evaluation is fused: neighbourhood -> symmetry functions G_i -> scaling -> network
// forward and backward (dE_i/dG_i) -> one pass over neighbours and triplets that turns dE_i/dG_i into
// dE_i/dd_n for each neighbour vector d_n, scattered into forces (F_i += g_n, F_j -= g_n) and the virial
// (W -= d_n g_n^T). No per-neighbour derivative array dG/dR is ever stored. Atoms are distributed over
// OpenMP threads, each with its own force buffer.
// Units: those of the model's data (lengths, energies); forces [energy/length], stress [energy/length^3].
#pragma once

#include <algorithm>
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
#include "hdnnp/descriptors/neighborhood.hpp"
#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/neighbors/neighbor_list.hpp"
#include "hdnnp/networks/element_networks.hpp"
#include "hdnnp/descriptors/families.hpp"

namespace hdnnp {

/// Per-thread buffers of one potential evaluation.
template <class NetWorkspace> struct AtomWorkspace {
    Neighborhood nb;
    NeighborGradient grad;
    DescriptorScratch scratch;
    NetWorkspace net;
    std::vector<double> G, x, dEdx, w;
};

template <class CutoffPolicy = AnyCutoff, class Networks = RuntimeNetworks, class Fam = AllFamilies> class Potential {
public:
    Potential() = default;
    explicit Potential(Model model) : model_(std::move(model)) {
        if (model_.generation != Generation::second)
            throw Error("model " + model_.directory + " is not a 2G-HDNNP (nnp_type " +
                        std::to_string(static_cast<int>(model_.generation)) +
                        "): use Potential3G for 3G models and Potential4G for 4G models");
        if constexpr (!std::is_same_v<CutoffPolicy, AnyCutoff>) {
            if (model_.cutoff_type != CutoffPolicy::id)
                throw Error("model " + model_.directory + " uses cutoff_type " + std::to_string(model_.cutoff_type) +
                            " but this potential was compiled for cutoff_type " + std::to_string(CutoffPolicy::id));
        }
        for (const auto& e : model_.elements)
            if (!e.descriptors.template uses_only<Fam>())
                throw Error("model " + model_.directory + ": element " + e.symbol +
                            " uses a symmetry-function family this potential was not compiled for");
        networks_.bind(model_);
        z_.clear();
        for (const auto& e : model_.elements) z_.push_back(static_cast<double>(e.atomic_number));
    }
    /// Loads an n2p2 model directory (see io::load_n2p2_model).
    static Potential load(const std::string& dir) { return Potential(io::load_n2p2_model(dir)); }

    const Model& model() const { return model_; }
    /// The neighbour-list cutoff the model needs [length].
    double cutoff() const { return model_.cutoff_radius(); }

    /// Element index of every atom (shape (N)); throws StructureError for elements the model lacks.
    std::vector<int> element_indices(const Structure& s) const { return model_.element_indices(s); }

    /// Energy (and forces, virial, stress) of a structure.
    Result compute(const Structure& s, const ComputeOptions& opt = {}) const {
        validate(s);
        const std::vector<int> el = element_indices(s);
        const NeighborList nl = build_neighbor_list(s, cutoff());
        return compute(s, el, nl, opt);
    }

    /// The same with a neighbour list built by the caller (cutoff >= cutoff()).
    Result compute(const Structure& s, const std::vector<int>& element, const NeighborList& nl,
                   const ComputeOptions& opt) const {
        return detail::with_cutoff<CutoffPolicy>(model_, [&](auto c) { return dispatch<decltype(c)>(s, element, nl, opt); });
    }

private:
    template <class Cutoff>
    Result dispatch(const Structure& s, const std::vector<int>& element, const NeighborList& nl, const ComputeOptions& opt) const {
        return opt.simd ? run<Cutoff, simd::Batch>(s, element, nl, opt) : run<Cutoff, double>(s, element, nl, opt);
    }

    template <class Cutoff, class V>
    Result run(const Structure& s, const std::vector<int>& element, const NeighborList& nl, const ComputeOptions& opt) const {
        const std::size_t n = s.size();
        Result res;
        res.atomic_energies.assign(n, 0.0);
        if (opt.forces) res.forces.assign(n, Vec3{0, 0, 0});
        if (opt.keep_descriptors) {
            res.descriptors_raw.resize(n);
            res.descriptors_scaled.resize(n);
        }
        const double rc = cutoff();
        const double inv_conv = 1.0 / model_.conv_energy;
        int nthreads = 1;
#ifdef _OPENMP
        // Small structures are not worth waking threads for (fork/join costs more than the work).
        nthreads = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(omp_get_max_threads()), std::max<std::size_t>(1, n / 32)));
#endif
        std::vector<std::vector<Vec3>> tforces(static_cast<std::size_t>(nthreads));
        std::vector<Mat3> tvirial(static_cast<std::size_t>(nthreads), Mat3{});
        std::vector<detail::ExtrapolationLog> logs(static_cast<std::size_t>(nthreads));

#pragma omp parallel num_threads(nthreads)
        {
            int tid = 0;
#ifdef _OPENMP
            tid = omp_get_thread_num();
#endif
            const std::size_t t = static_cast<std::size_t>(tid);
            AtomWorkspace<typename Networks::Workspace> ws;
            ws.scratch.cache_pairs = opt.forces;
            std::vector<Vec3>& F = tforces[t];
            if (opt.forces) F.assign(n, Vec3{0, 0, 0});
            Mat3& W = tvirial[t];
#pragma omp for schedule(dynamic, 8)
            for (std::size_t i = 0; i < n; ++i) {
                const ElementModel& em = model_.elements[static_cast<std::size_t>(element[i])];
                const std::size_t ns = em.descriptors.size();
                ws.nb.gather(nl, i, element, z_, rc);
                ws.G.resize(ns);
                ws.x.resize(ns);
                em.descriptors.template values<Cutoff, Fam, V>(ws.nb, ws.G.data(), ws.scratch);
                logs[t].check(em, i, ws.G.data(), opt.max_extrapolation_records);
                em.scaling.apply(ws.G.data(), ws.x.data());
                if (opt.keep_descriptors) {
                    res.descriptors_raw[i] = ws.G;
                    res.descriptors_scaled[i] = ws.x;
                }
                res.atomic_energies[i] = networks_.forward(model_, static_cast<std::size_t>(element[i]), ws.x.data(), ws.net) * inv_conv;
                if (!opt.forces) continue;
                ws.dEdx.resize(ns);
                networks_.backward(model_, static_cast<std::size_t>(element[i]), ws.net, ws.dEdx.data());
                ws.w.resize(ns);
                for (std::size_t k = 0; k < ns; ++k) ws.w[k] = ws.dEdx[k] * em.scaling.factor[k] * inv_conv;
                const std::size_t nn = ws.nb.size();
                ws.grad.reset(nn);
                em.descriptors.template gradient<Cutoff, Fam, V>(ws.nb, ws.w.data(), ws.grad, ws.scratch);
                detail::scatter_gradient(i, ws.nb, ws.grad, F, W);
            }
        }
        double e = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            const ElementModel& em = model_.elements[static_cast<std::size_t>(element[i])];
            e += res.atomic_energies[i] + model_.mean_energy + em.atom_energy;
        }
        res.energy = e;
        for (std::size_t t = 0; t < tforces.size() && opt.forces; ++t) {
            for (std::size_t i = 0; i < n; ++i) res.forces[i] += tforces[t][i];
            for (int a = 0; a < 3; ++a)
                for (int b = 0; b < 3; ++b) res.virial[a][b] += tvirial[t][a][b];
        }
        detail::merge_extrapolations(logs, opt.max_extrapolation_records, res);
        if (opt.forces) detail::stress_from_virial(s, res);
        return res;
    }

    Model model_;
    Networks networks_;
    std::vector<double> z_;  // atomic number per element index
};

}  // namespace hdnnp
