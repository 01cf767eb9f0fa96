// EXPECT: the Families policy must be hdnnp::Families<...>
#include "hdnnp/hdnnp.hpp"

int main() {
    hdnnp::Potential<hdnnp::AnyCutoff, hdnnp::RuntimeNetworks, hdnnp::Radial> p;
    return static_cast<int>(p.cutoff());
}
