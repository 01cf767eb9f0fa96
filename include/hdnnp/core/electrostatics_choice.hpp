// hdnnp: the names under which the hosts (hdnnp predict, the LAMMPS pair style, the Python/ASE binding) take and
// report the 3G/4G electrostatics choices of ComputeOptions / Result: the Ewald width (EwaldBalance: "auto",
// "n2p2", "balanced"; ewald_balance_name in core/result.hpp) and the 4G charge solver (QeqSolverKind: "auto",
// "dense", "cg").
#pragma once

#include <string>

#include "hdnnp/core/error.hpp"
#include "hdnnp/core/result.hpp"

namespace hdnnp {

/// "auto", "n2p2" or "balanced" as an EwaldBalance; otherwise Error "<what> needs auto, n2p2 or balanced, got 'v'".
inline EwaldBalance parse_ewald_balance(const std::string& v, const std::string& what) {
    if (v == "auto") return EwaldBalance::automatic;
    if (v == "n2p2") return EwaldBalance::n2p2;
    if (v == "balanced") return EwaldBalance::matrix_free;
    throw Error(what + " needs auto, n2p2 or balanced, got '" + v + "'");
}

/// "auto", "dense" or "cg" as a QeqSolverKind; otherwise Error "<what> needs auto, dense or cg, got 'v'".
inline QeqSolverKind parse_qeq_solver(const std::string& v, const std::string& what) {
    if (v == "auto") return QeqSolverKind::automatic;
    if (v == "dense") return QeqSolverKind::dense;
    if (v == "cg") return QeqSolverKind::cg;
    throw Error(what + " needs auto, dense or cg, got '" + v + "'");
}

/// Name of a solver as the hosts print it ("dense", "cg", "auto").
inline const char* qeq_solver_name(QeqSolverKind k) {
    return k == QeqSolverKind::dense ? "dense" : k == QeqSolverKind::cg ? "cg" : "auto";
}

/// What a 3G/4G evaluation used, in words: the Ewald width of a periodic structure ("n2p2's Ewald parameters" or
/// "Ewald parameters balanced for matrix-free products") and, for 4G, the charge solver (", dense charge solver" or
/// ", CG charge solver"). Empty for 2G results and 3G clusters.
inline std::string electrostatics_choice(const Result& r, bool periodic) {
    std::string s;
    if (periodic && !r.charges.empty())
        s = r.ewald_balance_used == EwaldBalance::matrix_free ? "Ewald parameters balanced for matrix-free products"
                                                              : "n2p2's Ewald parameters";
    if (!r.electronegativities.empty())
        s += std::string(s.empty() ? "" : ", ") + (r.solver_used == QeqSolverKind::dense ? "dense charge solver" : "CG charge solver");
    return s;
}

}  // namespace hdnnp
