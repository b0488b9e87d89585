// Basins of attraction and landscape metrics (SPEC M-24): which attractor each start reaches, as a
// 2-D map (and its picture) or as Monte Carlo fractions with confidence intervals in any
// dimension; attractor and saddle counts, energies, gaps and barriers from a list of fixed points.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "engram/analysis/fixed_points.hpp"
#include "engram/analysis/integrate.hpp"

namespace engram {

/// How a start is followed to an attractor.
struct BasinOptions {
  /// The integrator (method, dt, tolerances, max_steps); `stop` and `record_every` are set by the
  /// basin routines. Default: dopri5 with tolerances 1e-6 (a basin is a coarse question).
  IntegrateOptions integrate = [] {
    IntegrateOptions o;
    o.abs_tol = o.rel_tol = 1e-6;
    return o;
  }();
  /// A start that has not come within capture_radius of an attractor by t_max reached none.
  double t_max = 100.0;
  /// Euclidean distance from an attractor that counts as having reached it.
  double capture_radius = 1e-3;
  /// When given (n values each), a trajectory that leaves [escape_lower, escape_upper] reached no
  /// attractor: it is stopped there instead of being followed to t_max (or to infinity).
  Eigen::VectorXd escape_lower, escape_upper;
};

/// The index of the first attractor (in list order) whose capture_radius-ball the trajectory from
/// x0 enters within options.t_max, or −1 (none reached, or the trajectory diverged).
int basin_of(const VectorField& field, const std::vector<Eigen::VectorXd>& attractors,
             const Eigen::VectorXd& x0, const BasinOptions& options = {});

/// A 2-D basin map: label(i, j) is the attractor reached from (xs(j), ys(i)), −1 for none.
struct BasinMap {
  Eigen::MatrixXi labels;  ///< ny × nx; row i is y = ys(i) (increasing), column j is x = xs(j)
  Eigen::VectorXd xs;      ///< nx cell centres, x_lo + (j + ½)(x_hi − x_lo)/nx
  Eigen::VectorXd ys;      ///< ny cell centres
  int attractors = 0;      ///< how many attractors were given
};

/// M-24: the basin map of a 2-D field on an nx × ny grid of cell centres over
/// [x_range[0], x_range[1]] × [y_range[0], y_range[1]]. Throws for a field that is not 2-D, no
/// attractors or a wrongly sized/non-finite one, an empty or reversed range, nx or ny < 1, or bad
/// options (t_max ≤ 0, capture_radius ≤ 0).
BasinMap basin_map(const VectorField& field, const std::vector<Eigen::VectorXd>& attractors,
                   std::array<double, 2> x_range, std::array<double, 2> y_range, Index nx, Index ny,
                   const BasinOptions& options = {});

/// The colour of attractor k in basin pictures: a fixed palette of 10 distinct colours (cycled for
/// k ≥ 10); −1 (unreached) is black. RGB in [0, 1].
std::array<float, 3> basin_colour(int label);

/// Writes a labels grid (ny × nx, entries ≥ −1, row 0 at the lowest y) as a PNG with y increasing
/// upwards, each attractor in basin_colour(k), each cell scale × scale pixels. Throws
/// std::invalid_argument for an empty grid, labels < −1 or scale < 1; engram::Error when the file
/// cannot be written.
void write_basin_map(const std::filesystem::path& path, const Eigen::MatrixXi& labels,
                     int scale = 1);

/// A proportion with its 95% Wilson score interval.
struct Proportion {
  int count = 0;
  double fraction = 0.0;  ///< count / samples
  double lower = 0.0;     ///< Wilson interval, z = 1.959964
  double upper = 0.0;
};

/// The Wilson score interval of `count` successes in `samples` trials at normal quantile z:
/// (p + z²/2N ± z √(p(1 − p)/N + z²/4N²)) / (1 + z²/N).
Proportion wilson_interval(int count, int samples, double z = 1.959963984540054);

/// Monte Carlo estimates of basin sizes.
struct BasinFractions {
  std::vector<Proportion> attractors;  ///< one per attractor, in the order given
  Proportion unreached;                ///< starts that reached none by t_max
  int samples = 0;
};

/// M-24: the fraction of the box [lower, upper] (any dimension) draining into each attractor,
/// from `samples` starts drawn uniformly with `seed`, with 95% Wilson intervals. Throws for bad
/// bounds (size, NaN, lower ≥ upper), samples < 1, or bad attractors/options as basin_map.
BasinFractions basin_fractions(const VectorField& field,
                               const std::vector<Eigen::VectorXd>& attractors,
                               const Eigen::VectorXd& lower, const Eigen::VectorXd& upper,
                               int samples, std::uint64_t seed = 0,
                               const BasinOptions& options = {});

/// Summary of a landscape from its fixed points (attractors: stable nodes and spirals).
struct Landscape {
  int attractor_count = 0;
  int saddle_count = 0;
  int repeller_count = 0;       ///< unstable nodes and spirals
  std::vector<int> attractors;  ///< indices into the fixed-point list
  std::vector<int> saddles;     ///< indices into the fixed-point list
  /// Energies of the attractors and saddles above (in that order); empty without an energy.
  Eigen::VectorXd attractor_energies, saddle_energies;
  bool has_energy = false;
  /// The attractor of lowest energy (index into the list), −1 without an energy or attractors.
  int deepest = -1;
  /// E(second lowest attractor) − E(deepest); NaN with fewer than two attractors or no energy.
  double energy_gap = 0.0;
  /// min over saddles of E(saddle) − E(deepest): an estimate of the barrier out of the deepest
  /// well (exact when the lowest saddle borders it); NaN without saddles or energy.
  double barrier = 0.0;
};

/// M-24: counts and energies of the attractors and saddles among `points` (e.g. from
/// find_fixed_points). Energies are taken from the points (field.energy when a point lacks one
/// and the field has it). Throws when a point's size differs from field.dim().
Landscape landscape(const VectorField& field, const std::vector<FixedPoint>& points);

}  // namespace engram
