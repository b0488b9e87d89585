// Python bindings: Langevin samplers, the Boltzmann machine, the deep EBM (M-15, M-32, M-34)
// (placeholder until its issue item lands).
#include "bindings.hpp"

namespace engram::python {

void bind_sampling(py::module_& /*m*/) {}

}  // namespace engram::python
