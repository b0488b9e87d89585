// ReLU Lagrangian: L(x) = ½ Σ max(x, 0)², x̂ = max(x, 0) (M-01). Convex, not strictly.
#pragma once

#include "engram/neurons/elementwise.hpp"

namespace engram {

/// M-01: L(x) = ½ Σ_i max(x_i, 0)²; x̂ = max(x, 0); E = ½ Σ_i max(x_i, 0)².
template <class T>
class Relu final : public Elementwise<T, Relu<T>> {
 public:
  std::string name() const override { return "relu"; }
  std::string kind() const override { return "relu"; }

  double ell(double x) const { return x > 0 ? 0.5 * x * x : 0.0; }
  T phi(T x) const { return x > 0 ? x : T(0); }
  T dphi(T x) const { return x > 0 ? T(1) : T(0); }
  double legendre(double x) const { return ell(x); }
  double floor() const { return 0.0; }
};

}  // namespace engram
