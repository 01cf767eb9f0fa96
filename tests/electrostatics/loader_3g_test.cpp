// The loader reads 3G models (nnp_type 3: charge networks in weightse.ZZZ.data, charge shape, total-charge
// scheme, screening, Ewald settings) and refuses malformed ones with messages naming file and line.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "hdnnp/potential/potential.hpp"
#include "hdnnp/potential/potential.hpp"
#include "hdnnp/potential/potential.hpp"
#include "hdnnp/io/n2p2_model.hpp"
#include "support/model_3g.hpp"

using namespace hdnnp;
using Catch::Contains;

namespace {

/// "FILE:LINE: " of the first input.nn line that starts with `keyword`.
std::string line_of(const test::Model3GDir& d, const std::string& keyword) {
    std::istringstream in(test::Model3GDir::read(d.file("input.nn")));
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (line.rfind(keyword, 0) == 0) return d.file("input.nn") + ":" + std::to_string(n) + ": ";
    }
    return "(no line starts with " + keyword + ")";
}

}  // namespace

TEST_CASE("3G models load with their charge networks and electrostatics settings", "[electrostatics][3g][loader]") {
    SECTION("defaults: Gaussian charges when every element has a width, uniform total-charge scheme") {
        const test::Model3GDir d(test::Model3GSpec{});
        const Model m = io::load_n2p2_model(d.path);
        CHECK(m.generation == Generation::third);
        CHECK(m.electrostatics.charges == ChargeShape::gaussian);
        CHECK(m.electrostatics.total_charge == TotalChargeScheme::uniform);
        CHECK_FALSE(m.electrostatics.screening.enabled());
        REQUIRE(m.elements.size() == 2);
        CHECK(m.elements[0].gauss_width == 0.5858120110359424);
        CHECK(m.elements[0].network.n_inputs() == 27);
        CHECK(m.elements[0].charge.n_inputs() == 27);
        CHECK(m.elements[1].charge.n_inputs() == 30);
        CHECK(m.elements[1].charge.layers().size() == 2);
        CHECK(m.elements[1].charge.layers()[0].n_out == 8);
        CHECK(m.elements[0].electronegativity.n_inputs() == 0);
    }
    SECTION("point charges by default without widths; keywords by name") {
        test::Model3GSpec spec;
        spec.widths = false;
        spec.scheme = "none";
        spec.screen = "4.8 12.0 p2";
        spec.extra = "nnp_generation 3G-HDNNP\n";
        const test::Model3GDir d(spec);
        // nnp_generation twice is an error: replace the first one
        std::string text = test::Model3GDir::read(d.file("input.nn"));
        text.replace(text.find("nnp_generation 3\n"), 17, "\n");
        d.write("input.nn", text);
        const Model m = io::load_n2p2_model(d.path);
        CHECK(m.generation == Generation::third);
        CHECK(m.electrostatics.charges == ChargeShape::point);
        CHECK(m.electrostatics.total_charge == TotalChargeScheme::none);
        CHECK(m.electrostatics.screening.outer == 12.0);
        CHECK(m.electrostatics.screening.core == ScreeningCore::poly2);
        CHECK(m.elements[1].gauss_width == 0.0);
    }
    SECTION("explicit point charges ignore the widths, with a warning") {
        test::Model3GSpec spec;
        spec.charges = "point";
        const test::Model3GDir d(spec);
        const Model m = io::load_n2p2_model(d.path);
        CHECK(m.electrostatics.charges == ChargeShape::point);
        CHECK(m.elements[0].gauss_width == 0.0);
        REQUIRE_FALSE(m.warnings.empty());
        CHECK_THAT(m.warnings.back(), Contains("electrostatic_charges point: the fixed_gausswidth lines are ignored"));
    }
    SECTION("the 2G and 4G potentials refuse a 3G model, the 3G potential a 2G model") {
        const test::Model3GDir d(test::Model3GSpec{});
        CHECK_THROWS_WITH(Potential2G<>::load(d.path), Contains("compiled for 2G-HDNNP models only") && Contains("Potential3G"));
        CHECK_THROWS_WITH(Potential4G<>::load(d.path), Contains("is a 3G-HDNNP (nnp_type 3) but this potential was compiled for 4G-HDNNP models only"));
        CHECK_THROWS_WITH(Potential3G<>::load(test::predict_dir("H2O_RPBE-D3")), Contains("is a 2G-HDNNP (nnp_type 2) but this potential was compiled for 3G-HDNNP models only"));
    }
}

