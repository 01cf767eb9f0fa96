// Fitting: scaling statistics, analytic loss gradients (energies and forces) against finite
// differences, agreement of the trainer's predictions with Potential::compute, loss reduction.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/potential/potential.hpp"
#include "hdnnp/training/setup.hpp"
#include "hdnnp/training/statistics.hpp"
#include "hdnnp/training/trainer.hpp"
#include "support/serial_openmp.hpp"

using namespace hdnnp;

namespace {

constexpr double kPairCutoff = 4.5;

double pair_strength(const std::string& a, const std::string& b) {
    if (a == "Ne" && b == "Ne") return 0.3;
    if (a == "Ar" && b == "Ar") return 0.5;
    return 0.4;
}

// phi(r) = c exp(-(r - 2)^2) (1 - r/rc)^2 for r < rc: a smooth synthetic pair potential.
void pair_term(double c, double r, double& e, double& de) {
    const double g = std::exp(-(r - 2.0) * (r - 2.0)), t = 1.0 - r / kPairCutoff;
    e = c * g * t * t;
    de = c * (-2.0 * (r - 2.0) * g * t * t - 2.0 * g * t / kPairCutoff);
}

// Energy and forces of the synthetic pair potential, summing all periodic images explicitly.
void label(Structure& s) {
    const std::size_t n = s.size();
    s.forces.assign(n, Vec3{0, 0, 0});
    double e = 0.0;
    const int m = 2;  // cells here are >= 5 length units wide: two image shells cover rc = 4.5
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
            for (int a = -m; a <= m; ++a)
                for (int b = -m; b <= m; ++b)
                    for (int c = -m; c <= m; ++c) {
                        if (i == j && a == 0 && b == 0 && c == 0) continue;
                        const Vec3 d = s.positions[j] + static_cast<double>(a) * s.lattice[0] +
                                       static_cast<double>(b) * s.lattice[1] + static_cast<double>(c) * s.lattice[2] -
                                       s.positions[i];
                        const double r = norm(d);
                        if (r >= kPairCutoff) continue;
                        double p, dp;
                        pair_term(pair_strength(s.symbols[i], s.symbols[j]), r, p, dp);
                        e += 0.5 * p;
                        // d(0.5 p)/dR_i = -0.5 dp d/r, counted from both i and j.
                        s.forces[i] += (dp / r) * d;
                    }
    s.energy = e;
    s.has_energy = true;
}

std::vector<Structure> synthetic_data(std::size_t count, std::uint64_t seed) {
    training::Random rng(seed);
    std::vector<Structure> data;
    while (data.size() < count) {
        Structure s;
        s.periodic = true;
        const double L = rng.uniform(5.0, 6.5);
        s.lattice = {Vec3{L, 0, 0}, Vec3{rng.uniform(-0.5, 0.5), L, 0}, Vec3{0, rng.uniform(-0.5, 0.5), L}};
        const std::size_t natoms = 6 + rng.index(4);
        int tries = 0;
        while (s.size() < natoms && tries++ < 10000) {
            const Vec3 f{rng.uniform(), rng.uniform(), rng.uniform()};
            const Vec3 r = f[0] * s.lattice[0] + f[1] * s.lattice[1] + f[2] * s.lattice[2];
            bool ok = true;
            for (const Vec3& p : s.positions) {
                Vec3 d = r - p;
                for (int a = -1; a <= 1 && ok; ++a)
                    for (int b = -1; b <= 1 && ok; ++b)
                        for (int c = -1; c <= 1 && ok; ++c) {
                            const Vec3 dd = d + static_cast<double>(a) * s.lattice[0] + static_cast<double>(b) * s.lattice[1] +
                                            static_cast<double>(c) * s.lattice[2];
                            if (norm(dd) < 1.7) ok = false;
                        }
                if (!ok) break;
            }
            if (ok) s.add_atom(rng.uniform() < 0.5 ? "Ne" : "Ar", r);
        }
        // Both elements in every structure keeps the statistics simple.
        bool ne = false, ar = false;
        for (const auto& e : s.symbols) (e == "Ne" ? ne : ar) = true;
        if (!ne || !ar) continue;
        label(s);
        data.push_back(std::move(s));
    }
    return data;
}

std::string settings(const std::string& activations, bool normalize_nodes, bool normalization) {
    std::string t =
        "number_of_elements 2\n"
        "elements Ar Ne\n"
        "cutoff_type 6\n"
        "scale_symmetry_functions\n"
        "center_symmetry_functions\n"
        "global_hidden_layers_short 2\n"
        "global_nodes_short 5 4\n"
        "global_activation_short " + activations + "\n"
        "element_nodes_short Ne 3 4\n"
        "atom_energy Ne -0.25\n"
        "symfunction_short Ne 2 Ne 0.5 0.0 4.5\n"
        "symfunction_short Ne 2 Ar 0.5 0.0 4.5\n"
        "symfunction_short Ne 2 Ne 0.8 2.5 4.5\n"
        "symfunction_short Ar 2 Ar 0.5 0.0 4.5\n"
        "symfunction_short Ar 2 Ne 0.2 0.0 4.5\n"
        "symfunction_short Ar 2 Ar 1.0 2.5 4.5\n"
        "symfunction_short Ne 3 Ne Ar 0.1 1 1 4.5\n"
        "symfunction_short Ar 3 Ar Ar 0.1 -1 2 4.5\n"
        "symfunction_short Ar 9 Ne Ar 0.05 1 4 4.5\n";
    if (normalize_nodes) t += "normalize_nodes\n";
    if (normalization) t += "mean_energy 0.1\nconv_energy 3.0\nconv_length 1.0\n";
    return t;
}

Model prepared_model(const std::string& input_nn, const std::vector<Structure>& data, std::uint64_t seed) {
    return training::prepare_model(input_nn, data, seed);
}

// Largest |analytic - central difference| over all parameters, relative to the largest gradient entry.
double gradient_error(training::Trainer& t, const std::vector<std::size_t>& ids) {
    std::vector<double> g;
    t.loss_and_gradient(ids, g);
    const std::vector<double> p0 = t.parameters();
    double gmax = 0.0, err = 0.0;
    for (double v : g) gmax = std::max(gmax, std::abs(v));
    for (std::size_t k = 0; k < p0.size(); ++k) {
        const double h = 1e-5 * std::max(1.0, std::abs(p0[k]));
        std::vector<double> p = p0;
        p[k] = p0[k] + h;
        t.set_parameters(p);
        const double lp = t.loss(ids);
        p[k] = p0[k] - h;
        t.set_parameters(p);
        const double lm = t.loss(ids);
        err = std::max(err, std::abs((lp - lm) / (2.0 * h) - g[k]));
    }
    t.set_parameters(p0);
    REQUIRE(gmax > 0.0);
    return err / gmax;
}

}  // namespace

