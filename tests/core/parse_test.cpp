// The strict number conversion of the model readers (core/parse.hpp).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <string>

#include "hdnnp/core/parse.hpp"

using hdnnp::detail::first_word;
using hdnnp::detail::parse_double;

TEST_CASE("parse_double takes whole finite numbers in every spelling the model files use", "[core][parse]") {
    const char* const good[] = {"1.5", "-0.25", "+2", ".5", "-.5e+2", "1E3", "6.02214076e23", "1.0D-3", "-2.5d+1",
                                "0x1p3", "1e-400", "4.9e-324", "-0", "0.1000000000000000055511151231257827"};
    for (const char* t : good) {
        double v = -99.0;
        INFO("token " << t);
        REQUIRE(parse_double(std::string(t), v));
        std::string u(t);
        for (char& c : u)
            if (c == 'd' || c == 'D') c = 'e';
        CHECK(v == std::strtod(u.c_str(), nullptr));  // the correctly rounded value, as strtod gives it
    }
    const char* const bad[] = {"", "abc", "1.0abc", "1.5.", "nan", "inf", "-inf", "1e999", "-1e999", "1,5", "++1", "1d", "--2"};
    for (const char* t : bad) {
        double v = 0.0;
        INFO("token '" << t << "'");
        CHECK_FALSE(parse_double(std::string(t), v));
    }
}

TEST_CASE("first_word finds the first blank-separated word without copying", "[core][parse]") {
    // compared as std::string: Catch2's string_view printer is not in every build of its main library
    CHECK(std::string(first_word("  0.125  # weight 1")) == "0.125");
    CHECK(std::string(first_word("\t-3e2\r")) == "-3e2");
    CHECK(first_word("").empty());
    CHECK(first_word(" \t \r").empty());
    CHECK(std::string(first_word("#comment")) == "#comment");
}
