// hdnnp: writing n2p2 model files (scaling.data, weights.ZZZ.data, a whole model directory).
//
//   write_scaling_data(out, model)              // scaling.data of all elements
//   write_weights(out, network)                 // weights.ZZZ.data of one element's short-range network
//   write_n2p2_model(dir, model, input_nn_text) // dir/input.nn, dir/scaling.data, dir/weights.ZZZ.data
//
// Numbers are written in scientific notation with 17 significant digits (n2p2's %24.16E), via
// std::to_chars, so that reading the files back (io::load_n2p2_model) reproduces every double bit for
// bit, independently of the C locale.
//
// scaling.data: '#' header lines, then one line per symmetry function, element by element in ascending
// atomic number, functions in n2p2's sorted order (the network input order):
//   e_index sf_index Gmin Gmax Gmean Gsigma        (both indices 1-based)
// weights.ZZZ.data: '#' header lines, then one value per line in the first column, in n2p2 order: per
// layer all weights with the source neuron outer and the target neuron inner, then that layer's biases.
// The trailing columns are those n2p2 writes (only the first column is ever read):
//   weight:  value a index l_s n_s l_e n_e         bias:  value b index l_e n_e
// with layers numbered from 0 (the input layer) and neurons from 1; index counts all values from 1.
//
// The values written are the model's as loaded or trained: network parameters in n2p2's internal
// (normalised) units, statistics of the raw symmetry functions in the data's units. write_n2p2_model
// writes input.nn verbatim from the caller's text; it does not check that the text describes `model`
// (load the directory back to check).
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <ostream>
#include <sstream>
#include <string>
#include <system_error>

#include "hdnnp/core/error.hpp"
#include "hdnnp/potential/model.hpp"
#include "hdnnp/networks/network.hpp"

namespace hdnnp::io {

namespace detail_writer {

/// Appends v as "-1.2345678901234567E+00" (17 significant digits), right-aligned in `width` characters.
inline void append_number(std::string& out, double v, std::size_t width = 24) {
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific, 16);
    if (res.ec != std::errc()) throw Error("n2p2 writer: cannot format a number");
    std::size_t len = static_cast<std::size_t>(res.ptr - buf);
    for (std::size_t i = 0; i < len; ++i)
        if (buf[i] == 'e') buf[i] = 'E';
    if (len < width) out.append(width - len, ' ');
    out.append(buf, len);
}

/// Appends an integer right-aligned in `width` characters.
inline void append_index(std::string& out, std::size_t v, std::size_t width) {
    const std::string s = std::to_string(v);
    if (s.size() < width) out.append(width - s.size(), ' ');
    out += s;
}

inline std::string join_path(const std::string& dir, const std::string& file) {
    return (std::filesystem::path(dir) / file).string();
}

inline void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(path + ": cannot open file for writing");
    out << text;
    out.flush();
    if (!out) throw Error(path + ": write failed");
}

}  // namespace detail_writer

/// Writes scaling.data for every element of `model` (ascending atomic number, functions in network
/// input order). Throws Error if an element's statistics arrays do not have one entry per function.
inline void write_scaling_data(std::ostream& out, const Model& model) {
    using namespace detail_writer;
    std::string t;
    t += "################################################################################\n";
    t += "# Symmetry function scaling data.\n";
    t += "################################################################################\n";
    t += "# Col  Name     Description\n";
    t += "################################################################################\n";
    t += "# 1    e_index  Element index.\n";
    t += "# 2    sf_index Symmetry function index.\n";
    t += "# 3    sf_min   Symmetry function minimum.\n";
    t += "# 4    sf_max   Symmetry function maximum.\n";
    t += "# 5    sf_mean  Symmetry function mean.\n";
    t += "# 6    sf_sigma Symmetry function sigma.\n";
    t += "#########################################################################################################################\n";
    t += "#        1          2                        3                        4                        5                        6\n";
    t += "#  e_index   sf_index                   sf_min                   sf_max                  sf_mean                 sf_sigma\n";
    t += "#########################################################################################################################\n";
    for (std::size_t e = 0; e < model.elements.size(); ++e) {
        const ElementModel& em = model.elements[e];
        const ElementScaling& s = em.scaling;
        const std::size_t n = em.descriptors.size();
        if (s.gmin.size() != n || s.gmax.size() != n || s.gmean.size() != n || s.gsigma.size() != n)
            throw Error("write_scaling_data: element " + em.symbol + " has " + std::to_string(n) +
                        " symmetry functions but scaling statistics for " + std::to_string(s.gmin.size()));
        for (std::size_t k = 0; k < n; ++k) {
            append_index(t, e + 1, 10);
            t += ' ';
            append_index(t, k + 1, 10);
            for (double v : {s.gmin[k], s.gmax[k], s.gmean[k], s.gsigma[k]}) {
                t += ' ';
                append_number(t, v);
            }
            t += '\n';
        }
    }
    out << t;
}

