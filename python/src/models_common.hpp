// What the Python model classes share: Retrieval as a Python object, per-sample energies, width
// checks with NumPy shapes, enum keywords parsed from strings, and save/load through model files.
#pragma once

#include <fmt/format.h>
#include <pybind11/stl/filesystem.h>

#include <filesystem>
#include <initializer_list>
#include <string>
#include <utility>

#include "bindings.hpp"
#include "engram/io/model_file.hpp"
#include "engram/learning/hebbian.hpp"
#include "engram/models/retrieval.hpp"

namespace engram::python {

/// Retrieval<T> with NumPy arrays (engram.Retrieval).
struct PyRetrieval {
  py::array states;        ///< (B, D) of the model's dtype; (D,) when the cue was 1-D
  py::object steps;        ///< (B,) int32; an int for a 1-D cue
  py::object converged;    ///< (B,) bool; a bool for a 1-D cue
  py::array energy_trace;  ///< (iterations + 1, B) float64; (iterations + 1,) for a 1-D cue
  Index batch = 0;
  Index converged_count = 0;
};

/// Moves `r` into an engram.Retrieval; with `as_vector` a one-row states matrix comes back 1-D.
template <class T>
py::object to_python(Retrieval<T>&& r, bool as_vector);

/// Per-sample energies: a Python float when the input was one 1-D sample, else a (B,) array.
py::object per_sample(Energies&& e, bool one);

/// Throws ValueError unless `a` has `cols` columns, naming `what` and the NumPy shapes.
void check_cols(Index actual_cols, Index actual_rows, bool was_vector, Index cols,
                const std::string& what);
template <class T>
void check_cols(const MatrixArg<T>& a, Index cols, const std::string& what) {
  check_cols(a.cols(), a.rows(), a.was_vector(), cols, what);
}

/// The dtype of a model built from `array`: `dtype` when given, else float32 for a float32 array
/// and float64 for anything else.
inline Dtype model_dtype(const py::handle& array, const py::object& dtype) {
  return parse_dtype(dtype, dtype_of_array(array));
}

/// An enum keyword from its name; ValueError listing the accepted names otherwise.
template <class E>
E parse_choice(const std::string& value, std::initializer_list<std::pair<const char*, E>> choices,
               const char* what) {
  std::string names;
  for (const auto& [name, e] : choices) {
    if (value == name) return e;
    names += fmt::format("{}'{}'", names.empty() ? "" : ", ", name);
  }
  throw py::value_error(fmt::format("{}: expected one of {}, got '{}'", what, names, value));
}

/// A learning rule keyword: 'hebbian', 'storkey' or 'pseudo_inverse'.
inline LearningRule rule_of(const std::string& rule) {
  return parse_choice<LearningRule>(rule,
                                    {{"hebbian", LearningRule::hebbian},
                                     {"storkey", LearningRule::storkey},
                                     {"pseudo_inverse", LearningRule::pseudo_inverse}},
                                    "rule");
}

/// Calls f(model, arg) with the array `x` read at the model's precision (a MatrixArg) and checked
/// to have `width` columns; `what` names the argument in errors.
template <template <class> class M, class F>
decltype(auto) with_states(const Dual<M>& h, const py::handle& x, Index width,
                           const std::string& what, F&& f) {
  return h.visit([&](const auto& model) -> decltype(auto) {
    using T = scalar_t<decltype(model)>;
    const MatrixArg<T> arg(x, what);
    check_cols(arg, width, what);
    return f(model, arg);
  });
}

/// A read-only 1-D view of n values at `data`, kept alive by `owner`.
template <class T>
py::array vector_view(const T* data, Index n, const py::handle& owner) {
  py::array a = py::array_t<T>({n}, {py::ssize_t(sizeof(T))}, data, owner);
  a.attr("setflags")(py::arg("write") = false);
  return a;
}

/// Calls f() with the GIL released and returns its (C++) result.
template <class F>
decltype(auto) without_gil(F&& f) {
  py::gil_scoped_release release;
  return f();
}

/// The scalar type recorded in a model file's metadata ("scalar": "float32" | "float64"; files
/// without it are read as float64). engram::Error for an unreadable file.
Dtype model_file_dtype(const std::filesystem::path& path);

/// Loads a facade M saved by save_model at the precision the file records.
template <template <class> class M>
Dual<M> load_dual(const std::filesystem::path& path) {
  const Dtype d = model_file_dtype(path);
  py::gil_scoped_release release;
  return make_dual<M>(d,
                      [&](auto tag) { return load_model<M<typename decltype(tag)::type>>(path); });
}

/// Adds save(path) and the static load(path) to the class of facade M (file kind `kind`).
template <template <class> class M>
void def_save_load(py::class_<Dual<M>>& cls, const char* kind) {
  // pybind11 copies a function's docstring when it is defined.
  const std::string save_doc = fmt::format(
      "Writes the model to `path` (str or os.PathLike) as safetensors with kind '{}' and the\n"
      "model's dtype in the metadata (SPEC M-42); engram.load_model or {}.load read it back.",
      kind, py::str(cls.attr("__name__")).cast<std::string>());
  const std::string load_doc = fmt::format(
      "Reads a model saved by save(): the dtype is the one recorded in the file. Raises\n"
      "engram.Error for an unreadable file or one that holds another kind than '{}'.",
      kind);
  cls.def(
         "save",
         [](const Dual<M>& h, const std::filesystem::path& path) {
           h.visit([&](const auto& model) {
             py::gil_scoped_release release;
             save_model(path, model);
           });
         },
         py::arg("path"), save_doc.c_str())
      .def_static(
          "load", [](const std::filesystem::path& path) { return load_dual<M>(path); },
          py::arg("path"), load_doc.c_str());
}

}  // namespace engram::python
