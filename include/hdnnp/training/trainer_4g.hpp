// hdnnp: fitting a 4G model (n2p2's two training stages) with exact gradients, and writing it.
//
//   Model m = training::untrained_model_4g(input_nn_text, scaling_text);       // zero weights, initial_hardness
//   training::initialize_weights_4g(m, seed);                                  // random chi and short weights
//   training::Trainer4G t(std::move(m), structures, options);                  // caches functions, dG/dR, C
//   t.fit_charges(lbfgs);                  // stage 1: chi networks and hardness <- reference charges
//   t.prepare_short();                     // freezes stage 1: charges, electrostatics, dQ/dR
//   t.fit_output_bias(); t.fit_short(lbfgs);   // stage 2: short-range networks <- energies and forces
//   training::write_n2p2_model_4g(dir, t.model(), input_nn_text);             // Potential4G<>::load(dir)
//
// The model is potential/charges.hpp's 4G model (units of the data; chi_unit = conv_charge/conv_energy):
//   chi_i = NN^chi_{e(i)}(x_i) chi_unit,  A = C(R) + diag(J_e(i)),  [A 1; 1^T 0][Q; lambda] = [-chi; Q_tot],
//   E = sum_i NN^s_{e(i)}(x_i, Q_i conv_charge)/conv_energy + E_elec(R, Q) + N mean_energy + sum_i atom_energy,
//   F_k = -dE/dR_k (total derivative: through x, through Q(R) and E_elec).
//
// Stage 1 (n2p2 `nnp-train 1`, property "charge", network "elec"; the hardness of every element is a fit
// parameter there too, as sqrt(J)):
//   L1 = (1/M) sum_{s in B} sum_{i in s} (Q_si - Q_si^ref)^2          [e^2],  M = atoms of the set B
// over the reference charges (input.data atom column 5); the total charge enters as the QEq constraint
// (every predicted set of charges sums to Q_tot exactly). sqrt(L1) is the charge RMSE n2p2 reports (per atom).
// Parameters: the chi networks of all elements (ascending atomic number, each in Trainer::parameters()'
// layout), then s_e = sqrt(J_e) per element (J = s^2 stays positive).
// Gradient by the adjoint of the QEq system, one extra solve per structure with the factorised matrix:
//   [A 1; 1^T 0][y; mu] = [dL/dQ; 0],  dL/dchi_i = -y_i,  dL/dJ_e = -sum_{i of element e} y_i Q_i,
// then one back-propagation per atom with the seed -y_i chi_unit.
//
// Stage 2 (n2p2 `nnp-train 2`, properties "energy" and "force", network "short"): the chi networks and the
// hardness are fixed, so per structure the charges Q(R), E_elec, the electrostatic forces (with the charge
// response) and the charge response D = dQ/dR (shape (N atoms i, N atoms k, 3)) are fixed. As in n2p2
// (Training::update, force Jacobian: the last network input's derivative is dQ_i/dx_k) the short networks see
// Q_i conv_charge as an extra input whose derivative with respect to R_k is conv_charge D[i][k]:
//   E = sum_i NN^s_i/conv_energy + E_fix,     E_fix = E_elec + offsets,
//   F_k = F_fix,k - (1/conv_energy) sum_i [ dNN^s_i/dx_i . dx_i/dR_k + dNN^s_i/dq_i conv_charge D[i][k] ],
//   F_fix = -dE_elec/dR (total) = -dE_elec/dR|_Q - D^T dE_elec/dQ,
// which is exactly the energy and force the trained model reports (tests compare with Potential4G).
//   L2 = (1/|B|) sum_s ((E_s - E_s^ref)/N_s)^2 + beta (1/(3 sum_s N_s)) sum_s sum_i |F_si - F_si^ref|^2
// [energy^2/atom^2]; beta = force_weight [length^2]. Gradient: as the 2G trainer (trainer.hpp), a forward
// pass with the tangent v_i (now one component longer: v_i[charge] = -(conv_charge/conv_energy) sum_k
// dL/dF_k . D[i][k]) and one reverse pass per atom.
// D is computed once per structure by N adjoint solves: with z = P e_j ([A 1; 1^T 0][z; mu] = [e_j; 0]),
//   dQ_j/dR_k = -d/dR_k [z^T C Q]|_{z,Q} - sum_i z_i dchi_i/dR_k.
//
// Optimiser: full-batch L-BFGS (lbfgs_minimize below; the whole training set is one batch). Per-structure
// terms are summed in a fixed order, so losses, gradients and fits do not depend on the thread count.
// Split: n2p2_test_selection (n2p2's rule, see there): a structure's `set` label is kept, the others are drawn.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "hdnnp/core/elements.hpp"
#include "hdnnp/core/error.hpp"
#include "hdnnp/core/result.hpp"
#include "hdnnp/core/structure.hpp"
#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/io/n2p2_writer.hpp"
#include "hdnnp/potential/charges.hpp"
#include "hdnnp/potential/model.hpp"
#include "hdnnp/training/descriptors.hpp"
#include "hdnnp/training/network_passes.hpp"
#include "hdnnp/training/settings.hpp"
#include "hdnnp/training/setup.hpp"
#include "hdnnp/training/trainer.hpp"

