// hdnnp: building an untrained model from input.nn settings, and random weight initialisation.
//
//   Model m = training::prepare_model(input_nn_text, data, seed);   // all three steps below in one call
//
//   Model m = training::untrained_model(input_nn_text);       // functions, architecture; placeholders
//   training::apply_scaling_statistics(m, training::compute_scaling_statistics(m, data));
//   training::initialize_weights(m, seed);                    // reproducible random weights
//
// untrained_model parses the text with the same parser as io::load_n2p2_model, so every keyword and
// every error message is the loader's; scaling statistics are placeholders (Gmin 0, Gmax 1, Gmean 0.5,
// Gsigma 1) and all weights are zero until set (3G/4G: the charge or electronegativity networks too, and
// every hardness is 1).
//
// Random numbers come from std::mt19937_64 (whose output sequence the C++ standard fixes) turned into
// doubles by this file, so a seed gives the same weights with every standard library.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "hdnnp/core/elements.hpp"
#include "hdnnp/core/error.hpp"
#include "hdnnp/potential/model.hpp"
#include "hdnnp/core/parse.hpp"
#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/training/statistics.hpp"

namespace hdnnp::training {

/// Uniform doubles in [0, 1) from a 64-bit Mersenne twister, identical on every platform.
class Random {
public:
    explicit Random(std::uint64_t seed) : engine_(seed) {}
    /// Uniform in [0, 1) (53 random bits).
    double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
    /// Uniform in [a, b).
    double uniform(double a, double b) { return a + (b - a) * uniform(); }
    /// Standard normal (Box-Muller).
    double normal() {
        const double u1 = 1.0 - uniform(), u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
    }
    /// Uniform integer in [0, n) (n > 0; negligible bias for n << 2^64).
    std::size_t index(std::size_t n) { return static_cast<std::size_t>(engine_() % static_cast<std::uint64_t>(n)); }
    /// Fisher-Yates shuffle.
    template <class T> void shuffle(std::vector<T>& v) {
        for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[index(i)]);
    }

private:
    std::mt19937_64 engine_;
};

/// As untrained_model below, with the scaling statistics of a scaling.data text (`scaling_name` for
/// messages) instead of placeholders (the model's scaling is set up as the loader does). Throws
/// ParseError for a scaling file that does not match the functions.
inline Model untrained_model(const std::string& input_nn_text, const std::string& name, const std::string& scaling_text,
                             const std::string& scaling_name);

/// A model with the symmetry functions, network architecture and normalisation of an input.nn text,
/// placeholder scaling statistics and zero weights (3G/4G: zero charge or electronegativity networks and
/// hardness 1). `name` is used in error messages. Throws ParseError for settings the loader rejects.
inline Model untrained_model(const std::string& input_nn_text, const std::string& name = "input.nn") {
    return untrained_model(input_nn_text, name, std::string(), std::string());
}

inline Model untrained_model(const std::string& input_nn_text, const std::string& name, const std::string& scaling_text,
                             const std::string& scaling_name) {
    std::istringstream in(input_nn_text);
    const io::detail_model::Settings S = io::detail_model::read_settings(in, name);
    // Count what the placeholders need; anything inconsistent is left for the parser to report.
    std::vector<std::pair<int, std::string>> zs;
    if (const auto* l = S.get("elements"))
        for (std::size_t i = 1; i < l->words.size(); ++i) zs.emplace_back(atomic_number(l->words[i]), l->words[i]);
    std::sort(zs.begin(), zs.end());
    std::vector<std::size_t> n_sf(zs.size(), 0);
    auto index_of = [&](const std::string& sym) -> long {
        for (std::size_t e = 0; e < zs.size(); ++e)
            if (zs[e].second == sym) return static_cast<long>(e);
        return -1;
    };
    for (const auto& l : S.all("symfunction_short"))
        if (l.words.size() > 1) {
            const long e = index_of(l.words[1]);
            if (e >= 0) ++n_sf[static_cast<std::size_t>(e)];
        }
    // Hidden-layer widths per element of the networks with this suffix ("_short", "_electrostatic").
    auto element_widths = [&](const std::string& suffix) {
        std::vector<std::size_t> widths;
        long nh = 0;
        if (const auto* l = S.get("global_hidden_layers" + suffix))
            if (l->words.size() > 1) hdnnp::detail::parse_int(l->words[1], nh);
        if (const auto* l = S.get("global_nodes" + suffix))
            for (std::size_t k = 1; k < l->words.size(); ++k) {
                long w = 0;
                hdnnp::detail::parse_int(l->words[k], w);
                widths.push_back(static_cast<std::size_t>(std::max(0L, w)));
            }
        std::vector<std::vector<std::size_t>> el_widths(zs.size(), widths);
        for (const auto& l : S.all("element_nodes" + suffix)) {
            if (l.words.size() < 2) continue;
            const long e = index_of(l.words[1]);
            if (e < 0) continue;
            // As the loader (and n2p2): the last hidden layer keeps the global width.
            for (long k = 0; k + 1 < nh && static_cast<std::size_t>(k) + 2 < l.words.size(); ++k) {
                long w = 0;
                hdnnp::detail::parse_int(l.words[static_cast<std::size_t>(k) + 2], w);
                if (static_cast<std::size_t>(k) < el_widths[static_cast<std::size_t>(e)].size())
                    el_widths[static_cast<std::size_t>(e)][static_cast<std::size_t>(k)] = static_cast<std::size_t>(std::max(0L, w));
            }
        }
        return el_widths;
    };
    long nnp_type = 2;
    if (const auto* l = S.get("nnp_type"))
        if (l->words.size() > 1) hdnnp::detail::parse_int(l->words[1], nnp_type);
    const std::vector<std::vector<std::size_t>> short_widths = element_widths("_short");
    const std::vector<std::vector<std::size_t>> elec_widths =
        nnp_type == 3 || nnp_type == 4 ? element_widths("_electrostatic") : std::vector<std::vector<std::size_t>>(zs.size());
    // A stream of zeros, as many as the network of element z with `extra_inputs` beyond its functions has
    // weights and biases.
    std::istringstream weights_in, elec_in, hardness_in;
    auto zeros = [&](std::istringstream& in, const std::vector<std::vector<std::size_t>>& el_widths, int z,
                     std::size_t extra_inputs) -> std::istream& {
        std::size_t e = 0;
        while (e < zs.size() && zs[e].first != z) ++e;
        std::size_t count = 0, n_in = e < zs.size() ? n_sf[e] + extra_inputs : 0;
        if (e < zs.size())
            for (std::size_t w : el_widths[e]) {
                count += n_in * w + w;
                n_in = w;
            }
        count += n_in + 1;
        std::string text;
        for (std::size_t k = 0; k < count; ++k) text += "0\n";
        in.clear();
        in.str(text);
        return in;
    };
    std::ostringstream scaling;
    for (std::size_t e = 0; e < zs.size(); ++e)
        for (std::size_t s = 0; s < n_sf[e]; ++s) scaling << e + 1 << ' ' << s + 1 << " 0 1 0.5 1\n";
    const bool placeholders = scaling_name.empty();
    std::istringstream scaling_in(placeholders ? scaling.str() : scaling_text);
    std::istringstream settings_in(input_nn_text);
    Model m = io::parse_n2p2_model(
        settings_in, name, scaling_in, placeholders ? "(placeholder scaling)" : scaling_name,
        [&](int z, std::string& wname) -> std::istream& {
            wname = "(placeholder weights of element " + element_symbol(z) + ")";
            return zeros(weights_in, short_widths, z, nnp_type == 4 ? 1 : 0);
        },
        [&](const std::string& kind, int z, std::string& wname) -> std::istream& {
            wname = "(placeholder " + kind + " of element " + element_symbol(z) + ")";
            if (kind != "hardness") return zeros(elec_in, elec_widths, z, 0);
            hardness_in.clear();
            hardness_in.str("1\n");  // a positive placeholder hardness [energy/e^2]
            return hardness_in;
        });
    m.directory = name;
    return m;
}

