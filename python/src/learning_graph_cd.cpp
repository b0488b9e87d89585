// Python binding of contrastive divergence on energy graphs (SPEC M-32):
// engram.GraphContrastiveDivergence.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "engram/learning/graph_contrastive.hpp"

namespace engram::python {

namespace {

using CDHandle = Dual<GraphContrastiveDivergence>;
using GraphHandle = Dual<EnergyGraph>;

/// The visible layers' data from a {layer: array} dict, in options.visible order.
template <class T>
std::vector<Mat<T>> visible_data(const GraphCDOptions& o, const py::dict& data) {
  ENGRAM_CHECK(data.size() == o.visible.size(),
               "step: data names {} layers, expected the {} visible layers", data.size(),
               o.visible.size());
  std::vector<Mat<T>> out;
  for (const std::string& name : o.visible) {
    ENGRAM_CHECK(data.contains(name), "step: data has no array for visible layer '{}'", name);
    out.push_back(MatrixArg<T>(data[py::str(name)], "data['" + name + "']").copy());
  }
  return out;
}

}  // namespace

void bind_graph_cd(py::module_& m) {
  py::class_<CDHandle>(m, "GraphContrastiveDivergence", R"doc(
Contrastive divergence on an EnergyGraph (SPEC M-32). The model is p(x) ~ exp(-E(x)/T) over the
layers' internal states; each step() moves every synapse parameter (except `frozen` ones) along
the log-likelihood gradient -(1/T)(<dE/dtheta>_data - <dE/dtheta>_model): the data average with
the `visible` layers clamped to the batch (hidden layers sampled by `positive_steps` Langevin
steps from 0), the model average on Langevin chains run `negative_steps` steps per update
(persistent: carried over between updates; else restarted from the positive states, CD-k).
)doc")
      .def(py::init([](const GraphHandle& graph, const std::vector<std::string>& visible,
                       const std::vector<std::string>& frozen, double learning_rate,
                       double temperature, double step_size, bool metropolis, int positive_steps,
                       int negative_steps, bool persistent, std::uint64_t seed) {
             GraphCDOptions o{visible,    frozen,         learning_rate,  temperature, step_size,
                              metropolis, positive_steps, negative_steps, persistent};
             return make_dual<GraphContrastiveDivergence>(graph.dtype(), [&](auto tag) {
               using T = typename decltype(tag)::type;
               return GraphContrastiveDivergence<T>(std::get<EnergyGraph<T>>(graph.value), o, seed);
             });
           }),
           py::arg("graph"), py::kw_only(), py::arg("visible"),
           py::arg("frozen") = std::vector<std::string>{}, py::arg("learning_rate") = 0.01,
           py::arg("temperature") = 1.0, py::arg("step_size") = 0.01, py::arg("metropolis") = false,
           py::arg("positive_steps") = 50, py::arg("negative_steps") = 1,
           py::arg("persistent") = true, py::arg("seed") = 1,
           "Checks the options against `graph` (the graph step() will update).")
      .def(
          "step",
          [](CDHandle& self, GraphHandle& graph, const py::dict& data) {
            check_same_dtype(self.dtype(), graph.dtype(), "step: trainer and graph");
            const UseCount::Writer changing(graph.use, "GraphContrastiveDivergence.step");
            return self.visit([&](auto& cd) {
              using T = scalar_t<decltype(cd)>;
              const std::vector<Mat<T>> batch = visible_data<T>(cd.options(), data);
              GraphCDStep s;
              {
                py::gil_scoped_release release;
                s = cd.step(graph.get<T>(), batch);
              }
              py::dict out;
              out["positive_energy"] = s.positive_energy;
              out["negative_energy"] = s.negative_energy;
              out["acceptance"] = s.acceptance;
              return out;
            });
          },
          py::arg("graph"), py::arg("data"),
          "One update of `graph`'s parameters from `data` = {visible layer: (B, D) array}; "
          "returns the mean positive and negative energies and the chains' acceptance.");
}

}  // namespace engram::python
