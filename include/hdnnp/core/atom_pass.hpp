// hdnnp: pieces of the per-atom evaluation shared by the 2G, 3G and 4G potentials: recording extrapolation
// warnings per thread and merging them, turning the per-neighbour gradient g_n = dE/dd_n of one atom
// into forces (F_i += g_n, F_j -= g_n) and the virial (W -= d_n g_n^T), and the two OpenMP passes over
// the atoms of the 3G and 4G potentials (descriptor_pass: functions, scaling and the per-atom networks;
// gradient_pass: one backpropagation per atom with weights dE/dx_i into forces and virial).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "hdnnp/core/model.hpp"
#include "hdnnp/core/result.hpp"
#include "hdnnp/core/structure.hpp"
#include "hdnnp/core/vec3.hpp"
#include "hdnnp/descriptors/neighborhood.hpp"
#include "hdnnp/neighbors/neighbor_list.hpp"
#include "hdnnp/networks/network.hpp"

namespace hdnnp::detail {

/// Stress of a periodic structure from the accumulated virial: sigma = -W/V [energy/length^3]; no-op for clusters.
inline void stress_from_virial(const Structure& s, Result& res) {
    if (!s.periodic) return;
    const double v = std::abs(s.volume());
    for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) res.stress[a][b] = -res.virial[a][b] / v;
    res.has_stress = true;
}

/// Calls f(Cutoff{}) for the model's cutoff function: the runtime variant is visited once per call when the
/// potential was compiled for AnyCutoff, else the compiled-in CutoffPolicy is used directly.
template <class CutoffPolicy, class F> decltype(auto) with_cutoff(const Model& model, F&& f) {
    if constexpr (std::is_same_v<CutoffPolicy, AnyCutoff>) return std::visit(std::forward<F>(f), model.cutoff);
    else return std::forward<F>(f)(CutoffPolicy{});
}

/// Extrapolation warnings found by one thread: all are counted, the first max_records are kept.
struct ExtrapolationLog {
    std::size_t count = 0;
    std::vector<ExtrapolationWarning> records;

    /// Checks the raw functions G (shape (n_functions of em)) of atom `atom` against scaling.data.
    void check(const ElementModel& em, std::size_t atom, const double* G, std::size_t max_records) {
        for (std::size_t k = 0; k < em.descriptors.size(); ++k)
            if (em.scaling.extrapolates(k, G[k])) {
                ++count;
                if (records.size() < max_records)
                    records.push_back({atom, em.symbol, k + 1, em.descriptors.specs()[k].type, G[k], em.scaling.gmin[k],
                                       em.scaling.gmax[k]});
            }
    }
};

/// Adds the threads' logs to the result: the total count, and the first max_records warnings in
/// (atom, function) order, whatever the thread count.
inline void merge_extrapolations(const std::vector<ExtrapolationLog>& logs, std::size_t max_records, Result& res) {
    for (const auto& l : logs) {
        res.extrapolation_count += l.count;
        res.extrapolations.insert(res.extrapolations.end(), l.records.begin(), l.records.end());
    }
    std::sort(res.extrapolations.begin(), res.extrapolations.end(), [](const ExtrapolationWarning& a, const ExtrapolationWarning& b) {
        return a.atom != b.atom ? a.atom < b.atom : a.function < b.function;
    });
    if (res.extrapolations.size() > max_records) res.extrapolations.resize(max_records);
}

/// Scatters atom i's per-neighbour gradient into forces F (shape (N, 3)) and the virial W.
inline void scatter_gradient(std::size_t i, const Neighborhood& nb, const NeighborGradient& g, std::vector<Vec3>& F, Mat3& W) {
    Vec3 fi{0, 0, 0};
    for (std::size_t k = 0; k < nb.size(); ++k) {
        const double gx = g.gx[k], gy = g.gy[k], gz = g.gz[k];
        fi[0] += gx; fi[1] += gy; fi[2] += gz;
        Vec3& fj = F[nb.atom[k]];
        fj[0] -= gx; fj[1] -= gy; fj[2] -= gz;
        const double d[3] = {nb.dx[k], nb.dy[k], nb.dz[k]};
        for (int a = 0; a < 3; ++a) {
            W[a][0] -= d[a] * gx;
            W[a][1] -= d[a] * gy;
            W[a][2] -= d[a] * gz;
        }
    }
    F[i] += fi;
}

