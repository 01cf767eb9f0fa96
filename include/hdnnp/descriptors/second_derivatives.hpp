// hdnnp: second derivatives of the symmetry functions, for exact Hessians (potential/hessian.hpp).
//
// For one centre atom i with neighbour vectors d_n (n < n_nb, d_n = R_j + n.L - R_i), given weights
// w_s (= dE_i/dG_s), `SecondDerivatives::evaluate` computes
//   J[s][3n + a]              = dG_s / d d_n,a                            (shape (n_functions, 3 n_nb))
//   Hd[(3n + a)(3 n_nb) + 3m + b] += sum_s w_s d2G_s / d d_n,a d d_m,b  (shape (3 n_nb, 3 n_nb), symmetric)
// for every family (types 2, 3, 9, 12, 13, 20-25) with the same conventions as the value kernels
// (radial.hpp, angular.hpp, compact.hpp): which pairs are visited, the r_jk cutoff of narrow types, the
// zero branch 1 + lambda cos theta <= 0, the skipped triplets cos theta = +-1 of the compact types.
//
// Method: every term is a function of a few scalars u: (r) for radial terms, (r_ij, r_ik, r_jk, cos theta)
// for triplets. Each member's term is evaluated as a second-order Taylor jet in u (value, gradient,
// Hessian; `Jet<M>`, products and univariate lifts f(u) with f, f', f''), the weighted sum of the jets is
// then composed once per neighbour or triplet with the analytic first and second derivatives of u
// with respect to the neighbour vectors:
//   d2T/dd dd = sum_a dT/du_a d2u_a/dd dd + sum_ab d2T/du_a du_b (du_a/dd)(du_b/dd)^T.
// The cutoff functions and compact windows get their second derivatives here (`cutoff_eval2`,
// `window_eval2`). Scalar code; speed comes from doing each centre once (see potential/hessian.hpp).
// Units: J in 1/length times the units of G, Hd in those of E_i/length^2 when w is dE_i/dG.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <vector>

#include "hdnnp/cutoffs/cutoff.hpp"
#include "hdnnp/descriptors/angular_geometry.hpp"
#include "hdnnp/descriptors/compact.hpp"
#include "hdnnp/descriptors/neighborhood.hpp"
#include "hdnnp/descriptors/symmetry_function.hpp"

