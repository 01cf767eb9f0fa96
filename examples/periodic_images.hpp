// Explicit periodic images for the project's reference calculators (lennard_jones.hpp, stillinger_weber.hpp).
//
//   examples::for_each_pair_image(s, rc, [&](std::size_t i, std::size_t j, const hdnnp::Vec3& v, double r2) { ... });
//
// Calls the function once for every pair i <= j and every periodic image of j with |v| < rc, where
// v = R_j + n_a a + n_b b + n_c c - R_i (after reducing R_j - R_i into the cell centred at 0) and r2 = |v|^2;
// the atom's own position (i == j, n = 0) is left out. A self-image pair (i == j) is visited for +n and for
// -n. Non-periodic structures: every pair i < j once. Any cell shape and size (cells smaller than rc give
// several images of one atom). Units: those of the structure (Angstrom for the examples).
#pragma once

#include <cmath>
#include <cstddef>

#include "hdnnp/core/structure.hpp"
#include "hdnnp/core/vec3.hpp"

namespace examples {

template <class F>
void for_each_pair_image(const hdnnp::Structure& s, double rc, F&& f) {
    using hdnnp::Vec3;
    using hdnnp::operator+;
    using hdnnp::operator-;
    using hdnnp::operator*;
    using hdnnp::operator-=;
    const std::size_t n = s.size();
    const double rc2 = rc * rc;
    // Each pair vector is reduced into the cell centred at 0 (fractional coordinates f_k in [-1/2, 1/2]);
    // image n then lies |f_k + n_k| h_k from the origin along plane normal k (h_k = plane spacing), which
    // bounds its length from below. So |n_k| <= ceil(rc / h_k + 1/2) covers every image within rc, and
    // images with |f_k + n_k| h_k >= rc are skipped before computing the distance.
    int m[3] = {0, 0, 0};
    double h[3] = {0, 0, 0};
    hdnnp::Mat3 inv{};
    if (s.periodic) {
        inv = hdnnp::reciprocal_rows(s.lattice);
        for (int k = 0; k < 3; ++k) {
            h[k] = 1.0 / hdnnp::norm(inv[k]);
            m[k] = static_cast<int>(std::ceil(rc / h[k] + 0.5));
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = i; j < n; ++j) {
            Vec3 d = s.positions[j] - s.positions[i];
            double fr[3] = {0, 0, 0};
            if (s.periodic)
                for (int k = 0; k < 3; ++k) {
                    d -= std::round(hdnnp::dot(inv[k], d)) * s.lattice[k];
                    fr[k] = hdnnp::dot(inv[k], d);
                }
            for (int a = -m[0]; a <= m[0]; ++a) {
                if (std::abs(fr[0] + a) * h[0] >= rc) continue;
                for (int b = -m[1]; b <= m[1]; ++b) {
                    if (std::abs(fr[1] + b) * h[1] >= rc) continue;
                    for (int c = -m[2]; c <= m[2]; ++c) {
                        if (std::abs(fr[2] + c) * h[2] >= rc) continue;
                        if (i == j && a == 0 && b == 0 && c == 0) continue;
                        const Vec3 v = d + static_cast<double>(a) * s.lattice[0] + static_cast<double>(b) * s.lattice[1] +
                                       static_cast<double>(c) * s.lattice[2];
                        const double r2 = hdnnp::dot(v, v);
                        if (r2 >= rc2) continue;
                        f(i, j, v, r2);
                    }
                }
            }
        }
    }
}

}  // namespace examples
