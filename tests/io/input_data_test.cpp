#include <catch2/catch.hpp>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "hdnnp/io/input_data.hpp"

using namespace hdnnp;
using namespace hdnnp::io;

namespace {

const std::string reference_dir = HDNNP_REFERENCE_DIR;

struct ReferenceFile {
    std::string path;  // relative to HDNNP_REFERENCE_DIR
    std::size_t structures;
    std::size_t atoms;  // summed over all structures
    bool periodic;
};

// Counts taken from the files (grep -c '^ *begin' / '^atom').
const std::vector<ReferenceFile> reference_files = {
    {"predict/AlAuMgO_4G/input.data", 1, 110, true},
    {"predict/Anisole_SCAN/input.data", 1, 256, true},
    {"predict/Carbon_chain_4G/input.data", 1, 12, false},
    {"predict/Cu2S_PBE/input.data", 1, 144, true},
    {"predict/DMABN_SCAN/input.data", 1, 21, false},
    {"predict/Ethylbenzene_SCAN/input.data", 1, 288, true},
    {"predict/H2O_RPBE-D3/input.data", 1, 1080, true},
    {"predict/H2O_RPBE-D3_4G/input.data", 1, 384, true},
    {"train/Carbon_chain_4G/input.data", 128, 1598, false},
    {"train/Cu2S_PBE/input.data", 20, 2880, true},
    {"train/H2O_RPBE-D3/input.data", 20, 2064, true},
    {"train/H2O_RPBE-D3_4G/input.data", 20, 960, true},
    {"train/LJ/input.data", 101, 202, false},
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

// Field-by-field bit-exact comparison; reports the first difference through Catch.
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
    REQUIRE(a.symbols.size() == b.symbols.size());
    REQUIRE(a.charges.size() == b.charges.size());
    REQUIRE(a.atom_extra.size() == b.atom_extra.size());
    REQUIRE(a.forces.size() == b.forces.size());
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const bool same = a.symbols[i] == b.symbols[i] && same_bits(a.positions[i], b.positions[i]) &&
                          same_bits(a.forces[i], b.forces[i]) && same_bits(a.charges[i], b.charges[i]) &&
                          same_bits(a.atom_extra[i], b.atom_extra[i]);
        if (!same) {
            INFO("first differing atom: " << i + 1);
            CHECK(same);
            ++mismatches;
            break;
        }
    }
    CHECK(mismatches == 0);
}

std::vector<Structure> read_text(const std::string& text, const std::string& name = "bad.data") {
    std::istringstream in(text);
    return read_input_data(in, name);
}

std::string write_text(const std::vector<Structure>& structures) {
    std::ostringstream out;
    for (const auto& s : structures) write_input_data(out, s);
    return out.str();
}

// A scratch file name unique to this process and test.
std::string scratch_file(const std::string& name) {
    const std::string unique = "hdnnp_io_test_" + std::to_string(::getpid()) + "_" + name;
    return (std::filesystem::temp_directory_path() / unique).string();
}

const char* const one_atom = "atom 0.0 0.0 0.0 H 0.0 0.0 0.0 0.0 0.0\n";

}  // namespace

TEST_CASE("Every reference input.data file is read with the structure and atom counts of the file", "[io]") {
    for (const auto& ref : reference_files) {
        INFO(ref.path);
        const auto structures = read_input_data(reference_dir + "/" + ref.path);
        CHECK(structures.size() == ref.structures);
        std::size_t atoms = 0;
        for (const auto& s : structures) {
            atoms += s.size();
            CHECK(s.periodic == ref.periodic);
            CHECK(s.symbols.size() == s.size());
            CHECK(s.charges.size() == s.size());
            CHECK(s.atom_extra.size() == s.size());
            CHECK(s.forces.size() == s.size());
            CHECK(s.has_energy);
            CHECK(s.set.empty());
            CHECK_NOTHROW(validate(s));
        }
        CHECK(atoms == ref.atoms);
    }
}

