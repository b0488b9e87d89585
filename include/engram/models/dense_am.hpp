// DenseAssociativeMemory<T>: the Dense Associative Memory of Krotov & Hopfield 2016 (SPEC M-13):
// energy −Σ_μ F(ξ_μ·σ) over ±1 states with asynchronous or synchronous updates, and continuous
// states.
#pragma once

#include <cstdint>

#include "engram/dynamics/relax.hpp"
#include "engram/graph.hpp"
#include "engram/io/model_file.hpp"
#include "engram/models/retrieval.hpp"
#include "engram/synapses/memory.hpp"

namespace engram {

/// How DenseAssociativeMemory::recall updates ±1 states.
struct DenseRecallOptions {
  /// Upper bound on the number of sweeps (each visits every unit once).
  int max_sweeps = 100;
  /// false: asynchronous, units in a fresh random order each sweep (never raises the energy);
  /// true: every unit from the same state at once (may cycle; then converged = false).
  bool synchronous = false;
  /// Sample b draws its orders from Rng(seed + b · 0x9E3779B97F4A7C15): rows are independent.
  std::uint64_t seed = 0;
  /// Record the energy after every sweep. The exponential interaction's energy overflows double
  /// once β·max overlap > ≈ 709 (the updates do not): recall then needs record_trace = false.
  bool record_trace = true;
};

/// M-13: K patterns Ξ (K × D) and an interaction F (synapses/memory.hpp). For states σ ∈ {±1}^D:
///   E(σ) = −Σ_μ F(ξ_μ·σ)    (log_sum_exp: −β⁻¹ log Σ_μ exp(βξ_μ·σ))
///   unit i: σ_i ← sign( Σ_μ F(ξ_μi + h_μ) − F(−ξ_μi + h_μ) ),  h_μ = Σ_{j≠i} ξ_μj σ_j,
/// keeping σ_i when the sum is 0, i.e. σ_i takes whichever sign has the lower energy. The
/// overlaps ξ_μ·σ are kept per sample (in double) and updated when a unit flips, so a sweep costs
/// O(KD). For exponential and log_sum_exp the difference is formed relative to the largest
/// exponent over μ (the sign is invariant to that positive factor), so D = 784 does not overflow.
/// Continuous states: graph() has layer "v" with a tanh Lagrangian of gain g (σ = tanh(gv) ∈
/// (−1, 1)) and the memory synapse; relax_continuous descends it.
///
///   DenseAssociativeMemory<double> dam(patterns, Interaction::polynomial(3));
///   Retrieval<double> r = dam.recall(cues);   // cues: B × D, entries ±1
template <class T>
class DenseAssociativeMemory {
 public:
  /// `xi`: K × D, non-empty and finite; `interaction` valid (Interaction::check); gain g > 0.
  DenseAssociativeMemory(Mat<T> xi, Interaction interaction, double gain = 1.0);

  Index num_patterns() const { return xi_.rows(); }
  Index dim() const { return xi_.cols(); }
  const Mat<T>& patterns() const { return xi_; }
  const Interaction& interaction() const { return interaction_; }
  double gain() const { return gain_; }

  /// E(σ) = −Σ_μ F(ξ_μ·σ) per row of `states` (B × D, any finite values), in double. Throws if
  /// it overflows (exponential F at large β·overlap).
  Energies energy(const MatCRef<T>& states) const;

  /// Binary recall from ±1 `cues` (B × D; 0 marks an unknown unit, which counts 0 in the overlaps
  /// until its first update and takes +1 on a tie) until a sweep changes nothing or max_sweeps.
  /// steps counts the sweeps that flipped at least one unit; the trace has a row per sweep.
  Retrieval<T> recall(const MatCRef<T>& cues, const DenseRecallOptions& options = {}) const;

  /// One synchronous update of every unit of ±1 `states` (B × D).
  Mat<T> update(const MatCRef<T>& states) const;

  /// Continuous recall: relax() on graph() from internal states v = `cues` (B × D). The states
  /// returned are the activations tanh(g v); the trace is the graph's energy (with the tanh
  /// neurons' energy), steps counts the accepted steps that moved each sample.
  Retrieval<T> relax_continuous(const MatCRef<T>& cues, const RelaxOptions& options = {}) const;

  /// Layer "v" (D units, Tanh(g)) and synapse "memory" (MemorySynapse(Ξ, F)).
  EnergyGraph<T> graph() const;

  /// kind "dense_am", config {"F": kind name, "n", "beta", "gain"}, tensor "xi" (K × D).
  ModelFile<T> to_file() const;
  /// Rebuilds the model; throws std::invalid_argument naming what is missing or wrong.
  static DenseAssociativeMemory from_file(const ModelFile<T>& file);

 private:
  /// E from the overlaps m = Ξσ of one sample.
  double energy_of_overlaps(const Eigen::VectorXd& m) const;
  /// The sign σ_i should take given the overlaps m of a state with value s_i at unit i:
  /// +1, −1, or 0 for a tie.
  int preferred_sign(Index i, double s_i, const Eigen::VectorXd& m) const;
  /// Recall of one sample (a ±1 row, updated in place); returns its energies (initial first).
  std::vector<double> recall_one(Eigen::VectorXd& sigma, const DenseRecallOptions& options,
                                 std::uint64_t seed, int& steps, bool& converged) const;
  void check_binary(const MatCRef<T>& states, const char* who) const;

  Mat<T> xi_;
  Mat<T> xi_t_;  // Ξᵀ (D × K): unit i's weights ξ_{·i} are a contiguous row
  Interaction interaction_;
  double gain_;
};

}  // namespace engram
