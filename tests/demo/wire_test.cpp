// What the demo server puts on the wire: base64 against RFC 4648's test vectors, images to pixels
// and back, and garbled input refused.
#include <demo/wire.hpp>

#include "support/check.hpp"

namespace engram::demo {
namespace {

TEST(Base64, MatchesTheRfc4648Vectors) {
  const std::vector<std::pair<std::string, std::string>> vectors = {{"", ""},
                                                                    {"f", "Zg=="},
                                                                    {"fo", "Zm8="},
                                                                    {"foo", "Zm9v"},
                                                                    {"foob", "Zm9vYg=="},
                                                                    {"fooba", "Zm9vYmE="},
                                                                    {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    EXPECT_EQ(base64_decode(encoded, "x"), plain);
  }
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  EXPECT_EQ(base64_decode(base64_encode(all), "x"), all);
}

TEST(Base64, RefusesGarbledText) {
  EXPECT_THROW_MESSAGE(base64_decode("Zm9", "pixels"), std::invalid_argument,
                       "pixels: base64 length must be a multiple of 4, got 3");
  EXPECT_THROW_MESSAGE(base64_decode("Zm9v!A==", "pixels"), std::invalid_argument, "not base64");
  EXPECT_THROW_MESSAGE(base64_decode("Z===", "pixels"), std::invalid_argument, "not base64");
  EXPECT_THROW_MESSAGE(base64_decode("Zg==Zm9v", "pixels"), std::invalid_argument, "not base64");
  EXPECT_THROW_MESSAGE(base64_decode("Zg=v", "pixels"), std::invalid_argument, "not base64");
}

TEST(Pixels, MapTheRangeToBytesAndBack) {
  const std::array<double, 2> range{-1.0, 1.0};
  Eigen::VectorXd image(5);
  image << -1.0, 1.0, 0.0, 5.0, -3.0;  // beyond the range: clamped
  const std::string pixels = image_to_pixels(image, range);
  const std::string bytes = base64_decode(pixels, "x");
  ASSERT_EQ(bytes.size(), 5u);
  EXPECT_EQ(static_cast<unsigned char>(bytes[0]), 0);
  EXPECT_EQ(static_cast<unsigned char>(bytes[1]), 255);
  EXPECT_EQ(static_cast<unsigned char>(bytes[2]), 128);  // 127.5 rounds up
  EXPECT_EQ(static_cast<unsigned char>(bytes[3]), 255);
  EXPECT_EQ(static_cast<unsigned char>(bytes[4]), 0);
  const Eigen::VectorXd back = pixels_to_image(pixels, 5, range, "x");
  EXPECT_DOUBLE_EQ(back(0), -1.0);
  EXPECT_DOUBLE_EQ(back(1), 1.0);
  EXPECT_NEAR(back(2), 0.0, 1.0 / 255);
  EXPECT_THROW_MESSAGE(pixels_to_image(pixels, 6, range, "pixels"), std::invalid_argument,
                       "pixels: must decode to 6 bytes (one per pixel), got 5");
}

}  // namespace
}  // namespace engram::demo
