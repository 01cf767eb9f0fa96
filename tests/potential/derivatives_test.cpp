// Analytic forces, virial and stress agree with finite differences of the energy: for every
// symmetry-function family (2, 3, 9, 12, 13, 20-25 with every compact subtype), every cutoff type
// 0..8, every activation letter, every scaling mode, normalize_nodes and energy normalisation.
//
// The models are synthetic: input.nn text written here, scaling.data statistics taken from the test
// structures themselves, and random weights from a fixed-seed std::mt19937 (parse_n2p2_model reads
// them all from strings). Each model is checked on a random non-periodic cluster and on a periodic
// triclinic cell smaller than twice the cutoff.
//
// Finite differences: 4-point central stencil
//     f'(0) = [8 (f(h) - f(-h)) - (f(2h) - f(-2h))] / (12 h) + O(h^4),
// h = 2e-4 for Cartesian displacements, 5e-5 for strains (smaller steps let rounding noise of the
// energy, about 1e-12 relative for the high-order compact polynomials, dominate). The energy difference
// is summed atom by atom (the constant offsets mean_energy and atom_energy cancel exactly), which keeps
// the rounding error of the difference at the level of the atomic energies rather than the total. The
// many small energy evaluations run on one OpenMP thread (the analytic forces use the default).
//
// Non-smooth points: the HARD cutoff jumps at rc, and several cutoffs and compact windows have a jump
// in the second derivative at rc, at alpha rc, or at the window ends rl, rc; relu has a kink at 0. A
// finite difference straddling such a point is wrong by O(h) (O(1/h) for a jump), so the structures are
// drawn such that no interatomic distance lies within a margin of those radii and no relu
// pre-activation within a margin of 0 (a different random structure is drawn otherwise).
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <functional>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>


#include "hdnnp/core/elements.hpp"
#include "hdnnp/potential/potential.hpp"
#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/neighbors/neighbor_list.hpp"
#include "support/serial_openmp.hpp"

using namespace hdnnp;

