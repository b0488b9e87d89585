#include "engram/models/rbm.hpp"

#include <cmath>

#include "engram/core/error.hpp"
#include "engram/neurons/sigmoid.hpp"
#include "engram/synapses/bias.hpp"
#include "engram/synapses/dense.hpp"
#include "model_file_checks.hpp"
#include "rbm_math.hpp"

namespace engram {
using detail::bernoulli;
using detail::logistic;

template <class T>
BernoulliRBM<T>::BernoulliRBM(Mat<T> W, Mat<T> b, Mat<T> c) {
  set_parameters(std::move(W), std::move(b), std::move(c));
}

template <class T>
BernoulliRBM<T> BernoulliRBM<T>::random(Index visible, Index hidden, double stddev, Rng& rng) {
  ENGRAM_CHECK(visible > 0 && hidden > 0,
               "BernoulliRBM::random: visible and hidden must be positive, got {} and {}", visible,
               hidden);
  check_positive(stddev, "BernoulliRBM::random: stddev");
  return BernoulliRBM(rng.normal<T>(visible, hidden, 0.0, stddev), Mat<T>::Zero(1, visible),
                      Mat<T>::Zero(1, hidden));
}

template <class T>
void BernoulliRBM<T>::set_parameters(Mat<T> W, Mat<T> b, Mat<T> c) {
  ENGRAM_CHECK(W.rows() > 0 && W.cols() > 0,
               "BernoulliRBM: W must be V x H with V, H > 0, got {}x{}", W.rows(), W.cols());
  check_shape(b, 1, W.rows(), "BernoulliRBM: b");
  check_shape(c, 1, W.cols(), "BernoulliRBM: c");
  check_finite(W, "BernoulliRBM: W");
  check_finite(b, "BernoulliRBM: b");
  check_finite(c, "BernoulliRBM: c");
  W_ = std::move(W);
  b_ = std::move(b);
  c_ = std::move(c);
}

template <class T>
void BernoulliRBM<T>::check_batch(const MatCRef<T>& m, Index cols, const char* who,
                                  const char* what) const {
  ENGRAM_CHECK(m.cols() == cols, "BernoulliRBM::{}: {} must be B x {}, got {}x{}", who, what, cols,
               m.rows(), m.cols());
  check_finite(m, fmt::format("BernoulliRBM::{}: {}", who, what));
}

template <class T>
Energies BernoulliRBM<T>::energy(const MatCRef<T>& v, const MatCRef<T>& h) const {
  check_batch(v, visible(), "energy", "v");
  check_batch(h, hidden(), "energy", "h");
  ENGRAM_CHECK(v.rows() == h.rows(), "BernoulliRBM::energy: {} rows of v but {} of h", v.rows(),
               h.rows());
  const Mat<double> vd = v.template cast<double>(), hd = h.template cast<double>();
  const Mat<double> vW = vd * W_.template cast<double>();
  // M-15: E(v, h) = −vᵀWh − bᵀv − cᵀh
  return -((vW.array() * hd.array()).rowwise().sum().matrix() +
           vd * b_.template cast<double>().transpose() +
           hd * c_.template cast<double>().transpose());
}

template <class T>
Energies BernoulliRBM<T>::free_energy(const MatCRef<T>& v) const {
  check_batch(v, visible(), "free_energy", "v");
  const Mat<T> a = (v * W_).rowwise() + c_.row(0);
  // M-15: F(v) = −bᵀv − Σ_j softplus(c_j + (Wᵀv)_j)
  return -(v.template cast<double>() * b_.template cast<double>().transpose()) -
         detail::softplus_rows(a);
}

template <class T>
Mat<T> BernoulliRBM<T>::hidden_probabilities(const MatCRef<T>& v) const {
  check_batch(v, visible(), "hidden_probabilities", "v");
  return logistic<T>((v * W_).rowwise() + c_.row(0));
}

template <class T>
Mat<T> BernoulliRBM<T>::visible_probabilities(const MatCRef<T>& h) const {
  check_batch(h, hidden(), "visible_probabilities", "h");
  return logistic<T>((h * W_.transpose()).rowwise() + b_.row(0));
}

template <class T>
Mat<T> BernoulliRBM<T>::sample_hidden(const MatCRef<T>& v, Rng& rng) const {
  return bernoulli(hidden_probabilities(v), rng);
}

template <class T>
Mat<T> BernoulliRBM<T>::sample_visible(const MatCRef<T>& h, Rng& rng) const {
  return bernoulli(visible_probabilities(h), rng);
}

template <class T>
Mat<T> BernoulliRBM<T>::gibbs(const MatCRef<T>& v, int steps, Rng& rng) const {
  ENGRAM_CHECK(steps >= 0, "BernoulliRBM::gibbs: steps must be >= 0, got {}", steps);
  check_batch(v, visible(), "gibbs", "v");
  Mat<T> x = v;
  for (int s = 0; s < steps; ++s) {
    const Mat<T> h = bernoulli(logistic<T>((x * W_).rowwise() + c_.row(0)), rng);
    x = bernoulli(logistic<T>((h * W_.transpose()).rowwise() + b_.row(0)), rng);
  }
  return x;
}

template <class T>
double BernoulliRBM<T>::reconstruction_error(const MatCRef<T>& v) const {
  check_batch(v, visible(), "reconstruction_error", "v");
  ENGRAM_CHECK(v.rows() > 0, "BernoulliRBM::reconstruction_error: v has no rows");
  const Mat<T> r = visible_probabilities(hidden_probabilities(v));
  return (r - v).template cast<double>().squaredNorm() / static_cast<double>(v.size());
}

template <class T>
ModelFile<T> BernoulliRBM<T>::to_file() const {
  ModelFile<T> file;
  file.kind = "bernoulli_rbm";
  file.config = {{"visible", visible()}, {"hidden", hidden()}};
  file.tensors["W"] = W_;
  file.tensors["b"] = b_;
  file.tensors["c"] = c_;
  return file;
}

template <class T>
BernoulliRBM<T> BernoulliRBM<T>::from_file(const ModelFile<T>& file) {
  const char* who = "BernoulliRBM::from_file";
  detail::require_kind(file, "bernoulli_rbm", who);
  detail::require_known_tensors(file, {"W", "b", "c"}, who);
  const Index V = detail::config_integer(file.config, "visible", who);
  const Index H = detail::config_integer(file.config, "hidden", who);
  ENGRAM_CHECK(V > 0 && H > 0, "{}: config 'visible' and 'hidden' must be positive, got {} and {}",
               who, V, H);
  return BernoulliRBM(detail::require_tensor(file, "W", V, H, who),
                      detail::require_tensor(file, "b", 1, V, who),
                      detail::require_tensor(file, "c", 1, H, who));
}

template <class T>
EnergyGraph<T> BernoulliRBM<T>::to_graph() const {
  EnergyGraph<T> g;
  g.add_layer("v", {visible()}, Sigmoid<T>(1.0))
      .add_layer("h", {hidden()}, Sigmoid<T>(1.0))
      .add_synapse("W", {"v", "h"}, DenseSynapse<T>(W_))  // −vᵀWh
      .add_synapse("b", {"v"}, BiasSynapse<T>(b_))        // −bᵀv
      .add_synapse("c", {"h"}, BiasSynapse<T>(c_));       // −cᵀh
  return g;
}

template class BernoulliRBM<float>;
template class BernoulliRBM<double>;

}  // namespace engram
