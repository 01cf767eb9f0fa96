// hdnnp: fitting the short-range networks of a 2G model to reference energies and forces.
//
//   Model m = training::prepare_model(input_nn_text, data, seed);       // setup.hpp: settings, scaling, weights
//   training::Trainer t(std::move(m), data, options);                    // caches functions (and dG/dR)
//   t.fit_output_bias();                                                 // optional: start at the mean energy
//   t.train([](const training::EpochReport& r) { ... });                 // Adam, options.epochs epochs
//   io::write_n2p2_model(dir, t.model(), input_nn_text);
//
// Model (n2p2's 2G HDNNP, in the units of the data): E = sum_i NN_{e_i}(x_i) / conv_energy + c, with
// x_i = scaled symmetry functions of atom i, c = N mean_energy + sum_i atom_energy(e_i) (fixed), and
// F_j = -dE/dR_j.
//
// Loss over a set B of structures (a mini-batch for the updates, the whole train or test set for reports):
//   L = (1/|B|) sum_{s in B} ((E_s - E_s^ref) / N_s)^2
//     + beta (1 / (3 sum_{s in B} N_s)) sum_{s in B} sum_{i in s} |F_si - F_si^ref|^2     (if use_forces)
// Units: [energy^2] (energy per atom, squared); beta = force_weight [length^2]. Both terms are mean squared
// errors, so their square roots are the energy RMSE per atom and the force RMSE per component reported in
// Errors.
//
// Gradients are analytic. Energy term: back-propagation through each atom's network. Force term: with
// the cached Jacobians J_i[s][n] = (dx_s/dG_s) dG_s/dd_n of each atom i and neighbour image n (dx/dG is
// the scaling factor), g_in = (1/conv_energy) sum_s dNN_i/dx_s J_i[s][n] = dE_i/dd_n is added to F_i and
// subtracted from F_{j(n)} (j(n): the atom of image n); with A_j = dL/dF_j the force term's gradient is
// sum_i d/dw [v_i . grad_x NN_i(x_i)] with the fixed vector v_i[s] = (1/conv_energy) sum_n
// (A_i - A_{j(n)}) . J_i[s][n], computed exactly by a forward pass carrying the tangent v_i through the
// network followed by one reverse pass (which needs f'' of the activations).
//
// Optimisers (options.updater):
// - Adam (Kingma & Ba) on mini-batches of structures in an order drawn from `seed`; the step size decays
//   geometrically from learning_rate to learning_rate_final over the epochs.
// - n2p2's global extended Kalman filter (kalman.hpp, kalman_epoch below): one filter over all weights,
//   single-observation updates with the Jacobians dE_s/dw of a structure's energy (energy_jacobian: a
//   reverse pass per atom) and dF_{a,c}/dw of one force component (force_jacobian: with A the unit vector
//   of the component, the force term's tangent-carrying forward and reverse passes for atom a and the
//   atoms that have a as a neighbour).
// Everything is deterministic for a given seed, independent of the number of OpenMP threads (per-structure
// gradients are summed in a fixed order; the filter's rows are updated independently).
//
// Reports (EpochReport) give the energy RMSE per atom and the force RMSE per component of the training and
// test sets; with use_forces from the cache (equal to Potential::compute up to rounding), else, if
// potential_force_errors, from Potential::compute on the current model. The split is random (test_fraction,
// seed) unless every structure carries a set=train|test label (Structure::set).
//
// The trainer copies the model and the structures and caches the scaled functions (and, for force
// training, their derivatives) at construction: the model's scaling must be final by then
// (training::prepare_model does everything before).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "hdnnp/core/error.hpp"
#include "hdnnp/potential/model.hpp"
#include "hdnnp/potential/potential.hpp"
#include "hdnnp/core/structure.hpp"
#include "hdnnp/networks/activation.hpp"
#include "hdnnp/networks/network.hpp"
#include "hdnnp/training/descriptors.hpp"
#include "hdnnp/training/kalman.hpp"
#include "hdnnp/training/network_passes.hpp"
#include "hdnnp/training/setup.hpp"

