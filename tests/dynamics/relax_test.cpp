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

TEST(Relax, BatchRowsMatchRunsOfSingleRowsEvenWhenOnlySomeRowsShrink) {
  // Find a random graph and batch where some rows need their step halved and others do not,
  // then check each row against a run of that row alone.
  Rng rng(5);
  for (int trial = 0; trial < 200; ++trial) {
    const EnergyGraph<double> g = test::random_graph(rng);
    const State<double> start = test::random_state(g, 4, rng, 3.0);
    RelaxOptions o;
    o.dt = 1.5;
    o.max_steps = 300;
    State<double> batch = start;
    const RelaxResult rb = relax(g, batch, o);
    // Random energies need not be bounded below; keep graphs whose runs stay finite.
    if (rb.rejected_steps == 0 || rb.dt.minCoeff() == rb.dt.maxCoeff() || !rb.energy.allFinite())
      continue;
    for (Index b = 0; b < 4; ++b) {
      State<double> one = g.zeros(1);
      for (std::size_t l = 0; l < one.size(); ++l) one.at(l) = start.at(l).row(b);
      const RelaxResult r1 = relax(g, one, o);
      EXPECT_EQ(r1.status[0], rb.status[b]);
      EXPECT_EQ(r1.dt(0), rb.dt(b));
      EXPECT_NEAR(r1.energy(0), rb.energy(b), 1e-12 * (1 + std::abs(r1.energy(0))));
      for (std::size_t l = 0; l < one.size(); ++l)
        EXPECT_LT(test::max_relative_gap(one.at(l), batch.at(l).row(b)), 1e-10);
    }
    return;
  }
  FAIL() << "no random graph needed per-row step shrinking";
}

TEST(Relax, SampleStallsAfterMaxHalvings) {
  // dt/τ = 1000 on a quadratic well needs dt/τ < 2: three halvings are not enough.
  const auto g = quadratic_well(Mat<double>::Ones(1, 2), 1e-3);
  State<double> s = g.zeros(1);
  RelaxOptions o;
  o.dt = 1.0;
  o.max_halvings = 3;
  const RelaxResult r = relax(g, s, o);
  EXPECT_EQ(r.status[0], SampleStatus::stalled);
  EXPECT_FALSE(r.converged);
  EXPECT_EQ(r.rejected_steps, 3);
  EXPECT_EQ(r.dt(0), 0.125);
  EXPECT_EQ(s["x"], Mat<double>::Zero(1, 2));  // every step was undone
  EXPECT_EQ(std::string(to_string(r.status[0])), "stalled");
}

/// E = 0 while every activation is within ±limit, NaN beyond: a model undefined outside a box.
class CliffSynapse final : public Synapse<double> {
 public:
  CliffSynapse(Index size, double limit)
      : Synapse<double>("CliffSynapse"), size_(size), limit_(limit) {}
  std::unique_ptr<Synapse<double>> clone() const override {
    return std::make_unique<CliffSynapse>(*this);
  }
  std::string name() const override { return "cliff"; }
  std::vector<Index> operand_sizes() const override { return {size_}; }

 private:
  void do_evaluate(Operands<double> xhats, Energies* energy,
                   Gradients<double> grads) const override {
    for (Index b = 0; b < xhats[0].rows(); ++b) {
      const bool inside = xhats[0].row(b).cwiseAbs().maxCoeff() <= limit_;
      if (energy) (*energy)(b) = inside ? 0.0 : std::nan("");
      if (!grads.empty() && !inside) grads[0].row(b).setConstant(std::nan(""));
    }
  }
  std::vector<Mat<double>> do_param_grad(Operands<double>) const override { return {}; }
  Index size_;
  double limit_;
};

TEST(Relax, StepIntoANaNEnergyIsUndoneAndShrunk) {
  EnergyGraph<double> g = quadratic_well(Mat<double>::Constant(1, 2, 9.0));
  g.add_synapse("cliff", {"x"}, CliffSynapse(2, 10.0));
  RelaxOptions o;
  o.dt = 1.9;  // the first step lands at 17.1, beyond the cliff
  State<double> s = g.zeros(1);
  const RelaxResult r = relax(g, s, o);
  EXPECT_GT(r.rejected_steps, 0);
  EXPECT_EQ(r.status[0], SampleStatus::converged);
  EXPECT_TRUE(r.trace.allFinite());
  EXPECT_LT((s["x"].array() - 9.0).abs().maxCoeff(), 1e-6);

  RelaxOptions blind = o;
  blind.shrink_on_rise = false;
  s = g.zeros(1);
  const RelaxResult d = relax(g, s, blind);
  EXPECT_EQ(d.status[0], SampleStatus::diverged);
  EXPECT_FALSE(d.converged);
  EXPECT_EQ(d.steps, 1);  // held once its energy is not finite
}

TEST(Relax, SampleWhoseGradientIsNotFiniteIsHeldAsDiverged) {
  EnergyGraph<double> g = quadratic_well(Mat<double>::Zero(1, 2));
  g.add_synapse("cliff", {"x"}, CliffSynapse(2, 10.0));
  State<double> s = g.zeros(2);
  s["x"] << 1.0, 2.0, 50.0, 0.0;  // the second sample starts beyond the cliff
  const RelaxResult r = relax(g, s);
  EXPECT_EQ(r.status[0], SampleStatus::converged);
  EXPECT_EQ(r.status[1], SampleStatus::diverged);
  EXPECT_EQ(s["x"](1, 0), 50.0);
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
  o.max_halvings = 61;
  EXPECT_THROW_MESSAGE(relax(g, s, o), std::invalid_argument,
                       "max_halvings must be in [0, 60], got 61");
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
