// `hdnnp train` on 4G models (n2p2's H2O_RPBE-D3_4G set, a few L-BFGS iterations per stage): the written model
// loads in `hdnnp predict`, whose outputs give the RMSEs the trainer reported for the same split; the written
// model does not depend on the thread count; stage 1 and a stage-2 restart; refused options and 3G.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "hdnnp/training/settings.hpp"
#include "support/cli.hpp"
#include "support/reference.hpp"

namespace fs = std::filesystem;
using namespace hdnnp;

namespace {

const std::string kWater = test::reference_dir() + "/train/H2O_RPBE-D3_4G";
const char* const kFast = " --stage1-iterations 30 --stage2-iterations 30 --report-every 10 --force-weight 0.003";

fs::path fresh_dir(const std::string& name) { return test::fresh_dir("train4g_" + name); }

int run(const std::string& args, const fs::path& log) { return test::run_cli(args, log); }

std::string slurp(const fs::path& p) { return test::read_text(p.string()); }

/// Numeric rows of a whitespace table (lines starting with '#' or a letter skipped).
std::vector<std::vector<double>> table(const fs::path& p) {
    std::ifstream in(p);
    std::vector<std::vector<double>> rows;
    for (std::string line; std::getline(in, line);) {
        const std::size_t a = line.find_first_not_of(' ');
        if (a == std::string::npos || line[a] == '#' || std::isalpha(static_cast<unsigned char>(line[a]))) continue;
        std::istringstream s(line);
        std::vector<double> r;
        for (std::string w; s >> w;) r.push_back(std::strtod(w.c_str(), nullptr));
        rows.push_back(r);
    }
    return rows;
}

/// The "# written_rmse ...: q_train q_test e_train e_test f_train f_test" values of learning-curve.out.
std::vector<double> written_rmse(const fs::path& curve) {
    std::ifstream in(curve);
    for (std::string line; std::getline(in, line);)
        if (line.rfind("# written_rmse", 0) == 0) {
            std::istringstream s(line.substr(line.find(':') + 1));
            std::vector<double> v;
            for (std::string w; s >> w;) v.push_back(std::strtod(w.c_str(), nullptr));
            return v;
        }
    return {};
}

/// RMSEs (charges per atom, energies per atom, forces per component) of the train and test structures from
/// hdnnp predict's nnatoms.out, energy.out and nnforces.out (conf is 1-based).
std::vector<double> rmse_from_predict(const fs::path& dir, const std::vector<bool>& test) {
    double sq[2] = {0, 0}, se[2] = {0, 0}, sf[2] = {0, 0};
    std::size_t nq[2] = {0, 0}, ne[2] = {0, 0}, nf[2] = {0, 0};
    for (const auto& r : table(dir / "nnatoms.out")) {
        const int t = test.at(static_cast<std::size_t>(r.at(0)) - 1) ? 1 : 0;
        sq[t] += (r.at(4) - r.at(3)) * (r.at(4) - r.at(3));
        ++nq[t];
    }
    for (const auto& r : table(dir / "energy.out")) {
        const int t = test.at(static_cast<std::size_t>(r.at(0)) - 1) ? 1 : 0;
        se[t] += r.at(4) * r.at(4);
        ++ne[t];
    }
    for (const auto& r : table(dir / "nnforces.out")) {
        const int t = test.at(static_cast<std::size_t>(r.at(0)) - 1) ? 1 : 0;
        for (int a = 0; a < 3; ++a) sf[t] += (r.at(5 + a) - r.at(2 + a)) * (r.at(5 + a) - r.at(2 + a));
        nf[t] += 3;
    }
    auto rms = [](double s, std::size_t n) { return std::sqrt(s / static_cast<double>(n)); };
    return {rms(sq[0], nq[0]), rms(sq[1], nq[1]), rms(se[0], ne[0]), rms(se[1], ne[1]), rms(sf[0], nf[0]), rms(sf[1], nf[1])};
}

const std::vector<std::string> kModelFiles = {"input.nn",          "scaling.data",      "weights.001.data", "weights.008.data",
                                              "weightse.001.data", "weightse.008.data", "hardness.001.data", "hardness.008.data"};

}  // namespace

