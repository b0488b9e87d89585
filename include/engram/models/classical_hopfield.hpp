// ClassicalHopfield<T>: the binary Hopfield network of 1982 (SPEC M-10): ±1 units, symmetric
// zero-diagonal weights, energy −½ sᵀWs, asynchronous and synchronous recall, bit-packed fast path.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engram/core/cpu.hpp"
#include "engram/io/model_file.hpp"
#include "engram/learning/hebbian.hpp"
#include "engram/models/retrieval.hpp"

namespace engram {

namespace detail {
class PackedPatterns;
}

/// How the units of a ±1 network are updated.
enum class UpdateMode {
  synchronous,   ///< every unit at once: s ← sign(W s)
  asynchronous,  ///< one unit at a time, in a fresh random order every sweep
};

/// "synchronous" or "asynchronous".
std::string to_string(UpdateMode mode);
UpdateMode parse_update_mode(std::string_view name);

/// Whether recall uses the bit-packed kernels.
enum class PackedMode {
  automatic,  ///< when the model has them (Hebbian weights built from ±1 patterns)
  on,         ///< always; an error where the model has none
  off,        ///< never: the floating-point products with W
};

struct ClassicalRecallOptions {
  UpdateMode mode = UpdateMode::asynchronous;
  /// Upper bound on the updates (synchronous iterations or asynchronous sweeps) per sample.
  int max_iterations = 100;
  /// Seed of the asynchronous visiting orders; sample b draws from its own stream (seed, b), so a
  /// sample's result does not depend on the other rows of the batch.
  std::uint64_t seed = 0;
  PackedMode packed = PackedMode::automatic;
  /// The bit kernels of the packed path (engram/core/cpu.hpp): automatic picks AVX-512 VPOPCNTDQ
  /// where the CPU has it; every choice gives the same result.
  BitKernel bit_kernel = BitKernel::automatic;
};

/// M-10: N units s_i ∈ {−1, +1}, weights W (N × N, symmetric, zero diagonal), energy
/// E(s) = −½ sᵀWs, field h = W s. An update sets s_i ← sign(h_i) and keeps s_i when h_i is exactly
/// 0. It is the energy graph of one layer with a RecurrentSynapse(W) in the sign limit of its
/// Lagrangian: the facade's energy is that synapse's energy on ±1 activations.
///
///   auto net = ClassicalHopfield<float>::from_patterns(Xi);        // Xi: P × N of ±1, Hebbian
///   Retrieval<float> r = net.recall(noisy_cues);                   // B × N of ±1 (0 = unknown)
///
/// Recall (batched, B cues of N units, one sample per row):
/// - asynchronous: sweeps over the units in a random order (seeded); the field is kept up to date
///   by h += W[:, i] Δs_i, so a sweep costs O(N²) (recomputed by one product W s before every
///   sweep, so rounding cannot drift). Each flip lowers E by 2|h_i| > 0, so the energy never rises
///   and the sample reaches a fixed point. A sample stops when it is a fixed point (a sweep would
///   change nothing) or after max_iterations sweeps.
/// - synchronous: s ← sign(W s) for the batch as one GEMM, until nothing changes or max_iterations.
///   The energy may rise, and the map may end in a 2-cycle (s → s' → s); a 2-cycle is detected and
///   stops the sample with converged = false.
/// Cues hold −1, +1, or 0 for "unknown": an unknown unit counts 0 in every field and energy until
/// its first update, where it takes the sign of its field (+1 at a tie).
/// Retrieval: states are ±1 (0 only for a unit never updated), steps counts the updates that
/// changed the state, converged tells whether the final state is a fixed point, energy_trace is
/// E after each update.
///
/// Fast path: built by from_patterns with the Hebbian rule, the model keeps the ±1 patterns and
/// recalls by exact integer arithmetic on bit-packed states (src/models/classical_packed.hpp):
/// overlaps m_μ = ξ_μ·s by XOR/popcount over 64-unit words (AVX-512 VPOPCNTDQ where the CPU has
/// it), the field N h = Ξᵀ m − P s, and the energy E = −(Σ_μ m_μ² − P Σ_i s_i²)/(2N). Synchronous
/// recall forms the fields of the batch as one GEMM; asynchronous recall keeps each sample's
/// overlaps up to date (P operations per visit instead of N) and runs samples on all cores. The
/// results are those of the floating-point path wherever that one is exact: bit for bit when the
/// Hebbian weights are exact binary fractions (N a power of two); otherwise they may differ only
/// at exact ties, which rounding can turn into a tiny ± field.
template <class T>
class ClassicalHopfield {
 public:
  /// Takes W (N × N, N ≥ 1, finite). W must be symmetric with a zero diagonal: deviations up to
  /// rounding (64 ε max|W|) are repaired, larger ones are an error naming the entry.
  explicit ClassicalHopfield(Mat<T> W);

  /// W by `rule` from `patterns` (P × N, entries exactly ±1); the patterns are kept.
  static ClassicalHopfield from_patterns(const MatCRef<T>& patterns,
                                         LearningRule rule = LearningRule::hebbian);

  Index size() const { return W_.rows(); }
  const Mat<T>& W() const { return W_; }
  /// The rule and patterns the weights came from; unset and 0 × N for a model built from W.
  std::optional<LearningRule> rule() const { return rule_; }
  const Mat<T>& patterns() const { return patterns_; }
  /// Whether recall can use the bit-packed kernels (Hebbian from patterns).
  bool has_packed_path() const { return packed_ != nullptr; }

  /// M-10: E = −½ sᵀWs for each row of `states` (B × N, any finite values), in double.
  Energies energy(const MatCRef<T>& states) const;

  /// Recalls from `cues` (B × N, entries −1, 0 or +1); see the class comment.
  Retrieval<T> recall(const MatCRef<T>& cues, const ClassicalRecallOptions& options = {}) const;

  /// kind "classical_hopfield"; config {"size": N, "rule": name or null}; tensors "W" (N × N)
  /// and, when the model came from patterns, "patterns" (P × N).
  ModelFile<T> to_file() const;
  /// Rebuilds a model from to_file's contents. Checks the kind, the config fields, the tensors
  /// and their shapes; with a rule, W must equal the rule applied to the patterns.
  static ClassicalHopfield from_file(const ModelFile<T>& file);

 private:
  ClassicalHopfield(Mat<T> W, Mat<T> patterns, LearningRule rule);

  Retrieval<T> recall_asynchronous(const MatCRef<T>& cues, const ClassicalRecallOptions& o) const;

  Mat<T> W_;
  Mat<T> patterns_;
  std::optional<LearningRule> rule_;
  std::shared_ptr<const detail::PackedPatterns> packed_;  // immutable, shared by copies
};

}  // namespace engram
