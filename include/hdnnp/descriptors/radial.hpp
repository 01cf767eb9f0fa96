// hdnnp: radial symmetry functions, types 2 and 12, grouped by (neighbour element, rc).
//
//   type 2  (`e 2 e1 eta rs rc`):  G = sum_{j in e1} exp(-eta (r_ij - rs)^2) fc(r_ij)
//   type 12 (`e 12 eta rs rc`):    G = sum_{j}       Z_j exp(-eta (r_ij - rs)^2) fc(r_ij)
// The cutoff value of a neighbour is computed once per group and shared by all its members.
// Kernels run over V = double or simd::Batch (lanes = consecutive neighbours).
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include "hdnnp/config.hpp"
#include "hdnnp/cutoffs/cutoff.hpp"
#include "hdnnp/descriptors/neighborhood.hpp"
#include "hdnnp/simd/simd.hpp"

namespace hdnnp {

struct RadialGroup {
    int e1 = -1;           ///< neighbour element index; -1: all neighbours weighted by Z_j (type 12)
    CutoffParams cut;
    std::vector<double> eta, rs;
    std::vector<std::size_t> out;  ///< index of each member in the element's input vector

    std::size_t first(const Neighborhood& nb) const { return e1 < 0 ? 0 : nb.begin[static_cast<std::size_t>(e1)]; }
    std::size_t last(const Neighborhood& nb) const {
        return e1 < 0 ? nb.size() : nb.begin[static_cast<std::size_t>(e1) + 1];
    }

    /// Adds the group's values to G (shape: the element's number of functions).
    template <class Cutoff, class V = double> HDNNP_FLATTEN void values(const Neighborhood& nb, double* G, std::vector<V>& acc) const {
        constexpr std::size_t W = simd::width<V>;
        const std::size_t m = eta.size();
        acc.assign(m, V(0.0));
        for (std::size_t n = first(nb), e = last(nb); n < e; n += W) {
            const V r = simd::load<V>(&nb.r[n]);
            V fc, dfc;
            Cutoff::eval(r, cut, fc, dfc);
            fc = simd::select(simd::lanes_below<V>(n, e), fc, V(0.0));
            if (e1 < 0) fc *= simd::load<V>(&nb.z[n]);
            for (std::size_t k = 0; k < m; ++k) {
                const V x = r - rs[k];
                acc[k] += simd::exp(-eta[k] * x * x) * fc;
            }
        }
        for (std::size_t k = 0; k < m; ++k) G[out[k]] += simd::reduce(acc[k]);
    }

    /// Adds sum_k w[out_k] dG_k/dd_n to the per-neighbour gradient (w = dE/dG, raw functions).
    template <class Cutoff, class V = double> HDNNP_FLATTEN void gradient(const Neighborhood& nb, const double* w, NeighborGradient& g) const {
        const double* ws[1] = {w};
        gradient<Cutoff, V, 1>(nb, ws, &g);
    }

    /// The same for K weight vectors at once (committees): g[c] += sum_k w[c][out_k] dG_k/dd_n, c < K, with the
    /// cutoff and Gaussians shared.
    template <class Cutoff, class V, int K>
    HDNNP_FLATTEN void gradient(const Neighborhood& nb, const double* const* w, NeighborGradient* g) const {
        constexpr std::size_t W = simd::width<V>;
        const std::size_t m = eta.size();
        for (std::size_t n = first(nb), e = last(nb); n < e; n += W) {
            const V r = simd::load<V>(&nb.r[n]);
            V fc, dfc;
            Cutoff::eval(r, cut, fc, dfc);
            V s[K];
            for (int c = 0; c < K; ++c) s[c] = V(0.0);
            for (std::size_t k = 0; k < m; ++k) {
                const V x = r - rs[k];
                const V ex = simd::exp(-eta[k] * x * x), br = dfc - 2.0 * eta[k] * x * fc;
                for (int c = 0; c < K; ++c) s[c] += w[c][out[k]] * ex * br;
            }
            const V zw = e1 < 0 ? simd::load<V>(&nb.z[n]) : V(1.0);
            const auto in = simd::lanes_below<V>(n, e);
            const V inv_r = simd::load<V>(&nb.inv_r[n]);
            const V dx = simd::load<V>(&nb.dx[n]), dy = simd::load<V>(&nb.dy[n]), dz = simd::load<V>(&nb.dz[n]);
            for (int c = 0; c < K; ++c) {
                const V sc = simd::select(in, (e1 < 0 ? s[c] * zw : s[c]) * inv_r, V(0.0));
                simd::store(&g[c].gx[n], simd::load<V>(&g[c].gx[n]) + sc * dx);
                simd::store(&g[c].gy[n], simd::load<V>(&g[c].gy[n]) + sc * dy);
                simd::store(&g[c].gz[n], simd::load<V>(&g[c].gz[n]) + sc * dz);
            }
        }
    }
};

}  // namespace hdnnp
