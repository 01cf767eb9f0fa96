// hdnnp: error types. Every failure on bad input is reported as an exception whose
// message names the file, the line (where there is one) and what was expected.
#pragma once

#include <stdexcept>
#include <string>

namespace hdnnp {

/// Base class of every exception thrown by the library.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& what) : std::runtime_error(what) {}
};

/// A malformed or inconsistent input file. what() reads "FILE:LINE: MESSAGE"
/// (or "FILE: MESSAGE" when no line applies).
class ParseError : public Error {
public:
    ParseError(std::string file, std::size_t line, const std::string& message)
        : Error(format(file, line, message)), file_(std::move(file)), line_(line) {}

    const std::string& file() const noexcept { return file_; }
    /// 1-based line number, 0 when the error concerns the file as a whole.
    std::size_t line() const noexcept { return line_; }

private:
    static std::string format(const std::string& file, std::size_t line, const std::string& message) {
        return line ? file + ":" + std::to_string(line) + ": " + message : file + ": " + message;
    }
    std::string file_;
    std::size_t line_;
};

/// A structure the potential cannot evaluate (overlapping atoms, NaN coordinates, degenerate cell,
/// element unknown to the model, ...).
class StructureError : public Error {
public:
    explicit StructureError(const std::string& what) : Error(what) {}
};

}  // namespace hdnnp
