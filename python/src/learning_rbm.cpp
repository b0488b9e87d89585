// Python bindings: RBMs, contrastive divergence, AIS, score matching (M-32, M-33) (placeholder
// until its issue item lands).
#include "bindings.hpp"

namespace engram::python {

void bind_rbm(py::module_& /*m*/) {}

}  // namespace engram::python
