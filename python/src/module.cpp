// hdnnp._hdnnp: the Python binding of the library (pybind11).
//
//   pot = _hdnnp.Potential("path/to/model")                 # hdnnp::Potential<>: any generation (2G, 3G, 4G)
//   com = _hdnnp.Committee(["model_a", "model_b"])          # hdnnp::Committee<>: mean and spreads
//   r = pot.compute(positions, numbers, cell=cell, pbc=True, per_atom=True, cflength=..., cfenergy=...)
//   r["energy"], r["forces"], r["stress"], r["stresses"], r["energies"], r["charges"], ...
//
// In: positions (N, 3) and the cell (3, 3) are read from the caller's numpy buffers (any float dtype or
// layout; converted only if not already C-contiguous float64) into one hdnnp::Structure, in one pass that
// also applies cflength. Out: every per-atom array is the library's own std::vector, moved into a numpy
// array that owns it through a capsule (no copy); unit conversion and the per-atom stress are done in place
// in those vectors before they are handed over.
//
// Units: the caller's. cflength = model length per caller length, cfenergy = model energy per caller
// energy (as n2p2's LAMMPS pair style): positions x cflength; energies / cfenergy; forces x cflength /
// cfenergy; stress x cflength^3 / cfenergy (docs/units.md). Keys of the result dict (ASE's names where ASE
// has one; stress in ASE's sign and Voigt order xx yy zz yz xz xy):
//   energy, free_energy                      total energy
//   atomic_energies (N)                      short-range network outputs (n2p2's nnatoms.out convention)
//   energies (N)          per_atom           per-atom energies, summing to energy
//   forces (N, 3)         forces             -dE/dR
//   virial (3, 3)         forces             W = sum r (x) F  [energy]
//   stress (6)            forces, periodic   sigma = -W/V = (1/V) dE/d(strain)
//   stresses (N, 6)       forces, periodic, per_atom   -W_i/V (symmetric part), summing to stress (ASE's lj.py convention)
//   charges (N), electrostatic_energy        3G/4G
//   ewald (eta, real_cutoff, kspace_cutoff)  3G/4G periodic: the Ewald parameters used [length, length, 1/length]
//   ewald_balance                            3G/4G periodic: 'n2p2' or 'balanced' (what `ewald='auto'` chose)
//   qeq_solver                               4G: 'dense' or 'cg' (what qeq_solver='auto' chose)
//   extrapolation_count, extrapolation_warnings (n2p2's warning lines, only when the count is non-zero)
//   energy_spread, force_spread (N), member_energies (M)    committees
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <chrono>
#include <ctime>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hdnnp/core/electrostatics_choice.hpp"
#include "hdnnp/hdnnp.hpp"

namespace py = pybind11;

