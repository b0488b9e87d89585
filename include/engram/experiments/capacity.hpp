// The capacity experiment behind `engram capacity` (SPEC M-16): store P random ±1 patterns of N
// units for a range of loads α = P/N, start the dynamics at each stored pattern (optionally with
// flipped bits) and measure how far the network drifts. The CLI and Python run this same code.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engram/core/types.hpp"
#include "engram/experiments/recall.hpp"

namespace engram {

struct CapacityConfig {
  /// classical, dense or modern.
  ModelFamily model = ModelFamily::classical;
  /// Units per pattern.
  Index n = 200;
  /// Independent pattern sets per load.
  int trials = 10;
  /// Loads α = P/N to test (sorted and de-duplicated before use); empty picks each family's
  /// default grid: classical 0.02–0.30 by 0.01, dam 0.25–6 by 0.25, modern 1–20 by 1.
  std::vector<double> loads;
  /// Fraction of bits flipped in the cue (0: start at the stored pattern itself, as in
  /// Amit–Gutfreund–Sompolinsky's stability criterion).
  double flip = 0.0;
  /// A pattern counts as retrieved when its final bit error is at most this (AGS: 1.5%).
  double tolerance = 0.015;
  std::uint64_t seed = 1;
  /// modern: β (default 1); dam: F (default "polynomial(n=3)") and the β of an exponential F.
  std::optional<double> beta;
  std::string interaction;
  /// Classical: "async" (default, as in the theory) or "sync".
  std::string mode = "async";
  /// Update budget per cue; unset: the family's default (see RecallConfig).
  std::optional<int> max_steps;
  std::function<void(Index, Index)> on_progress;
};

/// One row of the capacity table.
struct CapacityPoint {
  double load = 0;
  Index patterns = 0;
  /// Mean over trials and patterns of the fraction of bits that differ at the end.
  double bit_error_rate = 0;
  /// Its standard error over the trials (NaN for a single trial).
  double bit_error_stderr = 0;
  /// Fraction of patterns whose final bit error exceeds the tolerance.
  double failure_rate = 0;
  double mean_steps = 0;
};

struct CapacityReport {
  CapacityConfig config;
  std::string model_description;
  std::vector<CapacityPoint> points;
  /// The load where the mean bit error first exceeds the tolerance, linearly interpolated
  /// between the grid points around the crossing; empty when it never does within the grid.
  std::optional<double> critical_load;
  /// Why there is no critical load, when there is none.
  std::string critical_note;
  double seconds = 0;
};

CapacityReport run_capacity(const CapacityConfig& config);

}  // namespace engram
