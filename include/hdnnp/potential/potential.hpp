// hdnnp: the potential. One template for the second, third and fourth generation of HDNNPs:
//
//   auto pot = hdnnp::Potential<>::load("path/to/n2p2/model");   // any generation, everything read at run time
//   hdnnp::Result r = pot.compute(structure);                     // energy, forces, virial, stress (+ charges)
//
// Policies (template arguments; potential/policies.hpp says what each must provide):
//   Cutoff       AnyCutoff (visited once per call) or CutoffTanhU, CutoffPoly2, ...
//   Networks     RuntimeNetworks or CompiledNetworks<...> (short-range and charge/electronegativity networks)
//   Families     AllFamilies or a Families<...> list (e.g. ACSF): which descriptor kernels are instantiated
//   Generation   Gen2 (short range), Gen3 (charge networks + Coulomb/Ewald), Gen4 (charge equilibration), or
//                AnyGeneration (the loaded model's, visited once per call)
// A fully compile-time 4G water potential (what `hdnnp specialize` writes):
//   using H = hdnnp::ElementNetworks<hdnnp::StaticNetwork<28, ...>, hdnnp::StaticNetwork<27, ...>>;   // short, chi
//   using Water4G = hdnnp::Potential<hdnnp::CutoffTanhU, hdnnp::CompiledNetworks<H, O>, hdnnp::ACSF, hdnnp::Gen4>;
// Runtime and compiled potentials share every kernel. Potential2G/3G/4G are the aliases with the
// generation fixed.
//
// Evaluation (potential/short_range.hpp for 2G, potential/charges.hpp for 3G/4G): one fused pass per atom
// for 2G; for 3G/4G a pass for the symmetry functions, the charges (and charge equilibration), and one
// backpropagation pass for all force terms. Atoms are distributed over OpenMP threads with a static
// schedule (core/threads.hpp): bit-identical results from run to run.
//
// Two entry points:
//   compute(Structure)                 builds the neighbour list (neighbors/neighbor_list.hpp) itself
//   compute(HostAtoms, source, HostOutput)
//                                      the host's atoms and neighbour list (neighbors/sources.hpp: own cell
//                                      list, LAMMPS-style full list with ghosts, CSR), results written into
//                                      the host's arrays (core/views.hpp), forces on ghosts included
// Units: those of the model's data (lengths, energies); forces [energy/length], stress [energy/length^3].
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <type_traits>
#include <vector>

#include "hdnnp/core/error.hpp"
#include "hdnnp/core/result.hpp"
#include "hdnnp/core/structure.hpp"
#include "hdnnp/core/views.hpp"
#include "hdnnp/descriptors/families.hpp"
#include "hdnnp/electrostatics/coulomb.hpp"
#include "hdnnp/neighbors/neighbor_list.hpp"
#include "hdnnp/neighbors/sources.hpp"
#include "hdnnp/potential/atom_pass.hpp"
#include "hdnnp/potential/charges.hpp"
#include "hdnnp/potential/model.hpp"
#include "hdnnp/potential/networks.hpp"
#include "hdnnp/potential/policies.hpp"
#include "hdnnp/potential/short_range.hpp"
#include "hdnnp/simd/simd.hpp"

namespace hdnnp {

namespace io {
struct N2p2Loader;  // io/n2p2_model.hpp: reads an n2p2 model directory (the default loader of Potential::load)
}

namespace detail {
template <class T, class = void> struct is_complete : std::false_type {};
template <class T> struct is_complete<T, std::void_t<decltype(sizeof(T))>> : std::true_type {};

inline const char* generation_name(Generation g) {
    switch (g) {
        case Generation::second: return "2G-HDNNP";
        case Generation::third: return "3G-HDNNP";
        case Generation::fourth: return "4G-HDNNP";
        default: return "Q-HDNNP";
    }
}
}  // namespace detail

template <class CutoffPolicy = AnyCutoff, class Networks = RuntimeNetworks, class Fam = AllFamilies, class Gen = AnyGeneration>
class Potential {
    static_assert(detail::CheckPolicies<CutoffPolicy, Networks, Fam, Gen>::ok);

public:
    using cutoff_policy = CutoffPolicy;
    using networks_policy = Networks;
    using families = Fam;
    using generation_policy = Gen;

