// Test support: a periodic structure as LAMMPS hands it to a pair style: the N atoms of the cell as local
// atoms, their periodic images within the cutoff (plus a skin) as ghost atoms, and a full neighbour list of
// every local atom over local and ghost atoms (LAMMPS's inum / ilist / numneigh / firstneigh), with a skin:
// entries up to cutoff + skin, as a Verlet list has. Ghost g is the image of local atom owner[g] shifted by
// a lattice vector. The ilist order is reversed, so that centres need not come in atom order.
#pragma once

#include <cmath>
#include <map>
#include <tuple>
#include <vector>

#include "hdnnp/core/structure.hpp"
#include "hdnnp/neighbors/neighbor_list.hpp"
#include "hdnnp/neighbors/sources.hpp"

namespace hdnnp::test {

struct GhostFrame {
    std::size_t n_local = 0;
    std::vector<double> x;              ///< shape (n_all, 3)
    std::vector<int> element;           ///< shape (n_all)
    std::vector<std::size_t> owner;     ///< shape (n_all): the local atom each atom is (an image of)
    std::vector<int> ilist, numneigh;   ///< shapes (n_local), (n_all)
    std::vector<std::vector<int>> neigh;
    std::vector<const int*> firstneigh; ///< shape (n_all)

    std::size_t n_all() const { return owner.size(); }
    FullNeighborList list() const { return FullNeighborList{n_local, ilist.data(), numneigh.data(), firstneigh.data()}; }
};

/// Builds the frame of a periodic structure s (element: model element index per atom).
inline GhostFrame make_ghost_frame(const Structure& s, const std::vector<int>& element, double cutoff, double skin) {
    GhostFrame g;
    const std::size_t n = s.size();
    g.n_local = n;
    for (std::size_t i = 0; i < n; ++i) {
        for (int a = 0; a < 3; ++a) g.x.push_back(s.positions[i][a]);
        g.element.push_back(element[i]);
        g.owner.push_back(i);
    }
    const NeighborList nl = build_neighbor_list(s, cutoff + skin);
    const Mat3 rec = reciprocal_rows(s.lattice);
    std::map<std::tuple<std::size_t, long, long, long>, int> ghost_of;
    g.neigh.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t k = nl.offset[i]; k < nl.offset[i + 1]; ++k) {
            const std::size_t j = nl.index[k];
            const Vec3 p = s.positions[i] + nl.d[k];
            const Vec3 t = p - s.positions[j];
            const long h[3] = {std::lround(dot(rec[0], t)), std::lround(dot(rec[1], t)), std::lround(dot(rec[2], t))};
            int idx;
            if (h[0] == 0 && h[1] == 0 && h[2] == 0) {
                idx = static_cast<int>(j);
            } else {
                auto key = std::make_tuple(j, h[0], h[1], h[2]);
                auto it = ghost_of.find(key);
                if (it == ghost_of.end()) {
                    idx = static_cast<int>(g.owner.size());
                    ghost_of.emplace(key, idx);
                    for (int a = 0; a < 3; ++a) g.x.push_back(p[a]);
                    g.element.push_back(element[j]);
                    g.owner.push_back(j);
                } else {
                    idx = it->second;
                }
            }
            g.neigh[i].push_back(idx);
        }
    }
    g.numneigh.assign(g.n_all(), 0);
    g.neigh.resize(g.n_all());
    g.firstneigh.resize(g.n_all());
    for (std::size_t i = 0; i < g.n_all(); ++i) {
        g.numneigh[i] = static_cast<int>(g.neigh[i].size());
        g.firstneigh[i] = g.neigh[i].data();
    }
    for (std::size_t i = n; i-- > 0;) g.ilist.push_back(static_cast<int>(i));
    return g;
}

}  // namespace hdnnp::test
