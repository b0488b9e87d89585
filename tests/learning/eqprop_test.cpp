// Equilibrium propagation (SPEC M-31): on a tiny network in double the EqProp estimate with small
// symmetric β matches central finite differences of the cost at the free fixed point; the
// relaxation never raises the energy; a tiny problem is learnt; bad input is refused.
#include <engram/learning/eqprop.hpp>
#include <engram/learning/feedforward.hpp>

#include "engram/io/graph_file.hpp"

#include "engram/core/rng.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

using test::central_difference;

EqPropOptions tiny(CostKind cost, const std::string& activation) {
  EqPropOptions o;
  o.sizes = {5, 4, 3};
  o.activation = activation;
  o.cost = cost;
  o.learning_rates = {0.1, 0.1};
  o.batch = 2;
  return o;
}

Mat<double> tiny_input() {
  return Rng(11).uniform<double>(2, 5);
}

/// dC/dθ_k entry by entry by central differences of the mean cost at the free fixed point,
/// re-relaxing after every perturbation (300 Euler steps: the tiny net contracts by about
/// 1 − dt·(1 − ‖W‖ max ρ') ≈ 0.5 per step, so the fixed point is reached to rounding; the test
/// checks that ∂E/∂x̂ has vanished there).
std::vector<Mat<double>> finite_difference_gradient(EqPropNetwork<double>& net,
                                                    const Mat<double>& x, const Mat<double>& t) {
  const std::vector<Mat<double>> theta = net.params();
  std::vector<Mat<double>> g;
  for (std::size_t k = 0; k < theta.size(); ++k) {
    auto loss = [&](const Mat<double>& v) {
      std::vector<Mat<double>> p = theta;
      p[k] = v;
      net.set_params(p);
      net.set_batch(x, t);
      return net.cost(net.free_phase(300));
    };
    Mat<double> gk(theta[k].rows(), theta[k].cols());
    for (Index i = 0; i < gk.size(); ++i) {
      Mat<double> d = Mat<double>::Zero(gk.rows(), gk.cols());
      d.data()[i] = 1.0;
      gk.data()[i] = central_difference(loss, theta[k], d, 1e-3).value;
    }
    g.push_back(gk);
  }
  net.set_params(theta);
  return g;
}

double max_gap(const std::vector<Mat<double>>& a, const std::vector<Mat<double>>& b) {
  double gap = 0.0, scale = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    gap = std::max(gap, (a[k] - b[k]).cwiseAbs().maxCoeff());
    scale = std::max(scale, b[k].cwiseAbs().maxCoeff());
  }
  return gap / scale;
}

class EqPropGradient : public ::testing::TestWithParam<CostKind> {};

TEST_P(EqPropGradient, SymmetricEstimateMatchesFiniteDifferencesOfTheCost) {
  // Theorem (Scellier & Bengio 2017): (1/2β)(∂E/∂θ(β) − ∂E/∂θ(−β)) = dC(s*(θ))/dθ + O(β²) when
  // both nudged phases reach their fixed points. With β = 1e-3 the bias is ~1e-6 relative; the
  // five-point differences (h = 1e-3) and the relaxation add ~1e-10: tolerance 1e-4.
  Rng rng(3);
  EqPropOptions o = tiny(GetParam(), "sigmoid");
  o.beta = 1e-3;
  o.free_steps = 300;
  o.nudged_steps = 300;
  EqPropNetwork<double> net(o, rng);
  const Mat<double> x = tiny_input();
  const Mat<double> t = net.one_hot({2, 0});
  const std::vector<Mat<double>> numeric = finite_difference_gradient(net, x, t);
  net.set_batch(x, t);
  for (const Mat<double>& g : net.free_graph().grad(net.free_phase()))
    EXPECT_LT(g.cwiseAbs().maxCoeff(), 1e-13);  // a fixed point: ∂E/∂x̂ = 0
  const std::vector<Mat<double>> eqprop = net.gradient_estimate();
  EXPECT_LT(max_gap(eqprop, numeric), 1e-4);

  // The bias of the estimate is O(β²) with symmetric nudging and O(β) one-sided: going from
  // β = 0.1 to 0.01 shrinks it about 100-fold and 10-fold respectively.
  auto bias = [&](double beta, bool symmetric) {
    o.beta = beta;
    o.symmetric = symmetric;
    Rng same(3);
    EqPropNetwork<double> n(o, same);
    n.set_batch(x, t);
    return max_gap(n.gradient_estimate(), numeric);
  };
  const double sym = bias(0.1, true) / bias(0.01, true);
  const double one = bias(0.1, false) / bias(0.01, false);
  EXPECT_GT(sym, 50.0);
  EXPECT_LT(sym, 200.0);
  EXPECT_GT(one, 5.0);
  EXPECT_LT(one, 20.0);
}

