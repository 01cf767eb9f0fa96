// hdnnp: radial distribution functions g_ab(r) per element pair of periodic structures (minimum image),
// accumulated over frames.
//
// For elements a != b, g_ab(r) = <n_ab(r)> / (N_a N_b / V * 4 pi/3 ((r + dr)^3 - r^3)) with n_ab the number of
// (a, b) pairs in the shell; for a = b the ideal count is N_a (N_a - 1) / 2 / V times the shell volume. An ideal gas
// (uniformly random positions) gives g = 1. r_max must not exceed half the smallest perpendicular width of the cell,
// so that each pair has at most one image within r_max (the minimum image).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <limits>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "hdnnp/core/error.hpp"
#include "hdnnp/core/structure.hpp"
#include "hdnnp/core/vec3.hpp"

namespace hdnnp::md {

/// Half the smallest distance between opposite faces of the cell [length of the structure].
inline double half_min_width(const Mat3& lattice) {
    const double v = std::abs(determinant(lattice));
    double w = std::numeric_limits<double>::infinity();
    for (int k = 0; k < 3; ++k) w = std::min(w, v / norm(cross(lattice[(k + 1) % 3], lattice[(k + 2) % 3])));
    return 0.5 * w;
}

class RadialDistribution {
public:
    /// Element symbols (in the order the columns should follow), r_max [Å], number of bins.
    RadialDistribution(std::vector<std::string> elements, double r_max, std::size_t bins)
        : elements_(std::move(elements)), r_max_(r_max), bins_(bins) {
        if (elements_.empty()) throw Error("rdf: no elements");
        if (!(r_max_ > 0.0) || bins_ == 0) throw Error("rdf: r_max and the number of bins must be positive");
        for (std::size_t a = 0; a < elements_.size(); ++a)
            for (std::size_t b = a; b < elements_.size(); ++b) pairs_.emplace_back(a, b);
        counts_.assign(pairs_.size(), std::vector<double>(bins_, 0.0));
        density_.assign(pairs_.size(), 0.0);
    }

    /// Adds one frame; positions and cell are multiplied by `length` (Å per structure length unit).
    void add(const Structure& s, double length = 1.0) {
        if (!s.periodic) throw Error("rdf: the structure has no periodic cell (g(r) needs a volume)");
        Mat3 cell{length * s.lattice[0], length * s.lattice[1], length * s.lattice[2]};
        if (r_max_ > half_min_width(cell) * (1.0 + 1e-12))
            throw Error("rdf: r_max " + std::to_string(r_max_) + " Å exceeds half the smallest cell width " +
                        std::to_string(half_min_width(cell)) + " Å (minimum image)");
        const double vol = std::abs(determinant(cell));
        // Fractional coordinates f = r C^-1 (cell rows are the lattice vectors).
        const Vec3 b0 = cross(cell[1], cell[2]), b1 = cross(cell[2], cell[0]), b2 = cross(cell[0], cell[1]);
        const double det = determinant(cell);
        const std::size_t n = s.size();
        std::vector<Vec3> frac(n);
        std::vector<int> kind(n, -1);
        std::vector<double> count(elements_.size(), 0.0);
        for (std::size_t i = 0; i < n; ++i) {
            const Vec3 r = length * s.positions[i];
            frac[i] = {dot(r, b0) / det, dot(r, b1) / det, dot(r, b2) / det};
            for (std::size_t e = 0; e < elements_.size(); ++e)
                if (s.symbols[i] == elements_[e]) kind[i] = int(e);
            if (kind[i] >= 0) count[std::size_t(kind[i])] += 1.0;
        }
        const bool orthogonal = std::abs(dot(cell[0], cell[1])) + std::abs(dot(cell[1], cell[2])) + std::abs(dot(cell[0], cell[2])) <=
                                1e-12 * (dot(cell[0], cell[0]) + dot(cell[1], cell[1]) + dot(cell[2], cell[2]));
        const std::size_t ne = elements_.size();
        std::vector<std::size_t> pair_of(ne * ne);
        for (std::size_t p = 0; p < pairs_.size(); ++p) {
            pair_of[pairs_[p].first * ne + pairs_[p].second] = p;
            pair_of[pairs_[p].second * ne + pairs_[p].first] = p;
        }
        const double r2max = r_max_ * r_max_, inv_dr = double(bins_) / r_max_;
        for (std::size_t i = 0; i < n; ++i) {
            if (kind[i] < 0) continue;
            for (std::size_t j = i + 1; j < n; ++j) {
                if (kind[j] < 0) continue;
                Vec3 df = frac[j] - frac[i];
                for (auto& x : df) x -= std::nearbyint(x);
                const Vec3 d0 = df[0] * cell[0] + df[1] * cell[1] + df[2] * cell[2];
                double r2 = dot(d0, d0);
                if (!orthogonal) {  // skewed cells: the rounded image need not be the nearest one
                    for (int a = -1; a <= 1; ++a)
                        for (int b = -1; b <= 1; ++b)
                            for (int c = -1; c <= 1; ++c) {
                                const Vec3 d = d0 + double(a) * cell[0] + double(b) * cell[1] + double(c) * cell[2];
                                r2 = std::min(r2, dot(d, d));
                            }
                }
                if (r2 >= r2max) continue;
                const std::size_t bin = std::min(bins_ - 1, std::size_t(std::sqrt(r2) * inv_dr));
                counts_[pair_of[std::size_t(kind[i]) * ne + std::size_t(kind[j])]][bin] += 1.0;
            }
        }
        for (std::size_t p = 0; p < pairs_.size(); ++p) {
            const double na = count[pairs_[p].first], nb = count[pairs_[p].second];
            density_[p] += (pairs_[p].first == pairs_[p].second ? 0.5 * na * (na - 1.0) : na * nb) / vol;
        }
        ++frames_;
    }

