// The argument converters of the landscape bindings.
#include "landscape_field.hpp"

#include <fmt/format.h>
#include <pybind11/complex.h>
#include <pybind11/stl.h>

#include "engram/core/error.hpp"

namespace engram::python {

const VectorField& field_of(const py::handle& field) {
  try {
    return field.cast<const VectorField&>();  // any field class bound on engram.VectorField
  } catch (const py::cast_error&) {
  } catch (const py::reference_cast_error&) {
  }
  throw py::type_error(fmt::format("expected an engram vector field, got {}",
                                   py::str(field.get_type().attr("__name__")).cast<std::string>()));
}

Eigen::VectorXd point_of(const py::handle& obj, Index n, const std::string& what) {
  if (n == 1 && (py::isinstance<py::float_>(obj) || py::isinstance<py::int_>(obj)))
    return Eigen::VectorXd::Constant(1, obj.cast<double>());
  const MatrixArg<double> a(obj, what, /*allow_vector=*/true);
  ENGRAM_CHECK(a.was_vector() && a.cols() == n, "{}: expected {} values (a 1-D array), got {}x{}",
               what, n, a.rows(), a.cols());
  return a.map().row(0).transpose();
}

std::vector<Eigen::VectorXd> points_of(const py::handle& obj, Index n, const std::string& what) {
  std::vector<Eigen::VectorXd> out;
  if (py::isinstance<py::list>(obj) || py::isinstance<py::tuple>(obj)) {
    const auto seq = py::reinterpret_borrow<py::sequence>(obj);
    if (seq.size() == 0) return out;
    const bool nested = std::any_of(seq.begin(), seq.end(), [](const py::handle& item) {
      return py::isinstance<FixedPoint>(item) || py::isinstance<py::sequence>(item) ||
             py::isinstance<py::array>(item);
    });
    if (nested || n == 1) {
      for (std::size_t k = 0; k < seq.size(); ++k) {
        const py::handle item = seq[k];
        const std::string name = fmt::format("{}[{}]", what, k);
        out.push_back(py::isinstance<FixedPoint>(item) ? item.cast<const FixedPoint&>().x
                                                       : point_of(item, n, name));
      }
      return out;
    }
  }
  const MatrixArg<double> a(obj, what, /*allow_vector=*/true);
  if (a.was_vector() && n == 1) {  // a 1-D array of 1-D points
    for (Index k = 0; k < a.cols(); ++k) out.push_back(Eigen::VectorXd::Constant(1, a.map()(0, k)));
    return out;
  }
  ENGRAM_CHECK(a.cols() == n, "{}: expected points of {} values, got {} columns", what, n,
               a.cols());
  for (Index k = 0; k < a.rows(); ++k) out.push_back(a.map().row(k).transpose());
  return out;
}

std::array<double, 2> range_of(const py::handle& obj, const std::string& what) {
  const auto v = obj.cast<std::vector<double>>();
  ENGRAM_CHECK(v.size() == 2, "{}: expected (lo, hi), got {} values", what, v.size());
  return {v[0], v[1]};
}

IntegrateOptions integrate_options(const std::string& method, double dt, double abs_tol,
                                   double rel_tol, long max_steps) {
  IntegrateOptions o;
  o.method = parse_integrator(method);
  o.dt = dt;
  o.abs_tol = abs_tol;
  o.rel_tol = rel_tol;
  o.max_steps = max_steps;
  return o;
}

py::array complex_array(const Eigen::VectorXcd& v) {
  py::array_t<std::complex<double>> out(v.size());
  std::copy(v.data(), v.data() + v.size(), out.mutable_data());
  return out;
}

}  // namespace engram::python
