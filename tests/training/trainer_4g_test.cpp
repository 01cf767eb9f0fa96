// 4G fitting (training/trainer_4g.hpp): stage-1 and stage-2 loss gradients against finite differences, the
// trainer's predictions against Potential4G, the written model's round trip, thread-count independence and
// n2p2's training/test split. Data: the n2p2 H2O_RPBE-D3_4G training set (a few of its structures).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "hdnnp/io/input_data.hpp"
#include "hdnnp/potential/potential.hpp"
#include "hdnnp/training/trainer_4g.hpp"
#include "support/finite_difference.hpp"
#include "support/reference.hpp"

using namespace hdnnp;

namespace {

std::string train_dir() { return test::reference_dir() + "/train/H2O_RPBE-D3_4G"; }

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    REQUIRE(in.good());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// The first `count` structures of the training set, with set labels (so the split is fixed), and a fresh
/// 4G model with random weights.
/// With `cluster`, the structures lose their cell and carry a total charge of +1 e (the cluster QEq path).
training::Trainer4G make_trainer(std::size_t count, bool use_forces = true, std::uint64_t seed = 7, bool cluster = false) {
    std::vector<Structure> all = io::read_input_data(train_dir() + "/input.data");
    REQUIRE(all.size() >= count);
    all.resize(count);
    for (std::size_t k = 0; k < count; ++k) {
        all[k].set = k + 1 == count && count > 2 ? "test" : "train";
        if (cluster) {
            all[k].periodic = false;
            all[k].lattice = Mat3{};
            all[k].total_charge = 1.0;
        }
    }
    Model m = training::untrained_model_4g(read_text(train_dir() + "/input.nn"), read_text(train_dir() + "/scaling.data"));
    training::initialize_weights_4g(m, seed);
    training::Trainer4GOptions o;
    o.use_forces = use_forces;
    o.force_weight = 3.0;
    return training::Trainer4G(std::move(m), std::move(all), o);
}

/// Parameter indices that cover every class of a network block starting at `first`: a first-layer weight of
/// the first and of the last input, a first-layer bias, a hidden weight and bias, an output weight and bias.
std::vector<std::size_t> probe_indices(const Network& net, std::size_t first) {
    std::vector<std::size_t> idx;
    std::size_t p = first;
    const auto& layers = net.layers();
    for (std::size_t l = 0; l < layers.size(); ++l) {
        const DenseLayer& L = layers[l];
        idx.push_back(p + 1);                                   // weight from input 0
        if (l == 0) idx.push_back(p + (L.n_in - 1) * L.n_out);  // weight from the last input (4G short: the charge)
        idx.push_back(p + L.weights.size());                    // first bias
        p += L.weights.size() + L.biases.size();
    }
    return idx;
}


/// Compares analytic and finite-difference derivatives of loss(p) at the given indices; returns the largest
/// relative deviation (relative to max(|analytic|, floor)).
template <class Loss>
double fd_deviation(Loss&& loss, std::vector<double> p, const std::vector<double>& grad, const std::vector<std::size_t>& idx, double h,
                    double floor) {
    double worst = 0.0;
    for (std::size_t k : idx) {
        const double p0 = p[k];
        const double fd = test::central_difference4(
            [&](double d) {
                p[k] = p0 + d;
                return loss(p);
            },
            h);
        p[k] = p0;
        const double dev = std::abs(fd - grad[k]) / std::max(std::abs(grad[k]), floor);
        if (dev > worst) worst = dev;
        if (dev > 1e-5) std::printf("  parameter %zu: analytic %.10e  fd %.10e\n", k, grad[k], fd);
    }
    return worst;
}

/// probe_indices of every element's electronegativity network (chi) or short network, in the layout of
/// charge_parameters() / short_parameters(); for chi also every element's sqrt(J).
std::vector<std::size_t> all_probe_indices(const training::Trainer4G& t, bool chi) {
    std::vector<std::size_t> idx;
    std::size_t first = 0;
    for (const ElementModel& em : t.model().elements) {
        const Network& net = chi ? em.electronegativity : em.network;
        const auto e = probe_indices(net, first);
        idx.insert(idx.end(), e.begin(), e.end());
        first += training::network_passes::parameter_count(net);
    }
    if (chi) {
        for (std::size_t e = 0; e < t.model().elements.size(); ++e) idx.push_back(first + e);  // sqrt(J) of each element
        REQUIRE(first + t.model().elements.size() == t.n_charge_parameters());
    } else {
        REQUIRE(first == t.n_short_parameters());
    }
    return idx;
}

double max_abs(const std::vector<double>& v) {
    double m = 0.0;
    for (double x : v) m = std::max(m, std::abs(x));
    return m;
}

/// Worst relative deviation of the stage-1 gradient of `ids` from FD over all_probe_indices.
double stage1_fd_deviation(training::Trainer4G& t, const std::vector<std::size_t>& ids, double& L) {
    std::vector<double> g;
    L = t.charge_loss(ids, &g);
    return fd_deviation(
        [&](const std::vector<double>& p) {
            t.set_charge_parameters(p);
            return t.charge_loss(ids);
        },
        t.charge_parameters(), g, all_probe_indices(t, true), 1e-4, 1e-3 * max_abs(g));
}

/// The same for stage 2 (after prepare_short()).
double stage2_fd_deviation(training::Trainer4G& t, const std::vector<std::size_t>& ids, double& L) {
    std::vector<double> g;
    L = t.short_loss(ids, &g);
    return fd_deviation(
        [&](const std::vector<double>& p) {
            t.set_short_parameters(p);
            return t.short_loss(ids);
        },
        t.short_parameters(), g, all_probe_indices(t, false), 1e-4, 1e-3 * max_abs(g));
}

/// Largest deviations of the trainer's predictions from Potential4G's results for the model the trainer wrote
/// and the loaded potential read: charges [e], relative energy, forces relative to max(1, max|F|).
struct Deviations {
    double dq = 0.0, de = 0.0, df = 0.0;
};
Deviations trainer_vs_loaded(const training::Trainer4G& t, const std::string& name) {
    const auto dir = std::filesystem::temp_directory_path() / name;
    training::write_n2p2_model_4g(dir.string(), t.model(), read_text(train_dir() + "/input.nn"));
    const auto pot = Potential4G<>::load(dir.string());
    std::filesystem::remove_all(dir);
    Deviations d;
    double fmax = 0.0;
    for (std::size_t k = 0; k < t.structures().size(); ++k) {
        const Structure& s = t.structures()[k];
        const training::Prediction4G p = t.predict(k);
        const Result r = pot.compute(s);
        d.de = std::max(d.de, std::abs(p.energy - r.energy) / std::abs(r.energy));
        for (std::size_t i = 0; i < s.size(); ++i) {
            d.dq = std::max(d.dq, std::abs(p.charges[i] - r.charges[i]));
            for (int a = 0; a < 3; ++a) {
                d.df = std::max(d.df, std::abs(p.forces[i][a] - r.forces[i][a]));
                fmax = std::max(fmax, std::abs(r.forces[i][a]));
            }
        }
    }
    d.df /= std::max(1.0, fmax);
    return d;
}

}  // namespace