TEST_CASE("untrained_model builds the architecture of input.nn with placeholders", "[training]") {
    const Model m = training::untrained_model(settings("t t l", false, true));
    REQUIRE(m.elements.size() == 2);
    CHECK(m.elements[0].symbol == "Ne");  // ascending atomic number
    CHECK(m.elements[0].descriptors.size() == 4);
    CHECK(m.elements[1].descriptors.size() == 5);
    const auto& ne = m.elements[0].network.layers();
    REQUIRE(ne.size() == 3);
    CHECK(ne[0].n_out == 3);  // element_nodes_short Ne 3 4
    CHECK(ne[1].n_out == 4);
    CHECK(m.elements[1].network.layers()[0].n_out == 5);
    CHECK(m.elements[0].atom_energy == -0.25);
    CHECK(m.conv_energy == 3.0);
    CHECK_THROWS_AS(training::untrained_model("number_of_elements 1\nelements Xx\n"), ParseError);
}

TEST_CASE("weight initialisation is reproducible and follows its scheme", "[training]") {
    Model a = training::untrained_model(settings("t t l", false, false));
    Model b = a, c = a, d = a;
    training::initialize_weights(a, 42);
    training::initialize_weights(b, 42);
    training::initialize_weights(c, 43);
    training::initialize_weights(d, 42, training::WeightInit::nguyen_widrow);
    const DenseLayer& la = a.elements[1].network.layers()[0];
    CHECK(la.weights == b.elements[1].network.layers()[0].weights);
    CHECK(la.weights != c.elements[1].network.layers()[0].weights);
    const double bound = std::sqrt(6.0 / static_cast<double>(la.n_in + la.n_out));
    for (double w : la.weights) CHECK(std::abs(w) <= bound);
    for (double v : la.biases) CHECK(v == 0.0);
    // Nguyen-Widrow: the weights into each hidden neuron have norm 0.7 n_out^(1/n_in).
    const DenseLayer& ld = d.elements[1].network.layers()[0];
    const double beta = 0.7 * std::pow(static_cast<double>(ld.n_out), 1.0 / static_cast<double>(ld.n_in));
    for (std::size_t o = 0; o < ld.n_out; ++o) {
        double sq = 0.0;
        for (std::size_t i = 0; i < ld.n_in; ++i) sq += ld.weights[i * ld.n_out + o] * ld.weights[i * ld.n_out + o];
        CHECK(std::sqrt(sq) == Approx(beta));
        CHECK(std::abs(ld.biases[o]) <= beta);
    }
}