namespace {

constexpr double kStepPosition = 2e-4;  // FD step of a Cartesian coordinate [length]
constexpr double kStepStrain = 5e-5;    // FD step of a strain component
constexpr double kTolerance = 1e-7;     // |analytic - FD| <= kTolerance * max(1, |FD|)
constexpr double kRadiusMargin = 7e-4;  // no distance closer than this to a non-smooth radius [length]
                                        // (> 2 kStepPosition and > 2 kStepStrain * largest rc)
constexpr double kReluMargin = 2e-3;    // no relu pre-activation closer than this to 0

/// Everything that defines a synthetic model.
struct SyntheticModel {
    std::string name;
    std::vector<std::string> elements;  ///< as written on the `elements` line (any order)
    int cutoff_type = 6;
    double alpha = 0.0;
    std::string scaling = "scale";  ///< scale, center, scale_center, sigma or none
    double scale_min = 0.0, scale_max = 1.0;
    std::vector<int> widths{7, 5};
    std::string activations = "t t l";  ///< one letter per hidden layer, then the output layer
    bool normalize_nodes = false;
    bool normalization = false;  ///< mean_energy / conv_energy / conv_length and atom_energy lines
    std::vector<std::string> functions;  ///< symfunction_short lines without the keyword
    unsigned seed = 1;
};

/// Functions of the families that use the cutoff function: 2, 3, 9 (element resolved, with and
/// without rs, integer and non-integer zeta, lambda +1 and -1) and 12, 13 (weighted).
std::vector<std::string> cutoff_functions(const std::vector<std::string>& el) {
    std::vector<std::string> f;
    for (const std::string& c : el) {
        for (const std::string& e : el) {
            f.push_back(c + " 2 " + e + " 0.5 0.0 4.5");
            f.push_back(c + " 2 " + e + " 0.2 1.5 5.5");
            f.push_back(c + " 2 " + e + " 1.0 2.6 5.5");
        }
        for (std::size_t a = 0; a < el.size(); ++a)
            for (std::size_t b = a; b < el.size(); ++b) {
                const std::string p = el[a] + " " + el[b], q = el[b] + " " + el[a];  // both orders on purpose
                f.push_back(c + " 3 " + p + " 0.1 1 1 5.0");
                f.push_back(c + " 3 " + q + " 0.05 -1 2.5 5.5 0.7");
                f.push_back(c + " 3 " + p + " 0.2 1 4.0 5.5 1.2");
                f.push_back(c + " 9 " + q + " 0.08 -1 1.5 5.0 0.5");
                f.push_back(c + " 9 " + p + " 0.02 1 3.0 5.5");
                f.push_back(c + " 9 " + p + " 0.03 -1 2.0 4.6 0.9");
            }
        f.push_back(c + " 12 0.3 0.0 5.0");
        f.push_back(c + " 12 0.1 2.0 5.5");
        f.push_back(c + " 13 0.05 0.8 1 2.0 5.0");
        f.push_back(c + " 13 0.1 1.5 -1 1.3 5.5");
        f.push_back(c + " 13 0.02 0.0 -1 1 4.8");
    }
    return f;
}

/// Compact functions 20-25 of one subtype, with radial windows starting below zero (decaying from
/// r = 0) and shells, and angular windows centred at 0, at 180 and in between.
std::vector<std::string> compact_functions(const std::vector<std::string>& el, const std::string& sub) {
    std::vector<std::string> f;
    const std::vector<std::string> pairs = {el[0] + " " + el[0], el.back() + " " + el[1 % el.size()],
                                            el[0] + " " + el.back()};
    for (const std::string& c : el) {
        for (const std::string& e : el) {
            f.push_back(c + " 20 " + e + " -4.5 4.5 " + sub);
            f.push_back(c + " 20 " + e + " 0.8 4.0 " + sub);
        }
        for (const std::string& p : pairs) {
            f.push_back(c + " 21 " + p + " -5.0 5.0 -90 90 " + sub);
            f.push_back(c + " 21 " + p + " 0.5 4.5 90 270 " + sub);
            f.push_back(c + " 21 " + p + " 1.0 5.0 30 150 " + sub);
            f.push_back(c + " 22 " + p + " -5.0 5.0 0 180 " + sub);
            f.push_back(c + " 22 " + p + " 0.8 4.8 45 135 " + sub);
            f.push_back(c + " 22 " + p + " -4.0 4.0 120 240 " + sub);
        }
        f.push_back(c + " 23 -5.0 5.0 " + sub);
        f.push_back(c + " 23 1.2 4.2 " + sub);
        f.push_back(c + " 24 -5.0 5.0 -60 60 " + sub);
        f.push_back(c + " 24 0.9 4.9 50 170 " + sub);
        f.push_back(c + " 25 -4.5 4.5 80 280 " + sub);
        f.push_back(c + " 25 0.0 5.0 20 100 " + sub);
    }
    return f;
}

std::vector<std::string> sorted_by_atomic_number(std::vector<std::string> el) {
    std::sort(el.begin(), el.end(), [](const std::string& a, const std::string& b) { return atomic_number(a) < atomic_number(b); });
    return el;
}

std::string input_nn_text(const SyntheticModel& m) {
    std::ostringstream o;
    o.precision(17);
    o << "# synthetic model " << m.name << "\n";
    o << "number_of_elements " << m.elements.size() << "\nelements";
    for (const auto& e : m.elements) o << " " << e;
    o << "\ncutoff_type " << m.cutoff_type;
    if (m.alpha != 0.0) o << " " << m.alpha;
    o << "\n";
    if (m.scaling == "scale" || m.scaling == "scale_center") o << "scale_symmetry_functions\n";
    if (m.scaling == "center" || m.scaling == "scale_center") o << "center_symmetry_functions\n";
    if (m.scaling == "sigma") o << "scale_symmetry_functions_sigma\n";
    o << "scale_min_short " << m.scale_min << "\nscale_max_short " << m.scale_max << "\n";
    if (m.normalization) {
        o << "mean_energy -0.37\nconv_energy 2.3\nconv_length 1.7\n";
        for (std::size_t e = 0; e < m.elements.size(); ++e) o << "atom_energy " << m.elements[e] << " " << -0.5 * double(e + 1) << "\n";
    }
    if (m.normalize_nodes) o << "normalize_nodes\n";
    o << "global_hidden_layers_short " << m.widths.size() << "\nglobal_nodes_short";
    for (int w : m.widths) o << " " << w;
    o << "\nglobal_activation_short " << m.activations << "\n";
    for (const auto& f : m.functions) o << "symfunction_short " << f << "\n";
    return o.str();
}

/// Number of functions of each element, in model (atomic number) order.
std::vector<std::size_t> function_counts(const SyntheticModel& m) {
    std::vector<std::size_t> n;
    for (const std::string& e : sorted_by_atomic_number(m.elements)) {
        std::size_t k = 0;
        for (const std::string& f : m.functions)
            if (f.compare(0, e.size() + 1, e + " ") == 0) ++k;
        n.push_back(k);
    }
    return n;
}

/// Per element (model order), per function: Gmin, Gmax, Gmean, Gsigma.
using Statistics = std::vector<std::vector<std::array<double, 4>>>;

std::string scaling_text(const Statistics& st) {
    std::ostringstream o;
    o.precision(17);
    o << "# element function Gmin Gmax Gmean Gsigma\n";
    for (std::size_t e = 0; e < st.size(); ++e)
        for (std::size_t s = 0; s < st[e].size(); ++s)
            o << e + 1 << " " << s + 1 << " " << st[e][s][0] << " " << st[e][s][1] << " " << st[e][s][2] << " " << st[e][s][3] << "\n";
    return o.str();
}

/// Random weights of every element (model order) in n2p2 file order; the first-layer weights of input
/// s are divided by input_scale[e][s] so that every pre-activation is O(1).
std::vector<std::vector<double>> random_weights(const SyntheticModel& m, const std::vector<std::size_t>& n_in,
                                                const std::vector<std::vector<double>>& input_scale) {
    std::mt19937 gen(m.seed);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    std::vector<std::vector<double>> w(n_in.size());
    for (std::size_t e = 0; e < n_in.size(); ++e) {
        std::vector<std::size_t> sizes{n_in[e]};
        for (int x : m.widths) sizes.push_back(static_cast<std::size_t>(x));
        sizes.push_back(1);
        for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
            const double fan_in = static_cast<double>(sizes[l]);
            const double gain = m.normalize_nodes ? fan_in : 1.0;  // normalize_nodes divides by fan_in
            for (std::size_t i = 0; i < sizes[l]; ++i)
                for (std::size_t o = 0; o < sizes[l + 1]; ++o) {
                    double v = u(gen) * gain * 1.5 / std::sqrt(fan_in);
                    if (l == 0) v /= input_scale[e][i];
                    w[e].push_back(v);
                }
            for (std::size_t o = 0; o < sizes[l + 1]; ++o) w[e].push_back(0.3 * gain * u(gen));
        }
    }
    return w;
}