INSTANTIATE_TEST_SUITE_P(Costs, EqPropGradient,
                         ::testing::Values(CostKind::squared_error, CostKind::cross_entropy));

TEST(EqProp, EnergyNeverRisesInTheFreeAndNudgedPhases) {
  for (const std::string activation : {"hard_sigmoid", "sigmoid"}) {
    Rng rng(5);
    EqPropOptions o = tiny(CostKind::squared_error, activation);
    EqPropNetwork<double> net(o, rng);
    net.set_batch(tiny_input(), net.one_hot({1, 2}));
    Eigen::MatrixXd trace;
    State<double> s = net.free_phase(60, &trace);
    auto check = [&](const char* phase) {
      for (Index k = 1; k < trace.rows(); ++k)
        for (Index b = 0; b < trace.cols(); ++b)
          EXPECT_LE(trace(k, b), trace(k - 1, b) + 1e-12 * (1 + std::abs(trace(k - 1, b))))
              << activation << " " << phase << " step " << k << " sample " << b;
    };
    check("free");
    for (double beta : {1.0, -1.0}) {
      State<double> n = s;
      net.nudged_phase(n, beta, 30, &trace);
      check(beta > 0 ? "nudged +" : "nudged -");
    }
  }
}

TEST(EqProp, FreeGraphIsTheWholeGraphLessTheClampedInputEnergy) {
  Rng rng(7);
  EqPropNetwork<double> net(tiny(CostKind::cross_entropy, "hard_sigmoid"), rng);
  const Mat<double> x = tiny_input();
  net.set_batch(x, net.one_hot({0, 1}));
  const State<double> s = net.free_phase(10);
  State<double> whole = net.graph().zeros(2);
  whole["x"] = x;
  whole["h1"] = s["h1"];
  whole["y"] = s["y"];
  const Energies input = 0.5 * x.rowwise().squaredNorm();  // identity layer: ½‖x‖²
  EXPECT_LT(test::max_relative_gap(net.graph().energy(whole), net.free_graph().energy(s) + input),
            1e-13);
  EXPECT_LT(test::max_relative_gap(net.graph().grad(whole)[1], net.free_graph().grad(s)[0]), 1e-13);
}

TEST(EqProp, NetworkGraphSavesAndReloadsWithTheSameEnergy) {
  Rng rng(12);
  EqPropNetwork<double> net(tiny(CostKind::squared_error, "hard_sigmoid"), rng);
  const EnergyGraph<double> g = graph_from_file(graph_to_file(net.network_graph()));
  ASSERT_EQ(g.synapses().size(), 4u);  // W1, b1, W2, b2: the cost stays behind
  State<double> s = g.zeros(2);
  s["x"] = tiny_input();
  s["h1"] = Rng(13).normal<double>(2, 4);
  s["y"] = Rng(14).normal<double>(2, 3);
  net.set_batch(tiny_input(), Mat<double>::Zero(2, 3));  // β = 0 outside a nudged phase
  EXPECT_LT(test::max_relative_gap(g.energy(s), net.graph().energy(s)), 1e-14);
}

