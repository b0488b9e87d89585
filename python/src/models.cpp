#include "bindings.hpp"

namespace engram::python {

void bind_models(py::module_& m) {
  (void)m;
}

}  // namespace engram::python
