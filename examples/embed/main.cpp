// Embedding hdnnp in a C++ program that keeps its own atoms and neighbour list (an MD code, a Monte Carlo
// code, ...): the program's arrays are handed to the library through the host entry point
// Potential::compute(HostAtoms, neighbour source, HostOutput) without copies, and the forces, per-atom
// energies and per-atom virials are written into the program's own arrays (docs/concepts.md, "Host entry point").
//
//   embed MODEL_DIR STRUCTURE.data
//
// Here the "host" owns: positions x[n][3] and element indices type[n] (its own layout), and a CSR neighbour
// list with periodic shifts that it builds itself by brute force (offsets, indices, shifts). It prints the
// energy and compares everything with the library's own path, compute(structure) (same model, same units).
#include <hdnnp/hdnnp.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace {

/// The host's own neighbour list: for each atom i every j (and periodic image) with |x_j + shift - x_i| < rc,
/// in CSR form. Brute force over the 27 (or more) images nearest the cell; the cell must be wide enough that
/// the images searched cover rc (checked).
struct HostNeighbours {
    std::vector<std::size_t> offsets{0};
    std::vector<std::int64_t> indices;
    std::vector<double> shifts;  // 3 per neighbour
};

HostNeighbours build(const std::vector<double>& x, std::size_t n, bool periodic, const hdnnp::Mat3& cell, double rc) {
    HostNeighbours nb;
    int reach[3] = {0, 0, 0};
    if (periodic) {
        // Number of images per direction: the cell height along each reciprocal direction must exceed rc/reach.
        const hdnnp::Vec3 a = cell[0], b = cell[1], c = cell[2];
        const double volume = std::abs(hdnnp::dot(a, hdnnp::cross(b, c)));
        const double heights[3] = {volume / hdnnp::norm(hdnnp::cross(b, c)), volume / hdnnp::norm(hdnnp::cross(c, a)),
                                   volume / hdnnp::norm(hdnnp::cross(a, b))};
        for (int d = 0; d < 3; ++d) reach[d] = static_cast<int>(std::ceil(rc / heights[d]));
    }
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j)
            for (int p = -reach[0]; p <= reach[0]; ++p)
                for (int q = -reach[1]; q <= reach[1]; ++q)
                    for (int r = -reach[2]; r <= reach[2]; ++r) {
                        if (i == j && p == 0 && q == 0 && r == 0) continue;
                        double s[3] = {0, 0, 0};
                        for (int d = 0; d < 3; ++d) s[d] = p * cell[0][d] + q * cell[1][d] + r * cell[2][d];
                        double r2 = 0;
                        for (int d = 0; d < 3; ++d) {
                            const double dd = x[3 * j + d] + s[d] - x[3 * i + d];
                            r2 += dd * dd;
                        }
                        if (r2 >= rc * rc) continue;
                        nb.indices.push_back(static_cast<std::int64_t>(j));
                        nb.shifts.insert(nb.shifts.end(), s, s + 3);
                    }
        nb.offsets.push_back(nb.indices.size());
    }
    return nb;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: embed MODEL_DIR STRUCTURE.data\n");
        return 2;
    }
    try {
        const auto pot = hdnnp::Potential<>::load(argv[1]);
        const hdnnp::Structure s = hdnnp::io::read_input_data(argv[2]).at(0);

        // The host's own memory: flat positions, element indices, forces, per-atom energies and virials.
        const std::size_t n = s.size();
        std::vector<double> x(3 * n), f(3 * n, 0.0), e_atom(n, 0.0), w_atom(9 * n, 0.0);
        std::vector<int> type = pot.model().element_indices(s);
        for (std::size_t i = 0; i < n; ++i)
            for (int d = 0; d < 3; ++d) x[3 * i + d] = s.positions[i][d];
        const HostNeighbours nb = build(x, n, s.periodic, s.lattice, pot.cutoff());

        hdnnp::HostAtoms atoms{hdnnp::const_view(x.data(), n, 3), hdnnp::const_view(type.data(), n), n};
        atoms.periodic = s.periodic;
        atoms.cell = s.lattice;
        atoms.total_charge = s.total_charge;
        hdnnp::HostOutput out{hdnnp::view(f.data(), n, 3)};
        out.per_atom_energies = hdnnp::view(e_atom.data(), n);
        out.per_atom_virials = hdnnp::view(w_atom.data(), n, 3, 3);
        pot.compute(atoms, hdnnp::CsrNeighborList{n, nb.offsets.data(), nb.indices.data(), nb.shifts.data()}, out);

        // The library's own path on the same structure, for comparison.
        const hdnnp::Result ref = pot.compute(s);
        double df = 0.0, dw = 0.0, sum_e = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            for (int d = 0; d < 3; ++d) df = std::max(df, std::abs(f[3 * i + d] - ref.forces[i][d]));
            sum_e += e_atom[i];
        }
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) {
                double sum_w = 0.0;
                for (std::size_t i = 0; i < n; ++i) sum_w += w_atom[9 * i + 3 * a + b];
                dw = std::max({dw, std::abs(out.virial[a][b] - ref.virial[a][b]), std::abs(sum_w - out.virial[a][b])});
            }
        std::printf("atoms %zu neighbours %zu\n", n, nb.indices.size());
        std::printf("energy %.16e\n", out.energy);
        std::printf("energy difference to compute(structure) %.3e\n", std::abs(out.energy - ref.energy));
        std::printf("per-atom energies sum minus energy %.3e\n", std::abs(sum_e - out.energy));
        std::printf("largest force difference to compute(structure) %.3e\n", df);
        std::printf("largest virial difference to compute(structure) or the per-atom sum %.3e\n", dw);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "embed: %s\n", e.what());
        return 1;
    }
}
