// hdnnp: views of a caller's memory (xtensor adaptors: no copy, the rank in the type, shapes checked at
// run time), and the atoms and outputs of the host entry point, Potential::compute(HostAtoms, source,
// HostOutput).
//
//   double x[3 * n_all]; int type[n_all]; double f[3 * n_all];        // the host's own arrays
//   hdnnp::HostAtoms atoms{hdnnp::const_view(x, n_all, 3), hdnnp::const_view(type, n_all), n_local};
//   hdnnp::HostOutput out{hdnnp::view(f, n_all, 3)};
//   pot.compute(atoms, hdnnp::FullNeighborList{inum, ilist, numneigh, firstneigh}, out);
//
// Units: those of the model (hosts convert, e.g. LAMMPS's cflength / cfenergy).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xtensor.hpp>

#include "hdnnp/core/result.hpp"
#include "hdnnp/core/vec3.hpp"

namespace hdnnp {

/// Read-only view of Rank dimensions over caller memory (row-major).
template <class T, std::size_t Rank>
using ConstView = decltype(xt::adapt(std::declval<const T*>(), std::size_t{}, xt::no_ownership(),
                                     std::declval<std::array<std::size_t, Rank>>()));
/// Writable view of Rank dimensions over caller memory (row-major).
template <class T, std::size_t Rank>
using MutableView = decltype(xt::adapt(std::declval<T*>(), std::size_t{}, xt::no_ownership(),
                                       std::declval<std::array<std::size_t, Rank>>()));

/// A writable view of n items at p (rank 1), or of an (n, m) or (n, m, k) row-major array.
template <class T> MutableView<T, 1> view(T* p, std::size_t n) {
    return xt::adapt(static_cast<T*>(p), n, xt::no_ownership(), std::array<std::size_t, 1>{n});
}
template <class T> MutableView<T, 2> view(T* p, std::size_t n, std::size_t m) {
    return xt::adapt(static_cast<T*>(p), n * m, xt::no_ownership(), std::array<std::size_t, 2>{n, m});
}
template <class T> MutableView<T, 3> view(T* p, std::size_t n, std::size_t m, std::size_t k) {
    return xt::adapt(static_cast<T*>(p), n * m * k, xt::no_ownership(), std::array<std::size_t, 3>{n, m, k});
}
/// The same, read-only.
template <class T> ConstView<T, 1> const_view(const T* p, std::size_t n) {
    return xt::adapt(static_cast<const T*>(p), n, xt::no_ownership(), std::array<std::size_t, 1>{n});
}
template <class T> ConstView<T, 2> const_view(const T* p, std::size_t n, std::size_t m) {
    return xt::adapt(static_cast<const T*>(p), n * m, xt::no_ownership(), std::array<std::size_t, 2>{n, m});
}
template <class T> ConstView<T, 3> const_view(const T* p, std::size_t n, std::size_t m, std::size_t k) {
    return xt::adapt(static_cast<const T*>(p), n * m * k, xt::no_ownership(), std::array<std::size_t, 3>{n, m, k});
}

/// The atoms a host hands in. Atom indices 0..n_local-1 are local atoms (their energies are computed),
/// n_local..n_all-1 ghosts (periodic or domain images the host keeps; they only serve as neighbours).
struct HostAtoms {
    HostAtoms(ConstView<double, 2> x, ConstView<int, 1> el, std::size_t local)
        : positions(std::move(x)), element(std::move(el)), n_local(local) {}
    ConstView<double, 2> positions;  ///< shape (n_all, 3) [length]
    ConstView<int, 1> element;       ///< shape (n_all): model element index (ascending atomic number); negative:
                                     ///< not handled by this potential (skipped as centre and as neighbour)
    std::size_t n_local = 0;
    // 3G and 4G only: the local atoms are the whole structure (one domain), with this cell and total charge.
    bool periodic = false;
    Mat3 cell{};                     ///< rows a, b, c [length]
    double total_charge = 0.0;       ///< [e]
};

/// Where the host entry point writes. Forces and the per-atom arrays are ADDED to (hosts such as LAMMPS
/// sum several styles into one array); energy and virial are set.
struct HostOutput {
    explicit HostOutput(MutableView<double, 2> f) : forces(std::move(f)) {}
    MutableView<double, 2> forces;                             ///< shape (n_all, 3) [energy/length]; ghosts' forces
                                                               ///< are for the host to fold back onto their owners
    std::optional<MutableView<double, 1>> per_atom_energies;   ///< shape (n_local) [energy]
    std::optional<MutableView<double, 3>> per_atom_virials;    ///< shape (n_all, 3, 3) [energy]
    double energy = 0.0;                                       ///< [energy]
    Mat3 virial{};                                             ///< W_ab = sum over local and ghost atoms of x_a F_b [energy]
    std::size_t extrapolation_count = 0;                       ///< symmetry functions outside the scaling.data range
    /// The first ComputeOptions::max_extrapolation_records of them (set); ExtrapolationWarning::atom is the
    /// host's atom index (0..n_local-1).
    std::vector<ExtrapolationWarning> extrapolations;
};

}  // namespace hdnnp
