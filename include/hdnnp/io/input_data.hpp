// hdnnp: reading and writing n2p2's input.data structure format.
//
//   begin [set=train|set=test]
//   comment free text                     (0 or 1 line)
//   lattice ax ay az                      (0 or 3 lines: rows a, b, c -> periodic)
//   atom x y z Element q n fx fy fz       (1 or more lines, all 10 fields)
//   energy E                              (optional)
//   charge Q                              (optional)
//   end
//
// Many structures per file; blank lines between structures are allowed. Keywords may appear in any
// order between `begin` and `end` (some files put `comment` after `energy`). The reader is strict:
// every problem is a hdnnp::ParseError "FILE:LINE: message". Unlike n2p2 the reader does NOT wrap
// atoms of periodic structures into the cell; call wrap_into_cell() for that.
//
// Numbers are parsed with std::from_chars and written with std::to_chars, so both directions are
// independent of the C locale and a write -> read round trip reproduces every double bit for bit.
#pragma once

#include <charconv>
#include <cmath>
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

namespace hdnnp::io {

namespace detail {

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

/// Splits a line at whitespace; the views point into `line`.
inline void split_whitespace(std::string_view line, std::vector<std::string_view>& tokens) {
    tokens.clear();
    std::size_t i = 0;
    const std::size_t n = line.size();
    while (i < n) {
        while (i < n && is_space(line[i])) ++i;
        if (i == n) break;
        const std::size_t start = i;
        while (i < n && !is_space(line[i])) ++i;
        tokens.push_back(line.substr(start, i - start));
    }
}

/// Removes leading and trailing whitespace.
inline std::string_view trim(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && is_space(s[b])) ++b;
    while (e > b && is_space(s[e - 1])) --e;
    return s.substr(b, e - b);
}

/// Parses the whole token as a double (a leading '+' is accepted). False if the token is not
/// entirely a number or is out of range. NaN and inf are parsed; callers check finiteness.
inline bool parse_double(std::string_view token, double& value) {
    const char* first = token.data();
    const char* last = first + token.size();
    if (first != last && *first == '+') {
        ++first;
        if (first != last && (*first == '+' || *first == '-')) return false;
    }
    if (first == last) return false;
    const auto result = std::from_chars(first, last, value, std::chars_format::general);
    return result.ec == std::errc() && result.ptr == last;
}

/// Parses a finite double or throws ParseError naming the field.
inline double parse_finite(std::string_view token, const std::string& file, std::size_t line, const char* what) {
    double v = 0.0;
    if (!parse_double(token, v))
        throw ParseError(file, line, std::string("invalid ") + what + " '" + std::string(token) +
                                         "': expected a number");
    if (!std::isfinite(v))
        throw ParseError(file, line, std::string("invalid ") + what + " '" + std::string(token) +
                                         "': expected a finite number (not NaN or inf)");
    return v;
}

/// Appends v in scientific notation with 17 significant digits ("-1.2345678901234567E+00"),
/// right-aligned in `width` characters (n2p2's %24.16E).
inline void append_scientific(std::string& out, double v, std::size_t width = 24) {
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific, 16);
    const std::size_t len = static_cast<std::size_t>(res.ptr - buf);
    for (std::size_t i = 0; i < len; ++i)
        if (buf[i] == 'e') buf[i] = 'E';
    if (len < width) out.append(width - len, ' ');
    out.append(buf, len);
}

/// Throws hdnnp::Error unless the per-atom arrays of `s` are consistent. charges, atom_extra and
/// forces may be empty (meaning zeros) or have one entry per atom.
inline void check_writable(const Structure& s, const char* what) {
    const std::size_t n = s.positions.size();
    auto bad = [&](const char* name, std::size_t m) {
        throw Error(std::string(what) + ": structure has " + std::to_string(n) + " positions but " +
                    std::to_string(m) + " " + name);
    };
    if (s.symbols.size() != n) bad("element symbols", s.symbols.size());
    if (!s.charges.empty() && s.charges.size() != n) bad("charges", s.charges.size());
    if (!s.atom_extra.empty() && s.atom_extra.size() != n) bad("atom_extra values", s.atom_extra.size());
    if (!s.forces.empty() && s.forces.size() != n) bad("forces", s.forces.size());
}

}  // namespace detail

