// The continuous Hopfield network as a vector field (SPEC M-11, M-20): analytic Jacobian against
// central differences, Euler steps of integrate() against ContinuousHopfield::recall, and the
// energy as a Lyapunov function.
#include "engram/analysis/continuous_hopfield_field.hpp"

#include "engram/analysis/integrate.hpp"
#include "engram/core/rng.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

ContinuousHopfield<double> random_network(ContinuousActivation a, Rng& rng, Index n = 6) {
  Mat<double> W = rng.normal<double>(n, n, 0.0, 0.6);
  W = (0.5 * (W + W.transpose())).eval();  // the diagonal is free
  return ContinuousHopfield<double>(W, rng.normal<double>(1, n, 0.0, 0.3), a, 1.7, 0.8);
}

constexpr ContinuousActivation kActivations[] = {
    ContinuousActivation::tanh, ContinuousActivation::sigmoid, ContinuousActivation::softplus};

TEST(ContinuousHopfieldField, JacobianAndEnergyGradientMatchCentralDifferences) {
  for (ContinuousActivation a : kActivations)
    for (std::uint64_t seed : {1, 2}) {
      Rng rng(seed);
      const ContinuousHopfieldField field(random_network(a, rng));
      const VectorXd u = rng.normal<double>(field.dim(), 1);
      EXPECT_LT(test::max_relative_gap(field.jacobian(u), numerical_jacobian(field, u)), 1e-7)
          << to_string(a);
      EXPECT_LT(
          test::max_relative_gap(field.energy_gradient(u), numerical_energy_gradient(field, u)),
          1e-7)
          << to_string(a);
      // The rate by hand, and E at V = φ(u) in the closed form of the network.
      const ContinuousHopfield<double>& net = field.network();
      const VectorXd V = field.output(u);
      const VectorXd f = (-u + net.W() * V + net.b().transpose()) / net.tau();
      EXPECT_LT((field.rate(u) - f).norm(), 1e-14);
      EXPECT_NEAR(field.energy(u), net.energy(V.transpose())(0), 1e-10);
      EXPECT_LE(field.rate(u).dot(field.energy_gradient(u)), 0.0);
    }
}

TEST(ContinuousHopfieldField, EulerStepsAreRecallsSteps) {
  for (ContinuousActivation a : kActivations) {
    Rng rng(5);
    const ContinuousHopfield<double> net = random_network(a, rng);
    const Mat<double> cue = net.output(rng.normal<double>(1, net.size()));
    ContinuousRecallOptions ro;
    ro.dt = 0.05;
    ro.max_steps = 40;
    ro.tolerance = 0.0;
    const Retrieval<double> r = net.recall(cue, ro);
    ASSERT_EQ(r.steps[0], 40);

    const ContinuousHopfieldField field(net);
    IntegrateOptions o;
    o.method = Integrator::euler;
    o.dt = 0.05;
    const Trajectory tr = integrate(field, net.internal(cue).row(0).transpose(), 2.0, o);
    ASSERT_EQ(tr.t.size(), 41) << to_string(a);
    EXPECT_LT((field.output(tr.final_state()) - r.states.row(0).transpose()).cwiseAbs().maxCoeff(),
              1e-12)
        << to_string(a);
    ASSERT_EQ(r.energy_trace.rows(), 41);
    for (Index k = 0; k < 41; ++k) EXPECT_NEAR(tr.energy(k), r.energy_trace(k, 0), 1e-10) << k;
  }
}

TEST(ContinuousHopfieldField, EnergyFallsAlongAdaptiveIntegration) {
  Rng rng(9);
  const ContinuousHopfieldField field(random_network(ContinuousActivation::tanh, rng, 12));
  IntegrateOptions o;
  o.record_every = 0.1;
  const Trajectory tr = integrate(field, rng.normal<double>(12, 1, 0.0, 2.0), 10.0, o);
  EXPECT_EQ(tr.status, "finished");
  for (Index k = 1; k < tr.energy.size(); ++k)
    EXPECT_LE(tr.energy(k), tr.energy(k - 1) + 1e-12) << k;
  EXPECT_EQ(field.names()[3], "u[3]");
  EXPECT_EQ(field.description(), "continuous Hopfield network (N = 12, tanh, gain 1.7, tau 0.8)");
  EXPECT_THROW_MESSAGE(field.rate(VectorXd::Zero(3)), std::invalid_argument,
                       "expected 12 values, got 3");
}

}  // namespace
}  // namespace engram
