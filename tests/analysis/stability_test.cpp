// Linear stability (SPEC M-23) against eigenvalues derived by hand.
#include "engram/analysis/stability.hpp"

#include <gtest/gtest.h>

#include "analysis/systems.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

using test::vec;
using C = std::complex<double>;

Eigen::VectorXcd cvec(std::initializer_list<C> v) {
  Eigen::VectorXcd out(static_cast<Index>(v.size()));
  Index i = 0;
  for (C x : v) out(i++) = x;
  return out;
}

TEST(Classify, EveryKindFromItsEigenvalues) {
  EXPECT_EQ(classify(cvec({-1.0, -2.0})), FixedPointKind::stable_node);
  EXPECT_EQ(classify(cvec({C(-0.5, 1), C(-0.5, -1)})), FixedPointKind::stable_spiral);
  EXPECT_EQ(classify(cvec({1.0, -2.0})), FixedPointKind::saddle);
  EXPECT_EQ(classify(cvec({1.0, 3.0})), FixedPointKind::unstable_node);
  EXPECT_EQ(classify(cvec({C(0.1, 1), C(0.1, -1)})), FixedPointKind::unstable_spiral);
  EXPECT_EQ(classify(cvec({C(0, 2), C(0, -2)})), FixedPointKind::center);
  EXPECT_EQ(classify(cvec({0.0, -1.0})), FixedPointKind::non_hyperbolic);
  EXPECT_EQ(classify(cvec({C(0, 1), C(0, -1), -1.0})), FixedPointKind::non_hyperbolic);
  EXPECT_EQ(classify(cvec({0.0})), FixedPointKind::non_hyperbolic);  // zero: not a center
  EXPECT_EQ(to_string(FixedPointKind::stable_spiral), "stable_spiral");
  EXPECT_EQ(to_string(FixedPointKind::non_hyperbolic), "non_hyperbolic");
}

TEST(Classify, TheZeroToleranceIsExplicitAndRelativeToTheSpectrum) {
  // Re λ = 1e-9 is zero at the default tolerance (1e-8 · max(1, ρ)), not at 1e-10.
  const Eigen::VectorXcd l = cvec({1e-9, -1.0});
  EXPECT_EQ(classify(l), FixedPointKind::non_hyperbolic);
  EXPECT_EQ(classify(l, 1e-10), FixedPointKind::saddle);
  // With ρ = 1e4 the same tolerance allows |Re λ| ≤ 1e-4.
  EXPECT_EQ(classify(cvec({5e-5, -1e4})), FixedPointKind::non_hyperbolic);
  EXPECT_EQ(classify(cvec({C(-1, 1e-12), C(-1, -1e-12)})), FixedPointKind::stable_node);
}

TEST(Classify, RefusesBadInput) {
  EXPECT_THROW_MESSAGE(classify(Eigen::VectorXcd()), std::invalid_argument, "at least one");
  EXPECT_THROW_MESSAGE(classify(cvec({std::nan("")})), std::invalid_argument, "NaN");
  EXPECT_THROW_MESSAGE(classify(cvec({1.0}), -1.0), std::invalid_argument, "zero_tol");
  EXPECT_THROW_MESSAGE(eigenvalues(Eigen::MatrixXd(2, 3)), std::invalid_argument, "square");
}

