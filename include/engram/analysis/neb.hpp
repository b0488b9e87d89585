// Energy barriers between two minima (SPEC M-25): the minimum-energy path by the climbing-image
// nudged elastic band, its saddle (checked by the Hessian) and energy profile, and the
// straight-line maximum the seeds use, which only bounds the barrier from above.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "engram/analysis/vector_field.hpp"

namespace engram {

enum class NebOptimizer {
  fire,              ///< FIRE (Bitzek et al. 2006): damped dynamics with adaptive step
  gradient_descent,  ///< x ← x + step · F
};

/// "fire", "gradient_descent".
std::string to_string(NebOptimizer optimizer);
/// The inverse of to_string; throws std::invalid_argument listing the names.
NebOptimizer parse_neb_optimizer(std::string_view name);

struct NebOptions {
  /// Images on the band, both ends included (≥ 3); the ends stay where they are given.
  int images = 17;
  /// Spring constant k of the forces k(|R_{i+1} − R_i| − |R_i − R_{i−1}|) τ along the band.
  double spring = 1.0;
  /// Climbing image (Henkelman, Uberuaga & Jónsson 2000): the highest image climbs up along the
  /// band, −∇E + 2(∇E·τ)τ, so that it converges onto the saddle.
  bool climbing = true;
  NebOptimizer optimizer = NebOptimizer::fire;
  /// The time step of FIRE (its first; it grows to 10×) or the step of gradient descent.
  double step = 0.05;
  /// Converged when every moving image's force has ‖F_i‖₂ ≤ tolerance.
  double tolerance = 1e-6;
  int max_iterations = 20000;
  /// Central-difference step of the Hessian at the saddle (differences of energy_gradient).
  double hessian_step = 1e-4;
  /// Hessian eigenvalues below −hessian_tol · max(1, max|λ|) count as negative.
  double hessian_tol = 1e-5;
};

/// The band after relaxation.
struct NebResult {
  Eigen::MatrixXd path;        ///< images × n, row 0 the start, the last row the end
  Eigen::VectorXd energies;    ///< E per image
  Eigen::VectorXd arc_length;  ///< distance along the band from the start, per image
  /// max_i E_i − E_0: the barrier out of the start's well (with the climbing image converged,
  /// E(saddle) − E(start)).
  double barrier = 0.0;
  int saddle_index = 0;  ///< the highest image
  Eigen::VectorXd saddle;
  double saddle_energy = 0.0;
  /// Eigenvalues of the symmetrised finite-difference Hessian at the saddle, ascending.
  Eigen::VectorXd hessian_eigenvalues;
  /// Exactly one negative Hessian eigenvalue: a first-order saddle.
  bool saddle_confirmed = false;
  /// max E along the straight segment start→end (sampled at 10 (images − 1) + 1 points) − E_0:
  /// an upper bound on the barrier of the minimum-energy path.
  double linear_barrier = 0.0;
  bool converged = false;
  int iterations = 0;
  double max_force = 0.0;  ///< max_i ‖F_i‖₂ at the end
};

/// M-25: the climbing-image nudged elastic band (Henkelman & Jónsson 2000, improved tangent)
/// between `start` and `end` (usually two minima of the energy) on field.energy with
/// field.energy_gradient. The band starts on the straight segment. Not converging is reported
/// (converged = false). Throws std::invalid_argument when the field has no energy, for bad
/// endpoints (size, NaN, equal) or options (images < 3, spring, step, tolerance ≤ 0, ...).
NebResult nudged_elastic_band(const VectorField& field, const Eigen::VectorXd& start,
                              const Eigen::VectorXd& end, const NebOptions& options = {});

/// Writes the energy profile as CSV: image, arc_length, energy, then one column per coordinate
/// (named by `names`, default x0, x1, ...). Throws std::invalid_argument when names has the wrong
/// size; engram::Error when the file cannot be written.
void write_neb_profile(const std::filesystem::path& path, const NebResult& result,
                       const std::vector<std::string>& names = {});

}  // namespace engram
