// Sigmoid Lagrangian with inverse temperature β: L(x) = β⁻¹ Σ log(1 + e^{βx}), x̂ = σ(βx) (M-01).
#pragma once

#include "engram/neurons/elementwise.hpp"

namespace engram {

/// M-01: L(x) = β⁻¹ Σ_i log(1 + e^{βx_i}); x̂ = σ(βx); E = β⁻¹ Σ_i [x̂ log x̂ + (1−x̂) log(1−x̂)],
/// the negative binary entropy, whose minimum −D log(2)/β is added back in double.
template <class T>
class Sigmoid final : public Elementwise<T, Sigmoid<T>> {
 public:
  /// `beta` > 0 (seed 001 uses β = 1/(2D) on the visible layer).
  explicit Sigmoid(double beta = 1.0);
  std::string name() const override;
  double beta() const { return beta_; }
  std::string kind() const override { return "sigmoid"; }
  Hyperparameters hyperparameters() const override { return {{"beta", beta_}}; }

  /// Vectorised over whole rows (one exp per entry): the values of phi and legendre below.
  using Lagrangian<T>::activation;
  void activation(const MatCRef<T>& x, MatRef<T> xhat) const override;
  Energies energy(const MatCRef<T>& x) const override;

  double ell(double x) const;
  T phi(T x) const;
  T dphi(T x) const;
  double legendre(double x) const;
  double floor() const;

 private:
  double beta_;
};

}  // namespace engram
