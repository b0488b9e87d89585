// ModernHopfield<T>: the continuous modern Hopfield network of Ramsauer et al. 2021 (SPEC M-12):
// log-sum-exp energy, the one-step softmax update (attention), iterated and gradient retrieval.
#pragma once

#include <optional>

#include "engram/dynamics/relax.hpp"
#include "engram/graph.hpp"
#include "engram/io/model_file.hpp"
#include "engram/models/retrieval.hpp"
#include "engram/models/retrieval_partials.hpp"

namespace engram {

/// How ModernHopfield::retrieve iterates the update.
struct ModernRetrieveOptions {
  /// Upper bound on the number of updates per query.
  int max_steps = 100;
  /// A query has converged when its update moved it by ‖Δx‖∞ ≤ tolerance · (1 + ‖x‖∞); it is then
  /// held. Unset: √ε of the scalar type. 0: stop only at an exact fixed point or max_steps.
  std::optional<double> tolerance;
  /// Record E after every update (Retrieval::energy_trace). Each energy needs the overlaps of the
  /// new state, so for a few updates the trace costs up to one extra half pass over Ξ; false
  /// leaves the trace empty and does exactly one fused pass per update.
  bool record_trace = true;
};

/// M-12: K stored patterns Ξ (K × D, one per row) and an inverse temperature β > 0. Per query x:
///   E(x) = −β⁻¹ log Σ_μ exp(β ξ_μ·x) + ½ xᵀx
///   update: x ← Ξᵀ softmax(βΞx)        (the CCCP step: E never increases)
/// The energy leaves out the paper's constants β⁻¹ log K + ½M² (M = max_μ ‖ξ_μ‖), which make it
/// non-negative but change no dynamics. (Seed 000 drops the 1/β in front of lse: a known error.)
/// One update with β = 1/√d, queries Q and Ξ = K = V is attention softmax(QKᵀ/√d)V (seed 002 §IV).
///
///   ModernHopfield<float> net(patterns, 8.0);    // patterns: K × D
///   Retrieval<float> r = net.retrieve(cues);     // cues: B × D
///
/// The update is fused: Ξ is swept in blocks of `block` memories (a GEMM for the overlaps of a
/// block, a stable running softmax, a GEMM back; see retrieval_partials.hpp), so no K-wide buffer
/// is formed per query (4096 measured fastest at D = 784 on this 2-core machine: `make bench`).
/// graph() builds the same model as an EnergyGraph; tests hold the two equal.
template <class T>
class ModernHopfield {
 public:
  /// `xi`: K × D patterns, non-empty and finite; β > 0; `block` ≥ 1 memories per fused block.
  ModernHopfield(Mat<T> xi, double beta, Index block = 4096);

  Index num_patterns() const { return xi_.rows(); }
  Index dim() const { return xi_.cols(); }
  double beta() const { return beta_; }
  Index block() const { return block_; }
  const Mat<T>& patterns() const { return xi_; }

  /// E(x) per row of `states` (B × D), in double.
  Energies energy(const MatCRef<T>& states) const;

  /// One update x ← Ξᵀ softmax(βΞx) of every row of `states` (B × D); returns B × D.
  Mat<T> update(const MatCRef<T>& states) const;

  /// The softmax weights softmax(βΞq) of every query (B × D); returns B × K, rows sum to 1.
  Mat<T> attention(const MatCRef<T>& queries) const;

  /// Iterates the update from `queries` (B × D) until each query converges or max_steps. The
  /// trace holds E before the first update and after each one.
  Retrieval<T> retrieve(const MatCRef<T>& queries, const ModernRetrieveOptions& options = {}) const;

  /// Gradient-descent retrieval: relax() on graph() from `queries` (B × D),
  /// x ← x − dt (x − Ξᵀ softmax(βΞx)). steps counts the accepted steps that moved each query; the
  /// trace is relax's (empty when options.record_trace is false).
  Retrieval<T> retrieve_by_descent(const MatCRef<T>& queries,
                                   const RelaxOptions& options = {}) const;

  /// The model as an energy graph: layer "x" (D units, identity Lagrangian, E_x = ½‖x‖²) and
  /// synapse "memory" (MemorySynapse with log_sum_exp(β)). Its energy equals energy().
  EnergyGraph<T> graph() const;

  /// kind "modern_hopfield", config {"beta": β}, tensor "xi" (K × D).
  ModelFile<T> to_file() const;
  /// Rebuilds the model; throws std::invalid_argument naming what is missing or wrong.
  static ModernHopfield from_file(const ModelFile<T>& file);

 private:
  /// Buffers of the fused pass, reused from step to step.
  struct Workspace {
    LsePartial<T> acc;
    Mat<T> logits;
  };
  /// Fused pass over Ξ in blocks: E(x) per row into `energy` (if not null) and the update into
  /// `next` (B × D).
  void step(const MatCRef<T>& states, Energies* energy, MatRef<T> next, Workspace& ws) const;
  void check_states(const MatCRef<T>& states, const char* who) const;

  Mat<T> xi_;
  double beta_;
  Index block_;
};

}  // namespace engram
