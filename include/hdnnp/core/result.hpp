// hdnnp: what a potential evaluation returns, and the options that say what to compute.
//
// One Result for every generation: the 2G fields are always filled; the charge fields (charges,
// electrostatic_energy, ...) only for 3G and 4G models. Units are those of the model's data: lengths
// [length], energies [energy], charges [e]; forces [energy/length]; virials [energy]; stress
// [energy/length^3].
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "hdnnp/core/vec3.hpp"

namespace hdnnp {

/// One symmetry function of one atom outside the [Gmin, Gmax] range of scaling.data (n2p2's
/// "NNP EXTRAPOLATION WARNING"). The value is not clamped.
struct ExtrapolationWarning {
    std::size_t atom = 0;      ///< 0-based atom index
    std::string element;       ///< element symbol of the atom
    std::size_t function = 0;  ///< 1-based index in the element's sorted function list (as n2p2 prints)
    int type = 0;              ///< symmetry function type
    double value = 0.0, min = 0.0, max = 0.0;
    std::size_t member = 0;    ///< committee member whose scaling.data range was left (0 for one model)
};

/// Splitting width and cutoffs of one Ewald sum (3G, 4G periodic).
struct EwaldParameters {
    double eta = 0.0;            ///< width (standard deviation) of the screening Gaussians [length]
    double real_cutoff = 0.0;    ///< r_c [length]
    double kspace_cutoff = 0.0;  ///< k_c [1/length]
};

/// Which cost the Ewald width balances (see electrostatics/ewald.hpp). No effect with a fixed real_cutoff.
enum class EwaldBalance {
    n2p2,         ///< n2p2's choice (building the dense matrix; eta ~ N^(1/3) at fixed density)
    matrix_free,  ///< one matrix-free product C u (eta ~ N^(1/6), O(N^1.5) per product): for the CG solver
    /// ComputeOptions only: n2p2 where the dense matrix is built (4G dense solver; 3G up to dense_max_atoms
    /// atoms), matrix_free where the charges come from matrix-free products (4G CG solver; larger 3G
    /// structures), where n2p2's width would make every product O(N^2). Result::ewald_balance_used says which.
    automatic
};

/// Name of a balance as the tools print it ("n2p2", "balanced", "auto").
inline const char* ewald_balance_name(EwaldBalance b) {
    return b == EwaldBalance::n2p2 ? "n2p2" : b == EwaldBalance::matrix_free ? "balanced" : "auto";
}

/// 4G: how the charge-equilibration system is solved (see potential/charges.hpp).
enum class QeqSolverKind { dense, cg, automatic };

/// 4G CG: the preconditioner (see electrostatics/qeq_preconditioner.hpp). long_wave (default): diag(A) plus the
/// reciprocal-space terms of the longest charge waves, inverted exactly (iterations flat with N); jacobi:
/// diag(A) alone (iterations grow as N^(1/3)). Clusters use Jacobi either way.
enum class QeqPreconditioner { jacobi, long_wave };

/// Statistics of one iterative solve.
struct CGStats {
    std::size_t iterations = 0;
    double residual = 0.0;          ///< final |r| / |b_neutral|
    double initial_residual = 0.0;  ///< |r| / |b_neutral| of the start guess (1 from zero; small for a good warm start)
    bool converged = false;
};

/// Energies, forces, virial and stress of one structure (and, for 3G/4G models, its charges).
struct Result {
    double energy = 0.0;                  ///< total energy [energy], offsets included
    std::vector<double> atomic_energies;  ///< shape (N): short-range NN output per atom [energy] (no mean_energy, no
                                          ///< atom_energy offset, no electrostatics: n2p2's nnatoms.out convention)
    std::vector<Vec3> forces;             ///< shape (N, 3) [energy/length]; empty unless forces were requested
    Mat3 virial{};                        ///< W_ab = -sum_pairs d_a dE/dd_b (= sum_i R_ia F_ib without PBC) [energy]
    Mat3 stress{};                        ///< -W/V [energy/length^3], ASE sign convention (periodic only)
    bool has_stress = false;
    /// Shape (N) if ComputeOptions::per_atom: energy of each atom [energy], summing to `energy` (offsets
    /// and the atom's share of the electrostatic energy included).
    std::vector<double> per_atom_energies;
    /// Shape (N, 3, 3) if ComputeOptions::per_atom (and forces): each atom's virial [energy], summing to
    /// `virial`. The term -d_n g_n^T of a centre's neighbour image n (d_n from the centre to the image, g_n
    /// = dE_centre/dd_n) belongs to the neighbour's atom (Fan et al., PRB 92, 094301 (2015): the per-atom
    /// virial of heat fluxes for many-body site energies); electrostatic pair terms are split half and half,
    /// reciprocal-space terms by each atom's share of the structure factors. Not symmetric in general.
    std::vector<Mat3> per_atom_virials;
    std::size_t extrapolation_count = 0;  ///< number of functions out of range in this structure
    std::vector<ExtrapolationWarning> extrapolations;  ///< the first max_extrapolation_records of them
    /// Optional (ComputeOptions::keep_descriptors): per atom raw and scaled functions in network order.
    std::vector<std::vector<double>> descriptors_raw, descriptors_scaled;

