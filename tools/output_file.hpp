// hdnnp command-line program: output files that are never left half-written. Rows go to NAME.part; commit()
// closes it and renames it to NAME, replacing an older NAME only then. A process killed while writing leaves
// NAME.part and the previous NAME (if any) untouched, never a truncated NAME.
#pragma once

#include <cstdio>
#include <fstream>
#include <string>

#include "hdnnp/core/error.hpp"

namespace hdnnp::cli {

class OutputFile {
public:
    /// Opens PATH.part for writing; throws Error naming PATH if it cannot.
    explicit OutputFile(std::string path) : path_(std::move(path)), part_(path_ + ".part"), out_(part_) {
        if (!out_) throw Error("cannot write " + part_);
    }
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;
    /// An uncommitted file stays PATH.part (a command that fails decides what to commit).
    ~OutputFile() = default;

    std::ofstream& stream() { return out_; }
    const std::string& path() const { return path_; }

    /// Flushes, closes and renames PATH.part to PATH; throws Error if any write or the rename failed.
    void commit() {
        if (committed_) return;
        out_.flush();
        const bool ok = static_cast<bool>(out_);
        out_.close();
        if (!ok) throw Error("writing " + part_ + " failed (disk full?); the rows written so far are in it");
        if (std::rename(part_.c_str(), path_.c_str()) != 0) throw Error("cannot rename " + part_ + " to " + path_);
        committed_ = true;
    }

private:
    std::string path_, part_;
    std::ofstream out_;
    bool committed_ = false;
};

}  // namespace hdnnp::cli
