// hdnnp: n2p2's training keywords of an input.nn, and n2p2's train/test split.
//
//   training::TrainingSettings ts = training::read_training_settings(input_nn_text, "input.nn");
//   for (const auto& w : ts.warnings) std::cerr << w << "\n";     // "input.nn:12: ..." per reported line
//   training::Trainer t(model, data, ts.options);
//
//   std::vector<bool> test = training::n2p2_test_selection(n_structures, test_fraction, random_seed);
//
// Keywords read (n2p2's names and meanings; defaults are n2p2's where it has one, epochs 10):
//   epochs, test_fraction, random_seed, use_short_forces, force_weight, short_energy_fraction,
//   short_force_fraction, updater_type (0 gradient descent, 1 Kalman filter), gradient_type (1 Adam),
//   gradient_adam_eta / _beta1 / _beta2 / _epsilon, kalman_type (0), kalman_epsilon, kalman_q0, kalman_qtau,
//   kalman_qmin, kalman_eta, kalman_etatau, kalman_etamax, selection_mode (0 random, 2 threshold),
//   short_energy_error_threshold, short_force_error_threshold, rmse_threshold_trials, weights_min,
//   weights_max, nguyen_widrow_weights_short, task_batch_size_energy / _force (1 only),
//   update_strategy (0 only), jacobian_mode (1: what the filter does; others are reported).
// Keywords that only steer n2p2's own output or parallelisation (write_*, parallel_mode,
// memorize_symfunc_results, main_error_metric, ...) are reported as ignored; keywords neither the model
// loader nor this reader knows are reported as unknown. Values outside what is implemented (kalman_type 1,
// selection_mode 1, gradient_type 0, ...) are refused with ParseError "FILE:LINE: ...".
//
// n2p2's split (Dataset::setupRandomNumberGenerator, Dataset::distributeStructures, Training::selectSets, one
// MPI process): its GSL mt19937 generator is seeded with random_seed (0 means 4357, as GSL), one number
// is drawn for the seed of its second generator, one gsl_rng_uniform_int(rng, 1) per structure while the
// structures are distributed, then per structure in file order r = x / 2^32 from one draw x, and the
// structure is a test structure if r < test_fraction. std::mt19937 produces GSL's mt19937 sequence.
// A structure whose input.data `begin` line carries set=train or set=test keeps that label and takes no
// draw of the last step: the draws go to the unlabelled structures in file order (the overload taking the
// structures). Checked against n2p2 61daa0df's nnp-train, one process (docs/training.md, "The split").
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "hdnnp/core/error.hpp"
#include "hdnnp/core/structure.hpp"
#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/training/kalman.hpp"
#include "hdnnp/training/trainer.hpp"

