// libFuzzer harness: a weights file (weights.ZZZ.data, weightse.ZZZ.data) through
// io::detail_model::read_network. The first byte picks one of four small architectures, normalize_nodes and
// the 3G short-range check; the rest is the file. An accepted file must fill every layer exactly.
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "hdnnp/io/n2p2_model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    using hdnnp::Activation;
    struct Arch {
        std::size_t n_in;
        std::vector<std::size_t> widths;
        std::vector<Activation> acts;
    };
    static const Arch archs[] = {
        {2, {2}, {Activation::tanh, Activation::linear}},                                  // 9 numbers
        {1, {}, {Activation::linear}},                                                     // 2
        {3, {2, 2}, {Activation::softplus, Activation::tanh, Activation::linear}},         // 17
        {2, {1, 1, 1}, {Activation::tanh, Activation::tanh, Activation::tanh, Activation::linear}},  // 9
    };
    const Arch& a = archs[data[0] % 4];
    const bool normalize = (data[0] >> 2) & 1, third = (data[0] >> 3) & 1;
    std::istringstream in(std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
    hdnnp::fuzz::run([&] {
        const hdnnp::Network net =
            hdnnp::io::detail_model::read_network(in, "weights.001.data", a.n_in, a.widths, a.acts, normalize, "network", "H", third);
        const auto& layers = net.layers();
        if (layers.size() != a.widths.size() + 1) hdnnp::fuzz::finding("wrong number of layers");
        std::size_t n_in = a.n_in;
        for (std::size_t k = 0; k < layers.size(); ++k) {
            const std::size_t n_out = k < a.widths.size() ? a.widths[k] : 1;
            if (layers[k].n_in != n_in || layers[k].n_out != n_out || layers[k].weights.size() != n_in * n_out ||
                layers[k].biases.size() != n_out)
                hdnnp::fuzz::finding("layer shape differs from the architecture");
            n_in = n_out;
        }
    });
    return 0;
}
