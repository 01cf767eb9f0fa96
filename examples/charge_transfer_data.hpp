// The charge-transfer data sets (used by make_charge_transfer_model and by the tests that check the shipped
// files): seeded samples of open-boundary Na/Cl clusters labelled with the reference of charge_transfer.hpp.
//
//   clusters    rock-salt fragments (2x2x2, 2x2x3, 2x2x4, 2x3x3 sites: 8-18 atoms, half Na, half Cl) with
//               nearest-neighbour distance 4.3-4.9 bohr, Gaussian jitter 0.2 bohr per coordinate and a random
//               rotation; every geometry twice, at total charge 0 and +1 (variants "Q=0", "Q=+1").
//   far-anion   a cation with two close anions (Na-Cl 4.2-5.0 bohr, Cl-Na-Cl angle 100-180 degrees) and
//               a third anion at 2.5-3.5 rc_model from the cation in a random direction (variants
//               "far_Q=-1" and "far_Q=0": total charge -1 and 0), and the same near pair without the third
//               anion at total charge 0 ("near_Q=0"). Within rc_model every atom of the three variants has
//               the same neighbours; the reference energies and charges differ.
// Every structure's comment is "<data set> <geometry number> <variant>" (label() reads it back); every
// fifth geometry (all its variants) is set=test, the rest set=train. Units: bohr, hartree, e.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "charge_transfer.hpp"
#include "hdnnp/core/error.hpp"
#include "hdnnp/core/structure.hpp"
#include "hdnnp/training/setup.hpp"

namespace ct {

constexpr double kModelCutoff = 8.0;            ///< rc of the fitted models [bohr]
constexpr std::uint64_t kDataSeed = 20261207;   ///< seed of the shipped data
constexpr std::size_t kClusterGeometries = 60;  ///< clusters: geometries (each at two total charges)
constexpr std::size_t kFarGeometries = 60;      ///< far-anion: near-pair geometries (each in three variants)

/// Data set, geometry number and variant of a structure, from its comment.
struct Label {
    std::string dataset, variant;
    std::size_t geometry = 0;
};

inline Label label(const hdnnp::Structure& s) {
    std::istringstream in(s.comment);
    Label l;
    if (!(in >> l.dataset >> l.geometry >> l.variant))
        throw hdnnp::Error("charge-transfer data: comment '" + s.comment + "' is not '<data set> <geometry> <variant>'");
    return l;
}

/// A uniformly random rotation matrix (from a random unit quaternion).
inline hdnnp::Mat3 random_rotation(hdnnp::training::Random& rng) {
    double q[4];
    double n2 = 0.0;
    do {
        n2 = 0.0;
        for (double& x : q) {
            x = rng.normal();
            n2 += x * x;
        }
    } while (n2 < 1e-12);
    const double s = 1.0 / std::sqrt(n2);
    const double w = q[0] * s, x = q[1] * s, y = q[2] * s, z = q[3] * s;
    return hdnnp::Mat3{hdnnp::Vec3{1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)},
                       hdnnp::Vec3{2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)},
                       hdnnp::Vec3{2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)}};
}

inline hdnnp::Vec3 rotate(const hdnnp::Mat3& R, const hdnnp::Vec3& v) {
    return hdnnp::Vec3{hdnnp::dot(R[0], v), hdnnp::dot(R[1], v), hdnnp::dot(R[2], v)};
}

/// A jittered, rotated rock-salt fragment of nx x ny x nz sites, centred at the origin.
inline hdnnp::Structure rock_salt_fragment(int nx, int ny, int nz, double spacing, double jitter, hdnnp::training::Random& rng,
                                           const Parameters& p = {}) {
    const hdnnp::Mat3 R = random_rotation(rng);
    hdnnp::Structure s;
    const hdnnp::Vec3 centre{0.5 * (nx - 1) * spacing, 0.5 * (ny - 1) * spacing, 0.5 * (nz - 1) * spacing};
    for (int i = 0; i < nx; ++i)
        for (int j = 0; j < ny; ++j)
            for (int k = 0; k < nz; ++k) {
                hdnnp::Vec3 r{i * spacing, j * spacing, k * spacing};
                r -= centre;
                r += hdnnp::Vec3{jitter * rng.normal(), jitter * rng.normal(), jitter * rng.normal()};
                s.add_atom((i + j + k) % 2 == 0 ? p.cation.symbol : p.anion.symbol, rotate(R, r));
            }
    return s;
}

