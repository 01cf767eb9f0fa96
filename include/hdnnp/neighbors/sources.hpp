// hdnnp: where a potential's neighbours come from. A neighbour source is any type S with a
// NeighborTraits<S> specialisation (a traits class, so a host's own list is adapted, never copied):
//
//   static std::size_t centres(const S& s)                 number of centre atoms (whose energies are computed)
//   static std::size_t centre(const S& s, std::size_t c)   atom index of centre c (into positions and elements)
//   template <class F> static void for_each(const S& s, std::size_t c, const double* x, F&& f)
//        calls f(j, dx, dy, dz, r) for every neighbour image of centre c, in a fixed order: j is the atom
//        index of the image (into positions and elements; it may be a ghost atom), d = image - centre
//        [length], r = |d|. x: positions, shape (n_all, 3), row-major [length].
//   static void check(const S& s, std::size_t n_all)      throws Error if a centre or neighbour index is
//        outside [0, n_all) (the host entry point calls it before anything reads the positions)
//
// Sources provided:
//   NeighborList        the library's own cell list (neighbors/neighbor_list.hpp): every periodic image is
//                       listed with its displacement; atom indices are the structure's atoms.
//   FullNeighborList    a LAMMPS-style full list over local and ghost atoms (inum, ilist, numneigh,
//                       firstneigh): d = x_j - x_i from the positions. Forces on ghost atoms are returned
//                       at the ghosts' indices for the host to fold back (LAMMPS: reverse communication).
//   CsrNeighborList     a plain compressed-row list: centres 0..n-1, neighbours offsets/indices, and
//                       optionally per-entry shift vectors (d = x_j + shift - x_i) for periodic images
//                       without ghost atoms (ASE's neighbour list: shift = offset . cell).
// A neighbour may lie beyond the potential's cutoff (hosts add a skin); it is skipped. A neighbour whose
// element index is negative (an atom type the potential does not handle, e.g. NULL in LAMMPS's pair_coeff)
// is skipped too.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>

#include "hdnnp/core/error.hpp"
#include "hdnnp/neighbors/neighbor_list.hpp"

