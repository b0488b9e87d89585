// Nudging costs and the external field (SPEC M-31, M-02) against their definitions and central
// finite differences in double: β·C, ∂(βC)/∂ŷ, its directional derivative; bad input.
#include <engram/synapses.hpp>

#include "engram/core/rng.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

using test::central_difference;
using test::expect_derivative;

Mat<double> one_hot_rows(Index B, Index D) {
  Mat<double> t = Mat<double>::Zero(B, D);
  for (Index b = 0; b < B; ++b) t(b, (3 * b + 1) % D) = 1.0;
  return t;
}

/// C per sample written from M-31's definitions, independently of the classes.
double squared(const Mat<double>& y, const Mat<double>& t, Index b) {
  return 0.5 * (y.row(b) - t.row(b)).squaredNorm();
}
double cross_entropy(const Mat<double>& y, const Mat<double>& t, Index b) {
  double z = 0.0;
  for (Index k = 0; k < y.cols(); ++k) z += std::exp(y(b, k));
  double c = 0.0;
  for (Index k = 0; k < y.cols(); ++k) c -= t(b, k) * (y(b, k) - std::log(z));
  return c;
}

template <class Cost>
void check_cost(double (*reference)(const Mat<double>&, const Mat<double>&, Index)) {
  const Index B = 3, D = 4;
  const Mat<double> y = Rng(1).uniform<double>(B, D, -1.0, 2.0);
  // A soft target (rows not summing to 1) exercises the s = Σ t_k factor of cross-entropy.
  Mat<double> t = one_hot_rows(B, D);
  t(2, 0) = 0.5;
  for (double beta : {0.7, -0.3}) {
    Cost c(D, beta);
    c.set_target(t);
    const Energies E = c.energy({y});
    for (Index b = 0; b < B; ++b) {
      EXPECT_NEAR(E(b), beta * reference(y, t, b), 1e-12);
      EXPECT_NEAR(c.cost(y)(b), reference(y, t, b), 1e-12);
    }
    const Mat<double> g = c.grad({y})[0];
    const Mat<double> u = Rng(2).normal<double>(B, D);
    const Mat<double> Hu = c.grad_directional({y}, {u})[0];
    for (Index b = 0; b < B; ++b)
      for (Index k = 0; k < D; ++k) {
        Mat<double> d = Mat<double>::Zero(B, D);
        d(b, k) = 1.0;
        auto energy = [&](const Mat<double>& z) { return c.energy({z}).sum(); };
        expect_derivative(g(b, k), central_difference(energy, y, d, 1e-3), 1e-8,
                          fmt::format("dE/dy({},{}) beta {}", b, k, beta));
        auto grad_bk = [&](const Mat<double>& z) { return c.grad({z})[0](b, k); };
        expect_derivative(Hu(b, k), central_difference(grad_bk, y, u, 1e-3), 1e-8,
                          fmt::format("(Hu)({},{}) beta {}", b, k, beta));
      }
    EXPECT_TRUE(c.param_grad({y}).empty());
    EXPECT_EQ(c.hyperparameters().at("beta"), beta);
  }
}

TEST(SquaredErrorCost, EnergyGradientAndHessianMatchDefinitionAndDifferences) {
  check_cost<SquaredErrorCost<double>>(&squared);
}

TEST(CrossEntropyCost, EnergyGradientAndHessianMatchDefinitionAndDifferences) {
  check_cost<CrossEntropyCost<double>>(&cross_entropy);
}

TEST(CostSynapse, ZeroBetaAddsNothingAndFloatAgreesWithDouble) {
  const Mat<double> y = Rng(3).uniform<double>(2, 5);
  const Mat<double> t = one_hot_rows(2, 5);
  CrossEntropyCost<double> c(5, 0.0);
  c.set_target(t);
  EXPECT_EQ(c.energy({y}), Energies::Zero(2));
  EXPECT_EQ(c.grad({y})[0], Mat<double>::Zero(2, 5));
  CrossEntropyCost<float> f(5, 0.5);
  f.set_target(t.cast<float>());
  c.set_beta(0.5);
  EXPECT_LT(test::max_relative_gap(f.energy({Mat<float>(y.cast<float>())}), c.energy({y})), 1e-6);
}

TEST(CostSynapse, RejectsBadInput) {
  SquaredErrorCost<double> c(3, 1.0);
  EXPECT_THROW_MESSAGE(SquaredErrorCost<double>(0), std::invalid_argument, "dim must be positive");
  EXPECT_THROW_MESSAGE(c.set_beta(std::nan("")), std::invalid_argument, "beta must be finite");
  EXPECT_THROW_MESSAGE(CrossEntropyCost<double>(3, INFINITY), std::invalid_argument,
                       "beta must be finite");
  EXPECT_THROW_MESSAGE(c.set_target(Mat<double>::Zero(2, 4)), std::invalid_argument,
                       "target must have 3 columns");
  Mat<double> bad = Mat<double>::Zero(2, 3);
  bad(1, 1) = std::nan("");
  EXPECT_THROW_MESSAGE(c.set_target(bad), std::invalid_argument, "target");
  c.set_target(Mat<double>::Zero(2, 3));
  EXPECT_THROW_MESSAGE(c.energy({Mat<double>(Mat<double>::Zero(4, 3))}), std::invalid_argument,
                       "batch 4 but the target was set for batch 2");
}

TEST(FieldSynapse, IsADenseSynapseWithItsFirstOperandClamped) {
  const Mat<double> x = Rng(4).uniform<double>(3, 6);
  const Mat<double> W = Rng(5).normal<double>(6, 4);
  const Mat<double> h = Rng(6).uniform<double>(3, 4);
  FieldSynapse<double> field(4);
  field.set_field(Mat<double>(x * W));
  const DenseSynapse<double> dense(W);
  EXPECT_LT(test::max_relative_gap(field.energy({h}), dense.energy({x, h})), 1e-14);
  EXPECT_LT(test::max_relative_gap(field.grad({h})[0], dense.grad({x, h})[1]), 1e-14);
  EXPECT_EQ(field.grad_directional({h}, {h})[0], Mat<double>::Zero(3, 4));
  EXPECT_TRUE(field.param_grad({h}).empty());
  EXPECT_THROW_MESSAGE(field.energy({Mat<double>(Mat<double>::Zero(2, 4))}), std::invalid_argument,
                       "batch 2 but the field was set for batch 3");
  EXPECT_THROW_MESSAGE(field.set_field(Mat<double>::Zero(3, 5)), std::invalid_argument,
                       "u must have 4 columns");
  EXPECT_THROW_MESSAGE(FieldSynapse<float>(0), std::invalid_argument, "dim must be positive");
}

}  // namespace
}  // namespace engram
