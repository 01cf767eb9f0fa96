// `hdnnp train` and `hdnnp scale` on n2p2's small LJ training set: the files, the keyword reports, early
// stopping's written model, restarts, thread-count independence and error messages.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "hdnnp/io/input_data.hpp"
#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/potential/potential.hpp"
#include "hdnnp/training/settings.hpp"
#include "support/cli.hpp"
#include "support/reference.hpp"

namespace fs = std::filesystem;
using namespace hdnnp;

namespace {

fs::path fresh_dir(const std::string& name) { return test::fresh_dir("train_" + name); }

int run(const std::string& args, const fs::path& log) { return test::run_cli(args, log); }

std::string slurp(const fs::path& p) { return test::read_text(p.string()); }

void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

/// Data rows of learning-curve.out (epoch, time, rmse_e_train, rmse_e_test, rmse_f_train, rmse_f_test) and
/// the best epoch.
std::vector<std::vector<double>> curve_rows(const fs::path& p, long& best) {
    std::ifstream in(p);
    std::vector<std::vector<double>> rows;
    best = -1;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("# best_epoch", 0) == 0) best = std::stol(line.substr(13));
        if (line.empty() || line[0] == '#' || line.rfind("epoch", 0) == 0) continue;
        std::istringstream s(line);
        std::vector<double> r;
        for (std::string w; s >> w;) r.push_back(std::strtod(w.c_str(), nullptr));
        rows.push_back(r);
    }
    return rows;
}

const std::string kLJ = test::reference_dir() + "/train/LJ";

}  // namespace

TEST_CASE("hdnnp train fits the LJ set, writes a model predict and specialize load, and its learning curve", "[cli][train]") {
    const fs::path d = fresh_dir("lj");
    // n2p2's LJ input.nn plus a keyword nobody knows.
    const std::string input_nn = slurp(kLJ + "/input.nn") + "unknown_training_keyword 3\n";
    write(d / "input.nn", input_nn);
    const std::size_t unknown_line = static_cast<std::size_t>(std::count(input_nn.begin(), input_nn.end(), '\n'));
    const fs::path out = d / "model";
    REQUIRE(run("train " + (d / "input.nn").string() + " " + kLJ + "/input.data -o " + out.string() + " --epochs 4 --threads 1",
                d / "log") == 0);
    const std::string log = slurp(d / "log");
    INFO(log);
    CHECK(log.find("input.nn:" + std::to_string(unknown_line) + ": keyword 'unknown_training_keyword'") != std::string::npos);
    CHECK(log.find("keyword 'write_trainpoints' ignored") != std::string::npos);
    for (const char* f : {"input.nn", "scaling.data", "weights.010.data", "learning-curve.out", "learning-curve.png"})
        CHECK(fs::exists(out / f));
    CHECK(slurp(out / "input.nn") == input_nn);
    long best = -1;
    const auto rows = curve_rows(out / "learning-curve.out", best);
    REQUIRE(rows.size() == 5);
    REQUIRE(best >= 0);
    REQUIRE(best <= 4);
    CHECK(rows.back()[2] < rows.front()[2]);  // the training energy error fell
    CHECK(rows.back()[4] < rows.front()[4]);  // and the force error

    // The written model is the best-test epoch's: its test RMSEs (Potential::compute) are that row's.
    const Model m = io::load_n2p2_model(out.string());
    const Potential<> pot(m);
    const auto data = io::read_input_data(kLJ + "/input.data");
    const auto test = training::n2p2_test_selection(data.size(), 0.1, 1234567);
    double se = 0.0, sf = 0.0;
    std::size_t ns = 0, nc = 0;
    for (std::size_t k = 0; k < data.size(); ++k) {
        if (!test[k]) continue;
        const Result r = pot.compute(data[k]);
        const double de = (r.energy - data[k].energy) / static_cast<double>(data[k].size());
        se += de * de;
        ++ns;
        for (std::size_t i = 0; i < data[k].size(); ++i)
            for (std::size_t a = 0; a < 3; ++a) {
                sf += (r.forces[i][a] - data[k].forces[i][a]) * (r.forces[i][a] - data[k].forces[i][a]);
                ++nc;
            }
    }
    REQUIRE(ns > 0);
    CHECK(std::sqrt(se / static_cast<double>(ns)) == Approx(rows[static_cast<std::size_t>(best)][3]).epsilon(1e-5));
    CHECK(std::sqrt(sf / static_cast<double>(nc)) == Approx(rows[static_cast<std::size_t>(best)][5]).epsilon(1e-5));

    CHECK(run("predict " + out.string() + " " + kLJ + "/input.data -o " + d.string(), d / "predict.log") == 0);
    CHECK(fs::exists(d / "energy.out"));
    CHECK(run("specialize " + out.string() + " -o " + (d / "lj.hpp").string() + " --name lj_fit", d / "specialize.log") == 0);
    CHECK(fs::exists(d / "lj.hpp"));

    SECTION("two threads give bit-identical weights") {
        const fs::path out2 = d / "model2";
        REQUIRE(run("train " + (d / "input.nn").string() + " " + kLJ + "/input.data -o " + out2.string() +
                        " --epochs 4 --threads 2 --no-plot",
                    d / "log2") == 0);
        CHECK(slurp(out2 / "weights.010.data") == slurp(out / "weights.010.data"));
    }
    SECTION("--restart continues from the written weights") {
        const fs::path out3 = d / "model3";
        REQUIRE(run("train " + (d / "input.nn").string() + " " + kLJ + "/input.data -o " + out3.string() + " --restart " +
                        out.string() + " --epochs 1 --no-plot",
                    d / "log3") == 0);
        long best3 = -1;
        const auto rows3 = curve_rows(out3 / "learning-curve.out", best3);
        REQUIRE(rows3.size() == 2);
        // Epoch 0 of the restart is the written model: the best row of the first run.
        for (std::size_t c : {2u, 3u, 4u, 5u}) CHECK(rows3[0][c] == Approx(rows[static_cast<std::size_t>(best)][c]).epsilon(1e-5));
        CHECK(slurp(out3 / "scaling.data") == slurp(out / "scaling.data"));
    }
}

