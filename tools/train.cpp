// hdnnp train: fit a 2G model to reference energies and forces (n2p2's nnp-train, its Kalman filter or Adam)
// and write an n2p2 model directory; the options, the data and the split for the 4G branch (tools/train_4g.cpp).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "commands.hpp"
#include "text_file.hpp"
#include "hdnnp/io/input_data.hpp"
#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/io/n2p2_writer.hpp"
#include "hdnnp/training/settings.hpp"
#include "hdnnp/training/setup.hpp"
#include "hdnnp/training/statistics.hpp"
#include "hdnnp/training/trainer.hpp"
#include "plot.hpp"
#include "train.hpp"

namespace hdnnp::cli {

namespace {

const char* const kTrainUsage =
    "usage: hdnnp train INPUT_NN TRAINING_DATA -o MODEL_DIR [options]\n"
    "\n"
    "Fits the short-range networks of the 2G model that INPUT_NN (n2p2 input.nn) describes to the energies and\n"
    "(with use_short_forces) forces of TRAINING_DATA (n2p2 input.data) and writes MODEL_DIR/input.nn (INPUT_NN\n"
    "verbatim), scaling.data and weights.ZZZ.data, which hdnnp predict and n2p2 load. n2p2's training keywords\n"
    "in INPUT_NN apply (epochs, test_fraction, random_seed, use_short_forces, force_weight, short_energy_fraction,\n"
    "short_force_fraction, updater_type, kalman_*, gradient_adam_*, selection_mode, ...; docs/training.md);\n"
    "unknown or ignored keywords are reported with their line. 4G models (nnp_generation 4) are fitted in n2p2's\n"
    "two stages by full-batch L-BFGS (see '4G models' below); 3G models are refused (no 3G trainer).\n"
    "\n"
    "Split: the structures n2p2 would put in its test set (test_fraction, random_seed, n2p2's generator; a\n"
    "'begin set=train|set=test' label is kept, as n2p2 does), unless --test-data is given. Early stopping: the\n"
    "written model is that of the epoch with the lowest test error (the product of the energy and force RMSEs\n"
    "with forces, the energy RMSE without; the last epoch if there is no test set). Writes\n"
    "MODEL_DIR/learning-curve.out (RMSEs per epoch) and learning-curve.png. Prints one line per epoch. Units:\n"
    "those of the data (energy RMSE per atom, force RMSE per component).\n"
    "\n"
    "options:\n"
    "  -o, --output DIR     model directory to write (created)\n"
    "  --scaling FILE       scaling.data to use (default: statistics of TRAINING_DATA, as hdnnp scale)\n"
    "  --test-data FILE     test structures (then all of TRAINING_DATA is trained on)\n"
    "  --epochs N           epochs (default: the epochs keyword, else 10)\n"
    "  --threads N          OpenMP threads (results do not depend on it)\n"
    "  --restart DIR        start from the model (scaling and weights) in DIR, e.g. an earlier MODEL_DIR;\n"
    "                       the optimiser starts afresh\n"
    "  --updater NAME       kalman or adam (overrides updater_type)\n"
    "  --batch-size N       Adam: structures per step (default 8)\n"
    "  --patience N         stop after N epochs without a better test error (default 0: run all epochs)\n"
    "  --no-plot            do not draw learning-curve.png\n"
    "\n"
    "4G models (nnp_generation 4; docs/training-4g.md): stage 1 fits the electronegativity networks and the\n"
    "hardness to the reference charges (input.data atom column 5; n2p2's nnp-train 1), stage 2 the short-range\n"
    "networks to the energies and (use_short_forces) forces with the charges fixed (nnp-train 2); each stage is\n"
    "full-batch L-BFGS over the training set. Stage-2 loss, per structure s with N_s atoms:\n"
    "  L2 = mean_s ((E_s - E_s^ref)/N_s)^2 + beta sum_s sum_i |F_si - F_si^ref|^2 / (3 sum_s N_s)\n"
    "with beta [length^2] = --force-weight, else input.nn's force_weight read AS beta. n2p2's force_weight\n"
    "multiplies the force errors of its Kalman-filter updates; that is not a loss weight and has no exact\n"
    "counterpart here (n2p2's H2O_RPBE-D3_4G input.nn says 10; docs/training-4g.md fits that set with\n"
    "--force-weight 0.003 (bohr^2) and --scaling of its scaling.data: test 6.3e-5 e, 8.4e-7 Ha/atom, 1.7e-4\n"
    "Ha/bohr). Split: test_fraction and\n"
    "random_seed; initial weights: chi networks from random_seed (or --weight-seed), short networks from that\n"
    "seed + 1. Keywords of the 2G optimisers (epochs, kalman_*, updater_type, ...) are reported as not\n"
    "applying. Writes the model at the reported\n"
    "stage-2 iteration with the lowest test error (the product of the energy and force RMSEs, the energy RMSE\n"
    "without forces; the last iteration without a test set); learning-curve.out has one row per reported\n"
    "iteration of each stage (columns in its header). --epochs, --updater, --batch-size and --patience are\n"
    "refused for 4G.\n"
    "  --stage 1|2|both     1: charges only (the short networks are written as initialised), 2: short networks\n"
    "                       only, from the chi networks and hardness of --restart DIR; both (default)\n"
    "  --stage1-iterations N  L-BFGS iterations of stage 1 (default 1500)\n"
    "  --stage2-iterations N  L-BFGS iterations of stage 2 (default 3000)\n"
    "  --force-weight BETA  beta of the stage-2 loss [length^2] (default: force_weight of INPUT_NN, else 1)\n"
    "  --report-every N     progress line, learning-curve row and best-model check every N iterations\n"
    "                       (default 100)\n"
    "  --weight-seed N      seed of the initial weights (default: random_seed; the split keeps random_seed)\n"
    "  --restart DIR        (4G) start from the model in DIR: its scaling, chi networks, hardness and short\n"
    "                       networks (no output-bias fit)\n";

/// The generation an input.nn asks for: 2G here, 4G in train_4g, 3G refused.
Generation generation_of(const std::string& text, const std::string& name) {
    std::istringstream in(text);
    const io::detail_model::Settings S = io::detail_model::read_settings(in, name);
    Model probe;
    io::detail_model::read_generation(S, probe);
    return probe.generation;
}

std::string fmt(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.6e", v);
    return b;
}

}  // namespace

std::vector<Structure> read_training_data(const TrainCommand& c, double test_fraction, std::uint64_t seed,
                                          std::size_t& n_train_file) {
    std::vector<Structure> data = io::read_input_data(c.data_file);
    if (data.empty()) throw Error(c.data_file + ": no structures");
    n_train_file = data.size();
    if (!c.test_file.empty()) {
        for (Structure& s : data) s.set = "train";
        std::vector<Structure> test = io::read_input_data(c.test_file);
        if (test.empty()) throw Error(c.test_file + ": no structures");
        for (Structure& s : test) {
            s.set = "test";
            data.push_back(std::move(s));
        }
    } else {
        const std::vector<bool> sel = training::n2p2_test_selection(data, test_fraction, seed);  // labels kept
        for (std::size_t k = 0; k < data.size(); ++k) data[k].set = sel[k] ? "test" : "train";
    }
    return data;
}

int train(int argc, char** argv) {
    std::vector<std::string> pos;
    TrainCommand c;
    for (int k = 0; k < argc; ++k) {
        const std::string a = argv[k];
        auto value = [&](const char* what) -> std::string {
            if (k + 1 >= argc) throw Error(std::string("option ") + a + " needs " + what);
            return argv[++k];
        };
        auto integer = [&](const char* what, long lo) {
            const std::string v = value(what);
            char* end = nullptr;
            const long n = std::strtol(v.c_str(), &end, 10);
            if (v.empty() || *end != '\0' || n < lo) throw Error("option " + a + " needs " + what + ", got '" + v + "'");
            return n;
        };
        if (a == "-h" || a == "--help") { std::cout << kTrainUsage; return 0; }
        else if (a == "-o" || a == "--output") c.outdir = value("a directory");
        else if (a == "--scaling") c.scaling_file = value("a scaling.data file");
        else if (a == "--test-data") c.test_file = value("an input.data file");
        else if (a == "--epochs") c.epochs = integer("a number of epochs >= 0", 0);
        else if (a == "--threads") {
            const long n = integer("a thread count >= 1", 1);
#ifdef _OPENMP
            omp_set_num_threads(static_cast<int>(n));
#else
            (void)n;
#endif
        } else if (a == "--restart") c.restart = value("a model directory");
        else if (a == "--updater") c.updater = value("kalman or adam");
        else if (a == "--batch-size") c.batch = integer("a batch size >= 1", 1);
        else if (a == "--patience") c.patience = integer("a number of epochs >= 0", 0);
        else if (a == "--no-plot") c.plot = false;
        else if (a == "--stage") {
            c.stage = value("1, 2 or both");
            if (c.stage != "1" && c.stage != "2" && c.stage != "both") throw Error("option --stage needs 1, 2 or both, got '" + c.stage + "'");
        } else if (a == "--stage1-iterations") c.stage1_iterations = integer("a number of iterations >= 0", 0);
        else if (a == "--stage2-iterations") c.stage2_iterations = integer("a number of iterations >= 0", 0);
        else if (a == "--report-every") c.report_every = integer("a number of iterations >= 1", 1);
        else if (a == "--weight-seed") c.weight_seed = integer("a seed >= 0", 0);
        else if (a == "--force-weight") {
            const std::string v = value("a force weight beta >= 0 [length^2]");
            char* end = nullptr;
            c.force_weight = std::strtod(v.c_str(), &end);
            if (v.empty() || *end != '\0' || !(c.force_weight >= 0.0) || !std::isfinite(c.force_weight))
                throw Error("option --force-weight needs a force weight beta >= 0 [length^2], got '" + v + "'");
        } else if (!a.empty() && a[0] == '-') throw Error("unknown option " + a + " (see hdnnp train --help)");
        else pos.push_back(a);
    }
    if (pos.size() != 2 || c.outdir.empty()) {
        std::cerr << kTrainUsage;
        return 2;
    }
    c.input_nn = pos[0];
    c.data_file = pos[1];
    const std::string text = read_text_file(c.input_nn);
    const Generation generation = generation_of(text, c.input_nn);
    if (generation == Generation::fourth) return train_4g(c, text);
    if (generation != Generation::second)
        throw Error(c.input_nn + ": 3G models (nnp_generation 3: charges from their own networks) cannot be trained: there "
                                 "is no 3G trainer; hdnnp train fits 2G and 4G models");
    for (const auto& [given, option] : {std::pair<bool, const char*>{!c.stage.empty(), "--stage"},
                                        {c.stage1_iterations >= 0, "--stage1-iterations"},
                                        {c.stage2_iterations >= 0, "--stage2-iterations"},
                                        {c.report_every >= 0, "--report-every"},
                                        {c.weight_seed >= 0, "--weight-seed"},
                                        {!std::isnan(c.force_weight), "--force-weight"}})
        if (given) throw Error(std::string(option) + " applies to 4G models only (" + c.input_nn + " is 2G; use force_weight in it)");
    const std::string &input_nn = c.input_nn, &outdir = c.outdir, &scaling_file = c.scaling_file, &restart = c.restart;
    const auto t0 = std::chrono::steady_clock::now();
    auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };

