// The n2p2 loader reads 4G models (electronegativity networks, hardness, Gaussian widths, screening and
// Ewald settings) and refuses malformed 4G inputs with messages that name the file and line.
#include <catch2/catch.hpp>

#include <stdlib.h>  // mkdtemp

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>

#include "hdnnp/potential/potential.hpp"
#include "hdnnp/io/input_data.hpp"
#include "hdnnp/io/n2p2_model.hpp"
#include "support/reference.hpp"

using namespace hdnnp;
namespace fs = std::filesystem;
using Catch::Contains;

namespace {

const std::string kDrop = "\x7f(drop)";

/// A copy of a reference model directory under /tmp (removed at the end of the scope) whose files can be
/// edited line by line.
struct ModelCopy {
    std::string path;
    explicit ModelCopy(const std::string& example) {
        std::string t = "/tmp/hdnnp_loader_4g_test_XXXXXX";
        if (!mkdtemp(t.data())) throw std::runtime_error("mkdtemp failed");
        path = t;
        for (const auto& e : fs::directory_iterator(test::predict_dir(example)))
            if (e.is_regular_file()) {
                fs::copy_file(e.path(), path + "/" + e.path().filename().string());
                fs::permissions(path + "/" + e.path().filename().string(), fs::perms::owner_read | fs::perms::owner_write,
                                fs::perm_options::add);
            }
    }
    ~ModelCopy() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    ModelCopy(const ModelCopy&) = delete;
    ModelCopy& operator=(const ModelCopy&) = delete;
    std::string file(const std::string& name) const { return path + "/" + name; }
    std::string read(const std::string& name) const {
        std::ifstream in(file(name));
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
    void write(const std::string& name, const std::string& text) const {
        std::ofstream out(file(name));
        out << text;
    }
    /// Rewrites the lines of a file: f(line_number, line) returns the new text (kDrop drops the line).
    void edit(const std::string& name, const std::function<std::string(std::size_t, const std::string&)>& f) const {
        std::istringstream in(read(name));
        std::string line, out;
        std::size_t n = 0;
        while (std::getline(in, line)) {
            const std::string r = f(++n, line);
            if (r != kDrop) out += r + "\n";
        }
        write(name, out);
    }
    /// Line number (1-based) of the first line starting with `prefix` (0 if none).
    std::size_t find(const std::string& name, const std::string& prefix) const {
        std::istringstream in(read(name));
        std::string line;
        std::size_t n = 0;
        while (std::getline(in, line)) {
            ++n;
            if (line.rfind(prefix, 0) == 0) return n;
        }
        return 0;
    }
    /// Replaces the first line starting with prefix; returns its number.
    std::size_t replace(const std::string& name, const std::string& prefix, const std::string& text) const {
        const std::size_t at = find(name, prefix);
        REQUIRE(at > 0);
        edit(name, [&](std::size_t n, const std::string& l) { return n == at ? text : l; });
        return at;
    }
    /// Appends a line to input.nn; returns its number.
    std::size_t append(const std::string& text) const {
        const std::string t = read("input.nn");
        std::size_t lines = 0;
        for (char c : t) lines += c == '\n';
        write("input.nn", t + text + "\n");
        return lines + 1;
    }
};

std::string at(const ModelCopy& m, std::size_t line) { return m.file("input.nn") + ":" + std::to_string(line) + ": "; }

}  // namespace

TEST_CASE("the 4G reference models load with their electrostatics settings", "[electrostatics][io]") {
    SECTION("Carbon_chain_4G: non-periodic, screened, Kolafa-Perram settings") {
        const Model m = io::load_n2p2_model(test::predict_dir("Carbon_chain_4G"));
        CHECK(m.generation == Generation::fourth);
        REQUIRE(m.symbols() == std::vector<std::string>{"H", "C"});
        CHECK(m.elements[0].gauss_width == 0.585815056466);
        CHECK(m.elements[1].gauss_width == 1.379499971678);
        CHECK(m.elements[0].hardness == 0.0088953312);
        CHECK(m.elements[1].hardness == 0.0661189426);
        CHECK(m.elements[0].network.n_inputs() == 24 + 1);   // functions + charge
        CHECK(m.elements[0].electronegativity.n_inputs() == 24);
        CHECK(m.elements[1].electronegativity.layers()[0].n_out == 15);
        CHECK(m.elements[1].network.layers()[0].n_out == 10);
        const ElectrostaticsSettings& es = m.electrostatics;
        CHECK(es.four_pi_epsilon == 1.0);
        CHECK(es.screening.enabled());
        CHECK(es.screening.inner == 4.8);
        CHECK(es.screening.outer == 8.0);
        CHECK(es.screening.core == ScreeningCore::cosine);
        CHECK(es.ewald.method == EwaldTruncation::kolafa_perram);
        CHECK(es.ewald.precision == 1e-5);
        CHECK(es.ewald.max_charge == 0.16);
        CHECK(es.ewald.real_cutoff == 0.0);
    }
    SECTION("AlAuMgO_4G and H2O_RPBE-D3_4G") {
        const Model a = io::load_n2p2_model(test::predict_dir("AlAuMgO_4G"));
        REQUIRE(a.symbols() == std::vector<std::string>{"O", "Mg", "Al", "Au"});
        CHECK(a.elements[3].hardness == 0.0175182304);
        CHECK(a.max_gauss_width() == 4.289);
        CHECK(a.electrostatics.screening.inner == 3.2);
        const Model h = io::load_n2p2_model(test::predict_dir("H2O_RPBE-D3_4G"));
        CHECK(h.elements[0].hardness == 32.996);
        CHECK(h.electrostatics.ewald.max_charge == 0.36);
        CHECK(h.electrostatics.screening.outer == 12.0);
    }
}

TEST_CASE("4G loader: accepted variants of the electrostatics keywords", "[electrostatics][io]") {
    ModelCopy m("Carbon_chain_4G");
    SECTION("screening core, fixed real-space cutoff, four_pi_epsilon, Jackson-Catlow") {
        m.replace("input.nn", "screen_electrostatics", "screen_electrostatics 4.0 8.0 p3");
        m.replace("input.nn", "ewald_prec", "ewald_prec 1.e-5 0.16 9.5");
        m.append("four_pi_epsilon 0.0694462");
        Model x = io::load_n2p2_model(m.path);
        CHECK(x.electrostatics.screening.core == ScreeningCore::poly3);
        CHECK(x.electrostatics.ewald.real_cutoff == 9.5);
        CHECK(x.electrostatics.four_pi_epsilon == 0.0694462);
        m.replace("input.nn", "ewald_truncation_error_method", "ewald_truncation_error_method 0");
        m.replace("input.nn", "ewald_prec", "ewald_prec 1e-6");
        x = io::load_n2p2_model(m.path);
        CHECK(x.electrostatics.ewald.method == EwaldTruncation::jackson_catlow);
        CHECK(x.electrostatics.ewald.precision == 1e-6);
    }
    SECTION("no screening keyword: screening off") {
        m.replace("input.nn", "screen_electrostatics", "# no screening");
        CHECK_FALSE(io::load_n2p2_model(m.path).electrostatics.screening.enabled());
    }
    SECTION("nnp-scaling's trailing energy-range line of a 4G scaling.data is optional") {
        m.edit("scaling.data", [](std::size_t, const std::string& l) {
            return hdnnp::detail::split_words(l).size() == 2 ? kDrop : l;
        });
        CHECK(io::load_n2p2_model(m.path).generation == Generation::fourth);
    }
}

TEST_CASE("4G loader refuses malformed inputs with file and line", "[electrostatics][io]") {
    ModelCopy m("Carbon_chain_4G");
    SECTION("missing hardness file") {
        fs::remove(m.file("hardness.006.data"));
        CHECK_THROWS_AS(io::load_n2p2_model(m.path), ParseError);
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path), Contains(m.file("hardness.006.data") + ": cannot open the hardness file of element C"));
    }
    SECTION("missing electronegativity weights") {
        fs::remove(m.file("weightse.001.data"));
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path),
                          Contains(m.file("weightse.001.data") + ": cannot open the electronegativity weights file of element H"));
    }
    SECTION("electronegativity weights of the wrong count") {
        m.edit("weightse.001.data", [](std::size_t n, const std::string& l) { return n == 20 ? kDrop : l; });
        // 24 -> 15 -> 15 -> 1: 24*15 + 15 + 15*15 + 15 + 15 + 1 = 631
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path),
                          Contains(m.file("weightse.001.data") +
                                   ": holds 630 weights and biases but the 24-15-15-1 electronegativity network of element H needs 631"));
    }
    SECTION("a non-numeric electronegativity weight") {
        const std::size_t at_line = m.find("weightse.006.data", " ") + 2;
        m.edit("weightse.006.data", [&](std::size_t n, const std::string& l) { return n == at_line ? "0.5x" : l; });
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path),
                          Contains(m.file("weightse.006.data") + ":" + std::to_string(at_line) + ": expected a number in column 1, got '0.5x'"));
    }
    SECTION("short-range weights without the charge input") {
        // a 24-10-10-1 network (no charge input, as in 2G) has 10 numbers fewer than the 4G 25-10-10-1 one
        m.edit("weights.001.data", [](std::size_t n, const std::string& l) { return n <= 10 ? kDrop : l; });
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path),
                          Contains(m.file("weights.001.data") + ": holds 371 weights and biases but the 25-10-10-1 network of element H needs 381"));
    }
    SECTION("hardness file with two numbers, a bad number, no number, a non-positive value") {
        m.write("hardness.001.data", "0.1\n0.2\n");
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path), Contains(m.file("hardness.001.data") + ":2: expected exactly one number"));
        m.write("hardness.001.data", "# hardness\n0.1abc\n");
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path), Contains(m.file("hardness.001.data") + ":2: expected a number in column 1, got '0.1abc'"));
        m.write("hardness.001.data", "\n");
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path), Contains(m.file("hardness.001.data") + ": holds no hardness value"));
        m.write("hardness.001.data", "-0.5\n");
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path), Contains(m.file("hardness.001.data") + ": hardness of element H must be positive"));
    }
    SECTION("missing fixed_gausswidth for an element") {
        m.replace("input.nn", "fixed_gausswidth C", "# no width for C");
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path),
                          Contains(m.file("input.nn") + ": element C has no 'fixed_gausswidth' (a 4G model needs the Gaussian charge width of every element)"));
    }
    SECTION("fixed_gausswidth given twice, non-positive, malformed") {
        const std::size_t first = m.find("input.nn", "fixed_gausswidth H");
        const std::size_t line = m.append("fixed_gausswidth H 0.6");
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path),
                          Contains(at(m, line) + "'fixed_gausswidth' for element H given twice (first on line " + std::to_string(first) + ")"));
        m.replace("input.nn", "fixed_gausswidth H 0.6", "# removed");
        const std::size_t l2 = m.replace("input.nn", "fixed_gausswidth H", "fixed_gausswidth H 0.0");
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path), Contains(at(m, l2) + "Gaussian width of element H must be positive"));
        m.replace("input.nn", "fixed_gausswidth H", "fixed_gausswidth H");
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path), Contains(at(m, l2) + "'fixed_gausswidth' expects: fixed_gausswidth Element sigma"));
        m.replace("input.nn", "fixed_gausswidth H", "fixed_gausswidth Xe 0.5");
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path), Contains(at(m, l2) + "element 'Xe' is not in the 'elements' list"));
    }
    SECTION("electronegativity network keywords missing or of the wrong length") {
        const std::size_t l = m.replace("input.nn", "global_nodes_electrostatic", "global_nodes_electrostatic 15");
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path),
                          Contains(at(m, l) + "'global_nodes_electrostatic' needs 2 widths (one per hidden layer), got 1"));
        m.replace("input.nn", "global_nodes_electrostatic", "# gone");
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path),
                          Contains(m.file("input.nn") + ": required keyword 'global_nodes_electrostatic' is missing"));
    }
    SECTION("screening radii and core") {
        const std::size_t l = m.replace("input.nn", "screen_electrostatics", "screen_electrostatics 8.0 4.8");
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path), Contains(at(m, l) + "screening needs r_inner < r_outer, got 8.0 and 4.8"));
        m.replace("input.nn", "screen_electrostatics", "screen_electrostatics 4.8 8.0 q");
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path), Contains(at(m, l) + "unknown screening function core 'q'"));
        m.replace("input.nn", "screen_electrostatics", "screen_electrostatics 4.8");
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path), Contains(at(m, l) + "'screen_electrostatics' expects"));
    }
    SECTION("Ewald keywords") {
        const std::size_t lm = m.replace("input.nn", "ewald_truncation_error_method", "ewald_truncation_error_method 2");
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path), Contains(at(m, lm) + "unknown ewald_truncation_error_method 2 (expected 0 or 1)"));
        m.replace("input.nn", "ewald_truncation_error_method", "ewald_truncation_error_method 0");
        const std::size_t lp = m.find("input.nn", "ewald_prec");
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path),
                          Contains(at(m, lp) + "'ewald_prec' takes one value (the precision) with ewald_truncation_error_method 0, got 2"));
        m.replace("input.nn", "ewald_prec", "ewald_prec 2.0");
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path), Contains(at(m, lp) + "Ewald precision must satisfy 0 < precision < 1"));
        m.replace("input.nn", "ewald_truncation_error_method", "ewald_truncation_error_method 1");
        m.replace("input.nn", "ewald_prec", "ewald_prec 1e-5");
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path), Contains(at(m, lp) + "'ewald_prec' takes 2 or 3 values"));
        m.replace("input.nn", "ewald_prec", "ewald_prec 1e-5 0.16 -3");
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path), Contains(at(m, lp) + "real-space cutoff must be positive"));
        m.replace("input.nn", "ewald_prec", "# none");
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path), Contains(m.file("input.nn") + ": required keyword 'ewald_prec' is missing"));
    }
    SECTION("four_pi_epsilon") {
        const std::size_t l = m.append("four_pi_epsilon -1");
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path), Contains(at(m, l) + "four_pi_epsilon must be positive"));
    }
    SECTION("Q-HDNNP models are refused") {
        const std::size_t l = m.replace("input.nn", "nnp_generation", "nnp_generation 10");
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path), Contains(at(m, l) + "nnp_type 10 (Q-HDNNP) is not supported by this version"));
    }
    SECTION("a second trailing line in scaling.data") {
        const std::string t = m.read("scaling.data");
        std::size_t lines = 0;
        for (char c : t) lines += c == '\n';
        m.write("scaling.data", t + "  0.1 0.2\n");
        CHECK_THROWS_WITH(io::load_n2p2_model(m.path),
                          Contains(m.file("scaling.data") + ":" + std::to_string(lines + 1) + ": more lines than symmetry functions"));
    }
}

