// `hdnnp hessian` writes hessian.out as docs/file-formats.md describes it; `hdnnp locality` prints r* and writes
// locality.out, and the plot when matplotlib is there (and says so when it is not).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "support/reference.hpp"

namespace fs = std::filesystem;
using namespace hdnnp;

namespace {

fs::path fresh(const std::string& name) {
    const fs::path d = fs::temp_directory_path() / ("hdnnp_cli_hessian_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

int run(const std::string& env, const std::string& args, const fs::path& log) {
    const std::string cmd = env + " " + std::string(HDNNP_CLI_PATH) + " " + args + " > " + log.string() + " 2>&1";
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

TEST_CASE("hdnnp hessian writes the blocks of the requested rows with the documented columns", "[cli][hessian]") {
    const std::string ex = test::predict_dir("H2O_RPBE-D3");
    const fs::path out = fresh("water");
    REQUIRE(run("", "hessian " + ex + " " + ex + "/input.data --atoms 1 -o " + out.string(), out / "log") == 0);
    std::ifstream in(out / "hessian.out");
    std::string line, header;
    std::size_t n = 0;
    double sum[9] = {0}, big = 0.0;
    bool diagonal = false;
    while (std::getline(in, line)) {
        if (line[0] == '#') { header += line + "\n"; continue; }
        std::istringstream ls(line);
        std::size_t st, a, b;
        double r, nm, hh[9];
        REQUIRE(static_cast<bool>(ls >> st >> a >> b >> r >> nm));
        for (double& x : hh) REQUIRE(static_cast<bool>(ls >> x));
        std::string extra;
        CHECK_FALSE(static_cast<bool>(ls >> extra));
        CHECK(st == 1);
        CHECK(a == 1);
        CHECK(r < 24.0);  // 2 rc of the model (bohr)
        double f = 0.0;
        for (int k = 0; k < 9; ++k) {
            f += hh[k] * hh[k];
            sum[k] += hh[k];
            big = std::max(big, std::abs(hh[k]));
        }
        CHECK(std::abs(std::sqrt(f) - nm) <= 1e-9 * nm + 1e-300);
        diagonal = diagonal || b == 1;
        ++n;
    }
    CHECK(header.find("# structure A B r_AB norm h_xx h_xy h_xz h_yx h_yy h_yz h_zx h_zy h_zz") != std::string::npos);
    CHECK(header.find("energy/length^2") != std::string::npos);
    CHECK(diagonal);
    CHECK(n > 100);
    for (double x : sum) CHECK(std::abs(x) < 1e-12 * big);  // translation invariance of the written row
}

TEST_CASE("hdnnp locality prints r* and writes the data file, with or without matplotlib", "[cli][hessian]") {
    const std::string ex = test::predict_dir("H2O_RPBE-D3");
    const fs::path out = fresh("locality");
    REQUIRE(run("HDNNP_PYTHON=/nonexistent/python3", "locality " + ex + " " + ex + "/input.data --atoms 1-3 --displacement 0.1 --force-tolerance 1e-4 -o " + out.string(), out / "log") == 0);
    const std::string log = slurp(out / "log");
    INFO(log);
    CHECK(log.find("r* =") != std::string::npos);
    CHECK(log.find("no plot") != std::string::npos);
    CHECK(fs::exists(out / "locality.out"));
    CHECK_FALSE(fs::exists(out / "locality.png"));
    const std::string data = slurp(out / "locality.out");
    CHECK(data.find("# rc 12") != std::string::npos);
    CHECK(data.find("# displacement 0.1") != std::string::npos);
    if (std::system("/usr/bin/python3 -c 'import matplotlib' > /dev/null 2>&1") == 0) {
        REQUIRE(run("", "locality " + ex + " " + ex + "/input.data --atoms 1-3 -o " + out.string(), out / "log2") == 0);
        INFO(slurp(out / "log2"));
        CHECK(fs::exists(out / "locality.png"));
    }
}

TEST_CASE("hdnnp hessian refuses atoms that do not exist", "[cli][hessian]") {
    const std::string ex = test::predict_dir("H2O_RPBE-D3");
    const fs::path out = fresh("bad");
    CHECK(run("", "hessian " + ex + " " + ex + "/input.data --atoms 0 -o " + out.string(), out / "log") == 1);
    CHECK(slurp(out / "log").find("--atoms") != std::string::npos);
    CHECK(run("", "hessian " + ex + " " + ex + "/input.data --atoms 1081 -o " + out.string(), out / "log") == 1);
}
