// hdnnp: angular symmetry functions, types 3 (narrow), 9 (wide) and 13 (weighted narrow), grouped by
// (neighbour elements, rc, narrow/wide).
//
//   G = 2^(1-zeta) sum_{j<k} w_jk (1 + lambda cos theta_ijk)^zeta
//         exp(-eta [(r_ij-rs)^2 + (r_ik-rs)^2 (+ (r_jk-rs)^2 narrow)]) fc(r_ij) fc(r_ik) (fc(r_jk) narrow)
// with w_jk = 1 (types 3, 9: j, k of elements {e1, e2}) or Z_j Z_k (type 13: all pairs). A term with
// 1 + lambda cos theta <= 0 is zero. Integer zeta is evaluated by repeated multiplication.
//
// Evaluation: per neighbour, the cutoff and one Gaussian exp(-eta (r - rs)^2) per distinct (eta, rs)
// of the group are computed once; per triplet only r_jk, cos theta and (narrow) one exponential per
// distinct (eta, rs) remain. Kernels run over V = double or simd::Batch; lanes are consecutive k.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "hdnnp/config.hpp"
#include "hdnnp/cutoffs/cutoff.hpp"
#include "hdnnp/descriptors/neighborhood.hpp"
#include "hdnnp/simd/simd.hpp"

namespace hdnnp {

/// Scratch of the angular kernels: per neighbour cutoff values and Gaussians.
struct AngularScratch {
    std::vector<double> fc, dfc;  ///< shape (n + pad)
    std::vector<double> gauss;    ///< shape (Q, n + pad): exp(-eta_q (r - rs_q)^2)
};

struct AngularGroup {
    bool narrow = true;    ///< types 3 and 13: cutoff and Gaussian on r_jk too
    bool weighted = false; ///< type 13
    int e1 = -1, e2 = -1;  ///< neighbour elements (e1 <= e2); -1 when weighted
    CutoffParams cut;
    std::vector<double> eta, rs, lambda, zeta, pref;  ///< per member; pref = 2^(1 - zeta)
    std::vector<int> izeta;                           ///< zeta as integer, or -1 if not integer
    std::vector<std::size_t> out;
    std::vector<double> q_eta, q_rs;                  ///< distinct (eta, rs)
    std::vector<std::size_t> mem_q;                   ///< per member: its (eta, rs) index
    /// Narrow r_jk Gaussians: exp(-eta_q x^2) = exp(-eta_b x^2)^n when eta_q = n eta_b (same rs) for a
    /// small integer n, so one exponential serves several etas. q_base[q] = b (or q itself), q_pow[q] = n.
    std::vector<std::size_t> q_base;
    std::vector<int> q_pow;

    void add(double eta_, double rs_, double lambda_, double zeta_, std::size_t out_) {
        eta.push_back(eta_); rs.push_back(rs_); lambda.push_back(lambda_); zeta.push_back(zeta_);
        pref.push_back(std::pow(2.0, 1.0 - zeta_));
        izeta.push_back(zeta_ >= 0 && zeta_ <= 64 && zeta_ == std::floor(zeta_) ? static_cast<int>(zeta_) : -1);
        out.push_back(out_);
        std::size_t q = 0;
        while (q < q_eta.size() && !(q_eta[q] == eta_ && q_rs[q] == rs_)) ++q;
        if (q == q_eta.size()) { q_eta.push_back(eta_); q_rs.push_back(rs_); }
        mem_q.push_back(q);
        // Recompute the shared-exponential plan: each q takes the smallest eta with the same rs whose
        // integer multiple it is (to 1e-13 relative), else computes its own exponential.
        const std::size_t nq = q_eta.size();
        q_base.assign(nq, 0);
        q_pow.assign(nq, 1);
        for (std::size_t a = 0; a < nq; ++a) {
            q_base[a] = a;
            for (std::size_t b = 0; b < nq; ++b) {
                if (b == a || q_rs[b] != q_rs[a] || !(q_eta[b] > 0.0) || !(q_eta[b] < q_eta[q_base[a]])) continue;
                const double n = std::round(q_eta[a] / q_eta[b]);
                if (n >= 2 && n <= 32 && std::abs(q_eta[a] - n * q_eta[b]) <= 1e-13 * q_eta[a]) {
                    q_base[a] = b;
                    q_pow[a] = static_cast<int>(n);
                }
            }
            if (q_base[a] != a && q_base[q_base[a]] != q_base[a]) { q_base[a] = a; q_pow[a] = 1; }
        }
        for (std::size_t a = 0; a < nq; ++a)  // bases must be their own base
            if (q_base[a] != a && q_base[q_base[a]] != q_base[a]) { q_base[a] = a; q_pow[a] = 1; }
    }