TEST_CASE("n2p2's split draws one number per structure after 1 + N draws of the same mt19937", "[training][4g]") {
    // The rule written out: seed, skip 1 + N draws, then u_k = draw / 2^32 < fraction.
    const std::uint32_t seed = 12346;
    const std::size_t n = 20;
    std::mt19937 g(seed);
    for (std::size_t k = 0; k < n + 1; ++k) g();
    std::vector<bool> expected;
    std::size_t n_test = 0;
    for (std::size_t k = 0; k < n; ++k) {
        expected.push_back(static_cast<double>(g()) / 4294967296.0 < 0.1);
        n_test += expected.back();
    }
    CHECK(training::n2p2_test_selection(n, 0.1, seed) == expected);
    // fraction 0 and 1, seed 0 as GSL's 4357
    const auto none = training::n2p2_test_selection(n, 0.0, seed), all = training::n2p2_test_selection(n, 1.0, seed);
    CHECK(std::count(none.begin(), none.end(), true) == 0);
    CHECK(std::count(all.begin(), all.end(), true) == static_cast<long>(n));
    CHECK(training::n2p2_test_selection(n, 0.5, 0) == training::n2p2_test_selection(n, 0.5, 4357));
    std::printf("n2p2 split of H2O_RPBE-D3_4G (seed 12346, fraction 0.1): %zu test structures:", n_test);
    for (std::size_t k = 0; k < n; ++k)
        if (expected[k]) std::printf(" %zu", k + 1);
    std::printf("\n");
}