Model parse_model(const SyntheticModel& m, const Statistics& st, const std::vector<std::vector<double>>& weights) {
    std::istringstream nn(input_nn_text(m)), sc(scaling_text(st));
    const std::vector<std::string> order = sorted_by_atomic_number(m.elements);
    std::map<int, std::istringstream> ws;
    for (std::size_t e = 0; e < order.size(); ++e) {
        std::ostringstream o;
        o.precision(17);
        for (double v : weights[e]) o << v << "\n";
        ws[atomic_number(order[e])].str(o.str());
    }
    return io::parse_n2p2_model(nn, m.name + "/input.nn", sc, m.name + "/scaling.data", [&](int z, std::string& name) -> std::istream& {
        name = m.name + "/weights." + std::to_string(z) + ".data";
        return ws.at(z);
    });
}

/// Raw functions (or scaled network inputs) of every atom, grouped by element.
std::vector<std::vector<std::vector<double>>> descriptors_by_element(const Potential<>& pot, const std::vector<Structure>& ss,
                                                                     bool scaled) {
    std::vector<std::vector<std::vector<double>>> out(pot.model().elements.size());
    ComputeOptions opt;
    opt.forces = false;
    opt.keep_descriptors = true;
    for (const Structure& s : ss) {
        const Result r = pot.compute(s, opt);
        const std::vector<int> el = pot.element_indices(s);
        for (std::size_t i = 0; i < s.size(); ++i)
            out[static_cast<std::size_t>(el[i])].push_back(scaled ? r.descriptors_scaled[i] : r.descriptors_raw[i]);
    }
    return out;
}

