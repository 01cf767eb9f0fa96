// hdnnp: a loaded HDNNP model: elements, symmetry functions, scaling, networks and normalisation.
//
// Elements are indexed in ascending atomic number (n2p2's order), whatever the order on the `elements`
// line. Energies and lengths are in the units of the training data; the normalisation constants of
// nnp-norm (`mean_energy`, `conv_energy`, `conv_length`) are folded in so that every interface speaks
// those physical units:
//   E = sum_i NN_i / conv_energy + N mean_energy + sum_i atom_energy(e_i)
// (symmetry functions do not change under the length conversion, so they are computed directly in
// physical units).
//
// Fourth-generation models (Generation::fourth) add per element an electronegativity network chi
// (input: the scaled symmetry functions; output chi_int, with chi = chi_int conv_charge / conv_energy
// [energy/e]), a hardness J [energy/e^2] (hardness.ZZZ.data, physical units) and a Gaussian charge width
// sigma [length] (`fixed_gausswidth`), and per model the electrostatics settings (k_e = 1/four_pi_epsilon,
// screening, Ewald). Their short-range networks take one more input, the atom's charge Q conv_charge,
// as the LAST input. See potential/charges.hpp for the energy expression.
//
// Third-generation models (Generation::third) add per element a charge network (weightse.ZZZ.data; input:
// the scaled symmetry functions; output q_int, with the raw charge q = q_int / conv_charge [e]) and, for
// Gaussian charges, the width sigma (`fixed_gausswidth`; 0 means a point charge), and per model the
// electrostatics settings (charge shape, total-charge scheme, k_e, screening, Ewald). Their short-range
// networks take only the symmetry functions. See potential/charges.hpp for the energy expression.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "hdnnp/core/elements.hpp"
#include "hdnnp/core/error.hpp"
#include "hdnnp/core/structure.hpp"
#include "hdnnp/cutoffs/cutoff.hpp"
#include "hdnnp/descriptors/descriptor_set.hpp"
#include "hdnnp/descriptors/scaling.hpp"
#include "hdnnp/electrostatics/ewald.hpp"
#include "hdnnp/electrostatics/screening.hpp"
#include "hdnnp/networks/network.hpp"

namespace hdnnp {

/// Everything the model knows about one element.
struct ElementModel {
    std::string symbol;
    int atomic_number = 0;
    double atom_energy = 0.0;        ///< `atom_energy` offset [energy per atom]
    ElementDescriptors descriptors;  ///< symmetry functions in network-input order
    ElementScaling scaling;
    Network network;                 ///< short-range network (input: scaled functions [, charge in 4G])
    // 4G only:
    Network electronegativity;       ///< chi network (input: scaled functions; output chi in internal units)
    double hardness = 0.0;           ///< J [energy/e^2]
    // 3G only:
    Network charge;                  ///< charge network (input: scaled functions; output q conv_charge)
    // 3G and 4G:
    double gauss_width = 0.0;        ///< sigma of the Gaussian charge [length] (3G: 0 for point charges)
};

/// 3G: the shape of the atomic charges (`electrostatic_charges point|gaussian`).
enum class ChargeShape { point, gaussian };

/// 3G: how the raw network charges q are made to sum to the structure's total charge Q_tot
/// (`total_charge_scheme none|uniform`): none uses Q = q; uniform shifts every charge by the same amount,
/// Q_i = q_i - (sum_j q_j - Q_tot) / N.
enum class TotalChargeScheme { none, uniform };

/// The electrostatics settings of a 3G or 4G model (input.nn keywords), in the units of the data.
struct ElectrostaticsSettings {
    double four_pi_epsilon = 1.0;   ///< `four_pi_epsilon`, 1/k_e [e^2/(energy length)]
    ScreeningFunction screening;    ///< `screen_electrostatics` (disabled when absent)
    EwaldSettings ewald;            ///< `ewald_truncation_error_method`, `ewald_prec`
    ChargeShape charges = ChargeShape::gaussian;                    ///< 3G: `electrostatic_charges`
    TotalChargeScheme total_charge = TotalChargeScheme::uniform;  ///< 3G: `total_charge_scheme`
};

enum class Generation { second = 2, third = 3, fourth = 4, charge = 10 };

struct Model {
    std::string directory;            ///< where it was loaded from (for messages)
    Generation generation = Generation::second;
    std::vector<ElementModel> elements;  ///< ascending atomic number
    int cutoff_type = 0;
    double cutoff_alpha = 0.0;
    AnyCutoff cutoff;
    ScalingMode scaling_mode = ScalingMode::none;
    double scale_min = 0.0, scale_max = 1.0;
    bool normalized = false;
    double mean_energy = 0.0;         ///< per atom [energy]
    double conv_energy = 1.0;         ///< internal energy per physical energy
    double conv_length = 1.0;         ///< internal length per physical length
    double conv_charge = 1.0;
    ElectrostaticsSettings electrostatics;  ///< 3G and 4G only
    std::vector<std::string> warnings;  ///< non-fatal remarks from loading (unknown keywords, ...)

    /// Index of an element symbol, or -1.
    int element_index(const std::string& symbol) const {
        for (std::size_t e = 0; e < elements.size(); ++e)
            if (elements[e].symbol == symbol) return static_cast<int>(e);
        return -1;
    }
    /// Element index of every atom of s (shape (N)); throws StructureError naming the first atom whose
    /// element the model does not know.
    std::vector<int> element_indices(const Structure& s) const {
        std::vector<int> el(s.size());
        for (std::size_t i = 0; i < s.size(); ++i) {
            el[i] = element_index(s.symbols[i]);
            if (el[i] < 0) {
                std::string known;
                for (const auto& e : elements) known += " " + e.symbol;
                throw StructureError("atom " + std::to_string(i + 1) + " has element '" + s.symbols[i] +
                                     "', which the model does not know (model elements:" + known + ")");
            }
        }
        return el;
    }
    /// Largest symmetry-function cutoff of all elements [length].
    double cutoff_radius() const {
        double rc = 0.0;
        for (const auto& e : elements) rc = std::max(rc, e.descriptors.cutoff());
        return rc;
    }
    /// Largest Gaussian charge width of all elements [length] (3G, 4G).
    double max_gauss_width() const {
        double s = 0.0;
        for (const auto& e : elements) s = std::max(s, e.gauss_width);
        return s;
    }
    std::vector<std::string> symbols() const {
        std::vector<std::string> s;
        for (const auto& e : elements) s.push_back(e.symbol);
        return s;
    }
};

}  // namespace hdnnp
