// Consumer of the installed package: loads a model directory and prints the energy of input.data.
#include <hdnnp/hdnnp.hpp>

#include <cstdio>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: consumer MODEL_DIR input.data\n");
        return 2;
    }
    const auto pot = hdnnp::Potential<>::load(argv[1]);
    const auto structures = hdnnp::io::read_input_data(argv[2]);
    const hdnnp::Result r = pot.compute(structures.at(0));
    std::printf("energy %.16e\n", r.energy);
    return 0;
}
