// End-to-end benchmark: microseconds per atom for energy + forces (neighbour list timed separately),
// comparing configurations side by side in one run (interleaved repetitions, best and median).
//
//   bench_end_to_end [--json FILE] [--reps N] [--quick] [--cpu-time] [--system NAME]
//
// --cpu-time times each repetition by the process's CPU time instead of the wall clock: on a shared, loaded
// machine the one-thread figures then leave out the time the process waited for a core (the two-thread figures
// become the sum over both threads, so compare them only with each other).
// Configurations per system: runtime-loaded vs compile-time (water only), SIMD vs scalar, 1 vs 2 threads;
// for water also a committee of two models (H2O_RPBE-D3 + H2O_BLYP, same symmetry functions), whose cost
// over one model is printed as a ratio.
// For the modelled families (benchmarks/flop_model.hpp) it also prints the achieved FLOP rate as a fraction
// of the measured FMA peak of one core (times the thread count).
// Systems: H2O_RPBE-D3 (1080 atoms and its 2x2x2 supercell, 8640), Cu2S_PBE, Anisole_SCAN, DMABN_SCAN;
// --system keeps those whose name contains NAME (e.g. --system SCAN).
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <omp.h>

#include "hdnnp/hdnnp.hpp"

#include "flop_model.hpp"

#ifndef HDNNP_REFERENCE_DIR
#define HDNNP_REFERENCE_DIR "../shared/reference/n2p2"
#endif

namespace {

using Clock = std::chrono::steady_clock;
using Hidden = hdnnp::Dense<25, hdnnp::Tanh>;
using Out = hdnnp::Dense<1, hdnnp::Linear>;
using Water = hdnnp::Potential<hdnnp::CutoffTanhU,
                               hdnnp::CompiledNetworks<hdnnp::StaticNetwork<27, Hidden, Hidden, Out>,
                                                       hdnnp::StaticNetwork<30, Hidden, Hidden, Out>>,
                               hdnnp::ACSF, hdnnp::Gen2>;

struct Case {
    std::string system, variant;
    int threads;
    std::size_t atoms;
    std::function<void()> run;
    std::vector<double> times;
    double flops = 0.0;  ///< FLOP model of one evaluation (0: not modelled)
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    std::string json;
    int reps = 7;
    bool quick = false;
    bool cpu_time = false;
    std::string only;
    for (int k = 1; k < argc; ++k) {
        const std::string a = argv[k];
        if (a == "--json" && k + 1 < argc) json = argv[++k];
        else if (a == "--reps" && k + 1 < argc) reps = std::atoi(argv[++k]);
        else if (a == "--quick") quick = true;
        else if (a == "--cpu-time") cpu_time = true;
        else if (a == "--system" && k + 1 < argc) only = argv[++k];
        else {
            std::fprintf(stderr, "usage: bench_end_to_end [--json FILE] [--reps N] [--quick] [--cpu-time] [--system NAME]\n");
            return 2;
        }
    }
    const std::string ref = HDNNP_REFERENCE_DIR;
    std::vector<Case> cases;
    // Keep everything alive for the lambdas.
    std::vector<std::unique_ptr<hdnnp::Potential<>>> pots;
    std::vector<std::unique_ptr<Water>> waters;
    std::vector<std::unique_ptr<hdnnp::Committee<>>> committees;
    std::vector<std::unique_ptr<hdnnp::Structure>> structs;
    std::vector<std::unique_ptr<std::vector<int>>> elems;
    std::vector<std::unique_ptr<hdnnp::NeighborList>> lists;

