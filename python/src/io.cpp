#include "bindings.hpp"

namespace engram::python {

void bind_io(py::module_& m) {
  (void)m;
}

}  // namespace engram::python
