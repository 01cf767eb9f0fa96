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
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "hdnnp/config.hpp"
#include "hdnnp/core/error.hpp"
#include "hdnnp/cutoffs/cutoff.hpp"
#include "hdnnp/descriptors/angular_geometry.hpp"
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

    /// value and derivative d/dx; zero outside (a, b)
    void eval(double x, double& f, double& df) const {
        if (!(x > a && x < b)) { f = 0.0; df = 0.0; return; }
        const double t = (x - m) * inv_w;
        const double s = t < 0.0 ? -1.0 : 1.0;
        double u = s * t, du = s * inv_w;
        if (asym) { du *= 2.0 - 2.0 * u; u = u * (2.0 - u); }
        double p, dp;
        switch (core) {
            case CompactCore::p1: detail::Poly1Core::eval(u, p, dp); break;
            case CompactCore::p2: detail::Poly2Core::eval(u, p, dp); break;
            case CompactCore::p3: detail::Poly3Core::eval(u, p, dp); break;
            case CompactCore::p4: detail::Poly4Core::eval(u, p, dp); break;
            default: detail::ExpCore::eval(u, p, dp); break;
        }
        f = p;
        df = dp * du;
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

    void values(const Neighborhood& nb, double* G) const {
        const std::size_t b = e1 < 0 ? 0 : nb.begin[static_cast<std::size_t>(e1)];
        const std::size_t e = e1 < 0 ? nb.size() : nb.begin[static_cast<std::size_t>(e1) + 1];
        for (std::size_t n = b; n < e; ++n) {
            const double r = nb.r[n];
            if (r >= rc_max) continue;
            const double zw = e1 < 0 ? nb.z[n] : 1.0;
            for (std::size_t k = 0; k < win.size(); ++k) {
                double f, df;
                win[k].eval(r, f, df);
                G[out[k]] += zw * f;
            }
        }
    }
    void gradient(const Neighborhood& nb, const double* w, NeighborGradient& g) const {
        const std::size_t b = e1 < 0 ? 0 : nb.begin[static_cast<std::size_t>(e1)];
        const std::size_t e = e1 < 0 ? nb.size() : nb.begin[static_cast<std::size_t>(e1) + 1];
        for (std::size_t n = b; n < e; ++n) {
            const double r = nb.r[n];
            if (r >= rc_max) continue;
            double s = 0.0;
            for (std::size_t k = 0; k < win.size(); ++k) {
                double f, df;
                win[k].eval(r, f, df);
                s += w[out[k]] * df;
            }
            if (e1 < 0) s *= nb.z[n];
            s /= r;
            g.gx[n] += s * nb.dx[n];
            g.gy[n] += s * nb.dy[n];
            g.gz[n] += s * nb.dz[n];
        }
    }
};

/// Types 21, 22, 24, 25. Members are (radial window, angular window) pairs; distinct windows are
/// evaluated once per neighbour (radial) or per triplet (angular) and shared by all members.
struct CompactAngularGroup {
    bool narrow = false;   ///< 21, 24: R(r_jk) too
    bool weighted = false; ///< 24, 25
    int e1 = -1, e2 = -1;
    double rc_max = 0.0;
    std::vector<CompactWindow> radial;   ///< distinct radial windows
    std::vector<CompactWindow> angular;  ///< distinct angular windows (radians)
    std::vector<std::size_t> mem_radial, mem_angular, out;  ///< per member
    std::vector<std::vector<std::size_t>> by_radial;          ///< members of each radial window

    void add(const CompactWindow& rw, const CompactWindow& aw, std::size_t out_) {
        mem_radial.push_back(index_of(radial, rw));
        mem_angular.push_back(index_of(angular, aw));
        out.push_back(out_);
        rc_max = std::max(rc_max, rw.b);
        by_radial.resize(radial.size());
        by_radial[mem_radial.back()].push_back(mem_radial.size() - 1);
    }

