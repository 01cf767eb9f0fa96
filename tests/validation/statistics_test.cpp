// Error statistics (hdnnp/validation/statistics.hpp) against values computed here independently, with n2p2's
// definitions written out in full.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "hdnnp/validation/statistics.hpp"

using namespace hdnnp;

namespace {

struct Case {
    std::vector<Structure> ref;
    std::vector<Result> model;
};

/// Three structures (2, 3 and 5 atoms; H and O) with made-up reference and model values.
Case synthetic() {
    Case c;
    std::mt19937_64 rng(1);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    const std::vector<std::size_t> sizes = {2, 3, 5};
    const std::vector<double> de = {0.3, -0.06, 1.0};  // model - reference energies
    for (std::size_t k = 0; k < sizes.size(); ++k) {
        Structure s;
        Result r;
        for (std::size_t i = 0; i < sizes[k]; ++i) {
            const Vec3 f{u(rng), u(rng), u(rng)};
            s.add_atom(i % 2 ? "H" : "O", {double(i), 0, 0}, 0.1 * u(rng), f);
            r.forces.push_back(f + Vec3{0.1 * u(rng), 0.2 * u(rng), 0.05 * u(rng)});
            r.charges.push_back(s.charges.back() + 0.01 * u(rng));
        }
        s.energy = -10.0 * double(k + 1);
        s.has_energy = true;
        r.energy = s.energy + de[k];
        c.ref.push_back(s);
        c.model.push_back(r);
    }
    // one planted bad atom: structure 2, atom 3 (O... index 2 is "O")
    c.model[1].forces[2] = c.model[1].forces[2] + Vec3{3.0, 0, 0};
    return c;
}

}  // namespace

TEST_CASE("Energy, force and charge RMSE/MAE follow n2p2's definitions", "[validation]") {
    const Case c = synthetic();
    validation::ErrorStatistics st(2, true);
    for (std::size_t k = 0; k < c.ref.size(); ++k) st.add(c.ref[k], c.model[k], k + 1);

    // Independently: energies per structure, forces per component, charges per atom.
    double e2 = 0, e1 = 0, epa2 = 0, epa1 = 0, f2 = 0, f1 = 0, q2 = 0, q1 = 0, h2 = 0, h1 = 0, o2 = 0, o1 = 0;
    std::size_t nf = 0, nq = 0, nh = 0, no = 0, atoms = 0;
    for (std::size_t k = 0; k < c.ref.size(); ++k) {
        const double d = c.model[k].energy - c.ref[k].energy, n = double(c.ref[k].size());
        e2 += d * d;
        e1 += std::abs(d);
        epa2 += (d / n) * (d / n);
        epa1 += std::abs(d) / n;
        atoms += c.ref[k].size();
        for (std::size_t i = 0; i < c.ref[k].size(); ++i) {
            for (int a = 0; a < 3; ++a) {
                const double df = c.model[k].forces[i][a] - c.ref[k].forces[i][a];
                f2 += df * df;
                f1 += std::abs(df);
                ++nf;
                if (c.ref[k].symbols[i] == "H") h2 += df * df, h1 += std::abs(df), ++nh;
                else o2 += df * df, o1 += std::abs(df), ++no;
            }
            const double dq = c.model[k].charges[i] - c.ref[k].charges[i];
            q2 += dq * dq;
            q1 += std::abs(dq);
            ++nq;
        }
    }
    CHECK(st.structures() == 3);
    CHECK(st.atoms() == 10);
    CHECK(nf == 30);
    CHECK(st.energy().rmse() == Approx(std::sqrt(e2 / 3)).epsilon(1e-14));
    CHECK(st.energy().mae() == Approx(e1 / 3).epsilon(1e-14));
    CHECK(st.energy_per_atom().rmse() == Approx(std::sqrt(epa2 / 3)).epsilon(1e-14));
    CHECK(st.energy_per_atom().mae() == Approx(epa1 / 3).epsilon(1e-14));
    // spelled out for the numbers of this case: dE/N = 0.15, 0.02, 0.2
    CHECK(st.energy_per_atom().mae() == Approx((0.15 + 0.02 + 0.2) / 3).epsilon(1e-12));
    CHECK(st.energy().rmse() == Approx(std::sqrt((0.09 + 0.0036 + 1.0) / 3)).epsilon(1e-12));
    CHECK(st.forces().rmse() == Approx(std::sqrt(f2 / nf)).epsilon(1e-14));
    CHECK(st.forces().mae() == Approx(f1 / nf).epsilon(1e-14));
    REQUIRE(st.forces_per_element().size() == 2);
    CHECK(st.forces_per_element().at("H").rmse() == Approx(std::sqrt(h2 / nh)).epsilon(1e-14));
    CHECK(st.forces_per_element().at("H").mae() == Approx(h1 / nh).epsilon(1e-14));
    CHECK(st.forces_per_element().at("O").rmse() == Approx(std::sqrt(o2 / no)).epsilon(1e-14));
    CHECK(st.forces_per_element().at("O").mae() == Approx(o1 / no).epsilon(1e-14));
    CHECK(nh + no == nf);
    CHECK(st.charges().rmse() == Approx(std::sqrt(q2 / nq)).epsilon(1e-14));
    CHECK(st.charges().mae() == Approx(q1 / nq).epsilon(1e-14));
    CHECK(atoms == st.atoms());
}

