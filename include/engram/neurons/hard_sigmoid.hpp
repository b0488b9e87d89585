// Hard-sigmoid Lagrangian: L(x) = Σ ℓ(x_i) with ℓ = 0, x²/2, x − ½ on x < 0, [0, 1], x > 1, so
// x̂ = clip(x, 0, 1) (SPEC M-01; the activation of Scellier & Bengio 2017, M-31).
#pragma once

#include "engram/neurons/elementwise.hpp"

namespace engram {

/// M-01: L(x) = Σ_i ℓ(x_i), ℓ(x) = 0 (x < 0), x²/2 (0 ≤ x ≤ 1), x − ½ (x > 1); x̂ = clip(x, 0, 1);
/// E = x̂·x − L(x) = Σ_i e(x_i), e(x) = 0 (x < 0), x²/2 (0 ≤ x ≤ 1), ½ (x > 1). Convex, not
/// strictly; ∇²L is 1 inside (0, 1) and 0 outside.
template <class T>
class HardSigmoid final : public Elementwise<T, HardSigmoid<T>> {
 public:
  std::string name() const override { return "hard_sigmoid"; }
  std::string kind() const override { return "hard_sigmoid"; }

  double ell(double x) const { return x < 0 ? 0.0 : (x <= 1 ? 0.5 * x * x : x - 0.5); }
  T phi(T x) const { return x < T(0) ? T(0) : (x > T(1) ? T(1) : x); }
  T dphi(T x) const { return x > T(0) && x < T(1) ? T(1) : T(0); }
  double legendre(double x) const { return x < 0 ? 0.0 : (x <= 1 ? 0.5 * x * x : 0.5); }
  double floor() const { return 0.0; }
};

}  // namespace engram
