// Python bindings: Langevin samplers, the Boltzmann machine, the deep EBM (M-15, M-32, M-34).
#include <fmt/format.h>
#include <pybind11/eigen.h>
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "engram/core/rng.hpp"
#include "engram/learning/deep_ebm.hpp"
#include "engram/sampling/boltzmann.hpp"
#include "engram/sampling/langevin.hpp"

namespace engram::python {

namespace {

/// LangevinResult with NumPy arrays.
struct PyLangevinResult {
  py::array x, energy;
  py::object samples;  ///< (n, B, D) or None
  std::vector<double> temperatures;
  int steps = 0;
  double acceptance = 1.0;
  std::vector<std::string> layers;
};

template <class T>
PyLangevinResult to_python(LangevinResult<T>&& r, bool record) {
  PyLangevinResult out;
  out.samples = py::none();
  if (record) {
    const Index n = static_cast<Index>(r.samples.size()), B = r.x.rows(), D = r.x.cols();
    py::array_t<T> s({n, B, D});
    auto buf = s.template mutable_unchecked<3>();
    for (Index k = 0; k < n; ++k)
      for (Index b = 0; b < B; ++b)
        for (Index d = 0; d < D; ++d) buf(k, b, d) = r.samples[static_cast<std::size_t>(k)](b, d);
    out.samples = std::move(s);
  }
  out.x = to_numpy(std::move(r.x));
  out.energy = to_numpy(std::move(r.energy));
  out.temperatures = std::move(r.temperatures);
  out.steps = r.steps;
  out.acceptance = r.acceptance;
  out.layers = std::move(r.layers);
  return out;
}

LangevinOptions langevin_options(double step_size, double temperature, int steps, int burn_in,
                                 int thin, bool record, bool metropolis, py::object lo,
                                 py::object hi, std::vector<std::string> clamped) {
  LangevinOptions o;
  o.step_size = step_size;
  o.temperature = temperature;
  o.steps = steps;
  o.burn_in = burn_in;
  o.thin = thin;
  o.record = record;
  o.metropolis = metropolis;
  if (!lo.is_none()) o.lo = lo.cast<double>();
  if (!hi.is_none()) o.hi = hi.cast<double>();
  o.clamped = std::move(clamped);
  return o;
}

/// A Python callable f(x) -> (energy (B,), grad (B, D)) as an EnergyFunction; the GIL is taken
/// for each call.
template <class T>
EnergyFunction<T> callable_energy(const py::function& f) {
  return [f](const MatCRef<T>& x, MatRef<T> grad) -> Energies {
    py::gil_scoped_acquire gil;
    const py::object r = f(to_numpy(Mat<T>(x)));
    const auto pair = r.cast<py::tuple>();
    ENGRAM_CHECK(pair.size() == 2, "langevin: the energy callable must return (energy, grad)");
    const MatrixArg<double> e(pair[0], "langevin: energy returned by the callable", true, false);
    const MatrixArg<T> g(pair[1], "langevin: grad returned by the callable", true, false);
    ENGRAM_CHECK(e.rows() * e.cols() == x.rows(),
                 "langevin: the callable returned {} energies for {} samples", e.rows() * e.cols(),
                 x.rows());
    check_shape(g.map(), x.rows(), x.cols(), "langevin: grad returned by the callable");
    grad = g.map();
    return Eigen::Map<const Energies>(e.map().data(), x.rows());
  };
}

/// Runs `run(energy_function, x0)` for a callable energy, or on the graph for an EnergyGraph.
template <class Run, class RunGraph>
PyLangevinResult dispatch(const py::object& energy, const py::object& start, bool record, Run run,
                          RunGraph run_graph) {
  if (py::isinstance<Dual<EnergyGraph>>(energy)) {
    auto& graph = energy.cast<const Dual<EnergyGraph>&>();
    auto& state = start.cast<Dual<State>&>();
    check_same_dtype(graph.dtype(), state.dtype(), "langevin: graph and state");
    const UseCount::Reader in_use(graph.use, "langevin");
    return graph.visit([&](const auto& g) {
      using T = scalar_t<decltype(g)>;
      LangevinResult<T> r;
      {
        py::gil_scoped_release release;
        r = run_graph(g, state.template get<T>());
      }
      return to_python(std::move(r), record);
    });
  }
  ENGRAM_CHECK(PyCallable_Check(energy.ptr()),
               "langevin: energy must be an EnergyGraph or a callable f(x) -> (energy, grad)");
  const auto f = energy.cast<py::function>();
  auto go = [&](auto tag) {
    using T = typename decltype(tag)::type;
    const MatrixArg<T> x0(start, "langevin: x0");
    const Mat<T> x = x0.copy();
    const EnergyFunction<T> ef = callable_energy<T>(f);
    LangevinResult<T> r;
    {
      py::gil_scoped_release release;
      r = run(ef, x);
    }
    return to_python(std::move(r), record);
  };
  if (dtype_of_array(start) == Dtype::float32) return go(std::type_identity<float>{});
  return go(std::type_identity<double>{});
}

SpinUpdate parse_update(const std::string& s) {
  if (s == "gibbs") return SpinUpdate::gibbs;
  if (s == "metropolis") return SpinUpdate::metropolis;
  throw std::invalid_argument("update must be 'gibbs' or 'metropolis', got '" + s + "'");
}

Scan parse_scan(const std::string& s) {
  if (s == "sequential") return Scan::sequential;
  if (s == "random") return Scan::random;
  throw std::invalid_argument("scan must be 'sequential' or 'random', got '" + s + "'");
}

}  // namespace

void bind_sampling_ebm(py::module_& m);  // sampling_ebm.cpp: MlpEnergy, DeepEbm
void bind_graph_cd(py::module_& m);      // learning_graph_cd.cpp: GraphContrastiveDivergence

void bind_sampling(py::module_& m) {
  py::class_<PyLangevinResult>(m, "LangevinResult", "What langevin() / annealed_langevin() drew.")
      .def_readonly("x", &PyLangevinResult::x,
                    "Final states (B, D); for graphs the free layers side by side.")
      .def_readonly("energy", &PyLangevinResult::energy, "Final energies (B,).")
      .def_readonly("samples", &PyLangevinResult::samples,
                    "Recorded states (n, B, D) with record=True, else None.")
      .def_readonly("temperatures", &PyLangevinResult::temperatures,
                    "Temperature of each recorded step.")
      .def_readonly("steps", &PyLangevinResult::steps, "Steps taken (burn-in included).")
      .def_readonly("acceptance", &PyLangevinResult::acceptance,
                    "Accepted fraction of MALA proposals (1 without metropolis).")
      .def_readonly("layers", &PyLangevinResult::layers, "Graphs: the free layers, column order.")
      .def("__repr__", [](const PyLangevinResult& r) {
        return fmt::format("engram.LangevinResult(steps={}, acceptance={:.3f})", r.steps,
                           r.acceptance);
      });

  static const char* const options_doc = R"doc(
Keywords: step_size eps > 0, temperature T >= 0 (langevin only), steps, burn_in, thin (record every
thin-th step), record (keep the states: result.samples), metropolis (MALA: exact for any eps),
lo/hi (clip to a box after each step), clamped (graphs: layers held fixed), seed.
For a graph, `start` is its State, updated in place; the sampled variables are the internal states
x of the free layers, with gradient dE/dx_l = hess L_l(x_l) . dE/dxhat_l. For a callable
f(x) -> (energy (B,), grad (B, D)), `start` is x0 (B, D): B independent chains (the GIL is taken
for each call). Runs without the GIL. ValueError for eps <= 0, T < 0, NaN, unknown clamped layers.)doc";
  static const std::string langevin_doc =
      std::string(
          "SPEC M-34: Langevin dynamics x <- x - eps grad E(x) + sqrt(2 T eps) xi, which samples\n"
          "p(x) ~ exp(-E(x)/T) (for a Gaussian the unadjusted chain's law is\n"
          "N(mu, T (A (I - eps A / 2))^-1)).\n") +
      options_doc;
  m.def(
      "langevin",
      [](const py::object& energy, const py::object& start, double step_size, double temperature,
         int steps, int burn_in, int thin, bool record, bool metropolis, py::object lo,
         py::object hi, std::vector<std::string> clamped, std::uint64_t seed) {
        const LangevinOptions o = langevin_options(step_size, temperature, steps, burn_in, thin,
                                                   record, metropolis, lo, hi, clamped);
        Rng rng(seed);
        return dispatch(
            energy, start, record,
            [&](const auto& f, const auto& x) { return langevin(f, x, o, rng); },
            [&](const auto& g, auto& s) { return langevin(g, s, o, rng); });
      },
      py::arg("energy"), py::arg("start"), py::kw_only(), py::arg("step_size") = 0.01,
      py::arg("temperature") = 1.0, py::arg("steps") = 1000, py::arg("burn_in") = 0,
      py::arg("thin") = 1, py::arg("record") = false, py::arg("metropolis") = false,
      py::arg("lo") = py::none(), py::arg("hi") = py::none(),
      py::arg("clamped") = std::vector<std::string>{}, py::arg("seed") = 0, langevin_doc.c_str());

