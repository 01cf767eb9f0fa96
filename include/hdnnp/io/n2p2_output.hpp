// hdnnp: n2p2's prediction output files, so that `hdnnp predict` is a drop-in replacement for
// nnp-predict: energy.out, nnforces.out, nnatoms.out (same headers and columns), and the extrapolation
// warning line format of n2p2.
//   energy.out   conf natoms Eref Ennp Ediff=(Eref-Ennp)/natoms E_offset          (one row per structure)
//   nnforces.out conf index fxRef fyRef fzRef fx fy fz                           (one row per atom)
//   nnatoms.out  conf index Z Qref Qnnp Eref_atom Ennp_atom                       (one row per atom)
// conf and index start at 1. Units are those of the data. Ennp_atom has no mean_energy and no offset.
// hdnnp's own committee.out (`hdnnp predict --committee`): tagged lines,
//   E conf natoms E_mean E_spread E_spread/natoms     (one per structure)
//   F conf index element F_spread                     (one per atom)
// with the spreads the population standard deviations over the members (potential/committee.hpp).
#pragma once

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdarg>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "hdnnp/core/elements.hpp"
#include "hdnnp/potential/model.hpp"
#include "hdnnp/core/result.hpp"
#include "hdnnp/core/structure.hpp"

namespace hdnnp::io {

namespace detail_out {
inline std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
inline std::string fmt(const char* f, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, f);
    std::vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return buf;
}

/// One output row built with std::to_chars (the per-atom files: printf's %E was most of their writing time,
/// about 1.5 ms for 1080 atoms). Fields are separated by one space; the text equals printf's.
class Row {
public:
    /// printf("%<width>zu")
    Row& count(std::size_t v, int width) {
        char t[24];
        const auto res = std::to_chars(t, t + sizeof t, v);
        put(t, res.ptr, width);
        return *this;
    }
    /// printf("%<width>d")
    Row& integer(int v, int width) {
        char t[16];
        const auto res = std::to_chars(t, t + sizeof t, v);
        put(t, res.ptr, width);
        return *this;
    }
    /// printf("%24.16E"): std::to_chars gives the same correctly rounded digits; the exponent letter and
    /// inf/nan are upper-cased as %E does.
    Row& sci(double v) {
        char t[40];
        const auto res = std::to_chars(t, t + sizeof t, v, std::chars_format::scientific, 16);
        for (char* c = t; c != res.ptr; ++c) *c = static_cast<char>(std::toupper(static_cast<unsigned char>(*c)));
        put(t, res.ptr, 24);
        return *this;
    }
    /// Writes the row and a newline to o.
    void end(std::ostream& o) {
        buf_[n_++] = '\n';
        o.write(buf_, static_cast<std::streamsize>(n_));
        n_ = 0;
    }

private:
    void put(const char* b, const char* e, int width) {  // right-aligned in width, after a space
        if (n_ > 0) buf_[n_++] = ' ';
        const std::size_t len = static_cast<std::size_t>(e - b);
        for (std::size_t k = len; k < static_cast<std::size_t>(width); ++k) buf_[n_++] = ' ';
        std::copy(b, e, buf_ + n_);
        n_ += len;
    }
    char buf_[512];  // at most 10 fields of at most 40 characters and the spaces
    std::size_t n_ = 0;
};
}  // namespace detail_out

inline void write_energy_header(std::ostream& o) {
    o <<
        "################################################################################\n"
        "# Energy comparison.\n"
        "################################################################################\n"
        "# Col  Name     Description\n"
        "################################################################################\n"
        "# 1    conf     Configuration index (starting with 1).\n"
        "# 2    natoms   Number of atoms in configuration.\n"
        "# 3    Eref     Reference potential energy.\n"
        "# 4    Ennp     Potential energy predicted by NNP.\n"
        "# 5    Ediff    Difference in energy per atom between reference and NNP prediction.\n"
        "# 6    E_offset Sum of atomic offset energies (included in column Ennp).\n"
        "#########################################################################################################################\n"
        "#        1          2                        3                        4                        5                        6\n"
        "#     conf     natoms                     Eref                     Ennp                    Ediff                 E_offset\n"
        "#########################################################################################################################\n";
}
inline void write_nnforces_header(std::ostream& o) {
    o <<
        "################################################################################\n"
        "# Atomic force comparison (ordered by atom index).\n"
        "################################################################################\n"
        "# Col  Name  Description\n"
        "################################################################################\n"
        "# 1    conf  Configuration index (starting with 1).\n"
        "# 2    index Atom index (starting with 1).\n"
        "# 3    fxRef Reference force in x direction.\n"
        "# 4    fyRef Reference force in y direction.\n"
        "# 5    fzRef Reference force in z direction.\n"
        "# 6    fx    Force in x direction.\n"
        "# 7    fy    Force in y direction.\n"
        "# 8    fz    Force in z direction.\n"
        "###########################################################################################################################################################################\n"
        "#        1          2                        3                        4                        5                        6                        7                        8\n"
        "#     conf      index                    fxRef                    fyRef                    fzRef                       fx                       fy                       fz\n"
        "###########################################################################################################################################################################\n";
}
inline void write_nnatoms_header(std::ostream& o) {
    o <<
        "################################################################################\n"
        "# Energy contributions calculated from NNP.\n"
        "################################################################################\n"
        "# Col  Name      Description\n"
        "################################################################################\n"
        "# 1    conf      Configuration index (starting with 1).\n"
        "# 2    index     Atom index (starting with 1).\n"
        "# 3    Z         Nuclear charge of atom.\n"
        "# 4    Qref      Reference atomic charge.\n"
        "# 5    Qnnp      NNP atomic charge.\n"
        "# 6    Eref_atom Reference atomic energy contribution.\n"
        "# 7    Ennp_atom Atomic energy contribution (physical units, no mean or offset energy added).\n"
        "#############################################################################################################################\n"
        "#        1          2   3                        4                        5                        6                        7\n"
        "#     conf      index   Z                     Qref                     Qnnp                Eref_atom                Ennp_atom\n"
        "#############################################################################################################################\n";
}

