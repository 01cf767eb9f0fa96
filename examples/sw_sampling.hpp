// Reference configurations of silicon sampled with Stillinger-Weber molecular dynamics (stillinger_weber.hpp driven
// by hdnnp::md::Dynamics), for examples/make_sw_model.cpp and the test that regenerates them.
//
//   for (const sw_sampling::Job& job : sw_sampling::jobs()) { auto snapshots = sw_sampling::run(job); ... }
//
// Every job is independent and seeded by its own number (the cell strain from training::Random, velocities and
// Langevin noise from md::Settings::seed), so any job regenerates alone and jobs can run in parallel. A job
// builds a cell, runs Langevin dynamics (BAOAB, 1 fs steps, friction 0.01/fs, Si mass 28.085 u) through a
// temperature schedule and keeps snapshots: atoms wrapped into the cell, labelled with the SW energy [eV] and
// forces [eV/A]. Units: eV, Angstrom, fs, K.
//
// The jobs (56 jobs, 168 structures, 8662 atoms; about 50 s with 2 threads):
//   - ideal diamond, 2-atom primitive cells, a = 5.20 ... 5.70 A (the E(a) curve, no dynamics);
//   - diamond, 8-atom cubic cells (smaller than the model's cutoff), random strains up to 6 % incl. shear,
//     300-1200 K;
//   - diamond, 64-atom cells (2x2x2), a = 5.25 ... 5.63 A (-3.3 % ... +3.7 %), random strains up to 2.5 %,
//     300, 900 and 1500 K;
//   - liquid, 64 atoms at 0.047-0.056 A^-3 and 2500, 3000, 3500 K (diamond melted at 5000 K first);
//   - amorphous: liquid at 3500 K quenched in 1 ps stages to 300 K, snapshots from 1500 K down;
//   - 216-atom diamond at 1000 K and liquid at 3000 K.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "hdnnp/core/structure.hpp"
#include "hdnnp/md/dynamics.hpp"
#include "hdnnp/training/setup.hpp"
#include "stillinger_weber.hpp"

namespace sw_sampling {

using hdnnp::Mat3;
using hdnnp::Structure;
using hdnnp::Vec3;
using hdnnp::operator+;
using hdnnp::operator*;
using hdnnp::operator-=;

inline constexpr double kTimeStep = 1.0;   ///< [fs]
inline constexpr double kFriction = 0.01;  ///< Langevin friction [1/fs]

enum class Start { diamond, liquid };

/// One stage of a temperature schedule: `steps` Langevin steps at `temperature` [K], then `snapshots`
/// snapshots each `interval` steps apart.
struct Stage {
    double temperature;
    std::size_t steps, snapshots = 0, interval = 0;
};

struct Job {
    std::string name;       ///< written into each snapshot's comment
    int cells = 2;          ///< n x n x n cubic diamond cells (8 n^3 atoms); 0: the 2-atom primitive cell
    double a = 5.431;       ///< lattice constant [A] of the start (liquids: from the density)
    double strain = 0.0;    ///< amplitude of the random symmetric strain (entries uniform in [-strain, strain])
    std::vector<Stage> stages;  ///< empty: the ideal (strained) cell itself is the only snapshot
    std::uint64_t seed = 1;
};

/// Cubic diamond, n x n x n conventional cells (n = 0: the 2-atom fcc primitive cell), lattice constant a [A],
/// cell and positions deformed by (1 + strain) (strain symmetric).
inline Structure diamond(int n, double a, const Mat3& strain = Mat3{}) {
    Mat3 base{};
    if (n == 0) base = {Vec3{0.0, 0.5 * a, 0.5 * a}, Vec3{0.5 * a, 0.0, 0.5 * a}, Vec3{0.5 * a, 0.5 * a, 0.0}};
    else base = {Vec3{n * a, 0, 0}, Vec3{0, n * a, 0}, Vec3{0, 0, n * a}};
    auto deform = [&](const Vec3& r) {
        Vec3 out{};
        for (int k = 0; k < 3; ++k) out[k] = r[k] + strain[k][0] * r[0] + strain[k][1] * r[1] + strain[k][2] * r[2];
        return out;
    };
    Structure s;
    s.periodic = true;
    for (int k = 0; k < 3; ++k) s.lattice[k] = deform(base[k]);
    const double fcc[4][3] = {{0, 0, 0}, {0, 0.5, 0.5}, {0.5, 0, 0.5}, {0.5, 0.5, 0}};
    const int m = n == 0 ? 1 : n;
    const int nfcc = n == 0 ? 1 : 4;
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < m; ++j)
            for (int k = 0; k < m; ++k)
                for (int b = 0; b < nfcc; ++b)
                    for (double shift : {0.0, 0.25}) {
                        const Vec3 r{a * (i + fcc[b][0] + shift), a * (j + fcc[b][1] + shift), a * (k + fcc[b][2] + shift)};
                        s.add_atom("Si", deform(r));
                    }
    return s;
}

/// Wraps atoms into the cell (fractional coordinates in [0, 1)).
inline void wrap(Structure& s) {
    const Mat3 inv = hdnnp::reciprocal_rows(s.lattice);
    for (Vec3& r : s.positions)
        for (int k = 0; k < 3; ++k) r -= std::floor(hdnnp::dot(inv[k], r)) * s.lattice[k];
}

/// The structure labelled with its SW energy and forces.
inline Structure labelled(Structure s, const std::string& comment, const sw::Parameters& p = {}) {
    wrap(s);
    sw::Output o = sw::compute(s, p);
    s.energy = o.energy;
    s.has_energy = true;
    s.forces = std::move(o.forces);
    s.comment = comment;
    return s;
}

