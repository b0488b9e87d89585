// Attractor kinds beyond points (SPEC M-26): periodic orbits detected from a trajectory's returns
// to a Poincaré section, and continuous attractors (lines, rings) recognised in a family of fixed
// points whose zero eigenvalue points along the family.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "engram/analysis/fixed_points.hpp"
#include "engram/analysis/integrate.hpp"

namespace engram {

struct LimitCycleOptions {
  /// The integrator; `record_every` and `stop` are set here. Default: dopri5 at 1e-10.
  IntegrateOptions integrate = [] {
    IntegrateOptions o;
    o.abs_tol = o.rel_tol = 1e-10;
    return o;
  }();
  /// Sampling interval of the observed window (crossing times are then refined by cubic Hermite
  /// interpolation with the rates at the samples, so they are far finer than this).
  double sample_dt = 0.01;
  /// The section: coordinate `coordinate` crossing `level` upwards. NaN: the midpoint of that
  /// coordinate's range over the window.
  Index coordinate = 0;
  double level = std::numeric_limits<double>::quiet_NaN();
  /// Periodic when the last `min_returns` crossings come back within tolerance · (largest
  /// amplitude) of each other and their periods agree within tolerance · period.
  double tolerance = 1e-4;
  int min_returns = 3;
  /// Every coordinate's range over the last quarter of the window below this: the orbit has
  /// settled on a fixed point.
  double min_amplitude = 1e-6;
};

/// A periodic orbit found (or not) after a transient.
struct LimitCycle {
  bool found = false;
  /// "periodic", "fixed_point" (the motion died out), "no_returns" (fewer than min_returns
  /// crossings), "irregular" (returns that do not repeat: quasi-periodic, chaotic, still settling),
  /// "diverged" (the integration failed).
  std::string status;
  double period = 0.0;  ///< mean time between the last min_returns crossings
  /// Per coordinate over the last period, between samples by cubic Hermite interpolation.
  Eigen::VectorXd minimum;
  Eigen::VectorXd maximum;
  Eigen::VectorXd amplitude;  ///< maximum − minimum (peak to peak), per coordinate
  Eigen::MatrixXd cycle;      ///< the states of one period (rows), from one crossing to the next
  Eigen::VectorXd section_point;  ///< the last crossing of the section
  int returns = 0;                ///< crossings of the section in the window
  double period_spread = 0.0;     ///< max |T_k − period| over the last periods
  double return_distance = 0.0;   ///< max distance between successive last crossings
};

/// M-26: integrates from x0 to t = transient (discarded), then observes [transient, t_max] and
/// looks for a periodic orbit by its returns to the section x_c = level (upward crossings).
/// Throws for a bad x0, transient < 0, t_max ≤ transient, or bad options (sample_dt ≤ 0, a
/// coordinate outside [0, n), min_returns < 2, tolerance ≤ 0).
LimitCycle detect_limit_cycle(const VectorField& field, const Eigen::VectorXd& x0, double transient,
                              double t_max, const LimitCycleOptions& options = {});

struct ContinuousAttractorOptions {
  /// A zero eigenvalue: |λ| ≤ zero_tol · max(1, ρ).
  double zero_tol = 1e-6;
  /// Fixed points closer than this are neighbours on one family. 0: max(10, 3 (ln N + 1)) times
  /// the median edge of the N candidates' minimum spanning tree (random samples of a curve leave
  /// gaps up to about ln N times the mean spacing).
  double link_distance = 0.0;
  /// Fewest fixed points that make a family.
  int min_points = 5;
  /// The zero-eigenvalue eigenvector v must be tangent to the family at every member x: the root
  /// solver started at x + δv (δ = 10⁻³ link distance) must end at some y with
  /// |(y − x)·v| / max(δ, ‖y − x‖) ≥ min_alignment (about 1 along a manifold of fixed points, about
  /// 0 at an isolated point, where the solver falls back to x).
  double min_alignment = 0.9;
  /// Shape tests: a line when the second principal extent is below shape_tol of the first; a
  /// circle when planar to shape_tol and every radius within shape_tol of the fitted one.
  double shape_tol = 1e-3;
  /// A link is filled when the root solver started at its midpoint ends within a quarter of the
  /// link's length, with ‖f‖ ≤ residual_tol.
  double residual_tol = 1e-9;
};

/// A manifold of fixed points found among a list of fixed points.
struct ContinuousAttractor {
  bool found = false;
  /// "line", "ring" (a closed circle), "arc" (part of a circle), "curve"; empty when not found.
  std::string shape;
  std::string reason;          ///< why not found (empty when found)
  bool attracting = false;     ///< every other eigenvalue has Re λ < 0
  std::vector<int> members;    ///< indices into the list, ordered along the family
  Eigen::MatrixXd points;      ///< members × n, in that order
  double alignment = 0.0;      ///< the smallest tangency measure (see min_alignment)
  double link_distance = 0.0;  ///< the neighbour distance used
  Eigen::VectorXd direction;   ///< a line's unit direction (first principal axis)
  Eigen::VectorXd centre;      ///< a ring's or arc's centre
  double radius = 0.0;         ///< a ring's or arc's radius
};

/// M-26: looks for the largest connected family of fixed points each having exactly one zero
/// eigenvalue whose eigenvector is tangent to the family, checks that the links between
/// neighbours are filled with fixed points (isolated non-hyperbolic points in a row are not a
/// continuum), and names its shape. Throws for points of the wrong size or bad options.
ContinuousAttractor continuous_attractor(const VectorField& field,
                                         const std::vector<FixedPoint>& points,
                                         const ContinuousAttractorOptions& options = {});

}  // namespace engram
