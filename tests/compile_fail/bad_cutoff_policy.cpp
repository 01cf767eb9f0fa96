// EXPECT: the Cutoff policy must be AnyCutoff or a cutoff type with `static constexpr int id`
#include "hdnnp/hdnnp.hpp"

struct MyCutoff {
    static double f(double r) { return r; }
};

int main() {
    hdnnp::Potential<MyCutoff> p;
    return static_cast<int>(p.cutoff());
}
