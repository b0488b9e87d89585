// The Gaussian–Bernoulli RBM and denoising score matching (SPEC M-33): free energy against a sum
// over h, score against finite differences, Z and the exact sampler against numerical integration
// of exp(−F), the DSM gradient against finite differences, and recovery of a known model.
#include <engram/learning/score_matching.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "support/check.hpp"

namespace engram {
namespace {

GaussianBernoulliRBM<double> random_gb(Index V, Index H, double sigma, std::uint64_t seed) {
  Rng rng(seed);
  return GaussianBernoulliRBM<double>(rng.normal<double>(V, H, 0, 0.7),
                                      rng.normal<double>(1, V, 0, 0.5),
                                      rng.normal<double>(1, H, 0, 0.5), sigma);
}

TEST(GaussianBernoulliRBM, FreeEnergySumsOutTheHiddenUnitsAndScoreIsItsNegativeGradient) {
  const auto rbm = random_gb(3, 2, 0.8, 1);
  Rng rng(2);
  const Mat<double> v = rng.normal<double>(5, 3, 0, 1);
  const Energies F = rbm.free_energy(v);
  for (Index n = 0; n < 5; ++n) {
    double sum = 0;
    for (int code = 0; code < 4; ++code) {
      Mat<double> h(1, 2);
      h << (code & 1), ((code >> 1) & 1);
      sum += std::exp(-rbm.energy(v.row(n), h)(0));
    }
    EXPECT_NEAR(F(n), -std::log(sum), 1e-12);
  }
  const Mat<double> s = rbm.score(v);
  for (Index n = 0; n < 5; ++n)
    for (Index i = 0; i < 3; ++i) {
      Mat<double> d = Mat<double>::Zero(1, 3);
      d(0, i) = 1;
      const auto fd =
          test::central_difference([&](const Mat<double>& x) { return -rbm.free_energy(x)(0); },
                                   v.row(n), d, test::fd_step(1.0));
      EXPECT_NEAR(s(n, i), fd.value, 1e-8 + 10 * fd.roundoff);
    }
}

TEST(GaussianBernoulliRBM, PartitionFunctionAndSamplerMatchNumericalIntegration) {
  const auto rbm = random_gb(1, 2, 0.6, 3);
  // ∫ exp(−F(v)) dv, and the first two moments, by the trapezoid rule on [−12, 12].
  const Index n = 24001;
  Mat<double> grid(n, 1);
  for (Index k = 0; k < n; ++k) grid(k, 0) = -12.0 + 24.0 * k / (n - 1);
  const Eigen::ArrayXd density = (-rbm.free_energy(grid).array()).exp();
  const double dx = 24.0 / (n - 1);
  const double Z = density.sum() * dx, mean = (density * grid.col(0).array()).sum() * dx / Z;
  const double var = (density * (grid.col(0).array() - mean).square()).sum() * dx / Z;
  EXPECT_NEAR(rbm.log_partition(), std::log(Z), 1e-9);
  Rng rng(4);
  const Index count = 40000;
  const Mat<double> samples = rbm.sample(count, rng);
  const double m = samples.mean();
  const double v = (samples.array() - m).square().mean();
  // standard errors: √(var/N) for the mean, var·√(2/N) (plus kurtosis slack) for the variance
  EXPECT_NEAR(m, mean, 5 * std::sqrt(var / count));
  EXPECT_NEAR(v, var, 8 * var * std::sqrt(2.0 / count));
}

TEST(ScoreMatching, DsmGradientMatchesFiniteDifferences) {
  const auto rbm = random_gb(4, 3, 0.9, 5);
  Rng rng(6);
  const Mat<double> clean = rng.normal<double>(7, 4, 0, 1);
  const Mat<double> noisy = clean + rng.normal<double>(7, 4, 0, 0.3);
  GBRBMGradient<double> g;
  dsm_loss<double>(rbm, clean, noisy, 0.3, &g);
  const Mat<double> dW = rng.normal<double>(4, 3, 0, 1), db = rng.normal<double>(1, 4, 0, 1);
  const Mat<double> dc = rng.normal<double>(1, 3, 0, 1);
  // J along θ + t (dW, db, dc) as a function of the 1 × 1 matrix t
  auto J = [&](const Mat<double>& t) {
    const GaussianBernoulliRBM<double> moved(rbm.W() + t(0, 0) * dW, rbm.b() + t(0, 0) * db,
                                             rbm.c() + t(0, 0) * dc, rbm.sigma());
    return dsm_loss<double>(moved, clean, noisy, 0.3);
  };
  const auto fd = test::central_difference(J, Mat<double>::Zero(1, 1), Mat<double>::Ones(1, 1),
                                           test::fd_step(1.0));
  const double analytic =
      (g.W.cwiseProduct(dW)).sum() + (g.b.cwiseProduct(db)).sum() + (g.c.cwiseProduct(dc)).sum();
  EXPECT_NEAR(analytic, fd.value, 1e-7 * std::abs(fd.value) + 10 * fd.roundoff + 1e-9);
  // float agrees with double to float precision
  const GaussianBernoulliRBM<float> f(rbm.W().cast<float>(), rbm.b().cast<float>(),
                                      rbm.c().cast<float>(), rbm.sigma());
  GBRBMGradient<float> gf;
  const double lf = dsm_loss<float>(f, clean.cast<float>(), noisy.cast<float>(), 0.3, &gf);
  EXPECT_NEAR(lf, dsm_loss<double>(rbm, clean, noisy, 0.3), 1e-4 * lf);
  EXPECT_LT((gf.W.cast<double>() - g.W).cwiseAbs().maxCoeff(), 1e-3 * g.W.cwiseAbs().maxCoeff());
}

TEST(ScoreMatching, SlicedGradientMatchesFiniteDifferences) {
  const auto rbm = random_gb(4, 3, 0.9, 9);
  Rng rng(10);
  const Mat<double> data = rng.normal<double>(6, 4, 0, 1), u = rng.normal<double>(6, 4, 0, 1);
  GBRBMGradient<double> g;
  ssm_loss<double>(rbm, data, u, &g);
  const Mat<double> dW = rng.normal<double>(4, 3, 0, 1), db = rng.normal<double>(1, 4, 0, 1);
  const Mat<double> dc = rng.normal<double>(1, 3, 0, 1);
  auto J = [&](const Mat<double>& t) {
    const GaussianBernoulliRBM<double> moved(rbm.W() + t(0, 0) * dW, rbm.b() + t(0, 0) * db,
                                             rbm.c() + t(0, 0) * dc, rbm.sigma());
    return ssm_loss<double>(moved, data, u);
  };
  const auto fd = test::central_difference(J, Mat<double>::Zero(1, 1), Mat<double>::Ones(1, 1),
                                           test::fd_step(1.0));
  const double analytic =
      (g.W.cwiseProduct(dW)).sum() + (g.b.cwiseProduct(db)).sum() + (g.c.cwiseProduct(dc)).sum();
  EXPECT_NEAR(analytic, fd.value, 1e-7 * std::abs(fd.value) + 10 * fd.roundoff + 1e-9);
}

TEST(ScoreMatching, SlicedLossAveragesToHyvarinensObjective) {
  // E_u[uᵀ∇s u + ½(uᵀs)²] = tr ∇s + ½‖s‖² for u ~ N(0, I); tr ∇s by finite differences of s.
  const auto rbm = random_gb(3, 2, 0.8, 11);
  Mat<double> v(1, 3);
  v << 0.3, -0.7, 1.1;
  double trace = 0;
  const double h = 1e-5;
  for (Index i = 0; i < 3; ++i) {
    Mat<double> e = Mat<double>::Zero(1, 3);
    e(0, i) = h;
    trace += (rbm.score(v + e)(0, i) - rbm.score(v - e)(0, i)) / (2 * h);
  }
  const double expected = trace + 0.5 * rbm.score(v).squaredNorm();
  Rng rng(12);
  const Index n = 40000;
  const Mat<double> u = rng.normal<double>(n, 3, 0, 1);
  const Mat<double> rows = v.replicate(n, 1);
  // per-projection terms, to get their spread for the tolerance
  Eigen::VectorXd terms(n);
  for (Index k = 0; k < n; ++k) terms(k) = ssm_loss<double>(rbm, rows.row(k), u.row(k));
  const double mean = terms.mean();
  const double sd = std::sqrt((terms.array() - mean).square().mean());
  EXPECT_NEAR(ssm_loss<double>(rbm, rows, u), mean, 1e-9 * std::abs(mean) + 1e-12);
  EXPECT_NEAR(mean, expected, 5 * sd / std::sqrt(static_cast<double>(n)));
}

TEST(ScoreMatching, RecoversAKnownModelFromExactSamples) {
  // True model: V = 3, H = 2, σ = 0.4, orthogonal columns of W (‖w_j‖ = 2, 5σ apart). DSM with
  // noise σ_n targets the data density convolved with N(0, σ_n² I): the same mixture with
  // variance σ² + σ_n². With orthogonal columns, ‖Wh‖² = Σ_j h_j ‖w_j‖² is linear in h, so that
  // mixture is itself a GB-RBM with σ' = √(σ² + σ_n²), the same W and b, and
  //   c'_j = c_j + (2 bᵀw_j + ‖w_j‖²)(1/(2σ²) − 1/(2σ'²)).
  // Training a model of width σ' must therefore recover (W, b, c') up to the symmetries of the
  // hidden units (order; h_j → 1 − h_j flips w_j and moves b by w_j).
  const double sigma = 0.4, noise = 0.3, smoothed = std::sqrt(sigma * sigma + noise * noise);
  Mat<double> W(3, 2), b(1, 3), c(1, 2);
  W << 2, 0, 0, 2, 0, 0;
  b << -1, -1, 0.5;
  c << -0.5, 0.3;
  const GaussianBernoulliRBM<double> truth(W, b, c, sigma);
  Mat<double> c_smooth = c;
  for (Index j = 0; j < 2; ++j)
    c_smooth(0, j) += (2 * (b * W.col(j))(0, 0) + W.col(j).squaredNorm()) *
                      (1 / (2 * sigma * sigma) - 1 / (2 * smoothed * smoothed));
  const GaussianBernoulliRBM<double> target(W, b, c_smooth, smoothed);
  Rng rng(7);
  const Mat<double> data = truth.sample(4000, rng);
  Mat<double> W0 = rng.normal<double>(3, 2, 0, 0.1);
  GaussianBernoulliRBM<double> model(W0, data.colwise().mean(), Mat<double>::Zero(1, 2), smoothed);
  DsmOptions options;
  options.noise_sigma = noise;
  options.learning_rate = 0.03;
  options.steps = 1500;
  options.batch = 500;
  options.seed = 8;
  const std::vector<double> losses = train_dsm<double>(model, data, options);
  // the learned score against the target score on points of the smoothed density
  const Mat<double> test = target.sample(2000, rng);
  const double err = (model.score(test) - target.score(test)).squaredNorm();
  const double ref = target.score(test).squaredNorm();
  EXPECT_LT(err / ref, 0.02) << "relative squared score error " << err / ref;
  // W up to order and sign of the hidden units. Each mixture mean is estimated from about N/4 =
  // 1000 samples of spread σ' = 0.5, a standard error of 0.016; DSM is less efficient than
  // maximum likelihood, so allow 0.15.
  double best = 1e9;
  for (int perm = 0; perm < 2; ++perm)
    for (int signs = 0; signs < 4; ++signs) {
      Mat<double> Wm(3, 2);
      for (Index j = 0; j < 2; ++j)
        Wm.col(j) = model.W().col(perm ? 1 - j : j) * (((signs >> j) & 1) ? -1.0 : 1.0);
      best = std::min(best, (Wm - W).cwiseAbs().maxCoeff());
    }
  EXPECT_LT(best, 0.15) << "learned W\n" << model.W();
  EXPECT_LT(*std::min_element(losses.end() - 100, losses.end()), losses.front());
}

TEST(ScoreMatching, RejectsBadInput) {
  const Mat<double> W = Mat<double>::Zero(2, 1);
  EXPECT_THROW_MESSAGE(
      GaussianBernoulliRBM<double>(W, Mat<double>::Zero(1, 2), Mat<double>::Zero(1, 1), 0.0),
      std::invalid_argument, "sigma");
  EXPECT_THROW_MESSAGE(
      GaussianBernoulliRBM<double>(W, Mat<double>::Zero(1, 3), Mat<double>::Zero(1, 1), 1.0),
      std::invalid_argument, "b: expected shape 1x2");
  const GaussianBernoulliRBM<double> rbm(W, Mat<double>::Zero(1, 2), Mat<double>::Zero(1, 1), 1.0);
  EXPECT_THROW_MESSAGE(dsm_loss<double>(rbm, Mat<double>::Zero(3, 2), Mat<double>::Zero(2, 2), 0.1),
                       std::invalid_argument, "noisy");
  EXPECT_THROW_MESSAGE(dsm_loss<double>(rbm, Mat<double>::Zero(3, 2), Mat<double>::Zero(3, 2), 0),
                       std::invalid_argument, "noise_sigma");
  EXPECT_THROW_MESSAGE(rbm.score(Mat<double>::Zero(3, 3)), std::invalid_argument,
                       "v must be B x 2");
  Mat<double> bad = Mat<double>::Zero(3, 2);
  bad(0, 0) = std::nan("");
  DsmOptions options;
  GaussianBernoulliRBM<double> copy = rbm;
  EXPECT_THROW_MESSAGE(train_dsm<double>(copy, bad, options), std::invalid_argument, "NaN");
  const GaussianBernoulliRBM<double> wide(Mat<double>::Zero(2, 21), Mat<double>::Zero(1, 2),
                                          Mat<double>::Zero(1, 21), 1.0);
  EXPECT_THROW_MESSAGE(wide.log_partition(), std::invalid_argument, "at most 20");
}

}  // namespace
}  // namespace engram
