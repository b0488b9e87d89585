// Contrastive divergence on energy graphs (SPEC M-32): Gaussian graphs whose maximum-likelihood
// parameters are known in closed form are learned back from their own exact samples.
#include "engram/learning/graph_contrastive.hpp"

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <engram/neurons.hpp>
#include <engram/synapses.hpp>

#include "support/check.hpp"

namespace engram {
namespace {

/// n exact samples of N(μ, Σ) (rows), by Cholesky.
Mat<double> gaussian_samples(const Eigen::VectorXd& mu, const Eigen::MatrixXd& sigma, Index n,
                             Rng& rng) {
  const Eigen::MatrixXd L = sigma.llt().matrixL();
  Mat<double> z = rng.normal<double>(n, mu.size());
  Mat<double> x = z * L.transpose();
  x.rowwise() += mu.transpose();
  return x;
}

/// B rows drawn with replacement from `data`.
Mat<double> batch_of(const Mat<double>& data, Index B, Rng& rng) {
  Mat<double> out(B, data.cols());
  for (Index i = 0; i < B; ++i) out.row(i) = data.row(rng.index(data.rows()));
  return out;
}

// E(x) = ½xᵀx − ½xᵀWx − bᵀx (identity layer, recurrent W, bias b) is the Gaussian with precision
// I − W and mean (I − W)⁻¹b, so the data's own parameters are the maximum-likelihood answer; they
// are recovered up to the data's sampling error (~1/√n = 0.007) and the chains' noise (averaged
// over the last updates).
TEST(GraphContrastiveDivergence, RecoversAGaussianGraphFromItsSamples) {
  const Index D = 3;
  Mat<double> W_true(D, D);
  W_true << 0, 0.3, -0.2, 0.3, 0, 0.25, -0.2, 0.25, 0;
  Eigen::VectorXd b_true(D);
  b_true << 0.5, -0.3, 0.2;
  const Eigen::MatrixXd sigma = (Eigen::MatrixXd::Identity(D, D) - W_true).inverse();
  Rng rng(7);
  const Mat<double> data = gaussian_samples(sigma * b_true, sigma, 20000, rng);

  EnergyGraph<double> g;
  g.add_layer("x", {D}, Identity<double>())
      .add_synapse("W", {"x"}, RecurrentSynapse<double>(Mat<double>::Zero(D, D)))
      .add_synapse("b", {"x"}, BiasSynapse<double>(Mat<double>::Zero(1, D)));
  GraphCDOptions o;
  o.visible = {"x"};
  o.learning_rate = 0.05;
  o.step_size = 0.3;
  o.metropolis = true;
  o.negative_steps = 5;
  GraphContrastiveDivergence<double> cd(g, o, 11);
  Mat<double> W_mean = Mat<double>::Zero(D, D), b_mean = Mat<double>::Zero(1, D);
  const int updates = 1500, averaged = 500;
  for (int t = 0; t < updates; ++t) {
    const GraphCDStep s = cd.step(g, {batch_of(data, 200, rng)});
    ASSERT_GT(s.acceptance, 0.5);
    if (t >= updates - averaged) {
      W_mean += g.synapse("W").param(0) / averaged;
      b_mean += g.synapse("b").param(0) / averaged;
    }
  }
  EXPECT_LT((W_mean - W_true).cwiseAbs().maxCoeff(), 0.05) << W_mean;
  EXPECT_LT((b_mean.transpose() - b_true).cwiseAbs().maxCoeff(), 0.05) << b_mean;
}

// A hidden layer: E = ½‖v‖² + ½h² − vᵀw h marginalises to a Gaussian over v with precision
// I − wwᵀ, so w is identifiable up to its sign. The positive phase samples h | v = N(wᵀv, 1).
TEST(GraphContrastiveDivergence, LearnsThroughAHiddenLayer) {
  Mat<double> w_true(2, 1);
  w_true << 0.6, -0.4;
  const Eigen::MatrixXd sigma =
      (Eigen::MatrixXd::Identity(2, 2) - w_true * w_true.transpose()).inverse();
  Rng rng(3);
  const Mat<double> data = gaussian_samples(Eigen::VectorXd::Zero(2), sigma, 20000, rng);

  EnergyGraph<double> g;
  Mat<double> w0(2, 1);
  w0 << 0.1, -0.1;  // a start off the symmetric point w = 0, where the gradient vanishes
  g.add_layer("v", {2}, Identity<double>())
      .add_layer("h", {1}, Identity<double>())
      .add_synapse("w", {"v", "h"}, DenseSynapse<double>(w0));
  GraphCDOptions o;
  o.visible = {"v"};
  o.learning_rate = 0.05;
  o.step_size = 0.3;
  o.metropolis = true;
  o.positive_steps = 20;
  o.negative_steps = 5;
  GraphContrastiveDivergence<double> cd(g, o, 5);
  Mat<double> w_mean = Mat<double>::Zero(2, 1);
  const int updates = 1500, averaged = 500;
  for (int t = 0; t < updates; ++t) {
    cd.step(g, {batch_of(data, 200, rng)});
    if (t >= updates - averaged) w_mean += g.synapse("w").param(0) / averaged;
  }
  const double sign = w_mean(0) > 0 ? 1.0 : -1.0;
  EXPECT_LT((sign * w_mean - w_true).cwiseAbs().maxCoeff(), 0.06) << w_mean;
}

TEST(GraphContrastiveDivergence, RefusesBadInput) {
  EnergyGraph<double> g;
  g.add_layer("x", {2}, Identity<double>())
      .add_synapse("b", {"x"}, BiasSynapse<double>(Mat<double>::Zero(1, 2)));
  GraphCDOptions o;
  EXPECT_THROW_MESSAGE(GraphContrastiveDivergence<double>(g, o, 1), std::invalid_argument,
                       "visible");
  o.visible = {"y"};
  EXPECT_THROW(GraphContrastiveDivergence<double>(g, o, 1), std::invalid_argument);
  o.visible = {"x"};
  o.learning_rate = 0;
  EXPECT_THROW_MESSAGE(GraphContrastiveDivergence<double>(g, o, 1), std::invalid_argument,
                       "learning_rate");
  o.learning_rate = 0.1;
  o.negative_steps = 0;
  EXPECT_THROW_MESSAGE(GraphContrastiveDivergence<double>(g, o, 1), std::invalid_argument,
                       "negative_steps");
  o.negative_steps = 1;
  GraphContrastiveDivergence<double> cd(g, o, 1);
  EXPECT_THROW_MESSAGE(cd.step(g, {Mat<double>::Zero(4, 3)}), std::invalid_argument,
                       "data for layer 'x'");
  Mat<double> bad = Mat<double>::Zero(4, 2);
  bad(1, 1) = std::nan("");
  EXPECT_THROW_MESSAGE(cd.step(g, {bad}), std::invalid_argument, "NaN");
  cd.step(g, {Mat<double>::Zero(4, 2)});
  EXPECT_THROW_MESSAGE(cd.step(g, {Mat<double>::Zero(5, 2)}), std::invalid_argument,
                       "keep the batch size fixed");
}

}  // namespace
}  // namespace engram
