// libFuzzer harness: a 4G hardness file (hardness.ZZZ.data) through io::detail_model::read_hardness.
// An accepted file gives one finite positive number.
#include <cmath>
#include <sstream>
#include <string>

#include "fuzz_common.hpp"
#include "hdnnp/io/n2p2_model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    hdnnp::fuzz::run([&] {
        const double j = hdnnp::io::detail_model::read_hardness(in, "hardness.008.data", "O");
        if (!(j > 0.0) || !std::isfinite(j)) hdnnp::fuzz::finding("hardness accepted that is not finite and positive");
    });
    return 0;
}
