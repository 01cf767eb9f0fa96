// hdnnp: loading n2p2 / RuNNer model directories (input.nn, scaling.data, weights.ZZZ.data; for 4G
// models also weightse.ZZZ.data and hardness.ZZZ.data).
//
//   Model load_n2p2_model(dir)                      // reads dir/input.nn, dir/scaling.data, dir/weights.ZZZ.data
//   Model parse_n2p2_model(input_nn, scaling, weights_of_element, names)   // from streams (tests)
//   Model parse_n2p2_model(..., weights_of_element, files_4g)               // 4G: weightse / hardness streams
//
// 4G keywords (nnp_type 4): `global_hidden_layers_electrostatic`, `global_nodes_electrostatic`,
// `global_activation_electrostatic` (and the `element_*_electrostatic` overrides, with the rules of the
// `_short` ones) for the electronegativity networks (input: the scaled symmetry functions);
// `fixed_gausswidth El sigma` once per element; `screen_electrostatics r_in r_out [c|p1|p2|p3|p4|e]`;
// `ewald_truncation_error_method 0|1` (default 0); `ewald_prec eps` (method 0, 0 < eps < 1) or
// `ewald_prec eps_F q_max [r_c]` (method 1); `four_pi_epsilon` (default 1). The short-range networks get
// one more input (the charge, last). hardness.ZZZ.data holds exactly one number [energy/e^2, physical
// units]. A 4G scaling.data may end with one two-number line (nnp-scaling's energy-per-atom range), which
// is skipped as n2p2 does.
//
// 3G keywords (nnp_type 3 or 3G-HDNNP; hdnnp's own format, n2p2 has no 3G): the `_electrostatic`
// architecture keywords as for 4G, here for the charge networks (weightse.ZZZ.data; input: the scaled
// symmetry functions; output: the charge q conv_charge). The short-range networks take only the symmetry
// functions (a weights file sized for one more input is refused with a message saying so).
// `electrostatic_charges point|gaussian` (default: gaussian if every element has a `fixed_gausswidth`,
// point if none has; widths for only some elements are an error); `total_charge_scheme none|uniform`
// (default uniform); `four_pi_epsilon`, `screen_electrostatics`, `ewald_truncation_error_method` and
// `ewald_prec` (required) as for 4G. No hardness files.
//
// Every inconsistency is a ParseError "FILE:LINE: what was expected": unknown or repeated keywords that
// n2p2 would reject, malformed numbers, unknown elements, symmetry functions with wrong parameter counts
// or impossible parameters, scaling lines that do not match the sorted functions, weight counts that do
// not match the architecture, missing files. The format rules (ordering traps included) are in
// docs/file-formats.md.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "hdnnp/core/error.hpp"
#include "hdnnp/potential/model.hpp"
#include "hdnnp/descriptors/compact.hpp"
#include "hdnnp/core/parse.hpp"
#include "hdnnp/io/limits.hpp"

namespace hdnnp::io {

namespace detail_model {

struct Line {
    std::size_t number;
    std::vector<std::string> words;  // keyword first
};

/// input.nn as keyword -> lines (comments stripped: '#' and '!' start a comment anywhere).
struct Settings {
    std::string file;
    std::map<std::string, std::vector<Line>> entries;

    const Line* get(const std::string& k) const {
        auto it = entries.find(k);
        return it == entries.end() ? nullptr : &it->second.front();
    }
    const std::vector<Line>& all(const std::string& k) const {
        static const std::vector<Line> none;
        auto it = entries.find(k);
        return it == entries.end() ? none : it->second;
    }
    bool has(const std::string& k) const { return entries.count(k) != 0; }
    [[noreturn]] void fail(std::size_t line, const std::string& msg) const { throw ParseError(file, line, msg); }