TEST_CASE("Values read from the AlAuMgO reference file equal the numbers written in it", "[io]") {
    const auto v = read_input_data(reference_dir + "/predict/AlAuMgO_4G/input.data");
    REQUIRE(v.size() == 1);
    const Structure& s = v[0];
    CHECK(s.comment.empty());
    CHECK(s.lattice[0][0] == 1.7097166001e+01);
    CHECK(s.lattice[0][1] == 0.0);
    CHECK(s.lattice[2][2] == 5.0000000001e+01);
    // atom -1.9775793498e-02 -6.4032231288e-02  2.0026111119e+01 Mg  3.8788494400e-01 0.0  4.04...e-03 ...
    CHECK(s.symbols[0] == "Mg");
    CHECK(s.positions[0][0] == -1.9775793498e-02);
    CHECK(s.positions[0][1] == -6.4032231288e-02);
    CHECK(s.positions[0][2] == 2.0026111119e+01);
    CHECK(s.charges[0] == 3.8788494400e-01);
    CHECK(s.atom_extra[0] == 0.0);
    CHECK(s.forces[0][0] == 4.0412140453e-03);
    CHECK(s.forces[0][1] == 7.0265869263e-03);
    CHECK(s.forces[0][2] == -8.4677419696e-03);
    CHECK(s.symbols[1] == "O");
    CHECK(s.charges[1] == -3.5909487600e-01);
    CHECK(s.energy == -5.4395981012e+04);
    CHECK(s.has_charge);
    CHECK(s.total_charge == 0.0);
}

TEST_CASE("Comments, triclinic cells and the last atom of Cu2S are read as written", "[io]") {
    const auto v = read_input_data(reference_dir + "/predict/Cu2S_PBE/input.data");
    REQUIRE(v.size() == 1);
    const Structure& s = v[0];
    CHECK(s.comment == "source_file_name=OUTCAR_0_1");
    CHECK(s.lattice[2][0] == -5.989357159);
    CHECK(s.lattice[2][2] == 12.091965796);
    // First atom: 9.55381 0.98518 10.18385 S ... -0.125331 0.028415 0.031193
    CHECK(s.positions[0][0] == 9.55381);
    CHECK(s.forces[0][0] == -0.125331);
    CHECK(s.symbols.back() == "Cu");
    CHECK(s.energy == -573.700369);

    // Internal spacing of a comment is kept; only the space after the keyword is dropped.
    const auto anisole = read_input_data(reference_dir + "/predict/Anisole_SCAN/input.data");
    CHECK(anisole.at(0).comment == "frame number       26");
}

TEST_CASE("Atoms of periodic structures are kept outside the cell as written, not wrapped", "[io]") {
    // atom  -6.8333957336272205E-02   3.2563289867989420E+00 ... H (second atom, x < 0)
    const auto v = read_input_data(reference_dir + "/predict/H2O_RPBE-D3_4G/input.data");
    REQUIRE(v.size() == 1);
    CHECK(v[0].periodic);
    CHECK(v[0].positions[1][0] == -6.8333957336272205E-02);
    CHECK(v[0].comment.empty());
}

TEST_CASE("Multi-structure training files keep per-structure values, comments after energy and '-0.0' charges", "[io]") {
    const auto lj = read_input_data(reference_dir + "/train/LJ/input.data");
    REQUIRE(lj.size() == 101);
    CHECK(lj[0].energy == 0.0);
    CHECK(lj[0].comment == "r =   1.00000000E+00, E =   0.00000000E+00, dEdr =  -2.40000000E+01");
    CHECK_FALSE(lj[0].has_charge);
    CHECK(lj[0].positions[1][0] == 5.77350269E-01);
    CHECK(lj[0].forces[0][2] == -1.38564065E+01);
    CHECK(lj.back().energy == -6.15234375E-02);
    CHECK(lj.back().positions[1][2] == 1.15470054E+00);
    CHECK(lj.back().comment == "r =   2.00000000E+00, E =  -6.15234375E-02, dEdr =   1.81640625E-01");

    const auto chain = read_input_data(reference_dir + "/train/Carbon_chain_4G/input.data");
    REQUIRE(chain.size() == 128);
    CHECK(chain[0].energy == -381.614393065);
    CHECK(chain[1].energy == -381.612043643);
    CHECK(chain[0].has_charge);
    CHECK(chain[0].total_charge == 0.0);
    CHECK(std::signbit(chain[0].total_charge));  // "charge  -0.0"
    CHECK(chain[0].positions[0][0] == 1.12551715164);
    CHECK(chain[0].charges[0] == -0.00665098416667);

    // " begin" with a leading space and trailing spaces on atom lines.
    const auto water = read_input_data(reference_dir + "/train/H2O_RPBE-D3/input.data");
    REQUIRE(water.size() == 20);
    CHECK(water[0].comment == "written by RuNNerDecom");
    CHECK(water[0].lattice[1][1] == 24.623508);
    CHECK(water[0].charges[0] == -0.226389360);
    CHECK(water[0].forces[0][2] == -0.027992554);
}

