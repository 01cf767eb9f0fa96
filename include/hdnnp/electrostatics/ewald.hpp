// hdnnp: Ewald summation for Gaussian charges in general triclinic cells: the choice of the splitting
// width eta and of the cutoffs (n2p2's `ewald_truncation_error_method` and `ewald_prec`), the
// reciprocal-space vectors, and the enumeration of real-space pair images.
//
// Splitting (eta: standard deviation of the screening Gaussians, alpha = 1/(sqrt(2) eta)):
//   real space   k_e sum_{n, |r_ij + n| <= r_c} [erfc(r/(sqrt2 eta)) - erfc(r/(sqrt2 gamma_ij))] / r
//   reciprocal   k_e (4 pi / V) sum_{0 < |k| < k_c} exp(-eta^2 k^2 / 2) / k^2  cos(k . r_ij)
//   self         -k_e sqrt(2) / (eta sqrt(pi))   (on the diagonal)
// Only half of the k-sphere is stored (n2p2's layout: first nonzero Miller index positive), each
// vector with twice its weight.
//
// Parameter choice (recomputed for every structure, as n2p2 does; V = |det(cell)|, N atoms):
//   method 0 (Jackson-Catlow, `ewald_prec eps`, eps < 1):
//       eta = V^(1/3) / sqrt(2 pi),  r_c = sqrt(-2 ln eps) eta,  k_c = sqrt(-2 ln eps) / eta
//   method 1 (Kolafa-Perram, `ewald_prec eps_F q_max`, eps_F an RMS force error [energy/length]):
//       C = 2^(3/4) q_max^2 sqrt(N/V) k_e,  eta0 = (V^2 / (3.676 (2 pi)^3))^(1/6),
//       iterate  exp(-s^2)/sqrt(s) = eps_F / C sqrt(eta/2)  (Newton in s),  eta = eta0 (1 + 1/(2 s^2))^(1/6)
//       to relative changes below 1e-10; then eta = max(eta, sigma_max),
//       r_c = sqrt(2) eta s,  k_c = sqrt(2) s / eta
//   method 1 with a fixed real-space cutoff (`ewald_prec eps_F q_max r_c`):
//       C = 2 q_max^2 sqrt(N/V) k_e,  x = sqrt(r_c/2) eps_F / C (< 1),  eta = r_c / sqrt(-2 ln x),
//       k_c solves exp(-eta^2 k^2 / 2) / sqrt(k) = eta eps_F / (sqrt(2) C)  (Newton in k)
// What the width balances (EwaldSettings::balance; the accuracy criteria above are the same for both):
//   EwaldBalance::n2p2 (default, reproduces n2p2): the formulas above. They balance the cost of building
//       the dense matrix (every real-space image and every k-vector costs O(1) per pair i, j), so eta grows
//       as V^(1/3) ~ N^(1/3) at fixed density, r_c with it, and one matrix-free product C u costs O(N^2).
//   EwaldBalance::matrix_free: balances the cost of one matrix-free product here (GaussianCoulomb::apply
//       with the cached real-space part): N [(2 pi/3) rho r_c^3 T_r + V k_c^3 / (12 pi^2) T_k] with
//       T_r the cost of one stored real-space pair entry (j >= i, images summed) and T_k that of one
//       (atom, half-sphere k) term. With r_c = sqrt2 eta s and k_c = sqrt2 s / eta the minimum is at
//           eta0 = (V^2 / (N (2 pi)^3 T_r/T_k))^(1/6)
//       (n2p2's formula with V^2 -> V^2/N), T_r/T_k = kMatrixFreeCostRatio, measured here (see its
//       comment). Method 1 keeps the Kolafa-Perram iteration with this eta0, method 0 uses eta = eta0;
//       both then raise eta to at least gamma_max = sqrt(2) sigma_max (so the erfc(r/(sqrt2 gamma)) tail
//       is cut no earlier than erfc(r/(sqrt2 eta))). At fixed density eta ~ N^(1/6), r_c ~ N^(1/6),
//       k_c ~ N^(-1/6), n_k ~ N^(1/2): real-space pairs per atom and k-vectors both grow as N^(1/2), one
//       product costs O(N^1.5).
// Units: lengths in the model's length unit, k in 1/length, k_e = 1/four_pi_epsilon [energy length/e^2].
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "hdnnp/core/error.hpp"
#include "hdnnp/core/result.hpp"
#include "hdnnp/core/vec3.hpp"
#include "hdnnp/neighbors/neighbor_list.hpp"

