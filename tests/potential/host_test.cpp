// The host entry point: atoms and neighbour lists as hosts hand them in (LAMMPS-style local + ghost atoms
// with a full list and a skin; a plain CSR list with shift vectors), results written into the host's
// arrays. Equal to compute(structure) for 2G water and 4G water once the ghosts' forces are folded back
// onto their owners; per-atom energies sum to the energy and per-atom virials to the virial.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "hdnnp/hdnnp.hpp"
#include "support/ghosts.hpp"
#include "support/model_3g.hpp"
#include "support/reference.hpp"

using namespace hdnnp;

namespace {

struct HostRun {
    double energy = 0.0;
    Mat3 virial{};
    std::vector<Vec3> forces;          // folded back onto the local atoms
    std::vector<double> energies;      // per local atom
    std::vector<Mat3> virials;         // per local atom, ghosts' shares folded back
    std::size_t n_ghosts = 0;
};

/// Runs the host entry point on the LAMMPS-style frame of s and folds ghost forces and virials back.
template <class P> HostRun run_as_lammps(const P& pot, const Structure& s, double skin) {
    const std::vector<int> el = pot.element_indices(s);
    const test::GhostFrame g = test::make_ghost_frame(s, el, pot.cutoff(), skin);
    const std::size_t n_all = g.n_all();
    std::vector<double> f(3 * n_all, 0.0), e(g.n_local, 0.0), v(9 * n_all, 0.0);
    f[0] = 1.0;  // the entry point adds to what the host's arrays hold
    HostAtoms atoms{const_view(g.x.data(), n_all, 3), const_view(g.element.data(), n_all), g.n_local};
    atoms.periodic = s.periodic;
    atoms.cell = s.lattice;
    atoms.total_charge = s.total_charge;
    HostOutput out{view(f.data(), n_all, 3)};
    out.per_atom_energies = view(e.data(), g.n_local);
    out.per_atom_virials = view(v.data(), n_all, 3, 3);
    pot.compute(atoms, g.list(), out);
    f[0] -= 1.0;
    HostRun r;
    r.energy = out.energy;
    r.virial = out.virial;
    r.n_ghosts = n_all - g.n_local;
    r.forces.assign(g.n_local, Vec3{0, 0, 0});
    r.virials.assign(g.n_local, Mat3{});
    for (std::size_t i = 0; i < n_all; ++i) {
        const std::size_t o = g.owner[i];
        for (std::size_t a = 0; a < 3; ++a) {
            r.forces[o][a] += f[3 * i + a];
            for (std::size_t b = 0; b < 3; ++b) r.virials[o][a][b] += v[9 * i + 3 * a + b];
        }
    }
    r.energies = e;
    return r;
}

double max_abs_diff(const std::vector<Vec3>& a, const std::vector<Vec3>& b) {
    double d = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i)
        for (int k = 0; k < 3; ++k) d = std::max(d, std::abs(a[i][k] - b[i][k]));
    return d;
}

/// Per-atom energies sum to the energy, per-atom virials to the virial (relative to the largest component).
void check_per_atom_sums(const std::vector<double>& e, const std::vector<Mat3>& v, double energy, const Mat3& virial) {
    double se = 0.0;
    for (double x : e) se += x;
    CHECK(std::abs(se - energy) <= 1e-12 * std::abs(energy));
    Mat3 sv{};
    for (const Mat3& m : v) sv += m;
    double scale = 0.0, dv = 0.0;
    for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) {
            scale = std::max(scale, std::abs(virial[a][b]));
            dv = std::max(dv, std::abs(sv[a][b] - virial[a][b]));
        }
    INFO("per-atom virial sum off by " << dv << " (largest component " << scale << ")");
    CHECK(dv <= 1e-11 * scale);
}