/// OpenMP threads a parallel region may use (1 without OpenMP), and the calling thread's index.
inline int max_threads() {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}
inline int thread_index() {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/// The atom passes below run on one thread for fewer atoms than this.
constexpr std::int64_t kParallelAtoms = 32;

/// One OpenMP pass over the atoms: neighbourhood (within rc), raw symmetry functions, extrapolation check,
/// scaling into x_i = X + off[i] (off: shape (N + 1), off[i+1] - off[i] = functions of atom i's element),
/// res.descriptors_raw/scaled if opt.keep_descriptors, then f(i, em, x_i, net) with a per-thread
/// NetworkWorkspace net (the per-atom networks). The extrapolation warnings are merged into res.
/// z: atomic number per element index; el: element index per atom (shape (N)).
template <class Cutoff, class Fam, class V, class F>
void descriptor_pass(const Model& m, const std::vector<int>& el, const std::vector<double>& z, const NeighborList& nl,
                     double rc, const std::vector<std::size_t>& off, double* X, const ComputeOptions& opt, Result& res,
                     F&& f) {
    const std::int64_t nn = static_cast<std::int64_t>(el.size());
    if (opt.keep_descriptors) {
        res.descriptors_raw.resize(el.size());
        res.descriptors_scaled.resize(el.size());
    }
    const int nt = max_threads();
    std::vector<ExtrapolationLog> logs(static_cast<std::size_t>(nt));
#pragma omp parallel num_threads(nt) if (nn >= kParallelAtoms)
    {
        const std::size_t t = static_cast<std::size_t>(thread_index());
        Neighborhood nb;
        DescriptorScratch scratch;
        NetworkWorkspace net;
        std::vector<double> G;
#pragma omp for schedule(dynamic, 8)
        for (std::int64_t ii = 0; ii < nn; ++ii) {
            const std::size_t i = static_cast<std::size_t>(ii);
            const ElementModel& em = m.elements[static_cast<std::size_t>(el[i])];
            const std::size_t ns = em.descriptors.size();
            nb.gather(nl, i, el, z, rc);
            G.resize(ns);
            em.descriptors.template values<Cutoff, Fam, V>(nb, G.data(), scratch);
            logs[t].check(em, i, G.data(), opt.max_extrapolation_records);
            double* x = X + off[i];
            em.scaling.apply(G.data(), x);
            if (opt.keep_descriptors) {
                res.descriptors_raw[i] = G;
                res.descriptors_scaled[i].assign(x, x + ns);
            }
            f(i, em, static_cast<const double*>(x), net);
        }
    }
    merge_extrapolations(logs, opt.max_extrapolation_records, res);
}

/// One OpenMP pass over the atoms that turns per-atom input gradients into forces and the virial: for
/// atom i, dEdx(i, em, w) writes w = dE/dx_i (shape (functions of em), x_i the scaled functions); the
/// pass multiplies by the scaling factors (dE/dG_i), backpropagates once through
/// ElementDescriptors::gradient and scatters: F (shape (N, 3), sized by the caller) += forces, W += virial.
template <class Cutoff, class Fam, class V, class Wt>
void gradient_pass(const Model& m, const std::vector<int>& el, const std::vector<double>& z, const NeighborList& nl,
                   double rc, Wt&& dEdx, std::vector<Vec3>& F, Mat3& W) {
    const std::size_t n = el.size();
    const std::int64_t nn = static_cast<std::int64_t>(n);
    const int nt = max_threads();
    std::vector<std::vector<Vec3>> tforces(static_cast<std::size_t>(nt));
    std::vector<Mat3> tvirial(static_cast<std::size_t>(nt), Mat3{});
#pragma omp parallel num_threads(nt) if (nn >= kParallelAtoms)
    {
        const std::size_t t = static_cast<std::size_t>(thread_index());
        Neighborhood nb;
        NeighborGradient grad;
        DescriptorScratch scratch;
        std::vector<double> w;
        std::vector<Vec3>& Ft = tforces[t];
        Ft.assign(n, Vec3{0, 0, 0});
        Mat3& Wthread = tvirial[t];
#pragma omp for schedule(dynamic, 8)
        for (std::int64_t ii = 0; ii < nn; ++ii) {
            const std::size_t i = static_cast<std::size_t>(ii);
            const ElementModel& em = m.elements[static_cast<std::size_t>(el[i])];
            const std::size_t ns = em.descriptors.size();
            nb.gather(nl, i, el, z, rc);
            w.resize(ns);
            dEdx(i, em, w.data());
            for (std::size_t k = 0; k < ns; ++k) w[k] *= em.scaling.factor[k];
            grad.reset(nb.size());
            em.descriptors.template gradient<Cutoff, Fam, V>(nb, w.data(), grad, scratch);
            scatter_gradient(i, nb, grad, Ft, Wthread);
        }
    }
    for (std::size_t t = 0; t < tforces.size(); ++t) {
        if (tforces[t].size() != n) continue;  // thread not started (serial region for small N)
        for (std::size_t i = 0; i < n; ++i) F[i] += tforces[t][i];
        for (int a = 0; a < 3; ++a)
            for (int c = 0; c < 3; ++c) W[a][c] += tvirial[t][a][c];
    }
}

}  // namespace hdnnp::detail
