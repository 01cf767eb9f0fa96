// hdnnp: molecular dynamics for validating a potential: velocity Verlet (NVE), Langevin (BAOAB splitting) and
// Nose-Hoover (one thermostat variable, symmetric Trotter splitting), with initial velocities drawn from the
// Maxwell-Boltzmann distribution. It exists to check a potential (energy conservation, stability, structure),
// not to replace an MD code.
//
// Units: the potential works in the model's units (positions of structure() stay in them); the integrator works
// in Å, fs, u (atomic mass units) and eV, converted with md::Units (Å per model length, eV per model energy).
// Velocities are in Å/fs, energies reported in eV, temperatures in K, times in fs (time_ps(): ps).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "hdnnp/core/elements.hpp"
#include "hdnnp/core/error.hpp"
#include "hdnnp/core/result.hpp"
#include "hdnnp/core/structure.hpp"
#include "hdnnp/core/vec3.hpp"
#include "hdnnp/neighbors/neighbor_list.hpp"

namespace hdnnp::md {

/// Boltzmann constant [eV/K] (CODATA 2018, exact).
inline constexpr double kBoltzmann = 8.617333262e-5;
/// (eV/Å)/u expressed in Å/fs^2: a = F/m * kAccelerationUnit. 1 eV = 1.602176634e-19 J, 1 u = 1.66053906660e-27 kg.
inline constexpr double kAccelerationUnit = 1.602176634e-19 / 1.66053906660e-27 * 1e-10;  // = 9.6485e-3
/// Å per bohr (CODATA 2018).
inline constexpr double kBohr = 0.529177210903;
/// eV per hartree (CODATA 2018).
inline constexpr double kHartree = 27.211386245988;

/// The model's units in Å and eV.
struct Units {
    double length = 1.0;  ///< Å per model length unit
    double energy = 1.0;  ///< eV per model energy unit

    /// From unit names: length "angstrom" or "bohr", energy "ev" or "hartree" (case-insensitive is not needed:
    /// the CLI passes what the user typed and the error names the accepted values).
    static Units from_names(const std::string& length, const std::string& energy) {
        Units u;
        if (length == "angstrom") u.length = 1.0;
        else if (length == "bohr") u.length = kBohr;
        else throw Error("unknown length unit '" + length + "' (angstrom or bohr)");
        if (energy == "ev") u.energy = 1.0;
        else if (energy == "hartree") u.energy = kHartree;
        else throw Error("unknown energy unit '" + energy + "' (ev or hartree)");
        return u;
    }
};

enum class Ensemble { nve, langevin, nose_hoover };

/// "nve", "langevin" or "nose-hoover".
inline Ensemble parse_ensemble(const std::string& name) {
    if (name == "nve") return Ensemble::nve;
    if (name == "langevin") return Ensemble::langevin;
    if (name == "nose-hoover") return Ensemble::nose_hoover;
    throw Error("unknown ensemble '" + name + "' (nve, langevin or nose-hoover)");
}

inline const char* ensemble_name(Ensemble e) {
    switch (e) {
        case Ensemble::nve: return "nve";
        case Ensemble::langevin: return "langevin";
        default: return "nose-hoover";
    }
}

struct Settings {
    double timestep = 0.5;          ///< [fs]
    Ensemble ensemble = Ensemble::nve;
    double temperature = 300.0;     ///< thermostat target [K] (and the usual initial temperature)
    double friction = 0.01;         ///< Langevin friction gamma [1/fs]
    double thermostat_time = 100.0; ///< Nose-Hoover relaxation time tau [fs]: Q = g k_B T tau^2
    std::uint64_t seed = 1;         ///< random numbers: initial velocities and Langevin noise
    /// > 0: after every step, the closest pair distance below this value [Å] is found (closest()); pairs
    /// further apart are not looked at (a cell list with this cutoff, O(N)). 0: not checked.
    double min_distance = 0.0;
    ComputeOptions compute;         ///< options of every potential evaluation (forces are always computed;
                                    ///< 4G CG solves start from the previous step's charges and adjoint)
};

/// Velocity Verlet molecular dynamics driving any potential with compute(Structure, ComputeOptions) -> Result.
template <class Pot>
class Dynamics {
public:
    /// Takes the start structure (model units), computes the initial forces. Velocities start at zero:
    /// call draw_velocities() or set_velocities().
    Dynamics(const Pot& pot, Structure s, Units units, Settings settings)
        : pot_(&pot), s_(std::move(s)), units_(units), set_(std::move(settings)), rng_(set_.seed) {
        validate(s_);
        if (!(set_.timestep > 0.0) || !std::isfinite(set_.timestep)) throw Error("md: the time step must be positive");
        if (set_.ensemble != Ensemble::nve && !(set_.temperature > 0.0))
            throw Error(std::string("md: the ") + ensemble_name(set_.ensemble) + " thermostat needs a positive temperature");
        if (!(units_.length > 0.0) || !(units_.energy > 0.0)) throw Error("md: units must be positive");
        const std::size_t n = s_.size();
        if (n == 0) throw Error("md: the structure has no atoms");
        mass_.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            mass_[i] = atomic_weight(s_.symbols[i]);
            if (!(mass_[i] > 0.0)) throw Error("md: atom " + std::to_string(i + 1) + " has unknown element '" + s_.symbols[i] + "'");
        }
        v_.assign(n, Vec3{0, 0, 0});
        a_.assign(n, Vec3{0, 0, 0});
        // Momentum is conserved by NVE and Nose-Hoover (and zeroed at the start); Langevin noise is not.
        dof_ = set_.ensemble == Ensemble::langevin ? 3.0 * double(n) : std::max(1.0, 3.0 * double(n) - 3.0);
        set_.compute.forces = true;
        evaluate();
    }

