// Synapse energies against their formulas written out term by term (SPEC M-02), and the checks
// on their weights.
#include <engram/synapses.hpp>

#include "engram/core/rng.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

TEST(DenseSynapse, EnergyIsMinusABilinearForm) {
  Rng rng(1);
  const Mat<double> W = rng.normal<double>(4, 3), a = rng.normal<double>(2, 4),
                    b = rng.normal<double>(2, 3);
  const Energies e = DenseSynapse<double>(W).energy({a, b});
  for (Index s = 0; s < 2; ++s) {
    double expected = 0;
    for (Index i = 0; i < 4; ++i)
      for (Index j = 0; j < 3; ++j) expected -= a(s, i) * W(i, j) * b(s, j);
    EXPECT_NEAR(e(s), expected, 1e-13);
  }
}

TEST(RecurrentSynapse, EnergyIsMinusHalfQuadraticForm) {
  Rng rng(2);
  Mat<double> W = rng.normal<double>(4, 4);
  W = (W + W.transpose()).eval();
  W.diagonal().setZero();
  const Mat<double> x = rng.normal<double>(1, 4);
  EXPECT_NEAR(RecurrentSynapse<double>(W).energy({x})(0), -0.5 * (x * W * x.transpose())(0, 0),
              1e-13);
}

TEST(RecurrentSynapse, RejectsAsymmetricWeightsNamingTheEntry) {
  Mat<double> W = Mat<double>::Zero(3, 3);
  W(0, 2) = 1.0;
  W(2, 0) = 0.5;
  EXPECT_THROW_MESSAGE(RecurrentSynapse<double>{W}, std::invalid_argument,
                       "W must be symmetric, but |W(0, 2) - W(2, 0)| = 0.5");
}

TEST(RecurrentSynapse, RejectsNonZeroDiagonal) {
  Mat<double> W = Mat<double>::Zero(3, 3);
  W(1, 1) = 0.25;
  EXPECT_THROW_MESSAGE(RecurrentSynapse<double>{W}, std::invalid_argument,
                       "W must have a zero diagonal, but W(1, 1) = 0.25");
}

TEST(RecurrentSynapse, SmallWeightsAreNotExcusedFromSymmetry) {
  Mat<float> W = Mat<float>::Zero(2, 2);
  W(0, 1) = 1e-6f;  // 100% asymmetric, however small
  EXPECT_THROW_MESSAGE(RecurrentSynapse<float>{W}, std::invalid_argument, "W must be symmetric");
}

TEST(RecurrentSynapse, AcceptsRoundingAsymmetryAndSymmetrises) {
  // W = ΞᵀΞ/N from a GEMM may differ from its transpose in the last bits.
  Rng rng(3);
  const Mat<float> Xi = rng.normal<float>(20, 6);
  Mat<float> W = Xi.transpose() * Xi / 6.0f;
  W(1, 2) = std::nextafter(W(1, 2), 1e9f);
  W.diagonal().setZero();
  const RecurrentSynapse<float> s(W);
  EXPECT_EQ(s.W(), s.W().transpose());
  EXPECT_THROW_MESSAGE(RecurrentSynapse<double>{Mat<double>::Ones(2, 3)}, std::invalid_argument,
                       "W must be square");
}

TEST(BiasSynapse, EnergyIsMinusDotProduct) {
  Rng rng(4);
  const Mat<double> b = rng.normal<double>(1, 5), x = rng.normal<double>(3, 5);
  const Energies e = BiasSynapse<double>(b).energy({x});
  for (Index s = 0; s < 3; ++s) EXPECT_NEAR(e(s), -x.row(s).dot(b.row(0)), 1e-13);
  EXPECT_THROW_MESSAGE(BiasSynapse<double>{Mat<double>::Zero(2, 5)}, std::invalid_argument,
                       "b must be 1xD with D > 0, got 2x5");
}

TEST(L2Synapse, EnergyIsWeightedSquaredDistancesMinusHalfNorm) {
  Rng rng(5);
  const Mat<double> theta = rng.uniform<double>(5, 4), x = rng.normal<double>(2, 4),
                    z = rng.uniform<double>(2, 5);
  const Energies e = L2Synapse<double>(theta).energy({x, z});
  for (Index s = 0; s < 2; ++s) {
    double expected = -0.5 * x.row(s).squaredNorm();
    for (Index mu = 0; mu < 5; ++mu)
      expected += 0.5 * z(s, mu) * (theta.row(mu) - x.row(s)).squaredNorm();
    EXPECT_NEAR(e(s), expected, 1e-12);
  }
}

TEST(LabelSynapse, IsADenseSynapseScaledByLambda) {
  Rng rng(6);
  const Mat<double> theta = rng.uniform<double>(5, 3), z = rng.uniform<double>(2, 5),
                    y = rng.uniform<double>(2, 3);
  const LabelSynapse<double> label(theta, 2.5);
  const DenseSynapse<double> dense(2.5 * theta);
  EXPECT_LT(test::max_relative_gap(label.energy({z, y}), dense.energy({z, y})), 1e-14);
  EXPECT_THROW_MESSAGE(LabelSynapse<double>(theta, 0.0), std::invalid_argument,
                       "lambda must be positive and finite, got 0");
}

TEST(Synapse, RejectsNonFiniteWeightsAtConstruction) {
  Mat<double> W = Mat<double>::Ones(2, 3);
  W(1, 2) = INFINITY;
  EXPECT_THROW_MESSAGE(DenseSynapse<double>{W}, std::invalid_argument,
                       "DenseSynapse: W contains Inf at (1, 2)");
  Mat<float> theta = Mat<float>::Ones(2, 3);
  theta(0, 1) = std::nanf("");
  EXPECT_THROW_MESSAGE(L2Synapse<float>{theta}, std::invalid_argument,
                       "L2Synapse: theta contains NaN at (0, 1)");
}

TEST(Synapse, ReadsMapsAndRowBlocksWithoutCopies) {
  Rng rng(7);
  const Mat<double> W = rng.normal<double>(3, 2), a = rng.normal<double>(5, 3),
                    b = rng.normal<double>(5, 2);
  const DenseSynapse<double> s(W);
  std::vector<double> buffer(b.data(), b.data() + b.size());  // outside memory, e.g. NumPy's
  const Eigen::Map<const Mat<double>> b_map(buffer.data(), 5, 2);
  const Energies whole = s.energy({a, b});
  const Energies mapped = s.energy({a.middleRows(1, 3), b_map.middleRows(1, 3)});
  EXPECT_EQ(mapped, whole.segment(1, 3));
}

TEST(LabelSynapse, RejectsLambdaBeyondTheScalarType) {
  EXPECT_THROW_MESSAGE(LabelSynapse<float>(Mat<float>::Ones(2, 2), 1e39), std::invalid_argument,
                       "lambda = 1e+39 does not fit the scalar type");
}

TEST(Synapse, CloneIsDeep) {
  DenseSynapse<double> s(Mat<double>::Ones(2, 2));
  auto copy = s.clone();
  copy->set_param(0, Mat<double>::Zero(2, 2));
  EXPECT_EQ(s.W(), Mat<double>::Ones(2, 2));
}

}  // namespace
}  // namespace engram
