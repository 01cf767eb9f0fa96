// hdnnp command-line program: one function per subcommand, each in its own file (tools/<command>.cpp), and
// helpers they share. main() (tools/hdnnp.cpp) dispatches on the first argument.
#pragma once

#include <cerrno>
#include <cstdlib>
#include <string>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "hdnnp/core/error.hpp"

namespace hdnnp::cli {

/// Subcommands: argc/argv start after the command name; the return value is the exit status. Errors are
/// thrown as hdnnp::Error (main prints "hdnnp: error: <message>" and exits with 1).
int predict(int argc, char** argv);
int specialize(int argc, char** argv);
int hessian(int argc, char** argv);  // and locality (tools/hessian.cpp)
int locality(int argc, char** argv);
int md(int argc, char** argv);
int validate(int argc, char** argv);
int scale(int argc, char** argv);  // tools/scale.cpp
int train(int argc, char** argv);  // tools/train.cpp

/// True if s ends with suffix.
inline bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// `--threads N` (predict, hessian, locality, md, validate): sets the OpenMP thread count for the rest of the run.
/// `value` is the option's argument; anything but a whole number from 1 to 100000 throws hdnnp::Error
/// "option --threads needs a positive integer, got '<value>'". Without OpenMP the count is checked and ignored.
inline void set_threads(const std::string& value) {
    char* end = nullptr;
    errno = 0;
    const long n = std::strtol(value.c_str(), &end, 10);
    if (value.empty() || *end != '\0' || errno != 0 || n < 1 || n > 100000)
        throw Error("option --threads needs a positive integer, got '" + value + "'");
#ifdef _OPENMP
    omp_set_num_threads(static_cast<int>(n));
#endif
}

}  // namespace hdnnp::cli
