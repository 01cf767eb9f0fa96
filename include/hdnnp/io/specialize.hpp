// hdnnp: turning an n2p2 model directory into a self-contained C++ header (`hdnnp specialize`).
//
//   std::string text = hdnnp::io::specialize_header("path/to/model", {});   // the header's text
//
// The header fixes the model's structure as types and carries its numbers as the original file text:
//
//   namespace hdnnp_models {
//   struct H2O_RPBE_D3 {
//       using Potential = hdnnp::Potential<hdnnp::CutoffTanhU,
//           hdnnp::CompiledNetworks<hdnnp::StaticNetwork<27, hdnnp::Dense<25, hdnnp::Tanh>, ...>, ...>,
//           hdnnp::Families<hdnnp::Radial, hdnnp::AngularNarrow>>;
//       static constexpr std::array<const char*, 2> elements{{"H", "O"}};   // and more constants
//       static hdnnp::Model model();      // parsed from the embedded input.nn, scaling.data, weights.ZZZ.data
//       static Potential load();          // Potential(model())
//       static std::string input_nn();    // the embedded files, byte for byte
//       ...
//   };
//   }
//
// so that `auto pot = hdnnp_models::H2O_RPBE_D3::load();` needs no files at run time and evaluates with
// networks, cutoff, symmetry-function kernels and generation fixed at compile time. 3G and 4G models get
// hdnnp::ElementNetworks<Short, Electrostatic> per element (the charge or electronegativity network of
// weightse.ZZZ.data as the second type) and embed weightse.ZZZ.data (and, 4G, hardness.ZZZ.data) too. The files are embedded as arrays
// of line literals (raw where the line allows it, escaped otherwise), so every byte round-trips and no
// literal approaches a compiler's length limit. The model is parsed (and so validated) here first;
// structures that the compile-time policies cannot express are refused with an Error.
#pragma once

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "hdnnp/config.hpp"
#include "hdnnp/core/error.hpp"
#include "hdnnp/potential/model.hpp"
#include "hdnnp/io/n2p2_model.hpp"

namespace hdnnp::io {

struct SpecializeOptions {
    std::string name;                 ///< struct name; empty: derived from the model directory's name
    std::string ns = "hdnnp_models";  ///< enclosing namespace, may be nested ("a::b")
    std::string header_name;          ///< file name the header is known by (messages, Model::directory);
                                      ///< empty: NAME.hpp
};

namespace detail_specialize {

inline bool is_keyword(const std::string& s) {
    static const std::set<std::string> kw = {
        "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch", "char",
        "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const", "consteval", "constexpr", "constinit",
        "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete", "do", "double",
        "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto", "if",
        "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq", "nullptr", "operator", "or",
        "or_eq", "private", "protected", "public", "register", "reinterpret_cast", "requires", "return", "short", "signed",
        "sizeof", "static", "static_assert", "static_cast", "struct", "switch", "template", "this", "thread_local", "throw",
        "true", "try", "typedef", "typeid", "typename", "union", "unsigned", "using", "virtual", "void", "volatile",
        "wchar_t", "while", "xor", "xor_eq", "std", "hdnnp"};
    return kw.count(s) != 0;
}

inline bool is_ident_char(char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
}

/// True for a plain C++ identifier that is neither a keyword nor reserved (no "__", no "_X" start).
inline bool valid_identifier(const std::string& s) {
    if (s.empty() || is_keyword(s)) return false;
    for (std::size_t i = 0; i < s.size(); ++i)
        if (!is_ident_char(s[i], i == 0)) return false;
    if (s.find("__") != std::string::npos) return false;
    if (s[0] == '_' && (s.size() == 1 || (s[1] >= 'A' && s[1] <= 'Z'))) return false;
    return true;
}

/// A directory name as an identifier: other characters become '_', runs of '_' collapse, a leading
/// digit gets the prefix "model_", keywords get a trailing '_'.
inline std::string sanitize_identifier(const std::string& raw) {
    std::string s;
    for (char c : raw) {
        const char d = is_ident_char(c, false) ? c : '_';
        if (d == '_' && (s.empty() || s.back() == '_')) continue;
        s += d;
    }
    while (!s.empty() && s.back() == '_') s.pop_back();
    if (s.empty()) return "model";
    if (s[0] >= '0' && s[0] <= '9') s = "model_" + s;
    if (is_keyword(s)) s += '_';
    return s;
}

/// The last component of a directory path ("a/b/" -> "b", "." -> the current directory's name).
inline std::string directory_name(const std::string& dir) {
    namespace fs = std::filesystem;
    fs::path p = fs::path(dir).lexically_normal();
    if (p.filename().empty()) p = p.parent_path();
    if (p.empty() || p.filename() == "." || p.filename() == "..") {
        std::error_code ec;
        p = fs::weakly_canonical(fs::absolute(dir), ec);
        if (ec) return "model";
    }
    return p.filename().string();
}

inline std::string read_file(const std::string& path, const std::string& what) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ParseError(path, 0, "cannot open " + what);
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    if (text.find('\0') != std::string::npos) throw ParseError(path, 0, "contains a NUL byte (not a text file)");
    return text;
}

/// Text safe inside a // comment (no control characters, no line splice at its end).
inline std::string comment_text(std::string s) {
    for (char& c : s)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    if (!s.empty() && s.back() == '\\') s += ' ';
    return s;
}

inline std::string path_in(const std::string& dir, const std::string& file) {
    return dir.empty() ? file : (dir.back() == '/' ? dir + file : dir + "/" + file);
}

inline std::string weights_file(int z) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "weights.%03d.data", z);
    return buf;
}
inline std::string weights_function(int z) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "weights_%03d", z);
    return buf;
}
inline const char* activation_type_name(Activation a);

