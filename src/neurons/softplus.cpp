// The softplus Lagrangian and the real dilogarithm. Every branch stays finite for any input: the
// Lagrangian of a large positive u is written through the inversion identity, never exp(u).
#include "engram/neurons/softplus.hpp"

#include <fmt/format.h>

#include <cmath>
#include <numbers>

#include "engram/core/error.hpp"

namespace engram {
namespace {

constexpr double kPi2Over6 = std::numbers::pi * std::numbers::pi / 6.0;

/// Σ_{k≥1} y^k / k² for |y| ≤ ½: the terms fall at least as 2^{−k}/k², so ~50 terms reach 1e-17.
double dilog_series(double y) {
  double sum = 0.0, power = y;
  for (int k = 1; k < 200; ++k) {
    const double term = power / (static_cast<double>(k) * k);
    sum += term;
    if (std::abs(term) <= 1e-17 * std::abs(sum)) break;
    power *= y;
  }
  return sum;
}

/// F(u) = −Li₂(−e^u), the softplus Lagrangian at gain 1 (F' = log(1 + e^u)). For u > 0 the
/// inversion identity gives F(u) = π²/6 + u²/2 − F(−u), free of e^u.
double softplus_lagrangian(double u) {
  if (u <= 0.0) return -dilog(-std::exp(u));
  return kPi2Over6 + 0.5 * u * u - softplus_lagrangian(-u);
}

/// log(1 + e^u) without overflow.
template <class T>
T softplus(T u) {
  return std::max(u, T(0)) + std::log1p(std::exp(-std::abs(u)));
}

/// σ(u) without overflow in either tail.
template <class T>
T logistic(T u) {
  if (u >= T(0)) return T(1) / (T(1) + std::exp(-u));
  const T e = std::exp(u);
  return e / (T(1) + e);
}

}  // namespace

double dilog(double x) {
  ENGRAM_CHECK(!(x > 1.0), "dilog: x must be <= 1 (the real branch), got {}", x);
  if (std::isnan(x)) return x;
  if (x == 1.0) return kPi2Over6;
  if (x < -1.0) {  // inversion: 1/x ∈ (−1, 0)
    const double l = std::log(-x);
    return -kPi2Over6 - 0.5 * l * l - dilog(1.0 / x);
  }
  if (x < -0.5) {  // Landen: x/(x−1) ∈ (⅓, ½]
    const double l = std::log1p(-x);
    return -dilog_series(x / (x - 1.0)) - 0.5 * l * l;
  }
  if (x <= 0.5) return dilog_series(x);
  // Euler's reflection: 1 − x ∈ [0, ½)
  return kPi2Over6 - std::log(x) * std::log1p(-x) - dilog_series(1.0 - x);
}

template <class T>
Softplus<T>::Softplus(double beta) : beta_(beta) {
  check_positive(beta, "Softplus: beta");
}

template <class T>
std::string Softplus<T>::name() const {
  return fmt::format("softplus(beta={:.6g})", beta_);
}

template <class T>
double Softplus<T>::ell(double x) const {
  return softplus_lagrangian(beta_ * x) / beta_;
}

template <class T>
T Softplus<T>::phi(T x) const {
  return softplus<T>(static_cast<T>(beta_) * x);
}

template <class T>
T Softplus<T>::dphi(T x) const {
  return static_cast<T>(beta_) * logistic<T>(static_cast<T>(beta_) * x);
}

template <class T>
double Softplus<T>::legendre(double x) const {
  // β E = u·softplus(u) − F(u), shifted by its minimum −π²/12 (at u = 0). For u > 0, with
  // softplus(u) = u + log1p(e^{−u}) and F(u) = π²/6 + u²/2 − F(−u):
  //   β E + π²/12 = u²/2 + u log1p(e^{−u}) − π²/12 + F(−u).
  const double u = beta_ * x;
  const double shifted = u <= 0.0 ? u * softplus(u) - softplus_lagrangian(u) + kPi2Over6 / 2.0
                                  : 0.5 * u * u + u * std::log1p(std::exp(-u)) - kPi2Over6 / 2.0 +
                                        softplus_lagrangian(-u);
  return shifted / beta_;
}

template <class T>
double Softplus<T>::floor() const {
  return -kPi2Over6 / (2.0 * beta_);
}

template class Softplus<float>;
template class Softplus<double>;

}  // namespace engram
