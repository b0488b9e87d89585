#include "engram/analysis/continuous_hopfield_field.hpp"

#include <fmt/format.h>

#include "engram/core/error.hpp"

namespace engram {

ContinuousHopfieldField::ContinuousHopfieldField(ContinuousHopfield<double> network)
    : network_(std::move(network)) {}

void ContinuousHopfieldField::check_size(const Eigen::VectorXd& u, const char* who) const {
  // Sizes only: a non-finite u gives a non-finite rate, which integrate reports as "diverged".
  ENGRAM_CHECK(u.size() == dim(), "ContinuousHopfieldField::{}: expected {} values, got {}", who,
               dim(), u.size());
}

Eigen::VectorXd ContinuousHopfieldField::output(const Eigen::VectorXd& u) const {
  check_size(u, "output");
  return network_.lagrangian()->activation(u.transpose()).row(0).transpose();
}

Eigen::VectorXd ContinuousHopfieldField::slope(const Eigen::VectorXd& u) const {
  // φ acts unit by unit, so ∇²L(u) is diagonal and ∇²L(u)·1 is φ'(u).
  const Mat<double> ones = Mat<double>::Ones(1, u.size());
  return network_.lagrangian()->hvp(u.transpose(), ones).row(0).transpose();
}

Eigen::VectorXd ContinuousHopfieldField::rate(const Eigen::VectorXd& u) const {
  const Eigen::VectorXd V = output(u);
  // M-11: τ du/dt = −u + W V + b
  return (-u + network_.W() * V + network_.b().row(0).transpose()) / network_.tau();
}

Eigen::MatrixXd ContinuousHopfieldField::jacobian(const Eigen::VectorXd& u) const {
  check_size(u, "jacobian");
  Eigen::MatrixXd J = network_.W() * slope(u).asDiagonal();
  J.diagonal().array() -= 1.0;
  return J / network_.tau();
}

double ContinuousHopfieldField::energy(const Eigen::VectorXd& u) const {
  check_size(u, "energy");
  return network_.energy_of_internal(u.transpose())(0);
}

Eigen::VectorXd ContinuousHopfieldField::energy_gradient(const Eigen::VectorXd& u) const {
  check_size(u, "energy_gradient");
  const Eigen::VectorXd V = output(u);
  const Eigen::VectorXd dE_dV = u - network_.W() * V - network_.b().row(0).transpose();
  return slope(u).cwiseProduct(dE_dV);
}

std::vector<std::string> ContinuousHopfieldField::names() const {
  std::vector<std::string> out;
  for (Index i = 0; i < dim(); ++i) out.push_back(fmt::format("u[{}]", i));
  return out;
}

std::string ContinuousHopfieldField::description() const {
  return fmt::format("continuous Hopfield network (N = {}, {}, gain {:g}, tau {:g})",
                     network_.size(), to_string(network_.activation()), network_.gain(),
                     network_.tau());
}

}  // namespace engram
