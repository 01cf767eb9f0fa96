// hdnnp: how a potential holds its per-element networks (the Networks policy of Potential).
//
//   RuntimeNetworks            the networks of the loaded Model, shapes read at run time (default); covers
//                              the short-range networks and, for 3G/4G models, the charge (3G) or
//                              electronegativity (4G) networks of weightse.ZZZ.data
//   CompiledNetworks<E...>     one entry per element (ascending atomic number), shapes fixed at compile time:
//                              E = StaticNetwork<...>                     short-range network only (2G)
//                              E = ElementNetworks<Short, Electrostatic>  short-range and charge/electronegativity
//                                                                         networks (3G/4G)
//                              The model's numbers are copied in and its shapes checked.
// Both call the same layer kernels. What Potential requires of a Networks policy (checked by
// static_assert in potential/policies.hpp):
//   using Workspace;                          per-thread buffers (default-constructible)
//   void bind(const Model&);                  copies/checks the model's networks (throws Error on mismatch)
//   double forward(const Model&, e, x, ws);   short-range network of element e on x -> output
//   void backward(const Model&, e, ws, dx);   after forward: d output / d input into dx
//   static constexpr bool has_electrostatic;  true if the two below exist (needed for 3G/4G)
//   double electrostatic_forward(const Model&, e, x, ws); void electrostatic_backward(const Model&, e, ws, dx);
#pragma once

#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "hdnnp/core/error.hpp"
#include "hdnnp/networks/network.hpp"
#include "hdnnp/networks/static_network.hpp"
#include "hdnnp/potential/model.hpp"

namespace hdnnp {

/// The networks of the loaded model, evaluated with their runtime shapes.
class RuntimeNetworks {
public:
    using Workspace = NetworkWorkspace;
    static constexpr bool has_electrostatic = true;

    void bind(const Model& m) {
        elec_.clear();
        for (const auto& e : m.elements)
            elec_.push_back(m.generation == Generation::fourth ? &e.electronegativity : &e.charge);
    }
    double forward(const Model& m, std::size_t e, const double* x, Workspace& ws) const {
        return m.elements[e].network.forward(x, ws);
    }
    void backward(const Model& m, std::size_t e, Workspace& ws, double* dx) const { m.elements[e].network.backward(ws, dx); }
    double electrostatic_forward(const Model&, std::size_t e, const double* x, Workspace& ws) const {
        return elec_[e]->forward(x, ws);
    }
    void electrostatic_backward(const Model&, std::size_t e, Workspace& ws, double* dx) const { elec_[e]->backward(ws, dx); }

private:
    std::vector<const Network*> elec_;  // per element: charge (3G) or electronegativity (4G) network of the model
};

/// Marks "no network" (the electrostatic network of a 2G element).
struct NoNetwork {
    struct Workspace {};
};

/// The networks of one element of a compiled 3G/4G model: short-range network and charge (3G) or
/// electronegativity (4G) network, both StaticNetwork types.
template <class Short, class Electrostatic = NoNetwork> struct ElementNetworks {
    using short_range = Short;
    using electrostatic = Electrostatic;
};

namespace detail {
template <class E> struct as_element_networks { using type = ElementNetworks<E, NoNetwork>; };
template <class S, class Q> struct as_element_networks<ElementNetworks<S, Q>> { using type = ElementNetworks<S, Q>; };
template <class E> using element_networks_t = typename as_element_networks<E>::type;
}  // namespace detail

template <class... Es> class CompiledNetworks {
    using Shorts = std::tuple<typename detail::element_networks_t<Es>::short_range...>;
    using Elecs = std::tuple<typename detail::element_networks_t<Es>::electrostatic...>;

public:
    /// True if every element has a compiled charge/electronegativity network.
    static constexpr bool has_electrostatic =
        sizeof...(Es) > 0 && (!std::is_same_v<typename detail::element_networks_t<Es>::electrostatic, NoNetwork> && ...);
    struct Workspace {
        std::tuple<typename detail::element_networks_t<Es>::short_range::Workspace...> s;
        std::tuple<typename detail::element_networks_t<Es>::electrostatic::Workspace...> q;
    };

    void bind(const Model& m) {
        if (m.elements.size() != sizeof...(Es))
            throw Error("model " + m.directory + " has " + std::to_string(m.elements.size()) + " elements, the compiled potential " +
                        std::to_string(sizeof...(Es)));
        bind_impl(m, std::index_sequence_for<Es...>{});
    }
    double forward(const Model&, std::size_t e, const double* x, Workspace& ws) const {
        return dispatch(e, [&](auto I) { return std::get<I()>(short_).forward(x, std::get<I()>(ws.s)); });
    }
    void backward(const Model&, std::size_t e, Workspace& ws, double* dx) const {
        dispatch(e, [&](auto I) {
            std::get<I()>(short_).backward(std::get<I()>(ws.s), dx);
            return 0.0;
        });
    }
    double electrostatic_forward(const Model&, std::size_t e, const double* x, Workspace& ws) const {
        static_assert(has_electrostatic, "this CompiledNetworks has no charge/electronegativity networks (use ElementNetworks<Short, Electrostatic> per element for 3G/4G models)");
        return dispatch(e, [&](auto I) { return std::get<I()>(elec_).forward(x, std::get<I()>(ws.q)); });
    }
    void electrostatic_backward(const Model&, std::size_t e, Workspace& ws, double* dx) const {
        static_assert(has_electrostatic, "this CompiledNetworks has no charge/electronegativity networks (use ElementNetworks<Short, Electrostatic> per element for 3G/4G models)");
        dispatch(e, [&](auto I) {
            std::get<I()>(elec_).backward(std::get<I()>(ws.q), dx);
            return 0.0;
        });
    }

private:
    template <std::size_t... I> void bind_impl(const Model& m, std::index_sequence<I...>) {
        (std::get<I>(short_).load(m.elements[I].network, "short-range network of element " + m.elements[I].symbol + " of model " + m.directory), ...);
        if constexpr (has_electrostatic) {
            const bool fourth = m.generation == Generation::fourth;
            (std::get<I>(elec_).load(fourth ? m.elements[I].electronegativity : m.elements[I].charge,
                                     (fourth ? "electronegativity network of element " : "charge network of element ") +
                                         m.elements[I].symbol + " of model " + m.directory),
             ...);
        }
    }
    template <class F, std::size_t... I> static double dispatch_impl(std::size_t e, F&& f, std::index_sequence<I...>) {
        double r = 0.0;
        ((e == I ? (r = f(std::integral_constant<std::size_t, I>{}), true) : false) || ...);
        return r;
    }
    template <class F> static double dispatch(std::size_t e, F&& f) {
        return dispatch_impl(e, std::forward<F>(f), std::index_sequence_for<Es...>{});
    }
    Shorts short_;
    Elecs elec_;
};

}  // namespace hdnnp
