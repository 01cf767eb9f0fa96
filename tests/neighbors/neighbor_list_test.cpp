#include <catch2/catch.hpp>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <tuple>
#include <vector>

#include "hdnnp/neighbors/neighbor_list.hpp"

using namespace hdnnp;

namespace {

// One neighbour entry with d rounded to 1e-6 for ordering; the exact d is kept for comparison.
struct Entry {
    std::size_t i, j;
    long long kx, ky, kz;
    Vec3 d;
    bool operator<(const Entry& o) const {
        return std::tie(i, j, kx, ky, kz) < std::tie(o.i, o.j, o.kx, o.ky, o.kz);
    }
};

Entry make_entry(std::size_t i, std::size_t j, const Vec3& d) {
    return {i, j, std::llround(d[0] * 1e6), std::llround(d[1] * 1e6), std::llround(d[2] * 1e6), d};
}

std::vector<Entry> entries_of(const NeighborList& nl) {
    std::vector<Entry> e;
    for (std::size_t i = 0; i < nl.size(); ++i)
        for (std::size_t k = nl.offset[i]; k < nl.offset[i + 1]; ++k) e.push_back(make_entry(i, nl.index[k], nl.d[k]));
    std::sort(e.begin(), e.end());
    return e;
}

// Brute force: every atom pair and every lattice shift n within a generous window around the
// nearest image (|n_k + f_j,k - f_i,k| < cutoff / spacing_k + 1), so unwrapped positions work.
std::vector<Entry> brute_force(const Structure& s, double cutoff) {
    std::vector<Entry> e;
    const std::size_t n = s.size();
    Mat3 rec{};
    int range[3] = {0, 0, 0};
    if (s.periodic) {
        rec = reciprocal_rows(s.lattice);
        for (int k = 0; k < 3; ++k) range[k] = static_cast<int>(std::ceil(cutoff * norm(rec[k]))) + 1;
    }
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            const Vec3 dij = s.positions[j] - s.positions[i];
            long long center[3] = {0, 0, 0};
            if (s.periodic)
                for (int k = 0; k < 3; ++k) center[k] = -std::llround(dot(rec[k], dij));
            for (long long a = center[0] - range[0]; a <= center[0] + range[0]; ++a)
                for (long long b = center[1] - range[1]; b <= center[1] + range[1]; ++b)
                    for (long long c = center[2] - range[2]; c <= center[2] + range[2]; ++c) {
                        if (i == j && a == 0 && b == 0 && c == 0) continue;
                        Vec3 d = dij;
                        if (s.periodic)
                            d = d + double(a) * s.lattice[0] + double(b) * s.lattice[1] + double(c) * s.lattice[2];
                        if (dot(d, d) < cutoff * cutoff) e.push_back(make_entry(i, j, d));
                    }
        }
    std::sort(e.begin(), e.end());
    return e;
}

// Same multiset of (i, j, d), with d equal to 1e-9.
void check_same(const std::vector<Entry>& got, const std::vector<Entry>& want) {
    REQUIRE(got.size() == want.size());
    std::size_t bad = 0;
    for (std::size_t k = 0; k < got.size(); ++k) {
        const Entry& a = got[k];
        const Entry& b = want[k];
        if (a.i != b.i || a.j != b.j || norm(a.d - b.d) > 1e-9) ++bad;
    }
    CHECK(bad == 0);
}

// Structural invariants: shapes, r = |d|, 0 < r < cutoff, valid indices.
void check_consistent(const NeighborList& nl, const Structure& s, double cutoff) {
    REQUIRE(nl.size() == s.size());
    REQUIRE(nl.offset.size() == s.size() + 1);
    CHECK(nl.offset.front() == 0);
    CHECK(nl.cutoff == cutoff);
    const std::size_t m = nl.offset.back();
    REQUIRE(nl.index.size() == m);
    REQUIRE(nl.d.size() == m);
    REQUIRE(nl.r.size() == m);
    std::size_t bad = 0;
    for (std::size_t i = 0; i < nl.size(); ++i) {
        if (nl.offset[i + 1] < nl.offset[i] || nl.count(i) != nl.offset[i + 1] - nl.offset[i]) ++bad;
        for (std::size_t k = nl.offset[i]; k < nl.offset[i + 1]; ++k)
            if (nl.index[k] >= s.size() || !(nl.r[k] > 0) || !(nl.r[k] < cutoff) ||
                std::abs(nl.r[k] - norm(nl.d[k])) > 1e-12 * cutoff)
                ++bad;
    }
    CHECK(bad == 0);
}