TEST_CASE("The streaming reader yields the same structures as read_input_data, one at a time", "[io]") {
    const std::string path = reference_dir + "/train/Cu2S_PBE/input.data";
    const auto all = read_input_data(path);
    InputDataReader reader(path);
    CHECK(reader.filename() == path);
    Structure s;
    std::size_t n = 0;
    while (reader.next(s)) {
        REQUIRE(n < all.size());
        require_identical(s, all[n]);
        ++n;
    }
    CHECK(n == 20);
    CHECK(reader.line() == 3040);
    // At the end, next() keeps returning false and leaves the structure alone.
    CHECK_FALSE(reader.next(s));
    require_identical(s, all.back());
}

TEST_CASE("Writing and reading back every reference file reproduces all values bit for bit", "[io]") {
    for (const auto& ref : reference_files) {
        INFO(ref.path);
        const auto original = read_input_data(reference_dir + "/" + ref.path);
        const std::string text = write_text(original);
        const auto again = read_text(text, "roundtrip.data");
        REQUIRE(again.size() == original.size());
        for (std::size_t i = 0; i < original.size(); ++i) require_identical(original[i], again[i]);
        // Writing is deterministic: the second write gives the same text.
        CHECK(write_text(again) == text);
    }
}

TEST_CASE("Difficult doubles survive a write-read round trip exactly", "[io]") {
    Structure s;
    s.set = "test";
    s.comment = "  odd   spacing and symbols =:\"' ";  // leading/trailing spaces are not kept
    s.periodic = true;
    s.lattice = {Vec3{0.1, 1.0 / 3.0, -0.0}, Vec3{DBL_MAX, 1e-300, 4.9406564584124654e-324},
                 Vec3{-2.2250738585072014e-308, 123456789.12345678, 1e22}};
    s.add_atom("Og", {0.1 + 0.2, -1.0 / 7.0, 6.02214076e23}, 2.0 / 3.0, {-0.0, 1e-17, -9.999999999999999e-5});
    s.add_atom("H", {1, 2, 3});
    s.atom_extra[1] = 7.25;
    s.energy = -12345.678901234567;
    s.has_energy = true;
    s.total_charge = -1.0;
    s.has_charge = true;

    const auto back = read_text(write_text({s}));
    REQUIRE(back.size() == 1);
    Structure expected = s;
    expected.comment = "odd   spacing and symbols =:\"'";
    require_identical(back[0], expected);
    CHECK(std::signbit(back[0].lattice[0][2]));
    CHECK(std::signbit(back[0].forces[0][0]));
}

TEST_CASE("The writer uses n2p2's column layout and omits what the structure does not have", "[io]") {
    Structure s;
    s.add_atom("H", {1.5, 0, -2}, 0.25, {0, 0, 1});
    std::ostringstream out;
    write_input_data(out, s);
    CHECK(out.str() ==
          "begin\n"
          "atom   1.5000000000000000E+00   0.0000000000000000E+00  -2.0000000000000000E+00  H "
          "  2.5000000000000000E-01   0.0000000000000000E+00   0.0000000000000000E+00   0.0000000000000000E+00 "
          "  1.0000000000000000E+00\n"
          "end\n");

    s.set = "train";
    s.comment = "hello";
    s.has_energy = true;
    s.energy = -1;
    std::ostringstream out2;
    write_input_data(out2, s);
    const std::string t = out2.str();
    CHECK(t.rfind("begin set=train\ncomment hello\natom ", 0) == 0);
    CHECK(t.find("\nenergy  -1.0000000000000000E+00\nend\n") != std::string::npos);
    CHECK(t.find("charge") == std::string::npos);
    CHECK(t.find("lattice") == std::string::npos);
}