namespace hdnnp::training {

/// The weight update method (n2p2's updater_type).
enum class Updater {
    adam,    ///< updater_type 0 with gradient_type 1: Adam on mini-batches of the loss L
    kalman,  ///< updater_type 1: n2p2's global extended Kalman filter (kalman.hpp)
};

/// How the Kalman filter picks its update candidates (n2p2's selection_mode 0 and 2).
enum class Selection {
    random,     ///< the next candidate of the shuffled list
    threshold,  ///< the first of up to threshold_trials candidates whose error exceeds threshold x train RMSE, else the worst of them
};

/// Settings of a fit.
struct TrainerOptions {
    Updater updater = Updater::adam;    ///< updater_type (0 gradient descent: Adam; 1 Kalman filter)
    std::size_t epochs = 100;           ///< passes over the training set
    std::size_t batch_size = 8;         ///< structures per Adam step (0: the whole training set)
    double learning_rate = 1e-3;        ///< Adam step size in the first epoch
    double learning_rate_final = 0.0;   ///< step size in the last epoch (geometric decay); <= 0: constant
    double beta1 = 0.9, beta2 = 0.999;  ///< Adam moment decay rates
    double adam_epsilon = 1e-8;         ///< Adam denominator offset (in gradient units)
    double test_fraction = 0.1;         ///< share of structures held out (random split from `seed`)
    bool use_set_labels = true;         ///< if every structure has set "train" or "test", use that split instead
    std::uint64_t seed = 1;             ///< split and mini-batch order
    bool use_forces = false;            ///< fit forces too (caches dG/dR of every structure)
    double force_weight = 1.0;          ///< beta of the loss [length^2]
    std::size_t report_interval = 1;    ///< train(): full reports every this many epochs (and the last)
    bool potential_force_errors = true; ///< energy-only fits: reports carry force RMSEs from Potential::compute
    // Kalman filter (updater kalman); force_weight above multiplies the force updates' error and Jacobian
    // (n2p2's meaning) instead of weighting the loss.
    KalmanParameters kalman;            ///< kalman_epsilon, kalman_q0, ... (kalman.hpp)
    double energy_fraction = 1.0;       ///< short_energy_fraction: energy updates per epoch / training structures
    double force_fraction = 0.02315;    ///< short_force_fraction: force updates per epoch / training force components
    Selection selection = Selection::threshold;  ///< selection_mode (0 random, 2 threshold)
    double energy_error_threshold = 0.0;  ///< short_energy_error_threshold (times the train energy RMSE per atom)
    double force_error_threshold = 1.0;   ///< short_force_error_threshold (times the train force RMSE)
    std::size_t threshold_trials = 3;     ///< rmse_threshold_trials
};

/// Errors of a set of structures.
struct Errors {
    double energy_rmse = std::numeric_limits<double>::quiet_NaN();  ///< sqrt(mean ((E - E_ref)/N)^2) [energy/atom]
    double force_rmse = std::numeric_limits<double>::quiet_NaN();   ///< sqrt(mean (F_a - F_a^ref)^2), all components [energy/length]
    std::size_t structures = 0, atoms = 0;
};

/// State after an epoch (epoch 0: before training). Epochs between report intervals carry only
/// `epoch` and `learning_rate` (loss and errors NaN).
struct EpochReport {
    std::size_t epoch = 0;
    double learning_rate = 0.0;  ///< step size used in this epoch
    double loss_train = std::numeric_limits<double>::quiet_NaN();  ///< L over the whole training set [energy^2]
    Errors train, test;          ///< force RMSE from the cache (force fits) or Potential::compute (see options)
    bool complete() const { return !std::isnan(loss_train); }
};

namespace detail_train {

/// One cached structure: scaled functions and, for force fits, scaled derivatives.
struct Cached {
    std::size_t n = 0;
    std::vector<int> element;
    std::vector<std::size_t> xoff;  // (n + 1) offsets into x
    std::vector<double> x;          // scaled functions of all atoms
    double e_ref = 0.0, e_offset = 0.0;
    std::vector<Vec3> f_ref;
    std::vector<std::size_t> nboff;  // (n + 1) offsets into nb
    std::vector<std::uint32_t> nb;   // neighbour atoms
    std::vector<std::size_t> joff;   // (n + 1) offsets into jac
    std::vector<double> jac;         // per atom [s][n][3]: factor_s dG_s/dd_n
};

}  // namespace detail_train

/// Fits the networks of a Model (see the file comment for the loss and the method).
class Trainer {
public:
    /// Takes the model (scaling set, weights initialised) and the data (every structure needs an energy;
    /// with use_forces also forces). Splits train/test and caches the functions. Throws Error for
    /// unusable input (no energies, elements the model lacks, empty training set, non-2G model).
    Trainer(Model model, std::vector<Structure> structures, TrainerOptions options)
        : model_(std::move(model)), structures_(std::move(structures)), opt_(options), rng_(options.seed ^ 0x9e3779b97f4a7c15ULL) {
        if (model_.generation != Generation::second) throw Error("Trainer: only 2G (short-range) models can be fitted");
        if (structures_.empty()) throw Error("Trainer: no structures");
        std::size_t p = 0;
        for (std::size_t e = 0; e < model_.elements.size(); ++e) {
            const Network& net = model_.elements[e].network;
            if (net.layers().empty() || net.n_outputs() != 1)
                throw Error("Trainer: the network of element " + model_.elements[e].symbol + " must have one output");
            elem_off_.push_back(p);
            p += network_passes::parameter_count(net);
        }
        elem_off_.push_back(p);
        n_params_ = p;
        split();
        build_cache();
        m_.assign(n_params_, 0.0);
        v_.assign(n_params_, 0.0);
    }

