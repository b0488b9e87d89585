// Attractor kinds (SPEC M-26): limit cycles and continuous attractors on constructed examples.
#include "engram/analysis/attractors.hpp"

#include <gtest/gtest.h>

#include "analysis/systems.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

using test::vec;

TEST(LimitCycle, VanDerPolAtMuOne) {
  // x' = y, y' = (1 − x²)y − x: the limit cycle has period 6.6632868593 and peaks at
  // x = ±2.0086198607, y = ±2.6784414791 (the standard values; scipy's solve_ivp at 1e-12
  // tolerances gives the same digits).
  const FunctionField f = test::van_der_pol(1.0);
  const LimitCycle c = detect_limit_cycle(f, vec({0.5, 0.0}), 50.0, 100.0);
  ASSERT_TRUE(c.found) << c.status;
  EXPECT_EQ(c.status, "periodic");
  EXPECT_NEAR(c.period, 6.6632868593, 1e-7);
  EXPECT_GE(c.returns, 7);  // 50 time units hold 7 periods
  EXPECT_LT(c.period_spread, 1e-7);
  EXPECT_NEAR(c.maximum(0), 2.0086198607, 1e-7);
  EXPECT_NEAR(c.minimum(0), -2.0086198607, 1e-7);
  EXPECT_NEAR(c.amplitude(0), 4.0172397215, 2e-7);
  EXPECT_NEAR(c.amplitude(1), 2 * 2.6784414791, 2e-7);
  // The section: x crossing the middle of its sampled range (0 to within the sampling) upwards.
  EXPECT_NEAR(c.section_point(0), 0.0, 1e-5);
  EXPECT_GT(c.section_point(1), 0.0);  // x' = y > 0
  // One period of states, starting and ending on the section.
  EXPECT_NEAR(c.cycle(0, 0), c.cycle(c.cycle.rows() - 1, 0), 1e-12);
  EXPECT_NEAR(c.cycle.rows(), 667, 2);
}

TEST(LimitCycle, HarmonicOscillatorPeriodIsTwoPi) {
  // x' = y, y' = −x from (1, 0): x = cos t, period 2π, amplitude 2 in both coordinates.
  Eigen::MatrixXd A(2, 2);
  A << 0, 1, -1, 0;
  const LimitCycle c = detect_limit_cycle(LinearField(A), vec({1, 0}), 0.0, 20.0);
  ASSERT_TRUE(c.found);
  EXPECT_NEAR(c.period, 2 * M_PI, 1e-8);
  EXPECT_NEAR(c.amplitude(0), 2.0, 1e-4);
  EXPECT_NEAR(c.amplitude(1), 2.0, 1e-4);
}

TEST(LimitCycle, OtherMotionsAreNamed) {
  // A damped pendulum settles on its fixed point.
  EXPECT_EQ(detect_limit_cycle(test::pendulum(0.5), vec({1, 0}), 0, 100).status, "fixed_point");
  // Two rotations at frequencies 1 and √2: quasi-periodic, the returns never repeat.
  Eigen::MatrixXd A = Eigen::MatrixXd::Zero(4, 4);
  A(0, 1) = 1, A(1, 0) = -1, A(2, 3) = std::sqrt(2.0), A(3, 2) = -std::sqrt(2.0);
  const LimitCycle q = detect_limit_cycle(LinearField(A), vec({1, 0, 1, 0}), 0, 40);
  EXPECT_FALSE(q.found);
  EXPECT_EQ(q.status, "irregular");
  EXPECT_NEAR(q.period, 2 * M_PI, 1e-6);  // the section still sees the first rotation's period
  // A drift crosses the section once.
  const FunctionField drift(1, [](const Eigen::VectorXd&) { return Eigen::VectorXd::Ones(1); });
  EXPECT_EQ(detect_limit_cycle(drift, vec({0}), 0, 5).status, "no_returns");
  // x' = x² from 1 blows up at t = 1.
  const FunctionField blow(
      1, [](const Eigen::VectorXd& x) { return Eigen::VectorXd(x.array().square()); });
  EXPECT_EQ(detect_limit_cycle(blow, vec({1}), 0.5, 2).status, "diverged");
}

TEST(LimitCycle, RefusesBadInput) {
  const FunctionField f = test::van_der_pol(1.0);
  EXPECT_THROW_MESSAGE(detect_limit_cycle(f, vec({0.5}), 1, 2), std::invalid_argument, "x0");
  EXPECT_THROW_MESSAGE(detect_limit_cycle(f, vec({0.5, 0}), -1, 2), std::invalid_argument,
                       "transient");
  EXPECT_THROW_MESSAGE(detect_limit_cycle(f, vec({0.5, 0}), 2, 2), std::invalid_argument, "t_max");
  LimitCycleOptions o;
  o.coordinate = 2;
  EXPECT_THROW_MESSAGE(detect_limit_cycle(f, vec({0.5, 0}), 0, 2, o), std::invalid_argument,
                       "coordinate");
  o = {};
  o.min_returns = 1;
  EXPECT_THROW_MESSAGE(detect_limit_cycle(f, vec({0.5, 0}), 0, 2, o), std::invalid_argument,
                       "min_returns");
}

FixedPointSearch search(const VectorField& f, double half_width, int starts) {
  FixedPointOptions o;
  o.lower = vec({-half_width, -half_width});
  o.upper = vec({half_width, half_width});
  o.starts = starts;
  o.seed = 11;
  return find_fixed_points(f, o);
}

