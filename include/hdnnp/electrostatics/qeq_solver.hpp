// hdnnp: solvers for the charge-equilibration (Qeq) system with a total-charge constraint,
//
//   [ A   1 ] [ x      ]   [ b ]
//   [ 1^T 0 ] [ lambda ] = [ c ]          A: N x N symmetric, positive definite on sum(x) = 0,
//
// as it appears twice per 4G evaluation: the charges (b = -chi, c = Q_tot) and the adjoint of the
// force calculation (b = -dE/dQ, c = 0), both with the same A.
//
// DenseQeqSolver: null-space method. The Householder reflector H = I - beta v v^T, v = 1 + sqrt(N) e_0,
// maps 1 to -sqrt(N) e_0, so its columns 1..N-1 span the neutral subspace. T = H A H is formed in
// O(N^2); its trailing (N-1) x (N-1) block M = Z^T A Z is symmetric positive definite (it is the
// restriction of A to sum(x) = 0, where the Coulomb kernel is positive semi-definite and J > 0), and is
// factorised once by a blocked Cholesky decomposition (N^3/3 flops). Each solve is then O(N^2):
//   x = H [-c/sqrt(N); u],  M u = (H b)_{1:} + T_{1:,0} c / sqrt(N),
//   lambda = (T_{0,:} H x - (H b)_0) / sqrt(N).
// This works also where A itself is indefinite (periodic A depends on the Ewald width through a
// constant rank-one term that drops out on the neutral subspace).
//
// ProjectedCGSolver (matrix-free): preconditioned conjugate gradients on the neutral subspace, started
// from a given guess (warm start), with either a Jacobi preconditioner P = diag(A) and the projection of the
// preconditioned residual onto sum = 0 (z = P^-1 r - (1^T P^-1 r / 1^T P^-1 1) P^-1 1), or a given one
// (z = M^-1 r, M^-1 symmetric positive definite on the neutral subspace, z neutral for neutral r; e.g. the
// long-wave LongWaveQeqPreconditioner of electrostatics/qeq_preconditioner.hpp).
// Stops when |r| <= tol |b_neutral| (r: residual projected onto the neutral subspace).
// Error of the solution: x - x* = A^-1 r on the neutral subspace, so |x - x*| <= tol |b_neutral| /
// lambda_min (lambda_min: smallest eigenvalue of A there, at least the smallest hardness for a 4G
// matrix); quantities computed from x (4G energies, forces through the adjoint) are in error to first
// order in tol (see potential/charges.hpp for the measured force error per unit tol). A warm start
// lowers the initial residual (CGStats::initial_residual) and so the iterations by about
// log(initial_residual) / log(convergence factor per iteration).
//
// Units: whatever A, b, c carry (A: energy/e^2, b: energy/e, x, c: e, lambda: energy/e).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "hdnnp/config.hpp"
#include "hdnnp/core/error.hpp"
#include "hdnnp/core/result.hpp"

namespace hdnnp {

class DenseQeqSolver {
public:
    DenseQeqSolver() = default;

    /// Factorises A (row-major N x N, both triangles; taken over and overwritten). Throws Error if A
    /// is not positive definite on the neutral subspace.
    void factorize(std::vector<double> A, std::size_t n) {
        if (A.size() != n * n) throw Error("DenseQeqSolver: matrix size does not match N");
        n_ = n;
        T_ = std::move(A);
        if (n == 0) return;
        const double sn = std::sqrt(static_cast<double>(n));
        sqrt_n_ = sn;
        beta_ = 1.0 / (sn * (sn + 1.0));
        // p = beta A v with v = 1 + sqrt(n) e_0
        std::vector<double> p(n, 0.0);
        for (std::size_t i = 0; i < n; ++i) {
            const double* row = &T_[i * n];
            double s = sn * row[0];
            for (std::size_t j = 0; j < n; ++j) s += row[j];
            p[i] = beta_ * s;
        }
        double vp = sn * p[0];
        for (std::size_t i = 0; i < n; ++i) vp += p[i];
        const double K = 0.5 * beta_ * vp;
        std::vector<double> w(n), v(n, 1.0);
        v[0] += sn;
        for (std::size_t i = 0; i < n; ++i) w[i] = p[i] - K * v[i];
        // T = A - v w^T - w v^T
        for (std::size_t i = 0; i < n; ++i) {
            double* row = &T_[i * n];
            const double vi = v[i], wi = w[i];
            for (std::size_t j = 0; j < n; ++j) row[j] -= vi * w[j] + wi * v[j];
        }
        cholesky(n - 1);
    }

