// Molecular dynamics for validation (hdnnp/md): energy conservation, thermostats, RDF normalisation, units, masses.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "hdnnp/core/elements.hpp"
#include "hdnnp/io/input_data.hpp"
#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/md/dynamics.hpp"
#include "hdnnp/md/rdf.hpp"
#include "hdnnp/potential/potential.hpp"
#include "support/reference.hpp"

using namespace hdnnp;

namespace {

std::string argon_dir() { return std::string(HDNNP_SOURCE_DIR) + "/examples/argon-lj"; }

const Potential<>& argon() {
    static const Potential<> pot = Potential<>::load(argon_dir());
    return pot;
}

Structure argon_liquid() { return io::read_input_data(argon_dir() + "/input.data").at(0); }

double mean_of_last_half(const std::vector<double>& v) {
    double s = 0.0;
    for (std::size_t k = v.size() / 2; k < v.size(); ++k) s += v[k];
    return s / double(v.size() - v.size() / 2);
}

/// The argon model pretending to work in bohr and hartree: positions in, energies and forces out converted.
struct BohrHartreeArgon {
    Result compute(const Structure& s, const ComputeOptions& opt) const {
        Structure a = s;
        for (auto& r : a.positions) r = md::kBohr * r;
        for (auto& l : a.lattice) l = md::kBohr * l;
        Result r = argon().compute(a, opt);
        r.energy /= md::kHartree;
        for (auto& f : r.forces) f = (md::kBohr / md::kHartree) * f;
        return r;
    }
};

}  // namespace

TEST_CASE("Standard atomic weights", "[md]") {
    CHECK(atomic_weight("H") == 1.008);
    CHECK(atomic_weight("O") == 15.999);
    CHECK(atomic_weight("Ar") == 39.95);
    CHECK(atomic_weight("Au") == 196.97);
    CHECK(atomic_weight(118) == 294.0);
    CHECK(atomic_weight("Xx") == 0.0);
    CHECK(atomic_weight(0) == 0.0);
    // Increasing with Z except for the well-known inversions (Ar/K, Co/Ni, Te/I, Th/Pa, U/Np...): spot checks.
    CHECK(atomic_weight("Ar") > atomic_weight("K"));
    CHECK(atomic_weight("C") < atomic_weight("N"));
}

TEST_CASE("Unit constants: a = F/m in Å/fs^2 and k_B", "[md]") {
    // 1 eV/Å on 1 u: 1.602176634e-19 J / 1e-10 m / 1.66053906660e-27 kg = 9.6485e17 m/s^2 = 9.6485e-3 Å/fs^2
    CHECK(md::kAccelerationUnit == Approx(9.64853321e-3).epsilon(1e-8));
    CHECK(md::kBoltzmann == Approx(1.0 / 11604.518).epsilon(1e-6));
    CHECK(md::Units::from_names("bohr", "hartree").length == md::kBohr);
    CHECK(md::Units::from_names("angstrom", "hartree").energy == md::kHartree);
    CHECK_THROWS_WITH(md::Units::from_names("nm", "ev"), Catch::Contains("angstrom or bohr"));
    CHECK_THROWS_WITH(md::Units::from_names("bohr", "kcal"), Catch::Contains("ev or hartree"));
    CHECK_THROWS_WITH(md::parse_ensemble("npt"), Catch::Contains("nve, langevin or nose-hoover"));
}

TEST_CASE("Initial velocities: exact temperature, zero momentum, reproducible", "[md]") {
    md::Settings set;
    set.seed = 7;
    md::Dynamics<Potential<>> a(argon(), argon_liquid(), md::Units{}, set), b(argon(), argon_liquid(), md::Units{}, set);
    a.draw_velocities(90.0);
    b.draw_velocities(90.0);
    CHECK(a.temperature() == Approx(90.0).epsilon(1e-12));
    Vec3 p{0, 0, 0};
    for (std::size_t i = 0; i < a.velocities().size(); ++i) p = p + a.masses()[i] * a.velocities()[i];
    CHECK(norm(p) < 1e-12);
    CHECK(a.velocities() == b.velocities());
    // E_kin = dof/2 k_B T with dof = 3N - 3
    CHECK(a.kinetic_energy() == Approx(0.5 * (3.0 * 256 - 3.0) * md::kBoltzmann * 90.0).epsilon(1e-12));
}

