// Basins and landscape metrics (SPEC M-24) on systems whose basins are known by symmetry.
#include "engram/analysis/basins.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "analysis/systems.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

using test::vec;

// x' = x − x³, y' = −y: attractors (±1, 0); the line x = 0 (the stable manifold of the saddle at
// the origin) separates their basins, so x < 0 drains to (−1, 0) and x > 0 to (1, 0).
FunctionField split_plane() {
  return FunctionField(2, [](const Eigen::VectorXd& v) {
    return vec({v(0) - v(0) * v(0) * v(0), -v(1)});
  });
}

TEST(Wilson, IntervalMatchesItsClosedForms) {
  // 0 of n: [0, z²/(n + z²)]; n of n: [n/(n + z²), 1]; 5 of 10: symmetric about ½.
  const double z2 = 1.959963984540054 * 1.959963984540054;
  const Proportion none = wilson_interval(0, 10);
  EXPECT_EQ(none.lower, 0.0);
  EXPECT_NEAR(none.upper, z2 / (10 + z2), 1e-15);
  EXPECT_NEAR(wilson_interval(10, 10).lower, 10 / (10 + z2), 1e-15);
  const Proportion half = wilson_interval(5, 10);
  EXPECT_EQ(half.fraction, 0.5);
  EXPECT_NEAR(half.lower + half.upper, 1.0, 1e-15);
  EXPECT_NEAR(half.lower, 0.236593090512564, 1e-12);
  EXPECT_THROW_MESSAGE(wilson_interval(11, 10), std::invalid_argument, "count");
}

TEST(Basins, CubicSplitsTheIntervalInHalves) {
  // x' = x − x³ on [−2, 2]: x < 0 → −1, x > 0 → 1, each half of the interval.
  const FunctionField f = test::cubic();
  const BasinFractions b = basin_fractions(f, {vec({-1}), vec({1})}, vec({-2}), vec({2}), 400, 3);
  ASSERT_EQ(b.attractors.size(), 2u);
  EXPECT_EQ(b.samples, 400);
  EXPECT_EQ(b.unreached.count, 0);
  EXPECT_EQ(b.attractors[0].count + b.attractors[1].count, 400);
  for (const Proportion& p : b.attractors) {
    EXPECT_LE(p.lower, 0.5);
    EXPECT_GE(p.upper, 0.5);
    EXPECT_LT(p.upper - p.lower, 0.11);  // ≈ 2 · 1.96 · √(¼/400) = 0.098
  }
}

TEST(Basins, StartOnTheSeparatrixOrTooShortReachesNone) {
  const FunctionField f = test::cubic();
  const std::vector<Eigen::VectorXd> attractors = {vec({-1}), vec({1})};
  EXPECT_EQ(basin_of(f, attractors, vec({0.0})), -1);  // the repeller is fixed
  EXPECT_EQ(basin_of(f, attractors, vec({0.3})), 1);
  EXPECT_EQ(basin_of(f, attractors, vec({-1.0})), 0);  // already there at t = 0
  BasinOptions quick;
  quick.t_max = 0.1;
  EXPECT_EQ(basin_of(f, attractors, vec({0.01}), quick), -1);
}

TEST(Basins, MapOfTheSplitPlaneIsTheSignOfX) {
  const FunctionField f = split_plane();
  const BasinMap m = basin_map(f, {vec({-1, 0}), vec({1, 0})}, {-2, 2}, {-1, 1}, 8, 5);
  ASSERT_EQ(m.labels.rows(), 5);
  ASSERT_EQ(m.labels.cols(), 8);
  EXPECT_NEAR(m.xs(0), -1.75, 1e-15);  // cell centres
  EXPECT_NEAR(m.ys(4), 0.8, 1e-15);
  for (Index i = 0; i < 5; ++i)
    for (Index j = 0; j < 8; ++j) EXPECT_EQ(m.labels(i, j), m.xs(j) < 0 ? 0 : 1) << i << "," << j;

  const auto path = std::filesystem::temp_directory_path() / "engram_basin_map_test.png";
  write_basin_map(path, m.labels, 2);
  std::ifstream in(path, std::ios::binary);
  char signature[8] = {};
  in.read(signature, 8);
  EXPECT_EQ(std::string(signature + 1, 3), "PNG");
  std::filesystem::remove(path);
}

TEST(Basins, PaletteIsFixedAndUnreachedIsBlack) {
  EXPECT_EQ(basin_colour(-1), (std::array<float, 3>{0, 0, 0}));
  EXPECT_EQ(basin_colour(0), basin_colour(10));
  EXPECT_NE(basin_colour(0), basin_colour(1));
}

