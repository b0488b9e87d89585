#include "engram/analysis/integrate.hpp"

#include <fmt/format.h>

#include <boost/numeric/odeint.hpp>
#include <cmath>
#include <vector>

#include "engram/core/error.hpp"
#include "stiff.hpp"

namespace engram {

namespace odeint = boost::numeric::odeint;

namespace {

using State = std::vector<double>;
using detail::StopRun;  // thrown by the observer to end a run early (odeint has no events)

template <class V>
Eigen::Map<const Eigen::VectorXd> as_eigen(const V& x) {
  return {&x[0], static_cast<Index>(x.size())};
}

// Records (t, x) and the energy, and ends the run on a non-finite state, the stop test or the
// step budget.
struct Recorder {
  const VectorField& field;
  const IntegrateOptions& options;
  std::vector<double> t;
  std::vector<Eigen::VectorXd> x;
  std::vector<double> energy;
  long calls = 0;
  long stride = 1;  // record every stride-th call (fixed-step methods on a record_every grid)
  long last = -1;   // the index of the final call, always recorded (fixed-step methods)
  bool endpoints_only = false;  // keep only the first and the latest state

  template <class V>
  void operator()(const V& state, double time) {
    const Eigen::VectorXd xe = as_eigen(state);
    if (!xe.allFinite()) throw StopRun{"diverged"};
    const long call = calls++;
    if (call % stride != 0 && call != last) return;
    if (endpoints_only && t.size() == 2) {  // overwrite the latest state
      t.pop_back();
      x.pop_back();
      if (!energy.empty()) energy.pop_back();
    }
    t.push_back(time);
    x.push_back(xe);
    if (field.has_energy()) energy.push_back(field.energy(xe));
    if (options.stop && options.stop(time, xe)) throw StopRun{"stopped"};
    if (calls > options.max_steps) throw StopRun{"max_steps"};
  }
};

// dx/dt for odeint; a non-finite rate ends the run.
struct System {
  const VectorField& field;
  template <class V>
  void operator()(const V& state, V& dxdt, double) const {
    const Eigen::VectorXd f = field.rate(as_eigen(state));
    if (!f.allFinite()) throw StopRun{"diverged"};
    for (Index i = 0; i < f.size(); ++i) dxdt[i] = f(i);
  }
};

template <class V>
V initial(const Eigen::VectorXd& x0) {
  V v(static_cast<std::size_t>(x0.size()));
  for (Index i = 0; i < x0.size(); ++i) v[i] = x0(i);
  return v;
}

// Runs `integrate_fn(state, recorder)` (which integrates with odeint) and returns its steps.
template <class V, class Run>
long run_odeint(const Eigen::VectorXd& x0, Recorder& rec, Run&& integrate_fn, std::string& status) {
  V state = initial<V>(x0);
  try {
    const long steps = static_cast<long>(integrate_fn(state, std::ref(rec)));
    status = "finished";
    return steps;
  } catch (const StopRun& stop) {
    status = stop.status;
  } catch (const odeint::step_adjustment_error&) {
    status = "diverged";  // the adaptive step fell below what the tolerances allow
  }
  return rec.calls;
}

}  // namespace

std::string to_string(Integrator method) {
  switch (method) {
    case Integrator::euler:
      return "euler";
    case Integrator::rk4:
      return "rk4";
    case Integrator::dopri5:
      return "dopri5";
    case Integrator::rosenbrock:
      return "rosenbrock";
  }
  return "unknown";
}

Integrator parse_integrator(std::string_view name) {
  for (Integrator m :
       {Integrator::euler, Integrator::rk4, Integrator::dopri5, Integrator::rosenbrock})
    if (name == to_string(m)) return m;
  ENGRAM_CHECK(false, "integrator: expected euler, rk4, dopri5 or rosenbrock, got '{}'", name);
  return Integrator::dopri5;
}

Trajectory integrate(const VectorField& field, const Eigen::VectorXd& x0, double t_end,
                     const IntegrateOptions& o) {
  field.check_state(x0, "integrate: x0");
  ENGRAM_CHECK(std::isfinite(t_end) && t_end > 0, "integrate: t_end must be positive, got {}",
               t_end);
  check_positive(o.dt, "integrate: dt");
  check_positive(o.abs_tol, "integrate: abs_tol");
  check_positive(o.rel_tol, "integrate: rel_tol");
  ENGRAM_CHECK(std::isfinite(o.record_every) && o.record_every >= 0,
               "integrate: record_every must be >= 0, got {}", o.record_every);
  ENGRAM_CHECK(o.max_steps >= 1, "integrate: max_steps must be at least 1, got {}", o.max_steps);

  Recorder rec{field, o, {}, {}, {}, 0};
  const System sys{field};
  // A grid of fewer than two intervals records the two ends only (Boost 1.74's integrate_const
  // with dense output reads an uncomputed state when only one interval fits).
  const bool fixed_grid = o.record_every > 0 && 2 * o.record_every <= t_end;
  rec.endpoints_only = o.record_every > 0 && !fixed_grid;
  const double every = fixed_grid ? o.record_every : o.dt;
  Trajectory out;
  switch (o.method) {
    case Integrator::euler:
    case Integrator::rk4: {
      // n whole steps of h ≤ dt that end exactly at t_end (h a divisor of record_every when
      // recording on a grid, so the grid points are steps).
      double h = o.dt;
      if (fixed_grid) {
        h = o.record_every / std::ceil(o.record_every / o.dt);
        rec.stride = std::lround(o.record_every / h);
      }
      const long n = std::max(1L, std::lround(std::ceil(t_end / h - 1e-9)));
      rec.last = n;
      h = t_end / static_cast<double>(n);
      auto run = [&](auto stepper) {
        return run_odeint<State>(
            x0, rec,
            [&](State& s, auto obs) {
              odeint::integrate_n_steps(stepper, sys, s, 0.0, h, static_cast<std::size_t>(n), obs);
              return n;
            },
            out.status);
      };
      out.steps = o.method == Integrator::euler ? run(odeint::euler<State>())
                                                : run(odeint::runge_kutta4<State>());
      break;
    }
    case Integrator::dopri5: {
      auto stepper =
          odeint::make_dense_output(o.abs_tol, o.rel_tol, odeint::runge_kutta_dopri5<State>());
      out.steps = run_odeint<State>(
          x0, rec,
          [&](State& s, auto obs) {
            return fixed_grid ? odeint::integrate_const(stepper, sys, s, 0.0, t_end, every, obs)
                              : odeint::integrate_adaptive(stepper, sys, s, 0.0, t_end, o.dt, obs);
          },
          out.status);
      break;
    }
    case Integrator::rosenbrock: {
      IntegrateOptions grid = o;
      if (!fixed_grid) grid.record_every = 0;  // every step (kept as the two ends, see above)
      const long steps = detail::integrate_rosenbrock(
          field, x0, t_end, grid, [&](double t, const Eigen::VectorXd& x) { rec(x, t); },
          out.status);
      out.steps = steps >= 0 ? steps : rec.calls;
      break;
    }
  }
  const Index T = static_cast<Index>(rec.t.size());
  out.t = Eigen::Map<const Eigen::VectorXd>(rec.t.data(), T);
  out.x.resize(T, field.dim());
  for (Index k = 0; k < T; ++k) out.x.row(k) = rec.x[static_cast<std::size_t>(k)].transpose();
  if (field.has_energy()) out.energy = Eigen::Map<const Eigen::VectorXd>(rec.energy.data(), T);
  return out;
}

Trajectory iterate_map(const Eigen::MatrixXd& W, const Eigen::VectorXd& b,
                       const Lagrangian<double>& phi, const Eigen::VectorXd& u0, int steps,
                       double tolerance) {
  const Index n = W.rows();
  ENGRAM_CHECK(n >= 1 && W.cols() == n, "iterate_map: W must be square, got {}x{}", W.rows(),
               W.cols());
  ENGRAM_CHECK(b.size() == n, "iterate_map: b must have {} values, got {}", n, b.size());
  ENGRAM_CHECK(u0.size() == n, "iterate_map: u0 must have {} values, got {}", n, u0.size());
  check_finite(W, "iterate_map: W");
  check_finite(b, "iterate_map: b");
  check_finite(u0, "iterate_map: u0");
  ENGRAM_CHECK(steps >= 0, "iterate_map: steps must be >= 0, got {}", steps);
  ENGRAM_CHECK(std::isfinite(tolerance) && tolerance >= 0,
               "iterate_map: tolerance must be >= 0, got {}", tolerance);
  const bool symmetric =
      (W - W.transpose()).cwiseAbs().maxCoeff() <= 1e-12 * (1 + W.cwiseAbs().maxCoeff());

  std::vector<Eigen::VectorXd> xs;
  std::vector<double> energies;
  Mat<double> u = u0.transpose();
  auto record = [&](const Mat<double>& pre) {
    const Eigen::VectorXd x = phi.activation(pre).row(0).transpose();
    xs.push_back(x);
    // E(x) = −½ xᵀWx − bᵀx + (x·u − L(u)), the last term ∫φ⁻¹ as the Legendre transform at u.
    if (symmetric) energies.push_back(-0.5 * x.dot(W * x) - b.dot(x) + phi.energy(pre)(0));
    return x;
  };
  Eigen::VectorXd x = record(u);
  Trajectory out;
  out.status = "finished";
  for (int k = 0; k < steps; ++k) {
    u = (W * x + b).transpose();
    const Eigen::VectorXd next = record(u);
    ++out.steps;
    if (!next.allFinite()) {
      out.status = "diverged";
      break;
    }
    const bool settled = (next - x).cwiseAbs().maxCoeff() <= tolerance;
    x = next;
    if (settled) {
      out.status = "stopped";
      break;
    }
  }
  const Index T = static_cast<Index>(xs.size());
  out.t = Eigen::VectorXd::LinSpaced(T, 0.0, static_cast<double>(T - 1));
  out.x.resize(T, n);
  for (Index k = 0; k < T; ++k) out.x.row(k) = xs[static_cast<std::size_t>(k)].transpose();
  if (symmetric) out.energy = Eigen::Map<const Eigen::VectorXd>(energies.data(), T);
  return out;
}

}  // namespace engram
