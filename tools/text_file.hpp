// hdnnp command-line program: reading a whole text file (for commands that pass file text to the library).
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include "hdnnp/core/error.hpp"

namespace hdnnp::cli {

/// The whole file; throws Error naming the file if it cannot be opened.
inline std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open file for reading");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace hdnnp::cli
