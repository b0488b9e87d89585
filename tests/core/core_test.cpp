// Core helpers: seeded random numbers, shape arithmetic, the finite and shape checks.
#include <engram/core/error.hpp>
#include <engram/core/rng.hpp>

#include "support/check.hpp"

namespace engram {
namespace {

TEST(Rng, SameSeedSameDrawsDifferentSeedDifferentDraws) {
  EXPECT_EQ(Rng(7).uniform<double>(3, 4), Rng(7).uniform<double>(3, 4));
  EXPECT_NE(Rng(7).normal<double>(3, 4), Rng(8).normal<double>(3, 4));
  const Mat<float> u = Rng(9).uniform<float>(100, 100, -2.0, 3.0);
  EXPECT_GE(u.minCoeff(), -2.0f);
  EXPECT_LT(u.maxCoeff(), 3.0f);
  EXPECT_NEAR(u.mean(), 0.5f, 0.05f);
  EXPECT_THROW_MESSAGE(Rng(1).index(0), std::invalid_argument, "n must be positive, got 0");
  EXPECT_THROW_MESSAGE(Rng(1).normal<double>(2, 2, 0.0, -1.0), std::invalid_argument, "stddev");
}

TEST(Shape, SizeAndText) {
  EXPECT_EQ(shape_size({28, 28}), 784);
  EXPECT_EQ(shape_string({28, 28}), "28x28");
  EXPECT_EQ(shape_string({7}), "7");
  EXPECT_THROW_MESSAGE(shape_size({3, 0}, "image"), std::invalid_argument,
                       "image: every dimension must be positive, got shape 3x0");
  EXPECT_THROW_MESSAGE(shape_size({1 << 16, 1 << 16}), std::invalid_argument,
                       "shape: shape 65536x65536 has more than 2147483647 units");
}

TEST(Checks, NameTheArgumentAndTheProblem) {
  Mat<double> m = Mat<double>::Zero(2, 3);
  EXPECT_THROW_MESSAGE(check_shape(m, 3, 3, "weights"), std::invalid_argument,
                       "weights: expected shape 3x3, got 2x3");
  m(1, 0) = -INFINITY;
  EXPECT_THROW_MESSAGE(check_finite(m, "weights"), std::invalid_argument,
                       "weights contains Inf at (1, 0)");
  EXPECT_THROW_MESSAGE(check_positive(-0.5, "beta"), std::invalid_argument,
                       "beta must be positive and finite, got -0.5");
}

}  // namespace
}  // namespace engram
