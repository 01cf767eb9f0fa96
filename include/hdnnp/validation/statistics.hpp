// hdnnp: error statistics of a potential against reference data, accumulated one structure at a time (the data
// set is never held in memory), with the definitions of n2p2's error code (Structure::updateError and
// Atom::updateError in libnnp, Dataset::combineErrors in libnnptrain):
//
//   energy, per structure s of N_s atoms, dE_s = E_s(model) - E_s(ref), S structures:
//     rmse_per_atom = sqrt(sum_s (dE_s / N_s)^2 / S)     mae_per_atom = sum_s |dE_s| / N_s / S
//     rmse          = sqrt(sum_s dE_s^2 / S)             mae          = sum_s |dE_s| / S
//   forces, over every Cartesian component of every atom (3 per atom), overall and per element:
//     rmse = sqrt(sum (F_model - F_ref)^2 / (3 N))        mae = sum |F_model - F_ref| / (3 N)
//   charges (3G/4G), per atom: rmse = sqrt(sum dq^2 / N), mae = sum |dq| / N
//
// Also: the N structures with the largest |dE_s| / N_s and the N atoms with the largest |F_model - F_ref| (kept in
// bounded heaps), and a summary of extrapolation warnings per element and symmetry function.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "hdnnp/core/error.hpp"
#include "hdnnp/core/result.hpp"
#include "hdnnp/core/structure.hpp"
#include "hdnnp/core/vec3.hpp"

namespace hdnnp::validation {

/// Sums of squared and absolute deviations and their count.
struct ErrorSum {
    double squares = 0.0, absolutes = 0.0;
    std::size_t count = 0;
    void add(double d) {
        squares += d * d;
        absolutes += std::abs(d);
        ++count;
    }
    double rmse() const { return count ? std::sqrt(squares / double(count)) : 0.0; }
    double mae() const { return count ? absolutes / double(count) : 0.0; }
};

struct StructureError {
    std::size_t index = 0;  ///< 1-based position in the data
    std::size_t atoms = 0;
    double reference = 0.0, predicted = 0.0;  ///< total energies [energy]
    double error_per_atom() const { return (predicted - reference) / double(atoms); }
};

struct AtomError {
    std::size_t structure = 0, atom = 0;  ///< 1-based
    std::string element;
    Vec3 reference{}, predicted{};  ///< forces [energy/length]
    double error() const { return norm(predicted - reference); }
};

/// Extrapolation warnings of one symmetry function of one element.
struct ExtrapolationSummary {
    std::string element;
    std::size_t function = 0;  ///< 1-based, n2p2's sorted order (as in scaling.data)
    int type = 0;
    double min = 0.0, max = 0.0;  ///< the scaling.data range
    std::size_t count = 0;        ///< atoms (over all structures) outside the range
    std::size_t structures = 0;   ///< structures (md: steps) with at least one
    double max_excess = 0.0;      ///< largest distance outside the range (value - max or min - value)
    std::size_t last_structure = 0;
    /// The largest excess relative to the range width max - min.
    double relative_excess() const { return max > min ? max_excess / (max - min) : 0.0; }
};

/// Extrapolation warnings of many evaluations, summed per element and symmetry function (used by ErrorStatistics
/// per structure and by `hdnnp md` per step).
class ExtrapolationTally {
public:
    /// Adds the warnings of one evaluation; `index` (structure or step) is remembered as the last occurrence.
    void add(const Result& r, std::size_t index) {
        count_ += r.extrapolation_count;
        if (r.extrapolation_count > r.extrapolations.size()) incomplete_ = true;
        std::map<std::pair<std::string, std::size_t>, bool> seen;
        for (const ExtrapolationWarning& w : r.extrapolations) {
            const auto key = std::make_pair(w.element, w.function);
            ExtrapolationSummary& e = by_function_[key];
            e.element = w.element;
            e.function = w.function;
            e.type = w.type;
            e.min = w.min;
            e.max = w.max;
            ++e.count;
            if (!seen[key]) {
                ++e.structures;
                seen[key] = true;
            }
            e.max_excess = std::max(e.max_excess, w.value > w.max ? w.value - w.max : w.min - w.value);
            e.last_structure = index;
        }
    }
    /// Every function of every element that left its range, most frequent first.
    std::vector<ExtrapolationSummary> summary() const {
        std::vector<ExtrapolationSummary> v;
        for (const auto& kv : by_function_) v.push_back(kv.second);
        std::stable_sort(v.begin(), v.end(), [](const ExtrapolationSummary& a, const ExtrapolationSummary& b) { return a.count > b.count; });
        return v;
    }
    std::size_t count() const { return count_; }
    /// True if some evaluation had more warnings than were recorded in detail (ComputeOptions::max_extrapolation_records).
    bool incomplete() const { return incomplete_; }

private:
    std::map<std::pair<std::string, std::size_t>, ExtrapolationSummary> by_function_;
    std::size_t count_ = 0;
    bool incomplete_ = false;
};

class ErrorStatistics {
public:
    /// worst: how many structures and atoms to keep for worst_structures() / worst_atoms().
    explicit ErrorStatistics(std::size_t worst = 10, bool charges = false) : worst_(worst), charges_(charges) {}