/// The model with scaling statistics from the given structures: Gmin = 0, Gmax = Gsigma =
/// max(1, 1.25 max |G|), Gmean the mean, so that every scaled input is at most O(1). A narrow
/// Gmax - Gmin would amplify rounding noise, and a tiny Gmax would blow up a function that is nearly
/// zero on all atoms (a neighbour just inside a compact window, G ~ (rc - r)^10) into a steep O(1)
/// input that no finite difference resolves. Without min/max or sigma scaling the first-layer
/// weights of a function are divided by max(1, max |G|) instead.
Potential<> build_potential(const SyntheticModel& m, const std::vector<Structure>& training) {
    const std::vector<std::size_t> n = function_counts(m);
    Statistics dummy(n.size());
    std::vector<std::vector<double>> ones(n.size());
    for (std::size_t e = 0; e < n.size(); ++e) {
        dummy[e].assign(n[e], {0.0, 1.0, 0.5, 1.0});
        ones[e].assign(n[e], 1.0);
    }
    const auto raw = descriptors_by_element(Potential<>(parse_model(m, dummy, random_weights(m, n, ones))), training, false);
    const bool rescaled = m.scaling == "scale" || m.scaling == "scale_center" || m.scaling == "sigma";
    Statistics st(n.size());
    std::vector<std::vector<double>> divisor(n.size());
    for (std::size_t e = 0; e < n.size(); ++e)
        for (std::size_t s = 0; s < n[e]; ++s) {
            double big = 0.0, sum = 0.0;
            for (const auto& g : raw[e]) {
                big = std::max(big, std::abs(g[s]));
                sum += g[s];
            }
            const double mean = raw[e].empty() ? 0.0 : sum / static_cast<double>(raw[e].size());
            const double range = std::max(1.0, 1.25 * big);
            st[e].push_back({0.0, range, mean, range});
            divisor[e].push_back(rescaled ? 1.0 : std::max(1.0, big));
        }
    return Potential<>(parse_model(m, st, random_weights(m, n, divisor)));
}

/// Radii at which some function of the model is not twice continuously differentiable.
std::vector<double> critical_radii(const Model& model) {
    std::vector<double> r;
    const bool shifted = cutoff_uses_alpha(model.cutoff_type) && model.cutoff_alpha > 0.0;
    for (const auto& e : model.elements)
        for (const SymFnSpec& f : e.descriptors.specs()) {
            r.push_back(f.rc);
            if (f.is_compact() && f.rl > 0.0) r.push_back(f.rl);
            if (!f.is_compact() && shifted) r.push_back(model.cutoff_alpha * f.rc);
        }
    std::sort(r.begin(), r.end());
    r.erase(std::unique(r.begin(), r.end()), r.end());
    return r;
}

/// Smallest |d - r_c| over all interatomic distances d (periodic images included) and critical radii.
double distance_to_critical_radii(const Structure& s, const std::vector<double>& radii) {
    const double rmax = *std::max_element(radii.begin(), radii.end()) + 1.0;
    const NeighborList nl = build_neighbor_list(s, rmax);
    double best = 1e300;
    for (double d : nl.r)
        for (double c : radii) best = std::min(best, std::abs(d - c));
    return best;
}

/// Smallest |pre-activation| of a relu neuron over all atoms (infinity without relu layers).
double distance_to_relu_kinks(const Potential<>& pot, const Structure& s) {
    ComputeOptions opt;
    opt.forces = false;
    opt.keep_descriptors = true;
    const Result r = pot.compute(s, opt);
    const std::vector<int> el = pot.element_indices(s);
    double best = 1e300;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const Network& net = pot.model().elements[static_cast<std::size_t>(el[i])].network;
        std::vector<double> in = r.descriptors_scaled[i];
        for (const DenseLayer& L : net.layers()) {
            std::vector<double> out(L.n_out);
            const double inv = net.normalize_nodes() ? 1.0 / static_cast<double>(L.n_in) : 1.0;
            for (std::size_t o = 0; o < L.n_out; ++o) {
                double z = L.biases[o];
                for (std::size_t k = 0; k < L.n_in; ++k) z += in[k] * L.weights[k * L.n_out + o];
                z *= inv;
                if (L.activation == Activation::relu) best = std::min(best, std::abs(z));
                double f = 0.0, df = 0.0;
                visit_activation(L.activation, [&](auto act) { decltype(act)::eval(z, f, df); });
                out[o] = f;
            }
            in = out;
        }
    }
    return best;
}

