#include "bindings.hpp"

namespace engram::python {

void bind_experiments(py::module_& m) {
  (void)m;
}

}  // namespace engram::python
