// The n2p2 model loader: every 2G reference model loads with n2p2's element order, symmetry-function order
// (checked against the function list n2p2 itself printed into sf_dump.txt.gz), networks, scaling and
// normalisation; every malformed input is refused with a message naming the file (and line).
#include <catch2/catch.hpp>

#include <stdlib.h>  // mkdtemp
#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "hdnnp/io/n2p2_model.hpp"
#include "support/reference.hpp"

using namespace hdnnp;
namespace fs = std::filesystem;

namespace {

// ------------------------------------------------------------------------------------------------
// Reference models

/// One "# SF <El> <k> : fields..." header line of sf_dump.txt.gz.
struct DumpedFunction {
    std::string element;
    std::size_t index = 0;
    std::vector<std::string> fields;  ///< after the colon: index element type ... input.nn-line
};

/// The function list at the top of an sf_dump.txt.gz (stops at the first atom block).
std::vector<DumpedFunction> read_dump_functions(const std::string& path) {
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) throw std::runtime_error("cannot open " + path);
    std::vector<DumpedFunction> out;
    char buf[4096];
    while (gzgets(f, buf, sizeof buf)) {
        const std::string line(buf);
        if (line.rfind("atom", 0) == 0) break;
        if (line.rfind("# SF ", 0) != 0) continue;
        std::istringstream ls(line.substr(5));
        DumpedFunction d;
        std::string colon, w;
        ls >> d.element >> d.index >> colon;
        while (ls >> w) d.fields.push_back(w);
        out.push_back(d);
    }
    gzclose(f);
    return out;
}

struct ReferenceModel {
    std::string dir;                      ///< relative to HDNNP_REFERENCE_DIR
    std::vector<std::string> symbols;     ///< expected element order (ascending atomic number)
    std::vector<std::size_t> n_functions; ///< per element (README table)
    std::vector<std::size_t> hidden;      ///< hidden layer widths
    std::string activations;              ///< one letter per layer, output last
    int cutoff_type;
    ScalingMode mode;
    double mean_energy, conv_energy, conv_length;  ///< as written in input.nn
    std::string dump_dir;                 ///< example whose sf_dump.txt.gz lists these functions
    long line_offset;                     ///< input.nn line = dumped line + offset
};

const std::vector<ReferenceModel>& reference_models() {
    // H2O_BLYP has no outputs of its own; it uses the symmetry functions of H2O_RPBE-D3, 55 lines lower
    // in its input.nn.
    static const std::vector<ReferenceModel> r = {
        {"predict/H2O_RPBE-D3", {"H", "O"}, {27, 30}, {25, 25}, "ttl", 2, ScalingMode::scale_center,
         -2.5521343547039809E+01, 2.4265748255366972E+02, 5.8038448995319847E+00, "predict/H2O_RPBE-D3", 0},
        {"predict/Cu2S_PBE", {"S", "Cu"}, {72, 66}, {25, 25}, "ppl", 6, ScalingMode::sigma,
         -3.8640662064628053E+00, 7.3890846653659121E+00, 6.1376931796181502E+00, "predict/Cu2S_PBE", 0},
        {"predict/Anisole_SCAN", {"H", "C", "O"}, {351, 354, 331}, {30, 20}, "ppl", 6, ScalingMode::scale_center,
         -3.7798465944668833E+00, 9.6165975309496139E+02, 1.6441069294475543E+01, "predict/Anisole_SCAN", 0},
        {"predict/DMABN_SCAN", {"H", "C", "N"}, {334, 333, 219}, {25, 25}, "ppl", 6, ScalingMode::scale_center,
         -3.6581036498775639E+00, 1.1608720067118788E+03, 3.8128564085005848E+01, "predict/DMABN_SCAN", 0},
        {"predict/Ethylbenzene_SCAN", {"H", "C"}, {184, 184}, {25, 25}, "ppl", 6, ScalingMode::scale_center,
         -2.8547021561081563E+00, 6.2674740310100970E+03, 9.4927514173056764E+01, "predict/Ethylbenzene_SCAN", 0},
        {"potentials/H2O_BLYP", {"H", "O"}, {27, 30}, {25, 25}, "ttl", 2, ScalingMode::scale_center,
         -2.5515845506575516E+01, 1.8804016272992857E+02, 4.3812936604793364E+00, "predict/H2O_RPBE-D3", 55},
    };
    return r;
}

/// |printed - value| within what the printed precision allows.
bool printed_as(const std::string& text, double value, double rel, double abs) {
    double p = 0.0;
    if (!hdnnp::detail::parse_double(text, p)) return false;
    return std::abs(p - value) <= rel * std::abs(value) + abs;
}

/// Empty if the model's function f (element e, position s) matches the dumped line d; else what differs.
std::string compare_function(const Model& m, std::size_t e, std::size_t s, const DumpedFunction& d, long line_offset) {
    const SymFnSpec& f = m.elements[e].descriptors.specs()[s];
    const auto sym = [&](int idx) { return idx < 0 ? std::string("-") : m.elements[static_cast<std::size_t>(idx)].symbol; };
    const auto& w = d.fields;
    std::string bad;
    const auto expect = [&](bool ok, const std::string& what) {
        if (!ok) bad += " " + what;
    };
    constexpr double e4 = 6e-4;  // %9.3E: four significant digits
    expect(d.element == m.elements[e].symbol, "element");
    expect(d.index == s + 1, "index");
    expect(w.size() >= 4 && w[0] == std::to_string(s + 1) && w[1] == m.elements[e].symbol, "leading columns");
    if (w.size() < 4) return bad;
    expect(w[2] == std::to_string(f.type), "type (dump " + w[2] + ", model " + std::to_string(f.type) + ")");
    std::size_t line_col = 0;
    if (f.type == 2 && w.size() == 10) {
        expect(w[3] == "ct" + std::to_string(m.cutoff_type), "cutoff type");
        expect(w[4] == sym(f.e1) && f.e2 < 0, "neighbour element");
        expect(printed_as(w[5], f.eta, e4, 1e-300), "eta");
        expect(printed_as(w[6], f.rs, e4, 1e-300), "rs");
        expect(printed_as(w[7], f.rc, e4, 1e-300), "rc");
        expect(printed_as(w[8], m.cutoff_alpha, 0.0, 0.0051), "alpha");
        line_col = 9;
    } else if ((f.type == 3 || f.type == 9) && w.size() == 13) {
        expect(w[3] == "ct" + std::to_string(m.cutoff_type), "cutoff type");
        expect(w[4] == sym(f.e1) && w[5] == sym(f.e2), "neighbour elements");
        expect(printed_as(w[6], f.eta, e4, 1e-300), "eta");
        expect(printed_as(w[7], f.rs, e4, 1e-300), "rs");
        expect(printed_as(w[8], f.rc, e4, 1e-300), "rc");
        expect(printed_as(w[9], f.lambda, 0.0, 0.0), "lambda");
        expect(printed_as(w[10], f.zeta, 0.0, 0.051), "zeta");
        expect(printed_as(w[11], m.cutoff_alpha, 0.0, 0.0051), "alpha");
        line_col = 12;
    } else if (f.type == 20 && w.size() == 8) {
        expect(w[3] == f.subtype, "subtype");
        expect(w[4] == sym(f.e1) && f.e2 < 0, "neighbour element");
        expect(printed_as(w[5], f.rl, e4, 1e-300), "rl");
        expect(printed_as(w[6], f.rc, e4, 1e-300), "rc");
        line_col = 7;
    } else if ((f.type == 21 || f.type == 22) && w.size() == 11) {
        expect(w[3] == f.subtype, "subtype");
        expect(w[4] == sym(f.e1) && w[5] == sym(f.e2), "neighbour elements");
        expect(printed_as(w[6], f.rl, e4, 1e-300), "rl");
        expect(printed_as(w[7], f.rc, e4, 1e-300), "rc");
        expect(printed_as(w[8], f.left, 0.0, 0.051), "angle_left");
        expect(printed_as(w[9], f.right, 0.0, 0.051), "angle_right");
        line_col = 10;
    } else {
        return bad + " layout (" + std::to_string(w.size()) + " columns for type " + std::to_string(f.type) + ")";
    }
    expect(w[line_col] == std::to_string(static_cast<long>(f.line) - line_offset),
           "input.nn line (dump " + w[line_col] + ", model " + std::to_string(f.line) + ")");
    return bad;
}