/// Three classes: noisy copies of three fixed prototypes in [0, 1]^6 (linearly separable).
void prototypes(Index n, std::uint64_t seed, Mat<double>& x, std::vector<int>& y) {
  const Mat<double> proto = Rng(99).uniform<double>(3, 6);
  Rng rng(seed);
  x.resize(n, 6);
  y.resize(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) {
    y[static_cast<std::size_t>(i)] = static_cast<int>(i % 3);
    x.row(i) = proto.row(i % 3) + rng.normal<double>(1, 6, 0.0, 0.1);
  }
}

TEST(EqProp, LearnsATinyProblemAndSoDoesTheBackpropBaseline) {
  Mat<double> x, xt;
  std::vector<int> y, yt;
  prototypes(150, 1, x, y);
  prototypes(60, 2, xt, yt);
  EqPropOptions o = tiny(CostKind::squared_error, "hard_sigmoid");
  o.sizes = {6, 12, 3};
  o.learning_rates = {0.5, 0.25};
  o.batch = 10;
  Rng rng(4);
  EqPropNetwork<double> net(o, rng);
  // Backprop through a hard sigmoid stops at saturated units (ρ' = 0 there); the baseline uses σ.
  EqPropOptions s = o;
  s.activation = "sigmoid";
  s.learning_rates = {2.0, 2.0};
  FeedForwardNetwork<double> bp(s, rng);
  const EpochStats before = net.evaluate(xt, yt);
  for (int e = 0; e < 30; ++e) {
    net.train_epoch(x, y, rng);
    bp.train_epoch(x, y, rng);
  }
  const EpochStats after = net.evaluate(xt, yt);
  EXPECT_LT(after.cost, before.cost);
  EXPECT_LE(after.error, 0.05);
  EXPECT_LE(bp.evaluate(xt, yt).error, 0.05);
  const std::vector<int> guess = net.predict(xt);
  Index wrong = 0;
  for (std::size_t i = 0; i < yt.size(); ++i) wrong += guess[i] != yt[i];
  EXPECT_DOUBLE_EQ(after.error, static_cast<double>(wrong) / 60.0);
}

TEST(FeedForward, BackpropGradientMatchesFiniteDifferences) {
  for (CostKind cost : {CostKind::squared_error, CostKind::cross_entropy}) {
    Rng rng(8);
    FeedForwardNetwork<double> net(tiny(cost, "sigmoid"), rng);
    const Mat<double> x = tiny_input();
    Mat<double> t = Mat<double>::Zero(2, 3);
    t(0, 1) = t(1, 2) = 1.0;
    const std::vector<Mat<double>> g = net.gradient(x, t);
    const std::vector<Mat<double>> theta = net.params();
    std::vector<Mat<double>> numeric;
    for (std::size_t k = 0; k < theta.size(); ++k) {
      auto loss = [&](const Mat<double>& v) {
        std::vector<Mat<double>> p = theta;
        p[k] = v;
        net.set_params(p);
        return net.cost(x, t);
      };
      Mat<double> gk(theta[k].rows(), theta[k].cols());
      for (Index i = 0; i < gk.size(); ++i) {
        Mat<double> d = Mat<double>::Zero(gk.rows(), gk.cols());
        d.data()[i] = 1.0;
        gk.data()[i] = central_difference(loss, theta[k], d, 1e-3).value;
      }
      numeric.push_back(gk);
    }
    EXPECT_LT(max_gap(g, numeric), 1e-8) << to_string(cost);
  }
}

