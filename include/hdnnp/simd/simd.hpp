// hdnnp: the only header that includes xsimd. Kernels are written once over a value type V that is
// either `double` (the scalar path) or `simd::Batch` (the widest double vector of the target, e.g.
// 8 lanes with AVX-512). The helpers below give both the same spelling.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <xsimd/xsimd.hpp>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace hdnnp::simd {

using Batch = xsimd::batch<double>;
using Mask = xsimd::batch_bool<double>;

template <class V> struct Traits;
template <> struct Traits<double> {
    static constexpr std::size_t width = 1;
    using mask = bool;
};
template <> struct Traits<Batch> {
    static constexpr std::size_t width = Batch::size;
    using mask = Mask;
};
template <class V> inline constexpr std::size_t width = Traits<V>::width;
template <class V> using mask_t = typename Traits<V>::mask;

template <class V> inline V load(const double* p);
template <> inline double load<double>(const double* p) { return *p; }
template <> inline Batch load<Batch>(const double* p) { return Batch::load_unaligned(p); }

inline void store(double* p, double v) { *p = v; }
inline void store(double* p, const Batch& v) { v.store_unaligned(p); }

inline double select(bool m, double a, double b) { return m ? a : b; }
inline Batch select(const Mask& m, const Batch& a, const Batch& b) { return xsimd::select(m, a, b); }

inline double reduce(double v) { return v; }
inline double reduce(const Batch& v) { return xsimd::hadd(v); }