namespace hdnnp::training {

/// The training settings of an input.nn.
struct TrainingSettings {
    TrainerOptions options;       ///< epochs, split, forces, updater and its parameters
    std::uint64_t random_seed = 0;  ///< random_seed (split and weights)
    double weights_min = -1.0, weights_max = 1.0;  ///< weights_min / weights_max (see initialize_weights)
    bool nguyen_widrow = false;   ///< nguyen_widrow_weights_short
    std::vector<std::string> warnings;  ///< "FILE:LINE: keyword 'k' ...", one per reported line
};

/// Which structures n2p2 (one process) puts in the test set (see the file comment). Shape (n).
inline std::vector<bool> n2p2_test_selection(std::size_t n, double test_fraction, std::uint64_t random_seed) {
    std::mt19937 rng(static_cast<std::uint32_t>(random_seed == 0 ? 4357 : random_seed));
    rng();                                        // seed of n2p2's global generator
    for (std::size_t k = 0; k < n; ++k)           // gsl_rng_uniform_int(rng, 1): redraws only 2^32 - 1
        while (rng() == 0xffffffffu) {
        }
    std::vector<bool> test(n);
    for (std::size_t k = 0; k < n; ++k) test[k] = static_cast<double>(rng()) / 4294967296.0 < test_fraction;
    return test;
}

/// n2p2's split of structures that may carry labels (Structure::set "train" or "test"): a labelled structure
/// keeps its label, the j-th unlabelled one (file order) takes the j-th draw of the rule above. Shape (n).
inline std::vector<bool> n2p2_test_selection(const std::vector<Structure>& structures, double test_fraction,
                                             std::uint64_t random_seed) {
    const std::vector<bool> draws = n2p2_test_selection(structures.size(), test_fraction, random_seed);
    std::vector<bool> test(structures.size());
    std::size_t j = 0;
    for (std::size_t k = 0; k < structures.size(); ++k) {
        const std::string& set = structures[k].set;
        test[k] = set == "test" || (set != "train" && draws[j++]);
    }
    return test;
}

namespace detail_settings {

inline bool model_keyword(const std::string& k) {
    static const std::set<std::string> words = {
        "atom_energy", "center_symmetry_functions", "conv_charge", "conv_energy", "conv_length", "cutoff_type",
        "electrostatic_charges", "elements", "ewald_prec", "ewald_truncation_error_method", "fixed_gausswidth",
        "four_pi_epsilon", "mean_energy", "nnp_type", "normalize_nodes", "number_of_elements", "scale_max_short",
        "scale_min_short", "scale_symmetry_functions", "scale_symmetry_functions_sigma", "symfunction_short",
        "screen_electrostatics", "total_charge_scheme", "initial_hardness", "symfunction"};
    if (words.count(k)) return true;
    for (const char* prefix : {"global_hidden_layers_", "global_nodes_", "global_activation_", "element_hidden_layers_",
                               "element_nodes_", "element_activation_"})
        if (k.rfind(prefix, 0) == 0) return true;
    return false;
}

/// n2p2 keywords that steer only n2p2's own files, logging or MPI parallelisation.
inline bool ignored_keyword(const std::string& k) {
    static const std::set<std::string> words = {
        "parallel_mode", "memorize_symfunc_results", "main_error_metric", "write_trainpoints", "write_trainforces",
        "write_traincharges", "write_weights_epoch", "write_neuronstats", "write_trainlog", "write_symfunctions",
        "write_binary", "gradient_eta", "repeated_energy_update", "free_memory", "use_old_weights_short",
        "use_old_weights_charge", "write_hardness_epoch", "normalize_data_set", "symfunction_statistics"};
    return words.count(k) != 0;
}

}  // namespace detail_settings

/// Reads the training keywords of an input.nn text (see the file comment). `name` is used in messages.
/// Throws ParseError for malformed values and for values that select something not implemented.
inline TrainingSettings read_training_settings(const std::string& input_nn_text, const std::string& name = "input.nn") {
    std::istringstream in(input_nn_text);
    const io::detail_model::Settings S = io::detail_model::read_settings(in, name);
    TrainingSettings ts;
    TrainerOptions& o = ts.options;
    o.test_fraction = 0.0;
    auto num = [&](const char* k, double& v) {
        if (const auto* l = S.get(k)) v = S.number(*l, 1, "a value");
    };
    auto count = [&](const char* k, std::size_t& v) {
        if (const auto* l = S.get(k)) {
            const long x = S.integer(*l, 1, "a count");
            if (x < 0) S.fail(l->number, std::string("'") + k + "' must not be negative");
            v = static_cast<std::size_t>(x);
        }
    };
    auto choice = [&](const char* k, long fallback, std::initializer_list<long> allowed, const char* meaning) {
        const auto* l = S.get(k);
        if (!l) return fallback;
        const long v = S.integer(*l, 1, "an integer");
        for (long a : allowed)
            if (v == a) return v;
        S.fail(l->number, std::string("'") + k + " " + l->words[1] + "' is not implemented by hdnnp train (" + meaning + ")");
    };
    o.epochs = 10;  // n2p2 requires the keyword
    count("epochs", o.epochs);
    num("test_fraction", o.test_fraction);
    if (o.test_fraction < 0.0 || o.test_fraction >= 1.0)
        S.fail(S.get("test_fraction")->number, "test_fraction must be in [0, 1)");
    if (const auto* l = S.get("random_seed")) {
        const long v = S.integer(*l, 1, "a seed");
        ts.random_seed = static_cast<std::uint64_t>(v);
    }
    o.seed = ts.random_seed;
    o.use_forces = S.has("use_short_forces");
    o.force_weight = 1.0;
    num("force_weight", o.force_weight);
    num("short_energy_fraction", o.energy_fraction);
    num("short_force_fraction", o.force_fraction);
    o.updater = choice("updater_type", 1, {0, 1}, "0 gradient descent (Adam), 1 Kalman filter") == 1 ? Updater::kalman : Updater::adam;
    choice("gradient_type", 1, {1}, "1 Adam; fixed-step gradient descent is not offered");
    num("gradient_adam_eta", o.learning_rate);
    num("gradient_adam_beta1", o.beta1);
    num("gradient_adam_beta2", o.beta2);
    num("gradient_adam_epsilon", o.adam_epsilon);
    choice("kalman_type", 0, {0}, "0 standard; the fading-memory filter is not offered");
    num("kalman_epsilon", o.kalman.epsilon);
    num("kalman_q0", o.kalman.q0);
    num("kalman_qtau", o.kalman.qtau);
    num("kalman_qmin", o.kalman.qmin);
    num("kalman_eta", o.kalman.eta0);
    // As n2p2: eta grows only if both kalman_etatau and kalman_etamax are given.
    if (S.has("kalman_etatau") && S.has("kalman_etamax")) {
        num("kalman_etatau", o.kalman.etatau);
        num("kalman_etamax", o.kalman.etamax);
    } else {
        o.kalman.etatau = 0.0;
        o.kalman.etamax = o.kalman.eta0;
        for (const char* k : {"kalman_etatau", "kalman_etamax"})
            if (const auto* l = S.get(k))
                ts.warnings.push_back(name + ":" + std::to_string(l->number) + ": keyword '" + k +
                                      "' ignored: eta grows only if both kalman_etatau and kalman_etamax are given (as n2p2)");
    }
    o.selection = choice("selection_mode", 2, {0, 2}, "0 random, 2 threshold; 1 (sort) is not offered") == 0 ? Selection::random
                                                                                                            : Selection::threshold;
    num("short_energy_error_threshold", o.energy_error_threshold);
    num("short_force_error_threshold", o.force_error_threshold);
    count("rmse_threshold_trials", o.threshold_trials);
    num("weights_min", ts.weights_min);
    num("weights_max", ts.weights_max);
    ts.nguyen_widrow = S.has("nguyen_widrow_weights_short");
    choice("task_batch_size_energy", 1, {1}, "one candidate per update");
    choice("task_batch_size_force", 1, {1}, "one candidate per update");
    choice("update_strategy", 0, {0}, "0 combined: one filter over all elements");
    choice("jacobian_mode", 1, {1}, "1: one summed Jacobian per update");
    static const std::set<std::string> read = {
        "epochs", "test_fraction", "random_seed", "use_short_forces", "force_weight", "short_energy_fraction",
        "short_force_fraction", "updater_type", "gradient_type", "gradient_adam_eta", "gradient_adam_beta1",
        "gradient_adam_beta2", "gradient_adam_epsilon", "kalman_type", "kalman_epsilon", "kalman_q0", "kalman_qtau",
        "kalman_qmin", "kalman_eta", "kalman_etatau", "kalman_etamax", "selection_mode", "short_energy_error_threshold",
        "short_force_error_threshold", "rmse_threshold_trials", "weights_min", "weights_max", "nguyen_widrow_weights_short",
        "task_batch_size_energy", "task_batch_size_force", "update_strategy", "jacobian_mode"};
    for (const auto& [k, lines] : S.entries) {
        if (read.count(k) || detail_settings::model_keyword(k)) continue;
        for (const auto& l : lines)
            ts.warnings.push_back(name + ":" + std::to_string(l.number) + ": keyword '" + k +
                                  (detail_settings::ignored_keyword(k) ? "' ignored (n2p2 output or parallelisation only)"
                                                                       : "' unknown to hdnnp train: ignored"));
    }
    return ts;
}

}  // namespace hdnnp::training