    // Settings: n2p2's keywords, then the command line.
    training::TrainingSettings ts = training::read_training_settings(text, input_nn);
    for (const std::string& w : ts.warnings) std::cerr << "hdnnp train: warning: " << w << "\n";
    training::TrainerOptions& opt = ts.options;
    if (c.epochs >= 0) opt.epochs = static_cast<std::size_t>(c.epochs);
    if (c.updater == "kalman") opt.updater = training::Updater::kalman;
    else if (c.updater == "adam") opt.updater = training::Updater::adam;
    else if (!c.updater.empty()) throw Error("--updater needs kalman or adam, got '" + c.updater + "'");
    if (c.batch > 0) opt.batch_size = static_cast<std::size_t>(c.batch);
    opt.report_interval = 1;
    opt.use_set_labels = true;
    const long patience = c.patience;

    // Data and split.
    std::size_t n_train_file = 0;
    std::vector<Structure> data = read_training_data(c, opt.test_fraction, ts.random_seed, n_train_file);

    // Model: the restart directory's, or input.nn with scaling (given or computed) and random weights.
    Model model;
    if (!restart.empty()) {
        model = io::load_n2p2_model(restart);
        if (model.generation != Generation::second) throw Error(restart + ": not a 2G model");
    } else if (!scaling_file.empty()) {
        model = training::untrained_model(text, input_nn, read_text_file(scaling_file), scaling_file);
    } else {
        model = training::untrained_model(text, input_nn);
        const std::vector<Structure> file_part(data.begin(), data.begin() + static_cast<long>(n_train_file));
        training::apply_scaling_statistics(model, training::compute_scaling_statistics(model, file_part));
    }
    if (restart.empty())
        training::initialize_weights(model, ts.random_seed,
                                     ts.nguyen_widrow ? training::WeightInit::nguyen_widrow : training::WeightInit::glorot_uniform);
    training::Trainer trainer(std::move(model), data, opt);
    if (restart.empty() && opt.updater == training::Updater::adam) trainer.fit_output_bias();

