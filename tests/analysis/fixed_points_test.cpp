// Fixed points (SPEC M-22, M-28) against roots and eigenvalues derived by hand.
#include "engram/analysis/fixed_points.hpp"

#include <gtest/gtest.h>

#include "analysis/systems.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

using test::vec;

FixedPointOptions box(Eigen::VectorXd lower, Eigen::VectorXd upper, int starts = 32) {
  FixedPointOptions o;
  o.lower = std::move(lower);
  o.upper = std::move(upper);
  o.starts = starts;
  o.seed = 7;
  return o;
}

TEST(FixedPoints, CubicHasTwoAttractorsAndARepeller) {
  // x' = x − x³ = x(1 − x)(1 + x): roots −1, 0, 1; J = 1 − 3x² gives −2, 1, −2.
  // E = x⁴/4 − x²/2: E(±1) = −1/4, E(0) = 0.
  for (bool analytic : {true, false}) {
    const FunctionField f = test::cubic(analytic);
    const FixedPointSearch s = find_fixed_points(f, box(vec({-2}), vec({2})));
    ASSERT_EQ(s.points.size(), 3u) << analytic;
    const double roots[] = {-1, 0, 1}, lambdas[] = {-2, 1, -2};
    for (int k = 0; k < 3; ++k) {
      const FixedPoint& p = s.points[k];
      EXPECT_NEAR(p.x(0), roots[k], 1e-12);
      EXPECT_LE(p.residual, 1e-12);
      EXPECT_NEAR(p.eigenvalues(0).real(), lambdas[k], analytic ? 1e-12 : 1e-8);
      EXPECT_EQ(p.kind, k == 1 ? FixedPointKind::unstable_node : FixedPointKind::stable_node);
      ASSERT_TRUE(p.has_energy);
      EXPECT_NEAR(p.energy, k == 1 ? 0.0 : -0.25, 1e-12);
      EXPECT_GE(p.hits, 1);
    }
    EXPECT_EQ(s.starts, 32);
    EXPECT_EQ(s.powell + s.levenberg_marquardt + s.failed, s.starts);
  }
}

TEST(FixedPoints, Seed002Eq9HasASaddleAndAStableSpiral) {
  // M-28, seed 002 eq. 9: x' = x(−0.4 + 0.02y), y' = y(0.8 − 0.01xy − 0.1x).
  // x' = 0 ⇔ x = 0 or y = 20.
  //   x = 0: y' = 0.8y = 0 ⇔ y = 0, the origin.
  //   y = 20: y' = 20(0.8 − 0.2x − 0.1x) = 20(0.8 − 0.3x) = 0 ⇔ x = 8/3.
  // Jacobian [[−0.4 + 0.02y, 0.02x], [−0.01y² − 0.1y, 0.8 − 0.02xy − 0.1x]]:
  //   (0, 0): diag(−0.4, 0.8), a saddle.
  //   (8/3, 20): [[0, 4/75], [−6, −8/15]]; trace −8/15, determinant 24/75 = 8/25, so
  //   λ = −4/15 ± i √(8/25 − 16/225) = −4/15 ± i 2√14/15 ≈ −0.266667 ± 0.498888i, a stable
  //   spiral. (The seed prints 0.8 − 2.8i near (6, 20); (6, 20) is not even fixed: y' = −20.)
  for (bool analytic : {true, false}) {
    const FunctionField f = test::seed002_eq9(analytic);
    const FixedPointSearch s = find_fixed_points(f, box(vec({-1, -1}), vec({10, 30}), 64));
    ASSERT_EQ(s.points.size(), 2u) << analytic;
    const double tol = analytic ? 1e-10 : 1e-7;
    const FixedPoint& origin = s.points[0];
    EXPECT_LT(origin.x.norm(), 1e-10);
    EXPECT_EQ(origin.kind, FixedPointKind::saddle);
    EXPECT_NEAR(origin.eigenvalues(0).real(), 0.8, tol);
    EXPECT_NEAR(origin.eigenvalues(1).real(), -0.4, tol);
    EXPECT_EQ(origin.eigenvalues.imag().cwiseAbs().maxCoeff(), 0.0);
    EXPECT_FALSE(origin.has_energy);
    EXPECT_TRUE(std::isnan(origin.energy));
    const FixedPoint& spiral = s.points[1];
    EXPECT_NEAR(spiral.x(0), 8.0 / 3.0, 1e-10);
    EXPECT_NEAR(spiral.x(1), 20.0, 1e-10);
    EXPECT_EQ(spiral.kind, FixedPointKind::stable_spiral);
    EXPECT_NEAR(spiral.eigenvalues(0).real(), -4.0 / 15.0, tol);
    EXPECT_NEAR(spiral.eigenvalues(0).imag(), 2 * std::sqrt(14.0) / 15.0, tol);
    EXPECT_NEAR(spiral.eigenvalues(1).imag(), -2 * std::sqrt(14.0) / 15.0, tol);
  }
}

