// hdnnp: exact Hessians H = d2E/dR dR of a 2G HDNNP, as a sparse list of 3x3 atom blocks.
//
//   H_AB[a][b] = d2E / dR_A,a dR_B,b      [energy/length^2 in the model's units (those of its training data)]
//
// E = sum_i E_i(G_i) and G_i depends on the neighbour vectors d_n = R_j(n) + n.L - R_i of centre i, so with
// y = (d_1, ..., d_n) (3n components)
//   d2E_i/dy dy = J^T M J + sum_s w_s d2G_s/dy dy,
//   J = dG_i/dy,  w_s = dE_i/dG_s = NN'(x)_s f_s / conv_energy,  M_st = NN''(x)_st f_s f_t / conv_energy
// (x = smin + f (G - shift) the scaled inputs, NN'' the network's input Hessian, networks/hessian.hpp; J and the
// weighted second derivatives from descriptors/second_derivatives.hpp), and with dd_n/dR_A = delta(A, j(n)) -
// delta(A, i) the centre's contribution to block (A, B) is
//   sum_{n,m} [delta(A,j(n)) - delta(A,i)] [delta(B,j(m)) - delta(B,i)] (d2E_i/dd_n dd_m).
// Periodic images of one atom add up in its block. Every centre is evaluated once; a block (A, B) is
// structurally non-zero only if A and B lie within rc of a common centre, so |R_A - R_B| < 2 rc (images).
//
// API: hessian(potential, structure, rows) with rows = {} for the full Hessian, or the (0-based) atoms whose
// block rows are wanted (then only the centres within rc of those atoms are evaluated). The result lists every
// structurally non-zero block (A, B) with A in rows, sorted by (A, B); both (A, B) and (B, A) are listed.
// 3G and 4G models: not implemented here (Error).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "hdnnp/core/error.hpp"
#include "hdnnp/core/structure.hpp"
#include "hdnnp/core/threads.hpp"
#include "hdnnp/core/vec3.hpp"
#include "hdnnp/descriptors/second_derivatives.hpp"
#include "hdnnp/neighbors/neighbor_list.hpp"
#include "hdnnp/networks/hessian.hpp"
#include "hdnnp/potential/model.hpp"

namespace hdnnp {

/// One 3x3 block of the Hessian: h[a][b] = d2E/dR_A,a dR_B,b (A = row atom, B = column atom, 0-based).
struct HessianBlock {
    std::size_t a = 0, b = 0;
    Mat3 h{};
};

/// Sparse Hessian: the structurally non-zero blocks of the requested rows, sorted by (a, b).
struct Hessian {
    std::size_t n_atoms = 0;
    std::vector<std::size_t> rows;     ///< row atoms (sorted); all atoms for the full Hessian
    std::vector<HessianBlock> blocks;  ///< sorted by (a, b)