TEST_CASE("hdnnp train --epochs 0 names the test structures nnp-train wrote to test.data and keeps labels", "[cli][train]") {
    // Expected: n2p2 61daa0df's nnp-train, one MPI process, epochs 0, on Cu2S_PBE (docs/training.md, "The split"):
    // the shipped input.nn (random_seed 1234567, test_fraction 0.1) gives test structure 3; with test_fraction
    // 0.3 and structure 1 labelled `begin set=test`, 3 and 5 `begin set=train`, test structures 1 6 12 15 17 18.
    const std::string cu2s = test::reference_dir() + "/train/Cu2S_PBE";
    auto test_line = [](const fs::path& curve) {
        std::istringstream in(slurp(curve));
        for (std::string line; std::getline(in, line);)
            if (line.rfind("# test structures", 0) == 0) return line.substr(line.find("):") + 2);
        return std::string("(no '# test structures' line)");
    };
    const fs::path d = fresh_dir("split");
    REQUIRE(run("train " + cu2s + "/input.nn " + cu2s + "/input.data -o " + (d / "shipped").string() + " --scaling " + cu2s +
                    "/scaling.data --epochs 0 --threads 1",
                d / "log1") == 0);
    CHECK(test_line(d / "shipped" / "learning-curve.out") == " 3");

    std::istringstream nn(slurp(cu2s + "/input.nn"));
    std::string edited;
    for (std::string line; std::getline(nn, line);) edited += (line.rfind("test_fraction", 0) == 0 ? "test_fraction 0.3" : line) + "\n";
    REQUIRE(edited.find("test_fraction 0.3\n") != std::string::npos);
    write(d / "input.nn", edited);
    std::istringstream data(slurp(cu2s + "/input.data"));
    std::string labelled;
    int k = 0;
    for (std::string line; std::getline(data, line);) {
        if (line.find("begin") != std::string::npos && line.find_first_not_of(" \t") == line.find("begin")) {
            ++k;
            line = k == 1 ? "begin set=test" : (k == 3 || k == 5) ? "begin set=train" : "begin";
        }
        labelled += line + "\n";
    }
    REQUIRE(k == 20);
    write(d / "input.data", labelled);
    REQUIRE(run("train " + (d / "input.nn").string() + " " + (d / "input.data").string() + " -o " + (d / "labelled").string() +
                    " --scaling " + cu2s + "/scaling.data --epochs 0 --threads 1",
                d / "log2") == 0);
    INFO(slurp(d / "log2"));
    CHECK(test_line(d / "labelled" / "learning-curve.out") == " 1 6 12 15 17 18");
}

TEST_CASE("hdnnp train reports bad input clearly", "[cli][train]") {
    const fs::path d = fresh_dir("bad");
    SECTION("a malformed data file: file and line") {
        std::string data = slurp(kLJ + "/input.data");
        // Break the first atom line of the second structure.
        std::size_t pos = data.find("begin", 10);
        pos = data.find("\natom", pos) + 1;
        const std::size_t line = static_cast<std::size_t>(std::count(data.begin(), data.begin() + static_cast<long>(pos), '\n')) + 1;
        data.replace(pos, 4, "atom 1.0 x 2.0");
        write(d / "bad.data", data);
        CHECK(run("train " + kLJ + "/input.nn " + (d / "bad.data").string() + " -o " + (d / "m").string(), d / "log") != 0);
        const std::string log = slurp(d / "log");
        INFO(log);
        CHECK(log.find("bad.data:" + std::to_string(line)) != std::string::npos);
    }
    SECTION("an unsupported value is refused with its line") {
        write(d / "input.nn", slurp(kLJ + "/input.nn") + "kalman_type 1\n");
        CHECK(run("train " + (d / "input.nn").string() + " " + kLJ + "/input.data -o " + (d / "m").string(), d / "log") != 0);
        CHECK(slurp(d / "log").find("kalman_type") != std::string::npos);
    }
}

TEST_CASE("hdnnp scale writes n2p2's scaling.data for the LJ set", "[cli][train]") {
    const fs::path d = fresh_dir("scale");
    REQUIRE(run("scale " + kLJ + "/input.nn " + kLJ + "/input.data -o " + (d / "scaling.data").string(), d / "log") == 0);
    std::istringstream a(slurp(d / "scaling.data")), b(slurp(kLJ + "/scaling.data"));
    std::size_t lines = 0;
    for (std::string x, y; std::getline(b, y);) {
        REQUIRE(std::getline(a, x));
        ++lines;
        if (y[0] == '#') {
            CHECK(x == y);
            continue;
        }
        std::istringstream u(x), v(y);
        for (int c = 0; c < 6; ++c) {
            double p = 0, q = 0;
            u >> p;
            v >> q;
            CHECK(p == Approx(q).epsilon(1e-13));
        }
    }
    CHECK(lines > 15);
}