    const Model& model() const { return model_; }
    const TrainerOptions& options() const { return opt_; }
    const std::vector<Structure>& structures() const { return structures_; }
    /// Indices (into structures()) of the training and test sets, ascending.
    const std::vector<std::size_t>& train_indices() const { return train_; }
    const std::vector<std::size_t>& test_indices() const { return test_; }
    /// Epochs trained so far.
    std::size_t epoch() const { return epoch_; }

    /// Number of weights and biases of all networks.
    std::size_t n_parameters() const { return n_params_; }
    /// All weights and biases: element by element (ascending atomic number), each in n2p2's file order.
    std::vector<double> parameters() const {
        std::vector<double> p(n_params_);
        for (std::size_t e = 0; e < model_.elements.size(); ++e)
            network_passes::get_parameters(model_.elements[e].network, p.data() + elem_off_[e]);
        return p;
    }
    /// Sets all weights and biases (layout of parameters()).
    void set_parameters(const std::vector<double>& p) {
        if (p.size() != n_params_)
            throw Error("Trainer::set_parameters: " + std::to_string(p.size()) + " values for " + std::to_string(n_params_) + " parameters");
        for (std::size_t e = 0; e < model_.elements.size(); ++e)
            network_passes::set_parameters(model_.elements[e].network, p.data() + elem_off_[e]);
    }
    /// Re-draws all weights (setup.hpp's initialize_weights) and resets the optimiser.
    void initialize_weights(std::uint64_t seed, WeightInit method = WeightInit::glorot_uniform) {
        training::initialize_weights(model_, seed, method);
        reset_optimizer();
    }
    /// Shifts the output biases (linear output layers only) so that the mean energy-per-atom error over the
    /// training set is zero.
    void fit_output_bias() {
        double mean = 0.0;
        detail_train::Work w;
        for (std::size_t k : train_) {
            const detail_train::Cached& c = cache_[k];
            mean += (c.e_ref - predict(c, w, false)) / static_cast<double>(c.n);
        }
        mean /= static_cast<double>(train_.size());
        for (ElementModel& em : model_.elements) {
            DenseLayer& L = em.network.layers().back();
            if (L.activation != Activation::linear) continue;
            const double s = em.network.normalize_nodes() ? 1.0 / static_cast<double>(L.n_in) : 1.0;
            L.biases[0] += mean * model_.conv_energy / s;
        }
    }
    void reset_optimizer() {
        m_.assign(n_params_, 0.0);
        v_.assign(n_params_, 0.0);
        step_ = 0;
    }

    /// The loss L over the structures `ids` (indices into structures()); forces enter if use_forces.
    double loss(const std::vector<std::size_t>& ids) const { return evaluate(ids, nullptr); }
    /// L and dL/dw (layout of parameters()) over the structures `ids`.
    double loss_and_gradient(const std::vector<std::size_t>& ids, std::vector<double>& gradient) const {
        gradient.assign(n_params_, 0.0);
        return evaluate(ids, &gradient);
    }

    /// Energy RMSE per atom (and force RMSE when forces are cached, i.e. use_forces) from the cached
    /// functions; equal to potential_errors up to rounding.
    Errors errors(const std::vector<std::size_t>& ids) const {
        Errors r;
        const bool forces = opt_.use_forces;
        std::vector<double> esq(ids.size(), 0.0), fsq(ids.size(), 0.0);
        const long n = static_cast<long>(ids.size());
#pragma omp parallel
        {
            detail_train::Work w;
#pragma omp for schedule(dynamic, 1)
            for (long k = 0; k < n; ++k) {
                const detail_train::Cached& c = cache_[ids[static_cast<std::size_t>(k)]];
                const double de = (predict(c, w, forces) - c.e_ref) / static_cast<double>(c.n);
                esq[static_cast<std::size_t>(k)] = de * de;
                if (forces)
                    for (std::size_t i = 0; i < c.n; ++i)
                        for (int a = 0; a < 3; ++a) {
                            const double d = w.F[i][a] - c.f_ref[i][a];
                            fsq[static_cast<std::size_t>(k)] += d * d;
                        }
            }
        }
        double se = 0.0, sf = 0.0;
        for (std::size_t k = 0; k < ids.size(); ++k) {
            se += esq[k];
            sf += fsq[k];
            r.atoms += cache_[ids[k]].n;
        }
        r.structures = ids.size();
        if (r.structures > 0) r.energy_rmse = std::sqrt(se / static_cast<double>(r.structures));
        if (forces && r.atoms > 0) r.force_rmse = std::sqrt(sf / static_cast<double>(3 * r.atoms));
        return r;
    }

