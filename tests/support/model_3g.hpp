// Test support: synthetic 3G-HDNNP model directories and water structures.
//
// A 3G model is made from n2p2's H2O_RPBE-D3 2G reference model (input.nn text, scaling.data and the
// short-range weights, read in place and written to a temporary directory, never into the repository)
// plus 3G keywords and charge networks (weightse.ZZZ.data, 1 hidden layer of 8 tanh nodes) with
// deterministic pseudo-random weights (splitmix64), output biases +0.35 (H) and -0.7 (O), so that the
// charges look like those of water. Lengths in bohr, energies in hartree (k_e = 1).
#pragma once

#include <stdlib.h>  // mkdtemp

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "hdnnp/core/structure.hpp"
#include "hdnnp/core/vec3.hpp"
#include "support/reference.hpp"

namespace hdnnp::test {

/// Deterministic pseudo-random numbers in [-1, 1) (splitmix64; identical on every platform).
class SplitMix {
public:
    explicit SplitMix(std::uint64_t seed) : s_(seed) {}
    double next() {
        std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        return static_cast<double>(z >> 11) * 0x1.0p-52 - 1.0;
    }

private:
    std::uint64_t s_;
};

/// What differs between the synthetic 3G models.
struct Model3GSpec {
    std::string charges;           ///< `electrostatic_charges` value ("" = no line)
    bool widths = true;            ///< `fixed_gausswidth` lines for H and O
    std::string scheme;            ///< `total_charge_scheme` value ("" = no line)
    std::string screen;            ///< `screen_electrostatics` values ("" = no line)
    double conv_charge = 0.0;      ///< `conv_charge` line when > 0
    std::string ewald = "ewald_truncation_error_method 0\newald_prec 1e-6\n";
    bool short_with_charge = false;  ///< write 4G-style short networks (n_SF + 1 inputs)
    std::string extra;             ///< more input.nn lines
};

/// A temporary directory holding one synthetic 3G model (removed at the end of the scope).
class Model3GDir {
public:
    explicit Model3GDir(const Model3GSpec& spec) {
        std::string t = (std::filesystem::temp_directory_path() / "hdnnp_3g_model_XXXXXX").string();
        if (!mkdtemp(t.data())) throw std::runtime_error("mkdtemp failed");
        path = t;
        write_model(spec);
    }
    /// Writes the model into an existing directory `dir`, which is kept at the end of the scope.
    Model3GDir(const Model3GSpec& spec, const std::string& dir) : path(dir), keep_(true) { write_model(spec); }
    void write_model(const Model3GSpec& spec) const {
        const std::string ref = predict_dir("H2O_RPBE-D3");
        std::string nn = read(ref + "/input.nn");
        nn += "\nnnp_generation 3\n";
        nn += "global_hidden_layers_electrostatic 1\nglobal_nodes_electrostatic 8\nglobal_activation_electrostatic t l\n";
        if (spec.widths) nn += "fixed_gausswidth H 0.5858120110359424\nfixed_gausswidth O 1.2491023848218\n";
        if (!spec.charges.empty()) nn += "electrostatic_charges " + spec.charges + "\n";
        if (!spec.scheme.empty()) nn += "total_charge_scheme " + spec.scheme + "\n";
        if (!spec.screen.empty()) nn += "screen_electrostatics " + spec.screen + "\n";
        if (spec.conv_charge > 0.0) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "conv_charge %.17g\n", spec.conv_charge);
            nn += buf;
        }
        nn += spec.ewald + spec.extra;
        write("input.nn", nn);
        write("scaling.data", read(ref + "/scaling.data"));
        const int z[2] = {1, 8};
        const std::size_t ns[2] = {27, 30};  // symmetry functions of H and O in this model
        for (int e = 0; e < 2; ++e) {
            char name[32];
            std::snprintf(name, sizeof name, "weights.%03d.data", z[e]);
            if (spec.short_with_charge) write(name, random_weights(ns[e] + 1, {25, 25}, 0.0, 100 + static_cast<std::uint64_t>(e)));
            else write(name, read(ref + "/" + name));
            std::snprintf(name, sizeof name, "weightse.%03d.data", z[e]);
            write(name, random_weights(ns[e], {8}, e == 0 ? 0.35 : -0.7, 7 + static_cast<std::uint64_t>(e)));
        }
    }
    ~Model3GDir() {
        if (keep_) return;
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    Model3GDir(const Model3GDir&) = delete;
    Model3GDir& operator=(const Model3GDir&) = delete;

    std::string file(const std::string& name) const { return path + "/" + name; }
    void write(const std::string& name, const std::string& text) const {
        std::ofstream out(file(name));
        out << text;
    }
    static std::string read(const std::string& p) {
        std::ifstream in(p);
        if (!in) throw std::runtime_error("cannot open " + p);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
    /// Weights file of an n_in -> hidden... -> 1 network: hidden weights in [-0.5, 0.5), output weights in
    /// [-0.3, 0.3), hidden biases in [-0.2, 0.2), output bias `bias`.
    static std::string random_weights(std::size_t n_in, const std::vector<std::size_t>& hidden, double bias, std::uint64_t seed) {
        SplitMix rng(seed);
        std::string out = "# synthetic weights\n";
        char buf[64];
        std::size_t in = n_in;
        for (std::size_t l = 0; l <= hidden.size(); ++l) {
            const bool last = l == hidden.size();
            const std::size_t nout = last ? 1 : hidden[l];
            for (std::size_t k = 0; k < in * nout; ++k) {
                std::snprintf(buf, sizeof buf, "%.17g\n", (last ? 0.3 : 0.5) * rng.next());
                out += buf;
            }
            for (std::size_t k = 0; k < nout; ++k) {
                std::snprintf(buf, sizeof buf, "%.17g\n", last ? bias : 0.2 * rng.next());
                out += buf;
            }
            in = nout;
        }
        return out;
    }

    std::string path;

private:
    bool keep_ = false;
};

/// Water molecules (O-H 1.81 bohr, 104.5 degrees) at the given centres, each turned by a random rotation
/// and displaced by up to `jitter` (bohr) per coordinate.
inline void add_waters(Structure& s, const std::vector<Vec3>& centres, std::uint64_t seed, double jitter = 0.3) {
    SplitMix rng(seed);
    const double r = 1.81, half = 0.5 * 104.5 * M_PI / 180.0;
    for (const Vec3& c : centres) {
        // random rotation from a random unit quaternion
        double q[4], nq = 0.0;
        for (double& x : q) { x = rng.next(); nq += x * x; }
        nq = std::sqrt(nq);
        for (double& x : q) x /= nq;
        const double w = q[0], x = q[1], y = q[2], z = q[3];
        const Mat3 Rm{Vec3{1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)},
                      Vec3{2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)},
                      Vec3{2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)}};
        auto rot = [&](const Vec3& v) { return Vec3{dot(Rm[0], v), dot(Rm[1], v), dot(Rm[2], v)}; };
        const Vec3 o = c + Vec3{jitter * rng.next(), jitter * rng.next(), jitter * rng.next()};
        s.add_atom("O", o);
        s.add_atom("H", o + rot(Vec3{r * std::sin(half), 0.0, r * std::cos(half)}));
        s.add_atom("H", o + rot(Vec3{-r * std::sin(half), 0.0, r * std::cos(half)}));
    }
}

