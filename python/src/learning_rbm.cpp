// Python bindings: RBMs, contrastive divergence and AIS (M-15, M-32): engram.BernoulliRBM,
// engram.CDTrainer, engram.ais_schedule, engram.base_rate_biases; score matching (M-33) in
// learning_score_matching.cpp.
#include <pybind11/stl.h>

#include "engram/learning/contrastive_divergence.hpp"
#include "engram/learning/rbm_partition.hpp"
#include "learning_rbm.hpp"
#include "models_common.hpp"

namespace engram::python {

namespace {

using RbmHandle = Dual<BernoulliRBM>;

/// A row-vector argument (1, n) from a 1-D or (1, n) array.
template <class T>
Mat<T> row_arg(const py::handle& x, Index n, const char* what) {
  const MatrixArg<T> a(x, what);
  ENGRAM_CHECK(a.rows() == 1 && a.cols() == n, "{}: expected shape ({},), got ({}, {})", what, n,
               a.rows(), a.cols());
  return a.copy();
}

template <class T>
py::dict gradient_dict(RBMGradient<T>&& g) {
  py::dict d;
  d["W"] = to_numpy(std::move(g.W));
  d["b"] = to_numpy(std::move(g.b), true);
  d["c"] = to_numpy(std::move(g.c), true);
  return d;
}

Index visible_of(const RbmHandle& h) {
  return h.visit([](const auto& r) { return r.visible(); });
}
Index hidden_of(const RbmHandle& h) {
  return h.visit([](const auto& r) { return r.hidden(); });
}

/// f(rbm, v) with `v` read at the RBM's precision and `width` columns; the result as NumPy.
template <class F>
py::object on_rows(const RbmHandle& h, const py::handle& v, Index width, const char* what, F f) {
  return with_states(h, v, width, what,
                     [&](const auto& rbm, const auto& arg) -> py::object { return f(rbm, arg); });
}

void bind_bernoulli_rbm(py::module_& m) {
  py::class_<RbmHandle> cls(m, "BernoulliRBM", R"doc(
Restricted Boltzmann machine with binary units (SPEC M-15): W (V, H), visible bias b (V,), hidden
bias c (H,). Per sample (rows of v (B, V), h (B, H)):
    E(v, h) = -v^T W h - b^T v - c^T h
    F(v)    = -b^T v - sum_j softplus(c_j + (W^T v)_j)        P(v) = exp(-F(v)) / Z
    p(h_j = 1 | v) = sigmoid(c_j + (W^T v)_j),  p(v_i = 1 | h) = sigmoid(b_i + (W h)_i)
Energies come back float64. Random draws take an explicit seed.

    rbm = engram.BernoulliRBM.random(784, 500, stddev=0.01, seed=1, dtype="float32")
    trainer = engram.CDTrainer(k=1, learning_rate=0.1)
    trainer.epoch(rbm, images)                   # images (N, 784) in {0, 1}
    log_z = rbm.ais(images)["log_z"])doc");
  cls.def(py::init([](const py::handle& W, const py::handle& b, const py::handle& c,
                      const py::object& dtype) {
            return make_dual<BernoulliRBM>(model_dtype(W, dtype), [&](auto tag) {
              using T = typename decltype(tag)::type;
              Mat<T> w = MatrixArg<T>(W, "W", false).copy();
              const Index V = w.rows(), H = w.cols();
              return BernoulliRBM<T>(std::move(w), row_arg<T>(b, V, "b"), row_arg<T>(c, H, "c"));
            });
          }),
          py::arg("W"), py::arg("b"), py::arg("c"), py::arg("dtype") = py::none(),
          "W: (V, H), b: (V,), c: (H,), finite.")
      .def_static(
          "random",
          [](Index visible, Index hidden, double stddev, std::uint64_t seed,
             const py::object& dtype) {
            Rng rng(seed);
            return make_dual<BernoulliRBM>(parse_dtype(dtype), [&](auto tag) {
              return BernoulliRBM<typename decltype(tag)::type>::random(visible, hidden, stddev,
                                                                        rng);
            });
          },
          py::arg("visible"), py::arg("hidden"), py::arg("stddev") = 0.01, py::arg("seed") = 1,
          py::arg("dtype") = py::none(), "W ~ N(0, stddev^2) (V, H), b = c = 0.")
      .def_property_readonly("dtype", [](const RbmHandle& h) { return numpy_dtype(h.dtype()); })
      .def_property_readonly("visible", &visible_of, "V.")
      .def_property_readonly("hidden", &hidden_of, "H.")
      .def_property_readonly(
          "W",
          [](const py::object& self) {
            return self.cast<const RbmHandle&>().visit(
                [&](const auto& r) { return view(r.W(), self); });
          },
          "W (V, H), a read-only view.")
      .def_property_readonly(
          "b",
          [](const py::object& self) {
            return self.cast<const RbmHandle&>().visit(
                [&](const auto& r) { return vector_view(r.b().data(), r.visible(), self); });
          },
          "b (V,), a read-only view.")
      .def_property_readonly(
          "c",
          [](const py::object& self) {
            return self.cast<const RbmHandle&>().visit(
                [&](const auto& r) { return vector_view(r.c().data(), r.hidden(), self); });
          },
          "c (H,), a read-only view.")
      .def(
          "set_parameters",
          [](RbmHandle& h, const py::handle& W, const py::handle& b, const py::handle& c) {
            UseCount::Writer guard(h.use, "BernoulliRBM");
            h.visit([&](auto& r) {
              using T = scalar_t<decltype(r)>;
              const Index V = r.visible(), H = r.hidden();
              Mat<T> w = MatrixArg<T>(W, "W", false).copy();
              check_shape(w, V, H, "W");
              r.set_parameters(std::move(w), row_arg<T>(b, V, "b"), row_arg<T>(c, H, "c"));
            });
          },
          py::arg("W"), py::arg("b"), py::arg("c"), "Replaces W (V, H), b (V,), c (H,).")
      .def(
          "energy",
          [](const RbmHandle& h, const py::handle& v, const py::handle& hid) {
            return h.visit([&](const auto& r) {
              using T = scalar_t<decltype(r)>;
              const MatrixArg<T> a(v, "v"), b(hid, "h");
              return per_sample(r.energy(a.map(), b.map()), a.was_vector() && b.was_vector());
            });
          },
          py::arg("v"), py::arg("h"), "E(v, h) per row of v (B, V) and h (B, H), float64.")
      .def(
          "free_energy",
          [](const RbmHandle& h, const py::handle& v) {
            return on_rows(h, v, visible_of(h), "v", [](const auto& r, const auto& a) {
              return per_sample(r.free_energy(a.map()), a.was_vector());
            });
          },
          py::arg("v"), "F(v) per row of v (B, V), float64.")
      .def(
          "hidden_probabilities",
          [](const RbmHandle& h, const py::handle& v) {
            return on_rows(h, v, visible_of(h), "v", [](const auto& r, const auto& a) {
              return py::object(to_numpy(r.hidden_probabilities(a.map()), a.was_vector()));
            });
          },
          py::arg("v"), "p(h = 1 | v) = sigmoid(c + v W), (B, H).")
      .def(
          "visible_probabilities",
          [](const RbmHandle& h, const py::handle& hid) {
            return on_rows(h, hid, hidden_of(h), "h", [](const auto& r, const auto& a) {
              return py::object(to_numpy(r.visible_probabilities(a.map()), a.was_vector()));
            });
          },
          py::arg("h"), "p(v = 1 | h) = sigmoid(b + h W^T), (B, V).")
      .def(
          "sample_hidden",
          [](const RbmHandle& h, const py::handle& v, std::uint64_t seed) {
            return on_rows(h, v, visible_of(h), "v", [&](const auto& r, const auto& a) {
              Rng rng(seed);
              return py::object(to_numpy(r.sample_hidden(a.map(), rng), a.was_vector()));
            });
          },
          py::arg("v"), py::arg("seed") = 1, "h ~ p(h | v), (B, H) in {0, 1}.")
      .def(
          "sample_visible",
          [](const RbmHandle& h, const py::handle& hid, std::uint64_t seed) {
            return on_rows(h, hid, hidden_of(h), "h", [&](const auto& r, const auto& a) {
              Rng rng(seed);
              return py::object(to_numpy(r.sample_visible(a.map(), rng), a.was_vector()));
            });
          },
          py::arg("h"), py::arg("seed") = 1, "v ~ p(v | h), (B, V) in {0, 1}.")
      .def(
          "gibbs",
          [](const RbmHandle& h, const py::handle& v, int steps, std::uint64_t seed) {
            return on_rows(h, v, visible_of(h), "v", [&](const auto& r, const auto& a) {
              Rng rng(seed);
              auto out = without_gil([&] { return r.gibbs(a.map(), steps, rng); });
              return py::object(to_numpy(std::move(out), a.was_vector()));
            });
          },
          py::arg("v"), py::arg("steps"), py::arg("seed") = 1,
          "`steps` block Gibbs steps v -> h ~ p(h|v) -> v ~ p(v|h) from each row of v (B, V).")
      .def(
          "reconstruction_error",
          [](const RbmHandle& h, const py::handle& v) {
            return on_rows(h, v, visible_of(h), "v", [](const auto& r, const auto& a) {
              return py::object(py::float_(r.reconstruction_error(a.map())));
            });
          },
          py::arg("v"), "mean over rows and pixels of (v - sigmoid(b + p(h|v) W^T))^2.")
      .def(
          "exact_log_partition",
          [](const RbmHandle& h) {
            return h.visit(
                [](const auto& r) { return without_gil([&] { return exact_log_partition(r); }); });
          },
          "log Z by enumerating the smaller layer (at most 25 units), log-sum-exp in float64.")
      .def(
          "ais",
          [](const RbmHandle& h, const py::handle& data, Index runs, Index betas,
             const std::optional<std::vector<double>>& schedule, std::uint64_t seed) {
            return on_rows(h, data, visible_of(h), "data", [&](const auto& r, const auto& a) {
              using T = scalar_t<decltype(r)>;
              AisOptions o;
              o.runs = runs;
              o.betas = betas;
              o.seed = seed;
              if (schedule) o.schedule = *schedule;
              const AisResult res = without_gil(
                  [&] { return ais_log_partition<T>(r, base_rate_biases<T>(a.map()), o); });
              py::dict d;
              d["log_z"] = res.log_z;
              d["log_z_low"] = res.log_z_low;
              d["log_z_high"] = res.log_z_high;
              d["log_z_base"] = res.log_z_base;
              d["log_weights"] = to_numpy(Eigen::VectorXd(Eigen::Map<const Eigen::VectorXd>(
                  res.log_weights.data(), static_cast<Index>(res.log_weights.size()))));
              return py::object(d);
            });
          },
          py::arg("data"), py::arg("runs") = 100, py::arg("betas") = 14500,
          py::arg("schedule") = py::none(), py::arg("seed") = 1,
          "Annealed importance sampling of log Z (Salakhutdinov & Murray 2008) from the base-rate\n"
          "model of `data` (N, V) in [0, 1]: M = runs chains over `betas` inverse temperatures\n"
          "(ais_schedule) or an explicit increasing schedule from 0 to 1. Returns a dict with\n"
          "log_z = log Z_A + log mean(w), log_z_low / log_z_high = log(Z_hat -/+ 3 sd of the\n"
          "mean), log_z_base and log_weights (M,).")
      .def(
          "average_log_likelihood",
          [](const RbmHandle& h, const py::handle& data, double log_z) {
            return on_rows(h, data, visible_of(h), "data", [&](const auto& r, const auto& a) {
              using T = scalar_t<decltype(r)>;
              return py::object(py::float_(average_log_likelihood<T>(r, a.map(), log_z)));
            });
          },
          py::arg("data"), py::arg("log_z"), "mean(-F(v)) - log_z over the rows of data (N, V).")
      .def(
          "to_graph",
          [](const RbmHandle& h) {
            return h.visit([](const auto& r) { return py::cast(Dual<EnergyGraph>{r.to_graph()}); });
          },
          "The same model as an EnergyGraph: layers v, h (sigmoid), synapses W (dense on v, h),\n"
          "b and c (bias).");
  def_save_load(cls, "bernoulli_rbm");

  m.def("ais_schedule", &ais_schedule, py::arg("count"),
        "Salakhutdinov & Murray's inverse temperatures from 0 to 1 (count >= 2): a tenth of the\n"
        "points on [0, 0.5), four tenths on [0.5, 0.9), the rest on [0.9, 1].");
  m.def(
      "base_rate_biases",
      [](const py::handle& data) {
        const MatrixArg<double> a(data, "data", false);
        return to_numpy(base_rate_biases<double>(a.map()), true);
      },
      py::arg("data"), "logit((sum_n v_n + 1) / (N + 2)) for data (N, V) in [0, 1]; (V,).");
}

/// A CD trainer at both precisions; the one of the RBM's dtype is used.
struct CDHandle {
  CDTrainer<float> f;
  CDTrainer<double> d;
  template <class T>
  CDTrainer<T>& get() {
    if constexpr (std::is_same_v<T, float>)
      return f;
    else
      return d;
  }
};

template <class F>
auto with_trainer(CDHandle& t, RbmHandle& h, const py::handle& x, const char* what, F f) {
  UseCount::Writer guard(h.use, "BernoulliRBM");
  return h.visit([&](auto& r) {
    using T = scalar_t<decltype(r)>;
    const MatrixArg<T> a(x, what, false);
    check_cols(a, r.visible(), what);
    return f(t.template get<T>(), r, a);
  });
}

void bind_cd(py::module_& m) {
  py::class_<CDHandle>(m, "CDTrainer", R"doc(
Contrastive divergence for a BernoulliRBM (SPEC M-32): CD-k, or persistent CD (Tieleman 2008)
with `chains` chains kept here. Update: delta <- momentum delta + learning_rate (g - weight_decay W),
theta <- theta + delta, g the CD estimate of the log-likelihood gradient (mean over the batch).)doc")
      .def(py::init([](int k, bool persistent, double learning_rate, double momentum,
                       double weight_decay, Index batch, Index chains, std::uint64_t seed) {
             const CDOptions o{k, persistent, learning_rate, momentum, weight_decay, batch, chains};
             return CDHandle{CDTrainer<float>(o, seed), CDTrainer<double>(o, seed)};
           }),
           py::arg("k") = 1, py::arg("persistent") = false, py::arg("learning_rate") = 0.1,
           py::arg("momentum") = 0.0, py::arg("weight_decay") = 0.0, py::arg("batch") = 100,
           py::arg("chains") = 100, py::arg("seed") = 1)
      .def(
          "gradient",
          [](CDHandle& t, RbmHandle& h, const py::handle& batch) {
            return with_trainer(t, h, batch, "batch", [](auto& cd, auto& r, const auto& a) {
              return gradient_dict(cd.gradient(r, a.map()));
            });
          },
          py::arg("rbm"), py::arg("batch"),
          "The CD estimate {W (V, H), b (V,), c (H,)} of the average log-likelihood gradient on\n"
          "batch (B, V): data statistics minus those after k Gibbs steps.")
      .def(
          "step",
          [](CDHandle& t, RbmHandle& h, const py::handle& batch) {
            return with_trainer(t, h, batch, "batch", [](auto& cd, auto& r, const auto& a) {
              return without_gil([&] { return cd.step(r, a.map()); });
            });
          },
          py::arg("rbm"), py::arg("batch"),
          "One update of rbm from batch (B, V); returns the reconstruction error before it.")
      .def(
          "epoch",
          [](CDHandle& t, RbmHandle& h, const py::handle& data) {
            return with_trainer(t, h, data, "data", [](auto& cd, auto& r, const auto& a) {
              return without_gil([&] { return cd.epoch(r, a.map()); });
            });
          },
          py::arg("rbm"), py::arg("data"),
          "One pass over data (N, V) in shuffled mini-batches; mean reconstruction error.")
      .def(
          "chains",
          [](CDHandle& t, const RbmHandle& h) {
            return h.visit([&](const auto& r) {
              using T = scalar_t<decltype(r)>;
              return to_numpy(Mat<T>(t.template get<T>().chains()));
            });
          },
          py::arg("rbm"),
          "PCD's persistent chains (chains, V) for rbm's dtype (empty before use).");
}

}  // namespace

void bind_rbm(py::module_& m) {
  bind_bernoulli_rbm(m);
  bind_cd(m);
  bind_score_matching(m);
}

}  // namespace engram::python