TEST_CASE("n2p2_test_selection picks the test structures that n2p2's nnp-train wrote to test.data", "[training]") {
    // Expected indices: from runs of n2p2's own nnp-train (commit 61daa0df, `make nnp-train COMP=gnu MODE=static`),
    // one MPI process (`mpirun -np 1 nnp-train`, stage 1 for the 4G set), in scratch copies of the reference
    // training sets whose input.nn had only epochs (0), random_seed and test_fraction edited. nnp-train writes its
    // split to train.data / test.data before training; every structure of test.data was matched to input.data by
    // its energy and every atom's element, charge and force. Not computed by hdnnp.
    struct Case {
        const char* set;
        std::uint64_t seed;
        double fraction;
        bool shipped;                  // seed and fraction are those of the set's own input.nn
        std::vector<std::size_t> test;  // 1-based, file order, as in n2p2's test.data
    };
    const std::vector<Case> cases = {
        {"Cu2S_PBE", 1234567, 0.1, true, {3}},
        {"Cu2S_PBE", 1234567, 0.3, false, {3, 9, 12, 14, 15}},
        {"Cu2S_PBE", 42, 0.1, false, {1, 7, 15, 17}},
        {"Cu2S_PBE", 42, 0.3, false, {1, 6, 7, 8, 10, 15, 17, 18}},
        {"Cu2S_PBE", 2026, 0.5, false, {2, 4, 8, 10, 13, 14, 15, 17, 19, 20}},
        {"Cu2S_PBE", 0, 0.3, false, {2, 9, 10, 11, 12, 17, 19, 20}},  // GSL: seed 0 is 4357
        {"Cu2S_PBE", 4357, 0.3, false, {2, 9, 10, 11, 12, 17, 19, 20}},
        {"H2O_RPBE-D3", 1234567, 0.1, true, {3}},
        {"H2O_RPBE-D3", 1234567, 0.3, false, {3, 9, 12, 14, 15}},
        {"H2O_RPBE-D3", 42, 0.1, false, {1, 7, 15, 17}},
        {"H2O_RPBE-D3", 42, 0.3, false, {1, 6, 7, 8, 10, 15, 17, 18}},
        {"H2O_RPBE-D3", 2026, 0.5, false, {2, 4, 8, 10, 13, 14, 15, 17, 19, 20}},
        {"H2O_RPBE-D3_4G", 12346, 0.1, false, {6, 14, 18, 20}},
        {"H2O_RPBE-D3_4G", 12346, 0.3, false, {1, 2, 5, 6, 8, 9, 14, 15, 18, 20}},
        {"LJ", 1234567, 0.1, true, {1, 6, 9, 27, 46, 49, 80, 82, 100}},
        {"LJ", 1234567, 0.3, false, {1,  3,  6,  7,  8,  9,  11, 15, 22, 23, 26, 27, 29, 30, 34, 39, 41, 45,
                                     46, 49, 50, 54, 59, 60, 65, 67, 72, 78, 80, 82, 85, 90, 97, 99, 100}},
        {"LJ", 42, 0.1, false, {11, 15, 35, 36, 43, 44, 53, 64, 65, 90, 95, 99}},
        {"LJ", 42, 0.3, false, {11, 13, 15, 21, 27, 30, 31, 32, 34, 35, 36, 41, 42, 43, 44,
                                46, 53, 57, 64, 65, 74, 79, 86, 88, 90, 94, 95, 97, 98, 99}},
        {"LJ", 2026, 0.5, false, {3,  4,  5,  6,  7,  8,  13, 15, 16, 18, 20, 25, 31, 32, 35, 36, 37, 40, 41, 42, 44, 45, 47,
                                  48, 51, 53, 56, 58, 59, 64, 66, 67, 69, 71, 72, 77, 82, 85, 86, 90, 92, 96, 97, 98, 100, 101}},
    };
    for (const Case& c : cases) {
        const std::string dir = test::reference_dir() + "/train/" + c.set;
        const std::size_t n = io::read_input_data(dir + "/input.data").size();
        if (c.shipped) {  // the seed and fraction `hdnnp train` reads from the set's own input.nn
            const training::TrainingSettings ts = training::read_training_settings(read_text(dir + "/input.nn"));
            CHECK(ts.random_seed == c.seed);
            CHECK(ts.options.test_fraction == c.fraction);
        }
        const std::vector<bool> sel = training::n2p2_test_selection(n, c.fraction, c.seed);
        std::vector<std::size_t> got;
        for (std::size_t k = 0; k < n; ++k)
            if (sel[k]) got.push_back(k + 1);
        INFO(c.set << ", " << n << " structures, random_seed " << c.seed << ", test_fraction " << c.fraction);
        CHECK(got == c.test);
    }
    // Labels: n2p2 keeps `begin set=...` and draws only for the unlabelled structures. nnp-train on Cu2S_PBE
    // with structure 1 labelled set=test and 3, 5 set=train (random_seed 1234567, test_fraction 0.3) wrote
    // test structures 1 6 12 15 17 18 (unlabelled, the same seed and fraction give 3 9 12 14 15 above).
    std::vector<Structure> cu2s = io::read_input_data(test::reference_dir() + "/train/Cu2S_PBE/input.data");
    REQUIRE(cu2s.size() == 20);
    cu2s[0].set = "test";
    cu2s[2].set = cu2s[4].set = "train";
    const std::vector<bool> sel = training::n2p2_test_selection(cu2s, 0.3, 1234567);
    std::vector<std::size_t> got;
    for (std::size_t k = 0; k < sel.size(); ++k)
        if (sel[k]) got.push_back(k + 1);
    CHECK(got == std::vector<std::size_t>{1, 6, 12, 15, 17, 18});
    for (Structure& s : cu2s) s.set.clear();  // no labels: the same as the count overload
    CHECK(training::n2p2_test_selection(cu2s, 0.3, 1234567) == training::n2p2_test_selection(20, 0.3, 1234567));
}

