// Langevin samplers (M-34) against closed-form Gaussian moments, finite differences and errors.
#include "engram/sampling/langevin.hpp"

#include <gtest/gtest.h>
#include <Eigen/Dense>

#include <engram/neurons.hpp>
#include <engram/synapses.hpp>

#include "support/check.hpp"
#include "support/random_graph.hpp"

namespace engram {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

/// E = ½(x−μ)ᵀA(x−μ) as a callable: ∇E = A(x − μ).
EnergyFunction<double> gaussian(const MatrixXd& A, const VectorXd& mu) {
  return [A, mu](const MatCRef<double>& x, MatRef<double> grad) {
    const Mat<double> d = x.rowwise() - mu.transpose();
    grad = d * A;  // A symmetric
    return Energies(0.5 * (d * A).cwiseProduct(d).rowwise().sum());
  };
}

/// Unadjusted Langevin on a Gaussian: x' = (I − εA)x + εAμ + √(2Tε)ξ has mean μ and stationary
/// covariance Σ solving Σ = (I − εA)Σ(I − εA) + 2TεI; in A's eigenbasis σ² = 2Tε/(1 − (1 − ελ)²)
/// = T/(λ(1 − ελ/2)), so Σ = T (A(I − εA/2))⁻¹ (→ T A⁻¹ as ε → 0).
MatrixXd ula_covariance(const MatrixXd& A, double eps, double t) {
  const MatrixXd I = MatrixXd::Identity(A.rows(), A.cols());
  return t * (A * (I - 0.5 * eps * A)).inverse();
}

struct Moments {
  VectorXd mean;
  MatrixXd cov;
  double samples = 0;
};

Moments moments(const std::vector<Mat<double>>& samples) {
  const Index D = samples.front().cols();
  Moments m{VectorXd::Zero(D), MatrixXd::Zero(D, D)};
  for (const auto& s : samples) {
    m.mean += s.colwise().sum().transpose();
    m.samples += static_cast<double>(s.rows());
  }
  m.mean /= m.samples;
  for (const auto& s : samples) {
    const MatrixXd d = s.rowwise() - m.mean.transpose();
    m.cov += d.transpose() * d;
  }
  m.cov /= m.samples - 1;
  return m;
}

/// Expects the sample moments to match (mu, sigma) within 5 standard errors. n_eff effective
/// samples: a mean's error is √(Σ_ii/n_eff), a covariance entry's √((Σ_ii Σ_jj + Σ_ij²)/n_eff).
void expect_moments(const Moments& m, const VectorXd& mu, const MatrixXd& sigma, double n_eff) {
  for (Index i = 0; i < mu.size(); ++i) {
    EXPECT_NEAR(m.mean(i), mu(i), 5 * std::sqrt(sigma(i, i) / n_eff)) << "mean " << i;
    for (Index j = 0; j < mu.size(); ++j)
      EXPECT_NEAR(m.cov(i, j), sigma(i, j),
                  5 * std::sqrt((sigma(i, i) * sigma(j, j) + sigma(i, j) * sigma(i, j)) / n_eff))
          << "cov " << i << "," << j;
  }
}

/// A = Q diag(0.5, 1, 2) Qᵀ for a fixed rotation Q.
MatrixXd precision() {
  Rng rng(7);
  const MatrixXd q = Eigen::HouseholderQR<MatrixXd>(rng.normal<double>(3, 3)).householderQ();
  return q * VectorXd{{0.5, 1.0, 2.0}}.asDiagonal() * q.transpose();
}

// ε = 0.1: the slowest mode (λ = 0.5) decays by ρ = 1 − ελ = 0.95 per step; 300 burn-in steps
// leave 0.95^300 < 1e-6 of the start. Its integrated autocorrelation time is (1 + ρ)/(1 − ρ) = 39
// steps (and less for the second moments), so 400 chains × 1000 steps give n_eff ≥ 10,000.
constexpr double kEps = 0.1;
constexpr int kChains = 400, kBurn = 300, kSteps = 1000;
constexpr double kNeff = kChains * kSteps / 39.0;

TEST(Langevin, GaussianCallableMatchesTheClosedFormStationaryLaw) {
  const MatrixXd A = precision();
  const VectorXd mu{{1.0, -0.5, 2.0}};
  for (double t : {1.0, 0.3}) {
    Rng rng(11);
    LangevinOptions o;
    o.step_size = kEps;
    o.temperature = t;
    o.burn_in = kBurn;
    o.steps = kSteps;
    o.record = true;
    const auto r = langevin(gaussian(A, mu), Mat<double>::Zero(kChains, 3), o, rng);
    ASSERT_EQ(r.samples.size(), static_cast<std::size_t>(kSteps));
    EXPECT_EQ(r.steps, kBurn + kSteps);
    expect_moments(moments(r.samples), mu, ula_covariance(A, kEps, t), kNeff);
    // The closed form differs from the ε → 0 law T A⁻¹ by over 2% (the slowest mode's variance
    // is 2T/0.975, not 2T): the comparison is against the chain's own stationary law.
    const MatrixXd exact = t * A.inverse();
    EXPECT_GT((ula_covariance(A, kEps, t) - exact).norm(), 0.02 * exact.norm());
  }
}

TEST(Langevin, MetropolisAdjustedChainsSampleTheExactGaussian) {
  const MatrixXd A = precision();
  const VectorXd mu{{1.0, -0.5, 2.0}};
  Rng rng(12);
  LangevinOptions o;
  o.step_size = 0.3;  // a large ε: ULA would be 10% off; MALA rejects what it must
  o.burn_in = kBurn;
  o.steps = kSteps;
  o.record = true;
  o.metropolis = true;
  const auto r = langevin(gaussian(A, mu), Mat<double>::Zero(kChains, 3), o, rng);
  EXPECT_GT(r.acceptance, 0.5);
  EXPECT_LT(r.acceptance, 1.0);
  // ε = 0.3 mixes the slowest mode at ρ ≈ 0.85 (τ ≈ 12); rejections slow it: allow τ = 39.
  expect_moments(moments(r.samples), mu, A.inverse(), kNeff);
}

/// Identity layers a (2) and b (1), a dense synapse −aᵀWb and biases −hᵀx:
/// E = ½xᵀAx − hᵀx with x = (a, b), A = [[I, −W], [−Wᵀ, 1]], a Gaussian of mean A⁻¹h.
EnergyGraph<double> gaussian_graph(MatrixXd& A, VectorXd& mu) {
  Mat<double> W{{0.5}, {-0.3}};
  Mat<double> ha{{0.2, -0.4}}, hb{{0.7}};
  EnergyGraph<double> g;
  g.add_layer("a", {2}, Identity<double>()).add_layer("b", {1}, Identity<double>());
  g.add_synapse("w", {"a", "b"}, DenseSynapse<double>(W))
      .add_synapse("ha", {"a"}, BiasSynapse<double>(ha))
      .add_synapse("hb", {"b"}, BiasSynapse<double>(hb));
  A = MatrixXd::Identity(3, 3);
  A.block(0, 2, 2, 1) = -W;
  A.block(2, 0, 1, 2) = -W.transpose();
  mu = A.inverse() * VectorXd{{0.2, -0.4, 0.7}};
  return g;
}

TEST(Langevin, GaussianGraphMatchesTheClosedForm) {
  MatrixXd A;
  VectorXd mu;
  const EnergyGraph<double> g = gaussian_graph(A, mu);
  // A's eigenvalues are 1 and 1 ± |W| = 1 ± 0.583: the slowest mode has ρ = 1 − 0.1·0.417 = 0.958,
  // τ = 47; 500 burn-in steps leave 0.958^500 < 1e-9.
  Rng rng(13);
  State<double> s = g.zeros(kChains);
  LangevinOptions o;
  o.step_size = kEps;
  o.burn_in = 500;
  o.steps = kSteps;
  o.record = true;
  const auto r = langevin(g, s, o, rng);
  EXPECT_EQ(r.layers, (std::vector<std::string>{"a", "b"}));
  expect_moments(moments(r.samples), mu, ula_covariance(A, kEps, 1.0), kChains * kSteps / 47.0);
  EXPECT_EQ(s["a"], r.x.leftCols(2));
}

TEST(Langevin, ClampedLayersStayFixedAndTheRestSamplesTheConditional) {
  MatrixXd A;
  VectorXd mu;
  const EnergyGraph<double> g = gaussian_graph(A, mu);
  State<double> s = g.zeros(kChains);
  s["b"].setConstant(2.0);
  const Mat<double> b0 = s["b"];
  // With b clamped, E(a) = ½|a|² − aᵀ(Wb + h_a): a ~ N(Wb + h_a, T/(1 − ε/2) I) under ULA.
  Rng rng(14);
  LangevinOptions o;
  o.step_size = kEps;
  o.burn_in = kBurn;
  o.steps = kSteps;
  o.record = true;
  o.clamped = {"b"};
  const auto r = langevin(g, s, o, rng);
  EXPECT_EQ(s["b"], b0);
  EXPECT_EQ(r.layers, std::vector<std::string>{"a"});
  const VectorXd mean{{0.2 + 0.5 * 2.0, -0.4 - 0.3 * 2.0}};
  // Identity precision: ρ = 0.9, τ = 19.
  expect_moments(moments(r.samples), mean, ula_covariance(MatrixXd::Identity(2, 2), kEps, 1.0),
                 kChains * kSteps / 19.0);
}

TEST(Langevin, GraphGradientIsTheHessianTimesTheGraphGradient) {
  // ∇_x E for graphs with nonlinear Lagrangians against central differences of graph.energy.
  Rng rng(21);
  for (int trial = 0; trial < 5; ++trial) {
    const EnergyGraph<double> g = test::random_graph(rng);
    State<double> s = test::random_state(g, 2, rng, 0.5);
    const auto f = graph_energy_function(g, s, {});
    const Mat<double> x = free_states(g, s, {});
    Mat<double> grad(x.rows(), x.cols());
    f(x, grad);
    const Mat<double> d = rng.normal<double>(x.rows(), x.cols());
    const auto energy_sum = [&](const Mat<double>& y) {
      Mat<double> unused(y.rows(), y.cols());
      return f(y, unused).sum();
    };
    test::expect_derivative(grad.cwiseProduct(d).sum(),
                            test::central_difference(energy_sum, x, d, 1e-3), 1e-6,
                            "directional derivative", 1e-9);
  }
}

TEST(Langevin, AnnealingEndsAtTheFinalTemperaturesLaw) {
  const MatrixXd A = precision();
  const VectorXd mu{{1.0, -0.5, 2.0}};
  AnnealSchedule sched = geometric_schedule(10.0, 0.2, 5, 50);
  ASSERT_EQ(sched.temperatures.size(), 5u);
  EXPECT_DOUBLE_EQ(sched.temperatures.front(), 10.0);
  EXPECT_DOUBLE_EQ(sched.temperatures.back(), 0.2);
  EXPECT_NEAR(sched.temperatures[2], std::sqrt(10.0 * 0.2), 1e-12);
  sched.steps.back() = kBurn + kSteps;  // a long last stage: its last kSteps are its law
  Rng rng(15);
  LangevinOptions o;
  o.step_size = kEps;
  o.record = true;
  const auto r = annealed_langevin(gaussian(A, mu), Mat<double>::Zero(kChains, 3), sched, o, rng);
  ASSERT_EQ(r.samples.size(), 4u * 50 + kBurn + kSteps);
  EXPECT_DOUBLE_EQ(r.temperatures.front(), 10.0);
  const std::vector<Mat<double>> last(r.samples.end() - kSteps, r.samples.end());
  expect_moments(moments(last), mu, ula_covariance(A, kEps, 0.2), kNeff);
  const AnnealSchedule lin = linear_schedule(2.0, 0.0, 3, 1);
  EXPECT_EQ(lin.temperatures, (std::vector<double>{2.0, 1.0, 0.0}));
}

TEST(Langevin, ThinningAndBadInput) {
  const MatrixXd A = precision();
  const auto f = gaussian(A, VectorXd::Zero(3));
  Rng rng(3);
  LangevinOptions o;
  o.steps = 10;
  o.thin = 3;
  o.record = true;
  EXPECT_EQ(langevin(f, Mat<double>::Zero(2, 3), o, rng).samples.size(), 3u);
  o.lo = -0.1;  // projected Langevin stays in the box
  o.hi = 0.2;
  const auto boxed = langevin(f, Mat<double>::Zero(50, 3), o, rng);
  for (const auto& x : boxed.samples)
    EXPECT_TRUE((x.array() >= -0.1).all() && (x.array() <= 0.2).all());
  o.metropolis = true;
  EXPECT_THROW_MESSAGE(langevin(f, Mat<double>::Zero(2, 3), o, rng), std::invalid_argument, "box");
  o.metropolis = false;
  o.lo = -std::numeric_limits<double>::infinity();
  o.hi = std::numeric_limits<double>::infinity();
  o.step_size = 0;
  EXPECT_THROW_MESSAGE(langevin(f, Mat<double>::Zero(2, 3), o, rng), std::invalid_argument,
                       "step_size");
  o.step_size = 0.1;
  o.temperature = -1;
  EXPECT_THROW_MESSAGE(langevin(f, Mat<double>::Zero(2, 3), o, rng), std::invalid_argument,
                       "temperature");
  o.temperature = 1;
  Mat<double> x0 = Mat<double>::Zero(2, 3);
  x0(1, 2) = std::nan("");
  EXPECT_THROW_MESSAGE(langevin(f, x0, o, rng), std::invalid_argument, "NaN");
  o.step_size = 5.0;  // ελ = 10: the chain blows up
  o.steps = 2000;
  EXPECT_THROW_MESSAGE(langevin(f, Mat<double>::Ones(2, 3), o, rng), std::invalid_argument,
                       "NaN/Inf");
  MatrixXd Ag;
  VectorXd mu;
  const EnergyGraph<double> g = gaussian_graph(Ag, mu);
  State<double> s = g.zeros(1);
  o.step_size = 0.1;
  o.clamped = {"nope"};
  EXPECT_THROW_MESSAGE(langevin(g, s, o, rng), std::invalid_argument, "'nope'");
  o.clamped = {"a", "b"};
  EXPECT_THROW_MESSAGE(langevin(g, s, o, rng), std::invalid_argument, "every layer");
  EXPECT_THROW_MESSAGE(geometric_schedule(0.0, 1.0, 3, 1), std::invalid_argument, "geometric");
  EXPECT_THROW_MESSAGE(annealed_langevin(f, Mat<double>::Zero(1, 3), AnnealSchedule{}, o, rng),
                       std::invalid_argument, "schedule");
}

TEST(Langevin, FloatChainsRun) {
  const auto f = [](const MatCRef<float>& x, MatRef<float> grad) {
    grad = x;
    return Energies(0.5 * x.cast<double>().rowwise().squaredNorm());
  };
  Rng rng(4);
  LangevinOptions o;
  o.steps = 2000;
  o.step_size = 0.05;
  const auto r = langevin<float>(f, Mat<float>::Zero(2000, 1), o, rng);
  // Stationary variance 1/(1 − ε/2) ≈ 1.026 (chains independent at the end): 2000 samples give a
  // standard error of √(2/2000) ≈ 0.032 on the variance.
  EXPECT_NEAR(r.x.cast<double>().squaredNorm() / 2000, 1.0 / 0.975, 0.15);
}

}  // namespace
}  // namespace engram