    /// scratch layout: R[n * nr + w], dR likewise; A[a], dA[a]; Rjk[w], dRjk[w]
    struct Scratch {
        std::vector<double> R, dR, A, dA, Rjk, dRjk, S, dS;
        std::vector<double> cos_row, theta_row;  ///< cos theta_ijk and theta_ijk for all k of the current j
        std::size_t row_j = static_cast<std::size_t>(-1);
    };

    void values(const Neighborhood& nb, double* G, Scratch& sc) const {
        prepare(nb, sc);
        const std::size_t nr = radial.size();
        detail::Triplet t;
        detail::for_each_pair(nb, weighted ? -1 : e1, e2, [&](std::size_t j, std::size_t k) {
            if (nb.r[j] >= rc_max || nb.r[k] >= rc_max) return;
            const double* Rj = &sc.R[j * nr];
            const double* Rk = &sc.R[k * nr];
            if (!any_live(Rj, Rk, nullptr, nullptr, nr)) return;  // no window reaches both neighbours
            t.set(nb, j, k);
            if (!triplet_angle(nb, j, k, t, sc, false)) return;
            if (narrow && !jk_windows(t, sc, false)) return;
            const double zz = weighted ? nb.z[j] * nb.z[k] : 1.0;
            for (std::size_t wi = 0; wi < nr; ++wi) {
                double p = Rj[wi] * Rk[wi];
                if (p == 0.0) continue;
                if (narrow) p *= sc.Rjk[wi];
                p *= zz;
                for (std::size_t s : by_radial[wi]) G[out[s]] += p * sc.A[mem_angular[s]];
            }
        });
    }

