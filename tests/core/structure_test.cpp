#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "hdnnp/core/elements.hpp"
#include "hdnnp/core/structure.hpp"

using namespace hdnnp;

TEST_CASE("Element symbols and atomic numbers map both ways", "[core]") {
    CHECK(atomic_number("H") == 1);
    CHECK(atomic_number("Cu") == 29);
    CHECK(atomic_number("Og") == 118);
    CHECK(atomic_number("Xx") == 0);
    CHECK(atomic_number("cu") == 0);
    for (int z = 1; z <= 118; ++z) CHECK(atomic_number(element_symbol(z)) == z);
    CHECK(element_symbol(0).empty());
    CHECK(element_symbol(119).empty());
}

TEST_CASE("Validation rejects NaN coordinates and degenerate cells with a message", "[core]") {
    Structure s;
    s.add_atom("H", {0, 0, 0});
    s.add_atom("O", {1, std::numeric_limits<double>::quiet_NaN(), 0});
    CHECK_THROWS_WITH(validate(s), Catch::Contains("atom 2 (O) has a non-finite coordinate"));
    s.positions[1] = {1, 0, 0};
    CHECK_NOTHROW(validate(s));
    s.periodic = true;
    s.lattice = {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{1, 1, 0}};
    CHECK_THROWS_WITH(validate(s), Catch::Contains("degenerate"));
    s.lattice = {Vec3{0, 0, 0}, Vec3{0, 0, 0}, Vec3{0, 0, 0}};
    CHECK_THROWS_WITH(validate(s), Catch::Contains("degenerate"));
    s.lattice = {Vec3{5, 0, 0}, Vec3{1, 5, 0}, Vec3{0, 2, 5}};
    CHECK_NOTHROW(validate(s));
    CHECK(s.volume() == Approx(125.0));
}