TEST_CASE("scaling statistics match a direct computation", "[training][statistics]") {
    const auto data = synthetic_data(12, 7);
    Model m = training::untrained_model(settings("t t l", false, false));
    const auto stats = training::compute_scaling_statistics(m, data);

    // Direct: every atom's raw functions from Potential::compute, then plain two-pass formulas.
    const Potential<> pot(m);
    std::vector<std::vector<std::vector<double>>> values(m.elements.size());
    for (const Structure& s : data) {
        ComputeOptions opt;
        opt.forces = false;
        opt.keep_descriptors = true;
        const Result r = pot.compute(s, opt);
        for (std::size_t i = 0; i < s.size(); ++i)
            values[static_cast<std::size_t>(m.element_index(s.symbols[i]))].push_back(r.descriptors_raw[i]);
    }
    REQUIRE(stats.size() == 2);
    for (std::size_t e = 0; e < 2; ++e) {
        const auto& v = values[e];
        REQUIRE(stats[e].count == v.size());
        for (std::size_t f = 0; f < m.elements[e].descriptors.size(); ++f) {
            double lo = v[0][f], hi = v[0][f], sum = 0.0;
            for (const auto& a : v) {
                lo = std::min(lo, a[f]);
                hi = std::max(hi, a[f]);
                sum += a[f];
            }
            const double mean = sum / static_cast<double>(v.size());
            double sq = 0.0;
            for (const auto& a : v) sq += (a[f] - mean) * (a[f] - mean);
            const double sigma = std::sqrt(sq / static_cast<double>(v.size() - 1));  // sample sigma, as n2p2
            INFO("element " << e << " function " << f);
            // Potential may use its vectorised kernels: equal to rounding, not bit for bit.
            CHECK(stats[e].gmin[f] == Approx(lo).epsilon(1e-12));
            CHECK(stats[e].gmax[f] == Approx(hi).epsilon(1e-12));
            CHECK(stats[e].gmean[f] == Approx(mean).epsilon(1e-12));
            CHECK(stats[e].gsigma[f] == Approx(sigma).epsilon(1e-10));
            CHECK(hi > lo);
        }
    }

    training::apply_scaling_statistics(m, stats);
    CHECK(m.elements[1].scaling.gmax == stats[1].gmax);
    // scale + center: S = (G - Gmean) / (Gmax - Gmin)
    CHECK(m.elements[1].scaling.factor[0] == Approx(1.0 / (stats[1].gmax[0] - stats[1].gmin[0])));
    CHECK(m.elements[1].scaling.shift[0] == stats[1].gmean[0]);

    const auto es = training::energy_statistics(data);
    double mean = 0.0;
    for (const auto& s : data) mean += s.energy / static_cast<double>(s.size());
    CHECK(es.mean_energy_per_atom == Approx(mean / static_cast<double>(data.size())).epsilon(1e-12));
    CHECK(es.structures == data.size());

    // A function that never varies cannot be min/max scaled.
    std::vector<training::ElementStatistics> flat = stats;
    flat[0].gmax[1] = flat[0].gmin[1];
    CHECK_THROWS_AS(training::apply_scaling_statistics(m, flat), Error);
}