    void gradient(const Neighborhood& nb, const double* w, NeighborGradient& g, Scratch& sc) const {
        prepare(nb, sc);
        const std::size_t nr = radial.size();
        detail::Triplet t;
        detail::for_each_pair(nb, weighted ? -1 : e1, e2, [&](std::size_t j, std::size_t k) {
            if (nb.r[j] >= rc_max || nb.r[k] >= rc_max) return;
            const double* Rj = &sc.R[j * nr];
            const double* Rk = &sc.R[k * nr];
            const double* dRj = &sc.dR[j * nr];
            const double* dRk = &sc.dR[k * nr];
            if (!any_live(Rj, Rk, dRj, dRk, nr)) return;
            t.set(nb, j, k);
            if (!triplet_angle(nb, j, k, t, sc, true)) return;
            if (narrow && !jk_windows(t, sc, true)) return;
            // Per live radial window w: S_w = sum_{members of w} w_s A_a, dS_w likewise with dA/dcos.
            double a_ij = 0.0, a_ik = 0.0, a_jk = 0.0, a_c = 0.0;
            for (std::size_t wi = 0; wi < nr; ++wi) {
                const double rj = Rj[wi], rk = Rk[wi], drj = dRj[wi], drk = dRk[wi];
                if ((rj == 0.0 && drj == 0.0) || (rk == 0.0 && drk == 0.0)) continue;
                double S = 0.0, dS = 0.0;
                for (std::size_t s : by_radial[wi]) {
                    const double ws = w[out[s]];
                    S += ws * sc.A[mem_angular[s]];
                    dS += ws * sc.dA[mem_angular[s]];
                }
                const double rjk = narrow ? sc.Rjk[wi] : 1.0;
                const double drjk = narrow ? sc.dRjk[wi] : 0.0;
                a_ij += drj * rk * rjk * S;
                a_ik += rj * drk * rjk * S;
                a_jk += rj * rk * drjk * S;
                a_c += rj * rk * rjk * dS;
            }
            const double zz = weighted ? nb.z[j] * nb.z[k] : 1.0;
            detail::scatter_triplet(t, j, k, zz * a_ij, zz * a_ik, zz * a_jk, zz * a_c, g);
        });
    }

private:
    /// cos theta_ijk (clamped to [-1, 1]) and theta_ijk for every neighbour k of j, vectorised.
    HDNNP_FLATTEN void angle_row(const Neighborhood& nb, std::size_t j, Scratch& sc) const {
        using V = simd::Batch;
        constexpr std::size_t W = simd::width<V>;
        const std::size_t n = nb.size();
        const std::size_t nv = (n + W - 1) / W * W;  // <= n + kPad, so loads stay inside the padded arrays
        sc.cos_row.resize(nv);
        sc.theta_row.resize(nv);
        const double xj = nb.dx[j], yj = nb.dy[j], zj = nb.dz[j], rj = nb.r[j];
        for (std::size_t k = 0; k < nv; k += W) {
            const V xk = simd::load<V>(&nb.dx[k]), yk = simd::load<V>(&nb.dy[k]), zk = simd::load<V>(&nb.dz[k]);
            V c = (xj * xk + yj * yk + zj * zk) / (rj * simd::load<V>(&nb.r[k]));
            c = xsimd::min(xsimd::max(c, V(-1.0)), V(1.0));
            simd::store(&sc.cos_row[k], c);
            simd::store(&sc.theta_row[k], xsimd::acos(c));
        }
        sc.row_j = j;
    }
    /// True if some radial window is non-zero (or has a non-zero slope) at both neighbours.
    static bool any_live(const double* Rj, const double* Rk, const double* dRj, const double* dRk, std::size_t nr) {
        for (std::size_t wi = 0; wi < nr; ++wi) {
            const bool j_live = Rj[wi] != 0.0 || (dRj && dRj[wi] != 0.0);
            const bool k_live = Rk[wi] != 0.0 || (dRk && dRk[wi] != 0.0);
            if (j_live && k_live) return true;
        }
        return false;
    }
    static std::size_t index_of(std::vector<CompactWindow>& v, const CompactWindow& x) {
        for (std::size_t i = 0; i < v.size(); ++i)
            if (v[i] == x) return i;
        v.push_back(x);
        return v.size() - 1;
    }
    void prepare(const Neighborhood& nb, Scratch& sc) const {
        sc.row_j = static_cast<std::size_t>(-1);
        const std::size_t n = nb.size(), nr = radial.size();
        sc.R.assign(n * nr, 0.0);
        sc.dR.assign(n * nr, 0.0);
        sc.A.resize(angular.size());
        sc.dA.resize(angular.size());
        sc.Rjk.resize(nr);
        sc.dRjk.resize(nr);
        for (std::size_t j = 0; j < n; ++j) {
            if (nb.r[j] >= rc_max) continue;
            for (std::size_t wi = 0; wi < nr; ++wi) radial[wi].eval(nb.r[j], sc.R[j * nr + wi], sc.dR[j * nr + wi]);
        }
    }
    /// Angular windows at theta_ijk; dA holds dA/dcos. False if the triplet is skipped (cos = +-1).
    bool triplet_angle(const Neighborhood& nb, std::size_t j, std::size_t k, detail::Triplet& t, Scratch& sc, bool deriv) const {
        if (sc.row_j != j) angle_row(nb, j, sc);
        const double c = sc.cos_row[k];
        if (c == 1.0 || c == -1.0) return false;
        t.cos = c;
        const double theta = sc.theta_row[k];
        const double dtheta = deriv ? -1.0 / std::sqrt(1.0 - c * c) : 0.0;
        for (std::size_t a = 0; a < angular.size(); ++a) {
            double f, df;
            angular[a].eval(theta, f, df);
            sc.A[a] = f;
            sc.dA[a] = df * dtheta;
        }
        return true;
    }
    bool jk_windows(detail::Triplet& t, Scratch& sc, bool) const {
        if (t.set_jk() >= rc_max) return false;
        for (std::size_t wi = 0; wi < radial.size(); ++wi) radial[wi].eval(t.rjk, sc.Rjk[wi], sc.dRjk[wi]);
        return true;
    }
};

}  // namespace hdnnp
