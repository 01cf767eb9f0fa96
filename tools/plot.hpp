// Figures for the command-line program: PNG files drawn by the project's plotting script
// (python/hdnnp/plots.py, matplotlib) from the data files a command has written. The script runs without the
// compiled module: `<python> plots.py KIND DATA PNG`. Found as hdnnp/plots.py in HDNNP_PYTHON_DIR (environment: the
// folder holding the hdnnp package, e.g. the source tree's python/ or build/python) or the source tree's python/
// (compile-time path); the interpreter is HDNNP_PYTHON, else /usr/bin/python3 if present, else python3.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <sys/wait.h>
#include <string>

namespace hdnnp::cli {

/// Outcome of one plot: drawn, or why not (the data file stays either way).
struct PlotStatus {
    bool ok = false;
    std::string message;
};

inline std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += (c == '\'') ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

/// Draws `png` from `data` with plots.py KIND. Exit status 3 of the script means "matplotlib is missing".
inline PlotStatus make_plot(const std::string& kind, const std::string& data, const std::string& png) {
    std::string dir;
    if (const char* e = std::getenv("HDNNP_PYTHON_DIR"); e && *e) dir = e;
#ifdef HDNNP_PYTHON_SOURCE_DIR
    else dir = HDNNP_PYTHON_SOURCE_DIR;
#endif
    const std::string script = dir + "/hdnnp/plots.py";
    if (dir.empty() || !std::filesystem::exists(script))
        return {false, "plotting script not found (" + (dir.empty() ? std::string("set HDNNP_PYTHON_DIR") : script) + ")"};
    std::string python = "python3";
    if (const char* e = std::getenv("HDNNP_PYTHON"); e && *e) python = e;
    else if (std::filesystem::exists("/usr/bin/python3")) python = "/usr/bin/python3";
    const std::string cmd = shell_quote(python) + " " + shell_quote(script) + " " + shell_quote(kind) + " " + shell_quote(data) +
                            " " + shell_quote(png) + " 2>&1";
    const int rc = std::system(cmd.c_str());
    if (rc == 0) return {true, png};
    if (rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 3) return {false, "matplotlib is not available to " + python};
    return {false, python + " " + script + " " + kind + " failed (exit status " + std::to_string(rc) + ")"};
}

}  // namespace hdnnp::cli
