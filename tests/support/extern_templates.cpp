// The one translation unit of the test programs that instantiates the runtime-loaded potentials; every other
// test file sees them as extern templates (tests/CMakeLists.txt force-includes hdnnp/extern_templates.hpp), which
// cuts each test file's compile time from minutes to seconds.
#define HDNNP_INSTANTIATE_EXTERN_TEMPLATES
#include "hdnnp/extern_templates.hpp"
