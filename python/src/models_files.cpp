// engram.save_model and engram.load_model (SPEC M-42): any facade (or EnergyGraph) to a
// safetensors model file and back, with the class chosen by the file's kind and the dtype by its
// "scalar" metadata.
#include "engram/io/graph_file.hpp"
#include "engram/models/classical_hopfield.hpp"
#include "engram/models/continuous_hopfield.hpp"
#include "engram/models/dense_am.hpp"
#include "engram/models/linear_am.hpp"
#include "engram/models/modern_hopfield.hpp"
#include "engram/models/rbm.hpp"
#include "models_common.hpp"

namespace engram::python {

namespace {

// Saves `model` if it is a Dual<M>; returns whether it was.
template <template <class> class M>
bool save_if(const std::filesystem::path& path, const py::handle& model) {
  if (!py::isinstance<Dual<M>>(model)) return false;
  const auto& h = model.cast<const Dual<M>&>();
  h.visit([&](const auto& m) {
    py::gil_scoped_release release;
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(m)>,
                                 EnergyGraph<scalar_t<decltype(m)>>>)
      save_graph(path, m);
    else
      save_model(path, m);
  });
  return true;
}

}  // namespace

void bind_model_files(py::module_& m) {
  m.def(
      "save_model",
      [](const std::filesystem::path& path, const py::handle& model) {
        if (save_if<ClassicalHopfield>(path, model) || save_if<ContinuousHopfield>(path, model) ||
            save_if<ModernHopfield>(path, model) || save_if<DenseAssociativeMemory>(path, model) ||
            save_if<LinearAssociativeMemory>(path, model) || save_if<BernoulliRBM>(path, model) ||
            save_if<EnergyGraph>(path, model))
          return;
        throw py::type_error(fmt::format(
            "save_model: expected ClassicalHopfield, ContinuousHopfield, ModernHopfield, "
            "DenseAssociativeMemory, LinearAssociativeMemory, BernoulliRBM or EnergyGraph, got {}",
            py::str(py::type::handle_of(model).attr("__name__")).cast<std::string>()));
      },
      py::arg("path"), py::arg("model"),
      R"doc(Writes `model` (a ClassicalHopfield, ContinuousHopfield, ModernHopfield,
DenseAssociativeMemory, LinearAssociativeMemory, BernoulliRBM or EnergyGraph) to `path` as safetensors
(SPEC M-42): tensors F32/F64 in the model's dtype, kind, dtype ("scalar") and structure in the
metadata. PyTorch's and JAX's safetensors readers open the weights as they are.)doc");

  m.def(
      "load_model",
      [](const std::filesystem::path& path) -> py::object {
        const std::string kind = model_file_kind(path);
        if (kind == "classical_hopfield") return py::cast(load_dual<ClassicalHopfield>(path));
        if (kind == "continuous_hopfield") return py::cast(load_dual<ContinuousHopfield>(path));
        if (kind == "modern_hopfield") return py::cast(load_dual<ModernHopfield>(path));
        if (kind == "dense_am") return py::cast(load_dual<DenseAssociativeMemory>(path));
        if (kind == "linear_am") return py::cast(load_dual<LinearAssociativeMemory>(path));
        if (kind == "bernoulli_rbm") return py::cast(load_dual<BernoulliRBM>(path));
        if (kind == "energy_graph") {
          const Dtype d = model_file_dtype(path);
          return py::cast(without_gil([&] {
            return make_dual<EnergyGraph>(
                d, [&](auto tag) { return load_graph<typename decltype(tag)::type>(path); });
          }));
        }
        throw Error(fmt::format(
            "'{}': holds a model of kind '{}', which load_model does not know (it reads "
            "classical_hopfield, continuous_hopfield, modern_hopfield, dense_am, linear_am, "
            "bernoulli_rbm and energy_graph)",
            path.string(), kind));
      },
      py::arg("path"),
      R"doc(Reads a file written by save_model (or a facade's save) and returns the model as the
class its kind names (ClassicalHopfield, ContinuousHopfield, ModernHopfield,
DenseAssociativeMemory, LinearAssociativeMemory, BernoulliRBM or EnergyGraph) at the dtype recorded in the file.
Raises engram.Error for a missing, truncated or garbled file, or a model that does not check.)doc");
}

}  // namespace engram::python
