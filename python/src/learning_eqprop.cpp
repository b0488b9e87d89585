// Python bindings: equilibrium propagation (SPEC M-31): engram.EqPropNetwork; bind_eqprop also
// registers the backprop baseline and the cost and field synapses (their own files).
#include <fmt/format.h>
#include <pybind11/stl.h>

#include <optional>

#include "bindings.hpp"
#include "engram/core/error.hpp"
#include "engram/learning/eqprop.hpp"
#include "learning_eqprop_common.hpp"

namespace engram::python {

namespace {

/// A network with the Rng its training draws from (shuffles, random signs of β).
template <class T>
struct EqPropBox {
  EqPropNetwork<T> net;
  Rng rng;
};
using EqPropHandle = Dual<EqPropBox>;

/// A free_graph() state from a dict {layer name: (B, D) array}.
template <class T>
State<T> state_from(const EqPropNetwork<T>& net, const py::dict& layers) {
  const EnergyGraph<T>& g = net.free_graph();
  ENGRAM_CHECK(static_cast<std::size_t>(layers.size()) == g.layers().size(),
               "state: expected one array per free layer ({}), got {}", g.layers().size(),
               layers.size());
  State<T> s;
  bool first = true;
  for (const auto& layer : g.layers()) {
    ENGRAM_CHECK(layers.contains(layer.name), "state: missing layer '{}'", layer.name);
    const MatrixArg<T> a(layers[py::str(layer.name)], "state['" + layer.name + "']", false);
    if (first) s = g.zeros(a.rows());
    first = false;
    s[layer.name] = a.map();
  }
  g.check(s);
  return s;
}

template <class T>
py::dict state_to(const State<T>& s) {
  py::dict d;
  for (std::size_t l = 0; l < s.size(); ++l) d[py::str(s.names()[l])] = to_numpy(Mat<T>(s.at(l)));
  return d;
}

}  // namespace

void bind_eqprop(py::module_& m) {
  py::class_<EqPropHandle> ep(m, "EqPropNetwork", R"doc(
A layered energy network trained by equilibrium propagation (SPEC M-31; Scellier & Bengio 2017,
Laborieux et al. 2021). Its EnergyGraph has layers 'x' (input, Identity, clamped), 'h1'.. and 'y'
(hard sigmoid or sigmoid), DenseSynapse 'W1', 'W2', .. between consecutive layers
(E = -xhat_{l-1}^T W_l xhat_l), BiasSynapse 'b1', .. and the nudging cost 'cost' = beta * C(yhat, t)
on 'y'. Relaxation runs on free_graph(): the same layers without 'x', whose drive x W1 enters as
a FieldSynapse 'field' on 'h1' computed once per batch.

    net = engram.EqPropNetwork([784, 500, 10], beta=1.0, learning_rates=[0.2, 0.1])
    net.train_epoch(images, labels)          # images (N, 784), labels (N,) ints
    net.evaluate(test_images, test_labels)   # {'error': ..., 'cost': ...}

The gradient estimate of d mean_b C / d theta is (1/beta)(dE/dtheta(beta) - dE/dtheta(0)), or
(1/2beta)(dE/dtheta(beta) - dE/dtheta(-beta)) with symmetric nudging; SGD subtracts
learning_rate * estimate.)doc");
  ep.def(py::init([](const std::vector<Index>& sizes, const std::string& activation,
                     const std::string& cost, double beta, bool symmetric, bool random_sign,
                     double dt, int free_steps, int nudged_steps,
                     const std::vector<double>& learning_rates, Index batch, std::uint64_t seed,
                     const py::object& dtype) {
           const EqPropOptions o = options_of(sizes, activation, cost, beta, symmetric, random_sign,
                                              dt, free_steps, nudged_steps, learning_rates, batch);
           return make_dual<EqPropBox>(parse_dtype(dtype), [&](auto tag) {
             using T = typename decltype(tag)::type;
             Rng rng(seed);
             EqPropNetwork<T> net(o, rng);
             return EqPropBox<T>{std::move(net), std::move(rng)};
           });
         }),
         py::arg("sizes") = std::vector<Index>{784, 500, 10},
         py::arg("activation") = "hard_sigmoid", py::arg("cost") = "squared", py::arg("beta") = 1.0,
         py::arg("symmetric") = true, py::arg("random_sign") = false, py::arg("dt") = 0.5,
         py::arg("free_steps") = 20, py::arg("nudged_steps") = 4,
         py::arg("learning_rates") = std::vector<double>{0.1, 0.05}, py::arg("batch") = 20,
         py::arg("seed") = 1, py::arg("dtype") = py::none(), kOptionsDoc)
      .def_property_readonly("dtype", [](const EqPropHandle& h) { return numpy_dtype(h.dtype()); })
      .def_property_readonly("sizes",
                             [](const EqPropHandle& h) {
                               return h.visit([](const auto& b) { return b.net.options().sizes; });
                             })
      .def_property_readonly(
          "param_names",
          [](const EqPropHandle& h) {
            return h.visit([](const auto& b) { return b.net.param_names(); });
          },
          "['W1', 'b1', 'W2', 'b2', ...]: W_l is (D_{l-1}, D_l), b_l is (1, D_l).")
      .def(
          "params",
          [](const EqPropHandle& h) {
            return h.visit([](const auto& b) { return to_list(b.net.params()); });
          },
          "Copies of the parameters, in param_names order.")
      .def(
          "set_params",
          [](EqPropHandle& h, const py::sequence& params) {
            h.visit([&](auto& b) {
              using T = scalar_t<decltype(b.net)>;
              b.net.set_params(from_list<T>(params, "params"));
            });
          },
          py::arg("params"), "Replaces every parameter (same shapes, finite).")
      .def(
          "one_hot",
          [](const EqPropHandle& h, const py::handle& labels) {
            return h.visit([&](const auto& b) {
              return to_numpy(b.net.one_hot(labels_of(labels, "one_hot")));
            });
          },
          py::arg("labels"), "Targets (B, classes) with a 1 at each label.")
      .def(
          "set_batch",
          [](EqPropHandle& h, const py::handle& x, const py::object& targets) {
            h.visit([&](auto& b) {
              using T = scalar_t<decltype(b.net)>;
              const MatrixArg<T> xa(x, "x", false);
              if (targets.is_none())
                b.net.set_batch(xa.map(), Mat<T>(0, b.net.options().sizes.back()));
              else
                b.net.set_batch(xa.map(), MatrixArg<T>(targets, "targets", false).map());
            });
          },
          py::arg("x"), py::arg("targets") = py::none(),
          "Clamps x (B, D_0) and sets the cost's targets (B, D_out) (None: zeros). The phases\n"
          "below use the last batch set.")
      .def(
          "free_phase",
          [](EqPropHandle& h, std::optional<int> steps) {
            return h.visit([&](auto& b) {
              using T = scalar_t<decltype(b.net)>;
              State<T> s;
              {
                py::gil_scoped_release nogil;
                s = b.net.free_phase(steps);
              }
              return state_to(s);
            });
          },
          py::arg("steps") = py::none(),
          "Free phase: Euler steps with beta = 0 from x = 0. Returns {layer: (B, D) internal\n"
          "states} for 'h1', ..., 'y'.")
      .def(
          "nudged_phase",
          [](EqPropHandle& h, const py::dict& state, double beta, std::optional<int> steps) {
            return h.visit([&](auto& b) {
              auto s = state_from(b.net, state);
              b.net.nudged_phase(s, beta, steps);
              return state_to(s);
            });
          },
          py::arg("state"), py::arg("beta"), py::arg("steps") = py::none(),
          "Nudged phase from `state` with beta * C added to the energy; returns the new state.")
      .def(
          "cost",
          [](const EqPropHandle& h, const py::dict& state) {
            return h.visit([&](const auto& b) { return b.net.cost(state_from(b.net, state)); });
          },
          py::arg("state"), "Mean C over the batch at `state`.")
      .def(
          "activations",
          [](const EqPropHandle& h, const py::dict& state) {
            return h.visit([&](const auto& b) {
              return to_list(b.net.free_graph().activations(state_from(b.net, state)));
            });
          },
          py::arg("state"), "xhat of 'h1', ..., 'y' at `state`.")
      .def(
          "gradient_estimate",
          [](EqPropHandle& h, const py::handle& x, const py::handle& targets,
             std::optional<double> beta) {
            return h.visit([&](auto& b) {
              using T = scalar_t<decltype(b.net)>;
              b.net.set_batch(MatrixArg<T>(x, "x", false).map(),
                              MatrixArg<T>(targets, "targets", false).map());
              std::vector<Mat<T>> g;
              {
                py::gil_scoped_release nogil;
                g = b.net.gradient_estimate(nullptr, beta);
              }
              return to_list(std::move(g));
            });
          },
          py::arg("x"), py::arg("targets"), py::arg("beta") = py::none(),
          "The EqProp estimate of d(mean_b C)/d theta for the batch (x (B, D_0), targets\n"
          "(B, D_out)), in param_names order; beta defaults to the network's.")
      .def(
          "train_epoch",
          [](EqPropHandle& h, const py::handle& images, const py::handle& labels) {
            const UseCount::Writer changing(h.use, "EqPropNetwork.train_epoch");
            return h.visit([&](auto& b) {
              using T = scalar_t<decltype(b.net)>;
              const MatrixArg<T> x(images, "images", false);
              const std::vector<int> y = labels_of(labels, "train_epoch");
              EpochStats s;
              {
                py::gil_scoped_release nogil;
                s = b.net.train_epoch(x.map(), y, b.rng);
              }
              return stats(s);
            });
          },
          py::arg("images"), py::arg("labels"),
          "One shuffled epoch of mini-batch SGD on images (N, D_0) and integer labels (N,).\n"
          "Returns {'error', 'cost'} of the free phases seen during the epoch. Runs without the "
          "GIL.")
      .def(
          "predict",
          [](EqPropHandle& h, const py::handle& x) {
            return h.visit([&](auto& b) {
              using T = scalar_t<decltype(b.net)>;
              const MatrixArg<T> xa(x, "x", false);
              std::vector<int> y;
              {
                py::gil_scoped_release nogil;
                y = b.net.predict(xa.map());
              }
              return to_numpy(y);
            });
          },
          py::arg("x"), "argmax of yhat at the free state, per row of x (B, D_0).")
      .def(
          "evaluate",
          [](EqPropHandle& h, const py::handle& images, const py::handle& labels) {
            return h.visit([&](auto& b) {
              using T = scalar_t<decltype(b.net)>;
              const MatrixArg<T> x(images, "images", false);
              const std::vector<int> y = labels_of(labels, "evaluate");
              EpochStats s;
              {
                py::gil_scoped_release nogil;
                s = b.net.evaluate(x.map(), y);
              }
              return stats(s);
            });
          },
          py::arg("images"), py::arg("labels"),
          "{'error', 'cost'} of the free phase over a data set.")
      .def(
          "graph",
          [](const EqPropHandle& h) {
            return h.visit(
                [](const auto& b) { return py::cast(Dual<EnergyGraph>{b.net.graph()}); });
          },
          "A copy of the whole network as an engram.EnergyGraph (layers 'x', 'h1', .., 'y').")
      .def(
          "free_graph",
          [](const EqPropHandle& h) {
            return h.visit(
                [](const auto& b) { return py::cast(Dual<EnergyGraph>{b.net.free_graph()}); });
          },
          "A copy of the graph relaxation runs on (no 'x'; the input enters as 'field').")
      .def(
          "network_graph",
          [](const EqPropHandle& h) {
            return h.visit(
                [](const auto& b) { return py::cast(Dual<EnergyGraph>{b.net.network_graph()}); });
          },
          "graph() without the cost synapse: the trained network alone, which save_graph can\n"
          "write (the cost's per-batch targets are not a model file's business).");

  bind_feedforward(m);
  bind_costs(m);
}

}  // namespace engram::python
