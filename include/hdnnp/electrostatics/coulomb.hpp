// hdnnp: the Coulomb operator of Gaussian charges and the 4G electrostatic energy.
//
// Atom i carries a spherical Gaussian charge Q_i (2 pi sigma_i^2)^(-3/2) exp(-|r - R_i|^2 / (2 sigma_i^2));
// gamma_ij = sqrt(sigma_i^2 + sigma_j^2); k_e = 1 / four_pi_epsilon. The Coulomb energy of the charges,
// including each Gaussian's self-energy, is E_C = 1/2 Q^T C Q with the symmetric N x N matrix C:
//
//   non-periodic  C_ij = k_e erf(r_ij / (sqrt2 gamma_ij)) / r_ij          (i != j)
//                 C_ii = k_e / (sigma_i sqrt(pi))
//   periodic      C_ij = k_e sum_{n: |r_ij + n| <= r_c}' [erfc(r/(sqrt2 eta)) - erfc(r/(sqrt2 gamma_ij))] / r
//                      + sum_{half k-sphere} a_k cos(k . (R_i - R_j))     (a_k: see KVectors)
//                      + delta_ij k_e [1/(sigma_i sqrt(pi)) - sqrt(2)/(eta sqrt(pi))]
//                 (' : the n = 0 term is left out for i == j; both n and -n images of an atom count)
// The charge-equilibration matrix of a 4G-HDNNP is A = C + diag(J) (J: element hardness).
// Point charges (3G): an element with sigma = 0 carries a point charge. Its pair kernels become 1/r
// (non-periodic) and erfc(r/(sqrt2 eta))/r (periodic real space), and its Gaussian self-energy
// k_e/(sigma sqrt pi) is left out of C_ii (and out of the removal in `screening`), so that 1/2 Q^T C Q is
// the point-charge Coulomb (Ewald) energy without the infinite self-energies.
//
// The electrostatic energy that enters the 4G total energy (n2p2's convention) is
//   E_elec = 1/2 Q^T C Q - k_e sum_i Q_i^2 / (2 sigma_i sqrt(pi)) + E_screen,
//   E_screen = k_e sum_{pairs (and images), r < r_out} Q_i Q_j erf(r/(sqrt2 gamma_ij)) (f_s(r) - 1) / r
// (f_s: ScreeningFunction). Pairs of an atom with its own periodic images enter E_screen with weight 1
// per image (n2p2, which visits both n and -n: twice the pair-counting value) unless
// `self_image_weight` is set to 1/2.
//
// Shapes: R (N, 3); element (N) element index per atom; sigma (n_elements) [length]; Q, y, u (N) [e];
// gradients (N, 3) [energy/length]; virial W_ab = -sum_pairs d_a dE/dd_b [energy] (d from atom i to the
// image of j). Units: those of the model (lengths, energies), charges in e.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "hdnnp/core/threads.hpp"
#include "hdnnp/core/vec3.hpp"
#include "hdnnp/electrostatics/ewald.hpp"
#include "hdnnp/electrostatics/screening.hpp"
#include "hdnnp/simd/simd.hpp"

namespace hdnnp {

namespace detail_coulomb {
constexpr double two_over_sqrt_pi = 1.1283791670955126;  // 2 / sqrt(pi)

/// The periodic real-space image pairs of one row i, gathered so that their kernels are evaluated a vector at a
/// time (GaussianCoulomb::row_kernels): partner j, d (atom i to the image of j), r, g = 1/(sqrt2 gamma_ij), and
/// phi, dphi. r, g, phi and dphi are padded to whole vectors.
struct RowPairs {
    std::vector<std::uint32_t> j;
    std::vector<Vec3> d;
    std::vector<double> r, g, phi, dphi;
};

/// One thread's share of a pair loop's gradient (shape (N) or empty), virial and per-atom virials (shape (N)
/// or empty).
struct PairGradient {
    bool used = false;
    std::vector<Vec3> g;
    Mat3 W{};
    std::vector<Mat3> VA;
    RowPairs rows;  ///< scratch of the periodic real-space rows
    /// Adds the pair (i, j) with d from atom i to the image of j and gd = dE/dd: gradients (i != j), the
    /// virial -d gd^T, half of it to each atom's virial.
    void add(std::size_t i, std::size_t j, const Vec3& d, const Vec3& gd) {
        if (!g.empty() && j != i) {
            g[i] -= gd;
            g[j] += gd;
        }
        for (int p = 0; p < 3; ++p)
            for (int q = 0; q < 3; ++q) {
                const double w = d[p] * gd[q];
                W[p][q] -= w;
                if (!VA.empty()) {
                    VA[i][p][q] -= 0.5 * w;
                    VA[j][p][q] -= 0.5 * w;
                }
            }
    }
    /// Adds this share to the totals (grad, atom_virial may be null).
    void sum_into(Vec3* grad, Mat3* virial, Mat3* atom_virial) const {
        if (!used) return;
        if (grad)
            for (std::size_t i = 0; i < g.size(); ++i) grad[i] += g[i];
        if (virial) *virial += W;
        if (atom_virial)
            for (std::size_t i = 0; i < VA.size(); ++i) atom_virial[i] += VA[i];
    }
};
/// erfc(x) and exp(-x^2) are below 2.3e-16 of their value at 0 for x >= 6.
constexpr double kErfcZero = 6.0;
/// 1/(sqrt2 gamma) of a pair of point charges (sigma = 0): any r >= 1e-8 gives x = r/(sqrt2 gamma) >= 1e142,
/// so erf(x) = 1, erfc(x) = 0 and exp(-x^2) = 0 exactly, without infinities (the 1/r kernel).
constexpr double kPointCharge = 1e150;
}  // namespace detail_coulomb

/// The matrix C(R) of a structure, as a dense matrix, as a matrix-free product, and its derivative.
class GaussianCoulomb {
public:
    GaussianCoulomb() = default;

