// VectorField: an autonomous dynamical system dx/dt = f(x) on Rⁿ (SPEC M-20), with an optional
// analytic Jacobian and an optional energy (a Lyapunov function). The analysis toolkit
// (integrators, fixed points, stability, basins, barriers) is written once against this interface,
// in double.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engram/core/types.hpp"

namespace engram {

/// dx/dt = f(x) for x ∈ Rⁿ. Implementations override rate(); the rest has numerical defaults.
class VectorField {
 public:
  virtual ~VectorField() = default;

  /// n, the dimension of the state.
  virtual Index dim() const = 0;

  /// f(x) (n values). x has n entries.
  virtual Eigen::VectorXd rate(const Eigen::VectorXd& x) const = 0;

  /// Whether jacobian() is analytic (otherwise it is central differences).
  virtual bool has_jacobian() const { return false; }
  /// ∂f/∂x at x (n × n, J_ij = ∂f_i/∂x_j). Default: numerical_jacobian.
  virtual Eigen::MatrixXd jacobian(const Eigen::VectorXd& x) const;

  /// Whether the system has an energy E with dE/dt ≤ 0 along its trajectories (when its
  /// conditions hold; see analysis/lyapunov.hpp).
  virtual bool has_energy() const { return false; }
  /// E(x). Throws std::logic_error when has_energy() is false.
  virtual double energy(const Eigen::VectorXd& x) const;
  /// ∇E(x) (n values). Default: central differences of energy().
  virtual Eigen::VectorXd energy_gradient(const Eigen::VectorXd& x) const;

  /// Names of the coordinates, e.g. {"x", "y"}; default {"x0", "x1", ...}.
  virtual std::vector<std::string> names() const;
  /// One line saying what the system is, for reports.
  virtual std::string description() const { return "vector field"; }

  /// Throws std::invalid_argument naming `what` unless x has dim() finite entries.
  void check_state(const Eigen::VectorXd& x, const std::string& what) const;
};

/// ∂f/∂x by central differences, step h_j = step · (1 + |x_j|), in double.
Eigen::MatrixXd numerical_jacobian(const VectorField& field, const Eigen::VectorXd& x,
                                   double step = 1e-6);

/// ∇E by central differences of field.energy(), same steps.
Eigen::VectorXd numerical_energy_gradient(const VectorField& field, const Eigen::VectorXd& x,
                                          double step = 1e-6);

/// A vector field from C++ callables: f is required; the Jacobian and the energy are optional.
///
///   FunctionField damped(2, [](const Eigen::VectorXd& x) {
///     return Eigen::Vector2d(x(1), -x(0) - 0.1 * x(1)).eval(); });
class FunctionField final : public VectorField {
 public:
  using Rate = std::function<Eigen::VectorXd(const Eigen::VectorXd&)>;
  using Jacobian = std::function<Eigen::MatrixXd(const Eigen::VectorXd&)>;
  using Energy = std::function<double(const Eigen::VectorXd&)>;

  /// `dim` ≥ 1; `rate` must return dim values (checked at every call).
  FunctionField(Index dim, Rate rate, Jacobian jacobian = nullptr, Energy energy = nullptr,
                std::vector<std::string> names = {}, std::string description = "function");

  Index dim() const override { return dim_; }
  Eigen::VectorXd rate(const Eigen::VectorXd& x) const override;
  bool has_jacobian() const override { return static_cast<bool>(jacobian_); }
  Eigen::MatrixXd jacobian(const Eigen::VectorXd& x) const override;
  bool has_energy() const override { return static_cast<bool>(energy_); }
  double energy(const Eigen::VectorXd& x) const override;
  std::vector<std::string> names() const override;
  std::string description() const override { return description_; }

 private:
  Index dim_;
  Rate rate_;
  Jacobian jacobian_;
  Energy energy_;
  std::vector<std::string> names_;
  std::string description_;
};

/// A linear system dx/dt = A x (SPEC M-20; seed 002 eq. 1–8), with its closed-form solution
/// x(t) = V e^{Λt} V⁻¹ x0 by eigen-decomposition (A diagonalisable), evaluated in complex
/// arithmetic and returned real.
class LinearField final : public VectorField {
 public:
  /// A: n × n, finite.
  explicit LinearField(Eigen::MatrixXd A);
  Index dim() const override { return A_.rows(); }
  Eigen::VectorXd rate(const Eigen::VectorXd& x) const override { return A_ * x; }
  bool has_jacobian() const override { return true; }
  Eigen::MatrixXd jacobian(const Eigen::VectorXd&) const override { return A_; }
  std::string description() const override;
  const Eigen::MatrixXd& A() const { return A_; }
  /// x(t) from x(0) = x0. Throws std::invalid_argument when A is not diagonalisable (its
  /// eigenvector matrix is singular to working precision).
  Eigen::VectorXd solution(const Eigen::VectorXd& x0, double t) const;

 private:
  Eigen::MatrixXd A_;
};

}  // namespace engram
