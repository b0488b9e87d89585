// Random ±1 patterns and corrupted copies, shared by the associative-memory model tests.
#pragma once

#include <algorithm>
#include <numeric>
#include <vector>

#include "engram/core/rng.hpp"
#include "engram/core/types.hpp"

namespace engram::test {

/// K × D patterns with independent, equally likely entries ±1.
inline Mat<double> binary_patterns(Index K, Index D, Rng& rng) {
  return rng.normal<double>(K, D).unaryExpr([](double v) { return v < 0 ? -1.0 : 1.0; });
}

/// `patterns` with exactly `flips` entries of every row negated, at random places.
inline Mat<double> flipped(const Mat<double>& patterns, Index flips, Rng& rng) {
  Mat<double> out = patterns;
  std::vector<Index> idx(static_cast<std::size_t>(patterns.cols()));
  for (Index b = 0; b < out.rows(); ++b) {
    std::iota(idx.begin(), idx.end(), Index(0));
    std::shuffle(idx.begin(), idx.end(), rng.engine());
    for (Index k = 0; k < flips; ++k) out(b, idx[k]) = -out(b, idx[k]);
  }
  return out;
}

/// Entrywise sign with sign(0) = +1.
inline Mat<double> signs(const Mat<double>& m) {
  return m.unaryExpr([](double v) { return v < 0 ? -1.0 : 1.0; });
}

}  // namespace engram::test
