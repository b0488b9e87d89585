// Nudged elastic band (SPEC M-25) on double wells whose saddles and barriers are known in closed
// form, and against the saddle found by the fixed-point search.
#include "engram/analysis/neb.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "analysis/systems.hpp"
#include "engram/analysis/fixed_points.hpp"
#include "support/check.hpp"

namespace engram {
namespace {

using test::vec;

TEST(Neb, StraightDoubleWellHasItsSaddleAtTheOrigin) {
  // E = (x² − 1)² + y²: minima (±1, 0) with E = 0, saddle (0, 0) with E = 1 and Hessian
  // diag(−4, 2). The straight path is the minimum-energy path, so both estimates are 1 (and the
  // evenly spaced band on it is converged from the start).
  const auto f = test::curved_double_well(1.0, 0.0);
  const NebResult r = nudged_elastic_band(f, vec({-1, 0}), vec({1, 0}));
  EXPECT_TRUE(r.converged) << r.max_force;
  EXPECT_NEAR(r.barrier, 1.0, 1e-10);
  EXPECT_LT(r.saddle.norm(), 1e-6);
  EXPECT_EQ(r.saddle_index, 8);  // the middle of 17 images
  EXPECT_TRUE(r.saddle_confirmed);
  ASSERT_EQ(r.hessian_eigenvalues.size(), 2);
  EXPECT_NEAR(r.hessian_eigenvalues(0), -4.0, 1e-6);
  EXPECT_NEAR(r.hessian_eigenvalues(1), 2.0, 1e-6);
  EXPECT_NEAR(r.linear_barrier, 1.0, 1e-12);
  EXPECT_EQ(r.path.rows(), 17);
  EXPECT_EQ(r.path.row(0), vec({-1, 0}).transpose());  // the ends stay put
  EXPECT_EQ(r.path.row(16), vec({1, 0}).transpose());
}

TEST(Neb, CurvedValleyLinearPathOverestimates) {
  // E = (x² − 1)² + (y − (1 − x²))²: the valley bends through (0, 1), where the saddle has E = 1
  // and Hessian diag(−4, 2); along y = 0 the energy is 2(1 − x²)², peaking at 2.
  const auto f = test::curved_double_well(1.0, 1.0);
  for (NebOptimizer opt : {NebOptimizer::fire, NebOptimizer::gradient_descent}) {
    NebOptions o;
    o.optimizer = opt;
    const NebResult r = nudged_elastic_band(f, vec({-1, 0}), vec({1, 0}), o);
    const std::string name = to_string(opt);
    EXPECT_TRUE(r.converged) << name << " " << r.max_force;
    EXPECT_NEAR(r.barrier, 1.0, 1e-10) << name;
    EXPECT_NEAR(r.saddle(0), 0.0, 1e-6) << name;
    EXPECT_NEAR(r.saddle(1), 1.0, 1e-6) << name;
    EXPECT_TRUE(r.saddle_confirmed) << name;
    EXPECT_NEAR(r.linear_barrier, 2.0, 1e-12) << name;
    // Along a minimum-energy path the energy rises monotonically to the saddle and falls after
    // it, and here the path bows up off the chord (the curve ∂E/∂y = 0, y = 1 − x², is not the
    // path: there ∇E is horizontal, not along the curve).
    for (Index i = 1; i < r.path.rows(); ++i) {
      const double rise = r.energies(i) - r.energies(i - 1);
      EXPECT_GT(i <= r.saddle_index ? rise : -rise, 0.0) << name << " " << i;
      EXPECT_GT(i < r.path.rows() - 1 ? r.path(i, 1) : 1.0, 0.0) << name << " " << i;
    }
    EXPECT_GT(r.arc_length(16), 2.5) << name;  // longer than the chord, 2
  }
}

TEST(Neb, TiltedValleyAgreesWithTheFixedPointSearch) {
  // With tilt t = 0.3 and bend c = 0.5 no closed form is at hand: the saddle NEB finds must be the
  // saddle of x' = −∇E that find_fixed_points finds, and the barrier E(saddle) − E(left minimum).
  const auto f = test::curved_double_well(2.0, 0.5, 0.3);
  FixedPointOptions fo;
  fo.lower = vec({-2, -2});
  fo.upper = vec({2, 2});
  const FixedPointSearch s = find_fixed_points(f, fo);
  ASSERT_EQ(s.points.size(), 3u);
  const FixedPoint &left = s.points[0], &saddle = s.points[1], &right = s.points[2];
  ASSERT_EQ(saddle.kind, FixedPointKind::saddle);
  ASSERT_TRUE(is_attractor(left.kind) && is_attractor(right.kind));
  const NebResult r = nudged_elastic_band(f, left.x, right.x);
  EXPECT_TRUE(r.converged);
  EXPECT_LT((r.saddle - saddle.x).norm(), 1e-6);
  EXPECT_NEAR(r.barrier, saddle.energy - left.energy, 1e-10);
  EXPECT_TRUE(r.saddle_confirmed);
  EXPECT_GT(r.linear_barrier, r.barrier);
  // The same saddle seen from the other minimum.
  const NebResult back = nudged_elastic_band(f, right.x, left.x);
  EXPECT_NEAR(back.barrier, saddle.energy - right.energy, 1e-10);
}

TEST(Neb, WithoutClimbingTheBarrierIsUnderestimated) {
  // Four images: the two moving ones straddle the saddle, and without climbing neither sits on it.
  const auto f = test::curved_double_well(1.0, 1.0);
  NebOptions o;
  o.images = 4;
  o.climbing = false;
  const NebResult r = nudged_elastic_band(f, vec({-1, 0}), vec({1, 0}), o);
  EXPECT_TRUE(r.converged);
  EXPECT_LT(r.barrier, 0.99);
}

TEST(Neb, ABandStuckOnASecondOrderSaddleIsNotConfirmed) {
  // E = (x² − 1)² + (y² − 1)²: from (−1, −1) to (1, 1) the diagonal band is held by symmetry on
  // the maximum (0, 0), whose Hessian diag(−4, −4) has two negative eigenvalues.
  const test::GradientField f(
      2,
      [](const Eigen::VectorXd& v) {
        return std::pow(v(0) * v(0) - 1, 2) + std::pow(v(1) * v(1) - 1, 2);
      },
      [](const Eigen::VectorXd& v) {
        return Eigen::VectorXd(4 * v.array() * (v.array().square() - 1));
      },
      [](const Eigen::VectorXd& v) {
        return Eigen::MatrixXd((12 * v.array().square() - 4).matrix().asDiagonal());
      });
  const NebResult r = nudged_elastic_band(f, vec({-1, -1}), vec({1, 1}));
  EXPECT_LT(r.saddle.norm(), 1e-6);
  EXPECT_NEAR(r.barrier, 2.0, 1e-10);
  EXPECT_FALSE(r.saddle_confirmed);
  EXPECT_NEAR(r.hessian_eigenvalues(1), -4.0, 1e-6);
}

TEST(Neb, ProfileIsWrittenAsCsv) {
  const auto f = test::curved_double_well(1.0, 0.0);
  NebOptions o;
  o.images = 5;
  const NebResult r = nudged_elastic_band(f, vec({-1, 0}), vec({1, 0}), o);
  const auto path = std::filesystem::temp_directory_path() / "engram_neb_profile_test.csv";
  write_neb_profile(path, r, {"x", "y"});
  std::ifstream in(path);
  std::string header, first;
  std::getline(in, header);
  std::getline(in, first);
  EXPECT_EQ(header, "image,arc_length,energy,x,y");
  EXPECT_EQ(first.substr(0, 4), "0,0,");
  std::filesystem::remove(path);
  EXPECT_THROW_MESSAGE(write_neb_profile(path, r, {"x"}), std::invalid_argument, "2 names");
}

TEST(Neb, RefusesBadInput) {
  const auto f = test::curved_double_well(1.0, 0.0);
  EXPECT_THROW_MESSAGE(nudged_elastic_band(test::seed002_eq9(), vec({0, 0}), vec({1, 1})),
                       std::invalid_argument, "no energy");
  EXPECT_THROW_MESSAGE(nudged_elastic_band(f, vec({1, 0}), vec({1, 0})), std::invalid_argument,
                       "the same state");
  EXPECT_THROW_MESSAGE(nudged_elastic_band(f, vec({1, NAN}), vec({1, 0})), std::invalid_argument,
                       "NaN");
  EXPECT_THROW_MESSAGE(nudged_elastic_band(f, vec({1}), vec({1, 0})), std::invalid_argument,
                       "start");
  NebOptions o;
  o.images = 2;
  EXPECT_THROW_MESSAGE(nudged_elastic_band(f, vec({-1, 0}), vec({1, 0}), o), std::invalid_argument,
                       "images");
  o = {};
  o.spring = 0;
  EXPECT_THROW_MESSAGE(nudged_elastic_band(f, vec({-1, 0}), vec({1, 0}), o), std::invalid_argument,
                       "spring");
  EXPECT_THROW_MESSAGE(parse_neb_optimizer("lbfgs"), std::invalid_argument, "fire");
}

}  // namespace
}  // namespace engram
