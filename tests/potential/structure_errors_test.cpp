// Bad structures are refused with a clear message, never a crash or a silent default.
#include <catch2/catch.hpp>

#include <limits>

#include "hdnnp/hdnnp.hpp"
#include "support/reference.hpp"

using namespace hdnnp;

namespace {
const Potential<>& water() {
    static const auto pot = Potential<>::load(test::predict_dir("H2O_RPBE-D3"));
    return pot;
}
Structure molecule() {
    Structure s;
    s.add_atom("O", {0.0, 0.0, 0.0});
    s.add_atom("H", {1.8, 0.0, 0.0});
    s.add_atom("H", {-0.45, 1.75, 0.0});
    return s;
}
}  // namespace

TEST_CASE("An element the model does not know is refused, naming the atom and the model's elements", "[potential][errors]") {
    Structure s = molecule();
    s.symbols[1] = "Fe";
    CHECK_THROWS_WITH(water().compute(s), Catch::Contains("atom 2 has element 'Fe'") && Catch::Contains("model elements: H O"));
}

TEST_CASE("Atoms on top of each other are refused", "[potential][errors]") {
    Structure s = molecule();
    s.positions[2] = s.positions[1];
    CHECK_THROWS_WITH(water().compute(s), Catch::Contains("overlap"));
}

TEST_CASE("NaN coordinates are refused", "[potential][errors]") {
    Structure s = molecule();
    s.positions[0][2] = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH(water().compute(s), Catch::Contains("atom 1 (O) has a non-finite coordinate"));
}

TEST_CASE("An empty or degenerate periodic cell is refused", "[potential][errors]") {
    Structure s = molecule();
    s.periodic = true;
    s.lattice = Mat3{};
    CHECK_THROWS_WITH(water().compute(s), Catch::Contains("degenerate"));
    s.lattice = {Vec3{10, 0, 0}, Vec3{0, 10, 0}, Vec3{20, 20, 0}};
    CHECK_THROWS_WITH(water().compute(s), Catch::Contains("degenerate"));
}

TEST_CASE("A structure without atoms has zero energy", "[potential][errors]") {
    Structure s;
    const Result r = water().compute(s);
    CHECK(r.energy == 0.0);
    CHECK(r.forces.empty());
}

TEST_CASE("Extrapolation warnings report atom, element, function and range, and the reference structure has none",
          "[potential][extrapolation]") {
    const std::string dir = test::predict_dir("H2O_RPBE-D3");
    Structure s = io::read_input_data(dir + "/input.data").at(0);
    const Result ok = water().compute(s);
    CHECK(ok.extrapolation_count == 0);
    CHECK(ok.extrapolations.empty());

    // Compress the box by 15 %: the densest environments leave the training range.
    for (auto& r : s.positions) r = 0.85 * r;
    for (auto& a : s.lattice) a = 0.85 * a;
    ComputeOptions opt;
    opt.max_extrapolation_records = 5;
    opt.keep_descriptors = true;
    const Result r = water().compute(s, opt);
    REQUIRE(r.extrapolation_count > 5);
    REQUIRE(r.extrapolations.size() == 5);
    std::size_t counted = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto& em = water().model().elements[static_cast<std::size_t>(water().model().element_index(s.symbols[i]))];
        for (std::size_t k = 0; k < r.descriptors_raw[i].size(); ++k) {
            const double g = r.descriptors_raw[i][k];
            if (g < em.scaling.gmin[k] - 1000 * std::numeric_limits<double>::epsilon() ||
                g > em.scaling.gmax[k] + 1000 * std::numeric_limits<double>::epsilon())
                ++counted;
        }
    }
    CHECK(r.extrapolation_count == counted);
    for (const auto& w : r.extrapolations) {
        CHECK(w.element == s.symbols[w.atom]);
        CHECK((w.value < w.min || w.value > w.max));
        const auto& em = water().model().elements[static_cast<std::size_t>(water().model().element_index(w.element))];
        CHECK(w.min == em.scaling.gmin[w.function - 1]);
        CHECK(w.type == em.descriptors.specs()[w.function - 1].type);
        CHECK(w.value == r.descriptors_raw[w.atom][w.function - 1]);
    }
    const std::string line = io::extrapolation_line(0, r.extrapolations[0]);
    CHECK(line.rfind("### NNP EXTRAPOLATION WARNING ### STRUCTURE:      0 ATOM:", 0) == 0);
    CHECK(line.find("ELEMENT: " + std::string(r.extrapolations[0].element.size() == 1 ? " " : "") + r.extrapolations[0].element) != std::string::npos);
}

TEST_CASE("The 2G potential refuses a 4G model instead of misreading its networks", "[potential][errors]") {
    CHECK_THROWS_WITH(Potential2G<>::load(test::predict_dir("Carbon_chain_4G")),
                      Catch::Contains("is a 4G-HDNNP") && Catch::Contains("compiled for 2G-HDNNP models only") && Catch::Contains("Potential4G"));
}
