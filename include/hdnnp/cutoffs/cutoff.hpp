// hdnnp: cutoff functions fc(r) of n2p2 (`cutoff_type <n> [alpha]` in input.nn).
//
// Each cutoff family is an empty policy type with a static kernel
//     eval(r, p, f, df)   f = fc(r), df = dfc/dr,   for 0 <= r (r >= rc gives f = df = 0)
// taking a CutoffParams p (rc, alpha and derived constants). Kernels are templates over the value
// type (double or simd::Batch) so that the same code serves both paths; branches are selects.
//
//  n  name   fc for r < rc (x = (r - alpha rc)/(rc - alpha rc), fc = 1 for r < alpha rc where shifted)
//  0  HARD   1
//  1  COS    (cos(pi x) + 1)/2                                   (shifted)
//  2  TANHU  tanh^3(1 - r/rc)                                    (alpha ignored)
//  3  TANH   coth^3(1) tanh^3(1 - r/rc), fc(0) = 1              (alpha ignored)
//  4  EXP    exp(1 - 1/(1 - x^2))                                (shifted)
//  5  POLY1  (2x - 3) x^2 + 1                                    (shifted)
//  6  POLY2  ((15 - 6x) x - 10) x^3 + 1                          (shifted)
//  7  POLY3  (x (x (20x - 70) + 84) - 35) x^4 + 1                (shifted)
//  8  POLY4  (x (x ((315 - 70x) x - 540) + 420) - 126) x^5 + 1   (shifted)
// Units: r, rc in the model's length unit; df in 1/length.
#pragma once

#include <cmath>
#include <string>
#include <variant>

#include "hdnnp/config.hpp"
#include "hdnnp/core/error.hpp"
#include "hdnnp/simd/simd.hpp"

namespace hdnnp {

/// Parameters of a cutoff function. rc [length], alpha in [0, 1) (inner shift).
struct CutoffParams {
    double rc = 0.0;
    double alpha = 0.0;
    double rc_inner = 0.0;   ///< alpha * rc
    double inv_width = 0.0;  ///< 1 / (rc - alpha rc)
    double inv_rc = 0.0;     ///< 1 / rc

