// Python binding of the dynamics (SPEC M-04): engram.relax and engram.RelaxResult.
#include <fmt/format.h>
#include <pybind11/stl.h>

#include "bindings.hpp"

namespace engram::python {

namespace {

/// RelaxResult with NumPy arrays.
struct PyRelaxResult {
  int steps = 0;
  bool converged = false;
  std::vector<std::string> status;
  py::array energy, trace, dt;
  int rejected_steps = 0;
  double max_rise = 0.0;
};

}  // namespace

py::object to_python(RelaxResult&& r) {
  PyRelaxResult out;
  out.steps = r.steps;
  out.converged = r.converged;
  for (SampleStatus s : r.status) out.status.emplace_back(to_string(s));
  out.energy = to_numpy(std::move(r.energy));
  out.trace = to_numpy(std::move(r.trace));
  out.dt = to_numpy(std::move(r.dt));
  out.rejected_steps = r.rejected_steps;
  out.max_rise = r.max_rise;
  return py::cast(std::move(out));
}

void bind_relax(py::module_& m) {
  py::class_<PyRelaxResult>(m, "RelaxResult", "What relax() did, per sample and overall.")
      .def_readonly("steps", &PyRelaxResult::steps, "Steps taken.")
      .def_readonly("converged", &PyRelaxResult::converged, "Whether every sample converged.")
      .def_readonly("status", &PyRelaxResult::status,
                    "Per sample: 'converged', 'running' (out of steps), 'stalled' or 'diverged'.")
      .def_readonly("energy", &PyRelaxResult::energy, "Final energy per sample (B,).")
      .def_readonly("trace", &PyRelaxResult::trace,
                    "(steps + 1, B) energies: row 0 before the first step (empty without a trace).")
      .def_readonly("dt", &PyRelaxResult::dt, "Final step size per sample (B,).")
      .def_readonly("rejected_steps", &PyRelaxResult::rejected_steps,
                    "Steps undone because the energy rose.")
      .def_readonly("max_rise", &PyRelaxResult::max_rise,
                    "Largest accepted energy rise (within the rounding allowance).")
      .def("__repr__", [](const PyRelaxResult& r) {
        return fmt::format("engram.RelaxResult(steps={}, converged={}, rejected_steps={})", r.steps,
                           r.converged ? "True" : "False", r.rejected_steps);
      });

  // pybind11 keeps a pointer to the docstring: it must outlive the module.
  static const std::string relax_doc =
      std::string(R"doc(Descends the energy of `graph` from `state`, updated in place (SPEC M-04):
explicit Euler on tau_l dx_l/dt = -dE/dxhat_l for every free layer. Samples are independent: each
has its own step size and status, and a step that raises a sample's energy is undone with its dt
halved, so the energy never rises. Not converging is reported, not raised. Runs without the GIL.

)doc") +
      kRelaxOptionsDoc;
  m.def(
      "relax",
      [](const Dual<EnergyGraph>& graph, Dual<State>& state, const py::kwargs& kwargs) {
        check_same_dtype(graph.dtype(), state.dtype(), "relax: graph and state");
        const RelaxOptions options = relax_options(kwargs);
        const UseCount::Reader in_use(graph.use, "relax");
        RelaxResult result = graph.visit([&](const auto& g) {
          using T = scalar_t<decltype(g)>;
          py::gil_scoped_release release;
          return relax(g, state.get<T>(), options);
        });
        return to_python(std::move(result));
      },
      py::arg("graph"), py::arg("state"), relax_doc.c_str());
}

}  // namespace engram::python
