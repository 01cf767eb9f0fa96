// hdnnp: pieces of the per-atom evaluation shared by the 2G, 3G and 4G paths and by committees:
//   Frame                 the atoms a pass sees (positions, elements, which atoms are local; cell and total
//                         charge for 3G/4G)
//   ExtrapolationLog      extrapolation warnings found by one thread, merged in (atom, function) order
//   ThreadBuffers         per-thread forces, virial and per-atom virials, summed in thread order
//   scatter_gradient      the per-neighbour gradient g_n = dE_i/dd_n of one centre i into forces
//                         (F_i += g_n, F_j -= g_n), the virial (W -= d_n g_n^T) and per-atom virials
//   raw_descriptor_pass   raw symmetry functions of every centre, stored (3G/4G)
//   gradient_pass         one backpropagation per centre with weights dE/dx_i into forces and virials
// Every loop over atoms is threads::for_each (static schedule: bit-identical results from run to run).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "hdnnp/config.hpp"
#include "hdnnp/core/error.hpp"
#include "hdnnp/core/result.hpp"
#include "hdnnp/core/structure.hpp"
#include "hdnnp/core/threads.hpp"
#include "hdnnp/core/vec3.hpp"
#include "hdnnp/descriptors/descriptor_set.hpp"
#include "hdnnp/descriptors/neighborhood.hpp"
#include "hdnnp/neighbors/sources.hpp"
#include "hdnnp/potential/model.hpp"

namespace hdnnp::detail {

/// The atoms one evaluation sees. Atom indices run over positions/elements (local atoms, then ghosts for
/// a host's list); the centres come from the neighbour source. For 3G/4G, atoms 0..n_local-1 are the
/// whole structure (its charges and electrostatics), and the centres are exactly these atoms.
struct Frame {
    std::size_t n_all = 0;        ///< rows of positions / elements
    std::size_t n_local = 0;      ///< atoms whose energies are computed (the centres)
    const double* x = nullptr;    ///< shape (n_all, 3) [length]; may be null for a NeighborList source
    const int* element = nullptr; ///< shape (n_all): model element index (negative: skipped)
    // 3G/4G
    const Vec3* local_positions = nullptr;  ///< shape (n_local) [length]
    bool periodic = false;
    Mat3 cell{};                  ///< rows a, b, c [length] (periodic)
    double total_charge = 0.0;    ///< [e]
    double volume() const { return periodic ? std::abs(determinant(cell)) : 0.0; }
};

/// Stress of a periodic structure from the accumulated virial: sigma = -W/V [energy/length^3]; no-op otherwise.
inline void stress_from_virial(const Frame& f, Result& res) {
    if (!f.periodic) return;
    const double v = f.volume();
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
    void check(const ElementModel& em, std::size_t atom, const double* G, std::size_t max_records, std::size_t member = 0) {
        for (std::size_t k = 0; k < em.descriptors.size(); ++k)
            if (em.scaling.extrapolates(k, G[k])) {
                ++count;
                if (records.size() < max_records)
                    records.push_back({atom, em.symbol, k + 1, em.descriptors.specs()[k].type, G[k], em.scaling.gmin[k],
                                       em.scaling.gmax[k], member});
            }
    }
};

/// Adds the threads' logs to the result: the total count, and the first max_records warnings in
/// (atom, member, function) order, whatever the thread count.
inline void merge_extrapolations(const std::vector<ExtrapolationLog>& logs, std::size_t max_records, Result& res) {
    for (const auto& l : logs) {
        res.extrapolation_count += l.count;
        res.extrapolations.insert(res.extrapolations.end(), l.records.begin(), l.records.end());
    }
    std::sort(res.extrapolations.begin(), res.extrapolations.end(), [](const ExtrapolationWarning& a, const ExtrapolationWarning& b) {
        if (a.atom != b.atom) return a.atom < b.atom;
        return a.member != b.member ? a.member < b.member : a.function < b.function;
    });
    if (res.extrapolations.size() > max_records) res.extrapolations.resize(max_records);
}

/// One thread's share of forces (shape (n_all)), virial and per-atom virials (shape (n_all) or empty).
struct ThreadForces {
    std::vector<Vec3> F;
    Mat3 W{};
    std::vector<Mat3> VA;
    bool used = false;
    void start(std::size_t n_all, bool per_atom) {
        used = true;
        F.assign(n_all, Vec3{0, 0, 0});
        W = Mat3{};
        if (per_atom) VA.assign(n_all, Mat3{});
    }
};

/// Adds the used threads' buffers to res.forces, res.virial and res.per_atom_virials (sized by the caller),
/// in thread order.
inline void reduce_thread_forces(const std::vector<ThreadForces>& tf, Result& res) {
    for (const ThreadForces& t : tf) {
        if (!t.used) continue;
        for (std::size_t i = 0; i < t.F.size(); ++i) res.forces[i] += t.F[i];
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) res.virial[a][b] += t.W[a][b];
        if (!t.VA.empty())
            for (std::size_t i = 0; i < t.VA.size(); ++i)
                for (int a = 0; a < 3; ++a)
                    for (int b = 0; b < 3; ++b) res.per_atom_virials[i][a][b] += t.VA[i][a][b];
    }
}

