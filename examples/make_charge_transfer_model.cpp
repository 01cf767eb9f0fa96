// make_charge_transfer_model: builds the shipped charge-transfer demonstration examples/charge-transfer
// from scratch (Ko et al., Nat. Commun. 12, 398 (2021): a 2G HDNNP must fail where charge moves beyond its
// cutoff; a 4G HDNNP need not).
//
//   make_charge_transfer_model [output_dir] [--fits 2g|4g|both|none] [--epochs N] [--iterations-charge N]
//                              [--iterations-short N]
//   (defaults: ./charge-transfer, both fits, 600 Adam epochs (2G), 1000 + 2000 L-BFGS iterations (4G stages))
//
// 1. Reference data (charge_transfer_data.hpp): Na/Cl clusters at total charge 0 and +1 (identical
//    geometries), and a cation with two close anions plus a third anion 2.5-3.5 rc away (total charge -1
//    and 0) or absent (total charge 0), labelled by charge equilibration with environment-dependent
//    electronegativities and Born-Mayer repulsion (charge_transfer.hpp). Written to input.data
//    (reference charges in atom column 5, the total charge on the `charge` line, set=train|test).
// 2. A 2G HDNNP (input.nn below: 12 radial and 9 angular functions per element, POLY2 cutoff at rc = 8 bohr,
//    15-15 tanh networks) fitted to energies and forces with the project's trainer (Adam); written to 2g/.
//    A 4G HDNNP (the same functions and short networks, 10-10 tanh electronegativity networks, the
//    reference's Gaussian widths) fitted in n2p2's two stages (training/trainer_4g.hpp: charges, then
//    energies and forces); written to 4g/. --fits picks which are refitted; the others are only evaluated.
// 3. Every model present is read back from disk and evaluated with Potential: the error table per data set
//    and total charge (table-<2g|4g>.dat), the pairs of structures with identical environments within rc
//    (pairs-<2g|4g>.dat: reference energy difference and the model's; 2G's is zero) and, with both, the
//    side-by-side test-set table table.md.
// locality.data holds the structure of the locality test (a 28-atom rod; `hdnnp locality 2g locality.data`).
// Everything is seeded: a run reproduces the files (up to compiler-dependent rounding of the fit).
// Units throughout: hartree, bohr, e (atomic units, k_e = 1).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "charge_transfer.hpp"
#include "charge_transfer_data.hpp"
#include "charge_transfer_table.hpp"
#include "hdnnp/io/input_data.hpp"
#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/io/n2p2_writer.hpp"
#include "hdnnp/potential/potential.hpp"
#include "hdnnp/training/setup.hpp"
#include "hdnnp/training/statistics.hpp"
#include "hdnnp/training/trainer.hpp"
#include "hdnnp/training/trainer_4g.hpp"

using hdnnp::Structure;

