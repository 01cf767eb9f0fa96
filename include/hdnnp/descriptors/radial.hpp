// hdnnp: radial symmetry functions, types 2 and 12, grouped by (neighbour element, rc).
//
//   type 2  (`e 2 e1 eta rs rc`):  G = sum_{j in e1} exp(-eta (r_ij - rs)^2) fc(r_ij)
//   type 12 (`e 12 eta rs rc`):    G = sum_{j}       Z_j exp(-eta (r_ij - rs)^2) fc(r_ij)
// The cutoff value of a neighbour is computed once per group and shared by all its members.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include "hdnnp/cutoffs/cutoff.hpp"
#include "hdnnp/descriptors/neighborhood.hpp"

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
    template <class Cutoff> void values(const Neighborhood& nb, double* G) const {
        const std::size_t m = eta.size();
        for (std::size_t n = first(nb), e = last(nb); n < e; ++n) {
            const double r = nb.r[n];
            if (r >= cut.rc) continue;
            double fc, dfc;
            Cutoff::eval(r, cut, fc, dfc);
            if (e1 < 0) fc *= nb.z[n];
            for (std::size_t k = 0; k < m; ++k) {
                const double x = r - rs[k];
                G[out[k]] += std::exp(-eta[k] * x * x) * fc;
            }
        }
    }

    /// Adds sum_k w[out_k] dG_k/dd_n to the per-neighbour gradient (w = dE/dG, raw functions).
    template <class Cutoff> void gradient(const Neighborhood& nb, const double* w, NeighborGradient& g) const {
        const std::size_t m = eta.size();
        for (std::size_t n = first(nb), e = last(nb); n < e; ++n) {
            const double r = nb.r[n];
            if (r >= cut.rc) continue;
            double fc, dfc;
            Cutoff::eval(r, cut, fc, dfc);
            double s = 0.0;
            for (std::size_t k = 0; k < m; ++k) {
                const double x = r - rs[k];
                s += w[out[k]] * std::exp(-eta[k] * x * x) * (dfc - 2.0 * eta[k] * x * fc);
            }
            if (e1 < 0) s *= nb.z[n];
            s /= r;
            g.gx[n] += s * nb.dx[n];
            g.gy[n] += s * nb.dy[n];
            g.gz[n] += s * nb.dz[n];
        }
    }
};

}  // namespace hdnnp