namespace {

using Pot = hdnnp::Potential<>;
using Com = hdnnp::Committee<>;
using InArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

static_assert(sizeof(hdnnp::Vec3) == 3 * sizeof(double), "Vec3 must be three packed doubles");
static_assert(sizeof(hdnnp::Mat3) == 9 * sizeof(double), "Mat3 must be nine packed doubles");

/// Conversion factors from the caller's units to the model's.
struct Units {
    double length = 1.0;  ///< cflength: model length per caller length
    double energy = 1.0;  ///< cfenergy: model energy per caller energy
};

/// A float64 numpy array of `shape` over the first prod(shape) doubles of `v`, which it takes over
/// (moved into a capsule that the array owns: no copy).
template <class T> py::array take(std::vector<T>&& v, std::vector<py::ssize_t> shape) {
    auto owned = std::make_unique<std::vector<T>>(std::move(v));
    double* data = reinterpret_cast<double*>(owned->data());
    py::capsule base(owned.get(), [](void* p) { delete static_cast<std::vector<T>*>(p); });
    owned.release();
    return py::array_t<double>(std::move(shape), data, base);
}

std::string path_string(const py::handle& p) {
    return py::module_::import("os").attr("fspath")(p).cast<std::string>();
}

/// Element symbols from atomic numbers (an integer array or sequence) or symbols (a sequence of str).
std::vector<std::string> element_symbols(const py::handle& elements, std::size_t n) {
    std::vector<std::string> out;
    out.reserve(n);
    auto from_number = [&](long long z) {
        std::string s = hdnnp::element_symbol(static_cast<int>(z));
        if (s.empty() || z != static_cast<int>(z))
            throw hdnnp::StructureError("atom " + std::to_string(out.size() + 1) + ": atomic number " + std::to_string(z) +
                                        " is not an element");
        out.push_back(std::move(s));
    };
    if (py::isinstance<py::str>(elements) || py::isinstance<py::bytes>(elements))
        throw hdnnp::StructureError("elements: expected one atomic number or symbol per atom, got a single string");
    if (py::isinstance<py::array>(elements)) {
        const py::array a = py::reinterpret_borrow<py::array>(elements);
        const char kind = a.dtype().kind();
        if (kind == 'i' || kind == 'u') {
            const auto z = py::array_t<long long, py::array::c_style | py::array::forcecast>::ensure(a);
            if (z.ndim() != 1 || static_cast<std::size_t>(z.shape(0)) != n)
                throw hdnnp::StructureError("elements: expected " + std::to_string(n) + " atomic numbers (one per position)");
            const long long* p = z.data();
            for (std::size_t i = 0; i < n; ++i) from_number(p[i]);
            return out;
        }
    }
    for (const py::handle item : elements) {
        if (py::isinstance<py::str>(item)) {
            std::string s = item.cast<std::string>();
            if (hdnnp::atomic_number(s) == 0)
                throw hdnnp::StructureError("atom " + std::to_string(out.size() + 1) + ": '" + s + "' is not an element symbol");
            out.push_back(std::move(s));
        } else {
            from_number(py::int_(py::reinterpret_borrow<py::object>(item)).cast<long long>());
        }
    }
    if (out.size() != n)
        throw hdnnp::StructureError("elements: " + std::to_string(out.size()) + " given for " + std::to_string(n) + " positions");
    return out;
}

/// True for pbc = True or (True, True, True), false for False or (False, False, False); mixed
/// periodicity is refused.
bool periodicity(const py::handle& pbc) {
    const auto p = py::array_t<bool, py::array::c_style | py::array::forcecast>::ensure(pbc);
    if (!p || (p.size() != 1 && p.size() != 3)) throw hdnnp::StructureError("pbc: expected a bool or three bools");
    const bool* b = p.data();
    if (p.size() == 1) return b[0];
    if (b[0] == b[1] && b[1] == b[2]) return b[0];
    throw hdnnp::StructureError(std::string("pbc = (") + (b[0] ? "True" : "False") + ", " + (b[1] ? "True" : "False") + ", " +
                                (b[2] ? "True" : "False") +
                                "): mixed periodicity is not supported; hdnnp evaluates clusters (no periodic direction) or cells "
                                "periodic in all three directions (for a 2G model a slab can be made periodic with more vacuum "
                                "than the cutoff along the normal; for 3G/4G models that changes the electrostatics)");
}

/// The structure in the model's units: positions and cell times cflength, in one pass over the buffers.
hdnnp::Structure make_structure(const InArray& positions, const py::handle& elements, const py::handle& cell, const py::handle& pbc,
                                double total_charge, const Units& u) {
    if (positions.ndim() != 2 || positions.shape(1) != 3) throw hdnnp::StructureError("positions: expected an array of shape (N, 3)");
    const std::size_t n = static_cast<std::size_t>(positions.shape(0));
    hdnnp::Structure s;
    s.symbols = element_symbols(elements, n);
    s.positions.resize(n);
    const double* x = positions.data();
    for (std::size_t i = 0; i < n; ++i)
        s.positions[i] = hdnnp::Vec3{{u.length * x[3 * i], u.length * x[3 * i + 1], u.length * x[3 * i + 2]}};
    s.periodic = periodicity(pbc);
    if (s.periodic) {
        if (cell.is_none()) throw hdnnp::StructureError("pbc is True but no cell was given");
        const auto c = InArray::ensure(cell);
        if (!c || c.ndim() != 2 || c.shape(0) != 3 || c.shape(1) != 3)
            throw hdnnp::StructureError("cell: expected an array of shape (3, 3) (rows a, b, c)");
        const double* a = c.data();
        for (int k = 0; k < 3; ++k)
            for (int d = 0; d < 3; ++d) s.lattice[k][d] = u.length * a[3 * k + d];
    }
    s.total_charge = total_charge;
    return s;
}

/// The `ewald` argument: None or "auto" (the model's parameters for this volume, n2p2's up to 512 atoms and
/// balanced for matrix-free products beyond), "n2p2", "balanced", or fixed (eta, real_cutoff, kspace_cutoff)
/// in the caller's units (converted to the model's).
struct EwaldChoice {
    hdnnp::EwaldBalance balance = hdnnp::EwaldBalance::automatic;
    std::optional<hdnnp::EwaldParameters> fixed;
};

EwaldChoice ewald_choice(const py::handle& ewald, const Units& u) {
    EwaldChoice c;
    if (ewald.is_none()) return c;
    if (py::isinstance<py::str>(ewald)) {
        c.balance = hdnnp::parse_ewald_balance(py::cast<std::string>(ewald), "ewald (None, a name or (eta, real_cutoff, kspace_cutoff))");
        return c;
    }
    const auto p = py::cast<std::vector<double>>(ewald);
    if (p.size() != 3 || !(p[0] > 0.0) || !(p[1] > 0.0) || !(p[2] > 0.0))
        throw hdnnp::Error("ewald: expected three positive numbers (eta, real_cutoff, kspace_cutoff)");
    c.fixed = hdnnp::EwaldParameters{p[0] * u.length, p[1] * u.length, p[2] / u.length};
    return c;
}

/// The options of one call; `ewald` must outlive their use.
hdnnp::ComputeOptions options(bool forces, bool per_atom, const EwaldChoice& ewald, hdnnp::QeqSolverKind solver) {
    hdnnp::ComputeOptions opt;
    opt.forces = forces;
    opt.per_atom = per_atom;
    opt.ewald_balance = ewald.balance;
    opt.solver = solver;
    if (ewald.fixed) opt.ewald = &*ewald.fixed;
    return opt;
}

/// ASE's Voigt form (xx yy zz yz xz xy) of the symmetric part of a 3x3 stress. (ASE 3.22's
/// full_3x3_to_voigt_6_stress, which its lj.py applies to per-atom stresses, takes the upper triangle: the
/// same for the symmetric per-atom tensors of pair potentials; hdnnp's per-atom virials are not symmetric.)
std::array<double, 6> voigt(const hdnnp::Mat3& m) {
    return {m[0][0], m[1][1], m[2][2], 0.5 * (m[1][2] + m[2][1]), 0.5 * (m[0][2] + m[2][0]), 0.5 * (m[0][1] + m[1][0])};
}

/// The result dict in the caller's units; the Result's vectors are converted in place and moved out.
py::dict to_dict(hdnnp::Result& r, const hdnnp::Structure& s, const Units& u) {
    const auto n = static_cast<py::ssize_t>(s.size());
    const double cf_force = u.length / u.energy;
    const double cf_stress = u.length * u.length * u.length / u.energy;
    py::dict d;
    d["energy"] = r.energy / u.energy;
    d["free_energy"] = r.energy / u.energy;
    for (double& e : r.atomic_energies) e /= u.energy;
    d["atomic_energies"] = take(std::move(r.atomic_energies), {n});
    if (!r.per_atom_energies.empty()) {
        for (double& e : r.per_atom_energies) e /= u.energy;
        d["energies"] = take(std::move(r.per_atom_energies), {n});
    }
    if (!r.forces.empty()) {
        for (hdnnp::Vec3& f : r.forces)
            for (double& c : f) c *= cf_force;
        d["forces"] = take(std::move(r.forces), {n, 3});
        std::vector<double> w(9);
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) w[static_cast<std::size_t>(3 * a + b)] = r.virial[a][b] / u.energy;
        d["virial"] = take(std::move(w), {3, 3});
    }
    if (r.has_stress) {
        const std::array<double, 6> v = voigt(r.stress);
        std::vector<double> sv(6);
        for (std::size_t k = 0; k < 6; ++k) sv[k] = v[k] * cf_stress;
        d["stress"] = take(std::move(sv), {6});
        if (!r.per_atom_virials.empty()) {
            // sigma_i = -W_i / V (model units), then to the caller's; compacted in place from 9 to 6 doubles per
            // atom (atom i's six values go to [6i, 6i+6), which never overlaps an unread later atom's nine).
            const double k = -cf_stress / std::abs(hdnnp::determinant(s.lattice));
            double* p = reinterpret_cast<double*>(r.per_atom_virials.data());
            for (std::size_t i = 0; i < s.size(); ++i) {
                const std::array<double, 6> vi = voigt(r.per_atom_virials[i]);
                for (std::size_t c = 0; c < 6; ++c) p[6 * i + c] = k * vi[c];
            }
            d["stresses"] = take(std::move(r.per_atom_virials), {n, 6});
        }
    }
    if (!r.charges.empty()) {
        d["charges"] = take(std::move(r.charges), {n});
        d["electrostatic_energy"] = r.electrostatic_energy / u.energy;
        if (s.periodic) {
            d["ewald"] = py::make_tuple(r.ewald.eta / u.length, r.ewald.real_cutoff / u.length, r.ewald.kspace_cutoff * u.length);
            d["ewald_balance"] = hdnnp::ewald_balance_name(r.ewald_balance_used);
        }
        if (!r.electronegativities.empty()) d["qeq_solver"] = hdnnp::qeq_solver_name(r.solver_used);
    }
    d["extrapolation_count"] = r.extrapolation_count;
    if (r.extrapolation_count > 0) {
        py::list lines;
        for (const auto& w : r.extrapolations) {
            std::string line = hdnnp::io::extrapolation_line(0, w);
            if (!line.empty() && line.back() == '\n') line.pop_back();
            lines.append(line);
        }
        d["extrapolation_warnings"] = lines;
    }
    return d;
}