/// Weight initialisation schemes (biases of hidden layers as noted, output biases 0).
enum class WeightInit {
    /// Glorot/Xavier uniform: W ~ U(-a, a), a = sqrt(6 / (n_in + n_out)); biases 0.
    glorot_uniform,
    /// Nguyen-Widrow for the hidden layers: rows of W ~ U(-1, 1) rescaled to norm beta = 0.7 n_out^(1/n_in)
    /// per target neuron, biases ~ U(-beta, beta); output layer as glorot_uniform.
    nguyen_widrow,
};

/// Sets every weight and bias of every element's network from `seed`. For networks with
/// `normalize_nodes` the weights are multiplied by n_in, so the pre-activations have the same spread.
inline void initialize_weights(Model& model, std::uint64_t seed, WeightInit method = WeightInit::glorot_uniform) {
    Random rng(seed);
    for (ElementModel& em : model.elements) {
        auto& layers = em.network.layers();
        for (std::size_t l = 0; l < layers.size(); ++l) {
            DenseLayer& L = layers[l];
            const double norm = em.network.normalize_nodes() ? static_cast<double>(L.n_in) : 1.0;
            const bool output = l + 1 == layers.size();
            if (method == WeightInit::nguyen_widrow && !output) {
                const double beta = 0.7 * std::pow(static_cast<double>(L.n_out), 1.0 / static_cast<double>(L.n_in));
                for (std::size_t i = 0; i < L.n_in; ++i)
                    for (std::size_t o = 0; o < L.n_out; ++o) L.weights[i * L.n_out + o] = rng.uniform(-1.0, 1.0);
                for (std::size_t o = 0; o < L.n_out; ++o) {
                    double s = 0.0;
                    for (std::size_t i = 0; i < L.n_in; ++i) s += L.weights[i * L.n_out + o] * L.weights[i * L.n_out + o];
                    const double f = s > 0.0 ? beta / std::sqrt(s) : 0.0;
                    for (std::size_t i = 0; i < L.n_in; ++i) L.weights[i * L.n_out + o] *= f * norm;
                    L.biases[o] = rng.uniform(-beta, beta) * norm;
                }
            } else {
                const double a = std::sqrt(6.0 / static_cast<double>(L.n_in + L.n_out));
                for (double& w : L.weights) w = rng.uniform(-a, a) * norm;
                for (double& b : L.biases) b = 0.0;
            }
        }
    }
}

/// A model ready for training: the settings of `input_nn_text` (untrained_model), scaling statistics of
/// all atoms of `structures` (compute_scaling_statistics, apply_scaling_statistics) and random weights
/// from `seed` (initialize_weights). Throws ParseError / Error as those functions do.
inline Model prepare_model(const std::string& input_nn_text, const std::vector<Structure>& structures, std::uint64_t seed,
                           WeightInit method = WeightInit::glorot_uniform) {
    Model m = untrained_model(input_nn_text);
    apply_scaling_statistics(m, compute_scaling_statistics(m, structures));
    initialize_weights(m, seed, method);
    return m;
}

}  // namespace hdnnp::training