    /// Non-periodic structure. element: shape (N); sigma: shape (n_elements); ke = 1/four_pi_epsilon.
    GaussianCoulomb(std::vector<Vec3> R, std::vector<int> element, std::vector<double> sigma, double ke)
        : R_(std::move(R)), el_(std::move(element)), sigma_(std::move(sigma)), ke_(ke) {
        setup_pairs();
    }

    /// Periodic structure with cell rows a, b, c and the given Ewald splitting and cutoffs.
    GaussianCoulomb(std::vector<Vec3> R, std::vector<int> element, std::vector<double> sigma, double ke, const Mat3& cell,
                    const EwaldParameters& ewald)
        : R_(std::move(R)), el_(std::move(element)), sigma_(std::move(sigma)), ke_(ke), periodic_(true), cell_(cell),
          ewald_(ewald) {
        setup_pairs();
        images_ = PairImages(R_, cell_, ewald_.real_cutoff);
        kv_ = make_kvectors(cell_, ewald_.eta, ewald_.kspace_cutoff, ke_);
        setup_phases();
    }

    std::size_t size() const { return R_.size(); }
    bool periodic() const { return periodic_; }
    double ke() const { return ke_; }
    const EwaldParameters& ewald() const { return ewald_; }
    const KVectors& kvectors() const { return kv_; }
    const std::vector<Vec3>& positions() const { return R_; }
    const std::vector<int>& elements() const { return el_; }
    const std::vector<double>& sigma() const { return sigma_; }
    const Mat3& cell() const { return cell_; }
    /// Stored real-space entries (pairs j >= i within r_c, images summed) after cache_real_space(), else 0.
    std::size_t real_space_entries() const { return col_.size(); }

    /// Diagonal terms that do not come from pairs: k_e/(sigma_i sqrt pi) [- k_e sqrt2/(eta sqrt pi)].
    double self_term(std::size_t i) const {
        double d = gaussian_self_energy(i);
        if (periodic_) d -= ke_ * std::sqrt(2.0) / (ewald_.eta * std::sqrt(M_PI));
        return d;
    }

    /// Self-energy k_e/(sigma_i sqrt pi) of atom i's Gaussian charge per unit Q_i^2/2 (0 for a point charge).
    double gaussian_self_energy(std::size_t i) const {
        const double s = sigma_[static_cast<std::size_t>(el_[i])];
        return s > 0.0 ? ke_ / (s * std::sqrt(M_PI)) : 0.0;
    }

    /// Pair kernel phi(r) (C_ij = k_e sum_images phi) for elements ei, ej [1/length].
    double kernel(int ei, int ej, double r) const {
        const double g = inv_sqrt2_gamma_[static_cast<std::size_t>(ei) * ne_ + static_cast<std::size_t>(ej)];
        const double xg = r * g;
        if (periodic_) {
            // erfc(x) < 2.2e-17 beyond x = 6: the Gaussian-width term is then below round-off
            const double eg = xg < detail_coulomb::kErfcZero ? std::erfc(xg) : 0.0;
            return (std::erfc(r * inv_sqrt2_eta_) - eg) / r;
        }
        return std::erf(xg) / r;
    }

    /// Pair kernel phi(r) and dphi/dr [1/length^2].
    void kernel(int ei, int ej, double r, double& phi, double& dphi) const {
        const double g = inv_sqrt2_gamma_[static_cast<std::size_t>(ei) * ne_ + static_cast<std::size_t>(ej)];
        const double inv_r = 1.0 / r;
        const double xg = r * g;
        if (periodic_) {
            const double xe = r * inv_sqrt2_eta_;
            double eg = 0.0, dg = 0.0;
            if (xg < detail_coulomb::kErfcZero) {
                eg = std::erfc(xg);
                dg = g * std::exp(-xg * xg);
            }
            phi = (std::erfc(xe) - eg) * inv_r;
            dphi = (detail_coulomb::two_over_sqrt_pi * (dg - inv_sqrt2_eta_ * std::exp(-xe * xe)) - phi) * inv_r;
        } else {
            phi = std::erf(xg) * inv_r;
            dphi = (detail_coulomb::two_over_sqrt_pi * g * std::exp(-xg * xg) - phi) * inv_r;
        }
    }