    struct Sys { std::string name, dir; int mult; };
    std::vector<Sys> systems = {{"H2O_RPBE-D3 1080", "H2O_RPBE-D3", 1}, {"H2O_RPBE-D3 8640", "H2O_RPBE-D3", 2},
                                {"Cu2S_PBE 144", "Cu2S_PBE", 1}, {"Anisole_SCAN 256", "Anisole_SCAN", 1},
                                {"DMABN_SCAN 21", "DMABN_SCAN", 1}};
    if (quick) systems.resize(1);
    if (!only.empty()) {
        systems.erase(std::remove_if(systems.begin(), systems.end(),
                                     [&](const Sys& y) { return y.name.find(only) == std::string::npos; }),
                      systems.end());
        if (systems.empty()) { std::fprintf(stderr, "bench_end_to_end: no system matches '%s'\n", only.c_str()); return 2; }
    }
    for (const auto& sys : systems) {
        const std::string dir = ref + "/predict/" + sys.dir;
        pots.push_back(std::make_unique<hdnnp::Potential<>>(hdnnp::Potential<>::load(dir)));
        auto* pot = pots.back().get();
        hdnnp::Structure s0 = hdnnp::io::read_input_data(dir + "/input.data").at(0);
        structs.push_back(std::make_unique<hdnnp::Structure>(sys.mult > 1 ? hdnnp::supercell(s0, sys.mult, sys.mult, sys.mult) : s0));
        const hdnnp::Structure* s = structs.back().get();
        elems.push_back(std::make_unique<std::vector<int>>(pot->element_indices(*s)));
        const std::vector<int>* el = elems.back().get();
        lists.push_back(std::make_unique<hdnnp::NeighborList>(hdnnp::build_neighbor_list(*s, pot->cutoff())));
        const hdnnp::NeighborList* nl = lists.back().get();
        const bench::FlopModel fm = bench::count_flops(pot->model(), *s, *nl);
        const double flops = fm.covered ? fm.total() : 0.0;
        if (fm.covered)
            std::printf("FLOP model %-18s %.3f MFLOP/atom per E+F (radial %.3f, angular pairs %.3f, triplets %.3f, networks %.3f)\n",
                        sys.name.c_str(), fm.total() / double(s->size()) * 1e-6, fm.radial / double(s->size()) * 1e-6,
                        fm.angular_pairs / double(s->size()) * 1e-6, fm.angular_triplets / double(s->size()) * 1e-6,
                        fm.networks / double(s->size()) * 1e-6);
        const bool water = sys.dir == "H2O_RPBE-D3";
        if (water) waters.push_back(std::make_unique<Water>(Water::load(dir)));
        Water* wp = water ? waters.back().get() : nullptr;
        if (water) committees.push_back(std::make_unique<hdnnp::Committee<>>(hdnnp::Committee<>::load({dir, ref + "/potentials/H2O_BLYP"})));
        hdnnp::Committee<>* cp = water ? committees.back().get() : nullptr;
        for (int threads : {1, 2}) {
            hdnnp::ComputeOptions simd, scalar;
            scalar.simd = false;
            cases.push_back({sys.name, "neighbour list", threads, s->size(), [=] {
                                 hdnnp::NeighborList l = hdnnp::build_neighbor_list(*s, pot->cutoff());
                                 (void)l;
                             }, {}});
            cases.push_back({sys.name, "runtime simd", threads, s->size(), [=] { pot->compute(*s, *el, *nl, simd); }, {}, flops});
            if (threads == 1 || sys.mult == 1)
                cases.push_back({sys.name, "runtime scalar", threads, s->size(), [=] { pot->compute(*s, *el, *nl, scalar); }, {}, flops});
            if (wp) cases.push_back({sys.name, "compiled simd", threads, s->size(), [=] { wp->compute(*s, *el, *nl, simd); }, {}, flops});
            if (cp && sys.mult == 1)
                cases.push_back({sys.name, "committee of 2", threads, s->size(), [=] { cp->compute(hdnnp::Potential<>::frame(*s, *el), *nl, simd); }, {}});
        }
    }
    // Warm up once, then interleave repetitions so that machine noise hits all cases alike.
    for (auto& c : cases) { omp_set_num_threads(c.threads); c.run(); }
    for (int r = 0; r < reps; ++r)
        for (auto& c : cases) {
            omp_set_num_threads(c.threads);
            if (cpu_time) {
                timespec a{}, b{};
                clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
                c.run();
                clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
                c.times.push_back(double(b.tv_sec - a.tv_sec) + 1e-9 * double(b.tv_nsec - a.tv_nsec));
                continue;
            }
            const auto t0 = Clock::now();
            c.run();
            c.times.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
        }
    const double peak = bench::measure_peak_flops();  // one core
    std::printf("measured FMA peak of one core: %.1f GFLOP/s\n", peak * 1e-9);
    std::printf("%-18s %-16s %7s %8s %12s %12s %9s %7s\n", "system", "variant", "threads", "atoms", "best us/atom", "median",
                "GFLOP/s", "%peak");
    auto rate = [&](const Case& c) { return c.flops / *std::min_element(c.times.begin(), c.times.end()); };
    for (const auto& c : cases) {
        const double best = *std::min_element(c.times.begin(), c.times.end()) / double(c.atoms) * 1e6;
        std::printf("%-18s %-16s %7d %8zu %12.2f %12.2f", c.system.c_str(), c.variant.c_str(), c.threads, c.atoms, best,
                    median(c.times) / double(c.atoms) * 1e6);
        if (c.flops > 0 && c.variant != "neighbour list")
            std::printf(" %9.2f %6.1f%%\n", rate(c) * 1e-9, 100.0 * rate(c) / (peak * c.threads));
        else
            std::printf("\n");
    }
    // Committee cost over one runtime model, same system and thread count.
    for (const auto& c : cases) {
        if (c.variant != "committee of 2") continue;
        for (const auto& o : cases)
            if (o.system == c.system && o.threads == c.threads && o.variant == "runtime simd")
                std::printf("committee of 2 / one model (%s, %d thread%s): %.3f\n", c.system.c_str(), c.threads, c.threads > 1 ? "s" : "",
                            *std::min_element(c.times.begin(), c.times.end()) / *std::min_element(o.times.begin(), o.times.end()));
    }
    if (!json.empty()) {
        std::ofstream o(json);
        o << "{\n  \"unit\": \"us/atom\",\n  \"quantity\": \"energy+forces (neighbour list timed separately)\",\n"
          << "  \"peak_gflops_one_core\": " << peak * 1e-9 << ",\n  \"results\": [\n";
        for (std::size_t k = 0; k < cases.size(); ++k) {
            const auto& c = cases[k];
            const double best = *std::min_element(c.times.begin(), c.times.end()) / double(c.atoms) * 1e6;
            o << "    {\"system\": \"" << c.system << "\", \"variant\": \"" << c.variant << "\", \"threads\": " << c.threads
              << ", \"atoms\": " << c.atoms << ", \"best\": " << best << ", \"median\": " << median(c.times) / double(c.atoms) * 1e6;
            if (c.flops > 0 && c.variant != "neighbour list")
                o << ", \"model_mflop_per_atom\": " << c.flops / double(c.atoms) * 1e-6 << ", \"gflops\": " << rate(c) * 1e-9
                  << ", \"peak_fraction\": " << rate(c) / (peak * c.threads);
            o << "}" << (k + 1 < cases.size() ? "," : "") << "\n";
        }
        o << "  ]\n}\n";
    }
    return 0;
}
