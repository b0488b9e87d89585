// Denoising score matching (Vincent 2011) for a GaussianBernoulliRBM (SPEC M-33): the loss, its
// analytic parameter gradient, and a trainer.
#pragma once

#include <cstdint>
#include <vector>

#include "engram/models/gaussian_bernoulli_rbm.hpp"

namespace engram {

/// ∂J/∂θ for W (V × H), b (1 × V), c (1 × H).
template <class T>
struct GBRBMGradient {
  Mat<T> W, b, c;
};

/// M-33: the denoising score matching loss on pairs (v_n, ṽ_n) = rows of `clean` and `noisy`
/// (B × V, ṽ = v + σ_n ε):
///   J = (1/B) Σ_n ½ ‖s(ṽ_n) + (ṽ_n − v_n)/σ_n²‖²,
/// whose minimiser over all score functions is the score of the data density smoothed by
/// N(0, σ_n² I). With r = s(ṽ) + (ṽ − v)/σ_n², p = σ(a), a = c + Wᵀṽ/σ², p' = p(1 − p) and
/// u = Wᵀr, per pair
///   ∂J/∂b = r/σ²,   ∂J/∂c = (u ⊙ p')/σ²,   ∂J/∂W = r pᵀ/σ² + ṽ (u ⊙ p')ᵀ/σ⁴,
/// averaged over the batch into `gradient` when it is not null. Returns J (in double).
template <class T>
double dsm_loss(const GaussianBernoulliRBM<T>& rbm, const MatCRef<T>& clean,
                const MatCRef<T>& noisy, double noise_sigma, GBRBMGradient<T>* gradient = nullptr);

/// M-33: the sliced score matching loss (Song et al. 2019) on rows of `data` (B × V) with one
/// projection u_n per row of `projections` (B × V; Gaussian or Rademacher, so E[u uᵀ] = I):
///   J = (1/B) Σ_n [u_nᵀ ∇s(v_n) u_n + ½ (u_nᵀ s(v_n))²],
/// an unbiased estimate of Hyvärinen's E[tr ∇s + ½ ‖s‖²] = ½ E‖s − ∇log p_data‖² − const. For the
/// GB-RBM, uᵀ∇s u = −‖u‖²/σ² + Σ_j p'_j z_j²/σ⁴ with z = Wᵀu; with t = uᵀs and p'' = p'(1 − 2p),
///   ∂J/∂b = t u/σ²,  ∂J/∂c = t z⊙p'/σ² + z²⊙p''/σ⁴,
///   ∂J/∂W = t (u pᵀ + v (z⊙p')ᵀ/σ²)/σ² + (2 u (z⊙p')ᵀ + v (z²⊙p'')ᵀ/σ²)/σ⁴,
/// averaged over the batch into `gradient` when it is not null. Returns J (in double).
template <class T>
double ssm_loss(const GaussianBernoulliRBM<T>& rbm, const MatCRef<T>& data,
                const MatCRef<T>& projections, GBRBMGradient<T>* gradient = nullptr);

/// Settings of train_dsm.
struct DsmOptions {
  double noise_sigma = 0.1;     ///< σ_n > 0
  double learning_rate = 0.01;  ///< Adam's step size > 0
  int steps = 1000;             ///< updates (≥ 1)
  Index batch = 256;            ///< rows per update (≥ 1; the whole data when larger)
  std::uint64_t seed = 1;       ///< batches and noise
};

/// M-33: minimises the DSM loss by Adam (β₁ = 0.9, β₂ = 0.999), a fresh batch and fresh noise
/// ṽ = v + σ_n ε each step. Returns the loss of every step.
template <class T>
std::vector<double> train_dsm(GaussianBernoulliRBM<T>& rbm, const MatCRef<T>& data,
                              const DsmOptions& options);

}  // namespace engram
