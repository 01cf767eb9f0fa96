// libFuzzer harness: input.data through io::InputDataReader. Every structure it accepts must be written
// by io::write_input_data and read back bit for bit (the round trip the writer promises).
#include <sstream>
#include <string>

#include "fuzz_structures.hpp"
#include "hdnnp/io/input_data.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    hdnnp::fuzz::run([&] {
        hdnnp::io::InputDataReader reader(in, "input.data");
        hdnnp::Structure s;
        while (reader.next(s)) {
            std::ostringstream out;
            try {
                hdnnp::io::write_input_data(out, s);
            } catch (const hdnnp::Error& e) {
                hdnnp::fuzz::finding(std::string("accepted structure cannot be written: ") + e.what());
            }
            std::istringstream back(out.str());
            hdnnp::Structure t;
            try {
                hdnnp::io::InputDataReader again(back, "written.data");
                if (!again.next(t)) hdnnp::fuzz::finding("written structure reads back as nothing");
            } catch (const hdnnp::Error& e) {
                hdnnp::fuzz::finding(std::string("written structure does not read back: ") + e.what());
            }
            const std::string d = hdnnp::fuzz::difference(s, t);
            if (!d.empty()) hdnnp::fuzz::finding("round trip changes the " + d);
        }
    });
    return 0;
}