/// Non-comment rows of a whitespace-separated numeric file.
std::vector<std::vector<double>> read_rows(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::vector<std::vector<double>> rows;
    std::string line;
    while (std::getline(in, line)) {
        const auto w = hdnnp::detail::split_words(line);
        if (w.empty() || w[0][0] == '#') continue;
        std::vector<double> r;
        for (const auto& t : w) {
            double v = 0.0;
            if (!hdnnp::detail::parse_double(t, v)) break;  // RuNNer weight files: "value a index ..."
            r.push_back(v);
        }
        rows.push_back(r);
    }
    return rows;
}

// ------------------------------------------------------------------------------------------------
// Small synthetic model, mutated line by line for the malformed-input tests

using Lines = std::vector<std::string>;

Lines base_input() {
    return {
        "# small valid 2G model for the loader tests",  // 1
        "number_of_elements 2",                         // 2
        "elements O H        # not in atomic-number order",  // 3
        "cutoff_type 2",                                // 4
        "scale_symmetry_functions",                     // 5
        "center_symmetry_functions",                    // 6
        "global_hidden_layers_short 1",                 // 7
        "global_nodes_short 2",                         // 8
        "global_activation_short t l",                  // 9
        "symfunction_short H 2 O 0.001 0.0 5.0",        // 10
        "symfunction_short H 2 H 0.5 0.0 4.0",          // 11: smaller rc, sorts first
        "symfunction_short O 3 O H 0.01 1.0 1.0 6.0",   // 12: neighbours swapped to H O
        "symfunction_short O 2 H 0.01 0.0 6.0",         // 13: type 2 sorts before type 3
        "atom_energy H -0.5",                           // 14
        "atom_energy O -75.0  ! comment",               // 15
    };
}

// Sorted order: H {line 11, line 10}, O {line 13, line 12}. Lines 2-5 hold the data.
const char* const base_scaling =
    "# element function Gmin Gmax Gmean Gsigma\n"
    "1 1 0.0 1.0 0.5 0.25\n"
    "1 2 0.1 2.0 1.0 0.5\n"
    "2 1 0.0 3.0 1.5 0.75\n"
    "2 2 0.2 4.0 2.0 1.0\n";

/// Text of weight number i (0-based) of element z: "z.ii".
std::string weight_text(int z, std::size_t i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%d.%02zu", z, i + 1);
    return buf;
}

/// A weights file with n numbers (file line i + 2 holds number i), RuNNer-style extra columns included.
std::string weights_file(int z, std::size_t n) {
    std::string s = "# test weights\n";
    for (std::size_t i = 0; i < n; ++i) s += weight_text(z, i) + (i % 2 ? "   a  1  0  1  1  1\n" : "\n");
    return s;
}

struct Inputs {
    Lines nn = base_input();
    std::string scaling = base_scaling;
    std::map<int, std::string> weights = {{1, weights_file(1, 9)}, {8, weights_file(8, 9)}};  // 2-2-1: 9 each

    Inputs& set(std::size_t line, const std::string& text) {
        nn.at(line - 1) = text;
        return *this;
    }
    Inputs& add(const std::string& text) {  // appended as line 16, 17, ...
        nn.push_back(text);
        return *this;
    }
};

std::string join(const Lines& lines) {
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
}

Model parse(const Inputs& in) {
    std::istringstream nn(join(in.nn)), sc(in.scaling);
    std::vector<std::unique_ptr<std::istringstream>> streams;
    return io::parse_n2p2_model(nn, "input.nn", sc, "scaling.data", [&](int z, std::string& name) -> std::istream& {
        char buf[32];
        std::snprintf(buf, sizeof buf, "weights.%03d.data", z);
        name = buf;
        const auto it = in.weights.find(z);
        streams.push_back(std::make_unique<std::istringstream>(it == in.weights.end() ? std::string() : it->second));
        return *streams.back();
    });
}

/// A fresh directory under /tmp, removed with everything in it at the end of the scope.
struct TempDir {
    std::string path;
    TempDir() {
        std::string t = "/tmp/hdnnp_n2p2_model_test_XXXXXX";
        if (!mkdtemp(t.data())) throw std::runtime_error("mkdtemp failed");
        path = t;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return path + "/" + name; }
    void write(const std::string& name, const std::string& text) const {
        std::ofstream out(file(name));
        out << text;
        if (!out) throw std::runtime_error("cannot write " + file(name));
    }
};

using Catch::Contains;

}  // namespace

// ================================================================================================
// Reference models