TEST_CASE("Structures without per-atom reference arrays are written with zeros", "[io]") {
    Structure s;
    s.positions = {{0, 0, 0}, {1, 0, 0}};
    s.symbols = {"He", "He"};
    const auto back = read_text(write_text({s}));
    REQUIRE(back.size() == 1);
    CHECK(back[0].size() == 2);
    CHECK(back[0].charges == std::vector<double>{0.0, 0.0});
    CHECK(back[0].forces[1] == Vec3{0, 0, 0});
}

TEST_CASE("The writer rejects structures it cannot represent", "[io]") {
    std::ostringstream out;
    Structure s;
    s.add_atom("H", {0, 0, 0});
    s.charges.push_back(1.0);
    CHECK_THROWS_WITH(write_input_data(out, s), Catch::Contains("1 positions but 2 charges"));
    s.charges.pop_back();
    s.set = "validation";
    CHECK_THROWS_WITH(write_input_data(out, s), Catch::Contains("set 'validation' cannot be written"));
    s.set.clear();
    s.comment = "two\nlines";
    CHECK_THROWS_WITH(write_input_data(out, s), Catch::Contains("line break"));
    s.comment.clear();
    s.symbols[0] = "Xx";
    CHECK_THROWS_WITH(write_input_data(out, s), Catch::Contains("unknown element symbol 'Xx'"));
    CHECK(out.str().empty());
}

TEST_CASE("Many structures are written to a file, appended to it and read back in order", "[io]") {
    const std::string path = scratch_file("multi.data");
    const auto cu2s = read_input_data(reference_dir + "/train/Cu2S_PBE/input.data");
    const auto chain = read_input_data(reference_dir + "/predict/Carbon_chain_4G/input.data");
    write_input_data(path, cu2s);
    write_input_data(path, chain, true);
    auto all = read_input_data(path);
    REQUIRE(all.size() == 21);
    require_identical(all[0], cu2s[0]);
    require_identical(all[19], cu2s[19]);
    require_identical(all[20], chain[0]);
    // Without append the file is replaced.
    write_input_data(path, chain);
    all = read_input_data(path);
    REQUIRE(all.size() == 1);
    require_identical(all[0], chain[0]);
    std::filesystem::remove(path);
    CHECK_THROWS_WITH(write_input_data("/nonexistent-dir/x.data", chain), Catch::Contains("cannot open"));
}

TEST_CASE("Sets, blank lines, CRLF line endings and free keyword order are accepted", "[io]") {
    const std::string text =
        "\n"
        "begin set=train\r\n"
        "energy -1.5\r\n"
        "atom 1 2 3 O -0.5 0 0.1 0.2 0.3\r\n"
        "\r\n"
        "lattice 10 0 0\r\n"
        "comment  first one \r\n"
        "lattice 0 10 0\r\n"
        "atom +4 5e-1 -6.25 H 0.25 1 -0.1 -0.2 -0.3\r\n"
        "lattice 0 0 10\r\n"
        "end\r\n"
        "\n\n"
        "  begin   set=test\n"
        "\tatom 0 0 0 Cu 0 0 0 0 0\n"
        "charge 2\n"
        "comment\n"
        "end\n"
        "\n";
    const auto v = read_text(text);
    REQUIRE(v.size() == 2);
    CHECK(v[0].set == "train");
    CHECK(v[0].comment == "first one");
    CHECK(v[0].periodic);
    CHECK(v[0].lattice[1] == Vec3{0, 10, 0});
    CHECK(v[0].size() == 2);
    CHECK(v[0].positions[1] == Vec3{4, 0.5, -6.25});
    CHECK(v[0].symbols[1] == "H");
    CHECK(v[0].atom_extra[1] == 1.0);
    CHECK(v[0].forces[1] == Vec3{-0.1, -0.2, -0.3});
    CHECK(v[0].energy == -1.5);
    CHECK_FALSE(v[0].has_charge);
    CHECK(v[1].set == "test");
    CHECK_FALSE(v[1].periodic);
    CHECK_FALSE(v[1].has_energy);
    CHECK(v[1].has_charge);
    CHECK(v[1].total_charge == 2.0);
    CHECK(v[1].comment.empty());
    CHECK(v[1].symbols[0] == "Cu");
    CHECK(read_text("").empty());
    CHECK(read_text("\n  \n").empty());
}

