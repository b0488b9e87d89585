// Corruptions (M-41): each kind changes exactly what it claims, at the claimed rate, seeded; specs
// parse and print back; bad specs, domains and images are refused with a message.
#include <engram/data/corruption.hpp>

#include <cmath>
#include <limits>

#include "support/check.hpp"

namespace engram {
namespace {

using Kind = Corruption::Kind;

/// B random ±1 images of rows × cols.
Mat<double> bipolar(Index b, Index rows, Index cols, std::uint64_t seed) {
  Rng rng(seed);
  return rng.uniform<double>(b, rows * cols).unaryExpr([](double u) {
    return u < 0.5 ? -1.0 : 1.0;
  });
}

TEST(Corruption, ParsesSpecsAndPrintsThemBack) {
  const Corruption flip = Corruption::parse("flip:0.1");
  EXPECT_EQ(flip.kind, Kind::flip);
  EXPECT_EQ(flip.amount, 0.1);
  EXPECT_EQ(Corruption::parse("mask:1").kind, Kind::mask);
  EXPECT_EQ(Corruption::parse("half").kind, Kind::half);
  EXPECT_EQ(Corruption::parse("noise:2.5").amount, 2.5);
  for (const char* spec : {"flip:0.1", "mask:0", "mask:1", "half", "noise:0.25", "noise:1e-05"})
    EXPECT_EQ(Corruption::parse(spec).to_string(), spec);
  const Corruption third{Kind::flip, 1.0 / 3.0};
  EXPECT_EQ(Corruption::parse(third.to_string()).amount, 1.0 / 3.0);
}

TEST(Corruption, RejectsBadSpecsNamingThemAndTheForms) {
  for (const char* spec : {"", "flip", "flip:", "flip:-0.1", "flip:1.5", "mask:0.5x", "flip:nan",
                           "noise:-1", "noise:inf", "half:0.5", "blur:1", "FLIP:0.1", " flip:0.1"})
    EXPECT_THROW_MESSAGE(Corruption::parse(spec), std::invalid_argument,
                         fmt::format("corruption '{}' not understood: expected flip:F or mask:F "
                                     "with F in [0, 1], half, or noise:S with S >= 0",
                                     spec));
}

TEST(Corruption, FlipMirrorsEntriesAtTheRequestedRate) {
  const Index b = 200, rows = 28, cols = 28;
  const Mat<double> x = bipolar(b, rows, cols, 1);
  Rng rng(7);
  CorruptionMask altered;
  const Mat<double> y =
      corrupt<double>(x, {Kind::flip, 0.1}, {rows, cols, -1, 1, 0}, rng, &altered);
  for (Index i = 0; i < x.size(); ++i)
    ASSERT_EQ(y.data()[i], altered.data()[i] ? -x.data()[i] : x.data()[i]) << i;
  // Flips are Bernoulli(0.1) over n entries: the fraction has sd √(0.1·0.9/n) ≈ 7.6e-4.
  const double n = static_cast<double>(x.size());
  const double fraction = static_cast<double>(altered.count()) / n;
  EXPECT_NEAR(fraction, 0.1, 5 * std::sqrt(0.1 * 0.9 / n));

  // On [0, 1] pixels a flip inverts: x ↦ 0 + 1 − x.
  Mat<float> pixels(1, 4);
  pixels << 0, 0.25f, 0.5f, 1;
  Rng all(3);
  Mat<float> inverted = corrupt<float>(pixels, {Kind::flip, 1.0}, {2, 2, 0, 1, 0}, all);
  Mat<float> expected(1, 4);
  expected << 1, 0.75f, 0.5f, 0;
  EXPECT_EQ(inverted, expected);
}

TEST(Corruption, MaskSetsExactlyRoundFDEntriesPerImageUniformly) {
  const Index rows = 28, cols = 28, d = rows * cols;
  const Mat<double> x = bipolar(50, rows, cols, 2);
  Rng rng(11);
  CorruptionMask altered;
  const Mat<double> y =
      corrupt<double>(x, {Kind::mask, 0.3}, {rows, cols, -1, 1, 0}, rng, &altered);
  const Index k = std::llround(0.3 * d);  // 235.2 → 235
  for (Index i = 0; i < x.rows(); ++i) {
    EXPECT_EQ(altered.row(i).count(), k);
    for (Index j = 0; j < d; ++j) ASSERT_EQ(y(i, j), altered(i, j) ? 0.0 : x(i, j));
  }
  // Which entries: uniform, so each of D = 4 positions is masked in half the images.
  const Index images = 4000;
  Rng rng2(5);
  CorruptionMask small;
  corrupt<double>(Mat<double>::Ones(images, 4), {Kind::mask, 0.5}, {2, 2, -1, 1, -1}, rng2, &small);
  const double sd = std::sqrt(0.25 / images);
  for (Index j = 0; j < 4; ++j)
    EXPECT_NEAR(static_cast<double>(small.col(j).count()) / images, 0.5, 5 * sd) << j;
  EXPECT_EQ(small.count(), images * 2);
  // round, not floor: 0.3 · 6 = 1.8 → 2 per image.
  CorruptionMask six;
  corrupt<double>(Mat<double>::Ones(3, 6), {Kind::mask, 0.3}, {2, 3, -1, 1, 0}, rng2, &six);
  for (Index i = 0; i < 3; ++i) EXPECT_EQ(six.row(i).count(), 2);
}

TEST(Corruption, HalfMasksExactlyTheLowerRows) {
  // rows = 5: rows r ≥ 5/2 = 2 (three of five) become fill.
  const Mat<double> x = bipolar(3, 5, 3, 4);
  Rng rng(1);
  CorruptionMask altered;
  const Mat<double> y = corrupt<double>(x, {Kind::half, 0}, {5, 3, -1, 1, -1}, rng, &altered);
  EXPECT_EQ(y.leftCols(6), x.leftCols(6));
  EXPECT_TRUE((y.rightCols(9).array() == -1.0).all());
  EXPECT_EQ(altered.count(), 3 * 9);
  EXPECT_FALSE(altered.leftCols(6).any());

  Mat<float> pixels = Mat<float>::Constant(2, 28 * 28, 0.5f);
  const Mat<float> z = corrupt<float>(pixels, Corruption::parse("half"), {28, 28, 0, 1, 0}, rng);
  EXPECT_EQ(z.leftCols(14 * 28), pixels.leftCols(14 * 28));
  EXPECT_TRUE((z.rightCols(14 * 28).array() == 0.0f).all());
}

TEST(Corruption, NoiseHasTheRequestedSpreadAndIsClipped) {
  // Domain wide enough that nothing is clipped: the added noise is seen as it was drawn.
  const Index b = 100, d = 784;
  const double s = 0.3, n = static_cast<double>(b * d);
  Rng rng(9);
  const Mat<double> y =
      corrupt<double>(Mat<double>::Zero(b, d), {Kind::noise, s}, {28, 28, -100, 100, 0}, rng);
  const double mean = y.mean();
  const double sd = std::sqrt((y.array() - mean).square().sum() / (n - 1));
  EXPECT_NEAR(mean, 0.0, 5 * s / std::sqrt(n));
  EXPECT_NEAR(sd, s, 5 * s / std::sqrt(2 * n));

  // On [0, 1] pixels at 0, the negative half is clipped to exactly 0.
  const Mat<float> z =
      corrupt<float>(Mat<float>::Zero(b, d), {Kind::noise, s}, {28, 28, 0, 1, 0}, rng);
  EXPECT_GE(z.minCoeff(), 0.0f);
  EXPECT_LE(z.maxCoeff(), 1.0f);
  EXPECT_NEAR(static_cast<double>((z.array() == 0.0f).count()) / n, 0.5, 5 * 0.5 / std::sqrt(n));
  // S = 0 changes nothing and reports nothing altered.
  CorruptionMask altered;
  EXPECT_EQ(corrupt<float>(z, {Kind::noise, 0}, {28, 28, 0, 1, 0}, rng, &altered), z);
  EXPECT_FALSE(altered.any());
}

TEST(Corruption, SameSeedGivesTheSameCorruption) {
  const Mat<double> x = bipolar(10, 28, 28, 6);
  for (const char* spec : {"flip:0.2", "mask:0.4", "noise:0.5"}) {
    const Corruption c = Corruption::parse(spec);
    const CorruptionDomain dom{28, 28, -1, 1, 0};
    Rng a(42), b(42), other(43);
    const Mat<double> ya = corrupt<double>(x, c, dom, a);
    EXPECT_EQ(ya, corrupt<double>(x, c, dom, b)) << spec;
    EXPECT_NE(ya, corrupt<double>(x, c, dom, other)) << spec;
  }
}

TEST(Corruption, RejectsBadDomainsAmountsAndImages) {
  const Mat<double> x = bipolar(2, 2, 3, 8);
  Rng rng(0);
  const Corruption flip{Kind::flip, 0.1};
  EXPECT_THROW_MESSAGE(corrupt<double>(x, flip, {3, 3, -1, 1, 0}, rng), std::invalid_argument,
                       "rows*cols = 3x3 = 9 columns, got 6");
  EXPECT_THROW_MESSAGE(corrupt<double>(x, flip, {0, 6, -1, 1, 0}, rng), std::invalid_argument,
                       "rows and cols must be positive, got 0x6");
  EXPECT_THROW_MESSAGE(corrupt<double>(x, flip, {2, 3, 1, -1, 0}, rng), std::invalid_argument,
                       "finite lo < hi, got [1, -1]");
  EXPECT_THROW_MESSAGE(corrupt<double>(x, flip, {2, 3, -1, 1, 2}, rng), std::invalid_argument,
                       "fill 2 is outside [-1, 1]");
  EXPECT_THROW_MESSAGE(corrupt<double>(x, {Kind::mask, 1.5}, {2, 3, -1, 1, 0}, rng),
                       std::invalid_argument, "amount 1.5 is not valid for mask");
  EXPECT_THROW_MESSAGE(corrupt<double>(x, {Kind::noise, -0.1}, {2, 3, -1, 1, 0}, rng),
                       std::invalid_argument, "amount -0.1 is not valid for noise");
  Mat<double> bad = x;
  bad(1, 2) = 3;
  EXPECT_THROW_MESSAGE(corrupt<double>(bad, flip, {2, 3, -1, 1, 0}, rng), std::invalid_argument,
                       "images(1, 2) = 3 is outside [-1, 1]");
  bad(1, 2) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW_MESSAGE(corrupt<double>(bad, flip, {2, 3, -1, 1, 0}, rng), std::invalid_argument,
                       "images(1, 2) = nan is outside [-1, 1]");
}

}  // namespace
}  // namespace engram
