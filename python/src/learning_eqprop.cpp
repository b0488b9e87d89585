// Python bindings: equilibrium propagation (M-31) (placeholder until its issue item lands).
#include "bindings.hpp"

namespace engram::python {

void bind_eqprop(py::module_& /*m*/) {}

}  // namespace engram::python
