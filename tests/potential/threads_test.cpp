// Threads: the same input and thread count give bit-identical results on every run (static schedules,
// per-thread sums added in thread order), and results agree across thread counts to 1e-12 relative.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <vector>

#include "hdnnp/hdnnp.hpp"
#include "support/reference.hpp"
#include "support/serial_openmp.hpp"

using namespace hdnnp;

namespace {
// Bitwise equality of two arrays (memcmp is undefined for a null pointer, which an empty vector may give).
template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

bool identical(const Result& a, const Result& b) {
    return std::memcmp(&a.energy, &b.energy, sizeof(double)) == 0 && same_bits(a.forces, b.forces) &&
           std::memcmp(&a.virial, &b.virial, sizeof(Mat3)) == 0 && same_bits(a.charges, b.charges);
}
}  // namespace

TEST_CASE("20 repeated two-thread evaluations of water 1080 give bit-identical forces", "[potential][threads]") {
    const std::string dir = test::predict_dir("H2O_RPBE-D3");
    const auto pot = Potential<>::load(dir);
    const Structure s = io::read_input_data(dir + "/input.data").at(0);
    test::OpenMPThreads two(2);
    const Result first = pot.compute(s);
    int same = 0;
    for (int k = 1; k < 20; ++k) same += identical(first, pot.compute(s)) ? 1 : 0;
    CHECK(same == 19);
}

TEST_CASE("Repeated two-thread 4G evaluations (dense and CG) are bit-identical", "[potential][threads][4g]") {
    const std::string dir = test::predict_dir("H2O_RPBE-D3_4G");
    const auto pot = Potential<>::load(dir);
    const Structure s = io::read_input_data(dir + "/input.data").at(0);
    test::OpenMPThreads two(2);
    for (QeqSolverKind solver : {QeqSolverKind::dense, QeqSolverKind::cg}) {
        ComputeOptions opt;
        opt.solver = solver;
        opt.cg_tolerance = 1e-10;
        opt.per_atom = true;
        const Result first = pot.compute(s, opt);
        int same = 0;
        for (int k = 1; k < 5; ++k) same += identical(first, pot.compute(s, opt)) ? 1 : 0;
        CHECK(same == 4);
    }
}

TEST_CASE("One and two threads agree to 1e-12 relative (2G water, 4G water)", "[potential][threads]") {
    for (const char* ex : {"H2O_RPBE-D3", "H2O_RPBE-D3_4G"}) {
        const std::string dir = test::predict_dir(ex);
        const auto pot = Potential<>::load(dir);
        const Structure s = io::read_input_data(dir + "/input.data").at(0);
        Result r1, r2;
        {
            test::OpenMPThreads one(1);
            r1 = pot.compute(s);
        }
        {
            test::OpenMPThreads two(2);
            r2 = pot.compute(s);
        }
        INFO(ex);
        CHECK(std::abs(r1.energy - r2.energy) <= 1e-12 * std::abs(r1.energy));
        double fmax = 0.0, df = 0.0;
        for (std::size_t i = 0; i < s.size(); ++i)
            for (int k = 0; k < 3; ++k) {
                fmax = std::max(fmax, std::abs(r1.forces[i][k]));
                df = std::max(df, std::abs(r1.forces[i][k] - r2.forces[i][k]));
            }
        CHECK(df <= 1e-12 * fmax);
    }
}
