// Writes the default synthetic 3G-HDNNP model of support/model_3g.hpp into a directory (for tests that need
// it as files at build time, such as the specialised 3G header). Usage: write_model_3g DIR
#include <filesystem>
#include <iostream>

#include "support/model_3g.hpp"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: write_model_3g DIR\n";
        return 2;
    }
    try {
        std::filesystem::create_directories(argv[1]);
        hdnnp::test::Model3GDir d(hdnnp::test::Model3GSpec{}, argv[1]);
    } catch (const std::exception& e) {
        std::cerr << "write_model_3g: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
