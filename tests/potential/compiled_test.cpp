// A potential whose structure is fixed at compile time uses the same kernels and gives the same
// numbers as the runtime-loaded one, and refuses a model of another structure.
#include <catch2/catch.hpp>

#include <cmath>

#include "hdnnp/hdnnp.hpp"
#include "support/reference.hpp"

using namespace hdnnp;

namespace {
using Hidden = Dense<25, Tanh>;
using Out = Dense<1, Linear>;
using WaterNets = CompiledNetworks<StaticNetwork<27, Hidden, Hidden, Out>, StaticNetwork<30, Hidden, Hidden, Out>>;
using Water = Potential<CutoffTanhU, WaterNets, ACSF>;

using CuSHidden = Dense<25, Softplus>;
using Cu2S = Potential<CutoffPoly2, CompiledNetworks<StaticNetwork<72, CuSHidden, CuSHidden, Out>, StaticNetwork<66, CuSHidden, CuSHidden, Out>>,
                       Families<Radial, AngularNarrow, AngularWide>>;

template <class P> void compare_with_runtime(const std::string& example) {
    const std::string dir = test::predict_dir(example);
    const auto runtime = Potential<>::load(dir);
    const P compiled = P::load(dir);
    const Structure s = io::read_input_data(dir + "/input.data").at(0);
    const Result a = runtime.compute(s);
    const Result b = compiled.compute(s);
    CHECK(std::abs(a.energy - b.energy) <= 1e-12 * std::abs(a.energy));
    double max_df = 0.0;
    for (std::size_t i = 0; i < s.size(); ++i)
        for (int k = 0; k < 3; ++k) max_df = std::max(max_df, std::abs(a.forces[i][k] - b.forces[i][k]));
    CHECK(max_df <= 1e-10);
    for (int x = 0; x < 3; ++x)
        for (int y = 0; y < 3; ++y) CHECK(std::abs(a.stress[x][y] - b.stress[x][y]) <= 1e-12);
}
}  // namespace

TEST_CASE("A compile-time water potential equals the runtime-loaded one", "[potential][compiled]") {
    compare_with_runtime<Water>("H2O_RPBE-D3");
}

TEST_CASE("A compile-time Cu2S potential (types 2, 3, 9; POLY2 cutoff) equals the runtime-loaded one", "[potential][compiled]") {
    compare_with_runtime<Cu2S>("Cu2S_PBE");
}

TEST_CASE("A compile-time potential refuses a model of another structure", "[potential][compiled]") {
    // Wrong cutoff type.
    CHECK_THROWS_WITH(Water::load(test::predict_dir("Cu2S_PBE")), Catch::Contains("cutoff_type 6") && Catch::Contains("compiled for cutoff_type 2"));
    // Right cutoff, wrong network widths.
    using Narrow = Potential<CutoffTanhU, CompiledNetworks<StaticNetwork<27, Dense<20, Tanh>, Hidden, Out>, StaticNetwork<30, Hidden, Hidden, Out>>>;
    CHECK_THROWS_WITH(Narrow::load(test::predict_dir("H2O_RPBE-D3")), Catch::Contains("element H") && Catch::Contains("expects 27x20"));
    // Wrong activation.
    using Soft = Potential<CutoffTanhU, CompiledNetworks<StaticNetwork<27, Dense<25, Softplus>, Hidden, Out>, StaticNetwork<30, Hidden, Hidden, Out>>>;
    CHECK_THROWS_WITH(Soft::load(test::predict_dir("H2O_RPBE-D3")), Catch::Contains("activation 't'"));
    // Family not compiled in.
    using RadialOnly = Potential<CutoffTanhU, RuntimeNetworks, Families<Radial>>;
    CHECK_THROWS_WITH(RadialOnly::load(test::predict_dir("H2O_RPBE-D3")), Catch::Contains("family"));
}