    /// The same errors computed with Potential::compute on the current model (independent of the cache):
    /// energy RMSE per atom and force RMSE per component (reference forces taken as given, zeros if absent).
    Errors potential_errors(const std::vector<std::size_t>& ids) const {
        const Potential<> pot(model_);
        Errors r;
        double se = 0.0, sf = 0.0;
        for (std::size_t k : ids) {
            const Structure& s = structures_[k];
            const Result res = pot.compute(s);
            const double de = (res.energy - s.energy) / static_cast<double>(s.size());
            se += de * de;
            for (std::size_t i = 0; i < s.size(); ++i)
                for (int a = 0; a < 3; ++a) {
                    const double d = res.forces[i][a] - (s.forces.empty() ? 0.0 : s.forces[i][a]);
                    sf += d * d;
                }
            r.atoms += s.size();
        }
        r.structures = ids.size();
        if (r.structures > 0) {
            r.energy_rmse = std::sqrt(se / static_cast<double>(r.structures));
            r.force_rmse = std::sqrt(sf / static_cast<double>(3 * r.atoms));
        }
        return r;
    }

    /// The state now (loss and errors of both sets), labelled with the current epoch.
    EpochReport report() const {
        EpochReport r;
        r.epoch = epoch_;
        r.learning_rate = epoch_ == 0 ? 0.0 : learning_rate(epoch_);
        r.loss_train = loss(train_);
        r.train = errors(train_);
        r.test = errors(test_);
        if (!opt_.use_forces && opt_.potential_force_errors) {
            r.train.force_rmse = potential_errors(train_).force_rmse;
            r.test.force_rmse = potential_errors(test_).force_rmse;
        }
        return r;
    }

    /// The Adam step size of epoch `e` (1-based).
    double learning_rate(std::size_t e) const {
        if (opt_.learning_rate_final <= 0.0 || opt_.epochs <= 1) return opt_.learning_rate;
        const double t = static_cast<double>(std::min(e, opt_.epochs) - 1) / static_cast<double>(opt_.epochs - 1);
        return opt_.learning_rate * std::pow(opt_.learning_rate_final / opt_.learning_rate, t);
    }

    /// One epoch of the chosen updater: Adam (the training set in a random order, one step per
    /// mini-batch) or the Kalman filter (kalman_epoch). Returns the full report if `full_report`, else
    /// only epoch and learning rate (Adam's step size; the filter's eta for the Kalman filter).
    EpochReport train_epoch(bool full_report = true) {
        ++epoch_;
        if (opt_.updater == Updater::kalman) {
            kalman_epoch();
            EpochReport r;
            if (full_report) r = report();
            r.epoch = epoch_;
            r.learning_rate = kf_.eta();
            return r;
        }
        const double lr = learning_rate(epoch_);
        std::vector<std::size_t> order = train_;
        rng_.shuffle(order);
        const std::size_t bs = opt_.batch_size == 0 ? order.size() : opt_.batch_size;
        std::vector<double> p = parameters(), g;
        std::vector<std::size_t> batch;
        for (std::size_t b = 0; b < order.size(); b += bs) {
            batch.assign(order.begin() + static_cast<long>(b), order.begin() + static_cast<long>(std::min(order.size(), b + bs)));
            loss_and_gradient(batch, g);
            ++step_;
            const double c1 = 1.0 - std::pow(opt_.beta1, static_cast<double>(step_));
            const double c2 = 1.0 - std::pow(opt_.beta2, static_cast<double>(step_));
            for (std::size_t k = 0; k < n_params_; ++k) {
                m_[k] = opt_.beta1 * m_[k] + (1.0 - opt_.beta1) * g[k];
                v_[k] = opt_.beta2 * v_[k] + (1.0 - opt_.beta2) * g[k] * g[k];
                p[k] -= lr * (m_[k] / c1) / (std::sqrt(v_[k] / c2) + opt_.adam_epsilon);
            }
            set_parameters(p);
        }
        EpochReport r;
        if (full_report) r = report();
        r.epoch = epoch_;
        r.learning_rate = lr;
        return r;
    }

