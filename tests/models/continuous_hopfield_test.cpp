// ContinuousHopfield (SPEC M-11): the energy in closed form, through the Legendre transform and
// as the energy graph; the facade's Euler steps against relax() on the graph; what never rises
// under each dynamics; pattern recall; model files; bad input.
#include <engram/dynamics/relax.hpp>
#include <engram/models/continuous_hopfield.hpp>

#include "engram/core/rng.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

constexpr ContinuousActivation kAll[] = {ContinuousActivation::tanh, ContinuousActivation::sigmoid,
                                         ContinuousActivation::softplus};

Mat<double> random_symmetric(Index N, std::uint64_t seed, double scale, bool zero_diagonal) {
  Mat<double> W = Rng(seed).normal<double>(N, N, 0.0, scale);
  W = (0.5 * (W + W.transpose())).eval();
  if (zero_diagonal) W.diagonal().setZero();
  return W;
}

/// A small random network; softplus outputs are unbounded, so its weights are kept small (and
/// inhibitory on average) to keep the dynamics bounded.
ContinuousHopfield<double> random_net(ContinuousActivation a, std::uint64_t seed,
                                      bool zero_diagonal = false, double gain = 1.5) {
  const Index N = 12;
  Mat<double> W =
      random_symmetric(N, seed, a == ContinuousActivation::softplus ? 0.15 : 0.6, zero_diagonal);
  if (a == ContinuousActivation::softplus) W.array() -= 0.05;
  if (zero_diagonal) W.diagonal().setZero();
  const Mat<double> b = Rng(seed + 1).normal<double>(1, N, 0.0, 0.3);
  return ContinuousHopfield<double>(W, b, a, gain, 0.7);
}

Mat<double> random_cues(ContinuousActivation a, Index B, Index N, std::uint64_t seed) {
  const double lo = a == ContinuousActivation::tanh ? -0.95 : 0.05;
  const double hi = a == ContinuousActivation::softplus ? 3.0 : 0.95;
  return Rng(seed).uniform<double>(B, N, lo, hi);
}

TEST(ContinuousHopfield, ClosedFormLegendreAndGraphEnergiesAgree) {
  for (ContinuousActivation a : kAll)
    for (bool zero_diagonal : {true, false}) {
      const auto net = random_net(a, 1, zero_diagonal);
      const Mat<double> u = Rng(2).normal<double>(4, net.size(), 0.0, 1.5);
      const Energies legendre = net.energy_of_internal(u);
      EXPECT_LT(test::max_relative_gap(net.energy(net.output(u)), legendre), 1e-10) << to_string(a);
      const EnergyGraph<double> g = net.graph();
      EXPECT_EQ(g.synapses().size(), zero_diagonal ? 2u : 3u);
      State<double> state = g.zeros(4);
      state["x"] = u;
      EXPECT_LT(test::max_relative_gap(g.energy(state), legendre), 1e-12) << to_string(a);
    }
}

TEST(ContinuousHopfield, TanhEnergyIsTheSpecFormula) {
  // M-11 with β = 1: E = −½VᵀWV − bᵀV + Σ ½[(1+V)ln(1+V) + (1−V)ln(1−V)].
  const auto net = random_net(ContinuousActivation::tanh, 3, false, 1.0);
  const Mat<double> V = random_cues(ContinuousActivation::tanh, 3, net.size(), 4);
  for (Index r = 0; r < 3; ++r) {
    const Eigen::RowVectorXd v = V.row(r);
    const double integral =
        (0.5 * ((1 + v.array()) * (1 + v.array()).log() + (1 - v.array()) * (1 - v.array()).log()))
            .sum();
    const double expected = -0.5 * v * net.W() * v.transpose() - v.dot(net.b().row(0)) + integral;
    EXPECT_NEAR(net.energy(V.row(r))(0), expected, 1e-12 * std::abs(expected));
  }
  // Saturated outputs have a finite energy: ½·2 ln 2 per unit at V = ±1.
  const ContinuousHopfield<double> empty(Mat<double>::Zero(2, 2), Mat<double>::Zero(1, 2));
  EXPECT_NEAR(empty.energy(Mat<double>::Ones(1, 2))(0), 2 * std::log(2.0), 1e-15);
}

TEST(ContinuousHopfield, InternalInvertsOutput) {
  for (ContinuousActivation a : kAll) {
    const auto net = random_net(a, 5);
    const Mat<double> u = Rng(6).normal<double>(3, net.size(), 0.0, 2.0);
    EXPECT_LT(test::max_relative_gap(net.internal(net.output(u)), u), 1e-10) << to_string(a);
  }
}

