// hdnnp: triplet geometry and the neighbour-pair loop of the angular second derivatives
// (second_derivatives.hpp). A triplet term T(r_ij, r_ik, r_jk, cos theta_ijk) depends on the two neighbour
// vectors d_ij, d_ik (d_jk = d_ik - d_ij).
#pragma once

#include <cmath>
#include <cstddef>

#include "hdnnp/descriptors/neighborhood.hpp"

namespace hdnnp::detail {

struct Triplet {
    double xj = 0, yj = 0, zj = 0, rij = 1;  // d_ij and its length
    double xk = 0, yk = 0, zk = 0, rik = 1;  // d_ik and its length
    double cos = 0;          // cos theta_ijk
    double xjk = 0, yjk = 0, zjk = 0, rjk = 1;  // d_jk = d_ik - d_ij (only filled when needed)

    void set(const Neighborhood& nb, std::size_t j, std::size_t k) {
        xj = nb.dx[j]; yj = nb.dy[j]; zj = nb.dz[j]; rij = nb.r[j];
        xk = nb.dx[k]; yk = nb.dy[k]; zk = nb.dz[k]; rik = nb.r[k];
        cos = (xj * xk + yj * yk + zj * zk) / (rij * rik);
    }
    double set_jk() {
        xjk = xk - xj; yjk = yk - yj; zjk = zk - zj;
        rjk = std::sqrt(xjk * xjk + yjk * yjk + zjk * zjk);
        return rjk;
    }
};

/// Calls f(j, k) for every unordered neighbour pair j < k with elements {e1, e2} (either order);
/// e1 < 0 means all pairs (weighted types). Neighbours are sorted by element, so pairs are blocks.
template <class F> inline void for_each_pair(const Neighborhood& nb, int e1, int e2, F&& f) {
    if (e1 < 0) {
        const std::size_t n = nb.size();
        for (std::size_t j = 0; j < n; ++j)
            for (std::size_t k = j + 1; k < n; ++k) f(j, k);
        return;
    }
    const std::size_t b1 = nb.begin[static_cast<std::size_t>(e1)], l1 = nb.begin[static_cast<std::size_t>(e1) + 1];
    if (e1 == e2) {
        for (std::size_t j = b1; j < l1; ++j)
            for (std::size_t k = j + 1; k < l1; ++k) f(j, k);
    } else {
        const std::size_t b2 = nb.begin[static_cast<std::size_t>(e2)], l2 = nb.begin[static_cast<std::size_t>(e2) + 1];
        for (std::size_t j = b1; j < l1; ++j)
            for (std::size_t k = b2; k < l2; ++k) f(j, k);
    }
}

}  // namespace hdnnp::detail