    double number(const Line& l, std::size_t i, const std::string& what) const {
        if (i >= l.words.size()) fail(l.number, "'" + l.words[0] + "' needs " + what + " (missing value)");
        double v;
        if (!hdnnp::detail::parse_double(l.words[i], v))
            fail(l.number, "'" + l.words[0] + "': expected a number for " + what + ", got '" + l.words[i] + "'");
        return v;
    }
    long integer(const Line& l, std::size_t i, const std::string& what) const {
        if (i >= l.words.size()) fail(l.number, "'" + l.words[0] + "' needs " + what + " (missing value)");
        long v;
        if (!hdnnp::detail::parse_int(l.words[i], v))
            fail(l.number, "'" + l.words[0] + "': expected an integer for " + what + ", got '" + l.words[i] + "'");
        return v;
    }
    const Line& require(const std::string& k) const {
        const Line* l = get(k);
        if (!l) fail(0, "required keyword '" + k + "' is missing");
        return *l;
    }
};

inline std::string canonical_keyword(const std::string& k) {
    if (k == "symfunction") return "symfunction_short";
    if (k == "nnp_generation" || k == "nnp_type_gen" || k == "nnp_gen") return "nnp_type";
    return k;
}

inline Settings read_settings(std::istream& in, const std::string& file) {
    // As n2p2: `element_nodes_electrostatic` may appear only once (one element can be overridden).
    static const std::set<std::string> repeatable = {"symfunction_short", "atom_energy", "element_nodes_short",
                                                     "fixed_gausswidth", "initial_hardness"};
    Settings s;
    s.file = file;
    std::string raw;
    std::size_t n = 0;
    while (std::getline(in, raw)) {
        ++n;
        const std::size_t c = raw.find_first_of("#!");
        if (c != std::string::npos) raw.erase(c);
        Line l{n, hdnnp::detail::split_words(raw)};
        if (l.words.empty()) continue;
        l.words[0] = canonical_keyword(l.words[0]);
        auto& v = s.entries[l.words[0]];
        if (!v.empty() && !repeatable.count(l.words[0]))
            s.fail(n, "keyword '" + l.words[0] + "' given twice (first on line " + std::to_string(v.front().number) + ")");
        v.push_back(std::move(l));
    }
    return s;
}

inline std::size_t n_values(int type) {
    switch (type) {
        case 2: return 4;    // e1 eta rs rc
        case 3: case 9: return 6;  // e1 e2 eta lambda zeta rc [rs]
        case 12: return 3;   // eta rs rc
        case 13: return 5;   // eta rs lambda zeta rc
        case 20: return 4;   // e1 rl rc sub
        case 21: case 22: return 7;  // e1 e2 rl rc left right sub
        case 23: return 3;   // rl rc sub
        case 24: case 25: return 5;  // rl rc left right sub
        default: return 0;
    }
}

inline const char* usage(int type) {
    switch (type) {
        case 2: return "e 2 e1 eta rs rc";
        case 3: return "e 3 e1 e2 eta lambda zeta rc [rs]";
        case 9: return "e 9 e1 e2 eta lambda zeta rc [rs]";
        case 12: return "e 12 eta rs rc";
        case 13: return "e 13 eta rs lambda zeta rc";
        case 20: return "e 20 e1 rl rc subtype";
        case 21: return "e 21 e1 e2 rl rc angle_left angle_right subtype";
        case 22: return "e 22 e1 e2 rl rc angle_left angle_right subtype";
        case 23: return "e 23 rl rc subtype";
        case 24: return "e 24 rl rc angle_left angle_right subtype";
        default: return "e 25 rl rc angle_left angle_right subtype";
    }
}

// ------------------------------------------------------------------------------------------------
// One reader per input.nn section, per file and per kind of line. parse_n2p2_model calls them in this
// order, which is also the order in which problems are reported when a model has several.

/// Index of the element named by word i of l; an error if the word is missing or not in m's elements.
inline int element_of(const Settings& S, const Model& m, const Line& l, std::size_t i) {
    if (i >= l.words.size()) S.fail(l.number, "missing element symbol");
    const int e = m.element_index(l.words[i]);
    if (e < 0) S.fail(l.number, "element '" + l.words[i] + "' is not in the 'elements' list of this model");
    return e;
}

/// `nnp_type` (and its aliases): the generation (default 2G); Q-HDNNP and unknown values are refused.
inline void read_generation(const Settings& S, Model& m) {
    const Line* l = S.get("nnp_type");
    if (!l) return;
    if (l->words.size() != 2)
        S.fail(l->number, "'nnp_type' takes one value (2, 3, 4, 10, 2G-HDNNP, 3G-HDNNP, 4G-HDNNP or Q-HDNNP)");
    const std::string& v = l->words[1];
    if (v == "2" || v == "2G-HDNNP") m.generation = Generation::second;
    else if (v == "3" || v == "3G-HDNNP") m.generation = Generation::third;
    else if (v == "4" || v == "4G-HDNNP") m.generation = Generation::fourth;
    else if (v == "10" || v == "Q-HDNNP") m.generation = Generation::charge;
    else S.fail(l->number, "unknown nnp_type '" + v + "' (expected 2, 3, 4, 10, 2G-HDNNP, 3G-HDNNP, 4G-HDNNP or Q-HDNNP)");
    if (m.generation == Generation::charge)
        S.fail(l->number, "nnp_type " + v +
                              " (Q-HDNNP) is not supported by this version (2G-HDNNP, 3G-HDNNP and 4G-HDNNP models load)");
}

/// `number_of_elements` and `elements`: m.elements in ascending atomic number, symbols as written.
inline void read_elements(const Settings& S, Model& m) {
    const Line& ne_line = S.require("number_of_elements");
    const long ne = S.integer(ne_line, 1, "the number of elements");
    const Line& el_line = S.require("elements");
    if (ne < 1) S.fail(ne_line.number, "number_of_elements must be at least 1");
    if (ne > limits::max_elements)
        S.fail(ne_line.number, "number_of_elements " + std::to_string(ne) + " exceeds the limit of " +
                                   std::to_string(limits::max_elements) + " elements (hdnnp::io::limits::max_elements)");
    if (static_cast<long>(el_line.words.size()) - 1 != ne)
        S.fail(el_line.number, "'elements' lists " + std::to_string(el_line.words.size() - 1) + " elements but number_of_elements is " +
                                   std::to_string(ne));
    std::vector<std::pair<int, std::string>> zs;
    for (std::size_t i = 1; i < el_line.words.size(); ++i) {
        const int z = atomic_number(el_line.words[i]);
        if (z == 0) S.fail(el_line.number, "unknown element symbol '" + el_line.words[i] + "'");
        for (const auto& p : zs)
            if (p.first == z) S.fail(el_line.number, "element '" + el_line.words[i] + "' listed twice");
        zs.emplace_back(z, el_line.words[i]);
    }
    std::sort(zs.begin(), zs.end());
    m.elements.resize(zs.size());
    for (std::size_t e = 0; e < zs.size(); ++e) {
        m.elements[e].atomic_number = zs[e].first;
        m.elements[e].symbol = zs[e].second;
    }
}

/// `cutoff_type n [alpha]`; returns the inner shift the symmetry functions use (0 for types that ignore it).
inline double read_cutoff(const Settings& S, Model& m) {
    const Line& ct = S.require("cutoff_type");
    if (ct.words.size() < 2 || ct.words.size() > 3) S.fail(ct.number, "'cutoff_type' takes a type (0..8) and an optional alpha");
    const long type = S.integer(ct, 1, "the cutoff type");  // range checked before the narrowing to int
    if (type < 0 || type > 8) S.fail(ct.number, "unknown cutoff_type " + ct.words[1] + " (expected 0..8)");
    m.cutoff_type = static_cast<int>(type);
    m.cutoff = make_cutoff(m.cutoff_type);
    if (ct.words.size() == 3) {
        m.cutoff_alpha = S.number(ct, 2, "the cutoff shift alpha");
        if (m.cutoff_alpha < 0.0 || m.cutoff_alpha >= 1.0) S.fail(ct.number, "cutoff alpha must satisfy 0 <= alpha < 1, got " + ct.words[2]);
        if (!cutoff_uses_alpha(m.cutoff_type) && m.cutoff_alpha != 0.0) {
            m.warnings.push_back(S.file + ":" + std::to_string(ct.number) + ": cutoff type " + ct.words[1] +
                                 " ignores the inner shift alpha");
        }
    }
    return cutoff_uses_alpha(m.cutoff_type) ? m.cutoff_alpha : 0.0;
}

/// `mean_energy`, `conv_energy`, `conv_length` (all three or none) and `conv_charge` (only with them).
inline void read_normalisation(const Settings& S, Model& m) {
    const bool has_mean = S.has("mean_energy"), has_ce = S.has("conv_energy"), has_cl = S.has("conv_length");
    if (has_mean || has_ce || has_cl) {
        if (!(has_mean && has_ce && has_cl)) {
            const Line* l = S.get(has_mean ? "mean_energy" : has_ce ? "conv_energy" : "conv_length");
            S.fail(l->number, "normalization needs all three of mean_energy, conv_energy and conv_length");
        }
        m.normalized = true;
        m.mean_energy = S.number(*S.get("mean_energy"), 1, "the mean energy per atom");
        m.conv_energy = S.number(*S.get("conv_energy"), 1, "the energy conversion factor");
        m.conv_length = S.number(*S.get("conv_length"), 1, "the length conversion factor");
        if (!(m.conv_energy > 0.0)) S.fail(S.get("conv_energy")->number, "conv_energy must be positive");
        if (!(m.conv_length > 0.0)) S.fail(S.get("conv_length")->number, "conv_length must be positive");
        if (const Line* l = S.get("conv_charge")) m.conv_charge = S.number(*l, 1, "the charge conversion factor");
    } else if (const Line* l = S.get("conv_charge")) {
        S.fail(l->number, "conv_charge given without mean_energy, conv_energy and conv_length");
    }
}

/// `atom_energy El E0` lines: the per-atom energy offsets.
inline void read_atom_energies(const Settings& S, Model& m) {
    for (const Line& l : S.all("atom_energy")) {
        if (l.words.size() != 3) S.fail(l.number, "'atom_energy' expects: atom_energy Element energy");
        const int e = element_of(S, m, l, 1);
        m.elements[static_cast<std::size_t>(e)].atom_energy = S.number(l, 2, "the atom energy");
    }
}

/// The scaling mode (`scale_symmetry_functions`, `center_symmetry_functions`, `..._sigma`) and
/// `scale_min_short` / `scale_max_short`.
inline void read_scaling_mode(const Settings& S, Model& m) {
    const bool sc = S.has("scale_symmetry_functions"), ce = S.has("center_symmetry_functions"),
               sg = S.has("scale_symmetry_functions_sigma");
    if (sc && ce) m.scaling_mode = ScalingMode::scale_center;
    else if (sc) m.scaling_mode = ScalingMode::scale;
    else if (ce) m.scaling_mode = ScalingMode::center;
    else if (sg) m.scaling_mode = ScalingMode::sigma;
    else {
        m.scaling_mode = ScalingMode::none;
        m.warnings.push_back(S.file + ": no symmetry function scaling keyword; functions enter the networks unscaled");
    }
    if (const Line* l = S.get("scale_min_short")) m.scale_min = S.number(*l, 1, "scale_min_short");
    if (const Line* l = S.get("scale_max_short")) m.scale_max = S.number(*l, 1, "scale_max_short");
}

/// One `symfunction_short` line: parameters by type, angular neighbours swapped to e1 <= e2, values checked.
inline SymFnSpec read_symmetry_function(const Settings& S, const Model& m, const Line& l) {
    if (l.words.size() < 3) S.fail(l.number, "'symfunction_short' expects: element type parameters...");
    SymFnSpec f;
    f.line = l.number;
    f.element = element_of(S, m, l, 1);
    long type;
    if (!hdnnp::detail::parse_int(l.words[2], type))
        S.fail(l.number, "symmetry function type must be an integer, got '" + l.words[2] + "'");
    f.type = type >= 0 && type <= 25 ? static_cast<int>(type) : 0;  // 0: unknown (no narrowing of e.g. 2^32 + 2 to 2)
    const std::size_t nv = n_values(f.type);
    if (nv == 0)
        S.fail(l.number, "unknown symmetry function type " + l.words[2] + " (expected 2, 3, 9, 12, 13 or 20-25)");
    const std::size_t given = l.words.size() - 3;
    const bool optional_rs = (f.type == 3 || f.type == 9) && given == nv + 1;
    if (given != nv && !optional_rs)
        S.fail(l.number, "symmetry function type " + l.words[2] + " expects " + std::to_string(nv) +
                             " parameters (" + usage(f.type) + "), got " + std::to_string(given));
    std::size_t i = 3;
    auto num = [&](const char* what) { return S.number(l, i++, what); };
    auto elem = [&]() { return element_of(S, m, l, i++); };
    switch (f.type) {
        case 2: f.e1 = elem(); f.eta = num("eta"); f.rs = num("rs"); f.rc = num("rc"); break;
        case 3:
        case 9:
            f.e1 = elem(); f.e2 = elem();
            f.eta = num("eta"); f.lambda = num("lambda"); f.zeta = num("zeta"); f.rc = num("rc");
            if (optional_rs) f.rs = num("rs");
            break;
        case 12: f.eta = num("eta"); f.rs = num("rs"); f.rc = num("rc"); break;
        case 13: f.eta = num("eta"); f.rs = num("rs"); f.lambda = num("lambda"); f.zeta = num("zeta"); f.rc = num("rc"); break;
        case 20: f.e1 = elem(); f.rl = num("rl"); f.rc = num("rc"); f.subtype = l.words[i++]; break;
        case 21:
        case 22:
            f.e1 = elem(); f.e2 = elem();
            f.rl = num("rl"); f.rc = num("rc"); f.left = num("angle_left"); f.right = num("angle_right");
            f.subtype = l.words[i++];
            break;
        case 23: f.rl = num("rl"); f.rc = num("rc"); f.subtype = l.words[i++]; break;
        default:
            f.rl = num("rl"); f.rc = num("rc"); f.left = num("angle_left"); f.right = num("angle_right");
            f.subtype = l.words[i++];
            break;
    }
    if (f.e2 >= 0 && f.e2 < f.e1) std::swap(f.e1, f.e2);
    if (!(f.rc > 0.0)) S.fail(l.number, "cutoff radius rc must be positive, got " + std::to_string(f.rc));
    if (!f.is_compact()) {
        if (f.eta < 0.0) S.fail(l.number, "eta must not be negative");
        // zeta < 0 is accepted as n2p2 does (the AlAuMgO 4G reference model uses zeta = -1, -2):
        // (1 + lambda cos)^zeta is evaluated only where 1 + lambda cos > 0.
    } else {
        try {
            CompactCore core; bool asym;
            parse_compact_subtype(f.subtype, core, asym);
        } catch (const Error& e) {
            S.fail(l.number, e.what());
        }
        if (!(f.rl < f.rc)) S.fail(l.number, "compact function needs rl < rc");
        if (f.is_angular()) {
            const double centre = 0.5 * (f.left + f.right);
            if (!(f.left < f.right)) S.fail(l.number, "angular window needs angle_left < angle_right");
            if (f.left < 0.0 && centre != 0.0) S.fail(l.number, "angle_left < 0 is allowed only for a window centred at 0 degrees");
            if (f.right > 180.0 && centre != 180.0)
                S.fail(l.number, "angle_right > 180 is allowed only for a window centred at 180 degrees");
            if (f.right - f.left > 360.0) S.fail(l.number, "angular window wider than 360 degrees");
        }
    }
    return f;
}

/// Every `symfunction_short` line, per element in n2p2's sorted (network input) order; every element needs one.
inline std::vector<std::vector<SymFnSpec>> read_symmetry_functions(const Settings& S, const Model& m) {
    std::vector<std::vector<SymFnSpec>> sfs(m.elements.size());
    for (const Line& l : S.all("symfunction_short")) {
        SymFnSpec f = read_symmetry_function(S, m, l);
        if (sfs[static_cast<std::size_t>(f.element)].size() == limits::max_symmetry_functions)
            S.fail(l.number, "element " + m.elements[static_cast<std::size_t>(f.element)].symbol + " has more than " +
                                 std::to_string(limits::max_symmetry_functions) +
                                 " symmetry functions, the limit (hdnnp::io::limits::max_symmetry_functions)");
        sfs[static_cast<std::size_t>(f.element)].push_back(std::move(f));
    }
    for (std::size_t e = 0; e < m.elements.size(); ++e) {
        if (sfs[e].empty())
            S.fail(0, "element " + m.elements[e].symbol + " has no symmetry functions (symfunction_short lines)");
        sort_n2p2(sfs[e]);
    }
    return sfs;
}

/// The hidden layers and activations of one kind of network, per element.
struct Architecture {
    long nh = 0;
    std::vector<std::vector<std::size_t>> widths;  // per element: hidden layer widths
    std::vector<std::vector<Activation>> acts;     // per element: hidden layers, then output
};

/// The message for a hidden layer wider than limits::max_layer_width.
inline std::string layer_width_error(long w) {
    return "layer width " + std::to_string(w) + " exceeds the limit of " + std::to_string(limits::max_layer_width) +
           " nodes (hdnnp::io::limits::max_layer_width)";
}

/// Weights and biases of a network n_in -> widths -> 1; SIZE_MAX if the count does not fit in a size_t.
inline std::size_t network_parameters(std::size_t n_in, std::vector<std::size_t> widths) {
    constexpr std::size_t huge = static_cast<std::size_t>(-1);
    widths.push_back(1);
    std::size_t need = 0;
    for (std::size_t w : widths) {
        if (n_in != 0 && w > (huge - w) / (n_in + 1)) return huge;  // n_in w + w would overflow
        const std::size_t layer = n_in * w + w;
        if (need > huge - layer) return huge;
        need += layer;
        n_in = w;
    }
    return need;
}

/// The architecture text "n_in-w1-...-1" of messages.
inline std::string architecture_text(std::size_t n_in, const std::vector<std::size_t>& widths) {
    std::string arch = std::to_string(n_in);
    for (std::size_t w : widths) arch += "-" + std::to_string(w);
    return arch + "-1";
}

/// `global_{hidden_layers,nodes,activation}<sfx>` and their `element_*<sfx>` overrides (sfx `_short` for
/// the short-range networks, `_electrostatic` for the 3G charge / 4G electronegativity networks).
inline Architecture read_architecture(const Settings& S, const Model& m, const std::string& sfx) {
    Architecture a;
    const Line& hl = S.require("global_hidden_layers" + sfx);
    const long nh = S.integer(hl, 1, "the number of hidden layers");
    if (nh < 0) S.fail(hl.number, "number of hidden layers must not be negative");
    if (nh > limits::max_hidden_layers)
        S.fail(hl.number, std::to_string(nh) + " hidden layers exceed the limit of " + std::to_string(limits::max_hidden_layers) +
                              " (hdnnp::io::limits::max_hidden_layers)");
    a.nh = nh;
    const Line& nodes = S.require("global_nodes" + sfx);
    if (static_cast<long>(nodes.words.size()) - 1 != nh)
        S.fail(nodes.number, "'global_nodes" + sfx + "' needs " + std::to_string(nh) +
                                 " widths (one per hidden layer), got " + std::to_string(nodes.words.size() - 1));
    std::vector<std::size_t> widths;
    for (long k = 0; k < nh; ++k) {
        const long w = S.integer(nodes, static_cast<std::size_t>(k) + 1, "a layer width");
        if (w < 1) S.fail(nodes.number, "layer widths must be positive");
        if (w > limits::max_layer_width) S.fail(nodes.number, layer_width_error(w));
        widths.push_back(static_cast<std::size_t>(w));
    }
    const Line& act = S.require("global_activation" + sfx);
    if (static_cast<long>(act.words.size()) - 1 != nh + 1)
        S.fail(act.number, "'global_activation" + sfx + "' needs " + std::to_string(nh + 1) +
                               " letters (one per hidden layer and one for the output layer), got " +
                               std::to_string(act.words.size() - 1));
    std::vector<Activation> acts;
    for (std::size_t k = 1; k < act.words.size(); ++k) {
        try {
            acts.push_back(activation_from_letter(act.words[k]));
        } catch (const Error& e) {
            S.fail(act.number, e.what());
        }
    }
    a.widths.assign(m.elements.size(), widths);
    a.acts.assign(m.elements.size(), acts);
    if (const Line* l = S.get("element_hidden_layers" + sfx)) {
        if (l->words.size() != 3) S.fail(l->number, "'element_hidden_layers" + sfx + "' expects: Element n");
        element_of(S, m, *l, 1);
        if (S.integer(*l, 2, "the number of hidden layers") != nh)
            S.fail(l->number, "element-specific network depth differs from global_hidden_layers" + sfx +
                                  " (n2p2 cannot use such a model)");
    }
    for (const Line& l : S.all("element_nodes" + sfx)) {
        const std::size_t e = static_cast<std::size_t>(element_of(S, m, l, 1));
        if (static_cast<long>(l.words.size()) - 2 != nh)
            S.fail(l.number, "'element_nodes" + sfx + "' needs " + std::to_string(nh) + " widths");
        // As n2p2 does: the last hidden layer keeps the global width.
        for (long k = 0; k + 1 < nh; ++k) {
            const long w = S.integer(l, static_cast<std::size_t>(k) + 2, "a layer width");
            if (w < 1) S.fail(l.number, "layer widths must be positive");
            if (w > limits::max_layer_width) S.fail(l.number, layer_width_error(w));
            a.widths[e][static_cast<std::size_t>(k)] = static_cast<std::size_t>(w);
        }
    }
    if (const Line* l = S.get("element_activation" + sfx)) {
        const std::size_t e = static_cast<std::size_t>(element_of(S, m, *l, 1));
        if (static_cast<long>(l->words.size()) - 2 != nh + 1)
            S.fail(l->number, "'element_activation" + sfx + "' needs " + std::to_string(nh + 1) + " letters");
        // As n2p2 does: only the hidden layers change; the output activation stays global.
        for (long k = 0; k < nh; ++k) {
            try {
                a.acts[e][static_cast<std::size_t>(k)] = activation_from_letter(l->words[static_cast<std::size_t>(k) + 2]);
            } catch (const Error& err) {
                S.fail(l->number, err.what());
            }
        }
    }
    return a;
}

/// Refuses, at the `global_nodes<sfx>` line, networks with more than limits::max_network_parameters weights and
/// biases (inputs: each element's functions plus extra_inputs), before any weights file is read.
inline void check_network_sizes(const Settings& S, const Model& m, const std::vector<std::vector<SymFnSpec>>& sfs,
                                const Architecture& a, const std::string& sfx, std::size_t extra_inputs) {
    for (std::size_t e = 0; e < m.elements.size(); ++e) {
        const std::size_t n_in = sfs[e].size() + extra_inputs;
        const std::size_t need = network_parameters(n_in, a.widths[e]);
        if (need > limits::max_network_parameters)
            S.fail(S.require("global_nodes" + sfx).number,
                   "the " + architecture_text(n_in, a.widths[e]) + " network of element " + m.elements[e].symbol + " would have " +
                       std::to_string(need) + " weights and biases, more than the limit of " +
                       std::to_string(limits::max_network_parameters) + " (hdnnp::io::limits::max_network_parameters)");
    }
}

/// `fixed_gausswidth El sigma` lines (3G, 4G): the Gaussian charge widths; every element needs one in 4G.
/// Returns the line of each element's width (null where none was given).
inline std::vector<const Line*> read_gauss_widths(const Settings& S, Model& m) {
    const bool fourth = m.generation == Generation::fourth;
    std::vector<const Line*> width_line(m.elements.size(), nullptr);
    for (const Line& l : S.all("fixed_gausswidth")) {
        if (l.words.size() != 3) S.fail(l.number, "'fixed_gausswidth' expects: fixed_gausswidth Element sigma");
        const std::size_t e = static_cast<std::size_t>(element_of(S, m, l, 1));
        if (width_line[e])
            S.fail(l.number, "'fixed_gausswidth' for element " + m.elements[e].symbol + " given twice (first on line " +
                                 std::to_string(width_line[e]->number) + ")");
        width_line[e] = &l;
        const double sigma = S.number(l, 2, "the Gaussian width");
        if (!(sigma > 0.0)) S.fail(l.number, "Gaussian width of element " + m.elements[e].symbol + " must be positive");
        m.elements[e].gauss_width = sigma;
    }
    for (std::size_t e = 0; e < m.elements.size() && fourth; ++e)
        if (!width_line[e])
            S.fail(0, "element " + m.elements[e].symbol +
                          " has no 'fixed_gausswidth' (a 4G model needs the Gaussian charge width of every element)");
    return width_line;
}

/// 3G only: `electrostatic_charges` (point or Gaussian, consistent with the widths) and `total_charge_scheme`.
inline void read_charge_settings_3g(const Settings& S, Model& m, const std::vector<const Line*>& width_line) {
    ElectrostaticsSettings& es = m.electrostatics;
    std::string missing;
    std::size_t n_widths = 0;
    for (std::size_t e = 0; e < m.elements.size(); ++e) {
        if (width_line[e]) ++n_widths;
        else missing += (missing.empty() ? "" : " ") + m.elements[e].symbol;
    }
    es.charges = n_widths == m.elements.size() ? ChargeShape::gaussian : ChargeShape::point;
    if (const Line* l = S.get("electrostatic_charges")) {
        if (l->words.size() != 2) S.fail(l->number, "'electrostatic_charges' takes one value (point or gaussian)");
        if (l->words[1] == "point") es.charges = ChargeShape::point;
        else if (l->words[1] == "gaussian") es.charges = ChargeShape::gaussian;
        else S.fail(l->number, "unknown electrostatic_charges '" + l->words[1] + "' (expected point or gaussian)");
        if (es.charges == ChargeShape::gaussian && !missing.empty())
            S.fail(l->number, "electrostatic_charges gaussian needs 'fixed_gausswidth' for every element; missing for " +
                                  missing);
    } else if (n_widths != 0 && !missing.empty()) {
        const Line* first = *std::find_if(width_line.begin(), width_line.end(), [](const Line* l) { return l != nullptr; });
        S.fail(first->number,
               "'fixed_gausswidth' is given for some elements but not for " + missing +
                   " (give every element a width for Gaussian charges, or set electrostatic_charges point)");
    }
    if (es.charges == ChargeShape::point) {
        if (n_widths != 0)
            m.warnings.push_back(S.file + ":" + std::to_string(S.get("electrostatic_charges")->number) +
                                 ": electrostatic_charges point: the fixed_gausswidth lines are ignored");
        for (auto& em : m.elements) em.gauss_width = 0.0;
    }
    if (const Line* l = S.get("total_charge_scheme")) {
        if (l->words.size() != 2) S.fail(l->number, "'total_charge_scheme' takes one value (none or uniform)");
        if (l->words[1] == "none") es.total_charge = TotalChargeScheme::none;
        else if (l->words[1] == "uniform") es.total_charge = TotalChargeScheme::uniform;
        else S.fail(l->number, "unknown total_charge_scheme '" + l->words[1] + "' (expected none or uniform)");
    }
}

/// `four_pi_epsilon` and `screen_electrostatics` (3G, 4G).
inline void read_coulomb_settings(const Settings& S, Model& m) {
    ElectrostaticsSettings& es = m.electrostatics;
    if (const Line* l = S.get("four_pi_epsilon")) {
        if (l->words.size() != 2) S.fail(l->number, "'four_pi_epsilon' takes one value");
        es.four_pi_epsilon = S.number(*l, 1, "4 pi epsilon_0");
        if (!(es.four_pi_epsilon > 0.0)) S.fail(l->number, "four_pi_epsilon must be positive");
    }
    if (const Line* l = S.get("screen_electrostatics")) {
        if (l->words.size() != 3 && l->words.size() != 4)
            S.fail(l->number, "'screen_electrostatics' expects: screen_electrostatics r_inner r_outer [c|p1|p2|p3|p4|e]");
        es.screening.inner = S.number(*l, 1, "the inner screening radius");
        es.screening.outer = S.number(*l, 2, "the outer screening radius");
        if (!(es.screening.inner < es.screening.outer))
            S.fail(l->number, "screening needs r_inner < r_outer, got " + l->words[1] + " and " + l->words[2]);
        if (!(es.screening.outer > 0.0)) S.fail(l->number, "outer screening radius must be positive");
        if (l->words.size() == 4) {
            try {
                es.screening.core = screening_core_from_name(l->words[3]);
            } catch (const Error& e) {
                S.fail(l->number, e.what());
            }
        }
    }
}

/// `ewald_truncation_error_method` and the required `ewald_prec` (3G, 4G).
inline void read_ewald_settings(const Settings& S, Model& m) {
    ElectrostaticsSettings& es = m.electrostatics;
    if (const Line* l = S.get("ewald_truncation_error_method")) {
        if (l->words.size() != 2) S.fail(l->number, "'ewald_truncation_error_method' takes one value (0 or 1)");
        const long v = S.integer(*l, 1, "the truncation error method");
        if (v != 0 && v != 1) S.fail(l->number, "unknown ewald_truncation_error_method " + l->words[1] + " (expected 0 or 1)");
        es.ewald.method = v == 0 ? EwaldTruncation::jackson_catlow : EwaldTruncation::kolafa_perram;
    }
    const Line& ep = S.require("ewald_prec");
    const std::size_t nv = ep.words.size() - 1;
    if (es.ewald.method == EwaldTruncation::jackson_catlow) {
        if (nv != 1)
            S.fail(ep.number, "'ewald_prec' takes one value (the precision) with ewald_truncation_error_method 0, got " +
                                  std::to_string(nv));
        es.ewald.precision = S.number(ep, 1, "the Ewald precision");
        if (!(es.ewald.precision > 0.0 && es.ewald.precision < 1.0))
            S.fail(ep.number, "Ewald precision must satisfy 0 < precision < 1 with ewald_truncation_error_method 0");
    } else {
        if (nv != 2 && nv != 3)
            S.fail(ep.number, "'ewald_prec' takes 2 or 3 values (force error, maximum charge [, real-space cutoff]) with "
                              "ewald_truncation_error_method 1, got " + std::to_string(nv));
        es.ewald.precision = S.number(ep, 1, "the Ewald force precision");
        es.ewald.max_charge = S.number(ep, 2, "the maximum charge");
        if (!(es.ewald.precision > 0.0)) S.fail(ep.number, "Ewald precision must be positive");
        if (!(es.ewald.max_charge > 0.0)) S.fail(ep.number, "maximum charge must be positive");
        if (nv == 3) {
            es.ewald.real_cutoff = S.number(ep, 3, "the real-space cutoff");
            if (!(es.ewald.real_cutoff > 0.0)) S.fail(ep.number, "real-space cutoff must be positive");
        }
    }
}

/// All 3G/4G electrostatics keywords: Gaussian widths, 3G charge settings, Coulomb and Ewald settings.
inline void read_electrostatics(const Settings& S, Model& m) {
    const std::vector<const Line*> width_line = read_gauss_widths(S, m);
    if (m.generation == Generation::third) read_charge_settings_3g(S, m, width_line);
    read_coulomb_settings(S, m);
    read_ewald_settings(S, m);
}

/// scaling.data: one line per function, element by element in sorted order, indices checked; a 3G/4G file may
/// end with nnp-scaling's two-number energy-range line. Fills each element's ElementScaling.
inline void read_scaling_data(std::istream& scaling, const std::string& scaling_name, Model& m,
                              const std::vector<std::vector<SymFnSpec>>& sfs) {
    const bool charged = m.generation == Generation::third || m.generation == Generation::fourth;
    std::string raw;
    std::size_t n = 0;
    std::vector<std::vector<std::array<double, 4>>> stats(m.elements.size());
    std::vector<bool> has_sigma(m.elements.size(), true);
    std::size_t e = 0;
    bool energy_range_line = false;  // 4G: nnp-scaling's trailing "Emin Emax" line (skipped by n2p2)
    while (std::getline(scaling, raw)) {
        ++n;
        const auto w = hdnnp::detail::split_words(raw);
        if (w.empty() || w[0][0] == '#') continue;
        while (e < m.elements.size() && stats[e].size() == sfs[e].size()) ++e;
        if (e >= m.elements.size() && charged && !energy_range_line && w.size() == 2) {
            double a, b;
            if (!hdnnp::detail::parse_double(w[0], a) || !hdnnp::detail::parse_double(w[1], b))
                throw ParseError(scaling_name, n, "expected two numbers (energy range) after the symmetry function lines");
            energy_range_line = true;
            continue;
        }
        if (e >= m.elements.size())
            throw ParseError(scaling_name, n, "more lines than symmetry functions (the model has " + std::to_string(sfs.size()) +
                                                  " elements and all their functions are already scaled)");
        if (w.size() < 5 || w.size() > 6)
            throw ParseError(scaling_name, n, "expected 'element_index sf_index Gmin Gmax Gmean [Gsigma]', got " +
                                                  std::to_string(w.size()) + " columns");
        long ei, si;
        if (!hdnnp::detail::parse_int(w[0], ei) || !hdnnp::detail::parse_int(w[1], si))
            throw ParseError(scaling_name, n, "element and function indices must be integers");
        if (ei != static_cast<long>(e) + 1 || si != static_cast<long>(stats[e].size()) + 1)
            throw ParseError(scaling_name, n, "expected element " + std::to_string(e + 1) + " (" + m.elements[e].symbol +
                                                  ") function " + std::to_string(stats[e].size() + 1) + ", got " + w[0] + " " + w[1]);
        std::array<double, 4> v{0, 0, 0, 0};
        for (std::size_t k = 2; k < w.size(); ++k)
            if (!hdnnp::detail::parse_double(w[k], v[k - 2]))
                throw ParseError(scaling_name, n, "expected a number, got '" + w[k] + "'");
        if (w.size() == 5) has_sigma[e] = false;
        if (v[1] < v[0]) throw ParseError(scaling_name, n, "Gmax is smaller than Gmin");
        if ((m.scaling_mode == ScalingMode::scale || m.scaling_mode == ScalingMode::scale_center) && !(v[1] > v[0]))
            throw ParseError(scaling_name, n, "Gmax equals Gmin: min/max scaling would divide by zero (function never varied in training)");
        if (m.scaling_mode == ScalingMode::sigma && w.size() == 6 && !(v[3] > 0.0))
            throw ParseError(scaling_name, n, "Gsigma must be positive for scale_symmetry_functions_sigma");
        stats[e].push_back(v);
    }
    for (std::size_t k = 0; k < m.elements.size(); ++k) {
        if (stats[k].size() != sfs[k].size())
            throw ParseError(scaling_name, n, "ends early: element " + m.elements[k].symbol + " has " + std::to_string(sfs[k].size()) +
                                                  " symmetry functions but " + std::to_string(stats[k].size()) + " scaling lines");
        if (m.scaling_mode == ScalingMode::sigma && !has_sigma[k])
            throw ParseError(scaling_name, 0, "scale_symmetry_functions_sigma needs the Gsigma column (6th) for element " +
                                                  m.elements[k].symbol);
        ElementScaling& es = m.elements[k].scaling;
        for (const auto& v : stats[k]) {
            es.gmin.push_back(v[0]); es.gmax.push_back(v[1]); es.gmean.push_back(v[2]); es.gsigma.push_back(v[3]);
        }
        es.setup(m.scaling_mode, m.scale_min, m.scale_max);
    }
}

/// A weights file (weights, weightse: first column only, `#` lines skipped) read into the layers of a network
/// n_in -> widths -> 1, the count checked; `what` and `symbol` name the network in messages. `third`: a
/// short-range network (`what` "network") sized for one more input gets a message saying 3G has no charge input.
inline Network read_network(std::istream& ws, const std::string& wname, std::size_t n_in, const std::vector<std::size_t>& widths,
                            const std::vector<Activation>& acts, bool normalize_nodes, const std::string& what,
                            const std::string& symbol, bool third = false) {
    std::vector<DenseLayer> layers;
    const std::size_t nh = widths.size();
    for (std::size_t k = 0; k <= nh; ++k) {
        DenseLayer L;
        L.n_in = n_in;
        L.n_out = k < nh ? widths[k] : 1;
        L.activation = acts[k];
        layers.push_back(L);
        n_in = L.n_out;
    }
    // The count the architecture needs, known before the file is read: only that many values are kept (more
    // are counted for the message), so the memory is bounded by the architecture, not by the file.
    const std::size_t need = network_parameters(layers.front().n_in, widths);
    const std::string arch = architecture_text(layers.front().n_in, widths);
    if (need > limits::max_network_parameters)
        throw ParseError(wname, 0, "the " + arch + " " + what + " of element " + symbol + " would have " + std::to_string(need) +
                                       " weights and biases, more than the limit of " +
                                       std::to_string(limits::max_network_parameters) +
                                       " (hdnnp::io::limits::max_network_parameters)");
    std::vector<double> values;
    values.reserve(need);
    std::size_t count = 0;
    std::size_t n = 0;
    std::string raw;
    while (std::getline(ws, raw)) {  // (reading the whole file first is slower: 1.0 against 0.55 ms for 9026 lines)
        ++n;
        const std::string_view w = hdnnp::detail::first_word(raw);
        if (w.empty() || w[0] == '#') continue;
        double v;
        if (!hdnnp::detail::parse_double(w, v))
            throw ParseError(wname, n, "expected a number in column 1, got '" + std::string(w) + "'");
        if (count++ < need) values.push_back(v);
    }
    if (third && what == "network" && count == need + layers.front().n_out)
        throw ParseError(wname, 0, "holds " + std::to_string(count) + " weights and biases: the short-range network of element " +
                                       symbol + " has " + std::to_string(layers.front().n_in + 1) +
                                       " inputs (symmetry functions and the charge, as in 4G), but a 3G short-range network takes only the " +
                                       std::to_string(layers.front().n_in) + " symmetry functions (" + arch + " needs " +
                                       std::to_string(need) + ")");
    if (count != need)
        throw ParseError(wname, 0, "holds " + std::to_string(count) + " weights and biases but the " + arch + " " +
                                       what + " of element " + symbol + " needs " + std::to_string(need));
    std::size_t p = 0;
    for (auto& L : layers) {
        L.weights.assign(values.begin() + static_cast<long>(p), values.begin() + static_cast<long>(p + L.n_in * L.n_out));
        p += L.n_in * L.n_out;
        L.biases.assign(values.begin() + static_cast<long>(p), values.begin() + static_cast<long>(p + L.n_out));
        p += L.n_out;
    }
    return Network(std::move(layers), normalize_nodes);
}

/// hardness.ZZZ.data (4G): exactly one positive number, the hardness J of element `symbol` [energy/e^2].
inline double read_hardness(std::istream& hs, const std::string& hname, const std::string& symbol) {
    std::string raw;
    std::size_t n = 0, count = 0;
    double J = 0.0;
    while (std::getline(hs, raw)) {
        ++n;
        const auto w = hdnnp::detail::split_words(raw);
        if (w.empty() || w[0][0] == '#') continue;
        ++count;
        if (count > 1) throw ParseError(hname, n, "expected exactly one number (the hardness of element " + symbol + "), found more");
        if (!hdnnp::detail::parse_double(w[0], J)) throw ParseError(hname, n, "expected a number in column 1, got '" + w[0] + "'");
    }
    if (count == 0) throw ParseError(hname, 0, "holds no hardness value (expected one number for element " + symbol + ")");
    if (!(J > 0.0))
        throw ParseError(hname, 0, "hardness of element " + symbol + " must be positive (charge equilibration needs J > 0)");
    return J;
}

}  // namespace detail_model

/// Opens the 3G/4G files of an element: kind is "weightse" (4G electronegativity network), "charge" (3G charge
/// network, also in weightse.ZZZ.data) or "hardness"; sets name for messages.
using Files4G = std::function<std::istream&(const std::string& kind, int z, std::string& name)>;

/// Builds a model from input.nn text, scaling.data text and a function returning the weights stream of
/// an element (by atomic number). `names` are the file names used in messages. 4G models also need
/// files_4g (the electronegativity weights and the hardness of each element).
inline Model parse_n2p2_model(std::istream& input_nn, const std::string& input_nn_name, std::istream& scaling,
                              const std::string& scaling_name,
                              const std::function<std::istream&(int z, std::string& name)>& weights,
                              const Files4G& files_4g = {}) {
    using namespace detail_model;
    const Settings S = read_settings(input_nn, input_nn_name);
    Model m;
    read_generation(S, m);
    read_elements(S, m);
    const double alpha = read_cutoff(S, m);
    read_normalisation(S, m);
    read_atom_energies(S, m);
    read_scaling_mode(S, m);
    const std::vector<std::vector<SymFnSpec>> sfs = read_symmetry_functions(S, m);

    const bool fourth = m.generation == Generation::fourth;
    const bool third = m.generation == Generation::third;
    const Architecture short_arch = read_architecture(S, m, "_short");
    Architecture elec_arch;
    if (fourth || third) elec_arch = read_architecture(S, m, "_electrostatic");
    check_network_sizes(S, m, sfs, short_arch, "_short", fourth ? 1 : 0);
    if (fourth || third) check_network_sizes(S, m, sfs, elec_arch, "_electrostatic", 0);
    const bool normalize_nodes = S.has("normalize_nodes");
    if (fourth || third) read_electrostatics(S, m);

    read_scaling_data(scaling, scaling_name, m, sfs);

    // Per element: descriptors, then the networks and the hardness from their files.
    if (fourth && !files_4g)
        S.fail(0, "a 4G model needs its weightse.ZZZ.data and hardness.ZZZ.data files (use load_n2p2_model or pass files_4g)");
    if (third && !files_4g)
        S.fail(0, "a 3G model needs its weightse.ZZZ.data files (use load_n2p2_model or pass files_4g)");
    for (std::size_t e = 0; e < m.elements.size(); ++e) {
        ElementModel& em = m.elements[e];
        em.descriptors = ElementDescriptors(sfs[e], alpha);
        const std::size_t ns = sfs[e].size();
        std::string name;
        std::istream& ws = weights(em.atomic_number, name);
        em.network = read_network(ws, name, fourth ? ns + 1 : ns, short_arch.widths[e], short_arch.acts[e], normalize_nodes,
                                  "network", em.symbol, third);
        if (third) {
            std::istream& cs = files_4g("charge", em.atomic_number, name);
            em.charge = read_network(cs, name, ns, elec_arch.widths[e], elec_arch.acts[e], normalize_nodes, "charge network",
                                     em.symbol);
        }
        if (!fourth) continue;
        std::istream& es = files_4g("weightse", em.atomic_number, name);
        em.electronegativity = read_network(es, name, ns, elec_arch.widths[e], elec_arch.acts[e], normalize_nodes,
                                            "electronegativity network", em.symbol);
        std::istream& hs = files_4g("hardness", em.atomic_number, name);
        em.hardness = read_hardness(hs, name, em.symbol);
    }
    return m;
}

/// Loads an n2p2 model directory: input.nn, scaling.data and weights.ZZZ.data (ZZZ = atomic number);
/// for 4G models also weightse.ZZZ.data and hardness.ZZZ.data.
inline Model load_n2p2_model(const std::string& dir) {
    auto path = [&](const std::string& f) { return dir.empty() ? f : (dir.back() == '/' ? dir + f : dir + "/" + f); };
    const std::string nn = path("input.nn"), sc = path("scaling.data");
    std::ifstream fin(nn);
    if (!fin) throw ParseError(nn, 0, "cannot open the model settings file (is this an n2p2 model directory?)");
    std::ifstream fsc(sc);
    if (!fsc) throw ParseError(sc, 0, "cannot open the symmetry function scaling file");
    std::ifstream fw;
    Model m = parse_n2p2_model(
        fin, nn, fsc, sc,
        [&](int z, std::string& name) -> std::istream& {
            char buf[32];
            std::snprintf(buf, sizeof buf, "weights.%03d.data", z);
            name = path(buf);
            fw.close();
            fw.clear();
            fw.open(name);
            if (!fw) throw ParseError(name, 0, "cannot open the weights file of element " + element_symbol(z));
            return fw;
        },
        [&](const std::string& kind, int z, std::string& name) -> std::istream& {
            char buf[48];
            std::snprintf(buf, sizeof buf, "%s.%03d.data", kind == "hardness" ? "hardness" : "weightse", z);
            name = path(buf);
            fw.close();
            fw.clear();
            fw.open(name);
            if (!fw)
                throw ParseError(name, 0, std::string("cannot open the ") +
                                              (kind == "hardness" ? "hardness" : kind == "charge" ? "charge network weights"
                                                                                                    : "electronegativity weights") +
                                              " file of element " + element_symbol(z));
            return fw;
        });
    m.directory = dir;
    return m;
}

/// The default loader of Potential::load: an n2p2 model directory.
struct N2p2Loader {
    static Model load(const std::string& dir) { return load_n2p2_model(dir); }
};

}  // namespace hdnnp::io
