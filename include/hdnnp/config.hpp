// hdnnp: configuration macros. Every macro of the library lives here and starts with HDNNP_.
#pragma once

#define HDNNP_VERSION_MAJOR 0
#define HDNNP_VERSION_MINOR 1
#define HDNNP_VERSION_PATCH 0

#if defined(__GNUC__) || defined(__clang__)
#define HDNNP_ALWAYS_INLINE inline __attribute__((always_inline))
/// Inline every call inside the function (used on the hot kernels so that xsimd's exp/tanh inline).
#define HDNNP_FLATTEN __attribute__((flatten))
#define HDNNP_RESTRICT __restrict__
#else
#define HDNNP_ALWAYS_INLINE inline
#define HDNNP_FLATTEN
#define HDNNP_RESTRICT
#endif

#if defined(_OPENMP)
#define HDNNP_HAS_OPENMP 1
#else
#define HDNNP_HAS_OPENMP 0
#endif

// HDNNP_INSTANTIATE_EXTERN_TEMPLATES: defined by the user in exactly one translation unit before including
// hdnnp/extern_templates.hpp, which then instantiates the runtime potentials there (see that header).