  static const std::string anneal_doc =
      std::string(
          "SPEC M-34: annealed Langevin: stage k runs steps[k] (or `steps` each) Langevin steps "
          "at\n"
          "temperatures[k], T from high to low (see geometric_schedule, linear_schedule).\n") +
      options_doc;
  m.def(
      "annealed_langevin",
      [](const py::object& energy, const py::object& start, std::vector<double> temperatures,
         py::object steps, double step_size, int burn_in, int thin, bool record, bool metropolis,
         py::object lo, py::object hi, std::vector<std::string> clamped, std::uint64_t seed) {
        AnnealSchedule s;
        s.temperatures = std::move(temperatures);
        if (py::isinstance<py::int_>(steps))
          s.steps.assign(s.temperatures.size(), steps.cast<int>());
        else
          s.steps = steps.cast<std::vector<int>>();
        const LangevinOptions o =
            langevin_options(step_size, 1.0, 0, burn_in, thin, record, metropolis, lo, hi, clamped);
        Rng rng(seed);
        return dispatch(
            energy, start, record,
            [&](const auto& f, const auto& x) { return annealed_langevin(f, x, s, o, rng); },
            [&](const auto& g, auto& st) { return annealed_langevin(g, st, s, o, rng); });
      },
      py::arg("energy"), py::arg("start"), py::arg("temperatures"), py::kw_only(),
      py::arg("steps") = 100, py::arg("step_size") = 0.01, py::arg("burn_in") = 0,
      py::arg("thin") = 1, py::arg("record") = false, py::arg("metropolis") = false,
      py::arg("lo") = py::none(), py::arg("hi") = py::none(),
      py::arg("clamped") = std::vector<std::string>{}, py::arg("seed") = 0, anneal_doc.c_str());
  m.def(
      "geometric_schedule",
      [](double t0, double t1, int stages) {
        return geometric_schedule(t0, t1, stages, 0).temperatures;
      },
      py::arg("t0"), py::arg("t1"), py::arg("stages"),
      "Temperatures t0 (t1/t0)^(k/(stages-1)), k = 0..stages-1 (t0, t1 > 0).");
  m.def(
      "linear_schedule",
      [](double t0, double t1, int stages) {
        return linear_schedule(t0, t1, stages, 0).temperatures;
      },
      py::arg("t0"), py::arg("t1"), py::arg("stages"),
      "Temperatures t0 + (t1 - t0) k/(stages-1), k = 0..stages-1 (t0, t1 >= 0).");