/// A random cluster of n atoms in a sphere, no two closer than dmin; elements cycle through `el`.
Structure random_cluster(std::mt19937& gen, const std::vector<std::string>& el, std::size_t n, double radius, double dmin) {
    std::uniform_real_distribution<double> u(-radius, radius);
    Structure s;
    while (s.size() < n) {
        const Vec3 p{u(gen), u(gen), u(gen)};
        if (norm(p) > radius) continue;
        bool ok = true;
        for (const Vec3& q : s.positions) ok = ok && norm(p - q) >= dmin;
        if (ok) s.add_atom(el[s.size() % el.size()], p);
    }
    return s;
}

/// n random atoms in a periodic triclinic cell, no two (or an atom and an image) closer than dmin.
Structure random_cell(std::mt19937& gen, const std::vector<std::string>& el, const Mat3& cell, std::size_t n, double dmin) {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    Structure s;
    s.periodic = true;
    s.lattice = cell;
    while (s.size() < n) {
        const Vec3 p = u(gen) * cell[0] + u(gen) * cell[1] + u(gen) * cell[2];
        bool ok = true;
        for (const Vec3& q : s.positions)
            for (int a = -1; a <= 1; ++a)
                for (int b = -1; b <= 1; ++b)
                    for (int c = -1; c <= 1; ++c)
                        ok = ok && norm(p - q + double(a) * cell[0] + double(b) * cell[1] + double(c) * cell[2]) >= dmin;
        if (ok) s.add_atom(el[s.size() % el.size()], p);
    }
    return s;
}

/// Atomic NN energies (what changes with the geometry; the constant offsets are left out).
std::vector<double> atomic_energies(const Potential<>& pot, const Structure& s) {
    ComputeOptions opt;
    opt.forces = false;
    return pot.compute(s, opt).atomic_energies;
}

/// d/dt of sum_i E_i(t) at t = 0 by the 4-point stencil, differences taken atom by atom.
double fd_derivative(const std::function<Structure(double)>& displaced, const Potential<>& pot, double h) {
    const test::SerialOpenMP serial;
    const auto m2 = atomic_energies(pot, displaced(-2.0 * h));
    const auto m1 = atomic_energies(pot, displaced(-h));
    const auto p1 = atomic_energies(pot, displaced(h));
    const auto p2 = atomic_energies(pot, displaced(2.0 * h));
    double d8 = 0.0, d1 = 0.0;
    for (std::size_t i = 0; i < m1.size(); ++i) {
        d8 += p1[i] - m1[i];
        d1 += p2[i] - m2[i];
    }
    return (8.0 * d8 - d1) / (12.0 * h);
}

/// s with positions and cell rows mapped by I + t e_a e_b^T (strain component eps_ab = t).
Structure strained(const Structure& s, int a, int b, double t) {
    Structure d = s;
    auto apply = [&](Vec3& v) { v[a] += t * v[b]; };
    for (Vec3& r : d.positions) apply(r);
    if (d.periodic)
        for (Vec3& row : d.lattice) apply(row);
    return d;
}

/// Worst relative deviation max |x - ref| / max(1, |ref|) with its description.
struct Worst {
    double ratio = 0.0;
    std::string where;
    void update(double x, double ref, const std::string& what) {
        const double q = std::abs(x - ref) / std::max(1.0, std::abs(ref));
        if (q >= ratio) {
            ratio = q;
            std::ostringstream o;
            o.precision(15);
            o << what << ": analytic " << x << ", finite difference " << ref;
            where = o.str();
        }
    }
};

