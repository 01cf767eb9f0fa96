// hdnnp train, 4G models: n2p2's two training stages (nnp-train 1: electronegativity networks and hardness <-
// reference charges; nnp-train 2: short-range networks <- energies and forces) by full-batch L-BFGS
// (training/trainer_4g.hpp), with progress lines, learning-curve.out (+ .png) and the n2p2 4G model directory.
// The options are parsed by tools/train.cpp (`hdnnp train --help` documents them; docs/training-4g.md).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "text_file.hpp"
#include "train.hpp"
#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/io/n2p2_writer.hpp"
#include "hdnnp/training/settings.hpp"
#include "hdnnp/training/trainer_4g.hpp"
#include "plot.hpp"

namespace hdnnp::cli {

namespace {

constexpr long kStage1Iterations = 1500, kStage2Iterations = 3000, kReportEvery = 100;

/// n2p2 training keywords that steer the 2G optimisers (Kalman filter, Adam, update selection, epochs) or
/// n2p2's per-update charge training, none of which full-batch L-BFGS has.
bool lbfgs_ignores(const std::string& k) {
    static const std::set<std::string> words = {
        "epochs", "updater_type", "gradient_type", "selection_mode", "short_energy_fraction", "short_force_fraction",
        "short_energy_error_threshold", "short_force_error_threshold", "charge_error_threshold", "rmse_threshold_trials",
        "task_batch_size_energy", "task_batch_size_force", "task_batch_size_charge", "charge_fraction", "update_strategy",
        "jacobian_mode", "weights_min", "weights_max"};
    return words.count(k) || k.rfind("kalman_", 0) == 0 || k.rfind("gradient_adam_", 0) == 0;
}

/// The training settings of a 4G input.nn: read_training_settings (its checks and its warnings for unknown
/// and n2p2-output-only keywords) on the text without the keywords L-BFGS does not use (blank lines in their
/// place, so line numbers stay; their values are not checked), and one warning per such keyword line.
training::TrainingSettings settings_4g(const std::string& text, const std::string& name) {
    std::string kept;
    std::vector<std::string> skipped;
    std::istringstream in(text);
    std::size_t number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        std::istringstream words(line.substr(0, line.find('#')));
        std::string k;
        if (words >> k && lbfgs_ignores(k)) {
            skipped.push_back(name + ":" + std::to_string(number) + ": keyword '" + k +
                              "' does not apply to 4G training (full-batch L-BFGS): ignored");
            line.clear();
        }
        kept += line + "\n";
    }
    training::TrainingSettings ts = training::read_training_settings(kept, name);
    ts.warnings.insert(ts.warnings.end(), skipped.begin(), skipped.end());
    return ts;
}

std::string sci(double v, int digits = 6) {
    char b[40];
    std::snprintf(b, sizeof b, "%.*e", digits, v);
    return b;
}

/// One reported iteration: RMSEs of the train and test sets (NaN where they do not apply).
struct Row {
    int stage = 1;
    std::size_t iteration = 0;
    double time_s = 0.0;
    double q_train = std::nan(""), q_test = std::nan("");
    double e_train = std::nan(""), e_test = std::nan(""), f_train = std::nan(""), f_test = std::nan("");
};

std::string format_row(const Row& r) {
    char line[256];
    std::snprintf(line, sizeof line, "%5d %9zu %10.2f %14.6e %14.6e %14.6e %14.6e %14.6e %14.6e\n", r.stage, r.iteration, r.time_s,
                  r.q_train, r.q_test, r.e_train, r.e_test, r.f_train, r.f_test);
    return line;
}

}  // namespace

