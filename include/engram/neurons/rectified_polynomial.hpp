// Rectified polynomial Lagrangian (Krotov–Hopfield F_n): L(x) = (1/n) Σ max(x, 0)^n (M-01).
#pragma once

#include "engram/neurons/elementwise.hpp"

namespace engram {

/// M-01: L(x) = (1/n) Σ_i max(x_i, 0)^n with power n ≥ 2; x̂ = max(x, 0)^{n−1};
/// E = (1 − 1/n) Σ_i max(x_i, 0)^n. n = 2 is the ReLU Lagrangian.
template <class T>
class RectifiedPolynomial final : public Elementwise<T, RectifiedPolynomial<T>> {
 public:
  /// `power` n must be finite and ≥ 2 (below 2 the activation has no bounded derivative at 0).
  explicit RectifiedPolynomial(double power);
  std::string name() const override;
  double power() const { return n_; }
  std::string kind() const override { return "rectified_polynomial"; }
  Hyperparameters hyperparameters() const override { return {{"n", n_}}; }

  double ell(double x) const;
  T phi(T x) const;
  T dphi(T x) const;
  double legendre(double x) const;
  double floor() const { return 0.0; }

 private:
  double n_;
};

}  // namespace engram
