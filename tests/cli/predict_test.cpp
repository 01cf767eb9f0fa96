// `hdnnp predict` is a drop-in replacement for nnp-predict.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/potential/potential.hpp"
#include "hdnnp/io/input_data.hpp"
#include "support/model_3g.hpp"
#include "support/cli.hpp"
#include "support/reference.hpp"

namespace fs = std::filesystem;
using namespace hdnnp;

namespace {

fs::path fresh_dir(const std::string& name) { return test::fresh_dir("" + name); }

int run(const std::string& args, const fs::path& log) { return test::run_cli(args, log); }

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string header_of(const fs::path& p) {
    std::ifstream in(p);
    std::string line, h;
    while (std::getline(in, line))
        if (!line.empty() && line[0] == '#') h += line + "\n";
    return h;
}

}  // namespace

TEST_CASE("hdnnp predict reproduces nnp-predict's energy.out and nnforces.out for H2O_RPBE-D3", "[cli]") {
    const std::string ex = test::predict_dir("H2O_RPBE-D3");
    const fs::path out = fresh_dir("water");
    REQUIRE(run("predict " + ex + " " + ex + "/input.data -o " + out.string(), out / "log") == 0);
    for (const char* f : {"energy.out", "nnforces.out", "nnatoms.out"}) {
        INFO(f);
        CHECK(header_of(out / f) == header_of(fs::path(ex) / "expected" / f));
    }
    const auto e = test::read_out_table((out / "energy.out").string());
    const auto e_ref = test::read_out_table(ex + "/expected/energy.out");
    REQUIRE(e.size() == 1);
    REQUIRE(e[0].size() == e_ref[0].size());
    CHECK(e[0][1] == e_ref[0][1]);
    CHECK(std::abs(e[0][3] - e_ref[0][3]) <= 1e-10 * std::abs(e_ref[0][3]));
    const auto f = test::read_out_table((out / "nnforces.out").string());
    const auto f_ref = test::read_out_table(ex + "/expected/nnforces.out");
    REQUIRE(f.size() == f_ref.size());
    double max_df = 0.0;
    for (std::size_t i = 0; i < f.size(); ++i) {
        REQUIRE(f[i].size() == 8);
        CHECK(f[i][1] == f_ref[i][1]);
        for (int k = 5; k < 8; ++k) max_df = std::max(max_df, std::abs(f[i][k] - f_ref[i][k]));
    }
    INFO("max force deviation " << max_df);
    CHECK(max_df <= 1e-8);
    const auto a = test::read_out_table((out / "nnatoms.out").string());
    const auto a_ref = test::read_out_table(ex + "/expected/nnatoms.out");
    REQUIRE(a.size() == a_ref.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i][2] == a_ref[i][2]);
        CHECK(std::abs(a[i][6] - a_ref[i][6]) <= 1e-10);
    }
}

TEST_CASE("hdnnp predict evaluates every structure of a multi-structure file, not only the first", "[cli]") {
    const std::string ex = test::predict_dir("Cu2S_PBE");
    const fs::path out = fresh_dir("multi");
    const std::string one = slurp(fs::path(ex) / "input.data");
    {
        std::ofstream f(out / "input.data");
        f << one << one << one;
    }
    REQUIRE(run("predict " + ex + " " + (out / "input.data").string() + " -o " + out.string() + " --summary --extxyz " +
                    (out / "pred.xyz").string(),
                out / "log") == 0);
    const auto e = test::read_out_table((out / "energy.out").string());
    const auto e_ref = test::read_out_table(ex + "/expected/energy.out");
    REQUIRE(e.size() == 3);
    for (std::size_t k = 0; k < 3; ++k) {
        CHECK(e[k][0] == static_cast<double>(k + 1));
        CHECK(std::abs(e[k][3] - e_ref[0][3]) <= 1e-10 * std::abs(e_ref[0][3]));
    }
    CHECK(test::read_out_table((out / "nnforces.out").string()).size() == 3 * 144);
    const std::string xyz = slurp(out / "pred.xyz");
    CHECK(xyz.find("energy=") != std::string::npos);
    CHECK(slurp(out / "log").find("conf") != std::string::npos);
}