namespace hdnnp {

template <class S> struct NeighborTraits;  // specialised below for each source

namespace detail {
[[noreturn]] inline void bad_neighbor_index(const char* source, std::size_t centre, long long index, std::size_t n_all) {
    throw Error(std::string(source) + ": centre " + std::to_string(centre) + " lists neighbour index " + std::to_string(index) +
                ", outside the " + std::to_string(n_all) + " atoms given");
}
}  // namespace detail

/// LAMMPS-style full neighbour list (NeighList's inum, ilist, numneigh, firstneigh). Indices refer to the
/// host's atom arrays: local atoms first, then ghosts.
struct FullNeighborList {
    std::size_t inum = 0;               ///< number of centres
    const int* ilist = nullptr;         ///< shape (inum): atom index of each centre (nullptr: 0 .. inum-1)
    const int* numneigh = nullptr;      ///< indexed by atom index: neighbours of that centre
    const int* const* firstneigh = nullptr;  ///< indexed by atom index: its neighbours' atom indices
    /// Bits of a neighbour index that are flags, not index (LAMMPS's NEIGHMASK = 0x1FFFFFFF keeps the index
    /// and drops the special-bond bits).
    std::uint32_t index_mask = 0x1FFFFFFFu;
};

/// Compressed-row neighbour list: neighbours of centre c are entries offsets[c] .. offsets[c+1]-1.
struct CsrNeighborList {
    std::size_t n_centres = 0;
    const std::size_t* offsets = nullptr;  ///< shape (n_centres + 1)
    const std::int64_t* indices = nullptr; ///< shape (offsets[n_centres]): atom index of each neighbour
    const double* shifts = nullptr;        ///< shape (offsets[n_centres], 3) or nullptr: added to x_j - x_i [length]
};

template <> struct NeighborTraits<NeighborList> {
    static std::size_t centres(const NeighborList& s) { return s.size(); }
    static std::size_t centre(const NeighborList&, std::size_t c) { return c; }
    template <class F> static void for_each(const NeighborList& s, std::size_t c, const double*, F&& f) {
        for (std::size_t k = s.offset[c], e = s.offset[c + 1]; k < e; ++k) f(std::size_t{s.index[k]}, s.d[k][0], s.d[k][1], s.d[k][2], s.r[k]);
    }
    static void check(const NeighborList& s, std::size_t n_all) {
        if (s.size() > n_all) detail::bad_neighbor_index("NeighborList", s.size() - 1, static_cast<long long>(s.size() - 1), n_all);
        for (std::size_t c = 0; c < s.size(); ++c)
            for (std::size_t k = s.offset[c]; k < s.offset[c + 1]; ++k)
                if (s.index[k] >= n_all) detail::bad_neighbor_index("NeighborList", c, s.index[k], n_all);
    }
};

template <> struct NeighborTraits<FullNeighborList> {
    static std::size_t centres(const FullNeighborList& s) { return s.inum; }
    static std::size_t centre(const FullNeighborList& s, std::size_t c) {
        return s.ilist ? static_cast<std::size_t>(s.ilist[c]) : c;
    }
    template <class F> static void for_each(const FullNeighborList& s, std::size_t c, const double* x, F&& f) {
        const std::size_t i = centre(s, c);
        const int* nb = s.firstneigh[i];
        const int n = s.numneigh[i];
        const double xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
        for (int k = 0; k < n; ++k) {
            const std::size_t j = static_cast<std::uint32_t>(nb[k]) & s.index_mask;
            const double dx = x[3 * j] - xi, dy = x[3 * j + 1] - yi, dz = x[3 * j + 2] - zi;
            f(j, dx, dy, dz, std::sqrt(dx * dx + dy * dy + dz * dz));
        }
    }
    static void check(const FullNeighborList& s, std::size_t n_all) {
        for (std::size_t c = 0; c < s.inum; ++c) {
            const std::size_t i = centre(s, c);
            if (i >= n_all) detail::bad_neighbor_index("FullNeighborList (ilist)", c, static_cast<long long>(i), n_all);
            for (int k = 0; k < s.numneigh[i]; ++k) {
                const std::size_t j = static_cast<std::uint32_t>(s.firstneigh[i][k]) & s.index_mask;
                if (j >= n_all) detail::bad_neighbor_index("FullNeighborList", i, static_cast<long long>(j), n_all);
            }
        }
    }
};

template <> struct NeighborTraits<CsrNeighborList> {
    static std::size_t centres(const CsrNeighborList& s) { return s.n_centres; }
    static std::size_t centre(const CsrNeighborList&, std::size_t c) { return c; }
    template <class F> static void for_each(const CsrNeighborList& s, std::size_t c, const double* x, F&& f) {
        const double xi = x[3 * c], yi = x[3 * c + 1], zi = x[3 * c + 2];
        for (std::size_t k = s.offsets[c], e = s.offsets[c + 1]; k < e; ++k) {
            const std::size_t j = static_cast<std::size_t>(s.indices[k]);
            double dx = x[3 * j] - xi, dy = x[3 * j + 1] - yi, dz = x[3 * j + 2] - zi;
            if (s.shifts) {
                dx += s.shifts[3 * k];
                dy += s.shifts[3 * k + 1];
                dz += s.shifts[3 * k + 2];
            }
            f(j, dx, dy, dz, std::sqrt(dx * dx + dy * dy + dz * dz));
        }
    }
    static void check(const CsrNeighborList& s, std::size_t n_all) {
        if (s.n_centres > n_all) detail::bad_neighbor_index("CsrNeighborList", s.n_centres - 1, static_cast<long long>(s.n_centres - 1), n_all);
        for (std::size_t c = 0; c < s.n_centres; ++c)
            for (std::size_t k = s.offsets[c]; k < s.offsets[c + 1]; ++k)
                if (s.indices[k] < 0 || static_cast<std::size_t>(s.indices[k]) >= n_all) detail::bad_neighbor_index("CsrNeighborList", c, s.indices[k], n_all);
    }
};

namespace detail {
template <class S, class = void> struct is_neighbor_source : std::false_type {};
template <class S>
struct is_neighbor_source<S, std::void_t<decltype(NeighborTraits<S>::centres(std::declval<const S&>())),
                                         decltype(NeighborTraits<S>::centre(std::declval<const S&>(), std::size_t{}))>>
    : std::true_type {};
}  // namespace detail

/// True for a type with a usable NeighborTraits specialisation.
template <class S> inline constexpr bool is_neighbor_source_v = detail::is_neighbor_source<S>::value;

}  // namespace hdnnp
