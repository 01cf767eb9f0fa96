// hdnnp scale: symmetry-function scaling statistics of a data set, n2p2's nnp-scaling scaling.data.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "commands.hpp"
#include "text_file.hpp"
#include "train.hpp"
#include "hdnnp/io/input_data.hpp"

namespace hdnnp::cli {

namespace {

const char* const kScaleUsage =
    "usage: hdnnp scale INPUT_NN DATA [-o scaling.data] [--threads N]\n"
    "\n"
    "Computes, for every element and symmetry function of INPUT_NN (n2p2 input.nn), the minimum, maximum, mean\n"
    "and standard deviation of the raw function over all atoms of the element in DATA (n2p2 input.data), as\n"
    "n2p2's nnp-scaling (sample standard deviation, sums in file order) and writes them in its scaling.data\n"
    "format: elements by ascending atomic number, functions in n2p2's sorted order, %24.16E numbers.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE   file to write (default: standard output)\n"
    "  --threads N         OpenMP threads (the result does not depend on it)\n";

}  // namespace

int scale(int argc, char** argv) {
    std::vector<std::string> pos;
    std::string out;
    for (int k = 0; k < argc; ++k) {
        const std::string a = argv[k];
        auto value = [&](const char* what) -> std::string {
            if (k + 1 >= argc) throw Error(std::string("option ") + a + " needs " + what);
            return argv[++k];
        };
        if (a == "-h" || a == "--help") { std::cout << kScaleUsage; return 0; }
        else if (a == "-o" || a == "--output") out = value("a file name");
        else if (a == "--threads") {
            const int n = std::atoi(value("a thread count").c_str());
            if (n < 1) throw Error("--threads needs a positive number");
#ifdef _OPENMP
            omp_set_num_threads(n);
#endif
        } else if (!a.empty() && a[0] == '-') throw Error("unknown option " + a + " (see hdnnp scale --help)");
        else pos.push_back(a);
    }
    if (pos.size() != 2) {
        std::cerr << kScaleUsage;
        return 2;
    }
    const std::string nn = read_text_file(pos[0]);
    const std::vector<Structure> data = io::read_input_data(pos[1]);
    if (data.empty()) throw Error(pos[1] + ": no structures");
    std::size_t atoms = 0;
    const std::string text = scaling_data_text(nn, pos[0], data, pos[1], &atoms);
    if (out.empty() || out == "-") {
        std::cout << text;
        return 0;
    }
    std::ofstream f(out, std::ios::binary);
    if (!(f << text) || !f.flush()) throw Error("cannot write " + out);
    std::cerr << "hdnnp scale: " << data.size() << " structures, " << atoms << " atoms -> " << out << "\n";
    return 0;
}

}  // namespace hdnnp::cli