/// File and function names of the 3G/4G files: kind "weightse" or "hardness".
inline std::string kind_file(const std::string& kind, int z) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%s.%03d.data", kind.c_str(), z);
    return buf;
}
inline std::string kind_function(const std::string& kind, int z) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%s_%03d", kind.c_str(), z);
    return buf;
}

/// `hdnnp::StaticNetwork<n_in, Dense<...>...>` of a loaded network; arch gets "n_in-w1-...-1" and acts the
/// activation letters. Empty on an activation without a compile-time policy.
inline std::string static_network_type(const Network& n, std::string& arch, std::string& acts) {
    const auto& L = n.layers();
    std::string net = "hdnnp::StaticNetwork<" + std::to_string(L.front().n_in);
    arch = std::to_string(L.front().n_in);
    acts.clear();
    for (const auto& layer : L) {
        const char* act = activation_type_name(layer.activation);
        if (!act) return {};
        net += ", hdnnp::Dense<" + std::to_string(layer.n_out) + ", hdnnp::" + act + ">";
        arch += "-" + std::to_string(layer.n_out);
        acts += std::string(acts.empty() ? "" : " ") + static_cast<char>(layer.activation);
    }
    return net + ">";
}

/// An ordinary C++ string literal holding exactly `text` (no NUL bytes).
inline std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        const unsigned char u = static_cast<unsigned char>(c);
        switch (c) {
            case '\\': out += "\\\\"; break;
            case '"': out += "\\\""; break;
            case '?': out += "\\?"; break;  // no trigraphs
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            default:
                if (u >= 0x20 && u <= 0x7e) {
                    out += c;
                } else {  // three octal digits: never extended by the next character
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\%03o", static_cast<unsigned>(u));
                    out += buf;
                }
        }
    }
    return out + "\"";
}

/// A literal holding exactly one line of a file: raw (as in the file) when the line is printable ASCII
/// (tabs allowed) and cannot close the raw delimiter early, escaped otherwise.
inline std::string line_literal(const std::string& line) {
    bool raw = line.find(")hdnnp\"") == std::string::npos;
    for (char c : line)
        if (!(c == '\t' || (c >= 0x20 && c <= 0x7e))) raw = false;
    return raw ? "R\"hdnnp(" + line + ")hdnnp\"" : quoted(line);
}

/// `static std::string FN() { ... }` returning `text` exactly: its lines as an array of literals joined
/// with '\n' (a final newline is an empty last line).
inline std::string embed_function(const std::string& fn, const std::string& file, const std::string& text) {
    std::string out = "    /// " + file + ", byte for byte.\n    static std::string " + fn +
                      "() {\n        static constexpr const char* lines[] = {\n";
    std::size_t b = 0;
    while (true) {
        const std::size_t e = text.find('\n', b);
        out += "            " + line_literal(text.substr(b, e == std::string::npos ? std::string::npos : e - b)) + ",\n";
        if (e == std::string::npos) break;
        b = e + 1;
    }
    return out + "        };\n        return join(lines);\n    }\n";
}