/// Scatters centre i's per-neighbour gradient into forces, the virial and (PerAtom) the per-atom virials;
/// the term -d_n g_n^T of neighbour image n goes to the image's atom (see Result::per_atom_virials).
template <bool PerAtom>
HDNNP_ALWAYS_INLINE void scatter_gradient(std::size_t i, const Neighborhood& nb, const NeighborGradient& g, ThreadForces& t) {
    Vec3 fi{0, 0, 0};
    Mat3& W = t.W;
    for (std::size_t k = 0; k < nb.size(); ++k) {
        const double gx = g.gx[k], gy = g.gy[k], gz = g.gz[k];
        fi[0] += gx; fi[1] += gy; fi[2] += gz;
        const std::size_t j = nb.atom[k];
        Vec3& fj = t.F[j];
        fj[0] -= gx; fj[1] -= gy; fj[2] -= gz;
        const double d[3] = {nb.dx[k], nb.dy[k], nb.dz[k]};
        for (int a = 0; a < 3; ++a) {
            W[a][0] -= d[a] * gx;
            W[a][1] -= d[a] * gy;
            W[a][2] -= d[a] * gz;
        }
        if constexpr (PerAtom) {
            Mat3& V = t.VA[j];
            for (int a = 0; a < 3; ++a) {
                V[a][0] -= d[a] * gx;
                V[a][1] -= d[a] * gy;
                V[a][2] -= d[a] * gz;
            }
        }
    }
    t.F[i] += fi;
}

/// Raw symmetry functions of every centre into G (offsets off: shape (n_local + 1), off[i+1] - off[i] = the
/// functions of atom i's element), with the descriptors of model m (the committee's shared functions).
template <class Cutoff, class Fam, class V, class Source>
void raw_descriptor_pass(const Model& m, const std::vector<double>& z, const Frame& f, const Source& src,
                         const std::vector<std::size_t>& off, double* G) {
    using T = NeighborTraits<Source>;
    const double rc = m.cutoff_radius();
    struct State {
        Neighborhood nb;
        DescriptorScratch scratch;
    };
    threads::for_each(
        T::centres(src), threads::kMinAtoms, [](int) { return State{}; },
        [&](State& st, std::size_t c) {
            const std::size_t i = T::centre(src, c);
            const ElementModel& em = m.elements[static_cast<std::size_t>(f.element[i])];
            st.nb.gather(src, c, f.x, f.element, z, rc);
            em.descriptors.template values<Cutoff, Fam, V>(st.nb, G + off[i], st.scratch);
        });
}

/// One pass over the centres that turns per-atom input gradients into forces and virials: for centre atom
/// i, dEdx(i, em, w) writes w = dE/dx_i (shape (functions of em), x_i the scaled functions of model m);
/// the pass multiplies by the scaling factors (dE/dG_i), backpropagates once through
/// ElementDescriptors::gradient and scatters into res.forces (shape (n_all), sized by the caller),
/// res.virial and, if res.per_atom_virials is sized, the per-atom virials.
template <class Cutoff, class Fam, class V, class Source, class Wt>
void gradient_pass(const Model& m, const std::vector<double>& z, const Frame& f, const Source& src, Wt&& dEdx, Result& res) {
    using T = NeighborTraits<Source>;
    const double rc = m.cutoff_radius();
    const bool per_atom = !res.per_atom_virials.empty();
    std::vector<ThreadForces> tf(static_cast<std::size_t>(threads::max_threads()));
    struct State {
        Neighborhood nb;
        NeighborGradient grad;
        DescriptorScratch scratch;
        std::vector<double> w;
        ThreadForces* t;
    };
    threads::for_each(
        T::centres(src), threads::kMinAtoms,
        [&](int t) {
            State s;
            s.t = &tf[static_cast<std::size_t>(t)];
            s.t->start(f.n_all, per_atom);
            return s;
        },
        [&](State& st, std::size_t c) {
            const std::size_t i = T::centre(src, c);
            const ElementModel& em = m.elements[static_cast<std::size_t>(f.element[i])];
            const std::size_t ns = em.descriptors.size();
            st.nb.gather(src, c, f.x, f.element, z, rc);
            st.w.resize(ns);
            dEdx(i, em, st.w.data());
            for (std::size_t k = 0; k < ns; ++k) st.w[k] *= em.scaling.factor[k];
            st.grad.reset(st.nb.size());
            em.descriptors.template gradient<Cutoff, Fam, V>(st.nb, st.w.data(), st.grad, st.scratch);
            if (per_atom) scatter_gradient<true>(i, st.nb, st.grad, *st.t);
            else scatter_gradient<false>(i, st.nb, st.grad, *st.t);
        });
    reduce_thread_forces(tf, res);
}

}  // namespace hdnnp::detail