/// Forces, and stress (periodic) or virial (cluster), against finite differences.
void check_against_finite_differences(const Potential<>& pot, const Structure& s, const std::string& label) {
    const Result r = pot.compute(s);
    REQUIRE(r.forces.size() == s.size());
    INFO(label << ": " << s.size() << " atoms, E = " << r.energy);

    Worst force;
    Vec3 total{0, 0, 0};
    double fscale = 0.0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        total += r.forces[i];
        fscale = std::max(fscale, norm(r.forces[i]));
        for (int a = 0; a < 3; ++a) {
            const double fd = -fd_derivative(
                [&](double t) {
                    Structure d = s;
                    d.positions[i][a] += t;
                    return d;
                },
                pot, kStepPosition);
            force.update(r.forces[i][a], fd, "F[" + std::to_string(i) + "][" + std::to_string(a) + "]");
        }
    }
    INFO("largest |F_i| " << fscale << "; worst force " << force.where << " (relative " << force.ratio << ")");
    CHECK(force.ratio <= kTolerance);
    CHECK(norm(total) <= 1e-12 * std::max(1.0, fscale) * static_cast<double>(s.size()));

    // dE/deps_ab = V stress_ab (periodic) = -W_ba (both); the virial is symmetric for a rotation-invariant
    // energy, so every component of the non-symmetric strain is checked.
    Worst strain;
    const double v = s.periodic ? std::abs(s.volume()) : 0.0;
    for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) {
            const double fd = fd_derivative([&](double t) { return strained(s, a, b, t); }, pot, kStepStrain);
            const std::string ab = "[" + std::to_string(a) + "][" + std::to_string(b) + "]";
            strain.update(-r.virial[b][a], fd, "-W" + ab);
            if (s.periodic) strain.update(v * r.stress[a][b], fd, "V stress" + ab);
        }
    INFO("worst strain derivative " << strain.where << " (relative " << strain.ratio << ")");
    CHECK(strain.ratio <= kTolerance);
    CHECK(r.has_stress == s.periodic);
}

/// Builds the model on a cluster and a triclinic cell and checks both against finite differences.
void check_model(const SyntheticModel& m) {
    std::mt19937 gen(m.seed * 7919u + 17u);
    const std::vector<std::string> el = sorted_by_atomic_number(m.elements);
    const Mat3 cell{Vec3{5.6, 0.0, 0.0}, Vec3{1.1, 5.2, 0.0}, Vec3{-0.9, 0.7, 5.4}};
    const std::size_t n_cluster = 12, n_cell = 8;

    // Critical radii depend only on the functions; any weights and statistics do.
    const std::vector<std::size_t> n = function_counts(m);
    Statistics dummy(n.size());
    std::vector<std::vector<double>> ones(n.size());
    for (std::size_t e = 0; e < n.size(); ++e) {
        dummy[e].assign(n[e], {0.0, 1.0, 0.5, 1.0});
        ones[e].assign(n[e], 1.0);
    }
    const std::vector<double> radii = critical_radii(parse_model(m, dummy, random_weights(m, n, ones)));

    // A structure whose distances all keep kRadiusMargin from the critical radii (for cutoff HARD: from
    // rc, where the energy jumps); `smooth` tells whether one was found.
    auto draw = [&](bool periodic, bool& smooth) {
        Structure s;
        for (int attempt = 0; attempt < 200; ++attempt) {
            s = periodic ? random_cell(gen, el, cell, n_cell, 1.0) : random_cluster(gen, el, n_cluster, 2.4, 1.0);
            smooth = distance_to_critical_radii(s, radii) > kRadiusMargin;
            if (smooth) break;
        }
        return s;
    };
    bool smooth[2] = {false, false};
    std::vector<Structure> ss;
    ss.push_back(draw(false, smooth[0]));
    ss.push_back(draw(true, smooth[1]));

    const Potential<> pot = build_potential(m, ss);
    for (std::size_t k = 0; k < ss.size(); ++k) {
        const std::string label = m.name + (k == 1 ? " periodic triclinic cell" : " cluster");
        // relu: also keep every pre-activation away from the kink at 0 (needs the final model).
        bool ok = smooth[k] && distance_to_relu_kinks(pot, ss[k]) > kReluMargin;
        for (int attempt = 0; attempt < 50 && smooth[k] && !ok; ++attempt) {
            ss[k] = draw(k == 1, smooth[k]);
            ok = smooth[k] && distance_to_relu_kinks(pot, ss[k]) > kReluMargin;
        }
        if (!smooth[k]) {
            WARN(label << ": every random structure had a distance within " << kRadiusMargin
                       << " of a cutoff or window radius (where the energy is not smooth); finite differences skipped");
            continue;
        }
        if (!ok) {
            WARN(label << ": every random structure had a relu pre-activation within " << kReluMargin
                       << " of 0; finite differences skipped");
            continue;
        }
        check_against_finite_differences(pot, ss[k], label);
    }
    // The vectorised kernels against the scalar ones (V = double) on the same structures.
    for (std::size_t k = 0; k < ss.size(); ++k) {
        ComputeOptions scalar, vec;
        scalar.simd = false;
        vec.simd = true;
        const Result a = pot.compute(ss[k], scalar), b = pot.compute(ss[k], vec);
        double max_df = 0.0, max_f = 0.0;
        for (std::size_t i = 0; i < a.forces.size(); ++i)
            for (int x = 0; x < 3; ++x) {
                max_df = std::max(max_df, std::abs(a.forces[i][x] - b.forces[i][x]));
                max_f = std::max(max_f, std::abs(a.forces[i][x]));
            }
        INFO(m.name << (k == 1 ? " periodic triclinic cell" : " cluster") << ": SIMD against scalar, energy "
                    << a.energy << " vs " << b.energy << ", largest force difference " << max_df << " of " << max_f);
        CHECK(std::abs(a.energy - b.energy) <= 1e-12 * std::max(1.0, std::abs(a.energy)));
        CHECK(max_df <= 1e-11 * std::max(1.0, max_f));
    }
}

