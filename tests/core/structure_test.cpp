#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "hdnnp/core/elements.hpp"
#include "hdnnp/core/structure.hpp"

using namespace hdnnp;

TEST_CASE("Element symbols and atomic numbers map both ways", "[core]") {
    CHECK(atomic_number("H") == 1);
    CHECK(atomic_number("Cu") == 29);
    CHECK(atomic_number("Og") == 118);
    CHECK(atomic_number("Xx") == 0);
    CHECK(atomic_number("cu") == 0);
    for (int z = 1; z <= 118; ++z) CHECK(atomic_number(element_symbol(z)) == z);
    CHECK(element_symbol(0).empty());
    CHECK(element_symbol(119).empty());
}

TEST_CASE("Validation rejects NaN coordinates and degenerate cells with a message", "[core]") {
    Structure s;
    s.add_atom("H", {0, 0, 0});
    s.add_atom("O", {1, std::numeric_limits<double>::quiet_NaN(), 0});
    CHECK_THROWS_WITH(validate(s), Catch::Contains("atom 2 (O) has a non-finite coordinate"));
    s.positions[1] = {1, 0, 0};
    CHECK_NOTHROW(validate(s));
    s.periodic = true;
    s.lattice = {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{1, 1, 0}};
    CHECK_THROWS_WITH(validate(s), Catch::Contains("degenerate"));
    s.lattice = {Vec3{0, 0, 0}, Vec3{0, 0, 0}, Vec3{0, 0, 0}};
    CHECK_THROWS_WITH(validate(s), Catch::Contains("degenerate"));
    s.lattice = {Vec3{5, 0, 0}, Vec3{1, 5, 0}, Vec3{0, 2, 5}};
    CHECK_NOTHROW(validate(s));
    CHECK(s.volume() == Approx(125.0));
}

namespace {

/// Brute force: the shortest r_b - r_a + n1 a + n2 b + n3 c over |n_k| <= reach.
double min_image_brute_force(const Structure& s, std::size_t a, std::size_t b, int reach) {
    double best = std::numeric_limits<double>::infinity();
    for (int i = -reach; i <= reach; ++i)
        for (int j = -reach; j <= reach; ++j)
            for (int k = -reach; k <= reach; ++k)
                best = std::min(best, norm(s.positions[b] - s.positions[a] + double(i) * s.lattice[0] +
                                           double(j) * s.lattice[1] + double(k) * s.lattice[2]));
    return best;
}

/// The wrapped difference vector's images with |n_k| <= 1 only (the search tools/hessian.cpp used before).
double min_image_one_shell(const Structure& s, std::size_t a, std::size_t b) {
    const Vec3 d = s.positions[b] - s.positions[a];
    const Mat3 inv = reciprocal_rows(s.lattice);
    Vec3 f{};
    for (int k = 0; k < 3; ++k) f[k] = dot(d, inv[k]) - std::round(dot(d, inv[k]));
    const Vec3 base = f[0] * s.lattice[0] + f[1] * s.lattice[1] + f[2] * s.lattice[2];
    double best = norm(base);
    for (int i = -1; i <= 1; ++i)
        for (int j = -1; j <= 1; ++j)
            for (int k = -1; k <= 1; ++k)
                best = std::min(best, norm(base + double(i) * s.lattice[0] + double(j) * s.lattice[1] + double(k) * s.lattice[2]));
    return best;
}

}  // namespace