/// Streaming reader of an input.data file: one structure per call of next(), so training sets that
/// do not fit in memory can be processed. After next() has thrown, the reader must not be used again.
class InputDataReader : public detail::LineReader {
public:
    /// Opens `path`; throws ParseError "PATH: cannot open file for reading" if it cannot be read.
    explicit InputDataReader(const std::string& path) : LineReader(path) {}

    /// Reads from a stream the caller keeps alive; `filename` is used in error messages.
    InputDataReader(std::istream& in, std::string filename) : LineReader(in, std::move(filename)) {}

    InputDataReader(InputDataReader&&) noexcept = default;
    InputDataReader& operator=(InputDataReader&&) noexcept = default;
    InputDataReader(const InputDataReader&) = delete;
    InputDataReader& operator=(const InputDataReader&) = delete;

    /// Reads the next structure into `s` (replacing its contents). Returns false at the end of the
    /// file (only blank lines left), in which case `s` is unchanged. Throws ParseError on malformed input.
    inline bool next(Structure& s);


private:
    bool getline() {
        if (!read_line()) return false;
        detail::split_whitespace(line_, tokens_);
        return true;
    }


    void expect_fields(std::size_t count, const char* usage) const {
        if (tokens_.size() != count)
            fail("'" + std::string(tokens_[0]) + "' line has " + std::to_string(tokens_.size()) +
                 " fields: expected '" + usage + "'");
    }

    double number(std::size_t index, const char* what) const {
        return detail::parse_finite(tokens_[index], filename_, line_no_, what);
    }

    std::vector<std::string_view> tokens_;
};