    std::size_t size() const { return n_; }

    /// Solves the bordered system for the right-hand side (b, c): x (shape (N)) and lambda.
    void solve(const double* b, double c, double* x, double& lambda) const {
        const std::size_t n = n_;
        if (n == 0) { lambda = 0.0; return; }
        const double sn = sqrt_n_;
        std::vector<double> hb(n);
        reflect(b, hb.data());
        const double x0 = -c / sn;
        std::vector<double> xh(n);
        xh[0] = x0;
        for (std::size_t k = 1; k < n; ++k) xh[k] = hb[k] - T_[k * n] * x0;
        // M u = rhs with M = L L^T in the trailing block (lower triangle, leading dimension n)
        const std::size_t m = n - 1;
        const double* L = &T_[n + 1];
        double* u = &xh[1];
        for (std::size_t i = 0; i < m; ++i) {
            const double* Li = L + i * n;
            double s = u[i];
            for (std::size_t p = 0; p < i; ++p) s -= Li[p] * u[p];
            u[i] = s / Li[i];
        }
        for (std::size_t i = m; i-- > 0;) {
            const double* Li = L + i * n;
            u[i] /= Li[i];
            const double ui = u[i];
            for (std::size_t p = 0; p < i; ++p) u[p] -= Li[p] * ui;
        }
        double t0 = 0.0;
        for (std::size_t j = 0; j < n; ++j) t0 += T_[j] * xh[j];
        lambda = (t0 - hb[0]) / sn;
        reflect(xh.data(), x);
    }

private:
    /// y = H x
    void reflect(const double* xin, double* y) const {
        const std::size_t n = n_;
        double vx = sqrt_n_ * xin[0];
        for (std::size_t i = 0; i < n; ++i) vx += xin[i];
        const double s = beta_ * vx;
        for (std::size_t i = 0; i < n; ++i) y[i] = xin[i] - s;
        y[0] -= s * sqrt_n_;
    }

