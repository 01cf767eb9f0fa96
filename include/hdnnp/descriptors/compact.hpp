// hdnnp: compact ("polynomial") symmetry functions, types 20-25 (Bircher, Singraber, Dellago,
// Mach. Learn.: Sci. Technol. 2021). No cutoff function and no 2^(1-zeta).
//
// Core P(u), u in [0, 1], P(0) = 1, P(1) = 0, by subtype: p1..p4 = POLY1..POLY4, e = exp(1 - 1/(1 - u^2)).
// Window C(x; a, b) = P(|x - m| / w), m = (a + b)/2, w = (b - a)/2, zero unless a < x < b.
//   radial window  R(r) = C(r; rl, rc); subtype suffix `a`: u -> u (2 - u) before P (radial only)
//   angular window A(theta) = C(theta; left, right), theta in radians (input.nn gives degrees)
//   20: G = sum_{j in e1} R(r_ij)                     23: the same over all j, times Z_j
//   21: G = sum_{j<k} R(r_ij) R(r_ik) R(r_jk) A       24: the same over all pairs, times Z_j Z_k
//   22: G = sum_{j<k} R(r_ij) R(r_ik) A               25: the same over all pairs, times Z_j Z_k
// As in n2p2, a triplet whose cos theta is exactly +1 or -1 is skipped.
//
// Kernels run over V = double (the scalar path) or simd::Batch. Radial groups: lanes = consecutive
// neighbours. Angular groups: for each neighbour j, lanes = consecutive partners k of j; the radial windows
// of every neighbour are tabulated once per atom (window-major, so a vector of partners is one load), the
// angular windows once per triplet and shared by all members, and members are visited per radial window
// that is non-zero at j.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <type_traits>
#include <vector>

#include "hdnnp/config.hpp"
#include "hdnnp/core/error.hpp"
#include "hdnnp/cutoffs/cutoff.hpp"
#include "hdnnp/descriptors/neighborhood.hpp"
#include "hdnnp/simd/simd.hpp"

namespace hdnnp {

enum class CompactCore { p1, p2, p3, p4, e };

/// A window C(x; a, b) with its core; `asym` applies u -> u(2 - u) (radial windows of `a` subtypes).
struct CompactWindow {
    CompactCore core = CompactCore::p2;
    bool asym = false;
    double a = 0.0, b = 0.0;       ///< open interval (a, b)
    double m = 0.0, inv_w = 0.0;   ///< centre and 1/half-width

    CompactWindow() = default;
    CompactWindow(CompactCore c, bool as, double a_, double b_) : core(c), asym(as), a(a_), b(b_) {
        m = 0.5 * (a + b);
        inv_w = 2.0 / (b - a);
    }
    bool operator==(const CompactWindow& o) const { return core == o.core && asym == o.asym && a == o.a && b == o.b; }