namespace hdnnp {

enum class EwaldTruncation { jackson_catlow = 0, kolafa_perram = 1 };

/// T_r / T_k of EwaldBalance::matrix_free: the cost of one stored real-space entry over that of one
/// (atom, half-sphere k-vector) term, for our implementation. Measured with `bench_4g_scaling
/// --cost-ratio` (one thread, 2-core AVX-512 EPYC, water 3072-12288 atoms): per product C u alone 0.4-0.7
/// (a cached CSR entry vs the two structure-factor sweeps); per whole 4G evaluation (operator setup with
/// erfc per pair and sincos per atom and Miller index, ~16 products, gradient with erfc and exp per pair)
/// 3.0-3.7. With the few CG iterations 4G water needs, the setup and gradient dominate, and whole CG
/// evaluations (`--scan-ratio`) are equally fast within the noise for ratios 1-4; 2 keeps the cos/sin
/// tables (16 N n_k bytes) smaller than 3 or 4 would. n2p2's value for its dense matrix build is 3.676.
inline constexpr double kMatrixFreeCostRatio = 2.0;

/// The Ewald keywords of a model (`ewald_truncation_error_method`, `ewald_prec`).
struct EwaldSettings {
    EwaldTruncation method = EwaldTruncation::jackson_catlow;
    double precision = 1e-6;   ///< method 0: dimensionless threshold in (0, 1); method 1: RMS force error [energy/length]
    double max_charge = 1.0;   ///< method 1: largest expected |Q| [e]
    double real_cutoff = 0.0;  ///< method 1: fixed real-space cutoff [length]; 0 = Kolafa-Perram optimal eta
    EwaldBalance balance = EwaldBalance::n2p2;  ///< what the width balances (not an input.nn keyword)
    double cost_ratio = 0.0;   ///< matrix_free: T_r/T_k; 0 = kMatrixFreeCostRatio (measure your machine's)
};

namespace detail_ewald {

inline void kolafa_s(double& s, double y) {
    constexpr double tol = 1e-10;
    if (s <= 0.0) s = 0.5;
    double rel_x = 1.0, rel_y = 1.0;
    for (int it = 0; (rel_x > tol || rel_y > tol) && it < 10000; ++it) {
        double step = 2.0 * s / (4.0 * s * s + 1.0) * (1.0 - std::sqrt(s) / std::exp(-s * s) * y);
        if (s <= -step) {
            s /= 2.0;
            continue;
        }
        s += step;
        rel_y = std::abs((std::exp(-s * s) / std::sqrt(s) - y) / y);
        rel_x = std::abs(step / s);
    }
}

}  // namespace detail_ewald

/// Resource guards of the Ewald sum, checked before anything is allocated: settings (a tiny fixed real-space
/// cutoff, an extreme ewald_prec, a cell far larger or smaller than the cutoffs) whose k-space sphere or
/// real-space image sum would exhaust memory or take days give an Error naming the numbers instead.
inline constexpr double kMaxKVectors = 2e7;             ///< half-sphere k-vectors (phase tables: 16 N n_k bytes)
inline constexpr double kMaxRealSpaceVisitsPerAtom = 1e8;  ///< atom images within the real-space cutoff, per atom

namespace detail_ewald {

inline std::string num(double x) {
    std::ostringstream s;
    s.precision(4);
    s << x;
    return s.str();
}

/// Expected half-sphere k-vector count of a cell of volume V for cutoff kc: (2 pi/3) kc^3 / ((2 pi)^3 / V).
inline double expected_kvectors(double kc, double V) { return kc * kc * kc * V / (12.0 * M_PI * M_PI); }

/// Throws Error if the half sphere |k| < kc of a cell of volume V would hold more than kMaxKVectors vectors.
inline void check_kvector_count(double kc, double V) {
    const double nk = expected_kvectors(kc, V);
    if (!(nk <= kMaxKVectors))
        throw Error("Ewald k-space cutoff " + num(kc) + " /length in a cell of volume " + num(V) + " needs about " + num(nk) +
                    " k-vectors (limit " + num(kMaxKVectors) + "): check ewald_prec and the real-space cutoff");
}

}  // namespace detail_ewald

/// Throws Error if parameters p in a cell of volume V with n_atoms atoms exceed kMaxKVectors or
/// kMaxRealSpaceVisitsPerAtom (see there).
inline void check_ewald_size(const EwaldParameters& p, double volume, std::size_t n_atoms) {
    const double V = std::abs(volume);
    detail_ewald::check_kvector_count(p.kspace_cutoff, V);
    const double visits = static_cast<double>(n_atoms) * (4.0 / 3.0) * M_PI * p.real_cutoff * p.real_cutoff * p.real_cutoff / V;
    if (!(visits <= kMaxRealSpaceVisitsPerAtom))
        throw Error("Ewald real-space cutoff " + detail_ewald::num(p.real_cutoff) + " length in a cell of volume " +
                    detail_ewald::num(V) + " with " + std::to_string(n_atoms) + " atoms gives about " +
                    detail_ewald::num(visits) + " atom images per atom (limit " +
                    detail_ewald::num(kMaxRealSpaceVisitsPerAtom) + "): check ewald_prec and the cell");
}

/// n2p2's Ewald parameters for a cell of volume V [length^3] holding n_atoms atoms (see the header
/// comment). four_pi_epsilon: 1/k_e; max_sigma: the largest Gaussian charge width of the model.
/// Throws Error for settings n2p2 rejects.
inline EwaldParameters ewald_parameters_unchecked(const EwaldSettings& s, double volume, std::size_t n_atoms,
                                                  double four_pi_epsilon, double max_sigma) {
    EwaldParameters p;
    const double V = std::abs(volume);
    if (!(V > 0.0)) throw Error("Ewald summation needs a cell of positive volume");
    if (!(s.precision > 0.0)) throw Error("Ewald precision must be positive");
    if (s.balance == EwaldBalance::automatic)
        throw Error("Ewald parameters: EwaldBalance::automatic is a ComputeOptions choice; resolve it to n2p2 or "
                    "matrix_free first (detail::resolved_balance)");
    const bool matrix_free = s.balance == EwaldBalance::matrix_free;
    const double min_eta_mf = std::sqrt(2.0) * max_sigma;  // gamma_max
    const double nat = static_cast<double>(std::max<std::size_t>(n_atoms, 1));
    const double mf_ratio = s.cost_ratio > 0.0 ? s.cost_ratio : kMatrixFreeCostRatio;
    if (s.method == EwaldTruncation::jackson_catlow) {
        if (s.precision >= 1.0) throw Error("Ewald truncation method 0 (Jackson-Catlow) requires a precision below 1");
        p.eta = std::cbrt(V) / std::sqrt(2.0 * M_PI);
        if (matrix_free)
            p.eta = std::max(min_eta_mf, std::pow(V * V / (nat * mf_ratio * std::pow(2.0 * M_PI, 3.0)), 1.0 / 6.0));
        const double t = std::sqrt(-2.0 * std::log(s.precision));
        p.real_cutoff = t * p.eta;
        p.kspace_cutoff = t / p.eta;
        return p;
    }
    const double N = static_cast<double>(n_atoms);
    const double q2 = s.max_charge * s.max_charge;
    if (s.real_cutoff > 0.0) {
        const double C = 2.0 * q2 * std::sqrt(N / V) / four_pi_epsilon;
        const double x = std::sqrt(s.real_cutoff / 2.0) * s.precision / C;
        if (!(x < 1.0)) throw Error("bad Ewald precision settings (sqrt(r_c/2) eps_F / C >= 1): try a smaller ewald_prec");
        p.real_cutoff = s.real_cutoff;
        p.eta = s.real_cutoff / std::sqrt(-2.0 * std::log(x));
        const double eta = p.eta;
        const double y = eta * s.precision / (std::sqrt(2.0) * C);
        double k = 1.0 / eta;
        double rel_x = 1.0, rel_y = 1.0;
        for (int it = 0; (rel_x > 1e-10 || rel_y > 1e-10) && it < 10000; ++it) {
            const double old = k;
            k -= 2.0 * k / (1.0 + 2.0 * (k * eta) * (k * eta)) * (-1.0 + std::sqrt(k) * std::exp((k * eta) * (k * eta) / 2.0) * y);
            if (k <= 0.0) {
                k = old / 2.0;
                continue;
            }
            rel_x = std::abs((k - old) / k);
            rel_y = std::abs((1.0 / std::sqrt(k) * std::exp(-(k * eta) * (k * eta) / 2.0) - y) / y);
        }
        p.kspace_cutoff = k;
        return p;
    }
    const double C = std::pow(2.0, 0.75) * q2 * std::sqrt(N / V) / four_pi_epsilon;
    constexpr double tr_over_tk = 3.676;  // n2p2's measured cost ratio of one real-space and one k-space term
    const double eta0 = matrix_free ? std::pow(V * V / (nat * mf_ratio * std::pow(2.0 * M_PI, 3.0)), 1.0 / 6.0)
                                    : std::pow(1.0 / tr_over_tk * V * V / std::pow(2.0 * M_PI, 3.0), 1.0 / 6.0);
    double eta = eta0, s_val = 1.0, rel = 1.0;
    for (int it = 0; rel > 1e-10 && it < 10000; ++it) {
        detail_ewald::kolafa_s(s_val, s.precision / C * std::sqrt(eta / 2.0));
        const double old = eta;
        eta = eta0 * std::pow(1.0 + 1.0 / (2.0 * s_val * s_val), 1.0 / 6.0);
        rel = std::abs(old - eta) / eta;
    }
    eta = std::max(eta, matrix_free ? min_eta_mf : max_sigma);
    p.eta = eta;
    p.real_cutoff = std::sqrt(2.0) * eta * s_val;
    p.kspace_cutoff = std::sqrt(2.0) * s_val / eta;
    return p;
}

/// n2p2's Ewald parameters for a cell of volume V [length^3] holding n_atoms atoms (see the header
/// comment). four_pi_epsilon: 1/k_e; max_sigma: the largest Gaussian charge width of the model.
/// Throws Error for settings n2p2 rejects and for sizes beyond the resource guards (check_ewald_size).
inline EwaldParameters ewald_parameters(const EwaldSettings& s, double volume, std::size_t n_atoms, double four_pi_epsilon,
                                        double max_sigma) {
    const EwaldParameters p = ewald_parameters_unchecked(s, volume, n_atoms, four_pi_epsilon, max_sigma);
    check_ewald_size(p, volume, n_atoms);
    return p;
}

/// Reciprocal vectors of the half k-sphere 0 < |k| < k_c and their weights
///   a_k = 2 k_e (4 pi / V) exp(-eta^2 k^2 / 2) / k^2     [energy/e^2]
/// so that the full-sphere sum  sum_k k_e (4 pi/V) exp(-eta^2 k^2/2)/k^2 cos(k.r)  equals
/// sum_half a_k cos(k.r).
struct KVectors {
    std::vector<Vec3> k;    ///< shape (n_k, 3) [1/length]
    std::vector<double> a;  ///< shape (n_k) [energy/e^2]
    std::vector<double> k2; ///< shape (n_k): |k|^2 [1/length^2]
    std::vector<int> miller; ///< shape (n_k, 3): k = 2 pi (h b_1 + k b_2 + l b_3), b_a the reciprocal rows
    std::size_t size() const { return k.size(); }
};

/// The half sphere of reciprocal lattice vectors with |k| < kcut of the cell (rows: a, b, c).
inline KVectors make_kvectors(const Mat3& cell, double eta, double kcut, double ke) {
    KVectors kv;
    const double V = std::abs(determinant(cell));
    const Mat3 rec = reciprocal_rows(cell);  // b_i . a_j = delta_ij
    Vec3 kb[3];
    for (int a = 0; a < 3; ++a) kb[a] = (2.0 * M_PI) * rec[a];
    // Largest Miller index along each axis: |h_a| <= kcut / (spacing of reciprocal planes a).
    int nmax[3];
    double candidates = 1.0;
    for (int a = 0; a < 3; ++a) {
        const Vec3 nrm = cross(kb[(a + 1) % 3], kb[(a + 2) % 3]);
        const double spacing = std::abs(dot(kb[a], nrm)) / norm(nrm);
        const double m = std::floor(kcut / spacing) + 1.0;
        candidates *= 2.0 * m + 1.0;
        if (!(m < 1e6) || !(candidates / 2.0 <= 50.0 * kMaxKVectors))
            throw Error("Ewald k-space cutoff " + detail_ewald::num(kcut) + " /length in a cell of volume " +
                        detail_ewald::num(V) + ": Miller indices up to " + detail_ewald::num(m) + " along axis " +
                        std::to_string(a + 1) + " exceed the k-vector limit " + detail_ewald::num(kMaxKVectors) +
                        " (check ewald_prec and the real-space cutoff)");
        nmax[a] = static_cast<int>(m);
    }
    detail_ewald::check_kvector_count(kcut, V);
    const double kc2 = kcut * kcut;
    const double pre = 2.0 * ke * 4.0 * M_PI / V;
    for (int i = 0; i <= nmax[0]; ++i) {
        for (int j = (i == 0 ? 0 : -nmax[1]); j <= nmax[1]; ++j) {
            for (int l = (i == 0 && j == 0 ? 1 : -nmax[2]); l <= nmax[2]; ++l) {
                const Vec3 k = static_cast<double>(i) * kb[0] + static_cast<double>(j) * kb[1] + static_cast<double>(l) * kb[2];
                const double k2 = dot(k, k);
                if (!(k2 < kc2)) continue;
                kv.k.push_back(k);
                kv.k2.push_back(k2);
                kv.miller.insert(kv.miller.end(), {i, j, l});
                kv.a.push_back(pre * std::exp(-0.5 * eta * eta * k2) / k2);
            }
        }
    }
    return kv;
}

/// Pairs of atoms (and, in a cell, their periodic images) within a cutoff, found with the triclinic
/// cell list of neighbors/neighbor_list.hpp: O(N) to build, O(neighbours) per atom to visit. Nothing
/// but the binned positions is stored, so large Ewald cutoffs cost no pair-list memory.
///   visit(i, f): calls f(j, d, r) for every j >= i and every image d = R_j + n.L - R_i with
///   0 < r = |d| <= rc; for j == i only n != 0 (both n and -n are visited). Without a cell only n = 0
///   (so j > i), in ascending j. The cutoff may exceed the cell's plane spacings: then several images of
///   one j (and of i itself) are visited. In a cell, images of one j need not be visited consecutively;
///   the order of the visits of one i is fixed (it does not depend on the thread count). d is formed
///   from positions wrapped into the cell, so it equals R_j + n.L - R_i to round-off.
class PairImages {
public:
    PairImages() = default;
    /// Periodic. R: shape (N, 3) positions (need not be wrapped); cell rows a, b, c; rc [length].
    /// Throws StructureError if rc needs more than 1e8 cell images per atom.
    PairImages(const std::vector<Vec3>& R, const Mat3& cell, double rc) : periodic_(true), cell_(cell), rc_(rc) {
        const Mat3 rec = reciprocal_rows(cell);
        for (int a = 0; a < 3; ++a) reach_[a] = rc * norm(rec[a]);  // rc / plane spacing
        setup(R);
    }
    /// Non-periodic (a cluster): pairs j > i with 0 < r <= rc. R: shape (N, 3); rc [length].
    PairImages(const std::vector<Vec3>& R, double rc) : periodic_(false), rc_(rc) { setup(R); }