    /// Maxwell-Boltzmann velocities at temperature T [K]: Gaussian components, total momentum removed, then
    /// rescaled so that the kinetic temperature is exactly T (T = 0: all velocities zero).
    void draw_velocities(double temperature) {
        if (!(temperature >= 0.0)) throw Error("md: the initial temperature must not be negative");
        std::normal_distribution<double> normal(0.0, 1.0);
        for (std::size_t i = 0; i < v_.size(); ++i) {
            const double sigma = std::sqrt(kBoltzmann * temperature / mass_[i] * kAccelerationUnit);
            for (int k = 0; k < 3; ++k) v_[i][k] = sigma * normal(rng_);
        }
        remove_momentum();
        const double t = this->temperature();
        if (t > 0.0) {
            const double f = std::sqrt(temperature / t);
            for (auto& v : v_) v = f * v;
        }
    }

    /// Velocities [Å/fs], shape (N, 3).
    void set_velocities(std::vector<Vec3> v) {
        if (v.size() != v_.size()) throw Error("md: " + std::to_string(v.size()) + " velocities for " + std::to_string(v_.size()) + " atoms");
        v_ = std::move(v);
    }

    /// Subtracts the centre-of-mass velocity.
    void remove_momentum() {
        Vec3 p{0, 0, 0};
        double m = 0.0;
        for (std::size_t i = 0; i < v_.size(); ++i) {
            p = p + mass_[i] * v_[i];
            m += mass_[i];
        }
        const Vec3 vc = (1.0 / m) * p;
        for (auto& v : v_) v = v - vc;
    }

    /// One time step of the chosen ensemble (one potential evaluation).
    void step() {
        const double dt = set_.timestep;
        switch (set_.ensemble) {
            case Ensemble::nve:
                kick(0.5 * dt);
                drift(dt);
                evaluate();
                kick(0.5 * dt);
                break;
            case Ensemble::langevin: {
                // BAOAB (Leimkuhler and Matthews, Appl. Math. Res. Express 2013, 34): the O part is the exact
                // Ornstein-Uhlenbeck update, so the velocity distribution stays Maxwell-Boltzmann at T.
                kick(0.5 * dt);
                drift(0.5 * dt);
                const double c1 = std::exp(-set_.friction * dt);
                std::normal_distribution<double> normal(0.0, 1.0);
                for (std::size_t i = 0; i < v_.size(); ++i) {
                    const double c2 = std::sqrt((1.0 - c1 * c1) * kBoltzmann * set_.temperature / mass_[i] * kAccelerationUnit);
                    for (int k = 0; k < 3; ++k) v_[i][k] = c1 * v_[i][k] + c2 * normal(rng_);
                }
                drift(0.5 * dt);
                evaluate();
                kick(0.5 * dt);
                break;
            }
            case Ensemble::nose_hoover:
                // One thermostat variable xi [1/fs], Q = g k_B T tau^2; Trotter splitting
                // exp(iL_xi dt/2) exp(iL_scale dt/2) VV(dt) exp(iL_scale dt/2) exp(iL_xi dt/2).
                thermostat_half(dt);
                kick(0.5 * dt);
                drift(dt);
                evaluate();
                kick(0.5 * dt);
                thermostat_half(dt);
                break;
        }
        ++steps_;
    }