namespace hdnnp::training {

// ---------------------------------------------------------------------------------------------------------
// Model set-up and writing.

namespace detail_train4g {

/// Words of the non-comment lines of an input.nn text starting with `key`.
inline std::vector<std::vector<std::string>> keyword_lines(const std::string& text, const std::string& key) {
    std::vector<std::vector<std::string>> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        line = line.substr(0, line.find('#'));
        std::istringstream ls(line);
        std::vector<std::string> w;
        for (std::string t; ls >> t;) w.push_back(t);
        if (!w.empty() && w[0] == key) out.push_back(std::move(w));
    }
    return out;
}

/// Widths of the hidden layers from global_hidden_layers_<kind> / global_nodes_<kind>.
inline std::vector<std::size_t> hidden_widths(const std::string& text, const std::string& kind) {
    const auto nh = keyword_lines(text, "global_hidden_layers_" + kind), nodes = keyword_lines(text, "global_nodes_" + kind);
    if (nh.size() != 1 || nh[0].size() != 2 || nodes.size() != 1)
        throw ParseError("input.nn", 0, "expected one global_hidden_layers_" + kind + " and one global_nodes_" + kind + " line");
    if (!keyword_lines(text, "element_nodes_" + kind).empty())
        throw ParseError("input.nn", 0, "element_nodes_" + kind + " is not supported by untrained_model_4g");
    std::vector<std::size_t> w;
    for (std::size_t k = 1; k < nodes[0].size(); ++k) w.push_back(static_cast<std::size_t>(std::stoul(nodes[0][k])));
    if (w.size() != static_cast<std::size_t>(std::stoul(nh[0][1])))
        throw ParseError("input.nn", 0, "global_nodes_" + kind + " does not list global_hidden_layers_" + kind + " widths");
    return w;
}

/// A text of `count` zeros (one per line).
inline std::string zeros(std::size_t count) {
    std::string s;
    s.reserve(2 * count);
    for (std::size_t k = 0; k < count; ++k) s += "0\n";
    return s;
}

inline std::size_t weight_count(std::size_t n_in, const std::vector<std::size_t>& widths) {
    std::size_t c = 0;
    for (std::size_t w : widths) {
        c += n_in * w + w;
        n_in = w;
    }
    return c + n_in + 1;
}

}  // namespace detail_train4g

/// A 4G model from an input.nn text (nnp_generation 4) and a scaling.data text, with all network weights zero
/// and every element's hardness from `initial_hardness <element> <J>` (required for each element). Parsed by
/// the loader's parser (io::parse_n2p2_model), so its checks and messages apply. Per-element node counts
/// (element_nodes_*) are not supported (ParseError). With `stage1_dir` not empty, the electronegativity
/// networks and hardness values are read from its weightse.ZZZ.data and hardness.ZZZ.data instead (e.g. an
/// n2p2 stage-1 result), with the loader's checks.
inline Model untrained_model_4g(const std::string& input_nn_text, const std::string& scaling_text,
                                const std::string& stage1_dir = "") {
    using namespace detail_train4g;
    const auto el_lines = keyword_lines(input_nn_text, "elements");
    if (el_lines.size() != 1) throw ParseError("input.nn", 0, "expected one `elements` line");
    std::vector<std::string> symbols(el_lines[0].begin() + 1, el_lines[0].end());
    const auto short_w = hidden_widths(input_nn_text, "short"), chi_w = hidden_widths(input_nn_text, "electrostatic");
    auto n_functions = [&](int z) {
        std::size_t n = 0;
        for (const auto& l : keyword_lines(input_nn_text, "symfunction_short"))
            if (l.size() > 1 && atomic_number(l[1]) == z) ++n;
        return n;
    };
    auto hardness_of = [&](int z) -> std::string {
        for (const auto& l : keyword_lines(input_nn_text, "initial_hardness"))
            if (l.size() == 3 && atomic_number(l[1]) == z) return l[2] + "\n";
        throw ParseError("input.nn", 0, "no `initial_hardness` line for element " + element_symbol(z));
    };
    std::istringstream settings(input_nn_text), scaling(scaling_text), weights, extra;
    std::ifstream file;
    Model m = io::parse_n2p2_model(
        settings, "input.nn", scaling, "scaling.data",
        [&](int z, std::string& name) -> std::istream& {
            name = "(zero short-range weights of " + element_symbol(z) + ")";
            weights.clear();
            weights.str(zeros(weight_count(n_functions(z) + 1, short_w)));
            return weights;
        },
        [&](const std::string& kind, int z, std::string& name) -> std::istream& {
            extra.clear();
            if (!stage1_dir.empty()) {
                char zzz[8];
                std::snprintf(zzz, sizeof zzz, "%03d", z);
                name = io::detail_writer::join_path(stage1_dir, (kind == "hardness" ? "hardness." : "weightse.") + std::string(zzz) + ".data");
                file.close();
                file.clear();
                file.open(name);
                if (!file) throw Error("cannot open " + name);
                return file;
            }
            if (kind == "hardness") {
                name = "(initial_hardness of " + element_symbol(z) + ")";
                extra.str(hardness_of(z));
            } else {
                name = "(zero electronegativity weights of " + element_symbol(z) + ")";
                extra.str(zeros(weight_count(n_functions(z), chi_w)));
            }
            return extra;
        });
    if (m.generation != Generation::fourth) throw ParseError("input.nn", 0, "untrained_model_4g needs nnp_generation 4");
    m.directory = "input.nn";
    return m;
}

/// Random weights for the electronegativity networks (from seed) and the short-range networks (from seed + 1),
/// by setup.hpp's initialize_weights.
inline void initialize_weights_4g(Model& m, std::uint64_t seed, WeightInit method = WeightInit::glorot_uniform) {
    for (ElementModel& em : m.elements) std::swap(em.network, em.electronegativity);
    initialize_weights(m, seed, method);
    for (ElementModel& em : m.elements) std::swap(em.network, em.electronegativity);
    initialize_weights(m, seed + 1, method);
}