TEST(FixedPoints, DampedPendulumFindsSaddlesAsWellAsAttractors) {
  // θ' = ω, ω' = −sin θ − ω/2: fixed points (kπ, 0); k even a stable spiral, k odd a saddle.
  // In θ ∈ [−4, 4]: −π (saddle), 0 (spiral), π (saddle); E = −cos θ: 1, −1, 1.
  const FunctionField f = test::pendulum(0.5);
  const FixedPointSearch s = find_fixed_points(f, box(vec({-4, -2}), vec({4, 2})));
  ASSERT_EQ(s.points.size(), 3u);
  for (int k = 0; k < 3; ++k) {
    EXPECT_NEAR(s.points[k].x(0), (k - 1) * M_PI, 1e-10);
    EXPECT_NEAR(s.points[k].x(1), 0.0, 1e-10);
    EXPECT_EQ(s.points[k].kind, k == 1 ? FixedPointKind::stable_spiral : FixedPointKind::saddle);
    EXPECT_NEAR(s.points[k].energy, k == 1 ? -1.0 : 1.0, 1e-12);
  }
}

TEST(FixedPoints, SaddleNodePairAndItsNonHyperbolicMerger) {
  // x' = μ − x², y' = −y. μ = 1: (1, 0) with J = diag(−2, −1), a stable node, and (−1, 0) with
  // diag(2, −1), a saddle. μ = 0: the two merge at the origin, J = diag(0, −1), non-hyperbolic.
  auto field = [](double mu) {
    return FunctionField(2, [mu](const Eigen::VectorXd& v) {
      return vec({mu - v(0) * v(0), -v(1)});
    });
  };
  const FixedPointSearch two = find_fixed_points(field(1.0), box(vec({-3, -3}), vec({3, 3})));
  ASSERT_EQ(two.points.size(), 2u);
  EXPECT_NEAR(two.points[0].x(0), -1.0, 1e-10);
  EXPECT_EQ(two.points[0].kind, FixedPointKind::saddle);
  EXPECT_NEAR(two.points[1].x(0), 1.0, 1e-10);
  EXPECT_EQ(two.points[1].kind, FixedPointKind::stable_node);

  // At μ = 0 f vanishes quadratically: ‖f‖ ≤ 1e-9 holds within ~3e-5 of the root, and several
  // such roots survive deduplication unless its tolerance is of that size.
  FixedPointOptions o = box(vec({-3, -3}), vec({3, 3}));
  o.dedup_tol = 1e-4;
  o.residual_tol = 1e-12;
  const FixedPointSearch one = find_fixed_points(field(0.0), o);
  ASSERT_EQ(one.points.size(), 1u);
  EXPECT_LT(one.points[0].x.norm(), 1e-5);
  EXPECT_EQ(one.points[0].kind, FixedPointKind::non_hyperbolic);
}

