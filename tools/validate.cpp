// hdnnp validate: error statistics of a model against reference energies, forces and charges, with n2p2's
// definitions (hdnnp/validation/statistics.hpp), the worst structures and atoms, an extrapolation report, and
// parity plots and error histograms.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "hdnnp/hdnnp.hpp"
#include "hdnnp/validation/statistics.hpp"
#include "plot.hpp"

namespace hdnnp::cli {

namespace {

const char* const kValidateUsage =
    "usage: hdnnp validate MODEL_DIR DATA... [options]\n"
    "\n"
    "Compares the model (n2p2 directory, any generation) with the reference energies, forces and (3G/4G)\n"
    "charges of every structure in the DATA files (n2p2 input.data, or extended XYZ when a name ends in .xyz or\n"
    "with --format extxyz), read one structure at a time. Prints energy RMSE/MAE per atom and per structure,\n"
    "force RMSE/MAE overall and per element, charge RMSE/MAE (n2p2's definitions, see docs/validation.md), the\n"
    "worst structures and atoms, and which symmetry functions left their scaling.data range. Units are the\n"
    "data's.\n"
    "\n"
    "options:\n"
    "  --json FILE      write the statistics as JSON\n"
    "  --plots DIR      data files (energy.dat, forces.dat, charges.dat) and PNG figures: parity plots of\n"
    "                   energy, forces per element and charges, and error histograms\n"
    "  --worst N        list the N worst structures (|dE|/atom) and atoms (|dF|) (default 10; 0: none)\n"
    "  --format FMT     input.data or extxyz for every DATA file (default: by file name)\n"
    "  --threads N      OpenMP threads (default: OMP_NUM_THREADS or all cores)\n";

struct Source {
    std::unique_ptr<io::InputDataReader> data;
    std::unique_ptr<io::ExtxyzReader> xyz;
    bool next(Structure& s) { return data ? data->next(s) : xyz->next(s); }
};

}  // namespace

int validate(int argc, char** argv) {
    std::vector<std::string> pos;
    std::string json_file, plots_dir, format;
    long worst = 10;
    for (int k = 0; k < argc; ++k) {
        const std::string a = argv[k];
        auto value = [&](const char* what) -> std::string {
            if (k + 1 >= argc) throw Error("option " + a + " needs " + what);
            return argv[++k];
        };
        if (a == "-h" || a == "--help") { std::cout << kValidateUsage; return 0; }
        else if (a == "--json") json_file = value("a file name");
        else if (a == "--plots") plots_dir = value("a directory");
        else if (a == "--format") format = value("input.data or extxyz");
        else if (a == "--worst") {
            const std::string v = value("a number");
            char* end = nullptr;
            worst = std::strtol(v.c_str(), &end, 10);
            if (v.empty() || *end != '\0' || worst < 0) throw Error("--worst needs a non-negative integer, got '" + v + "'");
        } else if (a == "--threads") set_threads(value("a thread count"));
        else if (!a.empty() && a[0] == '-') throw Error("unknown option " + a + " (see hdnnp validate --help)");
        else pos.push_back(a);
    }
    if (pos.size() < 2) {
        std::cerr << kValidateUsage;
        throw Error("hdnnp validate needs MODEL_DIR and at least one DATA file");
    }
    if (!format.empty() && format != "extxyz" && format != "input.data") throw Error("unknown --format " + format + " (input.data or extxyz)");

    const auto t0 = std::chrono::steady_clock::now();
    Model loaded = io::load_n2p2_model(pos[0]);
    for (const auto& w : loaded.warnings) std::cerr << "hdnnp: warning: " << pos[0] << ": " << w << "\n";
    const Potential<> pot(std::move(loaded));
    const bool charges = pot.generation() == Generation::third || pot.generation() == Generation::fourth;
    validation::ErrorStatistics stats(std::size_t(worst), charges);

    std::ofstream fe, ff, fq;
    if (!plots_dir.empty()) {
        std::filesystem::create_directories(plots_dir);
        auto open = [&](std::ofstream& f, const char* name, const char* header) {
            const std::string p = plots_dir + "/" + name;
            f.open(p);
            if (!f) throw Error("cannot write " + p);
            f << header << "\n";
        };
        open(fe, "energy.dat", "structure atoms e_ref_per_atom e_model_per_atom");
        open(ff, "forces.dat", "structure atom element fx_ref fy_ref fz_ref fx_model fy_model fz_model");
        if (charges) open(fq, "charges.dat", "structure atom element q_ref q_model");
    }

    ComputeOptions opt;
    opt.max_extrapolation_records = std::numeric_limits<std::size_t>::max();  // the report needs all of them
    Structure s;
    std::size_t index = 0;
    char line[512];
    for (std::size_t d = 1; d < pos.size(); ++d) {
        const std::string& file = pos[d];
        const bool xyz = format.empty() ? (ends_with(file, ".xyz") || ends_with(file, ".extxyz")) : format == "extxyz";
        Source src;
        if (xyz) src.xyz = std::make_unique<io::ExtxyzReader>(file);
        else src.data = std::make_unique<io::InputDataReader>(file);
        std::size_t in_file = 0;
        while (src.next(s)) {
            ++index;
            ++in_file;
            Result r;
            try {
                r = pot.compute(s, opt);
                stats.add(s, r, index);
            } catch (const Error& e) {
                throw Error(file + ": structure " + std::to_string(in_file) + ": " + e.what());
            }
            if (fe.is_open()) {
                std::snprintf(line, sizeof line, "%zu %zu %.12e %.12e\n", index, s.size(), s.energy / double(s.size()), r.energy / double(s.size()));
                fe << line;
                for (std::size_t i = 0; i < s.size(); ++i) {
                    std::snprintf(line, sizeof line, "%zu %zu %s %.10e %.10e %.10e %.10e %.10e %.10e\n", index, i + 1, s.symbols[i].c_str(),
                                  s.forces[i][0], s.forces[i][1], s.forces[i][2], r.forces[i][0], r.forces[i][1], r.forces[i][2]);
                    ff << line;
                    if (fq.is_open()) {
                        std::snprintf(line, sizeof line, "%zu %zu %s %.10e %.10e\n", index, i + 1, s.symbols[i].c_str(), s.charges[i], r.charges[i]);
                        fq << line;
                    }
                }
            }
        }
        if (in_file == 0) throw Error(file + ": no structures found");
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    std::printf("hdnnp validate: %zu structures, %zu atoms (%.2f s), model %s (%s)\n", stats.structures(), stats.atoms(), secs, pos[0].c_str(),
                pot.generation() == Generation::second ? "2G" : pot.generation() == Generation::third ? "3G" : "4G");
    std::printf("                          %16s %16s\n", "rmse", "mae");
    std::printf("energy per atom           %16.8e %16.8e\n", stats.energy_per_atom().rmse(), stats.energy_per_atom().mae());
    std::printf("energy per structure      %16.8e %16.8e\n", stats.energy().rmse(), stats.energy().mae());
    std::printf("forces                    %16.8e %16.8e\n", stats.forces().rmse(), stats.forces().mae());
    for (const auto& kv : stats.forces_per_element()) {
        std::string label = "forces " + kv.first;
        label.resize(25, ' ');
        std::printf("%s %16.8e %16.8e\n", label.c_str(), kv.second.rmse(), kv.second.mae());
    }
    if (charges) std::printf("charges                   %16.8e %16.8e\n", stats.charges().rmse(), stats.charges().mae());
    if (worst > 0) {
        std::printf("\nworst structures (|E_model - E_ref| per atom)\n%6s %10s %8s %20s %20s %16s\n", "rank", "structure", "atoms", "E_ref", "E_model",
                    "dE/atom");
        std::size_t rank = 0;
        for (const auto& w : stats.worst_structures())
            std::printf("%6zu %10zu %8zu %20.10f %20.10f %16.8e\n", ++rank, w.index, w.atoms, w.reference, w.predicted, w.error_per_atom());
        std::printf("\nworst atoms (|F_model - F_ref|)\n%6s %10s %8s %4s %16s %16s %16s\n", "rank", "structure", "atom", "el", "|F_ref|", "|F_model|",
                    "|dF|");
        rank = 0;
        for (const auto& w : stats.worst_atoms())
            std::printf("%6zu %10zu %8zu %4s %16.8e %16.8e %16.8e\n", ++rank, w.structure, w.atom, w.element.c_str(), norm(w.reference),
                        norm(w.predicted), w.error());
    }
    std::printf("\nextrapolation: ");
    if (stats.extrapolation_count() == 0) std::printf("no symmetry function left its scaling.data range\n");
    else {
        std::printf("%zu warnings (function values outside the scaling.data range)\n%4s %8s %5s %8s %10s %16s %16s %16s %10s\n",
                    stats.extrapolation_count(), "el", "function", "type", "count", "structures", "min", "max", "max excess", "excess/range");
        for (const auto& e : stats.extrapolations())
            std::printf("%4s %8zu %5d %8zu %10zu %16.8e %16.8e %16.8e %10.4f\n", e.element.c_str(), e.function, e.type, e.count, e.structures, e.min,
                        e.max, e.max_excess, e.relative_excess());
    }
    if (!json_file.empty()) {
        std::ofstream out(json_file);
        if (!out) throw Error("cannot write " + json_file);
        stats.write_json(out);
        std::printf("\nwrote %s\n", json_file.c_str());
    }
    if (!plots_dir.empty()) {
        fe.close();
        ff.close();
        if (fq.is_open()) fq.close();
        std::vector<std::vector<std::string>> jobs = {{"parity-energy", plots_dir + "/energy.dat", plots_dir + "/energy_parity.png"},
                                                      {"parity-forces", plots_dir + "/forces.dat", plots_dir + "/forces_parity.png"}};
        if (charges) jobs.push_back({"parity-charges", plots_dir + "/charges.dat", plots_dir + "/charges_parity.png"});
        jobs.push_back({"error-histograms", plots_dir, plots_dir + "/error_histograms.png"});
        std::printf("\n");
        for (const auto& j : jobs) {
            const PlotStatus p = make_plot(j[0], j[1], j[2]);
            if (p.ok) std::printf("plot: %s\n", p.message.c_str());
            else std::printf("plot %s not drawn: %s (data in %s)\n", j[2].c_str(), p.message.c_str(), j[1].c_str());
        }
    }
    std::fflush(stdout);
    return 0;
}

}  // namespace hdnnp::cli