/// Writes a 4G model directory that io::load_n2p2_model (Potential4G<>::load) reads: input.nn (verbatim),
/// scaling.data, weights.ZZZ.data, weightse.ZZZ.data and hardness.ZZZ.data (J in the data's units,
/// 17 significant digits). Throws Error if a file cannot be written.
inline void write_n2p2_model_4g(const std::string& dir, const Model& model, const std::string& input_nn_text) {
    if (model.generation != Generation::fourth) throw Error("write_n2p2_model_4g: not a 4G model");
    io::write_n2p2_model(dir, model, input_nn_text);
    for (const ElementModel& em : model.elements) {
        char z[8];
        std::snprintf(z, sizeof z, "%03d", em.atomic_number);
        std::ostringstream w;
        io::write_weights(w, em.electronegativity);
        io::detail_writer::write_file(io::detail_writer::join_path(dir, std::string("weightse.") + z + ".data"), w.str());
        std::string h;
        io::detail_writer::append_number(h, em.hardness, 0);
        io::detail_writer::write_file(io::detail_writer::join_path(dir, std::string("hardness.") + z + ".data"), h + "\n");
    }
}

// ---------------------------------------------------------------------------------------------------------
// L-BFGS.

struct LbfgsOptions {
    std::size_t max_iterations = 1000;  ///< iterations (each: one direction, a backtracking line search)
    std::size_t memory = 20;            ///< correction pairs kept
    double gradient_tolerance = 0.0;    ///< stop when |g| <= this (units of the gradient)
    double armijo = 1e-4;               ///< sufficient-decrease constant c1
};

struct LbfgsReport {
    std::size_t iterations = 0, evaluations = 0;
    double loss = std::numeric_limits<double>::quiet_NaN();
    std::string stop;  ///< why it stopped
};

/// Minimises f(x) (f(x, g) returns the value and writes the gradient g, shape (n)) from x by L-BFGS (two-loop
/// recursion, initial Hessian (s.y / y.y) I) with a backtracking Armijo line search (first trial step 1, or
/// 1/|g| in the first iteration); pairs with s.y <= 1e-12 |s||y| are skipped. on_iteration(it, loss) after
/// each iteration, if set. x holds the best point on return. Deterministic.
template <class F>
LbfgsReport lbfgs_minimize(F&& f, std::vector<double>& x, const LbfgsOptions& o,
                           const std::function<void(std::size_t, double)>& on_iteration = {}) {
    const std::size_t n = x.size();
    auto dot = [n](const std::vector<double>& a, const std::vector<double>& b) {
        double s = 0.0;
        for (std::size_t k = 0; k < n; ++k) s += a[k] * b[k];
        return s;
    };
    LbfgsReport rep;
    std::vector<double> g(n), d(n), xt(n), gt(n), alpha;
    std::vector<std::vector<double>> S, Y;
    std::vector<double> rho;
    double fx = f(x, g);
    rep.evaluations = 1;
    for (std::size_t it = 0; it < o.max_iterations; ++it) {
        const double gnorm = std::sqrt(dot(g, g));
        if (!(gnorm > o.gradient_tolerance)) { rep.stop = "gradient tolerance"; break; }
        // d = -H g
        d = g;
        alpha.assign(S.size(), 0.0);
        for (std::size_t m = S.size(); m-- > 0;) {
            alpha[m] = rho[m] * dot(S[m], d);
            for (std::size_t k = 0; k < n; ++k) d[k] -= alpha[m] * Y[m][k];
        }
        const double gamma = S.empty() ? 1.0 : dot(S.back(), Y.back()) / dot(Y.back(), Y.back());
        for (double& v : d) v *= gamma;
        for (std::size_t m = 0; m < S.size(); ++m) {
            const double b = rho[m] * dot(Y[m], d);
            for (std::size_t k = 0; k < n; ++k) d[k] += (alpha[m] - b) * S[m][k];
        }
        for (double& v : d) v = -v;
        double slope = dot(g, d);
        if (!(slope < 0.0)) {  // not a descent direction: restart from steepest descent
            S.clear(); Y.clear(); rho.clear();
            for (std::size_t k = 0; k < n; ++k) d[k] = -g[k];
            slope = -gnorm * gnorm;
        }
        double step = S.empty() ? 1.0 / gnorm : 1.0;
        double ft = 0.0;
        bool accepted = false;
        for (int ls = 0; ls < 60; ++ls) {
            for (std::size_t k = 0; k < n; ++k) xt[k] = x[k] + step * d[k];
            ft = f(xt, gt);
            ++rep.evaluations;
            if (std::isfinite(ft) && ft <= fx + o.armijo * step * slope) { accepted = true; break; }
            step *= 0.5;
        }
        if (!accepted) { rep.stop = "line search failed"; break; }
        std::vector<double> s(n), y(n);
        for (std::size_t k = 0; k < n; ++k) {
            s[k] = xt[k] - x[k];
            y[k] = gt[k] - g[k];
        }
        const double sy = dot(s, y);
        if (sy > 1e-12 * std::sqrt(dot(s, s) * dot(y, y))) {
            if (S.size() == o.memory) {
                S.erase(S.begin()); Y.erase(Y.begin()); rho.erase(rho.begin());
            }
            S.push_back(std::move(s)); Y.push_back(std::move(y)); rho.push_back(1.0 / sy);
        }
        x.swap(xt);
        g.swap(gt);
        fx = ft;
        rep.iterations = it + 1;
        if (on_iteration) on_iteration(it + 1, fx);
    }
    if (rep.stop.empty()) rep.stop = "iterations";
    rep.loss = fx;
    return rep;
}

// ---------------------------------------------------------------------------------------------------------
// The trainer.

/// Settings of a 4G fit.
struct Trainer4GOptions {
    double test_fraction = 0.1;        ///< n2p2's `test_fraction`
    std::uint32_t random_seed = 1;     ///< n2p2's `random_seed` (the split, n2p2_test_selection)
    bool use_set_labels = true;        ///< structures with set "train" or "test" keep it; draws for the rest (n2p2)
    bool use_forces = true;            ///< stage 2 fits forces too (`use_short_forces`)
    double force_weight = 1.0;         ///< beta of L2 [length^2]
};