namespace {

double elapsed(const std::chrono::steady_clock::time_point& t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

std::string exact(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

/// input.nn of the 2G (generation 2) or 4G (generation 4) model: the same symmetry functions (12 radial and 9
/// angular per element, POLY2 cutoff at rc = ct::kModelCutoff) and short-range networks; the 4G model adds
/// electronegativity networks, initial hardness, the reference's Gaussian widths and k_e = 1 (atomic units).
std::string input_nn(const hdnnp::training::EnergyStatistics& es, int generation) {
    std::ostringstream t;
    const std::string rc = fmt("%.1f", ct::kModelCutoff);
    t << "# Charge-transfer demonstration, " << generation << "G HDNNP fitted by hdnnp (examples/make_charge_transfer_model.cpp).\n"
         "# Units: hartree, bohr, e. Reference: charge equilibration + Born-Mayer (examples/charge_transfer.hpp).\n";
    if (generation == 2)
        t << "nnp_type                   2\n";
    else
        t << "nnp_generation             4\n";
    t << "number_of_elements         2\n"
         "elements                   Na Cl\n"
         "cutoff_type                6            # POLY2\n"
         "scale_symmetry_functions\n"
         "center_symmetry_functions\n"
         "scale_min_short            -1.0\n"
         "scale_max_short            1.0\n"
         "global_hidden_layers_short 2\n"
         "global_nodes_short         15 15\n"
         "global_activation_short    t t l\n";
    if (generation == 4) {
        const ct::Parameters p;
        t << "global_hidden_layers_electrostatic 2\n"
             "global_nodes_electrostatic 10 10\n"
             "global_activation_electrostatic t t l\n"
             "initial_hardness           Na 0.1     # Ha/e^2 (fitted in stage 1)\n"
             "initial_hardness           Cl 0.1\n"
             "fixed_gausswidth           Na " << exact(p.cation.sigma) << "   # bohr, as the reference\n"
             "fixed_gausswidth           Cl " << exact(p.anion.sigma) << "\n"
             "four_pi_epsilon            1.0        # atomic units, k_e = 1\n"
             "ewald_truncation_error_method 0\n"
             "ewald_prec                 1e-6       # not used: clusters have no cell\n";
    }
    // 2G: n2p2's energy normalisation. 4G: none (energies in Ha, chi in Ha/e): with conv_energy = 1/sigma_E the
    // electronegativity outputs scale by sigma_E and the stage-1 L-BFGS stalled after 8 iterations (line search).
    if (generation == 2)
        t << "mean_energy                " << exact(es.mean_energy_per_atom) << "\n"
             "conv_energy                " << exact(1.0 / es.sigma_energy_per_atom) << "\n"
             "conv_length                1.0\n";
    t << "# Radial functions: e 2 e1 eta[bohr^-2] rs[bohr] rc[bohr]\n";
    const char* el[] = {"Na", "Cl"};
    const double radial[][2] = {{0.001, 0.0}, {0.02, 0.0}, {0.06, 0.0}, {1.0, 4.5}, {0.5, 5.5}, {0.5, 7.0}};
    for (const char* a : el)
        for (const char* b : el)
            for (const auto& p : radial) t << "symfunction_short " << a << " 2 " << b << " " << p[0] << " " << p[1] << " " << rc << "\n";
    t << "# Angular functions: e 3 e1 e2 eta[bohr^-2] lambda zeta rc[bohr]\n";
    const double angular[][3] = {{0.001, 1, 1}, {0.001, -1, 1}, {0.001, 1, 4}};
    const char* pairs[][2] = {{"Na", "Na"}, {"Na", "Cl"}, {"Cl", "Cl"}};
    for (const char* a : el)
        for (const auto& pr : pairs)
            for (const auto& p : angular)
                t << "symfunction_short " << a << " 3 " << pr[0] << " " << pr[1] << " " << p[0] << " " << p[1] << " " << p[2] << " " << rc
                  << "\n";
    return t.str();
}

void print_table(std::ostream& out, const std::vector<ct::Row>& rows) {
    out << "| data set | total charge | structures | atoms | E RMSE [mHa/atom] | F RMSE [mHa/bohr] | Q RMSE [me] |\n"
           "|---|---|---|---|---|---|---|\n";
    for (const ct::Row& r : rows)
        out << "| " << r.dataset << " | " << r.variant << " | " << r.structures << " | " << r.atoms << " | " << fmt("%.3f", 1e3 * r.energy_rmse)
            << " | " << fmt("%.3f", 1e3 * r.force_rmse) << " | "
            << (std::isnan(r.charge_rmse) ? std::string("-") : fmt("%.2f", 1e3 * r.charge_rmse)) << " |\n";
}

void write_table_file(const std::string& path, const std::vector<ct::Row>& train, const std::vector<ct::Row>& test) {
    std::ofstream f(path);
    f << "# set dataset variant structures atoms energy_rmse[Ha/atom] force_rmse[Ha/bohr] charge_rmse[e] extrapolations\n";
    for (const auto* rows : {&train, &test})
        for (const ct::Row& r : *rows)
            f << (rows == &train ? "train " : "test ") << r.dataset << " " << r.variant << " " << r.structures << " " << r.atoms << " "
              << exact(r.energy_rmse) << " " << exact(r.force_rmse) << " " << exact(r.charge_rmse) << " " << r.extrapolations << "\n";
    if (!f) throw hdnnp::Error(path + ": write failed");
}

/// Scaling statistics of the symmetry functions of `settings` over all atoms of the data, as scaling.data text.
std::string scaling_text(const std::string& settings_2g, const std::vector<Structure>& data) {
    namespace tr = hdnnp::training;
    hdnnp::Model m = tr::untrained_model(settings_2g);
    tr::apply_scaling_statistics(m, tr::compute_scaling_statistics(m, data));
    std::ostringstream out;
    hdnnp::io::write_scaling_data(out, m);
    return out.str();
}

/// The 2G fit: energies and forces with the project's Adam trainer; written to out_dir/2g.
void fit_2g(const std::vector<Structure>& data, const std::string& out_dir, std::size_t epochs, double t_start) {
    namespace tr = hdnnp::training;
    const auto t0 = std::chrono::steady_clock::now();
    const std::string settings = input_nn(tr::energy_statistics(data), 2);
    hdnnp::Model model = tr::prepare_model(settings, data, 7, tr::WeightInit::nguyen_widrow);
    tr::TrainerOptions opt;
    opt.use_forces = true;
    opt.force_weight = 1.0;  // bohr^2
    opt.epochs = epochs;
    opt.batch_size = 4;
    opt.learning_rate = 3e-3;
    opt.learning_rate_final = 1e-5;
    opt.report_interval = 50;
    opt.seed = 4242;
    tr::Trainer trainer(std::move(model), data, opt);
    trainer.fit_output_bias();
    std::cout << "2G: " << trainer.train_indices().size() << " train / " << trainer.test_indices().size() << " test structures, "
              << trainer.n_parameters() << " parameters\n"
              << "epoch   RMSE(E) train/test [mHa/atom]   RMSE(F) train/test [mHa/bohr]" << std::endl;
    trainer.train([&](const tr::EpochReport& r) {
        if (!r.complete()) return;
        std::cout << fmt("%5.0f", static_cast<double>(r.epoch)) << fmt("   %9.3f", 1e3 * r.train.energy_rmse)
                  << fmt(" %9.3f", 1e3 * r.test.energy_rmse) << fmt("      %9.3f", 1e3 * r.train.force_rmse)
                  << fmt(" %9.3f", 1e3 * r.test.force_rmse) << "   (" << fmt("%.1f", t_start + elapsed(t0)) << " s)" << std::endl;
    });
    hdnnp::io::write_n2p2_model(out_dir + "/2g", trainer.model(), settings);
    std::cout << "2G fit: " << fmt("%.1f", elapsed(t0)) << " s" << std::endl;
}

/// The 4G fit in n2p2's two stages (training/trainer_4g.hpp, full-batch L-BFGS): stage 1 electronegativity
/// networks and hardness to the reference charges, stage 2 short-range networks to energies and forces minus
/// the electrostatics; written to out_dir/4g.
void fit_4g(const std::vector<Structure>& data, const std::string& out_dir, std::size_t iterations_charge, std::size_t iterations_short,
            double t_start) {
    namespace tr = hdnnp::training;
    const auto t0 = std::chrono::steady_clock::now();
    const tr::EnergyStatistics es = tr::energy_statistics(data);
    const std::string settings = input_nn(es, 4);
    hdnnp::Model model = tr::untrained_model_4g(settings, scaling_text(input_nn(es, 2), data));
    tr::initialize_weights_4g(model, 11, tr::WeightInit::nguyen_widrow);
    tr::Trainer4GOptions opt;
    opt.use_set_labels = true;
    opt.use_forces = true;
    opt.force_weight = 1.0;  // bohr^2
    tr::Trainer4G trainer(std::move(model), data, opt);
    std::cout << "4G: " << trainer.train_indices().size() << " train / " << trainer.test_indices().size() << " test structures, "
              << trainer.n_charge_parameters() << " stage-1 and " << trainer.n_short_parameters() << " stage-2 parameters" << std::endl;
    auto report = [&](const char* stage, std::size_t it) {
        std::cout << stage << fmt(" %5.0f", static_cast<double>(it));
        if (stage[6] == '1') {
            std::cout << fmt("   RMSE(Q) train/test [me] %8.3f", 1e3 * trainer.charge_errors(trainer.train_indices()).rmse)
                      << fmt(" %8.3f", 1e3 * trainer.charge_errors(trainer.test_indices()).rmse);
        } else {
            const auto tr_e = trainer.short_errors(trainer.train_indices()), te_e = trainer.short_errors(trainer.test_indices());
            std::cout << fmt("   RMSE(E) train/test [mHa/atom] %8.3f", 1e3 * tr_e.energy_rmse) << fmt(" %8.3f", 1e3 * te_e.energy_rmse)
                      << fmt("   RMSE(F) [mHa/bohr] %8.3f", 1e3 * tr_e.force_rmse) << fmt(" %8.3f", 1e3 * te_e.force_rmse);
        }
        std::cout << "   (" << fmt("%.1f", t_start + elapsed(t0)) << " s)" << std::endl;
    };
    tr::LbfgsOptions lb;
    lb.max_iterations = iterations_charge;
    report("stage 1", 0);
    auto r1 = trainer.fit_charges(lb, [&](std::size_t it, double) {
        if (it % 100 == 0) report("stage 1", it);
    });
    std::cout << "stage 1: " << r1.iterations << " iterations (" << r1.stop << ")" << std::endl;
    for (const auto& em : trainer.model().elements) std::cout << "  hardness " << em.symbol << " " << fmt("%.6f", em.hardness) << " Ha/e^2\n";
    trainer.prepare_short();
    trainer.fit_output_bias();
    report("stage 2", 0);
    lb.max_iterations = iterations_short;
    auto r2 = trainer.fit_short(lb, [&](std::size_t it, double) {
        if (it % 100 == 0) report("stage 2", it);
    });
    std::cout << "stage 2: " << r2.iterations << " iterations (" << r2.stop << ")" << std::endl;
    tr::write_n2p2_model_4g(out_dir + "/4g", trainer.model(), settings);
    std::cout << "4G fit: " << fmt("%.1f", elapsed(t0)) << " s" << std::endl;
}

/// The model in out_dir/<gen> read back from disk and evaluated with Potential: table-<gen>.dat (errors per
/// data set and total charge, train and test), pairs-<gen>.dat (the identical-environment pairs: reference
/// and model energy differences). Returns the test-set rows per data set and variant.
std::vector<ct::Row> evaluate(const std::vector<Structure>& data, const std::string& out_dir, const std::string& gen) {
    const auto pot = hdnnp::Potential<>::load(out_dir + "/" + gen);
    const auto pred = ct::predict(pot, data);
    auto train_rows = ct::error_table(data, pred, "train"), test_rows = ct::error_table(data, pred, "test");
    for (const ct::Row& r : ct::error_table(data, pred, "train", false)) train_rows.push_back(r);
    for (const ct::Row& r : ct::error_table(data, pred, "test", false)) test_rows.push_back(r);
    std::cout << gen << " model read back from " << out_dir << "/" << gen << "; test set:\n";
    print_table(std::cout, test_rows);
    write_table_file(out_dir + "/table-" + gen + ".dat", train_rows, test_rows);
    std::ofstream pf(out_dir + "/pairs-" + gen + ".dat");
    pf << "# pair: structures a, b (1-based in input.data) with identical atomic environments within rc = " << ct::kModelCutoff
       << " bohr\n# a b set E_ref(a)-E_ref(b)[Ha] E_" << gen << "(a)-E_" << gen << "(b)[Ha] max|F_" << gen << "(a)-F_" << gen
       << "(b)|[Ha/bohr] description\n";
    double max_ref = 0.0, min_ref = 1e300, max_model = 0.0, max_miss = 0.0;
    for (const ct::Pair& p : ct::identical_environment_pairs(data)) {
        const double dref = data[p.a].energy - data[p.b].energy, dmod = pred[p.a].energy - pred[p.b].energy;
        double dF = 0.0;
        for (std::size_t i = 0; i < data[p.a].size(); ++i)
            for (int c = 0; c < 3; ++c) dF = std::max(dF, std::abs(pred[p.a].forces[i][c] - pred[p.b].forces[i][c]));
        pf << p.a + 1 << " " << p.b + 1 << " " << data[p.a].set << " " << exact(dref) << " " << exact(dmod) << " " << exact(dF) << " " << p.what
           << "\n";
        max_ref = std::max(max_ref, std::abs(dref));
        min_ref = std::min(min_ref, std::abs(dref));
        max_model = std::max(max_model, std::abs(dmod));
        max_miss = std::max(max_miss, std::abs(dmod - dref));
    }
    if (!pf) throw hdnnp::Error(out_dir + "/pairs-" + gen + ".dat: write failed");
    std::cout << "pairs with identical environments within rc: reference |E_a - E_b| " << fmt("%.5f", min_ref) << " to "
              << fmt("%.5f", max_ref) << " Ha; " << gen << " |E_a - E_b| at most " << fmt("%.2e", max_model)
              << " Ha, largest |(E_a - E_b) - (E_a - E_b)_ref| " << fmt("%.2e", max_miss) << " Ha" << std::endl;
    return test_rows;
}

/// The side-by-side test-set table of both fits (markdown), with the 2G/4G energy RMSE ratio.
std::string comparison_table(const std::vector<ct::Row>& r2, const std::vector<ct::Row>& r4) {
    std::ostringstream t;
    t << "| data set | total charge | test structures | E RMSE 2G [mHa/atom] | E RMSE 4G [mHa/atom] | 2G/4G | F RMSE 2G [mHa/bohr] "
         "| F RMSE 4G [mHa/bohr] | Q RMSE 4G [me] |\n|---|---|---|---|---|---|---|---|---|\n";
    for (std::size_t k = 0; k < r2.size() && k < r4.size(); ++k) {
        const ct::Row &a = r2[k], &b = r4[k];
        if (a.dataset != b.dataset || a.variant != b.variant) throw hdnnp::Error("comparison_table: rows of the two fits differ");
        t << "| " << a.dataset << " | " << a.variant << " | " << a.structures << " | " << fmt("%.3f", 1e3 * a.energy_rmse) << " | "
          << fmt("%.3f", 1e3 * b.energy_rmse) << " | " << fmt("%.0f", a.energy_rmse / b.energy_rmse) << " | " << fmt("%.2f", 1e3 * a.force_rmse)
          << " | " << fmt("%.2f", 1e3 * b.force_rmse) << " | " << fmt("%.2f", 1e3 * b.charge_rmse) << " |\n";
    }
    return t.str();
}

}  // namespace

int main(int argc, char** argv) {
    std::string out_dir = "charge-transfer", fits = "both";
    std::size_t epochs = 600, iterations_charge = 1000, iterations_short = 2000;
    const char* usage =
        "usage: make_charge_transfer_model [output_dir] [--fits 2g|4g|both|none] [--epochs N] [--iterations-charge N] "
        "[--iterations-short N]\n";
    for (int k = 1; k < argc; ++k) {
        const std::string a = argv[k];
        auto value = [&]() -> std::string {
            if (k + 1 >= argc) {
                std::cerr << a << " needs a value\n" << usage;
                std::exit(2);
            }
            return argv[++k];
        };
        if (a == "--epochs")
            epochs = static_cast<std::size_t>(std::stoul(value()));
        else if (a == "--iterations-charge")
            iterations_charge = static_cast<std::size_t>(std::stoul(value()));
        else if (a == "--iterations-short")
            iterations_short = static_cast<std::size_t>(std::stoul(value()));
        else if (a == "--fits")
            fits = value();
        else if (!a.empty() && a[0] == '-') {
            std::cerr << "unknown option " << a << "\n" << usage;
            return 2;
        } else
            out_dir = a;
    }
    if (fits != "2g" && fits != "4g" && fits != "both" && fits != "none") {
        std::cerr << "--fits: expected 2g, 4g, both or none, got '" << fits << "'\n" << usage;
        return 2;
    }
    const auto t0 = std::chrono::steady_clock::now();
    try {
        // 1. Reference data.
        std::vector<Structure> data = ct::make_data();
        std::size_t atoms = 0;
        for (const auto& s : data) atoms += s.size();
        std::filesystem::create_directories(out_dir);
        hdnnp::io::write_input_data(out_dir + "/input.data", data);
        hdnnp::io::write_input_data(out_dir + "/locality.data", std::vector<Structure>{ct::locality_structure()});
        std::cout << "reference data: " << data.size() << " structures, " << atoms << " atoms (" << fmt("%.1f", elapsed(t0)) << " s)"
                  << std::endl;

        // 2. Fits.
        if (fits == "2g" || fits == "both") fit_2g(data, out_dir, epochs, elapsed(t0));
        if (fits == "4g" || fits == "both") fit_4g(data, out_dir, iterations_charge, iterations_short, elapsed(t0));

        // 3. Every model present, read back from disk and evaluated against the reference.
        std::vector<ct::Row> rows2, rows4;
        if (std::filesystem::exists(out_dir + "/2g/input.nn")) rows2 = evaluate(data, out_dir, "2g");
        if (std::filesystem::exists(out_dir + "/4g/input.nn")) rows4 = evaluate(data, out_dir, "4g");
        if (!rows2.empty() && !rows4.empty()) {
            const std::string table = comparison_table(rows2, rows4);
            std::ofstream(out_dir + "/table.md") << table;
            std::cout << "test set, both fits:\n" << table;
        }
        std::cout << "done in " << fmt("%.1f", elapsed(t0)) << " s\n";
    } catch (const std::exception& e) {
        std::cerr << "make_charge_transfer_model: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
