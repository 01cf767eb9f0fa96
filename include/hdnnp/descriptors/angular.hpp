// hdnnp: angular symmetry functions, types 3 (narrow), 9 (wide) and 13 (weighted narrow), grouped by
// (neighbour elements, rc, narrow/wide).
//
//   G = 2^(1-zeta) sum_{j<k} w_jk (1 + lambda cos theta_ijk)^zeta
//         exp(-eta [(r_ij-rs)^2 + (r_ik-rs)^2 (+ (r_jk-rs)^2 narrow)]) fc(r_ij) fc(r_ik) (fc(r_jk) narrow)
// with w_jk = 1 (types 3, 9: j, k of elements {e1, e2}) or Z_j Z_k (type 13: all pairs). A term with
// 1 + lambda cos theta <= 0 is zero. Integer zeta is evaluated by repeated multiplication.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include "hdnnp/cutoffs/cutoff.hpp"
#include "hdnnp/descriptors/angular_geometry.hpp"
#include "hdnnp/descriptors/neighborhood.hpp"

namespace hdnnp {

namespace detail {
/// x^n for a small non-negative integer n.
inline double ipow(double x, int n) {
    double r = 1.0;
    while (n > 0) {
        if (n & 1) r *= x;
        x *= x;
        n >>= 1;
    }
    return r;
}
}  // namespace detail

struct AngularGroup {
    bool narrow = true;    ///< types 3 and 13: cutoff and Gaussian on r_jk too
    bool weighted = false; ///< type 13
    int e1 = -1, e2 = -1;  ///< neighbour elements (e1 <= e2); -1 when weighted
    CutoffParams cut;
    std::vector<double> eta, rs, lambda, zeta, pref;  ///< pref = 2^(1 - zeta)
    std::vector<int> izeta;                           ///< zeta as integer, or -1 if not integer
    std::vector<std::size_t> out;

    void add(double eta_, double rs_, double lambda_, double zeta_, std::size_t out_) {
        eta.push_back(eta_); rs.push_back(rs_); lambda.push_back(lambda_); zeta.push_back(zeta_);
        pref.push_back(std::pow(2.0, 1.0 - zeta_));
        izeta.push_back(zeta_ >= 0 && zeta_ <= 64 && zeta_ == std::floor(zeta_) ? static_cast<int>(zeta_) : -1);
        out.push_back(out_);
    }

    template <class Cutoff> void values(const Neighborhood& nb, double* G, std::vector<double>& fc) const {
        prepare<Cutoff>(nb, fc, nullptr);
        const std::size_t m = eta.size();
        detail::Triplet t;
        detail::for_each_pair(nb, weighted ? -1 : e1, e2, [&](std::size_t j, std::size_t k) {
            if (nb.r[j] >= cut.rc || nb.r[k] >= cut.rc) return;
            t.set(nb, j, k);
            double fprod = fc[j] * fc[k];
            double fjk = 1.0, dfjk = 0.0;
            if (narrow) {
                if (t.set_jk() >= cut.rc) return;
                Cutoff::eval(t.rjk, cut, fjk, dfjk);
                fprod *= fjk;
            }
            if (weighted) fprod *= nb.z[j] * nb.z[k];
            for (std::size_t s = 0; s < m; ++s) {
                const double p = 1.0 + lambda[s] * t.cos;
                if (p <= 0.0) continue;
                const double xj = t.rij - rs[s], xk = t.rik - rs[s];
                double q = xj * xj + xk * xk;
                if (narrow) { const double xjk = t.rjk - rs[s]; q += xjk * xjk; }
                const double pw = izeta[s] >= 0 ? detail::ipow(p, izeta[s]) : std::pow(p, zeta[s]);
                G[out[s]] += pref[s] * pw * std::exp(-eta[s] * q) * fprod;
            }
        });
    }

    template <class Cutoff>
    void gradient(const Neighborhood& nb, const double* w, NeighborGradient& g, std::vector<double>& fc,
                  std::vector<double>& dfc) const {
        prepare<Cutoff>(nb, fc, &dfc);
        const std::size_t m = eta.size();
        detail::Triplet t;
        detail::for_each_pair(nb, weighted ? -1 : e1, e2, [&](std::size_t j, std::size_t k) {
            if (nb.r[j] >= cut.rc || nb.r[k] >= cut.rc) return;
            t.set(nb, j, k);
            double fjk = 1.0, dfjk = 0.0;
            if (narrow) {
                if (t.set_jk() >= cut.rc) return;
                Cutoff::eval(t.rjk, cut, fjk, dfjk);
            }
            const double fj = fc[j], fk = fc[k], dfj = dfc[j], dfk = dfc[k];
            const double fprod = fj * fk * fjk;
            double a_ij = 0.0, a_ik = 0.0, a_jk = 0.0, a_c = 0.0;
            for (std::size_t s = 0; s < m; ++s) {
                const double p = 1.0 + lambda[s] * t.cos;
                if (p <= 0.0) continue;
                const double xj = t.rij - rs[s], xk = t.rik - rs[s];
                double q = xj * xj + xk * xk;
                double xjk = 0.0;
                if (narrow) { xjk = t.rjk - rs[s]; q += xjk * xjk; }
                double pw1;  // p^(zeta-1)
                if (izeta[s] >= 1) pw1 = detail::ipow(p, izeta[s] - 1);
                else pw1 = std::pow(p, zeta[s] - 1.0);
                const double pw = pw1 * p;
                const double c = w[out[s]] * pref[s] * std::exp(-eta[s] * q);  // weight x prefactor x Gaussian
                const double cp = c * pw;
                const double te = -2.0 * eta[s];
                a_c += c * zeta[s] * lambda[s] * pw1 * fprod;
                a_ij += cp * (te * xj * fprod + dfj * fk * fjk);
                a_ik += cp * (te * xk * fprod + fj * dfk * fjk);
                if (narrow) a_jk += cp * (te * xjk * fprod + fj * fk * dfjk);
            }
            if (weighted) {
                const double zz = nb.z[j] * nb.z[k];
                a_ij *= zz; a_ik *= zz; a_jk *= zz; a_c *= zz;
            }
            detail::scatter_triplet(t, j, k, a_ij, a_ik, a_jk, a_c, g);
        });
    }

private:
    template <class Cutoff> void prepare(const Neighborhood& nb, std::vector<double>& fc, std::vector<double>* dfc) const {
        const std::size_t n = nb.size();
        fc.resize(n);
        if (dfc) dfc->resize(n);
        for (std::size_t j = 0; j < n; ++j) {
            double f = 0.0, df = 0.0;
            if (nb.r[j] < cut.rc) Cutoff::eval(nb.r[j], cut, f, df);
            fc[j] = f;
            if (dfc) (*dfc)[j] = df;
        }
    }
};

}  // namespace hdnnp
