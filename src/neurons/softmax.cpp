// Log-sum-exp Lagrangian. Row maxima are subtracted before every exponential, and the value and
// energy are formed in double, so β = 1e3 with |x| = 1e4 stays finite.
#include "engram/neurons/softmax.hpp"

#include <fmt/format.h>

#include <cmath>

#include "engram/core/error.hpp"

namespace engram {

template <class T>
Softmax<T>::Softmax(double beta) : beta_(beta) {
  check_positive(beta, "Softmax: beta");
}

template <class T>
std::string Softmax<T>::name() const {
  return fmt::format("softmax(beta={:.6g})", beta_);
}

namespace {

/// One row of βx split as r_i = β(x_i − x_max) ≤ 0 and ℓ = log1p(Σ_{i≠argmax} e^{r_i}), so that
/// lse(βx) = βx_max + ℓ and log softmax_i = r_i − ℓ, both exact to rounding even when one input
/// dominates (log s_max = −ℓ keeps its digits instead of vanishing into βx_max).
struct LogSumExp {
  double max;  // x_max
  double ell;  // ℓ
};

/// Also leaves r_i in `r` and e^{r_i} in `e` (0 at the argmax, whose e^0 = 1 is the "1" of
/// log1p), so callers can form other sums without a second exp. Vectorised: one exp per entry.
template <class Row>
LogSumExp log_sum_exp(const Row& x, double beta, Eigen::ArrayXd& r, Eigen::ArrayXd& e) {
  Index arg = 0;
  const double m = static_cast<double>(x.maxCoeff(&arg));
  r = beta * (x.template cast<double>().array() - m);
  e = r.exp();
  e(arg) = 0.0;
  return {m, std::log1p(e.sum())};
}

}  // namespace

namespace {
template <class T>
void check_columns(const MatCRef<T>& x, const char* who) {
  ENGRAM_CHECK(x.cols() > 0, "Softmax::{}: x needs at least one column, got {}x{}", who, x.rows(),
               x.cols());
}
}  // namespace

template <class T>
Energies Softmax<T>::value(const MatCRef<T>& x) const {
  check_columns<T>(x, "value");
  Energies out(x.rows());
  Eigen::ArrayXd r, e;
  for (Index b = 0; b < x.rows(); ++b) {
    const LogSumExp lse = log_sum_exp(x.row(b), beta_, r, e);
    out(b) = lse.max + lse.ell / beta_;
  }
  return out;
}

template <class T>
void Softmax<T>::activation(const MatCRef<T>& x, MatRef<T> xhat) const {
  check_columns<T>(x, "activation");
  check_shape(xhat, x.rows(), x.cols(), "Softmax::activation: xhat (same shape as x)");
  const T beta = static_cast<T>(beta_);
  for (Index b = 0; b < x.rows(); ++b) {
    // β(x − max), not βx − β·max: at βx ≈ 1e7 a float has no digits left after the point.
    const T m = x.row(b).maxCoeff();
    xhat.row(b) = (beta * (x.row(b).array() - m)).exp().matrix();
    xhat.row(b) /= xhat.row(b).sum();
  }
}

template <class T>
Energies Softmax<T>::energy(const MatCRef<T>& x) const {
  // E = β⁻¹ Σ_i s_i log s_i with s_i = e^{r_i − ℓ}, log s_i = r_i − ℓ: since Σ_i s_i = 1 and
  // e^{−ℓ} = 1/(1 + Σ_{i≠argmax} e^{r_i}), E = β⁻¹ [Σ_{i≠argmax} e^{r_i} r_i / e^ℓ − ℓ] (the argmax
  // has r = 0); an underflowed s_i contributes 0.
  check_columns<T>(x, "energy");
  Energies out(x.rows());
  Eigen::ArrayXd r, e;
  for (Index b = 0; b < x.rows(); ++b) {
    const LogSumExp lse = log_sum_exp(x.row(b), beta_, r, e);
    out(b) = ((e * r).sum() / (1.0 + e.sum()) - lse.ell) / beta_;
  }
  return out;
}

template <class T>
void Softmax<T>::hvp(const MatCRef<T>& x, const MatCRef<T>& v, MatRef<T> out) const {
  check_columns<T>(x, "hvp");
  check_shape(v, x.rows(), x.cols(), "Softmax::hvp: v (same shape as x)");
  check_shape(out, x.rows(), x.cols(), "Softmax::hvp: out (same shape as x)");
  activation(x, out);  // out = s
  const T beta = static_cast<T>(beta_);
  for (Index b = 0; b < x.rows(); ++b) {
    const T sv = out.row(b).dot(v.row(b));
    out.row(b) = beta * (out.row(b).cwiseProduct(v.row(b)) - sv * out.row(b));
  }
}

template class Softmax<float>;
template class Softmax<double>;

}  // namespace engram