/// Sum of the atom_energy offsets of a structure [energy].
inline double offset_energy(const Model& m, const Structure& s) {
    double e = 0.0;
    for (const auto& sym : s.symbols) {
        const int k = m.element_index(sym);
        if (k >= 0) e += m.elements[static_cast<std::size_t>(k)].atom_energy;
    }
    return e;
}

/// One energy.out row; conf is 1-based.
inline void write_energy_row(std::ostream& o, std::size_t conf, const Model& m, const Structure& s, const Result& r) {
    const double n = static_cast<double>(s.size());
    o << detail_out::fmt("%10zu %10zu %24.16E %24.16E %24.16E %24.16E\n", conf, s.size(), s.energy, r.energy,
                         (s.energy - r.energy) / n, offset_energy(m, s));
}

/// nnforces.out rows of one structure.
inline void write_nnforces_rows(std::ostream& o, std::size_t conf, const Structure& s, const Result& r) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        const Vec3 fr = i < s.forces.size() ? s.forces[i] : Vec3{0, 0, 0};
        const Vec3 f = i < r.forces.size() ? r.forces[i] : Vec3{0, 0, 0};
        detail_out::Row()  // %10zu %10zu, then %24.16E six times
            .count(conf, 10).count(i + 1, 10)
            .sci(fr[0]).sci(fr[1]).sci(fr[2]).sci(f[0]).sci(f[1]).sci(f[2])
            .end(o);
    }
}

/// nnatoms.out rows of one structure; charges: predicted charges (empty for 2G: written as 0).
inline void write_nnatoms_rows(std::ostream& o, std::size_t conf, const Structure& s, const Result& r,
                               const std::vector<double>& charges = {}) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        const double qref = i < s.charges.size() ? s.charges[i] : 0.0;
        const double q = i < charges.size() ? charges[i] : 0.0;
        detail_out::Row()  // %10zu %10zu %3d, then %24.16E four times
            .count(conf, 10).count(i + 1, 10).integer(atomic_number(s.symbols[i]), 3)
            .sci(qref).sci(q).sci(0.0).sci(r.atomic_energies[i])
            .end(o);
    }
}

/// n2p2's extrapolation warning line (structure and atom indices 0-based, as n2p2 prints them).
inline std::string extrapolation_line(std::size_t structure, const ExtrapolationWarning& w) {
    return detail_out::fmt("### NNP EXTRAPOLATION WARNING ### STRUCTURE: %6zu ATOM: %9zu ELEMENT: %2s SYMFUNC: %4zu TYPE: %2d "
                           "VALUE: %10.3E MIN: %10.3E MAX: %10.3E\n",
                           structure, w.atom, w.element.c_str(), w.function, w.type, w.value, w.min, w.max);
}

/// Header of committee.out (hdnnp's own format; see the top of this file).
inline void write_committee_header(std::ostream& o, std::size_t members) {
    o << "################################################################################\n"
         "# Committee disagreement of " << members << " models (hdnnp predict --committee).\n"
         "# Spreads are population standard deviations over the members:\n"
         "#   E_spread = sqrt(1/M sum_m (E_m - E_mean)^2), F_spread = sqrt(1/M sum_m |F_m - F_mean|^2).\n"
         "# Units: those of the models' data (energy, energy/length).\n"
         "################################################################################\n"
         "# Line types (first column):\n"
         "#   E  conf  natoms  E_mean  E_spread  E_spread_per_atom      one line per structure\n"
         "#   F  conf  index  element  F_spread                        one line per atom (index from 1)\n"
         "################################################################################\n";
}

/// committee.out lines of one structure: energy mean and spread, per-atom force spreads (shape (N), may be
/// empty without forces).
inline void write_committee_rows(std::ostream& o, std::size_t conf, const Structure& s, double mean, double spread,
                                 const std::vector<double>& force_spread) {
    using detail_out::fmt;
    const double n = static_cast<double>(s.size());
    o << fmt("E %8zu %8zu %24.16E %24.16E %24.16E\n", conf, s.size(), mean, spread, n > 0 ? spread / n : 0.0);
    for (std::size_t i = 0; i < force_spread.size() && i < s.size(); ++i)
        o << fmt("F %8zu %8zu %-3s %24.16E\n", conf, i + 1, s.symbols[i].c_str(), force_spread[i]);
}

}  // namespace hdnnp::io
