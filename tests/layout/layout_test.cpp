// The folders of include/hdnnp are floors: a header includes only headers of its own folder or of a lower
// floor, so the dependency order is visible in the layout (docs/concepts.md, "Layout").
//   0 core (and config.hpp)        errors, vectors, elements, structure, results, views, threads
//   1 simd                         the only includer of xsimd
//   2 cutoffs, networks, neighbors kernels without dependencies among each other
//   3 descriptors, electrostatics  kernels built on the floor below
//   4 potential                    the model, the policies, the Potential template, committees
//   5 io                           readers, writers, the specialiser's generator
//   6 training, md, validation     scaling statistics and fitting; molecular dynamics; error statistics
//   7 hdnnp.hpp                      the umbrella header
//   8 extern_templates.hpp           the extern template declarations (over the umbrella header)
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>

namespace fs = std::filesystem;

namespace {

const std::map<std::string, int> kFloor = {{"core", 0}, {"config.hpp", 0}, {"simd", 1}, {"cutoffs", 2}, {"networks", 2},
                                           {"neighbors", 2}, {"descriptors", 3}, {"electrostatics", 3}, {"potential", 4},
                                           {"io", 5}, {"training", 6}, {"md", 6}, {"validation", 6}, {"hdnnp.hpp", 7},
                                           {"extern_templates.hpp", 8}};

/// "core" for include/hdnnp/core/x.hpp, "config.hpp" for include/hdnnp/config.hpp.
std::string folder_of(const std::string& rel) {
    const auto slash = rel.find('/');
    return slash == std::string::npos ? rel : rel.substr(0, slash);
}

}  // namespace

TEST_CASE("No header includes a folder above its own floor", "[layout]") {
    const fs::path root = fs::path(HDNNP_SOURCE_DIR) / "include" / "hdnnp";
    const std::regex inc(R"(^\s*#\s*include\s*"hdnnp/([^"]+)\")");
    std::size_t headers = 0, includes = 0;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".hpp") continue;
        ++headers;
        const std::string rel = fs::relative(entry.path(), root).generic_string();
        const std::string own = folder_of(rel);
        INFO(rel);
        REQUIRE(kFloor.count(own) == 1);  // a new folder needs a floor in this table and in docs/concepts.md
        std::ifstream in(entry.path());
        std::string line;
        while (std::getline(in, line)) {
            std::smatch m;
            if (!std::regex_search(line, m, inc)) continue;
            ++includes;
            const std::string target = folder_of(m[1].str());
            INFO("includes hdnnp/" << m[1].str());
            REQUIRE(kFloor.count(target) == 1);
            if (target == own) continue;
            CHECK(kFloor.at(target) < kFloor.at(own));
        }
    }
    CHECK(headers > 40);
    CHECK(includes > 100);
}
