// The field argument of the landscape bindings (M-22..M-26): any registered engram vector field,
// or engram._CallableField, a VectorField made of Python callables (for tests and quick systems).
// Also the shared argument converters of analysis_landscape.cpp and analysis_barriers.cpp.
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

/// dx/dt = rate(x) with optional energy(x), jacobian(x) and energy_gradient(x), all Python
/// callables taking and returning NumPy arrays (energy a float). Each call takes the GIL, so the
/// analysis routines can run without it.
class PyCallableField final : public VectorField {
 public:
  PyCallableField(Index dim, py::object rate, py::object energy, py::object jacobian,
                  py::object energy_gradient, std::vector<std::string> names,
                  std::string description);
  ~PyCallableField() override;

  Index dim() const override { return dim_; }
  Eigen::VectorXd rate(const Eigen::VectorXd& x) const override;
  bool has_jacobian() const override { return has_jacobian_; }
  Eigen::MatrixXd jacobian(const Eigen::VectorXd& x) const override;
  bool has_energy() const override { return has_energy_; }
  double energy(const Eigen::VectorXd& x) const override;
  Eigen::VectorXd energy_gradient(const Eigen::VectorXd& x) const override;
  std::vector<std::string> names() const override;
  std::string description() const override { return description_; }

 private:
  Index dim_;
  py::object rate_, energy_, jacobian_, energy_gradient_;
  bool has_jacobian_, has_energy_;
  std::vector<std::string> names_;
  std::string description_;
};

/// The VectorField behind a Python object: a registered engram vector field (once the base class
/// is bound) or a _CallableField. Raises TypeError for anything else. The reference lives as long
/// as `field`.
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

/// Registers engram._CallableField.
void bind_callable_field(py::module_& m);
/// NEB, limit cycles and continuous attractors (analysis_barriers.cpp).
void bind_analysis_barriers(py::module_& m);

}  // namespace engram::python
