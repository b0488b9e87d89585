// Python bindings of training through the dynamics (SPEC M-35): unroll, the unrolled gradient,
// and the DAM classifier.
#include <fmt/format.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "engram/learning/dam_classifier.hpp"
#include "engram/learning/through_dynamics.hpp"

namespace engram::python {

namespace {

using GraphHandle = Dual<EnergyGraph>;
using StateHandle = Dual<State>;
using DamHandle = Dual<DamClassifier>;

UnrollOptions unroll_options(double dt, int steps, const std::vector<std::string>& clamped) {
  return UnrollOptions{dt, steps, clamped};
}

/// Per-layer matrices from a {layer: array} dict; layers not named are zero.
template <class T>
std::vector<Mat<T>> per_layer(const EnergyGraph<T>& g, Index batch, const py::dict& given,
                              const char* what) {
  std::vector<Mat<T>> out;
  for (const auto& layer : g.layers()) out.push_back(Mat<T>::Zero(batch, layer.size));
  for (const auto& [key, value] : given) {
    const auto name = py::cast<std::string>(key);
    const std::size_t l = g.layer_index(name);
    const MatrixArg<T> a(value, fmt::format("{}['{}']", what, name));
    check_shape(a.map(), batch, g.layers()[l].size, fmt::format("{}['{}']", what, name));
    out[l] = a.map();
  }
  return out;
}

template <class T>
py::dict by_layer(const EnergyGraph<T>& g, std::vector<Mat<T>>&& ms) {
  py::dict out;
  for (std::size_t l = 0; l < ms.size(); ++l)
    out[py::str(g.layers()[l].name)] = to_numpy(std::move(ms[l]));
  return out;
}

template <class T>
std::vector<LayerLoss<T>> layer_losses(const py::object& losses) {
  std::vector<LayerLoss<T>> out;
  if (losses.is_none()) return out;
  for (const py::handle item : losses) {
    const auto t = py::cast<py::tuple>(item);
    ENGRAM_CHECK(t.size() == 3, "losses: each item must be (layer, kind, target), got {} values",
                 t.size());
    const MatrixArg<T> target(t[2], "losses: target");
    out.push_back(
        {py::cast<std::string>(t[0]), parse_loss_kind(py::cast<std::string>(t[1])), target.copy()});
  }
  return out;
}

std::vector<std::uint8_t> labels_of(const py::handle& labels) {
  const auto a = py::array_t<long long, py::array::c_style | py::array::forcecast>::ensure(labels);
  ENGRAM_CHECK(a && a.ndim() == 1, "labels must be a 1-D array of class indices");
  std::vector<std::uint8_t> out;
  for (py::ssize_t i = 0; i < a.size(); ++i) {
    const long long v = a.at(i);
    ENGRAM_CHECK(v >= 0 && v < 256, "labels[{}] = {} is not a class index", i, v);
    out.push_back(static_cast<std::uint8_t>(v));
  }
  return out;
}

py::tuple score_tuple(const DamScore& s) {
  return py::make_tuple(s.loss, s.error);
}

constexpr const char* kGradientDoc = R"doc(Gradient of a loss through T explicit-Euler steps of
`graph` from `state` (SPEC M-35): x_{t+1,l} = x_{t,l} - (dt/tau_l) dE/dxhat_l for the free layers,
clamped layers held, no step rejection. Reverse mode with the adjoint
a_t = a_{t+1} - J_g^T (h * a_{t+1}), J_g^T c = c + hess L . (sum_s H_s c), and
dl/dtheta = -sum_t param_grad_directional(xhat_t, h * a_{t+1}).

losses: list of (layer, kind, target) with kind 'squared_error' (1/2 sum (xhat - t)^2) or
  'cross_entropy' (-sum t log xhat) on the layer's final activations, target (B, D_layer);
  summed over the batch.
final_grad: {layer: (B, D)} extra gradient of the loss in the final states x_T.
final_activation_grad: {layer: (B, D)} extra gradient in the final activations xhat_T.
Returns a dict: loss (float, of `losses`), final (State x_T), initial ({layer: dl/dx_0}; on a
clamped layer the derivative in its held value), params ({synapse: {param: dl/dtheta}}).
Runs without the GIL.)doc";

}  // namespace

