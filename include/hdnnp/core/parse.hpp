// hdnnp: private text-parsing helpers (tokenising, strict number conversion).
#pragma once

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>
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

/// The whole token as a finite double; false if anything else is in it (e.g. "1.0abc", "nan").
inline bool parse_double(const std::string& s, double& v) {
    if (s.empty()) return false;
    const char* b = s.c_str();
    char* e = nullptr;
    v = std::strtod(b, &e);
    if (e != b + s.size()) {
        // Fortran-style exponents ("1.0D-3") are common in RuNNer files.
        std::string t = s;
        for (char& c : t)
            if (c == 'd' || c == 'D') c = 'e';
        if (t == s) return false;
        v = std::strtod(t.c_str(), &e);
        if (e != t.c_str() + t.size()) return false;
    }
    return std::isfinite(v);
}

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