    Potential() = default;
    /// Takes a loaded model; throws Error if the model does not fit the policies (generation, cutoff,
    /// symmetry-function families, network shapes).
    explicit Potential(Model model) : model_(std::move(model)) {
        const std::string where = "model " + model_.directory;
        const Generation g = model_.generation;
        if (g != Generation::second && g != Generation::third && g != Generation::fourth)
            throw Error(where + " is a " + detail::generation_name(g) + " (nnp_type " + std::to_string(static_cast<int>(g)) +
                        "), which hdnnp does not evaluate");
        if constexpr (!std::is_same_v<Gen, AnyGeneration>) {
            if (g != Gen::generation)
                throw Error(where + " is a " + detail::generation_name(g) + " (nnp_type " + std::to_string(static_cast<int>(g)) +
                            ") but this potential was compiled for " + detail::generation_name(Gen::generation) +
                            " models only: load it with Potential<> (any generation) or " +
                            (g == Generation::second ? "Potential2G" : g == Generation::third ? "Potential3G" : "Potential4G"));
        }
        if constexpr (!Networks::has_electrostatic) {
            if (g != Generation::second)
                throw Error(where + " is a " + detail::generation_name(g) +
                            ", but this potential's networks policy has no charge/electronegativity networks");
        }
        if constexpr (!std::is_same_v<CutoffPolicy, AnyCutoff>) {
            if (model_.cutoff_type != CutoffPolicy::id)
                throw Error(where + " uses cutoff_type " + std::to_string(model_.cutoff_type) +
                            " but this potential was compiled for cutoff_type " + std::to_string(CutoffPolicy::id));
        }
        const bool gaussian3 = model_.electrostatics.charges == ChargeShape::gaussian;
        for (const auto& e : model_.elements) {
            const std::size_t ns = e.descriptors.size();
            if (!e.descriptors.template uses_only<Fam>())
                throw Error(where + ": element " + e.symbol + " uses a symmetry-function family this potential was not compiled for");
            if (g == Generation::third) {
                if (e.network.n_inputs() != ns)
                    throw Error(where + ": the short-range network of element " + e.symbol + " takes " +
                                std::to_string(e.network.n_inputs()) + " inputs, but a 3G short-range network takes exactly the " +
                                std::to_string(ns) + " symmetry functions (no charge input)");
                if (e.charge.n_inputs() != ns)
                    throw Error(where + ": the charge network of element " + e.symbol + " takes " + std::to_string(e.charge.n_inputs()) +
                                " inputs, expected the " + std::to_string(ns) + " symmetry functions");
                if (gaussian3 && !(e.gauss_width > 0.0))
                    throw Error(where + ": Gaussian charges need a positive width for element " + e.symbol);
            } else if (g == Generation::fourth) {
                if (e.network.n_inputs() != ns + 1 || e.electronegativity.n_inputs() != ns)
                    throw Error(where + ": element " + e.symbol + " has networks of the wrong input width for 4G");
            }
            z_.push_back(static_cast<double>(e.atomic_number));
        }
        networks_.bind(model_);
    }

    /// Loads a model directory with Loader (default: an n2p2 directory, io/n2p2_model.hpp, which must be
    /// included; hdnnp/hdnnp.hpp includes it).
    template <class Loader = io::N2p2Loader> static Potential load(const std::string& dir) {
        static_assert(detail::is_complete<Loader>::value,
                      "Potential::load reads n2p2 model directories: include \"hdnnp/io/n2p2_model.hpp\" (or \"hdnnp/hdnnp.hpp\")");
        return Potential(Loader::load(dir));
    }