    /// Value f and derivative df = d/dx at x (V = double or simd::Batch, lane-wise); zero outside (a, b).
    template <class V> HDNNP_ALWAYS_INLINE void eval(const V& x, V& f, V& df) const {
        const auto live = (x > V(a)) & (x < V(b));
        const V t = (x - m) * inv_w;
        V u = simd::select(t < V(0.0), -t, t);
        V du = simd::select(t < V(0.0), V(-inv_w), V(inv_w));
        if (asym) { du *= 2.0 - 2.0 * u; u = u * (2.0 - u); }
        u = simd::select(live, u, V(0.0));  // lanes outside the window: u >= 1 would send the e core's exp to -inf
        V p, dp;
        switch (core) {
            case CompactCore::p1: detail::Poly1Core::eval(u, p, dp); break;
            case CompactCore::p2: detail::Poly2Core::eval(u, p, dp); break;
            case CompactCore::p3: detail::Poly3Core::eval(u, p, dp); break;
            case CompactCore::p4: detail::Poly4Core::eval(u, p, dp); break;
            default: detail::ExpCore::eval(u, p, dp); break;
        }
        f = simd::select(live, p, V(0.0));
        df = simd::select(live, dp * du, V(0.0));
    }
};

/// Parses a compact subtype: "p1".."p4", optionally with suffix "a", or "e" (characters after `e`
/// ignored, as n2p2 does). Throws Error for anything else.
inline void parse_compact_subtype(const std::string& s, CompactCore& core, bool& asym) {
    asym = false;
    if (!s.empty() && s[0] == 'e') { core = CompactCore::e; return; }
    if (s.size() >= 2 && s[0] == 'p' && s[1] >= '1' && s[1] <= '4' && (s.size() == 2 || (s.size() == 3 && s[2] == 'a'))) {
        core = static_cast<CompactCore>(s[1] - '1');
        asym = s.size() == 3;
        return;
    }
    throw Error("unknown compact symmetry function subtype '" + s + "' (expected p1..p4, p1a..p4a or e)");
}

/// Types 20 and 23.
struct CompactRadialGroup {
    int e1 = -1;  ///< -1: all neighbours weighted by Z_j (type 23)
    double rc_max = 0.0;
    std::vector<CompactWindow> win;
    std::vector<std::size_t> out;

    std::size_t first(const Neighborhood& nb) const { return e1 < 0 ? 0 : nb.begin[static_cast<std::size_t>(e1)]; }
    std::size_t last(const Neighborhood& nb) const { return e1 < 0 ? nb.size() : nb.begin[static_cast<std::size_t>(e1) + 1]; }

    /// Adds the group's values to G (shape: the element's number of functions); acc: scratch.
    template <class V = double> HDNNP_FLATTEN void values(const Neighborhood& nb, double* G, std::vector<V>& acc) const {
        constexpr std::size_t W = simd::width<V>;
        acc.assign(win.size(), V(0.0));
        for (std::size_t n = first(nb), e = last(nb); n < e; n += W) {
            const V r = simd::load<V>(&nb.r[n]);
            V zw = simd::select(simd::lanes_below<V>(n, e), V(1.0), V(0.0));
            if (e1 < 0) zw *= simd::load<V>(&nb.z[n]);
            for (std::size_t k = 0; k < win.size(); ++k) {
                V f, df;
                win[k].eval(r, f, df);
                acc[k] += zw * f;
            }
        }
        for (std::size_t k = 0; k < win.size(); ++k) G[out[k]] += simd::reduce(acc[k]);
    }

    /// Adds sum_k w[out_k] dG_k/dd_n to the per-neighbour gradient (w = dE/dG, raw functions).
    template <class V = double> HDNNP_FLATTEN void gradient(const Neighborhood& nb, const double* w, NeighborGradient& g) const {
        constexpr std::size_t W = simd::width<V>;
        for (std::size_t n = first(nb), e = last(nb); n < e; n += W) {
            const V r = simd::load<V>(&nb.r[n]);
            V s(0.0);
            for (std::size_t k = 0; k < win.size(); ++k) {
                V f, df;
                win[k].eval(r, f, df);
                s += w[out[k]] * df;
            }
            if (e1 < 0) s *= simd::load<V>(&nb.z[n]);
            s = simd::select(simd::lanes_below<V>(n, e), s * simd::load<V>(&nb.inv_r[n]), V(0.0));
            simd::store(&g.gx[n], simd::load<V>(&g.gx[n]) + s * simd::load<V>(&nb.dx[n]));
            simd::store(&g.gy[n], simd::load<V>(&g.gy[n]) + s * simd::load<V>(&nb.dy[n]));
            simd::store(&g.gz[n], simd::load<V>(&g.gz[n]) + s * simd::load<V>(&nb.dz[n]));
        }
    }
};

/// Types 21, 22, 24, 25. Members are (radial window, angular window) pairs; distinct windows are
/// evaluated once per neighbour (radial) or per triplet (angular) and shared by all members.
/// Members with the same pair of windows share one entry: entries of radial window w are
/// [entry_begin[w], entry_begin[w + 1]), entry e with angular window entry_angular[e].
struct CompactAngularGroup {
    bool narrow = false;   ///< 21, 24: R(r_jk) too
    bool weighted = false; ///< 24, 25
    int e1 = -1, e2 = -1;
    double rc_max = 0.0;
    std::vector<CompactWindow> radial;   ///< distinct radial windows
    std::vector<CompactWindow> angular;  ///< distinct angular windows (radians)
    std::vector<std::size_t> mem_radial, mem_angular, out;  ///< per member
    std::vector<std::size_t> entry_begin, entry_angular, mem_entry;