    /// Periodic: the image pairs of row i (j >= i, in images_.visit order) into rp, with phi (and with `deriv`
    /// dphi) of each, the kernels above evaluated a vector at a time (simd::erfc, simd::exp: within a few ulp of
    /// the scalar kernel).
    void row_kernels(std::size_t i, detail_coulomb::RowPairs& rp, bool deriv) const {
        using V = simd::Batch;
        constexpr std::size_t W = simd::width<V>;
        rp.j.clear();
        rp.d.clear();
        rp.r.clear();
        rp.g.clear();
        const double* gi = &inv_sqrt2_gamma_[static_cast<std::size_t>(el_[i]) * ne_];
        images_.visit(i, [&](std::size_t j, const Vec3& d, double r) {
            rp.j.push_back(static_cast<std::uint32_t>(j));
            rp.d.push_back(d);
            rp.r.push_back(r);
            rp.g.push_back(gi[static_cast<std::size_t>(el_[j])]);
        });
        const std::size_t np = (rp.r.size() + W - 1) / W * W;
        rp.r.resize(np, 1.0);  // padding: finite kernels, never read
        rp.g.resize(np, 0.0);
        rp.phi.resize(np);
        if (deriv) rp.dphi.resize(np);
        const V se(inv_sqrt2_eta_), zero(0.0);
        for (std::size_t p = 0; p < np; p += W) {
            const V r = simd::load<V>(&rp.r[p]), g = simd::load<V>(&rp.g[p]), ir = simd::reciprocal(r);
            const V xe = r * se, xg = r * g;
            const auto near = xg < V(detail_coulomb::kErfcZero);  // erfc(x) < 2.2e-17 beyond x = 6
            V eg = zero, dg = zero;
            if (simd::lane_bits(near)) {
                const V xn = simd::select(near, xg, zero);
                eg = simd::select(near, simd::erfc(xn), zero);
                if (deriv) dg = simd::select(near, g * simd::exp(-xn * xn), zero);
            }
            const V phi = (simd::erfc(xe) - eg) * ir;
            simd::store(&rp.phi[p], phi);
            if (deriv)
                simd::store(&rp.dphi[p], (detail_coulomb::two_over_sqrt_pi * (dg - se * simd::exp(-xe * xe)) - phi) * ir);
        }
    }

    /// C as a dense row-major N x N matrix (both triangles filled); C must hold N*N doubles.
    void dense(double* C) const {
        const std::size_t n = size();
        threads::for_each(n, threads::kMinPairRows, [](int) { return 0; }, [&](int, std::size_t i) {
            double* row = C + i * n;
            for (std::size_t j = i; j < n; ++j) row[j] = 0.0;
            row[i] = self_term(i);
            if (periodic_) {
                images_.visit(i, [&](std::size_t j, const Vec3&, double r) { row[j] += ke_ * kernel(el_[i], el_[j], r); });
                const std::size_t nk = kv_.size();
                const double* ci = &cosk_[i * nk];
                const double* si = &sink_[i * nk];
                const double* a = kv_.a.data();
                for (std::size_t j = i; j < n; ++j) {
                    const double* cj = &cosk_[j * nk];
                    const double* sj = &sink_[j * nk];
                    double acc = 0.0;
                    for (std::size_t k = 0; k < nk; ++k) acc += a[k] * (ci[k] * cj[k] + si[k] * sj[k]);
                    row[j] += acc;
                }
            } else {
                for (std::size_t j = i + 1; j < n; ++j) row[j] = ke_ * kernel(el_[i], el_[j], norm(R_[j] - R_[i]));
            }
        }, 4);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = i + 1; j < n; ++j) C[j * n + i] = C[i * n + j];
    }

    /// Stores the real-space part of C (summed over images) as a sparse upper triangle so that later
    /// products need no erfc evaluations. Memory: 12 bytes per pair (i <= j) within r_c. The entries of
    /// a row are in the order of first visit (fixed, independent of the thread count).
    void cache_real_space() {
        if (!periodic_ || cached_) return;
        const std::size_t n = size();
        std::vector<std::vector<std::uint32_t>> cols(n);
        std::vector<std::vector<double>> vals(n);
        constexpr std::uint32_t none = ~std::uint32_t{0};
        struct RowState {
            std::vector<std::uint32_t> where;  // column j -> its entry in the row
            detail_coulomb::RowPairs rp;
        };
        threads::for_each(
            n, threads::kMinPairRows, [&](int) { return RowState{std::vector<std::uint32_t>(n, none), {}}; },
            [&](RowState& st, std::size_t i) {
                auto& c = cols[i];
                auto& v = vals[i];
                row_kernels(i, st.rp, false);
                for (std::size_t p = 0; p < st.rp.j.size(); ++p) {
                    const std::uint32_t j = st.rp.j[p];
                    std::uint32_t& w = st.where[j];
                    if (w == none) {
                        w = static_cast<std::uint32_t>(c.size());
                        c.push_back(j);
                        v.push_back(0.0);
                    }
                    v[w] += ke_ * st.rp.phi[p];
                }
                for (std::uint32_t j : c) st.where[j] = none;
            },
            4);
        row_.assign(n + 1, 0);
        for (std::size_t i = 0; i < n; ++i) row_[i + 1] = row_[i] + cols[i].size();
        col_.resize(row_[n]);
        val_.resize(row_[n]);
        for (std::size_t i = 0; i < n; ++i) {
            std::copy(cols[i].begin(), cols[i].end(), col_.begin() + static_cast<std::ptrdiff_t>(row_[i]));
            std::copy(vals[i].begin(), vals[i].end(), val_.begin() + static_cast<std::ptrdiff_t>(row_[i]));
        }
        cached_ = true;
    }

