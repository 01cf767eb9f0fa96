// EXPECT: the neighbour source needs a NeighborTraits specialisation
#include "hdnnp/hdnnp.hpp"

struct MyList {};

int main() {
    hdnnp::Potential<> p;
    double x[3] = {0, 0, 0};
    int t[1] = {0};
    double f[3] = {0, 0, 0};
    hdnnp::HostAtoms atoms{hdnnp::const_view(x, 1, 3), hdnnp::const_view(t, 1), 1};
    hdnnp::HostOutput out{hdnnp::view(f, 1, 3)};
    p.compute(atoms, MyList{}, out);
    return 0;
}
