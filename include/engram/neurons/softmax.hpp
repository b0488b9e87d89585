// Log-sum-exp Lagrangian with inverse temperature β: L(x) = β⁻¹ log Σ e^{βx}, x̂ = softmax(βx)
// (M-01).
#pragma once

#include "engram/neurons/lagrangian.hpp"

namespace engram {

/// M-01: L(x) = β⁻¹ log Σ_i e^{βx_i}; x̂ = softmax(βx); E = β⁻¹ Σ_i x̂_i log x̂_i (negative entropy,
/// in [−log(D)/β, 0]); ∇²L v = β (x̂ ⊙ v − x̂ (x̂·v)). Stable for any x via max-subtraction.
template <class T>
class Softmax final : public Lagrangian<T> {
 public:
  using Lagrangian<T>::activation;
  using Lagrangian<T>::hvp;

  explicit Softmax(double beta = 1.0);
  std::string name() const override;
  double beta() const { return beta_; }
  std::string kind() const override { return "softmax"; }
  Hyperparameters hyperparameters() const override { return {{"beta", beta_}}; }

  Energies value(const MatCRef<T>& x) const override;
  void activation(const MatCRef<T>& x, MatRef<T> xhat) const override;
  Energies energy(const MatCRef<T>& x) const override;
  void hvp(const MatCRef<T>& x, const MatCRef<T>& v, MatRef<T> out) const override;

 private:
  double beta_;
};

}  // namespace engram