/// A committee's result dict: the mean's entries (as above) plus energy_spread, member_energies and force_spread.
py::dict to_dict(hdnnp::CommitteeResult& r, const hdnnp::Structure& s, const Units& u) {
    const auto n = static_cast<py::ssize_t>(s.size());
    const auto m = static_cast<py::ssize_t>(r.member_energies.size());
    const double spread = r.energy_spread / u.energy;
    for (double& e : r.member_energies) e /= u.energy;
    std::vector<double> member_energies = std::move(r.member_energies);
    std::vector<double> force_spread = std::move(r.force_spread);
    py::dict d = to_dict(static_cast<hdnnp::Result&>(r), s, u);  // the Result part (not this overload again)
    d["energy_spread"] = spread;
    d["member_energies"] = take(std::move(member_energies), {m});
    if (!force_spread.empty()) {
        for (double& f : force_spread) f *= u.length / u.energy;
        d["force_spread"] = take(std::move(force_spread), {n});
    }
    return d;
}

/// One structure from an input.data file as a dict of numpy arrays (the file's units).
py::dict structure_dict(hdnnp::Structure&& s) {
    const auto n = static_cast<py::ssize_t>(s.size());
    py::dict d;
    d["comment"] = s.comment;
    d["set"] = s.set;
    d["periodic"] = s.periodic;
    std::vector<double> cell(9);
    for (int k = 0; k < 3; ++k)
        for (int c = 0; c < 3; ++c) cell[static_cast<std::size_t>(3 * k + c)] = s.lattice[k][c];
    d["lattice"] = take(std::move(cell), {3, 3});
    d["symbols"] = s.symbols;
    d["positions"] = take(std::move(s.positions), {n, 3});
    d["charges"] = take(std::move(s.charges), {n});
    d["atom_extra"] = take(std::move(s.atom_extra), {n});
    d["forces"] = take(std::move(s.forces), {n, 3});
    d["energy"] = s.has_energy ? py::object(py::float_(s.energy)) : py::object(py::none());
    d["total_charge"] = s.has_charge ? py::object(py::float_(s.total_charge)) : py::object(py::none());
    return d;
}