    /// Cholesky factorisation in place of the trailing m x m block of T_ (leading dimension n_).
    void cholesky(std::size_t m) {
        const std::size_t ld = n_;
        double* M = &T_[ld + 1];
        constexpr std::size_t nb = 64;
        std::vector<double> panel;  // packed rows of the current panel: (rows below) x kb, row-major
        std::vector<double> panelT; // the same transposed: kb x (rows below)
        for (std::size_t k0 = 0; k0 < m; k0 += nb) {
            const std::size_t kb = std::min(nb, m - k0);
            // 1. diagonal block
            for (std::size_t j = k0; j < k0 + kb; ++j) {
                double* Mj = M + j * ld;
                double d = Mj[j];
                for (std::size_t p = k0; p < j; ++p) d -= Mj[p] * Mj[p];
                if (!(d > 0.0))
                    throw Error("charge equilibration matrix is not positive definite on the neutral subspace (pivot " +
                                std::to_string(j + 1) + "); are all hardness values positive?");
                const double ljj = std::sqrt(d);
                Mj[j] = ljj;
                for (std::size_t i = j + 1; i < k0 + kb; ++i) {
                    double* Mi = M + i * ld;
                    double s = Mi[j];
                    for (std::size_t p = k0; p < j; ++p) s -= Mi[p] * Mj[p];
                    Mi[j] = s / ljj;
                }
            }
            const std::size_t r0 = k0 + kb;
            if (r0 >= m) break;
            const std::size_t nr = m - r0;
            // 2. panel below the diagonal block: L21 = M21 L11^-T
            const std::int64_t nri = static_cast<std::int64_t>(nr);
#pragma omp parallel for schedule(static) if (nri >= 128)
            for (std::int64_t ii = 0; ii < nri; ++ii) {
                double* Mi = M + (r0 + static_cast<std::size_t>(ii)) * ld;
                for (std::size_t j = k0; j < k0 + kb; ++j) {
                    const double* Mj = M + j * ld;
                    double s = Mi[j];
                    for (std::size_t p = k0; p < j; ++p) s -= Mi[p] * Mj[p];
                    Mi[j] = s / Mj[j];
                }
            }
            panel.resize(nr * kb);
            panelT.resize(kb * nr);
            for (std::size_t i = 0; i < nr; ++i)
                for (std::size_t p = 0; p < kb; ++p) {
                    const double v = M[(r0 + i) * ld + k0 + p];
                    panel[i * kb + p] = v;
                    panelT[p * nr + i] = v;
                }
            // 3. trailing update of the lower triangle: M22 -= L21 L21^T, in column chunks of width jc,
            //    four rows at a time (each loaded panel row segment serves four rows).
            constexpr std::size_t jc = 256;
            const std::size_t nchunks = (nr + jc - 1) / jc;
            for (std::size_t c = 0; c < nchunks; ++c) {
                const std::size_t j0 = c * jc, j1 = std::min(nr, j0 + jc);
                // rows i >= j0 touch this chunk (lower triangle: columns j <= i)
                const std::size_t nrows = nr - j0;
                const std::int64_t nblk = static_cast<std::int64_t>((nrows + 3) / 4);
#pragma omp parallel for schedule(dynamic, 4) if (nblk >= 32)
                for (std::int64_t bb = 0; bb < nblk; ++bb) {
                    const std::size_t i0 = j0 + 4 * static_cast<std::size_t>(bb);
                    const std::size_t ni = std::min<std::size_t>(4, nr - i0);
                    double* rows[4];
                    const double* li[4];
                    std::size_t jend[4];
                    for (std::size_t q = 0; q < 4; ++q) {
                        const std::size_t i = i0 + std::min(q, ni - 1);
                        rows[q] = M + (r0 + i) * ld + r0;
                        li[q] = &panel[i * kb];
                        jend[q] = std::min(j1, i + 1);
                    }
                    if (ni == 4 && jend[0] == j1) {
                        for (std::size_t p = 0; p < kb; ++p) {
                            const double* HDNNP_RESTRICT pt = &panelT[p * nr];
                            const double a0 = li[0][p], a1 = li[1][p], a2 = li[2][p], a3 = li[3][p];
                            double* HDNNP_RESTRICT m0 = rows[0];
                            double* HDNNP_RESTRICT m1 = rows[1];
                            double* HDNNP_RESTRICT m2 = rows[2];
                            double* HDNNP_RESTRICT m3 = rows[3];
                            for (std::size_t j = j0; j < j1; ++j) {
                                const double t = pt[j];
                                m0[j] -= a0 * t;
                                m1[j] -= a1 * t;
                                m2[j] -= a2 * t;
                                m3[j] -= a3 * t;
                            }
                        }
                    } else {
                        for (std::size_t q = 0; q < ni; ++q) {
                            double* mq = rows[q];
                            for (std::size_t p = 0; p < kb; ++p) {
                                const double* pt = &panelT[p * nr];
                                const double a = li[q][p];
                                for (std::size_t j = j0; j < jend[q]; ++j) mq[j] -= a * pt[j];
                            }
                        }
                    }
                }
            }
        }
    }

    std::size_t n_ = 0;
    double sqrt_n_ = 0.0, beta_ = 0.0;
    std::vector<double> T_;  // H A H; trailing block overwritten by its Cholesky factor (lower)
};

/// Matrix-free projected preconditioned CG for the bordered Qeq system (see the header comment).
class ProjectedCGSolver {
public:
    using Operator = std::function<void(const double* u, double* out)>;  ///< out = A u
    /// z = M^-1 r for a neutral r (shapes (N)); z neutral, M^-1 symmetric positive definite on sum = 0.
    using Preconditioner = std::function<void(const double* r, double* z)>;

    ProjectedCGSolver() = default;
    /// Jacobi. apply: the product with A; diag: diag(A) (shape (N), all positive); tol: relative residual;
    /// max_iter: iteration limit (throws Error when reached without convergence).
    ProjectedCGSolver(Operator apply, std::vector<double> diag, double tol, std::size_t max_iter)
        : apply_(std::move(apply)), inv_diag_(std::move(diag)), n_(inv_diag_.size()), tol_(tol), max_iter_(max_iter) {
        for (double& d : inv_diag_) {
            if (!(d > 0.0)) throw Error("ProjectedCGSolver: the diagonal of A must be positive");
            d = 1.0 / d;
        }
        double s = 0.0;
        for (double d : inv_diag_) s += d;
        sum_inv_diag_ = s;
    }
    /// A given preconditioner for N unknowns (otherwise as above).
    ProjectedCGSolver(Operator apply, Preconditioner precondition, std::size_t n, double tol, std::size_t max_iter)
        : apply_(std::move(apply)), precondition_(std::move(precondition)), n_(n), tol_(tol), max_iter_(max_iter) {
        if (!precondition_) throw Error("ProjectedCGSolver: empty preconditioner");
    }

