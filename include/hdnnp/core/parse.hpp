// hdnnp: private text-parsing helpers (tokenising, strict number conversion).
#pragma once

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace hdnnp::detail {

/// Splits on blanks (spaces, tabs, CR).
inline std::vector<std::string> split_words(const std::string& line) {
    std::vector<std::string> w;
    std::size_t i = 0;
    const std::size_t n = line.size();
    while (i < n) {
        while (i < n && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' || line[i] == '\n')) ++i;
        if (i >= n) break;
        std::size_t j = i;
        while (j < n && line[j] != ' ' && line[j] != '\t' && line[j] != '\r' && line[j] != '\n') ++j;
        w.emplace_back(line, i, j - i);
        i = j;
    }
    return w;
}

/// The first blank-separated word of a line (empty if the line is blank); no allocation.
inline std::string_view first_word(std::string_view line) {
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    std::size_t i = 0;
    const std::size_t n = line.size();
    while (i < n && blank(line[i])) ++i;
    std::size_t j = i;
    while (j < n && !blank(line[j])) ++j;
    return std::string_view(line.data() + i, j - i);
}

/// The whole token as a finite double; false if anything else is in it (e.g. "1.0abc", "nan").
/// std::from_chars (correctly rounded, like strtod) first; strtod for what it does not take (a leading '+',
/// hexadecimal, out-of-range values: underflow gives 0 as before, overflow is refused) and Fortran-style
/// exponents ("1.0D-3", common in RuNNer files).
inline bool parse_double(std::string_view s, double& v) {
    if (s.empty()) return false;
    const char* b = s.data();
    const char* e = b + s.size();
    const auto r = std::from_chars(b, e, v, std::chars_format::general);
    if (r.ec == std::errc() && r.ptr == e) return std::isfinite(v);
    std::string t(s);
    char* end = nullptr;
    v = std::strtod(t.c_str(), &end);
    if (end != t.c_str() + t.size()) {
        bool fortran = false;
        for (char& c : t)
            if (c == 'd' || c == 'D') { c = 'e'; fortran = true; }
        if (!fortran) return false;
        v = std::strtod(t.c_str(), &end);
        if (end != t.c_str() + t.size()) return false;
    }
    return std::isfinite(v);
}
inline bool parse_double(const std::string& s, double& v) { return parse_double(std::string_view(s), v); }
inline bool parse_double(const char* s, double& v) { return parse_double(std::string_view(s), v); }

/// The whole token as an integer.
inline bool parse_int(const std::string& s, long& v) {
    if (s.empty()) return false;
    const char* b = s.c_str();
    char* e = nullptr;
    errno = 0;
    v = std::strtol(b, &e, 10);
    return e == b + s.size() && errno == 0;
}

}  // namespace hdnnp::detail
