#include "bindings.hpp"

namespace engram::python {

void bind_analysis_fields(py::module_& m) { (void)m; }

}  // namespace engram::python
