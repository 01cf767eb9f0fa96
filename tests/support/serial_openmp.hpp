// Test support: runs the OpenMP parallel regions of a scope on a given number of threads (SerialOpenMP: one).
// The finite-difference tests evaluate small structures many times; waking threads would cost more than the
// work (and much more on a loaded machine).
#pragma once

#ifdef _OPENMP
#include <omp.h>
#endif

namespace hdnnp::test {

class OpenMPThreads {
public:
    explicit OpenMPThreads(int n) {
#ifdef _OPENMP
        saved_ = omp_get_max_threads();
        omp_set_num_threads(n);
#else
        (void)n;
#endif
    }
    ~OpenMPThreads() {
#ifdef _OPENMP
        omp_set_num_threads(saved_);
#endif
    }
    OpenMPThreads(const OpenMPThreads&) = delete;
    OpenMPThreads& operator=(const OpenMPThreads&) = delete;

private:
    int saved_ = 1;
};

class SerialOpenMP : public OpenMPThreads {
public:
    SerialOpenMP() : OpenMPThreads(1) {}
};

}  // namespace hdnnp::test