    const Model& model() const { return model_; }
    const Networks& networks() const { return networks_; }
    Generation generation() const { return model_.generation; }
    /// The neighbour-list cutoff the model needs [length] (largest symmetry-function cutoff).
    double cutoff() const { return model_.cutoff_radius(); }
    /// Element index of every atom (shape (N)); throws StructureError for elements the model lacks.
    std::vector<int> element_indices(const Structure& s) const { return model_.element_indices(s); }
    /// Atomic number per element index (the networks' order).
    const std::vector<double>& atomic_numbers() const { return z_; }

    /// 3G/4G: the Ewald parameters the model's settings give for a periodic structure: those n2p2 would use,
    /// or (EwaldBalance::matrix_free) those balanced for matrix-free products, with the same accuracy target.
    /// automatic: what compute() with default options uses (n2p2 up to dense_max_atoms atoms).
    EwaldParameters ewald_parameters_for(const Structure& s, EwaldBalance balance = EwaldBalance::n2p2,
                                         std::size_t dense_max_atoms = ComputeOptions{}.dense_max_atoms) const {
        return detail::model_ewald_parameters(model_, s.volume(), s.size(),
                                              detail::resolved_balance(balance, s.size() <= dense_max_atoms));
    }
    /// 3G/4G: the Coulomb operator C of a structure with this model's widths and Ewald choice.
    GaussianCoulomb coulomb(const Structure& s, const std::vector<int>& el, const EwaldParameters* ewald = nullptr,
                            EwaldBalance balance = EwaldBalance::n2p2) const {
        detail::Frame f = frame(s, el);
        return detail::coulomb_operator(model_, f, ewald, detail::resolved_balance(balance, s.size() <= ComputeOptions{}.dense_max_atoms));
    }

    /// Energy (and forces, virial, stress; charges for 3G/4G) of a structure.
    Result compute(const Structure& s, const ComputeOptions& opt = {}) const;

    /// The same with element indices and a neighbour list built by the caller (cutoff >= cutoff()).
    Result compute(const Structure& s, const std::vector<int>& element, const NeighborList& nl, const ComputeOptions& opt) const;

    /// Host entry point: the host's atoms (positions and element indices of local and ghost atoms, caller
    /// memory, no copy) and neighbour source (neighbors/sources.hpp); forces (local and ghost atoms), per-atom
    /// energies and virials are ADDED to the host's arrays, energy and virial set (core/views.hpp).
    /// 3G/4G: the local atoms must be the whole structure (atoms.periodic, cell and total_charge apply).
    template <class Source>
    void compute(const HostAtoms& atoms, const Source& src, HostOutput& out, ComputeOptions opt = {}) const {
        std::vector<Vec3> local;
        const detail::Frame f = host_frame(atoms, src, out, local);
        opt.forces = true;
        opt.per_atom = out.per_atom_energies.has_value() || out.per_atom_virials.has_value();
        Result r;
        const Potential* self = this;
        evaluate(&self, 1, f, src, opt, &r);
        add_to_host(r, atoms, out);
    }

    /// The frame of the host entry point (also used by Committee's): checks the shapes of atoms and out, the
    /// source's indices and (3G/4G) neutrality; `local` receives the local atoms' positions the frame points to.
    template <class Source>
    detail::Frame host_frame(const HostAtoms& atoms, const Source& src, const HostOutput& out, std::vector<Vec3>& local) const {
        static_assert(is_neighbor_source_v<Source>, "Potential::compute: the neighbour source needs a NeighborTraits specialisation (neighbors/sources.hpp)");
        const std::size_t n_all = atoms.positions.shape()[0];
        check_host_shapes(atoms, out, n_all);
        NeighborTraits<Source>::check(src, n_all);
        local.resize(atoms.n_local);
        const double* x = atoms.positions.data();
        for (std::size_t i = 0; i < atoms.n_local; ++i) local[i] = Vec3{{x[3 * i], x[3 * i + 1], x[3 * i + 2]}};
        detail::Frame f;
        f.n_all = n_all;
        f.n_local = atoms.n_local;
        f.x = x;
        f.element = atoms.element.data();
        f.local_positions = local.data();
        f.periodic = atoms.periodic;
        f.cell = atoms.cell;
        f.total_charge = atoms.total_charge;
        check_neutrality(f.periodic, f.total_charge);
        return f;
    }