/// Streaming reader of an n2p2 input.data file (io::InputDataReader): an iterator of structure dicts.
class Reader {
public:
    explicit Reader(const std::string& path) : reader_(path) {}
    py::dict next() {
        if (done_) throw py::stop_iteration();
        hdnnp::Structure s;
        bool more = false;
        try {
            more = reader_.next(s);
        } catch (...) {
            done_ = true;  // the library's reader must not be used after it has thrown
            throw;
        }
        if (!more) {
            done_ = true;
            throw py::stop_iteration();
        }
        return structure_dict(std::move(s));
    }

private:
    hdnnp::io::InputDataReader reader_;
    bool done_ = false;
};

// The Python exception classes (created once at import; never released, as in C extension modules).
PyObject* error = nullptr;
PyObject* parse_error = nullptr;
PyObject* structure_error = nullptr;

const char* const kComputeDoc = R"(Energy, forces, stress (and per-atom quantities, charges) of one structure.

positions: (N, 3) in the caller's length unit; elements: atomic numbers or symbols, one per atom;
cell: (3, 3) rows a, b, c (ignored unless pbc); pbc: True, False or three equal bools (mixed
periodicity raises StructureError); total_charge [e] (3G/4G); forces: compute forces, virial and
stress; per_atom: per-atom energies ('energies') and, periodic with forces, per-atom stresses
('stresses'); cflength, cfenergy: model length (energy) per caller length (energy); ewald (3G/4G
periodic): None or 'auto' (the model's parameters for this volume: n2p2's up to 512 atoms, balanced
for matrix-free products beyond, same accuracy target), 'n2p2', 'balanced', or fixed (eta,
real_cutoff, kspace_cutoff) in the caller's length and 1/length; qeq_solver (4G): 'auto' (dense up to
512 atoms, CG beyond), 'dense' or 'cg'. ewald='n2p2', qeq_solver='dense' is n2p2's procedure.
Returns a dict of floats and numpy arrays in the caller's units (see the module docstring).)";

