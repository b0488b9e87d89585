// Small RBMs for tests: every binary vector of a length, and a random RBM from a seed.
#pragma once

#include <cstdint>

#include "engram/core/rng.hpp"
#include "engram/models/rbm.hpp"

namespace engram::test {

/// Every binary vector of length n, one per row (row r holds the bits of r).
inline Mat<double> all_binary(Index n) {
  Mat<double> s(Index{1} << n, n);
  for (Index r = 0; r < s.rows(); ++r)
    for (Index i = 0; i < n; ++i) s(r, i) = static_cast<double>((r >> i) & 1);
  return s;
}

/// A V × H RBM with W, b and c drawn from N(0, scale²).
inline BernoulliRBM<double> random_rbm(Index V, Index H, double scale, std::uint64_t seed) {
  Rng rng(seed);
  return BernoulliRBM<double>(rng.normal<double>(V, H, 0, scale),
                              rng.normal<double>(1, V, 0, scale),
                              rng.normal<double>(1, H, 0, scale));
}

}  // namespace engram::test
