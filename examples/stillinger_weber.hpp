// The project's Stillinger-Weber silicon reference calculator (used by make_sw_model, sw_sampling.hpp and the
// shipped-model test).
//
//   E = sum_{i<j} phi2(r_ij) + sum_i sum_{j<k, j,k != i} phi3(r_ij, r_ik, theta_jik)
//   phi2(r) = A eps [B (sigma/r)^p - (sigma/r)^q] exp(sigma / (r - a sigma))                     r < a sigma
//   phi3    = lambda eps (cos theta_jik - cos theta0)^2 exp(gamma sigma / (r_ij - a sigma))
//                                                     exp(gamma sigma / (r_ik - a sigma))        r_ij, r_ik < a sigma
//
// Stillinger and Weber, Phys. Rev. B 31, 5262 (1985), silicon: eps = 2.1683 eV, sigma = 2.0951 A, a = 1.80,
// lambda = 21.0, gamma = 1.20, A = 7.049556277, B = 0.6022245584, p = 4, q = 0, cos theta0 = -1/3; cutoff
// a sigma = 3.77118 A (every term and all its derivatives vanish there). Ideal diamond at a0 = 5.431 A:
// -2 eps = -4.3366 eV/atom (the pair minimum -eps sits at r = 2^(1/6) sigma, the angular term is zero).
//
// Units: eV, Angstrom; forces eV/A; virial eV; stress eV/A^3. Periodic images are summed explicitly
// (periodic_images.hpp), so cells of any shape, including cells smaller than the cutoff, are exact.
// Virial and stress follow hdnnp::Result: W_ab = -sum_pairs d_a dE/dd_b over every pair vector d (the
// vectors from a centre to its neighbour images, each gradient taken at fixed others), stress = -W / V
// (ASE sign: positive under tension), so stress_ab = (1/V) dE/d(epsilon_ab) for a symmetric strain epsilon
// applied to cell and positions.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include "hdnnp/core/error.hpp"
#include "hdnnp/core/result.hpp"
#include "hdnnp/core/structure.hpp"
#include "hdnnp/core/vec3.hpp"
#include "periodic_images.hpp"