    /// Energy of structure k (index into structures()) [energy] and its Jacobian dE/dw into J (layout
    /// of parameters(); [energy] per weight unit).
    double energy_jacobian(std::size_t k, std::vector<double>& J) const {
        const detail_train::Cached& c = cached(k);
        detail_train::Work w;
        J.assign(n_params_, 0.0);
        const double e = predict(c, w, false);
        const double inv_conv = 1.0 / model_.conv_energy;
        for (std::size_t i = 0; i < c.n; ++i) {
            const std::size_t el = static_cast<std::size_t>(c.element[i]);
            const Network& net = model_.elements[el].network;
            const double* x = c.x.data() + c.xoff[i];
            network_passes::forward(net, x, nullptr, w);
            network_passes::reverse(net, x, nullptr, inv_conv, 0.0, w, J.data() + elem_off_[el]);
        }
        return e;
    }

    /// Force component `comp` (0 x, 1 y, 2 z) on atom `atom` (0-based) of structure k [energy/length] and
    /// its Jacobian dF/dw into J (layout of parameters()). Needs use_forces (the cached dG/dR).
    double force_jacobian(std::size_t k, std::size_t atom, int comp, std::vector<double>& J) const {
        if (!opt_.use_forces) throw Error("Trainer::force_jacobian: forces are not cached (use_forces is off)");
        const detail_train::Cached& c = cached(k);
        if (atom >= c.n || comp < 0 || comp > 2)
            throw Error("Trainer::force_jacobian: no component " + std::to_string(comp) + " of atom " + std::to_string(atom) +
                        " in structure " + std::to_string(k + 1) + " (" + std::to_string(c.n) + " atoms)");
        detail_train::Work w;
        J.assign(n_params_, 0.0);
        predict(c, w, true);
        const double f = w.F[atom][comp];
        w.A.assign(c.n, Vec3{0, 0, 0});
        w.A[atom][comp] = 1.0;  // d(A.F)/dw with A the unit vector of this component
        for (std::size_t i = 0; i < c.n; ++i) {
            bool touches = i == atom;
            for (std::size_t q = c.nboff[i]; q < c.nboff[i + 1] && !touches; ++q) touches = c.nb[q] == atom;
            if (!touches) continue;
            const std::size_t el = static_cast<std::size_t>(c.element[i]);
            const Network& net = model_.elements[el].network;
            const double* x = c.x.data() + c.xoff[i];
            const double* xd = force_tangent(c, i, w);
            network_passes::forward(net, x, xd, w);
            network_passes::reverse(net, x, xd, 0.0, 1.0, w, J.data() + elem_off_[el]);
        }
        return f;
    }

    /// The Kalman filter's state (meaningful after the first Kalman epoch).
    const KalmanFilter& kalman_filter() const { return kf_; }
    /// Updates per Kalman epoch: {energy updates, force updates} (n2p2's projected numbers).
    std::pair<std::size_t, std::size_t> kalman_updates_per_epoch() const {
        std::size_t atoms = 0;
        for (std::size_t k : train_) atoms += cache_[k].n;
        const auto ne = static_cast<std::size_t>(static_cast<double>(train_.size()) * opt_.energy_fraction);
        const auto nf = opt_.use_forces ? static_cast<std::size_t>(static_cast<double>(3 * atoms) * opt_.force_fraction) : 0;
        return {ne, nf};
    }

    /// Trains the remaining epochs up to options().epochs, calling `on_epoch` (if given) with the report
    /// of epoch 0 (when starting from scratch) and of every epoch; reports are complete for epoch 0, every
    /// report_interval-th epoch and the last one. Returns the last (complete) report.
    EpochReport train(const std::function<void(const EpochReport&)>& on_epoch = {}) {
        EpochReport r = report();
        if (epoch_ == 0 && on_epoch) on_epoch(r);
        const std::size_t every = std::max<std::size_t>(1, opt_.report_interval);
        while (epoch_ < opt_.epochs) {
            const std::size_t next = epoch_ + 1;
            r = train_epoch(next % every == 0 || next == opt_.epochs);
            if (on_epoch) on_epoch(r);
        }
        return r;
    }

private:
    const detail_train::Cached& cached(std::size_t k) const {
        if (k >= cache_.size())
            throw Error("Trainer: structure index " + std::to_string(k) + " out of range (" + std::to_string(cache_.size()) + " structures)");
        return cache_[k];
    }

