// hdnnp: statistics of a data set for setting up a model (what n2p2's nnp-scaling and nnp-norm compute).
//
//   auto stats = training::compute_scaling_statistics(model, structures);   // per element, per function
//   training::apply_scaling_statistics(model, stats);                       // -> model's scaling.data values
//   auto es = training::energy_statistics(structures);                      // for mean_energy / conv_energy
//
// Scaling statistics, per element e and raw symmetry function s, over every atom of element e in every
// structure (count n_e), as n2p2's nnp-scaling computes them (SymFncStatistics, Dataset::
// writeSymmetryFunctionScaling):
//   Gmin = min G,  Gmax = max G,  Gmean = S1 / n_e,  Gsigma = sqrt((S2 - S1^2 / n_e) / (n_e - 1))
// with S1 = sum G and S2 = sum G^2 (the sample standard deviation, n2p2's formula; 0 for n_e = 1). Units:
// those of the functions (dimensionless for n2p2's radial and angular types). The sums run over the atoms
// in file order (structures in order, atoms in order), as n2p2 on one process adds them, so the printed
// digits agree with nnp-scaling's file; the functions are computed in parallel and summed serially, so the
// result does not depend on the number of threads.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "hdnnp/core/error.hpp"
#include "hdnnp/potential/model.hpp"
#include "hdnnp/core/structure.hpp"
#include "hdnnp/training/descriptors.hpp"

namespace hdnnp::training {

/// Statistics of one element's raw symmetry functions (each array shape (n_functions)).
struct ElementStatistics {
    std::size_t count = 0;  ///< atoms of this element seen
    std::vector<double> gmin, gmax, gmean, gsigma;
    std::vector<double> sum, sum2;  ///< S1 = sum G, S2 = sum G^2 (n2p2's accumulators)

    void init(std::size_t n) {
        count = 0;
        gmin.assign(n, std::numeric_limits<double>::infinity());
        gmax.assign(n, -std::numeric_limits<double>::infinity());
        gmean.assign(n, 0.0);
        gsigma.assign(n, 0.0);
        sum.assign(n, 0.0);
        sum2.assign(n, 0.0);
    }

    /// Adds one atom's raw functions (G: shape (n_functions)).
    void add(const std::vector<double>& G) {
        ++count;
        for (std::size_t s = 0; s < G.size(); ++s) {
            gmin[s] = std::min(gmin[s], G[s]);
            gmax[s] = std::max(gmax[s], G[s]);
            sum[s] += G[s];
            sum2[s] += G[s] * G[s];
        }
        finish();
    }