TEST_CASE("hdnnp predict keeps the complete results of the structures before a malformed or refused one", "[cli]") {
    const std::string ex = test::predict_dir("Cu2S_PBE");
    std::string one = slurp(fs::path(ex) / "input.data");
    if (one.empty() || one.back() != '\n') one += '\n';
    const std::size_t lines = static_cast<std::size_t>(std::count(one.begin(), one.end(), '\n'));
    const auto e_ref = test::read_out_table(ex + "/expected/energy.out");
    const auto check_two_complete = [&](const fs::path& out) {
        const auto e = test::read_out_table((out / "energy.out").string());
        REQUIRE(e.size() == 2);
        for (std::size_t k = 0; k < 2; ++k) {
            CHECK(e[k][0] == static_cast<double>(k + 1));
            CHECK(std::abs(e[k][3] - e_ref[0][3]) <= 1e-10 * std::abs(e_ref[0][3]));
        }
        CHECK(test::read_out_table((out / "nnforces.out").string()).size() == 2 * 144);
        CHECK(test::read_out_table((out / "nnatoms.out").string()).size() == 2 * 144);
        for (const auto& entry : fs::directory_iterator(out)) CHECK(entry.path().extension() != ".part");
    };
    SECTION("the third structure is malformed: the reader's error names structure 3 and the bad line") {
        const fs::path out = fresh_dir("lost-parse");
        {
            std::ofstream f(out / "input.data");
            f << one << one << "begin\natom 0.0 0.0 zz Cu 0 0 0 0 0\nend\n";
        }
        CHECK(run("predict " + ex + " " + (out / "input.data").string() + " -o " + out.string(), out / "log") != 0);
        const std::string log = slurp(out / "log");
        INFO(log);
        CHECK(log.find("structure 3 (from line " + std::to_string(2 * lines + 1) + ")") != std::string::npos);
        CHECK(log.find("input.data:" + std::to_string(2 * lines + 2) + ":") != std::string::npos);
        CHECK(log.find("structures 1..2 are complete") != std::string::npos);
        check_two_complete(out);
    }
    SECTION("the potential refuses the third structure: the error names structure 3, its lines and the element") {
        const fs::path out = fresh_dir("lost-compute");
        {
            std::ofstream f(out / "input.data");
            f << one << one << "begin\natom 0.0 0.0 0.0 Fe 0 0 0 0 0\nend\n";
        }
        CHECK(run("predict " + ex + " " + (out / "input.data").string() + " -o " + out.string(), out / "log") != 0);
        const std::string log = slurp(out / "log");
        INFO(log);
        CHECK(log.find("structure 3 (from line " + std::to_string(2 * lines + 1) + " to " +
                       std::to_string(2 * lines + 3) + ")") != std::string::npos);
        CHECK(log.find("'Fe'") != std::string::npos);
        check_two_complete(out);
    }
}

TEST_CASE("hdnnp predict warns about a pathologically dense structure and still evaluates it", "[cli]") {
    const std::string ex = std::string(HDNNP_SOURCE_DIR) + "/examples/argon-lj";  // cutoff 8.5 A
    const fs::path out = fresh_dir("dense");
    {
        std::ofstream f(out / "input.data");
        // one argon atom in a 0.75 A cube: N (4/3) pi rc^3 / V = 6098 neighbours per atom (all its own images)
        f << "begin\nlattice 0.75 0 0\nlattice 0 0.75 0\nlattice 0 0 0.75\natom 0.1 0.2 0.3 Ar 0 0 0 0 0\nend\n"
          << "begin\nlattice 12 0 0\nlattice 0 12 0\nlattice 0 0 12\natom 0.1 0.2 0.3 Ar 0 0 0 0 0\n"
          << "atom 3.8 0.2 0.3 Ar 0 0 0 0 0\nend\n";
    }
    REQUIRE(run("predict " + ex + " " + (out / "input.data").string() + " -o " + out.string(), out / "log") == 0);
    const std::string log = slurp(out / "log");
    INFO(log);
    CHECK(log.find("structure 1 is pathologically dense: about 6098 neighbours per atom") != std::string::npos);
    CHECK(log.find("structure 2 is pathologically dense") == std::string::npos);
    CHECK(test::read_out_table((out / "energy.out").string()).size() == 2);
}

