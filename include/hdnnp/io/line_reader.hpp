// hdnnp: private line-oriented reader shared by the structure file readers (input.data, extxyz):
// owns or borrows the stream, counts lines, and reports errors as ParseError "FILE:LINE: ...".
#pragma once

#include <cstddef>
#include <fstream>
#include <istream>
#include <memory>
#include <string>

#include "hdnnp/core/error.hpp"

namespace hdnnp::io::detail {

class LineReader {
public:
    const std::string& filename() const noexcept { return filename_; }
    /// Number of lines consumed so far.
    std::size_t line() const noexcept { return line_no_; }

protected:
    /// Opens `path`; throws ParseError "PATH: cannot open file for reading" if it cannot be read.
    explicit LineReader(const std::string& path)
        : file_(std::make_unique<std::ifstream>(path)), in_(file_.get()), filename_(path) {
        if (!*file_) throw ParseError(path, 0, "cannot open file for reading");
    }
    /// Reads from a stream the caller keeps alive; `filename` is used in error messages.
    LineReader(std::istream& in, std::string filename) : in_(&in), filename_(std::move(filename)) {}
    LineReader(LineReader&&) noexcept = default;
    LineReader& operator=(LineReader&&) noexcept = default;
    LineReader(const LineReader&) = delete;
    LineReader& operator=(const LineReader&) = delete;
    ~LineReader() = default;

    /// Reads the next line into line_; false at the end of the input.
    bool read_line() {
        if (!std::getline(*in_, line_)) {
            if (in_->bad()) throw ParseError(filename_, line_no_ + 1, "read error");
            return false;
        }
        ++line_no_;
        return true;
    }
    [[noreturn]] void fail(const std::string& message) const { throw ParseError(filename_, line_no_, message); }

    std::unique_ptr<std::ifstream> file_;
    std::istream* in_ = nullptr;
    std::string filename_;
    std::size_t line_no_ = 0;
    std::string line_;
};

}  // namespace hdnnp::io::detail