void check_against_brute_force(const Structure& s, double cutoff) {
    const NeighborList nl = build_neighbor_list(s, cutoff);
    check_consistent(nl, s, cutoff);
    check_same(entries_of(nl), brute_force(s, cutoff));
}

Structure random_periodic(const Mat3& cell, std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    Structure s;
    s.periodic = true;
    s.lattice = cell;
    for (std::size_t i = 0; i < n; ++i) {
        const double f0 = u(rng), f1 = u(rng), f2 = u(rng);
        s.add_atom(i % 3 ? "H" : "O", f0 * cell[0] + f1 * cell[1] + f2 * cell[2]);
    }
    return s;
}

// Position of the first difference between two arrays (a.size() when they are identical); keeps
// failure messages short for arrays of millions of entries.
template <class T>
std::size_t first_difference(const std::vector<T>& a, const std::vector<T>& b) {
    if (a.size() != b.size()) return std::min(a.size(), b.size());
    return static_cast<std::size_t>(std::mismatch(a.begin(), a.end(), b.begin()).first - a.begin());
}

const Mat3 kSheared = {Vec3{10, 0, 0}, Vec3{4, 9, 0}, Vec3{-3, 2, 8}};

}  // namespace

TEST_CASE("A random cubic box matches the brute-force image search", "[neighbors]") {
    const Mat3 cube = {Vec3{20, 0, 0}, Vec3{0, 20, 0}, Vec3{0, 0, 20}};
    const Structure s = random_periodic(cube, 400, 1);
    check_against_brute_force(s, 4.0);   // 10 bins per axis
    check_against_brute_force(s, 7.5);   // bins wider than half the box
    check_against_brute_force(s, 11.0);  // cutoff above half the box: two images of some pairs
    // Dense enough (density * cutoff^3 ~ 100) for bins finer than the cutoff.
    const Mat3 small = {Vec3{10, 0, 0}, Vec3{0, 10, 0}, Vec3{0, 0, 10}};
    const Structure dense = random_periodic(small, 1000, 14);
    check_against_brute_force(dense, 4.5);
    check_against_brute_force(dense, 3.0);
}

TEST_CASE("A strongly sheared triclinic cell matches the brute-force image search", "[neighbors]") {
    const Structure s = random_periodic(kSheared, 60, 2);
    check_against_brute_force(s, 3.0);
    check_against_brute_force(s, 6.0);
    check_against_brute_force(s, 9.5);
    Mat3 big = kSheared;
    for (Vec3& v : big) v = 3.0 * v;
    check_against_brute_force(random_periodic(big, 500, 3), 5.0);
    // Left-handed cell (negative volume) with a different shear.
    const Mat3 left = {Vec3{0, 9, 1}, Vec3{11, 0, 0}, Vec3{2, -4, 7}};
    check_against_brute_force(random_periodic(left, 50, 4), 7.0);
}

TEST_CASE("A cell smaller than the cutoff lists many images, including images of the atom itself", "[neighbors]") {
    Structure s;
    s.periodic = true;
    s.lattice = {Vec3{2.5, 0, 0}, Vec3{0, 2.5, 0}, Vec3{0, 0, 2.5}};
    s.add_atom("O", {0.1, 0.2, 0.3});
    s.add_atom("H", {1.3, 0.9, 0.4});
    s.add_atom("H", {0.7, 2.1, 1.9});
    check_against_brute_force(s, 6.0);
    const NeighborList nl = build_neighbor_list(s, 6.0);
    // Self images of atom 0: the lattice points n (n != 0) with 2.5 |n| < 6.
    std::size_t self = 0, lattice_points = 0;
    for (std::size_t k = nl.offset[0]; k < nl.offset[1]; ++k) self += nl.index[k] == 0;
    for (int a = -3; a <= 3; ++a)
        for (int b = -3; b <= 3; ++b)
            for (int c = -3; c <= 3; ++c)
                lattice_points += (a || b || c) && 2.5 * std::sqrt(double(a * a + b * b + c * c)) < 6.0;
    CHECK(self == lattice_points);
    CHECK(self > 20);

    // One atom in a small sheared cell: only self images.
    Structure one;
    one.periodic = true;
    one.lattice = {Vec3{1.5, 0, 0}, Vec3{1.2, 1.1, 0}, Vec3{-0.4, 0.3, 1.7}};
    one.add_atom("Cu", {5.0, -3.0, 2.0});
    check_against_brute_force(one, 4.0);
    // A very flat cell: one plane spacing far below the cutoff, the others above it.
    check_against_brute_force(random_periodic({Vec3{9, 0, 0}, Vec3{1, 8, 0}, Vec3{0.5, 0.2, 0.9}}, 20, 5), 3.5);
}

