// LinearAssociativeMemory (SPEC M-14): W as the sum of outer products, completion of a partial cue
// derived from W c = Σ_μ v_μ (v_μ·c) (not seed 002's printed eq. 19), crosstalk, hetero-
// association, energy, model files, bad input.
#include <engram/models/linear_am.hpp>

#include <Eigen/QR>

#include "engram/core/rng.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

/// P orthonormal rows of length D (P ≤ D), from the QR of a random matrix.
Mat<double> orthonormal_rows(Index P, Index D, std::uint64_t seed) {
  const Eigen::MatrixXd A = Rng(seed).normal<double>(D, P);
  const Eigen::MatrixXd Q =
      Eigen::HouseholderQR<Eigen::MatrixXd>(A).householderQ() * Eigen::MatrixXd::Identity(D, P);
  return Q.transpose();
}

TEST(LinearAssociativeMemory, WeightsAreTheSumOfOuterProducts) {
  const Mat<double> V = Rng(1).normal<double>(4, 6);
  Mat<double> expected = Mat<double>::Zero(6, 6);
  for (Index mu = 0; mu < 4; ++mu) expected += V.row(mu).transpose() * V.row(mu);
  const auto am = LinearAssociativeMemory<double>::auto_associative(V);
  EXPECT_LT(test::max_relative_gap(am.W(), expected), 1e-14);
  EXPECT_EQ(am.W(), am.W().transpose());
  EXPECT_TRUE(am.is_auto_associative());
}

TEST(LinearAssociativeMemory, StoredOrthonormalPatternsAreEigenvectors) {
  const Mat<double> V = orthonormal_rows(5, 12, 2);
  const auto am = LinearAssociativeMemory<double>::auto_associative(V);
  EXPECT_LT(test::max_relative_gap(am.recall(V).states, V), 1e-14);  // W v_k = v_k (eq. 13, c = 1)
}

TEST(LinearAssociativeMemory, PartialCueRetrievesTheWholePatternScaledByTheOverlap) {
  // Patterns with disjoint supports (orthonormal, and no other pattern overlaps a partial cue):
  // W c = (v_k·c) v_k = ‖c‖² v_k exactly, the whole pattern, not the cue (seed eq. 19's misprint).
  const Index D = 12;
  Mat<double> V = Mat<double>::Zero(3, D);
  for (Index mu = 0; mu < 3; ++mu)
    V.block(mu, 4 * mu, 1, 4) = Rng(3 + mu).normal<double>(1, 4).normalized();
  const auto am = LinearAssociativeMemory<double>::auto_associative(V);
  Mat<double> cue = V.row(1);
  cue(0, 6) = cue(0, 7) = 0.0;  // keep v_k^{(1)} = units 4 and 5 of pattern 1
  const double d = cue.squaredNorm();
  const Retrieval<double> r = am.recall(cue);
  EXPECT_LT(test::max_relative_gap(r.states, Mat<double>(d * V.row(1))), 1e-14);
  EXPECT_GT(std::abs(r.states(0, 6)), 0.0);  // the zeroed units are filled in
  LinearRecallOptions o;
  o.normalization = LinearNormalization::unit_norm;
  const Mat<double> whole = am.recall(cue, o).states;
  EXPECT_LT(test::max_relative_gap(whole, Mat<double>(V.row(1))), 1e-14);
}

TEST(LinearAssociativeMemory, CrosstalkOfOtherPatterns) {
  // General patterns: W c = (v_k·c) v_k + Σ_{μ≠k} (v_μ·c) v_μ, the second sum being the crosstalk.
  for (const Mat<double>& V :
       {orthonormal_rows(4, 10, 4), Mat<double>(Rng(5).normal<double>(4, 10))}) {
    const auto am = LinearAssociativeMemory<double>::auto_associative(V);
    Eigen::RowVectorXd cue = V.row(2);
    cue.tail(4).setZero();
    Eigen::RowVectorXd signal = V.row(2).dot(cue) * V.row(2),
                       crosstalk = Eigen::RowVectorXd::Zero(10);
    for (Index mu = 0; mu < 4; ++mu)
      if (mu != 2) crosstalk += V.row(mu).dot(cue) * V.row(mu);
    EXPECT_GT(crosstalk.norm(), 1e-3);  // a partial cue overlaps the other patterns
    EXPECT_LT(test::max_relative_gap(am.recall(cue).states, Mat<double>(signal + crosstalk)),
              1e-13);
  }
}

TEST(LinearAssociativeMemory, HeteroAssociationMapsOrthonormalKeysToValues) {
  const Mat<double> X = orthonormal_rows(3, 8, 6);
  const Mat<double> Y = Rng(7).normal<double>(3, 5);
  const auto am = LinearAssociativeMemory<double>::hetero_associative(X, Y);
  EXPECT_EQ(am.key_size(), 8);
  EXPECT_EQ(am.value_size(), 5);
  const Retrieval<double> r = am.recall(X);
  EXPECT_LT(test::max_relative_gap(r.states, Y), 1e-13);
  EXPECT_TRUE(std::isnan(r.energy_trace(1, 0)));
  EXPECT_THROW_MESSAGE(am.energy(X), std::invalid_argument,
                       "only an auto-associative memory has an energy");
}

