// FLOP model of one energy + forces evaluation with hdnnp's 2G kernels, and the core's measured peak,
// so that the end-to-end benchmark can say how close to the hardware limit it runs.
//
// The counts are the floating-point operations the kernels execute (counted by hand from
// include/hdnnp/descriptors/{radial,angular}.hpp and networks/network.hpp), multiplied by the numbers
// of neighbours, pairs and live triplets of each symmetry-function group, which are counted here from
// the structure itself. Conventions: add, sub, mul = 1; FMA = 2; division, square root = 1; exp = 16
// (xsimd's double exp: range reduction, a degree-10 polynomial in Horner form, reconstruction);
// comparisons, selects, loads, stores and integer work = 0. Work in masked-off SIMD lanes is not
// counted (it is not useful work). Compact families (types 20-25) are not modelled: `covered` says
// whether every function of the model is.
//
// Peak: an FMA-throughput loop on the widest vector type (independent accumulators), run in the same
// process, gives the achievable double-precision FLOP rate of one core.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <map>
#include <tuple>
#include <vector>

#include "hdnnp/hdnnp.hpp"

namespace bench {

struct FlopModel {
    double radial = 0, angular_pairs = 0, angular_triplets = 0, networks = 0;
    bool covered = true;
    double total() const { return radial + angular_pairs + angular_triplets + networks; }
};

namespace detail {
constexpr double kExp = 16, kCutoff = 2 + kExp + 4 + 6;  // 1 - r/rc, tanh via exp, t^3 and its derivative
inline double ipow_flops(int n) {  // multiplications of simd::ipow
    if (n <= 1) return 0;
    if (n <= 4) return n == 4 ? 2 : n - 1;
    int sq = 0, bits = 0;
    for (int m = n; m > 0; m >>= 1) { ++sq; bits += m & 1; }
    return (sq - 1) + (bits - 1) + 1;
}
struct Group {
    int type = 0, e1 = -1, e2 = -1;
    double rc = 0;
    std::vector<const hdnnp::SymFnSpec*> members;
    std::vector<std::pair<double, double>> q;  // distinct (eta, rs)
};
}  // namespace detail

/// FLOPs of one energy + forces evaluation of structure s (neighbour list nl built with the model's cutoff).
inline FlopModel count_flops(const hdnnp::Model& model, const hdnnp::Structure& s, const hdnnp::NeighborList& nl) {
    using namespace detail;
    FlopModel f;
    std::vector<std::vector<Group>> groups(model.elements.size());
    for (std::size_t e = 0; e < model.elements.size(); ++e) {
        for (const auto& sf : model.elements[e].descriptors.specs()) {
            if (sf.is_compact()) { f.covered = false; continue; }
            const bool ang = sf.is_angular();
            auto& gs = groups[e];
            auto it = std::find_if(gs.begin(), gs.end(), [&](const Group& g) {
                return g.type == sf.type && g.e1 == sf.e1 && g.e2 == (ang ? sf.e2 : -1) && g.rc == sf.rc;
            });
            if (it == gs.end()) {
                gs.push_back(Group{sf.type, sf.e1, ang ? sf.e2 : -1, sf.rc, {}, {}});
                it = gs.end() - 1;
            }
            it->members.push_back(&sf);
            if (std::find(it->q.begin(), it->q.end(), std::make_pair(sf.eta, sf.rs)) == it->q.end()) it->q.emplace_back(sf.eta, sf.rs);
        }
    }
    const std::vector<int> el = model.element_indices(s);
    std::vector<double> z;
    for (const auto& e : model.elements) z.push_back(e.atomic_number);
    hdnnp::Neighborhood nb;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const std::size_t e = static_cast<std::size_t>(el[i]);
        nb.gather(nl, i, el, z, model.cutoff_radius());
        const std::size_t n = nb.size();
        for (const Group& g : groups[e]) {
            const double m = static_cast<double>(g.members.size()), nq = static_cast<double>(g.q.size());
            auto in = [&](std::size_t k, int elem) {
                return nb.r[k] < g.rc && (elem < 0 || nb.begin[static_cast<std::size_t>(elem)] <= k) &&
                       (elem < 0 || k < nb.begin[static_cast<std::size_t>(elem) + 1]);
            };
            if (g.type == 2 || g.type == 12) {
                double cnt = 0;
                for (std::size_t k = 0; k < n; ++k) cnt += in(k, g.type == 2 ? g.e1 : -1);
                // values: cutoff + per member (x, eta x^2, exp, fma); gradient: cutoff + per member
                // (x, exp, dfc - 2 eta x fc, fma) + 1/r + three FMAs into g
                f.radial += cnt * (kCutoff + m * (3 + kExp + 2) + kCutoff + m * (3 + kExp + 6) + 7);
                continue;
            }
            const bool narrow = g.type != 9;
            double zeta_v = 0, zeta_g = 0;  // member work per triplet (values, gradient)
            for (const auto* sf : g.members) {
                const int iz = static_cast<int>(sf->zeta);
                zeta_v += 2 + ipow_flops(iz) + 2;
                zeta_g += 2 + ipow_flops(iz - 1) + 5;
            }
            // narrow r_jk Gaussians: one exp per distinct (eta, rs) (integer multiples share it)
            double gjk = 0;
            for (std::size_t a = 0; a < g.q.size(); ++a) {
                int pow = 1;
                for (std::size_t b = 0; b < g.q.size(); ++b) {
                    if (b == a || g.q[b].second != g.q[a].second || !(g.q[b].first < g.q[a].first)) continue;
                    const double r = std::round(g.q[a].first / g.q[b].first);
                    if (r >= 2 && r <= 32 && std::abs(g.q[a].first - r * g.q[b].first) <= 1e-13 * g.q[a].first) pow = static_cast<int>(r);
                }
                gjk += pow > 1 ? ipow_flops(pow) : 3 + kExp;
            }
            double pairs = 0, live = 0;
            for (std::size_t j = 0; j < n; ++j) {
                if (!in(j, g.type == 13 ? -1 : g.e1)) continue;
                const bool same = g.type == 13 || g.e1 == g.e2;
                for (std::size_t k = same ? j + 1 : 0; k < n; ++k) {
                    if (!in(k, g.type == 13 ? -1 : g.e2)) continue;
                    pairs += 1;
                    const double ax = nb.dx[k] - nb.dx[j], ay = nb.dy[k] - nb.dy[j], az = nb.dz[k] - nb.dz[j];
                    if (!narrow || ax * ax + ay * ay + az * az < g.rc * g.rc) live += 1;
                }
            }
            if (narrow) {
                // compaction: r_jk^2 (8), Gaussian products of the shared-exponential bases (one per group
                // here at most nq)
                f.angular_pairs += pairs * (8 + nq);
                // live triplet: r_jk (9), cos (7), cutoff, Gaussians; values: fprod, E_q, members; gradient:
                // members, per-q sums (12 each), assembly of the six force components (67), sum into j (3)
                f.angular_triplets += live * (9 + 7 + kCutoff + gjk + nq + 2 + nq + zeta_v + zeta_g + 12 * nq + 70);
            } else {
                // values: cos, Gaussian products, members; gradient: members, per-q sums (9), assembly (40)
                f.angular_triplets += pairs * (7 + 2 * nq + zeta_v + zeta_g + 9 * nq + 40);
            }
        }
        // networks: forward 2 n_in n_out + activation (tanh ~ exp + 4) per node; backward 2 n_in n_out + 2 per node
        for (const auto& L : model.elements[e].network.layers())
            f.networks += 4.0 * static_cast<double>(L.n_in * L.n_out) + static_cast<double>(L.n_out) * (kExp + 6);
    }
    return f;
}

/// Measured double-precision FLOP rate of one core [FLOP/s]: independent vector FMA chains.
inline double measure_peak_flops(double seconds = 0.3) {
    using V = hdnnp::simd::Batch;
    constexpr int kChains = 12;
    V acc[kChains];
    for (int c = 0; c < kChains; ++c) acc[c] = V(1.0 + 1e-3 * c);
    const V a(0.999999), b(1e-7);
    double best = 0.0;
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < seconds) {
        const long n = 2000000;
        const auto t0 = std::chrono::steady_clock::now();
        for (long it = 0; it < n; ++it)
            for (int c = 0; c < kChains; ++c) acc[c] = xsimd::fma(acc[c], a, b);
        asm volatile("" : : "r"(acc) : "memory");  // the chains are done before the clock is read
        const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        best = std::max(best, 2.0 * double(V::size) * kChains * double(n) / t);
    }
    return best;
}

}  // namespace bench
