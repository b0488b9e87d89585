// relax() (SPEC M-04): fixed points from closed forms, per-layer τ, clamping, step control that
// keeps the energy from rising, per-sample independence, and its bad-input errors.
#include <engram/dynamics/relax.hpp>
#include <engram/neurons.hpp>
#include <engram/synapses.hpp>

#include "support/check.hpp"
#include "support/random_graph.hpp"

namespace engram {
namespace {

/// E = ½‖x‖² − bᵀx: the fixed point of τ dx/dt = −(x − b) is x* = b.
EnergyGraph<double> quadratic_well(const Mat<double>& b, double tau = 1.0) {
  EnergyGraph<double> g;
  g.add_layer("x", {b.cols()}, Identity<double>(), tau)
      .add_synapse("b", {"x"}, BiasSynapse<double>(b));
  return g;
}

TEST(Relax, ConvergesToTheClosedFormFixedPoint) {
  const Mat<double> b = Rng(1).normal<double>(1, 4);
  const auto g = quadratic_well(b);
  State<double> s = g.zeros(1);
  RelaxOptions o;
  o.tolerance = 1e-10;
  const RelaxResult r = relax(g, s, o);
  EXPECT_TRUE(r.converged);
  EXPECT_LT(r.steps, o.max_steps);
  EXPECT_LT((s["x"] - b).cwiseAbs().maxCoeff(), 1e-8);
  EXPECT_NEAR(r.energy(0), -0.5 * b.squaredNorm(), 1e-12);
  EXPECT_EQ(r.trace.rows(), r.steps + 1);
}

TEST(Relax, EulerStepIsDtOverTauTimesTheGradient) {
  // One step from x = 0: x₁ = (dt/τ) b exactly, for each τ.
  const Mat<double> b = Rng(2).normal<double>(1, 3);
  for (double tau : {0.5, 1.0, 4.0}) {
    const auto g = quadratic_well(b, tau);
    State<double> s = g.zeros(1);
    RelaxOptions o;
    o.dt = 0.1;
    o.max_steps = 1;
    relax(g, s, o);
    EXPECT_LT((s["x"] - (0.1 / tau) * b).cwiseAbs().maxCoeff(), 1e-15) << "tau " << tau;
  }
}

TEST(Relax, ClampedLayersHoldTheirState) {
  EnergyGraph<double> g;
  g.add_layer("a", {3}, Tanh<double>())
      .add_layer("c", {2}, Sigmoid<double>())
      .add_synapse("w", {"a", "c"}, DenseSynapse<double>(Rng(3).normal<double>(3, 2)));
  State<double> s = g.zeros(2);
  s["c"] = Rng(4).normal<double>(2, 2);
  const Mat<double> held = s["c"];
  RelaxOptions o;
  o.clamped = {"c"};
  const RelaxResult r = relax(g, s, o);
  EXPECT_EQ(s["c"], held);
  EXPECT_TRUE(r.converged);
  // At the fixed point a = W ĉ (∂E/∂â = a − W ĉ = 0).
  const Mat<double> W = g.synapse("w").param(0);
  EXPECT_LT((s["a"] - Sigmoid<double>().activation(held) * W.transpose()).cwiseAbs().maxCoeff(),
            1e-6);
}

TEST(Relax, StepShrinksInsteadOfDivergingWhenEnergyRises) {
  // A stiff well (τ small): dt/τ = 3 overshoots; without control the energy grows every step.
  const Mat<double> b = Mat<double>::Ones(1, 2);
  const auto g = quadratic_well(b, 0.1);
  RelaxOptions o;
  o.dt = 0.3;
  o.max_steps = 200;
  o.tolerance = 1e-9;

  State<double> wild = g.zeros(1);
  RelaxOptions uncontrolled = o;
  uncontrolled.shrink_on_rise = false;
  uncontrolled.max_steps = 5;
  const RelaxResult diverged = relax(g, wild, uncontrolled);
  EXPECT_GT(diverged.energy(0), diverged.trace(0, 0));

  State<double> s = g.zeros(1);
  const RelaxResult r = relax(g, s, o);
  EXPECT_GT(r.rejected_steps, 0);
  EXPECT_LT(r.dt(0), o.dt);
  EXPECT_TRUE(r.converged);
  for (Index t = 1; t < r.trace.rows(); ++t) EXPECT_LE(r.trace(t, 0), r.trace(t - 1, 0));
  EXPECT_LT((s["x"] - b).cwiseAbs().maxCoeff(), 1e-7);
}

TEST(Relax, BatchRowsMatchRunsOfSingleRows) {
  Rng rng(5);
  const EnergyGraph<double> g = test::random_graph(rng);
  const State<double> start = test::random_state(g, 4, rng, 3.0);
  RelaxOptions o;
  o.dt = 0.5;  // large enough that some rows need their step shrunk
  o.max_steps = 300;
  State<double> batch = start;
  const RelaxResult rb = relax(g, batch, o);
  for (Index b = 0; b < 4; ++b) {
    State<double> one = g.zeros(1);
    for (std::size_t l = 0; l < one.size(); ++l) one.at(l) = start.at(l).row(b);
    const RelaxResult r1 = relax(g, one, o);
    EXPECT_EQ(r1.sample_converged[0], rb.sample_converged[b]);
    EXPECT_NEAR(r1.energy(0), rb.energy(b), 1e-12 * (1 + std::abs(r1.energy(0))));
    for (std::size_t l = 0; l < one.size(); ++l)
      EXPECT_LT(test::max_relative_gap(one.at(l), batch.at(l).row(b)), 1e-12);
  }
}

TEST(Relax, ToleranceZeroRunsEveryStepAndCallbackSeesThem) {
  const auto g = quadratic_well(Mat<double>::Ones(1, 2));
  State<double> s = g.zeros(1);
  RelaxOptions o;
  o.max_steps = 17;
  o.tolerance = 0.0;
  int calls = 0, last = 0;
  o.on_step = [&](int step, const Energies& e) {
    ++calls;
    last = step;
    EXPECT_EQ(e.size(), 1);
  };
  const RelaxResult r = relax(g, s, o);
  EXPECT_EQ(r.steps, 17);
  EXPECT_EQ(calls, 17);
  EXPECT_EQ(last, 17);
  EXPECT_FALSE(r.converged);
}

TEST(Relax, FloatModelsDescendToo) {
  EnergyGraph<float> g;
  g.add_layer("x", {3}, Identity<float>())
      .add_synapse("b", {"x"}, BiasSynapse<float>(Mat<float>::Constant(1, 3, 2.0f)));
  State<float> s = g.zeros(1);
  const RelaxResult r = relax(g, s);
  EXPECT_TRUE(r.converged);
  // Converged: |dx/dt| = |x − 2| ≤ √ε_float · (1 + max|x|).
  EXPECT_NEAR(s["x"](0, 1), 2.0f, std::sqrt(std::numeric_limits<float>::epsilon()) * 3.0f);
}

TEST(RelaxErrors, RejectsBadOptionsAndStates) {
  const auto g = quadratic_well(Mat<double>::Ones(1, 2));
  State<double> s = g.zeros(1);
  RelaxOptions o;
  o.dt = 0.0;
  EXPECT_THROW_MESSAGE(relax(g, s, o), std::invalid_argument,
                       "relax: dt must be positive and finite, got 0");
  o = {};
  o.dt = std::nan("");
  EXPECT_THROW_MESSAGE(relax(g, s, o), std::invalid_argument, "relax: dt must be positive");
  o = {};
  o.max_steps = -1;
  EXPECT_THROW_MESSAGE(relax(g, s, o), std::invalid_argument, "max_steps must be >= 0, got -1");
  o = {};
  o.tolerance = -1.0;
  EXPECT_THROW_MESSAGE(relax(g, s, o), std::invalid_argument, "tolerance must be finite and >= 0");
  o = {};
  o.clamped = {"y"};
  EXPECT_THROW_MESSAGE(relax(g, s, o), std::invalid_argument, "unknown layer 'y'");
  s["x"](0, 0) = INFINITY;
  EXPECT_THROW_MESSAGE(relax(g, s), std::invalid_argument,
                       "state of layer 'x' contains Inf at (0, 0)");
}

}  // namespace
}  // namespace engram