inline const char* cutoff_type_name(int id) {
    switch (id) {
        case 0: return "CutoffHard";
        case 1: return "CutoffCos";
        case 2: return "CutoffTanhU";
        case 3: return "CutoffTanh";
        case 4: return "CutoffExp";
        case 5: return "CutoffPoly1";
        case 6: return "CutoffPoly2";
        case 7: return "CutoffPoly3";
        case 8: return "CutoffPoly4";
        default: return nullptr;
    }
}

inline const char* activation_type_name(Activation a) {
    switch (a) {
        case Activation::linear: return "Linear";
        case Activation::tanh: return "Tanh";
        case Activation::logistic: return "Logistic";
        case Activation::softplus: return "Softplus";
        case Activation::relu: return "Relu";
        case Activation::gaussian: return "Gaussian";
        case Activation::cosine: return "Cosine";
        case Activation::reverse_logistic: return "ReverseLogistic";
        case Activation::exp: return "Exponential";
        case Activation::harmonic: return "Harmonic";
    }
    return nullptr;
}

/// Symmetry-function families in the order of AllFamilies (type number -> type name).
inline const std::vector<std::pair<int, const char*>>& family_names() {
    static const std::vector<std::pair<int, const char*>> f = {
        {2, "Radial"},         {3, "AngularNarrow"},        {9, "AngularWide"},        {12, "WeightedRadial"},
        {13, "WeightedAngularNarrow"}, {20, "CompactRadial"}, {21, "CompactAngularNarrow"}, {22, "CompactAngularWide"},
        {23, "CompactWeightedRadial"}, {24, "CompactWeightedNarrow"}, {25, "CompactWeightedWide"}};
    return f;
}

/// A double as a literal that reads back to the same value.
inline std::string double_literal(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    std::string s = buf;
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
    return s;
}

}  // namespace detail_specialize

