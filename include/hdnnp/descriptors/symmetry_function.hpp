// hdnnp: symmetry-function definitions as read from input.nn, and n2p2's ordering rules.
//
// `symfunction_short` lines (parameter order as written in input.nn; lengths and eta in the units of
// the structure data, angles in degrees):
//   e  2 e1 eta rs rc                          radial:   G = sum_j exp(-eta (r_ij - rs)^2) fc(r_ij)
//   e  3 e1 e2 eta lambda zeta rc [rs]         angular narrow (cutoffs on r_ij, r_ik, r_jk)
//   e  9 e1 e2 eta lambda zeta rc [rs]         angular wide   (cutoffs on r_ij, r_ik only)
//   e 12 eta rs rc                             weighted radial: type 2 over all j, times Z_j
//   e 13 eta rs lambda zeta rc                 weighted angular narrow: type 3 over all pairs, times Z_j Z_k
//   e 20 e1 rl rc sub                          compact radial:  G = sum_j R(r_ij)
//   e 21 e1 e2 rl rc left right sub            compact angular narrow: sum R(r_ij) R(r_ik) R(r_jk) A(theta)
//   e 22 e1 e2 rl rc left right sub            compact angular wide:   sum R(r_ij) R(r_ik) A(theta)
//   e 23 rl rc sub                             compact weighted radial (all j, times Z_j)
//   e 24 rl rc left right sub                  compact weighted narrow (all pairs, times Z_j Z_k)
//   e 25 rl rc left right sub                  compact weighted wide   (all pairs, times Z_j Z_k)
// Angular types 3, 9, 13: 2^(1-zeta) (1 + lambda cos theta_ijk)^zeta exp(-eta [(r_ij-rs)^2 + (r_ik-rs)^2
// (+ (r_jk-rs)^2 for narrow)]) times the cutoffs. Compact subtypes: p1..p4 (POLY1..4 cores), p1a..p4a
// (asymmetric radial windows), e (exponential core).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace hdnnp {

/// One symmetry function of one central element. Element fields are model element indices
/// (0-based, in ascending atomic number); -1 where the type sums over all elements.
struct SymFnSpec {
    int type = 0;
    int element = -1;       ///< central element index
    int e1 = -1, e2 = -1;   ///< neighbour element indices (e1 <= e2 for angular types)
    double eta = 0.0;       ///< [1/length^2]
    double rs = 0.0;        ///< [length]
    double rc = 0.0;        ///< [length]
    double lambda = 0.0;    ///< +1 or -1 (any real accepted)
    double zeta = 0.0;      ///< exponent of (1 + lambda cos theta)
    double rl = 0.0;        ///< compact: left end of the radial window [length]
    double left = 0.0;      ///< compact: angular window left end [degrees]
    double right = 0.0;     ///< compact: angular window right end [degrees]
    std::string subtype;    ///< compact: "p1".."p4", "p1a".."p4a", "e"
    std::size_t line = 0;   ///< input.nn line it came from (for messages)

    bool is_angular() const { return type == 3 || type == 9 || type == 13 || (type >= 21 && type != 23); }
    bool is_compact() const { return type >= 20; }
    bool is_weighted() const { return type == 12 || type == 13 || type >= 23; }
    /// Largest neighbour distance this function can see [length].
    double cutoff() const { return rc; }

    /// A one-line description in input.nn form (element symbols supplied by the caller).
    std::string describe(const std::vector<std::string>& symbols) const {
        std::ostringstream o;
        o.precision(6);
        o << symbols.at(static_cast<std::size_t>(element)) << " " << type;
        if (e1 >= 0) o << " " << symbols.at(static_cast<std::size_t>(e1));
        if (e2 >= 0) o << " " << symbols.at(static_cast<std::size_t>(e2));
        if (!is_compact()) {
            o << " eta=" << eta << " rs=" << rs << " rc=" << rc;
            if (is_angular()) o << " lambda=" << lambda << " zeta=" << zeta;
        } else {
            o << " rl=" << rl << " rc=" << rc;
            if (is_angular()) o << " left=" << left << " right=" << right;
            o << " " << subtype;
        }
        return o.str();
    }
};

/// n2p2's sort order within one element: type first, then the type's key (see n2p2-format docs):
///   2: rc, eta, rs, e1          3, 9: rc, eta, rs, zeta, lambda, e1, e2
///  12: rc, eta, rs              13: rc, eta, rs, zeta, lambda
///  20: sub, e1, rc, rl          21, 22: sub, e1, e2, rc, rl, left, right
///  23: sub, rc, rl              24, 25: sub, rc, rl, left, right
inline bool n2p2_less(const SymFnSpec& a, const SymFnSpec& b) {
    if (a.type != b.type) return a.type < b.type;
    switch (a.type) {
        case 2: return std::tie(a.rc, a.eta, a.rs, a.e1) < std::tie(b.rc, b.eta, b.rs, b.e1);
        case 3:
        case 9:
            return std::tie(a.rc, a.eta, a.rs, a.zeta, a.lambda, a.e1, a.e2) <
                   std::tie(b.rc, b.eta, b.rs, b.zeta, b.lambda, b.e1, b.e2);
        case 12: return std::tie(a.rc, a.eta, a.rs) < std::tie(b.rc, b.eta, b.rs);
        case 13: return std::tie(a.rc, a.eta, a.rs, a.zeta, a.lambda) < std::tie(b.rc, b.eta, b.rs, b.zeta, b.lambda);
        case 20: return std::tie(a.subtype, a.e1, a.rc, a.rl) < std::tie(b.subtype, b.e1, b.rc, b.rl);
        case 21:
        case 22:
            return std::tie(a.subtype, a.e1, a.e2, a.rc, a.rl, a.left, a.right) <
                   std::tie(b.subtype, b.e1, b.e2, b.rc, b.rl, b.left, b.right);
        case 23: return std::tie(a.subtype, a.rc, a.rl) < std::tie(b.subtype, b.rc, b.rl);
        default:
            return std::tie(a.subtype, a.rc, a.rl, a.left, a.right) < std::tie(b.subtype, b.rc, b.rl, b.left, b.right);
    }
}

/// Sorts one element's functions into n2p2's network-input order (stable, so exact duplicates keep
/// their input.nn order).
inline void sort_n2p2(std::vector<SymFnSpec>& sfs) { std::stable_sort(sfs.begin(), sfs.end(), n2p2_less); }

}  // namespace hdnnp
