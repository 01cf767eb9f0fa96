// hdnnp: full neighbour lists within a cutoff, for periodic (general triclinic) and non-periodic
// structures. Every neighbour image is listed, including periodic images of an atom itself and
// several images of one atom when the cell is smaller than the cutoff.
//
// Algorithm: atoms are wrapped into the cell and binned in fractional coordinates, with bins at
// least cutoff/1, /2 or /3 wide along each plane spacing (whichever is estimated cheapest for the
// density; fewer bins for sparse systems). Each atom visits a precomputed stencil of bin offsets,
// pruned by the exact minimum distance between bins; along the third axis consecutive bins are
// contiguous in memory and are scanned as one run. Offsets beyond the cell wrap with an image
// shift, so a small cell simply gets a larger stencil (one bin, all image shifts). Two OpenMP
// passes (count, prefix sum, fill) give a result that does not depend on the number of threads.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "hdnnp/core/error.hpp"
#include "hdnnp/core/structure.hpp"
#include "hdnnp/core/vec3.hpp"

namespace hdnnp {

/// Full neighbour list in compressed-row form: each pair (i, j) appears for both atoms.
/// Within one atom, neighbours are in a fixed order that does not depend on the thread count.
struct NeighborList {
    double cutoff = 0;                 ///< cutoff radius used to build the list [length]
    std::vector<std::size_t> offset;   ///< shape (N+1): neighbours of atom i are entries offset[i] .. offset[i+1]-1
    std::vector<std::uint32_t> index;  ///< shape (M): atom j (0-based) that the neighbour image belongs to
    std::vector<Vec3> d;               ///< shape (M, 3): R_j + n.L - R_i, from atom i to the neighbour image [length]
    std::vector<double> r;             ///< shape (M): |d|, with 0 < r < cutoff [length]

