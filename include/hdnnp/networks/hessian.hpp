// hdnnp: second derivatives of the activations and the input Hessian of a network, for exact Hessians of
// the energy (potential/hessian.hpp).
//
// Layer l: a_l = (W_l^T z_{l-1} + b_l) / s_l (s_l = n_in with normalize_nodes, else 1), z_l = f_l(a_l), z_0 = x,
// output NN = z_L[0]. Everything but the activations is linear, so the exact input Hessian is
//   d2NN/dx dx = sum_l sum_k (dNN/dz_l,k) f_l''(a_l,k) (da_l,k/dx)(da_l,k/dx)^T,
// with da_l/dx propagated forward (da_l/dx = W_l^T diag(f'_{l-1}) da_{l-1}/dx / s_l) and dNN/dz_l by
// back-propagation. Cost: O(sum_l n_in n_out n_x) per evaluation, no finite differences.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include "hdnnp/networks/activation.hpp"
#include "hdnnp/networks/network.hpp"

namespace hdnnp {

/// f(x), f'(x), f''(x) of an activation, consistent with the first-derivative kernels of activation.hpp
/// (including their cut-offs at |x| > 35 for the logistic and softplus functions).
inline void activation_eval2(Activation act, double x, double& f, double& df, double& d2f) {
    switch (act) {
        case Activation::linear: f = x; df = 1.0; d2f = 0.0; return;
        case Activation::tanh: f = std::tanh(x); df = 1.0 - f * f; d2f = -2.0 * f * df; return;
        case Activation::logistic:
            Logistic::eval(x, f, df);
            d2f = (x > 35.0 || x < -35.0) ? 0.0 : df * (1.0 - 2.0 * f);
            return;
        case Activation::softplus:
            Softplus::eval(x, f, df);
            d2f = (x > 35.0 || x < -35.0) ? 0.0 : df * (1.0 - df);
            return;
        case Activation::relu: Relu::eval(x, f, df); d2f = 0.0; return;
        case Activation::gaussian: f = std::exp(-0.5 * x * x); df = -x * f; d2f = (x * x - 1.0) * f; return;
        case Activation::cosine: f = std::cos(x); df = -std::sin(x); d2f = -f; return;
        case Activation::reverse_logistic: {
            const double s = 1.0 / (1.0 + std::exp(-x));
            f = 1.0 - s;
            df = -s * (1.0 - s);
            d2f = df * (1.0 - 2.0 * s);
            return;
        }
        case Activation::exp: f = std::exp(-x); df = -f; d2f = f; return;
        default: f = x * x; df = 2.0 * x; d2f = 2.0; return;
    }
}

/// Scratch of network_hessian.
struct NetworkHessianWorkspace {
    std::vector<std::vector<double>> z, d1, d2, Ja;  // per layer: outputs, f', f'', da/dx (n_out x n_x)
    std::vector<double> dz, dz_prev;
};

/// Output 0 of the network at x, its gradient (grad, shape (n_x)) and Hessian (hess, shape (n_x, n_x),
/// row-major), all with respect to the network inputs x (shape (n_x)).
inline double network_hessian(const Network& net, const double* x, std::vector<double>& grad, std::vector<double>& hess,
                              NetworkHessianWorkspace& ws) {
    const auto& layers = net.layers();
    const std::size_t nl = layers.size(), nx = net.n_inputs();
    ws.z.resize(nl); ws.d1.resize(nl); ws.d2.resize(nl); ws.Ja.resize(nl);
    const double* in = x;
    for (std::size_t l = 0; l < nl; ++l) {
        const DenseLayer& L = layers[l];
        const double s = net.normalize_nodes() ? 1.0 / static_cast<double>(L.n_in) : 1.0;
        ws.z[l].resize(L.n_out); ws.d1[l].resize(L.n_out); ws.d2[l].resize(L.n_out);
        ws.Ja[l].assign(L.n_out * nx, 0.0);
        for (std::size_t o = 0; o < L.n_out; ++o) {
            double a = L.biases[o];
            for (std::size_t i = 0; i < L.n_in; ++i) a += in[i] * L.weights[i * L.n_out + o];
            activation_eval2(L.activation, a * s, ws.z[l][o], ws.d1[l][o], ws.d2[l][o]);
        }
        // da_l/dx
        for (std::size_t i = 0; i < L.n_in; ++i) {
            const double* row = &L.weights[i * L.n_out];
            if (l == 0) {
                for (std::size_t o = 0; o < L.n_out; ++o) ws.Ja[0][o * nx + i] = row[o] * s;
            } else {
                const double fp = ws.d1[l - 1][i];
                const double* prev = &ws.Ja[l - 1][i * nx];
                for (std::size_t o = 0; o < L.n_out; ++o) {
                    const double c = row[o] * s * fp;
                    if (c == 0.0) continue;
                    double* dst = &ws.Ja[l][o * nx];
                    for (std::size_t k = 0; k < nx; ++k) dst[k] += c * prev[k];
                }
            }
        }
        in = ws.z[l].data();
    }
    // back-propagation: dz = dNN/dz_l
    ws.dz.assign(layers.back().n_out, 0.0);
    ws.dz[0] = 1.0;
    hess.assign(nx * nx, 0.0);
    grad.assign(nx, 0.0);
    for (std::size_t l = nl; l-- > 0;) {
        const DenseLayer& L = layers[l];
        const double s = net.normalize_nodes() ? 1.0 / static_cast<double>(L.n_in) : 1.0;
        for (std::size_t o = 0; o < L.n_out; ++o) {
            const double c = ws.dz[o] * ws.d2[l][o];
            if (c == 0.0) continue;
            const double* ja = &ws.Ja[l][o * nx];
            for (std::size_t p = 0; p < nx; ++p) {
                const double cp = c * ja[p];
                for (std::size_t q = 0; q < nx; ++q) hess[p * nx + q] += cp * ja[q];
            }
        }
        ws.dz_prev.assign(L.n_in, 0.0);
        for (std::size_t i = 0; i < L.n_in; ++i) {
            double acc = 0.0;
            for (std::size_t o = 0; o < L.n_out; ++o) acc += L.weights[i * L.n_out + o] * ws.dz[o] * ws.d1[l][o];
            ws.dz_prev[i] = acc * s;
        }
        ws.dz.swap(ws.dz_prev);
    }
    grad.assign(ws.dz.begin(), ws.dz.end());
    return ws.z.back()[0];
}

}  // namespace hdnnp
