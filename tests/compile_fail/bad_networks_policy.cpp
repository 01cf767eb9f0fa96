// EXPECT: the Networks policy must provide a default-constructible `Workspace`
// A networks policy without backward(): refused where the Potential type is used.
#include "hdnnp/hdnnp.hpp"

struct ForwardOnly {
    using Workspace = hdnnp::NetworkWorkspace;
    static constexpr bool has_electrostatic = false;
    void bind(const hdnnp::Model&) {}
    double forward(const hdnnp::Model&, std::size_t, const double*, Workspace&) const { return 0.0; }
};

int main() {
    hdnnp::Potential<hdnnp::AnyCutoff, ForwardOnly> p;
    return static_cast<int>(p.cutoff());
}
