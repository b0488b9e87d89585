#include "engram/analysis/hodgkin_huxley.hpp"

#include <fmt/format.h>

#include <boost/math/tools/roots.hpp>
#include <cmath>

#include "engram/core/error.hpp"

namespace engram {

namespace {

// g(u) = u / (1 − e^{−u}) and g'(u), the shape of α_m and α_n. The closed forms lose digits to
// cancellation as u → 0 (0/0 at u = 0; g' loses ~eps/u), so below |u| = 10⁻² the Taylor series
// u/(1 − e^{−u}) = 1 + u/2 + u²/12 − u⁴/720 + u⁶/30240 − … (Bernoulli numbers) is used; its first
// omitted term is below 10⁻²², so the two branches agree to rounding at the switch.
struct Trap {
  double value, slope;
};

Trap trap(double u) {
  if (std::abs(u) < 1e-2) {
    const double u2 = u * u;
    return {1 + u / 2 + u2 / 12 - u2 * u2 / 720 + u2 * u2 * u2 / 30240,
            0.5 + u / 6 - u2 * u / 180 + u2 * u2 * u / 5040};
  }
  const double d = -std::expm1(-u);  // 1 − e^{−u}, exact for small u too
  const double e = std::exp(-u);
  return {u / d, (d - u * e) / (d * d)};
}

// dx/dt = α(1 − x) − β x and its partial derivatives in V and x.
struct GateFlow {
  double rate, d_dv, d_dx;
};

// gate_rates without the check (a trial state inside an integrator step may be non-finite; the
// integrator reports that as "diverged").
GateRates rates_of(Gate gate, double V) {
  switch (gate) {
    case Gate::m: {
      // α_m = 0.1(V+40)/(1 − e^{−(V+40)/10}) = g(u), u = (V+40)/10.
      const Trap a = trap((V + 40) / 10);
      const double b = 4 * std::exp(-(V + 65) / 18);
      return {a.value, b, a.slope / 10, -b / 18};
    }
    case Gate::h: {
      const double a = 0.07 * std::exp(-(V + 65) / 20);
      const double b = 1 / (1 + std::exp(-(V + 35) / 10));
      return {a, b, -a / 20, b * (1 - b) / 10};
    }
    case Gate::n: {
      // α_n = 0.01(V+55)/(1 − e^{−(V+55)/10}) = 0.1 g(u), u = (V+55)/10.
      const Trap a = trap((V + 55) / 10);
      const double b = 0.125 * std::exp(-(V + 65) / 80);
      return {0.1 * a.value, b, 0.01 * a.slope, -b / 80};
    }
  }
  return {};
}

GateFlow gate_flow(Gate gate, double V, double x) {
  const GateRates r = rates_of(gate, V);
  return {r.alpha * (1 - x) - r.beta * x, r.alpha_prime * (1 - x) - r.beta_prime * x,
          -(r.alpha + r.beta)};
}

constexpr Gate kGates[] = {Gate::m, Gate::h, Gate::n};

}  // namespace

std::string to_string(Gate gate) {
  switch (gate) {
    case Gate::m:
      return "m";
    case Gate::h:
      return "h";
    case Gate::n:
      return "n";
  }
  return "unknown";
}

Gate parse_gate(std::string_view name) {
  for (Gate g : kGates)
    if (name == to_string(g)) return g;
  ENGRAM_CHECK(false, "gate: expected m, h or n, got '{}'", name);
  return Gate::m;
}

GateRates gate_rates(Gate gate, double V) {
  ENGRAM_CHECK(std::isfinite(V), "gate_rates: V must be finite, got {}", V);
  return rates_of(gate, V);
}

HodgkinHuxley::HodgkinHuxley(HodgkinHuxleyParameters parameters, double current)
    : p_(parameters), current_(current) {
  const std::pair<const char*, double> all[] = {
      {"C", p_.C},       {"g_na", p_.g_na}, {"g_k", p_.g_k}, {"g_l", p_.g_l},
      {"e_na", p_.e_na}, {"e_k", p_.e_k},   {"e_l", p_.e_l}, {"current", current_}};
  for (const auto& [name, value] : all)
    ENGRAM_CHECK(std::isfinite(value), "HodgkinHuxley: {} must be finite, got {}", name, value);
  ENGRAM_CHECK(p_.C > 0, "HodgkinHuxley: C must be positive, got {}", p_.C);
  ENGRAM_CHECK(p_.g_na >= 0 && p_.g_k >= 0 && p_.g_l >= 0,
               "HodgkinHuxley: conductances must be >= 0, got g_na {}, g_k {}, g_l {}", p_.g_na,
               p_.g_k, p_.g_l);
}

std::string HodgkinHuxley::description() const {
  return fmt::format(
      "Hodgkin-Huxley neuron (C {} uF/cm2, gNa {}, gK {}, gL {} mS/cm2, ENa {}, EK {}, EL {} mV, "
      "I {} uA/cm2)",
      p_.C, p_.g_na, p_.g_k, p_.g_l, p_.e_na, p_.e_k, p_.e_l, current_);
}

double HodgkinHuxley::ionic_current(const Eigen::VectorXd& x) const {
  ENGRAM_CHECK(x.size() == 4, "HodgkinHuxley::ionic_current: x must have 4 values, got {}",
               x.size());
  const double V = x(0), m = x(1), h = x(2), n = x(3);
  return p_.g_na * m * m * m * h * (V - p_.e_na) + p_.g_k * n * n * n * n * (V - p_.e_k) +
         p_.g_l * (V - p_.e_l);
}

// M-27: C dV/dt = I − I_ion, dx/dt = α_x(1 − x) − β_x x with each gate's own x.
Eigen::VectorXd HodgkinHuxley::rate(const Eigen::VectorXd& x) const {
  ENGRAM_CHECK(x.size() == 4, "HodgkinHuxley::rate: x must have 4 values (V, m, h, n), got {}",
               x.size());
  Eigen::VectorXd f(4);
  f(0) = (current_ - ionic_current(x)) / p_.C;
  for (int i = 0; i < 3; ++i) f(i + 1) = gate_flow(kGates[i], x(0), x(i + 1)).rate;
  return f;
}

Eigen::MatrixXd HodgkinHuxley::jacobian(const Eigen::VectorXd& x) const {
  check_state(x, "HodgkinHuxley::jacobian: x");
  const double V = x(0), m = x(1), h = x(2), n = x(3);
  Eigen::MatrixXd J = Eigen::MatrixXd::Zero(4, 4);
  const double m3h = m * m * m * h, n4 = n * n * n * n;
  J(0, 0) = -(p_.g_na * m3h + p_.g_k * n4 + p_.g_l) / p_.C;
  J(0, 1) = -3 * p_.g_na * m * m * h * (V - p_.e_na) / p_.C;
  J(0, 2) = -p_.g_na * m * m * m * (V - p_.e_na) / p_.C;
  J(0, 3) = -4 * p_.g_k * n * n * n * (V - p_.e_k) / p_.C;
  for (int i = 0; i < 3; ++i) {
    const GateFlow g = gate_flow(kGates[i], V, x(i + 1));
    J(i + 1, 0) = g.d_dv;
    J(i + 1, i + 1) = g.d_dx;
  }
  return J;
}

std::vector<Eigen::VectorXd> HodgkinHuxley::steady_states(double current) const {
  ENGRAM_CHECK(std::isfinite(current), "steady_states: current must be finite, got {}", current);
  // With every gate at its steady value x∞(V) = α/(α+β), dx/dt = 0 and dV/dt = 0 reduces to one
  // equation in V: I_ion(V, x∞(V)) − I = 0.
  auto state_at = [](double V) {
    Eigen::VectorXd x(4);
    x(0) = V;
    for (int i = 0; i < 3; ++i) {
      const GateRates r = rates_of(kGates[i], V);
      x(i + 1) = r.alpha / (r.alpha + r.beta);
    }
    return x;
  };
  auto residual = [&](double V) { return ionic_current(state_at(V)) - current; };
  std::vector<Eigen::VectorXd> out;
  constexpr double lo = -150.0, hi = 100.0, step = 0.5;
  double a = lo, fa = residual(a);
  for (int k = 1; a < hi; ++k) {
    const double b = lo + k * step, fb = residual(b);
    if (fa == 0) {
      out.push_back(state_at(a));
    } else if (fa * fb < 0) {
      std::uintmax_t iterations = 200;
      const auto [l, r] = boost::math::tools::toms748_solve(
          residual, a, b, fa, fb, boost::math::tools::eps_tolerance<double>(), iterations);
      out.push_back(state_at(0.5 * (l + r)));
    }
    a = b;
    fa = fb;
  }
  if (fa == 0) out.push_back(state_at(a));
  return out;
}

Eigen::VectorXd HodgkinHuxley::resting_state() const {
  const std::vector<Eigen::VectorXd> states = steady_states(0.0);
  ENGRAM_CHECK(!states.empty(),
               "HodgkinHuxley::resting_state: no steady state at I = 0 in [-150, 100] mV for "
               "these parameters");
  return states.front();
}

}  // namespace engram
