// hdnnp fuzzing: a model directory as one fuzz input. Each file follows a line "@@ NAME" (input.nn,
// scaling.data, weights.ZZZ.data, weightse.ZZZ.data, hardness.ZZZ.data, input.data, ...); an input without
// such a line is one bare file. A file the parser asks for that the bundle lacks reads as empty.
#pragma once

#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "hdnnp/io/n2p2_model.hpp"

namespace hdnnp::fuzz {

class Bundle {
public:
    /// Splits `data`; an input not starting with "@@ " is the file `bare_name`.
    Bundle(const std::string& data, const std::string& bare_name) {
        if (data.rfind("@@ ", 0) != 0) {
            files_[bare_name] = data;
            return;
        }
        std::string* current = nullptr;
        std::size_t pos = 0;
        while (pos < data.size()) {
            std::size_t end = data.find('\n', pos);
            if (end == std::string::npos) end = data.size();
            const std::string line = data.substr(pos, end - pos);
            if (line.rfind("@@ ", 0) == 0) {
                current = &files_[line.substr(3)];
            } else if (current) {
                *current += line;
                *current += '\n';
            }
            pos = end + 1;
        }
    }

    /// A stream over file `name` (empty if absent), alive as long as the bundle.
    std::istream& open(const std::string& name) {
        auto it = files_.find(name);
        streams_.push_back(std::make_unique<std::istringstream>(it == files_.end() ? std::string() : it->second));
        return *streams_.back();
    }

    /// The model of the bundle through io::parse_n2p2_model, as `hdnnp predict` loads a directory.
    Model parse_model() {
        auto numbered = [](const char* kind, int z) {
            char buf[48];
            std::snprintf(buf, sizeof buf, "%s.%03d.data", kind, z);
            return std::string(buf);
        };
        std::istream& nn = open("input.nn");
        std::istream& sc = open("scaling.data");
        return io::parse_n2p2_model(
            nn, "input.nn", sc, "scaling.data",
            [&](int z, std::string& name) -> std::istream& {
                name = numbered("weights", z);
                return open(name);
            },
            [&](const std::string& kind, int z, std::string& name) -> std::istream& {
                name = numbered(kind == "hardness" ? "hardness" : "weightse", z);
                return open(name);
            });
    }

private:
    std::map<std::string, std::string> files_;
    std::vector<std::unique_ptr<std::istringstream>> streams_;
};

}  // namespace hdnnp::fuzz