TEST_CASE("Worst structures and atoms come worst first, bounded to N", "[validation]") {
    const Case c = synthetic();
    validation::ErrorStatistics st(2, false);
    for (std::size_t k = 0; k < c.ref.size(); ++k) st.add(c.ref[k], c.model[k], k + 1);
    const auto ws = st.worst_structures();
    REQUIRE(ws.size() == 2);
    CHECK(ws[0].index == 3);  // |dE|/N = 0.2
    CHECK(ws[1].index == 1);  // 0.15 (structure 2: 0.02)
    CHECK(ws[0].error_per_atom() == Approx(0.2));
    const auto wa = st.worst_atoms();
    REQUIRE(wa.size() == 2);
    CHECK(wa[0].structure == 2);
    CHECK(wa[0].atom == 3);
    CHECK(wa[0].element == "O");
    CHECK(wa[0].error() >= wa[1].error());
    // every other atom's error is at most the second's
    for (std::size_t k = 0; k < c.ref.size(); ++k)
        for (std::size_t i = 0; i < c.ref[k].size(); ++i)
            if (!(k == 1 && i == 2)) CHECK(norm(c.model[k].forces[i] - c.ref[k].forces[i]) <= wa[1].error());
    validation::ErrorStatistics none(0, false);
    none.add(c.ref[0], c.model[0], 1);
    CHECK(none.worst_structures().empty());
    CHECK(none.worst_atoms().empty());
}

TEST_CASE("Statistics JSON has exactly the documented keys", "[validation]") {
    const Case c = synthetic();
    for (bool charges : {false, true}) {
        validation::ErrorStatistics st(3, charges);
        for (std::size_t k = 0; k < c.ref.size(); ++k) st.add(c.ref[k], c.model[k], k + 1);
        std::ostringstream os;
        st.write_json(os);
        const std::string num = R"(-?[0-9.]+(?:e[-+][0-9]+)?)";
        std::string pattern = R"(\{\s*"structures": 3,\s*"atoms": 10,\s*"energy": \{"rmse_per_atom": N, "mae_per_atom": N, "rmse": N, "mae": N\},\s*)"
                              R"("forces": \{"rmse": N, "mae": N, "per_element": \{"H": \{"rmse": N, "mae": N\}, "O": \{"rmse": N, "mae": N\}\}\})";
        if (charges) pattern += R"(,\s*"charges": \{"rmse": N, "mae": N\})";
        pattern += R"(\s*\}\s*)";
        pattern = std::regex_replace(pattern, std::regex("N"), num);
        INFO(os.str());
        CHECK(std::regex_match(os.str(), std::regex(pattern)));
    }
}

TEST_CASE("Extrapolation summary per element and function", "[validation]") {
    const Case c = synthetic();
    validation::ErrorStatistics st(1, false);
    Result r = c.model[0];
    r.extrapolations = {ExtrapolationWarning{0, "O", 4, 2, 1.5, 0.0, 1.0, 0}, ExtrapolationWarning{1, "H", 2, 3, -0.25, 0.0, 2.0, 0},
                        ExtrapolationWarning{0, "O", 4, 2, 1.2, 0.0, 1.0, 0}};
    r.extrapolation_count = 3;
    st.add(c.ref[0], r, 1);
    r.extrapolations.resize(1);
    r.extrapolation_count = 1;
    st.add(c.ref[0], r, 2);
    const auto ex = st.extrapolations();
    REQUIRE(ex.size() == 2);
    CHECK(ex[0].element == "O");
    CHECK(ex[0].function == 4);
    CHECK(ex[0].count == 3);
    CHECK(ex[0].structures == 2);
    CHECK(ex[0].max_excess == Approx(0.5));
    CHECK(ex[0].relative_excess() == Approx(0.5));
    CHECK(ex[1].element == "H");
    CHECK(ex[1].max_excess == Approx(0.25));
    CHECK(st.extrapolation_count() == 4);
    CHECK_FALSE(st.extrapolations_incomplete());
}

TEST_CASE("Statistics refuse structures without reference energy or results without forces", "[validation]") {
    Case c = synthetic();
    validation::ErrorStatistics st(1, true);
    c.ref[0].has_energy = false;
    CHECK_THROWS_WITH(st.add(c.ref[0], c.model[0], 1), Catch::Contains("no reference energy"));
    c.model[1].forces.clear();
    CHECK_THROWS_WITH(st.add(c.ref[1], c.model[1], 2), Catch::Contains("no forces"));
    c.model[2].charges.clear();
    CHECK_THROWS_WITH(st.add(c.ref[2], c.model[2], 3), Catch::Contains("no charges"));
}