const char* const kScalingModes[] = {"scale", "center", "scale_center", "sigma", "none"};

}  // namespace

TEST_CASE("Forces and stress equal finite-difference derivatives of the energy for every cutoff type",
          "[derivatives]") {
    // Families 2, 3, 9, 12, 13 with every cutoff type; shifted cutoffs with alpha > 0. Even cutoff types
    // use two elements, odd ones three.
    const char* const acts[] = {"t s l", "p g l", "c S l", "e h l", "t p l", "s t l", "g c l", "S e l", "h t l"};
    for (int c = 0; c <= 8; ++c) {
        DYNAMIC_SECTION("cutoff_type " << c) {
            SyntheticModel m;
            m.name = "cutoff" + std::to_string(c);
            m.elements = c % 2 == 0 ? std::vector<std::string>{"O", "H"} : std::vector<std::string>{"H", "O", "C"};
            m.cutoff_type = c;
            m.alpha = cutoff_uses_alpha(c) ? 0.1 + 0.05 * c : 0.0;
            m.scaling = kScalingModes[c % 5];
            if (c == 3) { m.scale_min = -1.0; m.scale_max = 2.0; }
            m.activations = acts[c];
            m.normalize_nodes = c == 4;
            m.normalization = c == 5;
            m.functions = cutoff_functions(sorted_by_atomic_number(m.elements));
            m.seed = 100u + static_cast<unsigned>(c);
            check_model(m);
        }
    }
}

TEST_CASE("Forces and stress equal finite-difference derivatives of the energy for every compact subtype",
          "[derivatives]") {
    // Families 20-25 (element-resolved and weighted, narrow and wide), three elements.
    const char* const subs[] = {"p1", "p2", "p3", "p4", "e", "p1a", "p2a", "p3a", "p4a"};
    const char* const acts[] = {"t t l", "s p l", "g t l", "c t l", "S p l", "e t l", "h s l", "t t t", "p p l"};
    for (int k = 0; k < 9; ++k) {
        DYNAMIC_SECTION("subtype " << subs[k]) {
            SyntheticModel m;
            m.name = std::string("compact_") + subs[k];
            m.elements = {"C", "H", "O"};
            m.cutoff_type = k % 9;  // ignored by compact functions
            m.scaling = kScalingModes[(k + 2) % 5];
            m.activations = acts[k];
            m.normalize_nodes = k == 6;
            m.normalization = k == 3;
            m.functions = compact_functions(sorted_by_atomic_number(m.elements), subs[k]);
            m.seed = 200u + static_cast<unsigned>(k);
            check_model(m);
        }
    }
}