    /// Adds a member; call finish() after the last one.
    void add(const CompactWindow& rw, const CompactWindow& aw, std::size_t out_) {
        mem_radial.push_back(index_of(radial, rw));
        mem_angular.push_back(index_of(angular, aw));
        out.push_back(out_);
        rc_max = std::max(rc_max, rw.b);
    }

    /// Builds the entries (distinct (radial, angular) pairs, ordered by radial window) once all members are added
    /// (once: rebuilding after every add cost O(members^2), 0.2 ms at load for DMABN_SCAN's 886 functions).
    void finish() {
        entry_begin.assign(radial.size() + 1, 0);
        entry_angular.clear();
        mem_entry.assign(out.size(), 0);
        for (std::size_t wi = 0; wi < radial.size(); ++wi) {
            entry_begin[wi] = entry_angular.size();
            for (std::size_t s = 0; s < out.size(); ++s) {
                if (mem_radial[s] != wi) continue;
                std::size_t e = entry_begin[wi];
                while (e < entry_angular.size() && entry_angular[e] != mem_angular[s]) ++e;
                if (e == entry_angular.size()) entry_angular.push_back(mem_angular[s]);
                mem_entry[s] = e;
            }
        }
        entry_begin[radial.size()] = entry_angular.size();
    }

    /// Per-thread scratch. R, dR: shape (n_radial, stride), radial window w at neighbour n in R[w * stride + n]
    /// (zero for n >= size()). Row tables of the current neighbour j, one value per partner k (kk = k - kb,
    /// padded to whole vectors with zeros): A shape (n_angular, 2, row), angular window a at A[2 a row + kk] and
    /// (gradient pass) its dA/dcos at A[(2 a + 1) row + kk]; cos theta_ijk, Z_j Z_k (weighted), r_jk and 1/r_jk (narrow; both 0 in lanes where r_jk = 0).
    struct Scratch {
        std::vector<double> R, dR;
        std::size_t stride = 0, row = 0;
        std::vector<std::size_t> live;  ///< radial windows non-zero (or with non-zero slope) at j
        std::vector<double> A, cos, zw, rjk, irjk, acc, ew, part;
    };

    /// Adds the group's values to G (shape: the element's number of functions).
    template <class V = double> HDNNP_FLATTEN void values(const Neighborhood& nb, double* G, Scratch& sc) const {
        constexpr std::size_t W = simd::width<V>;
        tabulate<V>(nb, sc);
        sc.acc.assign(entry_angular.size() * W, 0.0);
        for_each_row(nb, [&](std::size_t j, std::size_t kb, std::size_t ke) {
            if (!live_windows(j, sc, false)) return;
            const std::size_t nk = row_tables<V>(nb, j, kb, ke, sc, false);
            for (std::size_t wi : sc.live) {
                // entries of this window in chunks whose accumulators stay in registers
                for (std::size_t e = entry_begin[wi]; e < entry_begin[wi + 1]; e += kChunk) {
                    const std::size_t c = std::min(kChunk, entry_begin[wi + 1] - e);
                    chunk_dispatch(c, [&](auto C) { accumulate<V, decltype(C)::value>(j, kb, nk, wi, e, sc); });
                }
            }
        });
        for (std::size_t s = 0; s < out.size(); ++s) G[out[s]] += simd::reduce(simd::load<V>(&sc.acc[mem_entry[s] * W]));
    }