    // ---- 3G and 4G (empty / zero for 2G models)
    std::vector<double> charges;             ///< shape (N): Q [e] (3G: after the total-charge scheme)
    std::vector<double> raw_charges;         ///< 3G, shape (N): q, the charge networks' outputs [e]
    std::vector<double> electronegativities; ///< 4G, shape (N): chi [energy/e]
    std::vector<double> adjoint;             ///< 4G, shape (N): y of the force calculation (empty without forces)
    double short_energy = 0.0;               ///< sum_i NN^short_i / conv_energy [energy]
    double electrostatic_energy = 0.0;       ///< E_elec [energy]
    double lambda = 0.0;                     ///< 4G: Lagrange multiplier of the charge constraint [energy/e]
    EwaldParameters ewald;                   ///< parameters used (periodic)
    std::size_t n_kvectors = 0;              ///< half-sphere k-vectors used (periodic)
    CGStats qeq_stats, adjoint_stats;        ///< 4G: CG solver statistics
    std::size_t cg_long_waves = 0;           ///< 4G CG: k-vectors kept by the long-wave preconditioner (0: Jacobi)
    QeqSolverKind solver_used = QeqSolverKind::dense;  ///< 4G: dense or cg (what `automatic` picked)
    EwaldBalance ewald_balance_used = EwaldBalance::n2p2;  ///< 3G/4G periodic: n2p2 or matrix_free (ignored
                                                           ///< when ComputeOptions::ewald fixed the parameters)
    /// 3G/4G wall-clock seconds: descriptors and charge networks; Coulomb matrix (dense) or operator setup;
    /// factorisation and charge solve; short networks, adjoint solve and forces.
    double time_descriptors = 0.0, time_matrix = 0.0, time_solve = 0.0, time_forces = 0.0;
};

/// What to compute, and how.
struct ComputeOptions {
    bool forces = true;                           ///< forces and virial (stress for periodic cells)
    bool per_atom = false;                        ///< Result::per_atom_energies (and per_atom_virials with forces)
    bool keep_descriptors = false;                ///< fill Result::descriptors_raw / descriptors_scaled
    std::size_t max_extrapolation_records = 100;  ///< extrapolation warnings kept in detail (all are counted)
    bool simd = true;                             ///< vectorised kernels (false: the scalar reference path)

    // ---- 3G and 4G
    const EwaldParameters* ewald = nullptr;  ///< periodic: use these instead of the model's parameter choice
    /// Periodic, without `ewald`: what the model's Ewald width balances (same accuracy target, other eta,
    /// r_c, k_c). automatic (default): n2p2's parameters with the dense solver (every structure of up to
    /// dense_max_atoms atoms), matrix_free beyond (O(N^1.5) products instead of O(N^2)); results agree within
    /// the model's Ewald precision. n2p2 forces n2p2's choice (see reproduce_n2p2()).
    EwaldBalance ewald_balance = EwaldBalance::automatic;
    // ---- 4G
    /// automatic (default): dense up to dense_max_atoms atoms, CG beyond (O(N^3) against a few products).
    QeqSolverKind solver = QeqSolverKind::automatic;
    std::size_t dense_max_atoms = 512;      ///< automatic: the dense solver and n2p2's Ewald width up to this many atoms
    double cg_tolerance = 1e-12;            ///< CG: relative residual on the neutral subspace
    std::size_t cg_max_iterations = 10000;  ///< CG: iteration limit (an Error when reached)
    QeqPreconditioner cg_preconditioner = QeqPreconditioner::long_wave;  ///< CG: long_wave or jacobi
    /// CG long_wave: keeps the k-vectors with a_k N/2 >= cg_long_wave_ratio x (harmonic mean of diag(A)).
    double cg_long_wave_ratio = 0.05;
    const std::vector<double>* initial_charges = nullptr;  ///< CG warm start, shape (N) [e] (e.g. the previous step)
    const std::vector<double>* initial_adjoint = nullptr;  ///< CG warm start of the adjoint y, shape (N)
    /// Weight of an atom's pair with each of its own periodic images in E_screen: 1 as in n2p2 (both n and
    /// -n count fully), 0.5 for the pair-counting value. Matters only if a lattice vector is shorter than r_out.
    double screening_self_image_weight = 1.0;

    /// n2p2's exact procedure at every size: its Ewald parameters and the dense charge solver (O(N^3)).
    ComputeOptions& reproduce_n2p2() {
        ewald_balance = EwaldBalance::n2p2;
        solver = QeqSolverKind::dense;
        return *this;
    }
};

/// The 3G and 4G names of the same types (one Result and one ComputeOptions serve every generation).
using Result3G = Result;
using Result4G = Result;
using ComputeOptions3G = ComputeOptions;
using ComputeOptions4G = ComputeOptions;

}  // namespace hdnnp