    /// out = C u without forming C (shapes (N)).
    void apply(const double* u, double* out) const {
        const std::size_t n = size();
        for (std::size_t i = 0; i < n; ++i) out[i] = self_term(i) * u[i];
        if (!periodic_) {
            pair_loop([&](std::size_t i, std::size_t j, double phi, double* o) {
                o[i] += ke_ * phi * u[j];
                o[j] += ke_ * phi * u[i];
            }, out);
            return;
        }
        if (cached_) {
            rows_into(out, 16, [&](std::size_t i, double* o) {
                double acc = 0.0;
                const double ui = u[i];
                for (std::size_t p = row_[i]; p < row_[i + 1]; ++p) {
                    const std::size_t j = col_[p];
                    acc += val_[p] * u[j];
                    if (j != i) o[j] += val_[p] * ui;
                }
                o[i] += acc;
            });
        } else {
            pair_loop([&](std::size_t i, std::size_t j, double phi, double* o) {
                o[i] += ke_ * phi * u[j];
                if (j != i) o[j] += ke_ * phi * u[i];
            }, out);
        }
        // Reciprocal space: sum_k a_k [cos_i Re S_u(k) + sin_i Im S_u(k)], with the phases formed on the fly
        // from the per-axis tables (kspace_product) instead of streaming the (N, n_k) cos/sin tables twice.
        kspace_product(u, out);
    }

    /// Diagonal of C (shape (N)).
    std::vector<double> diagonal() const {
        const std::size_t n = size();
        std::vector<double> d(n);
        double ksum = 0.0;
        for (double a : kv_.a) ksum += a;
        for (std::size_t i = 0; i < n; ++i) d[i] = self_term(i) + ksum;
        if (periodic_) {
            for (std::size_t i = 0; i < n; ++i) {
                if (cached_) {
                    for (std::size_t p = row_[i]; p < row_[i + 1]; ++p)
                        if (col_[p] == i) d[i] += val_[p];
                } else {
                    // Only the images of atom i itself (j == i) contribute.
                    images_.visit_self(i, [&](const Vec3&, double r) { d[i] += ke_ * kernel(el_[i], el_[i], r); });
                }
            }
        }
        return d;
    }