const hdnnp::Model& p_model(const Pot& p) { return p.model(); }
const hdnnp::Model& p_model(const Com& c) { return c.member(0).model(); }

template <class Cls> void bind_common(Cls& c) {
    c.def_property_readonly("generation", [](const typename Cls::type& p) { return static_cast<int>(p_model(p).generation); },
                            "2, 3 or 4 (the model's nnp_type)")
        .def_property_readonly("elements", [](const typename Cls::type& p) { return p_model(p).symbols(); },
                               "element symbols of the model, ascending atomic number")
        .def_property_readonly("cutoff", [](const typename Cls::type& p) { return p.cutoff(); },
                               "largest symmetry-function cutoff [model length]");
}


/// compute() of Potential and Committee: the Structure in the model's units, the evaluation without the GIL,
/// the result (Result or CommitteeResult) as a dict in the caller's units (to_dict).
template <class Cls> void bind_compute(Cls& c) {
    using P = typename Cls::type;
    c.def(
        "compute",
        [](const P& p, const InArray& positions, const py::object& elements, const py::object& cell, const py::object& pbc,
           double total_charge, bool forces, bool per_atom, double cflength, double cfenergy, const py::object& ewald,
           const std::string& solver) {
            const Units u{cflength, cfenergy};
            const hdnnp::Structure s = make_structure(positions, elements, cell, pbc, total_charge, u);
            const EwaldChoice ew = ewald_choice(ewald, u);
            const hdnnp::QeqSolverKind sk = hdnnp::parse_qeq_solver(solver, "qeq_solver");
            decltype(p.compute(s, hdnnp::ComputeOptions{})) r;
            {
                py::gil_scoped_release release;
                r = p.compute(s, options(forces, per_atom, ew, sk));
            }
            return to_dict(r, s, u);
        },
        py::arg("positions"), py::arg("elements"), py::kw_only(), py::arg("cell") = py::none(), py::arg("pbc") = false,
        py::arg("total_charge") = 0.0, py::arg("forces") = true, py::arg("per_atom") = false, py::arg("cflength") = 1.0,
        py::arg("cfenergy") = 1.0, py::arg("ewald") = py::none(), py::arg("qeq_solver") = "auto", kComputeDoc);
}

}  // namespace

