// PairImages (the real-space pair enumeration of the Ewald sum and of the screening) visits exactly the
// pairs and periodic images a brute-force enumeration finds: same atoms, same images, same count, also
// where the cutoff exceeds the cell's plane spacings (several images of one atom and of the atom itself).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <tuple>
#include <vector>

#include "hdnnp/electrostatics/coulomb.hpp"
#include "hdnnp/electrostatics/ewald.hpp"

using namespace hdnnp;

namespace {

struct Visit {
    std::size_t i, j;
    Vec3 d;
    double r;
};

/// Order by pair, then by image vector rounded to 1e-6 (so that round-off cannot reorder images).
bool before(const Visit& a, const Visit& b) {
    auto key = [](const Visit& v) {
        return std::make_tuple(v.i, v.j, std::llround(v.d[0] * 1e6), std::llround(v.d[1] * 1e6), std::llround(v.d[2] * 1e6));
    };
    return key(a) < key(b);
}

std::vector<Vec3> random_positions(const Mat3& L, std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(-0.3, 1.3);  // partly outside the cell: positions need no wrapping
    std::vector<Vec3> R;
    for (std::size_t i = 0; i < n; ++i) R.push_back(u(rng) * L[0] + u(rng) * L[1] + u(rng) * L[2]);
    return R;
}

/// Every j >= i and every lattice translation n with 0 < |R_j + n.L - R_i| <= rc (n != 0 for j == i),
/// from a generous range of n.
std::vector<Visit> brute_force(const std::vector<Vec3>& R, const Mat3& L, double rc) {
    const Mat3 rec = reciprocal_rows(L);
    int nmax[3];
    for (int a = 0; a < 3; ++a) nmax[a] = static_cast<int>(std::ceil(rc * norm(rec[a]))) + 2;
    std::vector<Visit> out;
    for (std::size_t i = 0; i < R.size(); ++i)
        for (std::size_t j = i; j < R.size(); ++j)
            for (int a = -nmax[0]; a <= nmax[0]; ++a)
                for (int b = -nmax[1]; b <= nmax[1]; ++b)
                    for (int c = -nmax[2]; c <= nmax[2]; ++c) {
                        if (j == i && a == 0 && b == 0 && c == 0) continue;
                        const Vec3 d = R[j] + static_cast<double>(a) * L[0] + static_cast<double>(b) * L[1] +
                                       static_cast<double>(c) * L[2] - R[i];
                        const double r = norm(d);
                        if (r > 0.0 && r <= rc) out.push_back({i, j, d, r});
                    }
    std::sort(out.begin(), out.end(), before);
    return out;
}

std::vector<Visit> enumerate(const PairImages& p, std::size_t n) {
    std::vector<Visit> out;
    for (std::size_t i = 0; i < n; ++i) p.visit(i, [&](std::size_t j, const Vec3& d, double r) { out.push_back({i, j, d, r}); });
    std::sort(out.begin(), out.end(), before);
    return out;
}

/// Same pairs (i, j), same image vectors (to round-off), same count.
void check_same(const std::vector<Visit>& got, const std::vector<Visit>& ref) {
    REQUIRE(got.size() == ref.size());
    std::size_t mismatch = 0;
    double dmax = 0.0;
    for (std::size_t k = 0; k < ref.size(); ++k) {
        const double dd = norm(got[k].d - ref[k].d);
        dmax = std::max(dmax, dd);
        if (got[k].i != ref[k].i || got[k].j != ref[k].j || dd > 1e-10 || std::abs(got[k].r - ref[k].r) > 1e-10) ++mismatch;
    }
    std::printf("  %zu visits, %zu mismatches, max |d - d_ref| %.2e\n", ref.size(), mismatch, dmax);
    CHECK(mismatch == 0);
}

}  // namespace