TEST_CASE("A non-periodic cluster uses plain distances without images", "[neighbors]") {
    std::mt19937 rng(6);
    std::uniform_real_distribution<double> u(-6.0, 6.0);
    Structure s;
    for (int i = 0; i < 150; ++i) s.add_atom("C", {u(rng), u(rng), 0.5 * u(rng)});
    // Pretend cell data must be ignored when periodic is false.
    s.lattice = {Vec3{3, 0, 0}, Vec3{0, 3, 0}, Vec3{0, 0, 3}};
    check_against_brute_force(s, 2.0);
    check_against_brute_force(s, 4.0);
    check_against_brute_force(s, 50.0);  // everything within the cutoff: N (N - 1) entries
    CHECK(build_neighbor_list(s, 50.0).offset.back() == 150u * 149u);

    // Sparse: two far-apart groups (grid size must stay bounded), and a planar cluster.
    Structure sparse;
    for (int i = 0; i < 10; ++i) sparse.add_atom("H", {0.7 * i, 0.3 * (i % 2), 0});
    for (int i = 0; i < 10; ++i) sparse.add_atom("H", {1e6 + 0.7 * i, -2e6, 0.2 * (i % 3)});
    check_against_brute_force(sparse, 1.5);
    Structure single;
    single.add_atom("He", {1, 2, 3});
    const NeighborList one = build_neighbor_list(single, 5.0);
    CHECK(one.size() == 1);
    CHECK(one.count(0) == 0);
}

TEST_CASE("Atoms outside the cell give the same images as wrapped atoms", "[neighbors]") {
    const Structure wrapped = random_periodic(kSheared, 40, 7);
    Structure unwrapped = wrapped;
    std::mt19937 rng(8);
    std::uniform_int_distribution<int> shift(-4, 4);
    for (Vec3& p : unwrapped.positions)
        p = p + double(shift(rng)) * kSheared[0] + double(shift(rng)) * kSheared[1] + double(shift(rng)) * kSheared[2];
    for (double cutoff : {4.0, 8.0}) {
        check_against_brute_force(unwrapped, cutoff);
        check_same(entries_of(build_neighbor_list(unwrapped, cutoff)), entries_of(build_neighbor_list(wrapped, cutoff)));
    }
    // Atoms far away from the cell, on and just off the cell faces.
    Structure edge = wrapped;
    edge.positions[0] = {-1e3, 250.0, 37.0};
    edge.positions[1] = {0, 0, 0};
    edge.positions[2] = kSheared[0] + 0.5 * kSheared[1];
    edge.positions[3] = {-1e-17, 0.5, 1e-17};
    check_against_brute_force(edge, 6.0);
}

TEST_CASE("The list is symmetric: j lists i with -d whenever i lists j with d", "[neighbors]") {
    const auto check_symmetric = [](const Structure& s, double cutoff) {
        const NeighborList nl = build_neighbor_list(s, cutoff);
        std::vector<Entry> forward = entries_of(nl), backward;
        for (const Entry& e : forward) backward.push_back(make_entry(e.j, e.i, Vec3{-e.d[0], -e.d[1], -e.d[2]}));
        std::sort(backward.begin(), backward.end());
        check_same(forward, backward);
    };
    check_symmetric(random_periodic(kSheared, 80, 9), 7.0);
    check_symmetric(random_periodic({Vec3{2.5, 0, 0}, Vec3{0.3, 2.4, 0}, Vec3{0, 0.2, 2.6}}, 3, 10), 6.0);
}

TEST_CASE("The result does not depend on the number of threads", "[neighbors]") {
    const int before = omp_get_max_threads();
    Mat3 cell = kSheared;
    for (Vec3& v : cell) v = 1.5 * v;
    Structure s = random_periodic(cell, 3000, 11);  // density ~1.2 and cutoff 4.5: fine bins
    // Unwrap a few atoms so wrapping is exercised as well.
    for (std::size_t i = 0; i < s.size(); i += 7) s.positions[i] = s.positions[i] - 2.0 * cell[1] + cell[2];
    omp_set_num_threads(1);
    const NeighborList one = build_neighbor_list(s, 4.5);
    omp_set_num_threads(2);
    const NeighborList two = build_neighbor_list(s, 4.5);
    omp_set_num_threads(3);
    const NeighborList three = build_neighbor_list(s, 4.5);
    omp_set_num_threads(before);
    REQUIRE(one.offset.back() > 100000u);
    for (const NeighborList* other : {&two, &three}) {
        CHECK(first_difference(one.offset, other->offset) == one.offset.size());
        CHECK(first_difference(one.index, other->index) == one.index.size());
        CHECK(first_difference(one.d, other->d) == one.d.size());
        CHECK(first_difference(one.r, other->r) == one.r.size());
    }
}