    /// After predict(c, w, true) and with w.A = dL/dF: the tangent direction v_i (shape (n_functions))
    /// v_i[s] = (1/conv_energy) sum_n (A_i - A_{j(n)}) . J_i[s][n], in w.v.
    const double* force_tangent(const detail_train::Cached& c, std::size_t i, detail_train::Work& w) const {
        const double inv_conv = 1.0 / model_.conv_energy;
        const std::size_t ns = c.xoff[i + 1] - c.xoff[i], nn = c.nboff[i + 1] - c.nboff[i], m = 3 * nn;
        const double* J = c.jac.data() + c.joff[i];
        w.g.resize(m);
        for (std::size_t k = 0; k < nn; ++k) {
            const Vec3& Aj = w.A[c.nb[c.nboff[i] + k]];
            for (int q = 0; q < 3; ++q) w.g[3 * k + q] = w.A[i][q] - Aj[q];
        }
        w.v.resize(ns);
        for (std::size_t f = 0; f < ns; ++f) {
            const double* row = J + f * m;
            double a = 0.0;
            for (std::size_t t = 0; t < m; ++t) a += w.g[t] * row[t];
            w.v[f] = a * inv_conv;
        }
        return w.v.data();
    }

    /// One epoch of n2p2's Kalman filter training (Training::loop, Training::update with jacobian_mode 1,
    /// update_strategy 0, one candidate per update): the energy candidates (training structures) and
    /// force candidates (every component of every training atom) are shuffled; a schedule of
    /// floor(energy_fraction x structures) energy updates and floor(force_fraction x components) force
    /// updates is shuffled; each update picks its candidate (selection) and applies one filter update
    /// with error xi = y_ref - y and Jacobian H = dy/dw in n2p2's normalised units (energy: conv_energy
    /// (E_ref - E); force: conv_energy / conv_length (F_ref - F)), force updates multiplied by force_weight.
    void kalman_epoch() {
        const auto [ne, nf] = kalman_updates_per_epoch();
        if (ne + nf == 0) throw Error("Trainer: the Kalman filter has no updates per epoch (short_energy_fraction, short_force_fraction)");
        if (kf_.size() != n_params_) kf_ = KalmanFilter(n_params_, opt_.kalman, static_cast<double>(ne + nf));
        std::vector<std::size_t> ecand = train_;
        rng_.shuffle(ecand);
        if (opt_.use_forces && fcand_.empty())
            for (std::size_t k : train_)
                for (std::size_t i = 0; i < cache_[k].n; ++i)
                    for (std::size_t q = 0; q < 3; ++q) fcand_.push_back({k, i, q});
        rng_.shuffle(fcand_);
        std::vector<char> schedule(nf, 'F');
        schedule.insert(schedule.end(), ne, 'E');
        rng_.shuffle(schedule);
        const bool thr = opt_.selection == Selection::threshold;
        const Errors et = thr ? errors(train_) : Errors{};
        const std::size_t trials = thr ? std::max<std::size_t>(1, opt_.threshold_trials) : 1;
        const double sE = model_.conv_energy, sF = model_.conv_energy / model_.conv_length * opt_.force_weight;
        std::vector<double> p = parameters(), H;
        std::size_t pe = 0, pf = 0;
        detail_train::Work w;
        for (char u : schedule) {
            double xi = 0.0;
            if (u == 'E') {
                std::size_t best = ecand[pe % ecand.size()];
                double worst = -1.0;
                for (std::size_t t = 0; t < trials; ++t) {
                    const std::size_t k = ecand[pe++ % ecand.size()];
                    if (!thr) { best = k; break; }
                    const detail_train::Cached& c = cache_[k];
                    const double frac = std::abs(c.e_ref - predict(c, w, false)) / (static_cast<double>(c.n) * et.energy_rmse);
                    if (frac > worst) { worst = frac; best = k; }
                    if (frac > opt_.energy_error_threshold) break;
                }
                xi = (cache_[best].e_ref - energy_jacobian(best, H)) * sE;
                for (double& h : H) h *= sE;
            } else {
                std::array<std::size_t, 3> best = fcand_[pf % fcand_.size()];
                double worst = -1.0;
                for (std::size_t t = 0; t < trials; ++t) {
                    const auto& fc = fcand_[pf++ % fcand_.size()];
                    if (!thr) { best = fc; break; }
                    const detail_train::Cached& c = cache_[fc[0]];
                    predict(c, w, true);
                    const int q = static_cast<int>(fc[2]);
                    const double frac = std::abs(c.f_ref[fc[1]][q] - w.F[fc[1]][q]) / et.force_rmse;
                    if (frac > worst) { worst = frac; best = fc; }
                    if (frac > opt_.force_error_threshold) break;
                }
                const int q = static_cast<int>(best[2]);
                xi = (cache_[best[0]].f_ref[best[1]][q] - force_jacobian(best[0], best[1], q, H)) * sF;
                for (double& h : H) h *= sF;
            }
            kf_.update(p.data(), H.data(), xi);
            set_parameters(p);
        }
    }