TEST_CASE("Forces and stress equal finite-difference derivatives of the energy for every activation function",
          "[derivatives]") {
    // Every layer (output included) uses the same letter; a mix of families and cutoffs so the networks
    // see realistic inputs. Odd letters also run with normalize_nodes.
    const std::string letters = "ltsprgcSeh";
    for (std::size_t k = 0; k < letters.size(); ++k) {
        const std::string a(1, letters[k]);
        DYNAMIC_SECTION("activation " << a) {
            SyntheticModel m;
            m.name = "activation_" + a;
            m.elements = {"H", "O"};
            m.cutoff_type = static_cast<int>(k % 9);
            m.alpha = cutoff_uses_alpha(m.cutoff_type) ? 0.25 : 0.0;
            m.scaling = kScalingModes[k % 5];
            m.widths = {6, 4};
            m.activations = a + " " + a + " " + a;
            m.normalize_nodes = k % 2 == 1;
            std::vector<std::string> f = cutoff_functions(m.elements);
            const std::vector<std::string> g = compact_functions(m.elements, k % 2 ? "p2a" : "e");
            for (std::size_t i = 0; i < g.size(); i += 3) f.push_back(g[i]);
            m.functions = f;
            m.seed = 300u + static_cast<unsigned>(k);
            check_model(m);
        }
    }
}

TEST_CASE("The virial of a non-periodic cluster equals the sum of R_i outer F_i", "[derivatives]") {
    for (int variant = 0; variant < 2; ++variant) {
        DYNAMIC_SECTION((variant == 0 ? "cutoff families" : "compact families")) {
            SyntheticModel m;
            m.name = variant == 0 ? "virial_cutoff" : "virial_compact";
            m.elements = {"H", "C", "O"};
            m.cutoff_type = 6;
            m.alpha = 0.2;
            m.functions = variant == 0 ? cutoff_functions(sorted_by_atomic_number(m.elements))
                                       : compact_functions(sorted_by_atomic_number(m.elements), "p3");
            m.seed = 400u + static_cast<unsigned>(variant);
            std::mt19937 gen(m.seed);
            const Structure s = random_cluster(gen, sorted_by_atomic_number(m.elements), 16, 2.6, 0.95);
            const Potential<> pot = build_potential(m, {s});

            // The same cluster far from the origin: the virial must not change (sum of forces is 0).
            Structure moved = s;
            for (Vec3& r : moved.positions) r += Vec3{37.5, -81.25, 12.125};
            for (const Structure* p : std::vector<const Structure*>{&s, &moved}) {
                const Result r = pot.compute(*p);
                Mat3 w{};
                double scale = 0.0;
                for (std::size_t i = 0; i < p->size(); ++i) {
                    scale += norm(p->positions[i]) * norm(r.forces[i]);
                    for (int a = 0; a < 3; ++a)
                        for (int b = 0; b < 3; ++b) w[a][b] += p->positions[i][a] * r.forces[i][b];
                }
                double dev = 0.0, dev_moved = 0.0, asym = 0.0, wmax = 0.0;
                const Result r0 = pot.compute(s);
                for (int a = 0; a < 3; ++a)
                    for (int b = 0; b < 3; ++b) {
                        dev = std::max(dev, std::abs(r.virial[a][b] - w[a][b]));
                        dev_moved = std::max(dev_moved, std::abs(r.virial[a][b] - r0.virial[a][b]));
                        asym = std::max(asym, std::abs(r.virial[a][b] - r.virial[b][a]));
                        wmax = std::max(wmax, std::abs(r.virial[a][b]));
                    }
                INFO("max |W - sum R F| = " << dev << ", max |W - W(origin)| = " << dev_moved << ", asymmetry " << asym
                                            << ", sum |R||F| = " << scale << ", max |W| = " << wmax);
                CHECK(wmax > 1e-3);
                CHECK(dev <= 1e-12 * scale);
                CHECK(dev_moved <= 1e-11 * std::max(1.0, wmax));
                CHECK(asym <= 1e-11 * std::max(1.0, wmax));
                CHECK_FALSE(r.has_stress);
            }
        }
    }
}
