// Fixed points of a vector field (SPEC M-22): multi-start root finding in a box by Powell's hybrid
// method with a Levenberg–Marquardt fallback (slow-point analysis), deduplicated and classified.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engram/analysis/stability.hpp"
#include "engram/analysis/vector_field.hpp"

namespace engram {

/// One state with f(x) ≈ 0 and its linear stability.
struct FixedPoint {
  Eigen::VectorXd x;             ///< n values
  double residual = 0.0;         ///< ‖f(x)‖₂
  Eigen::VectorXcd eigenvalues;  ///< of the Jacobian at x, by decreasing real part
  FixedPointKind kind = FixedPointKind::non_hyperbolic;
  double energy = 0.0;  ///< field.energy(x) when has_energy, else NaN
  bool has_energy = false;
  std::string method;  ///< "powell" or "levenberg_marquardt": what converged first
  int hits = 0;        ///< how many starts converged to this point
};

struct FixedPointOptions {
  /// The box searched, lower ≤ x ≤ upper per coordinate (n values each, lower < upper).
  Eigen::VectorXd lower, upper;
  /// Random starts drawn uniformly in the box from `seed` (reproducible).
  int starts = 64;
  std::uint64_t seed = 0;
  /// Extra starts given by the caller (each n values, finite; they may lie outside the box).
  std::vector<Eigen::VectorXd> initial;
  /// A root is accepted when ‖f(x)‖₂ ≤ residual_tol (absolute) and x lies in the box (widened by
  /// 1e-9 of its width, so roots on the boundary count).
  double residual_tol = 1e-9;
  /// Two roots are the same when max_i |x_i − y_i| / (upper_i − lower_i) ≤ dedup_tol.
  double dedup_tol = 1e-6;
  /// Passed to classify().
  double zero_tol = kZeroTolerance;
  /// Function evaluations per start and solver (0: 200 (n + 1)).
  int max_evaluations = 0;
  /// Retry a start with Levenberg–Marquardt on ½‖f‖² when Powell's method fails from it.
  bool levenberg_marquardt = true;
};

/// What a search found, and how its starts fared.
struct FixedPointSearch {
  /// The distinct roots in the box, sorted lexicographically by x.
  std::vector<FixedPoint> points;
  int starts = 0;               ///< starts tried (random + initial)
  int powell = 0;               ///< starts where Powell's method reached a root
  int levenberg_marquardt = 0;  ///< starts rescued by the fallback
  int failed = 0;               ///< starts ending elsewhere: no root, a slow point, outside the box
};

/// M-22: searches the box for states with f(x) = 0. Every start is refined by Powell's hybrid
/// (dogleg) method, Eigen's HybridNonLinearSolver::hybrj with the field's Jacobian (analytic when
/// field.has_jacobian(), central differences otherwise); where it stalls (a local minimum of ‖f‖,
/// a singular Jacobian) Levenberg–Marquardt minimises ½‖f(x)‖² from the same start and Powell
/// polishes what it finds. Zeros of f are found whatever their stability (saddles and repellers
/// too, unlike descending the dynamics); minima of ½‖f‖² that are not zeros (slow points) are
/// dropped. Throws std::invalid_argument for bad bounds (sizes, NaN, lower ≥ upper), no starts,
/// non-finite or wrongly sized initial starts, or tolerances < 0.
FixedPointSearch find_fixed_points(const VectorField& field, const FixedPointOptions& options);

/// Where one start's refinement ended.
struct Refinement {
  Eigen::VectorXd x;
  double residual = 0.0;   ///< ‖f(x)‖₂ (Inf when the solver left the finite numbers)
  bool converged = false;  ///< residual ≤ residual_tol
  std::string method;      ///< "powell" or "levenberg_marquardt" (the solver that got there)
};

/// One start of find_fixed_points: Powell's hybrid method from x0, then, unless it reached
/// ‖f‖ ≤ residual_tol, Levenberg–Marquardt from x0 (when `levenberg_marquardt`) polished by
/// Powell. `scale` (n positive values, or empty for ones) is the inverse of each coordinate's
/// typical size; `max_evaluations` 0 means 200 (n + 1).
Refinement refine_fixed_point(const VectorField& field, const Eigen::VectorXd& x0,
                              double residual_tol = 1e-9, const Eigen::VectorXd& scale = {},
                              int max_evaluations = 0, bool levenberg_marquardt = true);

/// The FixedPoint at x: residual, eigenvalues, classification and energy (x need not be a root).
FixedPoint describe_fixed_point(const VectorField& field, const Eigen::VectorXd& x,
                                double zero_tol = kZeroTolerance);

}  // namespace engram
