// Python bindings: gradients through the relaxation and the DAM classifier (M-35) (placeholder
// until its issue item lands).
#include "bindings.hpp"

namespace engram::python {

void bind_through_dynamics(py::module_& /*m*/) {}

}  // namespace engram::python
