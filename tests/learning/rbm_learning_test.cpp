// RBM learning (SPEC M-15, M-32): exact log Z against a brute-force sum over both layers, AIS
// against the exact log Z, the CD-k gradient against the exact log-likelihood gradient, training
// raising the exact log-likelihood, and bad input.
#include <engram/learning/contrastive_divergence.hpp>
#include <engram/learning/rbm_partition.hpp>

#include <cmath>

#include "support/check.hpp"
#include "support/rbm_cases.hpp"

namespace engram {
namespace {

using test::all_binary;
using test::random_rbm;

/// log Σ_{v,h} exp(−E(v, h)) over every pair, straight from energy().
double brute_log_z(const BernoulliRBM<double>& rbm) {
  const Mat<double> V = all_binary(rbm.visible()), Hs = all_binary(rbm.hidden());
  std::vector<double> terms;
  for (Index s = 0; s < Hs.rows(); ++s) {
    const Energies e = rbm.energy(V, Hs.row(s).replicate(V.rows(), 1));
    for (Index r = 0; r < e.size(); ++r) terms.push_back(-e(r));
  }
  const double m = *std::max_element(terms.begin(), terms.end());
  double sum = 0;
  for (double t : terms) sum += std::exp(t - m);
  return m + std::log(sum);
}

/// The exact gradient of the average log-likelihood of `data`: data statistics minus the model's
/// expectation ⟨v p(h|v)ᵀ⟩ under P(v) ∝ exp(−F(v)), by enumerating v.
RBMGradient<double> exact_gradient(const BernoulliRBM<double>& rbm, const Mat<double>& data) {
  const Mat<double> V = all_binary(rbm.visible());
  const Energies F = rbm.free_energy(V);
  Eigen::VectorXd p = (-(F.array() - F.minCoeff())).exp();
  p /= p.sum();
  const Mat<double> ph = rbm.hidden_probabilities(V), pd = rbm.hidden_probabilities(data);
  const double n = static_cast<double>(data.rows());
  return {data.transpose() * pd / n - V.transpose() * p.asDiagonal() * ph,
          data.colwise().sum() / n - p.transpose() * V,
          pd.colwise().sum() / n - p.transpose() * ph};
}

double exact_log_likelihood(const BernoulliRBM<double>& rbm, const Mat<double>& data) {
  return average_log_likelihood<double>(rbm, data, exact_log_partition(rbm));
}

TEST(RbmPartition, EnumeratingTheSmallerLayerMatchesTheSumOverBothLayers) {
  for (auto [V, H] : {std::pair<Index, Index>{6, 4}, {4, 6}, {5, 5}}) {
    const auto rbm = random_rbm(V, H, 1.0, static_cast<std::uint64_t>(V * 10 + H));
    EXPECT_NEAR(exact_log_partition(rbm), brute_log_z(rbm), 1e-10) << V << "x" << H;
  }
  const BernoulliRBM<float> f(random_rbm(6, 4, 1.0, 7).W().cast<float>(), Mat<float>::Zero(1, 6),
                              Mat<float>::Zero(1, 4));
  const BernoulliRBM<double> d(f.W().cast<double>(), Mat<double>::Zero(1, 6),
                               Mat<double>::Zero(1, 4));
  EXPECT_NEAR(exact_log_partition(f), brute_log_z(d), 1e-10);
}

TEST(RbmPartition, AisEstimateContainsTheExactLogZ) {
  // 12 × 10 RBM with all parameters N(0, 1); exact log Z by enumerating the 10 hidden units.
  const auto rbm = random_rbm(12, 10, 1.0, 11);
  const double exact = exact_log_partition(rbm);
  Rng rng(12);
  const Mat<double> data = rbm.gibbs(Mat<double>::Zero(200, 12), 20, rng);
  AisOptions options;
  options.betas = 2000;
  options.runs = 200;
  {
    const AisResult r = ais_log_partition<double>(rbm, base_rate_biases<double>(data), options);
    // AIS's mean weight is unbiased for Z / Z_A; the ±3 σ̂ interval of the mean of 200 weights
    // covers it except with small probability. The interval must also be informative (< 0.2
    // nats wide), so the check is not vacuous.
    EXPECT_LE(r.log_z_low, exact);
    EXPECT_GE(r.log_z_high, exact);
    EXPECT_LT(r.log_z_high - r.log_z_low, 0.2);
    EXPECT_NEAR(r.log_z, exact, 0.1);
    EXPECT_EQ(r.log_weights.size(), 200U);
  }
  // float model, half the temperatures and runs: its ±3 σ̂ interval covers the exact log Z too
  options.betas = 1000;
  options.runs = 100;
  const BernoulliRBM<float> f(rbm.W().cast<float>(), rbm.b().cast<float>(), rbm.c().cast<float>());
  const AisResult rf =
      ais_log_partition<float>(f, base_rate_biases<float>(data.cast<float>()), options);
  EXPECT_LE(rf.log_z_low, exact);
  EXPECT_GE(rf.log_z_high, exact);
  EXPECT_NEAR(rf.log_z, exact, 0.1);
}

TEST(RbmPartition, ScheduleRunsFromZeroToOneAndIncreases) {
  const std::vector<double> s = ais_schedule(14500);
  ASSERT_EQ(s.size(), 14500U);
  EXPECT_EQ(s.front(), 0.0);
  EXPECT_EQ(s.back(), 1.0);
  for (std::size_t k = 1; k < s.size(); ++k) ASSERT_GT(s[k], s[k - 1]);
  EXPECT_NEAR(s[1450], 0.5, 1e-12);  // a tenth of the points below 0.5
  EXPECT_EQ(ais_schedule(3), (std::vector<double>{0.0, 0.5, 1.0}));
}

TEST(ContrastiveDivergence, LongChainsApproachTheExactGradient) {
  const auto rbm = random_rbm(5, 3, 1.5, 21);
  Rng rng(22);
  const Mat<double> rows =
      rng.uniform<double>(10, 5).unaryExpr([](double u) { return u < 0.3 ? 1.0 : 0.0; });
  const Mat<double> data = rows.replicate(2000, 1);  // B = 20,000 negative chains
  CDTrainer<double> cd({.k = 100}, 23);
  const RBMGradient<double> g = cd.gradient(rbm, data);
  const RBMGradient<double> exact = exact_gradient(rbm, rows);
  // Each entry of the negative statistics is a mean of 20,000 independent terms in [0, 1]: its
  // standard deviation is at most 0.5/√20000 = 0.0035; allow 6 of them.
  EXPECT_LT((g.W - exact.W).cwiseAbs().maxCoeff(), 0.021);
  EXPECT_LT((g.b - exact.b).cwiseAbs().maxCoeff(), 0.021);
  EXPECT_LT((g.c - exact.c).cwiseAbs().maxCoeff(), 0.021);
  // and the gradient is far from 0 at this tolerance (the check is not vacuous)
  EXPECT_GT(exact.W.cwiseAbs().maxCoeff(), 0.1);
}

TEST(ContrastiveDivergence, TrainingRaisesTheExactLogLikelihood) {
  // Two noisy prototypes on 10 pixels.
  Rng rng(31);
  Mat<double> data(200, 10);
  for (Index r = 0; r < 200; ++r)
    for (Index i = 0; i < 10; ++i) {
      const bool on = (r % 2 == 0) == (i < 5);
      data(r, i) = (rng.real(0, 1) < 0.1) != on ? 1.0 : 0.0;
    }
  for (bool persistent : {false, true}) {
    Rng init(32);
    auto rbm = BernoulliRBM<double>::random(10, 4, 0.01, init);
    const double before = exact_log_likelihood(rbm, data);
    CDTrainer<double> cd({.k = 1,
                          .persistent = persistent,
                          .learning_rate = 0.1,
                          .momentum = 0.5,
                          .batch = 20,
                          .chains = 20},
                         33);
    double error0 = cd.epoch(rbm, data), error = error0;
    for (int e = 0; e < 60; ++e) error = cd.epoch(rbm, data);
    const double after = exact_log_likelihood(rbm, data);
    // Uniform start: −10 log 2 = −6.93 nats; the two prototypes with 10% flips carry
    // 10·H(0.1) + log 2 = 3.94 nats, so a fitted model gains well over 2 nats.
    EXPECT_NEAR(before, -10 * std::log(2.0), 0.05);
    EXPECT_GT(after, before + 2.0) << (persistent ? "PCD" : "CD-1");
    EXPECT_LT(error, error0);
    if (persistent) EXPECT_EQ(cd.chains().rows(), 20);
  }
}

TEST(ContrastiveDivergence, RejectsBadInput) {
  EXPECT_THROW_MESSAGE(CDTrainer<double>({.k = 0}, 1), std::invalid_argument, "k must be");
  EXPECT_THROW_MESSAGE(CDTrainer<double>({.learning_rate = 0}, 1), std::invalid_argument,
                       "learning_rate");
  EXPECT_THROW_MESSAGE(CDTrainer<double>({.momentum = 1}, 1), std::invalid_argument, "momentum");
  EXPECT_THROW_MESSAGE(CDTrainer<double>({.weight_decay = -1}, 1), std::invalid_argument,
                       "weight_decay");
  EXPECT_THROW_MESSAGE(CDTrainer<double>({.batch = 0}, 1), std::invalid_argument, "batch");
  const auto rbm = random_rbm(4, 2, 1.0, 1);
  CDTrainer<double> cd({}, 1);
  EXPECT_THROW_MESSAGE(cd.gradient(rbm, Mat<double>::Zero(3, 5)), std::invalid_argument,
                       "batch must be B x 4");
  EXPECT_THROW_MESSAGE(exact_log_partition(random_rbm(30, 26, 0.1, 1)), std::invalid_argument,
                       "26 units");
  AisOptions bad;
  bad.schedule = {0.0, 0.6, 0.5, 1.0};
  EXPECT_THROW_MESSAGE(ais_log_partition<double>(rbm, Mat<double>::Zero(1, 4), bad),
                       std::invalid_argument, "increase");
  EXPECT_THROW_MESSAGE(ais_log_partition<double>(rbm, Mat<double>::Zero(1, 3)),
                       std::invalid_argument, "base_biases");
  EXPECT_THROW_MESSAGE(base_rate_biases<double>(Mat<double>::Constant(2, 2, 2.0)),
                       std::invalid_argument, "[0, 1]");
}

}  // namespace
}  // namespace engram