TEST(LinearAssociativeMemory, EnergyIsMinusHalfTheSquaredOverlaps) {
  const Mat<float> V = Rng(8).normal<float>(3, 7);
  const Mat<float> x = Rng(9).normal<float>(4, 7);
  const auto am = LinearAssociativeMemory<float>::auto_associative(V);
  const Mat<double> m = x.cast<double>() * V.cast<double>().transpose();
  const Energies expected = -0.5 * m.rowwise().squaredNorm();
  EXPECT_LT(test::max_relative_gap(am.energy(x), expected), 1e-5);
  const Retrieval<float> r = am.recall(x);
  EXPECT_LT(test::max_relative_gap(Energies(r.energy_trace.row(0).transpose()), expected), 1e-5);
  EXPECT_EQ(r.steps, std::vector<int>(4, 1));
}

TEST(LinearAssociativeMemory, ModelFileRoundTripAndErrors) {
  for (bool hetero : {false, true}) {
    const Mat<double> X = Rng(10).normal<double>(3, 6);
    const auto am = hetero ? LinearAssociativeMemory<double>::hetero_associative(
                                 X, Rng(11).normal<double>(3, 4))
                           : LinearAssociativeMemory<double>::auto_associative(X);
    const auto back = LinearAssociativeMemory<double>::from_file(am.to_file());
    EXPECT_EQ(back.W(), am.W());
    EXPECT_EQ(back.is_auto_associative(), !hetero);
  }
  const auto am = LinearAssociativeMemory<double>::auto_associative(Rng(12).normal<double>(2, 5));
  const std::string who = "LinearAssociativeMemory::from_file: ";
  ModelFile<double> f = am.to_file();
  f.config["associative"] = "both";
  EXPECT_THROW_MESSAGE(LinearAssociativeMemory<double>::from_file(f), std::invalid_argument,
                       who + "config 'associative' must be 'auto' or 'hetero', got 'both'");
  f = am.to_file();
  f.config["key_size"] = 4;
  EXPECT_THROW_MESSAGE(LinearAssociativeMemory<double>::from_file(f), std::invalid_argument,
                       who + "tensor 'W' must be 5x4, got 5x5");
  f = am.to_file();
  f.kind = "linear";
  EXPECT_THROW_MESSAGE(LinearAssociativeMemory<double>::from_file(f), std::invalid_argument,
                       who + "kind must be 'linear_am', got 'linear'");
  f = am.to_file();
  f.tensors["W"](0, 1) += 1.0;
  EXPECT_THROW_MESSAGE(LinearAssociativeMemory<double>::from_file(f), std::invalid_argument,
                       "LinearAssociativeMemory: W must be symmetric");
}

TEST(LinearAssociativeMemory, BadInputIsRejected) {
  using AM = LinearAssociativeMemory<double>;
  EXPECT_THROW_MESSAGE(AM::auto_associative(Mat<double>(0, 3)), std::invalid_argument,
                       "LinearAssociativeMemory::auto_associative: patterns must be P x D with P, "
                       "D > 0, got 0x3");
  Mat<double> V = Mat<double>::Ones(2, 3);
  V(1, 1) = NAN;
  EXPECT_THROW_MESSAGE(
      AM::auto_associative(V), std::invalid_argument,
      "LinearAssociativeMemory::auto_associative: patterns contains NaN at (1, 1)");
  EXPECT_THROW_MESSAGE(AM::hetero_associative(Mat<double>::Ones(2, 3), Mat<double>::Ones(3, 3)),
                       std::invalid_argument,
                       "LinearAssociativeMemory::hetero_associative: 2 keys but 3 values");
  EXPECT_THROW_MESSAGE(AM(Mat<double>::Ones(2, 3), true), std::invalid_argument,
                       "LinearAssociativeMemory: W must be square and non-empty, got 2x3");
  const AM am = AM::auto_associative(Mat<double>::Ones(2, 3));
  EXPECT_THROW_MESSAGE(am.recall(Mat<double>::Ones(1, 4)), std::invalid_argument,
                       "LinearAssociativeMemory::recall: cues must be B x 3 with B > 0, got 1x4");
  Mat<double> cue = Mat<double>::Ones(1, 3);
  cue(0, 0) = INFINITY;
  EXPECT_THROW_MESSAGE(am.recall(cue), std::invalid_argument,
                       "LinearAssociativeMemory::recall: cues contains Inf at (0, 0)");
}

}  // namespace
}  // namespace engram