TEST_CASE("Trainer4G keeps set labels and draws the rest of the split as n2p2's nnp-train does", "[training][4g]") {
    // nnp-train 61daa0df (`mpirun -np 1 nnp-train 1`, epochs 0) on H2O_RPBE-D3_4G with random_seed 12346,
    // test_fraction 0.1 and structure 2 labelled `begin set=test`, 6 `begin set=train`, wrote test structures
    // 2 8 16 20 (1-based) to test.data; without labels it wrote 6 14 18 20.
    std::vector<Structure> all = io::read_input_data(train_dir() + "/input.data");
    REQUIRE(all.size() == 20);
    all[1].set = "test";
    all[5].set = "train";
    Model m = training::untrained_model_4g(read_text(train_dir() + "/input.nn"), read_text(train_dir() + "/scaling.data"));
    training::initialize_weights_4g(m, 7);
    training::Trainer4GOptions o;
    o.use_forces = false;
    o.test_fraction = 0.1;
    o.random_seed = 12346;
    const training::Trainer4G labelled(m, all, o);
    CHECK(labelled.test_indices() == std::vector<std::size_t>{1, 7, 15, 19});
    CHECK(labelled.train_indices().size() == 16);
    o.use_set_labels = false;
    const training::Trainer4G drawn(std::move(m), std::move(all), o);
    CHECK(drawn.test_indices() == std::vector<std::size_t>{5, 13, 17, 19});
}

TEST_CASE("Stage-1 charge-loss gradients (chi weights of each element, biases, hardness) match finite differences",
          "[training][4g]") {
    training::Trainer4G t = make_trainer(2);
    double L = 0.0;
    const double dev = stage1_fd_deviation(t, {0, 1}, L);
    REQUIRE(L > 0.0);
    std::printf("stage 1: max relative deviation analytic vs FD: %.2e (L = %.4e)\n", dev, L);
    CHECK(dev < 1e-6);
}

TEST_CASE("Stage-2 energy and force loss gradients (short weights of each element, the charge input) match finite differences",
          "[training][4g]") {
    for (bool forces : {false, true}) {
        DYNAMIC_SECTION((forces ? "energies and forces" : "energies only")) {
            training::Trainer4G t = make_trainer(2, forces);
            t.prepare_short();
            double L = 0.0;
            const double dev = stage2_fd_deviation(t, {0, 1}, L);
            REQUIRE(L > 0.0);
            std::printf("stage 2 (%s): max relative deviation analytic vs FD: %.2e (L = %.4e)\n", forces ? "E+F" : "E", dev, L);
            CHECK(dev < 1e-6);
        }
    }
}