    /// Adds one structure: reference data in `ref` (energy, forces, charges), model values in `r`. index is
    /// 1-based. Throws Error for a structure without atoms or without a reference energy.
    void add(const Structure& ref, const Result& r, std::size_t index) {
        const std::size_t n = ref.size();
        if (n == 0) throw Error("structure " + std::to_string(index) + " has no atoms");
        if (!ref.has_energy) throw Error("structure " + std::to_string(index) + " has no reference energy");
        if (r.forces.size() != n) throw Error("structure " + std::to_string(index) + ": the result has no forces");
        if (charges_ && r.charges.size() != n) throw Error("structure " + std::to_string(index) + ": the result has no charges");
        ++structures_;
        atoms_ += n;
        const double de = r.energy - ref.energy;
        energy_.add(de);
        energy_per_atom_.add(de / double(n));
        push_worst(worst_structures_, StructureError{index, n, ref.energy, r.energy},
                   [](const StructureError& a, const StructureError& b) { return std::abs(a.error_per_atom()) > std::abs(b.error_per_atom()); });
        for (std::size_t i = 0; i < n; ++i) {
            ErrorSum& el = per_element_[ref.symbols[i]];
            for (int k = 0; k < 3; ++k) {
                const double d = r.forces[i][k] - ref.forces[i][k];
                forces_.add(d);
                el.add(d);
            }
            if (charges_) charges_sum_.add(r.charges[i] - ref.charges[i]);
            if (worst_ > 0)
                push_worst(worst_atoms_, AtomError{index, i + 1, ref.symbols[i], ref.forces[i], r.forces[i]},
                           [](const AtomError& a, const AtomError& b) { return a.error() > b.error(); });
        }
        extrapolation_.add(r, index);
    }

    std::size_t structures() const { return structures_; }
    std::size_t atoms() const { return atoms_; }
    bool has_charges() const { return charges_; }
    const ErrorSum& energy() const { return energy_; }
    const ErrorSum& energy_per_atom() const { return energy_per_atom_; }
    const ErrorSum& forces() const { return forces_; }
    const ErrorSum& charges() const { return charges_sum_; }
    /// Per element symbol, in alphabetical order.
    const std::map<std::string, ErrorSum>& forces_per_element() const { return per_element_; }

    /// Worst first: largest |dE| / N.
    std::vector<StructureError> worst_structures() const { return sorted(worst_structures_, [](const StructureError& a, const StructureError& b) {
        return std::abs(a.error_per_atom()) > std::abs(b.error_per_atom()); }); }
    /// Worst first: largest |F_model - F_ref|.
    std::vector<AtomError> worst_atoms() const { return sorted(worst_atoms_, [](const AtomError& a, const AtomError& b) { return a.error() > b.error(); }); }

    /// Every function of every element that left its range, most frequent first.
    std::vector<ExtrapolationSummary> extrapolations() const { return extrapolation_.summary(); }
    std::size_t extrapolation_count() const { return extrapolation_.count(); }
    /// True if some structure had more warnings than were recorded in detail (ComputeOptions::max_extrapolation_records).
    bool extrapolations_incomplete() const { return extrapolation_.incomplete(); }

    /// The statistics as JSON: {"structures", "atoms", "energy": {"rmse_per_atom", "mae_per_atom", "rmse", "mae"},
    /// "forces": {"rmse", "mae", "per_element": {"H": {"rmse", "mae"}, ...}}, "charges": {"rmse", "mae"}} (charges
    /// only with charges), in the data's units.
    void write_json(std::ostream& out) const {
        char buf[64];
        auto num = [&](double x) {
            std::snprintf(buf, sizeof buf, "%.17g", x);
            return std::string(buf);
        };
        out << "{\n  \"structures\": " << structures_ << ",\n  \"atoms\": " << atoms_ << ",\n";
        out << "  \"energy\": {\"rmse_per_atom\": " << num(energy_per_atom_.rmse()) << ", \"mae_per_atom\": " << num(energy_per_atom_.mae())
            << ", \"rmse\": " << num(energy_.rmse()) << ", \"mae\": " << num(energy_.mae()) << "},\n";
        out << "  \"forces\": {\"rmse\": " << num(forces_.rmse()) << ", \"mae\": " << num(forces_.mae()) << ", \"per_element\": {";
        bool first = true;
        for (const auto& kv : per_element_) {
            out << (first ? "" : ", ") << "\"" << kv.first << "\": {\"rmse\": " << num(kv.second.rmse()) << ", \"mae\": " << num(kv.second.mae())
                << "}";
            first = false;
        }
        out << "}}";
        if (charges_) out << ",\n  \"charges\": {\"rmse\": " << num(charges_sum_.rmse()) << ", \"mae\": " << num(charges_sum_.mae()) << "}";
        out << "\n}\n";
    }

private:
    /// Keeps the `worst_` largest items (by `worse`) in a heap whose top is the least bad of them.
    template <class T, class Worse> void push_worst(std::vector<T>& heap, T item, Worse worse) {
        if (worst_ == 0) return;
        if (heap.size() < worst_) {
            heap.push_back(std::move(item));
            std::push_heap(heap.begin(), heap.end(), worse);
        } else if (worse(item, heap.front())) {
            std::pop_heap(heap.begin(), heap.end(), worse);
            heap.back() = std::move(item);
            std::push_heap(heap.begin(), heap.end(), worse);
        }
    }
    template <class T, class Worse> static std::vector<T> sorted(std::vector<T> v, Worse worse) {
        std::stable_sort(v.begin(), v.end(), worse);
        return v;
    }

    std::size_t worst_;
    bool charges_;
    std::size_t structures_ = 0, atoms_ = 0;
    ErrorSum energy_, energy_per_atom_, forces_, charges_sum_;
    std::map<std::string, ErrorSum> per_element_;
    std::vector<StructureError> worst_structures_;
    std::vector<AtomError> worst_atoms_;
    ExtrapolationTally extrapolation_;
};

}  // namespace hdnnp::validation
