// Exact 2G Hessians (potential/hessian.hpp) against central differences of the analytic forces, for every
// symmetry-function family (2, 3, 9, 12, 13, 20-25 with every compact subtype), every cutoff type 0..8
// (with and without the inner shift), the activations with a second derivative, scaling modes,
// normalize_nodes and energy normalisation, on a cluster and a periodic triclinic cell smaller than 2 rc;
// symmetry H_AB = H_BA^T and translation invariance sum_B H_AB = 0; and on the n2p2 water model (1080 atoms):
// blocks with r_AB > 2 rc are exactly zero, and the stored rows agree with finite differences.
//
// Finite differences: H_AB[a][b] = -dF_B,b/dR_A,a by the 4-point central stencil with h = 2.5e-4
// (O(h^4) truncation); structures are drawn so that no distance lies within 1.5e-3 of a radius where the
// energy is not three times differentiable (rc, alpha rc, compact window ends). Synthetic models as in
// tests/potential/derivatives_test.cpp (input.nn text, scaling from the structures, fixed-seed weights).
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cmath>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "hdnnp/core/elements.hpp"
#include "hdnnp/io/input_data.hpp"
#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/potential/hessian.hpp"
#include "hdnnp/potential/potential.hpp"
#include "support/hessian_check.hpp"
#include "support/reference.hpp"

using namespace hdnnp;

