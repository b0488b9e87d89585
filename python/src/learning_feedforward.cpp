// Python bindings: the backprop baseline of equilibrium propagation (SPEC M-31),
// engram.FeedForwardNetwork.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "engram/learning/feedforward.hpp"
#include "learning_eqprop_common.hpp"

namespace engram::python {

namespace {

/// A network with the Rng its training draws from (shuffles).
template <class T>
struct FeedForwardBox {
  FeedForwardNetwork<T> net;
  Rng rng;
};
using FeedForwardHandle = Dual<FeedForwardBox>;

}  // namespace

void bind_feedforward(py::module_& m) {
  py::class_<FeedForwardHandle> ff(m, "FeedForwardNetwork", R"doc(
The backpropagation baseline of EqPropNetwork (SPEC M-31): h_0 = x, h_l = rho(h_{l-1} W_l + b_l)
with rho the same activation (hard sigmoid: clip(., 0, 1), or sigmoid), yhat = h_L, trained by
backprop and SGD on the same cost. Same options as EqPropNetwork (the nudging ones are unused).)doc");
  ff.def(py::init([](const std::vector<Index>& sizes, const std::string& activation,
                     const std::string& cost, const std::vector<double>& learning_rates,
                     Index batch, std::uint64_t seed, const py::object& dtype) {
           const EqPropOptions o = options_of(sizes, activation, cost, 1.0, true, false, 0.5, 1, 1,
                                              learning_rates, batch);
           return make_dual<FeedForwardBox>(parse_dtype(dtype), [&](auto tag) {
             using T = typename decltype(tag)::type;
             Rng rng(seed);
             FeedForwardNetwork<T> net(o, rng);
             return FeedForwardBox<T>{std::move(net), std::move(rng)};
           });
         }),
         py::arg("sizes") = std::vector<Index>{784, 500, 10}, py::arg("activation") = "sigmoid",
         py::arg("cost") = "squared", py::arg("learning_rates") = std::vector<double>{1.0, 0.5},
         py::arg("batch") = 20, py::arg("seed") = 1, py::arg("dtype") = py::none(), kOptionsDoc)
      .def_property_readonly("dtype",
                             [](const FeedForwardHandle& h) { return numpy_dtype(h.dtype()); })
      .def(
          "params",
          [](const FeedForwardHandle& h) {
            return h.visit([](const auto& b) {
              auto p = b.net.params();
              return to_list(std::move(p));
            });
          },
          "Copies of W1, b1, W2, b2, ...")
      .def(
          "set_params",
          [](FeedForwardHandle& h, const py::sequence& params) {
            h.visit([&](auto& b) {
              using T = scalar_t<decltype(b.net)>;
              b.net.set_params(from_list<T>(params, "params"));
            });
          },
          py::arg("params"))
      .def(
          "forward",
          [](const FeedForwardHandle& h, const py::handle& x) {
            return h.visit([&](const auto& b) {
              using T = scalar_t<decltype(b.net)>;
              return to_list(b.net.forward(MatrixArg<T>(x, "x", false).map()));
            });
          },
          py::arg("x"), "[h_1, ..., h_L] for x (B, D_0).")
      .def(
          "gradient",
          [](const FeedForwardHandle& h, const py::handle& x, const py::handle& targets) {
            return h.visit([&](const auto& b) {
              using T = scalar_t<decltype(b.net)>;
              return to_list(b.net.gradient(MatrixArg<T>(x, "x", false).map(),
                                            MatrixArg<T>(targets, "targets", false).map()));
            });
          },
          py::arg("x"), py::arg("targets"), "d(mean_b C)/d theta by backprop, W1, b1, ...")
      .def(
          "cost",
          [](const FeedForwardHandle& h, const py::handle& x, const py::handle& targets) {
            return h.visit([&](const auto& b) {
              using T = scalar_t<decltype(b.net)>;
              return b.net.cost(MatrixArg<T>(x, "x", false).map(),
                                MatrixArg<T>(targets, "targets", false).map());
            });
          },
          py::arg("x"), py::arg("targets"), "Mean C of the batch.")
      .def(
          "train_epoch",
          [](FeedForwardHandle& h, const py::handle& images, const py::handle& labels) {
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
          py::arg("images"), py::arg("labels"), "One shuffled epoch of SGD; {'error', 'cost'}.")
      .def(
          "predict",
          [](const FeedForwardHandle& h, const py::handle& x) {
            return h.visit([&](const auto& b) {
              using T = scalar_t<decltype(b.net)>;
              return to_numpy(b.net.predict(MatrixArg<T>(x, "x", false).map()));
            });
          },
          py::arg("x"), "argmax of yhat per row.")
      .def(
          "evaluate",
          [](const FeedForwardHandle& h, const py::handle& images, const py::handle& labels) {
            return h.visit([&](const auto& b) {
              using T = scalar_t<decltype(b.net)>;
              return stats(b.net.evaluate(MatrixArg<T>(images, "images", false).map(),
                                          labels_of(labels, "evaluate")));
            });
          },
          py::arg("images"), py::arg("labels"), "{'error', 'cost'} over a data set.");
}

}  // namespace engram::python
