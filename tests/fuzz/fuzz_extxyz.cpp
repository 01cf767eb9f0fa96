// libFuzzer harness: extended XYZ through io::ExtxyzReader. Every frame it accepts must be written by
// io::write_extxyz and read back bit for bit (the round trip the writer promises).
#include <sstream>
#include <string>

#include "fuzz_structures.hpp"
#include "hdnnp/io/extxyz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    hdnnp::fuzz::run([&] {
        hdnnp::io::ExtxyzReader reader(in, "frames.xyz");
        hdnnp::Structure s;
        while (reader.next(s)) {
            std::ostringstream out;
            try {
                hdnnp::io::write_extxyz(out, s);
            } catch (const hdnnp::Error& e) {
                hdnnp::fuzz::finding(std::string("accepted frame cannot be written: ") + e.what());
            }
            std::istringstream back(out.str());
            hdnnp::Structure t;
            try {
                hdnnp::io::ExtxyzReader again(back, "written.xyz");
                if (!again.next(t)) hdnnp::fuzz::finding("written frame reads back as nothing");
            } catch (const hdnnp::Error& e) {
                hdnnp::fuzz::finding(std::string("written frame does not read back: ") + e.what() + "\n--- written:\n" + out.str());
            }
            const std::string d = hdnnp::fuzz::difference(s, t);
            if (!d.empty()) hdnnp::fuzz::finding("round trip changes the " + d + "\n--- written:\n" + out.str());
        }
    });
    return 0;
}
