// Test support: checks of a Hessian (hdnnp/potential/hessian.hpp) shared by the 2G and the charged (3G/4G) tests.
//   H_FD[a p][b q] = -dF_bq/dx_ap  by the fourth-order central difference of the forces (finite_difference.hpp),
//   error O(step^4); symmetry H_ab = H_ba^T; translation invariance sum_b H_ab = 0.
// Units: those of the model (H in energy/length^2, step in length).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <sstream>
#include <string>
#include <vector>

#include "hdnnp/core/structure.hpp"
#include "hdnnp/potential/hessian.hpp"

namespace hdnnp::test {

/// Largest deviation of the Hessian from finite differences, relative to `scale`, and where it occurs.
struct FdDeviation {
    double worst = 0.0;  ///< max over rows a, p, all atoms b, q of |H[a p][b q] - H_FD| / scale
    std::string where;   ///< "block (a,b)[p][q] analytic ... finite difference ..." of the worst entry ("" if none)
};

/// Compares every row atom of h (h.rows) with finite differences of forces(const Structure&) -> forces of shape
/// (N, 3) [energy/length], displacing each row atom's coordinates by +-step and +-2 step [length].
template <class Forces>
FdDeviation hessian_fd_deviation(const Hessian& h, const Structure& s, Forces&& forces, double step, double scale) {
    FdDeviation out;
    for (std::size_t a : h.rows)
        for (std::size_t p = 0; p < 3; ++p) {
            auto displaced = [&](double dx) {
                Structure d = s;
                d.positions[a][p] += dx;
                return forces(static_cast<const Structure&>(d));
            };
            const auto p1 = displaced(step), m1 = displaced(-step), p2 = displaced(2 * step), m2 = displaced(-2 * step);
            for (std::size_t b = 0; b < s.size(); ++b) {
                const Mat3 blk = h.block(a, b);
                for (std::size_t q = 0; q < 3; ++q) {
                    const double fd = -(8.0 * (p1[b][q] - m1[b][q]) - (p2[b][q] - m2[b][q])) / (12.0 * step);
                    const double dev = std::abs(blk[p][q] - fd) / scale;
                    if (dev > out.worst) {
                        out.worst = dev;
                        std::ostringstream o;
                        o.precision(15);
                        o << "block (" << a << "," << b << ")[" << p << "][" << q << "] analytic " << blk[p][q]
                          << " finite difference " << fd;
                        out.where = o.str();
                    }
                }
            }
        }
    return out;
}

/// Largest |entry| of any block [energy/length^2].
inline double max_entry(const Hessian& h) {
    double m = 0.0;
    for (const auto& b : h.blocks)
        for (std::size_t p = 0; p < 3; ++p)
            for (std::size_t q = 0; q < 3; ++q) m = std::max(m, std::abs(b.h[p][q]));
    return m;
}

/// Symmetry and translation invariance of the stored rows (absolute, energy/length^2).
struct HessianInvariants {
    double asymmetry = 0.0;  ///< max |H_ab[p][q] - H_ba[q][p]| over blocks whose b is also a stored row
    double row_sum = 0.0;    ///< max |(sum_b H_ab)[p][q]| over the stored rows a
};

inline HessianInvariants hessian_invariants(const Hessian& h) {
    HessianInvariants out;
    for (const auto& b : h.blocks) {
        if (!std::binary_search(h.rows.begin(), h.rows.end(), b.b)) continue;
        const Mat3 t = h.block(b.b, b.a);
        for (std::size_t p = 0; p < 3; ++p)
            for (std::size_t q = 0; q < 3; ++q) out.asymmetry = std::max(out.asymmetry, std::abs(b.h[p][q] - t[q][p]));
    }
    for (std::size_t a : h.rows) {
        Mat3 sum{};
        for (const auto& b : h.blocks)
            if (b.a == a) sum += b.h;
        for (std::size_t p = 0; p < 3; ++p)
            for (std::size_t q = 0; q < 3; ++q) out.row_sum = std::max(out.row_sum, std::abs(sum[p][q]));
    }
    return out;
}

}  // namespace hdnnp::test