    /// Number of atoms N.
    std::size_t size() const noexcept { return offset.empty() ? 0 : offset.size() - 1; }
    /// Number of neighbour images of atom i (0-based).
    std::size_t count(std::size_t i) const { return offset[i + 1] - offset[i]; }
};

namespace detail {

/// Atoms (or images) closer than this are reported as overlapping [length].
inline constexpr double kOverlapDistance = 1e-8;
/// Largest number of bins per cutoff length along a plane spacing.
inline constexpr int kMaxBinsPerCutoff = 3;
/// Estimated cost of one run of consecutive bins, in units of one candidate distance.
inline constexpr double kRunCost = 50.0;

// Squared length, evaluated bit-identically in the counting and the filling pass: with hardware
// FMA the fused operations are explicit, so compiler contraction cannot make the passes differ.
inline double nl_norm2(double x, double y, double z) {
#ifdef __FP_FAST_FMA
    return std::fma(x, x, std::fma(y, y, z * z));
#else
    return x * x + y * y + z * z;
#endif
}

inline long nl_floordiv(long a, long b) {
    long q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

// Exact minimum of u^T G u over the box lo <= u <= hi (G symmetric positive definite): the
// minimiser has, per coordinate, u_k at lo_k, at hi_k or free; enumerate the 27 patterns, solve
// the reduced system for the free ones and keep feasible points. Slightly infeasible points are
// accepted, which can only lower the result (the caller needs a lower bound).
inline double nl_box_min_norm2(const double G[3][3], const double lo[3], const double hi[3]) {
    double best = std::numeric_limits<double>::infinity();
    for (int pattern = 0; pattern < 27; ++pattern) {
        int state[3] = {pattern % 3, (pattern / 3) % 3, pattern / 9};  // 0: lo, 1: hi, 2: free
        double u[3] = {0, 0, 0};
        int fr[3];
        int nf = 0;
        for (int k = 0; k < 3; ++k) {
            if (state[k] == 0) u[k] = lo[k];
            else if (state[k] == 1) u[k] = hi[k];
            else fr[nf++] = k;
        }
        if (nf == 1) {
            const int a = fr[0];
            double rhs = 0;
            for (int l = 0; l < 3; ++l)
                if (l != a) rhs -= G[a][l] * u[l];
            u[a] = rhs / G[a][a];
        } else if (nf == 2) {
            const int a = fr[0], b = fr[1], c = 3 - fr[0] - fr[1];
            const double ra = -G[a][c] * u[c], rb = -G[b][c] * u[c];
            const double det = G[a][a] * G[b][b] - G[a][b] * G[b][a];
            u[a] = (ra * G[b][b] - G[a][b] * rb) / det;
            u[b] = (G[a][a] * rb - G[b][a] * ra) / det;
        }  // nf == 3: unconstrained minimiser u = 0
        bool feasible = true;
        for (int q = 0; q < nf; ++q) {
            const int k = fr[q];
            const double tol = 1e-12 * (std::abs(lo[k]) + std::abs(hi[k]) + 1.0);
            if (!(u[k] >= lo[k] - tol && u[k] <= hi[k] + tol)) feasible = false;
        }
        if (!feasible) continue;
        double v = 0;
        for (int k = 0; k < 3; ++k)
            for (int l = 0; l < 3; ++l) v += u[k] * G[k][l] * u[l];
        best = std::min(best, v);
    }
    return std::max(best, 0.0);
}

// Binned atoms plus the bin stencil; everything the per-atom kernels read.
struct NlGrid {
    int nb[3] = {1, 1, 1};   // bins per axis
    int m[3] = {0, 0, 0};    // stencil half width per axis (bins)
    int nmin[3] = {0, 0, 0}; // smallest image shift per axis
    bool periodic = false;
    struct Row { int d0, d1, lo, hi; };  // bin offsets (d0, d1, lo..hi)
    std::vector<Row> rows;
    std::vector<int> wrap_bin[3];        // index t + m[k] -> bin (or -1 outside a non-periodic grid)
    std::vector<int> wrap_img[3];        // index t + m[k] -> image shift n_k
    std::vector<Vec3> shift[3];          // n_k - nmin[k] -> n_k * (cell vector k)
    std::vector<std::size_t> bin_start;  // shape (bins+1)
    // Atoms sorted by bin (stable: by atom index within a bin).
    std::vector<double> x, y, z;         // wrapped positions [length]
    std::vector<std::uint32_t> atom;     // original atom index
    std::vector<int> cell;               // shape (N, 3): bin coordinates
};

// Calls f(begin, end, qx, qy, qz, zero_image) for every run of sorted atoms [begin, end) that
// may hold neighbours of sorted atom k; candidate vectors are (x - qx, y - qy, z - qz).
template <class F>
inline void nl_visit(const NlGrid& g, std::size_t k, F&& f) {
    const int c0 = g.cell[3 * k], c1 = g.cell[3 * k + 1], c2 = g.cell[3 * k + 2];
    const double px = g.x[k], py = g.y[k], pz = g.z[k];
    const int nb1 = g.nb[1], nb2 = g.nb[2];
    for (const NlGrid::Row& row : g.rows) {
        const int t0 = c0 + row.d0 + g.m[0];
        const int b0 = g.wrap_bin[0][t0];
        if (b0 < 0) continue;
        const int t1 = c1 + row.d1 + g.m[1];
        const int b1 = g.wrap_bin[1][t1];
        if (b1 < 0) continue;
        const int n0 = g.wrap_img[0][t0], n1 = g.wrap_img[1][t1];
        const Vec3& s0 = g.shift[0][n0 - g.nmin[0]];
        const Vec3& s1 = g.shift[1][n1 - g.nmin[1]];
        const double ax = (px - s0[0]) - s1[0], ay = (py - s0[1]) - s1[1], az = (pz - s0[2]) - s1[2];
        int t = c2 + row.lo, tend = c2 + row.hi;
        if (!g.periodic) {
            t = std::max(t, 0);
            tend = std::min(tend, nb2 - 1);
        }
        const std::size_t base = (static_cast<std::size_t>(b0) * nb1 + b1) * nb2;
        while (t <= tend) {
            const int b = g.wrap_bin[2][t + g.m[2]];
            const int n2 = g.wrap_img[2][t + g.m[2]];
            const int span = std::min(tend - t, nb2 - 1 - b);
            const std::size_t kb = g.bin_start[base + b], ke = g.bin_start[base + b + span + 1];
            if (kb < ke) {
                const Vec3& s2 = g.shift[2][n2 - g.nmin[2]];
                f(kb, ke, ax - s2[0], ay - s2[1], az - s2[2], n0 == 0 && n1 == 0 && n2 == 0);
            }
            t += span + 1;
        }
    }
}

inline std::string nl_number(double v) {
    std::ostringstream os;
    os << v;
    return os.str();
}

// Wraps and bins the atoms at R (shape (N, 3)) and builds the stencil for search radius rs; periodic
// with cell rows `lattice`, or (periodic == false) in the bounding box of the atoms.
inline void nl_setup(const std::vector<Vec3>& R, bool periodic, const Mat3& lattice, double rs, NlGrid& g) {
    const std::size_t n = R.size();
    g.periodic = periodic;
    Mat3 cell{};
    Mat3 recip{};
    Vec3 origin{0, 0, 0};
    if (periodic) {
        cell = lattice;
        recip = reciprocal_rows(cell);
    } else {
        Vec3 lo = R[0], hi = R[0];
        for (const Vec3& p : R)
            for (int k = 0; k < 3; ++k) {
                lo[k] = std::min(lo[k], p[k]);
                hi[k] = std::max(hi[k], p[k]);
            }
        origin = lo;
        for (int k = 0; k < 3; ++k) {
            const double ext = std::max(hi[k] - lo[k], rs);
            cell[k][k] = ext;
            recip[k][k] = 1.0 / ext;
        }
    }
    double h[3];  // plane spacings V / |a_l x a_m| = 1 / |b_k|
    for (int k = 0; k < 3; ++k) h[k] = 1.0 / norm(recip[k]);

    // Bin counts: bins at least rs / sub wide along each plane spacing (small safety margin), the
    // total capped at O(N). Neighbours within rs differ by at most rs / h_k in fractional
    // coordinate k, hence the stencil half width m_k. Finer bins mean fewer candidates but more
    // (shorter) runs per atom; sub in {1, 2, 3} is chosen by a cost estimate per atom.
    const double cap = std::max(64.0, 2.0 * static_cast<double>(n));
    double best_cost = std::numeric_limits<double>::infinity();
    double nbd[3] = {1, 1, 1}, md[3] = {0, 0, 0};
    for (int sub = 1; sub <= kMaxBinsPerCutoff; ++sub) {
        double nb_try[3], m_try[3];
        for (int k = 0; k < 3; ++k)
            nb_try[k] = std::clamp(std::floor(h[k] * sub / (rs * (1.0 + 1e-8))), 1.0, 1e6);
        while (nb_try[0] * nb_try[1] * nb_try[2] > cap) {
            const double f = std::cbrt(nb_try[0] * nb_try[1] * nb_try[2] / cap);
            for (double& v : nb_try) v = std::max(1.0, std::floor(v / f));
        }
        for (int k = 0; k < 3; ++k) {
            m_try[k] = std::ceil(rs * nb_try[k] / h[k] * (1.0 + 1e-10));
            if (!periodic) m_try[k] = std::min(m_try[k], nb_try[k] - 1.0);
        }
        const double rows = (2 * m_try[0] + 1) * (2 * m_try[1] + 1);
        const double candidates = static_cast<double>(n) / (nb_try[0] * nb_try[1] * nb_try[2]) * rows *
                                  (2 * m_try[2] + 1);
        const double cost = candidates + kRunCost * rows;
        if (cost < best_cost) {
            best_cost = cost;
            std::copy(nb_try, nb_try + 3, nbd);
            std::copy(m_try, m_try + 3, md);
        }
    }
    if ((2 * md[0] + 1) * (2 * md[1] + 1) * (2 * md[2] + 1) > 1e8)
        throw StructureError("cutoff " + nl_number(rs) + " is too large for the periodic cell (plane spacings " +
                             nl_number(h[0]) + ", " + nl_number(h[1]) + ", " + nl_number(h[2]) +
                             "): more than 1e8 cell images per atom");
    for (int k = 0; k < 3; ++k) {
        g.nb[k] = static_cast<int>(nbd[k]);
        g.m[k] = static_cast<int>(md[k]);
    }

    // Wrap tables and image shift vectors.
    for (int k = 0; k < 3; ++k) {
        const int nb = g.nb[k], m = g.m[k];
        g.wrap_bin[k].assign(static_cast<std::size_t>(nb + 2 * m), -1);
        g.wrap_img[k].assign(static_cast<std::size_t>(nb + 2 * m), 0);
        for (int t = -m; t < nb + m; ++t) {
            const std::size_t idx = static_cast<std::size_t>(t + m);
            if (periodic) {
                const long img = nl_floordiv(t, nb);
                g.wrap_img[k][idx] = static_cast<int>(img);
                g.wrap_bin[k][idx] = static_cast<int>(t - img * nb);
            } else if (t >= 0 && t < nb) {
                g.wrap_bin[k][idx] = t;
            }
        }
        const int nmin = periodic ? static_cast<int>(nl_floordiv(-m, nb)) : 0;
        const int nmax = periodic ? static_cast<int>(nl_floordiv(nb - 1 + m, nb)) : 0;
        g.nmin[k] = nmin;
        g.shift[k].resize(static_cast<std::size_t>(nmax - nmin + 1));
        for (int v = nmin; v <= nmax; ++v)
            g.shift[k][static_cast<std::size_t>(v - nmin)] =
                periodic ? static_cast<double>(v) * cell[k] : Vec3{0, 0, 0};
    }

    // Stencil rows, pruned by the exact minimum distance between a bin and the offset bin.
    double G[3][3];
    for (int k = 0; k < 3; ++k)
        for (int l = 0; l < 3; ++l) G[k][l] = dot(cell[k], cell[l]);
    const double limit2 = rs * rs * (1.0 + 1e-9);
    g.rows.clear();
    for (int d0 = -g.m[0]; d0 <= g.m[0]; ++d0)
        for (int d1 = -g.m[1]; d1 <= g.m[1]; ++d1) {
            int lo = 1, hi = 0;
            for (int d2 = -g.m[2]; d2 <= g.m[2]; ++d2) {
                const int dd[3] = {d0, d1, d2};
                double blo[3], bhi[3];
                for (int k = 0; k < 3; ++k) {
                    blo[k] = (dd[k] - 1.0) / g.nb[k];
                    bhi[k] = (dd[k] + 1.0) / g.nb[k];
                }
                if (nl_box_min_norm2(G, blo, bhi) < limit2) {
                    if (lo > hi) lo = d2;
                    hi = d2;
                }
            }
            if (lo <= hi) g.rows.push_back({d0, d1, lo, hi});
        }

    // Wrap positions into the cell and sort the atoms by bin (counting sort, stable).
    const std::size_t nbins = static_cast<std::size_t>(g.nb[0]) * g.nb[1] * g.nb[2];
    std::vector<std::size_t> bin_of(n);
    std::vector<Vec3> wrapped(n);
    std::vector<int> cell_of(3 * n);
    g.bin_start.assign(nbins + 1, 0);
    for (std::size_t i = 0; i < n; ++i) {
        const Vec3& p = R[i];
        Vec3 w = p;
        int c[3];
        for (int k = 0; k < 3; ++k) {
            double f = periodic ? dot(recip[k], p) : (p[k] - origin[k]) * recip[k][k];
            if (periodic) {
                const double img = std::floor(f);
                f -= img;
                if (img != 0.0) w = w - img * cell[k];
            }
            const double cb = std::floor(f * g.nb[k]);
            c[k] = static_cast<int>(std::clamp(cb, 0.0, static_cast<double>(g.nb[k] - 1)));
            cell_of[3 * i + k] = c[k];
        }
        wrapped[i] = w;
        bin_of[i] = (static_cast<std::size_t>(c[0]) * g.nb[1] + c[1]) * g.nb[2] + c[2];
        ++g.bin_start[bin_of[i] + 1];
    }
    for (std::size_t b = 0; b < nbins; ++b) g.bin_start[b + 1] += g.bin_start[b];
    std::vector<std::size_t> fill(g.bin_start.begin(), g.bin_start.end() - 1);
    g.x.resize(n);
    g.y.resize(n);
    g.z.resize(n);
    g.atom.resize(n);
    g.cell.resize(3 * n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t k = fill[bin_of[i]]++;
        g.x[k] = wrapped[i][0];
        g.y[k] = wrapped[i][1];
        g.z[k] = wrapped[i][2];
        g.atom[k] = static_cast<std::uint32_t>(i);
        for (int a = 0; a < 3; ++a) g.cell[3 * k + a] = cell_of[3 * i + a];
    }
}

inline void nl_setup(const Structure& s, double rs, NlGrid& g) { nl_setup(s.positions, s.periodic, s.lattice, rs, g); }

}  // namespace detail

/// Builds the full neighbour list of s into out, reusing out's storage (no reallocation when the
/// number of neighbours does not grow). Lists every image R_j + n.L of every atom j (n = 0 for a
/// non-periodic structure) with 0 < |R_j + n.L - R_i| < cutoff, including images of atom i itself.
/// Positions need not be wrapped into the cell. cutoff [length] must be positive and finite.
/// Throws StructureError for an invalid structure (see validate), a bad cutoff, or two atoms
/// (or an atom and an image) closer than 1e-8; out is then unspecified.
inline void build_neighbor_list(const Structure& s, double cutoff, NeighborList& out) {
    validate(s);
    if (!(cutoff > 0.0) || !std::isfinite(cutoff))
        throw StructureError("neighbour list cutoff must be positive and finite (got " + detail::nl_number(cutoff) +
                             ")");
    const std::size_t n = s.size();
    if (n > std::numeric_limits<std::uint32_t>::max())
        throw StructureError("structure has " + std::to_string(n) + " atoms; the neighbour list supports at most " +
                             std::to_string(std::numeric_limits<std::uint32_t>::max()));
    out.cutoff = cutoff;
    out.offset.assign(n + 1, 0);
    if (n == 0) {
        out.index.clear();
        out.d.clear();
        out.r.clear();
        return;
    }

    constexpr double tol = detail::kOverlapDistance;
    const double tol2 = tol * tol;
    const double rc2 = cutoff * cutoff;
    detail::NlGrid g;
    detail::nl_setup(s, std::max(cutoff, tol), g);
    const double* X = g.x.data();
    const double* Y = g.y.data();
    const double* Z = g.z.data();
    const std::int64_t nn = static_cast<std::int64_t>(n);
    constexpr std::int64_t kNlParallelMin = 256;  // smaller structures: threads cost more than they save

    // Pass 1: count neighbours (tol <= r < cutoff) and detect overlaps (the atom itself at r = 0
    // is the one expected hit below tol).
    std::size_t first_overlap = n;
#pragma omp parallel for schedule(dynamic, 64) reduction(min : first_overlap) if (nn >= kNlParallelMin)
    for (std::int64_t kk = 0; kk < nn; ++kk) {
        const std::size_t k = static_cast<std::size_t>(kk);
        std::size_t count = 0, close = 0;
        detail::nl_visit(g, k, [&](std::size_t kb, std::size_t ke, double qx, double qy, double qz, bool) {
            std::size_t c = 0, t = 0;
            for (std::size_t j = kb; j < ke; ++j) {
                const double r2 = detail::nl_norm2(X[j] - qx, Y[j] - qy, Z[j] - qz);
                c += (r2 < rc2) & (r2 >= tol2);
                t += r2 < tol2;
            }
            count += c;
            close += t;
        });
        const std::size_t i = g.atom[k];
        out.offset[i + 1] = count;
        if (close > 1 && i < first_overlap) first_overlap = i;
    }

    if (first_overlap < n) {
        // Rare path: find the partner with the smallest index and report it.
        const std::size_t i = first_overlap;
        const std::size_t k = static_cast<std::size_t>(
            std::find(g.atom.begin(), g.atom.end(), static_cast<std::uint32_t>(i)) - g.atom.begin());
        std::size_t partner = n;
        double dist = 0;
        detail::nl_visit(g, k, [&](std::size_t kb, std::size_t ke, double qx, double qy, double qz, bool zero) {
            for (std::size_t j = kb; j < ke; ++j) {
                const double r2 = detail::nl_norm2(X[j] - qx, Y[j] - qy, Z[j] - qz);
                if (r2 < tol2 && !(zero && g.atom[j] == i) && g.atom[j] < partner) {
                    partner = g.atom[j];
                    dist = std::sqrt(r2);
                }
            }
        });
        const std::string where = "(distance " + detail::nl_number(dist) + ", below " + detail::nl_number(tol) +
                                  " length units)";
        if (partner == i)
            throw StructureError("atom " + std::to_string(i + 1) + " overlaps a periodic image of itself " + where);
        throw StructureError("atoms " + std::to_string(i + 1) + " and " + std::to_string(partner + 1) + " overlap " +
                             where);
    }

    for (std::size_t i = 0; i < n; ++i) out.offset[i + 1] += out.offset[i];
    const std::size_t total = out.offset[n];
    out.index.resize(total);
    out.d.resize(total);
    out.r.resize(total);
    std::uint32_t* index = out.index.data();
    Vec3* dvec = out.d.data();
    double* rr = out.r.data();
    const std::size_t* offset = out.offset.data();

    // Pass 2: fill, with the same arithmetic as pass 1 (so the same entries pass the tests). Runs of
    // candidates go through a small stack buffer: squared distances (vectorised), branch-free
    // selection of the accepted ones, then stores of the accepted ones only.
#pragma omp parallel for schedule(dynamic, 64) if (nn >= kNlParallelMin)
    for (std::int64_t kk = 0; kk < nn; ++kk) {
        const std::size_t k = static_cast<std::size_t>(kk);
        const std::size_t i = g.atom[k];
        std::size_t pos = offset[i];
        const std::size_t end = offset[i + 1];
        detail::nl_visit(g, k, [&](std::size_t kb, std::size_t ke, double qx, double qy, double qz, bool) {
            constexpr std::size_t chunk = 64;
            double r2buf[chunk];
            std::uint32_t accept[chunk], sel[chunk];
            for (std::size_t j0 = kb; j0 < ke; j0 += chunk) {
                const std::size_t len = std::min(chunk, ke - j0);
                for (std::size_t t = 0; t < len; ++t) {
                    const double r2 = detail::nl_norm2(X[j0 + t] - qx, Y[j0 + t] - qy, Z[j0 + t] - qz);
                    r2buf[t] = r2;
                    accept[t] = (r2 < rc2) & (r2 >= tol2);
                }
                std::size_t ns = 0;
                for (std::size_t t = 0; t < len; ++t) {
                    sel[ns] = static_cast<std::uint32_t>(t);
                    ns += accept[t];
                }
                ns = std::min(ns, end - pos);  // never triggers: both passes accept the same entries
                for (std::size_t u = 0; u < ns; ++u) {
                    const std::size_t j = j0 + sel[u];
                    index[pos] = g.atom[j];
                    dvec[pos] = {X[j] - qx, Y[j] - qy, Z[j] - qz};
                    rr[pos] = std::sqrt(r2buf[sel[u]]);
                    ++pos;
                }
            }
        });
    }
}

/// Builds the full neighbour list of s for the given cutoff [length]; see the overload above.
inline NeighborList build_neighbor_list(const Structure& s, double cutoff) {
    NeighborList list;
    build_neighbor_list(s, cutoff, list);
    return list;
}

}  // namespace hdnnp