TEST(ContinuousHopfield, EulerStepsAreRelaxOnTheGraph) {
  for (ContinuousActivation a : kAll)
    for (int steps : {1, 3, 25}) {
      const auto net = random_net(a, 7, false);
      const Mat<double> cues = random_cues(a, 3, net.size(), 8);
      ContinuousRecallOptions o;
      o.dt = 0.05;
      o.max_steps = steps;
      o.tolerance = 0.0;
      const Retrieval<double> r = net.recall(cues, o);
      const EnergyGraph<double> g = net.graph();
      State<double> state = g.zeros(3);
      state["x"] = net.internal(cues);
      RelaxOptions ro;
      ro.dt = o.dt;
      ro.max_steps = steps;
      ro.tolerance = 0.0;
      ro.shrink_on_rise = false;
      const RelaxResult rr = relax(g, state, ro);
      ASSERT_EQ(r.energy_trace.rows(), rr.trace.rows());
      EXPECT_LT(test::max_relative_gap(r.energy_trace, rr.trace), 1e-12) << to_string(a);
      EXPECT_LT(test::max_relative_gap(r.states, net.output(state["x"])), 1e-12) << to_string(a);
      for (Index b = 0; b < 3; ++b) EXPECT_EQ(r.steps[b], steps);
    }
}

TEST(ContinuousHopfield, StopsWhereRelaxDoes) {
  for (ContinuousActivation a : kAll) {
    const auto net = random_net(a, 9, true);
    const Mat<double> cues = random_cues(a, 4, net.size(), 10);
    ContinuousRecallOptions o;
    o.dt = 0.05;
    o.max_steps = 5000;
    o.tolerance = 1e-7;
    const Retrieval<double> r = net.recall(cues, o);
    const EnergyGraph<double> g = net.graph();
    State<double> state = g.zeros(4);
    state["x"] = net.internal(cues);
    RelaxOptions ro;
    ro.dt = o.dt;
    ro.max_steps = o.max_steps;
    ro.tolerance = o.tolerance;
    const RelaxResult rr = relax(g, state, ro);
    EXPECT_EQ(rr.rejected_steps, 0) << to_string(a);
    EXPECT_EQ(r.energy_trace.rows(), rr.steps + 1) << to_string(a);
    for (Index b = 0; b < 4; ++b) {
      EXPECT_TRUE(r.converged[b]) << to_string(a);
      EXPECT_EQ(rr.status[b], SampleStatus::converged);
    }
    EXPECT_LT(test::max_relative_gap(r.states, net.output(state["x"])), 1e-10) << to_string(a);
  }
}

void expect_non_increasing(const Eigen::MatrixXd& E, const std::string& what) {
  for (Index t = 1; t < E.rows(); ++t)
    for (Index b = 0; b < E.cols(); ++b)
      EXPECT_LE(E(t, b), E(t - 1, b) + 1e-12 * (1 + std::abs(E(t - 1, b))))
          << what << " step " << t << " sample " << b;
}

TEST(ContinuousHopfield, EnergyNeverRisesUnderSmallEulerStepsAndAsynchronousUpdates) {
  for (ContinuousActivation a : kAll)
    for (std::uint64_t seed : {11, 12}) {
      const auto net = random_net(a, seed, true, 3.0);
      const Mat<double> cues = random_cues(a, 5, net.size(), seed + 50);
      ContinuousRecallOptions o;
      o.dt = 0.02;  // dE/dt ≤ 0 in continuous time; small Euler steps keep it
      o.max_steps = 400;
      expect_non_increasing(net.recall(cues, o).energy_trace, "continuous " + to_string(a));
      o.mode = ContinuousMode::discrete_asynchronous;  // exact coordinate descent (W_ii = 0)
      o.seed = seed;
      const Retrieval<double> r = net.recall(cues, o);
      expect_non_increasing(r.energy_trace, "asynchronous " + to_string(a));
      for (Index b = 0; b < 5; ++b) EXPECT_TRUE(r.converged[b]) << to_string(a);
    }
}

