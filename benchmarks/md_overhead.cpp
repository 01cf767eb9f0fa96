// MD step overhead: one velocity Verlet step of hdnnp::md::Dynamics (with the closest-approach check that
// `hdnnp md` uses by default) against one bare energy+force evaluation of the same potential on the same
// structure, interleaved in one run; prints both and their ratio (median over rounds).
//
//   bench_md_overhead [--rounds N] [--per-round K] [MODEL_DIR STRUCTURE LENGTH_UNIT ENERGY_UNIT]
//
// Default: the n2p2 water potential H2O_RPBE-D3 on its 1080-atom structure (bohr, hartree).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "hdnnp/hdnnp.hpp"
#include "hdnnp/md/dynamics.hpp"

#ifndef HDNNP_REFERENCE_DIR
#define HDNNP_REFERENCE_DIR "../shared/reference/n2p2"
#endif

namespace {
using Clock = std::chrono::steady_clock;
double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}
}  // namespace

int main(int argc, char** argv) {
    int rounds = 15, per_round = 4;
    std::vector<std::string> pos;
    for (int k = 1; k < argc; ++k) {
        const std::string a = argv[k];
        if (a == "--rounds" && k + 1 < argc) rounds = std::atoi(argv[++k]);
        else if (a == "--per-round" && k + 1 < argc) per_round = std::atoi(argv[++k]);
        else pos.push_back(a);
    }
    const std::string dir = pos.size() > 0 ? pos[0] : std::string(HDNNP_REFERENCE_DIR) + "/predict/H2O_RPBE-D3";
    const std::string structure = pos.size() > 1 ? pos[1] : dir + "/input.data";
    const hdnnp::md::Units units = hdnnp::md::Units::from_names(pos.size() > 2 ? pos[2] : "bohr", pos.size() > 3 ? pos[3] : "hartree");
    const auto pot = hdnnp::Potential<>::load(dir);
    const hdnnp::Structure s = hdnnp::io::read_input_data(structure).at(0);
    hdnnp::md::Settings set;
    set.timestep = 0.5;
    set.min_distance = 0.5;  // as hdnnp md's default --min-distance
    hdnnp::md::Dynamics<hdnnp::Potential<>> dyn(pot, s, units, set);
    dyn.draw_velocities(300.0);
    hdnnp::Structure moving = s;  // the bare call sees the same (moving) positions as the MD run
    std::vector<double> bare, step;
    double sink = 0.0;
    for (int r = 0; r < rounds + 1; ++r) {  // round 0 warms up
        auto t0 = Clock::now();
        for (int k = 0; k < per_round; ++k) sink += pot.compute(moving).energy;
        auto t1 = Clock::now();
        for (int k = 0; k < per_round; ++k) dyn.step();
        auto t2 = Clock::now();
        moving.positions = dyn.structure().positions;
        if (r == 0) continue;
        bare.push_back(std::chrono::duration<double>(t1 - t0).count() / per_round);
        step.push_back(std::chrono::duration<double>(t2 - t1).count() / per_round);
    }
    const double b = median(bare), m = median(step);
    std::printf("system %s (%zu atoms), %d rounds of %d calls each, medians:\n", dir.c_str(), s.size(), rounds, per_round);
    std::printf("  energy+forces (compute)      %10.3f ms\n", 1e3 * b);
    std::printf("  md step (Dynamics::step)     %10.3f ms\n", 1e3 * m);
    std::printf("  ratio step / compute         %10.4f  (overhead %+.2f %%)\n", m / b, 100.0 * (m / b - 1.0));
    std::printf("  (checksum %.6f)\n", sink);
    return 0;
}
