// hdnnp command-line program: one function per subcommand, each in its own file (tools/<command>.cpp), and
// helpers they share. main() (tools/hdnnp.cpp) dispatches on the first argument.
#pragma once

#include <string>

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

}  // namespace hdnnp::cli