namespace {

struct Synthetic {
    std::string name;
    int cutoff_type = 6;
    double alpha = 0.0;
    std::string scaling = "scale";
    std::string activations = "t t l";
    bool normalize_nodes = false, normalization = false;
    std::vector<std::string> functions;
    unsigned seed = 3;
};

const std::vector<std::string> kElements = {"O", "H"};  // model order: H (1), O (8)

std::vector<std::string> cutoff_functions() {
    std::vector<std::string> f;
    for (const std::string c : {"H", "O"}) {
        for (const std::string e : {"H", "O"}) {
            f.push_back(c + " 2 " + e + " 0.5 0.0 4.5");
            f.push_back(c + " 2 " + e + " 1.0 2.6 5.5");
        }
        for (const std::string p : {"H H", "H O", "O O"}) {
            f.push_back(c + " 3 " + p + " 0.1 1 1 5.0");
            f.push_back(c + " 3 " + p + " 0.05 -1 2.5 5.5 0.7");
            f.push_back(c + " 9 " + p + " 0.08 -1 1.5 5.0 0.5");
            f.push_back(c + " 9 " + p + " 0.02 1 3.0 5.5");
        }
        f.push_back(c + " 12 0.3 0.0 5.0");
        f.push_back(c + " 12 0.1 2.0 5.5");
        f.push_back(c + " 13 0.05 0.8 1 2.0 5.0");
        f.push_back(c + " 13 0.1 1.5 -1 1.3 5.5");
    }
    return f;
}

/// Compact functions of one subtype. The p1 core has P''(1) != 0, so the Hessian jumps where theta crosses an
/// angular window end; its angular windows are (-180, 180) and (0, 360) (ends only at 0 and 180 degrees) (no finite difference
/// straddles a jump; every triplet angle lies inside them). The other cores are twice differentiable.
std::vector<std::string> compact_functions(const std::string& sub) {
    const bool p1 = sub == "p1" || sub == "p1a";
    const std::string a1 = p1 ? "-180 180" : "-90 90", a2 = p1 ? "0 360" : "30 150", a3 = p1 ? "0 360" : "0 180",
                      a4 = p1 ? "-180 180" : "45 135", a5 = p1 ? "-180 180" : "-60 60", a6 = p1 ? "0 360" : "50 170",
                      a7 = p1 ? "0 360" : "80 280", a8 = p1 ? "-180 180" : "20 100";
    std::vector<std::string> f;
    for (const std::string c : {"H", "O"}) {
        for (const std::string e : {"H", "O"}) {
            f.push_back(c + " 20 " + e + " -4.5 4.5 " + sub);
            f.push_back(c + " 20 " + e + " 0.8 4.0 " + sub);
        }
        for (const std::string p : {"H H", "O H", "H O"}) {
            f.push_back(c + " 21 " + p + " -5.0 5.0 " + a1 + " " + sub);
            f.push_back(c + " 21 " + p + " 1.0 5.0 " + a2 + " " + sub);
            f.push_back(c + " 22 " + p + " -5.0 5.0 " + a3 + " " + sub);
            f.push_back(c + " 22 " + p + " 0.8 4.8 " + a4 + " " + sub);
        }
        f.push_back(c + " 23 -5.0 5.0 " + sub);
        f.push_back(c + " 23 1.2 4.2 " + sub);
        f.push_back(c + " 24 -5.0 5.0 " + a5 + " " + sub);
        f.push_back(c + " 24 0.9 4.9 " + a6 + " " + sub);
        f.push_back(c + " 25 -4.5 4.5 " + a7 + " " + sub);
        f.push_back(c + " 25 0.0 5.0 " + a8 + " " + sub);
    }
    return f;
}

std::string input_nn(const Synthetic& m) {
    std::ostringstream o;
    o.precision(17);
    o << "number_of_elements 2\nelements O H\ncutoff_type " << m.cutoff_type;
    if (m.alpha != 0.0) o << " " << m.alpha;
    o << "\n";
    if (m.scaling == "scale" || m.scaling == "scale_center") o << "scale_symmetry_functions\n";
    if (m.scaling == "center" || m.scaling == "scale_center") o << "center_symmetry_functions\n";
    if (m.scaling == "sigma") o << "scale_symmetry_functions_sigma\n";
    o << "scale_min_short -0.5\nscale_max_short 0.8\n";
    if (m.normalization) o << "mean_energy -0.37\nconv_energy 2.3\nconv_length 1.7\natom_energy H -0.5\natom_energy O -1.0\n";
    if (m.normalize_nodes) o << "normalize_nodes\n";
    o << "global_hidden_layers_short 2\nglobal_nodes_short 6 5\nglobal_activation_short " << m.activations << "\n";
    for (const auto& f : m.functions) o << "symfunction_short " << f << "\n";
    return o.str();
}

std::size_t count_functions(const Synthetic& m, const std::string& e) {
    std::size_t k = 0;
    for (const auto& f : m.functions)
        if (f.compare(0, e.size() + 1, e + " ") == 0) ++k;
    return k;
}

/// stats[e][s] = {Gmin, Gmax, Gmean, Gsigma}, model order (H, O).
Model parse(const Synthetic& m, const std::vector<std::vector<std::array<double, 4>>>& stats,
            const std::vector<std::vector<double>>& divisor) {
    std::ostringstream sc;
    sc.precision(17);
    for (std::size_t e = 0; e < 2; ++e)
        for (std::size_t s = 0; s < stats[e].size(); ++s)
            sc << e + 1 << " " << s + 1 << " " << stats[e][s][0] << " " << stats[e][s][1] << " " << stats[e][s][2] << " "
               << stats[e][s][3] << "\n";
    std::mt19937 gen(m.seed);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    std::map<int, std::istringstream> ws;
    const std::string order[2] = {"H", "O"};
    for (std::size_t e = 0; e < 2; ++e) {
        std::vector<std::size_t> sizes{count_functions(m, order[e]), 6, 5, 1};
        std::ostringstream o;
        o.precision(17);
        for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
            const double fan = static_cast<double>(sizes[l]), gain = m.normalize_nodes ? fan : 1.0;
            for (std::size_t i = 0; i < sizes[l]; ++i)
                for (std::size_t k = 0; k < sizes[l + 1]; ++k)
                    o << u(gen) * gain * 1.5 / std::sqrt(fan) / (l == 0 ? divisor[e][i] : 1.0) << "\n";
            for (std::size_t k = 0; k < sizes[l + 1]; ++k) o << 0.3 * gain * u(gen) << "\n";
        }
        ws[atomic_number(order[e])].str(o.str());
    }
    std::istringstream nn(input_nn(m)), scs(sc.str());
    return io::parse_n2p2_model(nn, m.name + "/input.nn", scs, m.name + "/scaling.data", [&](int z, std::string& name) -> std::istream& {
        name = m.name + "/weights." + std::to_string(z) + ".data";
        return ws.at(z);
    });
}