TEST_CASE("a normalised 4G model gives the results of the equivalent unnormalised one", "[electrostatics][io]") {
    // n2p2's internal units: E_int = conv_energy (E - N mean_energy), Q_int = conv_charge Q, chi_int =
    // chi conv_energy / conv_charge. Rewrite the Carbon chain model for mean_energy, conv_energy,
    // conv_length, conv_charge != 1: the charge input rows of the short networks are divided by conv_charge,
    // their (linear) output layers map E -> conv_energy (E - mean_energy), the electronegativity outputs
    // are multiplied by conv_energy / conv_charge. Hardness, widths and lengths stay physical.
    const double mean = -0.3, ce = 7.5, cq = 2.5, cl = 1.9;
    ModelCopy m("Carbon_chain_4G");
    m.append("mean_energy " + std::to_string(mean));
    m.append("conv_energy " + std::to_string(ce));
    m.append("conv_length " + std::to_string(cl));
    m.append("conv_charge " + std::to_string(cq));
    const Model orig = io::load_n2p2_model(test::predict_dir("Carbon_chain_4G"));
    auto write_net = [&](const std::string& name, const Network& net, bool is_short) {
        std::string text;
        char buf[64];
        const auto& L = net.layers();
        for (std::size_t l = 0; l < L.size(); ++l) {
            const bool last = l + 1 == L.size();
            for (std::size_t i = 0; i < L[l].n_in; ++i)
                for (std::size_t o = 0; o < L[l].n_out; ++o) {
                    double w = L[l].weights[i * L[l].n_out + o];
                    if (is_short && l == 0 && i + 1 == L[l].n_in) w /= cq;
                    if (last) w *= is_short ? ce : ce / cq;
                    std::snprintf(buf, sizeof buf, "%.17g\n", w);
                    text += buf;
                }
            for (std::size_t o = 0; o < L[l].n_out; ++o) {
                double b = L[l].biases[o];
                if (last) b = is_short ? ce * (b - mean) : b * ce / cq;
                std::snprintf(buf, sizeof buf, "%.17g\n", b);
                text += buf;
            }
        }
        m.write(name, text);
    };
    write_net("weights.001.data", orig.elements[0].network, true);
    write_net("weights.006.data", orig.elements[1].network, true);
    write_net("weightse.001.data", orig.elements[0].electronegativity, false);
    write_net("weightse.006.data", orig.elements[1].electronegativity, false);
    const auto plain = Potential4G<>::load(test::predict_dir("Carbon_chain_4G"));
    const auto normalised = Potential4G<>::load(m.path);
    CHECK(normalised.model().normalized);
    Structure s = io::read_input_data(test::predict_dir("Carbon_chain_4G") + "/input.data").at(0);
    s.total_charge = 0.5;
    const Result4G a = plain.compute(s), b = normalised.compute(s);
    CHECK(b.energy == Approx(a.energy).epsilon(1e-13));
    double dq = 0.0, df = 0.0, de = 0.0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        dq = std::max(dq, std::abs(a.charges[i] - b.charges[i]));
        de = std::max(de, std::abs(a.atomic_energies[i] - mean - b.atomic_energies[i]));
        for (int k = 0; k < 3; ++k) df = std::max(df, std::abs(a.forces[i][k] - b.forces[i][k]));
    }
    CHECK(dq <= 1e-13);
    CHECK(df <= 1e-13);
    CHECK(de <= 1e-13);
}
