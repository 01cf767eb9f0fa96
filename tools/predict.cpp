// hdnnp predict: energies, forces, atomic energies (and charges, committee spreads) of every structure of a
// file, written as n2p2's nnp-predict writes them.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
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

}  // namespace

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
        else if (a == "--threads") set_threads(value("a thread count"));
        else if (a == "--max-warnings") max_warnings = static_cast<std::size_t>(std::atol(value("a number").c_str()));
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

}  // namespace hdnnp::cli
