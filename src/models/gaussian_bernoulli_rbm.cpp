#include "engram/models/gaussian_bernoulli_rbm.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "engram/core/error.hpp"
#include "rbm_math.hpp"

namespace engram {

namespace {
constexpr Index kMaxHidden = 20;
}

template <class T>
GaussianBernoulliRBM<T>::GaussianBernoulliRBM(Mat<T> W, Mat<T> b, Mat<T> c, double sigma)
    : sigma_(sigma) {
  check_positive(sigma, "GaussianBernoulliRBM: sigma");
  set_parameters(std::move(W), std::move(b), std::move(c));
}

template <class T>
void GaussianBernoulliRBM<T>::set_parameters(Mat<T> W, Mat<T> b, Mat<T> c) {
  const char* who = "GaussianBernoulliRBM";
  ENGRAM_CHECK(W.rows() > 0 && W.cols() > 0, "{}: W must be V x H with V, H > 0, got {}x{}", who,
               W.rows(), W.cols());
  check_shape(b, 1, W.rows(), "GaussianBernoulliRBM: b");
  check_shape(c, 1, W.cols(), "GaussianBernoulliRBM: c");
  check_finite(W, "GaussianBernoulliRBM: W");
  check_finite(b, "GaussianBernoulliRBM: b");
  check_finite(c, "GaussianBernoulliRBM: c");
  W_ = std::move(W);
  b_ = std::move(b);
  c_ = std::move(c);
}

namespace {
template <class T>
void check_rows(const MatCRef<T>& m, Index cols, const char* who, const char* what) {
  ENGRAM_CHECK(m.cols() == cols, "GaussianBernoulliRBM::{}: {} must be B x {}, got {}x{}", who,
               what, cols, m.rows(), m.cols());
  check_finite(m, fmt::format("GaussianBernoulliRBM::{}: {}", who, what));
}
}  // namespace

template <class T>
Energies GaussianBernoulliRBM<T>::energy(const MatCRef<T>& v, const MatCRef<T>& h) const {
  check_rows<T>(v, visible(), "energy", "v");
  check_rows<T>(h, hidden(), "energy", "h");
  ENGRAM_CHECK(v.rows() == h.rows(), "GaussianBernoulliRBM::energy: {} rows of v but {} of h",
               v.rows(), h.rows());
  const Mat<double> vd = v.template cast<double>(), hd = h.template cast<double>();
  const double s2 = sigma_ * sigma_;
  const Mat<double> d = vd.rowwise() - b_.template cast<double>().row(0);
  // M-33: E(v, h) = ‖v − b‖²/(2σ²) − cᵀh − vᵀWh/σ²
  return d.rowwise().squaredNorm() / (2 * s2) - hd * c_.template cast<double>().transpose() -
         ((vd * W_.template cast<double>()).array() * hd.array()).rowwise().sum().matrix() / s2;
}

template <class T>
Energies GaussianBernoulliRBM<T>::free_energy(const MatCRef<T>& v) const {
  check_rows<T>(v, visible(), "free_energy", "v");
  const double s2 = sigma_ * sigma_;
  const Mat<double> vd = v.template cast<double>();
  const Mat<double> a =
      ((vd * W_.template cast<double>()) / s2).rowwise() + c_.template cast<double>().row(0);
  // M-33: F(v) = ‖v − b‖²/(2σ²) − Σ_j softplus(c_j + (Wᵀv)_j/σ²)
  return (vd.rowwise() - b_.template cast<double>().row(0)).rowwise().squaredNorm() / (2 * s2) -
         detail::softplus_rows(a);
}

template <class T>
Mat<T> GaussianBernoulliRBM<T>::hidden_probabilities(const MatCRef<T>& v) const {
  check_rows<T>(v, visible(), "hidden_probabilities", "v");
  const T inv = static_cast<T>(1.0 / (sigma_ * sigma_));
  return detail::logistic<T>((inv * (v * W_)).rowwise() + c_.row(0));
}

template <class T>
Mat<T> GaussianBernoulliRBM<T>::score(const MatCRef<T>& v) const {
  const Mat<T> p = hidden_probabilities(v);
  const T inv = static_cast<T>(1.0 / (sigma_ * sigma_));
  // M-33: s(v) = −(v − b)/σ² + W σ(c + Wᵀv/σ²)/σ²
  return inv * ((p * W_.transpose()) - (v.rowwise() - b_.row(0)));
}

template <class T>
Eigen::VectorXd GaussianBernoulliRBM<T>::log_hidden_weights(Mat<double>& states) const {
  ENGRAM_CHECK(hidden() <= kMaxHidden,
               "GaussianBernoulliRBM: exact sums over h need at most {} hidden units, got {}",
               kMaxHidden, hidden());
  const Index n = Index{1} << hidden();
  states.resize(n, hidden());
  for (Index r = 0; r < n; ++r)
    for (Index j = 0; j < hidden(); ++j) states(r, j) = static_cast<double>((r >> j) & 1);
  const Mat<double> b = b_.template cast<double>();
  const Mat<double> means = (states * W_.template cast<double>().transpose()).rowwise() + b.row(0);
  // log P(h) + const = cᵀh + (‖b + Wh‖² − ‖b‖²)/(2σ²)
  return states * c_.template cast<double>().transpose() +
         (means.rowwise().squaredNorm().array() - b.squaredNorm()).matrix() / (2 * sigma_ * sigma_);
}

template <class T>
double GaussianBernoulliRBM<T>::log_partition() const {
  Mat<double> states;
  const Eigen::VectorXd lw = log_hidden_weights(states);
  const double m = lw.maxCoeff();
  return 0.5 * static_cast<double>(visible()) * std::log(2 * std::numbers::pi * sigma_ * sigma_) +
         m + std::log((lw.array() - m).exp().sum());
}

template <class T>
Mat<T> GaussianBernoulliRBM<T>::sample(Index count, Rng& rng) const {
  ENGRAM_CHECK(count >= 0, "GaussianBernoulliRBM::sample: count must be >= 0, got {}", count);
  Mat<double> states;
  const Eigen::VectorXd lw = log_hidden_weights(states);
  Eigen::VectorXd cdf = (lw.array() - lw.maxCoeff()).exp();
  for (Index r = 1; r < cdf.size(); ++r) cdf(r) += cdf(r - 1);
  cdf /= cdf(cdf.size() - 1);
  Mat<double> v = rng.normal<double>(count, visible(), 0.0, sigma_);
  const Mat<double> W = W_.template cast<double>(), b = b_.template cast<double>();
  for (Index n = 0; n < count; ++n) {
    const double u = rng.real(0, 1);
    const Index k = std::min<Index>(
        static_cast<Index>(std::upper_bound(cdf.data(), cdf.data() + cdf.size(), u) - cdf.data()),
        cdf.size() - 1);
    v.row(n) += b.row(0) + states.row(k) * W.transpose();  // v | h ~ N(b + Wh, σ² I)
  }
  return v.template cast<T>();
}

template class GaussianBernoulliRBM<float>;
template class GaussianBernoulliRBM<double>;

}  // namespace engram