    /// Adds sum_s w[out_s] dG_s/dd_n to the per-neighbour gradient (w = dE/dG, raw functions).
    template <class V = double>
    HDNNP_FLATTEN void gradient(const Neighborhood& nb, const double* w, NeighborGradient& g, Scratch& sc) const {
        constexpr std::size_t W = simd::width<V>;
        tabulate<V>(nb, sc);
        sc.ew.assign(entry_angular.size(), 0.0);
        for (std::size_t s = 0; s < out.size(); ++s) sc.ew[mem_entry[s]] += w[out[s]];
        for_each_row(nb, [&](std::size_t j, std::size_t kb, std::size_t ke) {
            if (!live_windows(j, sc, true)) return;
            const std::size_t nk = row_tables<V>(nb, j, kb, ke, sc, true);
            // Partial derivatives of the row's triplet sums by r_ij, r_ik, r_jk and cos theta, window by window.
            sc.part.assign(4 * nk, 0.0);
            for (std::size_t wi : sc.live)
                for (std::size_t e = entry_begin[wi]; e < entry_begin[wi + 1]; e += kChunk) {
                    const std::size_t c = std::min(kChunk, entry_begin[wi + 1] - e);
                    chunk_dispatch(c, [&](auto C) { partials<V, decltype(C)::value>(j, kb, nk, wi, e, sc); });
                }
            // Chain rule (lanes = partners k):
            // dcos/dd_ij = d_ik/(rij rik) - cos d_ij/rij^2, dcos/dd_ik = d_ij/(rij rik) - cos d_ik/rik^2.
            const double xj = nb.dx[j], yj = nb.dy[j], zj = nb.dz[j], inv_rj = nb.inv_r[j];
            const double* part = sc.part.data();
            V gjx(0.0), gjy(0.0), gjz(0.0);
            for (std::size_t kk = 0; kk < nk; kk += W) {
                const std::size_t k = kb + kk;
                V a_ij = simd::load<V>(part + kk), a_ik = simd::load<V>(part + nk + kk);
                V a_jk = simd::load<V>(part + 2 * nk + kk), a_c = simd::load<V>(part + 3 * nk + kk);
                if (weighted) {
                    const V zw = simd::load<V>(&sc.zw[kk]);
                    a_ij *= zw; a_ik *= zw; a_jk *= zw; a_c *= zw;
                }
                const V xk = simd::load<V>(&nb.dx[k]), yk = simd::load<V>(&nb.dy[k]), zk = simd::load<V>(&nb.dz[k]);
                const V c = simd::load<V>(&sc.cos[kk]);
                const V inv_rk = simd::load<V>(&nb.inv_r[k]);
                const V cj = a_ij * inv_rj - a_c * c * (inv_rj * inv_rj);
                const V ck = a_ik * inv_rk - a_c * c * (inv_rk * inv_rk);
                const V cx = a_c * (inv_rj * inv_rk);
                V jx = cx * xk, jy = cx * yk, jz = cx * zk;
                V kx = ck * xk + cx * xj, ky = ck * yk + cx * yj, kz = ck * zk + cx * zj;
                if (narrow) {  // 1/r_jk is stored as 0 where r_jk = 0 (lanes outside the block, a_jk = 0 there)
                    const V xjk = xk - xj, yjk = yk - yj, zjk = zk - zj;
                    const V s = a_jk * simd::load<V>(&sc.irjk[kk]);
                    jx -= s * xjk; jy -= s * yjk; jz -= s * zjk;
                    kx += s * xjk; ky += s * yjk; kz += s * zjk;
                }
                gjx += cj * xj + jx;
                gjy += cj * yj + jy;
                gjz += cj * zj + jz;
                simd::store(&g.gx[k], simd::load<V>(&g.gx[k]) + kx);
                simd::store(&g.gy[k], simd::load<V>(&g.gy[k]) + ky);
                simd::store(&g.gz[k], simd::load<V>(&g.gz[k]) + kz);
            }
            g.gx[j] += simd::reduce(gjx);
            g.gy[j] += simd::reduce(gjy);
            g.gz[j] += simd::reduce(gjz);
        });
    }

private:
    static constexpr std::size_t kChunk = 8;  ///< entries accumulated together (registers)

