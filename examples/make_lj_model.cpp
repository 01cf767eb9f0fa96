// make_lj_model: builds the shipped example potential examples/argon-lj from scratch.
//
//   make_lj_model [output_dir]          (default: ./argon-lj)
//
// 1. Reference data: Langevin molecular dynamics of argon-like Lennard-Jones systems (lennard_jones.hpp:
//    eps = 0.0104 eV, sigma = 3.40 A, rc = 8.5 A, energy shifted) in small periodic cells: strained fcc
//    crystals at 20-60 K and liquids at densities 0.012-0.026 A^-3 and 85-250 K. Snapshots are labelled
//    with LJ energies and forces.
// 2. A 2G HDNNP (input.nn written below: 14 radial + 4 angular symmetry functions, POLY2 cutoff at
//    8.5 A, 15-15 tanh network) gets its scaling statistics and normalisation from the data and is fitted
//    to energies and forces with the project's trainer (Adam).
// 3. The model is written in n2p2 format, read back from disk and evaluated with Potential on the
//    training and test sets and on a separate 256-atom liquid (input.data) against LJ.
// Everything is seeded: a run reproduces the files (up to compiler-dependent rounding).
// Units throughout: eV, Angstrom, amu, fs, K.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "hdnnp/potential/potential.hpp"
#include "hdnnp/io/input_data.hpp"
#include "hdnnp/io/n2p2_model.hpp"
#include "hdnnp/io/n2p2_writer.hpp"
#include "hdnnp/training/setup.hpp"
#include "hdnnp/training/statistics.hpp"
#include "hdnnp/training/trainer.hpp"
#include "lennard_jones.hpp"

using hdnnp::Mat3;
using hdnnp::Structure;
using hdnnp::Vec3;
using hdnnp::operator+;
using hdnnp::operator-;
using hdnnp::operator*;
using hdnnp::operator+=;
using hdnnp::operator-=;

