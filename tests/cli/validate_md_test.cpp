// `hdnnp validate` and `hdnnp md`: numbers against the library computed here, JSON schema, --worst ordering,
// unit conversion, the md log format, and clear errors for bad arguments.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "hdnnp/io/input_data.hpp"
#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/md/dynamics.hpp"
#include "hdnnp/potential/potential.hpp"
#include "support/reference.hpp"

namespace fs = std::filesystem;
using namespace hdnnp;

namespace {

fs::path new_dir(const std::string& name) {
    const fs::path d = fs::temp_directory_path() / ("hdnnp_cli_vm_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

int hdnnp_run(const std::string& args, const fs::path& out, const std::string& env = "") {
    const std::string cmd = (env.empty() ? "" : "env " + env + " ") + std::string(HDNNP_CLI_PATH) + " " + args + " > " + out.string() + " 2>&1";
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string read_all(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// A minimal JSON reader for the statistics file: objects of numbers and objects, keys in file order.
struct Json {
    double number = 0.0;
    std::vector<std::pair<std::string, Json>> members;
    bool is_object = false;
    const Json& operator[](const std::string& k) const {
        for (const auto& m : members)
            if (m.first == k) return m.second;
        throw std::runtime_error("no key " + k);
    }
    std::vector<std::string> keys() const {
        std::vector<std::string> k;
        for (const auto& m : members) k.push_back(m.first);
        return k;
    }
};

struct JsonParser {
    const std::string& s;
    std::size_t p = 0;
    void ws() {
        while (p < s.size() && std::isspace(static_cast<unsigned char>(s[p]))) ++p;
    }
    void expect(char c) {
        ws();
        if (p >= s.size() || s[p] != c) throw std::runtime_error(std::string("JSON: expected ") + c + " at " + std::to_string(p));
        ++p;
    }
    Json value() {
        ws();
        Json j;
        if (s[p] == '{') {
            j.is_object = true;
            ++p;
            ws();
            if (s[p] == '}') { ++p; return j; }
            for (;;) {
                expect('"');
                const std::size_t e = s.find('"', p);
                const std::string key = s.substr(p, e - p);
                p = e + 1;
                expect(':');
                j.members.emplace_back(key, value());
                ws();
                if (s[p] == ',') { ++p; continue; }
                expect('}');
                return j;
            }
        }
        std::size_t used = 0;
        j.number = std::stod(s.substr(p, 40), &used);
        p += used;
        return j;
    }
};

Json parse_json(const std::string& text) {
    JsonParser jp{text};
    Json j = jp.value();
    jp.ws();
    if (jp.p != text.size()) throw std::runtime_error("JSON: trailing text");
    return j;
}

}  // namespace

TEST_CASE("hdnnp validate: 4G water statistics equal the library's values computed here; JSON schema", "[cli][validate]") {
    const std::string model = test::predict_dir("H2O_RPBE-D3_4G");
    const std::string data = test::reference_dir() + "/train/H2O_RPBE-D3_4G/input.data";
    const fs::path out = new_dir("water4g");
    REQUIRE(hdnnp_run("validate " + model + " " + data + " --json " + (out / "stats.json").string() + " --worst 4", out / "log") == 0);
    const Json j = parse_json(read_all(out / "stats.json"));
    CHECK(j.keys() == std::vector<std::string>{"structures", "atoms", "energy", "forces", "charges"});
    CHECK(j["energy"].keys() == std::vector<std::string>{"rmse_per_atom", "mae_per_atom", "rmse", "mae"});
    CHECK(j["forces"].keys() == std::vector<std::string>{"rmse", "mae", "per_element"});
    CHECK(j["forces"]["per_element"].keys() == std::vector<std::string>{"H", "O"});
    CHECK(j["forces"]["per_element"]["H"].keys() == std::vector<std::string>{"rmse", "mae"});
    CHECK(j["charges"].keys() == std::vector<std::string>{"rmse", "mae"});

    // Independently: evaluate every structure here and apply the definitions.
    const Potential<> pot = Potential<>::load(model);
    const auto structures = io::read_input_data(data);
    double epa2 = 0, epa1 = 0, e2 = 0, e1 = 0, f2 = 0, f1 = 0, q2 = 0, q1 = 0, fo2 = 0;
    std::size_t atoms = 0, no = 0;
    for (const auto& s : structures) {
        const Result r = pot.compute(s);
        const double d = r.energy - s.energy, n = double(s.size());
        epa2 += d * d / (n * n), epa1 += std::abs(d) / n, e2 += d * d, e1 += std::abs(d);
        for (std::size_t i = 0; i < s.size(); ++i) {
            for (int a = 0; a < 3; ++a) {
                const double df = r.forces[i][a] - s.forces[i][a];
                f2 += df * df, f1 += std::abs(df);
                if (s.symbols[i] == "O") fo2 += df * df, ++no;
            }
            q2 += (r.charges[i] - s.charges[i]) * (r.charges[i] - s.charges[i]);
            q1 += std::abs(r.charges[i] - s.charges[i]);
        }
        atoms += s.size();
    }
    const double ns = double(structures.size()), nc = 3.0 * double(atoms);
    CHECK(j["structures"].number == ns);
    CHECK(j["atoms"].number == double(atoms));
    CHECK(j["energy"]["rmse_per_atom"].number == Approx(std::sqrt(epa2 / ns)).epsilon(1e-12));
    CHECK(j["energy"]["mae_per_atom"].number == Approx(epa1 / ns).epsilon(1e-12));
    CHECK(j["energy"]["rmse"].number == Approx(std::sqrt(e2 / ns)).epsilon(1e-12));
    CHECK(j["energy"]["mae"].number == Approx(e1 / ns).epsilon(1e-12));
    CHECK(j["forces"]["rmse"].number == Approx(std::sqrt(f2 / nc)).epsilon(1e-12));
    CHECK(j["forces"]["mae"].number == Approx(f1 / nc).epsilon(1e-12));
    CHECK(j["forces"]["per_element"]["O"]["rmse"].number == Approx(std::sqrt(fo2 / double(no))).epsilon(1e-12));
    CHECK(j["charges"]["rmse"].number == Approx(std::sqrt(q2 / double(atoms))).epsilon(1e-12));
    CHECK(j["charges"]["mae"].number == Approx(q1 / double(atoms)).epsilon(1e-12));

    // --worst 4: four structures, worst first, the first being the true worst.
    const std::string log = read_all(out / "log");
    const auto b = log.find("worst structures"), e = log.find("worst atoms");
    REQUIRE(b != std::string::npos);
    REQUIRE(e != std::string::npos);
    std::istringstream rows(log.substr(b, e - b));
    std::string line;
    std::getline(rows, line);
    std::getline(rows, line);
    std::vector<double> errs;
    std::vector<int> idx;
    while (std::getline(rows, line)) {
        std::istringstream ls(line);
        int rank, st, n;
        double er, em, d;
        if (ls >> rank >> st >> n >> er >> em >> d) {
            errs.push_back(std::abs(d));
            idx.push_back(st);
        }
    }
    REQUIRE(errs.size() == 4);
    for (std::size_t k = 1; k < errs.size(); ++k) CHECK(errs[k - 1] >= errs[k]);
    double worst = 0.0;
    int worst_index = 0;
    for (std::size_t k = 0; k < structures.size(); ++k) {
        const double d = std::abs(pot.compute(structures[k]).energy - structures[k].energy) / double(structures[k].size());
        if (d > worst) worst = d, worst_index = int(k + 1);
    }
    CHECK(idx[0] == worst_index);
    CHECK(errs[0] == Approx(worst).epsilon(1e-6));
}

TEST_CASE("hdnnp validate: 2G argon has no charges key; extxyz input gives the same numbers; plots data files", "[cli][validate]") {
    const std::string model = std::string(HDNNP_SOURCE_DIR) + "/examples/argon-lj";
    const fs::path out = new_dir("argon");
    const std::vector<Structure> all = io::read_input_data(model + "/training.data");
    {
        std::ofstream x(out / "few.xyz");
        for (std::size_t k = 0; k < 5; ++k) io::write_extxyz(x, all[k]);
        std::ofstream d(out / "few.data");
        for (std::size_t k = 0; k < 5; ++k) io::write_input_data(d, all[k]);
    }
    REQUIRE(hdnnp_run("validate " + model + " " + (out / "few.data").string() + " --json " + (out / "a.json").string() + " --plots " +
                          (out / "plots").string(), out / "log1") == 0);
    REQUIRE(hdnnp_run("validate " + model + " " + (out / "few.xyz").string() + " --json " + (out / "b.json").string(), out / "log2") == 0);
    const Json a = parse_json(read_all(out / "a.json")), b = parse_json(read_all(out / "b.json"));
    CHECK(a.keys() == std::vector<std::string>{"structures", "atoms", "energy", "forces"});
    CHECK(a["structures"].number == 5);
    CHECK(a["forces"]["per_element"].keys() == std::vector<std::string>{"Ar"});
    CHECK(a["energy"]["rmse"].number == Approx(b["energy"]["rmse"].number).epsilon(1e-12));
    CHECK(a["forces"]["rmse"].number == Approx(b["forces"]["rmse"].number).epsilon(1e-12));
    CHECK(fs::exists(out / "plots" / "energy.dat"));
    CHECK(fs::exists(out / "plots" / "forces.dat"));
    CHECK_FALSE(fs::exists(out / "plots" / "charges.dat"));
    std::size_t lines = 0;
    std::ifstream ff(out / "plots" / "forces.dat");
    for (std::string l; std::getline(ff, l);) ++lines;
    std::size_t atoms = 0;
    for (std::size_t k = 0; k < 5; ++k) atoms += all[k].size();
    CHECK(lines == atoms + 1);
    // The figures: drawn when Debian's python3 has matplotlib, otherwise the command says why not.
    const std::string log1 = read_all(out / "log1");
    if (std::system("/usr/bin/python3 -c 'import matplotlib' > /dev/null 2>&1") == 0) {
        for (const char* png : {"energy_parity.png", "forces_parity.png", "error_histograms.png"}) {
            INFO(png << "\n" << log1);
            CHECK(fs::file_size(out / "plots" / png) > 10000);
        }
    } else {
        CHECK(log1.find("not drawn") != std::string::npos);
    }
    // Without the plotting script the data files are still written and the command says so.
    REQUIRE(hdnnp_run("validate " + model + " " + (out / "few.data").string() + " --plots " + (out / "noplots").string(), out / "log3",
                      "HDNNP_PYTHON_DIR=/nonexistent") == 0);
    CHECK(read_all(out / "log3").find("not drawn: plotting script not found") != std::string::npos);
    CHECK(fs::exists(out / "noplots" / "forces.dat"));
    CHECK_FALSE(fs::exists(out / "noplots" / "forces_parity.png"));
}

TEST_CASE("hdnnp validate and md: bad arguments give clear errors", "[cli][validate][md]") {
    const std::string argon = std::string(HDNNP_SOURCE_DIR) + "/examples/argon-lj";
    const fs::path out = new_dir("errors");
    struct Bad {
        std::string args, message;
    };
    const std::vector<Bad> bad = {
        {"validate " + argon, "needs MODEL_DIR and at least one DATA file"},
        {"validate " + argon + " " + argon + "/input.data --worst -2", "--worst needs a non-negative integer"},
        {"validate " + argon + " " + argon + "/input.data --frobnicate", "unknown option --frobnicate"},
        {"validate " + argon + " /nonexistent/input.data", "/nonexistent/input.data"},
        {"validate " + argon + " " + argon + "/input.data --json", "option --json needs a file name"},
        {"md " + argon + " " + argon + "/input.data --timestep 1", "--steps N is required"},
        {"md " + argon + " " + argon + "/input.data --steps 2", "--timestep FS is required"},
        {"md " + argon + " " + argon + "/input.data --steps 2 --timestep 1 --ensemble npt", "unknown ensemble 'npt' (nve, langevin or nose-hoover)"},
        {"md " + argon + " " + argon + "/input.data --steps 2 --timestep 1 --length-unit nm", "unknown length unit 'nm' (angstrom or bohr)"},
        {"md " + argon + " " + argon + "/input.data --steps 2 --timestep 1 --energy-unit kcal", "unknown energy unit 'kcal' (ev or hartree)"},
        {"md " + argon + " " + argon + "/input.data --steps x --timestep 1", "option --steps needs an integer, got 'x'"},
        {"md " + argon + " " + argon + "/input.data --steps 2 --timestep 1 --rdf-rmax 50 --rdf r.dat", "exceeds half the smallest cell width"},
        {"md " + argon, "needs MODEL_DIR and STRUCTURE"},
    };
    for (const auto& c : bad) {
        INFO("hdnnp " << c.args);
        CHECK(hdnnp_run(c.args, out / "log") == 1);
        const std::string log = read_all(out / "log");
        INFO(log);
        CHECK(log.find("hdnnp: error:") != std::string::npos);
        CHECK(log.find(c.message) != std::string::npos);
    }
}

TEST_CASE("hdnnp predict, hessian, locality, md and validate take --threads N with the same messages", "[cli]") {
    const std::string argon = std::string(HDNNP_SOURCE_DIR) + "/examples/argon-lj";
    const fs::path out = new_dir("threads");
    const std::string data = argon + "/input.data";
    for (const std::string command : {"predict", "hessian", "locality", "md", "validate"}) {
        struct Bad {
            std::string value, message;
        };
        const std::vector<Bad> bad = {{"", "option --threads needs a thread count"},
                                      {" 0", "option --threads needs a positive integer, got '0'"},
                                      {" -3", "option --threads needs a positive integer, got '-3'"},
                                      {" 2x", "option --threads needs a positive integer, got '2x'"},
                                      {" abc", "option --threads needs a positive integer, got 'abc'"}};
        for (const auto& c : bad) {
            const std::string args = command + " " + argon + " " + data + " --threads" + c.value;
            INFO("hdnnp " << args);
            CHECK(hdnnp_run(args, out / "log") == 1);
            const std::string log = read_all(out / "log");
            INFO(log);
            CHECK(log.find("hdnnp: error: " + c.message) != std::string::npos);
        }
    }
    // A valid count is accepted (the option is parsed before anything is computed, so the errors above come first).
    CHECK(hdnnp_run("predict " + argon + " " + data + " -o " + out.string() + " --threads 2", out / "log") == 0);
}

TEST_CASE("hdnnp md: log header, bohr/hartree model reported in eV and K, trajectory in Å", "[cli][md]") {
    const std::string model = test::predict_dir("H2O_RPBE-D3");
    const fs::path out = new_dir("md_water");
    REQUIRE(hdnnp_run("md " + model + " " + model + "/input.data --steps 2 --timestep 0.5 --length-unit bohr --energy-unit hartree --temperature 300 --log " +
                          (out / "md.log").string() + " --traj " + (out / "t.xyz").string() + " --every 1 --rdf " + (out / "rdf.dat").string(),
                      out / "out") == 0);
    std::ifstream log(out / "md.log");
    std::string header;
    std::getline(log, header);
    CHECK(header == "step time_ps epot ekin etot temperature");
    long step;
    double t, epot, ekin, etot, temp;
    REQUIRE(log >> step >> t >> epot >> ekin >> etot >> temp);
    CHECK(step == 0);
    // n2p2's energy of this structure is -27564.547347815904 Ha
    CHECK(epot == Approx(-27564.547347815904 * 27.211386245988).epsilon(1e-12));
    CHECK(temp == Approx(300.0).epsilon(1e-6));
    CHECK(ekin == Approx(0.5 * (3.0 * 1080 - 3.0) * 8.617333262e-5 * 300.0).epsilon(1e-8));
    CHECK(etot == Approx(epot + ekin).epsilon(1e-14));
    REQUIRE(log >> step >> t >> epot >> ekin >> etot >> temp);
    CHECK(step == 1);
    CHECK(t == Approx(0.0005));
    const auto frames = io::read_extxyz((out / "t.xyz").string());
    REQUIRE(frames.size() == 3);
    const Structure s0 = io::read_input_data(model + "/input.data").at(0);
    CHECK(frames[0].positions[7][1] == Approx(s0.positions[7][1] * md::kBohr).epsilon(1e-12));
    CHECK(frames[0].lattice[2][2] == Approx(s0.lattice[2][2] * md::kBohr).epsilon(1e-12));
    const std::string rdf = read_all(out / "rdf.dat");
    CHECK(rdf.find("r_angstrom g_H-H g_H-O g_O-O") != std::string::npos);
    CHECK(read_all(out / "out").find("result: stable") != std::string::npos);
}

TEST_CASE("hdnnp md: a blow-up is reported as a failure with its step", "[cli][md]") {
    // Argon at 5000 K with 40 fs steps: the temperature criterion (default 10 x T) or the closest-approach
    // criterion trips; the exit status is 3 and the report names the step.
    const std::string argon = std::string(HDNNP_SOURCE_DIR) + "/examples/argon-lj";
    const fs::path out = new_dir("md_fail");
    const int rc = hdnnp_run("md " + argon + " " + argon + "/input.data --steps 200 --timestep 40 --temperature 5000 --min-distance 2.0", out / "out");
    const std::string text = read_all(out / "out");
    INFO(text);
    CHECK(rc == 3);
    CHECK(std::regex_search(text, std::regex("result: FAILED at step [0-9]+")));
    // the atoms leave the training range on the way: the report names the functions (element Ar, 1-based index)
    CHECK(std::regex_search(text, std::regex("extrapolating functions[^\n]*\n[^\n]*\n +Ar +[0-9]+ +[0-9]+ +[0-9]+")));
}
