// hdnnp: the only header that includes xsimd. Kernels are written once over a value type V that is
// either `double` (the scalar path) or `simd::Batch` (the widest double vector of the target, e.g.
// 8 lanes with AVX-512). The helpers below give both the same spelling.
#pragma once

#include <cstddef>
#include <xsimd/xsimd.hpp>

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
template <> inline Mask lanes_below<Batch>(std::size_t k0, std::size_t end) {
    alignas(64) double idx[Batch::size];
    for (std::size_t l = 0; l < Batch::size; ++l) idx[l] = static_cast<double>(k0 + l);
    return Batch::load_aligned(idx) < Batch(static_cast<double>(end));
}

using xsimd::exp;
using xsimd::pow;
using xsimd::sqrt;
using xsimd::tanh;
using xsimd::cos;
using xsimd::sin;

/// x^n for a small non-negative integer n (repeated squaring).
template <class V> inline V ipow(V x, int n) {
    V r(1.0);
    while (n > 0) {
        if (n & 1) r *= x;
        x *= x;
        n >>= 1;
    }
    return r;
}

}  // namespace hdnnp::simd
