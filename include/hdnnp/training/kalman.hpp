// hdnnp: the global extended Kalman filter over all weights (n2p2's updater_type 1, kalman_type 0).
//
//   training::KalmanFilter kf(n_weights, params, updates_per_epoch);
//   kf.update(w.data(), H.data(), xi);   // one scalar observation: w += K xi, P and the schedules advance
//
// State: the weights w (shape (n)) and the error covariance P (dense and symmetric, shape (n, n); its lower
// triangle is stored, rows packed). For one
// scalar observation with Jacobian H = dy/dw (shape (n)) and error xi = y_ref - y (n2p2's order):
//   eta <- min-capped growth: if eta < etamax, eta <- eta exp(etatau / updates_per_epoch)
//   X = P H                       (n)
//   a = H.X + 1/eta               (the observation's variance plus the measurement noise R = 1/eta)
//   K = X / a                     (Kalman gain)
//   P <- P - K X^T + q I          (process noise q)
//   w <- w + K xi
//   if q > qmin, q <- q exp(-qtau / updates_per_epoch)
// with P(0) = I / epsilon, q(0) = q0, eta(0) = eta0 (n2p2's KalmanFilter::update, setParametersStandard; its
// Training divides qtau and etatau by the projected updates per epoch, so q falls and eta rises by
// exp(qtau), exp(etatau) per epoch). xi and H are in the units the caller chooses (the trainer uses n2p2's
// normalised units); the parameters are dimensionless as long as the caller keeps xi and H consistent.
//
// Memory: 4 n^2 bytes (the Cu2S_PBE model, 90-15-15-1 for S and 89-15-15-1 for Cu: n = 1621 + 1606 = 3227,
// the triangle 42 MB). Cost per update: two passes over the triangle (~2 n^2 flops). P H is summed in fixed
// row blocks and the rows are updated independently, so the result is bit-identical for any number of
// threads.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "hdnnp/core/error.hpp"

namespace hdnnp::training {

/// n2p2's kalman_* keywords (standard filter).
struct KalmanParameters {
    double epsilon = 1e-2;  ///< kalman_epsilon: P(0) = I / epsilon
    double q0 = 1e-2;       ///< kalman_q0: initial process noise
    double qtau = 2.302;    ///< kalman_qtau: q falls by exp(qtau) per epoch
    double qmin = 1e-6;     ///< kalman_qmin: q stops falling below this
    double eta0 = 1e-2;     ///< kalman_eta: initial inverse measurement noise
    double etatau = 2.302;  ///< kalman_etatau: eta grows by exp(etatau) per epoch (0: constant)
    double etamax = 1.0;    ///< kalman_etamax: eta stops growing above this
};

class KalmanFilter {
public:
    KalmanFilter() = default;
    /// n weights; `updates_per_epoch` (> 0) scales the schedules as n2p2 does.
    KalmanFilter(std::size_t n, const KalmanParameters& p, double updates_per_epoch)
        : n_(n), p_(p), q_(p.q0), eta_(p.eta0) {
        if (n == 0) throw Error("KalmanFilter: no weights");
        if (!(p.epsilon > 0.0) || !(p.eta0 > 0.0) || p.q0 < 0.0)
            throw Error("KalmanFilter: kalman_epsilon and kalman_eta must be > 0 and kalman_q0 >= 0");
        if (!(updates_per_epoch > 0.0)) throw Error("KalmanFilter: no updates per epoch");
        qfac_ = std::exp(-p.qtau / updates_per_epoch);
        etafac_ = std::exp(p.etatau / updates_per_epoch);
        L_.assign(n * (n + 1) / 2, 0.0);
        for (std::size_t i = 0; i < n; ++i) L_[row(i) + i] = 1.0 / p.epsilon;
        X_.assign(n, 0.0);
        // Fixed row blocks of about equal triangle area: the partial sums of P H are formed per block and
        // added in block order, whatever thread runs a block.
        const std::size_t blocks = std::min<std::size_t>(n, 32);
        block_.assign(1, 0);
        for (std::size_t b = 1; b < blocks; ++b) {
            const auto r = static_cast<std::size_t>(std::sqrt(static_cast<double>(b) / static_cast<double>(blocks)) * static_cast<double>(n));
            if (r > block_.back() && r < n) block_.push_back(r);
        }
        block_.push_back(n);
        partial_.assign((block_.size() - 1) * n, 0.0);
    }