    /// Adds the group's values to G. If cache is given, the per-triplet geometry (cos, r_jk, cutoff and
    /// Gaussians) is stored there for gradient() to reuse (forces need both passes).
    template <class Cutoff, class V = double>
    HDNNP_FLATTEN void values(const Neighborhood& nb, double* G, AngularScratch& sc, std::vector<V>& acc,
                std::vector<double>* cache = nullptr) const {
        constexpr std::size_t W = simd::width<V>;
        prepare<Cutoff>(nb, sc);
        const std::size_t m = eta.size(), nq = q_eta.size(), stride = nb.size() + Neighborhood::kPad;
        const std::size_t rec = record_size() * W;
        acc.assign(m + 2 * nq, V(0.0));
        V* eq = acc.data() + m;
        V* gjk = acc.data() + m + nq;
        std::size_t off = 0;
        for_each_j(nb, [&](std::size_t j, std::size_t kb, std::size_t ke) {
            const double xj = nb.dx[j], yj = nb.dy[j], zj = nb.dz[j], ij = nb.inv_r[j];
            const double fj = sc.fc[j] * (weighted ? nb.z[j] : 1.0);
            for (std::size_t k = kb; k < ke; k += W) {
                const V xk = simd::load<V>(&nb.dx[k]), yk = simd::load<V>(&nb.dy[k]), zk = simd::load<V>(&nb.dz[k]);
                V fk = simd::select(simd::lanes_below<V>(k, ke), simd::load<V>(&sc.fc[k]), V(0.0));
                if (weighted) fk *= simd::load<V>(&nb.z[k]);
                const V c = (xj * xk + yj * yk + zj * zk) * (ij * simd::load<V>(&nb.inv_r[k]));
                V fprod = fj * fk;
                V rjk(0.0), fjk(1.0), dfjk(0.0);
                if (narrow) {
                    const V ax = xk - xj, ay = yk - yj, az = zk - zj;
                    rjk = simd::sqrt(ax * ax + ay * ay + az * az);
                    Cutoff::eval(rjk, cut, fjk, dfjk);
                    fprod *= fjk;
                    jk_gaussians(rjk, gjk);
                }
                double* rc = nullptr;
                if (cache) {
                    if (off + rec > cache->size()) cache->resize(std::max(2 * cache->size(), off + rec));
                    rc = cache->data() + off;
                    off += rec;
                    simd::store(rc, c);
                    if (narrow) {
                        simd::store(rc + W, rjk);
                        simd::store(rc + 2 * W, fjk);
                        simd::store(rc + 3 * W, dfjk);
                    }
                }
                for (std::size_t q = 0; q < nq; ++q) {
                    V e = sc.gauss[q * stride + j] * simd::load<V>(&sc.gauss[q * stride + k]);
                    if (narrow) e *= gjk[q];
                    if (rc) simd::store(rc + (narrow ? 4 + q : 1 + q) * W, e);
                    eq[q] = e * fprod;
                }
                for (std::size_t s = 0; s < m; ++s) {
                    const V p = 1.0 + lambda[s] * c;
                    const V pw = izeta[s] >= 0 ? simd::ipow(p, izeta[s]) : simd::pow(p, V(zeta[s]));
                    acc[s] += simd::select(p > 0.0, pw, V(0.0)) * eq[mem_q[s]];
                }
            }
        });
        for (std::size_t s = 0; s < m; ++s) G[out[s]] += pref[s] * simd::reduce(acc[s]);
    }

    /// Doubles per triplet lane in the cache: cos (+ r_jk, f_jk, df_jk if narrow) + one Gaussian per q.
    std::size_t record_size() const { return (narrow ? 4 : 1) + q_eta.size(); }