inline bool InputDataReader::next(Structure& out) {
    // Skip blank lines up to `begin`.
    for (;;) {
        if (!getline()) return false;
        if (tokens_.empty()) continue;
        if (tokens_[0] == "begin") break;
        if (tokens_[0] == "comment" || tokens_[0] == "lattice" || tokens_[0] == "atom" || tokens_[0] == "energy" ||
            tokens_[0] == "charge" || tokens_[0] == "end")
            fail("'" + std::string(tokens_[0]) + "' outside a structure: expected 'begin'");
        fail("unknown keyword '" + std::string(tokens_[0]) + "': expected 'begin'");
    }

    Structure s;
    const std::size_t begin_line = line_no_;
    if (tokens_.size() > 2) fail("too many fields after 'begin': expected 'begin [set=train|set=test]'");
    if (tokens_.size() == 2) {
        if (tokens_[1] == "set=train")
            s.set = "train";
        else if (tokens_[1] == "set=test")
            s.set = "test";
        else
            fail("unexpected '" + std::string(tokens_[1]) + "' after 'begin': expected 'set=train' or 'set=test'");
    }

    std::size_t lattice_lines = 0, comment_line = 0, energy_line = 0, charge_line = 0;
    auto duplicate = [&](std::size_t first_line, const char* keyword) {
        if (first_line)
            fail(std::string("second '") + keyword + "' line in one structure (first at line " +
                 std::to_string(first_line) + "): expected at most one");
    };

    for (;;) {
        if (!getline())
            throw ParseError(filename_, begin_line,
                             "structure begun here has no 'end': reached the end of the file");
        if (tokens_.empty()) continue;
        const std::string_view key = tokens_[0];
        if (key == "atom") {
            if (tokens_.size() != 10)
                fail("'atom' line has " + std::to_string(tokens_.size()) +
                     " fields: expected 10 ('atom x y z Element q n fx fy fz')");
            const Vec3 r{number(1, "x coordinate"), number(2, "y coordinate"), number(3, "z coordinate")};
            const std::string_view symbol = tokens_[4];
            if (atomic_number(symbol) == 0)
                fail("unknown element symbol '" + std::string(symbol) + "': expected a chemical element (e.g. 'H', 'Cu')");
            const double q = number(5, "atomic charge q");
            const double extra = number(6, "atom field n");
            const Vec3 f{number(7, "force x component"), number(8, "force y component"),
                         number(9, "force z component")};
            s.positions.push_back(r);
            s.symbols.emplace_back(symbol);
            s.charges.push_back(q);
            s.atom_extra.push_back(extra);
            s.forces.push_back(f);
        } else if (key == "lattice") {
            expect_fields(4, "lattice ax ay az");
            if (lattice_lines == 3) fail("fourth 'lattice' line: a structure has 0 or 3 lattice lines");
            s.lattice[lattice_lines] = {number(1, "lattice x component"), number(2, "lattice y component"),
                                        number(3, "lattice z component")};
            ++lattice_lines;
        } else if (key == "energy") {
            duplicate(energy_line, "energy");
            expect_fields(2, "energy E");
            s.energy = number(1, "energy");
            s.has_energy = true;
            energy_line = line_no_;
        } else if (key == "charge") {
            duplicate(charge_line, "charge");
            expect_fields(2, "charge Q");
            s.total_charge = number(1, "total charge");
            s.has_charge = true;
            charge_line = line_no_;
        } else if (key == "comment") {
            duplicate(comment_line, "comment");
            // The text after the keyword, with the surrounding whitespace removed.
            const std::string_view line(line_);
            const std::size_t after = static_cast<std::size_t>(tokens_[0].data() - line.data()) + tokens_[0].size();
            s.comment = std::string(detail::trim(line.substr(after)));
            // CR is whitespace at the end of a line (CRLF files), but inside the text it would be a line break
            // that no input.data line can hold.
            if (s.comment.find('\r') != std::string::npos)
                fail("'comment' text contains a carriage return (CR): expected the comment on one line");
            comment_line = line_no_;
        } else if (key == "end") {
            if (tokens_.size() != 1) fail("unexpected '" + std::string(tokens_[1]) + "' after 'end': expected 'end' alone");
            if (lattice_lines != 0 && lattice_lines != 3)
                fail("structure begun at line " + std::to_string(begin_line) + " has " +
                     std::to_string(lattice_lines) + " 'lattice' line(s): expected 0 or 3");
            if (s.positions.empty())
                fail("structure begun at line " + std::to_string(begin_line) +
                     " has no atoms: expected at least one 'atom' line");
            s.periodic = lattice_lines == 3;
            out = std::move(s);
            return true;
        } else if (key == "begin") {
            fail("'begin' inside a structure: expected 'end' for the structure begun at line " +
                 std::to_string(begin_line));
        } else {
            fail("unknown keyword '" + std::string(key) +
                 "': expected one of 'comment', 'lattice', 'atom', 'energy', 'charge', 'end'");
        }
    }
}

/// Reads every structure of an input.data stream; `filename` is used in error messages.
inline std::vector<Structure> read_input_data(std::istream& in, const std::string& filename) {
    InputDataReader reader(in, filename);
    std::vector<Structure> result;
    Structure s;
    while (reader.next(s)) result.push_back(std::move(s));
    return result;
}

/// Reads every structure of an input.data file.
inline std::vector<Structure> read_input_data(const std::string& path) {
    InputDataReader reader(path);
    std::vector<Structure> result;
    Structure s;
    while (reader.next(s)) result.push_back(std::move(s));
    return result;
}