TEST_CASE("3G loader errors name the file and line", "[electrostatics][3g][loader]") {
    SECTION("missing charge network file") {
        const test::Model3GDir d(test::Model3GSpec{});
        std::filesystem::remove(d.file("weightse.008.data"));
        CHECK_THROWS_WITH(io::load_n2p2_model(d.path),
                          Contains(d.file("weightse.008.data") + ": cannot open the charge network weights file of element O"));
    }
    SECTION("wrong weight count in a charge network") {
        const test::Model3GDir d(test::Model3GSpec{});
        d.write("weightse.001.data", test::Model3GDir::random_weights(27, {7}, 0.3, 1));
        CHECK_THROWS_WITH(io::load_n2p2_model(d.path),
                          Contains(d.file("weightse.001.data") +
                                   ": holds 204 weights and biases but the 27-8-1 charge network of element H needs 233"));
    }
    SECTION("unknown total_charge_scheme") {
        test::Model3GSpec spec;
        spec.scheme = "scaled";
        const test::Model3GDir d(spec);
        CHECK_THROWS_WITH(io::load_n2p2_model(d.path),
                          Contains(line_of(d, "total_charge_scheme") + "unknown total_charge_scheme 'scaled' (expected none or uniform)"));
    }
    SECTION("unknown electrostatic_charges") {
        test::Model3GSpec spec;
        spec.charges = "dipole";
        const test::Model3GDir d(spec);
        CHECK_THROWS_WITH(io::load_n2p2_model(d.path),
                          Contains(line_of(d, "electrostatic_charges") + "unknown electrostatic_charges 'dipole' (expected point or gaussian)"));
    }
    SECTION("gaussian charges without widths") {
        test::Model3GSpec spec;
        spec.widths = false;
        spec.extra = "electrostatic_charges gaussian\n";
        const test::Model3GDir d(spec);
        CHECK_THROWS_WITH(io::load_n2p2_model(d.path),
                          Contains(line_of(d, "electrostatic_charges") + "electrostatic_charges gaussian needs 'fixed_gausswidth' for every element; "
                                                  "missing for H O"));
    }
    SECTION("widths for only some elements") {
        test::Model3GSpec spec;
        spec.widths = false;
        spec.extra = "fixed_gausswidth O 1.2\n";
        const test::Model3GDir d(spec);
        CHECK_THROWS_WITH(io::load_n2p2_model(d.path),
                          Contains(line_of(d, "fixed_gausswidth") + "'fixed_gausswidth' is given for some elements but not for H"));
    }
    SECTION("short-range network with the charge as an input (4G style)") {
        test::Model3GSpec spec;
        spec.short_with_charge = true;
        const test::Model3GDir d(spec);
        CHECK_THROWS_WITH(io::load_n2p2_model(d.path),
                          Contains(d.file("weights.001.data") +
                                   ": holds 1401 weights and biases: the short-range network of element H has 28 inputs "
                                   "(symmetry functions and the charge, as in 4G), but a 3G short-range network takes only the "
                                   "27 symmetry functions (27-25-25-1 needs 1376)"));
    }
    SECTION("missing architecture of the charge networks") {
        test::Model3GSpec spec;
        const test::Model3GDir d(spec);
        std::string text = test::Model3GDir::read(d.file("input.nn"));
        text.replace(text.find("global_nodes_electrostatic 8\n"), 29, "\n");
        d.write("input.nn", text);
        CHECK_THROWS_WITH(io::load_n2p2_model(d.path),
                          Contains(d.file("input.nn") + ": required keyword 'global_nodes_electrostatic' is missing"));
    }
    SECTION("hdnnp specialize-style callers without the weightse files") {
        const test::Model3GDir d(test::Model3GSpec{});
        std::ifstream nn(d.file("input.nn")), sc(d.file("scaling.data"));
        std::ifstream w;
        CHECK_THROWS_WITH(io::parse_n2p2_model(nn, "input.nn", sc, "scaling.data",
                                               [&](int z, std::string& name) -> std::istream& {
                                                   name = d.file(z == 1 ? "weights.001.data" : "weights.008.data");
                                                   w.close();
                                                   w.clear();
                                                   w.open(name);
                                                   return w;
                                               }),
                          Contains("input.nn: a 3G model needs its weightse.ZZZ.data files"));
    }
}
