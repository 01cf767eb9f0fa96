// libFuzzer harness: a whole model through io::parse_n2p2_model from streams.
//
// The input is either a bare input.nn (so n2p2's input.nn files are seeds as they are), or a bundle of
// files, each introduced by a line "@@ NAME" (input.nn, scaling.data, weights.001.data, weightse.008.data,
// hardness.008.data, ...); a file the parser asks for that the bundle lacks is empty. A bundle reaches the
// scaling.data, weights and hardness readers with the model its own input.nn defines.
#include "fuzz_bundle.hpp"
#include "fuzz_common.hpp"
#include "hdnnp/io/n2p2_model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    hdnnp::fuzz::Bundle bundle(std::string(reinterpret_cast<const char*>(data), size), "input.nn");
    hdnnp::fuzz::run([&] {
        const hdnnp::Model m = bundle.parse_model();
        // A loaded model is consistent: one network input per scaled function (plus the charge in 4G).
        for (const auto& e : m.elements) {
            const std::size_t ns = e.descriptors.size();
            if (e.scaling.gmin.size() != ns) hdnnp::fuzz::finding("scaling rows differ from the function count");
            const std::size_t n_in = ns + (m.generation == hdnnp::Generation::fourth ? 1 : 0);
            if (e.network.layers().empty() || e.network.layers().front().n_in != n_in)
                hdnnp::fuzz::finding("network input width differs from the function count");
        }
    });
    return 0;
}
