// Lagrangians against their closed forms (SPEC M-01) and their parameter checks.
#include <engram/neurons.hpp>

#include "engram/core/rng.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

TEST(Sigmoid, ActivationIsLogisticOfBetaX) {
  const Mat<double> x = Rng(1).normal<double>(2, 6, 0.0, 3.0);
  const double beta = 0.7;
  const Mat<double> expected = (1.0 / (1.0 + (-beta * x.array()).exp())).matrix();
  EXPECT_LT(test::max_relative_gap(Sigmoid<double>(beta).activation(x), expected), 1e-14);
}

TEST(Sigmoid, EnergyIsNegativeBinaryEntropyOverBeta) {
  const Mat<double> x = Rng(2).normal<double>(2, 6, 0.0, 2.0);
  const double beta = 1.3;
  const Mat<double> s = Sigmoid<double>(beta).activation(x);
  const Energies expected =
      ((s.array() * s.array().log() + (1 - s.array()) * (1 - s.array()).log()) / beta)
          .matrix()
          .rowwise()
          .sum();
  EXPECT_LT(test::max_relative_gap(Sigmoid<double>(beta).energy(x), expected), 1e-12);
}

TEST(Sigmoid, Seed001ConstantIsAddedBackExactly) {
  // At x = 0 the energy is its minimum −D log 2 / β: 2D² log 2 for β = 1/(2D) (SPEC M-04).
  const Index D = 784;
  const Energies e = Sigmoid<float>(1.0 / (2.0 * D)).energy(Mat<float>::Zero(1, D));
  EXPECT_DOUBLE_EQ(e(0), -2.0 * D * D * std::log(2.0));
}

TEST(Tanh, EnergyIsTheIntegralOfArctanh) {
  // SPEC M-11: ∫₀^s atanh = ½[(1+s) ln(1+s) + (1−s) ln(1−s)].
  const Mat<double> x = Rng(3).normal<double>(2, 5, 0.0, 1.0);
  const Mat<double> s = Tanh<double>().activation(x);
  const Energies expected =
      (0.5 * ((1 + s.array()) * (1 + s.array()).log() + (1 - s.array()) * (1 - s.array()).log()))
          .matrix()
          .rowwise()
          .sum();
  EXPECT_LT(test::max_relative_gap(Tanh<double>().energy(x), expected), 1e-12);
}

TEST(Softmax, ActivationSumsToOneAndMatchesDefinition) {
  const Mat<double> x = Rng(4).normal<double>(3, 7, 0.0, 2.0);
  const double beta = 2.0;
  const Mat<double> s = Softmax<double>(beta).activation(x);
  for (Index b = 0; b < x.rows(); ++b) {
    EXPECT_NEAR(s.row(b).sum(), 1.0, 1e-14);
    const Eigen::RowVectorXd e = (beta * x.row(b).array()).exp();
    EXPECT_LT(test::max_relative_gap(s.row(b), e / e.sum()), 1e-14);
  }
}

TEST(Softmax, EnergyIsBoundedByLogOfSize) {
  // −log(D)/β ≤ E ≤ 0, the minimum at equal inputs.
  const double beta = 3.0;
  const Energies flat = Softmax<double>(beta).energy(Mat<double>::Constant(1, 10, 0.3));
  EXPECT_NEAR(flat(0), -std::log(10.0) / beta, 1e-14);
  const Energies e = Softmax<double>(beta).energy(Rng(5).normal<double>(4, 10, 0.0, 5.0));
  EXPECT_LE(e.maxCoeff(), 0.0);
  EXPECT_GE(e.minCoeff(), -std::log(10.0) / beta - 1e-14);
}

TEST(Softmax, StaysFiniteWhenOneInputDominates) {
  Mat<float> x(1, 3);
  x << 1e4f, -1e4f, 0.0f;
  const Mat<float> s = Softmax<float>(1e3).activation(x);
  EXPECT_EQ(s(0, 0), 1.0f);
  EXPECT_EQ(s(0, 1), 0.0f);
  EXPECT_NEAR(Softmax<float>(1e3).value(x)(0), 1e4, 1e-6);
}

