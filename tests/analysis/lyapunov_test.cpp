// Lyapunov checks (SPEC M-21): hand-made traces and matrices, a symmetric tanh network that meets
// every condition, and asymmetric or badly coupled ones that are flagged and seen to break them.
#include "engram/analysis/lyapunov.hpp"

#include "engram/analysis/continuous_hopfield_field.hpp"
#include "engram/analysis/graph_field.hpp"
#include "engram/analysis/integrate.hpp"
#include "engram/core/rng.hpp"
#include "engram/neurons.hpp"
#include "engram/synapses/dense.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

TEST(CheckEnergyDecay, CountsRisesBeyondTheAllowance) {
  VectorXd trace(7);
  trace << 3.0, 2.0, 2.5, 1.0, 1.2, 0.0, 0.0;
  const EnergyDecay d = check_energy_decay(trace);
  EXPECT_EQ(d.initial, 3.0);
  EXPECT_EQ(d.final, 0.0);
  EXPECT_EQ(d.drop, 3.0);
  EXPECT_FALSE(d.monotonic);
  EXPECT_EQ(d.violations, 2);
  EXPECT_DOUBLE_EQ(d.max_violation, 0.5);
  // A rise of 1e-10 on an energy of 852,000 is rounding at a relative tolerance of 1e-15.
  VectorXd big(3);
  big << 852000.0, 852000.0 + 1e-10, 851999.0;
  EXPECT_TRUE(check_energy_decay(big, 1e-15).monotonic);
  EXPECT_FALSE(check_energy_decay(big, 0.0).monotonic);
  EXPECT_THROW_MESSAGE(check_energy_decay(VectorXd()), std::invalid_argument, "empty");
  big(1) = std::nan("");
  EXPECT_THROW_MESSAGE(check_energy_decay(big), std::invalid_argument, "NaN");
}

TEST(CheckSymmetry, MeasuresTheAsymmetry) {
  MatrixXd W(2, 2);
  W << 0.0, 2.0, 1.5, 4.0;
  const SymmetryCheck s = check_symmetry(W);
  EXPECT_FALSE(s.symmetric);
  EXPECT_EQ(s.max_asymmetry, 0.5);
  EXPECT_EQ(s.relative, 0.125);
  W(1, 0) = 2.0;
  EXPECT_TRUE(check_symmetry(W).symmetric);
  EXPECT_TRUE(check_symmetry(MatrixXd::Zero(3, 3)).symmetric);
  EXPECT_THROW_MESSAGE(check_symmetry(MatrixXd::Zero(2, 3)), std::invalid_argument,
                       "W must be square, got 2x3");
}

TEST(SpectralRadius, OfRotationsAndDiagonals) {
  MatrixXd R(2, 2);
  R << 0.0, 2.0, -2.0, 0.0;  // eigenvalues ±2i
  EXPECT_NEAR(spectral_radius(R), 2.0, 1e-14);
  EXPECT_NEAR(spectral_radius(Eigen::Vector3d(-3.0, 1.0, 0.5).asDiagonal()), 3.0, 1e-14);
}

TEST(LyapunovReport, ASymmetricTanhNetworkIsGuaranteedAndItsEnergyFalls) {
  Rng rng(3);
  Mat<double> W = rng.normal<double>(8, 8, 0.0, 0.7);
  W = (0.5 * (W + W.transpose())).eval();
  const LyapunovReport report = lyapunov_report(W, ContinuousActivation::tanh, 2.0);
  EXPECT_TRUE(report.guaranteed);
  EXPECT_TRUE(report.warnings.empty());

  const ContinuousHopfieldField field(ContinuousHopfield<double>(
      W, rng.normal<double>(1, 8, 0.0, 0.2), ContinuousActivation::tanh, 2.0));
  IntegrateOptions o;
  o.record_every = 0.05;
  const Trajectory tr = integrate(field, rng.normal<double>(8, 1), 10.0, o);
  const EnergyDecay d = check_energy_decay(tr.energy);
  EXPECT_TRUE(d.monotonic) << d.violations << " rises, the largest " << d.max_violation;
  EXPECT_GT(d.drop, 0.0);
  const GradientCheck g = check_gradient(field, tr.x.row(3).transpose());
  EXPECT_TRUE(g.analytic);
  EXPECT_TRUE(g.passed) << g.max_rel_error << " " << g.energy_gradient_error;
  EXPECT_LT(g.descent, 0.0);
}

