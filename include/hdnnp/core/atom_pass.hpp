// hdnnp: pieces of the per-atom evaluation shared by the 2G and 4G potentials: recording extrapolation
// warnings per thread and merging them, and turning the per-neighbour gradient g_n = dE/dd_n of one atom
// into forces (F_i += g_n, F_j -= g_n) and the virial (W -= d_n g_n^T).
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "hdnnp/core/model.hpp"
#include "hdnnp/core/result.hpp"
#include "hdnnp/core/vec3.hpp"
#include "hdnnp/descriptors/neighborhood.hpp"

namespace hdnnp::detail {

/// Extrapolation warnings found by one thread: all are counted, the first max_records are kept.
struct ExtrapolationLog {
    std::size_t count = 0;
    std::vector<ExtrapolationWarning> records;

    /// Checks the raw functions G (shape (n_functions of em)) of atom `atom` against scaling.data.
    void check(const ElementModel& em, std::size_t atom, const double* G, std::size_t max_records) {
        for (std::size_t k = 0; k < em.descriptors.size(); ++k)
            if (em.scaling.extrapolates(k, G[k])) {
                ++count;
                if (records.size() < max_records)
                    records.push_back({atom, em.symbol, k + 1, em.descriptors.specs()[k].type, G[k], em.scaling.gmin[k],
                                       em.scaling.gmax[k]});
            }
    }
};

/// Adds the threads' logs to the result: the total count, and the first max_records warnings in
/// (atom, function) order, whatever the thread count.
inline void merge_extrapolations(const std::vector<ExtrapolationLog>& logs, std::size_t max_records, Result& res) {
    for (const auto& l : logs) {
        res.extrapolation_count += l.count;
        res.extrapolations.insert(res.extrapolations.end(), l.records.begin(), l.records.end());
    }
    std::sort(res.extrapolations.begin(), res.extrapolations.end(), [](const ExtrapolationWarning& a, const ExtrapolationWarning& b) {
        return a.atom != b.atom ? a.atom < b.atom : a.function < b.function;
    });
    if (res.extrapolations.size() > max_records) res.extrapolations.resize(max_records);
}

/// Scatters atom i's per-neighbour gradient into forces F (shape (N, 3)) and the virial W.
inline void scatter_gradient(std::size_t i, const Neighborhood& nb, const NeighborGradient& g, std::vector<Vec3>& F, Mat3& W) {
    Vec3 fi{0, 0, 0};
    for (std::size_t k = 0; k < nb.size(); ++k) {
        const double gx = g.gx[k], gy = g.gy[k], gz = g.gz[k];
        fi[0] += gx; fi[1] += gy; fi[2] += gz;
        Vec3& fj = F[nb.atom[k]];
        fj[0] -= gx; fj[1] -= gy; fj[2] -= gz;
        const double d[3] = {nb.dx[k], nb.dy[k], nb.dz[k]};
        for (int a = 0; a < 3; ++a) {
            W[a][0] -= d[a] * gx;
            W[a][1] -= d[a] * gy;
            W[a][2] -= d[a] * gz;
        }
    }
    F[i] += fi;
}

}  // namespace hdnnp::detail