TEST_CASE("trainer predictions equal Potential::compute", "[training]") {
    const auto data = synthetic_data(8, 11);
    training::TrainerOptions opt;
    opt.use_forces = true;
    opt.test_fraction = 0.25;
    training::Trainer t(prepared_model(settings("t s l", false, true), data, 3), data, opt);
    CHECK(t.train_indices().size() == 6);
    CHECK(t.test_indices().size() == 2);
    std::vector<std::size_t> all(data.size());
    for (std::size_t k = 0; k < all.size(); ++k) all[k] = k;
    const training::Errors a = t.errors(all), b = t.potential_errors(all);
    CHECK(a.structures == 8);
    CHECK(a.atoms == b.atoms);
    CHECK(a.energy_rmse == Approx(b.energy_rmse).epsilon(1e-10));
    CHECK(a.force_rmse == Approx(b.force_rmse).epsilon(1e-10));
    CHECK(a.energy_rmse > 0.0);
}

TEST_CASE("analytic loss gradients equal finite differences", "[training][gradient]") {
    const auto data = synthetic_data(5, 21);
    const std::vector<std::size_t> ids = {0, 1, 2, 3, 4};
    struct Case {
        const char* act;
        bool normalize_nodes, normalization;
    };
    const Case cases[] = {{"t t l", false, true}, {"p s l", true, false}, {"g c l", false, false},
                          {"S e l", false, true}, {"h t t", true, true},  {"r p s", false, false}};
    for (const Case& c : cases) {
        for (bool forces : {false, true}) {
            DYNAMIC_SECTION(c.act << (c.normalize_nodes ? " normalize_nodes" : "") << (forces ? " energies+forces" : " energies")) {
                training::TrainerOptions opt;
                opt.use_forces = forces;
                opt.force_weight = 0.7;
                opt.test_fraction = 0.0;
                training::Trainer t(prepared_model(settings(c.act, c.normalize_nodes, c.normalization), data, 5), data, opt);
                CHECK(gradient_error(t, ids) < 2e-7);
            }
        }
    }
}

TEST_CASE("training lowers the loss on a small synthetic data set", "[training]") {
    const auto data = synthetic_data(24, 31);
    for (bool forces : {false, true}) {
        DYNAMIC_SECTION((forces ? "energies and forces" : "energies")) {
            training::TrainerOptions opt;
            opt.use_forces = forces;
            opt.epochs = 40;
            opt.batch_size = 4;
            opt.learning_rate = 5e-3;
            opt.test_fraction = 0.2;
            opt.seed = 99;
            training::Trainer t(prepared_model(settings("t t l", false, true), data, 17), data, opt);
            t.fit_output_bias();
            const double before = t.loss(t.train_indices());
            std::vector<training::EpochReport> reports;
            t.train([&](const training::EpochReport& r) { reports.push_back(r); });
            REQUIRE(reports.size() == 41);
            CHECK(reports.front().epoch == 0);
            CHECK(reports.back().epoch == 40);
            const double after = t.loss(t.train_indices());
            INFO("loss " << before << " -> " << after << ", energy RMSE " << reports.front().train.energy_rmse << " -> "
                         << reports.back().train.energy_rmse);
            CHECK(after < 0.25 * before);
            CHECK(reports.back().train.energy_rmse < reports.front().train.energy_rmse);
            CHECK(std::isfinite(reports.back().test.energy_rmse));
            // Energy-only fits report force errors from Potential::compute.
            CHECK(std::isfinite(reports.back().train.force_rmse));
            CHECK(std::isfinite(reports.back().test.force_rmse));
            if (forces) CHECK(reports.back().train.force_rmse < reports.front().train.force_rmse);
        }
    }
}