TEST(ContinuousHopfield, SynchronousMapDescendsTheTwoStepFunction) {
  // F(V_t, V_{t+1}) = −V_tᵀW V_{t+1} − bᵀ(V_t + V_{t+1}) + G(V_t) + G(V_{t+1}) never rises
  // (any symmetric W), while E itself may. G(V) = E(V) + ½VᵀWV + bᵀV.
  for (ContinuousActivation a : kAll) {
    const auto net = random_net(a, 13, false, 4.0);
    const Mat<double> cue = random_cues(a, 1, net.size(), 14);
    ContinuousRecallOptions o;
    o.mode = ContinuousMode::discrete_synchronous;
    o.tolerance = 0.0;
    std::vector<Eigen::RowVectorXd> V;
    for (int t = 0; t <= 30; ++t) {
      o.max_steps = t;
      V.push_back(net.recall(cue, o).states.row(0));
    }
    auto G = [&](const Eigen::RowVectorXd& v) {
      return net.energy(v)(0) + 0.5 * v.dot(v * net.W()) + v.dot(net.b().row(0));
    };
    auto F = [&](const Eigen::RowVectorXd& x, const Eigen::RowVectorXd& y) {
      return -x.dot(y * net.W()) - net.b().row(0).dot(x + y) + G(x) + G(y);
    };
    for (int t = 1; t + 1 < static_cast<int>(V.size()); ++t)
      EXPECT_LE(F(V[t], V[t + 1]), F(V[t - 1], V[t]) + 1e-12 * (1 + std::abs(F(V[t - 1], V[t]))))
          << to_string(a) << " t " << t;
  }
}

TEST(ContinuousHopfield, SynchronousMapCanTwoCycle) {
  // Two mutually inhibiting tanh units at high gain, started equal: the synchronous map flips
  // both together forever; E does not fall, and the sample does not converge.
  Mat<double> W(2, 2);
  W << 0, -2, -2, 0;
  const ContinuousHopfield<double> net(W, Mat<double>::Zero(1, 2), ContinuousActivation::tanh, 5.0);
  ContinuousRecallOptions o;
  o.mode = ContinuousMode::discrete_synchronous;
  o.max_steps = 50;
  const Retrieval<double> r = net.recall(Mat<double>::Constant(1, 2, 0.9), o);
  EXPECT_FALSE(r.converged[0]);
  EXPECT_EQ(r.steps[0], 50);
  const Eigen::MatrixXd& E = r.energy_trace;
  EXPECT_GT(E(1, 0), E(0, 0));  // the first update raises E
  EXPECT_NEAR(E(50, 0), E(48, 0), 1e-12);
  EXPECT_NEAR(r.states(0, 0), r.states(0, 1), 1e-15);
  o.mode = ContinuousMode::discrete_asynchronous;  // breaks the symmetry and settles
  EXPECT_TRUE(net.recall(Mat<double>::Constant(1, 2, 0.9), o).converged[0]);
}

TEST(ContinuousHopfield, RecallsStoredPatternsFromNoisyCues) {
  const Index N = 100, P = 5;
  const Mat<double> Xi =
      Rng(15).uniform<double>(P, N).unaryExpr([](double v) { return v < 0.5 ? 1.0 : -1.0; });
  Mat<double> cues = Xi;
  for (Index b = 0; b < P; ++b)
    for (Index i = 0; i < N; i += 10) cues(b, i + b) = -cues(b, i + b);  // 10% flips
  for (ContinuousMode mode : {ContinuousMode::continuous, ContinuousMode::discrete_synchronous,
                              ContinuousMode::discrete_asynchronous}) {
    const auto net = ContinuousHopfield<float>::from_patterns(
        Xi.cast<float>(), LearningRule::hebbian, ContinuousActivation::tanh, 4.0);
    ContinuousRecallOptions o;
    o.mode = mode;
    const Retrieval<float> r = net.recall(cues.cast<float>(), o);
    for (Index b = 0; b < P; ++b) {
      EXPECT_TRUE(r.converged[b]);
      EXPECT_EQ(r.states.row(b).array().sign().matrix(), Xi.row(b).cast<float>());
    }
  }
}

