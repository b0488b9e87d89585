// Python binding of the Hodgkin–Huxley neuron (SPEC M-27): engram.HodgkinHuxley with its runs,
// engram.detect_spikes and the result classes. A neuron is immutable, so the long calls
// (simulate, fi_curve, rheobase) run without the GIL and without a use count.
#include <fmt/format.h>
#include <pybind11/stl.h>

#include <cmath>
#include <limits>
#include <optional>

#include "bindings.hpp"
#include "engram/analysis/hodgkin_huxley.hpp"

namespace engram::python {

namespace {

/// Spikes as arrays, and the spikes themselves for rates.
struct PySpikeTrain {
  std::vector<Spike> spikes;
  py::array times, peak_times, peaks;
};

PySpikeTrain spike_train(std::vector<Spike>&& spikes) {
  const Index k = static_cast<Index>(spikes.size());
  Eigen::VectorXd t(k), pt(k), p(k);
  for (Index i = 0; i < k; ++i) {
    const Spike& s = spikes[static_cast<std::size_t>(i)];
    t(i) = s.time;
    pt(i) = s.peak_time;
    p(i) = s.peak;
  }
  return {std::move(spikes), to_numpy(std::move(t)), to_numpy(std::move(pt)),
          to_numpy(std::move(p))};
}

/// A simulation: the trajectory as arrays, its spikes, and the current that drove it.
struct PyTrace {
  py::array t, x, V, m, h, n;
  PySpikeTrain spikes;
  Current current;
  double ms = 0.0;
  long steps = 0;
  std::string status;
};

/// The state argument: 4 values (V, m, h, n) or a (B, 4) batch.
MatrixArg<double> states(const py::handle& x, const char* what) {
  MatrixArg<double> arg(x, what);
  if (arg.cols() != 4)
    throw py::value_error(
        fmt::format("{}: expected 4 values (V, m, h, n) per state, got {}", what, arg.cols()));
  return arg;
}

Eigen::VectorXd vector_of(const py::handle& x, const char* what) {
  const MatrixArg<double> arg = states(x, what);
  if (!arg.was_vector())
    throw py::value_error(fmt::format("{}: expected one state of 4 values, got a 2-D array", what));
  return arg.map().row(0).transpose();
}

FiringOptions firing_options(double ms, double record_every, int min_spikes, double precision) {
  FiringOptions o;
  o.t_ms = ms;
  o.record_every = record_every;
  o.min_spikes = min_spikes;
  o.precision = precision;
  return o;
}

py::dict parameters_dict(const HodgkinHuxleyParameters& p) {
  py::dict d;
  d["C"] = p.C;
  d["g_na"] = p.g_na;
  d["g_k"] = p.g_k;
  d["g_l"] = p.g_l;
  d["e_na"] = p.e_na;
  d["e_k"] = p.e_k;
  d["e_l"] = p.e_l;
  return d;
}

// The default rate window of a trace: the second half of the time the step is on.
std::pair<double, double> steady_window(const Current& c, double ms) {
  const double on_end = std::min(ms, c.onset + c.duration);
  return {c.onset + 0.5 * std::max(0.0, on_end - c.onset), on_end};
}

void bind_results(py::module_& m) {
  py::class_<PySpikeTrain>(m, "SpikeTrain", R"doc(
Spikes found in a voltage trace (detect_spikes): for each, the time its upward threshold crossing
was interpolated at, and the time and value of its peak.
    times, peak_times (ms), peaks (mV)   1-D float64 arrays, one entry per spike)doc")
      .def_readonly("times", &PySpikeTrain::times)
      .def_readonly("peak_times", &PySpikeTrain::peak_times)
      .def_readonly("peaks", &PySpikeTrain::peaks)
      .def("__len__", [](const PySpikeTrain& s) { return s.spikes.size(); })
      .def(
          "rate",
          [](const PySpikeTrain& s, double start, double end) {
            return firing_rate(s.spikes, start, end);
          },
          py::arg("start"), py::arg("end"),
          "Firing rate in Hz of the spikes in [start, end] ms: 1000 (k - 1) / (t_k - t_1) over "
          "those k spikes; 0 with fewer than two.")
      .def("__repr__", [](const PySpikeTrain& s) {
        return fmt::format("engram.SpikeTrain({} spikes)", s.spikes.size());
      });

  py::class_<PyTrace>(m, "HodgkinHuxleyTrace", R"doc(
A HodgkinHuxley.simulate run, T samples:
    t (T,) ms; x (T, 4) states; V (T,) mV; m, h, n (T,) gates
    spikes        SpikeTrain (threshold 0 mV); spike_times = spikes.times
    steps, status integrator steps; 'finished' unless the integration failed)doc")
      .def_readonly("t", &PyTrace::t)
      .def_readonly("x", &PyTrace::x)
      .def_readonly("V", &PyTrace::V)
      .def_readonly("m", &PyTrace::m)
      .def_readonly("h", &PyTrace::h)
      .def_readonly("n", &PyTrace::n)
      .def_readonly("spikes", &PyTrace::spikes)
      .def_property_readonly("spike_times", [](const PyTrace& r) { return r.spikes.times; })
      .def_readonly("steps", &PyTrace::steps)
      .def_readonly("status", &PyTrace::status)
      .def(
          "firing_rate",
          [](const PyTrace& r, std::optional<double> start, std::optional<double> end) {
            const auto [from, to] = steady_window(r.current, r.ms);
            return firing_rate(r.spikes.spikes, start.value_or(from), end.value_or(to));
          },
          py::arg("start") = py::none(), py::arg("end") = py::none(),
          "Firing rate in Hz over [start, end] ms; by default the second half of the time the "
          "current step is on (its steady state).")
      .def("__repr__", [](const PyTrace& r) {
        return fmt::format("engram.HodgkinHuxleyTrace({} samples over {} ms, {} spikes, {})",
                           r.t.size(), r.ms, r.spikes.spikes.size(), r.status);
      });

  py::class_<FiCurve>(m, "FiCurve", R"doc(
Firing rate against constant current (HodgkinHuxley.fi_curve), each run from rest:
    currents (uA/cm2), rates (Hz, over the second half of each run), spikes (count in that half))doc")
      .def_property_readonly("currents",
                             [](const FiCurve& f) { return to_numpy(Eigen::VectorXd(f.current)); })
      .def_property_readonly("rates",
                             [](const FiCurve& f) { return to_numpy(Eigen::VectorXd(f.rate)); })
      .def_property_readonly("spikes", [](const FiCurve& f) { return to_numpy(f.spikes); })
      .def("__repr__", [](const FiCurve& f) {
        return fmt::format("engram.FiCurve({} currents)", f.current.size());
      });

  py::class_<Rheobase>(m, "Rheobase", R"doc(
The smallest constant current giving repetitive firing from rest (HodgkinHuxley.rheobase):
    current   the upper end of the final bracket (nan when not found)
    lower, upper, precision (= upper - lower), runs (simulations made)
    found     False when the bracket given already fired at lo or did not fire at hi)doc")
      .def_readonly("current", &Rheobase::current)
      .def_readonly("lower", &Rheobase::lower)
      .def_readonly("upper", &Rheobase::upper)
      .def_readonly("precision", &Rheobase::precision)
      .def_readonly("runs", &Rheobase::runs)
      .def_readonly("found", &Rheobase::found)
      .def("__repr__", [](const Rheobase& r) {
        return fmt::format("engram.Rheobase(current={}, precision={}, found={})", r.current,
                           r.precision, r.found ? "True" : "False");
      });
}

}  // namespace

void bind_hodgkin_huxley(py::module_& m) {
  bind_results(m);
  using HH = HodgkinHuxley;
  const HodgkinHuxleyParameters d;
  py::class_<HH>(m, "HodgkinHuxley", R"doc(
The Hodgkin-Huxley squid-axon neuron (SPEC M-27), state x = (V, m, h, n), units mV, ms, uF/cm2,
mS/cm2, uA/cm2, standard parameters with rest at -65 mV:
    C dV/dt = I - g_na m^3 h (V - e_na) - g_k n^4 (V - e_k) - g_l (V - e_l)
    dx/dt   = alpha_x(V) (1 - x) - beta_x(V) x,   x = m, h, n
`current` is the neuron's own constant current I; simulate() adds a step on top of it.
Immutable; simulate, fi_curve and rheobase run without the GIL.

    hh = engram.HodgkinHuxley()
    run = hh.simulate(10.0, ms=200)      # 10 uA/cm2 from t = 0: ~68 Hz
    run.spike_times, run.firing_rate())doc")
      .def(py::init([](double C, double g_na, double g_k, double g_l, double e_na, double e_k,
                       double e_l, double current) {
             return HH({C, g_na, g_k, g_l, e_na, e_k, e_l}, current);
           }),
           py::arg("C") = d.C, py::arg("g_na") = d.g_na, py::arg("g_k") = d.g_k,
           py::arg("g_l") = d.g_l, py::arg("e_na") = d.e_na, py::arg("e_k") = d.e_k,
           py::arg("e_l") = d.e_l, py::arg("current") = 0.0)
      .def_property_readonly("parameters",
                             [](const HH& hh) { return parameters_dict(hh.parameters()); })
      .def_property_readonly("current", &HH::current)
      .def_property_readonly("dim", &HH::dim)
      .def_property_readonly("names", &HH::names)
      .def("with_current", &HH::with_current, py::arg("current"),
           "The same neuron with constant current I.")
      .def(
          "rate",
          [](const HH& hh, const py::handle& x) {
            const MatrixArg<double> arg = states(x, "HodgkinHuxley.rate: x");
            Mat<double> f(arg.rows(), 4);
            for (Index b = 0; b < arg.rows(); ++b)
              f.row(b) = hh.rate(arg.map().row(b).transpose()).transpose();
            return to_numpy(std::move(f), arg.was_vector());
          },
          py::arg("x"), "dx/dt at x: 4 values, or (B, 4) rows.")
      .def(
          "jacobian",
          [](const HH& hh, const py::handle& x) {
            return to_numpy(hh.jacobian(vector_of(x, "HodgkinHuxley.jacobian: x")));
          },
          py::arg("x"), "The analytic Jacobian (4, 4) at x, J[i, j] = d f_i / d x_j.")
      .def(
          "ionic_current",
          [](const HH& hh, const py::handle& x) {
            return hh.ionic_current(vector_of(x, "HodgkinHuxley.ionic_current: x"));
          },
          py::arg("x"), "g_na m^3 h (V - e_na) + g_k n^4 (V - e_k) + g_l (V - e_l), uA/cm2.")
      .def(
          "resting_state", [](const HH& hh) { return to_numpy(hh.resting_state()); },
          "The steady state at I = 0 (4 values), found by root finding.")
      .def(
          "steady_states",
          [](const HH& hh, double current) {
            const std::vector<Eigen::VectorXd> s = hh.steady_states(current);
            Eigen::MatrixXd out(static_cast<Index>(s.size()), 4);
            for (std::size_t k = 0; k < s.size(); ++k) out.row(Index(k)) = s[k].transpose();
            return to_numpy(std::move(out));
          },
          py::arg("current"), "Every steady state at constant current I, (k, 4), sorted by V.")
      .def_static(
          "gate_rates",
          [](const std::string& gate, const py::handle& V) {
            const Gate g = parse_gate(gate);
            const auto v =
                py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(V);
            if (!v) throw py::value_error("gate_rates: V must be a number or an array of numbers");
            std::vector<py::ssize_t> shape(v.shape(), v.shape() + v.ndim());
            py::array_t<double> alpha(shape), beta(shape);
            for (py::ssize_t k = 0; k < v.size(); ++k) {
              const GateRates r = gate_rates(g, v.data()[k]);
              alpha.mutable_data()[k] = r.alpha;
              beta.mutable_data()[k] = r.beta;
            }
            if (v.ndim() == 0)
              return py::make_tuple(py::float_(alpha.data()[0]), py::float_(beta.data()[0]));
            return py::make_tuple(alpha, beta);
          },
          py::arg("gate"), py::arg("V"),
          "(alpha, beta) of gate 'm', 'h' or 'n' at V (mV; a number or an array), in 1/ms.")
      .def(
          "simulate",
          [](const HH& hh, double current, double ms, double onset, std::optional<double> duration,
             double record_every, const py::object& x0, const std::string& method, double abs_tol,
             double rel_tol) {
            SimulateOptions o;
            o.method = parse_integrator(method);
            o.abs_tol = abs_tol;
            o.rel_tol = rel_tol;
            if (!x0.is_none()) o.x0 = vector_of(x0, "HodgkinHuxley.simulate: x0");
            const Current c{current, onset,
                            duration.value_or(std::numeric_limits<double>::infinity())};
            Trajectory tr;
            std::vector<Spike> spikes;
            {
              py::gil_scoped_release release;
              tr = simulate(hh, c, ms, record_every, o);
              spikes = detect_spikes(tr.x.col(0), tr.t);
            }
            PyTrace out;
            out.V = to_numpy(Eigen::VectorXd(tr.x.col(0)));
            out.m = to_numpy(Eigen::VectorXd(tr.x.col(1)));
            out.h = to_numpy(Eigen::VectorXd(tr.x.col(2)));
            out.n = to_numpy(Eigen::VectorXd(tr.x.col(3)));
            out.t = to_numpy(std::move(tr.t));
            out.x = to_numpy(std::move(tr.x));
            out.spikes = spike_train(std::move(spikes));
            out.current = c;
            out.ms = ms;
            out.steps = tr.steps;
            out.status = tr.status;
            return out;
          },
          py::arg("current"), py::arg("ms") = 200.0, py::arg("onset") = 0.0,
          py::arg("duration") = py::none(), py::arg("record_every") = 0.025,
          py::arg("x0") = py::none(), py::arg("method") = "dopri5", py::arg("abs_tol") = 1e-9,
          py::arg("rel_tol") = 1e-9,
          R"doc(Integrates the neuron for `ms` ms with `current` uA/cm2 added from `onset` for
`duration` ms (None: to the end), recorded every `record_every` ms, from x0 (default: the steady
state at the neuron's own current, i.e. rest). method 'dopri5' or 'rosenbrock' (adaptive, with
abs_tol/rel_tol); the integrator restarts at the step's edges. Returns a HodgkinHuxleyTrace.)doc")
      .def(
          "fi_curve",
          [](const HH& hh, const py::handle& currents, double ms, double record_every,
             int min_spikes) {
            const MatrixArg<double> arg(currents, "HodgkinHuxley.fi_curve: currents");
            if (!arg.was_vector())
              throw py::value_error("HodgkinHuxley.fi_curve: currents must be a 1-D array");
            const Eigen::VectorXd I = arg.map().row(0).transpose();
            const FiringOptions o = firing_options(ms, record_every, min_spikes, 1e-3);
            py::gil_scoped_release release;
            return fi_curve(hh, I, o);
          },
          py::arg("currents"), py::arg("ms") = 500.0, py::arg("record_every") = 0.05,
          py::arg("min_spikes") = 3,
          "Firing rate against constant current: one run of `ms` ms from rest per current, the "
          "rate over its second half. Returns a FiCurve.")
      .def(
          "rheobase",
          [](const HH& hh, double lo, double hi, double ms, int min_spikes, double precision,
             double record_every) {
            const FiringOptions o = firing_options(ms, record_every, min_spikes, precision);
            py::gil_scoped_release release;
            return rheobase(hh, lo, hi, o);
          },
          py::arg("lo") = 0.0, py::arg("hi") = 20.0, py::arg("ms") = 500.0,
          py::arg("min_spikes") = 3, py::arg("precision") = 1e-3, py::arg("record_every") = 0.05,
          "The smallest constant current in [lo, hi] giving repetitive firing from rest (at least "
          "min_spikes spikes in the second half of an `ms` run), by bisection to `precision`. "
          "Returns a Rheobase.")
      .def("__repr__", [](const HH& hh) {
        const HodgkinHuxleyParameters& p = hh.parameters();
        return fmt::format(
            "engram.HodgkinHuxley(C={}, g_na={}, g_k={}, g_l={}, e_na={}, e_k={}, e_l={}, "
            "current={})",
            p.C, p.g_na, p.g_k, p.g_l, p.e_na, p.e_k, p.e_l, hh.current());
      });

  m.def(
      "detect_spikes",
      [](const py::handle& V, const py::handle& t, double threshold) {
        const MatrixArg<double> v(V, "detect_spikes: V"), time(t, "detect_spikes: t");
        if (!v.was_vector() || !time.was_vector())
          throw py::value_error("detect_spikes: V and t must be 1-D arrays");
        return spike_train(
            detect_spikes(v.map().row(0).transpose(), time.map().row(0).transpose(), threshold));
      },
      py::arg("V"), py::arg("t"), py::arg("threshold") = 0.0,
      "Upward crossings of `threshold` (mV) by V sampled at increasing times t (ms), each with "
      "its peak. Returns a SpikeTrain.");
}

}  // namespace engram::python