TEST_CASE("n2p2 model: every 2G reference model loads as n2p2 reads it", "[io][model]") {
    for (const ReferenceModel& ref : reference_models()) {
        DYNAMIC_SECTION(ref.dir) {
            const std::string dir = test::reference_dir() + "/" + ref.dir;
            const Model m = io::load_n2p2_model(dir);
            CHECK(m.directory == dir);
            CHECK(m.generation == Generation::second);

            // Elements in ascending atomic number, whatever the order of the `elements` line.
            REQUIRE(m.symbols() == ref.symbols);
            for (std::size_t e = 0; e < m.elements.size(); ++e) {
                CHECK(m.elements[e].atomic_number == atomic_number(ref.symbols[e]));
                if (e > 0) CHECK(m.elements[e - 1].atomic_number < m.elements[e].atomic_number);
                CHECK(m.element_index(ref.symbols[e]) == static_cast<int>(e));
                CHECK(m.elements[e].atom_energy == 0.0);  // all atom_energy lines are commented out
            }

            // Global settings.
            CHECK(m.cutoff_type == ref.cutoff_type);
            CHECK(m.cutoff_alpha == 0.0);
            CHECK(m.scaling_mode == ref.mode);
            CHECK(m.scale_min == 0.0);
            CHECK(m.scale_max == 1.0);
            CHECK(m.normalized);
            CHECK(m.mean_energy == ref.mean_energy);
            CHECK(m.conv_energy == ref.conv_energy);
            CHECK(m.conv_length == ref.conv_length);
            CHECK(m.conv_charge == 1.0);

            // Symmetry functions: counts, then n2p2's own sorted list (types, neighbours, parameters and
            // input.nn lines in NN-input order).
            const auto dump = read_dump_functions(test::reference_dir() + "/" + ref.dump_dir + "/expected/sf_dump.txt.gz");
            std::size_t total = 0, k = 0;
            std::vector<std::string> mismatches;
            for (std::size_t e = 0; e < m.elements.size(); ++e) {
                INFO("element " << m.elements[e].symbol);
                REQUIRE(m.elements[e].descriptors.size() == ref.n_functions[e]);
                total += ref.n_functions[e];
                if (dump.size() < total) continue;
                for (std::size_t s = 0; s < ref.n_functions[e]; ++s, ++k) {
                    const std::string bad = compare_function(m, e, s, dump[k], ref.line_offset);
                    if (!bad.empty())
                        mismatches.push_back(m.elements[e].symbol + " " + std::to_string(s + 1) + ":" + bad + "  [" +
                                             m.elements[e].descriptors.specs()[s].describe(m.symbols()) + "]");
                }
            }
            REQUIRE(dump.size() == total);
            INFO(mismatches.size() << " functions differ from sf_dump.txt.gz; first: "
                                   << (mismatches.empty() ? std::string() : mismatches.front()));
            CHECK(mismatches.empty());
            CHECK(m.cutoff_radius() > 0.0);

            // Networks: shape, activations, and every weight in file order.
            for (std::size_t e = 0; e < m.elements.size(); ++e) {
                INFO("element " << m.elements[e].symbol);
                const Network& net = m.elements[e].network;
                const auto& layers = net.layers();
                REQUIRE(layers.size() == ref.hidden.size() + 1);
                REQUIRE(ref.activations.size() == layers.size());
                std::size_t n_in = ref.n_functions[e];
                for (std::size_t l = 0; l < layers.size(); ++l) {
                    const std::size_t n_out = l < ref.hidden.size() ? ref.hidden[l] : 1;
                    CHECK(layers[l].n_in == n_in);
                    CHECK(layers[l].n_out == n_out);
                    CHECK(static_cast<char>(layers[l].activation) == ref.activations[l]);
                    CHECK(layers[l].weights.size() == n_in * n_out);
                    CHECK(layers[l].biases.size() == n_out);
                    n_in = n_out;
                }
                CHECK_FALSE(net.normalize_nodes());
                char name[32];
                std::snprintf(name, sizeof name, "/weights.%03d.data", m.elements[e].atomic_number);
                const auto rows = read_rows(dir + name);
                REQUIRE(rows.size() == net.n_parameters());
                std::size_t p = 0, differ = 0;
                for (const auto& L : layers) {
                    for (double w : L.weights) differ += rows[p++].at(0) != w;
                    for (double b : L.biases) differ += rows[p++].at(0) != b;
                }
                CHECK(differ == 0);
            }

            // Scaling statistics, line by line.
            const auto rows = read_rows(dir + "/scaling.data");
            std::size_t differ = 0, n_rows = 0;
            for (const auto& r : rows) {
                REQUIRE(r.size() >= 5);
                const auto e = static_cast<std::size_t>(r[0]) - 1, s = static_cast<std::size_t>(r[1]) - 1;
                REQUIRE(e < m.elements.size());
                const ElementScaling& sc = m.elements[e].scaling;
                REQUIRE(s < sc.gmin.size());
                differ += sc.gmin[s] != r[2] || sc.gmax[s] != r[3] || sc.gmean[s] != r[4] || (r.size() > 5 && sc.gsigma[s] != r[5]);
                ++n_rows;
            }
            CHECK(differ == 0);
            CHECK(n_rows == total);
            for (std::size_t e = 0; e < m.elements.size(); ++e) CHECK(m.elements[e].scaling.factor.size() == ref.n_functions[e]);
        }
    }
}

// ================================================================================================
// The synthetic model as it should load

