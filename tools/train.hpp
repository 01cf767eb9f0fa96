// hdnnp train: what the command (tools/train.cpp: options, data, 2G) and its 4G branch (tools/train_4g.cpp)
// share, and the scaling.data text of a data set (also hdnnp scale's output).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "hdnnp/core/error.hpp"
#include "hdnnp/core/structure.hpp"
#include "hdnnp/io/n2p2_writer.hpp"
#include "hdnnp/training/setup.hpp"
#include "hdnnp/training/statistics.hpp"
#include "plot.hpp"

namespace hdnnp::cli {

/// The command line of `hdnnp train` (values not given: -1, NaN or empty).
struct TrainCommand {
    std::string input_nn, data_file, outdir, scaling_file, test_file, restart, updater;
    long epochs = -1, batch = -1, patience = 0;
    bool plot = true;
    // 4G only
    long stage1_iterations = -1, stage2_iterations = -1, report_every = -1, weight_seed = -1;
    std::string stage;  ///< "1", "2", "both" or empty (both)
    double force_weight = std::numeric_limits<double>::quiet_NaN();
};

/// The score that picks the written model (lower is better; the test set's RMSEs, else the training set's):
/// log of the energy RMSE, plus log of the force RMSE when forces are fitted.
inline double selection_score(double energy_rmse, double force_rmse, bool forces) {
    return forces ? std::log(energy_rmse) + std::log(force_rmse) : std::log(energy_rmse);
}

/// learning-curve.png beside `curve` in c.outdir (unless --no-plot), and a line saying whether it was drawn.
inline void plot_learning_curve(const TrainCommand& c, const std::string& curve) {
    if (!c.plot) return;
    const PlotStatus p = make_plot("learning-curve", curve, io::detail_writer::join_path(c.outdir, "learning-curve.png"));
    std::cerr << "hdnnp train: " << (p.ok ? "plot " : "no plot: ") << p.message << "\n";
}

/// The first lines of learning-curve.out: what was fitted to what (`kind`: "" or " (4G)"), and the restart.
inline std::string curve_preamble(const TrainCommand& c, const std::string& kind) {
    std::string t = "# hdnnp train learning curve" + kind + ": " + c.input_nn + " on " + c.data_file +
                    (c.test_file.empty() ? "" : " (test: " + c.test_file + ")") + "\n";
    if (!c.restart.empty()) t += "# restarted from " + c.restart + "\n";
    return t;
}

/// The structures of c.data_file (set "train"/"test" by n2p2's split with test_fraction and seed) or, with
/// c.test_file, those of c.data_file (all "train") followed by those of c.test_file (all "test").
/// n_train_file: how many came from c.data_file. Throws Error for an empty file. (tools/train.cpp)
std::vector<Structure> read_training_data(const TrainCommand& c, double test_fraction, std::uint64_t seed,
                                          std::size_t& n_train_file);

/// The 4G command (tools/train_4g.cpp): `text` is c.input_nn's text (nnp_generation 4).
int train_4g(const TrainCommand& c, const std::string& text);

/// n2p2's scaling.data text (nnp-scaling: min, max, mean, sample standard deviation of every raw symmetry
/// function over all atoms of each element) of the input.nn text `input_nn_text` (named `nn_name`) over
/// `data` (named `data_name`). Throws Error if an element has no atoms in the data.
inline std::string scaling_data_text(const std::string& input_nn_text, const std::string& nn_name,
                                     const std::vector<Structure>& data, const std::string& data_name,
                                     std::size_t* atoms = nullptr) {
    Model m = training::untrained_model(input_nn_text, nn_name);
    const auto stats = training::compute_scaling_statistics(m, data);
    for (std::size_t e = 0; e < stats.size(); ++e)
        if (stats[e].count == 0) throw Error(data_name + ": no atoms of element " + m.elements[e].symbol + " (" + nn_name + ")");
    training::store_scaling_statistics(m, stats);
    if (atoms) {
        *atoms = 0;
        for (const auto& s : stats) *atoms += s.count;
    }
    std::ostringstream text;
    io::write_scaling_data(text, m);
    return text.str();
}

}  // namespace hdnnp::cli