    template <class F> static void chunk_dispatch(std::size_t c, F&& f) {
        switch (c) {
            case 1: f(std::integral_constant<std::size_t, 1>{}); break;
            case 2: f(std::integral_constant<std::size_t, 2>{}); break;
            case 3: f(std::integral_constant<std::size_t, 3>{}); break;
            case 4: f(std::integral_constant<std::size_t, 4>{}); break;
            case 5: f(std::integral_constant<std::size_t, 5>{}); break;
            case 6: f(std::integral_constant<std::size_t, 6>{}); break;
            case 7: f(std::integral_constant<std::size_t, 7>{}); break;
            default: f(std::integral_constant<std::size_t, 8>{}); break;
        }
    }

    /// acc[e0 + i] += sum_k R_w(r_ij) R_w(r_ik) [R_w(r_jk)] [Z_j Z_k] A_{a(e0 + i)}(theta_ijk), i < C, over the row.
    template <class V, std::size_t C>
    HDNNP_ALWAYS_INLINE void accumulate(std::size_t j, std::size_t kb, std::size_t nk, std::size_t wi,
                                        std::size_t e0, Scratch& sc) const {
        constexpr std::size_t W = simd::width<V>;
        const std::size_t row = sc.row;
        const double rj = sc.R[wi * sc.stride + j];
        const double* Rk = &sc.R[wi * sc.stride + kb];
        const double* Ar[C];
        V acc[C];
        for (std::size_t i = 0; i < C; ++i) {
            Ar[i] = &sc.A[2 * entry_angular[e0 + i] * row];
            acc[i] = simd::load<V>(&sc.acc[(e0 + i) * W]);
        }
        for (std::size_t kk = 0; kk < nk; kk += W) {
            V p = rj * simd::load<V>(Rk + kk);
            if (weighted) p *= simd::load<V>(&sc.zw[kk]);
            if (narrow) {
                V f, df;
                radial[wi].eval(simd::load<V>(&sc.rjk[kk]), f, df);
                p *= f;
            }
            for (std::size_t i = 0; i < C; ++i) acc[i] += p * simd::load<V>(Ar[i] + kk);
        }
        for (std::size_t i = 0; i < C; ++i) simd::store(&sc.acc[(e0 + i) * W], acc[i]);
    }

