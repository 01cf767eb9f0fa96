// Test support for the `hdnnp` command-line tests (test_cli, which defines HDNNP_CLI_PATH): a fresh temporary
// directory per test and running the program with its output in a log file.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace hdnnp::test {

/// An empty directory <tmp>/hdnnp_cli_<name>_<pid> (removed first if it exists).
inline std::filesystem::path fresh_dir(const std::string& name) {
    namespace fs = std::filesystem;
    const fs::path d = fs::temp_directory_path() / ("hdnnp_cli_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

/// Runs `hdnnp ARGS` with standard output and error in `log`; returns std::system's status.
inline int run_cli(const std::string& args, const std::filesystem::path& log) {
    const std::string cmd = std::string(HDNNP_CLI_PATH) + " " + args + " > " + log.string() + " 2>&1";
    return std::system(cmd.c_str());
}

}  // namespace hdnnp::test