/// Charge errors of a set of structures.
struct ChargeErrors {
    double rmse = std::numeric_limits<double>::quiet_NaN();  ///< sqrt(mean over atoms (Q - Q_ref)^2) [e]
    std::size_t structures = 0, atoms = 0;
};

/// What the trained model predicts for one structure (after prepare_short()).
struct Prediction4G {
    std::vector<double> charges;  ///< shape (N) [e]
    double energy = 0.0;          ///< [energy]
    std::vector<Vec3> forces;     ///< shape (N, 3) [energy/length]
};

namespace detail_train4g {

/// One cached structure.
struct Cached {
    std::size_t n = 0;
    std::vector<int> element;
    std::vector<std::size_t> xoff;   // (n + 1) offsets into x
    std::vector<double> x;           // scaled functions of all atoms
    std::vector<std::size_t> nboff;  // (n + 1) offsets into nb
    std::vector<std::uint32_t> nb;   // neighbour atoms
    std::vector<std::size_t> joff;   // (n + 1) offsets into jac
    std::vector<double> jac;         // per atom [s][n][3]: factor_s dG_s/dd_n
    std::vector<double> C;           // Coulomb matrix, shape (n, n) [energy/e^2]
    std::vector<double> q_ref;       // shape (n) [e]
    double q_tot = 0.0, e_ref = 0.0;
    std::vector<Vec3> f_ref;
    // stage 2 (prepare_short)
    std::vector<double> Q;           // shape (n) charges [e]
    std::vector<double> x2;          // short-network inputs: scaled functions, then Q conv_charge, per atom
    std::vector<std::size_t> x2off;  // (n + 1)
    double e_fix = 0.0;              // E_elec + offsets
    std::vector<Vec3> f_fix;         // -dE_elec/dR (total)
    std::vector<Vec3> D;             // shape (n, n): D[i * n + k] = dQ_i/dR_k [e/length]
};

}  // namespace detail_train4g

/// Fits a 4G model in n2p2's two stages (see the file comment).
class Trainer4G {
public:
    /// Takes a 4G model (scaling final, weights initialised) and the data (reference charges for stage 1,
    /// energies (and forces) for stage 2). Splits and caches. Throws Error for unusable input.
    Trainer4G(Model model, std::vector<Structure> structures, Trainer4GOptions options)
        : model_(std::move(model)), structures_(std::move(structures)), opt_(options) {
        if (model_.generation != Generation::fourth) throw Error("Trainer4G: the model is not a 4G model");
        if (structures_.empty()) throw Error("Trainer4G: no structures");
        for (const ElementModel& em : model_.elements) {
            if (em.electronegativity.n_outputs() != 1 || em.network.n_outputs() != 1)
                throw Error("Trainer4G: the networks of element " + em.symbol + " must have one output");
            chi_off_.push_back(n_chi_);
            n_chi_ += network_passes::parameter_count(em.electronegativity);
            short_off_.push_back(n_short_);
            n_short_ += network_passes::parameter_count(em.network);
        }
        split();
        build_cache();
    }

    const Model& model() const { return model_; }
    const std::vector<Structure>& structures() const { return structures_; }
    const std::vector<std::size_t>& train_indices() const { return train_; }
    const std::vector<std::size_t>& test_indices() const { return test_; }
    bool short_prepared() const { return prepared_; }

    // ----- stage 1

    /// Number of stage-1 parameters: chi network weights of all elements, then one sqrt(J) per element.
    std::size_t n_charge_parameters() const { return n_chi_ + model_.elements.size(); }
    std::vector<double> charge_parameters() const {
        std::vector<double> p(n_charge_parameters());
        for (std::size_t e = 0; e < model_.elements.size(); ++e) {
            network_passes::get_parameters(model_.elements[e].electronegativity, p.data() + chi_off_[e]);
            p[n_chi_ + e] = std::sqrt(model_.elements[e].hardness);
        }
        return p;
    }
    /// Sets the stage-1 parameters (layout of charge_parameters()); invalidates prepare_short().
    void set_charge_parameters(const std::vector<double>& p) {
        if (p.size() != n_charge_parameters())
            throw Error("Trainer4G::set_charge_parameters: " + std::to_string(p.size()) + " values for " +
                        std::to_string(n_charge_parameters()) + " parameters");
        for (std::size_t e = 0; e < model_.elements.size(); ++e) {
            network_passes::set_parameters(model_.elements[e].electronegativity, p.data() + chi_off_[e]);
            model_.elements[e].hardness = p[n_chi_ + e] * p[n_chi_ + e];
        }
        prepared_ = false;
    }

    /// L1 over the structures `ids` and, if gradient is not null, dL1/dp (layout of charge_parameters()).
    double charge_loss(const std::vector<std::size_t>& ids, std::vector<double>* gradient = nullptr) const {
        std::size_t atoms = 0;
        for (std::size_t k : ids) atoms += cached(k).n;
        if (atoms == 0) return 0.0;
        const double c = 1.0 / static_cast<double>(atoms);
        return sum_structures(ids, gradient, n_charge_parameters(),
                              [&](std::size_t k, detail_train::Work& w, double* g) { return structure_charge_loss(cache_[k], c, w, g); });
    }

    /// Charge RMSE per atom over the structures `ids`.
    ChargeErrors charge_errors(const std::vector<std::size_t>& ids) const {
        ChargeErrors r;
        r.structures = ids.size();
        for (std::size_t k : ids) r.atoms += cached(k).n;
        if (r.atoms > 0) r.rmse = std::sqrt(charge_loss(ids));
        return r;
    }

