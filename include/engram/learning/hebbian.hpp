// The Hebbian family of learning rules for recurrent ±1 networks (SPEC M-10, M-30): weights from
// stored patterns by the Hebb, Storkey and pseudo-inverse (projection) rules.
#pragma once

#include <string>
#include <string_view>

#include "engram/core/types.hpp"

namespace engram {

/// Which rule turns stored patterns into recurrent weights.
enum class LearningRule { hebbian, storkey, pseudo_inverse };

/// "hebbian", "storkey" or "pseudo_inverse".
std::string to_string(LearningRule rule);

/// The inverse of to_string; throws std::invalid_argument naming the accepted names.
LearningRule parse_learning_rule(std::string_view name);

// Every rule takes `patterns` as P × N (one pattern ξ_μ per row, P ≥ 1, N ≥ 1) of any finite
// values: the rules are defined for real vectors, and the ±1 models (ClassicalHopfield) check ±1
// themselves. Every rule returns an N × N matrix that is exactly symmetric with a zero diagonal.
// Call them as hebbian<double>(Xi), or hebbian(Xi) for any Eigen matrix expression.

/// M-10: W = (1/N) Σ_μ ξ_μ ξ_μᵀ = ΞᵀΞ / N with W_ii = 0.
template <class T>
Mat<T> hebbian(const MatCRef<T>& patterns);

/// M-10: Storkey (1997), one pattern ξ at a time from W = 0:
///   W_ij ← W_ij + (1/N)(ξ_i ξ_j − ξ_i h_ji − h_ij ξ_j),  h_ij = Σ_{k≠i,j} W_ik ξ_k,
/// for i ≠ j, W_ii = 0. Evaluated as ΔW = (1/N)[ξξᵀ − ξhᵀ − hξᵀ + W∘(ξ²1ᵀ + 1ξ²ᵀ)] with h = Wξ,
/// which is the same sum since W is symmetric with a zero diagonal: O(P N²) in all.
template <class T>
Mat<T> storkey(const MatCRef<T>& patterns);

/// M-10: projection rule W = Ξ⁺Ξ (= Ξᵀ(ΞΞᵀ)⁻¹Ξ when the patterns are linearly independent), the
/// orthogonal projector onto the span of the patterns, computed from a column-pivoted QR of Ξᵀ in
/// double (rank-revealing, so dependent patterns are handled), then with its diagonal set to 0.
/// Zeroing the diagonal keeps every stored pattern a fixed point of sign(W s): W ξ = ξ before, so
/// afterwards the field is h_i = (1 − P_ii) ξ_i with 0 ≤ P_ii ≤ 1 (a projector's diagonal), of
/// the sign of ξ_i or exactly a tie, and a ±1 network keeps a unit whose field is 0.
template <class T>
Mat<T> pseudo_inverse(const MatCRef<T>& patterns);

/// The rule named by `rule`.
template <class T>
Mat<T> learn(const MatCRef<T>& patterns, LearningRule rule);

// Deducing forms: hebbian(Xi) for any Eigen matrix of float or double.
template <class Derived>
Mat<typename Derived::Scalar> hebbian(const Eigen::MatrixBase<Derived>& patterns) {
  return hebbian<typename Derived::Scalar>(patterns);
}
template <class Derived>
Mat<typename Derived::Scalar> storkey(const Eigen::MatrixBase<Derived>& patterns) {
  return storkey<typename Derived::Scalar>(patterns);
}
template <class Derived>
Mat<typename Derived::Scalar> pseudo_inverse(const Eigen::MatrixBase<Derived>& patterns) {
  return pseudo_inverse<typename Derived::Scalar>(patterns);
}
template <class Derived>
Mat<typename Derived::Scalar> learn(const Eigen::MatrixBase<Derived>& patterns, LearningRule rule) {
  return learn<typename Derived::Scalar>(patterns, rule);
}

}  // namespace engram
