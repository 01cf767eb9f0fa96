#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "hdnnp/io/extxyz.hpp"
#include "hdnnp/io/input_data.hpp"

using namespace hdnnp;
using namespace hdnnp::io;

namespace {

const std::string reference_dir = HDNNP_REFERENCE_DIR;

const std::vector<std::string> reference_files = {
    "predict/AlAuMgO_4G/input.data",      "predict/Anisole_SCAN/input.data",   "predict/Carbon_chain_4G/input.data",
    "predict/Cu2S_PBE/input.data",        "predict/DMABN_SCAN/input.data",     "predict/Ethylbenzene_SCAN/input.data",
    "predict/H2O_RPBE-D3/input.data",     "predict/H2O_RPBE-D3_4G/input.data", "train/Carbon_chain_4G/input.data",
    "train/Cu2S_PBE/input.data",          "train/H2O_RPBE-D3/input.data",      "train/H2O_RPBE-D3_4G/input.data",
    "train/LJ/input.data",
};

bool same_bits(double a, double b) {
    std::uint64_t x = 0, y = 0;
    std::memcpy(&x, &a, sizeof x);
    std::memcpy(&y, &b, sizeof y);
    return x == y;
}

bool same_bits(const Vec3& a, const Vec3& b) {
    return same_bits(a[0], b[0]) && same_bits(a[1], b[1]) && same_bits(a[2], b[2]);
}

void require_identical(const Structure& a, const Structure& b) {
    REQUIRE(a.size() == b.size());
    CHECK(a.comment == b.comment);
    CHECK(a.set == b.set);
    CHECK(a.periodic == b.periodic);
    if (a.periodic)
        for (int k = 0; k < 3; ++k) CHECK(same_bits(a.lattice[k], b.lattice[k]));
    CHECK(a.has_energy == b.has_energy);
    CHECK(a.has_charge == b.has_charge);
    CHECK(same_bits(a.energy, b.energy));
    CHECK(same_bits(a.total_charge, b.total_charge));
    std::size_t first_bad = 0;
    for (std::size_t i = 0; i < a.size() && !first_bad; ++i)
        if (!(a.symbols[i] == b.symbols[i] && same_bits(a.positions[i], b.positions[i]) &&
              same_bits(a.forces[i], b.forces[i]) && same_bits(a.charges[i], b.charges[i]) &&
              same_bits(a.atom_extra[i], b.atom_extra[i])))
            first_bad = i + 1;
    INFO("first differing atom (1-based): " << first_bad);
    CHECK(first_bad == 0);
}

std::vector<Structure> read_text(const std::string& text, const std::string& name = "bad.xyz") {
    std::istringstream in(text);
    return read_extxyz(in, name);
}

std::string to_extxyz(const std::vector<Structure>& structures) {
    std::ostringstream out;
    for (const auto& s : structures) write_extxyz(out, s);
    return out.str();
}

std::string to_input_data(const std::vector<Structure>& structures) {
    std::ostringstream out;
    for (const auto& s : structures) write_input_data(out, s);
    return out.str();
}

std::string scratch_file(const std::string& name) {
    const std::string unique = "hdnnp_io_test_" + std::to_string(::getpid()) + "_" + name;
    return (std::filesystem::temp_directory_path() / unique).string();
}

// Written by ASE 3.22.1 (ase.io.write(..., format="extxyz")) for an H2O with initial charges, a
// SinglePointCalculator (energy, forces, charges) and two info entries, followed by a bare C atom.
const char* const ase_output =
    "3\n"
    "Lattice=\"5.0 0.0 0.0 1.0 5.0 0.0 0.0 0.5 6.0\" "
    "Properties=species:S:1:pos:R:3:initial_charges:R:1:forces:R:3:charge:R:1 "
    "comment=\"say \\\"hi\\\" \\ back\" stress_note=\"x y\" energy=-1.25 pbc=\"T T T\"\n"
    "H        0.00000000       0.00000000       0.00000000       0.10000000       1.00000000       2.00000000"
    "       3.00000000       0.50000000\n"
    "H        0.70000000       0.10000000      -0.20000000       0.20000000       4.00000000       5.00000000"
    "       6.00000000       0.25000000\n"
    "O        0.33333333       2.00000000       3.00000000      -0.30000000       7.00000000       8.00000000"
    "       9.50000000      -0.75000000\n"
    "1\n"
    "Properties=species:S:1:pos:R:3 pbc=\"F F F\"\n"
    "C        1.00000000       2.00000000       3.00000000\n";

}  // namespace

