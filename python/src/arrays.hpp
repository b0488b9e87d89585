// NumPy arrays in and out of engram's row-major matrices: an argument is read in place when its
// dtype and layout allow (converted once otherwise), and results are handed over without a copy.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>
#include <utility>
#include <vector>

#include "engram/core/error.hpp"
#include "engram/core/types.hpp"

namespace engram::python {

namespace py = pybind11;

/// The two scalar types engram is built for.
enum class Dtype { float32, float64 };

template <class T>
constexpr Dtype dtype_of() {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>);
  return std::is_same_v<T, float> ? Dtype::float32 : Dtype::float64;
}

inline const char* dtype_name(Dtype d) {
  return d == Dtype::float32 ? "float32" : "float64";
}

/// numpy.float32 / numpy.float64 as a NumPy dtype object.
inline py::dtype numpy_dtype(Dtype d) {
  return d == Dtype::float32 ? py::dtype::of<float>() : py::dtype::of<double>();
}

/// A dtype argument: None gives `fallback`; otherwise anything numpy.dtype() reads that names a
/// 32- or 64-bit float ("float32", numpy.float64, numpy.dtype('f4'), ...).
Dtype parse_dtype(const py::object& dtype, Dtype fallback = Dtype::float64);

/// The scalar type a model built from `array` gets: float32 for a float32 array, float64 for
/// every other real array (float64, integers, booleans, lists).
Dtype dtype_of_array(const py::handle& array);

/// A matrix argument: a 2-D array of real numbers (B × D, one sample per row) viewed as a row-major
/// Mat<T>, or, when vectors are allowed, a 1-D array read as one sample (1 × D). The caller's
/// buffer is read in place when it is C-contiguous of dtype T; otherwise it is converted once.
/// Errors are ValueError messages naming `what`: a non-real dtype, a wrong number of dimensions,
/// NaN/Inf.
template <class T>
class MatrixArg {
 public:
  MatrixArg(const py::handle& obj, const std::string& what, bool allow_vector = true,
            bool require_finite = true);

  Index rows() const { return rows_; }
  Index cols() const { return cols_; }
  /// True when the argument was 1-D (one sample): results of the same shape go back 1-D.
  bool was_vector() const { return was_vector_; }
  /// A read-only view of the data (valid while this object lives).
  Eigen::Map<const Mat<T>> map() const {
    return Eigen::Map<const Mat<T>>(array_.data(), rows_, cols_);
  }
  /// An owned copy.
  Mat<T> copy() const { return map(); }

 private:
  py::array_t<T, py::array::c_style | py::array::forcecast> array_;
  Index rows_ = 0, cols_ = 0;
  bool was_vector_ = false;
};

/// A result matrix moved into a NumPy array that owns it (no copy). With `as_vector` a 1 × D
/// matrix comes back 1-D.
template <class T>
py::array to_numpy(Mat<T>&& m, bool as_vector = false);

/// A vector (per-sample energies, ...) moved into a 1-D float64 array.
py::array to_numpy(Eigen::VectorXd&& v);

/// A double matrix (energy traces) moved into a 2-D float64 array.
py::array to_numpy(Eigen::MatrixXd&& m);

/// A copy of `values` as a 1-D array of int32 / bool.
py::array to_numpy(const std::vector<int>& values);
py::array to_numpy(const std::vector<bool>& values);

/// A view of `m`, owned by `owner` (kept alive by the array). Read-only unless `writable`: use
/// read-only views for a model's parameters, where writing would bypass its checks.
template <class T>
py::array view(const Mat<T>& m, const py::handle& owner, bool writable = false);

/// A list of matrix arguments (one per synapse operand, ...).
template <class T>
std::vector<MatrixArg<T>> matrix_args(const py::sequence& items, const std::string& what);

}  // namespace engram::python