TEST_CASE("hdnnp predict fails with a clear message for a missing model or bad structures", "[cli]") {
    const fs::path out = fresh_dir("errors");
    CHECK(run("predict " + (out / "nowhere").string() + " x.data -o " + out.string(), out / "log1") != 0);
    CHECK(slurp(out / "log1").find("input.nn: cannot open") != std::string::npos);
    {
        std::ofstream f(out / "bad.data");
        f << "begin\natom 0 0 0 Fe 0 0 0 0 0\nend\n";
    }
    const std::string ex = test::predict_dir("H2O_RPBE-D3");
    CHECK(run("predict " + ex + " " + (out / "bad.data").string() + " -o " + out.string(), out / "log2") != 0);
    CHECK(slurp(out / "log2").find("element 'Fe'") != std::string::npos);
    CHECK(run("predict " + ex + " " + (out / "bad.data").string() + " --bogus", out / "log3") != 0);
    CHECK(slurp(out / "log3").find("unknown option --bogus") != std::string::npos);
}

TEST_CASE("hdnnp predict on a 4G model writes n2p2's energies, forces and charges", "[cli][4g]") {
    for (const std::string ex : {"H2O_RPBE-D3_4G", "AlAuMgO_4G", "Carbon_chain_4G"}) {
        DYNAMIC_SECTION(ex) {
            const std::string dir = test::predict_dir(ex);
            const fs::path out = fresh_dir("4g_" + ex);
            REQUIRE(run("predict " + dir + " " + dir + "/input.data -o " + out.string(), out / "log") == 0);
            const auto e = test::read_out_table((out / "energy.out").string());
            const auto e_ref = test::read_out_table(dir + "/expected/energy.out");
            REQUIRE(e.size() == 1);
            CHECK(std::abs(e[0][3] - e_ref[0][3]) <= 1e-9 * std::abs(e_ref[0][3]));
            const auto f = test::read_out_table((out / "nnforces.out").string());
            const auto f_ref = test::read_out_table(dir + "/expected/nnforces.out");
            REQUIRE(f.size() == f_ref.size());
            double max_df = 0.0;
            for (std::size_t i = 0; i < f.size(); ++i)
                for (int k = 5; k < 8; ++k) max_df = std::max(max_df, std::abs(f[i][k] - f_ref[i][k]));
            CHECK(max_df <= 1e-7);
            const auto a = test::read_out_table((out / "nnatoms.out").string());
            const auto a_ref = test::read_out_table(dir + "/expected/nnatoms.out");
            REQUIRE(a.size() == a_ref.size());
            double max_dq = 0.0;
            for (std::size_t i = 0; i < a.size(); ++i) max_dq = std::max(max_dq, std::abs(a[i][4] - a_ref[i][4]));
            INFO("max force deviation " << max_df << ", max charge deviation " << max_dq);
            CHECK(max_dq <= 1e-8);
        }
    }
}

