// PNG output: the file's signature and header, pixel levels read back with stb_image (a decoder
// written apart from the encoder), nearest-neighbour scaling, and tile_images geometry.
#include <engram/io/png.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include "engram/core/error.hpp"
#include "support/check.hpp"

#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STBI_ONLY_PNG
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <stb/stb_image.h>
#pragma GCC diagnostic pop

namespace engram {
namespace {

namespace fs = std::filesystem;

std::uint32_t big_endian_u32(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t k = 0; k < 4; ++k) v = (v << 8) | static_cast<unsigned char>(s[at + k]);
  return v;
}

/// A decoded PNG: width, height, channels and the 8-bit samples.
struct Decoded {
  int width = 0, height = 0, channels = 0;
  std::vector<unsigned char> samples;
  int at(int i, int j, int c = 0) const { return samples[(i * width + j) * channels + c]; }
};

Decoded decode(const std::string& png) {
  Decoded d;
  std::unique_ptr<unsigned char, void (*)(void*)> data(
      stbi_load_from_memory(reinterpret_cast<const unsigned char*>(png.data()),
                            static_cast<int>(png.size()), &d.width, &d.height, &d.channels, 0),
      &stbi_image_free);
  if (!data) throw std::runtime_error("stb_image could not decode the PNG");
  d.samples.assign(data.get(), data.get() + d.width * d.height * d.channels);
  return d;
}

TEST(Png, WritesSignatureAndHeaderWithScaledSize) {
  const fs::path p = fs::temp_directory_path() /
                     fmt::format("engram_png_{}/gray.png", static_cast<long>(::getpid()));
  write_png(p, Mat<float>::Zero(3, 5), 0, 1, 2);
  std::ifstream in(p, std::ios::binary);
  const std::string png{std::istreambuf_iterator<char>(in), {}};
  ASSERT_GE(png.size(), 33u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(big_endian_u32(png, 8), 13u);  // IHDR length
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  EXPECT_EQ(big_endian_u32(png, 16), 10u);  // width = 5 · 2
  EXPECT_EQ(big_endian_u32(png, 20), 6u);   // height = 3 · 2
  EXPECT_EQ(png[24], 8);                    // bit depth
  EXPECT_EQ(png[25], 0);                    // colour type: grayscale
  fs::remove_all(p.parent_path());
}

TEST(Png, GrayLevelsAreClippedAndScaledLinearly) {
  // Values in [lo, hi] = [−1, 1]: level = round(255 (v + 1) / 2), clipped outside.
  Mat<float> gray(2, 3);
  gray << -1, 0, 1, -5, 0.5f, 7;
  const Decoded d = decode(encode_png(gray, -1, 1, 3));
  ASSERT_EQ(d.width, 9);
  ASSERT_EQ(d.height, 6);
  ASSERT_EQ(d.channels, 1);
  const int expected[2][3] = {{0, 128, 255}, {0, 191, 255}};  // 127.5 → 128, 191.25 → 191
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 9; ++j) EXPECT_EQ(d.at(i, j), expected[i / 3][j / 3]) << i << "," << j;
}

TEST(Png, RgbInterleavedAndFromChannelsAgree) {
  Mat<float> r(1, 2), g(1, 2), b(1, 2);
  r << 1, 0;
  g << 0, 0.2f;
  b << 0, 1;
  Mat<float> rgb(1, 6);
  rgb << 1, 0, 0, 0, 0.2f, 1;
  const Decoded d = decode(encode_png_rgb(rgb));
  ASSERT_EQ(d.channels, 3);
  ASSERT_EQ(d.width, 2);
  EXPECT_EQ(d.at(0, 0, 0), 255);
  EXPECT_EQ(d.at(0, 0, 1), 0);
  EXPECT_EQ(d.at(0, 1, 1), 51);
  EXPECT_EQ(d.at(0, 1, 2), 255);

  const fs::path dir =
      fs::temp_directory_path() / fmt::format("engram_png_rgb_{}", static_cast<long>(::getpid()));
  write_png_rgb(dir / "a.png", rgb);
  write_png_rgb(dir / "b.png", r, g, b);
  const auto read = [](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string{std::istreambuf_iterator<char>(in), {}};
  };
  EXPECT_EQ(read(dir / "a.png"), read(dir / "b.png"));
  EXPECT_THROW_MESSAGE(write_png_rgb(dir / "c.png", r, Mat<float>::Zero(2, 2), b),
                       std::invalid_argument, "g (shaped like r): expected shape 1x2, got 2x2");
  fs::remove_all(dir);
}

TEST(Png, RejectsBadInput) {
  Mat<float> nan = Mat<float>::Zero(2, 2);
  nan(1, 0) = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW_MESSAGE(encode_png(nan), std::invalid_argument, "image contains NaN at (1, 0)");
  EXPECT_THROW_MESSAGE(encode_png(Mat<float>::Zero(0, 3)), std::invalid_argument, "empty");
  EXPECT_THROW_MESSAGE(encode_png(Mat<float>::Zero(2, 2), 1, 1), std::invalid_argument,
                       "lo < hi, got [1, 1]");
  EXPECT_THROW_MESSAGE(encode_png(Mat<float>::Zero(2, 2), 0, 1, 0), std::invalid_argument,
                       "scale must be at least 1, got 0");
  EXPECT_THROW_MESSAGE(encode_png_rgb(Mat<float>::Zero(2, 4)), std::invalid_argument,
                       "needs 3W columns, got 4");
  EXPECT_THROW_MESSAGE(write_png("", Mat<float>::Zero(2, 2)), std::invalid_argument,
                       "is not a file path");
}

TEST(TileImages, GridGeometryAndPlacement) {
  // Five 2 × 3 images, image n filled with n + 1 except pixel (1, 2) = −(n + 1).
  const Index h = 2, w = 3, n = 5;
  Mat<float> images(n, h * w);
  for (Index k = 0; k < n; ++k) {
    images.row(k).setConstant(static_cast<float>(k + 1));
    images(k, 1 * w + 2) = -static_cast<float>(k + 1);
  }
  const Mat<float> grid = tile_images(images, h, w, 3, 1, 9.0f);
  // C = 3, R = 2: (2·2 + 3) × (3·3 + 4).
  ASSERT_EQ(grid.rows(), 7);
  ASSERT_EQ(grid.cols(), 13);
  for (Index k = 0; k < n; ++k) {
    const Index top = 1 + (k / 3) * 3, left = 1 + (k % 3) * 4;
    EXPECT_EQ(grid(top, left), k + 1);
    EXPECT_EQ(grid(top + 1, left + 2), -(k + 1));
    EXPECT_EQ(grid(top - 1, left), 9.0f);  // padding above
  }
  EXPECT_EQ((grid.array() == 9.0f).count(), 7 * 13 - n * h * w);  // the rest is padding

  // Fewer images than columns: as many columns as images; no padding at all is allowed.
  const Mat<float> row = tile_images(images.topRows(2), h, w, 10, 0);
  EXPECT_EQ(row.rows(), h);
  EXPECT_EQ(row.cols(), 2 * w);
  EXPECT_EQ(row(1, 5), -2.0f);

  EXPECT_THROW_MESSAGE(tile_images(images, 3, 3, 2), std::invalid_argument,
                       "h*w = 3x3 = 9 columns, got 6");
  EXPECT_THROW_MESSAGE(tile_images(images, h, w, 0), std::invalid_argument,
                       "columns must be positive, got 0");
  EXPECT_THROW_MESSAGE(tile_images(images, h, w, 2, -1), std::invalid_argument,
                       "pad must be non-negative, got -1");
  EXPECT_THROW_MESSAGE(tile_images(Mat<float>(0, 6), h, w, 2), std::invalid_argument, "empty");
}

}  // namespace
}  // namespace engram
