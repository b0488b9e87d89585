#include "engram/learning/contrastive_divergence.hpp"

#include <algorithm>
#include <numeric>
#include <vector>

#include "../models/rbm_math.hpp"
#include "engram/core/error.hpp"

namespace engram {

template <class T>
CDTrainer<T>::CDTrainer(const CDOptions& options, std::uint64_t seed)
    : options_(options), rng_(seed) {
  ENGRAM_CHECK(options.k >= 1, "CDTrainer: k must be >= 1, got {}", options.k);
  check_positive(options.learning_rate, "CDTrainer: learning_rate");
  ENGRAM_CHECK(options.momentum >= 0 && options.momentum < 1,
               "CDTrainer: momentum must be in [0, 1), got {}", options.momentum);
  ENGRAM_CHECK(options.weight_decay >= 0 && std::isfinite(options.weight_decay),
               "CDTrainer: weight_decay must be finite and >= 0, got {}", options.weight_decay);
  ENGRAM_CHECK(options.batch >= 1, "CDTrainer: batch must be >= 1, got {}", options.batch);
  ENGRAM_CHECK(options.chains >= 1, "CDTrainer: chains must be >= 1, got {}", options.chains);
}

template <class T>
RBMGradient<T> CDTrainer<T>::gradient(const BernoulliRBM<T>& rbm, const MatCRef<T>& batch,
                                      double* reconstruction_error) {
  ENGRAM_CHECK(batch.rows() > 0 && batch.cols() == rbm.visible(),
               "CDTrainer::gradient: batch must be B x {} with B > 0, got {}x{}", rbm.visible(),
               batch.rows(), batch.cols());
  check_finite(batch, "CDTrainer::gradient: batch");
  const Mat<T> ph_data = rbm.hidden_probabilities(batch);
  if (reconstruction_error)
    *reconstruction_error =
        (rbm.visible_probabilities(ph_data) - batch).template cast<double>().squaredNorm() /
        static_cast<double>(batch.size());
  Mat<T> negative;
  if (options_.persistent) {
    if (chains_.rows() == 0)
      chains_ =
          detail::bernoulli<T>(detail::logistic<T>(rbm.b().replicate(options_.chains, 1)), rng_);
    ENGRAM_CHECK(chains_.cols() == rbm.visible(),
                 "CDTrainer::gradient: persistent chains have {} units, the RBM {}", chains_.cols(),
                 rbm.visible());
    chains_ = rbm.gibbs(chains_, options_.k, rng_);
    negative = chains_;
  } else {
    negative = rbm.gibbs(batch, options_.k, rng_);
  }
  const Mat<T> ph_model = rbm.hidden_probabilities(negative);
  const T nd = T(1) / static_cast<T>(batch.rows()), nm = T(1) / static_cast<T>(negative.rows());
  // M-32: ∂ log-likelihood / ∂θ ≈ ⟨−∂E/∂θ⟩_data − ⟨−∂E/∂θ⟩_model
  RBMGradient<T> g;
  g.W = nd * (batch.transpose() * ph_data) - nm * (negative.transpose() * ph_model);
  g.b = nd * batch.colwise().sum() - nm * negative.colwise().sum();
  g.c = nd * ph_data.colwise().sum() - nm * ph_model.colwise().sum();
  return g;
}

template <class T>
double CDTrainer<T>::step(BernoulliRBM<T>& rbm, const MatCRef<T>& batch) {
  double error = 0;
  const RBMGradient<T> g = gradient(rbm, batch, &error);
  if (velocity_.W.rows() != rbm.visible() || velocity_.W.cols() != rbm.hidden()) {
    velocity_ = {Mat<T>::Zero(rbm.visible(), rbm.hidden()), Mat<T>::Zero(1, rbm.visible()),
                 Mat<T>::Zero(1, rbm.hidden())};
  }
  const T mu = static_cast<T>(options_.momentum), eps = static_cast<T>(options_.learning_rate);
  const T decay = static_cast<T>(options_.weight_decay);
  velocity_.W = mu * velocity_.W + eps * (g.W - decay * rbm.W());
  velocity_.b = mu * velocity_.b + eps * g.b;
  velocity_.c = mu * velocity_.c + eps * g.c;
  rbm.set_parameters(rbm.W() + velocity_.W, rbm.b() + velocity_.b, rbm.c() + velocity_.c);
  return error;
}

template <class T>
double CDTrainer<T>::epoch(BernoulliRBM<T>& rbm, const MatCRef<T>& data,
                           const std::function<void(Index)>& progress) {
  ENGRAM_CHECK(data.rows() > 0 && data.cols() == rbm.visible(),
               "CDTrainer::epoch: data must be N x {} with N > 0, got {}x{}", rbm.visible(),
               data.rows(), data.cols());
  check_finite(data, "CDTrainer::epoch: data");
  std::vector<Index> order(static_cast<std::size_t>(data.rows()));
  std::iota(order.begin(), order.end(), Index{0});
  std::shuffle(order.begin(), order.end(), rng_.engine());
  double error = 0;
  Index batches = 0;
  Mat<T> batch;
  for (Index start = 0; start < data.rows(); start += options_.batch) {
    const Index n = std::min(options_.batch, data.rows() - start);
    batch.resize(n, data.cols());
    for (Index r = 0; r < n; ++r) batch.row(r) = data.row(order[start + r]);
    error += step(rbm, batch);
    ++batches;
    if (progress) progress(start + n);
  }
  return error / static_cast<double>(batches);
}

template <class T>
void CDTrainer<T>::set_chains(Mat<T> chains) {
  check_finite(chains, "CDTrainer::set_chains: chains");
  chains_ = std::move(chains);
}

template <class T>
void CDTrainer<T>::set_velocity(RBMGradient<T> velocity) {
  ENGRAM_CHECK(velocity.b.rows() == 1 && velocity.c.rows() == 1 &&
                   velocity.W.rows() == velocity.b.cols() && velocity.W.cols() == velocity.c.cols(),
               "CDTrainer::set_velocity: W {}x{}, b {}x{}, c {}x{} do not fit together",
               velocity.W.rows(), velocity.W.cols(), velocity.b.rows(), velocity.b.cols(),
               velocity.c.rows(), velocity.c.cols());
  velocity_ = std::move(velocity);
}

template class CDTrainer<float>;
template class CDTrainer<double>;
template struct RBMGradient<float>;
template struct RBMGradient<double>;

}  // namespace engram
