// libFuzzer harness: scaling.data through io::detail_model::read_scaling_data, for a fixed two-element model
// (H with 2 functions, O with 3). The first byte picks the scaling mode (5 choices) and the generation
// (2G, or 4G, which allows nnp-scaling's trailing energy-range line); the rest is the file.
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "hdnnp/io/n2p2_model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    static const hdnnp::ScalingMode modes[] = {hdnnp::ScalingMode::none, hdnnp::ScalingMode::scale,
                                               hdnnp::ScalingMode::center, hdnnp::ScalingMode::scale_center,
                                               hdnnp::ScalingMode::sigma};
    hdnnp::Model m;
    m.scaling_mode = modes[data[0] % 5];
    m.generation = (data[0] / 5) % 2 ? hdnnp::Generation::fourth : hdnnp::Generation::second;
    m.elements.resize(2);
    m.elements[0].symbol = "H";
    m.elements[0].atomic_number = 1;
    m.elements[1].symbol = "O";
    m.elements[1].atomic_number = 8;
    const std::vector<std::vector<hdnnp::SymFnSpec>> sfs = {std::vector<hdnnp::SymFnSpec>(2),
                                                            std::vector<hdnnp::SymFnSpec>(3)};
    std::istringstream in(std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
    hdnnp::fuzz::run([&] {
        hdnnp::io::detail_model::read_scaling_data(in, "scaling.data", m, sfs);
        for (std::size_t e = 0; e < 2; ++e) {
            const auto& s = m.elements[e].scaling;
            if (s.gmin.size() != sfs[e].size() || s.factor.size() != sfs[e].size())
                hdnnp::fuzz::finding("scaling accepted with a wrong number of rows");
            for (std::size_t k = 0; k < s.gmin.size(); ++k)
                if (!(s.gmax[k] >= s.gmin[k])) hdnnp::fuzz::finding("scaling accepted with Gmax < Gmin");
        }
    });
    return 0;
}
