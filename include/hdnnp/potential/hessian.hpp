// hdnnp: exact Hessians H = d2E/dR dR of 2G, 3G and 4G HDNNPs, as lists of 3x3 atom blocks.
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
// 4G (charges from charge equilibration, potential/charges.hpp): E(R) = E~(R, Q(R)) with
//   E~ = sum_i S_i(x_i, Q_i) + E_elec(R, Q),  S_i = NN_short(x_i, Q_i conv_charge) / conv_energy,
//   Q from [A 1; 1^T 0] [Q; lambda] = [-chi; Q_tot],  A = C(R) + diag(hardness),  chi_i = NN_chi(x_i) conv_charge/conv_energy.
// With the adjoint y of the force calculation ([A 1; 1^T 0][y; mu] = [-dE~/dQ; 0]) and the Lagrangian
// L = E~ + y^T (A Q + chi), the exact second-order adjoint result is
//   H = L_RR + L_RQ Z + Z^T L_QR + Z^T E~_QQ Z,     Z = dQ/dR from [A 1; 1^T 0] [Z; dlambda] = -[d(A Q + chi)/dR; 0]
// (3N right-hand sides, one LU factorisation of the bordered matrix). L_RR holds per centre the local Hessian of
// S_i + y_i chi_i (the 2G machinery with these weights) and the pair Hessians of 1/2 Q^T C Q + E_screen + y^T C Q;
// L_RQ the local d2S_i/dR dQ_i and the pair gradients of (C Q + S Q + C y); E~_QQ = C + S - diag(self) +
// diag(d2S_i/dQ_i^2) (S: screening). Pair kernels (erf for clusters; Ewald real space erfc and the reciprocal
// sum a_k cos(k.d) for cells; the screening function) get their second derivatives here. The Hessian is dense
// (3N x 3N doubles are formed; cost O(N^3) and O(N^2 n_k)).
// 3G (charge networks, potential/charges.hpp): Q = P q(R), q_i = NN_q(x_i)/conv_charge, P the total-charge scheme
// (uniform: I - 1 1^T/N; none: I). The same formula with y = 0, Z = P dq/dR (no linear solve), E~_QQ = C + S -
// diag(self), and the local terms S_i + (P^T dE_elec/dQ)_i q_i.
//
// API: hessian(potential, structure, rows) with rows = {} for the full Hessian, or the (0-based) atoms whose
// block rows are wanted (2G: only the centres within rc of those atoms are evaluated). The result lists every
// structurally non-zero block (A, B) with A in rows, sorted by (A, B) (4G: every B); both (A, B) and (B, A)
// are listed when both atoms are rows.
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
#include "hdnnp/potential/potential.hpp"
#include "hdnnp/electrostatics/coulomb.hpp"
#include "hdnnp/electrostatics/ewald.hpp"
#include "hdnnp/electrostatics/screening.hpp"
#include "hdnnp/core/result.hpp"

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

/// Solves B X = rhs in place for nrhs right-hand sides (rhs[c * m + row], column by column); B (m x m,
/// row-major) is overwritten by its LU factors (Gaussian elimination with partial pivoting).
inline void lu_solve(std::vector<double>& B, std::size_t m, std::vector<double>& rhs, std::size_t nrhs) {
    std::vector<std::size_t> piv(m);
    for (std::size_t k = 0; k < m; ++k) {
        std::size_t p = k;
        for (std::size_t i = k + 1; i < m; ++i)
            if (std::abs(B[i * m + k]) > std::abs(B[p * m + k])) p = i;
        if (B[p * m + k] == 0.0) throw Error("hessian: singular charge-equilibration matrix");
        piv[k] = p;
        if (p != k)
            for (std::size_t j = 0; j < m; ++j) std::swap(B[k * m + j], B[p * m + j]);
        const double inv = 1.0 / B[k * m + k];
        for (std::size_t i = k + 1; i < m; ++i) {
            const double l = B[i * m + k] * inv;
            B[i * m + k] = l;
            if (l == 0.0) continue;
            for (std::size_t j = k + 1; j < m; ++j) B[i * m + j] -= l * B[k * m + j];
        }
    }
    for (std::size_t c = 0; c < nrhs; ++c) {
        double* x = &rhs[c * m];
        for (std::size_t k = 0; k < m; ++k)
            if (piv[k] != k) std::swap(x[k], x[piv[k]]);
        for (std::size_t i = 1; i < m; ++i) {
            double acc = x[i];
            for (std::size_t j = 0; j < i; ++j) acc -= B[i * m + j] * x[j];
            x[i] = acc;
        }
        for (std::size_t i = m; i-- > 0;) {
            double acc = x[i];
            for (std::size_t j = i + 1; j < m; ++j) acc -= B[i * m + j] * x[j];
            x[i] = acc / B[i * m + i];
        }
    }
}

