// Small dynamical systems with fixed points, eigenvalues and barriers known in closed form, shared
// by the analysis tests (fixed points, stability, basins, barriers, attractor kinds).
#pragma once

#include <cmath>

#include "engram/analysis/vector_field.hpp"

namespace engram::test {

using Eigen::MatrixXd;
using Eigen::VectorXd;

inline VectorXd vec(std::initializer_list<double> v) {
  VectorXd out(static_cast<Index>(v.size()));
  Index i = 0;
  for (double x : v) out(i++) = x;
  return out;
}

/// x' = x − x³ = −E'(x), E = x⁴/4 − x²/2; J = 1 − 3x².
inline FunctionField cubic(bool analytic_jacobian = true) {
  FunctionField::Jacobian jac;
  if (analytic_jacobian)
    jac = [](const VectorXd& x) { return MatrixXd::Constant(1, 1, 1 - 3 * x(0) * x(0)); };
  return FunctionField(
      1, [](const VectorXd& x) { return VectorXd::Constant(1, x(0) - x(0) * x(0) * x(0)); }, jac,
      [](const VectorXd& x) { return std::pow(x(0), 4) / 4 - x(0) * x(0) / 2; }, {"x"}, "x - x^3");
}

/// Seed 002 eq. 9: x' = −0.4x + 0.02xy, y' = 0.8y − 0.01y²x − 0.1xy, with its Jacobian
///   [[−0.4 + 0.02y, 0.02x], [−0.01y² − 0.1y, 0.8 − 0.02xy − 0.1x]].
inline FunctionField seed002_eq9(bool analytic_jacobian = true) {
  FunctionField::Jacobian jac;
  if (analytic_jacobian)
    jac = [](const VectorXd& v) {
      const double x = v(0), y = v(1);
      MatrixXd J(2, 2);
      J << -0.4 + 0.02 * y, 0.02 * x, -0.01 * y * y - 0.1 * y, 0.8 - 0.02 * x * y - 0.1 * x;
      return J;
    };
  return FunctionField(
      2,
      [](const VectorXd& v) {
        const double x = v(0), y = v(1);
        return vec({-0.4 * x + 0.02 * x * y, 0.8 * y - 0.01 * y * y * x - 0.1 * x * y});
      },
      jac, nullptr, {"x", "y"}, "seed 002 eq. 9");
}

/// The damped pendulum θ' = ω, ω' = −sin θ − γω, with energy E = ω²/2 − cos θ (dE/dt = −γω²).
inline FunctionField pendulum(double gamma) {
  return FunctionField(
      2,
      [gamma](const VectorXd& v) {
        return vec({v(1), -std::sin(v(0)) - gamma * v(1)});
      },
      [gamma](const VectorXd& v) {
        MatrixXd J(2, 2);
        J << 0, 1, -std::cos(v(0)), -gamma;
        return J;
      },
      [](const VectorXd& v) { return v(1) * v(1) / 2 - std::cos(v(0)); }, {"theta", "omega"},
      "damped pendulum");
}

/// A gradient system x' = −∇E with the energy, its gradient and Hessian given analytically.
class GradientField final : public VectorField {
 public:
  using Energy = std::function<double(const VectorXd&)>;
  using Gradient = std::function<VectorXd(const VectorXd&)>;
  using Hessian = std::function<MatrixXd(const VectorXd&)>;
  GradientField(Index dim, Energy e, Gradient g, Hessian h)
      : dim_(dim), e_(std::move(e)), g_(std::move(g)), h_(std::move(h)) {}
  Index dim() const override { return dim_; }
  VectorXd rate(const VectorXd& x) const override { return -g_(x); }
  bool has_jacobian() const override { return true; }
  MatrixXd jacobian(const VectorXd& x) const override { return -h_(x); }
  bool has_energy() const override { return true; }
  double energy(const VectorXd& x) const override { return e_(x); }
  VectorXd energy_gradient(const VectorXd& x) const override { return g_(x); }

 private:
  Index dim_;
  Energy e_;
  Gradient g_;
  Hessian h_;
};

/// E = (x² − 1)² + b (y − c(1 − x²))² + t·x: a double well whose valley bends through y = c at
/// x = 0 (c = 0: straight) and tilts by t. Without tilt the minima are (±1, 0) with E = 0 and the
/// saddle is (0, c) with E = 1 (Hessian diag(−4, 2b)); the straight path y = 0 peaks at
/// E(0, 0) = 1 + b c².
inline GradientField curved_double_well(double b, double c, double t = 0.0) {
  auto valley = [c](double x) { return c * (1 - x * x); };
  return GradientField(
      2,
      [=](const VectorXd& v) {
        const double x = v(0), u = v(1) - valley(x);
        return std::pow(x * x - 1, 2) + b * u * u + t * x;
      },
      [=](const VectorXd& v) {
        const double x = v(0), u = v(1) - valley(x);
        return vec({4 * x * (x * x - 1) + 2 * b * u * (2 * c * x) + t, 2 * b * u});
      },
      [=](const VectorXd& v) {
        const double x = v(0), u = v(1) - valley(x);
        MatrixXd H(2, 2);
        H << 12 * x * x - 4 + 2 * b * (4 * c * c * x * x + 2 * c * u), 4 * b * c * x, 4 * b * c * x,
            2 * b;
        return H;
      });
}

/// The Van der Pol oscillator x' = y, y' = μ(1 − x²)y − x.
inline FunctionField van_der_pol(double mu) {
  return FunctionField(
      2,
      [mu](const VectorXd& v) {
        return vec({v(1), mu * (1 - v(0) * v(0)) * v(1) - v(0)});
      },
      [mu](const VectorXd& v) {
        MatrixXd J(2, 2);
        J << 0, 1, -2 * mu * v(0) * v(1) - 1, mu * (1 - v(0) * v(0));
        return J;
      },
      nullptr, {"x", "y"}, "Van der Pol");
}

/// r' = r(1 − r²), θ' = 0 in Cartesian coordinates: (x, y)' = (1 − x² − y²)(x, y). Every point of
/// the unit circle is fixed; there J = −2 (x, y)(x, y)ᵀ, eigenvalues −2 (radial) and 0 (along
/// the circle, eigenvector (−y, x)).
inline FunctionField ring_attractor() {
  return FunctionField(
      2, [](const VectorXd& v) { return VectorXd((1 - v.squaredNorm()) * v); },
      [](const VectorXd& v) {
        return MatrixXd((1 - v.squaredNorm()) * MatrixXd::Identity(2, 2) - 2 * v * v.transpose());
      },
      nullptr, {"x", "y"}, "ring attractor");
}

}  // namespace engram::test