TEST_CASE("training is reproducible and independent of the thread count", "[training]") {
    const auto data = synthetic_data(10, 41);
    training::TrainerOptions opt;
    opt.use_forces = true;
    opt.epochs = 3;
    opt.batch_size = 3;
    const Model m = prepared_model(settings("t t l", false, true), data, 9);
    training::Trainer a(m, data, opt), b(m, data, opt);
    {
        test::OpenMPThreads one(1);
        a.train();
    }
    {
        test::OpenMPThreads two(2);
        b.train();
    }
    CHECK(a.parameters() == b.parameters());
    CHECK(a.train_indices() == b.train_indices());
}

TEST_CASE("Kalman Jacobians dE/dw and dF/dw equal finite differences", "[training][kalman]") {
    const auto data = synthetic_data(3, 51);
    struct Case {
        const char* act;
        bool normalize_nodes, normalization;
    };
    const Case cases[] = {{"t t l", false, true}, {"p s l", true, false}, {"S e l", false, true}};
    for (const Case& c : cases) {
        DYNAMIC_SECTION(c.act << (c.normalize_nodes ? " normalize_nodes" : "")) {
            training::TrainerOptions opt;
            opt.use_forces = true;
            opt.test_fraction = 0.0;
            training::Trainer t(prepared_model(settings(c.act, c.normalize_nodes, c.normalization), data, 7), data, opt);
            const std::vector<double> p0 = t.parameters();
            std::vector<double> J, scratch;
            for (std::size_t k = 0; k < data.size(); ++k) {
                // Energy and three force components (first atom x, an interior atom y, the last atom z).
                struct Obs {
                    bool energy;
                    std::size_t atom;
                    int comp;
                };
                const std::size_t n = data[k].size();
                const Obs obs[] = {{true, 0, 0}, {false, 0, 0}, {false, n / 2, 1}, {false, n - 1, 2}};
                for (const Obs& o : obs) {
                    auto value = [&](std::vector<double>& out) {
                        return o.energy ? t.energy_jacobian(k, out) : t.force_jacobian(k, o.atom, o.comp, out);
                    };
                    const double y0 = value(J);
                    // The value itself equals Potential::compute's.
                    const Result r = Potential<>(t.model()).compute(data[k]);
                    CHECK(y0 == Approx(o.energy ? r.energy : r.forces[o.atom][static_cast<std::size_t>(o.comp)]).epsilon(1e-10).margin(1e-12));
                    double jmax = 0.0, err = 0.0;
                    for (double v : J) jmax = std::max(jmax, std::abs(v));
                    for (std::size_t q = 0; q < p0.size(); ++q) {
                        const double h = 1e-5 * std::max(1.0, std::abs(p0[q]));
                        std::vector<double> p = p0;
                        p[q] = p0[q] + h;
                        t.set_parameters(p);
                        const double yp = value(scratch);
                        p[q] = p0[q] - h;
                        t.set_parameters(p);
                        const double ym = value(scratch);
                        err = std::max(err, std::abs((yp - ym) / (2.0 * h) - J[q]));
                    }
                    t.set_parameters(p0);
                    INFO("structure " << k << (o.energy ? " energy" : " force") << " atom " << o.atom << " component " << o.comp);
                    REQUIRE(jmax > 0.0);
                    CHECK(err / jmax < 2e-7);
                }
            }
            CHECK_THROWS_AS(t.force_jacobian(0, data[0].size(), 0, J), Error);
        }
    }
}