/// Writes one network's weights and biases (weights.ZZZ.data). Throws Error if a layer's arrays do not
/// match its shape or consecutive layers do not connect.
inline void write_weights(std::ostream& out, const Network& net) {
    using namespace detail_writer;
    std::string t;
    t += "################################################################################\n";
    t += "# Neural network connection values (weights and biases).\n";
    t += "################################################################################\n";
    t += "# Col  Name       Description\n";
    t += "################################################################################\n";
    t += "# 1    connection Neural network connection value.\n";
    t += "# 2    t          Connection type (a = weight, b = bias).\n";
    t += "# 3    index      Index enumerating weights.\n";
    t += "# 4    l_s        Starting point layer (end point layer for biases).\n";
    t += "# 5    n_s        Starting point neuron in starting layer (end point neuron for biases).\n";
    t += "# 6    l_e        End point layer.\n";
    t += "# 7    n_e        End point neuron in end layer.\n";
    t += "################################################################################\n";
    t += "#                      1 2         3     4     5     6     7\n";
    t += "#             connection t     index   l_s   n_s   l_e   n_e\n";
    t += "############################################################\n";
    std::size_t index = 0;
    const auto& layers = net.layers();
    for (std::size_t l = 0; l < layers.size(); ++l) {
        const DenseLayer& L = layers[l];
        if (L.weights.size() != L.n_in * L.n_out || L.biases.size() != L.n_out)
            throw Error("write_weights: layer " + std::to_string(l + 1) + " (" + std::to_string(L.n_in) + " -> " +
                        std::to_string(L.n_out) + ") holds " + std::to_string(L.weights.size()) + " weights and " +
                        std::to_string(L.biases.size()) + " biases");
        if (l > 0 && layers[l - 1].n_out != L.n_in)
            throw Error("write_weights: layer " + std::to_string(l + 1) + " has " + std::to_string(L.n_in) +
                        " inputs but the previous layer has " + std::to_string(layers[l - 1].n_out) + " outputs");
        for (std::size_t i = 0; i < L.n_in; ++i)
            for (std::size_t o = 0; o < L.n_out; ++o) {
                append_number(t, L.weights[i * L.n_out + o]);
                t += " a ";
                append_index(t, ++index, 9);
                t += ' ';
                append_index(t, l, 5);
                t += ' ';
                append_index(t, i + 1, 5);
                t += ' ';
                append_index(t, l + 1, 5);
                t += ' ';
                append_index(t, o + 1, 5);
                t += '\n';
            }
        for (std::size_t o = 0; o < L.n_out; ++o) {
            append_number(t, L.biases[o]);
            t += " b ";
            append_index(t, ++index, 9);
            t += ' ';
            append_index(t, l + 1, 5);
            t += ' ';
            append_index(t, o + 1, 5);
            t += '\n';
        }
    }
    out << t;
}

/// The n2p2 file name of an element's short-range weights: "weights.ZZZ.data" (ZZZ = atomic number).
inline std::string weights_file_name(int atomic_number) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "weights.%03d.data", atomic_number);
    return buf;
}

/// Writes a model directory that io::load_n2p2_model reads back: dir/input.nn (the given text,
/// verbatim), dir/scaling.data and dir/weights.ZZZ.data for every element. Creates `dir` (and its
/// parents) if needed and replaces existing files. Throws Error if a file cannot be written.
inline void write_n2p2_model(const std::string& dir, const Model& model, const std::string& input_nn_text) {
    using namespace detail_writer;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw Error(dir + ": cannot create directory (" + ec.message() + ")");
    write_file(join_path(dir, "input.nn"), input_nn_text);
    {
        std::ostringstream s;
        write_scaling_data(s, model);
        write_file(join_path(dir, "scaling.data"), s.str());
    }
    for (const ElementModel& em : model.elements) {
        std::ostringstream s;
        write_weights(s, em.network);
        write_file(join_path(dir, weights_file_name(em.atomic_number)), s.str());
    }
}

}  // namespace hdnnp::io
