// Softplus Lagrangian with gain β: x̂ = log(1 + e^{βx}), L(x) = −β⁻¹ Σ Li₂(−e^{βx}) (M-01, M-11),
// and the real dilogarithm Li₂ it is built on.
#pragma once

#include "engram/neurons/elementwise.hpp"

namespace engram {

/// The dilogarithm Li₂(x) = −∫₀^x ln(1−t)/t dt (= Σ_{k≥1} x^k/k² for |x| ≤ 1) on its real branch
/// x ≤ 1, to about 1e-15 relative. Method: the power series on [−½, ½]; Landen's identity
/// Li₂(x) = −Li₂(x/(x−1)) − ½ ln²(1−x) on [−1, −½), which maps into (⅓, ½]; Euler's reflection
/// Li₂(x) = π²/6 − ln x ln(1−x) − Li₂(1−x) on (½, 1]; and the inversion
/// Li₂(x) = −π²/6 − ½ ln²(−x) − Li₂(1/x) for x < −1. Throws for x > 1 (complex there); NaN gives
/// NaN. None of engram's dependencies provides it (Boost.Math and GSL are not installed).
double dilog(double x);

/// M-01/M-11: L(x) = β⁻¹ Σ_i F(βx_i) with F(u) = −Li₂(−e^u), so F'(u) = log(1 + e^u) and
/// x̂ = softplus(βx) = log(1 + e^{βx}) (gain β: as for tanh and sigmoid, the activation is a
/// function of βx); φ' = β σ(βx). The energy E = x̂·x − L = Σ_i ∫₀^{x̂_i} φ⁻¹(s) ds (SPEC M-11),
/// with φ⁻¹(s) = β⁻¹ log(e^s − 1); its minimum −π²/(12β) per unit (at x = 0, x̂ = log 2) is added
/// back in double.
template <class T>
class Softplus final : public Elementwise<T, Softplus<T>> {
 public:
  /// `beta` > 0.
  explicit Softplus(double beta = 1.0);
  std::string name() const override;
  double beta() const { return beta_; }
  std::string kind() const override { return "softplus"; }
  Hyperparameters hyperparameters() const override { return {{"beta", beta_}}; }

  double ell(double x) const;
  T phi(T x) const;
  T dphi(T x) const;
  double legendre(double x) const;
  double floor() const;

 private:
  double beta_;
};

}  // namespace engram
