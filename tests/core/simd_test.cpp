// The vector helpers of simd/simd.hpp against the scalar library functions.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "hdnnp/simd/simd.hpp"

using hdnnp::simd::Batch;

namespace {
/// Distance in units in the last place between two doubles of the same sign (or zero).
double ulps(double a, double b) {
    if (a == b) return 0.0;
    const double scale = std::max(std::abs(a), std::abs(b));
    return std::abs(a - b) / (std::nextafter(scale, INFINITY) - scale);
}
}  // namespace

TEST_CASE("simd::acos of a vector is within 2 ulp of std::acos on [-1, 1]", "[core][simd]") {
    std::vector<double> x;
    const int n = 400000;
    for (int k = 0; k <= n; ++k) x.push_back(-1.0 + 2.0 * k / n);
    // the branch points, the ends and their neighbours, tiny and subnormal arguments
    for (double v : {0.5, -0.5, 1.0, -1.0, 0.0, -0.0, 1e-300, -1e-300, 4.9e-324, 1e-8, -1e-8}) {
        x.push_back(v);
        x.push_back(std::nextafter(v, 2.0));
        x.push_back(std::nextafter(v, -2.0));
    }
    for (double& v : x) v = std::min(1.0, std::max(-1.0, v));
    while (x.size() % Batch::size) x.push_back(0.25);
    double worst = 0.0, at = 0.0;
    for (std::size_t i = 0; i < x.size(); i += Batch::size) {
        double r[Batch::size];
        hdnnp::simd::acos(Batch::load_unaligned(&x[i])).store_unaligned(r);
        for (std::size_t l = 0; l < Batch::size; ++l) {
            const double u = ulps(r[l], std::acos(x[i + l]));
            if (u > worst) { worst = u; at = x[i + l]; }
        }
    }
    INFO("largest difference " << worst << " ulp at x = " << at);
    CHECK(worst <= 2.0);
    CHECK(hdnnp::simd::acos(1.0) == 0.0);
}

TEST_CASE("simd::exp of a vector is within 1 ulp of std::exp, with its limits", "[core][simd]") {
    std::vector<double> x;
    // the whole finite range in steps that are not multiples of ln 2, and a fine grid around 0
    for (double v = -745.2; v <= 709.8; v += 0.0137) x.push_back(v);
    for (int k = -100000; k <= 100000; ++k) x.push_back(k * 1e-5);
    double worst = 0.0, at = 0.0;
    while (x.size() % Batch::size) x.push_back(0.0);
    for (std::size_t i = 0; i < x.size(); i += Batch::size) {
        double r[Batch::size];
        hdnnp::simd::exp(Batch::load_unaligned(&x[i])).store_unaligned(r);
        for (std::size_t l = 0; l < Batch::size; ++l) {
            const double want = std::exp(x[i + l]);
            // below the normal range compare absolutely, in units of the smallest subnormal
            const double u = std::abs(want) < 2.2250738585072014e-308 ? std::abs(r[l] - want) / 4.9406564584124654e-324
                                                                      : ulps(r[l], want);
            if (u > worst) { worst = u; at = x[i + l]; }
        }
    }
    INFO("largest difference " << worst << " ulp at x = " << at);
    CHECK(worst <= 1.0);
    // limits: exp(0) = 1 exactly, under- and overflow, infinities, NaN
    const double special[8] = {0.0, -0.0, -800.0, 800.0, -INFINITY, INFINITY, NAN, 709.78};
    double r[8];
    for (std::size_t i = 0; i < 8; i += Batch::size) {
        double buf[Batch::size];
        for (std::size_t l = 0; l < Batch::size; ++l) buf[l] = special[(i + l) % 8];
        hdnnp::simd::exp(Batch::load_unaligned(buf)).store_unaligned(buf);
        for (std::size_t l = 0; l < Batch::size && i + l < 8; ++l) r[i + l] = buf[l];
    }
    CHECK(r[0] == 1.0);
    CHECK(r[1] == 1.0);
    CHECK(r[2] == 0.0);
    CHECK(r[3] == INFINITY);
    CHECK(r[4] == 0.0);
    CHECK(r[5] == INFINITY);
    CHECK(std::isnan(r[6]));
    CHECK(ulps(r[7], std::exp(709.78)) <= 1.0);
}