TEST_CASE("n2p2 model: small valid model (sorting, swapped neighbours, weights layout, offsets)", "[io][model]") {
    const Model m = parse(Inputs{});
    REQUIRE(m.symbols() == std::vector<std::string>{"H", "O"});
    CHECK(m.elements[0].atomic_number == 1);
    CHECK(m.elements[1].atomic_number == 8);
    CHECK(m.elements[0].atom_energy == -0.5);
    CHECK(m.elements[1].atom_energy == -75.0);
    CHECK_FALSE(m.normalized);
    CHECK(m.mean_energy == 0.0);
    CHECK(m.conv_energy == 1.0);
    CHECK(m.conv_length == 1.0);
    CHECK(m.scaling_mode == ScalingMode::scale_center);
    CHECK(m.cutoff_type == 2);

    const auto& h = m.elements[0].descriptors.specs();
    const auto& o = m.elements[1].descriptors.specs();
    REQUIRE(h.size() == 2);
    REQUIRE(o.size() == 2);
    CHECK(h[0].line == 11);  // rc 4 before rc 5, although eta is larger
    CHECK(h[0].e1 == 0);
    CHECK(h[0].rc == 4.0);
    CHECK(h[1].line == 10);
    CHECK(h[1].e1 == 1);
    CHECK(o[0].line == 13);  // type 2 before type 3
    CHECK(o[0].type == 2);
    CHECK(o[1].line == 12);
    CHECK(o[1].type == 3);
    CHECK(o[1].e1 == 0);  // "O 3 O H" is read as "O 3 H O"
    CHECK(o[1].e2 == 1);
    CHECK(o[1].eta == 0.01);
    CHECK(o[1].lambda == 1.0);
    CHECK(o[1].zeta == 1.0);
    CHECK(o[1].rc == 6.0);
    CHECK(m.cutoff_radius() == 6.0);

    // scaling.data rows follow the sorted order.
    CHECK(m.elements[0].scaling.gmin == std::vector<double>{0.0, 0.1});
    CHECK(m.elements[0].scaling.gmax == std::vector<double>{1.0, 2.0});
    CHECK(m.elements[1].scaling.gmean == std::vector<double>{1.5, 2.0});
    CHECK(m.elements[1].scaling.gsigma == std::vector<double>{0.75, 1.0});

    // Weights: per layer, source neuron outer, target inner, then the biases.
    for (std::size_t e = 0; e < 2; ++e) {
        const int z = m.elements[e].atomic_number;
        const auto& L = m.elements[e].network.layers();
        REQUIRE(L.size() == 2);
        CHECK(L[0].n_in == 2);
        CHECK(L[0].n_out == 2);
        CHECK(L[0].activation == Activation::tanh);
        CHECK(L[1].n_in == 2);
        CHECK(L[1].n_out == 1);
        CHECK(L[1].activation == Activation::linear);
        std::vector<double> expect;
        for (std::size_t i = 0; i < 9; ++i) expect.push_back(std::stod(weight_text(z, i)));
        CHECK(L[0].weights == std::vector<double>(expect.begin(), expect.begin() + 4));
        CHECK(L[0].biases == std::vector<double>(expect.begin() + 4, expect.begin() + 6));
        CHECK(L[1].weights == std::vector<double>(expect.begin() + 6, expect.begin() + 8));
        CHECK(L[1].biases == std::vector<double>(expect.begin() + 8, expect.end()));
    }
}

TEST_CASE("n2p2 model: accepted variants of valid input", "[io][model]") {
    SECTION("alias 'symfunction', optional rs of type 3 and 9, and a cutoff shift") {
        Inputs in;
        in.set(4, "cutoff_type 1 0.5").set(12, "symfunction O 9 H H 0.01 -1.0 2.0 6.0 0.5");
        const Model m = parse(in);
        CHECK(m.cutoff_alpha == 0.5);
        const auto& f = m.elements[1].descriptors.specs()[1];
        CHECK(f.type == 9);
        CHECK(f.rs == 0.5);
        CHECK(f.lambda == -1.0);
    }
    SECTION("compact subtypes and angular windows the format allows") {
        for (const char* line : {"symfunction_short O 20 H -6.0 6.0 p1", "symfunction_short O 20 H -6.0 6.0 p4a",
                                 "symfunction_short O 20 H 1.0 6.0 e", "symfunction_short O 20 H 1.0 6.0 exp",
                                 "symfunction_short O 22 H O -6.0 6.0 -90 90 p2",
                                 "symfunction_short O 22 H O -6.0 6.0 90 270 p2a",
                                 "symfunction_short O 21 H H -6.0 6.0 0 180 p3",
                                 "symfunction_short O 25 -6.0 6.0 -45 45 p2", "symfunction_short O 23 0.0 6.0 p2"}) {
            CAPTURE(line);
            Inputs in;
            in.set(13, line);
            CHECK_NOTHROW(parse(in));
        }
    }
    SECTION("complete normalisation") {
        Inputs in;
        in.add("mean_energy -2.5").add("conv_energy 10.0").add("conv_length 2.0").add("conv_charge 3.0");
        const Model m = parse(in);
        CHECK(m.normalized);
        CHECK(m.mean_energy == -2.5);
        CHECK(m.conv_energy == 10.0);
        CHECK(m.conv_length == 2.0);
        CHECK(m.conv_charge == 3.0);
    }
    SECTION("Gmax == Gmin without min/max scaling, five scaling columns without sigma scaling") {
        Inputs in;
        in.set(5, "# no min/max scaling");
        in.scaling = "1 1 0.5 0.5 0.5\n1 2 0.1 2.0 1.0\n2 1 0.0 3.0 1.5\n2 2 0.2 4.0 2.0\n";
        const Model m = parse(in);
        CHECK(m.scaling_mode == ScalingMode::center);
        CHECK(m.elements[0].scaling.gmax[0] == 0.5);
    }
    SECTION("nnp_type 2 by number and by name") {
        CHECK(parse(Inputs{}.add("nnp_type 2")).generation == Generation::second);
        CHECK(parse(Inputs{}.add("nnp_generation 2G-HDNNP")).generation == Generation::second);
    }
}

// ================================================================================================
// input.nn: keyword values

TEST_CASE("n2p2 model rejects an unknown cutoff_type", "[io][model]") {
    CHECK_THROWS_AS(parse(Inputs{}.set(4, "cutoff_type 9")), ParseError);
    CHECK_THROWS_WITH(parse(Inputs{}.set(4, "cutoff_type 9")), Contains("input.nn:4: unknown cutoff_type 9"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(4, "cutoff_type -1")), Contains("input.nn:4: unknown cutoff_type -1"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(4, "cutoff_type")), Contains("input.nn:4: 'cutoff_type' takes a type"));
}

TEST_CASE("n2p2 model rejects a cutoff shift alpha outside 0 <= alpha < 1", "[io][model]") {
    CHECK_THROWS_WITH(parse(Inputs{}.set(4, "cutoff_type 1 1.0")),
                      Contains("input.nn:4: cutoff alpha must satisfy 0 <= alpha < 1, got 1.0"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(4, "cutoff_type 6 -0.1")),
                      Contains("input.nn:4: cutoff alpha must satisfy 0 <= alpha < 1, got -0.1"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(4, "cutoff_type 6 0.1x")),
                      Contains("input.nn:4: 'cutoff_type': expected a number for the cutoff shift alpha, got '0.1x'"));
}

TEST_CASE("n2p2 model rejects an unknown activation letter", "[io][model]") {
    CHECK_THROWS_WITH(parse(Inputs{}.set(9, "global_activation_short x l")),
                      Contains("input.nn:9: unknown activation function 'x'"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(9, "global_activation_short t tanh")),
                      Contains("input.nn:9: unknown activation function 'tanh'"));
}

TEST_CASE("n2p2 model rejects an unknown nnp_type", "[io][model]") {
    CHECK_THROWS_WITH(parse(Inputs{}.add("nnp_type 7")), Contains("input.nn:16: unknown nnp_type '7'"));
    CHECK_THROWS_WITH(parse(Inputs{}.add("nnp_gen 5G-HDNNP")), Contains("input.nn:16: unknown nnp_type '5G-HDNNP'"));
}