namespace {

constexpr double kBoltzmann = 8.617333262e-5;  // eV/K
constexpr double kMass = 39.948;               // amu (argon)
constexpr double kAccel = 9.64853321e-3;       // 1 eV/(A amu) in A/fs^2
constexpr double kTimeStep = 5.0;              // fs
constexpr double kFriction = 0.01;             // 1/fs (Langevin)

double elapsed(const std::chrono::steady_clock::time_point& t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

/// Full-precision decimal text of a double (round-trips exactly).
std::string exact(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

/// Periodic cell with cell matrix rows `cell` and no atoms.
Structure empty_cell(const Mat3& cell) {
    Structure s;
    s.periodic = true;
    s.lattice = cell;
    return s;
}

/// Wraps atoms into the cell (fractional coordinates in [0, 1)).
void wrap(Structure& s) {
    const Mat3 inv = hdnnp::reciprocal_rows(s.lattice);
    for (Vec3& r : s.positions)
        for (int k = 0; k < 3; ++k) r -= std::floor(hdnnp::dot(inv[k], r)) * s.lattice[k];
}

/// fcc crystal of n x n x n conventional cells with lattice constant a, deformed by the strain matrix
/// (1 + eps) applied to cell and positions.
Structure fcc(int n, double a, const Mat3& eps) {
    Mat3 cell{};
    for (int k = 0; k < 3; ++k)
        for (int l = 0; l < 3; ++l) cell[k][l] = n * a * ((k == l ? 1.0 : 0.0) + eps[k][l]);
    Structure s = empty_cell(cell);
    const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            for (int k = 0; k < n; ++k)
                for (const auto& b : basis) {
                    const double f[3] = {(i + b[0]) / n, (j + b[1]) / n, (k + b[2]) / n};
                    s.add_atom("Ar", f[0] * cell[0] + f[1] * cell[1] + f[2] * cell[2]);
                }
    return s;
}

/// n atoms inserted at random into a cubic cell of the given density, no two closer than ~2.9 A.
Structure random_fluid(std::size_t n, double density, hdnnp::training::Random& rng) {
    const double L = std::cbrt(static_cast<double>(n) / density);
    Structure s = empty_cell(Mat3{Vec3{L, 0, 0}, Vec3{0, L, 0}, Vec3{0, 0, L}});
    double dmin = 2.9;
    std::size_t failures = 0;
    while (s.size() < n) {
        const Vec3 r{rng.uniform() * L, rng.uniform() * L, rng.uniform() * L};
        bool ok = true;
        for (const Vec3& p : s.positions) {
            Vec3 d = r - p;
            for (double& c : d) c -= L * std::round(c / L);
            if (hdnnp::dot(d, d) < dmin * dmin) {
                ok = false;
                break;
            }
        }
        if (ok) {
            s.add_atom("Ar", r);
        } else if (++failures % 2000 == 0) {
            dmin -= 0.05;  // dense packings: relax the exclusion distance slowly
        }
    }
    return s;
}

/// Langevin dynamics (BAOAB splitting) at temperature T; velocities kept in `v` between calls.
class Langevin {
public:
    Langevin(Structure& s, double temperature, hdnnp::training::Random& rng) : s_(s), T_(temperature), rng_(rng) {
        const double sd = std::sqrt(kBoltzmann * T_ * kAccel / kMass);
        v_.resize(s_.size());
        for (Vec3& v : v_) v = {sd * rng_.normal(), sd * rng_.normal(), sd * rng_.normal()};
        f_ = lj::compute(s_).forces;
    }
    void set_temperature(double T) { T_ = T; }
    void run(std::size_t steps) {
        const double h = 0.5 * kTimeStep, c1 = std::exp(-kFriction * kTimeStep);
        for (std::size_t t = 0; t < steps; ++t) {
            const double c2 = std::sqrt((1.0 - c1 * c1) * kBoltzmann * T_ * kAccel / kMass);
            for (std::size_t i = 0; i < s_.size(); ++i) {
                v_[i] += (h * kAccel / kMass) * f_[i];                                  // B
                s_.positions[i] += h * v_[i];                                           // A
                v_[i] = c1 * v_[i] + c2 * Vec3{rng_.normal(), rng_.normal(), rng_.normal()};  // O
                s_.positions[i] += h * v_[i];                                           // A
            }
            wrap(s_);
            f_ = lj::compute(s_).forces;
            for (std::size_t i = 0; i < s_.size(); ++i) v_[i] += (h * kAccel / kMass) * f_[i];  // B
        }
    }

private:
    Structure& s_;
    double T_;
    hdnnp::training::Random& rng_;
    std::vector<Vec3> v_, f_;
};

/// Attaches the LJ energy and forces as the reference data of a structure.
Structure labelled(Structure s, const std::string& comment) {
    const lj::EnergyForces ef = lj::compute(s);
    s.energy = ef.energy;
    s.has_energy = true;
    s.forces = ef.forces;
    s.comment = comment;
    return s;
}

Mat3 random_strain(double amplitude, hdnnp::training::Random& rng) {
    Mat3 e{};
    for (int k = 0; k < 3; ++k)
        for (int l = k; l < 3; ++l) e[k][l] = e[l][k] = rng.uniform(-amplitude, amplitude);
    return e;
}

/// The reference data set: strained fcc crystals and liquids of a few dozen atoms.
std::vector<Structure> make_training_data(hdnnp::training::Random& rng) {
    std::vector<Structure> data;
    // Crystals: 32 atoms (2x2x2 fcc cells), lattice constants around the LJ minimum (5.24 A), 2 % strains.
    for (double a : {5.15, 5.25, 5.35, 5.45, 5.55})
        for (double T : {20.0, 60.0}) {
            Structure s = fcc(2, a, random_strain(0.02, rng));
            Langevin md(s, T, rng);
            for (int k = 0; k < 2; ++k) {
                md.run(200);
                data.push_back(labelled(s, "fcc a=" + fmt("%.2f", a) + " T=" + fmt("%.0f", T) + "K strained, snapshot " +
                                               std::to_string(k + 1)));
            }
        }
    // Liquids: 32-64 atoms, densities 0.017-0.023 A^-3 (liquid argon: 0.021), 85-180 K.
    const std::size_t sizes[] = {32, 40, 48, 64};
    std::size_t job = 0;
    for (double rho : {0.017, 0.019, 0.021, 0.023})
        for (double T : {85.0, 120.0, 180.0}) {
            const std::size_t n = sizes[job++ % 4];
            Structure s = random_fluid(n, rho, rng);
            Langevin md(s, 2.0 * T, rng);  // melt hot, then equilibrate
            md.run(200);
            md.set_temperature(T);
            md.run(400);
            for (int k = 0; k < 4; ++k) {
                md.run(200);
                data.push_back(labelled(s, "liquid N=" + std::to_string(n) + " rho=" + fmt("%.3f", rho) + " T=" + fmt("%.0f", T) +
                                               "K, snapshot " + std::to_string(k + 1)));
            }
        }
    // Extremes for range: dilute hot fluid and compressed hot liquid.
    for (const auto& [rho, T] : {std::pair{0.012, 150.0}, std::pair{0.026, 250.0}}) {
        Structure s = random_fluid(40, rho, rng);
        Langevin md(s, T, rng);
        md.run(600);
        for (int k = 0; k < 3; ++k) {
            md.run(200);
            data.push_back(labelled(s, "fluid N=40 rho=" + fmt("%.3f", rho) + " T=" + fmt("%.0f", T) + "K, snapshot " +
                                           std::to_string(k + 1)));
        }
    }
    // Two larger liquid cells (108 atoms) near the state of the 256-atom test structure.
    {
        Structure s = fcc(3, std::cbrt(4.0 / 0.0211), Mat3{});
        Langevin md(s, 300.0, rng);
        md.run(300);
        md.set_temperature(95.0);
        md.run(600);
        for (int k = 0; k < 4; ++k) {
            md.run(200);
            data.push_back(labelled(s, "liquid N=108 rho=0.0211 T=95K, snapshot " + std::to_string(k + 1)));
        }
    }
    return data;
}

/// The 256-atom liquid argon structure of input.data (90 K, 0.0211 A^-3 = 1.40 g/cm^3).
Structure make_test_structure(hdnnp::training::Random& rng) {
    Structure s = fcc(4, std::cbrt(4.0 / 0.0211), Mat3{});
    Langevin md(s, 300.0, rng);
    md.run(400);  // melt
    md.set_temperature(90.0);
    md.run(1000);
    return labelled(s, "liquid argon, 256 atoms, 90 K, 0.0211 A^-3 (Langevin MD with LJ); energy and forces: LJ reference");
}

std::string input_nn_text(const hdnnp::training::EnergyStatistics& es) {
    std::ostringstream t;
    t << "# Argon-like Lennard-Jones potential fitted by hdnnp (examples/make_lj_model.cpp).\n"
         "# Units: eV, Angstrom. Reference: LJ eps = 0.0104 eV, sigma = 3.40 A, rc = 8.5 A, energy shifted.\n"
         "nnp_type                   2\n"
         "number_of_elements         1\n"
         "elements                   Ar\n"
         "cutoff_type                6            # POLY2\n"
         "scale_symmetry_functions\n"
         "center_symmetry_functions\n"
         "scale_min_short            -1.0\n"
         "scale_max_short            1.0\n"
         "global_hidden_layers_short 2\n"
         "global_nodes_short         15 15\n"
         "global_activation_short    t t l\n"
         "# Normalisation (nnp-norm style): mean energy per atom of the data and 1/spread.\n"
         "mean_energy                " << exact(es.mean_energy_per_atom) << "\n"
         "conv_energy                " << exact(1.0 / es.sigma_energy_per_atom) << "\n"
         "conv_length                1.0\n"
         "# Radial functions: e 2 e1 eta[A^-2] rs[A] rc[A]\n";
    for (double eta : {0.001, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8}) t << "symfunction_short Ar 2 Ar " << eta << " 0.0 8.5\n";
    const double shifted[][2] = {{4.0, 3.3}, {2.0, 3.7}, {2.0, 4.2}, {1.0, 4.8}, {0.5, 5.5}, {0.3, 6.5}, {0.3, 7.5}};
    for (const auto& p : shifted) t << "symfunction_short Ar 2 Ar " << p[0] << " " << p[1] << " 8.5\n";
    t << "# Angular functions: e 3 e1 e2 eta[A^-2] lambda zeta rc[A]\n";
    const double angular[][3] = {{0.001, 1, 1}, {0.001, -1, 1}, {0.001, 1, 4}, {0.01, 1, 1}};
    for (const auto& p : angular) t << "symfunction_short Ar 3 Ar Ar " << p[0] << " " << p[1] << " " << p[2] << " 8.5\n";
    return t.str();
}

struct Comparison {
    double energy_error_per_atom = 0.0, force_rmse = 0.0, force_max = 0.0;
    std::size_t extrapolations = 0;
};

Comparison compare(const hdnnp::Potential<>& pot, const Structure& s) {
    const hdnnp::Result r = pot.compute(s);
    Comparison c;
    c.energy_error_per_atom = (r.energy - s.energy) / static_cast<double>(s.size());
    double sq = 0.0;
    for (std::size_t i = 0; i < s.size(); ++i)
        for (int k = 0; k < 3; ++k) {
            const double d = r.forces[i][k] - s.forces[i][k];
            sq += d * d;
            c.force_max = std::max(c.force_max, std::abs(d));
        }
    c.force_rmse = std::sqrt(sq / static_cast<double>(3 * s.size()));
    c.extrapolations = r.extrapolation_count;
    return c;
}

}  // namespace

int main(int argc, char** argv) {
    namespace tr = hdnnp::training;
    const std::string out_dir = argc > 1 ? argv[1] : "argon-lj";
    const auto t0 = std::chrono::steady_clock::now();
    try {
        // 1. Reference data.
        tr::Random rng(20241124);
        std::vector<Structure> data = make_training_data(rng);
        Structure test_structure = make_test_structure(rng);
        std::size_t atoms = 0;
        for (const auto& s : data) atoms += s.size();
        std::cout << "reference data: " << data.size() << " structures, " << atoms << " atoms (" << fmt("%.1f", elapsed(t0))
                  << " s)\n";

        // 2. Model setup: settings, scaling statistics over all structures, normalisation, weights.
        const tr::EnergyStatistics es = tr::energy_statistics(data);
        const std::string settings = input_nn_text(es);
        hdnnp::Model model = tr::prepare_model(settings, data, 7, tr::WeightInit::nguyen_widrow);
        std::cout << "energy per atom: mean " << fmt("%.6f", es.mean_energy_per_atom) << " eV, spread "
                  << fmt("%.6f", es.sigma_energy_per_atom) << " eV; mean |F| component " << fmt("%.4f", es.mean_force) << " eV/A\n";

        // 3. Fit energies and forces.
        tr::TrainerOptions opt;
        opt.use_forces = true;
        opt.force_weight = 1.0;  // A^2
        opt.epochs = 500;
        opt.batch_size = 4;
        opt.learning_rate = 3e-3;
        opt.learning_rate_final = 1e-5;
        opt.report_interval = 25;
        opt.test_fraction = 0.1;
        opt.seed = 12345;
        tr::Trainer trainer(std::move(model), data, opt);
        trainer.fit_output_bias();
        std::cout << "training: " << trainer.train_indices().size() << " train / " << trainer.test_indices().size()
                  << " test structures, " << trainer.n_parameters() << " parameters (" << fmt("%.1f", elapsed(t0)) << " s)\n";
        std::cout << "epoch   RMSE(E) train/test [meV/atom]   RMSE(F) train/test [meV/A]\n";
        trainer.train([&](const tr::EpochReport& r) {
            if (!r.complete()) return;
            std::cout << fmt("%5.0f", static_cast<double>(r.epoch)) << fmt("   %9.3f", 1e3 * r.train.energy_rmse)
                      << fmt(" %9.3f", 1e3 * r.test.energy_rmse) << fmt("      %9.3f", 1e3 * r.train.force_rmse)
                      << fmt(" %9.3f", 1e3 * r.test.force_rmse) << "   (" << fmt("%.1f", elapsed(t0)) << " s)\n";
        });

        // 4. Write the model and the data.
        for (std::size_t k : trainer.train_indices()) data[k].set = "train";
        for (std::size_t k : trainer.test_indices()) data[k].set = "test";
        hdnnp::io::write_n2p2_model(out_dir, trainer.model(), settings);
        hdnnp::io::write_input_data(out_dir + "/training.data", data);
        hdnnp::io::write_input_data(out_dir + "/input.data", std::vector<Structure>{test_structure});

        // 5. Independent check: the files as written, evaluated with Potential, against LJ.
        const auto pot = hdnnp::Potential<>::load(out_dir);
        auto summarize = [&](const std::vector<std::size_t>& ids, const char* name) {
            double se = 0.0, sf = 0.0, fmax = 0.0;
            std::size_t n = 0, extrapolations = 0;
            for (std::size_t k : ids) {
                const Comparison c = compare(pot, data[k]);
                se += c.energy_error_per_atom * c.energy_error_per_atom;
                sf += c.force_rmse * c.force_rmse * static_cast<double>(3 * data[k].size());
                n += 3 * data[k].size();
                fmax = std::max(fmax, c.force_max);
                extrapolations += c.extrapolations;
            }
            std::cout << name << ": energy RMSE " << fmt("%.3f", 1e3 * std::sqrt(se / static_cast<double>(ids.size())))
                      << " meV/atom, force RMSE " << fmt("%.3f", 1e3 * std::sqrt(sf / static_cast<double>(n)))
                      << " meV/A, max force error " << fmt("%.3f", 1e3 * fmax) << " meV/A, extrapolation warnings "
                      << extrapolations << "\n";
        };
        std::cout << "model read back from " << out_dir << ", evaluated with Potential against LJ:\n";
        summarize(trainer.train_indices(), "  train");
        summarize(trainer.test_indices(), "  test ");
        const Comparison c = compare(pot, hdnnp::io::read_input_data(out_dir + "/input.data").at(0));
        double fref = 0.0;
        for (const Vec3& f : test_structure.forces)
            for (double x : f) fref += x * x;
        fref = std::sqrt(fref / static_cast<double>(3 * test_structure.size()));
        std::cout << "  input.data (256-atom liquid): E_LJ " << fmt("%.6f", test_structure.energy) << " eV, energy error "
                  << fmt("%.3f", 1e3 * c.energy_error_per_atom) << " meV/atom, force RMSE " << fmt("%.3f", 1e3 * c.force_rmse)
                  << " meV/A (RMS LJ force " << fmt("%.1f", 1e3 * fref) << " meV/A), max force error " << fmt("%.3f", 1e3 * c.force_max)
                  << " meV/A, extrapolation warnings " << c.extrapolations << "\n";
        std::cout << "done in " << fmt("%.1f", elapsed(t0)) << " s\n";
    } catch (const std::exception& e) {
        std::cerr << "make_lj_model: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
