#include "engram/analysis/vector_field.hpp"

#include <fmt/format.h>

#include <Eigen/Eigenvalues>
#include <complex>
#include <stdexcept>

#include "engram/core/error.hpp"

namespace engram {

Eigen::MatrixXd VectorField::jacobian(const Eigen::VectorXd& x) const {
  return numerical_jacobian(*this, x);
}

double VectorField::energy(const Eigen::VectorXd&) const {
  throw std::logic_error(fmt::format("{} has no energy", description()));
}

Eigen::VectorXd VectorField::energy_gradient(const Eigen::VectorXd& x) const {
  return numerical_energy_gradient(*this, x);
}

std::vector<std::string> VectorField::names() const {
  std::vector<std::string> out;
  for (Index i = 0; i < dim(); ++i) out.push_back(fmt::format("x{}", i));
  return out;
}

void VectorField::check_state(const Eigen::VectorXd& x, const std::string& what) const {
  ENGRAM_CHECK(x.size() == dim(), "{}: expected {} values (the system's dimension), got {}", what,
               dim(), x.size());
  check_finite(x, what);
}

Eigen::MatrixXd numerical_jacobian(const VectorField& field, const Eigen::VectorXd& x,
                                   double step) {
  field.check_state(x, "numerical_jacobian: x");
  check_positive(step, "numerical_jacobian: step");
  const Index n = field.dim();
  Eigen::MatrixXd J(n, n);
  Eigen::VectorXd xp = x, xm = x;
  for (Index j = 0; j < n; ++j) {
    const double h = step * (1.0 + std::abs(x(j)));
    xp(j) = x(j) + h;
    xm(j) = x(j) - h;
    J.col(j) = (field.rate(xp) - field.rate(xm)) / (xp(j) - xm(j));
    xp(j) = xm(j) = x(j);
  }
  return J;
}

Eigen::VectorXd numerical_energy_gradient(const VectorField& field, const Eigen::VectorXd& x,
                                          double step) {
  field.check_state(x, "numerical_energy_gradient: x");
  check_positive(step, "numerical_energy_gradient: step");
  Eigen::VectorXd g(field.dim());
  Eigen::VectorXd xp = x, xm = x;
  for (Index j = 0; j < field.dim(); ++j) {
    const double h = step * (1.0 + std::abs(x(j)));
    xp(j) = x(j) + h;
    xm(j) = x(j) - h;
    g(j) = (field.energy(xp) - field.energy(xm)) / (xp(j) - xm(j));
    xp(j) = xm(j) = x(j);
  }
  return g;
}

FunctionField::FunctionField(Index dim, Rate rate, Jacobian jacobian, Energy energy,
                             std::vector<std::string> names, std::string description)
    : dim_(dim),
      rate_(std::move(rate)),
      jacobian_(std::move(jacobian)),
      energy_(std::move(energy)),
      names_(std::move(names)),
      description_(std::move(description)) {
  ENGRAM_CHECK(dim_ >= 1, "FunctionField: dim must be at least 1, got {}", dim_);
  ENGRAM_CHECK(static_cast<bool>(rate_), "FunctionField: rate must be a function");
  ENGRAM_CHECK(names_.empty() || static_cast<Index>(names_.size()) == dim_,
               "FunctionField: expected {} names, got {}", dim_, names_.size());
}

Eigen::VectorXd FunctionField::rate(const Eigen::VectorXd& x) const {
  Eigen::VectorXd f = rate_(x);
  ENGRAM_CHECK(f.size() == dim_, "FunctionField ({}): rate returned {} values, expected {}",
               description_, f.size(), dim_);
  return f;
}

Eigen::MatrixXd FunctionField::jacobian(const Eigen::VectorXd& x) const {
  if (!jacobian_) return numerical_jacobian(*this, x);
  Eigen::MatrixXd J = jacobian_(x);
  ENGRAM_CHECK(J.rows() == dim_ && J.cols() == dim_,
               "FunctionField ({}): jacobian returned {}x{}, expected {}x{}", description_,
               J.rows(), J.cols(), dim_, dim_);
  return J;
}

double FunctionField::energy(const Eigen::VectorXd& x) const {
  if (!energy_) return VectorField::energy(x);
  return energy_(x);
}

std::vector<std::string> FunctionField::names() const {
  return names_.empty() ? VectorField::names() : names_;
}

LinearField::LinearField(Eigen::MatrixXd A) : A_(std::move(A)) {
  ENGRAM_CHECK(A_.rows() >= 1 && A_.rows() == A_.cols(), "LinearField: A must be square, got {}x{}",
               A_.rows(), A_.cols());
  check_finite(A_, "LinearField: A");
}

std::string LinearField::description() const {
  return fmt::format("linear system dx/dt = A x ({}x{})", A_.rows(), A_.cols());
}

Eigen::VectorXd LinearField::solution(const Eigen::VectorXd& x0, double t) const {
  check_state(x0, "LinearField::solution: x0");
  ENGRAM_CHECK(std::isfinite(t), "LinearField::solution: t must be finite, got {}", t);
  // x(t) = V e^{Λt} V⁻¹ x0 (seed 002 eq. 1–8).
  const Eigen::EigenSolver<Eigen::MatrixXd> eig(A_);
  const Eigen::MatrixXcd V = eig.eigenvectors();
  const Eigen::PartialPivLU<Eigen::MatrixXcd> lu(V);
  const double rcond = lu.rcond();
  ENGRAM_CHECK(rcond > 1e-12,
               "LinearField::solution: A is not diagonalisable (eigenvector matrix has reciprocal "
               "condition {:.1e})",
               rcond);
  const Eigen::VectorXcd c = lu.solve(x0.cast<std::complex<double>>());
  const Eigen::VectorXcd growth = (eig.eigenvalues() * t).array().exp().matrix();
  return (V * growth.cwiseProduct(c)).real();
}

}  // namespace engram