/// Writes one structure in input.data format with full precision (%24.16E-style numbers), so that
/// reading it back gives bit-identical values. `energy`/`charge` lines are written when has_energy /
/// has_charge is set; `comment` when the comment is not empty; `begin set=...` when set is not empty.
/// Empty charges / atom_extra / forces arrays are written as zeros. Throws hdnnp::Error if the
/// structure cannot be represented (inconsistent arrays, multi-line comment, set other than
/// train/test, element symbol that is not an element).
inline void write_input_data(std::ostream& out, const Structure& s) {
    detail::check_writable(s, "write_input_data");
    if (!s.set.empty() && s.set != "train" && s.set != "test")
        throw Error("write_input_data: set '" + s.set + "' cannot be written: expected '', 'train' or 'test'");
    if (s.comment.find_first_of("\n\r") != std::string::npos)
        throw Error("write_input_data: comment contains a line break");
    std::string text;
    text.reserve(256 + s.size() * 240);
    text += "begin";
    if (!s.set.empty()) text += " set=" + s.set;
    text += '\n';
    if (!s.comment.empty()) text += "comment " + s.comment + '\n';
    if (s.periodic)
        for (const Vec3& a : s.lattice) {
            text += "lattice";
            for (double x : a) {
                text += ' ';
                detail::append_scientific(text, x);
            }
            text += '\n';
        }
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (atomic_number(s.symbols[i]) == 0)
            throw Error("write_input_data: atom " + std::to_string(i + 1) + " has unknown element symbol '" +
                        s.symbols[i] + "'");
        text += "atom";
        for (double x : s.positions[i]) {
            text += ' ';
            detail::append_scientific(text, x);
        }
        text += ' ';
        if (s.symbols[i].size() < 2) text += ' ';
        text += s.symbols[i];
        text += ' ';
        detail::append_scientific(text, s.charges.empty() ? 0.0 : s.charges[i]);
        text += ' ';
        detail::append_scientific(text, s.atom_extra.empty() ? 0.0 : s.atom_extra[i]);
        const Vec3 f = s.forces.empty() ? Vec3{0, 0, 0} : s.forces[i];
        for (double x : f) {
            text += ' ';
            detail::append_scientific(text, x);
        }
        text += '\n';
    }
    if (s.has_energy) {
        text += "energy ";
        detail::append_scientific(text, s.energy);
        text += '\n';
    }
    if (s.has_charge) {
        text += "charge ";
        detail::append_scientific(text, s.total_charge);
        text += '\n';
    }
    text += "end\n";
    out << text;
}

/// Writes the structures one after another to `path`, replacing the file, or appending to it when
/// `append` is true. Throws hdnnp::Error if the file cannot be opened or written.
inline void write_input_data(const std::string& path, const std::vector<Structure>& structures, bool append = false) {
    std::ofstream out(path, append ? std::ios::app : std::ios::trunc);
    if (!out) throw Error(path + ": cannot open file for writing");
    for (const Structure& s : structures) write_input_data(out, s);
    out.flush();
    if (!out) throw Error(path + ": write failed");
}

/// Maps every atom of a periodic structure into the cell: afterwards its fractional coordinates
/// (with respect to the rows of `lattice`) lie in [0, 1) (up to rounding for an atom lying on a
/// face within machine precision, which is placed on the face). Atoms already inside are left bit-for-bit
/// unchanged; the others move by whole lattice vectors. Non-periodic structures are not touched.
/// Throws StructureError for a degenerate cell or a non-finite coordinate.
inline void wrap_into_cell(Structure& s) {
    if (!s.periodic) return;
    const double v = determinant(s.lattice);
    if (!std::isfinite(v) || v == 0.0) throw StructureError("wrap_into_cell: periodic cell is degenerate");
    const Mat3 inv = reciprocal_rows(s.lattice);  // fractional coordinate k = inv[k] . r
    auto inside = [](double f) { return f >= 0.0 && f < 1.0; };
    for (std::size_t i = 0; i < s.positions.size(); ++i) {
        Vec3& r = s.positions[i];
        if (!all_finite(r))
            throw StructureError("wrap_into_cell: atom " + std::to_string(i + 1) + " has a non-finite coordinate");
        // Shift by whole lattice vectors; a second or third pass handles atoms that rounding puts
        // just outside a face (fractional coordinate -1e-17 or exactly 1 after the shift).
        bool done = false;
        for (int pass = 0; pass < 3 && !done; ++pass) {
            done = true;
            for (int k = 0; k < 3; ++k) {
                const double f = dot(inv[k], r);
                if (inside(f)) continue;
                done = false;
                r -= std::floor(f) * s.lattice[k];  // floor(f) != 0 since f is outside [0, 1)
            }
        }
        if (done) continue;
        // Last resort (an atom sitting on a face within rounding): rebuild it from clamped
        // fractional coordinates.
        Vec3 f{dot(inv[0], r), dot(inv[1], r), dot(inv[2], r)};
        for (double& x : f) {
            x -= std::floor(x);
            if (!inside(x)) x = 0.0;
        }
        r = f[0] * s.lattice[0] + f[1] * s.lattice[1] + f[2] * s.lattice[2];
    }
}

}  // namespace hdnnp::io
