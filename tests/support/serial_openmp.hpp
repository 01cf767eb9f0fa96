// Test support: runs the OpenMP parallel regions of a scope on one thread. The finite-difference tests
// evaluate small structures many times; waking threads would cost more than the work (and much more on a
// loaded machine).
#pragma once

#ifdef _OPENMP
#include <omp.h>
#endif

namespace hdnnp::test {

class SerialOpenMP {
public:
    SerialOpenMP() {
#ifdef _OPENMP
        saved_ = omp_get_max_threads();
        omp_set_num_threads(1);
#endif
    }
    ~SerialOpenMP() {
#ifdef _OPENMP
        omp_set_num_threads(saved_);
#endif
    }
    SerialOpenMP(const SerialOpenMP&) = delete;
    SerialOpenMP& operator=(const SerialOpenMP&) = delete;

private:
    int saved_ = 1;
};

}  // namespace hdnnp::test