/// The screening function f_s(r) with f_s' and f_s'' (electrostatics/screening.hpp).
inline void screening_eval2(const ScreeningFunction& fs, double r, double& f, double& df, double& d2f) {
    df = d2f = 0.0;
    if (r >= fs.outer) { f = 1.0; return; }
    if (r <= fs.inner) { f = 0.0; return; }
    const double scale = 1.0 / (fs.outer - fs.inner), x = (r - fs.inner) * scale;
    double c, dc, d2c;
    switch (fs.core) {
        case ScreeningCore::cosine:
            c = 0.5 * (std::cos(M_PI * x) + 1.0);
            dc = -0.5 * M_PI * std::sin(M_PI * x);
            d2c = -0.5 * M_PI * M_PI * std::cos(M_PI * x);
            break;
        case ScreeningCore::poly1: core_eval2(1, x, c, dc, d2c); break;
        case ScreeningCore::poly2: core_eval2(2, x, c, dc, d2c); break;
        case ScreeningCore::poly3: core_eval2(3, x, c, dc, d2c); break;
        case ScreeningCore::poly4: core_eval2(4, x, c, dc, d2c); break;
        default: core_eval2(0, x, c, dc, d2c); break;
    }
    f = 1.0 - c;
    df = -dc * scale;
    d2f = -d2c * scale * scale;
}

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

/// Per-thread work of one centre: its neighbourhood, G, J = dG/dy, the local Hessian Hd (3n x 3n) and
/// its collapse K onto the distinct atoms of the neighbourhood (slot 0 = the centre).
struct CentreWork {
    int t = 0;
    Neighborhood nb;
    DescriptorScratch scratch;
    std::vector<double> G, x, w, M, J, MJ, Hd, K;
    std::vector<std::uint32_t> slot_atom;
    std::vector<std::size_t> slot;
    NetworkHessianWorkspace nws, nws2;
    std::vector<double> grad, hnn, grad2, hnn2, xin;

    std::size_t slots() const { return slot_atom.size(); }
    double& k(std::size_t A, std::size_t B, int p, int q) {
        return K[(A * slots() + B) * 9 + static_cast<std::size_t>(p * 3 + q)];
    }
    /// v = J^T u (u: shape (n_functions)) collapsed onto the slots: out[3 slot + a] (shape (3 slots)).
    void collapse_vector(const double* u, std::size_t ns, std::vector<double>& out) const {
        const std::size_t nn = nb.size(), cols = 3 * nn;
        out.assign(3 * slot_atom.size(), 0.0);
        for (std::size_t s = 0; s < ns; ++s) {
            if (u[s] == 0.0) continue;
            const double* Js = &J[s * cols];
            for (std::size_t n = 0; n < nn; ++n)
                for (std::size_t a = 0; a < 3; ++a) {
                    const double v = u[s] * Js[3 * n + a];
                    out[3 * slot[n] + a] += v;
                    out[a] -= v;
                }
        }
    }
};