TEST(Softmax, FloatKeepsItsDigitsAtLargeBetaTimesX) {
  // βx ≈ 1e7: forming βx before subtracting the maximum would leave no digits after the point.
  Mat<float> x(1, 3);
  x << 1e4f, std::nextafter(1e4f, 2e4f), std::nextafter(std::nextafter(1e4f, 2e4f), 2e4f);
  const Mat<double> expected = Softmax<double>(1e3).activation(x.cast<double>());
  EXPECT_LT(test::max_relative_gap(Softmax<float>(1e3).activation(x).cast<double>(), expected),
            1e-6);
  const Mat<float> v = Mat<float>::Ones(1, 3);
  EXPECT_LT(test::max_relative_gap(Softmax<float>(1e3).hvp(x, v).cast<double>(),
                                   Softmax<double>(1e3).hvp(x.cast<double>(), v.cast<double>())),
            1e-4);
}

TEST(Softmax, RejectsAnEmptyLayer) {
  const Mat<double> empty(2, 0);
  EXPECT_THROW_MESSAGE(Softmax<double>().energy(empty), std::invalid_argument,
                       "Softmax::energy: x needs at least one column, got 2x0");
  EXPECT_THROW_MESSAGE(Softmax<double>().activation(empty), std::invalid_argument,
                       "at least one column");
  EXPECT_THROW_MESSAGE(Softmax<double>().hvp(empty, empty), std::invalid_argument,
                       "at least one column");
}

TEST(RectifiedPolynomial, PowerTwoIsRelu) {
  const Mat<double> x = Rng(6).normal<double>(3, 5);
  const Mat<double> v = Rng(7).normal<double>(3, 5);
  const RectifiedPolynomial<double> p(2.0);
  const Relu<double> r;
  EXPECT_EQ(p.activation(x), r.activation(x));
  EXPECT_EQ(p.hvp(x, v), r.hvp(x, v));
  EXPECT_LT(test::max_relative_gap(p.energy(x), r.energy(x)), 1e-15);
}

TEST(HardSigmoid, ClipsAndHasThePiecewiseClosedForms) {
  // Points in each of the three pieces of ℓ, written out from its definition.
  Mat<double> x(1, 6);
  x << -2.0, -0.25, 0.25, 0.75, 1.5, 4.0;
  const HardSigmoid<double> L;
  Mat<double> clip(1, 6), hess(1, 6);
  clip << 0.0, 0.0, 0.25, 0.75, 1.0, 1.0;
  hess << 0.0, 0.0, 1.0, 1.0, 0.0, 0.0;
  EXPECT_EQ(L.activation(x), clip);
  EXPECT_EQ(L.hvp(x, Mat<double>::Ones(1, 6)), hess);
  EXPECT_DOUBLE_EQ(L.value(x)(0), 0.5 * (0.0625 + 0.5625) + (1.5 - 0.5) + (4.0 - 0.5));
  EXPECT_DOUBLE_EQ(L.energy(x)(0), 0.5 * (0.0625 + 0.5625) + 0.5 + 0.5);
}

TEST(Identity, EnergyIsHalfSquaredNorm) {
  const Mat<double> x = Rng(8).normal<double>(2, 4);
  EXPECT_LT(test::max_relative_gap(Identity<double>().energy(x), 0.5 * x.rowwise().squaredNorm()),
            1e-15);
}

TEST(LagrangianParameters, RejectNonPositiveOrNonFiniteBeta) {
  for (double bad : {0.0, -1.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    EXPECT_THROW_MESSAGE(Sigmoid<double>{bad}, std::invalid_argument,
                         "Sigmoid: beta must be positive");
    EXPECT_THROW_MESSAGE(Tanh<float>{bad}, std::invalid_argument, "Tanh: beta must be positive");
    EXPECT_THROW_MESSAGE(Softmax<double>{bad}, std::invalid_argument,
                         "Softmax: beta must be positive");
  }
}

TEST(LagrangianParameters, RejectPolynomialPowerBelowTwo) {
  EXPECT_THROW_MESSAGE(RectifiedPolynomial<double>{1.5}, std::invalid_argument,
                       "power must be finite and >= 2, got 1.5");
  EXPECT_THROW_MESSAGE(RectifiedPolynomial<double>{std::nan("")}, std::invalid_argument, "power");
}

TEST(LagrangianShapes, HvpRejectsDirectionOfWrongShape) {
  EXPECT_THROW_MESSAGE(Sigmoid<double>().hvp(Mat<double>::Zero(2, 3), Mat<double>::Zero(2, 4)),
                       std::invalid_argument, "expected shape 2x3, got 2x4");
  EXPECT_THROW_MESSAGE(Softmax<double>().hvp(Mat<double>::Zero(2, 3), Mat<double>::Zero(1, 3)),
                       std::invalid_argument, "expected shape 2x3, got 1x3");
}

}  // namespace
}  // namespace engram
