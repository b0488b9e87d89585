#include "engram/analysis/stability.hpp"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <vector>

#include "engram/core/error.hpp"

namespace engram {

std::string to_string(FixedPointKind kind) {
  switch (kind) {
    case FixedPointKind::stable_node:
      return "stable_node";
    case FixedPointKind::stable_spiral:
      return "stable_spiral";
    case FixedPointKind::saddle:
      return "saddle";
    case FixedPointKind::unstable_node:
      return "unstable_node";
    case FixedPointKind::unstable_spiral:
      return "unstable_spiral";
    case FixedPointKind::center:
      return "center";
    case FixedPointKind::non_hyperbolic:
      return "non_hyperbolic";
  }
  return "unknown";
}

Eigen::MatrixXd jacobian_at(const VectorField& field, const Eigen::VectorXd& x) {
  field.check_state(x, "jacobian: x");
  Eigen::MatrixXd J = field.jacobian(x);
  check_shape(J, field.dim(), field.dim(), "jacobian: the field's Jacobian");
  check_finite(J, "jacobian: the field's Jacobian");
  return J;
}

Eigen::VectorXcd eigenvalues(const Eigen::MatrixXd& J) {
  ENGRAM_CHECK(J.rows() >= 1 && J.rows() == J.cols(),
               "eigenvalues: expected a square matrix, got {}x{}", J.rows(), J.cols());
  check_finite(J, "eigenvalues: the matrix");
  const Eigen::EigenSolver<Eigen::MatrixXd> solver(J, /*computeEigenvectors=*/false);
  ENGRAM_CHECK(solver.info() == Eigen::Success, "eigenvalues: the QR iteration did not converge");
  Eigen::VectorXcd lambda = solver.eigenvalues();
  std::sort(lambda.data(), lambda.data() + lambda.size(),
            [](const std::complex<double>& a, const std::complex<double>& b) {
              return a.real() != b.real() ? a.real() > b.real() : a.imag() > b.imag();
            });
  return lambda;
}

double spectral_radius(const Eigen::VectorXcd& eigenvalues) {
  return eigenvalues.size() == 0 ? 0.0 : eigenvalues.cwiseAbs().maxCoeff();
}

FixedPointKind classify(const Eigen::VectorXcd& eigenvalues, double zero_tol) {
  ENGRAM_CHECK(eigenvalues.size() >= 1, "classify: expected at least one eigenvalue");
  ENGRAM_CHECK(eigenvalues.allFinite(), "classify: the eigenvalues contain NaN or Inf");
  ENGRAM_CHECK(std::isfinite(zero_tol) && zero_tol >= 0, "classify: zero_tol must be >= 0, got {}",
               zero_tol);
  // A tolerance relative to the spectrum's scale: numerical Jacobians carry errors of about
  // 1e-10 · ρ, which must not turn a zero eigenvalue into a tiny positive one.
  const double eps = zero_tol * std::max(1.0, spectral_radius(eigenvalues));
  int negative = 0, positive = 0, zero_real = 0, zero = 0;
  bool complex = false;
  for (const auto& l : eigenvalues) {
    if (std::abs(l.imag()) > eps) complex = true;
    if (l.real() < -eps) {
      ++negative;
    } else if (l.real() > eps) {
      ++positive;
    } else {
      ++zero_real;
      if (std::abs(l.imag()) <= eps) ++zero;
    }
  }
  if (zero_real > 0) {
    const bool center = zero == 0 && zero_real == eigenvalues.size();
    return center ? FixedPointKind::center : FixedPointKind::non_hyperbolic;
  }
  if (negative > 0 && positive > 0) return FixedPointKind::saddle;
  if (negative > 0) return complex ? FixedPointKind::stable_spiral : FixedPointKind::stable_node;
  return complex ? FixedPointKind::unstable_spiral : FixedPointKind::unstable_node;
}

Stability stability(const VectorField& field, const Eigen::VectorXd& x, double zero_tol) {
  Stability s;
  s.jacobian = jacobian_at(field, x);
  s.eigenvalues = eigenvalues(s.jacobian);
  s.kind = classify(s.eigenvalues, zero_tol);
  s.spectral_radius = spectral_radius(s.eigenvalues);
  s.max_real_part = s.eigenvalues(0).real();  // sorted by decreasing real part
  s.analytic_jacobian = field.has_jacobian();
  return s;
}

JacobianCheck jacobian_check(const VectorField& field, const Eigen::VectorXd& x, double step) {
  check_positive(step, "jacobian_check: step");
  JacobianCheck c;
  c.has_analytic = field.has_jacobian();
  c.analytic = jacobian_at(field, x);
  c.numerical = numerical_jacobian(field, x, step);
  check_finite(c.numerical, "jacobian_check: the central differences");
  const Eigen::ArrayXXd diff = (c.analytic - c.numerical).array().abs();
  c.max_abs_error = diff.maxCoeff();
  const double floor = 1e-12 * std::max(c.analytic.cwiseAbs().maxCoeff(), 1e-300);
  const Eigen::ArrayXXd scale = c.analytic.array().abs().max(c.numerical.array().abs()).max(floor);
  c.max_rel_error = (diff / scale).maxCoeff();
  return c;
}

}  // namespace engram