TEST(Stability, DampedPendulumAtRestAndUpsideDown) {
  // θ' = ω, ω' = −sin θ − γω; J = [[0, 1], [−cos θ, −γ]], so λ² + γλ + cos θ = 0.
  // θ = 0: λ = −γ/2 ± i √(1 − γ²/4); γ = 1/2: −0.25 ± 0.9682458i, a stable spiral.
  // θ = π: λ = −γ/2 ± √(γ²/4 + 1) = 0.7807764 and −1.2807764, a saddle.
  const FunctionField f = test::pendulum(0.5);
  const Stability rest = stability(f, vec({0, 0}));
  EXPECT_EQ(rest.kind, FixedPointKind::stable_spiral);
  EXPECT_NEAR(rest.eigenvalues(0).real(), -0.25, 1e-12);
  EXPECT_NEAR(rest.eigenvalues(0).imag(), std::sqrt(1 - 0.0625), 1e-12);
  EXPECT_NEAR(rest.eigenvalues(1).imag(), -std::sqrt(1 - 0.0625), 1e-12);
  EXPECT_NEAR(rest.spectral_radius, 1.0, 1e-12);  // |λ|² = det J = cos 0 = 1
  EXPECT_TRUE(rest.analytic_jacobian);
  const Stability top = stability(f, vec({M_PI, 0}));
  EXPECT_EQ(top.kind, FixedPointKind::saddle);
  EXPECT_NEAR(top.eigenvalues(0).real(), -0.25 + std::sqrt(1.0625), 1e-12);
  EXPECT_NEAR(top.eigenvalues(1).real(), -0.25 - std::sqrt(1.0625), 1e-12);
  EXPECT_NEAR(top.max_real_part, -0.25 + std::sqrt(1.0625), 1e-12);
}

TEST(Stability, LinearCenterAndUnstableSpiral) {
  // [[0, 1], [−1, 0]]: λ = ±i. [[0.1, 1], [−1, 0.1]]: λ = 0.1 ± i.
  Eigen::MatrixXd A(2, 2);
  A << 0, 1, -1, 0;
  EXPECT_EQ(stability(LinearField(A), vec({0, 0})).kind, FixedPointKind::center);
  A << 0.1, 1, -1, 0.1;
  const Stability s = stability(LinearField(A), vec({3, 4}));
  EXPECT_EQ(s.kind, FixedPointKind::unstable_spiral);
  EXPECT_NEAR(s.spectral_radius, std::sqrt(1.01), 1e-12);
}

TEST(Stability, NumericalJacobianGivesTheSameEigenvalues) {
  // x' = x − x³: J = 1 − 3x², so λ = −2 at ±1 and 1 at 0.
  const FunctionField numeric = test::cubic(false);
  for (const auto& [x, lambda] : {std::pair{-1.0, -2.0}, {0.0, 1.0}, {1.0, -2.0}}) {
    const Stability s = stability(numeric, vec({x}));
    EXPECT_FALSE(s.analytic_jacobian);
    EXPECT_NEAR(s.eigenvalues(0).real(), lambda, 1e-8) << x;
    EXPECT_EQ(s.kind, lambda < 0 ? FixedPointKind::stable_node : FixedPointKind::unstable_node);
  }
}

TEST(JacobianCheck, AnalyticMatchesCentralDifferences) {
  const FunctionField f = test::seed002_eq9();
  const JacobianCheck c = jacobian_check(f, vec({2.5, 17.0}));
  EXPECT_TRUE(c.has_analytic);
  EXPECT_LT(c.max_abs_error, 1e-8);
  EXPECT_LT(c.max_rel_error, 1e-7);
}

TEST(JacobianCheck, FindsAWrongJacobian) {
  // The Jacobian of x' = sin x is cos x; claim −cos x instead.
  const FunctionField wrong(
      1, [](const Eigen::VectorXd& x) { return Eigen::VectorXd(x.array().sin()); },
      [](const Eigen::VectorXd& x) { return Eigen::MatrixXd::Constant(1, 1, -std::cos(x(0))); });
  const JacobianCheck c = jacobian_check(wrong, vec({0.3}));
  EXPECT_NEAR(c.max_abs_error, 2 * std::cos(0.3), 1e-8);
  EXPECT_NEAR(c.max_rel_error, 2.0, 1e-8);
}

TEST(Stability, RefusesBadStates) {
  const FunctionField f = test::seed002_eq9();
  EXPECT_THROW_MESSAGE(stability(f, vec({1.0})), std::invalid_argument, "expected 2 values");
  EXPECT_THROW_MESSAGE(stability(f, vec({1.0, std::nan("")})), std::invalid_argument, "NaN");
  EXPECT_THROW_MESSAGE(jacobian_check(f, vec({1.0, 2.0}), 0.0), std::invalid_argument, "step");
}

}  // namespace
}  // namespace engram
