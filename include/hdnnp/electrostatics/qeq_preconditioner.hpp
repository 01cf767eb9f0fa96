// hdnnp: the long-wave preconditioner of the projected CG of the charge equilibration (ProjectedCGSolver,
// electrostatics/qeq_solver.hpp) of a periodic structure, A = C + diag(J) (electrostatics/coulomb.hpp).
//
//   LongWaveQeqPreconditioner pc(op, diag, 0.05);           // op: GaussianCoulomb; diag = diag(A) (N)
//   ProjectedCGSolver cg(apply_A, [&pc](const double* r, double* z) { pc.apply(r, z); }, N, tol, max_iter);
//
// Why: with Jacobi alone (M = D = diag(A)) the CG iterations grow about as N^(1/3) at fixed density. A charge
// wave exp(i k.R) is an eigenvector of the Coulomb operator with eigenvalue ~ 4 pi rho k_e / k^2 (rho: atoms
// per volume), so the longest waves of a large cell, k_min = 2 pi / L, give the largest eigenvalues and the
// condition number of D^-1 A grows as L^2. In the Ewald sum these waves are exactly the low-rank reciprocal
// terms of the smallest k-vectors,
//     C_recip = sum_{half k} a_k (c_k c_k^T + s_k s_k^T),   c_k,i = cos(k.R_i), s_k,i = sin(k.R_i),
// whose weight a_k N/2 (the eigenvalue they add, N/2 = |c_k|^2 for a disordered structure) exceeds the
// diagonal only for k below a fixed k* (at fixed density and Ewald width). The preconditioner keeps them:
//     M = D + W diag(a) W^T,   W = [c_k, s_k] (N x p) for the selected k-vectors, those with
//     a_k N / 2 >= ratio * d_h   (d_h: harmonic mean of diag(A); ratio: `ratio` below),
// applied exactly by the Woodbury identity,
//     M^-1 x = D^-1 x - D^-1 W H^-1 W^T D^-1 x,   H = diag(1/a) + W^T D^-1 W  (p x p, Cholesky once),
// and projected, as the Jacobi preconditioner is, in the M-metric onto the neutral subspace:
//     z = M^-1 r - M^-1 1 (1^T M^-1 r) / (1^T M^-1 1).
// M is symmetric positive definite (D > 0, a > 0), so z is symmetric positive semi-definite in r with the
// constants as its null space: positive definite on sum = 0, and z sums to zero. No k selected (p = 0):
// exactly the Jacobi preconditioner. Since k* is fixed, the modes left to CG are those of a cell of fixed size
// and the iteration count stays flat with N; p grows as N. 4G water (ComputeOptions::cg_long_wave_ratio 0.05,
// chosen by measurement: 0.03 keeps more waves for the same iterations, 0.1 and 0.3 let them creep up): 3
// k-vectors at 384 atoms, 58 at 12288; CG iterations (charges + adjoint, tol 1e-8) 4 + 5 .. 5 + 6 at every size
// from 384 to 12288 atoms, against Jacobi's 5 + 6 .. 10 + 13 (docs/4g-large-systems.md).
//
// Cost: setup O(N p^2 / 2) for W^T D^-1 W (in cache-sized chunks of atoms, threaded over its rows: each entry
// one fixed-order sum) and O(p^3/3), with p ~ N at fixed density O(N^3) asymptotically (17 ms at 12288 water
// atoms, p = 116, against ~20 ms per product C u);
// apply O(N p) (two passes over W), serial. Memory 8 N p bytes. Non-periodic structures: Jacobi (p = 0).
//
// Units: A, a_k, diag [energy/e^2]; r [energy/e]; z [e].
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "hdnnp/core/error.hpp"
#include "hdnnp/core/threads.hpp"
#include "hdnnp/electrostatics/coulomb.hpp"

namespace hdnnp {

class LongWaveQeqPreconditioner {
public:
    LongWaveQeqPreconditioner() = default;