TEST_CASE("one Kalman filter update equals the dense Kalman equations", "[training][kalman]") {
    const std::size_t n = 6;
    training::KalmanParameters kp;
    kp.epsilon = 0.5;
    kp.q0 = 0.03;
    kp.qtau = 1.2;
    kp.qmin = 1e-6;
    kp.eta0 = 0.2;
    kp.etatau = 0.7;
    kp.etamax = 1.0;
    const double per_epoch = 4.0;
    training::KalmanFilter kf(n, kp, per_epoch);
    // P(0) = I / epsilon.
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) CHECK(kf.covariance()[i * n + j] == (i == j ? 1.0 / kp.epsilon : 0.0));
    CHECK(kf.covariance().size() == n * n);
    // A general symmetric positive definite P: B B^T + I.
    training::Random rng(3);
    std::vector<double> B(n * n), P(n * n, 0.0), H(n), w(n);
    for (double& b : B) b = rng.uniform(-1.0, 1.0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            for (std::size_t k = 0; k < n; ++k) P[i * n + j] += B[i * n + k] * B[j * n + k];
            if (i == j) P[i * n + j] += 1.0;
        }
    for (double& h : H) h = rng.uniform(-2.0, 2.0);
    for (double& v : w) v = rng.uniform(-1.0, 1.0);
    const double xi = 0.37;
    kf.set_covariance(P);
    std::vector<double> w_kf = w;
    kf.update(w_kf.data(), H.data(), xi);

    // Dense textbook form with an m x m (m = 1) innovation matrix: S = H^T P H + R, R = 1/eta,
    // K = P H S^-1, P' = (I - K H^T) P + q I, w' = w + K xi.
    const double eta = kp.eta0 * std::exp(kp.etatau / per_epoch);  // eta grows before it is used
    std::vector<double> PH(n, 0.0), K(n), IKH(n * n), Pn(n * n, 0.0), wn(n);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) PH[i] += P[i * n + j] * H[j];
    double S = 1.0 / eta;
    for (std::size_t i = 0; i < n; ++i) S += H[i] * PH[i];
    for (std::size_t i = 0; i < n; ++i) K[i] = PH[i] / S;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) IKH[i * n + j] = (i == j ? 1.0 : 0.0) - K[i] * H[j];
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            for (std::size_t k = 0; k < n; ++k) Pn[i * n + j] += IKH[i * n + k] * P[k * n + j];
            if (i == j) Pn[i * n + j] += kp.q0;
        }
    for (std::size_t i = 0; i < n; ++i) wn[i] = w[i] + K[i] * xi;
    for (std::size_t i = 0; i < n; ++i) {
        CHECK(w_kf[i] == Approx(wn[i]).epsilon(1e-13));
        for (std::size_t j = 0; j < n; ++j) CHECK(kf.covariance()[i * n + j] == Approx(Pn[i * n + j]).epsilon(1e-12).margin(1e-14));
    }
    CHECK(kf.eta() == Approx(eta).epsilon(1e-15));
    CHECK(kf.q() == Approx(kp.q0 * std::exp(-kp.qtau / per_epoch)).epsilon(1e-15));
    // The schedules over one epoch: q falls by exp(qtau), eta rises by exp(etatau) (until etamax).
    for (int u = 1; u < 4; ++u) kf.update(w_kf.data(), H.data(), 0.0);
    CHECK(kf.q() == Approx(kp.q0 * std::exp(-kp.qtau)).epsilon(1e-12));
    CHECK(kf.eta() == Approx(kp.eta0 * std::exp(kp.etatau)).epsilon(1e-12));
    CHECK(kf.updates() == 4);
}

