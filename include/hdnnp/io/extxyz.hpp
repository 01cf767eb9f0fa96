// hdnnp: reading and writing extended XYZ (the format of ASE, QUIP, ...), many frames per file.
//
//   2
//   Lattice="ax ay az bx by bz cx cy cz" Properties=species:S:1:pos:R:3:forces:R:3 energy=-1.5 pbc="T T T"
//   H  0.0 0.0 0.0  0.1 0.0 0.0
//   H  0.7 0.0 0.0 -0.1 0.0 0.0
//
// Line 1 of a frame is the atom count, line 2 a list of key=value pairs (values may be quoted with
// "..." or '...' or grouped with {...} / [...], as in ASE; a key without '=' is a true flag), then
// one line per atom whose columns are described by Properties (name:type:width triplets, type
// S/R/I/L). Recognised keys (case-insensitive): Lattice, Properties (default species:S:1:pos:R:3),
// pbc, energy, charge, set, comment. Recognised columns: species (S:1, required), pos (R:3,
// required), forces or force (R:3), charges (R:1; else charge or initial_charges, as ASE writes
// them) and atom_extra (R:1, n2p2's unused per-atom value). Other columns are skipped; other keys
// are kept verbatim in Structure::comment after the value of the `comment` key. Only fully
// periodic (pbc "T T T", the default when a Lattice is given) or non-periodic frames are
// supported. Errors are hdnnp::ParseError "FILE:LINE: message".
#pragma once

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <fstream>
#include <istream>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "hdnnp/core/elements.hpp"
#include "hdnnp/core/error.hpp"
#include "hdnnp/core/structure.hpp"
#include "hdnnp/core/vec3.hpp"
#include "hdnnp/io/line_reader.hpp"
#include "hdnnp/io/input_data.hpp"
#include "hdnnp/io/limits.hpp"

namespace hdnnp::io {

namespace detail {

inline bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
        const char y = (b[i] >= 'A' && b[i] <= 'Z') ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
        if (x != y) return false;
    }
    return true;
}

/// One key=value pair of an extxyz comment line. `raw` is the pair as written in the file.
struct ExtxyzPair {
    std::string key;
    std::string value;
    std::string raw;
};

/// Splits an extxyz comment line into key=value pairs with the rules of ASE's key_val_str_to_dict:
/// whitespace separates pairs; "...", '...', {...} and [...] group text containing spaces (the
/// delimiters are dropped); a backslash takes the next character literally; spaces around '=' are
/// allowed; a key without '=' is a true flag ("T"). An unterminated delimiter is an error.
inline std::vector<ExtxyzPair> parse_extxyz_pairs(std::string_view text, const std::string& file, std::size_t line) {
    struct Work {
        std::vector<std::string> fields{std::string()};  // key, then value pieces split at '='
        std::size_t start = std::string_view::npos, end = 0;
        bool empty() const { return fields.size() == 1 && fields[0].empty(); }
    };
    std::vector<Work> work(1);
    auto mark = [&](std::size_t i) {
        Work& w = work.back();
        if (w.start == std::string_view::npos) w.start = i;
        w.end = i + 1;
    };
    char closing = 0;
    std::size_t open_column = 0;
    bool escaped = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        // A CR inside a quoted or escaped value would put a line break into the structure's comment or set,
        // which no line-based format can hold (outside values it is whitespace, as in CRLF files).
        if (c == '\r' && (escaped || closing))
            throw ParseError(file, line, "carriage return (CR) inside a quoted or escaped value at column " + std::to_string(i + 1) +
                                             ": expected the value on one line");
        if (escaped) {
            work.back().fields.back() += c;
            mark(i);
            escaped = false;
        } else if (c == '\\') {
            escaped = true;
            mark(i);
        } else if (closing) {
            if (c != closing) work.back().fields.back() += c;
            if (c == closing) closing = 0;
            mark(i);
        } else if (c == '"' || c == '\'' || c == '{' || c == '[') {
            closing = c == '{' ? '}' : c == '[' ? ']' : c;
            open_column = i + 1;
            mark(i);
        } else if (is_space(c)) {
            if (work.back().fields.back().empty()) continue;
            work.emplace_back();
        } else if (c == '=') {
            if (work.back().empty()) {
                if (work.size() == 1) throw ParseError(file, line, "'=' without a key at column " + std::to_string(i + 1));
                work.pop_back();
            }
            work.back().fields.emplace_back();
            mark(i);
        } else {
            work.back().fields.back() += c;
            mark(i);
        }
    }
    if (closing)
        throw ParseError(file, line, std::string("unterminated '") + text[open_column - 1] + "' starting at column " +
                                         std::to_string(open_column) + ": expected a closing '" + closing + "'");
    if (escaped) throw ParseError(file, line, "line ends with a lone backslash");
    std::vector<ExtxyzPair> pairs;
    for (const Work& w : work) {
        if (w.empty()) continue;
        ExtxyzPair p;
        p.key = w.fields[0];
        if (p.key.empty()) throw ParseError(file, line, "empty key at column " + std::to_string(w.start + 1));
        if (w.fields.size() == 1) {
            p.value = "T";  // a bare key is a true flag
        } else {
            for (std::size_t k = 1; k < w.fields.size(); ++k) {
                if (k > 1) p.value += '=';
                p.value += w.fields[k];
            }
        }
        p.raw = std::string(text.substr(w.start, w.end - w.start));
        pairs.push_back(std::move(p));
    }
    return pairs;
}

