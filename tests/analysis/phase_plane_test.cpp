// Nullclines and direction fields of 2-D systems (SPEC M-24) against curves known in closed form.
#include "engram/analysis/phase_plane.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "support/check.hpp"

namespace engram {
namespace {

using Eigen::VectorXd;

// x' = 1 − x² − y² (nullcline: the unit circle), y' = x − y (nullcline: the line y = x).
const FunctionField kCircleAndLine(2, [](const VectorXd& v) {
  return Eigen::Vector2d(1 - v(0) * v(0) - v(1) * v(1), v(0) - v(1)).eval();
});

TEST(Nullcline, TracesTheUnitCircle) {
  const auto segments = nullcline(kCircleAndLine, 0, {-2, 2, -2, 2}, 100);
  ASSERT_GT(segments.size(), 100u);
  double length = 0;
  for (const Segment& s : segments) {
    EXPECT_NEAR(s.a.norm(), 1.0, 2e-3);  // linear interpolation of a quadratic: O(h²) off
    EXPECT_NEAR(s.b.norm(), 1.0, 2e-3);
    length += (s.b - s.a).norm();
  }
  EXPECT_NEAR(length, 2 * M_PI, 0.01);  // the circumference
}

TEST(Nullcline, TracesTheDiagonalExactly) {
  const auto segments = nullcline(kCircleAndLine, 1, {-1, 3, -1, 3}, 40);
  ASSERT_FALSE(segments.empty());
  double length = 0;
  for (const Segment& s : segments) {
    EXPECT_NEAR(s.a(0), s.a(1), 1e-12);  // f is linear: interpolation is exact
    EXPECT_NEAR(s.b(0), s.b(1), 1e-12);
    length += (s.b - s.a).norm();
  }
  EXPECT_NEAR(length, 4 * std::sqrt(2.0), 1e-9);
}

TEST(DirectionField, SamplesTheRateOnAGrid) {
  const Eigen::MatrixXd d = direction_field(kCircleAndLine, {0, 1, -1, 1}, 3);
  ASSERT_EQ(d.rows(), 9);
  // Row 5 is (x, y) = (1, 0) (x varies fastest): f = (0, 1).
  EXPECT_DOUBLE_EQ(d(5, 0), 1.0);
  EXPECT_DOUBLE_EQ(d(5, 1), 0.0);
  EXPECT_DOUBLE_EQ(d(5, 2), 0.0);
  EXPECT_DOUBLE_EQ(d(5, 3), 1.0);
}

TEST(PhasePlane, RefusesBadArguments) {
  const FunctionField line(1, [](const VectorXd& x) { return VectorXd(-x); });
  EXPECT_THROW_MESSAGE(nullcline(line, 0, {}, 10), std::invalid_argument, "must be 2-D");
  EXPECT_THROW_MESSAGE(nullcline(kCircleAndLine, 2, {}, 10), std::invalid_argument, "component");
  EXPECT_THROW_MESSAGE(nullcline(kCircleAndLine, 0, {1, 0, 0, 1}, 10), std::invalid_argument,
                       "x range needs finite lo < hi");
  EXPECT_THROW_MESSAGE(direction_field(kCircleAndLine, {}, 0), std::invalid_argument, "resolution");
}

}  // namespace
}  // namespace engram