    /// Charges of structure k under the current stage-1 parameters (shape (N)) [e].
    std::vector<double> predict_charges(std::size_t k) const {
        detail_train::Work w;
        std::vector<double> Q, chi;
        DenseQeqSolver solver;
        double lambda = 0.0;
        equilibrate(cached(k), w, Q, chi, solver, lambda);
        return Q;
    }

    /// Stage 1: L-BFGS on L1 over the training set from the current parameters.
    LbfgsReport fit_charges(const LbfgsOptions& o, const std::function<void(std::size_t, double)>& on_iteration = {}) {
        std::vector<double> p = charge_parameters();
        const LbfgsReport r = lbfgs_minimize(
            [&](const std::vector<double>& q, std::vector<double>& g) {
                set_charge_parameters(q);
                return charge_loss(train_, &g);
            },
            p, o, on_iteration);
        set_charge_parameters(p);
        return r;
    }

    // ----- stage 2

    /// Freezes stage 1: charges, E_elec, electrostatic forces and dQ/dR of every structure.
    void prepare_short() {
        run_structures([&](std::size_t k) { prepare_structure(k); });
        prepared_ = true;
    }

    /// Number of stage-2 parameters: the short-range network weights of all elements.
    std::size_t n_short_parameters() const { return n_short_; }
    std::vector<double> short_parameters() const {
        std::vector<double> p(n_short_);
        for (std::size_t e = 0; e < model_.elements.size(); ++e) network_passes::get_parameters(model_.elements[e].network, p.data() + short_off_[e]);
        return p;
    }
    void set_short_parameters(const std::vector<double>& p) {
        if (p.size() != n_short_)
            throw Error("Trainer4G::set_short_parameters: " + std::to_string(p.size()) + " values for " +
                        std::to_string(n_short_) + " parameters");
        for (std::size_t e = 0; e < model_.elements.size(); ++e) network_passes::set_parameters(model_.elements[e].network, p.data() + short_off_[e]);
    }

    /// L2 over the structures `ids` and, if gradient is not null, dL2/dw (layout of short_parameters()).
    /// Needs prepare_short().
    double short_loss(const std::vector<std::size_t>& ids, std::vector<double>* gradient = nullptr) const {
        require_prepared();
        std::size_t atoms = 0;
        for (std::size_t k : ids) atoms += cached(k).n;
        if (ids.empty()) return 0.0;
        const double cE = 1.0 / static_cast<double>(ids.size());
        const double cF = opt_.use_forces ? opt_.force_weight / static_cast<double>(3 * atoms) : 0.0;
        return sum_structures(ids, gradient, n_short_, [&](std::size_t k, detail_train::Work& w, double* g) {
            return structure_short_loss(cache_[k], cE, cF, w, g);
        });
    }

    /// Energy RMSE per atom and force RMSE per component over `ids` (needs prepare_short()).
    Errors short_errors(const std::vector<std::size_t>& ids) const {
        require_prepared();
        Errors r;
        double se = 0.0, sf = 0.0;
        detail_train::Work w;
        for (std::size_t k : ids) {
            const detail_train4g::Cached& c = cached(k);
            std::vector<Vec3> F;
            const double de = (predict_short(c, w, &F) - c.e_ref) / static_cast<double>(c.n);
            se += de * de;
            for (std::size_t i = 0; i < c.n; ++i)
                for (int a = 0; a < 3; ++a) sf += (F[i][a] - c.f_ref[i][a]) * (F[i][a] - c.f_ref[i][a]);
            r.atoms += c.n;
        }
        r.structures = ids.size();
        if (r.structures > 0) r.energy_rmse = std::sqrt(se / static_cast<double>(r.structures));
        if (r.atoms > 0) r.force_rmse = std::sqrt(sf / static_cast<double>(3 * r.atoms));
        return r;
    }

    /// Charges, energy and forces of structure k as the model defines them (needs prepare_short()).
    Prediction4G predict(std::size_t k) const {
        require_prepared();
        detail_train::Work w;
        Prediction4G p;
        p.charges = cached(k).Q;
        p.energy = predict_short(cache_[k], w, &p.forces);
        return p;
    }

    /// Shifts the output biases of the short networks (linear output layers) so that the mean energy-per-atom
    /// error over the training set is zero (needs prepare_short()).
    void fit_output_bias() {
        require_prepared();
        double mean = 0.0;
        detail_train::Work w;
        for (std::size_t k : train_) mean += (cache_[k].e_ref - predict_short(cache_[k], w, nullptr)) / static_cast<double>(cache_[k].n);
        mean /= static_cast<double>(train_.size());
        for (ElementModel& em : model_.elements) {
            DenseLayer& L = em.network.layers().back();
            if (L.activation != Activation::linear) continue;
            const double s = em.network.normalize_nodes() ? 1.0 / static_cast<double>(L.n_in) : 1.0;
            L.biases[0] += mean * model_.conv_energy / s;
        }
    }

    /// Stage 2: L-BFGS on L2 over the training set from the current weights (needs prepare_short()).
    LbfgsReport fit_short(const LbfgsOptions& o, const std::function<void(std::size_t, double)>& on_iteration = {}) {
        std::vector<double> p = short_parameters();
        const LbfgsReport r = lbfgs_minimize(
            [&](const std::vector<double>& q, std::vector<double>& g) {
                set_short_parameters(q);
                return short_loss(train_, &g);
            },
            p, o, on_iteration);
        set_short_parameters(p);
        return r;
    }

private:
    const detail_train4g::Cached& cached(std::size_t k) const {
        if (k >= cache_.size()) throw Error("Trainer4G: structure index " + std::to_string(k) + " out of range");
        return cache_[k];
    }
    void require_prepared() const {
        if (!prepared_) throw Error("Trainer4G: call prepare_short() after the charge fit (stage 1) before stage 2");
    }