Potential<> build(const Synthetic& m, const std::vector<Structure>& ss) {
    const std::string order[2] = {"H", "O"};
    std::vector<std::vector<std::array<double, 4>>> st(2);
    std::vector<std::vector<double>> div(2);
    for (std::size_t e = 0; e < 2; ++e) {
        st[e].assign(count_functions(m, order[e]), {0.0, 1.0, 0.5, 1.0});
        div[e].assign(st[e].size(), 1.0);
    }
    const Potential<> probe(parse(m, st, div));
    std::vector<std::vector<double>> big(2), sum(2);
    std::vector<double> cnt(2, 0.0);
    for (std::size_t e = 0; e < 2; ++e) { big[e].assign(st[e].size(), 0.0); sum[e].assign(st[e].size(), 0.0); }
    ComputeOptions opt;
    opt.forces = false;
    opt.keep_descriptors = true;
    for (const Structure& s : ss) {
        const Result r = probe.compute(s, opt);
        const auto el = probe.element_indices(s);
        for (std::size_t i = 0; i < s.size(); ++i) {
            const std::size_t e = static_cast<std::size_t>(el[i]);
            cnt[e] += 1.0;
            for (std::size_t k = 0; k < st[e].size(); ++k) {
                big[e][k] = std::max(big[e][k], std::abs(r.descriptors_raw[i][k]));
                sum[e][k] += r.descriptors_raw[i][k];
            }
        }
    }
    const bool rescaled = m.scaling == "scale" || m.scaling == "scale_center" || m.scaling == "sigma";
    for (std::size_t e = 0; e < 2; ++e)
        for (std::size_t k = 0; k < st[e].size(); ++k) {
            const double range = std::max(1.0, 1.25 * big[e][k]);
            st[e][k] = {0.0, range, cnt[e] > 0 ? sum[e][k] / cnt[e] : 0.0, range};
            div[e][k] = rescaled ? 1.0 : std::max(1.0, big[e][k]);
        }
    return Potential<>(parse(m, st, div));
}

std::vector<double> critical_radii(const Model& model) {
    std::vector<double> r;
    for (const auto& e : model.elements)
        for (const SymFnSpec& f : e.descriptors.specs()) {
            r.push_back(f.rc);
            if (f.is_compact()) r.push_back(f.rl);
            else if (model.cutoff_alpha > 0.0) r.push_back(model.cutoff_alpha * f.rc);
        }
    return r;
}

bool clear_of(const Structure& s, const std::vector<double>& radii, double margin) {
    const NeighborList nl = build_neighbor_list(s, 7.0);
    for (double d : nl.r)
        for (double c : radii)
            if (std::abs(d - c) < margin) return false;
    return true;
}

Structure random_structure(std::mt19937& gen, bool periodic, std::size_t n) {
    Structure s;
    std::uniform_real_distribution<double> u(0.0, 1.0);
    Mat3 cell{};
    if (periodic) {
        s.periodic = true;
        cell = Mat3{Vec3{6.2, 0.0, 0.0}, Vec3{0.9, 5.8, 0.0}, Vec3{-0.7, 0.5, 6.0}};
        s.lattice = cell;
    }
    while (s.size() < n) {
        Vec3 p;
        if (periodic) p = u(gen) * cell[0] + u(gen) * cell[1] + u(gen) * cell[2];
        else p = Vec3{5.0 * u(gen) - 2.5, 5.0 * u(gen) - 2.5, 5.0 * u(gen) - 2.5};
        bool ok = true;
        for (const Vec3& q : s.positions)
            for (int a = -1; a <= 1; ++a)
                for (int b = -1; b <= 1; ++b)
                    for (int c = -1; c <= 1; ++c) {
                        Vec3 d = p - q;
                        if (periodic) d += double(a) * cell[0] + double(b) * cell[1] + double(c) * cell[2];
                        else if (a || b || c) continue;
                        ok = ok && norm(d) >= 1.0;
                    }
        if (ok) s.add_atom(s.size() % 3 == 0 ? "O" : "H", p);
    }
    return s;
}

/// Symmetry, translation invariance and finite differences of the forces for the atoms in `rows` (all if empty).
void check(const Potential<>& pot, const Structure& s, const Hessian& h, const std::string& label, double fd_tol = 2e-7) {
    INFO(label << ", " << s.size() << " atoms");
    const double scale = std::max(1e-300, test::max_entry(h));
    REQUIRE(scale > 1e-6);
    const test::HessianInvariants inv = test::hessian_invariants(h);
    const double asym = inv.asymmetry, rowsum = inv.row_sum;
    CHECK(asym / scale < 1e-12);
    CHECK(rowsum / scale < 1e-12);
    // finite differences of the forces of the stored rows
    const test::FdDeviation fd = test::hessian_fd_deviation(h, s, [&](const Structure& d) { return pot.compute(d).forces; }, 2.5e-4, scale);
    const double worst = fd.worst;
    INFO("worst deviation / max|H| = " << worst << " at " << fd.where);
    std::printf("%-28s max|H| %.3e  |H - FD|/max|H| %.1e  asymmetry %.1e  row sums %.1e\n", label.c_str(), scale, worst,
                asym / scale, rowsum / scale);
    CHECK(worst < fd_tol);
}