TEST_CASE("NVE velocity Verlet conserves the energy of liquid argon", "[md]") {
    // 256 atoms at 90 K, 4 fs steps for 1 ps. Measured: E_tot per atom stays within 5.7e-7 eV/atom of its start,
    // least-squares drift 1.3e-7 eV/atom/ps (thermal kinetic energy: 1.2e-2 eV/atom). Tolerances about 10x that.
    md::Settings set;
    set.timestep = 4.0;
    md::Dynamics<Potential<>> dyn(argon(), argon_liquid(), md::Units{}, set);
    dyn.draw_velocities(90.0);
    const double n = 256.0, e0 = dyn.total_energy() / n;
    std::vector<double> t{0.0}, e{e0};
    double worst = 0.0, ekin_change = 0.0;
    const double k0 = dyn.kinetic_energy() / n;
    for (int k = 0; k < 250; ++k) {
        dyn.step();
        t.push_back(dyn.time_ps());
        e.push_back(dyn.total_energy() / n);
        worst = std::max(worst, std::abs(e.back() - e0));
        ekin_change = std::max(ekin_change, std::abs(dyn.kinetic_energy() / n - k0));
    }
    const double drift = md::linear_fit(t, e).first;
    INFO("max |E - E0| = " << worst << " eV/atom, drift " << drift << " eV/atom/ps, max |dEkin| " << ekin_change);
    CHECK(ekin_change > 1e-4);  // the atoms did move and exchange energy
    CHECK(worst < 5e-6);
    CHECK(std::abs(drift) < 2e-6);
    CHECK(dyn.steps() == 250);
    CHECK(dyn.time_ps() == Approx(1.0));
}

TEST_CASE("Langevin and Nose-Hoover reach the target temperature", "[md]") {
    // Start at 40 K, target 120 K; 256 argon atoms, 4 fs steps, 2.4 ps. The mean temperature over the second
    // half must be within 10 % of the target (instantaneous fluctuations are sqrt(2/3N) = 5 %). Measured: Langevin
    // 119.96 K, Nose-Hoover 120.65 K; the Nose-Hoover conserved quantity varies by 3.5e-6 eV/atom.
    for (const auto ens : {md::Ensemble::langevin, md::Ensemble::nose_hoover}) {
        md::Settings set;
        set.timestep = 4.0;
        set.ensemble = ens;
        set.temperature = 120.0;
        set.friction = 0.02;
        set.thermostat_time = 100.0;
        set.seed = 3;
        md::Dynamics<Potential<>> dyn(argon(), argon_liquid(), md::Units{}, set);
        dyn.draw_velocities(40.0);
        std::vector<double> temps, conserved;
        for (int k = 0; k < 600; ++k) {
            dyn.step();
            temps.push_back(dyn.temperature());
            conserved.push_back(dyn.conserved_energy() / 256.0);
        }
        const double mean = mean_of_last_half(temps);
        INFO(md::ensemble_name(ens) << ": mean T over the second half " << mean << " K");
        CHECK(std::abs(mean - 120.0) < 12.0);
        if (ens == md::Ensemble::nose_hoover) {
            double worst = 0.0;
            for (double c : conserved) worst = std::max(worst, std::abs(c - conserved.front()));
            INFO("Nose-Hoover conserved quantity varies by " << worst << " eV/atom");
            CHECK(worst < 2e-5);
        }
    }
}

