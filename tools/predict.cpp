// hdnnp predict: energies, forces, atomic energies (and charges, committee spreads) of every structure of a
// file, written as n2p2's nnp-predict writes them.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "output_file.hpp"
#include "hdnnp/core/electrostatics_choice.hpp"
#include "hdnnp/hdnnp.hpp"

namespace hdnnp::cli {

namespace {

const char* const kPredictUsage =
    "usage: hdnnp predict MODEL_DIR [STRUCTURES] [options]\n"
    "\n"
    "Evaluates an n2p2 model directory (input.nn, scaling.data, weights.ZZZ.data; for 3G-HDNNP models also\n"
    "weightse.ZZZ.data, for 4G-HDNNP models weightse.ZZZ.data and hardness.ZZZ.data, with the charges in column 5\n"
    "of nnatoms.out) on every structure of\n"
    "STRUCTURES (default: input.data in the current directory). STRUCTURES is n2p2 input.data, or extended\n"
    "XYZ when its name ends in .xyz or .extxyz (or with --format extxyz). Writes energy.out, nnforces.out\n"
    "and nnatoms.out with n2p2's columns (one block per structure). Units are those of the model's data.\n"
    "Output files are written as NAME.part and renamed when the run ends. If structure k is malformed or\n"
    "refused, the files keep the complete results of structures 1..k-1, the error names structure k and its\n"
    "line, and the exit status is 1.\n"
    "\n"
    "options:\n"
    "  -o, --output-dir DIR   directory for energy.out, nnforces.out, nnatoms.out (default: .)\n"
    "  --extxyz FILE          also write the structures with predicted energy and forces as extended XYZ\n"
    "  --format FMT           input format: input.data or extxyz (default: by file name)\n"
    "  --summary              print one line per structure (atoms, energy, energy per atom, max |F|)\n"
    "  --no-forces            energies only\n"
    "  --threads N            OpenMP threads (default: OMP_NUM_THREADS or all cores)\n"
    "  --max-warnings N       extrapolation warnings printed per structure (default 100; all are counted)\n"
    "  --ewald auto|n2p2|balanced\n"
    "                         3G/4G periodic cells: the Ewald width. auto (default): n2p2's parameters where the\n"
    "                         dense charge solver runs (up to 512 atoms), parameters balanced for matrix-free\n"
    "                         products beyond (same accuracy target, ewald_prec; n2p2's would cost O(N^2) per\n"
    "                         product). Which was used is printed whenever it changes.\n"
    "  --qeq-solver auto|dense|cg\n"
    "                         4G charge equilibration: auto (default) is dense up to 512 atoms, CG beyond.\n"
    "                         `--ewald n2p2 --qeq-solver dense` is n2p2's procedure at every size.\n"
    "  --committee DIR2[,DIR3...]\n"
    "                         evaluate MODEL_DIR with further models of the same symmetry functions as a\n"
    "                         committee: the usual files get the committee mean, committee.out the spreads\n"
    "                         (per structure the energy spread, per atom the force spread; population\n"
    "                         standard deviations over the members)\n";

/// What the 3G/4G evaluations of periodic structures used (Ewald width, charge solver).
struct ElectrostaticsLog {
    std::size_t n2p2 = 0, balanced = 0;  ///< periodic structures per Ewald balance
    std::string last;                    ///< the last choice printed
};

/// Prints the Ewald width and 4G solver of periodic structure k whenever they differ from the previous
/// structure's, and counts them.
void report_electrostatics(const hdnnp::Structure& s, std::size_t k, const hdnnp::Result& r, ElectrostaticsLog& log) {
    if (!s.periodic || r.charges.empty()) return;
    ++(r.ewald_balance_used == hdnnp::EwaldBalance::matrix_free ? log.balanced : log.n2p2);
    const std::string choice = hdnnp::electrostatics_choice(r, s.periodic);
    if (choice == log.last) return;
    log.last = choice;
    std::fprintf(stderr, "hdnnp predict: from structure %zu (%zu atoms) on: %s (eta %.6g, r_c %.6g, k_c %.6g, %zu k-vectors)\n",
                 k, s.size(), choice.c_str(), r.ewald.eta, r.ewald.real_cutoff, r.ewald.kspace_cutoff, r.n_kvectors);
}

struct StructureSource {
    std::unique_ptr<hdnnp::io::InputDataReader> data;
    std::unique_ptr<hdnnp::io::ExtxyzReader> xyz;
    bool next(hdnnp::Structure& s) { return data ? data->next(s) : xyz->next(s); }
    /// Lines read so far.
    std::size_t line() const { return data ? data->line() : xyz->line(); }
};

/// Neighbours per atom above which a structure is reported as pathologically dense (it is still evaluated;
/// the cost grows with the neighbours per atom, and with their square for angular functions).
constexpr double kDenseNeighbours = 4000.0;

/// Prints a warning if structure k (1-based) has more than kDenseNeighbours expected neighbours per atom
/// within the cutoff rc (hdnnp::expected_neighbours; a degenerate cell is refused later by the potential).
void warn_if_dense(const hdnnp::Structure& s, std::size_t k, double rc) {
    const double n = hdnnp::expected_neighbours(s, rc);
    if (n > kDenseNeighbours)
        std::fprintf(stderr,
                     "hdnnp: warning: structure %zu is pathologically dense: about %.0f neighbours per atom within the "
                     "cutoff %g (more than %.0f); its evaluation will be slow\n",
                     k, n, rc, kDenseNeighbours);
}

}  // namespace

int predict(int argc, char** argv) {
    std::vector<std::string> pos;
    std::string outdir = ".", extxyz_out, format;
    bool summary = false, forces = true;
    std::size_t max_warnings = 100;
    std::vector<std::string> committee;
    hdnnp::ComputeOptions opt;
    for (int k = 0; k < argc; ++k) {
        const std::string a = argv[k];
        auto value = [&](const char* what) -> std::string {
            if (k + 1 >= argc) throw hdnnp::Error(std::string("option ") + a + " needs " + what);
            return argv[++k];
        };
        if (a == "-h" || a == "--help") { std::cout << kPredictUsage; return 0; }
        else if (a == "-o" || a == "--output-dir") outdir = value("a directory");
        else if (a == "--extxyz") extxyz_out = value("a file name");
        else if (a == "--format") format = value("input.data or extxyz");
        else if (a == "--summary") summary = true;
        else if (a == "--no-forces") forces = false;
        else if (a == "--threads") set_threads(value("a thread count"));
        else if (a == "--max-warnings") max_warnings = static_cast<std::size_t>(std::atol(value("a number").c_str()));
        else if (a == "--ewald") opt.ewald_balance = hdnnp::parse_ewald_balance(value("auto, n2p2 or balanced"), a);
        else if (a == "--qeq-solver") opt.solver = hdnnp::parse_qeq_solver(value("auto, dense or cg"), a);
        else if (a == "--committee") {
            const std::string list = value("model directories separated by commas");
            for (std::size_t b = 0;;) {
                const std::size_t e = list.find(',', b);
                const std::string d = list.substr(b, e == std::string::npos ? std::string::npos : e - b);
                if (d.empty()) throw hdnnp::Error("--committee: empty model directory in '" + list + "'");
                committee.push_back(d);
                if (e == std::string::npos) break;
                b = e + 1;
            }
        }
        else if (!a.empty() && a[0] == '-') throw hdnnp::Error("unknown option " + a + " (see hdnnp predict --help)");
        else pos.push_back(a);
    }
    if (pos.empty() || pos.size() > 2) {
        std::cerr << kPredictUsage;
        return 2;
    }
    const std::string model_dir = pos[0];
    const std::string input = pos.size() > 1 ? pos[1] : "input.data";
    if (format.empty()) format = (ends_with(input, ".xyz") || ends_with(input, ".extxyz")) ? "extxyz" : "input.data";
    if (format != "extxyz" && format != "input.data") throw hdnnp::Error("unknown --format " + format + " (input.data or extxyz)");

    const auto t0 = std::chrono::steady_clock::now();
    // One potential type for every generation (2G, 3G, 4G); a committee when --committee names more models.
    std::vector<hdnnp::Potential<>> members;
    {
        std::vector<std::string> dirs{model_dir};
        dirs.insert(dirs.end(), committee.begin(), committee.end());
        for (const auto& d : dirs) {
            hdnnp::Model loaded = hdnnp::io::load_n2p2_model(d);
            for (const auto& w : loaded.warnings) std::cerr << "hdnnp: warning: " << d << ": " << w << "\n";
            members.emplace_back(std::move(loaded));
        }
    }
    const hdnnp::Committee<> pot(std::move(members));
    const hdnnp::Model& model = pot.member(0).model();
    const bool is_committee = pot.size() > 1;

    StructureSource src;
    if (format == "extxyz") src.xyz = std::make_unique<hdnnp::io::ExtxyzReader>(input);
    else src.data = std::make_unique<hdnnp::io::InputDataReader>(input);

    // Outputs go to NAME.part and are renamed when the run ends; if structure k fails (malformed, or refused
    // by the potential), the complete rows of structures 1..k-1 are committed first, then the error names k.
    std::vector<std::unique_ptr<OutputFile>> outputs;
    auto open = [&](const std::string& path) -> std::ofstream& {
        outputs.push_back(std::make_unique<OutputFile>(path));
        return outputs.back()->stream();
    };
    std::ofstream* fc = nullptr;
    if (is_committee) {
        fc = &open(outdir + "/committee.out");
        hdnnp::io::write_committee_header(*fc, pot.size());
    }
    std::ofstream& fe = open(outdir + "/energy.out");
    std::ofstream& ff = open(outdir + "/nnforces.out");
    std::ofstream& fa = open(outdir + "/nnatoms.out");
    hdnnp::io::write_energy_header(fe);
    hdnnp::io::write_nnforces_header(ff);
    hdnnp::io::write_nnatoms_header(fa);
    std::ofstream* fx = extxyz_out.empty() ? nullptr : &open(extxyz_out);
    auto commit_all = [&] {
        for (auto& o : outputs) o->commit();
    };

    opt.forces = forces;
    opt.max_extrapolation_records = max_warnings;
    hdnnp::Structure s;
    std::size_t conf = 0, atoms = 0, warnings = 0;
    ElectrostaticsLog electrostatics;
    if (summary)
        std::printf("%6s %8s %24s %20s %14s %8s\n", "conf", "atoms", "energy", "energy/atom", "max|F|", "EW");
    for (;;) {
        const std::size_t first_line = src.line() + 1;  // where structure conf + 1 starts (or blank lines before it)
        hdnnp::CommitteeResult r;
        bool read = false;  // structure conf + 1 was read (the error is the potential's, not the reader's)
        try {
            if (!src.next(s)) break;
            read = true;
            warn_if_dense(s, conf + 1, model.cutoff_radius());
            r = pot.compute(s, opt);
        } catch (const hdnnp::Error& e) {
            const std::size_t failed = conf + 1;
            std::string msg = input + ": structure " + std::to_string(failed) + " (from line " +
                              std::to_string(first_line) + (read ? " to " + std::to_string(src.line()) : std::string()) +
                              "): " + e.what();
            try {
                commit_all();
                msg += "; the results of structures 1.." + std::to_string(conf) + " are complete in the output files";
            } catch (const hdnnp::Error& w) {
                msg += "; " + std::string(w.what());
            }
            throw hdnnp::Error(msg);
        }
        ++conf;
        report_electrostatics(s, conf, r, electrostatics);
        const std::vector<double>& charges = r.charges;  // 3G, 4G: predicted charges (nnatoms.out column 5)
        atoms += s.size();
        warnings += r.extrapolation_count;
        for (const auto& w : r.extrapolations) std::cerr << hdnnp::io::extrapolation_line(conf - 1, w);
        hdnnp::io::write_energy_row(fe, conf, model, s, r);
        hdnnp::io::write_nnforces_rows(ff, conf, s, r);
        hdnnp::io::write_nnatoms_rows(fa, conf, s, r, charges);
        if (fc) hdnnp::io::write_committee_rows(*fc, conf, s, r.energy, r.energy_spread, r.force_spread);
        if (fx) {
            const double e = r.energy;
            hdnnp::io::write_extxyz(*fx, s, forces ? &r.forces : nullptr, nullptr, &e);
        }
        if (summary) {
            double fmax = 0.0;
            for (const auto& f : r.forces) fmax = std::max(fmax, hdnnp::norm(f));
            std::printf("%6zu %8zu %24.12f %20.12f %14.6e %8zu\n", conf, s.size(), r.energy,
                        r.energy / static_cast<double>(s.size()), fmax, r.extrapolation_count);
        }
    }
    commit_all();
    if (conf == 0) throw hdnnp::Error(input + ": no structures found");
    std::fflush(stdout);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (electrostatics.n2p2 + electrostatics.balanced > 0)
        std::fprintf(stderr, "hdnnp predict: Ewald parameters: n2p2's for %zu, balanced for matrix-free products for %zu periodic structures\n",
                     electrostatics.n2p2, electrostatics.balanced);
    if (warnings) std::cerr << "hdnnp: " << warnings << " extrapolation warnings (symmetry functions outside the scaling.data range)\n";
    std::fprintf(stderr, "hdnnp predict: %zu structures, %zu atoms, %.3f s; wrote %s/energy.out, nnforces.out, nnatoms.out%s%s%s\n", conf,
                 atoms, secs, outdir.c_str(), is_committee ? ", committee.out" : "", extxyz_out.empty() ? "" : ", ",
                 extxyz_out.c_str());
    return 0;
}

}  // namespace hdnnp::cli
