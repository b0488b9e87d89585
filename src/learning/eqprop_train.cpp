// EqPropNetwork: SGD on mini-batches, prediction and evaluation (SPEC M-31).
#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "engram/core/error.hpp"
#include "engram/learning/eqprop.hpp"

namespace engram {

namespace {

/// How many rows of `yhat` (B × classes) have their argmax away from the label.
template <class T>
Index misclassified(const Mat<T>& yhat, const std::vector<int>& labels) {
  Index wrong = 0;
  for (Index b = 0; b < yhat.rows(); ++b) {
    Index k = 0;
    yhat.row(b).maxCoeff(&k);
    if (k != labels[static_cast<std::size_t>(b)]) ++wrong;
  }
  return wrong;
}

}  // namespace

template <class T>
EpochStats EqPropNetwork<T>::train_batch(const MatCRef<T>& x, const std::vector<int>& labels,
                                         Rng& rng) {
  check_labels(labels, x.rows(), "train_batch");
  set_batch(x, one_hot(labels));
  double beta = options_.beta;
  if (!options_.symmetric && options_.random_sign && rng.real(0.0, 1.0) < 0.5) beta = -beta;
  State<T> s0;
  const std::vector<Mat<T>> g = gradient_estimate(&s0, beta);
  const Mat<T> yhat = free_.activations(s0).back();
  const Index wrong = misclassified<T>(yhat, labels);
  const double c = cost(s0);
  // SGD: θ ← θ − α_l ĝ, α_l per weight layer (W_l and b_l).
  std::vector<Mat<T>> theta = params();
  for (std::size_t k = 0; k < theta.size(); ++k)
    theta[k] -= static_cast<T>(options_.learning_rates[k / 2]) * g[k];
  set_params(theta);
  return {static_cast<double>(wrong) / static_cast<double>(x.rows()), c};
}

template <class T>
EpochStats EqPropNetwork<T>::train_epoch(const MatCRef<T>& images, const std::vector<int>& labels,
                                         Rng& rng, const std::function<void(Index)>& progress) {
  check_shape(images, images.rows(), options_.sizes.front(),
              "EqPropNetwork::train_epoch: images (N x input size)");
  ENGRAM_CHECK(images.rows() > 0, "EqPropNetwork::train_epoch: no images");
  check_labels(labels, images.rows(), "train_epoch");
  std::vector<Index> order(static_cast<std::size_t>(images.rows()));
  std::iota(order.begin(), order.end(), Index{0});
  std::shuffle(order.begin(), order.end(), rng.engine());
  const Index B = options_.batch, N = images.rows();
  double wrong = 0.0, cost_sum = 0.0;
  Mat<T> x(B, images.cols());
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
    const EpochStats s = train_batch(x, y, rng);
    wrong += s.error * static_cast<double>(n);
    cost_sum += s.cost * static_cast<double>(n);
    if (progress) progress(start + n);
  }
  return {wrong / static_cast<double>(N), cost_sum / static_cast<double>(N)};
}

template <class T>
std::vector<int> EqPropNetwork<T>::predict(const MatCRef<T>& x) {
  std::vector<int> out;
  const Index B = std::max<Index>(options_.batch, 100);
  for (Index start = 0; start < x.rows(); start += B) {
    const Index n = std::min(B, x.rows() - start);
    set_batch(x.middleRows(start, n), Mat<T>(0, options_.sizes.back()));
    const Mat<T> yhat = free_.activations(free_phase()).back();
    for (Index b = 0; b < n; ++b) {
      Index k = 0;
      yhat.row(b).maxCoeff(&k);
      out.push_back(static_cast<int>(k));
    }
  }
  return out;
}

template <class T>
EpochStats EqPropNetwork<T>::evaluate(const MatCRef<T>& images, const std::vector<int>& labels) {
  check_shape(images, images.rows(), options_.sizes.front(),
              "EqPropNetwork::evaluate: images (N x input size)");
  ENGRAM_CHECK(images.rows() > 0, "EqPropNetwork::evaluate: no images");
  check_labels(labels, images.rows(), "evaluate");
  const Index B = std::max<Index>(options_.batch, 100);
  double wrong = 0.0, cost_sum = 0.0;
  for (Index start = 0; start < images.rows(); start += B) {
    const Index n = std::min(B, images.rows() - start);
    const std::vector<int> y(labels.begin() + start, labels.begin() + start + n);
    set_batch(images.middleRows(start, n), one_hot(y));
    const State<T> s = free_phase();
    wrong += static_cast<double>(misclassified<T>(free_.activations(s).back(), y));
    cost_sum += cost(s) * static_cast<double>(n);
  }
  const double N = static_cast<double>(images.rows());
  return {wrong / N, cost_sum / N};
}

template class EqPropNetwork<float>;
template class EqPropNetwork<double>;

}  // namespace engram
