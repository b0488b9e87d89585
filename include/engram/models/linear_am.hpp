// LinearAssociativeMemory<T>: the linear associative memory of seed 002 §III (SPEC M-14): outer-
// product weights and recall by one linear map, auto-associative (completion) or
// hetero-associative.
#pragma once

#include "engram/io/model_file.hpp"
#include "engram/models/retrieval.hpp"

namespace engram {

/// What recall does to W c before returning it.
enum class LinearNormalization {
  none,       ///< y = W c
  unit_norm,  ///< y = W c / ‖W c‖ (a zero y stays 0)
};

struct LinearRecallOptions {
  LinearNormalization normalization = LinearNormalization::none;
};

/// M-14: stored pairs (x_μ → y_μ), W = Σ_μ y_μ x_μᵀ (value size × key size); recall y = W c.
/// Auto-associative (y_μ = x_μ = v_μ): W = Σ_μ v_μ v_μᵀ = VᵀV for patterns V (P × D, one per row;
/// seed 002 eq. 10 writes VVᵀ with patterns as columns). Then
///   W c = Σ_μ v_μ (v_μ · c),
/// so a partial cue c = v_k^{(1)} (v_k with entries zeroed, v_k = v_k^{(1)} + v_k^{(2)}, the parts
/// orthogonal) returns the *whole* pattern scaled by the overlap, (v_k · c) v_k = ‖c‖² v_k, plus
/// the crosstalk Σ_{μ≠k} (v_μ · c) v_μ, which vanishes when no other pattern overlaps the cue
/// (seed 002 eq. 19 misprints the result as d·v^{k1}, the partial cue itself). Orthonormality
/// of the patterns alone does not remove the crosstalk of a partial cue (v_μ ⊥ v_k does not make
/// v_μ ⊥ v_k^{(1)}); it makes W v_k = v_k exactly.
///
/// Energy (auto-associative only): E(x) = −½ xᵀWx = −½ Σ_μ (v_μ·x)², the quadratic form whose
/// negative gradient is W x. It is unbounded below (W is positive semi-definite), so it ranks
/// states by their overlap with the memories; recall is not a descent on it.
///
///   auto am = LinearAssociativeMemory<double>::auto_associative(V);   // V: P × D
///   Retrieval<double> r = am.recall(partial_cues);                     // B × D
template <class T>
class LinearAssociativeMemory {
 public:
  /// W = Σ_μ v_μ v_μᵀ from `patterns` (P × D, finite, P, D ≥ 1); W exactly symmetric.
  static LinearAssociativeMemory auto_associative(const MatCRef<T>& patterns);
  /// W = Σ_μ y_μ x_μᵀ = Yᵀ X from `keys` X (P × D_in) and `values` Y (P × D_out), finite.
  static LinearAssociativeMemory hetero_associative(const MatCRef<T>& keys,
                                                    const MatCRef<T>& values);

  /// A memory from its weights (D_out × D_in, finite); an auto-associative W must be square and
  /// symmetric (up to 64 ε max|W|, then made exact).
  LinearAssociativeMemory(Mat<T> W, bool auto_associative);

  bool is_auto_associative() const { return auto_; }
  Index key_size() const { return W_.cols(); }
  Index value_size() const { return W_.rows(); }
  const Mat<T>& W() const { return W_; }

  /// M-14: y = W c for each row of `cues` (B × D_in), then the normalization. Retrieval: states
  /// B × D_out, steps 1, converged true; energy_trace 2 × B, E(cue) and E(y) for an auto-
  /// associative memory, NaN for a hetero-associative one (it has no energy).
  Retrieval<T> recall(const MatCRef<T>& cues, const LinearRecallOptions& options = {}) const;

  /// E(x) = −½ xᵀWx per row of `states` (B × D); auto-associative memories only.
  Energies energy(const MatCRef<T>& states) const;

  /// kind "linear_am"; config {"associative": "auto"|"hetero", "key_size", "value_size"};
  /// tensor "W" (value_size × key_size).
  ModelFile<T> to_file() const;
  static LinearAssociativeMemory from_file(const ModelFile<T>& file);

 private:
  Mat<T> W_;
  bool auto_;
};

}  // namespace engram