TEST_CASE("A file written by ASE is read with its cell, columns, energy and extra keys", "[io]") {
    const auto v = read_text(ase_output, "ase.xyz");
    REQUIRE(v.size() == 2);
    const Structure& s = v[0];
    REQUIRE(s.size() == 3);
    CHECK(s.periodic);
    CHECK(s.lattice[0] == Vec3{5.0, 0.0, 0.0});
    CHECK(s.lattice[1] == Vec3{1.0, 5.0, 0.0});
    CHECK(s.lattice[2] == Vec3{0.0, 0.5, 6.0});
    CHECK(s.symbols == std::vector<std::string>{"H", "H", "O"});
    CHECK(s.positions[1] == Vec3{0.7, 0.1, -0.2});
    CHECK(s.positions[2][0] == 0.33333333);
    CHECK(s.forces[2] == Vec3{7.0, 8.0, 9.5});
    // The calculator's per-atom "charge" column wins over initial_charges.
    CHECK(s.charges == std::vector<double>{0.5, 0.25, -0.75});
    CHECK(s.atom_extra == std::vector<double>{0.0, 0.0, 0.0});
    CHECK(s.has_energy);
    CHECK(s.energy == -1.25);
    CHECK_FALSE(s.has_charge);
    // comment value (ASE's escapes resolved) first, then unknown keys as written.
    CHECK(s.comment == "say \"hi\"  back stress_note=\"x y\"");

    const Structure& c = v[1];
    CHECK(c.size() == 1);
    CHECK_FALSE(c.periodic);
    CHECK_FALSE(c.has_energy);
    CHECK(c.symbols[0] == "C");
    CHECK(c.positions[0] == Vec3{1, 2, 3});
    CHECK(c.forces[0] == Vec3{0, 0, 0});
    CHECK(c.comment.empty());
}

TEST_CASE("Properties columns in any order are found and unknown columns are skipped by width", "[io]") {
    const std::string text =
        "2\n"
        "  Properties = tags:I:1:pos:R:3:velo:R:3:species:S:1:mass:R:1:forces:R:3:initial_charges:R:1:fixed:L:1"
        "  Energy='-3.5' Lattice=[4 0 0 0 4 0 0 0 4] info={a b c} flag\n"
        "7 0.5 1.5 2.5  9 9 9 Cu 63.5  0.1 0.2 0.3 1.25 T\n"
        "8 -1 -2 -3  9 9 9 O 16.0  -0.1 -0.2 -0.3 -1.25 F\n";
    const auto v = read_text(text);
    REQUIRE(v.size() == 1);
    const Structure& s = v[0];
    CHECK(s.periodic);  // Lattice without pbc means periodic
    CHECK(s.lattice[2] == Vec3{0, 0, 4});
    CHECK(s.symbols == std::vector<std::string>{"Cu", "O"});
    CHECK(s.positions[0] == Vec3{0.5, 1.5, 2.5});
    CHECK(s.positions[1] == Vec3{-1, -2, -3});
    CHECK(s.forces[1] == Vec3{-0.1, -0.2, -0.3});
    CHECK(s.charges == std::vector<double>{1.25, -1.25});
    CHECK(s.has_energy);
    CHECK(s.energy == -3.5);
    CHECK(s.comment == "info={a b c} flag");
}

