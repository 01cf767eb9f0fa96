// `hdnnp specialize` on 3G and 4G models: the generated headers (three 4G references and the synthetic 3G
// model, written at build time, tests/CMakeLists.txt) compile to Potential<..., CompiledNetworks<
// ElementNetworks<short, charge/electronegativity>...>, ..., Gen3/Gen4>, and NAME::load().compute(s) gives the
// runtime potential's energy, forces and charges (1e-12 relative / 1e-10 absolute) and n2p2's expected outputs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>

#include "hdnnp/hdnnp.hpp"
#include "support/model_3g.hpp"
#include "support/reference.hpp"

#ifdef HDNNP_SPECIALIZED_HEADERS
#include "alaumgo_4g.hpp"
#include "carbon_chain_4g.hpp"
#include "h2o_rpbe_d3_4g.hpp"
#include "model_3g.hpp"

using namespace hdnnp;

namespace {

using L = Dense<1, Linear>;
// Carbon_chain_4G: short 24/36 (+1 charge input) - 10 - 10 - 1, chi 24/36 - 15 - 15 - 1, tanh hidden layers.
static_assert(std::is_same_v<hdnnp_models::Carbon_chain_4G::Potential,
                             Potential<CutoffTanhU,
                                       CompiledNetworks<ElementNetworks<StaticNetwork<25, Dense<10, Tanh>, Dense<10, Tanh>, L>,
                                                                        StaticNetwork<24, Dense<15, Tanh>, Dense<15, Tanh>, L>>,
                                                        ElementNetworks<StaticNetwork<37, Dense<10, Tanh>, Dense<10, Tanh>, L>,
                                                                        StaticNetwork<36, Dense<15, Tanh>, Dense<15, Tanh>, L>>>,
                                       Families<Radial, AngularNarrow>, Gen4>>,
              "the carbon chain compiles to 4G ElementNetworks per element");
static_assert(hdnnp_models::Carbon_chain_4G::generation == Generation::fourth);
static_assert(hdnnp_models::model_3g::generation == Generation::third);
static_assert(std::is_same_v<hdnnp_models::model_3g::Potential::generation_policy, Gen3>);

struct Deviation {
    double energy_rel = 0, force = 0, charge = 0, stress = 0;
};

Deviation compare(const Result& a, const Result& b) {
    Deviation d;
    d.energy_rel = std::abs(a.energy - b.energy) / std::abs(a.energy);
    REQUIRE(a.forces.size() == b.forces.size());
    REQUIRE(a.charges.size() == b.charges.size());
    for (std::size_t i = 0; i < a.forces.size(); ++i) {
        for (int k = 0; k < 3; ++k) d.force = std::max(d.force, std::abs(a.forces[i][k] - b.forces[i][k]));
        d.charge = std::max(d.charge, std::abs(a.charges[i] - b.charges[i]));
    }
    for (int x = 0; x < 3; ++x)
        for (int y = 0; y < 3; ++y) d.stress = std::max(d.stress, std::abs(a.stress[x][y] - b.stress[x][y]));
    return d;
}

template <class Spec> void check_4g(const std::string& example) {
    const std::string dir = test::predict_dir(example);
    const auto runtime = Potential<>::load(dir);
    const typename Spec::Potential specialised = Spec::load();
    CHECK(specialised.generation() == Generation::fourth);
    const Structure s = io::read_input_data(dir + "/input.data").at(0);
    for (bool simd : {true, false}) {
        INFO(example << " simd " << simd);
        ComputeOptions opt;
        opt.simd = simd;
        const Result a = runtime.compute(s, opt), b = specialised.compute(s, opt);
        const Deviation d = compare(a, b);
        CHECK(d.energy_rel <= 1e-12);
        CHECK(d.force <= 1e-10);
        CHECK(d.charge <= 1e-10);
        CHECK(d.stress <= 1e-12);
        CHECK(a.has_stress == b.has_stress);
        // and n2p2's outputs (the 4G reference tolerances)
        const auto energy = test::read_out_table(dir + "/expected/energy.out");
        const auto forces = test::read_out_table(dir + "/expected/nnforces.out");
        const auto atoms = test::read_out_table(dir + "/expected/nnatoms.out");
        REQUIRE(forces.size() == s.size());
        CHECK(std::abs(b.energy - energy.at(0)[3]) <= 1e-9 * std::abs(energy.at(0)[3]));
        double df = 0.0, dq = 0.0;
        for (std::size_t i = 0; i < s.size(); ++i) {
            for (int k = 0; k < 3; ++k) df = std::max(df, std::abs(b.forces[i][k] - forces[i][5 + static_cast<std::size_t>(k)]));
            dq = std::max(dq, std::abs(b.charges[i] - atoms[i][4]));
        }
        CHECK(df <= 1e-7);
        CHECK(dq <= 1e-8);
    }
}

}  // namespace

TEST_CASE("Specialised 4G potentials equal the runtime ones and n2p2 (H2O_RPBE-D3_4G)", "[specialize][4g]") {
    check_4g<hdnnp_models::H2O_RPBE_D3_4G>("H2O_RPBE-D3_4G");
}
TEST_CASE("Specialised 4G potentials equal the runtime ones and n2p2 (AlAuMgO_4G)", "[specialize][4g]") {
    check_4g<hdnnp_models::AlAuMgO_4G>("AlAuMgO_4G");
}
TEST_CASE("Specialised 4G potentials equal the runtime ones and n2p2 (Carbon_chain_4G)", "[specialize][4g]") {
    check_4g<hdnnp_models::Carbon_chain_4G>("Carbon_chain_4G");
}

TEST_CASE("The specialised 3G potential equals the runtime one on clusters and cells", "[specialize][3g]") {
    const auto runtime = Potential<>::load(HDNNP_MODEL_3G_DIR);
    const hdnnp_models::model_3g::Potential specialised = hdnnp_models::model_3g::load();
    Structure cluster = test::water_cluster(2, 2, 1, 11);
    cluster.total_charge = 1.0;
    const Structure box = test::water_box(2, 12, 0.1);
    for (const Structure* s : std::initializer_list<const Structure*>{&cluster, &box}) {
        for (bool simd : {true, false}) {
            INFO("periodic " << s->periodic << " simd " << simd);
            ComputeOptions opt;
            opt.simd = simd;
            const Result a = runtime.compute(*s, opt), b = specialised.compute(*s, opt);
            REQUIRE(a.charges.size() == s->size());
            const Deviation d = compare(a, b);
            CHECK(d.energy_rel <= 1e-12);
            CHECK(d.force <= 1e-10);
            CHECK(d.charge <= 1e-10);
            CHECK(d.stress <= 1e-12);
        }
    }
}

#endif  // HDNNP_SPECIALIZED_HEADERS
