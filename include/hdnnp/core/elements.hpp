// hdnnp: chemical element symbols, atomic numbers and standard atomic weights.
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

/// Standard atomic weights [u] by atomic number: IUPAC abridged (conventional) values to five significant
/// digits at most; for elements without a standard atomic weight, the mass number of the longest-lived isotope.
inline constexpr std::array<double, 119> atomic_weights = {
    0.0, 1.008, 4.0026, 6.94, 9.0122, 10.81, 12.011, 14.007, 15.999, 18.998, 20.180, 22.990,
    24.305, 26.982, 28.085, 30.974, 32.06, 35.45, 39.95, 39.098, 40.078, 44.956, 47.867, 50.942,
    51.996, 54.938, 55.845, 58.933, 58.693, 63.546, 65.38, 69.723, 72.630, 74.922, 78.971, 79.904,
    83.798, 85.468, 87.62, 88.906, 91.224, 92.906, 95.95, 98.0, 101.07, 102.91, 106.42, 107.87,
    112.41, 114.82, 118.71, 121.76, 127.60, 126.90, 131.29, 132.91, 137.33, 138.91, 140.12, 140.91,
    144.24, 145.0, 150.36, 151.96, 157.25, 158.93, 162.50, 164.93, 167.26, 168.93, 173.05, 174.97,
    178.49, 180.95, 183.84, 186.21, 190.23, 192.22, 195.08, 196.97, 200.59, 204.38, 207.2, 208.98,
    209.0, 210.0, 222.0, 223.0, 226.0, 227.0, 232.04, 231.04, 238.03, 237.0, 244.0, 243.0,
    247.0, 247.0, 251.0, 252.0, 257.0, 258.0, 259.0, 266.0, 267.0, 268.0, 269.0, 270.0,
    269.0, 278.0, 281.0, 282.0, 285.0, 286.0, 289.0, 290.0, 293.0, 294.0, 294.0};
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

/// Standard atomic weight [u] of an atomic number (1..118); 0 for anything else.
inline double atomic_weight(int z) {
    if (z < 1 || z >= static_cast<int>(detail::atomic_weights.size())) return 0.0;
    return detail::atomic_weights[static_cast<std::size_t>(z)];
}

/// Standard atomic weight [u] of an element symbol; 0 if the symbol is not an element.
inline double atomic_weight(std::string_view symbol) { return atomic_weight(atomic_number(symbol)); }

}  // namespace hdnnp