TEST_CASE("A frame without Properties has species and pos only and no energy", "[io]") {
    const auto v = read_text("2\n\nH 0 0 0\nH 0 0 0.74\n\n\n1\ncharge=-1 set=test\nF 1 1 1\n\n");
    REQUIRE(v.size() == 2);
    CHECK_FALSE(v[0].periodic);
    CHECK_FALSE(v[0].has_energy);
    CHECK(v[0].positions[1][2] == 0.74);
    CHECK(v[0].charges == std::vector<double>{0.0, 0.0});
    CHECK(v[1].has_charge);
    CHECK(v[1].total_charge == -1.0);
    CHECK(v[1].set == "test");
    CHECK(v[1].symbols[0] == "F");
}

TEST_CASE("Every reference structure survives input.data -> extxyz -> input.data bit for bit", "[io]") {
    for (const auto& file : reference_files) {
        INFO(file);
        const auto original = read_input_data(reference_dir + "/" + file);
        const auto converted = read_text(to_extxyz(original), "converted.xyz");
        REQUIRE(converted.size() == original.size());
        for (std::size_t i = 0; i < original.size(); ++i) require_identical(original[i], converted[i]);
        CHECK(to_input_data(converted) == to_input_data(original));
    }
}

TEST_CASE("An extxyz write-read round trip keeps set, comment with quotes, atom_extra and -0.0", "[io]") {
    Structure s;
    s.set = "train";
    s.comment = "a \"quoted\" back\\slash 'single' {brace} x=y";
    s.periodic = true;
    s.lattice = {Vec3{10.0 / 3.0, 0.0, -0.0}, Vec3{0.1, 7.0, 0.0}, Vec3{-1e-300, 0.2, 9.0}};
    s.add_atom("Au", {0.1 + 0.2, -1.0 / 7.0, 1e-310}, -2.0 / 3.0, {1e300, -0.0, 5e-324});
    s.add_atom("H", {-3, 4, 5});
    s.atom_extra[0] = 0.5;
    s.has_charge = true;
    s.total_charge = 1.0 / 3.0;
    s.has_energy = true;
    s.energy = -98765.4321012345678;
    const std::string text = to_extxyz({s});
    CHECK(text.find("atom_extra:R:1") != std::string::npos);
    const auto back = read_text(text);
    REQUIRE(back.size() == 1);
    require_identical(back[0], s);
}

TEST_CASE("The extxyz writer puts the cell, properties, energy and pbc on line 2 with 17 digits", "[io]") {
    Structure s;
    s.periodic = true;
    s.lattice = {Vec3{2, 0, 0}, Vec3{0, 3, 0}, Vec3{0, 0, 0.1}};
    s.add_atom("H", {0.5, 0, 0}, 0.0, {0, 0, -1});
    s.has_energy = true;
    s.energy = -1.5;
    std::ostringstream out;
    write_extxyz(out, s);
    CHECK(out.str() ==
          "1\n"
          "Lattice=\"2.0000000000000000E+00 0.0000000000000000E+00 0.0000000000000000E+00 "
          "0.0000000000000000E+00 3.0000000000000000E+00 0.0000000000000000E+00 "
          "0.0000000000000000E+00 0.0000000000000000E+00 1.0000000000000001E-01\" "
          "Properties=species:S:1:pos:R:3:forces:R:3:charges:R:1 energy=-1.5000000000000000E+00 pbc=\"T T T\"\n"
          "H    5.0000000000000000E-01   0.0000000000000000E+00   0.0000000000000000E+00"
          "   0.0000000000000000E+00   0.0000000000000000E+00  -1.0000000000000000E+00"
          "   0.0000000000000000E+00\n");

    Structure m;
    m.add_atom("C", {0, 0, 0});
    std::ostringstream out2;
    write_extxyz(out2, m);
    CHECK(out2.str().find("1\nProperties=species:S:1:pos:R:3:forces:R:3:charges:R:1 pbc=\"F F F\"\nC ") == 0);
}