    std::filesystem::create_directories(outdir);
    const std::string curve = io::detail_writer::join_path(outdir, "learning-curve.out");
    const bool forces = opt.use_forces;
    const bool has_test = !trainer.test_indices().empty();
    std::cerr << "hdnnp train: " << trainer.train_indices().size() << " training and " << trainer.test_indices().size()
              << " test structures, " << trainer.n_parameters() << " weights, "
              << (opt.updater == training::Updater::kalman ? "Kalman filter" : "Adam");
    if (opt.updater == training::Updater::kalman) {
        const auto [ne, nf] = trainer.kalman_updates_per_epoch();
        std::cerr << " (" << ne << " energy and " << nf << " force updates per epoch)";
    }
    std::cerr << ", " << opt.epochs << " epochs; setup " << fmt(seconds()) << " s\n";

    std::string test_list;  // 1-based, in the order read (n2p2's test.data when drawn)
    for (const std::size_t k : trainer.test_indices()) test_list += " " + std::to_string(k + 1);

    std::string rows;
    double best_score = std::numeric_limits<double>::infinity();
    std::size_t best_epoch = 0;
    training::EpochReport best;
    auto score = [&](const training::EpochReport& r) {
        const training::Errors& e = has_test ? r.test : r.train;
        return selection_score(e.energy_rmse, e.force_rmse, forces);
    };
    auto write_curve = [&] {
        std::string t;
        t += curve_preamble(c, "");
        t += std::string("# test structures (1-based, ") +
             (c.test_file.empty() ? "TRAINING_DATA; n2p2's test.data" : "TRAINING_DATA then --test-data") + "):" +
             test_list + "\n";
        t += "# epoch: 0 = before training; time_s: wall time since the command started [s]\n";
        t += "# rmse_e_*: energy RMSE per atom [energy]; rmse_f_*: force RMSE per component [energy/length] (nan without\n";
        t += "#   use_short_forces); train / test set\n";
        t += "# units energy energy/length (those of the data)\n";
        t += "epoch time_s rmse_e_train rmse_e_test rmse_f_train rmse_f_test\n";
        t += rows;
        t += "# best_epoch " + std::to_string(best_epoch) + "\n";
        io::detail_writer::write_file(curve, t);
    };
    std::printf("%6s %10s %14s %14s %14s %14s\n", "epoch", "time_s", "E_train/atom", "E_test/atom", "F_train", "F_test");
    auto on_report = [&](const training::EpochReport& r) {
        const double t = seconds();
        const double ftr = forces ? r.train.force_rmse : std::nan(""), fte = forces ? r.test.force_rmse : std::nan("");
        char line[256];
        std::snprintf(line, sizeof line, "%6zu %10.2f %14.6e %14.6e %14.6e %14.6e\n", r.epoch, t, r.train.energy_rmse,
                      r.test.energy_rmse, ftr, fte);
        std::printf("%s", line);
        std::fflush(stdout);
        rows += line;
        const double s = score(r);
        if (s < best_score || !has_test) {
            best_score = s;
            best_epoch = r.epoch;
            best = r;
            io::write_n2p2_model(outdir, trainer.model(), text);
        }
        write_curve();
    };
    on_report(trainer.report());
    while (trainer.epoch() < opt.epochs) {
        on_report(trainer.train_epoch(true));
        if (patience > 0 && trainer.epoch() - best_epoch >= static_cast<std::size_t>(patience)) {
            std::cerr << "hdnnp train: no better test error for " << patience << " epochs: stopping\n";
            break;
        }
    }
    std::cerr << "hdnnp train: wrote " << outdir << " (epoch " << best_epoch << ": test energy RMSE " << fmt(best.test.energy_rmse)
              << "/atom" << (forces ? ", force RMSE " + fmt(best.test.force_rmse) : std::string()) << "), " << curve
              << "; " << fmt(seconds()) << " s\n";
    plot_learning_curve(c, curve);
    return 0;
}

}  // namespace hdnnp::cli