    void split() {
        const std::size_t n = structures_.size();
        bool labelled = opt_.use_set_labels;
        for (const Structure& s : structures_)
            if (s.set != "train" && s.set != "test") labelled = false;
        if (labelled) {
            for (std::size_t k = 0; k < n; ++k) (structures_[k].set == "train" ? train_ : test_).push_back(k);
        } else {
            std::vector<std::size_t> ids(n);
            for (std::size_t k = 0; k < n; ++k) ids[k] = k;
            Random r(opt_.seed);
            r.shuffle(ids);
            const std::size_t nt = std::min(n, static_cast<std::size_t>(std::llround(opt_.test_fraction * static_cast<double>(n))));
            test_.assign(ids.begin(), ids.begin() + static_cast<long>(nt));
            train_.assign(ids.begin() + static_cast<long>(nt), ids.end());
            std::sort(train_.begin(), train_.end());
            std::sort(test_.begin(), test_.end());
        }
        if (train_.empty()) throw Error("Trainer: the training set is empty");
    }

    void build_cache() {
        cache_.resize(structures_.size());
        const long n = static_cast<long>(structures_.size());
        std::string error;
#pragma omp parallel for schedule(dynamic, 1)
        for (long k = 0; k < n; ++k) {
            try {
                cache_structure(static_cast<std::size_t>(k));
            } catch (const std::exception& ex) {
#pragma omp critical(hdnnp_trainer_error)
                if (error.empty()) error = "structure " + std::to_string(k + 1) + ": " + ex.what();
            }
        }
        if (!error.empty()) throw Error("Trainer: " + error);
    }

    void cache_structure(std::size_t k) {
        const Structure& s = structures_[k];
        detail_train::Cached& c = cache_[k];
        if (!s.has_energy) throw Error("no reference energy");
        if (opt_.use_forces && s.forces.size() != s.size()) throw Error("no reference forces");
        const StructureDescriptors d = compute_descriptors(model_, s, opt_.use_forces);
        c.n = s.size();
        c.element = d.element;
        c.e_ref = s.energy;
        c.e_offset = 0.0;
        c.xoff.assign(1, 0);
        for (std::size_t i = 0; i < c.n; ++i) {
            const ElementModel& em = model_.elements[static_cast<std::size_t>(c.element[i])];
            c.e_offset += model_.mean_energy + em.atom_energy;
            const std::size_t b = c.x.size();
            c.x.resize(b + d.G[i].size());
            em.scaling.apply(d.G[i].data(), c.x.data() + b);
            c.xoff.push_back(c.x.size());
        }
        if (!opt_.use_forces) return;
        c.f_ref = s.forces;
        c.nboff.assign(1, 0);
        c.joff.assign(1, 0);
        for (std::size_t i = 0; i < c.n; ++i) {
            const ElementModel& em = model_.elements[static_cast<std::size_t>(c.element[i])];
            const std::size_t ns = d.G[i].size(), nn = d.neighbor_atom[i].size();
            c.nb.insert(c.nb.end(), d.neighbor_atom[i].begin(), d.neighbor_atom[i].end());
            c.nboff.push_back(c.nb.size());
            const std::size_t b = c.jac.size();
            c.jac.resize(b + ns * nn * 3);
            for (std::size_t f = 0; f < ns; ++f)
                for (std::size_t t = 0; t < nn * 3; ++t)
                    c.jac[b + f * nn * 3 + t] = em.scaling.factor[f] * d.dG[i][f * nn * 3 + t];
            c.joff.push_back(c.jac.size());
        }
    }

