// ContinuousHopfieldField: the 1984 graded-response network (SPEC M-11) as a vector field on its
// internal states u, with the analytic Jacobian and the network's energy (M-20, M-21).
#pragma once

#include "engram/analysis/vector_field.hpp"
#include "engram/models/continuous_hopfield.hpp"

namespace engram {

/// M-11: f(u) = (−u + W φ(u) + b)/τ on the N internal states u, with
///   J(u) = (−I + W diag φ'(u))/τ,
///   E(u) = −½ VᵀWV − bᵀV + Σ_i ∫₀^{V_i} φ⁻¹,  V = φ(u)   (ContinuousHopfield::energy_of_internal),
///   ∇_u E = φ'(u) ⊙ (u − W V − b) = −τ φ'(u) ⊙ f(u),
/// so f·∇E = −τ Σ_i φ'(u_i) f_i² ≤ 0 for symmetric W. Coordinates are named "u[i]". The field
/// holds its own copy of the network.
///
///   ContinuousHopfieldField field(net);
///   Trajectory tr = integrate(field, net.internal(cue).row(0).transpose(), 20.0);
class ContinuousHopfieldField final : public VectorField {
 public:
  explicit ContinuousHopfieldField(ContinuousHopfield<double> network);

  Index dim() const override { return network_.size(); }
  Eigen::VectorXd rate(const Eigen::VectorXd& u) const override;
  bool has_jacobian() const override { return true; }
  Eigen::MatrixXd jacobian(const Eigen::VectorXd& u) const override;
  bool has_energy() const override { return true; }
  double energy(const Eigen::VectorXd& u) const override;
  Eigen::VectorXd energy_gradient(const Eigen::VectorXd& u) const override;
  std::vector<std::string> names() const override;
  std::string description() const override;

  const ContinuousHopfield<double>& network() const { return network_; }
  /// V = φ(u), the outputs at internal state u.
  Eigen::VectorXd output(const Eigen::VectorXd& u) const;

 private:
  void check_size(const Eigen::VectorXd& u, const char* who) const;
  /// φ'(u), elementwise (the diagonal of the Lagrangian's Hessian).
  Eigen::VectorXd slope(const Eigen::VectorXd& u) const;

  ContinuousHopfield<double> network_;
};

}  // namespace engram