TEST_CASE("cell-list pair images equal a brute-force enumeration in a small sheared cell with r_c beyond the plane spacings",
          "[electrostatics][pairs]") {
    const Mat3 L{Vec3{5.0, 0.0, 0.0}, Vec3{2.5, 4.5, 0.0}, Vec3{-1.8, 1.2, 4.8}};  // plane spacings ~4.3-4.8
    const std::vector<Vec3> R = random_positions(L, 7, 3);
    for (double rc : {3.0, 7.3, 11.0}) {
        DYNAMIC_SECTION("r_c " << rc) {
            const std::vector<Visit> ref = brute_force(R, L, rc);
            std::size_t self_images = 0, repeated = 0;
            for (std::size_t k = 0; k < ref.size(); ++k) {
                self_images += ref[k].i == ref[k].j;
                repeated += k > 0 && ref[k].i == ref[k - 1].i && ref[k].j == ref[k - 1].j;
            }
            std::printf("sheared 7-atom cell, r_c %.1f: %zu self images, %zu repeated (i, j)\n", rc, self_images, repeated);
            if (rc > 5.0) {
                CHECK(self_images > 0);
                CHECK(repeated > self_images);
            }
            check_same(enumerate(PairImages(R, L, rc), R.size()), ref);
            // visit_self lists the images of one atom itself, n and -n
            std::size_t own = 0;
            PairImages(R, L, rc).visit_self(0, [&](const Vec3&, double) { ++own; });
            std::size_t ref_own = 0;
            for (const Visit& v : ref) ref_own += v.i == 0 && v.j == 0;
            CHECK(own == ref_own);
        }
    }
}

TEST_CASE("cell-list pair images equal a brute-force enumeration in a larger cell", "[electrostatics][pairs]") {
    const Mat3 L{Vec3{16.0, 0.0, 0.0}, Vec3{3.0, 15.0, 0.0}, Vec3{-2.0, 2.5, 17.0}};
    const std::vector<Vec3> R = random_positions(L, 300, 5);
    for (double rc : {4.5, 9.0, 18.0}) {  // bins of r_c/1..3, and a cutoff beyond the plane spacings
        DYNAMIC_SECTION("r_c " << rc) {
            std::printf("sheared 300-atom cell, r_c %.1f:\n", rc);
            check_same(enumerate(PairImages(R, L, rc), R.size()), brute_force(R, L, rc));
        }
    }
}

TEST_CASE("cell-list pairs of a cluster equal all pairs within the cutoff", "[electrostatics][pairs]") {
    std::mt19937 rng(8);
    std::uniform_real_distribution<double> u(-10.0, 10.0);
    std::vector<Vec3> R;
    for (int i = 0; i < 200; ++i) R.push_back(Vec3{u(rng), u(rng), 0.5 * u(rng)});
    const double rc = 6.0;
    std::vector<Visit> ref;
    for (std::size_t i = 0; i < R.size(); ++i)
        for (std::size_t j = i + 1; j < R.size(); ++j) {
            const Vec3 d = R[j] - R[i];
            if (norm(d) <= rc) ref.push_back({i, j, d, norm(d)});
        }
    std::sort(ref.begin(), ref.end(), before);
    std::printf("200-atom cluster, r_c 6:\n");
    check_same(enumerate(PairImages(R, rc), R.size()), ref);
}

TEST_CASE("the cached real-space operator equals the dense matrix when r_c exceeds the cell", "[electrostatics][pairs]") {
    // Several images of every pair are summed into one stored entry, visited in no particular order.
    const Mat3 L{Vec3{6.0, 0.0, 0.0}, Vec3{2.0, 5.5, 0.0}, Vec3{-1.0, 1.5, 6.2}};
    const std::vector<Vec3> R = random_positions(L, 12, 9);
    std::vector<int> el;
    for (std::size_t i = 0; i < R.size(); ++i) el.push_back(static_cast<int>(i % 2));
    EwaldParameters p;
    p.eta = 2.0;
    p.real_cutoff = 14.0;
    p.kspace_cutoff = 3.0;
    GaussianCoulomb op(R, el, {0.7, 1.1}, 1.0, L, p);
    const std::size_t n = R.size();
    std::vector<double> C(n * n);
    op.dense(C.data());
    op.cache_real_space();
    CHECK(op.real_space_entries() == n * (n + 1) / 2);  // every pair and every atom with itself
    std::vector<double> u(n), Cu(n);
    for (std::size_t i = 0; i < n; ++i) u[i] = std::sin(1.7 * static_cast<double>(i) + 0.3);
    op.apply(u.data(), Cu.data());
    const std::vector<double> diag = op.diagonal();
    double dmax = 0.0, m = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        double s = 0.0;
        for (std::size_t j = 0; j < n; ++j) s += C[i * n + j] * u[j];
        dmax = std::max(dmax, std::abs(s - Cu[i]));
        m = std::max(m, std::abs(s));
        CHECK(diag[i] == Approx(C[i * n + i]).epsilon(1e-13));
    }
    CHECK(dmax <= 1e-13 * m);
}
