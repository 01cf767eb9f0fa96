// hdnnp: the one place that talks to OpenMP, and the named sizes of the library's parallel loops.
//
//   threads::for_each(n, threads::kMinAtoms, make_state, body);   // body(state, i) for i in [0, n)
//
// Determinism: every parallel loop of the library is a static round-robin schedule of fixed-size chunks
// (`schedule(static, chunk)`), so the same input and thread count put every index on the same thread on
// every run; per-thread partial sums are then added in thread order. Results are therefore bit-identical
// from run to run, and differ across thread counts only by the order of floating-point additions.
// Without OpenMP everything runs on one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace hdnnp::threads {

/// Loops over fewer atoms than this run on one thread (fork/join costs more than the work).
inline constexpr std::size_t kMinAtoms = 32;
/// Loops over atoms pairs (Coulomb operator rows) run on one thread below this many atoms.
inline constexpr std::size_t kMinPairRows = 64;
/// The neighbour-list build runs on one thread below this many atoms.
inline constexpr std::size_t kMinNeighborAtoms = 256;
/// Atoms per chunk of the static round-robin schedule (small, so that elements of different cost
/// interleave across threads).
inline constexpr std::int64_t kChunk = 8;

/// Threads a parallel region may use (1 without OpenMP).
inline int max_threads() {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

/// Index of the calling thread inside a parallel region (0 outside, or without OpenMP).
inline int index() {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/// Threads a loop over n items uses: 1 below min_parallel items, else max_threads().
inline int for_size(std::size_t n, std::size_t min_parallel) { return n >= min_parallel ? max_threads() : 1; }

/// Runs body(state, i) for every i in [0, n) on for_size(n, min_parallel) threads with a static
/// round-robin schedule of `chunk` indices; each thread first makes its own state = make_state(t)
/// (t: thread index). Deterministic: index i always runs on the same thread for a given thread count.
template <class MakeState, class Body>
void for_each(std::size_t n, std::size_t min_parallel, MakeState&& make_state, Body&& body,
              std::int64_t chunk = kChunk) {
    const std::int64_t nn = static_cast<std::int64_t>(n);
    const int nt = for_size(n, min_parallel);
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        auto state = make_state(index());
#pragma omp for schedule(static, chunk)
        for (std::int64_t i = 0; i < nn; ++i) body(state, static_cast<std::size_t>(i));
    }
}

/// Per-thread accumulators of type T, created on first use by each thread and summed in thread order.
template <class T> struct PerThread {
    std::vector<T> items;
    explicit PerThread(int n, const T& init = T{}) : items(static_cast<std::size_t>(n), init) {}
    T& operator[](int t) { return items[static_cast<std::size_t>(t)]; }
};

}  // namespace hdnnp::threads
