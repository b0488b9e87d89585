#include "bindings.hpp"

namespace engram::python {

void bind_data(py::module_& m) {
  (void)m;
}

}  // namespace engram::python