    /// Adds sum_s w[out_s] dG_s/dd_n to the per-neighbour gradient. cache: what values() stored for
    /// the same neighbourhood (or nullptr to recompute the geometry).
    template <class Cutoff, class V = double>
    HDNNP_FLATTEN void gradient(const Neighborhood& nb, const double* w, NeighborGradient& g, AngularScratch& sc, std::vector<V>& acc,
                  const std::vector<double>* cache = nullptr) const {
        constexpr std::size_t W = simd::width<V>;
        prepare<Cutoff>(nb, sc);
        const std::size_t m = eta.size(), nq = q_eta.size(), stride = nb.size() + Neighborhood::kPad;
        const std::size_t rec = record_size() * W;
        acc.assign(3 * nq, V(0.0));
        V* eq = acc.data();
        V* aq = acc.data() + nq;
        V* gjk = acc.data() + 2 * nq;
        std::size_t off = 0;
        for_each_j(nb, [&](std::size_t j, std::size_t kb, std::size_t ke) {
            const double xj = nb.dx[j], yj = nb.dy[j], zj = nb.dz[j], rj = nb.r[j], ij = nb.inv_r[j];
            const double zwj = weighted ? nb.z[j] : 1.0;
            const double fj = sc.fc[j] * zwj, dfj = sc.dfc[j] * zwj;
            V gxj(0.0), gyj(0.0), gzj(0.0);
            for (std::size_t k = kb; k < ke; k += W) {
                const V xk = simd::load<V>(&nb.dx[k]), yk = simd::load<V>(&nb.dy[k]), zk = simd::load<V>(&nb.dz[k]);
                const auto in = simd::lanes_below<V>(k, ke);
                V fk = simd::select(in, simd::load<V>(&sc.fc[k]), V(0.0));
                V dfk = simd::select(in, simd::load<V>(&sc.dfc[k]), V(0.0));
                if (weighted) {
                    const V zk = simd::load<V>(&nb.z[k]);
                    fk *= zk;
                    dfk *= zk;
                }
                const V rk = simd::load<V>(&nb.r[k]), ik = simd::load<V>(&nb.inv_r[k]);
                V fjk(1.0), dfjk(0.0), rjk(0.0), ax(0.0), ay(0.0), az(0.0), c;
                if (narrow) { ax = xk - xj; ay = yk - yj; az = zk - zj; }
                if (cache) {
                    const double* rc = cache->data() + off;
                    off += rec;
                    c = simd::load<V>(rc);
                    if (narrow) {
                        rjk = simd::load<V>(rc + W);
                        fjk = simd::load<V>(rc + 2 * W);
                        dfjk = simd::load<V>(rc + 3 * W);
                    }
                    for (std::size_t q = 0; q < nq; ++q) {
                        eq[q] = simd::load<V>(rc + (narrow ? 4 + q : 1 + q) * W);
                        aq[q] = V(0.0);
                    }
                } else {
                    c = (xj * xk + yj * yk + zj * zk) * (ij * ik);
                    if (narrow) {
                        rjk = simd::sqrt(ax * ax + ay * ay + az * az);
                        Cutoff::eval(rjk, cut, fjk, dfjk);
                        jk_gaussians(rjk, gjk);
                    }
                    for (std::size_t q = 0; q < nq; ++q) {
                        V e = sc.gauss[q * stride + j] * simd::load<V>(&sc.gauss[q * stride + k]);
                        if (narrow) e *= gjk[q];
                        eq[q] = e;
                        aq[q] = V(0.0);
                    }
                }
                const V fprod = fj * fk * fjk;
                V dc(0.0);  // sum_s W_s zeta lambda p^(zeta-1) E_q
                for (std::size_t s = 0; s < m; ++s) {
                    const double ws = w[out[s]] * pref[s];
                    const V p = 1.0 + lambda[s] * c;
                    const V pw1 = izeta[s] >= 1 ? simd::ipow(p, izeta[s] - 1) : simd::pow(p, V(zeta[s] - 1.0));
                    const auto pos = p > 0.0;
                    aq[mem_q[s]] += simd::select(pos, ws * pw1 * p, V(0.0));
                    dc += simd::select(pos, (ws * zeta[s] * lambda[s]) * pw1 * eq[mem_q[s]], V(0.0));
                }
                V sum(0.0), sij(0.0), sik(0.0), sjk(0.0);
                for (std::size_t q = 0; q < nq; ++q) {
                    const V sq = aq[q] * eq[q];
                    const double te = -2.0 * q_eta[q];
                    sum += sq;
                    sij += sq * (te * (rj - q_rs[q]));
                    sik += sq * (te * (rk - q_rs[q]));
                    if (narrow) sjk += sq * (te * (rjk - q_rs[q]));
                }
                const V a_ij = fprod * sij + dfj * fk * fjk * sum;
                const V a_ik = fprod * sik + fj * dfk * fjk * sum;
                const V a_c = fprod * dc;
                const V cj = a_ij * ij - a_c * c * (ij * ij);
                const V ck = a_ik * ik - a_c * c * (ik * ik);
                const V cx = a_c * (ij * ik);
                V jx(0.0), jy(0.0), jz(0.0);
                if (narrow) {
                    const V a_jk = fprod * sjk + fj * fk * dfjk * sum;
                    const V t = simd::select(in, a_jk / rjk, V(0.0));
                    jx = t * ax; jy = t * ay; jz = t * az;
                }
                gxj += cj * xj + cx * xk - jx;
                gyj += cj * yj + cx * yk - jy;
                gzj += cj * zj + cx * zk - jz;
                simd::store(&g.gx[k], simd::load<V>(&g.gx[k]) + ck * xk + cx * xj + jx);
                simd::store(&g.gy[k], simd::load<V>(&g.gy[k]) + ck * yk + cx * yj + jy);
                simd::store(&g.gz[k], simd::load<V>(&g.gz[k]) + ck * zk + cx * zj + jz);
            }
            g.gx[j] += simd::reduce(gxj);
            g.gy[j] += simd::reduce(gyj);
            g.gz[j] += simd::reduce(gzj);
        });
    }

private:
    /// Narrow r_jk Gaussians for all q: out[q] = exp(-eta_q (rjk - rs_q)^2), sharing exponentials.
    template <class V> HDNNP_ALWAYS_INLINE void jk_gaussians(const V& rjk, V* out) const {
        const std::size_t nq = q_eta.size();
        for (std::size_t q = 0; q < nq; ++q)
            if (q_base[q] == q) {
                const V x = rjk - q_rs[q];
                out[q] = simd::exp(-q_eta[q] * x * x);
            }
        for (std::size_t q = 0; q < nq; ++q)
            if (q_base[q] != q) out[q] = simd::ipow(out[q_base[q]], q_pow[q]);
    }

