// Python bindings: the Gaussian-Bernoulli RBM and denoising score matching (M-33):
// engram.GaussianBernoulliRBM, engram.dsm_loss, engram.ssm_loss,
// engram.train_dsm.
#include <pybind11/stl.h>

#include "engram/learning/score_matching.hpp"
#include "learning_rbm.hpp"
#include "models_common.hpp"

namespace engram::python {

namespace {

using GbHandle = Dual<GaussianBernoulliRBM>;

template <class T>
Mat<T> row_arg(const py::handle& x, Index n, const char* what) {
  const MatrixArg<T> a(x, what);
  ENGRAM_CHECK(a.rows() == 1 && a.cols() == n, "{}: expected shape ({},), got ({}, {})", what, n,
               a.rows(), a.cols());
  return a.copy();
}

Index visible_of(const GbHandle& h) {
  return h.visit([](const auto& r) { return r.visible(); });
}

}  // namespace

void bind_score_matching(py::module_& m) {
  py::class_<GbHandle> cls(m, "GaussianBernoulliRBM", R"doc(
RBM with real visible units of fixed width sigma and binary hidden units (SPEC M-33): W (V, H),
b (V,), c (H,). Per sample:
    E(v, h) = |v - b|^2 / (2 sigma^2) - c^T h - v^T W h / sigma^2
    F(v)    = |v - b|^2 / (2 sigma^2) - sum_j softplus(c_j + (W^T v)_j / sigma^2)
    score   = -grad F = -(v - b) / sigma^2 + W sigmoid(c + W^T v / sigma^2) / sigma^2
v | h ~ N(b + W h, sigma^2 I) and P(h) ~ exp(c^T h + (|b + W h|^2 - |b|^2) / (2 sigma^2)), so
P(v) is a mixture of 2^H Gaussians: sample() draws from it exactly (H <= 20).)doc");
  cls.def(py::init([](const py::handle& W, const py::handle& b, const py::handle& c, double sigma,
                      const py::object& dtype) {
            return make_dual<GaussianBernoulliRBM>(model_dtype(W, dtype), [&](auto tag) {
              using T = typename decltype(tag)::type;
              Mat<T> w = MatrixArg<T>(W, "W", false).copy();
              const Index V = w.rows(), H = w.cols();
              return GaussianBernoulliRBM<T>(std::move(w), row_arg<T>(b, V, "b"),
                                             row_arg<T>(c, H, "c"), sigma);
            });
          }),
          py::arg("W"), py::arg("b"), py::arg("c"), py::arg("sigma") = 1.0,
          py::arg("dtype") = py::none(), "W: (V, H), b: (V,), c: (H,), sigma > 0.")
      .def_property_readonly("dtype", [](const GbHandle& h) { return numpy_dtype(h.dtype()); })
      .def_property_readonly(
          "sigma",
          [](const GbHandle& h) { return h.visit([](const auto& r) { return r.sigma(); }); })
      .def_property_readonly(
          "W",
          [](const GbHandle& h) {
            return h.visit([](const auto& r) {
              using T = scalar_t<decltype(r)>;
              return to_numpy(Mat<T>(r.W()));
            });
          },
          "W (V, H), a copy.")
      .def_property_readonly(
          "b",
          [](const GbHandle& h) {
            return h.visit([](const auto& r) {
              using T = scalar_t<decltype(r)>;
              return to_numpy(Mat<T>(r.b()), true);
            });
          },
          "b (V,), a copy.")
      .def_property_readonly(
          "c",
          [](const GbHandle& h) {
            return h.visit([](const auto& r) {
              using T = scalar_t<decltype(r)>;
              return to_numpy(Mat<T>(r.c()), true);
            });
          },
          "c (H,), a copy.")
      .def(
          "free_energy",
          [](const GbHandle& h, const py::handle& v) {
            return with_states(h, v, visible_of(h), "v", [](const auto& r, const auto& a) {
              return per_sample(r.free_energy(a.map()), a.was_vector());
            });
          },
          py::arg("v"), "F(v) per row of v (B, V), float64.")
      .def(
          "energy",
          [](const GbHandle& h, const py::handle& v, const py::handle& hid) {
            return h.visit([&](const auto& r) {
              using T = scalar_t<decltype(r)>;
              const MatrixArg<T> a(v, "v"), b(hid, "h");
              return per_sample(r.energy(a.map(), b.map()), a.was_vector() && b.was_vector());
            });
          },
          py::arg("v"), py::arg("h"), "E(v, h) per row, float64.")
      .def(
          "score",
          [](const GbHandle& h, const py::handle& v) {
            return with_states(h, v, visible_of(h), "v", [](const auto& r, const auto& a) {
              return to_numpy(r.score(a.map()), a.was_vector());
            });
          },
          py::arg("v"), "-grad F(v) per row of v (B, V); (B, V).")
      .def(
          "sample",
          [](const GbHandle& h, Index count, std::uint64_t seed) {
            return h.visit([&](const auto& r) {
              Rng rng(seed);
              return to_numpy(r.sample(count, rng));
            });
          },
          py::arg("count"), py::arg("seed") = 1, "count exact draws of v (count, V).")
      .def(
          "log_partition",
          [](const GbHandle& h) {
            return h.visit([](const auto& r) { return r.log_partition(); });
          },
          "log Z = V/2 log(2 pi sigma^2) + log sum_h exp(c^T h + (|b + W h|^2 - |b|^2)/(2 "
          "sigma^2)).");

  m.def(
      "dsm_loss",
      [](const GbHandle& h, const py::handle& clean, const py::handle& noisy, double noise_sigma) {
        return h.visit([&](const auto& r) {
          using T = scalar_t<decltype(r)>;
          const MatrixArg<T> a(clean, "clean", false), b(noisy, "noisy", false);
          GBRBMGradient<T> g;
          const double loss = dsm_loss<T>(r, a.map(), b.map(), noise_sigma, &g);
          py::dict d;
          d["W"] = to_numpy(std::move(g.W));
          d["b"] = to_numpy(std::move(g.b), true);
          d["c"] = to_numpy(std::move(g.c), true);
          return py::make_tuple(loss, d);
        });
      },
      py::arg("rbm"), py::arg("clean"), py::arg("noisy"), py::arg("noise_sigma"),
      R"doc(Denoising score matching (Vincent 2011) on pairs of rows of clean and noisy (B, V):
    J = mean_n 1/2 |score(noisy_n) + (noisy_n - clean_n) / noise_sigma^2|^2
Returns (J, {"W": dJ/dW (V, H), "b": (V,), "c": (H,)}), the gradient analytic.)doc");
  m.def(
      "ssm_loss",
      [](const GbHandle& h, const py::handle& data, const py::handle& projections) {
        return h.visit([&](const auto& r) {
          using T = scalar_t<decltype(r)>;
          const MatrixArg<T> a(data, "data", false), u(projections, "projections", false);
          GBRBMGradient<T> g;
          const double loss = ssm_loss<T>(r, a.map(), u.map(), &g);
          py::dict d;
          d["W"] = to_numpy(std::move(g.W));
          d["b"] = to_numpy(std::move(g.b), true);
          d["c"] = to_numpy(std::move(g.c), true);
          return py::make_tuple(loss, d);
        });
      },
      py::arg("rbm"), py::arg("data"), py::arg("projections"),
      R"doc(Sliced score matching (Song et al. 2019) on rows of data (B, V), one projection u per
row of projections (B, V), E[u u^T] = I:
    J = mean_n [u_n^T grad score(v_n) u_n + 1/2 (u_n^T score(v_n))^2]
Returns (J, {"W", "b", "c"}), the gradient analytic.)doc");
  m.def(
      "train_dsm",
      [](GbHandle& h, const py::handle& data, double noise_sigma, double learning_rate, int steps,
         Index batch, std::uint64_t seed) {
        UseCount::Writer guard(h.use, "GaussianBernoulliRBM");
        return h.visit([&](auto& r) {
          using T = scalar_t<decltype(r)>;
          const MatrixArg<T> a(data, "data", false);
          const DsmOptions o{noise_sigma, learning_rate, steps, batch, seed};
          std::vector<double> losses = without_gil([&] { return train_dsm<T>(r, a.map(), o); });
          return to_numpy(Eigen::VectorXd(
              Eigen::Map<Eigen::VectorXd>(losses.data(), static_cast<Index>(losses.size()))));
        });
      },
      py::arg("rbm"), py::arg("data"), py::arg("noise_sigma") = 0.1,
      py::arg("learning_rate") = 0.01, py::arg("steps") = 1000, py::arg("batch") = 256,
      py::arg("seed") = 1,
      "Minimises dsm_loss over rbm's W, b, c by Adam with fresh batches and noise each step;\n"
      "returns the losses (steps,). The optimum is the score of the data smoothed by\n"
      "N(0, noise_sigma^2 I).");
}

}  // namespace engram::python