TEST_CASE("The cutoff is strict and a reused list is rebuilt in place", "[neighbors]") {
    Structure s;
    s.add_atom("H", {0, 0, 0});
    s.add_atom("H", {3, 0, 0});
    CHECK(build_neighbor_list(s, 3.0).offset.back() == 0);
    const NeighborList nl = build_neighbor_list(s, std::nextafter(3.0, 4.0));
    REQUIRE(nl.offset.back() == 2);
    CHECK(nl.index[0] == 1);
    CHECK(nl.d[0] == Vec3{3, 0, 0});
    CHECK(nl.d[1] == Vec3{-3, 0, 0});
    CHECK(nl.r[0] == 3.0);

    NeighborList reused = build_neighbor_list(random_periodic(kSheared, 60, 12), 6.0);
    build_neighbor_list(s, 3.5, reused);
    CHECK(reused.size() == 2);
    CHECK(reused.offset.back() == 2);
    CHECK(reused.cutoff == 3.5);
}

TEST_CASE("An empty structure gives an empty list", "[neighbors]") {
    Structure s;
    NeighborList nl = build_neighbor_list(s, 5.0);
    CHECK(nl.size() == 0);
    CHECK(nl.offset == std::vector<std::size_t>{0});
    CHECK(nl.index.empty());
    s.periodic = true;
    s.lattice = kSheared;
    nl = build_neighbor_list(s, 5.0);
    CHECK(nl.size() == 0);
    CHECK(nl.d.empty());
}

TEST_CASE("Invalid input is rejected with a message naming the problem", "[neighbors]") {
    Structure s = random_periodic(kSheared, 10, 13);
    CHECK_THROWS_AS(build_neighbor_list(s, 0.0), StructureError);
    CHECK_THROWS_WITH(build_neighbor_list(s, 0.0), Catch::Contains("cutoff must be positive and finite (got 0)"));
    CHECK_THROWS_WITH(build_neighbor_list(s, -2.0), Catch::Contains("cutoff must be positive and finite (got -2)"));
    CHECK_THROWS_WITH(build_neighbor_list(s, std::numeric_limits<double>::quiet_NaN()),
                      Catch::Contains("cutoff must be positive and finite"));
    CHECK_THROWS_WITH(build_neighbor_list(s, std::numeric_limits<double>::infinity()),
                      Catch::Contains("cutoff must be positive and finite"));

    Structure nan = s;
    nan.positions[3][2] = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH(build_neighbor_list(nan, 5.0), Catch::Contains("atom 4 (O) has a non-finite coordinate"));

    Structure flat = s;
    flat.lattice[2] = flat.lattice[0] + flat.lattice[1];
    CHECK_THROWS_WITH(build_neighbor_list(flat, 5.0), Catch::Contains("degenerate"));

    Structure overlap = s;
    overlap.positions[6] = overlap.positions[2];
    CHECK_THROWS_AS(build_neighbor_list(overlap, 5.0), StructureError);
    CHECK_THROWS_WITH(build_neighbor_list(overlap, 5.0), Catch::Contains("atoms 3 and 7 overlap (distance 0"));
    // An atom on a periodic image of another one (and far outside the cell).
    overlap = s;
    overlap.positions[8] = overlap.positions[1] + 2.0 * kSheared[0] - 3.0 * kSheared[2];
    CHECK_THROWS_WITH(build_neighbor_list(overlap, 2.0), Catch::Contains("atoms 2 and 9 overlap"));
    // Almost on top of each other, non-periodic.
    Structure cluster;
    cluster.add_atom("H", {0, 0, 0});
    cluster.add_atom("H", {1, 0, 0});
    cluster.add_atom("H", {1, 3e-9, 0});
    CHECK_THROWS_WITH(build_neighbor_list(cluster, 2.0), Catch::Contains("atoms 2 and 3 overlap (distance 3e-09"));
    cluster.positions[2] = {1, 2e-8, 0};
    CHECK_NOTHROW(build_neighbor_list(cluster, 2.0));

    Structure huge_cutoff = s;
    huge_cutoff.lattice = {Vec3{0.01, 0, 0}, Vec3{0, 0.01, 0}, Vec3{0, 0, 0.01}};
    huge_cutoff.positions.resize(1);
    huge_cutoff.symbols.resize(1);
    CHECK_THROWS_WITH(build_neighbor_list(huge_cutoff, 12.0), Catch::Contains("too large for the periodic cell"));
}