    // ---- observables
    std::size_t steps() const { return steps_; }
    double time_fs() const { return double(steps_) * set_.timestep; }
    double time_ps() const { return time_fs() * 1e-3; }
    /// Potential energy [eV].
    double potential_energy() const { return r_.energy * units_.energy; }
    /// Kinetic energy [eV].
    double kinetic_energy() const {
        double k = 0.0;
        for (std::size_t i = 0; i < v_.size(); ++i) k += mass_[i] * dot(v_[i], v_[i]);
        return 0.5 * k / kAccelerationUnit;
    }
    double total_energy() const { return potential_energy() + kinetic_energy(); }
    /// Kinetic temperature [K] with degrees_of_freedom().
    double temperature() const { return 2.0 * kinetic_energy() / (dof_ * kBoltzmann); }
    /// 3N - 3 (NVE, Nose-Hoover: momentum conserved) or 3N (Langevin).
    double degrees_of_freedom() const { return dof_; }
    /// Nose-Hoover: total energy plus the thermostat's energy Q xi^2/2 + g k_B T eta (conserved) [eV]; otherwise
    /// total_energy().
    double conserved_energy() const {
        if (set_.ensemble != Ensemble::nose_hoover) return total_energy();
        const double q = nh_mass();
        return total_energy() + 0.5 * q * xi_ * xi_ + dof_ * kBoltzmann * set_.temperature * eta_;
    }
    /// Closest pair distance [Å] found after the last step (Settings::min_distance > 0), +inf if none is closer
    /// than min_distance.
    double closest() const { return closest_; }

    const Structure& structure() const { return s_; }
    /// Velocities [Å/fs].
    const std::vector<Vec3>& velocities() const { return v_; }
    /// Masses [u].
    const std::vector<double>& masses() const { return mass_; }
    /// The last potential evaluation (model units).
    const Result& result() const { return r_; }
    /// Forces of the last evaluation [eV/Å].
    std::vector<Vec3> forces_ev_per_angstrom() const {
        std::vector<Vec3> f(r_.forces.size());
        const double c = units_.energy / units_.length;
        for (std::size_t i = 0; i < f.size(); ++i) f[i] = c * r_.forces[i];
        return f;
    }
    const Units& units() const { return units_; }
    const Settings& settings() const { return set_; }

private:
    double nh_mass() const {
        return dof_ * kBoltzmann * set_.temperature * set_.thermostat_time * set_.thermostat_time;  // eV fs^2
    }

    void thermostat_half(double dt) {
        const double q = nh_mass();
        const double g_kt = dof_ * kBoltzmann * set_.temperature;
        xi_ += 0.25 * dt * (2.0 * kinetic_energy() - g_kt) / q;
        eta_ += 0.5 * dt * xi_;
        const double scale = std::exp(-0.5 * dt * xi_);
        for (auto& v : v_) v = scale * v;
        xi_ += 0.25 * dt * (2.0 * kinetic_energy() - g_kt) / q;
    }

    void kick(double h) {
        for (std::size_t i = 0; i < v_.size(); ++i) v_[i] = v_[i] + h * a_[i];
    }

    void drift(double h) {
        const double c = h / units_.length;  // Å -> model length
        for (std::size_t i = 0; i < v_.size(); ++i) s_.positions[i] = s_.positions[i] + c * v_[i];
    }

    void evaluate() {
        // 4G with the CG solver: warm start from the previous step's charges and adjoint (unless the caller
        // gave its own); the dense solver ignores them.
        ComputeOptions o = set_.compute;
        if (!o.initial_charges && r_.charges.size() == s_.size()) o.initial_charges = &r_.charges;
        if (!o.initial_adjoint && r_.adjoint.size() == s_.size()) o.initial_adjoint = &r_.adjoint;
        r_ = pot_->compute(s_, o);
        const double c = units_.energy / units_.length * kAccelerationUnit;  // model force -> eV/Å -> Å/fs^2 per u
        for (std::size_t i = 0; i < a_.size(); ++i) a_[i] = (c / mass_[i]) * r_.forces[i];
        closest_ = std::numeric_limits<double>::infinity();
        if (set_.min_distance > 0.0) {
            build_neighbor_list(s_, set_.min_distance / units_.length, nl_);
            for (double r : nl_.r) closest_ = std::min(closest_, r * units_.length);
        }
    }

    const Pot* pot_;
    Structure s_;
    Units units_;
    Settings set_;
    std::mt19937_64 rng_;
    std::vector<double> mass_;
    std::vector<Vec3> v_, a_;
    Result r_;
    NeighborList nl_;
    double dof_ = 1.0;
    double xi_ = 0.0, eta_ = 0.0;
    double closest_ = std::numeric_limits<double>::infinity();
    std::size_t steps_ = 0;
};

/// Least-squares line y = slope x + intercept through (x_k, y_k); slope 0 for fewer than two distinct x.
inline std::pair<double, double> linear_fit(const std::vector<double>& x, const std::vector<double>& y) {
    const std::size_t n = std::min(x.size(), y.size());
    if (n == 0) return {0.0, 0.0};
    double mx = 0.0, my = 0.0;
    for (std::size_t k = 0; k < n; ++k) {
        mx += x[k];
        my += y[k];
    }
    mx /= double(n);
    my /= double(n);
    double sxx = 0.0, sxy = 0.0;
    for (std::size_t k = 0; k < n; ++k) {
        sxx += (x[k] - mx) * (x[k] - mx);
        sxy += (x[k] - mx) * (y[k] - my);
    }
    const double slope = sxx > 0.0 ? sxy / sxx : 0.0;
    return {slope, my - slope * mx};
}

}  // namespace hdnnp::md