TEST_CASE("Kalman filter training lowers the errors and is independent of the thread count", "[training][kalman]") {
    const auto data = synthetic_data(16, 61);
    training::TrainerOptions opt;
    opt.updater = training::Updater::kalman;
    opt.use_forces = true;
    opt.epochs = 4;
    opt.test_fraction = 0.25;
    opt.force_fraction = 0.1;
    opt.force_weight = 3.0;
    opt.seed = 5;
    const Model m = prepared_model(settings("t t l", false, true), data, 13);
    training::Trainer a(m, data, opt), b(m, data, opt);
    std::vector<training::EpochReport> reports;
    {
        test::OpenMPThreads one(1);
        a.train([&](const training::EpochReport& r) { reports.push_back(r); });
    }
    {
        test::OpenMPThreads two(2);
        b.train();
    }
    CHECK(a.parameters() == b.parameters());
    const auto [ne, nf] = a.kalman_updates_per_epoch();
    CHECK(ne == a.train_indices().size());
    CHECK(nf > 0);
    CHECK(a.kalman_filter().updates() == 4 * (ne + nf));
    REQUIRE(reports.size() == 5);
    INFO("energy RMSE " << reports.front().train.energy_rmse << " -> " << reports.back().train.energy_rmse << ", force RMSE "
                        << reports.front().train.force_rmse << " -> " << reports.back().train.force_rmse);
    CHECK(reports.back().train.energy_rmse < 0.5 * reports.front().train.energy_rmse);
    CHECK(reports.back().train.force_rmse < reports.front().train.force_rmse);
}

TEST_CASE("compute_descriptors' dG/dd equals finite differences of the functions", "[training][descriptors]") {
    // Radial, narrow angular (type 3) and wide angular (type 9) functions; dG_i/dR_j from the stored
    // per-neighbour derivatives (file comment of training/descriptors.hpp) against central differences.
    const auto data = synthetic_data(2, 71);
    const Model m = prepared_model(settings("t t l", false, true), data, 5);
    for (std::size_t k = 0; k < data.size(); ++k) {
        const training::StructureDescriptors d = training::compute_descriptors(m, data[k], true);
        const std::size_t n = data[k].size();
        double worst = 0.0, largest = 0.0;
        for (std::size_t j = 0; j < n; ++j)
            for (int a = 0; a < 3; ++a) {
                auto G_at = [&](double dx) {
                    Structure s = data[k];
                    s.positions[j][a] += dx;
                    return training::compute_descriptors(m, s, false).G;
                };
                const auto Gp = G_at(1e-5), Gm = G_at(-1e-5), Gp2 = G_at(2e-5), Gm2 = G_at(-2e-5);
                for (std::size_t i = 0; i < n; ++i) {
                    const std::size_t ns = d.G[i].size(), nn = d.neighbor_atom[i].size();
                    for (std::size_t f = 0; f < ns; ++f) {
                        double an = 0.0;
                        for (std::size_t q = 0; q < nn; ++q) {
                            const double v = d.dG[i][(f * nn + q) * 3 + static_cast<std::size_t>(a)];
                            if (d.neighbor_atom[i][q] == j) an += v;
                            if (i == j) an -= v;
                        }
                        const double fd = (8.0 * (Gp[i][f] - Gm[i][f]) - (Gp2[i][f] - Gm2[i][f])) / (12.0 * 1e-5);
                        worst = std::max(worst, std::abs(an - fd));
                        largest = std::max(largest, std::abs(an));
                    }
                }
            }
        INFO("structure " << k << ": max |dG/dR - FD| " << worst << ", max |dG/dR| " << largest);
        REQUIRE(largest > 0.0);
        CHECK(worst < 1e-7 * largest);
    }
}
