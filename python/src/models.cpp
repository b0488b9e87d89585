// Python binding of the associative-memory facades (SPEC M-05..M-14): engram.Retrieval and the
// helpers every model class shares; the classes themselves live in models_*.cpp.
#include <fmt/format.h>

#include <algorithm>
#include "engram/io/safetensors.hpp"

#include "models_common.hpp"

namespace engram::python {

template <class T>
py::object to_python(Retrieval<T>&& r, bool as_vector) {
  PyRetrieval out;
  out.batch = r.states.rows();
  out.converged_count = std::count(r.converged.begin(), r.converged.end(), true);
  const bool one = as_vector && out.batch == 1;
  out.states = to_numpy(std::move(r.states), as_vector);
  out.steps = one ? py::object(py::int_(r.steps.at(0))) : py::object(to_numpy(r.steps));
  out.converged =
      one ? py::object(py::bool_(r.converged.at(0))) : py::object(to_numpy(r.converged));
  out.energy_trace =
      one ? to_numpy(Eigen::VectorXd(r.energy_trace.col(0))) : to_numpy(std::move(r.energy_trace));
  return py::cast(std::move(out));
}
template py::object to_python(Retrieval<float>&&, bool);
template py::object to_python(Retrieval<double>&&, bool);

py::object per_sample(Energies&& e, bool one) {
  if (one) return py::float_(e(0));
  return to_numpy(std::move(e));
}

void check_cols(Index actual_cols, Index actual_rows, bool was_vector, Index cols,
                const std::string& what) {
  if (actual_cols == cols) return;
  const std::string shape = was_vector ? fmt::format("({},)", actual_cols)
                                       : fmt::format("({}, {})", actual_rows, actual_cols);
  throw py::value_error(
      fmt::format("{}: expected shape (B, {}) or ({},), got shape {}", what, cols, cols, shape));
}

Dtype model_file_dtype(const std::filesystem::path& path) {
  const SafetensorsHeader header = read_safetensors_header(path);
  const auto scalar = header.metadata.find("scalar");
  if (scalar == header.metadata.end() || scalar->second == "float64") return Dtype::float64;
  if (scalar->second == "float32") return Dtype::float32;
  throw Error(
      fmt::format("'{}': metadata \"scalar\" must be \"float32\" or \"float64\", got \"{}\"",
                  path.string(), scalar->second));
}

void bind_models(py::module_& m) {
  py::class_<PyRetrieval>(m, "Retrieval", R"doc(
What a model's recall returns for B cues of size D (the same for every facade):
    states        (B, D) retrieved states in the model's dtype (for the +-1 models, +-1 entries)
    steps         (B,) int32: updates (iterations, sweeps or steps) per sample until it stopped
    converged     (B,) bool: whether the sample reached a fixed point / met the tolerance
    energy_trace  (iterations + 1, B) float64: the model's energy before the first update (row 0)
                  and after each update; a sample that stopped keeps its last value
For one cue given 1-D (D,): states is (D,), steps an int, converged a bool, energy_trace 1-D.)doc")
      .def_readonly("states", &PyRetrieval::states)
      .def_readonly("steps", &PyRetrieval::steps)
      .def_readonly("converged", &PyRetrieval::converged)
      .def_readonly("energy_trace", &PyRetrieval::energy_trace)
      .def("__repr__", [](const PyRetrieval& r) {
        return fmt::format("engram.Retrieval(states={}, converged={}/{}, trace_rows={})",
                           py::str(r.states.attr("shape")).cast<std::string>(), r.converged_count,
                           r.batch, r.energy_trace.shape(0));
      });

  bind_models_binary(m);
  bind_models_continuous(m);
  bind_models_modern(m);
  // Every facade answers recall(); the modern network's own word for it is retrieve.
  m.attr("ModernHopfield").attr("recall") = m.attr("ModernHopfield").attr("retrieve");
  bind_models_conditional(m);
  bind_model_files(m);
}

}  // namespace engram::python
