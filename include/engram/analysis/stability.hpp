// Linear stability of a state of a vector field (SPEC M-23): the Jacobian's eigenvalues, their
// classification (node, spiral, saddle, center, ...), the spectral radius, and a Jacobian check.
#pragma once

#include <complex>
#include <string>

#include "engram/analysis/vector_field.hpp"

namespace engram {

/// What the eigenvalues λ of the Jacobian at a fixed point say about it (M-23).
enum class FixedPointKind {
  stable_node,      ///< every Re λ < 0, all λ real
  stable_spiral,    ///< every Re λ < 0, some λ complex
  saddle,           ///< Re λ of both signs, none zero
  unstable_node,    ///< every Re λ > 0, all λ real (a repeller)
  unstable_spiral,  ///< every Re λ > 0, some λ complex (a repeller)
  center,           ///< every λ purely imaginary and nonzero
  non_hyperbolic,   ///< some Re λ zero, not a center (e.g. a zero eigenvalue)
};

/// "stable_node", "stable_spiral", "saddle", "unstable_node", "unstable_spiral", "center",
/// "non_hyperbolic".
std::string to_string(FixedPointKind kind);

/// Whether a point of this kind attracts every nearby state (stable node or spiral).
inline bool is_attractor(FixedPointKind kind) {
  return kind == FixedPointKind::stable_node || kind == FixedPointKind::stable_spiral;
}

/// The default tolerance of classify(): |Re λ| ≤ zero_tol · max(1, ρ) counts as zero.
inline constexpr double kZeroTolerance = 1e-8;

/// ∂f/∂x at x (n × n): field.jacobian(x), which is analytic when field.has_jacobian() and central
/// differences (numerical_jacobian) otherwise. Checks x (size n, finite) and the result (finite).
Eigen::MatrixXd jacobian_at(const VectorField& field, const Eigen::VectorXd& x);

/// The eigenvalues of a square real matrix J (n complex values), sorted by decreasing real part,
/// then decreasing imaginary part. Throws for a non-square or non-finite J.
Eigen::VectorXcd eigenvalues(const Eigen::MatrixXd& J);

/// ρ = max |λ| (0 for no eigenvalues).
double spectral_radius(const Eigen::VectorXcd& eigenvalues);

/// Classifies a fixed point from its Jacobian's eigenvalues (at least one): a real part with
/// |Re λ| ≤ zero_tol · max(1, ρ) counts as zero, and an imaginary part with |Im λ| ≤
/// zero_tol · max(1, ρ) as real. zero_tol ≥ 0. Throws for no eigenvalues or NaN.
FixedPointKind classify(const Eigen::VectorXcd& eigenvalues, double zero_tol = kZeroTolerance);

/// The linearisation of a field at one state.
struct Stability {
  Eigen::MatrixXd jacobian;        ///< n × n, J_ij = ∂f_i/∂x_j
  Eigen::VectorXcd eigenvalues;    ///< n values, by decreasing real part
  FixedPointKind kind;             ///< classify(eigenvalues, zero_tol)
  double spectral_radius = 0.0;    ///< max |λ|
  double max_real_part = 0.0;      ///< the growth rate of the fastest mode (< 0: attracting)
  bool analytic_jacobian = false;  ///< whether the Jacobian came from field.jacobian() analytically
};

/// M-23: the Jacobian at x, its eigenvalues and their classification. x need not be a fixed point
/// (the classification only means something where f(x) = 0).
Stability stability(const VectorField& field, const Eigen::VectorXd& x,
                    double zero_tol = kZeroTolerance);

/// The analytic Jacobian against central differences at x.
struct JacobianCheck {
  Eigen::MatrixXd analytic;    ///< field.jacobian(x)
  Eigen::MatrixXd numerical;   ///< numerical_jacobian(field, x, step)
  double max_abs_error = 0.0;  ///< max_ij |analytic − numerical|
  /// max_ij |analytic − numerical| / max(|analytic_ij|, |numerical_ij|, 1e-12 · max|J|): entries
  /// that are zero in both count as agreeing.
  double max_rel_error = 0.0;
  bool has_analytic = false;  ///< field.has_jacobian(); when false both matrices are numerical
};

/// Compares field.jacobian(x) with central differences of step `step` (relative to 1 + |x_j|).
/// The central-difference error is O(step²) plus roundoff O(eps/step): 1e-6 gives about 1e-9
/// relative for smooth fields of unit scale.
JacobianCheck jacobian_check(const VectorField& field, const Eigen::VectorXd& x,
                             double step = 1e-6);

}  // namespace engram
