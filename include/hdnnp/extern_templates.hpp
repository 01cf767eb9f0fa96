// hdnnp: faster builds of programs with many translation units. Including this header instead of
// hdnnp/hdnnp.hpp declares the runtime-loaded potentials as explicitly instantiated elsewhere, so that a
// translation unit which evaluates them through compute(Structure) does not instantiate their kernels again
// (each instantiation of Potential<> is several hundred kilobytes of code and minutes of compile time):
//
//   // in every translation unit
//   #include "hdnnp/extern_templates.hpp"
//   // in exactly one translation unit of the program, before the include:
//   #define HDNNP_INSTANTIATE_EXTERN_TEMPLATES
//
// Covered: Potential<> (any generation), Potential2G<>, Potential3G<>, Potential4G<> and Committee<>, each with
// AnyCutoff, RuntimeNetworks and AllFamilies. Member templates (the host entry point) are instantiated where
// they are used, as usual. The project's tests are built this way (tests/support/extern_templates.cpp).
#pragma once

#include "hdnnp/hdnnp.hpp"

#ifdef HDNNP_INSTANTIATE_EXTERN_TEMPLATES
#define HDNNP_DETAIL_EXTERN
#else
#define HDNNP_DETAIL_EXTERN extern
#endif

HDNNP_DETAIL_EXTERN template class hdnnp::Potential<>;
HDNNP_DETAIL_EXTERN template class hdnnp::Potential<hdnnp::AnyCutoff, hdnnp::RuntimeNetworks, hdnnp::AllFamilies, hdnnp::Gen2>;
HDNNP_DETAIL_EXTERN template class hdnnp::Potential<hdnnp::AnyCutoff, hdnnp::RuntimeNetworks, hdnnp::AllFamilies, hdnnp::Gen3>;
HDNNP_DETAIL_EXTERN template class hdnnp::Potential<hdnnp::AnyCutoff, hdnnp::RuntimeNetworks, hdnnp::AllFamilies, hdnnp::Gen4>;
HDNNP_DETAIL_EXTERN template class hdnnp::Committee<>;

#undef HDNNP_DETAIL_EXTERN