    CutoffParams() = default;
    CutoffParams(double rc_, double alpha_) : rc(rc_), alpha(alpha_) {
        rc_inner = alpha * rc;
        inv_width = 1.0 / (rc - rc_inner);
        inv_rc = 1.0 / rc;
    }
};

namespace detail {
// Polynomial cores on x in [0, 1]: value and derivative d/dx. Shared with the compact
// symmetry functions (which use the same POLY1..POLY4 and EXP shapes).
struct Poly1Core {
    template <class T> HDNNP_ALWAYS_INLINE static void eval(const T& x, T& p, T& dp) {
        p = (2.0 * x - 3.0) * x * x + 1.0;
        dp = (6.0 * x - 6.0) * x;
    }
};
struct Poly2Core {
    template <class T> HDNNP_ALWAYS_INLINE static void eval(const T& x, T& p, T& dp) {
        const T x2 = x * x;
        p = ((15.0 - 6.0 * x) * x - 10.0) * x2 * x + 1.0;
        dp = x2 * ((60.0 - 30.0 * x) * x - 30.0);
    }
};
struct Poly3Core {
    template <class T> HDNNP_ALWAYS_INLINE static void eval(const T& x, T& p, T& dp) {
        const T x2 = x * x;
        const T x3 = x2 * x;
        p = (x * (x * (20.0 * x - 70.0) + 84.0) - 35.0) * x3 * x + 1.0;
        dp = x3 * (x * (x * (140.0 * x - 420.0) + 420.0) - 140.0);
    }
};
struct Poly4Core {
    template <class T> HDNNP_ALWAYS_INLINE static void eval(const T& x, T& p, T& dp) {
        const T x2 = x * x;
        const T x4 = x2 * x2;
        p = (x * (x * ((315.0 - 70.0 * x) * x - 540.0) + 420.0) - 126.0) * x4 * x + 1.0;
        dp = x4 * (x * (x * ((2520.0 - 630.0 * x) * x - 3780.0) + 2520.0) - 630.0);
    }
};
/// exp(1 - 1/(1 - x^2)) for 0 <= x < 1 (callers guarantee x < 1 or discard the lane).
struct ExpCore {
    template <class T> HDNNP_ALWAYS_INLINE static void eval(const T& x, T& p, T& dp) {
        const T d = 1.0 - x * x;
        const T inv = 1.0 / d;
        p = simd::exp(1.0 - inv);
        dp = simd::select(p > 0.0, -2.0 * x * inv * inv * p, T(0.0));
    }
};
struct CosCore {
    template <class T> HDNNP_ALWAYS_INLINE static void eval(const T& x, T& p, T& dp) {
        const T px = M_PI * x;
        p = 0.5 * (simd::cos(px) + 1.0);
        dp = -0.5 * M_PI * simd::sin(px);
    }
};
}  // namespace detail

/// Cutoff with inner shift: fc = 1 below alpha rc, core(x) between, 0 from rc on.
template <class Core> struct ShiftedCutoff {
    template <class T> HDNNP_ALWAYS_INLINE static void eval(const T& r, const CutoffParams& c, T& f, T& df) {
        const T x = (r - c.rc_inner) * c.inv_width;
        T p, dp;
        Core::eval(x, p, dp);
        const auto inner = r < c.rc_inner;
        const auto inside = r < c.rc;
        f = simd::select(inner, T(1.0), simd::select(inside, p, T(0.0)));
        df = simd::select(inner, T(0.0), simd::select(inside, dp * c.inv_width, T(0.0)));
    }
};

struct CutoffHard {
    static constexpr int id = 0;
    template <class T> HDNNP_ALWAYS_INLINE static void eval(const T& r, const CutoffParams& c, T& f, T& df) {
        f = simd::select(r < c.rc, T(1.0), T(0.0));
        df = T(0.0);
    }
};
struct CutoffCos : ShiftedCutoff<detail::CosCore> { static constexpr int id = 1; };
struct CutoffTanhU {
    static constexpr int id = 2;
    template <class T> HDNNP_ALWAYS_INLINE static void eval(const T& r, const CutoffParams& c, T& f, T& df) {
        const T t = simd::tanh_cutoff(1.0 - r * c.inv_rc);
        const T t2 = t * t;
        const auto inside = r < c.rc;
        f = simd::select(inside, t2 * t, T(0.0));
        df = simd::select(inside, -3.0 * t2 * (1.0 - t2) * c.inv_rc, T(0.0));
    }
};
struct CutoffTanh {
    static constexpr int id = 3;
    static constexpr double norm = 2.2637537952253505;  // coth^3(1) = 1/tanh^3(1)
    template <class T> HDNNP_ALWAYS_INLINE static void eval(const T& r, const CutoffParams& c, T& f, T& df) {
        CutoffTanhU::eval(r, c, f, df);
        f *= norm;
        df *= norm;
    }
};
struct CutoffExp : ShiftedCutoff<detail::ExpCore> { static constexpr int id = 4; };
struct CutoffPoly1 : ShiftedCutoff<detail::Poly1Core> { static constexpr int id = 5; };
struct CutoffPoly2 : ShiftedCutoff<detail::Poly2Core> { static constexpr int id = 6; };
struct CutoffPoly3 : ShiftedCutoff<detail::Poly3Core> { static constexpr int id = 7; };
struct CutoffPoly4 : ShiftedCutoff<detail::Poly4Core> { static constexpr int id = 8; };

/// A cutoff family chosen at run time; visited once per compute call, outside every loop.
using AnyCutoff = std::variant<CutoffHard, CutoffCos, CutoffTanhU, CutoffTanh, CutoffExp, CutoffPoly1,
                               CutoffPoly2, CutoffPoly3, CutoffPoly4>;

/// The cutoff family of n2p2's `cutoff_type n` (0..8). Throws Error for any other n.
inline AnyCutoff make_cutoff(int n) {
    switch (n) {
        case 0: return CutoffHard{};
        case 1: return CutoffCos{};
        case 2: return CutoffTanhU{};
        case 3: return CutoffTanh{};
        case 4: return CutoffExp{};
        case 5: return CutoffPoly1{};
        case 6: return CutoffPoly2{};
        case 7: return CutoffPoly3{};
        case 8: return CutoffPoly4{};
        default: throw Error("unknown cutoff_type " + std::to_string(n) + " (expected 0..8)");
    }
}

/// Whether n2p2 applies the inner shift alpha for this cutoff family (HARD, TANHU, TANH ignore it).
inline bool cutoff_uses_alpha(int n) { return n == 1 || (n >= 4 && n <= 8); }

}  // namespace hdnnp