TEST_CASE("hdnnp predict on a 3G model writes the energies, forces and charges of Potential3G", "[cli][3g]") {
    test::Model3GSpec spec;
    spec.screen = "4.8 12.0";
    const test::Model3GDir model(spec);
    const fs::path out = fresh_dir("3g");
    // a charged cluster and a neutral periodic cell, in one input.data
    Structure cluster = test::water_cluster(2, 2, 1, 3);
    cluster.total_charge = -1.0;
    cluster.has_charge = true;  // write the `charge` line
    const Structure cell = test::water_box(2, 5, 0.1);
    {
        std::ofstream f(out / "input.data");
        io::write_input_data(f, cluster);
        io::write_input_data(f, cell);
    }
    REQUIRE(run("predict " + model.path + " " + (out / "input.data").string() + " -o " + out.string(), out / "log") == 0);
    const auto structures = io::read_input_data((out / "input.data").string());
    REQUIRE(structures.size() == 2);
    CHECK(structures[0].total_charge == -1.0);
    const auto pot = Potential3G<>::load(model.path);
    const auto e = test::read_out_table((out / "energy.out").string());
    const auto f = test::read_out_table((out / "nnforces.out").string());
    const auto a = test::read_out_table((out / "nnatoms.out").string());
    REQUIRE(e.size() == 2);
    REQUIRE(f.size() == cluster.size() + cell.size());
    REQUIRE(a.size() == f.size());
    std::size_t row = 0;
    for (std::size_t k = 0; k < 2; ++k) {
        const Result3G r = pot.compute(structures[k]);
        CHECK(std::abs(e[k][3] - r.energy) <= 1e-12 * std::abs(r.energy));
        double max_df = 0.0, max_dq = 0.0, qsum = 0.0;
        for (std::size_t i = 0; i < structures[k].size(); ++i, ++row) {
            for (int c = 0; c < 3; ++c) max_df = std::max(max_df, std::abs(f[row][5 + c] - r.forces[i][c]));
            max_dq = std::max(max_dq, std::abs(a[row][4] - r.charges[i]));
            qsum += a[row][4];
        }
        INFO("structure " << k + 1 << ": max force deviation " << max_df << ", max charge deviation " << max_dq);
        CHECK(max_df <= 1e-12);
        CHECK(max_dq <= 1e-14);
        CHECK(std::abs(qsum - structures[k].total_charge) <= 1e-12);
    }
}

TEST_CASE("hdnnp predict says which Ewald width and 4G solver it used, and --ewald / --qeq-solver force them", "[cli][4g]") {
    const std::string dir = test::predict_dir("H2O_RPBE-D3_4G");  // 384 atoms: n2p2's procedure by default
    const fs::path out = fresh_dir("ewald_choice");
    REQUIRE(run("predict " + dir + " " + dir + "/input.data -o " + out.string(), out / "log") == 0);
    const std::string log = slurp(out / "log");
    INFO(log);
    CHECK(log.find("from structure 1 (384 atoms) on: n2p2's Ewald parameters, dense charge solver (eta ") != std::string::npos);
    CHECK(log.find("Ewald parameters: n2p2's for 1, balanced for matrix-free products for 0 periodic structures") !=
          std::string::npos);

    const fs::path bal = fresh_dir("ewald_balanced");
    REQUIRE(run("predict " + dir + " " + dir + "/input.data -o " + bal.string() + " --ewald balanced --qeq-solver cg",
                bal / "log") == 0);
    const std::string blog = slurp(bal / "log");
    INFO(blog);
    CHECK(blog.find("on: Ewald parameters balanced for matrix-free products, CG charge solver (eta ") != std::string::npos);
    // Same accuracy target (RMS force error eps_F = 1e-5 Ha/bohr of the model's ewald_prec): within 2 eps_F RMS of
    // n2p2's forces, and not identical (another width was really used).
    const auto f = test::read_out_table((bal / "nnforces.out").string());
    const auto f_ref = test::read_out_table(dir + "/expected/nnforces.out");
    REQUIRE(f.size() == f_ref.size());
    double rms = 0.0;
    for (std::size_t i = 0; i < f.size(); ++i)
        for (int k = 5; k < 8; ++k) rms += std::pow(f[i][k] - f_ref[i][k], 2);
    rms = std::sqrt(rms / (3.0 * static_cast<double>(f.size())));
    std::printf("hdnnp predict --ewald balanced, H2O_RPBE-D3_4G: RMS force difference to n2p2 %.3e Ha/bohr\n", rms);
    CHECK(rms <= 2e-5);
    CHECK(rms > 1e-9);

    const fs::path bad = fresh_dir("ewald_bad");
    CHECK(run("predict " + dir + " " + dir + "/input.data -o " + bad.string() + " --ewald fast", bad / "log") != 0);
    CHECK(slurp(bad / "log").find("--ewald needs auto, n2p2 or balanced, got 'fast'") != std::string::npos);
    CHECK(run("predict " + dir + " " + dir + "/input.data -o " + bad.string() + " --qeq-solver lu", bad / "log") != 0);
    CHECK(slurp(bad / "log").find("--qeq-solver needs auto, dense or cg, got 'lu'") != std::string::npos);
}