void check_host_equals_structure(const std::string& example, double skin) {
    const std::string dir = test::predict_dir(example);
    const auto pot = Potential<>::load(dir);
    const Structure s = io::read_input_data(dir + "/input.data").at(0);
    ComputeOptions opt;
    opt.per_atom = true;
    const Result ref = pot.compute(s, opt);
    const HostRun h = run_as_lammps(pot, s, skin);
    INFO(example << ": " << s.size() << " local atoms, " << h.n_ghosts << " ghosts");
    CHECK(h.n_ghosts > s.size());
    CHECK(std::abs(h.energy - ref.energy) <= 1e-12 * std::abs(ref.energy));
    const double df = max_abs_diff(h.forces, ref.forces);
    INFO("max |F_host - F_structure| = " << df);
    CHECK(df <= 1e-10);
    for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) CHECK(std::abs(h.virial[a][b] - ref.virial[a][b]) <= 1e-10 * std::abs(ref.energy));
    double de = 0.0;
    for (std::size_t i = 0; i < s.size(); ++i) de = std::max(de, std::abs(h.energies[i] - ref.per_atom_energies[i]));
    CHECK(de <= 1e-10);
    check_per_atom_sums(h.energies, h.virials, h.energy, h.virial);
    check_per_atom_sums(ref.per_atom_energies, ref.per_atom_virials, ref.energy, ref.virial);
}

}  // namespace

TEST_CASE("Water passed as LAMMPS would (local + ghost atoms, full list with skin) gives compute(structure)'s results", "[potential][host]") {
    check_host_equals_structure("H2O_RPBE-D3", 2.0);
}

TEST_CASE("4G water passed as LAMMPS would gives compute(structure)'s results", "[potential][host][4g]") {
    check_host_equals_structure("H2O_RPBE-D3_4G", 1.0);
}

TEST_CASE("Per-atom energies and virials sum to energy and virial for 2G, 3G and 4G, clusters and cells", "[potential][host]") {
    ComputeOptions opt;
    opt.per_atom = true;
    SECTION("2G Cu2S (cell)") {
        const std::string dir = test::predict_dir("Cu2S_PBE");
        const auto pot = Potential<>::load(dir);
        const Result r = pot.compute(io::read_input_data(dir + "/input.data").at(0), opt);
        check_per_atom_sums(r.per_atom_energies, r.per_atom_virials, r.energy, r.virial);
    }
    SECTION("2G DMABN (cluster)") {
        const std::string dir = test::predict_dir("DMABN_SCAN");
        const auto pot = Potential<>::load(dir);
        const Result r = pot.compute(io::read_input_data(dir + "/input.data").at(0), opt);
        check_per_atom_sums(r.per_atom_energies, r.per_atom_virials, r.energy, r.virial);
    }
    SECTION("4G carbon chain (charged cluster) and AlAuMgO (cell)") {
        for (const char* ex : {"Carbon_chain_4G", "AlAuMgO_4G"}) {
            const std::string dir = test::predict_dir(ex);
            const auto pot = Potential<>::load(dir);
            Structure s = io::read_input_data(dir + "/input.data").at(0);
            if (!s.periodic) s.total_charge = 1.0;
            const Result r = pot.compute(s, opt);
            check_per_atom_sums(r.per_atom_energies, r.per_atom_virials, r.energy, r.virial);
        }
    }
    SECTION("3G with screening (cluster and sheared cell)") {
        test::Model3GSpec spec;
        spec.screen = "4.8 8.0";
        const test::Model3GDir d(spec);
        const auto pot = Potential<>::load(d.path);
        Structure cluster = test::water_cluster(2, 2, 1, 3);
        cluster.total_charge = -1.0;
        for (const Structure& s : {cluster, test::water_box(2, 4, 0.15)}) {
            const Result r = pot.compute(s, opt);
            REQUIRE(r.charges.size() == s.size());
            check_per_atom_sums(r.per_atom_energies, r.per_atom_virials, r.energy, r.virial);
        }
    }
}