void bind_through_dynamics(py::module_& m) {
  m.def(
      "unroll",
      [](const GraphHandle& graph, StateHandle& state, double dt, int steps,
         const std::vector<std::string>& clamped) {
        check_same_dtype(graph.dtype(), state.dtype(), "unroll: graph and state");
        const UseCount::Reader in_use(graph.use, "unroll");
        return graph.visit([&](const auto& g) {
          using T = scalar_t<decltype(g)>;
          std::vector<State<T>> traj;
          {
            py::gil_scoped_release release;
            traj = unroll(g, state.get<T>(), unroll_options(dt, steps, clamped));
          }
          py::list out;
          for (auto& s : traj) out.append(py::cast(StateHandle{std::move(s)}));
          return out;
        });
      },
      py::arg("graph"), py::arg("state"), py::kw_only(), py::arg("dt") = 0.1, py::arg("steps") = 10,
      py::arg("clamped") = std::vector<std::string>{},
      "The states x_0 .. x_T (a list of T + 1 States) of T fixed Euler steps (SPEC M-35):\n"
      "x_{t+1,l} = x_{t,l} - (dt/tau_l) dE/dxhat_l on the free layers, no step rejection.");

  m.def(
      "gradient_through_dynamics",
      [](const GraphHandle& graph, StateHandle& state, const py::object& losses, double dt,
         int steps, const std::vector<std::string>& clamped, const py::dict& final_grad,
         const py::dict& final_activation_grad) {
        check_same_dtype(graph.dtype(), state.dtype(),
                         "gradient_through_dynamics: graph and state");
        const UseCount::Reader in_use(graph.use, "gradient_through_dynamics");
        return graph.visit([&](const auto& g) {
          using T = scalar_t<decltype(g)>;
          const UnrollOptions o = unroll_options(dt, steps, clamped);
          const State<T>& x0 = state.get<T>();
          const std::vector<LayerLoss<T>> ls = layer_losses<T>(losses);
          const Index batch = x0.batch();
          const std::vector<Mat<T>> extra = per_layer(g, batch, final_grad, "final_grad");
          const std::vector<Mat<T>> extra_hat =
              per_layer(g, batch, final_activation_grad, "final_activation_grad");
          double loss = 0.0;
          std::vector<State<T>> traj;
          DynamicsGradient<T> grad;
          {
            py::gil_scoped_release release;
            traj = unroll(g, x0, o);
            FinalLoss<T> fl = final_loss(g, traj.back(), ls);
            const std::vector<Mat<T>> from_hat = state_gradient(g, traj.back(), extra_hat);
            for (std::size_t l = 0; l < fl.grad.size(); ++l) fl.grad[l] += extra[l] + from_hat[l];
            loss = fl.value;
            grad = backpropagate(g, traj, o, fl.grad);
          }
          py::dict params;
          for (std::size_t s = 0; s < g.synapses().size(); ++s) {
            py::dict p;
            const auto& syn = *g.synapses()[s].synapse;
            for (std::size_t k = 0; k < syn.num_params(); ++k)
              p[py::str(syn.param_names()[k])] = to_numpy(std::move(grad.params[s][k]));
            params[py::str(g.synapses()[s].name)] = p;
          }
          py::dict out;
          out["loss"] = loss;
          out["final"] = py::cast(StateHandle{std::move(traj.back())});
          out["initial"] = by_layer(g, std::move(grad.initial));
          out["params"] = params;
          return out;
        });
      },
      py::arg("graph"), py::arg("state"), py::arg("losses") = py::none(), py::kw_only(),
      py::arg("dt") = 0.1, py::arg("steps") = 10, py::arg("clamped") = std::vector<std::string>{},
      py::arg("final_grad") = py::dict(), py::arg("final_activation_grad") = py::dict(),
      kGradientDoc);

  py::class_<DamHandle>(m, "DamClassifier", R"doc(Dense associative memory classifier (Krotov &
Hopfield 2016) as an energy graph, trained through its relaxation (SPEC M-35).
Layers: pixels (D, identity, clamped at 2v - 1 for images v in [0, 1]), memories (K,
rectified polynomial of power n, or softmax) and labels (C, softmax); synapses xi (K x D) on
(memories, pixels) and theta (K x C) on (memories, labels). T Euler steps of size dt from 0; the
label activations are the class probabilities; Adam on the mean cross-entropy.)doc")
      .def(py::init([](Index pixels, Index classes, Index memories,
                       const std::string& memory_lagrangian, double power, double beta,
                       double label_beta, int steps, double dt, double init, std::uint64_t seed,
                       const py::object& dtype) {
             DamClassifierConfig c{pixels, classes, memories,   memory_lagrangian,
                                   power,  beta,    label_beta, steps,
                                   dt,     init};
             return make_dual<DamClassifier>(parse_dtype(dtype, Dtype::float32), [&](auto tag) {
               return DamClassifier<typename decltype(tag)::type>(c, seed);
             });
           }),
           py::kw_only(), py::arg("pixels") = 784, py::arg("classes") = 10,
           py::arg("memories") = 2000, py::arg("memory_lagrangian") = "rectified_polynomial",
           py::arg("power") = 3.0, py::arg("beta") = 1.0, py::arg("label_beta") = 1.0,
           py::arg("steps") = 4, py::arg("dt") = 1.0, py::arg("init") = 1.0, py::arg("seed") = 1,
           py::arg("dtype") = py::none())
      .def_property_readonly("dtype", [](const DamHandle& h) { return numpy_dtype(h.dtype()); })
      .def_property_readonly(
          "memories",
          [](py::object self) {
            auto& h = self.cast<DamHandle&>();
            return h.visit([&](auto& d) { return view(d.memories(), self); });
          },
          "Xi, (K, D): memory mu's pixel pattern (read-only view).")
      .def_property_readonly(
          "label_memories",
          [](py::object self) {
            auto& h = self.cast<DamHandle&>();
            return h.visit([&](auto& d) { return view(d.label_memories(), self); });
          },
          "Theta, (K, C): memory mu's label pattern (read-only view).")
      .def_property_readonly(
          "graph",
          [](const DamHandle& h) {
            return h.visit([](const auto& d) { return py::cast(Dual<EnergyGraph>{d.graph()}); });
          },
          "A copy of the energy graph.")
      .def(
          "predict_proba",
          [](DamHandle& h, const py::handle& images) {
            return h.visit([&](auto& d) {
              using T = scalar_t<decltype(d)>;
              const MatrixArg<T> x(images, "images");
              Mat<T> p;
              {
                py::gil_scoped_release release;
                p = d.predict_proba(x.map());
              }
              return to_numpy(std::move(p));
            });
          },
          py::arg("images"), "Label activations after T steps, (B, C), for images (B, D).")
      .def(
          "predict",
          [](DamHandle& h, const py::handle& images) {
            return h.visit([&](auto& d) {
              using T = scalar_t<decltype(d)>;
              const MatrixArg<T> x(images, "images");
              std::vector<int> y;
              {
                py::gil_scoped_release release;
                y = d.predict(x.map());
              }
              return to_numpy(y);
            });
          },
          py::arg("images"), "argmax of predict_proba per image: (B,) int32.")
      .def(
          "score",
          [](DamHandle& h, const py::handle& images, const py::handle& labels) {
            return h.visit([&](auto& d) {
              using T = scalar_t<decltype(d)>;
              const MatrixArg<T> x(images, "images");
              const auto y = labels_of(labels);
              py::gil_scoped_release release;
              return d.score(x.map(), y);
            });
          },
          py::arg("images"), py::arg("labels"), "(mean cross-entropy, error fraction).")
      .def(
          "train_batch",
          [](DamHandle& h, const py::handle& images, const py::handle& labels, double lr) {
            return h.visit([&](auto& d) {
              using T = scalar_t<decltype(d)>;
              const MatrixArg<T> x(images, "images");
              const auto y = labels_of(labels);
              py::gil_scoped_release release;
              return d.train_batch(x.map(), y, lr);
            });
          },
          py::arg("images"), py::arg("labels"), py::arg("lr") = 1e-3,
          "One Adam step on a mini-batch; returns its (loss, error) before the step.")
      .def(
          "fit_epoch",
          [](DamHandle& h, const py::handle& images, const py::handle& labels, Index batch,
             double lr, std::uint64_t seed) {
            return h.visit([&](auto& d) {
              using T = scalar_t<decltype(d)>;
              const MatrixArg<T> x(images, "images");
              const auto y = labels_of(labels);
              Rng rng(seed);
              py::gil_scoped_release release;
              return d.fit_epoch(x.map(), y, batch, lr, rng);
            });
          },
          py::arg("images"), py::arg("labels"), py::kw_only(), py::arg("batch") = 100,
          py::arg("lr") = 1e-3, py::arg("seed") = 1,
          "One shuffled pass of mini-batch Adam steps; returns the mean (loss, error).");

  py::class_<DamScore>(m, "DamScore", "Mean cross-entropy and error fraction.")
      .def_readonly("loss", &DamScore::loss)
      .def_readonly("error", &DamScore::error)
      .def("__iter__", [](const DamScore& s) { return py::iter(score_tuple(s)); })
      .def("__repr__", [](const DamScore& s) {
        return fmt::format("engram.DamScore(loss={:.6g}, error={:.6g})", s.loss, s.error);
      });
}

}  // namespace engram::python
