// hdnnp: raw symmetry functions (and their derivatives) of whole structures, for fitting.
//
//   StructureDescriptors d = training::compute_descriptors(model, structure, /*derivatives=*/true);
//   d.G[i][s]                         raw value of function s of atom i (network-input order)
//   d.neighbor_atom[i][n]             real atom of neighbour image n of atom i (within the model cutoff)
//   d.dG[i][(s * nn + n) * 3 + a]     dG_s / d(d_n)_a, d_n = R_j + n.L - R_i (nn = number of neighbours)
//
// Since d_n = R_j - R_i, the derivative of G_i with respect to the position of atom j is
// dG_i/dR_j = sum over the images n of j of dG/dd_n, minus, for j = i, the sum over all n. Units: G as the
// functions define them, dG [1/length] times that. Uses the same neighbourhoods and kernels as Potential,
// so the values are those Potential::compute sees.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "hdnnp/core/error.hpp"
#include "hdnnp/potential/model.hpp"
#include "hdnnp/core/structure.hpp"
#include "hdnnp/descriptors/descriptor_set.hpp"
#include "hdnnp/descriptors/neighborhood.hpp"
#include "hdnnp/neighbors/neighbor_list.hpp"

namespace hdnnp::training {

/// Model element index of every atom (shape (N)); throws StructureError for an element the model lacks.
inline std::vector<int> element_indices(const Model& model, const Structure& s) {
    std::vector<int> el(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        el[i] = model.element_index(s.symbols[i]);
        if (el[i] < 0)
            throw StructureError("atom " + std::to_string(i + 1) + " has element '" + s.symbols[i] +
                                 "', which the model does not know");
    }
    return el;
}

/// Raw symmetry functions of one structure, optionally with their derivatives (see the file comment).
struct StructureDescriptors {
    std::vector<int> element;                               ///< shape (N): model element index
    std::vector<std::vector<double>> G;                     ///< shape (N, n_functions of the element)
    std::vector<std::vector<std::uint32_t>> neighbor_atom;  ///< shape (N, n_neighbours); derivatives only
    std::vector<std::vector<double>> dG;                    ///< shape (N, n_functions * n_neighbours * 3)
};

/// Symmetry functions of every atom of `s` under `model` (only descriptors and cutoff are used: the
/// scaling and networks may be placeholders). Throws StructureError for invalid structures.
inline StructureDescriptors compute_descriptors(const Model& model, const Structure& s, bool derivatives) {
    validate(s);
    StructureDescriptors out;
    out.element = element_indices(model, s);
    const std::size_t n = s.size();
    out.G.resize(n);
    if (derivatives) {
        out.neighbor_atom.resize(n);
        out.dG.resize(n);
    }
    std::vector<double> zs;
    for (const auto& e : model.elements) zs.push_back(static_cast<double>(e.atomic_number));
    const double rc = model.cutoff_radius();
    const NeighborList nl = build_neighbor_list(s, rc);
    // dG/dd: gradient passes with unit weight vectors, K functions per pass (the committee form shares the
    // triplet work between them). Each pass runs on a descriptor set of only those K consecutive functions
    // (a chunk, in network-input order), so the angular groups of the other functions are not evaluated
    // with zero weights; the chunk's values() caches the triplet geometry its gradient() reuses.
    constexpr int K = 8;
    std::vector<std::vector<ElementDescriptors>> chunks(model.elements.size());
    if (derivatives)
        for (std::size_t e = 0; e < model.elements.size(); ++e) {
            const std::vector<SymFnSpec>& specs = model.elements[e].descriptors.specs();
            for (std::size_t f0 = 0; f0 < specs.size(); f0 += K)
                chunks[e].emplace_back(std::vector<SymFnSpec>(specs.begin() + static_cast<long>(f0),
                                                              specs.begin() + static_cast<long>(std::min(specs.size(), f0 + K))),
                                       model.cutoff_alpha);
        }
    std::visit(
        [&](auto cutoff) {
            using Cutoff = decltype(cutoff);
            Neighborhood nb;
            DescriptorScratch scratch, chunk_scratch;
            chunk_scratch.cache_pairs = true;
            std::vector<double> w(static_cast<std::size_t>(K + 1) * K, 0.0), Gc(K);
            for (int c = 0; c < K; ++c) w[static_cast<std::size_t>(c) * K + static_cast<std::size_t>(c)] = 1.0;
            const double* zero = w.data() + static_cast<std::size_t>(K) * K;  // the (K+1)-th row: zeros
            NeighborGradient grads[K];
            const double* wp[K];
            for (std::size_t i = 0; i < n; ++i) {
                const std::size_t el = static_cast<std::size_t>(out.element[i]);
                const ElementDescriptors& d = model.elements[el].descriptors;
                const std::size_t ns = d.size();
                nb.gather(nl, i, out.element, zs, rc);
                out.G[i].resize(ns);
                d.template values<Cutoff>(nb, out.G[i].data(), scratch);
                if (!derivatives) continue;
                const std::size_t nn = nb.size();
                out.neighbor_atom[i].assign(nb.atom.begin(), nb.atom.begin() + static_cast<long>(nn));
                std::vector<double>& J = out.dG[i];
                J.assign(ns * nn * 3, 0.0);
                for (std::size_t q = 0; q < chunks[el].size(); ++q) {
                    const ElementDescriptors& dc = chunks[el][q];
                    const std::size_t f0 = q * K, m = dc.size();
                    std::fill(Gc.begin(), Gc.end(), 0.0);
                    dc.template values<Cutoff>(nb, Gc.data(), chunk_scratch);
                    for (int c = 0; c < K; ++c) {
                        wp[c] = static_cast<std::size_t>(c) < m ? w.data() + static_cast<std::size_t>(c) * K : zero;
                        grads[c].reset(nn);
                    }
                    dc.template gradient<Cutoff, AllFamilies, double, K>(nb, wp, grads, chunk_scratch);
                    for (std::size_t c = 0; c < m; ++c) {
                        const NeighborGradient& g = grads[c];
                        double* row = J.data() + (f0 + c) * nn * 3;
                        for (std::size_t k = 0; k < nn; ++k) {
                            row[3 * k] = g.gx[k];
                            row[3 * k + 1] = g.gy[k];
                            row[3 * k + 2] = g.gz[k];
                        }
                    }
                }
            }
        },
        model.cutoff);
    return out;
}

}  // namespace hdnnp::training
