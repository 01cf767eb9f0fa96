// hdnnp: activation functions of n2p2 (`global_activation_short` letters). Each is an empty policy
// type with `eval(x, f, df)`: f(x) and f'(x). x is the neuron's pre-activation.
//   l  linear      x
//   t  tanh        tanh x
//   s  logistic    1/(1 + e^-x); 1 for x > 35, 0 for x < -35 (derivative 0 there)
//   p  softplus    ln(1 + e^x);  x for x > 35, 0 for x < -35
//   r  relu        max(0, x)
//   g  gaussian    exp(-x^2/2)
//   c  cosine      cos x
//   S  reverse logistic 1 - 1/(1 + e^-x) (no clamping)
//   e  exp         exp(-x)
//   h  harmonic    x^2
#pragma once

#include <cmath>
#include <string>

#include "hdnnp/core/error.hpp"

namespace hdnnp {

struct Linear { static constexpr char letter = 'l'; static void eval(double x, double& f, double& df) { f = x; df = 1.0; } };
struct Tanh {
    static constexpr char letter = 't';
    static void eval(double x, double& f, double& df) { f = std::tanh(x); df = 1.0 - f * f; }
};
struct Logistic {
    static constexpr char letter = 's';
    static void eval(double x, double& f, double& df) {
        if (x > 35.0) { f = 1.0; df = 0.0; }
        else if (x < -35.0) { f = 0.0; df = 0.0; }
        else { f = 1.0 / (1.0 + std::exp(-x)); df = f * (1.0 - f); }
    }
};
struct Softplus {
    static constexpr char letter = 'p';
    static void eval(double x, double& f, double& df) {
        if (x > 35.0) { f = x; df = 1.0; }
        else if (x < -35.0) { f = 0.0; df = 0.0; }
        else {
            const double e = std::exp(x);
            f = std::log(1.0 + e);
            df = 1.0 / (1.0 + 1.0 / e);
        }
    }
};
struct Relu {
    static constexpr char letter = 'r';
    static void eval(double x, double& f, double& df) { if (x > 0.0) { f = x; df = 1.0; } else { f = 0.0; df = 0.0; } }
};
struct Gaussian {
    static constexpr char letter = 'g';
    static void eval(double x, double& f, double& df) { f = std::exp(-0.5 * x * x); df = -x * f; }
};
struct Cosine {
    static constexpr char letter = 'c';
    static void eval(double x, double& f, double& df) { f = std::cos(x); df = -std::sin(x); }
};
struct ReverseLogistic {
    static constexpr char letter = 'S';
    static void eval(double x, double& f, double& df) {
        const double s = 1.0 / (1.0 + std::exp(-x));
        f = 1.0 - s;
        df = -s * (1.0 - s);
    }
};
struct Exponential {
    static constexpr char letter = 'e';
    static void eval(double x, double& f, double& df) { f = std::exp(-x); df = -f; }
};
struct Harmonic {
    static constexpr char letter = 'h';
    static void eval(double x, double& f, double& df) { f = x * x; df = 2.0 * x; }
};

/// Runtime tag of an activation (its n2p2 letter).
enum class Activation : char {
    linear = 'l', tanh = 't', logistic = 's', softplus = 'p', relu = 'r', gaussian = 'g', cosine = 'c',
    reverse_logistic = 'S', exp = 'e', harmonic = 'h'
};

/// The activation of an n2p2 letter; throws Error for unknown letters.
inline Activation activation_from_letter(const std::string& s) {
    if (s.size() == 1) {
        switch (s[0]) {
            case 'l': case 't': case 's': case 'p': case 'r': case 'g': case 'c': case 'S': case 'e': case 'h':
                return static_cast<Activation>(s[0]);
            default: break;
        }
    }
    throw Error("unknown activation function '" + s + "' (expected one of l t s p r g c S e h)");
}

/// Calls f(Policy{}) with the policy type of a runtime activation tag (one dispatch per layer).
template <class F> inline decltype(auto) visit_activation(Activation a, F&& f) {
    switch (a) {
        case Activation::linear: return f(Linear{});
        case Activation::tanh: return f(Tanh{});
        case Activation::logistic: return f(Logistic{});
        case Activation::softplus: return f(Softplus{});
        case Activation::relu: return f(Relu{});
        case Activation::gaussian: return f(Gaussian{});
        case Activation::cosine: return f(Cosine{});
        case Activation::reverse_logistic: return f(ReverseLogistic{});
        case Activation::exp: return f(Exponential{});
        default: return f(Harmonic{});
    }
}

}  // namespace hdnnp
