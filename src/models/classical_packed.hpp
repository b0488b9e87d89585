// Internal kernels of ClassicalHopfield: the ±1 update rule shared by every path, and the
// bit-packed synchronous step for Hebbian weights (overlaps by XOR/popcount, exact integers).
#pragma once

#include <cstdint>
#include <vector>

#include "engram/core/types.hpp"

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

/// P stored ±1 patterns of N units, packed 64 units per word (bit set ⇔ −1), for the Hebbian
/// weights W = (ΞᵀΞ − P·I)/N. For a state s with entries in {−1, 0, +1}:
///   overlap  m_μ = ξ_μ·s = |known| − 2·popcount((ξ_μ XOR s) AND known),
///   field    N h_i = Σ_μ ξ_μi m_μ − P s_i         (the diagonal ξ_μi² s_i taken out),
///   energy   E = −½ sᵀWs = −(Σ_μ m_μ² − P Σ_i s_i²) / (2N),
/// all exact: the overlaps are integers and N·h is a GEMM of integers bounded by P·N, in float
/// when P·N < 2^24 and in double (< 2^53) otherwise.
class PackedPatterns {
 public:
  /// `patterns` is P × N with entries ±1 (checked by the caller).
  explicit PackedPatterns(const Mat<double>& patterns);

  Index count() const { return xi_.rows(); }
  Index size() const { return xi_.cols(); }

  /// M (B × P): M(b, μ) = ξ_μ · s_b for states B × N with entries in {−1, 0, +1}.
  template <class T>
  void overlaps(const MatCRef<T>& states, Mat<double>& M) const;

  /// One synchronous update of `states` (B × N, entries in {−1, 0, +1}): writes the new states
  /// into `next` and the energy of `states` into `energy`.
  template <class T>
  void step(const MatCRef<T>& states, Mat<T>& next, Energies& energy) const;

 private:
  Index words_;                      // 64-unit words per pattern
  std::vector<std::uint64_t> bits_;  // P × words_, row-major
  Mat<double> xi_;                   // P × N, the patterns for the field GEMM
  Mat<float> xi_float_;              // the same in float when P·N < 2^24 (exact there), else empty
};

}  // namespace engram::detail
