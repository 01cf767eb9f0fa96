// hdnnp: the command-line program. Subcommands:
//   hdnnp predict MODEL_DIR [STRUCTURES] [options]   energies, forces, atomic energies (nnp-predict drop-in)
//   hdnnp specialize MODEL_DIR -o model.hpp          a header that compiles the model as a specialised potential
//   hdnnp version
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "hdnnp/hdnnp.hpp"
#include "hdnnp/io/specialize.hpp"

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
    "\n"
    "options:\n"
    "  -o, --output-dir DIR   directory for energy.out, nnforces.out, nnatoms.out (default: .)\n"
    "  --extxyz FILE          also write the structures with predicted energy and forces as extended XYZ\n"
    "  --format FMT           input format: input.data or extxyz (default: by file name)\n"
    "  --summary              print one line per structure (atoms, energy, energy per atom, max |F|)\n"
    "  --no-forces            energies only\n"
    "  --threads N            OpenMP threads (default: OMP_NUM_THREADS or all cores)\n"
    "  --max-warnings N       extrapolation warnings printed per structure (default 100; all are counted)\n"
    "  --committee DIR2[,DIR3...]\n"
    "                         evaluate MODEL_DIR with further models of the same symmetry functions as a\n"
    "                         committee: the usual files get the committee mean, committee.out the spreads\n"
    "                         (per structure the energy spread, per atom the force spread; population\n"
    "                         standard deviations over the members)\n";

