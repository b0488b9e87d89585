// Tanh Lagrangian with inverse temperature β: L(x) = β⁻¹ Σ log cosh(βx), x̂ = tanh(βx) (M-01).
#pragma once

#include "engram/neurons/elementwise.hpp"

namespace engram {

/// M-01: L(x) = β⁻¹ Σ_i log cosh(βx_i); x̂ = tanh(βx);
/// E = β⁻¹ Σ_i ½[(1+x̂) ln(1+x̂) + (1−x̂) ln(1−x̂)] (the integral energy of SPEC M-11), in [0, D
/// ln2/β).
template <class T>
class Tanh final : public Elementwise<T, Tanh<T>> {
 public:
  explicit Tanh(double beta = 1.0);
  std::string name() const override;
  double beta() const { return beta_; }
  std::string kind() const override { return "tanh"; }
  Hyperparameters hyperparameters() const override { return {{"beta", beta_}}; }

  double ell(double x) const;
  T phi(T x) const;
  T dphi(T x) const;
  double legendre(double x) const;
  double floor() const { return 0.0; }

 private:
  double beta_;
};

}  // namespace engram