    std::size_t size() const { return n_; }
    /// P as a full matrix, shape (n, n), row-major (stored: its lower triangle).
    std::vector<double> covariance() const {
        std::vector<double> P(n_ * n_);
        for (std::size_t i = 0; i < n_; ++i)
            for (std::size_t j = 0; j <= i; ++j) P[i * n_ + j] = P[j * n_ + i] = L_[row(i) + j];
        return P;
    }
    /// Sets P from a full symmetric matrix (shape (n, n); its lower triangle is used).
    void set_covariance(const std::vector<double>& P) {
        if (P.size() != n_ * n_) throw Error("KalmanFilter::set_covariance: expected " + std::to_string(n_ * n_) + " values");
        for (std::size_t i = 0; i < n_; ++i)
            for (std::size_t j = 0; j <= i; ++j) L_[row(i) + j] = P[i * n_ + j];
    }
    double q() const { return q_; }
    double eta() const { return eta_; }
    std::size_t updates() const { return updates_; }

    /// One update with a scalar observation: w (shape (n)) += K xi; H = dy/dw (shape (n)).
    void update(double* w, const double* H, double xi) {
        const std::size_t n = n_;
        if (eta_ < p_.etamax) eta_ *= etafac_;
        // X = P H from the lower triangle: row i gives X_i += L_i[0..i] . H[0..i] and X_j += L_ij H_i (j < i).
        const long nb = static_cast<long>(block_.size() - 1);
        const double* L = L_.data();
#pragma omp parallel for schedule(dynamic, 1)
        for (long b = 0; b < nb; ++b) {
            double* x = partial_.data() + static_cast<std::size_t>(b) * n;
            std::fill(x, x + n, 0.0);
            for (std::size_t i = block_[static_cast<std::size_t>(b)]; i < block_[static_cast<std::size_t>(b) + 1]; ++i) {
                const double* r = L + row(i);
                const double hi = H[i];
                double s = 0.0;
#pragma omp simd reduction(+ : s)
                for (std::size_t j = 0; j < i; ++j) {
                    s += r[j] * H[j];
                    x[j] += r[j] * hi;
                }
                x[i] += s + r[i] * hi;
            }
        }
        double* X = X_.data();
        const long nl = static_cast<long>(n);
#pragma omp parallel for schedule(static)
        for (long j = 0; j < nl; ++j) {
            double s = 0.0;
            for (long b = 0; b < nb; ++b) s += partial_[static_cast<std::size_t>(b) * n + static_cast<std::size_t>(j)];
            X[j] = s;
        }
        double a = 0.0;
        for (std::size_t i = 0; i < n; ++i) a += H[i] * X[i];
        a += 1.0 / eta_;
        const double inv_a = 1.0 / a;
        double* Lm = L_.data();
        const double q = q_;
        // P <- P - X X^T / a + q I on the lower triangle.
#pragma omp parallel for schedule(dynamic, 64)
        for (long r = 0; r < nl; ++r) {
            const std::size_t i = static_cast<std::size_t>(r);
            double* rw = Lm + row(i);
            const double k = X[i] * inv_a;
#pragma omp simd
            for (std::size_t j = 0; j <= i; ++j) rw[j] -= k * X[j];
            rw[i] += q;
        }
        for (std::size_t i = 0; i < n; ++i) w[i] += X[i] * inv_a * xi;
        if (q_ > p_.qmin) q_ *= qfac_;
        ++updates_;
    }

private:
    static std::size_t row(std::size_t i) { return i * (i + 1) / 2; }

    std::size_t n_ = 0;
    KalmanParameters p_;
    double q_ = 0.0, eta_ = 0.0, qfac_ = 1.0, etafac_ = 1.0;
    std::vector<double> L_, X_, partial_;  // P's lower triangle (packed rows), P H, per-block parts of P H
    std::vector<std::size_t> block_;       // row blocks (fixed for a given n)
    std::size_t updates_ = 0;
};

}  // namespace hdnnp::training
