// hdnnp fuzzing: what every libFuzzer harness shares. A reader given bad bytes must throw hdnnp::ParseError
// ("FILE:LINE: what was expected"); any other exception, a crash, a hang, a leak or a sanitizer report is a
// finding. Harnesses call run() with the reader; it returns normally on success or on a ParseError.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <typeinfo>

#include "hdnnp/core/error.hpp"

namespace hdnnp::fuzz {

/// Prints what went wrong and aborts, so that libFuzzer saves the input as a crash.
[[noreturn]] inline void finding(const std::string& what) {
    std::fprintf(stderr, "hdnnp fuzz finding: %s\n", what.c_str());
    std::abort();
}

/// Runs f(); a ParseError naming a file is the expected outcome of malformed input, anything else thrown
/// is a finding. With HDNNP_FUZZ_VERBOSE set, prints each input's outcome (to check seeds by hand).
template <class F>
void run(F&& f) {
    static const bool verbose = std::getenv("HDNNP_FUZZ_VERBOSE") != nullptr;
    try {
        f();
        if (verbose) std::fprintf(stderr, "accepted\n");
    } catch (const ParseError& e) {
        const std::string msg = e.what();
        if (verbose) std::fprintf(stderr, "ParseError: %s\n", msg.c_str());
        if (e.file().empty() || msg.rfind(e.file(), 0) != 0) finding("ParseError without a file name: " + msg);
    } catch (const std::exception& e) {
        finding(std::string("exception other than ParseError: ") + typeid(e).name() + ": " + e.what());
    } catch (...) {
        finding("non-standard exception");
    }
}

/// Bit-exact equality of two doubles (the writers promise a bit-exact round trip).
inline bool same(double a, double b) { return a == b || (a != a && b != b); }

}  // namespace hdnnp::fuzz