    /// f(k) for every structure, threaded over structures; the first error is rethrown naming the structure.
    template <class F> void run_structures(F&& f) {
        const long n = static_cast<long>(structures_.size());
        std::string error;
#pragma omp parallel for schedule(dynamic, 1)
        for (long k = 0; k < n; ++k) {
            try {
                f(static_cast<std::size_t>(k));
            } catch (const std::exception& ex) {
#pragma omp critical(hdnnp_trainer4g_error)
                if (error.empty()) error = "structure " + std::to_string(k + 1) + ": " + ex.what();
            }
        }
        if (!error.empty()) throw Error("Trainer4G: " + error);
    }

    /// Sum over ids of term(k, work, g) (and of the per-structure gradients, in the order of ids).
    template <class Term>
    double sum_structures(const std::vector<std::size_t>& ids, std::vector<double>* gradient, std::size_t np, Term&& term) const {
        for (std::size_t k : ids) cached(k);
        if (gradient) gradient->assign(np, 0.0);
        std::vector<double> part(ids.size(), 0.0);
        std::vector<std::vector<double>> grads(gradient ? ids.size() : 0);
        const long n = static_cast<long>(ids.size());
#pragma omp parallel
        {
            detail_train::Work w;
#pragma omp for schedule(dynamic, 1)
            for (long k = 0; k < n; ++k) {
                const std::size_t u = static_cast<std::size_t>(k);
                double* g = nullptr;
                if (gradient) {
                    grads[u].assign(np, 0.0);
                    g = grads[u].data();
                }
                part[u] = term(ids[u], w, g);
            }
        }
        double L = 0.0;
        for (std::size_t k = 0; k < ids.size(); ++k) {
            L += part[k];
            if (gradient)
                for (std::size_t p = 0; p < np; ++p) (*gradient)[p] += grads[k][p];
        }
        return L;
    }

    void split() {
        const std::size_t n = structures_.size();
        const std::vector<bool> test = opt_.use_set_labels
                                           ? n2p2_test_selection(structures_, opt_.test_fraction, opt_.random_seed)
                                           : n2p2_test_selection(n, opt_.test_fraction, opt_.random_seed);
        for (std::size_t k = 0; k < n; ++k) (test[k] ? test_ : train_).push_back(k);
        if (train_.empty()) throw Error("Trainer4G: the training set is empty");
    }

    /// A detail::Frame of structure k (as Potential::frame).
    detail::Frame frame(std::size_t k) const {
        const Structure& s = structures_[k];
        detail::Frame f;
        f.n_all = f.n_local = s.size();
        f.element = cache_[k].element.data();
        f.local_positions = s.positions.data();
        f.periodic = s.periodic;
        f.cell = s.lattice;
        f.total_charge = s.total_charge;
        return f;
    }

    void build_cache() {
        cache_.resize(structures_.size());
        run_structures([&](std::size_t k) { cache_structure(k); });
    }

    void cache_structure(std::size_t k) {
        const Structure& s = structures_[k];
        detail_train4g::Cached& c = cache_[k];
        if (s.periodic && std::abs(s.total_charge) > kNeutrality)
            throw Error("periodic structure with total charge " + std::to_string(s.total_charge) +
                        " (4G periodic structures must be neutral, as in n2p2)");
        if (!s.has_energy) throw Error("no reference energy (input.data `energy` line)");
        if (s.charges.size() != s.size())
            throw Error("no reference charges (input.data atom column 5): " + std::to_string(s.charges.size()) + " values for " +
                        std::to_string(s.size()) + " atoms");
        if (opt_.use_forces && s.forces.size() != s.size())
            throw Error("no reference forces (input.data atom columns 8-10) while use_forces is set");
        const StructureDescriptors d = compute_descriptors(model_, s, true);
        c.n = s.size();
        c.element = d.element;
        c.q_ref = s.charges;
        c.q_tot = s.total_charge;
        c.e_ref = s.energy;
        c.f_ref = s.forces;
        c.f_ref.resize(c.n, Vec3{0, 0, 0});  // only without use_forces (checked above), where they are unused
        c.xoff.assign(1, 0);
        c.nboff.assign(1, 0);
        c.joff.assign(1, 0);
        for (std::size_t i = 0; i < c.n; ++i) {
            const ElementModel& em = model_.elements[static_cast<std::size_t>(c.element[i])];
            const std::size_t ns = d.G[i].size(), nn = d.neighbor_atom[i].size();
            const std::size_t b = c.x.size();
            c.x.resize(b + ns);
            em.scaling.apply(d.G[i].data(), c.x.data() + b);
            c.xoff.push_back(c.x.size());
            c.nb.insert(c.nb.end(), d.neighbor_atom[i].begin(), d.neighbor_atom[i].end());
            c.nboff.push_back(c.nb.size());
            const std::size_t bj = c.jac.size();
            c.jac.resize(bj + ns * nn * 3);
            for (std::size_t f = 0; f < ns; ++f)
                for (std::size_t t = 0; t < nn * 3; ++t) c.jac[bj + f * nn * 3 + t] = em.scaling.factor[f] * d.dG[i][f * nn * 3 + t];
            c.joff.push_back(c.jac.size());
        }
        const GaussianCoulomb op = detail::coulomb_operator(model_, frame(k), nullptr, EwaldBalance::n2p2);
        c.C.resize(c.n * c.n);
        op.dense(c.C.data());
    }

    double chi_unit() const { return model_.conv_charge / model_.conv_energy; }

