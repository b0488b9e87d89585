// Energy-graph dynamics as a vector field (SPEC M-04, M-20): the analytic Jacobian against central
// differences for every Lagrangian family, the rate against EnergyGraph::grad, and the energy as a
// Lyapunov function along integrate().
#include "engram/analysis/graph_field.hpp"

#include "engram/analysis/integrate.hpp"
#include "support/check.hpp"
#include "support/random_graph.hpp"

namespace engram {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr int kFamilies = 7;

/// Layers a (the family under test), b and c (random families), joined by every synapse kind.
EnergyGraph<double> graph_with(int k, Rng& rng) {
  const Index na = 2 + rng.index(4), nb = 1 + rng.index(4), nc = 2 + rng.index(3);
  EnergyGraph<double> g;
  g.add_layer("a", {na}, test::lagrangian_family(k, rng.real(0.5, 2.0)), rng.real(0.5, 2.0))
      .add_layer(
          "b", {nb},
          test::lagrangian_family(static_cast<int>(rng.index(kFamilies)), rng.real(0.5, 2.0)),
          rng.real(0.5, 2.0))
      .add_layer("c", {nc}, test::random_lagrangian(rng), rng.real(0.5, 2.0));
  Mat<double> W = rng.normal<double>(na, na, 0.0, 0.4);
  W = (0.5 * (W + W.transpose())).eval();
  W.diagonal().setZero();
  g.add_synapse("dense", {"a", "b"}, DenseSynapse<double>(rng.normal<double>(na, nb, 0.0, 0.5)))
      .add_synapse("recurrent", {"a"}, RecurrentSynapse<double>(W))
      .add_synapse("bias", {"b"}, BiasSynapse<double>(rng.normal<double>(1, nb)))
      .add_synapse("l2", {"a", "c"}, L2Synapse<double>(rng.uniform<double>(nc, na)))
      .add_synapse("label", {"c", "b"},
                   LabelSynapse<double>(rng.uniform<double>(nc, nb, 0.0, 0.5), 1.5))
      .add_synapse(
          "poly", {"b"},
          MemorySynapse<double>(rng.normal<double>(3, nb, 0.0, 0.5), Interaction::polynomial(3)))
      .add_synapse("lse", {"a"},
                   MemorySynapse<double>(rng.normal<double>(4, na), Interaction::log_sum_exp(1.5)))
      .add_synapse("self", {"c", "c"},  // both operands on one layer, as ContinuousHopfield does
                   DenseSynapse<double>(rng.normal<double>(nc, nc, 0.0, 0.3)));
  return g;
}

TEST(GraphField, JacobianMatchesCentralDifferencesForEveryLagrangian) {
  for (int k = 0; k < kFamilies; ++k)
    for (std::uint64_t seed : {1, 2, 3}) {
      Rng rng(seed * 10 + k);
      const EnergyGraph<double> g = graph_with(k, rng);
      std::map<std::string, VectorXd> clamped;
      if (seed == 3) clamped["b"] = rng.normal<double>(g.layer("b").size, 1);
      const GraphField field(g, clamped);
      const VectorXd x = rng.normal<double>(field.dim(), 1);
      const MatrixXd J = field.jacobian(x);
      const MatrixXd numeric = numerical_jacobian(field, x);
      EXPECT_LT(test::max_relative_gap(J, numeric), 1e-6)
          << "family " << g.layer("a").lagrangian->name() << " seed " << seed << "\n"
          << J << "\n\n"
          << numeric;
      EXPECT_LT(
          test::max_relative_gap(field.energy_gradient(x), numerical_energy_gradient(field, x)),
          1e-6)
          << "family " << k << " seed " << seed;
    }
}

TEST(GraphField, RateIsMinusTheGraphGradientOverTau) {
  Rng rng(7);
  const EnergyGraph<double> g = test::random_graph(rng);
  const State<double> s = test::random_state(g, 1, rng);
  const GraphField field(g);
  const VectorXd x = field.free_state(s);
  const std::vector<Mat<double>> grads = g.grad(s);
  const VectorXd f = field.rate(x);
  for (std::size_t k = 0; k < field.free_layers().size(); ++k) {
    const auto& layer = g.layers()[field.free_layers()[k]];
    const VectorXd expected = -grads[field.free_layers()[k]].row(0).transpose() / layer.tau;
    EXPECT_LT((f.segment(field.offsets()[k], layer.size) - expected).cwiseAbs().maxCoeff(), 1e-15);
  }
  EXPECT_DOUBLE_EQ(field.energy(x), g.energy(s)(0));
  EXPECT_TRUE(field.has_jacobian());
  EXPECT_TRUE(field.has_energy());
}

TEST(GraphField, EnergyNeverRisesAlongIntegrateAndClampedLayersHold) {
  for (std::uint64_t seed : {1, 2, 3, 4}) {
    Rng rng(seed);
    const EnergyGraph<double> g = graph_with(static_cast<int>(seed % kFamilies), rng);
    const VectorXd label = rng.normal<double>(g.layer("c").size, 1);
    const GraphField field(g, {{"c", label}});
    const VectorXd x0 = rng.normal<double>(field.dim(), 1);
    IntegrateOptions o;
    o.record_every = 0.05;
    const Trajectory tr = integrate(field, x0, 3.0, o);
    ASSERT_EQ(tr.energy.size(), tr.t.size());
    for (Index i = 1; i < tr.energy.size(); ++i)
      EXPECT_LE(tr.energy(i), tr.energy(i - 1) + 1e-9 * (1.0 + std::abs(tr.energy(i - 1))))
          << "seed " << seed << " at t = " << tr.t(i);
    // f·∇E ≤ 0 along the way, and the clamped layer is where it was put.
    const VectorXd x = tr.final_state();
    EXPECT_LE(field.rate(x).dot(field.energy_gradient(x)), 1e-12);
    EXPECT_EQ(field.state(x)["c"], label.transpose());
  }
}

TEST(GraphField, StatesNamesAndDescription) {
  EnergyGraph<double> g;
  g.add_layer("v", {3}, Identity<double>(), 2.0)
      .add_layer("y", {2}, Softmax<double>(1.0))
      .add_synapse("w", {"v", "y"}, DenseSynapse<double>(Mat<double>::Ones(3, 2)));
  const GraphField field(g, {{"y", Eigen::Vector2d(0.5, -1.0)}});
  EXPECT_EQ(field.dim(), 3);
  EXPECT_EQ(field.names(), (std::vector<std::string>{"v[0]", "v[1]", "v[2]"}));
  EXPECT_EQ(field.description(), "energy graph dynamics: free v (3); clamped y");
  const VectorXd x = Eigen::Vector3d(1.0, 2.0, 3.0);
  const State<double> s = field.state(x);
  EXPECT_EQ(field.free_state(s), x);
  // dv/dt = −(v − W ŷ)/2 with ŷ = softmax(0.5, −1) held, W ŷ = (1, 1, 1): J = −I/2.
  EXPECT_LT((field.jacobian(x) + 0.5 * MatrixXd::Identity(3, 3)).norm(), 1e-15);
  EXPECT_LT((field.rate(x) - Eigen::Vector3d(0.0, -0.5, -1.0)).norm(), 1e-15);
}

TEST(GraphField, RefusesBadClamps) {
  EnergyGraph<double> g;
  g.add_layer("v", {3}, Identity<double>()).add_layer("h", {2}, Tanh<double>());
  EXPECT_THROW_MESSAGE(GraphField(g, {{"z", VectorXd::Zero(2)}}), std::invalid_argument,
                       "cannot clamp 'z': the graph has no such layer (layers: v, h)");
  EXPECT_THROW_MESSAGE(GraphField(g, {{"h", VectorXd::Zero(3)}}), std::invalid_argument,
                       "clamped layer 'h' needs 2 values, got 3");
  EXPECT_THROW_MESSAGE(GraphField(g, {{"h", VectorXd::Zero(2)}, {"v", VectorXd::Zero(3)}}),
                       std::invalid_argument, "every layer is clamped");
  const GraphField field(g);
  EXPECT_THROW_MESSAGE(field.rate(VectorXd::Zero(4)), std::invalid_argument,
                       "expected a state of 5 values, got 4");
}

}  // namespace
}  // namespace engram