TEST(EqProp, FloatRunsAndAgreesWithDouble) {
  Rng r1(9), r2(9);
  EqPropOptions o = tiny(CostKind::squared_error, "hard_sigmoid");
  EqPropNetwork<double> d(o, r1);
  EqPropNetwork<float> f(o, r2);
  const Mat<double> x = tiny_input();
  d.set_batch(x, d.one_hot({0, 2}));
  f.set_batch(x.cast<float>(), f.one_hot({0, 2}));
  const std::vector<Mat<double>> gd = d.gradient_estimate();
  const std::vector<Mat<float>> gf = f.gradient_estimate();
  for (std::size_t k = 0; k < gd.size(); ++k)
    EXPECT_LT(test::max_relative_gap(gf[k].cast<double>(), gd[k]), 1e-4);
}

TEST(EqProp, RejectsBadInput) {
  Rng rng(1);
  EqPropOptions o = tiny(CostKind::squared_error, "hard_sigmoid");
  o.beta = 0.0;
  EXPECT_THROW_MESSAGE(EqPropNetwork<double>(o, rng), std::invalid_argument,
                       "beta must be finite and non-zero");
  o.beta = std::nan("");
  EXPECT_THROW_MESSAGE(EqPropNetwork<double>(o, rng), std::invalid_argument, "beta");
  o = tiny(CostKind::squared_error, "relu");
  EXPECT_THROW_MESSAGE(EqPropNetwork<double>(o, rng), std::invalid_argument, "activation");
  o = tiny(CostKind::squared_error, "sigmoid");
  o.sizes = {5};
  EXPECT_THROW_MESSAGE(EqPropNetwork<double>(o, rng), std::invalid_argument, "at least 2 layers");
  o = tiny(CostKind::squared_error, "sigmoid");
  o.learning_rates = {0.1};
  EXPECT_THROW_MESSAGE(EqPropNetwork<double>(o, rng), std::invalid_argument,
                       "one rate per weight layer");
  o = tiny(CostKind::squared_error, "sigmoid");
  o.dt = 1.5;
  EXPECT_THROW_MESSAGE(FeedForwardNetwork<double>(o, rng), std::invalid_argument, "dt");
  EXPECT_THROW_MESSAGE(parse_cost_kind("hinge"), std::invalid_argument, "unknown cost 'hinge'");

  EqPropNetwork<double> net(tiny(CostKind::squared_error, "sigmoid"), rng);
  EXPECT_THROW_MESSAGE(net.free_phase(), std::invalid_argument, "call set_batch first");
  EXPECT_THROW_MESSAGE(net.set_batch(Mat<double>::Zero(2, 4), Mat<double>::Zero(2, 3)),
                       std::invalid_argument, "x (B x input size)");
  EXPECT_THROW_MESSAGE(net.set_batch(Mat<double>::Zero(2, 5), Mat<double>::Zero(3, 3)),
                       std::invalid_argument, "targets must have 2 rows");
  Mat<double> x = tiny_input();
  x(1, 3) = std::nan("");
  EXPECT_THROW_MESSAGE(net.set_batch(x, Mat<double>::Zero(2, 3)), std::invalid_argument,
                       "EqPropNetwork: x");
  EXPECT_THROW_MESSAGE(net.one_hot({0, 3}), std::invalid_argument,
                       "label 3 at index 1 is out of range [0, 3)");
  EXPECT_THROW_MESSAGE(net.train_batch(tiny_input(), {0}, rng), std::invalid_argument,
                       "expected 2 labels");
  EXPECT_THROW_MESSAGE(net.train_batch(tiny_input(), {0, -1}, rng), std::invalid_argument,
                       "out of range");
  net.set_batch(tiny_input(), Mat<double>::Zero(2, 3));
  EXPECT_THROW_MESSAGE(net.gradient_estimate(nullptr, 0.0), std::invalid_argument,
                       "beta must be finite and non-zero");
  std::vector<Mat<double>> p = net.params();
  p[2](0, 0) = std::nan("");
  EXPECT_THROW_MESSAGE(net.set_params(p), std::invalid_argument, "W2");
  p.pop_back();
  EXPECT_THROW_MESSAGE(net.set_params(p), std::invalid_argument, "expected 4 tensors");
}

}  // namespace
}  // namespace engram
