// DeepEbm: contrastive divergence with Langevin negatives and a replay buffer, Adam (SPEC M-32).
#include "engram/learning/deep_ebm.hpp"

#include <cmath>

#include "engram/core/error.hpp"

namespace engram {

template <class T>
DeepEbm<T>::DeepEbm(MlpEnergy<T> energy, DeepEbmOptions options)
    : energy_(std::move(energy)), options_(options) {
  const auto& o = options_;
  ENGRAM_CHECK(o.langevin_steps >= 0, "DeepEbm: langevin_steps must be >= 0, got {}",
               o.langevin_steps);
  ENGRAM_CHECK(std::isfinite(o.step_size) && o.step_size > 0,
               "DeepEbm: step_size must be finite and > 0, got {}", o.step_size);
  ENGRAM_CHECK(std::isfinite(o.noise) && o.noise >= 0,
               "DeepEbm: noise must be finite and >= 0, got {}", o.noise);
  ENGRAM_CHECK(std::isfinite(o.lo) && std::isfinite(o.hi) && o.lo < o.hi,
               "DeepEbm: need a box lo < hi, got [{}, {}]", o.lo, o.hi);
  ENGRAM_CHECK(o.buffer >= 0, "DeepEbm: buffer must be >= 0, got {}", o.buffer);
  ENGRAM_CHECK(o.reinit >= 0 && o.reinit <= 1, "DeepEbm: reinit must be in [0, 1], got {}",
               o.reinit);
  ENGRAM_CHECK(std::isfinite(o.alpha) && o.alpha >= 0, "DeepEbm: alpha must be >= 0, got {}",
               o.alpha);
  ENGRAM_CHECK(std::isfinite(o.lr) && o.lr > 0, "DeepEbm: lr must be finite and > 0, got {}", o.lr);
  ENGRAM_CHECK(o.beta1 >= 0 && o.beta1 < 1 && o.beta2 >= 0 && o.beta2 < 1 && o.adam_eps > 0,
               "DeepEbm: Adam needs 0 <= beta1, beta2 < 1 and eps > 0, got {}, {}, {}", o.beta1,
               o.beta2, o.adam_eps);
  for (const Mat<T>& p : energy_.params()) {
    m_.push_back(Mat<T>::Zero(p.rows(), p.cols()));
    v_.push_back(Mat<T>::Zero(p.rows(), p.cols()));
  }
}

template <class T>
void DeepEbm<T>::langevin(Mat<T>& x, int steps, Rng& rng) const {
  ENGRAM_CHECK(steps >= 0, "DeepEbm::langevin: steps must be >= 0, got {}", steps);
  check_shape(x, x.rows(), energy_.input_size(), "DeepEbm::langevin: x");
  Mat<T> grad(x.rows(), x.cols());
  std::normal_distribution<double> normal;
  const T eps = static_cast<T>(options_.step_size);
  const double sigma = options_.noise;
  for (int k = 0; k < steps; ++k) {
    energy_.energy_and_grad(x, grad);
    x -= eps * grad;
    if (sigma > 0)
      for (Index i = 0; i < x.size(); ++i)
        x.data()[i] += static_cast<T>(sigma * normal(rng.engine()));
    if (options_.clip)
      x = x.cwiseMax(static_cast<T>(options_.lo)).cwiseMin(static_cast<T>(options_.hi));
    ENGRAM_CHECK(x.allFinite(),
                 "DeepEbm::langevin: samples became NaN/Inf at step {} (step size "
                 "too large?)",
                 k + 1);
  }
}

template <class T>
Mat<T> DeepEbm<T>::sample(Index count, int steps, Rng& rng) const {
  ENGRAM_CHECK(count >= 1, "DeepEbm::sample: count must be >= 1, got {}", count);
  Mat<T> x = rng.uniform<T>(count, energy_.input_size(), options_.lo, options_.hi);
  langevin(x, steps, rng);
  return x;
}

template <class T>
DeepEbmStep DeepEbm<T>::train_step(const MatCRef<T>& data, Rng& rng) {
  const Index B = data.rows(), D = energy_.input_size();
  ENGRAM_CHECK(B >= 1, "DeepEbm::train_step: empty batch");
  check_shape(data, B, D, "DeepEbm::train_step: data");
  check_finite(data, "DeepEbm::train_step: data");
  const auto& o = options_;

  // Negatives: persistent chains from the replay buffer, a fraction restarted from noise.
  Mat<T> neg(B, D);
  std::vector<Index> slots(static_cast<std::size_t>(B), -1);
  if (o.buffer > 0 && buffer_.rows() == 0) buffer_ = rng.uniform<T>(o.buffer, D, o.lo, o.hi);
  for (Index b = 0; b < B; ++b) {
    if (o.buffer > 0 && rng.real(0.0, 1.0) >= o.reinit) {
      slots[b] = rng.index(o.buffer);
      neg.row(b) = buffer_.row(slots[b]);
    } else {
      neg.row(b) = rng.uniform<T>(1, D, o.lo, o.hi);
      if (o.buffer > 0) slots[b] = rng.index(o.buffer);
    }
  }
  langevin(neg, o.langevin_steps, rng);
  for (Index b = 0; b < B; ++b)
    if (slots[b] >= 0) buffer_.row(slots[b]) = neg.row(b);

  // ∇_θ L as two weighted parameter gradients.
  const Energies e_pos = energy_.energy(data), e_neg = energy_.energy(neg);
  const double inv = 1.0 / static_cast<double>(B);
  const Eigen::VectorXd w_pos = (1.0 + 2.0 * o.alpha * e_pos.array()).matrix() * inv;
  const Eigen::VectorXd w_neg = (-1.0 + 2.0 * o.alpha * e_neg.array()).matrix() * inv;
  std::vector<Mat<T>> g_pos, g_neg;
  energy_.param_grad(data, w_pos, g_pos);
  energy_.param_grad(neg, w_neg, g_neg);

  DeepEbmStep step;
  step.data_energy = e_pos.mean();
  step.negative_energy = e_neg.mean();
  step.gap = step.data_energy - step.negative_energy;
  step.loss = step.gap + o.alpha * (e_pos.squaredNorm() + e_neg.squaredNorm()) * inv;
  ENGRAM_CHECK(std::isfinite(step.loss),
               "DeepEbm::train_step: the loss is not finite (lr or "
               "step size too large?)");

  // Adam.
  ++t_;
  const double c1 = 1.0 - std::pow(o.beta1, static_cast<double>(t_));
  const double c2 = 1.0 - std::pow(o.beta2, static_cast<double>(t_));
  std::vector<Mat<T>> params = energy_.params();
  for (std::size_t k = 0; k < params.size(); ++k) {
    const Mat<T> g = g_pos[k] + g_neg[k];
    m_[k] = static_cast<T>(o.beta1) * m_[k] + static_cast<T>(1 - o.beta1) * g;
    v_[k] = static_cast<T>(o.beta2) * v_[k] + static_cast<T>(1 - o.beta2) * g.cwiseProduct(g);
    params[k].array() -= static_cast<T>(o.lr / c1) * m_[k].array() /
                         ((v_[k].array() / static_cast<T>(c2)).sqrt() + static_cast<T>(o.adam_eps));
  }
  energy_.set_params(std::move(params));
  return step;
}

template <class T>
void DeepEbm<T>::set_training_state(std::vector<Mat<T>> m, std::vector<Mat<T>> v, long steps,
                                    Mat<T> buffer) {
  const auto& params = energy_.params();
  ENGRAM_CHECK(m.size() == params.size() && v.size() == params.size(),
               "DeepEbm: Adam moments for {} and {} tensors, the model has {}", m.size(), v.size(),
               params.size());
  for (std::size_t k = 0; k < params.size(); ++k) {
    check_shape(m[k], params[k].rows(), params[k].cols(), "DeepEbm: Adam m");
    check_shape(v[k], params[k].rows(), params[k].cols(), "DeepEbm: Adam v");
  }
  ENGRAM_CHECK(steps >= 0, "DeepEbm: Adam step count must be >= 0, got {}", steps);
  ENGRAM_CHECK(buffer.rows() == 0 ||
                   (buffer.rows() == options_.buffer && buffer.cols() == energy_.input_size()),
               "DeepEbm: replay buffer of {}x{}, expected {}x{} or none", buffer.rows(),
               buffer.cols(), options_.buffer, energy_.input_size());
  m_ = std::move(m);
  v_ = std::move(v);
  t_ = steps;
  buffer_ = std::move(buffer);
}

template class DeepEbm<float>;
template class DeepEbm<double>;

}  // namespace engram
