// libFuzzer harness: a whole model through io::parse_n2p2_model from streams.
//
// The input is either a bare input.nn (so n2p2's input.nn files are seeds as they are), or a bundle of
// files, each introduced by a line "@@ NAME" (input.nn, scaling.data, weights.001.data, weightse.008.data,
// hardness.008.data, ...); a file the parser asks for that the bundle lacks is empty. A bundle reaches the
// scaling.data, weights and hardness readers with the model its own input.nn defines.
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "hdnnp/io/n2p2_model.hpp"

namespace {

std::map<std::string, std::string> split_bundle(const std::string& data) {
    std::map<std::string, std::string> files;
    if (data.rfind("@@ ", 0) != 0) {
        files["input.nn"] = data;
        return files;
    }
    std::string* current = nullptr;
    std::size_t pos = 0;
    while (pos < data.size()) {
        std::size_t end = data.find('\n', pos);
        if (end == std::string::npos) end = data.size();
        const std::string line = data.substr(pos, end - pos);
        if (line.rfind("@@ ", 0) == 0) {
            current = &files[line.substr(3)];
        } else if (current) {
            *current += line;
            *current += '\n';
        }
        pos = end + 1;
    }
    return files;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto files = split_bundle(std::string(reinterpret_cast<const char*>(data), size));
    std::vector<std::unique_ptr<std::istringstream>> streams;
    auto open = [&](const std::string& name) -> std::istream& {
        auto it = files.find(name);
        streams.push_back(std::make_unique<std::istringstream>(it == files.end() ? std::string() : it->second));
        return *streams.back();
    };
    auto numbered = [](const char* kind, int z) {
        char buf[48];
        std::snprintf(buf, sizeof buf, "%s.%03d.data", kind, z);
        return std::string(buf);
    };
    hdnnp::fuzz::run([&] {
        std::istream& nn = open("input.nn");
        std::istream& sc = open("scaling.data");
        const hdnnp::Model m = hdnnp::io::parse_n2p2_model(
            nn, "input.nn", sc, "scaling.data",
            [&](int z, std::string& name) -> std::istream& {
                name = numbered("weights", z);
                return open(name);
            },
            [&](const std::string& kind, int z, std::string& name) -> std::istream& {
                name = numbered(kind == "hardness" ? "hardness" : "weightse", z);
                return open(name);
            });
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
