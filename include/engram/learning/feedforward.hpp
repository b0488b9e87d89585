// The backpropagation baseline for equilibrium propagation (SPEC M-31): the same layers as a
// feed-forward net h_l = ρ(h_{l−1} W_l + b_l), trained by backprop on the same cost.
#pragma once

#include <functional>
#include <vector>

#include "engram/core/rng.hpp"
#include "engram/core/types.hpp"
#include "engram/learning/eqprop.hpp"

namespace engram {

/// M-31 baseline: h_0 = x, h_l = ρ(h_{l−1} W_l + b_l) with ρ = clip(·, 0, 1) (hard sigmoid) or
/// σ, ŷ = h_L, cost C(ŷ, t) squared or cross-entropy, exactly as EqPropNetwork's cost synapse
/// defines them. Uses options' sizes, activation, cost, learning_rates and batch (the nudging
/// settings are ignored). Weights W_l are D_{l−1} × D_l, as in DenseSynapse.
template <class T>
class FeedForwardNetwork {
 public:
  /// Glorot-uniform weights, zero biases, drawn from `rng` in EqPropNetwork's order.
  FeedForwardNetwork(const EqPropOptions& options, Rng& rng);

  const EqPropOptions& options() const { return options_; }

  /// The activations h_1..h_L for a batch x (B × D_0).
  std::vector<Mat<T>> forward(const MatCRef<T>& x) const;
  /// ∂(mean_b C)/∂θ by backpropagation for W1, b1, W2, b2, ... and the mean cost in `cost`.
  std::vector<Mat<T>> gradient(const MatCRef<T>& x, const MatCRef<T>& targets,
                               double* cost = nullptr) const;
  /// Mean cost of a batch.
  double cost(const MatCRef<T>& x, const MatCRef<T>& targets) const;

  EpochStats train_batch(const MatCRef<T>& x, const std::vector<int>& labels);
  EpochStats train_epoch(const MatCRef<T>& images, const std::vector<int>& labels, Rng& rng,
                         const std::function<void(Index)>& progress = {});
  std::vector<int> predict(const MatCRef<T>& x) const;
  EpochStats evaluate(const MatCRef<T>& images, const std::vector<int>& labels) const;

  /// "W1", "b1", ...
  std::vector<std::string> param_names() const;
  const std::vector<Mat<T>>& params() const { return params_; }
  void set_params(const std::vector<Mat<T>>& params);

 private:
  Mat<T> one_hot(const std::vector<int>& labels, Index rows, const char* who) const;

  EqPropOptions options_;
  std::vector<Mat<T>> params_;  ///< W1, b1, W2, b2, ...
};

}  // namespace engram