PYBIND11_MODULE(_hdnnp, m) {
    m.doc() = "hdnnp: Behler-Parrinello neural network potentials (2G/3G/4G HDNNPs), compiled core";
    m.attr("__version__") = HDNNP_PY_VERSION;

    // Exception classes (kept for the lifetime of the process, as C extension modules do).
    error = PyErr_NewExceptionWithDoc("hdnnp._hdnnp.Error", "Base class of every hdnnp error.", PyExc_RuntimeError, nullptr);
    parse_error = PyErr_NewExceptionWithDoc(
        "hdnnp._hdnnp.ParseError", "A malformed or inconsistent file: str() reads 'FILE:LINE: message'; attributes file and line (0: the whole file).",
        error, nullptr);
    structure_error = PyErr_NewExceptionWithDoc(
        "hdnnp._hdnnp.StructureError", "A structure the potential cannot evaluate (unknown element, overlapping atoms, degenerate cell, ...).",
        error, nullptr);
    m.add_object("Error", py::handle(error));
    m.add_object("ParseError", py::handle(parse_error));
    m.add_object("StructureError", py::handle(structure_error));
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const hdnnp::ParseError& e) {
            py::object exc = py::reinterpret_borrow<py::object>(parse_error)(e.what());
            exc.attr("file") = e.file();
            exc.attr("line") = e.line();
            PyErr_SetObject(parse_error, exc.ptr());
        } catch (const hdnnp::StructureError& e) {
            PyErr_SetString(structure_error, e.what());
        } catch (const hdnnp::Error& e) {
            PyErr_SetString(error, e.what());
        }
    });

    py::class_<Pot> pot(m, "Potential", "An n2p2 model directory of any generation (hdnnp::Potential<>).");
    pot.def(py::init([](const py::object& dir) { return Pot::load(path_string(dir)); }), py::arg("model_dir"),
            "Loads input.nn, scaling.data and the weights (3G/4G: weightse, hardness) of model_dir.");
    bind_common(pot);
    bind_compute(pot);
    pot.def_property_readonly("directory", [](const Pot& p) { return p.model().directory; })
        .def_property_readonly("warnings", [](const Pot& p) { return p.model().warnings; }, "non-fatal remarks from loading")
        .def(
            "time_compute",
            [](const Pot& p, const InArray& positions, const py::object& elements, const py::object& cell, const py::object& pbc,
               double total_charge, bool per_atom, int repeats, bool cpu) {
                // The bare library call for benchmarks/ase_overhead.py: the Structure is built once, then
                // Potential::compute(structure) is timed `repeats` times in C++ (no Python in the loop).
                const hdnnp::Structure s = make_structure(positions, elements, cell, pbc, total_charge, Units{});
                const hdnnp::ComputeOptions opt = options(true, per_atom, EwaldChoice{}, hdnnp::QeqSolverKind::automatic);
                auto now = [cpu] {
                    if (cpu) return static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
                    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
                };
                std::vector<double> seconds;
                py::gil_scoped_release release;
                for (int k = 0; k < repeats; ++k) {
                    const double t0 = now();
                    const hdnnp::Result r = p.compute(s, opt);
                    seconds.push_back(now() - t0);
                    if (r.forces.size() != s.size()) throw hdnnp::Error("time_compute: no forces");
                }
                return seconds;
            },
            py::arg("positions"), py::arg("elements"), py::kw_only(), py::arg("cell") = py::none(), py::arg("pbc") = false,
            py::arg("total_charge") = 0.0, py::arg("per_atom") = false, py::arg("repeats") = 10, py::arg("cpu") = false,
            "Seconds per call of the C++ Potential::compute on a Structure built once in the model's units (a benchmark\n"
            "baseline): wall-clock time, or with cpu=True the process's CPU time (std::clock).");

    py::class_<Com> com(m, "Committee",
                        "Models with identical symmetry functions evaluated as one (hdnnp::Committee<>): the mean, "
                        "energy_spread and force_spread (population standard deviations over the members).");
    com.def(py::init([](const std::vector<py::object>& dirs) {
                std::vector<std::string> d;
                for (const auto& x : dirs) d.push_back(path_string(x));
                return Com::load(d);
            }),
            py::arg("model_dirs"))
        .def_property_readonly("size", &Com::size)
        .def_property_readonly("directories",
                               [](const Com& c) {
                                   std::vector<std::string> d;
                                   for (std::size_t k = 0; k < c.size(); ++k) d.push_back(c.member(k).model().directory);
                                   return d;
                               });
    bind_common(com);
    bind_compute(com);

    py::class_<Reader>(m, "InputDataReader", "Streaming reader of an n2p2 input.data file: iterates over dicts, one per structure.")
        .def(py::init([](const py::object& path) { return std::make_unique<Reader>(path_string(path)); }), py::arg("path"))
        .def("__iter__", [](Reader& r) -> Reader& { return r; })
        .def("__next__", &Reader::next);
}