TEST_CASE("n2p2 model rejects network keywords of the wrong length", "[io][model]") {
    CHECK_THROWS_WITH(parse(Inputs{}.set(8, "global_nodes_short 2 3")),
                      Contains("input.nn:8: 'global_nodes_short' needs 1 widths (one per hidden layer), got 2"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(9, "global_activation_short t")),
                      Contains("input.nn:9: 'global_activation_short' needs 2 letters"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(8, "global_nodes_short 0")), Contains("input.nn:8: layer widths must be positive"));
    CHECK_THROWS_WITH(parse(Inputs{}.add("element_hidden_layers_short H 2")),
                      Contains("input.nn:16: element-specific network depth differs"));
}

// ------------------------------------------------------------------------------------------------
// input.nn: symmetry functions

TEST_CASE("n2p2 model rejects an unknown symmetry function type", "[io][model]") {
    CHECK_THROWS_WITH(parse(Inputs{}.set(13, "symfunction_short O 5 H 0.01 0.0 6.0")),
                      Contains("input.nn:13: unknown symmetry function type 5"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(13, "symfunction_short O 2.0 H 0.01 0.0 6.0")),
                      Contains("input.nn:13: symmetry function type must be an integer, got '2.0'"));
}

TEST_CASE("n2p2 model rejects an unknown compact subtype", "[io][model]") {
    for (const char* sub : {"c", "p5", "p0", "p2b", "p2aa", "q2", "P2"}) {
        CAPTURE(sub);
        CHECK_THROWS_WITH(parse(Inputs{}.set(13, std::string("symfunction_short O 20 H -6.0 6.0 ") + sub)),
                          Contains(std::string("input.nn:13: unknown compact symmetry function subtype '") + sub + "'"));
    }
    CHECK_THROWS_WITH(parse(Inputs{}.set(12, "symfunction_short O 22 H H -6.0 6.0 0 90 c")),
                      Contains("input.nn:12: unknown compact symmetry function subtype 'c'"));
}

TEST_CASE("n2p2 model rejects a symmetry function line with the wrong parameter count", "[io][model]") {
    CHECK_THROWS_WITH(parse(Inputs{}.set(10, "symfunction_short H 2 O 0.001 0.0")),
                      Contains("input.nn:10: symmetry function type 2 expects 4 parameters (e 2 e1 eta rs rc), got 3"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(10, "symfunction_short H 2 O 0.001 0.0 5.0 1.0")),
                      Contains("input.nn:10: symmetry function type 2 expects 4 parameters"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(12, "symfunction_short O 3 O H 0.01 1.0 1.0 6.0 0.0 7.0")),
                      Contains("input.nn:12: symmetry function type 3 expects 6 parameters"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(12, "symfunction_short O 3 O H 0.01 1.0 6.0")),
                      Contains("input.nn:12: symmetry function type 3 expects 6 parameters"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(13, "symfunction_short O 13 0.01 1.0 1.0 6.0")),
                      Contains("input.nn:13: symmetry function type 13 expects 5 parameters"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(13, "symfunction_short O 20 H -6.0 6.0")),
                      Contains("input.nn:13: symmetry function type 20 expects 4 parameters"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(13, "symfunction_short O 22 H H -6.0 6.0 0 90")),
                      Contains("input.nn:13: symmetry function type 22 expects 7 parameters"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(13, "symfunction_short O")),
                      Contains("input.nn:13: 'symfunction_short' expects: element type parameters"));
}

TEST_CASE("n2p2 model rejects a malformed number", "[io][model]") {
    CHECK_THROWS_WITH(parse(Inputs{}.set(10, "symfunction_short H 2 O 0.1x 0.0 5.0")),
                      Contains("input.nn:10: 'symfunction_short': expected a number for eta, got '0.1x'"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(12, "symfunction_short O 3 O H 0.01 1.0 1.0 6.0.0")),
                      Contains("input.nn:12: 'symfunction_short': expected a number for rc, got '6.0.0'"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(14, "atom_energy H -0.5eV")),
                      Contains("input.nn:14: 'atom_energy': expected a number for the atom energy, got '-0.5eV'"));
    CHECK_THROWS_WITH(parse(Inputs{}.add("mean_energy nan").add("conv_energy 1").add("conv_length 1")),
                      Contains("input.nn:16: 'mean_energy': expected a number"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(2, "number_of_elements 2.0")),
                      Contains("input.nn:2: 'number_of_elements': expected an integer"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(8, "global_nodes_short 2x")),
                      Contains("input.nn:8: 'global_nodes_short': expected an integer for a layer width, got '2x'"));
}

TEST_CASE("n2p2 model rejects an element that is not in the model", "[io][model]") {
    CHECK_THROWS_WITH(parse(Inputs{}.set(10, "symfunction_short H 2 C 0.001 0.0 5.0")),
                      Contains("input.nn:10: element 'C' is not in the 'elements' list of this model"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(12, "symfunction_short O 3 O N 0.01 1.0 1.0 6.0")),
                      Contains("input.nn:12: element 'N' is not in the 'elements' list"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(13, "symfunction_short C 2 H 0.01 0.0 6.0")),
                      Contains("input.nn:13: element 'C' is not in the 'elements' list"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(14, "atom_energy C -37.7")),
                      Contains("input.nn:14: element 'C' is not in the 'elements' list"));
}

TEST_CASE("n2p2 model rejects an element symbol outside the periodic table", "[io][model]") {
    CHECK_THROWS_WITH(parse(Inputs{}.set(3, "elements O Xx")), Contains("input.nn:3: unknown element symbol 'Xx'"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(3, "elements O h")), Contains("input.nn:3: unknown element symbol 'h'"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(3, "elements O O")), Contains("input.nn:3: element 'O' listed twice"));
}

TEST_CASE("n2p2 model rejects number_of_elements differing from the elements line", "[io][model]") {
    CHECK_THROWS_WITH(parse(Inputs{}.set(2, "number_of_elements 3")),
                      Contains("input.nn:3: 'elements' lists 2 elements but number_of_elements is 3"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(2, "number_of_elements 1")),
                      Contains("input.nn:3: 'elements' lists 2 elements but number_of_elements is 1"));
}

TEST_CASE("n2p2 model rejects a compact radial window with rl >= rc", "[io][model]") {
    CHECK_THROWS_WITH(parse(Inputs{}.set(13, "symfunction_short O 20 H 6.0 6.0 p2")),
                      Contains("input.nn:13: compact function needs rl < rc"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(13, "symfunction_short O 22 H H 7.0 6.0 0 90 p2")),
                      Contains("input.nn:13: compact function needs rl < rc"));
}