int train_4g(const TrainCommand& c, const std::string& text) {
    const auto t0 = std::chrono::steady_clock::now();
    auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    const std::string& name = c.input_nn;
    const std::string why = " does not apply to 4G models (" + name + ": two stages of full-batch L-BFGS)";
    if (c.epochs >= 0) throw Error("--epochs" + why + "; use --stage1-iterations and --stage2-iterations");
    if (!c.updater.empty()) throw Error("--updater" + why);
    if (c.batch > 0) throw Error("--batch-size" + why + "; every iteration uses the whole training set");
    if (c.patience > 0) throw Error("--patience" + why + "; the model of the reported iteration with the lowest test error is written");
    const bool stage1 = c.stage != "2", stage2 = c.stage != "1";
    if (!stage1 && c.restart.empty())
        throw Error("--stage 2 needs --restart DIR: a 4G model whose electronegativity networks and hardness are fitted "
                    "(e.g. the output of --stage 1)");
    if (!c.restart.empty() && !c.scaling_file.empty())
        throw Error("--scaling and --restart: a restart uses the scaling.data of its directory (" + c.restart + ")");
    const std::size_t it1 = static_cast<std::size_t>(c.stage1_iterations >= 0 ? c.stage1_iterations : kStage1Iterations);
    const std::size_t it2 = static_cast<std::size_t>(c.stage2_iterations >= 0 ? c.stage2_iterations : kStage2Iterations);
    const std::size_t every = static_cast<std::size_t>(c.report_every > 0 ? c.report_every : kReportEvery);

    // Settings: the split, seeds and force weight of input.nn; the 2G optimisers' keywords reported.
    const training::TrainingSettings ts = settings_4g(text, name);
    for (const std::string& w : ts.warnings) std::cerr << "hdnnp train: warning: " << w << "\n";
    training::Trainer4GOptions o;
    o.test_fraction = ts.options.test_fraction;
    o.random_seed = static_cast<std::uint32_t>(ts.random_seed);
    o.use_set_labels = true;
    o.use_forces = ts.options.use_forces;
    o.force_weight = std::isnan(c.force_weight) ? ts.options.force_weight : c.force_weight;
    if (stage2 && o.use_forces && std::isnan(c.force_weight))
        std::cerr << "hdnnp train: note: stage-2 force weight beta = " << o.force_weight << " [length^2] ("
                  << (!training::detail_train4g::keyword_lines(text, "force_weight").empty() ? "input.nn's force_weight, read as beta" : "the default")
                  << "; n2p2's Kalman force_weight is not this loss weight: see --force-weight in hdnnp train --help)\n";

    // Data, split, model.
    std::size_t n_train_file = 0;
    std::vector<Structure> data = read_training_data(c, o.test_fraction, ts.random_seed, n_train_file);
    Model model;
    if (!c.restart.empty()) {
        model = io::load_n2p2_model(c.restart);
        if (model.generation != Generation::fourth) throw Error(c.restart + ": not a 4G model (" + name + " is 4G)");
    } else {
        const std::vector<Structure> file_part(data.begin(), data.begin() + static_cast<long>(n_train_file));
        const std::string scaling = c.scaling_file.empty() ? scaling_data_text(text, name, file_part, c.data_file)
                                                           : read_text_file(c.scaling_file);
        model = training::untrained_model_4g(text, scaling);
        training::initialize_weights_4g(model, c.weight_seed >= 0 ? static_cast<std::uint64_t>(c.weight_seed) : ts.random_seed,
                                        ts.nguyen_widrow ? training::WeightInit::nguyen_widrow : training::WeightInit::glorot_uniform);
    }
    training::Trainer4G t(std::move(model), std::move(data), o);
    const bool has_test = !t.test_indices().empty();
    std::cerr << "hdnnp train: 4G, " << t.train_indices().size() << " training and " << t.test_indices().size()
              << " test structures; " << (stage1 ? "stage 1 (" + std::to_string(t.n_charge_parameters()) + " chi weights and hardness, " +
                                                        std::to_string(it1) + " L-BFGS iterations)" : std::string())
              << (stage1 && stage2 ? ", " : "")
              << (stage2 ? "stage 2 (" + std::to_string(t.n_short_parameters()) + " short weights, " + std::to_string(it2) +
                               " L-BFGS iterations, " + (o.use_forces ? "forces, beta " + sci(o.force_weight, 3) : std::string("energies only")) + ")"
                         : std::string())
              << "; setup " << sci(seconds(), 3) << " s\n";

    // Learning curve and progress: one row per reported iteration.
    std::filesystem::create_directories(c.outdir);
    const std::string curve = io::detail_writer::join_path(c.outdir, "learning-curve.out");
    std::string rows, written;
    std::size_t best_it = 0;
    auto write_curve = [&] {
        std::string h = curve_preamble(c, " (4G)");
        h += "# stage: 1 = charges (chi networks, hardness), 2 = short networks (energies, forces); iteration: L-BFGS\n";
        h += "#   iteration of the stage, 0 = before it; time_s: wall time since the command started [s]\n";
        h += "# rmse_q_*: charge RMSE per atom [e] (in stage 2: the fixed charges of stage 1); rmse_e_*: energy RMSE per\n";
        h += "#   atom [energy]; rmse_f_*: force RMSE per component [energy/length]; nan where a column does not apply;\n";
        h += "#   train / test set\n";
        h += "# units energy energy/length (those of the data)\n";
        h += "stage iteration time_s rmse_q_train rmse_q_test rmse_e_train rmse_e_test rmse_f_train rmse_f_test\n";
        h += rows;
        if (stage2) h += "# best_stage2_iteration " + std::to_string(best_it) + "\n";
        h += written;
        io::detail_writer::write_file(curve, h);
    };
    std::printf("%5s %9s %10s %14s %14s %14s %14s %14s %14s\n", "stage", "iteration", "time_s", "Q_train", "Q_test", "E_train/atom",
                "E_test/atom", "F_train", "F_test");
    auto report = [&](const Row& r) {
        const std::string line = format_row(r);
        std::printf("%s", line.c_str());
        std::fflush(stdout);
        rows += line;
        write_curve();
    };
    auto charge_row = [&](std::size_t it) {
        Row r;
        r.stage = 1;
        r.iteration = it;
        r.q_train = t.charge_errors(t.train_indices()).rmse;
        if (has_test) r.q_test = t.charge_errors(t.test_indices()).rmse;
        r.time_s = seconds();
        return r;
    };

    // Stage 1.
    std::size_t stage1_done = 0;
    if (stage1) {
        report(charge_row(0));
        training::LbfgsOptions l1;
        l1.max_iterations = it1;
        std::size_t last = 0;
        const training::LbfgsReport r1 = t.fit_charges(l1, [&](std::size_t it, double) {
            if (it % every == 0) report(charge_row(last = it));
        });
        if (r1.iterations != last) report(charge_row(r1.iterations));
        stage1_done = r1.iterations;
        std::cerr << "hdnnp train: stage 1: " << r1.iterations << " iterations, " << r1.evaluations << " evaluations (stop: " << r1.stop
                  << "); hardness";
        for (const ElementModel& em : t.model().elements) std::cerr << " " << em.symbol << " " << em.hardness;
        std::cerr << " [energy/e^2]\n";
    }
    const Row charges = charge_row(stage1_done);

    // Stage 2: the short networks; the written weights are those of the reported iteration with the lowest
    // test score (as the 2G command: log of the energy RMSE, plus that of the force RMSE with forces).
    Row final_row = charges;
    if (stage2) {
        t.prepare_short();
        if (c.restart.empty()) t.fit_output_bias();
        auto short_row = [&](std::size_t it) {
            Row r = charges;
            r.stage = 2;
            r.iteration = it;
            const training::Errors tr = t.short_errors(t.train_indices());
            r.e_train = tr.energy_rmse;
            if (o.use_forces) r.f_train = tr.force_rmse;
            if (has_test) {
                const training::Errors te = t.short_errors(t.test_indices());
                r.e_test = te.energy_rmse;
                if (o.use_forces) r.f_test = te.force_rmse;
            }
            r.time_s = seconds();
            return r;
        };
        double best_score = std::numeric_limits<double>::infinity();
        std::vector<double> best_p;
        auto consider = [&](std::size_t it) {
            const Row r = short_row(it);
            report(r);
            const double e = has_test ? r.e_test : r.e_train, f = has_test ? r.f_test : r.f_train;
            const double s = selection_score(e, f, o.use_forces);
            if (best_p.empty() || s < best_score || !has_test) {
                best_score = s;
                best_it = it;
                best_p = t.short_parameters();
            }
        };
        consider(0);
        training::LbfgsOptions l2;
        l2.max_iterations = it2;
        std::size_t last = 0;
        const training::LbfgsReport r2 = t.fit_short(l2, [&](std::size_t it, double) {
            if (it % every == 0) consider(last = it);
        });
        if (r2.iterations != last) consider(r2.iterations);
        std::cerr << "hdnnp train: stage 2: " << r2.iterations << " iterations, " << r2.evaluations << " evaluations (stop: " << r2.stop
                  << ")\n";
        t.set_short_parameters(best_p);
        final_row = short_row(best_it);
    }

    // The model and what it scores (full precision: the figures hdnnp predict reproduces).
    training::write_n2p2_model_4g(c.outdir, t.model(), text);
    const std::string what = stage2 ? "stage 2 iteration " + std::to_string(best_it) +
                                          (has_test ? " (lowest test error of the reported iterations)" : " (the last)")
                                    : "stage 1 iteration " + std::to_string(charges.iteration) + " (the last; short networks as initialised)";
    written = "# written: " + what + "\n# written_rmse q_train q_test e_train e_test f_train f_test: " + sci(final_row.q_train, 16) + " " +
              sci(final_row.q_test, 16) + " " + sci(final_row.e_train, 16) + " " + sci(final_row.e_test, 16) + " " +
              sci(final_row.f_train, 16) + " " + sci(final_row.f_test, 16) + "\n";
    write_curve();
    std::cerr << "hdnnp train: wrote " << c.outdir << " at " << what << ": test charge RMSE " << sci(final_row.q_test) << " e";
    if (stage2) std::cerr << ", energy RMSE " << sci(final_row.e_test) << "/atom" << (o.use_forces ? ", force RMSE " + sci(final_row.f_test) : "");
    std::cerr << " (train " << sci(final_row.q_train) << (stage2 ? ", " + sci(final_row.e_train) : "")
              << (stage2 && o.use_forces ? ", " + sci(final_row.f_train) : "") << "); " << curve << "; " << sci(seconds(), 3) << " s\n";
    plot_learning_curve(c, curve);
    return 0;
}

}  // namespace hdnnp::cli
