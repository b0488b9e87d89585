// Internal: what the recurrent models' (classical, continuous) batched recall loops share: one
// random stream per sample, the energy trace stacked from per-pass rows, and the asynchronous
// sweep with an incrementally maintained field.
#pragma once

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include "engram/core/rng.hpp"
#include "engram/core/types.hpp"

namespace engram::detail {

/// One stream per sample b, seeded from (seed, b), so a sample's result does not depend on the
/// other rows of the batch.
inline std::vector<Rng> sample_streams(std::uint64_t seed, Index B) {
  std::vector<Rng> rngs;
  rngs.reserve(static_cast<std::size_t>(B));
  for (Index b = 0; b < B; ++b)
    rngs.emplace_back(seed + 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(b + 1));
  return rngs;
}

/// Energy rows (one B-vector per pass) as the (passes) × B trace.
inline Eigen::MatrixXd stack_rows(const std::vector<Eigen::VectorXd>& rows, Index B) {
  Eigen::MatrixXd trace(static_cast<Index>(rows.size()), B);
  for (std::size_t t = 0; t < rows.size(); ++t) trace.row(static_cast<Index>(t)) = rows[t];
  return trace;
}

/// One asynchronous sweep over the units of `x` (a row) in a random order: x_i ← unit(x_i, h_i),
/// and after a change h += W[i, :] Δx_i (W symmetric, so row i is column i and contiguous).
/// `order` is scratch of one entry per unit.
template <class Row, class Field, class Weights, class Unit>
void random_order_sweep(Row x, Field h, const Weights& W, std::vector<Index>& order, Rng& rng,
                        const Unit& unit) {
  std::iota(order.begin(), order.end(), Index{0});
  std::shuffle(order.begin(), order.end(), rng.engine());
  for (Index i : order) {
    const auto updated = unit(x(i), h(i));
    if (updated == x(i)) continue;
    h.noalias() += (updated - x(i)) * W.row(i);
    x(i) = updated;
  }
}

}  // namespace engram::detail