    std::size_t size() const { return n_; }

    /// Solves for (b, c); x holds the start guess on entry (any values; its total charge is corrected
    /// to c) and the solution on return.
    CGStats solve(const double* b, double c, double* x, double& lambda) const {
        const std::size_t n = size();
        CGStats st;
        if (n == 0) { lambda = 0.0; st.converged = true; return st; }
        const double invn = 1.0 / static_cast<double>(n);
        double sx = 0.0;
        for (std::size_t i = 0; i < n; ++i) sx += x[i];
        for (std::size_t i = 0; i < n; ++i) x[i] += (c - sx) * invn;
        std::vector<double> Ax(n), r(n), z(n), p(n), Ap(n);
        apply_(x, Ax.data());
        for (std::size_t i = 0; i < n; ++i) r[i] = b[i] - Ax[i];
        project(r.data());
        std::vector<double> bn(b, b + n);
        project(bn.data());
        double bnorm = std::sqrt(dot(bn.data(), bn.data()));
        if (bnorm == 0.0) bnorm = 1.0;
        precondition(r.data(), z.data());
        p = z;
        double rz = dot(r.data(), z.data());
        double rnorm = std::sqrt(dot(r.data(), r.data()));
        st.initial_residual = rnorm / bnorm;
        std::size_t it = 0;
        while (rnorm > tol_ * bnorm) {
            if (it >= max_iter_)
                throw Error("charge equilibration (projected CG) did not converge in " + std::to_string(max_iter_) +
                            " iterations (relative residual " + std::to_string(rnorm / bnorm) + ")");
            apply_(p.data(), Ap.data());
            const double pAp = dot(p.data(), Ap.data());
            if (!(pAp > 0.0)) throw Error("charge equilibration matrix is not positive definite on the neutral subspace");
            const double alpha = rz / pAp;
            for (std::size_t i = 0; i < n; ++i) {
                x[i] += alpha * p[i];
                r[i] -= alpha * Ap[i];
            }
            project(r.data());
            precondition(r.data(), z.data());
            const double rz_new = dot(r.data(), z.data());
            const double beta = rz_new / rz;
            rz = rz_new;
            for (std::size_t i = 0; i < n; ++i) p[i] = z[i] + beta * p[i];
            rnorm = std::sqrt(dot(r.data(), r.data()));
            ++it;
        }
        // lambda = mean(b - A x)
        apply_(x, Ax.data());
        double s = 0.0;
        for (std::size_t i = 0; i < n; ++i) s += b[i] - Ax[i];
        lambda = s * invn;
        st.iterations = it;
        st.residual = rnorm / bnorm;
        st.converged = true;
        return st;
    }

private:
    static double dot(const double* a, const double* b_, std::size_t n) {
        double s = 0.0;
        for (std::size_t i = 0; i < n; ++i) s += a[i] * b_[i];
        return s;
    }
    double dot(const double* a, const double* b_) const { return dot(a, b_, size()); }
    /// r -= mean(r): the component of r in the neutral subspace
    void project(double* r) const {
        const std::size_t n = size();
        double s = 0.0;
        for (std::size_t i = 0; i < n; ++i) s += r[i];
        s /= static_cast<double>(n);
        for (std::size_t i = 0; i < n; ++i) r[i] -= s;
    }
    /// z = P^-1 r projected (in the P-metric) onto sum(z) = 0 (Jacobi), or the given preconditioner
    void precondition(const double* r, double* z) const {
        if (precondition_) {
            precondition_(r, z);
            return;
        }
        const std::size_t n = size();
        double s = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            z[i] = inv_diag_[i] * r[i];
            s += z[i];
        }
        const double mu = s / sum_inv_diag_;
        for (std::size_t i = 0; i < n; ++i) z[i] -= mu * inv_diag_[i];
    }

    Operator apply_;
    Preconditioner precondition_;  // empty: Jacobi with inv_diag_
    std::vector<double> inv_diag_;
    std::size_t n_ = 0;
    double sum_inv_diag_ = 0.0;
    double tol_ = 1e-10;
    std::size_t max_iter_ = 1000;
};

}  // namespace hdnnp