struct StructureSource {
    std::unique_ptr<hdnnp::io::InputDataReader> data;
    std::unique_ptr<hdnnp::io::ExtxyzReader> xyz;
    bool next(hdnnp::Structure& s) { return data ? data->next(s) : xyz->next(s); }
};

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int predict(int argc, char** argv) {
    std::vector<std::string> pos;
    std::string outdir = ".", extxyz_out, format;
    bool summary = false, forces = true;
    std::size_t max_warnings = 100;
    std::vector<std::string> committee;
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
        else if (a == "--threads") {
            const int n = std::atoi(value("a thread count").c_str());
            if (n < 1) throw hdnnp::Error("--threads needs a positive number");
#ifdef _OPENMP
            omp_set_num_threads(n);
#endif
        } else if (a == "--max-warnings") max_warnings = static_cast<std::size_t>(std::atol(value("a number").c_str()));
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

    auto open = [&](const std::string& name) {
        const std::string p = outdir + "/" + name;
        auto f = std::make_unique<std::ofstream>(p);
        if (!*f) throw hdnnp::Error("cannot write " + p);
        return f;
    };
    std::unique_ptr<std::ofstream> fc;
    if (is_committee) {
        fc = open("committee.out");
        hdnnp::io::write_committee_header(*fc, pot.size());
    }
    auto fe = open("energy.out");
    auto ff = open("nnforces.out");
    auto fa = open("nnatoms.out");
    hdnnp::io::write_energy_header(*fe);
    hdnnp::io::write_nnforces_header(*ff);
    hdnnp::io::write_nnatoms_header(*fa);
    std::unique_ptr<std::ofstream> fx;
    if (!extxyz_out.empty()) {
        fx = std::make_unique<std::ofstream>(extxyz_out);
        if (!*fx) throw hdnnp::Error("cannot write " + extxyz_out);
    }

    hdnnp::ComputeOptions opt;
    opt.forces = forces;
    opt.max_extrapolation_records = max_warnings;
    hdnnp::Structure s;
    std::size_t conf = 0, atoms = 0, warnings = 0;
    if (summary)
        std::printf("%6s %8s %24s %20s %14s %8s\n", "conf", "atoms", "energy", "energy/atom", "max|F|", "EW");
    while (src.next(s)) {
        ++conf;
        hdnnp::CommitteeResult r;
        try {
            r = pot.compute(s, opt);
        } catch (const hdnnp::Error& e) {
            throw hdnnp::Error(input + ": structure " + std::to_string(conf) + ": " + e.what());
        }
        const std::vector<double>& charges = r.charges;  // 3G, 4G: predicted charges (nnatoms.out column 5)
        atoms += s.size();
        warnings += r.extrapolation_count;
        for (const auto& w : r.extrapolations) std::cerr << hdnnp::io::extrapolation_line(conf - 1, w);
        hdnnp::io::write_energy_row(*fe, conf, model, s, r);
        hdnnp::io::write_nnforces_rows(*ff, conf, s, r);
        hdnnp::io::write_nnatoms_rows(*fa, conf, s, r, charges);
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
    if (conf == 0) throw hdnnp::Error(input + ": no structures found");
    std::fflush(stdout);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (warnings) std::cerr << "hdnnp: " << warnings << " extrapolation warnings (symmetry functions outside the scaling.data range)\n";
    std::fprintf(stderr, "hdnnp predict: %zu structures, %zu atoms, %.3f s; wrote %s/energy.out, nnforces.out, nnatoms.out%s%s%s\n", conf,
                 atoms, secs, outdir.c_str(), is_committee ? ", committee.out" : "", extxyz_out.empty() ? "" : ", ",
                 extxyz_out.c_str());
    return 0;
}

const char* const kSpecializeUsage =
    "usage: hdnnp specialize MODEL_DIR -o model.hpp [--name NAME] [--namespace NS]\n"
    "\n"
    "Writes a self-contained C++ header for the n2p2 model directory MODEL_DIR (input.nn, scaling.data,\n"
    "weights.ZZZ.data; 3G/4G models also weightse.ZZZ.data, 4G hardness.ZZZ.data). In namespace NS it defines\n"
    "struct NAME with\n"
    "  using Potential = hdnnp::Potential<cutoff, CompiledNetworks<...>, Families<...>, GenN>;\n"
    "    the model's cutoff, per-element network shapes and activations (3G/4G: ElementNetworks<short,\n"
    "    charge or electronegativity network>), symmetry-function families and generation as types,\n"
    "  constants (elements, atomic_numbers, n_symmetry_functions, cutoff_type, cutoff_radius, generation),\n"
    "  static Potential load(), which builds the model from the embedded text of its files (byte for byte).\n"
    "User code includes the header, calls NAME::load() and needs no model files at run time.\n"
    "Models whose structure the compile-time policies cannot express are refused with the reason.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE   header to write (default: standard output)\n"
    "  --name NAME         struct name (default: the directory name as a C++ identifier)\n"
    "  --namespace NS      enclosing namespace, may be nested as a::b (default: hdnnp_models)\n";

int specialize(int argc, char** argv) {
    std::vector<std::string> pos;
    std::string out;
    hdnnp::io::SpecializeOptions opt;
    for (int k = 0; k < argc; ++k) {
        const std::string a = argv[k];
        auto value = [&](const char* what) -> std::string {
            if (k + 1 >= argc) throw hdnnp::Error(std::string("option ") + a + " needs " + what);
            return argv[++k];
        };
        if (a == "-h" || a == "--help") { std::cout << kSpecializeUsage; return 0; }
        else if (a == "-o" || a == "--output") out = value("a file name");
        else if (a == "--name") opt.name = value("an identifier");
        else if (a == "--namespace") opt.ns = value("a namespace");
        else if (!a.empty() && a[0] == '-') throw hdnnp::Error("unknown option " + a + " (see hdnnp specialize --help)");
        else pos.push_back(a);
    }
    if (pos.size() != 1) {
        std::cerr << kSpecializeUsage;
        return 2;
    }
    if (!out.empty() && out != "-") opt.header_name = std::filesystem::path(out).filename().string();
    const std::string text = hdnnp::io::specialize_header(pos[0], opt);
    if (out.empty() || out == "-") {
        std::cout << text;
        return 0;
    }
    std::ofstream f(out, std::ios::binary);
    if (!(f << text) || !f.flush()) throw hdnnp::Error("cannot write " + out);
    std::cerr << "hdnnp specialize: wrote " << out << "\n";
    return 0;
}

void usage() {
    std::cout << "hdnnp " << HDNNP_VERSION_MAJOR << "." << HDNNP_VERSION_MINOR << "." << HDNNP_VERSION_PATCH
              << ": high-dimensional neural network potentials\n\n"
                 "usage: hdnnp <command> [arguments]\n\n"
                 "commands:\n"
                 "  predict    energies and forces of structures with an n2p2 model (nnp-predict drop-in)\n"
                 "  specialize a C++ header that compiles an n2p2 model as a specialised potential\n"
                 "  version    print the version\n\n"
                 "hdnnp <command> --help describes a command.\n";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        usage();
        return 2;
    }
    const std::string cmd = argv[1];
    try {
        if (cmd == "predict") return predict(argc - 2, argv + 2);
        if (cmd == "specialize") return specialize(argc - 2, argv + 2);
        if (cmd == "version" || cmd == "--version") {
            std::cout << HDNNP_VERSION_MAJOR << "." << HDNNP_VERSION_MINOR << "." << HDNNP_VERSION_PATCH << "\n";
            return 0;
        }
        if (cmd == "-h" || cmd == "--help" || cmd == "help") {
            usage();
            return 0;
        }
        std::cerr << "hdnnp: unknown command '" << cmd << "'\n";
        usage();
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "hdnnp: error: " << e.what() << "\n";
        return 1;
    }
}