void check_model(const Synthetic& m, unsigned seed) {
    std::mt19937 gen(seed);
    for (bool periodic : {false, true}) {
        Structure s;
        Potential<> pot;
        for (int attempt = 0;; ++attempt) {
            REQUIRE(attempt < 200);
            s = random_structure(gen, periodic, periodic ? 6 : 9);
            pot = build(m, {s});
            if (clear_of(s, critical_radii(pot.model()), 1.5e-3)) break;
        }
        const Hessian h = hessian(pot, s);
        REQUIRE(h.rows.size() == s.size());
        check(pot, s, h, m.name + (periodic ? " periodic" : " cluster"));
    }
}

}  // namespace

TEST_CASE("2G Hessian: every cutoff type with types 2, 3, 9, 12, 13", "[hessian]") {
    for (int ct = 0; ct <= 8; ++ct) {
        for (double alpha : {0.0, 0.2}) {
            if (alpha != 0.0 && !cutoff_uses_alpha(ct)) continue;
            Synthetic m;
            m.name = "cutoff" + std::to_string(ct) + "-alpha" + std::to_string(alpha);
            m.cutoff_type = ct;
            m.alpha = alpha;
            m.functions = cutoff_functions();
            m.seed = static_cast<unsigned>(ct + 1);
            check_model(m, static_cast<unsigned>(100 + ct));
        }
    }
}

TEST_CASE("2G Hessian: compact types 20-25, every subtype", "[hessian]") {
    for (const std::string sub : {"p1", "p2", "p3", "p4", "p1a", "p2a", "p3a", "p4a", "e"}) {
        Synthetic m;
        m.name = "compact-" + sub;
        m.functions = compact_functions(sub);
        check_model(m, 7);
    }
}

TEST_CASE("2G Hessian: activations, scaling modes, normalize_nodes, normalisation", "[hessian]") {
    const std::vector<std::array<std::string, 2>> cases = {
        {"s p l", "scale"}, {"g c l", "center"}, {"S e l", "scale_center"}, {"h t t", "sigma"}, {"t s p", "none"}};
    unsigned k = 0;
    for (const auto& c : cases) {
        Synthetic m;
        m.name = "act-" + c[0] + "-" + c[1];
        m.activations = c[0];
        m.scaling = c[1];
        m.normalize_nodes = k % 2 == 1;
        m.normalization = k % 2 == 0;
        m.cutoff_type = 1 + static_cast<int>(k);
        m.functions = cutoff_functions();
        m.seed = 40 + k;
        check_model(m, 50 + k++);
    }
}

TEST_CASE("2G Hessian: n2p2 water (1080 atoms), rows, locality and finite differences", "[hessian]") {
    const std::string dir = test::predict_dir("H2O_RPBE-D3");
    const Potential<> pot = Potential<>::load(dir);
    const Structure s = io::read_input_data(dir + "/input.data").at(0);
    const double rc = pot.cutoff();
    const std::vector<std::size_t> rows = {0, 1};  // one O and one H
    const Hessian h = hessian(pot, s, rows);
    REQUIRE(h.rows == rows);
    // every stored block lies within 2 rc (minimum image); atoms farther away have no block
    const Mat3 inv = reciprocal_rows(s.lattice);
    auto min_image = [&](std::size_t a, std::size_t b) {
        Vec3 d = s.positions[b] - s.positions[a];
        Vec3 f{dot(d, inv[0]), dot(d, inv[1]), dot(d, inv[2])};
        for (double& x : f) x -= std::round(x);
        return norm(f[0] * s.lattice[0] + f[1] * s.lattice[1] + f[2] * s.lattice[2]);
    };
    std::size_t n_row0 = 0;
    for (const auto& b : h.blocks) {
        CHECK(min_image(b.a, b.b) < 2 * rc);
        if (b.a == 0) ++n_row0;
    }
    std::size_t within = 0;
    for (std::size_t b = 0; b < s.size(); ++b) within += min_image(0, b) < 2 * rc;
    CHECK(n_row0 <= within);
    CHECK(n_row0 > 100);
    // the forces on atoms beyond 2 rc do not change at all when atom 0 moves; the rows agree with finite differences
    Structure d = s;
    d.positions[0][0] += 1e-3;
    const Result r0 = pot.compute(s), r1 = pot.compute(d);
    std::size_t far = 0;
    for (std::size_t b = 0; b < s.size(); ++b)
        if (min_image(0, b) > 2 * rc) {
            ++far;
            CHECK(r0.forces[b][0] == r1.forces[b][0]);
            CHECK(r0.forces[b][1] == r1.forces[b][1]);
            CHECK(r0.forces[b][2] == r1.forces[b][2]);
            CHECK(h.block(0, b)[0][0] == 0.0);
        }
    CHECK(far > 100);
    check(pot, s, h, "water 1080, rows 1 and 2");
}
