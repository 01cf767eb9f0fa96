// hdnnp: what a potential evaluation returns.
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
};

/// Energies, forces, virial and stress of one structure, in the units of the model's data.
struct Result {
    double energy = 0.0;                  ///< total energy [energy], offsets included
    std::vector<double> atomic_energies;  ///< shape (N): NN output per atom [energy] (no mean_energy, no atom_energy
                                          ///< offset: n2p2's nnatoms.out convention)
    std::vector<Vec3> forces;             ///< shape (N, 3) [energy/length]; empty unless forces were requested
    Mat3 virial{};                        ///< W_ab = -sum_pairs d_a dE/dd_b (= sum_i R_ia F_ib without PBC) [energy]
    Mat3 stress{};                        ///< -W/V [energy/length^3], ASE sign convention (periodic only)
    bool has_stress = false;
    std::size_t extrapolation_count = 0;  ///< number of functions out of range in this structure
    std::vector<ExtrapolationWarning> extrapolations;  ///< the first max_extrapolation_records of them
    /// Optional (ComputeOptions::keep_descriptors): per atom raw and scaled functions in network order.
    std::vector<std::vector<double>> descriptors_raw, descriptors_scaled;
};

/// What to compute.
struct ComputeOptions {
    bool forces = true;                         ///< forces and virial (stress for periodic cells)
    bool keep_descriptors = false;              ///< fill Result::descriptors_raw / descriptors_scaled
    std::size_t max_extrapolation_records = 100;  ///< extrapolation warnings kept in detail (all are counted)
    bool simd = true;                           ///< vectorised kernels (false: the scalar reference path)
};

}  // namespace hdnnp
