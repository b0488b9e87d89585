// Elementwise<T, Family>: the batched machinery shared by Lagrangians that are sums of one scalar
// function over the units, L(x) = Σ_i ℓ(x_i). A family supplies ℓ, φ = ℓ', φ' and the energy.
#pragma once

#include "engram/neurons/lagrangian.hpp"

namespace engram {

/// Base for L(x) = Σ_i ℓ(x_i). `Family` provides, per unit:
///   double ell(double x)       ℓ(x)
///   T      phi(T x)            φ(x) = ℓ'(x), the activation
///   T      dphi(T x)           φ'(x) = ℓ''(x) ≥ 0
///   double legendre(double x)  φ(x)·x − ℓ(x) − floor(), a stable closed form ≥ 0
///   double floor()             the per-unit minimum of the Legendre transform
/// The per-sample energy is Σ_i legendre(x_i) + D·floor(), added in double (SPEC M-04).
template <class T, class Family>
class Elementwise : public Lagrangian<T> {
 public:
  using Lagrangian<T>::activation;
  using Lagrangian<T>::hvp;

  Energies value(const MatCRef<T>& x) const override;
  void activation(const MatCRef<T>& x, MatRef<T> xhat) const override;
  Energies energy(const MatCRef<T>& x) const override;
  void hvp(const MatCRef<T>& x, const MatCRef<T>& v, MatRef<T> out) const override;

 private:
  const Family& family() const { return static_cast<const Family&>(*this); }
};

}  // namespace engram
