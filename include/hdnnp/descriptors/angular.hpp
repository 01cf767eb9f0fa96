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
// Narrow groups first compact the live triplets (r_jk < rc: about half of all pairs in a dense
// liquid) with compress stores, all first neighbours back to back, so that r_jk's square root (with its
// inverse: simd::sqrt_and_inverse, no square root or division instruction), cutoff and exponentials, the
// member powers and the whole force pass run on full vectors of live triplets only (TripletCache); forces
// go back to the partners k by expand (the inverse of compress).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "hdnnp/config.hpp"
#include "hdnnp/cutoffs/cutoff.hpp"
#include "hdnnp/descriptors/neighborhood.hpp"
#include "hdnnp/simd/simd.hpp"

namespace hdnnp {

/// What values() keeps for gradient() (one per group and thread).
///   wide groups: per batch of triplets, cos and the Gaussian products (record_size() doubles per lane);
///   narrow groups: the live triplets only (r_jk < rc, r_ik < rc), compacted, as fields of `cap`
///   doubles each (TripletField), the runs of each first neighbour j back to back.
struct TripletCache {
    std::vector<double> data;
    std::size_t cap = 0, n = 0;               ///< entries per field, entries in use
    std::vector<std::uint32_t> run_j;          ///< first neighbour of each run (a j with live partners)
    std::vector<std::size_t> run_begin;        ///< shape (runs + 1): first entry of each run
    std::vector<std::uint32_t> raw_k;          ///< first k of each uncompacted vector with live lanes
    std::vector<unsigned char> raw_bits;       ///< its live lanes (entries follow in this order)
    bool has_k = false;                        ///< the fields the force pass needs are filled
    double* field(std::size_t f) { return data.data() + f * cap; }
    const double* field(std::size_t f) const { return data.data() + f * cap; }
};

/// Fields of a narrow TripletCache, one entry per live triplet, runs of one j back to back: the d
/// components of k, 1/r, r, fc (times Z for type 13) and dfc; the same of j (d components,
/// 1/r, r, fc, dfc); cos theta, r_jk, 1/r_jk, fc(r_jk), dfc(r_jk); then one Gaussian product per (eta, rs):
/// exp(-eta[(r_ij-rs)^2 + (r_ik-rs)^2 + (r_jk-rs)^2]).
enum TripletField : std::size_t {
    kTX, kTY, kTZ, kTIR, kTR, kTF, kTDF,
    kTJX, kTJY, kTJZ, kTJIR, kTJR, kTJF, kTJDF,
    kTC, kTRJK, kTIRJK, kTFJK, kTDFJK, kTE
};

/// Scratch of the angular kernels: per neighbour cutoff values and Gaussians.
struct AngularScratch {
    std::vector<double> fc, dfc;  ///< shape (n + pad)
    std::vector<double> gauss;    ///< shape (Q, n + pad): exp(-eta_q (r - rs_q)^2)
    TripletCache triplets;        ///< narrow groups evaluated without a caller's cache
    std::vector<double> ws;       ///< shape (2 m): member weights of one gradient call
    std::vector<double> contrib;  ///< narrow gradient: per-run contributions to the partners k (3 fields)
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
    std::vector<std::vector<std::size_t>> q_members;  ///< per (eta, rs): its members
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
        q_members.assign(q_eta.size(), {});
        for (std::size_t t = 0; t < mem_q.size(); ++t) q_members[mem_q[t]].push_back(t);
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

    /// Adds the group's values to G. If cache is given, what gradient() needs (see TripletCache) is
    /// stored there (forces need both passes over the same neighbourhood).
    template <class Cutoff, class V = double>
    HDNNP_FLATTEN void values(const Neighborhood& nb, double* G, AngularScratch& sc, std::vector<V>& acc,
                TripletCache* cache = nullptr) const {
        prepare<Cutoff>(nb, sc);
        if (narrow) values_narrow<Cutoff, V>(nb, G, sc, acc, cache ? *cache : sc.triplets, cache != nullptr);
        else values_wide<V>(nb, G, sc, acc, cache ? &cache->data : nullptr);
    }