TEST_CASE("n2p2 model rejects compact angular windows the format forbids", "[io][model]") {
    CHECK_THROWS_WITH(parse(Inputs{}.set(13, "symfunction_short O 22 H H -6.0 6.0 90 90 p2")),
                      Contains("input.nn:13: angular window needs angle_left < angle_right"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(13, "symfunction_short O 21 H O -6.0 6.0 120 60 p2")),
                      Contains("input.nn:13: angular window needs angle_left < angle_right"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(13, "symfunction_short O 22 H H -6.0 6.0 -30 90 p2")),
                      Contains("input.nn:13: angle_left < 0 is allowed only for a window centred at 0 degrees"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(13, "symfunction_short O 24 -6.0 6.0 -10 30 p2")),
                      Contains("input.nn:13: angle_left < 0 is allowed only"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(13, "symfunction_short O 22 H H -6.0 6.0 120 200 p2")),
                      Contains("input.nn:13: angle_right > 180 is allowed only for a window centred at 180 degrees"));
}

TEST_CASE("n2p2 model rejects an element without symmetry functions", "[io][model]") {
    CHECK_THROWS_WITH(parse(Inputs{}.set(12, "# none for O").set(13, "")),
                      Contains("input.nn: element O has no symmetry functions"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(10, "").set(11, "# symfunction_short H 2 H 0.5 0.0 4.0")),
                      Contains("input.nn: element H has no symmetry functions"));
}

// ------------------------------------------------------------------------------------------------
// input.nn: keyword presence

TEST_CASE("n2p2 model rejects a repeated keyword that may appear only once", "[io][model]") {
    CHECK_THROWS_WITH(parse(Inputs{}.add("cutoff_type 1")),
                      Contains("input.nn:16: keyword 'cutoff_type' given twice (first on line 4)"));
    CHECK_THROWS_WITH(parse(Inputs{}.add("global_nodes_short 2")),
                      Contains("input.nn:16: keyword 'global_nodes_short' given twice (first on line 8)"));
    CHECK_THROWS_WITH(parse(Inputs{}.add("scale_symmetry_functions")),
                      Contains("input.nn:16: keyword 'scale_symmetry_functions' given twice (first on line 5)"));
    // Aliases are the same keyword.
    CHECK_THROWS_WITH(parse(Inputs{}.add("nnp_type 2").add("nnp_generation 2")),
                      Contains("input.nn:17: keyword 'nnp_type' given twice (first on line 16)"));
    // Only symfunction_short, atom_energy, element_nodes_short, fixed_gausswidth and initial_hardness repeat.
    CHECK_THROWS_WITH(parse(Inputs{}.add("element_activation_short H t l").add("element_activation_short O t l")),
                      Contains("input.nn:17: keyword 'element_activation_short' given twice (first on line 16)"));
    CHECK_THROWS_WITH(parse(Inputs{}.add("element_nodes_electrostatic H 5").add("element_nodes_electrostatic O 5")),
                      Contains("input.nn:17: keyword 'element_nodes_electrostatic' given twice (first on line 16)"));
    CHECK_NOTHROW(parse(Inputs{}.add("element_nodes_short H 3").add("element_nodes_short O 3")));
}

TEST_CASE("n2p2 model rejects a missing required keyword", "[io][model]") {
    const std::vector<std::pair<std::size_t, std::string>> required = {
        {2, "number_of_elements"},         {3, "elements"},          {4, "cutoff_type"},
        {7, "global_hidden_layers_short"}, {8, "global_nodes_short"}, {9, "global_activation_short"}};
    for (const auto& [line, keyword] : required) {
        CAPTURE(keyword);
        CHECK_THROWS_WITH(parse(Inputs{}.set(line, "# removed")),
                          Contains("input.nn: required keyword '" + keyword + "' is missing"));
    }
}

TEST_CASE("n2p2 model rejects partial normalisation keywords", "[io][model]") {
    const std::string msg = "normalization needs all three of mean_energy, conv_energy and conv_length";
    CHECK_THROWS_WITH(parse(Inputs{}.add("mean_energy -2.5").add("conv_energy 10.0")), Contains("input.nn:16: " + msg));
    CHECK_THROWS_WITH(parse(Inputs{}.add("conv_length 2.0")), Contains("input.nn:16: " + msg));
    CHECK_THROWS_WITH(parse(Inputs{}.add("conv_energy 10.0").add("conv_length 2.0")), Contains("input.nn:16: " + msg));
    CHECK_THROWS_WITH(parse(Inputs{}.add("conv_charge 2.0")),
                      Contains("input.nn:16: conv_charge given without mean_energy, conv_energy and conv_length"));
    CHECK_THROWS_WITH(parse(Inputs{}.add("mean_energy -2.5").add("conv_energy 0.0").add("conv_length 2.0")),
                      Contains("input.nn:17: conv_energy must be positive"));
}

// ================================================================================================
// scaling.data

TEST_CASE("n2p2 model rejects scaling.data with too few lines", "[io][model]") {
    Inputs in;
    in.scaling = "# element function Gmin Gmax Gmean Gsigma\n1 1 0.0 1.0 0.5 0.25\n1 2 0.1 2.0 1.0 0.5\n2 1 0.0 3.0 1.5 0.75\n";
    CHECK_THROWS_WITH(parse(in), Contains("scaling.data") &&
                                     Contains("ends early: element O has 2 symmetry functions but 1 scaling lines"));
    in.scaling = "";
    CHECK_THROWS_WITH(parse(in), Contains("scaling.data") && Contains("element H has 2 symmetry functions but 0 scaling lines"));
}

TEST_CASE("n2p2 model rejects scaling.data with too many lines", "[io][model]") {
    Inputs in;
    in.scaling = std::string(base_scaling) + "2 3 0.0 1.0 0.5 0.25\n";
    CHECK_THROWS_WITH(parse(in), Contains("scaling.data:6: more lines than symmetry functions"));
}

