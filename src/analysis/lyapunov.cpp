#include "engram/analysis/lyapunov.hpp"

#include <fmt/format.h>

#include <Eigen/Eigenvalues>
#include <cmath>
#include <limits>

#include "engram/core/error.hpp"
#include "engram/neurons/sigmoid.hpp"
#include "engram/neurons/softplus.hpp"
#include "engram/neurons/tanh.hpp"

namespace engram {

namespace {

void check_square(const Eigen::MatrixXd& W, const char* who) {
  ENGRAM_CHECK(W.rows() >= 1 && W.rows() == W.cols(), "{}: W must be square, got {}x{}", who,
               W.rows(), W.cols());
  check_finite(W, fmt::format("{}: W", who));
}

/// The largest slope of φ = ∇L (the largest eigenvalue of ∇²L over all x), by family;
/// +∞ when unbounded or unknown.
double max_slope(const Lagrangian<double>& phi) {
  const std::string kind = phi.kind();
  const Hyperparameters h = phi.hyperparameters();
  const auto beta = [&] { return h.count("beta") ? h.at("beta") : 1.0; };
  if (kind == "identity" || kind == "relu") return 1.0;
  if (kind == "tanh" || kind == "softplus") return beta();
  if (kind == "sigmoid") return beta() / 4.0;
  if (kind == "softmax") return beta() / 2.0;  // β(diag p − ppᵀ) ⪯ (β/2) I
  if (kind == "rectified_polynomial" && h.count("n") && h.at("n") == 2.0) return 1.0;
  return std::numeric_limits<double>::infinity();
}

bool elementwise(const Lagrangian<double>& phi) {
  const std::string kind = phi.kind();
  return kind != "softmax";
}

/// The most negative v·∇²L(x)v / ‖v‖² seen on states spread over many scales (≥ 0 for a convex
/// L), with the x where it was seen.
std::pair<double, double> least_curvature(const Lagrangian<double>& phi, Index n) {
  const double scales[] = {0.0, 0.01, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0};
  Mat<double> x(2 * std::size(scales), n), v(x.rows(), n);
  for (Index r = 0; r < x.rows(); ++r)
    for (Index i = 0; i < n; ++i) {
      const double t = (r % 2 ? -1.0 : 1.0) * scales[r / 2];
      x(r, i) = t * (1.0 + 0.3 * std::sin(1.7 * static_cast<double>(i)));
      v(r, i) = std::cos(0.9 * static_cast<double>(i + r));
    }
  const Mat<double> hv = phi.hvp(x, v);
  double worst = std::numeric_limits<double>::infinity(), where = 0.0;
  for (Index r = 0; r < x.rows(); ++r) {
    const double q = v.row(r).dot(hv.row(r)) / v.row(r).squaredNorm();
    if (q < worst) {
      worst = q;
      where = x(r, 0);
    }
  }
  return {worst, where};
}

}  // namespace

EnergyDecay check_energy_decay(const Eigen::VectorXd& trace, double tolerance) {
  ENGRAM_CHECK(trace.size() >= 1, "check_energy_decay: the trace is empty");
  check_finite(trace, "check_energy_decay: trace");
  ENGRAM_CHECK(std::isfinite(tolerance) && tolerance >= 0,
               "check_energy_decay: tolerance must be finite and >= 0, got {}", tolerance);
  EnergyDecay out;
  out.initial = trace(0);
  out.final = trace(trace.size() - 1);
  out.drop = out.initial - out.final;
  for (Index k = 1; k < trace.size(); ++k) {
    const double rise = trace(k) - trace(k - 1);
    out.max_violation = std::max(out.max_violation, rise);
    if (rise > tolerance * (1.0 + std::abs(trace(k - 1)))) ++out.violations;
  }
  out.monotonic = out.violations == 0;
  return out;
}

SymmetryCheck check_symmetry(const Eigen::MatrixXd& W, double tolerance) {
  check_square(W, "check_symmetry");
  SymmetryCheck out;
  out.max_asymmetry = (W - W.transpose()).cwiseAbs().maxCoeff();
  const double scale = W.cwiseAbs().maxCoeff();
  out.relative = scale > 0 ? out.max_asymmetry / scale : 0.0;
  out.symmetric = out.relative <= tolerance;
  return out;
}

double spectral_radius(const Eigen::MatrixXd& W) {
  check_square(W, "spectral_radius");
  if (W == W.transpose())
    return Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(W, Eigen::EigenvaluesOnly)
        .eigenvalues()
        .cwiseAbs()
        .maxCoeff();
  return Eigen::EigenSolver<Eigen::MatrixXd>(W, false).eigenvalues().cwiseAbs().maxCoeff();
}

GradientCheck check_gradient(const VectorField& field, const Eigen::VectorXd& x, double tolerance) {
  field.check_state(x, "check_gradient: x");
  // Central differences with numerical_jacobian's steps h_j = 1e-6 (1 + |x_j|) resolve no better
  // than the rounding of the values they difference, 4ε(1 + |value|)/h_j (a sigmoid layer's
  // energy carries a constant near 10⁶): gaps within it are not errors.
  constexpr double kStep = 1e-6;
  const double eps = std::numeric_limits<double>::epsilon();
  const Eigen::ArrayXd h = kStep * (1.0 + x.array().abs());
  GradientCheck out;
  out.analytic = field.has_jacobian();
  const Eigen::VectorXd f = field.rate(x);
  const Eigen::MatrixXd J = field.jacobian(x), numeric = numerical_jacobian(field, x, kStep);
  const Eigen::ArrayXXd gap = (J - numeric).array().abs();
  out.max_abs_error = gap.maxCoeff();
  const Eigen::ArrayXXd rounding =
      (4.0 * eps * (1.0 + f.array().abs())).matrix() * h.inverse().matrix().transpose();
  out.max_rel_error = ((gap - rounding).max(0.0) / numeric.array().abs().max(1.0)).maxCoeff();
  out.has_energy = field.has_energy();
  if (out.has_energy) {
    const Eigen::VectorXd g = field.energy_gradient(x);
    const Eigen::VectorXd gn = numerical_energy_gradient(field, x, kStep);
    const Eigen::ArrayXd noise = 4.0 * eps * (1.0 + std::abs(field.energy(x))) / h;
    out.energy_gradient_error =
        (((g - gn).array().abs() - noise).max(0.0) / gn.array().abs().max(1.0)).maxCoeff();
    out.descent = f.dot(g);
    out.descent_ok = out.descent <= std::sqrt(eps) * f.norm() * g.norm();
  }
  out.passed =
      out.max_rel_error <= tolerance && out.energy_gradient_error <= tolerance && out.descent_ok;
  return out;
}

LyapunovReport lyapunov_report(const Eigen::MatrixXd& W, const Lagrangian<double>& phi,
                               ContinuousMode mode, double tolerance) {
  check_square(W, "lyapunov_report");
  LyapunovReport out;
  auto warn = [&](std::string message) {
    out.guaranteed = false;
    out.warnings.push_back(std::move(message));
  };
  const SymmetryCheck symmetry = check_symmetry(W, tolerance);
  if (!symmetry.symmetric)
    warn(fmt::format(
        "energy decrease is not guaranteed: W is not symmetric (max |W - W^T| = {:.3g})",
        symmetry.max_asymmetry));
  const auto [curvature, at] = least_curvature(phi, W.rows());
  if (curvature < -1e-12)
    warn(fmt::format(
        "energy decrease is not guaranteed: the activation of {} is not monotone (a direction v "
        "with v.(d xhat/dx)v / |v|^2 = {:.3g} near x = {:g})",
        phi.name(), curvature, at));
  if (mode == ContinuousMode::discrete_asynchronous) {
    Index i = 0;
    const double least = W.diagonal().minCoeff(&i);
    if (least < 0)
      warn(fmt::format(
          "energy decrease is not guaranteed for asynchronous updates: W has a negative "
          "self-coupling (W[{0}][{0}] = {1:.3g}); an update lowers E by at least 1/2 W_ii "
          "(change)^2, so W_ii >= 0 is needed",
          i, least));
    if (!elementwise(phi))
      warn(fmt::format("asynchronous updates need an elementwise activation; {} couples the units",
                       phi.name()));
  }
  if (mode == ContinuousMode::discrete_synchronous) {
    const Eigen::MatrixXd S = 0.5 * (W + W.transpose());
    const double lowest =
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(S, Eigen::EigenvaluesOnly).eigenvalues()(0);
    const double slope = max_slope(phi);
    const double bound = std::isfinite(slope) ? -1.0 / slope : 0.0;
    if (lowest < bound - 1e-12 * (1.0 + W.cwiseAbs().maxCoeff()))
      warn(fmt::format(
          "energy decrease is not guaranteed for synchronous updates: the smallest eigenvalue of "
          "W is {:.3g} < -1/l = {:.3g} (l = {:.3g}, the largest slope of {}); the map can end in "
          "a 2-cycle",
          lowest, bound, slope, phi.name()));
  }
  return out;
}

LyapunovReport lyapunov_report(const Eigen::MatrixXd& W, ContinuousActivation activation,
                               double gain, ContinuousMode mode, double tolerance) {
  check_positive(gain, "lyapunov_report: gain");
  switch (activation) {
    case ContinuousActivation::tanh:
      return lyapunov_report(W, Tanh<double>(gain), mode, tolerance);
    case ContinuousActivation::sigmoid:
      return lyapunov_report(W, Sigmoid<double>(gain), mode, tolerance);
    case ContinuousActivation::softplus:
      return lyapunov_report(W, Softplus<double>(gain), mode, tolerance);
  }
  detail::throw_invalid("lyapunov_report: unknown activation");
}

}  // namespace engram
