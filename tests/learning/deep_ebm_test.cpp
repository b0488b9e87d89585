// MlpEnergy and DeepEbm (M-32): backpropagation against finite differences, and contrastive
// divergence with Langevin negatives on a 2-D mixture of Gaussians.
#include "engram/learning/deep_ebm.hpp"

#include <gtest/gtest.h>

#include "support/check.hpp"

namespace engram {
namespace {

TEST(MlpEnergy, InputAndParameterGradientsMatchFiniteDifferences) {
  for (MlpActivation act : {MlpActivation::swish, MlpActivation::softplus}) {
    Rng rng(1);
    const MlpEnergy<double> f(5, {7, 4}, act, rng);
    const Mat<double> x = rng.normal<double>(3, 5);
    Mat<double> gx(3, 5);
    f.energy_and_grad(x, gx);
    const Mat<double> d = rng.normal<double>(3, 5);
    const auto total = [&](const Mat<double>& y) { return f.energy(y).sum(); };
    test::expect_derivative(gx.cwiseProduct(d).sum(), test::central_difference(total, x, d, 1e-3),
                            1e-8, to_string(act));
    // ∇_θ Σ_b w_b E(x_b), one tensor at a time.
    const Eigen::VectorXd w{{0.5, -1.0, 2.0}};
    std::vector<Mat<double>> g;
    f.param_grad(x, w, g);
    const auto names = f.param_names();
    for (std::size_t k = 0; k < g.size(); ++k) {
      const Mat<double> dp = rng.normal<double>(g[k].rows(), g[k].cols());
      const auto weighted = [&](const Mat<double>& p) {
        MlpEnergy<double> h = f;
        auto ps = h.params();
        ps[k] = p;
        h.set_params(ps);
        return h.energy(x).dot(w);
      };
      test::expect_derivative(g[k].cwiseProduct(dp).sum(),
                              test::central_difference(weighted, f.params()[k], dp, 1e-3), 1e-8,
                              names[k]);
    }
  }
}

TEST(MlpEnergy, EnergyIsTheForwardPassWrittenOut) {
  Rng rng(2);
  const MlpEnergy<double> f(2, {3}, MlpActivation::softplus, rng);
  const Mat<double> x{{0.3, -1.2}};
  const auto& p = f.params();
  const Mat<double> z = x * p[0] + p[1];
  const Mat<double> a = z.unaryExpr([](double v) { return std::log(1 + std::exp(v)); });
  EXPECT_NEAR(f.energy(x)(0), (a * p[2])(0, 0) + p[3](0, 0), 1e-12);
  EXPECT_THROW_MESSAGE(f.energy(Mat<double>::Zero(1, 3)), std::invalid_argument, "x");
  EXPECT_THROW_MESSAGE(MlpEnergy<double>(2, {0}, MlpActivation::swish, rng), std::invalid_argument,
                       "hidden width");
  EXPECT_THROW_MESSAGE(parse_mlp_activation("relu"), std::invalid_argument, "swish");
}

/// Four Gaussian modes at (±1.5, ±1.5), standard deviation 0.15.
Mat<double> mixture(Index n, Rng& rng) {
  Mat<double> x = rng.normal<double>(n, 2, 0.0, 0.15);
  for (Index i = 0; i < n; ++i) {
    const Index k = rng.index(4);
    x(i, 0) += k & 1 ? 1.5 : -1.5;
    x(i, 1) += k & 2 ? 1.5 : -1.5;
  }
  return x;
}

TEST(DeepEbm, LearnsAMixtureOfGaussians) {
  Rng rng(3);
  DeepEbmOptions o;
  o.langevin_steps = 15;
  o.step_size = 0.01;
  o.noise = 0.05;  // T = σ²/2ε = 0.125
  o.lo = -3;
  o.hi = 3;
  o.buffer = 2000;
  o.alpha = 0.1;
  o.lr = 3e-3;
  DeepEbm<double> ebm(MlpEnergy<double>(2, {32, 32}, MlpActivation::swish, rng), o);
  DeepEbmStep last;
  for (int it = 0; it < 250; ++it) last = ebm.train_step(mixture(64, rng), rng);
  EXPECT_TRUE(std::isfinite(last.loss));

  // Wells at the modes: every mode at least 1 below every empty point (the centre and the
  // midpoints between neighbouring modes, 6-7 standard deviations from any mode). In a run the
  // modes sat near −0.6..0 and the empty points at 3.6..7.2.
  const Mat<double> modes{{-1.5, -1.5}, {1.5, -1.5}, {-1.5, 1.5}, {1.5, 1.5}};
  const Mat<double> empty{{0, 0}, {0, 1.5}, {0, -1.5}, {1.5, 0}, {-1.5, 0}};
  const Energies em = ebm.energy().energy(modes), ee = ebm.energy().energy(empty);
  EXPECT_LT(em.maxCoeff() + 1.0, ee.minCoeff())
      << "modes " << em.transpose() << "\nempty " << ee.transpose();

  // Langevin samples from uniform noise land near the modes (within 0.5 = 3.3 standard deviations,
  // where 99.6% of the data lie), at least 10% at each of the four (25% each in the data).
  const Mat<double> s = ebm.sample(400, 100, rng);
  Eigen::Vector4d counts = Eigen::Vector4d::Zero();
  Index near = 0;
  for (Index i = 0; i < s.rows(); ++i)
    for (Index k = 0; k < 4; ++k)
      if ((s.row(i) - modes.row(k)).norm() < 0.5) {
        ++near;
        ++counts(k);
      }
  EXPECT_GT(near, 360);
  EXPECT_GT(counts.minCoeff(), 40);
}

}  // namespace
}  // namespace engram

namespace engram {
namespace {

TEST(DeepEbm, RefusesBadOptionsAndRunsInFloat) {
  Rng rng(4);
  const MlpEnergy<float> f(3, {4}, MlpActivation::softplus, rng);
  DeepEbmOptions o;
  o.step_size = 0;
  EXPECT_THROW_MESSAGE(DeepEbm<float>(f, o), std::invalid_argument, "step_size");
  o.step_size = 0.1;
  o.lo = 1;
  EXPECT_THROW_MESSAGE(DeepEbm<float>(f, o), std::invalid_argument, "lo < hi");
  o.lo = 0;
  o.buffer = 16;
  o.langevin_steps = 3;
  DeepEbm<float> ebm(f, o);
  Mat<float> bad = Mat<float>::Zero(2, 3);
  bad(0, 0) = std::nanf("");
  EXPECT_THROW_MESSAGE(ebm.train_step(bad, rng), std::invalid_argument, "NaN");
  EXPECT_THROW_MESSAGE(ebm.train_step(Mat<float>::Zero(2, 4), rng), std::invalid_argument, "data");
  const DeepEbmStep step = ebm.train_step(rng.uniform<float>(8, 3), rng);
  EXPECT_NEAR(step.gap, step.data_energy - step.negative_energy, 1e-12);
  EXPECT_EQ(ebm.replay_buffer().rows(), 16);
  EXPECT_EQ(ebm.adam_steps(), 1);
  const Mat<float> s = ebm.sample(5, 4, rng);
  EXPECT_TRUE((s.array() >= 0).all() && (s.array() <= 1).all());  // clipped to the box
}

}  // namespace
}  // namespace engram
