// hdnnp: the neighbourhood of one central atom, as the descriptor kernels read it.
//
// Structure of arrays, neighbours sorted by model element index, only those closer than the model's
// largest cutoff. Neighbours of element e occupy [begin[e], begin[e+1]). All lengths in the model's
// length unit; d = R_j + n.L - R_i (from the central atom to the neighbour image).
// The arrays carry kPad extra entries past size() (far away, weight 0) so that SIMD kernels may load
// whole vectors at the end of a block.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "hdnnp/neighbors/neighbor_list.hpp"

namespace hdnnp {

struct Neighborhood {
    static constexpr std::size_t kPad = 16;  ///< >= the widest SIMD vector in doubles
    std::vector<std::uint32_t> atom;  ///< shape (n): index of the real atom the image belongs to
    std::vector<std::uint32_t> slot;  ///< shape (n): entry of the neighbour list it came from
    std::vector<double> dx, dy, dz;   ///< shape (n): components of d
    std::vector<double> r;            ///< shape (n): |d|
    std::vector<double> inv_r;        ///< shape (n): 1/|d|
    std::vector<double> z;            ///< shape (n): atomic number of the neighbour (weighted functions)
    std::vector<std::size_t> begin;   ///< shape (n_elements + 1)

    std::size_t size() const { return n_; }

    /// Gathers atom i's neighbours closer than `cutoff` from a full neighbour list, sorted by element.
    /// element: shape (N) model element index per atom; zs: atomic number per element index.
    void gather(const NeighborList& nl, std::size_t i, const std::vector<int>& element, const std::vector<double>& zs,
                double cutoff) {
        const std::size_t ne = zs.size();
        begin.assign(ne + 1, 0);
        const std::size_t b = nl.offset[i], e = nl.offset[i + 1];
        for (std::size_t k = b; k < e; ++k)
            if (nl.r[k] < cutoff) ++begin[static_cast<std::size_t>(element[nl.index[k]]) + 1];
        for (std::size_t t = 0; t < ne; ++t) begin[t + 1] += begin[t];
        const std::size_t n = begin[ne];
        n_ = n;
        const std::size_t np = n + kPad;
        atom.resize(np); slot.resize(np); dx.resize(np); dy.resize(np); dz.resize(np); r.resize(np); z.resize(np);
        inv_r.resize(np);
        for (std::size_t p = n; p < np; ++p) {
            atom[p] = 0; slot[p] = 0; dx[p] = 1e6; dy[p] = 1e6; dz[p] = 1e6; r[p] = std::sqrt(3.0) * 1e6; z[p] = 0.0;
            inv_r[p] = 1.0 / r[p];
        }
        std::vector<std::size_t>& fill = fill_;
        fill.assign(begin.begin(), begin.end() - 1);
        for (std::size_t k = b; k < e; ++k) {
            if (!(nl.r[k] < cutoff)) continue;
            const std::size_t el = static_cast<std::size_t>(element[nl.index[k]]);
            const std::size_t p = fill[el]++;
            atom[p] = nl.index[k];
            slot[p] = static_cast<std::uint32_t>(k - b);
            dx[p] = nl.d[k][0]; dy[p] = nl.d[k][1]; dz[p] = nl.d[k][2];
            r[p] = nl.r[k];
            inv_r[p] = 1.0 / nl.r[k];
            z[p] = zs[el];
        }
    }

private:
    std::vector<std::size_t> fill_;
    std::size_t n_ = 0;
};

/// Per-neighbour gradient of one atom's energy: g[n] = dE_i/d d_n (shape (n, 3) as three arrays).
struct NeighborGradient {
    std::vector<double> gx, gy, gz;
    void reset(std::size_t n) {
        gx.assign(n + Neighborhood::kPad, 0.0);
        gy.assign(n + Neighborhood::kPad, 0.0);
        gz.assign(n + Neighborhood::kPad, 0.0);
    }
};

}  // namespace hdnnp