/// A cluster of n_x * n_y * n_z water molecules on a grid of spacing 5.5 bohr.
inline Structure water_cluster(int nx, int ny, int nz, std::uint64_t seed) {
    Structure s;
    std::vector<Vec3> c;
    for (int i = 0; i < nx; ++i)
        for (int j = 0; j < ny; ++j)
            for (int k = 0; k < nz; ++k) c.push_back(Vec3{5.5 * i, 5.5 * j, 5.5 * k});
    add_waters(s, c, seed);
    return s;
}

/// A periodic cell of n^3 water molecules at liquid density (5.85 bohr per molecule along each axis),
/// with the cell rows sheared by `shear` (fractions of the edge).
inline Structure water_box(int n, std::uint64_t seed, double shear = 0.0) {
    Structure s;
    const double a = 5.85 * n;
    s.periodic = true;
    s.lattice = Mat3{Vec3{a, 0.0, 0.0}, Vec3{shear * a, a, 0.0}, Vec3{-0.5 * shear * a, shear * a, a}};
    std::vector<Vec3> c;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            for (int k = 0; k < n; ++k) {
                const double f[3] = {(i + 0.25) / n, (j + 0.25) / n, (k + 0.25) / n};
                c.push_back(f[0] * s.lattice[0] + f[1] * s.lattice[1] + f[2] * s.lattice[2]);
            }
    add_waters(s, c, seed);
    return s;
}

}  // namespace hdnnp::test
