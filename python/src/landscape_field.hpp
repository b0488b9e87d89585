// The field argument of the landscape bindings (M-22..M-26): any engram.VectorField; and the
// shared argument converters of analysis_landscape.cpp and analysis_barriers.cpp.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <array>
#include <string>
#include <vector>

#include "arrays.hpp"
#include "engram/analysis/fixed_points.hpp"
#include "engram/analysis/integrate.hpp"
#include "engram/analysis/vector_field.hpp"

namespace engram::python {

/// The VectorField behind a Python object (engram.VectorField or a subclass: FunctionField,
/// EquationSystem, GraphField, ...). Raises TypeError for anything else. The reference lives as
/// long as `field`.
const VectorField& field_of(const py::handle& field);

/// A list of n-dimensional points (attractors, starts): a 2-D array (one point per row), a 1-D
/// array when n = 1 or a single point, or a sequence of FixedPoint objects and arrays.
std::vector<Eigen::VectorXd> points_of(const py::handle& obj, Index n, const std::string& what);

/// One n-dimensional point (a 1-D array of n finite values).
Eigen::VectorXd point_of(const py::handle& obj, Index n, const std::string& what);

/// A (lo, hi) pair.
std::array<double, 2> range_of(const py::handle& obj, const std::string& what);

/// Integration settings from keyword values (method name, dt, tolerances, max_steps).
IntegrateOptions integrate_options(const std::string& method, double dt, double abs_tol,
                                   double rel_tol, long max_steps);

/// A copy of a complex vector as a 1-D complex128 array.
py::array complex_array(const Eigen::VectorXcd& v);

/// NEB, limit cycles and continuous attractors (analysis_barriers.cpp).
void bind_analysis_barriers(py::module_& m);

}  // namespace engram::python