    /// Adds sum_s w[out_s] dG_s/dd_n to the per-neighbour gradient. cache: what values() stored for
    /// the same neighbourhood (or nullptr to recompute the geometry).
    template <class Cutoff, class V = double>
    HDNNP_FLATTEN void gradient(const Neighborhood& nb, const double* w, NeighborGradient& g, AngularScratch& sc, std::vector<V>& acc,
                  const TripletCache* cache = nullptr) const {
        const double* ws[1] = {w};
        gradient<Cutoff, V, 1>(nb, ws, &g, sc, acc, cache);
    }

    /// The same for K weight vectors at once (committees): g[c] += sum_s w[c][out_s] dG_s/dd_n, c < K. Narrow
    /// groups share the triplet loads and member powers between the K sums; wide groups run K times.
    template <class Cutoff, class V, int K>
    HDNNP_FLATTEN void gradient(const Neighborhood& nb, const double* const* w, NeighborGradient* g, AngularScratch& sc,
                                std::vector<V>& acc, const TripletCache* cache) const {
        if (narrow) {
            if (!cache || !cache->has_k) {  // otherwise the cache holds all the per-neighbour values needed
                prepare<Cutoff>(nb, sc);
                acc.assign(q_eta.size(), V(0.0));
                build_triplets<Cutoff, V>(nb, sc, sc.triplets, true, acc.data());
                cache = &sc.triplets;
            }
            gradient_narrow<V, K>(w, g, sc, *cache);
        } else {
            prepare<Cutoff>(nb, sc);
            for (int c = 0; c < K; ++c) gradient_wide<V>(nb, w[c], g[c], sc, acc, cache ? &cache->data : nullptr);
        }
    }