TEST_CASE("Stage-2 force-term gradients alone (with the charge-response input) match finite differences", "[training][4g]") {
    // The difference of the energy-and-force and the energy-only loss is the force term alone.
    training::Trainer4G tf = make_trainer(2, true), te = make_trainer(2, false);
    tf.prepare_short();
    te.prepare_short();
    // Start at the mean energy, so that the energy terms (which cancel in the difference) are small and the
    // difference keeps its digits.
    tf.fit_output_bias();
    te.fit_output_bias();
    const std::vector<std::size_t> ids = {0, 1};
    std::vector<double> gf, ge;
    const double L = tf.short_loss(ids, &gf) - te.short_loss(ids, &ge);
    REQUIRE(L > 0.0);
    std::vector<double> g(gf.size());
    for (std::size_t k = 0; k < g.size(); ++k) g[k] = gf[k] - ge[k];
    const std::vector<std::size_t> idx = all_probe_indices(tf, false);
    const double dev = fd_deviation(
        [&](const std::vector<double>& p) {
            tf.set_short_parameters(p);
            te.set_short_parameters(p);
            return tf.short_loss(ids) - te.short_loss(ids);
        },
        tf.short_parameters(), g, idx, 1e-4, 1e-3 * max_abs(g));
    std::printf("stage 2 (force term): max relative deviation analytic vs FD over %zu parameters: %.2e (L_F = %.4e)\n", idx.size(),
                dev, L);
    CHECK(dev < 1e-6);
}

TEST_CASE("Stage-2 predictions equal Potential4G's charges, energies and forces, and the written model loads back",
          "[training][4g]") {
    training::Trainer4G t = make_trainer(3);
    // a few optimiser steps of each stage, so that nothing is at its initial value
    training::LbfgsOptions o;
    o.max_iterations = 5;
    const auto r1 = t.fit_charges(o);
    CHECK(r1.iterations == 5);
    t.prepare_short();
    t.fit_output_bias();
    const auto r2 = t.fit_short(o);
    CHECK(r2.iterations == 5);
    const Deviations d = trainer_vs_loaded(t, "hdnnp_trainer_4g_test");
    std::printf("trainer vs loaded Potential4G: max|dQ| %.2e e, max|dE|/|E| %.2e, max|dF|/max(1,|F|) %.2e\n", d.dq, d.de, d.df);
    CHECK(d.dq <= 1e-12);
    CHECK(d.de <= 1e-12);
    CHECK(d.df <= 1e-10);
}

TEST_CASE("Cluster structures with a total charge (no Ewald): both stages' gradients match finite differences and the "
          "trainer's predictions equal the loaded Potential4G's",
          "[training][4g]") {
    training::Trainer4G t = make_trainer(2, true, 11, true);
    REQUIRE_FALSE(t.structures()[0].periodic);
    double L1 = 0.0, L2 = 0.0;
    const double dev1 = stage1_fd_deviation(t, {0, 1}, L1);
    REQUIRE(L1 > 0.0);
    for (std::size_t k = 0; k < 2; ++k) {
        double sum = 0.0;
        for (double q : t.predict_charges(k)) sum += q;
        CHECK(std::abs(sum - 1.0) < 1e-12);
    }
    training::LbfgsOptions o;
    o.max_iterations = 3;
    t.fit_charges(o);
    t.prepare_short();
    const double dev2 = stage2_fd_deviation(t, {0, 1}, L2);
    REQUIRE(L2 > 0.0);
    const Deviations d = trainer_vs_loaded(t, "hdnnp_trainer_4g_cluster");
    std::printf("cluster: FD deviation stage 1 %.2e, stage 2 %.2e; trainer vs Potential4G: dQ %.2e e, dE %.2e, dF %.2e\n", dev1, dev2,
                d.dq, d.de, d.df);
    CHECK(dev1 < 1e-6);
    CHECK(dev2 < 1e-6);
    CHECK(d.dq <= 1e-12);
    CHECK(d.de <= 1e-12);
    CHECK(d.df <= 1e-10);
}