TEST(Landscape, PendulumHasOneWellBetweenTwoSaddles) {
  // θ ∈ [−4, 4]: saddles at ±π with E = 1, the well at 0 with E = −1: barrier 2.
  const FunctionField f = test::pendulum(0.5);
  FixedPointOptions o;
  o.lower = vec({-4, -2});
  o.upper = vec({4, 2});
  const FixedPointSearch s = find_fixed_points(f, o);
  const Landscape l = landscape(f, s.points);
  EXPECT_EQ(l.attractor_count, 1);
  EXPECT_EQ(l.saddle_count, 2);
  EXPECT_EQ(l.repeller_count, 0);
  ASSERT_TRUE(l.has_energy);
  EXPECT_EQ(l.deepest, 1);
  EXPECT_NEAR(l.attractor_energies(0), -1.0, 1e-12);
  EXPECT_TRUE(std::isnan(l.energy_gap));
  EXPECT_NEAR(l.barrier, 2.0, 1e-12);
}

TEST(Landscape, DeepestGapAndBarrierFromGivenPoints) {
  // Attractors at energies −1, −2, −0.5 and saddles at 0.3, 0.1: the deepest is the second
  // point, the gap −1 − (−2) = 1, the barrier 0.1 − (−2) = 2.1.
  const FunctionField f = test::cubic();
  std::vector<FixedPoint> points;
  for (auto [e, kind] : {std::pair{-1.0, FixedPointKind::stable_node},
                         {-2.0, FixedPointKind::stable_spiral},
                         {0.3, FixedPointKind::saddle},
                         {-0.5, FixedPointKind::stable_node},
                         {0.1, FixedPointKind::saddle},
                         {0.2, FixedPointKind::unstable_node}}) {
    FixedPoint p;
    p.x = vec({0.0});
    p.kind = kind;
    p.energy = e;
    p.has_energy = true;
    points.push_back(p);
  }
  const Landscape l = landscape(f, points);
  EXPECT_EQ(l.attractor_count, 3);
  EXPECT_EQ(l.saddle_count, 2);
  EXPECT_EQ(l.repeller_count, 1);
  EXPECT_EQ(l.deepest, 1);
  EXPECT_DOUBLE_EQ(l.energy_gap, 1.0);
  EXPECT_DOUBLE_EQ(l.barrier, 2.1);
  EXPECT_EQ(l.saddles, (std::vector<int>{2, 4}));
}

TEST(Landscape, WithoutEnergyOnlyCounts) {
  // Seed 002 eq. 9: one attractor (8/3, 20), one saddle (0, 0), no energy.
  const FunctionField f = test::seed002_eq9();
  FixedPointOptions o;
  o.lower = vec({-1, -1});
  o.upper = vec({10, 30});
  const Landscape l = landscape(f, find_fixed_points(f, o).points);
  EXPECT_EQ(l.attractor_count, 1);
  EXPECT_EQ(l.saddle_count, 1);
  EXPECT_FALSE(l.has_energy);
  EXPECT_EQ(l.deepest, -1);
  EXPECT_TRUE(std::isnan(l.barrier));
}

TEST(Basins, RefuseBadInput) {
  const FunctionField f = split_plane();
  const std::vector<Eigen::VectorXd> a = {vec({-1, 0}), vec({1, 0})};
  EXPECT_THROW_MESSAGE(basin_map(f, {}, {-1, 1}, {-1, 1}, 4, 4), std::invalid_argument,
                       "at least one attractor");
  EXPECT_THROW_MESSAGE(basin_map(f, {vec({1})}, {-1, 1}, {-1, 1}, 4, 4), std::invalid_argument,
                       "attractors[0]");
  EXPECT_THROW_MESSAGE(basin_map(f, a, {1, 1}, {-1, 1}, 4, 4), std::invalid_argument, "x_range");
  EXPECT_THROW_MESSAGE(basin_map(f, a, {-1, 1}, {-1, NAN}, 4, 4), std::invalid_argument, "y_range");
  EXPECT_THROW_MESSAGE(basin_map(f, a, {-1, 1}, {-1, 1}, 0, 4), std::invalid_argument,
                       "resolution");
  EXPECT_THROW_MESSAGE(basin_map(test::cubic(), {vec({1})}, {-1, 1}, {-1, 1}, 4, 4),
                       std::invalid_argument, "2-D");
  BasinOptions bad;
  bad.capture_radius = 0;
  EXPECT_THROW_MESSAGE(basin_of(f, a, vec({0.5, 0}), bad), std::invalid_argument, "capture_radius");
  EXPECT_THROW_MESSAGE(basin_fractions(f, a, vec({-1, -1}), vec({1, 1}), 0), std::invalid_argument,
                       "samples");
  EXPECT_THROW_MESSAGE(basin_fractions(f, a, vec({-1, 1}), vec({1, 1}), 10), std::invalid_argument,
                       "lower must be below upper");
  EXPECT_THROW_MESSAGE(basin_fractions(f, a, vec({-1}), vec({1}), 10), std::invalid_argument,
                       "bounds must have 2 values");
  EXPECT_THROW_MESSAGE(write_basin_map("x.png", Eigen::MatrixXi::Constant(2, 2, -2)),
                       std::invalid_argument, ">= -1");
}

}  // namespace
}  // namespace engram
