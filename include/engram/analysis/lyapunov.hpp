// Lyapunov checks (SPEC M-21): does an energy trace decay, is W symmetric, how large is its
// spectrum, does a field's Jacobian match its rate, and which conditions of the energy theorems
// does a network meet.
#pragma once

#include <string>
#include <vector>

#include "engram/analysis/vector_field.hpp"
#include "engram/models/continuous_hopfield.hpp"
#include "engram/neurons/lagrangian.hpp"

namespace engram {

/// What an energy trace E_0, E_1, ... did.
struct EnergyDecay {
  double initial = 0.0;        ///< E_0
  double final = 0.0;          ///< the last entry
  double drop = 0.0;           ///< initial − final (positive when the energy fell)
  bool monotonic = true;       ///< no violations
  Index violations = 0;        ///< steps with E_k − E_{k−1} > tolerance·(1 + |E_{k−1}|)
  double max_violation = 0.0;  ///< the largest rise E_k − E_{k−1} (0 when it never rises)
};

/// M-21: scans `trace` (≥ 1 finite values). `tolerance` is relative: rounding of a large energy
/// (the sigmoid Lagrangian's constant, ...) is not a violation.
EnergyDecay check_energy_decay(const Eigen::VectorXd& trace, double tolerance = 1e-12);

struct SymmetryCheck {
  bool symmetric = true;       ///< relative ≤ tolerance
  double max_asymmetry = 0.0;  ///< max_ij |W_ij − W_ji|
  double relative = 0.0;       ///< max_asymmetry / max_ij |W_ij| (0 for W = 0)
};

/// M-21: W square and finite.
SymmetryCheck check_symmetry(const Eigen::MatrixXd& W, double tolerance = 1e-12);

/// M-21/M-23: max_i |λ_i(W)| over the (complex) eigenvalues of a square W.
double spectral_radius(const Eigen::MatrixXd& W);

struct GradientCheck {
  bool analytic = false;       ///< the field has an analytic Jacobian (else both are numerical)
  double max_abs_error = 0.0;  ///< max_ij |J − J_num|
  double max_rel_error = 0.0;  ///< max_ij |J − J_num| / max(1, |J_num|_ij)
  bool has_energy = false;
  double energy_gradient_error = 0.0;  ///< the same relative error for ∇E (0 without energy)
  double descent = 0.0;    ///< f·∇E, ≤ 0 for a Lyapunov function (0 without energy)
  bool descent_ok = true;  ///< descent ≤ √ε ‖f‖‖∇E‖ (rounding allowed)
  bool passed = true;      ///< both errors ≤ tolerance and descent_ok
};

/// M-21: the field's jacobian() against central differences of rate() at x, its
/// energy_gradient() against central differences of energy(), and whether f is a descent
/// direction of E there. Relative errors leave out what the differences cannot resolve, the
/// rounding 4ε(1 + |value|)/h of each value differenced with step h = 1e-6 (1 + |x_j|).
GradientCheck check_gradient(const VectorField& field, const Eigen::VectorXd& x,
                             double tolerance = 1e-6);

/// Whether the energy theorems apply to a network x ← φ(Wx + b) or τ du/dt = −u + Wφ(u) + b.
struct LyapunovReport {
  bool guaranteed = true;             ///< every condition holds: E never rises
  std::vector<std::string> warnings;  ///< each condition that fails, with its numbers
};

/// M-21: the conditions under which E(x) = −½xᵀWx − bᵀx + Σ∫φ⁻¹ never rises, for the activation
/// φ = ∇L of `phi` (the bias never matters):
///   every mode        φ is monotone (∇²L ⪰ 0; probed on a range of states);
///   continuous        W symmetric;
///   asynchronous map  W symmetric, W_ii ≥ 0 (an update lowers E by at least ½W_ii Δ²) and φ
///                     elementwise;
///   synchronous map   W symmetric and W + I/ℓ ⪰ 0, ℓ = max slope of φ (tanh β, sigmoid β/4,
///                     softplus β, softmax β/2, identity and ReLU 1, unbounded otherwise):
///                     E(x_{t+1}) − E(x_t) ≤ −½Δᵀ(W + I/ℓ)Δ. Otherwise 2-cycles can raise E.
/// `tolerance` is the relative asymmetry allowed. W: N × N, finite.
LyapunovReport lyapunov_report(const Eigen::MatrixXd& W, const Lagrangian<double>& phi,
                               ContinuousMode mode = ContinuousMode::continuous,
                               double tolerance = 1e-12);
/// The same for φ = tanh, sigmoid or softplus with gain β.
LyapunovReport lyapunov_report(const Eigen::MatrixXd& W, ContinuousActivation activation,
                               double gain = 1.0, ContinuousMode mode = ContinuousMode::continuous,
                               double tolerance = 1e-12);

}  // namespace engram
