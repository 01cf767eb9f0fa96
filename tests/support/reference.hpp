// Test support: reading n2p2's reference outputs in ../shared/reference/n2p2 in place.
#pragma once

#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "hdnnp/core/vec3.hpp"

namespace hdnnp::test {

inline std::string reference_dir() { return HDNNP_REFERENCE_DIR; }
inline std::string predict_dir(const std::string& example) { return reference_dir() + "/predict/" + example; }

inline bool file_exists(const std::string& p) { return std::ifstream(p).good(); }

/// Whole file as text (empty if it cannot be opened).
inline std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// Whole gzip file as text.
inline std::string read_gz(const std::string& path) {
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) throw std::runtime_error("cannot open " + path);
    std::string out;
    char buf[1 << 16];
    int n;
    while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    gzclose(f);
    return out;
}

/// One atom of sf_dump.txt.gz.
struct DumpAtom {
    std::string element;
    double energy = 0, charge = 0, chi = 0;
    Vec3 force{};
    std::vector<double> raw, scaled;
};
struct Dump {
    double total_energy = 0, elec_energy = 0;
    std::vector<DumpAtom> atoms;
};

inline Dump read_sf_dump(const std::string& path) {
    std::istringstream in(read_gz(path));
    Dump d;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string w;
        ls >> w;
        if (w == "#") {
            std::string k;
            ls >> k;
            if (k == "E_total") ls >> d.total_energy;
            if (k == "E_elec") ls >> d.elec_energy;
        } else if (w == "atom") {
            DumpAtom a;
            std::string idx, tag;
            ls >> idx >> a.element >> tag >> a.energy >> tag >> a.charge >> tag >> a.chi >> tag >> a.force[0] >> a.force[1] >> a.force[2];
            d.atoms.push_back(a);
        } else if (w == "G_raw" || w == "G_scaled") {
            auto& v = w == "G_raw" ? d.atoms.back().raw : d.atoms.back().scaled;
            double x;
            while (ls >> x) v.push_back(x);
        }
    }
    return d;
}

/// Data rows (non-comment lines) of an n2p2 .out file, as numbers.
inline std::vector<std::vector<double>> read_out_table(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::vector<std::vector<double>> rows;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream ls(line);
        std::vector<double> r;
        double x;
        while (ls >> x) r.push_back(x);
        if (!r.empty()) rows.push_back(r);
    }
    return rows;
}

inline const std::vector<std::string>& examples_2g() {
    static const std::vector<std::string> e = {"H2O_RPBE-D3", "Cu2S_PBE", "Anisole_SCAN", "DMABN_SCAN", "Ethylbenzene_SCAN"};
    return e;
}

}  // namespace hdnnp::test
