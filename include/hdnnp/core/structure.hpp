// hdnnp: an atomic structure (one frame): positions, elements, optional periodic cell, and the
// reference data that n2p2's input.data carries. Units are those of the data (the library is
// unit-agnostic): lengths in the model's length unit, energies in its energy unit, charges in e.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "hdnnp/core/error.hpp"
#include "hdnnp/core/vec3.hpp"

namespace hdnnp {

struct Structure {
    std::string comment;              ///< free text (input.data `comment` line, extxyz extra keys)
    std::string set;                  ///< "" or the value of `begin set=...` ("train", "test")
    bool periodic = false;            ///< true when a cell is given (3 `lattice` lines)
    Mat3 lattice{};                   ///< rows: cell vectors a, b, c [length]; meaningful if periodic
    std::vector<Vec3> positions;      ///< shape (N, 3) [length]
    std::vector<std::string> symbols; ///< shape (N): element symbol of each atom
    std::vector<double> charges;      ///< shape (N): reference atomic charges [e] (0 when unknown)
    std::vector<double> atom_extra;   ///< shape (N): n2p2's unused per-atom column (kept for round trips)
    std::vector<Vec3> forces;         ///< shape (N, 3): reference forces [energy/length] (0 when unknown)
    double energy = 0.0;              ///< reference total energy [energy]
    double total_charge = 0.0;        ///< total charge [e]; the Qeq constraint in 4G
    bool has_energy = false;
    bool has_charge = false;

    std::size_t size() const noexcept { return positions.size(); }

    /// Appends an atom; reference values default to zero.
    void add_atom(const std::string& symbol, const Vec3& r, double q = 0.0, const Vec3& f = {0, 0, 0}) {
        positions.push_back(r);
        symbols.push_back(symbol);
        charges.push_back(q);
        atom_extra.push_back(0.0);
        forces.push_back(f);
    }

    /// Signed cell volume a . (b x c) [length^3]; 0 for a non-periodic structure.
    double volume() const { return periodic ? determinant(lattice) : 0.0; }
};

/// Expected neighbours per atom within a cutoff rc [length] (the cost scale of an evaluation): the mean density
/// times the sphere, N (4/3) pi rc^3 / |V|, in a cell (0 for a degenerate cell); N - 1 in a cluster.
inline double expected_neighbours(const Structure& s, double rc) {
    const double n = static_cast<double>(s.size());
    if (!s.periodic) return n > 0.0 ? n - 1.0 : 0.0;
    const double V = std::abs(s.volume());
    if (!(V > 0.0)) return 0.0;
    return n * (4.0 / 3.0) * M_PI * rc * rc * rc / V;
}

/// Checks a structure before evaluation: finite coordinates and cell, consistent array sizes,
/// a non-degenerate cell. Throws StructureError naming the offending atom or vector.
inline void validate(const Structure& s) {
    const std::size_t n = s.positions.size();
    if (s.symbols.size() != n)
        throw StructureError("structure has " + std::to_string(n) + " positions but " +
                             std::to_string(s.symbols.size()) + " element symbols");
    for (std::size_t i = 0; i < n; ++i)
        if (!all_finite(s.positions[i]))
            throw StructureError("atom " + std::to_string(i + 1) + " (" + s.symbols[i] +
                                 ") has a non-finite coordinate (NaN or inf)");
    if (s.periodic) {
        for (int k = 0; k < 3; ++k)
            if (!all_finite(s.lattice[k]))
                throw StructureError("cell vector " + std::to_string(k + 1) + " has a non-finite component");
        const double v = determinant(s.lattice);
        const double scale = norm(s.lattice[0]) * norm(s.lattice[1]) * norm(s.lattice[2]);
        if (!(std::abs(v) > 1e-12 * scale) || scale == 0.0)
            throw StructureError("periodic cell is degenerate (volume " + std::to_string(v) +
                                 "): the three cell vectors must span 3D space");
    }
}

/// Minimum-image distance between atoms a and b (0-based) [length of the structure]:
///   min over integers n of |r_b - r_a + n_1 a + n_2 b + n_3 c|   (periodic; a, b, c the cell rows),
///   |r_b - r_a|                                                     (non-periodic).
/// Exact for any cell, however skewed: the fractional difference is first wrapped into [-1/2, 1/2] (vector d),
/// and any image shorter than |d| has |f_k + n_k| <= |d| |b_k| (f_k: fractional coordinate k of d, b_k the
/// reciprocal row with b_k . a_j = delta_kj), so only those n_k are searched (1-3 per direction for a compact
/// cell). Throws StructureError for an atom index out of range or a degenerate or non-finite cell.
inline double minimum_image_distance(const Structure& s, std::size_t a, std::size_t b) {
    if (a >= s.size() || b >= s.size())
        throw StructureError("minimum_image_distance: atom index " + std::to_string(std::max(a, b) + 1) +
                             " out of range (structure has " + std::to_string(s.size()) + " atoms)");
    const Vec3 d = s.positions[b] - s.positions[a];
    if (!s.periodic) return norm(d);
    const Mat3 inv = reciprocal_rows(s.lattice);
    Vec3 f{};
    for (int k = 0; k < 3; ++k) f[k] = dot(d, inv[k]) - std::round(dot(d, inv[k]));
    const Vec3 base = f[0] * s.lattice[0] + f[1] * s.lattice[1] + f[2] * s.lattice[2];
    double best = norm(base);
    long lo[3], hi[3];
    for (int k = 0; k < 3; ++k) {
        const double reach = best * norm(inv[k]);
        if (!(reach < 1e6) || !std::isfinite(f[k]))
            throw StructureError("minimum_image_distance: the cell is degenerate or a coordinate is not finite");
        lo[k] = static_cast<long>(std::ceil(-f[k] - reach));
        hi[k] = static_cast<long>(std::floor(-f[k] + reach));
    }
    for (long i = lo[0]; i <= hi[0]; ++i)
        for (long j = lo[1]; j <= hi[1]; ++j)
            for (long k = lo[2]; k <= hi[2]; ++k)
                best = std::min(best, norm(base + double(i) * s.lattice[0] + double(j) * s.lattice[1] +
                                           double(k) * s.lattice[2]));
    return best;
}

/// The na x nb x nc supercell of a periodic structure: atoms of image (a, b, c) follow the original order,
/// image after image; cell rows scaled; total charge times the number of images. Reference data (energy,
/// forces, charges) are not carried over.
inline Structure supercell(const Structure& s, int na, int nb, int nc) {
    Structure out;
    out.periodic = true;
    out.total_charge = s.total_charge * na * nb * nc;
    for (int a = 0; a < na; ++a)
        for (int b = 0; b < nb; ++b)
            for (int c = 0; c < nc; ++c) {
                const Vec3 t = double(a) * s.lattice[0] + double(b) * s.lattice[1] + double(c) * s.lattice[2];
                for (std::size_t i = 0; i < s.size(); ++i) out.add_atom(s.symbols[i], s.positions[i] + t);
            }
    out.lattice = {double(na) * s.lattice[0], double(nb) * s.lattice[1], double(nc) * s.lattice[2]};
    return out;
}

}  // namespace hdnnp