// ---- malformed input: one test per case, each naming file and line --------------------------------

TEST_CASE("A missing file is reported as 'cannot open' with its path", "[io]") {
    CHECK_THROWS_AS(read_input_data("/nonexistent/input.data"), ParseError);
    CHECK_THROWS_WITH(read_input_data("/nonexistent/input.data"),
                      Catch::Contains("/nonexistent/input.data: cannot open"));
    CHECK_THROWS_WITH(InputDataReader("/nonexistent/input.data"), Catch::Contains("cannot open"));
}

TEST_CASE("An unknown keyword inside a structure names the keyword and the line", "[io]") {
    const std::string text = std::string("begin\n") + one_atom + "forces 1 2 3\nend\n";
    CHECK_THROWS_WITH(read_text(text), Catch::Contains("bad.data:3: unknown keyword 'forces'"));
    try {
        read_text(text);
        FAIL("no exception");
    } catch (const ParseError& e) {
        CHECK(e.file() == "bad.data");
        CHECK(e.line() == 3);
    }
}

TEST_CASE("Keywords are case-sensitive: 'Atom' is an unknown keyword", "[io]") {
    CHECK_THROWS_WITH(read_text("begin\nAtom 0 0 0 H 0 0 0 0 0\nend\n"),
                      Catch::Contains("bad.data:2: unknown keyword 'Atom'"));
}

TEST_CASE("Text before 'begin' is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("\nhello\nbegin\n"), Catch::Contains("bad.data:2: unknown keyword 'hello': expected 'begin'"));
    CHECK_THROWS_WITH(read_text(std::string("begin\n") + one_atom + "end\n" + one_atom),
                      Catch::Contains("bad.data:4: 'atom' outside a structure: expected 'begin'"));
}

TEST_CASE("A structure without 'end' at the end of the file is reported at its 'begin'", "[io]") {
    CHECK_THROWS_WITH(read_text(std::string("begin\n") + one_atom + "end\n\nbegin\n" + one_atom + "energy 1\n"),
                      Catch::Contains("bad.data:5: structure begun here has no 'end'"));
}

TEST_CASE("A 'begin' inside a structure (missing 'end') is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text(std::string("begin\n") + one_atom + "energy 1\nbegin\n" + one_atom + "end\n"),
                      Catch::Contains("bad.data:4: 'begin' inside a structure: expected 'end' for the structure begun at line 1"));
}

TEST_CASE("An atom line with 9 fields is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("begin\ncomment x\natom 0 0 0 H 0 0 0 0\nend\n"),
                      Catch::Contains("bad.data:3: 'atom' line has 9 fields: expected 10"));
}

TEST_CASE("An atom line with 11 fields is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("begin\natom 0 0 0 H 0 0 0 0 0 0\nend\n"),
                      Catch::Contains("bad.data:2: 'atom' line has 11 fields: expected 10"));
}

TEST_CASE("A coordinate with trailing garbage ('1.0abc') is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("begin\natom 0 1.0abc 0 H 0 0 0 0 0\nend\n"),
                      Catch::Contains("bad.data:2: invalid y coordinate '1.0abc': expected a number"));
}

TEST_CASE("Non-numeric charge, n and force fields are rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("begin\natom 0 0 0 H x 0 0 0 0\nend\n"),
                      Catch::Contains("bad.data:2: invalid atomic charge q 'x'"));
    CHECK_THROWS_WITH(read_text("begin\natom 0 0 0 H 0 1,5 0 0 0\nend\n"),
                      Catch::Contains("bad.data:2: invalid atom field n '1,5'"));
    CHECK_THROWS_WITH(read_text("begin\natom 0 0 0 H 0 0 0 0 1.0D+00\nend\n"),
                      Catch::Contains("bad.data:2: invalid force z component '1.0D+00'"));
    CHECK_THROWS_WITH(read_text("begin\natom 0 0 0 H 0 0 0 ++1 0\nend\n"),
                      Catch::Contains("bad.data:2: invalid force y component '++1'"));
}

TEST_CASE("An unknown element symbol is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("begin\natom 0 0 0 H 0 0 0 0 0\natom 0 0 0 Xx 0 0 0 0 0\nend\n"),
                      Catch::Contains("bad.data:3: unknown element symbol 'Xx'"));
    CHECK_THROWS_WITH(read_text("begin\natom 0 0 0 1 0 0 0 0 0\nend\n"),
                      Catch::Contains("bad.data:2: unknown element symbol '1'"));
}

