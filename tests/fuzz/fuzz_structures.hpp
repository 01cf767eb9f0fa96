// hdnnp fuzzing: comparison of structures for the write -> read round trips of the structure harnesses.
#pragma once

#include <string>

#include "fuzz_common.hpp"
#include "hdnnp/core/structure.hpp"

namespace hdnnp::fuzz {

/// Empty if a and b hold the same atoms, cell, reference values and labels bit for bit; else what differs.
inline std::string difference(const Structure& a, const Structure& b) {
    if (a.size() != b.size()) return "atom count";
    if (a.periodic != b.periodic) return "periodicity";
    if (a.periodic)
        for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 3; ++c)
                if (!same(a.lattice[r][c], b.lattice[r][c])) return "lattice";
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a.symbols[i] != b.symbols[i]) return "symbol of atom " + std::to_string(i + 1);
        for (int k = 0; k < 3; ++k) {
            if (!same(a.positions[i][k], b.positions[i][k])) return "position of atom " + std::to_string(i + 1);
            if (!same(a.forces[i][k], b.forces[i][k])) return "force on atom " + std::to_string(i + 1);
        }
        if (!same(a.charges[i], b.charges[i])) return "charge of atom " + std::to_string(i + 1);
        if (!same(a.atom_extra[i], b.atom_extra[i])) return "atom_extra of atom " + std::to_string(i + 1);
    }
    if (a.has_energy != b.has_energy || (a.has_energy && !same(a.energy, b.energy))) return "energy";
    if (a.has_charge != b.has_charge || (a.has_charge && !same(a.total_charge, b.total_charge))) return "total charge";
    if (a.set != b.set) return "set";
    if (a.comment != b.comment) return "comment";
    return {};
}

}  // namespace hdnnp::fuzz
