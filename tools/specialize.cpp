// hdnnp specialize: a C++ header that compiles an n2p2 model as a specialised potential.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "hdnnp/hdnnp.hpp"
#include "hdnnp/io/specialize.hpp"

namespace hdnnp::cli {

namespace {

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

}  // namespace

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

}  // namespace hdnnp::cli