TEST_CASE("A bohr/hartree model gives the same trajectory, energies (eV) and temperature as in Å/eV", "[md]") {
    md::Settings set;
    set.timestep = 4.0;
    set.seed = 11;
    const Structure sa = argon_liquid();
    Structure sb = sa;
    for (auto& r : sb.positions) r = (1.0 / md::kBohr) * r;
    for (auto& l : sb.lattice) l = (1.0 / md::kBohr) * l;
    const BohrHartreeArgon bh;
    md::Dynamics<Potential<>> a(argon(), sa, md::Units{}, set);
    md::Dynamics<BohrHartreeArgon> b(bh, sb, md::Units::from_names("bohr", "hartree"), set);
    a.draw_velocities(90.0);
    b.draw_velocities(90.0);
    for (int k = 0; k < 20; ++k) {
        a.step();
        b.step();
    }
    CHECK(b.potential_energy() == Approx(a.potential_energy()).epsilon(1e-11));
    CHECK(b.kinetic_energy() == Approx(a.kinetic_energy()).epsilon(1e-9));
    CHECK(b.temperature() == Approx(a.temperature()).epsilon(1e-9));
    double dx = 0.0;
    for (std::size_t i = 0; i < sa.size(); ++i)
        dx = std::max(dx, norm(md::kBohr * b.structure().positions[i] - a.structure().positions[i]));
    CHECK(dx < 1e-9);
    const auto fa = a.forces_ev_per_angstrom(), fb = b.forces_ev_per_angstrom();
    CHECK(norm(fa[5] - fb[5]) < 1e-9 * (1.0 + norm(fa[5])));
}

TEST_CASE("4G MD with the CG solver starts each solve from the previous step's charges and adjoint", "[md][4g]") {
    const std::string dir = test::predict_dir("H2O_RPBE-D3_4G");
    const auto pot = Potential<>::load(dir);
    md::Settings set;
    set.timestep = 0.5;
    set.seed = 5;
    set.compute.solver = QeqSolverKind::cg;
    set.compute.cg_tolerance = 1e-10;
    md::Dynamics<Potential<>> d(pot, io::read_input_data(dir + "/input.data").at(0), md::Units::from_names("bohr", "hartree"), set);
    d.draw_velocities(300.0);
    for (int k = 0; k < 3; ++k) d.step();
    const Result& warm = d.result();
    const Result cold = pot.compute(d.structure(), set.compute);
    double df = 0.0;
    for (std::size_t i = 0; i < cold.forces.size(); ++i) df = std::max(df, norm(warm.forces[i] - cold.forces[i]));
    std::printf("4G water MD, CG tol 1e-10: step 3 warm %zu + %zu iterations (initial residuals %.1e, %.1e), cold %zu + %zu "
                "(%.1e, %.1e); max|dF| %.2e Ha/bohr, |dE| %.2e Ha\n",
                warm.qeq_stats.iterations, warm.adjoint_stats.iterations, warm.qeq_stats.initial_residual,
                warm.adjoint_stats.initial_residual, cold.qeq_stats.iterations, cold.adjoint_stats.iterations,
                cold.qeq_stats.initial_residual, cold.adjoint_stats.initial_residual, df, std::abs(warm.energy - cold.energy));
    // The warm start is used (a start residual far below the cold one's); with ~1.5 decades per CG iteration a
    // 0.5 fs step saves at most about one iteration, so the count is only required not to grow.
    CHECK(warm.qeq_stats.initial_residual < 0.1 * cold.qeq_stats.initial_residual);
    CHECK(warm.adjoint_stats.initial_residual < cold.adjoint_stats.initial_residual);  // the adjoint's right side moves more
    CHECK(warm.qeq_stats.iterations <= cold.qeq_stats.iterations);
    CHECK(warm.adjoint_stats.iterations <= cold.adjoint_stats.iterations);
    CHECK(df <= 2.0 * 0.1 * set.compute.cg_tolerance);  // the CG force bound of docs/4g-large-systems.md, twice
    CHECK(std::abs(warm.energy - cold.energy) <= 1e-9);
}

TEST_CASE("Closest approach and bad settings", "[md]") {
    md::Settings set;
    set.min_distance = 3.0;  // Å: liquid argon has pairs near 3.4 Å, none below ~3
    md::Dynamics<Potential<>> dyn(argon(), argon_liquid(), md::Units{}, set);
    set.min_distance = 4.0;
    md::Dynamics<Potential<>> dyn4(argon(), argon_liquid(), md::Units{}, set);
    CHECK(std::isinf(dyn.closest()));
    CHECK(dyn4.closest() < 4.0);
    CHECK(dyn4.closest() > 2.5);
    md::Settings bad;
    bad.timestep = -1.0;
    CHECK_THROWS_WITH(md::Dynamics<Potential<>>(argon(), argon_liquid(), md::Units{}, bad), Catch::Contains("time step must be positive"));
    bad.timestep = 1.0;
    bad.ensemble = md::Ensemble::langevin;
    bad.temperature = 0.0;
    CHECK_THROWS_WITH(md::Dynamics<Potential<>>(argon(), argon_liquid(), md::Units{}, bad), Catch::Contains("needs a positive temperature"));
    Structure unknown = argon_liquid();
    unknown.symbols[3] = "Qq";
    CHECK_THROWS(md::Dynamics<Potential<>>(argon(), unknown, md::Units{}, md::Settings{}));
}

