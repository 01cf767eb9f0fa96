// The project's Lennard-Jones reference calculator (used by make_lj_model and by the shipped-model test).
//
//   phi(r) = 4 eps [(sigma/r)^12 - (sigma/r)^6] - phi_LJ(rc)   for r < rc, 0 beyond   (energy-shifted)
//   E = sum over pairs i < j and all periodic images of phi(r),  F_i = -dE/dR_i
//
// Argon-like defaults: eps = 0.0104 eV, sigma = 3.40 Angstrom, rc = 8.5 Angstrom. Units: eV, Angstrom,
// eV/Angstrom. The shift makes the energy continuous at rc; the force jumps there by |phi'(rc)| ~ 1.2e-4
// eV/Angstrom per pair. Periodic images are summed explicitly (every image within rc, any cell shape and
// size), so small cells are handled exactly.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include "hdnnp/core/structure.hpp"
#include "hdnnp/core/vec3.hpp"
#include "periodic_images.hpp"

namespace lj {

// The Vec3 operators live in namespace hdnnp (Vec3 is a std::array, so lookup does not find them).
using hdnnp::operator+;
using hdnnp::operator-;
using hdnnp::operator*;
using hdnnp::operator+=;
using hdnnp::operator-=;

struct Parameters {
    double epsilon = 0.0104;  ///< well depth [eV]
    double sigma = 3.40;      ///< [Angstrom]
    double cutoff = 8.5;      ///< [Angstrom]
};

struct EnergyForces {
    double energy = 0.0;               ///< [eV]
    std::vector<hdnnp::Vec3> forces;   ///< [eV/Angstrom]
};

/// Unshifted pair energy and dphi/dr at r.
inline void pair(const Parameters& p, double r, double& e, double& de) {
    const double s2 = p.sigma * p.sigma / (r * r), s6 = s2 * s2 * s2, s12 = s6 * s6;
    e = 4.0 * p.epsilon * (s12 - s6);
    de = -24.0 * p.epsilon * (2.0 * s12 - s6) / r;
}

/// Energy and forces of a structure (periodic or not).
inline EnergyForces compute(const hdnnp::Structure& s, const Parameters& p = {}) {
    using hdnnp::Vec3;
    const std::size_t n = s.size();
    EnergyForces out;
    out.forces.assign(n, Vec3{0, 0, 0});
    double shift, dshift;
    pair(p, p.cutoff, shift, dshift);
    double e = 0.0;
    examples::for_each_pair_image(s, p.cutoff, [&](std::size_t i, std::size_t j, const Vec3& v, double r2) {
        const double r = std::sqrt(r2);
        double pe, de;
        pair(p, r, pe, de);
        // A self-image pair (i == j) appears for +n and -n: count half of each.
        const double w = i == j ? 0.5 : 1.0;
        e += w * (pe - shift);
        if (i != j) {
            const Vec3 fij = (de / r) * v;  // dE/dR_j = de v/r, F_j = -that, F_i = +that
            out.forces[i] += fij;
            out.forces[j] -= fij;
        }
    });
    out.energy = e;
    return out;
}

}  // namespace lj
