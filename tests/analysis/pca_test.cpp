// Principal components against data whose covariance is known exactly, the Gram and covariance
// routes against each other, projections, and bad input.
#include <engram/analysis/pca.hpp>

#include <Eigen/QR>

#include "engram/core/rng.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

/// Two orthonormal directions in R^D from a QR factorisation of random vectors.
Eigen::MatrixXd orthonormal(Index D, std::uint64_t seed) {
  Rng rng(seed);
  const Eigen::MatrixXd A = rng.normal<double>(D, 2);
  return Eigen::HouseholderQR<Eigen::MatrixXd>(A).householderQ() * Eigen::MatrixXd::Identity(D, 2);
}

/// m ± a r1 and m ± b r2: mean m, covariance (2a² r1r1ᵀ + 2b² r2r2ᵀ) / 3.
Mat<double> cross(const Eigen::VectorXd& m, const Eigen::MatrixXd& r, double a, double b) {
  Mat<double> x(4, m.size());
  x.row(0) = (m + a * r.col(0)).transpose();
  x.row(1) = (m - a * r.col(0)).transpose();
  x.row(2) = (m + b * r.col(1)).transpose();
  x.row(3) = (m - b * r.col(1)).transpose();
  return x;
}

TEST(PrincipalComponents, RecoverTheAxesOfAKnownCovariance) {
  for (const Index D : {3, 10, 50}) {  // D = 3 takes the covariance route, the others the Gram one
    const Eigen::MatrixXd r = orthonormal(D, 7 + D);
    const Eigen::VectorXd m = Eigen::VectorXd::LinSpaced(D, -1.0, 2.0);
    const double a = 3.0, b = 1.5;
    const PrincipalComponents pc = principal_components<double>(cross(m, r, a, b), 2);
    EXPECT_LT((pc.mean - m).cwiseAbs().maxCoeff(), 1e-12);
    EXPECT_NEAR(std::abs(pc.components.row(0).dot(r.col(0))), 1.0, 1e-12) << "D = " << D;
    EXPECT_NEAR(std::abs(pc.components.row(1).dot(r.col(1))), 1.0, 1e-12) << "D = " << D;
    EXPECT_NEAR(pc.variance(0), 2 * a * a / 3, 1e-12);
    EXPECT_NEAR(pc.variance(1), 2 * b * b / 3, 1e-12);
    EXPECT_NEAR(pc.total_variance, 2 * (a * a + b * b) / 3, 1e-12);
    // Sign convention: each component's largest entry (in magnitude) is positive.
    for (Index j = 0; j < 2; ++j) {
      Index at;
      pc.components.row(j).cwiseAbs().maxCoeff(&at);
      EXPECT_GT(pc.components(j, at), 0);
    }
    // m + a r1 lies at (±a, 0) in the plane.
    const Eigen::MatrixXd p = pc.project<double>(Mat<double>((m + a * r.col(0)).transpose()));
    EXPECT_NEAR(std::abs(p(0, 0)), a, 1e-12);
    EXPECT_NEAR(p(0, 1), 0.0, 1e-12);
  }
}

TEST(PrincipalComponents, GramAndCovarianceRoutesAgree) {
  // N = 20 < D = 30 goes through the Gram matrix; the same rows twice (N = 40 > D) through the
  // covariance: the same eigenvectors, and twice the scatter over 39 instead of 19.
  Rng rng(3);
  Mat<double> x = rng.normal<double>(20, 30);
  x.col(4) *= 5.0;
  x.col(9) *= 3.0;
  Mat<double> twice(40, 30);
  twice << x, x;
  const PrincipalComponents gram = principal_components<double>(x, 3);
  const PrincipalComponents cov = principal_components<double>(twice, 3);
  EXPECT_LT((gram.components - cov.components).cwiseAbs().maxCoeff(), 1e-9);
  for (Index j = 0; j < 3; ++j) EXPECT_NEAR(gram.variance(j) * 2 * 19 / 39, cov.variance(j), 1e-9);
  EXPECT_LT((gram.components * gram.components.transpose() - Eigen::MatrixXd::Identity(3, 3))
                .cwiseAbs()
                .maxCoeff(),
            1e-12);
  EXPECT_GE(gram.variance(0), gram.variance(1));
  EXPECT_GE(gram.variance(1), gram.variance(2));
}

TEST(PrincipalComponents, FloatDataGivesTheDoubleAnswer) {
  Rng rng(4);
  const Mat<float> x = rng.normal<float>(60, 8);
  const PrincipalComponents f = principal_components<float>(x, 2);
  const PrincipalComponents d = principal_components<double>(x.cast<double>(), 2);
  EXPECT_LT((f.components - d.components).cwiseAbs().maxCoeff(), 1e-12);
}

TEST(PrincipalComponentsErrors, RejectBadInput) {
  const Mat<double> x = Mat<double>::Ones(5, 3);
  EXPECT_THROW_MESSAGE(principal_components<double>(x, 0), std::invalid_argument, "k must be");
  EXPECT_THROW_MESSAGE(principal_components<double>(x, 4), std::invalid_argument, "k must be");
  EXPECT_THROW_MESSAGE(principal_components<double>(Mat<double>::Ones(1, 3), 1),
                       std::invalid_argument, "N >= 2");
  Mat<double> bad = x;
  bad(2, 1) = NAN;
  EXPECT_THROW_MESSAGE(principal_components<double>(bad, 1), std::invalid_argument, "data");
  const PrincipalComponents pc = principal_components<double>(
      Mat<double>((Mat<double>(3, 2) << 0, 0, 1, 0, 0, 2).finished()), 1);
  EXPECT_THROW_MESSAGE(pc.project<double>(Mat<double>::Zero(1, 3)), std::invalid_argument,
                       "2 columns");
}

}  // namespace
}  // namespace engram