TEST_CASE("n2p2 model rejects scaling.data lines with wrong indices", "[io][model]") {
    Inputs in;
    in.scaling = "1 1 0.0 1.0 0.5 0.25\n1 3 0.1 2.0 1.0 0.5\n2 1 0.0 3.0 1.5 0.75\n2 2 0.2 4.0 2.0 1.0\n";
    CHECK_THROWS_WITH(parse(in), Contains("scaling.data:2: expected element 1 (H) function 2, got 1 3"));
    in.scaling = "1 1 0.0 1.0 0.5 0.25\n1 2 0.1 2.0 1.0 0.5\n1 3 0.0 3.0 1.5 0.75\n2 2 0.2 4.0 2.0 1.0\n";
    CHECK_THROWS_WITH(parse(in), Contains("scaling.data:3: expected element 2 (O) function 1, got 1 3"));
    in.scaling = "2 1 0.0 1.0 0.5 0.25\n2 2 0.1 2.0 1.0 0.5\n1 1 0.0 3.0 1.5 0.75\n1 2 0.2 4.0 2.0 1.0\n";
    CHECK_THROWS_WITH(parse(in), Contains("scaling.data:1: expected element 1 (H) function 1, got 2 1"));
    in.scaling = "1 1.0 0.0 1.0 0.5 0.25\n";
    CHECK_THROWS_WITH(parse(in), Contains("scaling.data:1: element and function indices must be integers"));
}

TEST_CASE("n2p2 model rejects malformed scaling.data values", "[io][model]") {
    Inputs in;
    in.scaling = "1 1 0.0 1.0\n";
    CHECK_THROWS_WITH(parse(in), Contains("scaling.data:1: expected 'element_index sf_index Gmin Gmax Gmean [Gsigma]', got 4 columns"));
    in.scaling = "1 1 0.0 1.0x 0.5\n";
    CHECK_THROWS_WITH(parse(in), Contains("scaling.data:1: expected a number, got '1.0x'"));
    in.scaling = "1 1 2.0 1.0 0.5\n";
    CHECK_THROWS_WITH(parse(in), Contains("scaling.data:1: Gmax is smaller than Gmin"));
}

TEST_CASE("n2p2 model rejects Gmax == Gmin under min/max scaling", "[io][model]") {
    Inputs in;
    in.scaling = "1 1 0.0 1.0 0.5 0.25\n1 2 0.5 0.5 0.5 0.0\n2 1 0.0 3.0 1.5 0.75\n2 2 0.2 4.0 2.0 1.0\n";
    CHECK_THROWS_WITH(parse(in), Contains("scaling.data:2: Gmax equals Gmin"));
    in.set(6, "# scale only, no centering");
    CHECK_THROWS_WITH(parse(in), Contains("scaling.data:2: Gmax equals Gmin"));
}

TEST_CASE("n2p2 model rejects sigma scaling without the sigma column", "[io][model]") {
    Inputs in;
    in.set(5, "scale_symmetry_functions_sigma").set(6, "");
    in.scaling = "1 1 0.0 1.0 0.5\n1 2 0.1 2.0 1.0\n2 1 0.0 3.0 1.5\n2 2 0.2 4.0 2.0\n";
    CHECK_THROWS_WITH(parse(in), Contains("scaling.data: scale_symmetry_functions_sigma needs the Gsigma column"));
    in.scaling = "1 1 0.0 1.0 0.5 0.25\n1 2 0.1 2.0 1.0 0.0\n2 1 0.0 3.0 1.5 0.75\n2 2 0.2 4.0 2.0 1.0\n";
    CHECK_THROWS_WITH(parse(in), Contains("scaling.data:2: Gsigma must be positive"));
    in.scaling = base_scaling;
    CHECK(parse(in).scaling_mode == ScalingMode::sigma);
}

// ================================================================================================
// weights.ZZZ.data

TEST_CASE("n2p2 model rejects a weights file with one number too few", "[io][model]") {
    Inputs in;
    in.weights[1] = weights_file(1, 8);
    CHECK_THROWS_WITH(parse(in), Contains("weights.001.data: holds 8 weights and biases but the 2-2-1 network of element H needs 9"));
}

TEST_CASE("n2p2 model rejects a weights file with one number too many", "[io][model]") {
    Inputs in;
    in.weights[8] = weights_file(8, 10);
    CHECK_THROWS_WITH(parse(in), Contains("weights.008.data: holds 10 weights and biases but the 2-2-1 network of element O needs 9"));
    in.weights[8] = "";
    CHECK_THROWS_WITH(parse(in), Contains("weights.008.data: holds 0 weights and biases"));
}

TEST_CASE("n2p2 model rejects a non-numeric weight", "[io][model]") {
    Inputs in;
    in.weights[8] = "# weights\n0.1\n\n0.5x\n";
    CHECK_THROWS_WITH(parse(in), Contains("weights.008.data:4: expected a number in column 1, got '0.5x'"));
}

TEST_CASE("n2p2 model rejects the Carbon_chain_4G weights under the 15-15 network the n2p2 example declared",
          "[io][model]") {
    // README: the shipped n2p2 example declares 15-15 short networks but its weight files hold 10-10 ones;
    // n2p2 reads past the end. Read as a 2G model with 15-15 networks, the count must not match.
    const std::string src = test::predict_dir("Carbon_chain_4G");
    TempDir tmp;
    std::ifstream in(src + "/input.nn");
    REQUIRE(in);
    std::string text, line;
    bool nodes = false;
    while (std::getline(in, line)) {
        const auto w = hdnnp::detail::split_words(line);
        if (!w.empty() && w[0] == "nnp_generation") line = "# " + line;
        if (!w.empty() && w[0] == "global_nodes_short") {
            line = "global_nodes_short 15 15";
            nodes = true;
        }
        text += line + "\n";
    }
    REQUIRE(nodes);
    tmp.write("input.nn", text);
    // The 4G scaling.data ends with a two-number line for the charge input, which a 2G model lacks.
    std::ifstream sin(src + "/scaling.data");
    REQUIRE(sin);
    text.clear();
    while (std::getline(sin, line))
        if (hdnnp::detail::split_words(line).size() != 2) text += line + "\n";
    tmp.write("scaling.data", text);
    for (const char* f : {"weights.001.data", "weights.006.data"}) fs::copy_file(src + "/" + f, tmp.file(f));
    const std::size_t held = read_rows(src + "/weights.001.data").size();
    CHECK(held == 381);  // (24 + 1 charge input) -> 10 -> 10 -> 1
    // 24 -> 15 -> 15 -> 1: 24*15 + 15 + 15*15 + 15 + 15 + 1 = 631.
    CHECK_THROWS_WITH(io::load_n2p2_model(tmp.path),
                      Contains(tmp.file("weights.001.data") + ": holds 381 weights and biases but the 24-15-15-1 network of element H needs 631"));
}

// ================================================================================================
// Files on disk

