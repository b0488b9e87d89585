// Dense Associative Memory (SPEC M-13): energy in closed form and against its energy graph, the
// update rule against brute-force energy comparison, asynchronous descent, overflow-free
// exponential updates at D = 784, capacity beyond the classical limit, continuous states, model
// files and bad input.
#include <engram/models/dense_am.hpp>

#include <cmath>

#include "engram/core/rng.hpp"
#include "support/check.hpp"
#include "support/memory_patterns.hpp"

namespace engram {
namespace {

using test::binary_patterns;
using test::flipped;

std::vector<Interaction> all_interactions() {
  return {Interaction::polynomial(2), Interaction::polynomial(3),
          Interaction::rectified_polynomial(3), Interaction::exponential(0.2),
          Interaction::log_sum_exp(0.5)};
}

/// Bits of `states` equal to `patterns`, as a fraction.
double bit_accuracy(const Mat<double>& states, const Mat<double>& patterns) {
  return (states.array() == patterns.array()).cast<double>().mean();
}

TEST(DenseAssociativeMemory, EnergyInClosedForm) {
  Mat<double> xi(2, 3), s(2, 3);
  xi << 1, 1, -1, 1, -1, 1;
  s << 1, 1, 1, 1, 1, -1;  // overlaps [1, 1] and [3, −1]
  using DAM = DenseAssociativeMemory<double>;
  const Energies poly = DAM(xi, Interaction::polynomial(3)).energy(s);
  EXPECT_EQ(poly(0), -2.0);
  EXPECT_EQ(poly(1), -26.0);
  const Energies rect = DAM(xi, Interaction::rectified_polynomial(2)).energy(s);
  EXPECT_EQ(rect(1), -9.0);
  const Energies ex = DAM(xi, Interaction::exponential(0.5)).energy(s);
  EXPECT_NEAR(ex(1), -(std::exp(1.5) + std::exp(-0.5)), 1e-14);
  const Energies lse = DAM(xi, Interaction::log_sum_exp(2.0)).energy(s);
  EXPECT_NEAR(lse(0), -(1.0 + std::log(2.0) / 2.0), 1e-15);
  EXPECT_NEAR(lse(1), -std::log(std::exp(6.0) + std::exp(-2.0)) / 2.0, 1e-14);
}

TEST(DenseAssociativeMemory, BinaryEnergyEqualsTheGraphSynapseEnergy) {
  Rng rng(1);
  const Mat<double> xi = rng.normal<double>(12, 20), s = binary_patterns(5, 20, rng);
  for (const Interaction& f : all_interactions()) {
    const DenseAssociativeMemory<double> dam(xi, f);
    const EnergyGraph<double> g = dam.graph();
    EXPECT_LT(test::max_relative_gap(g.synapse("memory").energy({s}), dam.energy(s)), 1e-12)
        << f.to_string();
    EXPECT_EQ(g.layer("v").lagrangian->kind(), "tanh");
  }
}

TEST(DenseAssociativeMemory, EachUnitTakesTheSignOfLowerEnergy) {
  // The synchronous update decides every unit from the same state: compare it with the two
  // energies E(σ with σ_i = ±1) computed by energy() (a tie keeps σ_i). ±1 patterns make exact
  // ties for the polynomials.
  for (std::uint64_t seed : {2, 3}) {
    Rng rng(seed);
    const Mat<double> xi = seed == 2 ? binary_patterns(7, 12, rng) : rng.normal<double>(7, 12);
    const Mat<double> s = binary_patterns(6, 12, rng);
    for (const Interaction& f : all_interactions()) {
      const DenseAssociativeMemory<double> dam(xi, f);
      const Mat<double> next = dam.update(s);
      for (Index b = 0; b < s.rows(); ++b)
        for (Index i = 0; i < s.cols(); ++i) {
          Mat<double> plus = s.row(b), minus = s.row(b);
          plus(0, i) = 1;
          minus(0, i) = -1;
          const double ep = dam.energy(plus)(0), em = dam.energy(minus)(0);
          const double want = ep < em ? 1.0 : (em < ep ? -1.0 : s(b, i));
          EXPECT_EQ(next(b, i), want) << f.to_string() << " seed " << seed << " (" << b << ", " << i
                                      << ") E+ " << ep << " E- " << em;
        }
    }
  }
}

TEST(DenseAssociativeMemory, AsynchronousRecallNeverRaisesTheEnergy) {
  for (std::uint64_t seed : {4, 5})
    for (const Interaction& f : all_interactions()) {
      Rng rng(seed);
      const Mat<double> xi = seed == 4 ? binary_patterns(30, 40, rng) : rng.normal<double>(30, 40);
      const DenseAssociativeMemory<double> dam(xi, f);
      const Mat<double> cues = binary_patterns(5, 40, rng);
      DenseRecallOptions o;
      o.seed = seed;
      const Retrieval<double> r = dam.recall(cues, o);
      for (Index b = 0; b < 5; ++b) {
        EXPECT_TRUE(r.converged[b]) << f.to_string();
        for (Index t = 1; t < r.energy_trace.rows(); ++t)
          EXPECT_LE(r.energy_trace(t, b),
                    r.energy_trace(t - 1, b) + 1e-12 * std::abs(r.energy_trace(t - 1, b)))
              << f.to_string() << " seed " << seed << " sample " << b << " sweep " << t;
      }
      // Where asynchronous recall stops, no unit prefers to flip: a synchronous fixed point.
      EXPECT_EQ(dam.update(r.states), r.states) << f.to_string();
      EXPECT_LT(test::max_relative_gap(Energies(r.energy_trace.bottomRows(1).transpose()),
                                       dam.energy(r.states)),
                1e-12);
    }
}

TEST(DenseAssociativeMemory, ExponentialUpdatesDoNotOverflowAtD784) {
  // β·ξ·σ reaches 784: e^{784} overflows double, the shifted differences do not.
  constexpr Index K = 10, D = 784;
  Rng rng(6);
  const Mat<double> xi = binary_patterns(K, D, rng);
  const Mat<double> cues = flipped(xi, D / 10, rng);
  const DenseAssociativeMemory<double> dam(xi, Interaction::exponential(1.0));
  DenseRecallOptions o;
  o.record_trace = false;
  const Retrieval<double> r = dam.recall(cues, o);
  EXPECT_EQ(r.states, xi);
  EXPECT_EQ(r.energy_trace.size(), 0);
  EXPECT_THROW_MESSAGE(dam.energy(xi.topRows(1)), std::invalid_argument,
                       "the energy of state 0 overflows (exponential(beta=1) with beta * max "
                       "overlap = 784)");
  EXPECT_THROW_MESSAGE(dam.recall(cues), std::invalid_argument,
                       "recall with record_trace = false, or use log_sum_exp");
  // log_sum_exp decides the same way and its energy stays finite.
  const DenseAssociativeMemory<float> lse(xi.cast<float>(), Interaction::log_sum_exp(1.0));
  const Retrieval<float> rl = lse.recall(cues.cast<float>());
  EXPECT_EQ(rl.states, xi.cast<float>());
  EXPECT_TRUE(rl.energy_trace.allFinite());
}

TEST(DenseAssociativeMemory, CubicInteractionStoresFarBeyondTheClassicalLimit) {
  // K = 60 patterns of D = 100: load 0.6, four times the classical 0.138. With F = x³ the
  // crosstalk grows like K·D² against a signal of order D³; with F = x² (the classical Hebbian
  // rule) it swamps the signal.
  constexpr Index K = 60, D = 100;
  Rng rng(7);
  const Mat<double> xi = binary_patterns(K, D, rng);
  const Mat<double> cues = flipped(xi, D / 10, rng);
  const double cubic = bit_accuracy(
      DenseAssociativeMemory<double>(xi, Interaction::polynomial(3)).recall(cues).states, xi);
  const double quadratic = bit_accuracy(
      DenseAssociativeMemory<double>(xi, Interaction::polynomial(2)).recall(cues).states, xi);
  EXPECT_GT(cubic, 0.99);
  EXPECT_LT(quadratic, 0.9);
}

TEST(DenseAssociativeMemory, SynchronousUpdatesCanCycleAsynchronousOnesCannot) {
  // Two units joined by ξ = [1, 1] with F = x²: from [1, −1] each unit copies the other, so the
  // synchronous update alternates [1, −1] ↔ [−1, 1]; an asynchronous sweep settles.
  Mat<double> xi(1, 2), cue(1, 2);
  xi << 1, 1;
  cue << 1, -1;
  const DenseAssociativeMemory<double> dam(xi, Interaction::polynomial(2));
  DenseRecallOptions o;
  o.synchronous = true;
  o.max_sweeps = 7;
  const Retrieval<double> sync = dam.recall(cue, o);
  EXPECT_FALSE(sync.converged[0]);
  EXPECT_EQ(sync.steps[0], 7);
  EXPECT_EQ(sync.states, -cue);  // odd number of sweeps
  const Retrieval<double> async = dam.recall(cue);
  EXPECT_TRUE(async.converged[0]);
  EXPECT_EQ(std::abs(async.states.sum()), 2.0);  // [1, 1] or [−1, −1]
  EXPECT_EQ(async.steps[0], 1);
}

TEST(DenseAssociativeMemory, StoredPatternsAreFixedPointsAndRowsAreIndependent) {
  constexpr Index K = 20, D = 64;
  Rng rng(8);
  const Mat<double> xi = binary_patterns(K, D, rng);
  const DenseAssociativeMemory<double> dam(xi, Interaction::polynomial(4));
  const Retrieval<double> fixed = dam.recall(xi);
  EXPECT_EQ(fixed.states, xi);
  for (Index b = 0; b < K; ++b) {
    EXPECT_TRUE(fixed.converged[b]);
    EXPECT_EQ(fixed.steps[b], 0);
  }
  EXPECT_EQ(fixed.energy_trace.rows(), 1);

  // Row b draws its orders from seed + b·0x9E3779B97F4A7C15, so it recalls alone as in a batch.
  const Mat<double> cues = flipped(xi.topRows(4), 20, rng);
  DenseRecallOptions o;
  o.seed = 42;
  const Retrieval<double> batch = dam.recall(cues, o);
  for (Index b = 0; b < 4; ++b) {
    DenseRecallOptions alone = o;
    alone.seed = 42 + 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(b);
    const Retrieval<double> one = dam.recall(cues.row(b), alone);
    EXPECT_EQ(one.states, batch.states.row(b));
    EXPECT_EQ(one.steps[0], batch.steps[b]);
  }
  // Float recall makes the same decisions (overlaps are kept in double).
  const DenseAssociativeMemory<float> damf(xi.cast<float>(), Interaction::polynomial(4));
  EXPECT_EQ(damf.recall(cues.cast<float>(), o).states, batch.states.cast<float>());
}

TEST(DenseAssociativeMemory, ContinuousStatesDescendTheGraphEnergy) {
  constexpr Index K = 5, D = 32;
  Rng rng(9);
  const Mat<double> xi = binary_patterns(K, D, rng);
  const Mat<double> cues = flipped(xi, 6, rng);
  for (const Interaction& f : {Interaction::log_sum_exp(0.5), Interaction::polynomial(3)}) {
    const DenseAssociativeMemory<double> dam(xi, f, 0.5);
    RelaxOptions o;
    o.dt = 0.05;
    o.max_steps = 3000;
    const Retrieval<double> r = dam.relax_continuous(cues, o);
    for (Index b = 0; b < K; ++b) {
      EXPECT_TRUE(r.converged[b]) << f.to_string();
      EXPECT_GT(r.steps[b], 0);
      for (Index t = 1; t < r.energy_trace.rows(); ++t)
        EXPECT_LE(r.energy_trace(t, b),
                  r.energy_trace(t - 1, b) + 1e-12 * (1 + std::abs(r.energy_trace(t - 1, b))));
    }
    EXPECT_LE(r.states.cwiseAbs().maxCoeff(), 1.0);  // activations tanh(g v)
    EXPECT_EQ(test::signs(r.states), xi) << f.to_string();
  }
}

TEST(DenseAssociativeMemory, ModelFileRoundTrip) {
  Rng rng(10);
  const Mat<double> xi = rng.normal<double>(6, 9);
  const DenseAssociativeMemory<double> dam(xi, Interaction::rectified_polynomial(2.5), 0.5);
  const ModelFile<double> f = dam.to_file();
  EXPECT_EQ(f.kind, "dense_am");
  EXPECT_EQ(f.config["F"], "rectified_polynomial");
  const auto back = DenseAssociativeMemory<double>::from_file(f);
  EXPECT_EQ(back.interaction(), dam.interaction());
  EXPECT_EQ(back.gain(), 0.5);
  EXPECT_EQ(back.patterns(), xi);

  using DAM = DenseAssociativeMemory<double>;
  ModelFile<double> bad = f;
  bad.kind = "modern_hopfield";
  EXPECT_THROW_MESSAGE(DAM::from_file(bad), std::invalid_argument,
                       "expected kind \"dense_am\", got \"modern_hopfield\"");
  bad = f;
  bad.config["F"] = "quartic";
  EXPECT_THROW_MESSAGE(DAM::from_file(bad), std::invalid_argument, "unknown kind \"quartic\"");
  bad = f;
  bad.config.erase("gain");
  EXPECT_THROW_MESSAGE(DAM::from_file(bad), std::invalid_argument,
                       "config needs a number \"gain\"");
  bad = f;
  bad.config["F"] = "polynomial";  // n = 2.5 is not an integer degree
  EXPECT_THROW_MESSAGE(DAM::from_file(bad), std::invalid_argument,
                       "n must be an integer >= 2, got 2.5");
  bad = f;
  bad.tensors.erase("xi");
  EXPECT_THROW_MESSAGE(DAM::from_file(bad), std::invalid_argument, "missing tensor \"xi\"");
}

TEST(DenseAssociativeMemory, RejectsBadInput) {
  using DAM = DenseAssociativeMemory<double>;
  Rng rng(11);
  const Mat<double> xi = binary_patterns(4, 6, rng);
  EXPECT_THROW_MESSAGE(DAM(Mat<double>(0, 6), Interaction::polynomial(3)), std::invalid_argument,
                       "xi must be non-empty (K x D), got 0x6");
  Mat<double> nan_xi = xi;
  nan_xi(0, 1) = NAN;
  EXPECT_THROW_MESSAGE(DAM(nan_xi, Interaction::polynomial(3)), std::invalid_argument,
                       "DenseAssociativeMemory: xi contains NaN at (0, 1)");
  Interaction bad{Interaction::Kind::polynomial, 1.0, 1.0};
  EXPECT_THROW_MESSAGE(DAM(xi, bad), std::invalid_argument, "n must be an integer >= 2, got 1");
  bad = {Interaction::Kind::log_sum_exp, 2.0, -0.5};
  EXPECT_THROW_MESSAGE(DAM(xi, bad), std::invalid_argument,
                       "beta must be positive and finite, got -0.5");
  EXPECT_THROW_MESSAGE(DAM(xi, Interaction::polynomial(3), 0.0), std::invalid_argument,
                       "gain must be positive and finite, got 0");

  const DAM dam(xi, Interaction::polynomial(3));
  Mat<double> cue = xi.topRows(2);
  cue(1, 4) = 0.5;
  EXPECT_THROW_MESSAGE(
      dam.recall(cue), std::invalid_argument,
      "DenseAssociativeMemory::recall: states must be +1, -1 or 0 (unknown), got 0.5 at (1, 4)");
  EXPECT_THROW_MESSAGE(dam.update(Mat<double>::Ones(1, 5)), std::invalid_argument,
                       "DenseAssociativeMemory::update: states must have D = 6 columns, got 5");
  EXPECT_THROW_MESSAGE(dam.energy(Mat<double>::Ones(1, 7)), std::invalid_argument,
                       "states must have D = 6 columns, got 7");
  cue(1, 4) = NAN;
  EXPECT_THROW_MESSAGE(dam.energy(cue), std::invalid_argument,
                       "DenseAssociativeMemory::energy: states contains NaN at (1, 4)");
  EXPECT_THROW_MESSAGE(dam.relax_continuous(cue), std::invalid_argument,
                       "DenseAssociativeMemory::relax_continuous: cues contains NaN at (1, 4)");
  DenseRecallOptions o;
  o.max_sweeps = -2;
  EXPECT_THROW_MESSAGE(dam.recall(xi, o), std::invalid_argument, "max_sweeps must be >= 0, got -2");
}

TEST(DenseAssociativeMemory, PolynomialOverflowIsAnErrorNotAFrozenUnit) {
  // F(m) = m^200 at overlaps near D = 50 is about 1e340: beyond double, so F(h+1) − F(h−1) would
  // be inf − inf. Recall must say so rather than keep every unit and report convergence.
  Rng rng(3);
  const Mat<double> xi = test::binary_patterns(3, 50, rng);
  const DenseAssociativeMemory<double> dam(xi, Interaction::polynomial(200));
  DenseRecallOptions o;
  o.record_trace = false;
  EXPECT_THROW_MESSAGE(dam.recall(xi, o), std::invalid_argument, "overflows double");
}

}  // namespace
}  // namespace engram
