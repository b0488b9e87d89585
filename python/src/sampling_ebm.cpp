// Python bindings of the deep EBM (M-32): MlpEnergy and DeepEbm; bind_sampling calls this.
#include <fmt/format.h>
#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "engram/core/rng.hpp"
#include "engram/learning/deep_ebm.hpp"

namespace engram::python {

namespace {

using MlpHandle = Dual<MlpEnergy>;

/// A DeepEbm with its own random stream (seeded at construction), so steps continue one stream.
template <class T>
struct SeededEbm {
  DeepEbm<T> ebm;
  Rng rng;
};

using EbmHandle = Dual<SeededEbm>;

template <class T>
py::list to_list(const std::vector<Mat<T>>& ms) {
  py::list out;
  for (const Mat<T>& m : ms) out.append(to_numpy(Mat<T>(m)));
  return out;
}

template <class T>
std::vector<Mat<T>> from_list(const py::sequence& items, const std::string& what) {
  std::vector<Mat<T>> out;
  for (auto& a : matrix_args<T>(items, what)) out.push_back(a.copy());
  return out;
}

}  // namespace

void bind_sampling_ebm(py::module_& m) {
  py::class_<MlpHandle>(m, "MlpEnergy",
                        "SPEC M-32: E(x) = w^T phi(... phi(x W1 + b1) ...) + b, a scalar energy of "
                        "an MLP with smooth\nhidden activations ('swish' z sigmoid(z) or "
                        "'softplus'). x is (B, D). Parameters W1 (D, H1), b1 (1, H1), ...,\n"
                        "the last (H_K, 1), (1, 1); weights N(0, 1/fan_in), biases 0.")
      .def(py::init([](Index input, std::vector<Index> hidden, const std::string& activation,
                       std::uint64_t seed, const py::object& dtype) {
             Rng rng(seed);
             const MlpActivation a = parse_mlp_activation(activation);
             return make_dual<MlpEnergy>(parse_dtype(dtype), [&](auto tag) {
               using T = typename decltype(tag)::type;
               return MlpEnergy<T>(input, hidden, a, rng);
             });
           }),
           py::arg("input"), py::arg("hidden"), py::arg("activation") = "swish",
           py::arg("seed") = 0, py::arg("dtype") = py::none())
      .def_property_readonly("dtype", [](const MlpHandle& h) { return numpy_dtype(h.dtype()); })
      .def_property_readonly(
          "param_names",
          [](const MlpHandle& h) { return h.visit([](const auto& f) { return f.param_names(); }); })
      .def_property_readonly(
          "params",
          [](const MlpHandle& h) {
            return h.visit([](const auto& f) { return to_list(f.params()); });
          },
          "Copies of the parameters, in param_names order.")
      .def(
          "set_params",
          [](MlpHandle& h, const py::sequence& params) {
            h.visit([&](auto& f) {
              using T = scalar_t<decltype(f)>;
              f.set_params(from_list<T>(params, "set_params"));
            });
          },
          py::arg("params"), "Replaces the parameters (same shapes, finite).")
      .def(
          "energy",
          [](const MlpHandle& h, const py::handle& x) {
            return h.visit([&](const auto& f) {
              using T = scalar_t<decltype(f)>;
              const MatrixArg<T> xs(x, "x");
              return to_numpy(f.energy(xs.map()));
            });
          },
          py::arg("x"), "E(x) per sample (B,).")
      .def(
          "energy_and_grad",
          [](const MlpHandle& h, const py::handle& x) {
            return h.visit([&](const auto& f) {
              using T = scalar_t<decltype(f)>;
              const MatrixArg<T> xs(x, "x");
              Mat<T> g(xs.rows(), xs.cols());
              Energies e = f.energy_and_grad(xs.map(), g);
              return py::make_tuple(to_numpy(std::move(e)), to_numpy(std::move(g)));
            });
          },
          py::arg("x"), "(E (B,), dE/dx (B, D)) by backpropagation.")
      .def(
          "param_grad",
          [](const MlpHandle& h, const py::handle& x, const Eigen::VectorXd& weights) {
            return h.visit([&](const auto& f) {
              using T = scalar_t<decltype(f)>;
              const MatrixArg<T> xs(x, "x");
              std::vector<Mat<T>> g;
              f.param_grad(xs.map(), weights, g);
              return to_list(g);
            });
          },
          py::arg("x"), py::arg("weights"),
          "sum_b w_b dE(x_b)/dtheta for each parameter, in param_names order.")
      .def("__repr__", [](const MlpHandle& h) {
        return h.visit([](const auto& f) {
          return fmt::format("engram.MlpEnergy(input={}, hidden=[{}], activation='{}')",
                             f.input_size(), fmt::join(f.hidden(), ", "),
                             to_string(f.activation()));
        });
      });

  py::class_<EbmHandle>(
      m, "DeepEbm",
      "SPEC M-32 (seed 000 5.3, Du & Mordatch 2019): contrastive divergence for an MlpEnergy.\n"
      "train_step(x+): negatives x- by `langevin_steps` steps x <- clip(x - eps grad E + sigma "
      "xi)\n"
      "from a replay buffer (a fraction `reinit` from uniform noise in [lo, hi]); loss\n"
      "mean E(x+) - mean E(x-) + alpha (mean E(x+)^2 + mean E(x-)^2); Adam on theta.")
      .def(py::init([](const MlpHandle& energy, int langevin_steps, double step_size, double noise,
                       double lo, double hi, bool clip, Index buffer, double reinit, double alpha,
                       double lr, std::uint64_t seed) {
             DeepEbmOptions o;
             o.langevin_steps = langevin_steps;
             o.step_size = step_size;
             o.noise = noise;
             o.lo = lo;
             o.hi = hi;
             o.clip = clip;
             o.buffer = buffer;
             o.reinit = reinit;
             o.alpha = alpha;
             o.lr = lr;
             return energy.visit([&](const auto& f) {
               using T = scalar_t<decltype(f)>;
               return EbmHandle{SeededEbm<T>{DeepEbm<T>(f, o), Rng(seed)}};
             });
           }),
           py::arg("energy"), py::kw_only(), py::arg("langevin_steps") = 60,
           py::arg("step_size") = 10.0, py::arg("noise") = 0.005, py::arg("lo") = 0.0,
           py::arg("hi") = 1.0, py::arg("clip") = true, py::arg("buffer") = 10000,
           py::arg("reinit") = 0.05, py::arg("alpha") = 1.0, py::arg("lr") = 1e-4,
           py::arg("seed") = 0)
      .def_property_readonly(
          "energy",
          [](const EbmHandle& h) {
            return h.visit([](const auto& s) { return py::cast(MlpHandle{s.ebm.energy()}); });
          },
          "A copy of the current MlpEnergy.")
      .def_property_readonly(
          "replay_buffer",
          [](const EbmHandle& h) {
            return h.visit([](const auto& s) {
              return to_numpy(Mat<scalar_t<decltype(s.ebm.energy())>>(s.ebm.replay_buffer()));
            });
          })
      .def(
          "train_step",
          [](EbmHandle& h, const py::handle& data) {
            return h.visit([&](auto& s) {
              using T = scalar_t<decltype(s.ebm.energy())>;
              const MatrixArg<T> x(data, "data", false);
              DeepEbmStep r;
              {
                py::gil_scoped_release release;
                r = s.ebm.train_step(x.map(), s.rng);
              }
              py::dict d;
              d["data_energy"] = r.data_energy;
              d["negative_energy"] = r.negative_energy;
              d["gap"] = r.gap;
              d["loss"] = r.loss;
              return d;
            });
          },
          py::arg("data"),
          "One CD step on a batch (B, D); returns data_energy, negative_energy, gap, loss.")
      .def(
          "sample",
          [](EbmHandle& h, Index count, int steps) {
            return h.visit([&](auto& s) {
              using T = scalar_t<decltype(s.ebm.energy())>;
              Mat<T> x;
              {
                py::gil_scoped_release release;
                x = s.ebm.sample(count, steps, s.rng);
              }
              return to_numpy(std::move(x));
            });
          },
          py::arg("count"), py::arg("steps"),
          "`count` samples: uniform noise in [lo, hi], then `steps` Langevin steps.")
      .def(
          "langevin",
          [](EbmHandle& h, const py::handle& x0, int steps) {
            return h.visit([&](auto& s) {
              using T = scalar_t<decltype(s.ebm.energy())>;
              Mat<T> x = MatrixArg<T>(x0, "x0", false).copy();
              {
                py::gil_scoped_release release;
                s.ebm.langevin(x, steps, s.rng);
              }
              return to_numpy(std::move(x));
            });
          },
          py::arg("x0"), py::arg("steps"), "`steps` Langevin steps from x0 (B, D); returns x.");
}

}  // namespace engram::python