/// Quotes a string for an extxyz comment line (backslash before '"' and '\').
inline std::string quote_extxyz(const std::string& s) {
    std::string q = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') q += '\\';
        q += c;
    }
    q += '"';
    return q;
}

/// One column group of Properties.
struct ExtxyzColumn {
    std::string name;
    char type = 'R';
    std::size_t width = 1;
    std::size_t offset = 0;  ///< index of the first field on an atom line
};

}  // namespace detail

/// Streaming reader of an extended XYZ file, one frame per call of next().
/// After next() has thrown, the reader must not be used again.
class ExtxyzReader : public detail::LineReader {
public:
    /// Opens `path`; throws ParseError "PATH: cannot open file for reading" if it cannot be read.
    explicit ExtxyzReader(const std::string& path) : LineReader(path) {}

    /// Reads from a stream the caller keeps alive; `filename` is used in error messages.
    ExtxyzReader(std::istream& in, std::string filename) : LineReader(in, std::move(filename)) {}

    ExtxyzReader(ExtxyzReader&&) noexcept = default;
    ExtxyzReader& operator=(ExtxyzReader&&) noexcept = default;
    ExtxyzReader(const ExtxyzReader&) = delete;
    ExtxyzReader& operator=(const ExtxyzReader&) = delete;

    /// Reads the next frame into `s` (replacing its contents). Returns false at the end of the file
    /// (only blank lines left), leaving `s` unchanged. Throws ParseError on malformed input.
    inline bool next(Structure& s);


private:
    bool getline() { return read_line(); }


    inline std::vector<detail::ExtxyzColumn> parse_properties(const std::string& value) const;

    std::vector<std::string_view> tokens_;
};

inline std::vector<detail::ExtxyzColumn> ExtxyzReader::parse_properties(const std::string& value) const {
    std::vector<std::string_view> parts;
    std::string_view rest(value);
    for (;;) {
        const std::size_t colon = rest.find(':');
        parts.push_back(rest.substr(0, colon));
        if (colon == std::string_view::npos) break;
        rest.remove_prefix(colon + 1);
    }
    if (parts.size() % 3 != 0)
        fail("Properties '" + value + "' has " + std::to_string(parts.size()) +
             " ':'-separated fields: expected name:type:width triplets");
    std::vector<detail::ExtxyzColumn> columns;
    std::size_t offset = 0;
    for (std::size_t k = 0; k < parts.size(); k += 3) {
        detail::ExtxyzColumn c;
        c.name = std::string(parts[k]);
        if (c.name.empty()) fail("Properties '" + value + "' has an empty column name");
        for (const auto& other : columns)
            if (other.name == c.name) fail("Properties lists column '" + c.name + "' twice");
        if (parts[k + 1].size() != 1 || std::string_view("SRIL").find(parts[k + 1][0]) == std::string_view::npos)
            fail("Properties column '" + c.name + "' has type '" + std::string(parts[k + 1]) +
                 "': expected S, R, I or L");
        c.type = parts[k + 1][0];
        const std::string_view w = parts[k + 2];
        const auto res = std::from_chars(w.data(), w.data() + w.size(), c.width);
        if (w.empty() || res.ec != std::errc() || res.ptr != w.data() + w.size() || c.width == 0 || c.width > 1000)
            fail("Properties column '" + c.name + "' has width '" + std::string(w) + "': expected a positive integer");
        c.offset = offset;
        offset += c.width;
        auto require = [&](char type, std::size_t width) {
            if (c.type != type || c.width != width)
                fail("Properties column '" + c.name + "' is " + std::string(1, c.type) + ":" +
                     std::to_string(c.width) + ": expected " + std::string(1, type) + ":" + std::to_string(width));
        };
        if (c.name == "species") require('S', 1);
        if (c.name == "pos" || c.name == "forces" || c.name == "force") require('R', 3);
        if (c.name == "charges" || c.name == "charge" || c.name == "initial_charges" || c.name == "atom_extra")
            require('R', 1);
        columns.push_back(std::move(c));
    }
    return columns;
}

