// Times one model on one structure, the way a program that calls the library directly would:
//
//   bench_structure MODEL_DIR STRUCTURE [--reps N] [--threads N]
//
// STRUCTURE is the first structure of an n2p2 input.data (or extended XYZ) file. Prints, in milliseconds per
// evaluation (best and median of N repetitions after one warm-up, default 20):
//   compute(structure)             neighbour list + energy + forces (what `hdnnp predict` does per structure)
//   compute(structure, el, list)   energy + forces with a prebuilt neighbour list
// benchmarks/lammps_overhead.sh sets these beside LAMMPS's time per MD step with pair_style hdnnp.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <omp.h>

#include "hdnnp/hdnnp.hpp"

namespace {

using Clock = std::chrono::steady_clock;

template <class F> std::vector<double> time_reps(int reps, F&& f) {
    f();  // warm-up
    std::vector<double> t;
    for (int r = 0; r < reps; ++r) {
        const auto t0 = Clock::now();
        f();
        t.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    std::sort(t.begin(), t.end());
    return t;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> pos;
    int reps = 20, threads = 0;
    for (int k = 1; k < argc; ++k) {
        const std::string a = argv[k];
        if (a == "--reps" && k + 1 < argc) reps = std::atoi(argv[++k]);
        else if (a == "--threads" && k + 1 < argc) threads = std::atoi(argv[++k]);
        else if (!a.empty() && a[0] != '-') pos.push_back(a);
        else {
            std::fprintf(stderr, "usage: bench_structure MODEL_DIR STRUCTURE [--reps N] [--threads N]\n");
            return 2;
        }
    }
    if (pos.size() != 2 || reps < 1) {
        std::fprintf(stderr, "usage: bench_structure MODEL_DIR STRUCTURE [--reps N] [--threads N]\n");
        return 2;
    }
    if (threads > 0) omp_set_num_threads(threads);
    try {
        const auto pot = hdnnp::Potential<>::load(pos[0]);
        const bool xyz = pos[1].size() > 4 && (pos[1].substr(pos[1].size() - 4) == ".xyz" || pos[1].find(".extxyz") != std::string::npos);
        const hdnnp::Structure s = xyz ? hdnnp::io::read_extxyz(pos[1]).at(0) : hdnnp::io::read_input_data(pos[1]).at(0);
        const std::vector<int> el = pot.element_indices(s);
        const hdnnp::NeighborList nl = hdnnp::build_neighbor_list(s, pot.cutoff());
        const hdnnp::ComputeOptions opt;
        const auto full = time_reps(reps, [&] { (void)pot.compute(s, opt); });
        const auto ef = time_reps(reps, [&] { (void)pot.compute(s, el, nl, opt); });
        std::printf("bench_structure: %zu atoms, %d thread(s), %d repetitions\n", s.size(), omp_get_max_threads(), reps);
        std::printf("%-34s best %9.3f ms  median %9.3f ms\n", "compute(structure)", full.front(), full[full.size() / 2]);
        std::printf("%-34s best %9.3f ms  median %9.3f ms\n", "compute(structure, el, list)", ef.front(), ef[ef.size() / 2]);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_structure: %s\n", e.what());
        return 1;
    }
    return 0;
}
