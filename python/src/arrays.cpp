#include "arrays.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <memory>

namespace engram::python {

namespace {

std::string shape_text(const py::array& a) {
  std::string s = "(";
  for (py::ssize_t i = 0; i < a.ndim(); ++i) s += fmt::format("{}{}", i ? ", " : "", a.shape(i));
  return s + (a.ndim() == 1 ? ",)" : ")");
}

// Hands `owned` to NumPy: the capsule deletes it when the last array referring to it goes.
template <class Owned>
py::capsule capsule_of(std::unique_ptr<Owned> owned) {
  return py::capsule(owned.release(), [](void* p) { delete static_cast<Owned*>(p); });
}

}  // namespace

Dtype parse_dtype(const py::object& dtype, Dtype fallback) {
  if (dtype.is_none()) return fallback;
  const py::dtype d = py::dtype::from_args(dtype);
  if (d.kind() == 'f' && d.itemsize() == 4) return Dtype::float32;
  if (d.kind() == 'f' && d.itemsize() == 8) return Dtype::float64;
  throw py::value_error(fmt::format("dtype: engram computes in float32 or float64, got {}",
                                    d.attr("name").cast<std::string>()));
}

Dtype dtype_of_array(const py::handle& array) {
  if (py::isinstance<py::array>(array)) {
    const py::dtype d = py::reinterpret_borrow<py::array>(array).dtype();
    if (d.kind() == 'f' && d.itemsize() == 4) return Dtype::float32;
  }
  return Dtype::float64;
}

template <class T>
MatrixArg<T>::MatrixArg(const py::handle& obj, const std::string& what, bool allow_vector,
                        bool require_finite) {
  py::array a = py::array::ensure(obj);
  if (!a)
    throw py::value_error(fmt::format("{}: expected an array of real numbers, got {}", what,
                                      py::str(py::type::handle_of(obj)).cast<std::string>()));
  const char kind = a.dtype().kind();
  if (kind != 'b' && kind != 'i' && kind != 'u' && kind != 'f')
    throw py::value_error(fmt::format("{}: expected an array of real numbers, got dtype {}", what,
                                      a.dtype().attr("name").cast<std::string>()));
  if (a.ndim() == 2) {
    rows_ = a.shape(0);
    cols_ = a.shape(1);
  } else if (a.ndim() == 1 && allow_vector) {
    rows_ = 1;
    cols_ = a.shape(0);
    was_vector_ = true;
  } else {
    throw py::value_error(
        fmt::format("{}: expected a 2-D array (samples × features){}, got shape {}", what,
                    allow_vector ? " or a 1-D array (one sample)" : "", shape_text(a)));
  }
  if constexpr (std::is_same_v<T, float>) {
    // Narrowing to float32 must not turn a finite value into Inf (silently, or with NumPy's
    // overflow warning): look at the wide values first.
    if (kind == 'f' && a.dtype().itemsize() > 4) {
      const auto wide = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(a);
      const double* v = wide.data();
      for (py::ssize_t k = 0; k < wide.size(); ++k)
        if (std::isfinite(v[k]) && std::abs(v[k]) > std::numeric_limits<float>::max())
          throw py::value_error(fmt::format("{}: {} at ({}, {}) is beyond float32's range", what,
                                            v[k], k / cols_, k % cols_));
    }
  }
  array_ = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(a);
  if (!array_) throw py::error_already_set();
  if (require_finite) check_finite(map(), what);
}

template <class T>
py::array to_numpy(Mat<T>&& m, bool as_vector) {
  const Index rows = m.rows(), cols = m.cols();
  auto owned = std::make_unique<Mat<T>>(std::move(m));
  const T* data = owned->data();
  py::capsule base = capsule_of(std::move(owned));
  if (as_vector && rows == 1) return py::array_t<T>({cols}, {py::ssize_t(sizeof(T))}, data, base);
  return py::array_t<T>({rows, cols}, {py::ssize_t(cols * sizeof(T)), py::ssize_t(sizeof(T))}, data,
                        base);
}

py::array to_numpy(Eigen::VectorXd&& v) {
  const Index n = v.size();
  auto owned = std::make_unique<Eigen::VectorXd>(std::move(v));
  const double* data = owned->data();
  return py::array_t<double>({n}, {py::ssize_t(sizeof(double))}, data,
                             capsule_of(std::move(owned)));
}

py::array to_numpy(Eigen::MatrixXd&& m) {
  // Column-major storage: the strides say so, NumPy reads it without a copy.
  const Index rows = m.rows(), cols = m.cols();
  auto owned = std::make_unique<Eigen::MatrixXd>(std::move(m));
  const double* data = owned->data();
  return py::array_t<double>({rows, cols},
                             {py::ssize_t(sizeof(double)), py::ssize_t(rows * sizeof(double))},
                             data, capsule_of(std::move(owned)));
}

py::array to_numpy(const std::vector<int>& values) {
  py::array_t<std::int32_t> out(static_cast<py::ssize_t>(values.size()));
  auto w = out.mutable_unchecked<1>();
  for (std::size_t i = 0; i < values.size(); ++i) w(py::ssize_t(i)) = values[i];
  return out;
}

py::array to_numpy(const std::vector<bool>& values) {
  py::array_t<bool> out(static_cast<py::ssize_t>(values.size()));
  auto w = out.mutable_unchecked<1>();
  for (std::size_t i = 0; i < values.size(); ++i) w(py::ssize_t(i)) = values[i];
  return out;
}

template <class T>
py::array view(const Mat<T>& m, const py::handle& owner, bool writable) {
  py::array a =
      py::array_t<T>({m.rows(), m.cols()},
                     {py::ssize_t(m.cols() * sizeof(T)), py::ssize_t(sizeof(T))}, m.data(), owner);
  if (!writable) a.attr("setflags")(py::arg("write") = false);
  return a;
}

template <class T>
std::vector<MatrixArg<T>> matrix_args(const py::sequence& items, const std::string& what) {
  std::vector<MatrixArg<T>> out;
  out.reserve(items.size());
  for (std::size_t k = 0; k < items.size(); ++k)
    out.emplace_back(items[k], fmt::format("{}[{}]", what, k));
  return out;
}

#define ENGRAM_INSTANTIATE(T)                                         \
  template class MatrixArg<T>;                                        \
  template py::array to_numpy<T>(Mat<T>&&, bool);                     \
  template py::array view<T>(const Mat<T>&, const py::handle&, bool); \
  template std::vector<MatrixArg<T>> matrix_args<T>(const py::sequence&, const std::string&);
ENGRAM_INSTANTIATE(float)
ENGRAM_INSTANTIATE(double)
#undef ENGRAM_INSTANTIATE

}  // namespace engram::python
