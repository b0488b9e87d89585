// Python bindings of the integrators and Lyapunov checks (SPEC M-20, M-21): engram.integrate,
// engram.iterate_map, engram.Trajectory, check_energy_decay, check_symmetry, spectral_radius,
// check_gradient and lyapunov_report.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include "analysis_fields.hpp"
#include "engram/analysis/integrate.hpp"
#include "engram/analysis/lyapunov.hpp"
#include "models_common.hpp"

namespace engram::python {

namespace {

/// Trajectory with NumPy arrays.
struct PyTrajectory {
  py::array t, x;
  py::object energy;  ///< (T,) float64, or None when the field has no energy
  long steps = 0;
  std::string status;
  std::vector<std::string> names;
};

py::object trajectory_object(Trajectory&& tr, std::vector<std::string> names) {
  PyTrajectory out;
  out.t = to_numpy(std::move(tr.t));
  out.x = to_numpy(Mat<double>(tr.x));  // row-major (T, n)
  out.energy = tr.energy.size() ? py::object(to_numpy(std::move(tr.energy))) : py::none();
  out.steps = tr.steps;
  out.status = std::move(tr.status);
  out.names = std::move(names);
  return py::cast(std::move(out));
}

ContinuousMode mode_of(const std::string& mode) {
  return parse_choice<ContinuousMode>(mode,
                                      {{"continuous", ContinuousMode::continuous},
                                       {"synchronous", ContinuousMode::discrete_synchronous},
                                       {"asynchronous", ContinuousMode::discrete_asynchronous}},
                                      "mode");
}

void bind_trajectory(py::module_& m) {
  py::class_<PyTrajectory>(m, "Trajectory", "A solution of dx/dt = f(x) sampled at T times.")
      .def_readonly("t", &PyTrajectory::t, "(T,) times, increasing from 0.")
      .def_readonly("x", &PyTrajectory::x, "(T, n) states, row k at t[k].")
      .def_readonly("energy", &PyTrajectory::energy,
                    "(T,) energies E(x[k]), or None when the field has no energy.")
      .def_readonly("steps", &PyTrajectory::steps, "Integrator steps taken.")
      .def_readonly("status", &PyTrajectory::status,
                    "'finished' (reached t_end), 'stopped' (stop said so), 'diverged' (a state "
                    "or rate became non-finite; the last finite state is kept) or 'max_steps'.")
      .def_readonly("names", &PyTrajectory::names, "The field's coordinate names.")
      .def_property_readonly(
          "final_state",
          [](const PyTrajectory& tr) {
            return tr.x.attr("__getitem__")(-1).attr("copy")().cast<py::array>();
          },
          "x[-1], (n,).")
      .def("__len__", [](const PyTrajectory& tr) { return tr.t.size(); })
      .def("__repr__", [](const PyTrajectory& tr) {
        return fmt::format("engram.Trajectory(T={}, n={}, steps={}, status='{}')", tr.t.size(),
                           tr.names.size(), tr.steps, tr.status);
      });
}

void bind_integrators(py::module_& m) {
  m.def(
      "integrate",
      [](const VectorField& field, const py::handle& x0, double t_end, const std::string& method,
         double dt, double abs_tol, double rel_tol, double record_every, long max_steps,
         const py::object& stop) {
        IntegrateOptions o;
        o.method = parse_integrator(method);
        o.dt = dt;
        o.abs_tol = abs_tol;
        o.rel_tol = rel_tol;
        o.record_every = record_every;
        o.max_steps = max_steps;
        if (!stop.is_none()) {
          if (!PyCallable_Check(stop.ptr()))
            throw py::type_error("integrate: stop must be callable (t, x) -> bool, or None");
          // Holds a pointer, not the object: copies of the function never touch a refcount
          // without the GIL. `stop` outlives the run.
          const py::object* fn = &stop;
          o.stop = [fn](double t, const Eigen::VectorXd& x) {
            py::gil_scoped_acquire gil;
            return py::bool_((*fn)(t, to_numpy(Eigen::VectorXd(x)))).cast<bool>();
          };
        }
        const Eigen::VectorXd start = vector_arg(x0, "integrate: x0", field.dim());
        Trajectory tr;
        {
          py::gil_scoped_release release;
          tr = integrate(field, start, t_end, o);
        }
        return trajectory_object(std::move(tr), field.names());
      },
      py::arg("field"), py::arg("x0"), py::arg("t_end"), py::arg("method") = "dopri5",
      py::arg("dt") = 1e-2, py::arg("abs_tol") = 1e-9, py::arg("rel_tol") = 1e-7,
      py::arg("record_every") = 0.0, py::arg("max_steps") = 10'000'000L,
      py::arg("stop") = py::none(), R"doc(
Integrates dx/dt = f(x) from x0 (n,) at t = 0 to t_end > 0 (SPEC M-20) without the GIL.
    method        'euler' (x <- x + dt f(x)), 'rk4' (fixed dt), 'dopri5' (adaptive Dormand-Prince
                  5(4), the default) or 'rosenbrock' (adaptive, implicit, uses the Jacobian:
                  for stiff systems)
    dt            the fixed step, or the first step tried by the adaptive methods
    abs_tol, rel_tol   per-component error tolerance of the adaptive methods
    record_every  record every so many time units (0: after every step)
    max_steps     step budget; the run then ends with status 'max_steps'
    stop          optional callable (t, x) -> bool, asked at each recorded point
Returns a Trajectory (t, x, energy, steps, status). Not finishing is a status, not an error.)doc");

  m.def(
      "iterate_map",
      [](const py::handle& W, const py::object& b, const LagrangianHandle& lagrangian,
         const py::handle& u0, int steps, double tolerance) {
        const Eigen::MatrixXd w = square_arg(W, "iterate_map: W");
        const Eigen::VectorXd bias = b.is_none() ? Eigen::VectorXd::Zero(w.rows())
                                                 : vector_arg(b, "iterate_map: b", w.rows());
        const Eigen::VectorXd u = vector_arg(u0, "iterate_map: u0", w.rows());
        std::vector<std::string> names;
        for (Index i = 0; i < w.rows(); ++i) names.push_back(fmt::format("x[{}]", i));
        Trajectory tr;
        {
          py::gil_scoped_release release;
          tr = iterate_map(w, bias, *lagrangian.get<double>(), u, steps, tolerance);
        }
        return trajectory_object(std::move(tr), std::move(names));
      },
      py::arg("W"), py::arg("b"), py::arg("lagrangian"), py::arg("u0"), py::arg("steps"),
      py::arg("tolerance") = 0.0, R"doc(
The discrete map x <- phi(W x + b), all units at once (SPEC M-11): phi is the activation of
`lagrangian` (e.g. engram.Tanh(beta=2)), W (n, n), b (n,) or None, u0 (n,) the first internal
state (x0 = phi(u0)). Runs `steps` updates or until max|x_{k+1} - x_k| <= tolerance. The
Trajectory holds x_k at t = k and, for symmetric W, E(x) = -1/2 x^T W x - b^T x + sum int phi^-1
(which may rise along this map: 2-cycles).)doc");
}

void bind_lyapunov(py::module_& m) {
  py::class_<EnergyDecay>(m, "EnergyDecay", "What an energy trace did (check_energy_decay).")
      .def_readonly("initial", &EnergyDecay::initial)
      .def_readonly("final", &EnergyDecay::final)
      .def_readonly("drop", &EnergyDecay::drop, "initial - final.")
      .def_readonly("monotonic", &EnergyDecay::monotonic, "No violations.")
      .def_readonly("violations", &EnergyDecay::violations, "Steps where the energy rose.")
      .def_readonly("max_violation", &EnergyDecay::max_violation,
                    "The largest rise (0 when it never rises).")
      .def("__repr__", [](const EnergyDecay& d) {
        return fmt::format(
            "engram.EnergyDecay(initial={:g}, final={:g}, drop={:g}, monotonic={}, violations={}, "
            "max_violation={:g})",
            d.initial, d.final, d.drop, d.monotonic ? "True" : "False", d.violations,
            d.max_violation);
      });
  m.def(
      "check_energy_decay",
      [](const py::handle& trace, double tolerance) {
        return check_energy_decay(vector_arg(trace, "check_energy_decay: trace"), tolerance);
      },
      py::arg("trace"), py::arg("tolerance") = 1e-12,
      "M-21: scans an energy trace (T,): a step violates decay when\n"
      "E[k] - E[k-1] > tolerance * (1 + |E[k-1]|).");

  py::class_<SymmetryCheck>(m, "SymmetryCheck", "check_symmetry's result.")
      .def_readonly("symmetric", &SymmetryCheck::symmetric)
      .def_readonly("max_asymmetry", &SymmetryCheck::max_asymmetry, "max |W - W^T|.")
      .def_readonly("relative", &SymmetryCheck::relative, "max_asymmetry / max |W|.")
      .def("__repr__", [](const SymmetryCheck& s) {
        return fmt::format("engram.SymmetryCheck(symmetric={}, max_asymmetry={:g}, relative={:g})",
                           s.symmetric ? "True" : "False", s.max_asymmetry, s.relative);
      });
  m.def(
      "check_symmetry",
      [](const py::handle& W, double tolerance) {
        return check_symmetry(square_arg(W, "check_symmetry: W"), tolerance);
      },
      py::arg("W"), py::arg("tolerance") = 1e-12,
      "M-21: symmetric when max|W - W^T| <= tolerance * max|W|.");
  // spectral_radius (of a matrix or of eigenvalues) is bound in analysis_landscape.cpp.

  py::class_<GradientCheck>(m, "GradientCheck", "check_gradient's result.")
      .def_readonly("analytic", &GradientCheck::analytic, "The field has an analytic Jacobian.")
      .def_readonly("max_abs_error", &GradientCheck::max_abs_error, "max |J - J_numerical|.")
      .def_readonly("max_rel_error", &GradientCheck::max_rel_error,
                    "max |J - J_num| / max(1, |J_num|), entrywise.")
      .def_readonly("has_energy", &GradientCheck::has_energy)
      .def_readonly("energy_gradient_error", &GradientCheck::energy_gradient_error)
      .def_readonly("descent", &GradientCheck::descent, "f . grad E (<= 0 for a Lyapunov E).")
      .def_readonly("descent_ok", &GradientCheck::descent_ok)
      .def_readonly("passed", &GradientCheck::passed)
      .def("__repr__", [](const GradientCheck& g) {
        return fmt::format(
            "engram.GradientCheck(passed={}, max_rel_error={:.2e}, energy_gradient_error={:.2e}, "
            "descent={:g})",
            g.passed ? "True" : "False", g.max_rel_error, g.energy_gradient_error, g.descent);
      });
  m.def(
      "check_gradient",
      [](const VectorField& field, const py::handle& x, double tolerance) {
        const Eigen::VectorXd v = vector_arg(x, "check_gradient: x", field.dim());
        py::gil_scoped_release release;
        return check_gradient(field, v, tolerance);
      },
      py::arg("field"), py::arg("x"), py::arg("tolerance") = 1e-6,
      "M-21: the field's jacobian() vs central differences of rate() at x, energy_gradient() vs\n"
      "central differences of energy(), and whether f . grad E <= 0 there. passed when both\n"
      "relative errors are <= tolerance and f is a descent direction.");

  py::class_<LyapunovReport>(m, "LyapunovReport", "lyapunov_report's result.")
      .def_readonly("guaranteed", &LyapunovReport::guaranteed,
                    "Every condition of the energy theorem holds: E never rises.")
      .def_readonly("warnings", &LyapunovReport::warnings, "Each condition that fails.")
      .def("__bool__", [](const LyapunovReport& r) { return r.guaranteed; })
      .def("__repr__", [](const LyapunovReport& r) {
        return fmt::format("engram.LyapunovReport(guaranteed={}, warnings=[{}])",
                           r.guaranteed ? "True" : "False", fmt::join(r.warnings, "; "));
      });
  m.def(
      "lyapunov_report",
      [](const py::handle& W, const py::object& activation, double gain, const std::string& mode,
         double tolerance) {
        const Eigen::MatrixXd w = square_arg(W, "lyapunov_report: W");
        const ContinuousMode md = mode_of(mode);
        if (py::isinstance<py::str>(activation))
          return lyapunov_report(w, parse_continuous_activation(activation.cast<std::string>()),
                                 gain, md, tolerance);
        if (!py::isinstance<LagrangianHandle>(activation))
          throw py::type_error(
              "lyapunov_report: activation must be an engram.Lagrangian or 'tanh', 'sigmoid', "
              "'softplus'");
        return lyapunov_report(w, *activation.cast<const LagrangianHandle&>().get<double>(), md,
                               tolerance);
      },
      py::arg("W"), py::arg("activation"), py::arg("gain") = 1.0, py::arg("mode") = "continuous",
      py::arg("tolerance") = 1e-12, R"doc(
M-21: whether E(x) = -1/2 x^T W x - b^T x + sum int phi^-1 never rises for the network with
weights W (N, N) and activation phi (an engram.Lagrangian, or 'tanh' / 'sigmoid' / 'softplus'
with gain beta), under mode:
    'continuous'    tau du/dt = -u + W phi(u) + b: W symmetric
    'asynchronous'  one unit at a time: W symmetric, W_ii >= 0, phi elementwise
    'synchronous'   x <- phi(W x + b): W symmetric and W + I/l positive semi-definite, l the
                    largest slope of phi (else 2-cycles can raise E)
and, always, phi monotone. Returns a LyapunovReport (guaranteed, warnings).)doc");
}

}  // namespace

void bind_analysis_integrate(py::module_& m) {
  bind_trajectory(m);
  bind_integrators(m);
  bind_lyapunov(m);
}

}  // namespace engram::python