    /// op: the Coulomb operator; diag = diag(A) (shape (N), all positive); ratio: selection threshold of the
    /// k-vectors (>= 0; larger: fewer, cheaper, more iterations).
    LongWaveQeqPreconditioner(const GaussianCoulomb& op, const std::vector<double>& diag, double ratio) {
        const std::size_t n = op.size();
        if (diag.size() != n) throw Error("LongWaveQeqPreconditioner: the diagonal needs one value per atom");
        if (!(ratio >= 0.0)) throw Error("LongWaveQeqPreconditioner: the selection ratio must be non-negative");
        n_ = n;
        dinv_.resize(n);
        double sdinv = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            if (!(diag[i] > 0.0)) throw Error("LongWaveQeqPreconditioner: the diagonal of A must be positive");
            dinv_[i] = 1.0 / diag[i];
            sdinv += dinv_[i];
        }
        if (op.periodic() && n > 0) {
            const double d_h = static_cast<double>(n) / sdinv;
            const KVectors& kv = op.kvectors();
            for (std::size_t k = 0; k < kv.size(); ++k)
                if (kv.a[k] * 0.5 * static_cast<double>(n) >= ratio * d_h) kvec_.push_back(k);
        }
        const std::size_t p = 2 * kvec_.size();
        W_.assign(p * n, 0.0);
        std::vector<double> a(p);
        for (std::size_t t = 0; t < kvec_.size(); ++t) {
            op.kvector_phases(kvec_[t], &W_[(2 * t) * n], &W_[(2 * t + 1) * n]);
            a[2 * t] = a[2 * t + 1] = op.kvectors().a[kvec_[t]];
        }
        // H = diag(1/a) + W^T D^-1 W (lower triangle), then its Cholesky factor in place. V = D^-1/2 W is read in
        // chunks of atoms that stay in cache (one pass over V instead of one per row of H); every entry sums
        // the chunks in order, whatever the thread count.
        H_.assign(p * p, 0.0);
        if (p > 0) {
            std::vector<double> V(W_.size());
            for (std::size_t r = 0; r < p; ++r)
                for (std::size_t i = 0; i < n; ++i) V[r * n + i] = W_[r * n + i] * std::sqrt(dinv_[i]);
            constexpr std::size_t chunk = 256;
            for (std::size_t i0 = 0; i0 < n; i0 += chunk) {
                const std::size_t len = std::min(chunk, n - i0);
                threads::for_each(p, 16, [](int) { return 0; }, [&](int, std::size_t r) {
                    const double* vr = &V[r * n + i0];
                    for (std::size_t c = 0; c <= r; ++c) {
                        const double* vc = &V[c * n + i0];
                        double acc = 0.0;
#pragma omp simd reduction(+ : acc)
                        for (std::size_t i = 0; i < len; ++i) acc += vr[i] * vc[i];
                        H_[r * p + c] += acc;
                    }
                }, 1);
            }
        }
        for (std::size_t r = 0; r < p; ++r) H_[r * p + r] += 1.0 / a[r];
        cholesky();
        // M^-1 1 and 1^T M^-1 1 for the neutral projection.
        const std::vector<double> ones(n, 1.0);
        m1_.resize(n);
        apply_inverse(ones.data(), m1_.data());
        double s = 0.0;
        for (double x : m1_) s += x;
        inv_s11_ = n > 0 ? 1.0 / s : 0.0;
    }

    std::size_t size() const { return n_; }
    /// The k-vectors kept (indices into the operator's kvectors()); empty: Jacobi.
    const std::vector<std::size_t>& kvectors() const { return kvec_; }

    /// z = M^-1 r projected in the M-metric onto sum(z) = 0 (shapes (N)).
    void apply(const double* r, double* z) const {
        const std::size_t n = n_;
        apply_inverse(r, z);
        double s = 0.0;
        for (std::size_t i = 0; i < n; ++i) s += m1_[i] * r[i];
        const double mu = s * inv_s11_;
        for (std::size_t i = 0; i < n; ++i) z[i] -= mu * m1_[i];
    }

private:
    /// z = M^-1 x by the Woodbury identity.
    void apply_inverse(const double* x, double* z) const {
        const std::size_t n = n_, p = 2 * kvec_.size();
        for (std::size_t i = 0; i < n; ++i) z[i] = dinv_[i] * x[i];
        if (p == 0) return;
        std::vector<double> t(p);
        for (std::size_t r = 0; r < p; ++r) {
            const double* wr = &W_[r * n];
            double s = 0.0;
#pragma omp simd reduction(+ : s)
            for (std::size_t i = 0; i < n; ++i) s += wr[i] * z[i];
            t[r] = s;
        }
        // H u = t with H = L L^T
        for (std::size_t r = 0; r < p; ++r) {
            double s = t[r];
            for (std::size_t c = 0; c < r; ++c) s -= H_[r * p + c] * t[c];
            t[r] = s / H_[r * p + r];
        }
        for (std::size_t r = p; r-- > 0;) {
            double s = t[r];
            for (std::size_t c = r + 1; c < p; ++c) s -= H_[c * p + r] * t[c];
            t[r] = s / H_[r * p + r];
        }
        std::vector<double> wu(n, 0.0);
        for (std::size_t r = 0; r < p; ++r) {
            const double* wr = &W_[r * n];
            const double u = t[r];
#pragma omp simd
            for (std::size_t i = 0; i < n; ++i) wu[i] += u * wr[i];
        }
        for (std::size_t i = 0; i < n; ++i) z[i] -= dinv_[i] * wu[i];
    }

    /// Cholesky factor L (lower triangle of H_, in place) of the p x p matrix H.
    void cholesky() {
        const std::size_t p = 2 * kvec_.size();
        for (std::size_t j = 0; j < p; ++j) {
            double d = H_[j * p + j];
            for (std::size_t k = 0; k < j; ++k) d -= H_[j * p + k] * H_[j * p + k];
            if (!(d > 0.0))
                throw Error("LongWaveQeqPreconditioner: the long-wave matrix is not positive definite (pivot " +
                            std::to_string(j + 1) + ")");
            const double l = std::sqrt(d);
            H_[j * p + j] = l;
            for (std::size_t i = j + 1; i < p; ++i) {
                double s = H_[i * p + j];
                for (std::size_t k = 0; k < j; ++k) s -= H_[i * p + k] * H_[j * p + k];
                H_[i * p + j] = s / l;
            }
        }
    }

    std::size_t n_ = 0;
    std::vector<double> dinv_;          // shape (N): 1 / A_ii
    std::vector<std::size_t> kvec_;     // the selected k-vectors
    std::vector<double> W_;             // shape (p, N): rows c_k, s_k of each selected k
    std::vector<double> H_;             // shape (p, p): Cholesky factor of diag(1/a) + W^T D^-1 W (lower)
    std::vector<double> m1_;            // shape (N): M^-1 1
    double inv_s11_ = 0.0;              // 1 / (1^T M^-1 1)
};

}  // namespace hdnnp
