// hdnnp: chemical element symbols and atomic numbers.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace hdnnp {

namespace detail {
inline constexpr std::array<std::string_view, 119> element_symbols = {
    "",   "H",  "He", "Li", "Be", "B",  "C",  "N",  "O",  "F",  "Ne", "Na", "Mg", "Al", "Si", "P",  "S",
    "Cl", "Ar", "K",  "Ca", "Sc", "Ti", "V",  "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "Ga", "Ge", "As",
    "Se", "Br", "Kr", "Rb", "Sr", "Y",  "Zr", "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag", "Cd", "In", "Sn",
    "Sb", "Te", "I",  "Xe", "Cs", "Ba", "La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho",
    "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W",  "Re", "Os", "Ir", "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Po",
    "At", "Rn", "Fr", "Ra", "Ac", "Th", "Pa", "U",  "Np", "Pu", "Am", "Cm", "Bk", "Cf", "Es", "Fm", "Md",
    "No", "Lr", "Rf", "Db", "Sg", "Bh", "Hs", "Mt", "Ds", "Rg", "Cn", "Nh", "Fl", "Mc", "Lv", "Ts", "Og"};
}  // namespace detail

/// Atomic number of an element symbol ("H" -> 1, "Cu" -> 29); 0 if the symbol is not an element.
inline int atomic_number(std::string_view symbol) {
    for (std::size_t z = 1; z < detail::element_symbols.size(); ++z)
        if (detail::element_symbols[z] == symbol) return static_cast<int>(z);
    return 0;
}

/// Element symbol of an atomic number (1..118); empty for anything else.
inline std::string element_symbol(int z) {
    if (z < 1 || z >= static_cast<int>(detail::element_symbols.size())) return {};
    return std::string(detail::element_symbols[static_cast<std::size_t>(z)]);
}

}  // namespace hdnnp