    /// Adds a result on a host frame to the host's arrays (forces, per-atom energies and virials), sets energy,
    /// virial and the extrapolation count and records.
    static void add_to_host(const Result& r, const HostAtoms& atoms, HostOutput& out) {
        const std::size_t n_all = atoms.positions.shape()[0];
        double* F = out.forces.data();
        for (std::size_t i = 0; i < n_all; ++i)
            for (int a = 0; a < 3; ++a) F[3 * i + static_cast<std::size_t>(a)] += r.forces[i][static_cast<std::size_t>(a)];
        if (out.per_atom_energies) {
            double* e = out.per_atom_energies->data();
            for (std::size_t i = 0; i < atoms.n_local; ++i) e[i] += r.per_atom_energies[i];
        }
        if (out.per_atom_virials) {
            double* v = out.per_atom_virials->data();
            for (std::size_t i = 0; i < n_all; ++i)
                for (int a = 0; a < 3; ++a)
                    for (int b = 0; b < 3; ++b) v[9 * i + static_cast<std::size_t>(3 * a + b)] += r.per_atom_virials[i][static_cast<std::size_t>(a)][static_cast<std::size_t>(b)];
        }
        out.energy = r.energy;
        out.virial = r.virial;
        out.extrapolation_count = r.extrapolation_count;
        out.extrapolations = r.extrapolations;
    }

    /// Committees (potential/committee.hpp) and the entry points above: evaluates the members pots[0..n)
    /// (identical symmetry functions, same generation and type) on a frame, results into res[0..n).
    template <class Source>
    static void evaluate(const Potential* const* pots, std::size_t n, const detail::Frame& f, const Source& src,
                         const ComputeOptions& opt, Result* res) {
        const Potential& p0 = *pots[0];
        std::vector<detail::Member<Networks>> members(n);
        for (std::size_t k = 0; k < n; ++k) members[k] = {&pots[k]->model_, &pots[k]->networks_};
        detail::with_cutoff<CutoffPolicy>(p0.model_, [&](auto c) {
            using C = decltype(c);
            if (opt.simd) run<C, simd::Batch>(members, p0, f, src, opt, res);
            else run<C, double>(members, p0, f, src, opt, res);
        });
    }

    /// The frame of a structure (positions of the structure, no ghosts).
    static detail::Frame frame(const Structure& s, const std::vector<int>& element) {
        detail::Frame f;
        f.n_all = f.n_local = s.size();
        f.element = element.data();
        f.local_positions = s.positions.data();
        f.periodic = s.periodic;
        f.cell = s.lattice;
        f.total_charge = s.total_charge;
        return f;
    }

    /// Throws StructureError for a charged periodic structure of a 3G (uniform scheme) or 4G model.
    void check_neutrality(bool periodic, double total_charge) const {
        if (!periodic || std::abs(total_charge) <= kNeutrality) return;
        if (model_.generation == Generation::fourth)
            throw StructureError("periodic structure has total charge " + std::to_string(total_charge) +
                                 "; 4G-HDNNP periodic structures must be neutral (as in n2p2)");
        if (model_.generation == Generation::third && model_.electrostatics.total_charge == TotalChargeScheme::uniform)
            throw StructureError("periodic structure has total charge " + std::to_string(total_charge) +
                                 "; 3G-HDNNP periodic structures must be neutral (no neutralising background is applied)");
    }

private:
    template <class C, class V, class Source>
    static void run(const std::vector<detail::Member<Networks>>& members, const Potential& p0, const detail::Frame& f,
                    const Source& src, const ComputeOptions& opt, Result* res) {
        constexpr bool gen2 = std::is_same_v<Gen, Gen2>;
        constexpr bool charged = std::is_same_v<Gen, Gen3> || std::is_same_v<Gen, Gen4>;
        if constexpr (gen2) {
            detail::run_gen2<C, Fam, V>(members.data(), members.size(), p0.z_, f, src, opt, res);
        } else if constexpr (charged) {
            detail::run_charged<C, Fam, V>(members.data(), members.size(), p0.z_, f, src, opt, res);
        } else {
            if (p0.model_.generation == Generation::second) {
                detail::run_gen2<C, Fam, V>(members.data(), members.size(), p0.z_, f, src, opt, res);
            } else {
                if constexpr (Networks::has_electrostatic)
                    detail::run_charged<C, Fam, V>(members.data(), members.size(), p0.z_, f, src, opt, res);
                else
                    throw Error("this potential has no charge/electronegativity networks");  // refused by the constructor
            }
        }
    }

