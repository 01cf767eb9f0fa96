// The project's charge-transfer reference calculator (used by make_charge_transfer_model and by the
// charge-transfer tests): charge equilibration of Gaussian charges with environment-dependent
// electronegativities plus a Born-Mayer repulsion, for open-boundary clusters (no cell).
//
//   E(R) = min over Q with sum_i Q_i = Q_tot of E(R, Q),
//   E(R, Q) = sum_i [ chi_i(R) Q_i + 1/2 (J_i + 1/(sigma_i sqrt(pi))) Q_i^2 ]          (hardness + Gaussian self-energy)
//           + sum_{i<j} Q_i Q_j erf(r_ij / (sqrt(2) gamma_ij)) / r_ij                (Gaussian-Gaussian Coulomb)
//           + sum_{i<j} A_ab exp(-r_ij / rho_ab)                                      (Born-Mayer repulsion)
//   chi_i(R) = chi0_e + kappa_e sum_{j != i} w(r_ij),   w(r) = (1 - (r / r_w)^2)^3 for r < r_w, else 0
//
// Gaussian charges as in docs/electrostatics.md and n2p2: rho_i(r) = Q_i (2 pi sigma_i^2)^(-3/2)
// exp(-|r - R_i|^2 / (2 sigma_i^2)), sigma_i a standard deviation, gamma_ij = sqrt(sigma_i^2 + sigma_j^2),
// k_e = 1 (atomic units). The electronegativity depends on the coordination (the kappa term), so the
// reference is not simply the 4G functional form with constant per-element electronegativities. The
// reference charges are the minimising Q: with A_ii = J_i + 1/(sigma_i sqrt(pi)), A_ij = erf(r_ij /
// (sqrt(2) gamma_ij)) / r_ij, they solve [A 1; 1^T 0] [Q; lambda] = [-chi; Q_tot] (A is symmetric positive
// definite for J > 0; solved here by Cholesky with the two-solve trick, independent of the library's
// electrostatics code). Because Q minimises E(R, Q) under a constraint that does not depend on R, the
// forces are the gradient at fixed Q: F_k = -dE(R, Q)/dR_k |_Q (including the chi_i(R) Q_i term).
//
// Units: atomic units throughout (hartree, bohr, e; Ha/bohr for forces; Ha/e for chi, Ha/e^2 for J).
// Default species: a cation "Na" (low electronegativity) and an anion "Cl" (high electronegativity);
// any other symbol is rejected.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "hdnnp/core/error.hpp"
#include "hdnnp/core/structure.hpp"
#include "hdnnp/core/vec3.hpp"

