// FeedForwardNetwork: the backprop baseline of equilibrium propagation (SPEC M-31).
#include "engram/learning/feedforward.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "engram/core/error.hpp"

namespace engram {

namespace {

template <class T>
T rho(T u, bool sigmoid) {
  if (sigmoid) return u >= T(0) ? T(1) / (T(1) + std::exp(-u)) : std::exp(u) / (T(1) + std::exp(u));
  return u < T(0) ? T(0) : (u > T(1) ? T(1) : u);
}

/// ρ'(u) from h = ρ(u): σ' = h(1 − h); clip' = 1 inside (0, 1).
template <class T>
T rho_prime(T h, bool sigmoid) {
  if (sigmoid) return h * (T(1) - h);
  return h > T(0) && h < T(1) ? T(1) : T(0);
}

}  // namespace

template <class T>
FeedForwardNetwork<T>::FeedForwardNetwork(const EqPropOptions& options, Rng& rng)
    : options_(options) {
  options_.check();
  const std::vector<Index>& D = options_.sizes;
  for (std::size_t l = 1; l < D.size(); ++l) {
    const double a = std::sqrt(6.0 / static_cast<double>(D[l - 1] + D[l]));
    params_.push_back(rng.uniform<T>(D[l - 1], D[l], -a, a));
    params_.push_back(Mat<T>::Zero(1, D[l]));
  }
}

template <class T>
std::vector<std::string> FeedForwardNetwork<T>::param_names() const {
  std::vector<std::string> names;
  for (std::size_t l = 1; l < options_.sizes.size(); ++l) {
    names.push_back(fmt::format("W{}", l));
    names.push_back(fmt::format("b{}", l));
  }
  return names;
}

template <class T>
void FeedForwardNetwork<T>::set_params(const std::vector<Mat<T>>& params) {
  const std::vector<std::string> names = param_names();
  ENGRAM_CHECK(params.size() == names.size(),
               "FeedForwardNetwork::set_params: expected {} tensors, got {}", names.size(),
               params.size());
  for (std::size_t k = 0; k < names.size(); ++k) {
    check_shape(params[k], params_[k].rows(), params_[k].cols(),
                fmt::format("FeedForwardNetwork: {}", names[k]));
    check_finite(params[k], fmt::format("FeedForwardNetwork: {}", names[k]));
  }
  params_ = params;
}

template <class T>
std::vector<Mat<T>> FeedForwardNetwork<T>::forward(const MatCRef<T>& x) const {
  check_shape(x, x.rows(), options_.sizes.front(), "FeedForwardNetwork: x (B x input size)");
  check_finite(x, "FeedForwardNetwork: x");
  const bool sig = options_.activation == "sigmoid";
  std::vector<Mat<T>> h;
  for (std::size_t l = 0; 2 * l < params_.size(); ++l) {
    Mat<T> u = (l == 0 ? Mat<T>(x * params_[0]) : Mat<T>(h.back() * params_[2 * l]));
    u.rowwise() += params_[2 * l + 1].row(0);
    h.push_back(u.unaryExpr([sig](T v) { return rho<T>(v, sig); }));
  }
  return h;
}

template <class T>
std::vector<Mat<T>> FeedForwardNetwork<T>::gradient(const MatCRef<T>& x, const MatCRef<T>& t,
                                                    double* cost) const {
  const std::vector<Mat<T>> h = forward(x);
  const Mat<T>& y = h.back();
  check_shape(t, x.rows(), y.cols(), "FeedForwardNetwork: targets (B x output size)");
  const T inv_b = T(1) / static_cast<T>(x.rows());
  // δ_L = ∂C/∂ŷ (mean over the batch), then through ρ' and the weights, layer by layer.
  Mat<T> delta;
  double c = 0.0;
  if (options_.cost == CostKind::cross_entropy) {
    Mat<T> p = y;
    for (Index b = 0; b < y.rows(); ++b) {
      const T m = y.row(b).maxCoeff();
      p.row(b) = (y.row(b).array() - m).exp().matrix();
      const T z = p.row(b).sum();
      p.row(b) /= z;
      const T s = t.row(b).sum();
      c += static_cast<double>(s * (m + std::log(z)) - t.row(b).dot(y.row(b)));
      p.row(b) *= s;
    }
    delta = (p - t) * inv_b;
  } else {
    c = 0.5 * static_cast<double>((y - t).squaredNorm());
    delta = (y - t) * inv_b;
  }
  if (cost) *cost = c / static_cast<double>(x.rows());
  const bool sig = options_.activation == "sigmoid";
  std::vector<Mat<T>> g(params_.size());
  for (std::size_t l = h.size(); l-- > 0;) {
    delta = delta.cwiseProduct(h[l].unaryExpr([sig](T v) { return rho_prime<T>(v, sig); }));
    g[2 * l] = l == 0 ? Mat<T>(x.transpose() * delta) : Mat<T>(h[l - 1].transpose() * delta);
    g[2 * l + 1] = delta.colwise().sum();
    if (l > 0) delta = (delta * params_[2 * l].transpose()).eval();
  }
  return g;
}

template <class T>
double FeedForwardNetwork<T>::cost(const MatCRef<T>& x, const MatCRef<T>& targets) const {
  double c = 0.0;
  gradient(x, targets, &c);
  return c;
}

template <class T>
Mat<T> FeedForwardNetwork<T>::one_hot(const std::vector<int>& labels, Index rows,
                                      const char* who) const {
  ENGRAM_CHECK(static_cast<Index>(labels.size()) == rows,
               "FeedForwardNetwork::{}: expected {} labels (one per row), got {}", who, rows,
               labels.size());
  const Index classes = options_.sizes.back();
  Mat<T> t = Mat<T>::Zero(rows, classes);
  for (std::size_t b = 0; b < labels.size(); ++b) {
    ENGRAM_CHECK(labels[b] >= 0 && labels[b] < classes,
                 "FeedForwardNetwork::{}: label {} at index {} is out of range [0, {})", who,
                 labels[b], b, classes);
    t(static_cast<Index>(b), labels[b]) = T(1);
  }
  return t;
}

template <class T>
EpochStats FeedForwardNetwork<T>::train_batch(const MatCRef<T>& x, const std::vector<int>& labels) {
  const Mat<T> t = one_hot(labels, x.rows(), "train_batch");
  const std::vector<int> guess = predict(x);
  Index wrong = 0;
  for (std::size_t b = 0; b < labels.size(); ++b) wrong += guess[b] != labels[b];
  double c = 0.0;
  const std::vector<Mat<T>> g = gradient(x, t, &c);
  for (std::size_t k = 0; k < params_.size(); ++k)
    params_[k] -= static_cast<T>(options_.learning_rates[k / 2]) * g[k];
  return {static_cast<double>(wrong) / static_cast<double>(x.rows()), c};
}

template <class T>
EpochStats FeedForwardNetwork<T>::train_epoch(const MatCRef<T>& images,
                                              const std::vector<int>& labels, Rng& rng,
                                              const std::function<void(Index)>& progress) {
  check_shape(images, images.rows(), options_.sizes.front(),
              "FeedForwardNetwork::train_epoch: images (N x input size)");
  ENGRAM_CHECK(images.rows() > 0, "FeedForwardNetwork::train_epoch: no images");
  one_hot(labels, images.rows(), "train_epoch");  // checks the labels
  std::vector<Index> order(static_cast<std::size_t>(images.rows()));
  std::iota(order.begin(), order.end(), Index{0});
  std::shuffle(order.begin(), order.end(), rng.engine());
  const Index B = options_.batch, N = images.rows();
  double wrong = 0.0, cost_sum = 0.0;
  Mat<T> x;
  std::vector<int> y;
  for (Index start = 0; start < N; start += B) {
    const Index n = std::min(B, N - start);
    x.resize(n, images.cols());
    y.resize(static_cast<std::size_t>(n));
    for (Index r = 0; r < n; ++r) {
      const Index i = order[static_cast<std::size_t>(start + r)];
      x.row(r) = images.row(i);
      y[static_cast<std::size_t>(r)] = labels[static_cast<std::size_t>(i)];
    }
    const EpochStats s = train_batch(x, y);
    wrong += s.error * static_cast<double>(n);
    cost_sum += s.cost * static_cast<double>(n);
    if (progress) progress(start + n);
  }
  return {wrong / static_cast<double>(N), cost_sum / static_cast<double>(N)};
}

template <class T>
std::vector<int> FeedForwardNetwork<T>::predict(const MatCRef<T>& x) const {
  const Mat<T> y = forward(x).back();
  std::vector<int> out;
  for (Index b = 0; b < y.rows(); ++b) {
    Index k = 0;
    y.row(b).maxCoeff(&k);
    out.push_back(static_cast<int>(k));
  }
  return out;
}

template <class T>
EpochStats FeedForwardNetwork<T>::evaluate(const MatCRef<T>& images,
                                           const std::vector<int>& labels) const {
  const Mat<T> t = one_hot(labels, images.rows(), "evaluate");
  ENGRAM_CHECK(images.rows() > 0, "FeedForwardNetwork::evaluate: no images");
  const std::vector<int> guess = predict(images);
  double wrong = 0.0;
  for (std::size_t b = 0; b < labels.size(); ++b) wrong += guess[b] != labels[b];
  return {wrong / static_cast<double>(images.rows()), cost(images, t)};
}

template class FeedForwardNetwork<float>;
template class FeedForwardNetwork<double>;

}  // namespace engram