    /// Merges the statistics of another (disjoint) set of atoms (as n2p2 merges those of MPI ranks).
    void merge(const ElementStatistics& o) {
        if (o.count == 0) return;
        if (count == 0) {
            *this = o;
            return;
        }
        for (std::size_t s = 0; s < gmean.size(); ++s) {
            gmin[s] = std::min(gmin[s], o.gmin[s]);
            gmax[s] = std::max(gmax[s], o.gmax[s]);
            sum[s] += o.sum[s];
            sum2[s] += o.sum2[s];
        }
        count += o.count;
        finish();
    }

private:
    void finish() {
        const double n = static_cast<double>(count);
        for (std::size_t s = 0; s < gmean.size(); ++s) {
            gmean[s] = sum[s] / n;
            gsigma[s] = count > 1 ? std::sqrt(std::max(0.0, (sum2[s] - sum[s] * sum[s] / n) / (n - 1.0))) : 0.0;
        }
    }
};

/// Scaling statistics of every element of `model` (index = model element index) over all atoms of all
/// `structures`. Only the model's symmetry functions and cutoff are used.
inline std::vector<ElementStatistics> compute_scaling_statistics(const Model& model,
                                                                 const std::vector<Structure>& structures) {
    const std::size_t ne = model.elements.size();
    std::vector<ElementStatistics> out(ne);
    for (std::size_t e = 0; e < ne; ++e) out[e].init(model.elements[e].descriptors.size());
    // Blocks of structures: functions in parallel, then added serially in file order.
    constexpr std::size_t block = 64;
    std::vector<StructureDescriptors> d(std::min(block, structures.size()));
    std::string error;
    for (std::size_t b = 0; b < structures.size(); b += block) {
        const long nb = static_cast<long>(std::min(block, structures.size() - b));
#pragma omp parallel for schedule(dynamic, 1)
        for (long k = 0; k < nb; ++k) {
            const std::size_t t = b + static_cast<std::size_t>(k);
            try {
                d[static_cast<std::size_t>(k)] = compute_descriptors(model, structures[t], false);
            } catch (const std::exception& ex) {
#pragma omp critical(hdnnp_statistics_error)
                if (error.empty()) error = "structure " + std::to_string(t + 1) + ": " + ex.what();
            }
        }
        if (!error.empty()) throw Error("compute_scaling_statistics: " + error);
        for (long k = 0; k < nb; ++k) {
            const StructureDescriptors& sd = d[static_cast<std::size_t>(k)];
            for (std::size_t i = 0; i < sd.G.size(); ++i) out[static_cast<std::size_t>(sd.element[i])].add(sd.G[i]);
        }
    }
    return out;
}

/// Copies the statistics into the model's scaling.data values (gmin, gmax, gmean, gsigma) without
/// setting up the scaling (for writing them; apply_scaling_statistics also checks and sets up).
inline void store_scaling_statistics(Model& model, const std::vector<ElementStatistics>& stats) {
    if (stats.size() != model.elements.size())
        throw Error("store_scaling_statistics: statistics for " + std::to_string(stats.size()) + " elements, model has " +
                    std::to_string(model.elements.size()));
    for (std::size_t e = 0; e < stats.size(); ++e) {
        ElementModel& em = model.elements[e];
        const ElementStatistics& st = stats[e];
        if (st.gmin.size() != em.descriptors.size())
            throw Error("store_scaling_statistics: element " + em.symbol + " has " + std::to_string(em.descriptors.size()) +
                        " functions but statistics for " + std::to_string(st.gmin.size()));
        em.scaling.gmin = st.gmin;
        em.scaling.gmax = st.gmax;
        em.scaling.gmean = st.gmean;
        em.scaling.gsigma = st.gsigma;
    }
}

/// Stores the statistics in the model (its scaling.data values) and sets up the scaling of the model's
/// mode (scale_symmetry_functions etc.). Throws Error if an element has no atoms in the statistics, or
/// if the mode divides by Gmax - Gmin (or Gsigma) and a function never varied.
inline void apply_scaling_statistics(Model& model, const std::vector<ElementStatistics>& stats) {
    if (stats.size() != model.elements.size())
        throw Error("apply_scaling_statistics: statistics for " + std::to_string(stats.size()) + " elements, model has " +
                    std::to_string(model.elements.size()));
    const bool by_range = model.scaling_mode == ScalingMode::scale || model.scaling_mode == ScalingMode::scale_center;
    const bool by_sigma = model.scaling_mode == ScalingMode::sigma;
    for (std::size_t e = 0; e < stats.size(); ++e) {
        ElementModel& em = model.elements[e];
        const ElementStatistics& st = stats[e];
        if (st.count == 0) throw Error("apply_scaling_statistics: no atoms of element " + em.symbol + " in the data");
        if (st.gmin.size() != em.descriptors.size())
            throw Error("apply_scaling_statistics: element " + em.symbol + " has " + std::to_string(em.descriptors.size()) +
                        " functions but statistics for " + std::to_string(st.gmin.size()));
        for (std::size_t s = 0; s < st.gmin.size(); ++s) {
            const std::string which = "symmetry function " + std::to_string(s + 1) + " of element " + em.symbol + " (" +
                                      em.descriptors.specs()[s].describe(model.symbols()) + ")";
            if (by_range && !(st.gmax[s] > st.gmin[s]))
                throw Error("apply_scaling_statistics: " + which + " has the same value for every atom; min/max scaling would divide by zero");
            if (by_sigma && !(st.gsigma[s] > 0.0))
                throw Error("apply_scaling_statistics: " + which + " has zero spread; sigma scaling would divide by zero");
        }
    }
    store_scaling_statistics(model, stats);
    for (ElementModel& em : model.elements) em.scaling.setup(model.scaling_mode, model.scale_min, model.scale_max);
}

/// Energy statistics of a data set (for n2p2's normalisation keywords).
struct EnergyStatistics {
    std::size_t structures = 0, atoms = 0;
    double mean_energy_per_atom = 0.0;   ///< mean over structures of E/N [energy]
    double sigma_energy_per_atom = 0.0;  ///< population standard deviation of E/N [energy]
    double mean_force = 0.0;             ///< mean force component magnitude |F_a| over all atoms [energy/length]
};

/// Mean and spread of the reference energy per atom and the mean force component. Throws Error if a
/// structure has no reference energy.
inline EnergyStatistics energy_statistics(const std::vector<Structure>& structures) {
    EnergyStatistics r;
    double m2 = 0.0, fsum = 0.0;
    std::size_t fcount = 0;
    for (std::size_t k = 0; k < structures.size(); ++k) {
        const Structure& s = structures[k];
        if (!s.has_energy) throw Error("energy_statistics: structure " + std::to_string(k + 1) + " has no energy");
        ++r.structures;
        r.atoms += s.size();
        const double e = s.energy / static_cast<double>(s.size());
        const double d = e - r.mean_energy_per_atom;
        r.mean_energy_per_atom += d / static_cast<double>(r.structures);
        m2 += d * (e - r.mean_energy_per_atom);
        for (const Vec3& f : s.forces)
            for (double c : f) {
                fsum += std::abs(c);
                ++fcount;
            }
    }
    if (r.structures > 0) r.sigma_energy_per_atom = std::sqrt(m2 / static_cast<double>(r.structures));
    if (fcount > 0) r.mean_force = fsum / static_cast<double>(fcount);
    return r;
}

}  // namespace hdnnp::training