TEST_CASE("simd::reciprocal and simd::sqrt_and_inverse of a vector are within 1 and 2 ulp", "[core][simd]") {
    std::vector<double> x;
    // mantissas across [1, 2) at exponents from -300 to 300, and the powers of two themselves
    for (int e = -300; e <= 300; e += 7)
        for (int k = 0; k < 4096; ++k) x.push_back(std::ldexp(1.0 + k / 4096.0 + 1.7e-5 * (k % 13), e));
    while (x.size() % Batch::size) x.push_back(1.0);
    double worst_rcp = 0.0, worst_root = 0.0, worst_inv = 0.0;
    for (std::size_t i = 0; i < x.size(); i += Batch::size) {
        const Batch v = Batch::load_unaligned(&x[i]);
        double rc[Batch::size], ro[Batch::size], iv[Batch::size];
        hdnnp::simd::reciprocal(v).store_unaligned(rc);
        Batch root, inv;
        hdnnp::simd::sqrt_and_inverse(v, root, inv);
        root.store_unaligned(ro);
        inv.store_unaligned(iv);
        for (std::size_t l = 0; l < Batch::size; ++l) {
            worst_rcp = std::max(worst_rcp, ulps(rc[l], 1.0 / x[i + l]));
            worst_root = std::max(worst_root, ulps(ro[l], std::sqrt(x[i + l])));
            worst_inv = std::max(worst_inv, ulps(iv[l], 1.0 / std::sqrt(x[i + l])));
        }
    }
    INFO("reciprocal " << worst_rcp << " ulp, sqrt " << worst_root << " ulp, 1/sqrt " << worst_inv << " ulp");
    CHECK(worst_rcp <= 1.0);
    CHECK(worst_root <= 2.0);
    CHECK(worst_inv <= 2.0);
    double root = 0.0, inv = 0.0;
    hdnnp::simd::sqrt_and_inverse(4.0, root, inv);
    CHECK(root == 2.0);
    CHECK(inv == 0.5);
}

TEST_CASE("simd::tanh_cutoff of a vector is within 4 ulp of 1 of std::tanh", "[core][simd]") {
    std::vector<double> x;
    for (int k = -300000; k <= 300000; ++k) x.push_back(k * 1e-4);
    for (double v : {1e300, -1e300, 700.0, -700.0}) x.push_back(v);
    while (x.size() % Batch::size) x.push_back(0.0);
    double worst = 0.0, at = 0.0;
    for (std::size_t i = 0; i < x.size(); i += Batch::size) {
        double r[Batch::size];
        hdnnp::simd::tanh_cutoff(Batch::load_unaligned(&x[i])).store_unaligned(r);
        for (std::size_t l = 0; l < Batch::size; ++l) {
            const double d = std::abs(r[l] - std::tanh(x[i + l]));
            if (d > worst) { worst = d; at = x[i + l]; }
        }
    }
    INFO("largest absolute difference " << worst << " at x = " << at);
    // absolute error a few ulp of 1 (1.1e-16 each just below 1): GCC's build 3 ulp, clang's 4 (near |x| = 9)
    CHECK(worst <= 4.5e-16);
}

TEST_CASE("simd::erfc of a vector is within 6 ulp of std::erfc on [0, 28]", "[core][simd]") {
    std::vector<double> x;
    for (double v = 0.0; v < 28.5; v += 1.7e-5) x.push_back(v);
    // the interval ends and their neighbours
    for (double v : {0.25, 0.84375, 1.25, 1.0 / 0.35, 6.0, 28.0}) {
        x.push_back(v);
        x.push_back(std::nextafter(v, 0.0));
        x.push_back(std::nextafter(v, 30.0));
    }
    while (x.size() % Batch::size) x.push_back(1.0);
    double worst = 0.0, at = 0.0;
    for (std::size_t i = 0; i < x.size(); i += Batch::size) {
        double r[Batch::size];
        hdnnp::simd::erfc(Batch::load_unaligned(&x[i])).store_unaligned(r);
        for (std::size_t l = 0; l < Batch::size; ++l) {
            const double want = std::erfc(x[i + l]);
            const double u = want < 2.2250738585072014e-308 ? std::abs(r[l] - want) / 4.9406564584124654e-324
                                                            : ulps(r[l], want);
            if (u > worst) { worst = u; at = x[i + l]; }
        }
    }
    INFO("largest difference " << worst << " ulp at x = " << at);
    CHECK(worst <= 6.0);
    CHECK(hdnnp::simd::erfc(0.0) == 1.0);
}
