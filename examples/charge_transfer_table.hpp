// The charge-transfer table (used by make_charge_transfer_model and by the shipped-model test): errors of a
// fitted model against the reference of charge_transfer.hpp, per data set and variant (total charge), and
// the pairs of structures whose atoms have identical environments within the model's cutoff.
//
//   energy RMSE per atom  sqrt(mean_s ((E_s - E_s^ref) / N_s)^2)              [Ha/atom]
//   force RMSE            sqrt(mean over all components (F - F^ref)^2)        [Ha/bohr]
//   charge RMSE           sqrt(mean over atoms (Q - Q^ref)^2)                  [e] (NaN for a model without charges)
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "charge_transfer_data.hpp"
#include "hdnnp/core/structure.hpp"
#include "hdnnp/potential/potential.hpp"

namespace ct {

struct Row {
    std::string dataset, variant;
    std::size_t structures = 0, atoms = 0;
    double energy_rmse = 0.0;  ///< [Ha/atom]
    double force_rmse = 0.0;   ///< [Ha/bohr]
    double charge_rmse = std::numeric_limits<double>::quiet_NaN();  ///< [e]
    std::size_t extrapolations = 0;
};

/// The model's results on every structure (energies, forces and, for 3G/4G, charges).
inline std::vector<hdnnp::Result> predict(const hdnnp::Potential<>& pot, const std::vector<hdnnp::Structure>& data) {
    std::vector<hdnnp::Result> out;
    out.reserve(data.size());
    for (const hdnnp::Structure& s : data) out.push_back(pot.compute(s));
    return out;
}

/// One row per (data set, variant) of the structures in `set` ("train", "test" or "" for all), in order of
/// first appearance; with by_variant false, one row per data set (variant "all").
inline std::vector<Row> error_table(const std::vector<hdnnp::Structure>& data, const std::vector<hdnnp::Result>& pred,
                                    const std::string& set, bool by_variant = true) {
    std::vector<Row> rows;
    std::map<std::string, std::size_t> index;
    struct Sums {
        double e = 0.0, f = 0.0, q = 0.0;
        bool charges = true;
    };
    std::vector<Sums> sums;
    for (std::size_t k = 0; k < data.size(); ++k) {
        const hdnnp::Structure& s = data[k];
        if (!set.empty() && s.set != set) continue;
        Label l = label(s);
        if (!by_variant) l.variant = "all";
        const std::string key = l.dataset + " " + l.variant;
        auto it = index.find(key);
        if (it == index.end()) {
            it = index.emplace(key, rows.size()).first;
            rows.push_back(Row{l.dataset, l.variant});
            sums.emplace_back();
        }
        Row& row = rows[it->second];
        Sums& sum = sums[it->second];
        const hdnnp::Result& r = pred[k];
        const double n = static_cast<double>(s.size());
        sum.e += (r.energy - s.energy) * (r.energy - s.energy) / (n * n);
        for (std::size_t i = 0; i < s.size(); ++i)
            for (int c = 0; c < 3; ++c) sum.f += (r.forces[i][c] - s.forces[i][c]) * (r.forces[i][c] - s.forces[i][c]);
        if (r.charges.size() == s.size())
            for (std::size_t i = 0; i < s.size(); ++i) sum.q += (r.charges[i] - s.charges[i]) * (r.charges[i] - s.charges[i]);
        else
            sum.charges = false;
        row.structures += 1;
        row.atoms += s.size();
        row.extrapolations += r.extrapolation_count;
    }
    for (std::size_t k = 0; k < rows.size(); ++k) {
        Row& row = rows[k];
        row.energy_rmse = std::sqrt(sums[k].e / static_cast<double>(row.structures));
        row.force_rmse = std::sqrt(sums[k].f / static_cast<double>(3 * row.atoms));
        if (sums[k].charges) row.charge_rmse = std::sqrt(sums[k].q / static_cast<double>(row.atoms));
    }
    return rows;
}

/// Two structures whose atoms have identical environments within the model's cutoff (same geometry at
/// two total charges, or the same near pair with the far anion at a different total charge).
struct Pair {
    std::size_t a = 0, b = 0;  ///< indices into the data
    std::string what;
};

/// The pairs of the data: clusters Q=0 / Q=+1 of each geometry, far-anion far_Q=-1 / far_Q=0 of each geometry.
inline std::vector<Pair> identical_environment_pairs(const std::vector<hdnnp::Structure>& data) {
    std::map<std::string, std::size_t> where;
    for (std::size_t k = 0; k < data.size(); ++k) {
        const Label l = label(data[k]);
        where[l.dataset + " " + std::to_string(l.geometry) + " " + l.variant] = k;
    }
    std::vector<Pair> pairs;
    for (std::size_t k = 0; k < data.size(); ++k) {
        const Label l = label(data[k]);
        const std::string g = l.dataset + " " + std::to_string(l.geometry) + " ";
        if (l.variant == "Q=0" && where.count(g + "Q=+1"))
            pairs.push_back(Pair{k, where[g + "Q=+1"], "clusters " + std::to_string(l.geometry) + ": Q=0 vs Q=+1"});
        if (l.variant == "far_Q=-1" && where.count(g + "far_Q=0"))
            pairs.push_back(Pair{k, where[g + "far_Q=0"], "far-anion " + std::to_string(l.geometry) + ": Q=-1 vs Q=0"});
    }
    return pairs;
}

}  // namespace ct
