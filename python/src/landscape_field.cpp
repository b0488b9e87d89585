// engram._CallableField and the argument converters of the landscape bindings.
#include "landscape_field.hpp"

#include <fmt/format.h>
#include <pybind11/complex.h>
#include <pybind11/stl.h>

#include "engram/core/error.hpp"

namespace engram::python {

namespace {

using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

// The callable's result as n doubles (any shape with n entries); the GIL is held.
Eigen::VectorXd vector_result(const py::object& r, Index n, const char* what) {
  const DoubleArray a = DoubleArray::ensure(r);
  ENGRAM_CHECK(a, "_CallableField: {} must return an array of {} numbers", what, n);
  ENGRAM_CHECK(a.size() == n, "_CallableField: {} returned {} values, expected {}", what, a.size(),
               n);
  return Eigen::Map<const Eigen::VectorXd>(a.data(), n);
}

bool callable_or_none(const py::object& f) {
  return f.is_none() || PyCallable_Check(f.ptr());
}

}  // namespace

PyCallableField::PyCallableField(Index dim, py::object rate, py::object energy, py::object jacobian,
                                 py::object energy_gradient, std::vector<std::string> names,
                                 std::string description)
    : dim_(dim),
      rate_(std::move(rate)),
      energy_(std::move(energy)),
      jacobian_(std::move(jacobian)),
      energy_gradient_(std::move(energy_gradient)),
      has_jacobian_(!jacobian_.is_none()),
      has_energy_(!energy_.is_none()),
      names_(std::move(names)),
      description_(std::move(description)) {
  ENGRAM_CHECK(dim_ >= 1, "_CallableField: dim must be at least 1, got {}", dim_);
  if (!PyCallable_Check(rate_.ptr())) throw py::type_error("_CallableField: rate must be callable");
  for (const auto& [f, name] : {std::pair{&energy_, "energy"},
                                {&jacobian_, "jacobian"},
                                {&energy_gradient_, "energy_gradient"}})
    if (!callable_or_none(*f))
      throw py::type_error(fmt::format("_CallableField: {} must be callable or None", name));
  ENGRAM_CHECK(energy_gradient_.is_none() || has_energy_,
               "_CallableField: energy_gradient needs energy");
  ENGRAM_CHECK(names_.empty() || static_cast<Index>(names_.size()) == dim_,
               "_CallableField: expected {} names, got {}", dim_, names_.size());
}

PyCallableField::~PyCallableField() {
  // The callables are Python objects: drop them with the GIL held.
  py::gil_scoped_acquire gil;
  rate_ = energy_ = jacobian_ = energy_gradient_ = py::object();
}

Eigen::VectorXd PyCallableField::rate(const Eigen::VectorXd& x) const {
  py::gil_scoped_acquire gil;
  return vector_result(rate_(py::array_t<double>(x.size(), x.data())), dim_, "rate");
}

Eigen::MatrixXd PyCallableField::jacobian(const Eigen::VectorXd& x) const {
  if (!has_jacobian_) return numerical_jacobian(*this, x);
  py::gil_scoped_acquire gil;
  const DoubleArray a = DoubleArray::ensure(jacobian_(py::array_t<double>(x.size(), x.data())));
  ENGRAM_CHECK(a && a.ndim() == 2 && a.shape(0) == dim_ && a.shape(1) == dim_,
               "_CallableField: jacobian must return a {}x{} array", dim_, dim_);
  return Eigen::Map<const Mat<double>>(a.data(), dim_, dim_);
}

double PyCallableField::energy(const Eigen::VectorXd& x) const {
  if (!has_energy_) return VectorField::energy(x);
  py::gil_scoped_acquire gil;
  return py::cast<double>(energy_(py::array_t<double>(x.size(), x.data())));
}

Eigen::VectorXd PyCallableField::energy_gradient(const Eigen::VectorXd& x) const {
  if (energy_gradient_.is_none()) return numerical_energy_gradient(*this, x);
  py::gil_scoped_acquire gil;
  return vector_result(energy_gradient_(py::array_t<double>(x.size(), x.data())), dim_,
                       "energy_gradient");
}

std::vector<std::string> PyCallableField::names() const {
  return names_.empty() ? VectorField::names() : names_;
}

const VectorField& field_of(const py::handle& field) {
  if (py::isinstance<PyCallableField>(field)) return field.cast<const PyCallableField&>();
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

void bind_callable_field(py::module_& m) {
  py::class_<PyCallableField>(m, "_CallableField", R"doc(
A vector field dx/dt = rate(x) made of Python callables, for the landscape functions (fixed points,
stability, basins, barriers, attractor kinds) and tests. Each callable takes a 1-D float64 array of
`dim` values; rate, jacobian and energy_gradient return arrays ((dim,), (dim, dim), (dim,)) and
energy a float. Without jacobian the Jacobian is central differences of rate; without
energy_gradient the gradient is central differences of energy. The analysis runs without the GIL
and takes it for each call.)doc")
      .def(py::init([](Index dim, py::object rate, py::object energy, py::object jacobian,
                       py::object energy_gradient, std::vector<std::string> names,
                       std::string description) {
             return std::make_unique<PyCallableField>(
                 dim, std::move(rate), std::move(energy), std::move(jacobian),
                 std::move(energy_gradient), std::move(names), std::move(description));
           }),
           py::arg("dim"), py::arg("rate"), py::arg("energy") = py::none(),
           py::arg("jacobian") = py::none(), py::arg("energy_gradient") = py::none(),
           py::arg("names") = std::vector<std::string>{},
           py::arg("description") = "python callables")
      .def_property_readonly("dim", &PyCallableField::dim)
      .def_property_readonly("has_jacobian", &PyCallableField::has_jacobian)
      .def_property_readonly("has_energy", &PyCallableField::has_energy)
      .def_property_readonly("names", &PyCallableField::names)
      .def("__repr__", [](const PyCallableField& f) {
        return fmt::format("engram._CallableField(dim={}, description='{}')", f.dim(),
                           f.description());
      });
}

}  // namespace engram::python