TEST(LyapunovReport, AnAsymmetricNetworkIsFlaggedAndItsEnergyRises) {
  // τ du/dt = −u + W tanh(u) with W = 1.5 I + 3 R (R a rotation): the origin is unstable and the
  // state circles a limit cycle, along which E(V) = −½VᵀWV + Σ∫atanh goes up and down.
  MatrixXd W(2, 2);
  W << 1.5, 3.0, -3.0, 1.5;
  const LyapunovReport report = lyapunov_report(W, ContinuousActivation::tanh);
  EXPECT_FALSE(report.guaranteed);
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_EQ(report.warnings[0],
            "energy decrease is not guaranteed: W is not symmetric (max |W - W^T| = 6)");
  const Tanh<double> phi(1.0);
  const FunctionField field(
      2,
      [&](const VectorXd& u) {
        return VectorXd(-u + W * phi.activation(u.transpose()).row(0).transpose());
      },
      nullptr,
      [&](const VectorXd& u) {
        const VectorXd V = phi.activation(u.transpose()).row(0).transpose();
        return -0.5 * V.dot(W * V) + phi.energy(u.transpose())(0);
      });
  IntegrateOptions o;
  o.record_every = 0.05;
  const Trajectory tr = integrate(field, Eigen::Vector2d(0.1, 0.0), 20.0, o);
  const EnergyDecay d = check_energy_decay(tr.energy);
  EXPECT_FALSE(d.monotonic);
  EXPECT_GT(d.violations, 10);
  EXPECT_GT(d.max_violation, 1e-3);
  // The rate is no descent direction of that E somewhere on the cycle.
  bool ascent = false;
  for (Index k = 0; k < tr.x.rows(); ++k)
    ascent = ascent || !check_gradient(field, tr.x.row(k).transpose()).descent_ok;
  EXPECT_TRUE(ascent);
}

TEST(LyapunovReport, DiscreteMapsNeedTheirOwnConditions) {
  // Synchronous: W = [[0, 2], [2, 0]] has eigenvalue −2 < −1/β for tanh(u): the map
  // (1, −1) → (−tanh 2, tanh 2) → ... is a 2-cycle.
  MatrixXd W(2, 2);
  W << 0.0, 2.0, 2.0, 0.0;
  const Tanh<double> tanh1(1.0);
  const LyapunovReport sync = lyapunov_report(W, tanh1, ContinuousMode::discrete_synchronous);
  EXPECT_FALSE(sync.guaranteed);
  ASSERT_EQ(sync.warnings.size(), 1u);
  EXPECT_THAT(sync.warnings[0], ::testing::HasSubstr("smallest eigenvalue of W is -2 < -1/l = -1"));
  const Trajectory cycle = iterate_map(W, VectorXd::Zero(2), tanh1, Eigen::Vector2d(3.0, -3.0), 60);
  EXPECT_NEAR(cycle.x(60, 0), cycle.x(58, 0), 1e-12);
  EXPECT_GT(std::abs(cycle.x(59, 0) - cycle.x(58, 0)), 1.0);
  // The same W is fine for the continuous dynamics and for sigmoid's gentler slope at β = 1.
  EXPECT_TRUE(lyapunov_report(W, tanh1).guaranteed);
  EXPECT_TRUE(
      lyapunov_report(W, ContinuousActivation::sigmoid, 1.0, ContinuousMode::discrete_synchronous)
          .guaranteed);

  // A positive semi-definite Hebbian W (diagonal kept): the synchronous map's energy falls.
  Rng rng(4);
  const Mat<double> xi = rng.normal<double>(3, 10);
  MatrixXd H = xi.transpose() * xi / 10.0;
  H = (0.5 * (H + H.transpose())).eval();
  EXPECT_TRUE(
      lyapunov_report(H, Tanh<double>(3.0), ContinuousMode::discrete_synchronous).guaranteed);
  const Trajectory tr = iterate_map(H, rng.normal<double>(10, 1, 0.0, 0.1), Tanh<double>(3.0),
                                    rng.normal<double>(10, 1), 30);
  EXPECT_TRUE(check_energy_decay(tr.energy, 1e-13).monotonic);

  // Asynchronous: a negative self-coupling and a softmax layer are flagged.
  MatrixXd N = H;
  N(2, 2) = -0.5;
  const LyapunovReport async =
      lyapunov_report(N, Softmax<double>(1.0), ContinuousMode::discrete_asynchronous);
  EXPECT_FALSE(async.guaranteed);
  ASSERT_EQ(async.warnings.size(), 2u);
  EXPECT_THAT(async.warnings[0], ::testing::HasSubstr("negative self-coupling (W[2][2] = -0.5)"));
  EXPECT_THAT(async.warnings[1], ::testing::HasSubstr("softmax(beta=1) couples the units"));
}