/// Number of snapshots run(job) returns.
inline std::size_t snapshot_count(const Job& job) {
    if (job.stages.empty()) return 1;
    std::size_t n = 0;
    for (const Stage& st : job.stages) n += st.snapshots;
    return n;
}

/// Runs one job: its snapshots, labelled.
inline std::vector<Structure> run(const Job& job) {
    hdnnp::training::Random rng(job.seed);
    Mat3 e{};
    for (int k = 0; k < 3; ++k)
        for (int l = k; l < 3; ++l) e[k][l] = e[l][k] = rng.uniform(-job.strain, job.strain);
    Structure s = diamond(job.cells, job.a, e);
    std::vector<Structure> out;
    if (job.stages.empty()) {
        out.push_back(labelled(s, job.name));
        return out;
    }
    const sw::Potential pot;
    std::vector<Vec3> v;
    for (std::size_t k = 0; k < job.stages.size(); ++k) {
        const Stage& st = job.stages[k];
        hdnnp::md::Settings set;
        set.timestep = kTimeStep;
        set.ensemble = hdnnp::md::Ensemble::langevin;
        set.temperature = st.temperature;
        set.friction = kFriction;
        set.seed = job.seed * 1000 + k;
        hdnnp::md::Dynamics<sw::Potential> md(pot, s, hdnnp::md::Units{}, set);
        if (k == 0) md.draw_velocities(st.temperature);
        else md.set_velocities(v);
        for (std::size_t t = 0; t < st.steps; ++t) md.step();
        for (std::size_t n = 0; n < st.snapshots; ++n) {
            for (std::size_t t = 0; t < st.interval; ++t) md.step();
            char tag[96];
            std::snprintf(tag, sizeof tag, ", %.0f K, t = %.2f ps", st.temperature, 1e-3 * kTimeStep * double(md.steps()));
            out.push_back(labelled(md.structure(), job.name + tag));
        }
        s = md.structure();
        v = md.velocities();
    }
    return out;
}

inline std::string fixed(const char* f, double x) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, x);
    return buf;
}

/// Every job of the reference data, in order; seeds are 1, 2, 3, ...
inline std::vector<Job> jobs() {
    std::vector<Job> J;
    auto add = [&](Job j) {
        j.seed = J.size() + 1;
        J.push_back(std::move(j));
    };
    // Ideal diamond, E(a) curve (2-atom cells).
    for (int k = 0; k <= 10; ++k) {
        const double a = 5.20 + 0.05 * k;
        add(Job{"ideal diamond a=" + fixed("%.2f", a) + " A", 0, a, 0.0, {}});
    }
    // Diamond, 8-atom cells, strongly strained.
    for (double T : {300.0, 600.0, 900.0, 1200.0})
        for (double a : {5.30, 5.431, 5.56}) {
            std::string name = "diamond 8 atoms a=" + fixed("%.3f", a) + " A strained 6 %";
            add(Job{name, 1, a, 0.06, {Stage{T, 300, 3, 150}}});
        }
    // Diamond, 64-atom cells.
    for (double a : {5.25, 5.34, 5.431, 5.53, 5.63})
        for (double T : {300.0, 900.0, 1500.0}) {
            std::string name = "diamond 64 atoms a=" + fixed("%.3f", a) + " A strained 2.5 %";
            add(Job{name, 2, a, 0.025, {Stage{T, 400, 3, 200}}});
        }
    // Liquids, 64 atoms: diamond at the density's lattice constant, melted at 5000 K.
    for (double rho : {0.047, 0.050, 0.053, 0.056})
        for (double T : {2500.0, 3000.0, 3500.0}) {
            std::string name = "liquid 64 atoms rho=" + fixed("%.3f", rho) + " A^-3";
            add(Job{name, 2, std::cbrt(8.0 / rho), 0.0, {Stage{5000.0, 1000}, Stage{T, 1000, 4, 250}}});
        }
    // Amorphous: melt, quench in 1 ps stages, snapshots from 1500 K down.
    for (double rho : {0.049, 0.051})
        for (int rep = 0; rep < 2; ++rep) {
            std::string name = "amorphous (melt-quench) 64 atoms rho=" + fixed("%.3f", rho) + " A^-3";
            std::vector<Stage> st{Stage{5000.0, 1000}, Stage{3500.0, 1000}};
            for (double T : {3000.0, 2500.0, 2000.0}) st.push_back(Stage{T, 1000});
            for (double T : {1500.0, 1200.0, 900.0, 600.0}) st.push_back(Stage{T, 1000, 1, 200});
            st.push_back(Stage{300.0, 1000, 2, 300});
            add(Job{name, 2, std::cbrt(8.0 / rho), 0.0, st});
        }
    // 216-atom cells.
    add(Job{"diamond 216 atoms a=5.431 A", 3, 5.431, 0.0, {Stage{1000.0, 500, 2, 250}}});
    add(Job{"liquid 216 atoms rho=0.053 A^-3", 3, std::cbrt(8.0 / 0.053), 0.0, {Stage{5000.0, 800}, Stage{3000.0, 1000, 2, 250}}});
    return J;
}

/// The structure of input.data: 216-atom diamond at a = 5.431 A after 2 ps of Langevin dynamics at 1000 K
/// (seed 9001), labelled with SW.
inline Structure input_structure() {
    Job j{"diamond 216 atoms a=5.431 A (input.data)", 3, 5.431, 0.0, {Stage{1000.0, 1500, 1, 500}}};
    j.seed = 9001;
    return run(j).at(0);
}

}  // namespace sw_sampling
