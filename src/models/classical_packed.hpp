// Internal kernels of ClassicalHopfield: the ±1 update rule shared by every path, and the
// bit-packed recall for Hebbian weights (overlaps by XOR/popcount, exact integer fields).
#pragma once

#include <cstdint>
#include <vector>

#include "engram/core/cpu.hpp"
#include "engram/core/types.hpp"
#include "engram/models/retrieval.hpp"

namespace engram::detail {

/// M-10: the new state of one unit with field h: sign(h); a tie (h exactly 0) keeps the state,
/// and an unknown unit (state 0) at a tie becomes +1, so every unit is ±1 after its first update.
template <class T, class F>
T next_unit(T s, F h) {
  if (h > F(0)) return T(1);
  if (h < F(0)) return T(-1);
  return s == T(0) ? T(1) : s;
}

/// Whether one state row is a fixed point of the update: every unit ±1, and its field of its own
/// sign or exactly 0.
template <class S, class H>
bool is_fixed_point(const S& s, const H& h) {
  for (Index i = 0; i < s.size(); ++i)
    if (next_unit(s(i), h(i)) != s(i)) return false;
  return true;
}

/// P stored ±1 patterns of N units for the Hebbian weights W = (ΞᵀΞ − P·I)/N, packed 64 units per
/// word (bit set ⇔ −1). For a state s with entries in {−1, 0, +1}:
///   overlap  m_μ = ξ_μ·s = |known| − 2·popcount((ξ_μ XOR s) AND known),
///   field    N h_i = Σ_μ ξ_μi m_μ − P s_i         (the diagonal ξ_μi² s_i taken out),
///   energy   E = −½ sᵀWs = −(Σ_μ m_μ² − P Σ_i s_i²) / (2N),
/// all exact: overlaps are integers and N·h is a sum of integers bounded by P·N, formed in float
/// when P·N < 2^24 and in double (< 2^53) otherwise.
///
/// Synchronous recall keeps the batch as bit rows from start to end: per iteration the overlaps
/// of the rows still changing (popcount), their fields as one GEMM M Ξ, and the new sign bits
/// straight from the fields. Asynchronous recall keeps each sample's overlaps up to date: unit i
/// reads N h_i = Ξ[:, i]·m − P s_i (P operations) and a flip moves m by Δs_i Ξ[:, i]; samples run
/// in parallel threads, each on its own random stream. Both give the same states, steps,
/// convergence and energies as the floating-point paths (ClassicalHopfield::recall documents
/// them), exactly where those are exact.
class PackedPatterns {
 public:
  /// `patterns` is P × N with entries ±1 (checked by the caller).
  explicit PackedPatterns(const Mat<double>& patterns);

  Index count() const { return P_; }
  Index size() const { return N_; }

  /// Synchronous recall of `cues` (B × N, entries in {−1, 0, +1}), at most max_iterations updates.
  template <class T>
  Retrieval<T> recall_synchronous(const MatCRef<T>& cues, int max_iterations,
                                  BitKernel kernel) const;

  /// Asynchronous recall: sample b sweeps its units in orders drawn from its own stream
  /// (detail::sample_streams(seed, B)[b]), at most max_iterations sweeps.
  template <class T>
  Retrieval<T> recall_asynchronous(const MatCRef<T>& cues, int max_iterations, std::uint64_t seed,
                                   BitKernel kernel) const;

 private:
  template <class F, class T>
  Retrieval<T> synchronous(const MatCRef<T>& cues, int max_iterations, BitKernel kernel,
                           const Mat<F>& xi) const;
  template <class F, class T>
  Retrieval<T> asynchronous(const MatCRef<T>& cues, int max_iterations, std::uint64_t seed,
                            BitKernel kernel, const Mat<F>& xi_t) const;

  Index P_, N_, words_;
  std::vector<std::uint64_t> bits_;  // P × words_, row-major
  // The patterns for the field products, in float when P·N < 2^24 (exact there) else in double:
  // Ξ (P × N) for the synchronous GEMM, Ξᵀ (N × P) so unit i's column is a contiguous row.
  Mat<float> xi_float_, xi_t_float_;
  Mat<double> xi_double_, xi_t_double_;
};

}  // namespace engram::detail
