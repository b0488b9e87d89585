#include "engram/learning/score_matching.hpp"

#include <algorithm>
#include <cmath>

#include "engram/core/error.hpp"

namespace engram {

template <class T>
double dsm_loss(const GaussianBernoulliRBM<T>& rbm, const MatCRef<T>& clean,
                const MatCRef<T>& noisy, double noise_sigma, GBRBMGradient<T>* gradient) {
  const Index V = rbm.visible();
  ENGRAM_CHECK(clean.rows() > 0 && clean.cols() == V,
               "dsm_loss: clean must be B x {} with B > 0, got {}x{}", V, clean.rows(),
               clean.cols());
  check_shape(noisy, clean.rows(), V, "dsm_loss: noisy");
  check_finite(clean, "dsm_loss: clean");
  check_finite(noisy, "dsm_loss: noisy");
  check_positive(noise_sigma, "dsm_loss: noise_sigma");
  const Index B = clean.rows();
  const T inv_n2 = static_cast<T>(1.0 / (noise_sigma * noise_sigma));
  const T inv_s2 = static_cast<T>(1.0 / (rbm.sigma() * rbm.sigma()));
  const Mat<T> p = rbm.hidden_probabilities(noisy);
  // M-33: r = s(ṽ) + (ṽ − v)/σ_n²
  const Mat<T> r = inv_s2 * ((p * rbm.W().transpose()) - (noisy.rowwise() - rbm.b().row(0))) +
                   inv_n2 * (noisy - clean);
  const double loss = 0.5 * r.template cast<double>().squaredNorm() / static_cast<double>(B);
  if (gradient) {
    const T inv_b = T(1) / static_cast<T>(B);
    const Mat<T> q = (r * rbm.W()).cwiseProduct(p.cwiseProduct((T(1) - p.array()).matrix()));
    gradient->b = (inv_b * inv_s2) * r.colwise().sum();
    gradient->c = (inv_b * inv_s2) * q.colwise().sum();
    gradient->W = (inv_b * inv_s2) * (r.transpose() * p) +
                  (inv_b * inv_s2 * inv_s2) * (noisy.transpose() * q);
  }
  return loss;
}

template <class T>
double ssm_loss(const GaussianBernoulliRBM<T>& rbm, const MatCRef<T>& data,
                const MatCRef<T>& projections, GBRBMGradient<T>* gradient) {
  const Index V = rbm.visible();
  ENGRAM_CHECK(data.rows() > 0 && data.cols() == V,
               "ssm_loss: data must be B x {} with B > 0, got {}x{}", V, data.rows(), data.cols());
  check_shape(projections, data.rows(), V, "ssm_loss: projections");
  check_finite(data, "ssm_loss: data");
  check_finite(projections, "ssm_loss: projections");
  const Index B = data.rows();
  const T inv_s2 = static_cast<T>(1.0 / (rbm.sigma() * rbm.sigma()));
  const Mat<T> p = rbm.hidden_probabilities(data);
  const Mat<T> dp = p.cwiseProduct((T(1) - p.array()).matrix());           // p'
  const Mat<T> ddp = dp.cwiseProduct((T(1) - T(2) * p.array()).matrix());  // p''
  const Mat<T> z = projections * rbm.W();                                  // B × H
  const Mat<T> s = inv_s2 * ((p * rbm.W().transpose()) - (data.rowwise() - rbm.b().row(0)));
  const Vec<T> t = s.cwiseProduct(projections).rowwise().sum();  // uᵀ s(v)
  const Mat<T> z2 = z.cwiseAbs2();
  // M-33: uᵀ∇s u = −‖u‖²/σ² + Σ_j p'_j z_j²/σ⁴
  const Vec<T> quad = -inv_s2 * projections.rowwise().squaredNorm() +
                      inv_s2 * inv_s2 * dp.cwiseProduct(z2).rowwise().sum();
  const double loss =
      (quad.template cast<double>() + 0.5 * t.template cast<double>().cwiseAbs2()).mean();
  if (gradient) {
    const T inv_b = T(1) / static_cast<T>(B);
    const Mat<T> zdp = z.cwiseProduct(dp), z2ddp = z2.cwiseProduct(ddp);
    const Mat<T> tzdp = t.asDiagonal() * zdp;
    gradient->b = (inv_b * inv_s2) * (t.asDiagonal() * projections).colwise().sum();
    gradient->c = inv_b * (inv_s2 * tzdp.colwise().sum() + inv_s2 * inv_s2 * z2ddp.colwise().sum());
    gradient->W = inv_b * (inv_s2 * (projections.transpose() * (t.asDiagonal() * p)) +
                           inv_s2 * inv_s2 * (data.transpose() * tzdp) +
                           T(2) * inv_s2 * inv_s2 * (projections.transpose() * zdp) +
                           inv_s2 * inv_s2 * inv_s2 * (data.transpose() * z2ddp));
  }
  return loss;
}

template <class T>
std::vector<double> train_dsm(GaussianBernoulliRBM<T>& rbm, const MatCRef<T>& data,
                              const DsmOptions& options) {
  ENGRAM_CHECK(data.rows() > 0 && data.cols() == rbm.visible(),
               "train_dsm: data must be N x {} with N > 0, got {}x{}", rbm.visible(), data.rows(),
               data.cols());
  check_finite(data, "train_dsm: data");
  check_positive(options.noise_sigma, "train_dsm: noise_sigma");
  check_positive(options.learning_rate, "train_dsm: learning_rate");
  ENGRAM_CHECK(options.steps >= 1, "train_dsm: steps must be >= 1, got {}", options.steps);
  ENGRAM_CHECK(options.batch >= 1, "train_dsm: batch must be >= 1, got {}", options.batch);
  Rng rng(options.seed);
  const Index B = std::min(options.batch, data.rows());
  const double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  struct Moments {
    Mat<T> m, v;
  };
  Moments mW{Mat<T>::Zero(rbm.W().rows(), rbm.W().cols()),
             Mat<T>::Zero(rbm.W().rows(), rbm.W().cols())};
  Moments mb{Mat<T>::Zero(1, rbm.visible()), Mat<T>::Zero(1, rbm.visible())};
  Moments mc{Mat<T>::Zero(1, rbm.hidden()), Mat<T>::Zero(1, rbm.hidden())};
  std::vector<double> losses;
  losses.reserve(static_cast<std::size_t>(options.steps));
  Mat<T> clean(B, data.cols());
  for (int step = 1; step <= options.steps; ++step) {
    if (B == data.rows()) {
      clean = data;
    } else {
      for (Index r = 0; r < B; ++r) clean.row(r) = data.row(rng.index(data.rows()));
    }
    const Mat<T> noisy = clean + rng.normal<T>(B, data.cols(), 0.0, options.noise_sigma);
    GBRBMGradient<T> g;
    losses.push_back(dsm_loss<T>(rbm, clean, noisy, options.noise_sigma, &g));
    const double c1 = 1 - std::pow(beta1, step), c2 = 1 - std::pow(beta2, step);
    auto adam = [&](Moments& mo, const Mat<T>& grad, const Mat<T>& theta) {
      mo.m = T(beta1) * mo.m + T(1 - beta1) * grad;
      mo.v = T(beta2) * mo.v + T(1 - beta2) * grad.cwiseAbs2();
      return Mat<T>(theta.array() - T(options.learning_rate) * (mo.m.array() / T(c1)) /
                                        ((mo.v.array() / T(c2)).sqrt() + T(eps)));
    };
    rbm.set_parameters(adam(mW, g.W, rbm.W()), adam(mb, g.b, rbm.b()), adam(mc, g.c, rbm.c()));
  }
  return losses;
}

#define ENGRAM_INSTANTIATE(T)                                                                    \
  template double dsm_loss(const GaussianBernoulliRBM<T>&, const MatCRef<T>&, const MatCRef<T>&, \
                           double, GBRBMGradient<T>*);                                           \
  template double ssm_loss(const GaussianBernoulliRBM<T>&, const MatCRef<T>&, const MatCRef<T>&, \
                           GBRBMGradient<T>*);                                                   \
  template std::vector<double> train_dsm(GaussianBernoulliRBM<T>&, const MatCRef<T>&,            \
                                         const DsmOptions&);
ENGRAM_INSTANTIATE(float)
ENGRAM_INSTANTIATE(double)
#undef ENGRAM_INSTANTIATE

}  // namespace engram