TEST_CASE("Predicted forces, charges and energy replace the reference values when given", "[io]") {
    Structure s;
    s.add_atom("O", {0, 0, 0}, -0.8, {1, 1, 1});
    s.add_atom("H", {1, 0, 0}, 0.4, {2, 2, 2});
    s.has_energy = true;
    s.energy = -10.0;
    const std::vector<Vec3> f = {{0.125, -0.25, 1.0 / 3.0}, {-0.125, 0.25, -1.0 / 3.0}};
    const std::vector<double> q = {-0.7, 0.35};
    const double e = -10.123456789012345;

    std::ostringstream out;
    write_extxyz(out, s, &f, &q, &e);
    auto back = read_text(out.str());
    REQUIRE(back.size() == 1);
    CHECK(back[0].forces == f);
    CHECK(back[0].charges == q);
    CHECK(back[0].energy == e);

    // Only the energy given; the structure had none.
    s.has_energy = false;
    std::ostringstream out2;
    write_extxyz(out2, s, nullptr, nullptr, &e);
    back = read_text(out2.str());
    CHECK(back[0].has_energy);
    CHECK(back[0].energy == e);
    CHECK(back[0].forces[1] == Vec3{2, 2, 2});
    CHECK(back[0].charges[0] == -0.8);

    // Without anything, no energy key.
    std::ostringstream out3;
    write_extxyz(out3, s);
    CHECK(out3.str().find("energy") == std::string::npos);

    const std::vector<Vec3> short_f = {{0, 0, 0}};
    std::ostringstream out4;
    CHECK_THROWS_WITH(write_extxyz(out4, s, &short_f), Catch::Contains("1 forces given for 2 atoms"));
    const std::vector<double> long_q = {1, 2, 3};
    CHECK_THROWS_WITH(write_extxyz(out4, s, nullptr, &long_q), Catch::Contains("3 charges given for 2 atoms"));
    CHECK(out4.str().empty());
}

TEST_CASE("Frames are written to a file, appended and read back with read_extxyz(path)", "[io]") {
    const std::string path = scratch_file("frames.xyz");
    const auto water = read_input_data(reference_dir + "/train/H2O_RPBE-D3_4G/input.data");
    const auto chain = read_input_data(reference_dir + "/predict/Carbon_chain_4G/input.data");
    write_extxyz(path, water);
    write_extxyz(path, chain, true);
    const auto all = read_extxyz(path);
    REQUIRE(all.size() == 21);
    require_identical(all[0], water[0]);
    require_identical(all[19], water[19]);
    require_identical(all[20], chain[0]);

    ExtxyzReader reader(path);
    Structure s;
    std::size_t n = 0;
    while (reader.next(s)) ++n;
    CHECK(n == 21);
    std::filesystem::remove(path);
}

// ---- malformed input: one test per case, each naming file and line --------------------------------

TEST_CASE("A missing extxyz file is reported as 'cannot open'", "[io]") {
    CHECK_THROWS_AS(read_extxyz("/nonexistent/frames.xyz"), ParseError);
    CHECK_THROWS_WITH(read_extxyz("/nonexistent/frames.xyz"), Catch::Contains("/nonexistent/frames.xyz: cannot open"));
}

TEST_CASE("A non-integer atom count line is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("two\n\nH 0 0 0\n"), Catch::Contains("bad.xyz:1: expected the atom count"));
    CHECK_THROWS_WITH(read_text("1\n\nH 0 0 0\n\n2 atoms\n"), Catch::Contains("bad.xyz:5: expected the atom count"));
    CHECK_THROWS_WITH(read_text("-1\n\nH 0 0 0\n"), Catch::Contains("bad.xyz:1: expected the atom count"));
}

TEST_CASE("A frame with zero atoms is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("0\n\n"), Catch::Contains("bad.xyz:1: frame has 0 atoms"));
}

TEST_CASE("A file ending after the atom count is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("1\n\nH 0 0 0\n3\n"),
                      Catch::Contains("bad.xyz:5: unexpected end of file: expected the comment line of the frame begun at line 4"));
}

TEST_CASE("A file ending before all atom lines is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("3\n\nH 0 0 0\n"),
                      Catch::Contains("bad.xyz:4: unexpected end of file: expected 3 atom lines for the frame begun at line 1, got 1"));
}

