// What the analysis bindings share: 1-D arguments as Eigen vectors, and the second half of
// bind_analysis_fields (integrators and Lyapunov checks, analysis_integrate.cpp).
#pragma once

#include <string>

#include "bindings.hpp"
#include "engram/analysis/vector_field.hpp"

namespace engram::python {

/// A 1-D array of real numbers as a vector of doubles; `size` (when ≥ 0) is the length required.
/// ValueError naming `what` for another shape, a non-real dtype or NaN/Inf.
Eigen::VectorXd vector_arg(const py::handle& obj, const std::string& what, Index size = -1);

/// A square 2-D array as a double matrix (ValueError naming `what` otherwise).
Eigen::MatrixXd square_arg(const py::handle& obj, const std::string& what);

/// engram.Trajectory, integrate, iterate_map and the Lyapunov checks (M-20, M-21); called by
/// bind_analysis_fields after the VectorField classes are registered.
void bind_analysis_integrate(py::module_& m);

}  // namespace engram::python
