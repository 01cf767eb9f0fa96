// Test support: the fourth-order central difference used by the finite-difference tests,
//   f'(0) ~ (8 [f(h) - f(-h)] - [f(2h) - f(-2h)]) / (12 h),   error O(h^4).
#pragma once

#include <cstddef>

#include "hdnnp/core/structure.hpp"

namespace hdnnp::test {

/// Derivative at 0 of f(x) (a callable double -> double) with step h.
template <class F> double central_difference4(F&& f, double h) {
    return (8.0 * (f(h) - f(-h)) - (f(2.0 * h) - f(-2.0 * h))) / (12.0 * h);
}

/// -dE/dx for coordinate k of atom i of s, with energy(const Structure&) -> double.
template <class Energy> double fd_force(Energy&& energy, Structure s, std::size_t i, int k, double h) {
    const double x0 = s.positions[i][k];
    return -central_difference4(
        [&](double dx) {
            s.positions[i][k] = x0 + dx;
            return energy(s);
        },
        h);
}

}  // namespace hdnnp::test
