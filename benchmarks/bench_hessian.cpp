// Hessian benchmark: the full exact Hessian of n2p2's water model H2O_RPBE-D3 (1080 atoms, its input.data)
// against what central finite differences of the forces would cost (6N force evaluations: +-h for each of
// the 3N coordinates), side by side on the same thread count; the same for the 4G water model (384 atoms). The force evaluation is timed (best of a few)
// and multiplied by 6N; the Hessian is timed once (best of `--reps`).
//
//   bench_hessian [--reps N] [--threads T]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include <omp.h>

#include "hdnnp/hdnnp.hpp"
#include "hdnnp/potential/hessian.hpp"

#ifndef HDNNP_REFERENCE_DIR
#define HDNNP_REFERENCE_DIR "../shared/reference/n2p2"
#endif

int main(int argc, char** argv) {
    int reps = 1, threads = 1;
    for (int k = 1; k + 1 < argc; ++k) {
        const std::string a = argv[k];
        if (a == "--reps") reps = std::stoi(argv[++k]);
        else if (a == "--threads") threads = std::stoi(argv[++k]);
    }
    omp_set_num_threads(threads);
    using Clock = std::chrono::steady_clock;
    const std::string dir = std::string(HDNNP_REFERENCE_DIR) + "/predict/H2O_RPBE-D3";
    const auto pot = hdnnp::Potential<>::load(dir);
    const hdnnp::Structure s = hdnnp::io::read_input_data(dir + "/input.data").at(0);
    const std::size_t n = s.size();

    double t_force = 1e300;
    for (int r = 0; r < 5; ++r) {
        const auto t0 = Clock::now();
        const hdnnp::Result res = pot.compute(s);
        t_force = std::min(t_force, std::chrono::duration<double>(Clock::now() - t0).count());
        if (res.forces.size() != n) return 1;
    }
    double t_hess = 1e300;
    std::size_t blocks = 0;
    for (int r = 0; r < reps; ++r) {
        const auto t0 = Clock::now();
        const hdnnp::Hessian h = hdnnp::hessian(pot, s);
        t_hess = std::min(t_hess, std::chrono::duration<double>(Clock::now() - t0).count());
        blocks = h.blocks.size();
    }
    const double t_fd = 6.0 * static_cast<double>(n) * t_force;
    std::printf("H2O_RPBE-D3, %zu atoms, %d thread(s)\n", n, threads);
    std::printf("  one force evaluation                 %10.4f s\n", t_force);
    std::printf("  finite differences (6N = %zu evals) %10.1f s   (estimated: 6N x one evaluation)\n",
                6 * n, t_fd);
    std::printf("  exact Hessian (%zu blocks)        %10.1f s\n", blocks, t_hess);
    std::printf("  ratio finite differences / exact     %10.1f\n", t_fd / t_hess);

    // 4G water (384 atoms, Ewald, dense Qeq): the dense exact Hessian vs 6N force evaluations (dense solver).
    const std::string dir4 = std::string(HDNNP_REFERENCE_DIR) + "/predict/H2O_RPBE-D3_4G";
    const auto pot4 = hdnnp::Potential<>::load(dir4);
    const hdnnp::Structure s4 = hdnnp::io::read_input_data(dir4 + "/input.data").at(0);
    hdnnp::ComputeOptions opt4;
    opt4.solver = hdnnp::QeqSolverKind::dense;
    double t4_force = 1e300;
    for (int r = 0; r < 3; ++r) {
        const auto t0 = Clock::now();
        const hdnnp::Result res = pot4.compute(s4, opt4);
        t4_force = std::min(t4_force, std::chrono::duration<double>(Clock::now() - t0).count());
        if (res.forces.size() != s4.size()) return 1;
    }
    const auto t0 = Clock::now();
    const hdnnp::Hessian h4 = hdnnp::hessian(pot4, s4);
    const double t4_hess = std::chrono::duration<double>(Clock::now() - t0).count();
    const double t4_fd = 6.0 * static_cast<double>(s4.size()) * t4_force;
    std::printf("H2O_RPBE-D3_4G, %zu atoms, %d thread(s)\n", s4.size(), threads);
    std::printf("  one force evaluation (dense Qeq)     %10.4f s\n", t4_force);
    std::printf("  finite differences (6N = %zu evals)  %10.1f s   (estimated)\n", 6 * s4.size(), t4_fd);
    std::printf("  exact Hessian (%zu blocks)          %10.1f s\n", h4.blocks.size(), t4_hess);
    std::printf("  ratio finite differences / exact     %10.1f\n", t4_fd / t4_hess);
    return 0;
}