namespace hdnnp {

namespace detail {

/// Polynomial and exponential cores P(x) with P', P'' (the shapes of cutoff.hpp's cores).
inline void core_eval2(int core, double x, double& p, double& dp, double& d2p) {
    const double x2 = x * x, x3 = x2 * x, x4 = x2 * x2;
    switch (core) {
        case 1:  // POLY1: 2x^3 - 3x^2 + 1
            p = (2.0 * x - 3.0) * x2 + 1.0;
            dp = (6.0 * x - 6.0) * x;
            d2p = 12.0 * x - 6.0;
            return;
        case 2:  // POLY2: -6x^5 + 15x^4 - 10x^3 + 1
            p = ((15.0 - 6.0 * x) * x - 10.0) * x3 + 1.0;
            dp = x2 * ((60.0 - 30.0 * x) * x - 30.0);
            d2p = x * ((180.0 - 120.0 * x) * x - 60.0);
            return;
        case 3:  // POLY3: 20x^7 - 70x^6 + 84x^5 - 35x^4 + 1
            p = (x * (x * (20.0 * x - 70.0) + 84.0) - 35.0) * x4 + 1.0;
            dp = x3 * (x * (x * (140.0 * x - 420.0) + 420.0) - 140.0);
            d2p = x2 * (x * (x * (840.0 * x - 2100.0) + 1680.0) - 420.0);
            return;
        case 4:  // POLY4: -70x^9 + 315x^8 - 540x^7 + 420x^6 - 126x^5 + 1
            p = (x * (x * ((315.0 - 70.0 * x) * x - 540.0) + 420.0) - 126.0) * x4 * x + 1.0;
            dp = x4 * (x * (x * ((2520.0 - 630.0 * x) * x - 3780.0) + 2520.0) - 630.0);
            d2p = x3 * (x * (x * ((17640.0 - 5040.0 * x) * x - 22680.0) + 12600.0) - 2520.0);
            return;
        default: {  // EXP: exp(1 - 1/(1 - x^2)) for |x| < 1
            const double d = 1.0 - x2;
            if (!(d > 0.0)) { p = dp = d2p = 0.0; return; }
            const double inv = 1.0 / d;
            p = std::exp(1.0 - inv);
            const double q = -2.0 * x * inv * inv;               // p'/p
            const double dq = -2.0 * inv * inv - 8.0 * x2 * inv * inv * inv;
            dp = p * q;
            d2p = p * (q * q + dq);
            return;
        }
    }
}

}  // namespace detail

/// Cutoff value fc(r), dfc/dr and d2fc/dr2 of family Cutoff (cutoffs/cutoff.hpp), scalar.
template <class Cutoff> inline void cutoff_eval2(double r, const CutoffParams& c, double& f, double& df, double& d2f) {
    f = df = d2f = 0.0;
    if (!(r < c.rc)) return;
    constexpr int id = Cutoff::id;
    if constexpr (id == 0) {
        f = 1.0;
    } else if constexpr (id == 2 || id == 3) {
        const double norm = id == 3 ? CutoffTanh::norm : 1.0;
        const double t = std::tanh(1.0 - r * c.inv_rc), t2 = t * t, dt = -(1.0 - t2) * c.inv_rc;
        f = norm * t2 * t;
        df = norm * 3.0 * t2 * dt;
        d2f = norm * (6.0 * t * dt * dt + 3.0 * t2 * (-2.0 * t * dt) * (-c.inv_rc));
    } else {
        if (r < c.rc_inner) { f = 1.0; return; }
        const double x = (r - c.rc_inner) * c.inv_width;
        double p, dp, d2p;
        if constexpr (id == 1) {
            p = 0.5 * (std::cos(M_PI * x) + 1.0);
            dp = -0.5 * M_PI * std::sin(M_PI * x);
            d2p = -0.5 * M_PI * M_PI * std::cos(M_PI * x);
        } else {
            detail::core_eval2(id == 4 ? 0 : id - 4, x, p, dp, d2p);
        }
        f = p;
        df = dp * c.inv_width;
        d2f = d2p * c.inv_width * c.inv_width;
    }
}

/// Compact window C(x) with C' and C'' (descriptors/compact.hpp), zero outside (a, b).
inline void window_eval2(const CompactWindow& w, double x, double& f, double& df, double& d2f) {
    f = df = d2f = 0.0;
    if (!(x > w.a && x < w.b)) return;
    const double t = (x - w.m) * w.inv_w;
    const double s = t < 0.0 ? -1.0 : 1.0;
    double u = s * t, du = s * w.inv_w, d2u = 0.0;
    if (w.asym) {
        d2u = -2.0 * du * du;
        du *= 2.0 - 2.0 * u;
        u = u * (2.0 - u);
    }
    const int core = w.core == CompactCore::e ? 0 : static_cast<int>(w.core) + 1;
    double p, dp, d2p;
    detail::core_eval2(core, u, p, dp, d2p);
    f = p;
    df = dp * du;
    d2f = d2p * du * du + dp * d2u;
}

/// A second-order Taylor jet in M variables: value v, gradient g, Hessian h (row-major, symmetric).
template <int M> struct Jet {
    double v = 0.0;
    std::array<double, M> g{};
    std::array<double, M * M> h{};

    static Jet constant(double c) {
        Jet j;
        j.v = c;
        return j;
    }
    /// f(u_a) for a univariate f with f, f', f'' at u_a.
    static Jet of_variable(int a, double f, double df, double d2f) {
        Jet j;
        j.v = f;
        j.g[static_cast<std::size_t>(a)] = df;
        j.h[static_cast<std::size_t>(a * M + a)] = d2f;
        return j;
    }
    /// f(this) for a univariate f with f, f', f'' at this->v.
    Jet lift(double f, double df, double d2f) const {
        Jet j;
        j.v = f;
        for (int a = 0; a < M; ++a) j.g[static_cast<std::size_t>(a)] = df * g[static_cast<std::size_t>(a)];
        for (int a = 0; a < M; ++a)
            for (int b = 0; b < M; ++b)
                j.h[static_cast<std::size_t>(a * M + b)] = df * h[static_cast<std::size_t>(a * M + b)] +
                                                           d2f * g[static_cast<std::size_t>(a)] * g[static_cast<std::size_t>(b)];
        return j;
    }
    /// this += s * o
    void add_scaled(double s, const Jet& o) {
        v += s * o.v;
        for (std::size_t a = 0; a < M; ++a) g[a] += s * o.g[a];
        for (std::size_t a = 0; a < M * M; ++a) h[a] += s * o.h[a];
    }
};

template <int M> inline Jet<M> operator*(const Jet<M>& x, const Jet<M>& y) {
    Jet<M> r;
    r.v = x.v * y.v;
    for (std::size_t a = 0; a < M; ++a) r.g[a] = x.v * y.g[a] + y.v * x.g[a];
    for (std::size_t a = 0; a < M; ++a)
        for (std::size_t b = 0; b < M; ++b)
            r.h[a * M + b] = x.v * y.h[a * M + b] + y.v * x.h[a * M + b] + x.g[a] * y.g[b] + y.g[a] * x.g[b];
    return r;
}
template <int M> inline Jet<M> operator*(double s, Jet<M> x) {
    x.v *= s;
    for (auto& e : x.g) e *= s;
    for (auto& e : x.h) e *= s;
    return x;
}

/// Derivatives of the triplet scalars u = (r_ij, r_ik, r_jk, cos theta_ijk) with respect to the six
/// components y = (d_ij, d_ik): du[a][p] = du_a/dy_p, d2u[a][p*6+q] = d2u_a/dy_p dy_q.
struct TripletGeometry2 {
    std::array<std::array<double, 6>, 4> du{};
    std::array<std::array<double, 36>, 4> d2u{};