  py::class_<BoltzmannMachine>(
      m, "BoltzmannMachine",
      "SPEC M-15: binary Hopfield network at temperature T, states s in {-1, +1}^N,\n"
      "E(s) = -1/2 s^T W s - b^T s (W symmetric, zero diagonal), P(s) = exp(-E(s)/T)/Z.\n"
      "States are indexed by k = sum_i [s_i = +1] 2^i.")
      .def(py::init([](const py::handle& W, const py::handle& b, double temperature) {
             const MatrixArg<double> w(W, "W", false), bias(b, "b");
             return BoltzmannMachine(
                 w.copy(),
                 Eigen::Map<const Eigen::VectorXd>(bias.map().data(), bias.rows() * bias.cols()),
                 temperature);
           }),
           py::arg("W"), py::arg("b"), py::arg("temperature") = 1.0)
      .def_property_readonly("size", &BoltzmannMachine::size)
      .def_property_readonly("temperature", &BoltzmannMachine::temperature)
      .def(
          "energy",
          [](const BoltzmannMachine& bm, const Eigen::VectorXd& s) { return bm.energy(s); },
          py::arg("s"), "E(s) for one +-1 state (N,).")
      .def(
          "sweep",
          [](const BoltzmannMachine& bm, Eigen::VectorXd s, const std::string& update,
             const std::string& scan, std::uint64_t seed) {
            Rng rng(seed);
            bm.sweep(s, parse_update(update), parse_scan(scan), rng);
            return s;
          },
          py::arg("s"), py::arg("update") = "gibbs", py::arg("scan") = "sequential",
          py::arg("seed") = 0,
          "One sweep of N single-spin updates ('gibbs' heat bath or 'metropolis'); returns the "
          "new state.")
      .def("exact_distribution", &BoltzmannMachine::exact_distribution,
           "P over the 2^N states by enumeration (N <= 20), via log-sum-exp.")
      .def("log_partition", &BoltzmannMachine::log_partition, "log Z by enumeration.")
      .def(
          "empirical_distribution",
          [](const BoltzmannMachine& bm, const std::string& update, const std::string& scan,
             Index chains, Index samples, Index burn_in, Index thin, std::uint64_t seed) {
            const SpinUpdate u = parse_update(update);
            const Scan sc = parse_scan(scan);
            Rng rng(seed);
            py::gil_scoped_release release;
            return bm.empirical_distribution(u, sc, chains, samples, burn_in, thin, rng);
          },
          py::arg("update") = "gibbs", py::arg("scan") = "sequential", py::arg("chains") = 100,
          py::arg("samples") = 1000, py::arg("burn_in") = 50, py::arg("thin") = 1,
          py::arg("seed") = 0,
          "State frequencies (2^N,) of `chains` chains from random states: burn_in sweeps, then "
          "`samples` states each, one every `thin` sweeps. Runs without the GIL.");
  m.def("total_variation", &total_variation, py::arg("p"), py::arg("q"), "1/2 sum_k |p_k - q_k|.");
  m.def("entropy", &entropy, py::arg("p"), "-sum_k p_k log p_k (nats).");
  m.def("spin_state", &spin_state, py::arg("k"), py::arg("n"),
        "The +-1 state of index k: s_i = +1 where bit i of k is set.");
  m.def("spin_index", &spin_index, py::arg("s"), "sum_i [s_i = +1] 2^i.");

  bind_sampling_ebm(m);
  bind_graph_cd(m);
}

}  // namespace engram::python
