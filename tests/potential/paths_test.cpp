// The SIMD and scalar paths, and one and two threads, give the same numbers on every 2G reference.
#include <catch2/catch.hpp>

#include <cmath>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "hdnnp/hdnnp.hpp"
#include "support/reference.hpp"

using namespace hdnnp;

namespace {
void check_same(const Result& a, const Result& b) {
    CHECK(std::abs(a.energy - b.energy) <= 1e-12 * std::abs(a.energy));
    double max_df = 0.0, max_ds = 0.0;
    for (std::size_t i = 0; i < a.forces.size(); ++i)
        for (int k = 0; k < 3; ++k) max_df = std::max(max_df, std::abs(a.forces[i][k] - b.forces[i][k]));
    for (int x = 0; x < 3; ++x)
        for (int y = 0; y < 3; ++y) max_ds = std::max(max_ds, std::abs(a.stress[x][y] - b.stress[x][y]));
    INFO("max force difference " << max_df << ", stress " << max_ds);
    CHECK(max_df <= 1e-10);
    CHECK(max_ds <= 1e-12);
}
}  // namespace

TEST_CASE("SIMD, scalar, one-thread and two-thread evaluations agree on all 2G references", "[potential][paths]") {
    for (const std::string& ex : test::examples_2g()) {
        DYNAMIC_SECTION(ex) {
            const std::string dir = test::predict_dir(ex);
            const auto pot = Potential<>::load(dir);
            const Structure s = io::read_input_data(dir + "/input.data").at(0);
            ComputeOptions scalar;
            scalar.simd = false;
            ComputeOptions vec;
            vec.simd = true;
#ifdef _OPENMP
            const int saved = omp_get_max_threads();
            omp_set_num_threads(1);
#endif
            const Result s1 = pot.compute(s, scalar);
            const Result v1 = pot.compute(s, vec);
#ifdef _OPENMP
            omp_set_num_threads(2);
#endif
            const Result v2 = pot.compute(s, vec);
#ifdef _OPENMP
            omp_set_num_threads(saved);
#endif
            check_same(s1, v1);
            check_same(v1, v2);
        }
    }
}
