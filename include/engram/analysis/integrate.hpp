// Integrators for vector fields (SPEC M-20): explicit Euler (the seeds'), classical RK4, adaptive
// Dormand–Prince 5(4) and a Rosenbrock method for stiff systems, all from Boost.Odeint; and the
// discrete-time maps x ← φ(W x + b). Each returns a Trajectory with its energy trace.
#pragma once

#include <functional>
#include <string>

#include "engram/analysis/vector_field.hpp"
#include "engram/neurons/lagrangian.hpp"

namespace engram {

enum class Integrator {
  euler,       ///< x ← x + dt f(x), fixed step
  rk4,         ///< classical Runge–Kutta, fixed step
  dopri5,      ///< Dormand–Prince 5(4), adaptive step (the default)
  rosenbrock,  ///< Rosenbrock 4 (Kaps–Rentrop), adaptive, implicit: for stiff systems; uses the
               ///< Jacobian
};

/// "euler", "rk4", "dopri5", "rosenbrock".
std::string to_string(Integrator method);
/// The inverse of to_string; throws std::invalid_argument listing the names.
Integrator parse_integrator(std::string_view name);

struct IntegrateOptions {
  Integrator method = Integrator::dopri5;
  /// The step of euler and rk4; the first step tried by the adaptive methods.
  double dt = 1e-2;
  /// Error tolerances of the adaptive methods (per component: abs_tol + rel_tol·|x|).
  double abs_tol = 1e-9;
  double rel_tol = 1e-7;
  /// Record the state every `record_every` time units (0: after every step taken).
  double record_every = 0.0;
  /// Upper bound on steps; the run stops there with finished = false.
  long max_steps = 10'000'000;
  /// Stop early when this returns true for a recorded (t, x); e.g. "reached an attractor".
  std::function<bool(double t, const Eigen::VectorXd& x)> stop;
};

/// A solution of dx/dt = f(x) sampled at T times.
struct Trajectory {
  Eigen::VectorXd t;       ///< T times, from t0 increasing
  Eigen::MatrixXd x;       ///< T × n states, row k at t(k)
  Eigen::VectorXd energy;  ///< T energies when the field has one, else empty
  long steps = 0;          ///< integrator steps taken
  /// "finished" (reached t_end), "stopped" (options.stop said so), "diverged" (a state or rate
  /// became non-finite; the last finite state is kept), "max_steps".
  std::string status;
  Eigen::VectorXd final_state() const { return x.row(x.rows() - 1).transpose(); }
};

/// M-20: integrates `field` from x0 at t = 0 to t_end > 0. Throws std::invalid_argument for a bad
/// x0 (size, NaN) or option (dt ≤ 0, tolerances ≤ 0, record_every < 0); not finishing is a status.
Trajectory integrate(const VectorField& field, const Eigen::VectorXd& x0, double t_end,
                     const IntegrateOptions& options = {});

/// The discrete-time map x ← φ(W x + b), φ the activation of `phi` (e.g. Tanh(β)), all units at
/// once: from the internal state u0 (x0 = φ(u0)), u_{k+1} = W x_k + b and x_{k+1} = φ(u_{k+1}),
/// for `steps` updates or until ‖x_{k+1} − x_k‖∞ ≤ tolerance. W: n × n, b and u0: n values. The
/// trajectory holds the outputs x_k at t = k and, when W is symmetric, the energy
/// E(x) = −½ xᵀWx − bᵀx + Σ_i ∫₀^{x_i} φ⁻¹, the last term being the Legendre transform of the
/// Lagrangian at u (phi.energy(u)). Along this synchronous map E may rise (period-2 cycles; see
/// ContinuousHopfield for the two-step function that never does).
Trajectory iterate_map(const Eigen::MatrixXd& W, const Eigen::VectorXd& b,
                       const Lagrangian<double>& phi, const Eigen::VectorXd& u0, int steps,
                       double tolerance = 0.0);

}  // namespace engram
