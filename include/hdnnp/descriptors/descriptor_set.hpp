// hdnnp: all symmetry functions of one central element, grouped for evaluation.
//
// Functions are kept in n2p2's sorted order (the network input order); groups collect functions that
// share neighbour elements and cutoff so that distances, angles and cutoff values are computed once.
//   values(nb, G):          G[s] = raw value of function s            (G: shape (n_functions))
//   gradient(nb, w, g):     g[n] += sum_s w[s] dG_s/dd_n               (w: shape (n_functions), g: (n, 3))
// The kernels are templates over the cutoff policy; a runtime model visits its AnyCutoff once per call.
#pragma once

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <cstddef>
#include <vector>

#include "hdnnp/cutoffs/cutoff.hpp"
#include "hdnnp/descriptors/angular.hpp"
#include "hdnnp/descriptors/compact.hpp"
#include "hdnnp/descriptors/families.hpp"
#include "hdnnp/descriptors/neighborhood.hpp"
#include "hdnnp/descriptors/radial.hpp"
#include "hdnnp/descriptors/symmetry_function.hpp"

namespace hdnnp {

/// Scratch memory of the descriptor kernels (one per thread).
struct DescriptorScratch {
    AngularScratch angular;
    CompactAngularGroup::Scratch compact;
    std::vector<double> acc_scalar;
    std::vector<simd::Batch> acc_simd;
    std::vector<TripletCache> pair_cache;  ///< per angular group: triplet geometry kept for gradient()
    bool cache_pairs = false;                      ///< set by the caller when gradient() will follow values()
    template <class V> std::vector<V>& acc() {
        if constexpr (std::is_same_v<V, double>) return acc_scalar;
        else return acc_simd;
    }
};

class ElementDescriptors {
public:
    ElementDescriptors() = default;

    /// specs: this element's functions, already in n2p2 order; alpha: the cutoff inner shift.
    ElementDescriptors(std::vector<SymFnSpec> specs, double alpha) : specs_(std::move(specs)) {
        constexpr double deg = M_PI / 180.0;
        for (std::size_t s = 0; s < specs_.size(); ++s) {
            const SymFnSpec& f = specs_[s];
            rc_max_ = std::max(rc_max_, f.rc);
            switch (f.type) {
                case 2:
                case 12: {
                    const int e1 = f.type == 2 ? f.e1 : -1;
                    auto it = std::find_if(radial_.begin(), radial_.end(),
                                           [&](const RadialGroup& g) { return g.e1 == e1 && g.cut.rc == f.rc; });
                    if (it == radial_.end()) {
                        radial_.emplace_back();
                        it = radial_.end() - 1;
                        it->e1 = e1;
                        it->cut = CutoffParams(f.rc, alpha);
                    }
                    it->eta.push_back(f.eta); it->rs.push_back(f.rs); it->out.push_back(s);
                    break;
                }
                case 3:
                case 9:
                case 13: {
                    const bool narrow = f.type != 9, weighted = f.type == 13;
                    const int e1 = weighted ? -1 : f.e1, e2 = weighted ? -1 : f.e2;
                    auto it = std::find_if(angular_.begin(), angular_.end(), [&](const AngularGroup& g) {
                        return g.narrow == narrow && g.weighted == weighted && g.e1 == e1 && g.e2 == e2 && g.cut.rc == f.rc;
                    });
                    if (it == angular_.end()) {
                        angular_.emplace_back();
                        it = angular_.end() - 1;
                        it->narrow = narrow; it->weighted = weighted; it->e1 = e1; it->e2 = e2;
                        it->cut = CutoffParams(f.rc, alpha);
                    }
                    it->add(f.eta, f.rs, f.lambda, f.zeta, s);
                    break;
                }
                case 20:
                case 23: {
                    const int e1 = f.type == 20 ? f.e1 : -1;
                    auto it = std::find_if(compact_radial_.begin(), compact_radial_.end(),
                                           [&](const CompactRadialGroup& g) { return g.e1 == e1; });
                    if (it == compact_radial_.end()) {
                        compact_radial_.emplace_back();
                        it = compact_radial_.end() - 1;
                        it->e1 = e1;
                    }
                    CompactCore core; bool asym;
                    parse_compact_subtype(f.subtype, core, asym);
                    it->win.emplace_back(core, asym, f.rl, f.rc);
                    it->out.push_back(s);
                    it->rc_max = std::max(it->rc_max, f.rc);
                    break;
                }
                default: {  // 21, 22, 24, 25
                    const bool narrow = f.type == 21 || f.type == 24, weighted = f.type >= 24;
                    const int e1 = weighted ? -1 : f.e1, e2 = weighted ? -1 : f.e2;
                    auto it = std::find_if(compact_angular_.begin(), compact_angular_.end(), [&](const CompactAngularGroup& g) {
                        return g.narrow == narrow && g.weighted == weighted && g.e1 == e1 && g.e2 == e2;
                    });
                    if (it == compact_angular_.end()) {
                        compact_angular_.emplace_back();
                        it = compact_angular_.end() - 1;
                        it->narrow = narrow; it->weighted = weighted; it->e1 = e1; it->e2 = e2;
                    }
                    CompactCore core; bool asym;
                    parse_compact_subtype(f.subtype, core, asym);
                    it->add(CompactWindow(core, asym, f.rl, f.rc), CompactWindow(core, false, f.left * deg, f.right * deg), s);
                    break;
                }
            }
        }
        for (CompactAngularGroup& g : compact_angular_) g.finish();
    }