TEST_CASE("hdnnp train fits a 4G model in both stages and hdnnp predict reproduces the RMSEs it reports", "[cli][train]") {
    const fs::path d = fresh_dir("both");
    const fs::path out = d / "model";
    REQUIRE(run("train " + kWater + "/input.nn " + kWater + "/input.data -o " + out.string() + kFast + " --threads 1", d / "log") == 0);
    const std::string log = slurp(d / "log");
    INFO(log);
    // The 2G optimisers' keywords of n2p2's input.nn are reported as not applying, with their line.
    CHECK(log.find("keyword 'kalman_eta' does not apply to 4G training") != std::string::npos);
    CHECK(log.find("keyword 'epochs' does not apply to 4G training") != std::string::npos);
    CHECK(log.find("keyword 'write_trainpoints' ignored") != std::string::npos);
    for (const auto& f : kModelFiles) CHECK(fs::exists(out / f));
    CHECK(fs::exists(out / "learning-curve.png"));
    CHECK(slurp(out / "input.nn") == slurp(kWater + "/input.nn"));

    // Learning curve: stage 1 at iterations 0, 10, 20, 30, then stage 2 likewise; both training errors fell.
    const auto rows = table(out / "learning-curve.out");
    REQUIRE(rows.size() == 8);
    for (std::size_t k = 0; k < 8; ++k) {
        CHECK(rows[k][0] == (k < 4 ? 1 : 2));
        CHECK(rows[k][1] == 10.0 * static_cast<double>(k % 4));
    }
    CHECK(rows[3][3] < rows[0][3]);  // charge RMSE, train
    CHECK(rows[7][5] < rows[4][5]);  // energy RMSE, train
    CHECK(rows[7][7] < rows[4][7]);  // force RMSE, train
    const std::vector<double> w = written_rmse(out / "learning-curve.out");
    REQUIRE(w.size() == 6);
    // The written model is the stage-2 row with the lowest log(E_test) + log(F_test).
    std::size_t best = 4;
    for (std::size_t k = 5; k < 8; ++k)
        if (std::log(rows[k][6]) + std::log(rows[k][8]) < std::log(rows[best][6]) + std::log(rows[best][8])) best = k;
    CHECK(slurp(out / "learning-curve.out").find("# best_stage2_iteration " + std::to_string(static_cast<long>(rows[best][1])) + "\n") !=
          std::string::npos);
    for (std::size_t k = 0; k < 6; ++k) CHECK(w[k] == Approx(rows[best][3 + k]).epsilon(1e-6));

    // hdnnp predict loads the model; its charges, energies and forces give the reported RMSEs of the split
    // (n2p2's rule with the set's test_fraction 0.1 and random_seed 12346).
    REQUIRE(run("predict " + out.string() + " " + kWater + "/input.data -o " + d.string() + " --threads 1", d / "predict.log") == 0);
    const std::vector<bool> test = training::n2p2_test_selection(20, 0.1, 12346);
    const std::vector<double> p = rmse_from_predict(d, test);
    const char* names[] = {"charge train", "charge test", "energy train", "energy test", "force train", "force test"};
    for (std::size_t k = 0; k < 6; ++k) {
        INFO(names[k] << ": trainer " << w[k] << ", predict " << p[k]);
        CHECK(std::isfinite(w[k]));
        CHECK(std::abs(p[k] - w[k]) <= 1e-10 * std::abs(w[k]));
    }

    SECTION("two threads write a bit-identical model") {
        const fs::path out2 = d / "model2";
        REQUIRE(run("train " + kWater + "/input.nn " + kWater + "/input.data -o " + out2.string() + kFast + " --threads 2 --no-plot",
                    d / "log2") == 0);
        for (const auto& f : kModelFiles) CHECK(slurp(out2 / f) == slurp(out / f));
    }
    SECTION("--restart with no iterations writes the restart model back (no output-bias fit)") {
        const fs::path out3 = d / "model3";
        REQUIRE(run("train " + kWater + "/input.nn " + kWater + "/input.data -o " + out3.string() + " --restart " + out.string() +
                        " --stage1-iterations 0 --stage2-iterations 0 --no-plot",
                    d / "log3") == 0);
        for (const char* f : {"scaling.data", "weights.001.data", "weights.008.data", "weightse.001.data", "weightse.008.data"})
            CHECK(slurp(out3 / f) == slurp(out / f));
        const std::vector<double> w3 = written_rmse(out3 / "learning-curve.out");
        REQUIRE(w3.size() == 6);
        // The hardness passes through sqrt(J)^2 (the stage-1 parameter): equal to rounding.
        for (std::size_t k = 0; k < 6; ++k) CHECK(w3[k] == Approx(w[k]).epsilon(1e-12));
    }
}

