// hdnnp: the screening function of 4G electrostatics (input.nn `screen_electrostatics r_in r_out [core]`).
//
// The electrostatic energy of a 4G-HDNNP switches off the Coulomb interaction of close pairs
// (n2p2 ScreeningFunction, RuNNer `screen_electrostatics`):
//
//   f_s(r) = 0                      r <= r_in
//          = 1 - c(x)               r_in < r < r_out,   x = (r - r_in) / (r_out - r_in)
//          = 1                      r >= r_out
//
// with a core c(x) falling from c(0) = 1 to c(1) = 0:
//   cosine  c(x) = (cos(pi x) + 1) / 2                               (`c`, the default)
//   poly1   c(x) = (2x - 3) x^2 + 1                                  (`p1`)
//   poly2   c(x) = ((15 - 6x) x - 10) x^3 + 1                        (`p2`)
//   poly3   c(x) = (x (x (20x - 70) + 84) - 35) x^4 + 1              (`p3`)
//   poly4   c(x) = (x (x ((315 - 70x) x - 540) + 420) - 126) x^5 + 1 (`p4`)
//   exp     c(x) = exp(1 - 1 / (1 - x^2))                            (`e`)
// Without the keyword the screening is off: f_s = 1 everywhere (n2p2 sets r_in, r_out = -2, -1).
// Lengths in the model's length unit.
#pragma once

#include <cmath>
#include <string>

#include "hdnnp/core/error.hpp"

namespace hdnnp {

enum class ScreeningCore { cosine, poly1, poly2, poly3, poly4, exp };

/// Core from its input.nn letter (`c`, `p1`..`p4`, `e`); throws Error for anything else.
inline ScreeningCore screening_core_from_name(const std::string& s) {
    if (s == "c") return ScreeningCore::cosine;
    if (s == "p1") return ScreeningCore::poly1;
    if (s == "p2") return ScreeningCore::poly2;
    if (s == "p3") return ScreeningCore::poly3;
    if (s == "p4") return ScreeningCore::poly4;
    if (s == "e") return ScreeningCore::exp;
    throw Error("unknown screening function core '" + s + "' (expected c, p1, p2, p3, p4 or e)");
}

/// f_s(r) and its derivative; `enabled() == false` means f_s = 1 (no screening).
struct ScreeningFunction {
    double inner = -2.0;  ///< r_in [length]
    double outer = -1.0;  ///< r_out [length]; pairs at r >= outer are not screened
    ScreeningCore core = ScreeningCore::cosine;

    bool enabled() const { return outer > 0.0; }

    /// f = f_s(r), df = df_s/dr [1/length].
    void fdf(double r, double& f, double& df) const {
        if (r >= outer) { f = 1.0; df = 0.0; return; }
        if (r <= inner) { f = 0.0; df = 0.0; return; }
        const double scale = 1.0 / (outer - inner);
        const double x = (r - inner) * scale;
        double c = 0.0, dc = 0.0;
        switch (core) {
            case ScreeningCore::cosine:
                c = 0.5 * (std::cos(M_PI * x) + 1.0);
                dc = -0.5 * M_PI * std::sin(M_PI * x);
                break;
            case ScreeningCore::poly1:
                c = (2.0 * x - 3.0) * x * x + 1.0;
                dc = x * (6.0 * x - 6.0);
                break;
            case ScreeningCore::poly2:
                c = ((15.0 - 6.0 * x) * x - 10.0) * x * x * x + 1.0;
                dc = x * x * ((60.0 - 30.0 * x) * x - 30.0);
                break;
            case ScreeningCore::poly3: {
                const double x2 = x * x;
                c = (x * (x * (20.0 * x - 70.0) + 84.0) - 35.0) * x2 * x2 + 1.0;
                dc = x2 * x * (x * (x * (140.0 * x - 420.0) + 420.0) - 140.0);
                break;
            }
            case ScreeningCore::poly4: {
                const double x2 = x * x;
                c = (x * (x * ((315.0 - 70.0 * x) * x - 540.0) + 420.0) - 126.0) * x2 * x2 * x + 1.0;
                dc = x2 * x2 * (x * (x * ((2520.0 - 630.0 * x) * x - 3780.0) + 2520.0) - 630.0);
                break;
            }
            case ScreeningCore::exp: {
                const double t = 1.0 - x * x;
                if (t <= 0.0) { c = 0.0; dc = 0.0; break; }
                c = std::exp(1.0 - 1.0 / t);
                dc = -2.0 * x / (t * t) * c;
                break;
            }
        }
        f = 1.0 - c;
        df = -scale * dc;
    }
    double f(double r) const {
        double v, d;
        fdf(r, v, d);
        return v;
    }
};

}  // namespace hdnnp