    std::size_t size() const { return specs_.size(); }
    const std::vector<SymFnSpec>& specs() const { return specs_; }
    /// Largest cutoff of this element's functions [length].
    double cutoff() const { return rc_max_; }

    /// True if every function of this element belongs to the family list Fam.
    template <class Fam> bool uses_only() const {
        for (const auto& f : specs_)
            if (!Fam::has(f.type)) return false;
        return true;
    }

    /// V = double (scalar path) or simd::Batch (vectorised path); both give the same numbers to round-off.
    template <class Cutoff, class Fam = AllFamilies, class V = double>
    void values(const Neighborhood& nb, double* G, DescriptorScratch& sc) const {
        std::fill(G, G + specs_.size(), 0.0);
        if constexpr (Fam::radial)
            for (const auto& g : radial_) g.template values<Cutoff, V>(nb, G, sc.acc<V>());
        if constexpr (Fam::angular)
            for (std::size_t k = 0; k < angular_.size(); ++k) {
                if (sc.pair_cache.size() < angular_.size()) sc.pair_cache.resize(angular_.size());
                angular_[k].template values<Cutoff, V>(nb, G, sc.angular, sc.acc<V>(), sc.cache_pairs ? &sc.pair_cache[k] : nullptr);
            }
        if constexpr (Fam::compact_radial)
            for (const auto& g : compact_radial_) g.template values<V>(nb, G, sc.acc<V>());
        if constexpr (Fam::compact_angular)
            for (const auto& g : compact_angular_) g.template values<V>(nb, G, sc.compact);
    }

    template <class Cutoff, class Fam = AllFamilies, class V = double>
    void gradient(const Neighborhood& nb, const double* w, NeighborGradient& grad, DescriptorScratch& sc) const {
        if constexpr (Fam::radial)
            for (const auto& g : radial_) g.template gradient<Cutoff, V>(nb, w, grad);
        if constexpr (Fam::angular)
            for (std::size_t k = 0; k < angular_.size(); ++k)
                angular_[k].template gradient<Cutoff, V>(nb, w, grad, sc.angular, sc.acc<V>(),
                                                         sc.cache_pairs ? &sc.pair_cache[k] : nullptr);
        if constexpr (Fam::compact_radial)
            for (const auto& g : compact_radial_) g.template gradient<V>(nb, w, grad);
        if constexpr (Fam::compact_angular)
            for (const auto& g : compact_angular_) g.template gradient<V>(nb, w, grad, sc.compact);
    }

    /// gradient() for K weight vectors at once (committees): grad[c] += sum_s w[c][s] dG_s/dd_n, c < K. Radial and
    /// narrow angular groups share their per-neighbour and per-triplet work between the K sums.
    template <class Cutoff, class Fam, class V, int K>
    void gradient(const Neighborhood& nb, const double* const* w, NeighborGradient* grad, DescriptorScratch& sc) const {
        if constexpr (Fam::radial)
            for (const auto& g : radial_) g.template gradient<Cutoff, V, K>(nb, w, grad);
        if constexpr (Fam::angular)
            for (std::size_t k = 0; k < angular_.size(); ++k)
                angular_[k].template gradient<Cutoff, V, K>(nb, w, grad, sc.angular, sc.acc<V>(),
                                                            sc.cache_pairs ? &sc.pair_cache[k] : nullptr);
        for (int c = 0; c < K; ++c) {
            if constexpr (Fam::compact_radial)
                for (const auto& g : compact_radial_) g.template gradient<V>(nb, w[c], grad[c]);
            if constexpr (Fam::compact_angular)
                for (const auto& g : compact_angular_) g.template gradient<V>(nb, w[c], grad[c], sc.compact);
        }
    }

private:
    std::vector<SymFnSpec> specs_;
    std::vector<RadialGroup> radial_;
    std::vector<AngularGroup> angular_;
    std::vector<CompactRadialGroup> compact_radial_;
    std::vector<CompactAngularGroup> compact_angular_;
    double rc_max_ = 0.0;
};

}  // namespace hdnnp