TEST_CASE("An atom line with the wrong number of fields is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("2\nProperties=species:S:1:pos:R:3:forces:R:3\nH 0 0 0 0 0 0\nH 0 0 0 0 0\n"),
                      Catch::Contains("bad.xyz:4: atom line has 6 fields: expected 7"));
    CHECK_THROWS_WITH(read_text("1\n\nH 0 0 0 1\n"), Catch::Contains("bad.xyz:3: atom line has 5 fields: expected 4"));
}

TEST_CASE("A position with trailing garbage is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("1\n\nH 0 0 1.0abc\n"),
                      Catch::Contains("bad.xyz:3: invalid z coordinate '1.0abc': expected a number"));
}

TEST_CASE("A NaN position or force is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("1\n\nH NaN 0 0\n"), Catch::Contains("bad.xyz:3: invalid x coordinate 'NaN': expected a finite number"));
    CHECK_THROWS_WITH(read_text("1\nProperties=species:S:1:pos:R:3:forces:R:3\nH 0 0 0 0 inf 0\n"),
                      Catch::Contains("bad.xyz:3: invalid force y component 'inf'"));
}

TEST_CASE("An unknown element in the species column is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("1\nProperties=pos:R:3:species:S:1\n0 0 0 Qq\n"),
                      Catch::Contains("bad.xyz:3: unknown element symbol 'Qq'"));
}

TEST_CASE("Properties without a species column is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("1\nProperties=Z:I:1:pos:R:3\n1 0 0 0\n"),
                      Catch::Contains("bad.xyz:2: Properties 'Z:I:1:pos:R:3' has no species column"));
}

TEST_CASE("Properties without a pos column is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("1\nProperties=species:S:1:positions:R:3\nH 0 0 0\n"),
                      Catch::Contains("bad.xyz:2: Properties 'species:S:1:positions:R:3' has no pos column"));
}

TEST_CASE("Properties with a wrong width, type or triplet count is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("1\nProperties=species:S:1:pos:R:2\nH 0 0\n"),
                      Catch::Contains("bad.xyz:2: Properties column 'pos' is R:2: expected R:3"));
    CHECK_THROWS_WITH(read_text("1\nProperties=species:S:1:pos:X:3\nH 0 0 0\n"),
                      Catch::Contains("bad.xyz:2: Properties column 'pos' has type 'X'"));
    CHECK_THROWS_WITH(read_text("1\nProperties=species:S:1:pos:R\nH 0 0 0\n"),
                      Catch::Contains("bad.xyz:2: Properties 'species:S:1:pos:R' has 5 ':'-separated fields"));
    CHECK_THROWS_WITH(read_text("1\nProperties=species:S:1:pos:R:three\nH 0 0 0\n"),
                      Catch::Contains("bad.xyz:2: Properties column 'pos' has width 'three'"));
}

TEST_CASE("A Lattice with eight numbers is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("1\nLattice=\"1 0 0 0 1 0 0 0\"\nH 0 0 0\n"),
                      Catch::Contains("bad.xyz:2: Lattice has 8 numbers: expected 9"));
    CHECK_THROWS_WITH(read_text("1\nLattice=\"1 0 0 0 1 0 0 0 x\"\nH 0 0 0\n"),
                      Catch::Contains("bad.xyz:2: invalid Lattice component 'x'"));
}

TEST_CASE("Partial periodicity is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("1\nLattice=\"1 0 0 0 1 0 0 0 1\" pbc=\"T T F\"\nH 0 0 0\n"),
                      Catch::Contains("bad.xyz:2: pbc \"T T F\" (periodic in some directions only) is not supported"));
    CHECK_THROWS_WITH(read_text("1\npbc=\"T T\"\nH 0 0 0\n"), Catch::Contains("bad.xyz:2: pbc has 2 values"));
    CHECK_THROWS_WITH(read_text("1\npbc=\"T T yes\"\nH 0 0 0\n"), Catch::Contains("bad.xyz:2: pbc value 'yes'"));
}