inline bool ExtxyzReader::next(Structure& out) {
    // Atom count (blank lines between frames are skipped).
    for (;;) {
        if (!getline()) return false;
        detail::split_whitespace(line_, tokens_);
        if (!tokens_.empty()) break;
    }
    const std::size_t count_line = line_no_;
    std::size_t natoms = 0;
    {
        const std::string_view t = tokens_[0];
        const auto res = std::from_chars(t.data(), t.data() + t.size(), natoms);
        if (tokens_.size() != 1 || res.ec != std::errc() || res.ptr != t.data() + t.size())
            fail("expected the atom count of a frame (a single non-negative integer), got '" +
                 std::string(detail::trim(line_)) + "'");
        if (natoms == 0) fail("frame has 0 atoms: expected at least one");
        if (natoms > limits::max_atoms)
            fail("frame declares " + std::to_string(natoms) + " atoms, more than the limit of " +
                 std::to_string(limits::max_atoms) + " (hdnnp::io::limits::max_atoms)");
    }

    // Comment line with key=value pairs.
    if (!getline())
        throw ParseError(filename_, line_no_ + 1,
                         "unexpected end of file: expected the comment line of the frame begun at line " +
                             std::to_string(count_line));
    Structure s;
    std::string properties = "species:S:1:pos:R:3";
    bool have_lattice = false, have_pbc = false, pbc = false;
    std::vector<std::string> seen;
    std::string comment_key, unknown;
    for (const auto& p : detail::parse_extxyz_pairs(line_, filename_, line_no_)) {
        static const char* known[] = {"lattice", "properties", "pbc", "energy", "charge", "set", "comment"};
        const auto* k = std::find_if(std::begin(known), std::end(known),
                                     [&](const char* name) { return detail::iequals(p.key, name); });
        if (k == std::end(known)) {
            if (!unknown.empty()) unknown += ' ';
            unknown += p.raw;
            continue;
        }
        const std::string key(*k);
        if (std::find(seen.begin(), seen.end(), key) != seen.end()) fail("key '" + p.key + "' given twice");
        seen.push_back(key);
        if (key == "lattice") {
            std::vector<std::string_view> v;
            detail::split_whitespace(p.value, v);
            if (v.size() != 9)
                fail("Lattice has " + std::to_string(v.size()) +
                     " numbers: expected 9 (\"ax ay az bx by bz cx cy cz\")");
            for (std::size_t j = 0; j < 9; ++j)
                s.lattice[j / 3][j % 3] = detail::parse_finite(v[j], filename_, line_no_, "Lattice component");
            have_lattice = true;
        } else if (key == "properties") {
            properties = p.value;
        } else if (key == "pbc") {
            std::vector<std::string_view> v;
            detail::split_whitespace(p.value, v);
            int n_true = 0;
            for (std::string_view b : v) {
                if (detail::iequals(b, "T") || detail::iequals(b, "True"))
                    ++n_true;
                else if (!detail::iequals(b, "F") && !detail::iequals(b, "False"))
                    fail("pbc value '" + std::string(b) + "': expected T or F");
            }
            if (v.size() != 3) fail("pbc has " + std::to_string(v.size()) + " values: expected 3 (\"T T T\")");
            if (n_true != 0 && n_true != 3)
                fail("pbc \"" + p.value + "\" (periodic in some directions only) is not supported: expected \"T T T\" or \"F F F\"");
            have_pbc = true;
            pbc = n_true == 3;
        } else if (key == "energy") {
            s.energy = detail::parse_finite(detail::trim(p.value), filename_, line_no_, "energy");
            s.has_energy = true;
        } else if (key == "charge") {
            s.total_charge = detail::parse_finite(detail::trim(p.value), filename_, line_no_, "total charge");
            s.has_charge = true;
        } else if (key == "set") {
            s.set = p.value;
        } else {
            comment_key = p.value;
        }
    }
    // A CR between the pairs is whitespace, but the text of other keys is kept as written, and a CR next to '='
    // ("key\r=value") would put a line break into the comment. CR belongs only at the end of a line (CRLF).
    {
        const std::string_view text = detail::trim(line_);
        const std::size_t cr = text.find('\r');
        if (cr != std::string_view::npos)
            fail("carriage return (CR) at column " + std::to_string(static_cast<std::size_t>(text.data() - line_.data()) + cr + 1) +
                 " of the key=value line: expected CR only at the end of a line (CRLF)");
    }
    s.comment = comment_key;
    if (!unknown.empty()) s.comment += (s.comment.empty() ? "" : " ") + unknown;
    s.periodic = have_pbc ? pbc : have_lattice;
    if (s.periodic && !have_lattice) fail("pbc is \"T T T\" but there is no Lattice: expected a Lattice key");

    const auto columns = parse_properties(properties);
    std::size_t width = 0;
    const detail::ExtxyzColumn *species = nullptr, *pos = nullptr, *forces = nullptr, *charges = nullptr,
                               *charge = nullptr, *initial_charges = nullptr, *extra = nullptr;
    for (const auto& c : columns) {
        width += c.width;
        if (c.name == "species") species = &c;
        if (c.name == "pos") pos = &c;
        if (c.name == "forces" || (c.name == "force" && !forces)) forces = &c;
        if (c.name == "charges") charges = &c;
        if (c.name == "charge") charge = &c;  // ASE 3.22 writes calculator charges as charge:R:1
        if (c.name == "initial_charges") initial_charges = &c;
        if (c.name == "atom_extra") extra = &c;
    }
    if (!charges) charges = charge ? charge : initial_charges;
    if (!species) fail("Properties '" + properties + "' has no species column: expected species:S:1");
    if (!pos) fail("Properties '" + properties + "' has no pos column: expected pos:R:3");

    // The arrays grow with the atom lines actually read (a short file with a huge count allocates nothing big).
    const std::size_t first = std::min<std::size_t>(natoms, 4096);
    s.positions.reserve(first);
    s.symbols.reserve(first);
    s.charges.reserve(first);
    s.atom_extra.reserve(first);
    s.forces.reserve(first);
    for (std::size_t i = 0; i < natoms; ++i) {
        if (!getline())
            throw ParseError(filename_, line_no_ + 1,
                             "unexpected end of file: expected " + std::to_string(natoms) +
                                 " atom lines for the frame begun at line " + std::to_string(count_line) + ", got " +
                                 std::to_string(i));
        detail::split_whitespace(line_, tokens_);
        if (tokens_.size() != width)
            fail("atom line has " + std::to_string(tokens_.size()) + " fields: expected " + std::to_string(width) +
                 " (Properties=" + properties + ")");
        const std::string_view symbol = tokens_[species->offset];
        if (atomic_number(symbol) == 0)
            fail("unknown element symbol '" + std::string(symbol) + "': expected a chemical element (e.g. 'H', 'Cu')");
        static const char* pos_names[] = {"x coordinate", "y coordinate", "z coordinate"};
        static const char* force_names[] = {"force x component", "force y component", "force z component"};
        Vec3 r{0, 0, 0}, f{0, 0, 0};
        double q = 0.0, x = 0.0;
        for (std::size_t k = 0; k < 3; ++k)
            r[k] = detail::parse_finite(tokens_[pos->offset + k], filename_, line_no_, pos_names[k]);
        if (forces)
            for (std::size_t k = 0; k < 3; ++k)
                f[k] = detail::parse_finite(tokens_[forces->offset + k], filename_, line_no_, force_names[k]);
        if (charges) q = detail::parse_finite(tokens_[charges->offset], filename_, line_no_, "atomic charge");
        if (extra) x = detail::parse_finite(tokens_[extra->offset], filename_, line_no_, "atom_extra value");
        s.symbols.emplace_back(symbol);
        s.positions.push_back(r);
        s.forces.push_back(f);
        s.charges.push_back(q);
        s.atom_extra.push_back(x);
    }
    out = std::move(s);
    return true;
}