TEST(ContinuousHopfield, ModelFileRoundTripAndErrors) {
  const auto net = random_net(ContinuousActivation::softplus, 16);
  const ModelFile<double> file = net.to_file();
  EXPECT_EQ(file.kind, "continuous_hopfield");
  const auto back = ContinuousHopfield<double>::from_file(file);
  EXPECT_EQ(back.W(), net.W());
  EXPECT_EQ(back.b(), net.b());
  EXPECT_EQ(back.activation(), ContinuousActivation::softplus);
  EXPECT_EQ(back.gain(), net.gain());
  EXPECT_EQ(back.tau(), net.tau());
  auto expect_error = [&](const std::function<void(ModelFile<double>&)>& edit,
                          const std::string& message) {
    ModelFile<double> f = file;
    edit(f);
    EXPECT_THROW_MESSAGE(ContinuousHopfield<double>::from_file(f), std::invalid_argument, message);
  };
  const std::string who = "ContinuousHopfield::from_file: ";
  expect_error([](auto& f) { f.kind = "classical_hopfield"; },
               who + "kind must be 'continuous_hopfield', got 'classical_hopfield'");
  expect_error([](auto& f) { f.tensors.erase("b"); }, who + "missing tensor 'b'");
  expect_error([](auto& f) { f.tensors["b"] = Mat<double>::Zero(12, 1); },
               who + "tensor 'b' must be 1x12, got 12x1");
  expect_error([](auto& f) { f.config["activation"] = "relu"; },
               who +
                   "config 'activation': activation must be one of tanh, sigmoid, softplus, got "
                   "'relu'");
  expect_error([](auto& f) { f.config["gain"] = "high"; },
               who + "config needs a number 'gain', got \"high\"");
  expect_error([](auto& f) { f.config["tau"] = -1.0; },
               "ContinuousHopfield: tau must be positive and finite, got -1");
  expect_error([](auto& f) { f.tensors["W"](0, 1) = 5.0; },
               "ContinuousHopfield: W must be symmetric");
}

TEST(ContinuousHopfield, BadInputIsRejected) {
  const Mat<double> b = Mat<double>::Zero(1, 3);
  EXPECT_THROW_MESSAGE(ContinuousHopfield<double>(Mat<double>::Zero(3, 2), b),
                       std::invalid_argument,
                       "ContinuousHopfield: W must be square and non-empty, got 3x2");
  Mat<double> W = Mat<double>::Zero(3, 3);
  W(0, 2) = 1.0;
  EXPECT_THROW_MESSAGE(ContinuousHopfield<double>(W, b), std::invalid_argument,
                       "ContinuousHopfield: W must be symmetric, but |W(0, 2) - W(2, 0)| = 1");
  EXPECT_THROW_MESSAGE(ContinuousHopfield<double>(Mat<double>::Zero(3, 3), Mat<double>::Zero(1, 2)),
                       std::invalid_argument, "ContinuousHopfield: b: expected shape 1x3, got 1x2");
  Mat<double> bad_b = b;
  bad_b(0, 1) = NAN;
  EXPECT_THROW_MESSAGE(ContinuousHopfield<double>(Mat<double>::Zero(3, 3), bad_b),
                       std::invalid_argument, "ContinuousHopfield: b contains NaN at (0, 1)");
  EXPECT_THROW_MESSAGE(
      ContinuousHopfield<double>(Mat<double>::Zero(3, 3), b, ContinuousActivation::tanh, 0.0),
      std::invalid_argument, "ContinuousHopfield: gain must be positive and finite, got 0");
  const ContinuousHopfield<double> net(Mat<double>::Zero(3, 3), b, ContinuousActivation::sigmoid);
  EXPECT_THROW_MESSAGE(net.energy(Mat<double>::Constant(1, 3, 1.5)), std::invalid_argument,
                       "ContinuousHopfield::energy: V must lie in [0, 1] for sigmoid, got 1.5 at "
                       "(0, 0)");
  EXPECT_THROW_MESSAGE(net.internal(Mat<double>::Ones(1, 3)), std::invalid_argument,
                       "V must lie strictly inside [0, 1] for sigmoid, got 1 at (0, 0)");
  EXPECT_THROW_MESSAGE(net.recall(Mat<double>::Ones(2, 4)), std::invalid_argument,
                       "ContinuousHopfield::recall: cues must be B x 3 with B > 0, got 2x4");
  Mat<double> cues = Mat<double>::Ones(1, 3);
  cues(0, 2) = INFINITY;
  EXPECT_THROW_MESSAGE(net.recall(cues), std::invalid_argument,
                       "ContinuousHopfield::recall: cues contains Inf at (0, 2)");
  ContinuousRecallOptions o;
  o.dt = -0.1;
  EXPECT_THROW_MESSAGE(net.recall(Mat<double>::Ones(1, 3), o), std::invalid_argument,
                       "ContinuousHopfield::recall: dt must be positive and finite, got -0.1");
  EXPECT_THROW_MESSAGE(parse_continuous_activation("relu"), std::invalid_argument,
                       "activation must be one of tanh, sigmoid, softplus, got 'relu'");
}

}  // namespace
}  // namespace engram