/// The centre i: G (values), then weights(i, G, x, w, M) sets w = dE/dG (shape (ns)) and M = d2E/dG dG
/// (shape (ns, ns)) of this centre's energy term; then J, Hd = J^T M J + sum_s w_s d2G_s/dy dy and its
/// collapse K onto the atoms (d y_n / dR_A = delta(A, atom(n)) - delta(A, i)).
template <class Cutoff, class Weights>
void centre_hessian(const Model& model, const SecondDerivatives& sd, const NeighborList& nl, std::size_t i,
                    const std::vector<int>& el, const std::vector<double>& zs, double rc, CentreWork& st, Weights&& weights) {
    const std::size_t e = static_cast<std::size_t>(el[i]);
    const ElementModel& em = model.elements[e];
    const std::size_t ns = em.descriptors.size();
    st.nb.gather(nl, i, el, zs, rc);
    const Neighborhood& nb = st.nb;
    const std::size_t nn = nb.size(), cols = 3 * nn;
    st.G.assign(ns, 0.0);
    em.descriptors.template values<Cutoff, AllFamilies, double>(nb, st.G.data(), st.scratch);
    st.x.resize(ns);
    em.scaling.apply(st.G.data(), st.x.data());
    st.w.assign(ns, 0.0);
    st.M.assign(ns * ns, 0.0);
    weights(i, em, st);
    st.Hd.assign(cols * cols, 0.0);
    sd.template evaluate<Cutoff>(nb, st.w.data(), st.G.data(), st.J, st.Hd);
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
    for (std::size_t n = 0; n < nn; ++n)
        for (std::size_t m = 0; m < nn; ++m) {
            const std::size_t A = st.slot[n], B = st.slot[m];
            for (int p = 0; p < 3; ++p)
                for (int q = 0; q < 3; ++q) {
                    const double h = st.Hd[(3 * n + static_cast<std::size_t>(p)) * cols + 3 * m + static_cast<std::size_t>(q)];
                    st.k(A, B, p, q) += h;
                    st.k(0, B, p, q) -= h;
                    st.k(A, 0, p, q) -= h;
                    st.k(0, 0, p, q) += h;
                }
        }
}

/// What every generation shares: element indices, atomic numbers, the neighbour list, the kernels.
struct HessianSetup {
    std::vector<int> el;
    std::vector<double> zs;
    double rc = 0.0;
    NeighborList nl;
    std::vector<SecondDerivatives> sd;
    HessianSetup(const Model& model, const Structure& s) {
        el = model.element_indices(s);
        for (const auto& e : model.elements) zs.push_back(static_cast<double>(e.atomic_number));
        rc = model.cutoff_radius();
        nl = build_neighbor_list(s, rc);
        const double alpha = cutoff_uses_alpha(model.cutoff_type) ? model.cutoff_alpha : 0.0;
        for (const auto& e : model.elements) sd.emplace_back(e.descriptors.specs(), alpha);
    }
};

inline std::vector<std::size_t> hessian_rows(const std::vector<std::size_t>& rows_in, std::size_t N) {
    std::vector<std::size_t> rows = rows_in;
    if (rows.empty()) {
        rows.resize(N);
        for (std::size_t i = 0; i < N; ++i) rows[i] = i;
    }
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    for (std::size_t a : rows)
        if (a >= N) throw Error("hessian: row atom " + std::to_string(a + 1) + " out of range (structure has " + std::to_string(N) + " atoms)");
    return rows;
}

