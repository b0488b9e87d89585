// The whole-system analysis behind `engram analyze` and engram.analyze (SPEC M-21 … M-26): fixed
// points in a box with their stability, landscape metrics, Monte Carlo basin fractions, energy
// barriers between attractors and, for planar systems, limit cycles, as one report.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "engram/analysis/attractors.hpp"
#include "engram/analysis/basins.hpp"
#include "engram/analysis/fixed_points.hpp"
#include "engram/analysis/neb.hpp"
#include "engram/analysis/vector_field.hpp"

namespace engram {

struct AnalyzeOptions {
  /// The box searched: lower < upper per coordinate (n values each).
  Eigen::VectorXd lower, upper;
  /// Random starts of the fixed-point search, and the seed of every random draw.
  int starts = 64;
  std::uint64_t seed = 1;
  /// Monte Carlo starts for the basin fractions (0: skip them).
  int samples = 200;
  BasinOptions basin;
  /// Barriers by nudged elastic band from the deepest attractor to each other one (fields with an
  /// energy and at least two attractors).
  bool barriers = true;
  NebOptions neb;
  /// Planar systems: look for a limit cycle from the box's centre and next to each repeller,
  /// integrating for t_max / 2 before watching for t_max / 2.
  bool limit_cycles = true;
  double cycle_t_max = 200.0;
};

/// A barrier between two attractors (indices into the fixed-point list).
struct BarrierReport {
  int from = 0, to = 0;
  NebResult neb;
};

struct AnalysisReport {
  std::string description;
  std::vector<std::string> names;
  Index dim = 0;
  AnalyzeOptions options;
  FixedPointSearch search;
  Landscape landscape;
  /// Basin fractions of the attractors (landscape.attractors, in that order), when sampled.
  std::optional<BasinFractions> basins;
  std::vector<BarrierReport> barriers;
  /// Planar systems: the search for a periodic orbit from the box's centre and next to each
  /// repeller (the first periodic one found, else the last attempt).
  std::optional<LimitCycle> limit_cycle;
  /// A manifold of fixed points (line, ring) among the non-hyperbolic ones, when there are enough.
  std::optional<ContinuousAttractor> continuous_attractor;
  double seconds = 0.0;
};

/// options.basin, with trajectories that leave the box widened by twice its width on every side
/// counted as reaching no attractor (unless options.basin sets its own escape region).
BasinOptions escaping_basin_options(const AnalyzeOptions& options);

/// Runs the analysis of `field` in the box of `options`. Throws std::invalid_argument for a bad
/// box or options (see find_fixed_points, basin_fractions, nudged_elastic_band).
AnalysisReport analyze(const VectorField& field, const AnalyzeOptions& options);

/// The report as JSON: {"system", "variables", "box", "fixed_points": [{"x", "residual",
/// "eigenvalues": [[re, im], ...], "classification", "energy"}], "search", "landscape", "basins",
/// "barriers", "limit_cycle", "seconds"}; NaN and missing values are null.
nlohmann::json to_json(const AnalysisReport& report);

}  // namespace engram
