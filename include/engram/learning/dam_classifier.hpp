// A dense associative memory classifier (Krotov & Hopfield 2016) as an energy graph, trained by
// the gradient through its relaxation (SPEC M-35) with Adam on the cross-entropy of the labels.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engram/core/rng.hpp"
#include "engram/graph.hpp"
#include "engram/learning/through_dynamics.hpp"

namespace engram {

/// The classifier's sizes and dynamics.
struct DamClassifierConfig {
  Index pixels = 784;  ///< D, pixels of an image (values in [0, 1], shown to the net as 2v − 1)
  Index classes = 10;  ///< C, labels
  Index memories = 2000;  ///< K, memory units
  /// Memory layer Lagrangian: "rectified_polynomial" (L = (1/n) Σ max(x, 0)ⁿ, Krotov–Hopfield's
  /// F_n) or "softmax" (L = β⁻¹ log Σ e^{βx}, a modern Hopfield layer).
  std::string memory_lagrangian = "rectified_polynomial";
  double power = 3.0;       ///< n of the rectified polynomial, ≥ 2
  double beta = 1.0;        ///< β of a softmax memory layer
  double label_beta = 1.0;  ///< β of the softmax label layer
  int steps = 4;            ///< T Euler steps (with dt = τ = 1 one step puts a layer at its
  double dt = 1.0;          ///< equilibrium given the others; 4 steps let labels feed back once)
  /// Initial weights: Ξ ~ N(0, init/√D), Θ ~ N(0, init/√K).
  double init = 1.0;

  /// Throws std::invalid_argument naming the first field out of range.
  void check() const;
};

/// Per mini-batch or per data set: mean cross-entropy and the fraction misclassified.
struct DamScore {
  double loss = 0.0;
  double error = 0.0;
};

/// M-35: layers "pixels" (D, identity, clamped at 2v − 1), "memories" (K) and "labels" (C,
/// softmax), synapses "xi" = DenseSynapse(Ξ, K × D) on (memories, pixels) and "theta" =
/// DenseSynapse(Θ, K × C) on (memories, labels): E = Σ_layers E_l − ĥᵀΞv̂ − ĥᵀΘŷ. From x = 0 on
/// the free layers, T Euler steps of size dt (τ = 1) relax memories and labels; the label
/// activations ŷ_T are the class probabilities. Training minimises the mean cross-entropy
/// −(1/B) Σ_b log ŷ_T,b[label_b] by Adam on (Ξ, Θ) with gradients through the T steps.
///
///   DamClassifier<float> dam(DamClassifierConfig{.memories = 100}, 1);
///   dam.fit_epoch(train.images, train.labels, 100, 1e-3, rng);
///   double err = dam.score(test.images, test.labels).error;
template <class T>
class DamClassifier {
 public:
  DamClassifier(DamClassifierConfig config, std::uint64_t seed);

  const DamClassifierConfig& config() const { return config_; }
  const EnergyGraph<T>& graph() const { return graph_; }
  /// Ξ, K × D: memory μ's pixel pattern in row μ.
  const Mat<T>& memories() const;
  /// Θ, K × C: memory μ's label pattern in row μ.
  const Mat<T>& label_memories() const;
  /// Replaces Ξ and Θ (shapes as above, finite).
  void set_memories(const MatCRef<T>& xi, const MatCRef<T>& theta);

  /// Label probabilities ŷ_T after T steps, B × C, for images B × D with values in [0, 1].
  Mat<T> predict_proba(const MatCRef<T>& images) const;
  /// argmax of predict_proba per image.
  std::vector<int> predict(const MatCRef<T>& images) const;
  /// Mean cross-entropy and error on (images, labels), in chunks of `batch`.
  DamScore score(const MatCRef<T>& images, const std::vector<std::uint8_t>& labels,
                 Index batch = 500) const;

  /// One Adam step on a mini-batch (images B × D, B labels < C) with learning rate lr; returns the
  /// batch's loss and error before the step.
  DamScore train_batch(const MatCRef<T>& images, const std::vector<std::uint8_t>& labels,
                       double lr);
  /// One pass over (images, labels) in a random order drawn from `rng`, mini-batches of `batch`
  /// (the last one smaller); `progress(done)` after each. Returns the mean of the batch scores.
  DamScore fit_epoch(const MatCRef<T>& images, const std::vector<std::uint8_t>& labels, Index batch,
                     double lr, Rng& rng, const std::function<void(Index done)>& progress = {});

  /// Adam's state: first and second moments of Ξ and Θ (shapes of the parameters), step count.
  struct Optimizer {
    Mat<T> m_xi, v_xi, m_theta, v_theta;
    long step = 0;
  };
  const Optimizer& optimizer() const { return adam_; }
  /// Replaces Adam's state (shapes checked, step ≥ 0).
  void set_optimizer(Optimizer state);

 private:
  State<T> initial_state(const MatCRef<T>& images) const;
  void check_data(const MatCRef<T>& images, const std::vector<std::uint8_t>* labels,
                  const char* who) const;

  DamClassifierConfig config_;
  EnergyGraph<T> graph_;
  UnrollOptions unroll_;
  Optimizer adam_;
};

}  // namespace engram
