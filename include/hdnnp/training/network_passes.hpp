// hdnnp: the passes through one dense network that fitting needs, as free functions over a Network and
// per-thread buffers (detail_train::Work): the output with an input tangent, the input gradient, and the
// parameter gradient of (seed_y NN + seed_yd dNN/dx . xd), which needs f'' of the activations. The one copy
// of these passes: the 2G Trainer (trainer.hpp) and Trainer4G (trainer_4g.hpp) both call them.
//
//   double y = network_passes::forward(net, x, xd, work);          // xd may be null (no tangent)
//   network_passes::input_gradient(net, work, dx);                 // after forward: dNN/dx, shape (n_inputs)
//   network_passes::reverse(net, x, xd, seed_y, seed_yd, work, g); // after forward: adds to g
//
// Parameter layout of one network (parameter_count values): layer by layer, the weights (row-major
// [input][output], as DenseLayer stores them) then the biases; the layout of Trainer::parameters() per element.
// Units: those of the network's inputs and output.
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>
#include <vector>

#include "hdnnp/core/vec3.hpp"
#include "hdnnp/networks/activation.hpp"
#include "hdnnp/networks/network.hpp"

namespace hdnnp::training {

namespace detail_train {

/// f''(x) of an activation, given f(x) and f'(x) as Act::eval returns them.
template <class Act> inline double second_derivative(double x, double f, double df) {
    if constexpr (std::is_same_v<Act, Linear> || std::is_same_v<Act, Relu>) {
        (void)x; (void)f; (void)df;
        return 0.0;
    } else if constexpr (std::is_same_v<Act, Tanh>) {
        (void)x;
        return -2.0 * f * df;
    } else if constexpr (std::is_same_v<Act, Logistic>) {
        return (x > 35.0 || x < -35.0) ? 0.0 : df * (1.0 - 2.0 * f);
    } else if constexpr (std::is_same_v<Act, Softplus>) {
        (void)f;
        return (x > 35.0 || x < -35.0) ? 0.0 : df * (1.0 - df);
    } else if constexpr (std::is_same_v<Act, Gaussian>) {
        (void)df;
        return (x * x - 1.0) * f;
    } else if constexpr (std::is_same_v<Act, Cosine>) {
        (void)x; (void)df;
        return -f;
    } else if constexpr (std::is_same_v<Act, ReverseLogistic>) {
        (void)x;
        return df * (2.0 * f - 1.0);
    } else if constexpr (std::is_same_v<Act, Exponential>) {
        (void)x; (void)df;
        return f;
    } else {
        static_assert(std::is_same_v<Act, Harmonic>, "unhandled activation");
        (void)x; (void)f; (void)df;
        return 2.0;
    }
}

/// Buffers of the network passes of one thread.
struct Work {
    std::vector<std::vector<double>> y, fp, fpp, ud, yd;  // per layer: output, f', f'', tangents of u and y
    std::vector<double> ybar, ydbar, ybar_prev, ydbar_prev, ubar, udbar;
    std::vector<double> dnn;  // dNN/dx of every atom of a structure
    std::vector<Vec3> F, A;   // predicted forces, dL/dF
    std::vector<double> g, v;
};

}  // namespace detail_train

namespace network_passes {

/// Number of weights and biases of net.
inline std::size_t parameter_count(const Network& net) {
    std::size_t c = 0;
    for (const DenseLayer& L : net.layers()) c += L.weights.size() + L.biases.size();
    return c;
}
/// Copies net's parameters to p (shape (parameter_count(net))).
inline void get_parameters(const Network& net, double* p) {
    for (const DenseLayer& L : net.layers()) {
        p = std::copy(L.weights.begin(), L.weights.end(), p);
        p = std::copy(L.biases.begin(), L.biases.end(), p);
    }
}
/// Sets net's parameters from p (shape (parameter_count(net))).
inline void set_parameters(Network& net, const double* p) {
    for (DenseLayer& L : net.layers()) {
        std::copy(p, p + L.weights.size(), L.weights.begin());
        p += L.weights.size();
        std::copy(p, p + L.biases.size(), L.biases.begin());
        p += L.biases.size();
    }
}
/// The factor of `normalize_nodes` networks (1/n_in) or 1.
inline double inv_norm(const Network& net, const DenseLayer& L) {
    return net.normalize_nodes() ? 1.0 / static_cast<double>(L.n_in) : 1.0;
}

/// Forward pass (with the tangent of input direction xd if not null, shape (n_inputs)); returns the output.
inline double forward(const Network& net, const double* x, const double* xd, detail_train::Work& w) {
    const auto& layers = net.layers();
    const std::size_t nl = layers.size();
    w.y.resize(nl); w.fp.resize(nl); w.fpp.resize(nl); w.ud.resize(nl); w.yd.resize(nl);
    const double* in = x;
    const double* ind = xd;
    for (std::size_t l = 0; l < nl; ++l) {
        const DenseLayer& L = layers[l];
        const std::size_t ni = L.n_in, no = L.n_out;
        const double s = inv_norm(net, L);
        std::vector<double>& y = w.y[l];
        y.assign(no, 0.0);
        w.fp[l].resize(no);
        w.fpp[l].resize(no);
        const double* W = L.weights.data();
        for (std::size_t i = 0; i < ni; ++i) {
            const double xi = in[i];
            const double* row = W + i * no;
            for (std::size_t o = 0; o < no; ++o) y[o] += xi * row[o];
        }
        visit_activation(L.activation, [&](auto act) {
            using Act = decltype(act);
            for (std::size_t o = 0; o < no; ++o) {
                const double u = (y[o] + L.biases[o]) * s;
                double f, df;
                Act::eval(u, f, df);
                y[o] = f;
                w.fp[l][o] = df;
                w.fpp[l][o] = xd ? detail_train::second_derivative<Act>(u, f, df) : 0.0;
            }
        });
        if (xd) {
            std::vector<double>& ud = w.ud[l];
            ud.assign(no, 0.0);
            for (std::size_t i = 0; i < ni; ++i) {
                const double xi = ind[i];
                const double* row = W + i * no;
                for (std::size_t o = 0; o < no; ++o) ud[o] += xi * row[o];
            }
            w.yd[l].resize(no);
            for (std::size_t o = 0; o < no; ++o) {
                ud[o] *= s;
                w.yd[l][o] = w.fp[l][o] * ud[o];
            }
            ind = w.yd[l].data();
        }
        in = y.data();
    }
    return w.y[nl - 1][0];
}

/// After forward: dNN/dx into dx (shape (n_inputs)).
inline void input_gradient(const Network& net, detail_train::Work& w, double* dx) {
    const auto& layers = net.layers();
    w.ybar.assign(1, 1.0);
    for (std::size_t l = layers.size(); l-- > 0;) {
        const DenseLayer& L = layers[l];
        const double s = inv_norm(net, L);
        w.ubar.resize(L.n_out);
        for (std::size_t o = 0; o < L.n_out; ++o) w.ubar[o] = w.fp[l][o] * w.ybar[o] * s;
        double* target = dx;
        if (l > 0) {
            w.ybar_prev.resize(L.n_in);
            target = w.ybar_prev.data();
        }
        for (std::size_t i = 0; i < L.n_in; ++i) {
            const double* row = L.weights.data() + i * L.n_out;
            double a = 0.0;
            for (std::size_t o = 0; o < L.n_out; ++o) a += row[o] * w.ubar[o];
            target[i] = a;
        }
        if (l > 0) std::swap(w.ybar, w.ybar_prev);
    }
}

/// After forward (with tangent xd if not null): adds d(seed_y NN + seed_yd dNN/dx.xd)/dw to g (the
/// network's parameter block, shape (parameter_count(net))).
inline void reverse(const Network& net, const double* x, const double* xd, double seed_y, double seed_yd,
                    detail_train::Work& w, double* g) {
    const auto& layers = net.layers();
    const bool tangent = xd != nullptr;
    std::size_t end = parameter_count(net);  // one past layer l's block, walking back from the last layer
    w.ybar.assign(1, seed_y);
    w.ydbar.assign(1, tangent ? seed_yd : 0.0);
    for (std::size_t l = layers.size(); l-- > 0;) {
        const DenseLayer& L = layers[l];
        const std::size_t ni = L.n_in, no = L.n_out;
        const double s = inv_norm(net, L);
        const double* in = l == 0 ? x : w.y[l - 1].data();
        const double* ind = tangent ? (l == 0 ? xd : w.yd[l - 1].data()) : nullptr;
        w.ubar.resize(no);
        w.udbar.resize(no);
        for (std::size_t o = 0; o < no; ++o) {
            w.udbar[o] = tangent ? w.fp[l][o] * w.ydbar[o] * s : 0.0;
            w.ubar[o] = (w.fp[l][o] * w.ybar[o] + (tangent ? w.fpp[l][o] * w.ud[l][o] * w.ydbar[o] : 0.0)) * s;
        }
        end -= L.weights.size() + L.biases.size();
        double* gw = g + end;
        double* gb = gw + ni * no;
        for (std::size_t i = 0; i < ni; ++i) {
            const double a = in[i], b = tangent ? ind[i] : 0.0;
            double* row = gw + i * no;
            for (std::size_t o = 0; o < no; ++o) row[o] += a * w.ubar[o] + b * w.udbar[o];
        }
        for (std::size_t o = 0; o < no; ++o) gb[o] += w.ubar[o];
        if (l == 0) break;
        w.ybar_prev.resize(ni);
        w.ydbar_prev.resize(ni);
        for (std::size_t i = 0; i < ni; ++i) {
            const double* row = L.weights.data() + i * no;
            double a = 0.0, b = 0.0;
            for (std::size_t o = 0; o < no; ++o) {
                a += row[o] * w.ubar[o];
                b += row[o] * w.udbar[o];
            }
            w.ybar_prev[i] = a;
            w.ydbar_prev[i] = b;
        }
        std::swap(w.ybar, w.ybar_prev);
        std::swap(w.ydbar, w.ydbar_prev);
    }
}

}  // namespace network_passes

}  // namespace hdnnp::training
