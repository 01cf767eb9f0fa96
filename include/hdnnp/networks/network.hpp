// hdnnp: feed-forward atomic neural networks.
//
// Layer l maps y_{l-1} (width n_in) to y_l (width n_out): y_l = f_l((W_l^T y_{l-1} + b_l) / s_l), with
// s_l = n_in if `normalize_nodes` is set, else 1. W_l is stored as n2p2 writes it: shape (n_in, n_out),
// source neuron outer, target neuron inner (row-major), so that W[i * n_out + o] connects input i to
// output o. The output layer has one neuron (the atomic energy, or the electronegativity in 4G).
//
// dense_forward<Act> and dense_backward are the kernels; a network whose shape is fixed at compile time
// calls them with constant sizes, the runtime network with its loaded sizes.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "hdnnp/config.hpp"
#include "hdnnp/networks/activation.hpp"

namespace hdnnp {

namespace detail {
/// y[o] = f((b[o] + sum_i x[i] W[i, o]) * inv_norm), dy[o] = f'(...) * inv_norm.
template <class Act>
HDNNP_ALWAYS_INLINE void dense_forward(const double* HDNNP_RESTRICT W, const double* HDNNP_RESTRICT b,
                                       const double* HDNNP_RESTRICT x, double* HDNNP_RESTRICT y,
                                       double* HDNNP_RESTRICT dy, std::size_t n_in, std::size_t n_out,
                                       double inv_norm) {
    for (std::size_t o = 0; o < n_out; ++o) y[o] = 0.0;
    for (std::size_t i = 0; i < n_in; ++i) {
        const double xi = x[i];
        const double* HDNNP_RESTRICT row = W + i * n_out;
        for (std::size_t o = 0; o < n_out; ++o) y[o] += xi * row[o];
    }
    for (std::size_t o = 0; o < n_out; ++o) {
        double f, df;
        Act::eval((y[o] + b[o]) * inv_norm, f, df);
        y[o] = f;
        dy[o] = df * inv_norm;
    }
}

/// Back-propagates delta (dE/dpre-activation of the outputs, already times f') to the inputs:
/// dx[i] = sum_o W[i, o] delta[o].
HDNNP_ALWAYS_INLINE void dense_backward(const double* HDNNP_RESTRICT W, const double* HDNNP_RESTRICT delta,
                                        double* HDNNP_RESTRICT dx, std::size_t n_in, std::size_t n_out) {
    for (std::size_t i = 0; i < n_in; ++i) {
        const double* HDNNP_RESTRICT row = W + i * n_out;
        double s = 0.0;
        for (std::size_t o = 0; o < n_out; ++o) s += row[o] * delta[o];
        dx[i] = s;
    }
}
}  // namespace detail

/// One dense layer of a runtime network.
struct DenseLayer {
    std::size_t n_in = 0, n_out = 0;
    Activation activation = Activation::linear;
    std::vector<double> weights;  ///< shape (n_in, n_out)
    std::vector<double> biases;   ///< shape (n_out)
};

/// Per-thread buffers of a network evaluation.
struct NetworkWorkspace {
    std::vector<std::vector<double>> y, dy;  ///< per layer: outputs and f' (times 1/s_l)
    std::vector<double> delta, delta_prev;
};

/// A feed-forward network whose shape is read at run time.
class Network {
public:
    Network() = default;
    Network(std::vector<DenseLayer> layers, bool normalize_nodes)
        : layers_(std::move(layers)), normalize_(normalize_nodes) {}

    const std::vector<DenseLayer>& layers() const { return layers_; }
    std::vector<DenseLayer>& layers() { return layers_; }
    bool normalize_nodes() const { return normalize_; }
    std::size_t n_inputs() const { return layers_.empty() ? 0 : layers_.front().n_in; }
    std::size_t n_outputs() const { return layers_.empty() ? 0 : layers_.back().n_out; }
    /// Number of weights and biases, in n2p2's file order.
    std::size_t n_parameters() const {
        std::size_t n = 0;
        for (const auto& l : layers_) n += l.n_in * l.n_out + l.n_out;
        return n;
    }

    /// Evaluates the network on x (shape (n_inputs)); returns output 0 and keeps what backward needs.
    double forward(const double* x, NetworkWorkspace& ws) const {
        ws.y.resize(layers_.size());
        ws.dy.resize(layers_.size());
        const double* in = x;
        for (std::size_t l = 0; l < layers_.size(); ++l) {
            const DenseLayer& L = layers_[l];
            ws.y[l].resize(L.n_out);
            ws.dy[l].resize(L.n_out);
            const double inv_norm = normalize_ ? 1.0 / static_cast<double>(L.n_in) : 1.0;
            visit_activation(L.activation, [&](auto act) {
                detail::dense_forward<decltype(act)>(L.weights.data(), L.biases.data(), in, ws.y[l].data(),
                                                     ws.dy[l].data(), L.n_in, L.n_out, inv_norm);
            });
            in = ws.y[l].data();
        }
        return ws.y.back()[0];
    }

    /// After forward: dOut/dx into dx (shape (n_inputs)) for output 0.
    void backward(NetworkWorkspace& ws, double* dx) const {
        const std::size_t nl = layers_.size();
        ws.delta.assign(ws.dy[nl - 1].begin(), ws.dy[nl - 1].end());
        for (std::size_t o = 1; o < ws.delta.size(); ++o) ws.delta[o] = 0.0;
        for (std::size_t l = nl; l-- > 0;) {
            const DenseLayer& L = layers_[l];
            double* target;
            if (l == 0) {
                target = dx;
            } else {
                ws.delta_prev.resize(L.n_in);
                target = ws.delta_prev.data();
            }
            detail::dense_backward(L.weights.data(), ws.delta.data(), target, L.n_in, L.n_out);
            if (l > 0) {
                const std::vector<double>& d = ws.dy[l - 1];
                for (std::size_t i = 0; i < L.n_in; ++i) ws.delta_prev[i] *= d[i];
                std::swap(ws.delta, ws.delta_prev);
            }
        }
    }

private:
    std::vector<DenseLayer> layers_;
    bool normalize_ = false;
};

}  // namespace hdnnp
