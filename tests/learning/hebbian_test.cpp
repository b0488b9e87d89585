// The Hebbian family (SPEC M-10): each rule against a literal transcription of its formula or an
// independent solver, the fixed-point property of the projection rule, and bad input.
#include <engram/learning/hebbian.hpp>

#include <Eigen/Cholesky>

#include "engram/core/error.hpp"
#include "engram/core/rng.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

Mat<double> random_signs(Index P, Index N, std::uint64_t seed, double p_plus = 0.5) {
  const Mat<double> u = Rng(seed).uniform<double>(P, N);
  return u.unaryExpr([p_plus](double v) { return v < p_plus ? 1.0 : -1.0; });
}

void expect_symmetric_zero_diagonal(const Mat<double>& W) {
  EXPECT_EQ(W, W.transpose());
  EXPECT_EQ(W.diagonal().cwiseAbs().maxCoeff(), 0.0);
}

TEST(Hebbian, IsTheSumOfOuterProductsOverNWithZeroDiagonal) {
  for (double p_plus : {0.5, 0.8}) {
    const Mat<double> Xi = random_signs(7, 13, 1, p_plus);
    const Index P = Xi.rows(), N = Xi.cols();
    Mat<double> expected = Mat<double>::Zero(N, N);
    for (Index i = 0; i < N; ++i)
      for (Index j = 0; j < N; ++j)
        if (i != j)
          for (Index mu = 0; mu < P; ++mu) expected(i, j) += Xi(mu, i) * Xi(mu, j) / N;
    const Mat<double> W = hebbian(Xi);
    EXPECT_LT(test::max_relative_gap(W, expected), 1e-14);
    expect_symmetric_zero_diagonal(W);
  }
}

TEST(Hebbian, AcceptsRealPatternsAndFloat) {
  const Mat<double> X = Rng(2).normal<double>(4, 6);
  Mat<double> expected = X.transpose() * X / 6.0;
  expected.diagonal().setZero();
  EXPECT_LT(test::max_relative_gap(hebbian(X), expected), 1e-14);
  EXPECT_LT(test::max_relative_gap(hebbian(Mat<float>(X.cast<float>())).cast<double>(), expected),
            1e-5);
}

/// Storkey's rule exactly as printed: h_ij = Σ_{k≠i,j} W_ik ξ_k, one pattern at a time.
Mat<double> storkey_literal(const Mat<double>& Xi) {
  const Index N = Xi.cols();
  Mat<double> W = Mat<double>::Zero(N, N);
  for (Index mu = 0; mu < Xi.rows(); ++mu) {
    const auto xi = Xi.row(mu);
    auto h = [&](Index i, Index j) {
      double sum = 0.0;
      for (Index k = 0; k < N; ++k)
        if (k != i && k != j) sum += W(i, k) * xi(k);
      return sum;
    };
    Mat<double> next = W;
    for (Index i = 0; i < N; ++i)
      for (Index j = 0; j < N; ++j)
        if (i != j) next(i, j) += (xi(i) * xi(j) - xi(i) * h(j, i) - h(i, j) * xi(j)) / N;
    W = next;
  }
  return W;
}

TEST(Storkey, AgreesWithTheLiteralRuleOnSignsAndRealPatterns) {
  for (const Mat<double>& Xi : {random_signs(6, 11, 3), random_signs(9, 8, 4, 0.75),
                                Mat<double>(Rng(5).normal<double>(5, 9))}) {
    const Mat<double> W = storkey(Xi);
    EXPECT_LT(test::max_relative_gap(W, storkey_literal(Xi)), 1e-13);
    expect_symmetric_zero_diagonal(W);
  }
}

TEST(Storkey, OnePatternIsHebbian) {
  const Mat<double> xi = random_signs(1, 10, 6);
  EXPECT_LT(test::max_relative_gap(storkey(xi), hebbian(xi)), 1e-15);
}

/// The projector Ξᵀ(ΞΞᵀ)⁻¹Ξ by the normal equations (independent of the QR used by the library).
Mat<double> projector_by_normal_equations(const Mat<double>& Xi) {
  const Mat<double> G = Xi * Xi.transpose();
  Mat<double> Pr = Xi.transpose() * G.ldlt().solve(Xi);
  Pr.diagonal().setZero();
  return Pr;
}

TEST(PseudoInverse, IsTheZeroDiagonalProjectorOntoThePatterns) {
  // Correlated patterns (75% +1), P < N, linearly independent.
  const Mat<double> Xi = random_signs(12, 40, 7, 0.75);
  const Mat<double> W = pseudo_inverse(Xi);
  EXPECT_LT(test::max_relative_gap(W, projector_by_normal_equations(Xi)), 1e-10);
  expect_symmetric_zero_diagonal(W);
}

TEST(PseudoInverse, StoredCorrelatedPatternsAreFixedPoints) {
  // h = Wξ = (1 − P_ii) ξ_i: the sign of ξ_i wherever the projector's diagonal is below 1.
  for (double p_plus : {0.5, 0.8})
    for (Index P : {5, 20, 35}) {
      const Mat<double> Xi = random_signs(P, 40, 8 + P, p_plus);
      const Mat<double> H = Xi * pseudo_inverse(Xi);  // W symmetric: row μ is (W ξ_μ)ᵀ
      EXPECT_GT(H.cwiseProduct(Xi).minCoeff(), 0.0) << "P = " << P << ", p+ = " << p_plus;
      const Mat<float> Xf = Xi.cast<float>();
      const Mat<float> Hf = Xf * pseudo_inverse(Xf);
      EXPECT_GT(Hf.cwiseProduct(Xf).minCoeff(), 0.0f) << "float, P = " << P;
    }
}

TEST(PseudoInverse, DependentPatternsGiveTheProjectorOfTheirSpan) {
  Mat<double> Xi = random_signs(6, 20, 9);
  Mat<double> with_repeats(9, 20);
  with_repeats << Xi, Xi.topRows(2), -Xi.row(3);
  EXPECT_LT(test::max_relative_gap(pseudo_inverse(with_repeats), pseudo_inverse(Xi)), 1e-12);
}

TEST(LearningRule, NamesRoundTripAndUnknownNamesAreRejected) {
  for (LearningRule r :
       {LearningRule::hebbian, LearningRule::storkey, LearningRule::pseudo_inverse})
    EXPECT_EQ(parse_learning_rule(to_string(r)), r);
  EXPECT_THROW_MESSAGE(parse_learning_rule("hebb"), std::invalid_argument,
                       "learning rule must be one of hebbian, storkey, pseudo_inverse, got 'hebb'");
  const Mat<double> Xi = random_signs(3, 5, 10);
  EXPECT_EQ(learn(Xi, LearningRule::storkey), storkey(Xi));
  EXPECT_EQ(learn(Xi, LearningRule::pseudo_inverse), pseudo_inverse(Xi));
}

TEST(LearningRule, BadPatternsAreRejected) {
  EXPECT_THROW_MESSAGE(hebbian(Mat<double>(0, 4)), std::invalid_argument,
                       "hebbian: patterns must be P x N with P, N > 0, got 0x4");
  Mat<double> Xi = random_signs(3, 5, 11);
  Xi(1, 2) = std::nan("");
  EXPECT_THROW_MESSAGE(storkey(Xi), std::invalid_argument,
                       "storkey: patterns contains NaN at (1, 2)");
  Xi(1, 2) = INFINITY;
  EXPECT_THROW_MESSAGE(pseudo_inverse(Xi), std::invalid_argument,
                       "pseudo_inverse: patterns contains Inf at (1, 2)");
}

}  // namespace
}  // namespace engram
