// hdnnp: how a potential holds its per-element networks (a policy of Potential).
//   RuntimeNetworks            the networks of the loaded Model, shapes read at run time (default)
//   CompiledNetworks<Nets...>  one StaticNetwork per element (ascending atomic number), shapes fixed at
//                              compile time; the model's numbers are copied in and its shapes checked.
// Both call the same layer kernels. Interface used by Potential:
//   bind(model); forward(model, element, x, ws) -> network output; backward(model, element, ws, dx).
#pragma once

#include <cstddef>
#include <string>
#include <tuple>
#include <utility>

#include "hdnnp/core/error.hpp"
#include "hdnnp/core/model.hpp"
#include "hdnnp/networks/network.hpp"
#include "hdnnp/networks/static_network.hpp"

namespace hdnnp {

struct RuntimeNetworks {
    using Workspace = NetworkWorkspace;
    void bind(const Model&) {}
    double forward(const Model& m, std::size_t e, const double* x, Workspace& ws) const {
        return m.elements[e].network.forward(x, ws);
    }
    void backward(const Model& m, std::size_t e, Workspace& ws, double* dx) const { m.elements[e].network.backward(ws, dx); }
};

template <class... Nets> class CompiledNetworks {
public:
    using Workspace = std::tuple<typename Nets::Workspace...>;

    void bind(const Model& m) {
        if (m.elements.size() != sizeof...(Nets))
            throw Error("model " + m.directory + " has " + std::to_string(m.elements.size()) + " elements, the compiled potential " +
                        std::to_string(sizeof...(Nets)));
        bind_impl(m, std::index_sequence_for<Nets...>{});
    }
    double forward(const Model&, std::size_t e, const double* x, Workspace& ws) const {
        return dispatch(e, [&](auto I) { return std::get<I()>(nets_).forward(x, std::get<I()>(ws)); });
    }
    void backward(const Model&, std::size_t e, Workspace& ws, double* dx) const {
        dispatch(e, [&](auto I) {
            std::get<I()>(nets_).backward(std::get<I()>(ws), dx);
            return 0.0;
        });
    }

private:
    template <std::size_t... I> void bind_impl(const Model& m, std::index_sequence<I...>) {
        (std::get<I>(nets_).load(m.elements[I].network, "element " + m.elements[I].symbol + " of model " + m.directory), ...);
    }
    template <class F, std::size_t... I> static double dispatch_impl(std::size_t e, F&& f, std::index_sequence<I...>) {
        double r = 0.0;
        ((e == I ? (r = f(std::integral_constant<std::size_t, I>{}), true) : false) || ...);
        return r;
    }
    template <class F> static double dispatch(std::size_t e, F&& f) {
        return dispatch_impl(e, std::forward<F>(f), std::index_sequence_for<Nets...>{});
    }
    std::tuple<Nets...> nets_;
};

}  // namespace hdnnp