    std::size_t frames() const { return frames_; }
    std::size_t bins() const { return bins_; }
    double r_max() const { return r_max_; }
    const std::vector<std::string>& elements() const { return elements_; }
    /// Element index pairs (a <= b) in column order.
    const std::vector<std::pair<std::size_t, std::size_t>>& pairs() const { return pairs_; }
    std::string pair_name(std::size_t p) const { return elements_[pairs_[p].first] + "-" + elements_[pairs_[p].second]; }
    /// Bin centre [Å].
    double r(std::size_t bin) const { return (double(bin) + 0.5) * r_max_ / double(bins_); }
    /// g of pair p in a bin (0 where the pair never occurs).
    double g(std::size_t p, std::size_t bin) const {
        const double dr = r_max_ / double(bins_), r0 = double(bin) * dr, r1 = r0 + dr;
        const double shell = 4.0 * 3.14159265358979323846 / 3.0 * (r1 * r1 * r1 - r0 * r0 * r0);
        const double ideal = density_[p] * shell;
        return ideal > 0.0 ? counts_[p][bin] / ideal : 0.0;
    }

    /// Table: a comment line, then "r_angstrom g_A-B ..." and one row per bin.
    void write(std::ostream& out) const {
        out << "# radial distribution functions, minimum image, " << frames_ << " frames, r = bin centre [Å]\n";
        out << "r_angstrom";
        for (std::size_t p = 0; p < pairs_.size(); ++p) out << " g_" << pair_name(p);
        out << "\n";
        char buf[64];
        for (std::size_t b = 0; b < bins_; ++b) {
            std::snprintf(buf, sizeof buf, "%.6f", r(b));
            out << buf;
            for (std::size_t p = 0; p < pairs_.size(); ++p) {
                std::snprintf(buf, sizeof buf, " %.6f", g(p, b));
                out << buf;
            }
            out << "\n";
        }
    }

private:
    std::vector<std::string> elements_;
    double r_max_;
    std::size_t bins_;
    std::vector<std::pair<std::size_t, std::size_t>> pairs_;
    std::vector<std::vector<double>> counts_;
    std::vector<double> density_;
    std::size_t frames_ = 0;
};

}  // namespace hdnnp::md