TEST_CASE("Periodic without a Lattice is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("1\npbc=\"T T T\"\nH 0 0 0\n"),
                      Catch::Contains("bad.xyz:2: pbc is \"T T T\" but there is no Lattice"));
}

TEST_CASE("An unterminated quoted value is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("1\nLattice=\"1 0 0 0 1 0 0 0 1\nH 0 0 0\n"),
                      Catch::Contains("bad.xyz:2: unterminated '\"' starting at column 9"));
}

TEST_CASE("A key given twice is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("1\nenergy=1 Energy=2\nH 0 0 0\n"), Catch::Contains("bad.xyz:2: key 'Energy' given twice"));
}

TEST_CASE("A non-numeric energy is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("1\nenergy=low\nH 0 0 0\n"), Catch::Contains("bad.xyz:2: invalid energy 'low'"));
}

TEST_CASE("An error in a later frame names that frame's line", "[io]") {
    std::istringstream in("1\n\nH 0 0 0\n2\nenergy=1\nH 0 0 0\nHe 0 0 zero\n");
    ExtxyzReader reader(in, "frames.xyz");
    Structure s;
    CHECK(reader.next(s));
    CHECK(s.symbols[0] == "H");
    CHECK_THROWS_WITH(reader.next(s), Catch::Contains("frames.xyz:7: invalid z coordinate 'zero'"));
}

// Found by fuzzing (fuzz_extxyz): a CR inside a quoted value was read into the comment, which the writer then
// refused to write ("comment or set contains a line break").
TEST_CASE("A carriage return inside a quoted or escaped value is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("1\nLattece=\"5.0\r0\" energy=1\nH 0 0 0\n"),
                      Catch::Contains("bad.xyz:2: carriage return (CR) inside a quoted or escaped value at column 13"));
    CHECK_THROWS_WITH(read_text("1\nset=a\\\rb\nH 0 0 0\n"),
                      Catch::Contains("bad.xyz:2: carriage return (CR) inside a quoted or escaped value at column 7"));
    // Found by the CI fuzzing run: a CR next to '=' of an unknown key ended up in the comment ("a\r=b").
    CHECK_THROWS_WITH(read_text("1\nenergy=1 a\r=b\nH 0 0 0\n"),
                      Catch::Contains("bad.xyz:2: carriage return (CR) at column 11 of the key=value line: expected CR only "
                                      "at the end of a line (CRLF)"));
    CHECK_THROWS_WITH(read_text("1\nenergy=1\rpbc=\"F F F\"\nH 0 0 0\n"),
                      Catch::Contains("bad.xyz:2: carriage return (CR) at column 9 of the key=value line"));
    // CR at the end of a line is whitespace: CRLF files are read.
    const auto v = read_text("1\r\nenergy=1 comment=\"x y\"\r\nH 0 0 0\r\n");
    REQUIRE(v.size() == 1);
    CHECK(v[0].comment == "x y");
    CHECK(v[0].energy == 1.0);
}

// Found by fuzzing (fuzz_extxyz): the atom count was used to size the arrays before any atom line was read, so a
// count of 10^16 made a 3-line file ask for petabytes.
TEST_CASE("An atom count above the limit is refused, a large count in a short file allocates nothing big", "[io][limits]") {
    CHECK_THROWS_WITH(read_text("100000001\n\nH 0 0 0\n"),
                      Catch::Contains("bad.xyz:1: frame declares 100000001 atoms, more than the limit of 100000000 "
                                      "(hdnnp::io::limits::max_atoms)"));
    CHECK_THROWS_WITH(read_text("18446744073709551615\n\nH 0 0 0\n"),
                      Catch::Contains("bad.xyz:1: frame declares 18446744073709551615 atoms, more than the limit"));
    CHECK_THROWS_WITH(read_text("100000000\n\nH 0 0 0\n"),
                      Catch::Contains("bad.xyz:4: unexpected end of file: expected 100000000 atom lines for the frame begun at "
                                      "line 1, got 1"));
}
