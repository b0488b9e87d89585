// EnergyGraph (SPEC M-03): energy as a sum of terms, the gradient by the chain rule against finite
// differences on random graphs, DOT output, value semantics, and every bad input it must refuse.
#include <engram/graph.hpp>
#include <engram/models/bipartite_memory.hpp>
#include <engram/neurons.hpp>
#include <engram/synapses.hpp>

#include "support/check.hpp"
#include "support/random_graph.hpp"

namespace engram {
namespace {

EnergyGraph<double> small_graph() {
  EnergyGraph<double> g;
  g.add_layer("v", {3}, Sigmoid<double>(0.5))
      .add_layer("m", {2}, Softmax<double>(2.0), 0.5)
      .add_synapse("xi", {"m", "v"}, DenseSynapse<double>(Rng(1).uniform<double>(2, 3)))
      .add_synapse("b", {"v"}, BiasSynapse<double>(Rng(2).normal<double>(1, 3)));
  return g;
}

TEST(EnergyGraph, EnergyIsTheSumOfNeuronAndSynapseTerms) {
  const EnergyGraph<double> g = small_graph();
  State<double> s = g.zeros(2);
  s["v"] = Rng(3).normal<double>(2, 3);
  s["m"] = Rng(4).normal<double>(2, 2);
  const EnergyBreakdown terms = g.energy_terms(s);
  ASSERT_EQ(terms.names, (std::vector<std::string>{"v", "m", "xi", "b"}));
  const Mat<double> vhat = Sigmoid<double>(0.5).activation(s["v"]);
  const Mat<double> mhat = Softmax<double>(2.0).activation(s["m"]);
  const Energies Ev = Sigmoid<double>(0.5).energy(s["v"]);
  const Energies Em = Softmax<double>(2.0).energy(s["m"]);
  const Energies Exi = g.synapse("xi").energy({mhat, vhat});
  const Energies Eb = g.synapse("b").energy({vhat});
  for (Index b = 0; b < 2; ++b) {
    EXPECT_DOUBLE_EQ(terms.values(0, b), Ev(b));
    EXPECT_DOUBLE_EQ(terms.values(1, b), Em(b));
    EXPECT_DOUBLE_EQ(terms.values(2, b), Exi(b));
    EXPECT_DOUBLE_EQ(terms.values(3, b), Eb(b));
    EXPECT_NEAR(g.energy(s)(b), Ev(b) + Em(b) + Exi(b) + Eb(b), 1e-13);
  }
}

TEST(EnergyGraph, GradientIsStatePlusSynapseGradients) {
  const EnergyGraph<double> g = small_graph();
  State<double> s = g.zeros(1);
  s["v"] = Rng(5).normal<double>(1, 3);
  s["m"] = Rng(6).normal<double>(1, 2);
  const auto xhats = g.activations(s);
  const auto grads = g.grad(s);
  const Mat<double>& Xi = static_cast<const DenseSynapse<double>&>(g.synapse("xi")).W();
  const Mat<double>& bias = static_cast<const BiasSynapse<double>&>(g.synapse("b")).b();
  // ∂E/∂v̂ = v − Ξᵀm̂ − b ;  ∂E/∂m̂ = m − Ξ v̂  (seed 001 with a bias on v)
  EXPECT_LT(test::max_relative_gap(grads[0], s["v"] - xhats[1] * Xi - bias), 1e-14);
  EXPECT_LT(test::max_relative_gap(grads[1], s["m"] - xhats[0] * Xi.transpose()), 1e-14);
}

TEST(EnergyGraph, ChainRuleGradientMatchesFiniteDifferencesOnRandomGraphs) {
  // dE along d = Σ_l (∂E/∂x̂_l) · (∇²L_l d_l): the graph's gradient against differences of its
  // energy.
  Rng rng(7);
  for (int trial = 0; trial < 50; ++trial) {
    const EnergyGraph<double> g = test::random_graph(rng);
    const State<double> x = test::random_state(g, 2, rng);
    const State<double> d = test::random_state(g, 2, rng);
    const auto grads = g.grad(x);
    double analytic = 0;
    for (std::size_t l = 0; l < x.size(); ++l)
      analytic += grads[l].cwiseProduct(g.layers()[l].lagrangian->hvp(x.at(l), d.at(l))).sum();
    auto f = [&](const Mat<double>& t) {
      State<double> y = x;
      for (std::size_t l = 0; l < y.size(); ++l) y.at(l) += t(0, 0) * d.at(l);
      return g.energy(y).sum();
    };
    test::expect_derivative(
        analytic,
        test::central_difference(f, Mat<double>::Zero(1, 1), Mat<double>::Ones(1, 1), 1e-3), 1e-6,
        fmt::format("random graph {}", trial));
  }
}

TEST(EnergyGraph, DotOutputNamesLayersSynapsesAndConnections) {
  const std::string dot = small_graph().to_dot();
  EXPECT_THAT(dot, ::testing::StartsWith("graph engram {"));
  EXPECT_THAT(
      dot, ::testing::HasSubstr("L0 [shape=ellipse, label=\"v\\n3\\nsigmoid(beta=0.5)\\ntau=1\"]"));
  EXPECT_THAT(
      dot, ::testing::HasSubstr("L1 [shape=ellipse, label=\"m\\n2\\nsoftmax(beta=2)\\ntau=0.5\"]"));
  EXPECT_THAT(dot, ::testing::HasSubstr("S0 [shape=box, label=\"xi\\ndense(2x3)\"]"));
  EXPECT_THAT(dot, ::testing::HasSubstr("S0 -- L1"));
  EXPECT_THAT(dot, ::testing::HasSubstr("S0 -- L0"));
  EXPECT_THAT(dot, ::testing::HasSubstr("S1 -- L0"));
  EXPECT_THAT(dot, ::testing::EndsWith("}\n"));
}

TEST(EnergyGraph, CopiesAreDeep) {
  EnergyGraph<double> a = small_graph();
  EnergyGraph<double> b = a;
  b.synapse("xi").set_param(0, Mat<double>::Zero(2, 3));
  EXPECT_NE(a.synapse("xi").param(0), Mat<double>::Zero(2, 3));
  a = b;
  EXPECT_EQ(a.synapse("xi").param(0), Mat<double>::Zero(2, 3));
}

TEST(EnergyGraph, LayersMayHaveMultiDimensionalShapes) {
  EnergyGraph<float> g;
  g.add_layer("image", {4, 5}, Identity<float>());
  EXPECT_EQ(g.layer("image").size, 20);
  EXPECT_EQ(g.zeros(3)["image"].cols(), 20);
  EXPECT_THAT(g.to_dot(), ::testing::HasSubstr("4x5"));
}

// ---- Bad input ------------------------------------------------------------------------------

TEST(EnergyGraphErrors, UnknownLayerNames) {
  EnergyGraph<double> g = small_graph();
  EXPECT_THROW_MESSAGE(g.add_synapse("s", {"q"}, BiasSynapse<double>(Mat<double>::Ones(1, 3))),
                       std::invalid_argument, "unknown layer 'q' (known: 'v', 'm')");
  EXPECT_THROW_MESSAGE(g.layer("w"), std::invalid_argument, "unknown layer 'w'");
  EXPECT_THROW_MESSAGE(g.synapse("nope"), std::invalid_argument, "unknown synapse 'nope'");
  State<double> s = g.zeros(1);
  EXPECT_THROW_MESSAGE(s["z"], std::invalid_argument, "unknown layer 'z'");
}

TEST(EnergyGraphErrors, SynapseConnectedToLayerOfWrongSize) {
  EnergyGraph<double> g = small_graph();
  EXPECT_THROW_MESSAGE(
      g.add_synapse("bad", {"v", "m"}, DenseSynapse<double>(Mat<double>::Ones(2, 3))),
      std::invalid_argument,
      "add_synapse 'bad': dense(2x3) expects operand 0 of size 2, but layer 'v' has size 3");
  EXPECT_THROW_MESSAGE(g.add_synapse("bad", {"v"}, DenseSynapse<double>(Mat<double>::Ones(2, 3))),
                       std::invalid_argument, "dense(2x3) connects 2 layer(s), got 1");
}

TEST(EnergyGraphErrors, BadLayerParameters) {
  EnergyGraph<double> g = small_graph();
  EXPECT_THROW_MESSAGE(g.add_layer("h", {4}, Identity<double>(), 0.0), std::invalid_argument,
                       "add_layer 'h': tau must be positive and finite, got 0");
  EXPECT_THROW_MESSAGE(g.add_layer("h", {4}, Identity<double>(), -2.0), std::invalid_argument,
                       "tau must be positive");
  EXPECT_THROW_MESSAGE(g.add_layer("h", {4, 0}, Identity<double>()), std::invalid_argument,
                       "every dimension must be positive, got shape 4x0");
  EXPECT_THROW_MESSAGE(g.add_layer("h", {1 << 20, 1 << 20}, Identity<double>()),
                       std::invalid_argument, "shape 1048576x1048576 has more than");
  EXPECT_THROW_MESSAGE(g.add_layer("h", {}, Identity<double>()), std::invalid_argument,
                       "shape must have at least one dimension");
  EXPECT_THROW_MESSAGE(g.add_layer("v", {4}, Identity<double>()), std::invalid_argument,
                       "name 'v' is already used by a layer");
  EXPECT_THROW_MESSAGE(g.add_layer("xi", {4}, Identity<double>()), std::invalid_argument,
                       "name 'xi' is already used by a synapse");
  EXPECT_THROW_MESSAGE(g.add_layer("h", {4}, LagrangianPtr<double>()), std::invalid_argument,
                       "lagrangian is null");
  EXPECT_THROW_MESSAGE(g.add_layer("", {4}, Identity<double>()), std::invalid_argument,
                       "name must not be empty");
}

TEST(EnergyGraphErrors, StatesWithWrongShapes) {
  const EnergyGraph<double> g = small_graph();
  State<double> s = g.zeros(2);
  s["v"] = Mat<double>::Zero(2, 4);
  EXPECT_THROW_MESSAGE(g.energy(s), std::invalid_argument,
                       "state of layer 'v': expected shape 2x3, got 2x4");
  s = g.zeros(2);
  s["m"] = Mat<double>::Zero(1, 2);
  EXPECT_THROW_MESSAGE(g.grad(s), std::invalid_argument,
                       "state of layer 'm': expected shape 2x2, got 1x2");
  EnergyGraph<double> other;
  other.add_layer("v", {3}, Identity<double>());
  EXPECT_THROW_MESSAGE(g.energy(other.zeros(1)), std::invalid_argument,
                       "state has 1 layer(s) but the graph has 2");
  EXPECT_THROW_MESSAGE(g.zeros(0), std::invalid_argument, "batch must be positive, got 0");
}

TEST(EnergyGraphErrors, StatesWithNaNOrInf) {
  const EnergyGraph<double> g = small_graph();
  State<double> s = g.zeros(2);
  s["v"](1, 2) = std::nan("");
  EXPECT_THROW_MESSAGE(g.energy(s), std::invalid_argument,
                       "state of layer 'v' contains NaN at (1, 2)");
  s = g.zeros(2);
  s["m"](0, 1) = -INFINITY;
  EXPECT_THROW_MESSAGE(g.activations(s), std::invalid_argument,
                       "state of layer 'm' contains Inf at (0, 1)");
}

TEST(EnergyGraphErrors, NullSynapse) {
  EnergyGraph<double> g = small_graph();
  EXPECT_THROW_MESSAGE(g.add_synapse("s", {"v"}, SynapsePtr<double>()), std::invalid_argument,
                       "add_synapse 's': synapse is null");
}

}  // namespace
}  // namespace engram
