// hdnnp hessian: exact Hessian blocks of every structure of a file (hessian.out).
// hdnnp locality: the locality test of Herbold and Behler (J. Chem. Phys. 156, 114106 (2022)) from the same
// blocks: per element pair the largest block norm in distance bins, the distance r* beyond which
// norm x displacement stays below the force tolerance, the data file locality.out and a PNG plot (made by
// python/hdnnp/plots.py with matplotlib).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "hdnnp/hdnnp.hpp"
#include "hdnnp/potential/hessian.hpp"
#include "plot.hpp"

namespace hdnnp::cli {
namespace {

const char* const kHessianUsage =
    "usage: hdnnp hessian MODEL_DIR STRUCTURES [--atoms LIST] [-o DIR] [--threads N]\n"
    "\n"
    "Exact Hessian H_AB = d2E/dR_A dR_B (3x3 blocks, energy/length^2 in the model's units) of every structure\n"
    "of STRUCTURES (n2p2 input.data, or extended XYZ by name .xyz/.extxyz), written to DIR/hessian.out: one line\n"
    "per structurally non-zero block, A the row atom. 2G models: blocks vanish beyond 2 rc and are not listed;\n"
    "3G/4G models: every block (the charges couple all atoms; the 3N x 3N Hessian is formed internally).\n"
    "\n"
    "options:\n"
    "  --atoms LIST           row atoms only (1-based, e.g. 1,2,3 or 1-3,10); default: all atoms\n"
    "  -o, --output-dir DIR   directory for hessian.out (default: .)\n"
    "  --threads N            OpenMP threads\n";

const char* const kLocalityUsage =
    "usage: hdnnp locality MODEL_DIR STRUCTURES [--atoms LIST] [--displacement D] [--force-tolerance EPS]\n"
    "                      [--bin W] [-o DIR] [--threads N]\n"
    "\n"
    "Locality test (Herbold and Behler, J. Chem. Phys. 156, 114106 (2022)): the Hessian blocks H_AB of the\n"
    "row atoms A (--atoms, default all) against all atoms B. A displacement D of atom A changes the force on B by\n"
    "about |H_AB| D (|.| the Frobenius norm). Prints per element pair (row element-column element) the largest\n"
    "block norm in distance bins of width W and r*, the largest r_AB with |H_AB| D >= EPS: beyond r* every force\n"
    "response stays below EPS (the cutoff the data say is enough). Writes DIR/locality.out (one line per block)\n"
    "and DIR/locality.png (log10 |H_AB| against r_AB, one colour per element pair, lines at rc and 2 rc; made by\n"
    "python/hdnnp/plots.py with matplotlib through $HDNNP_PYTHON, default /usr/bin/python3; the folder holding\n"
    "the hdnnp package is $HDNNP_PYTHON_DIR, default the source tree's python/). Units: the model's (D length, EPS energy/length).\n"
    "\n"
    "options:\n"
    "  --atoms LIST           row atoms (1-based, e.g. 1,2,3 or 1-3); default: all atoms\n"
    "  --displacement D       displacement of a row atom [length] (default 0.1)\n"
    "  --force-tolerance EPS  force change regarded as negligible [energy/length] (default 1e-3)\n"
    "  --bin W                width of the distance bins of the table [length] (default rc/6)\n"
    "  -o, --output-dir DIR   directory for locality.out and locality.png (default: .)\n"
    "  --threads N            OpenMP threads\n";

struct Options {
    std::vector<std::string> pos;
    std::string outdir = ".", atoms;
    double displacement = 0.1, tolerance = 1e-3, bin = 0.0;
};

Options parse(int argc, char** argv, const char* usage, bool locality, bool& help) {
    Options o;
    help = false;
    for (int k = 0; k < argc; ++k) {
        const std::string a = argv[k];
        auto value = [&](const char* what) -> std::string {
            if (k + 1 >= argc) throw hdnnp::Error(std::string("option ") + a + " needs " + what);
            return argv[++k];
        };
        auto number = [&](const char* what) {
            const std::string v = value(what);
            char* end = nullptr;
            const double x = std::strtod(v.c_str(), &end);
            if (v.empty() || *end != '\0' || !(x > 0.0) || !std::isfinite(x))
                throw hdnnp::Error("option " + a + " needs a positive number (got '" + v + "')");
            return x;
        };
        if (a == "-h" || a == "--help") { std::cout << usage; help = true; return o; }
        else if (a == "-o" || a == "--output-dir") o.outdir = value("a directory");
        else if (a == "--atoms") o.atoms = value("a list of atoms");
        else if (a == "--threads") set_threads(value("a thread count"));
        else if (locality && a == "--displacement") o.displacement = number("a length");
        else if (locality && a == "--force-tolerance") o.tolerance = number("a force");
        else if (locality && a == "--bin") o.bin = number("a length");
        else if (!a.empty() && a[0] == '-') throw hdnnp::Error("unknown option " + a);
        else o.pos.push_back(a);
    }
    return o;
}

/// "1,3-5" -> {0, 2, 3, 4} (0-based); every atom must exist.
std::vector<std::size_t> parse_atoms(const std::string& list, std::size_t n) {
    std::vector<std::size_t> out;
    if (list.empty()) return out;
    std::stringstream ss(list);
    std::string item;
    while (std::getline(ss, item, ',')) {
        const std::size_t dash = item.find('-');
        auto num = [&](const std::string& t) {
            char* end = nullptr;
            const long v = std::strtol(t.c_str(), &end, 10);
            if (t.empty() || *end != '\0' || v < 1 || static_cast<std::size_t>(v) > n)
                throw hdnnp::Error("--atoms: '" + t + "' is not an atom number 1.." + std::to_string(n));
            return static_cast<std::size_t>(v - 1);
        };
        if (dash == std::string::npos) {
            out.push_back(num(item));
        } else {
            const std::size_t a = num(item.substr(0, dash)), b = num(item.substr(dash + 1));
            if (b < a) throw hdnnp::Error("--atoms: empty range '" + item + "'");
            for (std::size_t k = a; k <= b; ++k) out.push_back(k);
        }
    }
    return out;
}

double frobenius(const Mat3& m) {
    double s = 0.0;
    for (const auto& r : m)
        for (double x : r) s += x * x;
    return std::sqrt(s);
}

std::unique_ptr<std::ofstream> open_out(const std::string& dir, const std::string& name) {
    const std::string p = dir + "/" + name;
    auto f = std::make_unique<std::ofstream>(p);
    if (!*f) throw hdnnp::Error("cannot write " + p);
    return f;
}

/// Reads every structure of a file (input.data or extended XYZ by name).
std::vector<Structure> read_structures(const std::string& path) {
    if (ends_with(path, ".xyz") || ends_with(path, ".extxyz")) return io::read_extxyz(path);
    return io::read_input_data(path);
}

/// Runs f(structure index (1-based), structure, Hessian) for every structure.
template <class F> void for_each_hessian(const Potential<>& pot, const std::vector<Structure>& ss, const std::string& atoms,
                                         const std::string& input, F&& f) {
    for (std::size_t k = 0; k < ss.size(); ++k) {
        try {
            const Hessian h = hessian(pot, ss[k], parse_atoms(atoms, ss[k].size()));
            f(k + 1, ss[k], h);
        } catch (const hdnnp::Error& e) {
            throw hdnnp::Error(input + ": structure " + std::to_string(k + 1) + ": " + e.what());
        }
    }
}

Potential<> load(const std::string& dir) {
    hdnnp::Model m = hdnnp::io::load_n2p2_model(dir);
    for (const auto& w : m.warnings) std::cerr << "hdnnp: warning: " << dir << ": " << w << "\n";
    return Potential<>(std::move(m));
}


}  // namespace

int hessian(int argc, char** argv) {
    bool help;
    const Options o = parse(argc, argv, kHessianUsage, false, help);
    if (help) return 0;
    if (o.pos.size() != 2) { std::cerr << kHessianUsage; return 2; }
    const Potential<> pot = load(o.pos[0]);
    const std::vector<Structure> ss = read_structures(o.pos[1]);
    auto out = open_out(o.outdir, "hessian.out");
    std::ostream& f = *out;
    f << "# hdnnp hessian: exact Hessian blocks H_AB[a][b] = d2E / dR_A,a dR_B,b of model " << o.pos[0] << "\n"
      << "# units: energy/length^2 of the model (r_AB: length); atoms 1-based, A the row atom; one line per\n"
      << "# structurally non-zero block (2G: atoms within 2 rc of each other; 3G/4G: every block); r_AB the\n# minimum-image distance,"
      << " norm the Frobenius norm of the block\n"
      << "# structure A B r_AB norm h_xx h_xy h_xz h_yx h_yy h_yz h_zx h_zy h_zz\n";
    char line[512];
    std::size_t total = 0;
    for_each_hessian(pot, ss, o.atoms, o.pos[1], [&](std::size_t k, const Structure& s, const Hessian& h) {
        for (const HessianBlock& b : h.blocks) {
            const Mat3& m = b.h;
            std::snprintf(line, sizeof line,
                          "%zu %zu %zu %.10e %.10e % .16e % .16e % .16e % .16e % .16e % .16e % .16e % .16e % .16e\n", k,
                          b.a + 1, b.b + 1, minimum_image_distance(s, b.a, b.b), frobenius(m), m[0][0], m[0][1], m[0][2],
                          m[1][0], m[1][1], m[1][2], m[2][0], m[2][1], m[2][2]);
            f << line;
        }
        total += h.blocks.size();
    });
    std::cout << "hdnnp hessian: " << ss.size() << " structure(s), " << total << " blocks -> " << o.outdir << "/hessian.out\n";
    return 0;
}

int locality(int argc, char** argv) {
    bool help;
    Options o = parse(argc, argv, kLocalityUsage, true, help);
    if (help) return 0;
    if (o.pos.size() != 2) { std::cerr << kLocalityUsage; return 2; }
    const Potential<> pot = load(o.pos[0]);
    const Model& model = pot.model();
    const double rc = model.cutoff_radius();
    if (o.bin == 0.0) o.bin = rc / 6.0;
    const std::vector<Structure> ss = read_structures(o.pos[1]);
    auto out = open_out(o.outdir, "locality.out");
    std::ostream& f = *out;
    f << "# hdnnp locality: Hessian block norms |H_AB| (Frobenius, energy/length^2 of the model) against the\n"
      << "# minimum-image distance r_AB (length) for the row atoms A; model " << o.pos[0] << "\n";
    f.precision(10);
    f << "# rc " << rc << "\n# displacement " << o.displacement << "\n# force_tolerance " << o.tolerance << "\n"
      << "# generation " << static_cast<int>(model.generation) << "\n"
      << "# structure A B element_A element_B r_AB norm\n";
    struct Pair {
        std::map<long, double> bins;  // bin index -> largest norm
        double rstar = 0.0, max_norm = 0.0;
        std::size_t n = 0;
    };
    std::map<std::string, Pair> pairs;
    char line[256];
    for_each_hessian(pot, ss, o.atoms, o.pos[1], [&](std::size_t k, const Structure& s, const Hessian& h) {
        for (const HessianBlock& b : h.blocks) {
            if (b.a == b.b) continue;  // the self block is no response of another atom
            const double r = minimum_image_distance(s, b.a, b.b), nm = frobenius(b.h);
            std::snprintf(line, sizeof line, "%zu %zu %zu %s %s %.10e %.10e\n", k, b.a + 1, b.b + 1, s.symbols[b.a].c_str(),
                          s.symbols[b.b].c_str(), r, nm);
            f << line;
            Pair& p = pairs[s.symbols[b.a] + "-" + s.symbols[b.b]];
            const long bin = static_cast<long>(std::floor(r / o.bin));
            p.bins[bin] = std::max(p.bins[bin], nm);
            p.max_norm = std::max(p.max_norm, nm);
            ++p.n;
            if (nm * o.displacement >= o.tolerance) p.rstar = std::max(p.rstar, r);
        }
    });
    out.reset();
    std::printf("hdnnp locality: model %s, rc = %g, displacement D = %g, force tolerance EPS = %g\n", o.pos[0].c_str(), rc,
                o.displacement, o.tolerance);
    std::printf("largest block norm |H_AB| per distance bin [energy/length^2] (row element-column element):\n");
    long max_bin = 0;
    for (const auto& kv : pairs)
        if (!kv.second.bins.empty()) max_bin = std::max(max_bin, kv.second.bins.rbegin()->first);
    std::printf("%9s %9s", "r_from", "r_to");
    for (const auto& kv : pairs) std::printf(" %11s", kv.first.c_str());
    std::printf("\n");
    for (long b = 0; b <= max_bin; ++b) {
        std::printf("%9.3f %9.3f", double(b) * o.bin, double(b + 1) * o.bin);
        for (const auto& kv : pairs) {
            auto it = kv.second.bins.find(b);
            if (it == kv.second.bins.end()) std::printf(" %11s", "-");
            else std::printf(" %11.3e", it->second);
        }
        std::printf("\n");
    }
    double rstar = 0.0;
    std::printf("r* (largest r_AB with |H_AB| D >= EPS; beyond it every force response is below EPS):\n");
    for (const auto& kv : pairs) {
        std::printf("  %-8s r* = %8.4f   (%zu blocks, largest norm %.3e)\n", kv.first.c_str(), kv.second.rstar, kv.second.n,
                    kv.second.max_norm);
        rstar = std::max(rstar, kv.second.rstar);
    }
    std::printf("  all      r* = %8.4f   (rc = %g, 2 rc = %g)\n", rstar, rc, 2 * rc);
    std::printf("data: %s/locality.out\n", o.outdir.c_str());
    std::fflush(stdout);
    const PlotStatus plot = make_plot("locality", o.outdir + "/locality.out", o.outdir + "/locality.png");
    if (plot.ok) std::printf("plot: %s\n", plot.message.c_str());
    else std::printf("no plot: %s; the data file is written\n", plot.message.c_str());
    return 0;
}

}  // namespace hdnnp::cli
