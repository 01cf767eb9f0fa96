// hdnnp: the 4G fit of n2p2's H2O_RPBE-D3_4G training set (20 structures of 48 atoms) in both stages, from
// random weights, on one thread by default; prints the charge RMSEs (stage 1), the energy and force RMSEs
// (stage 2), n2p2's published figures next to them, and the wall times.
//
//   train_4g_water [stage1_iterations=1500] [stage2_iterations=3000] [force_weight=0.003] [seed=1] [out_dir]
//
// Split: n2p2's rule with test_fraction and random_seed of the set's input.nn (training::n2p2_test_selection).
// Cross-check: the charge RMSEs of n2p2's own stage-1 result (weightse/hardness files of the set) on the same
// split. With out_dir the fitted model is written there (an n2p2 4G directory).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "hdnnp/io/input_data.hpp"
#include "hdnnp/training/trainer_4g.hpp"

using namespace hdnnp;

namespace {

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error("cannot open " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// Wall and process CPU seconds since a mark (CPU time: the run's own work, whatever else shares the machine).
struct Clock {
    std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
    std::clock_t cpu = std::clock();
    double wall_s() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count(); }
    double cpu_s() const { return static_cast<double>(std::clock() - cpu) / CLOCKS_PER_SEC; }
};

std::string keyword_value(const std::string& text, const std::string& key) {
    const auto l = training::detail_train4g::keyword_lines(text, key);
    if (l.size() != 1 || l[0].size() < 2) throw Error("input.nn: expected one `" + key + "` line with a value");
    return l[0][1];
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    try {
        const std::size_t it1 = argc > 1 ? std::stoul(argv[1]) : 1500, it2 = argc > 2 ? std::stoul(argv[2]) : 3000;
        const double beta = argc > 3 ? std::stod(argv[3]) : 0.003;
        const std::uint64_t seed = argc > 4 ? std::stoull(argv[4]) : 1;
        const std::string out_dir = argc > 5 ? argv[5] : "";
#ifdef _OPENMP
        if (!std::getenv("OMP_NUM_THREADS")) omp_set_num_threads(1);
        const int threads = omp_get_max_threads();
#else
        const int threads = 1;
#endif
        const std::string dir = std::string(HDNNP_REFERENCE_DIR) + "/train/H2O_RPBE-D3_4G";
        const std::string nn = read_text(dir + "/input.nn"), scaling = read_text(dir + "/scaling.data");
        auto structures = io::read_input_data(dir + "/input.data");

        training::Trainer4GOptions o;
        o.test_fraction = std::stod(keyword_value(nn, "test_fraction"));
        o.random_seed = static_cast<std::uint32_t>(std::stoul(keyword_value(nn, "random_seed")));
        o.use_set_labels = false;
        o.use_forces = true;
        o.force_weight = beta;
        std::printf("H2O_RPBE-D3_4G: %zu structures, %d thread(s), stage-1 iterations %zu, stage-2 iterations %zu, "
                    "force weight %g bohr^2, weight seed %llu\n",
                    structures.size(), threads, it1, it2, beta, static_cast<unsigned long long>(seed));

        // n2p2's stage-1 result on the same split (cross-check only).
        {
            training::Trainer4G ref(training::untrained_model_4g(nn, scaling, dir), structures, o);
            std::printf("n2p2 stage-1 weights on this split: charge RMSE train %.5e e, test %.5e e\n",
                        ref.charge_errors(ref.train_indices()).rmse, ref.charge_errors(ref.test_indices()).rmse);
        }

        Clock c0;
        Model m = training::untrained_model_4g(nn, scaling);
        training::initialize_weights_4g(m, seed);
        training::Trainer4G t(std::move(m), std::move(structures), o);
        const double t_setup = c0.wall_s(), c_setup = c0.cpu_s();
        std::printf("split: %zu train, %zu test (test:", t.train_indices().size(), t.test_indices().size());
        for (std::size_t k : t.test_indices()) std::printf(" %zu", k + 1);
        std::printf(")\nsetup (functions, dG/dR, Coulomb matrices): %.2f s (CPU %.2f s)\n", t_setup, c_setup);

        training::LbfgsOptions l1;
        l1.max_iterations = it1;
        Clock c1;
        const auto r1 = t.fit_charges(l1, [&](std::size_t it, double loss) {
            if (it % 500 == 0) std::printf("  stage 1 iteration %5zu: train charge RMSE %.5e e\n", it, std::sqrt(loss));
        });
        const double t1 = c1.wall_s(), cpu1 = c1.cpu_s();
        const auto q_train = t.charge_errors(t.train_indices()), q_test = t.charge_errors(t.test_indices());
        std::printf("stage 1: %zu iterations, %zu evaluations (%s), %.2f s (CPU %.2f s)\n", r1.iterations, r1.evaluations,
                    r1.stop.c_str(), t1, cpu1);
        std::printf("stage 1 charge RMSE  train %.5e e   test %.5e e   (n2p2: 3.60545e-4 / 4.60550e-4; 1.2x: %.3e)\n",
                    q_train.rmse, q_test.rmse, 1.2 * 4.60550e-4);
        for (std::size_t e = 0; e < t.model().elements.size(); ++e)
            std::printf("  hardness %s: %.6f Ha/e^2\n", t.model().elements[e].symbol.c_str(), t.model().elements[e].hardness);

        Clock cp;
        t.prepare_short();
        const double t_prep = cp.wall_s(), c_prep = cp.cpu_s();
        t.fit_output_bias();
        std::printf("stage 2 preparation (charges, E_elec, dQ/dR): %.2f s (CPU %.2f s)\n", t_prep, c_prep);
        training::LbfgsOptions l2;
        l2.max_iterations = it2;
        Clock c2;
        const auto r2 = t.fit_short(l2, [&](std::size_t it, double loss) {
            if (it % 500 == 0) {
                const auto e = t.short_errors(t.train_indices());
                std::printf("  stage 2 iteration %5zu: loss %.4e, train E RMSE %.4e Ha/atom, F RMSE %.4e Ha/bohr\n", it, loss,
                            e.energy_rmse, e.force_rmse);
            }
        });
        const double t2 = c2.wall_s(), cpu2 = c2.cpu_s();
        const auto e_train = t.short_errors(t.train_indices()), e_test = t.short_errors(t.test_indices());
        std::printf("stage 2: %zu iterations, %zu evaluations (%s), %.2f s (CPU %.2f s)\n", r2.iterations, r2.evaluations,
                    r2.stop.c_str(), t2, cpu2);
        std::printf("stage 2 energy RMSE  train %.5e   test %.5e Ha/atom  (n2p2 published 1.30e-5, README 2.15640e-5; 1.2x: %.3e)\n",
                    e_train.energy_rmse, e_test.energy_rmse, 1.2 * 1.30e-5);
        std::printf("stage 2 force RMSE   train %.5e   test %.5e Ha/bohr (n2p2 published 2.20e-4, README 2.07286e-4; 1.2x: %.3e)\n",
                    e_train.force_rmse, e_test.force_rmse, 1.2 * 2.20e-4);
        std::printf("wall time on %d thread(s): setup %.2f s, stage 1 %.2f s, stage 2 preparation %.2f s, stage 2 %.2f s, total %.2f s\n",
                    threads, t_setup, t1, t_prep, t2, t_setup + t1 + t_prep + t2);
        std::printf("CPU time (process):          setup %.2f s, stage 1 %.2f s, stage 2 preparation %.2f s, stage 2 %.2f s, total %.2f s\n",
                    c_setup, cpu1, c_prep, cpu2, c_setup + cpu1 + c_prep + cpu2);
        if (!out_dir.empty()) {
            training::write_n2p2_model_4g(out_dir, t.model(), nn);
            std::printf("model written to %s\n", out_dir.c_str());
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "train_4g_water: %s\n", e.what());
        return 1;
    }
}
