// The output rows of io/n2p2_output.hpp, built with std::to_chars, against printf's formatting of the same
// values (n2p2's nnforces.out and nnatoms.out columns): the text must be identical.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "hdnnp/io/n2p2_output.hpp"

namespace {
std::string printf_row(std::size_t a, std::size_t b, int z, double x, double y) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "%10zu %10zu %3d %24.16E %24.16E\n", a, b, z, x, y);
    return buf;
}
std::string row(std::size_t a, std::size_t b, int z, double x, double y) {
    std::ostringstream o;
    hdnnp::io::detail_out::Row().count(a, 10).count(b, 10).integer(z, 3).sci(x).sci(y).end(o);
    return o.str();
}
}  // namespace

TEST_CASE("output rows equal printf's %10zu %3d %24.16E text", "[io][output]") {
    std::vector<double> v = {0.0, -0.0, 1.0, -1.0, 0.1, 1e-300, -4.9406564584124654e-324, 2.2250738585072014e-308,
                             1.7976931348623157e308, -1e100, 1e-100, 123456789.0, 0.5, 9.99999999999999999e-1,
                             std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                             std::numeric_limits<double>::quiet_NaN()};
    // exact decimal ties at the 17th significant digit (printf and to_chars must round them alike)
    for (int k = 1; k < 200; ++k) v.push_back(std::ldexp(static_cast<double>(k), -3) + 1e15 * k);
    std::mt19937_64 gen(7);
    std::uniform_real_distribution<double> mant(-10.0, 10.0);
    std::uniform_int_distribution<int> ex(-320, 308);
    for (int k = 0; k < 20000; ++k) v.push_back(mant(gen) * std::pow(10.0, ex(gen)));
    std::size_t differ = 0;
    std::string first;
    for (std::size_t k = 0; k + 1 < v.size(); ++k) {
        const std::size_t a = k * 7919 % 100000000000ULL, b = k;
        const int z = static_cast<int>(k % 130) - 5;
        const std::string want = printf_row(a, b, z, v[k], v[k + 1]), got = row(a, b, z, v[k], v[k + 1]);
        if (want != got) {
            if (differ++ == 0) first = "printf: " + want + "row:    " + got;
        }
    }
    INFO(first);
    CHECK(differ == 0);
    // a count wider than its field is written whole, as printf does
    CHECK(row(123456789012ULL, 1, 1234, 1.0, 2.0) == printf_row(123456789012ULL, 1, 1234, 1.0, 2.0));
}