    /// Periodic only: cos(k.R_i) and sin(k.R_i) of the half-sphere k-vector k (index into kvectors()) for every
    /// atom (c, s: shape (N)), from the per-axis factors (the values of the stored cos/sin tables, read
    /// contiguously instead of one column of them).
    void kvector_phases(std::size_t k, double* c, double* s) const {
        const std::size_t n = size();
        if (n == 0) return;
        std::size_t h[3];
        for (int a = 0; a < 3; ++a) {
            const std::size_t hmax = (axis_cos_[a].size() / n - 1) / 2;
            h[a] = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(hmax) + kv_.miller[3 * k + static_cast<std::size_t>(a)]);
        }
        const double* c0 = &axis_cos_[0][h[0] * n];
        const double* s0 = &axis_sin_[0][h[0] * n];
        const double* c1 = &axis_cos_[1][h[1] * n];
        const double* s1 = &axis_sin_[1][h[1] * n];
        const double* c2 = &axis_cos_[2][h[2] * n];
        const double* s2 = &axis_sin_[2][h[2] * n];
        for (std::size_t i = 0; i < n; ++i) {
            const double c01 = c0[i] * c1[i] - s0[i] * s1[i];
            const double s01 = s0[i] * c1[i] + c0[i] * s1[i];
            c[i] = c01 * c2[i] - s01 * s2[i];
            s[i] = s01 * c2[i] + c01 * s2[i];
        }
    }

    /// Adds the gradient of  E(R) = 1/2 Q^T C(R) Q + y^T C(R) Q  at fixed Q and y: grad[i] += dE/dR_i,
    /// virial -= sum d (dE/dd)^T (pairs) plus the reciprocal-space strain derivative. y may be null (y = 0).
    /// atom_virial (shape (N), may be null) += each atom's share of these virial terms: a pair term half to
    /// each of its atoms, a reciprocal-space term by the atoms' shares of the structure factors (the shares
    /// sum to the virial).
    void add_gradient(const double* Q, const double* y, Vec3* grad, Mat3& virial, Mat3* atom_virial = nullptr) const {
        const std::size_t n = size();
        const int nt = threads::max_threads();
        using Acc = detail_coulomb::PairGradient;
        std::vector<Acc> acc(static_cast<std::size_t>(nt));
        auto yv = [&](std::size_t i) { return y ? y[i] : 0.0; };
        auto start = [&](int t) {  // the thread's accumulator, zeroed on its first use
            Acc& a = acc[static_cast<std::size_t>(t)];
            if (!a.used) {
                a.used = true;
                a.g.assign(n, Vec3{0, 0, 0});
                if (atom_virial) a.VA.assign(n, Mat3{});
            }
            return &a;
        };
        threads::for_each(n, threads::kMinPairRows, start, [&](Acc* a, std::size_t i) {
            auto pair = [&](std::size_t j, const Vec3& d, double r, double dphi) {
                // coefficient of phi in 1/2 Q C Q + y C Q (both orders of i != j; one image visit for j == i)
                const double c = (j == i) ? (0.5 * Q[i] * Q[i] + yv(i) * Q[i])
                                          : (Q[i] * Q[j] + yv(i) * Q[j] + yv(j) * Q[i]);
                const double s = c * ke_ * dphi / r;  // dE/dd = s d
                a->add(i, j, d, s * d);
            };
            if (periodic_) {
                detail_coulomb::RowPairs& rp = a->rows;
                row_kernels(i, rp, true);
                for (std::size_t p = 0; p < rp.j.size(); ++p) pair(rp.j[p], rp.d[p], rp.r[p], rp.dphi[p]);
            } else {
                for (std::size_t j = i + 1; j < n; ++j) {
                    const Vec3 d = R_[j] - R_[i];
                    const double r = norm(d);
                    double phi, dphi;
                    kernel(el_[i], el_[j], r, phi, dphi);
                    pair(j, d, r, dphi);
                }
            }
        }, 4);
        if (periodic_) {
            // Reciprocal space, half sphere (a_k carries the factor 2):
            //   dE/dR_i = sum_k a_k k [(Q_i + y_i)(c_i SQ - s_i CQ) + Q_i (c_i Sy - s_i Cy)]
            const std::size_t nk = kv_.size();
            std::vector<double> cq(nk), sq(nk), cy(nk, 0.0), sy(nk, 0.0);
            structure_factor(Q, cq.data(), sq.data());
            if (y) structure_factor(y, cy.data(), sy.data());
            // Strain derivative: W_ab += sum_k e_k [delta_ab - 2 k_a k_b (1/k^2 + eta^2/2)],
            // e_k = a_k [1/2 (CQ^2 + SQ^2) + CQ Cy + SQ Sy]; atom i's share of e_k:
            // a_k [1/2 Q_i (c_i CQ + s_i SQ) + 1/2 Q_i (c_i Cy + s_i Sy) + 1/2 y_i (c_i CQ + s_i SQ)].
            const double eta2 = ewald_.eta * ewald_.eta;
            std::vector<double> fk(nk);
            for (std::size_t k = 0; k < nk; ++k) fk[k] = 2.0 * (1.0 / kv_.k2[k] + 0.5 * eta2);
            threads::for_each(n, threads::kMinPairRows, start, [&](Acc* a, std::size_t i) {
                const double* ci = &cosk_[i * nk];
                const double* si = &sink_[i * nk];
                const double qy = Q[i] + yv(i), qi = Q[i];
                Vec3 g{0, 0, 0};
                Mat3 va{};
                for (std::size_t k = 0; k < nk; ++k) {
                    const double f = kv_.a[k] * (qy * (ci[k] * sq[k] - si[k] * cq[k]) + qi * (ci[k] * sy[k] - si[k] * cy[k]));
                    g += f * kv_.k[k];
                    if (atom_virial) {
                        const double pq = ci[k] * cq[k] + si[k] * sq[k], py = ci[k] * cy[k] + si[k] * sy[k];
                        const double e = kv_.a[k] * 0.5 * (qy * pq + qi * py);
                        for (int p = 0; p < 3; ++p)
                            for (int q = 0; q < 3; ++q) va[p][q] += e * ((p == q ? 1.0 : 0.0) - fk[k] * kv_.k[k][p] * kv_.k[k][q]);
                    }
                }
                a->g[i] += g;
                if (atom_virial) a->VA[i] += va;
            });
            for (std::size_t k = 0; k < nk; ++k) {
                const double e = kv_.a[k] * (0.5 * (cq[k] * cq[k] + sq[k] * sq[k]) + cq[k] * cy[k] + sq[k] * sy[k]);
                for (int p = 0; p < 3; ++p)
                    for (int q = 0; q < 3; ++q) virial[p][q] += e * ((p == q ? 1.0 : 0.0) - fk[k] * kv_.k[k][p] * kv_.k[k][q]);
            }
        }
        for (const Acc& a : acc) a.sum_into(grad, &virial, atom_virial);
    }

    /// Forces of E_elec at fixed charges, as the 3G and 4G potentials need them: F -= d/dR [1/2 Q^T C Q +
    /// y^T C Q + E_s(Q)] (E_s: screening(); y may be null), and the virial of these terms is added to W
    /// (and each atom's share to atom_virial, shape (N), if not null).
    /// Shapes: Q, y (N) [e]; F (N, 3) [energy/length]; W [energy].
    void subtract_gradient(const double* Q, const double* y, const ScreeningFunction& fs, double self_image_weight,
                           Vec3* F, Mat3& W, Mat3* atom_virial = nullptr) const {
        std::vector<Vec3> grad(size(), Vec3{0, 0, 0});
        add_gradient(Q, y, grad.data(), W, atom_virial);
        screening(fs, self_image_weight, Q, nullptr, grad.data(), &W, nullptr, atom_virial);
        for (std::size_t i = 0; i < size(); ++i) F[i] -= grad[i];
    }

    /// Screening correction and the Gaussian self-energy removal of E_elec (see the header):
    ///   returns  E_s = -k_e sum Q_i^2/(2 sigma_i sqrt pi) + E_screen(Q);
    /// dEdQ (shape (N), may be null) += dE_s/dQ; grad (may be null) += dE_s/dR at fixed Q; virial likewise;
    /// atom_energy (shape (N), may be null) += each atom's share of E_s (its self term, half of each pair);
    /// atom_virial (shape (N), may be null) += half of each pair's virial to each of its atoms.
    double screening(const ScreeningFunction& fs, double self_image_weight, const double* Q, double* dEdQ, Vec3* grad,
                     Mat3* virial, double* atom_energy = nullptr, Mat3* atom_virial = nullptr) const {
        const std::size_t n = size();
        double e = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            const double s = gaussian_self_energy(i);
            e -= 0.5 * s * Q[i] * Q[i];
            if (dEdQ) dEdQ[i] -= s * Q[i];
            if (atom_energy) atom_energy[i] -= 0.5 * s * Q[i] * Q[i];
        }
        if (!fs.enabled()) return e;
        const double rout = fs.outer;
        struct Acc : detail_coulomb::PairGradient {
            double e = 0.0;
            std::vector<double> q, ae;
        };
        std::vector<Acc> acc(static_cast<std::size_t>(threads::max_threads()));
        const PairImages screen_images = periodic_ ? PairImages(R_, cell_, rout) : PairImages(R_, rout);
        auto start = [&](int t) {
            Acc& a = acc[static_cast<std::size_t>(t)];
            a.used = true;
            if (dEdQ) a.q.assign(n, 0.0);
            if (grad) a.g.assign(n, Vec3{0, 0, 0});
            if (atom_energy) a.ae.assign(n, 0.0);
            if (atom_virial) a.VA.assign(n, Mat3{});
            return &a;
        };
        threads::for_each(n, threads::kMinPairRows, start, [&](Acc* a, std::size_t i) {
            auto pair = [&](std::size_t j, const Vec3& d, double r) {
                if (!(r < rout)) return;
                const double g = inv_sqrt2_gamma_[static_cast<std::size_t>(el_[i]) * ne_ + static_cast<std::size_t>(el_[j])];
                const double x = r * g;
                const double erfx = std::erf(x);
                double f, df;
                fs.fdf(r, f, df);
                const double inv_r = 1.0 / r;
                const double s = ke_ * erfx * (f - 1.0) * inv_r;
                const double ds = ke_ * ((detail_coulomb::two_over_sqrt_pi * g * std::exp(-x * x) * (f - 1.0) + erfx * df) * inv_r -
                                         erfx * (f - 1.0) * inv_r * inv_r);
                const double w = (j == i) ? self_image_weight : 1.0;
                const double ep = w * Q[i] * Q[j] * s;
                a->e += ep;
                if (dEdQ) {
                    a->q[i] += w * Q[j] * s;
                    a->q[j] += w * Q[i] * s;
                }
                if (atom_energy) {
                    a->ae[i] += 0.5 * ep;
                    a->ae[j] += 0.5 * ep;
                }
                a->add(i, j, d, (w * Q[i] * Q[j] * ds * inv_r) * d);  // dE/dd
            };
            screen_images.visit(i, pair);  // clusters too: only pairs with r <= r_out contribute
        }, 8);
        for (const Acc& a : acc) {
            if (!a.used) continue;
            e += a.e;
            if (dEdQ)
                for (std::size_t i = 0; i < n; ++i) dEdQ[i] += a.q[i];
            if (atom_energy)
                for (std::size_t i = 0; i < n; ++i) atom_energy[i] += a.ae[i];
            a.sum_into(grad, virial, atom_virial);
        }
        return e;
    }

