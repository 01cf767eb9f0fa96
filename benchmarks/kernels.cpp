// Micro-benchmarks per kernel family (Google Benchmark): symmetry-function values and gradients per
// family, networks, neighbour gathering and the neighbour list, on the reference models' own structures.
// Time per atom is the "us/atom" counter (Google Benchmark prints it with an "s" suffix: read the number as
// microseconds per atom). Run: bench_kernels [--benchmark_format=json].
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <variant>
#include <string>

#include "hdnnp/hdnnp.hpp"

#ifndef HDNNP_REFERENCE_DIR
#define HDNNP_REFERENCE_DIR "../shared/reference/n2p2"
#endif

namespace {

struct Fixture {
    hdnnp::Model model;
    hdnnp::Structure s;
    std::vector<int> element;
    std::vector<double> z;
    hdnnp::NeighborList nl;
    explicit Fixture(const std::string& name) {
        const std::string dir = std::string(HDNNP_REFERENCE_DIR) + "/predict/" + name;
        model = hdnnp::io::load_n2p2_model(dir);
        s = hdnnp::io::read_input_data(dir + "/input.data").at(0);
        for (const auto& sym : s.symbols) element.push_back(model.element_index(sym));
        for (const auto& e : model.elements) z.push_back(e.atomic_number);
        nl = hdnnp::build_neighbor_list(s, model.cutoff_radius());
    }
};

const Fixture& fixture(const std::string& name) {
    static std::map<std::string, std::unique_ptr<Fixture>> cache;
    auto& f = cache[name];
    if (!f) f = std::make_unique<Fixture>(name);
    return *f;
}

template <class Fam, class V> void descriptors(benchmark::State& st, const std::string& name, bool gradient) {
    const Fixture& f = fixture(name);
    hdnnp::Neighborhood nb;
    hdnnp::NeighborGradient g;
    hdnnp::DescriptorScratch sc;
    sc.cache_pairs = gradient;
    std::vector<double> G, w;
    for (auto _ : st) {
        for (std::size_t i = 0; i < f.s.size(); ++i) {
            const auto& em = f.model.elements[static_cast<std::size_t>(f.element[i])];
            nb.gather(f.nl, i, f.element, f.z, f.model.cutoff_radius());
            G.resize(em.descriptors.size());
            std::visit([&](auto c) {
                using C = decltype(c);
                em.descriptors.template values<C, Fam, V>(nb, G.data(), sc);
                if (gradient) {
                    w.assign(G.size(), 1e-3);
                    g.reset(nb.size());
                    em.descriptors.template gradient<C, Fam, V>(nb, w.data(), g, sc);
                }
            }, f.model.cutoff);
            benchmark::DoNotOptimize(G.data());
        }
    }
    st.counters["us/atom"] = benchmark::Counter(static_cast<double>(f.s.size()) * 1e-6,
                                                benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void networks(benchmark::State& st, const std::string& name) {
    const Fixture& f = fixture(name);
    hdnnp::NetworkWorkspace ws;
    std::vector<double> x(400, 0.1), dx(400);
    for (auto _ : st) {
        for (std::size_t i = 0; i < f.s.size(); ++i) {
            const auto& net = f.model.elements[static_cast<std::size_t>(f.element[i])].network;
            benchmark::DoNotOptimize(net.forward(x.data(), ws));
            net.backward(ws, dx.data());
        }
    }
    st.counters["us/atom"] = benchmark::Counter(static_cast<double>(f.s.size()) * 1e-6,
                                                benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void neighbour_list(benchmark::State& st, const std::string& name) {
    const Fixture& f = fixture(name);
    hdnnp::NeighborList nl;
    for (auto _ : st) nl = hdnnp::build_neighbor_list(f.s, f.model.cutoff_radius());
    st.counters["us/atom"] = benchmark::Counter(static_cast<double>(f.s.size()) * 1e-6,
                                                benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

using hdnnp::simd::Batch;
using RadialOnly = hdnnp::Families<hdnnp::Radial>;
using NarrowOnly = hdnnp::Families<hdnnp::AngularNarrow>;
using WideOnly = hdnnp::Families<hdnnp::AngularWide>;
using CompactRadialOnly = hdnnp::Families<hdnnp::CompactRadial>;
using CompactWideOnly = hdnnp::Families<hdnnp::CompactAngularWide>;

void bm_water_radial_values_simd(benchmark::State& st) { descriptors<RadialOnly, Batch>(st, "H2O_RPBE-D3", false); }
void bm_water_radial_values_gradient_simd(benchmark::State& st) { descriptors<RadialOnly, Batch>(st, "H2O_RPBE-D3", true); }
void bm_water_radial_values_gradient_scalar(benchmark::State& st) { descriptors<RadialOnly, double>(st, "H2O_RPBE-D3", true); }
void bm_water_narrow_values_simd(benchmark::State& st) { descriptors<NarrowOnly, Batch>(st, "H2O_RPBE-D3", false); }
void bm_water_narrow_values_gradient_simd(benchmark::State& st) { descriptors<NarrowOnly, Batch>(st, "H2O_RPBE-D3", true); }
void bm_water_narrow_values_gradient_scalar(benchmark::State& st) { descriptors<NarrowOnly, double>(st, "H2O_RPBE-D3", true); }
void bm_cu2s_wide_values_gradient_simd(benchmark::State& st) { descriptors<WideOnly, Batch>(st, "Cu2S_PBE", true); }
void bm_cu2s_wide_values_gradient_scalar(benchmark::State& st) { descriptors<WideOnly, double>(st, "Cu2S_PBE", true); }
void bm_anisole_compact_radial_values_gradient_scalar(benchmark::State& st) { descriptors<CompactRadialOnly, double>(st, "Anisole_SCAN", true); }
void bm_anisole_compact_radial_values_gradient_simd(benchmark::State& st) { descriptors<CompactRadialOnly, Batch>(st, "Anisole_SCAN", true); }
void bm_anisole_compact_wide_values_simd(benchmark::State& st) { descriptors<CompactWideOnly, Batch>(st, "Anisole_SCAN", false); }
void bm_anisole_compact_wide_values_gradient_scalar(benchmark::State& st) { descriptors<CompactWideOnly, double>(st, "Anisole_SCAN", true); }
void bm_anisole_compact_wide_values_gradient_simd(benchmark::State& st) { descriptors<CompactWideOnly, Batch>(st, "Anisole_SCAN", true); }

BENCHMARK_CAPTURE(neighbour_list, water, std::string("H2O_RPBE-D3"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(networks, water, std::string("H2O_RPBE-D3"))->Unit(benchmark::kMillisecond);
BENCHMARK(bm_water_radial_values_simd)->Unit(benchmark::kMillisecond);
BENCHMARK(bm_water_radial_values_gradient_simd)->Unit(benchmark::kMillisecond);
BENCHMARK(bm_water_radial_values_gradient_scalar)->Unit(benchmark::kMillisecond);
BENCHMARK(bm_water_narrow_values_simd)->Unit(benchmark::kMillisecond);
BENCHMARK(bm_water_narrow_values_gradient_simd)->Unit(benchmark::kMillisecond);
BENCHMARK(bm_water_narrow_values_gradient_scalar)->Unit(benchmark::kMillisecond);
BENCHMARK(bm_cu2s_wide_values_gradient_simd)->Unit(benchmark::kMillisecond);
BENCHMARK(bm_cu2s_wide_values_gradient_scalar)->Unit(benchmark::kMillisecond);
BENCHMARK(bm_anisole_compact_radial_values_gradient_scalar)->Unit(benchmark::kMillisecond);
BENCHMARK(bm_anisole_compact_radial_values_gradient_simd)->Unit(benchmark::kMillisecond);
BENCHMARK(bm_anisole_compact_wide_values_simd)->Unit(benchmark::kMillisecond);
BENCHMARK(bm_anisole_compact_wide_values_gradient_scalar)->Unit(benchmark::kMillisecond);
BENCHMARK(bm_anisole_compact_wide_values_gradient_simd)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
