#include "bindings.hpp"

namespace engram::python {

void bind_hodgkin_huxley(py::module_& m) { (void)m; }

}  // namespace engram::python