namespace sw {

using hdnnp::operator+;
using hdnnp::operator-;
using hdnnp::operator*;
using hdnnp::operator+=;
using hdnnp::operator-=;

struct Parameters {
    double epsilon = 2.1683;       ///< [eV]
    double sigma = 2.0951;         ///< [Angstrom]
    double a = 1.80;               ///< cutoff in units of sigma
    double lambda = 21.0;
    double gamma = 1.20;
    double A = 7.049556277;
    double B = 0.6022245584;
    double p = 4.0;
    double q = 0.0;
    double cos_theta0 = -1.0 / 3.0;
    double cutoff() const { return a * sigma; }  ///< [Angstrom]
};

/// Energy [eV], forces shape (N, 3) [eV/A], per-atom energies shape (N) [eV] (summing to energy: each atom
/// gets half of its pair terms and the triplets it is the centre of), virial [eV], stress [eV/A^3] (periodic).
struct Output {
    double energy = 0.0;
    std::vector<hdnnp::Vec3> forces;
    std::vector<double> atom_energies;
    hdnnp::Mat3 virial{};
    hdnnp::Mat3 stress{};
};

/// phi2(r) and dphi2/dr (r < a sigma).
inline void pair_term(const Parameters& P, double r, double& e, double& de) {
    const double rc = P.cutoff(), u = P.sigma / r;
    const double up = std::pow(u, P.p), uq = std::pow(u, P.q);
    const double t = P.B * up - uq, dt = (-P.p * P.B * up + P.q * uq) / r;
    const double x = 1.0 / (r - rc), g = std::exp(P.sigma * x), dg = -P.sigma * x * x * g;
    e = P.A * P.epsilon * t * g;
    de = P.A * P.epsilon * (dt * g + t * dg);
}

/// g(r) = exp(gamma sigma / (r - a sigma)) and dg/dr (r < a sigma).
inline void radial_factor(const Parameters& P, double r, double& g, double& dg) {
    const double x = 1.0 / (r - P.cutoff());
    g = std::exp(P.gamma * P.sigma * x);
    dg = -P.gamma * P.sigma * x * x * g;
}

/// Energy, forces, per-atom energies, virial and stress of a structure (periodic or not).
inline Output compute(const hdnnp::Structure& s, const Parameters& P = {}) {
    using hdnnp::Vec3;
    const std::size_t n = s.size();
    if (s.symbols.size() != n) throw hdnnp::Error("sw::compute: positions and symbols differ in length");
    for (std::size_t i = 0; i < n; ++i)
        if (s.symbols[i] != "Si")
            throw hdnnp::Error("sw::compute: atom " + std::to_string(i + 1) + " is '" + s.symbols[i] + "', expected Si");
    // Full neighbour lists: every image of every other atom (and of the atom itself) within the cutoff.
    struct Neighbor {
        std::size_t j;
        Vec3 d;  // from atom i to the image of j [A]
        double r;
    };
    std::vector<std::vector<Neighbor>> nb(n);
    examples::for_each_pair_image(s, P.cutoff(), [&](std::size_t i, std::size_t j, const Vec3& v, double r2) {
        const double r = std::sqrt(r2);
        nb[i].push_back({j, v, r});
        if (i != j) nb[j].push_back({i, -1.0 * v, r});  // a self-image is visited for +n and -n already
    });

    Output out;
    out.forces.assign(n, Vec3{0, 0, 0});
    out.atom_energies.assign(n, 0.0);
    std::vector<Vec3> grad;  // dE_i/dd of each neighbour of the current centre
    for (std::size_t i = 0; i < n; ++i) {
        const auto& L = nb[i];
        grad.assign(L.size(), Vec3{0, 0, 0});
        double ei = 0.0;
        std::vector<double> g(L.size()), dg(L.size());
        for (std::size_t m = 0; m < L.size(); ++m) {
            double e, de;
            pair_term(P, L[m].r, e, de);
            ei += 0.5 * e;
            grad[m] += (0.5 * de / L[m].r) * L[m].d;
            radial_factor(P, L[m].r, g[m], dg[m]);
        }
        for (std::size_t m = 0; m < L.size(); ++m)
            for (std::size_t k = m + 1; k < L.size(); ++k) {
                const Vec3& u = L[m].d;
                const Vec3& w = L[k].d;
                const double ru = L[m].r, rw = L[k].r;
                const double c = hdnnp::dot(u, w) / (ru * rw);
                const double dc = c - P.cos_theta0;
                const double h = P.lambda * P.epsilon;
                ei += h * dc * dc * g[m] * g[k];
                // dc/du = w/(|u||w|) - c u/|u|^2; dc/dw likewise.
                const double a1 = 2.0 * h * dc * g[m] * g[k];
                const double bu = h * dc * dc * dg[m] * g[k] / ru, bw = h * dc * dc * g[m] * dg[k] / rw;
                grad[m] += a1 / (ru * rw) * w + (bu - a1 * c / (ru * ru)) * u;
                grad[k] += a1 / (ru * rw) * u + (bw - a1 * c / (rw * rw)) * w;
            }
        out.atom_energies[i] = ei;
        out.energy += ei;
        for (std::size_t m = 0; m < L.size(); ++m) {
            out.forces[L[m].j] -= grad[m];
            out.forces[i] += grad[m];
            for (int a = 0; a < 3; ++a)
                for (int b = 0; b < 3; ++b) out.virial[a][b] -= L[m].d[a] * grad[m][b];
        }
    }
    if (s.periodic) {
        const double v = s.volume();
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) out.stress[a][b] = -out.virial[a][b] / v;
    }
    return out;
}

/// Stillinger-Weber behind the interface md::Dynamics drives: compute(Structure, ComputeOptions) -> Result
/// (energy [eV], forces [eV/A], virial [eV], stress [eV/A^3], per-atom energies if options.per_atom).
class Potential {
public:
    explicit Potential(Parameters p = {}) : p_(p) {}
    const Parameters& parameters() const { return p_; }
    hdnnp::Result compute(const hdnnp::Structure& s, const hdnnp::ComputeOptions& options = {}) const {
        Output o = sw::compute(s, p_);
        hdnnp::Result r;
        r.energy = o.energy;
        r.short_energy = o.energy;
        if (options.forces) {
            r.forces = std::move(o.forces);
            r.virial = o.virial;
            r.stress = o.stress;
            r.has_stress = s.periodic;
        }
        if (options.per_atom) r.per_atom_energies = o.atom_energies;
        r.atomic_energies = std::move(o.atom_energies);
        return r;
    }

private:
    Parameters p_;
};

}  // namespace sw