    double cutoff() const { return rc_; }
    bool periodic() const { return periodic_; }

    template <class F> void visit(std::size_t i, F&& f) const {
        if (slot_.empty()) return;
        const double rc2 = rc_ * rc_;
        const double* X = grid_.x.data();
        const double* Y = grid_.y.data();
        const double* Z = grid_.z.data();
        const std::uint32_t* atom = grid_.atom.data();
        if (!periodic_) {
            // Clusters: ascending j, the order (and so the round-off) of a plain loop over all pairs.
            std::vector<std::uint32_t> found;
            detail::nl_visit(grid_, slot_[i], [&](std::size_t kb, std::size_t ke, double qx, double qy, double qz, bool) {
                for (std::size_t m = kb; m < ke; ++m) {
                    if (atom[m] <= i) continue;
                    const double dx = X[m] - qx, dy = Y[m] - qy, dz = Z[m] - qz;
                    if (dx * dx + dy * dy + dz * dz <= rc2 * (1.0 + 1e-12)) found.push_back(static_cast<std::uint32_t>(m));
                }
            });
            std::sort(found.begin(), found.end(), [&](std::uint32_t a, std::uint32_t b) { return atom[a] < atom[b]; });
            const std::size_t k = slot_[i];
            for (std::uint32_t m : found) {
                const Vec3 d{X[m] - X[k], Y[m] - Y[k], Z[m] - Z[k]};
                const double r2 = dot(d, d);
                if (r2 > rc2 || r2 == 0.0) continue;
                f(atom[m], d, std::sqrt(r2));
            }
            return;
        }
        detail::nl_visit(grid_, slot_[i], [&](std::size_t kb, std::size_t ke, double qx, double qy, double qz, bool) {
            for (std::size_t m = kb; m < ke; ++m) {
                const std::size_t j = atom[m];
                if (j < i) continue;
                const Vec3 d{X[m] - qx, Y[m] - qy, Z[m] - qz};
                const double r2 = dot(d, d);
                if (r2 > rc2 || r2 == 0.0) continue;
                f(j, d, std::sqrt(r2));
            }
        });
    }