/// A random unit vector.
inline hdnnp::Vec3 random_direction(hdnnp::training::Random& rng) {
    return rotate(random_rotation(rng), hdnnp::Vec3{0, 0, 1});
}

inline hdnnp::Structure tagged(hdnnp::Structure s, double total_charge, const std::string& dataset, std::size_t geometry,
                               const std::string& variant, const Parameters& p) {
    hdnnp::Structure out = labelled(std::move(s), total_charge, p);
    out.comment = dataset + " " + std::to_string(geometry) + " " + variant;
    out.set = geometry % 5 == 4 ? "test" : "train";
    return out;
}

/// Both data sets, in a fixed order: clusters (geometry by geometry, Q=0 then Q=+1), then far-anion
/// (geometry by geometry: far_Q=-1, far_Q=0, near_Q=0).
inline std::vector<hdnnp::Structure> make_data(std::uint64_t seed = kDataSeed, const Parameters& p = {}) {
    hdnnp::training::Random rng(seed);
    std::vector<hdnnp::Structure> data;
    const int shapes[4][3] = {{2, 2, 2}, {2, 2, 3}, {2, 2, 4}, {2, 3, 3}};
    for (std::size_t g = 0; g < kClusterGeometries; ++g) {
        const int* n = shapes[g % 4];
        const hdnnp::Structure s = rock_salt_fragment(n[0], n[1], n[2], rng.uniform(4.3, 4.9), 0.2, rng, p);
        data.push_back(tagged(s, 0.0, "clusters", g, "Q=0", p));
        data.push_back(tagged(s, 1.0, "clusters", g, "Q=+1", p));
    }
    for (std::size_t g = 0; g < kFarGeometries; ++g) {
        const hdnnp::Mat3 R = random_rotation(rng);
        const double d1 = rng.uniform(4.2, 5.0), d2 = rng.uniform(4.2, 5.0);
        const double angle = rng.uniform(100.0, 180.0) * M_PI / 180.0;
        hdnnp::Structure near;
        near.add_atom(p.cation.symbol, hdnnp::Vec3{0, 0, 0});
        near.add_atom(p.anion.symbol, rotate(R, hdnnp::Vec3{d1, 0, 0}));
        near.add_atom(p.anion.symbol, rotate(R, hdnnp::Vec3{d2 * std::cos(angle), d2 * std::sin(angle), 0}));
        hdnnp::Structure far = near;
        far.add_atom(p.anion.symbol, rng.uniform(2.5, 3.5) * kModelCutoff * random_direction(rng));
        data.push_back(tagged(far, -1.0, "far-anion", g, "far_Q=-1", p));
        data.push_back(tagged(far, 0.0, "far-anion", g, "far_Q=0", p));
        data.push_back(tagged(near, 0.0, "far-anion", g, "near_Q=0", p));
    }
    return data;
}

/// The structure of the locality test (`hdnnp locality`): a neutral 2x2x7 rock-salt rod (28 atoms, 27.6 bohr
/// long, more than 3 rc), jitter 0.1 bohr, labelled with the reference.
inline hdnnp::Structure locality_structure(const Parameters& p = {}) {
    hdnnp::training::Random rng(7);
    hdnnp::Structure s = labelled(rock_salt_fragment(2, 2, 7, 4.6, 0.1, rng, p), 0.0, p);
    s.comment = "locality rod 2x2x7 Q=0";
    return s;
}

}  // namespace ct
