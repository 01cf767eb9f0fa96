// hdnnp md: short molecular dynamics runs to check a potential (energy conservation, stability, structure).
// The integrator and thermostats are the library's (hdnnp/md/dynamics.hpp); this file parses arguments, writes the
// log, trajectory and RDF files and the stability report.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <csignal>
#include <unistd.h>

#include "commands.hpp"
#include "hdnnp/hdnnp.hpp"
#include "hdnnp/md/dynamics.hpp"
#include "hdnnp/md/rdf.hpp"
#include "hdnnp/validation/statistics.hpp"
#include "plot.hpp"

namespace hdnnp::cli {

namespace {

const char* const kMdUsage =
    "usage: hdnnp md MODEL_DIR STRUCTURE --steps N --timestep FS [options]\n"
    "\n"
    "Molecular dynamics with an n2p2 model (any generation) from the first structure of STRUCTURE (n2p2\n"
    "input.data, or extended XYZ when the name ends in .xyz/.extxyz), to check the potential: velocity Verlet,\n"
    "masses from the standard atomic weights, initial velocities drawn at --temperature (zero total momentum,\n"
    "rescaled to exactly that temperature; also for nve). Prints a progress line and, at the end, a stability\n"
    "report: energy drift per atom per ps (least-squares line), closest approach, temperature, extrapolation\n"
    "warnings, and when the run failed. Energies in eV, temperatures in K, lengths in Å in every output file.\n"
    "\n"
    "options:\n"
    "  --steps N               number of time steps (required)\n"
    "  --timestep FS           time step in fs (required)\n"
    "  --ensemble E            nve (default), langevin or nose-hoover\n"
    "  --temperature K         initial temperature and thermostat target (default 300)\n"
    "  --friction G            langevin friction in 1/fs (default 0.01)\n"
    "  --tau FS                nose-hoover relaxation time in fs (default 100)\n"
    "  --length-unit U         the model's length unit: angstrom (default) or bohr\n"
    "  --energy-unit U         the model's energy unit: ev (default) or hartree\n"
    "  --log FILE              table per step: step time_ps epot ekin etot temperature\n"
    "  --traj FILE             extended-XYZ trajectory (Å, eV, eV/Å) every --every steps (and step 0)\n"
    "  --every K               trajectory and RDF sampling interval in steps (default 10)\n"
    "  --rdf FILE              radial distribution functions per element pair (periodic cells), sampled every\n"
    "                          --every steps after the first tenth of the run\n"
    "  --rdf-rmax R            RDF range in Å (default: half the smallest cell width, at most 8)\n"
    "  --rdf-bins N            RDF bins (default 200)\n"
    "  --plots DIR             PNG figures: DIR/md_energy.png (from the log) and DIR/rdf.png (from --rdf)\n"
    "  --seed S                random seed (initial velocities, Langevin noise; default 1)\n"
    "  --min-distance D        failure: two atoms closer than D Å (default 0.5)\n"
    "  --max-temperature T     failure: temperature above T K (default: 10 x --temperature, at least 1000)\n"
    "  --keep-going            run all steps after a failure (default: stop at the first)\n"
    "  (Ctrl-C or SIGTERM ends the run after the current step; report, log and RDF are still written.)\n"
    "  --threads N             OpenMP threads (default: OMP_NUM_THREADS or all cores)\n";

double number(const std::string& opt, const std::string& v) {
    char* end = nullptr;
    const double x = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0' || !std::isfinite(x)) throw Error("option " + opt + " needs a number, got '" + v + "'");
    return x;
}

long integer(const std::string& opt, const std::string& v) {
    char* end = nullptr;
    const long x = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0') throw Error("option " + opt + " needs an integer, got '" + v + "'");
    return x;
}

volatile std::sig_atomic_t g_stop = 0;
void request_stop(int) { g_stop = 1; }

Structure in_angstrom(const Structure& s, double length) {
    Structure t = s;
    for (auto& r : t.positions) r = length * r;
    for (auto& l : t.lattice) l = length * l;
    return t;
}

}  // namespace

int md(int argc, char** argv) {
    std::vector<std::string> pos;
    long steps = -1, every = 10, rdf_bins = 200;
    double timestep = -1.0, temperature = 300.0, rdf_rmax = 0.0, min_distance = 0.5, max_temperature = -1.0;
    std::string ensemble = "nve", length_unit = "angstrom", energy_unit = "ev", log_file, traj_file, rdf_file, plots_dir;
    bool keep_going = false;
    md::Settings set;
    for (int k = 0; k < argc; ++k) {
        const std::string a = argv[k];
        auto value = [&](const char* what) -> std::string {
            if (k + 1 >= argc) throw Error("option " + a + " needs " + what);
            return argv[++k];
        };
        if (a == "-h" || a == "--help") { std::cout << kMdUsage; return 0; }
        else if (a == "--steps") steps = integer(a, value("a number of steps"));
        else if (a == "--timestep") timestep = number(a, value("a time step in fs"));
        else if (a == "--ensemble") ensemble = value("nve, langevin or nose-hoover");
        else if (a == "--temperature") temperature = number(a, value("a temperature in K"));
        else if (a == "--friction") set.friction = number(a, value("a friction in 1/fs"));
        else if (a == "--tau") set.thermostat_time = number(a, value("a time in fs"));
        else if (a == "--length-unit") length_unit = value("angstrom or bohr");
        else if (a == "--energy-unit") energy_unit = value("ev or hartree");
        else if (a == "--log") log_file = value("a file name");
        else if (a == "--traj") traj_file = value("a file name");
        else if (a == "--every") every = integer(a, value("a number of steps"));
        else if (a == "--rdf") rdf_file = value("a file name");
        else if (a == "--rdf-rmax") rdf_rmax = number(a, value("a distance in Å"));
        else if (a == "--rdf-bins") rdf_bins = integer(a, value("a number of bins"));
        else if (a == "--plots") plots_dir = value("a directory");
        else if (a == "--seed") set.seed = static_cast<std::uint64_t>(integer(a, value("an integer")));
        else if (a == "--min-distance") min_distance = number(a, value("a distance in Å"));
        else if (a == "--max-temperature") max_temperature = number(a, value("a temperature in K"));
        else if (a == "--keep-going") keep_going = true;
        else if (a == "--threads") set_threads(value("a thread count"));
        else if (!a.empty() && a[0] == '-') throw Error("unknown option " + a + " (see hdnnp md --help)");
        else pos.push_back(a);
    }
    if (pos.size() != 2) {
        std::cerr << kMdUsage;
        throw Error("hdnnp md needs MODEL_DIR and STRUCTURE (got " + std::to_string(pos.size()) + " positional arguments)");
    }
    if (steps < 0) throw Error("--steps N is required (a non-negative number of steps)");
    if (timestep <= 0.0) throw Error("--timestep FS is required and must be positive");
    if (every < 1) throw Error("--every needs a positive number of steps");
    if (temperature < 0.0) throw Error("--temperature must not be negative");
    if (rdf_bins < 1) throw Error("--rdf-bins needs a positive number");
    if (min_distance < 0.0) throw Error("--min-distance must not be negative");
    set.ensemble = md::parse_ensemble(ensemble);
    set.timestep = timestep;
    set.temperature = temperature;
    set.min_distance = min_distance;
    if (max_temperature < 0.0) max_temperature = std::max(1000.0, 10.0 * temperature);
    const md::Units units = md::Units::from_names(length_unit, energy_unit);

    Model loaded = io::load_n2p2_model(pos[0]);
    for (const auto& w : loaded.warnings) std::cerr << "hdnnp: warning: " << pos[0] << ": " << w << "\n";
    const Potential<> pot(std::move(loaded));
    Structure s;
    {
        const std::string& in = pos[1];
        const bool xyz = ends_with(in, ".xyz") || ends_with(in, ".extxyz");
        const bool ok = xyz ? io::ExtxyzReader(in).next(s) : io::InputDataReader(in).next(s);
        if (!ok) throw Error(in + ": no structure found");
    }
    const std::size_t n = s.size();
    set.compute.max_extrapolation_records = 1000;  // per step; the report sums them per element and function

    std::unique_ptr<md::RadialDistribution> rdf;
    if (!rdf_file.empty()) {
        if (!s.periodic) throw Error("--rdf needs a periodic structure (g(r) is normalised by the cell volume)");
        Mat3 cell{units.length * s.lattice[0], units.length * s.lattice[1], units.length * s.lattice[2]};
        const double hw = md::half_min_width(cell);
        if (rdf_rmax <= 0.0) rdf_rmax = std::min(8.0, hw);
        if (rdf_rmax > hw) throw Error("--rdf-rmax " + std::to_string(rdf_rmax) + " Å exceeds half the smallest cell width " + std::to_string(hw) + " Å");
        std::set<std::string> el(s.symbols.begin(), s.symbols.end());
        std::vector<std::string> order;
        for (const auto& e : pot.model().elements)  // the model's element order, restricted to those present
            if (el.count(e.symbol)) order.push_back(e.symbol);
        rdf = std::make_unique<md::RadialDistribution>(order, rdf_rmax, std::size_t(rdf_bins));
    }
    if (!plots_dir.empty()) {
        std::filesystem::create_directories(plots_dir);
        if (log_file.empty()) log_file = plots_dir + "/md.log";
    }
    std::ofstream log, traj;
    if (!log_file.empty()) {
        log.open(log_file);
        if (!log) throw Error("cannot write " + log_file);
    }
    if (!traj_file.empty()) {
        traj.open(traj_file);
        if (!traj) throw Error("cannot write " + traj_file);
    }

    const auto t0 = std::chrono::steady_clock::now();
    md::Dynamics<Potential<>> dyn(pot, s, units, set);
    dyn.draw_velocities(temperature);

    std::vector<double> times, etot_per_atom, conserved_per_atom;
    times.reserve(std::size_t(steps) + 1);
    etot_per_atom.reserve(std::size_t(steps) + 1);
    std::size_t extrap_steps = 0, extrap_total = 0, extrap_max = 0;
    long extrap_first = -1;
    validation::ExtrapolationTally extrap_tally;
    double closest = std::numeric_limits<double>::infinity(), t_min = 1e300, t_max = 0.0, t_sum = 0.0;
    long closest_step = 0;
    std::string failure;
    long failed_at = -1;
    char line[256];
    if (log.is_open()) log << "step time_ps epot ekin etot temperature\n";

    auto record = [&](long step) {
        const double ep = dyn.potential_energy(), ek = dyn.kinetic_energy(), et = ep + ek, T = dyn.temperature();
        times.push_back(dyn.time_ps());
        etot_per_atom.push_back(et / double(n));
        conserved_per_atom.push_back(dyn.conserved_energy() / double(n));
        t_min = std::min(t_min, T);
        t_max = std::max(t_max, T);
        t_sum += T;
        if (log.is_open()) {
            std::snprintf(line, sizeof line, "%ld %.6f %.10f %.10f %.10f %.4f\n", step, dyn.time_ps(), ep, ek, et, T);
            log << line;
        }
        const std::size_t ew = dyn.result().extrapolation_count;
        if (ew) {
            ++extrap_steps;
            extrap_total += ew;
            extrap_max = std::max(extrap_max, ew);
            if (extrap_first < 0) extrap_first = step;
            extrap_tally.add(dyn.result(), std::size_t(step));
        }
        if (dyn.closest() < closest) {
            closest = dyn.closest();
            closest_step = step;
        }
        if (failure.empty()) {
            if (!std::isfinite(et)) failure = "non-finite energy";
            else if (dyn.closest() < min_distance)
                failure = "atoms closer than " + std::to_string(min_distance) + " Å (" + std::to_string(dyn.closest()) + " Å)";
            else if (T > max_temperature)
                failure = "temperature " + std::to_string(T) + " K above " + std::to_string(max_temperature) + " K";
            if (!failure.empty()) failed_at = step;
        }
        if (traj.is_open() && step % every == 0) {
            const Structure sa = in_angstrom(dyn.structure(), units.length);
            const std::vector<Vec3> f = dyn.forces_ev_per_angstrom();
            const double e = ep;
            io::write_extxyz(traj, sa, &f, nullptr, &e);
        }
        if (rdf && step % every == 0 && step >= steps / 10) rdf->add(dyn.structure(), units.length);
    };

    std::fprintf(stderr, "hdnnp md: %zu atoms, %s, %ld steps of %g fs, T = %g K, model units %s/%s\n", n, md::ensemble_name(set.ensemble),
                 steps, timestep, temperature, length_unit.c_str(), energy_unit.c_str());
    record(0);
    const bool tty = isatty(2);
    auto last_progress = std::chrono::steady_clock::now();
    const auto run_start = last_progress;
    long done = 0;
    // Ctrl-C (SIGINT) or SIGTERM ends the run after the current step; the report and the RDF are still written.
    std::signal(SIGINT, request_stop);
    std::signal(SIGTERM, request_stop);
    for (long step = 1; step <= steps && !g_stop; ++step) {
        try {
            dyn.step();
        } catch (const std::exception& e) {
            if (failure.empty()) {
                failure = std::string("evaluation failed: ") + e.what();
                failed_at = step;
            }
            break;
        }
        done = step;
        record(step);
        const auto now = std::chrono::steady_clock::now();
        if (std::chrono::duration<double>(now - last_progress).count() >= (tty ? 1.0 : 30.0) || step == steps) {
            last_progress = now;
            const double el = std::chrono::duration<double>(now - run_start).count();
            const double rate = double(step) / el;
            std::fprintf(stderr, "%sstep %ld/%ld  t %.4f ps  T %.1f K  etot %.6f eV  %.1f steps/s  remaining %.0f s%s", tty ? "\r" : "",
                         step, steps, dyn.time_ps(), dyn.temperature(), dyn.total_energy(), rate, double(steps - step) / rate,
                         tty ? "   " : "\n");
        }
        if (!failure.empty() && !keep_going) break;
    }
    if (tty) std::fprintf(stderr, "\n");
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    if (g_stop) std::fprintf(stderr, "hdnnp md: stopped by a signal after step %ld of %ld\n", done, steps);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (log.is_open()) log.flush();

    // ---- stability report
    const auto fit = md::linear_fit(times, etot_per_atom);
    std::printf("stability report (%s, %zu atoms, %ld of %ld steps, %.4f ps, %.1f s)\n", md::ensemble_name(set.ensemble), n, done, steps,
                dyn.time_ps(), secs);
    std::printf("  energy drift (least squares, etot per atom vs time): %.6e eV/atom/ps\n", fit.first);
    if (set.ensemble == md::Ensemble::nose_hoover)
        std::printf("  conserved-energy drift (with thermostat energy): %.6e eV/atom/ps\n", md::linear_fit(times, conserved_per_atom).first);
    if (etot_per_atom.size() > 1) {
        double lo = etot_per_atom[0], hi = etot_per_atom[0];
        for (double e : etot_per_atom) lo = std::min(lo, e), hi = std::max(hi, e);
        std::printf("  total energy per atom: start %.8f, end %.8f, range %.3e eV/atom\n", etot_per_atom.front(), etot_per_atom.back(),
                    hi - lo);
    }
    std::printf("  temperature: mean %.2f K, min %.2f K, max %.2f K\n", t_sum / double(times.size()), t_min, t_max);
    if (std::isfinite(closest)) std::printf("  closest approach below %.3f Å: %.4f Å at step %ld\n", min_distance, closest, closest_step);
    else if (min_distance > 0.0) std::printf("  closest approach: no two atoms closer than %.3f Å\n", min_distance);
    if (extrap_steps) {
        std::printf("  extrapolation warnings: %zu in %zu of %zu evaluations (first at step %ld, at most %zu in one step)\n", extrap_total,
                    extrap_steps, times.size(), extrap_first, extrap_max);
        const auto functions = extrap_tally.summary();
        std::printf("  extrapolating functions (most frequent first%s):\n    %4s %8s %5s %8s %8s %10s %14s %14s %12s\n",
                    extrap_tally.incomplete() ? "; over 1000 in some step, those not itemised" : "", "el", "function", "type", "count",
                    "steps", "last step", "min", "max", "max excess");
        for (std::size_t k = 0; k < functions.size() && k < 20; ++k) {
            const auto& e = functions[k];
            std::printf("    %4s %8zu %5d %8zu %8zu %10zu %14.6e %14.6e %12.4e\n", e.element.c_str(), e.function, e.type, e.count, e.structures,
                        e.last_structure, e.min, e.max, e.max_excess);
        }
        if (functions.size() > 20) std::printf("    ... %zu more functions\n", functions.size() - 20);
    } else
        std::printf("  extrapolation warnings: none\n");
    if (failure.empty()) std::printf("  result: stable (no failure criterion met)\n");
    else std::printf("  result: FAILED at step %ld (%.4f ps): %s\n", failed_at, double(failed_at) * timestep * 1e-3, failure.c_str());

    if (rdf) {
        if (rdf->frames() == 0) rdf->add(dyn.structure(), units.length);
        std::ofstream out(rdf_file);
        if (!out) throw Error("cannot write " + rdf_file);
        rdf->write(out);
        std::printf("  rdf: %zu frames -> %s\n", rdf->frames(), rdf_file.c_str());
    }
    if (!plots_dir.empty()) {
        std::vector<std::pair<std::string, std::pair<std::string, std::string>>> jobs = {{"md", {log_file, plots_dir + "/md_energy.png"}}};
        if (rdf) jobs.push_back({"rdf", {rdf_file, plots_dir + "/rdf.png"}});
        for (const auto& j : jobs) {
            const PlotStatus p = make_plot(j.first, j.second.first, j.second.second);
            if (p.ok) std::printf("  plot: %s\n", p.message.c_str());
            else std::printf("  plot %s not drawn: %s (data in %s)\n", j.second.second.c_str(), p.message.c_str(), j.second.first.c_str());
        }
    }
    std::fflush(stdout);
    return failure.empty() ? 0 : 3;
}

}  // namespace hdnnp::cli