/// L(x) = −Σ cos(x_i): the activation sin(x) rises and falls.
class Wavy final : public Lagrangian<double> {
 public:
  std::string name() const override { return "wavy"; }
  std::string kind() const override { return "wavy"; }
  Energies value(const MatCRef<double>& x) const override {
    return -x.array().cos().rowwise().sum();
  }
  void activation(const MatCRef<double>& x, MatRef<double> xhat) const override {
    xhat = x.array().sin().matrix();
  }
  Energies energy(const MatCRef<double>& x) const override {
    return (x.array() * x.array().sin() + x.array().cos()).rowwise().sum();
  }
  void hvp(const MatCRef<double>& x, const MatCRef<double>& v, MatRef<double> out) const override {
    out = (x.array().cos() * v.array()).matrix();
  }
};

TEST(LyapunovReport, ANonMonotoneActivationIsFlagged) {
  const LyapunovReport r = lyapunov_report(MatrixXd::Zero(3, 3), Wavy());
  EXPECT_FALSE(r.guaranteed);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_THAT(r.warnings[0], ::testing::HasSubstr("the activation of wavy is not monotone"));
}

TEST(CheckGradient, CatchesAWrongJacobian) {
  const FunctionField wrong(
      2, [](const VectorXd& x) { return VectorXd(x.array().square()); },
      [](const VectorXd& x) { return MatrixXd(x.asDiagonal()); });  // should be 2 diag(x)
  const GradientCheck g = check_gradient(wrong, Eigen::Vector2d(1.0, 3.0));
  EXPECT_TRUE(g.analytic);
  EXPECT_FALSE(g.passed);
  EXPECT_NEAR(g.max_abs_error, 3.0, 1e-6);
  EXPECT_NEAR(g.max_rel_error, 0.5, 1e-6);
  EXPECT_FALSE(g.has_energy);
}

TEST(CheckGradient, AllowsForTheRoundingOfALargeEnergy) {
  // A sigmoid layer at β = 1/(2D) carries an energy constant of −D log(2)/β ≈ −2.2·10⁵ here:
  // central differences of E lose ~1e-5 to rounding, which is not an error of the gradient.
  const Index D = 400, K = 20;
  Rng rng(6);
  EnergyGraph<double> g;
  g.add_layer("v", {D}, Sigmoid<double>(1.0 / (2.0 * D)))
      .add_layer("m", {K}, Softmax<double>(1.0))
      .add_synapse("xi", {"m", "v"}, DenseSynapse<double>(rng.uniform<double>(K, D)));
  const GraphField field(g);
  const GradientCheck c = check_gradient(field, rng.normal<double>(D + K, 1));
  EXPECT_TRUE(c.passed) << c.max_rel_error << " " << c.energy_gradient_error;
  EXPECT_LT(c.energy_gradient_error, 1e-7);
  EXPECT_LT(c.descent, 0.0);
}

}  // namespace
}  // namespace engram