private:
    void setup_pairs() {
        ne_ = sigma_.size();
        inv_sqrt2_gamma_.assign(ne_ * ne_, 0.0);
        for (std::size_t a = 0; a < ne_; ++a)
            for (std::size_t b = 0; b < ne_; ++b) {
                const double g2 = sigma_[a] * sigma_[a] + sigma_[b] * sigma_[b];
                inv_sqrt2_gamma_[a * ne_ + b] = g2 > 0.0 ? 1.0 / std::sqrt(2.0 * g2) : detail_coulomb::kPointCharge;
            }
        if (periodic_) inv_sqrt2_eta_ = 1.0 / (std::sqrt(2.0) * ewald_.eta);
    }

    /// cos and sin of k.R_i for all atoms and k-vectors: exp(i k.R) = prod_a exp(2 pi i h_a f_a) with the
    /// Miller indices h and the fractional coordinates f = b_a . R, one sincos per atom, axis and index
    /// (instead of one per atom and k-vector).
    void setup_phases() {
        const std::size_t n = R_.size(), nk = kv_.size();
        cosk_.assign(n * nk, 0.0);
        sink_.assign(n * nk, 0.0);
        if (nk == 0) return;
        const Mat3 rec = reciprocal_rows(cell_);
        int hmax[3] = {0, 0, 0};
        for (std::size_t k = 0; k < nk; ++k)
            for (int a = 0; a < 3; ++a) hmax[a] = std::max(hmax[a], std::abs(kv_.miller[3 * k + a]));
        for (int a = 0; a < 3; ++a) {
            axis_cos_[a].assign(static_cast<std::size_t>(2 * hmax[a] + 1) * n, 0.0);
            axis_sin_[a].assign(static_cast<std::size_t>(2 * hmax[a] + 1) * n, 0.0);
        }
        // Runs of k-vectors with the same first two Miller indices and consecutive third ones (make_kvectors
        // lists the third index innermost).
        runs_.clear();
        for (std::size_t k = 0; k < nk; ++k) {
            const int* m = &kv_.miller[3 * k];
            const std::size_t h0 = static_cast<std::size_t>(m[0] + hmax[0]), h1 = static_cast<std::size_t>(m[1] + hmax[1]),
                              l = static_cast<std::size_t>(m[2] + hmax[2]);
            if (!runs_.empty()) {
                KRun& r = runs_.back();
                if (r.h0 == h0 && r.h1 == h1 && r.l0 + r.len == l) {
                    ++r.len;
                    continue;
                }
            }
            runs_.push_back(KRun{h0, h1, l, 1, k});
        }
        struct Tables {
            std::vector<double> ec[3], es[3];  // cos, sin of 2 pi h f_a for h = -hmax .. hmax
        };
        threads::for_each(
            n, threads::kMinPairRows,
            [&](int) {
                Tables tb;
                for (int a = 0; a < 3; ++a) {
                    tb.ec[a].resize(static_cast<std::size_t>(2 * hmax[a] + 1));
                    tb.es[a].resize(static_cast<std::size_t>(2 * hmax[a] + 1));
                }
                return tb;
            },
            [&](Tables& tb, std::size_t i) {
                auto& ec = tb.ec;
                auto& es = tb.es;
                for (int a = 0; a < 3; ++a) {
                    const double f = dot(rec[a], R_[i]);
                    for (int h = -hmax[a]; h <= hmax[a]; ++h) {
                        const double ph = 2.0 * M_PI * (static_cast<double>(h) * (f - std::floor(f)));
                        ec[a][static_cast<std::size_t>(h + hmax[a])] = std::cos(ph);
                        es[a][static_cast<std::size_t>(h + hmax[a])] = std::sin(ph);
                    }
                    for (std::size_t h = 0; h < ec[a].size(); ++h) {
                        axis_cos_[a][h * n + i] = ec[a][h];
                        axis_sin_[a][h * n + i] = es[a][h];
                    }
                }
                double* ci = &cosk_[i * nk];
                double* si = &sink_[i * nk];
                for (std::size_t k = 0; k < nk; ++k) {
                    const std::size_t h0 = static_cast<std::size_t>(kv_.miller[3 * k] + hmax[0]);
                    const std::size_t h1 = static_cast<std::size_t>(kv_.miller[3 * k + 1] + hmax[1]);
                    const std::size_t h2 = static_cast<std::size_t>(kv_.miller[3 * k + 2] + hmax[2]);
                    const double c01 = ec[0][h0] * ec[1][h1] - es[0][h0] * es[1][h1];
                    const double s01 = es[0][h0] * ec[1][h1] + ec[0][h0] * es[1][h1];
                    ci[k] = c01 * ec[2][h2] - s01 * es[2][h2];
                    si[k] = s01 * ec[2][h2] + c01 * es[2][h2];
                }
            });
    }

    /// out[i] += sum_k a_k [cos(k.R_i) Re S_u(k) + sin(k.R_i) Im S_u(k)], S_u(k) = sum_j u_j exp(i k.R_j), with
    /// exp(i k.R_i) = E0_h(i) E1_k(i) E2_l(i) from the per-axis tables (axis_cos_/axis_sin_, the same factors and
    /// formula as cosk_/sink_) over blocks of kAxisBlock atoms: per block the tables' rows stay in cache, the
    /// loops over the block's atoms vectorise, and nothing of size N n_k is read. Serial structure factor (a
    /// fixed summation order: thread-count independent), back-projection threaded over blocks.
    void kspace_product(const double* u, double* out) const {
        const std::size_t n = size(), nk = kv_.size();
        if (nk == 0) return;
        std::vector<double> cu(nk), su(nk);
        structure_factor(u, cu.data(), su.data());
        const std::size_t nblocks = (n + kAxisBlock - 1) / kAxisBlock;
        for (std::size_t k = 0; k < nk; ++k) {
            cu[k] *= kv_.a[k];
            su[k] *= kv_.a[k];
        }
        threads::for_each(nblocks, 2, [](int) { return 0; }, [&](int, std::size_t b) {
            double c01[kAxisBlock], s01[kAxisBlock], acc[kAxisBlock];
            const std::size_t i0 = b * kAxisBlock, nb = std::min(kAxisBlock, n - i0);
            std::fill(acc, acc + nb, 0.0);
            for (const KRun& run : runs_) {
                phase01(run, i0, nb, c01, s01);
                for (std::size_t t = 0; t < run.len; ++t) {
                    const double* ec = &axis_cos_[2][(run.l0 + t) * n + i0];
                    const double* es = &axis_sin_[2][(run.l0 + t) * n + i0];
                    const double ac = cu[run.k0 + t], as = su[run.k0 + t];
#pragma omp simd
                    for (std::size_t v = 0; v < nb; ++v)
                        acc[v] += ac * (c01[v] * ec[v] - s01[v] * es[v]) + as * (s01[v] * ec[v] + c01[v] * es[v]);
                }
            }
            for (std::size_t v = 0; v < nb; ++v) out[i0 + v] += acc[v];
        }, 1);
    }

    /// exp(i (k_0 + k_1).R) of the block's atoms for a run's first two Miller indices.
    struct KRun {
        std::size_t h0, h1, l0, len, k0;  // axis-table rows of h and k, first row of l, run length, first k index
    };
    void phase01(const KRun& run, std::size_t i0, std::size_t nb, double* c01, double* s01) const {
        const std::size_t n = size();
        const double* c0 = &axis_cos_[0][run.h0 * n + i0];
        const double* s0 = &axis_sin_[0][run.h0 * n + i0];
        const double* c1 = &axis_cos_[1][run.h1 * n + i0];
        const double* s1 = &axis_sin_[1][run.h1 * n + i0];
#pragma omp simd
        for (std::size_t v = 0; v < nb; ++v) {
            c01[v] = c0[v] * c1[v] - s0[v] * s1[v];
            s01[v] = s0[v] * c1[v] + c0[v] * s1[v];
        }
    }

    /// Re and Im of S_u(k) = sum_j u_j exp(i k.R_j) (shapes (n_k)), from the per-axis tables over blocks of
    /// atoms (see kspace_product); serial, in a fixed order.
    void structure_factor(const double* u, double* c, double* s) const {
        const std::size_t n = size(), nk = kv_.size();
        std::fill(c, c + nk, 0.0);
        std::fill(s, s + nk, 0.0);
        double c01[kAxisBlock], s01[kAxisBlock];
        for (std::size_t i0 = 0; i0 < n; i0 += kAxisBlock) {
            const std::size_t nb = std::min(kAxisBlock, n - i0);
            const double* ub = u + i0;
            for (const KRun& run : runs_) {
                phase01(run, i0, nb, c01, s01);
                for (std::size_t t = 0; t < run.len; ++t) {
                    const double* ec = &axis_cos_[2][(run.l0 + t) * n + i0];
                    const double* es = &axis_sin_[2][(run.l0 + t) * n + i0];
                    double ac = 0.0, as = 0.0;
#pragma omp simd reduction(+ : ac, as)
                    for (std::size_t v = 0; v < nb; ++v) {
                        ac += ub[v] * (c01[v] * ec[v] - s01[v] * es[v]);
                        as += ub[v] * (s01[v] * ec[v] + c01[v] * es[v]);
                    }
                    c[run.k0 + t] += ac;
                    s[run.k0 + t] += as;
                }
            }
        }
    }

    /// f(i, j, phi, out) for every real-space pair visit (j >= i), with per-thread output buffers summed
    /// into out.
    template <class F> void pair_loop(F&& f, double* out) const {
        const std::size_t n = size();
        rows_into(out, 4, [&](std::size_t i, double* o) {
            if (periodic_) {
                images_.visit(i, [&](std::size_t j, const Vec3&, double r) { f(i, j, kernel(el_[i], el_[j], r), o); });
            } else {
                for (std::size_t j = i + 1; j < n; ++j) f(i, j, kernel(el_[i], el_[j], norm(R_[j] - R_[i])), o);
            }
        });
    }

    /// row(i, o) for every atom i, o a per-thread output vector (shape (N)), the threads' vectors summed into
    /// out in thread order (deterministic).
    template <class Row> void rows_into(double* out, std::int64_t chunk, Row&& row) const {
        const std::size_t n = size();
        std::vector<std::vector<double>> tout(static_cast<std::size_t>(threads::max_threads()));
        threads::for_each(
            n, threads::kMinPairRows,
            [&](int t) {
                tout[static_cast<std::size_t>(t)].assign(n, 0.0);
                return tout[static_cast<std::size_t>(t)].data();
            },
            [&](double* o, std::size_t i) { row(i, o); }, chunk);
        for (const auto& t : tout)
            for (std::size_t i = 0; i < t.size(); ++i) out[i] += t[i];
    }

    std::vector<Vec3> R_;
    std::vector<int> el_;
    std::vector<double> sigma_;
    double ke_ = 1.0;
    bool periodic_ = false;
    Mat3 cell_{};
    EwaldParameters ewald_{};
    std::size_t ne_ = 0;
    std::vector<double> inv_sqrt2_gamma_;  // shape (n_elements, n_elements)
    double inv_sqrt2_eta_ = 0.0;
    PairImages images_;
    KVectors kv_;
    std::vector<double> cosk_, sink_;  // shape (N, n_k): cos(k.R_i), sin(k.R_i)
    static constexpr std::size_t kAxisBlock = 64;  // atoms per block of kspace_product
    std::vector<double> axis_cos_[3], axis_sin_[3];  // shape (2 hmax_a + 1, N): cos, sin(2 pi h f_a(R_i))
    std::vector<KRun> runs_;                         // the k-vectors as runs (kspace_product)
    bool cached_ = false;
    std::vector<std::size_t> row_;
    std::vector<std::uint32_t> col_;
    std::vector<double> val_;
};

}  // namespace hdnnp
