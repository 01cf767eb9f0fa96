// hdnnp: scaling of symmetry functions (scaling.data statistics and the input.nn scaling keywords).
//
//   scale                 S = Smin + (Smax - Smin) (G - Gmin)  / (Gmax - Gmin)
//   scale + center        S = Smin + (Smax - Smin) (G - Gmean) / (Gmax - Gmin)
//   center                S = G - Gmean
//   sigma                 S = Smin + (Smax - Smin) (G - Gmean) / Gsigma
//   none                  S = G
// Smin, Smax from scale_min_short / scale_max_short (defaults 0, 1). Every mode is affine,
// S = Smin + factor (G - shift), so dS/dG = factor.
#pragma once

#include <cstddef>
#include <limits>
#include <vector>

namespace hdnnp {

enum class ScalingMode { none, scale, center, scale_center, sigma };

/// Statistics of one element's functions (each shape (n_functions)) and the affine map they define.
struct ElementScaling {
    std::vector<double> gmin, gmax, gmean, gsigma;
    std::vector<double> factor, shift;  ///< S = smin + factor (G - shift)
    double smin = 0.0;                  ///< additive constant (0 for center and none)

    void setup(ScalingMode mode, double scale_min, double scale_max) {
        const std::size_t n = gmin.size();
        factor.assign(n, 1.0);
        shift.assign(n, 0.0);
        smin = (mode == ScalingMode::none || mode == ScalingMode::center) ? 0.0 : scale_min;
        for (std::size_t s = 0; s < n; ++s) {
            switch (mode) {
                case ScalingMode::none: break;
                case ScalingMode::scale: factor[s] = (scale_max - scale_min) / (gmax[s] - gmin[s]); shift[s] = gmin[s]; break;
                case ScalingMode::center: shift[s] = gmean[s]; break;
                case ScalingMode::scale_center: factor[s] = (scale_max - scale_min) / (gmax[s] - gmin[s]); shift[s] = gmean[s]; break;
                case ScalingMode::sigma: factor[s] = (scale_max - scale_min) / gsigma[s]; shift[s] = gmean[s]; break;
            }
        }
    }

    /// x[s] = scaled value of G[s] (shapes (n_functions)).
    void apply(const double* G, double* x) const {
        for (std::size_t s = 0; s < factor.size(); ++s) x[s] = smin + factor[s] * (G[s] - shift[s]);
    }

    /// n2p2's extrapolation test: G outside [Gmin, Gmax] by more than 1000 machine epsilon (absolute).
    bool extrapolates(std::size_t s, double G) const {
        constexpr double tol = 1000.0 * std::numeric_limits<double>::epsilon();
        return G < gmin[s] - tol || G > gmax[s] + tol;
    }
};

}  // namespace hdnnp
