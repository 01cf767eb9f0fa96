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