TEST(ContinuousAttractor, RingFromPolarForm) {
  // r' = r(1 − r²), θ' = 0: the unit circle is a ring of fixed points, each with eigenvalues −2
  // (radial) and 0 (eigenvector (−y, x), along the ring); the origin is a repeller (J = I).
  const FunctionField f = test::ring_attractor();
  const FixedPointSearch s = search(f, 1.5, 200);
  ASSERT_GT(s.points.size(), 100u);
  const ContinuousAttractor ring = continuous_attractor(f, s.points);
  ASSERT_TRUE(ring.found) << ring.reason;
  EXPECT_EQ(ring.shape, "ring");
  EXPECT_TRUE(ring.attracting);
  EXPECT_EQ(ring.members.size(), s.points.size() - 1);  // all but the origin
  EXPECT_NEAR(ring.radius, 1.0, 1e-9);
  EXPECT_LT(ring.centre.norm(), 1e-9);
  EXPECT_GT(ring.alignment, 0.99);
  for (Index k = 0; k < ring.points.rows(); ++k) EXPECT_NEAR(ring.points.row(k).norm(), 1.0, 1e-9);
  // Ordered by angle around the centre: each step turns a little anticlockwise.
  for (Index k = 1; k < ring.points.rows(); ++k) {
    const Eigen::VectorXd p = ring.points.row(k - 1), q = ring.points.row(k);
    const double turn = std::atan2(p(0) * q(1) - p(1) * q(0), p.dot(q));
    EXPECT_GT(turn, 0.0) << k;
    EXPECT_LT(turn, 0.3) << k;
  }
}

TEST(ContinuousAttractor, RepellingRingIsAFamilyButNotAttracting) {
  // (x, y)' = −(1 − r²)(x, y): on the circle J = 2 (x, y)(x, y)ᵀ, eigenvalues 2 and 0.
  const FunctionField f(
      2, [](const Eigen::VectorXd& v) { return Eigen::VectorXd(-(1 - v.squaredNorm()) * v); });
  const ContinuousAttractor ring = continuous_attractor(f, search(f, 1.5, 200).points);
  ASSERT_TRUE(ring.found) << ring.reason;
  EXPECT_EQ(ring.shape, "ring");
  EXPECT_FALSE(ring.attracting);
}

TEST(ContinuousAttractor, LineFromAZeroEigenvalue) {
  // A = [[−1, 1], [1, −1]]: eigenvalues 0 (eigenvector (1, 1)) and −2 (eigenvector (1, −1)), so
  // every point of the line x = y is fixed and attracts its perpendicular.
  Eigen::MatrixXd A(2, 2);
  A << -1, 1, 1, -1;
  const LinearField f(A);
  const FixedPointSearch s = search(f, 2.0, 64);
  const ContinuousAttractor line = continuous_attractor(f, s.points);
  ASSERT_TRUE(line.found) << line.reason;
  EXPECT_EQ(line.shape, "line");
  EXPECT_TRUE(line.attracting);
  EXPECT_EQ(line.members.size(), s.points.size());
  EXPECT_NEAR(std::abs(line.direction(0)), std::sqrt(0.5), 1e-9);
  EXPECT_NEAR(line.direction(0), line.direction(1), 1e-9);
  // Ordered along the line (in one direction or the other).
  const Eigen::VectorXd along = line.points.col(0);
  const double sign = along(along.size() - 1) > along(0) ? 1.0 : -1.0;
  for (Index k = 1; k < along.size(); ++k) EXPECT_GT(sign * (along(k) - along(k - 1)), 0.0) << k;
}

TEST(ContinuousAttractor, IsolatedNonHyperbolicPointsInARowAreNotAContinuum) {
  // x' = sin²x, y' = −y: fixed points (kπ, 0), each with J = diag(0, −1), a zero eigenvalue along
  // the row, but sin²x > 0 between them.
  const FunctionField f(2, [](const Eigen::VectorXd& v) {
    return vec({std::pow(std::sin(v(0)), 2), -v(1)});
  });
  std::vector<FixedPoint> row;
  for (int k = -3; k <= 3; ++k) row.push_back(describe_fixed_point(f, vec({k * M_PI, 0})));
  const ContinuousAttractor c = continuous_attractor(f, row);
  EXPECT_FALSE(c.found);
  EXPECT_THAT(c.reason, ::testing::HasSubstr("isolated"));
}

TEST(ContinuousAttractor, HyperbolicPointsHaveNoZeroMode) {
  const FunctionField f = test::cubic();
  FixedPointOptions o;
  o.lower = vec({-2});
  o.upper = vec({2});
  const ContinuousAttractor c = continuous_attractor(f, find_fixed_points(f, o).points);
  EXPECT_FALSE(c.found);
  EXPECT_THAT(c.reason, ::testing::HasSubstr("0 of 3 fixed points"));
  ContinuousAttractorOptions bad;
  bad.min_points = 1;
  EXPECT_THROW_MESSAGE(continuous_attractor(f, {}, bad), std::invalid_argument, "min_points");
  FixedPoint wrong;
  wrong.x = vec({1, 2});
  EXPECT_THROW_MESSAGE(continuous_attractor(f, {wrong}), std::invalid_argument, "points[0]");
}

}  // namespace
}  // namespace engram