template <class Cutoff>
Hessian hessian_2g(const Model& model, const Structure& s, const std::vector<std::size_t>& rows_in) {
    const std::size_t N = s.size();
    const HessianSetup setup(model, s);
    const NeighborList& nl = setup.nl;
    Hessian out;
    out.n_atoms = N;
    out.rows = hessian_rows(rows_in, N);
    // unique neighbour atoms within rc (any image)
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

    const int nt = threads::for_size(centres.size(), threads::kMinAtoms);
    std::vector<detail::BlockRows> acc(static_cast<std::size_t>(nt), br);
    for (auto& a : acc)
        for (std::size_t r = 0; r < a.cols.size(); ++r) a.blocks.emplace_back(a.cols[r].size(), Mat3{});
    const double inv_conv = 1.0 / model.conv_energy;

    threads::for_each(
        centres.size(), threads::kMinAtoms, [&](int t) { CentreWork st; st.t = t; return st; },
        [&](CentreWork& st, std::size_t ci) {
            const std::size_t i = centres[ci];
            centre_hessian<Cutoff>(model, setup.sd[static_cast<std::size_t>(setup.el[i])], nl, i, setup.el, setup.zs, setup.rc, st,
                                   [&](std::size_t, const ElementModel& em, CentreWork& w) {
                                       const std::size_t ns = em.descriptors.size();
                                       network_hessian(em.network, w.x.data(), w.grad, w.hnn, w.nws);
                                       const auto& f = em.scaling.factor;
                                       for (std::size_t a = 0; a < ns; ++a) w.w[a] = w.grad[a] * f[a] * inv_conv;
                                       for (std::size_t a = 0; a < ns; ++a)
                                           for (std::size_t b = 0; b < ns; ++b)
                                               w.M[a * ns + b] = w.hnn[a * ns + b] * f[a] * f[b] * inv_conv;
                                   });
            detail::BlockRows& dst = acc[static_cast<std::size_t>(st.t)];
            const std::size_t S = st.slots();
            for (std::size_t A = 0; A < S; ++A) {
                if (dst.row_of[st.slot_atom[A]] == BlockRows::npos) continue;
                for (std::size_t B = 0; B < S; ++B) {
                    Mat3* blk = dst.find(st.slot_atom[A], st.slot_atom[B]);
                    for (int p = 0; p < 3; ++p)
                        for (int q = 0; q < 3; ++q) (*blk)[static_cast<std::size_t>(p)][static_cast<std::size_t>(q)] += st.k(A, B, p, q);
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

/// Radial pair kernel psi(r) = u(r)/r with u, u', u'': psi, psi', psi'' (psi' = (u' - psi)/r, psi'' = (u'' - 2 psi')/r).
inline void over_r(double r, double u, double du, double d2u, double& p, double& dp, double& d2p) {
    p = u / r;
    dp = (du - p) / r;
    d2p = (d2u - 2.0 * dp) / r;
}

/// Gradient g (3) and Hessian K (3x3) of psi(|d|) with respect to d.
inline void radial_derivatives(const Vec3& d, double r, double dp, double d2p, Vec3& g, Mat3& K) {
    const double ir = 1.0 / r;
    for (std::size_t a = 0; a < 3; ++a) {
        g[a] = dp * d[a] * ir;
        for (std::size_t b = 0; b < 3; ++b) {
            const double pp = d[a] * d[b] * ir * ir;
            K[a][b] = d2p * pp + dp * ((a == b ? 1.0 : 0.0) - pp) * ir;
        }
    }
}

/// Dense 3N x 3N Hessian of a 3G or 4G model (see the file comment).
template <class Cutoff, class P>
Hessian hessian_charged(const P& pot, const Structure& s, const std::vector<std::size_t>& rows_in) {
    const Model& model = pot.model();
    const bool g4 = model.generation == Generation::fourth;
    const std::size_t N = s.size(), D = 3 * N;
    const HessianSetup setup(model, s);
    ComputeOptions opt;
    opt.solver = QeqSolverKind::dense;
    const Result res = pot.compute(s, opt);  // charges Q (4G: and the adjoint y of the force calculation)
    const std::vector<double>& Q = res.charges;
    const std::vector<double> y = g4 ? res.adjoint : std::vector<double>(N, 0.0);
    const GaussianCoulomb op = pot.coulomb(s, setup.el);
    const double ke = op.ke();
    const double ce = model.conv_energy, cq = model.conv_charge;
    const double wself = g4 ? opt.screening_self_image_weight : 0.5;  // as potential/charges.hpp
    const ScreeningFunction& fs = model.electrostatics.screening;
    const bool uniform = !g4 && model.electrostatics.total_charge == TotalChargeScheme::uniform;

    std::vector<double> H(D * D, 0.0);      // L_RR, then the whole Hessian
    std::vector<double> LRQ(D * N, 0.0);     // d2L/dR dQ  (row: coordinate, column: charge)
    std::vector<double> T(N * D, 0.0);       // 4G: d(A Q + chi)/dR; 3G: dq/dR (row: charge, column: coordinate)
    std::vector<double> EQQ(N * N, 0.0);     // d2E~/dQ dQ
    auto h = [&](std::size_t a, std::size_t b) -> double& { return H[a * D + b]; };
    std::vector<double> sqq(N, 0.0);

    // 2. Electrostatics. A pair visit (i, j != i, d = R_j + n.L - R_i) with the A-operator kernel (gA, KA: gradient
    //    and Hessian of C_ij with respect to d) and the energy kernel (gE, KE: C + screening).
    auto pair = [&](std::size_t i, std::size_t j, const Vec3& gA, const Mat3& KA, const Vec3& gE, const Mat3& KE) {
        const double cE = Q[i] * Q[j], cA = y[i] * Q[j] + y[j] * Q[i];
        for (std::size_t p = 0; p < 3; ++p)
            for (std::size_t q = 0; q < 3; ++q) {
                const double k = cE * KE[p][q] + cA * KA[p][q];
                h(3 * i + p, 3 * i + q) += k;
                h(3 * j + p, 3 * j + q) += k;
                h(3 * i + p, 3 * j + q) -= k;
                h(3 * j + p, 3 * i + q) -= k;
            }
        for (std::size_t p = 0; p < 3; ++p) {
            const double vi = Q[j] * gE[p] + y[j] * gA[p], vj = Q[i] * gE[p] + y[i] * gA[p];
            LRQ[(3 * j + p) * N + i] += vi;
            LRQ[(3 * i + p) * N + i] -= vi;
            LRQ[(3 * j + p) * N + j] += vj;
            LRQ[(3 * i + p) * N + j] -= vj;
            if (!g4) continue;
            T[i * D + 3 * j + p] += Q[j] * gA[p];
            T[i * D + 3 * i + p] -= Q[j] * gA[p];
            T[j * D + 3 * j + p] += Q[i] * gA[p];
            T[j * D + 3 * i + p] -= Q[i] * gA[p];
        }
    };
    const std::vector<Vec3>& R = op.positions();
    const std::vector<double>& sigma = op.sigma();
    auto inv_sqrt2_gamma = [&](std::size_t i, std::size_t j) {
        const double si = sigma[static_cast<std::size_t>(setup.el[i])], sj = sigma[static_cast<std::size_t>(setup.el[j])];
        const double g2 = si * si + sj * sj;  // point charges: as GaussianCoulomb (erf -> 1, Gaussian terms -> 0)
        return g2 > 0.0 ? 1.0 / std::sqrt(2.0 * g2) : detail_coulomb::kPointCharge;
    };
    const double tsp = 2.0 / std::sqrt(M_PI);
    // 2a. Coulomb pair kernel of C (erf for clusters, Ewald real space for cells), no screening.
    auto coulomb_kernel = [&](std::size_t i, std::size_t j, double r, double& p, double& dp, double& d2p) {
        const double g = inv_sqrt2_gamma(i, j), xg = r * g;
        double u, du, d2u;
        if (op.periodic()) {
            const double e = 1.0 / (std::sqrt(2.0) * op.ewald().eta), xe = r * e;
            const double ae = tsp * e * std::exp(-xe * xe);
            u = std::erfc(xe);
            du = -ae;
            d2u = 2.0 * e * e * r * ae;
            if (xg < detail_coulomb::kErfcZero) {  // as GaussianCoulomb::kernel
                const double ag = tsp * g * std::exp(-xg * xg);
                u -= std::erfc(xg);
                du += ag;
                d2u -= 2.0 * g * g * r * ag;
            }
        } else {
            const double ag = tsp * g * std::exp(-xg * xg);
            u = std::erf(xg);
            du = ag;
            d2u = -2.0 * g * g * r * ag;
        }
        over_r(r, ke * u, ke * du, ke * d2u, p, dp, d2p);
    };
    Vec3 zero3{};
    Mat3 zero33{};
    {
        const PairImages images = op.periodic() ? PairImages(R, op.cell(), op.ewald().real_cutoff) : PairImages();
        for (std::size_t i = 0; i < N; ++i) {
            auto visit = [&](std::size_t j, const Vec3& d, double r) {
                if (j == i) return;  // an atom and its own image: constant
                double p, dp, d2p;
                coulomb_kernel(i, j, r, p, dp, d2p);
                Vec3 g;
                Mat3 K;
                radial_derivatives(d, r, dp, d2p, g, K);
                pair(i, j, g, K, g, K);
            };
            if (op.periodic()) images.visit(i, visit);
            else
                for (std::size_t j = i + 1; j < N; ++j) {
                    const Vec3 d = R[j] - R[i];
                    visit(j, d, norm(d));
                }
        }
    }
    // 2b. Reciprocal space: C_ij += sum_k a_k cos(k . d), d = R_j - R_i.
    if (op.periodic()) {
        const KVectors& kv = op.kvectors();
        for (std::size_t i = 0; i < N; ++i)
            for (std::size_t j = i + 1; j < N; ++j) {
                const Vec3 d = R[j] - R[i];
                Vec3 g{};
                Mat3 K{};
                for (std::size_t k = 0; k < kv.size(); ++k) {
                    const Vec3& kk = kv.k[k];
                    const double ph = dot(kk, d), c = kv.a[k] * std::cos(ph), sn = kv.a[k] * std::sin(ph);
                    for (std::size_t a = 0; a < 3; ++a) {
                        g[a] -= sn * kk[a];
                        for (std::size_t b = 0; b < 3; ++b) K[a][b] -= c * kk[a] * kk[b];
                    }
                }
                pair(i, j, g, K, g, K);
            }
    }
    // 2c. Screening (energy only): s(r) = k_e erf(r/(sqrt2 gamma)) (f_s(r) - 1) / r for r < r_out.
    std::vector<double> Smat(N * N, 0.0);
    if (fs.enabled()) {
        const PairImages images = op.periodic() ? PairImages(R, op.cell(), fs.outer) : PairImages(R, fs.outer);
        for (std::size_t i = 0; i < N; ++i)
            images.visit(i, [&](std::size_t j, const Vec3& d, double r) {
                if (!(r < fs.outer)) return;
                const double g = inv_sqrt2_gamma(i, j), xg = r * g;
                const double ag = tsp * g * std::exp(-xg * xg), erfx = std::erf(xg);
                double f, df, d2f;
                screening_eval2(fs, r, f, df, d2f);
                const double u = erfx * (f - 1.0), du = ag * (f - 1.0) + erfx * df,
                             d2u = -2.0 * g * g * r * ag * (f - 1.0) + 2.0 * ag * df + erfx * d2f;
                double p, dp, d2p;
                over_r(r, ke * u, ke * du, ke * d2u, p, dp, d2p);
                if (j == i) {
                    Smat[i * N + i] += 2.0 * wself * p;
                    return;
                }
                Smat[i * N + j] += p;
                Smat[j * N + i] += p;
                Vec3 gs;
                Mat3 Ks;
                radial_derivatives(d, r, dp, d2p, gs, Ks);
                pair(i, j, zero3, zero33, gs, Ks);
            });
    }
    // 3. d2E_elec/dQ dQ = C + S - diag(gaussian self energy) (4G adds d2S_i/dQ_i^2 below)
    std::vector<double> C(N * N);
    op.dense(C.data());
    for (std::size_t i = 0; i < N; ++i) {
        for (std::size_t j = 0; j < N; ++j) EQQ[i * N + j] = C[i * N + j] + Smat[i * N + j];
        EQQ[i * N + i] -= op.gaussian_self_energy(i);
    }
    // 3G: the charge derivative of the energy, dE/dq = P^T dE_elec/dQ (P: the uniform shift), weights the
    // charge networks' second derivatives.
    std::vector<double> gq(N, 0.0);
    if (!g4) {
        double mean = 0.0;
        for (std::size_t i = 0; i < N; ++i) {
            for (std::size_t j = 0; j < N; ++j) gq[i] += EQQ[i * N + j] * Q[j];
            mean += gq[i];
        }
        mean /= static_cast<double>(N);
        if (uniform)
            for (double& x : gq) x -= mean;
    }
    // 4. Local terms, per centre i at fixed Q and y: 4G S_i(x_i, Q_i) + y_i chi_i(x_i); 3G S_i(x_i) + (dE/dq_i) q_i(x_i).
    {
        CentreWork st;
        std::vector<double> u1, u2, dSdGdQ, dqdG;
        for (std::size_t i = 0; i < N; ++i) {
            centre_hessian<Cutoff>(model, setup.sd[static_cast<std::size_t>(setup.el[i])], setup.nl, i, setup.el, setup.zs, setup.rc, st,
                                   [&](std::size_t c, const ElementModel& em, CentreWork& w) {
                                       const std::size_t ns = em.descriptors.size();
                                       const auto& f = em.scaling.factor;
                                       dSdGdQ.assign(ns, 0.0);
                                       dqdG.resize(ns);
                                       if (g4) {
                                           w.xin.assign(w.x.begin(), w.x.end());
                                           w.xin.push_back(Q[c] * cq);
                                           network_hessian(em.network, w.xin.data(), w.grad, w.hnn, w.nws);
                                           network_hessian(em.electronegativity, w.x.data(), w.grad2, w.hnn2, w.nws2);
                                           const double cx = y[c] * cq / ce;
                                           for (std::size_t a = 0; a < ns; ++a) w.w[a] = f[a] * (w.grad[a] / ce + cx * w.grad2[a]);
                                           for (std::size_t a = 0; a < ns; ++a)
                                               for (std::size_t b = 0; b < ns; ++b)
                                                   w.M[a * ns + b] = f[a] * f[b] * (w.hnn[a * (ns + 1) + b] / ce + cx * w.hnn2[a * ns + b]);
                                           sqq[c] = w.hnn[ns * (ns + 1) + ns] * cq * cq / ce;
                                           for (std::size_t a = 0; a < ns; ++a) {
                                               dSdGdQ[a] = f[a] * w.hnn[a * (ns + 1) + ns] * cq / ce;
                                               dqdG[a] = f[a] * w.grad2[a] * cq / ce;  // dchi/dG
                                           }
                                       } else {
                                           network_hessian(em.network, w.x.data(), w.grad, w.hnn, w.nws);
                                           network_hessian(em.charge, w.x.data(), w.grad2, w.hnn2, w.nws2);
                                           const double cx = gq[c] / cq;
                                           for (std::size_t a = 0; a < ns; ++a) w.w[a] = f[a] * (w.grad[a] / ce + cx * w.grad2[a]);
                                           for (std::size_t a = 0; a < ns; ++a)
                                               for (std::size_t b = 0; b < ns; ++b)
                                                   w.M[a * ns + b] = f[a] * f[b] * (w.hnn[a * ns + b] / ce + cx * w.hnn2[a * ns + b]);
                                           for (std::size_t a = 0; a < ns; ++a) dqdG[a] = f[a] * w.grad2[a] / cq;  // dq/dG
                                       }
                                   });
            const std::size_t S = st.slots(), ns = dqdG.size();
            for (std::size_t A = 0; A < S; ++A)
                for (std::size_t B = 0; B < S; ++B)
                    for (int p = 0; p < 3; ++p)
                        for (int q = 0; q < 3; ++q) h(3 * st.slot_atom[A] + static_cast<std::size_t>(p), 3 * st.slot_atom[B] + static_cast<std::size_t>(q)) += st.k(A, B, p, q);
            st.collapse_vector(dSdGdQ.data(), ns, u1);
            st.collapse_vector(dqdG.data(), ns, u2);
            for (std::size_t A = 0; A < S; ++A)
                for (std::size_t a = 0; a < 3; ++a) {
                    LRQ[(3 * st.slot_atom[A] + a) * N + i] += u1[3 * A + a];
                    T[i * D + 3 * st.slot_atom[A] + a] += u2[3 * A + a];
                }
        }
    }
    for (std::size_t i = 0; i < N; ++i) EQQ[i * N + i] += sqq[i];
    // 5. Charge response Z = dQ/dR (rhs[c * M + i] = dQ_i/dR_c).
    //    4G: [A 1; 1^T 0] [Z; dlambda] = -[T; 0], A = C + diag(hardness).  3G: Z = P T (uniform: minus the column mean).
    const std::size_t M = N + 1;
    std::vector<double> rhs(M * D, 0.0);
    if (g4) {
        std::vector<double> B(M * M, 0.0);
        for (std::size_t i = 0; i < N; ++i) {
            for (std::size_t j = 0; j < N; ++j) B[i * M + j] = C[i * N + j];
            B[i * M + i] += model.elements[static_cast<std::size_t>(setup.el[i])].hardness;
            B[i * M + N] = 1.0;
            B[N * M + i] = 1.0;
        }
        for (std::size_t i = 0; i < N; ++i)
            for (std::size_t c = 0; c < D; ++c) rhs[c * M + i] = -T[i * D + c];
        lu_solve(B, M, rhs, D);
    } else {
        for (std::size_t c = 0; c < D; ++c) {
            double mean = 0.0;
            for (std::size_t i = 0; i < N; ++i) mean += T[i * D + c];
            mean = uniform ? mean / static_cast<double>(N) : 0.0;
            for (std::size_t i = 0; i < N; ++i) rhs[c * M + i] = T[i * D + c] - mean;
        }
    }
    // 6. H = L_RR + L_RQ Z + Z^T L_QR + Z^T EQQ Z
    std::vector<double> W(N * D, 0.0);  // EQQ Z + L_QR  (N x D):  H += Z^T W + L_RQ Z
    for (std::size_t c = 0; c < D; ++c) {
        const double* z = &rhs[c * M];
        for (std::size_t i = 0; i < N; ++i) {
            double acc = 0.0;
            const double* e = &EQQ[i * N];
            for (std::size_t j = 0; j < N; ++j) acc += e[j] * z[j];
            W[i * D + c] = acc + LRQ[c * N + i];
        }
    }
    for (std::size_t a = 0; a < D; ++a) {
        const double* z = &rhs[a * M];
        const double* lrq = &LRQ[a * N];
        double* row = &H[a * D];
        for (std::size_t i = 0; i < N; ++i) {
            const double zi = z[i];
            if (zi != 0.0) {
                const double* w = &W[i * D];
                for (std::size_t b = 0; b < D; ++b) row[b] += zi * w[b];
            }
            const double l = lrq[i];
            if (l != 0.0)
                for (std::size_t b = 0; b < D; ++b) row[b] += l * rhs[b * M + i];
        }
    }
    Hessian out;
    out.n_atoms = N;
    out.rows = hessian_rows(rows_in, N);
    for (std::size_t A : out.rows)
        for (std::size_t Bt = 0; Bt < N; ++Bt) {
            HessianBlock b;
            b.a = A;
            b.b = Bt;
            for (std::size_t p = 0; p < 3; ++p)
                for (std::size_t q = 0; q < 3; ++q) b.h[p][q] = H[(3 * A + p) * D + 3 * Bt + q];
            out.blocks.push_back(b);
        }
    return out;
}

}  // namespace detail

/// Exact Hessian (see the file comment): rows = {} for all atoms, else the block rows of the given 0-based atoms.
/// 2G: sparse (blocks within 2 rc). 4G: every block (the charges couple all atoms), computed densely (3N x 3N
/// doubles) whatever the rows. Any Potential (runtime-loaded or compiled networks: the model's weights are used).
/// Units: energy/length^2 of the model.
template <class P, class = decltype(std::declval<const P&>().model())>
Hessian hessian(const P& potential, const Structure& s, const std::vector<std::size_t>& rows = {}) {
    const Model& model = potential.model();
    switch (model.generation) {
        case Generation::second:
            return std::visit([&](auto c) { return detail::hessian_2g<decltype(c)>(model, s, rows); }, model.cutoff);
        case Generation::third:
        case Generation::fourth:
            return std::visit([&](auto c) { return detail::hessian_charged<decltype(c)>(potential, s, rows); }, model.cutoff);
        default:
            throw Error("hessian: not implemented for generation " + std::to_string(static_cast<int>(model.generation)) +
                        " models (model in " + model.directory + "); 2G, 3G and 4G are");
    }
}

/// The same for a model (a runtime Potential is built from a copy for 4G).
inline Hessian hessian(const Model& model, const Structure& s, const std::vector<std::size_t>& rows = {}) {
    if (model.generation == Generation::second)
        return std::visit([&](auto c) { return detail::hessian_2g<decltype(c)>(model, s, rows); }, model.cutoff);
    return hessian(Potential<>(model), s, rows);
}

}  // namespace hdnnp