TEST_CASE("RDF of uniformly random positions is 1 (orthorhombic and triclinic cells)", "[md][rdf]") {
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const std::vector<Mat3> cells = {Mat3{Vec3{18, 0, 0}, Vec3{0, 20, 0}, Vec3{0, 0, 22}},
                                     Mat3{Vec3{18, 0, 0}, Vec3{6, 19, 0}, Vec3{-4, 5, 21}}};
    for (const Mat3& cell : cells) {
        md::RadialDistribution rdf({"O", "H"}, 0.95 * md::half_min_width(cell), 20);
        for (int frame = 0; frame < 6; ++frame) {
            Structure s;
            s.periodic = true;
            s.lattice = cell;
            for (int i = 0; i < 900; ++i) {
                const Vec3 f{u(rng), u(rng), u(rng)};
                s.add_atom(i % 3 == 0 ? "O" : "H", f[0] * cell[0] + f[1] * cell[1] + f[2] * cell[2]);
            }
            rdf.add(s);
        }
        REQUIRE(rdf.pairs().size() == 3);
        CHECK(rdf.pair_name(0) == "O-O");
        CHECK(rdf.pair_name(1) == "O-H");
        CHECK(rdf.pair_name(2) == "H-H");
        for (std::size_t p = 0; p < 3; ++p) {
            double sum = 0.0, worst = 0.0;
            std::size_t nb = 0;
            for (std::size_t b = 4; b < rdf.bins(); ++b) {  // small-r bins hold few pairs
                sum += rdf.g(p, b);
                worst = std::max(worst, std::abs(rdf.g(p, b) - 1.0));
                ++nb;
            }
            INFO(rdf.pair_name(p) << ": mean g " << sum / double(nb) << ", worst bin deviation " << worst);
            CHECK(std::abs(sum / double(nb) - 1.0) < 0.03);
            CHECK(worst < 0.25);
        }
    }
    md::RadialDistribution too_far({"O"}, 12.0, 10);
    Structure s;
    s.periodic = true;
    s.lattice = cells[0];
    s.add_atom("O", {1, 1, 1});
    CHECK_THROWS_WITH(too_far.add(s), Catch::Contains("exceeds half the smallest cell width"));
    Structure cluster;
    cluster.add_atom("O", {0, 0, 0});
    CHECK_THROWS_WITH(too_far.add(cluster), Catch::Contains("no periodic cell"));
}

TEST_CASE("RDF of a simple cubic lattice: the first shell in the right bin with the right weight", "[md][rdf]") {
    // 6 neighbours at a = 3.05 Å: g integrates to the coordination number, 4 pi rho int g r^2 dr = 6.
    Structure s;
    s.periodic = true;
    const int m = 6;
    const double a = 3.05;
    s.lattice = {Vec3{m * a, 0, 0}, Vec3{0, m * a, 0}, Vec3{0, 0, m * a}};
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < m; ++j)
            for (int k = 0; k < m; ++k) s.add_atom("Ar", {a * i, a * j, a * k});
    md::RadialDistribution rdf({"Ar"}, 3.5, 35);
    rdf.add(s);
    const double rho = double(s.size()) / std::pow(m * a, 3), dr = 0.1;
    double n1 = 0.0;
    for (std::size_t b = 0; b < rdf.bins(); ++b) {
        const double r0 = b * dr, r1 = r0 + dr;
        n1 += rdf.g(0, b) * rho * 4.0 * 3.14159265358979323846 / 3.0 * (r1 * r1 * r1 - r0 * r0 * r0) * double(s.size() - 1) / double(s.size());
    }
    CHECK(n1 == Approx(6.0).epsilon(1e-9));
    CHECK(rdf.g(0, 30) > 0.0);  // r = 3.05 falls in bin [3.0, 3.1)
    CHECK(rdf.g(0, 29) == 0.0);
    CHECK(rdf.g(0, 31) == 0.0);
}