    void set(const detail::Triplet& t, bool with_jk) {
        for (auto& a : du) a.fill(0.0);
        for (auto& a : d2u) a.fill(0.0);
        const double dj[3] = {t.xj, t.yj, t.zj}, dk[3] = {t.xk, t.yk, t.zk};
        const double A = t.rij, B = t.rik, c = t.cos;
        const double iA = 1.0 / A, iB = 1.0 / B, iAB = iA * iB;
        for (int p = 0; p < 3; ++p) {
            du[0][p] = dj[p] * iA;
            du[1][3 + p] = dk[p] * iB;
            du[3][p] = dk[p] * iAB - c * dj[p] * iA * iA;
            du[3][3 + p] = dj[p] * iAB - c * dk[p] * iB * iB;
        }
        for (int p = 0; p < 3; ++p)
            for (int q = 0; q < 3; ++q) {
                const double dpq = p == q ? 1.0 : 0.0;
                d2u[0][p * 6 + q] = (dpq - dj[p] * dj[q] * iA * iA) * iA;
                d2u[1][(3 + p) * 6 + 3 + q] = (dpq - dk[p] * dk[q] * iB * iB) * iB;
                // cos = a.b / (A B), a = d_ij, b = d_ik
                d2u[3][p * 6 + q] = -(dk[p] * dj[q] + dj[p] * dk[q]) * iA * iA * iAB - c * dpq * iA * iA +
                                    3.0 * c * dj[p] * dj[q] * iA * iA * iA * iA;
                d2u[3][(3 + p) * 6 + 3 + q] = -(dj[p] * dk[q] + dk[p] * dj[q]) * iB * iB * iAB - c * dpq * iB * iB +
                                              3.0 * c * dk[p] * dk[q] * iB * iB * iB * iB;
                const double x = dpq * iAB - dk[p] * dk[q] * iAB * iB * iB - dj[p] * dj[q] * iAB * iA * iA +
                                 c * dj[p] * dk[q] * iA * iA * iB * iB;
                d2u[3][p * 6 + 3 + q] = x;      // d2 cos / d a_p d b_q
                d2u[3][(3 + q) * 6 + p] = x;
            }
        if (with_jk) {
            const double e[3] = {t.xjk, t.yjk, t.zjk};
            const double iC = 1.0 / t.rjk;
            for (int p = 0; p < 3; ++p) {
                du[2][p] = -e[p] * iC;
                du[2][3 + p] = e[p] * iC;
            }
            for (int p = 0; p < 3; ++p)
                for (int q = 0; q < 3; ++q) {
                    const double P = ((p == q ? 1.0 : 0.0) - e[p] * e[q] * iC * iC) * iC;
                    d2u[2][p * 6 + q] = P;
                    d2u[2][(3 + p) * 6 + 3 + q] = P;
                    d2u[2][p * 6 + 3 + q] = -P;
                    d2u[2][(3 + p) * 6 + q] = -P;
                }
        }
    }
};

/// The per-centre second-derivative evaluation of one element's symmetry functions (see the file
/// comment). Built once per element from its specs (n2p2 order) and the model's cutoff shift alpha.
class SecondDerivatives {
public:
    SecondDerivatives() = default;
    SecondDerivatives(const std::vector<SymFnSpec>& specs, double alpha) {
        constexpr double deg = M_PI / 180.0;
        n_ = specs.size();
        for (std::size_t s = 0; s < specs.size(); ++s) {
            const SymFnSpec& f = specs[s];
            Member m;
            m.out = s;
            m.eta = f.eta; m.rs = f.rs; m.lambda = f.lambda; m.zeta = f.zeta;
            m.pref = std::pow(2.0, 1.0 - f.zeta);
            m.cut = CutoffParams(f.rc, alpha);
            if (f.is_compact()) {
                CompactCore core; bool asym;
                parse_compact_subtype(f.subtype, core, asym);
                m.radial = CompactWindow(core, asym, f.rl, f.rc);
                if (f.is_angular()) m.angular = CompactWindow(core, false, f.left * deg, f.right * deg);
            }
            const bool weighted = f.is_weighted();
            const int e1 = weighted ? -1 : f.e1, e2 = weighted ? -1 : f.e2;
            const bool narrow = f.type == 3 || f.type == 13 || f.type == 21 || f.type == 24;
            const double rc_key = f.is_compact() ? 0.0 : f.rc;  // compact groups: one per element pair
            const int kind = f.is_compact() ? (f.is_angular() ? 3 : 2) : (f.is_angular() ? 1 : 0);
            auto it = std::find_if(groups_.begin(), groups_.end(), [&](const Group& g) {
                return g.kind == kind && g.narrow == narrow && g.weighted == weighted && g.e1 == e1 && g.e2 == e2 &&
                       g.rc_key == rc_key;
            });
            if (it == groups_.end()) {
                groups_.emplace_back();
                it = groups_.end() - 1;
                it->kind = kind; it->narrow = narrow; it->weighted = weighted; it->e1 = e1; it->e2 = e2;
                it->rc_key = rc_key;
                it->cut = CutoffParams(f.rc, alpha);
            }
            it->rc_max = std::max(it->rc_max, f.rc);
            it->members.push_back(m);
        }
    }

