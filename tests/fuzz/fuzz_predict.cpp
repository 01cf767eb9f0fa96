// libFuzzer harness: the whole `hdnnp predict` path, model directory + structures, in one process.
//
// The input is a bundle as for fuzz_input_nn ("@@ NAME" before each file: input.nn, scaling.data,
// weights.ZZZ.data, weightse.ZZZ.data, hardness.ZZZ.data) plus "@@ input.data", the structures. The model is
// parsed as `hdnnp predict` loads it, Potential<> (any generation: 2G, 3G, 4G) is built from it, and every
// structure the reader accepts is evaluated with forces. Expected outcomes: a ParseError naming its file
// (bad model or structure file), or an hdnnp::Error / StructureError with a message (a model the potential
// refuses, a structure it cannot evaluate: unknown element, overlapping atoms, a cutoff too large for the
// cell, Ewald settings beyond the guards). Anything else, a crash, a hang, a leak or a sanitizer report is a
// finding. Structures with more than kMaxNeighbours expected neighbours per atom are skipped: they are legal
// and merely slow (the fuzzer's 10 s timeout would report them as hangs).
#include <cmath>
#include <sstream>
#include <string>

#include "fuzz_bundle.hpp"
#include "fuzz_common.hpp"
#include "hdnnp/io/input_data.hpp"
#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/potential/potential.hpp"

namespace {

constexpr double kMaxNeighbours = 2000.0;
constexpr std::size_t kMaxStructures = 8;

/// Runs f(); any hdnnp::Error with a message is an expected outcome (ParseErrors must name their file).
template <class F>
void run_accepting_errors(F&& f) {
    try {
        f();
    } catch (const hdnnp::ParseError& e) {
        const std::string msg = e.what();
        if (e.file().empty() || msg.rfind(e.file(), 0) != 0) hdnnp::fuzz::finding("ParseError without a file name: " + msg);
    } catch (const hdnnp::Error& e) {
        if (std::string(e.what()).empty()) hdnnp::fuzz::finding("hdnnp::Error without a message");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    hdnnp::fuzz::Bundle bundle(std::string(reinterpret_cast<const char*>(data), size), "input.nn");
    hdnnp::fuzz::run([&] {
        run_accepting_errors([&] {
            hdnnp::Model m = bundle.parse_model();
            const double rc = m.cutoff_radius();
            const hdnnp::Potential<> pot(std::move(m));
            std::istream& in = bundle.open("input.data");
            hdnnp::io::InputDataReader reader(in, "input.data");
            hdnnp::ComputeOptions opt;
            opt.forces = true;
            hdnnp::Structure s;
            for (std::size_t k = 0; k < kMaxStructures && reader.next(s); ++k) {
                if (hdnnp::expected_neighbours(s, rc) > kMaxNeighbours) continue;
                run_accepting_errors([&] {
                    const hdnnp::Result r = pot.compute(s, opt);
                    if (r.forces.size() != s.size()) hdnnp::fuzz::finding("forces do not have one row per atom");
                    if (!r.charges.empty() && r.charges.size() != s.size())
                        hdnnp::fuzz::finding("charges do not have one entry per atom");
                });
            }
        });
    });
    return 0;
}