    /// Electronegativities, the factorised QEq matrix and the charges of a cached structure.
    void equilibrate(const detail_train4g::Cached& c, detail_train::Work& w, std::vector<double>& Q, std::vector<double>& chi,
                     DenseQeqSolver& solver, double& lambda) const {
        const std::size_t n = c.n;
        chi.resize(n);
        std::vector<double> b(n);
        for (std::size_t i = 0; i < n; ++i) {
            chi[i] = network_passes::forward(model_.elements[static_cast<std::size_t>(c.element[i])].electronegativity, c.x.data() + c.xoff[i], nullptr, w) *
                     chi_unit();
            b[i] = -chi[i];
        }
        std::vector<double> A = c.C;
        for (std::size_t i = 0; i < n; ++i) A[i * n + i] += model_.elements[static_cast<std::size_t>(c.element[i])].hardness;
        solver.factorize(std::move(A), n);
        Q.resize(n);
        solver.solve(b.data(), c.q_tot, Q.data(), lambda);
    }

    double structure_charge_loss(const detail_train4g::Cached& c, double scale, detail_train::Work& w, double* g) const {
        const std::size_t n = c.n;
        std::vector<double> Q, chi, r(n), y(n);
        DenseQeqSolver solver;
        double lambda = 0.0, mu = 0.0, L = 0.0;
        equilibrate(c, w, Q, chi, solver, lambda);
        for (std::size_t i = 0; i < n; ++i) {
            const double d = Q[i] - c.q_ref[i];
            L += scale * d * d;
            r[i] = 2.0 * scale * d;
        }
        if (!g) return L;
        solver.solve(r.data(), 0.0, y.data(), mu);
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t e = static_cast<std::size_t>(c.element[i]);
            const Network& net = model_.elements[e].electronegativity;
            const double* x = c.x.data() + c.xoff[i];
            network_passes::forward(net, x, nullptr, w);
            network_passes::reverse(net, x, nullptr, -y[i] * chi_unit(), 0.0, w, g + chi_off_[e]);
            // dL/ds_e = 2 s_e dL/dJ_e, dL/dJ_e = -sum_i y_i Q_i
            g[n_chi_ + e] += -2.0 * std::sqrt(model_.elements[e].hardness) * y[i] * Q[i];
        }
        return L;
    }

    /// Adds d(sum_i z_i chi_i)/dR to grad (shape (n)), with dchi (per atom, shape of x) = dchi_i/dx_i.
    static void add_function_gradient(const detail_train4g::Cached& c, const std::vector<double>& dchi, const double* z,
                                      Vec3* grad) {
        for (std::size_t i = 0; i < c.n; ++i) {
            const std::size_t ns = c.xoff[i + 1] - c.xoff[i], nn = c.nboff[i + 1] - c.nboff[i], m = 3 * nn;
            const double* J = c.jac.data() + c.joff[i];
            for (std::size_t f = 0; f < ns; ++f) {
                const double a = z[i] * dchi[c.xoff[i] + f];
                if (a == 0.0) continue;
                const double* row = J + f * m;
                for (std::size_t t = 0; t < nn; ++t) {
                    const std::size_t j = c.nb[c.nboff[i] + t];
                    for (int q = 0; q < 3; ++q) {
                        grad[j][q] += a * row[3 * t + q];
                        grad[i][q] -= a * row[3 * t + q];
                    }
                }
            }
        }
    }

    void prepare_structure(std::size_t k) {
        detail_train4g::Cached& c = cache_[k];
        const std::size_t n = c.n;
        detail_train::Work w;
        std::vector<double> chi;
        DenseQeqSolver solver;
        double lambda = 0.0, mu = 0.0;
        equilibrate(c, w, c.Q, chi, solver, lambda);
        std::vector<double> dchi(c.x.size());
        for (std::size_t i = 0; i < n; ++i) {
            const Network& net = model_.elements[static_cast<std::size_t>(c.element[i])].electronegativity;
            network_passes::forward(net, c.x.data() + c.xoff[i], nullptr, w);
            network_passes::input_gradient(net, w, dchi.data() + c.xoff[i]);
            for (std::size_t f = c.xoff[i]; f < c.xoff[i + 1]; ++f) dchi[f] *= chi_unit();
        }
        const GaussianCoulomb op = detail::coulomb_operator(model_, frame(k), nullptr, EwaldBalance::n2p2);
        const ScreeningFunction& fs = model_.electrostatics.screening;
        const double wself = ComputeOptions{}.screening_self_image_weight;
        // E_elec and dE_elec/dQ at fixed R.
        std::vector<double> CQ(n, 0.0), dEdQ(n);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) CQ[i] += c.C[i * n + j] * c.Q[j];
        double e_elec = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            e_elec += 0.5 * c.Q[i] * CQ[i];
            dEdQ[i] = CQ[i];
        }
        e_elec += op.screening(fs, wself, c.Q.data(), dEdQ.data(), nullptr, nullptr);
        c.e_fix = e_elec;
        for (std::size_t i = 0; i < n; ++i)
            c.e_fix += model_.mean_energy + model_.elements[static_cast<std::size_t>(c.element[i])].atom_energy;
        // Gradient of 1/2 Q^T C Q + E_s at fixed Q (the base of every z^T C Q gradient below).
        std::vector<Vec3> base(n, Vec3{0, 0, 0}), gz(n);
        Mat3 virial{};
        op.add_gradient(c.Q.data(), nullptr, base.data(), virial);
        // D row j: dQ_j/dR = -(d/dR [z^T C Q] + sum_i z_i dchi_i/dR), z = P e_j.
        c.D.assign(n * n, Vec3{0, 0, 0});
        std::vector<double> e(n, 0.0), z(n);
        for (std::size_t j = 0; j < n; ++j) {
            e[j] = 1.0;
            solver.solve(e.data(), 0.0, z.data(), mu);
            e[j] = 0.0;
            std::fill(gz.begin(), gz.end(), Vec3{0, 0, 0});
            op.add_gradient(c.Q.data(), z.data(), gz.data(), virial);
            for (std::size_t a = 0; a < n; ++a) gz[a] -= base[a];
            add_function_gradient(c, dchi, z.data(), gz.data());
            for (std::size_t a = 0; a < n; ++a) c.D[j * n + a] = -1.0 * gz[a];
        }
        // F_fix = -dE_elec/dR|_Q - D^T dE_elec/dQ.
        std::vector<Vec3> grad = base;
        op.screening(fs, wself, c.Q.data(), nullptr, grad.data(), &virial);
        c.f_fix.assign(n, Vec3{0, 0, 0});
        for (std::size_t a = 0; a < n; ++a) {
            Vec3 f = -1.0 * grad[a];
            for (std::size_t j = 0; j < n; ++j) f -= dEdQ[j] * c.D[j * n + a];
            c.f_fix[a] = f;
        }
        // Short-network inputs.
        c.x2.clear();
        c.x2off.assign(1, 0);
        for (std::size_t i = 0; i < n; ++i) {
            c.x2.insert(c.x2.end(), c.x.begin() + static_cast<long>(c.xoff[i]), c.x.begin() + static_cast<long>(c.xoff[i + 1]));
            c.x2.push_back(c.Q[i] * model_.conv_charge);
            c.x2off.push_back(c.x2.size());
        }
    }

    /// Energy of a prepared structure; with F also the forces (shape (n)).
    double predict_short(const detail_train4g::Cached& c, detail_train::Work& w, std::vector<Vec3>* F) const {
        const double inv_ce = 1.0 / model_.conv_energy, cq = model_.conv_charge;
        const std::size_t n = c.n;
        double e = 0.0;
        if (F) *F = c.f_fix;
        std::vector<double> a;
        for (std::size_t i = 0; i < n; ++i) {
            const Network& net = model_.elements[static_cast<std::size_t>(c.element[i])].network;
            e += network_passes::forward(net, c.x2.data() + c.x2off[i], nullptr, w);
            if (!F) continue;
            const std::size_t ns = c.xoff[i + 1] - c.xoff[i], nn = c.nboff[i + 1] - c.nboff[i], m = 3 * nn;
            a.resize(ns + 1);
            network_passes::input_gradient(net, w, a.data());
            const double* J = c.jac.data() + c.joff[i];
            for (std::size_t f = 0; f < ns; ++f) {
                const double af = a[f] * inv_ce;
                const double* row = J + f * m;
                for (std::size_t t = 0; t < nn; ++t) {
                    const std::size_t j = c.nb[c.nboff[i] + t];
                    for (int q = 0; q < 3; ++q) {
                        (*F)[i][q] += af * row[3 * t + q];
                        (*F)[j][q] -= af * row[3 * t + q];
                    }
                }
            }
            const double aq = a[ns] * inv_ce * cq;
            for (std::size_t k = 0; k < n; ++k) (*F)[k] -= aq * c.D[i * n + k];
        }
        return e * inv_ce + c.e_fix;
    }

    double structure_short_loss(const detail_train4g::Cached& c, double cE, double cF, detail_train::Work& w, double* g) const {
        const bool forces = opt_.use_forces;
        const double inv_ce = 1.0 / model_.conv_energy, cq = model_.conv_charge;
        const std::size_t n = c.n;
        std::vector<Vec3> F;
        const double r = (predict_short(c, w, forces ? &F : nullptr) - c.e_ref) / static_cast<double>(n);
        double L = cE * r * r;
        std::vector<Vec3> A(forces ? n : 0);
        for (std::size_t j = 0; j < A.size(); ++j)
            for (int q = 0; q < 3; ++q) {
                const double d = F[j][q] - c.f_ref[j][q];
                L += cF * d * d;
                A[j][q] = 2.0 * cF * d;
            }
        if (!g) return L;
        const double aE = 2.0 * cE * r / static_cast<double>(n) * inv_ce;
        std::vector<double> v, gn;
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t e = static_cast<std::size_t>(c.element[i]);
            const Network& net = model_.elements[e].network;
            const double* x = c.x2.data() + c.x2off[i];
            const double* xd = nullptr;
            if (forces) {
                const std::size_t ns = c.xoff[i + 1] - c.xoff[i], nn = c.nboff[i + 1] - c.nboff[i], m = 3 * nn;
                const double* J = c.jac.data() + c.joff[i];
                gn.resize(m);
                for (std::size_t t = 0; t < nn; ++t) {
                    const Vec3& Aj = A[c.nb[c.nboff[i] + t]];
                    for (int q = 0; q < 3; ++q) gn[3 * t + q] = A[i][q] - Aj[q];
                }
                v.resize(ns + 1);
                for (std::size_t f = 0; f < ns; ++f) {
                    const double* row = J + f * m;
                    double s = 0.0;
                    for (std::size_t t = 0; t < m; ++t) s += gn[t] * row[t];
                    v[f] = s * inv_ce;
                }
                double s = 0.0;
                for (std::size_t k = 0; k < n; ++k) s += dot(A[k], c.D[i * n + k]);
                v[ns] = -s * inv_ce * cq;
                xd = v.data();
            }
            network_passes::forward(net, x, xd, w);
            network_passes::reverse(net, x, xd, aE, 1.0, w, g + short_off_[e]);
        }
        return L;
    }

    Model model_;
    std::vector<Structure> structures_;
    Trainer4GOptions opt_;
    std::vector<detail_train4g::Cached> cache_;
    std::vector<std::size_t> train_, test_;
    std::vector<std::size_t> chi_off_, short_off_;  // per element: first parameter of its network block
    std::size_t n_chi_ = 0, n_short_ = 0;
    bool prepared_ = false;
};

}  // namespace hdnnp::training