    std::size_t size() const { return n_; }

    /// J (resized to n_functions x 3 n_nb, overwritten) and Hd (3 n_nb x 3 n_nb, added to) for weights w
    /// (shape (n_functions)); G (shape (n_functions), overwritten) receives the raw values as a by-product.
    template <class Cutoff>
    void evaluate(const Neighborhood& nb, const double* w, double* G, std::vector<double>& J, std::vector<double>& Hd) const {
        const std::size_t nn = nb.size(), cols = 3 * nn;
        std::fill(G, G + n_, 0.0);
        J.assign(n_ * cols, 0.0);
        if (Hd.size() != cols * cols) Hd.assign(cols * cols, 0.0);
        for (const Group& g : groups_) {
            if (g.kind == 0 || g.kind == 2) radial<Cutoff>(g, nb, w, G, J, Hd);
            else triplets<Cutoff>(g, nb, w, G, J, Hd);
        }
    }

private:
    struct Member {
        std::size_t out = 0;
        double eta = 0, rs = 0, lambda = 0, zeta = 0, pref = 1;
        CutoffParams cut;
        CompactWindow radial, angular;
    };
    struct Group {
        int kind = 0;  // 0 radial (2, 12), 1 angular (3, 9, 13), 2 compact radial (20, 23), 3 compact angular
        bool narrow = false, weighted = false;
        int e1 = -1, e2 = -1;
        double rc_key = 0.0, rc_max = 0.0;
        CutoffParams cut;
        std::vector<Member> members;
    };

