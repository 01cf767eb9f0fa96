// Writing n2p2 model files: a reference model written and read back is the same model, bit for bit.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "hdnnp/potential/potential.hpp"
#include "hdnnp/io/input_data.hpp"
#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/io/n2p2_writer.hpp"
#include "support/reference.hpp"

using namespace hdnnp;

namespace {

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

std::size_t count_different(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return std::max(a.size(), b.size());
    std::size_t n = 0;
    for (std::size_t k = 0; k < a.size(); ++k) n += same_bits(a[k], b[k]) ? 0 : 1;
    return n;
}

std::string temp_dir(const std::string& name) {
    const auto p = std::filesystem::temp_directory_path() / ("hdnnp_writer_test_" + name);
    std::filesystem::remove_all(p);
    return p.string();
}

}  // namespace

TEST_CASE("write_n2p2_model round-trips the 2G reference models bit for bit", "[training][io][writer]") {
    for (const std::string& ex : test::examples_2g()) {
        DYNAMIC_SECTION(ex) {
            const std::string src = test::predict_dir(ex);
            const Model a = io::load_n2p2_model(src);
            const std::string dir = temp_dir(ex);
            io::write_n2p2_model(dir, a, test::read_text(src + "/input.nn"));
            const Model b = io::load_n2p2_model(dir);

            REQUIRE(b.elements.size() == a.elements.size());
            for (std::size_t e = 0; e < a.elements.size(); ++e) {
                const ElementModel& ea = a.elements[e];
                const ElementModel& eb = b.elements[e];
                INFO("element " << ea.symbol);
                CHECK(eb.symbol == ea.symbol);
                CHECK(count_different(ea.scaling.gmin, eb.scaling.gmin) == 0);
                CHECK(count_different(ea.scaling.gmax, eb.scaling.gmax) == 0);
                CHECK(count_different(ea.scaling.gmean, eb.scaling.gmean) == 0);
                CHECK(count_different(ea.scaling.gsigma, eb.scaling.gsigma) == 0);
                CHECK(count_different(ea.scaling.factor, eb.scaling.factor) == 0);
                CHECK(count_different(ea.scaling.shift, eb.scaling.shift) == 0);
                const auto& la = ea.network.layers();
                const auto& lb = eb.network.layers();
                REQUIRE(lb.size() == la.size());
                for (std::size_t l = 0; l < la.size(); ++l) {
                    CHECK(lb[l].n_in == la[l].n_in);
                    CHECK(lb[l].n_out == la[l].n_out);
                    CHECK(lb[l].activation == la[l].activation);
                    CHECK(count_different(la[l].weights, lb[l].weights) == 0);
                    CHECK(count_different(la[l].biases, lb[l].biases) == 0);
                }
            }

            const auto structures = io::read_input_data(src + "/input.data");
            REQUIRE(structures.size() == 1);
            const Result ra = Potential<>(a).compute(structures[0]);
            const Result rb = Potential<>(b).compute(structures[0]);
            CHECK(same_bits(ra.energy, rb.energy));
            // Forces are summed from per-thread buffers whose share of the atoms varies between runs
            // (dynamic schedule), so they agree to rounding, not bit for bit, even for the same model.
            double fmax = 0.0, dmax = 0.0;
            for (std::size_t i = 0; i < ra.forces.size(); ++i)
                for (int k = 0; k < 3; ++k) {
                    fmax = std::max(fmax, std::abs(ra.forces[i][k]));
                    dmax = std::max(dmax, std::abs(ra.forces[i][k] - rb.forces[i][k]));
                }
            CHECK(dmax <= 1e-12 * fmax);
            std::filesystem::remove_all(dir);
        }
    }
}

TEST_CASE("write_weights writes n2p2's order and columns", "[training][io][writer]") {
    DenseLayer l1;
    l1.n_in = 2;
    l1.n_out = 3;
    l1.activation = Activation::tanh;
    l1.weights = {1, 2, 3, 4, 5, 6};  // W[i * 3 + o]
    l1.biases = {7, 8, 9};
    DenseLayer l2;
    l2.n_in = 3;
    l2.n_out = 1;
    l2.weights = {10, 11, 12};
    l2.biases = {0.1};
    const Network net({l1, l2}, false);
    std::ostringstream out;
    io::write_weights(out, net);
    std::istringstream in(out.str());
    std::string line;
    std::vector<std::vector<std::string>> rows;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream ls(line);
        std::vector<std::string> w;
        std::string t;
        while (ls >> t) w.push_back(t);
        rows.push_back(w);
    }
    REQUIRE(rows.size() == 13);
    for (std::size_t k = 0; k < 6; ++k) {
        CHECK(std::stod(rows[k][0]) == static_cast<double>(k + 1));
        CHECK(rows[k][1] == "a");
        CHECK(rows[k].size() == 7);
    }
    // Weight 2 connects input neuron 1 (layer 0) with neuron 2 of layer 1.
    CHECK(rows[1][2] == "2");
    CHECK(rows[1][3] == "0");
    CHECK(rows[1][4] == "1");
    CHECK(rows[1][5] == "1");
    CHECK(rows[1][6] == "2");
    CHECK(rows[6][1] == "b");
    CHECK(rows[6].size() == 5);
    CHECK(std::stod(rows[8][0]) == 9.0);
    CHECK(rows[8][3] == "1");
    CHECK(rows[8][4] == "3");
    CHECK(std::stod(rows[12][0]) == 0.1);
    CHECK(rows[12][2] == "13");

    DenseLayer bad = l2;
    bad.weights.pop_back();
    const Network broken({l1, bad}, false);
    std::ostringstream sink;
    CHECK_THROWS_AS(io::write_weights(sink, broken), Error);
}