    /// Doubles per triplet lane in a wide group's cache: cos + one Gaussian product per q.
    std::size_t record_size() const { return 1 + q_eta.size(); }

private:
    /// Wide groups (type 9): every pair j < k within rc, vectorised over k.
    template <class V>
    HDNNP_ALWAYS_INLINE void values_wide(const Neighborhood& nb, double* G, const AngularScratch& sc, std::vector<V>& acc,
                                         std::vector<double>* cache) const {
        constexpr std::size_t W = simd::width<V>;
        const std::size_t m = eta.size(), nq = q_eta.size(), stride = nb.size() + Neighborhood::kPad;
        const std::size_t rec = record_size() * W;
        acc.assign(m + nq, V(0.0));
        V* eq = acc.data() + m;
        std::size_t off = 0;
        for_each_j(nb, [&](std::size_t j, std::size_t kb, std::size_t ke) {
            const double xj = nb.dx[j], yj = nb.dy[j], zj = nb.dz[j], ij = nb.inv_r[j];
            const double fj = sc.fc[j] * (weighted ? nb.z[j] : 1.0);
            for (std::size_t k = kb; k < ke; k += W) {
                const V xk = simd::load<V>(&nb.dx[k]), yk = simd::load<V>(&nb.dy[k]), zk = simd::load<V>(&nb.dz[k]);
                V fk = simd::select(simd::lanes_below<V>(k, ke), simd::load<V>(&sc.fc[k]), V(0.0));
                if (weighted) fk *= simd::load<V>(&nb.z[k]);
                const V c = (xj * xk + yj * yk + zj * zk) * (ij * simd::load<V>(&nb.inv_r[k]));
                const V fprod = fj * fk;
                double* rc = nullptr;
                if (cache) {
                    if (off + rec > cache->size()) cache->resize(std::max(2 * cache->size(), off + rec));
                    rc = cache->data() + off;
                    off += rec;
                    simd::store(rc, c);
                }
                for (std::size_t q = 0; q < nq; ++q) {
                    const V e = sc.gauss[q * stride + j] * simd::load<V>(&sc.gauss[q * stride + k]);
                    if (rc) simd::store(rc + (1 + q) * W, e);
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

    template <class V>
    HDNNP_ALWAYS_INLINE void gradient_wide(const Neighborhood& nb, const double* w, NeighborGradient& g, const AngularScratch& sc,
                                           std::vector<V>& acc, const std::vector<double>* cache) const {
        constexpr std::size_t W = simd::width<V>;
        const std::size_t m = eta.size(), nq = q_eta.size(), stride = nb.size() + Neighborhood::kPad;
        const std::size_t rec = record_size() * W;
        acc.assign(2 * nq, V(0.0));
        V* eq = acc.data();
        V* aq = acc.data() + nq;
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
                V c;
                if (cache) {
                    const double* rc = cache->data() + off;
                    off += rec;
                    c = simd::load<V>(rc);
                    for (std::size_t q = 0; q < nq; ++q) eq[q] = simd::load<V>(rc + (1 + q) * W);
                } else {
                    c = (xj * xk + yj * yk + zj * zk) * (ij * ik);
                    for (std::size_t q = 0; q < nq; ++q)
                        eq[q] = sc.gauss[q * stride + j] * simd::load<V>(&sc.gauss[q * stride + k]);
                }
                for (std::size_t q = 0; q < nq; ++q) aq[q] = V(0.0);
                const V fprod = fj * fk;
                V dc(0.0);  // sum_s W_s zeta lambda p^(zeta-1) E_q
                for (std::size_t s = 0; s < m; ++s) {
                    const double ws = w[out[s]] * pref[s];
                    const V p = 1.0 + lambda[s] * c;
                    const V pw1 = izeta[s] >= 1 ? simd::ipow(p, izeta[s] - 1) : simd::pow(p, V(zeta[s] - 1.0));
                    const auto pos = p > 0.0;
                    aq[mem_q[s]] += simd::select(pos, ws * pw1 * p, V(0.0));
                    dc += simd::select(pos, (ws * zeta[s] * lambda[s]) * pw1 * eq[mem_q[s]], V(0.0));
                }
                V sum(0.0), sij(0.0), sik(0.0);
                for (std::size_t q = 0; q < nq; ++q) {
                    const V sq = aq[q] * eq[q];
                    const double te = -2.0 * q_eta[q];
                    sum += sq;
                    sij += sq * (te * (rj - q_rs[q]));
                    sik += sq * (te * (rk - q_rs[q]));
                }
                const V a_ij = fprod * sij + dfj * fk * sum;
                const V a_ik = fprod * sik + fj * dfk * sum;
                const V a_c = fprod * dc;
                const V cj = a_ij * ij - a_c * c * (ij * ij);
                const V ck = a_ik * ik - a_c * c * (ik * ik);
                const V cx = a_c * (ij * ik);
                gxj += cj * xj + cx * xk;
                gyj += cj * yj + cx * yk;
                gzj += cj * zj + cx * zk;
                simd::store(&g.gx[k], simd::load<V>(&g.gx[k]) + ck * xk + cx * xj);
                simd::store(&g.gy[k], simd::load<V>(&g.gy[k]) + ck * yk + cx * yj);
                simd::store(&g.gz[k], simd::load<V>(&g.gz[k]) + ck * zk + cx * zj);
            }
            g.gx[j] += simd::reduce(gxj);
            g.gy[j] += simd::reduce(gyj);
            g.gz[j] += simd::reduce(gzj);
        });
    }

    /// Narrow groups, first step: the live triplets of this neighbourhood (r_ij, r_ik < rc and
    /// r_jk < rc; about half of all pairs j < k in a liquid) compacted into T, back to back without
    /// padding, with their geometry, so that square roots, cutoffs, exponentials, member powers and the
    /// force pass are spent only where a term is non-zero. keep_k: also store what gradient() needs.
    /// gjk: workspace of nq vectors.
    template <class Cutoff, class V>
    HDNNP_ALWAYS_INLINE void build_triplets(const Neighborhood& nb, const AngularScratch& sc, TripletCache& T, bool keep_k,
                                            V* gjk) const {
        constexpr std::size_t W = simd::width<V>;
        const std::size_t nq = q_eta.size(), stride = nb.size() + Neighborhood::kPad, nf = kTE + nq;
        std::size_t cap = 2 * W;  // every pair, and slack for whole-vector stores past the end
        for_each_j(nb, [&](std::size_t, std::size_t kb, std::size_t ke) { cap += ke - kb; });
        cap = (cap + W - 1) / W * W;
        T.cap = cap;
        if (T.data.size() < nf * cap) T.data.resize(nf * cap);
        T.n = 0;
        T.has_k = keep_k;
        T.run_j.clear();
        T.run_begin.assign(1, 0);
        T.raw_k.clear();
        T.raw_bits.clear();
        double* F[kTE];
        for (std::size_t f = 0; f < kTE; ++f) F[f] = T.field(f);
        double* const E = T.field(kTE);  // Gaussian product of (eta, rs) q at E + q cap
        const double rc2 = cut.rc * cut.rc;
        // 1. Compaction: per raw vector of partners k only what cannot be recomputed cheaply (stores,
        //    not arithmetic, bound this loop); the j fields are filled once per run.
        for_each_j(nb, [&](std::size_t j, std::size_t kb, std::size_t ke) {
            const double xj = nb.dx[j], yj = nb.dy[j], zj = nb.dz[j];
            const std::size_t start = T.n;
            for (std::size_t k = kb; k < ke; k += W) {
                const V xk = simd::load<V>(&nb.dx[k]), yk = simd::load<V>(&nb.dy[k]), zk = simd::load<V>(&nb.dz[k]);
                const V ax = xk - xj, ay = yk - yj, az = zk - zj;
                const V r2 = ax * ax + ay * ay + az * az;
                V fk = simd::load<V>(&sc.fc[k]);
                const unsigned bits = simd::lane_bits(simd::lanes_below<V>(k, ke) && (r2 < rc2) && (fk > 0.0));
                if (!bits) continue;
                const std::size_t o = T.n;
                simd::compress_store(F[kTX] + o, xk, bits);
                simd::compress_store(F[kTY] + o, yk, bits);
                simd::compress_store(F[kTZ] + o, zk, bits);
                simd::compress_store(F[kTIR] + o, simd::load<V>(&nb.inv_r[k]), bits);
                V dfk = simd::load<V>(&sc.dfc[k]);
                if (weighted) {
                    const V zw = simd::load<V>(&nb.z[k]);
                    fk *= zw;
                    dfk *= zw;
                }
                simd::compress_store(F[kTF] + o, fk, bits);
                for (std::size_t q = 0; q < nq; ++q)
                    if (q_base[q] == q)
                        simd::compress_store(E + q * cap + o, sc.gauss[q * stride + j] * simd::load<V>(&sc.gauss[q * stride + k]), bits);
                if (keep_k) {
                    simd::compress_store(F[kTR] + o, simd::load<V>(&nb.r[k]), bits);
                    simd::compress_store(F[kTDF] + o, dfk, bits);
                    T.raw_k.push_back(static_cast<std::uint32_t>(k));
                    T.raw_bits.push_back(static_cast<unsigned char>(bits));
                }
                T.n += static_cast<std::size_t>(simd::popcount(bits));
            }
            if (T.n == start) return;
            const double zw = weighted ? nb.z[j] : 1.0;
            const V jx(xj), jy(yj), jz(zj), jir(nb.inv_r[j]), jf(sc.fc[j] * zw);
            for (std::size_t p = start; p < T.n; p += W) {  // whole vectors; the next run overwrites the excess
                simd::store(F[kTJX] + p, jx);
                simd::store(F[kTJY] + p, jy);
                simd::store(F[kTJZ] + p, jz);
                simd::store(F[kTJIR] + p, jir);
                simd::store(F[kTJF] + p, jf);
            }
            if (keep_k) {
                const V jr(nb.r[j]), jdf(sc.dfc[j] * zw);
                for (std::size_t p = start; p < T.n; p += W) {
                    simd::store(F[kTJR] + p, jr);
                    simd::store(F[kTJDF] + p, jdf);
                }
            }
            T.run_j.push_back(static_cast<std::uint32_t>(j));
            T.run_begin.push_back(T.n);
        });
        // Inert entries up to a whole vector: zero Gaussian products (every term and derivative vanishes),
        // finite positions away from j (r_jk > 0).
        const std::size_t end = (T.n + W - 1) / W * W;
        for (std::size_t p = T.n; p < end; ++p) {
            for (std::size_t f = 0; f < kTC; ++f) T.data[f * cap + p] = 1.0;
            F[kTX][p] = 2.0;
            for (std::size_t q = 0; q < nq; ++q) E[q * cap + p] = 0.0;
        }
        // 2. Geometry of the live triplets: cos, r_jk, its cutoff and the Gaussian products.
        for (std::size_t p = 0; p < end; p += W) {
            const V xk = simd::load<V>(F[kTX] + p), yk = simd::load<V>(F[kTY] + p), zk = simd::load<V>(F[kTZ] + p);
            const V xj = simd::load<V>(F[kTJX] + p), yj = simd::load<V>(F[kTJY] + p), zj = simd::load<V>(F[kTJZ] + p);
            const V ax = xk - xj, ay = yk - yj, az = zk - zj;
            V rjk, irjk;
            simd::sqrt_and_inverse(ax * ax + ay * ay + az * az, rjk, irjk);
            simd::store(F[kTC] + p, (xj * xk + yj * yk + zj * zk) * (simd::load<V>(F[kTJIR] + p) * simd::load<V>(F[kTIR] + p)));
            V fjk, dfjk;
            Cutoff::eval(rjk, cut, fjk, dfjk);
            simd::store(F[kTRJK] + p, rjk);
            simd::store(F[kTIRJK] + p, irjk);
            simd::store(F[kTFJK] + p, fjk);
            simd::store(F[kTDFJK] + p, dfjk);
            for (std::size_t q = 0; q < nq; ++q)
                if (q_base[q] == q) {
                    const V x = rjk - q_rs[q];
                    gjk[q] = simd::load<V>(E + q * cap + p) * simd::exp(-q_eta[q] * x * x);
                    simd::store(E + q * cap + p, gjk[q]);
                }
            for (std::size_t q = 0; q < nq; ++q)
                if (q_base[q] != q) simd::store(E + q * cap + p, simd::ipow(gjk[q_base[q]], q_pow[q]));
        }
    }

    template <class Cutoff, class V>
    HDNNP_ALWAYS_INLINE void values_narrow(const Neighborhood& nb, double* G, const AngularScratch& sc, std::vector<V>& acc,
                                           TripletCache& T, bool keep_k) const {
        constexpr std::size_t W = simd::width<V>;
        const std::size_t m = eta.size(), nq = q_eta.size();
        acc.assign(m + nq, V(0.0));
        build_triplets<Cutoff, V>(nb, sc, T, keep_k, acc.data() + m);
        const double* C = T.field(kTC);
        const double* FK = T.field(kTF);
        const double* FJ = T.field(kTJF);
        const double* FJK = T.field(kTFJK);
        const double* E = T.field(kTE);
        for (std::size_t p = 0; p < T.n; p += W) {
            const V c = simd::load<V>(C + p);
            const V fprod = simd::load<V>(FJ + p) * simd::load<V>(FK + p) * simd::load<V>(FJK + p);
            for (std::size_t q = 0; q < nq; ++q) {
                const V e = simd::load<V>(E + q * T.cap + p) * fprod;
                for (const std::size_t s : q_members[q]) {
                    const V pl = 1.0 + lambda[s] * c;
                    const V pw = izeta[s] >= 0 ? simd::ipow(pl, izeta[s]) : simd::pow(pl, V(zeta[s]));
                    acc[s] += simd::select(pl > 0.0, pw, V(0.0)) * e;
                }
            }
        }
        for (std::size_t s = 0; s < m; ++s) G[out[s]] += pref[s] * simd::reduce(acc[s]);
    }

    template <class V, int K>
    HDNNP_ALWAYS_INLINE void gradient_narrow(const double* const* w, NeighborGradient* g, AngularScratch& sc, const TripletCache& T) const {
        constexpr std::size_t W = simd::width<V>;
        const std::size_t m = eta.size(), nq = q_eta.size();
        // Member weights of this call, per weight vector c: w_out pref (value) and w_out pref zeta lambda
        // (cos derivative).
        sc.ws.resize(2 * m * K);
        const double* wv[K];
        const double* wc[K];
        for (int c = 0; c < K; ++c) {
            double* b = sc.ws.data() + 2 * m * static_cast<std::size_t>(c);
            for (std::size_t s = 0; s < m; ++s) {
                b[s] = w[c][out[s]] * pref[s];
                b[m + s] = b[s] * zeta[s] * lambda[s];
            }
            wv[c] = b;
            wc[c] = b + m;
        }
        const double* F[kTE + 1];
        for (std::size_t f = 0; f <= kTE; ++f) F[f] = T.field(f);
        // Contributions of every live triplet to its k and to its j, compacted like the triplets, per c.
        const std::size_t len = T.n + W;
        sc.contrib.resize(6 * len * K);
        for (std::size_t p = 0; p < T.n; p += W) {
            const V xk = simd::load<V>(F[kTX] + p), yk = simd::load<V>(F[kTY] + p), zk = simd::load<V>(F[kTZ] + p);
            const V xj = simd::load<V>(F[kTJX] + p), yj = simd::load<V>(F[kTJY] + p), zj = simd::load<V>(F[kTJZ] + p);
            const V rk = simd::load<V>(F[kTR] + p), ik = simd::load<V>(F[kTIR] + p);
            const V rj = simd::load<V>(F[kTJR] + p), ij = simd::load<V>(F[kTJIR] + p);
            const V fk = simd::load<V>(F[kTF] + p), dfk = simd::load<V>(F[kTDF] + p);
            const V fj = simd::load<V>(F[kTJF] + p), dfj = simd::load<V>(F[kTJDF] + p);
            const V c = simd::load<V>(F[kTC] + p), rjk = simd::load<V>(F[kTRJK] + p), irjk = simd::load<V>(F[kTIRJK] + p);
            const V fjk = simd::load<V>(F[kTFJK] + p), dfjk = simd::load<V>(F[kTDFJK] + p);
            const V fprod = fj * fk * fjk;
            V dc[K], sum[K], sij[K], sik[K], sjk[K];  // dc: sum_s W_s zeta lambda p^(zeta-1) E_q
            for (int v = 0; v < K; ++v) dc[v] = sum[v] = sij[v] = sik[v] = sjk[v] = V(0.0);
            for (std::size_t q = 0; q < nq; ++q) {
                const V e = simd::load<V>(F[kTE] + q * T.cap + p);
                V a[K], d[K];  // sum over q's members of W_s p^zeta and W_s zeta lambda p^(zeta-1)
                for (int v = 0; v < K; ++v) a[v] = d[v] = V(0.0);
                for (const std::size_t s : q_members[q]) {
                    const V pl = 1.0 + lambda[s] * c;
                    const V pw1 = izeta[s] >= 1 ? simd::ipow(pl, izeta[s] - 1) : simd::pow(pl, V(zeta[s] - 1.0));
                    const V pw1p = simd::select(pl > 0.0, pw1, V(0.0));
                    const V pz = pw1p * pl;
                    for (int v = 0; v < K; ++v) {
                        a[v] += wv[v][s] * pz;
                        d[v] += wc[v][s] * pw1p;
                    }
                }
                const double te = -2.0 * q_eta[q];
                const V tij = te * (rj - q_rs[q]), tik = te * (rk - q_rs[q]), tjk = te * (rjk - q_rs[q]);
                for (int v = 0; v < K; ++v) {
                    dc[v] += d[v] * e;
                    const V sq = a[v] * e;
                    sum[v] += sq;
                    sij[v] += sq * tij;
                    sik[v] += sq * tik;
                    sjk[v] += sq * tjk;
                }
            }
            const V dfj_k = dfj * fk * fjk, dfk_j = fj * dfk * fjk, dfjk_jk = fj * fk * dfjk;
            const V ij2 = ij * ij, ik2 = ik * ik, ijk = ij * ik;
            for (int v = 0; v < K; ++v) {
                double* const tx = sc.contrib.data() + 6 * len * static_cast<std::size_t>(v);
                double* const ty = tx + len;
                double* const tz = ty + len;
                double* const ux = tz + len;
                double* const uy = ux + len;
                double* const uz = uy + len;
                const V a_ij = fprod * sij[v] + dfj_k * sum[v];
                const V a_ik = fprod * sik[v] + dfk_j * sum[v];
                const V a_c = fprod * dc[v];
                const V a_jk = fprod * sjk[v] + dfjk_jk * sum[v];
                const V cj = a_ij * ij - a_c * c * ij2;
                const V ck = a_ik * ik - a_c * c * ik2;
                const V cx = a_c * ijk;
                const V t = a_jk * irjk;
                const V jx = t * (xk - xj), jy = t * (yk - yj), jz = t * (zk - zj);
                simd::store(ux + p, cj * xj + cx * xk - jx);
                simd::store(uy + p, cj * yj + cx * yk - jy);
                simd::store(uz + p, cj * zj + cx * zk - jz);
                simd::store(tx + p, ck * xk + cx * xj + jx);
                simd::store(ty + p, ck * yk + cx * yj + jy);
                simd::store(tz + p, ck * zk + cx * zj + jz);
            }
        }
        for (int v = 0; v < K; ++v) {
            const double* const tx = sc.contrib.data() + 6 * len * static_cast<std::size_t>(v);
            const double* const ty = tx + len;
            const double* const tz = ty + len;
            const double* const ux = tz + len;
            const double* const uy = ux + len;
            const double* const uz = uy + len;
            NeighborGradient& gv = g[v];
            // To the partners k: each uncompacted vector of k takes its live lanes' contributions (expand),
            // then one contiguous update of g.
            std::size_t o = 0;
            for (std::size_t b = 0; b < T.raw_k.size(); ++b) {
                const std::size_t k = T.raw_k[b];
                const unsigned bits = T.raw_bits[b];
                simd::store(&gv.gx[k], simd::load<V>(&gv.gx[k]) + simd::expand_load<V>(tx + o, bits));
                simd::store(&gv.gy[k], simd::load<V>(&gv.gy[k]) + simd::expand_load<V>(ty + o, bits));
                simd::store(&gv.gz[k], simd::load<V>(&gv.gz[k]) + simd::expand_load<V>(tz + o, bits));
                o += static_cast<std::size_t>(simd::popcount(bits));
            }
            // To the first neighbours j: the sum over each run.
            for (std::size_t run = 0; run + 1 < T.run_begin.size(); ++run) {
                double sx = 0.0, sy = 0.0, sz = 0.0;
                for (std::size_t p = T.run_begin[run]; p < T.run_begin[run + 1]; ++p) {
                    sx += ux[p];
                    sy += uy[p];
                    sz += uz[p];
                }
                const std::size_t j = T.run_j[run];
                gv.gx[j] += sx;
                gv.gy[j] += sy;
                gv.gz[j] += sz;
            }
        }
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
    /// Per-neighbour cutoff values and Gaussians exp(-eta_q (r - rs_q)^2) of the neighbours this group
    /// reads (its element ranges; narrow groups need only the Gaussians of shared-exponential bases).
    /// Whole vectors are computed; an entry only ever holds the value of its own neighbour.
    template <class Cutoff> HDNNP_FLATTEN void prepare(const Neighborhood& nb, AngularScratch& sc) const {
        using V = simd::Batch;
        constexpr std::size_t W = simd::width<V>;
        static_assert(W <= Neighborhood::kPad, "vectors must fit in the neighbourhood padding");
        const std::size_t n = nb.size(), np = n + Neighborhood::kPad, nq = q_eta.size();
        sc.fc.resize(np);
        sc.dfc.resize(np);
        sc.gauss.resize(nq * np);
        auto range = [&](std::size_t lo, std::size_t hi) {
            for (std::size_t j = lo; j < hi; j += W) {
                const V r = simd::load<V>(&nb.r[j]);
                V f, df;
                Cutoff::eval(r, cut, f, df);
                const auto live = simd::lanes_below<V>(j, n) && (r < cut.rc);
                simd::store(&sc.fc[j], simd::select(live, f, V(0.0)));
                simd::store(&sc.dfc[j], simd::select(live, df, V(0.0)));
                for (std::size_t q = 0; q < nq; ++q) {
                    if (narrow && q_base[q] != q) continue;
                    const V x = r - q_rs[q];
                    simd::store(&sc.gauss[q * np + j], simd::select(live, simd::exp(-q_eta[q] * x * x), V(0.0)));
                }
            }
        };
        if (weighted) {
            range(0, n);
            return;
        }
        const std::size_t b1 = nb.begin[static_cast<std::size_t>(e1)], l1 = nb.begin[static_cast<std::size_t>(e1) + 1];
        const std::size_t b2 = nb.begin[static_cast<std::size_t>(e2)], l2 = nb.begin[static_cast<std::size_t>(e2) + 1];
        range(b1, l1);
        if (e2 != e1) range(b2, l2);
    }
};

}  // namespace hdnnp