TEST_CASE("n2p2 model: load_n2p2_model names each missing file", "[io][model]") {
    TempDir tmp;
    const Inputs in;
    CHECK_THROWS_WITH(io::load_n2p2_model(tmp.path), Contains(tmp.file("input.nn") + ": cannot open"));
    tmp.write("input.nn", join(in.nn));
    CHECK_THROWS_WITH(io::load_n2p2_model(tmp.path), Contains(tmp.file("scaling.data") + ": cannot open"));
    tmp.write("scaling.data", in.scaling);
    CHECK_THROWS_WITH(io::load_n2p2_model(tmp.path),
                      Contains(tmp.file("weights.001.data") + ": cannot open the weights file of element H"));
    tmp.write("weights.001.data", in.weights.at(1));
    CHECK_THROWS_WITH(io::load_n2p2_model(tmp.path + "/"),
                      Contains(tmp.file("weights.008.data") + ": cannot open the weights file of element O"));
    tmp.write("weights.008.data", in.weights.at(8));
    const Model m = io::load_n2p2_model(tmp.path);
    CHECK(m.directory == tmp.path);
    CHECK(m.symbols() == std::vector<std::string>{"H", "O"});
    // Errors inside files read from disk carry the full path and the line.
    tmp.write("input.nn", join(Inputs{}.set(4, "cutoff_type 9").nn));
    CHECK_THROWS_WITH(io::load_n2p2_model(tmp.path), Contains(tmp.file("input.nn") + ":4: unknown cutoff_type 9"));
    CHECK_THROWS_WITH(io::load_n2p2_model(tmp.file("no_such_dir")), Contains("no_such_dir/input.nn: cannot open"));
}

// ================================================================================================
// Resource limits (io/limits.hpp): sizes that would exhaust memory are refused before anything is allocated.

TEST_CASE("n2p2 model refuses more elements than the periodic table has", "[io][model][limits]") {
    CHECK_THROWS_WITH(parse(Inputs{}.set(2, "number_of_elements 200")),
                      Contains("input.nn:2: number_of_elements 200 exceeds the limit of 118 elements "
                               "(hdnnp::io::limits::max_elements)"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(2, "number_of_elements 9223372036854775807")),
                      Contains("input.nn:2: number_of_elements 9223372036854775807 exceeds the limit of 118"));
}

TEST_CASE("n2p2 model refuses more hidden layers than the limit", "[io][model][limits]") {
    CHECK_THROWS_WITH(parse(Inputs{}.set(7, "global_hidden_layers_short 1000000")),
                      Contains("input.nn:7: 1000000 hidden layers exceed the limit of 100 (hdnnp::io::limits::max_hidden_layers)"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(7, "global_hidden_layers_short 101")), Contains("input.nn:7: 101 hidden layers exceed"));
}

TEST_CASE("n2p2 model refuses a hidden layer wider than the limit", "[io][model][limits]") {
    CHECK_THROWS_WITH(parse(Inputs{}.set(8, "global_nodes_short 100001")),
                      Contains("input.nn:8: layer width 100001 exceeds the limit of 100000 nodes "
                               "(hdnnp::io::limits::max_layer_width)"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(8, "global_nodes_short 9223372036854775807")),
                      Contains("input.nn:8: layer width 9223372036854775807 exceeds the limit"));
    // element_nodes_short changes every hidden layer but the last.
    Inputs in;
    in.set(7, "global_hidden_layers_short 2").set(8, "global_nodes_short 2 2").set(9, "global_activation_short t t l");
    CHECK_THROWS_WITH(parse(in.add("element_nodes_short H 200000 2")),
                      Contains("input.nn:16: layer width 200000 exceeds the limit of 100000 nodes"));
}

TEST_CASE("n2p2 model refuses networks with more weights than the limit before reading the weights", "[io][model][limits]") {
    // H and O have 2 functions each: 2-100000-100000-2-1 has 2*1e5 + 1e5 + 1e10 + 1e5 + 2e5 + 2 + 2 + 1 parameters.
    Inputs in;
    in.set(7, "global_hidden_layers_short 3").set(8, "global_nodes_short 100000 100000 2").set(9, "global_activation_short t t t l");
    CHECK_THROWS_WITH(parse(in), Contains("input.nn:8: the 2-100000-100000-2-1 network of element H would have 10000600005 "
                                          "weights and biases, more than the limit of 100000000 "
                                          "(hdnnp::io::limits::max_network_parameters)"));
    // At the limit's side of the boundary the model is only refused for its (small) weights files.
    in.set(8, "global_nodes_short 7000 14000 2");  // 2*7000+7000 + 7000*14000+14000 + 14000*2+2 + 3 = 98063005
    CHECK_THROWS_WITH(parse(in), Contains("weights.001.data: holds 9 weights and biases but the 2-7000-14000-2-1 network of "
                                          "element H needs 98063005"));
    // Called directly, the weights reader refuses a count that does not even fit in a size_t.
    std::istringstream ws("1\n2\n");
    const std::size_t huge = std::size_t(1) << 40;
    CHECK_THROWS_WITH(io::detail_model::read_network(ws, "weights.001.data", huge, {huge}, {Activation::tanh, Activation::linear},
                                                     false, "network", "H"),
                      Contains("weights.001.data: the 1099511627776-1099511627776-1 network of element H would have "
                               "18446744073709551615 weights and biases, more than the limit of 100000000"));
}

TEST_CASE("n2p2 model refuses more symmetry functions per element than the limit", "[io][model][limits]") {
    Inputs in;
    for (int k = 0; k < 10000; ++k) in.add("symfunction_short H 12 0.001 0.0 5.0");  // lines 16 ... 10015
    // H already has 2 functions (lines 10 and 11), so its 10001st is the 9999th added line, line 10014.
    CHECK_THROWS_WITH(parse(in), Contains("input.nn:10014: element H has more than 10000 symmetry functions, the limit "
                                          "(hdnnp::io::limits::max_symmetry_functions)"));
}

// Found by review while fuzzing: the type was narrowed from long to int before its range was checked, so
// 2^32 + 2 was read as 2 (a silent wrong value instead of an error).
TEST_CASE("n2p2 model rejects cutoff and symmetry function types that only look valid after narrowing to int",
          "[io][model]") {
    CHECK_THROWS_WITH(parse(Inputs{}.set(4, "cutoff_type 4294967298")),
                      Contains("input.nn:4: unknown cutoff_type 4294967298 (expected 0..8)"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(13, "symfunction_short O 4294967298 H 0.01 0.0 6.0")),
                      Contains("input.nn:13: unknown symmetry function type 4294967298"));
    CHECK_THROWS_WITH(parse(Inputs{}.set(13, "symfunction_short O -4294967294 H 0.01 0.0 6.0")),
                      Contains("input.nn:13: unknown symmetry function type -4294967294"));
}