    /// The row's partial derivatives (sc.part: d/dr_ij, d/dr_ik, d/dr_jk, d/dcos, each shape (row)) from radial window
    /// wi and its entries e0 .. e0 + C - 1: with S = sum_e w_e A_e and dS = sum_e w_e dA_e/dcos,
    /// d/dr_ij += R'(r_ij) R(r_ik) [R(r_jk)] S, d/dr_ik += R(r_ij) R'(r_ik) [R(r_jk)] S, d/dr_jk += R R R'(r_jk) S,
    /// d/dcos += R(r_ij) R(r_ik) [R(r_jk)] dS (Z_j Z_k is applied by the caller).
    template <class V, std::size_t C>
    HDNNP_ALWAYS_INLINE void partials(std::size_t j, std::size_t kb, std::size_t nk, std::size_t wi, std::size_t e0,
                                      Scratch& sc) const {
        constexpr std::size_t W = simd::width<V>;
        const std::size_t row = sc.row, st = sc.stride;
        const double rj = sc.R[wi * st + j], drj = sc.dR[wi * st + j];
        const double* Rk = &sc.R[wi * st + kb];
        const double* dRk = &sc.dR[wi * st + kb];
        const double* Ar[C];
        double ew[C];
        for (std::size_t i = 0; i < C; ++i) {
            Ar[i] = &sc.A[2 * entry_angular[e0 + i] * row];
            ew[i] = sc.ew[e0 + i];
        }
        double* p_ij = sc.part.data();
        double* p_ik = p_ij + nk;
        double* p_jk = p_ij + 2 * nk;
        double* p_c = p_ij + 3 * nk;
        for (std::size_t kk = 0; kk < nk; kk += W) {
            V S(0.0), dS(0.0);
            for (std::size_t i = 0; i < C; ++i) {
                S += ew[i] * simd::load<V>(Ar[i] + kk);
                dS += ew[i] * simd::load<V>(Ar[i] + row + kk);
            }
            const V rk = simd::load<V>(Rk + kk), drk = simd::load<V>(dRk + kk);
            V rr = rj * rk;
            if (narrow) {
                V f, df;
                radial[wi].eval(simd::load<V>(&sc.rjk[kk]), f, df);
                simd::store(p_jk + kk, simd::load<V>(p_jk + kk) + rr * df * S);
                S *= f;
                dS *= f;
            }
            simd::store(p_ij + kk, simd::load<V>(p_ij + kk) + drj * rk * S);
            simd::store(p_ik + kk, simd::load<V>(p_ik + kk) + rj * drk * S);
            simd::store(p_c + kk, simd::load<V>(p_c + kk) + rr * dS);
        }
    }

    /// f(j, kb, ke) for every neighbour j of the group's first element with the partners k in [kb, ke): j < k
    /// within one element (or over all neighbours for the weighted types), every k of e2 otherwise.
    /// Neighbours are sorted by element, so partners are a contiguous block.
    template <class F> void for_each_row(const Neighborhood& nb, F&& f) const {
        if (e1 < 0) {
            for (std::size_t j = 0, n = nb.size(); j + 1 < n; ++j) f(j, j + 1, n);
            return;
        }
        const std::size_t b1 = nb.begin[static_cast<std::size_t>(e1)], l1 = nb.begin[static_cast<std::size_t>(e1) + 1];
        if (e1 == e2) {
            for (std::size_t j = b1; j + 1 < l1; ++j) f(j, j + 1, l1);
        } else {
            const std::size_t b2 = nb.begin[static_cast<std::size_t>(e2)], l2 = nb.begin[static_cast<std::size_t>(e2) + 1];
            if (b2 < l2)
                for (std::size_t j = b1; j < l1; ++j) f(j, b2, l2);
        }
    }

    /// Radial windows at every neighbour: R, dR (zero beyond the neighbours, so whole vectors may be loaded).
    template <class V> HDNNP_FLATTEN void tabulate(const Neighborhood& nb, Scratch& sc) const {
        constexpr std::size_t W = simd::width<V>;
        const std::size_t n = nb.size(), nr = radial.size();
        sc.stride = n + Neighborhood::kPad;
        sc.R.assign(nr * sc.stride, 0.0);
        sc.dR.assign(nr * sc.stride, 0.0);
        for (std::size_t wi = 0; wi < nr; ++wi)
            for (std::size_t k = 0; k < n; k += W) {  // lanes past n read the padding (far away: windows 0)
                V f, df;
                radial[wi].eval(simd::load<V>(&nb.r[k]), f, df);
                simd::store(&sc.R[wi * sc.stride + k], f);
                simd::store(&sc.dR[wi * sc.stride + k], df);
            }
    }

    /// sc.live = the radial windows that are non-zero at neighbour j (or, with `slope`, have a non-zero
    /// derivative there). False if there is none.
    bool live_windows(std::size_t j, Scratch& sc, bool slope) const {
        sc.live.clear();
        for (std::size_t wi = 0; wi < radial.size(); ++wi)
            if (sc.R[wi * sc.stride + j] != 0.0 || (slope && sc.dR[wi * sc.stride + j] != 0.0)) sc.live.push_back(wi);
        return !sc.live.empty();
    }

