// EXPECT: the Generation policy must be hdnnp::Gen2, hdnnp::Gen3, hdnnp::Gen4 or hdnnp::AnyGeneration
#include "hdnnp/hdnnp.hpp"

struct Gen5 {};

int main() {
    hdnnp::Potential<hdnnp::AnyCutoff, hdnnp::RuntimeNetworks, hdnnp::AllFamilies, Gen5> p;
    return static_cast<int>(p.cutoff());
}