TEST_CASE("A CSR neighbour list with shift vectors (no ghosts) gives compute(structure)'s results", "[potential][host]") {
    const std::string dir = test::predict_dir("Cu2S_PBE");
    const auto pot = Potential<>::load(dir);
    const Structure s = io::read_input_data(dir + "/input.data").at(0);
    const Result ref = pot.compute(s);
    const std::vector<int> el = pot.element_indices(s);
    const NeighborList nl = build_neighbor_list(s, pot.cutoff() + 0.5);
    std::vector<std::size_t> offsets(nl.offset.begin(), nl.offset.end());
    std::vector<std::int64_t> idx(nl.index.begin(), nl.index.end());
    std::vector<double> shifts, x;
    for (std::size_t i = 0; i < s.size(); ++i)
        for (std::size_t k = nl.offset[i]; k < nl.offset[i + 1]; ++k) {
            const Vec3 t = s.positions[i] + nl.d[k] - s.positions[nl.index[k]];
            for (int a = 0; a < 3; ++a) shifts.push_back(t[a]);
        }
    for (const Vec3& p : s.positions)
        for (int a = 0; a < 3; ++a) x.push_back(p[a]);
    std::vector<double> f(3 * s.size(), 0.0);
    HostAtoms atoms{const_view(x.data(), s.size(), 3), const_view(el.data(), s.size()), s.size()};
    HostOutput out{view(f.data(), s.size(), 3)};
    pot.compute(atoms, CsrNeighborList{s.size(), offsets.data(), idx.data(), shifts.data()}, out);
    CHECK(std::abs(out.energy - ref.energy) <= 1e-12 * std::abs(ref.energy));
    double df = 0.0;
    for (std::size_t i = 0; i < s.size(); ++i)
        for (int a = 0; a < 3; ++a) df = std::max(df, std::abs(f[3 * i + static_cast<std::size_t>(a)] - ref.forces[i][a]));
    CHECK(df <= 1e-10);
}

TEST_CASE("Atoms of types the potential does not handle (element -1) are skipped as centres and neighbours", "[potential][host]") {
    const std::string dir = test::predict_dir("H2O_RPBE-D3");
    const auto pot = Potential<>::load(dir);
    const Structure s = io::read_input_data(dir + "/input.data").at(0);
    // The same structure with one extra far-away atom of an unhandled type as a centre and neighbour.
    std::vector<int> el = pot.element_indices(s);
    std::vector<double> x;
    for (const Vec3& p : s.positions)
        for (int a = 0; a < 3; ++a) x.push_back(p[a]);
    const Result ref = pot.compute(s);
    const NeighborList nl = build_neighbor_list(s, pot.cutoff());
    const std::size_t n = s.size();
    // extra atom n sits on top of atom 0's neighbourhood; it is a neighbour of atom 0 and its own centre
    x.insert(x.end(), {s.positions[0][0] + 1.0, s.positions[0][1], s.positions[0][2]});
    el.push_back(-1);
    std::vector<std::size_t> offsets;
    std::vector<std::int64_t> idx;
    std::vector<double> shifts;
    offsets.push_back(0);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t k = nl.offset[i]; k < nl.offset[i + 1]; ++k) {
            idx.push_back(nl.index[k]);
            const Vec3 t = s.positions[i] + nl.d[k] - s.positions[nl.index[k]];
            shifts.insert(shifts.end(), {t[0], t[1], t[2]});
        }
        if (i == 0) {
            idx.push_back(static_cast<std::int64_t>(n));
            shifts.insert(shifts.end(), {0.0, 0.0, 0.0});
        }
        offsets.push_back(idx.size());
    }
    offsets.push_back(idx.size());  // the unhandled atom as a centre without neighbours
    std::vector<double> f(3 * (n + 1), 0.0);
    HostAtoms atoms{const_view(x.data(), n + 1, 3), const_view(el.data(), n + 1), n + 1};
    HostOutput out{view(f.data(), n + 1, 3)};
    // centres: n + 1 entries; the unhandled centre contributes nothing
    pot.compute(atoms, CsrNeighborList{n + 1, offsets.data(), idx.data(), shifts.data()}, out);
    CHECK(std::abs(out.energy - ref.energy) <= 1e-12 * std::abs(ref.energy));
    CHECK(f[3 * n] == 0.0);
}

