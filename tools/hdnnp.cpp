// hdnnp: the command-line program. Subcommands (one file each, tools/<command>.cpp; declared in commands.hpp):
//   hdnnp predict MODEL_DIR [STRUCTURES] [options]   energies, forces, atomic energies (nnp-predict drop-in)
//   hdnnp specialize MODEL_DIR -o model.hpp          a header that compiles the model as a specialised potential
//   hdnnp scale INPUT_NN DATA -o scaling.data        scaling statistics (nnp-scaling)
//   hdnnp train INPUT_NN DATA -o MODEL_DIR           fit a 2G model (nnp-train)
//   hdnnp version
#include <exception>
#include <iostream>
#include <string>

#include "commands.hpp"
#include "hdnnp/config.hpp"

namespace {

struct Command {
    const char* name;
    int (*run)(int, char**);
    const char* summary;
};

/// The subcommands, in the order `hdnnp --help` lists them.
const Command kCommands[] = {
    {"predict", hdnnp::cli::predict, "energies and forces of structures with an n2p2 model (nnp-predict drop-in)"},
    {"specialize", hdnnp::cli::specialize, "a C++ header that compiles an n2p2 model as a specialised potential"},
    {"hessian", hdnnp::cli::hessian, "exact Hessian blocks d2E/dR_A dR_B of structures (hessian.out)"},
    {"locality", hdnnp::cli::locality, "locality test: Hessian block norms against distance, r*, plot"},
    {"validate", hdnnp::cli::validate, "error statistics against reference data: RMSE/MAE, worst cases, extrapolation, plots"},
    {"md", hdnnp::cli::md, "molecular dynamics to check a potential: energy drift, stability, RDFs"},
    {"scale", hdnnp::cli::scale, "symmetry-function scaling statistics of a data set (nnp-scaling's scaling.data)"},
    {"train", hdnnp::cli::train, "fit a 2G model to energies and forces (Kalman filter or Adam): n2p2 model directory"},
};

void usage() {
    std::cout << "hdnnp " << HDNNP_VERSION_MAJOR << "." << HDNNP_VERSION_MINOR << "." << HDNNP_VERSION_PATCH
              << ": high-dimensional neural network potentials\n\n"
                 "usage: hdnnp <command> [arguments]\n\n"
                 "commands:\n";
    for (const Command& c : kCommands) {
        std::string n = c.name;
        n.resize(11, ' ');
        std::cout << "  " << n << c.summary << "\n";
    }
    std::cout << "  version    print the version\n\n"
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
        for (const Command& c : kCommands)
            if (cmd == c.name) return c.run(argc - 2, argv + 2);
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