    /// Calls f(j, kb, ke) for each first neighbour j (inside the cutoff) with its range of partners k.
    template <class F> void for_each_j(const Neighborhood& nb, F&& f) const {
        std::size_t b1, l1, b2, l2;
        if (weighted) { b1 = b2 = 0; l1 = l2 = nb.size(); }
        else {
            b1 = nb.begin[static_cast<std::size_t>(e1)]; l1 = nb.begin[static_cast<std::size_t>(e1) + 1];
            b2 = nb.begin[static_cast<std::size_t>(e2)]; l2 = nb.begin[static_cast<std::size_t>(e2) + 1];
        }
        const bool same = weighted || e1 == e2;
        for (std::size_t j = b1; j < l1; ++j) {
            if (nb.r[j] >= cut.rc) continue;
            f(j, same ? j + 1 : b2, l2);
        }
    }
    template <class Cutoff> HDNNP_FLATTEN void prepare(const Neighborhood& nb, AngularScratch& sc) const {
        using V = simd::Batch;
        constexpr std::size_t W = simd::width<V>;
        const std::size_t n = nb.size(), np = n + Neighborhood::kPad, nq = q_eta.size();
        sc.fc.resize(np);
        sc.dfc.resize(np);
        sc.gauss.resize(nq * np);
        for (std::size_t j = 0; j < np; j += W) {
            if (j + W > np) {  // scalar remainder (np need not be a multiple of the width)
                for (std::size_t l = j; l < np; ++l) prepare_one<Cutoff>(nb, sc, l, n, np);
                break;
            }
            const V r = simd::load<V>(&nb.r[j]);
            V f, df;
            Cutoff::eval(r, cut, f, df);
            const auto live = simd::lanes_below<V>(j, n) && (r < cut.rc);
            f = simd::select(live, f, V(0.0));
            df = simd::select(live, df, V(0.0));
            simd::store(&sc.fc[j], f);
            simd::store(&sc.dfc[j], df);
            for (std::size_t q = 0; q < nq; ++q) {
                const V x = r - q_rs[q];
                simd::store(&sc.gauss[q * np + j], simd::select(live, simd::exp(-q_eta[q] * x * x), V(0.0)));
            }
        }
    }
    template <class Cutoff>
    void prepare_one(const Neighborhood& nb, AngularScratch& sc, std::size_t j, std::size_t n, std::size_t np) const {
        double f = 0.0, df = 0.0;
        const bool live = j < n && nb.r[j] < cut.rc;
        if (live) Cutoff::eval(nb.r[j], cut, f, df);
        sc.fc[j] = f;
        sc.dfc[j] = df;
        for (std::size_t q = 0; q < q_eta.size(); ++q) {
            const double x = nb.r[j] - q_rs[q];
            sc.gauss[q * np + j] = live ? std::exp(-q_eta[q] * x * x) : 0.0;
        }
    }
};

}  // namespace hdnnp
