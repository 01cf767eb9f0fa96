// hdnnp: a feed-forward network whose shape and activations are fixed at compile time.
//
//   using H = hdnnp::StaticNetwork<27, hdnnp::Dense<25, hdnnp::Tanh>, hdnnp::Dense<25, hdnnp::Tanh>,
//                                  hdnnp::Dense<1, hdnnp::Linear>>;
//
// Same formula, weight layout and kernels (detail::dense_forward / dense_backward) as the runtime
// Network, called with constant sizes so the compiler unrolls and vectorises every layer. Numbers come
// from a loaded runtime Network via load(), which refuses a network of another shape.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "hdnnp/core/error.hpp"
#include "hdnnp/networks/activation.hpp"
#include "hdnnp/networks/network.hpp"

namespace hdnnp {

/// A dense layer of width N with activation policy Act (Tanh, Softplus, Linear, ...).
template <std::size_t N, class Act> struct Dense {
    static constexpr std::size_t width = N;
    using activation = Act;
};

/// Marks a network that divides every neuron's input by the width of the previous layer.
struct NormalizeNodes {};

template <std::size_t NIn, class... Layers> class StaticNetwork {
public:
    static constexpr std::size_t n_inputs = NIn;
    static constexpr std::size_t n_layers = sizeof...(Layers);
    static constexpr std::array<std::size_t, n_layers + 1> widths = {NIn, Layers::width...};
    static constexpr std::size_t max_width = [] {
        std::size_t m = 0;
        for (std::size_t w : widths) m = m > w ? m : w;
        return m;
    }();
    static constexpr std::size_t n_parameters = [] {
        std::size_t n = 0;
        for (std::size_t l = 0; l < n_layers; ++l) n += widths[l] * widths[l + 1] + widths[l + 1];
        return n;
    }();

    struct Workspace {
        std::array<std::array<double, max_width>, n_layers> y{}, dy{};
        std::array<double, max_width> delta{}, delta_prev{};
    };

    /// Copies the numbers of a runtime network; throws Error if its shape or activations differ.
    void load(const Network& net, const std::string& what) {
        const auto& L = net.layers();
        if (L.size() != n_layers) throw Error(what + ": network has " + std::to_string(L.size()) + " layers, the compiled model " + std::to_string(n_layers));
        static constexpr std::array<char, n_layers> letters = {Layers::activation::letter...};
        std::size_t p = 0;
        for (std::size_t l = 0; l < n_layers; ++l) {
            if (L[l].n_in != widths[l] || L[l].n_out != widths[l + 1])
                throw Error(what + ": layer " + std::to_string(l + 1) + " is " + std::to_string(L[l].n_in) + "x" + std::to_string(L[l].n_out) +
                            ", the compiled model expects " + std::to_string(widths[l]) + "x" + std::to_string(widths[l + 1]));
            if (static_cast<char>(L[l].activation) != letters[l])
                throw Error(what + ": layer " + std::to_string(l + 1) + " has activation '" + std::string(1, static_cast<char>(L[l].activation)) +
                            "', the compiled model '" + std::string(1, letters[l]) + "'");
            for (double w : L[l].weights) params_[p++] = w;
            for (double b : L[l].biases) params_[p++] = b;
        }
        normalize_ = net.normalize_nodes();
    }

    double forward(const double* x, Workspace& ws) const {
        forward_impl(x, ws, std::make_index_sequence<n_layers>{});
        return ws.y[n_layers - 1][0];
    }

    void backward(Workspace& ws, double* dx) const {
        for (std::size_t o = 0; o < widths[n_layers]; ++o) ws.delta[o] = o == 0 ? ws.dy[n_layers - 1][0] : 0.0;
        backward_impl(ws, dx, std::make_index_sequence<n_layers>{});
    }

private:
    static constexpr std::size_t offset(std::size_t l) {
        std::size_t n = 0;
        for (std::size_t k = 0; k < l; ++k) n += widths[k] * widths[k + 1] + widths[k + 1];
        return n;
    }
    template <std::size_t L> HDNNP_ALWAYS_INLINE void layer_forward(const double* in, Workspace& ws) const {
        using Act = typename std::tuple_element_t<L, std::tuple<Layers...>>::activation;
        constexpr std::size_t ni = widths[L], no = widths[L + 1], off = offset(L);
        const double inv_norm = normalize_ ? 1.0 / static_cast<double>(ni) : 1.0;
        detail::dense_forward<Act>(params_.data() + off, params_.data() + off + ni * no, in, ws.y[L].data(), ws.dy[L].data(), ni, no,
                                   inv_norm);
    }
    template <std::size_t... L> void forward_impl(const double* x, Workspace& ws, std::index_sequence<L...>) const {
        ((layer_forward<L>(L == 0 ? x : ws.y[L == 0 ? 0 : L - 1].data(), ws)), ...);
    }
    template <std::size_t R> HDNNP_ALWAYS_INLINE void layer_backward(Workspace& ws, double* dx) const {
        constexpr std::size_t L = n_layers - 1 - R;  // walk the layers backwards
        constexpr std::size_t ni = widths[L], no = widths[L + 1], off = offset(L);
        if constexpr (L == 0) {
            detail::dense_backward(params_.data() + off, ws.delta.data(), dx, ni, no);
        } else {
            detail::dense_backward(params_.data() + off, ws.delta.data(), ws.delta_prev.data(), ni, no);
            for (std::size_t i = 0; i < ni; ++i) ws.delta[i] = ws.delta_prev[i] * ws.dy[L - 1][i];
        }
    }
    template <std::size_t... R> void backward_impl(Workspace& ws, double* dx, std::index_sequence<R...>) const {
        ((layer_backward<R>(ws, dx)), ...);
    }

    std::array<double, n_parameters> params_{};
    bool normalize_ = false;
};

}  // namespace hdnnp