    void check_host_shapes(const HostAtoms& atoms, const HostOutput& out, std::size_t n_all) const {
        if (atoms.positions.shape()[1] != 3) throw Error("HostAtoms::positions must have shape (n_all, 3)");
        if (atoms.element.shape()[0] != n_all)
            throw Error("HostAtoms::element has " + std::to_string(atoms.element.shape()[0]) + " entries for " + std::to_string(n_all) +
                        " atoms");
        if (atoms.n_local > n_all) throw Error("HostAtoms::n_local exceeds the number of atoms");
        const int ne = static_cast<int>(model_.elements.size());
        for (std::size_t i = 0; i < n_all; ++i)
            if (atoms.element.data()[i] >= ne)
                throw Error("HostAtoms::element: atom " + std::to_string(i) + " has element index " +
                            std::to_string(atoms.element.data()[i]) + ", the model has " + std::to_string(ne) + " elements");
        if (out.forces.shape()[0] != n_all || out.forces.shape()[1] != 3) throw Error("HostOutput::forces must have shape (n_all, 3)");
        if (out.per_atom_energies && out.per_atom_energies->shape()[0] < atoms.n_local)
            throw Error("HostOutput::per_atom_energies must have at least n_local entries");
        if (out.per_atom_virials &&
            (out.per_atom_virials->shape()[0] != n_all || out.per_atom_virials->shape()[1] != 3 || out.per_atom_virials->shape()[2] != 3))
            throw Error("HostOutput::per_atom_virials must have shape (n_all, 3, 3)");
    }

    Model model_;
    Networks networks_;
    std::vector<double> z_;  // atomic number per element index
};

// The structure entry points are defined out of the class (not implicitly inline), so that an explicit
// instantiation declaration (hdnnp/extern_templates.hpp) keeps translation units from instantiating them.
template <class C, class N, class F, class G>
Result Potential<C, N, F, G>::compute(const Structure& s, const ComputeOptions& opt) const {
    validate(s);
    const std::vector<int> el = element_indices(s);
    check_neutrality(s.periodic, s.total_charge);
    const NeighborList nl = build_neighbor_list(s, cutoff());
    return compute(s, el, nl, opt);
}

template <class C, class N, class F, class G>
Result Potential<C, N, F, G>::compute(const Structure& s, const std::vector<int>& element, const NeighborList& nl,
                                      const ComputeOptions& opt) const {
    const detail::Frame f = frame(s, element);
    Result r;
    const Potential* self = this;
    evaluate(&self, 1, f, nl, opt, &r);
    return r;
}

/// The potentials with the generation fixed (2G, 3G, 4G).
template <class Cutoff = AnyCutoff, class Networks = RuntimeNetworks, class Fam = AllFamilies>
using Potential2G = Potential<Cutoff, Networks, Fam, Gen2>;
template <class Cutoff = AnyCutoff, class Fam = AllFamilies, class Networks = RuntimeNetworks>
using Potential3G = Potential<Cutoff, Networks, Fam, Gen3>;
template <class Cutoff = AnyCutoff, class Fam = AllFamilies, class Networks = RuntimeNetworks>
using Potential4G = Potential<Cutoff, Networks, Fam, Gen4>;

}  // namespace hdnnp