TEST_CASE("A structure with one lattice line is rejected at its 'end'", "[io]") {
    CHECK_THROWS_WITH(read_text(std::string("begin\nlattice 1 0 0\n") + one_atom + "end\n"),
                      Catch::Contains("bad.data:4: structure begun at line 1 has 1 'lattice' line(s): expected 0 or 3"));
}

TEST_CASE("A structure with two lattice lines is rejected at its 'end'", "[io]") {
    CHECK_THROWS_WITH(read_text(std::string("begin\nlattice 1 0 0\nlattice 0 1 0\n") + one_atom + "end\n"),
                      Catch::Contains("bad.data:5: structure begun at line 1 has 2 'lattice' line(s): expected 0 or 3"));
}

TEST_CASE("A fourth lattice line is rejected where it appears", "[io]") {
    CHECK_THROWS_WITH(read_text("begin\nlattice 1 0 0\nlattice 0 1 0\nlattice 0 0 1\nlattice 1 1 1\nend\n"),
                      Catch::Contains("bad.data:5: fourth 'lattice' line"));
}

TEST_CASE("A lattice line with two numbers is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("begin\nlattice 1 0\n"),
                      Catch::Contains("bad.data:2: 'lattice' line has 3 fields: expected 'lattice ax ay az'"));
}

TEST_CASE("A NaN coordinate is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("begin\natom nan 0 0 H 0 0 0 0 0\nend\n"),
                      Catch::Contains("bad.data:2: invalid x coordinate 'nan': expected a finite number"));
}

TEST_CASE("An infinite coordinate or lattice component is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("begin\natom 0 0 -inf H 0 0 0 0 0\nend\n"),
                      Catch::Contains("bad.data:2: invalid z coordinate '-inf': expected a finite number"));
    CHECK_THROWS_WITH(read_text("begin\nlattice 1e999 0 0\n"),
                      Catch::Contains("bad.data:2: invalid lattice x component '1e999'"));
}

TEST_CASE("A structure without atoms is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text("begin\ncomment empty\nenergy 0\nend\n"),
                      Catch::Contains("bad.data:4: structure begun at line 1 has no atoms"));
}

TEST_CASE("Energy and charge lines need exactly one number", "[io]") {
    CHECK_THROWS_WITH(read_text(std::string("begin\n") + one_atom + "energy\nend\n"),
                      Catch::Contains("bad.data:3: 'energy' line has 1 fields: expected 'energy E'"));
    CHECK_THROWS_WITH(read_text(std::string("begin\n") + one_atom + "charge 0 0\nend\n"),
                      Catch::Contains("bad.data:3: 'charge' line has 3 fields: expected 'charge Q'"));
    CHECK_THROWS_WITH(read_text(std::string("begin\n") + one_atom + "energy abc\nend\n"),
                      Catch::Contains("bad.data:3: invalid energy 'abc'"));
}

TEST_CASE("A second energy, charge or comment line in one structure is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text(std::string("begin\nenergy 1\n") + one_atom + "energy 2\nend\n"),
                      Catch::Contains("bad.data:4: second 'energy' line in one structure (first at line 2)"));
    CHECK_THROWS_WITH(read_text(std::string("begin\ncomment a\ncomment b\n")),
                      Catch::Contains("bad.data:3: second 'comment' line"));
    CHECK_THROWS_WITH(read_text(std::string("begin\ncharge 1\ncharge 1\n")),
                      Catch::Contains("bad.data:3: second 'charge' line"));
}

TEST_CASE("'begin' accepts only set=train or set=test", "[io]") {
    CHECK_THROWS_WITH(read_text(std::string("begin set=validation\n") + one_atom + "end\n"),
                      Catch::Contains("bad.data:1: unexpected 'set=validation' after 'begin'"));
    CHECK_THROWS_WITH(read_text(std::string("begin set=train x\n") + one_atom + "end\n"),
                      Catch::Contains("bad.data:1: too many fields after 'begin'"));
}

