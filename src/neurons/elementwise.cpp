// The elementwise Lagrangians and the batched loops they share. Closed forms are written to stay
// finite for any input: softplus and log cosh through log1p(exp(−|u|)), never exp of a large
// number.
#include <fmt/format.h>

#include <cmath>

#include "engram/core/error.hpp"
#include "engram/neurons/hard_sigmoid.hpp"
#include "engram/neurons/identity.hpp"
#include "engram/neurons/rectified_polynomial.hpp"
#include "engram/neurons/relu.hpp"
#include "engram/neurons/sigmoid.hpp"
#include "engram/neurons/softplus.hpp"
#include "engram/neurons/tanh.hpp"

namespace engram {
namespace {

constexpr double kLog2 = 0.69314718055994530942;

/// log(1 + e^u) without overflow.
double softplus(double u) {
  return std::max(u, 0.0) + std::log1p(std::exp(-std::abs(u)));
}

/// σ(u) = 1 / (1 + e^{−u}) without overflow in either tail.
template <class T>
T logistic(T u) {
  if (u >= T(0)) return T(1) / (T(1) + std::exp(-u));
  const T e = std::exp(u);
  return e / (T(1) + e);
}

}  // namespace

// ---- Elementwise: batched loops -------------------------------------------------------------

template <class T, class F>
Energies Elementwise<T, F>::value(const MatCRef<T>& x) const {
  Energies out(x.rows());
  for (Index b = 0; b < x.rows(); ++b) {
    double sum = 0.0;
    for (Index i = 0; i < x.cols(); ++i) sum += family().ell(static_cast<double>(x(b, i)));
    out(b) = sum;
  }
  return out;
}

template <class T, class F>
void Elementwise<T, F>::activation(const MatCRef<T>& x, MatRef<T> xhat) const {
  check_shape(xhat, x.rows(), x.cols(), "Lagrangian::activation: xhat (same shape as x)");
  xhat = x.unaryExpr([this](T v) { return family().phi(v); });
}

template <class T, class F>
Energies Elementwise<T, F>::energy(const MatCRef<T>& x) const {
  // M-04: sum the non-negative shifted terms, then add the constant D·floor in double.
  const double constant = static_cast<double>(x.cols()) * family().floor();
  Energies out(x.rows());
  for (Index b = 0; b < x.rows(); ++b) {
    double sum = 0.0;
    for (Index i = 0; i < x.cols(); ++i) sum += family().legendre(static_cast<double>(x(b, i)));
    out(b) = sum + constant;
  }
  return out;
}

template <class T, class F>
void Elementwise<T, F>::hvp(const MatCRef<T>& x, const MatCRef<T>& v, MatRef<T> out) const {
  check_shape(v, x.rows(), x.cols(), "Lagrangian::hvp: v (same shape as x)");
  check_shape(out, x.rows(), x.cols(), "Lagrangian::hvp: out (same shape as x)");
  out = x.unaryExpr([this](T u) { return family().dphi(u); }).cwiseProduct(v);
}

// ---- Sigmoid ---------------------------------------------------------------------------------

template <class T>
Sigmoid<T>::Sigmoid(double beta) : beta_(beta) {
  check_positive(beta, "Sigmoid: beta");
}

template <class T>
std::string Sigmoid<T>::name() const {
  return fmt::format("sigmoid(beta={:.6g})", beta_);
}

template <class T>
double Sigmoid<T>::ell(double x) const {
  return softplus(beta_ * x) / beta_;
}

template <class T>
T Sigmoid<T>::phi(T x) const {
  return logistic<T>(static_cast<T>(beta_) * x);
}

template <class T>
T Sigmoid<T>::dphi(T x) const {
  const T u = static_cast<T>(beta_) * x;
  return static_cast<T>(beta_) * logistic<T>(u) * logistic<T>(-u);
}

template <class T>
double Sigmoid<T>::legendre(double x) const {
  // s log s + (1−s) log(1−s) + log 2 with log s = −softplus(−u), log(1−s) = −softplus(u).
  const double u = beta_ * x;
  const double s = logistic(u), sc = logistic(-u);
  return (kLog2 - s * softplus(-u) - sc * softplus(u)) / beta_;
}

template <class T>
void Sigmoid<T>::activation(const MatCRef<T>& x, MatRef<T> xhat) const {
  check_shape(xhat, x.rows(), x.cols(), "Lagrangian::activation: xhat (same shape as x)");
  // σ(u) = 1 / (1 + e^{−u}): e^{−u} = ∞ far left gives 0, far right 1; no NaN either way.
  xhat = (T(1) + (static_cast<T>(-beta_) * x.array()).exp()).inverse().matrix();
}

template <class T>
Energies Sigmoid<T>::energy(const MatCRef<T>& x) const {
  // legendre(x) with a = |βx|, e = e^{−a}: β·legendre = log 2 − log1p(e) − a·e/(1 + e), the same
  // closed form for either sign of u (the two softplus terms swap roles).
  const double constant = static_cast<double>(x.cols()) * floor();
  Energies out(x.rows());
  Eigen::ArrayXd a, e;
  for (Index b = 0; b < x.rows(); ++b) {
    a = (beta_ * x.row(b).template cast<double>().array()).abs();
    e = (-a).exp();
    const double sum = (kLog2 - e.log1p() - a * e / (1.0 + e)).sum();
    out(b) = sum / beta_ + constant;
  }
  return out;
}

template <class T>
double Sigmoid<T>::floor() const {
  return -kLog2 / beta_;
}

// ---- Tanh ------------------------------------------------------------------------------------

template <class T>
Tanh<T>::Tanh(double beta) : beta_(beta) {
  check_positive(beta, "Tanh: beta");
}

template <class T>
std::string Tanh<T>::name() const {
  return fmt::format("tanh(beta={:.6g})", beta_);
}

template <class T>
double Tanh<T>::ell(double x) const {
  // log cosh a = a + log1p(e^{−2a}) − log 2, a = |βx|.
  const double a = std::abs(beta_ * x);
  return (a + std::log1p(std::exp(-2.0 * a)) - kLog2) / beta_;
}

template <class T>
T Tanh<T>::phi(T x) const {
  return std::tanh(static_cast<T>(beta_) * x);
}

template <class T>
T Tanh<T>::dphi(T x) const {
  // β sech²(βx) = β 4e^{−2a} / (1 + e^{−2a})², free of the cancellation in 1 − tanh².
  const T e = std::exp(T(-2) * std::abs(static_cast<T>(beta_) * x));
  return static_cast<T>(beta_) * T(4) * e / ((T(1) + e) * (T(1) + e));
}

template <class T>
double Tanh<T>::legendre(double x) const {
  // a tanh a − log cosh a = log 2 − log1p(e^{−2a}) − a (1 − tanh a).
  const double a = std::abs(beta_ * x);
  const double e = std::exp(-2.0 * a);
  return (kLog2 - std::log1p(e) - a * 2.0 * e / (1.0 + e)) / beta_;
}

// ---- Rectified polynomial --------------------------------------------------------------------

template <class T>
RectifiedPolynomial<T>::RectifiedPolynomial(double power) : n_(power) {
  ENGRAM_CHECK(std::isfinite(power) && power >= 2.0,
               "RectifiedPolynomial: power must be finite and >= 2, got {}", power);
}

template <class T>
std::string RectifiedPolynomial<T>::name() const {
  return fmt::format("rectified_polynomial(n={:g})", n_);
}

template <class T>
double RectifiedPolynomial<T>::ell(double x) const {
  return x > 0 ? std::pow(x, n_) / n_ : 0.0;
}

template <class T>
T RectifiedPolynomial<T>::phi(T x) const {
  return x > 0 ? static_cast<T>(std::pow(x, static_cast<T>(n_ - 1))) : T(0);
}

template <class T>
T RectifiedPolynomial<T>::dphi(T x) const {
  return x > 0 ? static_cast<T>((n_ - 1) * std::pow(x, static_cast<T>(n_ - 2))) : T(0);
}

template <class T>
double RectifiedPolynomial<T>::legendre(double x) const {
  return x > 0 ? (1.0 - 1.0 / n_) * std::pow(x, n_) : 0.0;
}

// ---- Explicit instantiations -----------------------------------------------------------------

#define ENGRAM_INSTANTIATE_ELEMENTWISE(Family)        \
  template class Elementwise<float, Family<float>>;   \
  template class Elementwise<double, Family<double>>; \
  template class Family<float>;                       \
  template class Family<double>;

ENGRAM_INSTANTIATE_ELEMENTWISE(Identity)
ENGRAM_INSTANTIATE_ELEMENTWISE(Sigmoid)
ENGRAM_INSTANTIATE_ELEMENTWISE(Tanh)
ENGRAM_INSTANTIATE_ELEMENTWISE(Relu)
ENGRAM_INSTANTIATE_ELEMENTWISE(RectifiedPolynomial)
ENGRAM_INSTANTIATE_ELEMENTWISE(HardSigmoid)

#undef ENGRAM_INSTANTIATE_ELEMENTWISE

// Softplus<T> itself is defined and instantiated in softplus.cpp, beside the dilogarithm.
template class Elementwise<float, Softplus<float>>;
template class Elementwise<double, Softplus<double>>;

}  // namespace engram
