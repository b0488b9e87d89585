// Pixel transforms: binarize's threshold rule, to_bipolar and from_bipolar as inverses.
#include <engram/core/rng.hpp>
#include <engram/data/transforms.hpp>

#include <limits>

#include "support/check.hpp"

namespace engram {
namespace {

TEST(Transforms, BinarizeIsPlusOneFromTheThresholdOn) {
  Mat<float> x(2, 3);
  x << 0, 0.49f, 0.5f, 0.51f, 1, -3;
  Mat<float> expected(2, 3);
  expected << -1, -1, 1, 1, 1, -1;
  EXPECT_EQ(binarize<float>(x), expected);
  Mat<double> y(1, 3);
  y << -0.1, 0, 0.1;
  EXPECT_EQ(binarize<double>(y, 0.0), (Mat<double>(1, 3) << -1, 1, 1).finished());
}

TEST(Transforms, BinarizeRejectsNaN) {
  Mat<double> x = Mat<double>::Zero(2, 2);
  x(0, 1) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW_MESSAGE(binarize<double>(x), std::invalid_argument, "x contains NaN at (0, 1)");
  EXPECT_THROW_MESSAGE(binarize<double>(Mat<double>::Zero(1, 1), std::nan("")),
                       std::invalid_argument, "threshold must be finite");
}

TEST(Transforms, BipolarMapsAreAffineInverses) {
  Mat<double> x(1, 4);
  x << 0, 0.25, 0.5, 1;
  const Mat<double> s = to_bipolar<double>(x);
  EXPECT_EQ(s, (Mat<double>(1, 4) << -1, -0.5, 0, 1).finished());
  EXPECT_EQ(from_bipolar<double>(s), x);
  Rng rng(1);
  const Mat<float> u = rng.uniform<float>(3, 5);
  EXPECT_LE(test::max_relative_gap(from_bipolar<float>(to_bipolar<float>(u)), u), 1e-6);
}

}  // namespace
}  // namespace engram
