// hdnnp: the neighbourhood of one central atom, as the descriptor kernels read it.
//
// Structure of arrays, neighbours sorted by model element index, only those closer than the model's
// largest cutoff. Neighbours of element e occupy [begin[e], begin[e+1]). All lengths in the model's
// length unit; d = R_j + n.L - R_i (from the central atom to the neighbour image).
// Centres and neighbours come from any neighbour source (neighbors/sources.hpp).
// The arrays carry kPad extra entries past size() (far away, weight 0) so that SIMD kernels may load
// whole vectors at the end of a block.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "hdnnp/neighbors/neighbor_list.hpp"
#include "hdnnp/neighbors/sources.hpp"

namespace hdnnp {

struct Neighborhood {
    static constexpr std::size_t kPad = 16;  ///< >= the widest SIMD vector in doubles
    std::vector<std::uint32_t> atom;  ///< shape (n): index of the atom the image belongs to (may be a ghost)
    std::vector<double> dx, dy, dz;   ///< shape (n): components of d
    std::vector<double> r;            ///< shape (n): |d|
    std::vector<double> inv_r;        ///< shape (n): 1/|d|
    std::vector<double> z;            ///< shape (n): atomic number of the neighbour (weighted functions)
    std::vector<std::size_t> begin;   ///< shape (n_elements + 1)

    std::size_t size() const { return n_; }

    /// Gathers the neighbours of centre c of a neighbour source (see neighbors/sources.hpp) closer than
    /// `cutoff`, sorted by element. x: positions (n_all, 3); element: shape (n_all) model element index per
    /// atom (negative: not handled by the potential, skipped); zs: atomic number per element index.
    template <class Source>
    void gather(const Source& src, std::size_t c, const double* x, const int* element, const std::vector<double>& zs,
                double cutoff) {
        using T = NeighborTraits<Source>;
        const std::size_t ne = zs.size();
        begin.assign(ne + 1, 0);
        T::for_each(src, c, x, [&](std::size_t j, double, double, double, double r) {
            if (r < cutoff && element[j] >= 0) ++begin[static_cast<std::size_t>(element[j]) + 1];
        });
        for (std::size_t t = 0; t < ne; ++t) begin[t + 1] += begin[t];
        const std::size_t n = begin[ne];
        n_ = n;
        const std::size_t np = n + kPad;
        atom.resize(np); dx.resize(np); dy.resize(np); dz.resize(np); r.resize(np); z.resize(np);
        inv_r.resize(np);
        for (std::size_t p = n; p < np; ++p) {
            atom[p] = 0; dx[p] = 1e6; dy[p] = 1e6; dz[p] = 1e6; r[p] = std::sqrt(3.0) * 1e6; z[p] = 0.0;
            inv_r[p] = 1.0 / r[p];
        }
        std::vector<std::size_t>& fill = fill_;
        fill.assign(begin.begin(), begin.end() - 1);
        T::for_each(src, c, x, [&](std::size_t j, double ddx, double ddy, double ddz, double rr) {
            if (!(rr < cutoff) || element[j] < 0) return;
            const std::size_t el = static_cast<std::size_t>(element[j]);
            const std::size_t p = fill[el]++;
            atom[p] = static_cast<std::uint32_t>(j);
            dx[p] = ddx; dy[p] = ddy; dz[p] = ddz;
            r[p] = rr;
            inv_r[p] = 1.0 / rr;
            z[p] = zs[el];
        });
    }

    /// The same for the library's own neighbour list (atom i of the structure; no positions needed).
    void gather(const NeighborList& nl, std::size_t i, const std::vector<int>& element, const std::vector<double>& zs,
                double cutoff) {
        gather(nl, i, nullptr, element.data(), zs, cutoff);
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
