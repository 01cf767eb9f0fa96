// hdnnp: the policies of Potential<Cutoff, Networks, Families, Generation>, and what each must provide.
//
//   Cutoff       AnyCutoff (the model's cutoff, visited once per call) or a cutoff type (CutoffTanhU, ...):
//                  static constexpr int id;  static void eval(r, const CutoffParams&, f, df)  (cutoffs/cutoff.hpp)
//   Networks     RuntimeNetworks or CompiledNetworks<...> (potential/networks.hpp lists the members)
//   Families     Families<Radial, AngularNarrow, ...> (descriptors/families.hpp): kernels instantiated
//   Generation   the charge policy, a tag:
//                  Gen2           short-range only: E = sum_i E_i(G_i), one fused pass per atom
//                  Gen3           charge networks, total-charge scheme, Coulomb/Ewald (potential/charges.hpp)
//                  Gen4           electronegativity networks and charge equilibration with a solver
//                  AnyGeneration  whichever the loaded model is (visited once per call, like AnyCutoff)
// Each requirement is a detection trait below; Potential checks them all with static_asserts whose
// message says what is missing, at the point where the Potential type is first used.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include "hdnnp/cutoffs/cutoff.hpp"
#include "hdnnp/descriptors/families.hpp"
#include "hdnnp/potential/model.hpp"

namespace hdnnp {

/// Generation (charge) policies.
struct Gen2 { static constexpr Generation generation = Generation::second; };
struct Gen3 { static constexpr Generation generation = Generation::third; };
struct Gen4 { static constexpr Generation generation = Generation::fourth; };
struct AnyGeneration {};

namespace detail {

template <class...> using void_t = void;

template <class T> struct is_families : std::false_type {};
template <class... F> struct is_families<Families<F...>> : std::true_type {};

template <class G> inline constexpr bool is_generation_v =
    std::is_same_v<G, Gen2> || std::is_same_v<G, Gen3> || std::is_same_v<G, Gen4> || std::is_same_v<G, AnyGeneration>;

template <class C, class = void> struct is_cutoff : std::false_type {};
template <class C>
struct is_cutoff<C, void_t<decltype(C::id), decltype(C::eval(std::declval<double>(), std::declval<const CutoffParams&>(),
                                                              std::declval<double&>(), std::declval<double&>()))>>
    : std::true_type {};

template <class N, class = void> struct has_network_core : std::false_type {};
template <class N>
struct has_network_core<
    N, void_t<typename N::Workspace, decltype(std::declval<N&>().bind(std::declval<const Model&>())),
              decltype(std::declval<const N&>().forward(std::declval<const Model&>(), std::size_t{}, std::declval<const double*>(),
                                                        std::declval<typename N::Workspace&>())),
              decltype(std::declval<const N&>().backward(std::declval<const Model&>(), std::size_t{},
                                                         std::declval<typename N::Workspace&>(), std::declval<double*>()))>>
    : std::bool_constant<std::is_default_constructible_v<typename N::Workspace>> {};

template <class N, class = void> struct declares_electrostatic : std::false_type {};
template <class N> struct declares_electrostatic<N, void_t<decltype(N::has_electrostatic)>> : std::true_type {};

template <class N, class = void> struct has_electrostatic_members : std::false_type {};
template <class N>
struct has_electrostatic_members<
    N, void_t<decltype(std::declval<const N&>().electrostatic_forward(std::declval<const Model&>(), std::size_t{},
                                                                      std::declval<const double*>(), std::declval<typename N::Workspace&>())),
              decltype(std::declval<const N&>().electrostatic_backward(std::declval<const Model&>(), std::size_t{},
                                                                       std::declval<typename N::Workspace&>(), std::declval<double*>()))>>
    : std::true_type {};

template <class N> constexpr bool networks_have_electrostatic() {
    if constexpr (declares_electrostatic<N>::value) return N::has_electrostatic;
    else return false;
}

/// All policy checks of Potential in one place; instantiated by Potential's class body.
template <class Cutoff, class Networks, class Fam, class Gen> struct CheckPolicies {
    static_assert(std::is_same_v<Cutoff, AnyCutoff> || is_cutoff<Cutoff>::value,
                  "hdnnp::Potential: the Cutoff policy must be AnyCutoff or a cutoff type with `static constexpr int id` and "
                  "`static void eval(double r, const CutoffParams&, double& f, double& df)` (see cutoffs/cutoff.hpp)");
    static_assert(has_network_core<Networks>::value,
                  "hdnnp::Potential: the Networks policy must provide a default-constructible `Workspace`, `bind(const Model&)`, "
                  "`forward(const Model&, std::size_t element, const double* x, Workspace&)` and "
                  "`backward(const Model&, std::size_t element, Workspace&, double* dx)` (see potential/networks.hpp)");
    static_assert(declares_electrostatic<Networks>::value,
                  "hdnnp::Potential: the Networks policy must declare `static constexpr bool has_electrostatic` (true if it "
                  "also evaluates the charge/electronegativity networks of 3G/4G models)");
    static_assert(!networks_have_electrostatic<Networks>() || has_electrostatic_members<Networks>::value,
                  "hdnnp::Potential: a Networks policy with has_electrostatic = true must provide "
                  "`electrostatic_forward(const Model&, std::size_t, const double*, Workspace&)` and "
                  "`electrostatic_backward(const Model&, std::size_t, Workspace&, double*)`");
    static_assert(is_families<Fam>::value,
                  "hdnnp::Potential: the Families policy must be hdnnp::Families<...> (e.g. hdnnp::ACSF or hdnnp::AllFamilies)");
    static_assert(is_generation_v<Gen>,
                  "hdnnp::Potential: the Generation policy must be hdnnp::Gen2, hdnnp::Gen3, hdnnp::Gen4 or hdnnp::AnyGeneration");
    static_assert(std::is_same_v<Gen, Gen2> || std::is_same_v<Gen, AnyGeneration> || networks_have_electrostatic<Networks>(),
                  "hdnnp::Potential: a 3G or 4G potential needs charge/electronegativity networks: use RuntimeNetworks, or "
                  "CompiledNetworks<ElementNetworks<Short, Electrostatic>, ...>");
    static constexpr bool ok = true;
};

}  // namespace detail
}  // namespace hdnnp
