// DeepEbm<T>: a deep energy-based model E_θ(x) = MLP(x) trained by contrastive divergence with
// Langevin negatives and a replay buffer (SPEC M-32, seed 000 §5.3; Du & Mordatch 2019), by Adam.
#pragma once

#include <vector>

#include "engram/core/rng.hpp"
#include "engram/core/types.hpp"
#include "engram/learning/mlp_energy.hpp"

namespace engram {

struct DeepEbmOptions {
  /// Langevin steps per negative batch: x ← clip(x − ε∇E(x) + σξ). With σ = √(2Tε) this is the
  /// Langevin sampler of exp(−E/T); Du & Mordatch decouple ε and σ (T = σ²/2ε).
  int langevin_steps = 60;
  double step_size = 10.0;  ///< ε > 0
  double noise = 0.005;     ///< σ ≥ 0
  /// Samples live in the box [lo, hi]: chains start uniform there and, with clip, stay in it.
  double lo = 0.0, hi = 1.0;
  bool clip = true;
  /// Replay buffer of persistent samples (0: every negative batch starts from fresh noise).
  Index buffer = 10000;
  /// Fraction of each negative batch restarted from uniform noise.
  double reinit = 0.05;
  /// Weight α of the regulariser α(E(data)² + E(negative)²) that keeps energies near 0.
  double alpha = 1.0;
  /// Adam: learning rate and moment decays.
  double lr = 1e-4, beta1 = 0.9, beta2 = 0.999, adam_eps = 1e-8;
};

/// What one training step measured (means over the batch).
struct DeepEbmStep {
  double data_energy = 0;      ///< mean E(x⁺)
  double negative_energy = 0;  ///< mean E(x⁻)
  double gap = 0;              ///< data − negative (negative once the data sit in wells)
  double loss = 0;             ///< gap + α (mean E(x⁺)² + mean E(x⁻)²)
};

/// M-32: contrastive divergence for an MLP energy. One train_step on a batch x⁺:
///   x⁻ = K Langevin steps from the replay buffer (a fraction `reinit` from noise), written back;
///   L = mean E(x⁺) − mean E(x⁻) + α(mean E(x⁺)² + mean E(x⁻)²);
///   ∇_θ L = Σ_b (1 + 2αE(x⁺_b))/B ∇_θE(x⁺_b) + Σ_b (−1 + 2αE(x⁻_b))/B ∇_θE(x⁻_b) (x⁻ held fixed);
///   θ ← Adam(θ, ∇_θ L).
template <class T>
class DeepEbm {
 public:
  /// Throws std::invalid_argument for options out of range (ε ≤ 0, σ < 0, lo ≥ hi, ...).
  DeepEbm(MlpEnergy<T> energy, DeepEbmOptions options);

  const MlpEnergy<T>& energy() const { return energy_; }
  MlpEnergy<T>& energy() { return energy_; }
  const DeepEbmOptions& options() const { return options_; }

  /// One CD step on `data` (B × D, finite).
  DeepEbmStep train_step(const MatCRef<T>& data, Rng& rng);

  /// `steps` Langevin steps from `x` (B × D, updated in place) at the options' ε, σ and box.
  void langevin(Mat<T>& x, int steps, Rng& rng) const;
  /// `count` samples: uniform noise in the box, then `steps` Langevin steps.
  Mat<T> sample(Index count, int steps, Rng& rng) const;

  /// Training state, for checkpoints: Adam's moments (shapes of the parameters), its step count,
  /// and the replay buffer (empty until the first step; then options.buffer × D).
  const std::vector<Mat<T>>& adam_m() const { return m_; }
  const std::vector<Mat<T>>& adam_v() const { return v_; }
  long adam_steps() const { return t_; }
  const Mat<T>& replay_buffer() const { return buffer_; }
  /// Restores that state (checked against the parameter shapes and the buffer size).
  void set_training_state(std::vector<Mat<T>> m, std::vector<Mat<T>> v, long steps, Mat<T> buffer);

 private:
  MlpEnergy<T> energy_;
  DeepEbmOptions options_;
  std::vector<Mat<T>> m_, v_;
  long t_ = 0;
  Mat<T> buffer_;
};

}  // namespace engram