    template <class Cutoff>
    void radial(const Group& g, const Neighborhood& nb, const double* w, double* G, std::vector<double>& J,
                std::vector<double>& Hd) const {
        const std::size_t cols = 3 * nb.size();
        const std::size_t b = g.e1 < 0 ? 0 : nb.begin[static_cast<std::size_t>(g.e1)];
        const std::size_t e = g.e1 < 0 ? nb.size() : nb.begin[static_cast<std::size_t>(g.e1) + 1];
        for (std::size_t n = b; n < e; ++n) {
            const double r = nb.r[n];
            if (!(r < g.rc_max)) continue;
            const double zw = g.weighted ? nb.z[n] : 1.0;
            double fc = 1.0, dfc = 0.0, d2fc = 0.0;
            if (g.kind == 0) cutoff_eval2<Cutoff>(r, g.cut, fc, dfc, d2fc);
            double s1 = 0.0, s2 = 0.0;  // sum_s w_s T_s', sum_s w_s T_s''
            const double d[3] = {nb.dx[n], nb.dy[n], nb.dz[n]};
            const double ir = 1.0 / r;
            for (const Member& m : g.members) {
                double f, df, d2f;
                if (g.kind == 0) {
                    const double x = r - m.rs, ex = std::exp(-m.eta * x * x);
                    const double de = -2.0 * m.eta * x * ex, d2e = (4.0 * m.eta * m.eta * x * x - 2.0 * m.eta) * ex;
                    f = ex * fc;
                    df = de * fc + ex * dfc;
                    d2f = d2e * fc + 2.0 * de * dfc + ex * d2fc;
                } else {
                    window_eval2(m.radial, r, f, df, d2f);
                }
                f *= zw; df *= zw; d2f *= zw;
                G[m.out] += f;
                for (int a = 0; a < 3; ++a) J[m.out * cols + 3 * n + static_cast<std::size_t>(a)] += df * d[a] * ir;
                s1 += w[m.out] * df;
                s2 += w[m.out] * d2f;
            }
            // d2 T / dd dd = T'' rr^T + T' (I - rr^T)/r
            for (int a = 0; a < 3; ++a)
                for (int c = 0; c < 3; ++c) {
                    const double pp = d[a] * d[c] * ir * ir;
                    Hd[(3 * n + static_cast<std::size_t>(a)) * cols + 3 * n + static_cast<std::size_t>(c)] +=
                        s2 * pp + s1 * ((a == c ? 1.0 : 0.0) - pp) * ir;
                }
        }
    }