TEST(FixedPoints, LevenbergMarquardtRescuesStartsPowellLoses) {
  // Powell's badly scaled function (a MINPACK test problem): 10⁴xy = 1, e^{−x} + e^{−y} = 1.0001,
  // roots near (1.0982e-5, 9.1061) and its mirror image. From some starts the hybrid method stalls;
  // Levenberg–Marquardt on ½‖f‖² then reaches a root.
  const FunctionField f(2, [](const Eigen::VectorXd& v) {
    return vec({1e4 * v(0) * v(1) - 1, std::exp(-v(0)) + std::exp(-v(1)) - 1.0001});
  });
  FixedPointOptions o = box(vec({-1, -1}), vec({10, 10}), 64);
  o.seed = 0;
  const FixedPointSearch with = find_fixed_points(f, o);
  o.levenberg_marquardt = false;
  const FixedPointSearch without = find_fixed_points(f, o);
  EXPECT_GT(with.levenberg_marquardt, 0);
  EXPECT_EQ(with.failed, 0);
  EXPECT_EQ(without.failed, with.levenberg_marquardt);
  ASSERT_EQ(with.points.size(), 2u);
  for (const FixedPoint& p : with.points) {
    EXPECT_NEAR(p.x(0) * p.x(1), 1e-4, 1e-13);
    EXPECT_NEAR(std::min(p.x(0), p.x(1)), 1.098159e-5, 1e-10);
    EXPECT_NEAR(std::max(p.x(0), p.x(1)), 9.106146, 1e-6);
  }
}

TEST(FixedPoints, UserStartsAloneAndOutsideTheBox) {
  // Only the given start, near the root 1: one point. A root outside the box is not kept.
  const FunctionField f = test::cubic();
  FixedPointOptions o = box(vec({0.5}), vec({2}), 0);
  o.initial = {vec({0.9})};
  const FixedPointSearch s = find_fixed_points(f, o);
  ASSERT_EQ(s.points.size(), 1u);
  EXPECT_NEAR(s.points[0].x(0), 1.0, 1e-12);
  o.initial = {vec({-0.9})};  // converges to −1, outside [0.5, 2]
  EXPECT_TRUE(find_fixed_points(f, o).points.empty());
}

TEST(FixedPoints, NoRootsGivesAnEmptyListNotAnError) {
  // x' = 1 + x² has no real root; ½‖f‖² has a slow point at x = 0 (speed 1), which is dropped.
  const FunctionField f(
      1, [](const Eigen::VectorXd& x) { return Eigen::VectorXd(1 + x.array() * x.array()); });
  const FixedPointSearch s = find_fixed_points(f, box(vec({-2}), vec({2}), 8));
  EXPECT_TRUE(s.points.empty());
  EXPECT_EQ(s.failed, 8);
}

TEST(FixedPoints, RefusesBadInput) {
  const FunctionField f = test::seed002_eq9();
  EXPECT_THROW_MESSAGE(find_fixed_points(f, FixedPointOptions{}), std::invalid_argument,
                       "bounds must have 2 values");
  EXPECT_THROW_MESSAGE(find_fixed_points(f, box(vec({0, 1}), vec({1, 1}))), std::invalid_argument,
                       "lower must be below upper");
  EXPECT_THROW_MESSAGE(find_fixed_points(f, box(vec({0, std::nan("")}), vec({1, 1}))),
                       std::invalid_argument, "NaN");
  EXPECT_THROW_MESSAGE(find_fixed_points(f, box(vec({0, 0}), vec({1, 1}), 0)),
                       std::invalid_argument, "no starts");
  FixedPointOptions o = box(vec({0, 0}), vec({1, 1}));
  o.initial = {vec({1.0, INFINITY})};
  EXPECT_THROW_MESSAGE(find_fixed_points(f, o), std::invalid_argument, "initial[0]");
  o = box(vec({0, 0}), vec({1, 1}));
  o.residual_tol = -1;
  EXPECT_THROW_MESSAGE(find_fixed_points(f, o), std::invalid_argument, "residual_tol");
}

}  // namespace
}  // namespace engram