    /// f(d, r) for the images d = n.L (n != 0, |d| <= rc) of atom i itself (none without a cell).
    template <class F> void visit_self(std::size_t, F&& f) const {
        if (!periodic_) return;
        const double rc2 = rc_ * rc_;
        int hi[3];
        for (int a = 0; a < 3; ++a) hi[a] = static_cast<int>(std::floor(reach_[a]));
        for (int n0 = -hi[0]; n0 <= hi[0]; ++n0)
            for (int n1 = -hi[1]; n1 <= hi[1]; ++n1)
                for (int n2 = -hi[2]; n2 <= hi[2]; ++n2) {
                    if (n0 == 0 && n1 == 0 && n2 == 0) continue;
                    const Vec3 d = static_cast<double>(n0) * cell_[0] + static_cast<double>(n1) * cell_[1] +
                                   static_cast<double>(n2) * cell_[2];
                    const double r2 = dot(d, d);
                    if (r2 <= rc2) f(d, std::sqrt(r2));
                }
    }

private:
    void setup(const std::vector<Vec3>& R) {
        if (R.empty() || !(rc_ > 0.0)) return;
        if (R.size() > std::numeric_limits<std::uint32_t>::max())
            throw StructureError("PairImages supports at most 2^32 - 1 atoms");
        detail::nl_setup(R, periodic_, cell_, rc_, grid_);
        slot_.resize(R.size());
        for (std::size_t k = 0; k < grid_.atom.size(); ++k) slot_[grid_.atom[k]] = static_cast<std::uint32_t>(k);
    }

    bool periodic_ = false;
    Mat3 cell_{};
    double rc_ = 0.0;
    double reach_[3] = {0, 0, 0};
    detail::NlGrid grid_;
    std::vector<std::uint32_t> slot_;  // shape (N): position of atom i in the binned order
};

}  // namespace hdnnp