    template <class Cutoff>
    void triplets(const Group& g, const Neighborhood& nb, const double* w, double* G, std::vector<double>& J,
                  std::vector<double>& Hd) const {
        const std::size_t cols = 3 * nb.size();
        const bool compact = g.kind == 3;
        const double rc = g.rc_max;
        detail::Triplet t;
        TripletGeometry2 geo;
        detail::for_each_pair(nb, g.weighted ? -1 : g.e1, g.e2, [&](std::size_t j, std::size_t k) {
            if (!(nb.r[j] < rc) || !(nb.r[k] < rc)) return;
            t.set(nb, j, k);
            if (compact) {
                t.cos = std::min(1.0, std::max(-1.0, t.cos));
                if (t.cos == 1.0 || t.cos == -1.0) return;
            }
            if (g.narrow && !(t.set_jk() < rc)) return;
            const double zz = g.weighted ? nb.z[j] * nb.z[k] : 1.0;
            Jet<4> W;                          // sum_s w_s T_s
            std::array<double, 6> grad_s{};    // dT_s/dy of one member
            bool any = false;
            double theta = 0, dth = 0, d2th = 0;
            if (compact) {
                const double c = t.cos, s2 = 1.0 - c * c;
                theta = std::acos(c);
                dth = -1.0 / std::sqrt(s2);
                d2th = -c / (s2 * std::sqrt(s2));
            }
            // shared cutoff jets (non-compact)
            Jet<4> F = Jet<4>::constant(1.0);
            if (!compact) {
                double f, df, d2f;
                cutoff_eval2<Cutoff>(t.rij, g.cut, f, df, d2f);
                F = Jet<4>::of_variable(0, f, df, d2f);
                cutoff_eval2<Cutoff>(t.rik, g.cut, f, df, d2f);
                F = F * Jet<4>::of_variable(1, f, df, d2f);
                if (g.narrow) {
                    cutoff_eval2<Cutoff>(t.rjk, g.cut, f, df, d2f);
                    F = F * Jet<4>::of_variable(2, f, df, d2f);
                }
                if (F.v == 0.0 && F.g[0] == 0.0 && F.g[1] == 0.0 && F.g[2] == 0.0) return;
            }
            bool geo_set = false;
            for (const Member& m : g.members) {
                Jet<4> T;
                if (!compact) {
                    const double p = 1.0 + m.lambda * t.cos;
                    if (!(p > 0.0)) continue;
                    const double pw = std::pow(p, m.zeta);
                    const double dpw = m.zeta * m.lambda * std::pow(p, m.zeta - 1.0);
                    const double d2pw = m.zeta * (m.zeta - 1.0) * m.lambda * m.lambda * std::pow(p, m.zeta - 2.0);
                    auto gauss = [&](int a, double r) {
                        const double x = r - m.rs, ex = std::exp(-m.eta * x * x);
                        return Jet<4>::of_variable(a, ex, -2.0 * m.eta * x * ex, (4.0 * m.eta * m.eta * x * x - 2.0 * m.eta) * ex);
                    };
                    T = gauss(0, t.rij) * gauss(1, t.rik);
                    if (g.narrow) T = T * gauss(2, t.rjk);
                    T = T * Jet<4>::of_variable(3, pw, dpw, m.zeta == 1.0 ? 0.0 : d2pw);
                    T = (m.pref * zz) * (T * F);
                } else {
                    double f, df, d2f;
                    window_eval2(m.radial, t.rij, f, df, d2f);
                    if (f == 0.0 && df == 0.0) continue;
                    T = Jet<4>::of_variable(0, f, df, d2f);
                    window_eval2(m.radial, t.rik, f, df, d2f);
                    if (f == 0.0 && df == 0.0) continue;
                    T = T * Jet<4>::of_variable(1, f, df, d2f);
                    if (g.narrow) {
                        window_eval2(m.radial, t.rjk, f, df, d2f);
                        if (f == 0.0 && df == 0.0) continue;
                        T = T * Jet<4>::of_variable(2, f, df, d2f);
                    }
                    window_eval2(m.angular, theta, f, df, d2f);
                    if (f == 0.0 && df == 0.0) continue;
                    // A(theta(cos)): d/dcos = A' theta', d2/dcos2 = A'' theta'^2 + A' theta''
                    T = T * Jet<4>::of_variable(3, f, df * dth, d2f * dth * dth + df * d2th);
                    T = zz * T;
                }
                if (!geo_set) {
                    geo.set(t, g.narrow);
                    geo_set = true;
                }
                any = true;
                G[m.out] += T.v;
                grad_s.fill(0.0);
                for (std::size_t a = 0; a < 4; ++a)
                    if (T.g[a] != 0.0)
                        for (std::size_t p = 0; p < 6; ++p) grad_s[p] += T.g[a] * geo.du[a][p];
                double* Jrow = &J[m.out * cols];
                for (std::size_t p = 0; p < 3; ++p) {
                    Jrow[3 * j + p] += grad_s[p];
                    Jrow[3 * k + p] += grad_s[3 + p];
                }
                W.add_scaled(w[m.out], T);
            }
            if (!any) return;
            // compose: H6 = sum_a W_a d2u_a + sum_ab W_ab du_a du_b^T
            std::array<double, 36> H6{};
            for (std::size_t a = 0; a < 4; ++a)
                if (W.g[a] != 0.0)
                    for (std::size_t p = 0; p < 36; ++p) H6[p] += W.g[a] * geo.d2u[a][p];
            for (std::size_t a = 0; a < 4; ++a) {
                std::array<double, 6> v{};
                for (std::size_t b = 0; b < 4; ++b)
                    if (W.h[a * 4 + b] != 0.0)
                        for (std::size_t q = 0; q < 6; ++q) v[q] += W.h[a * 4 + b] * geo.du[b][q];
                for (std::size_t p = 0; p < 6; ++p)
                    if (geo.du[a][p] != 0.0)
                        for (std::size_t q = 0; q < 6; ++q) H6[p * 6 + q] += geo.du[a][p] * v[q];
            }
            const std::size_t slot[2] = {3 * j, 3 * k};
            for (std::size_t p = 0; p < 6; ++p)
                for (std::size_t q = 0; q < 6; ++q)
                    Hd[(slot[p / 3] + p % 3) * cols + slot[q / 3] + q % 3] += H6[p * 6 + q];
        });
    }

    std::size_t n_ = 0;
    std::vector<Group> groups_;
};

}  // namespace hdnnp