TEST_CASE("hdnnp train --stage 1, then --stage 2 from that model, as n2p2's nnp-train 1 and 2", "[cli][train]") {
    const fs::path d = fresh_dir("stages");
    const fs::path s1 = d / "stage1", s2 = d / "stage2";
    // A 2G-optimiser value the 2G command refuses (selection_mode 1) is only reported for 4G: L-BFGS ignores it.
    std::string nn = slurp(kWater + "/input.nn");
    const std::size_t p = nn.find("selection_mode                  2");
    REQUIRE(p != std::string::npos);
    nn[p + 32] = '1';
    std::ofstream(d / "input.nn") << nn;
    REQUIRE(run("train " + (d / "input.nn").string() + " " + kWater + "/input.data -o " + s1.string() + kFast + " --stage 1 --no-plot",
                d / "log1") == 0);
    CHECK(slurp(d / "log1").find("input.nn:56: keyword 'selection_mode' does not apply to 4G training") != std::string::npos);
    const auto rows1 = table(s1 / "learning-curve.out");
    REQUIRE(rows1.size() == 4);
    for (const auto& r : rows1) CHECK(r[0] == 1);
    REQUIRE(run("train " + kWater + "/input.nn " + kWater + "/input.data -o " + s2.string() + " --restart " + s1.string() + kFast +
                    " --stage 2 --no-plot",
                d / "log2") == 0);
    INFO(slurp(d / "log2"));
    const auto rows2 = table(s2 / "learning-curve.out");
    REQUIRE(rows2.size() == 4);
    for (const auto& r : rows2) CHECK(r[0] == 2);
    // Stage 2 keeps stage 1's chi networks and hardness: the same charges, files and charge errors.
    for (const char* f : {"weightse.001.data", "weightse.008.data", "hardness.001.data", "hardness.008.data", "scaling.data"})
        CHECK(slurp(s2 / f) == slurp(s1 / f));
    const std::vector<double> w1 = written_rmse(s1 / "learning-curve.out"), w2 = written_rmse(s2 / "learning-curve.out");
    REQUIRE(w1.size() == 6);
    REQUIRE(w2.size() == 6);
    CHECK(w2[0] == Approx(w1[0]).epsilon(1e-12));
    CHECK(w2[1] == Approx(w1[1]).epsilon(1e-12));
    CHECK(rows2.back()[5] < rows2.front()[5]);
}

TEST_CASE("hdnnp train refuses 3G models and the 2G optimiser options for 4G with a clear message", "[cli][train]") {
    const fs::path d = fresh_dir("refused");
    const std::string data = kWater + "/input.data";
    auto refused = [&](const std::string& args, const std::string& message) {
        CHECK(run("train " + args + " -o " + (d / "m").string(), d / "log") != 0);
        const std::string log = slurp(d / "log");
        INFO(log);
        CHECK(log.find(message) != std::string::npos);
        CHECK(!fs::exists(d / "m"));
    };
    SECTION("a 3G input.nn") {
        std::string nn = slurp(kWater + "/input.nn");
        const std::size_t p = nn.find("nnp_generation 4");
        REQUIRE(p != std::string::npos);
        nn[p + 15] = '3';
        std::ofstream(d / "input.nn") << nn;
        refused((d / "input.nn").string() + " " + data, "3G models (nnp_generation 3");
    }
    SECTION("--epochs") { refused(kWater + "/input.nn " + data + " --epochs 3", "--epochs does not apply to 4G models"); }
    SECTION("--updater") { refused(kWater + "/input.nn " + data + " --updater adam", "--updater does not apply to 4G models"); }
    SECTION("--stage 2 without a model to start from") {
        refused(kWater + "/input.nn " + data + " --stage 2", "--stage 2 needs --restart DIR");
    }
    SECTION("the 4G options for a 2G model") {
        const std::string lj = test::reference_dir() + "/train/LJ";
        refused(lj + "/input.nn " + lj + "/input.data --stage1-iterations 5", "--stage1-iterations applies to 4G models only");
    }
}
