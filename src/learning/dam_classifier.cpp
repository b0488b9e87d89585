// M-35: the DAM classifier of Krotov & Hopfield (2016) as an energy graph, trained through its
// relaxation.
#include "engram/learning/dam_classifier.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "adam.hpp"
#include "engram/core/error.hpp"
#include "engram/neurons/identity.hpp"
#include "engram/neurons/rectified_polynomial.hpp"
#include "engram/neurons/softmax.hpp"
#include "engram/synapses/dense.hpp"

namespace engram {

void DamClassifierConfig::check() const {
  ENGRAM_CHECK(pixels >= 1, "DamClassifier: pixels must be >= 1, got {}", pixels);
  ENGRAM_CHECK(classes >= 2, "DamClassifier: classes must be >= 2, got {}", classes);
  ENGRAM_CHECK(memories >= 1, "DamClassifier: memories must be >= 1, got {}", memories);
  ENGRAM_CHECK(memory_lagrangian == "rectified_polynomial" || memory_lagrangian == "softmax",
               "DamClassifier: memory_lagrangian must be rectified_polynomial or softmax, got "
               "\"{}\"",
               memory_lagrangian);
  ENGRAM_CHECK(std::isfinite(power) && power >= 2, "DamClassifier: power must be >= 2, got {}",
               power);
  check_positive(beta, "DamClassifier: beta");
  check_positive(label_beta, "DamClassifier: label_beta");
  ENGRAM_CHECK(steps >= 1, "DamClassifier: steps must be >= 1, got {}", steps);
  check_positive(dt, "DamClassifier: dt");
  check_positive(init, "DamClassifier: init");
}

template <class T>
DamClassifier<T>::DamClassifier(DamClassifierConfig config, std::uint64_t seed)
    : config_(std::move(config)) {
  config_.check();
  Rng rng(seed);
  const Index D = config_.pixels, K = config_.memories, C = config_.classes;
  LagrangianPtr<T> memory_layer;
  if (config_.memory_lagrangian == "softmax")
    memory_layer = std::make_shared<const Softmax<T>>(config_.beta);
  else
    memory_layer = std::make_shared<const RectifiedPolynomial<T>>(config_.power);
  graph_.add_layer("pixels", {D}, Identity<T>())
      .add_layer("memories", {K}, memory_layer)
      .add_layer("labels", {C}, Softmax<T>(config_.label_beta))
      .add_synapse("xi", {"memories", "pixels"},
                   DenseSynapse<T>(rng.normal<T>(K, D, 0.0, config_.init / std::sqrt(double(D)))))
      .add_synapse("theta", {"memories", "labels"},
                   DenseSynapse<T>(rng.normal<T>(K, C, 0.0, config_.init / std::sqrt(double(K)))));
  unroll_ = UnrollOptions{config_.dt, config_.steps, {"pixels"}};
  adam_ = {Mat<T>::Zero(K, D), Mat<T>::Zero(K, D), Mat<T>::Zero(K, C), Mat<T>::Zero(K, C), 0};
}

template <class T>
const Mat<T>& DamClassifier<T>::memories() const {
  return graph_.synapse("xi").param(0);
}

template <class T>
const Mat<T>& DamClassifier<T>::label_memories() const {
  return graph_.synapse("theta").param(0);
}

template <class T>
void DamClassifier<T>::set_memories(const MatCRef<T>& xi, const MatCRef<T>& theta) {
  graph_.synapse("xi").set_param(0, xi);
  graph_.synapse("theta").set_param(0, theta);
}

template <class T>
void DamClassifier<T>::set_optimizer(Optimizer state) {
  const Index D = config_.pixels, K = config_.memories, C = config_.classes;
  check_shape(state.m_xi, K, D, "DamClassifier::set_optimizer: m_xi");
  check_shape(state.v_xi, K, D, "DamClassifier::set_optimizer: v_xi");
  check_shape(state.m_theta, K, C, "DamClassifier::set_optimizer: m_theta");
  check_shape(state.v_theta, K, C, "DamClassifier::set_optimizer: v_theta");
  ENGRAM_CHECK(state.step >= 0, "DamClassifier::set_optimizer: step must be >= 0, got {}",
               state.step);
  adam_ = std::move(state);
}

template <class T>
void DamClassifier<T>::check_data(const MatCRef<T>& images, const std::vector<std::uint8_t>* labels,
                                  const char* who) const {
  ENGRAM_CHECK(images.rows() >= 1 && images.cols() == config_.pixels,
               "DamClassifier::{}: images must be B x {} with B >= 1, got {}x{}", who,
               config_.pixels, images.rows(), images.cols());
  check_finite(images, fmt::format("DamClassifier::{}: images", who));
  if (!labels) return;
  ENGRAM_CHECK(static_cast<Index>(labels->size()) == images.rows(),
               "DamClassifier::{}: {} labels for {} images", who, labels->size(), images.rows());
  for (std::size_t b = 0; b < labels->size(); ++b)
    ENGRAM_CHECK((*labels)[b] < config_.classes,
                 "DamClassifier::{}: label {} is {}, not below classes = {}", who, b,
                 int((*labels)[b]), config_.classes);
}

template <class T>
State<T> DamClassifier<T>::initial_state(const MatCRef<T>& images) const {
  State<T> s = graph_.zeros(images.rows());
  s["pixels"] = (T(2) * images.array() - T(1)).matrix();
  return s;
}

template <class T>
Mat<T> DamClassifier<T>::predict_proba(const MatCRef<T>& images) const {
  check_data(images, nullptr, "predict_proba");
  const std::vector<State<T>> traj = unroll(graph_, initial_state(images), unroll_);
  return graph_.layer("labels").lagrangian->activation(traj.back()["labels"]);
}

template <class T>
std::vector<int> DamClassifier<T>::predict(const MatCRef<T>& images) const {
  const Mat<T> p = predict_proba(images);
  std::vector<int> out(static_cast<std::size_t>(p.rows()));
  for (Index b = 0; b < p.rows(); ++b) p.row(b).maxCoeff(&out[static_cast<std::size_t>(b)]);
  return out;
}

namespace {

template <class T>
Mat<T> one_hot(const std::vector<std::uint8_t>& labels, std::size_t first, Index count,
               Index classes) {
  Mat<T> t = Mat<T>::Zero(count, classes);
  for (Index b = 0; b < count; ++b) t(b, labels[first + static_cast<std::size_t>(b)]) = T(1);
  return t;
}

/// Fraction of rows of p whose argmax is not the one-hot target's.
template <class T>
double errors(const Mat<T>& p, const Mat<T>& target) {
  double wrong = 0;
  for (Index b = 0; b < p.rows(); ++b) {
    Index guess = 0, truth = 0;
    p.row(b).maxCoeff(&guess);
    target.row(b).maxCoeff(&truth);
    wrong += guess != truth;
  }
  return wrong;
}

}  // namespace

template <class T>
DamScore DamClassifier<T>::score(const MatCRef<T>& images, const std::vector<std::uint8_t>& labels,
                                 Index batch) const {
  check_data(images, &labels, "score");
  ENGRAM_CHECK(batch >= 1, "DamClassifier::score: batch must be >= 1, got {}", batch);
  DamScore total;
  for (Index start = 0; start < images.rows(); start += batch) {
    const Index n = std::min(batch, images.rows() - start);
    const Mat<T> target = one_hot<T>(labels, static_cast<std::size_t>(start), n, config_.classes);
    const std::vector<State<T>> traj =
        unroll(graph_, initial_state(images.middleRows(start, n)), unroll_);
    total.loss +=
        final_loss<T>(graph_, traj.back(), {{"labels", LossKind::cross_entropy, target}}).value;
    total.error +=
        errors<T>(graph_.layer("labels").lagrangian->activation(traj.back()["labels"]), target);
  }
  total.loss /= static_cast<double>(images.rows());
  total.error /= static_cast<double>(images.rows());
  return total;
}

template <class T>
DamScore DamClassifier<T>::train_batch(const MatCRef<T>& images,
                                       const std::vector<std::uint8_t>& labels, double lr) {
  check_data(images, &labels, "train_batch");
  ENGRAM_CHECK(std::isfinite(lr) && lr > 0, "DamClassifier::train_batch: lr must be > 0, got {}",
               lr);
  const Index B = images.rows();
  const Mat<T> target = one_hot<T>(labels, 0, B, config_.classes);
  const ThroughDynamics<T> r = gradient_through_dynamics<T>(
      graph_, initial_state(images), unroll_, {{"labels", LossKind::cross_entropy, target}});
  const DamScore score{
      r.loss / static_cast<double>(B),
      errors<T>(graph_.layer("labels").lagrangian->activation(r.final["labels"]), target) /
          static_cast<double>(B)};
  // Synapse 0 is Ξ, synapse 1 is Θ; the loss is a sum over the batch, Adam takes its mean.
  const T mean = T(1) / static_cast<T>(B);
  ++adam_.step;
  Mat<T> xi = memories(), theta = label_memories();
  detail::adam_update<T>(xi, mean * r.grad.params[0][0], adam_.m_xi, adam_.v_xi, adam_.step, lr);
  detail::adam_update<T>(theta, mean * r.grad.params[1][0], adam_.m_theta, adam_.v_theta,
                         adam_.step, lr);
  set_memories(xi, theta);
  return score;
}

template <class T>
DamScore DamClassifier<T>::fit_epoch(const MatCRef<T>& images,
                                     const std::vector<std::uint8_t>& labels, Index batch,
                                     double lr, Rng& rng,
                                     const std::function<void(Index done)>& progress) {
  check_data(images, &labels, "fit_epoch");
  ENGRAM_CHECK(batch >= 1, "DamClassifier::fit_epoch: batch must be >= 1, got {}", batch);
  const Index N = images.rows();
  std::vector<Index> order(static_cast<std::size_t>(N));
  std::iota(order.begin(), order.end(), Index{0});
  for (Index i = N - 1; i > 0; --i) std::swap(order[i], order[rng.index(i + 1)]);
  DamScore total;
  Mat<T> x(batch, config_.pixels);
  std::vector<std::uint8_t> y;
  for (Index start = 0; start < N; start += batch) {
    const Index n = std::min(batch, N - start);
    x.resize(n, config_.pixels);
    y.resize(static_cast<std::size_t>(n));
    for (Index b = 0; b < n; ++b) {
      x.row(b) = images.row(order[start + b]);
      y[b] = labels[static_cast<std::size_t>(order[start + b])];
    }
    const DamScore s = train_batch(x, y, lr);
    total.loss += s.loss * static_cast<double>(n);
    total.error += s.error * static_cast<double>(n);
    if (progress) progress(start + n);
  }
  total.loss /= static_cast<double>(N);
  total.error /= static_cast<double>(N);
  return total;
}

template class DamClassifier<float>;
template class DamClassifier<double>;

}  // namespace engram
