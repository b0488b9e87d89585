// Retrieval<T>: what every associative-memory facade returns from recall, so the CLI, the Python
// package and the benchmarks read results of the classical, continuous, modern, dense and linear
// models the same way.
#pragma once

#include <vector>

#include "engram/core/types.hpp"

namespace engram {

/// The outcome of retrieving a batch of B cues of size D.
template <class T>
struct Retrieval {
  /// B × D: the retrieved states (for ±1 models, entries are ±1).
  Mat<T> states;
  /// Per sample: the number of updates (iterations, sweeps or steps) until it stopped.
  std::vector<int> steps;
  /// Per sample: whether it reached a fixed point (or met the tolerance) within the budget.
  std::vector<bool> converged;
  /// (iterations + 1) × B: the model's energy of each sample before the first update (row 0) and
  /// after each update; a sample that stopped keeps its last value in later rows.
  Eigen::MatrixXd energy_trace;
};

}  // namespace engram
