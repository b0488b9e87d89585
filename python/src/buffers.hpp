// NumPy arrays over C++ buffers of any element type (file bytes, labels, masks): the array takes
// the buffer over without a copy, and raw bytes of a Python array are read back in a chosen order.
#pragma once

#include <pybind11/numpy.h>

#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace engram::python {

namespace py = pybind11;

/// `buffer` (a std::vector or an Eigen matrix: anything with data()) moved into a C-ordered array
/// of `dtype` and `shape` that owns it; it is freed when the last array referring to it goes.
/// The buffer must hold product(shape) · dtype.itemsize() bytes.
template <class Buffer>
py::array adopt(Buffer&& buffer, const py::dtype& dtype, std::vector<py::ssize_t> shape) {
  using Owned = std::remove_cvref_t<Buffer>;
  auto owned = std::make_unique<Owned>(std::move(buffer));
  const void* data = owned->data();
  py::capsule base(owned.get(), [](void* p) { delete static_cast<Owned*>(p); });
  owned.release();  // the capsule owns it now
  return py::array(dtype, std::move(shape), std::vector<py::ssize_t>{}, data, base);
}

/// The bytes of `a`, C order, each element in `byteorder` ('<' little-endian as safetensors
/// stores, '=' the machine's order as IdxArray holds), copied into a vector of Byte.
template <class Byte>
std::vector<Byte> bytes_of(const py::array& a, char byteorder) {
  const py::module_ np = py::module_::import("numpy");
  const py::object target = a.dtype().attr("newbyteorder")(std::string(1, byteorder));
  const auto c = np.attr("ascontiguousarray")(a, target).cast<py::array>();
  std::vector<Byte> out(static_cast<std::size_t>(c.nbytes()));
  if (!out.empty()) std::memcpy(out.data(), c.data(), out.size());
  return out;
}

/// The shape of `a` as a vector.
inline std::vector<py::ssize_t> array_shape(const py::array& a) {
  return std::vector<py::ssize_t>(a.shape(), a.shape() + a.ndim());
}

}  // namespace engram::python