namespace ct {

using hdnnp::operator+;
using hdnnp::operator-;
using hdnnp::operator*;
using hdnnp::operator+=;
using hdnnp::operator-=;

/// Per-element parameters.
struct Species {
    std::string symbol;
    double chi0;    ///< electronegativity of the isolated atom [Ha/e]
    double kappa;   ///< change of chi per unit of coordination sum_j w(r_ij) [Ha/e]
    double J;       ///< hardness [Ha/e^2]
    double sigma;   ///< Gaussian charge width (standard deviation) [bohr]
};

/// Born-Mayer pair parameters A exp(-r / rho).
struct BornMayer {
    double A;    ///< [Ha]
    double rho;  ///< [bohr]
};

struct Parameters {
    Species cation{"Na", -0.15, 0.20, 0.10, 1.6};
    Species anion{"Cl", 0.15, -0.15, 0.05, 2.0};
    BornMayer cc{20.0, 0.6};  ///< cation-cation
    BornMayer ca{40.0, 0.6};  ///< cation-anion
    BornMayer aa{80.0, 0.7};  ///< anion-anion
    double r_w = 6.0;         ///< range of the coordination function w [bohr]
};

struct Result {
    double energy = 0.0;               ///< [Ha]
    std::vector<hdnnp::Vec3> forces;   ///< shape (N, 3) [Ha/bohr]
    std::vector<double> charges;       ///< shape (N) [e], sum = Q_tot
    std::vector<double> chi;           ///< shape (N) [Ha/e], chi_i(R)
    double lambda = 0.0;               ///< Lagrange multiplier (minus the chemical potential) [Ha/e]
};

/// Coordination function w(r) and dw/dr.
inline void coordination(double r, double r_w, double& w, double& dw) {
    if (r >= r_w) {
        w = dw = 0.0;
        return;
    }
    const double x2 = (r / r_w) * (r / r_w), u = 1.0 - x2;
    w = u * u * u;
    dw = -6.0 * u * u * r / (r_w * r_w);
}

/// Gaussian Coulomb kernel phi(r) = erf(r / a) / r and dphi/dr, a = sqrt(2) gamma.
inline void gaussian_coulomb(double r, double a, double& phi, double& dphi) {
    const double e = std::erf(r / a);
    phi = e / r;
    dphi = 2.0 / (a * std::sqrt(M_PI)) * std::exp(-(r * r) / (a * a)) / r - e / (r * r);
}

/// sqrt(2) gamma_ij = sqrt(2 (sigma_i^2 + sigma_j^2)) [bohr], the length in the Gaussian Coulomb kernel.
inline double gaussian_width(const Species& a, const Species& b) {
    return std::sqrt(2.0 * (a.sigma * a.sigma + b.sigma * b.sigma));
}

/// Index 0 (cation) or 1 (anion) of a symbol; throws hdnnp::Error for anything else.
inline int species_index(const Parameters& p, const std::string& symbol, std::size_t atom) {
    if (symbol == p.cation.symbol) return 0;
    if (symbol == p.anion.symbol) return 1;
    throw hdnnp::Error("charge-transfer reference: atom " + std::to_string(atom + 1) + " has element '" + symbol +
                       "'; expected " + p.cation.symbol + " or " + p.anion.symbol);
}

/// Per-atom species and the Qeq matrix of a structure; throws hdnnp::Error for a periodic structure,
/// unknown elements, coincident atoms or no atoms.
struct Setup {
    std::vector<const Species*> species;  ///< shape (N)
    std::vector<int> kind;                ///< shape (N): 0 cation, 1 anion
    std::vector<double> chi;              ///< shape (N): chi_i(R) [Ha/e]
    std::vector<double> A;                ///< shape (N, N) row-major [Ha/e^2]
};

inline Setup setup(const hdnnp::Structure& s, const Parameters& p) {
    using hdnnp::Vec3;
    if (s.periodic) throw hdnnp::Error("charge-transfer reference: open-boundary clusters only (the structure has a cell)");
    const std::size_t n = s.size();
    if (n == 0) throw hdnnp::Error("charge-transfer reference: the structure has no atoms");
    Setup q;
    q.species.resize(n);
    q.kind.resize(n);
    q.chi.resize(n);
    q.A.assign(n * n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        q.kind[i] = species_index(p, s.symbols[i], i);
        q.species[i] = q.kind[i] == 0 ? &p.cation : &p.anion;
        q.chi[i] = q.species[i]->chi0;
        q.A[i * n + i] = q.species[i]->J + 1.0 / (q.species[i]->sigma * std::sqrt(M_PI));
    }
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) {
            const double r = hdnnp::norm(s.positions[j] - s.positions[i]);
            if (!(r > 1e-8))
                throw hdnnp::Error("charge-transfer reference: atoms " + std::to_string(i + 1) + " and " + std::to_string(j + 1) +
                                   " coincide");
            double w, dw, phi, dphi;
            coordination(r, p.r_w, w, dw);
            q.chi[i] += q.species[i]->kappa * w;
            q.chi[j] += q.species[j]->kappa * w;
            gaussian_coulomb(r, gaussian_width(*q.species[i], *q.species[j]), phi, dphi);
            q.A[i * n + j] = q.A[j * n + i] = phi;
        }
    return q;
}

