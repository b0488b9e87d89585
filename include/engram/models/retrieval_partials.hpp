// Log-sum-exp retrieval partials (SPEC M-12; DESIGN.md, "Growing past one machine"): what one
// block (shard) of memories contributes to a modern-Hopfield retrieval, and their exact merge.
#pragma once

#include "engram/core/types.hpp"

namespace engram {

/// What a block of memories Ξ_b (K_b × D) contributes, per query q (row of Q, B × D), to
///   lse(βΞq) = max + log(sum)   and   Ξᵀ softmax(βΞq) = weighted / sum,
/// with logits ℓ_μ = β ξ_μ·q over the block:
///   max      = max_μ ℓ_μ                      B values (−∞ for an empty block)
///   sum      = Σ_μ exp(ℓ_μ − max)             B values in [1, K_b] (0 for an empty block)
///   weighted = Σ_μ exp(ℓ_μ − max) ξ_μ         B × D
/// Partials of disjoint blocks merge exactly (lse_merge is associative and commutative up to
/// rounding), so a retrieval over P shards is one reduction of P partials.
template <class T>
struct LsePartial {
  Vec<T> max;
  Vec<T> sum;
  Mat<T> weighted;

  /// The partial of no memories: the identity of lse_merge.
  static LsePartial empty(Index batch, Index dim);
};

/// The partial of the block `xi_block` (K_b × D, K_b ≥ 0) for `queries` (B × D) at inverse
/// temperature β > 0. Two GEMMs: logits β Q Ξ_bᵀ (B × K_b), then weights · Ξ_b (B × D).
template <class T>
LsePartial<T> lse_partial(const MatCRef<T>& xi_block, const MatCRef<T>& queries, double beta);

/// The partial of the union of two disjoint blocks:
///   M = max(a.max, b.max), sum = a.sum e^{a.max−M} + b.sum e^{b.max−M}, likewise weighted.
template <class T>
LsePartial<T> lse_merge(const LsePartial<T>& a, const LsePartial<T>& b);

/// acc ← lse_merge(acc, lse_partial(xi_block, queries, beta)) in place (online softmax).
/// `logits` is scratch (resized when smaller than B × K_b), kept between calls so a loop over
/// blocks and steps does not allocate.
template <class T>
void lse_accumulate(LsePartial<T>& acc, const MatCRef<T>& xi_block, const MatCRef<T>& queries,
                    double beta, Mat<T>& logits);

/// lse(βΞq) = max + log(sum) per query, in double; −∞ for an empty partial.
template <class T>
Energies lse_value(const LsePartial<T>& p);

/// Ξᵀ softmax(βΞq) = weighted / sum per query, written into `out` (B × D).
template <class T>
void lse_average(const LsePartial<T>& p, MatRef<T> out);

}  // namespace engram
