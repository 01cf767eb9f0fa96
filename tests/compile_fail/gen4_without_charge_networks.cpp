// EXPECT: a 3G or 4G potential needs charge/electronegativity networks
// A compiled 4G potential whose networks are short-range only.
#include "hdnnp/hdnnp.hpp"

using Net = hdnnp::StaticNetwork<3, hdnnp::Dense<2, hdnnp::Tanh>, hdnnp::Dense<1, hdnnp::Linear>>;

int main() {
    hdnnp::Potential<hdnnp::CutoffTanhU, hdnnp::CompiledNetworks<Net>, hdnnp::ACSF, hdnnp::Gen4> p;
    return static_cast<int>(p.cutoff());
}