/// Reads every frame of an extended XYZ stream; `filename` is used in error messages.
inline std::vector<Structure> read_extxyz(std::istream& in, const std::string& filename) {
    ExtxyzReader reader(in, filename);
    std::vector<Structure> result;
    Structure s;
    while (reader.next(s)) result.push_back(std::move(s));
    return result;
}

/// Reads every frame of an extended XYZ file.
inline std::vector<Structure> read_extxyz(const std::string& path) {
    ExtxyzReader reader(path);
    std::vector<Structure> result;
    Structure s;
    while (reader.next(s)) result.push_back(std::move(s));
    return result;
}

/// Writes one frame with 17 significant digits (bit-exact when read back). Forces, charges and
/// energy are the given (e.g. predicted) values, or the structure's reference values when null; the
/// energy is written only if given or s.has_energy. Columns: species, pos, forces, charges, and
/// atom_extra when any value is nonzero. Keys: Lattice and pbc="T T T" (periodic) or pbc="F F F",
/// Properties, energy, charge (if has_charge), set (if not empty), comment (if not empty).
/// Throws hdnnp::Error for inconsistent array sizes or a symbol that is not an element.
inline void write_extxyz(std::ostream& out, const Structure& s, const std::vector<Vec3>* forces = nullptr,
                         const std::vector<double>* charges = nullptr, const double* energy = nullptr) {
    detail::check_writable(s, "write_extxyz");
    const std::size_t n = s.size();
    if (forces && forces->size() != n)
        throw Error("write_extxyz: " + std::to_string(forces->size()) + " forces given for " + std::to_string(n) + " atoms");
    if (charges && charges->size() != n)
        throw Error("write_extxyz: " + std::to_string(charges->size()) + " charges given for " + std::to_string(n) + " atoms");
    if (s.comment.find_first_of("\n\r") != std::string::npos || s.set.find_first_of("\n\r") != std::string::npos)
        throw Error("write_extxyz: comment or set contains a line break");
    const bool write_extra =
        std::any_of(s.atom_extra.begin(), s.atom_extra.end(), [](double x) { return x != 0.0; });

    std::string text;
    text.reserve(256 + n * 200);
    text += std::to_string(n);
    text += '\n';
    if (s.periodic) {
        text += "Lattice=\"";
        for (std::size_t j = 0; j < 9; ++j) {
            if (j) text += ' ';
            detail::append_scientific(text, s.lattice[j / 3][j % 3], 0);
        }
        text += "\" ";
    }
    text += "Properties=species:S:1:pos:R:3:forces:R:3:charges:R:1";
    if (write_extra) text += ":atom_extra:R:1";
    if (energy || s.has_energy) {
        text += " energy=";
        detail::append_scientific(text, energy ? *energy : s.energy, 0);
    }
    if (s.has_charge) {
        text += " charge=";
        detail::append_scientific(text, s.total_charge, 0);
    }
    text += s.periodic ? " pbc=\"T T T\"" : " pbc=\"F F F\"";
    if (!s.set.empty()) text += " set=" + detail::quote_extxyz(s.set);
    if (!s.comment.empty()) text += " comment=" + detail::quote_extxyz(s.comment);
    text += '\n';

    for (std::size_t i = 0; i < n; ++i) {
        if (atomic_number(s.symbols[i]) == 0)
            throw Error("write_extxyz: atom " + std::to_string(i + 1) + " has unknown element symbol '" + s.symbols[i] + "'");
        text += s.symbols[i];
        if (s.symbols[i].size() < 2) text += ' ';
        for (double x : s.positions[i]) {
            text += ' ';
            detail::append_scientific(text, x);
        }
        const Vec3 f = forces ? (*forces)[i] : (s.forces.empty() ? Vec3{0, 0, 0} : s.forces[i]);
        for (double x : f) {
            text += ' ';
            detail::append_scientific(text, x);
        }
        text += ' ';
        detail::append_scientific(text, charges ? (*charges)[i] : (s.charges.empty() ? 0.0 : s.charges[i]));
        if (write_extra) {
            text += ' ';
            detail::append_scientific(text, s.atom_extra[i]);
        }
        text += '\n';
    }
    out << text;
}

/// Writes the frames one after another to `path` (reference values of each structure), replacing
/// the file, or appending when `append` is true. Throws hdnnp::Error if the file cannot be written.
inline void write_extxyz(const std::string& path, const std::vector<Structure>& structures, bool append = false) {
    std::ofstream out(path, append ? std::ios::app : std::ios::trunc);
    if (!out) throw Error(path + ": cannot open file for writing");
    for (const Structure& s : structures) write_extxyz(out, s);
    out.flush();
    if (!out) throw Error(path + ": write failed");
}

}  // namespace hdnnp::io
