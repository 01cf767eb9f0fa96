// hdnnp: symmetry-function families as types, for potentials whose descriptor set is fixed at compile
// time. A Families<...> list tells the potential which kernels to instantiate; loading a model that
// uses any other family is refused. AllFamilies (the default) instantiates every kernel.
#pragma once

namespace hdnnp {

struct Radial { static constexpr int type = 2; };                   ///< type 2
struct AngularNarrow { static constexpr int type = 3; };            ///< type 3
struct AngularWide { static constexpr int type = 9; };              ///< type 9
struct WeightedRadial { static constexpr int type = 12; };          ///< type 12
struct WeightedAngularNarrow { static constexpr int type = 13; };   ///< type 13
struct CompactRadial { static constexpr int type = 20; };           ///< type 20
struct CompactAngularNarrow { static constexpr int type = 21; };    ///< type 21
struct CompactAngularWide { static constexpr int type = 22; };      ///< type 22
struct CompactWeightedRadial { static constexpr int type = 23; };   ///< type 23
struct CompactWeightedNarrow { static constexpr int type = 24; };   ///< type 24
struct CompactWeightedWide { static constexpr int type = 25; };     ///< type 25

template <class... F> struct Families {
    static constexpr bool has(int type) { return ((F::type == type) || ...); }
    static constexpr bool radial = has(2) || has(12);
    static constexpr bool angular = has(3) || has(9) || has(13);
    static constexpr bool compact_radial = has(20) || has(23);
    static constexpr bool compact_angular = has(21) || has(22) || has(24) || has(25);
};

using AllFamilies = Families<Radial, AngularNarrow, AngularWide, WeightedRadial, WeightedAngularNarrow, CompactRadial,
                             CompactAngularNarrow, CompactAngularWide, CompactWeightedRadial, CompactWeightedNarrow,
                             CompactWeightedWide>;
/// Behler-Parrinello ACSF as in most water and metal potentials (types 2, 3, 9).
using ACSF = Families<Radial, AngularNarrow, AngularWide>;
/// Polynomial symmetry functions (types 20-25).
using PolynomialSF = Families<CompactRadial, CompactAngularNarrow, CompactAngularWide, CompactWeightedRadial,
                              CompactWeightedNarrow, CompactWeightedWide>;

}  // namespace hdnnp