    /// The block (a, b), or zeros if it is not stored.
    Mat3 block(std::size_t a, std::size_t b) const {
        auto it = std::lower_bound(blocks.begin(), blocks.end(), std::make_pair(a, b), [](const HessianBlock& x, const std::pair<std::size_t, std::size_t>& k) {
            return x.a < k.first || (x.a == k.first && x.b < k.second);
        });
        if (it != blocks.end() && it->a == a && it->b == b) return it->h;
        return Mat3{};
    }
};

namespace detail {

/// Sparse block rows: per row atom, sorted columns and their blocks.
struct BlockRows {
    std::vector<std::size_t> row_of;           ///< atom -> row slot (or npos)
    std::vector<std::vector<std::uint32_t>> cols;
    std::vector<std::vector<Mat3>> blocks;
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    Mat3* find(std::size_t a, std::uint32_t b) {
        const std::size_t r = row_of[a];
        if (r == npos) return nullptr;
        const auto& c = cols[r];
        auto it = std::lower_bound(c.begin(), c.end(), b);
        return &blocks[r][static_cast<std::size_t>(it - c.begin())];
    }
};

template <class Cutoff>
Hessian hessian_2g(const Model& model, const Structure& s, const std::vector<std::size_t>& rows_in) {
    const std::size_t N = s.size();
    const std::vector<int> el = model.element_indices(s);
    std::vector<double> zs;
    for (const auto& e : model.elements) zs.push_back(static_cast<double>(e.atomic_number));
    const double rc = model.cutoff_radius();
    const NeighborList nl = build_neighbor_list(s, rc);
    const double alpha = cutoff_uses_alpha(model.cutoff_type) ? model.cutoff_alpha : 0.0;

    Hessian out;
    out.n_atoms = N;
    if (rows_in.empty()) {
        out.rows.resize(N);
        for (std::size_t i = 0; i < N; ++i) out.rows[i] = i;
    } else {
        out.rows = rows_in;
        std::sort(out.rows.begin(), out.rows.end());
        out.rows.erase(std::unique(out.rows.begin(), out.rows.end()), out.rows.end());
        for (std::size_t a : out.rows)
            if (a >= N) throw Error("hessian: row atom " + std::to_string(a + 1) + " out of range (structure has " + std::to_string(N) + " atoms)");
    }
    // unique neighbour atoms within rc (any image), the atom itself excluded unless it is its own image
    std::vector<std::vector<std::uint32_t>> nbr(N);
    for (std::size_t i = 0; i < N; ++i) {
        for (std::size_t p = nl.offset[i]; p < nl.offset[i + 1]; ++p) nbr[i].push_back(nl.index[p]);
        std::sort(nbr[i].begin(), nbr[i].end());
        nbr[i].erase(std::unique(nbr[i].begin(), nbr[i].end()), nbr[i].end());
    }
    // block structure of the requested rows, and the centres that contribute to them
    detail::BlockRows br;
    br.row_of.assign(N, BlockRows::npos);
    br.cols.resize(out.rows.size());
    std::vector<char> centre(N, 0), mark(N, 0);
    for (std::size_t r = 0; r < out.rows.size(); ++r) {
        const std::size_t a = out.rows[r];
        br.row_of[a] = r;
        std::vector<std::uint32_t>& c = br.cols[r];
        auto visit = [&](std::size_t i) {
            centre[i] = 1;
            if (!mark[i]) { mark[i] = 1; c.push_back(static_cast<std::uint32_t>(i)); }
            for (std::uint32_t j : nbr[i])
                if (!mark[j]) { mark[j] = 1; c.push_back(j); }
        };
        visit(a);
        for (std::uint32_t i : nbr[a]) visit(i);
        for (std::uint32_t j : c) mark[j] = 0;
        std::sort(c.begin(), c.end());
    }
    std::vector<std::size_t> centres;
    for (std::size_t i = 0; i < N; ++i)
        if (centre[i]) centres.push_back(i);

    std::vector<SecondDerivatives> sd;
    for (const auto& e : model.elements) sd.emplace_back(e.descriptors.specs(), alpha);

    const int nt = threads::for_size(centres.size(), threads::kMinAtoms);
    std::vector<detail::BlockRows> acc(static_cast<std::size_t>(nt), br);
    for (auto& a : acc)
        for (std::size_t r = 0; r < a.cols.size(); ++r) a.blocks.emplace_back(a.cols[r].size(), Mat3{});
    const double inv_conv = 1.0 / model.conv_energy;

    struct State {
        int t = 0;
        Neighborhood nb;
        std::vector<double> G, x, grad, hnn, w, M, J, MJ, Hd, K;
        std::vector<std::uint32_t> slot_atom;
        std::vector<std::size_t> slot;
        NetworkHessianWorkspace nws;
        DescriptorScratch scratch;
    };
    threads::for_each(
        centres.size(), threads::kMinAtoms, [&](int t) { State st; st.t = t; return st; },
        [&](State& st, std::size_t ci) {
            const std::size_t i = centres[ci];
            const std::size_t e = static_cast<std::size_t>(el[i]);
            const ElementModel& em = model.elements[e];
            const std::size_t ns = em.descriptors.size();
            st.nb.gather(nl, i, el, zs, rc);
            const Neighborhood& nb = st.nb;
            const std::size_t nn = nb.size(), cols = 3 * nn;
            // raw values with the force kernels (scalar path), then the network's derivatives
            st.G.assign(ns, 0.0);
            em.descriptors.template values<Cutoff, AllFamilies, double>(nb, st.G.data(), st.scratch);
            st.w.assign(ns, 0.0);
            st.Hd.assign(cols * cols, 0.0);
            st.x.resize(ns);
            em.scaling.apply(st.G.data(), st.x.data());
            network_hessian(em.network, st.x.data(), st.grad, st.hnn, st.nws);
            for (std::size_t a = 0; a < ns; ++a) st.w[a] = st.grad[a] * em.scaling.factor[a] * inv_conv;
            st.M.resize(ns * ns);
            for (std::size_t a = 0; a < ns; ++a)
                for (std::size_t b = 0; b < ns; ++b)
                    st.M[a * ns + b] = st.hnn[a * ns + b] * em.scaling.factor[a] * em.scaling.factor[b] * inv_conv;
            sd[e].template evaluate<Cutoff>(nb, st.w.data(), st.G.data(), st.J, st.Hd);
            // Hd += J^T M J
            st.MJ.assign(ns * cols, 0.0);
            for (std::size_t a = 0; a < ns; ++a)
                for (std::size_t b = 0; b < ns; ++b) {
                    const double m = st.M[a * ns + b];
                    if (m == 0.0) continue;
                    const double* Jb = &st.J[b * cols];
                    double* dst = &st.MJ[a * cols];
                    for (std::size_t p = 0; p < cols; ++p) dst[p] += m * Jb[p];
                }
            for (std::size_t a = 0; a < ns; ++a) {
                const double* Ja = &st.J[a * cols];
                const double* MJa = &st.MJ[a * cols];
                for (std::size_t p = 0; p < cols; ++p) {
                    const double jp = Ja[p];
                    if (jp == 0.0) continue;
                    double* row = &st.Hd[p * cols];
                    for (std::size_t q = 0; q < cols; ++q) row[q] += jp * MJa[q];
                }
            }
            // local atom slots: 0 = the centre, then the distinct neighbour atoms
            st.slot_atom.assign(1, static_cast<std::uint32_t>(i));
            st.slot.resize(nn);
            for (std::size_t n = 0; n < nn; ++n) {
                const std::uint32_t a = nb.atom[n];
                std::size_t k = 0;
                while (k < st.slot_atom.size() && st.slot_atom[k] != a) ++k;
                if (k == st.slot_atom.size()) st.slot_atom.push_back(a);
                st.slot[n] = k;
            }
            const std::size_t S = st.slot_atom.size();
            st.K.assign(S * S * 9, 0.0);
            auto K = [&](std::size_t A, std::size_t B, int p, int q) -> double& {
                return st.K[(A * S + B) * 9 + static_cast<std::size_t>(p * 3 + q)];
            };
            for (std::size_t n = 0; n < nn; ++n)
                for (std::size_t m = 0; m < nn; ++m) {
                    const std::size_t A = st.slot[n], B = st.slot[m];
                    for (int p = 0; p < 3; ++p)
                        for (int q = 0; q < 3; ++q) {
                            const double h = st.Hd[(3 * n + static_cast<std::size_t>(p)) * cols + 3 * m + static_cast<std::size_t>(q)];
                            K(A, B, p, q) += h;
                            K(0, B, p, q) -= h;
                            K(A, 0, p, q) -= h;
                            K(0, 0, p, q) += h;
                        }
                }
            detail::BlockRows& dst = acc[static_cast<std::size_t>(st.t)];
            for (std::size_t A = 0; A < S; ++A) {
                if (dst.row_of[st.slot_atom[A]] == BlockRows::npos) continue;
                for (std::size_t B = 0; B < S; ++B) {
                    Mat3* blk = dst.find(st.slot_atom[A], st.slot_atom[B]);
                    for (int p = 0; p < 3; ++p)
                        for (int q = 0; q < 3; ++q) (*blk)[static_cast<std::size_t>(p)][static_cast<std::size_t>(q)] += K(A, B, p, q);
                }
            }
        });
    for (std::size_t r = 0; r < out.rows.size(); ++r) {
        for (std::size_t c = 0; c < br.cols[r].size(); ++c) {
            HessianBlock b;
            b.a = out.rows[r];
            b.b = br.cols[r][c];
            for (const auto& a : acc) b.h += a.blocks[r][c];
            out.blocks.push_back(b);
        }
    }
    return out;
}

}  // namespace detail

/// Exact Hessian of a 2G model (see the file comment): rows = {} for all atoms, else the block rows of the
/// given 0-based atoms. Units: energy/length^2 of the model.
inline Hessian hessian(const Model& model, const Structure& s, const std::vector<std::size_t>& rows = {}) {
    if (model.generation != Generation::second)
        throw Error("hessian: only 2G models are implemented (model in " + model.directory + " is generation " +
                    std::to_string(static_cast<int>(model.generation)) + ")");
    return std::visit([&](auto c) { return detail::hessian_2g<decltype(c)>(model, s, rows); }, model.cutoff);
}

/// The same for any Potential (runtime-loaded or compiled networks: the model's weights are used).
template <class P, class = decltype(std::declval<const P&>().model())>
Hessian hessian(const P& potential, const Structure& s, const std::vector<std::size_t>& rows = {}) {
    return hessian(potential.model(), s, rows);
}

}  // namespace hdnnp
