// Seeded random numbers: every random draw in engram goes through an Rng made from an explicit
// seed, so results are reproducible run to run (no global state).
#pragma once

#include <cstdint>
#include <random>

#include "engram/core/types.hpp"

namespace engram {

/// A seeded 64-bit Mersenne Twister with the draws engram needs.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  /// Matrix of rows × cols with entries uniform in [lo, hi).
  template <class T>
  Mat<T> uniform(Index rows, Index cols, double lo = 0.0, double hi = 1.0);

  /// Matrix of rows × cols with entries normal(mean, stddev).
  template <class T>
  Mat<T> normal(Index rows, Index cols, double mean = 0.0, double stddev = 1.0);

  /// One number uniform in [lo, hi).
  double real(double lo, double hi);

  /// A uniform integer in [0, n).
  Index index(Index n);

  std::mt19937_64& engine() { return engine_; }

 private:
  std::mt19937_64 engine_;
};

}  // namespace engram