    /// Energy of a cached structure; with `forces` also w.F (and w.dnn).
    double predict(const detail_train::Cached& c, detail_train::Work& w, bool forces) const {
        const double inv_conv = 1.0 / model_.conv_energy;
        double e = 0.0;
        if (forces) w.dnn.resize(c.x.size());
        for (std::size_t i = 0; i < c.n; ++i) {
            const Network& net = model_.elements[static_cast<std::size_t>(c.element[i])].network;
            e += network_passes::forward(net, c.x.data() + c.xoff[i], nullptr, w);
            if (forces) network_passes::input_gradient(net, w, w.dnn.data() + c.xoff[i]);
        }
        if (forces) {
            w.F.assign(c.n, Vec3{0, 0, 0});
            for (std::size_t i = 0; i < c.n; ++i) {
                const std::size_t ns = c.xoff[i + 1] - c.xoff[i], nn = c.nboff[i + 1] - c.nboff[i], m = 3 * nn;
                const double* J = c.jac.data() + c.joff[i];
                const double* a = w.dnn.data() + c.xoff[i];
                w.g.assign(m, 0.0);
                for (std::size_t f = 0; f < ns; ++f) {
                    const double af = a[f] * inv_conv;
                    const double* row = J + f * m;
                    for (std::size_t t = 0; t < m; ++t) w.g[t] += af * row[t];
                }
                Vec3 fi{0, 0, 0};
                for (std::size_t k = 0; k < nn; ++k) {
                    Vec3& fj = w.F[c.nb[c.nboff[i] + k]];
                    for (int q = 0; q < 3; ++q) {
                        fi[q] += w.g[3 * k + q];
                        fj[q] -= w.g[3 * k + q];
                    }
                }
                w.F[i] += fi;
            }
        }
        return e * inv_conv + c.e_offset;
    }

    /// Loss term of one structure (weights cE, cF of the set) and, if g, its gradient added to g.
    double structure_loss(const detail_train::Cached& c, detail_train::Work& w, double cE, double cF, double* g) const {
        const bool forces = opt_.use_forces;
        const double inv_conv = 1.0 / model_.conv_energy;
        const double n = static_cast<double>(c.n);
        const double r = (predict(c, w, forces) - c.e_ref) / n;
        double L = cE * r * r;
        if (forces) {
            w.A.resize(c.n);
            for (std::size_t j = 0; j < c.n; ++j)
                for (int q = 0; q < 3; ++q) {
                    const double d = w.F[j][q] - c.f_ref[j][q];
                    L += cF * d * d;
                    w.A[j][q] = 2.0 * cF * d;
                }
        }
        if (!g) return L;
        const double aE = 2.0 * cE * r / n * inv_conv;
        for (std::size_t i = 0; i < c.n; ++i) {
            const std::size_t e = static_cast<std::size_t>(c.element[i]);
            const Network& net = model_.elements[e].network;
            const double* x = c.x.data() + c.xoff[i];
            const double* xd = nullptr;
            if (forces) xd = force_tangent(c, i, w);
            network_passes::forward(net, x, xd, w);
            network_passes::reverse(net, x, xd, aE, 1.0, w, g + elem_off_[e]);
        }
        return L;
    }

    double evaluate(const std::vector<std::size_t>& ids, std::vector<double>* gradient) const {
        if (ids.empty()) return 0.0;
        std::size_t atoms = 0;
        for (std::size_t k : ids) {
            if (k >= cache_.size()) throw Error("Trainer: structure index " + std::to_string(k) + " out of range");
            atoms += cache_[k].n;
        }
        const double cE = 1.0 / static_cast<double>(ids.size());
        const double cF = opt_.use_forces ? opt_.force_weight / static_cast<double>(3 * atoms) : 0.0;
        std::vector<double> part(ids.size(), 0.0);
        std::vector<std::vector<double>> grads(gradient ? ids.size() : 0);
        const long n = static_cast<long>(ids.size());
#pragma omp parallel
        {
            detail_train::Work w;
#pragma omp for schedule(dynamic, 1)
            for (long k = 0; k < n; ++k) {
                const std::size_t u = static_cast<std::size_t>(k);
                double* g = nullptr;
                if (gradient) {
                    grads[u].assign(n_params_, 0.0);
                    g = grads[u].data();
                }
                part[u] = structure_loss(cache_[ids[u]], w, cE, cF, g);
            }
        }
        double L = 0.0;
        for (std::size_t k = 0; k < ids.size(); ++k) {
            L += part[k];
            if (gradient)
                for (std::size_t p = 0; p < n_params_; ++p) (*gradient)[p] += grads[k][p];
        }
        return L;
    }

    Model model_;
    std::vector<Structure> structures_;
    TrainerOptions opt_;
    Random rng_;
    std::vector<detail_train::Cached> cache_;
    std::vector<std::size_t> train_, test_;
    std::vector<std::size_t> elem_off_;                // per element (+ end): first parameter
    std::size_t n_params_ = 0;
    std::vector<double> m_, v_;
    std::size_t step_ = 0, epoch_ = 0;
    KalmanFilter kf_;
    std::vector<std::array<std::size_t, 3>> fcand_;  // Kalman force candidates: structure, atom, component
};

}  // namespace hdnnp::training