TEST_CASE("Text after 'end' on the same line is rejected", "[io]") {
    CHECK_THROWS_WITH(read_text(std::string("begin\n") + one_atom + "end begin\n"),
                      Catch::Contains("bad.data:3: unexpected 'begin' after 'end'"));
}

TEST_CASE("The streaming reader reports errors in later structures with their line", "[io]") {
    std::istringstream in(std::string("begin\n") + one_atom + "end\nbegin\n" + one_atom + "atom 1 2\nend\n");
    InputDataReader reader(in, "stream.data");
    Structure s;
    CHECK(reader.next(s));
    CHECK(s.size() == 1);
    CHECK_THROWS_WITH(reader.next(s), Catch::Contains("stream.data:6: 'atom' line has 3 fields"));
}

// ---- wrap_into_cell ----------------------------------------------------------------------------

TEST_CASE("wrap_into_cell moves outside atoms by lattice vectors into fractional coordinates 0 <= f < 1 and keeps inside atoms", "[io]") {
    Structure s;
    s.periodic = true;
    s.lattice = {Vec3{5.0, 0.0, 0.0}, Vec3{1.2, 4.5, 0.0}, Vec3{-0.7, 0.9, 6.1}};
    const std::vector<Vec3> r = {{1.0, 1.0, 1.0},  {-0.3, 2.0, 3.0}, {12.5, -9.1, 30.2}, {-100.1, 55.5, -7.3},
                                 {5.5, 0.0, 0.0},  {0.0, 0.0, 0.0},  {-1e-17, 0.0, 0.0}, {3.3, 4.4, -1e-300}};
    for (const auto& x : r) s.add_atom("C", x);
    const Structure before = s;
    wrap_into_cell(s);
    const Mat3 inv = reciprocal_rows(s.lattice);
    for (std::size_t i = 0; i < s.size(); ++i) {
        INFO("atom " << i + 1);
        for (int k = 0; k < 3; ++k) {
            const double f = dot(inv[k], s.positions[i]);
            CHECK(f >= 0.0);
            CHECK(f < 1.0);
            // Moved by a whole number of cell vectors.
            const double shift = dot(inv[k], before.positions[i]) - f;
            CHECK(shift == Approx(std::round(shift)).margin(1e-9));
        }
    }
    CHECK(same_bits(s.positions[0], before.positions[0]));  // inside: untouched
    CHECK(same_bits(s.positions[5], before.positions[5]));  // origin is inside
    CHECK(s.positions[4][0] == Approx(0.5).margin(1e-12));  // 1.1 a -> 0.1 a
    CHECK(s.positions[4][1] == 0.0);
    CHECK(s.positions[4][2] == 0.0);

    Structure molecule;
    molecule.add_atom("C", {-50, 0, 0});
    wrap_into_cell(molecule);
    CHECK(molecule.positions[0] == Vec3{-50, 0, 0});
}

TEST_CASE("wrap_into_cell on a reference file puts every atom inside the box", "[io]") {
    auto v = read_input_data(reference_dir + "/predict/H2O_RPBE-D3_4G/input.data");
    Structure s = v.at(0);
    std::size_t outside = 0;
    for (const auto& r : s.positions)
        for (int k = 0; k < 3; ++k)
            if (r[k] < 0.0 || r[k] >= s.lattice[k][k]) ++outside;
    CHECK(outside > 0);  // the file really has atoms outside the (orthorhombic) cell
    wrap_into_cell(s);
    for (const auto& r : s.positions)
        for (int k = 0; k < 3; ++k) {
            CHECK(r[k] >= 0.0);
            CHECK(r[k] < s.lattice[k][k]);
        }
}

// The defect fuzz_extxyz found in the extxyz reader, here in input.data: a CR inside the comment text was kept,
// and the writer then refused the structure ("comment contains a line break").
TEST_CASE("A carriage return inside the comment text is rejected, a trailing one (CRLF) is not", "[io]") {
    CHECK_THROWS_WITH(read_text(std::string("begin\ncomment a\rb\n") + one_atom + "end\n"),
                      Catch::Contains("bad.data:2: 'comment' text contains a carriage return (CR)"));
    const auto v = read_text(std::string("begin\r\ncomment a b\r\n") + one_atom + "end\r\n");
    REQUIRE(v.size() == 1);
    CHECK(v[0].comment == "a b");
}
