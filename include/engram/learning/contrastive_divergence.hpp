// Contrastive divergence for a BernoulliRBM (SPEC M-32): CD-k and persistent CD (Tieleman 2008)
// with mini-batches, learning rate, momentum and weight decay.
#pragma once

#include <cstdint>
#include <functional>

#include "engram/core/rng.hpp"
#include "engram/models/rbm.hpp"

namespace engram {

/// Settings of a CDTrainer.
struct CDOptions {
  int k = 1;                   ///< Gibbs steps of the negative phase (≥ 1)
  bool persistent = false;     ///< PCD: negative chains carried over between updates
  double learning_rate = 0.1;  ///< ε > 0
  double momentum = 0.0;       ///< μ in [0, 1)
  double weight_decay = 0.0;   ///< λ ≥ 0 (L2 on W only)
  Index batch = 100;           ///< mini-batch size (≥ 1)
  Index chains = 100;          ///< persistent chains (PCD only, ≥ 1)
};

/// The gradient of the average log-likelihood of a batch, as CD estimates it (positive minus
/// negative statistics, divided by the batch size): ascend it.
template <class T>
struct RBMGradient {
  Mat<T> W;  ///< V × H: ⟨v p(h|v)ᵀ⟩_data − ⟨v p(h|v)ᵀ⟩_model
  Mat<T> b;  ///< 1 × V: ⟨v⟩_data − ⟨v⟩_model
  Mat<T> c;  ///< 1 × H: ⟨p(h|v)⟩_data − ⟨p(h|v)⟩_model
};

/// M-32: trains a BernoulliRBM by contrastive divergence. The negative phase starts k block Gibbs
/// steps from the batch (CD-k) or from the persistent chains (PCD-k, Tieleman 2008), which it then
/// advances. An update is Δ ← μ Δ + ε (g − λ W) (decay on W only), θ ← θ + Δ.
///
///   CDTrainer<float> cd({.k = 1, .learning_rate = 0.1}, /*seed=*/1);
///   for (int e = 0; e < 10; ++e) cd.epoch(rbm, images);
template <class T>
class CDTrainer {
 public:
  /// Checks `options` (naming the bad field); the RNG draws shuffles, Gibbs steps and chains.
  CDTrainer(const CDOptions& options, std::uint64_t seed);

  const CDOptions& options() const { return options_; }

  /// The CD (or PCD) estimate of the log-likelihood gradient on `batch` (B × V); PCD advances
  /// its chains (made from the model's visible biases on first use). With `reconstruction_error`
  /// it also stores the batch's mean-field reconstruction error before the update (as
  /// BernoulliRBM::reconstruction_error).
  RBMGradient<T> gradient(const BernoulliRBM<T>& rbm, const MatCRef<T>& batch,
                          double* reconstruction_error = nullptr);

  /// One update of `rbm` from `batch`; returns the batch's reconstruction error before it.
  double step(BernoulliRBM<T>& rbm, const MatCRef<T>& batch);

  /// One pass over `data` (N × V) in shuffled mini-batches; `progress` (may be empty) gets the
  /// rows done after each. Returns the mean reconstruction error over the batches.
  double epoch(BernoulliRBM<T>& rbm, const MatCRef<T>& data,
               const std::function<void(Index)>& progress = {});

  /// PCD's chains (chains × V; empty until first used) and the momentum buffers, for checkpoints.
  const Mat<T>& chains() const { return chains_; }
  void set_chains(Mat<T> chains);
  const RBMGradient<T>& velocity() const { return velocity_; }
  void set_velocity(RBMGradient<T> velocity);
  /// Restarts the random numbers from `seed` (per epoch, so a resumed run is reproducible).
  void reseed(std::uint64_t seed) { rng_ = Rng(seed); }

 private:
  CDOptions options_;
  Rng rng_;
  Mat<T> chains_;
  RBMGradient<T> velocity_;
};

}  // namespace engram