/// The text of a header that compiles the model in `model_dir` as a specialised Potential (see above).
/// Throws ParseError for an unreadable or invalid model and Error for one whose structure the
/// compile-time policies cannot express, or for a NAME / NS that is not a valid identifier.
inline std::string specialize_header(const std::string& model_dir, const SpecializeOptions& opt) {
    using namespace detail_specialize;
    const std::string name = opt.name.empty() ? sanitize_identifier(directory_name(model_dir)) : opt.name;
    if (!valid_identifier(name)) throw Error("specialize: --name '" + name + "' is not a valid C++ identifier");
    static const std::set<std::string> members = {"Potential", "n_elements", "elements", "atomic_numbers", "n_symmetry_functions",
                                                  "cutoff_type", "cutoff_radius", "generation", "model", "load", "weights",
                                                  "input_nn", "scaling_data", "weights_name", "join",
                                                  "weightse", "hardness", "electrostatic_name"};
    if (members.count(name) || name.rfind("weights_", 0) == 0 || name.rfind("weightse_", 0) == 0 || name.rfind("hardness_", 0) == 0)
        throw Error("specialize: --name '" + name + "' is the name of a member of the generated struct; choose another");
    for (std::size_t b = 0;;) {  // "a::b" is a nested namespace definition (C++17)
        const std::size_t e = opt.ns.find("::", b);
        if (!valid_identifier(opt.ns.substr(b, e == std::string::npos ? std::string::npos : e - b)))
            throw Error("specialize: --namespace '" + opt.ns + "' is not a valid C++ namespace (identifiers joined by ::)");
        if (e == std::string::npos) break;
        b = e + 2;
    }
    const std::string header = opt.header_name.empty() ? name + ".hpp" : opt.header_name;
    const std::string source = directory_name(model_dir);

    // Read the files once; parse exactly the text that will be embedded.
    const std::string nn_path = path_in(model_dir, "input.nn"), sc_path = path_in(model_dir, "scaling.data");
    const std::string nn_text = read_file(nn_path, "the model settings file (is this an n2p2 model directory?)");
    const std::string sc_text = read_file(sc_path, "the symmetry function scaling file");
    auto refuse = [&](const std::string& why) {
        throw Error("specialize: model " + model_dir + " cannot be compiled as a specialised potential: " + why);
    };
    {  // Q-HDNNP (nnp_type 10) has no evaluation in hdnnp
        std::istringstream in(nn_text);
        const detail_model::Settings S = detail_model::read_settings(in, nn_path);
        if (const detail_model::Line* l = S.get("nnp_type"); l && l->words.size() == 2) {
            const std::string& v = l->words[1];
            if (v == "10" || v == "Q-HDNNP") refuse("it is a Q-HDNNP model (nnp_type " + v + "), which hdnnp does not evaluate");
        }
    }
    std::vector<std::pair<int, std::string>> weights_text;
    std::vector<std::pair<std::string, std::pair<int, std::string>>> extra_text;  // (kind, (Z, text)) of weightse / hardness
    std::istringstream nn_in(nn_text), sc_in(sc_text), w_in;
    Model m = parse_n2p2_model(
        nn_in, nn_path, sc_in, sc_path,
        [&](int z, std::string& fname) -> std::istream& {
            fname = path_in(model_dir, weights_file(z));
            weights_text.emplace_back(z, read_file(fname, "the weights file of element " + element_symbol(z)));
            w_in.str(weights_text.back().second);
            w_in.clear();
            return w_in;
        },
        [&](const std::string& kind, int z, std::string& fname) -> std::istream& {
            const std::string k = kind == "hardness" ? "hardness" : "weightse";
            fname = path_in(model_dir, kind_file(k, z));
            extra_text.push_back({k, {z, read_file(fname, "the " + k + " file of element " + element_symbol(z))}});
            w_in.str(extra_text.back().second.second);
            w_in.clear();
            return w_in;
        });

    // --- what the compile-time policies can express
    const bool charged = m.generation == Generation::third || m.generation == Generation::fourth;
    const char* gen_tag = m.generation == Generation::second ? "Gen2" : m.generation == Generation::third ? "Gen3" : "Gen4";
    const char* gen_enum = m.generation == Generation::second ? "second" : m.generation == Generation::third ? "third" : "fourth";
    const char* cutoff = cutoff_type_name(m.cutoff_type);
    if (!cutoff) refuse("cutoff_type " + std::to_string(m.cutoff_type) + " has no compile-time policy");
    std::set<int> used;
    for (const auto& e : m.elements)
        for (const auto& f : e.descriptors.specs()) used.insert(f.type);
    std::string families;
    for (const auto& [type, fname] : family_names())
        if (used.erase(type)) families += std::string(families.empty() ? "" : ", ") + "hdnnp::" + fname;
    if (!used.empty()) refuse("symmetry function type " + std::to_string(*used.begin()) + " has no compile-time family");

    std::vector<std::string> nets;
    std::string arch_comment;
    for (const auto& e : m.elements) {
        const std::size_t n_in = e.descriptors.size() + (m.generation == Generation::fourth ? 1 : 0);
        const auto& L = e.network.layers();
        if (L.empty() || L.back().n_out != 1) refuse("the network of element " + e.symbol + " does not end in one output neuron");
        if (L.front().n_in != n_in)
            refuse("the network of element " + e.symbol + " does not take its " + std::to_string(e.descriptors.size()) +
                   " symmetry functions" + (m.generation == Generation::fourth ? " and the charge" : "") + " as inputs");
        std::string arch, acts;
        std::string net = static_network_type(e.network, arch, acts);
        if (net.empty()) refuse("element " + e.symbol + " uses an activation with no compile-time policy");
        arch_comment += "//   " + e.symbol + " (Z = " + std::to_string(e.atomic_number) + "): short range " + arch + ", activations " +
                        acts + (e.network.normalize_nodes() ? ", normalize_nodes" : "") + "\n";
        if (charged) {
            const Network& q = m.generation == Generation::fourth ? e.electronegativity : e.charge;
            if (q.layers().empty() || q.layers().back().n_out != 1)
                refuse("the charge/electronegativity network of element " + e.symbol + " does not end in one output neuron");
            std::string qa, qacts;
            const std::string qnet = static_network_type(q, qa, qacts);
            if (qnet.empty()) refuse("element " + e.symbol + " uses an activation with no compile-time policy");
            net = "hdnnp::ElementNetworks<" + net + ",\n                " + qnet + ">";
            arch_comment += std::string("//       ") + (m.generation == Generation::fourth ? "electronegativity " : "charge ") + qa +
                            ", activations " + qacts + "\n";
        }
        nets.push_back(net);
    }

    // --- the header
    const std::size_t ne = m.elements.size();
    std::ostringstream h;
    h << "// " << comment_text(header) << ": the n2p2 model " << comment_text(source) << " compiled as a specialised hdnnp potential.\n"
      << "// Generated by `hdnnp specialize` (hdnnp " << HDNNP_VERSION_MAJOR << "." << HDNNP_VERSION_MINOR << "."
      << HDNNP_VERSION_PATCH << ") from " << comment_text(model_dir) << "; do not edit.\n"
      << "//\n"
      << "//   auto pot = " << opt.ns << "::" << name << "::load();   // no files needed at run time\n"
      << "//   hdnnp::Result r = pot.compute(structure);\n"
      << "//\n"
      << "// Networks (one per element, ascending atomic number):\n"
      << arch_comment
      << "// The model's files are embedded byte for byte below and parsed by hdnnp::io::parse_n2p2_model.\n"
      << "#pragma once\n\n"
      << "#include <array>\n#include <cstddef>\n#include <sstream>\n#include <string>\n\n"
      << "#include \"hdnnp/core/error.hpp\"\n#include \"hdnnp/potential/model.hpp\"\n#include \"hdnnp/potential/potential.hpp\"\n"
      << "#include \"hdnnp/cutoffs/cutoff.hpp\"\n#include \"hdnnp/descriptors/families.hpp\"\n"
      << "#include \"hdnnp/io/n2p2_model.hpp\"\n#include \"hdnnp/networks/activation.hpp\"\n"
      << "#include \"hdnnp/potential/networks.hpp\"\n#include \"hdnnp/networks/static_network.hpp\"\n\n"
      << "namespace " << opt.ns << " {\n\n"
      << "struct " << name << " {\n"
      << "    using Potential = hdnnp::Potential<\n"
      << "        hdnnp::" << cutoff << ",\n"
      << "        hdnnp::CompiledNetworks<\n";
    for (std::size_t e = 0; e < ne; ++e) h << "            " << nets[e] << (e + 1 < ne ? ",\n" : ">,\n");
    h << "        hdnnp::Families<" << families << ">,\n"
      << "        hdnnp::" << gen_tag << ">;\n\n";

    auto braced = [&](auto&& item) {
        std::string s = "{{";
        for (std::size_t e = 0; e < ne; ++e) s += (e ? ", " : "") + item(m.elements[e]);
        return s + "}}";
    };
    h << "    static constexpr std::size_t n_elements = " << ne << ";\n"
      << "    /// Element symbols and atomic numbers, ascending atomic number (the networks' order).\n"
      << "    static constexpr std::array<const char*, " << ne << "> elements = "
      << braced([](const ElementModel& e) { return quoted(e.symbol); }) << ";\n"
      << "    static constexpr std::array<int, " << ne << "> atomic_numbers = "
      << braced([](const ElementModel& e) { return std::to_string(e.atomic_number); }) << ";\n"
      << "    /// Symmetry functions (network inputs) per element.\n"
      << "    static constexpr std::array<std::size_t, " << ne << "> n_symmetry_functions = "
      << braced([](const ElementModel& e) { return std::to_string(e.descriptors.size()); }) << ";\n"
      << "    static constexpr int cutoff_type = " << m.cutoff_type << ";\n"
      << "    /// Largest symmetry-function cutoff [length]: the neighbour-list cutoff.\n"
      << "    static constexpr double cutoff_radius = " << double_literal(m.cutoff_radius()) << ";\n"
      << "    static constexpr hdnnp::Generation generation = hdnnp::Generation::" << gen_enum << ";\n\n";

    const std::string origin = quoted(header + " (generated by hdnnp specialize from " + source + ")");
    h << "    /// The model, parsed from the embedded files; Model::directory names this header.\n"
      << "    static hdnnp::Model model() {\n"
      << "        std::istringstream nn(input_nn()), sc(scaling_data()), w;\n"
      << "        hdnnp::Model m = hdnnp::io::parse_n2p2_model(\n"
      << "            nn, " << quoted("input.nn (embedded in " + header + ")") << ", sc, "
      << quoted("scaling.data (embedded in " + header + ")") << ",\n"
      << "            [&w](int z, std::string& name) -> std::istream& {\n"
      << "                name = weights_name(z);\n"
      << "                w.str(weights(z));\n"
      << "                w.clear();\n"
      << "                return w;\n"
      << "            }"
      << (charged ? ",\n"
                    "            [&w](const std::string& kind, int z, std::string& name) -> std::istream& {\n"
                    "                const bool h = kind == \"hardness\";\n"
                    "                name = electrostatic_name(h, z);\n"
                    "                w.str(h ? hardness(z) : weightse(z));\n"
                    "                w.clear();\n"
                    "                return w;\n"
                    "            });\n"
                  : ");\n")
      << "        m.directory = " << origin << ";\n"
      << "        return m;\n"
      << "    }\n"
      << "    /// The specialised potential (throws hdnnp::Error if the embedded model does not fit the types).\n"
      << "    static Potential load() { return Potential(model()); }\n\n";

    h << "    /// The embedded weights.ZZZ.data of an element by atomic number.\n"
      << "    static std::string weights(int atomic_number) {\n"
      << "        switch (atomic_number) {\n";
    for (const auto& wt : weights_text) h << "            case " << wt.first << ": return " << weights_function(wt.first) << "();\n";
    h << "            default: throw hdnnp::Error(" << quoted(header + ": no weights for atomic number ")
      << " + std::to_string(atomic_number));\n"
      << "        }\n"
      << "    }\n\n";
    for (const std::string kind : {"weightse", "hardness"}) {
        if (!charged) break;
        h << "    /// The embedded " << kind << ".ZZZ.data of an element by atomic number.\n"
          << "    static std::string " << kind << "(int atomic_number) {\n"
          << "        switch (atomic_number) {\n";
        for (const auto& x : extra_text)
            if (x.first == kind) h << "            case " << x.second.first << ": return " << kind_function(kind, x.second.first) << "();\n";
        h << "            default: throw hdnnp::Error(" << quoted(header + ": no " + kind + " file for atomic number ")
          << " + std::to_string(atomic_number));\n"
          << "        }\n"
          << "    }\n\n";
    }
    h << embed_function("input_nn", "input.nn", nn_text) << "\n" << embed_function("scaling_data", "scaling.data", sc_text);
    for (const auto& wt : weights_text)
        h << "\n" << embed_function(weights_function(wt.first), weights_file(wt.first), wt.second);
    for (const auto& x : extra_text)
        h << "\n" << embed_function(kind_function(x.first, x.second.first), kind_file(x.first, x.second.first), x.second.second);

    h << "\nprivate:\n"
      << "    static std::string weights_name(int atomic_number) {\n"
      << "        switch (atomic_number) {\n";
    for (const auto& wt : weights_text)
        h << "            case " << wt.first << ": return " << quoted(weights_file(wt.first) + " (embedded in " + header + ")") << ";\n";
    h << "            default: return " << quoted("weights (embedded in " + header + ")") << ";\n"
      << "        }\n"
      << "    }\n";
    if (charged)
        h << "    static std::string electrostatic_name(bool hardness_file, int atomic_number) {\n"
          << "        const std::string z = std::to_string(1000 + atomic_number).substr(1);\n"
          << "        return (hardness_file ? std::string(\"hardness.\") : std::string(\"weightse.\")) + z + "
          << quoted(".data (embedded in " + header + ")") << ";\n"
          << "    }\n";
    h << "    template <std::size_t N> static std::string join(const char* const (&lines)[N]) {\n"
      << "        std::size_t size = N - 1;\n"
      << "        for (const char* l : lines) size += std::char_traits<char>::length(l);\n"
      << "        std::string s;\n"
      << "        s.reserve(size);\n"
      << "        for (std::size_t i = 0; i < N; ++i) {\n"
      << "            if (i) s += '\\n';\n"
      << "            s += lines[i];\n"
      << "        }\n"
      << "        return s;\n"
      << "    }\n"
      << "};\n\n"
      << "}  // namespace " << opt.ns << "\n";
    return h.str();
}

}  // namespace hdnnp::io