TEST_CASE("A committee through the host entry point (LAMMPS-style ghosts): the mean, member energies and, once the "
          "force deviations are folded back, the force spreads of compute(structure)", "[potential][host][committee]") {
    const std::string dir = test::predict_dir("H2O_RPBE-D3");
    const auto c = Committee<>::load({dir, test::reference_dir() + "/potentials/H2O_BLYP"});
    const Structure s = io::read_input_data(dir + "/input.data").at(0);
    ComputeOptions opt;
    opt.per_atom = true;
    const CommitteeResult ref = c.compute(s, opt);
    const std::vector<int> el = c.member(0).element_indices(s);
    const test::GhostFrame g = test::make_ghost_frame(s, el, c.cutoff(), 2.0);
    const std::size_t n_all = g.n_all(), n = s.size(), m = c.size();
    std::vector<double> f(3 * n_all, 0.0), e(n, 0.0), v(9 * n_all, 0.0), dev(m * n_all * 3, 0.0);
    HostAtoms atoms{const_view(g.x.data(), n_all, 3), const_view(g.element.data(), n_all), n};
    HostOutput out{view(f.data(), n_all, 3)};
    out.per_atom_energies = view(e.data(), n);
    out.per_atom_virials = view(v.data(), n_all, 3, 3);
    CommitteeHostOutput co;
    co.force_deviations = view(dev.data(), m, n_all, 3);
    c.compute(atoms, g.list(), out, co);
    REQUIRE(n_all > 2 * n);

    CHECK(std::abs(out.energy - ref.energy) <= 1e-12 * std::abs(ref.energy));
    REQUIRE(co.member_energies.size() == m);
    for (std::size_t k = 0; k < m; ++k) CHECK(std::abs(co.member_energies[k] - ref.member_energies[k]) <= 1e-12 * std::abs(ref.energy));
    CHECK(std::abs(committee_energy_spread(co.member_energies) - ref.energy_spread) <= 1e-9 * ref.energy_spread);
    // Fold ghosts back onto their owners: forces, per-atom virials and the members' force deviations.
    std::vector<Vec3> F(n, Vec3{0, 0, 0});
    std::vector<Mat3> V(n, Mat3{});
    std::vector<double> D(m * n * 3, 0.0);
    for (std::size_t i = 0; i < n_all; ++i) {
        const std::size_t o = g.owner[i];
        for (std::size_t a = 0; a < 3; ++a) {
            F[o][a] += f[3 * i + a];
            for (std::size_t b = 0; b < 3; ++b) V[o][a][b] += v[9 * i + 3 * a + b];
            for (std::size_t k = 0; k < m; ++k) D[(k * n + o) * 3 + a] += dev[(k * n_all + i) * 3 + a];
        }
    }
    CHECK(max_abs_diff(F, ref.forces) <= 1e-10);
    double de = 0.0, ds = 0.0, smax = 0.0, dsu = 0.0;
    const auto folded = const_view(D.data(), m, n, 3);
    const auto unfolded = const_view(dev.data(), m, n_all, 3);
    for (std::size_t i = 0; i < n; ++i) {
        de = std::max(de, std::abs(e[i] - ref.per_atom_energies[i]));
        ds = std::max(ds, std::abs(committee_force_spread(folded, i) - ref.force_spread[i]));
        dsu = std::max(dsu, std::abs(committee_force_spread(unfolded, i) - ref.force_spread[i]));
        smax = std::max(smax, ref.force_spread[i]);
    }
    CHECK(de <= 1e-10);
    INFO("largest force spread " << smax << ", off by " << ds << " folded, " << dsu << " without folding");
    CHECK(ds <= 1e-12);
    CHECK(dsu > 1e-6 * smax);  // the folding matters: spreads of the unfolded rows are not the atoms' spreads
    check_per_atom_sums(e, V, out.energy, out.virial);
}