/// Lanes k0, k0+1, ... that are below `end`.
template <class V> inline mask_t<V> lanes_below(std::size_t k0, std::size_t end);
template <> inline bool lanes_below<double>(std::size_t k0, std::size_t end) { return k0 < end; }
namespace detail {
/// The lane numbers 0, 1, ..., width - 1 as doubles.
alignas(64) inline constexpr double kLaneIndex[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static_assert(Batch::size <= 16, "kLaneIndex covers at most 16 lanes");
inline Batch lane_index() { return Batch::load_aligned(kLaneIndex); }
}  // namespace detail
template <> inline Mask lanes_below<Batch>(std::size_t k0, std::size_t end) {
    // lane l is live if k0 + l < end, i.e. l < end - k0 (any value >= width means all lanes)
    const double room = end > k0 ? static_cast<double>(end - k0) : 0.0;
    return detail::lane_index() < Batch(room);
}

/// 1/x. The scalar path divides. The vector path (AVX-512) has no division: the hardware estimate (relative
/// error below 2^-14) refined by two Newton steps y <- y + y (1 - x y), within 1 ulp of 1/x for normal x
/// (tests/core/simd_test.cpp); a division of 8 lanes costs as much as 4 of these on this machine kind.
/// Meant for finite x with |x| in [1e-300, 1e300]; 0 and infinities are not handled (NaN).
inline double reciprocal(double x) { return 1.0 / x; }
inline Batch reciprocal(const Batch& x) {
#if defined(__AVX512F__)
    if constexpr (Batch::size == 8) {
        Batch y(_mm512_rcp14_pd(x));
        y = xsimd::fma(y, xsimd::fnma(x, y, Batch(1.0)), y);
        return xsimd::fma(y, xsimd::fnma(x, y, Batch(1.0)), y);
    }
#endif
    return Batch(1.0) / x;
}

/// sqrt(x) and 1/sqrt(x) together, for x > 0. The scalar path is std::sqrt and a division. The vector path
/// (AVX-512) has neither a square root nor a division (on this machine kind a vector square root costs about 5
/// of these): the hardware estimate of 1/sqrt(x) (2^-14) refined by two Newton steps, sqrt(x) = x / sqrt(x);
/// both within 2 ulp (tests/core/simd_test.cpp). Meant for normal positive x.
inline void sqrt_and_inverse(double x, double& root, double& inv) {
    root = std::sqrt(x);
    inv = 1.0 / root;
}
inline void sqrt_and_inverse(const Batch& x, Batch& root, Batch& inv) {
#if defined(__AVX512F__)
    if constexpr (Batch::size == 8) {
        Batch y(_mm512_rsqrt14_pd(x));
        const Batch h = 0.5 * x;
        y = y * xsimd::fnma(h * y, y, Batch(1.5));
        y = y * xsimd::fnma(h * y, y, Batch(1.5));
        inv = y;
        root = x * y;
        return;
    }
#endif
    root = xsimd::sqrt(x);
    inv = Batch(1.0) / root;
}

/// tanh(x) as 1 - 2 / (1 + exp(2x)) for the vector path: one exponential and one reciprocal (xsimd's
/// tanh evaluates a rational kernel as well wherever lanes straddle |x| = 0.625). Absolute error a few
/// ulp of 1, i.e. relative error ~1e-16/|x| for small |x|: meant for cutoff functions, whose value
/// t^3 makes that irrelevant. x is clamped to [-20, 20] (tanh(20) is 1 in double precision). The scalar
/// path keeps std::tanh.
inline double tanh_cutoff(double x) { return std::tanh(x); }
inline Batch exp(const Batch& x);
inline Batch tanh_cutoff(const Batch& x) {
    const Batch xc = xsimd::min(xsimd::max(x, Batch(-20.0)), Batch(20.0));
    return xsimd::fma(Batch(-2.0), reciprocal(Batch(1.0) + exp(xc + xc)), Batch(1.0));
}

/// The live lanes of a mask as bits (lane l -> bit l).
inline unsigned lane_bits(bool m) { return m ? 1u : 0u; }
inline unsigned lane_bits(const Mask& m) {
#if defined(__AVX512F__)
    if constexpr (sizeof(Mask) == sizeof(__mmask8) && Batch::size == 8) return static_cast<unsigned>(static_cast<__mmask8>(m));
#endif
    bool b[Batch::size];
    m.store_unaligned(b);
    unsigned bits = 0;
    for (std::size_t l = 0; l < Batch::size; ++l) bits |= (b[l] ? 1u : 0u) << l;
    return bits;
}
inline int popcount(unsigned bits) { return __builtin_popcount(bits); }

/// Writes the lanes of v whose bit is set in `bits` contiguously to dst[0, 1, ...]. dst must have room
/// for a whole vector (lanes past the selected ones are overwritten with unspecified values).
inline void compress_store(double* dst, double v, unsigned) { *dst = v; }
inline void compress_store(double* dst, const Batch& v, unsigned bits) {
#if defined(__AVX512F__)
    if constexpr (Batch::size == 8) {
        _mm512_storeu_pd(dst, _mm512_maskz_compress_pd(static_cast<__mmask8>(bits), static_cast<__m512d>(v)));
        return;
    }
#endif
    alignas(64) double t[Batch::size];
    v.store_aligned(t);
    std::size_t o = 0;
    for (std::size_t l = 0; l < Batch::size; ++l)
        if (bits >> l & 1u) dst[o++] = t[l];
}

/// The inverse of compress_store: lane l of the result is the next unread value of src where bit l is
/// set, 0 elsewhere. Reads at most a whole vector from src.
template <class V> inline V expand_load(const double* src, unsigned bits);
template <> inline double expand_load<double>(const double* src, unsigned bits) { return bits ? *src : 0.0; }
template <> inline Batch expand_load<Batch>(const double* src, unsigned bits) {
#if defined(__AVX512F__)
    if constexpr (Batch::size == 8)
        return Batch(_mm512_maskz_expand_pd(static_cast<__mmask8>(bits), _mm512_loadu_pd(src)));
#endif
    alignas(64) double t[Batch::size];
    std::size_t o = 0;
    for (std::size_t l = 0; l < Batch::size; ++l) t[l] = (bits >> l & 1u) ? src[o++] : 0.0;
    return Batch::load_aligned(t);
}

/// e^x. The scalar path is std::exp. The vector path has no division (xsimd's exp evaluates a rational
/// approximation, and a division costs as much as a dozen fused multiply-adds): x = n ln 2 + r with
/// |r| <= ln 2 / 2 (n rounded to nearest, ln 2 in two parts), e^r by its Taylor polynomial of degree 13
/// (truncation below 1e-17 relative), then 2^n as two factors 2^(n/2) so that subnormal results and the
/// overflow to +inf come out right. Within 1 ulp of std::exp (tests/core/simd_test.cpp); exp(-inf) = 0,
/// exp(+inf) = +inf, NaN propagates.
inline double exp(double x) { return std::exp(x); }
inline Batch exp(const Batch& x) {
    using IBatch = xsimd::batch<std::int64_t, Batch::arch_type>;
    constexpr double log2e = 1.4426950408889634074;
    constexpr double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;  // fdlibm's split
    constexpr double shifter = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer in the low bits
    const Batch xc = xsimd::min(xsimd::max(x, Batch(-746.0)), Batch(710.0));
    const Batch t = xsimd::fma(xc, Batch(log2e), Batch(shifter));
    const Batch n = t - Batch(shifter);
    const Batch r = xsimd::fnma(n, Batch(ln2_lo), xsimd::fnma(n, Batch(ln2_hi), xc));
    constexpr double c[14] = {1.0, 1.0, 0.5, 0.16666666666666666, 0.041666666666666664,  // 1/k!
                              0.008333333333333333, 0.001388888888888889, 0.0001984126984126984,
                              2.48015873015873e-05, 2.7557319223985893e-06, 2.755731922398589e-07,
                              2.505210838544172e-08, 2.08767569878681e-09, 1.6059043836821613e-10};
    Batch p(c[13]);
    for (int k = 12; k >= 0; --k) p = xsimd::fma(p, r, Batch(c[k]));
    const IBatch ni = xsimd::bitwise_cast<IBatch>(t) - IBatch(0x4338000000000000LL);  // minus the bits of shifter
    const IBatch n1 = ni >> 1, n2 = ni - n1;  // n1 + n2 = n, each within the normal exponent range
    const Batch s1 = xsimd::bitwise_cast<Batch>((n1 + IBatch(1023)) << 52);
    const Batch s2 = xsimd::bitwise_cast<Batch>((n2 + IBatch(1023)) << 52);
    return xsimd::select(xsimd::isnan(x), x, (p * s1) * s2);
}

/// erfc(x) for x >= 0. The scalar path is std::erfc. The vector path uses fdlibm's rational approximations
/// (Sun Microsystems' s_erf.c; its coefficients below), each interval's evaluated only if a lane falls in it:
///   x < 0.84375: 1 - erf(x), erf(x) = x + x P(x^2)/Q(x^2);  0.84375 <= x < 1.25: (1 - c) - P(s)/Q(s), s = x - 1;
///   1.25 <= x < 28: exp(-z^2 - 0.5625) exp((z - x)(z + x) + R(1/x^2)/S(1/x^2)) / x, z = x with the low 32 bits
///   of its significand cleared (z^2 exact), R/S by interval (below or above 1/0.35);  x >= 28: 0.
/// Quotients by simd::reciprocal, exponentials by simd::exp: within 6 ulp of std::erfc on [0, 28]
/// (tests/core/simd_test.cpp). Negative arguments are not handled.
inline double erfc(double x) { return std::erfc(x); }
inline Batch erfc(const Batch& x) {
    using IBatch = xsimd::batch<std::int64_t, Batch::arch_type>;
    auto poly = [](const Batch& t, std::initializer_list<double> c) {  // c0 + c1 t + ... (Horner)
        const double* b = c.begin();
        Batch p(b[c.size() - 1]);
        for (std::size_t k = c.size() - 1; k-- > 0;) p = xsimd::fma(p, t, Batch(b[k]));
        return p;
    };
    const Mask in_a = x < Batch(0.84375), in_b = !in_a && x < Batch(1.25);
    const Mask in_c = x >= Batch(1.25) && x < Batch(1.0 / 0.35), in_d = x >= Batch(1.0 / 0.35) && x < Batch(28.0);
    Batch out(0.0);
    if (xsimd::any(in_a)) {
        const Batch x2 = x * x;
        const Batch y = poly(x2, {1.28379167095512558561e-01, -3.25042107247001499370e-01, -2.84817495755985104766e-02,
                                  -5.77027029648944159157e-03, -2.37630166566501626084e-05}) *
                        reciprocal(poly(x2, {1.0, 3.97917223959155352819e-01, 6.50222499887672944485e-02,
                                             5.08130628187576562776e-03, 1.32494738004321644526e-04,
                                             -3.96022827877536812320e-06}));
        const Batch e = xsimd::select(x < Batch(0.25), Batch(1.0) - xsimd::fma(x, y, x),
                                      Batch(0.5) - xsimd::fma(x, y, x - Batch(0.5)));
        out = xsimd::select(in_a, e, out);
    }
    if (xsimd::any(in_b)) {
        const Batch s = x - Batch(1.0);
        const Batch e = Batch(1.0 - 8.45062911510467529297e-01) -
                        poly(s, {-2.36211856075265944077e-03, 4.14856118683748331666e-01, -3.72207876035701323847e-01,
                                 3.18346619901161753674e-01, -1.10894694282396677476e-01, 3.54783043256182359371e-02,
                                 -2.16637559486879084300e-03}) *
                            reciprocal(poly(s, {1.0, 1.06420880400844228286e-01, 5.40397917702171048937e-01,
                                                7.18286544141962662868e-02, 1.26171219808761642112e-01,
                                                1.36370839120290507362e-02, 1.19844998467991074170e-02}));
        out = xsimd::select(in_b, e, out);
    }
    if (xsimd::any(in_c || in_d)) {
        const Batch xc = xsimd::min(xsimd::max(x, Batch(1.25)), Batch(28.0));  // other lanes stay finite
        const Batch rx = reciprocal(xc);
        const Batch w = rx * rx;
        Batch rs(0.0);
        if (xsimd::any(in_c))
            rs = poly(w, {-9.86494403484714822705e-03, -6.93858572707181764372e-01, -1.05586262253232909814e+01,
                          -6.23753324503260060396e+01, -1.62396669462573470355e+02, -1.84605092906711035994e+02,
                          -8.12874355063065934246e+01, -9.81432934416914548592e+00}) *
                 reciprocal(poly(w, {1.0, 1.96512716674392571292e+01, 1.37657754143519042600e+02,
                                     4.34565877475229228821e+02, 6.45387271733267880336e+02, 4.29008140027567833386e+02,
                                     1.08635005541779435134e+02, 6.57024977031928170135e+00,
                                     -6.04244152148580987438e-02}));
        if (xsimd::any(in_d))
            rs = xsimd::select(in_d,
                               poly(w, {-9.86494292470009928597e-03, -7.99283237680523006574e-01,
                                        -1.77579549177547519889e+01, -1.60636384855821916062e+02,
                                        -6.37566443368389627722e+02, -1.02509513161107724954e+03,
                                        -4.83519191608651397019e+02}) *
                                   reciprocal(poly(w, {1.0, 3.03380607434824582924e+01, 3.25792512996573918826e+02,
                                                       1.53672958608443695994e+03, 3.19985821950859553908e+03,
                                                       2.55305040643316442583e+03, 4.74528541206955367215e+02,
                                                       -2.24409524465858183362e+01})),
                               rs);
        const Batch z =
            xsimd::bitwise_cast<Batch>(xsimd::bitwise_cast<IBatch>(xc) & IBatch(static_cast<std::int64_t>(0xffffffff00000000ULL)));
        const Batch e = exp(-z * z - Batch(0.5625)) * exp(xsimd::fma(z - xc, z + xc, rs)) * rx;
        out = xsimd::select(in_c || in_d, e, out);
    }
    return out;
}

using xsimd::pow;
using xsimd::sqrt;
using xsimd::tanh;
using xsimd::cos;
using xsimd::sin;

/// arccos(x) in radians for x in [-1, 1]. The scalar path is std::acos. The vector path uses one square root and
/// one polynomial, no division (xsimd's acos evaluates two rational approximations and two square roots):
///   asin(s) = s + s^3 g(s^2) on [0, 1/2], g: degree-12 polynomial (Chebyshev interpolation of
///   (asin(sqrt t) - sqrt t) / t^1.5 on [0, 1/4], relative error of asin below 1.2e-16);
///   |x| <= 1/2: acos(x) = pi/2 - asin(x);  x > 1/2: 2 asin(sqrt((1 - x)/2));  x < -1/2: pi - 2 asin(sqrt((1 + x)/2)).
/// Within 2 ulp of std::acos on [-1, 1] (tests/core/simd_test.cpp). Arguments outside [-1, 1] are not checked.
inline double acos(double x) { return std::acos(x); }
inline Batch acos(const Batch& x) {
    constexpr double g[13] = {0.16666666666666669,  0.07499999999998433,   0.04464285714635543,  0.030381944138531247,
                              0.02237217294214989,  0.017352392720869973,  0.013971212973552933, 0.011479177415184906,
                              0.01032281435018578,  0.005457506718640358,  0.01740087944269402,  -0.014851887071247204,
                              0.028757851367421566};
    constexpr double pio2_hi = 1.5707963267948966, pio2_lo = 6.123233995736766e-17;  // pi/2 = hi + lo
    const Batch ax = xsimd::abs(x);
    const Mask big = ax > Batch(0.5);
    const Batch t = xsimd::select(big, 0.5 * (1.0 - ax), x * x);
    const Batch s = xsimd::select(big, xsimd::sqrt(t), ax);
    Batch p(g[12]);
    for (int i = 11; i >= 0; --i) p = xsimd::fma(p, t, Batch(g[i]));
    const Batch a = xsimd::fma(s * t, p, s);  // asin(s)
    // |x| <= 1/2: pi/2 - sign(x) a;  x > 1/2: 2a;  x < -1/2: pi - 2a (pi/2 and pi in two parts)
    const Mask neg = x < Batch(0.0);
    const Batch small = Batch(pio2_hi) + (Batch(pio2_lo) - xsimd::select(neg, -a, a));
    const Batch large = xsimd::select(neg, Batch(2.0 * pio2_hi) + (Batch(2.0 * pio2_lo) - 2.0 * a), 2.0 * a);
    return xsimd::select(big, large, small);
}

/// x^n for a small non-negative integer n (repeated squaring).
template <class V> inline V ipow(V x, int n) {
    switch (n) {  // the common exponents of symmetry functions without a loop
        case 0: return V(1.0);
        case 1: return x;
        case 2: return x * x;
        case 3: return x * x * x;
        case 4: { const V x2 = x * x; return x2 * x2; }
        default: break;
    }
    V r(1.0);
    while (n > 0) {
        if (n & 1) r *= x;
        x *= x;
        n >>= 1;
    }
    return r;
}

}  // namespace hdnnp::simd
