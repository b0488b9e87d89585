// Identity (quadratic) Lagrangian: L(x) = ½‖x‖², x̂ = x (SPEC M-01).
#pragma once

#include "engram/neurons/elementwise.hpp"

namespace engram {

/// M-01: L(x) = ½ Σ x_i², x̂ = x, E = ½‖x‖².
template <class T>
class Identity final : public Elementwise<T, Identity<T>> {
 public:
  std::string name() const override { return "identity"; }
  std::string kind() const override { return "identity"; }

  double ell(double x) const { return 0.5 * x * x; }
  T phi(T x) const { return x; }
  T dphi(T) const { return T(1); }
  double legendre(double x) const { return 0.5 * x * x; }
  double floor() const { return 0.0; }
};

}  // namespace engram