/// E(R, Q) and F = -dE(R, Q)/dR at fixed charges Q (shape (N) [e], any total): the energy functional of
/// the file comment, not minimised. Throws as setup().
inline Result evaluate(const hdnnp::Structure& s, const std::vector<double>& Q, const Parameters& p = {}) {
    using hdnnp::Vec3;
    const Setup q = setup(s, p);
    const std::size_t n = s.size();
    if (Q.size() != n)
        throw hdnnp::Error("charge-transfer reference: " + std::to_string(Q.size()) + " charges for " + std::to_string(n) + " atoms");
    Result out;
    out.chi = q.chi;
    out.charges = Q;
    double e = 0.0;
    for (std::size_t i = 0; i < n; ++i) e += q.chi[i] * Q[i] + 0.5 * q.A[i * n + i] * Q[i] * Q[i];
    out.forces.assign(n, Vec3{0, 0, 0});
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) {
            const Vec3 d = s.positions[j] - s.positions[i];
            const double r = hdnnp::norm(d);
            const int pair = q.kind[i] + q.kind[j];
            const BornMayer& bm = pair == 0 ? p.cc : (pair == 1 ? p.ca : p.aa);
            double w, dw, phi, dphi;
            coordination(r, p.r_w, w, dw);
            gaussian_coulomb(r, gaussian_width(*q.species[i], *q.species[j]), phi, dphi);
            const double rep = bm.A * std::exp(-r / bm.rho);
            e += Q[i] * Q[j] * phi + rep;
            const double dEdr = Q[i] * Q[j] * dphi - rep / bm.rho + (q.species[i]->kappa * Q[i] + q.species[j]->kappa * Q[j]) * dw;
            const Vec3 g = (dEdr / r) * d;  // dE/dR_j; dE/dR_i = -g
            out.forces[i] += g;
            out.forces[j] -= g;
        }
    out.energy = e;
    return out;
}

/// The minimising charges (sum = total_charge [e]) of a structure and the Lagrange multiplier lambda
/// (chi_i + (A Q)_i = -lambda for every atom). Throws as setup().
inline std::vector<double> equilibrate(const hdnnp::Structure& s, double total_charge, const Parameters& p, double* lambda = nullptr) {
    const Setup q = setup(s, p);
    const std::size_t n = s.size();
    // Cholesky A = L L^T (A is SPD), then A s = -chi, A t = 1, lambda = (1^T s - Q_tot) / 1^T t, Q = s - lambda t.
    std::vector<double> L(q.A);
    for (std::size_t j = 0; j < n; ++j) {
        double d = L[j * n + j];
        for (std::size_t k = 0; k < j; ++k) d -= L[j * n + k] * L[j * n + k];
        if (!(d > 0.0)) throw hdnnp::Error("charge-transfer reference: the Qeq matrix is not positive definite");
        L[j * n + j] = std::sqrt(d);
        for (std::size_t i = j + 1; i < n; ++i) {
            double v = L[i * n + j];
            for (std::size_t k = 0; k < j; ++k) v -= L[i * n + k] * L[j * n + k];
            L[i * n + j] = v / L[j * n + j];
        }
    }
    auto solve = [&](std::vector<double> b) {
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t k = 0; k < i; ++k) b[i] -= L[i * n + k] * b[k];
            b[i] /= L[i * n + i];
        }
        for (std::size_t i = n; i-- > 0;) {
            for (std::size_t k = i + 1; k < n; ++k) b[i] -= L[k * n + i] * b[k];
            b[i] /= L[i * n + i];
        }
        return b;
    };
    std::vector<double> minus_chi(n);
    for (std::size_t i = 0; i < n; ++i) minus_chi[i] = -q.chi[i];
    const std::vector<double> sv = solve(minus_chi), tv = solve(std::vector<double>(n, 1.0));
    double ss = 0.0, st = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        ss += sv[i];
        st += tv[i];
    }
    const double lam = (ss - total_charge) / st;
    if (lambda) *lambda = lam;
    std::vector<double> Q(n);
    for (std::size_t i = 0; i < n; ++i) Q[i] = sv[i] - lam * tv[i];
    return Q;
}

/// Energy, forces and charges of an open-boundary structure with total charge `total_charge` [e]:
/// the charges minimise E(R, Q), the forces are -dE/dR at those charges. Throws as setup().
inline Result compute(const hdnnp::Structure& s, double total_charge, const Parameters& p = {}) {
    double lambda = 0.0;
    Result out = evaluate(s, equilibrate(s, total_charge, p, &lambda), p);
    out.lambda = lambda;
    return out;
}

/// A copy of `s` labelled with the reference: energy, forces, charges and the total charge (has_charge).
inline hdnnp::Structure labelled(hdnnp::Structure s, double total_charge, const Parameters& p = {}) {
    const Result r = compute(s, total_charge, p);
    s.energy = r.energy;
    s.has_energy = true;
    s.forces = r.forces;
    s.charges = r.charges;
    s.total_charge = total_charge;
    s.has_charge = true;
    return s;
}

}  // namespace ct