TEST_CASE("Stage-2 forces of the trainer are minus the derivative of its energy", "[training][4g]") {
    // The trainer's E and F (with dQ/dR) against a finite difference of the loaded model's energy.
    training::Trainer4G t = make_trainer(1);
    t.prepare_short();
    const auto dir = std::filesystem::temp_directory_path() / "hdnnp_trainer_4g_fd";
    training::write_n2p2_model_4g(dir.string(), t.model(), read_text(train_dir() + "/input.nn"));
    const auto pot = Potential4G<>::load(dir.string());
    std::filesystem::remove_all(dir);
    const training::Prediction4G p = t.predict(0);
    double worst = 0.0;
    for (std::size_t i : {0, 1, 2, 17}) {
        for (int a = 0; a < 3; ++a) {
            const double fd = test::fd_force([&](const Structure& s) { return pot.compute(s).energy; }, t.structures()[0], i, a, 1e-3);
            worst = std::max(worst, std::abs(fd - p.forces[i][a]));
        }
    }
    std::printf("trainer forces vs FD of the energy: max deviation %.2e\n", worst);
    CHECK(worst < 1e-7);
}

TEST_CASE("4G losses and gradients do not depend on the number of threads", "[training][4g]") {
#ifdef _OPENMP
    const int before = omp_get_max_threads();
    auto run = [](int threads, std::vector<double>& g1, std::vector<double>& g2, double& l1, double& l2) {
        omp_set_num_threads(threads);
        training::Trainer4G t = make_trainer(3);
        l1 = t.charge_loss(t.train_indices(), &g1);
        t.prepare_short();
        l2 = t.short_loss(t.train_indices(), &g2);
    };
    std::vector<double> a1, a2, b1, b2;
    double la1, la2, lb1, lb2;
    run(1, a1, a2, la1, la2);
    run(2, b1, b2, lb1, lb2);
    omp_set_num_threads(before);
    CHECK(la1 == lb1);
    CHECK(la2 == lb2);
    CHECK(a1 == b1);
    CHECK(a2 == b2);
#else
    WARN("skipped: built without OpenMP, there is only one thread count");
#endif
}

TEST_CASE("untrained_model_4g rejects an input.nn without initial_hardness for an element, naming it", "[training][4g]") {
    const std::string nn = read_text(train_dir() + "/input.nn"), sc = read_text(train_dir() + "/scaling.data");
    std::string no_h;
    std::istringstream in(nn);
    for (std::string line; std::getline(in, line);)
        if (line.rfind("initial_hardness", 0) != 0 || line.find(" O ") == std::string::npos) no_h += line + "\n";
    CHECK_THROWS_WITH(training::untrained_model_4g(no_h, sc), Catch::Contains("initial_hardness") && Catch::Contains("O"));
}

TEST_CASE("Trainer4G rejects a structure without reference charges, energy or forces, naming the structure", "[training][4g]") {
    std::vector<Structure> all = io::read_input_data(train_dir() + "/input.data");
    all.resize(2);
    const std::string nn = read_text(train_dir() + "/input.nn"), sc = read_text(train_dir() + "/scaling.data");
    training::Trainer4GOptions o;
    {
        std::vector<Structure> v = all;
        v[1].charges.clear();
        CHECK_THROWS_WITH(training::Trainer4G(training::untrained_model_4g(nn, sc), v, o),
                          Catch::Contains("structure 2") && Catch::Contains("reference charges"));
    }
    {
        std::vector<Structure> v = all;
        v[0].has_energy = false;
        CHECK_THROWS_WITH(training::Trainer4G(training::untrained_model_4g(nn, sc), v, o),
                          Catch::Contains("structure 1") && Catch::Contains("reference energy"));
    }
    {
        std::vector<Structure> v = all;
        v[1].forces.clear();
        CHECK_THROWS_WITH(training::Trainer4G(training::untrained_model_4g(nn, sc), v, o),
                          Catch::Contains("structure 2") && Catch::Contains("reference forces"));
        o.use_forces = false;
        CHECK_NOTHROW(training::Trainer4G(training::untrained_model_4g(nn, sc), v, o));
    }
}