    /// The row tables of neighbour j and partners [kb, ke): cos theta_ijk (clamped to [-1, 1]), the angular windows
    /// (and with `deriv` dA/dcos), zero in lanes past ke and where cos is exactly +-1 (skipped triplets), and for the
    /// weighted types Z_j Z_k, for the narrow ones r_jk. Returns the padded row length (a multiple of the vector width).
    template <class V>
    HDNNP_FLATTEN std::size_t row_tables(const Neighborhood& nb, std::size_t j, std::size_t kb, std::size_t ke, Scratch& sc,
                                         bool deriv) const {
        constexpr std::size_t W = simd::width<V>;
        const std::size_t nk = (ke - kb + W - 1) / W * W, na = angular.size();
        if (sc.A.size() < 2 * na * nk) sc.A.resize(2 * na * nk);
        if (sc.cos.size() < nk) { sc.cos.resize(nk); sc.zw.resize(nk); sc.rjk.resize(nk); sc.irjk.resize(nk); }
        sc.row = nk;
        const double xj = nb.dx[j], yj = nb.dy[j], zj = nb.dz[j], irj = nb.inv_r[j], zwj = weighted ? nb.z[j] : 1.0;
        for (std::size_t kk = 0; kk < nk; kk += W) {
            const std::size_t k = kb + kk;
            const V xk = simd::load<V>(&nb.dx[k]), yk = simd::load<V>(&nb.dy[k]), zk = simd::load<V>(&nb.dz[k]);
            V c = (xj * xk + yj * yk + zj * zk) * (irj * simd::load<V>(&nb.inv_r[k]));
            c = simd::select(c < V(-1.0), V(-1.0), simd::select(c > V(1.0), V(1.0), c));
            const auto keep = simd::lanes_below<V>(k, ke) & (c != V(1.0)) & (c != V(-1.0));
            simd::store(&sc.cos[kk], c);
            if (weighted) simd::store(&sc.zw[kk], zwj * simd::load<V>(&nb.z[k]));
            if (narrow) {
                const V x = xk - xj, y = yk - yj, z = zk - zj;
                const V r2 = x * x + y * y + z * z;
                const auto pos = r2 > V(0.0);  // r_jk = 0 only in lanes outside the block: r_jk and 1/r_jk 0 there
                V rjk, irjk;
                simd::sqrt_and_inverse(simd::select(pos, r2, V(1.0)), rjk, irjk);
                simd::store(&sc.rjk[kk], simd::select(pos, rjk, V(0.0)));
                simd::store(&sc.irjk[kk], simd::select(pos, irjk, V(0.0)));
            }
            const V theta = simd::acos(simd::select(keep, c, V(0.0)));
            V dtheta(0.0);
            if (deriv) {  // -1 / sin theta (skipped lanes: any finite value, their windows are stored as 0)
                V sin_theta, inv_sin;
                simd::sqrt_and_inverse(simd::select(keep, 1.0 - c * c, V(1.0)), sin_theta, inv_sin);
                dtheta = -inv_sin;
            }
            for (std::size_t a = 0; a < na; ++a) {
                V f, df;
                angular[a].eval(theta, f, df);
                simd::store(&sc.A[2 * a * nk + kk], simd::select(keep, f, V(0.0)));
                if (deriv) simd::store(&sc.A[(2 * a + 1) * nk + kk], simd::select(keep, df * dtheta, V(0.0)));
            }
        }
        return nk;
    }

    static std::size_t index_of(std::vector<CompactWindow>& v, const CompactWindow& x) {
        for (std::size_t i = 0; i < v.size(); ++i)
            if (v[i] == x) return i;
        v.push_back(x);
        return v.size() - 1;
    }
};

}  // namespace hdnnp