TEST_CASE("minimum_image_distance equals a brute force over images in triclinic cells, across faces", "[core]") {
    std::mt19937 gen(20261207);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    // A mildly triclinic cell and a strongly skewed one (b nearly parallel to a, c leaning back over both).
    const Mat3 cells[] = {{Vec3{6.0, 0.0, 0.0}, Vec3{1.5, 5.5, 0.0}, Vec3{-1.0, 0.8, 5.0}},
                          {Vec3{5.0, 0.0, 0.0}, Vec3{4.6, 1.2, 0.0}, Vec3{-4.1, 0.9, 2.2}}};
    int beyond_one_shell = 0;
    for (const Mat3& cell : cells) {
        Structure s;
        s.periodic = true;
        s.lattice = cell;
        // Pairs across each face: fractional coordinate k at 0.02 and 0.98, the others equal (the nearest image
        // is one cell translation away), then random atoms anywhere in the cell.
        for (int k = 0; k < 3; ++k)
            for (double fk : {0.02, 0.98}) {
                Vec3 f{0.4, 0.5, 0.6};
                f[k] = fk;
                s.add_atom("H", f[0] * cell[0] + f[1] * cell[1] + f[2] * cell[2]);
            }
        for (int n = 0; n < 24; ++n) {
            const double f0 = u(gen), f1 = u(gen), f2 = u(gen);
            s.add_atom("O", f0 * cell[0] + f1 * cell[1] + f2 * cell[2]);
        }
        // The brute force's range is enough: an image no longer than the direct difference (at most
        // |a| + |b| + |c|) has |n_k + f_k| <= (|a| + |b| + |c|) |b_k| with |f_k| < 1.
        const Mat3 inv = reciprocal_rows(cell);
        const double longest = norm(cell[0]) + norm(cell[1]) + norm(cell[2]);
        int reach = 0;
        for (int k = 0; k < 3; ++k) reach = std::max(reach, int(std::ceil(longest * norm(inv[k]))) + 1);
        // (17 for the skewed cell: 35^3 images per pair, still well under a second for 30 atoms.)
        INFO("brute-force reach " << reach);
        REQUIRE(reach <= 20);
        double worst = 0.0;
        for (std::size_t a = 0; a < s.size(); ++a)
            for (std::size_t b = 0; b < s.size(); ++b) {
                const double ref = min_image_brute_force(s, a, b, reach);
                worst = std::max(worst, std::abs(minimum_image_distance(s, a, b) - ref));
                if (min_image_one_shell(s, a, b) > ref + 1e-9) ++beyond_one_shell;
            }
        CHECK(worst < 1e-12);
        // Across a face: the two atoms 0.04 of a cell vector apart through the face.
        for (int k = 0; k < 3; ++k) {
            const double across = 0.04 / norm(inv[k]);  // the face-normal separation is at most this
            CHECK(minimum_image_distance(s, 2 * std::size_t(k), 2 * std::size_t(k) + 1) <= 0.04 * norm(cell[k]) + 1e-12);
            CHECK(minimum_image_distance(s, 2 * std::size_t(k), 2 * std::size_t(k) + 1) >= across - 1e-12);
        }
        CHECK(minimum_image_distance(s, 3, 3) == 0.0);
    }
    // The skewed cell has pairs whose nearest image is more than one translation from the wrapped difference.
    INFO("pairs a search over |n_k| <= 1 of the wrapped difference gets wrong: " << beyond_one_shell);
    CHECK(beyond_one_shell > 0);
}

TEST_CASE("minimum_image_distance: plain distance without a cell; bad indices and cells are errors", "[core]") {
    Structure s;
    s.add_atom("H", {0, 0, 0});
    s.add_atom("O", {9, 12, 0});
    CHECK(minimum_image_distance(s, 0, 1) == 15.0);
    CHECK_THROWS_WITH(minimum_image_distance(s, 0, 2), Catch::Contains("atom index 3 out of range (structure has 2 atoms)"));
    s.periodic = true;
    s.lattice = {Vec3{10, 0, 0}, Vec3{0, 10, 0}, Vec3{0, 0, 10}};
    CHECK(minimum_image_distance(s, 0, 1) == Approx(std::sqrt(1.0 + 4.0)).epsilon(1e-14));
    s.lattice = {Vec3{10, 0, 0}, Vec3{0, 10, 0}, Vec3{10, 10, 0}};
    CHECK_THROWS_WITH(minimum_image_distance(s, 0, 1), Catch::Contains("degenerate"));
}
